//! Masking of personal data for screens, logs and history.

/// `jane.doe@example.com` -> `j***@example.com`.
pub fn email(e: &str) -> String {
    match e.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_string(),
    }
}

/// Phone numbers keep their last four digits.
pub fn phone(p: &str) -> String {
    let digits: Vec<char> = p.chars().filter(char::is_ascii_digit).collect();
    let tail: String = digits.iter().skip(digits.len().saturating_sub(4)).collect();
    format!("***-***-{tail}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks() {
        assert_eq!(super::email("jane@example.com"), "j***@example.com");
        assert_eq!(super::email("nope"), "***");
        assert_eq!(super::phone("(202) 555-0147"), "***-***-0147");
    }
}

//! A contact email address, validated and normalised to lower case.

use std::fmt;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// A pragmatic check (one `@`, a dotted domain, no spaces, sane lengths): deliverability is
    /// proven later by the verification codes sent to it, not by a regular expression.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let s = input.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Err("enter an email address");
        }
        if s.len() > 254 {
            return Err("an email address has at most 254 characters");
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err("enter an email address like name@company.com");
        };
        let ok_local = !local.is_empty()
            && local.len() <= 64
            && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c))
            && !local.starts_with('.')
            && !local.ends_with('.');
        let labels: Vec<&str> = domain.split('.').collect();
        let ok_domain = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !ok_local || !ok_domain {
            return Err("enter an email address like name@company.com");
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    pub fn domain(&self) -> &str {
        self.0.split_once('@').map(|(_, d)| d).unwrap_or("")
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Debug masks: emails are personal data and Debug output ends up in logs.
impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", crate::mask::email(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn accepts_and_normalises() {
        assert_eq!(Email::parse(" Jane.Doe@Example.COM ").unwrap().as_str(), "jane.doe@example.com");
    }

    #[test]
    fn refuses_bad() {
        for bad in ["", "a", "a@b", "a@@b.com", "a b@c.com", ".a@b.com", "a@-b.com", "a@b..com"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}

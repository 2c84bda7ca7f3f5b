//! Random tokens and their hashes (session ids, API tokens, CSRF tokens).

use rand::RngCore;
use sha2::{Digest, Sha256};

/// 256 random bits as 64 hex characters.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// What we store instead of a token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn constant_time_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A 6-digit code for mail (uniformly drawn, leading zeros kept).
pub fn six_digit_code() -> String {
    use rand::Rng;
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// What is stored for a short code: bound to what it unlocks, so a code issued for one
/// application or session is worthless for another.
pub fn hash_code(subject: &str, code: &str) -> String {
    let typed: String = code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    hash_token(&format!("{subject}:{}", typed.to_ascii_lowercase()))
}

/// Ten recovery codes like `k7m2p-9xq4t` (no 0/o, 1/l/i to avoid misreading).
pub fn recovery_codes() -> Vec<String> {
    use rand::Rng;
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    let mut rng = rand::rng();
    (0..10)
        .map(|_| {
            let mut s = String::with_capacity(11);
            for i in 0..10 {
                if i == 5 {
                    s.push('-');
                }
                s.push(char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]));
            }
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_right_shape() {
        for _ in 0..100 {
            let c = six_digit_code();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
        }
        let r = recovery_codes();
        assert_eq!(r.len(), 10);
        assert!(r.iter().all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'));
        // Typing variations of one code hash alike; another subject does not.
        assert_eq!(hash_code("u1", "K7M2P-9XQ4T"), hash_code("u1", "k7m2p9xq4t"));
        assert_ne!(hash_code("u1", "123456"), hash_code("u2", "123456"));
        assert!(constant_time_eq("abc", "abc") && !constant_time_eq("abc", "abd"));
    }
}

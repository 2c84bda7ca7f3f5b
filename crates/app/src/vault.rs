//! Secrets at rest: AES-256-GCM with a key version and associated data tied to the row, so a
//! value copied to another row or column does not decrypt. Used for TOTP secrets now and for
//! bank account numbers with the ACH enrolment.
//!
//! Sealed form: `v<version>:<base64(nonce || ciphertext+tag)>`. The key ring holds every key that
//! may still be in use (by version) and seals with the newest.

use aes_gcm::aead::{Aead, Generate, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use data_encoding::BASE64;

/// Data keys by version; seals with `current`.
#[derive(Clone)]
pub struct Keyring {
    keys: Vec<(u32, [u8; 32])>,
    current: u32,
}

/// Keys never appear in Debug output.
impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let versions: Vec<u32> = self.keys.iter().map(|(v, _)| *v).collect();
        f.debug_struct("Keyring").field("versions", &versions).field("current", &self.current).finish()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VaultError {
    #[error("data key: {0}")]
    Key(String),
    #[error("a stored secret could not be decrypted (wrong key, or the value was moved or altered)")]
    Open,
}

impl Keyring {
    /// Parses `ACE_DATA_KEY`-style text: one or more `version:base64key` entries separated by
    /// commas or newlines (a bare base64 key is version 1). The highest version seals.
    pub fn parse(text: &str) -> Result<Keyring, VaultError> {
        let mut keys = Vec::new();
        for entry in text.split([',', '\n']).map(str::trim).filter(|e| !e.is_empty() && !e.starts_with('#')) {
            let (version, b64) = match entry.split_once(':') {
                Some((v, k)) => {
                    let v = v.trim().trim_start_matches('v');
                    (v.parse::<u32>().map_err(|_| VaultError::Key(format!("bad key version `{v}`")))?, k.trim())
                }
                None => (1, entry),
            };
            let bytes = BASE64
                .decode(b64.as_bytes())
                .map_err(|_| VaultError::Key(format!("key version {version} is not base64")))?;
            let key: [u8; 32] = bytes.try_into().map_err(|_| {
                VaultError::Key(format!("key version {version} must be 32 bytes (44 base64 characters)"))
            })?;
            if keys.iter().any(|(v, _)| *v == version) {
                return Err(VaultError::Key(format!("key version {version} appears twice")));
            }
            keys.push((version, key));
        }
        let current = keys.iter().map(|(v, _)| *v).max().ok_or_else(|| VaultError::Key("no key given".into()))?;
        Ok(Keyring { keys, current })
    }

    /// A fresh random key, version 1 (tests, and the generated key file of the embedded default).
    pub fn generate() -> Keyring {
        let key: [u8; 32] = rand::random();
        Keyring { keys: vec![(1, key)], current: 1 }
    }

    /// This ring plus a fresh random key one version above the highest, which then seals.
    pub fn with_new_key(&self) -> Keyring {
        let version = self.keys.iter().map(|(v, _)| *v).max().unwrap_or(0) + 1;
        let mut keys = self.keys.clone();
        keys.push((version, rand::random()));
        Keyring { keys, current: version }
    }

    /// The text form [`Keyring::parse`] reads.
    pub fn to_text(&self) -> String {
        self.keys.iter().map(|(v, k)| format!("{v}:{}", BASE64.encode(k))).collect::<Vec<_>>().join("\n") + "\n"
    }

    pub fn current_version(&self) -> u32 {
        self.current
    }

    fn cipher(&self, version: u32) -> Result<Aes256Gcm, VaultError> {
        let (_, key) = self
            .keys
            .iter()
            .find(|(v, _)| *v == version)
            .ok_or_else(|| VaultError::Key(format!("no key with version {version} is configured")))?;
        Aes256Gcm::new_from_slice(key).map_err(|_| VaultError::Key("bad key length".into()))
    }

    /// Encrypts `plain` for the place named by `aad` (e.g. `users.totp_secret:42`).
    pub fn seal(&self, plain: &str, aad: &str) -> Result<String, VaultError> {
        let cipher = self.cipher(self.current)?;
        let nonce = Nonce::generate();
        let sealed = cipher
            .encrypt(&nonce, Payload { msg: plain.as_bytes(), aad: aad.as_bytes() })
            .map_err(|_| VaultError::Key("encryption failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("v{}:{}", self.current, BASE64.encode(&out)))
    }

    /// Decrypts a sealed value for the place named by `aad`.
    pub fn open(&self, sealed: &str, aad: &str) -> Result<String, VaultError> {
        let (version, b64) = sealed.strip_prefix('v').and_then(|s| s.split_once(':')).ok_or(VaultError::Open)?;
        let version: u32 = version.parse().map_err(|_| VaultError::Open)?;
        let bytes = BASE64.decode(b64.as_bytes()).map_err(|_| VaultError::Open)?;
        if bytes.len() < 12 + 16 {
            return Err(VaultError::Open);
        }
        let (nonce, body) = bytes.split_at(12);
        let nonce = Nonce::try_from(nonce).map_err(|_| VaultError::Open)?;
        let plain = self
            .cipher(version)?
            .decrypt(&nonce, Payload { msg: body, aad: aad.as_bytes() })
            .map_err(|_| VaultError::Open)?;
        String::from_utf8(plain).map_err(|_| VaultError::Open)
    }

    /// A blind index of `input` under the current key: `b<version>:<hex HMAC-SHA256>`. Equal
    /// inputs give equal indexes, so duplicates are found with an index lookup and without
    /// decrypting; the HMAC key is derived from the data key with a fixed label, so the index
    /// reveals nothing without the key. Rotation recomputes indexes with the new key.
    pub fn blind_index(&self, input: &str) -> Result<String, VaultError> {
        use hmac::{Hmac, Mac};
        use sha2::{Digest, Sha256};
        let (_, key) = self
            .keys
            .iter()
            .find(|(v, _)| *v == self.current)
            .ok_or_else(|| VaultError::Key("no current key".into()))?;
        let derived = Sha256::new().chain_update(b"ace-refunds blind index\0").chain_update(key).finalize();
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&derived).map_err(|_| VaultError::Key("bad key".into()))?;
        mac.update(input.as_bytes());
        Ok(format!("b{}:{}", self.current, hex::encode(mac.finalize().into_bytes())))
    }

    /// The key version a sealed value was made with (for rotation).
    pub fn version_of(sealed: &str) -> Option<u32> {
        sealed.strip_prefix('v')?.split_once(':')?.0.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_and_bind_to_the_row() {
        let k = Keyring::generate();
        let s = k.seal("JBSWY3DPEHPK3PXP", "users.totp_secret:7").unwrap();
        assert!(s.starts_with("v1:") && !s.contains("JBSWY3DP"));
        assert_eq!(k.open(&s, "users.totp_secret:7").unwrap(), "JBSWY3DPEHPK3PXP");
        assert_eq!(k.open(&s, "users.totp_secret:8"), Err(VaultError::Open), "moved to another row");
        assert_eq!(Keyring::generate().open(&s, "users.totp_secret:7"), Err(VaultError::Open), "another key");
        assert_ne!(k.seal("x", "a").unwrap(), k.seal("x", "a").unwrap(), "a fresh nonce each time");
        let mut tampered = s.clone();
        tampered.pop();
        tampered.push(if s.ends_with('A') { 'B' } else { 'A' });
        assert!(k.open(&tampered, "users.totp_secret:7").is_err());
        assert!(k.open("garbage", "x").is_err());
    }

    #[test]
    fn blind_indexes_are_stable_per_key_and_hide_the_input() {
        let k = Keyring::generate();
        let b = k.blind_index("021000021:123456789").unwrap();
        assert_eq!(b, k.blind_index("021000021:123456789").unwrap());
        assert_ne!(b, k.blind_index("021000021:123456780").unwrap());
        assert_ne!(b, Keyring::generate().blind_index("021000021:123456789").unwrap(), "keyed");
        assert!(b.starts_with("b1:") && !b.contains("123456789"));
    }

    #[test]
    fn rings_parse_and_rotate() {
        let old = Keyring::generate();
        let sealed = old.seal("secret", "t:1").unwrap();
        let new_key = BASE64.encode(&rand::random::<[u8; 32]>());
        let ring = Keyring::parse(&format!("{}2:{new_key}", old.to_text())).unwrap();
        assert_eq!(ring.current_version(), 2);
        assert_eq!(ring.open(&sealed, "t:1").unwrap(), "secret", "old values still open");
        let resealed = ring.seal("secret", "t:1").unwrap();
        assert_eq!(Keyring::version_of(&resealed), Some(2));
        assert!(Keyring::parse("").is_err());
        assert!(Keyring::parse("1:notbase64!").is_err());
        assert!(Keyring::parse(&format!("1:{}", BASE64.encode(b"short"))).is_err());
        let k = BASE64.encode(&[7u8; 32]);
        assert!(Keyring::parse(&format!("1:{k},1:{k}")).is_err());
        assert_eq!(Keyring::parse(&k).unwrap().current_version(), 1);
        assert!(!format!("{ring:?}").contains(&new_key));
    }
}

//! Importer numbers as CBP Form 5106 knows them.
//!
//! Three shapes exist: an IRS employer number with a two-character suffix (`NN-NNNNNNNXX`),
//! a social security number (`NNN-NN-NNNN`, personal data, always masked on screen) and a
//! CBP-assigned number (`YYDDPP-NNNNN`). Input is accepted with or without dashes; the canonical
//! form is what we store and compare.

use std::fmt;

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImporterNumber {
    /// `ein` is 9 digits, `suffix` 2 characters from [0-9A-Z] minus O, I, Z.
    Ein {
        ein: [u8; 9],
        suffix: [u8; 2],
    },
    Ssn([u8; 9]),
    /// 6 digits (YYDDPP) then 5 digits.
    CbpAssigned([u8; 11]),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImporterNumberError {
    #[error("enter an importer number")]
    Empty,
    #[error(
        "an importer number is an IRS number with suffix (NN-NNNNNNNXX), an SSN (NNN-NN-NNNN) or a CBP-assigned number (YYDDPP-NNNNN)"
    )]
    Shape,
    #[error("the suffix may use digits and letters except O, I and Z (a blank suffix means 00)")]
    Suffix,
    #[error("this is not a valid {0}")]
    Invalid(&'static str),
}

impl ImporterNumberError {
    /// Error text that never echoes the input (an SSN must not reach a log through an error).
    pub fn message(&self) -> String {
        self.to_string()
    }
}

fn suffix_char_ok(c: u8) -> bool {
    c.is_ascii_digit() || (c.is_ascii_uppercase() && !matches!(c, b'O' | b'I' | b'Z'))
}

impl ImporterNumber {
    /// Parses any accepted spelling. Dashes are significant only to tell an SSN (3-2-4) from an
    /// EIN with a blank suffix (2-7), which have the same nine digits.
    pub fn parse(input: &str) -> Result<Self, ImporterNumberError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ImporterNumberError::Empty);
        }
        let upper = trimmed.to_ascii_uppercase();
        let groups: Vec<&str> = upper.split('-').collect();
        let compact: Vec<u8> = upper.bytes().filter(|b| *b != b'-').collect();
        if compact.iter().any(|b| !b.is_ascii_alphanumeric()) {
            return Err(ImporterNumberError::Shape);
        }
        // Every remaining byte is ASCII alphanumeric, so group lengths add up to `compact`'s.
        let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
        match lens.as_slice() {
            // SSN with dashes.
            [3, 2, 4] => Self::ssn(&compact),
            // CBP-assigned with dash.
            [6, 5] => Self::cbp(&compact),
            // EIN with dashes: 2-7 + suffix in the second group, or a third group for the suffix.
            [2, 7] => Self::ein(&compact[..9], b"00"),
            [2, 9] => Self::ein(&compact[..9], &compact[9..]),
            [2, 7, 2] => Self::ein(&compact[..9], &compact[9..]),
            // No dashes: 11 digits is ambiguous between EIN+suffix and CBP-assigned. A CBP number's
            // digits are all numeric too, so without dashes we read 11 characters as EIN+suffix
            // (the far more common case, and what ACE shows); CBP numbers must keep their dash.
            [11] => Self::ein(&compact[..9], &compact[9..]),
            [9] => Self::ein(&compact[..9], b"00"),
            _ => Err(ImporterNumberError::Shape),
        }
    }

    fn digits<const N: usize>(s: &[u8]) -> Option<[u8; N]> {
        if s.len() != N || !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        Some(out)
    }

    fn ein(ein: &[u8], suffix: &[u8]) -> Result<Self, ImporterNumberError> {
        let ein = Self::digits::<9>(ein).ok_or(ImporterNumberError::Invalid("IRS number"))?;
        if suffix.len() != 2 || !suffix.iter().all(|c| suffix_char_ok(*c)) {
            return Err(ImporterNumberError::Suffix);
        }
        // IRS never issues prefix 00 employer numbers.
        if &ein[..2] == b"00" {
            return Err(ImporterNumberError::Invalid("IRS number"));
        }
        Ok(Self::Ein { ein, suffix: [suffix[0], suffix[1]] })
    }

    fn ssn(s: &[u8]) -> Result<Self, ImporterNumberError> {
        let d = Self::digits::<9>(s).ok_or(ImporterNumberError::Invalid("social security number"))?;
        // SSA never issues area 000, 666 or 9xx, group 00 or serial 0000.
        let bad = &d[..3] == b"000" || &d[..3] == b"666" || d[0] == b'9' || &d[3..5] == b"00" || &d[5..] == b"0000";
        if bad {
            return Err(ImporterNumberError::Invalid("social security number"));
        }
        Ok(Self::Ssn(d))
    }

    fn cbp(s: &[u8]) -> Result<Self, ImporterNumberError> {
        let d = Self::digits::<11>(s).ok_or(ImporterNumberError::Invalid("CBP-assigned number"))?;
        Ok(Self::CbpAssigned(d))
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Ein { .. } => "ein",
            Self::Ssn(_) => "ssn",
            Self::CbpAssigned(_) => "cbp",
        }
    }

    pub fn is_personal(&self) -> bool {
        matches!(self, Self::Ssn(_))
    }

    /// The canonical form, unmasked. Use it for storage and lookups only; show `masked()`.
    pub fn canonical(&self) -> String {
        let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        match self {
            Self::Ein { ein, suffix } => format!("{}-{}{}", s(&ein[..2]), s(&ein[2..]), s(suffix)),
            Self::Ssn(d) => format!("{}-{}-{}", s(&d[..3]), s(&d[3..5]), s(&d[5..])),
            Self::CbpAssigned(d) => format!("{}-{}", s(&d[..6]), s(&d[6..])),
        }
    }

    /// What may be shown on screen and written to logs: SSNs keep only their last four digits.
    pub fn masked(&self) -> String {
        match self {
            Self::Ssn(d) => format!("***-**-{}", String::from_utf8_lossy(&d[5..])),
            _ => self.canonical(),
        }
    }
}

/// Display is the masked form so that `{}` in a log line can never leak an SSN.
impl fmt::Display for ImporterNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for ImporterNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ImporterNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ein_forms_normalise() {
        for input in ["12-345678900", "12-3456789-00", " 123456789 ", "12-3456789", "12345678900"] {
            assert_eq!(ImporterNumber::parse(input).unwrap().canonical(), "12-345678900", "{input}");
        }
        assert_eq!(ImporterNumber::parse("12-3456789a1").unwrap().canonical(), "12-3456789A1");
    }

    #[test]
    fn suffix_rejects_o_i_z() {
        for s in ["12-3456789O1", "12-3456789I1", "12-3456789AZ"] {
            assert_eq!(ImporterNumber::parse(s), Err(ImporterNumberError::Suffix), "{s}");
        }
    }

    #[test]
    fn ssn_is_masked_everywhere() {
        let n = ImporterNumber::parse("123-45-6789").unwrap();
        assert_eq!(n.canonical(), "123-45-6789");
        assert_eq!(n.to_string(), "***-**-6789");
        assert_eq!(format!("{n:?}"), "ImporterNumber(***-**-6789)");
        assert!(ImporterNumber::parse("000-45-6789").is_err());
        assert!(ImporterNumber::parse("666-45-6789").is_err());
        assert!(ImporterNumber::parse("123-00-6789").is_err());
    }

    #[test]
    fn cbp_assigned() {
        let n = ImporterNumber::parse("250412-00017").unwrap();
        assert_eq!(n.kind(), "cbp");
        assert_eq!(n.canonical(), "250412-00017");
    }

    #[test]
    fn malformed_is_refused_without_echo() {
        for bad in [
            "",
            "abc",
            "maria alv",
            "12 3456789",
            " 12-3456789 00",
            "12-34",
            "12-3456789-0",
            "123-45-678",
            "12_3456789",
            "1234567890123",
        ] {
            let err = ImporterNumber::parse(bad).unwrap_err();
            assert!(!err.message().contains(bad) || bad.is_empty(), "{bad}");
        }
    }

    fn suffix_char() -> impl Strategy<Value = char> {
        prop::sample::select("0123456789ABCDEFGHJKLMNPQRSTUVWXY".chars().collect::<Vec<_>>())
    }

    proptest! {
        #[test]
        fn ein_round_trip(prefix in 10u32..100, body in 0u32..10_000_000, a in suffix_char(), b in suffix_char()) {
            let text = format!("{prefix:02}-{body:07}{a}{b}");
            let n = ImporterNumber::parse(&text).unwrap();
            prop_assert_eq!(n.canonical(), text.clone());
            prop_assert_eq!(ImporterNumber::parse(&n.canonical()).unwrap(), n.clone());
            prop_assert_eq!(ImporterNumber::parse(&text.replace('-', "")).unwrap(), n);
        }

        #[test]
        fn ssn_round_trip(area in 1u32..666, group in 1u32..100, serial in 1u32..10000) {
            let text = format!("{area:03}-{group:02}-{serial:04}");
            let n = ImporterNumber::parse(&text).unwrap();
            prop_assert_eq!(n.canonical(), text);
            prop_assert_eq!(n.masked(), format!("***-**-{serial:04}"));
        }

        #[test]
        fn cbp_round_trip(a in 0u32..1_000_000, b in 0u32..100_000) {
            let text = format!("{a:06}-{b:05}");
            let n = ImporterNumber::parse(&text).unwrap();
            prop_assert_eq!(n.canonical(), text);
        }

        #[test]
        fn never_panics(s in "[0-9A-Za-z -]{0,16}|\\PC{0,20}") {
            let _ = ImporterNumber::parse(&s);
        }
    }
}

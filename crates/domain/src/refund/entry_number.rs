//! Entry summary numbers, `FFF-NNNNNNN-C`: the 3-character entry filer code CBP assigns, the
//! 7-digit transaction number the filer assigns, and a check digit.
//!
//! The check digit is CBP's (CATAIR Appendix E "Valid Entry Numbers"; the worked formula is in the
//! ACE CATAIR Entry Summary chapter; docs/refunds.md cites both): a modulus-10 check over the ten
//! characters of the filer code and transaction number, after letters of the filer code are turned
//! into digits (A-I = 1-9, J-R = 1-9, S-Z = 2-9). Counting from the left, the digits in even
//! positions are doubled and the digits of the products added (14 counts as 1 + 4); the digits in
//! odd positions are added as they are; the check digit is what brings the total to a multiple
//! of 10. Entry numbers from court records (`614-0000275-6`, `564-0000049-5`) pass.
//!
//! Input is accepted with both dashes or none, in either case, with surrounding spaces; the
//! canonical form (Display, serde) has the dashes and capital letters.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An entry summary number whose check digit is right.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryNumber {
    /// Filer code (3 ASCII capital letters or digits), transaction number (7 ASCII digits) and
    /// check digit (1 ASCII digit).
    chars: [u8; 11],
}

/// Why an entry number was refused. Messages say what to fix; none repeats the input or reveals
/// the expected check digit (which would let a typo be "fixed" into another entry's number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EntryNumberError {
    /// Nothing but whitespace.
    #[error("enter the entry number (FFF-NNNNNNN-C, as in box 1 of the entry summary)")]
    Empty,
    /// Not 11 characters once dashes are removed, or dashes in other places.
    #[error(
        "an entry number is a 3-character filer code, a 7-digit number and a check digit: FFF-NNNNNNN-C (the dashes may be left out)"
    )]
    Shape,
    /// The filer code has something other than letters and digits, or is `000` (never assigned).
    #[error("the filer code (the first 3 characters) is letters and digits, and never 000")]
    FilerCode,
    /// The 7 characters after the filer code or the check digit are not all digits.
    #[error("after the 3-character filer code come 7 digits and a 1-digit check digit")]
    Digits,
    /// The check digit does not match.
    #[error("this entry number is mistyped (its check digit does not match); copy it again from the entry summary")]
    CheckDigit,
}

/// The digit CBP gives a letter of a filer code (A-I = 1-9, J-R = 1-9, S-Z = 2-9), or a digit's
/// own value. `None` for anything else.
fn char_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'I' => Some(u32::from(c - b'A') + 1),
        b'J'..=b'R' => Some(u32::from(c - b'J') + 1),
        b'S'..=b'Z' => Some(u32::from(c - b'S') + 2),
        _ => None,
    }
}

/// The check digit of ten characters (filer code then transaction number), or `None` when one of
/// them is not a capital letter or digit.
fn check_digit_of(base: &[u8; 10]) -> Option<u8> {
    let mut sum = 0u32;
    for (i, c) in base.iter().enumerate() {
        let v = char_value(*c)?;
        // Positions 2, 4, ..., 10 counting from 1 on the left: double and add the product's digits.
        sum += if i % 2 == 1 { (2 * v) / 10 + (2 * v) % 10 } else { v };
    }
    // The sum is at most 10 * 9 = 90, so the digit fits a u8.
    Some(((10 - sum % 10) % 10) as u8)
}

impl EntryNumber {
    /// Parses an entry number (see the module documentation for what is accepted). Checks run in
    /// the order of the most useful message: shape, filer code, digits, check digit.
    pub fn parse(input: &str) -> Result<Self, EntryNumberError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(EntryNumberError::Empty);
        }
        let b = s.as_bytes();
        let compact: Vec<u8> = match b.len() {
            11 if !b.contains(&b'-') => b.to_vec(),
            13 if b[3] == b'-' && b[11] == b'-' => b.iter().copied().filter(|c| *c != b'-').collect(),
            _ => return Err(EntryNumberError::Shape),
        };
        let chars: [u8; 11] = match compact.try_into() {
            Ok(c) => c,
            Err(_) => return Err(EntryNumberError::Shape),
        };
        let chars = chars.map(|c| c.to_ascii_uppercase());
        if !chars[..3].iter().all(u8::is_ascii_alphanumeric) || &chars[..3] == b"000" {
            return Err(EntryNumberError::FilerCode);
        }
        if !chars[3..].iter().all(u8::is_ascii_digit) {
            return Err(EntryNumberError::Digits);
        }
        let mut base = [0u8; 10];
        base.copy_from_slice(&chars[..10]);
        match check_digit_of(&base) {
            Some(d) if d == chars[10] - b'0' => Ok(Self { chars }),
            _ => Err(EntryNumberError::CheckDigit),
        }
    }

    /// Builds the entry number for a filer code and a 7-digit transaction number, computing the
    /// check digit (for test data and for filers numbering their own entries).
    pub fn from_parts(filer_code: &str, transaction: &str) -> Result<Self, EntryNumberError> {
        let f = filer_code.trim().as_bytes();
        let t = transaction.trim().as_bytes();
        let filer: [u8; 3] = f.try_into().map_err(|_| EntryNumberError::FilerCode)?;
        let filer = filer.map(|c| c.to_ascii_uppercase());
        if !filer.iter().all(u8::is_ascii_alphanumeric) || &filer == b"000" {
            return Err(EntryNumberError::FilerCode);
        }
        let t: [u8; 7] = t.try_into().map_err(|_| EntryNumberError::Digits)?;
        if !t.iter().all(u8::is_ascii_digit) {
            return Err(EntryNumberError::Digits);
        }
        let mut base = [0u8; 10];
        base[..3].copy_from_slice(&filer);
        base[3..].copy_from_slice(&t);
        let check = check_digit_of(&base).ok_or(EntryNumberError::FilerCode)?;
        let mut chars = [0u8; 11];
        chars[..10].copy_from_slice(&base);
        chars[10] = b'0' + check;
        Ok(Self { chars })
    }

    fn part(&self, range: std::ops::Range<usize>) -> &str {
        // Only ASCII letters and digits are ever stored, so this cannot fail.
        std::str::from_utf8(&self.chars[range]).unwrap_or_default()
    }

    /// The 3-character entry filer code (the broker or importer that filed the entry).
    pub fn filer_code(&self) -> &str {
        self.part(0..3)
    }

    /// The 7-digit transaction number the filer assigned.
    pub fn transaction(&self) -> &str {
        self.part(3..10)
    }

    /// The check digit, 0-9.
    pub fn check_digit(&self) -> u8 {
        self.chars[10] - b'0'
    }

    /// The 11 characters without dashes (`ABC12345676`), as some CBP files and CSVs carry it.
    pub fn compact(&self) -> &str {
        self.part(0..11)
    }
}

impl FromStr for EntryNumber {
    type Err = EntryNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// `ABC-1234567-6`. Entry numbers are not personal data, so nothing is masked.
impl fmt::Display for EntryNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", self.filer_code(), self.transaction(), self.check_digit())
    }
}

impl fmt::Debug for EntryNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EntryNumber({self})")
    }
}

impl Serialize for EntryNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Deserializing runs [`EntryNumber::parse`], check digit included.
impl<'de> Deserialize<'de> for EntryNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Entry numbers printed in public court opinions: Hartog Foods International v. United States,
    /// CIT Slip Op. 00-171 (drawback entries), and Novacor Chemicals v. United States (CIT).
    const FROM_COURT_RECORDS: [&str; 6] =
        ["614-0000275-6", "614-0000287-1", "564-0000049-5", "564-0000262-4", "564-0000264-0", "564-0000265-7"];

    #[test]
    fn real_entry_numbers_pass() {
        for e in FROM_COURT_RECORDS {
            let n = EntryNumber::parse(e).unwrap();
            assert_eq!(n.to_string(), e);
        }
    }

    #[test]
    fn letters_in_the_filer_code() {
        // A,B,C -> 1,2,3; digits 1 2 3 1 2 3 4 5 6 7; doubled even positions 2,1,3,5,7 -> 4,2,6,1+0,1+4
        // = 18; odd positions 1+3+2+4+6 = 16; total 34 -> check digit 6.
        let n = EntryNumber::from_parts("ABC", "1234567").unwrap();
        assert_eq!(n.to_string(), "ABC-1234567-6");
        assert_eq!(n.filer_code(), "ABC");
        assert_eq!(n.transaction(), "1234567");
        assert_eq!(n.check_digit(), 6);
        assert_eq!(n.compact(), "ABC12345676");
        // J and S start the second and third letter runs: J=1, S=2, Z=9.
        assert_eq!(char_value(b'J'), Some(1));
        assert_eq!(char_value(b'R'), Some(9));
        assert_eq!(char_value(b'S'), Some(2));
        assert_eq!(char_value(b'Z'), Some(9));
        assert_eq!(char_value(b'-'), None);
        assert_eq!(EntryNumber::from_parts("999", "9999999").unwrap().check_digit(), 0);
    }

    #[test]
    fn accepted_spellings() {
        for s in ["ABC-1234567-6", "abc-1234567-6", "ABC12345676", " abc12345676 "] {
            assert_eq!(EntryNumber::parse(s).unwrap().to_string(), "ABC-1234567-6", "{s:?}");
        }
    }

    #[test]
    fn refusals() {
        use EntryNumberError::*;
        let cases = [
            ("", Empty),
            ("ABC-1234567", Shape),
            ("ABC-123456-76", Shape),
            ("AB-C1234567-6", Shape),
            ("ABC 1234567 6", Shape),
            ("ABC-1234567-66", Shape),
            ("A#C-1234567-6", FilerCode),
            ("000-1234567-0", FilerCode),
            ("ABC-12345A7-6", Digits),
            ("ABC-1234567-X", Digits),
            ("ABC-1234567-5", CheckDigit),
            ("614-0000275-7", CheckDigit),
            ("ÀBC-1234567-6", Shape),
        ];
        for (input, err) in cases {
            assert_eq!(EntryNumber::parse(input), Err(err), "{input:?}");
        }
        assert_eq!(EntryNumber::from_parts("AB", "1234567"), Err(FilerCode));
        assert_eq!(EntryNumber::from_parts("ABC", "123456"), Err(Digits));
    }

    #[test]
    fn serde_is_the_dashed_form() {
        let n = EntryNumber::parse("abc12345676").unwrap();
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"ABC-1234567-6\"");
        assert_eq!(serde_json::from_str::<EntryNumber>("\"ABC12345676\"").unwrap(), n);
        assert!(serde_json::from_str::<EntryNumber>("\"ABC-1234567-5\"").is_err());
    }

    proptest! {
        #[test]
        fn built_numbers_parse_back(filer in "[A-Z0-9]{3}", t in "[0-9]{7}") {
            prop_assume!(filer != "000");
            let n = EntryNumber::from_parts(&filer, &t).unwrap();
            prop_assert_eq!(EntryNumber::parse(&n.to_string()), Ok(n));
            prop_assert_eq!(EntryNumber::parse(n.compact()), Ok(n));
        }

        /// The point of a check digit: any single changed digit in the transaction number is caught.
        #[test]
        fn one_wrong_digit_is_caught(filer in "[A-Z0-9]{3}", t in "[0-9]{7}", pos in 0usize..7, delta in 1u8..10) {
            prop_assume!(filer != "000");
            let n = EntryNumber::from_parts(&filer, &t).unwrap();
            let mut s = n.compact().as_bytes().to_vec();
            s[3 + pos] = b'0' + (s[3 + pos] - b'0' + delta) % 10;
            let typo = String::from_utf8(s).unwrap();
            prop_assert_eq!(EntryNumber::parse(&typo), Err(EntryNumberError::CheckDigit));
        }

        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = EntryNumber::parse(&s);
        }
    }
}

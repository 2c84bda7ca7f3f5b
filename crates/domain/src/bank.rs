//! Bank details of an ACH refund enrollment: the routing number, the account number and its type,
//! and the comparison of the account holder's name with the importer's name.
//!
//! These are the values a fraudster changes to redirect refunds, so the account number is treated as
//! a secret: it prints masked everywhere and can be read in full only through a method whose name
//! makes every such read stand out in review.

#![warn(missing_docs)]

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A U.S. bank routing number (ABA routing transit number) whose check digit is right.
///
/// Accepted input: exactly nine ASCII digits once surrounding whitespace is trimmed. Nothing else is
/// accepted, not even spaces or dashes between the digits: checks and bank statements print a routing
/// number as one unbroken group, so anything inside it is more likely a bad paste (an account number
/// run in, a stray character) than grouping, and asking for a clean copy costs the user little.
///
/// Beyond the check digit, the first two digits must fall in the ranges the ABA assigns (01-12,
/// 21-32, 61-72, 80). Prefix 00 (U.S. government use) is refused: no importer's deposit account has
/// it, and it makes `000000000`, which passes the check digit and means "none" in the FedACH
/// directory, invalid.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoutingNumber([u8; 9]);

/// Why a routing number was refused. Messages say what to fix and never repeat the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RoutingNumberError {
    /// Nothing but whitespace was given.
    #[error("enter the bank's 9-digit routing number")]
    Empty,
    /// Something other than the digits 0-9 is in the number.
    #[error("a routing number has only digits; remove spaces, dashes and any other characters")]
    NotDigits,
    /// Only digits, but not nine of them. Holds how many were typed.
    #[error("a routing number has 9 digits; you typed {0}")]
    Length(usize),
    /// Nine digits whose 3-7-1 check digit does not add up.
    #[error(
        "this routing number is mistyped (its check digit does not match); copy it again from a check or your bank"
    )]
    CheckDigit,
    /// The check digit is right but no U.S. bank has a number starting this way.
    #[error(
        "this is not a U.S. bank routing number (those begin with 01-12, 21-32, 61-72 or 80); copy it again from a check or your bank"
    )]
    Prefix,
}

/// The ABA checksum: 3*(d1+d4+d7) + 7*(d2+d5+d8) + (d3+d6+d9) must be a multiple of 10.
fn aba_checksum_ok(d: &[u8; 9]) -> bool {
    let v = |i: usize| u32::from(d[i] - b'0');
    let sum = 3 * (v(0) + v(3) + v(6)) + 7 * (v(1) + v(4) + v(7)) + (v(2) + v(5) + v(8));
    sum % 10 == 0
}

fn prefix_assigned(d: &[u8; 9]) -> bool {
    let p = (d[0] - b'0') * 10 + (d[1] - b'0');
    matches!(p, 1..=12 | 21..=32 | 61..=72 | 80)
}

impl RoutingNumber {
    /// Parses a routing number typed by a person or read from a file (see the type's documentation
    /// for what is accepted). Checks run in the order of the most useful message: characters, then
    /// length, then the check digit, then the prefix.
    pub fn parse(input: &str) -> Result<Self, RoutingNumberError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(RoutingNumberError::Empty);
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RoutingNumberError::NotDigits);
        }
        let digits: [u8; 9] = s.as_bytes().try_into().map_err(|_| RoutingNumberError::Length(s.len()))?;
        if !aba_checksum_ok(&digits) {
            return Err(RoutingNumberError::CheckDigit);
        }
        if !prefix_assigned(&digits) {
            return Err(RoutingNumberError::Prefix);
        }
        Ok(Self(digits))
    }

    /// The nine digits. Routing numbers identify banks, not people, so they need no masking.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored, so this cannot fail.
        std::str::from_utf8(&self.0).expect("routing numbers hold ASCII digits")
    }
}

impl FromStr for RoutingNumber {
    type Err = RoutingNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for RoutingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RoutingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RoutingNumber({})", self.as_str())
    }
}

impl Serialize for RoutingNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Deserializing runs the same checks as [`RoutingNumber::parse`], so no invalid number can enter
/// through JSON or a stored row.
impl<'de> Deserialize<'de> for RoutingNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A U.S. deposit account number: 4 to 17 digits, leading zeros kept (they are part of the number).
///
/// NACHA's DFI account number field is 17 alphanumeric characters, but U.S. checking and savings
/// accounts are numbered with digits, so a letter is far more likely a typo (O for 0, l for 1) than
/// part of the number; it is refused rather than sent to the bank as a return waiting to happen.
/// Spaces and hyphens are the grouping people copy from statements ("1234 5678 90", "123-456-7"),
/// so they are accepted and removed. Anything else is refused.
///
/// The full number is a secret: `Debug` and `Display` print the masked form, there is no `Serialize`,
/// and the only way to read it is [`AccountNumber::expose_for_ach_file`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AccountNumber(String);

/// Why an account number was refused. Messages say what to fix and never repeat the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccountNumberError {
    /// Nothing but whitespace, spaces or hyphens was given.
    #[error("enter the bank account number")]
    Empty,
    /// A letter or another character that is not a digit, space or hyphen.
    #[error(
        "an account number has only digits (spaces and dashes between groups are fine); remove letters and other characters"
    )]
    NotDigits,
    /// Fewer than 4 digits. Holds how many were typed.
    #[error("an account number has at least 4 digits; you typed {0}")]
    TooShort(usize),
    /// More than 17 digits, the most an ACH entry can carry. Holds how many were typed.
    #[error("an account number has at most 17 digits; you typed {0}")]
    TooLong(usize),
}

impl AccountNumber {
    /// The fewest digits accepted (our choice): a shorter number is almost certainly cut short, and
    /// could not be told apart from others when masked to its last four.
    pub const MIN_DIGITS: usize = 4;
    /// The most digits accepted: the width of NACHA's DFI account number field.
    pub const MAX_DIGITS: usize = 17;

    /// Parses an account number as typed (see the type's documentation for what is accepted).
    pub fn parse(input: &str) -> Result<Self, AccountNumberError> {
        let mut digits = String::with_capacity(Self::MAX_DIGITS);
        for c in input.trim().chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' => {}
                _ => return Err(AccountNumberError::NotDigits),
            }
        }
        match digits.len() {
            0 => Err(AccountNumberError::Empty),
            n if n < Self::MIN_DIGITS => Err(AccountNumberError::TooShort(n)),
            n if n > Self::MAX_DIGITS => Err(AccountNumberError::TooLong(n)),
            _ => Ok(Self(digits)),
        }
    }

    /// The last four digits, which people use to recognise their account.
    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }

    /// What screens, logs and history show: four bullets and the last four digits, `••••6789`.
    /// The number of bullets is fixed so the mask does not reveal the length.
    pub fn masked(&self) -> String {
        format!("\u{2022}\u{2022}\u{2022}\u{2022}{}", self.last4())
    }

    /// The full account number. Its only legitimate uses are writing the ACH entry (and prenote),
    /// encrypting it for storage and computing the duplicate-detection index; the long name exists
    /// so that every call is easy to find and question in review.
    pub fn expose_for_ach_file(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Masked, like `Display`: `Debug` output ends up in logs and panic messages.
impl fmt::Debug for AccountNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountNumber({})", self.masked())
    }
}

string_enum!(
    /// The kind of deposit account (the real portal calls the field "Bank Control Key"). It picks
    /// the ACH transaction codes.
    AccountType {
        /// A checking (demand deposit) account.
        Checking = "checking" / "Checking",
        /// A savings account.
        Savings = "savings" / "Savings",
    }
);

impl AccountType {
    /// The NACHA transaction code of a zero-dollar prenote credit to this kind of account:
    /// 23 for checking, 33 for savings.
    pub fn prenote_transaction_code(self) -> u8 {
        match self {
            AccountType::Checking => 23,
            AccountType::Savings => 33,
        }
    }

    /// The NACHA transaction code of a live credit (the refund itself): 22 for checking, 32 for
    /// savings.
    pub fn credit_transaction_code(self) -> u8 {
        match self {
            AccountType::Checking => 22,
            AccountType::Savings => 32,
        }
    }
}

/// Words that say what kind of company a name belongs to, not which company: dropped before names
/// are compared, so "Acme Imports LLC" and "ACME IMPORTS" are the same name. Abbreviations appear
/// without their dots because dots are removed before words are looked up ("L.L.C." is "llc").
const NOT_SIGNIFICANT: &[&str] = &[
    "the",
    "and",
    "dba",
    "inc",
    "incorporated",
    "llc",
    "llp",
    "lp",
    "ltd",
    "limited",
    "corp",
    "corporation",
    "co",
    "cos",
    "company",
    "companies",
    "plc",
    "pllc",
    "pc",
    "gmbh",
    "ag",
    "kg",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "cv",
    "pty",
    "pte",
];

/// Lower case with the accents of common Latin letters removed: bank records are often kept in
/// plain upper-case ASCII (NACHA files are), so "Müller" must meet "MULLER".
fn fold_into(c: char, out: &mut String) {
    for l in c.to_lowercase() {
        let plain = match l {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => "a",
            'ç' | 'ć' | 'č' => "c",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
            'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
            'ý' | 'ÿ' => "y",
            'ś' | 'š' => "s",
            'ź' | 'ż' | 'ž' => "z",
            'ł' => "l",
            'ř' => "r",
            'ß' => "ss",
            'æ' => "ae",
            'œ' => "oe",
            _ => {
                out.push(l);
                continue;
            }
        };
        out.push_str(plain);
    }
}

/// Splits a name into folded words. Dots and apostrophes join rather than split ("L.L.C." is one
/// word, "O'Neil" is "oneil"); every other non-alphanumeric character, "&" included, separates.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in name.chars() {
        match c {
            '.' | '\'' | '\u{2019}' => {}
            c if c.is_alphanumeric() => fold_into(c, &mut cur),
            _ => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether the account holder's name resembles the importer's name on its 5106 record.
///
/// The account should be in the importer's name; a holder name that does not resemble it is a
/// reason to look twice (a redirected refund is the main fraud risk), so this drives a warning and
/// a review, not a refusal: people and banks write company names in many ways.
///
/// Both names are folded (case, accents, punctuation ignored; dots and apostrophes join, "&" and
/// other punctuation separate) and split into words. Words that only name a kind of company
/// (Inc, LLC, Ltd, Corp, Co, Company, GmbH, SA, ...), "the", "and" and "dba" are dropped wherever they
/// appear; if that leaves one side with no words, all words of both sides are compared instead (so
/// "The Limited" still matches itself). The names resemble each other when any of these holds:
/// - the words of one are all among the words of the other ("Acme Imports" / "Acme Imports USA");
/// - the remaining words, written together, are the same text, which allows for words run
///   together or split ("Blue Water Trading Co." / "Bluewater Trading": both are "bluewatertrading");
/// - the word sets overlap by at least 60% (Jaccard index: shared words / all distinct words), which
///   tolerates one differing word in four or five ("Pacific Rim Trading Partners" / "Pacific Rim
///   Trading Group" is 3/5).
///
/// The relation is symmetric. Two names with no words at all never resemble each other.
pub fn holder_resembles(holder: &str, importer_name: &str) -> bool {
    let (all_a, all_b) = (words(holder), words(importer_name));
    let significant = |ws: &[String]| -> Vec<String> {
        ws.iter().filter(|w| !NOT_SIGNIFICANT.contains(&w.as_str())).cloned().collect()
    };
    let (mut a, mut b) = (significant(&all_a), significant(&all_b));
    if a.is_empty() || b.is_empty() {
        (a, b) = (all_a, all_b);
    }
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a.concat() == b.concat() {
        return true;
    }
    let set_a: BTreeSet<&str> = a.iter().map(String::as_str).collect();
    let set_b: BTreeSet<&str> = b.iter().map(String::as_str).collect();
    if set_a.is_subset(&set_b) || set_b.is_subset(&set_a) {
        return true;
    }
    let shared = set_a.intersection(&set_b).count();
    let all = set_a.len() + set_b.len() - shared;
    // shared / all >= 0.6, kept in integers.
    shared * 5 >= all * 3
}

/// The canonical text `routing:account` from which other crates compute a keyed hash (HMAC) to
/// find the same bank account enrolled under several importer numbers without storing or comparing
/// account numbers in the clear.
///
/// The HMAC key is a deployment secret and lives outside `domain` (which does no I/O and holds no
/// secrets); without the key the index cannot be brute-forced over the small space of account
/// numbers. The account type is left out on purpose: the same account entered as checking and as
/// savings is still the same account. The result contains the full account number: hash it at once
/// and never log or store it.
pub fn blind_index_input(routing: &RoutingNumber, account: &AccountNumber) -> String {
    format!("{}:{}", routing.as_str(), account.expose_for_ach_file())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Appends the check digit that makes eight digits a valid routing number.
    fn with_check_digit(first8: &str) -> String {
        let d: Vec<u32> = first8.bytes().map(|b| u32::from(b - b'0')).collect();
        let partial = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5]);
        format!("{first8}{}", (10 - partial % 10) % 10)
    }

    #[test]
    fn routing_accepts_real_numbers() {
        for s in ["011000015", "021000021", "121000248", " 026009593\t", "322271627"] {
            let r = RoutingNumber::parse(s).unwrap();
            assert_eq!(r.as_str(), s.trim());
            assert_eq!(r.to_string(), s.trim());
            assert_eq!(s.parse::<RoutingNumber>().unwrap(), r);
        }
        assert_eq!(format!("{:?}", RoutingNumber::parse("021000021").unwrap()), "RoutingNumber(021000021)");
    }

    #[test]
    fn routing_errors_and_messages() {
        use RoutingNumberError::*;
        let cases: &[(&str, RoutingNumberError, &str)] = &[
            ("", Empty, "enter the bank's 9-digit routing number"),
            ("   ", Empty, "enter the bank's 9-digit routing number"),
            (
                "0210 00021",
                NotDigits,
                "a routing number has only digits; remove spaces, dashes and any other characters",
            ),
            (
                "021-000-021",
                NotDigits,
                "a routing number has only digits; remove spaces, dashes and any other characters",
            ),
            (
                "O21000021",
                NotDigits,
                "a routing number has only digits; remove spaces, dashes and any other characters",
            ),
            (
                "٠٢١٠٠٠٠٢١",
                NotDigits,
                "a routing number has only digits; remove spaces, dashes and any other characters",
            ),
            ("02100002", Length(8), "a routing number has 9 digits; you typed 8"),
            ("0210000211", Length(10), "a routing number has 9 digits; you typed 10"),
            (
                "021000022",
                CheckDigit,
                "this routing number is mistyped (its check digit does not match); copy it again from a check or your bank",
            ),
            (
                "000000000",
                Prefix,
                "this is not a U.S. bank routing number (those begin with 01-12, 21-32, 61-72 or 80); copy it again from a check or your bank",
            ),
        ];
        for (input, err, msg) in cases {
            assert_eq!(RoutingNumber::parse(input), Err(*err), "{input:?}");
            assert_eq!(err.to_string(), *msg);
        }
    }

    #[test]
    fn routing_prefix_ranges() {
        for (prefix, ok) in [("00", false), ("01", true), ("12", true), ("13", false), ("20", false), ("21", true)] {
            let n = with_check_digit(&format!("{prefix}100001"));
            assert_eq!(RoutingNumber::parse(&n).is_ok(), ok, "{n}");
        }
        for (prefix, ok) in [("32", true), ("33", false), ("60", false), ("61", true), ("72", true), ("73", false)] {
            let n = with_check_digit(&format!("{prefix}100001"));
            assert_eq!(RoutingNumber::parse(&n).is_ok(), ok, "{n}");
        }
        for (prefix, ok) in [("79", false), ("80", true), ("81", false), ("99", false)] {
            let n = with_check_digit(&format!("{prefix}100001"));
            assert_eq!(RoutingNumber::parse(&n).is_ok(), ok, "{n}");
        }
    }

    #[test]
    fn routing_serde_is_a_checked_string() {
        let r = RoutingNumber::parse("011000015").unwrap();
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"011000015\"");
        assert_eq!(serde_json::from_str::<RoutingNumber>("\"011000015\"").unwrap(), r);
        let err = serde_json::from_str::<RoutingNumber>("\"011000016\"").unwrap_err();
        assert!(err.to_string().contains("mistyped"), "{err}");
        assert!(serde_json::from_str::<RoutingNumber>("11000015").is_err());
    }

    #[test]
    fn account_accepts_digits_with_grouping() {
        for (input, digits) in [
            ("123456789", "123456789"),
            (" 0001234 ", "0001234"),
            ("1234 5678 9012", "123456789012"),
            ("123-456-7", "1234567"),
            ("12345678901234567", "12345678901234567"),
            ("1234", "1234"),
        ] {
            let a = AccountNumber::parse(input).unwrap();
            assert_eq!(a.expose_for_ach_file(), digits, "{input:?}");
        }
    }

    #[test]
    fn account_errors_and_messages() {
        use AccountNumberError::*;
        let not_digits = "an account number has only digits (spaces and dashes between groups are fine); remove letters and other characters";
        let cases: &[(&str, AccountNumberError, &str)] = &[
            ("", Empty, "enter the bank account number"),
            (" - - ", Empty, "enter the bank account number"),
            ("12345O789", NotDigits, not_digits),
            ("ABC123456", NotDigits, not_digits),
            ("1234.5678", NotDigits, not_digits),
            ("1234_5678", NotDigits, not_digits),
            ("1234\t5678", NotDigits, not_digits),
            ("123", TooShort(3), "an account number has at least 4 digits; you typed 3"),
            ("1-2-3", TooShort(3), "an account number has at least 4 digits; you typed 3"),
            ("123456789012345678", TooLong(18), "an account number has at most 17 digits; you typed 18"),
        ];
        for (input, err, msg) in cases {
            assert_eq!(AccountNumber::parse(input), Err(*err), "{input:?}");
            assert_eq!(err.to_string(), *msg);
        }
    }

    #[test]
    fn account_never_prints_in_full() {
        let a = AccountNumber::parse("000123456789").unwrap();
        assert_eq!(a.last4(), "6789");
        assert_eq!(a.masked(), "••••6789");
        assert_eq!(a.to_string(), "••••6789");
        assert_eq!(format!("{a:?}"), "AccountNumber(••••6789)");
        assert_eq!(format!("{a:#?}"), "AccountNumber(••••6789)");
        let shortest = AccountNumber::parse("1234").unwrap();
        assert_eq!(shortest.masked(), "••••1234");
        // Inside other structures too, as a derived Debug would show it.
        let pair = (RoutingNumber::parse("021000021").unwrap(), a.clone());
        let shown = format!("{pair:?} {pair:#?} {}", a);
        assert!(!shown.contains("000123456789") && !shown.contains("123456789"), "{shown}");
    }

    #[test]
    fn account_types_and_codes() {
        assert_eq!(AccountType::Checking.code(), "checking");
        assert_eq!(AccountType::Savings.label(), "Savings");
        assert_eq!(AccountType::from_code(" SAVINGS "), Some(AccountType::Savings));
        assert_eq!(AccountType::from_code("money market"), None);
        assert_eq!(AccountType::Checking.prenote_transaction_code(), 23);
        assert_eq!(AccountType::Savings.prenote_transaction_code(), 33);
        assert_eq!(AccountType::Checking.credit_transaction_code(), 22);
        assert_eq!(AccountType::Savings.credit_transaction_code(), 32);
    }

    #[test]
    fn holder_names() {
        let cases: &[(&str, &str, bool)] = &[
            ("Acme Imports LLC", "ACME IMPORTS", true),
            ("ACME IMPORTS, INC.", "Acme Imports Incorporated", true),
            ("Acme Imports L.L.C.", "acme imports", true),
            ("The Acme Company", "ACME CO", true),
            ("Smith & Jones Trading", "Smith and Jones Trading Ltd", true),
            ("Blue Water Trading Co.", "Bluewater Trading", true),
            ("O'Neil Foods", "ONEIL FOODS INC", true),
            ("Müller Maschinenbau GmbH", "MULLER MASCHINENBAU", true),
            ("Acme Imports", "Acme Imports USA Corp", true),
            ("Pacific Rim Trading Partners", "Pacific Rim Trading Group", true),
            ("Smith, Robert", "Robert Smith", true),
            ("The Limited", "THE LIMITED", true),
            ("Acme Imports", "Bob Smith", false),
            ("Acme Global Imports", "Acme Global Exports", false),
            ("Pacific Rim Trading Partners", "Atlantic Rim Shipping Group", false),
            ("Acme Imports LLC", "Apex Imports LLC", false),
            ("LLC", "Inc", false),
            ("", "Acme", false),
            ("...", "!!!", false),
        ];
        for (a, b, expected) in cases {
            assert_eq!(holder_resembles(a, b), *expected, "{a:?} vs {b:?}");
            assert_eq!(holder_resembles(b, a), *expected, "{b:?} vs {a:?}");
        }
    }

    #[test]
    fn blind_index_text() {
        let r = RoutingNumber::parse("021000021").unwrap();
        let a = AccountNumber::parse("0001-2345-6789").unwrap();
        assert_eq!(blind_index_input(&r, &a), "021000021:000123456789");
        // The same account typed with other grouping gives the same input.
        assert_eq!(blind_index_input(&r, &AccountNumber::parse("000123456789").unwrap()), "021000021:000123456789");
    }

    proptest! {
        #[test]
        fn routing_check_digit_is_the_only_valid_last_digit(first8 in "(0[1-9]|1[0-2]|2[1-9]|3[0-2]|6[1-9]|7[0-2]|80)[0-9]{6}") {
            let good = with_check_digit(&first8);
            prop_assert!(RoutingNumber::parse(&good).is_ok());
            for last in 0..10u8 {
                let candidate = format!("{first8}{last}");
                if candidate != good {
                    prop_assert_eq!(RoutingNumber::parse(&candidate), Err(RoutingNumberError::CheckDigit));
                }
            }
        }

        #[test]
        fn account_round_trips_and_masks(digits in "[0-9]{4,17}") {
            let a = AccountNumber::parse(&digits).unwrap();
            prop_assert_eq!(a.expose_for_ach_file(), digits.as_str());
            let shown = format!("{a} {a:?}");
            // A 4-digit number is its own last four: the mask cannot hide it, only longer ones.
            if digits.len() > 4 {
                prop_assert!(!shown.contains(&digits));
            }
            prop_assert!(shown.contains(&digits[digits.len() - 4..]));
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,24}") {
            let _ = RoutingNumber::parse(&s);
            let _ = AccountNumber::parse(&s);
        }

        #[test]
        fn resemblance_is_symmetric_and_reflexive(a in "[A-Za-z&,. ]{0,30}", b in "[A-Za-z&,. ]{0,30}") {
            prop_assert_eq!(holder_resembles(&a, &b), holder_resembles(&b, &a));
            if a.chars().any(char::is_alphanumeric) {
                prop_assert!(holder_resembles(&a, &a));
            }
        }
    }
}

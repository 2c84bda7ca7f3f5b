//! Amounts of money in whole cents. No floating point anywhere: a refund is an integer number of
//! cents from the moment it is read to the moment it is paid.
//!
//! # Reading an amount
//! [`Cents::parse_dollars`] reads dollars and cents as CBP reports and spreadsheets write them:
//! digits, a decimal point, then one or two digits of cents (`1234.56`, `1234.5` = $1,234.50,
//! `0.07`). Surrounding spaces are ignored. Everything else is refused with a message that says what
//! to change:
//! - a **decimal point is required**: `1234` could be dollars or a count of cents (some systems export
//!   cents), and reading the wrong one is a factor of 100 in a payment;
//! - one digit after the point is accepted because spreadsheets drop a trailing zero (`1234.5`);
//!   more than two is refused (round to the cent first; we never round a payment silently);
//! - no sign (`-`, `+`): refunds, interest and payments are never negative; a reversal is a status,
//!   not a negative amount;
//! - no thousands separators (`,`, `'`, spaces, `_`), no `$`, no exponent (`1.5E3`), no `NaN` or
//!   `inf`: each is reported by name;
//! - at most $10,000,000,000.00 ([`Cents::MAX_AMOUNT`]), far above any single refund, so that a
//!   pasted account number or a run-together column is caught.
//!
//! # Arithmetic
//! Sums and differences are checked (`checked_add`, `checked_sub`, [`Cents::checked_sum`]) and give
//! `None` on `i64` overflow. The $10 billion cap applies to one parsed amount only: totals (a day's
//! CAPE refunds reach billions) may exceed it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An amount of money in cents (`Cents(123456)` is $1,234.56).
///
/// Serialized as the integer number of cents, the only exact form in JSON.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cents(i64);

/// Why an amount was refused. Each message says what to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Nothing but whitespace.
    #[error("enter an amount in dollars and cents, e.g. 1234.56")]
    Empty,
    /// A leading or trailing `-` or `+`.
    #[error("remove the sign: amounts are written without + or - (they are never negative)")]
    Sign,
    /// A `$` (or another currency sign).
    #[error("remove the $ sign: write the amount as 1234.56")]
    CurrencySign,
    /// A comma before the cents (`12,50`), as some locales write it.
    #[error("use a decimal point before the cents, not a comma: 12.50, not 12,50")]
    DecimalComma,
    /// Thousands separators: commas, apostrophes, underscores or spaces inside the number.
    #[error("remove the thousands separators (commas, spaces, apostrophes): write 1234567.89, not 1,234,567.89")]
    Grouping,
    /// Scientific notation such as `1.5E3`.
    #[error("write the amount in full without an exponent (1.5E3 is 1500.00)")]
    Exponent,
    /// No decimal point: `1234` could be dollars or cents.
    #[error("write the cents after a decimal point, e.g. 1234.00 (a whole number could be a count of cents)")]
    MissingCents,
    /// More than two digits after the point.
    #[error("an amount has at most two digits after the decimal point; round it to the cent")]
    TooManyDecimals,
    /// Anything else that is not digits, one point and one or two digits (including `NaN`, `inf`,
    /// `.50` and `12.`).
    #[error("an amount is digits, a decimal point and one or two digits of cents, e.g. 1234.56 or 0.50")]
    NotANumber,
    /// Above [`Cents::MAX_AMOUNT`].
    #[error("an amount cannot exceed $10,000,000,000.00; check the figure (was a column run together?)")]
    TooLarge,
}

impl Cents {
    /// Zero dollars.
    pub const ZERO: Cents = Cents(0);
    /// The largest amount [`Cents::parse_dollars`] accepts: $10,000,000,000.00.
    pub const MAX_AMOUNT: Cents = Cents(1_000_000_000_000);

    /// An amount of `cents` cents. Any `i64` is representable (differences may be negative);
    /// only parsing is limited.
    pub const fn new(cents: i64) -> Self {
        Cents(cents)
    }

    /// The number of cents.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// Whether this is $0.00.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Whether this is below zero (only a difference can be).
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Reads dollars and cents (see the module documentation for what is accepted and why).
    pub fn parse_dollars(input: &str) -> Result<Cents, MoneyError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        if s.starts_with(['-', '+', '\u{2212}']) || s.ends_with(['-', '+']) {
            return Err(MoneyError::Sign);
        }
        if s.contains(['$', '\u{20ac}', '\u{a3}']) || s.to_ascii_uppercase().contains("USD") {
            return Err(MoneyError::CurrencySign);
        }
        let bytes = s.as_bytes();
        if let Some((_, cents)) = s.rsplit_once(',')
            && !s.contains('.')
            && (1..=2).contains(&cents.len())
            && cents.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(MoneyError::DecimalComma);
        }
        let is_digit_at = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
        // A separator between two digits is grouping; anywhere else it is just a stray character.
        let grouped = bytes
            .iter()
            .enumerate()
            .any(|(i, b)| matches!(b, b',' | b'\'' | b'_' | b' ') && i > 0 && is_digit_at(i - 1) && is_digit_at(i + 1));
        if grouped {
            return Err(MoneyError::Grouping);
        }
        if bytes.iter().any(|b| matches!(b, b'e' | b'E'))
            && bytes.iter().all(|b| b.is_ascii_digit() || b".eE".contains(b))
        {
            return Err(MoneyError::Exponent);
        }
        if !bytes.iter().all(|b| b.is_ascii_digit() || *b == b'.') {
            return Err(MoneyError::NotANumber);
        }
        let Some((whole, frac)) = s.split_once('.') else {
            return Err(MoneyError::MissingCents);
        };
        if whole.is_empty() || frac.is_empty() || frac.contains('.') {
            return Err(MoneyError::NotANumber);
        }
        if frac.len() > 2 {
            return Err(MoneyError::TooManyDecimals);
        }
        // Leading zeros are harmless; skip them so that the length check below is about magnitude.
        let whole = whole.trim_start_matches('0');
        // $10,000,000,000 has 11 digits; anything longer is too large (and could overflow).
        if whole.len() > 11 {
            return Err(MoneyError::TooLarge);
        }
        let digits = |t: &str| t.bytes().fold(0i64, |acc, b| acc * 10 + i64::from(b - b'0'));
        let cents = digits(whole) * 100 + if frac.len() == 1 { digits(frac) * 10 } else { digits(frac) };
        if cents > Self::MAX_AMOUNT.0 {
            return Err(MoneyError::TooLarge);
        }
        Ok(Cents(cents))
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Cents) -> Option<Cents> {
        self.0.checked_add(other.0).map(Cents)
    }

    /// `self - other`, or `None` on overflow. The result may be negative.
    pub fn checked_sub(self, other: Cents) -> Option<Cents> {
        self.0.checked_sub(other.0).map(Cents)
    }

    /// The sum of `amounts`, or `None` on overflow. The sum of nothing is zero.
    pub fn checked_sum(amounts: impl IntoIterator<Item = Cents>) -> Option<Cents> {
        amounts.into_iter().try_fold(Cents::ZERO, Cents::checked_add)
    }

    /// The machine form, `1234.56` (no `$`, no separators, `-` before a negative difference): what
    /// [`Cents::parse_dollars`] reads back for any amount it accepts. For CSV files.
    pub fn plain(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// `$1,234.56`; a negative difference shows as `-$1,234.56`.
impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.0.unsigned_abs();
        let dollars = (abs / 100).to_string();
        let mut grouped = String::with_capacity(dollars.len() + dollars.len() / 3);
        for (i, c) in dollars.chars().enumerate() {
            if i > 0 && (dollars.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}${grouped}.{:02}", abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_dollars_and_cents() {
        let cases = [
            ("1234.56", 123_456),
            (" 1234.56 ", 123_456),
            ("1234.5", 123_450),
            ("0.07", 7),
            ("0.00", 0),
            ("007.10", 710),
            ("10000000000.00", 1_000_000_000_000),
        ];
        for (input, cents) in cases {
            assert_eq!(Cents::parse_dollars(input), Ok(Cents::new(cents)), "{input:?}");
        }
    }

    #[test]
    fn refuses_with_the_reason() {
        use MoneyError::*;
        let cases = [
            ("", Empty),
            ("   ", Empty),
            ("-5.00", Sign),
            ("+5.00", Sign),
            ("5.00-", Sign),
            ("\u{2212}5.00", Sign),
            ("$5.00", CurrencySign),
            ("5.00 USD", CurrencySign),
            ("1,234.56", Grouping),
            ("1 234.56", Grouping),
            ("1'234.56", Grouping),
            ("1_234.56", Grouping),
            ("1.5E3", Exponent),
            ("1e5", Exponent),
            ("1234", MissingCents),
            ("1234.567", TooManyDecimals),
            ("NaN", NotANumber),
            ("inf", NotANumber),
            ("12.", NotANumber),
            (".50", NotANumber),
            ("1.2.3", NotANumber),
            ("12,50", DecimalComma),
            ("1.234,5", Grouping),
            ("1,234", Grouping),
            ("12a.00", NotANumber),
            ("10000000000.01", TooLarge),
            ("99999999999999999999999.00", TooLarge),
        ];
        for (input, err) in cases {
            assert_eq!(Cents::parse_dollars(input), Err(err), "{input:?}");
        }
    }

    #[test]
    fn messages_say_what_to_fix() {
        assert_eq!(
            MoneyError::MissingCents.to_string(),
            "write the cents after a decimal point, e.g. 1234.00 (a whole number could be a count of cents)"
        );
        assert!(MoneyError::Grouping.to_string().contains("write 1234567.89"));
    }

    #[test]
    fn displays_with_separators() {
        let cases = [
            (0, "$0.00"),
            (7, "$0.07"),
            (123_456, "$1,234.56"),
            (100_000, "$1,000.00"),
            (99_999, "$999.99"),
            (1_000_000_000_000, "$10,000,000,000.00"),
            (-123_456, "-$1,234.56"),
            (i64::MIN, "-$92,233,720,368,547,758.08"),
        ];
        for (cents, text) in cases {
            assert_eq!(Cents::new(cents).to_string(), text);
        }
        assert_eq!(Cents::new(-5).plain(), "-0.05");
        assert_eq!(Cents::new(123_456).plain(), "1234.56");
    }

    #[test]
    fn checked_arithmetic() {
        let a = Cents::new(150);
        assert_eq!(a.checked_add(Cents::new(50)), Some(Cents::new(200)));
        assert_eq!(a.checked_sub(Cents::new(200)), Some(Cents::new(-50)));
        assert!(a.checked_sub(Cents::new(200)).is_some_and(Cents::is_negative));
        assert_eq!(Cents::new(i64::MAX).checked_add(Cents::new(1)), None);
        assert_eq!(Cents::new(i64::MIN).checked_sub(Cents::new(1)), None);
        assert_eq!(Cents::checked_sum([Cents::new(1), Cents::new(2), Cents::new(3)]), Some(Cents::new(6)));
        assert_eq!(Cents::checked_sum([]), Some(Cents::ZERO));
        assert_eq!(Cents::checked_sum([Cents::new(i64::MAX), Cents::new(1)]), None);
    }

    #[test]
    fn serde_is_integer_cents() {
        assert_eq!(serde_json::to_string(&Cents::new(123_456)).unwrap(), "123456");
        assert_eq!(serde_json::from_str::<Cents>("7").unwrap(), Cents::new(7));
        assert!(serde_json::from_str::<Cents>("7.5").is_err());
    }

    proptest! {
        #[test]
        fn plain_round_trips(c in 0i64..=1_000_000_000_000) {
            prop_assert_eq!(Cents::parse_dollars(&Cents::new(c).plain()), Ok(Cents::new(c)));
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = Cents::parse_dollars(&s);
        }

        #[test]
        fn display_strips_back_to_plain(c in 0i64..=1_000_000_000_000) {
            let shown = Cents::new(c).to_string().replace([',', '$'], "");
            prop_assert_eq!(shown, Cents::new(c).plain());
        }
    }
}

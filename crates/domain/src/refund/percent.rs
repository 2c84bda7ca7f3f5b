//! Yearly interest rates as exact numbers of basis points (hundredths of a percent). The IRS sets
//! whole or half percents; basis points hold those and anything down to 0.01% without rounding.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A yearly rate in percent, held exactly as basis points: `Percent::from_basis_points(650)` is 6.5%.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Percent(u32);

/// Why a rate was refused. Messages say what to write instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PercentError {
    /// Nothing but whitespace.
    #[error("enter the rate in percent, e.g. 7 or 6.5")]
    Empty,
    /// Below zero.
    #[error("a rate cannot be negative")]
    Negative,
    /// Written with a `%` sign.
    #[error("write the rate as a number of percent without the % sign, e.g. 7 or 6.5")]
    PercentSign,
    /// More than two digits after the point.
    #[error("a rate has at most two digits after the decimal point (0.01%)")]
    TooManyDecimals,
    /// Above 100%: a typo, or a rate written as a fraction of 10,000.
    #[error("a yearly rate above 100% is not plausible; write the rate in percent, e.g. 7 or 6.5")]
    TooLarge,
    /// Not a number.
    #[error("not a number: write the rate in percent, e.g. 7 or 6.5")]
    NotANumber,
}

impl Percent {
    /// The largest rate accepted: 100%.
    pub const MAX: Percent = Percent(10_000);

    /// A rate of `bp` basis points (1/100 of a percent).
    pub const fn from_basis_points(bp: u32) -> Self {
        Percent(bp)
    }

    /// The rate in basis points.
    pub const fn basis_points(self) -> u32 {
        self.0
    }

    /// Reads a rate in percent: digits with an optional point and up to two decimals (`7`, `7.0`,
    /// `6.5`, `4.25`), surrounded by optional spaces. No sign, no `%`, at most 100.
    pub fn parse(input: &str) -> Result<Self, PercentError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(PercentError::Empty);
        }
        if s.ends_with('%') {
            return Err(PercentError::PercentSign);
        }
        if s.starts_with('-') {
            return Err(PercentError::Negative);
        }
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits_only = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits_only(whole) || !digits_only(frac) || (s.contains('.') && frac.is_empty()) {
            return Err(PercentError::NotANumber);
        }
        if frac.len() > 2 {
            return Err(PercentError::TooManyDecimals);
        }
        let whole = whole.trim_start_matches('0');
        if whole.len() > 3 {
            return Err(PercentError::TooLarge);
        }
        let num = |t: &str| t.bytes().fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
        let bp = num(whole) * 100 + if frac.len() == 1 { num(frac) * 10 } else { num(frac) };
        if bp > Self::MAX.0 {
            return Err(PercentError::TooLarge);
        }
        Ok(Percent(bp))
    }

    /// The number without `%` and without trailing zeros (`7`, `6.5`, `4.25`): what
    /// [`Percent::parse`] reads back, for CSV files.
    pub fn plain(self) -> String {
        let (whole, frac) = (self.0 / 100, self.0 % 100);
        match frac {
            0 => whole.to_string(),
            f if f % 10 == 0 => format!("{whole}.{}", f / 10),
            f => format!("{whole}.{f:02}"),
        }
    }
}

impl FromStr for Percent {
    type Err = PercentError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// `6.5%`.
impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.plain())
    }
}

impl fmt::Debug for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Percent({})", self.plain())
    }
}

/// Serialized as the plain number in a string (`"6.5"`), exact in any JSON reader.
impl Serialize for Percent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.plain())
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_percent() {
        for (s, bp) in
            [("7", 700), ("7.0", 700), ("07.00", 700), ("6.5", 650), ("4.25", 425), (" 0 ", 0), ("100", 10_000)]
        {
            assert_eq!(Percent::parse(s), Ok(Percent::from_basis_points(bp)), "{s:?}");
        }
    }

    #[test]
    fn refusals() {
        use PercentError::*;
        for (s, e) in [
            ("", Empty),
            ("-1", Negative),
            ("7%", PercentSign),
            ("4.125", TooManyDecimals),
            ("100.01", TooLarge),
            ("700", TooLarge),
            ("99999999999", TooLarge),
            ("seven", NotANumber),
            ("7.", NotANumber),
            (".5", NotANumber),
            ("NaN", NotANumber),
            ("1e1", NotANumber),
            ("+7", NotANumber),
        ] {
            assert_eq!(Percent::parse(s), Err(e), "{s:?}");
        }
    }

    #[test]
    fn shows_without_trailing_zeros() {
        assert_eq!(Percent::from_basis_points(700).to_string(), "7%");
        assert_eq!(Percent::from_basis_points(650).to_string(), "6.5%");
        assert_eq!(Percent::from_basis_points(425).plain(), "4.25");
        assert_eq!(Percent::from_basis_points(5).plain(), "0.05");
        assert_eq!(serde_json::to_string(&Percent::from_basis_points(650)).unwrap(), "\"6.5\"");
        assert_eq!(serde_json::from_str::<Percent>("\"6.5\"").unwrap(), Percent::from_basis_points(650));
    }

    proptest! {
        #[test]
        fn plain_round_trips(bp in 0u32..=10_000) {
            prop_assert_eq!(Percent::parse(&Percent::from_basis_points(bp).plain()), Ok(Percent::from_basis_points(bp)));
        }

        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = Percent::parse(&s);
        }
    }
}

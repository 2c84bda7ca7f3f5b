//! Calendar helpers of the refund module: ISO dates (`YYYY-MM-DD`) in files and JSON, calendar
//! quarters, and the days of a year.

use time::{Date, Month};

/// Reads `YYYY-MM-DD` exactly (four-digit year, two-digit month and day), or `None`.
pub fn parse_iso_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    let year = i32::try_from(num(0..4)?).ok()?;
    let month = Month::try_from(u8::try_from(num(5..7)?).ok()?).ok()?;
    let day = u8::try_from(num(8..10)?).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// Whether `d` is the first day of a calendar quarter (1 January, 1 April, 1 July, 1 October).
pub fn is_quarter_start(d: Date) -> bool {
    d.day() == 1 && matches!(d.month(), Month::January | Month::April | Month::July | Month::October)
}

/// The last day of the calendar quarter that contains `d`.
pub fn quarter_last_day(d: Date) -> Date {
    let (month, day) = match d.month() {
        Month::January | Month::February | Month::March => (Month::March, 31),
        Month::April | Month::May | Month::June => (Month::June, 30),
        Month::July | Month::August | Month::September => (Month::September, 30),
        Month::October | Month::November | Month::December => (Month::December, 31),
    };
    // The last day of a quarter exists in every year `d` can be in.
    Date::from_calendar_date(d.year(), month, day).unwrap_or(d)
}

/// The number of days of `year`, the divisor of the daily rate: 366 in leap years, else 365.
pub fn days_in_year(year: i32) -> u16 {
    time::util::days_in_year(year)
}

/// `#[serde(with = "iso_date")]`: a `Date` as `"YYYY-MM-DD"`.
pub mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    /// Writes `"YYYY-MM-DD"`.
    pub fn serialize<S: Serializer>(d: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(d)
    }

    /// Reads `"YYYY-MM-DD"`.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let s = String::deserialize(deserializer)?;
        super::parse_iso_date(&s).ok_or_else(|| serde::de::Error::custom("write the date as YYYY-MM-DD"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn iso_dates() {
        assert_eq!(parse_iso_date("2024-02-29"), Some(date!(2024 - 02 - 29)));
        for bad in ["2023-02-29", "2024-2-29", "24-02-29", "2024/02/29", "2024-13-01", "2024-00-10", "２024-01-01", ""]
        {
            assert_eq!(parse_iso_date(bad), None, "{bad:?}");
        }
        assert_eq!(date!(2024 - 01 - 05).to_string(), "2024-01-05");
    }

    #[test]
    fn quarters() {
        assert!(is_quarter_start(date!(2024 - 10 - 01)));
        assert!(!is_quarter_start(date!(2024 - 11 - 01)));
        assert!(!is_quarter_start(date!(2024 - 10 - 02)));
        assert_eq!(quarter_last_day(date!(2024 - 01 - 01)), date!(2024 - 03 - 31));
        assert_eq!(quarter_last_day(date!(2024 - 05 - 17)), date!(2024 - 06 - 30));
        assert_eq!(quarter_last_day(date!(2024 - 12 - 31)), date!(2024 - 12 - 31));
        assert_eq!(days_in_year(2024), 366);
        assert_eq!(days_in_year(2100), 365);
        assert_eq!(days_in_year(2000), 366);
    }
}

//! Federal Reserve banking days: the days FedACH settles, used for ACH effective dates, prenote
//! waiting periods and refund timelines.
//!
//! The holidays are computed from the standing rules, not loaded from a list, so the calendar never
//! runs out. The Federal Reserve's own rule for weekend holidays applies, which differs from the
//! rule for federal employees:
//! - a holiday on a **Sunday** closes the Reserve Banks the following Monday;
//! - a holiday on a **Saturday** is not moved: the Reserve Banks are **open** the preceding Friday
//!   (federal offices close that Friday, FedACH does not).
//!
//! Juneteenth (19 June) became a federal holiday when it was signed into law on 17 June 2021; the
//! Federal Reserve first closed for it in 2022, so it counts from 2022. (In 2021 it fell on a
//! Saturday, so by the rule above it would not have closed the Reserve Banks anyway.)
//!
//! Not covered: one-off closings proclaimed at short notice (such as a national day of mourning);
//! they are rare and announced, and would be handled where the calendar is used. The list of
//! holidays is today's for every year; dates before 1986 (the first Martin Luther King Jr. Day) are
//! therefore not historically exact, which refunds never need.

#![warn(missing_docs)]

use time::{Date, Month, Weekday};

/// A federal holiday in a given year, and whether it closes the Federal Reserve Banks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holiday {
    /// Its name, for pages that explain why a date moved ("Juneteenth National Independence Day").
    pub name: &'static str,
    /// The date the law gives it, which may fall on a weekend.
    pub date: Date,
    /// The weekday the Reserve Banks close for it: the date itself, the Monday after a Sunday, or
    /// `None` for a Saturday (the Banks stay open the Friday before).
    pub closed_on: Option<Date>,
}

/// The `n`th (1-based) `weekday` of a month.
fn nth_weekday(year: i32, month: Month, weekday: Weekday, n: u8) -> Option<Date> {
    let first = Date::from_calendar_date(year, month, 1).ok()?;
    let offset = (7 + weekday.number_days_from_monday() - first.weekday().number_days_from_monday()) % 7;
    Date::from_calendar_date(year, month, 1 + offset + 7 * (n - 1)).ok()
}

/// The last `weekday` of a month.
fn last_weekday(year: i32, month: Month, weekday: Weekday) -> Option<Date> {
    let last = Date::from_calendar_date(year, month, month.length(year)).ok()?;
    let back = (7 + last.weekday().number_days_from_monday() - weekday.number_days_from_monday()) % 7;
    Date::from_calendar_date(year, month, last.day() - back).ok()
}

/// Every federal holiday the Reserve Banks observe in `year`, in calendar order, with the day they
/// close for it (see the module documentation for the weekend rule). Years that `time::Date` cannot
/// represent give an empty list.
pub fn holidays(year: i32) -> Vec<Holiday> {
    use Month::*;
    use Weekday::*;
    let fixed = |month: Month, day: u8| Date::from_calendar_date(year, month, day).ok();
    let dates: [(&'static str, Option<Date>); 11] = [
        ("New Year's Day", fixed(January, 1)),
        ("Birthday of Martin Luther King, Jr.", nth_weekday(year, January, Monday, 3)),
        ("Washington's Birthday", nth_weekday(year, February, Monday, 3)),
        ("Memorial Day", last_weekday(year, May, Monday)),
        ("Juneteenth National Independence Day", if year >= 2022 { fixed(June, 19) } else { None }),
        ("Independence Day", fixed(July, 4)),
        ("Labor Day", nth_weekday(year, September, Monday, 1)),
        ("Columbus Day", nth_weekday(year, October, Monday, 2)),
        ("Veterans Day", fixed(November, 11)),
        ("Thanksgiving Day", nth_weekday(year, November, Thursday, 4)),
        ("Christmas Day", fixed(December, 25)),
    ];
    dates
        .into_iter()
        .filter_map(|(name, date)| {
            let date = date?;
            let closed_on = match date.weekday() {
                Saturday => None,
                // Only Christmas can reach the year's end, and 26 December exists in every year.
                Sunday => date.next_day(),
                _ => Some(date),
            };
            Some(Holiday { name, date, closed_on })
        })
        .collect()
}

/// The weekdays of `year` on which the Federal Reserve Banks are closed for a holiday, in order.
/// Saturday holidays are absent (the Banks stay open the Friday before) and Sunday holidays appear
/// as the following Monday.
pub fn federal_holidays(year: i32) -> Vec<Date> {
    holidays(year).into_iter().filter_map(|h| h.closed_on).collect()
}

/// The holiday closings of one year, kept while walking day by day so that a long walk computes
/// each year's holidays once instead of once per day.
struct Closings {
    year: i32,
    dates: Vec<Date>,
}

impl Closings {
    fn new() -> Self {
        Self { year: i32::MIN, dates: Vec::new() }
    }

    fn is_banking_day(&mut self, d: Date) -> bool {
        if matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
            return false;
        }
        if d.year() != self.year {
            self.year = d.year();
            self.dates = federal_holidays(self.year);
        }
        !self.dates.contains(&d)
    }
}

fn day_after(d: Date) -> Date {
    d.next_day().expect("banking-day arithmetic past the last date time::Date can represent (year 9999)")
}

/// Whether FedACH settles on `d`: a weekday that is not a Federal Reserve holiday closing.
pub fn is_banking_day(d: Date) -> bool {
    Closings::new().is_banking_day(d)
}

/// The first banking day strictly after `d`, whether or not `d` is one.
///
/// # Panics
/// Past 31 December 9999, the last date `time::Date` represents.
pub fn next_banking_day(d: Date) -> Date {
    let mut closings = Closings::new();
    let mut day = day_after(d);
    while !closings.is_banking_day(day) {
        day = day_after(day);
    }
    day
}

/// The date `n` banking days after `d`.
///
/// A start that is not a banking day counts as the next banking day, as a bank treats work that
/// arrives on a weekend or holiday: so `n = 0` gives `d` itself when it is a banking day and
/// otherwise the next banking day, and each further step moves one banking day on (Saturday plus 1
/// is the Tuesday after an open Monday). The result is always a banking day and grows strictly
/// with `n`, and `banking_days_between(d, add_banking_days(d, n)) == n` for every `d`.
///
/// # Panics
/// Past 31 December 9999, the last date `time::Date` represents.
pub fn add_banking_days(d: Date, n: u32) -> Date {
    let mut closings = Closings::new();
    let mut day = d;
    while !closings.is_banking_day(day) {
        day = day_after(day);
    }
    for _ in 0..n {
        day = day_after(day);
        while !closings.is_banking_day(day) {
            day = day_after(day);
        }
    }
    day
}

/// How many banking days lie in `from..to`: `from` counted when it is a banking day, `to` not.
/// So it answers "how many banking days pass from `from` until `to`", is 0 when `to <= from`, and
/// undoes [`add_banking_days`] (see there).
pub fn banking_days_between(from: Date, to: Date) -> u32 {
    let mut closings = Closings::new();
    let mut count = 0;
    let mut day = from;
    while day < to {
        if closings.is_banking_day(day) {
            count += 1;
        }
        day = day_after(day);
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn published_fed_schedules() {
        // The Federal Reserve's published holiday schedule for 2025-2027.
        assert_eq!(
            federal_holidays(2025),
            [
                date!(2025 - 01 - 01),
                date!(2025 - 01 - 20),
                date!(2025 - 02 - 17),
                date!(2025 - 05 - 26),
                date!(2025 - 06 - 19),
                date!(2025 - 07 - 04),
                date!(2025 - 09 - 01),
                date!(2025 - 10 - 13),
                date!(2025 - 11 - 11),
                date!(2025 - 11 - 27),
                date!(2025 - 12 - 25),
            ]
        );
        // 4 July 2026 is a Saturday: the Banks are open Friday 3 July, so no closing that week.
        assert_eq!(
            federal_holidays(2026),
            [
                date!(2026 - 01 - 01),
                date!(2026 - 01 - 19),
                date!(2026 - 02 - 16),
                date!(2026 - 05 - 25),
                date!(2026 - 06 - 19),
                date!(2026 - 09 - 07),
                date!(2026 - 10 - 12),
                date!(2026 - 11 - 11),
                date!(2026 - 11 - 26),
                date!(2026 - 12 - 25),
            ]
        );
        // 2027: Juneteenth and Christmas on Saturdays (open the Fridays before), 4 July on a Sunday
        // (closed Monday 5 July).
        assert_eq!(
            federal_holidays(2027),
            [
                date!(2027 - 01 - 01),
                date!(2027 - 01 - 18),
                date!(2027 - 02 - 15),
                date!(2027 - 05 - 31),
                date!(2027 - 07 - 05),
                date!(2027 - 09 - 06),
                date!(2027 - 10 - 11),
                date!(2027 - 11 - 11),
                date!(2027 - 11 - 25),
            ]
        );
    }

    #[test]
    fn weekend_rule() {
        assert!(is_banking_day(date!(2026 - 07 - 03)), "Friday before a Saturday holiday is open");
        assert!(!is_banking_day(date!(2027 - 07 - 05)), "Monday after a Sunday holiday is closed");
        assert!(is_banking_day(date!(2023 - 11 - 10)), "Veterans Day 2023 was a Saturday");
        assert!(is_banking_day(date!(2021 - 12 - 31)), "New Year's Day 2022 was a Saturday");
        assert!(!is_banking_day(date!(2022 - 06 - 20)), "Juneteenth 2022 was a Sunday");
        assert!(!is_banking_day(date!(2023 - 01 - 02)), "New Year's Day 2023 was a Sunday");
        let h = holidays(2026).into_iter().find(|h| h.name == "Independence Day").unwrap();
        assert_eq!((h.date, h.closed_on), (date!(2026 - 07 - 04), None));
        let h = holidays(2027).into_iter().find(|h| h.name == "Independence Day").unwrap();
        assert_eq!((h.date, h.closed_on), (date!(2027 - 07 - 04), Some(date!(2027 - 07 - 05))));
    }

    #[test]
    fn juneteenth_from_2022() {
        assert!(holidays(2021).iter().all(|h| !h.name.starts_with("Juneteenth")));
        assert_eq!(holidays(2021).len(), 10);
        assert_eq!(holidays(2022).len(), 11);
        assert!(is_banking_day(date!(2021 - 06 - 18)));
    }

    #[test]
    fn unrepresentable_years_have_no_holidays() {
        assert!(federal_holidays(10_000).is_empty());
        assert!(federal_holidays(-10_000).is_empty());
    }

    #[test]
    fn walking_banking_days() {
        // Thursday 2 July 2026; Friday 3 July is open, the weekend is not.
        let thu = date!(2026 - 07 - 02);
        assert_eq!(add_banking_days(thu, 0), thu);
        assert_eq!(add_banking_days(thu, 1), date!(2026 - 07 - 03));
        assert_eq!(add_banking_days(thu, 2), date!(2026 - 07 - 06));
        assert_eq!(next_banking_day(thu), date!(2026 - 07 - 03));
        // Thanksgiving week 2026: Wednesday + 1 skips Thursday 26 November.
        assert_eq!(add_banking_days(date!(2026 - 11 - 25), 1), date!(2026 - 11 - 27));
        // A Saturday start counts as the next banking day (Monday).
        let sat = date!(2026 - 01 - 17);
        assert_eq!(add_banking_days(sat, 0), date!(2026 - 01 - 20), "Monday 19 January is MLK Day");
        assert_eq!(add_banking_days(sat, 1), date!(2026 - 01 - 21));
        assert_eq!(next_banking_day(sat), date!(2026 - 01 - 20));
        // Christmas to New Year 2026/27 crosses the year.
        assert_eq!(add_banking_days(date!(2026 - 12 - 24), 1), date!(2026 - 12 - 28));
        assert_eq!(add_banking_days(date!(2026 - 12 - 31), 1), date!(2027 - 01 - 04));
        assert_eq!(banking_days_between(date!(2026 - 12 - 24), date!(2027 - 01 - 04)), 5);
        assert_eq!(banking_days_between(thu, thu), 0);
        assert_eq!(banking_days_between(date!(2026 - 07 - 06), thu), 0);
        // 2026 has 261 weekdays and 10 weekday closings.
        assert_eq!(banking_days_between(date!(2026 - 01 - 01), date!(2027 - 01 - 01)), 251);
    }

    fn any_date() -> impl Strategy<Value = Date> {
        (date!(1990 - 01 - 01).to_julian_day()..date!(2100 - 01 - 01).to_julian_day())
            .prop_map(|j| Date::from_julian_day(j).unwrap())
    }

    proptest! {
        #[test]
        fn added_days_are_banking_days(d in any_date(), n in 0u32..40) {
            let r = add_banking_days(d, n);
            prop_assert!(is_banking_day(r));
            prop_assert!(r >= d);
            prop_assert!(add_banking_days(d, n + 1) > r);
            prop_assert_eq!(add_banking_days(d, n + 1), next_banking_day(r));
            prop_assert_eq!(banking_days_between(d, r), n);
        }

        #[test]
        fn add_is_monotonic_in_the_start(d in any_date(), gap in 0i64..20, n in 0u32..20) {
            let later = d + time::Duration::days(gap);
            prop_assert!(add_banking_days(d, n) <= add_banking_days(later, n));
        }

        #[test]
        fn next_skips_only_closed_days(d in any_date()) {
            let next = next_banking_day(d);
            prop_assert!(next > d && is_banking_day(next));
            prop_assert_eq!(banking_days_between(d.next_day().unwrap(), next), 0);
        }

        #[test]
        fn closings_are_weekdays_in_their_year(year in 1990i32..2100) {
            let closed = federal_holidays(year);
            // Two fixed-date holidays can share a Saturday (1 January and 11 November of a leap year).
            prop_assert!((8..=11).contains(&closed.len()));
            prop_assert!(closed.windows(2).all(|w| w[0] < w[1]));
            for d in closed {
                prop_assert_eq!(d.year(), year);
                prop_assert!(!matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday));
                prop_assert!(!is_banking_day(d));
            }
        }
    }
}

//! The quarterly interest rates of 26 U.S.C. 6621 that CBP applies to customs refunds
//! (19 U.S.C. 1505(c); CBP republishes them every quarter in the Federal Register).
//!
//! One row per calendar quarter, starting on the quarter's first day, with three rates: the
//! overpayment rate (federal short-term rate + 3 points), the corporate overpayment rate (+ 2
//! points) and the underpayment rate (+ 3 points). A row covers exactly its quarter. The rows of a
//! table are contiguous: no quarter missing between the first and the last. A day outside the
//! table has no rate: [`RateTable::rate_on`] says `None` and callers hold the refund, never guess.
//!
//! The lower rate 6621(a)(1) gives "the portion of a corporate overpayment ... exceeding $10,000"
//! (short-term rate + 0.5 point) is not applied: CBP's published table for customs duties has only
//! the three columns above (docs/refunds.md explains the decision).
//!
//! [`RateTable::builtin`] is the table shipped with this crate, from 2020 Q1 to the latest quarter
//! confirmed from public sources (`rates.csv` beside this file; sources in docs/refunds.md). Newer
//! quarters are added by merging a CSV file ([`RateTable::merge_csv`]).

use std::sync::OnceLock;

use rust_decimal::Decimal;
use serde::Serialize;
use time::Date;

use super::dates::{is_quarter_start, iso_date, quarter_last_day};
use super::percent::Percent;

/// The shipped rates, as the CSV file that [`RateTable::from_csv`] reads.
pub const BUILTIN_RATES_CSV: &str = include_str!("rates.csv");

string_enum!(@codes
    /// Which overpayment rate applies: 6621(a)(1) gives corporations one point less.
    InterestBasis {
        /// The corporate overpayment rate (federal short-term rate + 2 points).
        Corporate = "corporate" / "Corporation",
        /// The overpayment rate for everyone else (federal short-term rate + 3 points).
        NonCorporate = "non_corporate" / "Not a corporation",
    }
);

/// The rates in force during one calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RateRow {
    /// The first day of the quarter.
    #[serde(with = "iso_date")]
    pub effective_from: Date,
    /// The overpayment rate for importers other than corporations.
    pub overpayment: Percent,
    /// The overpayment rate for corporations.
    pub corporate_overpayment: Percent,
    /// The underpayment rate (what CBP charges on late duties), kept for completeness.
    pub underpayment: Percent,
}

impl RateRow {
    /// The last day of the row's quarter.
    pub fn last_day(&self) -> Date {
        quarter_last_day(self.effective_from)
    }

    /// The overpayment rate on `basis`.
    pub fn overpayment_rate(&self, basis: InterestBasis) -> Percent {
        match basis {
            InterestBasis::Corporate => self.corporate_overpayment,
            InterestBasis::NonCorporate => self.overpayment,
        }
    }
}

/// Why a set of rows is not a rate table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RateTableError {
    /// No rows at all.
    #[error("the rate table has no rows; add one row per quarter")]
    Empty,
    /// A row starts on a day that is not the first of a quarter.
    #[error(
        "{0} is not the first day of a quarter; rates start on 1 January, 1 April, 1 July or 1 October (write e.g. 2026-04-01)"
    )]
    NotQuarterStart(Date),
    /// Two rows for the same quarter.
    #[error("the quarter starting {0} is given twice; keep one row per quarter")]
    Duplicate(Date),
    /// Quarters missing between two rows.
    #[error("no rates for {from} to {to}; add a row for each quarter in between")]
    Gap {
        /// The first day without a row.
        from: Date,
        /// The last day without a row.
        to: Date,
    },
    /// The corporate rate is above the non-corporate one (6621 makes it one point lower): the
    /// columns are probably swapped.
    #[error(
        "the corporate overpayment rate of the quarter starting {0} is above the overpayment rate; the law makes it lower: are the columns swapped?"
    )]
    CorporateAboveOverpayment(Date),
}

/// Per row: the last day of its quarter and, for each basis and divisor (indexed by
/// [`factor_index`]), the daily growth factor `f = 1 + rate / divisor` raised to 1, 2, 4, ... 256:
/// `powers[k] = f^(2^k)`, each the square of the one before. Any run of up to 511 days is then a
/// product of at most 9 of them. (A segment is longer only when the same rate holds across
/// several years of the same length; it is squared on the spot.)
#[derive(Debug, Clone, PartialEq)]
struct Quarter {
    last_day: Date,
    powers: [[Decimal; POWERS]; 4],
}

/// How many binary powers of each daily factor a row keeps.
const POWERS: usize = 9;

fn factor_index(basis: InterestBasis, divisor: u16) -> usize {
    let b = match basis {
        InterestBasis::Corporate => 0,
        InterestBasis::NonCorporate => 2,
    };
    b + usize::from(divisor == 366)
}

/// `1 + bp / (10000 * divisor)` to 28 decimal places.
fn daily_factor(rate: Percent, divisor: u16) -> Decimal {
    // bp <= 10,000 and divisor is 365 or 366: neither the quotient nor the sum can overflow.
    Decimal::ONE + Decimal::from(rate.basis_points()) / Decimal::from(10_000u32 * u32::from(divisor))
}

/// `base^n` by repeated squaring (lowest bit first), or `None` on overflow.
pub(crate) fn pow(base: Decimal, mut n: u32) -> Option<Decimal> {
    let mut result = Decimal::ONE;
    let mut square = base;
    while n > 0 {
        if n & 1 == 1 {
            result = result.checked_mul(square)?;
        }
        n >>= 1;
        if n > 0 {
            square = square.checked_mul(square)?;
        }
    }
    Some(result)
}

/// Quarterly rates, sorted and without gaps (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct RateTable {
    rows: Vec<RateRow>,
    quarters: Vec<Quarter>,
}

/// The structural problems of `rows`, each with the index of the row it concerns (the later row of
/// a duplicate or a gap). Rows may come in any order.
pub(crate) fn check_rows(rows: &[RateRow]) -> Vec<(usize, RateTableError)> {
    let mut errors = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if !is_quarter_start(r.effective_from) {
            errors.push((i, RateTableError::NotQuarterStart(r.effective_from)));
        }
        if r.corporate_overpayment > r.overpayment {
            errors.push((i, RateTableError::CorporateAboveOverpayment(r.effective_from)));
        }
    }
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|i| (rows[*i].effective_from, *i));
    for pair in order.windows(2) {
        let (a, b) = (&rows[pair[0]], &rows[pair[1]]);
        if a.effective_from == b.effective_from {
            errors.push((pair[1], RateTableError::Duplicate(b.effective_from)));
            continue;
        }
        let expected = a.last_day().next_day();
        if let Some(from) = expected.filter(|e| *e < b.effective_from)
            && let Some(to) = b.effective_from.previous_day()
        {
            errors.push((pair[1], RateTableError::Gap { from, to }));
        }
    }
    errors
}

impl RateTable {
    /// A table of `rows` (in any order), or every reason it cannot be one.
    pub fn from_rows(mut rows: Vec<RateRow>) -> Result<Self, Vec<RateTableError>> {
        if rows.is_empty() {
            return Err(vec![RateTableError::Empty]);
        }
        let errors = check_rows(&rows);
        if !errors.is_empty() {
            return Err(errors.into_iter().map(|(_, e)| e).collect());
        }
        rows.sort_by_key(|r| r.effective_from);
        let quarters = rows
            .iter()
            .map(|r| {
                let mut powers = [[Decimal::ONE; POWERS]; 4];
                for basis in [InterestBasis::Corporate, InterestBasis::NonCorporate] {
                    for d in [365, 366] {
                        let p = &mut powers[factor_index(basis, d)];
                        p[0] = daily_factor(r.overpayment_rate(basis), d);
                        for k in 1..POWERS {
                            // f <= 1 + 100% / 365, so f^256 < 2: no overflow.
                            p[k] = p[k - 1] * p[k - 1];
                        }
                    }
                }
                Quarter { last_day: r.last_day(), powers }
            })
            .collect();
        Ok(Self { rows, quarters })
    }

    /// The table shipped with this crate ([`BUILTIN_RATES_CSV`]), parsed once.
    pub fn builtin() -> &'static RateTable {
        static TABLE: OnceLock<RateTable> = OnceLock::new();
        // The shipped CSV is checked by the test `builtin_table_is_valid`; an empty table could
        // only come from a broken build, and holds every refund rather than guessing a rate.
        TABLE.get_or_init(|| {
            RateTable::from_csv(BUILTIN_RATES_CSV)
                .unwrap_or_else(|_| RateTable { rows: Vec::new(), quarters: Vec::new() })
        })
    }

    /// The rows, oldest first.
    pub fn rows(&self) -> &[RateRow] {
        &self.rows
    }

    /// The first day with a rate (`None` only for the empty table `builtin` falls back to).
    pub fn first_day(&self) -> Option<Date> {
        self.rows.first().map(|r| r.effective_from)
    }

    /// The last day with a rate: the end of the last quarter in the table.
    pub fn last_day(&self) -> Option<Date> {
        self.quarters.last().map(|q| q.last_day)
    }

    /// The rates in force on `day`, or `None` when the table has no row for its quarter. A refund
    /// needing a rate the table lacks must wait for the rate, never take a neighbouring one.
    pub fn rate_on(&self, day: Date) -> Option<&RateRow> {
        self.index_on(day).map(|i| &self.rows[i])
    }

    /// The index of the row covering `day`.
    pub(crate) fn index_on(&self, day: Date) -> Option<usize> {
        let i = self.rows.partition_point(|r| r.effective_from <= day).checked_sub(1)?;
        (day <= self.quarters[i].last_day).then_some(i)
    }

    /// The last day of row `i`'s quarter (`i` from [`RateTable::index_on`]).
    pub(crate) fn row_last_day(&self, i: usize) -> Date {
        self.quarters[i].last_day
    }

    /// `1 + rate / divisor` of row `i` on `basis`, to 28 decimal places.
    #[cfg(test)]
    pub(crate) fn factor(&self, i: usize, basis: InterestBasis, divisor: u16) -> Decimal {
        self.quarters[i].powers[factor_index(basis, divisor)][0]
    }

    /// `factor(i, basis, divisor)^days` by squaring, from the kept binary powers when `days` is
    /// below 512, else by squaring on the spot; either way multiplying the lowest power first:
    /// the same products, in the same order, as squaring on the spot. `None` on overflow.
    pub(crate) fn factor_pow(&self, i: usize, basis: InterestBasis, divisor: u16, days: u32) -> Option<Decimal> {
        let powers = &self.quarters[i].powers[factor_index(basis, divisor)];
        if days >= 1 << POWERS {
            return pow(powers[0], days);
        }
        let mut result = Decimal::ONE;
        for (k, p) in powers.iter().enumerate() {
            if days & (1 << k) != 0 {
                result = result.checked_mul(*p)?;
            }
        }
        Some(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn row(d: Date, over: u32, corp: u32, under: u32) -> RateRow {
        RateRow {
            effective_from: d,
            overpayment: Percent::from_basis_points(over * 100),
            corporate_overpayment: Percent::from_basis_points(corp * 100),
            underpayment: Percent::from_basis_points(under * 100),
        }
    }

    #[test]
    fn builtin_table_is_valid() {
        let t = RateTable::from_csv(BUILTIN_RATES_CSV).expect("the shipped rates parse");
        assert_eq!(RateTable::builtin(), &t);
        assert_eq!(t.first_day(), Some(date!(2020 - 01 - 01)));
        assert_eq!(t.last_day(), Some(date!(2026 - 03 - 31)));
        assert_eq!(t.rows().len(), 25);
    }

    /// The published values the issue and docs/domain.md quote, and the quarters where rates moved.
    #[test]
    fn builtin_values() {
        let t = RateTable::builtin();
        let pct = |d: Date| {
            let r = t.rate_on(d).unwrap();
            (
                r.overpayment.basis_points() / 100,
                r.corporate_overpayment.basis_points() / 100,
                r.underpayment.basis_points() / 100,
            )
        };
        assert_eq!(pct(date!(2020 - 03 - 31)), (5, 4, 5));
        assert_eq!(pct(date!(2020 - 07 - 01)), (3, 2, 3));
        assert_eq!(pct(date!(2022 - 04 - 01)), (4, 3, 4));
        assert_eq!(pct(date!(2022 - 07 - 01)), (5, 4, 5));
        assert_eq!(pct(date!(2022 - 10 - 01)), (6, 5, 6));
        assert_eq!(pct(date!(2023 - 01 - 01)), (7, 6, 7));
        assert_eq!(pct(date!(2023 - 10 - 01)), (8, 7, 8));
        assert_eq!(pct(date!(2024 - 12 - 31)), (8, 7, 8));
        for d in [date!(2025 - 01 - 01), date!(2025 - 05 - 05), date!(2025 - 09 - 30), date!(2025 - 12 - 31)] {
            assert_eq!(pct(d), (7, 6, 7));
        }
        assert_eq!(pct(date!(2026 - 03 - 31)), (7, 6, 7));
    }

    #[test]
    fn no_rate_outside_the_table() {
        let t = RateTable::builtin();
        assert!(t.rate_on(date!(2019 - 12 - 31)).is_none());
        assert!(t.rate_on(date!(2026 - 04 - 01)).is_none());
        assert!(t.rate_on(date!(2020 - 01 - 01)).is_some());
    }

    #[test]
    fn structural_errors() {
        let q1 = date!(2025 - 01 - 01);
        let q2 = date!(2025 - 04 - 01);
        let q4 = date!(2025 - 10 - 01);
        assert_eq!(RateTable::from_rows(vec![]), Err(vec![RateTableError::Empty]));
        assert_eq!(
            RateTable::from_rows(vec![row(q1, 7, 6, 7), row(q4, 7, 6, 7)]),
            Err(vec![RateTableError::Gap { from: q2, to: date!(2025 - 09 - 30) }])
        );
        assert_eq!(
            RateTable::from_rows(vec![row(q2, 7, 6, 7), row(q2, 7, 6, 7)]),
            Err(vec![RateTableError::Duplicate(q2)])
        );
        assert_eq!(
            RateTable::from_rows(vec![row(date!(2025 - 02 - 01), 7, 6, 7)]),
            Err(vec![RateTableError::NotQuarterStart(date!(2025 - 02 - 01))])
        );
        assert_eq!(
            RateTable::from_rows(vec![row(q1, 6, 7, 7)]),
            Err(vec![RateTableError::CorporateAboveOverpayment(q1)])
        );
        // Any order is fine.
        let t = RateTable::from_rows(vec![row(q2, 7, 6, 7), row(q1, 8, 7, 8)]).unwrap();
        assert_eq!(t.rows()[0].effective_from, q1);
        assert_eq!(t.last_day(), Some(date!(2025 - 06 - 30)));
        assert_eq!(
            RateTableError::Gap { from: date!(2025 - 07 - 01), to: date!(2025 - 09 - 30) }.to_string(),
            "no rates for 2025-07-01 to 2025-09-30; add a row for each quarter in between"
        );
    }

    #[test]
    fn kept_powers_give_the_same_products_as_squaring() {
        let t = RateTable::builtin();
        for i in [0, 12, 24] {
            for basis in [InterestBasis::Corporate, InterestBasis::NonCorporate] {
                for d in [365, 366] {
                    for n in [0, 1, 2, 46, 181, 273, 365, 366, 511, 512, 1000] {
                        assert_eq!(t.factor_pow(i, basis, d, n), pow(t.factor(i, basis, d), n), "{i} {d} {n}");
                    }
                }
            }
        }
    }

    #[test]
    fn daily_factors_are_exact_to_28_places() {
        let t = RateTable::builtin();
        let i = t.index_on(date!(2025 - 06 - 01)).unwrap();
        assert_eq!(t.factor(i, InterestBasis::Corporate, 365).to_string(), "1.0001643835616438356164383562");
        assert_eq!(t.factor(i, InterestBasis::NonCorporate, 366).to_string(), "1.0001912568306010928961748634");
    }
}

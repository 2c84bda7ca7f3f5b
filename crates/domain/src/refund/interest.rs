//! Interest on a refund of excess deposits, 19 U.S.C. 1505(c) with the daily compounding of
//! 26 U.S.C. 6622.
//!
//! # Definition
//! Interest accrues for each day `d` with `deposit < d <= liquidation`, at the overpayment rate
//! `r` in force on `d` (the corporate overpayment rate for a corporation), compounded daily with
//! divisor `D` = 366 when `d` falls in a leap year and 365 otherwise:
//!
//! ```text
//! interest = principal × ( ∏ over the days d of (1 + r(d) / D(d))  −  1 )
//! ```
//!
//! rounded **once**, at the end, to the cent, half a cent up. CBP publishes no rounding rule; one
//! rounding of the exact figure is the choice that makes the result independent of how days are
//! grouped.
//!
//! # How it is computed
//! Consecutive days with the same rate and divisor form a segment (a quarter, or the part of one
//! the period covers; a new year starts a new segment when the divisor changes). A segment of `n`
//! days contributes `(1 + r/D)^n`, raised by repeated squaring: about 2·log2(n) multiplications
//! instead of `n`. Arithmetic is `rust_decimal` (96-bit mantissa, 28 decimal places): each daily
//! factor is exact to 28 places and the products lose far less than a cent even on
//! $10,000,000,000.00 over decades; the tests check the result against an exact rational per-day
//! product, to the cent.
//!
//! A day without a rate stops the computation: [`InterestError::NoRate`] names the first such day,
//! and the caller holds the refund until the rate is known.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use time::Date;

use super::dates::{days_in_year, iso_date};
use super::money::Cents;
use super::percent::Percent;
use super::rates::{InterestBasis, RateTable};

/// Consecutive days at one rate and divisor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InterestSegment {
    /// The first day that accrues interest in this segment.
    #[serde(with = "iso_date")]
    pub from: Date,
    /// The last day, included.
    #[serde(with = "iso_date")]
    pub to: Date,
    /// The number of days from `from` to `to`, both included.
    pub days: u32,
    /// The yearly overpayment rate of these days.
    pub rate_pct: Percent,
    /// The days of the year the rate is divided by: 365, or 366 in a leap year.
    pub divisor: u16,
}

/// Interest on one refund, and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Interest {
    /// The interest, rounded to the cent.
    pub cents: Cents,
    /// The days that accrued interest, grouped by rate and divisor, in date order (empty when
    /// nothing accrued).
    pub segments: Vec<InterestSegment>,
}

/// Why interest could not be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InterestError {
    /// The rate table has no rate for this day (the first such day of the period).
    #[error("no interest rate is known for {day}; the refund waits until the rate for that quarter is added")]
    NoRate {
        /// The first day without a rate.
        day: Date,
    },
    /// The liquidation date is before the deposit date.
    #[error("the liquidation date ({liquidation}) is before the deposit date ({deposit}); check both dates")]
    LiquidationBeforeDeposit {
        /// The deposit date given.
        deposit: Date,
        /// The liquidation date given.
        liquidation: Date,
    },
    /// A negative principal.
    #[error("the principal cannot be negative")]
    NegativePrincipal,
    /// The figures exceed what the arithmetic holds (rates near 100% over many decades).
    #[error("the interest is too large to compute; check the rates and dates")]
    Overflow,
}

/// Splits `first..=last` into segments of one rate and one divisor, each with the index of its
/// row in `table`, or the first day without a rate.
fn segments(
    table: &RateTable,
    first: Date,
    last: Date,
    basis: InterestBasis,
) -> Result<Vec<(InterestSegment, usize)>, InterestError> {
    let mut out: Vec<(InterestSegment, usize)> = Vec::new();
    let mut day = first;
    let mut row = table.index_on(day).ok_or(InterestError::NoRate { day })?;
    loop {
        let row_last = table.row_last_day(row);
        // The last day of `day`'s year, where the divisor may change.
        let year_last = Date::from_calendar_date(day.year(), time::Month::December, 31).unwrap_or(row_last);
        let to = last.min(row_last).min(year_last);
        let days = u32::try_from((to - day).whole_days() + 1).map_err(|_| InterestError::Overflow)?;
        let seg = InterestSegment {
            from: day,
            to,
            days,
            rate_pct: table.rows()[row].overpayment_rate(basis),
            divisor: days_in_year(day.year()),
        };
        match out.last_mut() {
            Some((prev, _)) if prev.rate_pct == seg.rate_pct && prev.divisor == seg.divisor => {
                prev.to = seg.to;
                prev.days += seg.days;
            }
            _ => out.push((seg, row)),
        }
        if to >= last {
            return Ok(out);
        }
        // `to < last`, so the next day exists.
        day = to.next_day().ok_or(InterestError::Overflow)?;
        if day > row_last {
            row += 1;
            if row >= table.rows().len() {
                return Err(InterestError::NoRate { day });
            }
        }
    }
}

/// The 19 U.S.C. 1505(c) interest on `principal` deposited on `deposit` and refunded on the
/// liquidation (or reliquidation) of `liquidation`, at `table`'s overpayment rates on `basis`
/// (see the module documentation for the definition).
///
/// Equal dates give $0.00 and no segments. Whether a refund bears interest at all is the
/// caller's question ([`super::RefundSource::bears_interest`]).
pub fn accrued_interest(
    table: &RateTable,
    principal: Cents,
    deposit: Date,
    liquidation: Date,
    basis: InterestBasis,
) -> Result<Interest, InterestError> {
    if principal.is_negative() {
        return Err(InterestError::NegativePrincipal);
    }
    if liquidation < deposit {
        return Err(InterestError::LiquidationBeforeDeposit { deposit, liquidation });
    }
    if liquidation == deposit {
        return Ok(Interest { cents: Cents::ZERO, segments: Vec::new() });
    }
    // `deposit < liquidation`, so the day after the deposit exists.
    let first = deposit.next_day().ok_or(InterestError::Overflow)?;
    let segs = segments(table, first, liquidation, basis)?;
    let mut growth = Decimal::ONE;
    for (seg, row) in &segs {
        let factor = table.factor_pow(*row, basis, seg.divisor, seg.days).ok_or(InterestError::Overflow)?;
        growth = growth.checked_mul(factor).ok_or(InterestError::Overflow)?;
    }
    let exact = Decimal::from(principal.get()).checked_mul(growth - Decimal::ONE).ok_or(InterestError::Overflow)?;
    let cents = exact
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .ok_or(InterestError::Overflow)?;
    Ok(Interest { cents: Cents::new(cents), segments: segs.into_iter().map(|(s, _)| s).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refund::percent::Percent;
    use crate::refund::rates::pow;
    use num_bigint::BigUint;
    use proptest::prelude::*;
    use time::macros::date;

    fn dollars(s: &str) -> Cents {
        Cents::parse_dollars(s).unwrap()
    }

    fn interest(p: &str, from: Date, to: Date, basis: InterestBasis) -> Interest {
        accrued_interest(RateTable::builtin(), dollars(p), from, to, basis).unwrap()
    }

    fn seg(from: Date, to: Date, days: u32, pct: u32, divisor: u16) -> InterestSegment {
        InterestSegment { from, to, days, rate_pct: Percent::from_basis_points(pct * 100), divisor }
    }

    /// The issue's vectors.
    #[test]
    fn vector_corporate_2025() {
        let i = interest("10000.00", date!(2025 - 03 - 03), date!(2025 - 12 - 01), InterestBasis::Corporate);
        assert_eq!(i.cents.to_string(), "$458.95");
        assert_eq!(i.segments, [seg(date!(2025 - 03 - 04), date!(2025 - 12 - 01), 273, 6, 365)]);
    }

    #[test]
    fn vector_across_a_leap_year_end() {
        let (from, to) = (date!(2024 - 11 - 15), date!(2025 - 06 - 30));
        let corp = interest("10000.00", from, to, InterestBasis::Corporate);
        assert_eq!(corp.cents.to_string(), "$393.01");
        assert_eq!(
            corp.segments,
            [
                seg(date!(2024 - 11 - 16), date!(2024 - 12 - 31), 46, 7, 366),
                seg(date!(2025 - 01 - 01), date!(2025 - 06 - 30), 181, 6, 365)
            ]
        );
        let other = interest("10000.00", from, to, InterestBasis::NonCorporate);
        assert_eq!(other.cents.to_string(), "$457.80");
        assert_eq!(other.segments[0].rate_pct, Percent::from_basis_points(800));
    }

    #[test]
    fn vector_large_non_corporate() {
        let i = interest("2500000.00", date!(2023 - 12 - 20), date!(2025 - 09 - 30), InterestBasis::NonCorporate);
        assert_eq!(i.cents.to_string(), "$360,635.58");
        assert_eq!(
            i.segments,
            [
                seg(date!(2023 - 12 - 21), date!(2023 - 12 - 31), 11, 8, 365),
                seg(date!(2024 - 01 - 01), date!(2024 - 12 - 31), 366, 8, 366),
                seg(date!(2025 - 01 - 01), date!(2025 - 09 - 30), 273, 7, 365)
            ]
        );
    }

    #[test]
    fn same_day_is_zero() {
        let d = date!(2025 - 03 - 03);
        let i = interest("10000.00", d, d, InterestBasis::Corporate);
        assert_eq!(i.cents, Cents::ZERO);
        assert!(i.segments.is_empty());
        // Even outside the table: no day accrues, so no rate is needed.
        let far = date!(2030 - 01 - 01);
        assert_eq!(interest("1.00", far, far, InterestBasis::Corporate).cents, Cents::ZERO);
    }

    #[test]
    fn one_day_and_zero_principal() {
        let d = date!(2025 - 03 - 03);
        let next = date!(2025 - 03 - 04);
        // $10,000 x 6%/365 = $1.6438...
        assert_eq!(interest("10000.00", d, next, InterestBasis::Corporate).cents, Cents::new(164));
        assert_eq!(interest("0.00", d, next, InterestBasis::Corporate).cents, Cents::ZERO);
    }

    #[test]
    fn errors_name_what_to_fix() {
        let t = RateTable::builtin();
        let p = dollars("100.00");
        let e =
            accrued_interest(t, p, date!(2026 - 03 - 01), date!(2026 - 05 - 01), InterestBasis::Corporate).unwrap_err();
        assert_eq!(e, InterestError::NoRate { day: date!(2026 - 04 - 01) });
        assert_eq!(
            e.to_string(),
            "no interest rate is known for 2026-04-01; the refund waits until the rate for that quarter is added"
        );
        let e =
            accrued_interest(t, p, date!(2019 - 12 - 01), date!(2020 - 02 - 01), InterestBasis::Corporate).unwrap_err();
        assert_eq!(e, InterestError::NoRate { day: date!(2019 - 12 - 02) });
        let e =
            accrued_interest(t, p, date!(2025 - 02 - 01), date!(2025 - 01 - 01), InterestBasis::Corporate).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the liquidation date (2025-01-01) is before the deposit date (2025-02-01); check both dates"
        );
        let e =
            accrued_interest(t, Cents::new(-1), date!(2025 - 01 - 01), date!(2025 - 02 - 01), InterestBasis::Corporate);
        assert_eq!(e, Err(InterestError::NegativePrincipal));
        // The last day with a rate is fine.
        assert!(accrued_interest(t, p, date!(2019 - 12 - 31), date!(2026 - 03 - 31), InterestBasis::Corporate).is_ok());
    }

    #[test]
    fn extreme_inputs_do_not_panic() {
        let csv = "effective_from,overpayment_pct,corporate_overpayment_pct,underpayment_pct\n";
        let mut text = csv.to_string();
        for y in 1900..2100 {
            for m in [1, 4, 7, 10] {
                text.push_str(&format!("{y}-{m:02}-01,100,100,100\n"));
            }
        }
        let t = RateTable::from_csv(&text).unwrap();
        let r = accrued_interest(
            &t,
            Cents::MAX_AMOUNT,
            date!(1900 - 01 - 01),
            date!(2099 - 12 - 31),
            InterestBasis::Corporate,
        );
        assert_eq!(r, Err(InterestError::Overflow));
        // Ten billion dollars over 26 years at 100% is about e^26 times the principal: more cents
        // than an i64 holds, reported rather than wrapped.
        let r = accrued_interest(
            &t,
            Cents::MAX_AMOUNT,
            date!(2000 - 01 - 01),
            date!(2026 - 01 - 01),
            InterestBasis::Corporate,
        );
        assert_eq!(r, Err(InterestError::Overflow));
        // Over 10 years (about e^10 = 22,000 times) it fits and is computed.
        let r = accrued_interest(
            &t,
            Cents::MAX_AMOUNT,
            date!(2000 - 01 - 01),
            date!(2010 - 01 - 01),
            InterestBasis::Corporate,
        );
        assert!(r.as_ref().is_ok_and(|i| i.cents.get() > 2_000_000_000_000_000), "{r:?}");
    }

    #[test]
    fn squaring_matches_repeated_multiplication() {
        let f = RateTable::builtin().factor(0, InterestBasis::Corporate, 366);
        let mut naive = Decimal::ONE;
        for n in 0..=400u32 {
            let fast = pow(f, n).unwrap();
            let diff = (fast - naive).abs();
            assert!(diff < Decimal::new(1, 24), "n={n}: {fast} vs {naive}");
            naive *= f;
        }
    }

    /// The second, independent implementation: an exact rational product, one day at a time, with
    /// the rates looked up day by day, rounded half up once. Returns `None` when a day has no rate.
    fn exact_per_day(
        t: &RateTable,
        principal: u64,
        deposit: Date,
        liquidation: Date,
        basis: InterestBasis,
    ) -> Option<u64> {
        let mut num = BigUint::from(1u32);
        let mut den = BigUint::from(1u32);
        let mut d = deposit;
        while d < liquidation {
            d = d.next_day()?;
            let r = t.rate_on(d)?.overpayment_rate(basis).basis_points();
            let days: u32 = if time::util::is_leap_year(d.year()) { 366 } else { 365 };
            // 1 + bp / (10000 * D) = (10000 * D + bp) / (10000 * D)
            num *= 10_000 * days + r;
            den *= 10_000 * days;
        }
        // round_half_up(principal * (num - den) / den) = floor((2 * principal * (num - den) + den) / (2 * den))
        let two = BigUint::from(2u32);
        let top = &two * BigUint::from(principal) * (&num - &den) + &den;
        let q: BigUint = top / (&two * &den);
        u64::try_from(q).ok()
    }

    #[test]
    fn vectors_agree_with_the_exact_product() {
        let t = RateTable::builtin();
        let cases = [
            (1_000_000, date!(2025 - 03 - 03), date!(2025 - 12 - 01), InterestBasis::Corporate, 45_895),
            (1_000_000, date!(2024 - 11 - 15), date!(2025 - 06 - 30), InterestBasis::Corporate, 39_301),
            (1_000_000, date!(2024 - 11 - 15), date!(2025 - 06 - 30), InterestBasis::NonCorporate, 45_780),
            (250_000_000, date!(2023 - 12 - 20), date!(2025 - 09 - 30), InterestBasis::NonCorporate, 36_063_558),
        ];
        for (p, from, to, basis, expected) in cases {
            assert_eq!(exact_per_day(t, p, from, to, basis), Some(expected));
            let fast = accrued_interest(t, Cents::new(p as i64), from, to, basis).unwrap();
            assert_eq!(fast.cents.get() as u64, expected);
        }
    }

    /// Years of the same length at the same rate merge into one segment longer than the kept powers
    /// cover (2013-2015: 1,095 days at 2%/365, as the rates were then).
    #[test]
    fn a_segment_over_several_years() {
        let mut text = format!("{}\n", crate::refund::RATES_CSV_HEADER);
        for y in 2013..=2015 {
            for m in [1, 4, 7, 10] {
                text.push_str(&format!("{y}-{m:02}-01,3,2,3\n"));
            }
        }
        let t = RateTable::from_csv(&text).unwrap();
        let (from, to) = (date!(2012 - 12 - 31), date!(2015 - 12 - 31));
        let i = accrued_interest(&t, Cents::new(123_456_789), from, to, InterestBasis::Corporate).unwrap();
        assert_eq!(i.segments, [seg(date!(2013 - 01 - 01), to, 1095, 2, 365)]);
        let exact = exact_per_day(&t, 123_456_789, from, to, InterestBasis::Corporate).unwrap();
        assert_eq!(i.cents.get() as u64, exact);
        // $1,234,567.89 x ((1 + 0.02/365)^1095 - 1) = $76,339.25995... (Python decimal, 40 digits).
        assert_eq!(i.cents.to_string(), "$76,339.26");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Any principal up to $10 billion, any period inside the shipped table (2020-2026), either
        /// basis: the segment-and-squaring result equals the exact per-day product to the cent,
        /// and the segments add up to the period.
        #[test]
        fn agrees_with_exact_rational_per_day(
            principal in 0i64..=1_000_000_000_000,
            start in 0i64..2280,
            len in 0i64..2280,
            corporate in any::<bool>(),
        ) {
            let t = RateTable::builtin();
            let first = date!(2019 - 12 - 31);
            let deposit = first + time::Duration::days(start);
            let liquidation = deposit + time::Duration::days(len);
            let basis = if corporate { InterestBasis::Corporate } else { InterestBasis::NonCorporate };
            let exact = exact_per_day(t, principal as u64, deposit, liquidation, basis);
            let fast = accrued_interest(t, Cents::new(principal), deposit, liquidation, basis);
            match (exact, fast) {
                (Some(e), Ok(f)) => {
                    prop_assert_eq!(f.cents.get() as u64, e);
                    let days: u32 = f.segments.iter().map(|s| s.days).sum();
                    prop_assert_eq!(i64::from(days), len);
                    for w in f.segments.windows(2) {
                        prop_assert_eq!(w[0].to.next_day(), Some(w[1].from));
                        prop_assert!(w[0].rate_pct != w[1].rate_pct || w[0].divisor != w[1].divisor);
                    }
                }
                (None, Err(InterestError::NoRate { day })) => prop_assert!(t.rate_on(day).is_none()),
                (e, f) => prop_assert!(false, "exact {:?} but fast {:?}", e, f),
            }
        }
    }
}

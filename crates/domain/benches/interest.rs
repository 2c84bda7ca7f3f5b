//! Interest computations per second (one core), on the shipped rate table:
//!
//!   cargo bench -p domain --bench interest
//!
//! - `interest/mixed-1000`: 1,000 refunds with deposit dates spread over 2020-01-01 to 2024-03-31
//!   and periods of 0 to 2 years (all inside the table, so every one is computed), principals up
//!   to $10 million, both bases.
//! - `interest/one-year`: one refund over about a year (three segments).
//! - `interest/six-years`: one refund over the whole table (2020-01-01 to 2026-03-31).
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use domain::refund::{Cents, InterestBasis, RateTable, accrued_interest};
use std::hint::black_box;
use time::{Date, Duration, Month};

fn day(y: i32, m: Month, d: u8) -> Date {
    Date::from_calendar_date(y, m, d).expect("valid date")
}

fn bench(c: &mut Criterion) {
    let table = RateTable::builtin();
    let start = day(2020, Month::January, 1);
    // A fixed pseudo-random spread (a linear congruential sequence, no dependency).
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        x >> 33
    };
    let rows: Vec<(Cents, Date, Date, InterestBasis)> = (0..1000)
        .map(|_| {
            let deposit = start + Duration::days((next() % 1552) as i64);
            let liquidation = deposit + Duration::days((next() % 730) as i64);
            let principal = Cents::new((next() % 1_000_000_000) as i64);
            let basis = if next() % 2 == 0 { InterestBasis::Corporate } else { InterestBasis::NonCorporate };
            (principal, deposit, liquidation, basis)
        })
        .collect();
    let computed = rows.iter().filter(|(p, d, l, basis)| accrued_interest(table, *p, *d, *l, *basis).is_ok()).count();
    assert_eq!(computed, rows.len(), "every benchmark row lies inside the shipped table");

    let mut g = c.benchmark_group("interest");
    g.throughput(Throughput::Elements(rows.len() as u64));
    g.bench_function("mixed-1000", |b| {
        b.iter(|| {
            let mut ok = 0u32;
            for (p, d, l, basis) in &rows {
                ok += u32::from(accrued_interest(table, *p, *d, *l, *basis).is_ok());
            }
            black_box(ok)
        })
    });
    g.throughput(Throughput::Elements(1));
    let p = Cents::new(1_000_000);
    g.bench_function("one-year", |b| {
        b.iter(|| {
            accrued_interest(
                table,
                black_box(p),
                day(2024, Month::November, 15),
                day(2025, Month::November, 30),
                InterestBasis::Corporate,
            )
        })
    });
    g.bench_function("six-years", |b| {
        b.iter(|| {
            accrued_interest(table, black_box(p), start, day(2026, Month::March, 31), InterestBasis::NonCorporate)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

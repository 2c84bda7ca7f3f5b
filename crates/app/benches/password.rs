//! Cost of one password check and one password hash (Argon2id with the argon2 crate's defaults,
//! which `app::portal::users` uses: m = 19,456 KiB, t = 2, p = 1, one lane, one thread).
//!
//!   cargo bench -p app --bench password
//!   taskset -c 1 cargo bench -p app --bench password    # on one core, as bench/portal/login.sh does
//!
//! - `verify_password/correct`: what a login with the right password pays (PHC parse + Argon2id).
//! - `verify_password/wrong`: the same work for a wrong password (and, with the dummy hash, for an
//!   unknown email).
//! - `hash_password`: setting a password (a fresh salt, Argon2id, PHC encoding).
//!
//! Before measuring, the bench prints the PHC string's parameters so the figures can be tied to
//! the parameters actually in force.
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

const PASSWORD: &str = "harbor crane lemon";

fn bench(c: &mut Criterion) {
    let hash = app::portal::users::hash_password(PASSWORD).expect("hash");
    // $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
    let params: Vec<&str> = hash.split('$').take(4).collect();
    eprintln!("PHC parameters: {}", params.join("$"));
    assert!(app::portal::users::verify_password(PASSWORD, &hash));

    let mut g = c.benchmark_group("verify_password");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    g.bench_function("correct", |b| {
        b.iter(|| assert!(app::portal::users::verify_password(black_box(PASSWORD), &hash)))
    });
    g.bench_function("wrong", |b| {
        b.iter(|| assert!(!app::portal::users::verify_password(black_box("harbor crane lime"), &hash)))
    });
    g.finish();

    let mut g = c.benchmark_group("hash_password");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    g.bench_function("new", |b| b.iter(|| app::portal::users::hash_password(black_box(PASSWORD)).expect("hash")));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Throughput benches (bytes/s = NACHA text per second, one core).
//!
//!   ACE_NACHA_CORPUS=/path/to/moov cargo bench -p nacha --bench throughput
//!
//! - `validate/moov-*`: parse + full validation of moov's 100,000-entry files (gunzipped in memory).
//! - `rs_ach_parse/moov-*`: the `rs-ach` crate parsing the same bytes (parse only, no validation).
//! - `validate/ours-1m`: parse + validation of a 1,000,000-entry CCD+ file of our own.
//! - `write/*`: writing 100,000 / 1,000,000 CCD+ entries into a reused in-memory buffer.
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nacha::generate::{GenSpec, generate};
use nacha::{ReadOptions, validate_bytes};
use std::hint::black_box;
use std::process::Command;

fn moov(name: &str) -> Option<Vec<u8>> {
    let dir = std::env::var_os("ACE_NACHA_CORPUS")?;
    let path = std::path::Path::new(&dir).join(name);
    let out = Command::new("gzip").arg("-dc").arg(path).output().ok()?;
    out.status.success().then_some(out.stdout)
}

fn bench(c: &mut Criterion) {
    let opts = ReadOptions::default();
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    for (label, file) in [
        ("moov-ppd-100k", "PPD-200-batches-100000-entries.ach.gz"),
        ("moov-ccd-addenda-100k", "CCD+addenda05-200-batches-100000-entries.ach.gz"),
    ] {
        match moov(file) {
            Some(b) => inputs.push((label.to_string(), b)),
            None => eprintln!("note: {file} not available (set ACE_NACHA_CORPUS); skipped"),
        }
    }
    let ours = generate(Vec::new(), &GenSpec::new(1_000_000)).expect("generate");
    inputs.push(("ours-ccd-addenda-1m".into(), ours));

    let mut g = c.benchmark_group("validate");
    for (label, bytes) in &inputs {
        let r = validate_bytes(bytes, &opts);
        assert!(r.valid || label.starts_with("moov"), "{label}: {:?}", r.errors.first());
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(label.as_str(), |b| b.iter(|| black_box(validate_bytes(black_box(bytes), &opts).entries)));
    }
    g.finish();

    let mut g = c.benchmark_group("rs_ach_parse");
    for (label, bytes) in &inputs {
        let Ok(text) = std::str::from_utf8(bytes) else { continue };
        if rs_ach::AchFile::parse(text).is_err() {
            eprintln!("note: rs-ach cannot parse {label}");
            continue;
        }
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(label.as_str(), |b| {
            b.iter(|| black_box(rs_ach::AchFile::parse(black_box(text)).map(|f| f.batches.len()).unwrap_or(0)))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("write");
    for n in [100_000u64, 1_000_000] {
        let spec = GenSpec::new(n);
        let len = generate(Vec::new(), &spec).expect("generate").len();
        g.throughput(Throughput::Bytes(len as u64));
        let mut buf: Vec<u8> = Vec::with_capacity(len);
        g.bench_function(format!("ccd-addenda-{n}"), |b| {
            b.iter(|| {
                buf.clear();
                let w = generate(std::mem::take(&mut buf), black_box(&spec)).expect("generate");
                buf = w;
                black_box(buf.len())
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(15).measurement_time(std::time::Duration::from_secs(6));
    targets = bench
}
criterion_main!(benches);

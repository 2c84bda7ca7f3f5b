//! Throughput benches (bytes/s = NACHA text per second, one core).
//!
//!   ACE_NACHA_CORPUS=/path/to/moov cargo bench -p nacha --bench throughput
//!
//! - `validate/moov-*`: parse + full validation of moov's 100,000-entry files (gunzipped in memory).
//! - `rs_ach_parse/moov-*`: the `rs-ach` crate parsing the same bytes (parse only, no validation).
//! - `validate/ours-1m`: parse + validation of a 1,000,000-entry CCD+ file of our own.
//! - `write/*`: generating and writing 100,000 / 1,000,000 CCD+ entries into a reused in-memory
//!   buffer (`nacha::generate`: the synthetic content is formatted inside the timed loop).
//! - `write_prebuilt/*`: the `Writer` alone on 100,000 entries built beforehand (what an
//!   application that already holds its entries pays).
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nacha::generate::{GenSpec, generate};
use nacha::{
    BatchHeaderFields, EntryFields, FileHeaderFields, NewAddenda, ReadOptions, RoutingNumber, SecCode, ServiceClass,
    TransactionCode, Writer, validate_bytes,
};
use std::borrow::Cow;
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

    // The writer alone: the same content as `generate` (peers' common data), entries built first.
    let rn = |s: &str| RoutingNumber::parse(s).expect("routing");
    let header = FileHeaderFields {
        immediate_destination: rn("231380104"),
        immediate_origin: "121042882".into(),
        creation_date: "260102".into(),
        creation_time: "0304".into(),
        file_id_modifier: 'A',
        destination_name: "FEDERAL RESERVE BANK".into(),
        origin_name: "MY BANK NAME".into(),
        reference_code: String::new(),
    };
    let batch = BatchHeaderFields {
        service_class: ServiceClass::CreditsOnly,
        company_name: "MY COMPANY".into(),
        company_discretionary_data: String::new(),
        company_identification: "1234567890".into(),
        sec_code: SecCode::CCD,
        entry_description: "REFUND".into(),
        descriptive_date: String::new(),
        effective_entry_date: "260105".into(),
        originator_status_code: '2',
        odfi: rn("121042882"),
    };
    let n = 100_000u64;
    let entries: Vec<EntryFields<'static>> = (0..n)
        .map(|i| EntryFields {
            transaction_code: TransactionCode::CHECKING_CREDIT,
            rdfi: rn(nacha::generate::ROUTINGS[(i % 5) as usize]),
            account_number: Cow::Owned(format!("ACCT{i:07}")),
            amount_cents: 100 + i % 100_000,
            identification_number: Cow::Borrowed(""),
            individual_name: Cow::Owned(format!("VENDOR {i:06}")),
            discretionary_data: Cow::Borrowed(""),
            addenda: vec![NewAddenda::Remittance {
                payment_related_information: format!(
                    "REFUND OF ENTRY {:03}-{:07}-{}",
                    i % 1000,
                    i % 10_000_000,
                    i % 10
                ),
            }],
        })
        .collect();
    let write_all = |out: Vec<u8>| -> Vec<u8> {
        let mut w = Writer::new(out, &header).expect("header");
        w.begin_batch(&batch).expect("batch");
        for e in &entries {
            w.add_entry(e).expect("entry");
        }
        w.end_batch().expect("end batch");
        w.finish().expect("finish")
    };
    let bytes = write_all(Vec::new());
    assert_eq!(bytes, generate(Vec::new(), &GenSpec::new(n)).expect("generate"), "same content as generate");
    let mut g = c.benchmark_group("write_prebuilt");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    let mut buf: Vec<u8> = Vec::with_capacity(bytes.len());
    g.bench_function(format!("ccd-addenda-{n}"), |b| {
        b.iter(|| {
            buf.clear();
            buf = write_all(std::mem::take(&mut buf));
            black_box(buf.len())
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(15).measurement_time(std::time::Duration::from_secs(6));
    targets = bench
}
criterion_main!(benches);

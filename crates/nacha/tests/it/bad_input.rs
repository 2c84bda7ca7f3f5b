//! The bad-input list: each gives a clear error, none panics.

use nacha::generate::{GenSpec, generate};
use nacha::{ReadOptions, Report, validate_bytes};

fn good() -> Vec<u8> {
    generate(Vec::new(), &GenSpec { batch_size: 10, ..GenSpec::new(12) }).expect("generate")
}

fn lines(b: &[u8]) -> Vec<Vec<u8>> {
    b.split(|&c| c == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect()
}

fn join(ls: &[Vec<u8>]) -> Vec<u8> {
    let mut v = Vec::new();
    for l in ls {
        v.extend_from_slice(l);
        v.push(b'\n');
    }
    v
}

fn errs(b: &[u8], opts: &ReadOptions) -> Report {
    let r = validate_bytes(b, opts);
    assert!(!r.valid, "expected errors");
    r
}

fn any(r: &Report, field: &str, msg: &str) -> bool {
    r.errors.iter().any(|e| e.field == field && e.message.contains(msg))
}

#[test]
fn generated_file_is_valid() {
    assert!(validate_bytes(&good(), &ReadOptions::strict()).valid);
}

#[test]
fn truncated_files() {
    let g = good();
    for cut in [0, 1, 50, 94, 95, 500, g.len() / 2, g.len() - 951] {
        let r = validate_bytes(&g[..cut], &ReadOptions::default());
        assert!(!r.valid, "cut at {cut}");
    }
}

#[test]
fn binary_garbage_and_non_ascii() {
    let mut x: u64 = 88172645463325252;
    let mut g = Vec::new();
    for _ in 0..100_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        g.push(x as u8);
    }
    assert!(!validate_bytes(&g, &ReadOptions::default()).valid);
    let mut ls = lines(&good());
    ls[2].splice(60..62, "é".bytes());
    let r = validate_bytes(&join(&ls), &ReadOptions::strict());
    assert!(any(&r, "record_length", "found 93"), "{:?}", r.errors);
}

#[test]
fn lines_of_93_and_95_characters() {
    let mut ls = lines(&good());
    ls[2].pop();
    let r = errs(&join(&ls), &ReadOptions::strict());
    assert!(any(&r, "record_length", "found 93"));
    let mut ls = lines(&good());
    ls[2].push(b'X');
    let r = errs(&join(&ls), &ReadOptions::default());
    assert!(any(&r, "record_length", "found 95"));
}

#[test]
fn amount_above_limit_is_not_representable() {
    let mut ls = lines(&good());
    ls[2][29..39].copy_from_slice(b"99999999A9");
    let r = errs(&join(&ls), &ReadOptions::default());
    assert!(any(&r, "amount", "digits"));
}

#[test]
fn wrong_entry_hash() {
    let mut ls = lines(&good());
    let bc = ls.iter().position(|l| l[0] == b'8').expect("batch control");
    ls[bc][10..20].copy_from_slice(b"0000000001");
    let r = errs(&join(&ls), &ReadOptions::default());
    assert!(r.errors.iter().any(|e| e.record == "BatchControl" && e.field == "entry_hash"));
}

#[test]
fn out_of_order_trace_numbers() {
    let mut ls = lines(&good());
    // Entries are lines 3, 5, ... (each followed by its addenda): swap the first two entry+addenda pairs.
    ls.swap(2, 4);
    ls.swap(3, 5);
    let r = errs(&join(&ls), &ReadOptions::default());
    assert!(any(&r, "trace_number", "ascending"), "{:?}", r.errors);
}

#[test]
fn addenda_without_entry() {
    let mut ls = lines(&good());
    let a = ls[3].clone();
    ls.insert(2, a);
    let r = errs(&join(&ls), &ReadOptions::default());
    assert!(r.errors.iter().any(|e| e.message.contains("addenda outside an entry")), "{:?}", r.errors);
}

#[test]
fn records_after_file_control() {
    let mut ls = lines(&good());
    let fc = ls.iter().position(|l| l[0] == b'9' && l[1] != b'9').expect("file control");
    let e = ls[2].clone();
    ls.insert(fc + 1, e);
    let r = errs(&join(&ls), &ReadOptions::default());
    assert!(r.errors.iter().any(|e| e.message.contains("after the file control")));
}

#[test]
fn every_error_is_reported_not_just_the_first() {
    let mut ls = lines(&good());
    for i in [2, 4, 6] {
        ls[i][1..3].copy_from_slice(b"99");
    }
    let r = errs(&join(&ls), &ReadOptions::default());
    let lines: Vec<u64> = r.errors.iter().filter(|e| e.field == "transaction_code").map(|e| e.line).collect();
    assert_eq!(lines, vec![3, 5, 7]);
}

//! Property tests: random valid files round-trip write -> read -> write byte for byte, validate
//! cleanly, and survive the JSON form; corpus records survive the JSON form.

use nacha::json::{InRecord, JsonRecord, render};
use nacha::*;
use proptest::prelude::*;
use std::borrow::Cow;

const ROUTINGS: [&str; 5] = ["231380104", "121042882", "011000015", "021000021", "091000019"];

#[derive(Clone, Debug)]
struct GenEntry {
    code: u8,
    routing: usize,
    account: String,
    amount: u64,
    id: String,
    name: String,
    remittance: Option<String>,
}

fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Z0-9 .,&#/-]{{0,{max}}}")).expect("regex")
}

fn entry() -> impl Strategy<Value = GenEntry> {
    (
        prop::sample::select(vec![22u8, 23, 27, 28, 32, 33, 37, 38]),
        0..5usize,
        proptest::string::string_regex("[A-Z0-9-]{1,17}").expect("regex"),
        1..=9_999_999_999u64,
        text(15),
        // PPD entries name their receiver (not only spaces and zeros).
        proptest::string::string_regex("[A-Z][A-Z0-9 .,&#/-]{0,21}").expect("regex"),
        prop::option::of(text(80)),
    )
        .prop_map(|(code, routing, account, amount, id, name, remittance)| {
            let prenote = matches!(code % 10, 3 | 8);
            GenEntry { code, routing, account, amount: if prenote { 0 } else { amount }, id, name, remittance }
        })
}

fn batches() -> impl Strategy<Value = Vec<(bool, Vec<GenEntry>)>> {
    prop::collection::vec((any::<bool>(), prop::collection::vec(entry(), 1..20)), 1..5)
}

fn header() -> FileHeaderFields {
    FileHeaderFields {
        immediate_destination: RoutingNumber::parse("231380104").expect("rn"),
        immediate_origin: "1234567890".into(),
        creation_date: "260102".into(),
        creation_time: "0304".into(),
        file_id_modifier: 'B',
        destination_name: "FED".into(),
        origin_name: "ORIGIN".into(),
        reference_code: "REF".into(),
    }
}

fn batch_fields(ccd: bool) -> BatchHeaderFields {
    BatchHeaderFields {
        service_class: ServiceClass::Mixed,
        company_name: "MY COMPANY".into(),
        company_discretionary_data: "DISC".into(),
        company_identification: "1234567890".into(),
        sec_code: if ccd { SecCode::CCD } else { SecCode::PPD },
        entry_description: "REFUND".into(),
        descriptive_date: "JAN 26".into(),
        effective_entry_date: "260105".into(),
        originator_status_code: '2',
        odfi: RoutingNumber::parse("121042882").expect("rn"),
    }
}

fn write_generated(bs: &[(bool, Vec<GenEntry>)]) -> Vec<u8> {
    let mut w = Writer::new(Vec::new(), &header()).expect("header");
    for (ccd, entries) in bs {
        w.begin_batch(&batch_fields(*ccd)).expect("batch");
        for e in entries {
            let addenda = e
                .remittance
                .iter()
                .map(|r| NewAddenda::Remittance { payment_related_information: r.clone() })
                .collect();
            w.add_entry(&EntryFields {
                transaction_code: TransactionCode::new(e.code).expect("code"),
                rdfi: RoutingNumber::parse(ROUTINGS[e.routing]).expect("rn"),
                account_number: Cow::Borrowed(&e.account),
                amount_cents: e.amount,
                identification_number: Cow::Borrowed(&e.id),
                individual_name: Cow::Borrowed(&e.name),
                discretionary_data: Cow::Borrowed(""),
                addenda,
            })
            .expect("entry");
        }
        w.end_batch().expect("end batch");
    }
    w.finish().expect("finish")
}

/// Rebuilds the writer inputs from what the reader sees, then writes again.
fn rewrite(bytes: &[u8]) -> Vec<u8> {
    let f = read_file(bytes, &ReadOptions::strict());
    assert!(f.report.valid, "{:?}", f.report.errors);
    let fh = f.header.as_ref().and_then(|h| h.file_header()).expect("header");
    let h = FileHeaderFields {
        immediate_destination: RoutingNumber::parse(String::from_utf8_lossy(fh.immediate_destination()).trim())
            .expect("dest"),
        immediate_origin: String::from_utf8_lossy(fh.immediate_origin()).trim().to_string(),
        creation_date: String::from_utf8_lossy(fh.creation_date()).into_owned(),
        creation_time: String::from_utf8_lossy(fh.creation_time()).into_owned(),
        file_id_modifier: fh.file_id_modifier()[0] as char,
        destination_name: fh.destination_name().into_owned(),
        origin_name: fh.origin_name().into_owned(),
        reference_code: fh.reference_code().into_owned(),
    };
    let mut w = Writer::new(Vec::new(), &h).expect("header");
    for b in &f.batches {
        let bh = b.header.as_ref().and_then(|h| h.batch_header()).expect("batch header");
        w.begin_batch(&BatchHeaderFields {
            service_class: bh.service_class().expect("sc"),
            company_name: bh.company_name().into_owned(),
            company_discretionary_data: bh.company_discretionary_data().into_owned(),
            company_identification: String::from_utf8_lossy(bh.company_identification()).trim_end().to_string(),
            sec_code: bh.sec_code().expect("sec"),
            entry_description: bh.entry_description().into_owned(),
            descriptive_date: bh.descriptive_date().into_owned(),
            effective_entry_date: String::from_utf8_lossy(bh.effective_entry_date()).into_owned(),
            originator_status_code: bh.originator_status_code()[0] as char,
            odfi: RoutingNumber::parse(&format!("{}0", String::from_utf8_lossy(bh.odfi())))
                .or_else(|_| {
                    let p = String::from_utf8_lossy(bh.odfi()).into_owned();
                    let d = nacha::types::check_digit(p.as_bytes()).expect("digits");
                    RoutingNumber::parse(&format!("{p}{d}"))
                })
                .expect("odfi"),
        })
        .expect("batch");
        for e in &b.entries {
            let d = e.record.entry().expect("entry");
            let addenda = e
                .addenda
                .iter()
                .map(|(_, a)| NewAddenda::Remittance {
                    payment_related_information: a
                        .addenda()
                        .expect("addenda")
                        .payment_related_information()
                        .into_owned(),
                })
                .collect();
            w.add_entry(&EntryFields {
                transaction_code: d.transaction_code().expect("code"),
                rdfi: d.rdfi_routing().expect("rdfi"),
                account_number: d.account_number(),
                amount_cents: d.amount().expect("amount"),
                identification_number: d.identification_number(),
                individual_name: d.individual_name(),
                discretionary_data: Cow::Owned(String::from_utf8_lossy(d.discretionary_data()).trim_end().to_string()),
                addenda,
            })
            .expect("entry");
        }
        w.end_batch().expect("end");
    }
    w.finish().expect("finish")
}

fn json_roundtrip(bytes: &[u8], opts: &ReadOptions) {
    let mut r = Reader::from_bytes(bytes, opts);
    while let Some(item) = r.next_record() {
        let Ok(line) = item else { continue };
        let json = serde_json::to_string(&JsonRecord(&line.record)).expect("serialize");
        let back: InRecord = serde_json::from_str(&json).expect("deserialize");
        let mut out = Vec::new();
        render(&back, &mut out).expect("render");
        assert_eq!(out, line.record.rec.as_bytes(), "line {}: {json}", line.number);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn write_read_write_is_identical(bs in batches()) {
        let first = write_generated(&bs);
        let report = validate_bytes(&first, &ReadOptions::strict());
        prop_assert!(report.valid, "{:?}", report.errors);
        let n: usize = bs.iter().map(|(_, e)| e.len()).sum();
        prop_assert_eq!(report.entries as usize, n);
        let credit: u64 = bs.iter().flat_map(|(_, e)| e.iter()).filter(|e| e.code % 10 <= 4).map(|e| e.amount).sum();
        prop_assert_eq!(report.total_credit_cents, credit);
        let second = rewrite(&first);
        prop_assert_eq!(&first, &second);
        json_roundtrip(&first, &ReadOptions::strict());
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..2000)) {
        let r = validate_bytes(&data, &ReadOptions::default());
        prop_assert!(r.valid || r.error_count > 0);
        let _ = read_file(&data, &ReadOptions::lenient());
    }
}

#[test]
fn corpus_records_survive_json() {
    let Some(dir) = std::env::var_os("ACE_NACHA_CORPUS") else {
        eprintln!("note: ACE_NACHA_CORPUS not set, skipped");
        return;
    };
    let mut n = 0;
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "ach" || x == "txt") {
            let bytes = std::fs::read(&p).expect("read");
            json_roundtrip(&bytes, &ReadOptions::default());
            n += 1;
        }
    }
    assert!(n > 50, "only {n} files");
}

#[test]
fn writer_rejects_out_of_range_and_wrong_state() {
    let mut w = Writer::new(Vec::new(), &header()).expect("header");
    let e = EntryFields {
        transaction_code: TransactionCode::CHECKING_CREDIT,
        rdfi: RoutingNumber::parse("011000015").expect("rn"),
        account_number: "1".into(),
        amount_cents: 10_000_000_000,
        identification_number: "".into(),
        individual_name: "X".into(),
        discretionary_data: "".into(),
        addenda: vec![],
    };
    assert!(matches!(w.add_entry(&e), Err(WriteError::State(_))));
    w.begin_batch(&batch_fields(true)).expect("batch");
    assert!(matches!(w.add_entry(&e), Err(WriteError::Invalid(m)) if m.contains("9,999,999,999")));
    let prenote =
        EntryFields { transaction_code: TransactionCode::CHECKING_CREDIT_PRENOTE, amount_cents: 1, ..e.clone() };
    assert!(w.add_entry(&prenote).is_err());
    let ok = EntryFields { amount_cents: 9_999_999_999, ..e };
    assert!(w.add_entry(&ok).is_ok());
}

/// Found by `cargo fuzz` (target `reader`): a record that is not UTF-8 as a whole but holds a valid
/// UTF-8 sequence (`E0 AD 9A`, one column) next to a stray byte (`8F`) was serialized as Latin-1,
/// one character per byte, and `render` then counted 3 columns for the sequence and rejected its
/// own JSON ("longer than 44 characters"). Those two characters are outside moov-io/ach's
/// alphanumeric set since issue 19, so the same shape is built from accepted ones: `é` as UTF-8
/// (`C3 A9`, one column) next to a stray Latin-1 `é` (`E9`).
#[test]
fn latin1_record_with_utf8_sequence_survives_json() {
    let file = nacha::generate::generate(Vec::new(), &nacha::generate::GenSpec::new(2)).expect("generate");
    let mut out = Vec::new();
    let mut patched = false;
    for line in file.split_inclusive(|&b| b == b'\n') {
        if !patched && line.starts_with(b"705") {
            // Columns 4-7 ("XXXX", 4 bytes) become 'A', U+00E9 (2 bytes), 0xE9, 'B': still 4 columns.
            out.extend_from_slice(&line[..3]);
            out.extend_from_slice(b"A\xC3\xA9\xE9B");
            out.extend_from_slice(&line[7..]);
            patched = true;
        } else {
            out.extend_from_slice(line);
        }
    }
    assert!(patched, "generated file has an addenda 05");
    assert!(std::str::from_utf8(&out).is_err());
    let report = validate_bytes(&out, &ReadOptions::default());
    assert!(report.valid, "{:?}", report.errors);
    json_roundtrip(&out, &ReadOptions::default());
}

/// A Latin-1 JSON record whose fields join into a UTF-8 sequence would not keep its 94 columns.
#[test]
fn latin1_fields_joining_into_utf8_are_rejected() {
    let file = nacha::generate::generate(Vec::new(), &nacha::generate::GenSpec::new(1)).expect("generate");
    let mut r = Reader::from_bytes(&file, &ReadOptions::default());
    let mut json = None;
    while let Some(Ok(l)) = r.next_record() {
        if l.record.layout == Layout::Addenda05 {
            json = Some(serde_json::to_value(JsonRecord(&l.record)).expect("serialize"));
            break;
        }
    }
    let mut v = json.expect("addenda 05");
    v["latin1"] = serde_json::json!(true);
    // The text ends with the lead byte 0xC3 (80 columns) and the next field starts with 0xA9: the
    // two bytes become one character (U+00E9) and the record would have 93 columns.
    v["payment_related_information"] = serde_json::json!(format!("{}\u{c3}", "A".repeat(79)));
    v["addenda_sequence_number"] = serde_json::json!("\u{a9}001");
    let back: InRecord = serde_json::from_value(v).expect("deserialize");
    let err = render(&back, &mut Vec::new()).expect_err("columns would shift");
    assert!(err.contains("joins across fields"), "{err}");
}

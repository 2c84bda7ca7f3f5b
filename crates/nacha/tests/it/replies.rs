//! Prenotes out, the stand-in bank's reply back, replies read: and the moov-io/ach reply files
//! (`ACE_NACHA_CORPUS`, skipped when unset).

use nacha::codes::changes::layout_corrected_data;
use nacha::codes::returns::ReturnLayout;
use nacha::*;
use proptest::prelude::*;
use std::path::PathBuf;

fn header() -> FileHeaderFields {
    FileHeaderFields {
        immediate_destination: RoutingNumber::parse("231380104").expect("rn"),
        immediate_origin: "121042882".into(),
        creation_date: "260102".into(),
        creation_time: "0304".into(),
        file_id_modifier: 'A',
        destination_name: "FEDERAL RESERVE BANK".into(),
        origin_name: "US CUSTOMS".into(),
        reference_code: String::new(),
    }
}

fn batch() -> BatchHeaderFields {
    BatchHeaderFields {
        service_class: ServiceClass::CreditsOnly,
        company_name: "US CUSTOMS".into(),
        company_discretionary_data: String::new(),
        company_identification: "2123456789".into(),
        sec_code: SecCode::CCD,
        entry_description: "PRENOTE".into(),
        descriptive_date: String::new(),
        effective_entry_date: "260105".into(),
        originator_status_code: '2',
        odfi: RoutingNumber::parse("121042882").expect("rn"),
    }
}

const BANKS: [&str; 3] = ["011000015", "231380104", "091000019"];

fn prenotes(n: usize) -> Vec<PrenoteEntry> {
    (0..n)
        .map(|i| PrenoteEntry {
            id: format!("ENR{i:06}"),
            rdfi: RoutingNumber::parse(BANKS[i % BANKS.len()]).expect("rn"),
            account_number: format!("{:012}", 4_000_000 + i),
            account_type_savings: i % 2 == 1,
            holder_name: format!("Importer {i}"),
        })
        .collect()
}

fn tc(c: u8) -> TransactionCode {
    TransactionCode::new(c).expect("tc")
}

fn rn(s: &str) -> RoutingNumber {
    RoutingNumber::parse(s).expect("rn")
}

fn change(code: &str, parts: &[&str]) -> Answer {
    Answer::Change { code: code.into(), corrected_data: layout_corrected_data(code, parts).expect(code) }
}

#[test]
fn prenotes_answered_and_read_back() {
    let entries = prenotes(12);
    let (original, traces) = write_prenotes(&header(), &batch(), &entries).expect("prenotes");
    // (entry index, answer, what read_replies should give)
    let expected: Vec<(usize, Answer, ReplyKind)> = vec![
        (0, Answer::Return("R03".into()), ret("R03")),
        (1, Answer::Return("R02".into()), ret("R02")),
        (3, Answer::Return("R13".into()), ret("R13")),
        (
            2,
            change("C01", &["987654321"]),
            chg("C01", Correction::AccountNumber { account_number: "987654321".into() }),
        ),
        (4, change("C02", &["091000019"]), chg("C02", Correction::RoutingNumber { routing_number: rn("091000019") })),
        (
            5,
            change("C03", &["011000015", "ABC-55501"]),
            chg(
                "C03",
                Correction::RoutingAndAccount { routing_number: rn("011000015"), account_number: "ABC-55501".into() },
            ),
        ),
        (6, change("C05", &["32"]), chg("C05", Correction::TransactionCode { transaction_code: tc(32) })),
        (
            7,
            change("C06", &["12345678901234567", "22"]),
            chg(
                "C06",
                Correction::AccountAndTransactionCode {
                    account_number: "12345678901234567".into(),
                    transaction_code: tc(22),
                },
            ),
        ),
        (
            8,
            change("C07", &["231380104", "77", "37"]),
            chg(
                "C07",
                Correction::RoutingAccountAndTransactionCode {
                    routing_number: rn("231380104"),
                    account_number: "77".into(),
                    transaction_code: tc(37),
                },
            ),
        ),
    ];
    let answers: Vec<(u64, Answer)> = expected.iter().map(|(i, a, _)| (traces[*i], a.clone())).collect();
    let reply = respond(&original, &answers, &RespondOptions::on("260107", "0915")).expect("respond");

    let report = validate_bytes(&reply, &ReadOptions::strict());
    assert!(report.valid, "{:#?}", report.errors);
    assert_eq!((report.returns, report.notifications_of_change), (3, 6));

    let replies = read_replies(&reply).expect("read");
    assert!(replies.problems.is_empty(), "{:?}", replies.problems);
    assert!(replies.warnings.is_empty(), "{:?}", replies.warnings);
    assert_eq!(replies.replies.len(), expected.len());
    for (i, _, kind) in &expected {
        let r = replies
            .replies
            .iter()
            .find(|r| r.original_trace == traces[*i])
            .unwrap_or_else(|| panic!("no reply for entry {i}"));
        let p = &entries[*i];
        assert_eq!(r.original_rdfi.as_bytes(), &p.rdfi.as_bytes()[..8], "entry {i}");
        assert_eq!(r.individual_id, p.id);
        assert_eq!(r.individual_name, nacha::prenote::holder_name_field(&p.holder_name));
        assert_eq!(r.entry_account_last4.as_deref(), Some(&p.account_number[8..]));
        match (&r.kind, kind) {
            (ReplyKind::Return { code, description, layout, date_of_death }, ReplyKind::Return { code: want, .. }) => {
                assert_eq!(code, want);
                assert!(!description.is_empty());
                assert_eq!((*layout, date_of_death), (ReturnLayout::Standard, &None));
            }
            (got, want) => assert_eq!(got, want, "entry {i}"),
        }
    }

    // The reply entries: 21 for checking prenotes, 31 for savings, to our ODFI; changes in COR batches.
    let file = read_file(&reply, &ReadOptions::strict());
    let mut cor_batches = 0;
    for b in &file.batches {
        let h = b.header.as_ref().and_then(|h| h.batch_header()).expect("header");
        let cor = h.sec_code() == Some(SecCode::COR);
        cor_batches += usize::from(cor);
        assert!(cor || h.sec_code() == Some(SecCode::CCD));
        for e in &b.entries {
            let d = e.record.entry().expect("entry");
            let a = e.addenda[0].1.addenda().expect("addenda");
            let original = traces.iter().position(|&t| Some(t) == a.original_trace()).expect("original trace");
            let savings = entries[original].account_type_savings;
            assert_eq!(d.transaction_code_value(), Some(if savings { 31 } else { 21 }));
            assert_eq!(d.rdfi_identification(), b"12104288", "back to the ODFI");
            assert_eq!(d.amount(), Some(0));
            assert_eq!(a.type_code(), if cor { b"98" } else { b"99" });
            assert_eq!(h.odfi(), &entries[original].rdfi.as_bytes()[..8], "the receiving bank originates the reply");
        }
    }
    assert_eq!(cor_batches, BANKS.len(), "one COR batch per receiving bank");
    let fh = file.header.as_ref().and_then(|h| h.file_header()).expect("file header");
    assert_eq!(fh.immediate_destination(), b" 121042882");
    assert_eq!(fh.immediate_origin(), b" 231380104");
}

fn ret(code: &str) -> ReplyKind {
    ReplyKind::Return { code: code.into(), description: "", layout: ReturnLayout::Standard, date_of_death: None }
}

fn chg(code: &str, correction: Correction) -> ReplyKind {
    ReplyKind::Change { code: code.into(), correction }
}

#[test]
fn respond_refuses_what_it_cannot_answer() {
    let (original, traces) = write_prenotes(&header(), &batch(), &prenotes(3)).expect("prenotes");
    let opts = RespondOptions::on("260107", "0915");
    let err = |answers: &[(u64, Answer)]| respond(&original, answers, &opts).expect_err("refused").to_string();

    let e = err(&[(121_042_880_000_099, Answer::Return("R03".into()))]);
    assert!(e.contains("121042880000099") && e.contains("no entry"), "{e}");
    let e = err(&[(traces[0], Answer::Return("R03".into())), (traces[0], Answer::Return("R02".into()))]);
    assert!(e.contains("twice"), "{e}");
    let e = err(&[(traces[0], Answer::Return("R99".into()))]);
    assert!(e.contains("\"R99\" is not a return reason code"), "{e}");
    let e = err(&[(traces[0], Answer::Return("R68".into()))]);
    assert!(e.contains("dishonored"), "{e}");
    let e = err(&[(traces[1], Answer::Change { code: "C02".into(), corrected_data: "231380105".into() })]);
    assert!(e.contains("corrected data for C02") && e.contains("check digit"), "{e}");
    let e = err(&[(traces[1], Answer::Change { code: "C65".into(), corrected_data: "X".into() })]);
    assert!(e.contains("refused"), "{e}");
    let e = err(&[(traces[1], Answer::Change { code: "C01".into(), corrected_data: "X".repeat(30) })]);
    assert!(e.contains("at most 29"), "{e}");
    assert!(err(&[]).contains("no answers"));
    let e = respond(b"not a file", &[(1, Answer::Return("R03".into()))], &opts).expect_err("invalid").to_string();
    assert!(e.starts_with("the original file is not a valid NACHA file: line 1"), "{e}");

    // A reply cannot itself be answered.
    let reply = respond(&original, &[(traces[0], Answer::Return("R03".into()))], &opts).expect("reply");
    let t = read_file(&reply, &ReadOptions::default())
        .entries()
        .next()
        .and_then(|e| e.record.entry().and_then(|d| d.trace_number()))
        .expect("trace");
    let e = respond(&reply, &[(t, Answer::Return("R03".into()))], &opts).expect_err("reply").to_string();
    assert!(e.contains("itself a return"), "{e}");
}

#[test]
fn bad_reply_dates_are_refused() {
    let (original, traces) = write_prenotes(&header(), &batch(), &prenotes(1)).expect("prenotes");
    let e = respond(&original, &[(traces[0], Answer::Return("R03".into()))], &RespondOptions::on("2601", "0915"))
        .expect_err("date");
    assert!(matches!(e, RespondError::Write(_)), "{e}");
}

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("ACE_NACHA_CORPUS")?);
    // Accept the corpus folder itself or its parent (testdata/nacha, holding moov/).
    let dir = if dir.join("moov").is_dir() { dir.join("moov") } else { dir };
    assert!(dir.join("cor-example.ach").is_file(), "ACE_NACHA_CORPUS={} has no cor-example.ach", dir.display());
    Some(dir)
}

#[test]
fn corpus_reply_files() {
    let Some(dir) = corpus() else {
        eprintln!("note: ACE_NACHA_CORPUS not set, corpus reply files skipped");
        return;
    };
    let read = |name: &str| {
        let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        read_replies(&bytes)
    };
    let codes = |r: &Replies| r.replies.iter().map(|x| x.kind.code().to_string()).collect::<Vec<_>>();

    for name in ["cor-example.ach", "examples-testdata__cor-read.ach"] {
        let r = read(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(r.problems.is_empty(), "{name}: {:?}", r.problems);
        assert_eq!(r.replies.len(), 1, "{name}");
        let x = &r.replies[0];
        assert_eq!((x.original_trace, x.original_rdfi.as_str(), x.line), (121_042_880_000_001, "12104288", 3));
        assert_eq!(x.entry_account_last4.as_deref(), Some("8-99"));
        assert_eq!(x.kind, chg("C01", Correction::AccountNumber { account_number: "1918171614".into() }));
    }

    let r = read("return-WEB.ach").expect("return-WEB");
    assert_eq!(codes(&r), ["R01", "R03"]);
    assert_eq!(r.replies[1].original_trace, 91_400_600_000_003);
    assert_eq!(r.replies[1].original_rdfi, "02100002");

    let r = read("dishonored-return.ach").expect("dishonored");
    assert_eq!(codes(&r), ["R68", "R68"]);
    assert!(matches!(r.replies[0].kind, ReplyKind::Return { layout: ReturnLayout::Dishonored, .. }));

    // One entry with a return, a dishonored return and a contested one.
    let r = read("contested-return.ach").expect("contested");
    assert_eq!(codes(&r), ["R07", "R68", "R71"]);
    assert!(matches!(r.replies[2].kind, ReplyKind::Return { layout: ReturnLayout::Contested, .. }));

    let r = read("iat-addenda99.ach").expect("iat 99");
    assert_eq!(codes(&r), ["R01"]);
    let r = read("iat-addenda98.ach").expect("iat 98");
    assert_eq!(codes(&r), ["C01"]);

    // Unknown codes are problems of the item, with its line, not errors of the file.
    for (name, code, line) in [
        ("return-PPD-custom-reason-code.ach", "R97", 4),
        ("pos-invalidReturnFile.ach", "R96", 4),
        ("web-invalidNOCFile.ach", "C92", 4),
        ("iat-invalidAddenda99.ach", "R96", 11),
        ("iat-invalidAddenda98.ach", "C78", 11),
    ] {
        let r = read(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(r.replies.is_empty(), "{name}");
        assert_eq!(r.problems.len(), 1, "{name}: {:?}", r.problems);
        assert!(r.problems[0].message.contains(code), "{name}: {}", r.problems[0]);
        assert_eq!(r.problems[0].line, line, "{name}");
    }

    // Files without header or controls are not read.
    for name in ["return-no-batch-controls.ach", "return-no-file-header-control.ach", "bh-ed-ad-bh-ed-ad-ed-ad.ach"] {
        let e = read(name).expect_err(name);
        assert!(e.errors.iter().any(|x| x.line == 0 && x.message == "missing file header"), "{name}: {e}");
    }

    // An ordinary payment file is read, but each of its entries is a problem.
    let r = read("examples-testdata__ppd-credit.ach").expect("ppd-credit");
    assert!(r.replies.is_empty() && !r.problems.is_empty());

    // Every corpus file: no panic, and replies only where the file has 98/99 addenda.
    for e in std::fs::read_dir(&dir).expect("dir").flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "ach") {
            let bytes = std::fs::read(&p).expect("read");
            if let Ok(r) = read_replies(&bytes) {
                let report = validate_bytes(&bytes, &ReadOptions::default());
                let replyish = (report.returns + report.notifications_of_change) as usize;
                assert!(r.replies.len() + r.problems.len() >= replyish.min(1), "{}", p.display());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..1500)) {
        let _ = read_replies(&data);
        let _ = respond(&data, &[(1, Answer::Return("R03".into()))], &RespondOptions::on("260107", "0915"));
    }

    #[test]
    fn mutated_replies_never_panic(at in 0usize..2000, byte in any::<u8>()) {
        let (original, traces) = write_prenotes(&header(), &batch(), &prenotes(4)).expect("prenotes");
        let answers = [
            (traces[0], Answer::Return("R03".into())),
            (traces[1], change("C03", &["011000015", "12345"])),
        ];
        let mut reply = respond(&original, &answers, &RespondOptions::on("260107", "0915")).expect("reply");
        let i = at % reply.len();
        reply[i] = byte;
        let _ = read_replies(&reply);
    }
}

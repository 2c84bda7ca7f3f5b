//! The reading rules of moov-io/ach (the reference, see docs/nacha.md "Conformance") that its test
//! files in the shared corpus do not show, each on files built here record by record. Every report
//! is also compared with the slow path alone: the fast path must agree on every rule.

use nacha::{ReadOptions, Reader, Report, Validator, validate_bytes};

/// Pads or cuts `s` to `w` characters (left-justified text).
fn a(s: &str, w: usize) -> String {
    let mut v: String = s.chars().take(w).collect();
    while v.chars().count() < w {
        v.push(' ');
    }
    v
}

/// Right-justified zero-padded number.
fn z(n: u64, w: usize) -> String {
    format!("{n:0w$}")
}

const ODFI: &str = "12104288";

fn file_header(destination: &str, origin: &str) -> String {
    format!(
        "101{}{}2601020304A094101{}{}{}",
        a(destination, 10),
        a(origin, 10),
        a("FED", 23),
        a("ORIGIN", 23),
        a("REF1", 8)
    )
}

fn good_header() -> String {
    file_header(" 231380104", " 121042882")
}

/// Batch header: service class, company name, company id, SEC, description, status, batch number.
fn bh(sc: u16, name: &str, cid: &str, sec: &str, desc: &str, status: char, number: u64) -> String {
    format!(
        "5{sc}{}{}{}{sec}{}{}260105   {status}{ODFI}{}",
        a(name, 16),
        a("", 20),
        a(cid, 10),
        a(desc, 10),
        a("", 6),
        z(number, 7)
    )
}

fn ppd_header(number: u64) -> String {
    bh(200, "MY COMPANY", "1234567890", "PPD", "REFUND", '1', number)
}

/// Entry: transaction code, amount, identification (40-54), name (55-76), discretionary data,
/// addenda indicator, trace sequence (the trace starts with `ODFI`).
fn ed(code: u8, amount: u64, id: &str, name: &str, disc: &str, ind: u8, seq: u64) -> String {
    format!(
        "6{code}23138010{}{}{}{}{}{}{ind}{ODFI}{}",
        "4",
        a("ACCT123", 17),
        z(amount, 10),
        a(id, 15),
        a(name, 22),
        a(disc, 2),
        z(seq, 7)
    )
}

fn credit(seq: u64) -> String {
    ed(22, 1_000, "ID1", "JANE DOE", "", 0, seq)
}

fn ad05(text: &str, n: u64, seq: u64) -> String {
    format!("705{}{}{}", a(text, 80), z(n, 4), z(seq, 7))
}

fn ad99(code: &str, seq: u64) -> String {
    format!("799{code}{ODFI}{}{}23138010{}{ODFI}{}", z(seq, 7), a("", 6), a("", 44), z(seq, 7))
}

fn ad98(code: &str, seq: u64) -> String {
    format!("798{code}{ODFI}{}{}23138010{}{}{ODFI}{}", z(seq, 7), a("", 6), a("987654321", 29), a("", 15), z(seq, 7))
}

/// Addenda 02: serial number, MMDD date, location, city, state.
fn ad02(serial: &str, date: &str, location: &str, city: &str, state: &str, seq: u64) -> String {
    format!(
        "702{}{}{}{}{date}{}{}{}{}{ODFI}{}",
        a("REF1", 7),
        a("R2", 3),
        a("TERM01", 6),
        a(serial, 6),
        a("", 6),
        a(location, 27),
        a(city, 15),
        a(state, 2),
        z(seq, 7)
    )
}

/// A file of `batches` (header and records), with correct batch and file controls.
fn file_with(header: &str, batches: &[(String, Vec<String>)]) -> Vec<u8> {
    let mut lines = vec![header.to_string()];
    let (mut count, mut hash, mut debit, mut credit) = (0u64, 0u64, 0u64, 0u64);
    for (h, recs) in batches {
        lines.push(h.clone());
        let (mut c, mut hs, mut d, mut cr) = (0u64, 0u64, 0u64, 0u64);
        for r in recs {
            c += 1;
            if r.starts_with('6') {
                hs += r[3..11].parse::<u64>().expect("rdfi");
                let amount: u64 = r[29..39].parse().expect("amount");
                let code: u8 = r[1..3].parse().expect("code");
                if matches!(code % 10, 1..=4) {
                    cr += amount;
                } else {
                    d += amount;
                }
            }
            lines.push(r.clone());
        }
        let (sc, cid, number) = (&h[1..4], &h[40..50], &h[87..94]);
        lines.push(format!(
            "8{sc}{}{}{}{}{cid}{}{}{ODFI}{number}",
            z(c, 6),
            z(hs % 10_000_000_000, 10),
            z(d, 12),
            z(cr, 12),
            a("", 19),
            a("", 6)
        ));
        count += c;
        hash += hs;
        debit += d;
        credit += cr;
    }
    let records = lines.len() as u64 + 1;
    lines.push(format!(
        "9{}{}{}{}{}{}{}",
        z(batches.len() as u64, 6),
        z(records.div_ceil(10), 6),
        z(count, 8),
        z(hash % 10_000_000_000, 10),
        z(debit, 12),
        z(credit, 12),
        a("", 39)
    ));
    while lines.len() % 10 != 0 {
        lines.push("9".repeat(94));
    }
    for l in &lines {
        assert_eq!(l.chars().count(), 94, "test record is not 94 characters: {l:?}");
    }
    (lines.join("\n") + "\n").into_bytes()
}

fn file(batches: &[(String, Vec<String>)]) -> Vec<u8> {
    file_with(&good_header(), batches)
}

/// Validates with the fast path and checks the slow path alone agrees.
fn check(d: &[u8], o: &ReadOptions) -> Report {
    let fast = validate_bytes(d, o);
    let mut r = Reader::from_bytes(d, o);
    let mut v = Validator::new(o.clone());
    while let Some(item) = r.next_record() {
        match item {
            Ok(l) => v.record(&l),
            Err(e) => v.frame_error(&e),
        }
    }
    assert_eq!(fast, v.finish(), "fast and slow paths differ");
    fast
}

fn valid(d: &[u8]) {
    let r = check(d, &ReadOptions::default());
    assert!(r.valid, "{:#?}", r.errors);
}

/// The file is invalid by default, with errors only on `field` (of `record`).
fn only(d: &[u8], record: &str, field: &str) -> Report {
    let r = check(d, &ReadOptions::default());
    assert!(!r.valid, "expected a {record} {field} error");
    for e in &r.errors {
        assert!(e.record == record && e.field == field, "expected only {record} {field}, got {e:?}");
    }
    r
}

fn has_msg(r: &Report, needle: &str) -> bool {
    r.errors.iter().any(|e| e.message.contains(needle))
}

#[test]
fn the_builder_makes_valid_files() {
    valid(&file(&[(ppd_header(1), vec![credit(1), credit(2)])]));
    valid(&file(&[(
        bh(220, "MY COMPANY", "1234567890", "CCD", "REFUND", '2', 1),
        vec![ed(22, 5, "", "", "", 1, 1), ad05("INVOICE 1", 1, 1)],
    )]));
}

// ---- Batch header (moov batchHeader.go) ----

/// moov `isNonZero` on CompanyName, CompanyIdentification, CompanyEntryDescription.
#[test]
fn batch_header_fields_not_only_spaces_and_zeros() {
    let e = vec![credit(1)];
    for (h, field) in [
        (bh(200, "", "1234567890", "PPD", "REFUND", '1', 1), "company_name"),
        (bh(200, "0000", "1234567890", "PPD", "REFUND", '1', 1), "company_name"),
        (bh(200, "MY COMPANY", "0000000000", "PPD", "REFUND", '1', 1), "company_identification"),
        (bh(200, "MY COMPANY", "1234567890", "PPD", "000000", '1', 1), "company_entry_description"),
    ] {
        let r = only(&file(&[(h, e.clone())]), "BatchHeader", field);
        assert!(has_msg(&r, "required"), "{r:?}");
    }
    // Digits among other characters are a name.
    valid(&file(&[(bh(200, "0001", "1234567890", "PPD", "REFUND 0", '1', 1), e)]));
}

/// moov `BatchHeader.Validate` (status 0 only for ADV), `BatchADV.Validate` (280 and status 0),
/// `isOriginatorDNE`, `ValidTranCodeForServiceClassCode` (280 outside ADV).
#[test]
fn originator_status_and_service_class_by_sec() {
    let e = vec![credit(1)];
    only(
        &file(&[(bh(200, "MY COMPANY", "1234567890", "PPD", "REFUND", '0', 1), e.clone())]),
        "BatchHeader",
        "originator_status_code",
    );
    only(
        &file(&[(bh(280, "MY COMPANY", "1234567890", "PPD", "REFUND", '1', 1), e.clone())]),
        "BatchHeader",
        "service_class_code",
    );
    // ARC, BOC, POP, RCK, TRC, TRX, XCK hold debits: not 220 (and their entries debits).
    let arc = ed(27, 1_000, "CHECK123", "JANE DOE", "", 0, 1);
    let r = check(
        &file(&[(bh(220, "MY COMPANY", "1234567890", "ARC", "CHECKS", '1', 1), vec![arc.clone()])]),
        &ReadOptions::default(),
    );
    assert!(
        r.errors.iter().any(|e| e.field == "service_class_code" && e.message.contains("not 220")),
        "{:?}",
        r.errors
    );
    valid(&file(&[(bh(225, "MY COMPANY", "1234567890", "ARC", "CHECKS", '1', 1), vec![arc])]));
    // CIE holds credits: not 225.
    let cie = ed(22, 1_000, "JANE DOE", "ACCOUNT 1", "", 0, 1);
    let r = check(
        &file(&[(bh(225, "MY COMPANY", "1234567890", "CIE", "BILLS", '1', 1), vec![cie.clone()])]),
        &ReadOptions::default(),
    );
    assert!(r.errors.iter().any(|e| e.field == "service_class_code"), "{:?}", r.errors);
    valid(&file(&[(bh(220, "MY COMPANY", "1234567890", "CIE", "BILLS", '1', 1), vec![cie])]));
    // DNE: a government agency (status 2), prenote credits 23/33 only, zero, one addenda 05.
    let dne = vec![ed(23, 0, "", "JANE DOE", "", 1, 1), ad05("DATE OF DEATH*010126*", 1, 1)];
    valid(&file(&[(bh(220, "SOC SEC ADMIN", "1234567890", "DNE", "DEATH", '2', 1), dne.clone())]));
    only(
        &file(&[(bh(220, "SOC SEC ADMIN", "1234567890", "DNE", "DEATH", '1', 1), dne)]),
        "BatchHeader",
        "originator_status_code",
    );
}

/// moov `BatchENR.Validate` and `BatchRCK.Validate`: fixed entry descriptions.
#[test]
fn enr_and_rck_descriptions() {
    let enr =
        vec![ed(23, 0, "", "JANE DOE", "", 1, 1), ad05("22*12200004*3*123987654321*777777777*DOE*JOHN*1\\", 1, 1)];
    valid(&file(&[(bh(220, "MY COMPANY", "1234567890", "ENR", "AUTOENROLL", '1', 1), enr.clone())]));
    only(
        &file(&[(bh(220, "MY COMPANY", "1234567890", "ENR", "ENROLL", '1', 1), enr)]),
        "BatchHeader",
        "company_entry_description",
    );
    let rck = vec![ed(27, 2_400, "CHECK1", "JANE DOE", "", 0, 1)];
    valid(&file(&[(bh(225, "MY COMPANY", "1234567890", "RCK", "REDEPCHECK", '1', 1), rck.clone())]));
    only(
        &file(&[(bh(225, "MY COMPANY", "1234567890", "RCK", "CHECKS", '1', 1), rck)]),
        "BatchHeader",
        "company_entry_description",
    );
}

/// moov `File.isSequenceAscending` (batch numbers), a warning under `lenient()`.
#[test]
fn batch_numbers_ascend() {
    let d = file(&[(ppd_header(2), vec![credit(1)]), (ppd_header(2), vec![credit(1)])]);
    only(&d, "BatchHeader", "batch_number");
    let l = check(&d, &ReadOptions::lenient());
    assert!(l.valid && l.warnings.iter().any(|w| w.contains("batch_number")), "{l:?}");
    valid(&file(&[(ppd_header(1), vec![credit(1)]), (ppd_header(7), vec![credit(1)])]));
}

/// moov `ErrBatchNoEntries`.
#[test]
fn batch_without_entries() {
    let r = only(&file(&[(ppd_header(1), vec![])]), "BatchControl", "entry_addenda_count");
    assert!(has_msg(&r, "no entries"));
}

// ---- Entries (moov entryDetail.go, batch.go, batchXXX.go) ----

/// moov `isFieldInclusion`: IndividualName not only spaces and zeros for ARC, BOC, CIE, DNE, ENR,
/// MTE, POP, POS, PPD, RCK, SHR, TEL, WEB (CIE and MTE in 40-54); CCD does not need one.
#[test]
fn receiver_name_required_by_sec() {
    for name in ["", "0000000"] {
        only(&file(&[(ppd_header(1), vec![ed(22, 1_000, "", name, "", 0, 1)])]), "EntryDetail", "individual_name");
        let web = bh(200, "MY COMPANY", "1234567890", "WEB", "REFUND", '1', 1);
        only(&file(&[(web, vec![ed(22, 1_000, "", name, "S", 0, 1)])]), "EntryDetail", "individual_name");
        let tel = bh(225, "MY COMPANY", "1234567890", "TEL", "PHONE", '1', 1);
        only(&file(&[(tel, vec![ed(27, 1_000, "", name, "", 0, 1)])]), "EntryDetail", "individual_name");
        let ccd = bh(200, "MY COMPANY", "1234567890", "CCD", "REFUND", '1', 1);
        valid(&file(&[(ccd, vec![ed(22, 1_000, "", name, "", 0, 1)])]));
        // CIE: the name is in 40-54, 55-76 holds the identification.
        let cie = bh(220, "MY COMPANY", "1234567890", "CIE", "BILLS", '1', 1);
        only(&file(&[(cie, vec![ed(22, 1_000, name, "ACCOUNT 1", "", 0, 1)])]), "EntryDetail", "individual_name");
    }
    // The fast path sees the name across its three eight-byte words: a letter anywhere names.
    for at in 0..22 {
        let mut name = vec![b'0'; 22];
        name[at] = b'X';
        valid(&file(&[(ppd_header(1), vec![ed(22, 1_000, "", std::str::from_utf8(&name).unwrap(), "", 0, 1)])]));
    }
}

/// moov `isTraceNumberODFI`; `custom_trace_numbers` (in `lenient()`) is moov's CustomTraceNumbers.
#[test]
fn trace_numbers_start_with_the_odfi() {
    let mut e = credit(1);
    e.replace_range(79..87, "99999999");
    let d = file(&[(ppd_header(1), vec![e])]);
    let r = only(&d, "EntryDetail", "trace_number");
    assert!(has_msg(&r, "must start with the ODFI 12104288"), "{r:?}");
    let o = ReadOptions { custom_trace_numbers: true, ..ReadOptions::default() };
    assert!(check(&d, &o).valid);
    assert!(check(&d, &ReadOptions::lenient()).valid);
}

/// moov `ValidAmountForCodes`: zero only for prenotes, returns, NOCs and ACK/ATX 24/34.
#[test]
fn zero_amounts() {
    only(&file(&[(ppd_header(1), vec![ed(22, 0, "", "JANE DOE", "", 0, 1)])]), "EntryDetail", "amount");
    valid(&file(&[(ppd_header(1), vec![ed(23, 0, "", "JANE DOE", "", 0, 1)])]));
    // A return keeps the zero of its original (here a zero-dollar entry).
    valid(&file(&[(ppd_header(1), vec![ed(21, 0, "", "JANE DOE", "", 1, 1), ad99("R01", 1)])]));
    let ack = bh(220, "MY COMPANY", "1234567890", "ACK", "ACK", '1', 1);
    valid(&file(&[(ack.clone(), vec![ed(24, 0, "", "JANE DOE", "", 0, 1)])]));
    // ACK entries carry zero and use 24/34 only.
    only(&file(&[(ack.clone(), vec![ed(24, 5, "", "JANE DOE", "", 0, 1)])]), "EntryDetail", "amount");
    let r = check(&file(&[(ack, vec![ed(22, 0, "", "JANE DOE", "", 0, 1)])]), &ReadOptions::default());
    assert!(r.errors.iter().any(|e| e.field == "transaction_code" && e.message.contains("ACK")), "{r:?}");
}

/// moov `BatchTEL`: debits, but credits only in a batch described REVERSAL; `BatchTRX`: debits.
#[test]
fn tel_reversal_and_trx_direction() {
    let tel = |desc: &str| bh(200, "MY COMPANY", "1234567890", "TEL", desc, '1', 1);
    valid(&file(&[(tel("PHONE"), vec![ed(27, 1_000, "", "JANE DOE", "", 0, 1)])]));
    valid(&file(&[(tel("REVERSAL"), vec![ed(22, 1_000, "", "JANE DOE", "", 0, 1)])]));
    let r = only(
        &file(&[(tel("REVERSAL"), vec![ed(27, 1_000, "", "JANE DOE", "", 0, 1)])]),
        "EntryDetail",
        "transaction_code",
    );
    assert!(has_msg(&r, "TEL REVERSAL batches allow only credits"), "{r:?}");
    let trx = bh(200, "MY COMPANY", "1234567890", "TRX", "TRUNC", '1', 1);
    let e = ed(22, 1_000, "", "0000JANE DOE", "", 0, 1);
    let r = check(&file(&[(trx, vec![e])]), &ReadOptions::default());
    assert!(r.errors.iter().any(|e| e.field == "transaction_code" && e.message.contains("only debits")), "{r:?}");
}

/// moov `BatchCOR`, `BatchDNE`, `BatchENR`, `BatchATX` transaction codes; ARC/BOC/POP and RCK/XCK
/// amount limits.
#[test]
fn codes_and_limits_by_sec() {
    let cor = bh(220, "MY COMPANY", "1234567890", "COR", "NOC", '1', 1);
    valid(&file(&[(cor.clone(), vec![ed(21, 0, "", "JANE DOE", "", 1, 1), ad98("C01", 1)])]));
    let r = check(&file(&[(cor, vec![ed(22, 0, "", "JANE DOE", "", 1, 1), ad98("C01", 1)])]), &ReadOptions::default());
    assert!(r.errors.iter().any(|e| e.field == "transaction_code" && e.message.contains("COR")), "{r:?}");
    let pop = bh(225, "MY COMPANY", "1234567890", "POP", "PURCHASE", '1', 1);
    valid(&file(&[(pop.clone(), vec![ed(27, 2_500_000, "CHK1", "JANE DOE", "", 0, 1)])]));
    only(&file(&[(pop, vec![ed(27, 2_500_001, "CHK1", "JANE DOE", "", 0, 1)])]), "EntryDetail", "amount");
    let xck = bh(225, "MY COMPANY", "1234567890", "XCK", "CHECKS", '1', 1);
    valid(&file(&[(xck.clone(), vec![ed(27, 250_000, "CHECK1", "PCF001RESEARCH0001", "", 0, 1)])]));
    only(
        &file(&[(xck.clone(), vec![ed(27, 250_001, "CHECK1", "PCF001RESEARCH0001", "", 0, 1)])]),
        "EntryDetail",
        "amount",
    );
    // TRC and XCK: process control field (55-60) and item research number (61-76) required.
    only(&file(&[(xck, vec![ed(27, 1_000, "CHECK1", "PCF001", "", 0, 1)])]), "EntryDetail", "item_research_number");
}

/// moov `BatchPOS`/`BatchSHR` card transaction type and expiration year, `BatchMTE` identification,
/// `addendaFieldInclusionForward` (02 required), `BatchPOS` terminal state, `Addenda02.Validate`.
#[test]
fn card_entries_and_addenda02() {
    let pos = bh(225, "MY COMPANY", "1234567890", "POS", "PURCHASE", '1', 1);
    let a02 = ad02("000123", "0131", "MAIN STREET STORE", "SPRINGFIELD", "IL", 1);
    let good = vec![ed(27, 1_000, "CARD1", "JANE DOE", "01", 1, 1), a02.clone()];
    valid(&file(&[(pos.clone(), good)]));
    only(
        &file(&[(pos.clone(), vec![ed(27, 1_000, "CARD1", "JANE DOE", "05", 1, 1), a02.clone()])]),
        "EntryDetail",
        "card_transaction_type",
    );
    let r =
        only(&file(&[(pos.clone(), vec![ed(27, 1_000, "CARD1", "JANE DOE", "01", 0, 1)])]), "EntryDetail", "addenda");
    assert!(has_msg(&r, "need an addenda 02"), "{r:?}");
    for (bad, field) in [
        (ad02("", "0131", "STORE", "CITY", "IL", 1), "transaction_serial_number"),
        (ad02("1", "0230", "STORE", "CITY", "IL", 1), "transaction_date"),
        (ad02("1", "1301", "STORE", "CITY", "IL", 1), "transaction_date"),
        (ad02("1", "0131", "", "CITY", "IL", 1), "terminal_location"),
        (ad02("1", "0131", "STORE", "", "IL", 1), "terminal_city"),
        (ad02("1", "0131", "STORE", "CITY", "XX", 1), "terminal_state"),
    ] {
        only(&file(&[(pos.clone(), vec![ed(27, 1_000, "CARD1", "JANE DOE", "01", 1, 1), bad])]), "Addenda", field);
    }
    // 02 only in MTE, POS and SHR.
    let r = only(
        &file(&[(ppd_header(1), vec![ed(22, 1_000, "", "JANE DOE", "", 1, 1), a02.clone()])]),
        "EntryDetail",
        "addenda",
    );
    assert!(has_msg(&r, "addenda 02 only"), "{r:?}");
    // SHR: card expiration MMYY (40-43), year 18-50.
    let shr = bh(225, "MY COMPANY", "1234567890", "SHR", "CARD", '1', 1);
    let shr_entry = |exp: &str| ed(27, 1_000, &format!("{exp}00000000001"), "JANE DOE", "01", 1, 1);
    valid(&file(&[(shr.clone(), vec![shr_entry("1230"), a02.clone()])]));
    only(&file(&[(shr, vec![shr_entry("1251"), a02.clone()])]), "EntryDetail", "card_expiration_date");
    // MTE: name in 40-54, identification number (55-76) required.
    let mte = bh(225, "MY COMPANY", "1234567890", "MTE", "ATM", '1', 1);
    valid(&file(&[(mte.clone(), vec![ed(27, 1_000, "JANE DOE", "CARD 42", "", 1, 1), a02.clone()])]));
    only(
        &file(&[(mte, vec![ed(27, 1_000, "JANE DOE", "000000", "", 1, 1), a02])]),
        "EntryDetail",
        "identification_number",
    );
}

/// moov `addendaFieldInclusion*`, per-SEC addenda counts, `BatchCOR.isAddenda98`, `isCategory`.
#[test]
fn addenda_by_sec_and_category() {
    let e1 = || ed(22, 1_000, "", "JANE DOE", "", 1, 1);
    // PPD: at most one addenda 05; TEL: none.
    let r = only(&file(&[(ppd_header(1), vec![e1(), ad05("A", 1, 1), ad05("B", 2, 1)])]), "EntryDetail", "addenda");
    assert!(has_msg(&r, "at most 1 addenda 05"), "{r:?}");
    let tel = bh(225, "MY COMPANY", "1234567890", "TEL", "PHONE", '1', 1);
    only(&file(&[(tel, vec![ed(27, 1_000, "", "JANE DOE", "", 1, 1), ad05("A", 1, 1)])]), "EntryDetail", "addenda");
    // A NOC outside a COR batch; a COR entry without its 98.
    let r = only(
        &file(&[(ppd_header(1), vec![ed(21, 0, "", "JANE DOE", "", 1, 1), ad98("C01", 1)])]),
        "EntryDetail",
        "addenda",
    );
    assert!(has_msg(&r, "only in COR batches"), "{r:?}");
    let cor = bh(220, "MY COMPANY", "1234567890", "COR", "NOC", '1', 1);
    let r = check(&file(&[(cor, vec![ed(21, 0, "", "JANE DOE", "", 0, 1)])]), &ReadOptions::default());
    assert!(has_msg(&r, "COR entries need an addenda 98"), "{r:?}");
    // A PPD return takes no addenda 05; a CTX return may.
    let r = only(
        &file(&[(ppd_header(1), vec![ed(21, 1_000, "", "JANE DOE", "", 1, 1), ad99("R01", 1), ad05("A", 2, 1)])]),
        "EntryDetail",
        "addenda",
    );
    assert!(has_msg(&r, "PPD return takes no addenda 05"), "{r:?}");
    let ctx = bh(200, "MY COMPANY", "1234567890", "CTX", "PAYMENT", '1', 1);
    let ctx_entry = ed(21, 1_000, "", "0002JANE DOE", "", 1, 1);
    valid(&file(&[(ctx, vec![ctx_entry, ad99("R01", 1), ad05("A", 2, 1)])]));
    // Forward entries and returns in one batch (a later NOC is not compared).
    let mixed = vec![credit(1), ed(21, 1_000, "", "JANE DOE", "", 1, 2), ad99("R01", 2)];
    let r = only(&file(&[(ppd_header(1), mixed)]), "EntryDetail", "category");
    assert!(has_msg(&r, "a batch of forward entries cannot hold a return entry"), "{r:?}");
}

/// moov `BatchATX`/`BatchTRX`: the entry's addenda count (55-58) equals its addenda 05.
#[test]
fn atx_and_trx_addenda_counts() {
    let trx = bh(225, "MY COMPANY", "1234567890", "TRX", "TRUNC", '1', 1);
    let e = |count: &str| ed(27, 1_000, "", &format!("{count}JANE DOE"), "", 1, 1);
    valid(&file(&[(trx.clone(), vec![e("0001"), ad05("A", 1, 1)])]));
    let r = only(&file(&[(trx, vec![e("0002"), ad05("A", 1, 1)])]), "EntryDetail", "number_of_addenda_records");
    assert!(has_msg(&r, "TRX entry announces 2 addenda but has 1"), "{r:?}");
}

/// moov `BatchCOR.Validate`: control totals zero.
#[test]
fn cor_totals_are_zero() {
    let cor = bh(220, "MY COMPANY", "1234567890", "COR", "NOC", '1', 1);
    let d = file(&[(cor, vec![ed(21, 5, "", "JANE DOE", "", 1, 1), ad98("C01", 1)])]);
    let r = check(&d, &ReadOptions::default());
    assert!(r.errors.iter().any(|e| e.record == "BatchControl" && e.field == "total_credit"), "{r:?}");
    assert!(r.errors.iter().any(|e| e.record == "EntryDetail" && e.field == "amount"), "{r:?}");
}

/// moov `Addenda98Refused.Validate`: TraceSequenceNumber required.
#[test]
fn refused_noc_needs_trace_sequence_number() {
    let cor = bh(220, "MY COMPANY", "1234567890", "COR", "NOC", '1', 1);
    // C61 refuses a C01: refused code 4-6, corrected data 36-64, change code 65-67, sequence 68-74.
    let refused = |seq: &str| {
        format!(
            "798C61{ODFI}0000001{}23138010{}C01{}{}{ODFI}0000001",
            a("", 6),
            a("987654321", 29),
            a(seq, 7),
            a("", 5)
        )
    };
    valid(&file(&[(cor.clone(), vec![ed(21, 0, "", "JANE DOE", "", 1, 1), refused("0000001")])]));
    only(&file(&[(cor, vec![ed(21, 0, "", "JANE DOE", "", 1, 1), refused("")])]), "Addenda", "trace_sequence_number");
}

// ---- File header and control (moov fileHeader.go, fileControl.go, file.go) ----

/// Issue 19, point 2: the immediate origin is whatever the ODFI assigned (moov rejects only blank
/// and zeros); in the routing number's shape (blank + 9 digits) its check digit is checked, except
/// under `lenient()`.
#[test]
fn immediate_origin() {
    let batches = [(ppd_header(1), vec![credit(1)])];
    for ok in ["A123456789", "1234567890", " 121042882", "ORIGIN 01 "] {
        valid(&file_with(&file_header(" 231380104", ok), &batches));
    }
    for bad in ["          ", "0000000000", " 000000000", " 121042883", "A12345678\u{1}"] {
        only(&file_with(&file_header(" 231380104", bad), &batches), "FileHeader", "immediate_origin");
    }
    let wrong_digit = file_with(&file_header(" 231380104", " 121042883"), &batches);
    assert!(check(&wrong_digit, &ReadOptions::lenient()).valid);
}

/// moov `FileHeader.ValidateWith`: destination "0" + routing number is read (the 0 trimmed), other
/// 10-digit values and zeros are not.
#[test]
fn immediate_destination() {
    let batches = [(ppd_header(1), vec![credit(1)])];
    valid(&file_with(&file_header("0231380104", " 121042882"), &batches));
    for bad in ["1231380104", " 000000000", "0000000000", " 231380105"] {
        only(&file_with(&file_header(bad, " 121042882"), &batches), "FileHeader", "immediate_destination");
    }
}

/// moov `FileControl.fieldInclusion`: a zero block count is an error even under `lenient()` (where
/// the comparison with the computed count is a warning).
#[test]
fn file_control_fields_not_zero() {
    let d = file(&[(ppd_header(1), vec![credit(1)])]);
    let s = String::from_utf8(d).unwrap();
    let zero_blocks = s.replace("9000001000001", "9000001000000");
    let l = check(zero_blocks.as_bytes(), &ReadOptions::lenient());
    assert!(!l.valid && l.errors.iter().all(|e| e.field == "block_count"), "{l:?}");
    // The file control's hash (the batch control's looks the same: edit the last one).
    let at = s.rfind("000000010023138010").expect("file control hash");
    let mut zero_hash = s.clone();
    zero_hash.replace_range(at..at + 18, "000000010000000000");
    let r = check(zero_hash.as_bytes(), &ReadOptions::default());
    assert!(r.errors.iter().any(|e| e.field == "entry_hash" && e.message == "must not be zero"), "{r:?}");
}

/// Issue 19, point 4: a batch count that disagrees with the batches is an error, a warning under
/// `lenient()` (moov does not compare it when reading: a documented difference).
#[test]
fn batch_count_mismatch() {
    let d = String::from_utf8(file(&[(ppd_header(1), vec![credit(1)])])).unwrap();
    let bad = d.replace("9000001000001", "9000002000001");
    only(bad.as_bytes(), "FileControl", "batch_count");
    let l = check(bad.as_bytes(), &ReadOptions::lenient());
    assert!(l.valid && l.warnings.iter().any(|w| w.contains("batch_count")), "{l:?}");
}

// ---- Characters and lines (moov validators.go isAlphanumeric, reader.go) ----

/// moov `isAlphanumeric`: printable ASCII, Latin-1 letters U+00C0-U+00FF and ¢ ¦ ¬ ± NBSP, in
/// UTF-8 or as single Latin-1 bytes; other characters are not.
#[test]
fn alphanumeric_character_set() {
    let with_name = |name: &[u8]| {
        let mut d = file(&[(ppd_header(1), vec![ed(22, 1_000, "", "JANE XXXXXXXX", "", 0, 1)])]);
        let at = d.windows(8).position(|w| w == b"XXXXXXXX").expect("placeholder");
        d.splice(at..at + 8, name.iter().copied());
        d
    };
    // Eight characters each, in place of the placeholder.
    for ok in ["JOSÉ ÑÜÇ".as_bytes(), "P ¢±¬¦ X".as_bytes(), b"JOS\xC9 \xD1\xDC\xC7", b"P \xA2\xB1\xAC\xA6 X"] {
        valid(&with_name(ok));
    }
    for bad in [
        "AUŻTIN12".as_bytes(),
        "EURO € 1".as_bytes(),
        b"ABC\x80DEFG",
        b"ABC\xA9DEFG",
        b"TAB\tTABS",
        "DÉJÀ ©12".as_bytes(),
    ] {
        only(&with_name(bad), "EntryDetail", "individual_name");
    }
}

/// Issue 19, point 3: lines with their trailing spaces trimmed are padded and read (a warning each),
/// including a first line (90 characters) short enough that a digit of the next record sits at
/// byte 95, which used to switch the reader to one-line (fixed width) mode.
#[test]
fn short_lines_are_padded() {
    let d = file(&[(ppd_header(1), vec![credit(1), credit(2)])]);
    let trimmed: Vec<u8> =
        String::from_utf8(d).unwrap().lines().map(|l| l.trim_end().to_string() + "\n").collect::<String>().into_bytes();
    for o in [ReadOptions::default(), ReadOptions::lenient()] {
        let r = check(&trimmed, &o);
        assert!(r.valid, "{:?}", r.errors);
        assert_eq!((r.batches, r.entries, r.total_credit_cents), (1, 2, 2_000));
        assert!(r.warnings.iter().any(|w| w.starts_with("line 1: line of 90 characters padded")), "{:?}", r.warnings);
    }
    assert!(!check(&trimmed, &ReadOptions::strict()).valid);
}

/// An ADV file with one entry (code 81, credit) whose fields 40-48 (advice routing number), 80-87
/// (ACH operator routing number), 88-90 (Julian day) and 91-94 (sequence number) are given.
fn adv_file(advice_routing: &str, operator_routing: &str, julian: &str, seq: &str) -> Vec<u8> {
    let entry = format!(
        "681231380104{}{}{}{}{}{}{}0{}{julian}{seq}",
        a("ACCT1", 15),
        z(5_000, 12),
        a(advice_routing, 9),
        a("FILE1", 5),
        " ",
        a("JANE DOE", 22),
        "  ",
        a(operator_routing, 8)
    );
    let lines = [
        good_header(),
        bh(280, "ACH OPERATOR", "1234567890", "ADV", "ADVICES", '0', 1),
        entry,
        format!("8280{}{}{}{}{}{ODFI}0000001", z(1, 6), z(23_138_010, 10), z(0, 20), z(5_000, 20), a("", 19)),
        format!("9{}{}{}{}{}{}{}", z(1, 6), z(1, 6), z(1, 8), z(23_138_010, 10), z(0, 20), z(5_000, 20), a("", 23)),
    ];
    let mut out = String::new();
    for l in &lines {
        assert_eq!(l.chars().count(), 94, "{l:?}");
        out += l;
        out.push('\n');
    }
    out.into_bytes()
}

/// moov `ADVEntryDetail.fieldInclusion`: routing numbers present, Julian day and sequence number
/// not zero.
#[test]
fn adv_entry_fields() {
    valid(&adv_file("121042882", "23138010", "032", "0001"));
    only(&adv_file("", "23138010", "032", "0001"), "EntryDetail", "advice_routing_number");
    only(&adv_file("121042882", "", "032", "0001"), "EntryDetail", "ach_operator_routing_number");
    only(&adv_file("121042882", "23138010", "000", "0001"), "EntryDetail", "julian_day");
    only(&adv_file("121042882", "23138010", "032", "0000"), "EntryDetail", "sequence_number");
}

/// moov `Addenda05.fieldInclusion`: a zero sequence number is an error even under `lenient()`,
/// where a wrong (non-zero) one is a warning.
#[test]
fn addenda05_sequence_number_not_zero() {
    let ccd = bh(200, "MY COMPANY", "1234567890", "CCD", "REFUND", '1', 1);
    let d = file(&[(ccd.clone(), vec![ed(22, 5, "", "", "", 1, 1), ad05("INVOICE 1", 0, 1)])]);
    let l = check(&d, &ReadOptions::lenient());
    assert!(!l.valid && l.errors.iter().all(|e| e.field == "addenda_sequence_number"), "{l:?}");
    let d = file(&[(ccd, vec![ed(22, 5, "", "", "", 1, 1), ad05("INVOICE 1", 2, 1)])]);
    assert!(check(&d, &ReadOptions::lenient()).valid);
}

/// moov `BatchControl.Validate` (company identification and message authentication code are
/// alphanumeric) and `EntryDetail.Validate` (discretionary data).
#[test]
fn control_and_discretionary_text_is_alphanumeric() {
    let d = String::from_utf8(file(&[(ppd_header(1), vec![credit(1)])])).unwrap();
    let mut lines: Vec<String> = d.lines().map(str::to_string).collect();
    lines[3].replace_range(54..55, "\u{7}");
    let bad = lines.join("\n") + "\n";
    only(bad.as_bytes(), "BatchControl", "message_authentication_code");
    only(
        &file(&[(ppd_header(1), vec![ed(22, 1_000, "", "JANE DOE", "\u{1}1", 0, 1)])]),
        "EntryDetail",
        "discretionary_data",
    );
}

/// The file creation date is a real date (moov parses it with Go's `time.Parse("060102")`).
#[test]
fn creation_date_exists() {
    let batches = [(ppd_header(1), vec![credit(1)])];
    for (date, ok) in [("240229", true), ("250229", false), ("260431", false), ("000229", true), ("260131", true)] {
        let h = good_header().replacen("260102", date, 1);
        let r = check(&file_with(&h, &batches), &ReadOptions::default());
        assert_eq!(r.valid, ok, "{date}: {:?}", r.errors);
    }
}

// ---- IAT (moov iatBatchHeader.go, iatEntryDetail.go, iatBatch.go, addenda10-18.go) ----

/// IAT batch header: foreign exchange indicator and reference indicator, country, currencies.
fn iat_bh(sc: u16, fx: &str, fx_ref: &str, country: &str, from: &str, to: &str) -> String {
    format!(
        "5{sc}{}{fx}{fx_ref}{}{country}{}IAT{}{from}{to}260105   1{ODFI}0000001",
        a("", 16),
        a("", 15),
        a("1234567890", 10),
        a("TRADE", 10)
    )
}

fn good_iat_bh() -> String {
    iat_bh(220, "FF", "3", "CA", "USD", "CAD")
}

/// IAT entry announcing `count` addenda.
fn iat_ed(count: &str, seq: u64) -> String {
    // Code 22, RDFI 231380104, count, reserved, amount, account, reserved, OFAC 0 0, indicator 1.
    format!("622231380104{count}{}{}{}  001{ODFI}{}", a("", 13), z(10_000, 10), a("ACCT 99", 35), z(seq, 7))
}

/// IAT addenda of type `t` (10-18) with its fields at their columns, entry detail sequence `seq`.
fn iat_ad(t: u8, seq: u64) -> String {
    let body = match t {
        10 => format!("ANN{}{}{}{}", z(10_000, 18), a("FOREIGN TRACE", 22), a("JANE RECEIVER", 35), a("", 6)),
        11 | 12 | 16 => format!("{}{}{}", a("LINE ONE", 35), a("LINE TWO", 35), a("", 14)),
        13 | 14 => format!("{}01{}CA{}", a("BANK NAME", 35), a("123456789", 34), a(" ", 11)),
        15 => format!("{}{}{}", a("RECEIVER ID", 15), a("1 MAIN STREET", 35), a("", 34)),
        17 => format!("{}0001", a("INVOICE 1", 80)),
        _ => format!("{}01{}CA {}0001", a("CORRESPONDENT", 35), a("987654321", 34), a("", 6)),
    };
    format!("7{t}{body}{}", z(seq, 7))
}

fn iat_entry(seq: u64, types: &[u8]) -> Vec<String> {
    let mut v = vec![iat_ed(&z(types.len() as u64, 4), seq)];
    v.extend(types.iter().map(|&t| iat_ad(t, seq)));
    v
}

const MANDATORY: [u8; 7] = [10, 11, 12, 13, 14, 15, 16];

/// moov `IATBatch.addendaFieldInclusion` (10-16 required), `IATBatch.Validate` (at most two 17 and
/// five 18), `isAddendaSequence` (entry detail sequence numbers), `IATEntryDetail.fieldInclusion`.
#[test]
fn iat_entries_and_their_addenda() {
    let all = [10, 11, 12, 13, 14, 15, 16, 17, 17, 18];
    valid(&file(&[(good_iat_bh(), iat_entry(1, &all))]));
    let r = only(&file(&[(good_iat_bh(), iat_entry(1, &[10, 11, 13, 14, 15, 16]))]), "EntryDetail", "addenda");
    assert!(has_msg(&r, "IAT entries need addenda 12"), "{r:?}");
    let r = only(
        &file(&[(good_iat_bh(), iat_entry(1, &[10, 11, 12, 13, 14, 15, 16, 17, 17, 17]))]),
        "EntryDetail",
        "addenda",
    );
    assert!(has_msg(&r, "at most two addenda 17"), "{r:?}");
    // An addenda of another entry's sequence number.
    let mut recs = iat_entry(1, &MANDATORY);
    recs[3] = iat_ad(12, 2);
    only(&file(&[(good_iat_bh(), recs)]), "Addenda", "entry_detail_sequence_number");
    // The entry's addenda count (13-16) is required.
    let mut recs = iat_entry(1, &MANDATORY);
    recs[0] = iat_ed("0000", 1);
    only(&file(&[(good_iat_bh(), recs)]), "EntryDetail", "addenda_records");
}

/// moov `Addenda10`-`Addenda18` `fieldInclusion`/`Validate`.
#[test]
fn iat_addenda_fields() {
    let with = |t: u8, f: &dyn Fn(&mut String)| {
        let mut recs = iat_entry(1, &[10, 11, 12, 13, 14, 15, 16, 17, 18]);
        let i = recs.iter().position(|r| r.starts_with(&format!("7{t}"))).expect("addenda");
        f(&mut recs[i]);
        file(&[(good_iat_bh(), recs)])
    };
    only(&with(10, &|r| r.replace_range(46..81, &a("", 35))), "Addenda", "name");
    only(&with(11, &|r| r.replace_range(38..73, &a("", 35))), "Addenda", "originator_street_address");
    only(&with(13, &|r| r.replace_range(38..40, "09")), "Addenda", "odfi_id_number_qualifier");
    only(&with(14, &|r| r.replace_range(74..77, "   ")), "Addenda", "rdfi_branch_country_code");
    only(&with(15, &|r| r.replace_range(18..53, &a("", 35))), "Addenda", "receiver_street_address");
    only(&with(16, &|r| r.replace_range(3..38, &a("", 35))), "Addenda", "receiver_city_state_province");
    only(&with(17, &|r| r.replace_range(83..87, "0000")), "Addenda", "sequence_number");
    only(&with(18, &|r| r.replace_range(3..38, &a("", 35))), "Addenda", "foreign_correspondent_bank_name");
}

/// moov `IATBatchHeader.Validate` (indicators; ISO codes checked for shape here, see docs) and
/// `IATBatch.Validate` (no 280).
#[test]
fn iat_batch_header() {
    let e = iat_entry(1, &MANDATORY);
    valid(&file(&[(iat_bh(200, "FV", "1", "GB", "USD", "GBP"), e.clone())]));
    for (h, field) in [
        (iat_bh(220, "XX", "3", "CA", "USD", "CAD"), "foreign_exchange_indicator"),
        (iat_bh(220, "FV", " ", "CA", "USD", "CAD"), "foreign_exchange_reference_indicator"),
        (iat_bh(220, "FF", "3", "  ", "USD", "CAD"), "iso_destination_country_code"),
        (iat_bh(220, "FF", "3", "CA", "usd", "CAD"), "iso_originating_currency_code"),
        (iat_bh(220, "FF", "3", "CA", "USD", "C1D"), "iso_destination_currency_code"),
    ] {
        only(&file(&[(h, e.clone())]), "BatchHeader", field);
    }
    valid(&file(&[(iat_bh(220, "FF", " ", "CA", "USD", "CAD"), e.clone())]));
    let r = check(&file(&[(iat_bh(280, "FF", "3", "CA", "USD", "CAD"), e)]), &ReadOptions::default());
    assert!(r.errors.iter().any(|e| e.field == "service_class_code" && e.message.contains("ADV")), "{r:?}");
}

/// The writer takes the alphanumeric immediate origins the reader accepts (issue 19, point 2).
#[test]
fn writer_writes_an_alphanumeric_origin() {
    use nacha::{FileHeaderFields, RoutingNumber, Writer};
    let h = |origin: &str| FileHeaderFields {
        immediate_destination: RoutingNumber::parse("231380104").expect("rn"),
        immediate_origin: origin.into(),
        creation_date: "260102".into(),
        creation_time: "0304".into(),
        file_id_modifier: 'A',
        destination_name: "FED".into(),
        origin_name: "ORIGIN".into(),
        reference_code: String::new(),
    };
    let bytes = Writer::new(Vec::new(), &h("A123456789")).expect("header").finish().expect("finish");
    assert_eq!(&bytes[13..23], b"A123456789");
    let r = check(&bytes, &ReadOptions::default());
    assert!(r.errors.iter().all(|e| e.record != "FileHeader"), "{:?}", r.errors);
    for bad in ["a123456789", "0000000000", "12345678", "A12345678"] {
        assert!(Writer::new(Vec::new(), &h(bad)).is_err(), "{bad}");
    }
}

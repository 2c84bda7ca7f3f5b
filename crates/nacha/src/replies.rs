//! Reading a bank's reply file: returns (addenda 99) and notifications of change (addenda 98, in
//! COR batches) answering entries we sent.
//!
//! [`read_replies`] first validates the whole file; a file that fails framing or validation is an
//! error listing the problems with their line numbers. In a valid file, every entry must carry a
//! return or a notification of change; one that does not, or whose reply cannot be understood
//! (unknown code, malformed original trace or RDFI, unreadable corrected data), becomes a
//! [`ReplyProblem`] with its line, and reading goes on. Nothing is skipped silently.
//!
//! Account numbers never appear in full in errors, problems or `Debug` output: replies keep only
//! the last four characters of the entry's account, and a correction's new account number (which
//! the originator needs whole) is masked by [`Correction`]'s `Debug`.

use crate::codes::changes::{self, Correction};
use crate::codes::returns::{self, ReturnLayout};
use crate::field::{is_blank, trim_end};
use crate::file::read_file;
use crate::layout::Layout;
use crate::options::ReadOptions;
use crate::types::{SecCode, account_last4, mask_account};
use crate::validate::ValidationError;
use serde::Serialize;
use std::fmt;

/// What a reply file says about the entries it answers.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Replies {
    /// Replies understood, in file order.
    pub replies: Vec<Reply>,
    /// Reply entries that could not be understood, in file order.
    pub problems: Vec<ReplyProblem>,
    /// Repairs the lenient reader made (padded or trimmed lines), as in [`crate::Report::warnings`].
    pub warnings: Vec<String>,
}

/// One return or notification of change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reply {
    /// Trace number of our original entry (addenda positions 7-21).
    pub original_trace: u64,
    /// The original entry's RDFI identification: the 8-digit routing prefix (addenda 28-35).
    pub original_rdfi: String,
    /// Return or change, with its code.
    pub kind: ReplyKind,
    /// Last four characters of the reply entry's account number (the account the original entry
    /// addressed); `None` when it has four or fewer characters, which would be the whole number.
    pub entry_account_last4: Option<String>,
    /// Individual or receiving company name of the reply entry (copied from the original).
    pub individual_name: String,
    /// Identification number of the reply entry (copied from the original: for our prenotes, the
    /// enrollment reference).
    pub individual_id: String,
    /// 1-based line of the reply entry (its addenda follows).
    pub line: usize,
}

/// What the bank answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ReplyKind {
    /// The entry was returned (addenda 99).
    Return {
        /// Return reason code, "R03".
        code: String,
        /// NACHA title of the code.
        description: &'static str,
        /// Standard return, dishonored return (R61-R70) or contested dishonored return (R71-R77).
        layout: ReturnLayout,
        /// YYMMDD date of death (R14, R15), when given.
        date_of_death: Option<String>,
    },
    /// Notification of change (addenda 98): apply before the next entry to this account.
    Change {
        /// Change code, "C01".
        code: String,
        /// What to change.
        correction: Correction,
    },
}

impl ReplyKind {
    /// The return or change code ("R03", "C01").
    pub fn code(&self) -> &str {
        match self {
            Self::Return { code, .. } | Self::Change { code, .. } => code,
        }
    }
}

/// A reply entry that could not be understood.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplyProblem {
    /// 1-based line of the entry or addenda at fault.
    pub line: usize,
    /// Original trace number, when it could be read.
    pub original_trace: Option<u64>,
    /// What is wrong (account numbers masked).
    pub message: String,
}

impl fmt::Display for ReplyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// A reply file that fails framing or validation: nothing in it is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyFileError {
    /// The problems, with line numbers (0 for the whole file), values of account fields masked.
    pub errors: Vec<ValidationError>,
    /// How many problems there are in all (`errors` holds at most `max_errors`).
    pub error_count: u64,
}

impl fmt::Display for ReplyFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe_errors("the reply file is not a valid NACHA file", &self.errors, self.error_count))
    }
}

impl std::error::Error for ReplyFileError {}

/// "what: line 3: EntryDetail trace_number "X": must be 15 digits; ... (and 4 more)".
pub(crate) fn describe_errors(what: &str, errors: &[ValidationError], error_count: u64) -> String {
    const SHOWN: usize = 5;
    let mut s = format!("{what}: ");
    for (i, e) in errors.iter().take(SHOWN).enumerate() {
        if i > 0 {
            s.push_str("; ");
        }
        let at = if e.line == 0 { "file".to_string() } else { format!("line {}", e.line) };
        s.push_str(&format!("{at}: {} {}", e.record, e.field));
        if !e.value.is_empty() {
            s.push_str(&format!(" {:?}", e.value));
        }
        s.push_str(&format!(": {}", e.message));
    }
    let more = error_count.saturating_sub(errors.len().min(SHOWN) as u64);
    if more > 0 {
        s.push_str(&format!(" (and {more} more)"));
    }
    s
}

/// Validation error with the value of an account field masked.
pub(crate) fn masked(mut e: ValidationError) -> ValidationError {
    if matches!(e.field, "dfi_account_number" | "corrected_data") {
        e.value = mask_account(&e.value);
    }
    e
}

/// Masks every run of five or more letters and digits that holds a digit (account numbers,
/// routing numbers), keeping its last four characters.
fn mask_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.len() > 4 && word.bytes().any(|b| b.is_ascii_digit()) {
            out.push_str(&mask_account(word));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Validation errors that concern one reply item: [`read_replies`] reports them as
/// [`ReplyProblem`]s of that item instead of rejecting the file.
fn item_level(e: &ValidationError) -> bool {
    match e.record {
        "Addenda" => matches!(
            e.field,
            "return_reason_code"
                | "change_code"
                | "refused_change_code"
                | "original_entry_trace_number"
                | "corrected_data"
                | "trace_sequence_number"
        ),
        // Indicator 1 with no addenda after it: the reply's addenda is missing. An entry without
        // its reply addenda is also a forward entry among replies ("category"), a forward entry
        // may not carry zero ("amount") and a COR entry needs its 98: that item is reported as
        // lacking its reply.
        "EntryDetail" => {
            (e.field == "addenda_record_indicator" && e.value == "1")
                || e.field == "category"
                || (e.field == "amount" && e.value == "0")
                || (e.field == "addenda" && e.message == crate::validate::COR_NEEDS_98)
        }
        _ => false,
    }
}

/// Reads a reply file with the default options (lines padded or trimmed as moov-io/ach does, every
/// NACHA rule checked). See [`read_replies_with`].
pub fn read_replies(bytes: &[u8]) -> Result<Replies, ReplyFileError> {
    read_replies_with(bytes, &ReadOptions::default())
}

/// Reads a reply file: every entry should carry an addenda 99 (return, including dishonored and
/// contested returns) or, in a COR batch, an addenda 98 (notification of change).
///
/// `opts` chooses how strictly the file is validated; custom return and change codes are always
/// accepted at file level, because an unknown code is a problem of one reply, not of the file.
/// An entry with several reply addenda (unusual) gives one reply per addenda.
pub fn read_replies_with(bytes: &[u8], opts: &ReadOptions) -> Result<Replies, ReplyFileError> {
    let opts = ReadOptions { custom_return_codes: true, custom_change_codes: true, ..opts.clone() };
    let file = read_file(bytes, &opts);
    let report = &file.report;
    let errors: Vec<ValidationError> = report.errors.iter().filter(|e| !item_level(e)).cloned().map(masked).collect();
    let demoted = (report.errors.len() - errors.len()) as u64;
    // Errors beyond `max_errors` are not known: count them against the file.
    if !errors.is_empty() || report.error_count > report.errors.len() as u64 {
        return Err(ReplyFileError { errors, error_count: report.error_count - demoted });
    }
    let mut out = Replies { warnings: report.warnings.clone(), ..Replies::default() };
    for batch in &file.batches {
        let sec = batch.header.as_ref().and_then(|h| h.batch_header()).and_then(|h| h.sec_code());
        let cor = sec == Some(SecCode::COR);
        for entry in &batch.entries {
            let Some(e) = entry.record.entry() else { continue };
            let account = e.account_number();
            let last4 = account_last4(account.trim());
            let (name, id) = (e.individual_name().trim().to_string(), e.identification_number().trim().to_string());
            let mut replies = 0;
            for (line, rec) in &entry.addenda {
                if !matches!(
                    rec.layout,
                    Layout::Addenda99
                        | Layout::Addenda99Dishonored
                        | Layout::Addenda99Contested
                        | Layout::Addenda98
                        | Layout::Addenda98Refused
                ) {
                    continue;
                }
                replies += 1;
                match reply_of(rec, cor) {
                    Ok((original_trace, original_rdfi, kind)) => out.replies.push(Reply {
                        original_trace,
                        original_rdfi,
                        kind,
                        entry_account_last4: last4.clone(),
                        individual_name: name.clone(),
                        individual_id: id.clone(),
                        line: entry.line as usize,
                    }),
                    Err((original_trace, message)) => {
                        out.problems.push(ReplyProblem { line: *line as usize, original_trace, message })
                    }
                }
            }
            if replies == 0 {
                let trace = String::from_utf8_lossy(e.trace_field()).into_owned();
                let message = if cor {
                    format!("entry with trace number {trace} in a COR batch has no notification-of-change addenda (98)")
                } else {
                    format!("entry with trace number {trace} has no return (99) or notification-of-change (98) addenda")
                };
                out.problems.push(ReplyProblem { line: entry.line as usize, original_trace: None, message });
            }
        }
    }
    Ok(out)
}

/// What an addenda 98 or 99 says: (original trace, original RDFI, reply), or (original trace if
/// readable, problem).
fn reply_of(rec: &crate::Record<'_>, cor: bool) -> Result<(u64, String, ReplyKind), (Option<u64>, String)> {
    let a = rec.addenda().ok_or((None, "not an addenda record".to_string()))?;
    let text = |b: &[u8]| String::from_utf8_lossy(trim_end(b)).into_owned();
    let code = text(a.reason_code());
    let trace_field = a.original_trace_field();
    let original_trace = a.original_trace().filter(|_| trace_field.len() == 15);
    let Some(trace) = original_trace else {
        return Err((None, format!("{code}: original entry trace number {:?} is not 15 digits", text(trace_field))));
    };
    let fail = |message: String| Err((Some(trace), message));
    let rdfi = a.original_rdfi();
    if rdfi.len() != 8 || !rdfi.iter().all(u8::is_ascii_digit) {
        return fail(format!("{code}: original RDFI identification {:?} is not 8 digits", text(rdfi)));
    }
    let kind = match rec.layout {
        Layout::Addenda99 | Layout::Addenda99Dishonored | Layout::Addenda99Contested => {
            let Some(rc) = returns::lookup(a.reason_code()) else {
                return fail(format!("unknown return reason code {code:?}"));
            };
            let dod = a.date_of_death();
            let date_of_death = (rc.layout == ReturnLayout::Standard && !is_blank(dod)).then(|| text(dod));
            ReplyKind::Return { code, description: rc.reason, layout: rc.layout, date_of_death }
        }
        Layout::Addenda98Refused => {
            return fail(format!(
                "{code} is a refused notification of change (sent by an originator's bank to the RDFI), not a reply \
                 to an originator"
            ));
        }
        _ => {
            if !cor {
                return fail(format!("notification of change {code} outside a COR batch"));
            }
            if changes::lookup(a.reason_code()).is_none() {
                return fail(format!("unknown change code {code:?}"));
            }
            match a.correction() {
                Some(Ok(correction)) => ReplyKind::Change { code, correction },
                Some(Err(e)) => return fail(format!("corrected data of {code} cannot be read: {}", mask_numbers(&e))),
                None => return fail(format!("{code}: no corrected data")),
            }
        }
    };
    Ok((trace, text(rdfi), kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{EntryFields, NewAddenda};
    use crate::types::{RoutingNumber, ServiceClass, TransactionCode};
    use crate::{BatchHeaderFields, FileHeaderFields, Writer};

    fn header() -> FileHeaderFields {
        FileHeaderFields {
            immediate_destination: RoutingNumber::parse("121042882").expect("rn"),
            immediate_origin: "231380104".into(),
            creation_date: "260110".into(),
            creation_time: "0800".into(),
            file_id_modifier: 'A',
            destination_name: "US CUSTOMS BANK".into(),
            origin_name: "RECEIVING BANK".into(),
            reference_code: String::new(),
        }
    }

    fn batch(sec: SecCode) -> BatchHeaderFields {
        BatchHeaderFields {
            service_class: ServiceClass::Mixed,
            company_name: "US CUSTOMS".into(),
            company_discretionary_data: String::new(),
            company_identification: "2123456789".into(),
            sec_code: sec,
            entry_description: "PRENOTE".into(),
            descriptive_date: String::new(),
            effective_entry_date: "260110".into(),
            originator_status_code: '1',
            odfi: RoutingNumber::parse("231380104").expect("rn"),
        }
    }

    fn entry(account: &str, addenda: Vec<NewAddenda>) -> EntryFields<'static> {
        // A NOC carries zero; a return (or an entry missing its reply) the original amount.
        let noc = addenda.iter().any(|a| matches!(a, NewAddenda::Change { .. }));
        EntryFields {
            transaction_code: TransactionCode::new(21).expect("tc"),
            rdfi: RoutingNumber::parse("121042882").expect("rn"),
            account_number: account.to_string().into(),
            amount_cents: if noc { 0 } else { 12_345 },
            identification_number: "ENR000042".into(),
            individual_name: "ACME IMPORTS LLC".into(),
            discretionary_data: "".into(),
            addenda,
        }
    }

    fn ret(code: &str, trace: &str) -> NewAddenda {
        NewAddenda::Return {
            return_reason_code: code.into(),
            original_entry_trace_number: trace.into(),
            date_of_death: String::new(),
            original_rdfi_identification: "23138010".into(),
            addenda_information: String::new(),
        }
    }

    fn noc(code: &str, trace: &str, data: &str) -> NewAddenda {
        NewAddenda::Change {
            change_code: code.into(),
            original_entry_trace_number: trace.into(),
            original_rdfi_identification: "23138010".into(),
            corrected_data: data.into(),
        }
    }

    /// A reply file: one return batch, one COR batch.
    fn file(returns: Vec<EntryFields<'_>>, nocs: Vec<EntryFields<'_>>) -> Vec<u8> {
        let mut w = Writer::new(Vec::new(), &header()).expect("header");
        if !returns.is_empty() {
            w.begin_batch(&batch(SecCode::CCD)).expect("batch");
            for e in &returns {
                w.add_entry(e).expect("entry");
            }
            w.end_batch().expect("end");
        }
        if !nocs.is_empty() {
            w.begin_batch(&batch(SecCode::COR)).expect("batch");
            for e in &nocs {
                w.add_entry(e).expect("entry");
            }
            w.end_batch().expect("end");
        }
        w.finish().expect("finish")
    }

    #[test]
    fn returns_and_changes_are_read() {
        let mut dead = ret("R15", "121042880000002");
        if let NewAddenda::Return { date_of_death, .. } = &mut dead {
            *date_of_death = "251231".into();
        }
        let bytes = file(
            vec![entry("000111222333", vec![ret("R03", "121042880000001")]), entry("000111222334", vec![dead])],
            vec![entry("000111222335", vec![noc("C01", "121042880000003", "987654321")])],
        );
        let r = read_replies(&bytes).expect("valid");
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.replies.len(), 3);
        let first = &r.replies[0];
        assert_eq!(first.original_trace, 121_042_880_000_001);
        assert_eq!(first.original_rdfi, "23138010");
        assert_eq!(first.entry_account_last4.as_deref(), Some("2333"));
        assert_eq!((first.individual_name.as_str(), first.individual_id.as_str()), ("ACME IMPORTS LLC", "ENR000042"));
        assert_eq!(first.line, 3);
        assert!(matches!(
            &first.kind,
            ReplyKind::Return { code, description, layout: ReturnLayout::Standard, date_of_death: None }
                if code == "R03" && description.starts_with("No account")
        ));
        assert!(
            matches!(&r.replies[1].kind, ReplyKind::Return { date_of_death: Some(d), .. } if d == "251231"),
            "{:?}",
            r.replies[1]
        );
        assert_eq!(
            r.replies[2].kind,
            ReplyKind::Change {
                code: "C01".into(),
                correction: Correction::AccountNumber { account_number: "987654321".into() }
            }
        );
        assert_eq!(r.replies[2].kind.code(), "C01");
        let debug = format!("{r:?}");
        for full in ["000111222333", "000111222335", "987654321"] {
            assert!(!debug.contains(full), "{full} in {debug}");
        }
    }

    #[test]
    fn malformed_items_become_problems() {
        let bytes = file(
            vec![
                entry("000111222333", vec![ret("R97", "121042880000001")]),
                entry("000111222334", vec![ret("XYZ", "121042880000002")]),
                entry("000111222335", vec![]),
                entry("000111222336", vec![ret("R03", "12104288000000A")]),
                entry("000111222337", vec![ret("R02", "121042880000005")]),
            ],
            vec![
                // C03 with the account where the routing number belongs: unreadable.
                entry("000111222338", vec![noc("C03", "121042880000006", "555666777   231380104")]),
                entry("000111222339", vec![noc("C77", "121042880000007", "X")]),
                entry("000111222340", vec![noc("C62", "121042880000008", "X")]),
                entry("000111222341", vec![noc("C05", "121042880000009", "32")]),
            ],
        );
        let r = read_replies(&bytes).expect("file is valid; its items are not");
        let codes: Vec<&str> = r.replies.iter().map(|x| x.kind.code()).collect();
        assert_eq!(codes, ["R02", "C05"]);
        let lines: Vec<usize> = r.problems.iter().map(|p| p.line).collect();
        // Entries at 3, 5, 7 (no addenda), 8, 10; COR entries at 14, 16, 18, 20; addenda one line below.
        assert_eq!(lines, [4, 6, 7, 9, 15, 17, 19], "{:#?}", r.problems);
        assert!(r.problems[0].message.contains("unknown return reason code \"R97\""));
        assert_eq!(r.problems[0].original_trace, Some(121_042_880_000_001));
        assert!(r.problems[1].message.contains("\"XYZ\""));
        assert!(r.problems[2].message.contains("has no return (99)"));
        assert!(r.problems[3].message.contains("not 15 digits") && r.problems[3].original_trace.is_none());
        assert!(r.problems[4].message.contains("corrected data of C03"), "{}", r.problems[4].message);
        assert!(!r.problems[4].message.contains("555666777"), "{}", r.problems[4].message);
        assert!(r.problems[5].message.contains("unknown change code"));
        assert!(r.problems[6].message.contains("refused"));
        for p in &r.problems {
            assert!(p.to_string().starts_with(&format!("line {}: ", p.line)));
        }
    }

    #[test]
    fn missing_addenda_despite_indicator_is_a_problem() {
        let mut bytes = file(vec![entry("000111222333", vec![]), entry("000111222334", vec![])], vec![]);
        // Entry on line 3 says an addenda follows (position 79) but none does.
        let at = 2 * 95 + 78;
        assert_eq!(bytes[at], b'0');
        bytes[at] = b'1';
        let r = read_replies(&bytes).expect("still read");
        assert_eq!(r.problems.len(), 2);
        assert_eq!(r.problems[0].line, 3);
    }

    #[test]
    fn invalid_files_are_errors_with_lines() {
        let good = file(vec![entry("000111222333", vec![ret("R03", "121042880000001")])], vec![]);
        // Break the batch control's entry hash (line 5, positions 11-20).
        let mut bad = good.clone();
        bad[4 * 95 + 10] = b'9';
        let e = read_replies(&bad).expect_err("hash");
        assert_eq!(e.errors[0].line, 5);
        assert!(e.to_string().contains("line 5: BatchControl entry_hash"), "{e}");

        // A blank account number is reported with the value masked.
        let mut bad = good.clone();
        bad[2 * 95 + 12..2 * 95 + 29].fill(b' ');
        let e = read_replies(&bad).expect_err("account");
        assert!(e.errors.iter().any(|x| x.line == 3 && x.field == "dfi_account_number"), "{e}");

        let e = read_replies(b"").expect_err("empty");
        assert!(e.to_string().contains("missing file header"), "{e}");
        let e = read_replies(b"hello\n").expect_err("garbage");
        assert!(e.errors.iter().any(|x| x.line == 1), "{e}");
    }

    #[test]
    fn account_values_in_file_errors_are_masked() {
        let e = masked(ValidationError {
            line: 3,
            record: "EntryDetail",
            field: "dfi_account_number",
            value: "123456789".into(),
            message: "x".into(),
        });
        assert_eq!(e.value, "*****6789");
        assert_eq!(
            mask_numbers("routing number \"555666777\" has check digit 7"),
            "routing number \"*****6777\" has check digit 7"
        );
        assert_eq!(mask_numbers("C03 ABC12345 ok"), "C03 ****2345 ok");
    }
}

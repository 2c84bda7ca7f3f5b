//! A stand-in for the receiving bank, for tests and demonstrations: answers entries of a file we
//! sent with returns and notifications of change, as a reply file [`crate::replies`] reads.
//!
//! The reply goes back to whoever sent the original: its file header swaps the original's
//! destination and origin. Returns are entries with an addenda 99 in a batch like the original's
//! (same SEC code, company and description); notifications of change are zero-dollar entries with an
//! addenda 98 in a COR batch. One batch is written per original batch, kind (return or change) and
//! receiving bank, whose routing number stands in the batch header's ODFI field (the returning bank
//! originates the reply) and prefixes the reply entries' trace numbers; the reply entries go to the
//! original ODFI and carry the original's account, amount (zero for changes), id and name.
//!
//! Reply transaction codes: 21 for an original 22/23/24 (checking credit or prenote), 31 for
//! 32/33/34 (savings), 26/36 for checking/savings debits, 41/46 and 51/56 likewise for general
//! ledger and loan accounts.

use crate::batch_header::BatchHeaderFields;
use crate::codes::changes;
use crate::codes::returns::{self, ReturnLayout};
use crate::entry::{EntryFields, NewAddenda};
use crate::file::{AchFile, read_file};
use crate::file_header::FileHeaderFields;
use crate::layout::Layout;
use crate::options::ReadOptions;
use crate::replies::{describe_errors, masked};
use crate::types::{RoutingNumber, SecCode, ServiceClass, TransactionCode, check_digit};
use crate::validate::ValidationError;
use crate::writer::{WriteError, Writer};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// How the bank answers one entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Return the entry with this standard return reason code ("R03").
    Return(String),
    /// Notify a change ("C01") with the corrected data as it stands in columns 36-64 of the addenda
    /// 98 (29 characters; [`changes::layout_corrected_data`] builds it from the values).
    Change {
        /// Change code, C01-C14.
        code: String,
        /// Corrected data laid out for the code.
        corrected_data: String,
    },
}

/// Dates and id of the reply file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RespondOptions {
    /// File creation date, YYMMDD.
    pub creation_date: String,
    /// File creation time, HHMM.
    pub creation_time: String,
    /// Effective entry date of the reply batches, YYMMDD.
    pub effective_entry_date: String,
    /// File id modifier, A-Z or 0-9.
    pub file_id_modifier: char,
}

impl RespondOptions {
    /// Options for a file created at `date` (YYMMDD) and `time` (HHMM), effective the same day, id A.
    pub fn on(date: &str, time: &str) -> Self {
        Self {
            creation_date: date.into(),
            creation_time: time.into(),
            effective_entry_date: date.into(),
            file_id_modifier: 'A',
        }
    }
}

/// Why no reply could be written.
#[derive(Debug)]
pub enum RespondError {
    /// The original file is not valid NACHA (values of account fields masked).
    InvalidOriginal {
        /// The problems, with line numbers.
        errors: Vec<ValidationError>,
        /// How many in all.
        error_count: u64,
    },
    /// No answers were given.
    NoAnswers,
    /// No entry of the original has this trace number.
    UnknownTrace(u64),
    /// Several entries of the original have this trace number.
    AmbiguousTrace(u64),
    /// Two answers for the same trace number.
    DuplicateAnswer(u64),
    /// The entry cannot be answered (an IAT or ADV entry, or itself a return or change).
    NotAnswerable {
        /// Trace number of the entry.
        trace: u64,
        /// Why.
        reason: String,
    },
    /// The return or change code cannot be sent.
    BadCode {
        /// Trace number of the entry.
        trace: u64,
        /// The code given.
        code: String,
        /// Why.
        reason: String,
    },
    /// The corrected data does not fit or does not read back for its change code.
    BadCorrectedData {
        /// Trace number of the entry.
        trace: u64,
        /// The change code.
        code: String,
        /// Why.
        reason: String,
    },
    /// The reply could not be written.
    Write(WriteError),
}

impl fmt::Display for RespondError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidOriginal { errors, error_count } => {
                f.write_str(&describe_errors("the original file is not a valid NACHA file", errors, *error_count))
            }
            Self::NoAnswers => f.write_str("there are no answers: give at least one return or change"),
            Self::UnknownTrace(t) => write!(f, "no entry of the original file has trace number {t:015}"),
            Self::AmbiguousTrace(t) => write!(f, "several entries of the original file have trace number {t:015}"),
            Self::DuplicateAnswer(t) => write!(f, "trace number {t:015} is answered twice"),
            Self::NotAnswerable { trace, reason } => write!(f, "the entry with trace number {trace:015} {reason}"),
            Self::BadCode { trace, code, reason } => write!(f, "answer to trace number {trace:015}: {code:?} {reason}"),
            Self::BadCorrectedData { trace, code, reason } => {
                write!(f, "answer to trace number {trace:015}: corrected data for {code}: {reason}")
            }
            Self::Write(e) => write!(f, "the reply could not be written: {e}"),
        }
    }
}

impl std::error::Error for RespondError {}

impl From<WriteError> for RespondError {
    fn from(e: WriteError) -> Self {
        Self::Write(e)
    }
}

/// Transaction code of the automated return or NOC answering an entry with code `original`.
fn reply_transaction_code(original: u8) -> Option<TransactionCode> {
    let code = match (original / 10, original % 10) {
        (2..=5, 2..=4) => original / 10 * 10 + 1,
        (2..=4, 7..=9) => original / 10 * 10 + 6,
        (5, 5) => 56,
        _ => return None,
    };
    TransactionCode::new(code)
}

/// The full routing number of an 8-digit DFI identification (check digit computed).
fn routing_of(prefix: &[u8]) -> Option<RoutingNumber> {
    let d = check_digit(prefix)?;
    RoutingNumber::parse(&format!("{}{d}", std::str::from_utf8(prefix).ok()?)).ok()
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).trim().to_string()
}

/// One answered entry, checked.
struct Answered<'a> {
    batch: usize,
    entry: usize,
    trace: u64,
    answer: &'a Answer,
    /// The receiving bank of the original entry: originates the reply.
    rdfi: RoutingNumber,
    /// Transaction code of the reply entry.
    code: TransactionCode,
}

/// Writes the reply file answering entries of `original` (by trace number) as its receiving bank
/// would. Every answer is checked before anything is written: an unknown or ambiguous trace, a
/// code that is not a standard return or a change code, or corrected data that does not read back
/// for its code is an error naming the trace. The original must be a valid NACHA file.
pub fn respond(original: &[u8], answers: &[(u64, Answer)], opts: &RespondOptions) -> Result<Vec<u8>, RespondError> {
    let file = read_file(original, &ReadOptions::default());
    if !file.report.valid {
        return Err(RespondError::InvalidOriginal {
            errors: file.report.errors.iter().cloned().map(masked).collect(),
            error_count: file.report.error_count,
        });
    }
    if answers.is_empty() {
        return Err(RespondError::NoAnswers);
    }
    let mut index: HashMap<u64, Vec<(usize, usize)>> = HashMap::new();
    for (bi, b) in file.batches.iter().enumerate() {
        for (ei, e) in b.entries.iter().enumerate() {
            if let Some(t) = e.record.entry().and_then(|d| d.trace_number()) {
                index.entry(t).or_default().push((bi, ei));
            }
        }
    }
    let mut seen = HashSet::new();
    let mut answered = Vec::with_capacity(answers.len());
    for (trace, answer) in answers {
        let trace = *trace;
        if !seen.insert(trace) {
            return Err(RespondError::DuplicateAnswer(trace));
        }
        let (batch, entry) = match index.get(&trace).map(Vec::as_slice) {
            None | Some([]) => return Err(RespondError::UnknownTrace(trace)),
            Some([one]) => *one,
            Some(_) => return Err(RespondError::AmbiguousTrace(trace)),
        };
        answered.push(check_answer(&file, batch, entry, trace, answer)?);
    }
    answered.sort_by_key(|a| (a.batch, a.entry));
    write_reply(&file, &answered, opts)
}

fn check_answer<'a>(
    file: &AchFile,
    batch: usize,
    entry: usize,
    trace: u64,
    answer: &'a Answer,
) -> Result<Answered<'a>, RespondError> {
    let not = |reason: &str| RespondError::NotAnswerable { trace, reason: reason.into() };
    let b = &file.batches[batch];
    let rec = &b.entries[entry].record;
    if rec.layout != Layout::Entry {
        return Err(not("is an IAT or ADV entry; the responder answers domestic entries only"));
    }
    let sec = b.header.as_ref().and_then(|h| h.batch_header()).and_then(|h| h.sec_code());
    if sec == Some(SecCode::COR) {
        return Err(not("is itself a notification of change"));
    }
    let e = rec.entry().ok_or_else(|| not("is not an entry"))?;
    let original_code = e.transaction_code_value().unwrap_or(0);
    let code = reply_transaction_code(original_code)
        .ok_or_else(|| not(&format!("has transaction code {original_code:02}, which is itself a return or change")))?;
    let rdfi = e.rdfi_routing().ok_or_else(|| not("has no valid RDFI routing number"))?;
    match answer {
        Answer::Return(rc) => match returns::lookup(rc.as_bytes()) {
            None => {
                return Err(RespondError::BadCode {
                    trace,
                    code: rc.clone(),
                    reason: "is not a return reason code".into(),
                });
            }
            Some(r) if r.layout != ReturnLayout::Standard => {
                return Err(RespondError::BadCode {
                    trace,
                    code: rc.clone(),
                    reason: "is a dishonored or contested return code; the responder sends standard returns only"
                        .into(),
                });
            }
            Some(_) => {}
        },
        Answer::Change { code: cc, corrected_data } => {
            let bad = |reason: String| RespondError::BadCorrectedData { trace, code: cc.clone(), reason };
            match changes::lookup(cc.as_bytes()) {
                None => {
                    return Err(RespondError::BadCode {
                        trace,
                        code: cc.clone(),
                        reason: "is not a change code".into(),
                    });
                }
                Some(c) if c.refused => {
                    return Err(RespondError::BadCode {
                        trace,
                        code: cc.clone(),
                        reason: "is a refused-NOC code; the responder sends notifications of change".into(),
                    });
                }
                Some(_) => {}
            }
            if !corrected_data.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
                return Err(bad("must be printable ASCII".into()));
            }
            if corrected_data.len() > 29 {
                return Err(bad(format!("has {} characters; at most 29 fit", corrected_data.len())));
            }
            if corrected_data.trim().is_empty() {
                return Err(bad("is blank".into()));
            }
            let mut field = [b' '; 29];
            field[..corrected_data.len()].copy_from_slice(corrected_data.as_bytes());
            changes::parse_corrected_data(cc.as_bytes(), &field).map_err(bad)?;
        }
    }
    Ok(Answered { batch, entry, trace, answer, rdfi, code })
}

fn write_reply(file: &AchFile, answered: &[Answered<'_>], opts: &RespondOptions) -> Result<Vec<u8>, RespondError> {
    let h = file.header.as_ref().and_then(|h| h.file_header());
    let odfi_of =
        |bi: usize| file.batches[bi].header.as_ref().and_then(|h| h.batch_header()).and_then(|h| routing_of(h.odfi()));
    let first_odfi = answered.first().and_then(|a| odfi_of(a.batch));
    // Back to where the original came from: its origin if that is a routing number, else its ODFI.
    let destination = h
        .and_then(|h| RoutingNumber::parse(lossy(h.immediate_origin()).as_str()).ok())
        .or(first_odfi)
        .ok_or_else(|| WriteError::Invalid("the original has no routing number to reply to".into()))?;
    let header = FileHeaderFields {
        immediate_destination: destination,
        immediate_origin: h.map(|h| lossy(h.immediate_destination())).unwrap_or_default(),
        creation_date: opts.creation_date.clone(),
        creation_time: opts.creation_time.clone(),
        file_id_modifier: opts.file_id_modifier,
        destination_name: h.map(|h| h.origin_name().trim().to_string()).unwrap_or_default(),
        origin_name: h.map(|h| h.destination_name().trim().to_string()).unwrap_or_default(),
        reference_code: String::new(),
    };
    let mut w = Writer::new(Vec::new(), &header)?;
    // Batches: per original batch, returns then changes, each per receiving bank in order of appearance.
    let mut i = 0;
    while i < answered.len() {
        let bi = answered[i].batch;
        let end = i + answered[i..].iter().take_while(|a| a.batch == bi).count();
        let group = &answered[i..end];
        for change in [false, true] {
            let mut banks: Vec<RoutingNumber> = Vec::new();
            for a in group.iter().filter(|a| matches!(a.answer, Answer::Change { .. }) == change) {
                if !banks.contains(&a.rdfi) {
                    banks.push(a.rdfi);
                }
            }
            for bank in banks {
                let items: Vec<&Answered<'_>> = group
                    .iter()
                    .filter(|a| a.rdfi == bank && matches!(a.answer, Answer::Change { .. }) == change)
                    .collect();
                write_batch(&mut w, file, bi, bank, change, &items, opts)?;
            }
        }
        i = end;
    }
    Ok(w.finish()?)
}

fn write_batch(
    w: &mut Writer<Vec<u8>>,
    file: &AchFile,
    bi: usize,
    bank: RoutingNumber,
    change: bool,
    items: &[&Answered<'_>],
    opts: &RespondOptions,
) -> Result<(), RespondError> {
    let b = &file.batches[bi];
    let h = b.header.as_ref().and_then(|h| h.batch_header()).ok_or_else(|| not_batch(items))?;
    let original_sec = h.sec_code().ok_or_else(|| not_batch(items))?;
    let odfi = routing_of(h.odfi()).ok_or_else(|| not_batch(items))?;
    w.begin_batch(&BatchHeaderFields {
        service_class: ServiceClass::Mixed,
        company_name: h.company_name().into_owned(),
        company_discretionary_data: h.company_discretionary_data().into_owned(),
        company_identification: lossy(h.company_identification()),
        sec_code: if change { SecCode::COR } else { original_sec },
        entry_description: h.entry_description().into_owned(),
        descriptive_date: h.descriptive_date().into_owned(),
        effective_entry_date: opts.effective_entry_date.clone(),
        // The reply is originated by the receiving bank, a financial institution.
        originator_status_code: '1',
        odfi: bank,
    })?;
    for a in items {
        let e = b.entries[a.entry].record.entry().ok_or_else(|| not_batch(items))?;
        let original_trace = format!("{:015}", a.trace);
        let original_rdfi = String::from_utf8_lossy(e.rdfi_identification()).into_owned();
        let (amount, addenda) = match a.answer {
            Answer::Return(code) => (
                e.amount().unwrap_or(0),
                NewAddenda::Return {
                    return_reason_code: code.clone(),
                    original_entry_trace_number: original_trace,
                    date_of_death: String::new(),
                    original_rdfi_identification: original_rdfi,
                    addenda_information: String::new(),
                },
            ),
            Answer::Change { code, corrected_data } => (
                0,
                NewAddenda::Change {
                    change_code: code.clone(),
                    original_entry_trace_number: original_trace,
                    original_rdfi_identification: original_rdfi,
                    corrected_data: corrected_data.clone(),
                },
            ),
        };
        let mut name = String::from_utf8_lossy(e.name_field()).into_owned();
        if original_sec == SecCode::CTX && !change {
            // CTX keeps the number of addenda in 55-58: the return has one.
            name = format!("0001{}", name.get(4..).unwrap_or(""));
        }
        w.add_entry(&EntryFields {
            transaction_code: a.code,
            rdfi: odfi,
            account_number: e.account_number(),
            amount_cents: amount,
            identification_number: e.identification_number(),
            individual_name: Cow::Owned(name.trim_end().to_string()),
            discretionary_data: String::from_utf8_lossy(e.discretionary_data()),
            addenda: vec![addenda],
        })?;
    }
    w.end_batch()?;
    Ok(())
}

/// For records a valid file always has; kept as an error rather than a panic.
fn not_batch(items: &[&Answered<'_>]) -> RespondError {
    RespondError::NotAnswerable {
        trace: items.first().map_or(0, |a| a.trace),
        reason: "is in a batch without a readable header".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_codes() {
        let code = |c| reply_transaction_code(c).map(|t| t.code());
        assert_eq!(code(22), Some(21));
        assert_eq!(code(23), Some(21));
        assert_eq!(code(24), Some(21));
        assert_eq!(code(32), Some(31));
        assert_eq!(code(33), Some(31));
        assert_eq!(code(27), Some(26));
        assert_eq!(code(38), Some(36));
        assert_eq!(code(42), Some(41));
        assert_eq!(code(47), Some(46));
        assert_eq!(code(53), Some(51));
        assert_eq!(code(55), Some(56));
        for c in [21, 26, 31, 36, 41, 46, 51, 56, 81, 0] {
            assert_eq!(code(c), None, "{c}");
        }
    }
}

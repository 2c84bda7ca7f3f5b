//! Streaming validator: fed one record at a time, keeps constant state (no per-entry memory) and
//! reports every problem with line, record, field, value and reason.

use crate::codes::{changes, returns};
use crate::controls::Totals;
use crate::field::{is_alphanumeric, is_blank, is_blank_or_zeros, parse_digits, trim_end};
use crate::file_header::{is_hhmm, is_yymmdd};
use crate::layout::Layout;
use crate::options::ReadOptions;
use crate::reader::{Core, FrameError, Line, Reader};
use crate::record::Record;
use crate::swar;
use crate::types::{SecCode, check_digit, is_adv_code, is_credit_code, is_valid_transaction_code};
use serde::Serialize;
use std::io::Read;

/// One problem found in a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ValidationError {
    /// 1-based line number (0 for problems of the whole file, such as a missing record).
    pub line: u64,
    /// Record name ("FileHeader", "BatchHeader", "EntryDetail", "Addenda", "BatchControl",
    /// "FileControl", "File").
    pub record: &'static str,
    /// Field name (snake_case, as in the layout tables) or a structural rule name.
    pub field: &'static str,
    /// Offending value (trailing spaces trimmed).
    pub value: String,
    /// Human readable reason.
    pub message: String,
}

/// Result of validating a whole file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// True when no error was found.
    pub valid: bool,
    /// Batches (batch headers) seen.
    pub batches: u64,
    /// Entry detail records.
    pub entries: u64,
    /// Addenda records.
    pub addenda: u64,
    /// Sum of credit entry amounts.
    pub total_credit_cents: u64,
    /// Sum of debit entry amounts.
    pub total_debit_cents: u64,
    /// Entry hash computed from the entries (10 digits).
    pub entry_hash: String,
    /// Return addenda (99) seen.
    pub returns: u64,
    /// Notification of change addenda (98) seen.
    pub notifications_of_change: u64,
    /// Lines read.
    pub lines: u64,
    /// Errors, at most `max_errors` of them.
    pub errors: Vec<ValidationError>,
    /// Total number of errors (may exceed `errors.len()`).
    pub error_count: u64,
    /// Repairs made by the lenient reader (padded or trimmed lines), at most 100.
    pub warnings: Vec<String>,
}

/// Entry categories (moov-io/ach's `Category`), set by the entry's addenda: a 98 makes it a
/// notification of change, a 99 a return (dishonored or contested by the reason code).
const CAT_NONE: u8 = 0;
const CAT_FORWARD: u8 = 1;
const CAT_NOC: u8 = 2;
const CAT_RETURN: u8 = 3;
const CAT_DISHONORED: u8 = 4;
const CAT_CONTESTED: u8 = 5;

/// The current entry. Kept small: the fast path writes one per entry.
#[derive(Default)]
struct EntryState {
    line: u64,
    addenda: u64,
    trace7: u64,
    /// Amount (valid when `amount_ok`: digits), for the rules applied when the entry closes.
    amount: u64,
    /// Addenda 05, 02, 98 and 99 seen (saturating).
    n05: u32,
    n02: u16,
    n98: u16,
    n99: u16,
    /// Addenda count announced by a CTX, ATX or TRX entry (columns 55-58, at most 9999).
    ctx_expected: Option<u16>,
    /// Transaction code (0 when invalid).
    code: u8,
    /// Category (CAT_*), forward until a 98 or 99 addenda says otherwise.
    cat: u8,
    has_addenda: bool,
    amount_ok: bool,
    iat: bool,
    /// Closing this entry may report something (rules that depend on the addenda that follow it):
    /// the fast path then leaves the next record to the slow path, which closes it.
    slow: bool,
}

/// IAT addenda of the current entry (IAT entries never take the fast path, so this lives apart
/// from `EntryState`): types 10-18 seen (bit n for 10 + n), counts and last sequence numbers of 17
/// and 18, the first addenda whose entry detail sequence number is not the trace's.
#[derive(Default)]
struct IatEntry {
    seen: u16,
    n17: u64,
    n18: u64,
    last17: u64,
    last18: u64,
    seq_mismatch: Option<(u64, [u8; 7])>,
}

struct BatchState {
    service_class: Option<u64>,
    sec: Option<SecCode>,
    company_id: [u8; 10],
    odfi: [u8; 8],
    batch_number: Option<u64>,
    totals: Totals,
    last_trace: Option<u64>,
    adv: bool,
    iat: bool,
    /// Entries of this batch may take the fast path (PPD, CCD, WEB, TEL, until its first entry
    /// closes as something else than a forward entry).
    fast: bool,
    /// `CODE_FLAGS` of the transaction codes this batch's service class and SEC code allow, 0 for
    /// the others (fast path: one lookup decides).
    code_flags: [u8; 100],
    /// Category of the batch's first entry (CAT_*; CAT_NONE before it closes): moov-io/ach does not
    /// mix forward entries, returns and NOCs in one batch.
    first_cat: u8,
    /// The ODFI identification as a word: trace numbers must start with it (fast path).
    odfi_word: u64,
    /// Compare trace numbers with the ODFI (not with `custom_trace_numbers`).
    check_trace_odfi: bool,
    /// The individual name (55-76) must not be only spaces and zeros (fast path: PPD, WEB, TEL).
    name_required: bool,
    /// Most addenda 05 a forward entry may carry (fast path).
    max05: u64,
    /// Entries before this batch (to find a batch without entries).
    entries_before: u64,
    /// TEL batch whose entry description is REVERSAL: credits only.
    tel_reversal: bool,
}

/// Transaction code properties, by code value 0-99 (fast path): bit 0 valid (non-ADV), bit 1
/// credit, bit 2 prenote (x3/x8).
const CODE_FLAGS: [u8; 100] = {
    let mut t = [0u8; 100];
    let mut c = 0;
    while c < 100 {
        let valid = matches!(c, 21..=24 | 26..=29 | 31..=34 | 36..=39 | 41..=44 | 46..=49 | 51..=56);
        if valid {
            let credit = matches!(c % 10, 1..=4) && c != 55;
            let prenote = matches!(c % 10, 3 | 8);
            t[c] = 1 | if credit { 2 } else { 0 } | if prenote { 4 } else { 0 };
        }
        c += 1;
    }
    t
};

/// `CODE_FLAGS` restricted to the credits and/or debits a batch allows.
fn allowed_codes(credits: bool, debits: bool) -> [u8; 100] {
    let mut t = CODE_FLAGS;
    for f in &mut t {
        let credit = *f & 2 != 0;
        if (credit && !credits) || (!credit && !debits) {
            *f = 0;
        }
    }
    t
}

/// Columns of a domestic entry that must be digits for the fast path: transaction code, RDFI and
/// check digit, amount, trace number.
const ENTRY_DIGITS: [u64; 12] = swar::digit_masks(&[(2, 3), (4, 12), (30, 39), (80, 94)]);
/// Columns of an addenda 05 that must be digits: type code, addenda and entry sequence numbers.
const ADDENDA05_DIGITS: [u64; 12] = swar::digit_masks(&[(2, 3), (84, 94)]);

/// Incremental validator.
pub struct Validator {
    opts: ReadOptions,
    report: Report,
    header_seen: bool,
    control_seen: bool,
    records: u64,
    batch: Option<BatchState>,
    entry: Option<EntryState>,
    file: Totals,
    credit: u64,
    debit: u64,
    hash: u64,
    /// Last domestic batch number (they must ascend).
    last_batch_number: Option<u64>,
    /// IAT addenda of the current entry.
    iat_entry: IatEntry,
}

impl Validator {
    /// New validator.
    pub fn new(opts: ReadOptions) -> Self {
        Validator {
            opts,
            report: Report::default(),
            header_seen: false,
            control_seen: false,
            records: 0,
            batch: None,
            entry: None,
            file: Totals::default(),
            credit: 0,
            debit: 0,
            hash: 0,
            last_batch_number: None,
            iat_entry: IatEntry::default(),
        }
    }

    fn err(&mut self, line: u64, record: &'static str, field: &'static str, value: &[u8], message: impl Into<String>) {
        self.report.error_count += 1;
        if self.report.errors.len() < self.opts.max_errors {
            self.report.errors.push(ValidationError {
                line,
                record,
                field,
                value: String::from_utf8_lossy(trim_end(value)).into_owned(),
                message: message.into(),
            });
        }
    }

    fn soft(&mut self, line: u64, record: &'static str, field: &'static str, value: &[u8], message: impl Into<String>) {
        if self.opts.relaxed_controls {
            if self.report.warnings.len() < 100 {
                let v = String::from_utf8_lossy(trim_end(value));
                self.report.warnings.push(format!("line {line}: {record} {field} {v:?}: {}", message.into()));
            }
        } else {
            self.err(line, record, field, value, message);
        }
    }

    /// Records a framing error from the reader.
    pub fn frame_error(&mut self, e: &FrameError) {
        let record = match e.record_type {
            Some(b'1') => "FileHeader",
            Some(b'5') => "BatchHeader",
            Some(b'6') => "EntryDetail",
            Some(b'7') => "Addenda",
            Some(b'8') => "BatchControl",
            Some(b'9') => "FileControl",
            _ => "Unknown",
        };
        self.report.lines = self.report.lines.max(e.line);
        self.err(e.line, record, "record_length", &[], e.message.clone());
    }

    /// Fast path for one record given as exactly 94 bytes: handles a domestic entry or an addenda 05
    /// that passes every check, with the same effect on the report and the state as
    /// [`Validator::record`], and returns true. Returns false, having changed nothing, for anything
    /// else (other records, any doubt, any error): the caller then uses the slow path, which finds
    /// and reports the details.
    #[inline]
    pub(crate) fn fast_record(&mut self, line: &[u8; 94], n: u64) -> bool {
        if self.control_seen {
            return false;
        }
        match line[0] {
            b'6' => self.fast_entry(line, n),
            b'7' => self.fast_addenda05(line, n),
            _ => false,
        }
    }

    #[inline(always)]
    fn fast_entry(&mut self, line: &[u8; 94], n: u64) -> bool {
        // The previous entry must close without error (see `close_entry`): a forward entry whose
        // addenda were all seen by the fast path, in a batch of forward entries.
        let closes_prev = match &self.entry {
            Some(e) if e.slow || (e.has_addenda && e.addenda == 0) => return false,
            Some(_) => true,
            None => false,
        };
        let Some(b) = self.batch.as_mut() else { return false };
        // (A batch whose first entry is not forward is no longer `fast`: see `check_category`.)
        if !b.fast || !swar::printable_with_digits(line, &ENTRY_DIGITS) {
            return false;
        }
        let code = swar::parse2(line, 1);
        let flags = b.code_flags[code as usize];
        if flags == 0 {
            return false;
        }
        let credit = flags & 2 != 0;
        let rdfi = swar::word(line, 3);
        if !self.opts.allow_invalid_check_digit && (line[11] - b'0') as u64 != swar::check_digit8(rdfi) {
            return false;
        }
        // Account number (13-29) must not be blank: two words and a byte (no loop, whose exit
        // branch the predictor missed once per entry).
        const SPACES: u64 = 0x2020_2020_2020_2020;
        if swar::word(line, 12) == SPACES && swar::word(line, 20) == SPACES && line[28] == b' ' {
            return false;
        }
        let amount = swar::parse2(line, 29) * 100_000_000 + swar::parse_tail(line, 39, 8);
        // Prenotes carry zero, other forward entries more (a zero entry may still become a return:
        // the slow path decides when it closes).
        if (flags & 4 != 0) != (amount == 0) {
            return false;
        }
        // Individual name (55-76) not only spaces and zeros: a byte is ' ' or '0' iff OR 0x10 gives '0'.
        const ZEROS: u64 = 0x3030_3030_3030_3030;
        const BIT4: u64 = 0x1010_1010_1010_1010;
        if b.name_required
            && (swar::word(line, 54) | BIT4) == ZEROS
            && (swar::word(line, 62) | BIT4) == ZEROS
            && (swar::word(line, 68) | BIT4) == ZEROS
        {
            return false;
        }
        let ind = line[78];
        if ind != b'0' && ind != b'1' {
            return false;
        }
        let trace7 = swar::parse_tail(line, 94, 7);
        let trace = swar::parse_tail(line, 87, 8) * 10_000_000 + trace7;
        if b.last_trace.is_some_and(|l| trace <= l) || (b.check_trace_odfi && swar::word(line, 79) != b.odfi_word) {
            return false;
        }
        // Valid: the same updates as `record` + `close_entry` + `entry`.
        if closes_prev {
            b.first_cat = CAT_FORWARD;
        }
        let prefix = swar::parse8(rdfi);
        b.totals.entry_addenda_count += 1;
        b.totals.entry_hash += prefix;
        if credit {
            b.totals.total_credit += amount;
            self.credit += amount;
        } else {
            b.totals.total_debit += amount;
            self.debit += amount;
        }
        b.last_trace = Some(trace);
        self.hash += prefix;
        self.report.lines = self.report.lines.max(n);
        self.records += 1;
        self.report.entries += 1;
        match &mut self.entry {
            // The previous entry closed cleanly (not `slow`): a forward entry with digits for amount
            // and no addenda other than 05, whose other fields already hold a fresh entry's values.
            // Updating it in place costs fewer stores than writing a new one.
            Some(e) => {
                e.line = n;
                e.addenda = 0;
                e.trace7 = trace7;
                e.amount = amount;
                e.n05 = 0;
                e.code = code as u8;
                e.has_addenda = ind == b'1';
            }
            None => {
                self.entry = Some(EntryState {
                    line: n,
                    has_addenda: ind == b'1',
                    trace7,
                    cat: CAT_FORWARD,
                    code: code as u8,
                    amount,
                    amount_ok: true,
                    ..EntryState::default()
                })
            }
        }
        true
    }

    #[inline(always)]
    fn fast_addenda05(&mut self, line: &[u8; 94], n: u64) -> bool {
        if &line[1..3] != b"05" || !swar::printable_with_digits(line, &ADDENDA05_DIGITS) {
            return false;
        }
        let (Some(e), Some(b)) = (self.entry.as_mut(), self.batch.as_mut()) else { return false };
        if !e.has_addenda
            || e.n05 as u64 >= b.max05
            || swar::parse_tail(line, 87, 4) != e.addenda + 1
            || swar::parse_tail(line, 94, 7) != e.trace7
        {
            return false;
        }
        e.addenda += 1;
        e.n05 = e.n05.saturating_add(1);
        b.totals.entry_addenda_count += 1;
        self.report.addenda += 1;
        self.report.lines = self.report.lines.max(n);
        self.records += 1;
        true
    }

    /// Checks one record.
    pub fn record(&mut self, line: &Line<'_>) {
        let n = line.number;
        self.report.lines = self.report.lines.max(n);
        if let Some(w) = &line.warning
            && self.report.warnings.len() < 100
        {
            self.report.warnings.push(format!("line {n}: {w}"));
        }
        let r = &line.record;
        if r.layout != Layout::Filler {
            self.records += 1;
            if self.control_seen {
                self.err(
                    n,
                    r.name(),
                    "record_type",
                    &r.rec.as_bytes()[..1.min(r.rec.as_bytes().len())],
                    "record after the file control",
                );
            }
        }
        match r.layout {
            Layout::FileHeader => self.file_header(n, r),
            Layout::BatchHeader | Layout::IatBatchHeader => self.batch_header(n, r),
            Layout::Entry | Layout::AdvEntry | Layout::IatEntry => self.entry(n, r),
            Layout::BatchControl | Layout::AdvBatchControl => self.batch_control(n, r),
            Layout::FileControl | Layout::AdvFileControl => self.file_control(n, r),
            Layout::Filler => {}
            Layout::Unknown => {
                let t = r.rec.field(1, 1).to_vec();
                self.err(n, "Unknown", "record_type", &t, "unknown record type")
            }
            _ => self.addenda(n, r),
        }
    }

    fn file_header(&mut self, n: u64, r: &Record<'_>) {
        const R: &str = "FileHeader";
        if self.header_seen {
            self.err(n, R, "record_type", b"1", "more than one file header");
        } else if self.records > 1 {
            self.err(n, R, "record_type", b"1", "file header is not the first record");
        }
        self.header_seen = true;
        let Some(h) = r.file_header() else { return };
        if h.priority_code() != b"01" {
            self.err(n, R, "priority_code", h.priority_code(), "priority code must be 01");
        }
        // Immediate destination: a routing number, written after a blank or a 0 (moov-io/ach trims
        // the leading 0 of a 10-digit value, then requires a valid 9-digit routing number).
        let d = h.immediate_destination();
        match d {
            [b' ' | b'0', rest @ ..] if rest.len() == 9 && rest.iter().all(u8::is_ascii_digit) => {
                if rest.iter().all(|&c| c == b'0') {
                    self.err(n, R, "immediate_destination", d, "is required (only zeros)");
                } else if !self.opts.allow_invalid_check_digit && check_digit(&rest[..8]) != Some(rest[8] - b'0') {
                    self.err(n, R, "immediate_destination", d, "routing number check digit is wrong");
                }
            }
            _ => self.err(n, R, "immediate_destination", d, "must be a blank (or 0) and a 9-digit routing number"),
        }
        // Immediate origin: whatever the ODFI assigned (often its routing number, sometimes ten
        // letters and digits such as a letter and 9 digits, or a 10-digit company number); moov-io/ach
        // only rejects blank and zeros. Where it has the routing number's shape (a blank and 9
        // digits) its check digit must hold.
        let o = h.immediate_origin();
        if !is_alphanumeric(o) {
            self.err(n, R, "immediate_origin", o, "contains characters that are not alphanumeric");
        } else if is_blank_or_zeros(o) {
            self.err(n, R, "immediate_origin", o, "is required (only spaces and zeros)");
        } else if let [b' ', rest @ ..] = o
            && rest.len() == 9
            && rest.iter().all(u8::is_ascii_digit)
            && !self.opts.allow_invalid_check_digit
            && check_digit(&rest[..8]) != Some(rest[8] - b'0')
        {
            self.err(n, R, "immediate_origin", o, "routing number check digit is wrong");
        }
        if !is_yymmdd(h.creation_date()) {
            self.err(n, R, "file_creation_date", h.creation_date(), "must be a YYMMDD date");
        }
        let t = h.creation_time();
        if !is_blank(t) && !is_hhmm(t) {
            self.err(n, R, "file_creation_time", t, "must be HHMM or blank");
        }
        if !h.file_id_modifier().first().is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
            self.err(n, R, "file_id_modifier", h.file_id_modifier(), "must be A-Z or 0-9");
        }
        if h.record_size() != b"094" {
            self.err(n, R, "record_size", h.record_size(), "must be 094");
        }
        if h.blocking_factor() != b"10" {
            self.err(n, R, "blocking_factor", h.blocking_factor(), "must be 10");
        }
        if h.format_code() != b"1" {
            self.err(n, R, "format_code", h.format_code(), "must be 1");
        }
        for (field, s, e) in
            [("immediate_destination_name", 41, 63), ("immediate_origin_name", 64, 86), ("reference_code", 87, 94)]
        {
            let v = r.rec.field(s, e);
            if !is_alphanumeric(v) {
                self.err(n, R, field, v, "has characters that are not alphanumeric");
            }
        }
    }

    fn close_entry(&mut self) {
        let Some(e) = self.entry.take() else { return };
        const R: &str = "EntryDetail";
        if e.has_addenda && e.addenda == 0 {
            self.err(
                e.line,
                R,
                "addenda_record_indicator",
                b"1",
                "addenda record indicator is 1 but no addenda follows",
            );
        }
        let (sec, domestic) = self.batch.as_ref().map_or((None, false), |b| (b.sec, !b.adv && !b.iat));
        if let Some(x) = e.ctx_expected {
            // CTX counts every addenda; ATX and TRX their addenda 05 (as moov-io/ach).
            let (x, got) = (x as u64, if sec == Some(SecCode::CTX) { e.addenda } else { e.n05 as u64 });
            if x != got {
                let v = x.to_string();
                let s = sec.map_or("CTX", SecCode::as_str);
                self.err(
                    e.line,
                    R,
                    "number_of_addenda_records",
                    v.as_bytes(),
                    format!("{s} entry announces {x} addenda but has {got}"),
                );
            }
        }
        if e.iat {
            self.check_category(&e);
            self.close_iat_entry(&e, sec);
            return;
        }
        if !domestic {
            return;
        }
        let Some(s) = sec else { return };
        self.check_category(&e);
        use SecCode::*;
        let ind = b"1";
        match e.cat {
            CAT_FORWARD => {
                if matches!(s, MTE | POS | SHR) {
                    if e.n02 == 0 {
                        self.err(e.line, R, "addenda", ind, format!("{s} entries need an addenda 02"));
                    }
                } else if e.n02 > 0 {
                    self.err(e.line, R, "addenda", ind, "addenda 02 only in MTE, POS and SHR batches");
                }
                if e.n05 > 0 && matches!(s, MTE | POS | SHR | ARC | BOC | COR | POP | RCK | TEL | TRC | XCK) {
                    self.err(e.line, R, "addenda", ind, format!("{s} entries take no addenda 05"));
                }
                let prenote = matches!(e.code % 10, 3 | 8);
                let zero_ok = prenote || (matches!(s, ACK | ATX) && matches!(e.code, 24 | 34));
                if e.amount_ok && e.amount == 0 && !zero_ok && is_valid_transaction_code(e.code) {
                    self.err(e.line, R, "amount", b"0", "must not be zero (only prenotes and returns carry zero)");
                }
            }
            CAT_NOC => {
                if e.n02 > 0 || e.n05 > 0 || e.n99 > 0 {
                    self.err(e.line, R, "addenda", ind, "a notification of change takes only addenda 98");
                }
                if s != COR {
                    self.err(e.line, R, "addenda", ind, "addenda 98 only in COR batches");
                }
                if e.amount_ok && e.amount != 0 {
                    let v = e.amount.to_string();
                    self.err(e.line, R, "amount", v.as_bytes(), "a notification of change carries zero");
                }
            }
            _ => {
                if e.n02 > 0 || e.n98 > 0 {
                    self.err(e.line, R, "addenda", ind, "a return takes no addenda 02 or 98");
                }
                let dishonored = e.cat != CAT_RETURN;
                if e.n05 > 0 && !(s == CTX || (dishonored && matches!(s, ATX | PPD | TRX | WEB))) {
                    self.err(e.line, R, "addenda", ind, format!("a {s} return takes no addenda 05"));
                }
            }
        }
        let max05: u32 = match s {
            ACK | CCD | CIE | PPD | WEB => 1,
            DNE => {
                if e.n05 != 1 {
                    self.err(e.line, R, "addenda", ind, "DNE entries need exactly one addenda 05");
                }
                1
            }
            _ => 9_999,
        };
        if e.n05 > max05 {
            let v = e.n05.to_string();
            self.err(e.line, R, "addenda", v.as_bytes(), format!("{s} entries take at most {max05} addenda 05"));
        }
        if s == COR && e.cat != CAT_NOC {
            self.err(e.line, R, "addenda", ind, COR_NEEDS_98);
        }
    }

    /// One category per batch (moov-io/ach `isCategory`): each entry's is compared with the first
    /// entry's, later NOCs excepted.
    fn check_category(&mut self, e: &EntryState) {
        if let Some(b) = self.batch.as_mut()
            && (e.cat != CAT_NOC || b.first_cat == CAT_NONE)
        {
            if b.first_cat == CAT_NONE {
                b.first_cat = e.cat;
                // Every forward entry of this batch is now an error: the fast path must decline them.
                b.fast &= e.cat == CAT_FORWARD;
            } else if b.first_cat != e.cat {
                let (first, this) = (cat_name(b.first_cat), cat_name(e.cat));
                self.err(
                    e.line,
                    "EntryDetail",
                    "category",
                    this.as_bytes(),
                    format!("a batch of {first} entries cannot hold a {this} entry"),
                );
            }
        }
    }

    /// moov-io/ach `IATBatch`: addenda 10-16 required (not for NOCs), at most two 17 and five 18
    /// (none on returns), addenda entry detail sequence numbers, NOCs only in IATCOR batches with a
    /// return/NOC transaction code.
    fn close_iat_entry(&mut self, e: &EntryState, sec: Option<SecCode>) {
        const R: &str = "EntryDetail";
        let ind = b"1";
        let noc = e.n98 > 0;
        let i = std::mem::take(&mut self.iat_entry);
        if !noc {
            let missing: Vec<String> =
                (10..=16).filter(|t| i.seen & (1 << (t - 10)) == 0).map(|t| t.to_string()).collect();
            if !missing.is_empty() {
                let m = missing.join(", ");
                self.err(e.line, R, "addenda", ind, format!("IAT entries need addenda {m}"));
            }
            if let Some((line, v)) = i.seq_mismatch {
                self.err(
                    line,
                    "Addenda",
                    "entry_detail_sequence_number",
                    &v,
                    "must be the last 7 digits of the entry's trace number",
                );
            }
        }
        if i.n17 > 2 || i.n18 > 5 {
            self.err(e.line, R, "addenda", ind, "IAT entries take at most two addenda 17 and five 18");
        }
        if e.cat != CAT_FORWARD && e.cat != CAT_NOC && i.n17 + i.n18 > 0 {
            self.err(e.line, R, "addenda", ind, "an IAT return takes no addenda 17 or 18");
        }
        if noc {
            if sec != Some(SecCode::COR) {
                self.err(e.line, R, "addenda", ind, "IAT notifications of change only in IATCOR batches");
            }
            if is_valid_transaction_code(e.code) && !matches!(e.code % 10, 1 | 6) {
                let v = e.code.to_string();
                self.err(e.line, R, "transaction_code", v.as_bytes(), "not allowed in IATCOR batches");
            }
        }
    }

    /// moov-io/ach `Addenda10`-`Addenda18` `fieldInclusion` and `Validate`: required fields, ID number
    /// qualifiers, and the sequence numbers of 17 and 18 (not zero, not decreasing).
    fn iat_addenda_fields(&mut self, n: u64, r: &Record<'_>) {
        const R: &str = "Addenda";
        let t = r.rec.field(2, 3);
        let required: &[(&'static str, usize, usize)] = match t {
            b"10" => &[("name", 47, 81)],
            b"11" => &[("originator_name", 4, 38), ("originator_street_address", 39, 73)],
            b"12" => &[("originator_city_state_province", 4, 38), ("originator_country_postal_code", 39, 73)],
            b"13" => &[
                ("odfi_name", 4, 38),
                ("odfi_id_number_qualifier", 39, 40),
                ("odfi_identification", 41, 74),
                ("odfi_branch_country_code", 75, 77),
            ],
            b"14" => &[
                ("rdfi_name", 4, 38),
                ("rdfi_id_number_qualifier", 39, 40),
                ("rdfi_identification", 41, 74),
                ("rdfi_branch_country_code", 75, 77),
            ],
            b"15" => &[("receiver_street_address", 19, 53)],
            b"16" => &[("receiver_city_state_province", 4, 38), ("receiver_country_postal_code", 39, 73)],
            b"18" => &[
                ("foreign_correspondent_bank_name", 4, 38),
                ("foreign_correspondent_bank_id_number_qualifier", 39, 40),
                ("foreign_correspondent_bank_id_number", 41, 74),
                ("foreign_correspondent_bank_branch_country_code", 75, 77),
            ],
            _ => &[],
        };
        for &(f, s, e) in required {
            let v = r.rec.field(s, e);
            if is_blank(v) {
                self.err(n, R, f, v, "is required");
            }
        }
        if matches!(t, b"13" | b"14") {
            let q = r.rec.field(39, 40);
            if !is_blank(q) && !matches!(q, b"01" | b"02" | b"03") {
                let f = if t == b"13" { "odfi_id_number_qualifier" } else { "rdfi_id_number_qualifier" };
                self.err(n, R, f, q, "must be 01, 02 or 03");
            }
        }
        if matches!(t, b"17" | b"18") {
            let seq = r.rec.field(84, 87);
            let v = parse_digits(seq);
            let i = &mut self.iat_entry;
            let last = match (self.entry.is_some(), t) {
                (true, b"17") => {
                    i.n17 += 1;
                    Some(std::mem::replace(&mut i.last17, v.unwrap_or(0)))
                }
                (true, _) => {
                    i.n18 += 1;
                    Some(std::mem::replace(&mut i.last18, v.unwrap_or(0)))
                }
                (false, _) => None,
            };
            match v {
                None | Some(0) => self.err(n, R, "sequence_number", seq, "must be digits, not zero"),
                Some(s) if last.is_some_and(|l| s < l) => self.err(n, R, "sequence_number", seq, "must not decrease"),
                _ => {}
            }
        }
    }

    /// moov-io/ach `IATBatchHeader.Validate`. Country and currency codes are checked for their
    /// shape (two or three capital letters), not against the ISO 3166 and ISO 4217 tables moov uses.
    fn iat_header_rules(&mut self, n: u64, r: &Record<'_>, sc: Option<u64>) {
        const R: &str = "BatchHeader";
        if sc == Some(280) {
            self.err(n, R, "service_class_code", r.rec.field(2, 4), "280 is for ADV batches only");
        }
        let fx = r.rec.field(21, 22);
        if !matches!(fx, b"FV" | b"VF" | b"FF") {
            self.err(n, R, "foreign_exchange_indicator", fx, "must be FV, VF or FF");
        }
        let fxr = r.rec.field(23, 23);
        if !(matches!(fxr, b"1" | b"2" | b"3") || (fx == b"FF" && matches!(fxr, b"0" | b" "))) {
            self.err(n, R, "foreign_exchange_reference_indicator", fxr, "must be 1, 2 or 3 (or 0 with FF)");
        }
        for (f, s, e) in [
            ("iso_destination_country_code", 39, 40),
            ("iso_originating_currency_code", 64, 66),
            ("iso_destination_currency_code", 67, 69),
        ] {
            let v = r.rec.field(s, e);
            if !v.iter().all(u8::is_ascii_uppercase) || v.len() != e - s + 1 {
                self.err(n, R, f, v, "must be an ISO code (capital letters)");
            }
        }
    }

    fn close_batch(&mut self, n: u64, missing_control: bool) {
        self.close_entry();
        if let Some(b) = self.batch.take() {
            if missing_control && !self.opts.allow_missing_batch_header_control {
                self.err(n, "BatchControl", "record_type", b"", "batch has no batch control");
            }
            if self.report.entries == b.entries_before {
                self.err(n, "BatchControl", "entry_addenda_count", b"", "batch has no entries");
            }
            self.file.entry_addenda_count += b.totals.entry_addenda_count;
            self.file.entry_hash += b.totals.entry_hash;
            self.file.total_credit += b.totals.total_credit;
            self.file.total_debit += b.totals.total_debit;
        }
    }

    fn batch_header(&mut self, n: u64, r: &Record<'_>) {
        const R: &str = "BatchHeader";
        if self.batch.is_some() {
            self.close_batch(n, false);
            if !self.opts.allow_missing_batch_header_control {
                // Like moov-io/ach: the header is rejected and the records up to the next batch
                // header are outside any batch (each reported).
                self.err(n, R, "record_type", b"5", "batch header inside a batch (previous batch has no control)");
                return;
            }
        } else {
            self.close_entry();
        }
        self.report.batches += 1;
        let Some(h) = r.batch_header() else { return };
        let sc = h.service_class_code();
        if h.service_class().is_none() {
            self.err(n, R, "service_class_code", r.rec.field(2, 4), "service class must be 200, 220, 225 or 280");
        }
        let sec = h.sec_code();
        if sec.is_none() {
            self.err(n, R, "standard_entry_class_code", h.sec_code_raw(), "unknown SEC code");
        }
        let adv = sec == Some(SecCode::ADV);
        let iat = h.is_iat();
        if !iat {
            let name = r.rec.field(5, 20);
            if !is_alphanumeric(name) {
                self.err(n, R, "company_name", name, "has characters that are not alphanumeric");
            } else if is_blank_or_zeros(name) {
                self.err(n, R, "company_name", name, "is required (only spaces and zeros)");
            }
            let disc = r.rec.field(21, 40);
            if !is_alphanumeric(disc) {
                self.err(n, R, "company_discretionary_data", disc, "has characters that are not alphanumeric");
            }
        }
        let cid = h.company_identification();
        if is_blank(cid) || !is_alphanumeric(cid) {
            self.err(n, R, "company_identification", cid, "is required");
        } else if !iat && is_blank_or_zeros(cid) {
            self.err(n, R, "company_identification", cid, "is required (only spaces and zeros)");
        }
        let desc = r.rec.field(54, 63);
        if is_blank(desc) || !is_alphanumeric(desc) {
            self.err(n, R, "company_entry_description", desc, "is required");
        } else if !iat && is_blank_or_zeros(desc) {
            self.err(n, R, "company_entry_description", desc, "is required (only spaces and zeros)");
        }
        let tel_reversal = sec == Some(SecCode::TEL) && desc.trim_ascii().eq_ignore_ascii_case(b"REVERSAL");
        if iat {
            self.iat_header_rules(n, r, sc);
        } else {
            self.sec_header_rules(n, r, sc, sec, desc);
        }
        let eff = h.effective_entry_date();
        if !is_blank(eff) && !eff.iter().all(u8::is_ascii_digit) {
            self.soft(n, R, "effective_entry_date", eff, "must be YYMMDD or blank");
        }
        let os = h.originator_status_code();
        if !matches!(os, b"0" | b"1" | b"2") {
            self.err(n, R, "originator_status_code", os, "must be 0, 1 or 2");
        } else if !iat && adv != (os == b"0") {
            self.err(n, R, "originator_status_code", os, "0 is for ADV batches, which need it");
        } else if sec == Some(SecCode::DNE) && os != b"2" {
            // Only a government agency originates DNE entries (moov-io/ach `isOriginatorDNE`).
            self.err(n, R, "originator_status_code", os, "DNE batches need 2 (government agency)");
        }
        let odfi = h.odfi();
        if parse_digits(odfi).is_none() || odfi.len() != 8 {
            self.err(n, R, "odfi_identification", odfi, "must be 8 digits");
        }
        let bn = h.batch_number();
        match bn {
            None => self.err(n, R, "batch_number", r.rec.field(88, 94), "must be 7 digits"),
            // moov-io/ach checks the order of the domestic batches (`isSequenceAscending`).
            Some(v) if !iat => {
                if let Some(last) = self.last_batch_number
                    && v <= last
                {
                    self.soft(n, R, "batch_number", r.rec.field(88, 94), format!("must be above {last} (ascending)"));
                }
                self.last_batch_number = Some(v);
            }
            Some(_) => {}
        }
        let mut company_id = [b' '; 10];
        let l = cid.len().min(10);
        company_id[..l].copy_from_slice(&cid[..l]);
        let mut o = [b' '; 8];
        let l = odfi.len().min(8);
        o[..l].copy_from_slice(&odfi[..l]);
        let (debits_only, credits_only) = sec_direction(sec, tel_reversal);
        use SecCode::*;
        self.batch = Some(BatchState {
            service_class: sc,
            sec,
            company_id,
            odfi: o,
            batch_number: bn,
            totals: Totals::default(),
            last_trace: None,
            adv,
            iat,
            // The SEC codes of refunds and most traffic; the others have rules that need the slow path.
            fast: !iat && matches!(sec, Some(PPD | CCD | WEB | TEL)),
            code_flags: allowed_codes(sc != Some(225) && !debits_only, sc != Some(220) && !credits_only),
            first_cat: CAT_NONE,
            odfi_word: u64::from_le_bytes(o),
            check_trace_odfi: !self.opts.custom_trace_numbers,
            name_required: matches!(sec, Some(PPD | WEB | TEL)),
            max05: match sec {
                Some(ACK | CCD | CIE | DNE | PPD | WEB) => 1,
                Some(ATX | CTX | TRX) => 9_999,
                _ => 0,
            },
            entries_before: self.report.entries,
            tel_reversal,
        });
    }

    /// Batch header rules of moov-io/ach's per-SEC batch types (`batchXXX.go`) and of
    /// `ValidTranCodeForServiceClassCode`.
    fn sec_header_rules(&mut self, n: u64, r: &Record<'_>, sc: Option<u64>, sec: Option<SecCode>, desc: &[u8]) {
        const R: &str = "BatchHeader";
        use SecCode::*;
        let Some(s) = sec else { return };
        let scf = r.rec.field(2, 4);
        match (s, sc) {
            (ADV, Some(c)) if c != 280 => self.err(n, R, "service_class_code", scf, "ADV batches need 280"),
            (ADV, _) => {}
            (_, Some(280)) => self.err(n, R, "service_class_code", scf, "280 is for ADV batches only"),
            (ARC | BOC | POP | RCK | TRC | TRX | XCK, Some(220)) => {
                self.err(n, R, "service_class_code", scf, format!("{s} batches hold debits: not 220"))
            }
            (CIE, Some(225)) => self.err(n, R, "service_class_code", scf, "CIE batches hold credits: not 225"),
            _ => {}
        }
        let want: &[u8] = match s {
            ENR => b"AUTOENROLL",
            RCK => b"REDEPCHECK",
            _ => return,
        };
        if trim_end(desc) != want {
            let w = String::from_utf8_lossy(want);
            self.err(n, R, "company_entry_description", desc, format!("{s} batches need {w}"));
        }
    }

    /// Entry rules of moov-io/ach's per-SEC batch types (`batchXXX.go`) that do not depend on the
    /// entry's addenda (those are checked in `close_entry`).
    fn sec_entry_rules(&mut self, n: u64, r: &Record<'_>, s: SecCode, code: u8, amount: Option<u64>) {
        const R: &str = "EntryDetail";
        use SecCode::*;
        let codes: &[u8] = match s {
            ACK => &[24, 34],
            ATX => &[24, 34, 21],
            DNE => &[23, 33],
            ENR => &[23, 33, 21, 31],
            COR => &[21, 26, 31, 36, 41, 46, 51, 56],
            _ => &[],
        };
        if !codes.is_empty() && !codes.contains(&code) {
            self.err(n, R, "transaction_code", r.rec.field(2, 3), format!("not allowed in {s} batches"));
        }
        let a = amount.unwrap_or(0);
        let max = match s {
            ARC | BOC | POP => 2_500_000,
            RCK | XCK => 250_000,
            _ => u64::MAX,
        };
        if a > max {
            self.err(n, R, "amount", r.rec.field(30, 39), format!("{s} entries are limited to {max} cents"));
        }
        if a > 0 && matches!(s, ACK | ATX | DNE | ENR) {
            self.err(n, R, "amount", r.rec.field(30, 39), format!("{s} entries carry zero"));
        }
        if matches!(s, POS | SHR) {
            // Card transaction type (discretionary data, 77-78).
            let t = r.rec.field(77, 78);
            if !matches!(t, b"01" | b"02" | b"03" | b"11" | b"12" | b"13" | b"21" | b"99") {
                self.err(n, R, "card_transaction_type", t, "invalid card transaction type");
            }
        }
        if s == SHR {
            let y = r.rec.field(42, 43);
            if !(y.len() == 2 && y.iter().all(u8::is_ascii_digit) && (&b"18"[..]..=&b"50"[..]).contains(&y)) {
                self.err(n, R, "card_expiration_date", r.rec.field(40, 43), "year must be 18-50");
            }
        }
        if s == MTE {
            // MTE puts the identification number in 55-76 (and the name in 40-54).
            let id = r.rec.field(55, 76);
            if is_blank_or_zeros(id) {
                self.err(n, R, "identification_number", id, "is required (only spaces and zeros)");
            }
        }
        if matches!(s, TRC | XCK) {
            // Both in the individual name's columns (moov-io/ach reads the research number from
            // column 62, one past NACHA's 61).
            for (f, a, b) in [("process_control_field", 55, 60), ("item_research_number", 61, 76)] {
                let v = r.rec.field(a, b);
                if is_blank(v) {
                    self.err(n, R, f, v, "is required");
                }
            }
        }
        // Receiver's name required (moov-io/ach `isFieldInclusion`); CIE and MTE keep it in 40-54.
        if s.requires_receiver_name() {
            let name = if matches!(s, CIE | MTE) { r.rec.field(40, 54) } else { r.rec.field(55, 76) };
            if is_blank_or_zeros(name) {
                self.err(n, R, "individual_name", name, "is required (only spaces and zeros)");
            }
        }
    }

    fn entry(&mut self, n: u64, r: &Record<'_>) {
        const R: &str = "EntryDetail";
        self.close_entry();
        self.iat_entry = IatEntry::default();
        self.report.entries += 1;
        let Some(e) = r.entry() else { return };
        if self.batch.is_none() && !self.opts.allow_missing_batch_header_control {
            self.err(n, R, "record_type", b"6", "entry outside a batch (no batch header)");
        }
        // IAT batches are not checked against service class and SEC direction (moov-io/ach accepts
        // mixed IAT batches under 220/225).
        let (sc, sec) = self.batch.as_ref().filter(|b| !b.iat).map_or((None, None), |b| (b.service_class, b.sec));
        let layout = r.layout;
        let code = e.transaction_code_value();
        let code_ok = match (layout, code) {
            (Layout::AdvEntry, Some(c)) => is_adv_code(c),
            (_, Some(c)) => is_valid_transaction_code(c),
            _ => false,
        };
        let credit = code_ok && code.is_some_and(is_credit_code);
        if !code_ok {
            self.err(n, R, "transaction_code", r.rec.field(2, 3), "invalid transaction code");
        } else {
            if sc == Some(220) && !credit {
                self.err(n, R, "transaction_code", r.rec.field(2, 3), "service class 220 allows only credits");
            }
            if sc == Some(225) && credit {
                self.err(n, R, "transaction_code", r.rec.field(2, 3), "service class 225 allows only debits");
            }
            if let Some(s) = sec {
                let reversal = self.batch.as_ref().is_some_and(|b| b.tel_reversal);
                let (debits_only, credits_only) = sec_direction(sec, reversal);
                let what = if reversal { "TEL REVERSAL" } else { s.as_str() };
                if debits_only && credit {
                    self.err(n, R, "transaction_code", r.rec.field(2, 3), format!("{what} batches allow only debits"));
                }
                if credits_only && !credit {
                    self.err(n, R, "transaction_code", r.rec.field(2, 3), format!("{what} batches allow only credits"));
                }
            }
        }
        let rdfi = e.rdfi_identification();
        let prefix = parse_digits(rdfi);
        match prefix {
            None => self.err(n, R, "rdfi_identification", rdfi, "must be 8 digits"),
            Some(_) => {
                let cd = e.check_digit();
                if !self.opts.allow_invalid_check_digit && cd.first().map(|c| c.wrapping_sub(b'0')) != check_digit(rdfi)
                {
                    self.err(n, R, "check_digit", cd, "routing number check digit is wrong");
                }
            }
        }
        let acct = e.account_field();
        if is_blank(acct) || !is_alphanumeric(acct) {
            self.err(n, R, "dfi_account_number", acct, "is required and must be alphanumeric");
        }
        let amount = e.amount();
        match amount {
            None => self.err(n, R, "amount", e.amount_field(), "must be digits"),
            Some(a)
                if a > 0 && code_ok && code.is_some_and(|c| matches!(c % 10, 3 | 8)) && layout != Layout::AdvEntry =>
            {
                self.err(n, R, "amount", e.amount_field(), "prenote amount must be zero")
            }
            _ => {}
        }
        let mut ctx_expected = None;
        if layout == Layout::AdvEntry {
            // moov-io/ach `ADVEntryDetail.fieldInclusion` and `Validate`.
            for (f, s, e) in [
                ("advice_routing_number", 40, 48),
                ("ach_operator_routing_number", 80, 87),
                ("individual_name", 55, 76),
            ] {
                let v = r.rec.field(s, e);
                if !is_alphanumeric(v) {
                    self.err(n, R, f, v, "has characters that are not alphanumeric");
                } else if is_blank(v) && f != "individual_name" {
                    self.err(n, R, f, v, "is required");
                }
            }
            for (f, s, e) in [("julian_day", 88, 90), ("sequence_number", 91, 94)] {
                let v = r.rec.field(s, e);
                if parse_digits(v).is_none_or(|d| d == 0) {
                    self.err(n, R, f, v, "must be digits, not zero");
                }
            }
        }
        if layout == Layout::Entry {
            let id = r.rec.field(40, 54);
            if !is_alphanumeric(id) {
                self.err(n, R, "identification_number", id, "has characters that are not alphanumeric");
            }
            let name = r.rec.field(55, 76);
            if !is_alphanumeric(name) {
                self.err(n, R, "individual_name", name, "has characters that are not alphanumeric");
            }
            let disc = r.rec.field(77, 78);
            if !is_alphanumeric(disc) {
                self.err(n, R, "discretionary_data", disc, "has characters that are not alphanumeric");
            }
            if sec == Some(SecCode::SHR) {
                let m = parse_digits(r.rec.field(40, 41));
                if !m.is_some_and(|m| (1..=12).contains(&m)) {
                    self.err(n, R, "card_expiration_date", r.rec.field(40, 43), "invalid month");
                }
            }
            if matches!(sec, Some(SecCode::CTX | SecCode::ATX | SecCode::TRX)) {
                // Four digits: at most 9999.
                ctx_expected = parse_digits(r.rec.field(55, 58)).and_then(|x| u16::try_from(x).ok());
            }
            if code_ok && let (Some(s), Some(c)) = (sec, code) {
                self.sec_entry_rules(n, r, s, c, amount);
            }
        }
        let ind = e.addenda_indicator();
        if ind != b'0' && ind != b'1' {
            self.err(n, R, "addenda_record_indicator", &[ind], "must be 0 or 1");
        }
        if layout == Layout::IatEntry && parse_digits(r.rec.field(13, 16)).is_none_or(|c| c == 0) {
            // moov-io/ach `IATEntryDetail.fieldInclusion` (AddendaRecords).
            self.err(n, R, "addenda_records", r.rec.field(13, 16), "must be digits, not zero");
        }
        if layout == Layout::IatEntry && ind != b'1' {
            self.err(n, R, "addenda_record_indicator", &[ind], "IAT entries must have addenda (indicator 1)");
        }
        let trace = e.trace_number();
        if layout != Layout::AdvEntry {
            match trace {
                None => self.err(n, R, "trace_number", e.trace_field(), "must be 15 digits"),
                Some(t) => {
                    let last = self.batch.as_ref().and_then(|b| b.last_trace);
                    if last.is_some_and(|l| t <= l) {
                        self.err(
                            n,
                            R,
                            "trace_number",
                            e.trace_field(),
                            "trace numbers must be ascending within a batch",
                        );
                    }
                    // moov-io/ach `isTraceNumberODFI` (domestic batches).
                    if layout != Layout::AdvEntry
                        && let Some(b) = self.batch.as_ref()
                        && b.check_trace_odfi
                        && e.trace_field().get(..8) != Some(&b.odfi[..])
                    {
                        let o = String::from_utf8_lossy(&b.odfi).into_owned();
                        self.err(n, R, "trace_number", e.trace_field(), format!("must start with the ODFI {o}"));
                    }
                }
            }
        }
        let a = amount.unwrap_or(0);
        if credit {
            self.credit += a;
        } else if code_ok {
            self.debit += a;
        }
        self.hash += prefix.unwrap_or(0);
        if let Some(b) = self.batch.as_mut() {
            b.totals.entry_addenda_count += 1;
            b.totals.entry_hash += prefix.unwrap_or(0);
            if credit {
                b.totals.total_credit += a;
            } else if code_ok {
                b.totals.total_debit += a;
            }
            if trace.is_some() {
                b.last_trace = trace;
            }
        }
        let prenote = code.is_some_and(|c| matches!(c % 10, 3 | 8));
        self.entry = Some(EntryState {
            line: n,
            has_addenda: ind == b'1',
            addenda: 0,
            trace7: trace.unwrap_or(0) % 10_000_000,
            iat: layout == Layout::IatEntry,
            // Rules on the addenda count or on a zero amount are checked when the entry closes.
            // (An amount that is not digits is an error already; `slow` keeps the fast path's
            // in-place update from having to reset `amount_ok`.)
            slow: ctx_expected.is_some() || amount.is_none_or(|a| a == 0 && !prenote),
            ctx_expected,
            amount_ok: amount.is_some(),
            cat: CAT_FORWARD,
            code: if code_ok { code.unwrap_or(0) } else { 0 },
            amount: amount.unwrap_or(0),
            ..EntryState::default()
        });
    }

    fn addenda(&mut self, n: u64, r: &Record<'_>) {
        const R: &str = "Addenda";
        self.report.addenda += 1;
        if let Some(b) = self.batch.as_mut() {
            b.totals.entry_addenda_count += 1;
        }
        let Some(a) = r.addenda() else { return };
        let (has, seq, trace7) = match self.entry.as_mut() {
            None => {
                self.err(n, R, "record_type", b"7", "addenda outside an entry (no entry detail before it)");
                (true, 0, 0)
            }
            Some(e) => {
                e.addenda += 1;
                // Closing the entry is left to the slow path (its addenda decide its category and
                // the SEC rules on addenda).
                e.slow = true;
                match r.layout {
                    Layout::Addenda02 => e.n02 = e.n02.saturating_add(1),
                    Layout::Addenda05 => e.n05 = e.n05.saturating_add(1),
                    Layout::Addenda98 | Layout::Addenda98Refused => {
                        e.n98 = e.n98.saturating_add(1);
                        e.cat = CAT_NOC;
                    }
                    Layout::Addenda99 => {
                        e.n99 = e.n99.saturating_add(1);
                        e.cat = CAT_RETURN;
                    }
                    Layout::Addenda99Dishonored => {
                        e.n99 = e.n99.saturating_add(1);
                        e.cat = CAT_DISHONORED;
                    }
                    Layout::Addenda99Contested => {
                        e.n99 = e.n99.saturating_add(1);
                        e.cat = CAT_CONTESTED;
                    }
                    Layout::AddendaIat => {
                        let t = parse_digits(r.rec.field(2, 3)).unwrap_or(10).clamp(10, 18);
                        let i = &mut self.iat_entry;
                        i.seen |= 1 << (t - 10);
                        let edsn = r.rec.field(88, 94);
                        if i.seq_mismatch.is_none() && parse_digits(edsn) != Some(e.trace7) {
                            let mut v = [b' '; 7];
                            let l = edsn.len().min(7);
                            v[..l].copy_from_slice(&edsn[..l]);
                            i.seq_mismatch = Some((n, v));
                        }
                    }
                    _ => {}
                }
                (e.has_addenda, e.addenda, e.trace7)
            }
        };
        if !has {
            self.err(
                n,
                R,
                "addenda_record_indicator",
                b"0",
                "entry's addenda record indicator is 0 but an addenda follows",
            );
        }
        let layout = r.layout;
        match layout {
            Layout::Addenda05 => {
                let p = r.rec.field(4, 83);
                if !is_alphanumeric(p) {
                    self.err(n, R, "payment_related_information", p, "has characters that are not alphanumeric");
                }
                match a.addenda_sequence_number() {
                    // moov-io/ach `Addenda05.fieldInclusion`: an error even where the count is relaxed.
                    Some(0) => self.err(n, R, "addenda_sequence_number", r.rec.field(84, 87), "must not be zero"),
                    Some(s) if s == seq || self.entry.is_none() => {}
                    _ => self.soft(n, R, "addenda_sequence_number", r.rec.field(84, 87), format!("must be {seq}")),
                }
                match a.entry_detail_sequence_number() {
                    Some(s) if s == trace7 || self.entry.is_none() => {}
                    _ => self.soft(
                        n,
                        R,
                        "entry_detail_sequence_number",
                        r.rec.field(88, 94),
                        "must be the last 7 digits of the entry's trace number",
                    ),
                }
            }
            Layout::Addenda98 | Layout::Addenda98Refused => {
                self.report.notifications_of_change += 1;
                let code = a.reason_code();
                let known =
                    changes::lookup(code).is_some() || (self.opts.custom_change_codes && changes::is_code_shaped(code));
                if !known {
                    let f = if layout == Layout::Addenda98 { "change_code" } else { "refused_change_code" };
                    self.err(n, R, f, code, "unknown change code");
                }
                if layout == Layout::Addenda98Refused {
                    let oc = a.refused_original_change_code();
                    if changes::lookup(oc).is_none() && !(self.opts.custom_change_codes && changes::is_code_shaped(oc))
                    {
                        self.err(n, R, "change_code", oc, "unknown change code");
                    }
                }
                if a.original_trace().is_none() {
                    self.err(n, R, "original_entry_trace_number", a.original_trace_field(), "must be 15 digits");
                }
                if is_blank(a.corrected_data()) {
                    self.err(n, R, "corrected_data", a.corrected_data(), "is required");
                }
                if layout == Layout::Addenda98Refused && is_blank(r.rec.field(68, 74)) {
                    self.err(n, R, "trace_sequence_number", r.rec.field(68, 74), "is required");
                }
            }
            Layout::Addenda99 | Layout::Addenda99Dishonored | Layout::Addenda99Contested => {
                self.report.returns += 1;
                let code = a.reason_code();
                let known =
                    returns::lookup(code).is_some() || (self.opts.custom_return_codes && returns::is_code_shaped(code));
                if !known {
                    self.err(n, R, "return_reason_code", code, "unknown return reason code");
                }
                if a.original_trace().is_none() {
                    self.err(n, R, "original_entry_trace_number", a.original_trace_field(), "must be 15 digits");
                }
            }
            Layout::AddendaIat => {
                let d = a.data();
                if !is_alphanumeric(d) {
                    self.err(n, R, "data", d, "has characters that are not alphanumeric");
                }
                self.iat_addenda_fields(n, r);
                if a.type_code() == b"10" {
                    const TYPES: [&[u8]; 21] = [
                        b"ANN", b"BUS", b"DEP", b"LOA", b"MIS", b"MOR", b"PEN", b"REM", b"RLS", b"SAL", b"TAX", b"ARC",
                        b"BOC", b"IAT", b"MTE", b"POP", b"POS", b"RCK", b"SHR", b"TEL", b"WEB",
                    ];
                    let t = r.rec.field(4, 6);
                    if !TYPES.contains(&t) {
                        self.err(n, R, "transaction_type_code", t, "invalid IAT transaction type code");
                    }
                }
            }
            Layout::Addenda02 => {
                let d = r.rec.field(4, 79);
                if !is_alphanumeric(d) {
                    self.err(n, R, "terminal_data", d, "has characters that are not alphanumeric");
                }
                // moov-io/ach `Addenda02.fieldInclusion` and `Validate`.
                for (f, s, e) in
                    [("transaction_serial_number", 20, 25), ("terminal_location", 36, 62), ("terminal_city", 63, 77)]
                {
                    let v = r.rec.field(s, e);
                    if is_blank(v) {
                        self.err(n, R, f, v, "is required");
                    }
                }
                let date = r.rec.field(26, 29);
                if !is_mmdd(date) {
                    self.err(n, R, "transaction_date", date, "must be a MMDD date");
                }
                let st = r.rec.field(78, 79);
                if !US_STATES.contains(&st) {
                    self.err(n, R, "terminal_state", st, "must be a US state or territory abbreviation");
                }
            }
            _ => self.err(n, R, "addenda_type_code", a.type_code(), "unknown addenda type code"),
        }
    }

    fn batch_control(&mut self, n: u64, r: &Record<'_>) {
        const R: &str = "BatchControl";
        self.close_entry();
        let Some(c) = r.batch_control() else { return };
        let Some(b) = self.batch.take() else {
            if !self.opts.allow_missing_batch_header_control {
                self.err(n, R, "record_type", b"8", "batch control outside a batch (no batch header)");
            }
            return;
        };
        let t = b.totals;
        if c.service_class_code() != b.service_class {
            self.err(n, R, "service_class_code", r.rec.field(2, 4), "does not match the batch header");
        }
        if c.entry_addenda_count() != Some(t.entry_addenda_count) {
            self.err(
                n,
                R,
                "entry_addenda_count",
                r.rec.field(5, 10),
                format!("batch has {} entries and addenda", t.entry_addenda_count),
            );
        }
        if c.entry_hash() != Some(t.entry_hash % 10_000_000_000) {
            self.err(
                n,
                R,
                "entry_hash",
                r.rec.field(11, 20),
                format!("computed entry hash is {:010}", t.entry_hash % 10_000_000_000),
            );
        }
        if c.total_debit() != Some(t.total_debit) {
            let f = if b.adv { r.rec.field(21, 40) } else { r.rec.field(21, 32) };
            self.err(n, R, "total_debit", f, format!("entries debit {}", t.total_debit));
        }
        if c.total_credit() != Some(t.total_credit) {
            let f = if b.adv { r.rec.field(41, 60) } else { r.rec.field(33, 44) };
            self.err(n, R, "total_credit", f, format!("entries credit {}", t.total_credit));
        }
        if let Some(cid) = c.company_identification()
            && !b.iat
            && cid.trim_ascii() != b.company_id.trim_ascii()
        {
            self.err(n, R, "company_identification", cid, "does not match the batch header");
        }
        if c.odfi() != b.odfi {
            self.err(n, R, "odfi_identification", c.odfi(), "does not match the batch header");
        }
        if c.batch_number() != b.batch_number {
            self.err(n, R, "batch_number", r.rec.field(88, 94), "does not match the batch header");
        }
        // moov-io/ach `BatchControl.Validate` / `ADVBatchControl.Validate`.
        let texts: &[(&'static str, usize, usize)] = if b.adv {
            &[("ach_operator_data", 61, 79)]
        } else {
            &[("company_identification", 45, 54), ("message_authentication_code", 55, 73)]
        };
        for &(f, s, e) in texts {
            let v = r.rec.field(s, e);
            if !is_alphanumeric(v) {
                self.err(n, R, f, v, "has characters that are not alphanumeric");
            }
        }
        if b.sec == Some(SecCode::COR) && !b.iat {
            for (f, v, s, e) in [("total_debit", c.total_debit(), 21, 32), ("total_credit", c.total_credit(), 33, 44)] {
                if v.is_some_and(|v| v > 0) {
                    self.err(n, R, f, r.rec.field(s, e), "COR batches carry zero");
                }
            }
        }
        self.batch = Some(b);
        self.close_batch(n, false);
    }

    fn file_control(&mut self, n: u64, r: &Record<'_>) {
        const R: &str = "FileControl";
        if self.batch.is_some() {
            self.close_batch(n, true);
        } else {
            self.close_entry();
        }
        if self.control_seen {
            self.err(n, R, "record_type", b"9", "more than one file control");
            return;
        }
        self.control_seen = true;
        let Some(c) = r.file_control() else { return };
        let t = self.file;
        let adv = r.layout == Layout::AdvFileControl;
        if c.batch_count() != Some(self.report.batches) {
            self.soft(n, R, "batch_count", r.rec.field(2, 7), format!("file has {} batches", self.report.batches));
        }
        match c.block_count() {
            Some(bc) if bc == self.records.div_ceil(10) % 1_000_000 => {}
            _ => self.soft(
                n,
                R,
                "block_count",
                r.rec.field(8, 13),
                format!("file needs {} blocks", self.records.div_ceil(10)),
            ),
        }
        let count = self.report.entries + self.report.addenda;
        if c.entry_addenda_count() != Some(count) {
            self.soft(
                n,
                R,
                "entry_addenda_count",
                r.rec.field(14, 21),
                format!("file has {count} entries and addenda"),
            );
        }
        if c.entry_hash() != Some(t.entry_hash % 10_000_000_000) {
            self.soft(
                n,
                R,
                "entry_hash",
                r.rec.field(22, 31),
                format!("computed entry hash is {:010}", t.entry_hash % 10_000_000_000),
            );
        }
        if c.total_debit() != Some(t.total_debit) {
            let f = if adv { r.rec.field(32, 51) } else { r.rec.field(32, 43) };
            self.soft(n, R, "total_debit", f, format!("batches debit {}", t.total_debit));
        }
        if c.total_credit() != Some(t.total_credit) {
            let f = if adv { r.rec.field(52, 71) } else { r.rec.field(44, 55) };
            self.soft(n, R, "total_credit", f, format!("batches credit {}", t.total_credit));
        }
        // moov-io/ach `FileControl.fieldInclusion` (errors even where the comparisons above are
        // relaxed): a block count, and counts and hash once money moves (always in ADV files).
        if c.block_count() == Some(0) {
            self.err(n, R, "block_count", r.rec.field(8, 13), "must not be zero");
        }
        if adv || c.total_debit().is_some_and(|v| v > 0) || c.total_credit().is_some_and(|v| v > 0) {
            for (f, v, s, e) in [
                ("batch_count", c.batch_count(), 2, 7),
                ("entry_addenda_count", c.entry_addenda_count(), 14, 21),
                ("entry_hash", c.entry_hash(), 22, 31),
            ] {
                if v == Some(0) {
                    self.err(n, R, f, r.rec.field(s, e), "must not be zero");
                }
            }
        }
    }

    /// Ends validation and returns the report.
    pub fn finish(mut self) -> Report {
        if self.batch.is_some() {
            let n = self.report.lines;
            self.close_batch(n, true);
        }
        self.close_entry();
        if !self.header_seen && !self.opts.allow_missing_file_header {
            self.err(0, "FileHeader", "record_type", b"", "missing file header");
        }
        if !self.control_seen && !self.opts.allow_missing_file_control {
            self.err(0, "FileControl", "record_type", b"", "missing file control");
        }
        let mut r = self.report;
        r.total_credit_cents = self.credit;
        r.total_debit_cents = self.debit;
        r.entry_hash = format!("{:010}", self.hash % 10_000_000_000);
        r.valid = r.error_count == 0;
        r
    }
}

/// True for MMDD with a day that exists in the month (29 February allowed).
fn is_mmdd(b: &[u8]) -> bool {
    let (Some(m), Some(d)) = (b.get(..2).and_then(parse_digits), b.get(2..).and_then(parse_digits)) else {
        return false;
    };
    let days = match m {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => 0,
    };
    b.len() == 4 && (1..=days).contains(&d)
}

/// USPS state, district, territory and military abbreviations (terminal state of an addenda 02).
const US_STATES: [&[u8]; 63] = [
    b"AL", b"AK", b"AZ", b"AR", b"CA", b"CO", b"CT", b"DE", b"DC", b"FL", b"GA", b"HI", b"ID", b"IL", b"IN", b"IA",
    b"KS", b"KY", b"LA", b"ME", b"MD", b"MA", b"MI", b"MN", b"MS", b"MO", b"MT", b"NE", b"NV", b"NH", b"NJ", b"NM",
    b"NY", b"NC", b"ND", b"OH", b"OK", b"OR", b"PA", b"RI", b"SC", b"SD", b"TN", b"TX", b"UT", b"VT", b"VA", b"WA",
    b"WV", b"WI", b"WY", b"AS", b"GU", b"MP", b"PR", b"VI", b"UM", b"FM", b"MH", b"PW", b"AA", b"AE", b"AP",
];

/// (debits only, credits only) for a SEC code: a TEL batch described as REVERSAL holds credits.
fn sec_direction(sec: Option<SecCode>, tel_reversal: bool) -> (bool, bool) {
    match sec {
        Some(SecCode::TEL) if tel_reversal => (false, true),
        Some(s) => (s.debits_only(), s.credits_only()),
        None => (false, false),
    }
}

/// Message of the error on a COR entry without its addenda 98 (a reply problem for `read_replies`).
pub(crate) const COR_NEEDS_98: &str = "COR entries need an addenda 98";

/// Category name for messages.
fn cat_name(c: u8) -> &'static str {
    match c {
        CAT_NOC => "notification of change",
        CAT_RETURN => "return",
        CAT_DISHONORED => "dishonored return",
        CAT_CONTESTED => "contested dishonored return",
        _ => "forward",
    }
}

/// Feeds every record of `reader` to `v`: entries and addenda 05 that are valid go through the fast
/// path, everything else (and anything the fast path declines) through [`Validator::record`].
fn drive<R: Read>(reader: &mut Core<'_, R>, v: &mut Validator) {
    loop {
        reader.fast_lines(|line, n| v.fast_record(line, n));
        match reader.next_record() {
            None => break,
            Some(Ok(line)) => v.record(&line),
            Some(Err(e)) => v.frame_error(&e),
        }
    }
}

/// Validates a whole input stream with constant memory.
pub fn validate_reader<R: Read>(src: R, opts: &ReadOptions) -> std::io::Result<Report> {
    let mut reader = Reader::new(src, opts);
    let mut v = Validator::new(opts.clone());
    drive(reader.core_mut(), &mut v);
    if let Some(e) = reader.take_io_error() {
        return Err(e);
    }
    Ok(v.finish())
}

/// Validates bytes in memory (without copying them).
pub fn validate_bytes(bytes: &[u8], opts: &ReadOptions) -> Report {
    let mut reader = Core::borrowed(bytes, opts);
    let mut v = Validator::new(opts.clone());
    drive(&mut reader, &mut v);
    v.finish()
}

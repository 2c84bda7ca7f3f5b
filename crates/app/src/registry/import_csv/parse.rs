//! The parsing thread: reads, validates and checks every line, and hands valid records to the
//! writer in chunks.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;

use domain::importer::ValidImporter;
use domain::{Address, ImporterNumber, ImporterStatus};
use store::importers_bulk::NewImporter;

use super::columns::Columns;
use super::{LineError, MAX_LISTED_ERRORS};
use crate::registry::importers::BROKER_EMAIL_MESSAGE;

/// A valid line, ready to be created or to update the stored record with its number.
pub(super) struct Pending {
    pub(super) record: NewImporter,
    /// The status column, when filled in (otherwise new records are active and existing ones
    /// keep theirs).
    pub(super) status: Option<ImporterStatus>,
}

/// What the parsing thread hands to the writer.
pub(super) struct Parsed {
    pub(super) rows: Vec<Pending>,
    /// Bytes of input read so far, for the progress bar.
    pub(super) bytes: u64,
    /// Whether any line so far was bad (then nothing will be committed, so writing stops).
    pub(super) failed: bool,
}

/// What the parsing thread found besides valid rows.
#[derive(Default)]
pub(super) struct ParseOutcome {
    pub(super) rows: u64,
    pub(super) error_count: u64,
    pub(super) errors: Vec<LineError>,
}

impl ParseOutcome {
    fn error(&mut self, line: u64, message: impl Into<String>) {
        self.error_count += 1;
        if self.errors.len() < MAX_LISTED_ERRORS {
            self.errors.push(LineError { line, message: message.into() });
        }
    }
}

/// What the parser checks lines against besides their own fields.
pub(super) struct Checks {
    pub(super) broker_emails: HashSet<String>,
    pub(super) firm_records: HashSet<String>,
}

/// A lossless u64 key of a canonical importer number, to find duplicates in large files
/// without keeping a million strings.
fn number_key(n: &ImporterNumber) -> u64 {
    let digits = |d: &[u8]| d.iter().fold(0u64, |acc, c| acc * 10 + u64::from(c - b'0'));
    let sfx = |c: u8| u64::from(if c.is_ascii_digit() { c - b'0' } else { c - b'A' + 10 });
    match n {
        ImporterNumber::Ein { ein, suffix } => (1 << 62) | (digits(ein) << 12) | (sfx(suffix[0]) * 36 + sfx(suffix[1])),
        ImporterNumber::Ssn(d) => (2 << 62) | digits(d),
        ImporterNumber::CbpAssigned(d) => (3 << 62) | digits(d),
    }
}

/// Hashes the u64 number keys of `seen` with one multiplication: the keys are not chosen by an
/// attacker who gains anything from collisions (a bad file only slows its own import), and
/// SipHash was a visible share of the parser's time.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }

    fn write_u64(&mut self, n: u64) {
        // Fibonacci hashing; the rotation brings the well-mixed high bits down to where the
        // table takes its bucket index.
        self.0 = (n ^ self.0).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(32);
    }
}

fn address_columns(a: Address) -> [String; 6] {
    [a.line1, a.line2, a.city, a.state, a.postal_code, a.country]
}

/// The record a valid line creates, its values moved rather than copied. Same columns as
/// `importers::to_row` writes for a form.
pub(crate) fn new_importer(v: ValidImporter, line: u64) -> NewImporter {
    NewImporter {
        line,
        entity_key: v.number.masked(),
        number: v.number.canonical(),
        number_kind: v.number.kind().into(),
        name: v.name,
        dba: v.dba,
        company_type: v.company_type.code().into(),
        number_uses: v.number_uses.iter().map(|u| u.code()).collect::<Vec<_>>().join(","),
        cbp_reasons: v.cbp_reasons,
        mailing: v.mailing_address.map(address_columns).unwrap_or_default(),
        physical: address_columns(v.physical_address),
        phone: v.phone,
        email: v.email.into_string(),
        status: ImporterStatus::Active.code().into(),
    }
}

/// Reads and validates every line, sending valid rows in chunks. Stops early only when the
/// writer has gone (it failed) or the input cannot be read further.
pub(super) fn parse<R: Read>(
    mut reader: csv::Reader<R>,
    width: usize,
    cols: &Columns,
    checks: &Checks,
    chunk_rows: usize,
    tx: &tokio::sync::mpsc::Sender<Parsed>,
) -> ParseOutcome {
    let mut out = ParseOutcome::default();
    let mut seen: HashMap<u64, u64, BuildHasherDefault<KeyHasher>> = HashMap::default();
    let mut chunk: Vec<Pending> = Vec::with_capacity(chunk_rows);
    let mut rec = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                // Bad UTF-8 or a broken quote: report it and stop, the rest cannot be trusted.
                out.error(line, super::csv_error(&e));
                break;
            }
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(line);
        out.rows += 1;
        if rec.len() != width {
            out.error(line, format!("has {} fields, the header has {width}", rec.len()));
            continue;
        }
        let valid = match cols.draft(&rec).validate() {
            Ok(v) => v,
            Err(errs) => {
                out.error(line, errs.summary());
                continue;
            }
        };
        let status_text = cols.status(&rec);
        let status = if status_text.trim().is_empty() {
            None
        } else {
            match ImporterStatus::from_code(status_text) {
                Some(s) => Some(s),
                None => {
                    out.error(line, "status: use active or inactive");
                    continue;
                }
            }
        };
        let key = number_key(&valid.number);
        let record = new_importer(valid, line);
        if checks.broker_emails.contains(&record.email) && !checks.firm_records.contains(&record.number) {
            out.error(line, format!("email: {BROKER_EMAIL_MESSAGE}"));
            continue;
        }
        if let Some(first) = seen.insert(key, line) {
            // entity_key is the masked number: an SSN never reaches the report.
            out.error(line, format!("importer number {} already appears on line {first}", record.entity_key));
            continue;
        }
        chunk.push(Pending { record, status });
        if chunk.len() == chunk_rows {
            let rows = std::mem::replace(&mut chunk, Vec::with_capacity(chunk_rows));
            let msg = Parsed { rows, bytes: reader.position().byte(), failed: out.error_count > 0 };
            if tx.blocking_send(msg).is_err() {
                return out;
            }
        }
    }
    let _writer_gone =
        tx.blocking_send(Parsed { rows: chunk, bytes: reader.position().byte(), failed: out.error_count > 0 });
    out
}

//! Bulk create/update of Form 5106 records from CSV.
//!
//! One pass, one transaction: rows are validated and written in chunks inside a single
//! transaction, and the transaction is rolled back when any line is bad (or on `--dry-run`),
//! so the database is either fully updated or untouched while memory stays flat.
//! Columns are documented in docs/importer-csv.md.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use domain::actor::{may_change_status, may_create_importer, may_update_importer};
use domain::importer::ValidImporter;
use domain::{Actor, Address, ImporterDraft, ImporterNumber, ImporterStatus};
use serde::Serialize;
use store::TransactionTrait;
use store::audit::AuditRow;
use store::importers::ImporterRow;

use crate::App;
use crate::error::{AppError, AppResult};
use crate::history::diff;
use crate::importers::{BROKER_EMAIL_MESSAGE, audit_row, history_fields, to_row, updated_row};

pub const REQUIRED: &[&str] = &[
    "importer_number",
    "name",
    "company_type",
    "number_uses",
    "physical_line1",
    "physical_city",
    "physical_state",
    "physical_postal_code",
    "email",
];

pub const OPTIONAL: &[&str] = &[
    "dba",
    "cbp_reasons",
    "physical_line2",
    "physical_country",
    "mailing_line1",
    "mailing_line2",
    "mailing_city",
    "mailing_state",
    "mailing_postal_code",
    "mailing_country",
    "phone",
    "status",
];

/// Bad lines listed in full; the rest are counted.
const MAX_LISTED_ERRORS: usize = 1000;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct ImportReport {
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub error_count: u64,
    pub errors: Vec<LineError>,
    pub dry_run: bool,
    /// Whether the changes were committed.
    pub written: bool,
}

impl ImportReport {
    fn error(&mut self, line: u64, message: impl Into<String>) {
        self.error_count += 1;
        if self.errors.len() < MAX_LISTED_ERRORS {
            self.errors.push(LineError { line, message: message.into() });
        }
    }
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

struct Columns {
    index: HashMap<String, usize>,
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> Result<Columns, String> {
        let mut index = HashMap::new();
        let mut unknown = Vec::new();
        for (i, h) in header.iter().enumerate() {
            let h = h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
            if !REQUIRED.contains(&h.as_str()) && !OPTIONAL.contains(&h.as_str()) {
                unknown.push(h);
            } else if index.insert(h.clone(), i).is_some() {
                return Err(format!("column {h} appears twice in the header"));
            }
        }
        let missing: Vec<&str> = REQUIRED.iter().copied().filter(|c| !index.contains_key(*c)).collect();
        if !missing.is_empty() || !unknown.is_empty() {
            let mut msg = String::from("the header line does not match the importer CSV format:");
            if !missing.is_empty() {
                msg.push_str(&format!(" missing column(s) {};", missing.join(", ")));
            }
            if !unknown.is_empty() {
                msg.push_str(&format!(" unknown column(s) {};", unknown.join(", ")));
            }
            msg.push_str(" see docs/importer-csv.md");
            return Err(msg);
        }
        Ok(Columns { index })
    }

    fn get<'r>(&self, rec: &'r csv::StringRecord, name: &str) -> &'r str {
        self.index.get(name).and_then(|i| rec.get(*i)).unwrap_or("")
    }

    fn address(&self, rec: &csv::StringRecord, prefix: &str) -> Address {
        let g = |f: &str| self.get(rec, &format!("{prefix}_{f}")).to_string();
        Address {
            line1: g("line1"),
            line2: g("line2"),
            city: g("city"),
            state: g("state"),
            postal_code: g("postal_code"),
            country: g("country"),
        }
    }

    fn draft(&self, rec: &csv::StringRecord) -> ImporterDraft {
        let mailing = self.address(rec, "mailing");
        ImporterDraft {
            importer_number: self.get(rec, "importer_number").into(),
            name: self.get(rec, "name").into(),
            dba: self.get(rec, "dba").into(),
            company_type: self.get(rec, "company_type").into(),
            number_uses: self.get(rec, "number_uses").split([';', '|']).map(|s| s.trim().to_string()).collect(),
            cbp_reasons: self.get(rec, "cbp_reasons").into(),
            mailing_address: if mailing.is_blank() { None } else { Some(mailing) },
            physical_address: Some(self.address(rec, "physical")),
            phone: self.get(rec, "phone").into(),
            email: self.get(rec, "email").into(),
        }
    }
}

struct Pending {
    line: u64,
    valid: ValidImporter,
    status: Option<ImporterStatus>,
}

pub struct ImportOptions<'a> {
    pub dry_run: bool,
    /// Source name recorded in history ("import of FILE line N").
    pub source: &'a str,
}

/// What the parsing thread hands to the writer.
struct Parsed {
    rows: Vec<Pending>,
    /// Bytes of input read so far, for the progress bar.
    bytes: u64,
    /// Whether any line so far was bad (then nothing will be committed, so writing stops).
    failed: bool,
}

/// What the parsing thread found besides valid rows.
#[derive(Default)]
struct ParseOutcome {
    rows: u64,
    error_count: u64,
    errors: Vec<LineError>,
}

impl ParseOutcome {
    fn error(&mut self, line: u64, message: impl Into<String>) {
        self.error_count += 1;
        if self.errors.len() < MAX_LISTED_ERRORS {
            self.errors.push(LineError { line, message: message.into() });
        }
    }
}

/// Runs an import. `progress` is called with the number of bytes read so far.
///
/// Reading, parsing and validating run on a blocking thread while this task writes the previous
/// chunk, so CSV work and database work overlap instead of adding up.
pub async fn import<R: Read + Send + 'static>(
    app: &App,
    actor: &Actor,
    input: R,
    opts: &ImportOptions<'_>,
    progress: &mut (dyn FnMut(u64) + Send),
) -> AppResult<ImportReport> {
    may_create_importer(actor).map_err(|m| AppError::Forbidden(m.into()))?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let header = reader.headers().map_err(|e| AppError::field("file", csv_error(&e)))?.clone();
    let cols = Columns::from_header(&header).map_err(|m| AppError::field("file", m))?;

    let conn = &app.db.conn;
    let broker_emails: HashSet<String> = store::firms::broker_emails(conn).await?.into_iter().collect();
    let firm_records: HashSet<String> = store::firms::firm_record_numbers(conn).await?.into_iter().collect();
    let chunk_rows = store::importers::bulk_chunk_rows(app.db.backend());

    let (tx, mut rx) = tokio::sync::mpsc::channel::<Parsed>(2);
    let parser = tokio::task::spawn_blocking(move || {
        parse(reader, header.len(), &cols, &broker_emails, &firm_records, chunk_rows, &tx)
    });

    let mut report = ImportReport { dry_run: opts.dry_run, ..Default::default() };
    let txn = app.db.conn.begin().await?;
    while let Some(mut parsed) = rx.recv().await {
        progress(parsed.bytes);
        write_chunk(&txn, actor, opts, &mut parsed.rows, &mut report, parsed.failed).await?;
    }
    let outcome = parser.await.map_err(|e| AppError::Internal(anyhow::anyhow!("import parser stopped: {e}")))?;
    report.rows = outcome.rows;
    report.error_count += outcome.error_count;
    report.errors.extend(outcome.errors);
    report.errors.sort_by_key(|e| e.line);
    report.errors.truncate(MAX_LISTED_ERRORS);
    if report.error_count == 0 && !opts.dry_run {
        txn.commit().await?;
        report.written = true;
    } else {
        txn.rollback().await?;
    }
    Ok(report)
}

/// Reads and validates every line, sending valid rows in chunks. Stops early only when the
/// writer has gone (it failed) or the input cannot be read further.
fn parse<R: Read>(
    mut reader: csv::Reader<R>,
    width: usize,
    cols: &Columns,
    broker_emails: &HashSet<String>,
    firm_records: &HashSet<String>,
    chunk_rows: usize,
    tx: &tokio::sync::mpsc::Sender<Parsed>,
) -> ParseOutcome {
    let mut out = ParseOutcome::default();
    let mut seen: HashMap<u64, u64> = HashMap::new();
    let mut chunk: Vec<Pending> = Vec::with_capacity(chunk_rows);
    let mut rec = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                // Bad UTF-8 or a broken quote: report it and stop, the rest cannot be trusted.
                out.error(line, csv_error(&e));
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
        let status_text = cols.get(&rec, "status");
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
        if broker_emails.contains(valid.email.as_str()) && !firm_records.contains(&valid.number.canonical()) {
            out.error(line, format!("email: {BROKER_EMAIL_MESSAGE}"));
            continue;
        }
        if let Some(first) = seen.insert(number_key(&valid.number), line) {
            out.error(line, format!("importer number {} already appears on line {first}", valid.number));
            continue;
        }
        chunk.push(Pending { line, valid, status });
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

fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8 text; save the file as UTF-8 CSV and try again".into(),
        csv::ErrorKind::Io(_) => "could not be read".into(),
        _ => format!("is not valid CSV ({e})"),
    }
}

async fn write_chunk(
    txn: &store::DatabaseTransaction,
    actor: &Actor,
    opts: &ImportOptions<'_>,
    chunk: &mut Vec<Pending>,
    report: &mut ImportReport,
    parser_failed: bool,
) -> AppResult<()> {
    if chunk.is_empty() {
        return Ok(());
    }
    // Once a line is bad nothing will be committed: keep validating, stop writing.
    if parser_failed || report.error_count > 0 {
        chunk.clear();
        return Ok(());
    }
    let numbers: Vec<String> = chunk.iter().map(|p| p.valid.number.canonical()).collect();
    let existing: HashMap<String, ImporterRow> =
        store::importers::by_numbers(txn, &numbers).await?.into_iter().map(|r| (r.number.clone(), r)).collect();
    let at = store::now();
    let mut inserts = Vec::new();
    let mut insert_lines = Vec::new();
    let mut audits = Vec::new();
    for p in chunk.drain(..) {
        let canonical = p.valid.number.canonical();
        match existing.get(&canonical) {
            None => {
                let mut row = to_row(&p.valid, actor, actor.firm_id, at);
                if let Some(s) = p.status {
                    if s != ImporterStatus::Active && may_change_status(actor).is_err() {
                        report.error(p.line, "status: only CBP staff may file a record as inactive");
                        continue;
                    }
                    row.status = s.code().into();
                }
                insert_lines.push(p.line);
                inserts.push(row);
            }
            Some(old) => {
                if let Err(m) = may_update_importer(actor, old.filer_firm_id) {
                    report.error(p.line, format!("importer number {}: {m}", p.valid.number));
                    continue;
                }
                let mut new = updated_row(old, &p.valid, actor, at);
                new.status = match p.status {
                    Some(s) if s.code() != old.status => {
                        if let Err(m) = may_change_status(actor) {
                            report.error(p.line, format!("status: {m}"));
                            continue;
                        }
                        s.code().into()
                    }
                    _ => old.status.clone(),
                };
                let changes = diff(&history_fields(old), &history_fields(&new));
                if changes.is_empty() {
                    report.unchanged += 1;
                    continue;
                }
                if !store::importers::update(txn, &new).await? {
                    report.error(p.line, "the record changed during the import; run the import again");
                    continue;
                }
                let mut a = audit_row(actor, "updated", &new, &changes, at);
                a.action = format!("updated by import of {} line {}", opts.source, p.line);
                audits.push(a);
                report.updated += 1;
            }
        }
    }
    if report.error_count > 0 {
        return Ok(());
    }
    let created = inserts.len() as u64;
    let line_of: HashMap<String, u64> = inserts.iter().map(|r| r.number.clone()).zip(insert_lines).collect();
    for (id, number) in store::importers::insert_many(txn, inserts).await? {
        let line = line_of.get(&number).copied().unwrap_or_default();
        let entity_key = ImporterNumber::parse(&number).map(|n| n.masked()).unwrap_or_default();
        audits.push(AuditRow {
            id: 0,
            at,
            actor_user_id: actor.user_id,
            actor_label: actor.label.clone(),
            action: format!("created by import of {} line {line}", opts.source),
            entity_type: "importer".into(),
            entity_id: Some(id),
            entity_key,
            changes: "[]".into(),
        });
    }
    report.created += created;
    store::audit::append_bulk(txn, audits).await?;
    Ok(())
}

//! Bulk create/update of Form 5106 records from CSV.
//!
//! One pass, one transaction: rows are validated and written in chunks inside a single
//! transaction, and the transaction is rolled back when any line is bad (or on `--dry-run`),
//! so the database is either fully updated or untouched while memory stays flat.
//! Columns are documented in docs/importer-csv.md. Reading and validating run on their own
//! thread (`parse`); this module looks up, updates and creates records through the store's bulk
//! writer (`store::importers_bulk`).

mod columns;
pub(crate) mod parse;

use std::collections::{HashMap, HashSet};
use std::io::Read;

use domain::actor::{may_change_status, may_create_importer, may_update_importer};
use domain::{Actor, ImporterStatus};
use serde::Serialize;
use store::importers::ImporterRow;
use store::importers_bulk::{BulkWriter, NewImporter, Stamp};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::registry::history::{Change, diff};
use crate::registry::importers::{as_update_of, audit_row, history_fields};
use columns::Columns;
use parse::{Checks, Parsed, Pending, parse};

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

pub struct ImportOptions<'a> {
    pub dry_run: bool,
    /// Source name recorded in history ("import of FILE line N").
    pub source: &'a str,
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
    let checks = Checks {
        broker_emails: store::firms::broker_emails(conn).await?.into_iter().collect(),
        firm_records: store::firms::firm_record_numbers(conn).await?.into_iter().collect(),
    };
    let chunk_rows = BulkWriter::chunk_rows(app.db.kind);
    let stamp = Stamp {
        at: store::now(),
        actor_user_id: actor.user_id,
        actor_label: actor.label.clone(),
        filer_firm_id: actor.firm_id,
        source: opts.source.to_string(),
    };

    // Two chunks in flight besides the one being written: enough for the parser to keep going
    // while the writer waits on the database, little enough to keep memory flat.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Parsed>(2);
    let parser = tokio::task::spawn_blocking(move || parse(reader, header.len(), &cols, &checks, chunk_rows, &tx));

    let mut report = ImportReport { dry_run: opts.dry_run, ..Default::default() };
    let mut writer = BulkWriter::begin(&app.db).await?;
    while let Some(mut parsed) = rx.recv().await {
        progress(parsed.bytes);
        write_chunk(&mut writer, actor, &stamp, &mut parsed.rows, &mut report, parsed.failed).await?;
    }
    let outcome = parser.await.map_err(|e| AppError::Internal(anyhow::anyhow!("import parser stopped: {e}")))?;
    report.rows = outcome.rows;
    report.error_count += outcome.error_count;
    report.errors.extend(outcome.errors);
    report.errors.sort_by_key(|e| e.line);
    report.errors.truncate(MAX_LISTED_ERRORS);
    if report.error_count == 0 && !opts.dry_run {
        writer.commit().await?;
        report.written = true;
    } else {
        writer.rollback().await?;
    }
    Ok(report)
}

pub(crate) fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8 text; save the file as UTF-8 CSV and try again".into(),
        csv::ErrorKind::Io(_) => "could not be read".into(),
        _ => format!("is not valid CSV ({e})"),
    }
}

/// An update found in a chunk: its line and what changed (the row itself goes to the writer in a
/// separate list, which `BulkWriter::update` takes as a slice).
struct Update {
    line: u64,
    changes: Vec<Change>,
}

async fn write_chunk(
    writer: &mut BulkWriter,
    actor: &Actor,
    stamp: &Stamp,
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
    let numbers: Vec<String> = chunk.iter().map(|p| p.record.number.clone()).collect();
    let existing: HashMap<String, ImporterRow> =
        writer.existing(&numbers).await?.into_iter().map(|r| (r.number.clone(), r)).collect();
    let mut inserts: Vec<NewImporter> = Vec::with_capacity(chunk.len());
    let mut updates: Vec<Update> = Vec::new();
    let mut updated_rows: Vec<ImporterRow> = Vec::new();
    for p in chunk.drain(..) {
        let Pending { mut record, status } = p;
        match existing.get(&record.number) {
            None => {
                if let Some(s) = status {
                    if s != ImporterStatus::Active && may_change_status(actor).is_err() {
                        report.error(record.line, "status: only CBP staff may file a record as inactive");
                        continue;
                    }
                    record.status = s.code().into();
                }
                inserts.push(record);
            }
            Some(old) => {
                let line = record.line;
                if let Err(m) = may_update_importer(actor, old.filer_firm_id) {
                    report.error(line, format!("importer number {}: {m}", record.entity_key));
                    continue;
                }
                let mut new = as_update_of(old, record.into_row(stamp));
                new.status = match status {
                    Some(s) if s.code() != old.status => {
                        if let Err(m) = may_change_status(actor) {
                            report.error(line, format!("status: {m}"));
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
                updates.push(Update { line, changes });
                updated_rows.push(new);
            }
        }
    }
    if report.error_count > 0 {
        return Ok(());
    }
    if !updated_rows.is_empty() {
        let written: HashSet<i64> = writer.update(&updated_rows).await?.into_iter().collect();
        let mut audits = Vec::with_capacity(updated_rows.len());
        for (u, row) in updates.iter().zip(&updated_rows) {
            if !written.contains(&row.id) {
                report.error(u.line, "the record changed during the import; run the import again");
                continue;
            }
            let mut a = audit_row(actor, "updated", row, &u.changes, stamp.at);
            a.action = format!("updated by import of {} line {}", stamp.source, u.line);
            audits.push(a);
            report.updated += 1;
        }
        if report.error_count > 0 {
            return Ok(());
        }
        writer.append_audit(&audits).await?;
    }
    report.created += inserts.len() as u64;
    writer.create(stamp, inserts).await?;
    Ok(())
}

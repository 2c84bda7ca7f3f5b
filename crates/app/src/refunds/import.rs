//! Recording refunds in bulk: a CSV file (`refunds import`), or a batch from the API or the staff
//! page. All or nothing: every line is checked and every problem reported with its line and
//! field; nothing is written unless every line is good (and never on a dry run). Idempotent by
//! refund number: the same row again is "unchanged", a different row under a recorded number is
//! an error.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use domain::Actor;
use domain::refund::{RateTable, accrued_interest};
use serde::Serialize;
use store::refunds::{ImporterFacts, NewRefund};
use store::refunds_bulk::RefundWriter;

use super::input::{CSV_HEADER, CheckedRefund, RefundFields, check};
use crate::App;
use crate::error::{AppError, AppResult};

/// Bad lines listed in full; the rest are counted.
const MAX_LISTED_ERRORS: usize = 1000;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LineError {
    /// The file's line (1 is the header); for an API batch, the item's position from 1.
    pub line: u64,
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct RecordReport {
    pub rows: u64,
    pub created: u64,
    pub unchanged: u64,
    pub error_count: u64,
    pub errors: Vec<LineError>,
    pub dry_run: bool,
    /// Whether the refunds were committed.
    pub written: bool,
    /// The refund numbers created, in order (API answers; empty for files over 1,000 rows).
    pub numbers: Vec<String>,
}

impl RecordReport {
    fn error(&mut self, line: u64, field: &str, message: impl Into<String>) {
        self.error_count += 1;
        if self.errors.len() < MAX_LISTED_ERRORS {
            self.errors.push(LineError { line, field: field.into(), message: message.into() });
        }
    }
}

fn may_record(actor: &Actor) -> AppResult<()> {
    match actor.role {
        domain::Role::CbpStaff => Ok(()),
        _ => Err(AppError::Forbidden("only CBP staff may record refunds".into())),
    }
}

/// Records refunds from a CSV file (header exactly [`CSV_HEADER`], a UTF-8 byte-order mark
/// allowed). `progress` is called with the bytes read so far.
pub async fn import_csv<R: Read>(
    app: &App,
    actor: &Actor,
    input: R,
    source: &str,
    dry_run: bool,
    progress: &mut (dyn FnMut(u64) + Send),
) -> AppResult<RecordReport> {
    may_record(actor)?;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(input);
    let header = reader.headers().map_err(|e| AppError::field("file", crate::registry::import_csv::csv_error(&e)))?;
    let names: Vec<String> = header.iter().map(|h| h.trim_start_matches('\u{feff}').trim().to_string()).collect();
    if names != CSV_HEADER {
        return Err(AppError::field(
            "file",
            format!("the first line must be exactly `{}` (it is `{}`)", CSV_HEADER.join(","), names.join(",")),
        ));
    }
    let mut run = Recorder::new(app, actor, dry_run).await?;
    let size = run.writer.chunk_rows();
    let mut chunk: Vec<(u64, RefundFields)> = Vec::with_capacity(size);
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line());
                run.report.rows += 1;
                if record.len() != CSV_HEADER.len() {
                    run.report.error(
                        line,
                        "line",
                        format!("has {} fields; every line needs {}", record.len(), CSV_HEADER.len()),
                    );
                    continue;
                }
                let get = |i: usize| record.get(i).unwrap_or_default().to_string();
                chunk.push((
                    line,
                    RefundFields {
                        refund_number: get(0),
                        importer_number: get(1),
                        entry_number: get(2),
                        source: get(3),
                        principal: get(4),
                        deposit_date: get(5),
                        liquidation_date: get(6),
                        notify_party: get(7),
                    },
                ));
                if chunk.len() == size {
                    run.chunk(std::mem::take(&mut chunk)).await?;
                    progress(record.position().map_or(0, |p| p.byte()));
                }
            }
            Err(e) => {
                let line = e.position().map_or(run.report.rows + 1, |p| p.line());
                run.report.error(line, "line", crate::registry::import_csv::csv_error(&e));
                if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }) {
                    break;
                }
            }
        }
    }
    run.chunk(chunk).await?;
    run.finish(source).await
}

/// Records a batch given as fields (API, staff page); line numbers are positions from 1.
pub async fn record(
    app: &App,
    actor: &Actor,
    items: Vec<RefundFields>,
    source: &str,
    dry_run: bool,
) -> AppResult<RecordReport> {
    may_record(actor)?;
    let mut run = Recorder::new(app, actor, dry_run).await?;
    let size = run.writer.chunk_rows();
    let mut chunk = Vec::with_capacity(size);
    for (i, f) in items.into_iter().enumerate() {
        run.report.rows += 1;
        chunk.push((i as u64 + 1, f));
        if chunk.len() == size {
            run.chunk(std::mem::take(&mut chunk)).await?;
        }
    }
    run.chunk(chunk).await?;
    run.finish(source).await
}

/// One recording run: its writer (one transaction), what it has seen, and its report. 5106
/// records and rates are read through the pool: the run never changes them.
struct Recorder<'a> {
    app: &'a App,
    actor: &'a Actor,
    writer: RefundWriter,
    table: RateTable,
    today: time::Date,
    seen: HashSet<String>,
    importers: HashMap<String, Option<ImporterFacts>>,
    pending: Vec<(u64, NewRefund)>,
    report: RecordReport,
}

impl<'a> Recorder<'a> {
    async fn new(app: &'a App, actor: &'a Actor, dry_run: bool) -> AppResult<Recorder<'a>> {
        Ok(Recorder {
            app,
            actor,
            writer: RefundWriter::begin(&app.db).await?,
            table: super::rates::table(app).await?,
            today: crate::today(),
            seen: HashSet::new(),
            importers: HashMap::new(),
            pending: Vec::new(),
            report: RecordReport { dry_run, ..Default::default() },
        })
    }

    /// Checks a chunk of lines and, while the run is still clean, writes its new refunds.
    async fn chunk(&mut self, lines: Vec<(u64, RefundFields)>) -> AppResult<()> {
        if lines.is_empty() {
            return Ok(());
        }
        let mut checked: Vec<(u64, CheckedRefund)> = Vec::with_capacity(lines.len());
        for (line, f) in lines {
            match check(&f, self.today) {
                Ok(c) => {
                    if !self.seen.insert(c.refund_number.clone()) {
                        self.report.error(
                            line,
                            "refund_number",
                            format!("{} appears twice in this file", c.refund_number),
                        );
                        continue;
                    }
                    checked.push((line, c));
                }
                Err(errs) => {
                    for e in errs.0 {
                        self.report.error(line, &e.field, e.message);
                    }
                }
            }
        }
        self.lookup_importers(&checked).await?;
        let numbers: Vec<String> = checked.iter().map(|(_, c)| c.refund_number.clone()).collect();
        let existing: HashMap<String, store::refunds_bulk::RecordedFacts> = self
            .writer
            .existing(numbers)
            .await
            .map_err(writer_error)?
            .into_iter()
            .map(|r| (r.refund_number.clone(), r))
            .collect();
        let mut new = Vec::with_capacity(checked.len());
        for (line, c) in checked {
            let Some(row) = self.new_refund(line, &c) else { continue };
            match existing.get(&c.refund_number) {
                Some(old) if old.same_as(&row) => self.report.unchanged += 1,
                Some(_) => self.report.error(
                    line,
                    "refund_number",
                    format!(
                        "{} is already recorded with different facts; a refund is never recorded twice",
                        c.refund_number
                    ),
                ),
                None => new.push((line, row)),
            }
        }
        self.pending.extend(new);
        if self.report.error_count == 0 {
            self.flush().await?;
        } else {
            // Nothing will be committed: keep checking, stop writing.
            self.pending.clear();
        }
        Ok(())
    }

    async fn lookup_importers(&mut self, checked: &[(u64, CheckedRefund)]) -> AppResult<()> {
        let mut wanted: Vec<String> = Vec::new();
        for (_, c) in checked {
            for n in std::iter::once(&c.importer).chain(c.notify_party.as_ref()) {
                let k = n.canonical();
                if !self.importers.contains_key(&k) && !wanted.contains(&k) {
                    wanted.push(k);
                }
            }
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let found = store::refunds::importers_by_numbers(&self.app.db.conn, &wanted).await?;
        for w in wanted {
            let f = found.iter().find(|f| f.number == w).cloned();
            self.importers.insert(w, f);
        }
        Ok(())
    }

    /// The row to write, or `None` after reporting why it cannot be recorded.
    fn new_refund(&mut self, line: u64, c: &CheckedRefund) -> Option<NewRefund> {
        let importer = self
            .importers
            .get(&c.importer.canonical())
            .and_then(|f| f.as_ref())
            .map(|f| (f.id, f.company_type == "corporation"));
        let Some((importer_id, corporation)) = importer else {
            self.report.error(
                line,
                "importer_number",
                format!("{} has no Form 5106 record; file the 5106 first", c.importer.masked()),
            );
            return None;
        };
        let party = match &c.notify_party {
            None => None,
            Some(p) => match self.importers.get(&p.canonical()).and_then(|f| f.as_ref()).map(|f| f.id) {
                Some(id) => Some(id),
                None => {
                    self.report.error(
                        line,
                        "notify_party",
                        format!("{} has no Form 5106 record; a notify party needs one", p.masked()),
                    );
                    return None;
                }
            },
        };
        // Interest now when the rates cover the period; otherwise certification holds the refund
        // until the quarter's rate is loaded (never a guess).
        let interest = match c.source.interest_basis(corporation) {
            None => Some(0),
            Some(basis) => {
                accrued_interest(&self.table, c.principal, c.deposit, c.liquidation, basis).ok().map(|i| i.cents.get())
            }
        };
        Some(NewRefund {
            refund_number: c.refund_number.clone(),
            importer_id,
            entry_number: c.entry.to_string(),
            filer_code: c.entry.filer_code().to_string(),
            source: c.source.code().into(),
            principal_cents: c.principal.get(),
            deposit_date: c.deposit.to_string(),
            liquidation_date: c.liquidation.to_string(),
            notify_party_id: party,
            interest_cents: interest,
            created_source: format!("line {line}"),
        })
    }

    async fn flush(&mut self) -> AppResult<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let rows: Vec<NewRefund> = self.pending.drain(..).map(|(_, r)| r).collect();
        self.report.created += rows.len() as u64;
        if self.report.numbers.len() < 1000 {
            self.report
                .numbers
                .extend(rows.iter().take(1000 - self.report.numbers.len()).map(|r| r.refund_number.clone()));
        }
        self.writer.insert(rows, &self.actor.label, store::now()).await.map_err(writer_error)
    }

    async fn finish(mut self, source: &str) -> AppResult<RecordReport> {
        self.report.errors.sort_by_key(|e| e.line);
        if self.report.error_count == 0 && !self.report.dry_run {
            self.writer.commit().await.map_err(writer_error)?;
            self.report.written = true;
            crate::audit::record(
                &self.app.db.conn,
                &crate::audit::Event {
                    actor_user_id: self.actor.user_id,
                    actor_label: self.actor.label.clone(),
                    action: "refunds.recorded".into(),
                    entity_type: "refund_batch",
                    entity_id: None,
                    entity_key: source.to_string(),
                    changes: vec![crate::registry::history::Change {
                        field: "refunds created".into(),
                        old: None,
                        new: Some(self.report.created.to_string()),
                    }],
                },
            )
            .await?;
        } else {
            self.writer.rollback().await?;
            self.report.created = 0;
            self.report.numbers.clear();
        }
        Ok(self.report)
    }
}

/// The writer's errors: a refund number recorded by another import while this one ran is the
/// user's to resolve (run it again); anything else is internal.
fn writer_error(e: store::DbErr) -> AppError {
    match store::refunds_bulk::taken_number(&e) {
        Some(n) => AppError::field(
            "refund_number",
            format!(
                "refund {n} was recorded by another import while this one ran; nothing of this import was \
                 recorded: run it again (rows already recorded are then \"unchanged\")"
            ),
        ),
        None => e.into(),
    }
}

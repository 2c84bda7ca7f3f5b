//! CBP bills: debts of an importer that its refunds pay first, oldest bill first, at
//! certification. Recorded from a CSV file (`bills import`, header
//! `bill_number,importer_number,amount,bill_date`) or the API; all or nothing, idempotent by
//! bill number.

use std::collections::{HashMap, HashSet};

use domain::refund::Cents;
use domain::refund::dates::parse_iso_date;
use domain::{Actor, ImporterNumber};
use serde::{Deserialize, Serialize};
use store::bills::NewBill;

use super::import::LineError;
use crate::App;
use crate::error::{AppError, AppResult};

pub const CSV_HEADER: [&str; 4] = ["bill_number", "importer_number", "amount", "bill_date"];

/// A bill as submitted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BillFields {
    pub bill_number: String,
    pub importer_number: String,
    /// Dollars with two decimals.
    pub amount: String,
    pub bill_date: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct BillReport {
    pub rows: u64,
    pub created: u64,
    pub unchanged: u64,
    pub errors: Vec<LineError>,
    pub dry_run: bool,
    pub written: bool,
}

/// Reads a bill file into fields, one per line, or the file-level problem.
pub fn read_csv(text: &str) -> AppResult<Vec<(u64, BillFields)>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| AppError::field("file", crate::registry::import_csv::csv_error(&e)))?;
    let names: Vec<String> = header.iter().map(|h| h.trim_start_matches('\u{feff}').trim().to_string()).collect();
    if names != CSV_HEADER {
        return Err(AppError::field(
            "file",
            format!("the first line must be exactly `{}` (it is `{}`)", CSV_HEADER.join(","), names.join(",")),
        ));
    }
    let mut out = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| AppError::field("file", crate::registry::import_csv::csv_error(&e)))?;
        let line = rec.position().map_or(0, |p| p.line());
        let get = |i: usize| rec.get(i).unwrap_or_default().to_string();
        out.push((
            line,
            BillFields { bill_number: get(0), importer_number: get(1), amount: get(2), bill_date: get(3) },
        ));
    }
    Ok(out)
}

/// Records bills; every bad line is reported and nothing is written unless all are good.
pub async fn record(app: &App, actor: &Actor, items: Vec<(u64, BillFields)>, dry_run: bool) -> AppResult<BillReport> {
    if actor.role != domain::Role::CbpStaff {
        return Err(AppError::Forbidden("only CBP staff may record bills".into()));
    }
    let mut report = BillReport { dry_run, rows: items.len() as u64, ..Default::default() };
    let mut err = |line: u64, field: &str, message: String| {
        report.errors.push(LineError { line, field: field.into(), message });
    };
    let today = crate::today();
    let mut checked = Vec::new();
    let mut seen = HashSet::new();
    for (line, f) in &items {
        let fields = [
            ("bill_number", &f.bill_number),
            ("importer_number", &f.importer_number),
            ("amount", &f.amount),
            ("bill_date", &f.bill_date),
        ];
        let hostile: Vec<&str> =
            fields.iter().filter(|(_, v)| super::input::hostile_char(v)).map(|(name, _)| *name).collect();
        if !hostile.is_empty() {
            for name in hostile {
                err(*line, name, "contains a control or text-direction character; remove it and try again".into());
            }
            continue;
        }
        let number = f.bill_number.trim().to_ascii_uppercase();
        if number.is_empty() || number.len() > 40 || !number.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            err(*line, "bill_number", "is required: up to 40 letters, digits and '-'".into());
            continue;
        }
        if !seen.insert(number.clone()) {
            err(*line, "bill_number", format!("{number} appears twice in this file"));
            continue;
        }
        let importer = match ImporterNumber::parse(f.importer_number.trim()) {
            Ok(n) => n,
            Err(e) => {
                err(*line, "importer_number", e.to_string());
                continue;
            }
        };
        let amount = match Cents::parse_dollars(f.amount.trim()) {
            Ok(c) if c.get() > 0 => c,
            Ok(_) => {
                err(*line, "amount", "must be more than $0.00".into());
                continue;
            }
            Err(e) => {
                err(*line, "amount", e.to_string());
                continue;
            }
        };
        let Some(date) = parse_iso_date(f.bill_date.trim()).filter(|d| *d <= today) else {
            err(*line, "bill_date", "is not a date on or before today; write it as YYYY-MM-DD".into());
            continue;
        };
        checked.push((*line, number, importer, amount, date));
    }
    let numbers: Vec<String> = checked.iter().map(|c| c.2.canonical()).collect();
    let importers: HashMap<String, i64> = store::refunds::importers_by_numbers(&app.db.conn, &numbers)
        .await?
        .into_iter()
        .map(|i| (i.number, i.id))
        .collect();
    let bill_numbers: Vec<String> = checked.iter().map(|c| c.1.clone()).collect();
    let existing: HashMap<String, store::bills::BillRow> = store::bills::by_numbers(&app.db.conn, &bill_numbers)
        .await?
        .into_iter()
        .map(|b| (b.bill_number.clone(), b))
        .collect();
    let mut new = Vec::new();
    for (line, number, importer, amount, date) in checked {
        let Some(id) = importers.get(&importer.canonical()) else {
            err(line, "importer_number", format!("{} has no Form 5106 record", importer.masked()));
            continue;
        };
        let bill = NewBill {
            bill_number: number.clone(),
            importer_id: *id,
            amount_cents: amount.get(),
            bill_date: date.to_string(),
        };
        match existing.get(&number) {
            Some(b)
                if b.importer_id == bill.importer_id
                    && b.amount_cents == bill.amount_cents
                    && b.bill_date == bill.bill_date =>
            {
                report.unchanged += 1
            }
            Some(_) => err(line, "bill_number", format!("{number} is already recorded with different facts")),
            None => new.push(bill),
        }
    }
    report.errors.sort_by_key(|e| e.line);
    if !report.errors.is_empty() || dry_run {
        return Ok(report);
    }
    let txn = store::begin_write(&app.db.conn).await?;
    store::bills::insert(&txn, &new, &actor.label, store::now()).await?;
    txn.commit().await?;
    report.created = new.len() as u64;
    report.written = true;
    Ok(report)
}

/// A recorded bill, as CBP staff see it.
#[derive(Debug, Clone, Serialize)]
pub struct BillView {
    pub bill_number: String,
    /// Masked when SSN-based.
    pub importer_number: String,
    pub amount_cents: i64,
    /// What is still owed after the refunds applied to it.
    pub open_cents: i64,
    pub bill_date: String,
    pub recorded_at: String,
    pub recorded_by: String,
}

/// The bills of one importer, oldest first (CBP staff).
pub async fn of_importer(app: &App, actor: &Actor, importer_number: &str) -> AppResult<Vec<BillView>> {
    if actor.role != domain::Role::CbpStaff {
        return Err(AppError::Forbidden("only CBP staff may read bills".into()));
    }
    if super::input::hostile_char(importer_number) {
        return Err(AppError::field(
            "importer_number",
            "contains a control or text-direction character; remove it and try again",
        ));
    }
    let number =
        ImporterNumber::parse(importer_number.trim()).map_err(|e| AppError::field("importer_number", e.to_string()))?;
    let Some(importer) =
        store::refunds::importers_by_numbers(&app.db.conn, &[number.canonical()]).await?.into_iter().next()
    else {
        return Err(AppError::NotFound(format!("{} has no Form 5106 record", number.masked())));
    };
    Ok(store::bills::of_importer(&app.db.conn, importer.id)
        .await?
        .into_iter()
        .map(|b| BillView {
            bill_number: b.bill_number,
            importer_number: number.masked(),
            amount_cents: b.amount_cents,
            open_cents: b.open_cents,
            bill_date: b.bill_date,
            recorded_at: crate::audit::when(&b.created_at),
            recorded_by: b.created_by,
        })
        .collect())
}

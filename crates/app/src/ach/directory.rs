//! The FedACH participant directory: loaded from the Federal Reserve's file, consulted when bank
//! details are entered. With no directory loaded only the routing number's check digit applies,
//! and the pages say so.

use domain::bank::RoutingNumber;
use sha2::{Digest, Sha256};
use store::routing::{BankRow, LoadRow};

use crate::App;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadSummary {
    pub participants: usize,
    /// Line number and reason of each line that could not be read (they are skipped).
    pub bad_lines: Vec<(usize, String)>,
    pub receiving_ach: usize,
}

/// Replaces the directory with the participants of `text` (the FedACH plain-text format), in
/// one transaction. A file without a single readable participant is refused: loading it would
/// make every routing number unknown.
pub async fn load(app: &App, text: &str, source: &str, by: &str) -> AppResult<LoadSummary> {
    let (participants, errors) = domain::fedach::parse_directory(text);
    let mut bad_lines: Vec<(usize, String)> = errors.into_iter().map(|(n, e)| (n, e.to_string())).collect();
    if participants.is_empty() {
        return Err(AppError::Conflict(format!(
            "{source} holds no readable FedACH participant ({} bad lines); the directory was not changed",
            bad_lines.len()
        )));
    }
    let mut seen = std::collections::HashSet::with_capacity(participants.len());
    let mut banks = Vec::with_capacity(participants.len());
    for (i, p) in participants.iter().enumerate() {
        if !seen.insert(p.routing.as_str().to_owned()) {
            bad_lines.push((i + 1, format!("routing number {} appears twice; the first is kept", p.routing)));
            continue;
        }
        banks.push(BankRow {
            routing: p.routing.as_str().to_owned(),
            name: p.name.clone(),
            city: p.city.clone(),
            state: p.state.clone(),
            office: p.office.code().to_owned(),
            record_type: i32::from(p.record_type),
            new_routing: p.new_routing.clone().unwrap_or_default(),
            receives_ach: p.receives_ach(),
        });
    }
    let summary = LoadSummary {
        participants: banks.len(),
        receiving_ach: banks.iter().filter(|b| b.receives_ach).count(),
        bad_lines,
    };
    let load = LoadRow {
        loaded_at: store::now(),
        source: source.to_owned(),
        participants: banks.len() as i64,
        bad_lines: summary.bad_lines.len() as i64,
        sha256: hex::encode(Sha256::digest(text.as_bytes())),
        loaded_by: by.to_owned(),
    };
    let txn = store::TransactionTrait::begin(&app.db.conn).await?;
    store::routing::replace(&txn, &banks, &load).await?;
    txn.commit().await?;
    tracing::info!(participants = summary.participants, bad_lines = summary.bad_lines.len(), "FedACH directory loaded");
    Ok(summary)
}

/// What the directory says about a routing number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// No directory is loaded: only the check digit was verified.
    NoDirectory,
    Found {
        name: String,
        city: String,
        state: String,
        receives_ach: bool,
        new_routing: Option<String>,
    },
    NotListed,
}

pub async fn lookup(app: &App, routing: &RoutingNumber) -> AppResult<Lookup> {
    if let Some(b) = store::routing::by_routing(&app.db.conn, routing.as_str()).await? {
        return Ok(Lookup::Found {
            name: b.name,
            city: b.city,
            state: b.state,
            receives_ach: b.receives_ach,
            new_routing: (!b.new_routing.is_empty() && b.new_routing != "000000000").then_some(b.new_routing),
        });
    }
    Ok(if store::routing::last_load(&app.db.conn).await?.is_some() { Lookup::NotListed } else { Lookup::NoDirectory })
}

/// When the directory was loaded and from what, for pages ("directory of 2026-11-20").
pub async fn status(app: &App) -> AppResult<Option<LoadRow>> {
    Ok(store::routing::last_load(&app.db.conn).await?)
}

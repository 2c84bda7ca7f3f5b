//! Prenotes: the zero-dollar CCD test entries (transaction code 23 checking / 33 savings) that
//! verify new bank details before a refund is sent to them.
//!
//! `export` writes every queued prenote into one NACHA file exactly once: the file and the
//! prenotes' "sent" marks commit together, after the file is safely on disk, and a prenote that
//! is no longer queued is never written again. `promote` makes pending details Active once
//! their prenote has waited `prenote_wait_days` banking days without a return.

use std::io::Write;
use std::path::Path;

use domain::EnrollmentStatus;
use domain::bank::AccountType;
use domain::enrollment::Transition;
use sha2::{Digest, Sha256};
use store::prenotes::AchFileRow;

use super::change::{account_aad, move_status};
use super::notices::{self, Notice};
use crate::App;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub entries: usize,
    pub file_id: Option<i64>,
    /// The effective entry date written in the batch header (`YYYY-MM-DD`).
    pub effective_on: String,
    pub sha256: String,
}

fn internal(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("{what}: {e}"))
}

/// Writes the queued prenotes to `out` (a new file; an existing one is refused) and marks them
/// sent. With nothing queued, no file is written and `entries` is 0.
pub async fn export(app: &App, out: &Path, by: &str) -> AppResult<Exported> {
    let now = store::now();
    let today = now.date();
    let effective = domain::calendar::next_banking_day(today);
    let effective_on = super::iso_date(effective);
    let queued = store::prenotes::with_versions(&app.db.conn, store::prenotes::QUEUED).await?;
    let pending: Vec<_> = queued.into_iter().filter(|(_, v)| v.status == EnrollmentStatus::Pending.code()).collect();
    if pending.is_empty() {
        return Ok(Exported { entries: 0, file_id: None, effective_on, sha256: String::new() });
    }
    if out.exists() {
        return Err(AppError::Conflict(format!(
            "{} already exists; choose a new file name (an ACH file is never overwritten)",
            out.display()
        )));
    }
    let origin = &app.settings.ach;
    let odfi = nacha::RoutingNumber::parse(&origin.odfi_routing).map_err(|e| internal("ACH odfi_routing", e))?;
    let odfi_prefix: i64 = origin
        .odfi_routing
        .get(..8)
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| internal("ACH odfi_routing", "not a 9-digit routing number"))?;

    let txn = store::TransactionTrait::begin(&app.db.conn).await?;
    // Trace numbers continue across files (7-digit sequence after the ODFI prefix), so a reply
    // names exactly one prenote ever sent.
    let last = store::prenotes::last_trace(&txn, odfi_prefix).await?;
    let first_seq = if last == 0 { 1 } else { last - odfi_prefix * 10_000_000 + 1 };
    if first_seq + pending.len() as i64 > 9_999_999 {
        return Err(AppError::Conflict(
            "The 7-digit trace sequence of this ODFI is used up; configure a new ach_odfi_routing prefix.".into(),
        ));
    }
    let mut entries = Vec::with_capacity(pending.len());
    for (_, v) in &pending {
        let account = app.keys.open(&v.account_sealed, &account_aad(v.id)).map_err(|e| internal("opening", e))?;
        entries.push(nacha::prenote::PrenoteEntry {
            id: format!("ENR{}", v.id),
            rdfi: nacha::RoutingNumber::parse(&v.routing).map_err(|e| internal("stored routing", e))?,
            account_number: account,
            account_type_savings: AccountType::from_code(&v.account_type) == Some(AccountType::Savings),
            holder_name: v.holder_name.clone(),
        });
    }
    let yymmdd = |d: time::Date| format!("{:02}{:02}{:02}", d.year() % 100, u8::from(d.month()), d.day());
    let header = nacha::FileHeaderFields {
        immediate_destination: nacha::RoutingNumber::parse(&origin.destination_routing)
            .map_err(|e| internal("ACH destination_routing", e))?,
        immediate_origin: origin.odfi_routing.clone(),
        creation_date: yymmdd(today),
        creation_time: format!("{:02}{:02}", now.hour(), now.minute()),
        file_id_modifier: 'A',
        destination_name: origin.destination_name.clone(),
        origin_name: origin.origin_name.clone(),
        reference_code: String::new(),
    };
    let batch = nacha::BatchHeaderFields {
        service_class: nacha::ServiceClass::CreditsOnly,
        company_name: origin.company_name.clone(),
        company_discretionary_data: String::new(),
        company_identification: origin.company_id.clone(),
        sec_code: nacha::SecCode::CCD,
        entry_description: "PRENOTE".into(),
        descriptive_date: String::new(),
        effective_entry_date: yymmdd(effective),
        originator_status_code: '2',
        odfi,
    };
    let (bytes, traces) = nacha::write_prenotes_from(&header, &batch, &entries, first_seq as u64)
        .map_err(|e| internal("writing the prenote file", e))?;
    drop(entries);
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let file_id = store::prenotes::insert_file(
        &txn,
        &AchFileRow {
            id: 0,
            kind: "prenote".into(),
            created_at: now,
            created_by: by.into(),
            file_name: out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            entries: pending.len() as i64,
            sha256: sha256.clone(),
        },
    )
    .await?;
    for ((p, _), trace) in pending.iter().zip(&traces) {
        if !store::prenotes::mark_sent(&txn, p.id, *trace as i64, file_id, now, &effective_on).await? {
            return Err(AppError::Conflict(
                "Another export took some of these prenotes at the same time; nothing was written. Run it again."
                    .into(),
            ));
        }
    }
    // The file first (new, flushed, synced), then the commit: if the commit fails the file is
    // removed; if the process dies between the two, the file exists but the prenotes are still
    // queued, and the operator sees an unrecorded file rather than a recorded one that is missing.
    write_new_file(out, &bytes).map_err(|e| internal(&format!("writing {}", out.display()), e))?;
    if let Err(e) = txn.commit().await {
        if let Err(rm) = std::fs::remove_file(out) {
            // An ACH file the database does not know of must not be sent: say where it is.
            tracing::error!(path = %out.display(), error = %rm, "prenote file written but not recorded; delete it");
        }
        return Err(e.into());
    }
    tracing::info!(entries = traces.len(), file_id, "prenote file exported");
    Ok(Exported { entries: traces.len(), file_id: Some(file_id), effective_on, sha256 })
}

fn write_new_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Promoted {
    pub activated: usize,
    pub still_waiting: usize,
    /// The importers whose details became Active (their held refunds are looked at again).
    pub importer_ids: Vec<i64>,
}

/// Pending details whose prenote went out at least `prenote_wait_days` banking days before
/// `today` without a return become Active (and the Active version they replace, Superseded).
/// Idempotent: it only moves what is due.
pub async fn promote(app: &App, today: time::Date) -> AppResult<Promoted> {
    let sent = store::prenotes::with_versions(&app.db.conn, store::prenotes::SENT).await?;
    let mut out = Promoted::default();
    for (p, v) in sent {
        let Some(sent_on) = p.sent_on.as_deref().and_then(super::parse_iso_date) else { continue };
        if v.status != EnrollmentStatus::Pending.code() {
            continue;
        }
        let due = domain::calendar::add_banking_days(sent_on, app.settings.ach.prenote_wait_days);
        if due > today {
            out.still_waiting += 1;
            continue;
        }
        let now = store::now();
        let txn = store::TransactionTrait::begin(&app.db.conn).await?;
        // The conditional move is the claim: of several instances promoting at once, one wins.
        if !store::prenotes::move_status(&txn, p.id, store::prenotes::SENT, store::prenotes::VERIFIED).await? {
            continue;
        }
        activate(&txn, &v, Transition::Verified, "ACE Refunds", "no return on the prenote", now).await?;
        txn.commit().await?;
        out.activated += 1;
        out.importer_ids.push(v.importer_id);
        notices::send(
            app,
            v.importer_id,
            &Notice {
                what: "Bank details verified",
                by: "ACE Refunds",
                at: now,
                lines: vec![
                    format!(
                        "Account: {} at {} ({})",
                        super::tab::masked_last4(&v.account_last4),
                        v.bank_name,
                        v.routing
                    ),
                    "Status: Active. Refunds for this importer number now go to this account.".into(),
                ],
            },
        )
        .await;
    }
    Ok(out)
}

/// Moves a pending version to Active and supersedes the Active one it replaces.
pub(crate) async fn activate(
    conn: &impl store::sea_orm::ConnectionTrait,
    v: &store::enrollments::VersionRow,
    how: Transition,
    actor: &str,
    reason: &str,
    at: time::OffsetDateTime,
) -> Result<(), store::DbErr> {
    for old in store::enrollments::live_of(conn, &[v.importer_id]).await? {
        if old.id != v.id && old.status == EnrollmentStatus::Active.code() {
            move_status(conn, &old, EnrollmentStatus::Superseded, actor, "newer bank details became Active", at)
                .await?;
        }
    }
    let from = EnrollmentStatus::from_code(&v.status).unwrap_or(EnrollmentStatus::Pending);
    let to = from.after(how).unwrap_or(EnrollmentStatus::Active);
    move_status(conn, v, to, actor, reason, at).await
}

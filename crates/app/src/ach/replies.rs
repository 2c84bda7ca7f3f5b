//! A bank's reply file: returns and notifications of change (NOC) for the prenotes we sent.
//!
//! - A return makes the version **Rejected - update required** (the company must enter new
//!   details; the Active version before it, if any, keeps being paid).
//! - A NOC means the account exists with corrected details: the correction is applied to the
//!   version (C01/C02/C03/C05/C06/C07), which becomes Active with a note; C04 (name) is noted.
//!
//! Ingesting is idempotent: every item is recorded under the file's SHA-256, so the same file
//! twice changes nothing the second time. A trace number we never sent is reported, not guessed.

use domain::EnrollmentStatus;
use domain::bank::{AccountNumber, AccountType, RoutingNumber, blind_index_input};
use domain::enrollment::Transition;
use nacha::{Correction, ReplyKind};
use sha2::{Digest, Sha256};
use store::prenotes::NewReply;

use super::change::{account_aad, move_status};
use super::notices::{self, Notice};
use super::prenotes::activate;
use crate::App;
use crate::error::{AppError, AppResult};
use store::schema::BankEnrollments;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ingested {
    pub returns: usize,
    pub corrections: usize,
    /// Items of this file already ingested before.
    pub already_ingested: usize,
    /// Trace numbers that name no prenote we sent.
    pub unknown_traces: Vec<u64>,
    /// Items that could not be applied, with the reason (line numbers from the file).
    pub problems: Vec<String>,
}

fn internal(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("{what}: {e}"))
}

pub async fn ingest(app: &App, bytes: &[u8]) -> AppResult<Ingested> {
    let replies = nacha::read_replies(bytes).map_err(|e| AppError::Conflict(e.to_string()))?;
    let sha = hex::encode(Sha256::digest(bytes));
    let mut out = Ingested { problems: replies.problems.iter().map(|p| p.to_string()).collect(), ..Default::default() };
    for r in &replies.replies {
        let code = r.kind.code().to_owned();
        let now = store::now();
        let txn = store::TransactionTrait::begin(&app.db.conn).await?;
        let trace = i64::try_from(r.original_trace).unwrap_or(-1);
        let found = store::prenotes::by_trace(&txn, trace).await?;
        let mut record = NewReply {
            file_sha256: &sha,
            trace_number: trace,
            code: &code,
            at: now,
            prenote_id: found.as_ref().map(|(p, _)| p.id),
            outcome: "applied",
            detail: "",
        };
        let Some((prenote, version)) = found else {
            record.outcome = "unknown-trace";
            if store::prenotes::insert_reply(&txn, &record).await? {
                out.unknown_traces.push(r.original_trace);
            } else {
                out.already_ingested += 1;
            }
            txn.commit().await?;
            continue;
        };
        if prenote.status != store::prenotes::SENT && prenote.status != store::prenotes::VERIFIED {
            record.outcome = "already-resolved";
        }
        if !store::prenotes::insert_reply(&txn, &record).await? {
            out.already_ingested += 1;
            continue;
        }
        if record.outcome != "applied" {
            out.problems.push(format!(
                "line {}: {code} for trace {} arrived after that prenote was already {}; nothing changed",
                r.line, r.original_trace, prenote.status
            ));
            txn.commit().await?;
            continue;
        }
        let notice = match &r.kind {
            ReplyKind::Return { code, description, .. } => {
                let from = EnrollmentStatus::from_code(&version.status).unwrap_or(EnrollmentStatus::Pending);
                let Some(to) = from.after(Transition::Returned) else {
                    txn.commit().await?;
                    continue;
                };
                let note = format!("{code} {description}");
                if !store::prenotes::move_status(&txn, prenote.id, &prenote.status, store::prenotes::RETURNED).await? {
                    continue;
                }
                move_status(&txn, &version, to, "the bank", &format!("prenote returned: {note}"), now).await?;
                store::enrollments::set(
                    &txn,
                    version.id,
                    vec![(BankEnrollments::BankNote, format!("Returned: {note}").into())],
                )
                .await?;
                out.returns += 1;
                Notice {
                    what: "Bank details rejected by the bank",
                    by: "the bank",
                    at: now,
                    lines: vec![
                        format!(
                            "Account: {} at {} ({})",
                            super::tab::masked_last4(&version.account_last4),
                            version.bank_name,
                            version.routing
                        ),
                        format!("The bank returned the test entry: {note}."),
                        "Status: Rejected - update required. Enter correct bank details; refunds cannot be paid to \
                         this account."
                            .into(),
                    ],
                }
            }
            ReplyKind::Change { code, correction } => {
                if !store::prenotes::move_status(&txn, prenote.id, &prenote.status, store::prenotes::CORRECTED).await? {
                    continue;
                }
                let (values, summary) = apply_correction(app, &version, correction).await?;
                store::enrollments::set(&txn, version.id, values).await?;
                let note = format!("Corrected by the bank ({code}): {summary}");
                store::enrollments::set(&txn, version.id, vec![(BankEnrollments::BankNote, note.clone().into())])
                    .await?;
                let fresh = store::enrollments::by_id(&txn, version.id)
                    .await?
                    .ok_or_else(|| internal("version vanished", version.id))?;
                activate(&txn, &fresh, Transition::Corrected, "the bank", &note, now).await?;
                out.corrections += 1;
                Notice {
                    what: "Bank details corrected by the bank",
                    by: "the bank",
                    at: now,
                    lines: vec![
                        note,
                        "Status: Active. Refunds for this importer number go to the corrected account.".into(),
                        "If the correction looks wrong, update the bank details in ACE Refunds.".into(),
                    ],
                }
            }
        };
        txn.commit().await?;
        notices::send(app, version.importer_id, &notice).await;
    }
    tracing::info!(
        returns = out.returns,
        corrections = out.corrections,
        unknown = out.unknown_traces.len(),
        problems = out.problems.len(),
        "bank replies ingested"
    );
    Ok(out)
}

/// The column changes a NOC asks for, and a masked summary for people.
async fn apply_correction(
    app: &App,
    v: &store::enrollments::VersionRow,
    c: &Correction,
) -> AppResult<(Vec<(BankEnrollments, store::sea_orm::sea_query::Value)>, String)> {
    let (routing, account, tx) = match c {
        Correction::AccountNumber { account_number } => (None, Some(account_number), None),
        Correction::RoutingNumber { routing_number } => (Some(routing_number), None, None),
        Correction::RoutingAndAccount { routing_number, account_number } => {
            (Some(routing_number), Some(account_number), None)
        }
        Correction::TransactionCode { transaction_code } => (None, None, Some(transaction_code)),
        Correction::AccountAndTransactionCode { account_number, transaction_code } => {
            (None, Some(account_number), Some(transaction_code))
        }
        Correction::RoutingAccountAndTransactionCode { routing_number, account_number, transaction_code } => {
            (Some(routing_number), Some(account_number), Some(transaction_code))
        }
        Correction::Name { .. } => {
            return Ok((Vec::new(), "the bank reports a different account holder name; check it".into()));
        }
        _ => return Ok((Vec::new(), "a change the portal does not apply automatically; check the details".into())),
    };
    let mut values: Vec<(BankEnrollments, store::sea_orm::sea_query::Value)> = Vec::new();
    let mut said = Vec::new();
    let new_routing = routing.map(|r| r.as_str().to_owned()).unwrap_or_else(|| v.routing.clone());
    if let Some(r) = routing {
        let bank = store::routing::by_routing(&app.db.conn, r.as_str()).await?.map(|b| b.name).unwrap_or_default();
        said.push(format!("routing number {} → {}", v.routing, r.as_str()));
        values.push((BankEnrollments::Routing, r.as_str().to_owned().into()));
        values.push((BankEnrollments::BankName, bank.into()));
    }
    let plain = match account {
        Some(a) => a.trim().to_owned(),
        None => app.keys.open(&v.account_sealed, &account_aad(v.id)).map_err(|e| internal("opening", e))?,
    };
    if account.is_some() {
        let last4: String = plain.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
        said.push(format!("account number ••••{} → ••••{last4}", v.account_last4));
        let sealed = app.keys.seal(&plain, &account_aad(v.id)).map_err(|e| internal("sealing", e))?;
        values.push((BankEnrollments::AccountSealed, sealed.into()));
        values.push((BankEnrollments::AccountLast4, last4.into()));
    }
    if routing.is_some() || account.is_some() {
        let input = match (RoutingNumber::parse(&new_routing), AccountNumber::parse(&plain)) {
            (Ok(r), Ok(a)) => blind_index_input(&r, &a),
            _ => format!("{new_routing}:{plain}"),
        };
        values.push((
            BankEnrollments::AccountBlind,
            app.keys.blind_index(&input).map_err(|e| internal("blind index", e))?.into(),
        ));
    }
    if let Some(tx) = tx {
        let t = if matches!(tx.account_kind(), nacha::AccountKind::Savings) {
            AccountType::Savings
        } else {
            AccountType::Checking
        };
        said.push(format!("account type → {}", t.label()));
        values.push((BankEnrollments::AccountType, t.code().into()));
    }
    Ok((values, said.join("; ")))
}

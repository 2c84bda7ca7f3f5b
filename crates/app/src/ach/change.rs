//! Adding, changing and removing bank details for importer numbers of a sub-account.
//!
//! A save checks everything first (each field with its own message), then in one transaction,
//! per importer number: moves the optimistic-lock head (a stale form fails the whole save),
//! writes a new Pending version with the account number sealed, withdraws an older pending
//! version, queues a prenote and records the status events. Notices go out after the commit.
//! The Active version, if any, keeps receiving refunds until the new one is Active.

use domain::bank::{AccountNumber, AccountType, RoutingNumber, blind_index_input, holder_resembles};
use domain::{EnrollmentStatus, FieldErrors};
use store::enrollments::{EventRow, NewVersion};

use super::directory::{self, Lookup};
use super::notices::{self, Notice};
use super::{held, require_change, scope};
use crate::App;
use crate::error::{AppError, AppResult};
use crate::portal::auth::SessionUser;
use store::schema::BankEnrollments;

/// What the add/update form sends. The account number arrives twice, typed by the user.
#[derive(Debug, Clone, Default)]
pub struct BankForm {
    /// Importer numbers (by record id) the details apply to, each with the revision its form
    /// showed (0 when it had no details).
    pub targets: Vec<(i64, i32)>,
    pub routing: String,
    pub account: String,
    pub account_confirm: String,
    pub account_type: String,
    pub holder_name: String,
    /// The user confirmed a holder name that does not resemble the importer's name.
    pub holder_confirmed: bool,
}

/// The form's values once every check passed.
#[derive(Debug, Clone)]
pub struct Checked {
    pub routing: RoutingNumber,
    /// From the FedACH directory; empty when none is loaded.
    pub bank_name: String,
    pub account: AccountNumber,
    pub account_type: AccountType,
    pub holder_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// (importer id, new version id) per target.
    pub versions: Vec<(i64, i64)>,
    /// The same bank account is enrolled for an unrelated importer: saved, flagged for CBP.
    pub flagged_for_review: bool,
    pub bank_name: String,
}

/// Routing number checks: shape and check digit, then the directory when one is loaded.
/// Returns the bank's name ("" without a directory).
pub async fn check_routing(app: &App, typed: &str) -> Result<(RoutingNumber, String), String> {
    let routing = RoutingNumber::parse(typed).map_err(|e| e.to_string())?;
    match directory::lookup(app, &routing).await.map_err(|e| e.to_string())? {
        Lookup::NoDirectory => Ok((routing, String::new())),
        Lookup::NotListed => Err(format!(
            "Routing number {routing} is not in the FedACH directory: no bank receives ACH payments with it. Check it \
             on a check or your bank's website."
        )),
        Lookup::Found { name, receives_ach: false, new_routing, .. } => Err(match new_routing {
            Some(new) => format!("{name} now receives ACH payments under routing number {new}; use that one."),
            None => {
                format!("{name} ({routing}) does not receive ACH payments; ask your bank for its ACH routing number.")
            }
        }),
        Lookup::Found { name, .. } => Ok((routing, name)),
    }
}

/// Every field check, with one message per field. `importer_names` are the 5106 names of the
/// targets, for the holder-name comparison.
pub async fn check(app: &App, form: &BankForm, importer_names: &[&str]) -> AppResult<Checked> {
    let mut errors = FieldErrors::default();
    let routing = match check_routing(app, &form.routing).await {
        Ok(r) => Some(r),
        Err(m) => {
            errors.add("routing", m);
            None
        }
    };
    let account = match AccountNumber::parse(&form.account) {
        Ok(a) => Some(a),
        Err(e) => {
            errors.add("account", e.to_string());
            None
        }
    };
    match (&account, AccountNumber::parse(&form.account_confirm)) {
        (Some(a), Ok(c)) if a.expose_for_ach_file() == c.expose_for_ach_file() => {}
        (Some(_), _) => errors.add("account_confirm", "The two account numbers are not the same; type it again."),
        (None, _) => {}
    }
    let account_type = AccountType::from_code(&form.account_type);
    if account_type.is_none() {
        errors.add("account_type", "Choose checking or savings.");
    }
    let holder = form.holder_name.split_whitespace().collect::<Vec<_>>().join(" ");
    if holder.is_empty() {
        errors.add("holder_name", "Enter the account holder's name as the bank knows it.");
    } else if holder.chars().count() > 100 {
        errors.add("holder_name", "The account holder's name is at most 100 characters.");
    } else if !form.holder_confirmed && importer_names.iter().any(|n| !holder_resembles(&holder, n)) {
        let names = importer_names.iter().filter(|n| !holder_resembles(&holder, n)).copied().collect::<Vec<_>>();
        errors.add(
            "holder_name",
            format!(
                "\"{holder}\" does not look like the importer's name on its Form 5106 ({}). Refunds to an account held \
                 by someone else are a common fraud. If the account really is the importer's, tick the box to \
                 confirm.",
                names.join("; ")
            ),
        );
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let (Some((routing, bank_name)), Some(account), Some(account_type)) = (routing, account, account_type) else {
        return Err(AppError::Internal(anyhow::anyhow!("bank form checks passed without values")));
    };
    Ok(Checked { routing, bank_name, account, account_type, holder_name: holder })
}

/// The message of a stale form: who changed the details and when.
fn stale(by: &str, at: time::OffsetDateTime) -> AppError {
    AppError::Conflict(format!(
        "The bank details were changed by {by} at {} while you were editing. Review them and save again.",
        crate::ach::notices::when(at)
    ))
}

pub async fn save(app: &App, user: &SessionUser, sub_account_id: i64, form: &BankForm) -> AppResult<Saved> {
    let sub = scope(app, user, sub_account_id).await?;
    require_change(&sub)?;
    if form.targets.is_empty() {
        return Err(AppError::field("targets", "Choose at least one importer number."));
    }
    let mut targets = Vec::new();
    for (importer_id, revision) in &form.targets {
        if targets.iter().any(|(n, _): &(&crate::portal::accounts::HeldNumber, i32)| n.importer_id == *importer_id) {
            continue;
        }
        targets.push((held(&sub, *importer_id)?, *revision));
    }
    let names: Vec<&str> = targets.iter().map(|(n, _)| n.name.as_str()).collect();
    let checked = check(app, form, &names).await?;
    let blind = app
        .keys
        .blind_index(&blind_index_input(&checked.routing, &checked.account))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("blind index: {e}")))?;
    // Unrelated importers: anyone outside this sub-account (a company's numbers all live here).
    let ours: Vec<i64> = sub.numbers.iter().map(|n| n.importer_id).collect();
    let elsewhere = store::enrollments::live_with_blind(&app.db.conn, &blind, &ours).await?;
    let flagged = !elsewhere.is_empty();

    let now = store::now();
    let by = user.name.as_str();
    let txn = store::TransactionTrait::begin(&app.db.conn).await?;
    let mut versions = Vec::new();
    for (n, revision) in &targets {
        if !store::enrollments::bump_head(&txn, n.importer_id, *revision, by, now).await? {
            drop(txn);
            let head = store::enrollments::heads_of(&app.db.conn, &[n.importer_id]).await?.pop();
            return Err(match head {
                Some(h) => stale(&h.changed_by_name, h.changed_at),
                None => stale("someone", now),
            });
        }
        let previous = store::enrollments::live_of(&txn, &[n.importer_id]).await?;
        for p in previous.iter().filter(|p| p.status != EnrollmentStatus::Active.code()) {
            let from = EnrollmentStatus::from_code(&p.status).unwrap_or(EnrollmentStatus::Pending);
            if let Some(to) = from.after(domain::enrollment::Transition::Withdrawn) {
                move_status(&txn, p, to, by, "newer bank details were saved", now).await?;
                store::prenotes::cancel_queued(&txn, p.id).await?;
            }
        }
        let version_no = store::enrollments::max_version_no(&txn, n.importer_id).await? + 1;
        let id = store::enrollments::insert_version(
            &txn,
            &NewVersion {
                importer_id: n.importer_id,
                version_no,
                routing: checked.routing.as_str(),
                bank_name: &checked.bank_name,
                account_type: checked.account_type.code(),
                account_last4: checked.account.last4(),
                account_blind: &blind,
                holder_name: &checked.holder_name,
                holder_confirmed: form.holder_confirmed && !holder_resembles(&checked.holder_name, &n.name),
                review_shared: flagged,
                created_by: Some(user.user_id()),
                created_by_name: by,
                at: now,
            },
        )
        .await?;
        let sealed = app
            .keys
            .seal(checked.account.expose_for_ach_file(), &account_aad(id))
            .map_err(|e| AppError::Internal(anyhow::anyhow!("sealing an account number: {e}")))?;
        store::enrollments::set(&txn, id, vec![(BankEnrollments::AccountSealed, sealed.into())]).await?;
        let mut reason =
            if previous.is_empty() { "bank details added".to_owned() } else { "bank details changed".into() };
        if flagged {
            reason.push_str("; the same bank account is enrolled for another importer: flagged for CBP review");
        }
        store::enrollments::insert_event(
            &txn,
            &EventRow {
                enrollment_id: id,
                importer_id: n.importer_id,
                at: now,
                from_status: String::new(),
                to_status: EnrollmentStatus::Pending.code().into(),
                actor: by.into(),
                reason,
            },
        )
        .await?;
        store::prenotes::queue(&txn, id, now).await?;
        versions.push((n.importer_id, id));
    }
    txn.commit().await?;
    tracing::info!(user_id = user.user_id(), versions = versions.len(), flagged, "bank details saved");

    for (n, _) in &targets {
        let what = if versions.iter().any(|(i, _)| *i == n.importer_id) { "Bank details changed" } else { continue };
        notices::send(
            app,
            n.importer_id,
            &Notice {
                what,
                by,
                at: now,
                lines: vec![
                    format!("Bank: {} ({})", bank_label(&checked.bank_name), checked.routing),
                    format!("Account: {} {}", checked.account_type.label(), checked.account.masked()),
                    format!("Account holder: {}", checked.holder_name),
                    "Status: Pending verification (a zero-dollar test entry goes to the bank first)".into(),
                    "Refunds keep going to the account already verified, if any, until these details are verified."
                        .into(),
                ],
            },
        )
        .await;
    }
    Ok(Saved { versions, flagged_for_review: flagged, bank_name: checked.bank_name })
}

pub(crate) fn bank_label(name: &str) -> &str {
    if name.is_empty() { "bank not checked against a directory" } else { name }
}

/// The associated data that ties a sealed account number to its row.
pub(crate) fn account_aad(version_id: i64) -> String {
    format!("bank_enrollments.account:{version_id}")
}

/// Moves a version to `to`, with its event.
pub(crate) async fn move_status(
    conn: &impl store::sea_orm::ConnectionTrait,
    v: &store::enrollments::VersionRow,
    to: EnrollmentStatus,
    actor: &str,
    reason: &str,
    at: time::OffsetDateTime,
) -> Result<(), store::DbErr> {
    let mut values: Vec<(BankEnrollments, store::sea_orm::sea_query::Value)> =
        vec![(BankEnrollments::Status, to.code().into()), (BankEnrollments::StatusAt, at.into())];
    if to == EnrollmentStatus::Active && v.active_since.is_none() {
        values.push((BankEnrollments::ActiveSince, at.into()));
    }
    store::enrollments::set(conn, v.id, values).await?;
    store::enrollments::insert_event(
        conn,
        &EventRow {
            enrollment_id: v.id,
            importer_id: v.importer_id,
            at,
            from_status: v.status.clone(),
            to_status: to.code().into(),
            actor: actor.into(),
            reason: reason.into(),
        },
    )
    .await
}

/// Removes the bank details of one importer number: every live version ends, and refunds for it
/// will be rejected until new details are Active. `revision` is the form's, as for a save.
pub async fn remove(
    app: &App,
    user: &SessionUser,
    sub_account_id: i64,
    importer_id: i64,
    revision: i32,
) -> AppResult<()> {
    let sub = scope(app, user, sub_account_id).await?;
    require_change(&sub)?;
    let n = held(&sub, importer_id)?;
    let now = store::now();
    let by = user.name.as_str();
    let txn = store::TransactionTrait::begin(&app.db.conn).await?;
    let live = store::enrollments::live_of(&txn, &[importer_id]).await?;
    if live.is_empty() {
        return Err(AppError::Conflict(format!("Importer number {} has no bank details to remove.", n.number)));
    }
    if !store::enrollments::bump_head(&txn, importer_id, revision, by, now).await? {
        drop(txn);
        let head = store::enrollments::heads_of(&app.db.conn, &[importer_id]).await?.pop();
        return Err(match head {
            Some(h) => stale(&h.changed_by_name, h.changed_at),
            None => stale("someone", now),
        });
    }
    let mut last4 = Vec::new();
    for v in &live {
        let from = EnrollmentStatus::from_code(&v.status).unwrap_or(EnrollmentStatus::Pending);
        if let Some(to) = from.after(domain::enrollment::Transition::Removed) {
            move_status(&txn, v, to, by, "bank details removed by the company", now).await?;
            store::prenotes::cancel_queued(&txn, v.id).await?;
            last4.push(super::tab::masked_last4(&v.account_last4));
        }
    }
    txn.commit().await?;
    tracing::info!(user_id = user.user_id(), importer_id, "bank details removed");
    notices::send(
        app,
        importer_id,
        &Notice {
            what: "Bank details removed",
            by,
            at: now,
            lines: vec![
                format!("Removed: {}", last4.join(", ")),
                "Refunds for this importer number will be rejected until new bank details are verified.".into(),
            ],
        },
    )
    .await;
    Ok(())
}

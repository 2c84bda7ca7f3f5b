//! Form 4811 notify parties: an importer number names another importer number (with its own
//! 5106 record) to receive its refunds. At most one notify party is in force per importer number
//! at a time; a new one ends the previous one the day before it starts. Nothing is deleted.

use domain::ImporterNumber;
use store::notify_parties::NewNotifyParty;

use super::tab::{NotifyPartyView, notify_party_view};
use super::{held, scope};
use crate::App;
use crate::ach::notices::{self, Notice};
use crate::error::{AppError, AppResult};
use crate::portal::auth::SessionUser;

fn require_manage(sub: &crate::portal::accounts::SubAccountView) -> AppResult<()> {
    if !sub.grants.notify_parties {
        return Err(AppError::Forbidden(
            "Managing notify parties needs the \"Notify parties: manage\" permission; ask your account owner.".into(),
        ));
    }
    Ok(())
}

fn today() -> String {
    super::iso_date(time::OffsetDateTime::now_utc().date())
}

/// Every notify party made by the sub-account's importer numbers (history included) and every
/// notify party naming them, for people with ACH view access or notify-party rights.
pub async fn list(app: &App, user: &SessionUser, sub_account_id: i64) -> AppResult<Vec<NotifyPartyView>> {
    let sub = scope(app, user, sub_account_id).await?;
    if !sub.grants.notify_parties && !sub.grants.ach.can_view() {
        return Err(AppError::Forbidden("You do not have access to notify parties here.".into()));
    }
    let ids: Vec<i64> = sub.numbers.iter().map(|n| n.importer_id).collect();
    let today = today();
    Ok(store::notify_parties::made_by(&app.db.conn, &ids).await?.iter().map(|d| notify_party_view(d, &today)).collect())
}

/// Designates `party_number` as notify party of `importer_id` from `effective_on` (today when
/// empty; `YYYY-MM-DD`, not in the past).
pub async fn designate(
    app: &App,
    user: &SessionUser,
    sub_account_id: i64,
    importer_id: i64,
    party_number: &str,
    effective_on: &str,
) -> AppResult<NotifyPartyView> {
    let sub = scope(app, user, sub_account_id).await?;
    require_manage(&sub)?;
    let n = held(&sub, importer_id)?;
    let parsed = ImporterNumber::parse(party_number).map_err(|e| {
        AppError::field("party_number", format!("{e}. Enter the notify party's importer number as on its Form 5106."))
    })?;
    let party = store::importers::by_number(&app.db.conn, &parsed.canonical()).await?.ok_or_else(|| {
        AppError::field(
            "party_number",
            format!(
                "No Form 5106 record has importer number {parsed}. The notify party needs its own 5106 record \
                     first."
            ),
        )
    })?;
    if party.id == importer_id {
        return Err(AppError::field(
            "party_number",
            "An importer number cannot be its own notify party; refunds already go to it.",
        ));
    }
    if party.status != domain::ImporterStatus::Active.code() {
        return Err(AppError::field(
            "party_number",
            format!("The 5106 record of {parsed} is inactive; an inactive importer cannot be a notify party."),
        ));
    }
    let today = today();
    let effective = if effective_on.trim().is_empty() { today.clone() } else { effective_on.trim().to_owned() };
    let Some(date) = super::parse_iso_date(&effective) else {
        return Err(AppError::field("effective_on", "Enter the date as YYYY-MM-DD, e.g. 2026-12-01."));
    };
    let effective = super::iso_date(date);
    if effective < today {
        return Err(AppError::field("effective_on", "The date cannot be in the past."));
    }
    let now = store::now();
    let by = user.name.as_str();
    let txn = store::TransactionTrait::begin(&app.db.conn).await?;
    // End whatever is in force or scheduled on the day the new one starts (a notify party is in
    // force from `effective_on` up to, not including, `revoked_on`).
    for d in store::notify_parties::made_by(&txn, &[importer_id]).await? {
        if d.revoked_on.is_none() {
            let end = if d.effective_on > effective { d.effective_on.clone() } else { effective.clone() };
            store::notify_parties::revoke(&txn, d.id, &end, by, now).await?;
        }
    }
    let id = store::notify_parties::insert(
        &txn,
        &NewNotifyParty {
            importer_id,
            party_importer_id: party.id,
            effective_on: &effective,
            created_by_name: by,
            at: now,
        },
    )
    .await?;
    txn.commit().await?;
    let row = store::notify_parties::by_id(&app.db.conn, id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("notify party {id} vanished")))?;
    notices::send(
        app,
        importer_id,
        &Notice {
            what: "Notify party designated",
            by,
            at: now,
            lines: vec![
                format!("Notify party: {} ({parsed})", party.name),
                format!("Effective from {effective}"),
                "Refunds whose entry names this notify party go to its verified bank account.".into(),
            ],
        },
    )
    .await;
    tracing::info!(user_id = user.user_id(), importer_id = n.importer_id, "notify party designated");
    Ok(notify_party_view(&row, &today))
}

/// Revokes a notify party of one of the sub-account's importer numbers, from today.
pub async fn revoke(app: &App, user: &SessionUser, sub_account_id: i64, notify_party_id: i64) -> AppResult<()> {
    let sub = scope(app, user, sub_account_id).await?;
    require_manage(&sub)?;
    let d = store::notify_parties::by_id(&app.db.conn, notify_party_id)
        .await?
        .filter(|d| sub.numbers.iter().any(|n| n.importer_id == d.importer_id))
        .ok_or_else(|| AppError::NotFound("no such notify party in this sub-account".into()))?;
    let today = today();
    let now = store::now();
    let end = if d.effective_on > today { d.effective_on.clone() } else { today };
    if !store::notify_parties::revoke(&app.db.conn, d.id, &end, &user.name, now).await? {
        return Err(AppError::Conflict("This notify party was already revoked.".into()));
    }
    notices::send(
        app,
        d.importer_id,
        &Notice {
            what: "Notify party revoked",
            by: &user.name,
            at: now,
            lines: vec![
                format!("Notify party: {}", d.party_name),
                format!("Ends on {end}; refunds then go to the importer's own verified bank account."),
            ],
        },
    )
    .await;
    Ok(())
}

/// Notify parties naming any importer number of the user's Importer sub-account as notify party
/// (what a notify party sees of the importers that chose it).
pub async fn naming_me(app: &App, user: &SessionUser, sub_account_id: i64) -> AppResult<Vec<NotifyPartyView>> {
    let sub = scope(app, user, sub_account_id).await?;
    super::require_view(&sub)?;
    let ids: Vec<i64> = sub.numbers.iter().map(|n| n.importer_id).collect();
    let today = today();
    Ok(store::notify_parties::naming(&app.db.conn, &ids).await?.iter().map(|d| notify_party_view(d, &today)).collect())
}

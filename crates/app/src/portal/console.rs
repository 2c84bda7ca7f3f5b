//! The CBP staff console: find portal accounts and users, see a user's status and recent
//! logins, unlock and reactivate users, and read the audit trail of account changes.

use domain::{Actor, Role};
use serde::Serialize;
use time::OffsetDateTime;

use crate::App;
use crate::audit::Event;
use crate::error::{AppError, AppResult};
use crate::registry::history::Change;
use crate::registry::importers::HistoryEntry;
use crate::secrets::hash_token;
use store::schema::Users;

fn require_staff(actor: &Actor) -> AppResult<()> {
    match actor.role {
        Role::CbpStaff => Ok(()),
        _ => Err(AppError::Forbidden("the console is for CBP staff".into())),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountHit {
    pub id: i64,
    pub name: String,
    pub status: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UserHit {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub account_id: Option<i64>,
    pub role: String,
    pub account_role: String,
    pub active: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub locked_until: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<OffsetDateTime>,
    pub deactivated_reason: String,
    pub second_factor: String,
}

impl UserHit {
    fn of(u: &store::users::UserRow) -> UserHit {
        UserHit {
            id: u.id,
            name: u.name.clone(),
            email: u.email.clone(),
            account_id: u.account_id,
            role: u.role.clone(),
            account_role: u.account_role.clone(),
            active: u.active,
            locked_until: u.locked_until.filter(|t| *t > store::now()),
            last_login_at: u.last_login_at,
            deactivated_reason: u.deactivated_reason.clone(),
            second_factor: u.second_factor.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Found {
    pub accounts: Vec<AccountHit>,
    pub users: Vec<UserHit>,
}

/// Accounts by name and users by email or name.
pub async fn find(app: &App, actor: &Actor, q: &str) -> AppResult<Found> {
    require_staff(actor)?;
    let q = q.trim();
    if q.len() < 2 {
        return Err(AppError::field("q", "Type at least 2 characters of a company name, a person's name or an email."));
    }
    let accounts = store::accounts::search_accounts(&app.db.conn, q, 50)
        .await?
        .into_iter()
        .map(|a| AccountHit { id: a.id, name: a.name, status: a.status })
        .collect();
    let users = store::users::search(&app.db.conn, q, 50).await?.iter().map(UserHit::of).collect();
    Ok(Found { accounts, users })
}

#[derive(Debug, Clone, Serialize)]
pub struct LoginView {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub outcome: String,
    pub ip: String,
    pub user_agent: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UserDetail {
    pub user: UserHit,
    pub account_name: Option<String>,
    pub recent_logins: Vec<LoginView>,
    pub trail: Vec<HistoryEntry>,
}

fn entries(rows: Vec<store::audit::AuditRow>) -> Vec<HistoryEntry> {
    rows.into_iter()
        .map(|e| HistoryEntry {
            at: e.at,
            actor: e.actor_label,
            action: e.action,
            changes: serde_json::from_str(&e.changes).unwrap_or_default(),
        })
        .collect()
}

pub async fn user(app: &App, actor: &Actor, user_id: i64) -> AppResult<UserDetail> {
    require_staff(actor)?;
    let u = store::users::by_id(&app.db.conn, user_id)
        .await?
        .ok_or_else(|| AppError::NotFound("no user with this id".into()))?;
    let account_name = match u.account_id {
        Some(id) => store::accounts::account_by_id(&app.db.conn, id).await?.map(|a| a.name),
        None => None,
    };
    let recent_logins = store::logins::recent(&app.db.conn, u.id, 20)
        .await?
        .into_iter()
        .map(|e| LoginView { at: e.at, outcome: e.outcome, ip: e.ip, user_agent: e.user_agent })
        .collect();
    let trail = entries(store::audit::for_entity(&app.db.conn, "user", u.id).await?);
    Ok(UserDetail { user: UserHit::of(&u), account_name, recent_logins, trail })
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountDetail {
    pub id: i64,
    pub name: String,
    pub status: String,
    pub sub_accounts: Vec<SubAccountLine>,
    pub users: Vec<UserHit>,
    /// Changes to the account and to its users, newest first.
    pub trail: Vec<HistoryEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubAccountLine {
    pub id: i64,
    pub kind: String,
    /// Masked where personal.
    pub importer_numbers: Vec<String>,
}

pub async fn account(app: &App, actor: &Actor, account_id: i64) -> AppResult<AccountDetail> {
    require_staff(actor)?;
    let a = store::accounts::account_by_id(&app.db.conn, account_id)
        .await?
        .ok_or_else(|| AppError::NotFound("no account with this id".into()))?;
    let mut sub_accounts = Vec::new();
    for s in store::accounts::sub_accounts(&app.db.conn, a.id).await? {
        let numbers = store::accounts::held_importers(&app.db.conn, s.id)
            .await?
            .into_iter()
            .map(|h| domain::ImporterNumber::parse(&h.number).map(|n| n.to_string()).unwrap_or_else(|_| "***".into()))
            .collect();
        sub_accounts.push(SubAccountLine { id: s.id, kind: s.kind, importer_numbers: numbers });
    }
    let members = store::users::in_account(&app.db.conn, a.id).await?;
    let mut trail = store::audit::for_entity(&app.db.conn, "account", a.id).await?;
    for m in &members {
        trail.extend(store::audit::for_entity(&app.db.conn, "user", m.id).await?);
    }
    trail.sort_by(|x, y| y.at.cmp(&x.at).then(y.id.cmp(&x.id)));
    Ok(AccountDetail {
        id: a.id,
        name: a.name,
        status: a.status,
        sub_accounts,
        users: members.iter().map(UserHit::of).collect(),
        trail: entries(trail),
    })
}

fn staff_event(actor: &Actor, u: &store::users::UserRow, action: &str, field: &str, old: &str, new: &str) -> Event {
    let by = (actor.user_id.unwrap_or_default(), actor.label.as_str());
    let mut e = Event::user(u, Some(by), action, vec![(field, old, new)]);
    e.actor_user_id = actor.user_id;
    e
}

/// Lifts a lockout (and forgets the failed attempts behind it).
pub async fn unlock(app: &App, actor: &Actor, user_id: i64) -> AppResult<()> {
    require_staff(actor)?;
    let u = store::users::by_id(&app.db.conn, user_id)
        .await?
        .ok_or_else(|| AppError::NotFound("no user with this id".into()))?;
    store::users::set(&app.db.conn, u.id, vec![(Users::LockedUntil, None::<OffsetDateTime>.into())]).await?;
    store::rate_limits::clear(&app.db.conn, &format!("login-fail:{}", hash_token(&u.email))).await?;
    crate::audit::record(&app.db.conn, &staff_event(actor, &u, "user.unlocked", "locked", "yes", "no")).await?;
    Ok(())
}

/// Reactivates a user (deactivated for inactivity or by its owner).
pub async fn reactivate(app: &App, actor: &Actor, user_id: i64) -> AppResult<()> {
    require_staff(actor)?;
    let u = store::users::by_id(&app.db.conn, user_id)
        .await?
        .ok_or_else(|| AppError::NotFound("no user with this id".into()))?;
    if u.active {
        return Ok(());
    }
    let now = store::now();
    let values =
        vec![(Users::Active, true.into()), (Users::DeactivatedReason, "".into()), (Users::LastLoginAt, now.into())];
    store::users::set(&app.db.conn, u.id, values).await?;
    crate::audit::record(&app.db.conn, &staff_event(actor, &u, "user.reactivated", "status", "inactive", "active"))
        .await?;
    Ok(())
}

/// Used by the console's change list.
pub fn describe(c: &Change) -> String {
    format!("{}: {} -> {}", c.field, c.old.as_deref().unwrap_or("-"), c.new.as_deref().unwrap_or("-"))
}

//! Users of a top account: invitations, permissions, deactivation and reactivation, handing
//! over the owner role, and the inactivity rule. Only the TAO and Proxy TAOs manage users;
//! `domain::portal` says who may change whom.

use domain::portal::{self, AccountRole, AchAccess, Grants};
use domain::{Email, Role};
use mail::Mail;
use store::TransactionTrait;
use store::accounts::PermissionRow;
use store::users::UserRow;
use time::Duration;

use crate::App;
use crate::audit::Event;
use crate::error::{AppError, AppResult};
use crate::notify;
use crate::portal::accounts::membership;
use crate::portal::auth::SessionUser;
use crate::secrets::{hash_token, random_token};
use store::schema::Users;

pub const INVITATION_HOURS: i64 = 72;

/// A member as the users page shows it.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: AccountRole,
    pub active: bool,
    pub deactivated_reason: String,
    pub invited_pending: bool,
    pub last_login_at: Option<time::OffsetDateTime>,
    /// Grants per sub-account id (effective: owners hold everything).
    pub grants: Vec<(i64, Grants)>,
}

fn forbid(m: &str) -> AppError {
    AppError::Forbidden(m.into())
}

pub async fn list(app: &App, user: &SessionUser) -> AppResult<Vec<Member>> {
    let (account_id, role) = membership(user)?;
    portal::may_manage_users(role).map_err(forbid)?;
    let perms = store::accounts::permissions_in_account(&app.db.conn, account_id).await?;
    let subs = store::accounts::sub_accounts(&app.db.conn, account_id).await?;
    let users = store::users::in_account(&app.db.conn, account_id).await?;
    Ok(users
        .into_iter()
        .map(|u| {
            let role = AccountRole::from_code(&u.account_role).unwrap_or(AccountRole::User);
            let grants = subs
                .iter()
                .map(|s| {
                    let granted = perms.iter().find(|p| p.user_id == u.id && p.sub_account_id == s.id).map(to_grants);
                    (s.id, Grants::effective(role, granted))
                })
                .collect();
            Member {
                id: u.id,
                name: u.name.clone(),
                email: u.email.clone(),
                role,
                active: u.active,
                deactivated_reason: u.deactivated_reason.clone(),
                invited_pending: u.password_hash.is_empty(),
                last_login_at: u.last_login_at,
                grants,
            }
        })
        .collect())
}

fn to_grants(p: &PermissionRow) -> Grants {
    Grants {
        ach: AchAccess::from_code(&p.ach).unwrap_or(AchAccess::None),
        reports: p.reports,
        notify_parties: p.notify_parties,
    }
}

/// An invitation: who, which role, and the grants per sub-account (Account Users only).
#[derive(Debug, Clone)]
pub struct Invite {
    pub email: String,
    pub name: String,
    pub role: AccountRole,
    pub grants: Vec<(i64, Grants)>,
}

/// Creates the user (no password yet) and mails a one-time link to set one.
pub async fn invite(app: &App, by: &SessionUser, inv: &Invite) -> AppResult<i64> {
    let (account_id, role) = membership(by)?;
    portal::may_assign_role(role, inv.role).map_err(forbid)?;
    let email = Email::parse(&inv.email).map_err(|m| AppError::field("email", m))?;
    let name = inv.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(AppError::field("name", "Enter the person's name."));
    }
    let subs = store::accounts::sub_accounts(&app.db.conn, account_id).await?;
    if inv.grants.iter().any(|(id, _)| !subs.iter().any(|s| s.id == *id)) {
        return Err(AppError::NotFound("no such sub-account in your account".into()));
    }
    let account = store::accounts::account_by_id(&app.db.conn, account_id).await?;
    let account_name = account.map(|a| a.name).unwrap_or_default();
    let now = store::now();
    let token = random_token();
    let txn = app.db.conn.begin().await?;
    if store::users::by_email(&txn, email.as_str()).await?.is_some() {
        return Err(AppError::field("email", "This email already has a portal user."));
    }
    let user_id = store::users::insert(
        &txn,
        &store::users::NewUser {
            email: email.as_str(),
            name: &name,
            role: Role::Trade.code(),
            password_hash: "",
            firm_id: None,
            account_id: Some(account_id),
            account_role: inv.role.code(),
        },
        now,
    )
    .await?;
    if inv.role == AccountRole::User {
        for (sub, g) in &inv.grants {
            store::accounts::set_permission(&txn, &permission_row(user_id, *sub, g)).await?;
        }
    }
    store::one_time::issue(
        &txn,
        "invitation",
        &user_id.to_string(),
        &hash_token(&token),
        now,
        now + Duration::hours(INVITATION_HOURS),
    )
    .await?;
    let invited =
        store::users::by_id(&txn, user_id).await?.ok_or_else(|| AppError::NotFound("user vanished".into()))?;
    let ev =
        Event::user(&invited, Some((by.user_id(), &by.email)), "user.invited", vec![("role", "", inv.role.code())]);
    crate::audit::record(&txn, &ev).await?;
    txn.commit().await?;
    let mail = Mail::Invitation {
        account_name,
        inviter_name: by.name.clone(),
        link: app.link(&format!("/invitation/{token}")),
        valid_hours: INVITATION_HOURS as u32,
    };
    notify::required(app, email.as_str(), &mail).await?;
    Ok(user_id)
}

fn permission_row(user_id: i64, sub: i64, g: &Grants) -> PermissionRow {
    PermissionRow {
        user_id,
        sub_account_id: sub,
        ach: g.ach.code().into(),
        reports: g.reports,
        notify_parties: g.notify_parties,
    }
}

/// Loads a member of the actor's account that the actor may change.
async fn target(app: &App, by: &SessionUser, user_id: i64) -> AppResult<(UserRow, AccountRole)> {
    let (account_id, role) = membership(by)?;
    portal::may_manage_users(role).map_err(forbid)?;
    let t = store::users::by_id(&app.db.conn, user_id)
        .await?
        .filter(|u| u.account_id == Some(account_id))
        .ok_or_else(|| AppError::NotFound("no such user in your account".into()))?;
    let t_role = AccountRole::from_code(&t.account_role).unwrap_or(AccountRole::User);
    portal::may_change_user(role, by.user_id(), t_role, t.id).map_err(forbid)?;
    Ok((t, t_role))
}

async fn role_notice(app: &App, by: &SessionUser, t: &UserRow, summary: String) {
    let account = store::accounts::account_by_id(&app.db.conn, t.account_id.unwrap_or_default()).await.ok().flatten();
    let mail = Mail::RoleChanged {
        account_name: account.map(|a| a.name).unwrap_or_default(),
        changed_by: by.name.clone(),
        summary,
    };
    notify::notice(app, &t.email, &mail).await;
}

/// Sets an Account User's grants on the given sub-accounts, or changes the role between Account
/// User and Proxy TAO.
pub async fn update(
    app: &App,
    by: &SessionUser,
    user_id: i64,
    new_role: AccountRole,
    grants: &[(i64, Grants)],
) -> AppResult<()> {
    let (t, old_role) = target(app, by, user_id).await?;
    let (account_id, role) = membership(by)?;
    if new_role != old_role {
        portal::may_assign_role(role, new_role).map_err(forbid)?;
    }
    let subs = store::accounts::sub_accounts(&app.db.conn, account_id).await?;
    if grants.iter().any(|(id, _)| !subs.iter().any(|s| s.id == *id)) {
        return Err(AppError::NotFound("no such sub-account in your account".into()));
    }
    let before = store::accounts::permissions_of(&app.db.conn, t.id).await?;
    let txn = app.db.conn.begin().await?;
    let mut changes: Vec<(String, String, String)> = Vec::new();
    if new_role != old_role {
        store::users::set(&txn, t.id, vec![(Users::AccountRole, new_role.code().into())]).await?;
        changes.push(("role".into(), old_role.code().into(), new_role.code().into()));
    }
    for (sub, g) in grants {
        let old = before.iter().find(|p| p.sub_account_id == *sub).map(to_grants).unwrap_or(Grants::NONE);
        if old != *g {
            store::accounts::set_permission(&txn, &permission_row(t.id, *sub, g)).await?;
            changes.push((format!("grants[{sub}]"), describe(&old), describe(g)));
        }
    }
    if changes.is_empty() {
        return Ok(());
    }
    let list: Vec<(&str, &str, &str)> = changes.iter().map(|(f, o, n)| (f.as_str(), o.as_str(), n.as_str())).collect();
    crate::audit::record(&txn, &Event::user(&t, Some((by.user_id(), &by.email)), "user.permissions-changed", list))
        .await?;
    txn.commit().await?;
    let summary = changes.iter().map(|(f, o, n)| format!("{f}: {o} -> {n}")).collect::<Vec<_>>().join("; ");
    role_notice(app, by, &t, summary).await;
    Ok(())
}

fn describe(g: &Grants) -> String {
    format!(
        "ACH {}, reports {}, notify parties {}",
        g.ach.label(),
        if g.reports { "yes" } else { "no" },
        if g.notify_parties { "yes" } else { "no" }
    )
}

/// Deactivates (`active = false`) or reactivates a member. Deactivation ends its sessions.
pub async fn set_active(app: &App, by: &SessionUser, user_id: i64, active: bool) -> AppResult<()> {
    let (t, _) = target(app, by, user_id).await?;
    if t.active == active {
        return Ok(());
    }
    let reason = if active { "" } else { "by-owner" };
    let txn = app.db.conn.begin().await?;
    store::users::set(&txn, t.id, vec![(Users::Active, active.into()), (Users::DeactivatedReason, reason.into())])
        .await?;
    if active {
        // A reactivated user starts a fresh inactivity period.
        store::users::set(&txn, t.id, vec![(Users::LastLoginAt, store::now().into())]).await?;
    } else {
        store::sessions::delete_for_user(&txn, t.id).await?;
    }
    let (old, new) = if active { ("inactive", "active") } else { ("active", "inactive") };
    let action = if active { "user.reactivated" } else { "user.deactivated" };
    crate::audit::record(&txn, &Event::user(&t, Some((by.user_id(), &by.email)), action, vec![("status", old, new)]))
        .await?;
    txn.commit().await?;
    role_notice(app, by, &t, format!("your user is now {new}")).await;
    Ok(())
}

/// The TAO hands the owner role to another active member, and becomes a Proxy TAO.
pub async fn transfer_owner(app: &App, by: &SessionUser, user_id: i64) -> AppResult<()> {
    let (account_id, role) = membership(by)?;
    portal::may_transfer_tao(role).map_err(forbid)?;
    let t = store::users::by_id(&app.db.conn, user_id)
        .await?
        .filter(|u| u.account_id == Some(account_id) && u.id != by.user_id())
        .ok_or_else(|| AppError::NotFound("no such user in your account".into()))?;
    if !t.active || t.password_hash.is_empty() {
        return Err(AppError::Conflict(
            "The new owner must be an active user who has set a password and logged in.".into(),
        ));
    }
    let txn = app.db.conn.begin().await?;
    // The old owner steps down first: the unique index allows one TAO per account.
    store::users::set(&txn, by.user_id(), vec![(Users::AccountRole, AccountRole::ProxyTao.code().into())]).await?;
    store::users::set(&txn, t.id, vec![(Users::AccountRole, AccountRole::Tao.code().into())]).await?;
    let me =
        store::users::by_id(&txn, by.user_id()).await?.ok_or_else(|| AppError::NotFound("user vanished".into()))?;
    let who = Some((by.user_id(), by.email.as_str()));
    crate::audit::record(&txn, &Event::user(&t, who, "user.role-changed", vec![("role", &t.account_role, "tao")]))
        .await?;
    crate::audit::record(&txn, &Event::user(&me, who, "user.role-changed", vec![("role", "tao", "proxy-tao")])).await?;
    txn.commit().await?;
    role_notice(app, by, &t, "you are now the Trade Account Owner".into()).await;
    Ok(())
}

/// Deactivates portal users who have not logged in for `inactivity_days` (idempotent; run it
/// daily). Returns how many were deactivated.
pub async fn deactivate_idle(app: &App) -> AppResult<u64> {
    let cutoff = store::now() - Duration::days(app.settings.login.inactivity_days);
    let mut n = 0;
    for u in store::users::idle_since(&app.db.conn, cutoff).await? {
        let txn = app.db.conn.begin().await?;
        store::users::set(
            &txn,
            u.id,
            vec![(Users::Active, false.into()), (Users::DeactivatedReason, "inactivity".into())],
        )
        .await?;
        store::sessions::delete_for_user(&txn, u.id).await?;
        let ev = Event::user(&u, Some((0, "system")), "user.deactivated", vec![("status", "active", "inactive")]);
        crate::audit::record(&txn, &Event { actor_user_id: None, ..ev }).await?;
        txn.commit().await?;
        n += 1;
    }
    if n > 0 {
        tracing::info!(users = n, days = app.settings.login.inactivity_days, "deactivated idle users");
    }
    Ok(n)
}

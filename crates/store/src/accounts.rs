//! Trade portal accounts: top accounts, their sub-accounts, the importer numbers an Importer
//! sub-account holds, and Account Users' permissions per sub-account.

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, IntoIden, OnConflict, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use time::OffsetDateTime;

use crate::change_counters::AchTabGeneration;
use crate::schema::{AccountImporters, Col, Importers, SubAccounts, TopAccounts, UserPermissions, Users};
use crate::sessions::{SESSION_USER, SessionKey, session_user_subquery};
use crate::users::UserRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: i64,
    pub name: String,
    pub status: String,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubAccountRow {
    pub id: i64,
    pub account_id: i64,
    pub kind: String,
    pub broker_firm_id: Option<i64>,
    pub created_at: OffsetDateTime,
}

/// An importer number held by an Importer sub-account, with the record's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldImporter {
    pub importer_id: i64,
    pub number: String,
    pub name: String,
    pub status: String,
    pub email: String,
    pub added_at: OffsetDateTime,
    pub added_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionRow {
    pub user_id: i64,
    pub sub_account_id: i64,
    pub ach: String,
    pub reports: bool,
    pub notify_parties: bool,
}

// One reader per row type: `account_in`, `sub_account_in` and `permission_in` below read the
// prefixed columns that `account_columns`, `sub_account_columns` and `permission_columns` select,
// in the one-table statements here as in the joined ones.

fn account(r: &QueryResult) -> Result<AccountRow, DbErr> {
    account_in(r, r.try_get("", "t_id")?)
}

fn sub_account(r: &QueryResult) -> Result<SubAccountRow, DbErr> {
    sub_account_in(r, r.try_get("", "s_id")?)
}

fn permission(r: &QueryResult) -> Result<PermissionRow, DbErr> {
    permission_in(r, r.col(UserPermissions::SubAccountId)?)?
        .ok_or_else(|| DbErr::Custom("a permission row without its user".into()))
}

/// `top_accounts` as [`account`] reads it.
fn accounts_select() -> SelectStatement {
    let mut stmt = Query::select();
    account_columns(&mut stmt);
    stmt.from(TopAccounts::Table).to_owned()
}

/// `sub_accounts` as [`sub_account`] reads it.
fn sub_accounts_select() -> SelectStatement {
    let mut stmt = Query::select();
    sub_account_columns(&mut stmt);
    stmt.from(SubAccounts::Table).to_owned()
}

/// `user_permissions` as [`permission`] reads it.
fn permissions_select() -> SelectStatement {
    let mut stmt = Query::select();
    permission_columns(&mut stmt);
    stmt.column((UserPermissions::Table, UserPermissions::SubAccountId)).from(UserPermissions::Table).to_owned()
}

async fn insert_id(conn: &impl ConnectionTrait, stmt: sea_orm::sea_query::InsertStatement) -> Result<i64, DbErr> {
    let r = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?;
    r.try_get("", "id")
}

pub async fn insert_account(conn: &impl ConnectionTrait, name: &str, at: OffsetDateTime) -> Result<i64, DbErr> {
    let stmt = Query::insert()
        .into_table(TopAccounts::Table)
        .columns([TopAccounts::Name, TopAccounts::Status, TopAccounts::CreatedAt])
        .values_panic([name.into(), "active".into(), at.into()])
        .returning_col(TopAccounts::Id)
        .to_owned();
    insert_id(conn, stmt).await
}

pub async fn insert_sub_account(
    conn: &impl ConnectionTrait,
    account_id: i64,
    kind: &str,
    broker_firm_id: Option<i64>,
    at: OffsetDateTime,
) -> Result<i64, DbErr> {
    let stmt = Query::insert()
        .into_table(SubAccounts::Table)
        .columns([SubAccounts::AccountId, SubAccounts::Kind, SubAccounts::BrokerFirmId, SubAccounts::CreatedAt])
        .values_panic([account_id.into(), kind.into(), broker_firm_id.into(), at.into()])
        .returning_col(SubAccounts::Id)
        .to_owned();
    insert_id(conn, stmt).await
}

/// Links an importer record to an Importer sub-account. The unique index on `importer_id`
/// refuses a second account: the caller checks first and treats a violation as a race lost.
pub async fn add_importer(
    conn: &impl ConnectionTrait,
    sub_account_id: i64,
    importer_id: i64,
    by: &str,
    at: OffsetDateTime,
) -> Result<(), DbErr> {
    let stmt = Query::insert()
        .into_table(AccountImporters::Table)
        .columns([
            AccountImporters::SubAccountId,
            AccountImporters::ImporterId,
            AccountImporters::AddedAt,
            AccountImporters::AddedBy,
        ])
        .values_panic([sub_account_id.into(), importer_id.into(), at.into(), by.into()])
        .to_owned();
    conn.execute(&stmt).await?;
    Ok(())
}

pub async fn account_by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<AccountRow>, DbErr> {
    let stmt = accounts_select().and_where(Expr::col(TopAccounts::Id).eq(id)).to_owned();
    conn.query_one(&stmt).await?.map(|r| account(&r)).transpose()
}

pub async fn search_accounts(conn: &impl ConnectionTrait, q: &str, limit: u64) -> Result<Vec<AccountRow>, DbErr> {
    let pattern = format!("%{}%", q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let stmt = accounts_select()
        .and_where(
            Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(TopAccounts::Name)))
                .like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')),
        )
        .order_by(TopAccounts::Name, Order::Asc)
        .limit(limit)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(account).collect()
}

pub async fn sub_accounts(conn: &impl ConnectionTrait, account_id: i64) -> Result<Vec<SubAccountRow>, DbErr> {
    let stmt = sub_accounts_select()
        .and_where(Expr::col(SubAccounts::AccountId).eq(account_id))
        .order_by(SubAccounts::Id, Order::Asc)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(sub_account).collect()
}

pub async fn sub_account_by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<SubAccountRow>, DbErr> {
    let stmt = sub_accounts_select().and_where(Expr::col(SubAccounts::Id).eq(id)).to_owned();
    conn.query_one(&stmt).await?.map(|r| sub_account(&r)).transpose()
}

pub async fn sub_account_of_kind(
    conn: &impl ConnectionTrait,
    account_id: i64,
    kind: &str,
) -> Result<Option<SubAccountRow>, DbErr> {
    let stmt = sub_accounts_select()
        .and_where(Expr::col(SubAccounts::AccountId).eq(account_id))
        .and_where(Expr::col(SubAccounts::Kind).eq(kind))
        .to_owned();
    conn.query_one(&stmt).await?.map(|r| sub_account(&r)).transpose()
}

/// The Broker sub-account standing for a broker firm.
pub async fn broker_sub_account(conn: &impl ConnectionTrait, firm_id: i64) -> Result<Option<SubAccountRow>, DbErr> {
    let stmt = sub_accounts_select().and_where(Expr::col(SubAccounts::BrokerFirmId).eq(firm_id)).to_owned();
    conn.query_one(&stmt).await?.map(|r| sub_account(&r)).transpose()
}

/// The top account holding an importer record, if any.
pub async fn account_of_importer(conn: &impl ConnectionTrait, importer_id: i64) -> Result<Option<i64>, DbErr> {
    let stmt = Query::select()
        .column((SubAccounts::Table, SubAccounts::AccountId))
        .from(AccountImporters::Table)
        .inner_join(
            SubAccounts::Table,
            Expr::col((SubAccounts::Table, SubAccounts::Id))
                .equals((AccountImporters::Table, AccountImporters::SubAccountId)),
        )
        .and_where(Expr::col((AccountImporters::Table, AccountImporters::ImporterId)).eq(importer_id))
        .to_owned();
    match conn.query_one(&stmt).await? {
        Some(r) => Ok(Some(r.try_get("", "account_id")?)),
        None => Ok(None),
    }
}

pub async fn held_importers(conn: &impl ConnectionTrait, sub_account_id: i64) -> Result<Vec<HeldImporter>, DbErr> {
    let stmt = Query::select()
        .columns([
            (Importers::Table, Importers::Number),
            (Importers::Table, Importers::Name),
            (Importers::Table, Importers::Status),
            (Importers::Table, Importers::Email),
        ])
        .expr_as(Expr::col((AccountImporters::Table, AccountImporters::ImporterId)), AccountImporters::ImporterId)
        .columns([
            (AccountImporters::Table, AccountImporters::AddedAt),
            (AccountImporters::Table, AccountImporters::AddedBy),
        ])
        .from(AccountImporters::Table)
        .inner_join(
            Importers::Table,
            Expr::col((Importers::Table, Importers::Id))
                .equals((AccountImporters::Table, AccountImporters::ImporterId)),
        )
        .and_where(Expr::col((AccountImporters::Table, AccountImporters::SubAccountId)).eq(sub_account_id))
        .order_by((Importers::Table, Importers::Number), Order::Asc)
        .to_owned();
    conn.query_all(&stmt)
        .await?
        .iter()
        .map(|r| {
            Ok(HeldImporter {
                importer_id: r.col(AccountImporters::ImporterId)?,
                number: r.col(Importers::Number)?,
                name: r.col(Importers::Name)?,
                status: r.col(Importers::Status)?,
                email: r.col(Importers::Email)?,
                added_at: r.col(AccountImporters::AddedAt)?,
                added_by: r.col(AccountImporters::AddedBy)?,
            })
        })
        .collect()
}

/// Grants of one user on every sub-account of its account.
pub async fn permissions_of(conn: &impl ConnectionTrait, user_id: i64) -> Result<Vec<PermissionRow>, DbErr> {
    let stmt = permissions_select().and_where(Expr::col(UserPermissions::UserId).eq(user_id)).to_owned();
    conn.query_all(&stmt).await?.iter().map(permission).collect()
}

/// Grants of every user on one account (for the users page).
pub async fn permissions_in_account(conn: &impl ConnectionTrait, account_id: i64) -> Result<Vec<PermissionRow>, DbErr> {
    let stmt = permissions_select()
        .inner_join(
            SubAccounts::Table,
            Expr::col((SubAccounts::Table, SubAccounts::Id))
                .equals((UserPermissions::Table, UserPermissions::SubAccountId)),
        )
        .and_where(Expr::col((SubAccounts::Table, SubAccounts::AccountId)).eq(account_id))
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(permission).collect()
}

/// Sets (inserts or replaces) a user's grants on one sub-account.
pub async fn set_permission(conn: &impl ConnectionTrait, p: &PermissionRow) -> Result<(), DbErr> {
    let stmt = Query::insert()
        .into_table(UserPermissions::Table)
        .columns([
            UserPermissions::UserId,
            UserPermissions::SubAccountId,
            UserPermissions::Ach,
            UserPermissions::Reports,
            UserPermissions::NotifyParties,
        ])
        .values_panic([
            p.user_id.into(),
            p.sub_account_id.into(),
            p.ach.clone().into(),
            p.reports.into(),
            p.notify_parties.into(),
        ])
        .on_conflict(
            OnConflict::columns([UserPermissions::UserId, UserPermissions::SubAccountId])
                .update_columns([UserPermissions::Ach, UserPermissions::Reports, UserPermissions::NotifyParties])
                .to_owned(),
        )
        .to_owned();
    conn.execute(&stmt).await?;
    Ok(())
}

/// A top account with its owner's name and member count: what the overview page heads with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    pub account: AccountRow,
    /// None while the account has no TAO (between a handover's two writes it always has one).
    pub owner_name: Option<String>,
    /// All users of the account, deactivated ones included.
    pub users: i64,
}

/// One sub-account of an account, with one user's grants on it and the importer numbers it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubAccountDetail {
    pub sub: SubAccountRow,
    /// The user's permission row, if one was ever written.
    pub permission: Option<PermissionRow>,
    pub held: Vec<HeldImporter>,
}

/// Whose view a statement reads: a known user of a known account, or the user of a session
/// cookie, checked in the same statement (FROM [`crate::sessions::session_user_subquery`]).
#[derive(Debug, Clone, Copy)]
pub enum Viewer<'a> {
    User { account_id: i64, user_id: i64 },
    Session(SessionKey<'a>),
}

impl Viewer<'_> {
    fn account_id(&self) -> Expr {
        match self {
            Viewer::User { account_id, .. } => Expr::val(*account_id),
            Viewer::Session(_) => Expr::col((Alias::new(SESSION_USER), Users::AccountId)),
        }
    }

    fn user_id(&self) -> Expr {
        match self {
            Viewer::User { user_id, .. } => Expr::val(*user_id),
            Viewer::Session(_) => Expr::col((Alias::new(SESSION_USER), Users::Id)),
        }
    }

    /// Adds the session's user as the first table, its columns first: every other table is then
    /// LEFT JOINed to it, so a live session always yields a row, with NULLs where the page's data
    /// is missing.
    fn start(&self, stmt: &mut SelectStatement) {
        if let Viewer::Session(key) = self {
            stmt.column((Alias::new(SESSION_USER), Asterisk))
                .from_subquery(session_user_subquery(key), Alias::new(SESSION_USER));
        }
    }

    /// Adds the page's main table, restricted by `on`: LEFT JOINed to the session's user (a row
    /// with NULLs when `on` matches nothing), or as the FROM table of a known user's statement.
    fn main_table(&self, stmt: &mut SelectStatement, table: impl IntoIden, on: Expr) {
        match self {
            Viewer::Session(_) => {
                stmt.join(sea_orm::sea_query::JoinType::LeftJoin, table, on);
            }
            Viewer::User { .. } => {
                stmt.from(table).and_where(on);
            }
        }
    }

    /// What a statement that returned no row means: for a session, that it is not live (`None`);
    /// for a known user, that the page's data is missing.
    fn no_row<U, T>(&self) -> Option<(Option<U>, Option<T>)> {
        match self {
            Viewer::User { .. } => Some((None, None)),
            Viewer::Session(_) => None,
        }
    }

    /// The session's user from the statement's first row (touching the session when due); `None`
    /// for a known user.
    async fn user_in(&self, conn: &impl ConnectionTrait, r: &QueryResult) -> Result<Option<UserRow>, DbErr> {
        match self {
            Viewer::Session(key) => Ok(Some(crate::sessions::seen(conn, key, r).await?)),
            Viewer::User { .. } => Ok(None),
        }
    }
}

/// Every sub-account of `account_id` (or only `only_sub`), with `user_id`'s grants and the held
/// importer numbers, in one statement: sub-accounts LEFT JOIN permissions, numbers and records,
/// folded here into one value per sub-account, in id order and numbers in number order.
pub async fn sub_account_details(
    conn: &impl ConnectionTrait,
    account_id: i64,
    user_id: i64,
    only_sub: Option<i64>,
) -> Result<Vec<SubAccountDetail>, DbErr> {
    let stmt = details_select(&Viewer::User { account_id, user_id }, only_sub, true);
    let rows = conn.query_all(&stmt).await?;
    details_of(&rows)
}

/// Folds rows of [`details_select`] (or of the overview) into one value per sub-account; rows
/// without a sub-account (a session's user whose account has none) are skipped.
fn details_of(rows: &[QueryResult]) -> Result<Vec<SubAccountDetail>, DbErr> {
    let mut out: Vec<SubAccountDetail> = Vec::new();
    for r in rows {
        let Some(sub_id) = r.try_get::<Option<i64>>("", "s_id")? else { continue };
        if out.last().is_none_or(|d| d.sub.id != sub_id) {
            let permission = permission_in(r, sub_id)?;
            out.push(SubAccountDetail { sub: sub_account_in(r, sub_id)?, permission, held: Vec::new() });
        }
        let importer_id: Option<i64> = r.try_get("", "importer_id")?;
        if let (Some(importer_id), Some(d)) = (importer_id, out.last_mut()) {
            d.held.push(held_in(r, importer_id)?);
        }
    }
    Ok(out)
}

/// An account's columns (`t_id`, `t_name`, `t_status`, `t_created_at`): prefixed, because the
/// overview also returns the session user's own `id`, `name` and `created_at`.
fn account_in(r: &QueryResult, id: i64) -> Result<AccountRow, DbErr> {
    Ok(AccountRow {
        id,
        name: r.try_get("", "t_name")?,
        status: r.try_get("", "t_status")?,
        created_at: r.try_get("", "t_created_at")?,
    })
}

/// A sub-account's columns (`s_id`, `s_account_id`, `s_kind`, `s_broker_firm_id`,
/// `s_created_at`): prefixed, because statements that check a session also return the user's
/// own `id`, `account_id` and `created_at`.
fn sub_account_in(r: &QueryResult, id: i64) -> Result<SubAccountRow, DbErr> {
    Ok(SubAccountRow {
        id,
        account_id: r.try_get("", "s_account_id")?,
        kind: r.try_get("", "s_kind")?,
        broker_firm_id: r.try_get("", "s_broker_firm_id")?,
        created_at: r.try_get("", "s_created_at")?,
    })
}

/// The user's permission columns (`perm_user_id`, `ach`, `reports`, `notify_parties`) of a
/// sub-account row, shared by the statements that join `user_permissions`.
fn permission_in(r: &QueryResult, sub_account_id: i64) -> Result<Option<PermissionRow>, DbErr> {
    let Some(user_id) = r.try_get::<Option<i64>>("", "perm_user_id")? else { return Ok(None) };
    Ok(Some(PermissionRow {
        user_id,
        sub_account_id,
        ach: r.try_get("", "ach")?,
        reports: r.try_get("", "reports")?,
        notify_parties: r.try_get("", "notify_parties")?,
    }))
}

/// A held number's columns (`number`, `i_name`, `i_status`, `i_email`, `added_at`, `added_by`).
fn held_in(r: &QueryResult, importer_id: i64) -> Result<HeldImporter, DbErr> {
    Ok(HeldImporter {
        importer_id,
        number: r.try_get("", "number")?,
        name: r.try_get("", "i_name")?,
        status: r.try_get("", "i_status")?,
        email: r.try_get("", "i_email")?,
        added_at: r.try_get("", "added_at")?,
        added_by: r.try_get("", "added_by")?,
    })
}

/// The access check of the ACH tab: as [`sub_account_details`] of one sub-account without the
/// held numbers (`held` empty; the tab reads them with its own data), and with the tab's
/// generation (the shared counter and the sub-account's own, `change_counters`) read in the same
/// statement, so it is read before the tab's data and costs no extra round trip. With [`Viewer::Session`] the session check is part of it
/// too: a page view of a cached tab is then one statement.
///
/// `None`: no such session (never for [`Viewer::User`]). The user row is `None` for
/// [`Viewer::User`]; the detail is `None` when the sub-account is not the viewer's.
#[allow(clippy::type_complexity)]
pub async fn sub_account_access_with_ach_generation(
    conn: &impl ConnectionTrait,
    viewer: &Viewer<'_>,
    sub_id: i64,
) -> Result<Option<(Option<UserRow>, Option<(SubAccountDetail, AchTabGeneration)>)>, DbErr> {
    use crate::change_counters::{ACH_TAB, ach_tab_sub_account_expr, generation_expr};
    let mut stmt = details_select(viewer, Some(sub_id), false);
    stmt.expr_as(generation_expr(ACH_TAB), Alias::new("ach_generation"))
        .expr_as(ach_tab_sub_account_expr(sub_id), Alias::new("ach_sub_generation"));
    let Some(r) = conn.query_one(&stmt).await? else { return Ok(viewer.no_row()) };
    let user = viewer.user_in(conn, &r).await?;
    let Some(sub_id) = r.try_get::<Option<i64>>("", "s_id")? else { return Ok(Some((user, None))) };
    let detail =
        SubAccountDetail { sub: sub_account_in(&r, sub_id)?, permission: permission_in(&r, sub_id)?, held: Vec::new() };
    let generation = AchTabGeneration {
        shared: r.try_get("", "ach_generation")?,
        sub_account: r.try_get("", "ach_sub_generation")?,
    };
    Ok(Some((user, Some((detail, generation)))))
}

/// Join condition of `user_permissions` to `sub_accounts`: the viewer's own row only.
fn own_permission(viewer: &Viewer<'_>) -> Expr {
    Expr::col((UserPermissions::Table, UserPermissions::SubAccountId))
        .equals((SubAccounts::Table, SubAccounts::Id))
        .and(Expr::col((UserPermissions::Table, UserPermissions::UserId)).eq(viewer.user_id()))
}

/// The account columns, prefixed as [`account_in`] reads them.
fn account_columns(stmt: &mut SelectStatement) {
    for (c, alias) in [
        (TopAccounts::Id, "t_id"),
        (TopAccounts::Name, "t_name"),
        (TopAccounts::Status, "t_status"),
        (TopAccounts::CreatedAt, "t_created_at"),
    ] {
        stmt.expr_as(Expr::col((TopAccounts::Table, c)), Alias::new(alias));
    }
}

/// The sub-account columns every statement here returns, prefixed as [`sub_account_in`] reads them.
fn sub_account_columns(stmt: &mut SelectStatement) {
    for (c, alias) in [
        (SubAccounts::Id, "s_id"),
        (SubAccounts::AccountId, "s_account_id"),
        (SubAccounts::Kind, "s_kind"),
        (SubAccounts::BrokerFirmId, "s_broker_firm_id"),
        (SubAccounts::CreatedAt, "s_created_at"),
    ] {
        stmt.expr_as(Expr::col((SubAccounts::Table, c)), Alias::new(alias));
    }
}

/// The held numbers' columns and joins (`account_importers`, `importers`), as [`held_in`]
/// reads them, in number order.
fn held_columns(stmt: &mut SelectStatement) {
    use AccountImporters as Ai;
    use sea_orm::sea_query::JoinType;
    for (c, alias) in [(Ai::ImporterId, "importer_id"), (Ai::AddedAt, "added_at"), (Ai::AddedBy, "added_by")] {
        stmt.expr_as(Expr::col((Ai::Table, c)), Alias::new(alias));
    }
    for (c, alias) in [
        (Importers::Number, "number"),
        (Importers::Name, "i_name"),
        (Importers::Status, "i_status"),
        (Importers::Email, "i_email"),
    ] {
        stmt.expr_as(Expr::col((Importers::Table, c)), Alias::new(alias));
    }
    stmt.join(
        JoinType::LeftJoin,
        Ai::Table,
        Expr::col((Ai::Table, Ai::SubAccountId)).equals((SubAccounts::Table, SubAccounts::Id)),
    )
    .join(
        JoinType::LeftJoin,
        Importers::Table,
        Expr::col((Importers::Table, Importers::Id)).equals((Ai::Table, Ai::ImporterId)),
    );
}

/// The permission columns [`permission_in`] reads, from `user_permissions` `p`.
fn permission_columns(stmt: &mut SelectStatement) {
    use UserPermissions as P;
    stmt.expr_as(Expr::col((P::Table, P::UserId)), Alias::new("perm_user_id")).columns([
        (P::Table, P::Ach),
        (P::Table, P::Reports),
        (P::Table, P::NotifyParties),
    ]);
}

/// The sub-accounts of the viewer's account with the viewer's permission on each, and optionally
/// their numbers.
fn details_select(viewer: &Viewer<'_>, only_sub: Option<i64>, with_numbers: bool) -> SelectStatement {
    use sea_orm::sea_query::JoinType;
    let mut stmt = Query::select();
    viewer.start(&mut stmt);
    sub_account_columns(&mut stmt);
    permission_columns(&mut stmt);
    let mut of_account = Expr::col((SubAccounts::Table, SubAccounts::AccountId)).eq(viewer.account_id());
    if let Some(id) = only_sub {
        of_account = of_account.and(Expr::col((SubAccounts::Table, SubAccounts::Id)).eq(id));
    }
    // A session's user row comes first; a sub-account that is not the user's leaves NULLs.
    viewer.main_table(&mut stmt, SubAccounts::Table, of_account);
    stmt.join(JoinType::LeftJoin, UserPermissions::Table, own_permission(viewer))
        .order_by((SubAccounts::Table, SubAccounts::Id), Order::Asc);
    if with_numbers {
        held_columns(&mut stmt);
        stmt.order_by((Importers::Table, Importers::Number), Order::Asc);
    }
    stmt
}

/// The account overview in **one statement**: the account with its owner's name and member
/// count, LEFT JOIN its sub-accounts, the user's grants on each and the numbers each holds. It
/// is the page every portal user lands on; on PostgreSQL each statement is a round trip, so the
/// page is read in one (docs/performance.md), the session check included when the viewer is a
/// [`Viewer::Session`].
///
/// `None`: no such session (never for [`Viewer::User`]). The user row is `None` for
/// [`Viewer::User`]; the overview is `None` when the account does not exist (or the session's
/// user has none).
#[allow(clippy::type_complexity)]
pub async fn overview(
    conn: &impl ConnectionTrait,
    viewer: &Viewer<'_>,
) -> Result<Option<(Option<UserRow>, Option<(AccountSummary, Vec<SubAccountDetail>)>)>, DbErr> {
    use sea_orm::sea_query::{Func, JoinType, QueryStatementBuilder};
    let (t, s) = (TopAccounts::Table, SubAccounts::Table);
    // `users` under another name: the outer statement may read the session's user too.
    let u = || Alias::new("u");
    let users_of_account = || Expr::col((u(), Users::AccountId)).equals((t, TopAccounts::Id));
    let owner = Query::select()
        .column((u(), Users::Name))
        .from_as(Users::Table, u())
        .and_where(users_of_account())
        // 'tao' written into the SQL, not bound: a bound value compared with the WHERE of the
        // partial index `ix_users_one_tao` makes SQLite prepare the statement again on every
        // run (it rechecks the index against each new value); as a constant it plans once.
        .and_where(Expr::col((u(), Users::AccountRole)).eq(Expr::cust("'tao'")))
        .limit(1)
        .to_owned();
    let count = Query::select()
        .expr(Func::count(Expr::val(1)))
        .from_as(Users::Table, u())
        .and_where(users_of_account())
        .to_owned();
    let mut stmt = Query::select();
    viewer.start(&mut stmt);
    account_columns(&mut stmt);
    sub_account_columns(&mut stmt);
    permission_columns(&mut stmt);
    stmt.expr_as(Expr::SubQuery(None, Box::new(owner.into_sub_query_statement())), Alias::new("owner_name"))
        .expr_as(Expr::SubQuery(None, Box::new(count.into_sub_query_statement())), Alias::new("users"));
    let this_account = Expr::col((t, TopAccounts::Id)).eq(viewer.account_id());
    viewer.main_table(&mut stmt, t, this_account);
    stmt.join(JoinType::LeftJoin, s, Expr::col((s, SubAccounts::AccountId)).equals((t, TopAccounts::Id)))
        .join(JoinType::LeftJoin, UserPermissions::Table, own_permission(viewer))
        .order_by((s, SubAccounts::Id), Order::Asc)
        .order_by((Importers::Table, Importers::Number), Order::Asc);
    held_columns(&mut stmt);
    let rows = conn.query_all(&stmt).await?;
    let Some(first) = rows.first() else { return Ok(viewer.no_row()) };
    let user = viewer.user_in(conn, first).await?;
    let Some(account_id) = first.try_get::<Option<i64>>("", "t_id")? else { return Ok(Some((user, None))) };
    let summary = AccountSummary {
        account: account_in(first, account_id)?,
        owner_name: first.try_get("", "owner_name")?,
        users: first.try_get("", "users")?,
    };
    Ok(Some((user, Some((summary, details_of(&rows)?)))))
}

/// Who hears about an importer number's refunds and bank details (`notice_recipients`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRecipients {
    pub importer_id: i64,
    pub number: String,
    pub name: String,
    /// The 5106 contact email.
    pub contact: String,
    /// The active owner (TAO) of the account holding the number, if any.
    pub tao: Option<String>,
}

/// The 5106 contact and the account owner of each of these importers, in one statement (a
/// run of notices asks for thousands).
pub async fn notice_recipients(
    conn: &impl ConnectionTrait,
    importer_ids: &[i64],
) -> Result<Vec<NoticeRecipients>, DbErr> {
    let mut out: Vec<NoticeRecipients> = Vec::new();
    for chunk in importer_ids.chunks(crate::refunds::INSERT_CHUNK) {
        let tao = Alias::new("tao");
        let stmt = Query::select()
            .columns([(Importers::Table, Importers::Id), (Importers::Table, Importers::Number)])
            .columns([(Importers::Table, Importers::Name), (Importers::Table, Importers::Email)])
            .expr_as(Expr::col((Users::Table, Users::Email)), tao.clone())
            .from(Importers::Table)
            .left_join(
                AccountImporters::Table,
                Expr::col((AccountImporters::Table, AccountImporters::ImporterId))
                    .equals((Importers::Table, Importers::Id)),
            )
            .left_join(
                SubAccounts::Table,
                Expr::col((SubAccounts::Table, SubAccounts::Id))
                    .equals((AccountImporters::Table, AccountImporters::SubAccountId)),
            )
            .join(
                sea_orm::sea_query::JoinType::LeftJoin,
                Users::Table,
                Expr::col((Users::Table, Users::AccountId))
                    .equals((SubAccounts::Table, SubAccounts::AccountId))
                    .and(Expr::col((Users::Table, Users::AccountRole)).eq("tao"))
                    .and(Expr::col((Users::Table, Users::Active)).eq(true)),
            )
            .and_where(Expr::col((Importers::Table, Importers::Id)).is_in(chunk.iter().copied()))
            .order_by((Importers::Table, Importers::Id), Order::Asc)
            .to_owned();
        for r in conn.query_all(&stmt).await? {
            let id: i64 = r.try_get("", "id")?;
            let tao: Option<String> = r.try_get("", "tao")?;
            // A number is in one sub-account; should it appear twice, the first owner found is told.
            if out.last().is_some_and(|last| last.importer_id == id) {
                continue;
            }
            out.push(NoticeRecipients {
                importer_id: id,
                number: r.try_get("", "number")?,
                name: r.try_get("", "name")?,
                contact: r.try_get("", "email")?,
                tao,
            });
        }
    }
    Ok(out)
}

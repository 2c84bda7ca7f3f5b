//! Trade portal accounts: top accounts, their sub-accounts, the importer numbers an Importer
//! sub-account holds, and Account Users' permissions per sub-account.

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, OnConflict, Order, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use time::OffsetDateTime;

fn a(s: &str) -> Alias {
    Alias::new(s)
}

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

fn account(r: &QueryResult) -> Result<AccountRow, DbErr> {
    Ok(AccountRow {
        id: r.try_get("", "id")?,
        name: r.try_get("", "name")?,
        status: r.try_get("", "status")?,
        created_at: r.try_get("", "created_at")?,
    })
}

fn sub_account(r: &QueryResult) -> Result<SubAccountRow, DbErr> {
    Ok(SubAccountRow {
        id: r.try_get("", "id")?,
        account_id: r.try_get("", "account_id")?,
        kind: r.try_get("", "kind")?,
        broker_firm_id: r.try_get("", "broker_firm_id")?,
        created_at: r.try_get("", "created_at")?,
    })
}

fn permission(r: &QueryResult) -> Result<PermissionRow, DbErr> {
    Ok(PermissionRow {
        user_id: r.try_get("", "user_id")?,
        sub_account_id: r.try_get("", "sub_account_id")?,
        ach: r.try_get("", "ach")?,
        reports: r.try_get("", "reports")?,
        notify_parties: r.try_get("", "notify_parties")?,
    })
}

async fn insert_id(conn: &impl ConnectionTrait, stmt: sea_orm::sea_query::InsertStatement) -> Result<i64, DbErr> {
    let r = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?;
    r.try_get("", "id")
}

pub async fn insert_account(conn: &impl ConnectionTrait, name: &str, at: OffsetDateTime) -> Result<i64, DbErr> {
    let stmt = Query::insert()
        .into_table(a("top_accounts"))
        .columns(["name", "status", "created_at"].map(a))
        .values_panic([name.into(), "active".into(), at.into()])
        .returning_col(a("id"))
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
        .into_table(a("sub_accounts"))
        .columns(["account_id", "kind", "broker_firm_id", "created_at"].map(a))
        .values_panic([account_id.into(), kind.into(), broker_firm_id.into(), at.into()])
        .returning_col(a("id"))
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
        .into_table(a("account_importers"))
        .columns(["sub_account_id", "importer_id", "added_at", "added_by"].map(a))
        .values_panic([sub_account_id.into(), importer_id.into(), at.into(), by.into()])
        .to_owned();
    conn.execute(&stmt).await?;
    Ok(())
}

pub async fn account_by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<AccountRow>, DbErr> {
    let stmt = Query::select().column(Asterisk).from(a("top_accounts")).and_where(Expr::col(a("id")).eq(id)).to_owned();
    conn.query_one(&stmt).await?.map(|r| account(&r)).transpose()
}

pub async fn search_accounts(conn: &impl ConnectionTrait, q: &str, limit: u64) -> Result<Vec<AccountRow>, DbErr> {
    let pattern = format!("%{}%", q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let stmt = Query::select()
        .column(Asterisk)
        .from(a("top_accounts"))
        .and_where(
            Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(a("name"))))
                .like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')),
        )
        .order_by(a("name"), Order::Asc)
        .limit(limit)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(account).collect()
}

pub async fn sub_accounts(conn: &impl ConnectionTrait, account_id: i64) -> Result<Vec<SubAccountRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(a("sub_accounts"))
        .and_where(Expr::col(a("account_id")).eq(account_id))
        .order_by(a("id"), Order::Asc)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(sub_account).collect()
}

pub async fn sub_account_by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<SubAccountRow>, DbErr> {
    let stmt = Query::select().column(Asterisk).from(a("sub_accounts")).and_where(Expr::col(a("id")).eq(id)).to_owned();
    conn.query_one(&stmt).await?.map(|r| sub_account(&r)).transpose()
}

pub async fn sub_account_of_kind(
    conn: &impl ConnectionTrait,
    account_id: i64,
    kind: &str,
) -> Result<Option<SubAccountRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(a("sub_accounts"))
        .and_where(Expr::col(a("account_id")).eq(account_id))
        .and_where(Expr::col(a("kind")).eq(kind))
        .to_owned();
    conn.query_one(&stmt).await?.map(|r| sub_account(&r)).transpose()
}

/// The Broker sub-account standing for a broker firm.
pub async fn broker_sub_account(conn: &impl ConnectionTrait, firm_id: i64) -> Result<Option<SubAccountRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(a("sub_accounts"))
        .and_where(Expr::col(a("broker_firm_id")).eq(firm_id))
        .to_owned();
    conn.query_one(&stmt).await?.map(|r| sub_account(&r)).transpose()
}

/// The top account holding an importer record, if any.
pub async fn account_of_importer(conn: &impl ConnectionTrait, importer_id: i64) -> Result<Option<i64>, DbErr> {
    let stmt = Query::select()
        .column((a("sub_accounts"), a("account_id")))
        .from(a("account_importers"))
        .inner_join(
            a("sub_accounts"),
            Expr::col((a("sub_accounts"), a("id"))).equals((a("account_importers"), a("sub_account_id"))),
        )
        .and_where(Expr::col((a("account_importers"), a("importer_id"))).eq(importer_id))
        .to_owned();
    match conn.query_one(&stmt).await? {
        Some(r) => Ok(Some(r.try_get("", "account_id")?)),
        None => Ok(None),
    }
}

pub async fn held_importers(conn: &impl ConnectionTrait, sub_account_id: i64) -> Result<Vec<HeldImporter>, DbErr> {
    let stmt = Query::select()
        .columns([
            (a("importers"), a("number")),
            (a("importers"), a("name")),
            (a("importers"), a("status")),
            (a("importers"), a("email")),
        ])
        .expr_as(Expr::col((a("account_importers"), a("importer_id"))), a("importer_id"))
        .columns([(a("account_importers"), a("added_at")), (a("account_importers"), a("added_by"))])
        .from(a("account_importers"))
        .inner_join(
            a("importers"),
            Expr::col((a("importers"), a("id"))).equals((a("account_importers"), a("importer_id"))),
        )
        .and_where(Expr::col((a("account_importers"), a("sub_account_id"))).eq(sub_account_id))
        .order_by((a("importers"), a("number")), Order::Asc)
        .to_owned();
    conn.query_all(&stmt)
        .await?
        .iter()
        .map(|r| {
            Ok(HeldImporter {
                importer_id: r.try_get("", "importer_id")?,
                number: r.try_get("", "number")?,
                name: r.try_get("", "name")?,
                status: r.try_get("", "status")?,
                email: r.try_get("", "email")?,
                added_at: r.try_get("", "added_at")?,
                added_by: r.try_get("", "added_by")?,
            })
        })
        .collect()
}

/// Grants of one user on every sub-account of its account.
pub async fn permissions_of(conn: &impl ConnectionTrait, user_id: i64) -> Result<Vec<PermissionRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(a("user_permissions"))
        .and_where(Expr::col(a("user_id")).eq(user_id))
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(permission).collect()
}

/// Grants of every user on one account (for the users page).
pub async fn permissions_in_account(conn: &impl ConnectionTrait, account_id: i64) -> Result<Vec<PermissionRow>, DbErr> {
    let stmt = Query::select()
        .column((a("user_permissions"), Asterisk))
        .from(a("user_permissions"))
        .inner_join(
            a("sub_accounts"),
            Expr::col((a("sub_accounts"), a("id"))).equals((a("user_permissions"), a("sub_account_id"))),
        )
        .and_where(Expr::col((a("sub_accounts"), a("account_id"))).eq(account_id))
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(permission).collect()
}

/// Sets (inserts or replaces) a user's grants on one sub-account.
pub async fn set_permission(conn: &impl ConnectionTrait, p: &PermissionRow) -> Result<(), DbErr> {
    let stmt = Query::insert()
        .into_table(a("user_permissions"))
        .columns(["user_id", "sub_account_id", "ach", "reports", "notify_parties"].map(a))
        .values_panic([
            p.user_id.into(),
            p.sub_account_id.into(),
            p.ach.clone().into(),
            p.reports.into(),
            p.notify_parties.into(),
        ])
        .on_conflict(
            OnConflict::columns([a("user_id"), a("sub_account_id")])
                .update_columns([a("ach"), a("reports"), a("notify_parties")])
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

/// Every sub-account of `account_id` (or only `only_sub`), with `user_id`'s grants and the held
/// importer numbers, in one statement: sub-accounts LEFT JOIN permissions, numbers and records,
/// folded here into one value per sub-account, in id order and numbers in number order.
pub async fn sub_account_details(
    conn: &impl ConnectionTrait,
    account_id: i64,
    user_id: i64,
    only_sub: Option<i64>,
) -> Result<Vec<SubAccountDetail>, DbErr> {
    let stmt = details_select(account_id, user_id, only_sub, true);
    let mut out: Vec<SubAccountDetail> = Vec::new();
    for r in conn.query_all(&stmt).await? {
        let sub = sub_account(&r)?;
        if out.last().is_none_or(|d| d.sub.id != sub.id) {
            let permission = permission_in(&r, sub.id)?;
            out.push(SubAccountDetail { sub, permission, held: Vec::new() });
        }
        let importer_id: Option<i64> = r.try_get("", "importer_id")?;
        if let (Some(importer_id), Some(d)) = (importer_id, out.last_mut()) {
            d.held.push(held_in(&r, importer_id)?);
        }
    }
    Ok(out)
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

/// A held number's columns (`number`, `i_name`, `i_status`, `email`, `added_at`, `added_by`).
fn held_in(r: &QueryResult, importer_id: i64) -> Result<HeldImporter, DbErr> {
    Ok(HeldImporter {
        importer_id,
        number: r.try_get("", "number")?,
        name: r.try_get("", "i_name")?,
        status: r.try_get("", "i_status")?,
        email: r.try_get("", "email")?,
        added_at: r.try_get("", "added_at")?,
        added_by: r.try_get("", "added_by")?,
    })
}

/// The access check of the ACH tab: as [`sub_account_details`] without the held numbers (`held`
/// empty; the tab reads them with its own data), and with the tab's generation
/// (`change_counters`) read in the same statement, so it is read before the tab's data and costs
/// no extra round trip.
pub async fn sub_account_access_with_ach_generation(
    conn: &impl ConnectionTrait,
    account_id: i64,
    user_id: i64,
    sub_id: i64,
) -> Result<Option<(SubAccountDetail, i64)>, DbErr> {
    let mut stmt = details_select(account_id, user_id, Some(sub_id), false);
    stmt.expr_as(
        Expr::cust(format!("(SELECT value FROM change_counters WHERE name = '{}')", crate::change_counters::ACH_TAB)),
        a("ach_generation"),
    );
    let Some(r) = conn.query_one(&stmt).await? else { return Ok(None) };
    let sub = sub_account(&r)?;
    let permission = permission_in(&r, sub.id)?;
    Ok(Some((SubAccountDetail { sub, permission, held: Vec::new() }, r.try_get("", "ach_generation")?)))
}

/// Join condition of `user_permissions` (`p`) to `sub_accounts` (`s`): the user's own row only.
fn own_permission(s: &Alias, p: &Alias, user_id: i64) -> sea_orm::sea_query::Expr {
    Expr::col((p.clone(), a("sub_account_id")))
        .equals((s.clone(), a("id")))
        .and(Expr::col((p.clone(), a("user_id"))).eq(user_id))
}

/// The sub-accounts of an account with the user's permission on each, and optionally their numbers.
fn details_select(
    account_id: i64,
    user_id: i64,
    only_sub: Option<i64>,
    with_numbers: bool,
) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::sea_query::JoinType;
    let (s, p, ai, i) = (a("sub_accounts"), a("user_permissions"), a("account_importers"), a("importers"));
    let mut stmt = Query::select()
        .columns([
            (s.clone(), a("id")),
            (s.clone(), a("account_id")),
            (s.clone(), a("kind")),
            (s.clone(), a("broker_firm_id")),
            (s.clone(), a("created_at")),
        ])
        .expr_as(Expr::col((p.clone(), a("user_id"))), a("perm_user_id"))
        .columns([(p.clone(), a("ach")), (p.clone(), a("reports")), (p.clone(), a("notify_parties"))])
        .from(s.clone())
        .join(JoinType::LeftJoin, p.clone(), own_permission(&s, &p, user_id))
        .and_where(Expr::col((s.clone(), a("account_id"))).eq(account_id))
        .order_by((s.clone(), a("id")), Order::Asc)
        .to_owned();
    if with_numbers {
        stmt.expr_as(Expr::col((ai.clone(), a("importer_id"))), a("importer_id"))
            .expr_as(Expr::col((ai.clone(), a("added_at"))), a("added_at"))
            .expr_as(Expr::col((ai.clone(), a("added_by"))), a("added_by"))
            .columns([(i.clone(), a("number")), (i.clone(), a("email"))])
            .expr_as(Expr::col((i.clone(), a("name"))), a("i_name"))
            .expr_as(Expr::col((i.clone(), a("status"))), a("i_status"))
            .join(
                JoinType::LeftJoin,
                ai.clone(),
                Expr::col((ai.clone(), a("sub_account_id"))).equals((s.clone(), a("id"))),
            )
            .join(JoinType::LeftJoin, i.clone(), Expr::col((i.clone(), a("id"))).equals((ai.clone(), a("importer_id"))))
            .order_by((i.clone(), a("number")), Order::Asc);
    }
    if let Some(id) = only_sub {
        stmt.and_where(Expr::col((s.clone(), a("id"))).eq(id));
    }
    stmt
}

/// The account overview in **one statement**: the account with its owner's name and member
/// count, LEFT JOIN its sub-accounts, the user's grants on each and the numbers each holds. It
/// is the page every portal user lands on; on PostgreSQL each statement is a round trip, so the
/// page is read in one (docs/performance.md).
pub async fn overview(
    conn: &impl ConnectionTrait,
    account_id: i64,
    user_id: i64,
) -> Result<Option<(AccountSummary, Vec<SubAccountDetail>)>, DbErr> {
    use sea_orm::sea_query::{Func, JoinType, QueryStatementBuilder};
    let (t, s, p, ai, i) =
        (a("top_accounts"), a("sub_accounts"), a("user_permissions"), a("account_importers"), a("importers"));
    let users_of_account = || Expr::col((a("u"), a("account_id"))).equals((t.clone(), a("id")));
    let owner = Query::select()
        .column((a("u"), a("name")))
        .from_as(a("users"), a("u"))
        .and_where(users_of_account())
        .and_where(Expr::col((a("u"), a("account_role"))).eq("tao"))
        .limit(1)
        .to_owned();
    let count = Query::select()
        .expr(Func::count(Expr::val(1)))
        .from_as(a("users"), a("u"))
        .and_where(users_of_account())
        .to_owned();
    let col = |table: &Alias, c: &str, alias: &str| (Expr::col((table.clone(), a(c))), a(alias));
    let mut stmt = Query::select();
    for (e, alias) in [
        col(&t, "id", "t_id"),
        col(&t, "name", "t_name"),
        col(&t, "status", "t_status"),
        col(&t, "created_at", "t_created_at"),
        col(&s, "id", "s_id"),
        col(&s, "kind", "s_kind"),
        col(&s, "broker_firm_id", "s_broker_firm_id"),
        col(&s, "created_at", "s_created_at"),
        col(&p, "user_id", "perm_user_id"),
        col(&p, "ach", "ach"),
        col(&p, "reports", "reports"),
        col(&p, "notify_parties", "notify_parties"),
        col(&ai, "importer_id", "importer_id"),
        col(&ai, "added_at", "added_at"),
        col(&ai, "added_by", "added_by"),
        col(&i, "number", "number"),
        col(&i, "name", "i_name"),
        col(&i, "status", "i_status"),
        col(&i, "email", "email"),
    ] {
        stmt.expr_as(e, alias);
    }
    stmt.expr_as(Expr::SubQuery(None, Box::new(owner.into_sub_query_statement())), a("owner_name"))
        .expr_as(Expr::SubQuery(None, Box::new(count.into_sub_query_statement())), a("users"))
        .from(t.clone())
        .join(JoinType::LeftJoin, s.clone(), Expr::col((s.clone(), a("account_id"))).equals((t.clone(), a("id"))))
        .join(JoinType::LeftJoin, p.clone(), own_permission(&s, &p, user_id))
        .join(JoinType::LeftJoin, ai.clone(), Expr::col((ai.clone(), a("sub_account_id"))).equals((s.clone(), a("id"))))
        .join(JoinType::LeftJoin, i.clone(), Expr::col((i.clone(), a("id"))).equals((ai.clone(), a("importer_id"))))
        .and_where(Expr::col((t.clone(), a("id"))).eq(account_id))
        .order_by((s.clone(), a("id")), Order::Asc)
        .order_by((i.clone(), a("number")), Order::Asc);
    let rows = conn.query_all(&stmt).await?;
    let Some(first) = rows.first() else { return Ok(None) };
    let summary = AccountSummary {
        account: AccountRow {
            id: first.try_get("", "t_id")?,
            name: first.try_get("", "t_name")?,
            status: first.try_get("", "t_status")?,
            created_at: first.try_get("", "t_created_at")?,
        },
        owner_name: first.try_get("", "owner_name")?,
        users: first.try_get("", "users")?,
    };
    let mut subs: Vec<SubAccountDetail> = Vec::new();
    for r in &rows {
        let Some(sub_id) = r.try_get::<Option<i64>>("", "s_id")? else { continue };
        if subs.last().is_none_or(|d| d.sub.id != sub_id) {
            let permission = permission_in(r, sub_id)?;
            let sub = SubAccountRow {
                id: sub_id,
                account_id,
                kind: r.try_get("", "s_kind")?,
                broker_firm_id: r.try_get("", "s_broker_firm_id")?,
                created_at: r.try_get("", "s_created_at")?,
            };
            subs.push(SubAccountDetail { sub, permission, held: Vec::new() });
        }
        let importer_id: Option<i64> = r.try_get("", "importer_id")?;
        if let (Some(importer_id), Some(d)) = (importer_id, subs.last_mut()) {
            d.held.push(held_in(r, importer_id)?);
        }
    }
    Ok(Some((summary, subs)))
}

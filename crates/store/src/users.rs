//! Users: CBP staff, and trade-portal users (broker and importer companies) who belong to a
//! top account with a role.

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use time::OffsetDateTime;

fn a(s: &str) -> Alias {
    Alias::new(s)
}

#[derive(Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub firm_id: Option<i64>,
    pub active: bool,
    pub created_at: OffsetDateTime,
    pub last_login_at: Option<OffsetDateTime>,
    pub account_id: Option<i64>,
    /// tao, proxy-tao, user; empty for CBP staff.
    pub account_role: String,
    /// email or totp; empty until enrolled.
    pub second_factor: String,
    pub totp_secret: String,
    pub totp_last_step: Option<i64>,
    pub locked_until: Option<OffsetDateTime>,
    pub deactivated_reason: String,
}

/// The password hash stays out of Debug output.
impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("role", &self.role)
            .field("firm_id", &self.firm_id)
            .field("account_id", &self.account_id)
            .field("account_role", &self.account_role)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

pub(crate) fn from_row(r: &QueryResult) -> Result<UserRow, DbErr> {
    Ok(UserRow {
        id: r.try_get("", "id")?,
        email: r.try_get("", "email")?,
        name: r.try_get("", "name")?,
        role: r.try_get("", "role")?,
        password_hash: r.try_get("", "password_hash")?,
        firm_id: r.try_get("", "firm_id")?,
        active: r.try_get("", "active")?,
        created_at: r.try_get("", "created_at")?,
        last_login_at: r.try_get("", "last_login_at")?,
        account_id: r.try_get("", "account_id")?,
        account_role: r.try_get("", "account_role")?,
        second_factor: r.try_get("", "second_factor")?,
        totp_secret: r.try_get("", "totp_secret")?,
        totp_last_step: r.try_get("", "totp_last_step")?,
        locked_until: r.try_get("", "locked_until")?,
        deactivated_reason: r.try_get("", "deactivated_reason")?,
    })
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub firm_id: Option<i64>,
    pub account_id: Option<i64>,
    pub account_role: &'a str,
}

pub async fn insert(conn: &impl ConnectionTrait, u: &NewUser<'_>, at: OffsetDateTime) -> Result<i64, DbErr> {
    let stmt = Query::insert()
        .into_table(a("users"))
        .columns(
            ["email", "name", "role", "password_hash", "firm_id", "account_id", "account_role", "active", "created_at"]
                .map(a),
        )
        .values_panic([
            u.email.into(),
            u.name.into(),
            u.role.into(),
            u.password_hash.into(),
            u.firm_id.into(),
            u.account_id.into(),
            u.account_role.into(),
            true.into(),
            at.into(),
        ])
        .returning_col(a("id"))
        .to_owned();
    let r = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?;
    r.try_get("", "id")
}

pub async fn by_email(conn: &impl ConnectionTrait, email: &str) -> Result<Option<UserRow>, DbErr> {
    let stmt = Query::select().column(Asterisk).from(a("users")).and_where(Expr::col(a("email")).eq(email)).to_owned();
    conn.query_one(&stmt).await?.map(|r| from_row(&r)).transpose()
}

pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<UserRow>, DbErr> {
    let stmt = Query::select().column(Asterisk).from(a("users")).and_where(Expr::col(a("id")).eq(id)).to_owned();
    conn.query_one(&stmt).await?.map(|r| from_row(&r)).transpose()
}

pub async fn touch_login(conn: &impl ConnectionTrait, id: i64, at: OffsetDateTime) -> Result<(), DbErr> {
    let stmt =
        Query::update().table(a("users")).value(a("last_login_at"), at).and_where(Expr::col(a("id")).eq(id)).to_owned();
    conn.execute(&stmt).await?;
    Ok(())
}

pub async fn count(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let stmt = Query::select().expr_as(Expr::col(Asterisk).count(), a("n")).from(a("users")).to_owned();
    let n: i64 = match conn.query_one(&stmt).await? {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Sets named columns of one user (a small, explicit list of updates keeps call sites readable).
pub async fn set(conn: &impl ConnectionTrait, id: i64, values: Vec<(&str, sea_orm::Value)>) -> Result<bool, DbErr> {
    let mut stmt = Query::update();
    stmt.table(a("users")).and_where(Expr::col(a("id")).eq(id));
    for (col, v) in values {
        stmt.value(a(col), v);
    }
    Ok(conn.execute(&stmt).await?.rows_affected() == 1)
}

/// Accepts a TOTP step only if it is later than the last one accepted (replay guard that holds
/// across server instances: the conditional UPDATE decides).
pub async fn accept_totp_step(conn: &impl ConnectionTrait, id: i64, step: i64) -> Result<bool, DbErr> {
    let stmt = Query::update()
        .table(a("users"))
        .value(a("totp_last_step"), step)
        .and_where(Expr::col(a("id")).eq(id))
        .and_where(Expr::col(a("totp_last_step")).is_null().or(Expr::col(a("totp_last_step")).lt(step)))
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected() == 1)
}

/// Members of a top account, owners first.
pub async fn in_account(conn: &impl ConnectionTrait, account_id: i64) -> Result<Vec<UserRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(a("users"))
        .and_where(Expr::col(a("account_id")).eq(account_id))
        .order_by(a("id"), sea_orm::sea_query::Order::Asc)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(from_row).collect()
}

/// Active portal users whose last login (or creation, if never) is before `cutoff`.
pub async fn idle_since(conn: &impl ConnectionTrait, cutoff: OffsetDateTime) -> Result<Vec<UserRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(a("users"))
        .and_where(Expr::col(a("account_id")).is_not_null())
        .and_where(Expr::col(a("active")).eq(true))
        .and_where(
            Expr::col(a("last_login_at"))
                .lt(cutoff)
                .or(Expr::col(a("last_login_at")).is_null().and(Expr::col(a("created_at")).lt(cutoff))),
        )
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(from_row).collect()
}

/// Users whose email or name contains `q` (CBP staff console), newest first.
pub async fn search(conn: &impl ConnectionTrait, q: &str, limit: u64) -> Result<Vec<UserRow>, DbErr> {
    let pattern = format!("%{}%", q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let stmt = Query::select()
        .column(Asterisk)
        .from(a("users"))
        .and_where(
            Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(a("email"))))
                .like(sea_orm::sea_query::LikeExpr::new(&pattern).escape('\\'))
                .or(Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(a("name"))))
                    .like(sea_orm::sea_query::LikeExpr::new(&pattern).escape('\\'))),
        )
        .order_by(a("id"), sea_orm::sea_query::Order::Desc)
        .limit(limit)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(from_row).collect()
}

/// Users with a sealed TOTP secret (key rotation re-seals them).
pub async fn with_totp_secret(conn: &impl ConnectionTrait) -> Result<Vec<UserRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(a("users"))
        .and_where(Expr::col(a("totp_secret")).ne(""))
        .order_by(a("id"), sea_orm::sea_query::Order::Asc)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(from_row).collect()
}

//! Users: CBP staff, and trade-portal users (broker and importer companies) who belong to a
//! top account with a role.

use crate::schema::{Col, Users};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use time::OffsetDateTime;

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
        id: r.col(Users::Id)?,
        email: r.col(Users::Email)?,
        name: r.col(Users::Name)?,
        role: r.col(Users::Role)?,
        password_hash: r.col(Users::PasswordHash)?,
        firm_id: r.col(Users::FirmId)?,
        active: r.col(Users::Active)?,
        created_at: r.col(Users::CreatedAt)?,
        last_login_at: r.col(Users::LastLoginAt)?,
        account_id: r.col(Users::AccountId)?,
        account_role: r.col(Users::AccountRole)?,
        second_factor: r.col(Users::SecondFactor)?,
        totp_secret: r.col(Users::TotpSecret)?,
        totp_last_step: r.col(Users::TotpLastStep)?,
        locked_until: r.col(Users::LockedUntil)?,
        deactivated_reason: r.col(Users::DeactivatedReason)?,
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
        .into_table(Users::Table)
        .columns([
            Users::Email,
            Users::Name,
            Users::Role,
            Users::PasswordHash,
            Users::FirmId,
            Users::AccountId,
            Users::AccountRole,
            Users::Active,
            Users::CreatedAt,
        ])
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
        .returning_col(Users::Id)
        .to_owned();
    let r = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?;
    r.try_get("", "id")
}

pub async fn by_email(conn: &impl ConnectionTrait, email: &str) -> Result<Option<UserRow>, DbErr> {
    let stmt =
        Query::select().column(Asterisk).from(Users::Table).and_where(Expr::col(Users::Email).eq(email)).to_owned();
    conn.query_one(&stmt).await?.map(|r| from_row(&r)).transpose()
}

pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<UserRow>, DbErr> {
    let stmt = Query::select().column(Asterisk).from(Users::Table).and_where(Expr::col(Users::Id).eq(id)).to_owned();
    conn.query_one(&stmt).await?.map(|r| from_row(&r)).transpose()
}

pub async fn touch_login(conn: &impl ConnectionTrait, id: i64, at: OffsetDateTime) -> Result<(), DbErr> {
    let stmt = Query::update()
        .table(Users::Table)
        .value(Users::LastLoginAt, at)
        .and_where(Expr::col(Users::Id).eq(id))
        .to_owned();
    conn.execute(&stmt).await?;
    Ok(())
}

pub async fn count(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let stmt = Query::select().expr_as(Expr::col(Asterisk).count(), Alias::new("n")).from(Users::Table).to_owned();
    let n: i64 = match conn.query_one(&stmt).await? {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Sets named columns of one user (a small, explicit list of updates keeps call sites readable).
pub async fn set(conn: &impl ConnectionTrait, id: i64, values: Vec<(Users, sea_orm::Value)>) -> Result<bool, DbErr> {
    let mut stmt = Query::update();
    stmt.table(Users::Table).and_where(Expr::col(Users::Id).eq(id));
    for (col, v) in values {
        stmt.value(col, v);
    }
    Ok(conn.execute(&stmt).await?.rows_affected() == 1)
}

/// Accepts a TOTP step only if it is later than the last one accepted (replay guard that holds
/// across server instances: the conditional UPDATE decides).
pub async fn accept_totp_step(conn: &impl ConnectionTrait, id: i64, step: i64) -> Result<bool, DbErr> {
    let stmt = Query::update()
        .table(Users::Table)
        .value(Users::TotpLastStep, step)
        .and_where(Expr::col(Users::Id).eq(id))
        .and_where(Expr::col(Users::TotpLastStep).is_null().or(Expr::col(Users::TotpLastStep).lt(step)))
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected() == 1)
}

/// Members of a top account, owners first.
pub async fn in_account(conn: &impl ConnectionTrait, account_id: i64) -> Result<Vec<UserRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(Users::Table)
        .and_where(Expr::col(Users::AccountId).eq(account_id))
        .order_by(Users::Id, sea_orm::sea_query::Order::Asc)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(from_row).collect()
}

/// Active portal users whose last login (or creation, if never) is before `cutoff`.
pub async fn idle_since(conn: &impl ConnectionTrait, cutoff: OffsetDateTime) -> Result<Vec<UserRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(Users::Table)
        .and_where(Expr::col(Users::AccountId).is_not_null())
        .and_where(Expr::col(Users::Active).eq(true))
        .and_where(
            Expr::col(Users::LastLoginAt)
                .lt(cutoff)
                .or(Expr::col(Users::LastLoginAt).is_null().and(Expr::col(Users::CreatedAt).lt(cutoff))),
        )
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(from_row).collect()
}

/// Users whose email or name contains `q` (CBP staff console), newest first.
pub async fn search(conn: &impl ConnectionTrait, q: &str, limit: u64) -> Result<Vec<UserRow>, DbErr> {
    let pattern = format!("%{}%", q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let stmt = Query::select()
        .column(Asterisk)
        .from(Users::Table)
        .and_where(
            Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(Users::Email)))
                .like(sea_orm::sea_query::LikeExpr::new(&pattern).escape('\\'))
                .or(Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(Users::Name)))
                    .like(sea_orm::sea_query::LikeExpr::new(&pattern).escape('\\'))),
        )
        .order_by(Users::Id, sea_orm::sea_query::Order::Desc)
        .limit(limit)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(from_row).collect()
}

/// Users with a sealed TOTP secret (key rotation re-seals them).
pub async fn with_totp_secret(conn: &impl ConnectionTrait) -> Result<Vec<UserRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(Users::Table)
        .and_where(Expr::col(Users::TotpSecret).ne(""))
        .order_by(Users::Id, sea_orm::sea_query::Order::Asc)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(from_row).collect()
}

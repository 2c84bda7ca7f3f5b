//! One-time secrets sent by mail (application codes, login codes, invitation and reset links)
//! and recovery codes. Only SHA-256 hashes are stored.
//!
//! Every state change is a conditional UPDATE whose row count decides, so two server instances
//! racing on the same code cannot both use it.

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use time::OffsetDateTime;

fn a(s: &str) -> Alias {
    Alias::new(s)
}

#[derive(Clone, PartialEq, Eq)]
pub struct SecretRow {
    pub id: i64,
    pub purpose: String,
    pub subject: String,
    pub secret_hash: String,
    pub attempts: i32,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
}

impl std::fmt::Debug for SecretRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretRow")
            .field("id", &self.id)
            .field("purpose", &self.purpose)
            .field("subject", &self.subject)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

fn from_row(r: &QueryResult) -> Result<SecretRow, DbErr> {
    Ok(SecretRow {
        id: r.try_get("", "id")?,
        purpose: r.try_get("", "purpose")?,
        subject: r.try_get("", "subject")?,
        secret_hash: r.try_get("", "secret_hash")?,
        attempts: r.try_get("", "attempts")?,
        created_at: r.try_get("", "created_at")?,
        expires_at: r.try_get("", "expires_at")?,
        used_at: r.try_get("", "used_at")?,
    })
}

/// Issues a new secret for (purpose, subject) and retires every earlier unused one: a new code
/// invalidates the old.
pub async fn issue(
    conn: &impl ConnectionTrait,
    purpose: &str,
    subject: &str,
    secret_hash: &str,
    at: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<i64, DbErr> {
    let retire = Query::update()
        .table(a("one_time_secrets"))
        .value(a("used_at"), at)
        .and_where(Expr::col(a("purpose")).eq(purpose))
        .and_where(Expr::col(a("subject")).eq(subject))
        .and_where(Expr::col(a("used_at")).is_null())
        .to_owned();
    conn.execute(&retire).await?;
    let stmt = Query::insert()
        .into_table(a("one_time_secrets"))
        .columns(["purpose", "subject", "secret_hash", "attempts", "created_at", "expires_at"].map(a))
        .values_panic([purpose.into(), subject.into(), secret_hash.into(), 0.into(), at.into(), expires_at.into()])
        .returning_col(a("id"))
        .to_owned();
    let r = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?;
    r.try_get("", "id")
}

/// The current (latest unused) secret for (purpose, subject), expired or not.
pub async fn current(conn: &impl ConnectionTrait, purpose: &str, subject: &str) -> Result<Option<SecretRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(a("one_time_secrets"))
        .and_where(Expr::col(a("purpose")).eq(purpose))
        .and_where(Expr::col(a("subject")).eq(subject))
        .and_where(Expr::col(a("used_at")).is_null())
        .order_by(a("id"), Order::Desc)
        .limit(1)
        .to_owned();
    conn.query_one(&stmt).await?.map(|r| from_row(&r)).transpose()
}

/// A link secret by its hash (links carry the secret; the subject comes from the row).
pub async fn by_hash(
    conn: &impl ConnectionTrait,
    purpose: &str,
    secret_hash: &str,
) -> Result<Option<SecretRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(a("one_time_secrets"))
        .and_where(Expr::col(a("purpose")).eq(purpose))
        .and_where(Expr::col(a("secret_hash")).eq(secret_hash))
        .to_owned();
    conn.query_one(&stmt).await?.map(|r| from_row(&r)).transpose()
}

/// Counts one try; false when the secret is already used or has had `max` tries.
pub async fn count_attempt(conn: &impl ConnectionTrait, id: i64, max: i32) -> Result<bool, DbErr> {
    let stmt = Query::update()
        .table(a("one_time_secrets"))
        .value(a("attempts"), Expr::col(a("attempts")).add(1))
        .and_where(Expr::col(a("id")).eq(id))
        .and_where(Expr::col(a("used_at")).is_null())
        .and_where(Expr::col(a("attempts")).lt(max))
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected() == 1)
}

/// Marks the secret used; false when someone else used it first.
pub async fn mark_used(conn: &impl ConnectionTrait, id: i64, at: OffsetDateTime) -> Result<bool, DbErr> {
    let stmt = Query::update()
        .table(a("one_time_secrets"))
        .value(a("used_at"), at)
        .and_where(Expr::col(a("id")).eq(id))
        .and_where(Expr::col(a("used_at")).is_null())
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected() == 1)
}

/// Replaces a user's recovery codes.
pub async fn replace_recovery_codes(
    conn: &impl ConnectionTrait,
    user_id: i64,
    hashes: &[String],
    at: OffsetDateTime,
) -> Result<(), DbErr> {
    let del = Query::delete().from_table(a("recovery_codes")).and_where(Expr::col(a("user_id")).eq(user_id)).to_owned();
    conn.execute(&del).await?;
    if hashes.is_empty() {
        return Ok(());
    }
    let mut stmt = Query::insert();
    stmt.into_table(a("recovery_codes")).columns(["user_id", "code_hash", "created_at"].map(a));
    for h in hashes {
        stmt.values_panic([user_id.into(), h.clone().into(), at.into()]);
    }
    conn.execute(&stmt).await?;
    Ok(())
}

/// Uses one unused recovery code; false when there is none with this hash.
pub async fn use_recovery_code(
    conn: &impl ConnectionTrait,
    user_id: i64,
    hash: &str,
    at: OffsetDateTime,
) -> Result<bool, DbErr> {
    let stmt = Query::update()
        .table(a("recovery_codes"))
        .value(a("used_at"), at)
        .and_where(Expr::col(a("user_id")).eq(user_id))
        .and_where(Expr::col(a("code_hash")).eq(hash))
        .and_where(Expr::col(a("used_at")).is_null())
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected() >= 1)
}

pub async fn unused_recovery_codes(conn: &impl ConnectionTrait, user_id: i64) -> Result<u64, DbErr> {
    let stmt = Query::select()
        .expr_as(Expr::col(Asterisk).count(), a("n"))
        .from(a("recovery_codes"))
        .and_where(Expr::col(a("user_id")).eq(user_id))
        .and_where(Expr::col(a("used_at")).is_null())
        .to_owned();
    let n: i64 = match conn.query_one(&stmt).await? {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

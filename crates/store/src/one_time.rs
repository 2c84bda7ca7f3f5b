//! One-time secrets sent by mail (application codes, login codes, invitation and reset links)
//! and recovery codes. Only SHA-256 hashes are stored.
//!
//! Every state change is a conditional UPDATE whose row count decides, so two server instances
//! racing on the same code cannot both use it.

use crate::schema::{Col, OneTimeSecrets, RecoveryCodes};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use time::OffsetDateTime;

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
        id: r.col(OneTimeSecrets::Id)?,
        purpose: r.col(OneTimeSecrets::Purpose)?,
        subject: r.col(OneTimeSecrets::Subject)?,
        secret_hash: r.col(OneTimeSecrets::SecretHash)?,
        attempts: r.col(OneTimeSecrets::Attempts)?,
        created_at: r.col(OneTimeSecrets::CreatedAt)?,
        expires_at: r.col(OneTimeSecrets::ExpiresAt)?,
        used_at: r.col(OneTimeSecrets::UsedAt)?,
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
        .table(OneTimeSecrets::Table)
        .value(OneTimeSecrets::UsedAt, at)
        .and_where(Expr::col(OneTimeSecrets::Purpose).eq(purpose))
        .and_where(Expr::col(OneTimeSecrets::Subject).eq(subject))
        .and_where(Expr::col(OneTimeSecrets::UsedAt).is_null())
        .to_owned();
    conn.execute(&retire).await?;
    let stmt = Query::insert()
        .into_table(OneTimeSecrets::Table)
        .columns([
            OneTimeSecrets::Purpose,
            OneTimeSecrets::Subject,
            OneTimeSecrets::SecretHash,
            OneTimeSecrets::Attempts,
            OneTimeSecrets::CreatedAt,
            OneTimeSecrets::ExpiresAt,
        ])
        .values_panic([purpose.into(), subject.into(), secret_hash.into(), 0.into(), at.into(), expires_at.into()])
        .returning_col(OneTimeSecrets::Id)
        .to_owned();
    let r = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?;
    r.try_get("", "id")
}

/// The current (latest unused) secret for (purpose, subject), expired or not.
pub async fn current(conn: &impl ConnectionTrait, purpose: &str, subject: &str) -> Result<Option<SecretRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(OneTimeSecrets::Table)
        .and_where(Expr::col(OneTimeSecrets::Purpose).eq(purpose))
        .and_where(Expr::col(OneTimeSecrets::Subject).eq(subject))
        .and_where(Expr::col(OneTimeSecrets::UsedAt).is_null())
        .order_by(OneTimeSecrets::Id, Order::Desc)
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
        .from(OneTimeSecrets::Table)
        .and_where(Expr::col(OneTimeSecrets::Purpose).eq(purpose))
        .and_where(Expr::col(OneTimeSecrets::SecretHash).eq(secret_hash))
        .to_owned();
    conn.query_one(&stmt).await?.map(|r| from_row(&r)).transpose()
}

/// Counts one try; false when the secret is already used or has had `max` tries.
pub async fn count_attempt(conn: &impl ConnectionTrait, id: i64, max: i32) -> Result<bool, DbErr> {
    let stmt = Query::update()
        .table(OneTimeSecrets::Table)
        .value(OneTimeSecrets::Attempts, Expr::col(OneTimeSecrets::Attempts).add(1))
        .and_where(Expr::col(OneTimeSecrets::Id).eq(id))
        .and_where(Expr::col(OneTimeSecrets::UsedAt).is_null())
        .and_where(Expr::col(OneTimeSecrets::Attempts).lt(max))
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected() == 1)
}

/// Marks the secret used; false when someone else used it first.
pub async fn mark_used(conn: &impl ConnectionTrait, id: i64, at: OffsetDateTime) -> Result<bool, DbErr> {
    let stmt = Query::update()
        .table(OneTimeSecrets::Table)
        .value(OneTimeSecrets::UsedAt, at)
        .and_where(Expr::col(OneTimeSecrets::Id).eq(id))
        .and_where(Expr::col(OneTimeSecrets::UsedAt).is_null())
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
    let del = Query::delete()
        .from_table(RecoveryCodes::Table)
        .and_where(Expr::col(RecoveryCodes::UserId).eq(user_id))
        .to_owned();
    conn.execute(&del).await?;
    if hashes.is_empty() {
        return Ok(());
    }
    let mut stmt = Query::insert();
    stmt.into_table(RecoveryCodes::Table).columns([
        RecoveryCodes::UserId,
        RecoveryCodes::CodeHash,
        RecoveryCodes::CreatedAt,
    ]);
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
        .table(RecoveryCodes::Table)
        .value(RecoveryCodes::UsedAt, at)
        .and_where(Expr::col(RecoveryCodes::UserId).eq(user_id))
        .and_where(Expr::col(RecoveryCodes::CodeHash).eq(hash))
        .and_where(Expr::col(RecoveryCodes::UsedAt).is_null())
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected() >= 1)
}

pub async fn unused_recovery_codes(conn: &impl ConnectionTrait, user_id: i64) -> Result<u64, DbErr> {
    let stmt = Query::select()
        .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
        .from(RecoveryCodes::Table)
        .and_where(Expr::col(RecoveryCodes::UserId).eq(user_id))
        .and_where(Expr::col(RecoveryCodes::UsedAt).is_null())
        .to_owned();
    let n: i64 = match conn.query_one(&stmt).await? {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

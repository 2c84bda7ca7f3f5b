//! Browser sessions, kept in the database so several server instances share them.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbErr};
use time::OffsetDateTime;

use crate::users::{UserRow, from_row};

fn a(s: &str) -> Alias {
    Alias::new(s)
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    id_hash: &str,
    user_id: i64,
    at: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<(), DbErr> {
    let stmt = Query::insert()
        .into_table(a("sessions"))
        .columns(["id_hash", "user_id", "created_at", "last_seen_at", "expires_at"].map(a))
        .values_panic([id_hash.into(), user_id.into(), at.into(), at.into(), expires_at.into()])
        .to_owned();
    conn.execute(&stmt).await?;
    Ok(())
}

/// The session's active user, when the session exists, has not expired, and was seen after
/// `idle_since`. Seeing it moves `last_seen_at`.
pub async fn user_for(
    conn: &impl ConnectionTrait,
    id_hash: &str,
    now: OffsetDateTime,
    idle_since: OffsetDateTime,
) -> Result<Option<UserRow>, DbErr> {
    let stmt = Query::select()
        .column((a("users"), sea_orm::sea_query::Asterisk))
        .from(a("sessions"))
        .inner_join(a("users"), Expr::col((a("users"), a("id"))).equals((a("sessions"), a("user_id"))))
        .and_where(Expr::col((a("sessions"), a("id_hash"))).eq(id_hash))
        .and_where(Expr::col((a("sessions"), a("expires_at"))).gt(now))
        .and_where(Expr::col((a("sessions"), a("last_seen_at"))).gt(idle_since))
        .and_where(Expr::col((a("users"), a("active"))).eq(true))
        .to_owned();
    let Some(row) = conn.query_one(&stmt).await? else { return Ok(None) };
    let touch = Query::update()
        .table(a("sessions"))
        .value(a("last_seen_at"), now)
        .and_where(Expr::col(a("id_hash")).eq(id_hash))
        .to_owned();
    conn.execute(&touch).await?;
    from_row(&row).map(Some)
}

pub async fn delete(conn: &impl ConnectionTrait, id_hash: &str) -> Result<(), DbErr> {
    let stmt = Query::delete().from_table(a("sessions")).and_where(Expr::col(a("id_hash")).eq(id_hash)).to_owned();
    conn.execute(&stmt).await?;
    Ok(())
}

pub async fn delete_expired(conn: &impl ConnectionTrait, now: OffsetDateTime) -> Result<u64, DbErr> {
    let stmt = Query::delete().from_table(a("sessions")).and_where(Expr::col(a("expires_at")).lte(now)).to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected())
}

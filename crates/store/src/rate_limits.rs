//! Fixed-window rate-limit counters in the database, so every server instance counts the same
//! attempts (an in-memory limiter per instance would multiply the allowance by the instances).

use crate::schema::RateLimits;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, DbErr};
use time::OffsetDateTime;

/// Counts one hit on `key` and returns the hits in the current window (this one included).
/// A window older than `window_start` is restarted at `now`.
pub async fn hit(
    conn: &impl ConnectionTrait,
    key: &str,
    now: OffsetDateTime,
    window_start: OffsetDateTime,
) -> Result<i64, DbErr> {
    // One statement: insert, or restart an old window, or count one more in the current one.
    let fresh = Expr::col((RateLimits::Table, RateLimits::WindowStart)).lt(window_start);
    let stmt = Query::insert()
        .into_table(RateLimits::Table)
        .columns([RateLimits::Key, RateLimits::WindowStart, RateLimits::Hits])
        .values_panic([key.into(), now.into(), 1.into()])
        .on_conflict(
            OnConflict::column(RateLimits::Key)
                .value(
                    RateLimits::Hits,
                    Expr::case(fresh.clone(), Expr::val(1))
                        .finally(Expr::col((RateLimits::Table, RateLimits::Hits)).add(1)),
                )
                .value(
                    RateLimits::WindowStart,
                    Expr::case(fresh, Expr::val(now)).finally(Expr::col((RateLimits::Table, RateLimits::WindowStart))),
                )
                .to_owned(),
        )
        .returning_col(RateLimits::Hits)
        .to_owned();
    let r = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("rate limit upsert returned nothing".into()))?;
    let hits: i32 = r.try_get("", "hits")?;
    Ok(i64::from(hits))
}

/// Hits in the current window without counting one.
pub async fn peek(conn: &impl ConnectionTrait, key: &str, window_start: OffsetDateTime) -> Result<i64, DbErr> {
    let stmt = Query::select()
        .column(RateLimits::Hits)
        .from(RateLimits::Table)
        .and_where(Expr::col(RateLimits::Key).eq(key))
        .and_where(Expr::col(RateLimits::WindowStart).gte(window_start))
        .to_owned();
    match conn.query_one(&stmt).await? {
        Some(r) => Ok(i64::from(r.try_get::<i32>("", "hits")?)),
        None => Ok(0),
    }
}

/// Forgets a key (after a successful login, the failures before it no longer count).
pub async fn clear(conn: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    let stmt = Query::delete().from_table(RateLimits::Table).and_where(Expr::col(RateLimits::Key).eq(key)).to_owned();
    conn.execute(&stmt).await?;
    Ok(())
}

/// Drops windows that ended before `before` (housekeeping).
pub async fn prune(conn: &impl ConnectionTrait, before: OffsetDateTime) -> Result<u64, DbErr> {
    let stmt = Query::delete()
        .from_table(RateLimits::Table)
        .and_where(Expr::col(RateLimits::WindowStart).lt(before))
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected())
}

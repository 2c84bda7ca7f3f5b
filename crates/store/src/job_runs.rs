//! Claims that keep a daily job (certification) to one run across instances, and let another
//! instance finish it when the one running it dies.
//!
//! The first instance to insert `(job, day)` runs it and refreshes the row's heartbeat as it
//! goes. A claim that is not finished and whose heartbeat is older than the caller's
//! `stale_before` belonged to an instance that died (killed, or its host lost): the next caller
//! takes it over with one conditional `UPDATE`, so only one of several waiting instances does.
//! Jobs run this way are idempotent, so a takeover that races a slow but living instance costs
//! time, never a double effect.

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, DbErr};
use time::OffsetDateTime;

use crate::schema::refunds::JobRuns as J;

/// True when this caller now holds `(job, day)`: it was free, or its holder stopped beating
/// before `stale_before` without finishing.
pub async fn claim(
    conn: &impl ConnectionTrait,
    job: &str,
    day: &str,
    at: OffsetDateTime,
    stale_before: OffsetDateTime,
) -> Result<bool, DbErr> {
    let insert = Query::insert()
        .into_table(J::Table)
        .columns([J::Job, J::RunOn, J::StartedAt, J::HeartbeatAt])
        .values_panic([job.into(), day.into(), at.into(), at.into()])
        .on_conflict(OnConflict::columns([J::Job, J::RunOn]).do_nothing().to_owned())
        .to_owned();
    if conn.execute(&insert).await?.rows_affected() == 1 {
        return Ok(true);
    }
    let take_over = Query::update()
        .table(J::Table)
        .values([(J::StartedAt, at.into()), (J::HeartbeatAt, at.into())])
        .and_where(Expr::col(J::Job).eq(job))
        .and_where(Expr::col(J::RunOn).eq(day))
        .and_where(Expr::col(J::FinishedAt).is_null())
        .and_where(Expr::col(J::HeartbeatAt).lt(stale_before))
        .to_owned();
    Ok(conn.execute(&take_over).await?.rows_affected() == 1)
}

/// The holder is alive.
pub async fn beat(conn: &impl ConnectionTrait, job: &str, day: &str, at: OffsetDateTime) -> Result<(), DbErr> {
    let stmt = Query::update()
        .table(J::Table)
        .value(J::HeartbeatAt, at)
        .and_where(Expr::col(J::Job).eq(job))
        .and_where(Expr::col(J::RunOn).eq(day))
        .to_owned();
    conn.execute(&stmt).await.map(|_| ())
}

/// The job is done for the day; nobody takes it over.
pub async fn finish(conn: &impl ConnectionTrait, job: &str, day: &str, at: OffsetDateTime) -> Result<(), DbErr> {
    let stmt = Query::update()
        .table(J::Table)
        .values([(J::HeartbeatAt, at.into()), (J::FinishedAt, at.into())])
        .and_where(Expr::col(J::Job).eq(job))
        .and_where(Expr::col(J::RunOn).eq(day))
        .to_owned();
    conn.execute(&stmt).await.map(|_| ())
}

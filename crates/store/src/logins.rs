//! Login events (for the user's and CBP staff's view of recent sign-ins) and the devices a user
//! has signed in from (to send "new device" notices).

use crate::schema::{Col, KnownDevices, LoginEvents};
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, OnConflict, Order, Query};
use sea_orm::{ConnectionTrait, DbErr};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginEvent {
    pub user_id: Option<i64>,
    pub at: OffsetDateTime,
    pub outcome: String,
    pub ip: String,
    pub user_agent: String,
}

pub async fn record(conn: &impl ConnectionTrait, e: &LoginEvent) -> Result<(), DbErr> {
    let stmt = Query::insert()
        .into_table(LoginEvents::Table)
        .columns([LoginEvents::UserId, LoginEvents::At, LoginEvents::Outcome, LoginEvents::Ip, LoginEvents::UserAgent])
        .values_panic([
            e.user_id.into(),
            e.at.into(),
            e.outcome.clone().into(),
            e.ip.clone().into(),
            e.user_agent.clone().into(),
        ])
        .to_owned();
    conn.execute(&stmt).await?;
    Ok(())
}

pub async fn recent(conn: &impl ConnectionTrait, user_id: i64, limit: u64) -> Result<Vec<LoginEvent>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(LoginEvents::Table)
        .and_where(Expr::col(LoginEvents::UserId).eq(user_id))
        .order_by(LoginEvents::Id, Order::Desc)
        .limit(limit)
        .to_owned();
    conn.query_all(&stmt)
        .await?
        .iter()
        .map(|r| {
            Ok(LoginEvent {
                user_id: r.col(LoginEvents::UserId)?,
                at: r.col(LoginEvents::At)?,
                outcome: r.col(LoginEvents::Outcome)?,
                ip: r.col(LoginEvents::Ip)?,
                user_agent: r.col(LoginEvents::UserAgent)?,
            })
        })
        .collect()
}

/// Records that the user signed in from this device; true when it had not been seen before.
pub async fn see_device(
    conn: &impl ConnectionTrait,
    user_id: i64,
    device_hash: &str,
    at: OffsetDateTime,
) -> Result<bool, DbErr> {
    let insert = Query::insert()
        .into_table(KnownDevices::Table)
        .columns([KnownDevices::UserId, KnownDevices::DeviceHash, KnownDevices::FirstSeenAt, KnownDevices::LastSeenAt])
        .values_panic([user_id.into(), device_hash.into(), at.into(), at.into()])
        .on_conflict(OnConflict::columns([KnownDevices::UserId, KnownDevices::DeviceHash]).do_nothing().to_owned())
        .to_owned();
    let new = conn.execute(&insert).await?.rows_affected() == 1;
    if !new {
        let touch = Query::update()
            .table(KnownDevices::Table)
            .value(KnownDevices::LastSeenAt, at)
            .and_where(Expr::col(KnownDevices::UserId).eq(user_id))
            .and_where(Expr::col(KnownDevices::DeviceHash).eq(device_hash))
            .to_owned();
        conn.execute(&touch).await?;
    }
    Ok(new)
}

//! Login events (for the user's and CBP staff's view of recent sign-ins) and the devices a user
//! has signed in from (to send "new device" notices).

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, OnConflict, Order, Query};
use sea_orm::{ConnectionTrait, DbErr};
use time::OffsetDateTime;

fn a(s: &str) -> Alias {
    Alias::new(s)
}

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
        .into_table(a("login_events"))
        .columns(["user_id", "at", "outcome", "ip", "user_agent"].map(a))
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
        .from(a("login_events"))
        .and_where(Expr::col(a("user_id")).eq(user_id))
        .order_by(a("id"), Order::Desc)
        .limit(limit)
        .to_owned();
    conn.query_all(&stmt)
        .await?
        .iter()
        .map(|r| {
            Ok(LoginEvent {
                user_id: r.try_get("", "user_id")?,
                at: r.try_get("", "at")?,
                outcome: r.try_get("", "outcome")?,
                ip: r.try_get("", "ip")?,
                user_agent: r.try_get("", "user_agent")?,
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
        .into_table(a("known_devices"))
        .columns(["user_id", "device_hash", "first_seen_at", "last_seen_at"].map(a))
        .values_panic([user_id.into(), device_hash.into(), at.into(), at.into()])
        .on_conflict(OnConflict::columns([a("user_id"), a("device_hash")]).do_nothing().to_owned())
        .to_owned();
    let new = conn.execute(&insert).await?.rows_affected() == 1;
    if !new {
        let touch = Query::update()
            .table(a("known_devices"))
            .value(a("last_seen_at"), at)
            .and_where(Expr::col(a("user_id")).eq(user_id))
            .and_where(Expr::col(a("device_hash")).eq(device_hash))
            .to_owned();
        conn.execute(&touch).await?;
    }
    Ok(new)
}

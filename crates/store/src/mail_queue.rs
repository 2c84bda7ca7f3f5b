//! Outgoing mail waiting for delivery (m0015). Rows are written by whoever sends mail, in their
//! own transaction, and delivered by the one sender holding the `mail_sender` lease
//! (`leases`); a delivered row keeps its kind and times but loses its sealed content.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DbErr};
use time::OffsetDateTime;

use crate::refunds::INSERT_CHUNK;
use crate::schema::MailQueue as Q;

/// Microseconds since 1970, as `next_at` holds them (see `schema::MailQueue::NextAt`).
fn micros(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX)
}

/// A mail to queue: its kind and its sealed recipient and content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    pub kind: &'static str,
    pub sealed: String,
}

/// A queued mail due for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub id: i64,
    pub kind: String,
    pub sealed: String,
    pub attempts: i32,
}

/// Queues mails, due at once, in the caller's transaction.
pub async fn enqueue(conn: &impl ConnectionTrait, mails: &[NewMail], at: OffsetDateTime) -> Result<(), DbErr> {
    for chunk in mails.chunks(INSERT_CHUNK) {
        let mut stmt = Query::insert();
        stmt.into_table(Q::Table).columns([Q::Kind, Q::Sealed, Q::CreatedAt, Q::NextAt]);
        for m in chunk {
            stmt.values_panic([m.kind.into(), m.sealed.clone().into(), at.into(), micros(at).into()]);
        }
        conn.execute(&stmt.to_owned()).await?;
    }
    Ok(())
}

/// Up to `limit` mails due at `now`, oldest first.
pub async fn due(conn: &impl ConnectionTrait, now: OffsetDateTime, limit: u64) -> Result<Vec<Queued>, DbErr> {
    let stmt = Query::select()
        .columns([Q::Id, Q::Kind, Q::Sealed, Q::Attempts])
        .from(Q::Table)
        .and_where(Expr::col(Q::SentAt).is_null())
        .and_where(Expr::col(Q::FailedAt).is_null())
        .and_where(Expr::col(Q::NextAt).lte(micros(now)))
        .order_by(Q::NextAt, Order::Asc)
        .order_by(Q::Id, Order::Asc)
        .limit(limit)
        .to_owned();
    conn.query_all(&stmt)
        .await?
        .iter()
        .map(|r| {
            Ok(Queued {
                id: r.try_get("", "id")?,
                kind: r.try_get("", "kind")?,
                sealed: r.try_get("", "sealed")?,
                attempts: r.try_get("", "attempts")?,
            })
        })
        .collect()
}

/// These mails were delivered: their content is dropped (a code or a link has no business
/// staying in the database once it is in the mailbox).
pub async fn mark_sent(conn: &impl ConnectionTrait, ids: &[i64], at: OffsetDateTime) -> Result<(), DbErr> {
    for chunk in ids.chunks(INSERT_CHUNK) {
        let stmt = Query::update()
            .table(Q::Table)
            .values([(Q::SentAt, at.into()), (Q::Sealed, "".into())])
            .and_where(Expr::col(Q::Id).is_in(chunk.iter().copied()))
            .and_where(Expr::col(Q::SentAt).is_null())
            .to_owned();
        conn.execute(&stmt).await?;
    }
    Ok(())
}

/// A delivery failed: try again at `next_at`, or, with `next_at` `None`, give up (the content
/// is dropped, the failure kept).
pub async fn mark_failed(
    conn: &impl ConnectionTrait,
    id: i64,
    attempts: i32,
    next_at: Option<OffsetDateTime>,
    error: &str,
    at: OffsetDateTime,
) -> Result<(), DbErr> {
    let mut stmt = Query::update()
        .table(Q::Table)
        .values([(Q::Attempts, attempts.into()), (Q::LastError, error.into())])
        .and_where(Expr::col(Q::Id).eq(id))
        .and_where(Expr::col(Q::SentAt).is_null())
        .to_owned();
    match next_at {
        Some(next) => stmt.value(Q::NextAt, micros(next)),
        None => stmt.values([(Q::FailedAt, at.into()), (Q::Sealed, "".into())]),
    };
    conn.execute(&stmt).await.map(|_| ())
}

/// How many mails wait, were delivered, were given up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub waiting: i64,
    pub sent: i64,
    pub failed: i64,
}

pub async fn counts(conn: &impl ConnectionTrait) -> Result<Counts, DbErr> {
    let count_if = |cond: &str, name: &str| {
        (Expr::cust(format!("CAST(COALESCE(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END), 0) AS BIGINT)")), Alias::new(name))
    };
    let mut stmt = Query::select();
    stmt.from(Q::Table);
    for (e, a) in [
        count_if("sent_at IS NULL AND failed_at IS NULL", "waiting"),
        count_if("sent_at IS NOT NULL", "sent"),
        count_if("failed_at IS NOT NULL", "failed"),
    ] {
        stmt.expr_as(e, a);
    }
    Ok(match conn.query_one(&stmt.to_owned()).await? {
        Some(r) => Counts {
            waiting: r.try_get("", "waiting")?,
            sent: r.try_get("", "sent")?,
            failed: r.try_get("", "failed")?,
        },
        None => Counts::default(),
    })
}

/// Forgets delivered and given-up mails older than `before` (their rows hold no content).
pub async fn prune(conn: &impl ConnectionTrait, before: OffsetDateTime) -> Result<u64, DbErr> {
    let stmt = Query::delete()
        .from_table(Q::Table)
        .cond_where(
            sea_orm::sea_query::Cond::any().add(Expr::col(Q::SentAt).lt(before)).add(Expr::col(Q::FailedAt).lt(before)),
        )
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected())
}

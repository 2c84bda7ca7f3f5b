//! Notices owed to payees about certification's decisions, kept as rows until their mail is
//! queued.
//!
//! Written inside the transaction of the decision they announce (so a decision never exists
//! without its notice), grouped per payee and kind when their mail is built. A run claims a
//! chunk of payees' notices with a random token, builds one mail per group, then queues the
//! mails and marks the notices sent in one transaction (`mail_queue`); a run killed in between
//! leaves a claim that goes stale and is taken again by a later run. Two runs never take the same
//! rows: the claim is one `UPDATE` that only takes unclaimed or stale rows.

use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, Func, Order, Query};
use sea_orm::{ConnectionTrait, DbErr};
use time::OffsetDateTime;

use crate::refunds::INSERT_CHUNK;
use crate::schema::refunds::RefundNotices as N;

/// A notice to write with its decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotice {
    pub importer_id: i64,
    /// `held` or `diverted`.
    pub kind: &'static str,
    pub refund_id: i64,
    pub cents: i64,
    pub line: String,
    pub reason: String,
}

pub async fn insert(conn: &impl ConnectionTrait, notices: &[NewNotice], at: OffsetDateTime) -> Result<(), DbErr> {
    for chunk in notices.chunks(INSERT_CHUNK) {
        let mut stmt = Query::insert();
        stmt.into_table(N::Table).columns([
            N::ImporterId,
            N::Kind,
            N::RefundId,
            N::Cents,
            N::Line,
            N::Reason,
            N::CreatedAt,
        ]);
        for n in chunk {
            stmt.values_panic([
                n.importer_id.into(),
                n.kind.into(),
                n.refund_id.into(),
                n.cents.into(),
                n.line.clone().into(),
                n.reason.clone().into(),
                at.into(),
            ]);
        }
        conn.execute(&stmt.to_owned()).await?;
    }
    Ok(())
}

fn unsent_free(stale_before: OffsetDateTime) -> Cond {
    Cond::all()
        .add(Expr::col(N::SentAt).is_null())
        .add(Cond::any().add(Expr::col(N::ClaimedAt).is_null()).add(Expr::col(N::ClaimedAt).lt(stale_before)))
}

/// `(importer_id, kind)` of every group with notices to send (unsent, and unclaimed or claimed
/// before `stale_before`), in a stable order.
pub async fn pending_groups(
    conn: &impl ConnectionTrait,
    stale_before: OffsetDateTime,
) -> Result<Vec<(i64, String)>, DbErr> {
    let stmt = Query::select()
        .columns([N::ImporterId, N::Kind])
        .distinct()
        .from(N::Table)
        .cond_where(unsent_free(stale_before))
        .order_by(N::ImporterId, Order::Asc)
        .order_by(N::Kind, Order::Asc)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(|r| Ok((r.try_get("", "importer_id")?, r.try_get("", "kind")?))).collect()
}

/// Takes the free notices (unsent, and unclaimed or claimed before `stale_before`) of these
/// payees, of every kind, under `token`, in one statement; returns how many were taken. The
/// sender claims payees a chunk at a time so that its writes do not grow with the number of
/// mails (on SQLite, writers from several tasks queue for the one write lock).
pub async fn claim_payees(
    conn: &impl ConnectionTrait,
    importer_ids: &[i64],
    token: &str,
    at: OffsetDateTime,
    stale_before: OffsetDateTime,
) -> Result<u64, DbErr> {
    let stmt = Query::update()
        .table(N::Table)
        .values([(N::Claim, token.into()), (N::ClaimedAt, at.into())])
        .and_where(Expr::col(N::ImporterId).is_in(importer_ids.iter().copied()))
        .cond_where(unsent_free(stale_before))
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected())
}

/// Marks sent everything still claimed under `token` for these payees (what `claim_payees`
/// took, less the groups given back with `unclaim`).
pub async fn mark_all_sent(
    conn: &impl ConnectionTrait,
    importer_ids: &[i64],
    token: &str,
    at: OffsetDateTime,
) -> Result<u64, DbErr> {
    let stmt = Query::update()
        .table(N::Table)
        .value(N::SentAt, at)
        .and_where(Expr::col(N::ImporterId).is_in(importer_ids.iter().copied()))
        .and_where(Expr::col(N::SentAt).is_null())
        .and_where(Expr::col(N::Claim).eq(token))
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected())
}

/// What a claimed group holds: how many notices, their total, and the first `listed` lines with
/// their reasons, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub count: i64,
    pub cents: i64,
    pub lines: Vec<(String, String)>,
}

fn claimed_by(importer_id: i64, kind: &str, token: &str) -> Cond {
    Cond::all()
        .add(Expr::col(N::ImporterId).eq(importer_id))
        .add(Expr::col(N::Kind).eq(kind))
        .add(Expr::col(N::SentAt).is_null())
        .add(Expr::col(N::Claim).eq(token))
}

/// One claimed group: a payee and a kind of notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedGroup {
    pub importer_id: i64,
    pub kind: String,
    pub claimed: Claimed,
}

/// Every group claimed under `token` among these payees, with its first `listed` lines, in two
/// statements (the lines numbered per group by a window function; both engines have them).
pub async fn claimed_groups(
    conn: &impl ConnectionTrait,
    importer_ids: &[i64],
    token: &str,
    listed: u64,
) -> Result<Vec<ClaimedGroup>, DbErr> {
    let mut out: Vec<ClaimedGroup> = Vec::new();
    for chunk in importer_ids.chunks(INSERT_CHUNK) {
        let totals = Query::select()
            .columns([N::ImporterId, N::Kind])
            .expr_as(Func::count(Expr::col(N::Id)), Alias::new("n"))
            .expr_as(Expr::cust("CAST(COALESCE(SUM(cents), 0) AS BIGINT)"), Alias::new("total"))
            .from(N::Table)
            .and_where(Expr::col(N::ImporterId).is_in(chunk.iter().copied()))
            .and_where(Expr::col(N::SentAt).is_null())
            .and_where(Expr::col(N::Claim).eq(token))
            .group_by_columns([N::ImporterId, N::Kind])
            .order_by(N::ImporterId, Order::Asc)
            .order_by(N::Kind, Order::Asc)
            .to_owned();
        let first = out.len();
        for r in conn.query_all(&totals).await? {
            out.push(ClaimedGroup {
                importer_id: r.try_get("", "importer_id")?,
                kind: r.try_get("", "kind")?,
                claimed: Claimed { count: r.try_get("", "n")?, cents: r.try_get("", "total")?, lines: Vec::new() },
            });
        }
        let ids = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let pg = conn.get_database_backend() == sea_orm::DbBackend::Postgres;
        let token_ph = if pg { "$1" } else { "?" };
        // The ids are integers written into the text; the token is bound.
        let sql = format!(
            "SELECT importer_id, kind, line, reason FROM (SELECT importer_id, kind, line, reason, id,              ROW_NUMBER() OVER (PARTITION BY importer_id, kind ORDER BY id) AS rn FROM refund_notices              WHERE importer_id IN ({ids}) AND sent_at IS NULL AND claim = {token_ph}) AS t              WHERE rn <= {listed} ORDER BY importer_id, kind, id"
        );
        let stmt = sea_orm::Statement::from_sql_and_values(conn.get_database_backend(), sql, [token.into()]);
        let groups = &mut out[first..];
        for r in conn.query_all_raw(stmt).await? {
            let (id, kind): (i64, String) = (r.try_get("", "importer_id")?, r.try_get("", "kind")?);
            if let Some(g) = groups.iter_mut().find(|g| g.importer_id == id && g.kind == kind) {
                g.claimed.lines.push((r.try_get("", "line")?, r.try_get("", "reason")?));
            }
        }
    }
    Ok(out)
}

/// Gives a claimed group back: the next run takes it at once instead of waiting for the claim
/// to go stale (operators' repair; tests play a dead sender with it).
pub async fn unclaim(conn: &impl ConnectionTrait, importer_id: i64, kind: &str, token: &str) -> Result<u64, DbErr> {
    let stmt = Query::update()
        .table(N::Table)
        .values([(N::Claim, Option::<String>::None.into()), (N::ClaimedAt, Option::<OffsetDateTime>::None.into())])
        .cond_where(claimed_by(importer_id, kind, token))
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected())
}

/// How many notices are not sent yet (operators' and tests' view of the backlog).
pub async fn unsent(conn: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let stmt = Query::select()
        .expr_as(Func::count(Expr::col(N::Id)), Alias::new("n"))
        .from(N::Table)
        .and_where(Expr::col(N::SentAt).is_null())
        .to_owned();
    Ok(match conn.query_one(&stmt).await? {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    })
}

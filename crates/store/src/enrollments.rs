//! Bank details per importer number: every version, the optimistic-lock head, status events.
//!
//! Rows carry the account number only sealed (`account_sealed`), its last four digits for
//! display, and a blind index for duplicate detection; `app` seals and opens.

use crate::schema::{AccountImporters, BankEnrollments, Col, EnrollmentEvents, EnrollmentHeads, Importers};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, OnConflict, Order, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use time::OffsetDateTime;

/// Statuses that make up an importer number's current picture (domain::EnrollmentStatus::is_live).
pub const LIVE: [&str; 3] = ["pending", "active", "rejected"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRow {
    pub id: i64,
    pub importer_id: i64,
    pub version_no: i32,
    pub status: String,
    pub routing: String,
    pub bank_name: String,
    pub account_type: String,
    pub account_sealed: String,
    pub account_last4: String,
    pub account_blind: String,
    pub holder_name: String,
    pub holder_confirmed: bool,
    pub review_shared: bool,
    /// The CBP staff user who reviewed a flagged version.
    pub review_cleared_by: Option<i64>,
    pub created_by: Option<i64>,
    pub created_by_name: String,
    pub created_at: OffsetDateTime,
    pub status_at: OffsetDateTime,
    pub active_since: Option<OffsetDateTime>,
    pub bank_note: String,
}

pub(crate) fn version(r: &QueryResult) -> Result<VersionRow, DbErr> {
    Ok(VersionRow {
        id: r.col(BankEnrollments::Id)?,
        importer_id: r.col(BankEnrollments::ImporterId)?,
        version_no: r.col(BankEnrollments::VersionNo)?,
        status: r.col(BankEnrollments::Status)?,
        routing: r.col(BankEnrollments::Routing)?,
        bank_name: r.col(BankEnrollments::BankName)?,
        account_type: r.col(BankEnrollments::AccountType)?,
        account_sealed: r.col(BankEnrollments::AccountSealed)?,
        account_last4: r.col(BankEnrollments::AccountLast4)?,
        account_blind: r.col(BankEnrollments::AccountBlind)?,
        holder_name: r.col(BankEnrollments::HolderName)?,
        holder_confirmed: r.col(BankEnrollments::HolderConfirmed)?,
        review_shared: r.col(BankEnrollments::ReviewShared)?,
        review_cleared_by: r.col(BankEnrollments::ReviewClearedBy)?,
        created_by: r.col(BankEnrollments::CreatedBy)?,
        created_by_name: r.col(BankEnrollments::CreatedByName)?,
        created_at: r.col(BankEnrollments::CreatedAt)?,
        status_at: r.col(BankEnrollments::StatusAt)?,
        active_since: r.col(BankEnrollments::ActiveSince)?,
        bank_note: r.col(BankEnrollments::BankNote)?,
    })
}

/// A version before it has an id (the sealed number is written after, because its associated
/// data names the row id).
pub struct NewVersion<'a> {
    pub importer_id: i64,
    pub version_no: i32,
    pub routing: &'a str,
    pub bank_name: &'a str,
    pub account_type: &'a str,
    pub account_last4: &'a str,
    pub account_blind: &'a str,
    pub holder_name: &'a str,
    pub holder_confirmed: bool,
    pub review_shared: bool,
    pub created_by: Option<i64>,
    pub created_by_name: &'a str,
    pub at: OffsetDateTime,
}

pub async fn insert_version(conn: &impl ConnectionTrait, v: &NewVersion<'_>) -> Result<i64, DbErr> {
    let stmt = Query::insert()
        .into_table(BankEnrollments::Table)
        .columns([
            BankEnrollments::ImporterId,
            BankEnrollments::VersionNo,
            BankEnrollments::Status,
            BankEnrollments::Routing,
            BankEnrollments::BankName,
            BankEnrollments::AccountType,
            BankEnrollments::AccountSealed,
            BankEnrollments::AccountLast4,
            BankEnrollments::AccountBlind,
            BankEnrollments::HolderName,
            BankEnrollments::HolderConfirmed,
            BankEnrollments::ReviewShared,
            BankEnrollments::CreatedBy,
            BankEnrollments::CreatedByName,
            BankEnrollments::CreatedAt,
            BankEnrollments::StatusAt,
            BankEnrollments::BankNote,
        ])
        .values_panic([
            v.importer_id.into(),
            v.version_no.into(),
            "pending".into(),
            v.routing.into(),
            v.bank_name.into(),
            v.account_type.into(),
            "".into(),
            v.account_last4.into(),
            v.account_blind.into(),
            v.holder_name.into(),
            v.holder_confirmed.into(),
            v.review_shared.into(),
            v.created_by.into(),
            v.created_by_name.into(),
            v.at.into(),
            v.at.into(),
            "".into(),
        ])
        .returning_col(BankEnrollments::Id)
        .to_owned();
    let r = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?;
    r.try_get("", "id")
}

/// Columns a later step may change on a version.
pub async fn set(
    conn: &impl ConnectionTrait,
    id: i64,
    values: Vec<(BankEnrollments, sea_orm::sea_query::Value)>,
) -> Result<(), DbErr> {
    let mut stmt =
        Query::update().table(BankEnrollments::Table).and_where(Expr::col(BankEnrollments::Id).eq(id)).to_owned();
    for (col, v) in values {
        stmt.value(col, v);
    }
    conn.execute(&stmt).await?;
    Ok(())
}

pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<VersionRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(BankEnrollments::Table)
        .and_where(Expr::col(BankEnrollments::Id).eq(id))
        .to_owned();
    conn.query_one(&stmt).await?.map(|r| version(&r)).transpose()
}

/// Live versions (pending, active, rejected) of these importers, by importer and version.
pub async fn live_of(conn: &impl ConnectionTrait, importer_ids: &[i64]) -> Result<Vec<VersionRow>, DbErr> {
    if importer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = Query::select()
        .column(Asterisk)
        .from(BankEnrollments::Table)
        .and_where(Expr::col(BankEnrollments::ImporterId).is_in(importer_ids.iter().copied()))
        .and_where(Expr::col(BankEnrollments::Status).is_in(LIVE))
        .order_by(BankEnrollments::ImporterId, Order::Asc)
        .order_by(BankEnrollments::VersionNo, Order::Asc)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(version).collect()
}

/// Every version of one importer, newest first.
pub async fn all_of(conn: &impl ConnectionTrait, importer_id: i64) -> Result<Vec<VersionRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(BankEnrollments::Table)
        .and_where(Expr::col(BankEnrollments::ImporterId).eq(importer_id))
        .order_by(BankEnrollments::VersionNo, Order::Desc)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(version).collect()
}

/// Every version of every importer (key rotation walks them all).
pub async fn all(conn: &impl ConnectionTrait) -> Result<Vec<VersionRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(BankEnrollments::Table)
        .order_by(BankEnrollments::Id, Order::Asc)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(version).collect()
}

/// Live versions with this blind index, of importers other than `except` (duplicate detection).
pub async fn live_with_blind(
    conn: &impl ConnectionTrait,
    blind: &str,
    except: &[i64],
) -> Result<Vec<VersionRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(BankEnrollments::Table)
        .and_where(Expr::col(BankEnrollments::AccountBlind).eq(blind))
        .and_where(Expr::col(BankEnrollments::Status).is_in(LIVE))
        .and_where(Expr::col(BankEnrollments::ImporterId).is_not_in(except.iter().copied()))
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(version).collect()
}

/// Versions flagged for CBP review and not yet cleared (the console's list).
pub async fn flagged(conn: &impl ConnectionTrait, limit: u64) -> Result<Vec<VersionRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(BankEnrollments::Table)
        .and_where(Expr::col(BankEnrollments::ReviewShared).eq(true))
        .and_where(Expr::col(BankEnrollments::ReviewClearedBy).is_null())
        .and_where(Expr::col(BankEnrollments::Status).is_in(LIVE))
        .order_by(BankEnrollments::Id, Order::Desc)
        .limit(limit)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(version).collect()
}

pub async fn max_version_no(conn: &impl ConnectionTrait, importer_id: i64) -> Result<i32, DbErr> {
    use sea_orm::sea_query::Func;
    let stmt = Query::select()
        .expr_as(
            Func::coalesce([Func::max(Expr::col(BankEnrollments::VersionNo)).into(), Expr::val(0)]),
            Alias::new("n"),
        )
        .from(BankEnrollments::Table)
        .and_where(Expr::col(BankEnrollments::ImporterId).eq(importer_id))
        .to_owned();
    let r = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("max returned no row".into()))?;
    r.try_get("", "n")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadRow {
    pub importer_id: i64,
    pub revision: i32,
    pub changed_by_name: String,
    pub changed_at: OffsetDateTime,
}

pub async fn heads_of(conn: &impl ConnectionTrait, importer_ids: &[i64]) -> Result<Vec<HeadRow>, DbErr> {
    if importer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = Query::select()
        .column(Asterisk)
        .from(EnrollmentHeads::Table)
        .and_where(Expr::col(EnrollmentHeads::ImporterId).is_in(importer_ids.iter().copied()))
        .to_owned();
    conn.query_all(&stmt)
        .await?
        .iter()
        .map(|r| {
            Ok(HeadRow {
                importer_id: r.col(EnrollmentHeads::ImporterId)?,
                revision: r.col(EnrollmentHeads::Revision)?,
                changed_by_name: r.col(EnrollmentHeads::ChangedByName)?,
                changed_at: r.col(EnrollmentHeads::ChangedAt)?,
            })
        })
        .collect()
}

/// Moves the importer's head from `seen` to `seen + 1`; false when someone else moved it first
/// (the form is stale). Revision 0 means "no details yet": the head row is created, and a
/// concurrent creator loses on the primary key.
pub async fn bump_head(
    conn: &impl ConnectionTrait,
    importer_id: i64,
    seen: i32,
    by_name: &str,
    at: OffsetDateTime,
) -> Result<bool, DbErr> {
    let affected = if seen == 0 {
        let stmt = Query::insert()
            .into_table(EnrollmentHeads::Table)
            .columns([
                EnrollmentHeads::ImporterId,
                EnrollmentHeads::Revision,
                EnrollmentHeads::ChangedByName,
                EnrollmentHeads::ChangedAt,
            ])
            .values_panic([importer_id.into(), 1.into(), by_name.into(), at.into()])
            .on_conflict(OnConflict::column(EnrollmentHeads::ImporterId).do_nothing().to_owned())
            .to_owned();
        conn.execute(&stmt).await?.rows_affected()
    } else {
        let stmt = Query::update()
            .table(EnrollmentHeads::Table)
            .value(EnrollmentHeads::Revision, seen + 1)
            .value(EnrollmentHeads::ChangedByName, by_name)
            .value(EnrollmentHeads::ChangedAt, at)
            .and_where(Expr::col(EnrollmentHeads::ImporterId).eq(importer_id))
            .and_where(Expr::col(EnrollmentHeads::Revision).eq(seen))
            .to_owned();
        conn.execute(&stmt).await?.rows_affected()
    };
    Ok(affected == 1)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub enrollment_id: i64,
    pub importer_id: i64,
    pub at: OffsetDateTime,
    pub from_status: String,
    pub to_status: String,
    pub actor: String,
    pub reason: String,
}

pub async fn insert_event(conn: &impl ConnectionTrait, e: &EventRow) -> Result<(), DbErr> {
    let stmt = Query::insert()
        .into_table(EnrollmentEvents::Table)
        .columns([
            EnrollmentEvents::EnrollmentId,
            EnrollmentEvents::ImporterId,
            EnrollmentEvents::At,
            EnrollmentEvents::FromStatus,
            EnrollmentEvents::ToStatus,
            EnrollmentEvents::Actor,
            EnrollmentEvents::Reason,
        ])
        .values_panic([
            e.enrollment_id.into(),
            e.importer_id.into(),
            e.at.into(),
            e.from_status.as_str().into(),
            e.to_status.as_str().into(),
            e.actor.as_str().into(),
            e.reason.as_str().into(),
        ])
        .to_owned();
    conn.execute(&stmt).await?;
    Ok(())
}

/// Status events of one importer's versions, newest first.
pub async fn events_of(conn: &impl ConnectionTrait, importer_id: i64) -> Result<Vec<EventRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(EnrollmentEvents::Table)
        .and_where(Expr::col(EnrollmentEvents::ImporterId).eq(importer_id))
        .order_by(EnrollmentEvents::Id, Order::Desc)
        .to_owned();
    conn.query_all(&stmt)
        .await?
        .iter()
        .map(|r| {
            Ok(EventRow {
                enrollment_id: r.col(EnrollmentEvents::EnrollmentId)?,
                importer_id: r.col(EnrollmentEvents::ImporterId)?,
                at: r.col(EnrollmentEvents::At)?,
                from_status: r.col(EnrollmentEvents::FromStatus)?,
                to_status: r.col(EnrollmentEvents::ToStatus)?,
                actor: r.col(EnrollmentEvents::Actor)?,
                reason: r.col(EnrollmentEvents::Reason)?,
            })
        })
        .collect()
}

/// One importer number of a sub-account with its optimistic-lock head and one of its live
/// versions (a number with two live versions, pending over active, comes twice; one without
/// any, once with `version` None).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TabRow {
    pub importer_id: i64,
    pub number: String,
    pub name: String,
    pub revision: i32,
    pub version: Option<VersionRow>,
}

/// The ACH tab's rows: held numbers LEFT JOIN heads LEFT JOIN live versions, ordered by number
/// and version, one row per number and version. (SQLite once read them as one JSON array in one
/// row, which made the uncached page cheaper there; with the tab's cache the page rarely reads
/// them, and one statement serves both engines: docs/decisions.md, "Code health".)
pub async fn tab_rows(conn: &impl ConnectionTrait, sub_account_id: i64) -> Result<Vec<TabRow>, DbErr> {
    use sea_orm::sea_query::JoinType;
    use {AccountImporters as Ai, BankEnrollments as V, EnrollmentHeads as H};
    let stmt = Query::select()
        .expr_as(Expr::col((Ai::Table, Ai::ImporterId)), Alias::new("t_importer_id"))
        .expr_as(Expr::col((Importers::Table, Importers::Number)), Alias::new("t_number"))
        .expr_as(Expr::col((Importers::Table, Importers::Name)), Alias::new("t_name"))
        .expr_as(Expr::col((H::Table, H::Revision)), Alias::new("t_revision"))
        .column((V::Table, Asterisk))
        .from(Ai::Table)
        .inner_join(Importers::Table, Expr::col((Importers::Table, Importers::Id)).equals((Ai::Table, Ai::ImporterId)))
        .join(JoinType::LeftJoin, H::Table, Expr::col((H::Table, H::ImporterId)).equals((Ai::Table, Ai::ImporterId)))
        .join(
            JoinType::LeftJoin,
            V::Table,
            Expr::col((V::Table, V::ImporterId))
                .equals((Ai::Table, Ai::ImporterId))
                .and(Expr::col((V::Table, V::Status)).is_in(LIVE)),
        )
        .and_where(Expr::col((Ai::Table, Ai::SubAccountId)).eq(sub_account_id))
        .order_by((Importers::Table, Importers::Number), Order::Asc)
        .order_by((V::Table, V::VersionNo), Order::Asc)
        .to_owned();
    conn.query_all(&stmt)
        .await?
        .iter()
        .map(|r| {
            let version_id: Option<i64> = r.col(BankEnrollments::Id)?;
            Ok(TabRow {
                importer_id: r.try_get("", "t_importer_id")?,
                number: r.try_get("", "t_number")?,
                name: r.try_get("", "t_name")?,
                revision: r.try_get::<Option<i32>>("", "t_revision")?.unwrap_or(0),
                version: version_id.map(|_| version(r)).transpose()?,
            })
        })
        .collect()
}

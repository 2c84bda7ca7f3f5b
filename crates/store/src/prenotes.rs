//! Prenotes (zero-dollar test entries that verify new bank details), the outbound ACH files they
//! went out in, and the bank replies ingested against them.

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Func, OnConflict, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use time::OffsetDateTime;

use crate::enrollments::{VersionRow, version};
use crate::schema::{AchFiles, AchReplies, BankEnrollments, Col, Prenotes};

pub const QUEUED: &str = "queued";
pub const SENT: &str = "sent";
/// The enrollment version was withdrawn or removed before the prenote went out.
pub const CANCELLED: &str = "cancelled";
pub const RETURNED: &str = "returned";
pub const CORRECTED: &str = "corrected";
pub const VERIFIED: &str = "verified";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrenoteRow {
    pub id: i64,
    pub enrollment_id: i64,
    pub status: String,
    pub trace_number: Option<i64>,
    pub ach_file_id: Option<i64>,
    pub queued_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
    /// `YYYY-MM-DD`: the effective entry date of the file.
    pub sent_on: Option<String>,
}

fn prenote(r: &QueryResult) -> Result<PrenoteRow, DbErr> {
    Ok(PrenoteRow {
        id: r.try_get("", "p_id")?,
        enrollment_id: r.col(Prenotes::EnrollmentId)?,
        status: r.try_get("", "p_status")?,
        trace_number: r.col(Prenotes::TraceNumber)?,
        ach_file_id: r.col(Prenotes::AchFileId)?,
        queued_at: r.col(Prenotes::QueuedAt)?,
        sent_at: r.col(Prenotes::SentAt)?,
        sent_on: r.col(Prenotes::SentOn)?,
    })
}

pub async fn queue(conn: &impl ConnectionTrait, enrollment_id: i64, at: OffsetDateTime) -> Result<(), DbErr> {
    let stmt = Query::insert()
        .into_table(Prenotes::Table)
        .columns([Prenotes::EnrollmentId, Prenotes::Status, Prenotes::QueuedAt])
        .values_panic([enrollment_id.into(), QUEUED.into(), at.into()])
        .to_owned();
    conn.execute(&stmt).await?;
    Ok(())
}

/// Cancels the queued prenote of a version that will not be verified after all.
pub async fn cancel_queued(conn: &impl ConnectionTrait, enrollment_id: i64) -> Result<(), DbErr> {
    let stmt = Query::update()
        .table(Prenotes::Table)
        .value(Prenotes::Status, CANCELLED)
        .and_where(Expr::col(Prenotes::EnrollmentId).eq(enrollment_id))
        .and_where(Expr::col(Prenotes::Status).eq(QUEUED))
        .to_owned();
    conn.execute(&stmt).await?;
    Ok(())
}

/// Prenotes joined to their versions: the version's columns as they are (read by
/// [`version`]), the prenote's `id` and `status` renamed so they do not clash (read by [`prenote`]).
fn with_version_select() -> SelectStatement {
    use Prenotes as P;
    Query::select()
        .column((BankEnrollments::Table, Asterisk))
        .expr_as(Expr::col((P::Table, P::Id)), Alias::new("p_id"))
        .expr_as(Expr::col((P::Table, P::Status)), Alias::new("p_status"))
        .columns(
            [P::EnrollmentId, P::TraceNumber, P::AchFileId, P::QueuedAt, P::SentAt, P::SentOn].map(|c| (P::Table, c)),
        )
        .from(P::Table)
        .inner_join(
            BankEnrollments::Table,
            Expr::col((BankEnrollments::Table, BankEnrollments::Id)).equals((P::Table, P::EnrollmentId)),
        )
        .to_owned()
}

/// Prenotes in `status` with their enrollment versions, oldest first.
pub async fn with_versions(conn: &impl ConnectionTrait, status: &str) -> Result<Vec<(PrenoteRow, VersionRow)>, DbErr> {
    let stmt = with_version_select()
        .and_where(Expr::col((Prenotes::Table, Prenotes::Status)).eq(status))
        .order_by((Prenotes::Table, Prenotes::Id), Order::Asc)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(|r| Ok((prenote(r)?, version(r)?))).collect()
}

/// The prenote (and version) a bank reply names by trace number.
pub async fn by_trace(conn: &impl ConnectionTrait, trace: i64) -> Result<Option<(PrenoteRow, VersionRow)>, DbErr> {
    let stmt =
        with_version_select().and_where(Expr::col((Prenotes::Table, Prenotes::TraceNumber)).eq(trace)).to_owned();
    let Some(r) = conn.query_one(&stmt).await? else { return Ok(None) };
    Ok(Some((prenote(&r)?, version(&r)?)))
}

/// The prenote of one enrollment version.
pub async fn of_version(conn: &impl ConnectionTrait, enrollment_id: i64) -> Result<Option<PrenoteRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .expr_as(Expr::col(Prenotes::Id), Alias::new("p_id"))
        .expr_as(Expr::col(Prenotes::Status), Alias::new("p_status"))
        .from(Prenotes::Table)
        .and_where(Expr::col(Prenotes::EnrollmentId).eq(enrollment_id))
        .to_owned();
    conn.query_one(&stmt).await?.map(|r| prenote(&r)).transpose()
}

/// Marks a queued prenote as sent in file `file_id` with its trace number. False when it was
/// not queued any more (another export took it): the caller's transaction then rolls back.
pub async fn mark_sent(
    conn: &impl ConnectionTrait,
    id: i64,
    trace: i64,
    file_id: i64,
    at: OffsetDateTime,
    on: &str,
) -> Result<bool, DbErr> {
    let stmt = Query::update()
        .table(Prenotes::Table)
        .value(Prenotes::Status, SENT)
        .value(Prenotes::TraceNumber, trace)
        .value(Prenotes::AchFileId, file_id)
        .value(Prenotes::SentAt, at)
        .value(Prenotes::SentOn, on)
        .and_where(Expr::col(Prenotes::Id).eq(id))
        .and_where(Expr::col(Prenotes::Status).eq(QUEUED))
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected() == 1)
}

/// Moves a prenote from `from` to `to`; false when it was not in `from` any more (another
/// instance or run got there first): the caller then leaves it alone.
pub async fn move_status(conn: &impl ConnectionTrait, id: i64, from: &str, to: &str) -> Result<bool, DbErr> {
    let stmt = Query::update()
        .table(Prenotes::Table)
        .value(Prenotes::Status, to)
        .and_where(Expr::col(Prenotes::Id).eq(id))
        .and_where(Expr::col(Prenotes::Status).eq(from))
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected() == 1)
}

/// The highest trace number ever sent with this 8-digit ODFI prefix (0 when none): the next
/// file's trace sequence continues after it, so every trace we send is unique.
pub async fn last_trace(conn: &impl ConnectionTrait, odfi_prefix: i64) -> Result<i64, DbErr> {
    let (low, high) = (odfi_prefix * 10_000_000, odfi_prefix * 10_000_000 + 9_999_999);
    let stmt = Query::select()
        .expr_as(Func::coalesce([Func::max(Expr::col(Prenotes::TraceNumber)).into(), Expr::val(0i64)]), Alias::new("t"))
        .from(Prenotes::Table)
        .and_where(Expr::col(Prenotes::TraceNumber).between(low, high))
        .to_owned();
    let r = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("max returned no row".into()))?;
    r.try_get("", "t")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AchFileRow {
    pub id: i64,
    pub kind: String,
    pub created_at: OffsetDateTime,
    pub created_by: String,
    pub file_name: String,
    pub entries: i64,
    pub sha256: String,
}

pub async fn insert_file(conn: &impl ConnectionTrait, f: &AchFileRow) -> Result<i64, DbErr> {
    let stmt = Query::insert()
        .into_table(AchFiles::Table)
        .columns([
            AchFiles::Kind,
            AchFiles::CreatedAt,
            AchFiles::CreatedBy,
            AchFiles::FileName,
            AchFiles::Entries,
            AchFiles::Sha256,
        ])
        .values_panic([
            f.kind.as_str().into(),
            f.created_at.into(),
            f.created_by.as_str().into(),
            f.file_name.as_str().into(),
            f.entries.into(),
            f.sha256.as_str().into(),
        ])
        .returning_col(AchFiles::Id)
        .to_owned();
    let r = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?;
    r.try_get("", "id")
}

pub async fn set_file_hash(conn: &impl ConnectionTrait, id: i64, sha256: &str) -> Result<(), DbErr> {
    let stmt = Query::update()
        .table(AchFiles::Table)
        .value(AchFiles::Sha256, sha256)
        .and_where(Expr::col(AchFiles::Id).eq(id))
        .to_owned();
    conn.execute(&stmt).await?;
    Ok(())
}

pub struct NewReply<'a> {
    pub file_sha256: &'a str,
    pub trace_number: i64,
    pub code: &'a str,
    pub at: OffsetDateTime,
    pub prenote_id: Option<i64>,
    pub outcome: &'a str,
    pub detail: &'a str,
}

/// Records a reply item; false when this file's item was recorded before (a re-ingest).
pub async fn insert_reply(conn: &impl ConnectionTrait, r: &NewReply<'_>) -> Result<bool, DbErr> {
    let stmt = Query::insert()
        .into_table(AchReplies::Table)
        .columns([
            AchReplies::FileSha256,
            AchReplies::TraceNumber,
            AchReplies::Code,
            AchReplies::ReceivedAt,
            AchReplies::PrenoteId,
            AchReplies::Outcome,
            AchReplies::Detail,
        ])
        .values_panic([
            r.file_sha256.into(),
            r.trace_number.into(),
            r.code.into(),
            r.at.into(),
            r.prenote_id.into(),
            r.outcome.into(),
            r.detail.into(),
        ])
        .on_conflict(
            OnConflict::columns([AchReplies::FileSha256, AchReplies::TraceNumber, AchReplies::Code])
                .do_nothing()
                .to_owned(),
        )
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected() == 1)
}

//! CBP bills (debts of an importer) and the offsets applied to them from refunds.

use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use time::OffsetDateTime;

use crate::schema::refunds::{BillApplications, Bills};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillRow {
    pub id: i64,
    pub bill_number: String,
    pub importer_id: i64,
    pub amount_cents: i64,
    pub open_cents: i64,
    pub bill_date: String,
    pub created_at: OffsetDateTime,
    pub created_by: String,
}

fn from_row(r: &QueryResult) -> Result<BillRow, DbErr> {
    Ok(BillRow {
        id: r.try_get("", "id")?,
        bill_number: r.try_get("", "bill_number")?,
        importer_id: r.try_get("", "importer_id")?,
        amount_cents: r.try_get("", "amount_cents")?,
        open_cents: r.try_get("", "open_cents")?,
        bill_date: r.try_get("", "bill_date")?,
        created_at: r.try_get("", "created_at")?,
        created_by: r.try_get("", "created_by")?,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBill {
    pub bill_number: String,
    pub importer_id: i64,
    pub amount_cents: i64,
    pub bill_date: String,
}

pub async fn insert(conn: &impl ConnectionTrait, bills: &[NewBill], by: &str, at: OffsetDateTime) -> Result<(), DbErr> {
    for chunk in bills.chunks(1_000) {
        let mut stmt = Query::insert();
        stmt.into_table(Bills::Table).columns([
            Bills::BillNumber,
            Bills::ImporterId,
            Bills::AmountCents,
            Bills::OpenCents,
            Bills::BillDate,
            Bills::CreatedAt,
            Bills::CreatedBy,
        ]);
        for b in chunk {
            stmt.values_panic([
                b.bill_number.clone().into(),
                b.importer_id.into(),
                b.amount_cents.into(),
                b.amount_cents.into(),
                b.bill_date.clone().into(),
                at.into(),
                by.into(),
            ]);
        }
        conn.execute(&stmt.to_owned()).await?;
    }
    Ok(())
}

pub async fn by_numbers(conn: &impl ConnectionTrait, numbers: &[String]) -> Result<Vec<BillRow>, DbErr> {
    let mut out = Vec::new();
    for chunk in numbers.chunks(1_000) {
        let stmt = Query::select()
            .column(Asterisk)
            .from(Bills::Table)
            .and_where(Expr::col(Bills::BillNumber).is_in(chunk.iter().cloned()))
            .to_owned();
        for r in conn.query_all(&stmt).await? {
            out.push(from_row(&r)?);
        }
    }
    Ok(out)
}

/// Every bill of one importer (open or paid), oldest bill first.
pub async fn of_importer(conn: &impl ConnectionTrait, importer_id: i64) -> Result<Vec<BillRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(Bills::Table)
        .and_where(Expr::col(Bills::ImporterId).eq(importer_id))
        .order_by(Bills::BillDate, Order::Asc)
        .order_by(Bills::Id, Order::Asc)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(from_row).collect()
}

/// Open bills (something still owed) of these importers, oldest bill first.
pub async fn open_of(conn: &impl ConnectionTrait, importer_ids: &[i64]) -> Result<Vec<BillRow>, DbErr> {
    if importer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = Query::select()
        .column(Asterisk)
        .from(Bills::Table)
        .and_where(Expr::col(Bills::ImporterId).is_in(importer_ids.iter().copied()))
        .and_where(Expr::col(Bills::OpenCents).gt(0))
        .order_by(Bills::BillDate, Order::Asc)
        .order_by(Bills::Id, Order::Asc)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(from_row).collect()
}

/// Takes `amount` off a bill's open balance and records the application, only if that much is
/// still open: a bill is never over-applied, whatever runs at the same time. False when the
/// balance is smaller now (the caller reads again and retries).
pub async fn apply(
    conn: &impl ConnectionTrait,
    bill_id: i64,
    refund_id: i64,
    amount: i64,
    at: OffsetDateTime,
) -> Result<bool, DbErr> {
    let stmt = Query::update()
        .table(Bills::Table)
        .value(Bills::OpenCents, Expr::col(Bills::OpenCents).sub(amount))
        .and_where(Expr::col(Bills::Id).eq(bill_id))
        .and_where(Expr::col(Bills::OpenCents).gte(amount))
        .to_owned();
    if conn.execute(&stmt).await?.rows_affected() != 1 {
        return Ok(false);
    }
    let ins = Query::insert()
        .into_table(BillApplications::Table)
        .columns([
            BillApplications::BillId,
            BillApplications::RefundId,
            BillApplications::AmountCents,
            BillApplications::At,
        ])
        .values_panic([bill_id.into(), refund_id.into(), amount.into(), at.into()])
        .to_owned();
    conn.execute(&ins).await?;
    Ok(true)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRow {
    pub bill_number: String,
    pub refund_id: i64,
    pub amount_cents: i64,
    pub at: OffsetDateTime,
}

/// The offsets taken from a refund, in order.
pub async fn applications_of(conn: &impl ConnectionTrait, refund_id: i64) -> Result<Vec<ApplicationRow>, DbErr> {
    let stmt = Query::select()
        .column((Bills::Table, Bills::BillNumber))
        .columns([
            (BillApplications::Table, BillApplications::RefundId),
            (BillApplications::Table, BillApplications::AmountCents),
            (BillApplications::Table, BillApplications::At),
        ])
        .from(BillApplications::Table)
        .inner_join(
            Bills::Table,
            Expr::col((Bills::Table, Bills::Id)).equals((BillApplications::Table, BillApplications::BillId)),
        )
        .and_where(Expr::col((BillApplications::Table, BillApplications::RefundId)).eq(refund_id))
        .order_by((BillApplications::Table, BillApplications::Id), Order::Asc)
        .to_owned();
    conn.query_all(&stmt)
        .await?
        .iter()
        .map(|r| {
            Ok(ApplicationRow {
                bill_number: r.try_get("", "bill_number")?,
                refund_id: r.try_get("", "refund_id")?,
                amount_cents: r.try_get("", "amount_cents")?,
                at: r.try_get("", "at")?,
            })
        })
        .collect()
}

/// Total applied to each bill (for the invariant "never over-applied").
pub async fn applied_totals(conn: &impl ConnectionTrait) -> Result<Vec<(i64, i64, i64)>, DbErr> {
    let stmt = Query::select()
        .columns([(Bills::Table, Bills::Id), (Bills::Table, Bills::AmountCents)])
        .expr_as(
            Expr::cust("CAST(COALESCE(SUM(bill_applications.amount_cents), 0) AS BIGINT)"),
            sea_orm::sea_query::Alias::new("applied"),
        )
        .from(Bills::Table)
        .left_join(
            BillApplications::Table,
            Expr::col((BillApplications::Table, BillApplications::BillId)).equals((Bills::Table, Bills::Id)),
        )
        .group_by_col((Bills::Table, Bills::Id))
        .group_by_col((Bills::Table, Bills::AmountCents))
        .to_owned();
    conn.query_all(&stmt)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("", "id")?, r.try_get("", "amount_cents")?, r.try_get::<i64>("", "applied")?)))
        .collect()
}

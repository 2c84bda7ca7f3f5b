//! Form 4811 notify parties: importer `importer_id` names `party_importer_id` (an
//! importer number with its own 5106 record) to receive its refunds, from `effective_on` until
//! `revoked_on`. Rows are never deleted; revoking sets the end.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use time::OffsetDateTime;

fn a(s: &str) -> Alias {
    Alias::new(s)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyPartyRow {
    pub id: i64,
    pub importer_id: i64,
    pub importer_number: String,
    pub importer_name: String,
    pub party_importer_id: i64,
    pub party_number: String,
    pub party_name: String,
    /// `YYYY-MM-DD`.
    pub effective_on: String,
    pub revoked_on: Option<String>,
    pub created_by_name: String,
    pub created_at: OffsetDateTime,
    pub revoked_by_name: String,
    pub revoked_at: Option<OffsetDateTime>,
}

fn row(r: &QueryResult) -> Result<NotifyPartyRow, DbErr> {
    Ok(NotifyPartyRow {
        id: r.try_get("", "id")?,
        importer_id: r.try_get("", "importer_id")?,
        importer_number: r.try_get("", "importer_number")?,
        importer_name: r.try_get("", "importer_name")?,
        party_importer_id: r.try_get("", "party_importer_id")?,
        party_number: r.try_get("", "party_number")?,
        party_name: r.try_get("", "party_name")?,
        effective_on: r.try_get("", "effective_on")?,
        revoked_on: r.try_get("", "revoked_on")?,
        created_by_name: r.try_get("", "created_by_name")?,
        created_at: r.try_get("", "created_at")?,
        revoked_by_name: r.try_get("", "revoked_by_name")?,
        revoked_at: r.try_get("", "revoked_at")?,
    })
}

fn select() -> sea_orm::sea_query::SelectStatement {
    let d = || a("notify_designations");
    Query::select()
        .columns(
            [
                "id",
                "importer_id",
                "party_importer_id",
                "effective_on",
                "revoked_on",
                "created_by_name",
                "created_at",
                "revoked_by_name",
                "revoked_at",
            ]
            .map(|c| (d(), a(c))),
        )
        .expr_as(Expr::col((a("i"), a("number"))), a("importer_number"))
        .expr_as(Expr::col((a("i"), a("name"))), a("importer_name"))
        .expr_as(Expr::col((a("p"), a("number"))), a("party_number"))
        .expr_as(Expr::col((a("p"), a("name"))), a("party_name"))
        .from(d())
        .join_as(
            sea_orm::sea_query::JoinType::InnerJoin,
            a("importers"),
            a("i"),
            Expr::col((a("i"), a("id"))).equals((d(), a("importer_id"))),
        )
        .join_as(
            sea_orm::sea_query::JoinType::InnerJoin,
            a("importers"),
            a("p"),
            Expr::col((a("p"), a("id"))).equals((d(), a("party_importer_id"))),
        )
        .to_owned()
}

pub struct NewNotifyParty<'a> {
    pub importer_id: i64,
    pub party_importer_id: i64,
    pub effective_on: &'a str,
    pub created_by_name: &'a str,
    pub at: OffsetDateTime,
}

pub async fn insert(conn: &impl ConnectionTrait, d: &NewNotifyParty<'_>) -> Result<i64, DbErr> {
    let stmt = Query::insert()
        .into_table(a("notify_designations"))
        .columns(["importer_id", "party_importer_id", "effective_on", "created_by_name", "created_at"].map(a))
        .values_panic([
            d.importer_id.into(),
            d.party_importer_id.into(),
            d.effective_on.into(),
            d.created_by_name.into(),
            d.at.into(),
        ])
        .returning_col(a("id"))
        .to_owned();
    let r = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?;
    r.try_get("", "id")
}

/// Ends a notify party on `on` (`YYYY-MM-DD`); false when it was already revoked.
pub async fn revoke(
    conn: &impl ConnectionTrait,
    id: i64,
    on: &str,
    by_name: &str,
    at: OffsetDateTime,
) -> Result<bool, DbErr> {
    let stmt = Query::update()
        .table(a("notify_designations"))
        .value(a("revoked_on"), on)
        .value(a("revoked_by_name"), by_name)
        .value(a("revoked_at"), at)
        .and_where(Expr::col(a("id")).eq(id))
        .and_where(Expr::col(a("revoked_on")).is_null())
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected() == 1)
}

/// Every notify party made by these importers (history included), newest first.
pub async fn made_by(conn: &impl ConnectionTrait, importer_ids: &[i64]) -> Result<Vec<NotifyPartyRow>, DbErr> {
    if importer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = select()
        .and_where(Expr::col((a("notify_designations"), a("importer_id"))).is_in(importer_ids.iter().copied()))
        .order_by((a("notify_designations"), a("id")), Order::Desc)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(row).collect()
}

/// Every notify party naming these importers as notify party, newest first.
pub async fn naming(conn: &impl ConnectionTrait, party_ids: &[i64]) -> Result<Vec<NotifyPartyRow>, DbErr> {
    if party_ids.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = select()
        .and_where(Expr::col((a("notify_designations"), a("party_importer_id"))).is_in(party_ids.iter().copied()))
        .order_by((a("notify_designations"), a("id")), Order::Desc)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(row).collect()
}

pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<NotifyPartyRow>, DbErr> {
    let stmt = select().and_where(Expr::col((a("notify_designations"), a("id"))).eq(id)).to_owned();
    conn.query_one(&stmt).await?.map(|r| row(&r)).transpose()
}

//! Form 4811 notify parties: importer `importer_id` names `party_importer_id` (an
//! importer number with its own 5106 record) to receive its refunds, from `effective_on` until
//! `revoked_on`. Rows are never deleted; revoking sets the end.

use crate::schema::{Col, Importers, NotifyParties};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use time::OffsetDateTime;

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
        id: r.col(NotifyParties::Id)?,
        importer_id: r.col(NotifyParties::ImporterId)?,
        importer_number: r.try_get("", "importer_number")?,
        importer_name: r.try_get("", "importer_name")?,
        party_importer_id: r.col(NotifyParties::PartyImporterId)?,
        party_number: r.try_get("", "party_number")?,
        party_name: r.try_get("", "party_name")?,
        effective_on: r.col(NotifyParties::EffectiveOn)?,
        revoked_on: r.col(NotifyParties::RevokedOn)?,
        created_by_name: r.col(NotifyParties::CreatedByName)?,
        created_at: r.col(NotifyParties::CreatedAt)?,
        revoked_by_name: r.col(NotifyParties::RevokedByName)?,
        revoked_at: r.col(NotifyParties::RevokedAt)?,
    })
}

fn select() -> sea_orm::sea_query::SelectStatement {
    use NotifyParties as D;
    // `importers` twice: as the importer (`i`) and as its notify party (`p`).
    let (i, p) = (|| Alias::new("i"), || Alias::new("p"));
    Query::select()
        .columns(
            [
                D::Id,
                D::ImporterId,
                D::PartyImporterId,
                D::EffectiveOn,
                D::RevokedOn,
                D::CreatedByName,
                D::CreatedAt,
                D::RevokedByName,
                D::RevokedAt,
            ]
            .map(|c| (D::Table, c)),
        )
        .expr_as(Expr::col((i(), Importers::Number)), Alias::new("importer_number"))
        .expr_as(Expr::col((i(), Importers::Name)), Alias::new("importer_name"))
        .expr_as(Expr::col((p(), Importers::Number)), Alias::new("party_number"))
        .expr_as(Expr::col((p(), Importers::Name)), Alias::new("party_name"))
        .from(D::Table)
        .join_as(
            sea_orm::sea_query::JoinType::InnerJoin,
            Importers::Table,
            i(),
            Expr::col((i(), Importers::Id)).equals((D::Table, D::ImporterId)),
        )
        .join_as(
            sea_orm::sea_query::JoinType::InnerJoin,
            Importers::Table,
            p(),
            Expr::col((p(), Importers::Id)).equals((D::Table, D::PartyImporterId)),
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
        .into_table(NotifyParties::Table)
        .columns([
            NotifyParties::ImporterId,
            NotifyParties::PartyImporterId,
            NotifyParties::EffectiveOn,
            NotifyParties::CreatedByName,
            NotifyParties::CreatedAt,
        ])
        .values_panic([
            d.importer_id.into(),
            d.party_importer_id.into(),
            d.effective_on.into(),
            d.created_by_name.into(),
            d.at.into(),
        ])
        .returning_col(NotifyParties::Id)
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
        .table(NotifyParties::Table)
        .value(NotifyParties::RevokedOn, on)
        .value(NotifyParties::RevokedByName, by_name)
        .value(NotifyParties::RevokedAt, at)
        .and_where(Expr::col(NotifyParties::Id).eq(id))
        .and_where(Expr::col(NotifyParties::RevokedOn).is_null())
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected() == 1)
}

/// Every notify party made by these importers (history included), newest first.
pub async fn made_by(conn: &impl ConnectionTrait, importer_ids: &[i64]) -> Result<Vec<NotifyPartyRow>, DbErr> {
    if importer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = select()
        .and_where(Expr::col((NotifyParties::Table, NotifyParties::ImporterId)).is_in(importer_ids.iter().copied()))
        .order_by((NotifyParties::Table, NotifyParties::Id), Order::Desc)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(row).collect()
}

/// Every notify party naming these importers as notify party, newest first.
pub async fn naming(conn: &impl ConnectionTrait, party_ids: &[i64]) -> Result<Vec<NotifyPartyRow>, DbErr> {
    if party_ids.is_empty() {
        return Ok(Vec::new());
    }
    let stmt = select()
        .and_where(Expr::col((NotifyParties::Table, NotifyParties::PartyImporterId)).is_in(party_ids.iter().copied()))
        .order_by((NotifyParties::Table, NotifyParties::Id), Order::Desc)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(row).collect()
}

pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<NotifyPartyRow>, DbErr> {
    let stmt = select().and_where(Expr::col((NotifyParties::Table, NotifyParties::Id)).eq(id)).to_owned();
    conn.query_one(&stmt).await?.map(|r| row(&r)).transpose()
}

//! Interest-rate quarters loaded by operators (`rates load`); they override the table shipped
//! with the binary for the same quarter.

use sea_orm::sea_query::{Asterisk, OnConflict, Order, Query};
use sea_orm::{ConnectionTrait, DbErr};
use time::OffsetDateTime;

use crate::schema::refunds::InterestRates;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateRow {
    /// `YYYY-MM-DD`.
    pub effective_from: String,
    pub overpayment_bp: i64,
    pub corporate_overpayment_bp: i64,
    pub underpayment_bp: i64,
}

pub async fn all(conn: &impl ConnectionTrait) -> Result<Vec<RateRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(InterestRates::Table)
        .order_by(InterestRates::EffectiveFrom, Order::Asc)
        .to_owned();
    conn.query_all(&stmt)
        .await?
        .iter()
        .map(|r| {
            Ok(RateRow {
                effective_from: r.try_get("", "effective_from")?,
                overpayment_bp: r.try_get("", "overpayment_bp")?,
                corporate_overpayment_bp: r.try_get("", "corporate_overpayment_bp")?,
                underpayment_bp: r.try_get("", "underpayment_bp")?,
            })
        })
        .collect()
}

/// Inserts or replaces quarters (by `effective_from`).
pub async fn upsert(conn: &impl ConnectionTrait, rows: &[RateRow], by: &str, at: OffsetDateTime) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut stmt = Query::insert();
    stmt.into_table(InterestRates::Table).columns([
        InterestRates::EffectiveFrom,
        InterestRates::OverpaymentBp,
        InterestRates::CorporateOverpaymentBp,
        InterestRates::UnderpaymentBp,
        InterestRates::LoadedAt,
        InterestRates::LoadedBy,
    ]);
    for r in rows {
        stmt.values_panic([
            r.effective_from.clone().into(),
            r.overpayment_bp.into(),
            r.corporate_overpayment_bp.into(),
            r.underpayment_bp.into(),
            at.into(),
            by.into(),
        ]);
    }
    stmt.on_conflict(
        OnConflict::column(InterestRates::EffectiveFrom)
            .update_columns([
                InterestRates::OverpaymentBp,
                InterestRates::CorporateOverpaymentBp,
                InterestRates::UnderpaymentBp,
                InterestRates::LoadedAt,
                InterestRates::LoadedBy,
            ])
            .to_owned(),
    );
    conn.execute(&stmt.to_owned()).await?;
    Ok(())
}

//! The loaded FedACH participant directory: which routing numbers exist and receive ACH.

use crate::schema::{Col, RoutingBanks, RoutingLoads};
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankRow {
    pub routing: String,
    pub name: String,
    pub city: String,
    pub state: String,
    pub office: String,
    pub record_type: i32,
    pub new_routing: String,
    pub receives_ach: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadRow {
    pub loaded_at: OffsetDateTime,
    pub source: String,
    pub participants: i64,
    pub bad_lines: i64,
    pub sha256: String,
    pub loaded_by: String,
}

fn bank(r: &QueryResult) -> Result<BankRow, DbErr> {
    Ok(BankRow {
        routing: r.col(RoutingBanks::Routing)?,
        name: r.col(RoutingBanks::Name)?,
        city: r.col(RoutingBanks::City)?,
        state: r.col(RoutingBanks::State)?,
        office: r.col(RoutingBanks::Office)?,
        record_type: r.col(RoutingBanks::RecordType)?,
        new_routing: r.col(RoutingBanks::NewRouting)?,
        receives_ach: r.col(RoutingBanks::ReceivesAch)?,
    })
}

/// Rows per INSERT: 8 columns each stays far below both engines' bind limits.
const CHUNK: usize = 1_000;

/// Replaces the whole directory with `banks` and records the load; the caller runs this inside
/// one transaction so readers see the old directory or the new one, never half of each.
pub async fn replace(conn: &impl ConnectionTrait, banks: &[BankRow], load: &LoadRow) -> Result<(), DbErr> {
    conn.execute(&Query::delete().from_table(RoutingBanks::Table).to_owned()).await?;
    for chunk in banks.chunks(CHUNK) {
        let mut stmt = Query::insert()
            .into_table(RoutingBanks::Table)
            .columns([
                RoutingBanks::Routing,
                RoutingBanks::Name,
                RoutingBanks::City,
                RoutingBanks::State,
                RoutingBanks::Office,
                RoutingBanks::RecordType,
                RoutingBanks::NewRouting,
                RoutingBanks::ReceivesAch,
            ])
            .to_owned();
        for b in chunk {
            stmt.values_panic([
                b.routing.as_str().into(),
                b.name.as_str().into(),
                b.city.as_str().into(),
                b.state.as_str().into(),
                b.office.as_str().into(),
                b.record_type.into(),
                b.new_routing.as_str().into(),
                b.receives_ach.into(),
            ]);
        }
        conn.execute(&stmt).await?;
    }
    let stmt = Query::insert()
        .into_table(RoutingLoads::Table)
        .columns([
            RoutingLoads::LoadedAt,
            RoutingLoads::Source,
            RoutingLoads::Participants,
            RoutingLoads::BadLines,
            RoutingLoads::Sha256,
            RoutingLoads::LoadedBy,
        ])
        .values_panic([
            load.loaded_at.into(),
            load.source.as_str().into(),
            load.participants.into(),
            load.bad_lines.into(),
            load.sha256.as_str().into(),
            load.loaded_by.as_str().into(),
        ])
        .to_owned();
    conn.execute(&stmt).await?;
    Ok(())
}

pub async fn by_routing(conn: &impl ConnectionTrait, routing: &str) -> Result<Option<BankRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(RoutingBanks::Table)
        .and_where(Expr::col(RoutingBanks::Routing).eq(routing))
        .to_owned();
    conn.query_one(&stmt).await?.map(|r| bank(&r)).transpose()
}

/// The most recent load, or None when no directory was ever loaded.
pub async fn last_load(conn: &impl ConnectionTrait) -> Result<Option<LoadRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(RoutingLoads::Table)
        .order_by(RoutingLoads::Id, Order::Desc)
        .limit(1)
        .to_owned();
    let Some(r) = conn.query_one(&stmt).await? else { return Ok(None) };
    Ok(Some(LoadRow {
        loaded_at: r.col(RoutingLoads::LoadedAt)?,
        source: r.col(RoutingLoads::Source)?,
        participants: r.col(RoutingLoads::Participants)?,
        bad_lines: r.col(RoutingLoads::BadLines)?,
        sha256: r.col(RoutingLoads::Sha256)?,
        loaded_by: r.col(RoutingLoads::LoadedBy)?,
    }))
}

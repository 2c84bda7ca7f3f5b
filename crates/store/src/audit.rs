//! The append-only audit log every state change writes to (the database refuses UPDATE and
//! DELETE on it). A 5106 record's history is its audit rows, and the entry of the import that
//! created it, if one did (`for_importer`).

use crate::schema::{AuditLog, Col, Importers};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, DbErr, Value};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub id: i64,
    pub at: OffsetDateTime,
    pub actor_user_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<i64>,
    pub entity_key: String,
    /// JSON array of `{"field","old","new"}`, personal values already masked.
    pub changes: String,
}

/// Columns written on append, in `values` order (all but `id`).
const COLS: [AuditLog; 8] = [
    AuditLog::At,
    AuditLog::ActorUserId,
    AuditLog::ActorLabel,
    AuditLog::Action,
    AuditLog::EntityType,
    AuditLog::EntityId,
    AuditLog::EntityKey,
    AuditLog::Changes,
];

fn values(r: &AuditRow) -> Vec<SimpleExpr> {
    let v: Vec<Value> = vec![
        r.at.into(),
        r.actor_user_id.into(),
        r.actor_label.clone().into(),
        r.action.clone().into(),
        r.entity_type.clone().into(),
        r.entity_id.into(),
        r.entity_key.clone().into(),
        r.changes.clone().into(),
    ];
    v.into_iter().map(SimpleExpr::from).collect()
}

pub async fn append(conn: &impl ConnectionTrait, row: &AuditRow) -> Result<(), DbErr> {
    append_many(conn, std::slice::from_ref(row)).await
}

pub async fn append_many(conn: &impl ConnectionTrait, rows: &[AuditRow]) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut stmt = Query::insert();
    stmt.into_table(AuditLog::Table).columns(COLS);
    for r in rows {
        stmt.values_panic(values(r));
    }
    conn.execute(&stmt).await?;
    Ok(())
}

/// Newest first.
pub async fn for_entity(
    conn: &impl ConnectionTrait,
    entity_type: &str,
    entity_id: i64,
) -> Result<Vec<AuditRow>, DbErr> {
    let stmt = select()
        .and_where(Expr::col(AuditLog::EntityType).eq(entity_type))
        .and_where(Expr::col(AuditLog::EntityId).eq(entity_id))
        .order_by(AuditLog::Id, Order::Desc)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(decode).collect()
}

/// Every row about one type of entity, newest first (for events about no single row, such as a
/// certification run).
pub async fn for_type(conn: &impl ConnectionTrait, entity_type: &str) -> Result<Vec<AuditRow>, DbErr> {
    let stmt = select()
        .and_where(Expr::col(AuditLog::EntityType).eq(entity_type))
        .order_by(AuditLog::Id, Order::Desc)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(decode).collect()
}

/// A 5106 record's history, newest first: its own entries and, for a record a CSV import
/// created, that import's one entry told as "created by import of FILE line N" (the record
/// keeps the entry's id and its line, migration m0006).
pub async fn for_importer(conn: &impl ConnectionTrait, importer_id: i64) -> Result<Vec<AuditRow>, DbErr> {
    let mut rows = for_entity(conn, "importer", importer_id).await?;
    let origin = select()
        .column((Importers::Table, Importers::CreatedLine))
        .inner_join(
            Importers::Table,
            Expr::col((Importers::Table, Importers::CreatedImportId)).equals((AuditLog::Table, AuditLog::Id)),
        )
        .and_where(Expr::col((Importers::Table, Importers::Id)).eq(importer_id))
        .to_owned();
    if let Some(r) = conn.query_one(&origin).await? {
        let entry = decode(&r)?;
        let line = r.col::<Option<i64>>(Importers::CreatedLine)?.map(|l| format!(" line {l}")).unwrap_or_default();
        rows.push(AuditRow {
            action: format!("created by import of {}{line}", entry.entity_key),
            entity_type: "importer".into(),
            entity_id: Some(importer_id),
            ..entry
        });
        rows.sort_by_key(|r| std::cmp::Reverse(r.id));
    }
    Ok(rows)
}

fn select() -> sea_orm::sea_query::SelectStatement {
    let cols = std::iter::once(AuditLog::Id).chain(COLS).map(|c| (AuditLog::Table, c));
    Query::select().columns(cols).from(AuditLog::Table).to_owned()
}

fn decode(r: &sea_orm::QueryResult) -> Result<AuditRow, DbErr> {
    Ok(AuditRow {
        id: r.col(AuditLog::Id)?,
        at: r.col(AuditLog::At)?,
        actor_user_id: r.col(AuditLog::ActorUserId)?,
        actor_label: r.col(AuditLog::ActorLabel)?,
        action: r.col(AuditLog::Action)?,
        entity_type: r.col(AuditLog::EntityType)?,
        entity_id: r.col(AuditLog::EntityId)?,
        entity_key: r.col(AuditLog::EntityKey)?,
        changes: r.col(AuditLog::Changes)?,
    })
}

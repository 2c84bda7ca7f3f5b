//! The append-only audit log every state change writes to (the database refuses UPDATE and
//! DELETE on it). A 5106 record's history is its audit rows, and the entry of the import that
//! created it, if one did (`for_importer`).

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, DbErr, Value};
use time::OffsetDateTime;

fn a(s: &str) -> Alias {
    Alias::new(s)
}

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

const COLS: [&str; 8] =
    ["at", "actor_user_id", "actor_label", "action", "entity_type", "entity_id", "entity_key", "changes"];

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
    stmt.into_table(a("audit_log")).columns(COLS.map(a));
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
        .and_where(Expr::col(a("entity_type")).eq(entity_type))
        .and_where(Expr::col(a("entity_id")).eq(entity_id))
        .order_by(a("id"), Order::Desc)
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(decode).collect()
}

/// A 5106 record's history, newest first: its own entries and, for a record a CSV import
/// created, that import's one entry told as "created by import of FILE line N" (the record
/// keeps the entry's id and its line, migration m0006).
pub async fn for_importer(conn: &impl ConnectionTrait, importer_id: i64) -> Result<Vec<AuditRow>, DbErr> {
    let mut rows = for_entity(conn, "importer", importer_id).await?;
    let origin = select()
        .column((a("importers"), a("created_line")))
        .inner_join(
            a("importers"),
            Expr::col((a("importers"), a("created_import_id"))).equals((a("audit_log"), a("id"))),
        )
        .and_where(Expr::col((a("importers"), a("id"))).eq(importer_id))
        .to_owned();
    if let Some(r) = conn.query_one(&origin).await? {
        let entry = decode(&r)?;
        let line = r.try_get::<Option<i64>>("", "created_line")?.map(|l| format!(" line {l}")).unwrap_or_default();
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
    let cols = std::iter::once("id").chain(COLS).map(|c| (a("audit_log"), a(c)));
    Query::select().columns(cols).from(a("audit_log")).to_owned()
}

fn decode(r: &sea_orm::QueryResult) -> Result<AuditRow, DbErr> {
    Ok(AuditRow {
        id: r.try_get("", "id")?,
        at: r.try_get("", "at")?,
        actor_user_id: r.try_get("", "actor_user_id")?,
        actor_label: r.try_get("", "actor_label")?,
        action: r.try_get("", "action")?,
        entity_type: r.try_get("", "entity_type")?,
        entity_id: r.try_get("", "entity_id")?,
        entity_key: r.try_get("", "entity_key")?,
        changes: r.try_get("", "changes")?,
    })
}

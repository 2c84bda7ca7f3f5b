//! Account applications: the automated portal account application and its variants (an
//! Importer sub-account for an existing account, another importer number for one).

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use time::OffsetDateTime;

fn a(s: &str) -> Alias {
    Alias::new(s)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRow {
    pub id: i64,
    /// new-account, importer-sub-account, add-number
    pub kind: String,
    pub importer_id: i64,
    pub account_id: Option<i64>,
    pub requested_by_user_id: Option<i64>,
    pub company_name: String,
    pub requester_name: String,
    pub requester_email: String,
    /// code-sent, verified, completed
    pub status: String,
    pub ip: String,
    pub created_at: OffsetDateTime,
    pub verified_at: Option<OffsetDateTime>,
}

fn from_row(r: &QueryResult) -> Result<ApplicationRow, DbErr> {
    Ok(ApplicationRow {
        id: r.try_get("", "id")?,
        kind: r.try_get("", "kind")?,
        importer_id: r.try_get("", "importer_id")?,
        account_id: r.try_get("", "account_id")?,
        requested_by_user_id: r.try_get("", "requested_by_user_id")?,
        company_name: r.try_get("", "company_name")?,
        requester_name: r.try_get("", "requester_name")?,
        requester_email: r.try_get("", "requester_email")?,
        status: r.try_get("", "status")?,
        ip: r.try_get("", "ip")?,
        created_at: r.try_get("", "created_at")?,
        verified_at: r.try_get("", "verified_at")?,
    })
}

pub async fn insert(conn: &impl ConnectionTrait, r: &ApplicationRow) -> Result<i64, DbErr> {
    let stmt = Query::insert()
        .into_table(a("account_applications"))
        .columns(
            [
                "kind",
                "importer_id",
                "account_id",
                "requested_by_user_id",
                "company_name",
                "requester_name",
                "requester_email",
                "status",
                "ip",
                "created_at",
            ]
            .map(a),
        )
        .values_panic([
            r.kind.clone().into(),
            r.importer_id.into(),
            r.account_id.into(),
            r.requested_by_user_id.into(),
            r.company_name.clone().into(),
            r.requester_name.clone().into(),
            r.requester_email.clone().into(),
            r.status.clone().into(),
            r.ip.clone().into(),
            r.created_at.into(),
        ])
        .returning_col(a("id"))
        .to_owned();
    let row = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?;
    row.try_get("", "id")
}

pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<ApplicationRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(a("account_applications"))
        .and_where(Expr::col(a("id")).eq(id))
        .to_owned();
    conn.query_one(&stmt).await?.map(|r| from_row(&r)).transpose()
}

/// Moves an application from one status to the next; false when it was not in `from`.
pub async fn advance(
    conn: &impl ConnectionTrait,
    id: i64,
    from: &str,
    to: &str,
    at: OffsetDateTime,
) -> Result<bool, DbErr> {
    let mut stmt = Query::update();
    stmt.table(a("account_applications"))
        .value(a("status"), to)
        .and_where(Expr::col(a("id")).eq(id))
        .and_where(Expr::col(a("status")).eq(from));
    if to == "verified" {
        stmt.value(a("verified_at"), at);
    }
    Ok(conn.execute(&stmt).await?.rows_affected() == 1)
}

//! Account applications: the automated portal account application and its variants (an
//! Importer sub-account for an existing account, another importer number for one).

use crate::schema::{AccountApplications, Col};
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use time::OffsetDateTime;

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
        id: r.col(AccountApplications::Id)?,
        kind: r.col(AccountApplications::Kind)?,
        importer_id: r.col(AccountApplications::ImporterId)?,
        account_id: r.col(AccountApplications::AccountId)?,
        requested_by_user_id: r.col(AccountApplications::RequestedByUserId)?,
        company_name: r.col(AccountApplications::CompanyName)?,
        requester_name: r.col(AccountApplications::RequesterName)?,
        requester_email: r.col(AccountApplications::RequesterEmail)?,
        status: r.col(AccountApplications::Status)?,
        ip: r.col(AccountApplications::Ip)?,
        created_at: r.col(AccountApplications::CreatedAt)?,
        verified_at: r.col(AccountApplications::VerifiedAt)?,
    })
}

pub async fn insert(conn: &impl ConnectionTrait, r: &ApplicationRow) -> Result<i64, DbErr> {
    let stmt = Query::insert()
        .into_table(AccountApplications::Table)
        .columns([
            AccountApplications::Kind,
            AccountApplications::ImporterId,
            AccountApplications::AccountId,
            AccountApplications::RequestedByUserId,
            AccountApplications::CompanyName,
            AccountApplications::RequesterName,
            AccountApplications::RequesterEmail,
            AccountApplications::Status,
            AccountApplications::Ip,
            AccountApplications::CreatedAt,
        ])
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
        .returning_col(AccountApplications::Id)
        .to_owned();
    let row = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?;
    row.try_get("", "id")
}

pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<ApplicationRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(AccountApplications::Table)
        .and_where(Expr::col(AccountApplications::Id).eq(id))
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
    stmt.table(AccountApplications::Table)
        .value(AccountApplications::Status, to)
        .and_where(Expr::col(AccountApplications::Id).eq(id))
        .and_where(Expr::col(AccountApplications::Status).eq(from));
    if to == "verified" {
        stmt.value(AccountApplications::VerifiedAt, at);
    }
    Ok(conn.execute(&stmt).await?.rows_affected() == 1)
}

//! Broker firms (customs brokers, identified by their 3-character filer code).

use crate::schema::{BrokerFirms, Col, Importers, Users};
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirmRow {
    pub id: i64,
    pub name: String,
    pub filer_code: String,
    pub importer_number: Option<String>,
    pub created_at: OffsetDateTime,
}

fn from_row(r: &QueryResult) -> Result<FirmRow, DbErr> {
    Ok(FirmRow {
        id: r.col(BrokerFirms::Id)?,
        name: r.col(BrokerFirms::Name)?,
        filer_code: r.col(BrokerFirms::FilerCode)?,
        importer_number: r.col(BrokerFirms::ImporterNumber)?,
        created_at: r.col(BrokerFirms::CreatedAt)?,
    })
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    name: &str,
    filer_code: &str,
    importer_number: Option<&str>,
    at: OffsetDateTime,
) -> Result<i64, DbErr> {
    let stmt = Query::insert()
        .into_table(BrokerFirms::Table)
        .columns([BrokerFirms::Name, BrokerFirms::FilerCode, BrokerFirms::ImporterNumber, BrokerFirms::CreatedAt])
        .values_panic([name.into(), filer_code.into(), importer_number.map(str::to_string).into(), at.into()])
        .returning_col(BrokerFirms::Id)
        .to_owned();
    let r = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?;
    r.try_get("", "id")
}

pub async fn by_filer_code(conn: &impl ConnectionTrait, code: &str) -> Result<Option<FirmRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(BrokerFirms::Table)
        .and_where(Expr::col(BrokerFirms::FilerCode).eq(code))
        .to_owned();
    conn.query_one(&stmt).await?.map(|r| from_row(&r)).transpose()
}

pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<FirmRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(BrokerFirms::Table)
        .and_where(Expr::col(BrokerFirms::Id).eq(id))
        .to_owned();
    conn.query_one(&stmt).await?.map(|r| from_row(&r)).transpose()
}

/// Emails that belong to brokers: every broker user's email plus the contact email on each
/// broker firm's own 5106 record. An importer's contact email may be none of these.
pub async fn broker_emails(conn: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    let users = Query::select()
        .column(Users::Email)
        .from(Users::Table)
        .and_where(Expr::col(Users::Role).eq("broker"))
        .to_owned();
    let firm_records = Query::select()
        .column((Importers::Table, Importers::Email))
        .from(Importers::Table)
        .inner_join(
            BrokerFirms::Table,
            Expr::col((BrokerFirms::Table, BrokerFirms::ImporterNumber)).equals((Importers::Table, Importers::Number)),
        )
        .to_owned();
    let mut out = Vec::new();
    for stmt in [users, firm_records] {
        for r in conn.query_all(&stmt).await? {
            out.push(r.try_get::<String>("", "email")?);
        }
    }
    Ok(out)
}

/// Whether `email` is a broker's (see `broker_emails`), checked in the database.
pub async fn is_broker_email(conn: &impl ConnectionTrait, email: &str) -> Result<bool, DbErr> {
    let user = Query::select()
        .expr(Expr::val(1))
        .from(Users::Table)
        .and_where(Expr::col(Users::Role).eq("broker"))
        .and_where(Expr::col(Users::Email).eq(email))
        .to_owned();
    if conn.query_one(&user).await?.is_some() {
        return Ok(true);
    }
    let firm = Query::select()
        .expr(Expr::val(1))
        .from(Importers::Table)
        .inner_join(
            BrokerFirms::Table,
            Expr::col((BrokerFirms::Table, BrokerFirms::ImporterNumber)).equals((Importers::Table, Importers::Number)),
        )
        .and_where(Expr::col((Importers::Table, Importers::Email)).eq(email))
        .to_owned();
    Ok(conn.query_one(&firm).await?.is_some())
}

/// Canonical numbers of the broker firms' own 5106 records. The broker-email rule does not
/// apply to those: a firm's own record carries the firm's own email.
pub async fn firm_record_numbers(conn: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    let stmt = Query::select()
        .column(BrokerFirms::ImporterNumber)
        .from(BrokerFirms::Table)
        .and_where(Expr::col(BrokerFirms::ImporterNumber).is_not_null())
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(|r| r.try_get::<String>("", "importer_number")).collect()
}

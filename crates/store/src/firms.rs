//! Broker firms (customs brokers, identified by their 3-character filer code).

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use time::OffsetDateTime;

fn a(s: &str) -> Alias {
    Alias::new(s)
}

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
        id: r.try_get("", "id")?,
        name: r.try_get("", "name")?,
        filer_code: r.try_get("", "filer_code")?,
        importer_number: r.try_get("", "importer_number")?,
        created_at: r.try_get("", "created_at")?,
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
        .into_table(a("broker_firms"))
        .columns(["name", "filer_code", "importer_number", "created_at"].map(a))
        .values_panic([name.into(), filer_code.into(), importer_number.map(str::to_string).into(), at.into()])
        .returning_col(a("id"))
        .to_owned();
    let r = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?;
    r.try_get("", "id")
}

pub async fn by_filer_code(conn: &impl ConnectionTrait, code: &str) -> Result<Option<FirmRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(a("broker_firms"))
        .and_where(Expr::col(a("filer_code")).eq(code))
        .to_owned();
    conn.query_one(&stmt).await?.map(|r| from_row(&r)).transpose()
}

pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<FirmRow>, DbErr> {
    let stmt = Query::select().column(Asterisk).from(a("broker_firms")).and_where(Expr::col(a("id")).eq(id)).to_owned();
    conn.query_one(&stmt).await?.map(|r| from_row(&r)).transpose()
}

/// Emails that belong to brokers: every broker user's email plus the contact email on each
/// broker firm's own 5106 record. An importer's contact email may be none of these.
pub async fn broker_emails(conn: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    let users =
        Query::select().column(a("email")).from(a("users")).and_where(Expr::col(a("role")).eq("broker")).to_owned();
    let firm_records = Query::select()
        .column((a("importers"), a("email")))
        .from(a("importers"))
        .inner_join(
            a("broker_firms"),
            Expr::col((a("broker_firms"), a("importer_number"))).equals((a("importers"), a("number"))),
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
        .from(a("users"))
        .and_where(Expr::col(a("role")).eq("broker"))
        .and_where(Expr::col(a("email")).eq(email))
        .to_owned();
    if conn.query_one(&user).await?.is_some() {
        return Ok(true);
    }
    let firm = Query::select()
        .expr(Expr::val(1))
        .from(a("importers"))
        .inner_join(
            a("broker_firms"),
            Expr::col((a("broker_firms"), a("importer_number"))).equals((a("importers"), a("number"))),
        )
        .and_where(Expr::col((a("importers"), a("email"))).eq(email))
        .to_owned();
    Ok(conn.query_one(&firm).await?.is_some())
}

/// Canonical numbers of the broker firms' own 5106 records. The broker-email rule does not
/// apply to those: a firm's own record carries the firm's own email.
pub async fn firm_record_numbers(conn: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    let stmt = Query::select()
        .column(a("importer_number"))
        .from(a("broker_firms"))
        .and_where(Expr::col(a("importer_number")).is_not_null())
        .to_owned();
    conn.query_all(&stmt).await?.iter().map(|r| r.try_get::<String>("", "importer_number")).collect()
}

//! Users: CBP staff and broker users (trade-portal accounts come later).

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use time::OffsetDateTime;

fn a(s: &str) -> Alias {
    Alias::new(s)
}

#[derive(Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub firm_id: Option<i64>,
    pub active: bool,
    pub created_at: OffsetDateTime,
    pub last_login_at: Option<OffsetDateTime>,
}

/// The password hash stays out of Debug output.
impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("role", &self.role)
            .field("firm_id", &self.firm_id)
            .finish()
    }
}

pub(crate) fn from_row(r: &QueryResult) -> Result<UserRow, DbErr> {
    Ok(UserRow {
        id: r.try_get("", "id")?,
        email: r.try_get("", "email")?,
        name: r.try_get("", "name")?,
        role: r.try_get("", "role")?,
        password_hash: r.try_get("", "password_hash")?,
        firm_id: r.try_get("", "firm_id")?,
        active: r.try_get("", "active")?,
        created_at: r.try_get("", "created_at")?,
        last_login_at: r.try_get("", "last_login_at")?,
    })
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub firm_id: Option<i64>,
}

pub async fn insert(conn: &impl ConnectionTrait, u: &NewUser<'_>, at: OffsetDateTime) -> Result<i64, DbErr> {
    let stmt = Query::insert()
        .into_table(a("users"))
        .columns(["email", "name", "role", "password_hash", "firm_id", "active", "created_at"].map(a))
        .values_panic([
            u.email.into(),
            u.name.into(),
            u.role.into(),
            u.password_hash.into(),
            u.firm_id.into(),
            true.into(),
            at.into(),
        ])
        .returning_col(a("id"))
        .to_owned();
    let r = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?;
    r.try_get("", "id")
}

pub async fn by_email(conn: &impl ConnectionTrait, email: &str) -> Result<Option<UserRow>, DbErr> {
    let stmt = Query::select().column(Asterisk).from(a("users")).and_where(Expr::col(a("email")).eq(email)).to_owned();
    conn.query_one(&stmt).await?.map(|r| from_row(&r)).transpose()
}

pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<UserRow>, DbErr> {
    let stmt = Query::select().column(Asterisk).from(a("users")).and_where(Expr::col(a("id")).eq(id)).to_owned();
    conn.query_one(&stmt).await?.map(|r| from_row(&r)).transpose()
}

pub async fn touch_login(conn: &impl ConnectionTrait, id: i64, at: OffsetDateTime) -> Result<(), DbErr> {
    let stmt =
        Query::update().table(a("users")).value(a("last_login_at"), at).and_where(Expr::col(a("id")).eq(id)).to_owned();
    conn.execute(&stmt).await?;
    Ok(())
}

pub async fn count(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let stmt = Query::select().expr_as(Expr::col(Asterisk).count(), a("n")).from(a("users")).to_owned();
    let n: i64 = match conn.query_one(&stmt).await? {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

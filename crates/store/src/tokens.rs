//! API bearer tokens, stored as SHA-256 hashes.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbErr};
use time::OffsetDateTime;

use crate::users::{UserRow, from_row};

fn a(s: &str) -> Alias {
    Alias::new(s)
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    user_id: i64,
    name: &str,
    token_hash: &str,
    at: OffsetDateTime,
) -> Result<i64, DbErr> {
    let stmt = Query::insert()
        .into_table(a("api_tokens"))
        .columns(["user_id", "name", "token_hash", "created_at"].map(a))
        .values_panic([user_id.into(), name.into(), token_hash.into(), at.into()])
        .returning_col(a("id"))
        .to_owned();
    let r = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?;
    r.try_get("", "id")
}

/// The active user owning an unrevoked token with this hash.
pub async fn user_for(conn: &impl ConnectionTrait, token_hash: &str) -> Result<Option<UserRow>, DbErr> {
    let stmt = Query::select()
        .column((a("users"), sea_orm::sea_query::Asterisk))
        .from(a("api_tokens"))
        .inner_join(a("users"), Expr::col((a("users"), a("id"))).equals((a("api_tokens"), a("user_id"))))
        .and_where(Expr::col((a("api_tokens"), a("token_hash"))).eq(token_hash))
        .and_where(Expr::col((a("api_tokens"), a("revoked_at"))).is_null())
        .and_where(Expr::col((a("users"), a("active"))).eq(true))
        .to_owned();
    conn.query_one(&stmt).await?.map(|r| from_row(&r)).transpose()
}

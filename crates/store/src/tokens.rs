//! API bearer tokens, stored as SHA-256 hashes.

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbErr};
use time::OffsetDateTime;

use crate::schema::{ApiTokens, Users};
use crate::users::{UserRow, from_row};

pub async fn insert(
    conn: &impl ConnectionTrait,
    user_id: i64,
    name: &str,
    token_hash: &str,
    at: OffsetDateTime,
) -> Result<i64, DbErr> {
    let stmt = Query::insert()
        .into_table(ApiTokens::Table)
        .columns([ApiTokens::UserId, ApiTokens::Name, ApiTokens::TokenHash, ApiTokens::CreatedAt])
        .values_panic([user_id.into(), name.into(), token_hash.into(), at.into()])
        .returning_col(ApiTokens::Id)
        .to_owned();
    let r = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("insert returned no id".into()))?;
    r.try_get("", "id")
}

/// The active user owning an unrevoked token with this hash.
pub async fn user_for(conn: &impl ConnectionTrait, token_hash: &str) -> Result<Option<UserRow>, DbErr> {
    let stmt = Query::select()
        .column((Users::Table, sea_orm::sea_query::Asterisk))
        .from(ApiTokens::Table)
        .inner_join(Users::Table, Expr::col((Users::Table, Users::Id)).equals((ApiTokens::Table, ApiTokens::UserId)))
        .and_where(Expr::col((ApiTokens::Table, ApiTokens::TokenHash)).eq(token_hash))
        .and_where(Expr::col((ApiTokens::Table, ApiTokens::RevokedAt)).is_null())
        .and_where(Expr::col((Users::Table, Users::Active)).eq(true))
        .to_owned();
    conn.query_one(&stmt).await?.map(|r| from_row(&r)).transpose()
}

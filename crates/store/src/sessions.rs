//! Browser sessions, kept in the database so several server instances share them.
//!
//! A session has a stage: `password` for a user who must set a password, `second-factor` after the password was accepted (the user must still
//! enter a code), `enrol` for a new user who must still choose a second factor, and `full`.
//! Only `full` sessions act for the user; each stage change gets a new session id.

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use time::OffsetDateTime;

use crate::schema::{Col, Sessions, Users};
use crate::users::{UserRow, from_row};

pub const FULL: &str = "full";
pub const SECOND_FACTOR: &str = "second-factor";
pub const ENROL: &str = "enrol";
/// A new or invited user, or one resetting a password, who must still set a password.
pub const PASSWORD: &str = "password";

pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub user_id: i64,
    pub stage: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
    pub at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub id_hash: String,
    pub stage: String,
    pub ip: String,
    pub user_agent: String,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}

pub async fn insert(conn: &impl ConnectionTrait, s: &NewSession<'_>) -> Result<(), DbErr> {
    let stmt = Query::insert()
        .into_table(Sessions::Table)
        .columns([
            Sessions::IdHash,
            Sessions::UserId,
            Sessions::Stage,
            Sessions::Ip,
            Sessions::UserAgent,
            Sessions::CreatedAt,
            Sessions::LastSeenAt,
            Sessions::ExpiresAt,
        ])
        .values_panic([
            s.id_hash.into(),
            s.user_id.into(),
            s.stage.into(),
            s.ip.into(),
            s.user_agent.into(),
            s.at.into(),
            s.at.into(),
            s.expires_at.into(),
        ])
        .to_owned();
    conn.execute(&stmt).await?;
    Ok(())
}

/// How stale `last_seen_at` may get before a request writes it again. Writing it on every
/// request made each page view a write (serialised on SQLite, a WAL flush on PostgreSQL) for a
/// figure nobody needs to the second. The cost: a session can end its idle timeout up to this
/// much *earlier* than the exact figure, never later.
pub const TOUCH_EVERY: time::Duration = time::Duration::minutes(1);

/// What a request knows of its session: the cookie's hash, the stage it must be at, and the
/// clock. Pages that read their data in the same statement as the session check
/// ([`session_user_subquery`]) and [`user_for`] apply the same rules through it.
#[derive(Debug, Clone, Copy)]
pub struct SessionKey<'a> {
    pub id_hash: &'a str,
    pub stage: &'a str,
    pub now: OffsetDateTime,
    /// Sessions last seen at or before this are idle too long.
    pub idle_since: OffsetDateTime,
}

/// The session's active user: every `users` column plus `session_seen_at`, and no row when the
/// session is unknown, at another stage, expired, idle too long, or its user inactive. Pages
/// select FROM it (aliased [`SESSION_USER`]) and LEFT JOIN their data, so the session check and
/// the page's data are one round trip; the user columns keep their names, so
/// [`crate::users::from_row`] reads them and the page's own columns must not reuse those names.
pub fn session_user_subquery(key: &SessionKey<'_>) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column((Users::Table, Asterisk))
        .expr_as(Expr::col((Sessions::Table, Sessions::LastSeenAt)), Alias::new("session_seen_at"))
        .from(Sessions::Table)
        .inner_join(Users::Table, Expr::col((Users::Table, Users::Id)).equals((Sessions::Table, Sessions::UserId)))
        .and_where(Expr::col((Sessions::Table, Sessions::IdHash)).eq(key.id_hash))
        .and_where(Expr::col((Sessions::Table, Sessions::Stage)).eq(key.stage))
        .and_where(Expr::col((Sessions::Table, Sessions::ExpiresAt)).gt(key.now))
        .and_where(Expr::col((Sessions::Table, Sessions::LastSeenAt)).gt(key.idle_since))
        .and_where(Expr::col((Users::Table, Users::Active)).eq(true))
        .to_owned()
}

/// The alias pages give [`session_user_subquery`] in their FROM clause.
pub const SESSION_USER: &str = "su";

/// Reads the user of a row selected from [`session_user_subquery`], and moves the session's
/// `last_seen_at` when it is older than [`TOUCH_EVERY`].
pub async fn seen(conn: &impl ConnectionTrait, key: &SessionKey<'_>, row: &QueryResult) -> Result<UserRow, DbErr> {
    let seen: OffsetDateTime = row.try_get("", "session_seen_at")?;
    if key.now - seen >= TOUCH_EVERY {
        let touch = Query::update()
            .table(Sessions::Table)
            .value(Sessions::LastSeenAt, key.now)
            .and_where(Expr::col(Sessions::IdHash).eq(key.id_hash))
            .to_owned();
        conn.execute(&touch).await?;
    }
    from_row(row)
}

/// The session's active user when the session exists in `stage`, has not expired, and was seen
/// after `idle_since`. Seeing it moves `last_seen_at` when that is older than [`TOUCH_EVERY`].
pub async fn user_for(conn: &impl ConnectionTrait, key: &SessionKey<'_>) -> Result<Option<UserRow>, DbErr> {
    let Some(row) = conn.query_one(&session_user_subquery(key)).await? else { return Ok(None) };
    seen(conn, key, &row).await.map(Some)
}

pub async fn delete(conn: &impl ConnectionTrait, id_hash: &str) -> Result<bool, DbErr> {
    let stmt =
        Query::delete().from_table(Sessions::Table).and_where(Expr::col(Sessions::IdHash).eq(id_hash)).to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected() == 1)
}

/// Ends every session of a user ("log out everywhere", password change, deactivation).
pub async fn delete_for_user(conn: &impl ConnectionTrait, user_id: i64) -> Result<u64, DbErr> {
    let stmt =
        Query::delete().from_table(Sessions::Table).and_where(Expr::col(Sessions::UserId).eq(user_id)).to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected())
}

pub async fn delete_expired(conn: &impl ConnectionTrait, now: OffsetDateTime) -> Result<u64, DbErr> {
    let stmt =
        Query::delete().from_table(Sessions::Table).and_where(Expr::col(Sessions::ExpiresAt).lte(now)).to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected())
}

/// A user's live sessions, most recently seen first.
pub async fn for_user(
    conn: &impl ConnectionTrait,
    user_id: i64,
    now: OffsetDateTime,
) -> Result<Vec<SessionInfo>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(Sessions::Table)
        .and_where(Expr::col(Sessions::UserId).eq(user_id))
        .and_where(Expr::col(Sessions::ExpiresAt).gt(now))
        .order_by(Sessions::LastSeenAt, Order::Desc)
        .to_owned();
    conn.query_all(&stmt)
        .await?
        .iter()
        .map(|r| {
            Ok(SessionInfo {
                id_hash: r.col(Sessions::IdHash)?,
                stage: r.col(Sessions::Stage)?,
                ip: r.col(Sessions::Ip)?,
                user_agent: r.col(Sessions::UserAgent)?,
                created_at: r.col(Sessions::CreatedAt)?,
                last_seen_at: r.col(Sessions::LastSeenAt)?,
            })
        })
        .collect()
}

pub async fn count(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let stmt = Query::select().expr_as(Expr::col(Asterisk).count(), Alias::new("n")).from(Sessions::Table).to_owned();
    let n: i64 = match conn.query_one(&stmt).await? {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

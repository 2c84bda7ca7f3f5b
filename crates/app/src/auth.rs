//! Browser sessions in the database: opening one at each stage of a login, resolving the cookie
//! to a user, listing a user's sessions, logging out here or everywhere.

use domain::Actor;
use domain::portal::AccountRole;
use store::sessions::{self, NewSession};
use time::Duration;

use crate::App;
use crate::error::{AppError, AppResult};
use crate::secrets::{hash_token, random_token};
use crate::users::actor_of;

/// Where a request comes from; kept with sessions and login events.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub ip: String,
    pub user_agent: String,
    /// The long-lived device cookie (random), empty when the browser has none yet.
    pub device: String,
}

/// The person behind a full session.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub actor: Actor,
    pub name: String,
    pub email: String,
    pub account_id: Option<i64>,
    pub account_role: Option<AccountRole>,
}

impl SessionUser {
    pub fn from_row(u: &store::users::UserRow) -> SessionUser {
        SessionUser {
            actor: actor_of(u),
            name: u.name.clone(),
            email: u.email.clone(),
            account_id: u.account_id,
            account_role: AccountRole::from_code(&u.account_role),
        }
    }

    pub fn user_id(&self) -> i64 {
        self.actor.user_id.unwrap_or_default()
    }
}

/// Opens a session at `stage` and returns the token for the cookie (only its hash is stored).
/// Every stage change opens a new session, so an id seen before a step is worthless after it.
pub(crate) async fn open(
    app: &App,
    conn: &impl store::sea_orm::ConnectionTrait,
    user_id: i64,
    stage: &str,
    client: &Client,
) -> AppResult<String> {
    let token = random_token();
    let now = store::now();
    let expires_at = if stage == sessions::FULL {
        now + Duration::hours(app.settings.session_absolute_hours)
    } else {
        // A half-finished login does not linger.
        now + Duration::minutes(30)
    };
    let ua: String = client.user_agent.chars().take(300).collect();
    sessions::insert(
        conn,
        &NewSession {
            id_hash: &hash_token(&token),
            user_id,
            stage,
            ip: &client.ip,
            user_agent: &ua,
            at: now,
            expires_at,
        },
    )
    .await?;
    Ok(token)
}

/// A session cookie as the store looks it up: its hash and the clock the idle and absolute
/// timeouts are measured against.
pub(crate) struct SessionLookup {
    id_hash: String,
    now: time::OffsetDateTime,
    idle_since: time::OffsetDateTime,
}

impl SessionLookup {
    pub(crate) fn new(app: &App, token: &str) -> SessionLookup {
        let now = store::now();
        SessionLookup {
            id_hash: hash_token(token),
            now,
            idle_since: now - Duration::minutes(app.settings.session_idle_minutes),
        }
    }

    pub(crate) fn key<'a>(&'a self, stage: &'a str) -> sessions::SessionKey<'a> {
        sessions::SessionKey { id_hash: &self.id_hash, stage, now: self.now, idle_since: self.idle_since }
    }
}

/// What a page read together with its session check: the signed-in user (for the header and
/// the answer's own checks) and the page's data or why it cannot be shown.
pub struct Signed<T> {
    pub user: SessionUser,
    pub page: AppResult<T>,
}

/// The user of a session at `stage` (not idle too long, not expired, user active).
pub(crate) async fn user_at_stage(app: &App, token: &str, stage: &str) -> AppResult<store::users::UserRow> {
    let lookup = SessionLookup::new(app, token);
    sessions::user_for(&app.db.conn, &lookup.key(stage))
        .await?
        .ok_or_else(|| AppError::Unauthorized("This step has expired. Please log in again.".into()))
}

/// The user of a full session, or None when it is unknown, idle too long or expired.
pub async fn session_user(app: &App, token: &str) -> AppResult<Option<SessionUser>> {
    let lookup = SessionLookup::new(app, token);
    let user = sessions::user_for(&app.db.conn, &lookup.key(sessions::FULL)).await?;
    Ok(user.as_ref().map(SessionUser::from_row))
}

pub async fn logout(app: &App, token: &str) -> AppResult<()> {
    sessions::delete(&app.db.conn, &hash_token(token)).await?;
    Ok(())
}

/// Ends every session of the user, this one included.
pub async fn logout_everywhere(app: &App, user: &SessionUser) -> AppResult<u64> {
    let n = sessions::delete_for_user(&app.db.conn, user.user_id()).await?;
    tracing::info!(user_id = user.user_id(), sessions = n, "logged out everywhere");
    Ok(n)
}

/// A session as its owner sees it.
#[derive(Debug, Clone)]
pub struct SessionView {
    pub current: bool,
    pub ip: String,
    pub user_agent: String,
    pub created_at: time::OffsetDateTime,
    pub last_seen_at: time::OffsetDateTime,
}

pub async fn my_sessions(app: &App, user: &SessionUser, token: &str) -> AppResult<Vec<SessionView>> {
    let mine = hash_token(token);
    let rows = sessions::for_user(&app.db.conn, user.user_id(), store::now()).await?;
    Ok(rows
        .into_iter()
        .filter(|s| s.stage == sessions::FULL)
        .map(|s| SessionView {
            current: s.id_hash == mine,
            ip: s.ip,
            user_agent: s.user_agent,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
        })
        .collect())
}

//! Browser sessions in the database: opening one at each stage of a login, resolving the cookie
//! to a user, listing a user's sessions, logging out here or everywhere.

use domain::Actor;
use domain::portal::AccountRole;
use store::sessions::{self, NewSession};
use time::Duration;

use crate::App;
use crate::error::{AppError, AppResult};
use crate::portal::users::actor_of;
use crate::secrets::{hash_token, random_token};

/// Where a request comes from; kept with sessions and login events.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub ip: String,
    pub user_agent: String,
    /// The long-lived device cookie (random), empty when the browser has none yet.
    pub device: String,
}

/// Where a browser session is on the way to a full login. Each stage is a session of its own
/// (a new id at every step), stored with the stage's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// A new user from an application or invitation, who must set a password.
    Password,
    /// Password accepted, no second factor yet: choose one (stored as `enrol`).
    ChooseFactor,
    /// Password accepted: enter the code of the second factor.
    SecondFactor,
    /// Signed in.
    Full,
}

impl Stage {
    /// The code the sessions table keeps.
    pub fn code(self) -> &'static str {
        match self {
            Stage::Password => sessions::PASSWORD,
            Stage::ChooseFactor => sessions::ENROL,
            Stage::SecondFactor => sessions::SECOND_FACTOR,
            Stage::Full => sessions::FULL,
        }
    }
}

/// The second factor a user has set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    Totp,
    Email,
}

impl SecondFactor {
    pub fn from_code(code: &str) -> Option<SecondFactor> {
        match code {
            "totp" => Some(SecondFactor::Totp),
            "email" => Some(SecondFactor::Email),
            _ => None,
        }
    }

    /// The code the users table keeps (and the code page's template tests).
    pub fn code(self) -> &'static str {
        match self {
            SecondFactor::Totp => "totp",
            SecondFactor::Email => "email",
        }
    }
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
    stage: Stage,
    client: &Client,
) -> AppResult<String> {
    let token = random_token();
    let now = store::now();
    let expires_at = if stage == Stage::Full {
        now + Duration::hours(app.settings.session.absolute_hours)
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
            stage: stage.code(),
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
            idle_since: now - Duration::minutes(app.settings.session.idle_minutes),
        }
    }

    pub(crate) fn key(&self, stage: Stage) -> sessions::SessionKey<'_> {
        sessions::SessionKey { id_hash: &self.id_hash, stage: stage.code(), now: self.now, idle_since: self.idle_since }
    }
}

/// What a page read together with its session check: the signed-in user (for the header and
/// the answer's own checks) and the page's data or why it cannot be shown.
pub struct Signed<T> {
    pub user: SessionUser,
    pub page: AppResult<T>,
}

/// The user of a session at `stage` (not idle too long, not expired, user active).
pub(crate) async fn user_at_stage(app: &App, token: &str, stage: Stage) -> AppResult<store::users::UserRow> {
    let lookup = SessionLookup::new(app, token);
    sessions::user_for(&app.db.conn, &lookup.key(stage))
        .await?
        .ok_or_else(|| AppError::Unauthorized("This step has expired. Please log in again.".into()))
}

/// The user of a full session, or None when it is unknown, idle too long or expired.
pub async fn session_user(app: &App, token: &str) -> AppResult<Option<SessionUser>> {
    let lookup = SessionLookup::new(app, token);
    let user = sessions::user_for(&app.db.conn, &lookup.key(Stage::Full)).await?;
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
        .filter(|s| s.stage == Stage::Full.code())
        .map(|s| SessionView {
            current: s.id_hash == mine,
            ip: s.ip,
            user_agent: s.user_agent,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
        })
        .collect())
}

/// What the profile page shows of the signed-in user.
#[derive(Debug, Clone)]
pub struct Profile {
    pub second_factor: Option<SecondFactor>,
    /// Recovery codes not used yet.
    pub recovery_left: u64,
    pub sessions: Vec<SessionView>,
}

pub async fn my_profile(app: &App, user: &SessionUser, token: &str) -> AppResult<Profile> {
    let sessions = my_sessions(app, user, token).await?;
    let row = store::users::by_id(&app.db.conn, user.user_id()).await?;
    let recovery_left = store::one_time::unused_recovery_codes(&app.db.conn, user.user_id()).await?;
    Ok(Profile {
        second_factor: row.as_ref().and_then(|u| SecondFactor::from_code(&u.second_factor)),
        recovery_left,
        sessions,
    })
}

//! Password login and database-backed browser sessions.

use domain::{Actor, Email};
use time::Duration;

use crate::App;
use crate::error::{AppError, AppResult};
use crate::secrets::{hash_token, random_token};
use crate::users::{actor_of, verify_password};

pub const LOGIN_FAILED: &str = "the email or password is not right";

/// A new session: `token` goes into the cookie and nowhere else.
pub struct NewSession {
    pub token: String,
    pub actor: Actor,
    pub name: String,
}

/// Checks the password and opens a fresh session (a new id at every login, so a session id
/// planted before login is worthless).
pub async fn login(app: &App, email: &str, password: &str) -> AppResult<NewSession> {
    let email = Email::parse(email).map_err(|_| AppError::Unauthorized(LOGIN_FAILED.into()))?;
    let user = store::users::by_email(&app.db.conn, email.as_str()).await?;
    let ok = match &user {
        Some(u) => verify_password(password, &u.password_hash) && u.active,
        None => {
            // Same work as a real check, so timing does not reveal which emails exist.
            let _same_cost = verify_password(password, dummy_hash());
            false
        }
    };
    let (Some(user), true) = (user, ok) else {
        tracing::info!(user = %domain::mask::email(email.as_str()), "login failed");
        return Err(AppError::Unauthorized(LOGIN_FAILED.into()));
    };
    let token = random_token();
    let now = store::now();
    let expires = now + Duration::hours(app.settings.session_absolute_hours);
    store::sessions::insert(&app.db.conn, &hash_token(&token), user.id, now, expires).await?;
    store::users::touch_login(&app.db.conn, user.id, now).await?;
    tracing::info!(user_id = user.id, "login");
    Ok(NewSession { token, actor: actor_of(&user), name: user.name })
}

/// The session's actor and display name, or None when it is unknown, idle too long or expired.
pub async fn session_actor(app: &App, token: &str) -> AppResult<Option<(Actor, String)>> {
    let now = store::now();
    let idle_since = now - Duration::minutes(app.settings.session_idle_minutes);
    let user = store::sessions::user_for(&app.db.conn, &hash_token(token), now, idle_since).await?;
    Ok(user.map(|u| (actor_of(&u), u.name)))
}

pub async fn logout(app: &App, token: &str) -> AppResult<()> {
    store::sessions::delete(&app.db.conn, &hash_token(token)).await?;
    Ok(())
}

/// Argon2id hash of a random password, used to spend equal time on unknown emails.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| crate::users::hash_password(&random_token()).unwrap_or_default())
}

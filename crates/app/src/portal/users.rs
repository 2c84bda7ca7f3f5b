//! CBP staff and broker users, broker firms, API tokens.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use domain::portal::{AccountRole, SubAccountKind};
use domain::{Actor, Email, Role};
use store::TransactionTrait;
use store::users::{NewUser, UserRow};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::secrets::{hash_token, random_token};

/// Passwords too common to allow whatever their length (NIST SP 800-63B asks for a blocklist
/// instead of composition rules).
const COMMON_PASSWORDS: &[&str] = &[
    "123456789012",
    "password1234",
    "passwordpassword",
    "qwertyuiopas",
    "111111111111",
    "iloveyou1234",
    "administrator",
    "letmeinletmein",
    "welcome12345",
    "changeme1234",
    "customsbroker",
    "importer1234",
    "qwerty123456",
    "abcdefghijkl",
    "password123!",
    "trustno1trustno1",
    "000000000000",
    "correcthorsebatterystaple",
];

pub const MIN_PASSWORD: usize = 12;

pub fn check_password(password: &str, email: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        return Err(format!("use at least {MIN_PASSWORD} characters (a few words make a strong, memorable password)"));
    }
    if n > 256 {
        return Err("use at most 256 characters".into());
    }
    let lower = password.to_lowercase();
    if COMMON_PASSWORDS.contains(&lower.as_str()) || lower == email.to_lowercase() {
        return Err("this password is too common or too easy to guess; choose another".into());
    }
    let mut chars = lower.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return Err("this password repeats one character; choose another".into());
    }
    Ok(())
}

pub fn hash_password(password: &str) -> AppResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("password hashing failed: {e}")))
}

/// [`hash_password`] on the blocking pool: Argon2 takes ~20 ms of CPU, which on an async worker
/// would stall every other request that worker holds.
pub async fn hash_password_off_thread(password: &str) -> AppResult<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("password hashing task failed: {e}")))?
}

/// [`verify_password`] on the blocking pool (see [`hash_password_off_thread`]).
pub async fn verify_password_off_thread(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await.unwrap_or(false)
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

pub fn actor_of(u: &UserRow) -> Actor {
    Actor {
        user_id: Some(u.id),
        label: u.email.clone(),
        // An unknown role gets the least rights.
        role: Role::from_code(&u.role).unwrap_or(Role::Trade),
        firm_id: u.firm_id,
    }
}

pub struct CreateUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password: &'a str,
    /// Brokers: their firm's 3-character filer code (the firm is created when new).
    pub filer_code: Option<&'a str>,
    pub firm_name: Option<&'a str>,
    /// Brokers: the firm's own importer number (its 5106 record), if any.
    pub firm_importer_number: Option<&'a str>,
}

pub async fn create_user(app: &App, u: &CreateUser<'_>) -> AppResult<i64> {
    let mut errors = domain::FieldErrors::default();
    let email = match Email::parse(u.email) {
        Ok(e) => Some(e),
        Err(m) => {
            errors.add("email", m);
            None
        }
    };
    let name = u.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        errors.add("name", "enter the person's name");
    }
    if let Err(m) = check_password(u.password, u.email) {
        errors.add("password", m);
    }
    let filer_code = u.filer_code.map(|c| c.trim().to_ascii_uppercase());
    match (u.role, &filer_code) {
        (Role::Broker, None) => errors.add("filer_code", "a broker user needs its firm's 3-character filer code"),
        (Role::Broker, Some(c)) if c.len() != 3 || !c.chars().all(|c| c.is_ascii_alphanumeric()) => {
            errors.add("filer_code", "a filer code is 3 letters or digits")
        }
        (Role::CbpStaff, Some(_)) => errors.add("filer_code", "CBP staff users do not belong to a broker firm"),
        (Role::Trade, _) => errors.add(
            "role",
            "trade-portal users join through the account application (/apply) or an invitation from their account owner",
        ),
        _ => {}
    }
    let firm_number = match u.firm_importer_number.map(domain::ImporterNumber::parse).transpose() {
        Ok(n) => n.map(|n| n.canonical()),
        Err(e) => {
            errors.add("firm_importer_number", e.message());
            None
        }
    };
    let (Some(email), true) = (email, errors.is_empty()) else { return Err(AppError::Invalid(errors)) };
    let hash = hash_password_off_thread(u.password).await?;
    let at = store::now();
    let txn = app.db.conn.begin().await?;
    if store::users::by_email(&txn, email.as_str()).await?.is_some() {
        return Err(AppError::field("email", "a user with this email already exists"));
    }
    // A broker joins its firm's top account: the first user of a new firm becomes its Trade
    // Account Owner, later ones Account Users who may run reports.
    let mut membership = None;
    let firm_id = match &filer_code {
        Some(code) => Some(match store::firms::by_filer_code(&txn, code).await? {
            Some(f) => {
                let sub = store::accounts::broker_sub_account(&txn, f.id).await?;
                membership = sub.map(|s| (s.account_id, s.id, AccountRole::User));
                f.id
            }
            None => {
                let fname = u.firm_name.unwrap_or(code);
                let firm = store::firms::insert(&txn, fname, code, firm_number.as_deref(), at).await?;
                let account = store::accounts::insert_account(&txn, fname, at).await?;
                let sub =
                    store::accounts::insert_sub_account(&txn, account, SubAccountKind::Broker.code(), Some(firm), at)
                        .await?;
                membership = Some((account, sub, AccountRole::Tao));
                firm
            }
        }),
        None => None,
    };
    let id = store::users::insert(
        &txn,
        &NewUser {
            email: email.as_str(),
            name: &name,
            role: u.role.code(),
            password_hash: &hash,
            firm_id,
            account_id: membership.map(|m| m.0),
            account_role: membership.map_or("", |m| m.2.code()),
        },
        at,
    )
    .await?;
    if let Some((_, sub, AccountRole::User)) = membership {
        let grants = store::accounts::PermissionRow {
            user_id: id,
            sub_account_id: sub,
            ach: domain::portal::AchAccess::None.code().into(),
            reports: true,
            notify_parties: false,
        };
        store::accounts::set_permission(&txn, &grants).await?;
    }
    store::audit::append(
        &txn,
        &store::audit::AuditRow {
            id: 0,
            at,
            actor_user_id: None,
            actor_label: "cli-operator".into(),
            action: "user.created".into(),
            entity_type: "user".into(),
            entity_id: Some(id),
            entity_key: domain::mask::email(email.as_str()),
            changes: serde_json::json!([{"field": "role", "old": null, "new": u.role.code()}]).to_string(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Creates an API token for the user and returns it (shown once; only its hash is kept).
pub async fn create_token(app: &App, email: &str, name: &str) -> AppResult<String> {
    let email = Email::parse(email).map_err(|m| AppError::field("email", m))?;
    let user = store::users::by_email(&app.db.conn, email.as_str())
        .await?
        .ok_or_else(|| AppError::NotFound("no user with this email".into()))?;
    let token = format!("ace_{}", random_token());
    store::tokens::insert(&app.db.conn, user.id, name, &hash_token(&token), store::now()).await?;
    Ok(token)
}

/// Successful token checks are remembered for a few seconds per server instance: an API client
/// sends the same token with every request, and the lookup was half the cost of a record read
/// (docs/performance.md). Only successes are cached, so an unknown token always hits the database;
/// a revoked token or deactivated user stops working within `TOKEN_CACHE_TTL`.
pub const TOKEN_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(10);
const TOKEN_CACHE_MAX: usize = 10_000;

type CacheMap = std::collections::HashMap<String, (Actor, std::time::Instant)>;

#[derive(Debug, Clone, Default)]
pub struct TokenCache(std::sync::Arc<std::sync::Mutex<CacheMap>>);

impl TokenCache {
    fn get(&self, hash: &str) -> Option<Actor> {
        let map = self.0.lock().ok()?;
        map.get(hash).filter(|(_, at)| at.elapsed() < TOKEN_CACHE_TTL).map(|(a, _)| a.clone())
    }

    fn put(&self, hash: String, actor: Actor) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= TOKEN_CACHE_MAX {
                map.retain(|_, (_, at)| at.elapsed() < TOKEN_CACHE_TTL);
                if map.len() >= TOKEN_CACHE_MAX {
                    map.clear();
                }
            }
            map.insert(hash, (actor, std::time::Instant::now()));
        }
    }
}

pub async fn actor_for_token(app: &App, token: &str) -> AppResult<Actor> {
    let hash = hash_token(token);
    if let Some(actor) = app.token_cache.get(&hash) {
        return Ok(actor);
    }
    let user = store::tokens::user_for(&app.db.conn, &hash).await?.ok_or_else(|| {
        AppError::Unauthorized("the bearer token is unknown, revoked, or its user is inactive".into())
    })?;
    let actor = actor_of(&user);
    app.token_cache.put(hash, actor.clone());
    Ok(actor)
}

/// The full user behind an API token (for account and console operations, which need more
/// than the registry's `Actor`). Not cached: these calls are rare and must see changes at once.
pub async fn session_user_for_token(app: &App, token: &str) -> AppResult<crate::portal::auth::SessionUser> {
    let user = store::tokens::user_for(&app.db.conn, &hash_token(token)).await?.ok_or_else(|| {
        AppError::Unauthorized("the bearer token is unknown, revoked, or its user is inactive".into())
    })?;
    Ok(crate::portal::auth::SessionUser::from_row(&user))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_policy() {
        assert!(check_password("short", "a@b.co").is_err());
        assert!(check_password("password1234", "a@b.co").is_err());
        assert!(check_password("aaaaaaaaaaaaaaa", "a@b.co").is_err());
        assert!(check_password("harbor crane lemon", "a@b.co").is_ok());
    }

    #[test]
    fn hash_and_verify() {
        let h = hash_password("harbor crane lemon").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("harbor crane lemon", &h));
        assert!(!verify_password("harbor crane lime", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}

//! Logging in: the password, then a second factor on every login (a code by email or an
//! authenticator app, or a recovery code), lockout after repeated failures, and the first-time
//! steps of a new user (set a password, choose a second factor).
//!
//! Messages never reveal whether an email has an account: an unknown email gets the same
//! answer, after the same Argon2 work, as a wrong password; lockout counts failures per typed
//! email, so it also looks the same for unknown emails.

use domain::Email;
use mail::Mail;
use store::users::UserRow;
use time::Duration;

use crate::App;
use crate::audit::Event;
use crate::error::{AppError, AppResult};
use crate::notify;
use crate::portal::auth::{Client, SessionUser, Stage, open, user_at_stage};
use crate::portal::totp;
use crate::portal::users::{check_password, hash_password, hash_password_off_thread, verify_password_off_thread};
use crate::rate::{self, Action};
use crate::secrets::{hash_code, hash_token, recovery_codes, six_digit_code};
use store::schema::Users;

pub const LOGIN_FAILED: &str = "The email or password is not right.";
pub const CODE_MINUTES: i64 = 10;
/// Wrong codes allowed for one login before it must start again.
pub const MAX_CODE_TRIES: i64 = 5;

/// What the user must do after the password was accepted.
#[derive(Debug)]
pub enum AfterPassword {
    /// Enter a code: `sent_to` is the masked address when the code was emailed.
    SecondFactor { token: String, method: String, sent_to: Option<String> },
    /// No second factor yet: choose one.
    Enrol { token: String },
}

/// A full session: `token` goes into the cookie and nowhere else.
#[derive(Debug)]
pub struct LoggedIn {
    pub token: String,
    pub user: SessionUser,
}

fn lockout_message(app: &App) -> String {
    format!(
        "Too many failed login attempts for this email. Wait {} minutes and try again, or reset your password.",
        app.settings.login.lockout_minutes
    )
}

async fn event(app: &App, user_id: Option<i64>, outcome: &str, client: &Client) {
    let e = store::logins::LoginEvent {
        user_id,
        at: store::now(),
        outcome: outcome.into(),
        ip: client.ip.clone(),
        user_agent: client.user_agent.chars().take(300).collect(),
    };
    if let Err(err) = store::logins::record(&app.db.conn, &e).await {
        tracing::error!(error = %err, "login event not recorded");
    }
}

/// Step 1: email and password.
pub async fn password(app: &App, email: &str, password: &str, client: &Client) -> AppResult<AfterPassword> {
    rate::check(app, Action::LoginIp, &client.ip).await?;
    let typed = email.trim().to_lowercase();
    let fail_key = format!("login-fail:{}", hash_token(&typed));
    let now = store::now();
    let window_start = now - Duration::minutes(app.settings.login.lockout_minutes);
    let user = match Email::parse(&typed) {
        Ok(e) => store::users::by_email(&app.db.conn, e.as_str()).await?,
        Err(_) => None,
    };
    // The same Argon2 work whether or not the email exists.
    let ok = match &user {
        Some(u) => verify_password_off_thread(password, &u.password_hash).await,
        None => {
            let _same_cost = verify_password_off_thread(password, dummy_hash()).await;
            false
        }
    };
    let failures = store::rate_limits::peek(&app.db.conn, &fail_key, window_start).await?;
    let locked = failures >= app.settings.login.max_failures
        || user.as_ref().and_then(|u| u.locked_until).is_some_and(|t| t > now);
    if locked {
        event(app, user.as_ref().map(|u| u.id), "locked", client).await;
        return Err(AppError::Unauthorized(lockout_message(app)));
    }
    let Some(user) = user.filter(|_| ok) else {
        let hits = store::rate_limits::hit(&app.db.conn, &fail_key, now, window_start).await?;
        let known = store::users::by_email(&app.db.conn, &typed).await?;
        event(app, known.as_ref().map(|u| u.id), "password-failed", client).await;
        if hits >= app.settings.login.max_failures {
            if let Some(u) = known {
                lock(app, &u).await?;
            }
            return Err(AppError::Unauthorized(lockout_message(app)));
        }
        tracing::info!(user = %domain::mask::email(&typed), "login failed");
        return Err(AppError::Unauthorized(LOGIN_FAILED.into()));
    };
    if !user.active {
        event(app, Some(user.id), "inactive", client).await;
        return Err(AppError::Unauthorized(
            "Your user is deactivated (after 45 days without a login, or by your account owner). \
             Ask your Trade Account Owner or a Proxy TAO to reactivate it."
                .into(),
        ));
    }
    store::rate_limits::clear(&app.db.conn, &fail_key).await?;
    event(app, Some(user.id), "password-ok", client).await;
    match user.second_factor.as_str() {
        "totp" => {
            let token = open(app, &app.db.conn, user.id, Stage::SecondFactor, client).await?;
            Ok(AfterPassword::SecondFactor { token, method: "totp".into(), sent_to: None })
        }
        "email" => {
            let token = open(app, &app.db.conn, user.id, Stage::SecondFactor, client).await?;
            send_code(app, &user, "login", &hash_token(&token)).await?;
            Ok(AfterPassword::SecondFactor {
                token,
                method: "email".into(),
                sent_to: Some(domain::mask::email(&user.email)),
            })
        }
        _ => Ok(AfterPassword::Enrol { token: open(app, &app.db.conn, user.id, Stage::ChooseFactor, client).await? }),
    }
}

/// Locks the account and tells its owner (once per lock).
async fn lock(app: &App, u: &UserRow) -> AppResult<()> {
    let until = store::now() + Duration::minutes(app.settings.login.lockout_minutes);
    let already = u.locked_until.is_some_and(|t| t > store::now());
    store::users::set(&app.db.conn, u.id, vec![(Users::LockedUntil, until.into())]).await?;
    if !already {
        let until_text = format!("{} UTC", crate::audit::when(&until));
        notify::notice(app, &u.email, &Mail::Lockout { until: until_text }).await;
        tracing::warn!(user_id = u.id, "account locked after failed logins");
    }
    Ok(())
}

/// Emails a fresh 6-digit code (the previous one stops working).
async fn send_code(app: &App, user: &UserRow, purpose: &str, subject: &str) -> AppResult<()> {
    let code = six_digit_code();
    let now = store::now();
    store::one_time::issue(
        &app.db.conn,
        purpose,
        subject,
        &hash_code(subject, &code),
        now,
        now + Duration::minutes(CODE_MINUTES),
    )
    .await?;
    notify::required(app, &user.email, &Mail::LoginCode { code, valid_minutes: CODE_MINUTES as u32 }).await
}

/// A new email code for a login waiting at the second factor.
pub async fn resend_code(app: &App, pending: &str, client: &Client) -> AppResult<String> {
    rate::check(app, Action::CodeIp, &client.ip).await?;
    let user = user_at_stage(app, pending, Stage::SecondFactor).await?;
    if user.second_factor != "email" {
        return Err(AppError::field("code", "Your second factor is an authenticator app; open it for the code."));
    }
    send_code(app, &user, "login", &hash_token(pending)).await?;
    Ok(domain::mask::email(&user.email))
}

/// Checks an emailed code for (purpose, subject).
async fn check_mailed_code(app: &App, purpose: &str, subject: &str, typed: &str) -> AppResult<()> {
    let Some(secret) = store::one_time::current(&app.db.conn, purpose, subject).await? else {
        return Err(AppError::field("code", "No code is waiting. Ask for a new code."));
    };
    if secret.expires_at <= store::now() {
        return Err(AppError::field("code", "This code has expired. Ask for a new code."));
    }
    if !store::one_time::count_attempt(&app.db.conn, secret.id, MAX_CODE_TRIES as i32).await? {
        return Err(AppError::field("code", "Too many wrong codes. Ask for a new code."));
    }
    if !crate::secrets::constant_time_eq(&secret.secret_hash, &hash_code(subject, typed)) {
        let left = MAX_CODE_TRIES - i64::from(secret.attempts) - 1;
        return Err(AppError::field("code", format!("This code is not right. {left} tries left.")));
    }
    if !store::one_time::mark_used(&app.db.conn, secret.id, store::now()).await? {
        return Err(AppError::field("code", "This code was already used. Ask for a new code."));
    }
    Ok(())
}

fn looks_like_recovery_code(typed: &str) -> bool {
    let t: String = typed.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    t.len() == 10 && t.chars().any(|c| c.is_ascii_alphabetic())
}

/// Step 2: the code from the email or the app, or a recovery code. Success opens the full
/// session under a new id and ends the pending one.
pub async fn second_factor(app: &App, pending: &str, typed: &str, client: &Client) -> AppResult<LoggedIn> {
    rate::check(app, Action::CodeIp, &client.ip).await?;
    let user = user_at_stage(app, pending, Stage::SecondFactor).await?;
    let pending_hash = hash_token(pending);
    let tries_key = format!("second-factor:{pending_hash}");
    let now = store::now();
    let result = if looks_like_recovery_code(typed) {
        match store::one_time::use_recovery_code(&app.db.conn, user.id, &hash_code("recovery", typed), now).await? {
            true => Ok("recovery-code"),
            false => Err(AppError::field("code", "This recovery code is not right or was already used.")),
        }
    } else if user.second_factor == "totp" {
        match totp::matching_step(&totp_secret(app, &user)?, typed, now.unix_timestamp()) {
            Some(step) if store::users::accept_totp_step(&app.db.conn, user.id, step).await? => Ok("totp"),
            Some(_) => Err(AppError::field(
                "code",
                "This code was already used. Wait for the next code in your authenticator app.",
            )),
            None => Err(AppError::field("code", "This code is not right. Check the time on your phone and try again.")),
        }
    } else {
        check_mailed_code(app, "login", &pending_hash, typed).await.map(|()| "email-code")
    };
    let how = match result {
        Ok(how) => how,
        Err(e) => {
            event(app, Some(user.id), "second-factor-failed", client).await;
            let hits = store::rate_limits::hit(&app.db.conn, &tries_key, now, now - Duration::minutes(30)).await?;
            if hits >= MAX_CODE_TRIES {
                store::sessions::delete(&app.db.conn, &pending_hash).await?;
                return Err(AppError::Unauthorized("Too many wrong codes. Please log in again.".into()));
            }
            return Err(e);
        }
    };
    store::rate_limits::clear(&app.db.conn, &tries_key).await?;
    event(app, Some(user.id), &format!("login-{how}"), client).await;
    finish_login(app, &user, pending, client).await
}

/// Replaces the pending session by a full one, notes the login, and tells the user about a
/// browser it has not seen before.
async fn finish_login(app: &App, user: &UserRow, pending: &str, client: &Client) -> AppResult<LoggedIn> {
    let now = store::now();
    store::sessions::delete(&app.db.conn, &hash_token(pending)).await?;
    let token = open(app, &app.db.conn, user.id, Stage::Full, client).await?;
    store::users::set(&app.db.conn, user.id, vec![(Users::LastLoginAt, now.into())]).await?;
    if !client.device.is_empty() {
        let new = store::logins::see_device(&app.db.conn, user.id, &hash_token(&client.device), now).await?;
        if new && user.last_login_at.is_some() {
            let mail = Mail::NewDeviceLogin {
                at: format!("{} UTC", crate::audit::when(&now)),
                ip: client.ip.clone(),
                user_agent: client.user_agent.chars().take(200).collect(),
            };
            notify::notice(app, &user.email, &mail).await;
        }
    }
    tracing::info!(user_id = user.id, "login");
    let fresh = store::users::by_id(&app.db.conn, user.id).await?.unwrap_or_else(|| user.clone());
    Ok(LoggedIn { token, user: SessionUser::from_row(&fresh) })
}

/// What the enrolment page shows for an authenticator app.
#[derive(Debug, Clone)]
pub struct TotpSetup {
    pub secret_grouped: String,
    pub uri: String,
    pub qr_svg: String,
}

/// Starts authenticator-app enrolment: a new secret, kept unconfirmed until a code proves the
/// app has it.
pub async fn enrol_totp_begin(app: &App, pending: &str) -> AppResult<TotpSetup> {
    let user = user_at_stage(app, pending, Stage::ChooseFactor).await?;
    let secret = totp::new_secret();
    let sealed = app.keys.seal(&secret, &totp_aad(user.id)).map_err(|e| AppError::Internal(e.into()))?;
    store::users::set(&app.db.conn, user.id, vec![(Users::TotpSecret, sealed.into())]).await?;
    Ok(setup_of(&secret, &user.email))
}

fn setup_of(secret: &str, email: &str) -> TotpSetup {
    let uri = totp::uri(secret, email);
    let qr_svg = totp::qr_svg(&uri).unwrap_or_default();
    TotpSetup { secret_grouped: totp::grouped(secret), uri, qr_svg }
}

/// The same set-up again (after a wrong code): a new secret would break the app just set up.
pub async fn enrol_totp_again(app: &App, pending: &str) -> AppResult<TotpSetup> {
    let user = user_at_stage(app, pending, Stage::ChooseFactor).await?;
    let secret = totp_secret(app, &user)?;
    if secret.is_empty() {
        return enrol_totp_begin(app, pending).await;
    }
    Ok(setup_of(&secret, &user.email))
}

/// TOTP secrets are sealed with the data key, bound to the user's row.
fn totp_aad(user_id: i64) -> String {
    format!("users.totp_secret:{user_id}")
}

/// Seals every TOTP secret not under the current data key again (key rotation); returns how many.
pub(crate) async fn reseal_totp_secrets(app: &App) -> AppResult<usize> {
    let current = app.keys.current_version();
    let mut n = 0;
    for user in store::users::with_totp_secret(&app.db.conn).await? {
        if crate::vault::Keyring::version_of(&user.totp_secret) == Some(current) {
            continue;
        }
        let plain = totp_secret(app, &user)?;
        let sealed = app.keys.seal(&plain, &totp_aad(user.id)).map_err(|e| AppError::Internal(e.into()))?;
        store::users::set(&app.db.conn, user.id, vec![(Users::TotpSecret, sealed.into())]).await?;
        n += 1;
    }
    Ok(n)
}

fn totp_secret(app: &App, user: &UserRow) -> AppResult<String> {
    if user.totp_secret.is_empty() {
        return Ok(String::new());
    }
    app.keys.open(&user.totp_secret, &totp_aad(user.id)).map_err(|e| AppError::Internal(e.into()))
}

/// A finished enrolment: the session, and recovery codes to show once.
#[derive(Debug)]
pub struct Enrolled {
    pub login: LoggedIn,
    pub recovery_codes: Vec<String>,
}

pub async fn enrol_totp_confirm(app: &App, pending: &str, typed: &str, client: &Client) -> AppResult<Enrolled> {
    rate::check(app, Action::CodeIp, &client.ip).await?;
    let user = user_at_stage(app, pending, Stage::ChooseFactor).await?;
    let secret = totp_secret(app, &user)?;
    if secret.is_empty() {
        return Err(AppError::field("code", "Start again: choose the authenticator app option."));
    }
    let now = store::now();
    let Some(step) = totp::matching_step(&secret, typed, now.unix_timestamp()) else {
        return Err(AppError::field(
            "code",
            "This code is not right. Scan the QR code again, check the time on your phone, and enter the code shown.",
        ));
    };
    if !store::users::accept_totp_step(&app.db.conn, user.id, step).await? {
        return Err(AppError::field("code", "This code was already used. Wait for the next code."));
    }
    complete_enrolment(app, &user, "totp", pending, client).await
}

/// Starts email enrolment: a code to the user's own address proves it receives mail.
pub async fn enrol_email_begin(app: &App, pending: &str, client: &Client) -> AppResult<String> {
    rate::check(app, Action::CodeIp, &client.ip).await?;
    let user = user_at_stage(app, pending, Stage::ChooseFactor).await?;
    send_code(app, &user, "enrol", &hash_token(pending)).await?;
    Ok(domain::mask::email(&user.email))
}

pub async fn enrol_email_confirm(app: &App, pending: &str, typed: &str, client: &Client) -> AppResult<Enrolled> {
    rate::check(app, Action::CodeIp, &client.ip).await?;
    let user = user_at_stage(app, pending, Stage::ChooseFactor).await?;
    check_mailed_code(app, "enrol", &hash_token(pending), typed).await?;
    complete_enrolment(app, &user, "email", pending, client).await
}

async fn complete_enrolment(
    app: &App,
    user: &UserRow,
    method: &str,
    pending: &str,
    client: &Client,
) -> AppResult<Enrolled> {
    let codes = recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| hash_code("recovery", c)).collect();
    let now = store::now();
    let mut values = vec![(Users::SecondFactor, method.into())];
    if method == "email" {
        values.push((Users::TotpSecret, String::new().into()));
    }
    store::users::set(&app.db.conn, user.id, values).await?;
    store::one_time::replace_recovery_codes(&app.db.conn, user.id, &hashes, now).await?;
    let ev = Event::user(user, None, "user.second-factor-enrolled", vec![("second_factor", "", method)]);
    crate::audit::record(&app.db.conn, &ev).await?;
    event(app, Some(user.id), &format!("enrolled-{method}"), client).await;
    let login = finish_login(app, user, pending, client).await?;
    Ok(Enrolled { login, recovery_codes: codes })
}

/// Sets the password of a user at the `password` stage (new from an application or
/// invitation, or resetting). Returns the next step: enrol a second factor, or log in.
pub async fn set_password(
    app: &App,
    pending: &str,
    password: &str,
    confirm: &str,
    client: &Client,
) -> AppResult<Option<String>> {
    let user = user_at_stage(app, pending, Stage::Password).await?;
    if let Err(m) = check_password(password, &user.email) {
        return Err(AppError::field("password", m));
    }
    if password != confirm {
        return Err(AppError::field("confirm", "The two passwords are not the same."));
    }
    let hash = hash_password_off_thread(password).await?;
    let txn = store::TransactionTrait::begin(&app.db.conn).await?;
    store::users::set(
        &txn,
        user.id,
        vec![(Users::PasswordHash, hash.into()), (Users::LockedUntil, None::<time::OffsetDateTime>.into())],
    )
    .await?;
    // A new password ends every other session (a reset after a suspected compromise must).
    store::sessions::delete_for_user(&txn, user.id).await?;
    let next = if user.second_factor.is_empty() {
        Some(open(app, &txn, user.id, Stage::ChooseFactor, client).await?)
    } else {
        None
    };
    txn.commit().await?;
    store::rate_limits::clear(&app.db.conn, &format!("login-fail:{}", hash_token(&user.email))).await?;
    crate::audit::record(&app.db.conn, &Event::user(&user, None, "user.password-set", vec![])).await?;
    event(app, Some(user.id), "password-set", client).await;
    Ok(next)
}

pub const RESET_MINUTES: i64 = 30;

/// Sends a reset link when the email belongs to an active user. The answer is the same either
/// way, so the form cannot be used to find out who has an account.
pub async fn request_reset(app: &App, email: &str, client: &Client) -> AppResult<()> {
    rate::check(app, Action::ResetIp, &client.ip).await?;
    let Ok(email) = Email::parse(email) else {
        return Err(AppError::field("email", "Enter an email address like name@example.com."));
    };
    rate::check(app, Action::ResetEmail, email.as_str()).await?;
    let Some(user) = store::users::by_email(&app.db.conn, email.as_str()).await?.filter(|u| u.active) else {
        return Ok(());
    };
    let token = crate::secrets::random_token();
    let now = store::now();
    store::one_time::issue(
        &app.db.conn,
        "reset",
        &user.id.to_string(),
        &hash_token(&token),
        now,
        now + Duration::minutes(RESET_MINUTES),
    )
    .await?;
    let link = app.link(&format!("/reset/{token}"));
    notify::required(app, &user.email, &Mail::PasswordReset { link, valid_minutes: RESET_MINUTES as u32 }).await
}

/// Exchanges a one-time link (reset or invitation) for a `password` session.
pub async fn redeem_link(app: &App, purpose: &str, token: &str, client: &Client) -> AppResult<String> {
    let expired = || {
        AppError::Unauthorized(
            "This link has expired or was already used. Ask for a new one (links work once, for a limited time)."
                .into(),
        )
    };
    let secret = store::one_time::by_hash(&app.db.conn, purpose, &hash_token(token)).await?.ok_or_else(expired)?;
    if secret.used_at.is_some() || secret.expires_at <= store::now() {
        return Err(expired());
    }
    let user_id: i64 = secret.subject.parse().map_err(|_| expired())?;
    let user = store::users::by_id(&app.db.conn, user_id).await?.filter(|u| u.active).ok_or_else(expired)?;
    if !store::one_time::mark_used(&app.db.conn, secret.id, store::now()).await? {
        return Err(expired());
    }
    open(app, &app.db.conn, user.id, Stage::Password, client).await
}

/// A login waiting for its second factor: who, and which factor the code page asks for.
#[derive(Debug, Clone)]
pub struct PendingCode {
    pub user: SessionUser,
    pub method: Option<crate::portal::auth::SecondFactor>,
}

/// The login at the second-factor stage behind `token`, for the code page.
pub async fn pending_code(app: &App, token: &str) -> AppResult<PendingCode> {
    let row = user_at_stage(app, token, Stage::SecondFactor).await?;
    Ok(PendingCode {
        method: crate::portal::auth::SecondFactor::from_code(&row.second_factor),
        user: SessionUser::from_row(&row),
    })
}

/// The user waiting at a stage, for pages that greet them.
pub async fn pending_user(app: &App, token: &str, stage: Stage) -> AppResult<SessionUser> {
    user_at_stage(app, token, stage).await.map(|u| SessionUser::from_row(&u))
}

/// Argon2id hash of a random password, used to spend equal time on unknown emails.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&crate::secrets::random_token()).unwrap_or_default())
}

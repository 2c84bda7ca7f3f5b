//! Rate limits on login, code entry, password reset and the account application, per client
//! address and per account. Counters live in the database (`store::rate_limits`) so every
//! server instance counts the same attempts.

use time::Duration;

use crate::App;
use crate::error::{AppError, AppResult};
use crate::secrets::hash_token;

/// What is being limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Password attempts from one address.
    LoginIp,
    /// Codes (login, enrolment, application) typed from one address.
    CodeIp,
    /// Password reset requests from one address, and for one email.
    ResetIp,
    ResetEmail,
    /// Account applications started from one address, and codes sent for one importer record.
    ApplyIp,
    ApplyImporter,
}

impl Action {
    /// (key prefix, most hits allowed, window)
    fn policy(self) -> (&'static str, i64, Duration) {
        match self {
            Action::LoginIp => ("login-ip", 50, Duration::minutes(15)),
            Action::CodeIp => ("code-ip", 30, Duration::minutes(15)),
            Action::ResetIp => ("reset-ip", 10, Duration::hours(1)),
            Action::ResetEmail => ("reset-email", 3, Duration::hours(1)),
            Action::ApplyIp => ("apply-ip", 10, Duration::hours(1)),
            Action::ApplyImporter => ("apply-importer", 5, Duration::hours(1)),
        }
    }

    fn refusal(self) -> &'static str {
        match self {
            Action::LoginIp => "Too many login attempts from your network.",
            Action::CodeIp => "Too many codes were entered from your network.",
            Action::ResetIp | Action::ResetEmail => "Too many password reset requests.",
            Action::ApplyIp => "Too many account applications from your network.",
            Action::ApplyImporter => "Too many verification codes were sent for this importer record.",
        }
    }
}

/// Counts one attempt of `action` by `who` (an address, an email, a record id; hashed so the
/// table holds no personal data) and refuses it when over the limit.
pub async fn check(app: &App, action: Action, who: &str) -> AppResult<()> {
    let (prefix, max, window) = action.policy();
    let key = format!("{prefix}:{}", hash_token(who));
    let now = store::now();
    let hits = store::rate_limits::hit(&app.db.conn, &key, now, now - window).await?;
    if hits > max {
        let minutes = window.whole_minutes();
        return Err(AppError::TooMany {
            message: format!("{} Please wait up to {minutes} minutes and try again.", action.refusal()),
            retry_after_secs: u64::try_from(window.whole_seconds()).unwrap_or(900),
        });
    }
    Ok(())
}

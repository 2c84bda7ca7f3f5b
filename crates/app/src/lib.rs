//! Use cases. Every rule a user can hit lives here or in `domain`; `web` and `cli` only
//! translate requests into these calls and results into pages, JSON or text.

pub mod accounts;
pub mod ach;
pub mod apply;
mod audit;
pub mod auth;
pub mod console;
pub mod demo;
pub mod error;
pub mod history;
pub mod housekeeping;
pub mod import_csv;
pub mod importers;
pub mod login;
pub mod members;
mod notify;
pub mod rate;
pub mod secrets;
pub mod totp;
pub mod users;
pub mod vault;

pub use error::AppError;
pub use store::Db;
pub use time::Date;

/// Today's date in UTC (the portal's calendar).
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

/// Settings the use cases need (the rest of the configuration belongs to the binary).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Minutes without activity after which a browser session ends.
    pub session_idle_minutes: i64,
    /// Hours after which a browser session ends whatever the activity.
    pub session_absolute_hours: i64,
    /// The portal's address, for links in mail (invitations, password resets).
    pub public_url: String,
    /// Days without a login after which a portal user is deactivated.
    pub inactivity_days: i64,
    /// Failed passwords for one email within `lockout_minutes` before it is locked.
    pub login_max_failures: i64,
    pub lockout_minutes: i64,
    /// Banking days a prenote waits for a return before its bank details become Active.
    pub prenote_wait_days: u32,
    /// Who we are in outbound ACH files.
    pub ach: AchOrigin,
}

/// The originator's identity in outbound ACH files (file and batch headers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AchOrigin {
    /// The originating bank (ODFI): its 8-digit prefix starts every trace number.
    pub odfi_routing: String,
    /// Where files are sent (the ODFI or its operator).
    pub destination_routing: String,
    pub destination_name: String,
    pub origin_name: String,
    /// Batch company name, at most 16 characters.
    pub company_name: String,
    /// Batch company identification, 10 characters.
    pub company_id: String,
}

impl Default for AchOrigin {
    fn default() -> Self {
        AchOrigin {
            odfi_routing: "061000146".into(),
            destination_routing: "061000146".into(),
            destination_name: "FRB ATLANTA".into(),
            origin_name: "US CUSTOMS AND BORDER".into(),
            company_name: "US CBP REFUND".into(),
            company_id: "CBPREFUNDS".into(),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            session_idle_minutes: 15,
            session_absolute_hours: 12,
            public_url: "http://127.0.0.1:8080".into(),
            inactivity_days: 45,
            login_max_failures: 5,
            lockout_minutes: 15,
            prenote_wait_days: 3,
            ach: AchOrigin::default(),
        }
    }
}

/// The application: a database, a mailer and settings. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub settings: Settings,
    pub mailer: mail::Mailer,
    /// Data keys for secrets at rest (TOTP secrets; bank account numbers later).
    pub keys: vault::Keyring,
    pub(crate) token_cache: users::TokenCache,
    pub(crate) ach_tab_cache: std::sync::Arc<ach::tab_cache::TabCache>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("db", &self.db).field("settings", &self.settings).finish_non_exhaustive()
    }
}

impl App {
    /// An application with a random in-memory data key (tests); the binary sets the configured
    /// key ring with [`App::with_keys`], since values sealed with a random key die with the process.
    pub fn new(db: Db, settings: Settings, mailer: mail::Mailer) -> Self {
        App {
            db,
            settings,
            mailer,
            keys: vault::Keyring::generate(),
            token_cache: users::TokenCache::default(),
            ach_tab_cache: Default::default(),
        }
    }

    pub fn with_keys(self, keys: vault::Keyring) -> Self {
        App { keys, ..self }
    }

    /// `{public_url}{path}` for links in mail.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.settings.public_url.trim_end_matches('/'))
    }
}

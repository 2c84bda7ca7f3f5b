//! Use cases. Every rule a user can hit lives here or in `domain`; `web` and `cli` only
//! translate requests into these calls and results into pages, JSON or text.

pub mod ach;
mod audit;
pub mod demo;
pub mod error;
pub mod housekeeping;
pub mod mail_queue;
mod notify;
pub mod portal;
pub mod rate;
pub mod refunds;
pub mod registry;
pub mod secrets;
mod settings;
pub mod vault;

pub use error::AppError;
pub use settings::{AchSettings, DEFAULT_LISTEN, LoginSettings, SessionSettings, Settings};
pub use store::Db;
pub use time::Date;

/// Today's date in UTC (the portal's calendar).
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

/// The application: a database, a mailer and settings. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub settings: Settings,
    pub mailer: mail::Mailer,
    /// Data keys for secrets at rest (TOTP secrets; bank account numbers later).
    pub keys: vault::Keyring,
    pub(crate) token_cache: portal::users::TokenCache,
    pub(crate) ach_tab_cache: std::sync::Arc<ach::tab_cache::TabCache>,
    /// Woken when this instance queued mail (`mail_queue::run_sender` waits on it).
    pub(crate) mail_wake: std::sync::Arc<tokio::sync::Notify>,
    /// This instance's name in leases (random, per process).
    pub(crate) instance: String,
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
            token_cache: portal::users::TokenCache::default(),
            ach_tab_cache: Default::default(),
            mail_wake: Default::default(),
            instance: secrets::random_token(),
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

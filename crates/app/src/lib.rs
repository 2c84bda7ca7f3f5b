//! Use cases. Every rule a user can hit lives here or in `domain`; `web` and `cli` only
//! translate requests into these calls and results into pages, JSON or text.

pub mod auth;
pub mod demo;
pub mod error;
pub mod history;
pub mod import_csv;
pub mod importers;
pub mod secrets;
pub mod users;

pub use error::AppError;
pub use store::Db;

/// Settings the use cases need (the rest of the configuration belongs to the binary).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Minutes without activity after which a browser session ends.
    pub session_idle_minutes: i64,
    /// Hours after which a browser session ends whatever the activity.
    pub session_absolute_hours: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { session_idle_minutes: 15, session_absolute_hours: 12 }
    }
}

/// The application: a database plus settings. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    pub db: Db,
    pub settings: Settings,
    pub(crate) token_cache: users::TokenCache,
}

impl App {
    pub fn new(db: Db, settings: Settings) -> Self {
        App { db, settings, token_cache: users::TokenCache::default() }
    }
}

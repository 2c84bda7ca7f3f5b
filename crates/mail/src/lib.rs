//! Outgoing mail. `app` builds a [`Mail`] (what happened, with the values the reader needs) and
//! hands it to a [`Mailer`], which renders it from the templates in `templates/` (a text and an
//! HTML part) and delivers it: to a file outbox (`.eml` files) by default, over SMTP when
//! configured, or to memory in tests.
//!
//! Nothing here knows about the database; values arrive already masked where they must be.

use std::path::PathBuf;

/// One message the portal sends, with everything its template shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mail {
    /// The automated account application: the code goes to the 5106 contact email.
    ApplicationCode {
        company: String,
        /// Masked importer number, as shown to the contact.
        importer_number: String,
        requester_name: String,
        requester_email: String,
        code: String,
        valid_minutes: u32,
    },
    /// An invitation to join a top account, with a one-time link to set a password.
    Invitation { account_name: String, inviter_name: String, link: String, valid_hours: u32 },
    /// The second factor by email: a 6-digit login code.
    LoginCode { code: String, valid_minutes: u32 },
    /// A one-time password reset link.
    PasswordReset { link: String, valid_minutes: u32 },
    /// Too many failed attempts; the account is locked until a time (already formatted, UTC).
    Lockout { until: String },
    /// A user's role or permissions changed.
    RoleChanged { account_name: String, changed_by: String, summary: String },
    /// A login from a browser the account had not used before.
    NewDeviceLogin { at: String, ip: String, user_agent: String },
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail configuration: {0}")]
    Config(String),
    #[error("could not deliver mail: {0}")]
    Delivery(String),
}

/// Where mail goes.
#[derive(Debug, Clone)]
pub enum Transport {
    /// `.eml` files in a folder (the default: `<data_dir>/outbox`).
    Outbox(PathBuf),
    /// `smtp://[user:pass@]host[:port]` (STARTTLS when offered... see docs), `smtps://` for implicit TLS.
    Smtp(String),
    /// Kept in memory; for tests that do not care about delivery.
    Memory,
}

/// A delivered message as tests see it.
#[derive(Debug, Clone)]
pub struct Sent {
    pub to: String,
    pub rendered: Rendered,
}

/// Renders and delivers mail. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    _private: (),
}

impl Mailer {
    /// `from` is the sender address, e.g. `ACE Refunds <no-reply@example.gov>`.
    pub fn new(_transport: Transport, _from: &str) -> Result<Mailer, MailError> {
        todo!("mail helper")
    }

    /// Renders `mail` and delivers it to `to` (one address). Returns the Message-ID.
    pub async fn send(&self, _to: &str, _mail: &Mail) -> Result<String, MailError> {
        todo!("mail helper")
    }

    /// Messages delivered by a `Transport::Memory` mailer, oldest first (empty for others).
    pub fn memory_sent(&self) -> Vec<Sent> {
        todo!("mail helper")
    }
}

/// Renders a message (pure; used by `send` and by snapshot tests).
pub fn render(_mail: &Mail) -> Rendered {
    todo!("mail helper")
}

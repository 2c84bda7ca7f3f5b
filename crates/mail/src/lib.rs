//! Outgoing mail. `app` builds a [`Mail`] (what happened, with the values the reader needs) and
//! hands it to a [`Mailer`], which renders it from the templates in `templates/` (a text and an
//! HTML part) and delivers it: to a file outbox (`.eml` files) by default, over SMTP when
//! configured, or to memory in tests.
//!
//! Nothing here knows about the database; values arrive already masked where they must be.

mod clean;
mod message;
mod outbox;
mod render;
mod smtp_url;
mod transport;

use std::fmt;
use std::sync::Arc;

use lettre::message::Mailbox;
use time::OffsetDateTime;

pub use render::render;
pub use transport::Transport;

use transport::Backend;

/// One message the portal sends, with everything its template shows. Serializable: the
/// application queues mail in its database (sealed) and a sender delivers it later.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
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
    /// Bank details (or a notify party) for an importer number were added, changed or removed,
    /// or the bank answered a prenote. Goes to the 5106 contact email and to the account owner.
    /// Every value is already masked; `summary` has one line per fact.
    BankDetailsChanged {
        importer_number: String,
        importer_name: String,
        what: String,
        by: String,
        at: String,
        summary: String,
    },
    /// A refund was held (no bank account it can be paid into) or set off against a CBP bill.
    /// Goes to the payee's 5106 contact email and its account owner; `summary` has one line per
    /// fact (amounts, entry, what to do), values already masked.
    RefundNotice { importer_number: String, importer_name: String, what: String, summary: String, link: String },
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

/// A delivered message as tests see it.
#[derive(Debug, Clone)]
pub struct Sent {
    pub to: String,
    pub rendered: Rendered,
}

/// Renders and delivers mail. Cheap to clone (clones share the transport and, for
/// `Transport::Memory`, the list of sent messages).
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<Inner>,
}

struct Inner {
    from: Mailbox,
    backend: Backend,
}

impl Mailer {
    /// `from` is the sender address, e.g. `ACE Refunds <no-reply@example.gov>`.
    ///
    /// Fails with [`MailError::Config`] for an invalid sender address, an SMTP URL that does
    /// not parse (the error never shows the password), an unreadable CA file, or an outbox
    /// folder that cannot be created. Does not connect to the SMTP server.
    pub fn new(transport: Transport, from: &str) -> Result<Mailer, MailError> {
        let from = message::mailbox("sender", from)?;
        let backend = Backend::new(&transport)?;
        Ok(Mailer { inner: Arc::new(Inner { from, backend }) })
    }

    /// Renders `mail` and delivers it to `to` (one address). Returns the Message-ID, with its
    /// angle brackets, as in the message's header: `<3f2a…@example.gov>`.
    ///
    /// An invalid `to` is a [`MailError::Config`]; a failed delivery (SMTP server down or
    /// refusing, outbox not writable) a [`MailError::Delivery`].
    pub async fn send(&self, to: &str, mail: &Mail) -> Result<String, MailError> {
        let Inner { from, backend } = &*self.inner;
        let to_box = message::mailbox("recipient", to)?;
        let rendered = render(mail);
        let at = OffsetDateTime::now_utc();
        let message_id = message::new_message_id(from);
        let built = message::build(from, &to_box, &rendered, &message_id, at)?;
        let sent = Sent { to: to.trim().to_owned(), rendered };
        backend.deliver(built, &message_id, at, sent).await?;
        tracing::info!(kind = mail.kind(), message_id = %message_id, transport = %backend.describe(), "mail sent");
        Ok(message_id)
    }

    /// Messages delivered by a `Transport::Memory` mailer, oldest first (empty for others).
    pub fn memory_sent(&self) -> Vec<Sent> {
        self.inner.backend.memory_sent()
    }

    /// Where this mailer delivers, for logs; never shows a password. E.g. `outbox data/outbox`,
    /// `SMTP smtp://mailer:***@relay.example.gov:587 (STARTTLS)`, `memory`.
    pub fn describe(&self) -> String {
        self.inner.backend.describe()
    }
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.inner.from.to_string())
            .field("transport", &self.describe())
            .finish()
    }
}

impl Mail {
    /// A short name of the kind of mail, for logs: `application_code`, `login_code`, ….
    pub fn kind(&self) -> &'static str {
        match self {
            Mail::ApplicationCode { .. } => "application_code",
            Mail::Invitation { .. } => "invitation",
            Mail::LoginCode { .. } => "login_code",
            Mail::PasswordReset { .. } => "password_reset",
            Mail::Lockout { .. } => "lockout",
            Mail::RoleChanged { .. } => "role_changed",
            Mail::NewDeviceLogin { .. } => "new_device_login",
            Mail::BankDetailsChanged { .. } => "bank_details_changed",
            Mail::RefundNotice { .. } => "refund_notice",
        }
    }
}

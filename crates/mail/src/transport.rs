//! Where mail goes: the public [`Transport`] setting and the delivery behind it.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use time::OffsetDateTime;

use crate::smtp_url::{self, SmtpSettings, TlsMode};
use crate::{MailError, Sent, outbox};

/// Where mail goes.
///
/// `Debug` and `Display` never show an SMTP password (it is replaced by `***`).
#[derive(Clone)]
pub enum Transport {
    /// `.eml` files in a folder (the default: `<data_dir>/outbox`), created if missing.
    Outbox(PathBuf),
    /// An SMTP URL (see docs/mail.md):
    /// - `smtp://host[:port]`: no TLS, for a relay on this machine (port 25 by default);
    /// - `smtp://host[:port]?tls=starttls`: STARTTLS, required (port 587 by default);
    /// - `smtps://host[:port]`: implicit TLS (port 465 by default).
    ///
    /// `user:password@` before the host logs in (AUTH PLAIN or LOGIN), percent-decoded; a
    /// password is only sent over TLS or to a loopback address. Optional parameters:
    /// `ca=/path/to/roots.pem` trusts more root certificates besides the Mozilla roots,
    /// `timeout=SECONDS` (default 30).
    Smtp(String),
    /// Kept in memory; for tests that do not care about delivery.
    Memory,
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Transport::Outbox(dir) => write!(f, "outbox {}", dir.display()),
            Transport::Smtp(url) => write!(f, "SMTP {}", smtp_url::redact(url)),
            Transport::Memory => f.write_str("memory"),
        }
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Transport::Outbox(dir) => f.debug_tuple("Outbox").field(dir).finish(),
            Transport::Smtp(url) => f.debug_tuple("Smtp").field(&smtp_url::redact(url)).finish(),
            Transport::Memory => f.write_str("Memory"),
        }
    }
}

/// A transport made ready to deliver.
pub(crate) enum Backend {
    Outbox(PathBuf),
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, described: String, timeout: Duration },
    Memory(Mutex<Vec<Sent>>),
}

impl Backend {
    pub fn new(transport: &Transport) -> Result<Backend, MailError> {
        match transport {
            Transport::Outbox(dir) => {
                outbox::ensure_dir(dir)?;
                Ok(Backend::Outbox(dir.clone()))
            }
            Transport::Smtp(url) => {
                let settings = SmtpSettings::parse(url)?;
                Ok(Backend::Smtp {
                    transport: smtp(&settings)?,
                    described: settings.describe(),
                    timeout: settings.timeout,
                })
            }
            Transport::Memory => Ok(Backend::Memory(Mutex::new(Vec::new()))),
        }
    }

    /// For logs: never shows a password.
    pub fn describe(&self) -> String {
        match self {
            Backend::Outbox(dir) => format!("outbox {}", dir.display()),
            Backend::Smtp { described, .. } => format!("SMTP {described}"),
            Backend::Memory(_) => "memory".to_owned(),
        }
    }

    pub async fn deliver(
        &self,
        message: Message,
        message_id: &str,
        at: OffsetDateTime,
        sent: Sent,
    ) -> Result<(), MailError> {
        match self {
            Backend::Outbox(dir) => outbox::write(dir, at, message_id, &message.formatted()).await.map(drop),
            // lettre's own timeout covers only the TCP connection; this one the whole delivery.
            Backend::Smtp { transport, described, timeout } => {
                match tokio::time::timeout(*timeout, transport.send(message)).await {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(e)) => Err(MailError::Delivery(format!("SMTP {described}: {}", chain(&e)))),
                    Err(_) => {
                        Err(MailError::Delivery(format!("SMTP {described}: no answer within {} s", timeout.as_secs())))
                    }
                }
            }
            Backend::Memory(sent_list) => {
                sent_list.lock().unwrap_or_else(PoisonError::into_inner).push(sent);
                Ok(())
            }
        }
    }

    pub fn memory_sent(&self) -> Vec<Sent> {
        match self {
            Backend::Memory(sent) => sent.lock().unwrap_or_else(PoisonError::into_inner).clone(),
            _ => Vec::new(),
        }
    }
}

fn smtp(s: &SmtpSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailError> {
    let mut builder =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(s.host.as_str()).port(s.port).timeout(Some(s.timeout));
    builder = match s.tls {
        TlsMode::Plain => builder.tls(Tls::None),
        TlsMode::StartTls => builder.tls(Tls::Required(tls_parameters(s)?)),
        TlsMode::Implicit => builder.tls(Tls::Wrapper(tls_parameters(s)?)),
    };
    if let Some((user, password)) = &s.credentials {
        builder = builder
            .credentials(Credentials::new(user.clone(), password.clone()))
            .authentication(vec![Mechanism::Plain, Mechanism::Login]);
    }
    Ok(builder.build())
}

fn tls_parameters(s: &SmtpSettings) -> Result<TlsParameters, MailError> {
    let mut params = TlsParameters::builder(s.host.clone());
    if let Some(path) = &s.ca_file {
        let shown = path.display();
        let pem = std::fs::read(path).map_err(|e| MailError::Config(format!("SMTP CA file {shown}: {e}")))?;
        if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
            return Err(MailError::Config(format!("SMTP CA file {shown}: no PEM certificate in it")));
        }
        let cert = Certificate::from_pem(&pem).map_err(|e| MailError::Config(format!("SMTP CA file {shown}: {e}")))?;
        params = params.add_root_certificate(cert);
    }
    params.build_rustls().map_err(|e| MailError::Config(format!("SMTP TLS settings for {}: {e}", s.host)))
}

/// An error and its sources, each said once: lettre's messages already include their source,
/// and sometimes the same words twice ("Connection error: Connection error: …").
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    let mut parts: Vec<&str> = out.split(": ").collect();
    parts.dedup();
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct E(&'static str, Option<Box<E>>);
    impl fmt::Display for E {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }
    impl std::error::Error for E {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    #[test]
    fn chain_says_each_cause_once() {
        let e = E("Connection error: Connection error: bad cert", Some(Box::new(E("bad cert", None))));
        assert_eq!(chain(&e), "Connection error: bad cert");
        let e = E("send failed", Some(Box::new(E("refused (os error 111)", None))));
        assert_eq!(chain(&e), "send failed: refused (os error 111)");
    }
}

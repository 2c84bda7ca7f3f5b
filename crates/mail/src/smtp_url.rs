//! The SMTP URL: `smtp://[user:password@]host[:port][?tls=starttls&ca=/path.pem&timeout=30]`
//! or `smtps://[user:password@]host[:port]`. See docs/mail.md.
//!
//! The password never leaves this module except into lettre's credentials: [`SmtpSettings`]
//! has no `Debug`, and [`SmtpSettings::describe`] and [`redact`] show it as `***`.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::{Host, Url};

use crate::MailError;

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TlsMode {
    /// No TLS (`smtp://`, the default): for a relay on this machine or a trusted network.
    Plain,
    /// STARTTLS, required: the message is not sent if the server does not offer it.
    StartTls,
    /// TLS from the first byte (`smtps://`).
    Implicit,
}

impl TlsMode {
    fn label(self) -> &'static str {
        match self {
            TlsMode::Plain => "no TLS",
            TlsMode::StartTls => "STARTTLS",
            TlsMode::Implicit => "implicit TLS",
        }
    }
}

/// A parsed SMTP URL.
pub(crate) struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    /// User name and password, percent-decoded.
    pub credentials: Option<(String, String)>,
    /// Extra trusted root certificates (PEM), besides the built-in Mozilla roots.
    pub ca_file: Option<PathBuf>,
    pub timeout: Duration,
}

const DEFAULT_TIMEOUT_SECS: u64 = 30;
const MAX_TIMEOUT_SECS: u64 = 600;

fn config(msg: impl Into<String>) -> MailError {
    MailError::Config(msg.into())
}

impl SmtpSettings {
    pub fn parse(raw: &str) -> Result<SmtpSettings, MailError> {
        // Url's own error never echoes its input; ours never do either.
        let url =
            Url::parse(raw.trim()).map_err(|e| config(format!("SMTP URL {}: not a valid URL ({e})", redact(raw))))?;
        let shown = redact(raw);
        let implicit = match url.scheme() {
            "smtp" => false,
            "smtps" => true,
            other => {
                return Err(config(format!("SMTP URL {shown}: scheme must be smtp or smtps, not {other:?}")));
            }
        };
        let host = match url.host() {
            Some(Host::Domain(d)) if !d.is_empty() => d.to_owned(),
            Some(Host::Ipv4(ip)) => ip.to_string(),
            Some(Host::Ipv6(ip)) => ip.to_string(),
            _ => return Err(config(format!("SMTP URL {shown}: no host"))),
        };
        if !matches!(url.path(), "" | "/") || url.fragment().is_some() {
            return Err(config(format!("SMTP URL {shown}: unexpected path or fragment")));
        }

        let mut tls = if implicit { TlsMode::Implicit } else { TlsMode::Plain };
        let mut ca_file = None;
        let mut timeout = Duration::from_secs(DEFAULT_TIMEOUT_SECS);
        for (key, value) in url.query_pairs() {
            match (&*key, &*value) {
                ("tls", "starttls") if !implicit => tls = TlsMode::StartTls,
                ("tls", "none") if !implicit => tls = TlsMode::Plain,
                ("tls", "implicit") => tls = TlsMode::Implicit,
                ("tls", v) => {
                    return Err(config(format!(
                        "SMTP URL {shown}: tls={v:?} is not one of none, starttls, implicit \
                         (smtps:// is always implicit TLS)"
                    )));
                }
                ("ca", path) if !path.is_empty() => ca_file = Some(PathBuf::from(path)),
                ("timeout", secs) => match secs.parse::<u64>() {
                    Ok(s) if (1..=MAX_TIMEOUT_SECS).contains(&s) => timeout = Duration::from_secs(s),
                    _ => {
                        return Err(config(format!(
                            "SMTP URL {shown}: timeout must be 1 to {MAX_TIMEOUT_SECS} seconds"
                        )));
                    }
                },
                (k, _) => {
                    return Err(config(format!("SMTP URL {shown}: unknown parameter {k:?} (known: tls, ca, timeout)")));
                }
            }
        }
        if ca_file.is_some() && tls == TlsMode::Plain {
            return Err(config(format!("SMTP URL {shown}: ca= needs TLS (tls=starttls or smtps://)")));
        }

        let port = url.port().unwrap_or(match tls {
            TlsMode::Plain => 25,
            TlsMode::StartTls => 587,
            TlsMode::Implicit => 465,
        });

        let user = decode(url.username(), "user name", &shown)?;
        let password = url.password().map(|p| decode(p, "password", &shown)).transpose()?;
        let credentials = match (user.is_empty(), password) {
            (true, None) => None,
            (false, Some(password)) => Some((user, password)),
            (false, None) => return Err(config(format!("SMTP URL {shown}: user name without password"))),
            (true, Some(_)) => return Err(config(format!("SMTP URL {shown}: password without user name"))),
        };
        if credentials.is_some() && tls == TlsMode::Plain && !is_loopback(&host) {
            return Err(config(format!(
                "SMTP URL {shown}: refusing to send a password without TLS to {host}; \
                 use ?tls=starttls or smtps://"
            )));
        }

        Ok(SmtpSettings { host, port, tls, credentials, ca_file, timeout })
    }

    /// For logs and errors: `smtp://user:***@host:port (STARTTLS)`.
    pub fn describe(&self) -> String {
        let scheme = if self.tls == TlsMode::Implicit { "smtps" } else { "smtp" };
        let user = match &self.credentials {
            Some((user, _)) => format!("{user}:***@"),
            None => String::new(),
        };
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        let mut out = format!("{scheme}://{user}{host}:{} ({})", self.port, self.tls.label());
        if let Some(ca) = &self.ca_file {
            out.push_str(&format!(", extra CA {}", ca.display()));
        }
        out
    }
}

fn decode(part: &str, what: &str, shown: &str) -> Result<String, MailError> {
    percent_encoding::percent_decode_str(part)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| config(format!("SMTP URL {shown}: the {what} is not valid UTF-8 once decoded")))
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The URL with its password replaced by `***`; something that does not parse as a URL is
/// not shown at all (it might hold a password in a place we cannot find).
pub(crate) fn redact(raw: &str) -> String {
    match Url::parse(raw.trim()) {
        Ok(mut url) => {
            if url.password().is_some() && url.set_password(Some("***")).is_err() {
                return "<SMTP URL hidden>".to_owned();
            }
            url.to_string()
        }
        Err(_) => "<unparseable SMTP URL hidden>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> SmtpSettings {
        match SmtpSettings::parse(url) {
            Ok(s) => s,
            Err(e) => panic!("{url}: {e}"),
        }
    }

    fn error(url: &str) -> String {
        match SmtpSettings::parse(url) {
            Ok(s) => panic!("{url} parsed as {}", s.describe()),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn forms_and_default_ports() {
        let s = parse("smtp://relay.example.gov");
        assert_eq!((s.host.as_str(), s.port, s.tls), ("relay.example.gov", 25, TlsMode::Plain));
        let s = parse("smtp://relay.example.gov?tls=starttls");
        assert_eq!((s.port, s.tls), (587, TlsMode::StartTls));
        let s = parse("smtps://relay.example.gov");
        assert_eq!((s.port, s.tls), (465, TlsMode::Implicit));
        let s = parse("smtp://127.0.0.1:2525/");
        assert_eq!((s.host.as_str(), s.port), ("127.0.0.1", 2525));
        let s = parse("smtp://[::1]:2525?timeout=5");
        assert_eq!((s.host.as_str(), s.timeout), ("::1", Duration::from_secs(5)));
        assert_eq!(s.describe(), "smtp://[::1]:2525 (no TLS)");
    }

    #[test]
    fn credentials_are_percent_decoded_and_never_shown() {
        let url = "smtp://mailer%40agency:p%40ss%3Aw%2Frd%20%C3%A9@relay.example.gov:587?tls=starttls";
        let s = parse(url);
        let (user, password) = s.credentials.clone().unwrap_or_default();
        assert_eq!((user.as_str(), password.as_str()), ("mailer@agency", "p@ss:w/rd é"));
        assert_eq!(s.describe(), "smtp://mailer@agency:***@relay.example.gov:587 (STARTTLS)");
        assert!(!redact(url).contains("p%40ss"), "{}", redact(url));
        assert!(redact(url).contains("***"));
    }

    #[test]
    fn mistakes_are_config_errors_without_the_password() {
        for (url, expect) in [
            ("http://relay", "scheme"),
            ("smtp://", "no host"),
            ("smtp://relay?tls=startls", "tls=\"startls\""),
            ("smtps://relay?tls=starttls", "always implicit"),
            ("smtp://relay?tsl=starttls", "unknown parameter"),
            ("smtp://relay?timeout=0", "timeout"),
            ("smtp://relay?ca=/x.pem", "needs TLS"),
            ("smtp://u:secretpw@relay.example.gov", "refusing"),
            ("smtp://u@relay?tls=starttls", "without password"),
            ("smtp://u:secretpw@relay/path", "path"),
            ("smtp://u:secretpw@relay:99999", "valid URL"),
            ("not a url secretpw", "valid URL"),
        ] {
            let e = error(url);
            assert!(e.contains(expect), "{url}: {e}");
            assert!(!e.contains("secretpw"), "{url}: {e}");
        }
        assert!(SmtpSettings::parse("smtp://u:pw@localhost:2525").is_ok());
        assert!(SmtpSettings::parse("smtp://u:pw@127.0.0.1:2525").is_ok());
    }
}

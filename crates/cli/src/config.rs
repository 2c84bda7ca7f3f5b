//! Configuration: defaults, then an optional TOML file (`--config`), then `ACE_*` environment
//! variables (`DATABASE_URL` too), then command-line flags. Any secret can instead be read from
//! a file named by `ACE_<NAME>_FILE` (for container and systemd secrets).

use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Folder for the embedded database and other local state.
    pub data_dir: PathBuf,
    /// `postgres://...` for PostgreSQL; empty means the SQLite file `<data_dir>/ace-refunds.db`.
    pub database_url: String,
    /// Address `serve` listens on.
    pub listen: String,
    /// The URL people use to reach the portal; `https://` turns on Secure cookies and HSTS.
    pub public_url: String,
    /// `text` or `json`.
    pub log_format: String,
    /// A tracing filter, e.g. `info` or `info,ace=debug`.
    pub log_level: String,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    pub body_limit_bytes: usize,
    pub request_timeout_secs: u64,
    /// `smtp://user:pass@host:587?tls=starttls`, `smtps://...`; empty writes mail to `<data_dir>/outbox`.
    pub smtp_url: String,
    /// Sender of the portal's mail.
    pub mail_from: String,
    /// Days without a login after which a portal user is deactivated.
    pub inactivity_days: i64,
    /// Failed passwords for one email (within `lockout_minutes`) before it is locked.
    pub login_max_failures: i64,
    pub lockout_minutes: i64,
    /// Banking days a prenote waits for a return before bank details become Active.
    pub prenote_wait_days: u32,
    /// Outbound ACH files: the originating bank's routing number (its 8-digit prefix starts
    /// every trace number).
    pub ach_odfi_routing: String,
    /// Outbound ACH files: immediate destination routing number and name.
    pub ach_destination_routing: String,
    pub ach_destination_name: String,
    /// Outbound ACH files: immediate origin name, batch company name (16) and id (10).
    pub ach_origin_name: String,
    pub ach_company_name: String,
    pub ach_company_id: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./data"),
            database_url: String::new(),
            listen: "127.0.0.1:8080".into(),
            public_url: String::new(),
            log_format: "text".into(),
            log_level: "info".into(),
            session_idle_minutes: 15,
            session_absolute_hours: 12,
            body_limit_bytes: 256 * 1024,
            request_timeout_secs: 30,
            smtp_url: String::new(),
            mail_from: "ace-refunds <no-reply@ace-refunds.invalid>".into(),
            inactivity_days: 45,
            login_max_failures: 5,
            lockout_minutes: 15,
            prenote_wait_days: 3,
            ach_odfi_routing: app::AchOrigin::default().odfi_routing,
            ach_destination_routing: app::AchOrigin::default().destination_routing,
            ach_destination_name: app::AchOrigin::default().destination_name,
            ach_origin_name: app::AchOrigin::default().origin_name,
            ach_company_name: app::AchOrigin::default().company_name,
            ach_company_id: app::AchOrigin::default().company_id,
        }
    }
}

/// Keys read from `ACE_<KEY>` variables. Other `ACE_*` variables (ACE_PASSWORD, test settings)
/// are not configuration and are left alone.
const KEYS: &[&str] = &[
    "data_dir",
    "database_url",
    "listen",
    "public_url",
    "log_format",
    "log_level",
    "session_idle_minutes",
    "session_absolute_hours",
    "body_limit_bytes",
    "request_timeout_secs",
    "smtp_url",
    "mail_from",
    "inactivity_days",
    "login_max_failures",
    "lockout_minutes",
    "prenote_wait_days",
    "ach_odfi_routing",
    "ach_destination_routing",
    "ach_destination_name",
    "ach_origin_name",
    "ach_company_name",
    "ach_company_id",
];

impl Config {
    pub fn load(file: Option<&Path>, database_url_flag: Option<&str>) -> anyhow::Result<Config> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(f) = file {
            anyhow::ensure!(f.exists(), "the configuration file {} does not exist", f.display());
            fig = fig.merge(Toml::file(f));
        }
        fig = fig.merge(Env::raw().only(&["DATABASE_URL"]).map(|_| "database_url".into()));
        fig = fig.merge(Env::prefixed("ACE_").only(KEYS));
        let mut cfg: Config = fig.extract().map_err(|e| anyhow::anyhow!("configuration error: {e}"))?;
        // Secrets may come from files instead.
        if let Some(v) = secret_file("ACE_DATABASE_URL_FILE")? {
            cfg.database_url = v;
        }
        if let Some(v) = secret_file("ACE_SMTP_URL_FILE")? {
            cfg.smtp_url = v;
        }
        if let Some(url) = database_url_flag {
            cfg.database_url = url.to_string();
        }
        anyhow::ensure!(
            cfg.log_format == "text" || cfg.log_format == "json",
            "log_format must be text or json, not {}",
            cfg.log_format
        );
        anyhow::ensure!(cfg.session_idle_minutes > 0, "session_idle_minutes must be positive");
        anyhow::ensure!(cfg.session_absolute_hours > 0, "session_absolute_hours must be positive");
        anyhow::ensure!(cfg.inactivity_days > 0, "inactivity_days must be positive");
        anyhow::ensure!(cfg.login_max_failures > 0, "login_max_failures must be positive");
        anyhow::ensure!(cfg.lockout_minutes > 0, "lockout_minutes must be positive");
        anyhow::ensure!(cfg.prenote_wait_days <= 30, "prenote_wait_days is at most 30 banking days");
        for (key, value) in
            [("ach_odfi_routing", &cfg.ach_odfi_routing), ("ach_destination_routing", &cfg.ach_destination_routing)]
        {
            domain::bank::RoutingNumber::parse(value).map_err(|e| anyhow::anyhow!("{key}: {e}"))?;
        }
        anyhow::ensure!(
            cfg.ach_company_id.trim().len() == 10,
            "ach_company_id must be 10 characters (the batch company identification), not {:?}",
            cfg.ach_company_id
        );
        Ok(cfg)
    }

    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}?mode=rwc", self.data_dir.join("ace-refunds.db").display())
        } else {
            self.database_url.clone()
        }
    }

    pub fn public_url(&self) -> String {
        if self.public_url.is_empty() { format!("http://{}", self.listen) } else { self.public_url.clone() }
    }

    /// The effective configuration as TOML, secrets redacted.
    pub fn redacted_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database_url = store::db::redact_url(&self.database_url());
        if !self.smtp_url.is_empty() {
            shown.smtp_url = store::db::redact_url(&self.smtp_url);
        }
        shown.public_url = self.public_url();
        toml_string(&shown)
    }
}

fn secret_file(var: &str) -> anyhow::Result<Option<String>> {
    match std::env::var(var) {
        Ok(path) => {
            let value = std::fs::read_to_string(&path).with_context(|| format!("cannot read {var}={path}"))?;
            Ok(Some(value.trim().to_string()))
        }
        Err(_) => Ok(None),
    }
}

fn toml_string(c: &Config) -> String {
    let v = serde_json::to_value(c).unwrap_or_default();
    let mut out = String::new();
    if let serde_json::Value::Object(map) = v {
        for (k, v) in map {
            out.push_str(&format!("{k} = {v}\n"));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail dictates the closure's error type.
mod tests {
    use super::*;

    #[test]
    fn layers_and_redaction() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("ace.toml", "listen = \"0.0.0.0:9000\"\nlog_level = \"debug\"\n")?;
            jail.set_env("ACE_LOG_LEVEL", "warn");
            jail.create_file("db-url", "postgres://ace:s3cret@db:5432/ace\n")?;
            jail.set_env("ACE_DATABASE_URL_FILE", "db-url");
            let c = Config::load(Some(Path::new("ace.toml")), None).map_err(|e| e.to_string())?;
            assert_eq!(c.listen, "0.0.0.0:9000");
            assert_eq!(c.log_level, "warn");
            assert_eq!(c.database_url, "postgres://ace:s3cret@db:5432/ace");
            let shown = c.redacted_toml();
            assert!(!shown.contains("s3cret"), "{shown}");
            assert!(shown.contains("ace:***@db"), "{shown}");
            let c = Config::load(Some(Path::new("ace.toml")), Some("sqlite://x.db")).map_err(|e| e.to_string())?;
            assert_eq!(c.database_url(), "sqlite://x.db");
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_are_errors() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("ace.toml", "listne = \"x\"\n")?;
            let e = Config::load(Some(Path::new("ace.toml")), None).unwrap_err().to_string();
            assert!(e.contains("listne"), "{e}");
            Ok(())
        });
    }
}

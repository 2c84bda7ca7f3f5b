//! Configuration: defaults, then an optional TOML file (`--config`), then `ACE_*` environment
//! variables (`DATABASE_URL` too), then command-line flags. Any secret can instead be read from
//! a file named by `ACE_<NAME>_FILE` (for container and systemd secrets).

use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The whole configuration, in the sections of the TOML file. Each section's defaults are
/// defined once, with its type: `[http]` in `web`, `[session]`, `[login]` and `[ach]` in `app`,
/// the rest here.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Folder for the embedded database and other local state.
    pub data_dir: DataDir,
    pub database: DatabaseSettings,
    pub http: web::WebConfig,
    pub log: LogSettings,
    pub mail: MailSettings,
    pub session: app::SessionSettings,
    pub login: app::LoginSettings,
    pub ach: app::AchSettings,
}

/// The data folder, `./data` unless set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DataDir(pub PathBuf);

impl Default for DataDir {
    fn default() -> Self {
        DataDir(PathBuf::from("./data"))
    }
}

impl AsRef<Path> for DataDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl std::ops::Deref for DataDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

/// `[database]`
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `postgres://...` for PostgreSQL; empty means the SQLite file `<data_dir>/ace-refunds.db`.
    pub url: String,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// `[log]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    /// A tracing filter, e.g. `info` or `info,ace=debug`.
    pub level: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings { format: LogFormat::Text, level: "info".into() }
    }
}

/// `[mail]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailSettings {
    /// `smtp://user:pass@host:587?tls=starttls`, `smtps://...`; empty writes mail to `<data_dir>/outbox`.
    pub smtp_url: String,
    /// Sender of the portal's mail.
    pub from: String,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings { smtp_url: String::new(), from: "ace-refunds <no-reply@ace-refunds.invalid>".into() }
    }
}

/// `ACE_<NAME>` variables and the key each sets. The names predate the sections and stay as the
/// README documents them. Other `ACE_*` variables (ACE_PASSWORD, test settings) are not
/// configuration and are left alone.
const ENV_KEYS: &[(&str, &str)] = &[
    ("data_dir", "data_dir"),
    ("database_url", "database.url"),
    ("listen", "http.listen"),
    ("public_url", "http.public_url"),
    ("body_limit_bytes", "http.body_limit_bytes"),
    ("request_timeout_secs", "http.request_timeout_secs"),
    ("log_format", "log.format"),
    ("log_level", "log.level"),
    ("smtp_url", "mail.smtp_url"),
    ("mail_from", "mail.from"),
    ("session_idle_minutes", "session.idle_minutes"),
    ("session_absolute_hours", "session.absolute_hours"),
    ("inactivity_days", "login.inactivity_days"),
    ("login_max_failures", "login.max_failures"),
    ("lockout_minutes", "login.lockout_minutes"),
    ("prenote_wait_days", "ach.prenote_wait_days"),
    ("ach_odfi_routing", "ach.odfi_routing"),
    ("ach_destination_routing", "ach.destination_routing"),
    ("ach_destination_name", "ach.destination_name"),
    ("ach_origin_name", "ach.origin_name"),
    ("ach_company_name", "ach.company_name"),
    ("ach_company_id", "ach.company_id"),
];

impl Config {
    pub fn load(file: Option<&Path>, database_url_flag: Option<&str>) -> anyhow::Result<Config> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(f) = file {
            anyhow::ensure!(f.exists(), "the configuration file {} does not exist", f.display());
            fig = fig.merge(Toml::file(f));
        }
        fig = fig.merge(Env::raw().only(&["DATABASE_URL"]).map(|_| "database.url".into()));
        let names: Vec<&str> = ENV_KEYS.iter().map(|(name, _)| *name).collect();
        fig = fig.merge(Env::prefixed("ACE_").only(&names).map(|name| {
            let key = ENV_KEYS.iter().find(|(n, _)| name == *n).map_or("", |(_, key)| *key);
            key.into()
        }));
        let mut cfg: Config = fig.extract().map_err(|e| anyhow::anyhow!("configuration error: {e}"))?;
        // Secrets may come from files instead.
        if let Some(v) = secret_file("ACE_DATABASE_URL_FILE")? {
            cfg.database.url = v;
        }
        if let Some(v) = secret_file("ACE_SMTP_URL_FILE")? {
            cfg.mail.smtp_url = v;
        }
        if let Some(url) = database_url_flag {
            cfg.database.url = url.to_string();
        }
        cfg.app_settings().validate().map_err(|e| anyhow::anyhow!("configuration error: {e}"))?;
        Ok(cfg)
    }

    /// What `app` is told (links in mail point at the public URL).
    pub fn app_settings(&self) -> app::Settings {
        app::Settings {
            public_url: self.http.public_url(),
            session: self.session.clone(),
            login: self.login.clone(),
            ach: self.ach.clone(),
        }
    }

    pub fn database_url(&self) -> String {
        if self.database.url.is_empty() {
            format!("sqlite://{}?mode=rwc", self.data_dir.join("ace-refunds.db").display())
        } else {
            self.database.url.clone()
        }
    }

    /// The effective configuration as TOML, secrets redacted.
    pub fn redacted_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database.url = store::db::redact_url(&self.database_url());
        if !self.mail.smtp_url.is_empty() {
            shown.mail.smtp_url = store::db::redact_url(&self.mail.smtp_url);
        }
        shown.http.public_url = self.http.public_url();
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

/// Top-level keys first, then one `[section]` per nested table (values as JSON, which TOML reads
/// for strings, numbers and booleans).
fn toml_string(c: &Config) -> String {
    let v = serde_json::to_value(c).unwrap_or_default();
    let mut top = String::new();
    let mut sections = String::new();
    if let serde_json::Value::Object(map) = v {
        for (k, v) in map {
            match v {
                serde_json::Value::Object(inner) => {
                    sections.push_str(&format!("\n[{k}]\n"));
                    for (ik, iv) in inner {
                        sections.push_str(&format!("{ik} = {iv}\n"));
                    }
                }
                other => top.push_str(&format!("{k} = {other}\n")),
            }
        }
    }
    top + &sections
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail dictates the closure's error type.
mod tests {
    use super::*;

    #[test]
    fn layers_and_redaction() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("ace.toml", "[http]\nlisten = \"0.0.0.0:9000\"\n[log]\nlevel = \"debug\"\n")?;
            jail.set_env("ACE_LOG_LEVEL", "warn");
            jail.create_file("db-url", "postgres://ace:s3cret@db:5432/ace\n")?;
            jail.set_env("ACE_DATABASE_URL_FILE", "db-url");
            let c = Config::load(Some(Path::new("ace.toml")), None).map_err(|e| e.to_string())?;
            assert_eq!(c.http.listen, "0.0.0.0:9000");
            assert_eq!(c.log.level, "warn");
            assert_eq!(c.database.url, "postgres://ace:s3cret@db:5432/ace");
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
            jail.create_file("ace.toml", "[http]\nlistne = \"x\"\n")?;
            let e = Config::load(Some(Path::new("ace.toml")), None).unwrap_err().to_string();
            assert!(e.contains("listne"), "{e}");
            Ok(())
        });
    }

    #[test]
    fn closed_choices_are_enums_and_defaults_come_from_the_sections() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("ACE_LOG_FORMAT", "json");
            jail.set_env("ACE_SESSION_IDLE_MINUTES", "20");
            let c = Config::load(None, None).map_err(|e| e.to_string())?;
            assert_eq!(c.log.format, LogFormat::Json);
            assert_eq!(c.session.idle_minutes, 20);
            assert_eq!(c.login, app::LoginSettings::default());
            assert_eq!(c.http, web::WebConfig::default());
            jail.set_env("ACE_LOG_FORMAT", "xml");
            let e = Config::load(None, None).unwrap_err().to_string();
            assert!(e.contains("xml") && e.contains("text") && e.contains("json"), "{e}");
            Ok(())
        });
    }
}

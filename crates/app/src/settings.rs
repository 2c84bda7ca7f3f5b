//! Settings the use cases need, in the sections of the configuration file. Each section's
//! defaults are defined here, once: the binary's configuration (`cli::config`) is made of these
//! sections, and tests use `Settings::default()`.

use serde::{Deserialize, Serialize};

/// Where `serve` listens unless told otherwise (the `[http]` section's default, defined in `web`
/// from this constant, and the default of links in mail).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Everything `App` is told by its operator.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The portal's address, for links in mail (invitations, password resets). Derived by the
    /// binary from the `[http]` section.
    pub public_url: String,
    pub session: SessionSettings,
    pub login: LoginSettings,
    pub ach: AchSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            public_url: format!("http://{DEFAULT_LISTEN}"),
            session: SessionSettings::default(),
            login: LoginSettings::default(),
            ach: AchSettings::default(),
        }
    }
}

/// `[session]`: browser session limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionSettings {
    /// Minutes without activity after which a browser session ends.
    pub idle_minutes: i64,
    /// Hours after which a browser session ends whatever the activity.
    pub absolute_hours: i64,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings { idle_minutes: 15, absolute_hours: 12 }
    }
}

/// `[login]`: lockout and inactivity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoginSettings {
    /// Failed passwords for one email within `lockout_minutes` before it is locked.
    pub max_failures: i64,
    pub lockout_minutes: i64,
    /// Days without a login after which a portal user is deactivated.
    pub inactivity_days: i64,
}

impl Default for LoginSettings {
    fn default() -> Self {
        LoginSettings { max_failures: 5, lockout_minutes: 15, inactivity_days: 45 }
    }
}

/// `[ach]`: prenotes and who we are in outbound ACH files (file and batch headers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AchSettings {
    /// Banking days a prenote waits for a return before its bank details become Active.
    pub prenote_wait_days: u32,
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

impl Default for AchSettings {
    fn default() -> Self {
        AchSettings {
            prenote_wait_days: 3,
            odfi_routing: "061000146".into(),
            destination_routing: "061000146".into(),
            destination_name: "FRB ATLANTA".into(),
            origin_name: "US CUSTOMS AND BORDER".into(),
            company_name: "US CBP REFUND".into(),
            company_id: "CBPREFUNDS".into(),
        }
    }
}

impl Settings {
    /// The checks a configuration must pass before the portal starts, with what to fix.
    pub fn validate(&self) -> Result<(), String> {
        let positive = [
            ("session.idle_minutes", self.session.idle_minutes),
            ("session.absolute_hours", self.session.absolute_hours),
            ("login.inactivity_days", self.login.inactivity_days),
            ("login.max_failures", self.login.max_failures),
            ("login.lockout_minutes", self.login.lockout_minutes),
        ];
        for (key, value) in positive {
            if value <= 0 {
                return Err(format!("{key} must be positive, not {value}"));
            }
        }
        if self.ach.prenote_wait_days > 30 {
            return Err("ach.prenote_wait_days is at most 30 banking days".into());
        }
        for (key, value) in
            [("ach.odfi_routing", &self.ach.odfi_routing), ("ach.destination_routing", &self.ach.destination_routing)]
        {
            domain::bank::RoutingNumber::parse(value).map_err(|e| format!("{key}: {e}"))?;
        }
        if self.ach.company_id.trim().len() != 10 {
            return Err(format!(
                "ach.company_id must be 10 characters (the batch company identification), not {:?}",
                self.ach.company_id
            ));
        }
        Ok(())
    }
}

//! Shared state of the web layer.

use std::sync::Arc;
use std::time::Duration;

use app::App;

/// `[http]` of the configuration: where the portal listens and how requests are limited. The
/// defaults are defined here once.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebConfig {
    /// Address `serve` binds.
    pub listen: String,
    /// The address people use to reach the portal. `https://` turns on Secure cookies and HSTS.
    /// Empty: `http://<listen>`.
    pub public_url: String,
    /// Largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    pub request_timeout_secs: u64,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            listen: app::DEFAULT_LISTEN.into(),
            public_url: String::new(),
            body_limit_bytes: 256 * 1024,
            request_timeout_secs: 30,
        }
    }
}

impl WebConfig {
    /// The public URL, or `http://<listen>` when none is set.
    pub fn public_url(&self) -> String {
        if self.public_url.is_empty() { format!("http://{}", self.listen) } else { self.public_url.clone() }
    }
    pub fn https(&self) -> bool {
        self.public_url().starts_with("https://")
    }
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }
}

/// The state every handler and middleware gets. axum clones it for each extractor and each
/// `from_fn_with_state` layer of every request, so it is one `Arc`: cloning the configuration's
/// strings several times per request was a measurable share of the server's malloc/free under
/// load (docs/performance.md).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub app: App,
    pub config: WebConfig,
    pub metrics: metrics_exporter_prometheus::PrometheusHandle,
    /// Rendered rows of the ACH tab (pages::ach_rows).
    pub ach_rows: crate::pages::ach_rows::RowsCache,
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> anyhow::Result<AppState> {
        Ok(AppState(Arc::new(Shared {
            app,
            config,
            metrics: crate::metrics::install()?,
            ach_rows: Default::default(),
        })))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

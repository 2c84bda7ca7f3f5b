//! Shared state of the web layer.

use std::sync::Arc;
use std::time::Duration;

use app::App;

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The address people use to reach the portal. `https://` turns on Secure cookies and HSTS.
    pub public_url: String,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    pub request_timeout: Duration,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            public_url: "http://127.0.0.1:8080".into(),
            body_limit: 256 * 1024,
            request_timeout: Duration::from_secs(30),
        }
    }
}

impl WebConfig {
    pub fn https(&self) -> bool {
        self.public_url.starts_with("https://")
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

//! Shared state of the web layer.

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

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: WebConfig,
    pub metrics: metrics_exporter_prometheus::PrometheusHandle,
    /// Rendered rows of the ACH tab (pages::ach_rows).
    pub ach_rows: crate::pages::ach_rows::RowsCache,
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> anyhow::Result<AppState> {
        Ok(AppState { app, config, metrics: crate::metrics::install()?, ach_rows: Default::default() })
    }
}

//! Cross-cutting HTTP behaviour: request ids and access logs, security headers, body limits
//! and timeouts.

use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::AppState;

fn incoming_id(req: &Request) -> Option<String> {
    let v = req.headers().get("x-request-id")?.to_str().ok()?;
    let ok = !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    ok.then(|| v.to_string())
}

/// Gives every request an id (a sane incoming `x-request-id` is kept), logs one line per request (path only: query strings may hold
/// personal data) and returns the id in `x-request-id`.
pub async fn request_context(req: Request, next: Next) -> Response {
    let id = incoming_id(&req).unwrap_or_else(|| hex::encode(rand::random::<[u8; 8]>()));
    let method = req.method().clone();
    let path = loggable_path(req.uri().path());
    let span = tracing::info_span!("request", request_id = %id, %method, path = %path);
    let start = Instant::now();
    let mut res = next.run(req).instrument(span.clone()).await;
    let status = res.status().as_u16();
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| tracing::info!(status, latency_ms = format!("{ms:.2}"), "request"));
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

/// The path as logged: one-time link secrets (`/reset/<token>`, `/invitation/<token>`) are
/// replaced by `***`, so logs never hold a usable link.
pub fn loggable_path(path: &str) -> String {
    for prefix in ["/reset/", "/invitation/"] {
        if let Some(rest) = path.strip_prefix(prefix)
            && !rest.is_empty()
        {
            return format!("{prefix}***");
        }
    }
    path.to_string()
}

/// Headers that keep the pages out of frames, scripts to our own files, and browsers honest
/// about content types. HSTS only when the portal is served over HTTPS.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    if state.config.https() {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=63072000; includeSubDomains"));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Ends requests that take longer than the configured time with 503 and a short message.
pub async fn timeout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit: Duration = state.config.request_timeout();
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            let mut res = Response::new(axum::body::Body::from("the request took too long; try again"));
            *res.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            res
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn link_secrets_stay_out_of_logs() {
        assert_eq!(super::loggable_path("/reset/abc123"), "/reset/***");
        assert_eq!(super::loggable_path("/invitation/abc"), "/invitation/***");
        assert_eq!(super::loggable_path("/reset"), "/reset");
        assert_eq!(super::loggable_path("/importers/7"), "/importers/7");
    }
}

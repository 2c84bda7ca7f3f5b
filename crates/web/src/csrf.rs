//! CSRF protection by double submit: a random token in an HttpOnly, SameSite=Strict cookie,
//! repeated in a hidden field of every form and compared on every POST.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

pub const COOKIE: &str = "ace_csrf";

/// The token for forms on this page.
#[derive(Debug, Clone)]
pub struct Csrf(pub String);

fn valid_token(t: &str) -> bool {
    t.len() == 64 && t.chars().all(|c| c.is_ascii_hexdigit())
}

/// Makes sure every page has a token: reuses the cookie's or issues a new one.
pub async fn ensure_token(State(state): State<crate::AppState>, mut req: Request, next: Next) -> Response {
    let jar = CookieJar::from_headers(req.headers());
    let existing = jar.get(COOKIE).map(|c| c.value().to_string()).filter(|t| valid_token(t));
    let (token, fresh) = match existing {
        Some(t) => (t, false),
        None => (app::secrets::random_token(), true),
    };
    let secure = state.config.https();
    req.extensions_mut().insert(Csrf(token.clone()));
    let mut res = next.run(req).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    // Only pages carry forms; API, health and asset responses need no token.
    if fresh && html {
        let c =
            Cookie::build((COOKIE, token)).path("/").http_only(true).secure(secure).same_site(SameSite::Strict).build();
        if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

impl<S: Send + Sync> FromRequestParts<S> for Csrf {
    type Rejection = StatusCode;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Csrf>().cloned().ok_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl Csrf {
    /// Compares the submitted token with the cookie's in constant time.
    pub fn matches(&self, submitted: &str) -> bool {
        app::secrets::constant_time_eq(&self.0, submitted)
    }
}

//! CSRF protection by double submit: a random token in an HttpOnly, SameSite=Strict cookie,
//! repeated in a hidden field of every form and compared on every state-changing request.
//!
//! Two layers, in one place, so no handler can forget the check:
//! - [`ensure_token`] (whole application) gives every request its token (the cookie's, or a new
//!   one) and sets the cookie on HTML pages that need it;
//! - [`verify`] (the pages' router) refuses every POST/PUT/PATCH/DELETE whose form field `csrf`
//!   (or `X-CSRF-Token` header) is not the cookie's token, before any handler runs. Handlers
//!   never see the token of a submitted form; they only need [`Csrf`] to render forms.
//!
//! The JSON API is not behind [`verify`]: it takes bearer tokens only, which a browser never
//! attaches by itself, so a forged cross-site request carries no credentials there.

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

pub const COOKIE: &str = "ace_csrf";
/// The form field that carries the token.
pub const FIELD: &str = "csrf";
/// The header a script may use instead of the field.
pub const HEADER: &str = "x-csrf-token";

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

/// Methods that change state and so must carry the token.
fn changes_state(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE)
}

/// Refuses a state-changing page request whose submitted token is not the cookie's (403, "Form
/// expired"); lets every other request through untouched. The body is read once here (it is
/// bounded by the body limit layer outside) and handed on to the handler unchanged.
pub async fn verify(req: Request, next: Next) -> Response {
    if !changes_state(req.method()) {
        return next.run(req).await;
    }
    let Some(Csrf(expected)) = req.extensions().get::<Csrf>().cloned() else {
        return crate::render::csrf_failed();
    };
    // A token in the header needs no body.
    if let Some(h) = req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        return if app::secrets::constant_time_eq(&expected, h) {
            next.run(req).await
        } else {
            crate::render::csrf_failed()
        };
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        // Only the body limit makes reading fail before the handler would: say so plainly.
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "the request body is too large").into_response(),
    };
    let submitted = submitted_token(&parts, &bytes).await;
    match submitted {
        Some(t) if app::secrets::constant_time_eq(&expected, &t) => {
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        _ => crate::render::csrf_failed(),
    }
}

/// The `csrf` field of a URL-encoded or multipart form body.
async fn submitted_token(parts: &Parts, bytes: &bytes::Bytes) -> Option<String> {
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match mime.as_str() {
        "application/x-www-form-urlencoded" => {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).ok()?;
            pairs.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v)
        }
        "multipart/form-data" => {
            let mut req = Request::new(Body::from(bytes.clone()));
            req.headers_mut().insert(header::CONTENT_TYPE, parts.headers.get(header::CONTENT_TYPE)?.clone());
            let mut form = Multipart::from_request(req, &()).await.ok()?;
            while let Ok(Some(field)) = form.next_field().await {
                if field.name() == Some(FIELD) {
                    return field.text().await.ok();
                }
            }
            None
        }
        _ => None,
    }
}

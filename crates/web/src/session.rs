//! The browser session cookie and the `CurrentUser` extractor for pages.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use domain::Actor;

use crate::AppState;
use crate::render::error_page;

pub const COOKIE: &str = "ace_session";

/// The logged-in person on a page request.
pub struct CurrentUser {
    pub actor: Actor,
    pub name: String,
}

pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((COOKIE, token)).path("/").http_only(true).secure(secure).same_site(SameSite::Strict).build()
}

pub fn removal(secure: bool) -> Cookie<'static> {
    let mut c = session_cookie(String::new(), secure);
    c.make_removal();
    c
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(COOKIE).map(|c| c.value().to_string()) else {
            return Err(Redirect::to("/login").into_response());
        };
        match app::auth::session_actor(&state.app, &token).await {
            Ok(Some((actor, name))) => Ok(CurrentUser { actor, name }),
            Ok(None) => Err(Redirect::to("/login?expired=1").into_response()),
            Err(e) => Err(error_page(e, None)),
        }
    }
}

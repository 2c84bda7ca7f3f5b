//! Cookies of a browser: the session (`ace_session`, full or at a login step), the device
//! (`ace_device`, long-lived, for "new device" notices), and the extractors pages use:
//! `CurrentUser` (a full session), `Pending` (a session at a login step) and `ClientInfo`.

use std::net::SocketAddr;

use app::portal::auth::{Client, SessionUser};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use domain::Role;
use domain::portal::AccountRole;

use crate::AppState;
use crate::render::{Nav, PageError};

pub const COOKIE: &str = "ace_session";
pub const DEVICE_COOKIE: &str = "ace_device";

/// The logged-in person on a page request.
pub struct CurrentUser {
    pub user: SessionUser,
    pub actor: domain::Actor,
    pub name: String,
    /// The session cookie's value (to mark "this session" in the sessions list).
    pub token: String,
}

impl CurrentUser {
    pub fn nav(&self) -> Nav {
        Nav {
            name: self.name.clone(),
            registry: matches!(self.actor.role, Role::CbpStaff | Role::Broker),
            account: self.user.account_id.is_some(),
            manage_users: matches!(self.user.account_role, Some(AccountRole::Tao | AccountRole::ProxyTao)),
            console: self.actor.role == Role::CbpStaff,
        }
    }
}

/// A signed-in user who may use the 5106 registry (CBP staff and brokers).
pub struct Registry(pub CurrentUser);

impl FromRequestParts<AppState> for Registry {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        match domain::actor::may_read_registry(&user.actor) {
            Ok(()) => Ok(Registry(user)),
            Err(why) => Err(PageError::forbidden(why).into_response()),
        }
    }
}

/// A signed-in CBP staff member (the console). `app` checks the role again in every use case;
/// this refuses everyone else before the handler runs.
pub struct Staff(pub CurrentUser);

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        if user.actor.role == Role::CbpStaff {
            Ok(Staff(user))
        } else {
            Err(PageError::forbidden("the console is for CBP staff").into_response())
        }
    }
}

pub fn home_of(user: &SessionUser) -> &'static str {
    match user.actor.role {
        Role::Trade => "/account",
        Role::CbpStaff | Role::Broker => "/importers",
    }
}

pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((COOKIE, token)).path("/").http_only(true).secure(secure).same_site(SameSite::Strict).build()
}

pub fn removal(secure: bool) -> Cookie<'static> {
    let mut c = session_cookie(String::new(), secure);
    c.make_removal();
    c
}

/// A device id cookie for a browser that has none; kept for 400 days (the browsers' maximum).
pub fn device_cookie(secure: bool) -> Cookie<'static> {
    Cookie::build((DEVICE_COOKIE, app::secrets::random_token()))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::days(400))
        .build()
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let SessionCookie(token) = SessionCookie::from_request_parts(parts, state).await?;
        match app::portal::auth::session_user(&state.app, &token).await {
            Ok(Some(user)) => Ok(CurrentUser::new(user, token)),
            Ok(None) => Err(session_expired()),
            Err(e) => Err(PageError(e).into_response()),
        }
    }
}

impl CurrentUser {
    pub fn new(user: SessionUser, token: String) -> CurrentUser {
        CurrentUser { actor: user.actor.clone(), name: user.name.clone(), user, token }
    }
}

/// Where a request with an unknown, idle or expired session goes.
pub fn session_expired() -> Response {
    Redirect::to("/login?expired=1").into_response()
}

/// The session cookie's value, unchecked: for the pages that check the session in the same
/// statement as they read their data (`app::portal::auth::Signed`), the most visited ones. A request
/// without the cookie goes to the login page.
pub struct SessionCookie(pub String);

impl<S: Send + Sync> FromRequestParts<S> for SessionCookie {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        match jar.get(COOKIE).map(|c| c.value().to_string()) {
            Some(token) => Ok(SessionCookie(token)),
            None => Err(Redirect::to("/login").into_response()),
        }
    }
}

/// The page of a request whose session was checked with the page's own statement
/// (`app::..._in_session`): the page's answer for a live session, the login page otherwise.
pub fn signed<T>(
    answer: app::error::AppResult<Option<app::portal::auth::Signed<T>>>,
    token: String,
    show: impl FnOnce(CurrentUser, T) -> Response,
) -> crate::render::PageResult {
    match answer? {
        Some(app::portal::auth::Signed { user, page }) => Ok(show(CurrentUser::new(user, token), page?)),
        None => Ok(session_expired()),
    }
}

/// The session cookie of a login in progress (its stage is checked by `app`).
pub struct Pending(pub String);

impl FromRequestParts<AppState> for Pending {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        match jar.get(COOKIE).map(|c| c.value().to_string()).filter(|t| !t.is_empty()) {
            Some(t) => Ok(Pending(t)),
            None => Err(Redirect::to("/login?expired=1").into_response()),
        }
    }
}

/// Where the request comes from: the peer address (the portal is expected to be reached
/// directly or through a proxy that the operator trusts to set the peer), the browser, and the
/// device cookie.
pub struct ClientInfo(pub Client);

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| a.ip().to_string())
            .unwrap_or_default();
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(300)
            .collect();
        let jar = CookieJar::from_headers(&parts.headers);
        let device = jar.get(DEVICE_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
        Ok(ClientInfo(Client { ip, user_agent, device }))
    }
}

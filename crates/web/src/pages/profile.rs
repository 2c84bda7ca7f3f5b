//! The user's own profile: who they are, their second factor, their sessions, "log out everywhere".

use app::auth::SessionView;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use crate::AppState;
use crate::csrf::Csrf;
use crate::render::{Nav, csrf_failed, error_page, page};
use crate::session::{CurrentUser, removal};

pub fn router() -> Router<AppState> {
    Router::new().route("/profile", get(show)).route("/profile/logout-everywhere", post(logout_everywhere))
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    nav: Option<Nav>,
    csrf: String,
    name: String,
    email: String,
    role: String,
    second_factor: String,
    recovery_left: u64,
    sessions: Vec<SessionView>,
}

async fn show(State(state): State<AppState>, user: CurrentUser, csrf: Csrf) -> Response {
    let sessions = match app::auth::my_sessions(&state.app, &user.user, &user.token).await {
        Ok(s) => s,
        Err(e) => return error_page(e, Some(user.nav())),
    };
    let row = store::users::by_id(&state.app.db.conn, user.user.user_id()).await.ok().flatten();
    let recovery_left =
        store::one_time::unused_recovery_codes(&state.app.db.conn, user.user.user_id()).await.unwrap_or_default();
    let second_factor = match row.as_ref().map(|u| u.second_factor.as_str()) {
        Some("totp") => "Authenticator app",
        Some("email") => "Code by email",
        _ => "Not set up",
    };
    let role = match user.user.account_role {
        Some(r) => r.label().to_string(),
        None => "CBP staff".to_string(),
    };
    page(
        StatusCode::OK,
        &ProfilePage {
            nav: Some(user.nav()),
            csrf: csrf.0,
            name: user.name.clone(),
            email: user.user.email.clone(),
            role,
            second_factor: second_factor.into(),
            recovery_left,
            sessions,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CsrfOnly {
    csrf: String,
}

async fn logout_everywhere(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    jar: CookieJar,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if !csrf.matches(&f.csrf) {
        return csrf_failed();
    }
    match app::auth::logout_everywhere(&state.app, &user.user).await {
        Ok(_) => (jar.add(removal(state.config.https())), Redirect::to("/login")).into_response(),
        Err(e) => error_page(e, Some(user.nav())),
    }
}

//! The user's own profile: who they are, their second factor, their sessions, "log out everywhere".

use app::portal::auth::SessionView;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::CookieJar;

use crate::AppState;
use crate::csrf::Csrf;
use crate::page_router::PageRouter;
use crate::render::{Nav, PageResult, page};
use crate::session::{CurrentUser, removal};

pub fn routes() -> PageRouter {
    PageRouter::new().get("/profile", show).post("/profile/logout-everywhere", logout_everywhere)
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

async fn show(State(state): State<AppState>, user: CurrentUser, csrf: Csrf) -> PageResult {
    let p = app::portal::auth::my_profile(&state.app, &user.user, &user.token).await?;
    let second_factor = match p.second_factor {
        Some(app::portal::auth::SecondFactor::Totp) => "Authenticator app",
        Some(app::portal::auth::SecondFactor::Email) => "Code by email",
        None => "Not set up",
    };
    let role = match user.user.account_role {
        Some(r) => r.label().to_string(),
        None => "CBP staff".to_string(),
    };
    Ok(page(
        StatusCode::OK,
        &ProfilePage {
            nav: Some(user.nav()),
            csrf: csrf.0,
            name: user.name.clone(),
            email: user.user.email.clone(),
            role,
            second_factor: second_factor.into(),
            recovery_left: p.recovery_left,
            sessions: p.sessions,
        },
    ))
}

async fn logout_everywhere(State(state): State<AppState>, user: CurrentUser, jar: CookieJar) -> PageResult {
    app::portal::auth::logout_everywhere(&state.app, &user.user).await?;
    Ok((jar.add(removal(state.config.https())), Redirect::to("/login")).into_response())
}

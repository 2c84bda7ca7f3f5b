//! Server-rendered pages. Forms work without JavaScript.

pub(crate) mod account;
pub(crate) mod ach;
pub(crate) mod ach_rows;
mod apply;
mod auth;
mod console;
mod enrol;
mod importers;
mod links;
mod profile;
pub(crate) mod users;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use time::OffsetDateTime;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .merge(auth::router())
        .merge(enrol::router())
        .merge(apply::router())
        .merge(links::router())
        .merge(account::router())
        .merge(ach::router())
        .merge(users::router())
        .merge(profile::router())
        .merge(console::router())
        .merge(importers::router())
}

async fn home(State(state): State<AppState>, jar: CookieJar) -> Response {
    let Some(token) = jar.get(crate::session::COOKIE).map(|c| c.value().to_string()) else {
        return Redirect::to("/login").into_response();
    };
    match app::auth::session_user(&state.app, &token).await {
        Ok(Some(u)) => Redirect::to(crate::session::home_of(&u)).into_response(),
        _ => Redirect::to("/login").into_response(),
    }
}

/// `2026-11-25`
pub fn date(t: &OffsetDateTime) -> String {
    format!("{}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// `2026-11-25 14:03`
pub fn datetime(t: &OffsetDateTime) -> String {
    format!("{} {:02}:{:02}", date(t), t.hour(), t.minute())
}

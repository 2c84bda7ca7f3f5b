//! Server-rendered pages. Forms work without JavaScript.

pub(crate) mod account;
pub(crate) mod ach;
pub(crate) mod ach_rows;
mod apply;
mod auth;
mod console;
mod importers;
mod links;
mod login_setup;
mod profile;
mod refunds;
pub(crate) mod users;

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use time::OffsetDateTime;

use crate::AppState;
use crate::page_router::PageRouter;

/// Every page route, from one list (`web::page_routes` reads it back for the tests).
pub fn routes() -> PageRouter {
    PageRouter::new()
        .get("/", home)
        .merge(auth::routes())
        .merge(login_setup::routes())
        .merge(apply::routes())
        .merge(links::routes())
        .merge(account::routes())
        .merge(ach::routes())
        .merge(users::routes())
        .merge(profile::routes())
        .merge(console::routes())
        .merge(importers::routes())
        .merge(refunds::routes())
}

async fn home(State(state): State<AppState>, jar: CookieJar) -> Response {
    let Some(token) = jar.get(crate::session::COOKIE).map(|c| c.value().to_string()) else {
        return Redirect::to("/login").into_response();
    };
    match app::portal::auth::session_user(&state.app, &token).await {
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

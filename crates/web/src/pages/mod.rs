//! Server-rendered pages. Forms work without JavaScript.

mod auth;
mod importers;

use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use time::OffsetDateTime;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home)).merge(auth::router()).merge(importers::router())
}

async fn home(jar: CookieJar) -> Response {
    if jar.get(crate::session::COOKIE).is_some() {
        Redirect::to("/importers").into_response()
    } else {
        Redirect::to("/login").into_response()
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

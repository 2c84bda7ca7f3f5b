//! Log in and log out.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use domain::field_errors::FieldError;
use serde::Deserialize;

use crate::AppState;
use crate::csrf::Csrf;
use crate::render::{csrf_failed, error_page, page};
use crate::session::{COOKIE, removal, session_cookie};

pub fn router() -> Router<AppState> {
    Router::new().route("/login", get(show).post(submit)).route("/logout", get(confirm_logout).post(logout))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    user_name: Option<String>,
    csrf: String,
    email: String,
    expired: bool,
    errors: Vec<FieldError>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginQuery {
    expired: Option<String>,
}

async fn show(csrf: Csrf, Query(q): Query<LoginQuery>) -> Response {
    page(
        StatusCode::OK,
        &LoginPage {
            user_name: None,
            csrf: csrf.0,
            email: String::new(),
            expired: q.expired.is_some(),
            errors: vec![],
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginForm {
    csrf: String,
    email: String,
    password: String,
}

async fn submit(State(state): State<AppState>, csrf: Csrf, jar: CookieJar, Form(f): Form<LoginForm>) -> Response {
    if !csrf.matches(&f.csrf) {
        return csrf_failed();
    }
    match app::auth::login(&state.app, &f.email, &f.password).await {
        Ok(s) => {
            // A fresh session id at every login; any earlier session cookie is replaced.
            let jar = jar.add(session_cookie(s.token, state.config.https()));
            (jar, Redirect::to("/importers")).into_response()
        }
        Err(app::AppError::Unauthorized(m)) => page(
            StatusCode::UNAUTHORIZED,
            &LoginPage {
                user_name: None,
                csrf: csrf.0,
                email: f.email,
                expired: false,
                errors: vec![FieldError { field: "email".into(), message: m }],
            },
        ),
        Err(e) => error_page(e, None),
    }
}

#[derive(Template)]
#[template(path = "logout.html")]
struct LogoutPage {
    user_name: Option<String>,
    csrf: String,
}

/// Pages without a form token (error pages) link here; logging out itself stays a POST.
async fn confirm_logout(csrf: Csrf) -> Response {
    page(StatusCode::OK, &LogoutPage { user_name: None, csrf: csrf.0 })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LogoutForm {
    csrf: String,
}

async fn logout(State(state): State<AppState>, csrf: Csrf, jar: CookieJar, Form(f): Form<LogoutForm>) -> Response {
    if !csrf.matches(&f.csrf) {
        return csrf_failed();
    }
    if let Some(c) = jar.get(COOKIE)
        && let Err(e) = app::auth::logout(&state.app, c.value()).await
    {
        return error_page(e, None);
    }
    (jar.add(removal(state.config.https())), Redirect::to("/login")).into_response()
}

//! The CBP staff console: find accounts and users, a user's status and recent logins, unlock,
//! reactivate, and the audit trail of account changes.

use app::console::{self, AccountDetail, Found, UserDetail};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::field_errors::FieldError;
use serde::Deserialize;

use crate::AppState;
use crate::csrf::Csrf;
use crate::render::{Nav, csrf_failed, error_page, page};
use crate::session::CurrentUser;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console", get(search))
        .route("/console/accounts/{id}", get(account))
        .route("/console/users/{id}", get(user))
        .route("/console/users/{id}/unlock", post(unlock))
        .route("/console/users/{id}/reactivate", post(reactivate))
        .route("/console/bank-review", get(review))
        .route("/console/bank-review/{id}/clear", post(review_clear))
}

#[derive(Template)]
#[template(path = "console_search.html")]
struct SearchPage {
    nav: Option<Nav>,
    csrf: String,
    q: String,
    found: Option<Found>,
    errors: Vec<FieldError>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchQuery {
    q: String,
}

async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    Query(p): Query<SearchQuery>,
) -> Response {
    if user.actor.role != domain::Role::CbpStaff {
        return error_page(app::AppError::Forbidden("the console is for CBP staff".into()), Some(user.nav()));
    }
    let (found, errors) = if p.q.is_empty() {
        (None, vec![])
    } else {
        match console::find(&state.app, &user.actor, &p.q).await {
            Ok(f) => (Some(f), vec![]),
            Err(app::AppError::Invalid(fe)) => (None, fe.0),
            Err(e) => return error_page(e, Some(user.nav())),
        }
    };
    page(StatusCode::OK, &SearchPage { nav: Some(user.nav()), csrf: csrf.0, q: p.q, found, errors })
}

#[derive(Template)]
#[template(path = "console_account.html")]
struct AccountPage {
    nav: Option<Nav>,
    csrf: String,
    a: AccountDetail,
}

async fn account(State(state): State<AppState>, user: CurrentUser, csrf: Csrf, Path(id): Path<i64>) -> Response {
    match console::account(&state.app, &user.actor, id).await {
        Ok(a) => page(StatusCode::OK, &AccountPage { nav: Some(user.nav()), csrf: csrf.0, a }),
        Err(e) => error_page(e, Some(user.nav())),
    }
}

#[derive(Template)]
#[template(path = "console_user.html")]
struct UserPage {
    nav: Option<Nav>,
    csrf: String,
    d: UserDetail,
}

async fn user(State(state): State<AppState>, user: CurrentUser, csrf: Csrf, Path(id): Path<i64>) -> Response {
    match console::user(&state.app, &user.actor, id).await {
        Ok(d) => page(StatusCode::OK, &UserPage { nav: Some(user.nav()), csrf: csrf.0, d }),
        Err(e) => error_page(e, Some(user.nav())),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CsrfOnly {
    csrf: String,
}

async fn unlock(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if !csrf.matches(&f.csrf) {
        return csrf_failed();
    }
    match console::unlock(&state.app, &user.actor, id).await {
        Ok(()) => Redirect::to(&format!("/console/users/{id}")).into_response(),
        Err(e) => error_page(e, Some(user.nav())),
    }
}

async fn reactivate(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if !csrf.matches(&f.csrf) {
        return csrf_failed();
    }
    match console::reactivate(&state.app, &user.actor, id).await {
        Ok(()) => Redirect::to(&format!("/console/users/{id}")).into_response(),
        Err(e) => error_page(e, Some(user.nav())),
    }
}

#[derive(Template)]
#[template(path = "console_review.html")]
struct ReviewPage {
    nav: Option<Nav>,
    csrf: String,
    items: Vec<app::ach::review::Flagged>,
}

/// Bank details flagged when saved (the same account as an unrelated importer's).
async fn review(State(state): State<AppState>, user: CurrentUser, csrf: Csrf) -> Response {
    match app::ach::review::queue(&state.app, &user.actor).await {
        Ok(items) => page(StatusCode::OK, &ReviewPage { nav: Some(user.nav()), csrf: csrf.0, items }),
        Err(e) => error_page(e, Some(user.nav())),
    }
}

async fn review_clear(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if !csrf.matches(&f.csrf) {
        return csrf_failed();
    }
    match app::ach::review::clear(&state.app, &user.actor, id).await {
        Ok(()) => Redirect::to("/console/bank-review").into_response(),
        Err(e) => error_page(e, Some(user.nav())),
    }
}

//! The CBP staff console: find accounts and users, a user's status and recent logins, unlock,
//! reactivate, and the audit trail of account changes.

use app::portal::console::{self, AccountDetail, Found, UserDetail};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::field_errors::FieldError;
use serde::Deserialize;

use crate::AppState;
use crate::csrf::Csrf;
use crate::page_router::PageRouter;
use crate::render::{Nav, PageResult, page};
use crate::session::Staff;

pub fn routes() -> PageRouter {
    PageRouter::new()
        .get("/console", search)
        .get("/console/accounts/{id}", account)
        .get("/console/users/{id}", user)
        .post("/console/users/{id}/unlock", unlock)
        .post("/console/users/{id}/reactivate", reactivate)
        .get("/console/bank-review", review)
        .post("/console/bank-review/{id}/clear", review_clear)
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
    Staff(user): Staff,
    csrf: Csrf,
    Query(p): Query<SearchQuery>,
) -> PageResult {
    let (found, errors) = if p.q.is_empty() {
        (None, vec![])
    } else {
        match console::find(&state.app, &user.actor, &p.q).await {
            Ok(f) => (Some(f), vec![]),
            Err(app::AppError::Invalid(fe)) => (None, fe.0),
            Err(e) => return Err(e.into()),
        }
    };
    Ok(page(StatusCode::OK, &SearchPage { nav: Some(user.nav()), csrf: csrf.0, q: p.q, found, errors }))
}

#[derive(Template)]
#[template(path = "console_account.html")]
struct AccountPage {
    nav: Option<Nav>,
    csrf: String,
    a: AccountDetail,
}

async fn account(State(state): State<AppState>, Staff(user): Staff, csrf: Csrf, Path(id): Path<i64>) -> PageResult {
    let a = console::account(&state.app, &user.actor, id).await?;
    Ok(page(StatusCode::OK, &AccountPage { nav: Some(user.nav()), csrf: csrf.0, a }))
}

#[derive(Template)]
#[template(path = "console_user.html")]
struct UserPage {
    nav: Option<Nav>,
    csrf: String,
    d: UserDetail,
}

async fn user(State(state): State<AppState>, Staff(user): Staff, csrf: Csrf, Path(id): Path<i64>) -> PageResult {
    let d = console::user(&state.app, &user.actor, id).await?;
    Ok(page(StatusCode::OK, &UserPage { nav: Some(user.nav()), csrf: csrf.0, d }))
}

async fn unlock(State(state): State<AppState>, Staff(user): Staff, Path(id): Path<i64>) -> PageResult {
    console::unlock(&state.app, &user.actor, id).await?;
    Ok(Redirect::to(&format!("/console/users/{id}")).into_response())
}

async fn reactivate(State(state): State<AppState>, Staff(user): Staff, Path(id): Path<i64>) -> PageResult {
    console::reactivate(&state.app, &user.actor, id).await?;
    Ok(Redirect::to(&format!("/console/users/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "console_review.html")]
struct ReviewPage {
    nav: Option<Nav>,
    csrf: String,
    items: Vec<app::ach::review::Flagged>,
}

/// Bank details flagged when saved (the same account as an unrelated importer's).
async fn review(State(state): State<AppState>, Staff(user): Staff, csrf: Csrf) -> PageResult {
    let items = app::ach::review::queue(&state.app, &user.actor).await?;
    Ok(page(StatusCode::OK, &ReviewPage { nav: Some(user.nav()), csrf: csrf.0, items }))
}

async fn review_clear(State(state): State<AppState>, Staff(user): Staff, Path(id): Path<i64>) -> PageResult {
    app::ach::review::clear(&state.app, &user.actor, id).await?;
    Ok(Redirect::to("/console/bank-review").into_response())
}

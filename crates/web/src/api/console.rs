//! `/api/v1/console`: the CBP staff console over the API: find accounts and users, a user's
//! status, recent logins and audit trail, unlock, reactivate.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::IntoParams;

use super::ApiActor;
use crate::AppState;
use crate::problem::{ApiError, Problem};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/search", get(search))
        .route("/console/accounts/{id}", get(account))
        .route("/console/users/{id}", get(user))
        .route("/console/users/{id}/unlock", post(unlock))
        .route("/console/users/{id}/reactivate", post(reactivate))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchParams {
    /// Part of a company name, a person's name or an email (2 characters at least).
    pub q: String,
}

/// Accounts and users matching `q`.
#[utoipa::path(get, path = "/api/v1/console/search", tag = "console", params(SearchParams),
    responses((status = 200, body = Object, description = "{accounts: [...], users: [...]}"), (status = 403, body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(p): Query<SearchParams>,
) -> Result<Json<app::console::Found>, ApiError> {
    Ok(Json(app::console::find(&state.app, &actor, &p.q).await?))
}

/// One account: sub-accounts, users and the audit trail of account changes.
#[utoipa::path(get, path = "/api/v1/console/accounts/{id}", tag = "console",
    params(("id" = i64, Path, description = "account id")),
    responses((status = 200, body = Object), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn account(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<i64>,
) -> Result<Json<app::console::AccountDetail>, ApiError> {
    Ok(Json(app::console::account(&state.app, &actor, id).await?))
}

/// One user: status, recent logins, audit trail.
#[utoipa::path(get, path = "/api/v1/console/users/{id}", tag = "console",
    params(("id" = i64, Path, description = "user id")),
    responses((status = 200, body = Object), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<i64>,
) -> Result<Json<app::console::UserDetail>, ApiError> {
    Ok(Json(app::console::user(&state.app, &actor, id).await?))
}

/// Lifts a login lockout.
#[utoipa::path(post, path = "/api/v1/console/users/{id}/unlock", tag = "console",
    params(("id" = i64, Path, description = "user id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn unlock(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    app::console::unlock(&state.app, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reactivates a deactivated user.
#[utoipa::path(post, path = "/api/v1/console/users/{id}/reactivate", tag = "console",
    params(("id" = i64, Path, description = "user id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn reactivate(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    app::console::reactivate(&state.app, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

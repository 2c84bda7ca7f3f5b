//! `/api/v1/console`: the CBP staff console over the API: find accounts and users, a user's
//! status, recent logins and audit trail, unlock, reactivate.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

use super::ApiActor;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiPath, ApiQuery};
use crate::AppState;
use crate::problem::{ApiError, Problem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(account))
        .routes(routes!(user))
        .routes(routes!(unlock))
        .routes(routes!(reactivate))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchParams {
    /// Part of a company name, a person's name or an email (2 characters at least).
    pub q: String,
}

/// Accounts and users matching `q`.
#[utoipa::path(get, path = "/console/search", tag = "console", params(SearchParams),
    responses((status = 200, body = Object, description = "{accounts: [...], users: [...]}"), (status = 403, body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Json<app::portal::console::Found>, ApiError> {
    Ok(Json(app::portal::console::find(&state.app, &actor, &p.q).await?))
}

/// One account: sub-accounts, users and the audit trail of account changes.
#[utoipa::path(get, path = "/console/accounts/{id}", tag = "console",
    params(("id" = i64, Path, description = "account id")),
    responses((status = 200, body = Object), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn account(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<app::portal::console::AccountDetail>, ApiError> {
    Ok(Json(app::portal::console::account(&state.app, &actor, id).await?))
}

/// One user: status, recent logins, audit trail.
#[utoipa::path(get, path = "/console/users/{id}", tag = "console",
    params(("id" = i64, Path, description = "user id")),
    responses((status = 200, body = Object), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<app::portal::console::UserDetail>, ApiError> {
    Ok(Json(app::portal::console::user(&state.app, &actor, id).await?))
}

/// Lifts a login lockout.
#[utoipa::path(post, path = "/console/users/{id}/unlock", tag = "console",
    params(("id" = i64, Path, description = "user id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn unlock(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    app::portal::console::unlock(&state.app, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reactivates a deactivated user.
#[utoipa::path(post, path = "/console/users/{id}/reactivate", tag = "console",
    params(("id" = i64, Path, description = "user id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn reactivate(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    app::portal::console::reactivate(&state.app, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

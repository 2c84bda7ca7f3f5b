//! `/api/v1/importers`: create, read, update, search, (de)activate, history.

use app::AppError;
use app::registry::importers::{self, SearchQuery};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::{ImporterNumber, ImporterStatus};

use super::RegistryActor;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::types::{HistoryOut, ImporterInput, ImporterOut, SearchOut, SearchParams, StatusInput};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::problem::{ApiError, Problem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search, create))
        .routes(routes!(search_post))
        .routes(routes!(get_one, update))
        .routes(routes!(set_status))
        .routes(routes!(history))
}

/// A record key in a path: the numeric id, or an EIN/CBP-assigned importer number. SSN-based
/// numbers are refused in paths so they never land in URLs and access logs.
async fn resolve(state: &AppState, key: &str) -> Result<i64, ApiError> {
    Ok(match parse_key(key)? {
        Key::Id(id) => id,
        Key::Number(number) => importers::get_by_number(&state.app, &number).await?.id,
    })
}

enum Key {
    Id(i64),
    Number(ImporterNumber),
}

/// Ids have at most 8 digits and no leading zero; anything else is read as an importer number.
fn parse_key(key: &str) -> Result<Key, ApiError> {
    if let Ok(id) = key.parse::<i64>()
        && !key.starts_with('0')
        && key.len() < 9
    {
        return Ok(Key::Id(id));
    }
    let number = ImporterNumber::parse(key).map_err(|e| AppError::field("key", e.message()))?;
    if number.is_personal() {
        return Err(ApiError(Problem::new(
            StatusCode::BAD_REQUEST,
            "SSN-based importer numbers may not appear in URLs; find the record with POST /api/v1/importers/search and use its id",
        )));
    }
    Ok(Key::Number(number))
}

fn query_of(p: SearchParams) -> SearchQuery {
    SearchQuery {
        q: p.q,
        number: p.number,
        name: p.name,
        email: p.email,
        status: p.status,
        page: p.page.unwrap_or(1),
        per_page: p.per_page.unwrap_or(25),
    }
}

/// Search importer records.
#[utoipa::path(get, path = "/importers", tag = "importers", params(SearchParams),
    responses((status = 200, body = SearchOut), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    RegistryActor(_actor): RegistryActor,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Json<SearchOut>, ApiError> {
    if ImporterNumber::parse(&p.number).is_ok_and(|n| n.is_personal())
        || ImporterNumber::parse(&p.q).is_ok_and(|n| n.is_personal())
    {
        return Err(ApiError(Problem::new(
            StatusCode::BAD_REQUEST,
            "SSN-based importer numbers may not appear in URLs; use POST /api/v1/importers/search",
        )));
    }
    Ok(Json(importers::search(&state.app, &query_of(p)).await?.into()))
}

/// Search importer records with the criteria in the body (for SSN-based numbers).
#[utoipa::path(post, path = "/importers/search", tag = "importers", request_body = SearchParams,
    responses((status = 200, body = SearchOut), (status = 422, body = Problem), (status = 401, body = Problem)))]
pub async fn search_post(
    State(state): State<AppState>,
    RegistryActor(_actor): RegistryActor,
    ApiJson(input): ApiJson<SearchParams>,
) -> Result<Json<SearchOut>, ApiError> {
    let p = input;
    Ok(Json(importers::search(&state.app, &query_of(p)).await?.into()))
}

/// Create an importer record.
#[utoipa::path(post, path = "/importers", tag = "importers", request_body = ImporterInput,
    responses((status = 201, body = ImporterOut), (status = 422, body = Problem), (status = 403, body = Problem),
        (status = 401, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    RegistryActor(actor): RegistryActor,
    ApiJson(input): ApiJson<ImporterInput>,
) -> Result<Response, ApiError> {
    let rec = importers::create(&state.app, &actor, &input.draft()).await?;
    let location = format!("/api/v1/importers/{}", rec.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(ImporterOut::from(rec))).into_response())
}

/// Get one importer record by id or (non-SSN) importer number.
#[utoipa::path(get, path = "/importers/{key}", tag = "importers",
    params(("key" = String, Path, description = "record id, or an EIN/CBP-assigned importer number")),
    responses((status = 200, body = ImporterOut), (status = 404, body = Problem), (status = 401, body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    RegistryActor(_actor): RegistryActor,
    ApiPath(key): ApiPath<String>,
) -> Result<Json<ImporterOut>, ApiError> {
    // One query either way: by id, or by number.
    let rec = match parse_key(&key)? {
        Key::Id(id) => importers::get(&state.app, id).await?,
        Key::Number(number) => importers::get_by_number(&state.app, &number).await?,
    };
    Ok(Json(rec.into()))
}

/// Update an importer record (the whole record; send `version` to guard against lost updates).
#[utoipa::path(put, path = "/importers/{key}", tag = "importers", request_body = ImporterInput,
    params(("key" = String, Path, description = "record id, or an EIN/CBP-assigned importer number")),
    responses((status = 200, body = ImporterOut), (status = 422, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 404, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    RegistryActor(actor): RegistryActor,
    ApiPath(key): ApiPath<String>,
    ApiJson(input): ApiJson<ImporterInput>,
) -> Result<Json<ImporterOut>, ApiError> {
    let id = resolve(&state, &key).await?;
    Ok(Json(importers::update(&state.app, &actor, id, &input.draft(), input.version).await?.into()))
}

/// Deactivate or reactivate a record (CBP staff only).
#[utoipa::path(post, path = "/importers/{key}/status", tag = "importers", request_body = StatusInput,
    params(("key" = String, Path, description = "record id, or an EIN/CBP-assigned importer number")),
    responses((status = 200, body = ImporterOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_status(
    State(state): State<AppState>,
    RegistryActor(actor): RegistryActor,
    ApiPath(key): ApiPath<String>,
    ApiJson(input): ApiJson<StatusInput>,
) -> Result<Json<ImporterOut>, ApiError> {
    let status = ImporterStatus::from_code(&input.status)
        .ok_or_else(|| AppError::field("status", "status is active or inactive"))?;
    let id = resolve(&state, &key).await?;
    Ok(Json(importers::set_status(&state.app, &actor, id, status).await?.into()))
}

/// The record's history, newest first (personal values masked).
#[utoipa::path(get, path = "/importers/{key}/history", tag = "importers",
    params(("key" = String, Path, description = "record id, or an EIN/CBP-assigned importer number")),
    responses((status = 200, body = Vec<HistoryOut>), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    RegistryActor(_actor): RegistryActor,
    ApiPath(key): ApiPath<String>,
) -> Result<Json<Vec<HistoryOut>>, ApiError> {
    let id = resolve(&state, &key).await?;
    Ok(Json(importers::history(&state.app, id).await?.into_iter().map(Into::into).collect()))
}

//! The JSON API under `/api/v1`: bearer tokens, RFC 9457 problems, an OpenAPI document.

mod accounts;
mod ach;
mod bills;
mod console;
pub mod extract;
mod importers;
mod refunds;
mod types;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use domain::Actor;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use crate::problem::{ApiError, Problem};

/// The API's routes and its OpenAPI document, from one list: each handler is registered with
/// `routes!`, which reads the method and path from its `#[utoipa::path]`, so a route cannot exist
/// without its documentation nor the reverse. Mounted at `/api/v1`, with the document at
/// `/api/v1/openapi.json`.
pub fn router() -> Router<AppState> {
    let (router, doc) = routes().split_for_parts();
    // Serialized once: the document does not change while the server runs.
    let json = bytes::Bytes::from(serde_json::to_vec(&doc).unwrap_or_default());
    router.route(
        "/api/v1/openapi.json",
        get(move || async move {
            ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], json).into_response()
        }),
    )
}

/// The OpenAPI document as the server serves it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().split_for_parts().1
}

fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest(
        "/api/v1",
        OpenApiRouter::new()
            .merge(importers::routes())
            .merge(accounts::routes())
            .merge(ach::routes())
            .merge(console::routes())
            .merge(refunds::routes())
            .merge(bills::routes()),
    )
}

/// The authenticated API caller.
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
        let Some(token) = header.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty()) else {
            return Err(ApiError(Problem::new(
                StatusCode::UNAUTHORIZED,
                "send an API token as `Authorization: Bearer <token>` (create one with `ace-refunds token create`)",
            )));
        };
        Ok(ApiActor(app::portal::users::actor_for_token(&state.app, token).await?))
    }
}

/// An API caller who may use the 5106 registry (CBP staff and brokers).
pub struct RegistryActor(pub Actor);

impl FromRequestParts<AppState> for RegistryActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ApiActor(actor) = ApiActor::from_request_parts(parts, state).await?;
        domain::actor::may_read_registry(&actor)
            .map_err(|why| ApiError(Problem::new(StatusCode::FORBIDDEN, why.to_string())))?;
        Ok(RegistryActor(actor))
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "ace-refunds API",
        version = "1",
        description = "Importer records (CBP Form 5106) and their history, trade-portal accounts and their \
                       users, ACH refund bank details and Form 4811 notify parties of Importer sub-accounts, \
                       and the CBP staff console. Authenticate with a bearer token from \
                       `ace-refunds token create`. Errors are RFC 9457 problem documents."
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "importers", description = "Form 5106 importer records"),
        (name = "account", description = "The caller's trade-portal account and its users"),
        (name = "ach", description = "ACH Refund Authorization: bank details per importer number of an Importer \
                                      sub-account (account numbers only ever masked in answers), and Form 4811 \
                                      notify parties"),
        (name = "console", description = "CBP staff: portal accounts and users"),
        (name = "refunds", description = "The refund ledger: record refunds, follow each one (status, why it waits, \
                                          what to do, its timeline)"),
        (name = "bills", description = "CBP bills: debts of an importer that its refunds pay first, oldest bill \
                                        first, at certification (CBP staff)")
    )
)]
pub struct ApiDoc;

//! `/api/v1/account`: the caller's own portal account and, for its TAO and Proxy TAOs, its users
//! (invite, change role and permissions, deactivate, reactivate). The same rules as the pages:
//! everything is checked in `app`, and nothing of another account is ever returned.

use app::portal::auth::SessionUser;
use app::portal::members::Invite;
use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use domain::portal::{AccountRole, AchAccess, Grants};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath};
use crate::AppState;
use crate::problem::{ApiError, Problem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(account))
        .routes(routes!(users, invite))
        .routes(routes!(update))
        .routes(routes!(set_status))
}

/// The authenticated caller as a portal user.
pub struct ApiUser(pub SessionUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
        let Some(token) = header.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty()) else {
            return Err(ApiError(Problem::new(
                StatusCode::UNAUTHORIZED,
                "send an API token as `Authorization: Bearer <token>`",
            )));
        };
        Ok(ApiUser(app::portal::users::session_user_for_token(&state.app, token).await?))
    }
}

/// Permissions on one sub-account.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GrantsIo {
    pub sub_account_id: i64,
    /// `full`, `read-only` or `none`.
    pub ach: String,
    pub reports: bool,
    pub notify_parties: bool,
}

impl GrantsIo {
    fn of(sub: i64, g: Grants) -> GrantsIo {
        GrantsIo { sub_account_id: sub, ach: g.ach.code().into(), reports: g.reports, notify_parties: g.notify_parties }
    }
    fn parse(&self) -> Result<(i64, Grants), ApiError> {
        let ach = AchAccess::from_code(&self.ach)
            .ok_or_else(|| app::AppError::field("grants.ach", format!("ach is one of {}", AchAccess::codes())))?;
        Ok((self.sub_account_id, Grants { ach, reports: self.reports, notify_parties: self.notify_parties }))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubAccountOut {
    pub id: i64,
    /// importer, broker, carrier, ...
    pub kind: String,
    /// Importer numbers held (SSN-based numbers masked).
    pub importer_numbers: Vec<String>,
    /// What the caller may do here.
    pub my_grants: GrantsIo,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountOut {
    pub id: i64,
    pub name: String,
    /// tao, proxy-tao or user.
    pub my_role: String,
    pub sub_accounts: Vec<SubAccountOut>,
}

/// The caller's portal account.
#[utoipa::path(get, path = "/account", tag = "account",
    responses((status = 200, body = AccountOut), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn account(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<AccountOut>, ApiError> {
    let o = app::portal::accounts::overview(&state.app, &user).await?;
    Ok(Json(AccountOut {
        id: o.account_id,
        name: o.name,
        my_role: o.my_role.code().into(),
        sub_accounts: o
            .sub_accounts
            .into_iter()
            .map(|s| SubAccountOut {
                id: s.id,
                kind: s.kind.code().into(),
                importer_numbers: s.numbers.into_iter().map(|n| n.number).collect(),
                my_grants: GrantsIo::of(s.id, s.grants),
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberOut {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub active: bool,
    /// Invited and not yet set up.
    pub invited: bool,
    pub grants: Vec<GrantsIo>,
}

/// Users of the caller's account (TAO and Proxy TAOs).
#[utoipa::path(get, path = "/account/users", tag = "account",
    responses((status = 200, body = Vec<MemberOut>), (status = 403, body = Problem)))]
pub async fn users(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<Vec<MemberOut>>, ApiError> {
    let list = app::portal::members::list(&state.app, &user).await?;
    Ok(Json(
        list.into_iter()
            .map(|m| MemberOut {
                id: m.id,
                name: m.name,
                email: m.email,
                role: m.role.code().into(),
                active: m.active,
                invited: m.invited_pending,
                grants: m.grants.into_iter().map(|(s, g)| GrantsIo::of(s, g)).collect(),
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct InviteInput {
    pub email: String,
    pub name: String,
    /// `user` or `proxy-tao` (only the TAO creates Proxy TAOs).
    pub role: String,
    #[serde(default)]
    pub grants: Vec<GrantsIo>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

fn role_of(s: &str) -> Result<AccountRole, ApiError> {
    AccountRole::from_code(s).ok_or_else(|| ApiError::from(app::AppError::field("role", "role is user or proxy-tao")))
}

/// Invites a user: the person gets an email with a one-time link.
#[utoipa::path(post, path = "/account/users", tag = "account", request_body = InviteInput,
    responses((status = 201, body = Created), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn invite(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(input): ApiJson<InviteInput>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let grants = input.grants.iter().map(GrantsIo::parse).collect::<Result<Vec<_>, _>>()?;
    let inv = Invite { email: input.email, name: input.name, role: role_of(&input.role)?, grants };
    let id = app::portal::members::invite(&state.app, &user, &inv).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateInput {
    /// `user` or `proxy-tao`.
    pub role: String,
    #[serde(default)]
    pub grants: Vec<GrantsIo>,
}

/// Changes a user's role and permissions.
#[utoipa::path(put, path = "/account/users/{id}", tag = "account", request_body = UpdateInput,
    params(("id" = i64, Path, description = "user id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<UpdateInput>,
) -> Result<StatusCode, ApiError> {
    let grants = input.grants.iter().map(GrantsIo::parse).collect::<Result<Vec<_>, _>>()?;
    app::portal::members::update(&state.app, &user, id, role_of(&input.role)?, &grants).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ActiveInput {
    pub active: bool,
}

/// Deactivates or reactivates a user.
#[utoipa::path(post, path = "/account/users/{id}/status", tag = "account", request_body = ActiveInput,
    params(("id" = i64, Path, description = "user id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn set_status(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ActiveInput>,
) -> Result<StatusCode, ApiError> {
    app::portal::members::set_active(&state.app, &user, id, input.active).await?;
    Ok(StatusCode::NO_CONTENT)
}

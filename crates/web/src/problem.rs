//! RFC 9457 problem details for the JSON API.

use app::AppError;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The request field to fix (e.g. `email`, `physical_address.postal_code`).
    pub field: String,
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, Json(self)).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

/// API field names use nested addresses (`physical_address.line1`); the domain uses flat ones.
fn api_field(f: &str) -> String {
    for p in ["physical", "mailing"] {
        if let Some(rest) = f.strip_prefix(&format!("{p}_")) {
            return format!("{p}_address.{rest}");
        }
    }
    f.to_string()
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Problem {
        match e {
            AppError::Invalid(fe) => Problem {
                kind: "https://ace-refunds.example/problems/validation".into(),
                errors: fe
                    .0
                    .into_iter()
                    .map(|f| FieldProblem { field: api_field(&f.field), message: f.message })
                    .collect(),
                ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "some fields need fixing; see errors")
            },
            AppError::NotFound(m) => Problem::new(StatusCode::NOT_FOUND, m),
            AppError::Forbidden(m) => Problem::new(StatusCode::FORBIDDEN, m),
            AppError::Conflict(m) => Problem::new(StatusCode::CONFLICT, m),
            AppError::Unauthorized(m) => Problem::new(StatusCode::UNAUTHORIZED, m),
            AppError::TooMany { message, .. } => Problem::new(StatusCode::TOO_MANY_REQUESTS, message),
            AppError::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
                Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "something went wrong on our side; try again later")
            }
        }
    }
}

pub struct ApiError(pub Problem);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

//! Turning templates and errors into HTML responses.

use app::AppError;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

pub fn page(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "page could not be shown").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub user_name: Option<String>,
    pub title: String,
    pub message: String,
    pub csrf: String,
}

/// Errors that are not about a form field (those re-render the form instead).
pub fn error_page(e: AppError, user_name: Option<String>) -> Response {
    let (status, title, message) = match e {
        AppError::NotFound(m) => (StatusCode::NOT_FOUND, "Not found", m),
        AppError::Forbidden(m) => (StatusCode::FORBIDDEN, "You may not do this", m),
        AppError::Conflict(m) => (StatusCode::CONFLICT, "Changed by someone else", m),
        AppError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, "Please log in", m),
        AppError::Invalid(fe) => (StatusCode::UNPROCESSABLE_ENTITY, "Please correct the request", fe.summary()),
        AppError::Internal(cause) => {
            tracing::error!(error = %cause, "internal error");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Something went wrong on our side. Try again later.".into(),
            )
        }
    };
    page(status, &ErrorPage { user_name, title: title.into(), message, csrf: String::new() })
}

pub fn csrf_failed() -> Response {
    page(
        StatusCode::FORBIDDEN,
        &ErrorPage {
            user_name: None,
            title: "Form expired".into(),
            message: "This form could not be verified (it may have been open too long, or cookies are blocked). Go back, reload the page and submit it again.".into(),
            csrf: String::new(),
        },
    )
}

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

/// What the header shows for a signed-in user.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    pub name: String,
    /// CBP staff and brokers keep 5106 records.
    pub registry: bool,
    /// Trade-portal users (brokers and importers) have an account.
    pub account: bool,
    /// TAO and Proxy TAOs manage users.
    pub manage_users: bool,
    /// CBP staff see the console.
    pub console: bool,
}

/// Values and field errors of a simple form, for the `m::input` macro.
#[derive(Debug, Clone, Default)]
pub struct SimpleForm {
    pub values: Vec<(String, String)>,
    pub errors: Vec<domain::field_errors::FieldError>,
}

impl SimpleForm {
    pub fn new(values: &[(&str, &str)]) -> Self {
        SimpleForm { values: values.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), errors: vec![] }
    }
    pub fn with_errors(mut self, e: &domain::FieldErrors) -> Self {
        self.errors = e.0.clone();
        self
    }
    pub fn v(&self, name: &str) -> &str {
        self.values.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }
    pub fn err(&self, name: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == name).map(|e| e.message.as_str())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub nav: Option<Nav>,
    pub title: String,
    pub message: String,
    pub csrf: String,
}

/// Errors that are not about a form field (those re-render the form instead).
pub fn error_page(e: AppError, nav: Option<Nav>) -> Response {
    let (status, title, message) = match e {
        AppError::NotFound(m) => (StatusCode::NOT_FOUND, "Not found", m),
        AppError::Forbidden(m) => (StatusCode::FORBIDDEN, "You may not do this", m),
        AppError::Conflict(m) => (StatusCode::CONFLICT, "Changed by someone else", m),
        AppError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, "Please log in", m),
        e @ AppError::TooMany { .. } => return too_many(e),
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
    page(status, &ErrorPage { nav, title: title.into(), message, csrf: String::new() })
}

pub fn csrf_failed() -> Response {
    page(
        StatusCode::FORBIDDEN,
        &ErrorPage {
            nav: None,
            title: "Form expired".into(),
            message: "This form could not be verified (it may have been open too long, or cookies are blocked). Go back, reload the page and submit it again.".into(),
            csrf: String::new(),
        },
    )
}

/// 429 with Retry-After, for rate-limited steps.
pub fn too_many(e: AppError) -> Response {
    let (message, secs) = match e {
        AppError::TooMany { message, retry_after_secs } => (message, retry_after_secs),
        other => return error_page(other, None),
    };
    let mut res = page(
        StatusCode::TOO_MANY_REQUESTS,
        &ErrorPage { nav: None, title: "Please wait".into(), message, csrf: String::new() },
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
        res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
    }
    res
}

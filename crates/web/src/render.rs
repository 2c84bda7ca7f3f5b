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

/// The error a page handler returns with `?`: `Result<Response, PageError>` ([`PageResult`]).
///
/// It renders itself in two steps. `into_response` (inside the handler's future) keeps the
/// status, the title and the message, logs the cause of an internal error once, and leaves the
/// body empty; [`show_errors`], the layer around every page, then renders the error page with
/// the navigation of whoever is signed in on that request. So a handler never has to pass its
/// user along with an error, and an extractor's rejection gets the same page.
#[derive(Debug)]
pub struct PageError(pub AppError);

pub type PageResult<T = Response> = Result<T, PageError>;

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

impl PageError {
    pub fn forbidden(message: impl Into<String>) -> PageError {
        PageError(AppError::Forbidden(message.into()))
    }
    pub fn not_found(message: impl Into<String>) -> PageError {
        PageError(AppError::NotFound(message.into()))
    }
}

/// What the error page shows, carried in the response's extensions to [`show_errors`].
#[derive(Debug, Clone)]
struct ErrorToShow {
    title: &'static str,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut retry_after = None;
        let (status, title, message) = match self.0 {
            AppError::NotFound(m) => (StatusCode::NOT_FOUND, "Not found", m),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, "You may not do this", m),
            AppError::Conflict(m) => (StatusCode::CONFLICT, "Changed by someone else", m),
            AppError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, "Please log in", m),
            AppError::TooMany { message, retry_after_secs } => {
                retry_after = Some(retry_after_secs);
                (StatusCode::TOO_MANY_REQUESTS, "Please wait", message)
            }
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
        let mut res = status.into_response();
        if let Some(v) = retry_after.and_then(|s| axum::http::HeaderValue::from_str(&s.to_string()).ok()) {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        res.extensions_mut().insert(ErrorToShow { title, message });
        res
    }
}

/// The layer around the pages that turns a [`PageError`] into the error page. The signed-in
/// user's navigation costs a session look-up, paid only when an error is shown.
pub async fn show_errors(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let jar = axum_extra::extract::CookieJar::from_headers(req.headers());
    let token = jar.get(crate::session::COOKIE).map(|c| c.value().to_string()).filter(|t| !t.is_empty());
    let mut res = next.run(req).await;
    let Some(ErrorToShow { title, message }) = res.extensions_mut().remove::<ErrorToShow>() else {
        return res;
    };
    let nav = match token {
        Some(t) => match app::portal::auth::session_user(&state.app, &t).await {
            Ok(Some(user)) => Some(crate::session::CurrentUser::new(user, t).nav()),
            _ => None,
        },
        None => None,
    };
    let mut shown = page(res.status(), &ErrorPage { nav, title: title.into(), message, csrf: String::new() });
    if let Some(v) = res.headers().get(axum::http::header::RETRY_AFTER) {
        shown.headers_mut().insert(axum::http::header::RETRY_AFTER, v.clone());
    }
    shown
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

//! One-time links from mail (password reset, invitation) and the reset request form. A link is
//! exchanged at once for a `password` session and the browser is sent on to a clean URL, so the
//! secret does not linger in the address bar or in history.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use domain::field_errors::FieldError;
use serde::Deserialize;

use crate::AppState;
use crate::csrf::Csrf;
use crate::render::{Nav, SimpleForm, csrf_failed, error_page, page};
use crate::session::{ClientInfo, session_cookie};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reset", get(reset_form).post(reset_submit))
        .route("/reset/{token}", get(reset_link))
        .route("/invitation/{token}", get(invitation_link))
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    nav: Option<Nav>,
    csrf: String,
    form: SimpleForm,
    sent: bool,
    errors: Vec<FieldError>,
}

async fn reset_form(csrf: Csrf) -> Response {
    page(
        StatusCode::OK,
        &ResetPage { nav: None, csrf: csrf.0, form: SimpleForm::default(), sent: false, errors: vec![] },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResetInput {
    csrf: String,
    email: String,
}

async fn reset_submit(
    State(state): State<AppState>,
    csrf: Csrf,
    ClientInfo(client): ClientInfo,
    Form(f): Form<ResetInput>,
) -> Response {
    if !csrf.matches(&f.csrf) {
        return csrf_failed();
    }
    match app::login::request_reset(&state.app, &f.email, &client).await {
        Ok(()) => page(
            StatusCode::OK,
            &ResetPage { nav: None, csrf: csrf.0, form: SimpleForm::default(), sent: true, errors: vec![] },
        ),
        Err(app::AppError::Invalid(fe)) => {
            let form = SimpleForm::new(&[("email", &f.email)]).with_errors(&fe);
            page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ResetPage { nav: None, csrf: csrf.0, form, sent: false, errors: fe.0 },
            )
        }
        Err(e) => error_page(e, None),
    }
}

async fn redeem(state: AppState, jar: CookieJar, client: app::auth::Client, purpose: &str, token: &str) -> Response {
    match app::login::redeem_link(&state.app, purpose, token, &client).await {
        Ok(session) => {
            (jar.add(session_cookie(session, state.config.https())), Redirect::to("/set-password")).into_response()
        }
        Err(e) => error_page(e, None),
    }
}

async fn reset_link(
    State(state): State<AppState>,
    jar: CookieJar,
    ClientInfo(client): ClientInfo,
    Path(token): Path<String>,
) -> Response {
    redeem(state, jar, client, "reset", &token).await
}

async fn invitation_link(
    State(state): State<AppState>,
    jar: CookieJar,
    ClientInfo(client): ClientInfo,
    Path(token): Path<String>,
) -> Response {
    redeem(state, jar, client, "invitation", &token).await
}

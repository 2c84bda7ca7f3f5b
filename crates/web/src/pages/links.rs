//! One-time links from mail (password reset, invitation) and the reset request form. A link is
//! exchanged at once for a `password` session and the browser is sent on to a clean URL, so the
//! secret does not linger in the address bar or in history.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use domain::field_errors::FieldError;
use serde::Deserialize;

use crate::AppState;
use crate::csrf::Csrf;
use crate::page_router::PageRouter;
use crate::render::{Nav, PageResult, SimpleForm, page};
use crate::session::{ClientInfo, session_cookie};

pub fn routes() -> PageRouter {
    PageRouter::new()
        .get("/reset", reset_form)
        .post("/reset", reset_submit)
        .get("/reset/{token}", reset_link)
        .get("/invitation/{token}", invitation_link)
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
    email: String,
}

async fn reset_submit(
    State(state): State<AppState>,
    csrf: Csrf,
    ClientInfo(client): ClientInfo,
    Form(f): Form<ResetInput>,
) -> PageResult {
    match app::portal::login::request_reset(&state.app, &f.email, &client).await {
        Ok(()) => Ok(page(
            StatusCode::OK,
            &ResetPage { nav: None, csrf: csrf.0, form: SimpleForm::default(), sent: true, errors: vec![] },
        )),
        Err(app::AppError::Invalid(fe)) => {
            let form = SimpleForm::new(&[("email", &f.email)]).with_errors(&fe);
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ResetPage { nav: None, csrf: csrf.0, form, sent: false, errors: fe.0 },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

async fn redeem(
    state: AppState,
    jar: CookieJar,
    client: app::portal::auth::Client,
    purpose: &str,
    token: &str,
) -> PageResult {
    let session = app::portal::login::redeem_link(&state.app, purpose, token, &client).await?;
    Ok((jar.add(session_cookie(session, state.config.https())), Redirect::to("/set-password")).into_response())
}

async fn reset_link(
    State(state): State<AppState>,
    jar: CookieJar,
    ClientInfo(client): ClientInfo,
    Path(token): Path<String>,
) -> PageResult {
    redeem(state, jar, client, "reset", &token).await
}

async fn invitation_link(
    State(state): State<AppState>,
    jar: CookieJar,
    ClientInfo(client): ClientInfo,
    Path(token): Path<String>,
) -> PageResult {
    redeem(state, jar, client, "invitation", &token).await
}

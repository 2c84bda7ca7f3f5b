//! The automated account application (`/apply`, no login) and code verification, shared with
//! the account variants (an Importer sub-account, another importer number) started from
//! `/account/add-importer`.

use app::apply::{self, ApplyForm, Verified};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use domain::field_errors::FieldError;
use serde::Deserialize;

use crate::AppState;
use crate::csrf::Csrf;
use crate::render::{Nav, SimpleForm, csrf_failed, error_page, page};
use crate::session::{COOKIE, ClientInfo, session_cookie};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/apply", get(form).post(submit))
        .route("/apply/{id}/verify", get(verify_form).post(verify_submit))
        .route("/apply/{id}/resend", post(resend))
}

#[derive(Template)]
#[template(path = "apply.html")]
struct ApplyPage {
    nav: Option<Nav>,
    csrf: String,
    form: SimpleForm,
    errors: Vec<FieldError>,
}

async fn form(csrf: Csrf) -> Response {
    page(StatusCode::OK, &ApplyPage { nav: None, csrf: csrf.0, form: SimpleForm::default(), errors: vec![] })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ApplyInput {
    csrf: String,
    company_name: String,
    importer_number: String,
    requester_name: String,
    requester_email: String,
    website: String,
}

async fn submit(
    State(state): State<AppState>,
    csrf: Csrf,
    ClientInfo(client): ClientInfo,
    Form(f): Form<ApplyInput>,
) -> Response {
    if !csrf.matches(&f.csrf) {
        return csrf_failed();
    }
    let input = ApplyForm {
        company_name: f.company_name.clone(),
        importer_number: f.importer_number.clone(),
        requester_name: f.requester_name.clone(),
        requester_email: f.requester_email.clone(),
        honeypot: f.website.clone(),
    };
    match apply::start(&state.app, &input, &client).await {
        Ok(sent) => Redirect::to(&format!("/apply/{}/verify", sent.application_id)).into_response(),
        Err(app::AppError::Invalid(fe)) => {
            let form = SimpleForm::new(&[
                ("company_name", &f.company_name),
                ("importer_number", &f.importer_number),
                ("requester_name", &f.requester_name),
                ("requester_email", &f.requester_email),
            ])
            .with_errors(&fe);
            page(StatusCode::UNPROCESSABLE_ENTITY, &ApplyPage { nav: None, csrf: csrf.0, form, errors: fe.0 })
        }
        Err(e) => error_page(e, None),
    }
}

#[derive(Template)]
#[template(path = "apply_verify.html")]
struct VerifyPage {
    nav: Option<Nav>,
    csrf: String,
    id: i64,
    sent_to: String,
    notice: Option<String>,
    errors: Vec<FieldError>,
}

/// The signed-in user, when there is one (account variants need it; new applicants have none).
async fn maybe_user(state: &AppState, jar: &CookieJar) -> Option<app::auth::SessionUser> {
    let token = jar.get(COOKIE)?.value().to_string();
    app::auth::session_user(&state.app, &token).await.ok().flatten()
}

async fn verify_form(State(state): State<AppState>, csrf: Csrf, jar: CookieJar, Path(id): Path<i64>) -> Response {
    let user = maybe_user(&state, &jar).await;
    if let Err(e) = apply::belongs_to(&state.app, id, user.as_ref()).await {
        return error_page(e, None);
    }
    match apply::sent_to(&state.app, id).await {
        Ok(sent_to) => {
            page(StatusCode::OK, &VerifyPage { nav: None, csrf: csrf.0, id, sent_to, notice: None, errors: vec![] })
        }
        Err(e) => error_page(e, None),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CodeInput {
    csrf: String,
    code: String,
}

async fn verify_submit(
    State(state): State<AppState>,
    csrf: Csrf,
    jar: CookieJar,
    ClientInfo(client): ClientInfo,
    Path(id): Path<i64>,
    Form(f): Form<CodeInput>,
) -> Response {
    if !csrf.matches(&f.csrf) {
        return csrf_failed();
    }
    let user = maybe_user(&state, &jar).await;
    if let Err(e) = apply::belongs_to(&state.app, id, user.as_ref()).await {
        return error_page(e, None);
    }
    match apply::verify(&state.app, id, &f.code, &client).await {
        Ok(Verified::NewAccount { token, .. }) => {
            (jar.add(session_cookie(token, state.config.https())), Redirect::to("/set-password")).into_response()
        }
        Ok(Verified::Added { sub_account_id, .. }) => {
            Redirect::to(&format!("/account/sub/{sub_account_id}?added=1")).into_response()
        }
        Err(app::AppError::Invalid(fe)) => {
            let sent_to = apply::sent_to(&state.app, id).await.unwrap_or_default();
            page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &VerifyPage { nav: None, csrf: csrf.0, id, sent_to, notice: None, errors: fe.0 },
            )
        }
        Err(e) => error_page(e, None),
    }
}

async fn resend(
    State(state): State<AppState>,
    csrf: Csrf,
    jar: CookieJar,
    ClientInfo(client): ClientInfo,
    Path(id): Path<i64>,
    Form(f): Form<CodeInput>,
) -> Response {
    if !csrf.matches(&f.csrf) {
        return csrf_failed();
    }
    let user = maybe_user(&state, &jar).await;
    if let Err(e) = apply::belongs_to(&state.app, id, user.as_ref()).await {
        return error_page(e, None);
    }
    match apply::resend(&state.app, id, &client).await {
        Ok(sent) => page(
            StatusCode::OK,
            &VerifyPage {
                nav: None,
                csrf: csrf.0,
                id,
                notice: Some(format!("We sent a new code to {}. The earlier code no longer works.", sent.sent_to)),
                sent_to: sent.sent_to,
                errors: vec![],
            },
        ),
        Err(e) => error_page(e, None),
    }
}

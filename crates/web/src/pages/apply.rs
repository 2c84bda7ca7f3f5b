//! The automated account application (`/apply`, no login) and code verification, shared with
//! the account variants (an Importer sub-account, another importer number) started from
//! `/account/add-importer`.

use app::portal::apply::{self, ApplyForm, Verified};
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
use crate::session::{COOKIE, ClientInfo, session_cookie};

pub fn routes() -> PageRouter {
    PageRouter::new()
        .get("/apply", form)
        .post("/apply", submit)
        .get("/apply/{id}/verify", verify_form)
        .post("/apply/{id}/verify", verify_submit)
        .post("/apply/{id}/resend", resend)
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
) -> PageResult {
    let input = ApplyForm {
        company_name: f.company_name.clone(),
        importer_number: f.importer_number.clone(),
        requester_name: f.requester_name.clone(),
        requester_email: f.requester_email.clone(),
        honeypot: f.website.clone(),
    };
    match apply::start(&state.app, &input, &client).await {
        Ok(sent) => Ok(Redirect::to(&format!("/apply/{}/verify", sent.application_id)).into_response()),
        Err(app::AppError::Invalid(fe)) => {
            let form = SimpleForm::new(&[
                ("company_name", &f.company_name),
                ("importer_number", &f.importer_number),
                ("requester_name", &f.requester_name),
                ("requester_email", &f.requester_email),
            ])
            .with_errors(&fe);
            Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &ApplyPage { nav: None, csrf: csrf.0, form, errors: fe.0 }))
        }
        Err(e) => Err(e.into()),
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
async fn maybe_user(state: &AppState, jar: &CookieJar) -> Option<app::portal::auth::SessionUser> {
    let token = jar.get(COOKIE)?.value().to_string();
    app::portal::auth::session_user(&state.app, &token).await.ok().flatten()
}

async fn verify_form(State(state): State<AppState>, csrf: Csrf, jar: CookieJar, Path(id): Path<i64>) -> PageResult {
    let user = maybe_user(&state, &jar).await;
    apply::belongs_to(&state.app, id, user.as_ref()).await?;
    let sent_to = apply::sent_to(&state.app, id).await?;
    Ok(page(StatusCode::OK, &VerifyPage { nav: None, csrf: csrf.0, id, sent_to, notice: None, errors: vec![] }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CodeInput {
    code: String,
}

async fn verify_submit(
    State(state): State<AppState>,
    csrf: Csrf,
    jar: CookieJar,
    ClientInfo(client): ClientInfo,
    Path(id): Path<i64>,
    Form(f): Form<CodeInput>,
) -> PageResult {
    let user = maybe_user(&state, &jar).await;
    apply::belongs_to(&state.app, id, user.as_ref()).await?;
    match apply::verify(&state.app, id, &f.code, &client).await {
        Ok(Verified::NewAccount { token, .. }) => {
            Ok((jar.add(session_cookie(token, state.config.https())), Redirect::to("/set-password")).into_response())
        }
        Ok(Verified::Added { sub_account_id, .. }) => {
            Ok(Redirect::to(&format!("/account/sub/{sub_account_id}?added=1")).into_response())
        }
        Err(app::AppError::Invalid(fe)) => {
            let sent_to = apply::sent_to(&state.app, id).await.unwrap_or_default();
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &VerifyPage { nav: None, csrf: csrf.0, id, sent_to, notice: None, errors: fe.0 },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

async fn resend(
    State(state): State<AppState>,
    csrf: Csrf,
    jar: CookieJar,
    ClientInfo(client): ClientInfo,
    Path(id): Path<i64>,
) -> PageResult {
    let user = maybe_user(&state, &jar).await;
    apply::belongs_to(&state.app, id, user.as_ref()).await?;
    let sent = apply::resend(&state.app, id, &client).await?;
    Ok(page(
        StatusCode::OK,
        &VerifyPage {
            nav: None,
            csrf: csrf.0,
            id,
            notice: Some(format!("We sent a new code to {}. The earlier code no longer works.", sent.sent_to)),
            sent_to: sent.sent_to,
            errors: vec![],
        },
    ))
}

//! The account overview, the Importer sub-account view with its tabs, and adding importer
//! numbers (or an Importer sub-account) with the 5106-email proof.

use app::portal::accounts::{Overview, SubAccountView};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::field_errors::FieldError;
use serde::Deserialize;

use crate::AppState;
use crate::csrf::Csrf;
use crate::page_router::PageRouter;
use crate::pages::date;
use crate::render::{Nav, PageResult, SimpleForm, page};
use crate::session::{ClientInfo, CurrentUser, SessionCookie, signed};

pub fn routes() -> PageRouter {
    PageRouter::new()
        .get("/account", overview)
        .get("/account/sub/{id}", sub_account)
        .get("/account/add-importer", add_form)
        .post("/account/add-importer", add_submit)
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    nav: Option<Nav>,
    csrf: String,
    o: Overview,
    manage: bool,
}

/// The page every portal user lands on: the session is checked in the overview's own statement.
async fn overview(State(state): State<AppState>, SessionCookie(token): SessionCookie, csrf: Csrf) -> PageResult {
    let answer = app::portal::accounts::overview_in_session(&state.app, &token).await;
    signed(answer, token, |user, o| {
        let manage = domain::portal::may_manage_users(o.my_role).is_ok();
        page(StatusCode::OK, &AccountPage { nav: Some(user.nav()), csrf: csrf.0, o, manage })
    })
}

#[derive(Template)]
#[template(path = "sub_account.html")]
struct SubAccountPage {
    nav: Option<Nav>,
    csrf: String,
    s: SubAccountView,
    tab: &'static str,
    added: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SubQuery {
    added: Option<String>,
}

async fn sub_account(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    Path(id): Path<i64>,
    Query(q): Query<SubQuery>,
) -> PageResult {
    let s = app::portal::accounts::sub_account(&state.app, &user.user, id).await?;
    Ok(page(
        StatusCode::OK,
        &SubAccountPage { nav: Some(user.nav()), csrf: csrf.0, s, tab: "numbers", added: q.added.is_some() },
    ))
}

#[derive(Template)]
#[template(path = "add_importer.html")]
struct AddPage {
    nav: Option<Nav>,
    csrf: String,
    form: SimpleForm,
    errors: Vec<FieldError>,
}

async fn add_form(user: CurrentUser, csrf: Csrf) -> Response {
    page(StatusCode::OK, &AddPage { nav: Some(user.nav()), csrf: csrf.0, form: SimpleForm::default(), errors: vec![] })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AddInput {
    company_name: String,
    importer_number: String,
}

async fn add_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    ClientInfo(client): ClientInfo,
    Form(f): Form<AddInput>,
) -> PageResult {
    match app::portal::apply::start_for_account(&state.app, &user.user, &f.company_name, &f.importer_number, &client)
        .await
    {
        Ok(sent) => Ok(Redirect::to(&format!("/apply/{}/verify", sent.application_id)).into_response()),
        Err(app::AppError::Invalid(fe)) => {
            let form = SimpleForm::new(&[("company_name", &f.company_name), ("importer_number", &f.importer_number)])
                .with_errors(&fe);
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &AddPage { nav: Some(user.nav()), csrf: csrf.0, form, errors: fe.0 },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// For templates.
pub fn day(t: &time::OffsetDateTime) -> String {
    date(t)
}

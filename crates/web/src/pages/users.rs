//! Users and permissions of a top account (TAO and Proxy TAOs): invite, change role and grants
//! per sub-account, deactivate, reactivate, hand over the owner role.

use std::collections::HashMap;

use app::portal::accounts::Overview;
use app::portal::members::{self, Invite, Member};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::field_errors::FieldError;
use domain::portal::{AccountRole, AchAccess, Grants};
use serde::Deserialize;

use crate::AppState;
use crate::csrf::Csrf;
use crate::page_router::PageRouter;
use crate::render::{Nav, PageError, PageResult, SimpleForm, page};
use crate::session::CurrentUser;

pub fn routes() -> PageRouter {
    PageRouter::new()
        .get("/account/users", list)
        .post("/account/users", invite)
        .get("/account/users/{id}", edit)
        .post("/account/users/{id}", update)
        .post("/account/users/{id}/status", set_status)
        .post("/account/users/{id}/make-owner", make_owner)
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    nav: Option<Nav>,
    csrf: String,
    o: Overview,
    members: Vec<Member>,
    form: SimpleForm,
    errors: Vec<FieldError>,
    notice: Option<String>,
    achs: Vec<(&'static str, &'static str)>,
}

fn achs() -> Vec<(&'static str, &'static str)> {
    AchAccess::ALL.iter().map(|a| (a.code(), a.label())).collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    done: Option<String>,
}

async fn render_list(
    state: &AppState,
    user: &CurrentUser,
    csrf: String,
    form: SimpleForm,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> PageResult {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let o = app::portal::accounts::overview(&state.app, &user.user).await?;
    let members = members::list(&state.app, &user.user).await?;
    Ok(page(status, &UsersPage { nav: Some(user.nav()), csrf, o, members, form, errors, notice, achs: achs() }))
}

async fn list(State(state): State<AppState>, user: CurrentUser, csrf: Csrf, Query(q): Query<ListQuery>) -> PageResult {
    let notice = q.done.map(|d| match d.as_str() {
        "invited" => "Invitation sent. The link works once, for 72 hours.".to_string(),
        "owner" => "The owner role was handed over. You are now a Proxy TAO.".to_string(),
        _ => "Saved.".to_string(),
    });
    render_list(&state, &user, csrf.0, SimpleForm::default(), vec![], notice).await
}

/// Grants typed in a form: `ach_<sub>`, `reports_<sub>`, `notify_<sub>` per sub-account.
fn grants_from(form: &HashMap<String, String>, subs: &[i64]) -> Vec<(i64, Grants)> {
    subs.iter()
        .map(|id| {
            let ach = form.get(&format!("ach_{id}")).and_then(|v| AchAccess::from_code(v)).unwrap_or(AchAccess::None);
            let on = |k: &str| form.get(&format!("{k}_{id}")).is_some_and(|v| v == "on");
            (*id, Grants { ach, reports: on("reports"), notify_parties: on("notify") })
        })
        .collect()
}

fn field(form: &HashMap<String, String>, k: &str) -> String {
    form.get(k).cloned().unwrap_or_default()
}

async fn sub_ids(state: &AppState, user: &CurrentUser) -> Vec<i64> {
    match app::portal::accounts::overview(&state.app, &user.user).await {
        Ok(o) => o.sub_accounts.iter().map(|s| s.id).collect(),
        Err(_) => vec![],
    }
}

async fn invite(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult {
    let role = AccountRole::from_code(&field(&f, "role")).unwrap_or(AccountRole::User);
    let subs = sub_ids(&state, &user).await;
    let inv = Invite { email: field(&f, "email"), name: field(&f, "name"), role, grants: grants_from(&f, &subs) };
    match members::invite(&state.app, &user.user, &inv).await {
        Ok(_) => Ok(Redirect::to("/account/users?done=invited").into_response()),
        Err(app::AppError::Invalid(fe)) => {
            let form = SimpleForm::new(&[("email", &inv.email), ("name", &inv.name)]).with_errors(&fe);
            render_list(&state, &user, csrf.0, form, fe.0, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "user_edit.html")]
struct EditPage {
    nav: Option<Nav>,
    csrf: String,
    o: Overview,
    m: Member,
    achs: Vec<(&'static str, &'static str)>,
    may_make_proxy: bool,
    may_make_owner: bool,
}

async fn edit(State(state): State<AppState>, user: CurrentUser, csrf: Csrf, Path(id): Path<i64>) -> PageResult {
    let o = app::portal::accounts::overview(&state.app, &user.user).await?;
    let m = members::list(&state.app, &user.user)
        .await?
        .into_iter()
        .find(|m| m.id == id)
        .ok_or_else(|| PageError::not_found("no such user in your account"))?;
    let may_make_proxy = o.my_role == AccountRole::Tao;
    let may_make_owner = o.my_role == AccountRole::Tao && m.role != AccountRole::Tao && m.active;
    Ok(page(
        StatusCode::OK,
        &EditPage { nav: Some(user.nav()), csrf: csrf.0, o, m, achs: achs(), may_make_proxy, may_make_owner },
    ))
}

async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    _csrf: Csrf,
    Path(id): Path<i64>,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult {
    let role = AccountRole::from_code(&field(&f, "role")).unwrap_or(AccountRole::User);
    let subs = sub_ids(&state, &user).await;
    members::update(&state.app, &user.user, id, role, &grants_from(&f, &subs)).await?;
    Ok(Redirect::to("/account/users?done=saved").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatusInput {
    active: String,
}

async fn set_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<StatusInput>,
) -> PageResult {
    members::set_active(&state.app, &user.user, id, f.active == "true").await?;
    Ok(Redirect::to("/account/users?done=saved").into_response())
}

async fn make_owner(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> PageResult {
    members::transfer_owner(&state.app, &user.user, id).await?;
    Ok(Redirect::to("/account/users?done=owner").into_response())
}

/// For templates: the member's grant on one sub-account.
pub fn grant_of(m: &Member, sub: &i64) -> Grants {
    let sub = *sub;
    m.grants.iter().find(|(id, _)| *id == sub).map(|(_, g)| *g).unwrap_or(Grants::NONE)
}

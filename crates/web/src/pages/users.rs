//! Users and permissions of a top account (TAO and Proxy TAOs): invite, change role and grants
//! per sub-account, deactivate, reactivate, hand over the owner role.

use std::collections::HashMap;

use app::accounts::Overview;
use app::members::{self, Invite, Member};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::field_errors::FieldError;
use domain::portal::{AccountRole, AchAccess, Grants};
use serde::Deserialize;

use crate::AppState;
use crate::csrf::Csrf;
use crate::render::{Nav, SimpleForm, csrf_failed, error_page, page};
use crate::session::CurrentUser;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/users", get(list).post(invite))
        .route("/account/users/{id}", get(edit).post(update))
        .route("/account/users/{id}/status", post(set_status))
        .route("/account/users/{id}/make-owner", post(make_owner))
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
) -> Response {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let o = match app::accounts::overview(&state.app, &user.user).await {
        Ok(o) => o,
        Err(e) => return error_page(e, Some(user.nav())),
    };
    match members::list(&state.app, &user.user).await {
        Ok(members) => {
            page(status, &UsersPage { nav: Some(user.nav()), csrf, o, members, form, errors, notice, achs: achs() })
        }
        Err(e) => error_page(e, Some(user.nav())),
    }
}

async fn list(State(state): State<AppState>, user: CurrentUser, csrf: Csrf, Query(q): Query<ListQuery>) -> Response {
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
    match app::accounts::overview(&state.app, &user.user).await {
        Ok(o) => o.sub_accounts.iter().map(|s| s.id).collect(),
        Err(_) => vec![],
    }
}

async fn invite(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    if !csrf.matches(&field(&f, "csrf")) {
        return csrf_failed();
    }
    let role = AccountRole::from_code(&field(&f, "role")).unwrap_or(AccountRole::User);
    let subs = sub_ids(&state, &user).await;
    let inv = Invite { email: field(&f, "email"), name: field(&f, "name"), role, grants: grants_from(&f, &subs) };
    match members::invite(&state.app, &user.user, &inv).await {
        Ok(_) => Redirect::to("/account/users?done=invited").into_response(),
        Err(app::AppError::Invalid(fe)) => {
            let form = SimpleForm::new(&[("email", &inv.email), ("name", &inv.name)]).with_errors(&fe);
            render_list(&state, &user, csrf.0, form, fe.0, None).await
        }
        Err(e) => error_page(e, Some(user.nav())),
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

async fn edit(State(state): State<AppState>, user: CurrentUser, csrf: Csrf, Path(id): Path<i64>) -> Response {
    let o = match app::accounts::overview(&state.app, &user.user).await {
        Ok(o) => o,
        Err(e) => return error_page(e, Some(user.nav())),
    };
    let m = match members::list(&state.app, &user.user).await {
        Ok(list) => list.into_iter().find(|m| m.id == id),
        Err(e) => return error_page(e, Some(user.nav())),
    };
    let Some(m) = m else {
        return error_page(app::AppError::NotFound("no such user in your account".into()), Some(user.nav()));
    };
    let may_make_proxy = o.my_role == AccountRole::Tao;
    let may_make_owner = o.my_role == AccountRole::Tao && m.role != AccountRole::Tao && m.active;
    page(
        StatusCode::OK,
        &EditPage { nav: Some(user.nav()), csrf: csrf.0, o, m, achs: achs(), may_make_proxy, may_make_owner },
    )
}

async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    Path(id): Path<i64>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    if !csrf.matches(&field(&f, "csrf")) {
        return csrf_failed();
    }
    let role = AccountRole::from_code(&field(&f, "role")).unwrap_or(AccountRole::User);
    let subs = sub_ids(&state, &user).await;
    match members::update(&state.app, &user.user, id, role, &grants_from(&f, &subs)).await {
        Ok(()) => Redirect::to("/account/users?done=saved").into_response(),
        Err(e) => error_page(e, Some(user.nav())),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatusInput {
    csrf: String,
    active: String,
}

async fn set_status(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    Path(id): Path<i64>,
    Form(f): Form<StatusInput>,
) -> Response {
    if !csrf.matches(&f.csrf) {
        return csrf_failed();
    }
    match members::set_active(&state.app, &user.user, id, f.active == "true").await {
        Ok(()) => Redirect::to("/account/users?done=saved").into_response(),
        Err(e) => error_page(e, Some(user.nav())),
    }
}

async fn make_owner(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    Path(id): Path<i64>,
    Form(f): Form<StatusInput>,
) -> Response {
    if !csrf.matches(&f.csrf) {
        return csrf_failed();
    }
    match members::transfer_owner(&state.app, &user.user, id).await {
        Ok(()) => Redirect::to("/account/users?done=owner").into_response(),
        Err(e) => error_page(e, Some(user.nav())),
    }
}

/// For templates: the member's grant on one sub-account.
pub fn grant_of(m: &Member, sub: &i64) -> Grants {
    let sub = *sub;
    m.grants.iter().find(|(id, _)| *id == sub).map(|(_, g)| *g).unwrap_or(Grants::NONE)
}

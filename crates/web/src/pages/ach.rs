//! The ACH Refund Authorization tab of an Importer sub-account: view bank details per importer
//! number, add or change them (for one or several numbers at once), remove them, see their
//! history; and Form 4811 notify parties. Every check is in `app::ach`; these handlers turn forms
//! into calls and results into pages.

use app::ach::change::BankForm;
use app::ach::tab::{AchTab, BankView, NotifyPartyView};
use app::portal::accounts::SubAccountView;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use domain::field_errors::FieldError;
use serde::Deserialize;

use crate::AppState;
use crate::csrf::Csrf;
use crate::fragment_body::{SLOT, accepts_gzip, page_with_fragment};
use crate::page_router::PageRouter;
use crate::pages::{date, datetime};
use crate::render::{Nav, PageError, PageResult, SimpleForm, page};
use crate::session::{CurrentUser, SessionCookie, signed};

pub fn routes() -> PageRouter {
    PageRouter::new()
        .get("/account/sub/{id}/ach", tab)
        .get("/account/sub/{id}/ach/edit", edit_form)
        .post("/account/sub/{id}/ach/edit", edit_submit)
        .get("/account/sub/{id}/ach/{importer}/remove", remove_form)
        .post("/account/sub/{id}/ach/{importer}/remove", remove_submit)
        .get("/account/sub/{id}/ach/{importer}/history", history)
        .get("/account/sub/{id}/notify", parties)
        .post("/account/sub/{id}/notify", designate)
        .post("/account/sub/{id}/notify/{notify_party}/revoke", revoke)
        .get("/help/enrolling", guide)
}

/// For templates: a date, or a dash.
pub fn day_or_dash(t: &Option<time::OffsetDateTime>) -> String {
    t.as_ref().map(date).unwrap_or_else(|| "—".into())
}

/// A time on the ACH pages, with its zone (bank cut-offs and notices are in UTC too).
pub fn at(t: &time::OffsetDateTime) -> String {
    format!("{} UTC", datetime(&t.to_offset(time::UtcOffset::UTC)))
}

/// USWDS tag class for a status.
pub fn status_class(b: &BankView) -> &'static str {
    use domain::EnrollmentStatus::*;
    match b.status {
        Active => "ace-tag--ok",
        Pending => "ace-tag--wait",
        Rejected => "ace-tag--bad",
        _ => "",
    }
}

#[derive(Template)]
#[template(path = "ach_tab.html")]
struct TabPage {
    nav: Option<Nav>,
    csrf: String,
    t: AchTab,
    /// [`crate::fragment_body::SLOT`]: the table's rows (from [`super::ach_rows`]) go there.
    rows_slot: &'static str,
    done: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Done {
    done: String,
}

/// The tab, the session checked in the same statement as the sub-account and the cache's
/// generation (one round trip while the tab's data is unchanged).
async fn tab(
    State(state): State<AppState>,
    SessionCookie(token): SessionCookie,
    csrf: Csrf,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
    headers: axum::http::HeaderMap,
) -> PageResult {
    let answer = app::ach::tab::tab_in_session(&state.app, &token, id).await;
    signed(answer, token, |user, t| {
        let done = match q.done.as_str() {
            "saved" => {
                "The bank details were saved. They are Pending verification: a zero-dollar test entry goes to the bank with the next ACH file."
            }
            "flagged" => {
                "The bank details were saved and are Pending verification. The same bank account is enrolled for another importer, so CBP will review it."
            }
            "removed" => {
                "The bank details were removed. Refunds for that importer number will be rejected until new details are verified."
            }
            "designated" => "The notify party was designated.",
            "revoked" => "The notify party was revoked.",
            _ => "",
        };
        let rows_html = match state.ach_rows.rows_html(t.sub.id, t.can_change, &t.data) {
            Ok(html) => html,
            Err(e) => {
                tracing::error!(error = %e, "template rendering failed");
                return (StatusCode::INTERNAL_SERVER_ERROR, "page could not be shown").into_response();
            }
        };
        let page = TabPage { nav: Some(user.nav()), csrf: csrf.0, t, rows_slot: SLOT, done: done.into() };
        page_with_fragment(StatusCode::OK, &page, &rows_html, accepts_gzip(&headers))
    })
}

#[derive(Template)]
#[template(path = "ach_edit.html")]
struct EditPage {
    nav: Option<Nav>,
    csrf: String,
    t: AchTab,
    chosen: Vec<i64>,
    form: SimpleForm,
    errors: Vec<FieldError>,
    holder_warning: bool,
    conflict: String,
    /// The routing-number look-up's answer, shown before the user saves: the bank's name, or why
    /// the number cannot be used.
    lookup: Option<Result<String, String>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EditQuery {
    importer: Vec<i64>,
    /// A routing number to look up (public data; the account number never travels in a URL).
    routing: String,
}

async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    Path(id): Path<i64>,
    axum_extra::extract::Query(q): axum_extra::extract::Query<EditQuery>,
) -> PageResult {
    let t = changeable_tab(&state, &user, id).await?;
    // Prefill everything but the account number (never sent back to a browser).
    let first = q.importer.first().and_then(|i| t.data.rows.iter().find(|r| r.importer_id == *i));
    let cur = first.and_then(|r| r.current.as_ref());
    let lookup = if q.routing.trim().is_empty() {
        None
    } else {
        Some(match app::ach::change::check_routing(&state.app, &q.routing).await {
            Ok((r, name)) if name.is_empty() => {
                Ok(format!("{r}: no FedACH directory is loaded, so only the check digit was verified."))
            }
            Ok((r, name)) => Ok(format!("{r} is {name}.")),
            Err(m) => Err(m),
        })
    };
    let routing =
        if q.routing.trim().is_empty() { cur.map(|c| c.routing.as_str()).unwrap_or("") } else { q.routing.trim() };
    let form = SimpleForm::new(&[
        ("routing", routing),
        ("account_type", cur.map(|c| if c.account_type == "Savings" { "savings" } else { "checking" }).unwrap_or("")),
        ("holder_name", cur.map(|c| c.holder_name.as_str()).unwrap_or("")),
    ]);
    let chosen = q.importer;
    Ok(page(
        StatusCode::OK,
        &EditPage {
            nav: Some(user.nav()),
            csrf: csrf.0,
            t,
            chosen,
            form,
            errors: vec![],
            holder_warning: false,
            conflict: String::new(),
            lookup,
        },
    ))
}

impl EditPage {
    fn is_chosen(&self, importer_id: &i64) -> bool {
        self.chosen.contains(importer_id)
    }
}

/// The tab of a user who may change bank details; 403 for read-only access.
async fn changeable_tab(state: &AppState, user: &CurrentUser, id: i64) -> PageResult<AchTab> {
    let t = app::ach::tab::tab(&state.app, &user.user, id).await?;
    if t.can_change {
        Ok(t)
    } else {
        Err(PageError::forbidden(
            "Your access to ACH Refund Authorization is read-only: you can view bank details but not change them.",
        ))
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EditInput {
    importer: Vec<i64>,
    /// `importer_id:revision` for every number shown on the form.
    revision: Vec<String>,
    routing: String,
    account: String,
    account_confirm: String,
    account_type: String,
    holder_name: String,
    holder_confirmed: Option<String>,
}

async fn edit_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    Path(id): Path<i64>,
    Form(f): Form<EditInput>,
) -> PageResult {
    let revisions: Vec<(i64, i32)> = f
        .revision
        .iter()
        .filter_map(|s| s.split_once(':'))
        .filter_map(|(i, r)| Some((i.parse().ok()?, r.parse().ok()?)))
        .collect();
    let targets =
        f.importer.iter().map(|i| (*i, revisions.iter().find(|(r, _)| r == i).map(|(_, v)| *v).unwrap_or(0))).collect();
    let form = BankForm {
        targets,
        routing: f.routing.clone(),
        account: f.account.clone(),
        account_confirm: f.account_confirm.clone(),
        account_type: f.account_type.clone(),
        holder_name: f.holder_name.clone(),
        holder_confirmed: f.holder_confirmed.is_some(),
    };
    let result = app::ach::change::save(&state.app, &user.user, id, &form).await;
    let (errors, conflict) = match result {
        Ok(saved) => {
            let done = if saved.flagged_for_review { "flagged" } else { "saved" };
            return Ok(Redirect::to(&format!("/account/sub/{id}/ach?done={done}")).into_response());
        }
        Err(app::AppError::Invalid(fe)) => (fe, String::new()),
        Err(app::AppError::Conflict(m)) => (domain::FieldErrors::default(), m),
        Err(e) => return Err(e.into()),
    };
    let t = app::ach::tab::tab(&state.app, &user.user, id).await?;
    let holder_warning = errors.get("holder_name").is_some_and(|m| m.contains("tick the box"));
    // The account number is never echoed back: the user types it again.
    let form =
        SimpleForm::new(&[("routing", &f.routing), ("account_type", &f.account_type), ("holder_name", &f.holder_name)])
            .with_errors(&errors);
    let status = if conflict.is_empty() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::CONFLICT };
    Ok(page(
        status,
        &EditPage {
            nav: Some(user.nav()),
            csrf: csrf.0,
            t,
            chosen: f.importer,
            form,
            errors: errors.0,
            holder_warning,
            conflict,
            lookup: None,
        },
    ))
}

#[derive(Template)]
#[template(path = "ach_remove.html")]
struct RemovePage {
    nav: Option<Nav>,
    csrf: String,
    sub_id: i64,
    row: app::ach::tab::AchRow,
}

async fn remove_form(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    Path((id, importer)): Path<(i64, i64)>,
) -> PageResult {
    let t = changeable_tab(&state, &user, id).await?;
    let row = t
        .data
        .rows
        .iter()
        .find(|r| r.importer_id == importer && r.current.is_some())
        .cloned()
        .ok_or_else(|| PageError::not_found("this importer number has no bank details in this sub-account"))?;
    Ok(page(StatusCode::OK, &RemovePage { nav: Some(user.nav()), csrf: csrf.0, sub_id: id, row }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RemoveInput {
    revision: i32,
}

async fn remove_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, importer)): Path<(i64, i64)>,
    Form(f): Form<RemoveInput>,
) -> PageResult {
    app::ach::change::remove(&state.app, &user.user, id, importer, f.revision).await?;
    Ok(Redirect::to(&format!("/account/sub/{id}/ach?done=removed")).into_response())
}

#[derive(Template)]
#[template(path = "ach_history.html")]
struct HistoryPage {
    nav: Option<Nav>,
    csrf: String,
    sub_id: i64,
    h: app::ach::history::History,
}

async fn history(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    Path((id, importer)): Path<(i64, i64)>,
) -> PageResult {
    let h = app::ach::history::history(&state.app, &user.user, id, importer).await?;
    Ok(page(StatusCode::OK, &HistoryPage { nav: Some(user.nav()), csrf: csrf.0, sub_id: id, h }))
}

#[derive(Template)]
#[template(path = "ach_parties.html")]
struct PartiesPage {
    nav: Option<Nav>,
    csrf: String,
    /// The sub-account as the user may see it (a user with "Notify parties: manage" and no ACH
    /// access has no ACH tab, but this page).
    sub: SubAccountView,
    made: Vec<NotifyPartyView>,
    form: SimpleForm,
    errors: Vec<FieldError>,
    done: String,
}

async fn parties_page(
    state: &AppState,
    user: &CurrentUser,
    csrf: String,
    id: i64,
    (form, done): (SimpleForm, &str),
    status: StatusCode,
) -> PageResult {
    // `list` decides who may see notify parties (ACH view or notify-party rights).
    let made = app::ach::notify_parties::list(&state.app, &user.user, id).await?;
    let sub = app::portal::accounts::sub_account(&state.app, &user.user, id).await?;
    let errors = form.errors.clone();
    Ok(page(status, &PartiesPage { nav: Some(user.nav()), csrf, sub, made, form, errors, done: done.into() }))
}

async fn parties(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> PageResult {
    let done = match q.done.as_str() {
        "designated" => "The notify party was designated.",
        "revoked" => "The notify party was revoked.",
        _ => "",
    };
    parties_page(&state, &user, csrf.0, id, (SimpleForm::default(), done), StatusCode::OK).await
}

/// After a notify party or revocation: the ACH tab, which shows who now receives each number's
/// refunds, for users who may see it; the notify-party tab for the others.
async fn after_party_change(state: &AppState, user: &CurrentUser, id: i64, done: &str) -> Response {
    let ach = matches!(app::portal::accounts::sub_account(&state.app, &user.user, id).await, Ok(s) if s.grants.ach.can_view());
    let tab = if ach { "ach" } else { "notify" };
    Redirect::to(&format!("/account/sub/{id}/{tab}?done={done}")).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DesignateInput {
    importer_id: i64,
    party_number: String,
    effective_on: String,
}

async fn designate(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    Path(id): Path<i64>,
    Form(f): Form<DesignateInput>,
) -> PageResult {
    match app::ach::notify_parties::designate(
        &state.app,
        &user.user,
        id,
        f.importer_id,
        &f.party_number,
        &f.effective_on,
    )
    .await
    {
        Ok(_) => Ok(after_party_change(&state, &user, id, "designated").await),
        Err(app::AppError::Invalid(fe)) => {
            let importer = f.importer_id.to_string();
            let form = SimpleForm::new(&[
                ("importer_id", &importer),
                ("party_number", &f.party_number),
                ("effective_on", &f.effective_on),
            ])
            .with_errors(&fe);
            parties_page(&state, &user, csrf.0, id, (form, ""), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, notify_party)): Path<(i64, i64)>,
) -> PageResult {
    app::ach::notify_parties::revoke(&state.app, &user.user, id, notify_party).await?;
    Ok(after_party_change(&state, &user, id, "revoked").await)
}

#[derive(Template)]
#[template(path = "help_enrolling.html")]
struct GuidePage {
    nav: Option<Nav>,
    csrf: String,
}

/// The in-app guide; open to everyone (it holds no data). A signed-in user, who reaches it from
/// the ACH tab, keeps the header of a signed-in user.
async fn guide(user: Result<CurrentUser, Response>, csrf: Csrf) -> Response {
    page(StatusCode::OK, &GuidePage { nav: user.ok().map(|u| u.nav()), csrf: csrf.0 })
}

//! Refund pages: the Refunds tab of an Importer sub-account (the question "where is my refund?"
//! answered per refund: its status in words, why it is held and the one thing to do, its
//! timeline), the same list for CBP staff and brokers, and the staff upload of a refunds CSV with
//! a check-only pass that lists every bad line. Every rule is in `app::refunds`.

use app::refunds::import::RecordReport;
use app::refunds::{ListQuery, RefundDetail, RefundPage, RefundView, Scope};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use domain::refund::Cents;
use serde::Deserialize;

use crate::AppState;
use crate::csrf::Csrf;
use crate::page_router::PageRouter;
use crate::render::{Nav, PageError, PageResult, page};
use crate::session::{CurrentUser, Staff};

pub fn routes() -> PageRouter {
    PageRouter::new()
        .get("/refunds", all)
        .get("/refunds/upload", upload_form)
        .post("/refunds/upload", upload)
        .post("/refunds/certify", certify_now)
        .get("/refunds/{number}", show_all)
        .get("/account/sub/{id}/refunds", tab)
        .get("/account/sub/{id}/refunds/{number}", show_in_tab)
        .get("/account/sub/{id}/importer/{importer_id}", own_record)
}

/// For templates: an amount in dollars.
pub fn money(cents: &i64) -> String {
    Cents::new(*cents).to_string()
}

/// For templates: an amount that may not be known yet.
pub fn money_or(cents: &Option<i64>, unknown: &str) -> String {
    cents.map(|c| Cents::new(c).to_string()).unwrap_or_else(|| unknown.to_string())
}

/// USWDS-style tag class for a refund status.
pub fn status_class(r: &RefundView) -> &'static str {
    match r.status.as_str() {
        "payable" | "transmitted" | "sent_to_treasury" | "treasury_issued" | "reissued" => "ace-tag--ok",
        "recorded" => "ace-tag--wait",
        "held_ach_rejected" | "ach_returned" => "ace-tag--bad",
        _ => "",
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListParams {
    status: String,
    importer: String,
    before: Option<i64>,
}

impl ListParams {
    fn query(&self) -> ListQuery {
        let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        ListQuery {
            status: some(&self.status),
            importer_number: some(&self.importer),
            before_id: self.before,
            limit: 50,
        }
    }

    /// The query string of the next page (filters kept).
    fn next(&self, before: i64) -> String {
        let pairs = [("status", self.status.as_str()), ("importer", self.importer.as_str())];
        let mut q: String =
            pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}&", form_urlencoded(v))).collect();
        q.push_str(&format!("before={before}"));
        q
    }
}

fn form_urlencoded(v: &str) -> String {
    serde_urlencoded::to_string([("", v)]).map(|s| s.trim_start_matches('=').to_string()).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "refunds_list.html")]
struct ListPage {
    nav: Option<Nav>,
    csrf: String,
    /// The Importer sub-account whose tab this is; None on the staff and broker list.
    sub: Option<app::portal::accounts::SubAccountView>,
    base: String,
    page: RefundPage,
    status: String,
    importer: String,
    next: Option<String>,
    staff: bool,
    statuses: Vec<(&'static str, &'static str)>,
    /// What a certification run just decided (after "Run certification now").
    certified: Option<app::refunds::certify::Certified>,
}

fn statuses() -> Vec<(&'static str, &'static str)> {
    domain::refund::RefundStatus::ALL.iter().map(|s| (s.code(), s.label())).collect()
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    csrf: String,
    scope: Scope,
    sub: Option<app::portal::accounts::SubAccountView>,
    p: ListParams,
    certified: Option<app::refunds::certify::Certified>,
) -> PageResult {
    let page_data = app::refunds::list(&state.app, &scope, &p.query()).await?;
    let base = match &sub {
        Some(s) => format!("/account/sub/{}/refunds", s.id),
        None => "/refunds".into(),
    };
    let next = page_data.next_before.map(|b| p.next(b));
    Ok(page(
        StatusCode::OK,
        &ListPage {
            nav: Some(user.nav()),
            csrf,
            sub,
            base,
            page: page_data,
            status: p.status,
            importer: p.importer,
            next,
            staff: user.actor.role == domain::Role::CbpStaff,
            statuses: statuses(),
            certified,
        },
    ))
}

async fn all(State(state): State<AppState>, user: CurrentUser, csrf: Csrf, Query(p): Query<ListParams>) -> PageResult {
    if user.actor.role == domain::Role::Trade {
        return Err(PageError::forbidden("your refunds are on the Refunds tab of your Importer sub-account"));
    }
    let scope = app::refunds::scope(&state.app, &user.user).await?;
    list_page(&state, &user, csrf.0, scope, None, p, None).await
}

/// "Run certification now" (CBP staff): today's certification at once, then the list with what
/// it decided. The role is checked here and again in `app`; the run is audited.
async fn certify_now(State(state): State<AppState>, Staff(user): Staff, csrf: Csrf) -> PageResult {
    let done = app::refunds::certify_now(&state.app, &user.actor).await?;
    let scope = app::refunds::scope(&state.app, &user.user).await?;
    list_page(&state, &user, csrf.0, scope, None, ListParams::default(), Some(done)).await
}

async fn tab(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    Path(id): Path<i64>,
    Query(p): Query<ListParams>,
) -> PageResult {
    let (sub, scope) = app::refunds::sub_account_scope(&state.app, &user.user, id).await?;
    list_page(&state, &user, csrf.0, scope, Some(sub), p, None).await
}

#[derive(Template)]
#[template(path = "refund_show.html")]
struct ShowPage {
    nav: Option<Nav>,
    csrf: String,
    sub: Option<app::portal::accounts::SubAccountView>,
    back: String,
    d: RefundDetail,
    next_step: &'static str,
}

async fn show_all(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    Path(number): Path<String>,
) -> PageResult {
    if user.actor.role == domain::Role::Trade {
        return Err(PageError::forbidden("your refunds are on the Refunds tab of your Importer sub-account"));
    }
    let scope = app::refunds::scope(&state.app, &user.user).await?;
    let d = app::refunds::show(&state.app, &scope, &number).await?;
    let next_step = app::refunds::next_step(&d.refund);
    Ok(page(
        StatusCode::OK,
        &ShowPage { nav: Some(user.nav()), csrf: csrf.0, sub: None, back: "/refunds".into(), d, next_step },
    ))
}

async fn show_in_tab(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    Path((id, number)): Path<(i64, String)>,
) -> PageResult {
    let (sub, scope) = app::refunds::sub_account_scope(&state.app, &user.user, id).await?;
    let d = app::refunds::show(&state.app, &scope, &number).await?;
    let next_step = app::refunds::next_step(&d.refund);
    let back = format!("/account/sub/{id}/refunds");
    Ok(page(StatusCode::OK, &ShowPage { nav: Some(user.nav()), csrf: csrf.0, sub: Some(sub), back, d, next_step }))
}

#[derive(Template)]
#[template(path = "refunds_upload.html")]
struct UploadPage {
    nav: Option<Nav>,
    csrf: String,
    report: Option<RecordReport>,
    file_name: String,
    problem: String,
}

async fn upload_form(Staff(user): Staff, csrf: Csrf) -> PageResult {
    Ok(page(
        StatusCode::OK,
        &UploadPage {
            nav: Some(user.nav()),
            csrf: csrf.0,
            report: None,
            file_name: String::new(),
            problem: String::new(),
        },
    ))
}

/// Records the uploaded file, or (with "check only") reports its problems without writing.
async fn upload(State(state): State<AppState>, Staff(user): Staff, csrf: Csrf, mut form: Multipart) -> PageResult {
    let mut bytes = Vec::new();
    let mut file_name = String::new();
    let mut check_only = false;
    while let Ok(Some(field)) = form.next_field().await {
        match field.name() {
            Some("file") => {
                file_name = field.file_name().unwrap_or("upload.csv").to_string();
                bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
            }
            Some("check_only") => check_only = true,
            _ => {}
        }
    }
    let show = |report, problem: &str, status| {
        page(
            status,
            &UploadPage {
                nav: Some(user.nav()),
                csrf: csrf.0.clone(),
                report,
                file_name: file_name.clone(),
                problem: problem.into(),
            },
        )
    };
    if bytes.is_empty() {
        return Ok(show(None, "Choose a CSV file to upload.", StatusCode::UNPROCESSABLE_ENTITY));
    }
    let source = format!("upload of {file_name}");
    match app::refunds::import::import_csv(&state.app, &user.actor, bytes.as_slice(), &source, check_only, &mut |_| {})
        .await
    {
        Ok(r) => {
            let status = if r.error_count > 0 { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
            Ok(show(Some(r), "", status))
        }
        Err(app::AppError::Invalid(fe)) => Ok(show(None, &fe.summary(), StatusCode::UNPROCESSABLE_ENTITY)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "own_record.html")]
struct OwnRecordPage {
    nav: Option<Nav>,
    csrf: String,
    sub: app::portal::accounts::SubAccountView,
    r: app::registry::importers::Importer,
}

/// An importer's own Form 5106 record, read only, for the users of its sub-account (the facts
/// refunds are decided on: company type for the interest rate, the contact that gets notices).
async fn own_record(
    State(state): State<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    Path((id, importer_id)): Path<(i64, i64)>,
) -> PageResult {
    let r = app::registry::importers::get_own(&state.app, &user.user, id, importer_id).await?;
    let sub = app::portal::accounts::sub_account(&state.app, &user.user, id).await?;
    Ok(page(StatusCode::OK, &OwnRecordPage { nav: Some(user.nav()), csrf: csrf.0, sub, r }))
}

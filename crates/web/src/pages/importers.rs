//! Importer record pages: search, view with history, create, update, (de)activate.

use std::collections::HashMap;

use app::AppError;
use app::registry::importers::{self, HistoryEntry, Importer, SearchPage, SearchQuery};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use domain::actor::{may_change_status, may_update_importer};
use domain::field_errors::FieldError;
use domain::{Address, CompanyType, ImporterDraft, ImporterStatus, NumberUse};
use serde::Deserialize;

use crate::AppState;
use crate::csrf::Csrf;
use crate::page_router::PageRouter;
use crate::render::{Nav, PageError, PageResult, page};
use crate::session::{CurrentUser, Registry};

pub fn routes() -> PageRouter {
    PageRouter::new()
        .get("/importers", search)
        .post("/importers", create)
        .get("/importers/new", new_form)
        .get("/importers/{id}", show)
        .post("/importers/{id}", update)
        .get("/importers/{id}/edit", edit_form)
        .post("/importers/{id}/status", set_status)
}

#[derive(Template)]
#[template(path = "importer_search.html")]
struct SearchView {
    nav: Option<Nav>,
    csrf: String,
    q: String,
    q_enc: String,
    page: SearchPage,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchParams {
    q: String,
    page: Option<u64>,
}

async fn search(
    State(state): State<AppState>,
    Registry(user): Registry,
    csrf: Csrf,
    Query(p): Query<SearchParams>,
) -> PageResult {
    let query = SearchQuery { q: p.q.clone(), page: p.page.unwrap_or(1), per_page: 25, ..Default::default() };
    let (page_data, error) = match importers::search(&state.app, &query).await {
        Ok(r) => (r, None),
        Err(AppError::Invalid(fe)) => {
            (SearchPage { items: vec![], total: 0, page: 1, per_page: 25, pages: 1 }, Some(fe.summary()))
        }
        Err(e) => return Err(e.into()),
    };
    let q_enc = serde_urlencoded::to_string([("", &p.q)]).unwrap_or_default().trim_start_matches('=').to_string();
    Ok(page(StatusCode::OK, &SearchView { nav: Some(user.nav()), csrf: csrf.0, q: p.q, q_enc, page: page_data, error }))
}

#[derive(Template)]
#[template(path = "importer_show.html")]
struct ShowView {
    nav: Option<Nav>,
    csrf: String,
    rec: Importer,
    uses: String,
    history: Vec<HistoryEntry>,
    may_edit: bool,
    edit_denied: String,
    may_change_status: bool,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ShowParams {
    saved: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    Registry(user): Registry,
    csrf: Csrf,
    Path(id): Path<i64>,
    Query(p): Query<ShowParams>,
) -> PageResult {
    let rec = importers::get(&state.app, id).await?;
    let history = importers::history(&state.app, id).await?;
    let edit = may_update_importer(&user.actor, rec.filer_firm_id);
    let uses = rec.number_uses.iter().map(|u| u.label()).collect::<Vec<_>>().join(", ");
    let notice = p.saved.map(|s| match s.as_str() {
        "created" => "The importer record was created.".to_string(),
        _ => "Your changes were saved.".to_string(),
    });
    Ok(page(
        StatusCode::OK,
        &ShowView {
            nav: Some(user.nav()),
            csrf: csrf.0,
            uses,
            history,
            may_edit: edit.is_ok(),
            edit_denied: edit.err().unwrap_or_default().to_string(),
            may_change_status: may_change_status(&user.actor).is_ok(),
            rec,
            notice,
        },
    ))
}

/// What the form shows: submitted (or stored) values and the errors next to them.
pub struct FormState {
    values: HashMap<String, String>,
    pub uses: Vec<String>,
    pub errors: Vec<FieldError>,
    pub version: String,
}

impl FormState {
    pub fn v(&self, f: impl AsRef<str>) -> &str {
        self.values.get(f.as_ref()).map(String::as_str).unwrap_or("")
    }
    pub fn err(&self, f: impl AsRef<str>) -> Option<&str> {
        let f = f.as_ref();
        self.errors.iter().find(|e| e.field == f).map(|e| e.message.as_str())
    }
    pub fn is(&self, f: impl AsRef<str>, value: impl AsRef<str>) -> bool {
        self.v(f) == value.as_ref()
    }
    pub fn has_use(&self, code: impl AsRef<str>) -> bool {
        self.uses.iter().any(|u| u == code.as_ref())
    }
    pub fn key(&self, prefix: &str, f: &str) -> String {
        format!("{prefix}_{f}")
    }

    fn from_draft(d: &ImporterDraft, version: String, errors: Vec<FieldError>) -> FormState {
        let mut values = HashMap::new();
        for (k, v) in [
            ("importer_number", &d.importer_number),
            ("name", &d.name),
            ("dba", &d.dba),
            ("company_type", &d.company_type),
            ("cbp_reasons", &d.cbp_reasons),
            ("phone", &d.phone),
            ("email", &d.email),
        ] {
            values.insert(k.to_string(), v.clone());
        }
        for (prefix, a) in [("physical", &d.physical_address), ("mailing", &d.mailing_address)] {
            let a = a.clone().unwrap_or_default();
            for (f, v) in [
                ("line1", a.line1),
                ("line2", a.line2),
                ("city", a.city),
                ("state", a.state),
                ("postal_code", a.postal_code),
                ("country", a.country),
            ] {
                values.insert(format!("{prefix}_{f}"), v);
            }
        }
        FormState { values, uses: d.number_uses.clone(), errors, version }
    }
}

#[derive(Template)]
#[template(path = "importer_form.html")]
struct FormView {
    nav: Option<Nav>,
    csrf: String,
    heading: String,
    action: String,
    cancel: String,
    is_new: bool,
    form: FormState,
    company_types: Vec<(&'static str, &'static str)>,
    number_uses: Vec<(&'static str, &'static str)>,
}

fn form_view(user: &CurrentUser, csrf: String, id: Option<i64>, form: FormState) -> FormView {
    FormView {
        nav: Some(user.nav()),
        csrf,
        heading: if id.is_some() { "Update importer record".into() } else { "New importer record".into() },
        action: id.map(|i| format!("/importers/{i}")).unwrap_or_else(|| "/importers".into()),
        cancel: id.map(|i| format!("/importers/{i}")).unwrap_or_else(|| "/importers".into()),
        is_new: id.is_none(),
        form,
        company_types: CompanyType::ALL.iter().map(|c| (c.code(), c.label())).collect(),
        number_uses: NumberUse::ALL.iter().map(|c| (c.code(), c.label())).collect(),
    }
}

async fn new_form(Registry(user): Registry, csrf: Csrf) -> Response {
    let d = ImporterDraft { number_uses: vec!["importer_of_record".into()], ..Default::default() };
    let form = FormState::from_draft(&d, String::new(), vec![]);
    page(StatusCode::OK, &form_view(&user, csrf.0, None, form))
}

async fn edit_form(
    State(state): State<AppState>,
    Registry(user): Registry,
    csrf: Csrf,
    Path(id): Path<i64>,
) -> PageResult {
    let rec = importers::get(&state.app, id).await?;
    may_update_importer(&user.actor, rec.filer_firm_id).map_err(PageError::forbidden)?;
    let form = FormState::from_draft(&rec.to_draft(), rec.version.to_string(), vec![]);
    Ok(page(StatusCode::OK, &form_view(&user, csrf.0, Some(id), form)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FormInput {
    version: String,
    importer_number: String,
    name: String,
    dba: String,
    company_type: String,
    number_uses: Vec<String>,
    cbp_reasons: String,
    physical_line1: String,
    physical_line2: String,
    physical_city: String,
    physical_state: String,
    physical_postal_code: String,
    physical_country: String,
    mailing_line1: String,
    mailing_line2: String,
    mailing_city: String,
    mailing_state: String,
    mailing_postal_code: String,
    mailing_country: String,
    phone: String,
    email: String,
}

impl FormInput {
    fn draft(&self) -> ImporterDraft {
        let physical = Address {
            line1: self.physical_line1.clone(),
            line2: self.physical_line2.clone(),
            city: self.physical_city.clone(),
            state: self.physical_state.clone(),
            postal_code: self.physical_postal_code.clone(),
            country: self.physical_country.clone(),
        };
        let mailing = Address {
            line1: self.mailing_line1.clone(),
            line2: self.mailing_line2.clone(),
            city: self.mailing_city.clone(),
            state: self.mailing_state.clone(),
            postal_code: self.mailing_postal_code.clone(),
            country: self.mailing_country.clone(),
        };
        ImporterDraft {
            importer_number: self.importer_number.clone(),
            name: self.name.clone(),
            dba: self.dba.clone(),
            company_type: self.company_type.clone(),
            number_uses: self.number_uses.clone(),
            cbp_reasons: self.cbp_reasons.clone(),
            physical_address: Some(physical),
            mailing_address: if mailing.is_blank() { None } else { Some(mailing) },
            phone: self.phone.clone(),
            email: self.email.clone(),
        }
    }
}

/// Re-renders the form with field errors (422), or shows the error page for the rest.
fn form_error(e: AppError, user: &CurrentUser, csrf: String, id: Option<i64>, input: &FormInput) -> PageResult {
    match e {
        AppError::Invalid(fe) => {
            let form = FormState::from_draft(&input.draft(), input.version.clone(), fe.0);
            Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &form_view(user, csrf, id, form)))
        }
        other => Err(other.into()),
    }
}

async fn create(
    State(state): State<AppState>,
    Registry(user): Registry,
    csrf: Csrf,
    Form(input): Form<FormInput>,
) -> PageResult {
    match importers::create(&state.app, &user.actor, &input.draft()).await {
        Ok(rec) => Ok(Redirect::to(&format!("/importers/{}?saved=created", rec.id)).into_response()),
        Err(e) => form_error(e, &user, csrf.0, None, &input),
    }
}

async fn update(
    State(state): State<AppState>,
    Registry(user): Registry,
    csrf: Csrf,
    Path(id): Path<i64>,
    Form(input): Form<FormInput>,
) -> PageResult {
    let version = input.version.trim().parse::<i64>().ok();
    match importers::update(&state.app, &user.actor, id, &input.draft(), version).await {
        Ok(rec) => Ok(Redirect::to(&format!("/importers/{}?saved=updated", rec.id)).into_response()),
        Err(e) => form_error(e, &user, csrf.0, Some(id), &input),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatusInput {
    status: String,
}

async fn set_status(
    State(state): State<AppState>,
    Registry(user): Registry,
    Path(id): Path<i64>,
    Form(input): Form<StatusInput>,
) -> PageResult {
    let status = ImporterStatus::from_code(&input.status)
        .ok_or_else(|| AppError::field("status", "status is active or inactive"))?;
    let rec = importers::set_status(&state.app, &user.actor, id, status).await?;
    Ok(Redirect::to(&format!("/importers/{}?saved=status", rec.id)).into_response())
}

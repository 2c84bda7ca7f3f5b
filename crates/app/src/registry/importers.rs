//! The Form 5106 importer registry: create, update, (de)activate, read, search, history.

use domain::actor::{may_change_status, may_create_importer, may_update_importer};
use domain::importer::ValidImporter;
use domain::{Actor, Address, CompanyType, ImporterDraft, ImporterNumber, ImporterStatus, NumberUse};
use serde::Serialize;
use store::TransactionTrait;
use store::audit::{self, AuditRow};
use store::importers::{self as rows, ImporterRow};
use time::OffsetDateTime;

use crate::App;
use crate::error::{AppError, AppResult};
use crate::registry::history::{Change, diff};

pub const BROKER_EMAIL_MESSAGE: &str = "this email belongs to a customs broker; the importer record needs the \
importer's own email (an address at the company's physical location), never its broker's";

/// A 5106 record as the rest of the product sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Importer {
    pub id: i64,
    /// Masked for SSN-based numbers (`***-**-1234`).
    pub importer_number: String,
    pub number_kind: String,
    pub name: String,
    pub dba: String,
    pub company_type: CompanyType,
    pub number_uses: Vec<NumberUse>,
    pub cbp_reasons: String,
    pub mailing_address: Option<Address>,
    pub physical_address: Address,
    pub phone: String,
    pub email: String,
    pub status: ImporterStatus,
    pub filer_firm_id: Option<i64>,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub updated_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Send it back on update: a stale version is refused instead of overwriting someone's change.
    pub version: i64,
}

/// One entry of a record's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: String,
    pub action: String,
    pub changes: Vec<Change>,
}

fn address_from(a: &[String; 6]) -> Address {
    Address {
        line1: a[0].clone(),
        line2: a[1].clone(),
        city: a[2].clone(),
        state: a[3].clone(),
        postal_code: a[4].clone(),
        country: a[5].clone(),
    }
}

fn address_to(a: &Address) -> [String; 6] {
    [a.line1.clone(), a.line2.clone(), a.city.clone(), a.state.clone(), a.postal_code.clone(), a.country.clone()]
}

fn masked_number(row: &ImporterRow) -> String {
    ImporterNumber::parse(&row.number).map(|n| n.masked()).unwrap_or_else(|_| "(invalid number)".into())
}

impl Importer {
    pub fn from_row(row: &ImporterRow) -> Importer {
        Importer {
            id: row.id,
            importer_number: masked_number(row),
            number_kind: row.number_kind.clone(),
            name: row.name.clone(),
            dba: row.dba.clone(),
            company_type: CompanyType::from_code(&row.company_type).unwrap_or(CompanyType::Corporation),
            number_uses: row.number_uses.split(',').filter_map(NumberUse::from_code).collect(),
            cbp_reasons: row.cbp_reasons.clone(),
            mailing_address: if row.mailing.iter().all(String::is_empty) {
                None
            } else {
                Some(address_from(&row.mailing))
            },
            physical_address: address_from(&row.physical),
            phone: row.phone.clone(),
            email: row.email.clone(),
            status: ImporterStatus::from_code(&row.status).unwrap_or(ImporterStatus::Active),
            filer_firm_id: row.filer_firm_id,
            created_by: row.created_by.clone(),
            created_at: row.created_at,
            updated_by: row.updated_by.clone(),
            updated_at: row.updated_at,
            version: row.version,
        }
    }

    /// The draft that reproduces this record, for edit forms. SSN numbers stay masked: the
    /// number cannot be changed, so the form never needs it.
    pub fn to_draft(&self) -> ImporterDraft {
        ImporterDraft {
            importer_number: self.importer_number.clone(),
            name: self.name.clone(),
            dba: self.dba.clone(),
            company_type: self.company_type.code().into(),
            number_uses: self.number_uses.iter().map(|u| u.code().to_string()).collect(),
            cbp_reasons: self.cbp_reasons.clone(),
            mailing_address: self.mailing_address.clone(),
            physical_address: Some(self.physical_address.clone()),
            phone: self.phone.clone(),
            email: self.email.clone(),
        }
    }
}

/// Builds the stored row for a validated record.
pub fn to_row(v: &ValidImporter, actor: &Actor, filer_firm_id: Option<i64>, at: OffsetDateTime) -> ImporterRow {
    ImporterRow {
        id: 0,
        number: v.number.canonical(),
        number_kind: v.number.kind().into(),
        name: v.name.clone(),
        dba: v.dba.clone(),
        company_type: v.company_type.code().into(),
        number_uses: v.number_uses.iter().map(|u| u.code()).collect::<Vec<_>>().join(","),
        cbp_reasons: v.cbp_reasons.clone(),
        mailing: v.mailing_address.as_ref().map(address_to).unwrap_or_default(),
        physical: address_to(&v.physical_address),
        phone: v.phone.clone(),
        email: v.email.as_str().into(),
        status: ImporterStatus::Active.code().into(),
        filer_firm_id,
        created_by: actor.label.clone(),
        created_at: at,
        updated_by: actor.label.clone(),
        updated_at: at,
        version: 1,
    }
}

/// The row after an update: the submitted values, with identity, status, filer and creation
/// kept from `old` and the version moved on.
pub fn updated_row(old: &ImporterRow, valid: &ValidImporter, actor: &Actor, at: OffsetDateTime) -> ImporterRow {
    as_update_of(old, to_row(valid, actor, old.filer_firm_id, at))
}

/// `new` (the submitted values, by and at whom) as an update of `old`: identity, status, filer
/// and creation kept from `old`, the version moved on.
pub fn as_update_of(old: &ImporterRow, new: ImporterRow) -> ImporterRow {
    ImporterRow {
        id: old.id,
        status: old.status.clone(),
        filer_firm_id: old.filer_firm_id,
        created_by: old.created_by.clone(),
        created_at: old.created_at,
        version: old.version + 1,
        ..new
    }
}

/// The fields history compares, with a flag for personal values.
pub fn history_fields(r: &ImporterRow) -> Vec<(String, String, bool)> {
    let ssn = r.number_kind == "ssn";
    let mut v = vec![
        ("importer_number".to_string(), r.number.clone(), ssn),
        ("name".into(), r.name.clone(), false),
        ("dba".into(), r.dba.clone(), false),
        ("company_type".into(), r.company_type.clone(), false),
        ("number_uses".into(), r.number_uses.clone(), false),
        ("cbp_reasons".into(), r.cbp_reasons.clone(), false),
    ];
    // Addresses of individuals are personal; a business's addresses are not.
    let personal_address = ssn || r.company_type == "individual";
    for (prefix, a) in [("mailing", &r.mailing), ("physical", &r.physical)] {
        for (i, f) in store::importers::ADDRESS_FIELDS.iter().enumerate() {
            let personal = personal_address && (i < 2);
            v.push((format!("{prefix}_{f}"), a[i].clone(), personal));
        }
    }
    v.push(("phone".into(), r.phone.clone(), true));
    v.push(("email".into(), r.email.clone(), true));
    v.push(("status".into(), r.status.clone(), false));
    v
}

pub fn audit_row(actor: &Actor, action: &str, row: &ImporterRow, changes: &[Change], at: OffsetDateTime) -> AuditRow {
    AuditRow {
        id: 0,
        at,
        actor_user_id: actor.user_id,
        actor_label: actor.label.clone(),
        action: action.into(),
        entity_type: "importer".into(),
        entity_id: Some(row.id),
        entity_key: masked_number(row),
        changes: serde_json::to_string(changes).unwrap_or_else(|_| "[]".into()),
    }
}

async fn check_broker_email(app: &App, number: &str, email: &str) -> AppResult<()> {
    let conn = &app.db.conn;
    if store::firms::firm_record_numbers(conn).await?.iter().any(|n| n == number) {
        return Ok(());
    }
    if store::firms::is_broker_email(conn, email).await? {
        return Err(AppError::field("email", BROKER_EMAIL_MESSAGE));
    }
    Ok(())
}

pub async fn create(app: &App, actor: &Actor, draft: &ImporterDraft) -> AppResult<Importer> {
    may_create_importer(actor).map_err(|m| AppError::Forbidden(m.into()))?;
    let valid = draft.validate().map_err(AppError::Invalid)?;
    let number = valid.number.canonical();
    check_broker_email(app, &number, valid.email.as_str()).await?;
    let at = store::now();
    let mut row = to_row(&valid, actor, actor.firm_id, at);
    let txn = app.db.conn.begin().await?;
    if rows::by_number(&txn, &number).await?.is_some() {
        return Err(AppError::field(
            "importer_number",
            "an importer record with this number already exists; search for it and update it instead",
        ));
    }
    row.id = match rows::insert(&txn, &row).await {
        Ok(id) => id,
        // A concurrent create of the same number loses on the unique index.
        Err(e) if e.to_string().to_lowercase().contains("unique") => {
            return Err(AppError::field("importer_number", "an importer record with this number already exists"));
        }
        Err(e) => return Err(e.into()),
    };
    let changes = diff(&[], &history_fields(&row));
    audit::append(&txn, &audit_row(actor, "created", &row, &changes, at)).await?;
    txn.commit().await?;
    tracing::info!(importer_id = row.id, number = %valid.number, actor = %actor.label, "importer record created");
    Ok(Importer::from_row(&row))
}

async fn load(app: &App, id: i64) -> AppResult<ImporterRow> {
    rows::by_id(&app.db.conn, id).await?.ok_or_else(|| AppError::NotFound(format!("no importer record with id {id}")))
}

pub async fn get(app: &App, id: i64) -> AppResult<Importer> {
    Ok(Importer::from_row(&load(app, id).await?))
}

pub async fn get_by_number(app: &App, number: &ImporterNumber) -> AppResult<Importer> {
    rows::by_number(&app.db.conn, &number.canonical())
        .await?
        .map(|r| Importer::from_row(&r))
        .ok_or_else(|| AppError::NotFound(format!("no importer record with number {number}")))
}

/// Whether the actor may edit this record (for showing or hiding the edit button).
pub fn may_edit(actor: &Actor, importer: &Importer) -> bool {
    may_update_importer(actor, importer.filer_firm_id).is_ok()
}

/// Updates a record. `expected_version` (from the form or API) guards against overwriting a
/// change made since the editor loaded the record.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    draft: &ImporterDraft,
    expected_version: Option<i64>,
) -> AppResult<Importer> {
    let old = load(app, id).await?;
    may_update_importer(actor, old.filer_firm_id).map_err(|m| AppError::Forbidden(m.into()))?;
    // The edit form shows SSNs masked; a masked or unchanged number means "keep it".
    let mut draft = draft.clone();
    if draft.importer_number.trim().is_empty() || draft.importer_number == masked_number(&old) {
        draft.importer_number = old.number.clone();
    }
    let valid = draft.validate().map_err(AppError::Invalid)?;
    if valid.number.canonical() != old.number {
        return Err(AppError::field(
            "importer_number",
            "the importer number of a record cannot change; a new number or suffix needs its own record",
        ));
    }
    if let Some(v) = expected_version
        && v != old.version
    {
        return Err(AppError::Conflict(
            "someone changed this record after you opened it; reload it, then apply your change again".into(),
        ));
    }
    if valid.email.as_str() != old.email {
        check_broker_email(app, &old.number, valid.email.as_str()).await?;
    }
    let at = store::now();
    let new = updated_row(&old, &valid, actor, at);
    let changes = diff(&history_fields(&old), &history_fields(&new));
    if changes.is_empty() {
        return Ok(Importer::from_row(&old));
    }
    write_update(app, actor, &new, "updated", &changes, at).await
}

async fn write_update(
    app: &App,
    actor: &Actor,
    new: &ImporterRow,
    action: &str,
    changes: &[Change],
    at: OffsetDateTime,
) -> AppResult<Importer> {
    let txn = app.db.conn.begin().await?;
    if !rows::update(&txn, new).await? {
        return Err(AppError::Conflict(
            "someone changed this record at the same moment; reload it, then apply your change again".into(),
        ));
    }
    audit::append(&txn, &audit_row(actor, action, new, changes, at)).await?;
    txn.commit().await?;
    tracing::info!(importer_id = new.id, action, actor = %actor.label, "importer record changed");
    Ok(Importer::from_row(new))
}

pub async fn set_status(app: &App, actor: &Actor, id: i64, status: ImporterStatus) -> AppResult<Importer> {
    may_change_status(actor).map_err(|m| AppError::Forbidden(m.into()))?;
    let old = load(app, id).await?;
    if old.status == status.code() {
        return Ok(Importer::from_row(&old));
    }
    let at = store::now();
    let mut new = old.clone();
    new.status = status.code().into();
    new.updated_by = actor.label.clone();
    new.updated_at = at;
    new.version = old.version + 1;
    let changes = diff(&history_fields(&old), &history_fields(&new));
    let action = match status {
        ImporterStatus::Active => "reactivated",
        ImporterStatus::Inactive => "deactivated",
    };
    write_update(app, actor, &new, action, &changes, at).await
}

pub async fn history(app: &App, id: i64) -> AppResult<Vec<HistoryEntry>> {
    load(app, id).await?;
    let entries = audit::for_importer(&app.db.conn, id).await?;
    Ok(entries
        .into_iter()
        .map(|e| HistoryEntry {
            at: e.at,
            actor: e.actor_label,
            action: e.action,
            changes: serde_json::from_str(&e.changes).unwrap_or_default(),
        })
        .collect())
}

/// A search as people type it. `q` is one box: an importer number (or its start), an email,
/// or words of the name.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub q: String,
    pub number: String,
    pub name: String,
    pub email: String,
    pub status: String,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchPage {
    pub items: Vec<Importer>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub pages: u64,
}

/// Turns typed number fragments into the canonical prefix (`12345` -> `12-345`).
fn number_prefix(s: &str) -> Option<String> {
    if let Ok(n) = ImporterNumber::parse(s) {
        return Some(n.canonical());
    }
    let t = s.trim().to_ascii_uppercase();
    if t.is_empty()
        || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        || !t.starts_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    if t.contains('-') {
        return Some(t);
    }
    // Without dashes assume the EIN layout NN-NNNNNNNXX, the commonest.
    Some(if t.len() > 2 { format!("{}-{}", &t[..2], &t[2..]) } else { t })
}

pub async fn search(app: &App, q: &SearchQuery) -> AppResult<SearchPage> {
    let mut s = store::importers::Search::default();
    let per_page = q.per_page.clamp(1, 100);
    // Bounded so the offset can neither overflow nor reach absurd values.
    let page = q.page.clamp(1, 1_000_000);
    let free = q.q.trim();
    if !free.is_empty() {
        if free.contains('@') {
            s.email = Some(free.to_ascii_lowercase());
        } else if let Some(p) = number_prefix(free).filter(|_| free.starts_with(|c: char| c.is_ascii_digit())) {
            s.number_prefix = Some(p);
        } else {
            s.name_words = free.to_lowercase().split_whitespace().map(str::to_string).collect();
        }
    }
    if !q.number.trim().is_empty() {
        s.number_prefix = Some(
            number_prefix(&q.number).ok_or_else(|| AppError::field("number", "enter digits of an importer number"))?,
        );
    }
    if !q.name.trim().is_empty() {
        s.name_words.extend(q.name.to_lowercase().split_whitespace().map(str::to_string));
    }
    if !q.email.trim().is_empty() {
        s.email = Some(q.email.trim().to_ascii_lowercase());
    }
    if !q.status.trim().is_empty() {
        let st = ImporterStatus::from_code(&q.status)
            .ok_or_else(|| AppError::field("status", "status is active or inactive"))?;
        s.status = Some(st.code().into());
    }
    let (rows, total) = rows::search(&app.db.conn, &s, per_page, (page - 1).saturating_mul(per_page)).await?;
    Ok(SearchPage {
        items: rows.iter().map(Importer::from_row).collect(),
        total,
        page,
        per_page,
        pages: total.div_ceil(per_page).max(1),
    })
}

/// An importer's own Form 5106 record, for the users of the Importer sub-account that holds its
/// number (any role: it is their own company's record). Read only: changes go through CBP or a
/// broker filing a new 5106. Numbers the sub-account does not hold are "not found".
pub async fn get_own(
    app: &App,
    user: &crate::portal::auth::SessionUser,
    sub_account_id: i64,
    importer_id: i64,
) -> AppResult<Importer> {
    let sub = crate::portal::accounts::sub_account(app, user, sub_account_id).await?;
    if !sub.numbers.iter().any(|n| n.importer_id == importer_id) {
        return Err(AppError::NotFound("no such importer number in this sub-account".into()));
    }
    get(app, importer_id).await
}

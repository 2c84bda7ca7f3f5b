//! The refund ledger: refunds recorded from their sources (with interest under 19 U.S.C.
//! 1505(c)), certified (payee, offsets against CBP bills, holds), and released by themselves
//! when a held payee's bank details become Active. docs/refunds.md describes the model.
//!
//! Who sees what: CBP staff every refund; a broker the refunds of entries bearing its filer
//! code; a portal user the refunds of the importer numbers of its account's Importer
//! sub-accounts where it holds the "Reports" permission (owners always), including refunds paid
//! to those numbers as a notify party.

pub mod bills;
pub mod certify;
pub mod import;
pub mod input;
pub(crate) mod notices;
pub mod rates;

use std::collections::{BTreeMap, HashMap};

use domain::refund::{Cents, RefundStatus};
use domain::{ImporterNumber, Role};
use serde::Serialize;
use store::refunds::{ListFilter, RefundRow};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::portal::auth::SessionUser;

/// Which refunds a user may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// CBP staff, operators.
    All,
    /// A broker: entries bearing its filer code.
    FilerCode(String),
    /// A portal user: these importers (as importer or as payee).
    Importers(Vec<i64>),
}

/// The refunds `user` may see; Forbidden for a portal user without the Reports permission on
/// any Importer sub-account.
pub async fn scope(app: &App, user: &SessionUser) -> AppResult<Scope> {
    match user.actor.role {
        Role::CbpStaff => Ok(Scope::All),
        Role::Broker => {
            let firm = match user.actor.firm_id {
                Some(id) => store::firms::by_id(&app.db.conn, id).await?,
                None => None,
            };
            firm.map(|f| Scope::FilerCode(f.filer_code))
                .ok_or_else(|| AppError::Forbidden("refunds are shown to brokers by their firm's filer code".into()))
        }
        Role::Trade => {
            let (account_id, role) = crate::portal::accounts::membership(user)?;
            let details = store::accounts::sub_account_details(&app.db.conn, account_id, user.user_id(), None).await?;
            let mut ids = Vec::new();
            for d in details {
                let v = crate::portal::accounts::view(d, role);
                if v.kind == domain::portal::SubAccountKind::Importer && v.grants.reports {
                    ids.extend(v.numbers.iter().map(|n| n.importer_id));
                }
            }
            if ids.is_empty() {
                return Err(AppError::Forbidden(
                    "refunds are shown to users with the Reports permission on an Importer sub-account".into(),
                ));
            }
            Ok(Scope::Importers(ids))
        }
    }
}

fn visible(scope: &Scope, r: &RefundRow) -> bool {
    match scope {
        Scope::All => true,
        Scope::FilerCode(f) => &r.filer_code == f,
        Scope::Importers(ids) => ids.contains(&r.importer_id) || r.payee_importer_id.is_some_and(|p| ids.contains(&p)),
    }
}

/// One refund as people see it. Importer numbers are masked (SSN-based ones keep four digits).
#[derive(Debug, Clone, Serialize)]
pub struct RefundView {
    pub refund_number: String,
    pub importer_number: String,
    pub importer_name: String,
    pub entry_number: String,
    pub filer_code: String,
    pub source: String,
    pub principal_cents: i64,
    /// Null while a rate of the period is unknown.
    pub interest_cents: Option<i64>,
    pub offset_cents: i64,
    /// Null before certification.
    pub net_cents: Option<i64>,
    pub status: String,
    pub status_label: String,
    pub secondary_status: String,
    pub held_reason: String,
    pub deposit_date: String,
    pub liquidation_date: String,
    /// The day it was certified (the reports' refund date).
    pub refund_date: Option<String>,
    pub notify_party: Option<String>,
    pub payee_number: Option<String>,
    pub payee_name: Option<String>,
    /// `importer` or `notify_party`.
    pub payee_kind: String,
    pub status_at: String,
}

impl RefundView {
    /// The amount the refund is worth to its payee now: net once certified, else principal plus
    /// known interest.
    pub fn amount(&self) -> Cents {
        Cents::new(
            self.net_cents.unwrap_or(self.principal_cents + self.interest_cents.unwrap_or(0) - self.offset_cents),
        )
    }
}

async fn views(app: &App, rows: Vec<RefundRow>) -> AppResult<Vec<RefundView>> {
    let mut ids: Vec<i64> =
        rows.iter().flat_map(|r| [Some(r.importer_id), r.notify_party_id, r.payee_importer_id]).flatten().collect();
    ids.sort_unstable();
    ids.dedup();
    let importers: HashMap<i64, store::refunds::ImporterFacts> =
        store::refunds::importers_by_ids(&app.db.conn, &ids).await?.into_iter().map(|i| (i.id, i)).collect();
    let number = |id: i64| {
        importers
            .get(&id)
            .map(|i| ImporterNumber::parse(&i.number).map(|n| n.masked()).unwrap_or_else(|_| "***".into()))
    };
    let name = |id: i64| importers.get(&id).map(|i| i.name.clone());
    Ok(rows
        .into_iter()
        .map(|r| {
            let status = RefundStatus::from_code(&r.status);
            RefundView {
                importer_number: number(r.importer_id).unwrap_or_default(),
                importer_name: name(r.importer_id).unwrap_or_default(),
                notify_party: r.notify_party_id.and_then(number),
                payee_number: r.payee_importer_id.and_then(number),
                payee_name: r.payee_importer_id.and_then(name),
                status_label: status.map(|s| s.label().to_string()).unwrap_or_else(|| r.status.clone()),
                status_at: crate::audit::when(&r.status_at),
                refund_number: r.refund_number,
                entry_number: r.entry_number,
                filer_code: r.filer_code,
                source: r.source,
                principal_cents: r.principal_cents,
                interest_cents: r.interest_cents,
                offset_cents: r.offset_cents,
                net_cents: r.net_cents,
                status: r.status,
                secondary_status: r.secondary_status,
                held_reason: r.held_reason,
                deposit_date: r.deposit_date,
                liquidation_date: r.liquidation_date,
                refund_date: r.refund_date,
                payee_kind: r.payee_kind,
            }
        })
        .collect())
}

/// One event of a refund's life.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    pub at: String,
    pub by: String,
    pub status: String,
    pub status_label: String,
    pub reason: String,
}

/// A refund, its timeline and the bills it paid.
#[derive(Debug, Clone, Serialize)]
pub struct RefundDetail {
    pub refund: RefundView,
    pub timeline: Vec<TimelineEntry>,
    /// `(bill number, cents)` taken from this refund.
    pub offsets: Vec<(String, i64)>,
}

/// A refund by number, for someone allowed to see it (otherwise "not found", so numbers cannot
/// be probed).
pub async fn show(app: &App, scope: &Scope, number: &str) -> AppResult<RefundDetail> {
    let not_found = || AppError::NotFound(format!("no refund {number} that you may see"));
    let row = store::refunds::by_number(&app.db.conn, number.trim().to_ascii_uppercase().as_str())
        .await?
        .filter(|r| visible(scope, r))
        .ok_or_else(not_found)?;
    let id = row.id;
    // The first entry is the recording itself (creation is not stored as an event: the row says
    // who, when and from where).
    let mut timeline = vec![TimelineEntry {
        at: crate::audit::when(&row.created_at),
        by: row.created_by.clone(),
        status: "recorded".into(),
        status_label: RefundStatus::Recorded.label().into(),
        reason: format!("recorded from {}", row.created_source),
    }];
    for e in store::refunds::events_of(&app.db.conn, id).await? {
        let label = RefundStatus::from_code(&e.to_status).map(|s| s.label().to_string()).unwrap_or(e.to_status.clone());
        timeline.push(TimelineEntry {
            at: crate::audit::when(&e.at),
            by: e.actor_label,
            status: e.to_status,
            status_label: label,
            reason: e.reason,
        });
    }
    let offsets = store::bills::applications_of(&app.db.conn, id)
        .await?
        .into_iter()
        .map(|a| (a.bill_number, a.amount_cents))
        .collect();
    let refund = views(app, vec![row]).await?.pop().ok_or_else(not_found)?;
    Ok(RefundDetail { refund, timeline, offsets })
}

/// Filters of a refund list.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// A status code (`payable`, `held_ach_rejected`, ...).
    pub status: Option<String>,
    /// Only this importer number (must be within the scope).
    pub importer_number: Option<String>,
    /// Keyset: refunds older than this id.
    pub before_id: Option<i64>,
    /// Page size, at most 500; 0 for the default 50.
    pub limit: u64,
}

/// A page of refunds, newest first, and the id to ask for the next page.
#[derive(Debug, Clone, Serialize)]
pub struct RefundPage {
    pub refunds: Vec<RefundView>,
    pub next_before: Option<i64>,
}

pub async fn list(app: &App, scope: &Scope, q: &ListQuery) -> AppResult<RefundPage> {
    if let Some(s) = &q.status
        && RefundStatus::from_code(s).is_none()
    {
        return Err(AppError::field(
            "status",
            format!("'{s}' is not a refund status; use one of {}", RefundStatus::codes()),
        ));
    }
    // 0 (not given) means a page of 50.
    let limit = if q.limit == 0 { 50 } else { q.limit.min(500) };
    let mut f = ListFilter { status: q.status.clone(), before_id: q.before_id, limit, ..Default::default() };
    match scope {
        Scope::All => {}
        Scope::FilerCode(c) => f.filer_code = Some(c.clone()),
        Scope::Importers(ids) => f.importer_ids = ids.clone(),
    }
    if let Some(n) = &q.importer_number {
        let n = ImporterNumber::parse(n.trim()).map_err(|e| AppError::field("importer_number", e.to_string()))?;
        let found = store::refunds::importers_by_numbers(&app.db.conn, &[n.canonical()]).await?;
        let Some(i) = found.first() else { return Ok(RefundPage { refunds: Vec::new(), next_before: None }) };
        if let Scope::Importers(ids) = scope
            && !ids.contains(&i.id)
        {
            return Ok(RefundPage { refunds: Vec::new(), next_before: None });
        }
        f.importer_ids = vec![i.id];
    }
    let rows = store::refunds::list(&app.db.conn, &f).await?;
    let next_before = if rows.len() as u64 == limit { rows.last().map(|r| r.id) } else { None };
    Ok(RefundPage { refunds: views(app, rows).await?, next_before })
}

/// Count and amount of refunds in one status.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct StatusTotal {
    pub count: i64,
    pub net_cents: i64,
}

/// Every status (snake_case code) with its count and amount, zeros included.
pub async fn summary(app: &App) -> AppResult<BTreeMap<String, StatusTotal>> {
    let mut out: BTreeMap<String, StatusTotal> =
        RefundStatus::ALL.iter().map(|s| (s.code().to_string(), StatusTotal::default())).collect();
    for (status, count, net) in store::refunds::summary(&app.db.conn).await? {
        out.insert(status, StatusTotal { count, net_cents: net });
    }
    Ok(out)
}

/// The Refunds tab of an Importer sub-account: the refunds of its importer numbers (and those
/// paid to them as notify party), for users with the Reports permission there (owners always).
pub async fn sub_account_scope(
    app: &App,
    user: &SessionUser,
    sub_account_id: i64,
) -> AppResult<(crate::portal::accounts::SubAccountView, Scope)> {
    let sub = crate::portal::accounts::sub_account(app, user, sub_account_id).await?;
    if sub.kind != domain::portal::SubAccountKind::Importer {
        return Err(AppError::NotFound("refunds are kept in Importer sub-accounts".into()));
    }
    if !sub.grants.reports {
        return Err(AppError::Forbidden(
            "seeing refunds needs the Reports permission; ask your account's owner (TAO) for it".into(),
        ));
    }
    let ids = sub.numbers.iter().map(|n| n.importer_id).collect();
    Ok((sub, Scope::Importers(ids)))
}

/// What to do about a refund, in one sentence a page can show next to it; empty when nothing.
pub fn next_step(r: &RefundView) -> &'static str {
    match r.status.as_str() {
        "held_ach_rejected" => {
            "Enroll bank details for this importer number on the ACH Refund Authorization tab. Once they are verified, the refund is paid without any further request."
        }
        "recorded" if !r.held_reason.is_empty() => {
            "Nothing: CBP will decide it as soon as the interest rate it needs is published."
        }
        "recorded" => "Nothing: it will be certified on or after its liquidation date.",
        "payable" => "Nothing: it will be paid in the next payment run.",
        "funds_diverted" => "Nothing: the refund paid a debt to CBP. Contact CBP if you believe the bill is wrong.",
        _ => "",
    }
}

/// CBP staff correct a refund before it is certified (a keying error in the source data): every
/// field but the refund number may change, checked as when recorded, interest computed again.
/// Audited with each field's old and new value. Once certified a refund is not corrected here:
/// its decision stands and the payment path (issue 17) owns what follows.
pub async fn correct(
    app: &App,
    actor: &domain::Actor,
    number: &str,
    fields: &input::RefundFields,
) -> AppResult<RefundView> {
    if actor.role != Role::CbpStaff {
        return Err(AppError::Forbidden("only CBP staff may correct a refund".into()));
    }
    let number = number.trim().to_ascii_uppercase();
    let old = store::refunds::by_number(&app.db.conn, &number)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no refund {number}")))?;
    if old.status != "recorded" {
        return Err(AppError::Conflict(format!(
            "refund {number} was certified ({}); it can no longer be corrected",
            RefundStatus::from_code(&old.status).map(|s| s.label()).unwrap_or("decided")
        )));
    }
    let mut f = fields.clone();
    f.refund_number = number.clone();
    let c = input::check(&f, crate::today()).map_err(AppError::Invalid)?;
    let mut wanted = vec![c.importer.canonical()];
    wanted.extend(c.notify_party.as_ref().map(|p| p.canonical()));
    let found = store::refunds::importers_by_numbers(&app.db.conn, &wanted).await?;
    let find = |n: &ImporterNumber| found.iter().find(|f| f.number == n.canonical()).cloned();
    let importer = find(&c.importer).ok_or_else(|| {
        AppError::field("importer_number", format!("{} has no Form 5106 record", c.importer.masked()))
    })?;
    let party = match &c.notify_party {
        None => None,
        Some(p) => Some(
            find(p)
                .ok_or_else(|| AppError::field("notify_party", format!("{} has no Form 5106 record", p.masked())))?
                .id,
        ),
    };
    let table = rates::table(app).await?;
    let interest = match c.source.interest_basis(importer.company_type == "corporation") {
        None => Some(0),
        Some(basis) => domain::refund::accrued_interest(&table, c.principal, c.deposit, c.liquidation, basis)
            .ok()
            .map(|i| i.cents.get()),
    };
    let new = store::refunds::NewRefund {
        refund_number: number.clone(),
        importer_id: importer.id,
        entry_number: c.entry.to_string(),
        filer_code: c.entry.filer_code().to_string(),
        source: c.source.code().into(),
        principal_cents: c.principal.get(),
        deposit_date: c.deposit.to_string(),
        liquidation_date: c.liquidation.to_string(),
        notify_party_id: party,
        interest_cents: interest,
        created_source: old.created_source.clone(),
    };
    let changes: Vec<crate::registry::history::Change> = [
        ("importer", old.importer_id.to_string(), new.importer_id.to_string()),
        ("entry_number", old.entry_number.clone(), new.entry_number.clone()),
        ("source", old.source.clone(), new.source.clone()),
        ("principal_cents", old.principal_cents.to_string(), new.principal_cents.to_string()),
        ("deposit_date", old.deposit_date.clone(), new.deposit_date.clone()),
        ("liquidation_date", old.liquidation_date.clone(), new.liquidation_date.clone()),
        ("notify_party", format!("{:?}", old.notify_party_id), format!("{:?}", new.notify_party_id)),
    ]
    .into_iter()
    .filter(|(_, a, b)| a != b)
    .map(|(field, a, b)| crate::registry::history::Change { field: field.into(), old: Some(a), new: Some(b) })
    .collect();
    if changes.is_empty() {
        return Ok(views(app, vec![old]).await?.remove(0));
    }
    let txn = store::begin_write(&app.db.conn).await?;
    if !store::refunds::correct(&txn, old.id, old.version, &new, store::now()).await? {
        return Err(AppError::Conflict(format!("refund {number} changed meanwhile; read it again")));
    }
    crate::audit::record(
        &txn,
        &crate::audit::Event {
            actor_user_id: actor.user_id,
            actor_label: actor.label.clone(),
            action: "refund.corrected".into(),
            entity_type: "refund",
            entity_id: Some(old.id),
            entity_key: number.clone(),
            changes,
        },
    )
    .await?;
    txn.commit().await?;
    let row = store::refunds::by_id(&app.db.conn, old.id).await?.ok_or_else(|| AppError::NotFound(number.clone()))?;
    Ok(views(app, vec![row]).await?.remove(0))
}

/// CBP staff run today's certification now instead of waiting for the daily run (the same
/// `certify::certify`, idempotent: a second run finds nothing new). Audited with who ran it and
/// what it decided.
pub async fn certify_now(app: &App, actor: &domain::Actor) -> AppResult<certify::Certified> {
    if actor.role != Role::CbpStaff {
        return Err(AppError::Forbidden("only CBP staff may run certification".into()));
    }
    let today = crate::today();
    let done = certify::certify(app, &actor.label, today).await?;
    let counts = [
        ("examined", done.examined),
        ("payable", done.payable),
        ("held_ach_rejected", done.held_ach_rejected),
        ("funds_diverted", done.funds_diverted),
        ("partially_diverted", done.partially_diverted),
        ("released", done.released),
        ("waiting_for_rate", done.waiting_for_rate),
        ("notices_failed", done.notices_failed),
    ];
    crate::audit::record(
        &app.db.conn,
        &crate::audit::Event {
            actor_user_id: actor.user_id,
            actor_label: actor.label.clone(),
            action: "refunds.certified".into(),
            entity_type: "refunds",
            entity_id: None,
            entity_key: today.to_string(),
            changes: counts
                .into_iter()
                .map(|(field, n)| crate::registry::history::Change {
                    field: field.into(),
                    old: None,
                    new: Some(n.to_string()),
                })
                .collect(),
        },
    )
    .await?;
    Ok(done)
}

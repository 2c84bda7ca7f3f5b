//! The ACH Refund Authorization tab: one row per importer number of the sub-account, with its
//! bank details as they stand, who receives its refunds, and whether the user may change them.
//! Read in a fixed number of statements whatever the count of numbers (docs/performance.md).

use std::collections::HashMap;
use std::sync::Arc;

use domain::EnrollmentStatus;
use domain::bank::AccountType;
use domain::payee::{NotifyPartyOnFile, Payee};
use store::change_counters::AchTabGeneration;
use store::enrollments::VersionRow;
use store::notify_parties::NotifyPartyRow;
use time::OffsetDateTime;

use super::{require_view, scope_light, scope_light_in_session};
use crate::App;
use crate::error::AppResult;
use crate::portal::accounts::SubAccountView;
use crate::portal::auth::{SessionUser, Signed};

/// One version of bank details as people see it: the account number only masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankView {
    pub version_id: i64,
    pub version_no: i32,
    pub routing: String,
    pub bank_name: String,
    pub account_type: String,
    /// `••••6789`
    pub account: String,
    pub holder_name: String,
    pub status: EnrollmentStatus,
    /// When the version became Active.
    pub effective_since: Option<OffsetDateTime>,
    pub changed_by: String,
    pub changed_at: OffsetDateTime,
    pub status_at: OffsetDateTime,
    /// The bank's last correction or return, in words.
    pub bank_note: String,
    pub flagged_for_review: bool,
}

impl BankView {
    pub fn is_pending(&self) -> bool {
        self.status == EnrollmentStatus::Pending
    }

    pub fn from_row(v: &VersionRow) -> BankView {
        BankView {
            version_id: v.id,
            version_no: v.version_no,
            routing: v.routing.clone(),
            bank_name: v.bank_name.clone(),
            account_type: AccountType::from_code(&v.account_type).map(|t| t.label()).unwrap_or("?").to_owned(),
            account: masked_last4(&v.account_last4),
            holder_name: v.holder_name.clone(),
            status: EnrollmentStatus::from_code(&v.status).unwrap_or(EnrollmentStatus::Pending),
            effective_since: v.active_since,
            changed_by: v.created_by_name.clone(),
            changed_at: v.created_at,
            status_at: v.status_at,
            bank_note: v.bank_note.clone(),
            flagged_for_review: v.review_shared && v.review_cleared_by.is_none(),
        }
    }
}

pub(crate) fn masked_last4(last4: &str) -> String {
    format!("••••{last4}")
}

/// A notify party as people see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyPartyView {
    pub id: i64,
    pub importer_id: i64,
    pub importer_number: String,
    pub importer_name: String,
    pub party_importer_id: i64,
    pub party_number: String,
    pub party_name: String,
    pub effective_on: String,
    pub revoked_on: Option<String>,
    pub active: bool,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub revoked_by: String,
}

pub(crate) fn notify_party_view(d: &NotifyPartyRow, today: &str) -> NotifyPartyView {
    let shown = |n: &str| domain::ImporterNumber::parse(n).map(|n| n.to_string()).unwrap_or_else(|_| "***".into());
    NotifyPartyView {
        id: d.id,
        importer_id: d.importer_id,
        importer_number: shown(&d.importer_number),
        importer_name: d.importer_name.clone(),
        party_importer_id: d.party_importer_id,
        party_number: shown(&d.party_number),
        party_name: d.party_name.clone(),
        effective_on: d.effective_on.clone(),
        revoked_on: d.revoked_on.clone(),
        active: notify_party_active(d, today),
        created_by: d.created_by_name.clone(),
        created_at: d.created_at,
        revoked_by: d.revoked_by_name.clone(),
    }
}

/// Active on `today` (`YYYY-MM-DD`; ISO dates compare as strings).
pub(crate) fn notify_party_active(d: &NotifyPartyRow, today: &str) -> bool {
    d.effective_on.as_str() <= today && d.revoked_on.as_deref().is_none_or(|r| r > today)
}

/// Who receives refunds, as the tab shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayeeView {
    /// `importer`, `notify-party` or `none`.
    pub kind: &'static str,
    pub label: String,
    pub explanation: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AchRow {
    pub importer_id: i64,
    pub number: String,
    pub name: String,
    /// The optimistic-lock revision a change form must send back (0: no details yet).
    pub revision: i32,
    /// The newest live version (what the company last entered).
    pub current: Option<BankView>,
    /// The Active version still receiving refunds while `current` is being verified.
    pub paying: Option<BankView>,
    pub notify_party: Option<NotifyPartyView>,
    pub payee: PayeeView,
}

/// The tab as the user may see it: the sub-account and permissions are the user's own, the data
/// is shared by everyone who may view the sub-account (and cached, see [`super::tab_cache`]).
#[derive(Debug, Clone)]
pub struct AchTab {
    pub sub: SubAccountView,
    pub can_change: bool,
    pub can_manage_parties: bool,
    pub data: Arc<TabData>,
}

/// What the tab shows of a sub-account, the same for every user allowed to see it.
#[derive(Debug, Clone)]
pub struct TabData {
    pub rows: Vec<AchRow>,
    /// None when no FedACH directory is loaded (only check digits are verified).
    pub directory_loaded_at: Option<OffsetDateTime>,
    /// Notify parties set by other importers naming this sub-account's numbers as notify party.
    pub naming_us: Vec<NotifyPartyView>,
}

pub async fn tab(app: &App, user: &SessionUser, sub_account_id: i64) -> AppResult<AchTab> {
    // The generation is read with the access check, before the data (store::change_counters).
    let (sub, generation) = scope_light(app, user, sub_account_id).await?;
    with_data(app, sub, generation).await
}

/// The tab of a session cookie: the session check, the access check and the cache's generation
/// are one statement, so a view of an unchanged tab is one round trip. `None`: no live session.
pub async fn tab_in_session(app: &App, token: &str, sub_account_id: i64) -> AppResult<Option<Signed<AchTab>>> {
    let Some(Signed { user, page }) = scope_light_in_session(app, token, sub_account_id).await? else {
        return Ok(None);
    };
    let page = match page {
        Ok((sub, generation)) => with_data(app, sub, generation).await,
        Err(e) => Err(e),
    };
    Ok(Some(Signed { user, page }))
}

/// The tab of a sub-account the user may see, its data from the cache while `generation` and
/// the date are those it was read at.
async fn with_data(app: &App, sub: SubAccountView, generation: AchTabGeneration) -> AppResult<AchTab> {
    require_view(&sub)?;
    let today = super::iso_date(OffsetDateTime::now_utc().date());
    let data = match app.ach_tab_cache.get(sub.id, generation, &today) {
        Some(data) => data,
        None => {
            let data = Arc::new(read(app, sub.id, &today).await?);
            app.ach_tab_cache.put(sub.id, generation, &today, Arc::clone(&data));
            data
        }
    };
    Ok(AchTab { can_change: sub.grants.ach.can_change(), can_manage_parties: sub.grants.notify_parties, sub, data })
}

/// The tab's data straight from the database.
async fn read(app: &App, sub_account_id: i64, today: &str) -> AppResult<TabData> {
    let conn = &app.db.conn;
    let numbers = store::enrollments::tab_rows(conn, sub_account_id).await?;
    let mut ids: Vec<i64> = numbers.iter().map(|n| n.importer_id).collect();
    ids.dedup();
    let made = store::notify_parties::made_by(conn, &ids).await?;
    let active_notify_parties: HashMap<i64, &NotifyPartyRow> =
        made.iter().filter(|d| notify_party_active(d, today)).map(|d| (d.importer_id, d)).collect();
    let party_ids: Vec<i64> = active_notify_parties.values().map(|d| d.party_importer_id).collect();
    let party_live = store::enrollments::live_of(conn, &party_ids).await?;
    let naming = store::notify_parties::naming(conn, &ids).await?;
    let directory = store::routing::last_load(conn).await?;
    let party_active: std::collections::HashSet<i64> =
        party_live.iter().filter(|v| v.status == "active").map(|v| v.importer_id).collect();

    // Rows come ordered by number, then version: fold each number's versions together.
    let mut rows: Vec<AchRow> = Vec::with_capacity(ids.len());
    let mut i = 0;
    while i < numbers.len() {
        let first = &numbers[i];
        let mut end = i;
        while end < numbers.len() && numbers[end].importer_id == first.importer_id {
            end += 1;
        }
        let versions: Vec<&VersionRow> = numbers[i..end].iter().filter_map(|n| n.version.as_ref()).collect();
        i = end;
        let number =
            domain::ImporterNumber::parse(&first.number).map(|n| n.to_string()).unwrap_or_else(|_| "***".into());
        let current = versions.last().map(|v| BankView::from_row(v));
        let paying_row = versions.iter().rev().find(|v| v.status == "active");
        let paying = paying_row.filter(|p| Some(p.id) != current.as_ref().map(|c| c.version_id));
        let notify_party = active_notify_parties.get(&first.importer_id);
        let payee = payee_view(&first.number, paying_row.is_some(), notify_party.copied(), |party| {
            party_active.contains(&party)
        });
        rows.push(AchRow {
            importer_id: first.importer_id,
            number,
            name: first.name.clone(),
            revision: first.revision,
            current,
            paying: paying.map(|v| BankView::from_row(v)),
            notify_party: notify_party.map(|d| notify_party_view(d, today)),
            payee,
        });
    }
    Ok(TabData {
        rows,
        directory_loaded_at: directory.map(|d| d.loaded_at),
        naming_us: naming.iter().map(|d| notify_party_view(d, today)).collect(),
    })
}

/// The payee rule of `domain::payee`, for a refund whose entry names the designated party (the
/// case a notify party exists for); a refund naming no party goes to the importer's own account.
fn payee_view(
    number: &str,
    importer_active: bool,
    notify_party: Option<&NotifyPartyRow>,
    party_active: impl Fn(i64) -> bool,
) -> PayeeView {
    let importer = domain::ImporterNumber::parse(number).ok();
    let party = notify_party.and_then(|d| domain::ImporterNumber::parse(&d.party_number).ok());
    let (Some(importer), des) = (importer, party.clone().map(|p| NotifyPartyOnFile { party: p, active: true })) else {
        return PayeeView {
            kind: "none",
            label: "Nobody".into(),
            explanation: "the importer number is unreadable".into(),
        };
    };
    let payee = domain::payee::payee_for_profile(
        &importer,
        importer_active,
        des.as_ref(),
        notify_party.is_some_and(|d| party_active(d.party_importer_id)),
    );
    // The reason starts with who is paid, which the label already says.
    let reason = payee.reason();
    let explanation = reason.split_once(": ").map(|(_, why)| why.to_owned()).unwrap_or(reason);
    match payee {
        Payee::NotifyParty(p) => PayeeView { kind: "notify-party", label: format!("Notify party {p}"), explanation },
        Payee::Importer(..) => PayeeView { kind: "importer", label: "The importer".into(), explanation },
        Payee::Nobody(_) => PayeeView { kind: "none", label: "Nobody: refunds will be rejected".into(), explanation },
    }
}

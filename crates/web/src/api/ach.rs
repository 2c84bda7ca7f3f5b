//! `/api/v1/sub-accounts/{id}/ach` and `/notify-parties`: ACH Refund Authorization over the API.
//! The bank details of each importer number of an Importer sub-account (view, add or change for
//! several numbers at once, remove, history) and its Form 4811 notify parties. Every rule is in
//! `app::ach`, with the same permissions as the pages; these handlers only translate.
//!
//! A full account number travels in one direction only: into the API, in the body of a PUT.
//! Responses carry it masked (`••••6789`), and a body that cannot be read is answered without
//! echoing any of its digits (see [`read_body`]).

use app::ach::change::BankForm;
use app::ach::history::{History, StatusEvent};
use app::ach::tab::{AchRow, AchTab, BankView, NotifyPartyView, PayeeView};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::EnrollmentStatus;
use domain::bank::AccountType;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::accounts::ApiUser;
use super::types::rfc3339;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use crate::problem::{ApiError, Problem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tab, save))
        .routes(routes!(remove))
        .routes(routes!(history))
        .routes(routes!(notify_parties, designate))
        .routes(routes!(revoke))
        .routes(routes!(naming_us))
}

/// Bank details of one importer number as they stand in one version. The account number is
/// only ever masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct BankDetailsOut {
    pub version_id: i64,
    /// 1 for the first details of the importer number, then one more per change.
    pub version_no: i32,
    #[schema(example = "021000021")]
    pub routing: String,
    /// From the FedACH directory; empty when no directory was loaded when the details were saved.
    #[schema(example = "JPMORGAN CHASE BANK, NA")]
    pub bank_name: String,
    /// `checking` or `savings`.
    pub account_type: String,
    /// The last four digits only.
    #[schema(example = "••••6789")]
    pub account: String,
    pub holder_name: String,
    /// `pending`, `active`, `rejected`, `superseded`, `withdrawn` or `removed`.
    pub status: String,
    /// The status in words, e.g. `Pending verification`.
    pub status_label: String,
    /// When these details became Active (RFC 3339); null until then.
    pub effective_since: Option<String>,
    pub changed_by: String,
    /// RFC 3339.
    pub changed_at: String,
    /// When the status last changed (RFC 3339).
    pub status_at: String,
    /// The bank's last correction or return, in words; empty when none.
    pub bank_note: String,
    /// The same bank account is enrolled by an unrelated importer: kept, and flagged for CBP review.
    pub flagged_for_review: bool,
}

impl From<&BankView> for BankDetailsOut {
    fn from(b: &BankView) -> BankDetailsOut {
        BankDetailsOut {
            version_id: b.version_id,
            version_no: b.version_no,
            routing: b.routing.clone(),
            bank_name: b.bank_name.clone(),
            // The view carries the label; codes read labels too.
            account_type: AccountType::from_code(&b.account_type).map(|t| t.code().to_owned()).unwrap_or_default(),
            account: b.account.clone(),
            holder_name: b.holder_name.clone(),
            status: b.status.code().into(),
            status_label: b.status.label().into(),
            effective_since: b.effective_since.map(rfc3339),
            changed_by: b.changed_by.clone(),
            changed_at: rfc3339(b.changed_at),
            status_at: rfc3339(b.status_at),
            bank_note: b.bank_note.clone(),
            flagged_for_review: b.flagged_for_review,
        }
    }
}

/// A Form 4811 notify party: `party_number` receives the refunds of `importer_number` whose
/// entries name it, from `effective_on` up to (not including) `revoked_on`.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotifyPartyOut {
    pub id: i64,
    pub importer_id: i64,
    /// SSN-based numbers masked.
    pub importer_number: String,
    pub importer_name: String,
    pub party_importer_id: i64,
    pub party_number: String,
    pub party_name: String,
    /// `YYYY-MM-DD`.
    pub effective_on: String,
    /// `YYYY-MM-DD`; null while not revoked.
    pub revoked_on: Option<String>,
    /// In force today.
    pub active: bool,
    pub created_by: String,
    /// RFC 3339.
    pub created_at: String,
    /// Null while not revoked.
    pub revoked_by: Option<String>,
}

impl From<&NotifyPartyView> for NotifyPartyOut {
    fn from(d: &NotifyPartyView) -> NotifyPartyOut {
        NotifyPartyOut {
            id: d.id,
            importer_id: d.importer_id,
            importer_number: d.importer_number.clone(),
            importer_name: d.importer_name.clone(),
            party_importer_id: d.party_importer_id,
            party_number: d.party_number.clone(),
            party_name: d.party_name.clone(),
            effective_on: d.effective_on.clone(),
            revoked_on: d.revoked_on.clone(),
            active: d.active,
            created_by: d.created_by.clone(),
            created_at: rfc3339(d.created_at),
            revoked_by: Some(d.revoked_by.clone()).filter(|s| !s.is_empty()),
        }
    }
}

fn notify_parties_out(list: &[NotifyPartyView]) -> Vec<NotifyPartyOut> {
    list.iter().map(Into::into).collect()
}

/// Who receives the importer number's refunds today.
#[derive(Debug, Serialize, ToSchema)]
pub struct PayeeOut {
    /// `importer`, `notify-party` or `none` (refunds would be rejected).
    pub kind: String,
    pub label: String,
    /// Why, in words.
    pub explanation: String,
}

impl From<&PayeeView> for PayeeOut {
    fn from(p: &PayeeView) -> PayeeOut {
        PayeeOut { kind: p.kind.into(), label: p.label.clone(), explanation: p.explanation.clone() }
    }
}

/// One importer number of the sub-account and its bank details.
#[derive(Debug, Serialize, ToSchema)]
pub struct AchRowOut {
    pub importer_id: i64,
    /// SSN-based numbers masked.
    pub number: String,
    pub name: String,
    /// Send it back as the `revision` of a change or removal; 0 while the number never had details.
    pub revision: i32,
    /// The newest details (what was last entered), whatever their status; null when none.
    pub current: Option<BankDetailsOut>,
    /// The Active details still receiving refunds while `current` is being verified; null when
    /// `current` is itself the Active one, or nothing is Active.
    pub paying: Option<BankDetailsOut>,
    /// The notify party in force, if any.
    pub notify_party: Option<NotifyPartyOut>,
    pub payee: PayeeOut,
}

impl From<&AchRow> for AchRowOut {
    fn from(r: &AchRow) -> AchRowOut {
        AchRowOut {
            importer_id: r.importer_id,
            number: r.number.clone(),
            name: r.name.clone(),
            revision: r.revision,
            current: r.current.as_ref().map(Into::into),
            paying: r.paying.as_ref().map(Into::into),
            notify_party: r.notify_party.as_ref().map(Into::into),
            payee: (&r.payee).into(),
        }
    }
}

/// The ACH Refund Authorization tab of an Importer sub-account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AchTabOut {
    pub sub_account_id: i64,
    /// One per importer number of the sub-account (each suffix separately).
    pub rows: Vec<AchRowOut>,
    /// When the FedACH routing directory was loaded (RFC 3339); null when none is: routing
    /// numbers are then checked by their check digit alone.
    pub directory_loaded_at: Option<String>,
    /// The caller may add, change and remove bank details here.
    pub can_change: bool,
    /// The caller may designate and revoke notify parties here.
    pub can_manage_parties: bool,
    /// Notify parties by other importers naming this sub-account's numbers as their notify party.
    pub naming_us: Vec<NotifyPartyOut>,
}

impl From<&AchTab> for AchTabOut {
    fn from(t: &AchTab) -> AchTabOut {
        AchTabOut {
            sub_account_id: t.sub.id,
            rows: t.data.rows.iter().map(Into::into).collect(),
            directory_loaded_at: t.data.directory_loaded_at.map(rfc3339),
            can_change: t.can_change,
            can_manage_parties: t.can_manage_parties,
            naming_us: notify_parties_out(&t.data.naming_us),
        }
    }
}

/// Bank details of an Importer sub-account, one row per importer number.
#[utoipa::path(get, path = "/sub-accounts/{id}/ach", tag = "ach",
    params(("id" = i64, Path, description = "Importer sub-account id (see GET /api/v1/account)")),
    responses(
        (status = 200, body = AchTabOut),
        (status = 401, body = Problem, description = "no or unknown token"),
        (status = 403, body = Problem, description = "no ACH Refund Authorization access here"),
        (status = 404, body = Problem, description = "not an Importer sub-account of the caller's company")))]
pub async fn tab(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AchTabOut>, ApiError> {
    let t = app::ach::tab::tab(&state.app, &user, id).await?;
    Ok(Json((&t).into()))
}

/// An importer number the details apply to, with the revision the caller last read.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetInput {
    pub importer_id: i64,
    /// The row's `revision` from GET; a different current revision gives 409.
    pub revision: i32,
}

/// New bank details for one or more importer numbers of the sub-account.
// No `Debug`: it holds the full account number.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankInput {
    pub targets: Vec<TargetInput>,
    /// 9 digits with a valid ABA check digit; listed in the FedACH directory as receiving ACH
    /// when a directory is loaded.
    #[schema(example = "021000021")]
    pub routing: String,
    /// 4 to 17 digits, as a JSON string; spaces and dashes between groups are ignored.
    #[schema(example = "000123456789")]
    pub account: String,
    /// The same account number typed again.
    #[schema(example = "000123456789")]
    pub account_confirm: String,
    /// `checking` or `savings`.
    #[schema(example = "checking")]
    pub account_type: String,
    /// As the bank knows it; it should resemble the importer's Form 5106 name.
    pub holder_name: String,
    /// Confirms a holder name that does not resemble the importer's name (otherwise 422 on
    /// `holder_name`).
    #[serde(default)]
    pub holder_confirmed: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionOut {
    pub importer_id: i64,
    pub version_id: i64,
}

/// Saved: one new Pending version per importer number; a zero-dollar prenote is queued for each.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedOut {
    pub versions: Vec<VersionOut>,
    /// The same bank account is enrolled by an unrelated importer: saved, and flagged for CBP review.
    pub flagged_for_review: bool,
    /// From the FedACH directory, to confirm; empty when no directory is loaded.
    pub bank_name: String,
}

/// Adds or changes the bank details of one or more importer numbers.
///
/// New details start as Pending verification (a zero-dollar prenote is queued); Active ones, if
/// any, keep receiving refunds until the new ones are Active. The account number is never returned.
#[utoipa::path(put, path = "/sub-accounts/{id}/ach", tag = "ach", request_body = BankInput,
    params(("id" = i64, Path, description = "Importer sub-account id")),
    responses(
        (status = 200, body = SavedOut),
        (status = 400, body = Problem, description = "the body is not JSON of this shape"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "read-only or no ACH access"),
        (status = 404, body = Problem, description = "the sub-account or an importer number is not the caller's"),
        (status = 409, body = Problem, description = "a target's revision is stale: changed by someone else since"),
        (status = 422, body = Problem, description = "fields to fix, in `errors`")))]
pub async fn save(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<BankInput>,
) -> Result<Json<SavedOut>, ApiError> {
    let form = BankForm {
        targets: input.targets.iter().map(|t| (t.importer_id, t.revision)).collect(),
        routing: input.routing,
        account: input.account,
        account_confirm: input.account_confirm,
        account_type: input.account_type,
        holder_name: input.holder_name,
        holder_confirmed: input.holder_confirmed,
    };
    let saved = app::ach::change::save(&state.app, &user, id, &form).await?;
    Ok(Json(SavedOut {
        versions: saved
            .versions
            .iter()
            .map(|&(importer_id, version_id)| VersionOut { importer_id, version_id })
            .collect(),
        flagged_for_review: saved.flagged_for_review,
        bank_name: saved.bank_name,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevisionParam {
    /// The row's `revision` from GET.
    pub revision: i32,
}

/// Removes the bank details of one importer number.
///
/// Its refunds are then rejected until new details are Active.
#[utoipa::path(delete, path = "/sub-accounts/{id}/ach/{importer_id}", tag = "ach",
    params(
        ("id" = i64, Path, description = "Importer sub-account id"),
        ("importer_id" = i64, Path, description = "importer number record id (a row's `importer_id`)"),
        RevisionParam),
    responses(
        (status = 204, description = "removed"),
        (status = 400, body = Problem, description = "no or malformed `revision`"),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "stale revision, or nothing to remove")))]
pub async fn remove(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(path): ApiPath<(i64, i64)>,
    ApiQuery(q): ApiQuery<RevisionParam>,
) -> Result<StatusCode, ApiError> {
    let (id, importer_id) = path;
    app::ach::change::remove(&state.app, &user, id, importer_id, q.revision).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A status change of one version.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusEventOut {
    pub version_no: i32,
    /// RFC 3339.
    pub at: String,
    /// Status code before; null for new details.
    pub from: Option<String>,
    pub from_label: String,
    pub to: Option<String>,
    pub to_label: String,
    pub actor: String,
    pub reason: String,
}

impl From<&StatusEvent> for StatusEventOut {
    fn from(e: &StatusEvent) -> StatusEventOut {
        // The history carries labels; codes read labels too ("(new)" is no status).
        let code = |label: &str| EnrollmentStatus::from_code(label).map(|s| s.code().to_owned());
        StatusEventOut {
            version_no: e.version_no,
            at: rfc3339(e.at),
            from: code(&e.from),
            from_label: e.from.clone(),
            to: code(&e.to),
            to_label: e.to.clone(),
            actor: e.actor.clone(),
            reason: e.reason.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AchHistoryOut {
    pub importer_id: i64,
    pub number: String,
    pub name: String,
    /// Every version, newest first, masked.
    pub versions: Vec<BankDetailsOut>,
    /// Every status change, newest first.
    pub events: Vec<StatusEventOut>,
}

impl From<&History> for AchHistoryOut {
    fn from(h: &History) -> AchHistoryOut {
        AchHistoryOut {
            importer_id: h.importer_id,
            number: h.number.clone(),
            name: h.name.clone(),
            versions: h.versions.iter().map(Into::into).collect(),
            events: h.events.iter().map(Into::into).collect(),
        }
    }
}

/// Every version of an importer number's bank details (masked) and every status change.
#[utoipa::path(get, path = "/sub-accounts/{id}/ach/{importer_id}/history", tag = "ach",
    params(
        ("id" = i64, Path, description = "Importer sub-account id"),
        ("importer_id" = i64, Path, description = "importer number record id")),
    responses(
        (status = 200, body = AchHistoryOut),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(path): ApiPath<(i64, i64)>,
) -> Result<Json<AchHistoryOut>, ApiError> {
    let (id, importer_id) = path;
    let h = app::ach::history::history(&state.app, &user, id, importer_id).await?;
    Ok(Json((&h).into()))
}

/// Notify parties made by the sub-account's importer numbers, revoked ones included.
#[utoipa::path(get, path = "/sub-accounts/{id}/notify-parties", tag = "ach",
    params(("id" = i64, Path, description = "Importer sub-account id")),
    responses(
        (status = 200, body = Vec<NotifyPartyOut>),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn notify_parties(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<NotifyPartyOut>>, ApiError> {
    let list = app::ach::notify_parties::list(&state.app, &user, id).await?;
    Ok(Json(notify_parties_out(&list)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DesignateInput {
    /// The importer number (of this sub-account) whose refunds the party receives.
    pub importer_id: i64,
    /// The notify party's importer number, as on its own Form 5106 record.
    #[schema(example = "88-888888800")]
    pub party_number: String,
    /// `YYYY-MM-DD`, today or later; today when omitted. A notify party in force ends the day
    /// this one starts.
    #[serde(default)]
    pub effective_on: Option<String>,
}

/// Designates a notify party (Form 4811) for one importer number.
#[utoipa::path(post, path = "/sub-accounts/{id}/notify-parties", tag = "ach", request_body = DesignateInput,
    params(("id" = i64, Path, description = "Importer sub-account id")),
    responses(
        (status = 201, body = NotifyPartyOut),
        (status = 400, body = Problem),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "no \"Notify parties: manage\" permission"),
        (status = 404, body = Problem),
        (status = 422, body = Problem, description = "unknown, inactive or own party number; bad date")))]
pub async fn designate(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<DesignateInput>,
) -> Result<(StatusCode, Json<NotifyPartyOut>), ApiError> {
    let d = app::ach::notify_parties::designate(
        &state.app,
        &user,
        id,
        input.importer_id,
        &input.party_number,
        input.effective_on.as_deref().unwrap_or(""),
    )
    .await?;
    Ok((StatusCode::CREATED, Json((&d).into())))
}

/// Revokes a notify party.
///
/// It ends today, or on its start day when it has not started yet.
#[utoipa::path(post, path = "/sub-accounts/{id}/notify-parties/{notify_party_id}/revoke", tag = "ach",
    params(
        ("id" = i64, Path, description = "Importer sub-account id"),
        ("notify_party_id" = i64, Path, description = "notify party id")),
    responses(
        (status = 204, description = "revoked"),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "already revoked")))]
pub async fn revoke(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(path): ApiPath<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    let (id, notify_party_id) = path;
    app::ach::notify_parties::revoke(&state.app, &user, id, notify_party_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Notify parties by other importers naming this sub-account's importer numbers as their notify party.
#[utoipa::path(get, path = "/sub-accounts/{id}/importers-naming-us", tag = "ach",
    params(("id" = i64, Path, description = "Importer sub-account id")),
    responses(
        (status = 200, body = Vec<NotifyPartyOut>),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn naming_us(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<NotifyPartyOut>>, ApiError> {
    let list = app::ach::notify_parties::naming_me(&state.app, &user, id).await?;
    Ok(Json(notify_parties_out(&list)))
}

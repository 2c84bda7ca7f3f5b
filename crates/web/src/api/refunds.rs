//! `/api/v1/refunds`: record refunds (one or a batch, all or nothing), list them (keyset pages,
//! newest first), read one with its timeline, and the per-status summary. The same rules and
//! scopes as the pages (`app::refunds`): CBP staff see all, brokers the entries bearing their
//! filer code, portal users their Importer sub-accounts' refunds with the Reports permission.

use app::refunds::import::RecordReport;
use app::refunds::input::RefundFields;
use app::refunds::{ListQuery, RefundView};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::accounts::ApiUser;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use crate::problem::{ApiError, Problem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, record)).routes(routes!(summary)).routes(routes!(get_one, correct))
}

/// A refund. Importer numbers are masked when SSN-based; amounts are integer cents.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefundOut {
    pub refund_number: String,
    pub importer_number: String,
    pub importer_name: String,
    /// `FFF-NNNNNNN-C`.
    pub entry_number: String,
    pub filer_code: String,
    /// liquidation, reliquidation, protest, drawback, pre_liquidation, psc, cape, other.
    pub source: String,
    pub principal_cents: i64,
    /// Null while the interest rate of a day of the period is not known.
    pub interest_cents: Option<i64>,
    pub offset_cents: i64,
    /// principal + interest - offsets; null before certification.
    pub net_cents: Option<i64>,
    /// recorded, held_ach_rejected, funds_diverted, payable, transmitted, sent_to_treasury,
    /// treasury_issued, ach_returned, reissued.
    pub status: String,
    pub status_label: String,
    /// `partially_diverted` or empty.
    pub secondary_status: String,
    /// Why the refund waits, in words; empty otherwise.
    pub held_reason: String,
    /// What the payee should do, if anything.
    pub next_step: String,
    pub deposit_date: String,
    pub liquidation_date: String,
    /// The day it was certified.
    pub refund_date: Option<String>,
    /// The entry's 4811 reference (box 28).
    pub notify_party: Option<String>,
    pub payee_number: Option<String>,
    pub payee_name: Option<String>,
    /// `importer` or `notify_party`; empty before certification.
    pub payee_kind: String,
}

impl From<RefundView> for RefundOut {
    fn from(r: RefundView) -> Self {
        let next_step = app::refunds::next_step(&r).to_string();
        RefundOut {
            refund_number: r.refund_number,
            importer_number: r.importer_number,
            importer_name: r.importer_name,
            entry_number: r.entry_number,
            filer_code: r.filer_code,
            source: r.source,
            principal_cents: r.principal_cents,
            interest_cents: r.interest_cents,
            offset_cents: r.offset_cents,
            net_cents: r.net_cents,
            status: r.status,
            status_label: r.status_label,
            secondary_status: r.secondary_status,
            held_reason: r.held_reason,
            next_step,
            deposit_date: r.deposit_date,
            liquidation_date: r.liquidation_date,
            refund_date: r.refund_date,
            notify_party: r.notify_party,
            payee_number: r.payee_number,
            payee_name: r.payee_name,
            payee_kind: r.payee_kind,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefundPageOut {
    pub refunds: Vec<RefundOut>,
    /// Pass as `before` for the next (older) page; null on the last page.
    pub next_before: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// A status code.
    pub status: Option<String>,
    /// Only this importer number.
    pub importer_number: Option<String>,
    /// Keyset: refunds older than this (from `next_before`).
    pub before: Option<i64>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<u64>,
}

/// Refunds the caller may see, newest first.
#[utoipa::path(get, path = "/refunds", tag = "refunds", params(ListParams),
    responses((status = 200, body = RefundPageOut), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<RefundPageOut>, ApiError> {
    let scope = app::refunds::scope(&state.app, &user).await?;
    let q = ListQuery {
        status: p.status,
        importer_number: p.importer_number,
        before_id: p.before,
        limit: p.limit.unwrap_or(50).max(1),
    };
    let page = app::refunds::list(&state.app, &scope, &q).await?;
    Ok(Json(RefundPageOut {
        refunds: page.refunds.into_iter().map(Into::into).collect(),
        next_before: page.next_before,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineOut {
    pub at: String,
    pub by: String,
    pub status: String,
    pub status_label: String,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OffsetOut {
    pub bill_number: String,
    pub cents: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefundDetailOut {
    pub refund: RefundOut,
    pub timeline: Vec<TimelineOut>,
    pub offsets: Vec<OffsetOut>,
}

/// One refund with its timeline and the bills it paid. A refund the caller may not see is "not
/// found".
#[utoipa::path(get, path = "/refunds/{number}", tag = "refunds",
    params(("number" = String, Path, description = "refund number")),
    responses((status = 200, body = RefundDetailOut), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(number): ApiPath<String>,
) -> Result<Json<RefundDetailOut>, ApiError> {
    let scope = app::refunds::scope(&state.app, &user).await?;
    let d = app::refunds::show(&state.app, &scope, &number).await?;
    Ok(Json(RefundDetailOut {
        refund: d.refund.into(),
        timeline: d
            .timeline
            .into_iter()
            .map(|t| TimelineOut {
                at: t.at,
                by: t.by,
                status: t.status,
                status_label: t.status_label,
                reason: t.reason,
            })
            .collect(),
        offsets: d.offsets.into_iter().map(|(bill_number, cents)| OffsetOut { bill_number, cents }).collect(),
    }))
}

/// One refund to record, as in the CSV file.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundIn {
    /// Unique; generated from the facts when empty (so the same refund sent twice is recognised).
    #[serde(default)]
    pub refund_number: String,
    pub importer_number: String,
    /// `FFF-NNNNNNN-C`, with or without dashes.
    pub entry_number: String,
    pub source: String,
    /// Dollars with two decimals, as a string (`"1234.56"`), so no floating point touches money.
    pub principal: String,
    /// `YYYY-MM-DD`.
    pub deposit_date: String,
    /// `YYYY-MM-DD`.
    pub liquidation_date: String,
    /// The entry's 4811 reference (box 28), an importer number; optional.
    #[serde(default)]
    pub notify_party: String,
}

impl From<RefundIn> for RefundFields {
    fn from(r: RefundIn) -> Self {
        RefundFields {
            refund_number: r.refund_number,
            importer_number: r.importer_number,
            entry_number: r.entry_number,
            source: r.source,
            principal: r.principal,
            deposit_date: r.deposit_date,
            liquidation_date: r.liquidation_date,
            notify_party: r.notify_party,
        }
    }
}

/// One refund, or a batch (all or nothing).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum RecordIn {
    Batch {
        refunds: Vec<RefundIn>,
        /// Check every item, record nothing.
        #[serde(default)]
        dry_run: bool,
    },
    One(RefundIn),
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemError {
    /// The item's position in the batch, from 1.
    pub item: u64,
    pub field: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordOut {
    pub items: u64,
    pub created: u64,
    pub unchanged: u64,
    pub written: bool,
    pub dry_run: bool,
    /// The refund numbers created (up to 1,000).
    pub refund_numbers: Vec<String>,
    pub errors: Vec<ItemError>,
}

impl From<RecordReport> for RecordOut {
    fn from(r: RecordReport) -> Self {
        RecordOut {
            items: r.rows,
            created: r.created,
            unchanged: r.unchanged,
            written: r.written,
            dry_run: r.dry_run,
            refund_numbers: r.numbers,
            errors: r
                .errors
                .into_iter()
                .map(|e| ItemError { item: e.line, field: e.field, message: e.message })
                .collect(),
        }
    }
}

/// Records one refund or a batch (CBP staff). 201 when recorded, 200 for a clean dry run or
/// when everything was already recorded, 422 with every problem (item and field) otherwise.
#[utoipa::path(post, path = "/refunds", tag = "refunds", request_body = RecordIn,
    responses((status = 201, body = RecordOut), (status = 200, body = RecordOut), (status = 422, body = RecordOut),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn record(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<RecordIn>,
) -> Result<Response, ApiError> {
    let (items, dry_run) = match body {
        RecordIn::Batch { refunds, dry_run } => (refunds, dry_run),
        RecordIn::One(r) => (vec![r], false),
    };
    if items.len() > 100_000 {
        return Err(ApiError(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "send at most 100,000 refunds per request, or use `ace-refunds refunds import` for files",
        )));
    }
    let items = items.into_iter().map(Into::into).collect();
    let r = app::refunds::import::record(&state.app, &user.actor, items, "api", dry_run).await?;
    let status = if r.error_count > 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else if r.created > 0 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(RecordOut::from(r))).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusTotalOut {
    pub count: i64,
    pub net_cents: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryOut {
    /// Every status code with its count and amount.
    pub by_status: std::collections::BTreeMap<String, StatusTotalOut>,
}

/// Count and amount of refunds per status (CBP staff).
#[utoipa::path(get, path = "/refunds/summary", tag = "refunds",
    responses((status = 200, body = SummaryOut), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn summary(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<SummaryOut>, ApiError> {
    if user.actor.role != domain::Role::CbpStaff {
        return Err(app::AppError::Forbidden("the summary of all refunds is for CBP staff".into()).into());
    }
    let s = app::refunds::summary(&state.app).await?;
    Ok(Json(SummaryOut {
        by_status: s.into_iter().map(|(k, v)| (k, StatusTotalOut { count: v.count, net_cents: v.net_cents })).collect(),
    }))
}

/// Corrects a refund that is still Recorded (CBP staff; audited). Every field as when recording;
/// the refund number in the body, if any, is ignored. 409 once the refund is certified.
#[utoipa::path(put, path = "/refunds/{number}", tag = "refunds", request_body = RefundIn,
    params(("number" = String, Path, description = "refund number")),
    responses((status = 200, body = RefundOut), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn correct(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<RefundIn>,
) -> Result<Json<RefundOut>, ApiError> {
    let v = app::refunds::correct(&state.app, &user.actor, &number, &body.into()).await?;
    Ok(Json(v.into()))
}

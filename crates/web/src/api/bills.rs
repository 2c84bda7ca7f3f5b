//! `/api/v1/bills`: CBP bills, the debts of an importer that its refunds pay first at
//! certification. Record one or a batch (all or nothing, idempotent by bill number, the same
//! rules as `ace-refunds bills import` through `app::refunds::bills`) and list an importer's
//! bills with what is still open. CBP staff only.

use app::refunds::bills::{BillFields, BillReport, BillView};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::accounts::ApiUser;
use super::extract::{ApiJson, ApiQuery};
use crate::AppState;
use crate::problem::{ApiError, Problem};

/// Bills per request; files beyond this go through `ace-refunds bills import`.
const MAX_ITEMS: usize = 100_000;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, record))
}

/// One bill to record, as in the CSV file.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillIn {
    /// Unique: up to 40 letters, digits and '-' (stored in capitals).
    pub bill_number: String,
    /// The importer that owes it; must have a Form 5106 record.
    pub importer_number: String,
    /// Dollars with two decimals, as a string (`"1234.56"`), so no floating point touches money.
    pub amount: String,
    /// `YYYY-MM-DD`, not in the future; refunds pay the oldest bill first.
    pub bill_date: String,
}

impl From<BillIn> for BillFields {
    fn from(b: BillIn) -> Self {
        BillFields {
            bill_number: b.bill_number,
            importer_number: b.importer_number,
            amount: b.amount,
            bill_date: b.bill_date,
        }
    }
}

/// One bill, or a batch (all or nothing).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum RecordBillsIn {
    Batch {
        bills: Vec<BillIn>,
        /// Check every item, record nothing.
        #[serde(default)]
        dry_run: bool,
    },
    One(BillIn),
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BillItemError {
    /// The item's position in the batch, from 1.
    pub item: u64,
    pub field: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordBillsOut {
    pub items: u64,
    pub created: u64,
    /// Bills already recorded with the same facts.
    pub unchanged: u64,
    pub written: bool,
    pub dry_run: bool,
    pub errors: Vec<BillItemError>,
}

impl From<BillReport> for RecordBillsOut {
    fn from(r: BillReport) -> Self {
        RecordBillsOut {
            items: r.rows,
            created: r.created,
            unchanged: r.unchanged,
            written: r.written,
            dry_run: r.dry_run,
            errors: r
                .errors
                .into_iter()
                .map(|e| BillItemError { item: e.line, field: e.field, message: e.message })
                .collect(),
        }
    }
}

/// Records one bill or a batch (CBP staff). 201 when recorded, 200 for a clean dry run or when
/// every bill was already recorded with the same facts, 422 with every problem (item and field)
/// and nothing written otherwise; a bill number recorded with different facts is such a problem.
#[utoipa::path(post, path = "/bills", tag = "bills", request_body = RecordBillsIn,
    responses((status = 201, body = RecordBillsOut), (status = 200, body = RecordBillsOut),
        (status = 422, body = RecordBillsOut), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem)))]
pub async fn record(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<RecordBillsIn>,
) -> Result<Response, ApiError> {
    let (items, dry_run) = match body {
        RecordBillsIn::Batch { bills, dry_run } => (bills, dry_run),
        RecordBillsIn::One(b) => (vec![b], false),
    };
    if items.len() > MAX_ITEMS {
        return Err(ApiError(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "send at most 100,000 bills per request, or use `ace-refunds bills import` for files",
        )));
    }
    let items = items.into_iter().zip(1u64..).map(|(b, item)| (item, b.into())).collect();
    let r = app::refunds::bills::record(&state.app, &user.actor, items, dry_run).await?;
    let status = if !r.errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else if r.created > 0 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(RecordBillsOut::from(r))).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BillsParams {
    /// The importer whose bills to list (required).
    pub importer_number: String,
}

/// A recorded bill. Amounts are integer cents.
#[derive(Debug, Serialize, ToSchema)]
pub struct BillOut {
    pub bill_number: String,
    /// Masked when SSN-based.
    pub importer_number: String,
    pub amount_cents: i64,
    /// Still owed after the refunds applied to it; 0 once paid.
    pub open_cents: i64,
    /// `YYYY-MM-DD`.
    pub bill_date: String,
    /// `YYYY-MM-DD HH:MM` (UTC).
    pub recorded_at: String,
    pub recorded_by: String,
}

impl From<BillView> for BillOut {
    fn from(b: BillView) -> Self {
        BillOut {
            bill_number: b.bill_number,
            importer_number: b.importer_number,
            amount_cents: b.amount_cents,
            open_cents: b.open_cents,
            bill_date: b.bill_date,
            recorded_at: b.recorded_at,
            recorded_by: b.recorded_by,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BillsOut {
    /// Oldest bill first (the order refunds pay them).
    pub bills: Vec<BillOut>,
}

/// The bills of one importer, open and paid, oldest first (CBP staff). 404 when the importer
/// number has no Form 5106 record.
#[utoipa::path(get, path = "/bills", tag = "bills", params(BillsParams),
    responses((status = 200, body = BillsOut), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(p): ApiQuery<BillsParams>,
) -> Result<Json<BillsOut>, ApiError> {
    let bills = app::refunds::bills::of_importer(&state.app, &user.actor, &p.importer_number).await?;
    Ok(Json(BillsOut { bills: bills.into_iter().map(Into::into).collect() }))
}

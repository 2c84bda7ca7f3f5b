//! The refund ledger's queries: refunds, their status events, and the decisions certification
//! writes. Money is integer cents, dates `YYYY-MM-DD` text (they sort as dates).

use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Func, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use time::OffsetDateTime;

use crate::schema::refunds::{RefundEvents, Refunds};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRow {
    pub id: i64,
    pub refund_number: String,
    pub importer_id: i64,
    pub entry_number: String,
    pub filer_code: String,
    pub source: String,
    pub principal_cents: i64,
    pub deposit_date: String,
    pub liquidation_date: String,
    pub notify_party_id: Option<i64>,
    pub interest_cents: Option<i64>,
    pub offset_cents: i64,
    pub net_cents: Option<i64>,
    pub status: String,
    pub secondary_status: String,
    pub held_reason: String,
    pub payee_importer_id: Option<i64>,
    pub payee_kind: String,
    pub refund_date: Option<String>,
    pub status_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
    pub created_by: String,
    pub created_source: String,
    pub version: i64,
}

/// The one mapping of a `refunds` row.
pub fn from_row(r: &QueryResult) -> Result<RefundRow, DbErr> {
    Ok(RefundRow {
        id: r.try_get("", "id")?,
        refund_number: r.try_get("", "refund_number")?,
        importer_id: r.try_get("", "importer_id")?,
        entry_number: r.try_get("", "entry_number")?,
        filer_code: r.try_get("", "filer_code")?,
        source: r.try_get("", "source")?,
        principal_cents: r.try_get("", "principal_cents")?,
        deposit_date: r.try_get("", "deposit_date")?,
        liquidation_date: r.try_get("", "liquidation_date")?,
        notify_party_id: r.try_get("", "notify_party_id")?,
        interest_cents: r.try_get("", "interest_cents")?,
        offset_cents: r.try_get("", "offset_cents")?,
        net_cents: r.try_get("", "net_cents")?,
        status: r.try_get("", "status")?,
        secondary_status: r.try_get("", "secondary_status")?,
        held_reason: r.try_get("", "held_reason")?,
        payee_importer_id: r.try_get("", "payee_importer_id")?,
        payee_kind: r.try_get("", "payee_kind")?,
        refund_date: r.try_get("", "refund_date")?,
        status_at: r.try_get("", "status_at")?,
        created_at: r.try_get("", "created_at")?,
        created_by: r.try_get("", "created_by")?,
        created_source: r.try_get("", "created_source")?,
        version: r.try_get("", "version")?,
    })
}

/// A refund to record (status `recorded`; written by `refunds_bulk`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefund {
    pub refund_number: String,
    pub importer_id: i64,
    pub entry_number: String,
    pub filer_code: String,
    pub source: String,
    pub principal_cents: i64,
    pub deposit_date: String,
    pub liquidation_date: String,
    pub notify_party_id: Option<i64>,
    pub interest_cents: Option<i64>,
    pub created_source: String,
}

/// Rows per multi-row statement: SQLite allows 32,766 bound values, PostgreSQL 65,535.
pub const INSERT_CHUNK: usize = 1_000;

/// A status change to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub refund_id: i64,
    pub from_status: String,
    pub to_status: String,
    pub reason: String,
}

pub async fn insert_events(
    conn: &impl ConnectionTrait,
    events: &[NewEvent],
    actor_label: &str,
    at: OffsetDateTime,
) -> Result<(), DbErr> {
    for chunk in events.chunks(INSERT_CHUNK) {
        let mut stmt = Query::insert();
        stmt.into_table(RefundEvents::Table).columns([
            RefundEvents::RefundId,
            RefundEvents::At,
            RefundEvents::ActorLabel,
            RefundEvents::FromStatus,
            RefundEvents::ToStatus,
            RefundEvents::Reason,
        ]);
        for e in chunk {
            stmt.values_panic([
                e.refund_id.into(),
                at.into(),
                actor_label.into(),
                e.from_status.clone().into(),
                e.to_status.clone().into(),
                e.reason.clone().into(),
            ]);
        }
        conn.execute(&stmt.to_owned()).await?;
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub id: i64,
    pub at: OffsetDateTime,
    pub actor_label: String,
    pub from_status: String,
    pub to_status: String,
    pub reason: String,
}

/// A refund's events, oldest first.
pub async fn events_of(conn: &impl ConnectionTrait, refund_id: i64) -> Result<Vec<EventRow>, DbErr> {
    let stmt = Query::select()
        .column(Asterisk)
        .from(RefundEvents::Table)
        .and_where(Expr::col(RefundEvents::RefundId).eq(refund_id))
        .order_by(RefundEvents::Id, Order::Asc)
        .to_owned();
    conn.query_all(&stmt)
        .await?
        .iter()
        .map(|r| {
            Ok(EventRow {
                id: r.try_get("", "id")?,
                at: r.try_get("", "at")?,
                actor_label: r.try_get("", "actor_label")?,
                from_status: r.try_get("", "from_status")?,
                to_status: r.try_get("", "to_status")?,
                reason: r.try_get("", "reason")?,
            })
        })
        .collect()
}

fn select() -> SelectStatement {
    Query::select().column(Asterisk).from(Refunds::Table).to_owned()
}

/// The refunds with these numbers (for idempotent imports).
pub async fn by_numbers(conn: &impl ConnectionTrait, numbers: &[String]) -> Result<Vec<RefundRow>, DbErr> {
    let mut out = Vec::new();
    for chunk in numbers.chunks(INSERT_CHUNK) {
        let stmt = select().and_where(Expr::col(Refunds::RefundNumber).is_in(chunk.iter().cloned())).to_owned();
        for r in conn.query_all(&stmt).await? {
            out.push(from_row(&r)?);
        }
    }
    Ok(out)
}

pub async fn by_number(conn: &impl ConnectionTrait, number: &str) -> Result<Option<RefundRow>, DbErr> {
    let stmt = select().and_where(Expr::col(Refunds::RefundNumber).eq(number)).to_owned();
    conn.query_one(&stmt).await?.map(|r| from_row(&r)).transpose()
}

pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<RefundRow>, DbErr> {
    let stmt = select().and_where(Expr::col(Refunds::Id).eq(id)).to_owned();
    conn.query_one(&stmt).await?.map(|r| from_row(&r)).transpose()
}

/// The term that lets a query use the certification queue index (m0013), always true:
/// `version > 0`. The index's predicate carries it so that only the queries that say it (the
/// queue's) can use that index; the Refunds tab's status filter used it by mistake otherwise.
fn queue() -> Expr {
    Expr::col(Refunds::Version).gt(0)
}

/// Up to `limit` refunds in `status` after id `after` (keyset), oldest first; with `due_by`,
/// only those whose liquidation date is on or before it.
pub async fn in_status(
    conn: &impl ConnectionTrait,
    status: &str,
    due_by: Option<&str>,
    after: i64,
    limit: u64,
) -> Result<Vec<RefundRow>, DbErr> {
    let mut stmt = select()
        .and_where(Expr::col(Refunds::Status).eq(status))
        .and_where(queue())
        .and_where(Expr::col(Refunds::Id).gt(after))
        .order_by(Refunds::Id, Order::Asc)
        .limit(limit)
        .to_owned();
    if let Some(d) = due_by {
        stmt.and_where(Expr::col(Refunds::LiquidationDate).lte(d));
    }
    conn.query_all(&stmt).await?.iter().map(from_row).collect()
}

/// What certification (or a release) decided for one refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub id: i64,
    /// The version read; the write is refused when another writer got there first.
    pub version: i64,
    pub status: String,
    pub secondary_status: String,
    pub held_reason: String,
    pub interest_cents: Option<i64>,
    pub offset_cents: i64,
    pub net_cents: Option<i64>,
    pub payee_importer_id: Option<i64>,
    pub payee_kind: String,
    pub refund_date: Option<String>,
}

/// Count and net total per status (net is principal + interest - offsets; before certification,
/// principal plus any interest known).
pub async fn summary(conn: &impl ConnectionTrait) -> Result<Vec<(String, i64, i64)>, DbErr> {
    let net = Expr::cust(
        // PostgreSQL sums BIGINT as NUMERIC: cast back so both engines return an integer.
        "CAST(COALESCE(SUM(COALESCE(net_cents, principal_cents + COALESCE(interest_cents, 0) - offset_cents)), 0) AS BIGINT)",
    );
    let stmt = Query::select()
        .column(Refunds::Status)
        .expr_as(Func::count(Expr::col(Refunds::Id)), sea_orm::sea_query::Alias::new("n"))
        .expr_as(net, sea_orm::sea_query::Alias::new("total"))
        .from(Refunds::Table)
        .group_by_col(Refunds::Status)
        .to_owned();
    conn.query_all(&stmt)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("", "status")?, r.try_get::<i64>("", "n")?, r.try_get::<i64>("", "total")?)))
        .collect()
}

/// Which refunds a list shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Refunds of these importers, or paid to them (as importer or notify party). Empty: all.
    pub importer_ids: Vec<i64>,
    /// Refunds of entries bearing this filer code (brokers).
    pub filer_code: Option<String>,
    pub status: Option<String>,
    /// Keyset: only ids below this (newest first).
    pub before_id: Option<i64>,
    pub limit: u64,
}

/// Refunds for a list, newest first.
///
/// For importers (a sub-account's tab) each importer is read in arms, its own refunds (one arm
/// per status, from (importer_id, status, id)) and those paid to it as a notify party (the
/// partial payee index of m0013), each newest first and cut at the page size; the page's ids are
/// taken from the merged arms, then only their rows are read. A page of an importer with 100,000
/// refunds reads at most a page of index entries per arm instead of every refund of the importer
/// (which one `OR` over the two columns did, to sort them).
pub async fn list(conn: &impl ConnectionTrait, f: &ListFilter) -> Result<Vec<RefundRow>, DbErr> {
    let narrow = |stmt: &mut SelectStatement, status: Option<&str>| {
        if let Some(fc) = &f.filer_code {
            stmt.and_where(Expr::col(Refunds::FilerCode).eq(fc.as_str()));
        }
        if let Some(s) = status {
            stmt.and_where(Expr::col(Refunds::Status).eq(s));
        }
        if let Some(b) = f.before_id {
            stmt.and_where(Expr::col(Refunds::Id).lt(b));
        }
    };
    let mut stmt = select().order_by(Refunds::Id, Order::Desc).limit(f.limit).to_owned();
    // The importer arm, once per status asked for (every status when unfiltered): the importer
    // index is (importer_id, status, id), so each arm reads its page newest first.
    let statuses: Vec<&str> = match &f.status {
        Some(s) => vec![s.as_str()],
        None => STATUSES.to_vec(),
    };
    let mut arms: Option<SelectStatement> = None;
    let mut k = 0;
    for id in &f.importer_ids {
        let own = statuses.iter().map(|s| (Refunds::ImporterId, Some(*s)));
        let paid = std::iter::once((Refunds::PayeeImporterId, f.status.as_deref()));
        for (column, status) in own.chain(paid) {
            let mut arm = Query::select()
                .column(Refunds::Id)
                .from(Refunds::Table)
                .and_where(Expr::col(column).eq(*id))
                .order_by(Refunds::Id, Order::Desc)
                .limit(f.limit)
                .to_owned();
            if matches!(column, Refunds::PayeeImporterId) {
                // Paid to it but not its own (those are in the importer arms): the predicate of
                // the partial payee index (m0013), written out so that both engines use it.
                arm.and_where(Expr::col(Refunds::PayeeImporterId).ne(Expr::col(Refunds::ImporterId)));
            }
            narrow(&mut arm, status);
            // Wrapped: SQLite takes no ORDER BY or LIMIT on a bare arm of a UNION.
            let wrapped = Query::select()
                .column(Asterisk)
                .from_subquery(arm, sea_orm::sea_query::Alias::new(format!("a{k}")))
                .to_owned();
            k += 1;
            match &mut arms {
                None => arms = Some(wrapped),
                Some(u) => {
                    u.union(sea_orm::sea_query::UnionType::All, wrapped);
                }
            }
        }
    }
    match arms {
        Some(union) => {
            // The page's ids first (index entries only), then only their rows.
            let page = Query::select()
                .column(Refunds::Id)
                .from_subquery(union, sea_orm::sea_query::Alias::new("arms"))
                .order_by(Refunds::Id, Order::Desc)
                .limit(f.limit)
                .to_owned();
            stmt.and_where(Expr::col(Refunds::Id).in_subquery(page));
        }
        None => narrow(&mut stmt, f.status.as_deref()),
    }
    conn.query_all(&stmt).await?.iter().map(from_row).collect()
}

/// Every status code a refund can have (the domain's `RefundStatus`; a test in `app` keeps the
/// two the same).
pub const STATUSES: &[&str] = &[
    "recorded",
    "held_ach_rejected",
    "funds_diverted",
    "payable",
    "transmitted",
    "sent_to_treasury",
    "treasury_issued",
    "ach_returned",
    "reissued",
];

/// Staff correction before certification: replaces the recorded facts of a `recorded` refund at
/// `version`; false when it is no longer recorded or moved meanwhile.
pub async fn correct(
    conn: &impl ConnectionTrait,
    id: i64,
    version: i64,
    r: &NewRefund,
    at: OffsetDateTime,
) -> Result<bool, DbErr> {
    let stmt = Query::update()
        .table(Refunds::Table)
        .values([
            (Refunds::EntryNumber, r.entry_number.clone().into()),
            (Refunds::FilerCode, r.filer_code.clone().into()),
            (Refunds::Source, r.source.clone().into()),
            (Refunds::PrincipalCents, r.principal_cents.into()),
            (Refunds::DepositDate, r.deposit_date.clone().into()),
            (Refunds::LiquidationDate, r.liquidation_date.clone().into()),
            (Refunds::NotifyPartyId, r.notify_party_id.into()),
            (Refunds::InterestCents, r.interest_cents.into()),
            (Refunds::StatusAt, at.into()),
            (Refunds::Version, (version + 1).into()),
        ])
        .and_where(Expr::col(Refunds::Id).eq(id))
        .and_where(Expr::col(Refunds::Version).eq(version))
        .and_where(Expr::col(Refunds::Status).eq("recorded"))
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected() == 1)
}

// The facts certification reads about importers, their bank details and notify parties, for a
// whole batch of refunds at once.

fn t(name: &str) -> sea_orm::sea_query::Alias {
    sea_orm::sea_query::Alias::new(name)
}

/// What the ledger needs of a 5106 record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImporterFacts {
    pub id: i64,
    /// Canonical number.
    pub number: String,
    pub name: String,
    pub company_type: String,
    pub email: String,
}

fn importer_facts(r: &QueryResult) -> Result<ImporterFacts, DbErr> {
    Ok(ImporterFacts {
        id: r.try_get("", "id")?,
        number: r.try_get("", "number")?,
        name: r.try_get("", "name")?,
        company_type: r.try_get("", "company_type")?,
        email: r.try_get("", "email")?,
    })
}

fn importer_select() -> SelectStatement {
    Query::select().columns(["id", "number", "name", "company_type", "email"].map(t)).from(t("importers")).to_owned()
}

/// The 5106 records with these canonical numbers.
pub async fn importers_by_numbers(
    conn: &impl ConnectionTrait,
    numbers: &[String],
) -> Result<Vec<ImporterFacts>, DbErr> {
    let mut out = Vec::new();
    for chunk in numbers.chunks(INSERT_CHUNK) {
        let stmt = importer_select().and_where(Expr::col(t("number")).is_in(chunk.iter().cloned())).to_owned();
        for r in conn.query_all(&stmt).await? {
            out.push(importer_facts(&r)?);
        }
    }
    Ok(out)
}

pub async fn importers_by_ids(conn: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<ImporterFacts>, DbErr> {
    let mut out = Vec::new();
    for chunk in ids.chunks(INSERT_CHUNK) {
        let stmt = importer_select().and_where(Expr::col(t("id")).is_in(chunk.iter().copied())).to_owned();
        for r in conn.query_all(&stmt).await? {
            out.push(importer_facts(&r)?);
        }
    }
    Ok(out)
}

/// `(importer_id, status)` of the live bank-detail versions (pending, active, rejected) of
/// these importers.
pub async fn live_enrollments(conn: &impl ConnectionTrait, importer_ids: &[i64]) -> Result<Vec<(i64, String)>, DbErr> {
    let mut out = Vec::new();
    for chunk in importer_ids.chunks(INSERT_CHUNK) {
        let stmt = Query::select()
            .columns(["importer_id", "status"].map(t))
            .from(t("bank_enrollments"))
            .and_where(Expr::col(t("importer_id")).is_in(chunk.iter().copied()))
            .and_where(Expr::col(t("status")).is_in(crate::enrollments::LIVE))
            .to_owned();
        for r in conn.query_all(&stmt).await? {
            out.push((r.try_get("", "importer_id")?, r.try_get("", "status")?));
        }
    }
    Ok(out)
}

/// `(importer_id, party_importer_id)` of the notify parties in force on `day` for these importers.
pub async fn notify_parties_on(
    conn: &impl ConnectionTrait,
    importer_ids: &[i64],
    day: &str,
) -> Result<Vec<(i64, i64)>, DbErr> {
    let mut out = Vec::new();
    for chunk in importer_ids.chunks(INSERT_CHUNK) {
        let stmt = Query::select()
            .columns(["importer_id", "party_importer_id"].map(t))
            .from(t("notify_designations"))
            .and_where(Expr::col(t("importer_id")).is_in(chunk.iter().copied()))
            .and_where(Expr::col(t("effective_on")).lte(day))
            .cond_where(
                sea_orm::sea_query::Cond::any()
                    .add(Expr::col(t("revoked_on")).is_null())
                    .add(Expr::col(t("revoked_on")).gt(day)),
            )
            .to_owned();
        for r in conn.query_all(&stmt).await? {
            out.push((r.try_get("", "importer_id")?, r.try_get("", "party_importer_id")?));
        }
    }
    Ok(out)
}

/// Importers that receive refunds as payee or notify party, for the held refunds waiting on
/// them: the ids of held refunds whose importer or named party is among `importer_ids`.
pub async fn held_for(conn: &impl ConnectionTrait, importer_ids: &[i64]) -> Result<Vec<RefundRow>, DbErr> {
    let mut out = Vec::new();
    for chunk in importer_ids.chunks(INSERT_CHUNK) {
        let stmt = select()
            .and_where(Expr::col(Refunds::Status).eq("held_ach_rejected"))
            .and_where(queue())
            .cond_where(
                sea_orm::sea_query::Cond::any()
                    .add(Expr::col(Refunds::ImporterId).is_in(chunk.iter().copied()))
                    .add(Expr::col(Refunds::NotifyPartyId).is_in(chunk.iter().copied())),
            )
            .order_by(Refunds::Id, Order::Asc)
            .to_owned();
        for r in conn.query_all(&stmt).await? {
            out.push(from_row(&r)?);
        }
    }
    Ok(out)
}

/// A part of a refund set off against a CBP bill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub bill_id: i64,
    pub refund_id: i64,
    pub amount_cents: i64,
}

/// Everything one certification batch writes, in one transaction.
#[derive(Debug, Clone, Default)]
pub struct DecidedBatch {
    pub applications: Vec<Application>,
    pub decisions: Vec<Decision>,
    pub events: Vec<NewEvent>,
    pub notices: Vec<crate::refund_notices::NewNotice>,
}

/// Writes a batch inside the caller's transaction: bills first (each reduced only if that much
/// is still open), then the decisions (each only at the version read), events and notices.
/// False when a bill or a refund moved since it was read: the caller rolls back and reads
/// again. (SQLite's certification writes the same through rusqlite, `refunds_decide_sqlite`.)
pub async fn write_decided(
    conn: &impl ConnectionTrait,
    b: &DecidedBatch,
    actor: &str,
    at: OffsetDateTime,
) -> Result<bool, DbErr> {
    for a in &b.applications {
        if !crate::bills::apply(conn, a.bill_id, a.refund_id, a.amount_cents, at).await? {
            return Ok(false);
        }
    }
    for chunk in b.decisions.chunks(INSERT_CHUNK) {
        if !decide_many(conn, chunk, at).await? {
            return Ok(false);
        }
    }
    insert_events(conn, &b.events, actor, at).await?;
    crate::refund_notices::insert(conn, &b.notices, at).await?;
    Ok(true)
}

/// Writes many decisions in one statement (`UPDATE ... FROM (VALUES ...)`, which both engines
/// run: SQLite since 3.33), each only if its refund is still at the version read. True when all
/// were written; false when any refund moved meanwhile (the caller rolls back and reads again).
/// At most [`INSERT_CHUNK`] decisions per call, inside the caller's transaction.
pub async fn decide_many(conn: &impl ConnectionTrait, ds: &[Decision], at: OffsetDateTime) -> Result<bool, DbErr> {
    if ds.is_empty() {
        return Ok(true);
    }
    let backend = conn.get_database_backend();
    let pg = backend == sea_orm::DbBackend::Postgres;
    if pg {
        // PostgreSQL estimates a thousand index probes dearer than reading the whole table into
        // a hash join, and did that for every statement (130-230 ms per 1,000 decisions at
        // 100,000 refunds, growing with the table). Probes it is, for this transaction only;
        // SQLite looks each row up by its id on its own.
        conn.execute_unprepared(
            "SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)",
        )
        .await?;
    }
    let mut n = 0;
    let mut ph = || {
        n += 1;
        if pg { format!("${n}") } else { "?".to_string() }
    };
    let at_ph = ph();
    let mut rows = Vec::with_capacity(ds.len());
    let mut values: Vec<sea_orm::Value> = vec![at.into()];
    for d in ds {
        let p: Vec<String> = (0..11).map(|_| ph()).collect();
        rows.push(format!("({})", p.join(",")));
        values.extend([
            d.id.into(),
            d.version.into(),
            d.status.clone().into(),
            d.secondary_status.clone().into(),
            d.held_reason.clone().into(),
            d.interest_cents.into(),
            d.offset_cents.into(),
            d.net_cents.into(),
            d.payee_importer_id.into(),
            d.payee_kind.clone().into(),
            d.refund_date.clone().into(),
        ]);
    }
    // VALUES columns are column1..column11 on both engines (SQLite has no column aliases there).
    let sql = format!(
        "UPDATE refunds SET status = v.column3, secondary_status = v.column4, held_reason = v.column5, \
         interest_cents = v.column6, offset_cents = v.column7, net_cents = v.column8, payee_importer_id = v.column9, \
         payee_kind = v.column10, refund_date = v.column11, status_at = {at_ph}, version = refunds.version + 1 \
         FROM (VALUES {}) AS v WHERE refunds.id = v.column1 AND refunds.version = v.column2",
        rows.join(",")
    );
    let stmt = sea_orm::Statement::from_sql_and_values(backend, sql, values);
    Ok(conn.execute_raw(stmt).await?.rows_affected() == ds.len() as u64)
}

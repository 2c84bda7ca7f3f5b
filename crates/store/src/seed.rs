//! Bulk writes for `demo seed` (synthetic data for benchmarks and demos): portal accounts with
//! their Trade Account Owners, bank details, Form 4811 notify parties. Multi-row `INSERT`s
//! (sea-query) on the caller's transaction, with ids assigned up front ([`next_id`]): the
//! sealed account number's associated data names its row id, and the rows of one importer
//! point at each other. The seed runs on a database nobody else writes (it refuses one with
//! importers or refunds), so ids taken as `max(id) + 1` cannot collide; PostgreSQL's sequences
//! are moved past them afterwards ([`after_explicit_ids`]). Importers and refunds go through
//! their own bulk writers (`importers_bulk`, `refunds_bulk`).

use sea_orm::sea_query::{Alias, Expr, Func, InsertStatement, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, DbErr};
use time::OffsetDateTime;

use crate::DbKind;
use crate::schema::{
    AccountImporters, BankEnrollments, EnrollmentEvents, EnrollmentHeads, NotifyParties, Prenotes, SubAccounts,
    TopAccounts, Users,
};

/// Rows per multi-row statement: at most 17 columns, well under SQLite's 32,766 bound values.
const CHUNK: usize = 1_000;

/// The tables whose ids the seed assigns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdTable {
    TopAccounts,
    SubAccounts,
    Users,
    BankEnrollments,
}

impl IdTable {
    fn name(self) -> &'static str {
        match self {
            IdTable::TopAccounts => "top_accounts",
            IdTable::SubAccounts => "sub_accounts",
            IdTable::Users => "users",
            IdTable::BankEnrollments => "bank_enrollments",
        }
    }
}

/// The first free id of `table` (`max(id) + 1`).
pub async fn next_id(conn: &impl ConnectionTrait, table: IdTable) -> Result<i64, DbErr> {
    let stmt = Query::select()
        .expr_as(Func::coalesce([Func::max(Expr::col(Alias::new("id"))).into(), Expr::val(0i64)]), Alias::new("n"))
        .from(Alias::new(table.name()))
        .to_owned();
    let r = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::Custom("max returned no row".into()))?;
    Ok(r.try_get::<i64>("", "n")? + 1)
}

/// PostgreSQL: moves each table's id sequence past the ids written explicitly, so the
/// portal's own inserts go on from there. SQLite's AUTOINCREMENT follows by itself.
pub async fn after_explicit_ids(conn: &impl ConnectionTrait, kind: DbKind) -> Result<(), DbErr> {
    if kind != DbKind::Postgres {
        return Ok(());
    }
    for t in [IdTable::TopAccounts, IdTable::SubAccounts, IdTable::Users, IdTable::BankEnrollments] {
        let t = t.name();
        // SQL text: sea-query has no builder for setval; the table names are constants.
        conn.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {t}), false)"
        ))
        .await?;
    }
    Ok(())
}

/// Whether the database holds any importer record or refund (the seed refuses to mix its
/// synthetic data with them).
pub async fn has_importers_or_refunds(conn: &impl ConnectionTrait) -> Result<bool, DbErr> {
    for t in ["importers", "refunds"] {
        let stmt = Query::select().expr(Expr::val(1)).from(Alias::new(t)).limit(1).to_owned();
        if conn.query_one(&stmt).await?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// One portal account: a top account named after its importer, its Importer sub-account
/// holding the importer number, and its Trade Account Owner.
#[derive(Debug, Clone)]
pub struct NewPortalAccount {
    pub account_id: i64,
    pub sub_account_id: i64,
    pub user_id: i64,
    pub importer_id: i64,
    pub name: String,
    pub tao_email: String,
    pub tao_name: String,
}

/// Writes portal accounts; every TAO gets `password_hash` and second factor `second_factor`.
pub async fn insert_portal_accounts(
    conn: &impl ConnectionTrait,
    rows: &[NewPortalAccount],
    password_hash: &str,
    second_factor: &str,
    at: OffsetDateTime,
) -> Result<(), DbErr> {
    for chunk in rows.chunks(CHUNK) {
        let mut accounts = Query::insert();
        accounts.into_table(TopAccounts::Table).columns([
            TopAccounts::Id,
            TopAccounts::Name,
            TopAccounts::Status,
            TopAccounts::CreatedAt,
        ]);
        let mut subs = Query::insert();
        subs.into_table(SubAccounts::Table).columns([
            SubAccounts::Id,
            SubAccounts::AccountId,
            SubAccounts::Kind,
            SubAccounts::CreatedAt,
        ]);
        let mut held = Query::insert();
        held.into_table(AccountImporters::Table).columns([
            AccountImporters::SubAccountId,
            AccountImporters::ImporterId,
            AccountImporters::AddedAt,
            AccountImporters::AddedBy,
        ]);
        let mut users = Query::insert();
        users.into_table(Users::Table).columns([
            Users::Id,
            Users::Email,
            Users::Name,
            Users::Role,
            Users::PasswordHash,
            Users::AccountId,
            Users::AccountRole,
            Users::SecondFactor,
            Users::Active,
            Users::CreatedAt,
        ]);
        for a in chunk {
            accounts.values_panic([a.account_id.into(), a.name.as_str().into(), "active".into(), at.into()]);
            subs.values_panic([a.sub_account_id.into(), a.account_id.into(), "importer".into(), at.into()]);
            held.values_panic([a.sub_account_id.into(), a.importer_id.into(), at.into(), a.tao_email.as_str().into()]);
            users.values_panic([
                a.user_id.into(),
                a.tao_email.as_str().into(),
                a.tao_name.as_str().into(),
                "trade".into(),
                password_hash.into(),
                a.account_id.into(),
                "tao".into(),
                second_factor.into(),
                true.into(),
                at.into(),
            ]);
        }
        for stmt in [accounts, subs, users, held] {
            conn.execute(&stmt).await?;
        }
    }
    Ok(())
}

/// Bank details of one importer number, version 1, sealed by the caller for its id.
#[derive(Debug, Clone)]
pub struct NewEnrollment {
    pub id: i64,
    pub importer_id: i64,
    /// `active` or `pending` (pending ones get a queued prenote).
    pub status: &'static str,
    pub routing: String,
    pub bank_name: String,
    pub account_type: &'static str,
    pub account_sealed: String,
    pub account_last4: String,
    pub account_blind: String,
    pub holder_name: String,
    pub created_by: i64,
    pub created_by_name: String,
}

/// Writes bank details with their head (revision 1), their status events and, for pending
/// ones, the queued prenote.
pub async fn insert_enrollments(
    conn: &impl ConnectionTrait,
    rows: &[NewEnrollment],
    at: OffsetDateTime,
) -> Result<(), DbErr> {
    for chunk in rows.chunks(CHUNK) {
        let mut versions = Query::insert();
        versions.into_table(BankEnrollments::Table).columns([
            BankEnrollments::Id,
            BankEnrollments::ImporterId,
            BankEnrollments::VersionNo,
            BankEnrollments::Status,
            BankEnrollments::Routing,
            BankEnrollments::BankName,
            BankEnrollments::AccountType,
            BankEnrollments::AccountSealed,
            BankEnrollments::AccountLast4,
            BankEnrollments::AccountBlind,
            BankEnrollments::HolderName,
            BankEnrollments::HolderConfirmed,
            BankEnrollments::ReviewShared,
            BankEnrollments::CreatedBy,
            BankEnrollments::CreatedByName,
            BankEnrollments::CreatedAt,
            BankEnrollments::StatusAt,
            BankEnrollments::ActiveSince,
        ]);
        let mut heads = Query::insert();
        heads.into_table(EnrollmentHeads::Table).columns([
            EnrollmentHeads::ImporterId,
            EnrollmentHeads::Revision,
            EnrollmentHeads::ChangedByName,
            EnrollmentHeads::ChangedAt,
        ]);
        let mut events = Query::insert();
        events.into_table(EnrollmentEvents::Table).columns([
            EnrollmentEvents::EnrollmentId,
            EnrollmentEvents::ImporterId,
            EnrollmentEvents::At,
            EnrollmentEvents::FromStatus,
            EnrollmentEvents::ToStatus,
            EnrollmentEvents::Actor,
            EnrollmentEvents::Reason,
        ]);
        let mut prenotes = Query::insert();
        prenotes.into_table(Prenotes::Table).columns([Prenotes::EnrollmentId, Prenotes::Status, Prenotes::QueuedAt]);
        let mut any_prenote = false;
        for e in chunk {
            let active = e.status == "active";
            let since: Option<OffsetDateTime> = active.then_some(at);
            versions.values_panic([
                e.id.into(),
                e.importer_id.into(),
                1i32.into(),
                e.status.into(),
                e.routing.as_str().into(),
                e.bank_name.as_str().into(),
                e.account_type.into(),
                e.account_sealed.as_str().into(),
                e.account_last4.as_str().into(),
                e.account_blind.as_str().into(),
                e.holder_name.as_str().into(),
                false.into(),
                false.into(),
                e.created_by.into(),
                e.created_by_name.as_str().into(),
                at.into(),
                at.into(),
                since.into(),
            ]);
            heads.values_panic([e.importer_id.into(), 1i32.into(), e.created_by_name.as_str().into(), at.into()]);
            event(&mut events, e, "", "pending", &e.created_by_name, "bank details added", at);
            if active {
                event(&mut events, e, "pending", "active", "system", "seeded as verified (demo data)", at);
            } else {
                prenotes.values_panic([e.id.into(), "queued".into(), at.into()]);
                any_prenote = true;
            }
        }
        conn.execute(&versions).await?;
        conn.execute(&heads).await?;
        conn.execute(&events).await?;
        if any_prenote {
            conn.execute(&prenotes).await?;
        }
    }
    Ok(())
}

fn event(
    stmt: &mut InsertStatement,
    e: &NewEnrollment,
    from: &str,
    to: &str,
    actor: &str,
    reason: &str,
    at: OffsetDateTime,
) {
    let values: [SimpleExpr; 7] =
        [e.id.into(), e.importer_id.into(), at.into(), from.into(), to.into(), actor.into(), reason.into()];
    stmt.values_panic(values);
}

/// A Form 4811 designation in force from `effective_on`.
#[derive(Debug, Clone)]
pub struct NewDesignation {
    pub importer_id: i64,
    pub party_importer_id: i64,
    pub effective_on: String,
    pub created_by_name: String,
}

pub async fn insert_designations(
    conn: &impl ConnectionTrait,
    rows: &[NewDesignation],
    at: OffsetDateTime,
) -> Result<(), DbErr> {
    for chunk in rows.chunks(CHUNK) {
        let mut stmt = Query::insert();
        stmt.into_table(NotifyParties::Table).columns([
            NotifyParties::ImporterId,
            NotifyParties::PartyImporterId,
            NotifyParties::EffectiveOn,
            NotifyParties::CreatedByName,
            NotifyParties::CreatedAt,
        ]);
        for d in chunk {
            stmt.values_panic([
                d.importer_id.into(),
                d.party_importer_id.into(),
                d.effective_on.as_str().into(),
                d.created_by_name.as_str().into(),
                at.into(),
            ]);
        }
        conn.execute(&stmt).await?;
    }
    Ok(())
}

/// PostgreSQL: fresh planner statistics after a large load (autovacuum would take its time);
/// nothing on SQLite, whose `ANALYZE` reads every index in full.
pub async fn analyze(conn: &impl ConnectionTrait, kind: DbKind) -> Result<(), DbErr> {
    if kind == DbKind::Postgres {
        conn.execute_unprepared("ANALYZE").await?;
    }
    Ok(())
}

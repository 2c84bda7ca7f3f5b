//! Storage: the database connection, the one migration set for SQLite and PostgreSQL, and
//! the queries. Queries are written with sea-query so the same code serves both engines; rows
//! come back as plain structs and `app` turns them into domain types.

pub mod accounts;
pub mod applications;
pub mod audit;
pub mod bills;
pub mod change_counters;
pub mod db;
pub mod enrollments;
pub mod firms;
pub mod importers;
pub mod importers_bulk;
mod importers_bulk_pg;
mod importers_bulk_rusqlite;
pub mod interest_rates;
pub mod job_runs;
pub mod leases;
pub mod logins;
pub mod mail_queue;
pub mod migrations;
pub mod notify_parties;
pub mod one_time;
pub mod prenotes;
pub mod rate_limits;
pub mod refund_notices;
pub mod refunds;
pub mod refunds_bulk;
mod refunds_bulk_pg;
mod refunds_bulk_sqlite;
pub mod refunds_decide_sqlite;
pub mod routing;
pub mod schema;
pub mod seed;
pub mod sessions;
pub mod testing;
pub mod tokens;
pub mod users;

pub use db::{Db, DbKind};
pub use sea_orm;
pub use sea_orm::{DatabaseTransaction, DbErr, TransactionTrait};

/// Current time, truncated to microseconds so SQLite text and PostgreSQL timestamptz agree
/// on round trips.
pub fn now() -> time::OffsetDateTime {
    let t = time::OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000).unwrap_or(t)
}

/// Begins a transaction that will write. On SQLite it takes the write lock at `BEGIN`
/// (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of one failing with
/// "database is locked" when its read lock cannot be upgraded; PostgreSQL ignores the mode.
pub async fn begin_write(conn: &sea_orm::DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    conn.begin_with_options(sea_orm::TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Whether a statement failed only because another transaction got in its way (PostgreSQL's
/// deadlock or serialization failure): the transaction is rolled back and may simply be tried
/// again. Other errors are real.
pub fn is_conflict(e: &DbErr) -> bool {
    let (DbErr::Exec(sea_orm::RuntimeErr::SqlxError(s)) | DbErr::Query(sea_orm::RuntimeErr::SqlxError(s))) = e else {
        return false;
    };
    matches!(s.as_database_error().and_then(|d| d.code()).as_deref(), Some("40P01" | "40001"))
}

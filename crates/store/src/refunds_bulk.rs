//! Recording refunds in bulk (`refunds import`, API batches): one connection, one transaction
//! for the whole run, and each engine's fastest way in, as the importer import does
//! (`importers_bulk`): SQLite, prepared `INSERT`s through rusqlite on a thread of its own;
//! PostgreSQL, binary `COPY`.
//!
//! Writes are pipelined: `insert` hands its rows over and returns; the caller checks the next
//! chunk (parsing, interest) while they are written, on the other core. Whatever needs the
//! connection next (a lookup, another insert, the end) first waits for that write and reports
//! its error, so an error is never lost, only reported one call later.
//!
//! The connection is closed, never returned to a pool: a writer dropped halfway (an error, a
//! cancelled task) leaves nothing behind, because closing a connection rolls back its open
//! transaction on both engines.

use sea_orm::DbErr;
use time::OffsetDateTime;

use crate::refunds::NewRefund;
use crate::refunds_bulk_pg::PgRefunds;
use crate::refunds_bulk_sqlite::SqliteRefunds;
use crate::{Db, DbKind};

/// What a recorded refund was recorded with: what decides whether the same row imported again
/// is "unchanged".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedFacts {
    pub refund_number: String,
    pub importer_id: i64,
    pub entry_number: String,
    pub source: String,
    pub principal_cents: i64,
    pub deposit_date: String,
    pub liquidation_date: String,
    pub notify_party_id: Option<i64>,
}

impl RecordedFacts {
    /// Whether `new` records the same refund (the import then leaves it alone).
    pub fn same_as(&self, new: &NewRefund) -> bool {
        self.importer_id == new.importer_id
            && self.entry_number == new.entry_number
            && self.source == new.source
            && self.principal_cents == new.principal_cents
            && self.deposit_date == new.deposit_date
            && self.liquidation_date == new.liquidation_date
            && self.notify_party_id == new.notify_party_id
    }
}

/// Columns of a new refund in bind (SQLite) and field (`COPY`) order; the rest keep their
/// defaults (empty texts, zero offset, version 1).
pub(crate) const COLUMNS: [&str; 15] = [
    "refund_number",
    "importer_id",
    "entry_number",
    "filer_code",
    "source",
    "principal_cents",
    "deposit_date",
    "liquidation_date",
    "notify_party_id",
    "interest_cents",
    "status",
    "status_at",
    "created_at",
    "created_by",
    "created_source",
];

/// The recording run's connection, its transaction open.
pub enum RefundWriter {
    Sqlite(SqliteRefunds),
    /// Boxed: it holds its COPY buffers inline.
    Postgres(Box<PgRefunds>),
}

impl RefundWriter {
    pub async fn begin(db: &Db) -> Result<RefundWriter, DbErr> {
        Ok(match db.kind {
            DbKind::Sqlite => {
                let settings =
                    crate::importers_bulk_rusqlite::pool_settings(db.conn.get_sqlite_connection_pool()).await?;
                RefundWriter::Sqlite(SqliteRefunds::begin(settings).await?)
            }
            DbKind::Postgres => {
                RefundWriter::Postgres(Box::new(PgRefunds::begin(db.conn.get_postgres_connection_pool()).await?))
            }
        })
    }

    /// Refunds per chunk the caller checks and hands over at once.
    pub fn chunk_rows(&self) -> usize {
        match self {
            RefundWriter::Sqlite(_) => 4_000,
            RefundWriter::Postgres(_) => 10_000,
        }
    }

    /// The refunds among `numbers` recorded before this run (a number the run itself writes is
    /// not looked for: the caller refuses a number twice in one run).
    pub async fn existing(&mut self, numbers: Vec<String>) -> Result<Vec<RecordedFacts>, DbErr> {
        if numbers.is_empty() {
            return Ok(Vec::new());
        }
        match self {
            RefundWriter::Sqlite(w) => w.existing(numbers).await,
            RefundWriter::Postgres(w) => w.existing(numbers).await,
        }
    }

    /// Records `rows` (status `recorded`), written while the caller goes on.
    pub async fn insert(&mut self, rows: Vec<NewRefund>, actor_label: &str, at: OffsetDateTime) -> Result<(), DbErr> {
        if rows.is_empty() {
            return Ok(());
        }
        match self {
            RefundWriter::Sqlite(w) => w.insert(rows, actor_label, at).await,
            RefundWriter::Postgres(w) => w.insert(rows, actor_label, at).await,
        }
    }

    pub async fn commit(self) -> Result<(), DbErr> {
        self.finish("COMMIT").await
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.finish("ROLLBACK").await
    }

    async fn finish(self, end: &'static str) -> Result<(), DbErr> {
        match self {
            RefundWriter::Sqlite(w) => w.finish(end).await,
            RefundWriter::Postgres(w) => w.finish(end).await,
        }
    }
}

const TAKEN: &str = "refund number recorded by another run meanwhile: ";

/// The error for a refund number another run recorded while this one ran (the unique index
/// refused it); [`taken_number`] recognises it.
pub(crate) fn taken(number: &str) -> DbErr {
    DbErr::Custom(format!("{TAKEN}{number}"))
}

/// The refund number another import recorded while this one ran, when that is what `e` says.
pub fn taken_number(e: &DbErr) -> Option<&str> {
    match e {
        DbErr::Custom(s) => s.strip_prefix(TAKEN),
        _ => None,
    }
}

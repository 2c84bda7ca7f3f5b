//! Bulk writes for the CSV import: one connection, one transaction, and each engine's fastest
//! way in (SQLite: prepared `INSERT`s through rusqlite with ids assigned up front; PostgreSQL:
//! `COPY`).
//!
//! sea-orm's `DatabaseTransaction` does not hand out its connection and `COPY` needs one, so the
//! import uses its own connection and runs `BEGIN`/`COMMIT` itself: on PostgreSQL one taken
//! from the pool, on SQLite a rusqlite connection opened for the import on the database file
//! (`importers_bulk_rusqlite`; an in-memory SQLite URL opens a private file, `Db::connect`, so
//! there is one SQLite writer). The connection is
//! closed instead of returned to the pool: a writer dropped halfway (an error, a cancelled task)
//! then leaves nothing behind, because closing a connection rolls back its open transaction on
//! both engines, and settings made for the import die with it.

use sea_orm::DbErr;
use time::OffsetDateTime;

use crate::audit::AuditRow;
use crate::importers::ImporterRow;
use crate::importers_bulk_pg::PgBulk;
use crate::importers_bulk_rusqlite::RusqliteBulk;
use crate::{Db, DbKind};

/// SQLite: page cache of the import connection, in KiB (SQLite's default is 2,000 KiB). The name
/// and email indexes take keys in random order; with a small cache a large import spends its time
/// evicting and re-reading index pages. Bounded so peak memory stays under 200 MB.
pub(crate) const IMPORT_CACHE_KIB: i64 = 64 * 1024;

/// SQLite: per-row columns of a new record, in bind order, followed in each writer by
/// `created_line`; `filer_firm_id`, `created_by` / `updated_by`, `created_at` / `updated_at`,
/// `version` and `created_import_id` are shared by the rows of a statement (see each writer's
/// `insert_sql`). Names, not `crate::schema` enums: they go into SQL text for rusqlite.
pub(crate) const NEW_ROW_COLUMNS: [&str; 24] = [
    "id",
    "number",
    "number_kind",
    "name",
    "name_search",
    "dba",
    "company_type",
    "number_uses",
    "cbp_reasons",
    "mailing_line1",
    "mailing_line2",
    "mailing_city",
    "mailing_state",
    "mailing_postal_code",
    "mailing_country",
    "physical_line1",
    "physical_line2",
    "physical_city",
    "physical_state",
    "physical_postal_code",
    "physical_country",
    "phone",
    "email",
    "status",
];

/// What every record created by one import shares.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub at: OffsetDateTime,
    pub actor_user_id: Option<i64>,
    /// `created_by`/`updated_by` of new records, `actor_label` of the import's history entry
    /// and of the entries of the records it updates.
    pub actor_label: String,
    pub filer_firm_id: Option<i64>,
    /// File name, the key of the import's history entry; a record's history shows "created by
    /// import of SOURCE line N".
    pub source: String,
}

/// A record to create: its own columns (the rest come from the [`Stamp`] and the import's
/// history entry) and the CSV line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImporter {
    /// CSV line, stored as `created_line`.
    pub line: u64,
    /// Masked number, for error messages (an SSN never reaches a report).
    pub entity_key: String,
    pub number: String,
    pub number_kind: String,
    pub name: String,
    pub dba: String,
    pub company_type: String,
    pub number_uses: String,
    pub cbp_reasons: String,
    pub mailing: [String; 6],
    pub physical: [String; 6],
    pub phone: String,
    pub email: String,
    pub status: String,
}

impl NewImporter {
    /// The stored row this record becomes (id 0 until written).
    pub fn into_row(self, stamp: &Stamp) -> ImporterRow {
        ImporterRow {
            id: 0,
            number: self.number,
            number_kind: self.number_kind,
            name: self.name,
            dba: self.dba,
            company_type: self.company_type,
            number_uses: self.number_uses,
            cbp_reasons: self.cbp_reasons,
            mailing: self.mailing,
            physical: self.physical,
            phone: self.phone,
            email: self.email,
            status: self.status,
            filer_firm_id: stamp.filer_firm_id,
            created_by: stamp.actor_label.clone(),
            created_at: stamp.at,
            updated_by: stamp.actor_label.clone(),
            updated_at: stamp.at,
            version: 1,
        }
    }
}

impl Stamp {
    /// The import's one history entry, written before its first new record: the records it
    /// creates point at it (`importers.created_import_id`, migration m0006) instead of each
    /// having a "created" entry of its own. The file name is its key.
    pub fn import_entry(&self) -> AuditRow {
        AuditRow {
            id: 0,
            at: self.at,
            actor_user_id: self.actor_user_id,
            actor_label: self.actor_label.clone(),
            action: format!("import of {}", self.source),
            entity_type: IMPORT_ENTITY.into(),
            entity_id: None,
            entity_key: self.source.clone(),
            changes: "[]".into(),
        }
    }
}

/// `audit_log.entity_type` of an import's entry.
pub const IMPORT_ENTITY: &str = "import";

/// The import's connection with its transaction open.
pub struct BulkWriter {
    engine: Engine,
    /// The `audit_log` id of the import's entry, once written (see [`Stamp::import_entry`]).
    import_entry: Option<i64>,
}

enum Engine {
    /// SQLite: rusqlite on a connection of its own to the database file.
    Sqlite(RusqliteBulk),
    /// Boxed: it holds its batches inline, the SQLite writer only a channel.
    Postgres(Box<PgBulk>),
}

impl BulkWriter {
    /// Takes a connection and begins the transaction (on SQLite, `BEGIN IMMEDIATE`: the write
    /// lock is held from the start, which is what makes ids assigned up front safe).
    pub async fn begin(db: &Db) -> Result<BulkWriter, DbErr> {
        let engine = match db.kind {
            DbKind::Sqlite => {
                let settings =
                    crate::importers_bulk_rusqlite::pool_settings(db.conn.get_sqlite_connection_pool()).await?;
                Engine::Sqlite(RusqliteBulk::begin(settings).await?)
            }
            DbKind::Postgres => {
                Engine::Postgres(Box::new(PgBulk::begin(db.conn.get_postgres_connection_pool()).await?))
            }
        };
        Ok(BulkWriter { engine, import_entry: None })
    }

    /// Which writer runs the import: "rusqlite" (SQLite) or "postgres-copy".
    pub fn engine(&self) -> &'static str {
        match self.engine {
            Engine::Sqlite(_) => "rusqlite",
            Engine::Postgres(_) => "postgres-copy",
        }
    }

    /// Records per round trip: bounds memory and, on SQLite, keeps a statement under the bind
    /// limit (32,766).
    pub fn chunk_rows(kind: DbKind) -> usize {
        match kind {
            DbKind::Sqlite => crate::importers_bulk_rusqlite::CHUNK_ROWS,
            DbKind::Postgres => crate::importers_bulk_pg::CHUNK_ROWS,
        }
    }

    /// The stored records among `numbers` (canonical importer numbers), as seen inside the
    /// transaction. Meant for records stored before the import: a number the import has
    /// created itself may not be found (PostgreSQL does not look when the table was empty at
    /// the start, see `importers_bulk_pg`); an import has each number once.
    pub async fn existing(&mut self, numbers: &[String]) -> Result<Vec<ImporterRow>, DbErr> {
        if numbers.is_empty() {
            return Ok(Vec::new());
        }
        match &mut self.engine {
            Engine::Sqlite(w) => w.existing(numbers).await,
            Engine::Postgres(w) => w.existing(numbers).await,
        }
    }

    /// Optimistic updates (as [`crate::importers::update`]): a row is written only when the
    /// stored version is `row.version - 1`. Returns the ids that were written.
    pub async fn update(&mut self, rows: &[ImporterRow]) -> Result<Vec<i64>, DbErr> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        match &mut self.engine {
            Engine::Sqlite(w) => w.update(rows).await,
            Engine::Postgres(w) => w.update(rows).await,
        }
    }

    /// Writes new records, each pointing at the import's history entry (written first, once).
    pub async fn create(&mut self, stamp: &Stamp, rows: Vec<NewImporter>) -> Result<(), DbErr> {
        if rows.is_empty() {
            return Ok(());
        }
        let import_id = match self.import_entry {
            Some(id) => id,
            None => {
                let entry = stamp.import_entry();
                let id = match &mut self.engine {
                    Engine::Sqlite(w) => w.append_returning_id(entry).await?,
                    Engine::Postgres(w) => w.append_returning_id(&entry).await?,
                };
                *self.import_entry.insert(id)
            }
        };
        match &mut self.engine {
            Engine::Sqlite(w) => w.create(stamp, import_id, rows).await,
            Engine::Postgres(w) => w.create(stamp, import_id, rows).await,
        }
    }

    /// Appends history entries (the `id` field is ignored; the database assigns it).
    pub async fn append_audit(&mut self, rows: &[AuditRow]) -> Result<(), DbErr> {
        if rows.is_empty() {
            return Ok(());
        }
        match &mut self.engine {
            Engine::Sqlite(w) => w.append_audit(rows).await,
            Engine::Postgres(w) => w.append_audit(rows).await,
        }
    }

    pub async fn commit(self) -> Result<(), DbErr> {
        self.finish("COMMIT").await
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.finish("ROLLBACK").await
    }

    async fn finish(self, end: &'static str) -> Result<(), DbErr> {
        match self.engine {
            Engine::Sqlite(w) => w.finish(end).await,
            Engine::Postgres(w) => w.finish(end).await,
        }
    }
}

/// sqlx errors as sea-orm reports them elsewhere, so callers see one error type.
pub(crate) fn sqlx_err(e: sea_orm::sqlx::Error) -> DbErr {
    DbErr::Query(sea_orm::RuntimeErr::SqlxError(std::sync::Arc::new(e)))
}

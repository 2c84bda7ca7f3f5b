//! SQLite side of the import writer for a database file (see `importers_bulk`): rusqlite on a
//! connection of its own, on a blocking thread, instead of sqlx.
//!
//! Why not sqlx (measured in docs/performance.md, decision in docs/decisions.md): with sqlx the
//! thread that runs SQLite was the import's critical path, and a good part of its time was not
//! SQLite's work but sqlx's: every bound text value allocated as an owned argument, copied by
//! SQLite, freed on the worker thread, and each statement handed over to that worker thread and
//! back. Here the rows are moved to the thread that owns the connection once per chunk, and
//! each value is bound straight from the row (`&str`); prepared statements live for the whole
//! import.
//!
//! It is the same database file as the pool's and the same transaction rules: `BEGIN IMMEDIATE`
//! (ids are assigned up front), one transaction for the whole
//! import, `COMMIT` or `ROLLBACK` at the end. The connection takes the pool's `busy_timeout`,
//! `synchronous` and `foreign_keys` (read from a pool connection, so the two cannot drift
//! apart); the WAL journal mode is a property of the file. rusqlite links the same
//! libsqlite3-sys as sqlx (one SQLite in the binary; see store/Cargo.toml).
//!
//! Its statements are SQL text, table and column names included: they run through rusqlite,
//! which sea-query's builder does not serve, and they are prepared once per import.
//!
//! A writer dropped before `finish` (an error, a cancelled task) closes its jobs channel; the
//! thread then drops the connection, and closing a connection rolls back its open transaction.

use std::path::PathBuf;
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, Statement};
use sea_orm::sqlx::{self, SqlitePool};
use sea_orm::{DbErr, RuntimeErr};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::{mpsc, oneshot};

use crate::audit::AuditRow;
use crate::importers::{ADDRESS_FIELDS, ImporterRow};
use crate::importers_bulk::{IMPORT_CACHE_KIB, NEW_ROW_COLUMNS, NewImporter, Stamp, sqlx_err};

/// Records per chunk: one lookup of existing records and one hand-over to the writer thread.
pub(crate) const CHUNK_ROWS: usize = 4_000;

/// Page cache, in KiB, and helper threads while the dropped indexes are built again (see
/// `Writer::rebuild_indexes`).
const REBUILD_CACHE_KIB: i64 = 16 * 1024;
const REBUILD_THREADS: i64 = 2;

/// Below this many new records an import keeps the name and email indexes up to date row by
/// row (see `Writer::maybe_drop_indexes`).
const REBUILD_MIN_ROWS: i64 = 50_000;

/// Values shared by every row of a statement (bound once as `?1`..`?4`: firm, actor label,
/// time, the import's history entry).
const SHARED_BINDS: usize = 4;

/// What the import connection copies from the pool's connections.
pub(crate) struct PoolSettings {
    /// The main database file, as SQLite resolved it.
    file: PathBuf,
    busy_timeout_ms: i64,
    synchronous: i64,
    foreign_keys: i64,
}

/// The pool's database file and connection settings. Every SQLite `Db` has a file (an
/// in-memory URL opens a private one, `Db::connect`).
pub(crate) async fn pool_settings(pool: &SqlitePool) -> Result<PoolSettings, DbErr> {
    let mut conn = pool.acquire().await.map_err(sqlx_err)?;
    let Some(file) = crate::db::sqlite_file(&mut conn).await.map_err(sqlx_err)? else {
        return Err(DbErr::Custom("SQLite import: the database has no file".into()));
    };
    let mut read = async |pragma: &'static str| -> Result<i64, DbErr> {
        sqlx::query_scalar(pragma).fetch_one(&mut *conn).await.map_err(sqlx_err)
    };
    Ok(PoolSettings {
        file,
        busy_timeout_ms: read("PRAGMA busy_timeout").await?,
        synchronous: read("PRAGMA synchronous").await?,
        foreign_keys: read("PRAGMA foreign_keys").await?,
    })
}

pub(crate) fn err(e: rusqlite::Error) -> DbErr {
    DbErr::Query(RuntimeErr::Internal(format!("SQLite import: {e}")))
}

fn stopped() -> DbErr {
    DbErr::Query(RuntimeErr::Internal("SQLite import: the writer thread stopped".into()))
}

type Reply<T> = oneshot::Sender<Result<T, DbErr>>;

/// Work for the thread that owns the connection; each job is answered when it is done, so an
/// error is reported by the call that caused it.
enum Job {
    Existing(Vec<String>, Reply<Vec<ImporterRow>>),
    Update(Vec<ImporterRow>, Reply<Vec<i64>>),
    /// Answered with the rows, so that they are freed on the caller's thread: a million rows
    /// are some twenty million strings, and freeing them took the writer thread about 7% of its
    /// time.
    Create(Stamp, i64, Vec<NewImporter>, Reply<Vec<NewImporter>>),
    Audit(Vec<AuditRow>, Reply<()>),
    /// One history entry, answered with its id.
    AuditReturningId(AuditRow, Reply<i64>),
    Finish(&'static str, Reply<()>),
}

pub struct RusqliteBulk {
    jobs: mpsc::Sender<Job>,
}

impl RusqliteBulk {
    /// Opens the connection and begins the transaction on the writer thread.
    pub(crate) async fn begin(settings: PoolSettings) -> Result<RusqliteBulk, DbErr> {
        let (jobs, queue) = mpsc::channel(1);
        let (ready, started) = oneshot::channel();
        // The thread ends when `finish` is done or the writer is dropped (the channel closes).
        drop(tokio::task::spawn_blocking(move || {
            let (conn, next_id) = match open(&settings) {
                Ok(opened) => opened,
                Err(e) => {
                    let _sent = ready.send(Err(e));
                    return;
                }
            };
            let Some((ended, reply)) = serve(&conn, next_id, ready, queue) else {
                // Dropped without `finish`: dropping the connection rolls the transaction back.
                return;
            };
            let closed = conn.close().map_err(|(_, e)| err(e));
            let _sent = reply.send(ended.and(closed));
        }));
        started.await.map_err(|_| stopped())??;
        Ok(RusqliteBulk { jobs })
    }

    async fn call<T>(&self, job: impl FnOnce(Reply<T>) -> Job) -> Result<T, DbErr> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(job(reply)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    pub(crate) async fn existing(&mut self, numbers: &[String]) -> Result<Vec<ImporterRow>, DbErr> {
        self.call(|r| Job::Existing(numbers.to_vec(), r)).await
    }

    pub(crate) async fn update(&mut self, rows: &[ImporterRow]) -> Result<Vec<i64>, DbErr> {
        self.call(|r| Job::Update(rows.to_vec(), r)).await
    }

    pub(crate) async fn create(&mut self, stamp: &Stamp, import_id: i64, rows: Vec<NewImporter>) -> Result<(), DbErr> {
        let written = self.call(|r| Job::Create(stamp.clone(), import_id, rows, r)).await?;
        drop(written);
        Ok(())
    }

    pub(crate) async fn append_audit(&mut self, rows: &[AuditRow]) -> Result<(), DbErr> {
        self.call(|r| Job::Audit(rows.to_vec(), r)).await
    }

    pub(crate) async fn append_returning_id(&mut self, row: AuditRow) -> Result<i64, DbErr> {
        self.call(|r| Job::AuditReturningId(row, r)).await
    }

    /// `COMMIT` or `ROLLBACK`; the connection is closed before this returns.
    pub(crate) async fn finish(self, end: &'static str) -> Result<(), DbErr> {
        self.call(|r| Job::Finish(end, r)).await
    }
}

/// A connection of its own on the pool's database file, with the pool's settings and the
/// bulk writers' page cache, its `BEGIN IMMEDIATE` transaction open (the write lock is held from
/// the start). Also the refund import's (`refunds_bulk_sqlite`).
pub(crate) fn open_writing(s: &PoolSettings) -> Result<Connection, DbErr> {
    let conn = open_bulk(s)?;
    conn.execute_batch("BEGIN IMMEDIATE").map_err(err)?;
    Ok(conn)
}

/// A connection of its own on the pool's database file, with the pool's settings and the bulk
/// writers' page cache, no transaction open (certification's, `refunds_decide_sqlite`, begins
/// one per batch).
pub(crate) fn open_bulk(s: &PoolSettings) -> Result<Connection, DbErr> {
    // The file exists (the pool has it open): no CREATE. NO_MUTEX: only this thread uses it.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(&s.file, flags).map_err(err)?;
    conn.busy_timeout(Duration::from_millis(s.busy_timeout_ms.max(0) as u64)).map_err(err)?;
    conn.execute_batch(&format!(
        "PRAGMA synchronous = {}; PRAGMA foreign_keys = {}; PRAGMA cache_size = -{IMPORT_CACHE_KIB}; \
         PRAGMA temp_store = FILE",
        s.synchronous, s.foreign_keys
    ))
    .map_err(err)?;
    Ok(conn)
}

/// Opens the import connection with the pool's settings, begins the transaction and returns
/// the first free importer id.
fn open(s: &PoolSettings) -> Result<(Connection, i64), DbErr> {
    let conn = open_writing(s)?;
    // AUTOINCREMENT never reuses an id, even of a deleted row: start above both the largest id
    // and the one sqlite_sequence remembers. Explicit ids move sqlite_sequence on.
    let last: i64 = conn
        .query_row(
            "SELECT max(coalesce((SELECT max(id) FROM importers), 0), \
             coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'importers'), 0))",
            [],
            |r| r.get(0),
        )
        .map_err(err)?;
    Ok((conn, last + 1))
}

/// The writer thread: prepares the statements, then runs jobs in order until `Finish` (returns
/// its outcome and whom to tell, once the statements are finalized so the connection can close)
/// or until the writer is dropped (returns `None`).
fn serve(
    conn: &Connection,
    next_id: i64,
    ready: oneshot::Sender<Result<(), DbErr>>,
    mut queue: mpsc::Receiver<Job>,
) -> Option<(Result<(), DbErr>, Reply<()>)> {
    let mut w = match Writer::new(conn, next_id) {
        Ok(w) => w,
        Err(e) => {
            let _sent = ready.send(Err(e));
            return None;
        }
    };
    let _sent = ready.send(Ok(()));
    while let Some(job) = queue.blocking_recv() {
        let _sent = match job {
            Job::Existing(numbers, r) => r.send(w.existing(&numbers)).is_ok(),
            Job::Update(rows, r) => r.send(w.update(&rows)).is_ok(),
            Job::Create(stamp, import_id, rows, r) => r.send(w.create(&stamp, import_id, &rows).map(|()| rows)).is_ok(),
            Job::Audit(rows, r) => r.send(w.append_audit(&rows)).is_ok(),
            Job::AuditReturningId(row, r) => {
                r.send(w.append_audit(std::slice::from_ref(&row)).map(|()| conn.last_insert_rowid())).is_ok()
            }
            Job::Finish(end, r) => {
                let rebuilt = if end == "COMMIT" { w.rebuild_indexes() } else { Ok(()) };
                // Prepared statements must be finalized before the connection can close.
                drop(w);
                return Some((rebuilt.and_then(|()| conn.execute_batch(end).map_err(err)), r));
            }
        };
    }
    None
}

/// Prepared statements for the whole import, and the next free id.
struct Writer<'c> {
    conn: &'c Connection,
    next_id: i64,
    /// Records in the table when the import began (an upper bound: the largest id), and
    /// records created by the import so far; see `maybe_drop_indexes`.
    rows_at_start: i64,
    created: i64,
    /// `CREATE INDEX` statements of the indexes dropped for the import, to run before `COMMIT`.
    dropped_indexes: Vec<String>,
    /// Whether `maybe_drop_indexes` has dropped them (it does so at most once).
    rebuild_decided: bool,
    /// One record per statement: 8 rows per statement took no less time in total (measured)
    /// and need a statement journal to undo half a statement.
    insert_record: Statement<'c>,
    find_number: Statement<'c>,
    update: Statement<'c>,
    audit: Statement<'c>,
}

impl<'c> Writer<'c> {
    fn new(conn: &'c Connection, next_id: i64) -> Result<Writer<'c>, DbErr> {
        let prepare = |sql: &str| conn.prepare(sql).map_err(err);
        Ok(Writer {
            conn,
            next_id,
            rows_at_start: next_id - 1,
            created: 0,
            dropped_indexes: Vec::new(),
            rebuild_decided: false,
            insert_record: prepare(&insert_sql())?,
            // The unique index on number answers this alone; the row is read only when found.
            find_number: prepare("SELECT * FROM importers WHERE number = ?1")?,
            update: prepare(&update_sql())?,
            audit: prepare(
                "INSERT INTO audit_log (at, actor_user_id, actor_label, action, entity_type, entity_id, entity_key, \
                 changes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?,
        })
    }

    fn existing(&mut self, numbers: &[String]) -> Result<Vec<ImporterRow>, DbErr> {
        let mut found = Vec::new();
        for n in numbers {
            let mut rows = self.find_number.query([n]).map_err(err)?;
            if let Some(row) = rows.next().map_err(err)? {
                found.push(importer_row(row).map_err(err)?);
            }
        }
        Ok(found)
    }

    /// Optimistic updates: a row is written only when the stored version is `version - 1`.
    fn update(&mut self, rows: &[ImporterRow]) -> Result<Vec<i64>, DbErr> {
        let st = &mut self.update;
        let mut written = Vec::with_capacity(rows.len());
        for r in rows {
            let name_search = r.name.to_lowercase();
            let texts = [&r.number_kind, &r.name, &name_search, &r.dba, &r.company_type, &r.number_uses]
                .into_iter()
                .chain([&r.cbp_reasons])
                .chain(&r.mailing)
                .chain(&r.physical)
                .chain([&r.phone, &r.email, &r.status, &r.updated_by]);
            for (i, v) in texts.enumerate() {
                st.raw_bind_parameter(i + 1, v.as_str()).map_err(err)?;
            }
            let at = timestamp(r.updated_at)?;
            let n = UPDATE_TEXT_COLUMNS;
            st.raw_bind_parameter(n + 1, r.filer_firm_id).map_err(err)?;
            st.raw_bind_parameter(n + 2, &at).map_err(err)?;
            st.raw_bind_parameter(n + 3, r.version).map_err(err)?;
            st.raw_bind_parameter(n + 4, r.id).map_err(err)?;
            st.raw_bind_parameter(n + 5, r.version - 1).map_err(err)?;
            if st.raw_execute().map_err(err)? == 1 {
                written.push(r.id);
            }
        }
        Ok(written)
    }

    /// New records, with ids from `next_id` on, pointing at the import's history entry.
    fn create(&mut self, stamp: &Stamp, import_id: i64, rows: &[NewImporter]) -> Result<(), DbErr> {
        self.maybe_drop_indexes(rows.len())?;
        let at = timestamp(stamp.at)?;
        let first_id = self.next_id;
        self.created += rows.len() as i64;
        self.next_id += rows.len() as i64;
        let insert = &mut self.insert_record;
        insert.raw_bind_parameter(1, stamp.filer_firm_id).map_err(err)?;
        insert.raw_bind_parameter(2, stamp.actor_label.as_str()).map_err(err)?;
        insert.raw_bind_parameter(3, at.as_str()).map_err(err)?;
        insert.raw_bind_parameter(4, import_id).map_err(err)?;
        let line_bind = SHARED_BINDS + NEW_ROW_COLUMNS.len() + 1;
        for (id, r) in (first_id..).zip(rows) {
            insert.raw_bind_parameter(SHARED_BINDS + 1, id).map_err(err)?;
            let name_search = r.name.to_lowercase();
            let texts = [&r.number, &r.number_kind, &r.name, &name_search, &r.dba, &r.company_type]
                .into_iter()
                .chain([&r.number_uses, &r.cbp_reasons])
                .chain(&r.mailing)
                .chain(&r.physical)
                .chain([&r.phone, &r.email, &r.status]);
            for (k, v) in texts.enumerate() {
                insert.raw_bind_parameter(SHARED_BINDS + 2 + k, v.as_str()).map_err(err)?;
            }
            insert.raw_bind_parameter(line_bind, r.line as i64).map_err(err)?;
            insert.raw_execute().map_err(err)?;
        }
        Ok(())
    }

    /// Drops the non-unique indexes of `importers` (name, email) once the import has created
    /// at least `REBUILD_MIN_ROWS` records and as many as the table held when it began; they
    /// are built again, from a sort, before `COMMIT` (`rebuild_indexes`). Their keys arrive in
    /// random order, so keeping them up to date row by row touches a random leaf page per row
    /// and, once they outgrow the page cache, spills and re-reads pages; building an index
    /// sorts its keys and writes each page once. For an import that is small next to the table
    /// the row-by-row way is cheaper, which is why the table's size decides.
    ///
    /// Readers are not affected: in WAL mode they see the last committed schema and data, and
    /// the drop and the rebuild commit together with the rows. Unique indexes stay: they are
    /// what refuses a duplicate number, at the row that has it. `ROLLBACK` (or a closed
    /// connection) brings the dropped indexes back with everything else.
    fn maybe_drop_indexes(&mut self, more: usize) -> Result<(), DbErr> {
        let after = self.created + more as i64;
        if self.rebuild_decided || after < REBUILD_MIN_ROWS || after < self.rows_at_start {
            return Ok(());
        }
        let mut find = self
            .conn
            .prepare(
                "SELECT l.name, s.sql FROM pragma_index_list('importers') AS l \
                 JOIN sqlite_schema AS s ON s.type = 'index' AND s.name = l.name \
                 WHERE l.\"unique\" = 0 AND l.origin = 'c' AND s.sql IS NOT NULL ORDER BY l.name",
            )
            .map_err(err)?;
        let indexes: Vec<(String, String)> =
            find.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(err)?.collect::<Result<_, _>>().map_err(err)?;
        drop(find);
        for (name, sql) in indexes {
            self.conn.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\""))).map_err(err)?;
            self.dropped_indexes.push(sql);
        }
        self.rebuild_decided = true;
        Ok(())
    }

    /// Builds the indexes `maybe_drop_indexes` dropped, from their own `CREATE INDEX` text.
    fn rebuild_indexes(&mut self) -> Result<(), DbErr> {
        if self.dropped_indexes.is_empty() {
            return Ok(());
        }
        // SQLite sizes a sort's memory by the page cache, and the rows are all written by now:
        // a smaller cache bounds peak memory, and the sort then works in several runs that
        // helper threads (`threads`) sort on the core the finished parser has left free.
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = -{REBUILD_CACHE_KIB}; PRAGMA threads = {REBUILD_THREADS}"))
            .map_err(err)?;
        for sql in self.dropped_indexes.drain(..) {
            self.conn.execute_batch(&sql).map_err(err)?;
        }
        Ok(())
    }

    fn append_audit(&mut self, rows: &[AuditRow]) -> Result<(), DbErr> {
        let st = &mut self.audit;
        for r in rows {
            st.raw_bind_parameter(1, timestamp(r.at)?.as_str()).map_err(err)?;
            st.raw_bind_parameter(2, r.actor_user_id).map_err(err)?;
            st.raw_bind_parameter(3, r.actor_label.as_str()).map_err(err)?;
            st.raw_bind_parameter(4, r.action.as_str()).map_err(err)?;
            st.raw_bind_parameter(5, r.entity_type.as_str()).map_err(err)?;
            st.raw_bind_parameter(6, r.entity_id).map_err(err)?;
            st.raw_bind_parameter(7, r.entity_key.as_str()).map_err(err)?;
            st.raw_bind_parameter(8, r.changes.as_str()).map_err(err)?;
            st.raw_execute().map_err(err)?;
        }
        Ok(())
    }
}

/// Times as the rest of the application stores them on SQLite: sqlx binds `OffsetDateTime` as
/// RFC 3339 text, and reads decode it from there.
pub(crate) fn timestamp(t: OffsetDateTime) -> Result<String, DbErr> {
    t.format(&Rfc3339).map_err(|e| DbErr::Custom(format!("SQLite import: cannot format {t}: {e}")))
}

/// Reads a stored time the way sqlx does for `OffsetDateTime`: RFC 3339 text (what this
/// application writes), SQLite's own `YYYY-MM-DD HH:MM:SS[.SSS]` text taken as UTC, or Unix
/// seconds.
pub(crate) fn stored_time(v: ValueRef<'_>) -> Result<OffsetDateTime, String> {
    use time::macros::format_description;
    match v {
        ValueRef::Text(t) => {
            let s = std::str::from_utf8(t).map_err(|e| e.to_string())?;
            if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
                return Ok(t);
            }
            let plain = format_description!(
                version = 2,
                "[year]-[month]-[day][first [T] [ ]][hour]:[minute]:[second][optional [.[subsecond]]]"
            );
            time::PrimitiveDateTime::parse(s, &plain)
                .map(|t| t.assume_utc())
                .map_err(|e| format!("invalid time {s:?}: {e}"))
        }
        ValueRef::Integer(secs) => OffsetDateTime::from_unix_timestamp(secs).map_err(|e| e.to_string()),
        other => Err(format!("invalid time of type {:?}", other.data_type())),
    }
}

fn importer_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ImporterRow> {
    let s = |c: &str| r.get::<_, String>(c);
    let addr = |p: &str| -> rusqlite::Result<[String; 6]> {
        let mut out: [String; 6] = Default::default();
        for (i, f) in ADDRESS_FIELDS.iter().enumerate() {
            out[i] = s(&format!("{p}_{f}"))?;
        }
        Ok(out)
    };
    let time = |c: &str| -> rusqlite::Result<OffsetDateTime> {
        let i = r.as_ref().column_index(c)?;
        stored_time(r.get_ref(i)?).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, format!("{c}: {e}").into())
        })
    };
    Ok(ImporterRow {
        id: r.get("id")?,
        number: s("number")?,
        number_kind: s("number_kind")?,
        name: s("name")?,
        dba: s("dba")?,
        company_type: s("company_type")?,
        number_uses: s("number_uses")?,
        cbp_reasons: s("cbp_reasons")?,
        mailing: addr("mailing")?,
        physical: addr("physical")?,
        phone: s("phone")?,
        email: s("email")?,
        status: s("status")?,
        filer_firm_id: r.get("filer_firm_id")?,
        created_by: s("created_by")?,
        created_at: time("created_at")?,
        updated_by: s("updated_by")?,
        updated_at: time("updated_at")?,
        version: r.get("version")?,
    })
}

/// `INSERT INTO importers` of one new record: its own values as `?5`.. and its CSV line last,
/// the shared firm, actor label, time and import entry as `?1`..`?4` (bound once per chunk;
/// bindings survive a statement's reset).
fn insert_sql() -> String {
    let own: Vec<String> = (1..=NEW_ROW_COLUMNS.len() + 1).map(|k| format!("?{}", SHARED_BINDS + k)).collect();
    format!(
        "INSERT INTO importers ({}, created_line, filer_firm_id, created_by, created_at, updated_by, updated_at, \
         version, created_import_id) VALUES ({}, ?1, ?2, ?3, ?2, ?3, 1, ?4)",
        NEW_ROW_COLUMNS.join(", "),
        own.join(", ")
    )
}

/// Text columns an update writes, bound first (`?1`..), in `Writer::update` order.
const UPDATE_TEXT_COLUMNS: usize = 7 + 12 + 4;

fn update_sql() -> String {
    let mut cols: Vec<String> =
        ["number_kind", "name", "name_search", "dba", "company_type", "number_uses", "cbp_reasons"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    for p in ["mailing", "physical"] {
        for f in ADDRESS_FIELDS {
            cols.push(format!("{p}_{f}"));
        }
    }
    cols.extend(["phone", "email", "status", "updated_by"].map(String::from));
    cols.extend(["filer_firm_id", "updated_at", "version"].map(String::from));
    let sets: Vec<String> = cols.iter().enumerate().map(|(i, c)| format!("{c} = ?{}", i + 1)).collect();
    let n = cols.len();
    format!("UPDATE importers SET {} WHERE id = ?{} AND version = ?{}", sets.join(", "), n + 1, n + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_binds_line_up() {
        let sql = update_sql();
        assert!(sql.starts_with("UPDATE importers SET number_kind = ?1, name = ?2, name_search = ?3,"), "{sql}");
        assert!(
            sql.contains(&format!("updated_by = ?{UPDATE_TEXT_COLUMNS}, filer_firm_id = ?{}", UPDATE_TEXT_COLUMNS + 1))
        );
        assert!(sql.ends_with(&format!(
            "WHERE id = ?{} AND version = ?{}",
            UPDATE_TEXT_COLUMNS + 4,
            UPDATE_TEXT_COLUMNS + 5
        )));
    }

    #[test]
    fn insert_numbers_its_values_after_the_shared_ones() {
        let sql = insert_sql();
        assert!(sql.contains("VALUES (?5, ?6,"), "{sql}");
        // 24 own columns (?5..?28), then the line (?29), then the shared values.
        assert!(sql.contains("created_line, filer_firm_id,"), "{sql}");
        assert!(sql.ends_with("?28, ?29, ?1, ?2, ?3, ?2, ?3, 1, ?4)"), "{sql}");
    }

    #[test]
    fn stored_times_decode_like_sqlx() {
        let t = time::macros::datetime!(2024-05-06 07:08:09.123456 UTC);
        let text = timestamp(t).unwrap();
        assert_eq!(stored_time(ValueRef::Text(text.as_bytes())).unwrap(), t);
        assert_eq!(
            stored_time(ValueRef::Text(b"2024-05-06 07:08:09")).unwrap(),
            time::macros::datetime!(2024-05-06 07:08:09 UTC)
        );
        assert_eq!(stored_time(ValueRef::Integer(0)).unwrap(), OffsetDateTime::UNIX_EPOCH);
        assert!(stored_time(ValueRef::Text(b"yesterday")).is_err());
    }
}

//! PostgreSQL side of the import writer (see `importers_bulk`).
//!
//! New records and the history rows of updates go in with `COPY ... FROM STDIN (FORMAT
//! binary)`: one streamed message per batch instead of statements whose parameters the server
//! has to bind and plan, and in binary so the server does not parse numbers and timestamps from
//! text (text `COPY` of the same rows took about 20% more server time). New records have no
//! history rows of their own: they point at the import's entry (`created_import_id`, migration
//! m0006). The records' ids are taken from their sequence ahead of each batch (`nextval` over
//! `generate_series`, safe next to concurrent inserts). Updates are one `UPDATE ... FROM
//! UNNEST(arrays)` per chunk.
//!
//! Three things keep the one server process that runs the transaction busy and its work small
//! (measured in docs/performance.md, decided in docs/decisions.md):
//!
//! - A batch is sent by a task of its own while the import prepares the next one; whatever
//!   needs the connection next (a lookup, an update, `COMMIT`) waits for that task first. Ids
//!   for the next batch are taken before a batch is sent, so creating records never waits.
//! - When the table was empty at the start, nothing can be found in it: the writer takes a
//!   lock that keeps other writers out (`SHARE ROW EXCLUSIVE`; readers are not affected) and
//!   skips the lookups of existing numbers.
//! - A first load (the table held fewer than `REBUILD_MAX_ROWS_AT_START` records and the import
//!   has created `REBUILD_MIN_ROWS`) drops the non-unique indexes of `importers` (name, email)
//!   and builds them again from their own definitions before `COMMIT`.
//!
//! Its statements are SQL text, table and column names included: `COPY`, `UNNEST` arrays and
//! the catalog queries run through sqlx directly, which sea-query's builder does not serve.

use std::collections::VecDeque;

use sea_orm::DbErr;
use sea_orm::sea_query::Iden;
use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::{self, AssertSqlSafe, PgPool, Postgres};
use time::OffsetDateTime;
use tokio::task::JoinHandle;

use crate::audit::AuditRow;
use crate::importers::{ImporterRow, insert_columns};
use crate::importers_bulk::{NewImporter, Stamp, sqlx_err};

/// Rows per chunk (one lookup of existing records): large enough that round trips are few (see
/// docs/performance.md on delayed ACKs), small enough to keep memory flat.
pub(crate) const CHUNK_ROWS: usize = 10_000;

/// Rows of COPY data gathered before they are sent. Each `COPY` ends in a round trip that can
/// wait ~40 ms for a delayed ACK (sqlx 0.9.0 leaves Nagle on); gathering several chunks per
/// `COPY` makes those waits few. About 10 MB of data at most (the bench's records), twice (one
/// batch being sent, one being gathered): 50,000 records took peak RSS to 188 MiB, 30,000 to
/// 158 MiB at the same speed (docs/performance.md).
const FLUSH_ROWS: usize = 30_000;

/// Ids taken ahead before a batch is sent: enough for the records of the next batch (a batch
/// is sent after the chunk that reaches `FLUSH_ROWS`).
const ID_PREFETCH: usize = FLUSH_ROWS + CHUNK_ROWS;

/// A first load drops the name and email indexes once it has created this many records
/// (`PgBulk::maybe_drop_indexes`)...
pub(crate) const REBUILD_MIN_ROWS: i64 = 50_000;
/// ...and only when the table held fewer records than this when the import began: dropping an
/// index locks readers of `importers` out until `COMMIT`, acceptable while the table is being
/// loaded for the first time, not while it is in use (docs/decisions.md).
pub(crate) const REBUILD_MAX_ROWS_AT_START: i64 = 50_000;
/// How long the drop waits for the lock before the import goes on with the indexes in place.
const DROP_LOCK_TIMEOUT: &str = "1s";
/// `maintenance_work_mem` for building the indexes again when the server's is lower: sorts of
/// a few million keys stay in memory (server memory; the import's own process is not affected).
const REBUILD_WORK_MEM: &str = "256MB";

const AUDIT_COPY: &str = "COPY audit_log (at, actor_user_id, actor_label, action, entity_type, entity_id, entity_key, \
                          changes) FROM STDIN (FORMAT binary)";
/// Fields of a record in `COPY importers`: the id, `insert_columns()`, `created_line` and
/// `created_import_id`.
const IMPORTER_FIELDS: i16 = 32;
const AUDIT_FIELDS: i16 = 8;

/// The COPY data gathered for one batch: records and history rows, each in binary `COPY`
/// format (header first; the trailer is added when sent).
#[derive(Default)]
struct Batch {
    importers: Vec<u8>,
    audit: Vec<u8>,
}

/// A batch being sent by its own task; it hands back the connection, the outcome and the
/// batch's buffers (emptied, for the next batch).
type Flight = JoinHandle<(PoolConnection<Postgres>, Result<(), DbErr>, Batch)>;

pub struct PgBulk {
    /// `None` while `flight` has it.
    conn: Option<PoolConnection<Postgres>>,
    flight: Option<Flight>,
    /// `SELECT nextval('importers_id_seq') FROM generate_series(1, $1)` with the sequence
    /// named as a constant: `pg_get_serial_sequence` evaluated per row cost 3.8 us each.
    next_ids_sql: String,
    importers_copy_sql: String,
    /// Ids taken from the sequence and not used yet, in order.
    ids: VecDeque<i64>,
    /// COPY data not yet sent: new records, and history rows (in the order they were added).
    /// Nothing reads these rows back before they are sent: each number appears once in an
    /// import, and updates only touch records that existed before it.
    batch: Batch,
    /// Buffers of the batch last sent, handed back by its task.
    spare: Batch,
    /// Rows in `batch` (records plus history rows).
    pending: usize,
    /// False when the table was empty at the start (and other writers are locked out): then
    /// nothing the import looks up can exist.
    lookups: bool,
    /// Records in the table when the import began, counted up to `REBUILD_MAX_ROWS_AT_START`.
    rows_at_start: i64,
    /// Records created by the import so far.
    created: i64,
    /// Whether `maybe_drop_indexes` has made its decision (it does so at most once).
    rebuild_decided: bool,
    /// Definitions (`pg_get_indexdef`) of the indexes dropped for the import, built again
    /// before `COMMIT`.
    dropped_indexes: Vec<String>,
    /// Reused per row.
    text: String,
}

impl PgBulk {
    pub(crate) async fn begin(pool: &PgPool) -> Result<PgBulk, DbErr> {
        let mut conn = pool.acquire().await.map_err(sqlx_err)?;
        conn.close_on_drop();
        sqlx::query("BEGIN").execute(&mut *conn).await.map_err(sqlx_err)?;
        let seq: String = sqlx::query_scalar("SELECT pg_get_serial_sequence('importers', 'id')")
            .fetch_one(&mut *conn)
            .await
            .map_err(sqlx_err)?;
        let next_ids_sql =
            format!("SELECT nextval('{}'::regclass) FROM generate_series(1, $1)", seq.replace('\'', "''"));
        let mut rows_at_start = count_up_to(&mut conn, REBUILD_MAX_ROWS_AT_START).await?;
        if rows_at_start == 0 {
            // Keep other writers out (readers are not affected; a second import waits here), then
            // look again: an empty table stays empty but for this import's rows, so no number
            // the import reads can be stored already.
            sqlx::query("LOCK TABLE importers IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut *conn)
                .await
                .map_err(sqlx_err)?;
            rows_at_start = count_up_to(&mut conn, REBUILD_MAX_ROWS_AT_START).await?;
        }
        Ok(PgBulk {
            conn: Some(conn),
            flight: None,
            next_ids_sql,
            importers_copy_sql: format!(
                "COPY importers (id, {}, created_line, created_import_id) FROM STDIN (FORMAT binary)",
                insert_columns().iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ")
            ),
            ids: VecDeque::new(),
            batch: Batch::default(),
            spare: Batch::default(),
            pending: 0,
            lookups: rows_at_start > 0,
            rows_at_start,
            created: 0,
            rebuild_decided: false,
            dropped_indexes: Vec::new(),
            text: String::new(),
        })
    }

    /// The connection, once the batch being sent (if any) is written; its error, if it failed.
    async fn conn(&mut self) -> Result<&mut PoolConnection<Postgres>, DbErr> {
        if let Some(flight) = self.flight.take() {
            let (conn, sent, spare) =
                flight.await.map_err(|e| DbErr::Custom(format!("bulk import: the COPY task stopped: {e}")))?;
            self.conn = Some(conn);
            self.spare = spare;
            sent?;
        }
        self.conn.as_mut().ok_or_else(|| DbErr::Custom("bulk import: the connection was lost".into()))
    }

    pub(crate) async fn existing(&mut self, numbers: &[String]) -> Result<Vec<ImporterRow>, DbErr> {
        if !self.lookups {
            return Ok(Vec::new());
        }
        // One index probe per number, whatever the statistics say: with `number = ANY($1)` the
        // planner picks a sequential scan once the table is large (265 ms per 10,000-number
        // chunk at 1,000,000 rows). OFFSET 0 keeps the subquery from being flattened into a
        // join it could plan the same way.
        let rows = sqlx::query(
            "SELECT i.* FROM unnest($1::text[]) AS n(number), \
             LATERAL (SELECT * FROM importers WHERE importers.number = n.number OFFSET 0) AS i",
        )
        .bind(numbers)
        .fetch_all(&mut **self.conn().await?)
        .await
        .map_err(sqlx_err)?;
        rows.into_iter().map(|r| ImporterRow::from_row(&sea_orm::QueryResult::from(r))).collect()
    }

    pub(crate) async fn update(&mut self, rows: &[ImporterRow]) -> Result<Vec<i64>, DbErr> {
        let text_cols = update_text_columns();
        let mut text: Vec<Vec<&str>> = vec![Vec::with_capacity(rows.len()); text_cols.len()];
        let lower: Vec<String> = rows.iter().map(|r| r.name.to_lowercase()).collect();
        for (r, name_search) in rows.iter().zip(&lower) {
            for (col, v) in text.iter_mut().zip(update_text_values(r, name_search)) {
                col.push(v);
            }
        }
        let mut sets: Vec<String> = text_cols.iter().map(|c| format!("{c} = u.{c}")).collect();
        sets.extend(
            ["filer_firm_id = u.filer_firm_id", "updated_at = u.updated_at", "version = u.version"].map(String::from),
        );
        let casts: Vec<String> = (0..text_cols.len()).map(|i| format!("${}::text[]", i + 5)).collect();
        let sql = format!(
            "UPDATE importers AS i SET {sets} \
             FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[], $4::timestamptz[], {casts}) \
             AS u(id, version, filer_firm_id, updated_at, {cols}) \
             WHERE i.id = u.id AND i.version = u.version - 1 RETURNING i.id",
            sets = sets.join(", "),
            casts = casts.join(", "),
            cols = text_cols.join(", ")
        );
        let mut q = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql))
            .bind(rows.iter().map(|r| r.id).collect::<Vec<i64>>())
            .bind(rows.iter().map(|r| r.version).collect::<Vec<i64>>())
            .bind(rows.iter().map(|r| r.filer_firm_id).collect::<Vec<Option<i64>>>())
            .bind(rows.iter().map(|r| r.updated_at).collect::<Vec<OffsetDateTime>>());
        for col in text {
            q = q.bind(col);
        }
        q.fetch_all(&mut **self.conn().await?).await.map_err(sqlx_err)
    }

    pub(crate) async fn create(&mut self, stamp: &Stamp, import_id: i64, rows: Vec<NewImporter>) -> Result<(), DbErr> {
        self.maybe_drop_indexes(rows.len()).await?;
        if self.ids.len() < rows.len() {
            let more = self.next_ids(rows.len() - self.ids.len()).await?;
            self.ids.extend(more);
        }
        self.created += rows.len() as i64;
        let at = pg_micros(stamp.at);
        let firm = stamp.filer_firm_id;
        let label = stamp.actor_label.as_str();
        for r in &rows {
            let id = self.ids.pop_front().ok_or_else(|| DbErr::Custom("bulk import: ran out of ids".into()))?;
            let b = &mut self.batch.importers;
            start_tuple(b, IMPORTER_FIELDS);
            put_i64(b, Some(id));
            for s in [&r.number, &r.number_kind, &r.name] {
                put_text(b, s)?;
            }
            let name_search = &mut self.text;
            name_search.clear();
            if r.name.is_ascii() {
                name_search.push_str(&r.name);
                name_search.make_ascii_lowercase();
            } else {
                name_search.push_str(&r.name.to_lowercase());
            }
            put_text(b, name_search)?;
            for s in [&r.dba, &r.company_type, &r.number_uses, &r.cbp_reasons]
                .into_iter()
                .chain(&r.mailing)
                .chain(&r.physical)
            {
                put_text(b, s)?;
            }
            for s in [&r.phone, &r.email, &r.status] {
                put_text(b, s)?;
            }
            put_i64(b, firm);
            put_text(b, label)?;
            put_micros(b, at);
            put_text(b, label)?;
            put_micros(b, at);
            put_i64(b, Some(1));
            put_i64(b, Some(r.line as i64));
            put_i64(b, Some(import_id));
        }
        self.pending += rows.len();
        self.flush_if_full().await
    }

    /// `n` ids from the sequence, in order.
    async fn next_ids(&mut self, n: usize) -> Result<Vec<i64>, DbErr> {
        let sql = AssertSqlSafe(self.next_ids_sql.clone());
        let ids: Vec<i64> =
            sqlx::query_scalar(sql).bind(n as i64).fetch_all(&mut **self.conn().await?).await.map_err(sqlx_err)?;
        if ids.len() != n {
            return Err(DbErr::Custom(format!("bulk import: asked for {n} ids, got {}", ids.len())));
        }
        Ok(ids)
    }

    /// One history entry, written now (not batched), and its id.
    pub(crate) async fn append_returning_id(&mut self, r: &AuditRow) -> Result<i64, DbErr> {
        sqlx::query_scalar(
            "INSERT INTO audit_log (at, actor_user_id, actor_label, action, entity_type, entity_id, entity_key, \
             changes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(r.at)
        .bind(r.actor_user_id)
        .bind(&r.actor_label)
        .bind(&r.action)
        .bind(&r.entity_type)
        .bind(r.entity_id)
        .bind(&r.entity_key)
        .bind(&r.changes)
        .fetch_one(&mut **self.conn().await?)
        .await
        .map_err(sqlx_err)
    }

    pub(crate) async fn append_audit(&mut self, rows: &[AuditRow]) -> Result<(), DbErr> {
        for r in rows {
            let b = &mut self.batch.audit;
            start_tuple(b, AUDIT_FIELDS);
            put_micros(b, pg_micros(r.at));
            put_i64(b, r.actor_user_id);
            for s in [&r.actor_label, &r.action, &r.entity_type] {
                put_text(b, s)?;
            }
            put_i64(b, r.entity_id);
            for s in [&r.entity_key, &r.changes] {
                put_text(b, s)?;
            }
        }
        self.pending += rows.len();
        self.flush_if_full().await
    }

    async fn flush_if_full(&mut self) -> Result<(), DbErr> {
        if self.pending >= FLUSH_ROWS { self.flush(true).await } else { Ok(()) }
    }

    /// Hands the gathered rows to a task that sends them (new records, then the history rows of
    /// records the batch updated) while the import prepares the next batch. With `more` (the import goes
    /// on), the ids of the next batch's records are taken first, so that `create` need not
    /// wait for this batch.
    async fn flush(&mut self, more: bool) -> Result<(), DbErr> {
        if self.pending == 0 {
            return Ok(());
        }
        self.conn().await?;
        if more && self.ids.len() < ID_PREFETCH {
            let ids = self.next_ids(ID_PREFETCH - self.ids.len()).await?;
            self.ids.extend(ids);
        }
        let mut conn = self.conn.take().ok_or_else(|| DbErr::Custom("bulk import: the connection was lost".into()))?;
        let batch = std::mem::replace(&mut self.batch, std::mem::take(&mut self.spare));
        self.pending = 0;
        let importers_sql = self.importers_copy_sql.clone();
        self.flight = Some(tokio::spawn(async move {
            let mut batch = batch;
            let mut sent = Ok(());
            for (sql, data) in [(importers_sql.as_str(), &mut batch.importers), (AUDIT_COPY, &mut batch.audit)] {
                if sent.is_ok() && !data.is_empty() {
                    data.extend_from_slice(&(-1i16).to_be_bytes());
                    sent = copy(&mut conn, sql, data).await;
                }
                data.clear();
            }
            (conn, sent, batch)
        }));
        Ok(())
    }

    /// Drops the non-unique indexes of `importers` (name, email; not the unique index on
    /// number, which refuses duplicates and answers the lookups) when the import is a first
    /// load: it has created `REBUILD_MIN_ROWS` records and the table held fewer than
    /// `REBUILD_MAX_ROWS_AT_START` when it began. Their keys arrive in random order: keeping
    /// them up to date row by row cost the server more than half of the records' `COPY`, while
    /// building them from a sort before `COMMIT` (`rebuild_indexes`) costs a fraction of it and
    /// can use parallel workers on the core the finished client has left free.
    ///
    /// `DROP INDEX` locks the table (`ACCESS EXCLUSIVE`): readers of `importers` wait until the
    /// import commits. If the lock is not granted within `DROP_LOCK_TIMEOUT` (readers or writers
    /// are busy with the table) the import keeps the indexes. `ROLLBACK` or a closed connection
    /// brings them back with everything else.
    async fn maybe_drop_indexes(&mut self, more: usize) -> Result<(), DbErr> {
        let after = self.created + more as i64;
        if self.rebuild_decided || after < REBUILD_MIN_ROWS {
            return Ok(());
        }
        self.rebuild_decided = true;
        if self.rows_at_start >= REBUILD_MAX_ROWS_AT_START || after < self.rows_at_start {
            return Ok(());
        }
        let conn = self.conn().await?;
        let found: Vec<(String, String)> = sqlx::query_as(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index AS i \
             WHERE i.indrelid = 'importers'::regclass AND NOT i.indisunique AND NOT i.indisprimary \
             AND i.indisvalid AND i.indisready AND i.indislive \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid) \
             ORDER BY 1",
        )
        .fetch_all(&mut **conn)
        .await
        .map_err(sqlx_err)?;
        if found.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = found.iter().map(|(name, _)| name.as_str()).collect();
        // A savepoint, so that a lock not granted in time leaves the transaction usable.
        let lock_timeout: String = sqlx::query_scalar("SELECT current_setting('lock_timeout')")
            .fetch_one(&mut **conn)
            .await
            .map_err(sqlx_err)?;
        sqlx::query("SAVEPOINT import_drop_indexes").execute(&mut **conn).await.map_err(sqlx_err)?;
        set_local(conn, "lock_timeout", DROP_LOCK_TIMEOUT).await?;
        let drop = format!("DROP INDEX {}", names.join(", "));
        match sqlx::query(AssertSqlSafe(drop)).execute(&mut **conn).await {
            Ok(_) => {
                // RELEASE keeps what was done since the savepoint, the setting too.
                sqlx::query("RELEASE SAVEPOINT import_drop_indexes").execute(&mut **conn).await.map_err(sqlx_err)?;
                set_local(conn, "lock_timeout", &lock_timeout).await?;
                self.dropped_indexes = found.into_iter().map(|(_, def)| def).collect();
            }
            Err(e) if e.as_database_error().and_then(|d| d.code()).as_deref() == Some("55P03") => {
                // Not granted in time: undo the savepoint (and the setting) and keep the indexes.
                for sql in ["ROLLBACK TO SAVEPOINT import_drop_indexes", "RELEASE SAVEPOINT import_drop_indexes"] {
                    sqlx::query(sql).execute(&mut **conn).await.map_err(sqlx_err)?;
                }
            }
            Err(e) => return Err(sqlx_err(e)),
        }
        Ok(())
    }

    /// Builds the indexes `maybe_drop_indexes` dropped, from their own definitions.
    async fn rebuild_indexes(&mut self) -> Result<(), DbErr> {
        let defs = std::mem::take(&mut self.dropped_indexes);
        if defs.is_empty() {
            return Ok(());
        }
        let conn = self.conn().await?;
        // In-memory sorts where the server's setting is lower (server memory, not ours).
        sqlx::query(
            "SELECT set_config('maintenance_work_mem', $1, true) \
             WHERE pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes($1)",
        )
        .bind(REBUILD_WORK_MEM)
        .execute(&mut **conn)
        .await
        .map_err(sqlx_err)?;
        for def in defs {
            sqlx::query(AssertSqlSafe(def)).execute(&mut **conn).await.map_err(sqlx_err)?;
        }
        Ok(())
    }

    /// `COMMIT` (after sending what is gathered and building dropped indexes again) or
    /// `ROLLBACK` (dropping it), then the connection is closed (see `importers_bulk`).
    pub(crate) async fn finish(mut self, end: &'static str) -> Result<(), DbErr> {
        if end == "COMMIT" {
            self.flush(false).await?;
            self.conn().await?;
            self.rebuild_indexes().await?;
        } else {
            // A batch that failed is undone by the rollback like the rest.
            let _undone = self.conn().await;
        }
        let mut conn = self.conn.take().ok_or_else(|| DbErr::Custom("bulk import: the connection was lost".into()))?;
        sqlx::query(end).execute(&mut *conn).await.map_err(sqlx_err)?;
        conn.close().await.map_err(sqlx_err)
    }
}

/// `SET LOCAL name = value`, with the value as a parameter.
async fn set_local(conn: &mut PoolConnection<Postgres>, name: &str, value: &str) -> Result<(), DbErr> {
    sqlx::query("SELECT set_config($1, $2, true)")
        .bind(name)
        .bind(value)
        .execute(&mut **conn)
        .await
        .map_err(sqlx_err)?;
    Ok(())
}

/// Records in `importers`, counted up to `limit`.
async fn count_up_to(conn: &mut PoolConnection<Postgres>, limit: i64) -> Result<i64, DbErr> {
    sqlx::query_scalar("SELECT count(*) FROM (SELECT 1 FROM importers LIMIT $1) AS t")
        .bind(limit)
        .fetch_one(&mut **conn)
        .await
        .map_err(sqlx_err)
}

/// Sends `data` as the data of one `COPY ... FROM STDIN`.
pub(crate) async fn copy(conn: &mut PoolConnection<Postgres>, statement: &str, data: &[u8]) -> Result<(), DbErr> {
    let mut copy = conn.copy_in_raw(statement).await.map_err(sqlx_err)?;
    copy.send(data).await.map_err(sqlx_err)?;
    copy.finish().await.map_err(sqlx_err)?;
    Ok(())
}

/// Signature, flags (no OIDs) and header extension length of binary `COPY` data.
const BINARY_HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// Microseconds between 1970-01-01 and PostgreSQL's epoch, 2000-01-01 UTC.
const PG_EPOCH_MICROS: i128 = 946_684_800_000_000;

/// Starts a row of `fields` fields (and the data with its header, if this is the first row).
pub(crate) fn start_tuple(buf: &mut Vec<u8>, fields: i16) {
    if buf.is_empty() {
        buf.extend_from_slice(BINARY_HEADER);
    }
    buf.extend_from_slice(&fields.to_be_bytes());
}

/// A `text`/`varchar` field: its UTF-8 bytes as they are (no escaping in binary format).
pub(crate) fn put_text(buf: &mut Vec<u8>, s: &str) -> Result<(), DbErr> {
    let len = i32::try_from(s.len()).map_err(|_| DbErr::Custom("bulk import: a value is too long".into()))?;
    buf.extend_from_slice(&len.to_be_bytes());
    buf.extend_from_slice(s.as_bytes());
    Ok(())
}

/// A `bigint` field, or NULL.
pub(crate) fn put_i64(buf: &mut Vec<u8>, v: Option<i64>) {
    match v {
        Some(v) => {
            buf.extend_from_slice(&8i32.to_be_bytes());
            buf.extend_from_slice(&v.to_be_bytes());
        }
        None => buf.extend_from_slice(&(-1i32).to_be_bytes()),
    }
}

/// A `timestamptz` field: microseconds since 2000-01-01 UTC (see `pg_micros`).
pub(crate) fn put_micros(buf: &mut Vec<u8>, micros: i64) {
    buf.extend_from_slice(&8i32.to_be_bytes());
    buf.extend_from_slice(&micros.to_be_bytes());
}

/// A time as `timestamptz` stores it: microseconds since 2000-01-01 UTC, rounded to the
/// nearest microsecond (ties to even) as the text input of a finer time would be.
pub(crate) fn pg_micros(at: OffsetDateTime) -> i64 {
    let nanos = at.unix_timestamp_nanos();
    let (mut micros, rest) = (nanos.div_euclid(1000), nanos.rem_euclid(1000));
    if rest > 500 || (rest == 500 && micros % 2 != 0) {
        micros += 1;
    }
    (micros - PG_EPOCH_MICROS) as i64
}

/// The text columns an update writes (all but id, number, creation and the non-text ones), in
/// `update_text_values` order.
fn update_text_columns() -> Vec<String> {
    use crate::schema::Importers::*;
    insert_columns()
        .into_iter()
        .filter(|c| !matches!(c, Number | CreatedBy | CreatedAt | FilerFirmId | UpdatedAt | Version))
        .map(|c| c.to_string())
        .collect()
}

fn update_text_values<'r>(r: &'r ImporterRow, name_search: &'r str) -> Vec<&'r str> {
    let mut v =
        vec![r.number_kind.as_str(), &r.name, name_search, &r.dba, &r.company_type, &r.number_uses, &r.cbp_reasons];
    v.extend(r.mailing.iter().map(String::as_str));
    v.extend(r.physical.iter().map(String::as_str));
    v.extend([r.phone.as_str(), &r.email, &r.status, &r.updated_by]);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_fields_are_length_prefixed_big_endian() {
        let mut b = Vec::new();
        start_tuple(&mut b, 3);
        put_text(&mut b, "tab\t\\ü").unwrap();
        put_i64(&mut b, None);
        put_i64(&mut b, Some(258));
        let mut want = BINARY_HEADER.to_vec();
        want.extend_from_slice(&[0, 3, 0, 0, 0, 7, b't', b'a', b'b', b'\t', b'\\', 0xc3, 0xbc]);
        want.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 1, 2]);
        assert_eq!(b, want);
        assert_eq!(BINARY_HEADER.len(), 19);
    }

    #[test]
    fn times_count_microseconds_from_2000() {
        let at = |s: &str| OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap();
        assert_eq!(pg_micros(at("2000-01-01T00:00:00Z")), 0);
        assert_eq!(pg_micros(at("2000-01-01T01:00:00.000001+01:00")), 1);
        assert_eq!(pg_micros(at("1999-12-31T23:59:59.999999Z")), -1);
        assert_eq!(pg_micros(at("2000-01-01T00:00:00.0000015Z")), 2);
        assert_eq!(pg_micros(at("2000-01-01T00:00:00.0000025Z")), 2);
        assert_eq!(pg_micros(at("2000-01-01T00:00:00.000002501Z")), 3);
    }

    #[test]
    fn importer_fields_match_the_columns() {
        // id, the columns, created_line, created_import_id: as named in `importers_copy_sql`.
        assert_eq!(IMPORTER_FIELDS as usize, 1 + insert_columns().len() + 2);
    }

    #[test]
    fn update_columns_match_values() {
        let r = ImporterRow {
            id: 1,
            number: String::new(),
            number_kind: String::new(),
            name: String::new(),
            dba: String::new(),
            company_type: String::new(),
            number_uses: String::new(),
            cbp_reasons: String::new(),
            mailing: Default::default(),
            physical: Default::default(),
            phone: String::new(),
            email: String::new(),
            status: String::new(),
            filer_firm_id: None,
            created_by: String::new(),
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_by: String::new(),
            updated_at: OffsetDateTime::UNIX_EPOCH,
            version: 1,
        };
        assert_eq!(update_text_columns().len(), update_text_values(&r, "").len());
    }
}

//! SQLite side of the import writer through sqlx, for in-memory databases only (see
//! `importers_bulk`). A database file is written through rusqlite on a connection of its own
//! (`importers_bulk_rusqlite`, faster); `sqlite::memory:` cannot be opened a second time, since
//! sqlx's in-memory database is private to the pool's connections, so its imports stay here.
//!
//! What makes it fast, measured in docs/performance.md:
//! - Ids are assigned here, not by the database: the transaction is `BEGIN IMMEDIATE`, so no
//!   one else can insert until it ends and `max(id) + 1 ..` is free. No `RETURNING`.
//! - Values every row shares (actor, time, firm, the import's history entry) are bound once per
//!   statement: fewer binds (every text bind costs sqlx an allocation and SQLite a copy).
//! - Statement texts are built once per row count and prepared once (sqlx caches prepared
//!   statements by text); odd-sized remainders are split into power-of-two batches so that they
//!   too hit the cache.
//! - A larger page cache for this connection only (`IMPORT_CACHE_KIB`): the indexes on name and
//!   email take keys in random order, and with SQLite's default 2 MiB cache a large import spends
//!   its time evicting and re-reading index pages. It changes no durability setting.

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::DbErr;
use sea_orm::sea_query::Iden;
use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::sqlite::SqliteArguments;
use sea_orm::sqlx::{self, Arguments, AssertSqlSafe, Sqlite, SqlitePool};

use crate::audit::AuditRow;
use crate::importers::{ImporterRow, insert_columns};
use crate::importers_bulk::{IMPORT_CACHE_KIB, NEW_ROW_COLUMNS, NewImporter, Stamp, sqlx_err};

/// Rows per chunk (one lookup of existing records); written in batches of `BATCH_ROWS`.
pub(crate) const CHUNK_ROWS: usize = 4 * BATCH_ROWS;

/// Rows per statement. Each new record binds `NEW_ROW_BINDS` values; SQLite allows 32,766 per
/// statement.
const BATCH_ROWS: usize = 1000;

/// The record's own columns, then its CSV line.
const NEW_ROW_BINDS: usize = NEW_ROW_COLUMNS.len() + 1;

pub struct SqliteBulk {
    conn: PoolConnection<Sqlite>,
    /// Next free importer id (valid while the write lock is held, i.e. the whole transaction).
    next_id: i64,
    /// Statement texts by row count: new records.
    insert_sql: HashMap<usize, Arc<str>>,
    /// Statement texts by row count: complete history rows (of updates).
    audit_sql: HashMap<usize, Arc<str>>,
}

fn bind<'q, T: sqlx::Encode<'q, Sqlite> + sqlx::Type<Sqlite>>(args: &mut SqliteArguments, v: T) -> Result<(), DbErr> {
    args.add(v).map_err(|e| DbErr::Custom(format!("bulk import: cannot bind a value: {e}")))
}

/// The bound arguments of one batch of new records.
struct CreatedBatch {
    rows: usize,
    records: SqliteArguments,
}

impl CreatedBatch {
    fn new(stamp: &Stamp, import_id: i64, first_id: i64, batch: Vec<NewImporter>) -> Result<CreatedBatch, DbErr> {
        let n = batch.len();
        let mut records = SqliteArguments::default();
        records.reserve(4 + n * NEW_ROW_BINDS, 0);
        bind(&mut records, stamp.filer_firm_id)?;
        bind(&mut records, stamp.actor_label.clone())?;
        // Bound as sqlx binds times everywhere else (RFC 3339 text), so reads decode the same.
        bind(&mut records, stamp.at)?;
        bind(&mut records, import_id)?;
        for (id, r) in (first_id..).zip(batch) {
            let name_search = r.name.to_lowercase();
            bind(&mut records, id)?;
            for s in [r.number, r.number_kind, r.name, name_search, r.dba, r.company_type, r.number_uses, r.cbp_reasons]
                .into_iter()
                .chain(r.mailing)
                .chain(r.physical)
                .chain([r.phone, r.email, r.status])
            {
                bind_text(&mut records, s)?;
            }
            bind(&mut records, r.line as i64)?;
        }
        Ok(CreatedBatch { rows: n, records })
    }
}

/// A text column of a new record. Empty text (most optional columns) goes as NULL, which
/// `insert_sql` turns back into '': a NULL costs neither sqlx nor SQLite an allocation.
fn bind_text(args: &mut SqliteArguments, s: String) -> Result<(), DbErr> {
    bind(args, if s.is_empty() { None } else { Some(s) })
}

/// Splits `n` rows into batch sizes that repeat across chunks: full batches, then powers of two.
fn batch_sizes(mut n: usize) -> Vec<usize> {
    let mut out = Vec::new();
    while n >= BATCH_ROWS {
        out.push(BATCH_ROWS);
        n -= BATCH_ROWS;
    }
    let mut p = BATCH_ROWS.next_power_of_two();
    while n > 0 {
        while p > n {
            p /= 2;
        }
        out.push(p);
        n -= p;
    }
    out
}

impl SqliteBulk {
    pub(crate) async fn begin(pool: &SqlitePool) -> Result<SqliteBulk, DbErr> {
        let mut conn = pool.acquire().await.map_err(sqlx_err)?;
        conn.close_on_drop();
        sqlx::query(AssertSqlSafe(format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}")))
            .execute(&mut *conn)
            .await
            .map_err(sqlx_err)?;
        // Statement journals (SQLite keeps one per multi-row INSERT, to undo just that statement
        // on an error) in memory rather than temporary files: no durability involved.
        sqlx::query("PRAGMA temp_store = MEMORY").execute(&mut *conn).await.map_err(sqlx_err)?;
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await.map_err(sqlx_err)?;
        // AUTOINCREMENT never reuses an id, even of a deleted row: start above both the largest
        // id and the one sqlite_sequence remembers. Explicit ids move sqlite_sequence on.
        let last: i64 = sqlx::query_scalar(
            "SELECT max(coalesce((SELECT max(id) FROM importers), 0), \
             coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'importers'), 0))",
        )
        .fetch_one(&mut *conn)
        .await
        .map_err(sqlx_err)?;
        Ok(SqliteBulk { conn, next_id: last + 1, insert_sql: HashMap::new(), audit_sql: HashMap::new() })
    }

    pub(crate) async fn existing(&mut self, numbers: &[String]) -> Result<Vec<ImporterRow>, DbErr> {
        // One JSON array instead of one bind per number.
        let list = serde_json::to_string(numbers).map_err(|e| DbErr::Custom(e.to_string()))?;
        let rows = sqlx::query("SELECT * FROM importers WHERE number IN (SELECT value FROM json_each(?))")
            .bind(list)
            .fetch_all(&mut *self.conn)
            .await
            .map_err(sqlx_err)?;
        rows.into_iter().map(|r| ImporterRow::from_row(&sea_orm::QueryResult::from(r))).collect()
    }

    pub(crate) async fn update(&mut self, rows: &[ImporterRow]) -> Result<Vec<i64>, DbErr> {
        let sql: Arc<str> = Arc::from(update_sql());
        let mut written = Vec::with_capacity(rows.len());
        for r in rows {
            let mut args = SqliteArguments::default();
            for v in update_values(r) {
                bind(&mut args, v)?;
            }
            bind(&mut args, r.filer_firm_id)?;
            bind(&mut args, r.updated_at)?;
            bind(&mut args, r.version)?;
            bind(&mut args, r.id)?;
            bind(&mut args, r.version - 1)?;
            let done =
                sqlx::query_with(AssertSqlSafe(sql.clone()), args).execute(&mut *self.conn).await.map_err(sqlx_err)?;
            if done.rows_affected() == 1 {
                written.push(r.id);
            }
        }
        Ok(written)
    }

    /// Writes batch after batch; the arguments of the next batch are built while SQLite (on
    /// sqlx's worker thread) runs the current one, so the two threads overlap.
    pub(crate) async fn create(&mut self, stamp: &Stamp, import_id: i64, rows: Vec<NewImporter>) -> Result<(), DbErr> {
        let mut rows = rows.into_iter();
        let mut sizes = batch_sizes(rows.len()).into_iter();
        let mut build = |n: usize, first_id: i64| {
            let batch: Vec<NewImporter> = rows.by_ref().take(n).collect();
            CreatedBatch::new(stamp, import_id, first_id, batch)
        };
        let mut next = match sizes.next() {
            Some(n) => Some(build(n, self.take_ids(n))?),
            None => None,
        };
        while let Some(batch) = next.take() {
            let n = batch.rows;
            let insert = self.insert_sql.entry(n).or_insert_with(|| insert_sql(n).into()).clone();
            let following = sizes.next().map(|n| (n, self.take_ids(n)));
            let conn = &mut *self.conn;
            let (done, built) =
                tokio::join!(sqlx::query_with(AssertSqlSafe(insert), batch.records).execute(&mut *conn), async {
                    following.map(|(n, first_id)| build(n, first_id)).transpose()
                });
            done.map_err(sqlx_err)?;
            next = built?;
        }
        Ok(())
    }

    /// Reserves `n` ids.
    fn take_ids(&mut self, n: usize) -> i64 {
        let first = self.next_id;
        self.next_id += n as i64;
        first
    }

    pub(crate) async fn append_audit(&mut self, rows: &[AuditRow]) -> Result<(), DbErr> {
        let mut rows = rows.iter();
        for n in batch_sizes(rows.len()) {
            let mut args = SqliteArguments::default();
            args.reserve(n * 8, 0);
            for r in rows.by_ref().take(n) {
                bind(&mut args, r.at)?;
                bind(&mut args, r.actor_user_id)?;
                bind(&mut args, r.actor_label.clone())?;
                bind(&mut args, r.action.clone())?;
                bind(&mut args, r.entity_type.clone())?;
                bind(&mut args, r.entity_id)?;
                bind(&mut args, r.entity_key.clone())?;
                bind(&mut args, r.changes.clone())?;
            }
            let sql = self.audit_sql.entry(n).or_insert_with(|| audit_sql(n).into()).clone();
            sqlx::query_with(AssertSqlSafe(sql), args).execute(&mut *self.conn).await.map_err(sqlx_err)?;
        }
        Ok(())
    }

    /// One history entry, and its id.
    pub(crate) async fn append_returning_id(&mut self, r: &AuditRow) -> Result<i64, DbErr> {
        self.append_audit(std::slice::from_ref(r)).await?;
        sqlx::query_scalar("SELECT last_insert_rowid()").fetch_one(&mut *self.conn).await.map_err(sqlx_err)
    }

    /// `COMMIT` or `ROLLBACK`, then the connection is closed (see `importers_bulk`).
    pub(crate) async fn finish(mut self, end: &'static str) -> Result<(), DbErr> {
        sqlx::query(end).execute(&mut *self.conn).await.map_err(sqlx_err)?;
        self.conn.close().await.map_err(sqlx_err)
    }
}

/// `rows` placeholder tuples of `width` anonymous parameters: `(?,?),(?,?)`.
fn placeholders(rows: usize, width: usize) -> String {
    let tuple = format!("({})", vec!["?"; width].join(","));
    vec![tuple; rows].join(",")
}

/// `INSERT INTO importers` of `rows` new records. The shared values are bound once, in a
/// one-row CTE joined to the rows. Parameters are all anonymous `?`: sqlx asks SQLite for the
/// name of every parameter it binds, and with numbered ones (`?NNN`) each answer is a linear
/// search, which made a 24,000-parameter statement quadratic.
fn insert_sql(rows: usize) -> String {
    // column1 is the id, the last column the CSV line; the text columns between come back from
    // NULL to '' (see `bind_text`).
    let per_row: Vec<String> = std::iter::once("v.column1".to_string())
        .chain((2..NEW_ROW_BINDS).map(|i| format!("coalesce(v.column{i}, '')")))
        .chain(std::iter::once(format!("v.column{NEW_ROW_BINDS}")))
        .collect();
    format!(
        "WITH s(firm, label, at, import) AS (SELECT ?, ?, ?, ?) \
         INSERT INTO importers ({cols}, created_line, filer_firm_id, created_by, created_at, updated_by, updated_at, \
         version, created_import_id) \
         SELECT {per_row}, s.firm, s.label, s.at, s.label, s.at, 1, s.import FROM s, (VALUES {values}) AS v",
        cols = NEW_ROW_COLUMNS.join(", "),
        per_row = per_row.join(", "),
        values = placeholders(rows, NEW_ROW_BINDS)
    )
}

/// `INSERT INTO audit_log` of `rows` complete history rows (8 binds each).
fn audit_sql(rows: usize) -> String {
    let values = vec!["(?,?,?,?,?,?,?,?)"; rows].join(",");
    format!(
        "INSERT INTO audit_log (at, actor_user_id, actor_label, action, entity_type, entity_id, entity_key, changes) \
         VALUES {values}"
    )
}

/// The columns an update writes (all but id, number and creation), in `update_values` order.
fn update_columns() -> Vec<String> {
    use crate::schema::Importers::*;
    insert_columns()
        .into_iter()
        .filter(|c| !matches!(c, Number | CreatedBy | CreatedAt | FilerFirmId | UpdatedAt | Version))
        .map(|c| c.to_string())
        .collect()
}

fn update_sql() -> String {
    let mut sets: Vec<String> = update_columns().iter().map(|c| format!("{c} = ?")).collect();
    sets.extend(["filer_firm_id = ?".into(), "updated_at = ?".into(), "version = ?".into()]);
    format!("UPDATE importers SET {} WHERE id = ? AND version = ?", sets.join(", "))
}

/// Text values of `update_columns`, in order.
fn update_values(r: &ImporterRow) -> Vec<String> {
    let mut v = vec![
        r.number_kind.clone(),
        r.name.clone(),
        r.name.to_lowercase(),
        r.dba.clone(),
        r.company_type.clone(),
        r.number_uses.clone(),
        r.cbp_reasons.clone(),
    ];
    v.extend(r.mailing.iter().cloned());
    v.extend(r.physical.iter().cloned());
    v.extend([r.phone.clone(), r.email.clone(), r.status.clone(), r.updated_by.clone()]);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_repeat_their_sizes() {
        assert_eq!(batch_sizes(2500), vec![1000, 1000, 256, 128, 64, 32, 16, 4]);
        assert_eq!(batch_sizes(1), vec![1]);
        assert_eq!(batch_sizes(0), Vec::<usize>::new());
        assert_eq!(batch_sizes(1000), vec![1000]);
    }

    #[test]
    fn update_columns_match_values() {
        let cols = update_columns();
        assert_eq!(cols.len(), 23);
        assert_eq!(cols[0], "number_kind");
        assert_eq!(cols.last().map(String::as_str), Some("updated_by"));
    }
}

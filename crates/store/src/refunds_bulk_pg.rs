//! PostgreSQL side of the refund recording writer (see `refunds_bulk`): new refunds go in with
//! binary `COPY` (the encoders of `importers_bulk_pg`), gathered into batches that a task of
//! their own sends while the caller checks the next chunk.
//!
//! When the table is empty at the start (a first load), the writer keeps other writers out
//! (`SHARE ROW EXCLUSIVE`; readers are not affected) and skips the lookups of recorded numbers:
//! none can exist. Otherwise each number is one probe of the unique index (a `LATERAL` join
//! over `unnest`, which the planner cannot turn into a sequential scan as it does `= ANY` on a
//! large table; see `importers_bulk_pg`).

use sea_orm::DbErr;
use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::{self, AssertSqlSafe, PgPool, Postgres, Row};
use time::OffsetDateTime;
use tokio::task::JoinHandle;

use crate::importers_bulk::sqlx_err;
use crate::importers_bulk_pg::{copy, pg_micros, put_i64, put_micros, put_text, start_tuple};
use crate::refunds::NewRefund;
use crate::refunds_bulk::{COLUMNS, RecordedFacts, taken};

/// Rows gathered before a `COPY` is sent: few round trips (each can wait for a delayed ACK),
/// a few MB of buffer.
const FLUSH_ROWS: usize = 40_000;

type Flight = JoinHandle<(PoolConnection<Postgres>, Result<(), DbErr>, Vec<u8>)>;

pub struct PgRefunds {
    /// `None` while `flight` has it.
    conn: Option<PoolConnection<Postgres>>,
    flight: Option<Flight>,
    copy_sql: String,
    /// COPY data not sent yet, and its row count.
    batch: Vec<u8>,
    rows: usize,
    /// The buffer of the batch last sent, handed back by its task.
    spare: Vec<u8>,
    /// False when the table was empty at the start and other writers are kept out.
    lookups: bool,
    /// A first load's dropped indexes, as `CREATE INDEX` statements run before `COMMIT`.
    deferred: Vec<String>,
}

impl PgRefunds {
    pub(crate) async fn begin(pool: &PgPool) -> Result<PgRefunds, DbErr> {
        let mut conn = pool.acquire().await.map_err(sqlx_err)?;
        conn.close_on_drop();
        sqlx::query("BEGIN").execute(&mut *conn).await.map_err(sqlx_err)?;
        let mut lookups = any_refund(&mut conn).await?;
        if !lookups {
            sqlx::query("LOCK TABLE refunds IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut *conn)
                .await
                .map_err(sqlx_err)?;
            // Another import may have committed before the lock was granted.
            lookups = any_refund(&mut conn).await?;
        }
        let deferred = if lookups { Vec::new() } else { defer_indexes(&mut conn).await? };
        Ok(PgRefunds {
            conn: Some(conn),
            flight: None,
            copy_sql: format!("COPY refunds ({}) FROM STDIN (FORMAT binary)", COLUMNS.join(", ")),
            batch: Vec::new(),
            rows: 0,
            spare: Vec::new(),
            lookups,
            deferred,
        })
    }

    /// The connection, once the batch being sent (if any) is written; its error, if it failed.
    async fn conn(&mut self) -> Result<&mut PoolConnection<Postgres>, DbErr> {
        if let Some(flight) = self.flight.take() {
            let (conn, sent, spare) =
                flight.await.map_err(|e| DbErr::Custom(format!("refund import: the COPY task stopped: {e}")))?;
            self.conn = Some(conn);
            self.spare = spare;
            sent?;
        }
        self.conn.as_mut().ok_or_else(|| DbErr::Custom("refund import: the connection was lost".into()))
    }

    pub(crate) async fn existing(&mut self, numbers: Vec<String>) -> Result<Vec<RecordedFacts>, DbErr> {
        if !self.lookups {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT r.refund_number, r.importer_id, r.entry_number, r.source, r.principal_cents, r.deposit_date, \
             r.liquidation_date, r.notify_party_id FROM unnest($1::text[]) AS n(number), \
             LATERAL (SELECT * FROM refunds WHERE refunds.refund_number = n.number OFFSET 0) AS r",
        )
        .bind(numbers)
        .fetch_all(&mut **self.conn().await?)
        .await
        .map_err(sqlx_err)?;
        rows.iter()
            .map(|r| {
                Ok(RecordedFacts {
                    refund_number: r.try_get(0)?,
                    importer_id: r.try_get(1)?,
                    entry_number: r.try_get(2)?,
                    source: r.try_get(3)?,
                    principal_cents: r.try_get(4)?,
                    deposit_date: r.try_get(5)?,
                    liquidation_date: r.try_get(6)?,
                    notify_party_id: r.try_get(7)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(sqlx_err)
    }

    pub(crate) async fn insert(&mut self, rows: Vec<NewRefund>, actor: &str, at: OffsetDateTime) -> Result<(), DbErr> {
        let at = pg_micros(at);
        let b = &mut self.batch;
        for r in &rows {
            start_tuple(b, COLUMNS.len() as i16);
            put_text(b, &r.refund_number)?;
            put_i64(b, Some(r.importer_id));
            put_text(b, &r.entry_number)?;
            put_text(b, &r.filer_code)?;
            put_text(b, &r.source)?;
            put_i64(b, Some(r.principal_cents));
            put_text(b, &r.deposit_date)?;
            put_text(b, &r.liquidation_date)?;
            put_i64(b, r.notify_party_id);
            put_i64(b, r.interest_cents);
            put_text(b, "recorded")?;
            put_micros(b, at);
            put_micros(b, at);
            put_text(b, actor)?;
            put_text(b, &r.created_source)?;
        }
        self.rows += rows.len();
        if self.rows >= FLUSH_ROWS {
            self.flush().await?;
        }
        Ok(())
    }

    /// Hands the gathered rows to a task that sends them (after the previous batch is written).
    async fn flush(&mut self) -> Result<(), DbErr> {
        if self.rows == 0 {
            return Ok(());
        }
        self.conn().await?;
        let mut conn =
            self.conn.take().ok_or_else(|| DbErr::Custom("refund import: the connection was lost".into()))?;
        let mut data = std::mem::replace(&mut self.batch, std::mem::take(&mut self.spare));
        self.rows = 0;
        // Binary COPY trailer: a field count of -1.
        data.extend_from_slice(&(-1i16).to_be_bytes());
        let sql = self.copy_sql.clone();
        self.flight = Some(tokio::spawn(async move {
            let sent = copy(&mut conn, &sql, &data).await.map_err(duplicate_number);
            data.clear();
            (conn, sent, data)
        }));
        Ok(())
    }

    /// `COMMIT` or `ROLLBACK` (after the last batch is written); the connection is closed.
    pub(crate) async fn finish(mut self, end: &'static str) -> Result<(), DbErr> {
        let written = if end == "COMMIT" { self.flush().await } else { Ok(()) };
        let settled = self.conn().await.map(|_| ());
        let conn = self.conn.as_mut().ok_or_else(|| DbErr::Custom("refund import: the connection was lost".into()))?;
        let mut rebuilt = Ok(());
        if end == "COMMIT" && written.is_ok() && settled.is_ok() {
            for sql in &self.deferred {
                // The server's own index definitions, read by `defer_indexes`.
                rebuilt =
                    sqlx::query(AssertSqlSafe(sql.clone())).execute(&mut **conn).await.map(|_| ()).map_err(sqlx_err);
                if rebuilt.is_err() {
                    break;
                }
            }
        }
        let written = written.and(rebuilt);
        let end = if written.is_ok() && settled.is_ok() { end } else { "ROLLBACK" };
        let ended = sqlx::query(end).execute(&mut **conn).await.map_err(sqlx_err);
        let closed = match self.conn.take() {
            Some(c) => c.close().await.map_err(sqlx_err),
            None => Ok(()),
        };
        written.and(settled).and(ended).and(closed)
    }
}

/// A first load (the table was empty when it was locked): drops the refunds table's indexes,
/// but the primary key's, inside the transaction, and returns their definitions for `finish` to
/// build again before `COMMIT`: one sort per index instead of an index insert per row and index
/// (docs/performance.md). Dropping an index locks the table against readers too until the
/// commit: pages listing refunds wait for the first load (seconds) instead of seeing an empty
/// ledger. A rollback puts the indexes back.
async fn defer_indexes(conn: &mut PoolConnection<Postgres>) -> Result<Vec<String>, DbErr> {
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT indexname::text, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'refunds' \
         AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'refunds'::regclass)",
    )
    .fetch_all(&mut **conn)
    .await
    .map_err(sqlx_err)?;
    for (name, _) in &indexes {
        // A name the server listed, quoted as an identifier.
        sqlx::query(AssertSqlSafe(format!("DROP INDEX \"{}\"", name.replace('"', "\"\""))))
            .execute(&mut **conn)
            .await
            .map_err(sqlx_err)?;
    }
    Ok(indexes.into_iter().map(|(_, def)| def).collect())
}

async fn any_refund(conn: &mut PoolConnection<Postgres>) -> Result<bool, DbErr> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM refunds)").fetch_one(&mut **conn).await.map_err(sqlx_err)
}

/// A unique-index refusal of a refund number, in words; other errors as they are.
fn duplicate_number(e: DbErr) -> DbErr {
    let DbErr::Query(sea_orm::RuntimeErr::SqlxError(sqlx_error)) = &e else { return e };
    let Some(pg) = sqlx_error.as_database_error().and_then(|d| d.try_downcast_ref::<sqlx::postgres::PgDatabaseError>())
    else {
        return e;
    };
    if pg.constraint() != Some("ix_refunds_refund_number") {
        return e;
    }
    // The detail reads "Key (refund_number)=(R-1) already exists."
    let number = pg.detail().and_then(|d| d.split("(refund_number)=(").nth(1)).and_then(|t| t.split(')').next());
    taken(number.unwrap_or("(one of this file's numbers)"))
}

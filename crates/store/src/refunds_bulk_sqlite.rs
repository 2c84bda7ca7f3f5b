//! SQLite side of the refund recording writer (see `refunds_bulk`): rusqlite on a connection of
//! its own to the database file, on a blocking thread, with the transaction rules of the
//! importer import (`importers_bulk_rusqlite::open_writing`: the pool's settings, `BEGIN
//! IMMEDIATE`). Each value is bound straight from the row and the statement is prepared once
//! per chunk of thousands of rows, which is what makes it several times faster than the same
//! rows through sqlx (docs/performance.md).
//!
//! Dropping the writer closes its jobs channel; the thread then drops the connection, which
//! rolls the open transaction back.

use rusqlite::{Connection, OptionalExtension};
use sea_orm::DbErr;
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

use crate::importers_bulk_rusqlite::{PoolSettings, err, open_writing, timestamp};
use crate::refunds::NewRefund;
use crate::refunds_bulk::{COLUMNS, RecordedFacts, taken};

type Reply<T> = oneshot::Sender<Result<T, DbErr>>;

enum Job {
    Existing(Vec<String>, Reply<Vec<RecordedFacts>>),
    /// Answered with the rows, so that they are freed on the caller's thread.
    Insert(Vec<NewRefund>, String, String, Reply<Vec<NewRefund>>),
    Finish(&'static str, Reply<()>),
}

pub struct SqliteRefunds {
    jobs: mpsc::Sender<Job>,
    /// The insert being written, if any.
    writing: Option<oneshot::Receiver<Result<Vec<NewRefund>, DbErr>>>,
}

fn stopped() -> DbErr {
    DbErr::Custom("refund import: the SQLite writer thread stopped".into())
}

impl SqliteRefunds {
    pub(crate) async fn begin(settings: PoolSettings) -> Result<SqliteRefunds, DbErr> {
        let (jobs, queue) = mpsc::channel(1);
        let (ready, started) = oneshot::channel();
        drop(tokio::task::spawn_blocking(move || {
            let opened = open_writing(&settings).and_then(|c| first_load(&c).map(|d| (c, d)));
            let (conn, deferred) = match opened {
                Ok(c) => {
                    let _sent = ready.send(Ok(()));
                    c
                }
                Err(e) => {
                    let _sent = ready.send(Err(e));
                    return;
                }
            };
            serve(conn, deferred, queue);
        }));
        started.await.map_err(|_| stopped())??;
        Ok(SqliteRefunds { jobs, writing: None })
    }

    /// Waits for the insert being written and reports its error.
    async fn settle(&mut self) -> Result<(), DbErr> {
        if let Some(w) = self.writing.take() {
            drop(w.await.map_err(|_| stopped())??);
        }
        Ok(())
    }

    async fn call<T>(&mut self, job: impl FnOnce(Reply<T>) -> Job) -> Result<T, DbErr> {
        self.settle().await?;
        let (reply, answer) = oneshot::channel();
        self.jobs.send(job(reply)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    pub(crate) async fn existing(&mut self, numbers: Vec<String>) -> Result<Vec<RecordedFacts>, DbErr> {
        self.call(|r| Job::Existing(numbers, r)).await
    }

    pub(crate) async fn insert(&mut self, rows: Vec<NewRefund>, actor: &str, at: OffsetDateTime) -> Result<(), DbErr> {
        self.settle().await?;
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job::Insert(rows, actor.to_string(), timestamp(at)?, reply)).await.map_err(|_| stopped())?;
        self.writing = Some(answer);
        Ok(())
    }

    /// `COMMIT` or `ROLLBACK`; the connection is closed before this returns.
    pub(crate) async fn finish(mut self, end: &'static str) -> Result<(), DbErr> {
        let written = self.settle().await;
        let end = if written.is_ok() { end } else { "ROLLBACK" };
        let ended = self.call(|r| Job::Finish(end, r)).await;
        written.and(ended)
    }
}

/// A first load (the table empty when the write lock was taken): the refunds table's indexes
/// are dropped inside the transaction and built again before it commits, one sort each instead
/// of a B-tree insert per row and index (docs/performance.md). Returns their `CREATE`
/// statements; empty when the table has rows, and the indexes are then left alone.
///
/// Safe because the transaction holds SQLite's write lock from `BEGIN IMMEDIATE` to its end: no
/// other writer can add a refund (a duplicate number the unique index would have refused) in
/// between, and readers keep seeing the committed table, indexes included. A rollback (errors,
/// a dry run, a dropped writer) puts the indexes back with everything else.
fn first_load(conn: &Connection) -> Result<Vec<String>, DbErr> {
    let any: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM refunds)", [], |r| r.get(0)).map_err(err)?;
    if any {
        return Ok(Vec::new());
    }
    let mut st = conn
        .prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'refunds' AND sql IS NOT NULL",
        )
        .map_err(err)?;
    let indexes: Vec<(String, String)> =
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(err)?.collect::<Result<_, _>>().map_err(err)?;
    for (name, _) in &indexes {
        conn.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\""))).map_err(err)?;
    }
    Ok(indexes.into_iter().map(|(_, sql)| sql).collect())
}

fn serve(conn: Connection, deferred: Vec<String>, mut queue: mpsc::Receiver<Job>) {
    while let Some(job) = queue.blocking_recv() {
        match job {
            // A first load has nothing recorded before it to look up.
            Job::Existing(_, r) if !deferred.is_empty() => drop(r.send(Ok(Vec::new()))),
            Job::Existing(numbers, r) => drop(r.send(existing(&conn, &numbers))),
            Job::Insert(rows, actor, at, r) => drop(r.send(insert(&conn, &rows, &actor, &at).map(|()| rows))),
            Job::Finish(end, r) => {
                let rebuilt = match end {
                    "COMMIT" => deferred.iter().try_for_each(|sql| conn.execute_batch(sql)).map_err(err),
                    _ => Ok(()),
                };
                let end = if rebuilt.is_ok() { end } else { "ROLLBACK" };
                let ended = rebuilt.and(conn.execute_batch(end).map_err(err));
                let closed = conn.close().map_err(|(_, e)| err(e));
                drop(r.send(ended.and(closed)));
                return;
            }
        }
    }
    // Dropped without `finish`: dropping the connection rolls the transaction back.
}

fn existing(conn: &Connection, numbers: &[String]) -> Result<Vec<RecordedFacts>, DbErr> {
    // The unique index on refund_number answers each probe.
    let mut st = conn
        .prepare(
            "SELECT importer_id, entry_number, source, principal_cents, deposit_date, liquidation_date, \
             notify_party_id FROM refunds WHERE refund_number = ?1",
        )
        .map_err(err)?;
    let mut found = Vec::new();
    for n in numbers {
        let row = st
            .query_row([n], |r| {
                Ok(RecordedFacts {
                    refund_number: n.clone(),
                    importer_id: r.get(0)?,
                    entry_number: r.get(1)?,
                    source: r.get(2)?,
                    principal_cents: r.get(3)?,
                    deposit_date: r.get(4)?,
                    liquidation_date: r.get(5)?,
                    notify_party_id: r.get(6)?,
                })
            })
            .optional()
            .map_err(err)?;
        found.extend(row);
    }
    Ok(found)
}

fn insert(conn: &Connection, rows: &[NewRefund], actor: &str, at: &str) -> Result<(), DbErr> {
    let marks: Vec<String> = (1..=COLUMNS.len()).map(|i| format!("?{i}")).collect();
    let sql = format!("INSERT INTO refunds ({}) VALUES ({})", COLUMNS.join(", "), marks.join(", "));
    let mut st = conn.prepare(&sql).map_err(err)?;
    // Shared by every row: status, times, who.
    st.raw_bind_parameter(11, "recorded").map_err(err)?;
    st.raw_bind_parameter(12, at).map_err(err)?;
    st.raw_bind_parameter(13, at).map_err(err)?;
    st.raw_bind_parameter(14, actor).map_err(err)?;
    for r in rows {
        st.raw_bind_parameter(1, r.refund_number.as_str()).map_err(err)?;
        st.raw_bind_parameter(2, r.importer_id).map_err(err)?;
        st.raw_bind_parameter(3, r.entry_number.as_str()).map_err(err)?;
        st.raw_bind_parameter(4, r.filer_code.as_str()).map_err(err)?;
        st.raw_bind_parameter(5, r.source.as_str()).map_err(err)?;
        st.raw_bind_parameter(6, r.principal_cents).map_err(err)?;
        st.raw_bind_parameter(7, r.deposit_date.as_str()).map_err(err)?;
        st.raw_bind_parameter(8, r.liquidation_date.as_str()).map_err(err)?;
        st.raw_bind_parameter(9, r.notify_party_id).map_err(err)?;
        st.raw_bind_parameter(10, r.interest_cents).map_err(err)?;
        st.raw_bind_parameter(15, r.created_source.as_str()).map_err(err)?;
        if let Err(e) = st.raw_execute() {
            return Err(match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::ConstraintViolation) if e.to_string().contains("refund_number") => {
                    taken(&r.refund_number)
                }
                _ => DbErr::Custom(format!("refund import: refund {}: {e}", r.refund_number)),
            });
        }
    }
    Ok(())
}

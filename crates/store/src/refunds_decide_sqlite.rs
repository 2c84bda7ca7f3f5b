//! SQLite side of certification: reading the refunds to decide and writing a batch's decisions
//! through rusqlite, on a connection of its own and a blocking thread (like the imports'
//! writers, `importers_bulk_rusqlite`).
//!
//! Through sqlx each row read crossed from its worker thread to the async task, and each value
//! written was a bound `Value` of a statement text rebuilt per batch: certification of 1,000,000
//! refunds spent most of its time switching threads and copying (docs/performance.md, "Session
//! 16"). Here a prepared statement reads rows straight into `RefundRow` and writes each decision
//! with one reused statement, in one `BEGIN IMMEDIATE` transaction per batch.
//!
//! The write has the rules of `refunds::write_decided`: a bill is reduced only if that much is
//! still open, a refund is decided only at the version read; otherwise the batch is rolled back
//! and `false` returned (the caller reads again).

use rusqlite::Connection;
use sea_orm::DbErr;
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

use crate::importers_bulk_rusqlite::{err, open_bulk, stored_time, timestamp};
use crate::refunds::{DecidedBatch, RefundRow};

type Reply<T> = oneshot::Sender<Result<T, DbErr>>;

enum Job {
    Read { status: String, due_by: Option<String>, after: i64, limit: u64, reply: Reply<Vec<RefundRow>> },
    Write { batch: DecidedBatch, actor: String, at: String, reply: Reply<bool> },
}

/// One connection and its thread; certification opens two (one reads the next batch while the
/// other writes the last).
pub struct SqliteDecider {
    jobs: mpsc::Sender<Job>,
}

fn stopped() -> DbErr {
    DbErr::Custom("certification: the SQLite connection thread stopped".into())
}

impl SqliteDecider {
    pub async fn open(db: &crate::Db) -> Result<SqliteDecider, DbErr> {
        let settings = crate::importers_bulk_rusqlite::pool_settings(db.conn.get_sqlite_connection_pool()).await?;
        let (jobs, queue) = mpsc::channel(1);
        let (ready, started) = oneshot::channel();
        drop(tokio::task::spawn_blocking(move || {
            let conn = match open_bulk(&settings) {
                Ok(c) => {
                    let _sent = ready.send(Ok(()));
                    c
                }
                Err(e) => {
                    let _sent = ready.send(Err(e));
                    return;
                }
            };
            serve(&conn, queue);
        }));
        started.await.map_err(|_| stopped())??;
        Ok(SqliteDecider { jobs })
    }

    async fn call<T>(&self, job: impl FnOnce(Reply<T>) -> Job) -> Result<T, DbErr> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(job(reply)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// `refunds::in_status`, read here.
    pub async fn read(
        &self,
        status: &str,
        due_by: Option<&str>,
        after: i64,
        limit: u64,
    ) -> Result<Vec<RefundRow>, DbErr> {
        let (status, due_by) = (status.to_string(), due_by.map(str::to_string));
        self.call(|reply| Job::Read { status, due_by, after, limit, reply }).await
    }

    /// Writes a batch in its own transaction; false (and nothing written) when a refund or a bill
    /// moved since it was read.
    pub async fn write(&self, batch: DecidedBatch, actor: &str, at: OffsetDateTime) -> Result<bool, DbErr> {
        let (actor, at) = (actor.to_string(), timestamp(at)?);
        self.call(|reply| Job::Write { batch, actor, at, reply }).await
    }
}

fn serve(conn: &Connection, mut queue: mpsc::Receiver<Job>) {
    while let Some(job) = queue.blocking_recv() {
        match job {
            Job::Read { status, due_by, after, limit, reply } => {
                drop(reply.send(read(conn, &status, due_by.as_deref(), after, limit)))
            }
            Job::Write { batch, actor, at, reply } => {
                let written = conn.execute_batch("BEGIN IMMEDIATE").map_err(err).and_then(|()| {
                    let end = match write(conn, &batch, &actor, &at) {
                        Ok(true) => "COMMIT",
                        Ok(false) => "ROLLBACK",
                        Err(e) => {
                            let _ignored = conn.execute_batch("ROLLBACK");
                            return Err(e);
                        }
                    };
                    conn.execute_batch(end).map_err(err)?;
                    Ok(end == "COMMIT")
                });
                // Dropped after the reply is sent: its strings are freed off the caller's path.
                drop(reply.send(written));
                drop(batch);
            }
        }
    }
}

/// The columns of `RefundRow`, in its order.
const ROW: &str = "id, refund_number, importer_id, entry_number, filer_code, source, principal_cents, deposit_date, \
                   liquidation_date, notify_party_id, interest_cents, offset_cents, net_cents, status, \
                   secondary_status, held_reason, payee_importer_id, payee_kind, refund_date, status_at, created_at, \
                   created_by, created_source, version";

fn read(
    conn: &Connection,
    status: &str,
    due_by: Option<&str>,
    after: i64,
    limit: u64,
) -> Result<Vec<RefundRow>, DbErr> {
    // The queue index (m0013) is partial: `status = ?` matches a term of its predicate, and
    // `version > 0` is its other term (see `refunds::queue`).
    let sql = format!(
        "SELECT {ROW} FROM refunds WHERE status = ?1 AND version > 0 AND id > ?2 \
         AND (?3 IS NULL OR liquidation_date <= ?3) ORDER BY id LIMIT ?4"
    );
    let mut st = conn.prepare(&sql).map_err(err)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = st
        .query_map(rusqlite::params![status, after, due_by, limit], |r| {
            let time = |i: usize| {
                stored_time(r.get_ref(i)?)
                    .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into()))
            };
            Ok(RefundRow {
                id: r.get(0)?,
                refund_number: r.get(1)?,
                importer_id: r.get(2)?,
                entry_number: r.get(3)?,
                filer_code: r.get(4)?,
                source: r.get(5)?,
                principal_cents: r.get(6)?,
                deposit_date: r.get(7)?,
                liquidation_date: r.get(8)?,
                notify_party_id: r.get(9)?,
                interest_cents: r.get(10)?,
                offset_cents: r.get(11)?,
                net_cents: r.get(12)?,
                status: r.get(13)?,
                secondary_status: r.get(14)?,
                held_reason: r.get(15)?,
                payee_importer_id: r.get(16)?,
                payee_kind: r.get(17)?,
                refund_date: r.get(18)?,
                status_at: time(19)?,
                created_at: time(20)?,
                created_by: r.get(21)?,
                created_source: r.get(22)?,
                version: r.get(23)?,
            })
        })
        .map_err(err)?;
    rows.collect::<Result<_, _>>().map_err(err)
}

fn write(conn: &Connection, b: &DecidedBatch, actor: &str, at: &str) -> Result<bool, DbErr> {
    let mut take = conn
        .prepare("UPDATE bills SET open_cents = open_cents - ?1 WHERE id = ?2 AND open_cents >= ?1")
        .map_err(err)?;
    let mut applied = conn
        .prepare("INSERT INTO bill_applications (bill_id, refund_id, amount_cents, at) VALUES (?1, ?2, ?3, ?4)")
        .map_err(err)?;
    for a in &b.applications {
        if take.execute(rusqlite::params![a.amount_cents, a.bill_id]).map_err(err)? != 1 {
            return Ok(false);
        }
        applied.execute(rusqlite::params![a.bill_id, a.refund_id, a.amount_cents, at]).map_err(err)?;
    }
    let mut decide = conn
        .prepare(
            "UPDATE refunds SET status = ?3, secondary_status = ?4, held_reason = ?5, interest_cents = ?6, \
             offset_cents = ?7, net_cents = ?8, payee_importer_id = ?9, payee_kind = ?10, refund_date = ?11, \
             status_at = ?12, version = version + 1 WHERE id = ?1 AND version = ?2",
        )
        .map_err(err)?;
    for d in &b.decisions {
        let n = decide
            .execute(rusqlite::params![
                d.id,
                d.version,
                d.status,
                d.secondary_status,
                d.held_reason,
                d.interest_cents,
                d.offset_cents,
                d.net_cents,
                d.payee_importer_id,
                d.payee_kind,
                d.refund_date,
                at,
            ])
            .map_err(err)?;
        if n != 1 {
            return Ok(false);
        }
    }
    let mut event = conn
        .prepare(
            "INSERT INTO refund_events (refund_id, at, actor_label, from_status, to_status, reason) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(err)?;
    for e in &b.events {
        event.execute(rusqlite::params![e.refund_id, at, actor, e.from_status, e.to_status, e.reason]).map_err(err)?;
    }
    let mut notice = conn
        .prepare(
            "INSERT INTO refund_notices (importer_id, kind, refund_id, cents, line, reason, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(err)?;
    for n in &b.notices {
        notice
            .execute(rusqlite::params![n.importer_id, n.kind, n.refund_id, n.cents, n.line, n.reason, at])
            .map_err(err)?;
    }
    Ok(true)
}

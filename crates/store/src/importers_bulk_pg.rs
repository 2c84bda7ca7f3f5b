//! PostgreSQL side of the import writer (see `importers_bulk`).
//!
//! New records and all history rows go in with `COPY ... FROM STDIN` (text format): one
//! streamed message per chunk instead of a statement whose parameters the server has to bind
//! and plan. The records' ids are taken from their sequence first (`nextval` over
//! `generate_series`, safe next to concurrent inserts), so their history rows can be written
//! without `RETURNING`. Updates are one `UPDATE ... FROM UNNEST(arrays)` per chunk.

use sea_orm::DbErr;
use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::{self, AssertSqlSafe, PgPool, Postgres};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::audit::AuditRow;
use crate::importers::{ImporterRow, insert_columns};
use crate::importers_bulk::{NewImporter, Stamp, sqlx_err};

/// Rows per chunk (one lookup of existing records, one batch of ids): large enough that round
/// trips are few (see docs/performance.md on delayed ACKs), small enough to keep memory flat.
pub(crate) const CHUNK_ROWS: usize = 10_000;

/// Rows of COPY text gathered before they are sent. Each `COPY` ends in a round trip that can
/// wait ~40 ms for a delayed ACK (sqlx 0.9.0 leaves Nagle on); gathering several chunks per
/// `COPY` makes those waits few. About 20 MB of text at most.
const FLUSH_ROWS: usize = 50_000;

const AUDIT_COPY: &str =
    "COPY audit_log (at, actor_user_id, actor_label, action, entity_type, entity_id, entity_key, changes) FROM STDIN";

pub struct PgBulk {
    conn: PoolConnection<Postgres>,
    /// `SELECT nextval('importers_id_seq') FROM generate_series(1, $1)` with the sequence
    /// named as a constant: `pg_get_serial_sequence` evaluated per row cost 3.8 us each.
    next_ids_sql: String,
    /// COPY text not yet sent: new records, and history rows (in the order they were added).
    /// Nothing reads these rows back before they are sent: each number appears once in an
    /// import, and updates only touch records that existed before it.
    importers: Vec<u8>,
    audit: Vec<u8>,
    /// Rows in `importers` plus rows in `audit`.
    pending: usize,
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
        Ok(PgBulk { conn, next_ids_sql, importers: Vec::new(), audit: Vec::new(), pending: 0 })
    }

    pub(crate) async fn existing(&mut self, numbers: &[String]) -> Result<Vec<ImporterRow>, DbErr> {
        // One index probe per number, whatever the statistics say: with `number = ANY($1)` the
        // planner picks a sequential scan once the table is large (265 ms per 10,000-number
        // chunk at 1,000,000 rows). OFFSET 0 keeps the subquery from being flattened into a
        // join it could plan the same way.
        let rows = sqlx::query(
            "SELECT i.* FROM unnest($1::text[]) AS n(number), \
             LATERAL (SELECT * FROM importers WHERE importers.number = n.number OFFSET 0) AS i",
        )
        .bind(numbers)
        .fetch_all(&mut *self.conn)
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
        q.fetch_all(&mut *self.conn).await.map_err(sqlx_err)
    }

    pub(crate) async fn create(&mut self, stamp: &Stamp, rows: Vec<NewImporter>) -> Result<(), DbErr> {
        let ids: Vec<i64> = sqlx::query_scalar(AssertSqlSafe(self.next_ids_sql.clone()))
            .bind(rows.len() as i64)
            .fetch_all(&mut *self.conn)
            .await
            .map_err(sqlx_err)?;
        if ids.len() != rows.len() {
            return Err(DbErr::Custom(format!("bulk import: asked for {} ids, got {}", rows.len(), ids.len())));
        }
        let at = format_at(stamp.at)?;
        let firm = stamp.filer_firm_id.map(|f| f.to_string());
        let mut label = Vec::new();
        push_text(&mut label, &stamp.actor_label);

        for (id, r) in ids.iter().zip(&rows) {
            let b = &mut self.importers;
            push_int(b, *id);
            for s in [&r.number, &r.number_kind, &r.name] {
                b.push(b'\t');
                push_text(b, s);
            }
            b.push(b'\t');
            push_text(b, &r.name.to_lowercase());
            for s in [&r.dba, &r.company_type, &r.number_uses, &r.cbp_reasons]
                .into_iter()
                .chain(&r.mailing)
                .chain(&r.physical)
            {
                b.push(b'\t');
                push_text(b, s);
            }
            for s in [&r.phone, &r.email, &r.status] {
                b.push(b'\t');
                push_text(b, s);
            }
            b.push(b'\t');
            push_opt(b, firm.as_deref());
            for part in [&label[..], at.as_bytes(), &label[..], at.as_bytes()] {
                b.push(b'\t');
                b.extend_from_slice(part);
            }
            b.extend_from_slice(b"\t1\n");
        }
        let user = stamp.actor_user_id.map(|u| u.to_string());
        for (id, r) in ids.iter().zip(&rows) {
            let b = &mut self.audit;
            b.extend_from_slice(at.as_bytes());
            b.push(b'\t');
            push_opt(b, user.as_deref());
            b.push(b'\t');
            b.extend_from_slice(&label);
            b.push(b'\t');
            push_text(b, &r.created_action(stamp));
            b.extend_from_slice(b"\timporter\t");
            push_int(b, *id);
            b.push(b'\t');
            push_text(b, &r.entity_key);
            b.extend_from_slice(b"\t[]\n");
        }
        self.pending += 2 * rows.len();
        self.flush_if_full().await
    }

    pub(crate) async fn append_audit(&mut self, rows: &[AuditRow]) -> Result<(), DbErr> {
        for r in rows {
            let b = &mut self.audit;
            b.extend_from_slice(format_at(r.at)?.as_bytes());
            b.push(b'\t');
            push_opt(b, r.actor_user_id.map(|u| u.to_string()).as_deref());
            for s in [&r.actor_label, &r.action, &r.entity_type] {
                b.push(b'\t');
                push_text(b, s);
            }
            b.push(b'\t');
            push_opt(b, r.entity_id.map(|u| u.to_string()).as_deref());
            for s in [&r.entity_key, &r.changes] {
                b.push(b'\t');
                push_text(b, s);
            }
            b.push(b'\n');
        }
        self.pending += rows.len();
        self.flush_if_full().await
    }

    async fn flush_if_full(&mut self) -> Result<(), DbErr> {
        if self.pending >= FLUSH_ROWS { self.flush().await } else { Ok(()) }
    }

    /// Sends the gathered rows: records first, since history rows refer to them.
    async fn flush(&mut self) -> Result<(), DbErr> {
        if !self.importers.is_empty() {
            let sql = format!("COPY importers (id, {}) FROM STDIN", insert_columns().join(", "));
            copy(&mut self.conn, &sql, &self.importers).await?;
            self.importers.clear();
        }
        if !self.audit.is_empty() {
            copy(&mut self.conn, AUDIT_COPY, &self.audit).await?;
            self.audit.clear();
        }
        self.pending = 0;
        Ok(())
    }

    /// `COMMIT` (after sending what is gathered) or `ROLLBACK` (dropping it), then the
    /// connection is closed (see `importers_bulk`).
    pub(crate) async fn finish(mut self, end: &'static str) -> Result<(), DbErr> {
        if end == "COMMIT" {
            self.flush().await?;
        }
        sqlx::query(end).execute(&mut *self.conn).await.map_err(sqlx_err)?;
        self.conn.close().await.map_err(sqlx_err)
    }
}

/// Sends `data` as the data of one `COPY ... FROM STDIN`.
async fn copy(conn: &mut PoolConnection<Postgres>, statement: &str, data: &[u8]) -> Result<(), DbErr> {
    let mut copy = conn.copy_in_raw(statement).await.map_err(sqlx_err)?;
    copy.send(data).await.map_err(sqlx_err)?;
    copy.finish().await.map_err(sqlx_err)?;
    Ok(())
}

/// A timestamp as COPY text: RFC 3339 with its offset, which `timestamptz` input reads exactly.
fn format_at(at: OffsetDateTime) -> Result<String, DbErr> {
    at.format(&Rfc3339).map_err(|e| DbErr::Custom(format!("bulk import: cannot format a time: {e}")))
}

/// A text value in COPY text format: backslash, tab, newline and carriage return are escaped
/// (everything else, any UTF-8, goes as is).
pub(crate) fn push_text(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if !bytes.iter().any(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r')) {
        buf.extend_from_slice(bytes);
        return;
    }
    for &c in bytes {
        match c {
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            _ => buf.push(c),
        }
    }
}

fn push_int(buf: &mut Vec<u8>, v: i64) {
    use std::io::Write;
    let _infallible = write!(buf, "{v}");
}

/// `\N` is NULL in COPY text format.
fn push_opt(buf: &mut Vec<u8>, v: Option<&str>) {
    match v {
        Some(s) => push_text(buf, s),
        None => buf.extend_from_slice(b"\\N"),
    }
}

/// The text columns an update writes (all but id, number, creation and the non-text ones), in
/// `update_text_values` order.
fn update_text_columns() -> Vec<String> {
    insert_columns()
        .into_iter()
        .filter(|c| {
            !matches!(c.as_str(), "number" | "created_by" | "created_at" | "filer_firm_id" | "updated_at" | "version")
        })
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
    fn copy_text_escapes_only_what_copy_reads_specially() {
        let mut b = Vec::new();
        push_text(&mut b, "a\\b\tc\nd\re \"q\" ü ,;");
        assert_eq!(String::from_utf8(b).unwrap(), "a\\\\b\\tc\\nd\\re \"q\" ü ,;");
        let mut b = Vec::new();
        push_opt(&mut b, None);
        assert_eq!(b, b"\\N");
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

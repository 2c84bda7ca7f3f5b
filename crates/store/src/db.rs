//! Connecting to SQLite (the embedded default) or PostgreSQL, and running migrations.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sea_orm::sqlx::SqliteConnection;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement, TransactionTrait};
use sea_orm_migration::MigratorTrait;

use crate::migrations::Migrator;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

/// The shared database handle. Cheap to clone (a pool inside).
#[derive(Clone)]
pub struct Db {
    pub conn: DatabaseConnection,
    pub kind: DbKind,
    /// What `connect` was given, to open the pool again after a SQLite migration.
    url: String,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Db({:?})", self.kind)
    }
}

/// The file of a SQLite connection's main database, as SQLite resolved it, or `None` for an
/// in-memory database. SQLite's own answer rather than the URL: it is the path actually opened,
/// whatever form the URL took (relative, `sqlite:x.db`, `sqlite://x.db?mode=rwc`).
pub(crate) async fn sqlite_file(conn: &mut SqliteConnection) -> Result<Option<PathBuf>, sea_orm::sqlx::Error> {
    let file: String = sea_orm::sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
        .fetch_one(conn)
        .await?;
    Ok((!file.is_empty()).then(|| PathBuf::from(file)))
}

/// Hides the password in a database URL for logs and `check-config`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Db {
    /// `url` is `sqlite://path` or `postgres://...`. A SQLite file and its folder are created
    /// when missing; WAL is switched on so readers never wait for the writer.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        let kind = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DbKind::Postgres
        } else if url.starts_with("sqlite:") {
            DbKind::Sqlite
        } else {
            anyhow::bail!("unsupported database URL {}: use sqlite://PATH or postgres://...", redact_url(url));
        };
        let mut opts = ConnectOptions::new(url.to_string());
        opts.sqlx_logging(false).connect_timeout(Duration::from_secs(10)).acquire_timeout(Duration::from_secs(10));
        if kind == DbKind::Sqlite {
            if let Some(path) = url.strip_prefix("sqlite://").map(|p| p.split('?').next().unwrap_or(p))
                && let Some(parent) = Path::new(path).parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent)?;
            }
            opts.max_connections(8).min_connections(1);
            opts.map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
            });
        } else {
            opts.max_connections(16).min_connections(1);
        }
        let conn = Database::connect(opts)
            .await
            .map_err(|e| anyhow::anyhow!("cannot open database {}: {e}", redact_url(url)))?;
        Ok(Db { conn, kind, url: url.to_string() })
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Applies pending migrations. On PostgreSQL an advisory lock serialises instances that
    /// start at the same moment, so only one of them migrates.
    ///
    /// SQLite: when a migration changed the schema of a database file, the pool is opened
    /// again. A SQLite connection keeps the schema it last read and prepares new statements
    /// against it; SQLite notices the change only when the statement runs, and prepares it again
    /// then, but sqlx has already taken the result columns from the first preparation. A
    /// `SELECT *` prepared that way on a connection opened before `ALTER TABLE ... ADD COLUMN`
    /// got one value more than it had columns, and sqlx's worker thread panicked. An in-memory
    /// database is shared by the pool's connections, schema included, and would not survive
    /// its pool, so it keeps it. Call this before cloning the `Db`: clones share the pool that
    /// is closed here. Other processes using the database while it migrates (a server left
    /// running during an upgrade) are not reached: stop them first (docs/operations.md).
    pub async fn migrate(&mut self) -> anyhow::Result<()> {
        match self.kind {
            DbKind::Sqlite => {
                let pending = Migrator::get_pending_migrations(&self.conn).await?.len();
                if pending == 0 {
                    return Ok(());
                }
                Migrator::up(&self.conn, None).await?;
                let mut conn = self.conn.get_sqlite_connection_pool().acquire().await?;
                let file = sqlite_file(&mut conn).await?;
                drop(conn);
                if file.is_some() {
                    self.conn.close_by_ref().await?;
                    self.conn = Db::connect(&self.url).await?.conn;
                }
            }
            DbKind::Postgres => {
                let txn = self.conn.begin().await?;
                txn.execute_raw(Statement::from_string(DbBackend::Postgres, "SELECT pg_advisory_xact_lock(724701)"))
                    .await?;
                Migrator::up(&txn, None).await?;
                txn.commit().await?;
            }
        }
        Ok(())
    }

    /// A cheap round trip for `/healthz`.
    pub async fn ping(&self) -> anyhow::Result<()> {
        self.conn.execute_unprepared("SELECT 1").await?;
        Ok(())
    }

    /// (size, idle) of the connection pool, for `/metrics`.
    pub fn pool_stats(&self) -> (u32, usize) {
        match self.kind {
            DbKind::Sqlite => {
                let p = self.conn.get_sqlite_connection_pool();
                (p.size(), p.num_idle())
            }
            DbKind::Postgres => {
                let p = self.conn.get_postgres_connection_pool();
                (p.size(), p.num_idle())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_password() {
        assert_eq!(super::redact_url("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(super::redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}

//! Connecting to SQLite (the embedded default) or PostgreSQL, and running migrations.

use std::path::{Path, PathBuf};
use std::sync::Arc;
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
    /// What `connect` opened, to open the pool again after a SQLite migration.
    url: String,
    /// The private file standing for an in-memory SQLite URL, removed when the last clone goes.
    _scratch: Option<Arc<ScratchFile>>,
}

/// A SQLite URL that names no file (`sqlite::memory:`, `mode=memory`) opens a private file in the
/// temporary folder instead. Why: the CSV import writes through a connection of its own
/// (rusqlite), which an in-memory database, private to the pool, cannot give; with a file there
/// is one SQLite path for every database. What the URL promises still holds: nothing outlives
/// the `Db` (the file and its WAL are removed when the last clone is dropped) and nothing else
/// can open it.
struct ScratchFile(PathBuf);

impl Drop for ScratchFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.0.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

fn in_memory(url: &str) -> bool {
    url.starts_with("sqlite::memory:") || url.contains(":memory:") || url.contains("mode=memory")
}

fn scratch_file() -> anyhow::Result<ScratchFile> {
    let dir = std::env::temp_dir();
    for _ in 0..8 {
        let path = dir.join(format!("ace-refunds-scratch-{}-{:016x}.db", std::process::id(), rand::random::<u64>()));
        // create_new: a name already taken is never reused.
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(_) => return Ok(ScratchFile(path)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e.into()),
        }
    }
    anyhow::bail!("cannot make a scratch database file in {}", dir.display())
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Db({:?})", self.kind)
    }
}

/// The file of a SQLite connection's main database, as SQLite resolved it, or `None` for an
/// in-memory database (which `Db::connect` never opens). SQLite's own answer rather than the URL: it is the path actually opened,
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
        if in_memory(url) {
            let file = scratch_file()?;
            let mut db = Db::open(&format!("sqlite://{}", file.0.display())).await?;
            db._scratch = Some(Arc::new(file));
            return Ok(db);
        }
        Db::open(url).await
    }

    async fn open(url: &str) -> anyhow::Result<Db> {
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
        Ok(Db { conn, kind, url: url.to_string(), _scratch: None })
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
    /// got one value more than it had columns, and sqlx's worker thread panicked. Call this
    /// before cloning the `Db`: clones share the pool that is closed here. Other processes using the database while it migrates (a server left
    /// running during an upgrade) are not reached: stop them first (docs/operations.md).
    pub async fn migrate(&mut self) -> anyhow::Result<()> {
        match self.kind {
            DbKind::Sqlite => {
                let pending = Migrator::get_pending_migrations(&self.conn).await?.len();
                if pending == 0 {
                    return Ok(());
                }
                Migrator::up(&self.conn, None).await?;
                self.conn.close_by_ref().await?;
                self.conn = Db::open(&self.url).await?.conn;
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

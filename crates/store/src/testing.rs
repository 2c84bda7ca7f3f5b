//! A fresh database per test. `TEST_DATABASE_URL=postgres://...` selects PostgreSQL (a new
//! database is created per test and dropped afterwards); otherwise a SQLite file in a
//! temporary folder.

use sea_orm::{ConnectionTrait, Database};

use crate::Db;

pub struct TestDb {
    pub db: Db,
    pub url: String,
    cleanup: Option<(String, String)>,
    _dir: Option<TempDir>,
}

/// A temporary folder removed on drop (kept tiny to avoid a dependency in the library).
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ignored = std::fs::remove_dir_all(&self.0);
    }
}

impl TempDir {
    pub fn new() -> std::io::Result<Self> {
        let p = std::env::temp_dir().join(format!("ace-test-{}", rand::random::<u64>()));
        std::fs::create_dir_all(&p)?;
        Ok(TempDir(p))
    }
}

impl TestDb {
    pub async fn new() -> anyhow::Result<TestDb> {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin) if admin.starts_with("postgres") => {
                let name = format!("ace_t_{}", rand::random::<u64>());
                let admin_conn = Database::connect(admin.as_str()).await?;
                admin_conn.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
                admin_conn.close().await?;
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                let url = format!("{base}/{name}");
                let mut db = Db::connect(&url).await?;
                db.migrate().await?;
                Ok(TestDb { db, url, cleanup: Some((admin, name)), _dir: None })
            }
            _ => {
                let dir = TempDir::new()?;
                let url = format!("sqlite://{}/test.db", dir.0.display());
                let mut db = Db::connect(&url).await?;
                db.migrate().await?;
                Ok(TestDb { db, url, cleanup: None, _dir: Some(dir) })
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.cleanup.take() {
            // Drop runs outside async context: use a short-lived runtime on its own thread.
            let _joined = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build();
                if let Ok(rt) = rt {
                    rt.block_on(async move {
                        if let Ok(c) = Database::connect(admin.as_str()).await {
                            let _dropped =
                                c.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                            let _closed = c.close().await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

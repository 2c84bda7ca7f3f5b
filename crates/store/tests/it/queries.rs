//! Storage round trips, run on SQLite by default and on PostgreSQL with TEST_DATABASE_URL.

use sea_orm::ConnectionTrait;
use store::audit::{self, AuditRow};
use store::importers::{self, ImporterRow, Search};
use store::testing::TestDb;

pub(crate) fn row(number: &str, name: &str) -> ImporterRow {
    let now = store::now();
    ImporterRow {
        id: 0,
        number: number.into(),
        number_kind: "ein".into(),
        name: name.into(),
        dba: String::new(),
        company_type: "corporation".into(),
        number_uses: "importer_of_record".into(),
        cbp_reasons: String::new(),
        mailing: Default::default(),
        physical: ["1 Main St".into(), String::new(), "Baltimore".into(), "MD".into(), "21201".into(), "US".into()],
        phone: String::new(),
        email: "ops@acme.example".into(),
        status: "active".into(),
        filer_firm_id: None,
        created_by: "test".into(),
        created_at: now,
        updated_by: "test".into(),
        updated_at: now,
        version: 1,
    }
}

#[tokio::test]
async fn importer_round_trip_search_and_optimistic_update() {
    let t = TestDb::new().await.unwrap();
    let c = &t.db.conn;
    let mut r = row("12-345678900", "Acme Imports");
    r.id = importers::insert(c, &r).await.unwrap();
    for (n, name) in [("12-345678901", "Beta 100% Goods"), ("98-765432100", "Gamma")] {
        importers::insert(c, &row(n, name)).await.unwrap();
    }
    let got = importers::by_number(c, "12-345678900").await.unwrap().unwrap();
    assert_eq!(got, r);

    let (rows, total) =
        importers::search(c, &Search { number_prefix: Some("12-".into()), ..Default::default() }, 10, 0).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(rows[0].name, "Acme Imports");
    // LIKE wildcards in user input are literal.
    let (rows, _) =
        importers::search(c, &Search { name_words: vec!["100%".into()], ..Default::default() }, 10, 0).await.unwrap();
    assert_eq!(rows.len(), 1);
    let (rows, _) =
        importers::search(c, &Search { name_words: vec!["%".into(), "gam".into()], ..Default::default() }, 10, 0)
            .await
            .unwrap();
    assert!(rows.is_empty());

    let mut changed = got.clone();
    changed.name = "Acme Imports LLC".into();
    changed.version = 2;
    assert!(importers::update(c, &changed).await.unwrap());
    // A second writer holding the old version loses instead of overwriting.
    assert!(!importers::update(c, &changed).await.unwrap());
    assert_eq!(importers::by_number(c, "12-345678900").await.unwrap().unwrap().name, "Acme Imports LLC");

    // Unique numbers.
    assert!(importers::insert(c, &row("12-345678900", "Dup")).await.is_err());
}

#[tokio::test]
async fn audit_log_is_append_only() {
    let t = TestDb::new().await.unwrap();
    let c = &t.db.conn;
    let entry = AuditRow {
        id: 0,
        at: store::now(),
        actor_user_id: None,
        actor_label: "test".into(),
        action: "importer.create".into(),
        entity_type: "importer".into(),
        entity_id: Some(5),
        entity_key: "12-345678900".into(),
        changes: "[]".into(),
    };
    audit::append(c, &entry).await.unwrap();
    let rows = audit::for_entity(c, "importer", 5).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].at, entry.at);
    assert!(c.execute_unprepared("UPDATE audit_log SET action = 'x'").await.is_err());
    assert!(c.execute_unprepared("DELETE FROM audit_log").await.is_err());
    assert_eq!(audit::for_entity(c, "importer", 5).await.unwrap().len(), 1);
}

#[tokio::test]
async fn migrations_are_idempotent() {
    let mut t = TestDb::new().await.unwrap();
    t.db.migrate().await.unwrap();
    t.db.ping().await.unwrap();
}

/// SQLite connections keep the schema they last read, and sqlx keeps the result columns of the
/// statements it prepared; the pool is opened again after a migration (Db::migrate), or a
/// `SELECT *` prepared before `ALTER TABLE ... ADD COLUMN` gets more values than sqlx has
/// columns for (sqlx's worker thread panicked). SQLite only: TestDb's engine is not used.
#[tokio::test]
async fn a_sqlite_pool_sees_columns_a_migration_added() {
    use sea_orm::TransactionTrait;
    use sea_orm_migration::MigratorTrait;
    let dir = store::testing::TempDir::new().unwrap();
    let mut db = store::Db::connect(&format!("sqlite://{}/t.db", dir.0.display())).await.unwrap();
    // The migrations before m0006, which adds importer columns.
    let before = store::migrations::Migrator::migrations()
        .iter()
        .position(|m| m.name() == "m0006_import_provenance")
        .expect("m0006 is a migration") as u32;
    store::migrations::Migrator::up(&db.conn, Some(before)).await.unwrap();
    // Each of the pool's 8 connections reads the table as it is before the last migration.
    let mut held = Vec::new();
    for _ in 0..8 {
        let txn = db.conn.begin().await.unwrap();
        assert!(importers::by_number(&txn, "12-345678900").await.unwrap().is_none());
        held.push(txn);
    }
    for txn in held {
        txn.commit().await.unwrap();
    }
    db.migrate().await.unwrap();
    let mut r = row("12-345678900", "Acme Imports");
    r.id = importers::insert(&db.conn, &r).await.unwrap();
    let mut held = Vec::new();
    for _ in 0..8 {
        let txn = db.conn.begin().await.unwrap();
        assert_eq!(importers::by_number(&txn, "12-345678900").await.unwrap().as_ref(), Some(&r));
        held.push(txn);
    }
}

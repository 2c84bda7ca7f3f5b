//! The import's bulk writer (SQLite multi-row inserts, PostgreSQL COPY): values survive exactly,
//! ids and history line up (one entry per import for the records it creates), updates keep their version check, and nothing is left behind
//! unless the transaction commits. Runs on SQLite, and on PostgreSQL with TEST_DATABASE_URL.

use sea_orm::ConnectionTrait;
use store::audit;
use store::importers;
use store::importers_bulk::{BulkWriter, NewImporter, Stamp};
use store::testing::TestDb;

fn stamp() -> Stamp {
    Stamp {
        at: store::now(),
        actor_user_id: None,
        actor_label: "import\ttester \\ \"q\"".into(),
        filer_firm_id: None,
        source: "odd\tname\\.csv".into(),
    }
}

fn record(number: &str, line: u64, name: &str) -> NewImporter {
    NewImporter {
        line,
        entity_key: number.into(),
        number: number.into(),
        number_kind: "ein".into(),
        name: name.into(),
        dba: String::new(),
        company_type: "corporation".into(),
        number_uses: "importer_of_record,consignee".into(),
        cbp_reasons: String::new(),
        mailing: Default::default(),
        physical: ["1 Main St".into(), String::new(), "Baltimore".into(), "MD".into(), "21201".into(), "US".into()],
        phone: String::new(),
        email: "ops@acme.example".into(),
        status: "active".into(),
    }
}

/// Every character COPY text format treats specially, quotes, commas, and text beyond ASCII.
const AWKWARD: [&str; 8] = [
    "tab\there",
    "back\\slash \\N \\t",
    "new\nline and\r\ncarriage return",
    "\"double\" 'single' ,comma;semi",
    "Zürich Straße – 東京 🚢",
    "trailing backslash \\",
    "\\.",
    " leading and trailing spaces ",
];

#[tokio::test]
async fn awkward_values_survive_exactly_with_history() {
    let t = TestDb::new().await.unwrap();
    let c = &t.db.conn;
    let s = stamp();
    let mut rows = Vec::new();
    for (i, v) in AWKWARD.iter().enumerate() {
        let mut r = record(&format!("12-34567890{i}"), 10 + i as u64, v);
        r.dba = v.to_string();
        r.cbp_reasons = format!("{v}{v}");
        r.mailing = [v.to_string(), String::new(), v.to_string(), "ON".into(), "K1A 0B1".into(), "CA".into()];
        r.phone = v.to_string();
        rows.push(r);
    }
    let mut w = BulkWriter::begin(&t.db).await.unwrap();
    w.create(&s, rows.clone()).await.unwrap();
    w.commit().await.unwrap();

    for r in rows {
        let got = importers::by_number(c, &r.number).await.unwrap().unwrap();
        let mut want = r.clone().into_row(&s);
        want.id = got.id;
        assert_eq!(got, want);
        let name_search: Option<String> = c
            .query_one_raw(sea_orm::Statement::from_sql_and_values(
                c.get_database_backend(),
                if t.url.starts_with("postgres") {
                    "SELECT name_search FROM importers WHERE id = $1"
                } else {
                    "SELECT name_search FROM importers WHERE id = ?"
                },
                [got.id.into()],
            ))
            .await
            .unwrap()
            .map(|row| row.try_get("", "name_search").unwrap());
        assert_eq!(name_search.as_deref(), Some(r.name.to_lowercase().as_str()));
        // No history row of its own: the record points at the import's one entry.
        assert!(audit::for_entity(c, "importer", got.id).await.unwrap().is_empty());
        let h = audit::for_importer(c, got.id).await.unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].action, format!("created by import of odd\tname\\.csv line {}", r.line));
        assert_eq!(h[0].actor_label, s.actor_label);
        assert_eq!((h[0].entity_id, h[0].changes.as_str(), h[0].at), (Some(got.id), "[]", s.at));
    }
    assert_eq!(import_entries(c).await, 1, "one entry for the whole import");
}

#[tokio::test]
async fn the_database_refuses_to_move_a_record_to_another_import() {
    let t = TestDb::new().await.unwrap();
    let c = &t.db.conn;
    let s = Stamp { source: "first.csv".into(), ..stamp() };
    let mut w = BulkWriter::begin(&t.db).await.unwrap();
    w.create(&s, vec![record("12-3456789AB", 1, "Acme")]).await.unwrap();
    w.commit().await.unwrap();
    let id = importers::by_number(c, "12-3456789AB").await.unwrap().unwrap().id;
    for set in ["created_import_id = created_import_id + 1", "created_line = 99", "created_import_id = NULL"] {
        let sql = format!("UPDATE importers SET {set} WHERE id = {id}");
        let refused = c.execute_unprepared(&sql).await.expect_err(&sql).to_string();
        assert!(refused.contains("set once"), "{sql}: {refused}");
    }
    // Other columns still change as before, and the history still tells where the record came from.
    c.execute_unprepared(&format!("UPDATE importers SET phone = '555' WHERE id = {id}")).await.unwrap();
    let h = audit::for_importer(c, id).await.unwrap();
    assert_eq!(h.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["created by import of first.csv line 1"]);
}

#[tokio::test]
async fn ids_continue_after_existing_records_and_updates_check_versions() {
    let t = TestDb::new().await.unwrap();
    let c = &t.db.conn;
    let s = stamp();
    let mut old = record("98-765432100", 2, "Existing").into_row(&s);
    old.id = importers::insert(c, &old).await.unwrap();

    let mut w = BulkWriter::begin(&t.db).await.unwrap();
    let found = w.existing(&["98-765432100".to_string(), "12-345678900".to_string()]).await.unwrap();
    assert_eq!(found, vec![old.clone()]);
    let mut changed = old.clone();
    changed.name = "Existing\tRenamed".into();
    changed.version = 2;
    assert_eq!(w.update(std::slice::from_ref(&changed)).await.unwrap(), vec![old.id]);
    // The same version again: the stored one has moved on, so nothing is written.
    assert_eq!(w.update(std::slice::from_ref(&changed)).await.unwrap(), Vec::<i64>::new());
    let new: Vec<NewImporter> = (0..3).map(|i| record(&format!("12-34567890{i}"), 3 + i, "New")).collect();
    w.create(&s, new).await.unwrap();
    w.append_audit(&[audit::AuditRow {
        id: 0,
        at: s.at,
        actor_user_id: None,
        actor_label: "x".into(),
        action: "updated by import of f line 2".into(),
        entity_type: "importer".into(),
        entity_id: Some(old.id),
        entity_key: old.number.clone(),
        changes: "[{\"field\":\"name\"}]".into(),
    }])
    .await
    .unwrap();
    w.commit().await.unwrap();

    assert_eq!(importers::by_id(c, old.id).await.unwrap().unwrap().name, "Existing\tRenamed");
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(importers::by_number(c, &format!("12-34567890{i}")).await.unwrap().unwrap().id);
    }
    assert!(ids.iter().all(|id| *id > old.id), "{ids:?} after {}", old.id);
    ids.dedup();
    assert_eq!(ids.len(), 3);
    assert_eq!(audit::for_entity(c, "importer", old.id).await.unwrap().len(), 1);
    // The sequence moved past the ids the import used: a later single insert does not collide.
    let later = importers::insert(c, &record("55-000000100", 1, "Later").into_row(&s)).await.unwrap();
    assert!(later > *ids.iter().max().unwrap());
}

#[tokio::test]
async fn rollback_and_a_dropped_writer_leave_nothing() {
    let t = TestDb::new().await.unwrap();
    let c = &t.db.conn;
    let s = stamp();
    let mut w = BulkWriter::begin(&t.db).await.unwrap();
    w.create(&s, vec![record("12-345678900", 2, "A")]).await.unwrap();
    w.rollback().await.unwrap();
    assert_eq!(importers::count(c).await.unwrap(), 0);

    let mut w = BulkWriter::begin(&t.db).await.unwrap();
    w.create(&s, vec![record("12-345678900", 2, "A")]).await.unwrap();
    drop(w);
    assert_eq!(importers::count(c).await.unwrap(), 0);
    // The database is usable afterwards (no lock or open transaction left behind).
    let mut w = BulkWriter::begin(&t.db).await.unwrap();
    w.create(&s, vec![record("12-345678900", 2, "A")]).await.unwrap();
    w.commit().await.unwrap();
    assert_eq!(importers::count(c).await.unwrap(), 1);
}

#[tokio::test]
async fn a_duplicate_number_fails_the_write() {
    let t = TestDb::new().await.unwrap();
    let s = stamp();
    importers::insert(&t.db.conn, &record("12-345678900", 1, "A").into_row(&s)).await.unwrap();
    let mut w = BulkWriter::begin(&t.db).await.unwrap();
    // SQLite refuses the row at once; PostgreSQL when the gathered COPY rows are sent.
    let wrote = match w.create(&s, vec![record("12-345678900", 2, "B")]).await {
        Ok(()) => w.commit().await,
        Err(e) => Err(e),
    };
    assert!(wrote.is_err());
    assert_eq!(importers::count(&t.db.conn).await.unwrap(), 1);
}

/// The indexes on `importers`, for the checks below: name and definition, and on PostgreSQL
/// also the collations of its columns and the index's oid (which a rebuilt index does not
/// keep). Sorted by name.
async fn importer_indexes(t: &TestDb) -> Vec<Index> {
    let pg = t.url.starts_with("postgres");
    let sql = if pg {
        "SELECT c.relname::text AS name, pg_get_indexdef(i.indexrelid) AS def, i.indcollation::text AS collations, \
         i.indexrelid::bigint AS oid FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid \
         WHERE i.indrelid = 'importers'::regclass AND i.indisvalid ORDER BY 1"
    } else {
        "SELECT name, sql AS def, '' AS collations, 0 AS oid FROM sqlite_schema \
         WHERE type = 'index' AND tbl_name = 'importers' AND sql IS NOT NULL ORDER BY name"
    };
    let backend = if pg { sea_orm::DbBackend::Postgres } else { sea_orm::DbBackend::Sqlite };
    let rows = t.db.conn.query_all_raw(sea_orm::Statement::from_string(backend, sql)).await.unwrap();
    rows.iter()
        .map(|r| Index {
            name: r.try_get("", "name").unwrap(),
            def: r.try_get("", "def").unwrap(),
            collations: r.try_get("", "collations").unwrap(),
            oid: r.try_get("", "oid").unwrap(),
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Index {
    name: String,
    def: String,
    collations: String,
    oid: i64,
}

/// The indexes without their oids: what a rebuilt index must match.
fn definitions(indexes: &[Index]) -> Vec<Index> {
    indexes.iter().map(|i| Index { oid: 0, ..i.clone() }).collect()
}

/// More rows than the SQLite writer's threshold (50,000) for dropping the name and email
/// indexes and building them again before `COMMIT`.
fn many(from: usize, n: usize) -> Vec<NewImporter> {
    (from..from + n)
        .map(|i| {
            let mut r = record(&format!("{:02}-{:07}00", 10 + i / 10_000_000, i % 10_000_000), 2 + i as u64, "x");
            r.name = format!("Name {}", (i * 7919) % n);
            r.email = format!("ap{i}@example.com");
            r
        })
        .collect()
}

#[tokio::test]
async fn a_large_import_keeps_every_index_and_its_lookups() {
    let t = TestDb::new().await.unwrap();
    let c = &t.db.conn;
    let s = stamp();
    let before = importer_indexes(&t).await;
    let mut w = BulkWriter::begin(&t.db).await.unwrap();
    for chunk in many(0, 60_000).chunks(4_000) {
        w.create(&s, chunk.to_vec()).await.unwrap();
    }
    let found = w.existing(&["10-000001200".to_string()]).await.unwrap();
    if t.url.starts_with("postgres") {
        // The table was empty when the import began: nothing stored before it can be found,
        // and PostgreSQL does not look (numbers are unique within an import).
        assert!(found.is_empty());
    } else {
        // Lookups inside the transaction still find records (the unique index on number stays).
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].email, "ap12@example.com");
    }
    w.commit().await.unwrap();

    assert_eq!(importers::count(c).await.unwrap(), 60_000);
    let after = importer_indexes(&t).await;
    assert_eq!(definitions(&after), definitions(&before));
    if t.url.starts_with("postgres") {
        // A first load: the name and email indexes were dropped and built again (new oids,
        // same definitions and collations); the primary key and the unique number index stayed.
        for (b, a) in before.iter().zip(&after) {
            let rebuilt = a.name == "ix_importers_name_search" || a.name == "ix_importers_email";
            assert_eq!(a.oid != b.oid, rebuilt, "{a:?} after {b:?}");
        }
        assert!(after.iter().any(|i| i.name == "ix_importers_email" && i.collations == "950"), "{after:?}");
    } else {
        let check = c
            .query_one_raw(sea_orm::Statement::from_string(sea_orm::DbBackend::Sqlite, "PRAGMA integrity_check"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(check.try_get::<String>("", "integrity_check").unwrap(), "ok");
    }
    let got = importers::by_number(c, "10-000599900").await.unwrap().unwrap();
    assert_eq!(got.email, "ap5999@example.com");
    assert_eq!(audit::for_importer(c, got.id).await.unwrap().len(), 1);
    // Fifteen chunks, one entry.
    assert_eq!(import_entries(c).await, 1);
}

#[tokio::test]
async fn a_failure_after_the_indexes_were_dropped_leaves_the_database_as_it_was() {
    let t = TestDb::new().await.unwrap();
    let c = &t.db.conn;
    let s = stamp();
    importers::insert(c, &record("99-000000000", 1, "Kept").into_row(&s)).await.unwrap();
    let before = importer_indexes(&t).await;
    let mut w = BulkWriter::begin(&t.db).await.unwrap();
    w.create(&s, many(0, 60_000)).await.unwrap();
    // A number that is already stored: the unique index refuses it (at once on SQLite, at the
    // latest when committing on PostgreSQL).
    let failed = match w.create(&s, vec![record("99-000000000", 70_000, "Dup")]).await {
        Ok(()) => w.commit().await,
        Err(e) => {
            drop(w);
            Err(e)
        }
    };
    assert!(failed.is_err());
    assert_eq!(importers::count(c).await.unwrap(), 1);
    // The very same indexes (on PostgreSQL: the same oids, not rebuilt ones).
    assert_eq!(importer_indexes(&t).await, before);
    // The database takes a new import afterwards: the failed one left no lock behind.
    let mut w = BulkWriter::begin(&t.db).await.unwrap();
    w.create(&s, many(0, 10)).await.unwrap();
    w.commit().await.unwrap();
    assert_eq!(importers::count(c).await.unwrap(), 11);
}

/// PostgreSQL: dropping an index locks readers out until `COMMIT`, so only a first load does it
/// (the table held fewer than 50,000 records), and only when the lock comes within a second.
#[tokio::test]
async fn a_large_import_into_a_table_in_use_keeps_its_indexes() {
    let t = TestDb::new().await.unwrap();
    if !t.url.starts_with("postgres") {
        return;
    }
    let c = &t.db.conn;
    let s = stamp();
    let before = importer_indexes(&t).await;

    // A reader in an open transaction holds its lock on the table: the import does not wait
    // for it but keeps the indexes, and still commits.
    let pool = c.get_postgres_connection_pool();
    let mut reader = pool.begin().await.unwrap();
    let seen: i64 =
        sea_orm::sqlx::query_scalar("SELECT count(*) FROM importers").fetch_one(&mut *reader).await.unwrap();
    assert_eq!(seen, 0);
    let mut w = BulkWriter::begin(&t.db).await.unwrap();
    for chunk in many(0, 60_000).chunks(10_000) {
        w.create(&s, chunk.to_vec()).await.unwrap();
    }
    w.commit().await.unwrap();
    reader.rollback().await.unwrap();
    assert_eq!(importer_indexes(&t).await, before);

    // The table now holds 60,000 records: a second large import is not a first load.
    let mut w = BulkWriter::begin(&t.db).await.unwrap();
    let more = many(60_000, 60_000);
    let numbers: Vec<String> = more.iter().map(|r| r.number.clone()).collect();
    assert!(w.existing(&numbers[..100]).await.unwrap().is_empty());
    for chunk in more.chunks(10_000) {
        w.create(&s, chunk.to_vec()).await.unwrap();
    }
    w.commit().await.unwrap();
    assert_eq!(importer_indexes(&t).await, before);
    assert_eq!(importers::count(c).await.unwrap(), 120_000);

    // Lookups run again once the table holds records, and find them.
    let mut w = BulkWriter::begin(&t.db).await.unwrap();
    let found =
        w.existing(&["10-000000000".to_string(), numbers[0].clone(), "99-999999999".to_string()]).await.unwrap();
    assert_eq!(found.len(), 2);
    w.rollback().await.unwrap();
}

/// `sqlite::memory:` opens a private file (`Db::connect`), so its imports take the one SQLite
/// writer too, and the file goes with the last handle.
#[tokio::test]
async fn an_in_memory_sqlite_database_imports_through_the_one_sqlite_writer() {
    let mut db = store::Db::connect("sqlite::memory:").await.unwrap();
    db.migrate().await.unwrap();
    let c = &db.conn;
    let s = stamp();
    let mut old = record("98-765432100", 2, "Existing").into_row(&s);
    old.id = importers::insert(c, &old).await.unwrap();
    let mut w = BulkWriter::begin(&db).await.unwrap();
    assert_eq!(w.engine(), "rusqlite", "an in-memory database imports through the one SQLite writer");
    assert_eq!(w.existing(&["98-765432100".to_string()]).await.unwrap(), vec![old.clone()]);
    let mut changed = old.clone();
    changed.name = "Renamed".into();
    changed.version = 2;
    assert_eq!(w.update(std::slice::from_ref(&changed)).await.unwrap(), vec![old.id]);
    w.create(&s, vec![record("12-345678900", 3, "New")]).await.unwrap();
    w.commit().await.unwrap();
    assert_eq!(importers::count(c).await.unwrap(), 2);
    assert_eq!(importers::by_id(c, old.id).await.unwrap().unwrap().name, "Renamed");

    // The new record points at the import's entry and keeps its line.
    let new = importers::by_number(c, "12-345678900").await.unwrap().unwrap();
    let h = audit::for_importer(c, new.id).await.unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].action, format!("created by import of {} line 3", s.source));
    assert_eq!(import_entries(c).await, 1);

    let mut w = BulkWriter::begin(&db).await.unwrap();
    w.create(&s, vec![record("12-345678901", 4, "Gone")]).await.unwrap();
    w.rollback().await.unwrap();
    assert_eq!(importers::count(c).await.unwrap(), 2);
    assert_eq!(import_entries(c).await, 1, "a rolled-back import leaves no entry");

    let file: String = c
        .query_one_raw(sea_orm::Statement::from_string(
            c.get_database_backend(),
            "SELECT file FROM pragma_database_list WHERE name = 'main'",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "file")
        .unwrap();
    assert!(std::path::Path::new(&file).exists(), "{file}");
    drop(db);
    assert!(!std::path::Path::new(&file).exists(), "the private file goes with the last handle");
}

/// How many imports have an entry in the audit log.
async fn import_entries(c: &impl ConnectionTrait) -> i64 {
    c.query_one_raw(sea_orm::Statement::from_string(
        c.get_database_backend(),
        "SELECT count(*) AS n FROM audit_log WHERE entity_type = 'import'",
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get("", "n")
    .unwrap()
}

#[tokio::test]
async fn a_sqlite_file_imports_through_its_own_connection() {
    let t = TestDb::new().await.unwrap();
    if t.url.starts_with("postgres") {
        return;
    }
    let w = BulkWriter::begin(&t.db).await.unwrap();
    assert_eq!(w.engine(), "rusqlite", "expected the rusqlite writer for a database file");
    w.rollback().await.unwrap();
}

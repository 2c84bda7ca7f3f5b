//! The refund import's writer (SQLite through rusqlite, PostgreSQL binary COPY): values survive
//! exactly, lookups see refunds recorded before the run, nothing is left unless it commits, and
//! a number another run records meanwhile is refused in words. SQLite, and PostgreSQL with
//! TEST_DATABASE_URL.

use store::importers_bulk::{BulkWriter, NewImporter, Stamp};
use store::refunds::{self, NewRefund};
use store::refunds_bulk::{RefundWriter, taken_number};
use store::testing::TestDb;

async fn importer(t: &TestDb, number: &str) -> i64 {
    let stamp = Stamp {
        at: store::now(),
        actor_user_id: None,
        actor_label: "test".into(),
        filer_firm_id: None,
        source: "t.csv".into(),
    };
    let mut w = BulkWriter::begin(&t.db).await.unwrap();
    w.create(
        &stamp,
        vec![NewImporter {
            line: 2,
            entity_key: number.into(),
            number: number.into(),
            number_kind: "ein".into(),
            name: "Acme Imports".into(),
            dba: String::new(),
            company_type: "corporation".into(),
            number_uses: "importer_of_record".into(),
            cbp_reasons: String::new(),
            mailing: Default::default(),
            physical: Default::default(),
            phone: String::new(),
            email: "ops@acme.example".into(),
            status: "active".into(),
        }],
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    store::importers::by_number(&t.db.conn, number).await.unwrap().unwrap().id
}

fn refund(number: &str, importer_id: i64, party: Option<i64>, interest: Option<i64>) -> NewRefund {
    NewRefund {
        refund_number: number.into(),
        importer_id,
        entry_number: "ABC-1234567-8".into(),
        filer_code: "ABC".into(),
        source: "liquidation".into(),
        principal_cents: 123_456_789_012,
        deposit_date: "2025-01-02".into(),
        liquidation_date: "2025-06-30".into(),
        notify_party_id: party,
        interest_cents: interest,
        created_source: "line 2\t\\ \"Zürich\" 東京".into(),
    }
}

#[tokio::test]
async fn values_survive_and_lookups_see_earlier_runs() {
    let t = TestDb::new().await.unwrap();
    let a = importer(&t, "12-345678900").await;
    let b = importer(&t, "98-765432100").await;
    let rows = vec![refund("R-1", a, Some(b), Some(45_895)), refund("R-2", b, None, None)];
    let mut w = RefundWriter::begin(&t.db).await.unwrap();
    assert!(w.existing(vec!["R-1".into()]).await.unwrap().is_empty());
    w.insert(rows.clone(), "staff \"tester\"", store::now()).await.unwrap();
    w.commit().await.unwrap();

    for r in &rows {
        let got = refunds::by_number(&t.db.conn, &r.refund_number).await.unwrap().unwrap();
        assert_eq!(
            (got.importer_id, &got.entry_number, &got.filer_code, &got.source, got.principal_cents),
            (r.importer_id, &r.entry_number, &r.filer_code, &r.source, r.principal_cents)
        );
        assert_eq!((&got.deposit_date, &got.liquidation_date), (&r.deposit_date, &r.liquidation_date));
        assert_eq!((got.notify_party_id, got.interest_cents), (r.notify_party_id, r.interest_cents));
        assert_eq!((got.status.as_str(), got.version, got.offset_cents), ("recorded", 1, 0));
        assert_eq!((got.created_by.as_str(), &got.created_source), ("staff \"tester\"", &r.created_source));
    }

    // A later run finds them, with the facts that decide "unchanged".
    let mut w = RefundWriter::begin(&t.db).await.unwrap();
    let found = w.existing(vec!["R-2".into(), "R-9".into(), "R-1".into()]).await.unwrap();
    let mut numbers: Vec<&str> = found.iter().map(|f| f.refund_number.as_str()).collect();
    numbers.sort();
    assert_eq!(numbers, ["R-1", "R-2"]);
    let r1 = found.iter().find(|f| f.refund_number == "R-1").unwrap();
    assert!(r1.same_as(&rows[0]));
    assert!(!r1.same_as(&NewRefund { principal_cents: 1, ..rows[0].clone() }));
    w.rollback().await.unwrap();
}

#[tokio::test]
async fn nothing_is_left_unless_it_commits() {
    let t = TestDb::new().await.unwrap();
    let a = importer(&t, "12-345678900").await;
    let mut w = RefundWriter::begin(&t.db).await.unwrap();
    w.insert((0..5_000).map(|i| refund(&format!("R-{i}"), a, None, Some(i))).collect(), "t", store::now())
        .await
        .unwrap();
    w.rollback().await.unwrap();
    assert!(refunds::by_number(&t.db.conn, "R-1").await.unwrap().is_none());

    // Dropped halfway (an error, a cancelled task): closing the connection rolls back.
    let mut w = RefundWriter::begin(&t.db).await.unwrap();
    w.insert(vec![refund("R-1", a, None, None)], "t", store::now()).await.unwrap();
    drop(w);
    let mut w = RefundWriter::begin(&t.db).await.unwrap();
    assert!(w.existing(vec!["R-1".into()]).await.unwrap().is_empty());
    w.insert(vec![refund("R-1", a, None, None)], "t", store::now()).await.unwrap();
    w.commit().await.unwrap();
    assert!(refunds::by_number(&t.db.conn, "R-1").await.unwrap().is_some());
}

/// Two runs recording the same number at once: the one that commits second is refused with the
/// number, and nothing of it is kept. SQLite runs writers one after the other (`BEGIN
/// IMMEDIATE`), so only PostgreSQL can race.
#[tokio::test]
async fn a_number_recorded_meanwhile_is_refused_in_words() {
    let t = TestDb::new().await.unwrap();
    if !t.url.starts_with("postgres") {
        return;
    }
    let a = importer(&t, "12-345678900").await;
    // A refund already there, so neither run locks the table as a first load does.
    let mut w = RefundWriter::begin(&t.db).await.unwrap();
    w.insert(vec![refund("R-0", a, None, None)], "t", store::now()).await.unwrap();
    w.commit().await.unwrap();

    let mut first = RefundWriter::begin(&t.db).await.unwrap();
    let mut second = RefundWriter::begin(&t.db).await.unwrap();
    first.insert(vec![refund("R-1", a, None, None)], "t", store::now()).await.unwrap();
    second.insert(vec![refund("R-2", a, None, None), refund("R-1", a, None, None)], "t", store::now()).await.unwrap();
    first.commit().await.unwrap();
    let e = second.commit().await.unwrap_err();
    assert_eq!(taken_number(&e), Some("R-1"), "{e}");
    assert!(refunds::by_number(&t.db.conn, "R-2").await.unwrap().is_none());
}

/// The refunds table's index names, sorted.
async fn refund_indexes(t: &TestDb) -> Vec<String> {
    use store::sea_orm::{ConnectionTrait, Statement};
    let sql = match t.db.kind {
        store::DbKind::Sqlite => {
            "SELECT name AS n FROM sqlite_master WHERE type = 'index' AND tbl_name = 'refunds' ORDER BY 1"
        }
        store::DbKind::Postgres => {
            "SELECT indexname::text AS n FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'refunds' ORDER BY 1"
        }
    };
    let rows = t.db.conn.query_all_raw(Statement::from_string(t.db.backend(), sql)).await.unwrap();
    rows.iter().map(|r| r.try_get::<String>("", "n").unwrap()).collect()
}

/// A first load builds the indexes after the rows (see `refunds_bulk_*`): committed or rolled
/// back, the table ends with every index it had, and the unique number still refuses a twin.
#[tokio::test]
async fn a_first_load_keeps_every_index() {
    let t = TestDb::new().await.unwrap();
    let a = importer(&t, "12-345678900").await;
    let before = refund_indexes(&t).await;
    assert!(before.iter().any(|n| n == "ix_refunds_refund_number"), "{before:?}");

    let mut w = RefundWriter::begin(&t.db).await.unwrap();
    w.insert(vec![refund("R-1", a, None, None)], "test", store::now()).await.unwrap();
    w.rollback().await.unwrap();
    assert_eq!(refund_indexes(&t).await, before, "a rolled-back first load");

    let mut w = RefundWriter::begin(&t.db).await.unwrap();
    let rows: Vec<NewRefund> = (0..500).map(|i| refund(&format!("R-{i}"), a, None, Some(i))).collect();
    w.insert(rows, "test", store::now()).await.unwrap();
    w.commit().await.unwrap();
    assert_eq!(refund_indexes(&t).await, before, "a committed first load");
    assert_eq!(refunds::by_number(&t.db.conn, "R-499").await.unwrap().unwrap().interest_cents, Some(499));

    // Not a first load any more: the unique index is there to refuse a number twice.
    let mut w = RefundWriter::begin(&t.db).await.unwrap();
    assert_eq!(w.existing(vec!["R-7".into()]).await.unwrap().len(), 1, "lookups see the first load");
    w.insert(vec![refund("R-7", a, None, None)], "test", store::now()).await.unwrap();
    let refused = w.commit().await.expect_err("R-7 twice");
    assert_eq!(taken_number(&refused), Some("R-7"), "{refused}");
    assert_eq!(refund_indexes(&t).await, before);
}

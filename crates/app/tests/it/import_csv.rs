//! CSV import: all-or-nothing, line-numbered errors, dry runs, updates with history.

use crate::common;

use app::AppError;
use app::registry::import_csv::{ImportOptions, import};
use common::world;
use sea_orm::ConnectionTrait;

const HEADER: &str = "importer_number,name,company_type,number_uses,physical_line1,physical_city,physical_state,physical_postal_code,email\n";

fn line(n: &str, email: &str) -> String {
    format!("{n},Acme Imports,corporation,importer_of_record;consignee,1 Main St,Baltimore,MD,21201,{email}\n")
}

async fn run(
    w: &common::World,
    body: &str,
    dry_run: bool,
) -> Result<app::registry::import_csv::ImportReport, AppError> {
    run_file(w, body, dry_run, "test.csv").await
}

async fn run_file(
    w: &common::World,
    body: &str,
    dry_run: bool,
    source: &str,
) -> Result<app::registry::import_csv::ImportReport, AppError> {
    import(
        &w.app,
        &w.staff,
        std::io::Cursor::new(body.as_bytes().to_vec()),
        &ImportOptions { dry_run, source },
        &mut |_| {},
    )
    .await
}

/// Audit entries of `entity_type` ('import' for imports' own entries, 'importer' for records').
async fn entries(w: &common::World, entity_type: &str) -> i64 {
    let c = &w.app.db.conn;
    c.query_one_raw(sea_orm::Statement::from_sql_and_values(
        c.get_database_backend(),
        if c.get_database_backend() == sea_orm::DbBackend::Postgres {
            "SELECT count(*) AS n FROM audit_log WHERE entity_type = $1"
        } else {
            "SELECT count(*) AS n FROM audit_log WHERE entity_type = ?"
        },
        [entity_type.into()],
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get::<i64>("", "n")
    .unwrap()
}

async fn count(w: &common::World) -> u64 {
    store::importers::count(&w.app.db.conn).await.unwrap()
}

#[tokio::test]
async fn good_file_creates_then_updates() {
    let w = world().await;
    let body = format!("{HEADER}{}{}", line("12-345678900", "a@acme.example"), line("98-7654321A1", "b@beta.example"));
    let dry = run(&w, &body, true).await.unwrap();
    assert_eq!((dry.created, dry.written), (2, false));
    assert_eq!(count(&w).await, 0);
    let r = run(&w, &body, false).await.unwrap();
    assert_eq!((r.rows, r.created, r.updated, r.error_count, r.written), (2, 2, 0, 0, true));
    // Second run: one changed, one unchanged.
    let body2 =
        format!("{HEADER}{}{}", line("12-345678900", "new@acme.example"), line("98-7654321A1", "b@beta.example"));
    let r = run(&w, &body2, false).await.unwrap();
    assert_eq!((r.created, r.updated, r.unchanged), (0, 1, 1));
    let rec = store::importers::by_number(&w.app.db.conn, "12-345678900").await.unwrap().unwrap();
    assert_eq!(rec.email, "new@acme.example");
    let h = app::registry::importers::history(&w.app, rec.id).await.unwrap();
    assert_eq!(h.len(), 2);
    assert!(h[0].action.starts_with("updated by import of test.csv line 2"), "{}", h[0].action);
    // The first import has its entry; the second, which only updated, has none of its own, and
    // its update has one.
    assert_eq!((entries(&w, "import").await, entries(&w, "importer").await), (1, 1));
}

#[tokio::test]
async fn any_bad_line_writes_nothing_and_every_bad_line_is_reported() {
    let w = world().await;
    let body = format!(
        "{HEADER}{}{}{}{}{}",
        line("12-345678900", "a@acme.example"),
        line("not-a-number", "b@acme.example"),
        line("12-345678900", "c@acme.example"),
        line("33-345678900", "agent@brokera.example"),
        "44-345678900,Short,corporation\n"
    );
    let r = run(&w, &body, false).await.unwrap();
    assert!(!r.written);
    assert_eq!(r.error_count, 4, "{:?}", r.errors);
    let lines: Vec<u64> = r.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![3, 4, 5, 6]);
    assert!(r.errors[1].message.contains("already appears on line 2"));
    assert!(r.errors[2].message.contains("importer's own email"));
    assert!(r.errors[3].message.contains("fields"));
    assert_eq!(count(&w).await, 0);
}

#[tokio::test]
async fn wrong_columns_and_bad_encoding_are_refused() {
    let w = world().await;
    let err = run(&w, "importer_number,nam,colour\n12-345678900,x,y\n", false).await.unwrap_err();
    let AppError::Invalid(fe) = err else { panic!() };
    let msg = fe.get("file").unwrap();
    assert!(msg.contains("missing column(s)") && msg.contains("unknown column(s) nam, colour"), "{msg}");

    let mut bytes = format!("{HEADER}{}", line("12-345678900", "a@acme.example")).into_bytes();
    bytes.extend_from_slice(b"98-765432100,Caf\xe9 Latin1,corporation,other,1 St,City,MD,21201,c@cafe.example\n");
    let r = import(
        &w.app,
        &w.staff,
        std::io::Cursor::new(bytes),
        &ImportOptions { dry_run: false, source: "x" },
        &mut |_| {},
    )
    .await
    .unwrap();
    assert_eq!(r.error_count, 1);
    assert_eq!(r.errors[0].line, 3);
    assert!(r.errors[0].message.contains("UTF-8"));
    assert_eq!(count(&w).await, 0);
}

#[tokio::test]
async fn broker_import_cannot_touch_other_brokers_records() {
    let w = world().await;
    let body = format!("{HEADER}{}", line("12-345678900", "a@acme.example"));
    import(
        &w.app,
        &w.broker_a,
        std::io::Cursor::new(body.as_bytes().to_vec()),
        &ImportOptions { dry_run: false, source: "a" },
        &mut |_| {},
    )
    .await
    .unwrap();
    let body = format!("{HEADER}{}", line("12-345678900", "changed@acme.example"));
    let r = import(
        &w.app,
        &w.broker_b,
        std::io::Cursor::new(body.as_bytes().to_vec()),
        &ImportOptions { dry_run: false, source: "b" },
        &mut |_| {},
    )
    .await
    .unwrap();
    assert_eq!(r.error_count, 1);
    assert!(r.errors[0].message.contains("another broker"));
}

/// A number per index, distinct and valid: EIN 10-0000000 + i, suffix 00.
fn number(i: usize) -> String {
    format!("{:02}-{:07}00", 10 + i / 10_000_000, i % 10_000_000)
}

async fn history_actions(w: &common::World, number: &str) -> Vec<String> {
    let rec = store::importers::by_number(&w.app.db.conn, number).await.unwrap().unwrap();
    app::registry::importers::history(&w.app, rec.id).await.unwrap().into_iter().map(|h| h.action).collect()
}

#[tokio::test]
async fn a_bad_line_in_the_last_chunk_leaves_the_database_unchanged() {
    let w = world().await;
    // More lines than one chunk on either engine (SQLite 1,000, PostgreSQL 10,000 rows).
    let n = 10_050;
    let mut body = String::from(HEADER);
    for i in 0..n {
        body.push_str(&line(&number(i), &format!("ops{i}@acme.example")));
    }
    body.push_str(&line("12-34567890", "bad@acme.example"));
    let r = run(&w, &body, false).await.unwrap();
    assert!(!r.written);
    assert_eq!((r.rows, r.error_count), (n as u64 + 1, 1));
    assert_eq!(r.errors[0].line, n as u64 + 2);
    assert_eq!(count(&w).await, 0);
    // Nor any history: no entry for the import, none for the records (ids 1 and 2 would have
    // been the first).
    assert_eq!((entries(&w, "import").await, entries(&w, "importer").await), (0, 0));
    for id in [1, 2] {
        assert!(store::audit::for_importer(&w.app.db.conn, id).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn many_rows_mixing_updates_and_creations_keep_history_per_record() {
    let w = world().await;
    let first: String = (0..2_500).map(|i| line(&number(i), &format!("ops{i}@acme.example"))).collect();
    let r = run_file(&w, &format!("{HEADER}{first}"), false, "first.csv").await.unwrap();
    assert_eq!((r.created, r.written), (2_500, true));

    // Even rows change their email, odd rows stay, and 600 new rows are spread between them.
    let mut second = String::from(HEADER);
    for i in 0..3_100 {
        let email =
            if i < 2_500 && i % 2 == 1 { format!("ops{i}@acme.example") } else { format!("new{i}@acme.example") };
        second.push_str(&line(&number(i), &email));
    }
    let r = run_file(&w, &second, false, "second.csv").await.unwrap();
    assert_eq!((r.rows, r.created, r.updated, r.unchanged, r.error_count), (3_100, 600, 1_250, 1_250, 0));
    assert_eq!(count(&w).await, 3_100);

    let updated = history_actions(&w, &number(1_234)).await;
    assert_eq!(updated, vec!["updated by import of second.csv line 1236", "created by import of first.csv line 1236"]);
    assert_eq!(history_actions(&w, &number(1_235)).await, vec!["created by import of first.csv line 1237"]);
    assert_eq!(history_actions(&w, &number(3_000)).await, vec!["created by import of second.csv line 3002"]);
    // Two imports, two entries; one history row per updated record.
    assert_eq!((entries(&w, "import").await, entries(&w, "importer").await), (2, 1_250));
    let rec = store::importers::by_number(&w.app.db.conn, &number(1_234)).await.unwrap().unwrap();
    let h = app::registry::importers::history(&w.app, rec.id).await.unwrap();
    let email = h[0].changes.iter().find(|c| c.field == "email").unwrap();
    // Personal values are masked in history.
    assert_eq!((email.old.as_deref(), email.new.as_deref()), (Some("o***@acme.example"), Some("n***@acme.example")));
    assert_eq!(rec.version, 2);
}

#[tokio::test]
async fn quotes_backslashes_and_unicode_are_stored_as_written() {
    let w = world().await;
    let name = r#"Café "Zürich" \ Trading – 東京 \N"#;
    let quoted = name.replace('"', "\"\"");
    let body = format!(
        "{HEADER}12-345678900,\"{quoted}\",corporation,other,\"1 Main St, Suite \\\\ 5\",Baltimore,MD,21201,a@acme.example\n"
    );
    let r = run(&w, &body, false).await.unwrap();
    assert_eq!((r.created, r.error_count), (1, 0), "{:?}", r.errors);
    let rec = store::importers::by_number(&w.app.db.conn, "12-345678900").await.unwrap().unwrap();
    assert_eq!(rec.name, name);
    assert_eq!(rec.physical[0], "1 Main St, Suite \\\\ 5");
}

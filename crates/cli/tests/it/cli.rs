//! The binary's commands, run as a user would run them, on a fresh database (SQLite, or
//! PostgreSQL with TEST_DATABASE_URL).

use std::io::Write;
use std::process::{Command, Output, Stdio};

use store::testing::TestDb;

fn ace(db: &TestDb, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ace-refunds"));
    cmd.args(["--database-url", &db.url]).args(args).env_remove("ACE_PASSWORD").env("ACE_LOG", "warn");
    // Key file and mail outbox go to a scratch folder, not into the source tree.
    cmd.env("ACE_DATA_DIR", std::env::temp_dir().join("ace-refunds-cli-tests"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[tokio::test(flavor = "multi_thread")]
async fn users_tokens_import_and_show() {
    let db = TestDb::new().await.unwrap();

    // Password from standard input; weak passwords are refused with the reason.
    let o = ace(
        &db,
        &["user", "create", "--email", "a@b.example", "--name", "A", "--role", "cbp-staff"],
        Some("short\n"),
        &[],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("at least 12 characters"), "{}", text(&o));
    let o = ace(
        &db,
        &["user", "create", "--email", "Broker@Firm.example", "--name", "B", "--role", "broker", "--filer-code", "fx1"],
        None,
        &[("ACE_PASSWORD", "harbor crane lemon")],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("created broker user broker@firm.example"));
    let o = ace(
        &db,
        &["user", "create", "--email", "x@y.example", "--name", "X", "--role", "broker"],
        None,
        &[("ACE_PASSWORD", "harbor crane lemon")],
    );
    assert!(text(&o).contains("filer code"), "{}", text(&o));

    let o = ace(&db, &["token", "create", "--email", "broker@firm.example"], None, &[]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).trim().starts_with("ace_"));

    // A bad CSV writes nothing and names the line; a good one commits.
    let dir = store::testing::TempDir::new().unwrap();
    let header = "importer_number,name,company_type,number_uses,physical_line1,physical_city,physical_state,physical_postal_code,email\n";
    let good = "12-345678900,Acme,corporation,importer_of_record,1 Main St,Baltimore,MD,21201,ops@acme.example\n";
    let bad = format!(
        "{header}{good}12-345678900,Acme,corporation,importer_of_record,1 Main St,Baltimore,MD,21201,ops@acme.example\n"
    );
    let path = dir.0.join("bad.csv");
    std::fs::write(&path, bad).unwrap();
    let o = ace(&db, &["importer", "import", path.to_str().unwrap()], None, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("line 3: importer number 12-345678900 already appears on line 2"), "{}", text(&o));
    assert!(text(&o).contains("nothing written"));

    let path = dir.0.join("good.csv");
    std::fs::write(&path, format!("{header}{good}")).unwrap();
    let o = ace(&db, &["importer", "import", "--dry-run", path.to_str().unwrap()], None, &[]);
    assert!(o.status.success() && text(&o).contains("dry run: nothing written"), "{}", text(&o));
    let o = ace(&db, &["importer", "import", "--as", "broker@firm.example", path.to_str().unwrap()], None, &[]);
    assert!(o.status.success() && text(&o).contains("1 to create"), "{}", text(&o));

    let o = ace(&db, &["importer", "show", "123456789"], None, &[]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["importer_number"], "12-345678900");
    assert_eq!(v["created_by"], "broker@firm.example");
    let o = ace(&db, &["importer", "show", "99-999999900"], None, &[]);
    assert!(!o.status.success() && text(&o).contains("no importer record"));
    let o = ace(&db, &["importer", "import", "/nonexistent.csv"], None, &[]);
    assert!(!o.status.success() && text(&o).contains("cannot open /nonexistent.csv"));
}

#[tokio::test(flavor = "multi_thread")]
async fn check_config_redacts_and_migrate_is_idempotent() {
    let db = TestDb::new().await.unwrap();
    let o = ace(&db, &["migrate"], None, &[]);
    assert!(o.status.success(), "{}", text(&o));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ace-refunds"));
    let o = cmd
        .args(["check-config"])
        .env("ACE_DATABASE_URL", "postgres://ace:hunter2secret@db.internal:5432/ace")
        .env("ACE_LISTEN", "0.0.0.0:9999")
        .output()
        .unwrap();
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(!out.contains("hunter2secret"), "{out}");
    assert!(out.contains("ace:***@db.internal") && out.contains("0.0.0.0:9999"), "{out}");
    let o = Command::new(env!("CARGO_BIN_EXE_ace-refunds"))
        .args(["check-config"])
        .env("ACE_LOG_FORMAT", "xml")
        .output()
        .unwrap();
    let out = text(&o);
    assert!(!o.status.success() && out.contains("xml") && out.contains("text") && out.contains("json"), "{out}");
}

/// Without ACE_DATA_KEY a key file is made in the data folder (mode 0600) and reused; a bad
/// ACE_DATA_KEY is a clear error.
#[tokio::test]
async fn data_key_file_is_generated_private_and_reused() {
    let db = TestDb::new().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_s = data.to_str().unwrap();
    let env = [("ACE_DATA_DIR", data_s)];
    let o = ace(&db, &["importer", "show", "12-345678900"], None, &env);
    assert!(!o.status.success(), "no such record");
    let key = data.join("data.key");
    let first = std::fs::read_to_string(&key).expect("key file made");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    ace(&db, &["importer", "show", "12-345678900"], None, &env);
    assert_eq!(std::fs::read_to_string(&key).unwrap(), first, "the key is reused, never replaced");
    let o =
        ace(&db, &["importer", "show", "12-345678900"], None, &[("ACE_DATA_DIR", data_s), ("ACE_DATA_KEY", "nope")]);
    assert!(!o.status.success());
    assert!(text(&o).contains("ACE_DATA_KEY"), "{}", text(&o));
}

#[tokio::test(flavor = "multi_thread")]
async fn refunds_from_file_to_certified_and_the_interest_calculator() {
    let db = TestDb::new().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let w = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_string()
    };
    let importers = w(
        "importers.csv",
        "importer_number,name,company_type,number_uses,physical_line1,physical_city,physical_state,physical_postal_code,email\n\
         12-345678900,Acme,corporation,importer_of_record,1 Main St,Baltimore,MD,21201,ops@acme.example\n",
    );
    assert!(ace(&db, &["importer", "import", &importers], None, &[]).status.success());

    let header =
        "refund_number,importer_number,entry_number,source,principal,deposit_date,liquidation_date,notify_party\n";
    let bad =
        w("bad.csv", &format!("{header}R-1,12-345678900,614-0000275-5,liquidation,10000.00,2025-03-03,2025-12-01,\n"));
    let o = ace(&db, &["refunds", "import", &bad], None, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("line 2: entry_number"), "{}", text(&o));
    let good =
        w("good.csv", &format!("{header}R-1,12-345678900,614-0000275-6,liquidation,10000.00,2025-03-03,2025-12-01,\n"));
    let o = ace(&db, &["refunds", "import", &good], None, &[]);
    assert!(o.status.success() && text(&o).contains("1 new"), "{}", text(&o));
    let o = ace(&db, &["refunds", "import", &good], None, &[]);
    assert!(o.status.success() && text(&o).contains("0 new, 1 unchanged"), "{}", text(&o));

    let bills = w("bills.csv", "bill_number,importer_number,amount,bill_date\nB-1,12-345678900,100.00,2025-06-01\n");
    assert!(ace(&db, &["bills", "import", &bills], None, &[]).status.success());
    let o = ace(&db, &["refunds", "certify", "--json"], None, &[]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["examined"].as_u64(), v["held_ach_rejected"].as_u64()), (Some(1), Some(1)));

    let o = ace(&db, &["refunds", "show", "r-1", "--json"], None, &[]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["principal_cents"], 1_000_000);
    assert_eq!(v["interest_cents"], 45_895);
    assert_eq!(v["offset_cents"], 10_000);
    assert_eq!(v["net_cents"], 1_000_000 + 45_895 - 10_000);
    assert_eq!(v["status"], "held_ach_rejected");
    assert_eq!(v["secondary_status"], "partially_diverted");
    assert_eq!(v["payee_number"], "12-345678900");
    assert!(v["held_reason"].as_str().unwrap().contains("no bank details"));

    let o = ace(&db, &["refunds", "summary", "--json"], None, &[]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["by_status"]["held_ach_rejected"]["count"], 1);
    assert_eq!(v["by_status"]["payable"]["count"], 0);

    // Rates: the list is CSV; a file with a negative rate is refused with its line.
    let o = ace(&db, &["rates", "list"], None, &[]);
    assert!(text(&o).starts_with("effective_from,overpayment_pct,corporate_overpayment_pct,underpayment_pct"));
    let rates = w(
        "rates.csv",
        "effective_from,overpayment_pct,corporate_overpayment_pct,underpayment_pct\n2026-04-01,-1,6,8\n",
    );
    let o = ace(&db, &["rates", "load", &rates], None, &[]);
    assert!(!o.status.success(), "{}", text(&o));

    let o = ace(
        &db,
        &["interest", "--principal", "10000.00", "--from", "2024-11-15", "--to", "2025-06-30", "--corporate", "--json"],
        None,
        &[],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["interest_cents"], 39_301);
    assert_eq!(v["segments"][0]["days"], 46);
    assert_eq!(v["segments"][0]["divisor"], 366);
    assert_eq!(v["segments"][1]["days"], 181);
}

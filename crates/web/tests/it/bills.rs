//! `/api/v1/bills` over real HTTP: CBP staff record one bill or a batch (all or nothing, every
//! problem with its item and field, idempotent by bill number) and list an importer's bills;
//! brokers and portal users are refused. SQLite, or PostgreSQL with TEST_DATABASE_URL.

use crate::common;

use common::{BROKER_A, STAFF, TestApp, company, record, spawn};
use serde_json::{Value, json};

const NUMBER: &str = "12-345678900";
const OTHER: &str = "98-765432100";

async fn post(t: &TestApp, token: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/bills", t.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn get(t: &TestApp, token: &str, query: &str) -> (u16, Value) {
    let r =
        reqwest::Client::new().get(format!("{}/api/v1/bills{query}", t.base)).bearer_auth(token).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

fn bill(number: &str, importer: &str, amount: &str, date: &str) -> Value {
    json!({"bill_number": number, "importer_number": importer, "amount": amount, "bill_date": date})
}

/// Bills as stored: (bill number, amount, open) of every bill, in number order.
async fn stored(t: &TestApp) -> Vec<(String, i64, i64)> {
    let numbers: Vec<String> = ["B-1", "B-2", "B-3", "B-4", "B-5", "B-6", "B-7"].map(String::from).to_vec();
    let mut rows: Vec<(String, i64, i64)> = store::bills::by_numbers(&t.app.db.conn, &numbers)
        .await
        .unwrap()
        .into_iter()
        .map(|b| (b.bill_number, b.amount_cents, b.open_cents))
        .collect();
    rows.sort();
    rows
}

#[tokio::test]
async fn staff_record_bills_one_or_a_batch_all_or_nothing() {
    let t = spawn().await;
    record(&t, NUMBER, "Acme Imports Inc", "treasury@acme.example").await;
    let staff = t.token(STAFF).await;

    // One bill: created, then the same bill again is unchanged (the number is not case sensitive).
    let (s, v) = post(&t, &staff, bill("B-1", NUMBER, "1234.56", "2025-01-15")).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!((v["items"].as_u64(), v["created"].as_u64(), v["written"].as_bool()), (Some(1), Some(1), Some(true)));
    let (s, v) = post(&t, &staff, bill("b-1", NUMBER, "1234.56", "2025-01-15")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!((v["created"].as_u64(), v["unchanged"].as_u64()), (Some(0), Some(1)), "{v}");
    assert_eq!(stored(&t).await, vec![("B-1".into(), 123_456, 123_456)]);

    // The same number with different facts is refused, naming the field.
    let (s, v) = post(&t, &staff, bill("B-1", NUMBER, "99.00", "2025-01-15")).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["errors"][0]["field"], "bill_number");
    assert!(v["errors"][0]["message"].as_str().unwrap().contains("already recorded with different facts"), "{v}");
    assert_eq!(stored(&t).await, vec![("B-1".into(), 123_456, 123_456)], "the recorded bill is untouched");

    // A batch with bad items: every problem with its item and field, nothing written.
    let batch = json!({"bills": [
        bill("B-2", NUMBER, "10.00", "2025-02-01"),
        bill("B-3", NUMBER, "ten dollars", "2025-02-01"),
        bill("B-4", OTHER, "10.00", "2025-02-01"),
        bill("B-5\u{0}", NUMBER, "10.00", "2025-02-01"),
        bill("B-2", NUMBER, "10.00", "2025-02-01"),
        bill("B-6", NUMBER, "0.00", "2025-02-01"),
        bill("B-7", NUMBER, "10.00", "2999-01-01"),
    ]});
    let (s, v) = post(&t, &staff, batch).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["written"], false);
    let errors: Vec<(u64, String)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["item"].as_u64().unwrap(), e["field"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        errors,
        vec![
            (2, "amount".into()),
            (3, "importer_number".into()),
            (4, "bill_number".into()),
            (5, "bill_number".into()),
            (6, "amount".into()),
            (7, "bill_date".into()),
        ],
        "{v}"
    );
    let message = |item: u64| {
        v["errors"].as_array().unwrap().iter().find(|e| e["item"] == item).unwrap()["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(message(3).contains("has no Form 5106 record"), "{v}");
    assert!(message(4).contains("control or text-direction character"), "{v}");
    assert!(message(5).contains("appears twice"), "{v}");
    assert!(message(6).contains("more than $0.00"), "{v}");
    assert_eq!(stored(&t).await, vec![("B-1".into(), 123_456, 123_456)], "nothing of the batch was written");

    // A dry run of good bills writes nothing; the same batch for real records them all.
    let good = vec![bill("B-2", NUMBER, "10.00", "2025-02-01"), bill("B-3", NUMBER, "0.01", "2024-12-31")];
    let (s, v) = post(&t, &staff, json!({"bills": good, "dry_run": true})).await;
    assert_eq!((s, v["written"].as_bool(), v["dry_run"].as_bool()), (200, Some(false), Some(true)), "{v}");
    assert_eq!(stored(&t).await.len(), 1);
    let (s, v) = post(&t, &staff, json!({"bills": good})).await;
    assert_eq!((s, v["created"].as_u64()), (201, Some(2)), "{v}");

    // The importer's bills, oldest first, with what is still open.
    let (s, v) = get(&t, &staff, &format!("?importer_number={NUMBER}")).await;
    assert_eq!(s, 200, "{v}");
    let listed: Vec<(&str, i64, i64, &str)> = v["bills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["bill_number"].as_str().unwrap(),
                b["amount_cents"].as_i64().unwrap(),
                b["open_cents"].as_i64().unwrap(),
                b["bill_date"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        vec![("B-3", 1, 1, "2024-12-31"), ("B-1", 123_456, 123_456, "2025-01-15"), ("B-2", 1_000, 1_000, "2025-02-01")]
    );
    assert_eq!(v["bills"][0]["importer_number"], NUMBER);
    assert_eq!(v["bills"][0]["recorded_by"], STAFF);
}

#[tokio::test]
async fn bad_requests_name_the_field_and_others_are_refused() {
    let t = spawn().await;
    record(&t, NUMBER, "Acme Imports Inc", "treasury@acme.example").await;
    let staff = t.token(STAFF).await;

    // Each single bad bill: 422 naming its field.
    for (body, field) in [
        (bill("B-1", NUMBER, "-5.00", "2025-01-15"), "amount"),
        (bill("B-1", NUMBER, "12.345", "2025-01-15"), "amount"),
        (bill("B-1", NUMBER, "10000000000.01", "2025-01-15"), "amount"),
        (bill("B-1", OTHER, "5.00", "2025-01-15"), "importer_number"),
        (bill("B-1", "12-34", "5.00", "2025-01-15"), "importer_number"),
        (bill("B-1", NUMBER, "5.00", "15/01/2025"), "bill_date"),
        (bill("", NUMBER, "5.00", "2025-01-15"), "bill_number"),
        (bill("B/1", NUMBER, "5.00", "2025-01-15"), "bill_number"),
        (bill("B-1", "12-345678900\u{0}", "5.00", "2025-01-15"), "importer_number"),
        (bill("B-1", NUMBER, "5.00\u{202E}", "2025-01-15"), "amount"),
    ] {
        let (s, v) = post(&t, &staff, body.clone()).await;
        assert_eq!(s, 422, "{body}: {v}");
        assert_eq!(v["errors"][0]["item"], 1, "{body}: {v}");
        assert_eq!(v["errors"][0]["field"], field, "{body}: {v}");
        assert!(!v["errors"][0]["message"].as_str().unwrap().is_empty(), "{v}");
    }
    // Not a bill at all (a number for the amount, a missing or unknown field): a problem document.
    for body in [
        json!({"bill_number": "B-1", "importer_number": NUMBER, "amount": 5, "bill_date": "2025-01-15"}),
        json!({"bill_number": "B-1", "importer_number": NUMBER, "bill_date": "2025-01-15"}),
        json!({"bill_number": "B-1", "importer_number": NUMBER, "amount": "5.00", "bill_date": "2025-01-15", "x": 1}),
        json!([1, 2]),
    ] {
        let (s, v) = post(&t, &staff, body.clone()).await;
        assert_eq!(s, 422, "{body}: {v}");
        assert!(v["title"].is_string() || v["detail"].is_string(), "{body}: a problem document: {v}");
    }
    assert!(store::bills::by_numbers(&t.app.db.conn, &["B-1".into()]).await.unwrap().is_empty());

    // Listing: the importer number is checked, and an importer without a record is not found.
    let (s, v) = get(&t, &staff, "?importer_number=12-34").await;
    assert_eq!(s, 422, "{v}");
    assert!(v.to_string().contains("importer_number"), "{v}");
    let (s, v) = get(&t, &staff, &format!("?importer_number={OTHER}")).await;
    assert_eq!(s, 404, "{v}");
    let (s, v) = get(&t, &staff, "").await;
    assert_eq!(s, 400, "the importer number is required: {v}");
    assert!(v["detail"].as_str().unwrap().contains("importer_number"), "{v}");
    let (s, v) = get(&t, &staff, &format!("?importer_number={NUMBER}")).await;
    assert_eq!((s, v["bills"].as_array().map(Vec::len)), (200, Some(0)), "{v}");

    // Brokers and portal users may neither record nor list bills; without a token, 401.
    let broker = t.token(BROKER_A).await;
    let owner = "ana@acme.example";
    company(&t, "33-333333300", "Harbor Finance LLC", "ap@harbor.example", owner, "10.9.0.7").await;
    let trade = t.token(owner).await;
    for token in [broker, trade] {
        let (s, v) = post(&t, &token, bill("B-1", NUMBER, "5.00", "2025-01-15")).await;
        assert_eq!(s, 403, "{v}");
        assert!(v["detail"].as_str().unwrap_or_default().contains("only CBP staff"), "{v}");
        let (s, _) = get(&t, &token, &format!("?importer_number={NUMBER}")).await;
        assert_eq!(s, 403);
    }
    assert!(store::bills::by_numbers(&t.app.db.conn, &["B-1".into()]).await.unwrap().is_empty());
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/bills", t.base))
        .json(&bill("B-1", NUMBER, "5.00", "2025-01-15"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

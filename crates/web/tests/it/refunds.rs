//! Refunds over real HTTP: the staff upload page (check only, every bad line in a table, then
//! record), the list and one refund's page, the importer's Refunds tab with its "why held, what
//! to do", and the API (record one or a batch, list, read, summary) with each role's scope.
//! SQLite, or PostgreSQL with TEST_DATABASE_URL.

use crate::common;

use common::{BROKER_A, STAFF, TestApp, company, csrf_of, record, spawn};
use serde_json::json;

const NUMBER: &str = "12-345678900";
const CONTACT: &str = "treasury@acme.example";
const OWNER: &str = "ana@acme.example";
const ENTRY: &str = "614-0000275-6";
const HEADER: &str =
    "refund_number,importer_number,entry_number,source,principal,deposit_date,liquidation_date,notify_party\n";

async fn upload(c: &reqwest::Client, t: &TestApp, csv: String, check_only: bool) -> (u16, String) {
    let page = c.get(format!("{}/refunds/upload", t.base)).send().await.unwrap().text().await.unwrap();
    let mut form = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&page))
        .part("file", reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("refunds.csv"));
    if check_only {
        form = form.text("check_only", "1");
    }
    let res = c.post(format!("{}/refunds/upload", t.base)).multipart(form).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn staff_uploads_and_the_importer_sees_where_its_refund_is() {
    let t = spawn().await;
    let tao = company(&t, NUMBER, "Acme Imports Inc", CONTACT, OWNER, "10.9.0.1").await;
    let staff = t.browser_client(STAFF).await;

    // A bad file: every problem in a table, nothing recorded.
    let bad = format!(
        "{HEADER}R-1,{NUMBER},614-0000275-5,liquidation,10000.00,2025-03-03,2025-12-01,\nR-2,{NUMBER},{ENTRY},gift,1.00,2025-03-03,2025-12-01,\n"
    );
    let (status, html) = upload(&staff, &t, bad, false).await;
    assert_eq!(status, 422);
    assert!(html.contains("2 problems, nothing recorded"), "{html}");
    assert!(html.contains("entry_number") && html.contains("source"));
    let good = format!("{HEADER}R-1,{NUMBER},{ENTRY},liquidation,10000.00,2025-03-03,2025-12-01,\n");
    let (status, html) = upload(&staff, &t, good.clone(), true).await;
    assert_eq!(status, 200);
    assert!(html.contains("every line is good"), "{html}");
    assert!(store::refunds::by_number(&t.app.db.conn, "R-1").await.unwrap().is_none(), "check only");
    let (status, html) = upload(&staff, &t, good, false).await;
    assert_eq!(status, 200);
    assert!(html.contains("1 refunds recorded"), "{html}");

    // Certified: no bank details, so held, with the reason and what to do.
    app::refunds::certify::certify(&t.app, "test", app::today()).await.unwrap();
    let list =
        staff.get(format!("{}/refunds?status=held_ach_rejected", t.base)).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("R-1") && list.contains("Held: ACH Rejected"), "{list}");
    let one = staff.get(format!("{}/refunds/R-1", t.base)).send().await.unwrap().text().await.unwrap();
    assert!(one.contains("Timeline") && one.contains("$10,458.95"), "{one}");

    // The importer's TAO: a Refunds tab, the refund, why it waits and where to enroll.
    let c = t.browser_client(OWNER).await;
    let sub = app::portal::accounts::overview(&t.app, &tao).await.unwrap().sub_accounts[0].id;
    let tab = c.get(format!("{}/account/sub/{sub}/refunds", t.base)).send().await.unwrap();
    assert_eq!(tab.status(), 200);
    let tab = tab.text().await.unwrap();
    assert!(tab.contains("R-1") && tab.contains("aria-current=\"page\">Refunds"), "{tab}");
    let one = c.get(format!("{}/account/sub/{sub}/refunds/R-1", t.base)).send().await.unwrap().text().await.unwrap();
    assert!(one.contains("Why it is waiting") && one.contains("no bank details are on file"), "{one}");
    assert!(one.contains(&format!("/account/sub/{sub}/ach")), "a link to the ACH tab");
    // The staff list is not theirs; another sub-account id is not found.
    assert_eq!(c.get(format!("{}/refunds", t.base)).send().await.unwrap().status(), 403);
    assert_eq!(c.get(format!("{}/account/sub/{}/refunds", t.base, sub + 99)).send().await.unwrap().status(), 404);
    // The importer reads its own Form 5106 record (read only); not another one.
    let me = app::portal::accounts::sub_account(&t.app, &tao, sub).await.unwrap().numbers[0].importer_id;
    let rec = c.get(format!("{}/account/sub/{sub}/importer/{me}", t.base)).send().await.unwrap();
    assert_eq!(rec.status(), 200);
    let rec = rec.text().await.unwrap();
    assert!(rec.contains("Form 5106 record of") && rec.contains(CONTACT), "{rec}");
    let other = c.get(format!("{}/account/sub/{sub}/importer/{}", t.base, me + 1000)).send().await.unwrap();
    assert_eq!(other.status(), 404);
    // A notice went to the contact.
    assert!(t.last_mail(CONTACT).await.rendered.subject.contains("Refund held"));
}

#[tokio::test]
async fn the_api_records_lists_and_scopes() {
    let t = spawn().await;
    record(&t, NUMBER, "Acme Imports Inc", CONTACT).await;
    let staff = t.token(STAFF).await;
    let broker = t.token(BROKER_A).await;
    let http = reqwest::Client::new();
    let post = |tok: String, body: serde_json::Value| {
        let http = http.clone();
        let url = format!("{}/api/v1/refunds", t.base);
        async move {
            let r = http.post(url).bearer_auth(tok).json(&body).send().await.unwrap();
            (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap())
        }
    };
    let one = json!({"refund_number": "R-1", "importer_number": NUMBER, "entry_number": ENTRY, "source": "liquidation",
        "principal": "10000.00", "deposit_date": "2025-03-03", "liquidation_date": "2025-12-01"});
    let (s, v) = post(staff.clone(), one.clone()).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["refund_numbers"], json!(["R-1"]));
    let (s, v) = post(staff.clone(), one.clone()).await;
    assert_eq!((s, v["unchanged"].as_u64()), (200, Some(1)), "the same refund again is unchanged");

    let mut bad = one.clone();
    bad["refund_number"] = json!("R-3");
    bad["principal"] = json!("-1.00");
    let mut two = one.clone();
    two["refund_number"] = json!("R-2");
    let (s, v) = post(staff.clone(), json!({"refunds": [two, bad]})).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["errors"][0]["item"], 2);
    assert_eq!(v["errors"][0]["field"], "principal");
    assert_eq!(v["written"], false);
    let (s, _) = post(broker.clone(), one.clone()).await;
    assert_eq!(s, 403, "only CBP staff record refunds");

    let get = |tok: String, path: String| {
        let http = http.clone();
        let url = format!("{}/api/v1{path}", t.base);
        async move {
            let r = http.get(url).bearer_auth(tok).send().await.unwrap();
            (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (s, v) = get(staff.clone(), "/refunds?status=recorded".into()).await;
    assert_eq!(s, 200);
    assert_eq!(v["refunds"].as_array().unwrap().len(), 1);
    assert_eq!(v["refunds"][0]["interest_cents"], 45_895);
    let (s, v) = get(staff.clone(), "/refunds/r-1".into()).await;
    assert_eq!((s, v["timeline"][0]["status"].as_str()), (200, Some("recorded")), "{v}");
    let (s, _) = get(staff.clone(), "/refunds?status=lost".into()).await;
    assert_eq!(s, 422);
    // A broker sees refunds of entries bearing its filer code only (AAA, not 614).
    let (s, v) = get(broker.clone(), "/refunds".into()).await;
    assert_eq!((s, v["refunds"].as_array().map(Vec::len)), (200, Some(0)));
    let (s, _) = get(broker.clone(), "/refunds/R-1".into()).await;
    assert_eq!(s, 404);
    let (s, _) = get(broker, "/refunds/summary".into()).await;
    assert_eq!(s, 403);
    let (s, v) = get(staff, "/refunds/summary".into()).await;
    assert_eq!((s, v["by_status"]["recorded"]["count"].as_i64()), (200, Some(1)));
}

#[tokio::test]
async fn staff_run_certification_from_the_refunds_page() {
    let t = spawn().await;
    company(&t, NUMBER, "Acme Imports Inc", CONTACT, OWNER, "10.9.0.2").await;
    let staff = t.browser_client(STAFF).await;
    let good = format!("{HEADER}R-1,{NUMBER},{ENTRY},liquidation,10000.00,2025-03-03,2025-12-01,\n");
    assert_eq!(upload(&staff, &t, good, false).await.0, 200);

    // The button is on the staff list, not for brokers.
    let list = staff.get(format!("{}/refunds", t.base)).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("action=\"/refunds/certify\"") && list.contains("Run certification now"), "{list}");
    let broker = t.browser_client(BROKER_A).await;
    let theirs = broker.get(format!("{}/refunds", t.base)).send().await.unwrap().text().await.unwrap();
    assert!(!theirs.contains("/refunds/certify"), "{theirs}");
    // A broker posting anyway (with a valid CSRF token) is refused; nothing is decided.
    let res =
        broker.post(format!("{}/refunds/certify", t.base)).form(&[("csrf", csrf_of(&theirs))]).send().await.unwrap();
    assert_eq!(res.status(), 403);
    let tao = t.browser_client(OWNER).await;
    let page = tao.get(format!("{}/account", t.base)).send().await.unwrap().text().await.unwrap();
    let res = tao.post(format!("{}/refunds/certify", t.base)).form(&[("csrf", csrf_of(&page))]).send().await.unwrap();
    assert_eq!(res.status(), 403);
    let r = store::refunds::by_number(&t.app.db.conn, "R-1").await.unwrap().unwrap();
    assert_eq!(r.status, "recorded");

    // Staff run it: the refund is decided (held: no bank details), the page says what happened,
    // and the run is audited with who ran it and what it decided.
    let res = staff.post(format!("{}/refunds/certify", t.base)).form(&[("csrf", csrf_of(&list))]).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Certification ran: 1 refunds examined"), "{html}");
    assert!(html.contains("0 payable, 1 put on hold (ACH Rejected)"), "{html}");
    assert!(html.contains("Held: ACH Rejected"), "the list shows the decision: {html}");
    let r = store::refunds::by_number(&t.app.db.conn, "R-1").await.unwrap().unwrap();
    assert_eq!(r.status, "held_ach_rejected");
    let audit = store::audit::for_type(&t.app.db.conn, "refunds").await.unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!((audit[0].action.as_str(), audit[0].actor_label.as_str()), ("refunds.certified", STAFF));
    assert_eq!(audit[0].entity_key, app::today().to_string());
    assert!(audit[0].changes.contains("held_ach_rejected") && audit[0].changes.contains("\"1\""), "{audit:?}");
    assert!(t.last_mail(CONTACT).await.rendered.subject.contains("Refund held"));

    // Again: nothing new to decide (the held refund is looked at and stays held).
    let res = staff.post(format!("{}/refunds/certify", t.base)).form(&[("csrf", csrf_of(&html))]).send().await.unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("Certification ran: 1 refunds examined"), "{html}");
    assert!(html.contains("0 payable, 0 put on hold (ACH Rejected)"), "{html}");
    let r = store::refunds::by_number(&t.app.db.conn, "R-1").await.unwrap().unwrap();
    assert_eq!(r.status, "held_ach_rejected");
    assert_eq!(store::audit::for_type(&t.app.db.conn, "refunds").await.unwrap().len(), 2);
}

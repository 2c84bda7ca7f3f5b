//! ACH Refund Authorization over the JSON API, over real HTTP: enrolment for several importer
//! numbers at once, field problems, read-only users, tokens of no one and of another company,
//! stale revisions, notify parties, and no answer ever holding a full account number. SQLite and,
//! with TEST_DATABASE_URL, PostgreSQL.

use crate::common;

use app::portal::apply::{ApplyForm, Verified};
use app::portal::auth::SessionUser;
use common::{PASSWORD, STAFF, TestApp, code_in, spawn};
use domain::portal::{AccountRole, AchAccess, Grants};
use domain::{Address, ImporterDraft};
use serde_json::{Value, json};

const NUMBER: &str = "27-418820300";
const SUFFIX: &str = "27-4188203A1";
const NAME: &str = "Chesapeake Outdoor Goods Inc";
const CONTACT: &str = "treasury@chesapeake.example";
const OWNER: &str = "owner@chesapeake.example";
/// The test account number: it goes in, and must never come back out.
const ACCOUNT: &str = "987654321012";
/// JPMorgan Chase (valid check digit), in the test directory.
const ROUTING: &str = "021000021";

/// A FedACH directory record (155 characters) of a bank that receives ACH.
fn directory_line(routing: &str, name: &str) -> String {
    let line = format!(
        "{routing}O0110000151010119000000000{name:<36}{street:<36}{city:<20}NY100010000{phone}11{pad:5}",
        street = "1 MAIN ST",
        city = "NEW YORK",
        phone = "2125551234",
        pad = ""
    );
    assert_eq!(line.len(), 155);
    line
}

fn client(ip: &str) -> app::portal::auth::Client {
    app::portal::auth::Client { ip: ip.into(), user_agent: "api-ach-test".into(), device: format!("device-{ip}") }
}

async fn staff(t: &TestApp) -> domain::Actor {
    app::portal::users::actor_of(&store::users::by_email(&t.app.db.conn, STAFF).await.unwrap().unwrap())
}

async fn record(t: &TestApp, number: &str, name: &str, contact: &str) {
    let draft = ImporterDraft {
        importer_number: number.into(),
        name: name.into(),
        company_type: "corporation".into(),
        number_uses: vec!["importer_of_record".into()],
        physical_address: Some(Address {
            line1: "1450 Key Hwy".into(),
            city: "Baltimore".into(),
            state: "MD".into(),
            postal_code: "21230".into(),
            ..Default::default()
        }),
        email: contact.into(),
        ..Default::default()
    };
    app::registry::importers::create(&t.app, &staff(t).await, &draft).await.unwrap();
}

async fn newest_code(t: &TestApp, to: &str) -> String {
    code_in(&t.last_mail(to).await.rendered.text)
}

/// An importer company as a new user makes one: its 5106 record, the application proven by the
/// code mailed to the record's contact, a password and email codes. Returns the TAO.
async fn importer_company(t: &TestApp, number: &str, name: &str, contact: &str, owner: &str, ip: &str) -> SessionUser {
    record(t, number, name, contact).await;
    let c = client(ip);
    let form = ApplyForm {
        company_name: name.into(),
        importer_number: number.into(),
        requester_name: "Olivia Owner".into(),
        requester_email: owner.into(),
        honeypot: String::new(),
    };
    let sent = app::portal::apply::start(&t.app, &form, &c).await.unwrap();
    let code = newest_code(t, contact).await;
    let Verified::NewAccount { token, .. } =
        app::portal::apply::verify(&t.app, sent.application_id, &code, &c).await.unwrap()
    else {
        panic!("expected a new account")
    };
    let next = app::portal::login::set_password(&t.app, &token, PASSWORD, PASSWORD, &c).await.unwrap().unwrap();
    app::portal::login::enrol_email_begin(&t.app, &next, &c).await.unwrap();
    let code = newest_code(t, owner).await;
    app::portal::login::enrol_email_confirm(&t.app, &next, &code, &c).await.unwrap().login.user
}

/// Adds another importer number (a suffix, same name and contact) to the TAO's sub-account.
async fn add_number(t: &TestApp, tao: &SessionUser, number: &str, name: &str, contact: &str) {
    record(t, number, name, contact).await;
    let c = client("10.77.0.9");
    let sent = app::portal::apply::start_for_account(&t.app, tao, name, number, &c).await.unwrap();
    let code = newest_code(t, contact).await;
    let Verified::Added { .. } = app::portal::apply::verify(&t.app, sent.application_id, &code, &c).await.unwrap()
    else {
        panic!("expected the number to be added")
    };
}

/// An Account User of the TAO's company with `grants` on the sub-account, set up through the
/// invitation link.
async fn account_user(t: &TestApp, tao: &SessionUser, sub: i64, email: &str, grants: Grants) {
    let inv = app::portal::members::Invite {
        email: email.into(),
        name: "Carl Clerk".into(),
        role: AccountRole::User,
        grants: vec![(sub, grants)],
    };
    app::portal::members::invite(&t.app, tao, &inv).await.unwrap();
    let text = t.last_mail(email).await.rendered.text;
    let at = text.find("/invitation/").unwrap() + "/invitation/".len();
    let link: String = text[at..].chars().take_while(char::is_ascii_alphanumeric).collect();
    let c = client("10.77.0.20");
    let pending = app::portal::login::redeem_link(&t.app, "invitation", &link, &c).await.unwrap();
    let next = app::portal::login::set_password(&t.app, &pending, PASSWORD, PASSWORD, &c).await.unwrap().unwrap();
    app::portal::login::enrol_email_begin(&t.app, &next, &c).await.unwrap();
    let code = newest_code(t, email).await;
    app::portal::login::enrol_email_confirm(&t.app, &next, &code, &c).await.unwrap();
}

/// The API as a client sees it. Every answer is checked: errors are problem documents, and no
/// body ever holds the full account number.
struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    fn new(t: &TestApp) -> Api {
        Api { http: reqwest::Client::new(), base: format!("{}/api/v1", t.base) }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        let text = res.text().await.unwrap();
        assert!(!text.contains(ACCOUNT), "an answer ({status}) holds the full account number: {text}");
        if status >= 400 {
            assert_eq!(ct, "application/problem+json", "errors are RFC 9457 problems: {text}");
        }
        (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() })
    }

    async fn get(&self, token: Option<&str>, path: &str) -> (u16, Value) {
        self.send(auth(self.http.get(format!("{}{path}", self.base)), token)).await
    }

    async fn put(&self, token: Option<&str>, path: &str, body: &Value) -> (u16, Value) {
        self.send(auth(self.http.put(format!("{}{path}", self.base)), token).json(body)).await
    }

    async fn post(&self, token: Option<&str>, path: &str, body: &Value) -> (u16, Value) {
        self.send(auth(self.http.post(format!("{}{path}", self.base)), token).json(body)).await
    }

    async fn delete(&self, token: Option<&str>, path: &str) -> (u16, Value) {
        self.send(auth(self.http.delete(format!("{}{path}", self.base)), token)).await
    }
}

fn auth(req: reqwest::RequestBuilder, token: Option<&str>) -> reqwest::RequestBuilder {
    match token {
        Some(t) => req.bearer_auth(t),
        None => req,
    }
}

struct Company {
    tao: SessionUser,
    token: String,
    sub: i64,
    /// The importer numbers' record ids: NUMBER, then SUFFIX.
    ids: Vec<i64>,
}

/// Chesapeake with two importer numbers, its TAO's API token, and a loaded FedACH directory.
async fn chesapeake(t: &TestApp) -> Company {
    let tao = importer_company(t, NUMBER, NAME, CONTACT, OWNER, "10.77.0.1").await;
    add_number(t, &tao, SUFFIX, NAME, CONTACT).await;
    let o = app::portal::accounts::overview(&t.app, &tao).await.unwrap();
    let sub = o.sub_accounts[0].id;
    let ids = o.sub_accounts[0].numbers.iter().map(|n| n.importer_id).collect::<Vec<_>>();
    assert_eq!(ids.len(), 2);
    let directory = directory_line(ROUTING, "JPMORGAN CHASE BANK, NA") + "\r\n";
    app::ach::directory::load(&t.app, &directory, "test", "test").await.unwrap();
    let token = app::portal::users::create_token(&t.app, OWNER, "treasury system").await.unwrap();
    Company { tao, token, sub, ids }
}

fn bank(targets: &[(i64, i64)]) -> Value {
    json!({
        "targets": targets.iter().map(|(id, rev)| json!({"importer_id": id, "revision": rev})).collect::<Vec<_>>(),
        "routing": ROUTING,
        "account": ACCOUNT,
        "account_confirm": ACCOUNT,
        "account_type": "checking",
        "holder_name": "Chesapeake Outdoor Goods LLC",
    })
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

fn row(tab: &Value, importer_id: i64) -> &Value {
    tab["rows"].as_array().unwrap().iter().find(|r| r["importer_id"] == importer_id).expect("a row per importer number")
}

async fn live_versions(t: &TestApp, ids: &[i64]) -> usize {
    store::enrollments::live_of(&t.app.db.conn, ids).await.unwrap().len()
}

#[tokio::test]
async fn enrol_two_numbers_at_once_then_tab_history_and_removal() {
    let t = spawn().await;
    let c = chesapeake(&t).await;
    let api = Api::new(&t);
    let tok = Some(c.token.as_str());
    let tab_path = format!("/sub-accounts/{}/ach", c.sub);

    let (s, tab) = api.get(tok, &tab_path).await;
    assert_eq!(s, 200, "{tab}");
    assert_eq!(tab["rows"].as_array().unwrap().len(), 2);
    assert!(tab["can_change"].as_bool().unwrap() && tab["can_manage_parties"].as_bool().unwrap());
    assert!(tab["directory_loaded_at"].is_string());
    assert_eq!(row(&tab, c.ids[1])["revision"], 0);
    assert!(row(&tab, c.ids[1])["current"].is_null());

    // One bank account for both importer numbers, in one request.
    let (s, saved) = api.put(tok, &tab_path, &bank(&[(c.ids[0], 0), (c.ids[1], 0)])).await;
    assert_eq!(s, 200, "{saved}");
    assert_eq!(saved["versions"].as_array().unwrap().len(), 2);
    assert_eq!(saved["bank_name"], "JPMORGAN CHASE BANK, NA");
    assert_eq!(saved["flagged_for_review"], false, "a company's own numbers may share an account");

    let (_, tab) = api.get(tok, &tab_path).await;
    for id in &c.ids {
        let r = row(&tab, *id);
        let cur = &r["current"];
        assert_eq!(r["revision"], 1);
        assert_eq!(cur["status"], "pending");
        assert_eq!(cur["status_label"], "Pending verification");
        assert_eq!(cur["account"], "••••1012");
        assert_eq!((cur["routing"].as_str(), cur["account_type"].as_str()), (Some(ROUTING), Some("checking")));
        assert_eq!(cur["bank_name"], "JPMORGAN CHASE BANK, NA");
        assert_eq!(cur["changed_by"], "Olivia Owner");
        assert!(cur["effective_since"].is_null(), "not Active yet");
        assert!(r["paying"].is_null());
        assert_eq!(r["payee"]["kind"], "none", "nothing verified yet: refunds would be rejected");
    }

    let history_path = format!("/sub-accounts/{}/ach/{}/history", c.sub, c.ids[1]);
    let (s, h) = api.get(tok, &history_path).await;
    assert_eq!(s, 200, "{h}");
    assert_eq!(h["number"], SUFFIX);
    assert_eq!(h["versions"][0]["account"], "••••1012");
    assert_eq!((h["events"][0]["from"].clone(), h["events"][0]["to"].as_str()), (Value::Null, Some("pending")));

    // Removal needs the revision; afterwards the history tells it.
    let (s, p) = api.delete(tok, &format!("/sub-accounts/{}/ach/{}", c.sub, c.ids[1])).await;
    assert_eq!(s, 400, "{p}");
    let (s, p) = api.delete(tok, &format!("/sub-accounts/{}/ach/{}?revision=1", c.sub, c.ids[1])).await;
    assert_eq!(s, 204, "{p}");
    let (_, tab) = api.get(tok, &tab_path).await;
    assert!(row(&tab, c.ids[1])["current"].is_null());
    assert_eq!(row(&tab, c.ids[0])["current"]["status"], "pending", "the other number keeps its details");
    let (_, h) = api.get(tok, &history_path).await;
    assert_eq!(h["events"][0]["to"], "removed");
    assert_eq!(h["versions"][0]["status"], "removed");
    assert!(t.last_mail(CONTACT).await.rendered.text.contains("will be rejected"), "the contact is told");
}

#[tokio::test]
async fn bad_bank_details_are_problems_naming_the_fields() {
    let t = spawn().await;
    let c = chesapeake(&t).await;
    let api = Api::new(&t);
    let tok = Some(c.token.as_str());
    let path = format!("/sub-accounts/{}/ach", c.sub);
    let with = |changes: Value| {
        let mut b = bank(&[(c.ids[0], 0)]);
        for (k, v) in changes.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let cases = [
        (with(json!({"routing": "021000022"})), "routing", "mistyped"),
        (with(json!({"routing": "121000358"})), "routing", "not in the FedACH directory"),
        (with(json!({"account": "123", "account_confirm": "123"})), "account", "at least 4 digits"),
        (
            with(json!({"account": "123456789012345678", "account_confirm": "123456789012345678"})),
            "account",
            "at most 17",
        ),
        (with(json!({"account": "98765432101B", "account_confirm": "98765432101B"})), "account", "only digits"),
        (with(json!({"account_confirm": "987654321013"})), "account_confirm", "not the same"),
        (with(json!({"account_type": "brokerage"})), "account_type", "checking or savings"),
        (with(json!({"holder_name": "Bob Smith"})), "holder_name", "tick the box"),
        (with(json!({"targets": []})), "targets", "at least one"),
    ];
    for (body, field, says) in cases {
        let (s, p) = api.put(tok, &path, &body).await;
        assert_eq!(s, 422, "{field}: {p}");
        assert_eq!(p["type"], "https://ace-refunds.example/problems/validation");
        assert_eq!(fields(&p), [field], "{p}");
        assert!(p["errors"][0]["message"].as_str().unwrap().contains(says), "{field}: {p}");
        for typed in ["123456789012345678", "98765432101B", "987654321013"] {
            assert!(!p.to_string().contains(typed), "the problem repeats what was typed: {p}");
        }
    }
    // Several fields wrong at once: each named.
    let (s, p) = api.put(tok, &path, &with(json!({"routing": "021000022", "account_confirm": "1111"}))).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&p), ["routing", "account_confirm"]);
    // An account number sent as a JSON number, or in another field, is not quoted back.
    let (s, p) = api.put(tok, &path, &with(json!({"account": 987654321012_u64}))).await;
    assert!(s == 400 || s == 422, "{s}: {p}");
    assert!(p["detail"].as_str().unwrap().contains("account"), "{p}");
    let (s, _) = api.put(tok, &path, &with(json!({"targets": ACCOUNT}))).await;
    assert!(s == 400 || s == 422);
    let (s, p) = api.put(tok, &path, &with(json!({"acount": ACCOUNT}))).await;
    assert_eq!(s, 422, "unknown fields are refused: {p}");
    assert_eq!(live_versions(&t, &c.ids).await, 0, "nothing was saved");
}

#[tokio::test]
async fn a_read_only_user_sees_but_cannot_change() {
    let t = spawn().await;
    let c = chesapeake(&t).await;
    let api = Api::new(&t);
    let read_only = Grants { ach: AchAccess::ReadOnly, reports: false, notify_parties: false };
    account_user(&t, &c.tao, c.sub, "clerk@chesapeake.example", read_only).await;
    let none = Grants { ach: AchAccess::None, reports: true, notify_parties: false };
    account_user(&t, &c.tao, c.sub, "reports@chesapeake.example", none).await;
    let ro = app::portal::users::create_token(&t.app, "clerk@chesapeake.example", "clerk").await.unwrap();
    let blind = app::portal::users::create_token(&t.app, "reports@chesapeake.example", "reports").await.unwrap();
    let path = format!("/sub-accounts/{}/ach", c.sub);

    let (s, saved) = api.put(Some(&c.token), &path, &bank(&[(c.ids[0], 0)])).await;
    assert_eq!(s, 200, "{saved}");
    let (s, tab) = api.get(Some(&ro), &path).await;
    assert_eq!(s, 200, "{tab}");
    assert_eq!((tab["can_change"].as_bool(), tab["can_manage_parties"].as_bool()), (Some(false), Some(false)));
    assert_eq!(row(&tab, c.ids[0])["current"]["account"], "••••1012");
    let (s, _) = api.get(Some(&ro), &format!("/sub-accounts/{}/ach/{}/history", c.sub, c.ids[0])).await;
    assert_eq!(s, 200);

    let other = json!({"targets": [{"importer_id": c.ids[0], "revision": 1}], "routing": ROUTING,
        "account": "55556666", "account_confirm": "55556666", "account_type": "savings",
        "holder_name": "Chesapeake Outdoor Goods"});
    let (s, p) = api.put(Some(&ro), &path, &other).await;
    assert_eq!(s, 403, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("read-only"), "{p}");
    let (s, _) = api.delete(Some(&ro), &format!("{path}/{}?revision=1", c.ids[0])).await;
    assert_eq!(s, 403);
    let notify_party = json!({"importer_id": c.ids[0], "party_number": "88-888888800"});
    let (s, _) = api.post(Some(&ro), &format!("/sub-accounts/{}/notify-parties", c.sub), &notify_party).await;
    assert_eq!(s, 403);
    let live = store::enrollments::live_of(&t.app.db.conn, &c.ids).await.unwrap();
    assert_eq!(
        live.iter().map(|v| (v.account_last4.as_str(), v.status.as_str())).collect::<Vec<_>>(),
        [("1012", "pending")]
    );

    // No ACH access: not even a view.
    let (s, _) = api.get(Some(&blind), &path).await;
    assert_eq!(s, 403);
    let (s, _) = api.get(Some(&blind), &format!("/sub-accounts/{}/ach/{}/history", c.sub, c.ids[0])).await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn no_token_is_401_and_another_companys_token_finds_nothing() {
    let t = spawn().await;
    let c = chesapeake(&t).await;
    let api = Api::new(&t);
    let path = format!("/sub-accounts/{}/ach", c.sub);
    api.put(Some(&c.token), &path, &bank(&[(c.ids[0], 0)])).await;

    let (s, _) = api.get(None, &path).await;
    assert_eq!(s, 401);
    let (s, _) = api.put(None, &path, &bank(&[(c.ids[0], 1)])).await;
    assert_eq!(s, 401);
    let (s, _) = api.get(Some("ace_not-a-token"), &path).await;
    assert_eq!(s, 401);

    // Another importer company, and a broker firm.
    let other = importer_company(
        &t,
        "77-777777700",
        "Harbor Freight Lines Co",
        "ap@harbor.example",
        "boss@harbor.example",
        "10.77.0.2",
    )
    .await;
    let other_sub = app::portal::accounts::overview(&t.app, &other).await.unwrap().sub_accounts[0].id;
    let other_tok = app::portal::users::create_token(&t.app, "boss@harbor.example", "t").await.unwrap();
    let broker_tok = t.token(common::BROKER_B).await;
    for tok in [other_tok.as_str(), broker_tok.as_str()] {
        let tok = Some(tok);
        let mut answers = vec![
            api.get(tok, &path).await,
            api.put(tok, &path, &bank(&[(c.ids[0], 1)])).await,
            api.delete(tok, &format!("{path}/{}?revision=1", c.ids[0])).await,
            api.get(tok, &format!("{path}/{}/history", c.ids[0])).await,
            api.get(tok, &format!("/sub-accounts/{}/notify-parties", c.sub)).await,
            api.get(tok, &format!("/sub-accounts/{}/importers-naming-us", c.sub)).await,
        ];
        // Its own sub-account id with this company's importer number.
        answers.push(api.get(tok, &format!("/sub-accounts/{other_sub}/ach/{}/history", c.ids[0])).await);
        answers.push(api.delete(tok, &format!("/sub-accounts/{other_sub}/ach/{}?revision=1", c.ids[0])).await);
        for (i, (s, p)) in answers.iter().enumerate() {
            assert_eq!(*s, 404, "request {i}: {p}");
            assert!(!p.to_string().contains(NUMBER) && !p.to_string().contains(NAME), "{p}");
        }
    }
    // Harbor's own sub-account with Chesapeake's number as a target.
    let (s, _) = api.put(Some(&other_tok), &format!("/sub-accounts/{other_sub}/ach"), &bank(&[(c.ids[0], 1)])).await;
    assert_eq!(s, 404);
    let live = store::enrollments::live_of(&t.app.db.conn, &c.ids).await.unwrap();
    assert_eq!(live.len(), 1, "nothing changed");
    assert_eq!(store::enrollments::heads_of(&t.app.db.conn, &c.ids).await.unwrap()[0].revision, 1);
}

#[tokio::test]
async fn a_stale_revision_is_refused_with_who_changed_it() {
    let t = spawn().await;
    let c = chesapeake(&t).await;
    let api = Api::new(&t);
    let tok = Some(c.token.as_str());
    let path = format!("/sub-accounts/{}/ach", c.sub);
    let (s, _) = api.put(tok, &path, &bank(&[(c.ids[0], 0)])).await;
    assert_eq!(s, 200);
    // A second client that read revision 0 before that save.
    let mut stale = bank(&[(c.ids[0], 0), (c.ids[1], 0)]);
    stale["account"] = json!("11112222");
    stale["account_confirm"] = json!("11112222");
    let (s, p) = api.put(tok, &path, &stale).await;
    assert_eq!(s, 409, "{p}");
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.contains("changed by Olivia Owner at") && detail.contains("save again"), "{detail}");
    let (s, p) = api.delete(tok, &format!("{path}/{}?revision=0", c.ids[0])).await;
    assert_eq!(s, 409, "{p}");
    let live = store::enrollments::live_of(&t.app.db.conn, &c.ids).await.unwrap();
    assert_eq!(
        live.iter().map(|v| (v.importer_id, v.account_last4.as_str())).collect::<Vec<_>>(),
        [(c.ids[0], "1012")]
    );

    // With the revisions read now, both go through; the older pending details are withdrawn.
    let (_, tab) = api.get(tok, &path).await;
    let fresh = |id: i64| json!({"importer_id": id, "revision": row(&tab, id)["revision"]});
    stale["targets"] = json!([fresh(c.ids[0]), fresh(c.ids[1])]);
    let (s, p) = api.put(tok, &path, &stale).await;
    assert_eq!(s, 200, "{p}");
    let (_, h) = api.get(tok, &format!("{path}/{}/history", c.ids[0])).await;
    let statuses: Vec<&str> = h["versions"].as_array().unwrap().iter().map(|v| v["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["pending", "withdrawn"]);
    assert_eq!(h["versions"][0]["account"], "••••2222");
}

#[tokio::test]
async fn notify_party_links() {
    let t = spawn().await;
    let c = chesapeake(&t).await;
    let api = Api::new(&t);
    let tok = Some(c.token.as_str());
    let party = importer_company(
        &t,
        "88-888888800",
        "Bayside Customs Finance LLC",
        "np@bayside.example",
        "owner@bayside.example",
        "10.77.0.3",
    )
    .await;
    let party_sub = app::portal::accounts::overview(&t.app, &party).await.unwrap().sub_accounts[0].id;
    let party_tok = app::portal::users::create_token(&t.app, "owner@bayside.example", "t").await.unwrap();
    let path = format!("/sub-accounts/{}/notify-parties", c.sub);

    for (number, says) in
        [("33-333333300", "No Form 5106 record"), (NUMBER, "its own notify party"), ("not a number", "importer number")]
    {
        let (s, p) = api.post(tok, &path, &json!({"importer_id": c.ids[0], "party_number": number})).await;
        assert_eq!(s, 422, "{number}: {p}");
        assert_eq!(fields(&p), ["party_number"]);
        assert!(p["errors"][0]["message"].as_str().unwrap().contains(says), "{number}: {p}");
    }
    let past = json!({"importer_id": c.ids[0], "party_number": "88-888888800", "effective_on": "2020-01-01"});
    let (s, p) = api.post(tok, &path, &past).await;
    assert_eq!((s, fields(&p)), (422, vec!["effective_on".to_owned()]));
    let (s, _) = api.post(tok, &path, &json!({"importer_id": 999_999, "party_number": "88-888888800"})).await;
    assert_eq!(s, 404, "an importer number of no one's sub-account here");

    let (s, d) = api.post(tok, &path, &json!({"importer_id": c.ids[0], "party_number": "88-888888800"})).await;
    assert_eq!(s, 201, "{d}");
    assert_eq!((d["party_number"].as_str(), d["active"].as_bool()), (Some("88-888888800"), Some(true)));
    assert!(d["revoked_on"].is_null() && d["revoked_by"].is_null());
    let (_, tab) = api.get(tok, &format!("/sub-accounts/{}/ach", c.sub)).await;
    assert_eq!(row(&tab, c.ids[0])["notify_party"]["id"], d["id"]);

    // The party sees it from its own account, and cannot revoke it.
    let (s, seen) = api.get(Some(&party_tok), &format!("/sub-accounts/{party_sub}/importers-naming-us")).await;
    assert_eq!(s, 200);
    assert_eq!(seen.as_array().unwrap().len(), 1);
    assert_eq!(seen[0]["importer_number"], NUMBER);
    let (_, tab) = api.get(Some(&party_tok), &format!("/sub-accounts/{party_sub}/ach")).await;
    assert_eq!(tab["naming_us"][0]["id"], d["id"]);
    let revoke = |sub: i64| format!("/sub-accounts/{sub}/notify-parties/{}/revoke", d["id"]);
    let (s, _) = api.post(Some(&party_tok), &revoke(party_sub), &json!({})).await;
    assert_eq!(s, 404);

    let (s, _) = api.post(tok, &revoke(c.sub), &json!({})).await;
    assert_eq!(s, 204);
    let (s, _) = api.post(tok, &revoke(c.sub), &json!({})).await;
    assert_eq!(s, 409, "already revoked");
    let (s, list) = api.get(tok, &path).await;
    assert_eq!(s, 200);
    assert_eq!(list.as_array().unwrap().len(), 1, "the history keeps it");
    assert!(list[0]["revoked_on"].is_string());
    assert_eq!(list[0]["revoked_by"], "Olivia Owner");
}

#[tokio::test]
async fn the_document_lists_every_ach_path() {
    let t = spawn().await;
    let doc: Value = reqwest::get(format!("{}/api/v1/openapi.json", t.base)).await.unwrap().json().await.unwrap();
    let paths = &doc["paths"];
    for (path, method) in [
        ("/api/v1/sub-accounts/{id}/ach", "get"),
        ("/api/v1/sub-accounts/{id}/ach", "put"),
        ("/api/v1/sub-accounts/{id}/ach/{importer_id}", "delete"),
        ("/api/v1/sub-accounts/{id}/ach/{importer_id}/history", "get"),
        ("/api/v1/sub-accounts/{id}/notify-parties", "get"),
        ("/api/v1/sub-accounts/{id}/notify-parties", "post"),
        ("/api/v1/sub-accounts/{id}/notify-parties/{notify_party_id}/revoke", "post"),
        ("/api/v1/sub-accounts/{id}/importers-naming-us", "get"),
    ] {
        let op = &paths[path][method];
        assert!(op["summary"].is_string(), "{method} {path} has a summary");
        assert!(op["responses"]["401"].is_object() && op["responses"]["404"].is_object(), "{method} {path}");
    }
}

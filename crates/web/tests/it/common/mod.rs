//! Test harness: a real server on a random port over a fresh database (SQLite, or PostgreSQL
//! when TEST_DATABASE_URL is set), with a CBP staff user and two broker users.

#![allow(dead_code)]

use app::portal::apply::{ApplyForm, Verified};
use app::portal::auth::SessionUser;
use app::portal::users::{CreateUser, create_user};
use app::{App, Settings};
use domain::Role;
use store::testing::TestDb;

pub const PASSWORD: &str = "harbor crane lemon";
pub const STAFF: &str = "officer@cbp.test.example";
pub const BROKER_A: &str = "agent@brokera.example";
pub const BROKER_B: &str = "agent@brokerb.example";

pub struct TestApp {
    pub base: String,
    pub app: App,
    pub db: TestDb,
    /// The server's data key ring in `ACE_DATA_KEY` form, for running the binary against the same
    /// database (it must open the account numbers the server sealed).
    pub data_key: String,
}

async fn user(app: &App, email: &str, role: Role, filer: Option<&str>) {
    create_user(
        app,
        &CreateUser {
            email,
            name: &format!("User {email}"),
            role,
            password: PASSWORD,
            filer_code: filer,
            firm_name: None,
            firm_importer_number: None,
        },
    )
    .await
    .unwrap();
    // Enrolled with email codes, so tests log in with password + the mailed code.
    let u = store::users::by_email(&app.db.conn, email).await.unwrap().unwrap();
    store::users::set(&app.db.conn, u.id, vec![(store::schema::Users::SecondFactor, "email".into())]).await.unwrap();
}

pub async fn spawn() -> TestApp {
    spawn_with(web::WebConfig::default()).await
}

pub async fn spawn_with(mut config: web::WebConfig) -> TestApp {
    let t = TestDb::new().await.unwrap();
    let mailer = mail::Mailer::new(mail::Transport::Memory, "ace-refunds <no-reply@ace.test>").expect("memory mailer");
    let keys = app::vault::Keyring::generate();
    let data_key = keys.to_text();
    let app = App::new(t.db.clone(), Settings::default(), mailer).with_keys(keys);
    user(&app, STAFF, Role::CbpStaff, None).await;
    user(&app, BROKER_A, Role::Broker, Some("AAA")).await;
    user(&app, BROKER_B, Role::Broker, Some("BBB")).await;
    let base = serve(app.clone(), &mut config).await;
    TestApp { base, app, db: t, data_key }
}

/// Starts one more server on a random port for `app`; returns its base URL.
pub async fn serve(app: App, config: &mut web::WebConfig) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    config.public_url = base.clone();
    let state = web::AppState::new(app, config.clone()).unwrap();
    tokio::spawn(async move {
        web::serve(state, listener).await.unwrap();
    });
    base
}

impl TestApp {
    pub async fn token(&self, email: &str) -> String {
        app::portal::users::create_token(&self.app, email, "test").await.unwrap()
    }

    /// A client with a cookie store, logged in through the real login form.
    pub async fn browser_client(&self, email: &str) -> reqwest::Client {
        let c =
            reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let page = c.get(format!("{}/login", self.base)).send().await.unwrap().text().await.unwrap();
        let csrf = csrf_of(&page);
        let res = c
            .post(format!("{}/login", self.base))
            .form(&[("csrf", csrf.as_str()), ("email", email), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "login failed for {email}");
        assert_eq!(res.headers()["location"], "/login/code");
        let page = c.get(format!("{}/login/code", self.base)).send().await.unwrap().text().await.unwrap();
        let code = self.last_code(email).await;
        let res = c
            .post(format!("{}/login/code", self.base))
            .form(&[("csrf", csrf_of(&page).as_str()), ("code", code.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "second factor failed for {email}");
        c
    }

    /// Delivers the queued mail (as the server's sender does) and returns everything the memory
    /// mailer has received, oldest first.
    pub async fn sent(&self) -> Vec<mail::Sent> {
        let d = app::mail_queue::deliver_due(&self.app).await.unwrap();
        assert_eq!((d.retrying, d.given_up), (0, 0), "queued mail not delivered: {d:?}");
        self.app.mailer.memory_sent()
    }

    /// The 6-digit code in the newest mail to `to`.
    pub async fn last_code(&self, to: &str) -> String {
        code_in(&self.last_mail(to).await.rendered.text)
    }

    /// The newest mail to `to`.
    pub async fn last_mail(&self, to: &str) -> mail::Sent {
        self.sent().await.into_iter().rev().find(|m| m.to == to).unwrap_or_else(|| panic!("no mail to {to}"))
    }
}

/// The first run of exactly six digits in a text.
pub fn code_in(text: &str) -> String {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 6 {
                return text[start..i].to_string();
            }
        } else {
            i += 1;
        }
    }
    panic!("no 6-digit code in: {text}")
}

/// The CSRF token of the first form on a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    html[start..start + 64].to_string()
}

pub fn importer_json(number: &str, email: &str) -> serde_json::Value {
    serde_json::json!({
        "importer_number": number,
        "name": "Acme Imports Inc",
        "company_type": "corporation",
        "number_uses": ["importer_of_record"],
        "physical_address": {"line1": "1 Main St", "city": "Baltimore", "state": "MD", "postal_code": "21201"},
        "email": email
    })
}

/// One line (155 characters) of the Federal Reserve's FedACH participant directory file: a main
/// office that receives ACH, in New York.
pub fn fedach_line(routing: &str, name: &str) -> String {
    let line = format!(
        "{routing}O0110000151010119000000000{name:<36}{:<36}{:<20}NY100010000212555123411     ",
        "1 MAIN ST", "NEW YORK"
    );
    assert_eq!(line.len(), 155, "{line}");
    line
}

pub async fn staff(t: &TestApp) -> domain::Actor {
    app::portal::users::actor_of(&store::users::by_email(&t.app.db.conn, STAFF).await.unwrap().unwrap())
}

/// A Form 5106 record filed by CBP staff.
pub async fn record(t: &TestApp, number: &str, name: &str, contact: &str) {
    let mut d: domain::ImporterDraft = serde_json::from_value(importer_json(number, contact)).unwrap();
    d.name = name.into();
    app::registry::importers::create(&t.app, &staff(t).await, &d).await.unwrap();
}

pub fn client(ip: &str) -> app::portal::auth::Client {
    app::portal::auth::Client { ip: ip.into(), user_agent: "test-agent".into(), device: format!("device-{ip}") }
}

/// A new importer company: its 5106 record, the application proven by the contact's code, a
/// password and email codes for the TAO `owner`.
pub async fn company(t: &TestApp, number: &str, name: &str, contact: &str, owner: &str, ip: &str) -> SessionUser {
    record(t, number, name, contact).await;
    let c = client(ip);
    let f = ApplyForm {
        company_name: name.into(),
        importer_number: number.into(),
        requester_name: "Ana Lopez".into(),
        requester_email: owner.into(),
        honeypot: String::new(),
    };
    let sent = app::portal::apply::start(&t.app, &f, &c).await.unwrap();
    let code = t.last_code(contact).await;
    let Verified::NewAccount { token, .. } =
        app::portal::apply::verify(&t.app, sent.application_id, &code, &c).await.unwrap()
    else {
        panic!("expected a new account")
    };
    let next = app::portal::login::set_password(&t.app, &token, PASSWORD, PASSWORD, &c).await.unwrap().unwrap();
    app::portal::login::enrol_email_begin(&t.app, &next, &c).await.unwrap();
    let code = t.last_code(owner).await;
    app::portal::login::enrol_email_confirm(&t.app, &next, &code, &c).await.unwrap().login.user
}

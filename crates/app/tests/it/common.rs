//! Shared set-up for the app tests: a fresh database (SQLite, or PostgreSQL when
//! TEST_DATABASE_URL is set) with a CBP staff user and two broker firms.

#![allow(dead_code)]

use app::portal::apply::{ApplyForm, Verified};
use app::portal::auth::SessionUser;
use app::portal::login;
use app::portal::users::{CreateUser, actor_of, create_user};
use app::{App, Settings};
use domain::{Actor, Address, ImporterDraft, Role};
use store::testing::TestDb;

pub struct World {
    pub app: App,
    pub staff: Actor,
    pub broker_a: Actor,
    pub broker_b: Actor,
    pub _db: TestDb,
}

pub const PASSWORD: &str = "harbor crane lemon";

impl World {
    /// The SQLite database file and its WAL and shared-memory files, or None on PostgreSQL.
    pub fn sqlite_files(&self) -> Option<Vec<std::path::PathBuf>> {
        let path = self._db.url.strip_prefix("sqlite://")?.split('?').next()?.to_owned();
        Some(["", "-wal", "-shm"].iter().map(|s| std::path::PathBuf::from(format!("{path}{s}"))).collect())
    }
}

async fn user(app: &App, email: &str, role: Role, filer: Option<&str>, firm_number: Option<&str>) -> Actor {
    create_user(
        app,
        &CreateUser {
            email,
            name: "Test User",
            role,
            password: PASSWORD,
            filer_code: filer,
            firm_name: None,
            firm_importer_number: firm_number,
        },
    )
    .await
    .unwrap();
    actor_of(&store::users::by_email(&app.db.conn, email).await.unwrap().unwrap())
}

pub async fn world() -> World {
    let t = TestDb::new().await.unwrap();
    let mailer = mail::Mailer::new(mail::Transport::Memory, "ace-refunds <no-reply@ace.test>").expect("memory mailer");
    let app = App::new(t.db.clone(), Settings::default(), mailer);
    let staff = user(&app, "officer@cbp.test.example", Role::CbpStaff, None, None).await;
    let broker_a = user(&app, "agent@brokera.example", Role::Broker, Some("AAA"), Some("55-000000100")).await;
    let broker_b = user(&app, "agent@brokerb.example", Role::Broker, Some("BBB"), None).await;
    World { app, staff, broker_a, broker_b, _db: t }
}

pub fn draft(number: &str, email: &str) -> ImporterDraft {
    ImporterDraft {
        importer_number: number.into(),
        name: "Acme Imports Inc".into(),
        company_type: "corporation".into(),
        number_uses: vec!["importer_of_record".into()],
        physical_address: Some(Address {
            line1: "1 Main St".into(),
            city: "Baltimore".into(),
            state: "MD".into(),
            postal_code: "21201".into(),
            ..Default::default()
        }),
        email: email.into(),
        ..Default::default()
    }
}

/// Delivers the queued mail (as a server's sender would) and returns everything the memory
/// mailer has received, oldest first.
pub async fn sent(app: &App) -> Vec<mail::Sent> {
    let d = app::mail_queue::deliver_due(app).await.unwrap();
    assert_eq!((d.retrying, d.given_up, d.busy), (0, 0, false), "queued mail not delivered: {d:?}");
    app.mailer.memory_sent()
}

/// The newest mail sent to `to` (queued mail delivered first).
pub async fn last_mail_to(app: &App, to: &str) -> mail::Sent {
    sent(app).await.into_iter().rev().find(|m| m.to == to).unwrap_or_else(|| panic!("no mail to {to}"))
}

pub async fn mails_to(app: &App, to: &str) -> usize {
    sent(app).await.iter().filter(|m| m.to == to).count()
}

/// The first run of exactly six digits in a text (the code in a code mail).
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

/// The token after `marker` (e.g. `/invitation/`) in a mail text.
pub fn token_after(text: &str, marker: &str) -> String {
    let at = text.find(marker).unwrap_or_else(|| panic!("no {marker} in: {text}")) + marker.len();
    text[at..].chars().take_while(char::is_ascii_alphanumeric).collect()
}

/// A different 6-digit code than `code`.
pub fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

pub fn client(ip: &str) -> app::portal::auth::Client {
    app::portal::auth::Client { ip: ip.into(), user_agent: "test-agent".into(), device: format!("device-{ip}") }
}

/// A new importer company's TAO, logged in with an email second factor: record, application,
/// code, password, factor.
pub async fn importer_account(w: &World, number: &str, contact: &str, requester: &str, ip: &str) -> SessionUser {
    importer_login(w, number, contact, requester, ip).await.user
}

/// As [`importer_account`], with the session token.
pub async fn importer_login(w: &World, number: &str, contact: &str, requester: &str, ip: &str) -> login::LoggedIn {
    let mut d = draft(number, contact);
    d.name = format!("Company {number}");
    app::registry::importers::create(&w.app, &w.staff, &d).await.unwrap();
    let c = client(ip);
    let f = ApplyForm {
        company_name: d.name.clone(),
        importer_number: number.into(),
        requester_name: "Owner".into(),
        requester_email: requester.into(),
        honeypot: String::new(),
    };
    let sent = app::portal::apply::start(&w.app, &f, &c).await.unwrap();
    let code = code_in(&last_mail_to(&w.app, contact).await.rendered.text);
    let Verified::NewAccount { token, .. } =
        app::portal::apply::verify(&w.app, sent.application_id, &code, &c).await.unwrap()
    else {
        panic!()
    };
    let next = login::set_password(&w.app, &token, PASSWORD, PASSWORD, &c).await.unwrap().unwrap();
    login::enrol_email_begin(&w.app, &next, &c).await.unwrap();
    let code = code_in(&last_mail_to(&w.app, requester).await.rendered.text);
    login::enrol_email_confirm(&w.app, &next, &code, &c).await.unwrap().login
}

/// Adds another importer number (a new 5106 record named like the account's first) to the TAO's
/// Importer sub-account, proven by the code mailed to its contact.
pub async fn add_number(w: &World, tao: &SessionUser, number: &str, name: &str, contact: &str) {
    let mut d = draft(number, contact);
    d.name = name.into();
    app::registry::importers::create(&w.app, &w.staff, &d).await.unwrap();
    let c = client("10.250.0.1");
    let sent = app::portal::apply::start_for_account(&w.app, tao, name, number, &c).await.unwrap();
    let code = code_in(&last_mail_to(&w.app, contact).await.rendered.text);
    let Verified::Added { .. } = app::portal::apply::verify(&w.app, sent.application_id, &code, &c).await.unwrap()
    else {
        panic!("expected the number to be added")
    };
}

//! Test harness: a real server on a random port over a fresh database (SQLite, or PostgreSQL
//! when TEST_DATABASE_URL is set), with a CBP staff user and two broker users.

#![allow(dead_code)]

use app::users::{CreateUser, create_user};
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
    _db: TestDb,
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
}

pub async fn spawn() -> TestApp {
    spawn_with(web::WebConfig::default()).await
}

pub async fn spawn_with(mut config: web::WebConfig) -> TestApp {
    let t = TestDb::new().await.unwrap();
    let mailer = mail::Mailer::new(mail::Transport::Memory, "ace-refunds <no-reply@ace.test>").expect("memory mailer");
    let app = App::new(t.db.clone(), Settings::default(), mailer);
    user(&app, STAFF, Role::CbpStaff, None).await;
    user(&app, BROKER_A, Role::Broker, Some("AAA")).await;
    user(&app, BROKER_B, Role::Broker, Some("BBB")).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    config.public_url = base.clone();
    let state = web::AppState::new(app.clone(), config).unwrap();
    tokio::spawn(async move {
        web::serve(state, listener).await.unwrap();
    });
    TestApp { base, app, _db: t }
}

impl TestApp {
    pub async fn token(&self, email: &str) -> String {
        app::users::create_token(&self.app, email, "test").await.unwrap()
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
        c
    }
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

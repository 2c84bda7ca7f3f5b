//! Shared set-up for the app tests: a fresh database (SQLite, or PostgreSQL when
//! TEST_DATABASE_URL is set) with a CBP staff user and two broker firms.

#![allow(dead_code)]

use app::users::{CreateUser, actor_of, create_user};
use app::{App, Settings};
use domain::{Actor, Address, ImporterDraft, Role};
use store::testing::TestDb;

pub struct World {
    pub app: App,
    pub staff: Actor,
    pub broker_a: Actor,
    pub broker_b: Actor,
    _db: TestDb,
}

pub const PASSWORD: &str = "harbor crane lemon";

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
    let app = App::new(t.db.clone(), Settings::default());
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

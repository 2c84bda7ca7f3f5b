//! A small, realistic demo data set for `serve --demo`: one CBP staff user, one broker firm
//! with a broker user, and importer records of every number shape.

use domain::{Actor, Address, ImporterDraft, Role};

use crate::App;
use crate::error::AppResult;
use crate::portal::users::{CreateUser, actor_of, create_user};

pub const STAFF_EMAIL: &str = "officer@cbp.demo.example";
pub const BROKER_EMAIL: &str = "broker@harborbrokerage.example";
pub const DEMO_PASSWORD: &str = "demo harbor crane lemon";

fn addr(line1: &str, city: &str, state: &str, zip: &str) -> Option<Address> {
    Some(Address {
        line1: line1.into(),
        line2: String::new(),
        city: city.into(),
        state: state.into(),
        postal_code: zip.into(),
        country: "US".into(),
    })
}

fn draft(number: &str, name: &str, kind: &str, uses: &[&str], a: Option<Address>, email: &str) -> ImporterDraft {
    ImporterDraft {
        importer_number: number.into(),
        name: name.into(),
        company_type: kind.into(),
        number_uses: uses.iter().map(|s| s.to_string()).collect(),
        physical_address: a,
        phone: "(410) 555-0100".into(),
        email: email.into(),
        ..Default::default()
    }
}

/// Loads the demo data when the database has no users. Returns whether it loaded anything.
pub async fn load_if_empty(app: &App) -> AppResult<bool> {
    if store::users::count(&app.db.conn).await? > 0 {
        return Ok(false);
    }
    create_user(
        app,
        &CreateUser {
            email: STAFF_EMAIL,
            name: "Dana Whitfield (CBP)",
            role: Role::CbpStaff,
            password: DEMO_PASSWORD,
            filer_code: None,
            firm_name: None,
            firm_importer_number: None,
        },
    )
    .await?;
    create_user(
        app,
        &CreateUser {
            email: BROKER_EMAIL,
            name: "Luis Ortega",
            role: Role::Broker,
            password: DEMO_PASSWORD,
            filer_code: Some("HB7"),
            firm_name: Some("Harbor Customs Brokerage LLC"),
            firm_importer_number: Some("52-123456700"),
        },
    )
    .await?;
    let broker = store::users::by_email(&app.db.conn, BROKER_EMAIL).await?.map(|u| actor_of(&u));
    let staff = Actor::operator();
    let by_broker = broker.as_ref().unwrap_or(&staff);
    let records = [
        (
            by_broker,
            draft(
                "52-123456700",
                "Harbor Customs Brokerage LLC",
                "llc",
                &["other"],
                addr("200 Pier Rd", "Baltimore", "MD", "21230"),
                "office@harborbrokerage.example",
            ),
        ),
        (
            by_broker,
            draft(
                "27-418820300",
                "Chesapeake Outdoor Goods Inc",
                "corporation",
                &["importer_of_record", "refunds_bills"],
                addr("1450 Key Hwy", "Baltimore", "MD", "21230"),
                "treasury@chesapeakeoutdoor.example",
            ),
        ),
        (
            by_broker,
            draft(
                "27-4188203A1",
                "Chesapeake Outdoor Goods Inc",
                "corporation",
                &["importer_of_record"],
                addr("88 Warehouse Ln", "Newark", "DE", "19711"),
                "treasury@chesapeakeoutdoor.example",
            ),
        ),
        (
            by_broker,
            draft(
                "81-220934500",
                "Lumen Lighting Supply LLC",
                "llc",
                &["importer_of_record", "consignee"],
                addr("3 Industrial Pkwy", "Edison", "NJ", "08837"),
                "ap@lumenlighting.example",
            ),
        ),
        (
            &staff,
            draft(
                "46-771203900",
                "Pacific Rim Apparel Co",
                "partnership",
                &["importer_of_record", "drawback_claimant"],
                addr("500 Harbor Blvd", "Long Beach", "CA", "90802"),
                "finance@pacificrimapparel.example",
            ),
        ),
        (
            &staff,
            draft(
                "123-45-6789",
                "Maria Alvarez",
                "individual",
                &["importer_of_record"],
                addr("17 Elm St", "Laredo", "TX", "78040"),
                "maria.alvarez@mail.example",
            ),
        ),
        (
            &staff,
            ImporterDraft {
                cbp_reasons: "Foreign company without an IRS number".into(),
                ..draft(
                    "260412-00017",
                    "Nordwind Maschinen GmbH",
                    "corporation",
                    &["importer_of_record"],
                    addr("1 Trade Center Dr", "Savannah", "GA", "31401"),
                    "customs@nordwind.example",
                )
            },
        ),
        (
            &staff,
            draft(
                "93-100200300",
                "State of Maryland Procurement",
                "state_local_government",
                &["refunds_bills"],
                addr("45 Calvert St", "Annapolis", "MD", "21401"),
                "procurement@maryland.example",
            ),
        ),
    ];
    for (actor, d) in records {
        crate::registry::importers::create(app, actor, &d).await?;
    }
    Ok(true)
}

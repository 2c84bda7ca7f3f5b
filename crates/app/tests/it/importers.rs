//! The 5106 registry's rules, end to end through the app layer on a real database.

use crate::common;

use app::AppError;
use app::registry::importers::{self, SearchQuery};
use common::{draft, world};
use domain::ImporterStatus;

#[tokio::test]
async fn broker_creates_and_updates_its_record_with_history() {
    let w = world().await;
    let rec = importers::create(&w.app, &w.broker_a, &draft("12-345678900", "ops@acme.example")).await.unwrap();
    assert_eq!(rec.importer_number, "12-345678900");
    assert_eq!(rec.filer_firm_id, w.broker_a.firm_id);

    let mut d = rec.to_draft();
    d.physical_address.as_mut().unwrap().line1 = "9 Harbor Way".into();
    let updated = importers::update(&w.app, &w.broker_a, rec.id, &d, Some(rec.version)).await.unwrap();
    assert_eq!(updated.physical_address.line1, "9 Harbor Way");
    assert_eq!(updated.version, 2);

    let h = importers::history(&w.app, rec.id).await.unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].action, "updated");
    assert_eq!(h[0].actor, "agent@brokera.example");
    assert_eq!(h[0].changes.len(), 1);
    assert_eq!(h[0].changes[0].field, "physical_line1");
    assert_eq!(h[0].changes[0].old.as_deref(), Some("1 Main St"));
    assert_eq!(h[0].changes[0].new.as_deref(), Some("9 Harbor Way"));
    assert_eq!(h[1].action, "created");
    // Personal values are masked in history.
    let email_change = h[1].changes.iter().find(|c| c.field == "email").unwrap();
    assert_eq!(email_change.new.as_deref(), Some("o***@acme.example"));

    // Saving the same values again changes nothing and writes no history.
    importers::update(&w.app, &w.broker_a, rec.id, &d, None).await.unwrap();
    assert_eq!(importers::history(&w.app, rec.id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn broker_email_is_refused_with_a_plain_message() {
    let w = world().await;
    // A broker user's own email.
    let err =
        importers::create(&w.app, &w.broker_a, &draft("12-345678900", "agent@brokerb.example")).await.unwrap_err();
    let AppError::Invalid(fe) = err else { panic!("expected field errors, got {err:?}") };
    assert!(fe.get("email").unwrap().contains("importer's own email"));

    // The email on a broker firm's own 5106 record.
    let firm = importers::create(&w.app, &w.broker_a, &draft("55-000000100", "desk@brokera.example")).await.unwrap();
    assert_eq!(firm.email, "desk@brokera.example");
    let err = importers::create(&w.app, &w.staff, &draft("12-345678900", "DESK@brokera.example")).await.unwrap_err();
    assert!(matches!(err, AppError::Invalid(ref fe) if fe.get("email").is_some()), "{err:?}");

    // And on update.
    let rec = importers::create(&w.app, &w.staff, &draft("12-345678900", "ops@acme.example")).await.unwrap();
    let err = importers::update(&w.app, &w.staff, rec.id, &draft("12-345678900", "agent@brokera.example"), None)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invalid(ref fe) if fe.get("email").is_some()));
    assert_eq!(importers::get(&w.app, rec.id).await.unwrap().email, "ops@acme.example");
}

#[tokio::test]
async fn broker_may_not_edit_another_brokers_record() {
    let w = world().await;
    let rec = importers::create(&w.app, &w.broker_a, &draft("12-345678900", "ops@acme.example")).await.unwrap();
    let err = importers::update(&w.app, &w.broker_b, rec.id, &draft("12-345678900", "new@acme.example"), None)
        .await
        .unwrap_err();
    let AppError::Forbidden(why) = err else { panic!("{err:?}") };
    assert!(why.contains("filed by another broker"));
    // Staff may; brokers may not deactivate.
    importers::update(&w.app, &w.staff, rec.id, &draft("12-345678900", "new@acme.example"), None).await.unwrap();
    assert!(matches!(
        importers::set_status(&w.app, &w.broker_a, rec.id, ImporterStatus::Inactive).await,
        Err(AppError::Forbidden(_))
    ));
    let off = importers::set_status(&w.app, &w.staff, rec.id, ImporterStatus::Inactive).await.unwrap();
    assert_eq!(off.status, ImporterStatus::Inactive);
    assert_eq!(importers::history(&w.app, rec.id).await.unwrap()[0].action, "deactivated");
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_is_written() {
    let w = world().await;
    let mut d = draft("12-3456789O0", "ops@acme.example");
    d.physical_address = None;
    let AppError::Invalid(fe) = importers::create(&w.app, &w.staff, &d).await.unwrap_err() else { panic!() };
    assert!(fe.get("importer_number").is_some());
    assert!(fe.get("physical_line1").is_some());
    let AppError::Invalid(fe) =
        importers::create(&w.app, &w.staff, &draft("12-345678900", "not-an-email")).await.unwrap_err()
    else {
        panic!()
    };
    assert!(fe.get("email").is_some());
    importers::create(&w.app, &w.staff, &draft("12-345678900", "ops@acme.example")).await.unwrap();
    let AppError::Invalid(fe) =
        importers::create(&w.app, &w.staff, &draft("123456789", "ops@acme.example")).await.unwrap_err()
    else {
        panic!()
    };
    assert!(fe.get("importer_number").unwrap().contains("already exists"));
    let page = importers::search(&w.app, &SearchQuery { per_page: 10, ..Default::default() }).await.unwrap();
    assert_eq!(page.total, 1);
}

#[tokio::test]
async fn stale_version_is_a_conflict() {
    let w = world().await;
    let rec = importers::create(&w.app, &w.staff, &draft("12-345678900", "ops@acme.example")).await.unwrap();
    let mut d = rec.to_draft();
    d.name = "Acme One".into();
    importers::update(&w.app, &w.staff, rec.id, &d, Some(1)).await.unwrap();
    d.name = "Acme Two".into();
    assert!(matches!(importers::update(&w.app, &w.staff, rec.id, &d, Some(1)).await, Err(AppError::Conflict(_))));
}

#[tokio::test]
async fn ssn_records_are_masked_and_search_works() {
    let w = world().await;
    let mut d = draft("123-45-6789", "maria@mail.example");
    d.company_type = "individual".into();
    d.name = "Maria Alvarez".into();
    let rec = importers::create(&w.app, &w.staff, &d).await.unwrap();
    assert_eq!(rec.importer_number, "***-**-6789");
    let json = serde_json::to_string(&importers::history(&w.app, rec.id).await.unwrap()).unwrap();
    assert!(!json.contains("123-45-6789"), "{json}");
    // Editing with the masked number keeps the number.
    let mut d2 = rec.to_draft();
    d2.phone = "202 555 0147".into();
    importers::update(&w.app, &w.staff, rec.id, &d2, None).await.unwrap();

    importers::create(&w.app, &w.staff, &draft("12-345678900", "ops@acme.example")).await.unwrap();
    let s = |q: &str| SearchQuery { q: q.into(), per_page: 10, ..Default::default() };
    assert_eq!(importers::search(&w.app, &s("maria alv")).await.unwrap().total, 1);
    assert_eq!(importers::search(&w.app, &s("OPS@acme.example")).await.unwrap().total, 1);
    assert_eq!(importers::search(&w.app, &s("1234567")).await.unwrap().total, 1);
    assert_eq!(importers::search(&w.app, &s("123-45-6789")).await.unwrap().total, 1);
    assert_eq!(importers::search(&w.app, &s("zzz")).await.unwrap().total, 0);
}

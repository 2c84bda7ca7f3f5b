//! `demo seed`: a small seed has the promised mix (accounts, Active / pending / no bank details,
//! notify parties named by refunds, bills, the focus importer's share), the same seed gives the
//! same data, certification of it pays, holds and diverts, the TAO it prints can log in and
//! sees its refunds and bank details, and a database with importers is refused. SQLite and,
//! with TEST_DATABASE_URL, PostgreSQL.

use crate::common::*;

use app::demo::seed::{SeedOptions, Seeded, seed};
use app::portal::login::{self, AfterPassword};
use app::{App, AppError};
use sea_orm::{ConnectionTrait, Statement};

fn options() -> SeedOptions {
    SeedOptions { focus_refunds: Some(150), ..SeedOptions::new(50, 2_000, 42) }
}

async fn seeded(o: &SeedOptions) -> (World, Seeded) {
    let w = world().await;
    let done = seed(&w.app, o, &mut |_| {}).await.unwrap();
    (w, done)
}

async fn lines(app: &App, sql: &str) -> Vec<String> {
    let stmt = Statement::from_string(app.db.conn.get_database_backend(), sql);
    app.db.conn.query_all_raw(stmt).await.unwrap().iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect()
}

async fn count(app: &App, sql: &str) -> i64 {
    let stmt = Statement::from_string(app.db.conn.get_database_backend(), sql);
    app.db.conn.query_one_raw(stmt).await.unwrap().unwrap().try_get_by_index::<i64>(0).unwrap()
}

/// What a seed wrote, in a comparable form (ids and timestamps left out).
async fn contents(app: &App) -> Vec<String> {
    let mut out = lines(
        app,
        "SELECT i.number || '|' || i.name || '|' || i.company_type || '|' || i.email FROM importers i ORDER BY i.number",
    )
    .await;
    out.extend(
        lines(
            app,
            "SELECT r.refund_number || '|' || i.number || '|' || r.entry_number || '|' || r.source || '|' || \
             CAST(r.principal_cents AS TEXT) || '|' || r.deposit_date || '|' || r.liquidation_date || '|' || \
             COALESCE(CAST(r.interest_cents AS TEXT), '-') || '|' || COALESCE(p.number, '-') \
             FROM refunds r JOIN importers i ON i.id = r.importer_id LEFT JOIN importers p ON p.id = r.notify_party_id \
             ORDER BY r.refund_number",
        )
        .await,
    );
    out.extend(
        lines(
            app,
            "SELECT i.number || '|' || e.status || '|' || e.routing || '|' || e.account_last4 || '|' || e.holder_name \
             FROM bank_enrollments e JOIN importers i ON i.id = e.importer_id ORDER BY i.number",
        )
        .await,
    );
    out.extend(
        lines(
            app,
            "SELECT u.email || '|' || u.name || '|' || i.number FROM users u JOIN sub_accounts s ON s.account_id = \
             u.account_id JOIN account_importers a ON a.sub_account_id = s.id JOIN importers i ON i.id = a.importer_id \
             ORDER BY u.email",
        )
        .await,
    );
    out.extend(
        lines(
            app,
            "SELECT b.bill_number || '|' || i.number || '|' || CAST(b.amount_cents AS TEXT) || '|' || b.bill_date \
             FROM bills b JOIN importers i ON i.id = b.importer_id ORDER BY b.bill_number",
        )
        .await,
    );
    out
}

#[tokio::test]
async fn a_small_seed_has_the_promised_mix_and_certifies_to_payable_held_and_diverted() {
    let o = options();
    let (w, done) = seeded(&o).await;
    let app = &w.app;
    assert_eq!((done.importers, done.refunds, done.focus_refunds), (50, 2_000, 150));
    assert!(done.accounts > 30 && done.accounts < 50, "most, not all, have accounts: {done:?}");
    assert!(done.enrollments_active > 25, "most are enrolled: {done:?}");
    assert!(done.enrollments_pending > 0, "some wait for verification: {done:?}");
    assert!(done.accounts > done.enrollments_active + done.enrollments_pending, "some never enrolled: {done:?}");
    assert!(done.designations > 0 && done.bills > 1 && done.refunds_naming_party > 0, "{done:?}");
    assert_eq!(count(app, "SELECT COUNT(*) FROM importers").await, 50);
    assert_eq!(count(app, "SELECT COUNT(*) FROM refunds WHERE status = 'recorded'").await, 2_000);
    let focus = format!(
        "SELECT COUNT(*) FROM refunds r JOIN importers i ON i.id = r.importer_id WHERE i.number = '{}'",
        done.focus_number
    );
    assert_eq!(count(app, &focus).await, 150);
    // Every refund naming a notify party names its importer's designation, in force.
    let naming = "SELECT COUNT(*) FROM refunds r JOIN notify_designations d ON d.importer_id = r.importer_id \
                  AND d.party_importer_id = r.notify_party_id AND d.revoked_on IS NULL";
    assert_eq!(count(app, naming).await as u64, done.refunds_naming_party);
    assert_eq!(count(app, "SELECT COUNT(*) FROM bills WHERE open_cents = amount_cents").await as u64, done.bills);
    // Entry numbers carry valid check digits; no date is in the future.
    for e in lines(app, "SELECT entry_number FROM refunds").await {
        domain::refund::EntryNumber::parse(&e).unwrap();
    }
    let today = o.today.to_string();
    let future =
        format!("SELECT COUNT(*) FROM refunds WHERE liquidation_date > '{today}' OR deposit_date > liquidation_date");
    assert_eq!(count(app, &future).await, 0);
    let sources = lines(app, "SELECT DISTINCT source FROM refunds").await;
    assert_eq!(sources.len(), 8, "every source: {sources:?}");

    // The account numbers are sealed as the ACH tab seals them: the prenote export opens them.
    let dir = tempfile::tempdir().unwrap();
    let exported = app::ach::prenotes::export(app, &dir.path().join("p.ach"), "test").await.unwrap();
    assert_eq!(exported.entries as u64, done.enrollments_pending);

    let c = app::refunds::certify::certify(app, "test", o.today).await.unwrap();
    assert_eq!(c.examined, 2_000);
    assert!(c.payable > 0 && c.held_ach_rejected > 0 && c.funds_diverted > 0, "{c:?}");
    let via_party = "SELECT COUNT(*) FROM refunds WHERE payee_kind = 'notify_party' AND status = 'payable'";
    assert!(count(app, via_party).await > 0, "some are paid to the notify party");

    // A second seed is refused.
    let again = seed(app, &SeedOptions::new(5, 5, 1), &mut |_| {}).await;
    assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");
}

#[tokio::test]
async fn the_same_seed_gives_the_same_data() {
    let o = options();
    let (a, _) = seeded(&o).await;
    let (b, _) = seeded(&o).await;
    let (x, y) = (contents(&a.app).await, contents(&b.app).await);
    assert!(x.len() > 2_000);
    assert_eq!(x, y);
    let (c, _) = seeded(&SeedOptions { seed: 43, ..o }).await;
    assert_ne!(x, contents(&c.app).await, "another seed, other data");
}

#[tokio::test]
async fn the_printed_tao_logs_in_and_sees_its_refunds_and_bank_details() {
    let o = options();
    let (w, done) = seeded(&o).await;
    let app = &w.app;
    let c = client("10.9.0.1");
    let token = match login::password(app, &done.focus_tao_email, app::demo::DEMO_PASSWORD, &c).await.unwrap() {
        AfterPassword::SecondFactor { token, method, .. } => {
            assert_eq!(method, "email");
            token
        }
        other => panic!("expected a second factor, got {other:?}"),
    };
    let code = code_in(&last_mail_to(app, &done.focus_tao_email).await.rendered.text);
    let user = login::second_factor(app, &token, &code, &c).await.unwrap().user;
    let overview = app::portal::accounts::overview(app, &user).await.unwrap();
    let sub = overview.sub_accounts.iter().find(|s| s.kind == domain::portal::SubAccountKind::Importer).unwrap();
    let (_, scope) = app::refunds::sub_account_scope(app, &user, sub.id).await.unwrap();
    let q = app::refunds::ListQuery { limit: 500, ..Default::default() };
    let page = app::refunds::list(app, &scope, &q).await.unwrap();
    assert_eq!(page.refunds.len(), 150);
    let tab = app::ach::tab::tab(app, &user, sub.id).await.unwrap();
    let row = &tab.data.rows[0];
    let bank = row.current.as_ref().expect("the focus importer's bank details");
    assert_eq!(bank.status, domain::enrollment::EnrollmentStatus::Active);
    assert!(!bank.bank_name.is_empty());
}

//! The ACH tab's generations: the shared counter (migration m0005_change_counters, now the
//! FedACH directory only) and each sub-account's own (m0007): which writes move them, whose they
//! move, and that a rolled-back transaction does not. SQLite and, with TEST_DATABASE_URL,
//! PostgreSQL.

use sea_orm::{ConnectionTrait, TransactionTrait};
use store::change_counters::{ACH_TAB, AchTabGeneration, ach_tab_generation, generation};
use store::testing::TestDb;

const LOAD: &str = "INSERT INTO routing_loads (loaded_at, source, participants, bad_lines, sha256, loaded_by) \
                    VALUES ('2026-11-25T00:00:00Z', 'test', 1, 0, 'x', 'test')";

#[tokio::test]
async fn watched_writes_move_the_generation_once_per_commit_and_rollbacks_do_not() {
    let t = TestDb::new().await.unwrap();
    let c = &t.db.conn;
    let g0 = generation(c, ACH_TAB).await.unwrap();

    c.execute_unprepared(LOAD).await.unwrap();
    let g1 = generation(c, ACH_TAB).await.unwrap();
    assert!(g1 > g0, "an insert into a watched table moves it");

    let tx = c.begin().await.unwrap();
    tx.execute_unprepared(LOAD).await.unwrap();
    tx.execute_unprepared(LOAD).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(generation(c, ACH_TAB).await.unwrap(), g1, "a rolled-back transaction leaves it");

    let tx = c.begin().await.unwrap();
    tx.execute_unprepared(LOAD).await.unwrap();
    tx.execute_unprepared(LOAD).await.unwrap();
    tx.execute_unprepared("DELETE FROM routing_loads").await.unwrap();
    tx.commit().await.unwrap();
    let g2 = generation(c, ACH_TAB).await.unwrap();
    assert!(g2 > g1);
    if c.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Deferred to commit and once per transaction: five row changes, one new counter value.
        assert_eq!(g2, g1 + 1);
        // The transaction-local mark does not leak into the next transaction on the connection.
        c.execute_unprepared(LOAD).await.unwrap();
        assert_eq!(generation(c, ACH_TAB).await.unwrap(), g2 + 1);
    }

    // Writes to tables the tab does not read leave it.
    let g = generation(c, ACH_TAB).await.unwrap();
    c.execute_unprepared(
        "INSERT INTO routing_banks (routing, name, city, state, office, record_type, new_routing, receives_ach) \
         VALUES ('021000021', 'BANK', 'NEW YORK', 'NY', 'O', 1, '', true)",
    )
    .await
    .unwrap();
    assert_eq!(generation(c, ACH_TAB).await.unwrap(), g);
}

/// An Importer sub-account holding one importer number: (sub-account id, importer id).
async fn company(c: &impl ConnectionTrait, number: &str) -> (i64, i64) {
    let at = store::now();
    let importer =
        store::importers::insert(c, &crate::queries::row(number, &format!("Company {number}"))).await.unwrap();
    let account = store::accounts::insert_account(c, &format!("Company {number}"), at).await.unwrap();
    let sub = store::accounts::insert_sub_account(c, account, "importer", None, at).await.unwrap();
    store::accounts::add_importer(c, sub, importer, "test", at).await.unwrap();
    (sub, importer)
}

#[tokio::test]
async fn a_companys_writes_move_its_own_generation_and_those_linked_by_a_notify_party() {
    let t = TestDb::new().await.unwrap();
    let c = &t.db.conn;
    let (a, a_importer) = company(c, "12-345678900").await;
    let (b, b_importer) = company(c, "23-456789000").await;
    let (p, p_importer) = company(c, "34-567890100").await;
    let own = async |sub| ach_tab_generation(c, sub).await.unwrap().sub_account;
    let (a0, b0, p0) = (own(a).await, own(b).await, own(p).await);
    assert!(a0 > 0 && b0 > 0 && p0 > 0, "adding a number moves its sub-account");
    let shared = generation(c, ACH_TAB).await.unwrap();

    // A's bank details: A only.
    store::enrollments::bump_head(c, a_importer, 0, "Ann", store::now()).await.unwrap();
    assert!(own(a).await > a0);
    assert_eq!((own(b).await, own(p).await), (b0, p0), "another company's change leaves B and P");
    assert_eq!(generation(c, ACH_TAB).await.unwrap(), shared, "and the shared counter");

    // A names P its notify party: both (A shows P, P lists A).
    let (a1, p1) = (own(a).await, own(p).await);
    let d = store::notify_parties::NewNotifyParty {
        importer_id: a_importer,
        party_importer_id: p_importer,
        effective_on: "2026-01-01",
        created_by_name: "Ann",
        at: store::now(),
    };
    store::notify_parties::insert(c, &d).await.unwrap();
    assert!(own(a).await > a1 && own(p).await > p1);
    assert_eq!(own(b).await, b0);

    // P's bank details: P, and A, whose payee depends on them; not B.
    let (a2, p2) = (own(a).await, own(p).await);
    store::enrollments::bump_head(c, p_importer, 0, "Pat", store::now()).await.unwrap();
    assert!(own(p).await > p2 && own(a).await > a2);
    assert_eq!(own(b).await, b0);

    // B's name on its 5106 record: B; its email, nothing.
    c.execute_unprepared(&format!("UPDATE importers SET email = 'x@b.example' WHERE id = {b_importer}")).await.unwrap();
    assert_eq!(own(b).await, b0, "the email is not on the tab");
    c.execute_unprepared(&format!("UPDATE importers SET name = 'Renamed' WHERE id = {b_importer}")).await.unwrap();
    let b1 = own(b).await;
    assert!(b1 > b0);

    // Once per transaction and sub-account on PostgreSQL (at commit); a rollback leaves all.
    let tx = c.begin().await.unwrap();
    store::enrollments::bump_head(&tx, b_importer, 0, "Bo", store::now()).await.unwrap();
    tx.execute_unprepared(&format!("UPDATE importers SET name = 'Renamed again' WHERE id = {b_importer}"))
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(own(b).await, b1, "a rolled-back transaction leaves it");
    let tx = c.begin().await.unwrap();
    store::enrollments::bump_head(&tx, b_importer, 0, "Bo", store::now()).await.unwrap();
    tx.execute_unprepared(&format!("UPDATE importers SET name = 'Renamed again' WHERE id = {b_importer}"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let b2 = own(b).await;
    assert!(b2 > b1);
    if c.get_database_backend() == sea_orm::DbBackend::Postgres {
        assert_eq!(b2, b1 + 1, "two row changes of one sub-account, one new value");
    }

    // A number leaving its sub-account moves that sub-account.
    c.execute_unprepared(&format!("DELETE FROM account_importers WHERE importer_id = {b_importer}")).await.unwrap();
    assert!(own(b).await > b2);

    // The FedACH directory moves the shared counter, which every tab reads.
    c.execute_unprepared(LOAD).await.unwrap();
    let g = ach_tab_generation(c, a).await.unwrap();
    assert!(g.shared > shared);
    assert_eq!(ach_tab_generation(c, 999_999).await.unwrap(), AchTabGeneration { shared: g.shared, sub_account: 0 });
}

/// Certification's `payee_facts` generation (m0014): bank details, notify parties and an
/// importer's number or company type move it; its name or email, a refund or a bill do not.
#[tokio::test]
async fn payee_facts_move_with_bank_details_notify_parties_numbers_and_company_types() {
    use store::change_counters::PAYEE_FACTS;
    let t = TestDb::new().await.unwrap();
    let c = &t.db.conn;
    let (_, a) = company(c, "12-345678900").await;
    let (_, p) = company(c, "34-567890100").await;
    let g = async || generation(c, PAYEE_FACTS).await.unwrap();
    let g0 = g().await;

    let version = store::enrollments::NewVersion {
        importer_id: a,
        version_no: 1,
        routing: "021000021",
        bank_name: "BANK",
        account_type: "checking",
        account_last4: "6789",
        account_blind: "blind",
        holder_name: "Company",
        holder_confirmed: true,
        review_shared: false,
        created_by: None,
        created_by_name: "Ann",
        at: store::now(),
    };
    let id = store::enrollments::insert_version(c, &version).await.unwrap();
    let g1 = g().await;
    assert!(g1 > g0, "new bank details");
    store::enrollments::set(c, id, vec![(store::schema::BankEnrollments::Status, "active".into())]).await.unwrap();
    let g2 = g().await;
    assert!(g2 > g1, "bank details becoming Active");

    let d = store::notify_parties::NewNotifyParty {
        importer_id: a,
        party_importer_id: p,
        effective_on: "2026-01-01",
        created_by_name: "Ann",
        at: store::now(),
    };
    store::notify_parties::insert(c, &d).await.unwrap();
    let g3 = g().await;
    assert!(g3 > g2, "a notify party");

    c.execute_unprepared(&format!("UPDATE importers SET name = 'Renamed', email = 'x@a.example' WHERE id = {a}"))
        .await
        .unwrap();
    assert_eq!(g().await, g3, "a name or an email decides no payee");
    c.execute_unprepared(&format!("UPDATE importers SET company_type = 'individual' WHERE id = {a}")).await.unwrap();
    let g4 = g().await;
    assert!(g4 > g3, "the company type (corporate interest)");

    let tx = c.begin().await.unwrap();
    store::enrollments::set(&tx, id, vec![(store::schema::BankEnrollments::Status, "closed".into())]).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(g().await, g4, "a rolled-back transaction leaves it");
}

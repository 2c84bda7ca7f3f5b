//! The ACH tab's generation (migration m0005_change_counters): which writes move it, and that
//! a rolled-back transaction does not. SQLite and, with TEST_DATABASE_URL, PostgreSQL.

use sea_orm::{ConnectionTrait, TransactionTrait};
use store::change_counters::{ACH_TAB, generation};
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

//! A generation number for what certification reads about payees: `change_counters.payee_facts`,
//! moved by triggers on every write that can change a payee decision (an importer's number or
//! company type, its bank details, its notify party). Certification keeps the facts it read
//! from batch to batch while the number stays put, and reads them again when it moves
//! (app::refunds::certify, `FactsCache`).
//!
//! Triggers rather than the application, for m0005's reasons: the writers are many (the ACH
//! tab, the API, prenote replies, key rotation, 5106 edits and imports), and a missed bump would
//! pay a refund by stale bank details. On PostgreSQL they are deferred to commit and bump once
//! per transaction, like m0005's (the counter row is the last lock a writer takes).

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

use super::counter_triggers::Counter;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables whose every insert, update and delete can change a payee decision.
const WATCHED: [&str; 2] = ["bank_enrollments", "notify_designations"];

/// Importers matter when the number or the company type (corporate interest rate) changes; a
/// new importer is in no cache yet.
const PAYEE_FACTS: Counter =
    Counter { name: "payee_facts", watched: &WATCHED, importer_columns: ["number", "company_type"] };

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let conn = m.get_connection();
        conn.execute_unprepared("INSERT INTO change_counters (name, value) VALUES ('payee_facts', 0)").await?;
        let statements = if conn.get_database_backend() == DbBackend::Postgres {
            PAYEE_FACTS.postgres()
        } else {
            PAYEE_FACTS.sqlite()
        };
        for sql in statements {
            conn.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let conn = m.get_connection();
        let postgres = conn.get_database_backend() == DbBackend::Postgres;
        for drop in PAYEE_FACTS.drops(postgres) {
            conn.execute_unprepared(&drop).await?;
        }
        conn.execute_unprepared("DELETE FROM change_counters WHERE name = 'payee_facts'").await?;
        Ok(())
    }
}

//! A generation number for the data behind the ACH Refund Authorization tab, kept by the
//! database itself: triggers on every table the tab reads add one to `change_counters.ach_tab`
//! in the writing transaction. The tab's reader caches per sub-account and re-reads only when
//! the generation moved (app::ach::tab_cache; docs/performance.md).
//!
//! Why triggers and not the application: writers are many (the tab, the API, prenote export and
//! promotion, bank replies, key rotation, 5106 edits and imports, account administration, the
//! FedACH load) and a missed bump would show stale bank details; a trigger cannot be forgotten,
//! and it holds across several server instances on one PostgreSQL.
//!
//! PostgreSQL: the triggers are deferred to commit and bump once per transaction. Deferred, the
//! counter row is the last lock a transaction takes, so two writers cannot deadlock over it
//! (each would otherwise hold its own rows while waiting for the counter); once, so a statement
//! touching many rows adds one row version, not thousands.
//!
//! Since m0007 this counter moves only with `routing_loads` (the FedACH directory, which every
//! tab shows); the other tables move a generation per sub-account instead.
//!
//! Readers must read the generation before the data (or in the same snapshot): data newer than
//! its generation is only re-read once more, data older than its generation would be kept.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

use super::counter_triggers::Counter;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_change_counters"
    }
}

// The table, its row and the triggers are written as SQL: sea-query has no builder for triggers or
// PL/pgSQL functions, and the trigger bodies name these tables and columns in their SQL anyway.

/// Tables whose every insert, update and delete can change what the tab shows.
const WATCHED: [&str; 5] =
    ["account_importers", "enrollment_heads", "bank_enrollments", "notify_designations", "routing_loads"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let conn = m.get_connection();
        conn.execute_unprepared(
            "CREATE TABLE change_counters (name varchar NOT NULL PRIMARY KEY, value bigint NOT NULL)",
        )
        .await?;
        conn.execute_unprepared("INSERT INTO change_counters (name, value) VALUES ('ach_tab', 0)").await?;
        let postgres = conn.get_database_backend() == DbBackend::Postgres;
        let statements = if postgres { postgres_triggers() } else { sqlite_triggers() };
        for sql in statements {
            conn.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let conn = m.get_connection();
        let postgres = conn.get_database_backend() == DbBackend::Postgres;
        for drop in ACH_TAB.drops(postgres) {
            conn.execute_unprepared(&drop).await?;
        }
        conn.execute_unprepared("DROP TABLE IF EXISTS change_counters").await?;
        Ok(())
    }
}

/// Importers matter only when a number or a name changes (a new record is in no sub-account yet,
/// and bulk imports mostly insert).
const ACH_TAB: Counter = Counter { name: "ach_tab", watched: &WATCHED, importer_columns: ["number", "name"] };

pub(super) fn sqlite_triggers() -> Vec<String> {
    ACH_TAB.sqlite()
}

pub(super) fn postgres_triggers() -> Vec<String> {
    ACH_TAB.postgres()
}

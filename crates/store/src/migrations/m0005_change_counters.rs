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
        for t in WATCHED.iter().chain(&["importers"]) {
            for op in ["ins", "upd", "del"] {
                let drop = if postgres {
                    format!("DROP TRIGGER IF EXISTS ach_tab_{op}_{t} ON {t}")
                } else {
                    format!("DROP TRIGGER IF EXISTS ach_tab_{op}_{t}")
                };
                conn.execute_unprepared(&drop).await?;
            }
        }
        if postgres {
            conn.execute_unprepared("DROP FUNCTION IF EXISTS bump_ach_tab_generation()").await?;
        }
        conn.execute_unprepared("DROP TABLE IF EXISTS change_counters").await?;
        Ok(())
    }
}

const BUMP: &str = "UPDATE change_counters SET value = value + 1 WHERE name = 'ach_tab'";

/// Importers matter only when a number or a name changes (a new record is in no sub-account yet,
/// and bulk imports mostly insert).
const IMPORTER_CHANGED: &str = "OLD.number IS DISTINCT FROM NEW.number OR OLD.name IS DISTINCT FROM NEW.name";

pub(super) fn sqlite_triggers() -> Vec<String> {
    let mut out = Vec::new();
    for t in WATCHED {
        for (op, event) in [("ins", "INSERT"), ("upd", "UPDATE"), ("del", "DELETE")] {
            out.push(format!("CREATE TRIGGER ach_tab_{op}_{t} AFTER {event} ON {t} BEGIN {BUMP}; END"));
        }
    }
    // SQLite spells IS DISTINCT FROM as IS NOT.
    let changed = IMPORTER_CHANGED.replace("IS DISTINCT FROM", "IS NOT");
    out.push(format!(
        "CREATE TRIGGER ach_tab_upd_importers AFTER UPDATE OF number, name ON importers WHEN {changed} \
         BEGIN {BUMP}; END"
    ));
    out.push(format!("CREATE TRIGGER ach_tab_del_importers AFTER DELETE ON importers BEGIN {BUMP}; END"));
    out
}

pub(super) fn postgres_triggers() -> Vec<String> {
    // `ace.ach_tab_bumped` is set for the transaction only (third argument true) and rolls back
    // with a savepoint together with the counter update it stands for.
    let mut out = vec![format!(
        "CREATE FUNCTION bump_ach_tab_generation() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN \
           IF coalesce(current_setting('ace.ach_tab_bumped', true), '') <> 'y' THEN \
             {BUMP}; \
             PERFORM set_config('ace.ach_tab_bumped', 'y', true); \
           END IF; \
           RETURN NULL; \
         END $$"
    )];
    let deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW";
    for t in WATCHED {
        for (op, event) in [("ins", "INSERT"), ("upd", "UPDATE"), ("del", "DELETE")] {
            out.push(format!(
                "CREATE CONSTRAINT TRIGGER ach_tab_{op}_{t} AFTER {event} ON {t} {deferred} \
                 EXECUTE FUNCTION bump_ach_tab_generation()"
            ));
        }
    }
    out.push(format!(
        "CREATE CONSTRAINT TRIGGER ach_tab_upd_importers AFTER UPDATE OF number, name ON importers {deferred} \
         WHEN ({IMPORTER_CHANGED}) EXECUTE FUNCTION bump_ach_tab_generation()"
    ));
    out.push(format!(
        "CREATE CONSTRAINT TRIGGER ach_tab_del_importers AFTER DELETE ON importers {deferred} \
         EXECUTE FUNCTION bump_ach_tab_generation()"
    ));
    out
}

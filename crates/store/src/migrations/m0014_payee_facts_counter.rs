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

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables whose every insert, update and delete can change a payee decision.
const WATCHED: [&str; 2] = ["bank_enrollments", "notify_designations"];

const BUMP: &str = "UPDATE change_counters SET value = value + 1 WHERE name = 'payee_facts'";

/// Importers matter when the number or the company type (corporate interest rate) changes; a
/// new importer is in no cache yet.
const IMPORTER_CHANGED: &str =
    "OLD.number IS DISTINCT FROM NEW.number OR OLD.company_type IS DISTINCT FROM NEW.company_type";

fn sqlite() -> Vec<String> {
    let mut out = Vec::new();
    for t in WATCHED {
        for (op, event) in [("ins", "INSERT"), ("upd", "UPDATE"), ("del", "DELETE")] {
            out.push(format!("CREATE TRIGGER payee_facts_{op}_{t} AFTER {event} ON {t} BEGIN {BUMP}; END"));
        }
    }
    let changed = IMPORTER_CHANGED.replace("IS DISTINCT FROM", "IS NOT");
    out.push(format!(
        "CREATE TRIGGER payee_facts_upd_importers AFTER UPDATE OF number, company_type ON importers \
         WHEN {changed} BEGIN {BUMP}; END"
    ));
    out.push(format!("CREATE TRIGGER payee_facts_del_importers AFTER DELETE ON importers BEGIN {BUMP}; END"));
    out
}

fn postgres() -> Vec<String> {
    let mut out = vec![format!(
        "CREATE FUNCTION bump_payee_facts_generation() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN \
           IF coalesce(current_setting('ace.payee_facts_bumped', true), '') <> 'y' THEN \
             {BUMP}; \
             PERFORM set_config('ace.payee_facts_bumped', 'y', true); \
           END IF; \
           RETURN NULL; \
         END $$"
    )];
    let deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW";
    for t in WATCHED {
        for (op, event) in [("ins", "INSERT"), ("upd", "UPDATE"), ("del", "DELETE")] {
            out.push(format!(
                "CREATE CONSTRAINT TRIGGER payee_facts_{op}_{t} AFTER {event} ON {t} {deferred} \
                 EXECUTE FUNCTION bump_payee_facts_generation()"
            ));
        }
    }
    out.push(format!(
        "CREATE CONSTRAINT TRIGGER payee_facts_upd_importers AFTER UPDATE OF number, company_type ON importers \
         {deferred} WHEN ({IMPORTER_CHANGED}) EXECUTE FUNCTION bump_payee_facts_generation()"
    ));
    out.push(format!(
        "CREATE CONSTRAINT TRIGGER payee_facts_del_importers AFTER DELETE ON importers {deferred} \
         EXECUTE FUNCTION bump_payee_facts_generation()"
    ));
    out
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let conn = m.get_connection();
        conn.execute_unprepared("INSERT INTO change_counters (name, value) VALUES ('payee_facts', 0)").await?;
        let statements = if conn.get_database_backend() == DbBackend::Postgres { postgres() } else { sqlite() };
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
                    format!("DROP TRIGGER IF EXISTS payee_facts_{op}_{t} ON {t}")
                } else {
                    format!("DROP TRIGGER IF EXISTS payee_facts_{op}_{t}")
                };
                conn.execute_unprepared(&drop).await?;
            }
        }
        if postgres {
            conn.execute_unprepared("DROP FUNCTION IF EXISTS bump_payee_facts_generation()").await?;
        }
        conn.execute_unprepared("DELETE FROM change_counters WHERE name = 'payee_facts'").await?;
        Ok(())
    }
}

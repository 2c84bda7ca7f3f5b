//! The ACH tab's generation per sub-account (issue 14): a change to one company's bank details,
//! numbers or notify parties re-reads that company's cached tab (and those linked to it by a
//! notify party), not every company's; and on PostgreSQL writers of different companies no longer
//! lock one counter row. `ach_tab_generations` holds one row per sub-account, made on its first
//! change; the tab reads it with the access check, next to m0005's shared counter, which now
//! moves only with the FedACH directory (`routing_loads`), the one input every tab shares.
//!
//! Which sub-accounts a change reaches, for an importer number X that a row names: the
//! sub-account holding X, and the sub-accounts holding a number linked to X by a notify party,
//! either way (a designator shows whether its notify party is paid and its name; a notify party's
//! tab lists who names it). A row of `account_importers` reaches its own sub-account. Reaching a
//! few more than needed costs one re-read; reaching too few would show stale bank details.
//!
//! The triggers replace m0005's on `account_importers`, `enrollment_heads`, `bank_enrollments`,
//! `notify_designations` and `importers` (same names, same events, same WHEN), and as there:
//! - SQLite: row triggers in the writing statement (one writer at a time, so no lock order).
//! - PostgreSQL: constraint triggers deferred to commit, so the counter rows are the last locks a
//!   transaction takes, and each sub-account is moved once per transaction (a transaction-local
//!   list of those already moved, which a rolled-back savepoint takes back with the moves). They
//!   are moved in id order within a row's trigger. Each importer number is looked up once per
//!   transaction too: a save writes several rows of one number, and without this the commit ran
//!   the lookup for each (writes were a fifth slower than with m0005's one counter).
//!
//! SQL text, not sea-query: triggers and PL/pgSQL functions have no builder; the table is built
//! with it.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

use crate::schema::AchTabGenerations;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_ach_tab_per_sub_account"
    }
}

/// What a watched row's columns name: importer numbers (whose sub-accounts and linked
/// sub-accounts are reached) or sub-accounts themselves.
#[derive(Clone, Copy)]
enum Names {
    Importers,
    SubAccounts,
}

/// (table, columns of the row that name what it reaches, what they name). `importers` is
/// handled apart (only number and name changes matter, and deletions).
const WATCHED: [(&str, &[&str], Names); 4] = [
    ("account_importers", &["sub_account_id"], Names::SubAccounts),
    ("enrollment_heads", &["importer_id"], Names::Importers),
    ("bank_enrollments", &["importer_id"], Names::Importers),
    ("notify_designations", &["importer_id", "party_importer_id"], Names::Importers),
];

const OPS: [(&str, &str); 3] = [("ins", "INSERT"), ("upd", "UPDATE"), ("del", "DELETE")];

/// Sub-accounts reached by the importer numbers in `ids` (an SQL list or array expression; see
/// the module's documentation). `any` is `IN ({ids})` on SQLite, `= ANY({ids})` on PostgreSQL.
fn reached(ids_match: &str) -> String {
    format!(
        "SELECT sub_account_id FROM account_importers WHERE importer_id {ids_match} \
         UNION SELECT ai.sub_account_id FROM notify_designations AS d \
           JOIN account_importers AS ai ON ai.importer_id = d.importer_id WHERE d.party_importer_id {ids_match} \
         UNION SELECT ai.sub_account_id FROM notify_designations AS d \
           JOIN account_importers AS ai ON ai.importer_id = d.party_importer_id WHERE d.importer_id {ids_match}"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on SQLite too, as m0006: a start stopped halfway would leave the tab
    /// without triggers on some tables.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // No foreign key to `sub_accounts`: rows are made by the triggers for sub-accounts that
        // hold numbers, and a key would be checked on every bump.
        m.create_table(
            Table::create()
                .table(AchTabGenerations::Table)
                .if_not_exists()
                .col(ColumnDef::new(AchTabGenerations::SubAccountId).big_integer().not_null().primary_key())
                .col(ColumnDef::new(AchTabGenerations::Value).big_integer().not_null())
                .to_owned(),
        )
        .await?;
        let conn = m.get_connection();
        let postgres = conn.get_database_backend() == DbBackend::Postgres;
        for sql in drop_triggers(postgres) {
            conn.execute_unprepared(&sql).await?;
        }
        let statements = if postgres { postgres_triggers() } else { sqlite_triggers() };
        for sql in statements {
            conn.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    /// Back to m0005's one counter for every tab.
    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let conn = m.get_connection();
        let postgres = conn.get_database_backend() == DbBackend::Postgres;
        for sql in drop_triggers(postgres) {
            conn.execute_unprepared(&sql).await?;
        }
        if postgres {
            for f in [
                "ach_tab_bump_sub_account_rows()",
                "ach_tab_bump_importer_rows()",
                "ach_tab_bump_designation_rows()",
                "ach_tab_bump_importers_of_row()",
                "ach_tab_bump_sub_accounts(bigint[])",
            ] {
                conn.execute_unprepared(&format!("DROP FUNCTION IF EXISTS {f}")).await?;
            }
            conn.execute_unprepared("DROP FUNCTION IF EXISTS ach_tab_sub_accounts_of(bigint[])").await?;
        }
        let m0005 = if postgres {
            super::m0005_change_counters::postgres_triggers()
        } else {
            super::m0005_change_counters::sqlite_triggers()
        };
        // m0005's function and its `routing_loads` triggers were never dropped.
        for sql in m0005.iter().filter(|s| !s.contains("CREATE FUNCTION") && !s.contains(" ON routing_loads ")) {
            conn.execute_unprepared(sql).await?;
        }
        m.drop_table(Table::drop().table(AchTabGenerations::Table).if_exists().to_owned()).await
    }
}

/// The tab's triggers on every watched table but `routing_loads` (m0005's or this migration's:
/// the names are the same).
fn drop_triggers(postgres: bool) -> Vec<String> {
    let mut out = Vec::new();
    let tables = WATCHED.iter().map(|(t, ..)| *t).chain(["importers"]);
    for t in tables {
        for (op, _) in OPS {
            out.push(if postgres {
                format!("DROP TRIGGER IF EXISTS ach_tab_{op}_{t} ON {t}")
            } else {
                format!("DROP TRIGGER IF EXISTS ach_tab_{op}_{t}")
            });
        }
    }
    out
}

/// `OLD.c, NEW.c, ...` as the event has them.
fn row_values(event: &str, cols: &[&str]) -> String {
    let sides: &[&str] = match event {
        "INSERT" => &["NEW"],
        "DELETE" => &["OLD"],
        _ => &["OLD", "NEW"],
    };
    sides.iter().flat_map(|s| cols.iter().map(move |c| format!("{s}.{c}"))).collect::<Vec<_>>().join(", ")
}

fn sqlite_bump(select_sub_accounts: &str) -> String {
    // `WHERE true`: SQLite's parser needs it between INSERT ... SELECT and ON CONFLICT.
    format!(
        "INSERT INTO ach_tab_generations (sub_account_id, value) \
         SELECT sub_account_id, 1 FROM ({select_sub_accounts}) WHERE sub_account_id IS NOT NULL AND true \
         ON CONFLICT (sub_account_id) DO UPDATE SET value = value + 1"
    )
}

fn sqlite_triggers() -> Vec<String> {
    let mut out = Vec::new();
    for (t, cols, names) in WATCHED {
        for (op, event) in OPS {
            let values = row_values(event, cols);
            let subs = match names {
                Names::Importers => reached(&format!("IN ({values})")),
                Names::SubAccounts => {
                    // One SELECT per value, so that OLD and NEW become two rows.
                    values
                        .split(", ")
                        .map(|v| format!("SELECT {v} AS sub_account_id"))
                        .collect::<Vec<_>>()
                        .join(" UNION ")
                }
            };
            let bump = sqlite_bump(&subs);
            out.push(format!("CREATE TRIGGER ach_tab_{op}_{t} AFTER {event} ON {t} BEGIN {bump}; END"));
        }
    }
    // As m0005: only a number or name change, and deletions (SQLite spells IS DISTINCT FROM as IS NOT).
    let changed = "OLD.number IS NOT NEW.number OR OLD.name IS NOT NEW.name";
    let bump = sqlite_bump(&reached("IN (NEW.id)"));
    out.push(format!(
        "CREATE TRIGGER ach_tab_upd_importers AFTER UPDATE OF number, name ON importers WHEN {changed} \
         BEGIN {bump}; END"
    ));
    let bump = sqlite_bump(&reached("IN (OLD.id)"));
    out.push(format!("CREATE TRIGGER ach_tab_del_importers AFTER DELETE ON importers BEGIN {bump}; END"));
    out
}

fn postgres_triggers() -> Vec<String> {
    let reached_any = reached("= ANY(ids)");
    let mut out = vec![
        format!(
            "CREATE FUNCTION ach_tab_sub_accounts_of(ids bigint[]) RETURNS SETOF bigint LANGUAGE sql STABLE AS $$ \
             {reached_any} $$"
        ),
        // Moves each sub-account once per transaction, in id order; `ace.ach_tab_sub_accounts`
        // (transaction-local, third argument true) lists those already moved as ",1,5,".
        "CREATE FUNCTION ach_tab_bump_sub_accounts(subs bigint[]) RETURNS void LANGUAGE plpgsql AS $$ \
         DECLARE \
           done text := coalesce(current_setting('ace.ach_tab_sub_accounts', true), ''); \
           todo bigint[]; \
         BEGIN \
           SELECT coalesce(array_agg(DISTINCT s ORDER BY s), '{}') INTO todo FROM unnest(subs) AS s \
             WHERE s IS NOT NULL AND position(',' || s || ',' IN done) = 0; \
           IF cardinality(todo) > 0 THEN \
             INSERT INTO ach_tab_generations (sub_account_id, value) SELECT s, 1 FROM unnest(todo) AS s \
               ON CONFLICT (sub_account_id) DO UPDATE SET value = ach_tab_generations.value + 1; \
             PERFORM set_config('ace.ach_tab_sub_accounts', \
               CASE WHEN done = '' THEN ',' ELSE done END || array_to_string(todo, ',') || ',', true); \
           END IF; \
         END $$"
            .to_string(),
    ];
    // One trigger function per shape of row: the columns naming importers or sub-accounts.
    let function = |name: &str, cols: &[&str], names: Names| {
        let (old, new) = (row_values("DELETE", cols), row_values("INSERT", cols));
        // Importer numbers: each is looked up once per transaction (`ace.ach_tab_importers` lists
        // those done as ",1,5,"). The triggers run at commit, so every row of a number would
        // reach the same sub-accounts; a save writes several rows of one number.
        let subs = match names {
            Names::Importers => {
                "done := coalesce(current_setting('ace.ach_tab_importers', true), ''); \
                 SELECT coalesce(array_agg(DISTINCT i), '{}') INTO ids FROM unnest(ids) AS i \
                   WHERE i IS NOT NULL AND position(',' || i || ',' IN done) = 0; \
                 IF cardinality(ids) = 0 THEN RETURN NULL; END IF; \
                 PERFORM set_config('ace.ach_tab_importers', \
                   CASE WHEN done = '' THEN ',' ELSE done END || array_to_string(ids, ',') || ',', true); \
                 PERFORM ach_tab_bump_sub_accounts(ARRAY(SELECT ach_tab_sub_accounts_of(ids)));"
            }
            Names::SubAccounts => "PERFORM ach_tab_bump_sub_accounts(ids);",
        };
        format!(
            "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ \
             DECLARE ids bigint[] := '{{}}'; done text; \
             BEGIN \
               IF TG_OP <> 'INSERT' THEN ids := ids || ARRAY[{old}]; END IF; \
               IF TG_OP <> 'DELETE' THEN ids := ids || ARRAY[{new}]; END IF; \
               {subs} \
               RETURN NULL; \
             END $$"
        )
    };
    out.push(function("ach_tab_bump_sub_account_rows", &["sub_account_id"], Names::SubAccounts));
    out.push(function("ach_tab_bump_importer_rows", &["importer_id"], Names::Importers));
    out.push(function("ach_tab_bump_designation_rows", &["importer_id", "party_importer_id"], Names::Importers));
    out.push(function("ach_tab_bump_importers_of_row", &["id"], Names::Importers));
    let deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW";
    for (t, cols, names) in WATCHED {
        let f = match (names, cols.len()) {
            (Names::SubAccounts, _) => "ach_tab_bump_sub_account_rows",
            (Names::Importers, 1) => "ach_tab_bump_importer_rows",
            (Names::Importers, _) => "ach_tab_bump_designation_rows",
        };
        for (op, event) in OPS {
            out.push(format!(
                "CREATE CONSTRAINT TRIGGER ach_tab_{op}_{t} AFTER {event} ON {t} {deferred} EXECUTE FUNCTION {f}()"
            ));
        }
    }
    out.push(format!(
        "CREATE CONSTRAINT TRIGGER ach_tab_upd_importers AFTER UPDATE OF number, name ON importers {deferred} \
         WHEN (OLD.number IS DISTINCT FROM NEW.number OR OLD.name IS DISTINCT FROM NEW.name) \
         EXECUTE FUNCTION ach_tab_bump_importers_of_row()"
    ));
    out.push(format!(
        "CREATE CONSTRAINT TRIGGER ach_tab_del_importers AFTER DELETE ON importers {deferred} \
         EXECUTE FUNCTION ach_tab_bump_importers_of_row()"
    ));
    out
}

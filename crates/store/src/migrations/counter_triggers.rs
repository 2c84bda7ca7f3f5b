//! The triggers that move a generation counter in `change_counters` (m0005's `ach_tab`, m0014's
//! `payee_facts`): every insert, update and delete of the watched tables, and an update of the
//! named importer columns (or a delete) of `importers`, add one to the counter. On PostgreSQL
//! they are deferred to commit and bump once per transaction (m0005 explains why).

/// One counter and what moves it.
pub(super) struct Counter {
    /// The counter's row in `change_counters`, also the triggers' and function's name part.
    pub name: &'static str,
    pub watched: &'static [&'static str],
    /// Columns of `importers` whose change moves the counter.
    pub importer_columns: [&'static str; 2],
}

const OPS: [(&str, &str); 3] = [("ins", "INSERT"), ("upd", "UPDATE"), ("del", "DELETE")];

impl Counter {
    fn bump(&self) -> String {
        format!("UPDATE change_counters SET value = value + 1 WHERE name = '{}'", self.name)
    }

    fn importer_changed(&self, distinct: &str) -> String {
        let [a, b] = self.importer_columns;
        format!("OLD.{a} {distinct} NEW.{a} OR OLD.{b} {distinct} NEW.{b}")
    }

    pub(super) fn sqlite(&self) -> Vec<String> {
        let (name, bump) = (self.name, self.bump());
        let mut out = Vec::new();
        for t in self.watched {
            for (op, event) in OPS {
                out.push(format!("CREATE TRIGGER {name}_{op}_{t} AFTER {event} ON {t} BEGIN {bump}; END"));
            }
        }
        let [a, b] = self.importer_columns;
        // SQLite spells IS DISTINCT FROM as IS NOT.
        let changed = self.importer_changed("IS NOT");
        out.push(format!(
            "CREATE TRIGGER {name}_upd_importers AFTER UPDATE OF {a}, {b} ON importers WHEN {changed} \
             BEGIN {bump}; END"
        ));
        out.push(format!("CREATE TRIGGER {name}_del_importers AFTER DELETE ON importers BEGIN {bump}; END"));
        out
    }

    pub(super) fn postgres(&self) -> Vec<String> {
        let (name, bump) = (self.name, self.bump());
        // `ace.<name>_bumped` is set for the transaction only (third argument true) and rolls
        // back with a savepoint together with the counter update it stands for.
        let mut out = vec![format!(
            "CREATE FUNCTION bump_{name}_generation() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN \
               IF coalesce(current_setting('ace.{name}_bumped', true), '') <> 'y' THEN \
                 {bump}; \
                 PERFORM set_config('ace.{name}_bumped', 'y', true); \
               END IF; \
               RETURN NULL; \
             END $$"
        )];
        let deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW";
        for t in self.watched {
            for (op, event) in OPS {
                out.push(format!(
                    "CREATE CONSTRAINT TRIGGER {name}_{op}_{t} AFTER {event} ON {t} {deferred} \
                     EXECUTE FUNCTION bump_{name}_generation()"
                ));
            }
        }
        let [a, b] = self.importer_columns;
        let changed = self.importer_changed("IS DISTINCT FROM");
        out.push(format!(
            "CREATE CONSTRAINT TRIGGER {name}_upd_importers AFTER UPDATE OF {a}, {b} ON importers {deferred} \
             WHEN ({changed}) EXECUTE FUNCTION bump_{name}_generation()"
        ));
        out.push(format!(
            "CREATE CONSTRAINT TRIGGER {name}_del_importers AFTER DELETE ON importers {deferred} \
             EXECUTE FUNCTION bump_{name}_generation()"
        ));
        out
    }

    /// Drops what `sqlite` or `postgres` created (not the counter's row).
    pub(super) fn drops(&self, postgres: bool) -> Vec<String> {
        let name = self.name;
        let mut out = Vec::new();
        for t in self.watched.iter().chain(&["importers"]) {
            for (op, _) in OPS {
                out.push(if postgres {
                    format!("DROP TRIGGER IF EXISTS {name}_{op}_{t} ON {t}")
                } else {
                    format!("DROP TRIGGER IF EXISTS {name}_{op}_{t}")
                });
            }
        }
        if postgres {
            out.push(format!("DROP FUNCTION IF EXISTS bump_{name}_generation()"));
        }
        out
    }
}

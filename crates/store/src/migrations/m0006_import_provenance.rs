//! Records created by a CSV import point at the import's one history entry instead of each
//! having a "created" entry of its own: `importers.created_import_id` (the `audit_log` id of
//! the import's entry) and `importers.created_line` (the CSV line). A record's history shows
//! "created by import of FILE line N" from the two (store::audit::for_importer), as it did when
//! each record had its own row.
//!
//! Why (docs/decisions.md, measured in docs/performance.md): a million-record import wrote a
//! million history rows that said nothing but "created by import of FILE line N"; they were a
//! third of PostgreSQL's work for the import (its `COPY` of `audit_log` took 3.75 s of 11.5 s)
//! and of SQLite's writer. Updates made by an import keep one history row per record, with
//! their old and new values.
//!
//! The two columns are written when the record is created and never again: the database
//! refuses an `UPDATE` that sets them (a trigger on each engine), as it refuses edits of the
//! audit log itself. There is no foreign key to `audit_log`: rows there are never deleted, and
//! PostgreSQL would check the key once per imported row.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

use crate::schema::Importers;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_import_provenance"
    }
}

// The triggers are SQL: sea-query has no builder for triggers or functions.
const REFUSED: &str = "importers.created_import_id and created_line are set once, when the record is created";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on SQLite too (sea-orm-migration wraps only PostgreSQL's by default): a
    /// start that stopped between the two `ADD COLUMN`s would otherwise leave a column that
    /// makes every later attempt fail with "duplicate column name".
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [Importers::CreatedImportId, Importers::CreatedLine] {
            m.alter_table(
                Table::alter().table(Importers::Table).add_column(ColumnDef::new(col).big_integer().null()).to_owned(),
            )
            .await?;
        }
        let conn = m.get_connection();
        if conn.get_database_backend() == DbBackend::Postgres {
            conn.execute_unprepared(&format!(
                "CREATE FUNCTION importers_provenance_fixed() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN RAISE EXCEPTION '{REFUSED}'; END $$"
            ))
            .await?;
            conn.execute_unprepared(
                "CREATE TRIGGER importers_provenance_fixed BEFORE UPDATE OF created_import_id, created_line \
                 ON importers FOR EACH ROW \
                 WHEN (OLD.created_import_id IS DISTINCT FROM NEW.created_import_id \
                       OR OLD.created_line IS DISTINCT FROM NEW.created_line) \
                 EXECUTE FUNCTION importers_provenance_fixed()",
            )
            .await?;
        } else {
            conn.execute_unprepared(&format!(
                "CREATE TRIGGER importers_provenance_fixed BEFORE UPDATE OF created_import_id, created_line \
                 ON importers WHEN OLD.created_import_id IS NOT NEW.created_import_id \
                 OR OLD.created_line IS NOT NEW.created_line \
                 BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let conn = m.get_connection();
        if conn.get_database_backend() == DbBackend::Postgres {
            conn.execute_unprepared("DROP TRIGGER IF EXISTS importers_provenance_fixed ON importers").await?;
            conn.execute_unprepared("DROP FUNCTION IF EXISTS importers_provenance_fixed()").await?;
        } else {
            conn.execute_unprepared("DROP TRIGGER IF EXISTS importers_provenance_fixed").await?;
        }
        for col in [Importers::CreatedLine, Importers::CreatedImportId] {
            m.alter_table(Table::alter().table(Importers::Table).drop_column(col).to_owned()).await?;
        }
        Ok(())
    }
}

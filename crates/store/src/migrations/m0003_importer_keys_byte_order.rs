//! PostgreSQL: the importer columns behind text indexes (number, name_search, email) compare
//! byte by byte (`COLLATE "C"`), as SQLite's BINARY collation does.
//!
//! Why: with a locale collation every index comparison goes through `strcoll`; a 1,000,000-row
//! import spent about 6 s of server time there (docs/performance.md). The values are canonical
//! numbers, lower-cased names and lower-cased emails, so byte order is also the order that makes
//! sense for them, and both engines now sort search results the same way. A side benefit:
//! `number LIKE 'prefix%'` can use the index under "C", which a locale collation prevents.
//! SQLite: nothing to do.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_importer_keys_byte_order"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let conn = m.get_connection();
        if conn.get_database_backend() == DbBackend::Postgres {
            // Same type, new collation: PostgreSQL rebuilds the three indexes, not the table.
            conn.execute_unprepared(
                "ALTER TABLE importers \
                 ALTER COLUMN number TYPE varchar COLLATE \"C\", \
                 ALTER COLUMN name_search TYPE varchar COLLATE \"C\", \
                 ALTER COLUMN email TYPE varchar COLLATE \"C\"",
            )
            .await?;
        }
        Ok(())
    }
}

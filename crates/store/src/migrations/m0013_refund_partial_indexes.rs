//! Certification writes every refund once; on PostgreSQL that update is a new row version that
//! every index of `refunds` takes an entry for (the status and the payee are indexed, so the
//! update is never "HOT"), and on SQLite it moves the refund's entry in each index holding a
//! changed column. Index entries were most of certification's time (docs/performance.md,
//! "Session 16"). Indexes that only a few refunds need now hold only those refunds:
//!
//! - the certification queue (status, id) holds the open statuses only (recorded and held: what
//!   certification and a release read); a decided refund leaves it. The predicate is written as
//!   an `OR` of equalities so that SQLite uses the index for `status = ?` (it matches a term of
//!   an `OR` predicate, not an `IN` list), and carries `version > 0` (always true), which only
//!   certification's queries repeat: without it PostgreSQL used this index for the Refunds tab's
//!   "held" filter too (ordered by id, filtering on the importer: 241,000 entries read for an
//!   importer with none held, p99 2.7 s) instead of (importer_id, status, id);
//! - the payee index holds refunds paid to someone other than their importer (a notify party):
//!   the Refunds tab reads refunds paid to its importer through the importer index and this one
//!   (`store::refunds::list` repeats the predicate so both engines see the index applies);
//! - the notify-party index holds refunds that name a party (`held_for` looks them up).
//!
//! And the importer index becomes (importer_id, status, id) instead of (importer_id, id): the
//! Refunds tab's status filter reads the entries of that status only, instead of every refund
//! of the importer until fifty match (an importer with 100,000 refunds and none held read all
//! 100,000 for each view); unfiltered, the tab reads one short arm per status and merges them
//! (`store::refunds::list`). Same number of indexes for certification to keep up to date.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &[&str] = &[
    "CREATE INDEX IF NOT EXISTS ix_refunds_open ON refunds (status, id) \
     WHERE (status = 'recorded' OR status = 'held_ach_rejected') AND version > 0",
    "DROP INDEX IF EXISTS ix_refunds_status_id",
    "CREATE INDEX IF NOT EXISTS ix_refunds_payee_party ON refunds (payee_importer_id, id) \
     WHERE payee_importer_id <> importer_id",
    "DROP INDEX IF EXISTS ix_refunds_payee_importer_id_id",
    "CREATE INDEX IF NOT EXISTS ix_refunds_named_party ON refunds (notify_party_id) \
     WHERE notify_party_id IS NOT NULL",
    "DROP INDEX IF EXISTS ix_refunds_notify_party_id",
    "CREATE INDEX IF NOT EXISTS ix_refunds_importer_status_id ON refunds (importer_id, status, id)",
    "DROP INDEX IF EXISTS ix_refunds_importer_id_id",
];

const DOWN: &[&str] = &[
    "CREATE INDEX IF NOT EXISTS ix_refunds_importer_id_id ON refunds (importer_id, id)",
    "DROP INDEX IF EXISTS ix_refunds_importer_status_id",
    "CREATE INDEX IF NOT EXISTS ix_refunds_notify_party_id ON refunds (notify_party_id)",
    "DROP INDEX IF EXISTS ix_refunds_named_party",
    "CREATE INDEX IF NOT EXISTS ix_refunds_payee_importer_id_id ON refunds (payee_importer_id, id)",
    "DROP INDEX IF EXISTS ix_refunds_payee_party",
    "CREATE INDEX IF NOT EXISTS ix_refunds_status_id ON refunds (status, id)",
    "DROP INDEX IF EXISTS ix_refunds_open",
];

async fn run(m: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    for s in statements {
        m.get_connection().execute_unprepared(s).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, UP).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, DOWN).await
    }
}

//! Foundation: broker firms, users, API tokens, sessions, Form 5106 importer records and the
//! append-only audit log.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

use crate::importers::{MAILING_COLUMNS, PHYSICAL_COLUMNS};
use crate::schema::{ApiTokens, AuditLog, BrokerFirms, Importers, Sessions, Users};

use super::schema::{fk, id, index, text, text_null, ts, ts_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_foundation"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            id(BrokerFirms::Table, BrokerFirms::Id)
                .col(text(BrokerFirms::Name))
                .col(ColumnDef::new(BrokerFirms::FilerCode).string_len(3).not_null())
                // The firm's own 5106 record (canonical importer number), if it has one.
                .col(text_null(BrokerFirms::ImporterNumber))
                .col(ts(BrokerFirms::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(BrokerFirms::Table, &[BrokerFirms::FilerCode], true)).await?;

        m.create_table(
            id(Users::Table, Users::Id)
                .col(text(Users::Email))
                .col(text(Users::Name))
                .col(text(Users::Role))
                .col(text(Users::PasswordHash))
                .col(ColumnDef::new(Users::FirmId).big_integer().null())
                .col(ColumnDef::new(Users::Active).boolean().not_null().default(true))
                .col(ts(Users::CreatedAt))
                .col(ts_null(Users::LastLoginAt))
                .foreign_key(&mut fk(Users::Table, Users::FirmId, BrokerFirms::Table, BrokerFirms::Id))
                .to_owned(),
        )
        .await?;
        m.create_index(index(Users::Table, &[Users::Email], true)).await?;

        m.create_table(
            id(ApiTokens::Table, ApiTokens::Id)
                .col(ColumnDef::new(ApiTokens::UserId).big_integer().not_null())
                .col(text(ApiTokens::Name))
                // SHA-256 of the token: a leaked database does not leak usable tokens.
                .col(text(ApiTokens::TokenHash))
                .col(ts(ApiTokens::CreatedAt))
                .col(ts_null(ApiTokens::LastUsedAt))
                .col(ts_null(ApiTokens::RevokedAt))
                .foreign_key(&mut fk(ApiTokens::Table, ApiTokens::UserId, Users::Table, Users::Id))
                .to_owned(),
        )
        .await?;
        m.create_index(index(ApiTokens::Table, &[ApiTokens::TokenHash], true)).await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .if_not_exists()
                // SHA-256 of the cookie value; the cookie itself is never stored.
                .col(ColumnDef::new(Sessions::IdHash).string().not_null().primary_key())
                .col(ColumnDef::new(Sessions::UserId).big_integer().not_null())
                .col(ts(Sessions::CreatedAt))
                .col(ts(Sessions::LastSeenAt))
                .col(ts(Sessions::ExpiresAt))
                .foreign_key(&mut fk(Sessions::Table, Sessions::UserId, Users::Table, Users::Id))
                .to_owned(),
        )
        .await?;
        m.create_index(index(Sessions::Table, &[Sessions::UserId], false)).await?;

        let mut importers = id(Importers::Table, Importers::Id);
        importers
            .col(text(Importers::Number))
            .col(text(Importers::NumberKind))
            .col(text(Importers::Name))
            // Lower-cased name for case-insensitive search on both engines.
            .col(text(Importers::NameSearch))
            .col(text(Importers::Dba))
            .col(text(Importers::CompanyType))
            .col(text(Importers::NumberUses))
            .col(text(Importers::CbpReasons));
        for c in MAILING_COLUMNS.into_iter().chain(PHYSICAL_COLUMNS) {
            importers.col(text(c));
        }
        importers
            .col(text(Importers::Phone))
            .col(text(Importers::Email))
            .col(text(Importers::Status))
            .col(ColumnDef::new(Importers::FilerFirmId).big_integer().null())
            .col(text(Importers::CreatedBy))
            .col(ts(Importers::CreatedAt))
            .col(text(Importers::UpdatedBy))
            .col(ts(Importers::UpdatedAt))
            .col(ColumnDef::new(Importers::Version).big_integer().not_null().default(1))
            .foreign_key(&mut fk(Importers::Table, Importers::FilerFirmId, BrokerFirms::Table, BrokerFirms::Id));
        m.create_table(importers).await?;
        m.create_index(index(Importers::Table, &[Importers::Number], true)).await?;
        m.create_index(index(Importers::Table, &[Importers::NameSearch], false)).await?;
        m.create_index(index(Importers::Table, &[Importers::Email], false)).await?;

        m.create_table(
            id(AuditLog::Table, AuditLog::Id)
                .col(ts(AuditLog::At))
                .col(ColumnDef::new(AuditLog::ActorUserId).big_integer().null())
                .col(text(AuditLog::ActorLabel))
                .col(text(AuditLog::Action))
                .col(text(AuditLog::EntityType))
                .col(ColumnDef::new(AuditLog::EntityId).big_integer().null())
                // Masked key shown in lists (e.g. ***-**-1234 for an SSN importer).
                .col(text(AuditLog::EntityKey))
                // JSON: [{"field":..,"old":..,"new":..}] with personal values masked.
                .col(text(AuditLog::Changes))
                .to_owned(),
        )
        .await?;
        m.create_index(index(AuditLog::Table, &[AuditLog::EntityType, AuditLog::EntityId], false)).await?;

        // The audit log is append-only: the database itself refuses edits and deletions.
        let conn = m.get_connection();
        match conn.get_database_backend() {
            DbBackend::Postgres => {
                conn.execute_unprepared(
                    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ \
                     BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql",
                )
                .await?;
                conn.execute_unprepared(
                    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log \
                     FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
                )
                .await?;
            }
            _ => {
                for op in ["UPDATE", "DELETE"] {
                    conn.execute_unprepared(&format!(
                        "CREATE TRIGGER IF NOT EXISTS audit_log_no_{op} BEFORE {op} ON audit_log \
                         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }
}

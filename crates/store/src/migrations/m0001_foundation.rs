//! Foundation: broker firms, users, API tokens, sessions, Form 5106 importer records and the
//! append-only audit log.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

use super::schema::{a, fk, id, index, text, text_null, ts, ts_null};

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
            id("broker_firms")
                .col(text("name"))
                .col(ColumnDef::new(a("filer_code")).string_len(3).not_null())
                // The firm's own 5106 record (canonical importer number), if it has one.
                .col(text_null("importer_number"))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("broker_firms", &["filer_code"], true)).await?;

        m.create_table(
            id("users")
                .col(text("email"))
                .col(text("name"))
                .col(text("role"))
                .col(text("password_hash"))
                .col(ColumnDef::new(a("firm_id")).big_integer().null())
                .col(ColumnDef::new(a("active")).boolean().not_null().default(true))
                .col(ts("created_at"))
                .col(ts_null("last_login_at"))
                .foreign_key(&mut fk("users", "firm_id", "broker_firms"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("users", &["email"], true)).await?;

        m.create_table(
            id("api_tokens")
                .col(ColumnDef::new(a("user_id")).big_integer().not_null())
                .col(text("name"))
                // SHA-256 of the token: a leaked database does not leak usable tokens.
                .col(text("token_hash"))
                .col(ts("created_at"))
                .col(ts_null("last_used_at"))
                .col(ts_null("revoked_at"))
                .foreign_key(&mut fk("api_tokens", "user_id", "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("api_tokens", &["token_hash"], true)).await?;

        m.create_table(
            Table::create()
                .table(a("sessions"))
                .if_not_exists()
                // SHA-256 of the cookie value; the cookie itself is never stored.
                .col(ColumnDef::new(a("id_hash")).string().not_null().primary_key())
                .col(ColumnDef::new(a("user_id")).big_integer().not_null())
                .col(ts("created_at"))
                .col(ts("last_seen_at"))
                .col(ts("expires_at"))
                .foreign_key(&mut fk("sessions", "user_id", "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("sessions", &["user_id"], false)).await?;

        let mut importers = id("importers");
        importers
            .col(text("number"))
            .col(text("number_kind"))
            .col(text("name"))
            // Lower-cased name for case-insensitive search on both engines.
            .col(text("name_search"))
            .col(text("dba"))
            .col(text("company_type"))
            .col(text("number_uses"))
            .col(text("cbp_reasons"));
        for prefix in ["mailing", "physical"] {
            for f in ["line1", "line2", "city", "state", "postal_code", "country"] {
                importers.col(text(&format!("{prefix}_{f}")));
            }
        }
        importers
            .col(text("phone"))
            .col(text("email"))
            .col(text("status"))
            .col(ColumnDef::new(a("filer_firm_id")).big_integer().null())
            .col(text("created_by"))
            .col(ts("created_at"))
            .col(text("updated_by"))
            .col(ts("updated_at"))
            .col(ColumnDef::new(a("version")).big_integer().not_null().default(1))
            .foreign_key(&mut fk("importers", "filer_firm_id", "broker_firms"));
        m.create_table(importers).await?;
        m.create_index(index("importers", &["number"], true)).await?;
        m.create_index(index("importers", &["name_search"], false)).await?;
        m.create_index(index("importers", &["email"], false)).await?;

        m.create_table(
            id("audit_log")
                .col(ts("at"))
                .col(ColumnDef::new(a("actor_user_id")).big_integer().null())
                .col(text("actor_label"))
                .col(text("action"))
                .col(text("entity_type"))
                .col(ColumnDef::new(a("entity_id")).big_integer().null())
                // Masked key shown in lists (e.g. ***-**-1234 for an SSN importer).
                .col(text("entity_key"))
                // JSON: [{"field":..,"old":..,"new":..}] with personal values masked.
                .col(text("changes"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("audit_log", &["entity_type", "entity_id"], false)).await?;

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

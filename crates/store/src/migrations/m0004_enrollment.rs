//! ACH refund enrollment: the FedACH routing directory, bank details per importer number (every
//! version kept), the optimistic-lock head per importer number, status events, prenotes and the
//! ACH files they went out in, bank replies (returns and notifications of change), and Form 4811
//! notify-party designations.

use sea_orm_migration::prelude::*;

use super::schema::{a, fk, id, index, text, text_null, ts, ts_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_enrollment"
    }
}

fn big(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).big_integer().not_null().to_owned()
}

fn big_null(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).big_integer().null().to_owned()
}

fn int(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).integer().not_null().default(0).to_owned()
}

fn flag(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).boolean().not_null().default(false).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The loaded FedACH participant directory; a load replaces it whole.
        m.create_table(
            id("routing_banks")
                .col(text("routing"))
                .col(text("name"))
                .col(text("city"))
                .col(text("state"))
                // O main office, B branch.
                .col(text("office"))
                .col(int("record_type"))
                .col(text("new_routing"))
                .col(flag("receives_ach"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("routing_banks", &["routing"], true)).await?;
        m.create_table(
            id("routing_loads")
                .col(ts("loaded_at"))
                .col(text("source"))
                .col(big("participants"))
                .col(big("bad_lines"))
                .col(text("sha256"))
                .col(text("loaded_by"))
                .to_owned(),
        )
        .await?;

        // One row per version of an importer number's bank details. The account number is sealed
        // (app::vault, associated data `bank_enrollments.account:<id>`); `account_blind` is an
        // HMAC of routing and account for duplicate detection without decrypting.
        m.create_table(
            id("bank_enrollments")
                .col(big("importer_id"))
                .col(int("version_no"))
                // pending, active, rejected, superseded, withdrawn, removed (domain::EnrollmentStatus)
                .col(text("status"))
                .col(text("routing"))
                .col(text("bank_name"))
                .col(text("account_type"))
                .col(text("account_sealed"))
                .col(text("account_last4"))
                .col(text("account_blind"))
                .col(text("holder_name"))
                // The holder name did not resemble the 5106 name and the user confirmed it anyway.
                .col(flag("holder_confirmed"))
                // The same account is enrolled for an unrelated importer: shown to CBP for review.
                .col(flag("review_shared"))
                .col(big_null("review_cleared_by"))
                .col(big_null("created_by"))
                .col(text("created_by_name"))
                .col(ts("created_at"))
                .col(ts("status_at"))
                .col(ts_null("active_since"))
                // The last bank correction or return applied, for people ("C01 account number corrected").
                .col(text("bank_note"))
                .foreign_key(&mut fk("bank_enrollments", "importer_id", "importers"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("bank_enrollments", &["importer_id", "version_no"], true)).await?;
        m.create_index(index("bank_enrollments", &["account_blind"], false)).await?;
        m.create_index(index("bank_enrollments", &["status"], false)).await?;

        // The optimistic lock: a save names the revision its form showed; the conditional
        // UPDATE of this row (or its INSERT, for a first enrollment) is the only way in.
        m.create_table(
            Table::create()
                .table(a("enrollment_heads"))
                .if_not_exists()
                .col(ColumnDef::new(a("importer_id")).big_integer().not_null().primary_key())
                .col(int("revision"))
                .col(text("changed_by_name"))
                .col(ts("changed_at"))
                .foreign_key(&mut fk("enrollment_heads", "importer_id", "importers"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            id("enrollment_events")
                .col(big("enrollment_id"))
                .col(big("importer_id"))
                .col(ts("at"))
                .col(text("from_status"))
                .col(text("to_status"))
                // A person's name, or "bank" / "system".
                .col(text("actor"))
                .col(text("reason"))
                .foreign_key(&mut fk("enrollment_events", "enrollment_id", "bank_enrollments"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("enrollment_events", &["importer_id", "at"], false)).await?;

        m.create_table(
            id("ach_files")
                // prenote now; refunds with the disbursement issue.
                .col(text("kind"))
                .col(ts("created_at"))
                .col(text("created_by"))
                .col(text("file_name"))
                .col(big("entries"))
                .col(text("sha256"))
                .to_owned(),
        )
        .await?;

        // A prenote per enrollment version; `trace_number` is unique across every file we send,
        // so a reply names exactly one.
        m.create_table(
            id("prenotes")
                .col(big("enrollment_id"))
                // queued, sent, returned, corrected, verified
                .col(text("status"))
                .col(big_null("trace_number"))
                .col(big_null("ach_file_id"))
                .col(ts("queued_at"))
                .col(ts_null("sent_at"))
                // The effective entry date of the file it went out in.
                .col(text_null("sent_on"))
                .foreign_key(&mut fk("prenotes", "enrollment_id", "bank_enrollments"))
                .foreign_key(&mut fk("prenotes", "ach_file_id", "ach_files"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("prenotes", &["enrollment_id"], true)).await?;
        m.create_index(index("prenotes", &["trace_number"], true)).await?;
        m.create_index(index("prenotes", &["status"], false)).await?;

        // Every reply item ever ingested; the unique key makes ingesting a file twice a no-op.
        m.create_table(
            id("ach_replies")
                .col(text("file_sha256"))
                .col(big("trace_number"))
                .col(text("code"))
                .col(ts("received_at"))
                .col(big_null("prenote_id"))
                // applied, unknown-trace, already-resolved, problem
                .col(text("outcome"))
                .col(text("detail"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ach_replies", &["file_sha256", "trace_number", "code"], true)).await?;

        // Form 4811: importer `importer_id` names `party_importer_id` to receive its refunds.
        m.create_table(
            id("notify_designations")
                .col(big("importer_id"))
                .col(big("party_importer_id"))
                .col(text("effective_on"))
                .col(text_null("revoked_on"))
                .col(text("created_by_name"))
                .col(ts("created_at"))
                .col(text("revoked_by_name"))
                .col(ts_null("revoked_at"))
                .foreign_key(&mut fk("notify_designations", "importer_id", "importers"))
                .foreign_key(&mut fk("notify_designations", "party_importer_id", "importers"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("notify_designations", &["importer_id"], false)).await?;
        m.create_index(index("notify_designations", &["party_importer_id"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "notify_designations",
            "ach_replies",
            "prenotes",
            "ach_files",
            "enrollment_events",
            "enrollment_heads",
            "bank_enrollments",
            "routing_loads",
            "routing_banks",
        ] {
            m.drop_table(Table::drop().table(a(t)).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}

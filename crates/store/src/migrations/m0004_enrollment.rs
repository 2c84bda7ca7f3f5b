//! ACH refund enrollment: the FedACH routing directory, bank details per importer number (every
//! version kept), the optimistic-lock head per importer number, status events, prenotes and the
//! ACH files they went out in, bank replies (returns and notifications of change), and Form 4811
//! notify-party designations.

use sea_orm_migration::prelude::*;

use crate::schema::{
    AchFiles, AchReplies, BankEnrollments, EnrollmentEvents, EnrollmentHeads, Importers, NotifyParties, Prenotes,
    RoutingBanks, RoutingLoads,
};

use super::schema::{big, big_null, fk, flag, id, index, int0, text, text_null, ts, ts_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_enrollment"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The loaded FedACH participant directory; a load replaces it whole.
        m.create_table(
            id(RoutingBanks::Table, RoutingBanks::Id)
                .col(text(RoutingBanks::Routing))
                .col(text(RoutingBanks::Name))
                .col(text(RoutingBanks::City))
                .col(text(RoutingBanks::State))
                // O main office, B branch.
                .col(text(RoutingBanks::Office))
                .col(int0(RoutingBanks::RecordType))
                .col(text(RoutingBanks::NewRouting))
                .col(flag(RoutingBanks::ReceivesAch))
                .to_owned(),
        )
        .await?;
        m.create_index(index(RoutingBanks::Table, &[RoutingBanks::Routing], true)).await?;
        m.create_table(
            id(RoutingLoads::Table, RoutingLoads::Id)
                .col(ts(RoutingLoads::LoadedAt))
                .col(text(RoutingLoads::Source))
                .col(big(RoutingLoads::Participants))
                .col(big(RoutingLoads::BadLines))
                .col(text(RoutingLoads::Sha256))
                .col(text(RoutingLoads::LoadedBy))
                .to_owned(),
        )
        .await?;

        // One row per version of an importer number's bank details. The account number is sealed
        // (app::vault, associated data `bank_enrollments.account:<id>`); `account_blind` is an
        // HMAC of routing and account for duplicate detection without decrypting.
        m.create_table(
            id(BankEnrollments::Table, BankEnrollments::Id)
                .col(big(BankEnrollments::ImporterId))
                .col(int0(BankEnrollments::VersionNo))
                // pending, active, rejected, superseded, withdrawn, removed (domain::EnrollmentStatus)
                .col(text(BankEnrollments::Status))
                .col(text(BankEnrollments::Routing))
                .col(text(BankEnrollments::BankName))
                .col(text(BankEnrollments::AccountType))
                .col(text(BankEnrollments::AccountSealed))
                .col(text(BankEnrollments::AccountLast4))
                .col(text(BankEnrollments::AccountBlind))
                .col(text(BankEnrollments::HolderName))
                // The holder name did not resemble the 5106 name and the user confirmed it anyway.
                .col(flag(BankEnrollments::HolderConfirmed))
                // The same account is enrolled for an unrelated importer: shown to CBP for review.
                .col(flag(BankEnrollments::ReviewShared))
                .col(big_null(BankEnrollments::ReviewClearedBy))
                .col(big_null(BankEnrollments::CreatedBy))
                .col(text(BankEnrollments::CreatedByName))
                .col(ts(BankEnrollments::CreatedAt))
                .col(ts(BankEnrollments::StatusAt))
                .col(ts_null(BankEnrollments::ActiveSince))
                // The last bank correction or return applied, for people ("C01 account number corrected").
                .col(text(BankEnrollments::BankNote))
                .foreign_key(&mut fk(
                    BankEnrollments::Table,
                    BankEnrollments::ImporterId,
                    Importers::Table,
                    Importers::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(BankEnrollments::Table, &[BankEnrollments::ImporterId, BankEnrollments::VersionNo], true))
            .await?;
        m.create_index(index(BankEnrollments::Table, &[BankEnrollments::AccountBlind], false)).await?;
        m.create_index(index(BankEnrollments::Table, &[BankEnrollments::Status], false)).await?;

        // The optimistic lock: a save names the revision its form showed; the conditional
        // UPDATE of this row (or its INSERT, for a first enrollment) is the only way in.
        m.create_table(
            Table::create()
                .table(EnrollmentHeads::Table)
                .if_not_exists()
                .col(ColumnDef::new(EnrollmentHeads::ImporterId).big_integer().not_null().primary_key())
                .col(int0(EnrollmentHeads::Revision))
                .col(text(EnrollmentHeads::ChangedByName))
                .col(ts(EnrollmentHeads::ChangedAt))
                .foreign_key(&mut fk(
                    EnrollmentHeads::Table,
                    EnrollmentHeads::ImporterId,
                    Importers::Table,
                    Importers::Id,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            id(EnrollmentEvents::Table, EnrollmentEvents::Id)
                .col(big(EnrollmentEvents::EnrollmentId))
                .col(big(EnrollmentEvents::ImporterId))
                .col(ts(EnrollmentEvents::At))
                .col(text(EnrollmentEvents::FromStatus))
                .col(text(EnrollmentEvents::ToStatus))
                // A person's name, or "bank" / "system".
                .col(text(EnrollmentEvents::Actor))
                .col(text(EnrollmentEvents::Reason))
                .foreign_key(&mut fk(
                    EnrollmentEvents::Table,
                    EnrollmentEvents::EnrollmentId,
                    BankEnrollments::Table,
                    BankEnrollments::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(EnrollmentEvents::Table, &[EnrollmentEvents::ImporterId, EnrollmentEvents::At], false))
            .await?;

        m.create_table(
            id(AchFiles::Table, AchFiles::Id)
                // prenote now; refunds with the disbursement issue.
                .col(text(AchFiles::Kind))
                .col(ts(AchFiles::CreatedAt))
                .col(text(AchFiles::CreatedBy))
                .col(text(AchFiles::FileName))
                .col(big(AchFiles::Entries))
                .col(text(AchFiles::Sha256))
                .to_owned(),
        )
        .await?;

        // A prenote per enrollment version; `trace_number` is unique across every file we send,
        // so a reply names exactly one.
        m.create_table(
            id(Prenotes::Table, Prenotes::Id)
                .col(big(Prenotes::EnrollmentId))
                // queued, sent, returned, corrected, verified
                .col(text(Prenotes::Status))
                .col(big_null(Prenotes::TraceNumber))
                .col(big_null(Prenotes::AchFileId))
                .col(ts(Prenotes::QueuedAt))
                .col(ts_null(Prenotes::SentAt))
                // The effective entry date of the file it went out in.
                .col(text_null(Prenotes::SentOn))
                .foreign_key(&mut fk(
                    Prenotes::Table,
                    Prenotes::EnrollmentId,
                    BankEnrollments::Table,
                    BankEnrollments::Id,
                ))
                .foreign_key(&mut fk(Prenotes::Table, Prenotes::AchFileId, AchFiles::Table, AchFiles::Id))
                .to_owned(),
        )
        .await?;
        m.create_index(index(Prenotes::Table, &[Prenotes::EnrollmentId], true)).await?;
        m.create_index(index(Prenotes::Table, &[Prenotes::TraceNumber], true)).await?;
        m.create_index(index(Prenotes::Table, &[Prenotes::Status], false)).await?;

        // Every reply item ever ingested; the unique key makes ingesting a file twice a no-op.
        m.create_table(
            id(AchReplies::Table, AchReplies::Id)
                .col(text(AchReplies::FileSha256))
                .col(big(AchReplies::TraceNumber))
                .col(text(AchReplies::Code))
                .col(ts(AchReplies::ReceivedAt))
                .col(big_null(AchReplies::PrenoteId))
                // applied, unknown-trace, already-resolved, problem
                .col(text(AchReplies::Outcome))
                .col(text(AchReplies::Detail))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            AchReplies::Table,
            &[AchReplies::FileSha256, AchReplies::TraceNumber, AchReplies::Code],
            true,
        ))
        .await?;

        // Form 4811: importer `importer_id` names `party_importer_id` to receive its refunds.
        m.create_table(
            id(NotifyParties::Table, NotifyParties::Id)
                .col(big(NotifyParties::ImporterId))
                .col(big(NotifyParties::PartyImporterId))
                .col(text(NotifyParties::EffectiveOn))
                .col(text_null(NotifyParties::RevokedOn))
                .col(text(NotifyParties::CreatedByName))
                .col(ts(NotifyParties::CreatedAt))
                .col(text(NotifyParties::RevokedByName))
                .col(ts_null(NotifyParties::RevokedAt))
                .foreign_key(&mut fk(NotifyParties::Table, NotifyParties::ImporterId, Importers::Table, Importers::Id))
                .foreign_key(&mut fk(
                    NotifyParties::Table,
                    NotifyParties::PartyImporterId,
                    Importers::Table,
                    Importers::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(NotifyParties::Table, &[NotifyParties::ImporterId], false)).await?;
        m.create_index(index(NotifyParties::Table, &[NotifyParties::PartyImporterId], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let tables: [DynIden; 9] = [
            NotifyParties::Table.into_iden(),
            AchReplies::Table.into_iden(),
            Prenotes::Table.into_iden(),
            AchFiles::Table.into_iden(),
            EnrollmentEvents::Table.into_iden(),
            EnrollmentHeads::Table.into_iden(),
            BankEnrollments::Table.into_iden(),
            RoutingLoads::Table.into_iden(),
            RoutingBanks::Table.into_iden(),
        ];
        for t in tables {
            m.drop_table(Table::drop().table(t).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}

//! Refund notices as rows (issue 16). Certification used to collect its notices in memory and
//! mail them after its last batch: a run killed after committing a batch lost that batch's
//! notices for good, while the refunds stayed held. Each batch now writes its notices in its own
//! transaction and every run (and the housekeeping tick) sends what is still unsent.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

use crate::schema::refunds::{RefundNotices, Refunds};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Importers {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let big = |c: RefundNotices| ColumnDef::new(c).big_integer().not_null().to_owned();
        let ts_null = |c: RefundNotices| ColumnDef::new(c).timestamp_with_time_zone().null().to_owned();
        m.create_table(
            Table::create()
                .table(RefundNotices::Table)
                .if_not_exists()
                .col(ColumnDef::new(RefundNotices::Id).big_integer().not_null().auto_increment().primary_key())
                .col(big(RefundNotices::ImporterId))
                .col(ColumnDef::new(RefundNotices::Kind).string().not_null())
                .col(big(RefundNotices::RefundId))
                .col(big(RefundNotices::Cents))
                .col(ColumnDef::new(RefundNotices::Line).string().not_null())
                .col(ColumnDef::new(RefundNotices::Reason).string().not_null().default(""))
                .col(ColumnDef::new(RefundNotices::CreatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(RefundNotices::Claim).string().null())
                .col(ts_null(RefundNotices::ClaimedAt))
                .col(ts_null(RefundNotices::SentAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_refund_notices_importer_id")
                        .from(RefundNotices::Table, RefundNotices::ImporterId)
                        .to(Importers::Table, Importers::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_refund_notices_refund_id")
                        .from(RefundNotices::Table, RefundNotices::RefundId)
                        .to(Refunds::Table, Refunds::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        // Only unsent notices are ever searched: a partial index stays as small as the backlog
        // (both engines have partial indexes; sea-query cannot say WHERE here).
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX IF NOT EXISTS ix_refund_notices_unsent ON refund_notices (importer_id, kind, id) \
                 WHERE sent_at IS NULL",
            )
            .await?;
        m.create_index(
            Index::create()
                .name("ix_refund_notices_refund_id")
                .table(RefundNotices::Table)
                .col(RefundNotices::RefundId)
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RefundNotices::Table).if_exists().to_owned()).await
    }
}

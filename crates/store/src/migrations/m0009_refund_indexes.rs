//! Certification reads the refunds of a status in id order, a batch at a time (keyset: `status =
//! ? AND id > ? ORDER BY id LIMIT n`). m0008's index on (status, liquidation_date) answered that
//! by reading every refund of the status and sorting them for each batch, so a run grew with the
//! square of the refunds it decided (100,000 took 25 s; docs/performance.md). An index on
//! (status, id) hands each batch over in order from where the last one ended. Refunds due later
//! than the run's date are rare (imports refuse future liquidation dates) and are skipped as
//! they come.
//!
//! (The payee index meant to come with it, for the Refunds tab, was left out by a merge: m0012.)

use sea_orm_migration::prelude::*;

use crate::schema::refunds::Refunds;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("ix_refunds_status_id")
                .table(Refunds::Table)
                .col(Refunds::Status)
                .col(Refunds::Id)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop().name("ix_refunds_status_liquidation_date").table(Refunds::Table).if_exists().to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("ix_refunds_status_liquidation_date")
                .table(Refunds::Table)
                .col(Refunds::Status)
                .col(Refunds::LiquidationDate)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.drop_index(Index::drop().name("ix_refunds_status_id").table(Refunds::Table).if_exists().to_owned()).await
    }
}

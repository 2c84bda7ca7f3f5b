//! The refund ledger (issue 16): refunds, their append-only status events, loaded interest
//! rates, CBP bills and the offsets applied to them, and the daily-job claims.
//!
//! m0007 is left to the change-counter rework of issue 14 (developed in parallel); the two touch
//! different tables, so either order works.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

use crate::schema::refunds::{BillApplications, Bills, InterestRates, JobRuns, RefundEvents, Refunds};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn big<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).big_integer().not_null().to_owned()
}
fn big_null<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).big_integer().null().to_owned()
}
fn text<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).string().not_null().default("").to_owned()
}
fn text_null<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).string().null().to_owned()
}
fn ts<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).timestamp_with_time_zone().not_null().to_owned()
}
fn id<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).big_integer().not_null().auto_increment().primary_key().to_owned()
}
fn fk<T: IntoIden + Clone + 'static, C: IntoIden, U: IntoIden, I: IntoIden>(
    name: &str,
    from: T,
    col: C,
    to: U,
    to_id: I,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(from, col).to(to, to_id).on_delete(ForeignKeyAction::Restrict).to_owned()
}

#[derive(DeriveIden)]
enum Importers {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Refunds::Table)
                .if_not_exists()
                .col(id(Refunds::Id))
                .col(text(Refunds::RefundNumber))
                .col(big(Refunds::ImporterId))
                .col(text(Refunds::EntryNumber))
                .col(text(Refunds::FilerCode))
                .col(text(Refunds::Source))
                .col(big(Refunds::PrincipalCents))
                .col(text(Refunds::DepositDate))
                .col(text(Refunds::LiquidationDate))
                .col(big_null(Refunds::NotifyPartyId))
                .col(big_null(Refunds::InterestCents))
                .col(ColumnDef::new(Refunds::OffsetCents).big_integer().not_null().default(0))
                .col(big_null(Refunds::NetCents))
                .col(text(Refunds::Status))
                .col(text(Refunds::SecondaryStatus))
                .col(text(Refunds::HeldReason))
                .col(big_null(Refunds::PayeeImporterId))
                .col(text(Refunds::PayeeKind))
                .col(text_null(Refunds::RefundDate))
                .col(ts(Refunds::StatusAt))
                .col(ts(Refunds::CreatedAt))
                .col(text(Refunds::CreatedBy))
                .col(text(Refunds::CreatedSource))
                .col(ColumnDef::new(Refunds::Version).big_integer().not_null().default(1))
                .foreign_key(&mut fk(
                    "fk_refunds_importer_id",
                    Refunds::Table,
                    Refunds::ImporterId,
                    Importers::Table,
                    Importers::Id,
                ))
                .foreign_key(&mut fk(
                    "fk_refunds_notify_party_id",
                    Refunds::Table,
                    Refunds::NotifyPartyId,
                    Importers::Table,
                    Importers::Id,
                ))
                .foreign_key(&mut fk(
                    "fk_refunds_payee_importer_id",
                    Refunds::Table,
                    Refunds::PayeeImporterId,
                    Importers::Table,
                    Importers::Id,
                ))
                .to_owned(),
        )
        .await?;
        let ix = |name: &str, cols: &[Refunds], unique: bool| {
            let mut i = Index::create();
            i.name(name).table(Refunds::Table).if_not_exists();
            for c in cols {
                i.col(*c);
            }
            if unique {
                i.unique();
            }
            i.to_owned()
        };
        m.create_index(ix("ix_refunds_refund_number", &[Refunds::RefundNumber], true)).await?;
        // The importer's Refunds tab, newest first, and the report's default sort.
        m.create_index(ix("ix_refunds_importer_id_id", &[Refunds::ImporterId, Refunds::Id], false)).await?;
        m.create_index(ix("ix_refunds_payee_importer_id", &[Refunds::PayeeImporterId], false)).await?;
        m.create_index(ix("ix_refunds_notify_party_id", &[Refunds::NotifyPartyId], false)).await?;
        m.create_index(ix("ix_refunds_filer_code_id", &[Refunds::FilerCode, Refunds::Id], false)).await?;
        // Certification: recorded refunds due by a date, held refunds by payee.
        m.create_index(ix("ix_refunds_status_liquidation_date", &[Refunds::Status, Refunds::LiquidationDate], false))
            .await?;

        m.create_table(
            Table::create()
                .table(RefundEvents::Table)
                .if_not_exists()
                .col(id(RefundEvents::Id))
                .col(big(RefundEvents::RefundId))
                .col(ts(RefundEvents::At))
                .col(text(RefundEvents::ActorLabel))
                .col(text(RefundEvents::FromStatus))
                .col(text(RefundEvents::ToStatus))
                .col(text(RefundEvents::Reason))
                .foreign_key(&mut fk(
                    "fk_refund_events_refund_id",
                    RefundEvents::Table,
                    RefundEvents::RefundId,
                    Refunds::Table,
                    Refunds::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_refund_events_refund_id")
                .table(RefundEvents::Table)
                .col(RefundEvents::RefundId)
                .if_not_exists()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(InterestRates::Table)
                .if_not_exists()
                .col(ColumnDef::new(InterestRates::EffectiveFrom).string().not_null().primary_key())
                .col(big(InterestRates::OverpaymentBp))
                .col(big(InterestRates::CorporateOverpaymentBp))
                .col(big(InterestRates::UnderpaymentBp))
                .col(ts(InterestRates::LoadedAt))
                .col(text(InterestRates::LoadedBy))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Bills::Table)
                .if_not_exists()
                .col(id(Bills::Id))
                .col(text(Bills::BillNumber))
                .col(big(Bills::ImporterId))
                .col(big(Bills::AmountCents))
                .col(big(Bills::OpenCents))
                .col(text(Bills::BillDate))
                .col(ts(Bills::CreatedAt))
                .col(text(Bills::CreatedBy))
                .foreign_key(&mut fk(
                    "fk_bills_importer_id",
                    Bills::Table,
                    Bills::ImporterId,
                    Importers::Table,
                    Importers::Id,
                ))
                .check(Expr::col(Bills::OpenCents).gte(0))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_bills_bill_number")
                .table(Bills::Table)
                .col(Bills::BillNumber)
                .unique()
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_bills_importer_id")
                .table(Bills::Table)
                .col(Bills::ImporterId)
                .if_not_exists()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(BillApplications::Table)
                .if_not_exists()
                .col(id(BillApplications::Id))
                .col(big(BillApplications::BillId))
                .col(big(BillApplications::RefundId))
                .col(big(BillApplications::AmountCents))
                .col(ts(BillApplications::At))
                .foreign_key(&mut fk(
                    "fk_bill_applications_bill_id",
                    BillApplications::Table,
                    BillApplications::BillId,
                    Bills::Table,
                    Bills::Id,
                ))
                .foreign_key(&mut fk(
                    "fk_bill_applications_refund_id",
                    BillApplications::Table,
                    BillApplications::RefundId,
                    Refunds::Table,
                    Refunds::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_bill_applications_refund_id")
                .table(BillApplications::Table)
                .col(BillApplications::RefundId)
                .if_not_exists()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(JobRuns::Table)
                .if_not_exists()
                .col(ColumnDef::new(JobRuns::Job).string().not_null())
                .col(ColumnDef::new(JobRuns::RunOn).string().not_null())
                .col(ts(JobRuns::StartedAt))
                .primary_key(Index::create().col(JobRuns::Job).col(JobRuns::RunOn))
                .to_owned(),
        )
        .await?;

        // Status events are history: the database itself refuses edits and deletions.
        let conn = m.get_connection();
        match conn.get_database_backend() {
            DbBackend::Postgres => {
                conn.execute_unprepared(
                    "CREATE OR REPLACE FUNCTION refund_events_append_only() RETURNS trigger AS $$ \
                     BEGIN RAISE EXCEPTION 'refund_events is append-only'; END; $$ LANGUAGE plpgsql",
                )
                .await?;
                conn.execute_unprepared(
                    "CREATE TRIGGER refund_events_no_change BEFORE UPDATE OR DELETE ON refund_events \
                     FOR EACH ROW EXECUTE FUNCTION refund_events_append_only()",
                )
                .await?;
            }
            _ => {
                for op in ["UPDATE", "DELETE"] {
                    conn.execute_unprepared(&format!(
                        "CREATE TRIGGER IF NOT EXISTS refund_events_no_{op} BEFORE {op} ON refund_events \
                         BEGIN SELECT RAISE(ABORT, 'refund_events is append-only'); END"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(JobRuns::Table).if_exists().to_owned()).await?;
        m.drop_table(Table::drop().table(BillApplications::Table).if_exists().to_owned()).await?;
        m.drop_table(Table::drop().table(Bills::Table).if_exists().to_owned()).await?;
        m.drop_table(Table::drop().table(InterestRates::Table).if_exists().to_owned()).await?;
        m.drop_table(Table::drop().table(RefundEvents::Table).if_exists().to_owned()).await?;
        m.drop_table(Table::drop().table(Refunds::Table).if_exists().to_owned()).await?;
        Ok(())
    }
}

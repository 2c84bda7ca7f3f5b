//! Outgoing mail goes through the database (issue 15, "account discovery"; issue 16's notices):
//! a request or a job queues its mail in its own transaction and returns; a sender, one
//! instance at a time (the `mail_sender` lease), delivers it and retries failures with backoff.
//! No response waits for an SMTP server, a mail outage loses nothing, and certification's
//! notices are queued with the rest (app::mail_queue).

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

use crate::schema::{Leases, MailQueue as Q};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let ts = |c: Q| ColumnDef::new(c).timestamp_with_time_zone().not_null().to_owned();
        let ts_null = |c: Q| ColumnDef::new(c).timestamp_with_time_zone().null().to_owned();
        m.create_table(
            Table::create()
                .table(Q::Table)
                .if_not_exists()
                .col(ColumnDef::new(Q::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(Q::Kind).string().not_null())
                .col(ColumnDef::new(Q::Sealed).text().not_null())
                .col(ts(Q::CreatedAt))
                .col(ColumnDef::new(Q::NextAt).big_integer().not_null())
                .col(ColumnDef::new(Q::Attempts).integer().not_null().default(0))
                .col(ts_null(Q::SentAt))
                .col(ts_null(Q::FailedAt))
                .col(ColumnDef::new(Q::LastError).string().not_null().default(""))
                .to_owned(),
        )
        .await?;
        // Only mail still to deliver is searched: the index stays as small as the backlog.
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX IF NOT EXISTS ix_mail_queue_due ON mail_queue (next_at, id) \
                 WHERE sent_at IS NULL AND failed_at IS NULL",
            )
            .await?;
        m.create_table(
            Table::create()
                .table(Leases::Table)
                .if_not_exists()
                .col(ColumnDef::new(Leases::Name).string().not_null().primary_key())
                .col(ColumnDef::new(Leases::Holder).string().not_null())
                .col(ColumnDef::new(Leases::Until).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Leases::Table).if_exists().to_owned()).await?;
        m.drop_table(Table::drop().table(Q::Table).if_exists().to_owned()).await
    }
}

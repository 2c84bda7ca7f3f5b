//! Daily-job claims that survive the death of their holder (issue 16). m0008's `job_runs` kept
//! a day's certification to the first instance that claimed it, even when that instance died
//! half way: the rest waited for the next day. A heartbeat and a finish time let another instance
//! take over a claim whose holder stopped beating (`store::job_runs`). Claims made before this
//! migration count as finished.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

use crate::schema::refunds::JobRuns;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for col in [JobRuns::HeartbeatAt, JobRuns::FinishedAt] {
            m.alter_table(
                Table::alter()
                    .table(JobRuns::Table)
                    .add_column_if_not_exists(ColumnDef::new(col).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        }
        m.get_connection()
            .execute_unprepared("UPDATE job_runs SET heartbeat_at = started_at, finished_at = started_at")
            .await
            .map(|_| ())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [JobRuns::FinishedAt, JobRuns::HeartbeatAt] {
            m.alter_table(Table::alter().table(JobRuns::Table).drop_column(col).to_owned()).await?;
        }
        Ok(())
    }
}

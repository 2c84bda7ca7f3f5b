//! The one migration set for both engines, written with sea-query's schema builder.

use sea_orm_migration::prelude::*;

mod counter_triggers;
mod m0001_foundation;
mod m0002_portal;
mod m0003_importer_keys_byte_order;
mod m0004_enrollment;
mod m0005_change_counters;
mod m0006_import_provenance;
mod m0007_ach_tab_per_sub_account;
mod m0008_refunds;
mod m0009_refund_indexes;
mod m0010_refund_notices;
mod m0011_job_heartbeats;
mod m0012_refund_payee_index;
mod m0013_refund_partial_indexes;
mod m0014_payee_facts_counter;
mod m0015_mail_queue;
mod schema;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_portal::Migration),
            Box::new(m0003_importer_keys_byte_order::Migration),
            Box::new(m0004_enrollment::Migration),
            Box::new(m0005_change_counters::Migration),
            Box::new(m0006_import_provenance::Migration),
            Box::new(m0007_ach_tab_per_sub_account::Migration),
            Box::new(m0008_refunds::Migration),
            Box::new(m0009_refund_indexes::Migration),
            Box::new(m0010_refund_notices::Migration),
            Box::new(m0011_job_heartbeats::Migration),
            Box::new(m0012_refund_payee_index::Migration),
            Box::new(m0013_refund_partial_indexes::Migration),
            Box::new(m0014_payee_facts_counter::Migration),
            Box::new(m0015_mail_queue::Migration),
        ]
    }
}

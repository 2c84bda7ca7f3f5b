//! The Refunds tab reads an importer's refunds newest first from two indexes, the refunds of
//! the importer ((importer_id, id), m0008) and those paid to it (`store::refunds::list`). m0008
//! indexed the payee alone, so the second arm read every refund paid to the importer and sorted
//! them for each page; (payee_importer_id, id) hands a page over in order. Meant for m0009 and
//! lost in a merge there.

use sea_orm_migration::prelude::*;

use crate::schema::refunds::Refunds;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn index(name: &str, cols: &[Refunds]) -> IndexCreateStatement {
    let mut i = Index::create().name(name).table(Refunds::Table).if_not_exists().to_owned();
    for c in cols {
        i.col(*c);
    }
    i
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("ix_refunds_payee_importer_id_id", &[Refunds::PayeeImporterId, Refunds::Id])).await?;
        m.drop_index(Index::drop().name("ix_refunds_payee_importer_id").table(Refunds::Table).if_exists().to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("ix_refunds_payee_importer_id", &[Refunds::PayeeImporterId])).await?;
        m.drop_index(Index::drop().name("ix_refunds_payee_importer_id_id").table(Refunds::Table).if_exists().to_owned())
            .await
    }
}

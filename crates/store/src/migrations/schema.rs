//! Small builders shared by the migrations, so each table reads as a list of columns. Tables and
//! columns are the typed names of `crate::schema`; index and foreign-key names are made from
//! them as they always were (`ix_TABLE_COLS`, `fk_TABLE_COL`), so databases migrated before the
//! names were typed keep matching.

use sea_orm_migration::prelude::*;

/// A table with a `BIGINT` auto-increment primary key `id`.
pub(super) fn id<T: Iden + Copy + 'static>(table: T, id: T) -> TableCreateStatement {
    Table::create()
        .table(table)
        .if_not_exists()
        .col(ColumnDef::new(id).big_integer().not_null().auto_increment().primary_key())
        .to_owned()
}

pub(super) fn text(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).string().not_null().default("").to_owned()
}

pub(super) fn text_null(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).string().null().to_owned()
}

pub(super) fn ts(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).timestamp_with_time_zone().not_null().to_owned()
}

pub(super) fn ts_null(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).timestamp_with_time_zone().null().to_owned()
}

pub(super) fn big(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().to_owned()
}

pub(super) fn big_null(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).big_integer().null().to_owned()
}

/// `from.col` references `to.id`, deletions refused.
pub(super) fn fk<F, T>(from: F, col: F, to: T, to_id: T) -> ForeignKeyCreateStatement
where
    F: Iden + Copy + 'static,
    T: Iden + Copy + 'static,
{
    ForeignKey::create()
        .name(format!("fk_{}_{}", from.to_string(), col.to_string()))
        .from(from, col)
        .to(to, to_id)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

pub(super) fn index<T: Iden + Copy + 'static>(table: T, cols: &[T], unique: bool) -> IndexCreateStatement {
    let names: Vec<String> = cols.iter().map(|c| c.to_string()).collect();
    let mut i = Index::create();
    i.name(format!("ix_{}_{}", table.to_string(), names.join("_"))).table(table).if_not_exists();
    for c in cols {
        i.col(*c);
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

/// `INTEGER NOT NULL DEFAULT 0`.
pub(super) fn int0(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).integer().not_null().default(0).to_owned()
}

/// `BOOLEAN NOT NULL DEFAULT FALSE`.
pub(super) fn flag(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).boolean().not_null().default(false).to_owned()
}

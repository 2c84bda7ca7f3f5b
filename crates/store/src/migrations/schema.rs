//! Small builders shared by the migrations, so each table reads as a list of columns.

use sea_orm_migration::prelude::*;

pub(super) fn a(name: &str) -> Alias {
    Alias::new(name)
}

pub(super) fn id(table: &str) -> TableCreateStatement {
    Table::create()
        .table(a(table))
        .if_not_exists()
        .col(ColumnDef::new(a("id")).big_integer().not_null().auto_increment().primary_key())
        .to_owned()
}

pub(super) fn text(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).string().not_null().default("").to_owned()
}

pub(super) fn text_null(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).string().null().to_owned()
}

pub(super) fn ts(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).timestamp_with_time_zone().not_null().to_owned()
}

pub(super) fn ts_null(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).timestamp_with_time_zone().null().to_owned()
}

pub(super) fn fk(from: &str, col: &str, to: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{from}_{col}"))
        .from(a(from), a(col))
        .to(a(to), a("id"))
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

pub(super) fn index(table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(format!("ix_{table}_{}", cols.join("_"))).table(a(table)).if_not_exists();
    for c in cols {
        i.col(a(c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

//! The database's names, typed: one `Iden` enum per table (`Table` is the table's own name,
//! every other variant a column, snake_case), used by the migrations and the queries alike, so
//! a misspelt name does not compile and renaming a column is one edit.
//!
//! A file per part of the domain, as the tables are grouped in the migrations. A table whose
//! name predates the domain's word for it keeps its name in the database through
//! `#[sea_orm(iden = "...")]` (renaming a table costs a migration on every installation).

pub mod refunds;

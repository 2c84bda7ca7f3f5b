//! The database's names, typed: one `Iden` enum per table (`Table` is the table's own name,
//! every other variant a column, snake_case), used by the migrations and the queries alike, so
//! a misspelt name does not compile and renaming a column is one edit.
//!
//! A file per part of the domain, as the tables are grouped in the migrations. A table whose
//! name predates the domain's word for it keeps its name in the database through
//! `#[sea_orm(iden = "...")]` on its `Table` variant (renaming a table costs a migration on every
//! installation).
//!
//! ```
//! use store::schema::Importers;
//! use store::sea_orm::sea_query::{Expr, ExprTrait, Query, SqliteQueryBuilder};
//!
//! let q = Query::select().column(Importers::Name).from(Importers::Table)
//!     .and_where(Expr::col(Importers::Number).eq("12-345678900")).to_string(SqliteQueryBuilder);
//! assert_eq!(q, r#"SELECT "name" FROM "importers" WHERE "number" = '12-345678900'"#);
//! ```

mod ach;
mod importers;
mod mail;
mod portal;
/// The refund ledger's tables (not re-exported: refer to them as `schema::refunds::...`).
pub mod refunds;

use sea_orm::sea_query::Iden;
use sea_orm::{DbErr, QueryResult, TryGetable};

pub use ach::*;
pub use importers::*;
pub use mail::*;
pub use portal::*;

/// A column of a result row by its typed name: `r.col::<String>(Importers::Name)`.
pub(crate) trait Col {
    fn col<T: TryGetable>(&self, column: impl Iden) -> Result<T, DbErr>;
}

impl Col for QueryResult {
    fn col<T: TryGetable>(&self, column: impl Iden) -> Result<T, DbErr> {
        self.try_get("", column.unquoted())
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::Iden;

    use super::*;

    #[test]
    fn names_are_the_tables_and_columns_of_the_migrations() {
        assert_eq!(Importers::Table.to_string(), "importers");
        assert_eq!(Importers::MailingLine1.to_string(), "mailing_line1");
        assert_eq!(Importers::PhysicalPostalCode.to_string(), "physical_postal_code");
        assert_eq!(BankEnrollments::AccountLast4.to_string(), "account_last4");
        assert_eq!(AchReplies::FileSha256.to_string(), "file_sha256");
        assert_eq!(NotifyParties::Table.to_string(), "notify_designations");
        assert_eq!(NotifyParties::PartyImporterId.to_string(), "party_importer_id");
        assert_eq!(Sessions::IdHash.to_string(), "id_hash");
    }
}

//! The Form 5106 registry: importer records, their change history, and bulk import from CSV.

pub mod history;
pub mod import_csv;
pub mod importers;

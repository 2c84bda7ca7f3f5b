//! The Form 5106 registry: importer records, the broker firms that file them, and the
//! append-only audit log (migrations m0001, m0003, m0006).

use sea_orm::DeriveIden;

/// Form 5106 importer records; `number` is the canonical importer number.
#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Importers {
    Table,
    Id,
    Number,
    NumberKind,
    Name,
    /// Lower-cased name, for case-insensitive search on both engines.
    NameSearch,
    Dba,
    CompanyType,
    NumberUses,
    CbpReasons,
    MailingLine1,
    MailingLine2,
    MailingCity,
    MailingState,
    MailingPostalCode,
    MailingCountry,
    PhysicalLine1,
    PhysicalLine2,
    PhysicalCity,
    PhysicalState,
    PhysicalPostalCode,
    PhysicalCountry,
    Phone,
    Email,
    Status,
    FilerFirmId,
    CreatedBy,
    CreatedAt,
    UpdatedBy,
    UpdatedAt,
    Version,
    /// The `audit_log` entry of the import that created the record (m0006).
    CreatedImportId,
    /// The record's line in that import's CSV file.
    CreatedLine,
}

/// Customs brokers, identified by their 3-character filer code.
#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrokerFirms {
    Table,
    Id,
    Name,
    FilerCode,
    /// The firm's own 5106 record (canonical importer number), if it has one.
    ImporterNumber,
    CreatedAt,
}

/// Who changed what, append-only (triggers refuse `UPDATE` and `DELETE`).
#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditLog {
    Table,
    Id,
    At,
    ActorUserId,
    ActorLabel,
    Action,
    EntityType,
    EntityId,
    EntityKey,
    Changes,
}

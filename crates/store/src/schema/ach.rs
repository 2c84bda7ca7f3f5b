//! ACH refund enrollment: the FedACH directory, bank details per importer number and their
//! optimistic-lock heads, status events, prenotes and ACH files, bank replies, Form 4811 notify
//! parties, and the generation counters of the cached tab (migrations m0004, m0005, m0007).

use sea_orm::DeriveIden;

#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoutingBanks {
    Table,
    Id,
    Routing,
    Name,
    City,
    State,
    Office,
    RecordType,
    NewRouting,
    ReceivesAch,
}

#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoutingLoads {
    Table,
    Id,
    LoadedAt,
    Source,
    Participants,
    BadLines,
    Sha256,
    LoadedBy,
}

/// One row per version of an importer number's bank details.
#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BankEnrollments {
    Table,
    Id,
    ImporterId,
    VersionNo,
    Status,
    Routing,
    BankName,
    AccountType,
    AccountSealed,
    AccountLast4,
    AccountBlind,
    HolderName,
    HolderConfirmed,
    ReviewShared,
    ReviewClearedBy,
    CreatedBy,
    CreatedByName,
    CreatedAt,
    StatusAt,
    ActiveSince,
    BankNote,
}

/// The optimistic lock per importer number.
#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnrollmentHeads {
    Table,
    ImporterId,
    Revision,
    ChangedByName,
    ChangedAt,
}

#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnrollmentEvents {
    Table,
    Id,
    EnrollmentId,
    ImporterId,
    At,
    FromStatus,
    ToStatus,
    Actor,
    Reason,
}

#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AchFiles {
    Table,
    Id,
    Kind,
    CreatedAt,
    CreatedBy,
    FileName,
    Entries,
    Sha256,
}

#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prenotes {
    Table,
    Id,
    EnrollmentId,
    Status,
    TraceNumber,
    AchFileId,
    QueuedAt,
    SentAt,
    SentOn,
}

#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AchReplies {
    Table,
    Id,
    FileSha256,
    TraceNumber,
    Code,
    ReceivedAt,
    PrenoteId,
    Outcome,
    Detail,
}

/// Form 4811: importer `importer_id` names `party_importer_id` to receive its refunds. The
/// table predates the domain's word for it ("notify party") and keeps its name.
#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotifyParties {
    #[sea_orm(iden = "notify_designations")]
    Table,
    Id,
    ImporterId,
    PartyImporterId,
    EffectiveOn,
    RevokedOn,
    CreatedByName,
    CreatedAt,
    RevokedByName,
    RevokedAt,
}

/// Generation numbers moved by triggers, for cached views (m0005).
#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeCounters {
    Table,
    Name,
    Value,
}

/// The ACH tab's generation per sub-account, moved by triggers (m0007). A sub-account without a
/// row is at generation 0.
#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AchTabGenerations {
    Table,
    SubAccountId,
    Value,
}

//! The refund ledger's tables (migration m0008): refunds, their status events, the interest
//! rates loaded by operators, CBP bills and the offsets applied to them, and the claims that keep
//! a daily job to one run across instances.

use sea_orm::DeriveIden;

/// One refund: where it came from, what it is worth, and what was decided for it.
#[derive(DeriveIden, Clone, Copy)]
pub enum Refunds {
    Table,
    Id,
    /// Unique; from the source system, or generated.
    RefundNumber,
    ImporterId,
    /// `FFF-NNNNNNN-C`.
    EntryNumber,
    /// The entry's filer code (brokers see refunds of entries bearing theirs).
    FilerCode,
    Source,
    PrincipalCents,
    /// `YYYY-MM-DD`.
    DepositDate,
    /// `YYYY-MM-DD`: liquidation or determination.
    LiquidationDate,
    /// The entry's 4811 reference (box 28): an importer with a 5106 record, or null.
    NotifyPartyId,
    /// Null until computed (no rate known yet for a day of the period).
    InterestCents,
    OffsetCents,
    /// principal + interest - offsets, set at certification.
    NetCents,
    Status,
    /// `partially_diverted`, or empty.
    SecondaryStatus,
    /// Why the refund is held, in words; empty otherwise.
    HeldReason,
    /// Who receives the money (set at certification).
    PayeeImporterId,
    /// `importer` or `notify_party`; empty before certification.
    PayeeKind,
    /// `YYYY-MM-DD`: the day it was certified (the report's refund date).
    RefundDate,
    StatusAt,
    CreatedAt,
    CreatedBy,
    /// "import of FILE line N", "api", "staff page".
    CreatedSource,
    Version,
}

/// Every status change of a refund: append-only (the database refuses edits).
#[derive(DeriveIden, Clone, Copy)]
pub enum RefundEvents {
    Table,
    Id,
    RefundId,
    At,
    ActorLabel,
    /// Empty for the first event.
    FromStatus,
    ToStatus,
    Reason,
}

/// Quarters loaded with `rates load`; they replace the shipped quarter with the same start.
#[derive(DeriveIden, Clone, Copy)]
pub enum InterestRates {
    Table,
    /// `YYYY-MM-DD`, a quarter's first day; the key.
    EffectiveFrom,
    OverpaymentBp,
    CorporateOverpaymentBp,
    UnderpaymentBp,
    LoadedAt,
    LoadedBy,
}

/// A CBP bill (a debt of the importer) that refunds pay first.
#[derive(DeriveIden, Clone, Copy)]
pub enum Bills {
    Table,
    Id,
    BillNumber,
    ImporterId,
    AmountCents,
    /// What is still owed; never below zero.
    OpenCents,
    /// `YYYY-MM-DD`.
    BillDate,
    CreatedAt,
    CreatedBy,
}

/// One application of (part of) a refund to a bill.
#[derive(DeriveIden, Clone, Copy)]
pub enum BillApplications {
    Table,
    Id,
    BillId,
    RefundId,
    AmountCents,
    At,
}

/// A job's claim on a day: the first instance to insert `(job, run_on)` runs it.
#[derive(DeriveIden, Clone, Copy)]
pub enum JobRuns {
    Table,
    Job,
    RunOn,
    StartedAt,
    /// Refreshed by the running instance as it goes (m0011); a claim whose heartbeat stopped
    /// belongs to an instance that died, and another takes the job over.
    HeartbeatAt,
    /// Null while the job runs (m0011).
    FinishedAt,
}

/// A notice owed to a payee about one refund's decision (held, or set off against a bill),
/// written in the same transaction as the decision (migration m0010), so a run killed after its
/// commit still owes the mail. The sender groups a payee's unsent notices into one mail.
#[derive(DeriveIden, Clone, Copy)]
pub enum RefundNotices {
    Table,
    Id,
    /// Who is told (its 5106 contact and TAO).
    ImporterId,
    /// `held` or `diverted`.
    Kind,
    RefundId,
    /// The amount waiting (held) or taken by bills (diverted).
    Cents,
    /// The refund's line in the mail.
    Line,
    /// Why it is held (held notices); empty otherwise.
    Reason,
    CreatedAt,
    /// The sender that took it (a random token) and when: another sender leaves it alone until
    /// the claim is stale.
    Claim,
    ClaimedAt,
    /// Null until the mail went out.
    SentAt,
}

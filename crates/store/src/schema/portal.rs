//! Users and the trade portal: sessions, API tokens, top accounts and sub-accounts, the
//! importer numbers a sub-account holds, permissions, second factors, one-time secrets,
//! applications, rate limits, login events and known devices (migrations m0001, m0002).

use sea_orm::DeriveIden;

#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Users {
    Table,
    Id,
    Email,
    Name,
    Role,
    PasswordHash,
    FirmId,
    Active,
    CreatedAt,
    LastLoginAt,
    AccountId,
    AccountRole,
    SecondFactor,
    TotpSecret,
    TotpLastStep,
    LockedUntil,
    DeactivatedReason,
}

#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiTokens {
    Table,
    Id,
    UserId,
    Name,
    TokenHash,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sessions {
    Table,
    /// SHA-256 of the cookie value, the primary key.
    IdHash,
    UserId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    Stage,
    Ip,
    UserAgent,
}

#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TopAccounts {
    Table,
    Id,
    Name,
    Status,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubAccounts {
    Table,
    Id,
    AccountId,
    Kind,
    BrokerFirmId,
    CreatedAt,
}

/// The importer numbers an Importer sub-account holds (a number in at most one).
#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountImporters {
    Table,
    Id,
    SubAccountId,
    ImporterId,
    AddedAt,
    AddedBy,
}

#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserPermissions {
    Table,
    UserId,
    SubAccountId,
    Ach,
    Reports,
    NotifyParties,
}

#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OneTimeSecrets {
    Table,
    Id,
    Purpose,
    Subject,
    SecretHash,
    Attempts,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountApplications {
    Table,
    Id,
    Kind,
    ImporterId,
    AccountId,
    RequestedByUserId,
    CompanyName,
    RequesterName,
    RequesterEmail,
    Status,
    Ip,
    CreatedAt,
    VerifiedAt,
}

#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateLimits {
    Table,
    Key,
    WindowStart,
    Hits,
}

#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginEvents {
    Table,
    Id,
    UserId,
    At,
    Outcome,
    Ip,
    UserAgent,
}

#[derive(DeriveIden, Clone, Copy, Debug, PartialEq, Eq)]
pub enum KnownDevices {
    Table,
    UserId,
    DeviceHash,
    FirstSeenAt,
    LastSeenAt,
}

//! Trade portal accounts: sub-account kinds, roles, permissions, and who may manage whom.
//!
//! A top account (the company) has sub-accounts by business activity. Its users are the one
//! Trade Account Owner (TAO), Proxy TAOs, and Account Users who hold only what was granted to
//! them per sub-account.

use serde::{Deserialize, Serialize};

use crate::actor::Denied;

string_enum!(
    /// Business activity of a sub-account. Importer and Broker are worked out fully; the others
    /// exist so accounts can be described as the real portal describes them.
    SubAccountKind {
        Importer = "importer" / "Importer",
        Broker = "broker" / "Broker",
        Carrier = "carrier" / "Carrier",
        Filer = "filer" / "Filer",
        Surety = "surety" / "Surety",
        FacilityOperator = "facility_operator" / "Facility Operator",
        ForeignTradeZone = "foreign_trade_zone" / "Foreign Trade Zone Operator",
        ServiceProvider = "service_provider" / "Service Provider",
        Exporter = "exporter" / "Exporter",
        Attorney = "attorney" / "Attorney",
    }
);

string_enum!(
    /// A user's role in a top account.
    AccountRole {
        Tao = "tao" / "Trade Account Owner",
        ProxyTao = "proxy-tao" / "Proxy Trade Account Owner",
        User = "user" / "Account User",
    }
);

string_enum!(
    /// Access to the ACH Refund Authorization tab of an Importer sub-account.
    AchAccess {
        Full = "full" / "Full Access",
        ReadOnly = "read-only" / "Read-Only",
        None = "none" / "None",
    }
);

impl AchAccess {
    pub fn can_view(self) -> bool {
        matches!(self, AchAccess::Full | AchAccess::ReadOnly)
    }
    pub fn can_change(self) -> bool {
        self == AchAccess::Full
    }
}

/// What an Account User was granted on one sub-account. Later features add fields here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grants {
    pub ach: AchAccess,
    pub reports: bool,
    pub notify_parties: bool,
}

impl Grants {
    pub const NONE: Grants = Grants { ach: AchAccess::None, reports: false, notify_parties: false };
    pub const ALL: Grants = Grants { ach: AchAccess::Full, reports: true, notify_parties: true };

    /// What a user may actually do: owners hold everything, Account Users what they were given.
    pub fn effective(role: AccountRole, granted: Option<Grants>) -> Grants {
        match role {
            AccountRole::Tao | AccountRole::ProxyTao => Grants::ALL,
            AccountRole::User => granted.unwrap_or(Grants::NONE),
        }
    }
}

/// "Users: manage" belongs to the TAO and Proxy TAOs only.
pub fn may_manage_users(actor: AccountRole) -> Result<(), Denied> {
    match actor {
        AccountRole::Tao | AccountRole::ProxyTao => Ok(()),
        AccountRole::User => Err("only the Trade Account Owner or a Proxy TAO may manage users"),
    }
}

/// Giving someone `role` (by invitation or by a change): a Proxy TAO may do everything the TAO
/// does except create Proxy TAOs; nobody hands out the TAO role this way (see
/// [`may_transfer_tao`]).
pub fn may_assign_role(actor: AccountRole, role: AccountRole) -> Result<(), Denied> {
    may_manage_users(actor)?;
    match (actor, role) {
        (_, AccountRole::Tao) => Err("the Trade Account Owner role is handed over with \"Make owner\", not assigned"),
        (AccountRole::ProxyTao, AccountRole::ProxyTao) => Err("only the Trade Account Owner may create Proxy TAOs"),
        _ => Ok(()),
    }
}

/// Changing, deactivating or reactivating another user. Proxy TAOs manage Account Users; the
/// TAO and other Proxy TAOs are the TAO's to manage (a Proxy TAO may not create them, so it
/// may not remove them either). Nobody manages themselves through these actions.
pub fn may_change_user(actor: AccountRole, actor_id: i64, target: AccountRole, target_id: i64) -> Result<(), Denied> {
    may_manage_users(actor)?;
    if actor_id == target_id {
        return Err("you cannot change your own role, permissions or status; ask another owner");
    }
    match (actor, target) {
        (_, AccountRole::Tao) => Err("the Trade Account Owner cannot be changed by other users"),
        (AccountRole::ProxyTao, AccountRole::ProxyTao) => {
            Err("only the Trade Account Owner may change or deactivate a Proxy TAO")
        }
        _ => Ok(()),
    }
}

/// Only the TAO hands the TAO role to another active user of the same account.
pub fn may_transfer_tao(actor: AccountRole) -> Result<(), Denied> {
    match actor {
        AccountRole::Tao => Ok(()),
        _ => Err("only the Trade Account Owner may hand over the owner role"),
    }
}

/// Company names compared as the automated application compares them: case, punctuation and
/// spacing do not matter ("Acme, Inc." matches "ACME INC").
pub fn names_match(a: &str, b: &str) -> bool {
    let fold = |s: &str| {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (fa, fb) = (fold(a), fold(b));
    !fa.is_empty() && fa == fb
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccountRole::*;

    #[test]
    fn effective_grants() {
        let some = Grants { ach: AchAccess::ReadOnly, reports: true, notify_parties: false };
        assert_eq!(Grants::effective(Tao, None), Grants::ALL);
        assert_eq!(Grants::effective(ProxyTao, Some(Grants::NONE)), Grants::ALL);
        assert_eq!(Grants::effective(User, Some(some)), some);
        assert_eq!(Grants::effective(User, None), Grants::NONE);
        assert!(AchAccess::ReadOnly.can_view() && !AchAccess::ReadOnly.can_change());
        assert!(!AchAccess::None.can_view());
    }

    #[test]
    fn role_rules() {
        assert!(may_assign_role(Tao, ProxyTao).is_ok());
        assert!(may_assign_role(Tao, User).is_ok());
        assert!(may_assign_role(ProxyTao, User).is_ok());
        assert!(may_assign_role(ProxyTao, ProxyTao).is_err());
        assert!(may_assign_role(User, User).is_err());
        assert!(may_assign_role(Tao, Tao).is_err());

        assert!(may_change_user(Tao, 1, ProxyTao, 2).is_ok());
        assert!(may_change_user(Tao, 1, User, 2).is_ok());
        assert!(may_change_user(ProxyTao, 1, User, 2).is_ok());
        assert!(may_change_user(ProxyTao, 1, ProxyTao, 2).is_err());
        assert!(may_change_user(ProxyTao, 1, Tao, 2).is_err());
        assert!(may_change_user(User, 1, User, 2).is_err());
        assert!(may_change_user(Tao, 1, Tao, 1).is_err());

        assert!(may_transfer_tao(Tao).is_ok());
        assert!(may_transfer_tao(ProxyTao).is_err());
        assert!(may_transfer_tao(User).is_err());
    }

    #[test]
    fn company_names() {
        assert!(names_match("Acme, Inc.", "ACME INC"));
        assert!(names_match("  Blue-Water  Imports ", "blue water imports"));
        assert!(names_match("Müller GmbH", "MÜLLER GMBH"));
        assert!(!names_match("Acme Inc", "Acme Incorporated"));
        assert!(!names_match("Acme", "Acme Trading"));
        assert!(!names_match("", ""));
        assert!(!names_match("...", "!!!"));
    }
}

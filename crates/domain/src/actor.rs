//! Who acts, and what they may do with 5106 records.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    CbpStaff,
    Broker,
    /// A trade-portal user of a company (importer or notify party): no rights on 5106 records.
    Trade,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::CbpStaff => "cbp-staff",
            Role::Broker => "broker",
            Role::Trade => "trade",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "cbp-staff" => Some(Role::CbpStaff),
            "broker" => Some(Role::Broker),
            "trade" => Some(Role::Trade),
            _ => None,
        }
    }
}

/// An authenticated person (or the operator's CLI) acting on the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    /// Shown in history: the user's email, or `cli` for operator commands.
    pub label: String,
    pub role: Role,
    /// The broker firm the user works for (brokers only).
    pub firm_id: Option<i64>,
}

impl Actor {
    /// The operator running CLI commands on the server acts with CBP staff rights.
    pub fn operator() -> Self {
        Actor { user_id: None, label: "cli-operator".into(), role: Role::CbpStaff, firm_id: None }
    }
}

/// Why an action is refused, in words for the person who tried.
pub type Denied = &'static str;

const TRADE_DENIED: Denied = "importer records (CBP Form 5106) are filed by customs brokers and CBP staff; ask your broker to file or correct yours";

/// Who may read 5106 records in the registry: CBP staff and brokers (portal users see their own
/// account's records through their account instead).
pub fn may_read_registry(actor: &Actor) -> Result<(), Denied> {
    match actor.role {
        Role::CbpStaff | Role::Broker => Ok(()),
        Role::Trade => Err("the importer registry is for CBP staff and customs brokers"),
    }
}

pub fn may_create_importer(actor: &Actor) -> Result<(), Denied> {
    match actor.role {
        Role::CbpStaff => Ok(()),
        Role::Broker if actor.firm_id.is_some() => Ok(()),
        Role::Broker => Err("your user is not linked to a broker firm, so it cannot file importer records"),
        Role::Trade => Err(TRADE_DENIED),
    }
}

/// `filer_firm_id` is the broker firm that filed the record or is recorded as its filer.
pub fn may_update_importer(actor: &Actor, filer_firm_id: Option<i64>) -> Result<(), Denied> {
    match actor.role {
        Role::CbpStaff => Ok(()),
        Role::Broker if actor.firm_id.is_some() && actor.firm_id == filer_firm_id => Ok(()),
        Role::Broker => {
            Err("this importer record was filed by another broker; only its filing broker or CBP staff may change it")
        }
        Role::Trade => Err(TRADE_DENIED),
    }
}

/// Activation status is CBP's call: brokers file and correct records but do not retire them.
pub fn may_change_status(actor: &Actor) -> Result<(), Denied> {
    match actor.role {
        Role::CbpStaff => Ok(()),
        Role::Broker | Role::Trade => Err("only CBP staff may deactivate or reactivate an importer record"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn broker(firm: Option<i64>) -> Actor {
        Actor { user_id: Some(1), label: "b".into(), role: Role::Broker, firm_id: firm }
    }

    #[test]
    fn permission_table() {
        let staff = Actor::operator();
        assert!(may_create_importer(&staff).is_ok());
        assert!(may_update_importer(&staff, None).is_ok());
        assert!(may_change_status(&staff).is_ok());
        assert!(may_create_importer(&broker(Some(7))).is_ok());
        assert!(may_create_importer(&broker(None)).is_err());
        assert!(may_update_importer(&broker(Some(7)), Some(7)).is_ok());
        assert!(may_update_importer(&broker(Some(7)), Some(8)).is_err());
        assert!(may_update_importer(&broker(Some(7)), None).is_err());
        assert!(may_update_importer(&broker(None), None).is_err());
        assert!(may_change_status(&broker(Some(7))).is_err());
        let trade = Actor { user_id: Some(2), label: "t".into(), role: Role::Trade, firm_id: None };
        assert!(may_create_importer(&trade).is_err());
        assert!(may_update_importer(&trade, None).is_err());
        assert!(may_change_status(&trade).is_err());
        assert!(may_read_registry(&trade).is_err());
        assert!(may_read_registry(&broker(Some(7))).is_ok());
    }
}

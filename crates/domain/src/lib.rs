//! Pure types and rules of the customs-refund domain. No I/O lives here: every other crate
//! turns untrusted input into these types at its edge and trusts them afterwards.

#[macro_use]
mod string_enum;

pub mod actor;
pub mod bank;
pub mod calendar;
pub mod email;
pub mod enrollment;
pub mod fedach;
pub mod field_errors;
pub mod importer;
pub mod importer_number;
pub mod mask;
pub mod payee;
pub mod portal;
pub mod refund;

pub use actor::{Actor, Role};
pub use bank::{AccountNumber, AccountNumberError, AccountType, RoutingNumber, RoutingNumberError};
pub use email::Email;
pub use enrollment::EnrollmentStatus;
pub use fedach::{FedAchLineError, Office, Participant};
pub use field_errors::FieldErrors;
pub use importer::{Address, CompanyType, ImporterDraft, ImporterStatus, NumberUse};
pub use importer_number::{ImporterNumber, ImporterNumberError};
pub use payee::{NoPayee, NotifyPartyOnFile, PartyNotUsed, Payee, PayeeFacts};

//! Portal accounts: the automated application proven through the 5106 email, login and the
//! second factor, sessions, account members and their permissions, users and API tokens, and
//! the CBP staff console.

pub mod accounts;
pub mod apply;
pub mod auth;
pub mod console;
pub mod login;
pub mod members;
pub mod totp;
pub mod users;

//! Return reason codes (addenda 99) and change codes (addenda 98).

pub mod changes;
pub mod returns;

//! NACHA ACH files.

//! The crate's integration tests, as modules of one test binary: one link instead of one per
//! file, which is most of a fresh build's test time.

mod change_counters;
mod importers_bulk;
mod queries;
mod refunds_bulk;

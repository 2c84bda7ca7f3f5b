//! The crate's integration tests, as modules of one test binary: one link instead of one per
//! file, which is most of a fresh build's test time.

mod ach;
mod apply_over_smtp;
mod common;
mod demo_seed;
mod import_csv;
mod importers;
mod portal;
mod refunds;
mod tokens;

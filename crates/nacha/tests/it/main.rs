//! The crate's integration tests, as modules of one test binary: one link instead of one per
//! file, which is most of a fresh build's test time.

mod bad_input;
mod conformance;
mod fast_path;
mod fuzz_mutations;
mod moov_rules;
mod replies;
mod roundtrip;

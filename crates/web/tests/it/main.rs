//! The crate's integration tests, as modules of one test binary: one link instead of one per
//! file, which is most of a fresh build's test time.

mod ach_pages;
mod api;
mod api_ach;
mod bills;
mod browser;
mod common;
mod pages;
mod portal;
mod refunds;

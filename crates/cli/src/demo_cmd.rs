//! `ace-refunds demo seed`: synthetic data for benchmarks and demos. Only the arguments live
//! here; the generation and the writing are `app::demo::seed`.

use std::process::ExitCode;

use clap::Subcommand;
use domain::refund::dates::parse_iso_date;

use crate::commands::{explain, open};
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Fill an empty database with synthetic data, deterministic for a seed: importers of every
    /// number shape, portal accounts (a Trade Account Owner each), bank details (most Active, some
    /// pending verification, some never enrolled), notify parties, open bills, and refunds
    /// (Recorded, interest computed) over the last two years. The first importer gets
    /// --focus-refunds of them. Refuses a database that already has importers or refunds.
    Seed {
        /// Importer records (Form 5106).
        #[arg(long)]
        importers: u64,
        /// Refunds in all.
        #[arg(long)]
        refunds: u64,
        /// Refunds of the first importer [default: min(refunds / 100, 100000)].
        #[arg(long)]
        focus_refunds: Option<u64>,
        /// Same seed, same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The last day of refund dates (YYYY-MM-DD) [default: today].
        #[arg(long)]
        today: Option<String>,
    },
}

pub async fn demo(cfg: Config, cmd: DemoCommand) -> anyhow::Result<ExitCode> {
    let DemoCommand::Seed { importers, refunds, focus_refunds, seed, today } = cmd;
    let mut o = app::demo::seed::SeedOptions::new(importers, refunds, seed);
    o.focus_refunds = focus_refunds;
    if let Some(d) = today {
        o.today = parse_iso_date(&d).ok_or_else(|| anyhow::anyhow!("--today: write the date as YYYY-MM-DD"))?;
        anyhow::ensure!(o.today <= app::today(), "--today: refund dates are never in the future");
    }
    let app = open(&cfg).await?;
    let mut progress = |line: &str| eprintln!("{line}");
    let done = app::demo::seed::seed(&app, &o, &mut progress).await.map_err(explain)?;
    println!(
        "Log in as the Trade Account Owner of the first importer ({}, {} refunds):",
        done.focus_number, done.focus_refunds
    );
    println!("  Email:     {}", done.focus_tao_email);
    println!("  Password:  {}", app::demo::DEMO_PASSWORD);
    println!("  Every seeded TAO (owner@impNNNNNNN.example, NNNNNNN = the importer's index) has this password;");
    println!("  the second factor is a code by email, written to the outbox (or sent by the SMTP server).");
    if done.demo_users {
        println!("  CBP staff: {} (same password)", app::demo::STAFF_EMAIL);
    }
    println!("{}", done.summary());
    Ok(ExitCode::SUCCESS)
}

//! `ace-refunds`: the portal server and the operator's commands.

mod ach_cmd;
mod commands;
mod config;
mod demo_cmd;
mod mail_cmd;
mod nacha_cmd;
mod refunds_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc rather than glibc's malloc: the bulk jobs (import, certification) allocate and free
/// millions of short strings and values, and glibc spent half their CPU on it (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "ace-refunds",
    version,
    about = "Electronic customs refunds: importer records, ACH enrollment and NACHA files.",
    long_about = "ace-refunds runs the customs-refund portal (importer records on CBP Form 5106, portal accounts, ACH \
refund enrollment) and gives operators commands for the database, users, bulk imports and NACHA files.\n\n\
Configuration comes from defaults, then --config FILE (TOML), then ACE_* environment variables (and DATABASE_URL), \
then flags. Run `ace-refunds check-config` to see the result."
)]
struct Cli {
    /// TOML configuration file.
    #[arg(long, global = true, env = "ACE_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL: postgres://... for PostgreSQL. Default: SQLite at <data_dir>/ace-refunds.db.
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web portal and JSON API (applies pending migrations first).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080.
        #[arg(long)]
        listen: Option<String>,
        /// Load a small demo data set when the database is empty, and print how to log in.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Print the effective configuration, secrets redacted.
    CheckConfig,
    /// Manage CBP staff and broker users.
    #[command(subcommand)]
    User(commands::UserCommand),
    /// Manage API bearer tokens.
    #[command(subcommand)]
    Token(commands::TokenCommand),
    /// Importer records (CBP Form 5106): bulk import from CSV, show one.
    #[command(subcommand)]
    Importer(commands::ImporterCommand),
    /// The FedACH routing directory bank details are checked against.
    #[command(subcommand)]
    Routing(ach_cmd::RoutingCommand),
    /// Prenotes verifying new bank details: export the queued ones as a NACHA file, promote verified ones.
    #[command(subcommand)]
    Prenotes(ach_cmd::PrenotesCommand),
    /// Bank replies (returns and notifications of change) to our ACH files.
    #[command(subcommand, name = "ach-replies")]
    AchReplies(ach_cmd::RepliesCommand),
    /// Data keys for secrets at rest (bank account numbers, TOTP secrets).
    #[command(subcommand)]
    Keys(ach_cmd::KeysCommand),
    /// NACHA ACH files: validate, describe, convert, generate.
    #[command(subcommand)]
    Nacha(nacha_cmd::NachaCommand),
    /// The refund ledger: record refunds from CSV, certify them, show one, summarise.
    #[command(subcommand)]
    Refunds(refunds_cmd::RefundsCommand),
    /// Interest rates (CBP's quarterly overpayment rates): load a file, list those in force.
    #[command(subcommand)]
    Rates(refunds_cmd::RatesCommand),
    /// CBP bills that refunds pay first (offsets).
    #[command(subcommand)]
    Bills(refunds_cmd::BillsCommand),
    /// Synthetic data for benchmarks and demos.
    #[command(subcommand)]
    Demo(demo_cmd::DemoCommand),
    /// Outgoing mail: a serving instance delivers it; see the backlog, or deliver it from here.
    #[command(subcommand)]
    Mail(mail_cmd::MailCommand),
    /// Interest under 19 U.S.C. 1505(c) on a principal from deposit to liquidation (shipped rates).
    Interest {
        /// Dollars, e.g. 10000.00.
        #[arg(long)]
        principal: String,
        /// Deposit date, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Liquidation date, YYYY-MM-DD.
        #[arg(long)]
        to: String,
        /// The importer is a corporation (corporate overpayment rate).
        #[arg(long)]
        corporate: bool,
        /// A rate file to use over the shipped rates (same format as `rates load`).
        #[arg(long)]
        rates: Option<std::path::PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The interest calculator and the NACHA tools need neither configuration nor a database.
    if let Command::Interest { principal, from, to, corporate, rates, json } = &cli.command {
        return match refunds_cmd::interest(principal, from, to, *corporate, rates.clone(), *json) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(2)
            }
        };
    }
    if let Command::Nacha(cmd) = cli.command {
        return match nacha_cmd::run(cmd) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(2)
            }
        };
    }
    let cfg = match config::Config::load(cli.config.as_deref(), cli.database_url.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    commands::init_logging(&cfg);
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(commands::run(cli.command, cfg)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

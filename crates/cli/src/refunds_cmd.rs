//! Operator commands of the refund ledger: record refunds and bills from CSV, certify, look a
//! refund up, summarise, manage interest rates, and the interest calculator. Thin calls into
//! `app::refunds`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use app::refunds::import::LineError;
use clap::Subcommand;
use domain::Actor;
use domain::refund::dates::parse_iso_date;
use domain::refund::{Cents, InterestBasis, accrued_interest};

use crate::commands::{explain, open};
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum RefundsCommand {
    /// Record refunds from a CSV file (header `refund_number,importer_number,entry_number,source,
    /// principal,deposit_date,liquidation_date,notify_party`). All or nothing; every bad line is
    /// listed; a refund already recorded with the same facts is "unchanged".
    Import {
        file: PathBuf,
        /// Check every line, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Decide every recorded refund due by today (payee, offsets, holds) and release held refunds
    /// whose payee can now be paid. The server also runs it daily.
    Certify {
        /// Act as if today were this date (YYYY-MM-DD).
        #[arg(long)]
        today: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// One refund, its timeline and offsets.
    Show {
        number: String,
        #[arg(long)]
        json: bool,
    },
    /// Count and amount of refunds per status.
    Summary {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RatesCommand {
    /// Add or replace quarters (header `effective_from,overpayment_pct,corporate_overpayment_pct,
    /// underpayment_pct`); a row replaces the quarter with the same `effective_from`.
    Load { file: PathBuf },
    /// The quarters in force (shipped and loaded), as CSV.
    List,
}

#[derive(Debug, Subcommand)]
pub enum BillsCommand {
    /// Record CBP bills from a CSV file (header `bill_number,importer_number,amount,bill_date`).
    Import {
        file: PathBuf,
        #[arg(long)]
        dry_run: bool,
    },
}

fn print_errors(errors: &[LineError], count: u64) {
    for e in errors {
        eprintln!("line {}: {}: {}", e.line, e.field, e.message);
    }
    if count > errors.len() as u64 {
        eprintln!("... and {} more problems", count - errors.len() as u64);
    }
}

fn day(arg: Option<String>) -> anyhow::Result<time::Date> {
    match arg {
        None => Ok(app::today()),
        Some(s) => parse_iso_date(&s).ok_or_else(|| anyhow::anyhow!("--today: '{s}' is not a date; write YYYY-MM-DD")),
    }
}

pub async fn refunds(cfg: Config, cmd: RefundsCommand) -> anyhow::Result<ExitCode> {
    let app = open(&cfg).await?;
    let actor = Actor::operator();
    match cmd {
        RefundsCommand::Import { file, dry_run } => {
            let f = std::fs::File::open(&file).with_context(|| format!("cannot open {}", file.display()))?;
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            let bar = indicatif::ProgressBar::new(len);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let source = format!("import of {}", file.file_name().map(|n| n.to_string_lossy()).unwrap_or_default());
            let b = bar.clone();
            let reader = std::io::BufReader::with_capacity(1 << 20, f);
            let report = app::refunds::import::import_csv(&app, &actor, reader, &source, dry_run, &mut move |p| {
                b.set_position(p)
            })
            .await
            .map_err(explain)?;
            bar.finish_and_clear();
            print_errors(&report.errors, report.error_count);
            println!(
                "{} rows: {} new, {} unchanged, {} problems",
                report.rows, report.created, report.unchanged, report.error_count
            );
            if report.written {
                println!("refunds recorded");
                Ok(ExitCode::SUCCESS)
            } else if dry_run && report.error_count == 0 {
                println!("dry run: nothing written");
                Ok(ExitCode::SUCCESS)
            } else {
                println!("nothing written: fix the lines above and run the import again");
                Ok(ExitCode::FAILURE)
            }
        }
        RefundsCommand::Certify { today, json } => {
            let today = day(today)?;
            let r = app::refunds::certify::certify(&app, &actor.label, today).await.map_err(explain)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "{} examined: {} payable, {} held (ACH Rejected), {} funds diverted, {} partially diverted, \
                     {} released from hold, {} waiting for an interest rate",
                    r.examined,
                    r.payable,
                    r.held_ach_rejected,
                    r.funds_diverted,
                    r.partially_diverted,
                    r.released,
                    r.waiting_for_rate
                );
                if r.notices_failed > 0 {
                    println!("{} notices could not be queued for mail (see the log)", r.notices_failed);
                }
                let waiting = app::mail_queue::counts(&app).await.map_err(explain)?.waiting;
                if waiting > 0 {
                    println!("{waiting} mails queued: a running server delivers them, or run `ace-refunds mail send`");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        RefundsCommand::Show { number, json } => {
            let d = app::refunds::show(&app, &app::refunds::Scope::All, &number).await.map_err(explain)?;
            if json {
                let r = &d.refund;
                let v = serde_json::json!({
                    "refund_number": r.refund_number,
                    "importer_number": r.importer_number,
                    "importer_name": r.importer_name,
                    "entry_number": r.entry_number,
                    "source": r.source,
                    "principal_cents": r.principal_cents,
                    "interest_cents": r.interest_cents,
                    "offset_cents": r.offset_cents,
                    "net_cents": r.net_cents,
                    "status": r.status,
                    "secondary_status": r.secondary_status,
                    "payee_number": r.payee_number,
                    "payee_kind": r.payee_kind,
                    "held_reason": r.held_reason,
                    "refund_date": r.refund_date,
                    "offsets": d.offsets.iter().map(|(b, c)| serde_json::json!({"bill_number": b, "cents": c})).collect::<Vec<_>>(),
                    "timeline": d.timeline,
                });
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                let r = &d.refund;
                println!("Refund {} ({})", r.refund_number, r.status_label);
                println!(
                    "  importer {} {}, entry {}, {}",
                    r.importer_number, r.importer_name, r.entry_number, r.source
                );
                println!(
                    "  principal {}, interest {}, offsets {}, net {}",
                    Cents::new(r.principal_cents),
                    r.interest_cents.map(|c| Cents::new(c).to_string()).unwrap_or_else(|| "not yet known".into()),
                    Cents::new(r.offset_cents),
                    r.amount()
                );
                if !r.held_reason.is_empty() {
                    println!("  held: {}", r.held_reason);
                }
                for t in &d.timeline {
                    println!("  {}  {:<22} {}  ({})", t.at, t.status_label, t.reason, t.by);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        RefundsCommand::Summary { json } => {
            let s = app::refunds::summary(&app).await.map_err(explain)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "by_status": s }))?);
            } else {
                for (status, t) in &s {
                    println!("{status:<20} {:>10} {:>20}", t.count, Cents::new(t.net_cents).to_string());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub async fn rates(cfg: Config, cmd: RatesCommand) -> anyhow::Result<ExitCode> {
    let app = open(&cfg).await?;
    match cmd {
        RatesCommand::Load { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let l = app::refunds::rates::load(&app, &Actor::operator(), &text).await.map_err(explain)?;
            println!("{} quarters added, {} replaced, {} unchanged", l.added, l.replaced, l.unchanged);
        }
        RatesCommand::List => {
            print!("{}", app::refunds::rates::table(&app).await.map_err(explain)?.to_csv());
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn bills(cfg: Config, cmd: BillsCommand) -> anyhow::Result<ExitCode> {
    let app = open(&cfg).await?;
    let BillsCommand::Import { file, dry_run } = cmd;
    let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let items = app::refunds::bills::read_csv(&text).map_err(explain)?;
    let r = app::refunds::bills::record(&app, &Actor::operator(), items, dry_run).await.map_err(explain)?;
    print_errors(&r.errors, r.errors.len() as u64);
    println!("{} rows: {} new, {} unchanged, {} problems", r.rows, r.created, r.unchanged, r.errors.len());
    Ok(if r.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The interest calculator: needs no database (the shipped rates, or a rate file).
pub fn interest(
    principal: &str,
    from: &str,
    to: &str,
    corporate: bool,
    rates: Option<PathBuf>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let principal = Cents::parse_dollars(principal).map_err(|e| anyhow::anyhow!("--principal: {e}"))?;
    let from = parse_iso_date(from).ok_or_else(|| anyhow::anyhow!("--from: write the deposit date as YYYY-MM-DD"))?;
    let to = parse_iso_date(to).ok_or_else(|| anyhow::anyhow!("--to: write the liquidation date as YYYY-MM-DD"))?;
    let table = match rates {
        None => domain::refund::RateTable::builtin().clone(),
        Some(f) => {
            let text = std::fs::read_to_string(&f).with_context(|| format!("cannot read {}", f.display()))?;
            domain::refund::RateTable::builtin().merge_csv(&text).map_err(|e| anyhow::anyhow!("{e}"))?.table
        }
    };
    let basis = if corporate { InterestBasis::Corporate } else { InterestBasis::NonCorporate };
    let i = accrued_interest(&table, principal, from, to, basis).map_err(|e| anyhow::anyhow!("{e}"))?;
    if json {
        let v = serde_json::json!({
            "principal_cents": principal.get(),
            "interest_cents": i.cents.get(),
            "segments": i.segments,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        for s in &i.segments {
            println!("{} to {}: {:>4} days at {}/{}", s.from, s.to, s.days, s.rate_pct, s.divisor);
        }
        println!("interest: {}", i.cents);
    }
    Ok(ExitCode::SUCCESS)
}

//! Operator commands of ACH enrollment: the FedACH directory, prenote files, bank replies and
//! data-key rotation. Each is a thin call into `app::ach`; output is one summary per run.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

use crate::commands::{explain, open};
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum RoutingCommand {
    /// Replace the routing directory with the Federal Reserve's FedACH participant file (plain-text
    /// format, 155-character lines). Unreadable lines are listed and skipped.
    Load { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum PrenotesCommand {
    /// Write every queued prenote (new or changed bank details) into a new NACHA file, once.
    Export {
        /// The file to write; an existing file is never overwritten.
        #[arg(long)]
        out: PathBuf,
    },
    /// Make pending bank details Active when their prenote waited `prenote_wait_days` banking days
    /// without a return (the server also does this hourly).
    Promote {
        /// Act as if today were this date (YYYY-MM-DD), e.g. to check what a later run will do.
        #[arg(long)]
        today: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RepliesCommand {
    /// Apply a bank's return / notification-of-change file to the prenotes it answers. Ingesting
    /// the same file again changes nothing.
    Ingest { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Re-encrypt every secret at rest under the newest data key (and recompute blind indexes).
    /// Add the new key version to ACE_DATA_KEY / ACE_DATA_KEY_FILE first, or pass --new-key when
    /// the keys live in a file this command may append to.
    Rotate {
        /// Append a new random key version to the key file (data_dir/data.key or
        /// ACE_DATA_KEY_FILE) before rotating.
        #[arg(long)]
        new_key: bool,
    },
}

pub async fn routing(cfg: Config, cmd: RoutingCommand) -> anyhow::Result<ExitCode> {
    let RoutingCommand::Load { file } = cmd;
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let app = open(&cfg).await?;
    let source = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let started = std::time::Instant::now();
    let s = app::ach::directory::load(&app, &text, &source, "operator").await.map_err(explain)?;
    for (line, why) in s.bad_lines.iter().take(20) {
        eprintln!("line {line}: {why}");
    }
    if s.bad_lines.len() > 20 {
        eprintln!("... and {} more unreadable lines", s.bad_lines.len() - 20);
    }
    println!(
        "loaded {} routing numbers ({} receive ACH) from {source} in {:.2} s; {} lines skipped",
        s.participants,
        s.receiving_ach,
        started.elapsed().as_secs_f64(),
        s.bad_lines.len()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn prenotes(cfg: Config, cmd: PrenotesCommand) -> anyhow::Result<ExitCode> {
    let app = open(&cfg).await?;
    match cmd {
        PrenotesCommand::Export { out } => {
            let e = app::ach::prenotes::export(&app, &out, "operator").await.map_err(explain)?;
            if e.entries == 0 {
                println!("no prenotes are queued; no file written");
            } else {
                println!(
                    "wrote {} prenotes to {} (effective {}, sha256 {})",
                    e.entries,
                    out.display(),
                    e.effective_on,
                    e.sha256
                );
            }
        }
        PrenotesCommand::Promote { today } => {
            let today = match today {
                Some(t) => parse_date(&t)?,
                None => app::today(),
            };
            let p = app::ach::prenotes::promote(&app, today).await.map_err(explain)?;
            println!("{} bank details became Active; {} prenotes still waiting", p.activated, p.still_waiting);
            // As the hourly housekeeping does: refunds held for these payees are decided again now.
            let r = app::refunds::certify::release_for(&app, &p.importer_ids, today).await.map_err(explain)?;
            if r.examined > 0 {
                println!("{} held refunds looked at again; {} released", r.examined, r.released);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_date(s: &str) -> anyhow::Result<app::Date> {
    app::ach::parse_iso_date(s).ok_or_else(|| anyhow::anyhow!("--today must be a date like 2026-12-01, not {s:?}"))
}

pub async fn replies(cfg: Config, cmd: RepliesCommand) -> anyhow::Result<ExitCode> {
    let RepliesCommand::Ingest { file } = cmd;
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let app = open(&cfg).await?;
    let r = app::ach::replies::ingest(&app, &bytes).await.map_err(explain)?;
    for t in &r.unknown_traces {
        eprintln!("trace number {t} names no prenote this system sent; it was recorded and not applied");
    }
    for p in &r.problems {
        eprintln!("{p}");
    }
    println!(
        "{} returns and {} corrections applied; {} items were already ingested; {} unknown trace numbers; {} problems",
        r.returns,
        r.corrections,
        r.already_ingested,
        r.unknown_traces.len(),
        r.problems.len()
    );
    Ok(if r.unknown_traces.is_empty() && r.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(3) })
}

pub async fn keys(cfg: Config, cmd: KeysCommand) -> anyhow::Result<ExitCode> {
    let KeysCommand::Rotate { new_key } = cmd;
    if new_key {
        anyhow::ensure!(
            std::env::var_os("ACE_DATA_KEY").is_none(),
            "the keys come from ACE_DATA_KEY: add a new `N:base64key` entry there yourself (for example from \
             `openssl rand -base64 32`), restart, then run `ace-refunds keys rotate` without --new-key"
        );
        let path =
            std::env::var_os("ACE_DATA_KEY_FILE").map(PathBuf::from).unwrap_or_else(|| cfg.data_dir.join("data.key"));
        let ring = crate::commands::data_keys(&cfg)?.with_new_key();
        let tmp = path.with_extension("key.new");
        let _ = std::fs::remove_file(&tmp);
        crate::commands::write_private(&tmp, &ring.to_text())?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot replace {}", path.display()))?;
        eprintln!(
            "added key version {} to {}; every instance needs the new file before it seals anything",
            ring.current_version(),
            path.display()
        );
    }
    let app = open(&cfg).await?;
    let r = app::ach::keys::rotate(&app).await.map_err(explain)?;
    println!(
        "re-encrypted {} account numbers and {} TOTP secrets under key version {}; {} were already current",
        r.account_numbers,
        r.totp_secrets,
        app.keys.current_version(),
        r.already_current
    );
    Ok(ExitCode::SUCCESS)
}

//! `ace-refunds nacha ...`: validate, describe, convert and generate NACHA ACH files.

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use nacha::generate::{GenSpec, generate};
use nacha::json::{FORMAT, InFile, JsonRecord, render_file};
use nacha::{Layout, ReadOptions, Reader, SecCode, read_file, validate_reader};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// NACHA subcommands.
#[derive(Debug, Subcommand)]
pub enum NachaCommand {
    /// Check a file against the NACHA rules; exit 0 if valid, 1 if not.
    Validate {
        /// The ACH file.
        file: PathBuf,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// Accept missing header/control records, wrong check digits, custom return/change codes and
        /// file control mismatches (reported as warnings).
        #[arg(long)]
        lenient: bool,
    },
    /// Readable listing of batches, entries, returns and NOCs.
    Describe {
        /// The ACH file.
        file: PathBuf,
        /// Show account numbers in full (masked by default).
        #[arg(long)]
        unmask: bool,
        /// Read leniently (see `validate --lenient`).
        #[arg(long)]
        lenient: bool,
    },
    /// Lossless JSON form of a file (one object per record).
    ToJson {
        /// The ACH file.
        file: PathBuf,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// NACHA file from the JSON written by `to-json`.
    FromJson {
        /// The JSON file.
        file: PathBuf,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Deterministic synthetic file of N credits (CCD+ with remittance addenda, or PPD).
    Generate {
        /// Number of entries.
        #[arg(long)]
        entries: u64,
        /// CCD or PPD.
        #[arg(long, default_value = "CCD")]
        sec: String,
        /// 0 reproduces the peer libraries' common data; other seeds vary amounts.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Zero-dollar prenotes (transaction code 23) instead of credits.
        #[arg(long)]
        prenote: bool,
        /// Leave out the 05 addenda of CCD entries.
        #[arg(long)]
        no_addenda: bool,
        /// Output file (written to a temporary file first, renamed when complete).
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs a NACHA subcommand.
pub fn run(cmd: NachaCommand) -> Result<ExitCode> {
    match cmd {
        NachaCommand::Validate { file, json, lenient } => validate(&file, json, lenient),
        NachaCommand::Describe { file, unmask, lenient } => describe(&file, unmask, lenient),
        NachaCommand::ToJson { file, out } => to_json(&file, out.as_deref()),
        NachaCommand::FromJson { file, out } => from_json(&file, out.as_deref()),
        NachaCommand::Generate { entries, sec, seed, prenote, no_addenda, out } => {
            let sec = match sec.to_ascii_uppercase().as_str() {
                "CCD" => SecCode::CCD,
                "PPD" => SecCode::PPD,
                other => bail!("--sec must be CCD or PPD, not {other:?}"),
            };
            let spec = GenSpec {
                entries,
                sec,
                seed,
                addenda: sec == SecCode::CCD && !no_addenda,
                prenote,
                batch_size: 100_000,
            };
            write_atomically(&out, |w| generate(w, &spec).map(|_| ()).map_err(|e| anyhow::anyhow!("{e}")))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn options(lenient: bool) -> ReadOptions {
    if lenient { ReadOptions::lenient() } else { ReadOptions::default() }
}

/// Writes through `f` into a temporary file next to `path`, renamed onto `path` only on success,
/// so a failure never leaves a partial file behind.
fn write_atomically(path: &Path, f: impl FnOnce(&mut BufWriter<File>) -> Result<()>) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().context("output path has no file name")?.to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.partial", std::process::id()));
    let result = (|| {
        let file = File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        f(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn validate(file: &Path, json: bool, lenient: bool) -> Result<ExitCode> {
    let f = File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let r = validate_reader(f, &options(lenient)).with_context(|| format!("reading {}", file.display()))?;
    if json {
        let v = serde_json::json!({
            "valid": r.valid,
            "batches": r.batches,
            "entries": r.entries,
            "addenda": r.addenda,
            "total_credit_cents": r.total_credit_cents,
            "total_debit_cents": r.total_debit_cents,
            "entry_hash": r.entry_hash,
            "errors": r.errors.iter().map(|e| serde_json::json!({
                "line": e.line, "record": e.record, "field": e.field, "value": e.value, "message": e.message,
            })).collect::<Vec<_>>(),
            "error_count": r.error_count,
            "warnings": r.warnings,
        });
        println!("{v}");
    } else {
        println!(
            "{}: {} batches, {} entries, {} addenda, credits {} , debits {}, entry hash {}",
            file.display(),
            r.batches,
            r.entries,
            r.addenda,
            nacha::types::format_cents(r.total_credit_cents),
            nacha::types::format_cents(r.total_debit_cents),
            r.entry_hash
        );
        for w in &r.warnings {
            println!("warning: {w}");
        }
        for e in &r.errors {
            println!("line {}: {} {} {:?}: {}", e.line, e.record, e.field, e.value, e.message);
        }
        if r.error_count > r.errors.len() as u64 {
            println!("... {} more errors", r.error_count - r.errors.len() as u64);
        }
        println!("{}", if r.valid { "VALID" } else { "INVALID" });
    }
    Ok(if r.valid { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Masks all but the last four characters.
pub fn mask(account: &str) -> String {
    let n = account.chars().count();
    if n <= 4 {
        return "*".repeat(n);
    }
    let tail: String = account.chars().skip(n - 4).collect();
    format!("{}{tail}", "*".repeat(n - 4))
}

fn describe(file: &Path, unmask: bool, lenient: bool) -> Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let f = read_file(&bytes, &options(lenient));
    let mut out = std::io::stdout().lock();
    if let Some(h) = f.header.as_ref().and_then(|h| h.file_header()) {
        writeln!(
            out,
            "File: from {} ({}) to {} ({}), created {} {}, id {}",
            String::from_utf8_lossy(h.immediate_origin()).trim(),
            h.origin_name(),
            String::from_utf8_lossy(h.immediate_destination()).trim(),
            h.destination_name(),
            String::from_utf8_lossy(h.creation_date()),
            String::from_utf8_lossy(h.creation_time()),
            String::from_utf8_lossy(h.file_id_modifier()),
        )?;
    } else {
        writeln!(out, "File: no file header")?;
    }
    for (bi, b) in f.batches.iter().enumerate() {
        match b.header.as_ref().and_then(|h| h.batch_header()) {
            Some(h) => writeln!(
                out,
                "Batch {} (line {}): {} {} company {} id {} \"{}\" effective {} ODFI {}",
                h.batch_number().unwrap_or(bi as u64 + 1),
                b.line,
                String::from_utf8_lossy(h.sec_code_raw()),
                h.service_class_code().map(|c| c.to_string()).unwrap_or_else(|| "?".into()),
                h.company_name(),
                String::from_utf8_lossy(h.company_identification()).trim(),
                h.entry_description(),
                String::from_utf8_lossy(h.effective_entry_date()),
                String::from_utf8_lossy(h.odfi()),
            )?,
            None => writeln!(out, "Batch {} (no batch header)", bi + 1)?,
        }
        for e in &b.entries {
            let Some(d) = e.record.entry() else { continue };
            let acct = d.account_number();
            writeln!(
                out,
                "  line {:>6}  {} {:>6} {} {}{} acct {:<17} {:>14} {:<22} trace {}",
                e.line,
                d.transaction_code_value().map(|c| format!("{c:02}")).unwrap_or_else(|| "??".into()),
                if d.is_credit() { "credit" } else { "debit" },
                String::from_utf8_lossy(d.rdfi_identification()),
                String::from_utf8_lossy(d.check_digit()),
                if d.transaction_code().is_some_and(|t| t.is_prenote()) { " prenote" } else { "" },
                if unmask { acct.to_string() } else { mask(&acct) },
                d.amount().map(nacha::types::format_cents).unwrap_or_else(|| "?".into()),
                d.individual_name(),
                String::from_utf8_lossy(d.trace_field()),
            )?;
            for (ln, a) in &e.addenda {
                let Some(ad) = a.addenda() else { continue };
                let code = ad.reason_code();
                let text = match a.layout {
                    Layout::Addenda05 => format!("remittance: {}", ad.payment_related_information()),
                    Layout::Addenda99 | Layout::Addenda99Dishonored | Layout::Addenda99Contested => format!(
                        "RETURN {} ({}) of trace {}",
                        String::from_utf8_lossy(code),
                        nacha::codes::returns::lookup(code).map(|c| c.reason).unwrap_or("unknown code"),
                        String::from_utf8_lossy(ad.original_trace_field()),
                    ),
                    Layout::Addenda98 | Layout::Addenda98Refused => {
                        let corr = match ad.correction() {
                            Some(Ok(c)) => {
                                let s = serde_json::to_string(&c).unwrap_or_default();
                                if unmask { s } else { mask_json_account(&s) }
                            }
                            Some(Err(e)) => format!("corrected data unreadable: {e}"),
                            None => String::from_utf8_lossy(ad.corrected_data()).trim().to_string(),
                        };
                        format!(
                            "NOC {} ({}) of trace {}: {}",
                            String::from_utf8_lossy(code),
                            nacha::codes::changes::lookup(code).map(|c| c.reason).unwrap_or("unknown code"),
                            String::from_utf8_lossy(ad.original_trace_field()),
                            corr
                        )
                    }
                    _ => format!("addenda {}", String::from_utf8_lossy(ad.type_code())),
                };
                writeln!(out, "  line {ln:>6}    {text}")?;
            }
        }
    }
    let r = &f.report;
    writeln!(
        out,
        "Totals: {} batches, {} entries, {} addenda, credits {}, debits {}, {} returns, {} NOCs, {}",
        r.batches,
        r.entries,
        r.addenda,
        nacha::types::format_cents(r.total_credit_cents),
        nacha::types::format_cents(r.total_debit_cents),
        r.returns,
        r.notifications_of_change,
        if r.valid { "valid".to_string() } else { format!("{} errors (run validate)", r.error_count) }
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Masks the value of an `"account_number":"..."` pair inside a JSON string.
fn mask_json_account(s: &str) -> String {
    const KEY: &str = "\"account_number\":\"";
    let Some(start) = s.find(KEY).map(|i| i + KEY.len()) else { return s.to_string() };
    let Some(len) = s[start..].find('"') else { return s.to_string() };
    format!("{}{}{}", &s[..start], mask(&s[start..start + len]), &s[start + len..])
}

fn to_json(file: &Path, out: Option<&Path>) -> Result<ExitCode> {
    let src = File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let emit = |w: &mut dyn Write| -> Result<()> {
        let mut reader = Reader::new(src, &ReadOptions::default());
        write!(w, "{{\"format\":\"{FORMAT}\",\"records\":[")?;
        let mut first = true;
        while let Some(item) = reader.next_record() {
            let line = item.map_err(|e| anyhow::anyhow!("line {}: {}", e.line, e.message))?;
            w.write_all(if first { b"\n" } else { b",\n" })?;
            first = false;
            serde_json::to_writer(&mut *w, &JsonRecord(&line.record))?;
        }
        if let Some(e) = reader.take_io_error() {
            return Err(e.into());
        }
        writeln!(w, "\n]}}")?;
        Ok(())
    };
    match out {
        Some(p) => write_atomically(p, |w| emit(w))?,
        None => {
            let mut w = BufWriter::new(std::io::stdout().lock());
            emit(&mut w)?;
            w.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn from_json(file: &Path, out: Option<&Path>) -> Result<ExitCode> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let doc: InFile = serde_json::from_str(&text).context("parsing JSON")?;
    let bytes = render_file(&doc).map_err(|e| anyhow::anyhow!(e))?;
    match out {
        Some(p) => write_atomically(p, |w| Ok(w.write_all(&bytes)?))?,
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

//! `ace-refunds nacha ...`: validate, describe, convert and generate NACHA ACH files, and answer
//! one as a receiving bank would (`respond`).

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use nacha::codes::changes::layout_corrected_data;
use nacha::generate::{GenSpec, generate};
use nacha::json::{FORMAT, InFile, JsonRecord, render_file};
use nacha::{Answer, Layout, ReadOptions, Reader, RespondOptions, SecCode, read_file, respond, validate_reader};
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
    /// Play the receiving bank (tests, demos): answer entries of a file, such as prenotes, with
    /// returns and notifications of change, written as the bank's reply file.
    #[command(after_help = "Examples:\n  \
        ace-refunds nacha respond --in prenotes.ach --out reply.ach --return 121042880000001:R03\n  \
        ace-refunds nacha respond --in prenotes.ach --out reply.ach --change 121042880000002:C01:987654321 \\\n      \
        --change 121042880000003:C03:011000015:987654321 --change 121042880000004:C05:32")]
    Respond {
        /// The file to answer (a valid NACHA file we sent).
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
        /// The reply file to write (written to a temporary file first, renamed when complete).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Return the entry with this trace number with a return reason code (R02 account closed,
        /// R03 no account, R04 invalid account number, R13 invalid routing, ...). Repeatable.
        #[arg(long = "return", value_name = "TRACE:CODE")]
        returns: Vec<String>,
        /// Notify a change for the entry with this trace number. The values follow the code in NACHA
        /// order, separated by colons: C01 account; C02 routing; C03 routing:account; C05
        /// transaction code; C06 account:transaction code; C07 routing:account:transaction code.
        /// Repeatable.
        #[arg(long = "change", value_name = "TRACE:CODE:VALUES")]
        changes: Vec<String>,
        /// Creation and effective entry date of the reply, YYMMDD (default: today, UTC).
        #[arg(long, value_name = "YYMMDD")]
        date: Option<String>,
        /// Creation time of the reply, HHMM (default: now, UTC).
        #[arg(long, value_name = "HHMM")]
        time: Option<String>,
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
        NachaCommand::Respond { input, out, returns, changes, date, time } => {
            respond_cmd(&input, &out, &returns, &changes, date, time)
        }
    }
}

/// The trace number before the first colon of a `--return` or `--change` value, and the rest.
fn split_trace<'a>(flag: &str, arg: &'a str, example: &str) -> Result<(u64, &'a str)> {
    let Some((trace, rest)) = arg.split_once(':') else {
        bail!("--{flag} {arg:?} has no colon: write it as {example}.");
    };
    if trace.is_empty() || trace.len() > 15 || !trace.bytes().all(|b| b.is_ascii_digit()) {
        bail!("--{flag} {arg:?}: the trace number must be up to 15 digits, as in {example}.");
    }
    Ok((trace.parse()?, rest))
}

/// `TRACE:R03` into a return answer.
fn parse_return(arg: &str) -> Result<(u64, Answer)> {
    let (trace, code) = split_trace("return", arg, "121042880000001:R03")?;
    Ok((trace, Answer::Return(code.trim().to_ascii_uppercase())))
}

/// `TRACE:C03:ROUTING:ACCOUNT` into a change answer, its values laid out for the code.
fn parse_change(arg: &str) -> Result<(u64, Answer)> {
    let (trace, rest) = split_trace("change", arg, "121042880000001:C01:987654321")?;
    let Some((code, values)) = rest.split_once(':') else {
        bail!("--change {arg:?} has no values after the change code: write it as 121042880000001:C01:987654321.");
    };
    let code = code.trim().to_ascii_uppercase();
    let parts: Vec<&str> = values.split(':').collect();
    let corrected_data = layout_corrected_data(&code, &parts).map_err(|e| anyhow::anyhow!("--change {arg:?}: {e}."))?;
    Ok((trace, Answer::Change { code, corrected_data }))
}

fn respond_cmd(
    input: &Path,
    out: &Path,
    returns: &[String],
    changes: &[String],
    date: Option<String>,
    time: Option<String>,
) -> Result<ExitCode> {
    let mut answers = Vec::with_capacity(returns.len() + changes.len());
    for r in returns {
        answers.push(parse_return(r)?);
    }
    for c in changes {
        answers.push(parse_change(c)?);
    }
    if answers.is_empty() {
        bail!("nothing to answer: give at least one --return TRACE:CODE or --change TRACE:CODE:VALUES.");
    }
    let now = time::OffsetDateTime::now_utc();
    let date = date.unwrap_or_else(|| format!("{:02}{:02}{:02}", now.year() % 100, u8::from(now.month()), now.day()));
    let time = time.unwrap_or_else(|| format!("{:02}{:02}", now.hour(), now.minute()));
    let original = std::fs::read(input).with_context(|| format!("reading {}", input.display()))?;
    let reply = respond(&original, &answers, &RespondOptions::on(&date, &time))
        .map_err(|e| anyhow::anyhow!("cannot answer {}: {e}.", input.display()))?;
    write_atomically(out, |w| Ok(w.write_all(&reply)?))?;
    println!(
        "{}: {} return(s) and {} notification(s) of change answering {}",
        out.display(),
        returns.len(),
        changes.len(),
        input.display()
    );
    Ok(ExitCode::SUCCESS)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn respond_arguments() {
        assert_eq!(parse_return("121042880000001:r03").unwrap(), (121_042_880_000_001, Answer::Return("R03".into())));
        let (t, a) = parse_change("121042880000002:C03:011000015:987654321").unwrap();
        assert_eq!(t, 121_042_880_000_002);
        assert_eq!(a, Answer::Change { code: "C03".into(), corrected_data: format!("{:<12}987654321", "011000015") });
        let e = |r: Result<(u64, Answer)>| r.unwrap_err().to_string();
        assert!(e(parse_return("R03")).contains("has no colon"));
        assert!(e(parse_return("12x:R03")).contains("up to 15 digits"));
        assert!(e(parse_change("1:C01")).contains("no values after the change code"));
        assert!(e(parse_change("1:C03:011000015")).contains("takes 2 value(s)"));
        assert!(e(parse_change("1:C02:011000016")).contains("check digit"));
    }
}

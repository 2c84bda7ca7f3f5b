//! Small driver used by bench/nacha scripts (works before the `ace-refunds` binary is wired):
//!   nacha_tool gen N OUT [ccd|ppd|prenote] [seed]   write a synthetic file, print timing JSON
//!   nacha_tool check FILE                          validate, print summary JSON (exit 1 if invalid)
use nacha::generate::{GenSpec, generate};
use nacha::{ReadOptions, SecCode, validate_reader};
use std::io::BufWriter;
use std::time::Instant;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let code = match a.get(1).map(String::as_str) {
        Some("gen") if a.len() >= 4 => {
            let n: u64 = a[2].parse().unwrap_or(0);
            let kind = a.get(4).map(String::as_str).unwrap_or("ccd");
            let seed = a.get(5).and_then(|s| s.parse().ok()).unwrap_or(0);
            let spec = match kind {
                "ppd" => GenSpec { sec: SecCode::PPD, addenda: false, seed, ..GenSpec::new(n) },
                "prenote" => GenSpec { sec: SecCode::PPD, addenda: false, prenote: true, seed, ..GenSpec::new(n) },
                _ => GenSpec { seed, ..GenSpec::new(n) },
            };
            let t = Instant::now();
            let file = match std::fs::File::create(&a[3]) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("{}: {e}", a[3]);
                    std::process::exit(2)
                }
            };
            match generate(BufWriter::with_capacity(1 << 20, file), &spec) {
                Ok(_) => {
                    let bytes = std::fs::metadata(&a[3]).map(|m| m.len()).unwrap_or(0);
                    println!(
                        "{{\"lib\":\"nacha-rs\",\"op\":\"gen\",\"n\":{n},\"seconds\":{:.6},\"bytes\":{bytes}}}",
                        t.elapsed().as_secs_f64()
                    );
                    0
                }
                Err(e) => {
                    eprintln!("{e}");
                    let _ = std::fs::remove_file(&a[3]);
                    2
                }
            }
        }
        Some("check") if a.len() >= 3 => {
            let t = Instant::now();
            let r = std::fs::File::open(&a[2]).and_then(|f| validate_reader(f, &ReadOptions::default()));
            match r {
                Ok(r) => {
                    println!(
                        "{{\"lib\":\"nacha-rs\",\"op\":\"parse\",\"file\":\"{}\",\"batches\":{},\"entries\":{},\"credit_cents\":{},\"seconds\":{:.6},\"valid\":{}}}",
                        a[2],
                        r.batches,
                        r.entries,
                        r.total_credit_cents,
                        t.elapsed().as_secs_f64(),
                        r.valid
                    );
                    if r.valid { 0 } else { 1 }
                }
                Err(e) => {
                    eprintln!("{}: {e}", a[2]);
                    2
                }
            }
        }
        _ => {
            eprintln!("usage: nacha_tool gen N OUT [ccd|ppd|prenote] [seed] | nacha_tool check FILE");
            2
        }
    };
    std::process::exit(code);
}

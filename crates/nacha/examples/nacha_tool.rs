//! Small driver used by bench/nacha scripts (works before the `ace-refunds` binary is wired):
//!   nacha_tool gen N OUT [ccd|ccd0|ppd|prenote] [seed]   write a synthetic file, print timing JSON
//!   nacha_tool check FILE                          validate, print summary JSON (exit 1 if invalid)
use nacha::generate::{GenSpec, generate};
use nacha::{ReadOptions, SecCode, validate_reader};
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
                "ccd0" => GenSpec { addenda: false, seed, ..GenSpec::new(n) },
                "prenote" => GenSpec { sec: SecCode::PPD, addenda: false, prenote: true, seed, ..GenSpec::new(n) },
                _ => GenSpec { seed, ..GenSpec::new(n) },
            };
            // Like the peer scripts: time building the file in memory, then write it out.
            if n > 1_000_000 {
                // Large files stream straight to disk (constant memory).
                let t = Instant::now();
                let r = std::fs::File::create(&a[3]).map_err(|e| e.to_string()).and_then(|f| {
                    generate(std::io::BufWriter::with_capacity(1 << 20, f), &spec).map_err(|e| e.to_string())
                });
                let secs = t.elapsed().as_secs_f64();
                if let Err(e) = r {
                    eprintln!("{e}");
                    let _ = std::fs::remove_file(&a[3]);
                    std::process::exit(2);
                }
                let bytes = std::fs::metadata(&a[3]).map(|m| m.len()).unwrap_or(0);
                println!("{{\"lib\":\"nacha-rs\",\"op\":\"gen\",\"n\":{n},\"seconds\":{secs:.6},\"bytes\":{bytes}}}");
                std::process::exit(0);
            }
            let t = Instant::now();
            let built = generate(Vec::with_capacity((n as usize + 16) * 200), &spec);
            let secs = t.elapsed().as_secs_f64();
            match built
                .map_err(|e| e.to_string())
                .and_then(|b| std::fs::write(&a[3], &b).map(|_| b.len()).map_err(|e| e.to_string()))
            {
                Ok(bytes) => {
                    println!(
                        "{{\"lib\":\"nacha-rs\",\"op\":\"gen\",\"n\":{n},\"seconds\":{secs:.6},\"bytes\":{bytes}}}"
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
            eprintln!("usage: nacha_tool gen N OUT [ccd|ccd0|ppd|prenote] [seed] | nacha_tool check FILE");
            2
        }
    };
    std::process::exit(code);
}

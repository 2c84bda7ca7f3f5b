//! Prints the validation summary of every file given on the command line (used to review a corpus).
//! usage: cargo run -p nacha --example survey -- FILE...
fn main() {
    for path in std::env::args().skip(1) {
        let Ok(bytes) = std::fs::read(&path) else {
            println!("{path}: unreadable");
            continue;
        };
        let r = nacha::validate_bytes(&bytes, &nacha::ReadOptions::default());
        let name = path.rsplit('/').next().unwrap_or(&path);
        println!(
            "{name}: valid={} batches={} entries={} addenda={} credit={} debit={} errors={}",
            r.valid, r.batches, r.entries, r.addenda, r.total_credit_cents, r.total_debit_cents, r.error_count
        );
        for e in r.errors.iter().take(4) {
            println!("    line {} {} {} {:?}: {}", e.line, e.record, e.field, e.value, e.message);
        }
    }
}

//! Synthetic data for the refund ledger's benchmarks (bench/refunds/run.sh): `importers.csv`
//! (Form 5106 records, for `importer import`), `refunds.csv` (for `refunds import`) and
//! `bills.csv` (for `bills import`), deterministic for a seed. The same generator as
//! `ace-refunds demo seed` (`app::demo::synthetic`): importers of every number shape, refunds
//! over the last two years and every source, some naming their importer's notify party, open
//! bills for about one importer in twenty. (Accounts, bank details and notify parties are not
//! in these files: `demo seed` writes them.)
//!
//! cargo run --release -p app --example refund_data -- --importers 10000 --refunds 1000000 --seed 1 --out DIR
//!
//! The first importer gets `--focus-refunds` of the refunds (default: min(refunds / 100, 100,000)).

use std::io::{BufWriter, Write};

use app::demo::synthetic::Synthetic;

/// A CSV field: quoted when it holds a comma or a quote (generated names can hold `&`, never
/// a quote, but the rule costs nothing).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: &str| {
        args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned().unwrap_or_else(|| default.into())
    };
    let importers: u64 = arg("--importers", "1000").parse().unwrap_or(1000).max(2);
    let refunds: u64 = arg("--refunds", "100000").parse().unwrap_or(100_000);
    let focus: u64 = arg("--focus-refunds", &(refunds / 100).min(100_000).to_string()).parse().unwrap_or(0);
    let seed: u64 = arg("--seed", "1").parse().unwrap_or(1);
    let out = std::path::PathBuf::from(arg("--out", "."));
    std::fs::create_dir_all(&out)?;
    let s = Synthetic::new(seed, importers, app::today());

    let mut f = BufWriter::new(std::fs::File::create(out.join("importers.csv"))?);
    writeln!(
        f,
        "importer_number,name,company_type,number_uses,cbp_reasons,physical_line1,physical_city,physical_state,\
         physical_postal_code,phone,email"
    )?;
    let mut numbers = Vec::with_capacity(importers as usize);
    for i in 0..importers {
        let d = s.draft(i);
        let a = d.physical_address.unwrap_or_default();
        writeln!(
            f,
            "{},{},{},{},{},{},{},{},{},{},{}",
            d.importer_number,
            field(&d.name),
            d.company_type,
            d.number_uses.join(";"),
            field(&d.cbp_reasons),
            field(&a.line1),
            field(&a.city),
            a.state,
            a.postal_code,
            d.phone,
            d.email
        )?;
        numbers.push(d.importer_number);
    }
    f.flush()?;

    let mut f = BufWriter::new(std::fs::File::create(out.join("bills.csv"))?);
    writeln!(f, "bill_number,importer_number,amount,bill_date")?;
    for i in 0..importers {
        if let Some(b) = s.bill(i) {
            let n = &numbers[i as usize];
            writeln!(f, "{},{n},{}.{:02},{}", b.number, b.amount_cents / 100, b.amount_cents % 100, b.date)?;
        }
    }
    f.flush()?;

    let mut f = BufWriter::with_capacity(1 << 20, std::fs::File::create(out.join("refunds.csv"))?);
    writeln!(
        f,
        "refund_number,importer_number,entry_number,source,principal,deposit_date,liquidation_date,notify_party"
    )?;
    for r in s.refunds(refunds, focus) {
        let party = r.notify_party.map(|p| numbers[p as usize].as_str()).unwrap_or("");
        writeln!(
            f,
            "{},{},{},{},{}.{:02},{},{},{party}",
            r.number,
            numbers[r.importer as usize],
            r.entry,
            r.source.code(),
            r.principal_cents / 100,
            r.principal_cents % 100,
            r.deposit,
            r.liquidation
        )?;
    }
    f.flush()
}

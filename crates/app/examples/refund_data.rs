//! Synthetic data for the refund ledger's benchmarks (bench/refunds/run.sh): `importers.csv`
//! (Form 5106 records, for `importer import`), `refunds.csv` (for `refunds import`) and
//! `bills.csv` (for `bills import`), deterministic for a seed.
//!
//! cargo run --release -p app --example refund_data -- --importers 10000 --refunds 1000000 --seed 1 --out DIR
//!
//! Refunds spread over two years of liquidation dates and every source; one in eight names a
//! notify party (another importer of the set); one importer in twenty has an open bill.

use std::io::{BufWriter, Write};

use domain::refund::EntryNumber;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: fast, deterministic, good enough to spread test data.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn importer_number(i: u64) -> String {
    // EIN prefixes 10..=99 (never 00), suffix 00.
    format!("{}-{:07}00", 10 + (i / 10_000_000) % 90, i % 10_000_000)
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: &str| {
        args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned().unwrap_or_else(|| default.into())
    };
    let importers: u64 = arg("--importers", "1000").parse().unwrap_or(1000).max(2);
    let refunds: u64 = arg("--refunds", "100000").parse().unwrap_or(100_000);
    let mut rng = Rng(arg("--seed", "1").parse::<u64>().unwrap_or(1) | 1);
    let out = std::path::PathBuf::from(arg("--out", "."));
    std::fs::create_dir_all(&out)?;

    let mut f = BufWriter::new(std::fs::File::create(out.join("importers.csv"))?);
    writeln!(
        f,
        "importer_number,name,company_type,number_uses,physical_line1,physical_city,physical_state,physical_postal_code,email"
    )?;
    for i in 0..importers {
        let kind = if i % 3 == 0 { "partnership" } else { "corporation" };
        writeln!(
            f,
            "{},Importer {i} Inc,{kind},importer_of_record,{} Harbor Way,Baltimore,MD,21201,ops{i}@importer.example",
            importer_number(i),
            1 + i % 999
        )?;
    }
    f.flush()?;

    let mut f = BufWriter::new(std::fs::File::create(out.join("bills.csv"))?);
    writeln!(f, "bill_number,importer_number,amount,bill_date")?;
    for i in (0..importers).step_by(20) {
        writeln!(f, "B{i},{},{}.00,2024-01-15", importer_number(i), 100 + rng.below(5_000))?;
    }
    f.flush()?;

    let sources = ["liquidation", "reliquidation", "protest", "drawback", "pre_liquidation", "psc", "cape", "other"];
    let filers: Vec<String> = (0..50).map(|i| format!("{:03}", 100 + i * 7)).collect();
    let start = time::macros::date!(2024 - 01 - 01);
    let mut f = BufWriter::with_capacity(1 << 20, std::fs::File::create(out.join("refunds.csv"))?);
    writeln!(
        f,
        "refund_number,importer_number,entry_number,source,principal,deposit_date,liquidation_date,notify_party"
    )?;
    for n in 0..refunds {
        let i = rng.below(importers);
        let filer = &filers[rng.below(filers.len() as u64) as usize];
        let entry = EntryNumber::from_parts(filer, &format!("{:07}", rng.below(10_000_000)))
            .map(|e| e.to_string())
            .unwrap_or_default();
        let source = sources[rng.below(sources.len() as u64) as usize];
        let liq = start + time::Duration::days(rng.below(700) as i64);
        let dep = liq - time::Duration::days(rng.below(400) as i64);
        let cents = 100 + rng.below(5_000_000);
        let party = if rng.below(8) == 0 { importer_number((i + 1) % importers) } else { String::new() };
        writeln!(
            f,
            "R{n:09},{},{entry},{source},{}.{:02},{dep},{liq},{party}",
            importer_number(i),
            cents / 100,
            cents % 100
        )?;
    }
    f.flush()
}

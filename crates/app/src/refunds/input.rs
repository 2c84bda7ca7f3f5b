//! One refund as submitted (a CSV line, an API object), checked field by field before anything
//! touches the database. The same checks serve the CSV import, the API and the staff page.

use domain::refund::dates::parse_iso_date;
use domain::refund::{Cents, EntryNumber, RefundSource};
use domain::{FieldErrors, ImporterNumber};
use sha2::{Digest, Sha256};
use time::Date;

/// The CSV header, exactly (docs/refunds.md).
pub const CSV_HEADER: [&str; 8] = [
    "refund_number",
    "importer_number",
    "entry_number",
    "source",
    "principal",
    "deposit_date",
    "liquidation_date",
    "notify_party",
];

/// The largest refund number accepted, in characters.
const MAX_REFUND_NUMBER: usize = 40;

/// A refund's fields as text, as a file or a form gives them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RefundFields {
    #[serde(default)]
    pub refund_number: String,
    pub importer_number: String,
    pub entry_number: String,
    pub source: String,
    /// Dollars with two decimals, e.g. `1234.56`.
    pub principal: String,
    pub deposit_date: String,
    pub liquidation_date: String,
    #[serde(default)]
    pub notify_party: String,
}

/// A refund whose fields are each well formed (whether its importers exist is checked later,
/// against the registry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRefund {
    pub refund_number: String,
    pub importer: ImporterNumber,
    pub entry: EntryNumber,
    pub source: RefundSource,
    pub principal: Cents,
    pub deposit: Date,
    pub liquidation: Date,
    pub notify_party: Option<ImporterNumber>,
}

/// Control characters (NUL, BEL, ...) and the bidirectional overrides that can make a number
/// read differently from what is stored.
pub(crate) fn hostile_char(s: &str) -> bool {
    s.chars().any(|c| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
}

/// Checks every field and reports every problem (field name, what to fix). `today` bounds the
/// dates: a refund cannot be liquidated in the future.
pub fn check(f: &RefundFields, today: Date) -> Result<CheckedRefund, FieldErrors> {
    let mut errs = FieldErrors::default();
    let fields = [
        ("refund_number", &f.refund_number),
        ("importer_number", &f.importer_number),
        ("entry_number", &f.entry_number),
        ("source", &f.source),
        ("principal", &f.principal),
        ("deposit_date", &f.deposit_date),
        ("liquidation_date", &f.liquidation_date),
        ("notify_party", &f.notify_party),
    ];
    for (name, value) in fields {
        if hostile_char(value) {
            errs.add(name, "contains a control or text-direction character; remove it and try again");
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let number = f.refund_number.trim();
    if number.len() > MAX_REFUND_NUMBER {
        errs.add("refund_number", format!("is longer than {MAX_REFUND_NUMBER} characters"));
    } else if !number.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        errs.add("refund_number", "may hold only letters, digits, '-' and '_'");
    }
    let importer =
        ImporterNumber::parse(f.importer_number.trim()).map_err(|e| errs.add("importer_number", e.to_string())).ok();
    let entry = EntryNumber::parse(f.entry_number.trim()).map_err(|e| errs.add("entry_number", e.to_string())).ok();
    let source = RefundSource::from_code(f.source.trim())
        .ok_or(())
        .map_err(|_| {
            errs.add(
                "source",
                format!("'{}' is not a refund source; use one of {}", f.source.trim(), RefundSource::codes()),
            )
        })
        .ok();
    let principal = match Cents::parse_dollars(f.principal.trim()) {
        Ok(c) if c.get() <= 0 => {
            errs.add("principal", "must be more than $0.00");
            None
        }
        Ok(c) => Some(c),
        Err(e) => {
            errs.add("principal", e.to_string());
            None
        }
    };
    let date = |errs: &mut FieldErrors, name: &str, v: &str| {
        let d = parse_iso_date(v.trim());
        match d {
            None => errs.add(name, "is not a date; write it as YYYY-MM-DD"),
            Some(d) if d > today => errs.add(name, format!("{d} is in the future")),
            Some(_) => {}
        }
        d.filter(|d| *d <= today)
    };
    let deposit = date(&mut errs, "deposit_date", &f.deposit_date);
    let liquidation = date(&mut errs, "liquidation_date", &f.liquidation_date);
    if let (Some(d), Some(l)) = (deposit, liquidation)
        && d > l
    {
        errs.add("deposit_date", format!("{d} is after the liquidation date {l}"));
    }
    let notify_party = match f.notify_party.trim() {
        "" => None,
        s => ImporterNumber::parse(s).map_err(|e| errs.add("notify_party", e.to_string())).ok(),
    };
    if let (Some(i), Some(p)) = (&importer, &notify_party)
        && i == p
    {
        errs.add("notify_party", "names the importer itself; leave it empty");
    }
    match (importer, entry, source, principal, deposit, liquidation, errs.is_empty()) {
        (Some(importer), Some(entry), Some(source), Some(principal), Some(deposit), Some(liquidation), true) => {
            let refund_number = if number.is_empty() {
                generated_number(&importer, &entry, source, principal, deposit, liquidation)
            } else {
                number.to_ascii_uppercase()
            };
            Ok(CheckedRefund { refund_number, importer, entry, source, principal, deposit, liquidation, notify_party })
        }
        _ => Err(errs),
    }
}

/// A refund number for a row that has none: derived from the row's facts, so the same row
/// imported again gets the same number and is recognised as "unchanged" instead of paid twice.
fn generated_number(
    importer: &ImporterNumber,
    entry: &EntryNumber,
    source: RefundSource,
    principal: Cents,
    deposit: Date,
    liquidation: Date,
) -> String {
    let mut h = Sha256::new();
    let facts = format!(
        "{}|{}|{}|{}|{deposit}|{liquidation}",
        importer.canonical(),
        entry.compact(),
        source.code(),
        principal.get()
    );
    h.update(facts.as_bytes());
    let digest = h.finalize();
    format!("G{}", hex::encode_upper(&digest[..8]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn good() -> RefundFields {
        RefundFields {
            refund_number: "R-1".into(),
            importer_number: "12-345678900".into(),
            entry_number: "614-0000275-6".into(),
            source: "liquidation".into(),
            principal: "10000.00".into(),
            deposit_date: "2025-03-03".into(),
            liquidation_date: "2025-12-01".into(),
            notify_party: String::new(),
        }
    }

    #[test]
    fn a_good_row_passes() {
        let r = check(&good(), date!(2026 - 01 - 01)).unwrap();
        assert_eq!(r.refund_number, "R-1");
        assert_eq!(r.principal.get(), 1_000_000);
        assert_eq!(r.entry.filer_code(), "614");
    }

    #[test]
    fn every_bad_field_is_named() {
        let today = date!(2026 - 01 - 01);
        type Mutate = fn(&mut RefundFields);
        let cases: Vec<(Mutate, &str)> = vec![
            (|f| f.importer_number = "12-3".into(), "importer_number"),
            (|f| f.entry_number = "614-0000275-5".into(), "entry_number"),
            (|f| f.source = "gift".into(), "source"),
            (|f| f.principal = "-5.00".into(), "principal"),
            (|f| f.principal = "0.00".into(), "principal"),
            (|f| f.principal = "10000000000.01".into(), "principal"),
            (|f| f.deposit_date = "2025-13-01".into(), "deposit_date"),
            (|f| f.deposit_date = "2025-12-02".into(), "deposit_date"),
            (|f| f.liquidation_date = "2026-02-01".into(), "liquidation_date"),
            (|f| f.notify_party = "nope".into(), "notify_party"),
            (|f| f.notify_party = "12-345678900".into(), "notify_party"),
            (|f| f.refund_number = "R\u{0}1".into(), "refund_number"),
            (|f| f.importer_number = "12-3456789\u{202E}00".into(), "importer_number"),
            (|f| f.refund_number = "R 1".into(), "refund_number"),
        ];
        for (mutate, field) in cases {
            let mut f = good();
            mutate(&mut f);
            let e = check(&f, today).unwrap_err();
            assert!(e.get(field).is_some(), "{field}: {}", e.summary());
        }
    }

    #[test]
    fn a_missing_number_is_derived_from_the_facts() {
        let mut f = good();
        f.refund_number = String::new();
        let a = check(&f, date!(2026 - 01 - 01)).unwrap().refund_number;
        let b = check(&f, date!(2026 - 01 - 01)).unwrap().refund_number;
        assert_eq!(a, b);
        assert!(a.starts_with('G') && a.len() == 17, "{a}");
        f.principal = "10000.01".into();
        assert_ne!(check(&f, date!(2026 - 01 - 01)).unwrap().refund_number, a);
    }
}

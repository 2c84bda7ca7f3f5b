//! Rate tables as CSV files: reading a whole table, writing one, and merging an update into a
//! table.
//!
//! The file is UTF-8 (a byte-order mark is accepted, as spreadsheets write one), lines end in LF or
//! CRLF, and the first line is exactly [`RATES_CSV_HEADER`]. Each further line is one quarter:
//!
//! ```text
//! effective_from,overpayment_pct,corporate_overpayment_pct,underpayment_pct
//! 2026-01-01,7,6,7
//! ```
//!
//! Dates are `YYYY-MM-DD` and must start a quarter; rates are percents (`7`, `6.5`, `4.25`) without
//! `%`. A value may be wrapped in double quotes. Blank lines are skipped. Every problem is reported
//! with its line and column, all of them at once, so a file is fixed in one pass.

use std::collections::BTreeMap;
use std::fmt;

use time::Date;

use super::dates::{is_quarter_start, parse_iso_date};
use super::percent::Percent;
use super::rates::{RateRow, RateTable, RateTableError, check_rows};
use crate::FieldErrors;

/// The header line a rate file must start with.
pub const RATES_CSV_HEADER: &str = "effective_from,overpayment_pct,corporate_overpayment_pct,underpayment_pct";

const COLUMNS: [&str; 4] = ["effective_from", "overpayment_pct", "corporate_overpayment_pct", "underpayment_pct"];

/// One problem in a rate file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateCsvError {
    /// The 1-based line number (the header is line 1).
    pub line: usize,
    /// The column concerned, by its header name; `None` for a whole line or the whole file.
    pub field: Option<&'static str>,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl fmt::Display for RateCsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            Some(field) => write!(f, "line {}, {field}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Every problem found in a rate file, in line order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateCsvErrors(pub Vec<RateCsvError>);

impl fmt::Display for RateCsvErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for RateCsvErrors {}

impl RateCsvErrors {
    /// The problems as field errors for a form or an API answer: the field is `line N` or
    /// `line N, column`.
    pub fn to_field_errors(&self) -> FieldErrors {
        let mut out = FieldErrors::default();
        for e in &self.0 {
            let field = match e.field {
                Some(c) => format!("line {}, {c}", e.line),
                None => format!("line {}", e.line),
            };
            out.add(&field, e.message.clone());
        }
        out
    }
}

/// What a merge did to one quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateChange {
    /// A quarter the table did not have.
    Added(RateRow),
    /// A quarter whose rates changed.
    Replaced {
        /// The rates before the merge.
        old: RateRow,
        /// The rates from the file.
        new: RateRow,
    },
    /// A quarter the file repeats with the same rates.
    Unchanged(RateRow),
}

/// The result of [`RateTable::merge_csv`]: the new table and what changed, quarter by quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct RateMerge {
    /// The merged table.
    pub table: RateTable,
    /// One entry per row of the file, in date order.
    pub changes: Vec<RateChange>,
}

fn err(line: usize, field: Option<&'static str>, message: impl Into<String>) -> RateCsvError {
    RateCsvError { line, field, message: message.into() }
}

/// Reads the rows of a rate file, each with its line number, or every problem of the file's own
/// lines (bad values, duplicate quarters, corporate above non-corporate). Gaps are left to the
/// caller, which knows whether the file is a whole table or an update.
fn parse_rows(text: &str) -> Result<Vec<(usize, RateRow)>, RateCsvErrors> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).enumerate();
    let header = lines.next().map(|(_, h)| h.trim_end()).unwrap_or("");
    if header != RATES_CSV_HEADER {
        return Err(RateCsvErrors(vec![err(
            1,
            None,
            format!("the first line must be exactly the header {RATES_CSV_HEADER}"),
        )]));
    }
    let mut errors = Vec::new();
    let mut rows: Vec<(usize, RateRow)> = Vec::new();
    for (i, raw) in lines {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let values: Vec<&str> = raw.split(',').map(|v| unquote(v.trim())).collect();
        if values.len() != COLUMNS.len() {
            errors.push(err(
                line,
                None,
                format!(
                    "a row has {} values separated by commas ({}); this one has {}",
                    COLUMNS.len(),
                    COLUMNS.join(", "),
                    values.len()
                ),
            ));
            continue;
        }
        let before = errors.len();
        let date = match parse_iso_date(values[0]) {
            None => {
                errors.push(err(line, Some(COLUMNS[0]), "write the date as YYYY-MM-DD, e.g. 2026-04-01"));
                None
            }
            Some(d) if !is_quarter_start(d) => {
                errors.push(err(line, Some(COLUMNS[0]), RateTableError::NotQuarterStart(d).to_string()));
                None
            }
            Some(d) => Some(d),
        };
        let mut rates = [Percent::default(); 3];
        for (k, rate) in rates.iter_mut().enumerate() {
            match Percent::parse(values[k + 1]) {
                Ok(p) => *rate = p,
                Err(e) => errors.push(err(line, Some(COLUMNS[k + 1]), e.to_string())),
            }
        }
        if let (Some(effective_from), true) = (date, errors.len() == before) {
            let row = RateRow {
                effective_from,
                overpayment: rates[0],
                corporate_overpayment: rates[1],
                underpayment: rates[2],
            };
            rows.push((line, row));
        }
    }
    // Duplicates and swapped columns, reported on the row's line (gaps are the caller's business).
    let only_rows: Vec<RateRow> = rows.iter().map(|(_, r)| *r).collect();
    for (idx, e) in check_rows(&only_rows) {
        let line = rows[idx].0;
        match e {
            RateTableError::Duplicate(d) => {
                let first = rows.iter().find(|(_, r)| r.effective_from == d).map_or(line, |(l, _)| *l);
                errors.push(err(
                    line,
                    Some(COLUMNS[0]),
                    format!("the quarter starting {d} is already on line {first}; keep one row per quarter"),
                ));
            }
            RateTableError::CorporateAboveOverpayment(_) => errors.push(err(line, Some(COLUMNS[2]), e.to_string())),
            RateTableError::Gap { .. } | RateTableError::NotQuarterStart(_) | RateTableError::Empty => {}
        }
    }
    if errors.is_empty() && rows.is_empty() {
        errors.push(err(1, None, "the file has no rates under the header; add one row per quarter"));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(RateCsvErrors(errors))
    }
}

/// Removes one pair of surrounding double quotes.
fn unquote(v: &str) -> &str {
    v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).map_or(v, str::trim)
}

/// Gap errors of `rows` sorted by date, each reported on the line of the row after the gap when it
/// has one, else on the line of the row before it (`None` lines are rows already in a table).
fn gap_errors(rows: &[(Option<usize>, RateRow)]) -> Vec<RateCsvError> {
    let mut out = Vec::new();
    for pair in rows.windows(2) {
        let ((before_line, before), (after_line, after)) = (&pair[0], &pair[1]);
        let (Some(from), Some(to)) = (before.last_day().next_day(), after.effective_from.previous_day()) else {
            continue;
        };
        if from < after.effective_from {
            let line = after_line.or(*before_line).unwrap_or(1);
            out.push(err(line, Some(COLUMNS[0]), RateTableError::Gap { from, to }.to_string()));
        }
    }
    out
}

impl RateTable {
    /// Reads a whole rate table from CSV (see the module documentation for the format). The
    /// quarters may come in any order but none may be missing between the first and the last.
    pub fn from_csv(text: &str) -> Result<RateTable, RateCsvErrors> {
        let mut rows = parse_rows(text)?;
        rows.sort_by_key(|(_, r)| r.effective_from);
        let with_lines: Vec<(Option<usize>, RateRow)> = rows.iter().map(|(l, r)| (Some(*l), *r)).collect();
        let gaps = gap_errors(&with_lines);
        if !gaps.is_empty() {
            return Err(RateCsvErrors(gaps));
        }
        RateTable::from_rows(rows.into_iter().map(|(_, r)| r).collect()).map_err(|errors| {
            // Unreachable after the checks above; kept as an error rather than a panic.
            RateCsvErrors(errors.into_iter().map(|e| err(1, None, e.to_string())).collect())
        })
    }

    /// The table as a CSV file that [`RateTable::from_csv`] reads back (LF line ends, no BOM).
    pub fn to_csv(&self) -> String {
        let mut out = String::with_capacity(80 + 24 * self.rows().len());
        out.push_str(RATES_CSV_HEADER);
        out.push('\n');
        for r in self.rows() {
            out.push_str(&format!(
                "{},{},{},{}\n",
                r.effective_from,
                r.overpayment.plain(),
                r.corporate_overpayment.plain(),
                r.underpayment.plain()
            ));
        }
        out
    }

    /// Merges a CSV file of quarters into this table: a row replaces the table's row with the same
    /// `effective_from`, a new quarter is added. The result must still have no missing quarter
    /// (a file may extend the table at either end, one quarter after another). This table is left
    /// as it is; the merged one is returned with what changed.
    pub fn merge_csv(&self, text: &str) -> Result<RateMerge, RateCsvErrors> {
        let update = parse_rows(text)?;
        let mut merged: BTreeMap<Date, (Option<usize>, RateRow)> =
            self.rows().iter().map(|r| (r.effective_from, (None, *r))).collect();
        let mut changes = Vec::with_capacity(update.len());
        for (line, new) in &update {
            let change = match merged.insert(new.effective_from, (Some(*line), *new)) {
                None => RateChange::Added(*new),
                Some((_, old)) if old == *new => RateChange::Unchanged(*new),
                Some((_, old)) => RateChange::Replaced { old, new: *new },
            };
            changes.push(change);
        }
        changes.sort_by_key(|c| match c {
            RateChange::Added(r) | RateChange::Unchanged(r) | RateChange::Replaced { new: r, .. } => r.effective_from,
        });
        let rows: Vec<(Option<usize>, RateRow)> = merged.into_values().collect();
        let gaps = gap_errors(&rows);
        if !gaps.is_empty() {
            return Err(RateCsvErrors(gaps));
        }
        let table = RateTable::from_rows(rows.into_iter().map(|(_, r)| r).collect())
            .map_err(|errors| RateCsvErrors(errors.into_iter().map(|e| err(1, None, e.to_string())).collect()))?;
        Ok(RateMerge { table, changes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refund::rates::BUILTIN_RATES_CSV;
    use proptest::prelude::*;
    use time::macros::date;

    const H: &str = RATES_CSV_HEADER;

    fn errors(text: &str) -> Vec<String> {
        RateTable::from_csv(text).unwrap_err().0.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn round_trips_the_builtin_table() {
        let t = RateTable::builtin();
        assert_eq!(t.to_csv(), BUILTIN_RATES_CSV);
        assert_eq!(&RateTable::from_csv(&t.to_csv()).unwrap(), t);
    }

    #[test]
    fn accepts_bom_crlf_quotes_blank_lines_and_any_order() {
        let text = format!("\u{feff}{H}\r\n2025-04-01,\"7\",6 , 7\r\n\r\n2025-01-01,7.0,6.00,7\r\n");
        let t = RateTable::from_csv(&text).unwrap();
        assert_eq!(t.rows().len(), 2);
        assert_eq!(t.first_day(), Some(date!(2025 - 01 - 01)));
        assert_eq!(t.rate_on(date!(2025 - 06 - 30)).unwrap().corporate_overpayment, Percent::from_basis_points(600));
    }

    #[test]
    fn header_must_be_exact() {
        for bad in [
            "Effective_From,overpayment_pct,corporate_overpayment_pct,underpayment_pct\n2025-01-01,7,6,7\n",
            "effective_from;overpayment_pct;corporate_overpayment_pct;underpayment_pct\n",
            "",
            "2025-01-01,7,6,7\n",
        ] {
            assert_eq!(errors(bad), [format!("line 1: the first line must be exactly the header {H}")], "{bad:?}");
        }
        assert_eq!(
            errors(&format!("{H}\n\n")),
            ["line 1: the file has no rates under the header; add one row per quarter"]
        );
    }

    #[test]
    fn every_problem_with_its_line_and_field() {
        let text = format!(
            "{H}\n\
             2025-01-01,7,6,7\n\
             2025-02-01,7,6,7\n\
             2025-04-01,-1,6,7\n\
             2025-07-01,seven,6%,7\n\
             2025-10-01,7,6\n\
             2025-13-01,7,6,7\n\
             2025-01-01,7,6,7\n\
             2026-01-01,6,7,7\n"
        );
        assert_eq!(
            errors(&text),
            [
                "line 3, effective_from: 2025-02-01 is not the first day of a quarter; rates start on 1 January, 1 April, 1 July or 1 October (write e.g. 2026-04-01)",
                "line 4, overpayment_pct: a rate cannot be negative",
                "line 5, overpayment_pct: not a number: write the rate in percent, e.g. 7 or 6.5",
                "line 5, corporate_overpayment_pct: write the rate as a number of percent without the % sign, e.g. 7 or 6.5",
                "line 6: a row has 4 values separated by commas (effective_from, overpayment_pct, corporate_overpayment_pct, underpayment_pct); this one has 3",
                "line 7, effective_from: write the date as YYYY-MM-DD, e.g. 2026-04-01",
                "line 8, effective_from: the quarter starting 2025-01-01 is already on line 2; keep one row per quarter",
                "line 9, corporate_overpayment_pct: the corporate overpayment rate of the quarter starting 2026-01-01 is above the overpayment rate; the law makes it lower: are the columns swapped?",
            ]
        );
    }

    #[test]
    fn a_gap_is_reported_on_the_row_after_it() {
        let text = format!("{H}\n2025-01-01,7,6,7\n2025-10-01,7,6,7\n2025-04-01,7,6,7\n");
        assert_eq!(
            errors(&text),
            ["line 3, effective_from: no rates for 2025-07-01 to 2025-09-30; add a row for each quarter in between"]
        );
    }

    #[test]
    fn merge_replaces_and_extends() {
        let base = RateTable::builtin();
        let update = format!("{H}\n2026-04-01,6,5,6\n2026-01-01,7,6,7\n2025-10-01,7,5,7\n");
        let m = base.merge_csv(&update).unwrap();
        assert_eq!(m.table.last_day(), Some(date!(2026 - 06 - 30)));
        assert_eq!(m.table.rows().len(), base.rows().len() + 1);
        assert_eq!(m.table.rate_on(date!(2026 - 05 - 01)).unwrap().overpayment, Percent::from_basis_points(600));
        assert_eq!(
            m.table.rate_on(date!(2025 - 11 - 01)).unwrap().corporate_overpayment,
            Percent::from_basis_points(500)
        );
        let kinds: Vec<&str> = m
            .changes
            .iter()
            .map(|c| match c {
                RateChange::Added(_) => "added",
                RateChange::Replaced { .. } => "replaced",
                RateChange::Unchanged(_) => "unchanged",
            })
            .collect();
        assert_eq!(kinds, ["replaced", "unchanged", "added"]);
        // The base table is untouched.
        assert_eq!(base.last_day(), Some(date!(2026 - 03 - 31)));
        // Extending backwards works too.
        let older = base.merge_csv(&format!("{H}\n2019-10-01,5,4,5\n")).unwrap();
        assert_eq!(older.table.first_day(), Some(date!(2019 - 10 - 01)));
    }

    #[test]
    fn merge_refuses_a_gap_and_bad_rows() {
        let base = RateTable::builtin();
        let skip = base.merge_csv(&format!("{H}\n2026-07-01,6,5,6\n")).unwrap_err();
        assert_eq!(
            skip.to_string(),
            "line 2, effective_from: no rates for 2026-04-01 to 2026-06-30; add a row for each quarter in between"
        );
        let before = base.merge_csv(&format!("{H}\n2019-07-01,5,4,5\n")).unwrap_err();
        assert_eq!(
            before.to_string(),
            "line 2, effective_from: no rates for 2019-10-01 to 2019-12-31; add a row for each quarter in between"
        );
        let dup = base.merge_csv(&format!("{H}\n2026-04-01,6,5,6\n2026-04-01,6,5,6\n")).unwrap_err();
        assert_eq!(dup.0.len(), 1);
        assert_eq!(dup.0[0].line, 3);
        let fe = dup.to_field_errors();
        assert_eq!(
            fe.get("line 3, effective_from"),
            Some("the quarter starting 2026-04-01 is already on line 2; keep one row per quarter")
        );
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,200}") {
            let _ = RateTable::from_csv(&format!("{H}\n{s}"));
            let _ = RateTable::builtin().merge_csv(&format!("{H}\n{s}"));
        }

        #[test]
        fn any_contiguous_table_round_trips(start_q in 0i32..400, rates in proptest::collection::vec((0u32..=2000, 0u32..=2000, 0u32..=2000), 1..12)) {
            let mut text = format!("{H}\n");
            for (k, (a, b, c)) in rates.iter().enumerate() {
                let q = start_q + k as i32;
                let (year, month) = (1990 + q / 4, 1 + 3 * (q % 4));
                let (over, corp) = if b > a { (*b, *a) } else { (*a, *b) };
                text.push_str(&format!(
                    "{year}-{month:02}-01,{},{},{}\n",
                    Percent::from_basis_points(over).plain(),
                    Percent::from_basis_points(corp).plain(),
                    Percent::from_basis_points(*c).plain()
                ));
            }
            let t = RateTable::from_csv(&text).unwrap();
            prop_assert_eq!(t.to_csv(), text);
        }
    }
}

//! Prenotes: zero-dollar CCD entries that test a bank account before the first refund is paid.
//!
//! [`write_prenotes`] writes one file with one CCD batch of prenotes (transaction code 23 for
//! checking, 33 for savings) and returns the trace number the writer gave each entry. The caller
//! stores those to match the bank's replies (returns and notifications of change, see
//! [`crate::replies`]) to its enrollments; the enrollment reference also travels in the
//! identification number and comes back in the reply.

use crate::batch_header::BatchHeaderFields;
use crate::entry::EntryFields;
use crate::file_header::FileHeaderFields;
use crate::types::{RoutingNumber, SecCode, TransactionCode, mask_account};
use crate::writer::{WriteError, Writer};
use std::borrow::Cow;
use std::fmt;

/// Most prenotes one file holds: one batch holds at most 999,999 entries and addenda, and more
/// batches would restart the writer's trace sequence (trace numbers would repeat within the file).
pub const MAX_PRENOTES_PER_FILE: usize = 999_999;

/// Width of the identification number field.
const ID_WIDTH: usize = 15;
/// Width of the receiver (company) name field.
const NAME_WIDTH: usize = 22;
/// Width of the DFI account number field.
const ACCOUNT_WIDTH: usize = 17;

/// One account to test. `Debug` masks the account number to its last four characters.
#[derive(Clone, PartialEq, Eq)]
pub struct PrenoteEntry {
    /// Our enrollment reference, written to the identification number (at most 15 printable ASCII
    /// characters, not blank). Replies carry it back.
    pub id: String,
    /// The receiving bank.
    pub rdfi: RoutingNumber,
    /// DFI account number: at most 17 letters, digits or hyphens.
    pub account_number: String,
    /// Savings account (transaction code 33) instead of checking (23).
    pub account_type_savings: bool,
    /// Account holder; written upper-cased, with spaces collapsed, cut to 22 characters (see
    /// [`holder_name_field`]).
    pub holder_name: String,
}

impl fmt::Debug for PrenoteEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrenoteEntry")
            .field("id", &self.id)
            .field("rdfi", &self.rdfi)
            .field("account_number", &mask_account(&self.account_number))
            .field("account_type_savings", &self.account_type_savings)
            .field("holder_name", &self.holder_name)
            .finish()
    }
}

impl PrenoteEntry {
    /// Transaction code of the prenote: 23 (checking) or 33 (savings).
    pub fn transaction_code(&self) -> TransactionCode {
        if self.account_type_savings {
            TransactionCode::SAVINGS_CREDIT_PRENOTE
        } else {
            TransactionCode::CHECKING_CREDIT_PRENOTE
        }
    }

    /// The entry to write, or why this prenote cannot be written (account numbers masked).
    fn entry_fields(&self) -> Result<EntryFields<'_>, String> {
        let id = self.id.trim();
        if id.is_empty() {
            return Err("the id (enrollment reference) is blank".into());
        }
        if !id.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
            return Err(format!("the id {id:?} must be printable ASCII"));
        }
        if id.len() > ID_WIDTH {
            return Err(format!("the id {id:?} has {} characters; at most {ID_WIDTH} fit", id.len()));
        }
        let account = self.account_number.trim();
        if account.is_empty() {
            return Err("the account number is blank".into());
        }
        if !account.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(format!(
                "the account number {} may hold only letters, digits and hyphens",
                mask_account(account)
            ));
        }
        if account.len() > ACCOUNT_WIDTH {
            return Err(format!(
                "the account number {} has {} characters; at most {ACCOUNT_WIDTH} fit",
                mask_account(account),
                account.len()
            ));
        }
        let name = holder_name_field(&self.holder_name);
        if name.is_empty() {
            return Err("the holder name is blank".into());
        }
        Ok(EntryFields {
            transaction_code: self.transaction_code(),
            rdfi: self.rdfi,
            account_number: Cow::Borrowed(account),
            amount_cents: 0,
            identification_number: Cow::Borrowed(id),
            individual_name: Cow::Owned(name),
            discretionary_data: Cow::Borrowed(""),
            addenda: Vec::new(),
        })
    }
}

/// The holder name as written: upper case, common Latin accented letters without their accents,
/// other characters outside printable ASCII as spaces, runs of spaces as one, trimmed, and cut to
/// the 22 characters of the field.
pub fn holder_name_field(name: &str) -> String {
    let mut out = String::with_capacity(NAME_WIDTH);
    let mut push = |c: char| {
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            return;
        }
        if out.len() < NAME_WIDTH {
            out.push(c);
        }
    };
    for c in name.chars().flat_map(char::to_uppercase) {
        match c {
            ' '..='~' => push(c),
            'À'..='Å' => push('A'),
            'Æ' => {
                push('A');
                push('E');
            }
            'Ç' => push('C'),
            'È'..='Ë' => push('E'),
            'Ì'..='Ï' => push('I'),
            'Ð' => push('D'),
            'Ñ' => push('N'),
            'Ò'..='Ö' | 'Ø' => push('O'),
            'Ù'..='Ü' => push('U'),
            'Ý' | 'Ÿ' => push('Y'),
            _ => push(' '),
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// Writes zero-dollar CCD prenotes, one per entry, in one batch; returns the file and the trace
/// number of each entry, in the order of `entries`.
///
/// `batch` must have SEC code CCD and a service class that allows credits (200 or 220); dates,
/// company and ODFI come from `header` and `batch` as given. Nothing is truncated that would change
/// what the bank sees as the account or our reference: a too-long id or account number is an error,
/// naming the entry (1-based) and masking the account. At most [`MAX_PRENOTES_PER_FILE`] entries.
///
/// Trace numbers are the ODFI prefix and a sequence starting at 1 in every file, so two files
/// written with the same ODFI repeat trace numbers: match replies on the trace *and* the id
/// (identification number) or the file they answer.
pub fn write_prenotes(
    header: &FileHeaderFields,
    batch: &BatchHeaderFields,
    entries: &[PrenoteEntry],
) -> Result<(Vec<u8>, Vec<u64>), WriteError> {
    write_prenotes_from(header, batch, entries, 1)
}

/// As [`write_prenotes`], with the trace sequence starting at `first_trace_sequence`: an
/// originator that continues the sequence from its last file sends each trace number once, and
/// can match a reply by trace number alone.
pub fn write_prenotes_from(
    header: &FileHeaderFields,
    batch: &BatchHeaderFields,
    entries: &[PrenoteEntry],
    first_trace_sequence: u64,
) -> Result<(Vec<u8>, Vec<u64>), WriteError> {
    if batch.sec_code != SecCode::CCD {
        return Err(WriteError::Invalid(format!("prenotes are written in CCD batches, not {}", batch.sec_code)));
    }
    if entries.is_empty() {
        return Err(WriteError::Invalid("there are no prenotes to write".into()));
    }
    if entries.len() > MAX_PRENOTES_PER_FILE {
        return Err(WriteError::Invalid(format!(
            "{} prenotes do not fit in one file (at most {MAX_PRENOTES_PER_FILE}): split them",
            entries.len()
        )));
    }
    // 95 bytes a line: header, batch header, entries, batch control, file control, padding.
    let mut w = Writer::new(Vec::with_capacity((entries.len() + 14) * 95), header)?;
    w.begin_batch(batch)?;
    w.start_trace_sequence_at(first_trace_sequence)?;
    let mut traces = Vec::with_capacity(entries.len());
    for (i, p) in entries.iter().enumerate() {
        let fields = p.entry_fields().map_err(|m| WriteError::Invalid(format!("prenote {}: {m}", i + 1)))?;
        traces.push(w.add_entry(&fields)?);
    }
    w.end_batch()?;
    Ok((w.finish()?, traces))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::ReadOptions;
    use crate::types::ServiceClass;
    use crate::{read_file, validate_bytes};

    fn header() -> FileHeaderFields {
        FileHeaderFields {
            immediate_destination: RoutingNumber::parse("231380104").expect("rn"),
            immediate_origin: "121042882".into(),
            creation_date: "260102".into(),
            creation_time: "0304".into(),
            file_id_modifier: 'A',
            destination_name: "FEDERAL RESERVE BANK".into(),
            origin_name: "US CUSTOMS".into(),
            reference_code: String::new(),
        }
    }

    fn batch() -> BatchHeaderFields {
        BatchHeaderFields {
            service_class: ServiceClass::CreditsOnly,
            company_name: "US CUSTOMS".into(),
            company_discretionary_data: String::new(),
            company_identification: "2123456789".into(),
            sec_code: SecCode::CCD,
            entry_description: "PRENOTE".into(),
            descriptive_date: String::new(),
            effective_entry_date: "260105".into(),
            originator_status_code: '2',
            odfi: RoutingNumber::parse("121042882").expect("rn"),
        }
    }

    fn entry(i: usize) -> PrenoteEntry {
        PrenoteEntry {
            id: format!("ENR{i:06}"),
            rdfi: RoutingNumber::parse(if i.is_multiple_of(2) { "011000015" } else { "231380104" }).expect("rn"),
            account_number: format!("{:012}", 900_000 + i),
            account_type_savings: i.is_multiple_of(3),
            holder_name: format!("Importer number {i} llc"),
        }
    }

    #[test]
    fn trace_sequences_continue_across_files() {
        let entries: Vec<_> = (0..3).map(entry).collect();
        let (bytes, traces) = write_prenotes_from(&header(), &batch(), &entries, 41).expect("write");
        assert_eq!(traces, vec![121042880000041, 121042880000042, 121042880000043]);
        assert!(validate_bytes(&bytes, &ReadOptions::strict()).valid);
        assert!(write_prenotes_from(&header(), &batch(), &entries, 0).is_err());
        assert!(write_prenotes_from(&header(), &batch(), &entries, 9_999_998).is_err(), "runs past 9999999");
    }

    #[test]
    fn prenotes_validate_and_traces_match_the_file() {
        let entries: Vec<_> = (0..25).map(entry).collect();
        let (bytes, traces) = write_prenotes(&header(), &batch(), &entries).expect("write");
        let report = validate_bytes(&bytes, &ReadOptions::strict());
        assert!(report.valid, "{:?}", report.errors);
        assert_eq!((report.batches, report.entries, report.addenda), (1, 25, 0));
        assert_eq!((report.total_credit_cents, report.total_debit_cents), (0, 0));

        let file = read_file(&bytes, &ReadOptions::strict());
        let written: Vec<_> = file.entries().map(|e| e.record.entry().expect("entry")).collect();
        let file_traces: Vec<u64> = written.iter().map(|e| e.trace_number().expect("trace")).collect();
        assert_eq!(file_traces, traces, "returned traces are the file's, in entry order");
        let mut unique = traces.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), traces.len(), "trace numbers are unique");
        for (e, p) in written.iter().zip(&entries) {
            assert_eq!(e.transaction_code_value(), Some(if p.account_type_savings { 33 } else { 23 }));
            assert_eq!(e.amount(), Some(0));
            assert_eq!(e.identification_number(), p.id.as_str());
            assert_eq!(e.account_number(), p.account_number.as_str());
            assert_eq!(e.rdfi_routing(), Some(p.rdfi));
            assert_eq!(e.individual_name(), holder_name_field(&p.holder_name));
        }
        assert!(written.iter().any(|e| e.transaction_code_value() == Some(23)));
        assert!(written.iter().any(|e| e.transaction_code_value() == Some(33)));
        let h = file.batches[0].header.as_ref().and_then(|h| h.batch_header()).expect("batch header");
        assert_eq!(h.sec_code(), Some(SecCode::CCD));
    }

    #[test]
    fn holder_names_are_upper_cased_and_cut() {
        assert_eq!(holder_name_field("  José  Müller\tand sons, Inc. of Baltimore "), "JOSE MULLER AND SONS,");
        assert_eq!(holder_name_field("acme"), "ACME");
        assert_eq!(holder_name_field("Ærø 北京 co"), "AERO CO");
        assert_eq!(holder_name_field(" \u{7f} "), "");
        assert_eq!(holder_name_field("ABCDEFGHIJKLMNOPQRSTU XYZ").len(), 21, "trailing space of the cut trimmed");
    }

    #[test]
    fn bad_entries_are_refused_with_masked_accounts() {
        let mut e = entry(1);
        e.account_number = "123456789012345678".into();
        let err = write_prenotes(&header(), &batch(), &[entry(0), e]).expect_err("long account").to_string();
        assert!(err.starts_with("prenote 2: ") && err.contains("at most 17"), "{err}");
        assert!(!err.contains("123456789012345678") && err.contains("5678"), "{err}");

        let mut e = entry(1);
        e.account_number = "1234 5678".into();
        assert!(write_prenotes(&header(), &batch(), &[e]).is_err_and(|e| !e.to_string().contains("1234 5678")));

        let mut e = entry(1);
        e.id = "ENROLLMENT-0000001".into();
        assert!(write_prenotes(&header(), &batch(), &[e]).is_err_and(|e| e.to_string().contains("at most 15")));

        let mut e = entry(1);
        e.holder_name = " ".into();
        assert!(write_prenotes(&header(), &batch(), &[e]).is_err_and(|e| e.to_string().contains("holder name")));

        let mut b = batch();
        b.sec_code = SecCode::PPD;
        assert!(write_prenotes(&header(), &b, &[entry(1)]).is_err_and(|e| e.to_string().contains("CCD")));
        assert!(write_prenotes(&header(), &batch(), &[]).is_err());
        let mut b = batch();
        b.service_class = ServiceClass::DebitsOnly;
        assert!(write_prenotes(&header(), &b, &[entry(1)]).is_err());
    }

    #[test]
    fn debug_masks_the_account() {
        let d = format!("{:?}", entry(7));
        assert!(!d.contains("000000900007") && d.contains("0007"), "{d}");
    }
}

//! Deterministic synthetic files for load tests, cross-checks with peer libraries and bank-side tests.
//!
//! With seed 0 the content is the one `../shared/tools/peers/common_data.txt` describes (entry `i`:
//! routing `ROUTINGS[i % 5]`, account `ACCT%07d`, amount `100 + i % 100000` cents, name
//! `VENDOR %06d`), so peer libraries can generate the same entries. Other seeds vary the amounts.

use crate::batch_header::BatchHeaderFields;
use crate::entry::{EntryFields, NewAddenda};
use crate::field::digits8;
use crate::file_header::FileHeaderFields;
use crate::types::{RoutingNumber, SecCode, ServiceClass, TransactionCode};
use crate::writer::{WriteError, Writer};
use std::borrow::Cow;
use std::io::Write;

/// Receiving routing numbers used in turn (all ABA-valid).
pub const ROUTINGS: [&str; 5] = ["231380104", "121042882", "011000015", "021000021", "091000019"];

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenSpec {
    /// Number of entries.
    pub entries: u64,
    /// CCD (business, with one 05 remittance addenda when `addenda`) or PPD (consumers).
    pub sec: SecCode,
    /// 0 = the peers' common data; anything else varies amounts deterministically.
    pub seed: u64,
    /// One 05 addenda per entry.
    pub addenda: bool,
    /// Zero-dollar prenotes (23) instead of credits (22).
    pub prenote: bool,
    /// Entries per batch (at most 999,999 records per batch).
    pub batch_size: u64,
}

impl GenSpec {
    /// CCD credits with addenda, seed 0, 100,000 entries per batch.
    pub fn new(entries: u64) -> Self {
        Self { entries, sec: SecCode::CCD, seed: 0, addenda: true, prenote: false, batch_size: 100_000 }
    }
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Amount of entry `i` for a spec.
pub fn amount_of(spec: &GenSpec, i: u64) -> u64 {
    if spec.prenote {
        0
    } else if spec.seed == 0 {
        100 + i % 100_000
    } else {
        100 + splitmix(spec.seed ^ i.wrapping_mul(0x2545_F491_4F6C_DD1D)) % 1_000_000
    }
}

/// "0000" to "9999" back to back, so that the generator formats numbers by slicing a `&str`.
static DIGITS4: &str = match std::str::from_utf8(&DIGITS4_BYTES) {
    Ok(s) => s,
    Err(_) => panic!("digits are ASCII"),
};
static DIGITS4_BYTES: [u8; 40_000] = {
    let mut b = [0u8; 40_000];
    let mut i = 0;
    while i < 10_000 {
        b[4 * i] = b'0' + (i / 1000) as u8;
        b[4 * i + 1] = b'0' + (i / 100 % 10) as u8;
        b[4 * i + 2] = b'0' + (i / 10 % 10) as u8;
        b[4 * i + 3] = b'0' + (i % 10) as u8;
        i += 1;
    }
    b
};

/// The text of entry `i`: account `ACCT{i:07}`, name `VENDOR {i:06}` and, when asked, remittance
/// `REFUND OF ENTRY {i % 1000:03}-{i % 10^7:07}-{i % 10}`. Digits come from one SWAR conversion and
/// are pushed after the kept prefix as `char`s masked to 7 bits (so no UTF-8 encoding or
/// validation is needed).
#[inline(always)]
fn entry_texts(i: u64, account: &mut String, name: &mut String, remit: Option<&mut String>) {
    let d = digits8(i % 100_000_000);
    reset(account, "ACCT");
    reset(name, "VENDOR ");
    if i < 100_000_000 {
        // Leading '0's of the 8 digits = low zero bytes of the digits minus '0' (8 when i is 0).
        let zeros = (u64::from_le_bytes(d) ^ 0x3030_3030_3030_3030).trailing_zeros() as usize / 8;
        push_ascii(account, &d[zeros.min(8 - 7)..]);
        push_ascii(name, &d[zeros.min(8 - 6)..]);
    } else {
        push_padded(account, i, 7);
        push_padded(name, i, 6);
    }
    if let Some(remit) = remit {
        reset(remit, "REFUND OF ENTRY ");
        push_ascii(remit, &d[5..]);
        remit.push('-');
        push_ascii(remit, &d[1..]);
        remit.push('-');
        push_ascii(remit, &d[7..]);
    }
}

/// Makes `s` equal to `prefix`, keeping it when it is already there.
#[inline(always)]
fn reset(s: &mut String, prefix: &str) {
    if s.starts_with(prefix) {
        s.truncate(prefix.len());
    } else {
        s.clear();
        s.push_str(prefix);
    }
}

/// Appends ASCII bytes (digits) as characters.
#[inline(always)]
fn push_ascii(s: &mut String, ascii: &[u8]) {
    for &b in ascii {
        s.push(char::from(b & 0x7f));
    }
}

/// Appends the 4 digits of `v` (< 10,000).
#[inline(always)]
fn push4(out: &mut String, v: u64) {
    let at = 4 * (v % 10_000) as usize;
    out.push_str(&DIGITS4[at..at + 4]);
}

/// Appends `v` in decimal, zero padded to at least `width` digits (like `{v:0width$}`), without
/// the formatting machinery (this runs five times per generated entry). Fast when `v` has at
/// most `width` (1..=8) digits, as in the generator's fixed formats.
#[inline(always)]
fn push_padded(out: &mut String, v: u64, width: usize) {
    const POW10: [u64; 9] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];
    if !(1..=8).contains(&width) || v >= POW10[width] {
        out.push_str(&format!("{v:0width$}"));
    } else if width > 4 {
        let at = 4 * (v / 10_000) as usize;
        out.push_str(&DIGITS4[at + 8 - width..at + 4]);
        push4(out, v);
    } else {
        let at = 4 * v as usize;
        out.push_str(&DIGITS4[at + 4 - width..at + 4]);
    }
}

fn rn(s: &str) -> Result<RoutingNumber, WriteError> {
    RoutingNumber::parse(s).map_err(WriteError::Invalid)
}

/// Writes the synthetic file to `out`; returns it flushed.
pub fn generate<W: Write>(out: W, spec: &GenSpec) -> Result<W, WriteError> {
    if !matches!(spec.sec, SecCode::CCD | SecCode::PPD) {
        return Err(WriteError::Invalid("generate supports CCD and PPD".into()));
    }
    let header = FileHeaderFields {
        immediate_destination: rn("231380104")?,
        immediate_origin: "121042882".into(),
        creation_date: "260102".into(),
        creation_time: "0304".into(),
        file_id_modifier: 'A',
        destination_name: "FEDERAL RESERVE BANK".into(),
        origin_name: "MY BANK NAME".into(),
        reference_code: String::new(),
    };
    let batch = BatchHeaderFields {
        service_class: ServiceClass::CreditsOnly,
        company_name: "MY COMPANY".into(),
        company_discretionary_data: String::new(),
        company_identification: "1234567890".into(),
        sec_code: spec.sec,
        entry_description: "REFUND".into(),
        descriptive_date: String::new(),
        effective_entry_date: "260105".into(),
        originator_status_code: '2',
        odfi: rn("121042882")?,
    };
    let routings = [rn(ROUTINGS[0])?, rn(ROUTINGS[1])?, rn(ROUTINGS[2])?, rn(ROUTINGS[3])?, rn(ROUTINGS[4])?];
    let per_batch = spec.batch_size.clamp(1, if spec.addenda { 499_999 } else { 999_999 });
    let mut w = Writer::new(out, &header)?;
    // The text buffers go back and forth between here and `e`, so nothing is allocated per entry.
    let mut account = String::with_capacity(17);
    let mut name = String::with_capacity(22);
    let mut remit = String::with_capacity(80);
    let mut e = EntryFields {
        transaction_code: if spec.prenote {
            TransactionCode::CHECKING_CREDIT_PRENOTE
        } else {
            TransactionCode::CHECKING_CREDIT
        },
        rdfi: routings[0],
        account_number: Cow::Borrowed(""),
        amount_cents: 0,
        identification_number: Cow::Borrowed(""),
        individual_name: Cow::Borrowed(""),
        discretionary_data: Cow::Borrowed(""),
        addenda: Vec::new(),
    };
    let mut i = 0;
    while i < spec.entries {
        w.begin_batch(&batch)?;
        let end = (i + per_batch).min(spec.entries);
        while i < end {
            entry_texts(i, &mut account, &mut name, spec.addenda.then_some(&mut remit));
            e.rdfi = routings[(i % 5) as usize];
            e.amount_cents = amount_of(spec, i);
            e.account_number = Cow::Owned(std::mem::take(&mut account));
            e.individual_name = Cow::Owned(std::mem::take(&mut name));
            if spec.addenda {
                e.addenda.clear();
                e.addenda.push(NewAddenda::Remittance { payment_related_information: std::mem::take(&mut remit) });
            }
            w.add_entry(&e)?;
            if let Cow::Owned(s) = std::mem::take(&mut e.account_number) {
                account = s;
            }
            if let Cow::Owned(s) = std::mem::take(&mut e.individual_name) {
                name = s;
            }
            if let Some(NewAddenda::Remittance { payment_related_information }) = e.addenda.pop() {
                remit = payment_related_information;
            }
            i += 1;
        }
        w.end_batch()?;
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ReadOptions, validate_bytes};

    #[test]
    fn generated_files_validate_with_expected_totals() {
        for (n, sec, addenda, prenote) in
            [(1, SecCode::CCD, true, false), (1000, SecCode::PPD, false, false), (7, SecCode::PPD, false, true)]
        {
            let spec = GenSpec { entries: n, sec, seed: 0, addenda, prenote, batch_size: 300 };
            let bytes = generate(Vec::new(), &spec).expect("generate");
            let r = validate_bytes(&bytes, &ReadOptions::strict());
            assert!(r.valid, "{:?}", r.errors);
            assert_eq!(r.entries, n);
            assert_eq!(r.addenda, if addenda { n } else { 0 });
            let total: u64 = (0..n).map(|i| amount_of(&spec, i)).sum();
            assert_eq!(r.total_credit_cents, total);
            assert_eq!(r.batches, n.div_ceil(300));
            assert_eq!(bytes.len() % 950, 0, "padded to blocks of 10 records");
        }
    }

    #[test]
    fn padded_numbers_match_format() {
        for v in (0..2000).chain([9_999_999, 10_000_000, 123_456_789, u64::MAX]) {
            for w in [1, 3, 6, 7] {
                let mut s = String::new();
                push_padded(&mut s, v, w);
                assert_eq!(s, format!("{v:0w$}"));
            }
        }
    }

    #[test]
    fn entry_texts_match_format() {
        let (mut a, mut n, mut r) = (String::new(), String::new(), String::new());
        for i in (0..3000)
            .chain(999_990..1_000_010)
            .chain(9_999_990..10_000_010)
            .chain(99_999_990..100_000_010)
            .chain([123_456_789_012, u64::MAX])
        {
            entry_texts(i, &mut a, &mut n, Some(&mut r));
            assert_eq!(a, format!("ACCT{i:07}"));
            assert_eq!(n, format!("VENDOR {i:06}"));
            assert_eq!(r, format!("REFUND OF ENTRY {:03}-{:07}-{}", i % 1000, i % 10_000_000, i % 10));
        }
    }

    #[test]
    fn deterministic() {
        let s = GenSpec { seed: 42, ..GenSpec::new(50) };
        assert_eq!(generate(Vec::new(), &s).ok(), generate(Vec::new(), &s).ok());
    }
}

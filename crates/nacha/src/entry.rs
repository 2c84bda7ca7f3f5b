//! Entry detail record (type 6): domestic, ADV and IAT layouts.

use crate::field::{RECORD_LEN, Rec, alpha_into, num_into, parse_digits, put_alpha, put_num};
use crate::layout::Layout;
use crate::types::{RoutingNumber, TransactionCode, is_credit_code};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// View of an entry detail record.
#[derive(Clone, Copy, Debug)]
pub struct EntryDetail<'r> {
    rec: &'r Rec<'r>,
    layout: Layout,
}

impl<'r> EntryDetail<'r> {
    pub(crate) fn new(rec: &'r Rec<'r>, layout: Layout) -> Self {
        Self { rec, layout }
    }
    /// Layout (Entry, AdvEntry or IatEntry).
    pub fn layout(&self) -> Layout {
        self.layout
    }
    /// Transaction code as a number (2-3).
    #[inline]
    pub fn transaction_code_value(&self) -> Option<u8> {
        self.rec.num(2, 3).map(|v| v as u8)
    }
    /// Typed transaction code (not for ADV codes 81-88).
    pub fn transaction_code(&self) -> Option<TransactionCode> {
        self.transaction_code_value().and_then(TransactionCode::new)
    }
    /// True when the entry credits the receiver.
    #[inline]
    pub fn is_credit(&self) -> bool {
        self.transaction_code_value().is_some_and(is_credit_code)
    }
    /// RDFI identification, the 8-digit routing prefix (4-11).
    #[inline]
    pub fn rdfi_identification(&self) -> &'r [u8] {
        self.rec.field(4, 11)
    }
    /// Check digit (12).
    pub fn check_digit(&self) -> &'r [u8] {
        self.rec.field(12, 12)
    }
    /// Full routing number if the nine digits are valid.
    pub fn rdfi_routing(&self) -> Option<RoutingNumber> {
        let b = self.rec.field(4, 12);
        std::str::from_utf8(b).ok().and_then(|s| RoutingNumber::parse(s).ok())
    }
    /// Account number, trailing spaces trimmed.
    pub fn account_number(&self) -> Cow<'r, str> {
        match self.layout {
            Layout::AdvEntry => self.rec.text(13, 27),
            Layout::IatEntry => self.rec.text(40, 74),
            _ => self.rec.text(13, 29),
        }
    }
    /// Raw account field.
    pub fn account_field(&self) -> &'r [u8] {
        match self.layout {
            Layout::AdvEntry => self.rec.field(13, 27),
            Layout::IatEntry => self.rec.field(40, 74),
            _ => self.rec.field(13, 29),
        }
    }
    /// Raw amount field.
    #[inline]
    pub fn amount_field(&self) -> &'r [u8] {
        match self.layout {
            Layout::AdvEntry => self.rec.field(28, 39),
            _ => self.rec.field(30, 39),
        }
    }
    /// Amount in cents.
    #[inline]
    pub fn amount(&self) -> Option<u64> {
        parse_digits(self.amount_field())
    }
    /// Identification number (40-54; card data for some SEC codes).
    pub fn identification_number(&self) -> Cow<'r, str> {
        match self.layout {
            Layout::Entry => self.rec.text(40, 54),
            _ => Cow::Borrowed(""),
        }
    }
    /// Receiver name (55-76; for CTX 59-74 holds the company name and 55-58 the addenda count).
    pub fn individual_name(&self) -> Cow<'r, str> {
        match self.layout {
            Layout::IatEntry => Cow::Borrowed(""),
            _ => self.rec.text(55, 76),
        }
    }
    /// Raw name field (55-76).
    pub fn name_field(&self) -> &'r [u8] {
        match self.layout {
            Layout::IatEntry => &[],
            _ => self.rec.field(55, 76),
        }
    }
    /// Discretionary data (77-78).
    pub fn discretionary_data(&self) -> &'r [u8] {
        match self.layout {
            Layout::IatEntry => &[],
            _ => self.rec.field(77, 78),
        }
    }
    /// Addenda record indicator (79).
    #[inline]
    pub fn addenda_indicator(&self) -> u8 {
        self.rec.field(79, 79).first().copied().unwrap_or(0)
    }
    /// Trace number (80-94) as text.
    #[inline]
    pub fn trace_field(&self) -> &'r [u8] {
        self.rec.field(80, 94)
    }
    /// Trace number value (not meaningful for ADV).
    #[inline]
    pub fn trace_number(&self) -> Option<u64> {
        parse_digits(self.trace_field())
    }
}

/// An addenda record for the writer to attach to an entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NewAddenda {
    /// Addenda 05: up to 80 characters of payment related information (CCD+, PPD, WEB, CTX).
    Remittance {
        /// Free text (ANSI X12 for CTX).
        payment_related_information: String,
    },
    /// Addenda 99: a return of the original entry.
    Return {
        /// "R01".."R85".
        return_reason_code: String,
        /// 15 digits.
        original_entry_trace_number: String,
        /// YYMMDD or blank.
        date_of_death: String,
        /// 8 digits.
        original_rdfi_identification: String,
        /// Up to 44 characters.
        addenda_information: String,
    },
    /// Addenda 98: a notification of change.
    Change {
        /// "C01".."C14".
        change_code: String,
        /// 15 digits.
        original_entry_trace_number: String,
        /// 8 digits.
        original_rdfi_identification: String,
        /// Up to 29 characters, laid out as the change code requires.
        corrected_data: String,
    },
}

/// Values for writing an entry. Trace number and addenda sequence numbers are assigned by the writer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryFields<'a> {
    /// Transaction code.
    pub transaction_code: TransactionCode,
    /// Receiving DFI routing number.
    pub rdfi: RoutingNumber,
    /// Up to 17 characters.
    #[serde(borrow)]
    pub account_number: Cow<'a, str>,
    /// Cents, at most 9,999,999,999; zero for prenotes.
    pub amount_cents: u64,
    /// Up to 15 characters (receiver id; for CCD the receiving company's id).
    #[serde(borrow)]
    pub identification_number: Cow<'a, str>,
    /// Up to 22 characters.
    #[serde(borrow)]
    pub individual_name: Cow<'a, str>,
    /// Up to 2 characters.
    #[serde(borrow)]
    pub discretionary_data: Cow<'a, str>,
    /// Addenda records.
    pub addenda: Vec<NewAddenda>,
}

impl EntryFields<'_> {
    /// Appends the 94-character entry with the given trace number.
    #[inline]
    pub fn write(&self, trace: u64, out: &mut Vec<u8>) {
        let mut r = [b' '; RECORD_LEN];
        if self.fill_ascii(trace, &mut r) {
            out.extend_from_slice(&r);
        } else {
            self.write_general(trace, out);
        }
    }

    /// Field-by-field writer for any text (non-ASCII characters count as one column each).
    fn write_general(&self, trace: u64, out: &mut Vec<u8>) {
        out.push(b'6');
        put_num(out, self.transaction_code.code() as u64, 2);
        out.extend_from_slice(self.rdfi.as_str().as_bytes());
        put_alpha(out, &self.account_number, 17);
        put_num(out, self.amount_cents, 10);
        put_alpha(out, &self.identification_number, 15);
        put_alpha(out, &self.individual_name, 22);
        put_alpha(out, &self.discretionary_data, 2);
        out.push(if self.addenda.is_empty() { b'0' } else { b'1' });
        put_num(out, trace, 15);
    }

    /// Fills `r` (which holds spaces) with the record when every text field is ASCII, so the record
    /// is exactly 94 bytes; returns false, leaving `r` as it was, otherwise (non-ASCII text is cut
    /// by characters, see [`put_alpha`]).
    #[inline]
    pub(crate) fn fill_ascii(&self, trace: u64, r: &mut [u8; RECORD_LEN]) -> bool {
        let (acct, id, name, disc) = (
            self.account_number.as_bytes(),
            self.identification_number.as_bytes(),
            self.individual_name.as_bytes(),
            self.discretionary_data.as_bytes(),
        );
        if !(acct.is_ascii() && id.is_ascii() && name.is_ascii() && disc.is_ascii()) {
            return false;
        }
        r[0] = b'6';
        num_into(&mut r[1..3], self.transaction_code.code() as u64);
        r[3..12].copy_from_slice(self.rdfi.as_bytes());
        alpha_into(&mut r[12..29], acct);
        num_into(&mut r[29..39], self.amount_cents);
        alpha_into(&mut r[39..54], id);
        alpha_into(&mut r[54..76], name);
        alpha_into(&mut r[76..78], disc);
        r[78] = if self.addenda.is_empty() { b'0' } else { b'1' };
        num_into(&mut r[79..94], trace);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_fast_fill_matches_general_writer() {
        let texts = ["", "A", "ACCT0000001", "12345678901234567", "123456789012345678901234567890", "  X  "];
        for (k, acct) in texts.iter().enumerate() {
            for id in texts {
                for name in texts {
                    let e = EntryFields {
                        transaction_code: TransactionCode::new(if k % 2 == 0 { 22 } else { 37 }).expect("code"),
                        rdfi: RoutingNumber::parse("011000015").expect("rn"),
                        account_number: Cow::Borrowed(acct),
                        amount_cents: [0, 1, 99_999, 9_999_999_999][k % 4],
                        identification_number: Cow::Borrowed(id),
                        individual_name: Cow::Borrowed(name),
                        discretionary_data: Cow::Borrowed(&acct[..acct.len().min(3)]),
                        addenda: if k % 3 == 0 {
                            Vec::new()
                        } else {
                            vec![NewAddenda::Remittance { payment_related_information: "X".into() }]
                        },
                    };
                    for trace in [1, 121_042_880_000_001, 999_999_999_999_999] {
                        let mut fast = [b' '; RECORD_LEN];
                        assert!(e.fill_ascii(trace, &mut fast));
                        let mut general = Vec::new();
                        e.write_general(trace, &mut general);
                        assert_eq!(fast.as_slice(), general.as_slice());
                    }
                }
            }
        }
        let e = EntryFields {
            transaction_code: TransactionCode::CHECKING_CREDIT,
            rdfi: RoutingNumber::parse("011000015").expect("rn"),
            account_number: Cow::Borrowed("ACCT"),
            amount_cents: 1,
            identification_number: Cow::Borrowed(""),
            individual_name: Cow::Borrowed("JOS\u{c9} \u{a6}"),
            discretionary_data: Cow::Borrowed(""),
            addenda: Vec::new(),
        };
        let mut r = [b' '; RECORD_LEN];
        assert!(!e.fill_ascii(1, &mut r));
        assert_eq!(r, [b' '; RECORD_LEN], "left untouched");
        let mut out = Vec::new();
        e.write(1, &mut out);
        assert_eq!(crate::field::char_count(&out), RECORD_LEN);
    }
}

//! Addenda records (type 7): 02, 05, 98 (NOC and refused NOC), 99 (return, dishonored, contested),
//! IAT 10-18.

use crate::codes::changes::{self, Correction};
use crate::codes::returns;
use crate::entry::NewAddenda;
use crate::field::{RECORD_LEN, Rec, alpha_into, num_into, parse_digits, put_alpha, put_num, put_raw};
use crate::layout::Layout;
use std::borrow::Cow;

/// View of an addenda record.
#[derive(Clone, Copy, Debug)]
pub struct AddendaRecord<'r> {
    rec: &'r Rec<'r>,
    layout: Layout,
}

/// Chooses the addenda layout from the type code and, for 98/99, the reason code.
pub fn addenda_layout(rec: &Rec<'_>) -> Layout {
    match rec.field(2, 3) {
        b"02" => Layout::Addenda02,
        b"05" => Layout::Addenda05,
        b"98" => {
            if changes::is_refused_code(rec.field(4, 6)) {
                Layout::Addenda98Refused
            } else {
                Layout::Addenda98
            }
        }
        b"99" => match returns::layout_of(rec.field(4, 6)) {
            returns::ReturnLayout::Dishonored => Layout::Addenda99Dishonored,
            returns::ReturnLayout::Contested => Layout::Addenda99Contested,
            returns::ReturnLayout::Standard => Layout::Addenda99,
        },
        b"10" | b"11" | b"12" | b"13" | b"14" | b"15" | b"16" | b"17" | b"18" => Layout::AddendaIat,
        _ => Layout::AddendaOther,
    }
}

impl<'r> AddendaRecord<'r> {
    pub(crate) fn new(rec: &'r Rec<'r>, layout: Layout) -> Option<Self> {
        layout.is_addenda().then_some(Self { rec, layout })
    }
    /// Layout.
    pub fn layout(&self) -> Layout {
        self.layout
    }
    /// Type code (2-3).
    pub fn type_code(&self) -> &'r [u8] {
        self.rec.field(2, 3)
    }
    /// Payment related information of an 05 (4-83).
    pub fn payment_related_information(&self) -> Cow<'r, str> {
        self.rec.text(4, 83)
    }
    /// Addenda sequence number of an 05 (84-87).
    pub fn addenda_sequence_number(&self) -> Option<u64> {
        self.rec.num(84, 87)
    }
    /// Entry detail sequence number of an 05 or IAT addenda (88-94): last 7 digits of the entry trace.
    pub fn entry_detail_sequence_number(&self) -> Option<u64> {
        self.rec.num(88, 94)
    }
    /// Reason code: return code (99), change code (98) or refused change code (98 refused), text.
    pub fn reason_code(&self) -> &'r [u8] {
        self.rec.field(4, 6)
    }
    /// Original entry trace number of a 98 or 99 (7-21).
    pub fn original_trace_field(&self) -> &'r [u8] {
        self.rec.field(7, 21)
    }
    /// Original entry trace number value.
    pub fn original_trace(&self) -> Option<u64> {
        parse_digits(self.original_trace_field())
    }
    /// Original RDFI identification of a 98 or 99 (28-35).
    pub fn original_rdfi(&self) -> &'r [u8] {
        self.rec.field(28, 35)
    }
    /// Corrected data of a 98 (36-64).
    pub fn corrected_data(&self) -> &'r [u8] {
        self.rec.field(36, 64)
    }
    /// The change code a refused NOC refers to (65-67).
    pub fn refused_original_change_code(&self) -> &'r [u8] {
        self.rec.field(65, 67)
    }
    /// Date of death of a standard 99 (22-27).
    pub fn date_of_death(&self) -> &'r [u8] {
        self.rec.field(22, 27)
    }
    /// Addenda information of a standard 99 (36-79).
    pub fn addenda_information(&self) -> Cow<'r, str> {
        match self.layout {
            Layout::Addenda99Dishonored => self.rec.text(59, 79),
            _ => self.rec.text(36, 79),
        }
    }
    /// Trace number (80-94) of 02, 98, 99.
    pub fn trace_field(&self) -> &'r [u8] {
        self.rec.field(80, 94)
    }
    /// Data of an IAT or unknown addenda.
    pub fn data(&self) -> &'r [u8] {
        match self.layout {
            Layout::AddendaIat => self.rec.field(4, 87),
            _ => self.rec.field(4, 94),
        }
    }
    /// Typed correction of a NOC (98): parses corrected data per change code.
    pub fn correction(&self) -> Option<Result<Correction, String>> {
        match self.layout {
            Layout::Addenda98 => Some(changes::parse_corrected_data(self.reason_code(), self.corrected_data())),
            _ => None,
        }
    }
}

/// Fills `r` (which holds spaces) with an addenda 05 whose text is ASCII (exactly 94 bytes); returns
/// false, leaving `r` as it was, for other addenda and non-ASCII text.
#[inline]
pub(crate) fn fill_addenda_ascii(a: &NewAddenda, seq: u64, entry_trace: u64, r: &mut [u8; RECORD_LEN]) -> bool {
    let NewAddenda::Remittance { payment_related_information: p } = a else { return false };
    if !p.is_ascii() {
        return false;
    }
    r[..3].copy_from_slice(b"705");
    alpha_into(&mut r[3..83], p.as_bytes());
    num_into(&mut r[83..87], seq);
    num_into(&mut r[87..94], entry_trace % 10_000_000);
    true
}

/// Appends an addenda record. `seq` is the addenda sequence (1-based), `entry_trace` the trace number
/// of the entry it belongs to.
pub fn write_addenda(a: &NewAddenda, seq: u64, entry_trace: u64, out: &mut Vec<u8>) {
    let mut r = [b' '; RECORD_LEN];
    if fill_addenda_ascii(a, seq, entry_trace, &mut r) {
        out.extend_from_slice(&r);
    } else {
        write_addenda_general(a, seq, entry_trace, out);
    }
}

/// Field-by-field addenda writer for any addenda and any text.
fn write_addenda_general(a: &NewAddenda, seq: u64, entry_trace: u64, out: &mut Vec<u8>) {
    match a {
        NewAddenda::Remittance { payment_related_information } => {
            out.extend_from_slice(b"705");
            put_alpha(out, payment_related_information, 80);
            put_num(out, seq, 4);
            put_num(out, entry_trace % 10_000_000, 7);
        }
        NewAddenda::Return {
            return_reason_code,
            original_entry_trace_number,
            date_of_death,
            original_rdfi_identification,
            addenda_information,
        } => {
            out.extend_from_slice(b"799");
            put_raw(out, return_reason_code.as_bytes(), 3);
            put_raw(out, original_entry_trace_number.as_bytes(), 15);
            put_raw(out, date_of_death.as_bytes(), 6);
            put_raw(out, original_rdfi_identification.as_bytes(), 8);
            put_alpha(out, addenda_information, 44);
            put_num(out, entry_trace, 15);
        }
        NewAddenda::Change {
            change_code,
            original_entry_trace_number,
            original_rdfi_identification,
            corrected_data,
        } => {
            out.extend_from_slice(b"798");
            put_raw(out, change_code.as_bytes(), 3);
            put_raw(out, original_entry_trace_number.as_bytes(), 15);
            out.extend_from_slice(b"      ");
            put_raw(out, original_rdfi_identification.as_bytes(), 8);
            put_alpha(out, corrected_data, 29);
            out.extend_from_slice(&[b' '; 15]);
            put_num(out, entry_trace, 15);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_fast_fill_matches_general_writer() {
        let long = "X".repeat(100);
        for text in ["", "REFUND OF ENTRY 001-0000001-1", long.as_str(), &long[..80], &long[..79]] {
            let a = NewAddenda::Remittance { payment_related_information: text.to_string() };
            for (seq, trace) in [(1, 121_042_880_000_001), (9999, 9_999_999), (12_345, 0)] {
                let mut fast = [b' '; RECORD_LEN];
                assert!(fill_addenda_ascii(&a, seq, trace, &mut fast));
                let mut general = Vec::new();
                write_addenda_general(&a, seq, trace, &mut general);
                assert_eq!(fast.as_slice(), general.as_slice());
            }
        }
        let a = NewAddenda::Remittance { payment_related_information: "caf\u{e9}".into() };
        let mut r = [b' '; RECORD_LEN];
        assert!(!fill_addenda_ascii(&a, 1, 1, &mut r));
        assert_eq!(r, [b' '; RECORD_LEN], "left untouched");
    }
}

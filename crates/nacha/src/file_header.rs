//! File header record (type 1).

use crate::field::{Rec, put_alpha, put_raw};
use crate::types::RoutingNumber;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// View of a file header.
#[derive(Clone, Copy, Debug)]
pub struct FileHeader<'r> {
    rec: &'r Rec<'r>,
}

impl<'r> FileHeader<'r> {
    pub(crate) fn new(rec: &'r Rec<'r>) -> Self {
        Self { rec }
    }
    /// Priority code (positions 2-3, "01").
    pub fn priority_code(&self) -> &'r [u8] {
        self.rec.field(2, 3)
    }
    /// Immediate destination (positions 4-13): a blank and the nine-digit routing number.
    pub fn immediate_destination(&self) -> &'r [u8] {
        self.rec.field(4, 13)
    }
    /// Immediate origin (positions 14-23).
    pub fn immediate_origin(&self) -> &'r [u8] {
        self.rec.field(14, 23)
    }
    /// Creation date YYMMDD (24-29).
    pub fn creation_date(&self) -> &'r [u8] {
        self.rec.field(24, 29)
    }
    /// Creation time HHMM (30-33).
    pub fn creation_time(&self) -> &'r [u8] {
        self.rec.field(30, 33)
    }
    /// File id modifier (34).
    pub fn file_id_modifier(&self) -> &'r [u8] {
        self.rec.field(34, 34)
    }
    /// Record size (35-37, "094").
    pub fn record_size(&self) -> &'r [u8] {
        self.rec.field(35, 37)
    }
    /// Blocking factor (38-39, "10").
    pub fn blocking_factor(&self) -> &'r [u8] {
        self.rec.field(38, 39)
    }
    /// Format code (40, "1").
    pub fn format_code(&self) -> &'r [u8] {
        self.rec.field(40, 40)
    }
    /// Destination name (41-63).
    pub fn destination_name(&self) -> Cow<'r, str> {
        self.rec.text(41, 63)
    }
    /// Origin name (64-86).
    pub fn origin_name(&self) -> Cow<'r, str> {
        self.rec.text(64, 86)
    }
    /// Reference code (87-94).
    pub fn reference_code(&self) -> Cow<'r, str> {
        self.rec.text(87, 94)
    }
}

/// Values for writing a file header. Dates are inputs so output is deterministic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileHeaderFields {
    /// Receiving point (usually the ODFI's Fed or correspondent), written as blank + 9 digits.
    pub immediate_destination: RoutingNumber,
    /// Sending point: 9-digit routing number (written as blank + 9 digits) or a 10-character id
    /// (digits and capital letters).
    pub immediate_origin: String,
    /// YYMMDD.
    pub creation_date: String,
    /// HHMM.
    pub creation_time: String,
    /// 'A'-'Z' or '0'-'9'.
    pub file_id_modifier: char,
    /// Up to 23 characters.
    pub destination_name: String,
    /// Up to 23 characters.
    pub origin_name: String,
    /// Up to 8 characters.
    pub reference_code: String,
}

impl FileHeaderFields {
    /// Checks what the writer cannot fix by padding.
    pub fn check(&self) -> Result<(), String> {
        // A routing number (9 digits, written after a blank) or the 10 characters the ODFI
        // assigned (digits and capital letters, such as a letter and 9 digits), not all zeros.
        let o = self.immediate_origin.as_bytes();
        let origin_ok = match o.len() {
            9 => o.iter().all(u8::is_ascii_digit),
            10 => o.iter().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()),
            _ => false,
        } && o.iter().any(|&c| c != b'0');
        if !origin_ok {
            return Err(format!(
                "immediate origin {:?} must be 9 digits or 10 digits and capital letters",
                self.immediate_origin
            ));
        }
        if !is_yymmdd(self.creation_date.as_bytes()) {
            return Err(format!("creation date {:?} must be YYMMDD", self.creation_date));
        }
        if !is_hhmm(self.creation_time.as_bytes()) {
            return Err(format!("creation time {:?} must be HHMM", self.creation_time));
        }
        if !(self.file_id_modifier.is_ascii_uppercase() || self.file_id_modifier.is_ascii_digit()) {
            return Err("file id modifier must be A-Z or 0-9".into());
        }
        Ok(())
    }

    /// Appends the 94-character record (no line ending).
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"101 ");
        out.extend_from_slice(self.immediate_destination.as_str().as_bytes());
        if self.immediate_origin.len() == 9 {
            out.push(b' ');
        }
        put_raw(out, self.immediate_origin.as_bytes(), if self.immediate_origin.len() == 9 { 9 } else { 10 });
        put_raw(out, self.creation_date.as_bytes(), 6);
        put_raw(out, self.creation_time.as_bytes(), 4);
        out.push(if self.file_id_modifier.is_ascii() { self.file_id_modifier as u8 } else { b'A' });
        out.extend_from_slice(b"094101");
        put_alpha(out, &self.destination_name, 23);
        put_alpha(out, &self.origin_name, 23);
        put_alpha(out, &self.reference_code, 8);
    }
}

/// True for a YYMMDD date that exists (month 01-12, day within the month, 29 February in leap
/// years).
pub fn is_yymmdd(b: &[u8]) -> bool {
    if b.len() != 6 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let y = (b[0] - b'0') as u32 * 10 + (b[1] - b'0') as u32;
    let m = (b[2] - b'0') * 10 + (b[3] - b'0');
    let d = (b[4] - b'0') * 10 + (b[5] - b'0');
    // Days of the month as Go's time.Parse("060102") (moov-io/ach): YY 69-99 is 19YY, else 20YY.
    let year = if y >= 69 { 1900 + y } else { 2000 + y };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => 0,
    };
    (1..=days).contains(&d)
}

/// True for HHMM (00-23, 00-59).
pub fn is_hhmm(b: &[u8]) -> bool {
    if b.len() != 4 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let h = (b[0] - b'0') * 10 + (b[1] - b'0');
    let m = (b[2] - b'0') * 10 + (b[3] - b'0');
    h < 24 && m < 60
}

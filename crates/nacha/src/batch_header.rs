//! Batch header record (type 5), domestic and IAT.

use crate::field::{Rec, put_alpha, put_num, put_raw};
use crate::layout::Layout;
use crate::types::{RoutingNumber, SecCode, ServiceClass};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// View of a batch header.
#[derive(Clone, Copy, Debug)]
pub struct BatchHeader<'r> {
    rec: &'r Rec<'r>,
    layout: Layout,
}

impl<'r> BatchHeader<'r> {
    pub(crate) fn new(rec: &'r Rec<'r>, layout: Layout) -> Self {
        Self { rec, layout }
    }
    /// True for an IAT batch header.
    pub fn is_iat(&self) -> bool {
        self.layout == Layout::IatBatchHeader
    }
    /// Service class code (2-4).
    pub fn service_class_code(&self) -> Option<u64> {
        self.rec.num(2, 4)
    }
    /// Service class.
    pub fn service_class(&self) -> Option<ServiceClass> {
        self.service_class_code().and_then(ServiceClass::from_code)
    }
    /// Company name (5-20); empty for IAT.
    pub fn company_name(&self) -> Cow<'r, str> {
        if self.is_iat() { Cow::Borrowed("") } else { self.rec.text(5, 20) }
    }
    /// Company discretionary data (21-40).
    pub fn company_discretionary_data(&self) -> Cow<'r, str> {
        if self.is_iat() { Cow::Borrowed("") } else { self.rec.text(21, 40) }
    }
    /// Company identification (41-50), originator identification for IAT.
    pub fn company_identification(&self) -> &'r [u8] {
        self.rec.field(41, 50)
    }
    /// SEC code text (51-53).
    pub fn sec_code_raw(&self) -> &'r [u8] {
        self.rec.field(51, 53)
    }
    /// SEC code.
    pub fn sec_code(&self) -> Option<SecCode> {
        SecCode::parse(self.sec_code_raw())
    }
    /// Company entry description (54-63).
    pub fn entry_description(&self) -> Cow<'r, str> {
        self.rec.text(54, 63)
    }
    /// Descriptive date (64-69; not present in IAT).
    pub fn descriptive_date(&self) -> Cow<'r, str> {
        if self.is_iat() { Cow::Borrowed("") } else { self.rec.text(64, 69) }
    }
    /// Effective entry date YYMMDD (70-75).
    pub fn effective_entry_date(&self) -> &'r [u8] {
        self.rec.field(70, 75)
    }
    /// Settlement date, Julian (76-78), inserted by the ACH operator.
    pub fn settlement_date(&self) -> &'r [u8] {
        self.rec.field(76, 78)
    }
    /// Originator status code (79).
    pub fn originator_status_code(&self) -> &'r [u8] {
        self.rec.field(79, 79)
    }
    /// ODFI identification (80-87).
    pub fn odfi(&self) -> &'r [u8] {
        self.rec.field(80, 87)
    }
    /// Batch number (88-94).
    pub fn batch_number(&self) -> Option<u64> {
        self.rec.num(88, 94)
    }
}

/// Values for writing a (domestic) batch header. The batch number is assigned by the writer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchHeaderFields {
    /// 200, 220 or 225.
    pub service_class: ServiceClass,
    /// Up to 16 characters.
    pub company_name: String,
    /// Up to 20 characters.
    pub company_discretionary_data: String,
    /// 10 characters (often "1" + EIN).
    pub company_identification: String,
    /// SEC code.
    pub sec_code: SecCode,
    /// Up to 10 characters ("REFUND").
    pub entry_description: String,
    /// Up to 6 characters, free text.
    pub descriptive_date: String,
    /// YYMMDD.
    pub effective_entry_date: String,
    /// '1' (financial institution) or '2' (government agency, federal originators).
    pub originator_status_code: char,
    /// The originating DFI; its 8-digit prefix starts every trace number.
    pub odfi: RoutingNumber,
}

impl BatchHeaderFields {
    /// Checks what the writer cannot fix by padding.
    pub fn check(&self) -> Result<(), String> {
        if self.service_class == ServiceClass::Advice || self.sec_code == SecCode::ADV || self.sec_code == SecCode::IAT
        {
            return Err("the writer builds domestic batches only (not ADV or IAT)".into());
        }
        // Required fields may not be only spaces and zeros (moov-io/ach's "only zeros" checks).
        let empty = |s: &str| s.chars().all(|c| c == ' ' || c == '0');
        if empty(&self.company_name) {
            return Err("company name is required".into());
        }
        if empty(&self.company_identification) {
            return Err("company identification is required".into());
        }
        if empty(&self.entry_description) {
            return Err("company entry description is required".into());
        }
        if !crate::file_header::is_yymmdd(self.effective_entry_date.as_bytes()) {
            return Err(format!("effective entry date {:?} must be YYMMDD", self.effective_entry_date));
        }
        // 0 is for ADV batches, which the writer does not build.
        if !matches!(self.originator_status_code, '1' | '2') {
            return Err("originator status code must be 1 or 2".into());
        }
        Ok(())
    }

    /// Appends the 94-character record for batch `number`.
    pub fn write(&self, number: u64, out: &mut Vec<u8>) {
        out.push(b'5');
        put_num(out, self.service_class.code() as u64, 3);
        put_alpha(out, &self.company_name, 16);
        put_alpha(out, &self.company_discretionary_data, 20);
        put_alpha(out, &self.company_identification, 10);
        out.extend_from_slice(self.sec_code.as_str().as_bytes());
        put_alpha(out, &self.entry_description, 10);
        put_alpha(out, &self.descriptive_date, 6);
        put_raw(out, self.effective_entry_date.as_bytes(), 6);
        out.extend_from_slice(b"   ");
        out.push(if self.originator_status_code.is_ascii_digit() { self.originator_status_code as u8 } else { b'1' });
        out.extend_from_slice(self.odfi.prefix());
        put_num(out, number, 7);
    }
}

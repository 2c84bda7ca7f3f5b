//! Record layouts as tables of fields: name, 1-based inclusive character columns, kind.
//!
//! The tables drive JSON conversion (lossless both ways) and the `describe` listing; the typed
//! accessors of each record use the same column numbers.

use serde::{Deserialize, Serialize};

/// How a field is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Right-justified, zero-filled number (amounts, counts, hashes).
    Num,
    /// Left-justified, space-filled text (also identifiers made of digits, kept as text).
    Text,
}

/// One field of a layout.
#[derive(Clone, Copy, Debug)]
pub struct FieldSpec {
    /// snake_case name (used as JSON key and in error reports).
    pub name: &'static str,
    /// First column (1-based).
    pub start: usize,
    /// Last column (inclusive).
    pub end: usize,
    /// Formatting.
    pub kind: Kind,
}

const fn f(name: &'static str, start: usize, end: usize, kind: Kind) -> FieldSpec {
    FieldSpec { name, start, end, kind }
}
use Kind::{Num as N, Text as T};

/// Every record layout the crate knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// Record type 1.
    FileHeader,
    /// Record type 5 (domestic).
    BatchHeader,
    /// Record type 5 of an IAT batch.
    IatBatchHeader,
    /// Record type 6 (domestic).
    Entry,
    /// Record type 6 of an ADV batch.
    AdvEntry,
    /// Record type 6 of an IAT batch.
    IatEntry,
    /// Addenda 02 (POS, SHR, MTE terminal data).
    Addenda02,
    /// Addenda 05 (payment related information).
    Addenda05,
    /// Addenda 98 (notification of change).
    Addenda98,
    /// Addenda 98 with a refused-NOC code C61-C69.
    Addenda98Refused,
    /// Addenda 99 (return).
    Addenda99,
    /// Addenda 99 with a dishonored return code R61-R70.
    Addenda99Dishonored,
    /// Addenda 99 with a contested dishonored return code R71-R77.
    Addenda99Contested,
    /// IAT addenda 10-18 (kept as text).
    AddendaIat,
    /// Any other addenda type (kept as text).
    AddendaOther,
    /// Record type 8.
    BatchControl,
    /// Record type 8 of an ADV batch.
    AdvBatchControl,
    /// Record type 9.
    FileControl,
    /// Record type 9 of an ADV file.
    AdvFileControl,
    /// All-9 block padding.
    Filler,
    /// Unknown record type (kept as text).
    Unknown,
}

impl Layout {
    /// Fields of this layout, in column order, covering columns 1-94 exactly.
    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            Layout::FileHeader => FILE_HEADER,
            Layout::BatchHeader => BATCH_HEADER,
            Layout::IatBatchHeader => IAT_BATCH_HEADER,
            Layout::Entry => ENTRY,
            Layout::AdvEntry => ADV_ENTRY,
            Layout::IatEntry => IAT_ENTRY,
            Layout::Addenda02 => ADDENDA02,
            Layout::Addenda05 => ADDENDA05,
            Layout::Addenda98 => ADDENDA98,
            Layout::Addenda98Refused => ADDENDA98_REFUSED,
            Layout::Addenda99 => ADDENDA99,
            Layout::Addenda99Dishonored => ADDENDA99_DISHONORED,
            Layout::Addenda99Contested => ADDENDA99_CONTESTED,
            Layout::AddendaIat => ADDENDA_IAT,
            Layout::AddendaOther => ADDENDA_OTHER,
            Layout::BatchControl => BATCH_CONTROL,
            Layout::AdvBatchControl => ADV_BATCH_CONTROL,
            Layout::FileControl => FILE_CONTROL,
            Layout::AdvFileControl => ADV_FILE_CONTROL,
            Layout::Filler => FILLER,
            Layout::Unknown => UNKNOWN,
        }
    }

    /// Every layout, in declaration order.
    pub const ALL: [Layout; 21] = [
        Layout::FileHeader,
        Layout::BatchHeader,
        Layout::IatBatchHeader,
        Layout::Entry,
        Layout::AdvEntry,
        Layout::IatEntry,
        Layout::Addenda02,
        Layout::Addenda05,
        Layout::Addenda98,
        Layout::Addenda98Refused,
        Layout::Addenda99,
        Layout::Addenda99Dishonored,
        Layout::Addenda99Contested,
        Layout::AddendaIat,
        Layout::AddendaOther,
        Layout::BatchControl,
        Layout::AdvBatchControl,
        Layout::FileControl,
        Layout::AdvFileControl,
        Layout::Filler,
        Layout::Unknown,
    ];

    /// Whether records of this layout are addenda (record type 7).
    pub fn is_addenda(self) -> bool {
        self.record_name() == "Addenda"
    }

    /// Record name used in error reports.
    pub fn record_name(self) -> &'static str {
        // Exhaustive on purpose: a new layout must be named here.
        match self {
            Layout::FileHeader => "FileHeader",
            Layout::BatchHeader | Layout::IatBatchHeader => "BatchHeader",
            Layout::Entry | Layout::AdvEntry | Layout::IatEntry => "EntryDetail",
            Layout::Addenda02
            | Layout::Addenda05
            | Layout::Addenda98
            | Layout::Addenda98Refused
            | Layout::Addenda99
            | Layout::Addenda99Dishonored
            | Layout::Addenda99Contested
            | Layout::AddendaIat
            | Layout::AddendaOther => "Addenda",
            Layout::BatchControl | Layout::AdvBatchControl => "BatchControl",
            Layout::FileControl | Layout::AdvFileControl => "FileControl",
            Layout::Filler => "Filler",
            Layout::Unknown => "Unknown",
        }
    }
}

/// File header (1).
pub const FILE_HEADER: &[FieldSpec] = &[
    f("record_type", 1, 1, T),
    f("priority_code", 2, 3, T),
    f("immediate_destination", 4, 13, T),
    f("immediate_origin", 14, 23, T),
    f("file_creation_date", 24, 29, T),
    f("file_creation_time", 30, 33, T),
    f("file_id_modifier", 34, 34, T),
    f("record_size", 35, 37, T),
    f("blocking_factor", 38, 39, T),
    f("format_code", 40, 40, T),
    f("immediate_destination_name", 41, 63, T),
    f("immediate_origin_name", 64, 86, T),
    f("reference_code", 87, 94, T),
];

/// Batch header (5).
pub const BATCH_HEADER: &[FieldSpec] = &[
    f("record_type", 1, 1, T),
    f("service_class_code", 2, 4, T),
    f("company_name", 5, 20, T),
    f("company_discretionary_data", 21, 40, T),
    f("company_identification", 41, 50, T),
    f("standard_entry_class_code", 51, 53, T),
    f("company_entry_description", 54, 63, T),
    f("company_descriptive_date", 64, 69, T),
    f("effective_entry_date", 70, 75, T),
    f("settlement_date", 76, 78, T),
    f("originator_status_code", 79, 79, T),
    f("odfi_identification", 80, 87, T),
    f("batch_number", 88, 94, N),
];

/// IAT batch header (5).
pub const IAT_BATCH_HEADER: &[FieldSpec] = &[
    f("record_type", 1, 1, T),
    f("service_class_code", 2, 4, T),
    f("iat_indicator", 5, 20, T),
    f("foreign_exchange_indicator", 21, 22, T),
    f("foreign_exchange_reference_indicator", 23, 23, T),
    f("foreign_exchange_reference", 24, 38, T),
    f("iso_destination_country_code", 39, 40, T),
    f("originator_identification", 41, 50, T),
    f("standard_entry_class_code", 51, 53, T),
    f("company_entry_description", 54, 63, T),
    f("iso_originating_currency_code", 64, 66, T),
    f("iso_destination_currency_code", 67, 69, T),
    f("effective_entry_date", 70, 75, T),
    f("settlement_date", 76, 78, T),
    f("originator_status_code", 79, 79, T),
    f("odfi_identification", 80, 87, T),
    f("batch_number", 88, 94, N),
];

/// Entry detail (6).
pub const ENTRY: &[FieldSpec] = &[
    f("record_type", 1, 1, T),
    f("transaction_code", 2, 3, T),
    f("rdfi_identification", 4, 11, T),
    f("check_digit", 12, 12, T),
    f("dfi_account_number", 13, 29, T),
    f("amount", 30, 39, N),
    f("identification_number", 40, 54, T),
    f("individual_name", 55, 76, T),
    f("discretionary_data", 77, 78, T),
    f("addenda_record_indicator", 79, 79, T),
    f("trace_number", 80, 94, T),
];

/// ADV entry detail (6).
pub const ADV_ENTRY: &[FieldSpec] = &[
    f("record_type", 1, 1, T),
    f("transaction_code", 2, 3, T),
    f("rdfi_identification", 4, 11, T),
    f("check_digit", 12, 12, T),
    f("dfi_account_number", 13, 27, T),
    f("amount", 28, 39, N),
    f("advice_routing_number", 40, 48, T),
    f("file_identification", 49, 53, T),
    f("ach_operator_data", 54, 54, T),
    f("individual_name", 55, 76, T),
    f("discretionary_data", 77, 78, T),
    f("addenda_record_indicator", 79, 79, T),
    f("ach_operator_routing_number", 80, 87, T),
    f("julian_day", 88, 90, T),
    f("sequence_number", 91, 94, T),
];

/// IAT entry detail (6).
pub const IAT_ENTRY: &[FieldSpec] = &[
    f("record_type", 1, 1, T),
    f("transaction_code", 2, 3, T),
    f("rdfi_identification", 4, 11, T),
    f("check_digit", 12, 12, T),
    f("addenda_records", 13, 16, N),
    f("reserved1", 17, 29, T),
    f("amount", 30, 39, N),
    f("dfi_account_number", 40, 74, T),
    f("reserved2", 75, 76, T),
    f("ofac_screening_indicator", 77, 77, T),
    f("secondary_ofac_screening_indicator", 78, 78, T),
    f("addenda_record_indicator", 79, 79, T),
    f("trace_number", 80, 94, T),
];

/// Addenda 02.
pub const ADDENDA02: &[FieldSpec] = &[
    f("record_type", 1, 1, T),
    f("addenda_type_code", 2, 3, T),
    f("reference_information_one", 4, 10, T),
    f("reference_information_two", 11, 13, T),
    f("terminal_identification_code", 14, 19, T),
    f("transaction_serial_number", 20, 25, T),
    f("transaction_date", 26, 29, T),
    f("authorization_code_or_card_expiration_date", 30, 35, T),
    f("terminal_location", 36, 62, T),
    f("terminal_city", 63, 77, T),
    f("terminal_state", 78, 79, T),
    f("trace_number", 80, 94, T),
];

/// Addenda 05.
pub const ADDENDA05: &[FieldSpec] = &[
    f("record_type", 1, 1, T),
    f("addenda_type_code", 2, 3, T),
    f("payment_related_information", 4, 83, T),
    f("addenda_sequence_number", 84, 87, N),
    f("entry_detail_sequence_number", 88, 94, N),
];

/// Addenda 98.
pub const ADDENDA98: &[FieldSpec] = &[
    f("record_type", 1, 1, T),
    f("addenda_type_code", 2, 3, T),
    f("change_code", 4, 6, T),
    f("original_entry_trace_number", 7, 21, T),
    f("reserved1", 22, 27, T),
    f("original_rdfi_identification", 28, 35, T),
    f("corrected_data", 36, 64, T),
    f("reserved2", 65, 79, T),
    f("trace_number", 80, 94, T),
];

/// Refused NOC (addenda 98, C61-C69).
pub const ADDENDA98_REFUSED: &[FieldSpec] = &[
    f("record_type", 1, 1, T),
    f("addenda_type_code", 2, 3, T),
    f("refused_change_code", 4, 6, T),
    f("original_entry_trace_number", 7, 21, T),
    f("reserved1", 22, 27, T),
    f("original_rdfi_identification", 28, 35, T),
    f("corrected_data", 36, 64, T),
    f("change_code", 65, 67, T),
    f("trace_sequence_number", 68, 74, T),
    f("reserved2", 75, 79, T),
    f("trace_number", 80, 94, T),
];

/// Addenda 99 (return).
pub const ADDENDA99: &[FieldSpec] = &[
    f("record_type", 1, 1, T),
    f("addenda_type_code", 2, 3, T),
    f("return_reason_code", 4, 6, T),
    f("original_entry_trace_number", 7, 21, T),
    f("date_of_death", 22, 27, T),
    f("original_rdfi_identification", 28, 35, T),
    f("addenda_information", 36, 79, T),
    f("trace_number", 80, 94, T),
];

/// Dishonored return (addenda 99, R61-R70).
pub const ADDENDA99_DISHONORED: &[FieldSpec] = &[
    f("record_type", 1, 1, T),
    f("addenda_type_code", 2, 3, T),
    f("dishonored_return_reason_code", 4, 6, T),
    f("original_entry_trace_number", 7, 21, T),
    f("reserved1", 22, 27, T),
    f("original_rdfi_identification", 28, 35, T),
    f("reserved2", 36, 38, T),
    f("return_trace_number", 39, 53, T),
    f("return_settlement_date", 54, 56, T),
    f("return_reason_code", 57, 58, T),
    f("addenda_information", 59, 79, T),
    f("trace_number", 80, 94, T),
];

/// Contested dishonored return (addenda 99, R71-R77).
pub const ADDENDA99_CONTESTED: &[FieldSpec] = &[
    f("record_type", 1, 1, T),
    f("addenda_type_code", 2, 3, T),
    f("contested_return_reason_code", 4, 6, T),
    f("original_entry_trace_number", 7, 21, T),
    f("date_original_entry_returned", 22, 27, T),
    f("original_rdfi_identification", 28, 35, T),
    f("original_settlement_date", 36, 38, T),
    f("return_trace_number", 39, 53, T),
    f("return_settlement_date", 54, 56, T),
    f("return_reason_code", 57, 58, T),
    f("dishonored_return_trace_number", 59, 73, T),
    f("dishonored_return_settlement_date", 74, 76, T),
    f("dishonored_return_reason_code", 77, 78, T),
    f("reserved", 79, 79, T),
    f("trace_number", 80, 94, T),
];

/// IAT addenda 10-18 (text between type code and entry detail sequence number kept whole).
pub const ADDENDA_IAT: &[FieldSpec] = &[
    f("record_type", 1, 1, T),
    f("addenda_type_code", 2, 3, T),
    f("data", 4, 87, T),
    f("entry_detail_sequence_number", 88, 94, T),
];

/// Other addenda.
pub const ADDENDA_OTHER: &[FieldSpec] =
    &[f("record_type", 1, 1, T), f("addenda_type_code", 2, 3, T), f("data", 4, 94, T)];

/// Batch control (8).
pub const BATCH_CONTROL: &[FieldSpec] = &[
    f("record_type", 1, 1, T),
    f("service_class_code", 2, 4, T),
    f("entry_addenda_count", 5, 10, N),
    f("entry_hash", 11, 20, N),
    f("total_debit", 21, 32, N),
    f("total_credit", 33, 44, N),
    f("company_identification", 45, 54, T),
    f("message_authentication_code", 55, 73, T),
    f("reserved", 74, 79, T),
    f("odfi_identification", 80, 87, T),
    f("batch_number", 88, 94, N),
];

/// ADV batch control (8).
pub const ADV_BATCH_CONTROL: &[FieldSpec] = &[
    f("record_type", 1, 1, T),
    f("service_class_code", 2, 4, T),
    f("entry_addenda_count", 5, 10, N),
    f("entry_hash", 11, 20, N),
    f("total_debit", 21, 40, N),
    f("total_credit", 41, 60, N),
    f("ach_operator_data", 61, 79, T),
    f("odfi_identification", 80, 87, T),
    f("batch_number", 88, 94, N),
];

/// File control (9).
pub const FILE_CONTROL: &[FieldSpec] = &[
    f("record_type", 1, 1, T),
    f("batch_count", 2, 7, N),
    f("block_count", 8, 13, N),
    f("entry_addenda_count", 14, 21, N),
    f("entry_hash", 22, 31, N),
    f("total_debit", 32, 43, N),
    f("total_credit", 44, 55, N),
    f("reserved", 56, 94, T),
];

/// ADV file control (9).
pub const ADV_FILE_CONTROL: &[FieldSpec] = &[
    f("record_type", 1, 1, T),
    f("batch_count", 2, 7, N),
    f("block_count", 8, 13, N),
    f("entry_addenda_count", 14, 21, N),
    f("entry_hash", 22, 31, N),
    f("total_debit", 32, 51, N),
    f("total_credit", 52, 71, N),
    f("reserved", 72, 94, T),
];

/// Block padding.
pub const FILLER: &[FieldSpec] = &[f("data", 1, 94, T)];

/// Unknown record.
pub const UNKNOWN: &[FieldSpec] = &[f("data", 1, 94, T)];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layout_covers_94_columns_without_gaps() {
        for l in Layout::ALL {
            let mut next = 1;
            for fs in l.fields() {
                assert_eq!(fs.start, next, "{l:?} {}", fs.name);
                assert!(fs.end >= fs.start);
                next = fs.end + 1;
            }
            assert_eq!(next, 95, "{l:?}");
        }
    }
}

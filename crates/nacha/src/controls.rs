//! Batch control (8) and file control (9) records.

use crate::field::{Rec, put_alpha, put_num};

/// View of a batch control.
#[derive(Clone, Copy, Debug)]
pub struct BatchControl<'r> {
    rec: &'r Rec<'r>,
    adv: bool,
}

impl<'r> BatchControl<'r> {
    pub(crate) fn new(rec: &'r Rec<'r>, adv: bool) -> Self {
        Self { rec, adv }
    }
    /// Service class code (2-4).
    pub fn service_class_code(&self) -> Option<u64> {
        self.rec.num(2, 4)
    }
    /// Entry + addenda count (5-10).
    pub fn entry_addenda_count(&self) -> Option<u64> {
        self.rec.num(5, 10)
    }
    /// Entry hash (11-20).
    pub fn entry_hash(&self) -> Option<u64> {
        self.rec.num(11, 20)
    }
    /// Total debit in cents.
    pub fn total_debit(&self) -> Option<u64> {
        if self.adv { self.rec.num(21, 40) } else { self.rec.num(21, 32) }
    }
    /// Total credit in cents.
    pub fn total_credit(&self) -> Option<u64> {
        if self.adv { self.rec.num(41, 60) } else { self.rec.num(33, 44) }
    }
    /// Company identification (45-54; absent in ADV).
    pub fn company_identification(&self) -> Option<&'r [u8]> {
        (!self.adv).then(|| self.rec.field(45, 54))
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

/// View of a file control.
#[derive(Clone, Copy, Debug)]
pub struct FileControl<'r> {
    rec: &'r Rec<'r>,
    adv: bool,
}

impl<'r> FileControl<'r> {
    pub(crate) fn new(rec: &'r Rec<'r>, adv: bool) -> Self {
        Self { rec, adv }
    }
    /// Batch count (2-7).
    pub fn batch_count(&self) -> Option<u64> {
        self.rec.num(2, 7)
    }
    /// Block count (8-13).
    pub fn block_count(&self) -> Option<u64> {
        self.rec.num(8, 13)
    }
    /// Entry + addenda count (14-21).
    pub fn entry_addenda_count(&self) -> Option<u64> {
        self.rec.num(14, 21)
    }
    /// Entry hash (22-31).
    pub fn entry_hash(&self) -> Option<u64> {
        self.rec.num(22, 31)
    }
    /// Total debit in cents.
    pub fn total_debit(&self) -> Option<u64> {
        if self.adv { self.rec.num(32, 51) } else { self.rec.num(32, 43) }
    }
    /// Total credit in cents.
    pub fn total_credit(&self) -> Option<u64> {
        if self.adv { self.rec.num(52, 71) } else { self.rec.num(44, 55) }
    }
}

/// Totals of a batch or a file, as the writer and validator accumulate them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Entries plus addenda.
    pub entry_addenda_count: u64,
    /// Sum of RDFI prefixes (untruncated; write keeps the last 10 digits).
    pub entry_hash: u64,
    /// Debits in cents.
    pub total_debit: u64,
    /// Credits in cents.
    pub total_credit: u64,
}

/// Appends a (domestic) batch control record.
pub fn write_batch_control(
    out: &mut Vec<u8>,
    service_class: u16,
    t: &Totals,
    company_id: &str,
    odfi_prefix: &[u8],
    batch_number: u64,
) {
    out.push(b'8');
    put_num(out, service_class as u64, 3);
    put_num(out, t.entry_addenda_count, 6);
    put_num(out, t.entry_hash % 10_000_000_000, 10);
    put_num(out, t.total_debit, 12);
    put_num(out, t.total_credit, 12);
    put_alpha(out, company_id, 10);
    out.extend_from_slice(&[b' '; 25]);
    out.extend_from_slice(odfi_prefix);
    put_num(out, batch_number, 7);
}

/// Appends a (domestic) file control record.
pub fn write_file_control(out: &mut Vec<u8>, batch_count: u64, block_count: u64, t: &Totals) {
    out.push(b'9');
    put_num(out, batch_count, 6);
    put_num(out, block_count, 6);
    put_num(out, t.entry_addenda_count, 8);
    put_num(out, t.entry_hash % 10_000_000_000, 10);
    put_num(out, t.total_debit, 12);
    put_num(out, t.total_credit, 12);
    out.extend_from_slice(&[b' '; 39]);
}

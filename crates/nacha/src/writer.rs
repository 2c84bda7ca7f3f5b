//! Streaming writer: batches and entries in, NACHA text out, controls computed on the way.
//!
//! Memory does not depend on the number of entries: records go into a reused buffer that is flushed
//! to the underlying writer every 64 KiB. Output is deterministic: creation date and time are inputs,
//! batch numbers count from 1, and trace numbers are the ODFI's 8-digit prefix followed by a 7-digit
//! sequence that restarts at 1 in each batch (as moov-io/ach does).

use crate::addenda::{fill_addenda_ascii, write_addenda};
use crate::batch_header::BatchHeaderFields;
use crate::controls::{Totals, write_batch_control, write_file_control};
use crate::entry::{EntryFields, NewAddenda};
use crate::field::RECORD_LEN;
use crate::file_header::FileHeaderFields;
use crate::types::{MAX_ENTRY_AMOUNT, MAX_TOTAL_AMOUNT, SecCode, ServiceClass};
use std::io::{self, Write};

const FLUSH_AT: usize = 64 * 1024;
const FILLER: [u8; 94] = [b'9'; 94];

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The underlying writer failed.
    #[error("i/o error: {0}")]
    Io(#[from] io::Error),
    /// The data breaks a NACHA rule the writer enforces.
    #[error("{0}")]
    Invalid(String),
    /// Methods called in the wrong order.
    #[error("{0}")]
    State(&'static str),
}

struct OpenBatch {
    service_class: ServiceClass,
    sec: SecCode,
    company_id: String,
    odfi: [u8; 8],
    odfi_value: u64,
    number: u64,
    totals: Totals,
    seq: u64,
}

/// Streaming NACHA writer.
pub struct Writer<W: Write> {
    out: W,
    buf: Vec<u8>,
    records: u64,
    batches: u64,
    file: Totals,
    batch: Option<OpenBatch>,
}

fn invalid<T>(msg: String) -> Result<T, WriteError> {
    Err(WriteError::Invalid(msg))
}

impl<W: Write> Writer<W> {
    /// Starts a file by writing its header.
    pub fn new(out: W, header: &FileHeaderFields) -> Result<Self, WriteError> {
        header.check().map_err(WriteError::Invalid)?;
        let mut w = Writer {
            out,
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            records: 0,
            batches: 0,
            file: Totals::default(),
            batch: None,
        };
        header.write(&mut w.buf);
        w.end_record();
        Ok(w)
    }

    #[inline]
    fn end_record(&mut self) {
        self.buf.push(b'\n');
        self.records += 1;
    }

    #[inline]
    fn maybe_flush(&mut self) -> io::Result<()> {
        if self.buf.len() >= FLUSH_AT {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Opens a batch; returns its batch number.
    pub fn begin_batch(&mut self, h: &BatchHeaderFields) -> Result<u64, WriteError> {
        if self.batch.is_some() {
            return Err(WriteError::State("begin_batch called while a batch is open"));
        }
        h.check().map_err(WriteError::Invalid)?;
        if self.batches >= 9_999_999 {
            return invalid("too many batches".into());
        }
        self.batches += 1;
        let number = self.batches;
        h.write(number, &mut self.buf);
        self.end_record();
        let mut odfi = [b'0'; 8];
        odfi.copy_from_slice(h.odfi.prefix());
        self.batch = Some(OpenBatch {
            service_class: h.service_class,
            sec: h.sec_code,
            company_id: h.company_identification.clone(),
            odfi,
            odfi_value: h.odfi.prefix_value(),
            number,
            totals: Totals::default(),
            seq: 0,
        });
        self.maybe_flush()?;
        Ok(number)
    }

    /// Continues the open batch's trace sequence at `next` (1..=9,999,999) instead of 1, so an
    /// originator that numbers across files (prenotes matched to replies by trace alone) never
    /// repeats a trace number. Only before the batch's first entry.
    pub fn start_trace_sequence_at(&mut self, next: u64) -> Result<(), WriteError> {
        let Some(b) = self.batch.as_mut() else {
            return Err(WriteError::State("start_trace_sequence_at called with no open batch"));
        };
        if b.seq != 0 {
            return Err(WriteError::State("start_trace_sequence_at called after the batch's first entry"));
        }
        if !(1..=9_999_999).contains(&next) {
            return invalid(format!("a trace sequence runs from 1 to 9999999, not {next}"));
        }
        b.seq = next - 1;
        Ok(())
    }

    /// Adds an entry (and its addenda) to the open batch; returns the trace number assigned.
    pub fn add_entry(&mut self, e: &EntryFields<'_>) -> Result<u64, WriteError> {
        let Some(b) = self.batch.as_mut() else {
            return Err(WriteError::State("add_entry called outside a batch"));
        };
        let code = e.transaction_code;
        let credit = code.direction() == crate::types::Direction::Credit;
        if e.amount_cents > MAX_ENTRY_AMOUNT {
            return invalid(format!("amount {} cents exceeds 9,999,999,999", e.amount_cents));
        }
        if (code.is_prenote() || code.is_zero_dollar_remittance()) && e.amount_cents != 0 {
            return invalid(format!("transaction code {code} requires a zero amount"));
        }
        // Only prenotes and replies (returns, NOCs) carry zero; ACK and ATX acknowledge with 24/34.
        let reply = e.addenda.iter().any(|a| matches!(a, NewAddenda::Return { .. } | NewAddenda::Change { .. }));
        let ack = matches!(b.sec, SecCode::ACK | SecCode::ATX) && matches!(code.code(), 24 | 34);
        if e.amount_cents == 0 && !code.is_prenote() && !reply && !ack {
            return invalid(format!("a transaction code {code} entry cannot carry 0 cents"));
        }
        if b.sec.requires_receiver_name() {
            // The validator reads CIE and MTE names from columns 40-54, where the writer puts the
            // identification number.
            let name = if matches!(b.sec, SecCode::CIE | SecCode::MTE) {
                &e.identification_number
            } else {
                &e.individual_name
            };
            if name.chars().take(22).all(|c| c == ' ' || c == '0') {
                return invalid(format!("{} entries need the receiver's name", b.sec));
            }
        }
        match b.service_class {
            ServiceClass::CreditsOnly if !credit => {
                return invalid(format!("service class 220 allows only credits, got {code}"));
            }
            ServiceClass::DebitsOnly if credit => {
                return invalid(format!("service class 225 allows only debits, got {code}"));
            }
            _ => {}
        }
        if (b.sec.debits_only() && credit) || (b.sec.credits_only() && !credit) {
            return invalid(format!("transaction code {code} not allowed in a {} batch", b.sec));
        }
        let max_addenda = match b.sec {
            SecCode::CTX => 9999,
            SecCode::COR => 1,
            _ => 1,
        };
        if e.addenda.len() > max_addenda {
            return invalid(format!("{} batches allow at most {max_addenda} addenda per entry", b.sec));
        }
        for a in &e.addenda {
            let ok = match a {
                NewAddenda::Remittance { .. } => b.sec != SecCode::COR,
                NewAddenda::Change { .. } => b.sec == SecCode::COR,
                NewAddenda::Return { .. } => b.sec != SecCode::COR,
            };
            if !ok {
                return invalid(format!("addenda {a:?} not allowed in a {} batch", b.sec));
            }
        }
        let (debit_add, credit_add) = if credit { (0, e.amount_cents) } else { (e.amount_cents, 0) };
        if b.totals.total_credit + credit_add > MAX_TOTAL_AMOUNT
            || b.totals.total_debit + debit_add > MAX_TOTAL_AMOUNT
            || self.file.total_credit + b.totals.total_credit + credit_add > MAX_TOTAL_AMOUNT
            || self.file.total_debit + b.totals.total_debit + debit_add > MAX_TOTAL_AMOUNT
        {
            return invalid("batch or file total would exceed 999,999,999,999 cents".into());
        }
        let records = 1 + e.addenda.len() as u64;
        if b.totals.entry_addenda_count + records > 999_999 {
            return invalid("a batch holds at most 999,999 entries and addenda: start a new batch".into());
        }
        if self.file.entry_addenda_count + b.totals.entry_addenda_count + records > 99_999_999 {
            return invalid("a file holds at most 99,999,999 entries and addenda".into());
        }
        if b.seq >= 9_999_999 {
            return invalid("trace sequence exhausted: start a new batch".into());
        }
        b.seq += 1;
        let trace = b.odfi_value * 10_000_000 + b.seq;
        b.totals.entry_addenda_count += records;
        b.totals.entry_hash += e.rdfi.prefix_value();
        b.totals.total_credit += credit_add;
        b.totals.total_debit += debit_add;
        // Common case: 94 ASCII bytes and a LF built in one go, then appended as one block.
        let mut slot = [b' '; RECORD_LEN + 1];
        slot[RECORD_LEN] = b'\n';
        let (rec, _) = slot.split_first_chunk_mut::<RECORD_LEN>().expect("95 bytes");
        if e.fill_ascii(trace, rec) {
            self.buf.extend_from_slice(&slot);
        } else {
            e.write(trace, &mut self.buf);
            self.buf.push(b'\n');
        }
        for (i, a) in e.addenda.iter().enumerate() {
            let mut slot = [b' '; RECORD_LEN + 1];
            slot[RECORD_LEN] = b'\n';
            let (rec, _) = slot.split_first_chunk_mut::<RECORD_LEN>().expect("95 bytes");
            if fill_addenda_ascii(a, i as u64 + 1, trace, rec) {
                self.buf.extend_from_slice(&slot);
            } else {
                write_addenda(a, i as u64 + 1, trace, &mut self.buf);
                self.buf.push(b'\n');
            }
        }
        self.records += records;
        self.maybe_flush()?;
        Ok(trace)
    }

    /// Closes the open batch by writing its control.
    pub fn end_batch(&mut self) -> Result<(), WriteError> {
        let Some(b) = self.batch.take() else {
            return Err(WriteError::State("end_batch called without an open batch"));
        };
        write_batch_control(&mut self.buf, b.service_class.code(), &b.totals, &b.company_id, &b.odfi, b.number);
        self.end_record();
        self.file.entry_addenda_count += b.totals.entry_addenda_count;
        self.file.entry_hash += b.totals.entry_hash;
        self.file.total_credit += b.totals.total_credit;
        self.file.total_debit += b.totals.total_debit;
        self.maybe_flush()?;
        Ok(())
    }

    /// Writes the file control and the all-9 padding; returns the underlying writer, flushed.
    /// A block count above 999,999 (files over 9,999,990 records) is written on its last six
    /// digits, like the entry hash.
    pub fn finish(mut self) -> Result<W, WriteError> {
        if self.batch.is_some() {
            self.end_batch()?;
        }
        let total = self.records + 1;
        let blocks = total.div_ceil(10);
        write_file_control(&mut self.buf, self.batches, blocks % 1_000_000, &self.file);
        self.end_record();
        let pad = blocks * 10 - total;
        for _ in 0..pad {
            self.buf.extend_from_slice(&FILLER);
            self.buf.push(b'\n');
        }
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()?;
        Ok(self.out)
    }
}

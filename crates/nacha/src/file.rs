//! Whole-file reader: records grouped into batches and entries, with the validation report.
//! Use [`crate::Reader`] and [`crate::Validator`] directly for constant-memory processing.

use crate::options::ReadOptions;
use crate::reader::Reader;
use crate::record::Record;
use crate::validate::{Report, Validator};
use std::collections::HashMap;

/// An entry with its addenda.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Line number of the entry.
    pub line: u64,
    /// The entry record.
    pub record: Record<'static>,
    /// Its addenda records with their line numbers.
    pub addenda: Vec<(u64, Record<'static>)>,
}

/// A batch.
#[derive(Clone, Debug)]
pub struct Batch {
    /// Line number of the header (0 when the batch has no header: lenient reading).
    pub line: u64,
    /// Batch header, if present.
    pub header: Option<Record<'static>>,
    /// Entries.
    pub entries: Vec<Entry>,
    /// Batch control, if present.
    pub control: Option<Record<'static>>,
}

/// A whole file in memory.
#[derive(Clone, Debug, Default)]
pub struct AchFile {
    /// File header, if present.
    pub header: Option<Record<'static>>,
    /// Batches in order.
    pub batches: Vec<Batch>,
    /// File control, if present.
    pub control: Option<Record<'static>>,
    /// Number of all-9 padding records.
    pub filler_records: u64,
    /// Validation report of the same read.
    pub report: Report,
}

impl AchFile {
    /// All entries of all batches.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.batches.iter().flat_map(|b| b.entries.iter())
    }

    /// Index from trace number to (batch, entry) position, to find the original of a return or NOC.
    pub fn trace_index(&self) -> HashMap<u64, (usize, usize)> {
        let mut m = HashMap::new();
        for (bi, b) in self.batches.iter().enumerate() {
            for (ei, e) in b.entries.iter().enumerate() {
                if let Some(t) = e.record.entry().and_then(|x| x.trace_number()) {
                    m.entry(t).or_insert((bi, ei));
                }
            }
        }
        m
    }

    /// The entry of this file a return or NOC addenda refers to (by original entry trace number).
    pub fn find_original(&self, index: &HashMap<u64, (usize, usize)>, addenda: &Record<'_>) -> Option<&Entry> {
        let t = addenda.addenda()?.original_trace()?;
        let &(b, e) = index.get(&t)?;
        self.batches.get(b)?.entries.get(e)
    }
}

/// Reads and validates a whole file held in memory.
pub fn read_file(bytes: &[u8], opts: &ReadOptions) -> AchFile {
    let mut reader = Reader::from_bytes(bytes, opts);
    let mut v = Validator::new(opts.clone());
    let mut f = AchFile::default();
    let mut open: Option<Batch> = None;
    while let Some(item) = reader.next_record() {
        let line = match item {
            Ok(l) => l,
            Err(e) => {
                v.frame_error(&e);
                continue;
            }
        };
        v.record(&line);
        let n = line.number;
        let rec = line.record.into_owned();
        match rec.name() {
            "FileHeader" => f.header = Some(rec),
            "BatchHeader" => {
                if let Some(b) = open.take() {
                    f.batches.push(b);
                }
                open = Some(Batch { line: n, header: Some(rec), entries: Vec::new(), control: None });
            }
            "EntryDetail" => {
                let b = open.get_or_insert_with(|| Batch { line: 0, header: None, entries: Vec::new(), control: None });
                b.entries.push(Entry { line: n, record: rec, addenda: Vec::new() });
            }
            "Addenda" => {
                if let Some(e) = open.as_mut().and_then(|b| b.entries.last_mut()) {
                    e.addenda.push((n, rec));
                }
            }
            "BatchControl" => {
                let mut b = open.take().unwrap_or(Batch { line: 0, header: None, entries: Vec::new(), control: None });
                b.control = Some(rec);
                f.batches.push(b);
            }
            "FileControl" => {
                if let Some(b) = open.take() {
                    f.batches.push(b);
                }
                if f.control.is_none() {
                    f.control = Some(rec);
                }
            }
            "Filler" => f.filler_records += 1,
            _ => {}
        }
    }
    if let Some(b) = open.take() {
        f.batches.push(b);
    }
    f.report = v.finish();
    f
}

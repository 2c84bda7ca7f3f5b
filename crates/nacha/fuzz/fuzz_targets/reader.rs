//! cargo-fuzz target for the NACHA reader: every entry point on the same bytes, no panic, and
//! the invariants between them (see docs/nacha.md, "Fuzzing").
#![no_main]

use libfuzzer_sys::fuzz_target;
use nacha::json::{FORMAT, InFile, JsonRecord, render_file};
use nacha::{ReadOptions, Reader, Report, Validator, read_file, validate_bytes, validate_reader};

/// A `Read` returning at most `.2` bytes per call, so records cross buffer refills.
struct Chunked<'a>(&'a [u8], usize, usize);
impl std::io::Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.2).min(self.0.len() - self.1);
        buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
        self.1 += n;
        Ok(n)
    }
}

/// Record-by-record validation through the streaming reader (the slow path).
fn slow(d: &[u8], o: &ReadOptions) -> Report {
    let mut r = Reader::from_bytes(d, o);
    let mut v = Validator::new(o.clone());
    while let Some(item) = r.next_record() {
        match item {
            Ok(l) => v.record(&l),
            Err(e) => v.frame_error(&e),
        }
    }
    v.finish()
}

fn counts(r: &Report) -> (u64, u64, u64, u64, u64, &str, u64, u64) {
    (
        r.batches,
        r.entries,
        r.addenda,
        r.total_credit_cents,
        r.total_debit_cents,
        &r.entry_hash,
        r.returns,
        r.notifications_of_change,
    )
}

/// The file as the JSON document (one object per record), or `None` if a line failed framing.
fn to_json(d: &[u8], o: &ReadOptions) -> Option<String> {
    let mut records = Vec::new();
    let mut r = Reader::from_bytes(d, o);
    while let Some(item) = r.next_record() {
        let line = item.ok()?;
        records.push(serde_json::to_value(JsonRecord(&line.record)).expect("record serializes"));
    }
    Some(serde_json::json!({ "format": FORMAT, "records": records }).to_string())
}

fuzz_target!(|d: &[u8]| {
    let chunk = 1 + d.len() % 97;
    for o in [ReadOptions::default(), ReadOptions::strict(), ReadOptions::lenient()] {
        // validate_bytes (fast path, borrowed input) == streaming reader + Validator (slow path)
        // == validate_reader over a Read that returns a few bytes at a time.
        let fast = validate_bytes(d, &o);
        assert_eq!(fast.valid, fast.error_count == 0);
        assert_eq!(fast, slow(d, &o), "fast and slow validation differ");
        let streamed = validate_reader(Chunked(d, 0, chunk), &o).expect("in-memory read cannot fail");
        assert_eq!(fast, streamed, "streaming validation differs");

        // Whole-file reader: same report, and its structure agrees with the counts.
        let f = read_file(d, &o);
        assert_eq!(f.report, fast, "read_file report differs");
        let idx = f.trace_index();
        for e in f.entries() {
            for (_, a) in &e.addenda {
                let _ = f.find_original(&idx, a);
                let _ = a.addenda().and_then(|x| x.correction());
            }
        }
        if fast.valid {
            assert_eq!(f.entries().count() as u64, fast.entries);
            assert_eq!(f.entries().map(|e| e.addenda.len() as u64).sum::<u64>(), fast.addenda);

            // A clean file written out as JSON and rendered back to NACHA text reads back with the
            // same counts and totals and is still valid.
            let json = to_json(d, &o).expect("a valid file has no framing errors");
            let back: InFile = serde_json::from_str(&json).expect("own JSON parses");
            let text = render_file(&back).expect("own JSON renders");
            let again = validate_bytes(&text, &o);
            assert!(again.valid, "re-rendered file is invalid: {:?}", again.errors);
            assert_eq!(counts(&again), counts(&fast), "re-rendered file has other counts");
        }
    }
    // The JSON form of every record that frames, whatever the file's validity.
    let mut r = Reader::from_bytes(d, &ReadOptions::lenient());
    while let Some(item) = r.next_record() {
        if let Ok(l) = item {
            let _ = serde_json::to_string(&JsonRecord(&l.record)).expect("record serializes");
        }
    }
});

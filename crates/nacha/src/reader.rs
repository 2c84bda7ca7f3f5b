//! Streaming reader: splits input into 94-character records with constant memory and classifies
//! each by layout. It never panics and never stops early: framing problems are returned as errors
//! and reading continues with the next line.

use crate::addenda::addenda_layout;
use crate::field::{RECORD_LEN, Rec, byte_len_of_chars, char_count};
use crate::layout::Layout;
use crate::options::ReadOptions;
use crate::record::Record;
use std::borrow::Cow;
use std::io::{self, Read};

const CHUNK: usize = 1 << 20;
/// Lines longer than this (without a newline) are reported and skipped.
const MAX_LINE: usize = 64 * 1024;

/// One record read from the input.
#[derive(Debug)]
pub struct Line<'a> {
    /// 1-based line number (record number for one-line files).
    pub number: u64,
    /// The classified record.
    pub record: Record<'a>,
    /// Set when the line was repaired (padded or trimmed).
    pub warning: Option<String>,
}

/// A line that could not be turned into a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameError {
    /// 1-based line number.
    pub line: u64,
    /// Record type character if known.
    pub record_type: Option<u8>,
    /// What is wrong.
    pub message: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Unknown,
    Lines,
    Fixed,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BatchKind {
    Domestic,
    Adv,
    Iat,
}

/// Streaming record reader over any `Read`.
pub struct Reader<R> {
    core: Core<'static, R>,
}

/// Where the reader's bytes live: its own buffer (filled from a `Read`), or the caller's slice
/// (no copy, used by [`crate::validate_bytes`] and [`crate::read_file`]).
enum Storage<'a> {
    Owned(Vec<u8>),
    Borrowed(&'a [u8]),
}

impl Storage<'_> {
    #[inline]
    fn get(&self) -> &[u8] {
        match self {
            Storage::Owned(v) => v,
            Storage::Borrowed(b) => b,
        }
    }
}

/// The reader proper. `Reader<R>` wraps a `Core<'static, R>` with its own buffer; in-memory
/// validation uses a `Core` borrowing the input, so both share one implementation.
pub(crate) struct Core<'a, R> {
    src: R,
    buf: Storage<'a>,
    start: usize,
    end: usize,
    eof: bool,
    line_no: u64,
    mode: Mode,
    kind: BatchKind,
    pad: bool,
    trim: bool,
    single: bool,
    bytes_consumed: u64,
    io_error: Option<io::Error>,
}

impl<'s> Reader<&'s [u8]> {
    /// Reader over bytes in memory.
    pub fn from_bytes(bytes: &'s [u8], opts: &ReadOptions) -> Self {
        Reader::new(bytes, opts)
    }
}

impl<R: Read> Reader<R> {
    /// New reader; only the framing options of `opts` are used here.
    pub fn new(src: R, opts: &ReadOptions) -> Self {
        Reader { core: Core::with_storage(src, Storage::Owned(vec![0; CHUNK]), 0, false, opts) }
    }

    /// Bytes consumed so far.
    pub fn bytes_consumed(&self) -> u64 {
        self.core.bytes_consumed
    }

    /// The I/O error that ended reading, if any.
    pub fn take_io_error(&mut self) -> Option<io::Error> {
        self.core.io_error.take()
    }

    /// Next record, a framing error, or `None` at end of input.
    #[allow(clippy::should_implement_trait)]
    pub fn next_record(&mut self) -> Option<Result<Line<'_>, FrameError>> {
        self.core.next_record()
    }

    pub(crate) fn core_mut(&mut self) -> &mut Core<'static, R> {
        &mut self.core
    }
}

impl<'a> Core<'a, io::Empty> {
    /// Reader over the caller's bytes, without copying them.
    pub(crate) fn borrowed(bytes: &'a [u8], opts: &ReadOptions) -> Self {
        Core::with_storage(io::empty(), Storage::Borrowed(bytes), bytes.len(), true, opts)
    }
}

impl<'a, R: Read> Core<'a, R> {
    fn with_storage(src: R, buf: Storage<'a>, end: usize, eof: bool, opts: &ReadOptions) -> Self {
        Core {
            src,
            buf,
            start: 0,
            end,
            eof,
            line_no: 0,
            mode: if opts.allow_single_line { Mode::Unknown } else { Mode::Lines },
            kind: BatchKind::Domestic,
            pad: opts.pad_short_lines,
            trim: opts.trim_long_lines,
            single: opts.allow_single_line,
            bytes_consumed: 0,
            io_error: None,
        }
    }

    /// Fast path for the common case: hands `f` each following line made of exactly 94 bytes and a
    /// LF (or CRLF), with its line number, as long as `f` accepts it (returns true). Runs only in
    /// line mode and outside ADV/IAT batches; `f` must accept only records whose classification
    /// does not depend on or change the batch context (entries and addenda of a domestic batch).
    /// A line `f` declines is left for [`Core::next_record`].
    #[inline]
    pub(crate) fn fast_lines(&mut self, mut f: impl FnMut(&[u8; RECORD_LEN], u64) -> bool) {
        if self.mode != Mode::Lines || self.kind != BatchKind::Domestic {
            return;
        }
        let buf = &self.buf.get()[..self.end];
        let first = self.start;
        let mut s = first;
        let mut n = self.line_no;
        while let Some(rest) = buf.get(s..)
            && let Some((line, tail)) = rest.split_first_chunk::<RECORD_LEN>()
        {
            let next = match tail {
                [b'\n', ..] => s + RECORD_LEN + 1,
                [b'\r', b'\n', ..] => s + RECORD_LEN + 2,
                _ => break,
            };
            if !f(line, n + 1) {
                break;
            }
            n += 1;
            s = next;
        }
        self.bytes_consumed += (s - first) as u64;
        self.start = s;
        self.line_no = n;
    }

    /// Reads more input; returns false at end of input.
    fn fill(&mut self) -> bool {
        if self.eof {
            return false;
        }
        let Storage::Owned(buf) = &mut self.buf else {
            self.eof = true;
            return false;
        };
        if self.start > 0 {
            buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        loop {
            match self.src.read(&mut buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return false;
                }
                Ok(n) => {
                    self.end += n;
                    return true;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.io_error = Some(e);
                    self.eof = true;
                    return false;
                }
            }
        }
    }

    fn avail(&self) -> usize {
        self.end - self.start
    }

    /// Next record, a framing error, or `None` at end of input.
    pub(crate) fn next_record(&mut self) -> Option<Result<Line<'_>, FrameError>> {
        if self.mode == Mode::Unknown {
            while self.avail() < RECORD_LEN + 1 && self.fill() {}
            let buf = &self.buf.get()[..self.end];
            let b = buf.get(self.start + RECORD_LEN).copied();
            // One line of concatenated records: a digit (the next record's type) right after the
            // first 94 bytes, with no line break before it. A first line shorter than 94 (trailing
            // spaces trimmed) is followed by a line break within those bytes: that is a file of lines.
            let one_line = buf
                .get(self.start..self.start + RECORD_LEN)
                .is_some_and(|first| !first.iter().any(|&c| c == b'\n' || c == b'\r'));
            self.mode = if self.single && one_line && b.is_some_and(|b| b.is_ascii_digit()) {
                Mode::Fixed
            } else {
                Mode::Lines
            };
        }
        match self.mode {
            Mode::Fixed => self.next_fixed(),
            _ => self.next_line(),
        }
    }

    fn next_fixed(&mut self) -> Option<Result<Line<'_>, FrameError>> {
        loop {
            while self.avail() < RECORD_LEN && self.fill() {}
            // Skip line endings between or after records.
            while self.avail() > 0 && matches!(self.buf.get()[self.start], b'\n' | b'\r') {
                self.start += 1;
                self.bytes_consumed += 1;
            }
            if self.avail() >= RECORD_LEN || self.eof {
                break;
            }
        }
        if self.avail() == 0 {
            return None;
        }
        self.line_no += 1;
        let n = self.avail().min(RECORD_LEN);
        let s = self.start;
        let chunk = &self.buf.get()[s..s + n];
        if let Some(nl) = chunk.iter().position(|&b| b == b'\n' || b == b'\r') {
            self.start += nl;
            self.bytes_consumed += nl as u64;
            return Some(Err(FrameError {
                line: self.line_no,
                record_type: chunk.first().copied(),
                message: format!("RecordLength: must be 94 characters and found {nl}"),
            }));
        }
        self.start += n;
        self.bytes_consumed += n as u64;
        if n < RECORD_LEN {
            return Some(Err(FrameError {
                line: self.line_no,
                record_type: chunk.first().copied(),
                message: format!("RecordLength: must be 94 characters and found {n}"),
            }));
        }
        let rec = Rec::borrowed(&self.buf.get()[s..s + n]);
        let layout = classify(&rec, &mut self.kind);
        Some(Ok(Line { number: self.line_no, record: Record { layout, rec }, warning: None }))
    }

    fn next_line(&mut self) -> Option<Result<Line<'_>, FrameError>> {
        // Locate the end of the next non-empty line (moov-io/ach skips blank lines too).
        let (line_start, line_end) = loop {
            let (line_start, line_end, next) = loop {
                let s = self.start;
                // Fast path: exactly 94 bytes then LF.
                if self.avail() > RECORD_LEN
                    && self.buf.get()[s + RECORD_LEN] == b'\n'
                    && !self.buf.get()[s..s + RECORD_LEN].contains(&b'\n')
                {
                    break (s, s + RECORD_LEN, s + RECORD_LEN + 1);
                }
                if let Some(p) = self.buf.get()[s..self.end].iter().position(|&b| b == b'\n') {
                    break (s, s + p, s + p + 1);
                }
                if self.avail() >= MAX_LINE {
                    // Overlong line: report it once and skip to the next newline.
                    self.line_no += 1;
                    let first = self.buf.get()[s];
                    let mut skipped = self.avail() as u64;
                    self.bytes_consumed += skipped;
                    self.start = self.end;
                    loop {
                        if !self.fill() {
                            break;
                        }
                        if let Some(p) = self.buf.get()[self.start..self.end].iter().position(|&b| b == b'\n') {
                            skipped += p as u64 + 1;
                            self.bytes_consumed += p as u64 + 1;
                            self.start += p + 1;
                            break;
                        }
                        skipped += self.avail() as u64;
                        self.bytes_consumed += self.avail() as u64;
                        self.start = self.end;
                    }
                    return Some(Err(FrameError {
                        line: self.line_no,
                        record_type: Some(first),
                        message: format!("RecordLength: line of at least {skipped} bytes, must be 94 characters"),
                    }));
                }
                if !self.fill() {
                    if self.avail() == 0 {
                        return None;
                    }
                    break (self.start, self.end, self.end);
                }
            };
            self.bytes_consumed += (next - line_start) as u64;
            self.start = next;
            self.line_no += 1;
            let mut le = line_end;
            if le > line_start && self.buf.get()[le - 1] == b'\r' {
                le -= 1;
            }
            if le > line_start {
                break (line_start, le);
            }
        };
        let line = &self.buf.get()[line_start..line_end];
        let number = self.line_no;
        if line.len() == RECORD_LEN && line.is_ascii() {
            let rec = Rec::ascii94(line);
            let layout = classify(&rec, &mut self.kind);
            return Some(Ok(Line { number, record: Record { layout, rec }, warning: None }));
        }
        let chars = char_count(line);
        let first = line.first().copied();
        let (rec, warning) = if chars == RECORD_LEN {
            (Rec::borrowed(line), None)
        } else if chars < RECORD_LEN {
            if !self.pad {
                return Some(Err(FrameError {
                    line: number,
                    record_type: first,
                    message: format!("RecordLength: must be 94 characters and found {chars}"),
                }));
            }
            let mut v = Vec::with_capacity(line.len() + RECORD_LEN - chars);
            v.extend_from_slice(line);
            v.resize(line.len() + RECORD_LEN - chars, b' ');
            (Rec::new(Cow::Owned(v)), Some(format!("line of {chars} characters padded to 94")))
        } else {
            let cut = byte_len_of_chars(line, RECORD_LEN);
            let extra = &line[cut..];
            if !self.trim || !extra.iter().all(|&b| b == b' ') {
                return Some(Err(FrameError {
                    line: number,
                    record_type: first,
                    message: format!("RecordLength: must be 94 characters and found {chars}"),
                }));
            }
            (Rec::borrowed(&line[..cut]), Some(format!("line of {chars} characters: trailing spaces trimmed")))
        };
        let layout = classify(&rec, &mut self.kind);
        Some(Ok(Line { number, record: Record { layout, rec }, warning }))
    }
}

/// Chooses the layout of a record from its type and the batch it is in.
fn classify(rec: &Rec<'_>, kind: &mut BatchKind) -> Layout {
    match rec.record_type() {
        b'1' => Layout::FileHeader,
        b'5' => match rec.field(51, 53) {
            sec if sec == b"IAT" || (sec == b"COR" && rec.field(5, 10) == b"IATCOR") => {
                *kind = BatchKind::Iat;
                Layout::IatBatchHeader
            }
            b"ADV" => {
                *kind = BatchKind::Adv;
                Layout::BatchHeader
            }
            _ => {
                *kind = BatchKind::Domestic;
                Layout::BatchHeader
            }
        },
        b'6' => match kind {
            BatchKind::Domestic => Layout::Entry,
            BatchKind::Adv => Layout::AdvEntry,
            BatchKind::Iat => Layout::IatEntry,
        },
        b'7' => addenda_layout(rec),
        b'8' => {
            if *kind == BatchKind::Adv {
                Layout::AdvBatchControl
            } else {
                Layout::BatchControl
            }
        }
        b'9' => {
            if rec.as_bytes().iter().all(|&b| b == b'9') {
                Layout::Filler
            } else if *kind == BatchKind::Adv {
                Layout::AdvFileControl
            } else {
                Layout::FileControl
            }
        }
        _ => Layout::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Item = Result<(u64, Layout, Option<String>), FrameError>;

    fn collect(input: &[u8], opts: &ReadOptions) -> Vec<Item> {
        let mut r = Reader::from_bytes(input, opts);
        let mut v = Vec::new();
        while let Some(x) = r.next_record() {
            v.push(x.map(|l| (l.number, l.record.layout, l.warning)));
        }
        v
    }

    #[test]
    fn crlf_short_and_long_lines() {
        let full = format!("{:9<94}", "9");
        let short = "9000001";
        let long = format!("{:<94}   ", "1");
        let input = format!("{full}\r\n{short}\n{long}\n");
        let got = collect(input.as_bytes(), &ReadOptions::default());
        assert_eq!(got.len(), 3);
        assert!(matches!(&got[0], Ok((1, Layout::Filler, None))));
        assert!(matches!(&got[1], Ok((2, Layout::FileControl, Some(_)))));
        assert!(matches!(&got[2], Ok((3, Layout::FileHeader, Some(_)))));
        let strict = collect(input.as_bytes(), &ReadOptions::strict());
        assert!(strict[1].is_err() && strict[2].is_err());
    }

    #[test]
    fn one_line_file_and_bad_remainder() {
        let rec = format!("{:9<94}", "9");
        let input = format!("{rec}{rec}{rec}X\n");
        let got = collect(input.as_bytes(), &ReadOptions::default());
        assert_eq!(got.len(), 4);
        assert!(got[..3].iter().all(|g| g.is_ok()));
        assert!(matches!(&got[3], Err(e) if e.message.contains("found 1")));
    }

    #[test]
    fn short_lines_adding_up_to_94_bytes_stay_two_lines() {
        // 40 + LF + 53 = 94 bytes, then LF: two short lines, not one record holding a LF.
        let input = format!("{:9<40}\n{:9<53}\n", "9", "9");
        let got = collect(input.as_bytes(), &ReadOptions::default());
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(matches!(&got[0], Ok((1, _, Some(_)))) && matches!(&got[1], Ok((2, _, Some(_)))));
        let strict = collect(input.as_bytes(), &ReadOptions::strict());
        assert!(strict.len() == 2 && strict.iter().all(|g| g.is_err()));
    }

    #[test]
    fn garbage_never_panics() {
        let inputs: [&[u8]; 5] = [b"", b"\n\n\n", b"\xff\xfe\x00", b"7", &[b'6'; 200_000]];
        for i in inputs {
            let _ = collect(i, &ReadOptions::default());
            let _ = collect(i, &ReadOptions::strict());
        }
    }
}

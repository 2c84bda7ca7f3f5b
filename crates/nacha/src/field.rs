//! Fixed-width field access on one 94-character record, and the padding helpers the writer uses.
//!
//! A record is stored as the bytes of its line. Most lines are 94 ASCII bytes and a field is a plain
//! slice. Lines that hold non-ASCII text (UTF-8 or Latin-1, both found in real files) are addressed by
//! *character* columns like moov-io/ach does: a valid UTF-8 sequence is one character, any other byte
//! is one character.

use std::borrow::Cow;

/// Number of characters in a NACHA record.
pub const RECORD_LEN: usize = 94;

/// One record: the bytes of a line holding exactly 94 characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rec<'a> {
    bytes: Cow<'a, [u8]>,
    /// Byte offset of each character when the line is not 94 single-byte characters.
    offsets: Option<Box<[u16]>>,
}

impl<'a> Rec<'a> {
    /// Wraps a line that has exactly [`RECORD_LEN`] characters (checked by the caller with
    /// [`char_count`]). Lines with another number of characters are accepted too: missing columns read
    /// as empty fields.
    pub fn new(bytes: Cow<'a, [u8]>) -> Self {
        let offsets = if bytes.len() == RECORD_LEN && bytes.is_ascii() { None } else { Some(char_offsets(&bytes)) };
        Rec { bytes, offsets }
    }

    /// Borrowed record from a line already known to be 94 ASCII bytes (reader fast path).
    #[inline]
    pub(crate) fn ascii94(bytes: &'a [u8]) -> Self {
        Rec { bytes: Cow::Borrowed(bytes), offsets: None }
    }

    /// Borrowed record from a line of exactly 94 ASCII bytes or any other line.
    pub fn borrowed(bytes: &'a [u8]) -> Self {
        Self::new(Cow::Borrowed(bytes))
    }

    /// The whole line as stored.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Owned copy not tied to the input buffer.
    pub fn into_owned(self) -> Rec<'static> {
        Rec { bytes: Cow::Owned(self.bytes.into_owned()), offsets: self.offsets }
    }

    /// True when every byte is ASCII.
    pub fn is_ascii(&self) -> bool {
        self.offsets.is_none() || self.bytes.is_ascii()
    }

    /// Record type code (first character), or 0 on an empty line.
    pub fn record_type(&self) -> u8 {
        self.bytes.first().copied().unwrap_or(0)
    }

    /// Field at 1-based inclusive character columns `start..=end`.
    #[inline]
    pub fn field(&self, start: usize, end: usize) -> &[u8] {
        match &self.offsets {
            None => self.bytes.get(start - 1..end).unwrap_or(&[]),
            Some(off) => {
                let s = off.get(start - 1).copied().unwrap_or(u16::MAX) as usize;
                let e = off.get(end).copied().unwrap_or(u16::MAX) as usize;
                self.bytes.get(s.min(self.bytes.len())..e.min(self.bytes.len())).unwrap_or(&[])
            }
        }
    }

    /// Field as text (lossy for bytes that are not UTF-8), trailing spaces trimmed.
    pub fn text(&self, start: usize, end: usize) -> Cow<'_, str> {
        let f = trim_end(self.field(start, end));
        String::from_utf8_lossy(f)
    }

    /// Numeric field; `None` unless every character is an ASCII digit.
    #[inline]
    pub fn num(&self, start: usize, end: usize) -> Option<u64> {
        parse_digits(self.field(start, end))
    }
}

/// Byte offset of each character start, plus the end offset.
fn char_offsets(bytes: &[u8]) -> Box<[u16]> {
    let mut v = Vec::with_capacity(RECORD_LEN + 1);
    let mut pos = 0usize;
    for chunk in bytes.utf8_chunks() {
        for (i, _) in chunk.valid().char_indices() {
            v.push(clamp16(pos + i));
        }
        pos += chunk.valid().len();
        for _ in chunk.invalid() {
            v.push(clamp16(pos));
            pos += 1;
        }
    }
    v.push(clamp16(pos));
    v.into_boxed_slice()
}

fn clamp16(x: usize) -> u16 {
    u16::try_from(x).unwrap_or(u16::MAX)
}

/// Number of characters in a line (UTF-8 sequences count once, other bytes count once each).
pub fn char_count(bytes: &[u8]) -> usize {
    if bytes.is_ascii() {
        return bytes.len();
    }
    let mut n = 0;
    for chunk in bytes.utf8_chunks() {
        n += chunk.valid().chars().count() + chunk.invalid().len();
    }
    n
}

/// Byte length of the first `n` characters of `bytes` (or the whole slice if shorter).
pub fn byte_len_of_chars(bytes: &[u8], n: usize) -> usize {
    if bytes.is_ascii() {
        return n.min(bytes.len());
    }
    let mut count = 0;
    let mut pos = 0;
    for chunk in bytes.utf8_chunks() {
        for (i, _) in chunk.valid().char_indices() {
            if count == n {
                return pos + i;
            }
            count += 1;
        }
        pos += chunk.valid().len();
        for _ in chunk.invalid() {
            if count == n {
                return pos;
            }
            count += 1;
            pos += 1;
        }
    }
    pos
}

/// Parses a field made only of ASCII digits; `None` if empty, not digits, or above `u64::MAX`.
#[inline]
pub fn parse_digits(f: &[u8]) -> Option<u64> {
    if f.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    if f.len() <= 19 {
        for &b in f {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            n = n * 10 + d as u64;
        }
    } else {
        for &b in f {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            n = n.checked_mul(10)?.checked_add(d as u64)?;
        }
    }
    Some(n)
}

/// Slice without trailing spaces.
#[inline]
pub fn trim_end(f: &[u8]) -> &[u8] {
    let mut e = f.len();
    while e > 0 && f[e - 1] == b' ' {
        e -= 1;
    }
    &f[..e]
}

/// True when every byte is a space.
#[inline]
pub fn is_blank(f: &[u8]) -> bool {
    f.iter().all(|&b| b == b' ')
}

/// True when every character of the field is one moov-io/ach accepts as alphanumeric: printable
/// ASCII (space to `~`), the Latin-1 letters U+00C0-U+00FF and five Latin-1 signs (no-break space,
/// cent, broken bar, not, plus-minus). Real files carry accented names (moov's `nonascii*.ach`), so
/// those stay valid; control characters, C1 codes, other symbols and characters beyond Latin-1 do
/// not. A UTF-8 sequence is judged by its code point, any other byte as a Latin-1 character (moov
/// decodes a file that is not UTF-8 as Windows-1252, whose 0x80-0x9F characters it also rejects).
#[inline]
pub fn is_alphanumeric(f: &[u8]) -> bool {
    if f.is_ascii() {
        return f.iter().all(|&b| (0x20..0x7f).contains(&b));
    }
    f.utf8_chunks().all(|c| {
        c.valid().chars().all(|ch| latin_alnum(ch as u32)) && c.invalid().iter().all(|&b| latin_alnum(b as u32))
    })
}

#[inline]
fn latin_alnum(c: u32) -> bool {
    (0x20..0x7f).contains(&c) || (0xc0..=0xff).contains(&c) || matches!(c, 0xa0 | 0xa2 | 0xa6 | 0xac | 0xb1)
}

/// True when the field holds only spaces and zeros (moov-io/ach's "only zeros" check for fields
/// that must carry a value: company name, entry description, individual name, ...).
#[inline]
pub fn is_blank_or_zeros(f: &[u8]) -> bool {
    f.iter().all(|&b| b == b' ' || b == b'0')
}

/// Appends `value` left-justified and space padded (or cut) to `width` characters.
/// Non-ASCII characters count as one column each.
#[inline]
pub fn put_alpha(out: &mut Vec<u8>, value: &str, width: usize) {
    let b = value.as_bytes();
    if b.is_ascii() {
        let n = b.len().min(width);
        out.extend_from_slice(&b[..n]);
        out.resize(out.len() + (width - n), b' ');
    } else {
        let mut used = 0;
        for c in value.chars().take(width) {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            used += 1;
        }
        out.resize(out.len() + (width - used), b' ');
    }
}

/// Appends `value` right-justified and zero padded to `width` digits; keeps the last `width` digits if
/// the number is wider (callers validate ranges before writing).
#[inline]
pub fn put_num(out: &mut Vec<u8>, value: u64, width: usize) {
    let start = out.len();
    out.resize(start + width, b'0');
    num_into(&mut out[start..], value);
}

/// The 8 decimal digits of `v % 100_000_000`, most significant first, as ASCII, computed without a
/// loop (two 4-digit halves split into 2-digit and 1-digit lanes of one 64-bit word).
#[inline(always)]
pub(crate) fn digits8(v: u64) -> [u8; 8] {
    let v = v % 100_000_000;
    // 32-bit lanes: first 4 digits, last 4 digits.
    let x = (v / 10_000) | ((v % 10_000) << 32);
    // 16-bit lanes: each lane / 100 and % 100 (x * 10486 >> 20 is x / 100 for x < 10,000).
    let q = ((x * 10_486) >> 20) & 0x0000_007F_0000_007F;
    let x = q | ((x - q * 100) << 16);
    // 8-bit lanes: each lane / 10 and % 10 (x * 103 >> 10 is x / 10 for x < 100).
    let q = ((x * 103) >> 10) & 0x000F_000F_000F_000F;
    let x = q | ((x - q * 10) << 8);
    (x | 0x3030_3030_3030_3030).to_le_bytes()
}

/// Writes `value` zero padded (or cut to its last digits) into all of `dst`.
#[inline(always)]
pub(crate) fn num_into(dst: &mut [u8], mut value: u64) {
    let mut end = dst.len();
    while end > 0 {
        let n = end.min(8);
        let d = digits8(value);
        dst[end - n..end].copy_from_slice(&d[8 - n..]);
        value /= 100_000_000;
        end -= n;
    }
}

/// Copies ASCII `value` left-justified into `dst`, cut to its width; `dst` already holds spaces.
#[inline(always)]
pub(crate) fn alpha_into(dst: &mut [u8], value: &[u8]) {
    let n = value.len().min(dst.len());
    dst[..n].copy_from_slice(&value[..n]);
}

/// Appends exactly `width` bytes of `raw` (already formatted text), space padded or cut.
#[inline]
pub fn put_raw(out: &mut Vec<u8>, raw: &[u8], width: usize) {
    let n = raw.len().min(width);
    out.extend_from_slice(&raw[..n]);
    out.resize(out.len() + (width - n), b' ');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_by_character_on_utf8_lines() {
        let mut line = String::from("7");
        line.push_str("05");
        line.push_str("a\u{a6}b");
        while line.chars().count() < 94 {
            line.push('9');
        }
        let r = Rec::borrowed(line.as_bytes());
        assert_eq!(char_count(line.as_bytes()), 94);
        assert_eq!(r.field(4, 6), "a\u{a6}b".as_bytes());
        assert_eq!(r.field(7, 8), b"99");
        assert_eq!(r.field(94, 94), b"9");
    }

    #[test]
    fn padding_helpers() {
        let mut v = Vec::new();
        put_alpha(&mut v, "AB", 4);
        put_num(&mut v, 42, 5);
        put_num(&mut v, 0, 2);
        assert_eq!(v, b"AB  0004200");
        assert_eq!(parse_digits(b"0012"), Some(12));
        assert_eq!(parse_digits(b" 12"), None);
        assert_eq!(parse_digits(b""), None);
    }

    #[test]
    fn digit_writing_matches_format() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut values: Vec<u64> = (0..20_000).chain([99_999_999, 100_000_000, u64::MAX, 9_999_999_999]).collect();
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push(x >> (x % 64));
        }
        for v in values {
            assert_eq!(digits8(v), *format!("{:08}", v % 100_000_000).as_bytes(), "{v}");
            for w in [1, 2, 4, 7, 8, 10, 12, 15, 20, 22] {
                let mut got = Vec::new();
                put_num(&mut got, v, w);
                let full = format!("{v:0w$}");
                assert_eq!(got, full.as_bytes()[full.len() - w..], "{v} width {w}");
            }
        }
    }
}

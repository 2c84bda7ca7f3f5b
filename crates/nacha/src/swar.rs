//! Branch-free checks and number parsing over a 94-byte record, eight bytes at a time (SWAR: SIMD
//! within a register). Used by the validator's fast path for the common all-valid case; anything
//! these checks reject is re-examined by the field-by-field slow path, which reports the details.

use crate::field::RECORD_LEN;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Offsets of the 8-byte words covering a record: 0, 8, ..., 80 and 86 (the last word overlaps the
/// previous one so that every word is a full 8 bytes inside the record).
pub(crate) const WORDS: [usize; 12] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 86];

/// The 8 bytes at `at` as a little-endian word (first byte in the low bits).
#[inline(always)]
pub(crate) fn word(line: &[u8; RECORD_LEN], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&line[at..at + 8]);
    u64::from_le_bytes(b)
}

/// High bit set in each byte that is not printable ASCII (0x20..=0x7E). Exact when every byte is
/// below 0x80; otherwise non-zero (the word has a byte with its high bit set).
#[inline(always)]
fn non_printable(x: u64) -> u64 {
    (x | x.wrapping_add(ONES) | !x.wrapping_add(0x60 * ONES)) & HIGH
}

/// High bit set in each byte that is not an ASCII digit, for words already known to be ASCII.
#[inline(always)]
fn non_digit(x: u64) -> u64 {
    (!x.wrapping_add(0x50 * ONES) | x.wrapping_add(0x46 * ONES)) & HIGH
}

/// Builds, at compile time, the per-word masks (0x80 in each byte) of the columns that must be
/// digits. `ranges` are 1-based inclusive columns, as in the layout tables.
pub(crate) const fn digit_masks(ranges: &[(usize, usize)]) -> [u64; 12] {
    let mut must = [false; RECORD_LEN];
    let mut r = 0;
    while r < ranges.len() {
        let mut c = ranges[r].0;
        while c <= ranges[r].1 {
            must[c - 1] = true;
            c += 1;
        }
        r += 1;
    }
    let mut out = [0u64; 12];
    let mut w = 0;
    while w < 12 {
        let mut i = 0;
        while i < 8 {
            if must[WORDS[w] + i] {
                out[w] |= 0x80 << (8 * i);
            }
            i += 1;
        }
        w += 1;
    }
    out
}

/// True when every byte of the record is printable ASCII (so every text field is NACHA
/// alphanumeric) and every column flagged in `digits` (see [`digit_masks`]) is an ASCII digit.
#[inline(always)]
pub(crate) fn printable_with_digits(line: &[u8; RECORD_LEN], digits: &[u64; 12]) -> bool {
    let mut bad = 0u64;
    let mut i = 0;
    while i < 12 {
        let x = word(line, WORDS[i]);
        bad |= non_printable(x) | (non_digit(x) & digits[i]);
        i += 1;
    }
    bad == 0
}

/// Value of 8 ASCII digits held in a word (first digit in the low byte). The caller has checked
/// that they are digits.
#[inline(always)]
pub(crate) fn parse8(x: u64) -> u64 {
    let x = x.wrapping_sub(0x30 * ONES);
    let x = (x.wrapping_mul(10) + (x >> 8)) & 0x00FF_00FF_00FF_00FF;
    let x = (x.wrapping_mul(100) + (x >> 16)) & 0x0000_FFFF_0000_FFFF;
    (x.wrapping_mul(10_000) + (x >> 32)) & 0xFFFF_FFFF
}

/// Value of the `n` (1..=8) digits ending at 0-based byte `end` (exclusive), `end >= 8`.
#[inline(always)]
pub(crate) fn parse_tail(line: &[u8; RECORD_LEN], end: usize, n: usize) -> u64 {
    let x = word(line, end - 8);
    let keep = if n >= 8 { u64::MAX } else { u64::MAX << (8 * (8 - n)) };
    parse8((x & keep) | ((0x30 * ONES) & !keep))
}

/// Routing number check digit of the 8 ASCII digits held in a word (first digit in the low byte;
/// the caller has checked they are digits): weights 3, 7, 1, 3, 7, 1, 3, 7 applied lane by lane
/// (each product fits its byte), then the lanes summed in 16-bit halves (at most 504).
#[inline(always)]
pub(crate) fn check_digit8(x: u64) -> u64 {
    const W3: u64 = 0x00FF_0000_FF00_00FF;
    const W7: u64 = 0xFF00_00FF_0000_FF00;
    const W1: u64 = 0x0000_FF00_00FF_0000;
    const EVEN: u64 = 0x00FF_00FF_00FF_00FF;
    let d = x.wrapping_sub(0x30 * ONES);
    let p = (d & W3) * 3 + (d & W7) * 7 + (d & W1);
    let s = (p & EVEN) + ((p >> 8) & EVEN);
    let sum = s.wrapping_mul(0x0001_0001_0001_0001) >> 48;
    (10 - sum % 10) % 10
}

/// Value of two ASCII digits.
#[inline(always)]
pub(crate) fn parse2(line: &[u8; RECORD_LEN], at: usize) -> u64 {
    (line[at].wrapping_sub(b'0') as u64) * 10 + line[at + 1].wrapping_sub(b'0') as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(s: &str) -> [u8; RECORD_LEN] {
        let mut a = [b' '; RECORD_LEN];
        a[..s.len()].copy_from_slice(s.as_bytes());
        a
    }

    #[test]
    fn parse_and_checks_agree_with_scalar_code() {
        let mut line = rec("");
        for (i, b) in line.iter_mut().enumerate() {
            *b = b'0' + ((i * 7 + 3) % 10) as u8;
        }
        for end in 8..=RECORD_LEN {
            for n in 1..=8 {
                let want = crate::field::parse_digits(&line[end - n..end]).unwrap_or(u64::MAX);
                assert_eq!(parse_tail(&line, end, n), want, "end {end} n {n}");
            }
        }
        assert_eq!(parse8(word(&rec("12345678"), 0)), 12_345_678);
        // The check digit agrees with the scalar one on every prefix of a million-step walk and
        // on the extremes.
        let mut v: u64 = 0;
        for i in 0..1_000_000u64 {
            v = (v + 7_919 + i * 104_729) % 100_000_000;
            let s = format!("{v:08}");
            let want = crate::types::check_digit(s.as_bytes()).map(u64::from);
            assert_eq!(Some(check_digit8(word(&rec(&s), 0))), want, "{s}");
        }
        for s in ["00000000", "99999999", "12104288", "23138010"] {
            let want = crate::types::check_digit(s.as_bytes()).map(u64::from);
            assert_eq!(Some(check_digit8(word(&rec(s), 0))), want, "{s}");
        }
        let masks = digit_masks(&[(1, 94)]);
        assert!(printable_with_digits(&line, &masks));
        for bad in [b' ', b'/', b':', b'a', 0x7f, 0x80, 0xff, 0x00, b'\n'] {
            for pos in 0..RECORD_LEN {
                let mut l = line;
                l[pos] = bad;
                assert!(!printable_with_digits(&l, &masks), "byte {bad:#x} at {pos}");
            }
        }
        let none = digit_masks(&[]);
        let mut text = rec("");
        for (i, b) in text.iter_mut().enumerate() {
            *b = 0x20 + (i % 95) as u8;
        }
        assert!(printable_with_digits(&text, &none));
        for bad in [0x00u8, 0x1f, 0x7f, 0x80, 0xc2, 0xff] {
            for pos in 0..RECORD_LEN {
                let mut l = text;
                l[pos] = bad;
                assert!(!printable_with_digits(&l, &none), "byte {bad:#x} at {pos}");
            }
        }
    }
}

//! Lossless JSON form of a file: one object per record, fields named as in [`crate::layout`].
//!
//! Numbers (amounts, counts, hashes) are JSON numbers when the field holds only digits, otherwise
//! the exact text. Text fields have trailing spaces trimmed (they are re-padded on the way back).
//! A record whose bytes are not UTF-8 carries `"latin1": true` and its text is decoded one byte per
//! character, so converting back gives the same bytes (columns are still counted as the reader
//! counts them: a UTF-8 sequence inside such a record is one column).

use crate::field::{RECORD_LEN, Rec, char_count, put_alpha, put_num, trim_end};
use crate::layout::{Kind, Layout};
use crate::record::Record;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::HashMap;

/// Format tag written at the top of the JSON document.
pub const FORMAT: &str = "nacha-records/1";

/// A record serialized as a JSON object (`{"layout": ..., field: value, ...}`).
pub struct JsonRecord<'r, 'a>(pub &'r Record<'a>);

fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| c as char).collect()
}

impl Serialize for JsonRecord<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let utf8 = std::str::from_utf8(r.rec.as_bytes()).is_ok();
        let fields = r.layout.fields();
        let mut m = s.serialize_map(Some(fields.len() + 2))?;
        m.serialize_entry("layout", &r.layout)?;
        if !utf8 {
            m.serialize_entry("latin1", &true)?;
        }
        for f in fields {
            let raw = r.rec.field(f.start, f.end);
            let decode = |b: &[u8]| if utf8 { String::from_utf8_lossy(b).into_owned() } else { latin1(b) };
            match f.kind {
                Kind::Num if raw.len() <= 15 && !raw.is_empty() && raw.iter().all(u8::is_ascii_digit) => {
                    m.serialize_entry(f.name, &crate::field::parse_digits(raw).unwrap_or(0))?;
                }
                Kind::Num => m.serialize_entry(f.name, &decode(raw))?,
                Kind::Text => m.serialize_entry(f.name, &decode(trim_end(raw)))?,
            }
        }
        m.end()
    }
}

/// A field value read back from JSON.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum FieldValue {
    /// A number (for numeric fields).
    Num(u64),
    /// Text.
    Text(String),
    /// Anything else is rejected when rendering.
    Other(serde::de::IgnoredAny),
}

/// A record read back from JSON.
#[derive(Clone, Debug, Deserialize)]
pub struct InRecord {
    /// Layout name.
    pub layout: Layout,
    /// Text decoded one byte per character.
    #[serde(default)]
    pub latin1: bool,
    /// Field values by name.
    #[serde(flatten)]
    pub fields: HashMap<String, FieldValue>,
}

/// A whole JSON document.
#[derive(Clone, Debug, Deserialize)]
pub struct InFile {
    /// Must be [`FORMAT`].
    pub format: String,
    /// Records in file order.
    pub records: Vec<InRecord>,
}

/// Latin-1 text (one byte per character) padded to `width` columns. Columns are counted as the
/// reader counts them ([`char_count`]: a UTF-8 sequence or any other single byte), so a record that
/// is not UTF-8 as a whole but holds UTF-8 sequences renders back to its own bytes.
fn put_latin1(out: &mut Vec<u8>, s: &str, width: usize) -> Result<(), String> {
    let bytes = s
        .chars()
        .map(|c| u8::try_from(c as u32).map_err(|_| format!("character {c:?} is not Latin-1")))
        .collect::<Result<Vec<u8>, String>>()?;
    let cols = char_count(&bytes);
    if cols > width {
        return Err(format!("{s:?} is longer than {width} characters"));
    }
    out.extend_from_slice(&bytes);
    out.resize(out.len() + (width - cols), b' ');
    Ok(())
}

/// Renders one JSON record as its 94 characters (appended to `out`, no line ending).
pub fn render(r: &InRecord, out: &mut Vec<u8>) -> Result<(), String> {
    let start = out.len();
    let fields = r.layout.fields();
    for k in r.fields.keys() {
        if !fields.iter().any(|f| f.name == k) {
            return Err(format!("{:?} has no field {k:?}", r.layout));
        }
    }
    for f in fields {
        let width = f.end - f.start + 1;
        match r.fields.get(f.name) {
            None => out.resize(out.len() + width, if f.kind == Kind::Num { b'0' } else { b' ' }),
            Some(FieldValue::Num(v)) => {
                if v.to_string().len() > width {
                    return Err(format!("{}: {v} does not fit in {width} digits", f.name));
                }
                put_num(out, *v, width);
            }
            Some(FieldValue::Text(s)) if r.latin1 => {
                put_latin1(out, s, width).map_err(|e| format!("{}: {e}", f.name))?
            }
            Some(FieldValue::Text(s)) => {
                let chars = s.chars().count();
                if chars > width {
                    return Err(format!("{}: {s:?} is longer than {width} characters", f.name));
                }
                put_alpha(out, s, width);
            }
            Some(FieldValue::Other(_)) => return Err(format!("{}: must be a number or a string", f.name)),
        }
    }
    // Latin-1 bytes of adjacent fields could join into one UTF-8 sequence and shift the columns.
    if r.latin1 && char_count(&out[start..]) != RECORD_LEN {
        return Err("latin1 text joins across fields into a UTF-8 sequence".to_string());
    }
    Ok(())
}

/// Renders a whole JSON document back to NACHA text (LF line endings).
pub fn render_file(f: &InFile) -> Result<Vec<u8>, String> {
    if f.format != FORMAT {
        return Err(format!("unknown format {:?}, expected {FORMAT:?}", f.format));
    }
    let mut out = Vec::with_capacity(f.records.len() * 95);
    for (i, r) in f.records.iter().enumerate() {
        render(r, &mut out).map_err(|e| format!("record {}: {e}", i + 1))?;
        out.push(b'\n');
    }
    Ok(out)
}

/// Check used by tests: the record rendered from its own JSON equals the original bytes.
pub fn same_bytes(rec: &Rec<'_>, rendered: &[u8]) -> bool {
    rec.as_bytes() == rendered
}

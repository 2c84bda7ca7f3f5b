//! Making values safe to show: no control or invisible formatting characters, bounded length.
//!
//! Values in a [`crate::Mail`] come partly from people the reader does not know (a requester's
//! name, a browser's user agent). In a header a CR or LF could start a new header; in a body
//! it could fake a paragraph, and bidirectional overrides could make text read differently
//! from what it is. So every value is cleaned before it reaches a template or a header.

/// Longest value shown, in characters; longer ones are cut and end with "…".
pub(crate) const MAX_CHARS: usize = 200;

/// Longest multi-line value (a role change summary), in characters.
pub(crate) const MAX_BLOCK_CHARS: usize = 2000;

/// One line: control and invisible formatting characters become spaces, runs of white space
/// become one space, ends trimmed, at most [`MAX_CHARS`] characters.
pub(crate) fn line(value: &str) -> String {
    let mut out = String::with_capacity(value.len().min(MAX_CHARS * 4));
    let mut pending_space = false;
    for c in value.chars() {
        if c.is_whitespace() || is_hidden(c) {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    truncate(out, MAX_CHARS)
}

/// Several lines: each line cleaned as by [`line`], blank lines dropped, at most
/// [`MAX_BLOCK_CHARS`] characters in all. Lines are joined with `\n`.
pub(crate) fn block(value: &str) -> String {
    let lines: Vec<String> =
        value.split(['\n', '\r', '\u{2028}', '\u{2029}', '\u{0085}']).map(line).filter(|l| !l.is_empty()).collect();
    truncate(lines.join("\n"), MAX_BLOCK_CHARS)
}

/// A link: white space, control and invisible characters removed (none belongs in a URL);
/// never cut, as a cut link does not work.
pub(crate) fn link(value: &str) -> String {
    value.chars().filter(|&c| !c.is_whitespace() && !is_hidden(c)).collect()
}

/// Control characters and the invisible ones that change how text is shown or read:
/// zero-width characters, bidirectional marks, overrides and isolates, the byte order mark.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
        )
}

fn truncate(mut value: String, max: usize) -> String {
    if let Some((cut, _)) = value.char_indices().nth(max) {
        value.truncate(cut);
        let kept = value.trim_end().len();
        value.truncate(kept);
        value.push('…');
    }
    value
}

/// "1 minute", "15 minutes".
pub(crate) fn count(n: u32, unit: &str) -> String {
    if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_removes_breaks_and_hidden_characters() {
        assert_eq!(line("  a\r\nBcc: x@y\t b  "), "a Bcc: x@y b");
        assert_eq!(line("evil\u{202E}txt.exe\u{200B}"), "evil txt.exe");
        assert_eq!(line("\u{0}\u{7f}"), "");
        assert_eq!(line("Zoë Ñúñez"), "Zoë Ñúñez");
    }

    #[test]
    fn line_cuts_long_values_on_a_character_boundary() {
        let long = "é".repeat(MAX_CHARS + 10);
        let cut = line(&long);
        assert_eq!(cut.chars().count(), MAX_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(line(&"x".repeat(MAX_CHARS)), "x".repeat(MAX_CHARS));
    }

    #[test]
    fn block_keeps_lines_but_not_blank_ones() {
        assert_eq!(block("Viewer → Filer\r\n\r\n  Added: \u{202E}refunds\n"), "Viewer → Filer\nAdded: refunds");
        assert_eq!(block(""), "");
    }

    #[test]
    fn counts() {
        assert_eq!(count(1, "minute"), "1 minute");
        assert_eq!(count(0, "hour"), "0 hours");
        assert_eq!(count(15, "minute"), "15 minutes");
    }
}

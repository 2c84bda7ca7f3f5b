//! From a rendered mail to a MIME message: multipart/alternative with a text and an HTML
//! part, plain headers built by lettre from values it checks itself.

use std::time::SystemTime;

use lettre::Message;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use time::OffsetDateTime;

use crate::{MailError, Rendered, clean};

/// Parses one address (`a@b.gov` or `Name <a@b.gov>`); `what` names it in the error.
pub(crate) fn mailbox(what: &str, value: &str) -> Result<Mailbox, MailError> {
    // lettre rejects line breaks itself; checking first keeps them out of our error message.
    if value.chars().any(char::is_control) {
        return Err(MailError::Config(format!("{what} address contains control characters")));
    }
    value
        .trim()
        .parse::<Mailbox>()
        .map_err(|e| MailError::Config(format!("{what} address {value:?} is not valid: {e}")))
}

/// A new Message-ID, `<32 hex digits@sender's domain>`.
pub(crate) fn new_message_id(from: &Mailbox) -> String {
    format!("<{}@{}>", uuid::Uuid::new_v4().simple(), from.email.domain())
}

pub(crate) fn build(
    from: &Mailbox,
    to: &Mailbox,
    rendered: &Rendered,
    message_id: &str,
    at: OffsetDateTime,
) -> Result<Message, MailError> {
    let alternative = MultiPart::alternative()
        .singlepart(part(ContentType::TEXT_PLAIN, &rendered.text))
        .singlepart(part(ContentType::TEXT_HTML, &rendered.html));
    Message::builder()
        .from(from.clone())
        .to(to.clone())
        .subject(clean::line(&rendered.subject))
        .date(SystemTime::from(at))
        .message_id(Some(message_id.to_owned()))
        // RFC 3834: tells autoresponders not to answer.
        .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("Auto-Submitted"), "auto-generated".to_owned()))
        .multipart(alternative)
        .map_err(|e| MailError::Config(format!("cannot build the message: {e}")))
}

/// 7bit when the part allows it, else quoted-printable (never base64), so that an outbox
/// file stays readable.
///
/// lettre only picks 7bit for lines under 76 characters, which an HTML part with a link rarely
/// has; RFC 2045 allows 7bit for ASCII lines of up to 998 octets without NUL or bare CR, so
/// that is checked here instead.
fn part(content_type: ContentType, content: &str) -> SinglePart {
    let crlf = content.replace("\r\n", "\n").replace('\r', "\n").replace('\n', "\r\n");
    let seven_bit =
        crlf.is_ascii() && !crlf.bytes().any(|b| b == 0) && crlf.split("\r\n").all(|line| line.len() <= MAX_7BIT_LINE);
    let body = if seven_bit {
        Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::SevenBit)
    } else {
        Body::new_with_encoding(content.to_owned(), ContentTransferEncoding::QuotedPrintable)
            .unwrap_or_else(|_| Body::new(content.to_owned()))
    };
    SinglePart::builder().header(content_type).body(body)
}

/// RFC 5322 2.1.1: at most 998 characters on a line, without the CRLF.
const MAX_7BIT_LINE: usize = 998;

#[cfg(test)]
mod tests {
    use super::*;
    use lettre::message::header::ContentTransferEncoding as Cte;

    fn encoding(content: &str) -> Option<Cte> {
        part(ContentType::TEXT_HTML, content).headers().get::<Cte>()
    }

    #[test]
    fn long_ascii_lines_stay_7bit_but_not_past_998() {
        assert_eq!(encoding(&format!("<a href=\"{}\">x</a>\n", "x".repeat(300))), Some(Cte::SevenBit));
        assert_eq!(encoding(&"x".repeat(998)), Some(Cte::SevenBit));
        assert_eq!(encoding(&"x".repeat(999)), Some(Cte::QuotedPrintable));
        assert_eq!(encoding("Zoë\n"), Some(Cte::QuotedPrintable));
        assert_eq!(encoding("a\0b"), Some(Cte::QuotedPrintable));
    }

    #[test]
    fn line_endings_become_crlf() {
        let p = part(ContentType::TEXT_PLAIN, "a\nb\r\nc\rd");
        let formatted = String::from_utf8(p.formatted()).unwrap_or_default();
        assert!(formatted.ends_with("\r\n\r\na\r\nb\r\nc\r\nd\r\n"), "{formatted:?}");
    }
}

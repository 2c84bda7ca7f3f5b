//! A page sent as its parts: the rendered page around a large fragment that was rendered once
//! and is shared (the ACH tab's rows). The fragment goes out as its own chunk, so a page view
//! neither copies its few hundred KB into the page nor grows a String to hold them.
//!
//! Browsers ask for gzip; the fragment is then deflated once (kept with it), and the few KB of
//! page around it go into stored (uncompressed) deflate blocks: compressing them per request
//! cost more CPU than the bytes saved (docs/performance.md). A deflate stream may be cut into
//! independently made pieces when each but the last ends with a sync flush, so the three pieces
//! make one gzip member whose CRC-32 is combined from theirs. The page's CSRF token is never
//! compressed, and the fragment is compressed without it, so the size of a response tells
//! nothing about the token (no BREACH-style guessing).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use askama::Template;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use flate2::{Compress, Compression, FlushCompress, Status};
use http_body::{Frame, SizeHint};

/// Where the fragment goes. User data cannot forge it: every `<` a template prints from a value
/// is escaped.
pub const SLOT: &str = "<!--ace:fragment-->";

/// A rendered fragment, and its deflated form once a client asked for gzip.
pub struct Fragment {
    text: Arc<str>,
    deflated: OnceLock<Option<Deflated>>,
}

struct Deflated {
    /// Raw deflate, ending with a sync flush (not final).
    raw: Bytes,
    crc: crc32fast::Hasher,
}

impl Fragment {
    pub fn new(text: String) -> Fragment {
        Fragment { text: text.into(), deflated: OnceLock::new() }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// None only if the compressor failed, and then the page goes out uncompressed.
    fn deflated(&self) -> Option<&Deflated> {
        self.deflated
            .get_or_init(|| {
                let raw = deflate(self.text.as_bytes(), Compression::default(), FlushCompress::Sync)?;
                Some(Deflated { raw: raw.into(), crc: crc_of(self.text.as_bytes()) })
            })
            .as_ref()
    }
}

/// Whether the request's Accept-Encoding allows gzip (`gzip`, `x-gzip` or `*`, not with q=0).
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |item| {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q <= 0.0)
            });
            !refused && ["gzip", "x-gzip", "*"].iter().any(|c| coding.eq_ignore_ascii_case(c))
        },
    )
}

/// The template rendered with [`SLOT`] in place of `fragment`, sent as three chunks with an exact
/// Content-Length; gzip when `gzip` (see the module's comment).
pub fn page_with_fragment(status: StatusCode, t: &impl Template, fragment: &Arc<Fragment>, gzip: bool) -> Response {
    let page = match t.render() {
        Ok(page) => page,
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "page could not be shown").into_response();
        }
    };
    let Some(at) = page.find(SLOT) else {
        tracing::error!("the template has no fragment slot");
        return (StatusCode::INTERNAL_SERVER_ERROR, "page could not be shown").into_response();
    };
    let (before, after) = (&page.as_bytes()[..at], &page.as_bytes()[at + SLOT.len()..]);
    let gzipped =
        if gzip { fragment.deflated().and_then(|d| gzip_parts(before, d, fragment.text.len(), after)) } else { None };
    let (parts, encoding) = match gzipped {
        Some(parts) => (parts, Some("gzip")),
        None => {
            let page = Bytes::from(page);
            let shared = Bytes::from_owner(SharedText(Arc::clone(&fragment.text)));
            (vec![page.slice(..at), shared, page.slice(at + SLOT.len()..)], None)
        }
    };
    let length: u64 = parts.iter().map(|p| p.len() as u64).sum();
    let mut response = Response::new(Body::new(Parts { remaining: length, parts: parts.into() }));
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, header::HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CONTENT_LENGTH, header::HeaderValue::from(length));
    h.insert(header::VARY, header::HeaderValue::from_static("accept-encoding"));
    if let Some(e) = encoding {
        h.insert(header::CONTENT_ENCODING, header::HeaderValue::from_static(e));
    }
    response
}

/// One gzip member: header, the page before (stored, sync-flushed), the kept fragment, the page
/// after (stored, final), and the trailer with the CRC-32 and length of the whole.
fn gzip_parts(before: &[u8], fragment: &Deflated, fragment_len: usize, after: &[u8]) -> Option<Vec<Bytes>> {
    // ID1 ID2, deflate, no flags, no mtime, no extra flags, OS unknown.
    const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    let mut head = HEADER.to_vec();
    head.extend(deflate(before, Compression::none(), FlushCompress::Sync)?);
    let mut tail = deflate(after, Compression::none(), FlushCompress::Finish)?;
    let mut crc = crc_of(before);
    crc.combine(&fragment.crc);
    crc.combine(&crc_of(after));
    let total = (before.len() + fragment_len + after.len()) as u64;
    tail.extend(crc.finalize().to_le_bytes());
    // ISIZE is the length modulo 2^32 (RFC 1952).
    tail.extend(((total & 0xffff_ffff) as u32).to_le_bytes());
    Some(vec![head.into(), fragment.raw.clone(), tail.into()])
}

fn crc_of(data: &[u8]) -> crc32fast::Hasher {
    let mut h = crc32fast::Hasher::new();
    h.update(data);
    h
}

/// Raw deflate of `data`, ended by `flush` (Sync: more may follow; Finish: the last piece).
fn deflate(data: &[u8], level: Compression, flush: FlushCompress) -> Option<Vec<u8>> {
    let mut c = Compress::new(level, false);
    let mut out = Vec::with_capacity(data.len() / 3 + 1024);
    // Every round either consumes input or fills the output, which then grows; a compressor that
    // does neither is given up on (the page then goes out uncompressed).
    for _ in 0..10_000 {
        if out.len() == out.capacity() {
            out.reserve(out.capacity().max(4096));
        }
        let consumed = usize::try_from(c.total_in()).ok()?;
        let status = c.compress_vec(data.get(consumed..)?, &mut out, flush).ok()?;
        let all_in = usize::try_from(c.total_in()).ok()? == data.len();
        match status {
            Status::StreamEnd => return Some(out),
            _ if flush == FlushCompress::Sync && all_in && out.len() < out.capacity() => return Some(out),
            _ => {}
        }
    }
    tracing::error!("deflate made no progress");
    None
}

struct SharedText(Arc<str>);

impl AsRef<[u8]> for SharedText {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

struct Parts {
    parts: VecDeque<Bytes>,
    remaining: u64,
}

impl http_body::Body for Parts {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        Poll::Ready(this.parts.pop_front().map(|p| {
            this.remaining -= p.len() as u64;
            Ok(Frame::data(p))
        }))
    }

    fn is_end_stream(&self) -> bool {
        self.parts.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[derive(Template)]
    #[template(source = "<p>{{ name }}</p>{{ slot|safe }}<p>end</p>", ext = "html")]
    struct T<'a> {
        name: &'a str,
        slot: &'a str,
    }

    async fn body_of(r: Response) -> (HeaderMap, Vec<u8>) {
        let headers = r.headers().clone();
        (headers, axum::body::to_bytes(r.into_body(), usize::MAX).await.unwrap().to_vec())
    }

    #[tokio::test]
    async fn the_fragment_is_sent_in_its_place_with_an_exact_length() {
        let t = T { name: "<!--ace:fragment-->", slot: SLOT };
        let fragment = Arc::new(Fragment::new("<tr>rows</tr>".into()));
        let (headers, body) = body_of(page_with_fragment(StatusCode::OK, &t, &fragment, false)).await;
        // The user-supplied lookalike was escaped, so the fragment lands in the slot only.
        assert_eq!(std::str::from_utf8(&body).unwrap(), "<p>&#60;!--ace:fragment--&#62;</p><tr>rows</tr><p>end</p>");
        assert_eq!(headers[header::CONTENT_LENGTH], body.len().to_string());
        assert!(headers.get(header::CONTENT_ENCODING).is_none());
    }

    #[tokio::test]
    async fn gzip_pieces_make_one_valid_member_equal_to_the_plain_page() {
        // Large and repetitive enough for several deflate blocks and real back-references.
        let rows: String =
            (0..3000).map(|i| format!("<tr id=\"importer-{i}\"><td>Acme {}</td></tr>\n", i % 97)).collect();
        let fragment = Arc::new(Fragment::new(rows));
        let t = T { name: "Bench Owner", slot: SLOT };
        let (_, plain) = body_of(page_with_fragment(StatusCode::OK, &t, &fragment, false)).await;
        for _ in 0..2 {
            // The second time, the kept deflated fragment is reused.
            let (headers, gz) = body_of(page_with_fragment(StatusCode::OK, &t, &fragment, true)).await;
            assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
            assert_eq!(headers[header::CONTENT_LENGTH], gz.len().to_string());
            assert!(gz.len() * 5 < plain.len(), "{} vs {} bytes", gz.len(), plain.len());
            let mut decoded = Vec::new();
            // GzDecoder checks the CRC-32 and length in the trailer.
            flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut decoded).unwrap();
            assert_eq!(decoded, plain);
        }
    }

    #[test]
    fn accept_encoding_is_read_as_browsers_send_it() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, v.parse().unwrap());
            accepts_gzip(&h)
        };
        assert!(with("gzip, deflate, br, zstd"));
        assert!(with("br;q=1.0, GZIP;q=0.5"));
        assert!(with("*"));
        assert!(!with("gzip;q=0, br"));
        assert!(!with("identity"));
        assert!(!with("br, deflate"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}

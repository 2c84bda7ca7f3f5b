//! A page sent as its parts: the rendered page around a large fragment that was rendered once
//! and is shared (the ACH tab's rows). The fragment goes out as its own chunk, so a page view
//! neither copies its few hundred KB into the page nor grows a String to hold them.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use askama::Template;
use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};

/// Where the fragment goes. User data cannot forge it: every `<` a template prints from a value
/// is escaped.
pub const SLOT: &str = "<!--ace:fragment-->";

/// The template rendered with [`SLOT`] in place of `fragment`, sent as three chunks with an exact
/// Content-Length.
pub fn page_with_fragment(status: StatusCode, t: &impl Template, fragment: Arc<str>) -> Response {
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
    let page = Bytes::from(page);
    let parts = [page.slice(..at), Bytes::from_owner(SharedText(fragment)), page.slice(at + SLOT.len()..)];
    let length: u64 = parts.iter().map(|p| p.len() as u64).sum();
    let body = Parts { remaining: length, parts: parts.into() };
    let headers =
        [(header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()), (header::CONTENT_LENGTH, length.to_string())];
    (status, headers, Body::new(body)).into_response()
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
    use super::*;

    #[derive(Template)]
    #[template(source = "<p>{{ name }}</p>{{ slot|safe }}<p>end</p>", ext = "html")]
    struct T<'a> {
        name: &'a str,
        slot: &'a str,
    }

    #[tokio::test]
    async fn the_fragment_is_sent_in_its_place_with_an_exact_length() {
        let t = T { name: "<!--ace:fragment-->", slot: SLOT };
        let r = page_with_fragment(StatusCode::OK, &t, Arc::from("<tr>rows</tr>"));
        let len = r.headers().get(header::CONTENT_LENGTH).map(|v| v.to_str().unwrap().to_owned());
        let body = axum::body::to_bytes(r.into_body(), usize::MAX).await.unwrap();
        let text = std::str::from_utf8(&body).unwrap();
        // The user-supplied lookalike was escaped, so the fragment lands in the slot only.
        assert_eq!(text, "<p>&#60;!--ace:fragment--&#62;</p><tr>rows</tr><p>end</p>");
        assert_eq!(len, Some(body.len().to_string()));
    }
}

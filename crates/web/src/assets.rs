//! Static files: the USWDS distribution and our own small stylesheet, embedded in the binary.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;

use crate::AppState;

#[derive(RustEmbed)]
#[folder = "../../web-assets/node_modules/@uswds/uswds/dist/"]
#[include = "css/uswds.min.css"]
#[include = "js/uswds.min.js"]
#[include = "js/uswds-init.min.js"]
#[include = "fonts/*/*.woff2"]
#[include = "img/*.svg"]
#[include = "img/us_flag_small.png"]
#[include = "img/usa-icons/*.svg"]
#[include = "img/usa-icons-bg/*.svg"]
struct Uswds;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Own;

pub fn router() -> Router<AppState> {
    Router::new().route("/assets/uswds/{*path}", get(uswds)).route("/assets/app/{*path}", get(own))
}

async fn uswds(Path(path): Path<String>) -> Response {
    serve(Uswds::get(&path), &path)
}

async fn own(Path(path): Path<String>) -> Response {
    serve(Own::get(&path), &path)
}

fn serve(file: Option<rust_embed::EmbeddedFile>, path: &str) -> Response {
    let Some(file) = file else { return (StatusCode::NOT_FOUND, "not found").into_response() };
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let mut res = file.data.into_owned().into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    res
}

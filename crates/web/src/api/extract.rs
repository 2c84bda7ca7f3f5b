//! Typed extractors for the API: a handler names what it reads (`ApiJson<T>`, `ApiPath<T>`,
//! `ApiQuery<T>`) and a request that cannot be read is answered with an RFC 9457 problem
//! document, never axum's plain-text rejection. No handler handles rejections itself.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::problem::{ApiError, Problem};

/// A JSON body. A body that cannot be read is refused with the reader's explanation, minus
/// anything that could be an account number or an SSN: serde quotes the offending value
/// (``invalid type: integer `123456789` ``), and a client that sends a number in the wrong form
/// or field must not see it come back (nor have it logged by whatever records our answers).
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Json::<T>::from_request(req, state).await.map(|Json(v)| ApiJson(v)).map_err(body_problem)
    }
}

fn body_problem(e: JsonRejection) -> ApiError {
    let why = redact_digits(&e.body_text());
    ApiError(Problem::new(e.status(), format!("the request body is not acceptable: {why}")))
}

/// Ids in the path. The answer does not repeat what was sent instead.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state).await.map(|Path(v)| ApiPath(v)).map_err(|_: PathRejection| {
            ApiError(Problem::new(
                StatusCode::BAD_REQUEST,
                "the ids in the path are whole numbers, as the API returns them",
            ))
        })
    }
}

/// Query parameters; a malformed query says which parameter and why.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state).await.map(|Query(v)| ApiQuery(v)).map_err(|e: QueryRejection| {
            ApiError(Problem::new(
                StatusCode::BAD_REQUEST,
                format!("the query is not acceptable: {}", redact_digits(&e.body_text())),
            ))
        })
    }
}

/// Replaces every run of digits, spaces and dashes holding 4 digits or more (the shortest account
/// number accepted) with `…`.
fn redact_digits(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().filter(char::is_ascii_digit).count() >= 4 {
            let lead = run.len() - run.trim_start().len();
            out.push_str(&run[..lead]);
            out.push('…');
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || c == ' ' || c == '-' {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::redact_digits;

    #[test]
    fn digits_that_could_be_an_account_number_are_not_repeated() {
        let serde = "account: invalid type: integer `987654321012`, expected a string at line 1 column 42";
        assert_eq!(redact_digits(serde), "account: invalid type: integer `…`, expected a string at line 1 column 42");
        assert_eq!(redact_digits("string \"12-34-56 78-90\""), "string \"…\"");
        assert_eq!(redact_digits("missing field `routing`"), "missing field `routing`");
        assert_eq!(redact_digits("123 and 4567"), "123 and …");
    }
}

//! The application's error type. Messages are written for the person who has to fix the
//! problem; internal causes go to the log only.

use domain::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that needs fixing, field by field.
    #[error("please correct the highlighted fields")]
    Invalid(FieldErrors),
    #[error("{0}")]
    NotFound(String),
    /// The actor may not do this; the text says why.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unauthorized(String),
    /// Too many attempts; the text says when to try again.
    #[error("{message}")]
    TooMany { message: String, retry_after_secs: u64 },
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl From<store::DbErr> for AppError {
    fn from(e: store::DbErr) -> Self {
        AppError::Internal(e.into())
    }
}

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut e = FieldErrors::default();
        e.add(field, message);
        AppError::Invalid(e)
    }
}

pub type AppResult<T> = Result<T, AppError>;

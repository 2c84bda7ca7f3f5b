//! Sending mail from use cases: the mail is queued (`mail_queue`) and delivered by the sender,
//! so no action waits for the mail server or fails because it is down. Codes and links must
//! be queued or the action fails (the user would wait for nothing); notices (lockout, new
//! device, role change) are best effort: a change that already happened is not undone because
//! its notice could not be queued, so that failure is logged.

use crate::App;
use crate::error::{AppError, AppResult};

/// For mails the user is waiting for (a code, a link).
pub(crate) async fn required(app: &App, to: &str, mail: &mail::Mail) -> AppResult<()> {
    match crate::mail_queue::queue(app, to, mail).await {
        Ok(()) => Ok(()),
        Err(e) => {
            tracing::error!(error = %e, kind = mail.kind(), "mail not queued");
            Err(AppError::Internal(anyhow::anyhow!(
                "We could not send the email just now. Please try again in a few minutes."
            )))
        }
    }
}

/// For notices; failures are logged.
pub(crate) async fn notice(app: &App, to: &str, mail: &mail::Mail) {
    if let Err(e) = crate::mail_queue::queue(app, to, mail).await {
        tracing::error!(error = %e, kind = mail.kind(), to = %domain::mask::email(to), "notice not queued");
    }
}

//! Sending mail from use cases. Codes and links must arrive or the action fails; notices
//! (lockout, new device, role change) are best effort: a mail server outage must not undo a
//! change that already happened, so their failures are logged.

use crate::App;
use crate::error::{AppError, AppResult};

/// For mails the user is waiting for (a code, a link).
pub(crate) async fn required(app: &App, to: &str, mail: &mail::Mail) -> AppResult<()> {
    match app.mailer.send(to, mail).await {
        Ok(_) => Ok(()),
        Err(e) => {
            tracing::error!(error = %e, to = %domain::mask::email(to), "mail not sent");
            Err(AppError::Internal(anyhow::anyhow!(
                "We could not send the email just now. Please try again in a few minutes."
            )))
        }
    }
}

/// For notices; failures are logged.
pub(crate) async fn notice(app: &App, to: &str, mail: &mail::Mail) {
    if let Err(e) = app.mailer.send(to, mail).await {
        tracing::error!(error = %e, to = %domain::mask::email(to), "notice not sent");
    }
}

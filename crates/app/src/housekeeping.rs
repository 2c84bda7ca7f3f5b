//! Periodic, idempotent chores every server instance runs (running them on several instances
//! at once is harmless): end expired sessions, forget old rate-limit windows, deactivate users
//! idle longer than the inactivity limit, forget delivered mail older than a month, make
//! verified bank details Active and release the refunds held for them, and certify the day's
//! refunds (once a day, on one instance).

use time::Duration;

use crate::App;
use crate::error::AppResult;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Swept {
    pub sessions: u64,
    pub rate_windows: u64,
    pub deactivated: u64,
    pub enrollments_activated: u64,
    pub refunds_released: u64,
    /// Today's certification, when this instance ran it.
    pub certified: Option<crate::refunds::certify::Certified>,
    /// Groups of refund notices that could not be mailed (left for the next tick).
    pub notices_failed: u64,
}

pub async fn run(app: &App) -> AppResult<Swept> {
    let now = store::now();
    let sessions = store::sessions::delete_expired(&app.db.conn, now).await?;
    // The longest window in use is an hour; a day of margin keeps lockout counts intact.
    let rate_windows = store::rate_limits::prune(&app.db.conn, now - Duration::days(1)).await?;
    // Delivered mail keeps no content; its row is kept a month for `mail status`.
    store::mail_queue::prune(&app.db.conn, now - Duration::days(30)).await?;
    let deactivated = crate::portal::members::deactivate_idle(app).await?;
    let promoted = crate::ach::prenotes::promote(app, now.date()).await?;
    let released = crate::refunds::certify::release_for(app, &promoted.importer_ids, now.date()).await?;
    let certified = crate::refunds::certify::daily(app, now.date()).await?;
    // Notices a killed run or a mail outage left behind (both calls above send their own).
    let notices_failed = crate::refunds::notices::queue_pending(app).await;
    Ok(Swept {
        sessions,
        rate_windows,
        deactivated,
        enrollments_activated: promoted.activated as u64,
        refunds_released: released.released,
        certified,
        notices_failed,
    })
}

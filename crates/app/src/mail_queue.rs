//! Outgoing mail goes through a queue in the database: whoever sends mail (a login, a reset, an
//! ACH notice, certification's refund notices) writes it there and returns at once; a sender
//! delivers it, one instance at a time (the `mail_sender` lease), and retries a failed delivery
//! with backoff for about a day before giving up.
//!
//! Why: a response must not depend on the mail server (a reset that answered 500 for known
//! addresses when SMTP was down told an attacker which addresses have accounts), a mail outage
//! must lose nothing, and a job that decides a million refunds must not wait for thousands of
//! deliveries (docs/mail.md).
//!
//! Each queued mail holds its recipient and content sealed with the data key (it may carry a
//! login code or a one-time link), dropped once delivered. Delivery is at least once: a sender
//! killed between a delivery and its mark delivers that mail again.

use std::time::Duration as StdDuration;

use serde::{Deserialize, Serialize};
use store::mail_queue::{NewMail, Queued};
use time::Duration;

use crate::App;
use crate::error::{AppError, AppResult};

const LEASE: &str = "mail_sender";
/// How long a sender holds the lease without renewing it (it renews after every chunk; a
/// chunk's deliveries each time out well within this).
const LEASE_FOR: Duration = Duration::minutes(2);
/// The sealed content's associated data: it opens only as a queued mail.
const AAD: &str = "mail_queue";
/// Mails read per round trip.
const CHUNK: u64 = 64;
/// Deliveries at once (an SMTP exchange, or a file flushed to disk, is mostly waiting).
const SENDERS: usize = 8;
/// Attempts before giving up: 30 s, 1 min, 2 min, ... an hour apart at most, about a day in all.
const MAX_ATTEMPTS: i32 = 30;
/// How often an idle sender looks for mail queued by another instance.
pub const POLL: StdDuration = StdDuration::from_secs(5);

/// What is sealed in a queued mail.
#[derive(Serialize, Deserialize)]
struct Envelope {
    to: String,
    mail: mail::Mail,
}

/// A mail ready to queue: `to` and `mail` sealed with the data key.
pub(crate) fn sealed(app: &App, to: &str, mail: &mail::Mail) -> AppResult<NewMail> {
    let plain = serde_json::to_string(&Envelope { to: to.to_string(), mail: mail.clone() })
        .map_err(|e| AppError::Internal(e.into()))?;
    let sealed = app.keys.seal(&plain, AAD).map_err(|e| AppError::Internal(e.into()))?;
    Ok(NewMail { kind: mail.kind(), sealed })
}

/// Queues one mail (its own statement) and wakes this instance's sender.
pub(crate) async fn queue(app: &App, to: &str, mail: &mail::Mail) -> AppResult<()> {
    let new = sealed(app, to, mail)?;
    store::mail_queue::enqueue(&app.db.conn, &[new], store::now()).await?;
    wake(app);
    Ok(())
}

/// Tells this instance's sender that mail is waiting (after a commit that queued some).
pub(crate) fn wake(app: &App) {
    app.mail_wake.notify_one();
}

/// What one round of delivery did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Delivered {
    pub sent: u64,
    /// Failed this time, tried again later.
    pub retrying: u64,
    /// Failed for good (too many attempts, or an address no server will take).
    pub given_up: u64,
    /// Another instance holds the lease: it delivers.
    pub busy: bool,
}

/// Delivers every mail due now, if no other instance is delivering; returns what it did.
pub async fn deliver_due(app: &App) -> AppResult<Delivered> {
    let conn = &app.db.conn;
    let mut out = Delivered::default();
    let now = store::now();
    if !store::leases::take(conn, LEASE, &app.instance, now, now + LEASE_FOR).await? {
        out.busy = true;
        return Ok(out);
    }
    let delivered = deliver_chunks(app, &mut out).await;
    // Given back either way, so that an instance with mail to send need not wait it out.
    store::leases::release(conn, LEASE, &app.instance).await?;
    delivered.map(|()| out)
}

async fn deliver_chunks(app: &App, out: &mut Delivered) -> AppResult<()> {
    let conn = &app.db.conn;
    loop {
        let due = store::mail_queue::due(conn, store::now(), CHUNK).await?;
        if due.is_empty() {
            return Ok(());
        }
        let mut sent = Vec::new();
        let mut tasks = tokio::task::JoinSet::new();
        let mut results = Vec::new();
        for q in due {
            if tasks.len() >= SENDERS
                && let Some(done) = tasks.join_next().await
            {
                results.push(done);
            }
            let app = app.clone();
            tasks.spawn(async move {
                let outcome = deliver_one(&app, &q).await;
                (q, outcome)
            });
        }
        while let Some(done) = tasks.join_next().await {
            results.push(done);
        }
        for done in results {
            // A delivery task that panicked leaves its mail due: it is tried again next round.
            let Ok((q, outcome)) = done else { continue };
            match outcome {
                Ok(()) => sent.push(q.id),
                Err(failure) => failed(app, &q, failure, out).await?,
            }
        }
        store::mail_queue::mark_sent(conn, &sent, store::now()).await?;
        out.sent += sent.len() as u64;
        let now = store::now();
        if !store::leases::take(conn, LEASE, &app.instance, now, now + LEASE_FOR).await? {
            return Ok(()); // it ran out and another instance took it: that one goes on
        }
    }
}

/// Why a delivery failed, and whether trying again can help.
struct Failure {
    error: String,
    permanent: bool,
}

async fn deliver_one(app: &App, q: &Queued) -> Result<(), Failure> {
    let plain = app.keys.open(&q.sealed, AAD).map_err(|_| Failure {
        // Queued by an instance with a newer data key: once this one has it, it can deliver.
        error: "sealed with a data key this instance does not have".into(),
        permanent: false,
    })?;
    let envelope: Envelope = serde_json::from_str(&plain)
        .map_err(|_| Failure { error: "the queued mail is unreadable".into(), permanent: true })?;
    match app.mailer.send(&envelope.to, &envelope.mail).await {
        Ok(_) => Ok(()),
        // The address itself is refused: no retry will change that.
        Err(mail::MailError::Config(e)) => Err(Failure { error: e, permanent: true }),
        Err(e @ mail::MailError::Delivery(_)) => Err(Failure { error: e.to_string(), permanent: false }),
    }
}

async fn failed(app: &App, q: &Queued, f: Failure, out: &mut Delivered) -> AppResult<()> {
    let attempts = q.attempts.saturating_add(1);
    let now = store::now();
    let next = (!f.permanent && attempts < MAX_ATTEMPTS).then(|| now + backoff(attempts));
    // The error never names the recipient: mail errors name the server, not the address.
    tracing::warn!(id = q.id, kind = %q.kind, attempts, error = %f.error, retry = next.is_some(), "mail not delivered");
    store::mail_queue::mark_failed(&app.db.conn, q.id, attempts, next, &f.error, now).await?;
    if next.is_some() {
        out.retrying += 1;
    } else {
        out.given_up += 1;
    }
    Ok(())
}

/// 30 s after the first failure, doubling, at most an hour.
fn backoff(attempts: i32) -> Duration {
    let doublings = attempts.clamp(1, 8) - 1;
    (Duration::seconds(30) * 2i32.pow(doublings as u32)).min(Duration::hours(1))
}

/// The sender of a serving instance: delivers what is due, then waits to be woken (this
/// instance queued mail) or for [`POLL`] (another instance did, or a retry came due).
pub async fn run_sender(app: App) {
    loop {
        match deliver_due(&app).await {
            Ok(d) if d.sent + d.retrying + d.given_up > 0 => tracing::info!(?d, "mail delivered"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "mail sender failed; trying again"),
        }
        tokio::select! {
            () = app.mail_wake.notified() => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

/// How many mails wait, were delivered, were given up.
pub async fn counts(app: &App) -> AppResult<store::mail_queue::Counts> {
    Ok(store::mail_queue::counts(&app.db.conn).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_thirty_seconds_to_an_hour_and_gives_up_after_about_a_day() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::minutes(1));
        assert_eq!(backoff(5), Duration::minutes(8));
        assert_eq!(backoff(8), Duration::hours(1));
        assert_eq!(backoff(29), Duration::hours(1));
        let total: Duration = (1..MAX_ATTEMPTS).map(backoff).sum();
        assert!(total > Duration::hours(20) && total < Duration::hours(30), "{total}");
    }
}

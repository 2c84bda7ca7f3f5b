//! Mail about certification's decisions: refunds held because nobody can be paid (and what to
//! do), or set off against CBP bills.
//!
//! Each decision's notice is written as a row in the decision's own transaction
//! (`store::refund_notices`), so a run killed after a commit still owes that mail; the sender
//! runs at the start and end of every certification and release, and on the housekeeping tick.
//! It sends one mail per payee and kind for everything unsent (a run may decide thousands of
//! refunds for one importer), at least once: a failure leaves the notices for the next try, and a
//! mail outage never undoes a decision (the refunds' pages say the same as the mail).

use domain::refund::Cents;
use store::refund_notices::NewNotice;
use store::refunds::RefundRow;
use time::Duration;

use crate::App;

/// Refund lines listed in one mail; the rest are counted.
const LISTED: u64 = 20;
/// Groups mailed at once.
const SENDERS: usize = 8;
/// Payees claimed per statement. A sender killed half way leaves at most this many payees'
/// claims, whose mails go again once the claims are stale (duplicates, never losses); a larger
/// chunk means fewer writes, which on SQLite queue for the one write lock.
const CHUNK: usize = 64;
/// A claim older than this is taken to belong to a sender that died.
const STALE: Duration = Duration::minutes(10);

const HELD: &str = "held";
const DIVERTED: &str = "diverted";

pub(crate) fn held(r: &RefundRow, to: i64, amount: i64, reason: &str) -> NewNotice {
    NewNotice {
        importer_id: to,
        kind: HELD,
        refund_id: r.id,
        cents: amount,
        line: format!(
            "Refund {}: {} waiting (entry {}, {})",
            r.refund_number,
            Cents::new(amount),
            r.entry_number,
            r.source.replace('_', " ")
        ),
        reason: reason.to_string(),
    }
}

pub(crate) fn diverted(r: &RefundRow, to: i64, amount: i64, bills: &[(String, i64)]) -> NewNotice {
    let bills = bills.iter().map(|(n, c)| format!("bill {n} {}", Cents::new(*c))).collect::<Vec<_>>().join(", ");
    NewNotice {
        importer_id: to,
        kind: DIVERTED,
        refund_id: r.id,
        cents: amount,
        line: format!(
            "Refund {}: {} applied to CBP {bills} (entry {})",
            r.refund_number,
            Cents::new(amount),
            r.entry_number
        ),
        reason: String::new(),
    }
}

/// Sends every unsent notice, one mail per payee and kind; returns how many groups could not be
/// sent (they stay unsent for the next try). Errors of the database are counted, not returned:
/// the decisions are committed whatever happens to their mail.
///
/// Payees are taken a chunk at a time: one statement claims all their free notices, their mails
/// go out several at a time, then one statement marks the chunk sent (a group whose mail failed
/// is given back first). A mail per group used to cost two writes of its own, which on SQLite
/// queue for the one write lock; now it is two per chunk. (What the mailing still takes is the
/// transport's: the file outbox flushes each mail to disk, docs/performance.md.)
pub(crate) async fn send_pending(app: &App) -> u64 {
    let stale_before = store::now() - STALE;
    let groups = match store::refund_notices::pending_groups(&app.db.conn, stale_before).await {
        Ok(g) => g,
        Err(e) => {
            tracing::error!(error = %e, "refund notices: the unsent ones could not be read");
            return 1;
        }
    };
    let mut failed = 0;
    let mut payees: Vec<i64> = groups.iter().map(|(id, _)| *id).collect();
    payees.dedup(); // in importer order
    for chunk in payees.chunks(CHUNK) {
        match send_chunk(app, chunk, stale_before).await {
            Ok(n) => failed += n,
            Err(e) => {
                tracing::error!(error = %e, "refund notices: a chunk of payees could not be sent");
                failed += 1;
            }
        }
    }
    failed
}

/// Claims, mails and marks the notices of these payees; returns how many groups failed.
async fn send_chunk(app: &App, payees: &[i64], stale_before: time::OffsetDateTime) -> anyhow::Result<u64> {
    let conn = &app.db.conn;
    let token = crate::secrets::random_token();
    if store::refund_notices::claim_payees(conn, payees, &token, store::now(), stale_before).await? == 0 {
        return Ok(0); // another sender has them, or they were sent meanwhile
    }
    let mut failed = Vec::new();
    // Several groups at a time: each is a few reads and a mail or two whose delivery (an SMTP
    // exchange, or a file flushed to disk) is mostly waiting.
    let mut senders = tokio::task::JoinSet::new();
    // Which group each task mails, for a task that panics (its group is given back too).
    let mut groups = std::collections::HashMap::new();
    let mut settle =
        |done: Result<(i64, &'static str, anyhow::Result<bool>), tokio::task::JoinError>,
         groups: &std::collections::HashMap<tokio::task::Id, (i64, &'static str)>| match done {
            Ok((_, _, Ok(true))) => {}
            Ok((id, kind, Ok(false))) => failed.push((id, kind)),
            Ok((id, kind, Err(e))) => {
                tracing::error!(error = %e, "refund notice: not sent");
                failed.push((id, kind));
            }
            Err(e) => {
                tracing::error!(error = %e, "refund notice: the sender failed");
                failed.extend(groups.get(&e.id()).copied());
            }
        };
    for &importer_id in payees {
        for kind in [HELD, DIVERTED] {
            if senders.len() >= SENDERS
                && let Some(done) = senders.join_next().await
            {
                settle(done, &groups);
            }
            let (app, token) = (app.clone(), token.clone());
            let task =
                senders.spawn(async move { (importer_id, kind, send_group(&app, importer_id, kind, &token).await) });
            groups.insert(task.id(), (importer_id, kind));
        }
    }
    while let Some(done) = senders.join_next().await {
        settle(done, &groups);
    }
    for (importer_id, kind) in &failed {
        store::refund_notices::unclaim(conn, *importer_id, kind, &token).await?;
    }
    store::refund_notices::mark_all_sent(conn, payees, &token, store::now()).await?;
    Ok(failed.len() as u64)
}

/// Mails one claimed group; false when the mail failed (the caller gives the claim back).
async fn send_group(app: &App, importer_id: i64, kind: &str, token: &str) -> anyhow::Result<bool> {
    let conn = &app.db.conn;
    let group = store::refund_notices::claimed(conn, importer_id, kind, token, LISTED).await?;
    if group.count == 0 {
        return Ok(true); // nothing of this kind for this payee
    }
    let Some((importer, to)) = crate::ach::notices::recipients(app, importer_id).await? else {
        // Nobody to tell (no contact on file): nothing will ever be sent; done.
        return Ok(true);
    };
    let count = group.count;
    let total = Cents::new(group.cents);
    let plural = if count == 1 { "Refund" } else { "Refunds" };
    let (what, mut lines) = if kind == HELD {
        (
            format!("{plural} held: no bank account to pay into"),
            vec![
                format!("{count} refund(s), {total} in all, are waiting."),
                group.lines.first().map(|(_, reason)| reason.clone()).unwrap_or_default(),
                "What to do: enroll bank details for this importer number on the ACH Refund Authorization tab. \
                 Once they are verified, the refunds are paid without any further request."
                    .into(),
            ],
        )
    } else {
        (
            format!("{plural} applied to CBP bills"),
            vec![format!("{count} refund(s): {total} in all paid debts to CBP.")],
        )
    };
    lines.extend(group.lines.iter().map(|(line, _)| line.clone()));
    if count > LISTED as i64 {
        lines.push(format!("... and {} more: see the Refunds tab", count - LISTED as i64));
    }
    let number = domain::ImporterNumber::parse(&importer.number).map(|n| n.masked()).unwrap_or_else(|_| "***".into());
    let mail = mail::Mail::RefundNotice {
        importer_number: number,
        importer_name: importer.name.clone(),
        what,
        summary: lines.join("\n"),
        link: app.link("/account"),
    };
    let mut all_sent = true;
    for address in to {
        if app.mailer.send(&address, &mail).await.is_err() {
            tracing::error!(to = %domain::mask::email(&address), "refund notice not sent");
            all_sent = false;
        }
    }
    // One recipient failing sends the group again later to all of them: duplicates over loss.
    Ok(all_sent)
}

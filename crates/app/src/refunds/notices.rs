//! Mail about certification's decisions: refunds held because nobody can be paid (and what to
//! do), or set off against CBP bills.
//!
//! Each decision's notice is written as a row in the decision's own transaction
//! (`store::refund_notices`), so a run killed after a commit still owes that mail. At the end
//! of every certification and release, and on the housekeeping tick, one mail per payee and
//! kind is built for everything unsent (a run may decide thousands of refunds for one importer)
//! and queued for delivery (`mail_queue`): the run does not wait for the mail server, and a mail
//! outage never undoes a decision (the refunds' pages say the same as the mail).

use domain::refund::Cents;
use store::refund_notices::NewNotice;
use store::refunds::RefundRow;
use time::Duration;

use crate::App;

/// Refund lines listed in one mail; the rest are counted.
const LISTED: u64 = 20;
/// Payees claimed per statement. A run killed half way leaves at most this many payees'
/// claims, whose mails are built again once the claims are stale. Each chunk is two commits,
/// and on SQLite a commit after certification's batches also checkpoints and flushes the file:
/// 252,000 held notices of 5,286 payees took 16.6 s in chunks of 64, 7.9 s in chunks of 512
/// (docs/performance.md, "Session 17"); a chunk holds the write lock for a fraction of a second.
const CHUNK: usize = 512;
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

/// Queues the mail of every unsent notice, one mail per payee and kind (`mail_queue` delivers
/// it); returns how many groups could not be queued (they stay unsent for the next try).
/// Errors of the database are counted, not returned: the decisions are committed whatever
/// happens to their mail.
///
/// Payees are taken a chunk at a time: one statement claims all their free notices, their mails
/// are built, then one transaction queues them and marks the chunk's notices sent (a group
/// whose mail could not be built is given back first). Queued and marked together, a notice's
/// mail is queued exactly once; its delivery is the mail sender's (at least once).
pub(crate) async fn queue_pending(app: &App) -> u64 {
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
        match queue_chunk(app, chunk, stale_before).await {
            Ok(n) => failed += n,
            Err(e) => {
                tracing::error!(error = %e, "refund notices: a chunk of payees could not be queued");
                failed += 1;
            }
        }
    }
    crate::mail_queue::wake(app);
    failed
}

/// Claims the notices of these payees, builds their mails, and queues them and marks the
/// notices sent in one transaction. Reads are per chunk, not per mail: the claimed groups with
/// their first lines in two statements, every payee's recipients in one. A chunk that fails
/// leaves its claims, taken again once stale.
async fn queue_chunk(app: &App, payees: &[i64], stale_before: time::OffsetDateTime) -> anyhow::Result<u64> {
    let conn = &app.db.conn;
    let token = crate::secrets::random_token();
    if store::refund_notices::claim_payees(conn, payees, &token, store::now(), stale_before).await? == 0 {
        return Ok(0); // another sender has them, or they were sent meanwhile
    }
    let groups = store::refund_notices::claimed_groups(conn, payees, &token, LISTED).await?;
    let recipients = crate::ach::notices::recipients_of(app, payees).await?;
    let mut mails = Vec::new();
    for g in &groups {
        // Nobody to tell (no contact on file): nothing will ever be sent; done.
        let Some(r) = recipients.get(&g.importer_id) else { continue };
        let mail = group_mail(app, r, &g.kind, &g.claimed);
        for address in &r.to {
            mails.push(crate::mail_queue::sealed(app, address, &mail)?);
        }
    }
    let txn = store::begin_write(conn).await?;
    store::mail_queue::enqueue(&txn, &mails, store::now()).await?;
    store::refund_notices::mark_all_sent(&txn, payees, &token, store::now()).await?;
    txn.commit().await?;
    Ok(0)
}

/// The mail of one claimed group.
fn group_mail(
    app: &App,
    r: &crate::ach::notices::Recipients,
    kind: &str,
    group: &store::refund_notices::Claimed,
) -> mail::Mail {
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
    let number = domain::ImporterNumber::parse(&r.number).map(|n| n.masked()).unwrap_or_else(|_| "***".into());
    mail::Mail::RefundNotice {
        importer_number: number,
        importer_name: r.name.clone(),
        what,
        summary: lines.join("\n"),
        link: app.link("/account"),
    }
}

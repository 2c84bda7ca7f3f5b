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
    let mut count = |done: Result<anyhow::Result<bool>, tokio::task::JoinError>| match done {
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => failed += 1,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "refund notice: not sent");
            failed += 1;
        }
        Err(e) => {
            tracing::error!(error = %e, "refund notice: the sender failed");
            failed += 1;
        }
    };
    // Several groups at a time: each is a few queries and a mail or two whose delivery (an
    // SMTP exchange, or a file flushed to disk) is mostly waiting.
    let mut senders = tokio::task::JoinSet::new();
    for (importer_id, kind) in groups {
        if senders.len() >= SENDERS
            && let Some(done) = senders.join_next().await
        {
            count(done);
        }
        let app = app.clone();
        senders.spawn(async move { send_group(&app, importer_id, &kind, stale_before).await });
    }
    while let Some(done) = senders.join_next().await {
        count(done);
    }
    failed
}

/// Claims, mails and marks one group; false when the mail failed (the claim is given back).
async fn send_group(
    app: &App,
    importer_id: i64,
    kind: &str,
    stale_before: time::OffsetDateTime,
) -> anyhow::Result<bool> {
    let conn = &app.db.conn;
    let token = crate::secrets::random_token();
    if store::refund_notices::claim(conn, importer_id, kind, &token, store::now(), stale_before).await? == 0 {
        return Ok(true); // another sender has them
    }
    let Some((importer, to)) = crate::ach::notices::recipients(app, importer_id).await? else {
        // Nobody to tell (no contact on file): nothing will ever be sent; done.
        store::refund_notices::mark_sent(conn, importer_id, kind, &token, store::now()).await?;
        return Ok(true);
    };
    let group = store::refund_notices::claimed(conn, importer_id, kind, &token, LISTED).await?;
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
    if all_sent {
        store::refund_notices::mark_sent(conn, importer_id, kind, &token, store::now()).await?;
    } else {
        store::refund_notices::unclaim(conn, importer_id, kind, &token).await?;
    }
    Ok(all_sent)
}

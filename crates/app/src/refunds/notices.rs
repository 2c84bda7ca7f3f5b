//! Mail about a certification's decisions: refunds held because nobody can be paid (and what
//! to do), or set off against CBP bills. One mail per payee and kind per run, however many
//! refunds it covers (a run may decide thousands for one importer), sent after the decisions are
//! committed, best effort: a mail outage must not undo a decision, so failures are logged and
//! counted, and the refunds' pages say the same as the mail.

use std::collections::BTreeMap;

use domain::refund::Cents;
use store::refunds::RefundRow;

use crate::App;

/// Refund lines listed in one mail; the rest are counted.
const LISTED: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    Held,
    Diverted,
}

pub(crate) struct Notice {
    /// Who is told (its 5106 contact and TAO).
    importer_id: i64,
    kind: Kind,
    cents: i64,
    line: String,
    /// Why it is held (held notices).
    reason: String,
}

impl Notice {
    pub(crate) fn held(r: &RefundRow, to: i64, amount: i64, reason: &str) -> Notice {
        Notice {
            importer_id: to,
            kind: Kind::Held,
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

    pub(crate) fn diverted(r: &RefundRow, to: i64, amount: i64, bills: &[(String, i64)]) -> Notice {
        let bills = bills.iter().map(|(n, c)| format!("bill {n} {}", Cents::new(*c))).collect::<Vec<_>>().join(", ");
        Notice {
            importer_id: to,
            kind: Kind::Diverted,
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
}

/// Sends one mail per payee and kind; returns how many mails could not be sent.
pub(crate) async fn send_grouped(app: &App, notices: Vec<Notice>) -> u64 {
    let mut groups: BTreeMap<(i64, Kind), Vec<Notice>> = BTreeMap::new();
    for n in notices {
        groups.entry((n.importer_id, n.kind)).or_default().push(n);
    }
    let mut failed = 0;
    for ((importer_id, kind), list) in groups {
        let recipients = match crate::ach::notices::recipients(app, importer_id).await {
            Ok(Some(r)) => r,
            Ok(None) => continue,
            Err(e) => {
                tracing::error!(error = %e, "refund notice: recipients not found");
                failed += 1;
                continue;
            }
        };
        let (importer, to) = recipients;
        let total = Cents::new(list.iter().map(|n| n.cents).sum());
        let count = list.len();
        let plural = if count == 1 { "Refund" } else { "Refunds" };
        let (what, mut lines) = match kind {
            Kind::Held => (
                format!("{plural} held: no bank account to pay into"),
                vec![
                    format!("{count} refund(s), {total} in all, are waiting."),
                    list[0].reason.clone(),
                    "What to do: enroll bank details for this importer number on the ACH Refund Authorization tab. \
                     Once they are verified, the refunds are paid without any further request."
                        .into(),
                ],
            ),
            Kind::Diverted => (
                format!("{plural} applied to CBP bills"),
                vec![format!("{count} refund(s): {total} in all paid debts to CBP.")],
            ),
        };
        lines.extend(list.iter().take(LISTED).map(|n| n.line.clone()));
        if count > LISTED {
            lines.push(format!("... and {} more: see the Refunds tab", count - LISTED));
        }
        let number =
            domain::ImporterNumber::parse(&importer.number).map(|n| n.masked()).unwrap_or_else(|_| "***".into());
        let mail = mail::Mail::RefundNotice {
            importer_number: number,
            importer_name: importer.name.clone(),
            what,
            summary: lines.join("\n"),
            link: app.link("/account"),
        };
        for address in to {
            if app.mailer.send(&address, &mail).await.is_err() {
                tracing::error!(to = %domain::mask::email(&address), "refund notice not sent");
                failed += 1;
            }
        }
    }
    failed
}

//! Mail about a refund's decision: held because nobody can be paid (what to do), or set off
//! against a CBP bill. Sent after the decision is committed, best effort (a mail outage must not
//! undo a decision; failures are logged and counted).

use domain::refund::Cents;
use store::refunds::RefundRow;

use crate::App;

pub(crate) struct Notice {
    /// Who is told (its contact and TAO).
    importer_id: i64,
    what: &'static str,
    lines: Vec<String>,
    /// Path of the page that shows the refund.
    path: String,
}

impl Notice {
    pub(crate) fn held(r: &RefundRow, to: i64, amount: i64, reason: &str) -> Notice {
        Notice {
            importer_id: to,
            what: "Refund held: no bank account to pay it into",
            lines: vec![
                format!("Refund {}: {} waiting", r.refund_number, Cents::new(amount)),
                format!("Entry {} ({})", r.entry_number, r.source.replace('_', " ")),
                reason.to_string(),
                "What to do: enroll bank details for this importer number on the ACH Refund Authorization tab. \
                 Once they are verified, the refund is paid without any further request."
                    .into(),
            ],
            path: "/account".into(),
        }
    }

    pub(crate) fn diverted(r: &RefundRow, to: i64, amount: i64, bills: &[(String, i64)]) -> Notice {
        let mut lines = vec![
            format!("Refund {}: {} applied to CBP bills", r.refund_number, Cents::new(amount)),
            format!("Entry {} ({})", r.entry_number, r.source.replace('_', " ")),
        ];
        lines.extend(bills.iter().map(|(n, c)| format!("Bill {n}: {} paid from this refund", Cents::new(*c))));
        Notice { importer_id: to, what: "Refund applied to a CBP bill", lines, path: "/account".into() }
    }
}

/// Sends each notice to its recipients; returns how many could not be sent.
pub(crate) async fn send_all(app: &App, notices: &[Notice]) -> u64 {
    let mut failed = 0;
    for n in notices {
        let recipients = match crate::ach::notices::recipients(app, n.importer_id).await {
            Ok(Some(r)) => r,
            Ok(None) => continue,
            Err(e) => {
                tracing::error!(error = %e, "refund notice: recipients not found");
                failed += 1;
                continue;
            }
        };
        let (importer, to) = recipients;
        let number =
            domain::ImporterNumber::parse(&importer.number).map(|n| n.masked()).unwrap_or_else(|_| "***".into());
        let mail = mail::Mail::RefundNotice {
            importer_number: number,
            importer_name: importer.name.clone(),
            what: n.what.into(),
            summary: n.lines.join("\n"),
            link: app.link(&n.path),
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

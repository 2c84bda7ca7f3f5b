//! Notices about bank details: every add, change, removal, verification, bank correction or
//! return goes to the importer's 5106 contact email and to its account's owner (TAO), so a
//! change nobody expected is seen by two people at once. Values in them are masked.

use crate::App;

pub(crate) struct Notice<'a> {
    /// "Bank details changed", ...
    pub what: &'a str,
    /// A person's name, or "the bank" / "ACE Refunds".
    pub by: &'a str,
    pub at: time::OffsetDateTime,
    pub lines: Vec<String>,
}

/// `2026-11-25 14:03 UTC`
pub(crate) fn when(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!("{:04}-{:02}-{:02} {:02}:{:02} UTC", at.year(), u8::from(at.month()), at.day(), at.hour(), at.minute())
}

/// Best effort, like every notice: the change already happened; a failed send is logged.
pub(crate) async fn send(app: &App, importer_id: i64, n: &Notice<'_>) {
    if let Err(e) = try_send(app, importer_id, n).await {
        tracing::error!(error = %e, importer_id, "bank notice not sent");
    }
}

/// Who hears about an importer number's refunds and bank details: its 5106 contact email and
/// its account's owner (TAO), once each; `(number, name, addresses)` per importer id.
pub(crate) async fn recipients_of(
    app: &App,
    importer_ids: &[i64],
) -> Result<std::collections::HashMap<i64, Recipients>, store::DbErr> {
    let rows = store::accounts::notice_recipients(&app.db.conn, importer_ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut to: Vec<String> = std::iter::once(r.contact).chain(r.tao).collect();
            to.retain(|e| !e.trim().is_empty());
            to.sort_by_key(|e| e.to_lowercase());
            to.dedup_by_key(|e| e.to_lowercase());
            (r.importer_id, Recipients { number: r.number, name: r.name, to })
        })
        .collect())
}

/// An importer number's name and who is told about it.
pub(crate) struct Recipients {
    /// Canonical importer number.
    pub number: String,
    pub name: String,
    pub to: Vec<String>,
}

async fn try_send(app: &App, importer_id: i64, n: &Notice<'_>) -> Result<(), store::DbErr> {
    let Some(r) = recipients_of(app, &[importer_id]).await?.remove(&importer_id) else { return Ok(()) };
    let number = domain::ImporterNumber::parse(&r.number).map(|n| n.to_string()).unwrap_or_else(|_| "***".into());
    let mail = mail::Mail::BankDetailsChanged {
        importer_number: number,
        importer_name: r.name.clone(),
        what: n.what.into(),
        by: n.by.into(),
        at: when(n.at),
        summary: n.lines.join("\n"),
    };
    for address in r.to {
        crate::notify::notice(app, &address, &mail).await;
    }
    Ok(())
}

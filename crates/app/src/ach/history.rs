//! Every version of an importer number's bank details (masked) and every status change, newest
//! first, for the tab's history page and the API.

use super::tab::BankView;
use super::{held, require_view, scope};
use crate::App;
use crate::error::AppResult;
use crate::portal::auth::SessionUser;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEvent {
    pub version_no: i32,
    pub at: time::OffsetDateTime,
    pub from: String,
    pub to: String,
    pub actor: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    pub importer_id: i64,
    pub number: String,
    pub name: String,
    pub versions: Vec<BankView>,
    pub events: Vec<StatusEvent>,
}

pub async fn history(app: &App, user: &SessionUser, sub_account_id: i64, importer_id: i64) -> AppResult<History> {
    let sub = scope(app, user, sub_account_id).await?;
    require_view(&sub)?;
    let n = held(&sub, importer_id)?;
    let versions = store::enrollments::all_of(&app.db.conn, importer_id).await?;
    let events = store::enrollments::events_of(&app.db.conn, importer_id).await?;
    let label = |code: &str| {
        domain::EnrollmentStatus::from_code(code).map(|s| s.label().to_owned()).unwrap_or_else(|| "(new)".into())
    };
    Ok(History {
        importer_id,
        number: n.number.clone(),
        name: n.name.clone(),
        events: events
            .iter()
            .map(|e| StatusEvent {
                version_no: versions.iter().find(|v| v.id == e.enrollment_id).map(|v| v.version_no).unwrap_or(0),
                at: e.at,
                from: label(&e.from_status),
                to: label(&e.to_status),
                actor: e.actor.clone(),
                reason: e.reason.clone(),
            })
            .collect(),
        versions: versions.iter().map(BankView::from_row).collect(),
    })
}

//! CBP review of bank details flagged when saved: the same bank account is enrolled for an
//! unrelated importer (a pattern of refund diversion). Staff see the queue and mark each one
//! reviewed; the flag never blocks payment by itself.

use domain::{Actor, Role};

use super::tab::BankView;
use crate::App;
use crate::error::{AppError, AppResult};
use store::schema::BankEnrollments;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flagged {
    pub importer_id: i64,
    pub number: String,
    pub name: String,
    pub bank: BankView,
    /// Other importers with a live enrollment of the same account (numbers, masked as usual).
    pub same_account_at: Vec<String>,
}

fn require_staff(actor: &Actor) -> AppResult<()> {
    if actor.role != Role::CbpStaff {
        return Err(AppError::Forbidden("the review queue is for CBP staff".into()));
    }
    Ok(())
}

pub async fn queue(app: &App, actor: &Actor) -> AppResult<Vec<Flagged>> {
    require_staff(actor)?;
    let conn = &app.db.conn;
    let mut out = Vec::new();
    for v in store::enrollments::flagged(conn, 200).await? {
        let Some(rec) = store::importers::by_id(conn, v.importer_id).await? else { continue };
        let shown = |n: &str| domain::ImporterNumber::parse(n).map(|n| n.to_string()).unwrap_or_else(|_| "***".into());
        let mut others = Vec::new();
        for o in store::enrollments::live_with_blind(conn, &v.account_blind, &[v.importer_id]).await? {
            if let Some(r) = store::importers::by_id(conn, o.importer_id).await? {
                others.push(format!("{} ({})", shown(&r.number), r.name));
            }
        }
        out.push(Flagged {
            importer_id: v.importer_id,
            number: shown(&rec.number),
            name: rec.name,
            bank: BankView::from_row(&v),
            same_account_at: others,
        });
    }
    Ok(out)
}

/// Marks a flagged version reviewed (it leaves the queue; the event history says who and when).
pub async fn clear(app: &App, actor: &Actor, version_id: i64) -> AppResult<()> {
    require_staff(actor)?;
    let v = store::enrollments::by_id(&app.db.conn, version_id)
        .await?
        .filter(|v| v.review_shared && v.review_cleared_by.is_none())
        .ok_or_else(|| AppError::NotFound("no such flagged bank details".into()))?;
    let now = store::now();
    let txn = store::TransactionTrait::begin(&app.db.conn).await?;
    store::enrollments::set(&txn, v.id, vec![(BankEnrollments::ReviewClearedBy, actor.user_id.into())]).await?;
    store::enrollments::insert_event(
        &txn,
        &store::enrollments::EventRow {
            enrollment_id: v.id,
            importer_id: v.importer_id,
            at: now,
            from_status: v.status.clone(),
            to_status: v.status.clone(),
            actor: format!("CBP ({})", actor.label),
            reason: "shared bank account reviewed by CBP".into(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

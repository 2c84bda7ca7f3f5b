//! ACH Refund Authorization: bank details per importer number, their verification by prenote
//! and bank replies, Form 4811 notify parties, and the FedACH routing directory. See
//! docs/enrollment.md for the lifecycle and the choices made.
//!
//! Every entry point starts from the user's own Importer sub-account ([`scope`]): another
//! company's sub-account or importer number is "not found", and the ACH permission decides
//! between view, change and nothing.

pub mod change;
pub mod directory;
pub mod history;
pub mod keys;
pub(crate) mod notices;
pub mod notify_parties;
pub mod prenotes;
pub mod replies;
pub mod review;
pub mod tab;
pub(crate) mod tab_cache;

use domain::portal::{AchAccess, SubAccountKind};

use crate::App;
use crate::portal::accounts::{HeldNumber, SubAccountView};
use store::accounts::Viewer;

use crate::error::{AppError, AppResult};
use crate::portal::auth::{SessionLookup, SessionUser, Signed};
use store::change_counters::AchTabGeneration;

/// The user's own Importer sub-account, or NotFound.
pub(crate) async fn scope(app: &App, user: &SessionUser, sub_account_id: i64) -> AppResult<SubAccountView> {
    let sub = crate::portal::accounts::sub_account(app, user, sub_account_id).await?;
    if sub.kind != SubAccountKind::Importer {
        return Err(AppError::NotFound("bank details belong to an Importer sub-account".into()));
    }
    Ok(sub)
}

/// As [`scope`] without reading the held numbers (the tab reads them with its own data), with
/// the ACH tab's generation read in the same statement (see `tab_cache`).
pub(crate) async fn scope_light(
    app: &App,
    user: &SessionUser,
    sub_account_id: i64,
) -> AppResult<(SubAccountView, AchTabGeneration)> {
    let (account_id, role) = crate::portal::accounts::membership(user)?;
    let viewer = Viewer::User { account_id, user_id: user.user_id() };
    let (_, access) = store::accounts::sub_account_access_with_ach_generation(&app.db.conn, &viewer, sub_account_id)
        .await?
        .unwrap_or_default();
    light_view(access, role)
}

/// As [`scope_light`] for a session cookie, the session check in the same statement: a view of
/// a cached tab is one round trip. `None`: no live session.
pub(crate) async fn scope_light_in_session(
    app: &App,
    token: &str,
    sub_account_id: i64,
) -> AppResult<Option<Signed<(SubAccountView, AchTabGeneration)>>> {
    let lookup = SessionLookup::new(app, token);
    let viewer = Viewer::Session(lookup.key(crate::portal::auth::Stage::Full));
    let Some((Some(row), access)) =
        store::accounts::sub_account_access_with_ach_generation(&app.db.conn, &viewer, sub_account_id).await?
    else {
        return Ok(None);
    };
    let user = SessionUser::from_row(&row);
    let page = crate::portal::accounts::membership(&user).and_then(|(_, role)| light_view(access, role));
    Ok(Some(Signed { user, page }))
}

fn light_view(
    access: Option<(store::accounts::SubAccountDetail, AchTabGeneration)>,
    role: domain::portal::AccountRole,
) -> AppResult<(SubAccountView, AchTabGeneration)> {
    let (detail, generation) =
        access.ok_or_else(|| AppError::NotFound("no such sub-account in your account".into()))?;
    let sub = crate::portal::accounts::view(detail, role);
    if sub.kind != SubAccountKind::Importer {
        return Err(AppError::NotFound("bank details belong to an Importer sub-account".into()));
    }
    Ok((sub, generation))
}

pub(crate) fn require_view(sub: &SubAccountView) -> AppResult<()> {
    if sub.grants.ach == AchAccess::None {
        return Err(AppError::Forbidden(
            "You do not have access to ACH Refund Authorization here. Ask your account owner for it.".into(),
        ));
    }
    Ok(())
}

pub(crate) fn require_change(sub: &SubAccountView) -> AppResult<()> {
    require_view(sub)?;
    if !sub.grants.ach.can_change() {
        return Err(AppError::Forbidden(
            "Your access to ACH Refund Authorization is read-only: you can view bank details but not change them."
                .into(),
        ));
    }
    Ok(())
}

/// An importer number of this sub-account, or NotFound (also for another company's number).
pub(crate) fn held(sub: &SubAccountView, importer_id: i64) -> AppResult<&HeldNumber> {
    sub.numbers
        .iter()
        .find(|n| n.importer_id == importer_id)
        .ok_or_else(|| AppError::NotFound("no such importer number in this sub-account".into()))
}

/// `YYYY-MM-DD`, the form dates are stored and typed in.
pub fn iso_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub fn parse_iso_date(s: &str) -> Option<time::Date> {
    let mut it = s.trim().splitn(3, '-');
    let (y, m, d) = (it.next()?.parse().ok()?, it.next()?.parse::<u8>().ok()?, it.next()?.parse().ok()?);
    time::Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}

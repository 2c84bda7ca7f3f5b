//! What a portal user sees of its own account: the top account, its sub-accounts, the importer
//! numbers they hold, and what the user may do on each. Nothing of another account is ever
//! returned: asking for a sub-account of another account is "not found".

use domain::ImporterNumber;
use domain::portal::{AccountRole, AchAccess, Grants, SubAccountKind};

use crate::App;
use store::accounts::Viewer;

use crate::error::{AppError, AppResult};
use crate::portal::auth::{SessionLookup, SessionUser, Signed};

#[derive(Debug, Clone)]
pub struct HeldNumber {
    pub importer_id: i64,
    /// Masked for SSNs.
    pub number: String,
    pub name: String,
    pub status: String,
    pub contact: String,
    pub added_at: time::OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct SubAccountView {
    pub id: i64,
    pub kind: SubAccountKind,
    pub numbers: Vec<HeldNumber>,
    /// What the viewing user may do here.
    pub grants: Grants,
}

#[derive(Debug, Clone)]
pub struct Overview {
    pub account_id: i64,
    pub name: String,
    pub status: String,
    pub created_at: time::OffsetDateTime,
    pub my_role: AccountRole,
    pub sub_accounts: Vec<SubAccountView>,
    pub owner_name: String,
    pub users: usize,
}

impl Overview {
    pub fn has_importer_sub_account(&self) -> bool {
        self.sub_accounts.iter().any(|s| s.kind == SubAccountKind::Importer)
    }
}

/// The user's account and role, or Forbidden for users without one (CBP staff).
pub fn membership(user: &SessionUser) -> AppResult<(i64, AccountRole)> {
    match (user.account_id, user.account_role) {
        (Some(a), Some(r)) => Ok((a, r)),
        _ => Err(AppError::Forbidden("this page is for trade-portal account users".into())),
    }
}

/// The page's view of one sub-account from its stored detail.
pub(crate) fn view(d: store::accounts::SubAccountDetail, role: AccountRole) -> SubAccountView {
    let kind = SubAccountKind::from_code(&d.sub.kind).unwrap_or(SubAccountKind::Importer);
    let granted = d.permission.map(|p| Grants {
        ach: AchAccess::from_code(&p.ach).unwrap_or(AchAccess::None),
        reports: p.reports,
        notify_parties: p.notify_parties,
    });
    let numbers = d
        .held
        .into_iter()
        .map(|h| HeldNumber {
            importer_id: h.importer_id,
            number: ImporterNumber::parse(&h.number).map(|n| n.to_string()).unwrap_or_else(|_| "***".into()),
            name: h.name,
            status: h.status,
            contact: domain::mask::email(&h.email),
            added_at: h.added_at,
        })
        .collect();
    SubAccountView { id: d.sub.id, kind, numbers, grants: Grants::effective(role, granted) }
}

/// The overview page's data in one statement (plus the session check before it): it is the page
/// every portal user lands on, so its cost is measured (docs/performance.md).
pub async fn overview(app: &App, user: &SessionUser) -> AppResult<Overview> {
    let (account_id, role) = membership(user)?;
    let viewer = Viewer::User { account_id, user_id: user.user_id() };
    let (_, data) = store::accounts::overview(&app.db.conn, &viewer).await?.unwrap_or_default();
    overview_of(data, account_id, role)
}

/// The overview page of a session cookie, read with the session check in one statement: the
/// page a portal user lands on, and the one whose p99 issue 4 measures. `None`: no live session.
pub async fn overview_in_session(app: &App, token: &str) -> AppResult<Option<Signed<Overview>>> {
    let lookup = SessionLookup::new(app, token);
    let viewer = Viewer::Session(lookup.key(crate::portal::auth::Stage::Full));
    let Some((Some(row), data)) = store::accounts::overview(&app.db.conn, &viewer).await? else { return Ok(None) };
    let user = SessionUser::from_row(&row);
    let page = membership(&user).and_then(|(account_id, role)| overview_of(data, account_id, role));
    Ok(Some(Signed { user, page }))
}

fn overview_of(
    data: Option<(store::accounts::AccountSummary, Vec<store::accounts::SubAccountDetail>)>,
    account_id: i64,
    role: AccountRole,
) -> AppResult<Overview> {
    let (summary, details) = data.ok_or_else(|| AppError::NotFound("your account no longer exists".into()))?;
    Ok(Overview {
        account_id,
        name: summary.account.name,
        status: summary.account.status,
        created_at: summary.account.created_at,
        my_role: role,
        sub_accounts: details.into_iter().map(|d| view(d, role)).collect(),
        owner_name: summary.owner_name.unwrap_or_else(|| "(none yet)".into()),
        users: usize::try_from(summary.users).unwrap_or(0),
    })
}

/// One sub-account of the user's own account; another account's sub-account is "not found".
pub async fn sub_account(app: &App, user: &SessionUser, sub_account_id: i64) -> AppResult<SubAccountView> {
    let (account_id, role) = membership(user)?;
    store::accounts::sub_account_details(&app.db.conn, account_id, user.user_id(), Some(sub_account_id))
        .await?
        .pop()
        .map(|d| view(d, role))
        .ok_or_else(|| AppError::NotFound("no such sub-account in your account".into()))
}

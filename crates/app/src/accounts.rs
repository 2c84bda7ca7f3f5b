//! What a portal user sees of its own account: the top account, its sub-accounts, the importer
//! numbers they hold, and what the user may do on each. Nothing of another account is ever
//! returned: asking for a sub-account of another account is "not found".

use domain::ImporterNumber;
use domain::portal::{AccountRole, AchAccess, Grants, SubAccountKind};

use crate::App;
use crate::auth::SessionUser;
use crate::error::{AppError, AppResult};

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

async fn grants_map(app: &App, user: &SessionUser, role: AccountRole) -> AppResult<Vec<(i64, Grants)>> {
    let rows = store::accounts::permissions_of(&app.db.conn, user.user_id()).await?;
    Ok(rows
        .into_iter()
        .map(|p| {
            let g = Grants {
                ach: AchAccess::from_code(&p.ach).unwrap_or(AchAccess::None),
                reports: p.reports,
                notify_parties: p.notify_parties,
            };
            (p.sub_account_id, Grants::effective(role, Some(g)))
        })
        .collect())
}

async fn view(
    app: &App,
    sub: store::accounts::SubAccountRow,
    role: AccountRole,
    grants: &[(i64, Grants)],
) -> AppResult<SubAccountView> {
    let kind = SubAccountKind::from_code(&sub.kind).unwrap_or(SubAccountKind::Importer);
    let numbers = if kind == SubAccountKind::Importer {
        store::accounts::held_importers(&app.db.conn, sub.id)
            .await?
            .into_iter()
            .map(|h| HeldNumber {
                importer_id: h.importer_id,
                number: ImporterNumber::parse(&h.number).map(|n| n.to_string()).unwrap_or_else(|_| "***".into()),
                name: h.name,
                status: h.status,
                contact: domain::mask::email(&h.email),
                added_at: h.added_at,
            })
            .collect()
    } else {
        Vec::new()
    };
    let granted = grants.iter().find(|(id, _)| *id == sub.id).map(|(_, g)| *g);
    Ok(SubAccountView { id: sub.id, kind, numbers, grants: Grants::effective(role, granted) })
}

pub async fn overview(app: &App, user: &SessionUser) -> AppResult<Overview> {
    let (account_id, role) = membership(user)?;
    let account = store::accounts::account_by_id(&app.db.conn, account_id)
        .await?
        .ok_or_else(|| AppError::NotFound("your account no longer exists".into()))?;
    let grants = grants_map(app, user, role).await?;
    let mut subs = Vec::new();
    for s in store::accounts::sub_accounts(&app.db.conn, account_id).await? {
        subs.push(view(app, s, role, &grants).await?);
    }
    let members = store::users::in_account(&app.db.conn, account_id).await?;
    let owner_name = members
        .iter()
        .find(|u| u.account_role == AccountRole::Tao.code())
        .map(|u| u.name.clone())
        .unwrap_or_else(|| "(none yet)".into());
    Ok(Overview {
        account_id,
        name: account.name,
        status: account.status,
        created_at: account.created_at,
        my_role: role,
        sub_accounts: subs,
        owner_name,
        users: members.len(),
    })
}

/// One sub-account of the user's own account.
pub async fn sub_account(app: &App, user: &SessionUser, sub_account_id: i64) -> AppResult<SubAccountView> {
    let (account_id, role) = membership(user)?;
    let sub = store::accounts::sub_account_by_id(&app.db.conn, sub_account_id)
        .await?
        .filter(|s| s.account_id == account_id)
        .ok_or_else(|| AppError::NotFound("no such sub-account in your account".into()))?;
    let grants = grants_map(app, user, role).await?;
    view(app, sub, role, &grants).await
}

//! The automated portal account application, and its two variants for existing accounts (an
//! Importer sub-account for an account without one; another importer number for one).
//!
//! The proof is the same in all three: a code sent to the point-of-contact email on the
//! importer's Form 5106 record (never to the requester), valid 10 minutes, 5 tries, single use;
//! a new code replaces the old.

use domain::portal::{AccountRole, SubAccountKind, names_match};
use domain::{Email, FieldErrors, ImporterNumber, Role};
use mail::Mail;
use store::TransactionTrait;
use store::applications::ApplicationRow;
use time::Duration;

use crate::App;
use crate::audit::Event;
use crate::error::{AppError, AppResult};
use crate::notify;
use crate::portal::auth::{Client, SessionUser, open};
use crate::rate::{self, Action};
use crate::secrets::{constant_time_eq, hash_code, six_digit_code};

pub const CODE_MINUTES: i64 = 10;
pub const MAX_TRIES: i32 = 5;

/// What the applicant typed.
#[derive(Debug, Clone, Default)]
pub struct ApplyForm {
    pub company_name: String,
    pub importer_number: String,
    pub requester_name: String,
    pub requester_email: String,
    /// A field people never see; software that fills every field fills it.
    pub honeypot: String,
}

/// A code is on its way: where it went (masked) and the application to verify.
#[derive(Debug, Clone)]
pub struct CodeSent {
    pub application_id: i64,
    pub sent_to: String,
}

const NO_RECORD: &str = "We have no importer record (CBP Form 5106) with this number. Check the number, or ask your \
                         customs broker to file a Form 5106 for your company first.";
const NAME_MISMATCH: &str = "The company name does not match the name on the importer record for this number. Enter the \
                             name as it appears on your Form 5106 (capitals and punctuation do not matter).";
const NO_EMAIL: &str = "The importer record for this number has no point-of-contact email, so we cannot send the \
                        verification code. Ask your customs broker to add your company's own email to its Form 5106.";
const LINKED: &str = "This importer number already belongs to a portal account. Ask that account's Trade Account Owner \
                      to invite you as a user.";
const ALREADY_USER: &str =
    "This email already has a portal user. Log in instead, or apply with another business email.";

/// Starts the application of a company without portal access.
pub async fn start(app: &App, form: &ApplyForm, client: &Client) -> AppResult<CodeSent> {
    rate::check(app, Action::ApplyIp, &client.ip).await?;
    if !form.honeypot.trim().is_empty() {
        tracing::warn!(ip = %client.ip, "application refused: honeypot field filled");
        return Err(AppError::Forbidden("This application could not be accepted. Please try again.".into()));
    }
    let mut errors = FieldErrors::default();
    let company = form.company_name.split_whitespace().collect::<Vec<_>>().join(" ");
    if company.is_empty() {
        errors.add("company_name", "Enter the company name as it appears on your Form 5106.");
    }
    let requester_name = form.requester_name.split_whitespace().collect::<Vec<_>>().join(" ");
    if requester_name.is_empty() {
        errors.add("requester_name", "Enter your name.");
    }
    let email = match Email::parse(&form.requester_email) {
        Ok(e) => Some(e),
        Err(m) => {
            errors.add("requester_email", m);
            None
        }
    };
    let number = match ImporterNumber::parse(&form.importer_number) {
        Ok(n) => Some(n),
        Err(e) => {
            errors.add("importer_number", e.message());
            None
        }
    };
    let (Some(email), Some(number), true) = (email, number, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let record = find_record(app, &number, &company).await?;
    if store::users::by_email(&app.db.conn, email.as_str()).await?.is_some() {
        return Err(AppError::field("requester_email", ALREADY_USER));
    }
    let row = ApplicationRow {
        id: 0,
        kind: "new-account".into(),
        importer_id: record.id,
        account_id: None,
        requested_by_user_id: None,
        company_name: company,
        requester_name,
        requester_email: email.as_str().into(),
        status: "code-sent".into(),
        ip: client.ip.clone(),
        created_at: store::now(),
        verified_at: None,
    };
    let id = store::applications::insert(&app.db.conn, &row).await?;
    send_code(app, &ApplicationRow { id, ..row }, &record).await
}

/// Looks the record up and applies the checks every variant shares.
async fn find_record(app: &App, number: &ImporterNumber, company: &str) -> AppResult<store::importers::ImporterRow> {
    let record = store::importers::by_number(&app.db.conn, &number.canonical())
        .await?
        .ok_or_else(|| AppError::field("importer_number", NO_RECORD))?;
    if !names_match(company, &record.name) {
        return Err(AppError::field("company_name", NAME_MISMATCH));
    }
    if record.status != domain::ImporterStatus::Active.code() {
        return Err(AppError::field(
            "importer_number",
            "The importer record for this number is inactive. Ask CBP or your customs broker to reactivate it first.",
        ));
    }
    if Email::parse(&record.email).is_err() {
        return Err(AppError::field("importer_number", NO_EMAIL));
    }
    if store::accounts::account_of_importer(&app.db.conn, record.id).await?.is_some() {
        return Err(AppError::field("importer_number", LINKED));
    }
    Ok(record)
}

/// Issues a fresh code for the application and mails it to the record's contact email.
async fn send_code(app: &App, a: &ApplicationRow, record: &store::importers::ImporterRow) -> AppResult<CodeSent> {
    rate::check(app, Action::ApplyImporter, &record.id.to_string()).await?;
    let code = six_digit_code();
    let subject = a.id.to_string();
    let now = store::now();
    store::one_time::issue(
        &app.db.conn,
        "application",
        &subject,
        &hash_code(&subject, &code),
        now,
        now + Duration::minutes(CODE_MINUTES),
    )
    .await?;
    let masked_number = ImporterNumber::parse(&record.number).map(|n| n.to_string()).unwrap_or_default();
    let mail = Mail::ApplicationCode {
        company: record.name.clone(),
        importer_number: masked_number,
        requester_name: a.requester_name.clone(),
        requester_email: a.requester_email.clone(),
        code,
        valid_minutes: CODE_MINUTES as u32,
    };
    notify::required(app, &record.email, &mail).await?;
    tracing::info!(application = a.id, "application code sent");
    Ok(CodeSent { application_id: a.id, sent_to: domain::mask::email(&record.email) })
}

/// A new code for a waiting application (the old one stops working).
pub async fn resend(app: &App, application_id: i64, client: &Client) -> AppResult<CodeSent> {
    rate::check(app, Action::ApplyIp, &client.ip).await?;
    let a = waiting(app, application_id).await?;
    let record = store::importers::by_id(&app.db.conn, a.importer_id)
        .await?
        .ok_or_else(|| AppError::NotFound("this application's importer record no longer exists".into()))?;
    send_code(app, &a, &record).await
}

async fn waiting(app: &App, application_id: i64) -> AppResult<ApplicationRow> {
    store::applications::by_id(&app.db.conn, application_id)
        .await?
        .filter(|a| a.status == "code-sent")
        .ok_or_else(|| AppError::NotFound("This application is finished or unknown. Start a new one at /apply.".into()))
}

/// Where the code went, for the verify page.
pub async fn sent_to(app: &App, application_id: i64) -> AppResult<String> {
    let a = waiting(app, application_id).await?;
    let record = store::importers::by_id(&app.db.conn, a.importer_id).await?;
    Ok(record.map(|r| domain::mask::email(&r.email)).unwrap_or_default())
}

/// Checks the code: wrong, expired, replaced, used or tried too often each get their own words.
async fn check_code(app: &App, application_id: i64, typed: &str) -> AppResult<()> {
    let subject = application_id.to_string();
    let Some(secret) = store::one_time::current(&app.db.conn, "application", &subject).await? else {
        return Err(AppError::field(
            "code",
            "This code was replaced by a newer one or already used. Ask for a new code.",
        ));
    };
    if secret.expires_at <= store::now() {
        return Err(AppError::field("code", "This code has expired (codes are valid 10 minutes). Ask for a new code."));
    }
    if !store::one_time::count_attempt(&app.db.conn, secret.id, MAX_TRIES).await? {
        return Err(AppError::field("code", "Too many wrong codes (5 tries per code). Ask for a new code."));
    }
    if !constant_time_eq(&secret.secret_hash, &hash_code(&subject, typed)) {
        let left = MAX_TRIES - secret.attempts - 1;
        return Err(AppError::field("code", format!("This code is not right. {left} tries left for this code.")));
    }
    if !store::one_time::mark_used(&app.db.conn, secret.id, store::now()).await? {
        return Err(AppError::field("code", "This code was already used. Ask for a new code."));
    }
    Ok(())
}

/// What a verified application did.
#[derive(Debug)]
pub enum Verified {
    /// A new account: the requester continues in a `password` session (set a password, then a
    /// second factor).
    NewAccount { token: String, account_id: i64 },
    /// An existing account gained the importer number.
    Added { account_id: i64, sub_account_id: i64 },
}

/// Verifies the code and, in one transaction, creates what the application asked for.
pub async fn verify(app: &App, application_id: i64, typed: &str, client: &Client) -> AppResult<Verified> {
    rate::check(app, Action::CodeIp, &client.ip).await?;
    let a = waiting(app, application_id).await?;
    check_code(app, application_id, typed).await?;
    let now = store::now();
    let record = store::importers::by_id(&app.db.conn, a.importer_id)
        .await?
        .ok_or_else(|| AppError::NotFound("this application's importer record no longer exists".into()))?;
    let txn = app.db.conn.begin().await?;
    if !store::applications::advance(&txn, a.id, "code-sent", "completed", now).await? {
        return Err(AppError::Conflict("This application was already completed.".into()));
    }
    // Checked again inside the transaction: another application may have won meanwhile.
    if store::accounts::account_of_importer(&txn, record.id).await?.is_some() {
        return Err(AppError::field("code", LINKED));
    }
    let outcome = match a.kind.as_str() {
        "new-account" => {
            if store::users::by_email(&txn, &a.requester_email).await?.is_some() {
                return Err(AppError::field("code", ALREADY_USER));
            }
            let account_id = store::accounts::insert_account(&txn, &record.name, now).await?;
            let sub = store::accounts::insert_sub_account(&txn, account_id, SubAccountKind::Importer.code(), None, now)
                .await?;
            store::accounts::add_importer(&txn, sub, record.id, &a.requester_email, now).await?;
            let user_id = store::users::insert(
                &txn,
                &store::users::NewUser {
                    email: &a.requester_email,
                    name: &a.requester_name,
                    role: Role::Trade.code(),
                    password_hash: "",
                    firm_id: None,
                    account_id: Some(account_id),
                    account_role: AccountRole::Tao.code(),
                },
                now,
            )
            .await?;
            let by = (Some(user_id), a.requester_email.as_str());
            let changes = vec![crate::registry::history::Change {
                field: "importer_number".into(),
                old: None,
                new: Some(masked(&record.number)),
            }];
            crate::audit::record(&txn, &Event::account(account_id, &record.name, by, "account.created", changes))
                .await?;
            let token = open(app, &txn, user_id, crate::portal::auth::Stage::Password, client).await?;
            Verified::NewAccount { token, account_id }
        }
        _ => {
            let account_id = a.account_id.ok_or_else(|| AppError::NotFound("application without account".into()))?;
            let sub = match store::accounts::sub_account_of_kind(&txn, account_id, SubAccountKind::Importer.code())
                .await?
            {
                Some(s) => s.id,
                None => {
                    store::accounts::insert_sub_account(&txn, account_id, SubAccountKind::Importer.code(), None, now)
                        .await?
                }
            };
            store::accounts::add_importer(&txn, sub, record.id, &a.requester_email, now).await?;
            let account = store::accounts::account_by_id(&txn, account_id).await?;
            let name = account.map(|x| x.name).unwrap_or_default();
            let changes = vec![crate::registry::history::Change {
                field: "importer_number".into(),
                old: None,
                new: Some(masked(&record.number)),
            }];
            let by = (a.requested_by_user_id, a.requester_email.as_str());
            crate::audit::record(&txn, &Event::account(account_id, &name, by, "account.importer-added", changes))
                .await?;
            Verified::Added { account_id, sub_account_id: sub }
        }
    };
    txn.commit().await?;
    tracing::info!(application = a.id, "application verified");
    Ok(outcome)
}

fn masked(number: &str) -> String {
    ImporterNumber::parse(number).map(|n| n.to_string()).unwrap_or_else(|_| "***".into())
}

/// A TAO or Proxy TAO asks for an importer number to be added to its account (creating the
/// Importer sub-account when it has none). Same proof: a code to the record's 5106 email.
pub async fn start_for_account(
    app: &App,
    user: &SessionUser,
    company_name: &str,
    importer_number: &str,
    client: &Client,
) -> AppResult<CodeSent> {
    rate::check(app, Action::ApplyIp, &client.ip).await?;
    let (Some(account_id), Some(role)) = (user.account_id, user.account_role) else {
        return Err(AppError::Forbidden("only portal account users can add importer numbers".into()));
    };
    domain::portal::may_manage_users(role).map_err(|_| {
        AppError::Forbidden("only the Trade Account Owner or a Proxy TAO may add importer numbers".into())
    })?;
    let number = ImporterNumber::parse(importer_number).map_err(|e| AppError::field("importer_number", e.message()))?;
    let company = company_name.split_whitespace().collect::<Vec<_>>().join(" ");
    if company.is_empty() {
        return Err(AppError::field("company_name", "Enter the company name as it appears on the Form 5106."));
    }
    let record = find_record(app, &number, &company).await?;
    let has_importer_sub =
        store::accounts::sub_account_of_kind(&app.db.conn, account_id, SubAccountKind::Importer.code()).await?;
    let row = ApplicationRow {
        id: 0,
        kind: if has_importer_sub.is_some() { "add-number" } else { "importer-sub-account" }.into(),
        importer_id: record.id,
        account_id: Some(account_id),
        requested_by_user_id: Some(user.user_id()),
        company_name: company,
        requester_name: user.name.clone(),
        requester_email: user.email.clone(),
        status: "code-sent".into(),
        ip: client.ip.clone(),
        created_at: store::now(),
        verified_at: None,
    };
    let id = store::applications::insert(&app.db.conn, &row).await?;
    send_code(app, &ApplicationRow { id, ..row }, &record).await
}

/// The application must belong to the user's account when it is an account variant.
pub async fn belongs_to(app: &App, application_id: i64, user: Option<&SessionUser>) -> AppResult<()> {
    let a = waiting(app, application_id).await?;
    match (a.account_id, user.and_then(|u| u.account_id)) {
        (None, _) => Ok(()),
        (Some(x), Some(y)) if x == y => Ok(()),
        _ => Err(AppError::NotFound("This application is finished or unknown. Start a new one at /apply.".into())),
    }
}

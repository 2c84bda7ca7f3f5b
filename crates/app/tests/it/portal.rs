//! Trade portal accounts: the automated application, login with a second factor, lockout,
//! users and permissions, and isolation between companies. Runs on SQLite and, with
//! TEST_DATABASE_URL, on PostgreSQL.

use crate::common;

use app::AppError;
use app::portal::apply::{ApplyForm, Verified};
use app::portal::auth::SessionUser;
use app::portal::login::{self, AfterPassword};
use app::portal::members::Invite;
use common::*;
use domain::portal::{AccountRole, AchAccess, Grants};

const NUMBER: &str = "12-345678900";
const CONTACT: &str = "treasury@acme.example";
const REQUESTER: &str = "ana@acme.example";

fn form() -> ApplyForm {
    ApplyForm {
        company_name: "ACME IMPORTS, INC.".into(),
        importer_number: NUMBER.into(),
        requester_name: "Ana Lopez".into(),
        requester_email: REQUESTER.into(),
        honeypot: String::new(),
    }
}

fn field_error(e: AppError, field: &str) -> String {
    match e {
        AppError::Invalid(fe) => fe.get(field).unwrap_or_else(|| panic!("no error on {field}: {fe:?}")).to_string(),
        other => panic!("expected a field error on {field}, got {other:?}"),
    }
}

async fn world_with_record() -> World {
    let w = world().await;
    app::registry::importers::create(&w.app, &w.staff, &draft(NUMBER, CONTACT)).await.unwrap();
    w
}

/// Applies, verifies with the mailed code, sets a password and enrols TOTP: a logged-in TAO.
async fn new_tao(w: &World, ip: &str) -> (SessionUser, String) {
    let c = client(ip);
    let sent = app::portal::apply::start(&w.app, &form(), &c).await.unwrap();
    let code = code_in(&last_mail_to(&w.app, CONTACT).await.rendered.text);
    let Verified::NewAccount { token, .. } =
        app::portal::apply::verify(&w.app, sent.application_id, &code, &c).await.unwrap()
    else {
        panic!("expected a new account")
    };
    let next = login::set_password(&w.app, &token, PASSWORD, PASSWORD, &c).await.unwrap().expect("enrol step");
    let setup = login::enrol_totp_begin(&w.app, &next).await.unwrap();
    let secret: String = setup.secret_grouped.split_whitespace().collect();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let code = app::portal::totp::code_at(&secret, now).unwrap();
    let done = login::enrol_totp_confirm(&w.app, &next, &code, &c).await.unwrap();
    assert_eq!(done.recovery_codes.len(), 10);
    (done.login.user, secret)
}

#[tokio::test]
async fn application_checks_each_have_their_own_error() {
    let w = world_with_record().await;
    let c = client("10.0.0.1");

    let e = app::portal::apply::start(&w.app, &ApplyForm { company_name: "Acme Trading".into(), ..form() }, &c).await;
    assert!(field_error(e.unwrap_err(), "company_name").contains("does not match"));

    let e =
        app::portal::apply::start(&w.app, &ApplyForm { importer_number: "98-765432100".into(), ..form() }, &c).await;
    assert!(field_error(e.unwrap_err(), "importer_number").contains("no importer record"));

    let e = app::portal::apply::start(&w.app, &ApplyForm { importer_number: "12-34".into(), ..form() }, &c).await;
    field_error(e.unwrap_err(), "importer_number");

    // The requester's email already belongs to a portal user (a broker here).
    let e =
        app::portal::apply::start(&w.app, &ApplyForm { requester_email: "agent@brokera.example".into(), ..form() }, &c)
            .await;
    assert!(field_error(e.unwrap_err(), "requester_email").contains("already has a portal user"));

    // A legacy record without a contact email.
    let legacy = draft("33-000000100", "old@acme.example");
    let rec = app::registry::importers::create(&w.app, &w.staff, &legacy).await.unwrap();
    store::sea_orm::ConnectionTrait::execute_unprepared(
        &w.app.db.conn,
        &format!("UPDATE importers SET email = '' WHERE id = {}", rec.id),
    )
    .await
    .unwrap();
    let e =
        app::portal::apply::start(&w.app, &ApplyForm { importer_number: "33-000000100".into(), ..form() }, &c).await;
    assert!(field_error(e.unwrap_err(), "importer_number").contains("no point-of-contact email"));

    // The honeypot field filled in by a bot.
    let e = app::portal::apply::start(&w.app, &ApplyForm { honeypot: "http://spam".into(), ..form() }, &c).await;
    assert!(matches!(e, Err(AppError::Forbidden(_))));
    assert_eq!(mails_to(&w.app, CONTACT).await, 0, "no code is sent for a refused application");
}

#[tokio::test]
async fn the_code_goes_to_the_5106_email_and_creates_the_account() {
    let w = world_with_record().await;
    let c = client("10.0.0.2");
    let sent = app::portal::apply::start(&w.app, &form(), &c).await.unwrap();
    assert_eq!(sent.sent_to, "t***@acme.example");
    assert_eq!(mails_to(&w.app, REQUESTER).await, 0, "the requester never gets the code");
    let mail = last_mail_to(&w.app, CONTACT).await;
    assert!(mail.rendered.text.contains("Ana Lopez"), "the contact learns who asked");
    let code = code_in(&mail.rendered.text);

    let wrong_code = wrong(&code);
    let e = app::portal::apply::verify(&w.app, sent.application_id, &wrong_code, &c).await.unwrap_err();
    assert!(field_error(e, "code").contains("4 tries left"));

    let Verified::NewAccount { token, account_id } =
        app::portal::apply::verify(&w.app, sent.application_id, &code, &c).await.unwrap()
    else {
        panic!("expected a new account")
    };
    // One top account, an Importer sub-account holding the number, the requester as TAO.
    let user = store::users::by_email(&w.app.db.conn, REQUESTER).await.unwrap().unwrap();
    assert_eq!(user.account_id, Some(account_id));
    assert_eq!(user.account_role, "tao");
    assert!(user.password_hash.is_empty());
    let subs = store::accounts::sub_accounts(&w.app.db.conn, account_id).await.unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].kind, "importer");
    let held = store::accounts::held_importers(&w.app.db.conn, subs[0].id).await.unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].number, NUMBER);

    // The code cannot be used twice; the record is now linked; the requester is now a user.
    let e = app::portal::apply::verify(&w.app, sent.application_id, &code, &c).await.unwrap_err();
    assert!(matches!(e, AppError::NotFound(_)), "{e:?}");
    let e =
        app::portal::apply::start(&w.app, &ApplyForm { requester_email: "bo@acme.example".into(), ..form() }, &c).await;
    assert!(field_error(e.unwrap_err(), "importer_number").contains("already belongs to a portal account"));

    // The password step: policy, confirmation, then the second factor.
    let e = login::set_password(&w.app, &token, "short", "short", &c).await.unwrap_err();
    field_error(e, "password");
    let e = login::set_password(&w.app, &token, PASSWORD, "harbor crane lime", &c).await.unwrap_err();
    field_error(e, "confirm");
    let next = login::set_password(&w.app, &token, PASSWORD, PASSWORD, &c).await.unwrap();
    assert!(next.is_some(), "a new user chooses a second factor next");
}

#[tokio::test]
async fn codes_expire_are_replaced_and_allow_five_tries() {
    let w = world_with_record().await;
    let c = client("10.0.0.3");
    let sent = app::portal::apply::start(&w.app, &form(), &c).await.unwrap();
    let first = code_in(&last_mail_to(&w.app, CONTACT).await.rendered.text);
    // A new code invalidates the old one.
    app::portal::apply::resend(&w.app, sent.application_id, &c).await.unwrap();
    let second = code_in(&last_mail_to(&w.app, CONTACT).await.rendered.text);
    if first != second {
        let e = app::portal::apply::verify(&w.app, sent.application_id, &first, &c).await.unwrap_err();
        field_error(e, "code");
    }
    // Five wrong tries, then even the right code is refused: a new code is needed.
    let bad = wrong(&second);
    let tries_before = if first != second { 1 } else { 0 };
    for _ in tries_before..5 {
        app::portal::apply::verify(&w.app, sent.application_id, &bad, &c).await.unwrap_err();
    }
    let e = app::portal::apply::verify(&w.app, sent.application_id, &second, &c).await.unwrap_err();
    assert!(field_error(e, "code").contains("Too many wrong codes"));

    // An expired code.
    app::portal::apply::resend(&w.app, sent.application_id, &c).await.unwrap();
    let third = code_in(&last_mail_to(&w.app, CONTACT).await.rendered.text);
    store::sea_orm::ConnectionTrait::execute_unprepared(
        &w.app.db.conn,
        "UPDATE one_time_secrets SET expires_at = created_at WHERE used_at IS NULL",
    )
    .await
    .unwrap();
    let e = app::portal::apply::verify(&w.app, sent.application_id, &third, &c).await.unwrap_err();
    assert!(field_error(e, "code").contains("expired"));
}

#[tokio::test]
async fn login_needs_the_second_factor_and_refuses_a_replayed_totp_code() {
    let w = world_with_record().await;
    let (_tao, secret) = new_tao(&w, "10.0.1.1").await;
    let c = client("10.0.1.2");
    let AfterPassword::SecondFactor { token, method, .. } =
        login::password(&w.app, REQUESTER, PASSWORD, &c).await.unwrap()
    else {
        panic!("expected the second-factor step")
    };
    assert_eq!(method, "totp");
    // The pending session is not a login.
    assert!(app::portal::auth::session_user(&w.app, &token).await.unwrap().is_none());
    // The code used at enrolment (same 30 s step) is a replay; so is reusing one after login.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let step_code = app::portal::totp::code_at(&secret, now).unwrap();
    let replay = login::second_factor(&w.app, &token, &step_code, &c).await;
    let next_code = app::portal::totp::code_at(&secret, now + 30).unwrap();
    let done = match replay {
        Ok(done) => done, // the step turned over between enrolment and now
        Err(e) => {
            assert!(field_error(e, "code").contains("already used"));
            login::second_factor(&w.app, &token, &next_code, &c).await.unwrap()
        }
    };
    assert_eq!(done.user.email, REQUESTER);
    assert!(app::portal::auth::session_user(&w.app, &done.token).await.unwrap().is_some());
    assert!(app::portal::auth::session_user(&w.app, &token).await.unwrap().is_none(), "the pending id is retired");

    // Log out: the old cookie no longer works.
    app::portal::auth::logout(&w.app, &done.token).await.unwrap();
    assert!(app::portal::auth::session_user(&w.app, &done.token).await.unwrap().is_none());

    // Log in again and try the same code: refused as a replay.
    let AfterPassword::SecondFactor { token, .. } = login::password(&w.app, REQUESTER, PASSWORD, &c).await.unwrap()
    else {
        panic!()
    };
    let e = login::second_factor(&w.app, &token, &next_code, &c).await.unwrap_err();
    assert!(field_error(e, "code").contains("already used"));
}

#[tokio::test]
async fn recovery_codes_work_once() {
    let w = world_with_record().await;
    let c = client("10.0.2.1");
    let sent = app::portal::apply::start(&w.app, &form(), &c).await.unwrap();
    let code = code_in(&last_mail_to(&w.app, CONTACT).await.rendered.text);
    let Verified::NewAccount { token, .. } =
        app::portal::apply::verify(&w.app, sent.application_id, &code, &c).await.unwrap()
    else {
        panic!()
    };
    let next = login::set_password(&w.app, &token, PASSWORD, PASSWORD, &c).await.unwrap().unwrap();
    // Email as second factor this time.
    login::enrol_email_begin(&w.app, &next, &c).await.unwrap();
    let code = code_in(&last_mail_to(&w.app, REQUESTER).await.rendered.text);
    let done = login::enrol_email_confirm(&w.app, &next, &code, &c).await.unwrap();
    let recovery = done.recovery_codes[0].clone();

    let AfterPassword::SecondFactor { token, method, sent_to } =
        login::password(&w.app, REQUESTER, PASSWORD, &c).await.unwrap()
    else {
        panic!()
    };
    assert_eq!((method.as_str(), sent_to.as_deref()), ("email", Some("a***@acme.example")));
    login::second_factor(&w.app, &token, &recovery.to_uppercase(), &c).await.unwrap();
    let AfterPassword::SecondFactor { token, .. } = login::password(&w.app, REQUESTER, PASSWORD, &c).await.unwrap()
    else {
        panic!()
    };
    let e = login::second_factor(&w.app, &token, &recovery, &c).await.unwrap_err();
    assert!(field_error(e, "code").contains("recovery code"));
    // The emailed code still works.
    let code = code_in(&last_mail_to(&w.app, REQUESTER).await.rendered.text);
    login::second_factor(&w.app, &token, &code, &c).await.unwrap();
}

#[tokio::test]
async fn brute_force_locks_with_the_same_message_for_unknown_emails() {
    let w = world_with_record().await;
    let (_tao, _) = new_tao(&w, "10.0.3.1").await;
    let c = client("10.0.3.2");
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..6 {
        known.push(login::password(&w.app, REQUESTER, "wrong password here", &c).await.unwrap_err().to_string());
        unknown
            .push(login::password(&w.app, "nobody@acme.example", "wrong password", &c).await.unwrap_err().to_string());
    }
    assert_eq!(known, unknown, "answers never tell whether an email has an account");
    assert_eq!(known[0], login::LOGIN_FAILED);
    assert!(known[5].contains("Too many failed login attempts"), "{}", known[5]);
    // Locked: even the right password is refused, and the owner was told once.
    let e = login::password(&w.app, REQUESTER, PASSWORD, &c).await.unwrap_err().to_string();
    assert!(e.contains("Too many failed login attempts"));
    let lock_mails =
        common::sent(&w.app).await.iter().filter(|m| m.to == REQUESTER && m.rendered.subject.contains("ocked")).count();
    assert_eq!(lock_mails, 1);
}

#[tokio::test]
async fn companies_cannot_see_or_change_each_other() {
    let w = world().await;
    let a = importer_account(&w, "11-111111100", "a@a.example", "owner@a.example", "10.1.0.1").await;
    let b = importer_account(&w, "22-222222200", "b@b.example", "owner@b.example", "10.1.0.2").await;
    let a_overview = app::portal::accounts::overview(&w.app, &a).await.unwrap();
    let b_overview = app::portal::accounts::overview(&w.app, &b).await.unwrap();
    let b_sub = b_overview.sub_accounts[0].id;
    assert!(matches!(app::portal::accounts::sub_account(&w.app, &a, b_sub).await, Err(AppError::NotFound(_))));
    assert_ne!(a_overview.account_id, b_overview.account_id);
    // A's owner cannot change, deactivate or promote B's owner, nor invite into B's sub-account.
    let b_owner = b.user_id();
    let grants = [(b_sub, Grants::ALL)];
    assert!(matches!(
        app::portal::members::update(&w.app, &a, b_owner, AccountRole::User, &grants).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(app::portal::members::set_active(&w.app, &a, b_owner, false).await, Err(AppError::NotFound(_))));
    assert!(matches!(app::portal::members::transfer_owner(&w.app, &a, b_owner).await, Err(AppError::NotFound(_))));
    let inv =
        Invite { email: "spy@a.example".into(), name: "Spy".into(), role: AccountRole::User, grants: grants.to_vec() };
    assert!(matches!(app::portal::members::invite(&w.app, &a, &inv).await, Err(AppError::NotFound(_))));
    assert_eq!(mails_to(&w.app, "spy@a.example").await, 0);
}

#[tokio::test]
async fn roles_limit_what_users_may_do() {
    let w = world().await;
    let tao = importer_account(&w, "44-444444400", "c@c.example", "tao@c.example", "10.2.0.1").await;
    let sub = app::portal::accounts::overview(&w.app, &tao).await.unwrap().sub_accounts[0].id;
    let read_only = Grants { ach: AchAccess::ReadOnly, reports: true, notify_parties: false };
    let c = client("10.2.0.2");

    // The TAO invites a Proxy TAO and an Account User (read-only ACH).
    let proxy_id = app::portal::members::invite(
        &w.app,
        &tao,
        &Invite { email: "proxy@c.example".into(), name: "Proxy".into(), role: AccountRole::ProxyTao, grants: vec![] },
    )
    .await
    .unwrap();
    let user_id = app::portal::members::invite(
        &w.app,
        &tao,
        &Invite {
            email: "clerk@c.example".into(),
            name: "Clerk".into(),
            role: AccountRole::User,
            grants: vec![(sub, read_only)],
        },
    )
    .await
    .unwrap();

    // Each accepts the invitation: link -> password -> email code.
    let mut logged = Vec::new();
    for email in ["proxy@c.example", "clerk@c.example"] {
        let link = token_after(&last_mail_to(&w.app, email).await.rendered.text, "/invitation/");
        let pending = login::redeem_link(&w.app, "invitation", &link, &c).await.unwrap();
        assert!(login::redeem_link(&w.app, "invitation", &link, &c).await.is_err(), "a link works once");
        let next = login::set_password(&w.app, &pending, PASSWORD, PASSWORD, &c).await.unwrap().unwrap();
        login::enrol_email_begin(&w.app, &next, &c).await.unwrap();
        let code = code_in(&last_mail_to(&w.app, email).await.rendered.text);
        logged.push(login::enrol_email_confirm(&w.app, &next, &code, &c).await.unwrap().login.user);
    }
    let (proxy, clerk) = (&logged[0], &logged[1]);

    // The clerk sees only what was granted.
    let view = app::portal::accounts::sub_account(&w.app, clerk, sub).await.unwrap();
    assert_eq!(view.grants, read_only);
    // An Account User cannot do owner things.
    assert!(matches!(app::portal::members::list(&w.app, clerk).await, Err(AppError::Forbidden(_))));
    let inv = Invite { email: "x@c.example".into(), name: "X".into(), role: AccountRole::User, grants: vec![] };
    assert!(matches!(app::portal::members::invite(&w.app, clerk, &inv).await, Err(AppError::Forbidden(_))));
    assert!(matches!(
        app::portal::members::set_active(&w.app, clerk, proxy_id, false).await,
        Err(AppError::Forbidden(_))
    ));
    // A Proxy TAO cannot create a Proxy TAO, neither by invitation nor by promotion.
    let inv = Invite { email: "p2@c.example".into(), name: "P2".into(), role: AccountRole::ProxyTao, grants: vec![] };
    assert!(matches!(app::portal::members::invite(&w.app, proxy, &inv).await, Err(AppError::Forbidden(_))));
    assert!(matches!(
        app::portal::members::update(&w.app, proxy, user_id, AccountRole::ProxyTao, &[]).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(app::portal::members::transfer_owner(&w.app, proxy, user_id).await, Err(AppError::Forbidden(_))));
    // ... but may manage Account Users.
    let full = Grants { ach: AchAccess::Full, reports: true, notify_parties: true };
    app::portal::members::update(&w.app, proxy, user_id, AccountRole::User, &[(sub, full)]).await.unwrap();
    assert_eq!(app::portal::accounts::sub_account(&w.app, clerk, sub).await.unwrap().grants, full);
    assert!(
        last_mail_to(&w.app, "clerk@c.example").await.rendered.subject.to_lowercase().contains("role")
            || last_mail_to(&w.app, "clerk@c.example").await.rendered.text.contains("Full Access")
    );

    // Deactivation ends the clerk's sessions; reactivation restores access.
    app::portal::members::set_active(&w.app, proxy, user_id, false).await.unwrap();
    let AfterPassword::SecondFactor { .. } = login::password(&w.app, "proxy@c.example", PASSWORD, &c).await.unwrap()
    else {
        panic!()
    };
    let e = login::password(&w.app, "clerk@c.example", PASSWORD, &c).await.unwrap_err().to_string();
    assert!(e.contains("deactivated"), "{e}");
    app::portal::members::set_active(&w.app, proxy, user_id, true).await.unwrap();
    login::password(&w.app, "clerk@c.example", PASSWORD, &c).await.unwrap();

    // The TAO hands over the role: exactly one TAO afterwards.
    app::portal::members::transfer_owner(&w.app, &tao, proxy_id).await.unwrap();
    let members = store::users::in_account(&w.app.db.conn, tao.account_id.unwrap()).await.unwrap();
    let taos: Vec<_> = members.iter().filter(|u| u.account_role == "tao").map(|u| u.id).collect();
    assert_eq!(taos, vec![proxy_id]);
}

#[tokio::test]
async fn idle_users_are_deactivated_and_housekeeping_is_idempotent() {
    let w = world().await;
    let tao = importer_account(&w, "55-555555500", "d@d.example", "tao@d.example", "10.3.0.1").await;
    store::sea_orm::ConnectionTrait::execute_unprepared(
        &w.app.db.conn,
        &format!("UPDATE users SET last_login_at = created_at WHERE id = {}", tao.user_id()),
    )
    .await
    .unwrap();
    // Not idle yet.
    assert_eq!(app::housekeeping::run(&w.app).await.unwrap().deactivated, 0);
    let long_ago = time::OffsetDateTime::now_utc() - time::Duration::days(46);
    store::users::set(&w.app.db.conn, tao.user_id(), vec![(store::schema::Users::LastLoginAt, long_ago.into())])
        .await
        .unwrap();
    assert_eq!(app::housekeeping::run(&w.app).await.unwrap().deactivated, 1);
    assert_eq!(app::housekeeping::run(&w.app).await.unwrap().deactivated, 0);
    let u = store::users::by_id(&w.app.db.conn, tao.user_id()).await.unwrap().unwrap();
    assert!(!u.active);
    assert_eq!(u.deactivated_reason, "inactivity");
}

#[tokio::test]
async fn brokers_become_accounts_and_can_request_an_importer_sub_account() {
    let w = world().await;
    // Broker A's firm is a top account with a Broker sub-account; its first user is the TAO.
    let broker = store::users::by_email(&w.app.db.conn, "agent@brokera.example").await.unwrap().unwrap();
    assert_eq!(broker.account_role, "tao");
    let me = SessionUser::from_row(&broker);
    let o = app::portal::accounts::overview(&w.app, &me).await.unwrap();
    assert_eq!(o.sub_accounts.len(), 1);
    assert!(!o.has_importer_sub_account());
    // The firm's own 5106 record, proven through its email, becomes an Importer sub-account.
    let mut d = draft("55-000000100", "office@brokera-own.example");
    d.name = "Broker A Customs LLC".into();
    app::registry::importers::create(&w.app, &w.staff, &d).await.unwrap();
    let c = client("10.4.0.1");
    let sent =
        app::portal::apply::start_for_account(&w.app, &me, "broker a customs llc", "55-000000100", &c).await.unwrap();
    let code = code_in(&last_mail_to(&w.app, "office@brokera-own.example").await.rendered.text);
    let Verified::Added { sub_account_id, .. } =
        app::portal::apply::verify(&w.app, sent.application_id, &code, &c).await.unwrap()
    else {
        panic!()
    };
    let o = app::portal::accounts::overview(&w.app, &me).await.unwrap();
    assert!(o.has_importer_sub_account());
    let s = app::portal::accounts::sub_account(&w.app, &me, sub_account_id).await.unwrap();
    assert_eq!(s.numbers.len(), 1);
}

/// Moves a session's `last_seen_at` (and `expires_at`) as if time had passed.
async fn age_session(w: &World, token: &str, seen_ago: time::Duration, expires_in: time::Duration) {
    use store::sea_orm::ConnectionTrait;
    use store::sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
    let now = time::OffsetDateTime::now_utc();
    let stmt = Query::update()
        .table(Alias::new("sessions"))
        .value(Alias::new("last_seen_at"), now - seen_ago)
        .value(Alias::new("expires_at"), now + expires_in)
        .and_where(Expr::col(Alias::new("id_hash")).eq(app::secrets::hash_token(token)))
        .to_owned();
    assert_eq!(w.app.db.conn.execute(&stmt).await.unwrap().rows_affected(), 1);
}

async fn last_seen(w: &World, user_id: i64) -> time::OffsetDateTime {
    let rows = store::sessions::for_user(&w.app.db.conn, user_id, time::OffsetDateTime::now_utc()).await.unwrap();
    rows.iter().find(|s| s.stage == "full").expect("a full session").last_seen_at
}

/// Whether a session cookie is live, asked the three ways pages ask: the session check alone,
/// and the two pages that check it in their own statement (the overview and the ACH tab). All
/// three must agree, and the pages must show what the separate check and read would.
async fn live(w: &World, token: &str) -> bool {
    let alone = app::portal::auth::session_user(&w.app, token).await.unwrap();
    let overview = app::portal::accounts::overview_in_session(&w.app, token).await.unwrap();
    let Some(user) = alone else {
        assert!(overview.is_none(), "the overview's own check let an ended session in");
        // The tab is asked with any id: without a session the sub-account does not matter.
        assert!(app::ach::tab::tab_in_session(&w.app, token, 1).await.unwrap().is_none());
        return false;
    };
    let signed = overview.expect("the overview's own check refused a live session");
    assert_eq!(signed.user.user_id(), user.user_id());
    let o = signed.page.unwrap();
    let separately = app::portal::accounts::overview(&w.app, &user).await.unwrap();
    assert_eq!(format!("{o:?}"), format!("{separately:?}"));
    let sub = o.sub_accounts[0].id;
    let tab = app::ach::tab::tab_in_session(&w.app, token, sub).await.unwrap().expect("the tab refused a live session");
    assert_eq!(tab.user.user_id(), user.user_id());
    assert_eq!(tab.page.unwrap().sub.id, sub);
    true
}

#[tokio::test]
async fn sessions_end_after_idle_and_absolute_timeouts_and_are_touched_at_most_once_a_minute() {
    use time::Duration;
    let w = world().await;
    let l = importer_login(&w, "66-666666600", "e@e.example", "tao@e.example", "10.6.0.1").await;
    let uid = l.user.user_id();
    let hours = Duration::hours(1);
    assert!(live(&w, &l.token).await);

    // Seen 30 s ago: valid, and not written again (page views stay reads).
    age_session(&w, &l.token, Duration::seconds(30), hours).await;
    let before = last_seen(&w, uid).await;
    assert!(live(&w, &l.token).await);
    assert_eq!(last_seen(&w, uid).await, before);

    // Seen 5 min ago: valid, and the idle clock restarts.
    age_session(&w, &l.token, Duration::minutes(5), hours).await;
    assert!(live(&w, &l.token).await);
    assert!(time::OffsetDateTime::now_utc() - last_seen(&w, uid).await < Duration::seconds(30));

    // Idle longer than the 15-minute timeout: gone.
    age_session(&w, &l.token, Duration::minutes(16), hours).await;
    assert!(!live(&w, &l.token).await);

    // Recently seen but past the absolute timeout: gone.
    age_session(&w, &l.token, Duration::seconds(1), -Duration::seconds(1)).await;
    assert!(!live(&w, &l.token).await);

    // Valid again, then logged out: the cookie is worthless.
    age_session(&w, &l.token, Duration::seconds(1), hours).await;
    assert!(live(&w, &l.token).await);
    app::portal::auth::logout(&w.app, &l.token).await.unwrap();
    assert!(!live(&w, &l.token).await);
}

#[tokio::test]
async fn pages_that_check_the_session_themselves_keep_companies_apart() {
    let w = world().await;
    let a = importer_login(&w, "11-111111100", "a@a.example", "owner@a.example", "10.7.0.1").await;
    let b = importer_login(&w, "22-222222200", "b@b.example", "owner@b.example", "10.7.0.2").await;
    let a_sub = app::portal::accounts::overview(&w.app, &a.user).await.unwrap().sub_accounts[0].id;
    let b_sub = app::portal::accounts::overview(&w.app, &b.user).await.unwrap().sub_accounts[0].id;

    // B's sub-account, or one that does not exist, is "not found" for A, whose session is fine.
    for sub in [b_sub, b_sub + 1000] {
        let t = app::ach::tab::tab_in_session(&w.app, &a.token, sub).await.unwrap().expect("A's session is live");
        assert_eq!(t.user.user_id(), a.user.user_id());
        assert!(matches!(t.page, Err(AppError::NotFound(_))), "sub-account {sub}");
    }
    let own = app::ach::tab::tab_in_session(&w.app, &a.token, a_sub).await.unwrap().unwrap();
    assert_eq!(own.page.unwrap().sub.id, a_sub);

    // A broker firm's TAO: its account has a Broker sub-account and no ACH tab.
    let broker = store::users::by_email(&w.app.db.conn, "agent@brokera.example").await.unwrap().unwrap();
    let broker = SessionUser::from_row(&broker);
    let broker_sub = app::portal::accounts::overview(&w.app, &broker).await.unwrap().sub_accounts[0].id;
    let t = app::ach::tab::tab_in_session(&w.app, &a.token, broker_sub).await.unwrap().unwrap();
    assert!(matches!(t.page, Err(AppError::NotFound(_))));

    // A user made inactive behind the sessions' back (no logout): both pages refuse the cookie.
    store::users::set(&w.app.db.conn, a.user.user_id(), vec![(store::schema::Users::Active, false.into())])
        .await
        .unwrap();
    assert!(app::portal::accounts::overview_in_session(&w.app, &a.token).await.unwrap().is_none());
    assert!(app::ach::tab::tab_in_session(&w.app, &a.token, a_sub).await.unwrap().is_none());
    // B is untouched.
    assert!(app::portal::accounts::overview_in_session(&w.app, &b.token).await.unwrap().is_some());
    // A cookie that was never a session.
    assert!(app::portal::accounts::overview_in_session(&w.app, "not-a-session").await.unwrap().is_none());
}

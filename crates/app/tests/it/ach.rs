//! ACH Refund Authorization: bank details per importer number, their checks, permissions,
//! optimistic locking, the prenote -> reply lifecycle, notify parties, key rotation, and the
//! rule that a full account number is stored nowhere in the clear. SQLite and, with
//! TEST_DATABASE_URL, PostgreSQL.

use crate::common;

use app::AppError;
use app::ach::change::BankForm;
use app::portal::auth::SessionUser;
use app::portal::members::Invite;
use common::*;
use domain::EnrollmentStatus;
use domain::portal::{AccountRole, AchAccess, Grants};

const NUMBER: &str = "12-345678900";
const SUFFIX: &str = "12-3456789A1";
const NAME: &str = "Company 12-345678900";
const CONTACT: &str = "treasury@acme.example";
const TAO: &str = "owner@acme.example";
/// A known test account number: it must appear nowhere but in the outbound ACH file.
const ACCOUNT: &str = "987654321012";
/// JPMorgan Chase, New York (valid check digit); 011000015 is the Federal Reserve Bank of Boston.
const ROUTING: &str = "021000021";

/// A directory of three banks: two receive ACH, one (record type 2) moved to a new number.
fn directory() -> String {
    let line = |routing: &str, record_type: char, new: &str, name: &str, status: char| {
        let mut l = String::new();
        l.push_str(routing);
        l.push('O');
        l.push_str("011000015");
        l.push(record_type);
        l.push_str("010119");
        l.push_str(new);
        l.push_str(&format!("{name:<36}"));
        l.push_str(&format!("{:<36}", "1 MAIN ST"));
        l.push_str(&format!("{:<20}", "NEW YORK"));
        l.push_str("NY");
        l.push_str("10001");
        l.push_str("0000");
        l.push_str("2125551234");
        l.push(status);
        l.push('1');
        l.push_str("     ");
        assert_eq!(l.len(), 155);
        l
    };
    [
        line(ROUTING, '1', "000000000", "JPMORGAN CHASE BANK, NA", '1'),
        line("011000015", '0', "000000000", "FEDERAL RESERVE BANK", '1'),
        line("026009593", '2', "021000021", "BANK OF AMERICA OLD", '1'),
    ]
    .join("\r\n")
        + "\r\n"
}

struct Company {
    tao: SessionUser,
    sub: i64,
    ids: Vec<i64>,
}

async fn company(w: &World) -> Company {
    let tao = importer_account(w, NUMBER, CONTACT, TAO, "10.9.0.1").await;
    add_number(w, &tao, SUFFIX, NAME, CONTACT).await;
    let o = app::portal::accounts::overview(&w.app, &tao).await.unwrap();
    let sub = o.sub_accounts[0].id;
    let ids = o.sub_accounts[0].numbers.iter().map(|n| n.importer_id).collect();
    Company { tao, sub, ids }
}

fn form(targets: Vec<(i64, i32)>) -> BankForm {
    BankForm {
        targets,
        routing: ROUTING.into(),
        account: ACCOUNT.into(),
        account_confirm: ACCOUNT.into(),
        account_type: "checking".into(),
        holder_name: "Company 12-345678900 LLC".into(),
        holder_confirmed: false,
    }
}

fn errors(r: Result<app::ach::change::Saved, AppError>) -> Vec<(String, String)> {
    match r {
        Err(AppError::Invalid(fe)) => fe.0.into_iter().map(|e| (e.field, e.message)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[tokio::test]
async fn every_bad_input_has_its_own_message() {
    let w = world().await;
    let c = company(&w).await;
    app::ach::directory::load(&w.app, &directory(), "test", "test").await.unwrap();
    let t = vec![(c.ids[0], 0)];
    let cases: Vec<(BankForm, &str, &str)> = vec![
        (BankForm { routing: "021000022".into(), ..form(t.clone()) }, "routing", "mistyped"),
        (BankForm { routing: "02100002".into(), ..form(t.clone()) }, "routing", "9 digits"),
        (BankForm { routing: "121000358".into(), ..form(t.clone()) }, "routing", "not in the FedACH directory"),
        (BankForm { routing: "026009593".into(), ..form(t.clone()) }, "routing", "021000021"),
        (BankForm { account: "123".into(), account_confirm: "123".into(), ..form(t.clone()) }, "account", "3"),
        (BankForm { account: "1".repeat(18), account_confirm: "1".repeat(18), ..form(t.clone()) }, "account", "18"),
        (
            BankForm { account: "12345A789".into(), account_confirm: "12345A789".into(), ..form(t.clone()) },
            "account",
            "digits",
        ),
        (BankForm { account_confirm: "987654321013".into(), ..form(t.clone()) }, "account_confirm", "not the same"),
        (BankForm { account_type: "brokerage".into(), ..form(t.clone()) }, "account_type", "checking or savings"),
        (BankForm { holder_name: "Bob Smith".into(), ..form(t.clone()) }, "holder_name", "tick the box"),
        (BankForm { holder_name: "  ".into(), ..form(t.clone()) }, "holder_name", "Enter"),
    ];
    for (f, field, says) in cases {
        let e = errors(app::ach::change::save(&w.app, &c.tao, c.sub, &f).await);
        let msg = e.iter().find(|(k, _)| k == field).map(|(_, m)| m.clone());
        let msg = msg.unwrap_or_else(|| panic!("no error on {field}: {e:?}"));
        assert!(msg.contains(says), "{field}: {msg:?} should say {says:?}");
        assert!(!msg.contains(ACCOUNT), "messages never repeat the account number");
    }
    // The FRB itself is listed; a non-ACH participant (status code not 1) is refused too.
    let none = store::enrollments::live_of(&w.app.db.conn, &c.ids).await.unwrap();
    assert!(none.is_empty(), "nothing was written");
    // A confirmed mismatching holder name is accepted and remembered.
    let f = BankForm { holder_name: "Bob Smith".into(), holder_confirmed: true, ..form(t.clone()) };
    app::ach::change::save(&w.app, &c.tao, c.sub, &f).await.unwrap();
    let v = store::enrollments::live_of(&w.app.db.conn, &c.ids).await.unwrap();
    assert!(v[0].holder_confirmed);
}

#[tokio::test]
async fn without_a_directory_only_the_check_digit_applies() {
    let w = world().await;
    let c = company(&w).await;
    let saved = app::ach::change::save(
        &w.app,
        &c.tao,
        c.sub,
        &BankForm { routing: "121000358".into(), ..form(vec![(c.ids[0], 0)]) },
    )
    .await
    .unwrap();
    assert_eq!(saved.bank_name, "", "no directory, no bank name");
    let tab = app::ach::tab::tab(&w.app, &c.tao, c.sub).await.unwrap();
    assert!(tab.data.directory_loaded_at.is_none());
    let bad = BankForm { routing: "121000359".into(), ..form(vec![(c.ids[0], 1)]) };
    assert!(errors(app::ach::change::save(&w.app, &c.tao, c.sub, &bad).await)[0].1.contains("mistyped"));
}

#[tokio::test]
async fn permissions_and_isolation() {
    let w = world().await;
    let c = company(&w).await;
    let other = importer_account(&w, "77-777777700", "x@other.example", "owner@other.example", "10.9.0.2").await;
    let other_sub = app::portal::accounts::overview(&w.app, &other).await.unwrap().sub_accounts[0].id;

    // Another company addressing this sub-account or this importer number: not found.
    assert!(matches!(app::ach::tab::tab(&w.app, &other, c.sub).await, Err(AppError::NotFound(_))));
    let f = form(vec![(c.ids[0], 0)]);
    assert!(matches!(app::ach::change::save(&w.app, &other, c.sub, &f).await, Err(AppError::NotFound(_))));
    assert!(matches!(app::ach::change::save(&w.app, &other, other_sub, &f).await, Err(AppError::NotFound(_))));
    assert!(matches!(
        app::ach::history::history(&w.app, &other, other_sub, c.ids[0]).await,
        Err(AppError::NotFound(_))
    ));

    // A Read-Only user sees the tab but cannot change anything; a user with None sees nothing.
    let mut users = Vec::new();
    for (email, ach) in [("ro@acme.example", AchAccess::ReadOnly), ("none@acme.example", AchAccess::None)] {
        let grants = Grants { ach, reports: false, notify_parties: false };
        let inv = Invite {
            email: email.into(),
            name: "Clerk".into(),
            role: AccountRole::User,
            grants: vec![(c.sub, grants)],
        };
        app::portal::members::invite(&w.app, &c.tao, &inv).await.unwrap();
        users.push(accept_invitation(&w, email).await);
    }
    let (ro, none) = (&users[0], &users[1]);
    assert!(!app::ach::tab::tab(&w.app, ro, c.sub).await.unwrap().can_change);
    assert!(matches!(app::ach::change::save(&w.app, ro, c.sub, &f).await, Err(AppError::Forbidden(_))));
    assert!(matches!(app::ach::tab::tab(&w.app, none, c.sub).await, Err(AppError::Forbidden(_))));
    assert!(store::enrollments::live_of(&w.app.db.conn, &c.ids).await.unwrap().is_empty(), "nothing changed");
    // Removing and designating need rights too.
    app::ach::change::save(&w.app, &c.tao, c.sub, &f).await.unwrap();
    assert!(matches!(app::ach::change::remove(&w.app, ro, c.sub, c.ids[0], 1).await, Err(AppError::Forbidden(_))));
    assert!(matches!(
        app::ach::notify_parties::designate(&w.app, ro, c.sub, c.ids[0], "77-777777700", "").await,
        Err(AppError::Forbidden(_))
    ));
}

async fn accept_invitation(w: &World, email: &str) -> SessionUser {
    let c = client("10.9.1.1");
    let link = token_after(&last_mail_to(&w.app, email).await.rendered.text, "/invitation/");
    let pending = app::portal::login::redeem_link(&w.app, "invitation", &link, &c).await.unwrap();
    let next = app::portal::login::set_password(&w.app, &pending, PASSWORD, PASSWORD, &c).await.unwrap().unwrap();
    app::portal::login::enrol_email_begin(&w.app, &next, &c).await.unwrap();
    let code = code_in(&last_mail_to(&w.app, email).await.rendered.text);
    app::portal::login::enrol_email_confirm(&w.app, &next, &code, &c).await.unwrap().login.user
}

#[tokio::test]
async fn a_stale_form_is_refused_with_who_changed_it() {
    let w = world().await;
    let c = company(&w).await;
    app::ach::change::save(&w.app, &c.tao, c.sub, &form(vec![(c.ids[0], 0)])).await.unwrap();
    // A second form opened before that save still says revision 0.
    let stale =
        BankForm { account: "11112222".into(), account_confirm: "11112222".into(), ..form(vec![(c.ids[0], 0)]) };
    match app::ach::change::save(&w.app, &c.tao, c.sub, &stale).await {
        Err(AppError::Conflict(m)) => assert!(m.contains("changed by Owner") && m.contains("save again"), "{m}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let live = store::enrollments::live_of(&w.app.db.conn, &[c.ids[0]]).await.unwrap();
    assert_eq!(live.len(), 1, "the stale save wrote nothing");
    assert!(matches!(app::ach::change::remove(&w.app, &c.tao, c.sub, c.ids[0], 0).await, Err(AppError::Conflict(_))));
    // With the current revision both work; the newer pending details withdraw the older ones.
    app::ach::change::save(&w.app, &c.tao, c.sub, &BankForm { ..stale.clone() }.with_revision(c.ids[0], 1))
        .await
        .unwrap();
    let all = store::enrollments::all_of(&w.app.db.conn, c.ids[0]).await.unwrap();
    assert_eq!(all.iter().map(|v| v.status.as_str()).collect::<Vec<_>>(), ["pending", "withdrawn"]);
    app::ach::change::remove(&w.app, &c.tao, c.sub, c.ids[0], 2).await.unwrap();
    assert!(store::enrollments::live_of(&w.app.db.conn, &[c.ids[0]]).await.unwrap().is_empty());
    assert!(last_mail_to(&w.app, CONTACT).await.rendered.text.contains("will be rejected"));
}

trait WithRevision {
    fn with_revision(self, importer_id: i64, revision: i32) -> Self;
}

impl WithRevision for BankForm {
    fn with_revision(mut self, importer_id: i64, revision: i32) -> Self {
        self.targets = vec![(importer_id, revision)];
        self
    }
}

fn status_of(rows: &[app::ach::tab::AchRow], id: i64) -> Option<EnrollmentStatus> {
    rows.iter().find(|r| r.importer_id == id).and_then(|r| r.current.as_ref()).map(|c| c.status)
}

#[tokio::test]
async fn prenote_replies_drive_the_lifecycle_and_every_change_is_told() {
    let w = world().await;
    let c = company(&w).await;
    app::ach::directory::load(&w.app, &directory(), "test", "test").await.unwrap();
    let before_contact = mails_to(&w.app, CONTACT).await;
    // One account for both suffixes, in one step.
    let saved = app::ach::change::save(&w.app, &c.tao, c.sub, &form(vec![(c.ids[0], 0), (c.ids[1], 0)])).await.unwrap();
    assert_eq!(saved.versions.len(), 2);
    assert_eq!(saved.bank_name, "JPMORGAN CHASE BANK, NA");
    assert!(!saved.flagged_for_review, "the same company's numbers may share an account");
    assert_eq!(mails_to(&w.app, CONTACT).await, before_contact + 2, "the 5106 contact hears of each number");
    let notice = last_mail_to(&w.app, TAO).await.rendered.text;
    assert!(notice.contains("••••1012") && notice.contains("did not make"), "{notice}");
    assert!(!notice.contains(ACCOUNT));

    let tab = app::ach::tab::tab(&w.app, &c.tao, c.sub).await.unwrap();
    assert_eq!(status_of(&tab.data.rows, c.ids[0]), Some(EnrollmentStatus::Pending));
    assert_eq!(tab.data.rows[0].current.as_ref().unwrap().account, "••••1012");
    assert_eq!(tab.data.rows[0].payee.kind, "none", "nothing Active yet: refunds would be rejected");

    // Export: a valid NACHA file with two zero-dollar prenotes (code 23), exactly once.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("prenotes.ach");
    let e = app::ach::prenotes::export(&w.app, &out, "test").await.unwrap();
    assert_eq!(e.entries, 2);
    let bytes = std::fs::read(&out).unwrap();
    let report = nacha::validate_bytes(&bytes, &nacha::ReadOptions::strict());
    assert!(report.valid, "{:?}", report.errors);
    assert!(String::from_utf8_lossy(&bytes).contains(ACCOUNT), "the ACH file is where the number goes");
    let again = app::ach::prenotes::export(&w.app, &dir.path().join("again.ach"), "test").await.unwrap();
    assert_eq!(again.entries, 0, "nothing is sent twice");
    assert!(matches!(app::ach::prenotes::export(&w.app, &out, "test").await, Ok(_) | Err(AppError::Conflict(_))));

    // The bank: a NOC (C01, new account number) for the first, a return (R03) for the second.
    let sent = store::prenotes::with_versions(&w.app.db.conn, store::prenotes::SENT).await.unwrap();
    let trace_of = |id: i64| sent.iter().find(|(_, v)| v.importer_id == id).unwrap().0.trace_number.unwrap() as u64;
    let traces = [trace_of(c.ids[0]), trace_of(c.ids[1])];
    let reply = nacha::respond(
        &bytes,
        &[
            (traces[0], nacha::Answer::Change { code: "C01".into(), corrected_data: "5550001234".into() }),
            (traces[1], nacha::Answer::Return("R03".into())),
        ],
        &nacha::RespondOptions::on("261125", "1200"),
    )
    .unwrap();
    let r = app::ach::replies::ingest(&w.app, &reply).await.unwrap();
    assert_eq!((r.corrections, r.returns, r.unknown_traces.len()), (1, 1, 0), "{r:?}");
    let tab = app::ach::tab::tab(&w.app, &c.tao, c.sub).await.unwrap();
    let first = tab.data.rows.iter().find(|row| row.importer_id == c.ids[0]).unwrap();
    let cur = first.current.as_ref().unwrap();
    assert_eq!(cur.status, EnrollmentStatus::Active);
    assert_eq!(cur.account, "••••1234", "the correction was applied");
    assert!(cur.bank_note.contains("C01"));
    assert_eq!(first.payee.kind, "importer");
    assert_eq!(status_of(&tab.data.rows, c.ids[1]), Some(EnrollmentStatus::Rejected));
    let sent = common::sent(&w.app).await;
    let told = |says: &str| sent.iter().any(|m| m.to == CONTACT && m.rendered.text.contains(says));
    assert!(told("R03") && told("Corrected by the bank (C01)"), "the contact hears of the return and the correction");

    // The same file again changes nothing; a trace we never sent is reported.
    let r = app::ach::replies::ingest(&w.app, &reply).await.unwrap();
    assert_eq!((r.corrections, r.returns, r.already_ingested), (0, 0, 2));
    let strange = nacha::respond(
        &bytes,
        &[(traces[0], nacha::Answer::Return("R02".into()))],
        &nacha::RespondOptions::on("261125", "1200"),
    )
    .unwrap();
    let forged = String::from_utf8(strange).unwrap().replace(&format!("{:015}", traces[0]), "061000149999999");
    let r = app::ach::replies::ingest(&w.app, forged.as_bytes()).await;
    match r {
        Ok(r) => assert_eq!(r.unknown_traces, vec![61000149999999]),
        Err(AppError::Conflict(m)) => assert!(m.contains("not a valid"), "{m}"),
        Err(e) => panic!("{e:?}"),
    }

    // History: every version and status change, masked.
    let h = app::ach::history::history(&w.app, &c.tao, c.sub, c.ids[1]).await.unwrap();
    assert_eq!(h.versions.len(), 1);
    assert_eq!(
        h.events.iter().map(|e| e.to.as_str()).collect::<Vec<_>>(),
        ["Rejected - update required", "Pending verification"]
    );
}

#[tokio::test]
async fn pending_details_become_active_after_three_banking_days_and_replace_the_old() {
    let w = world().await;
    let c = company(&w).await;
    let id = c.ids[0];
    app::ach::change::save(&w.app, &c.tao, c.sub, &form(vec![(id, 0)])).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    app::ach::prenotes::export(&w.app, &dir.path().join("1.ach"), "t").await.unwrap();
    let sent_on = domain::calendar::next_banking_day(app::today());
    let due = domain::calendar::add_banking_days(sent_on, 3);
    let day_before = due.previous_day().unwrap();
    let p = app::ach::prenotes::promote(&w.app, day_before).await.unwrap();
    assert_eq!((p.activated, p.still_waiting), (0, 1));
    let p = app::ach::prenotes::promote(&w.app, due).await.unwrap();
    assert_eq!(p.activated, 1);
    assert_eq!(app::ach::prenotes::promote(&w.app, due).await.unwrap().activated, 0, "idempotent");

    // New details: the old Active ones keep paying until the new ones are verified.
    let f = BankForm { account: "55556666".into(), account_confirm: "55556666".into(), ..form(vec![(id, 1)]) };
    app::ach::change::save(&w.app, &c.tao, c.sub, &f).await.unwrap();
    let tab = app::ach::tab::tab(&w.app, &c.tao, c.sub).await.unwrap();
    let row = tab.data.rows.iter().find(|r| r.importer_id == id).unwrap();
    assert_eq!(row.current.as_ref().unwrap().status, EnrollmentStatus::Pending);
    assert_eq!(row.paying.as_ref().unwrap().account, "••••1012");
    assert_eq!(row.payee.kind, "importer");
    app::ach::prenotes::export(&w.app, &dir.path().join("2.ach"), "t").await.unwrap();
    let due = domain::calendar::add_banking_days(domain::calendar::next_banking_day(app::today()), 3);
    app::ach::prenotes::promote(&w.app, due).await.unwrap();
    let all = store::enrollments::all_of(&w.app.db.conn, id).await.unwrap();
    assert_eq!(all.iter().map(|v| v.status.as_str()).collect::<Vec<_>>(), ["active", "superseded"]);
}

#[tokio::test]
async fn notify_parties_and_the_payee() {
    let w = world().await;
    let c = company(&w).await;
    let party = importer_account(&w, "88-888888800", "np@party.example", "owner@party.example", "10.9.0.3").await;
    let party_sub = app::portal::accounts::overview(&w.app, &party).await.unwrap().sub_accounts[0].id;
    let party_id = app::portal::accounts::sub_account(&w.app, &party, party_sub).await.unwrap().numbers[0].importer_id;
    let gone =
        app::registry::importers::create(&w.app, &w.staff, &draft("99-999999900", "gone@x.example")).await.unwrap();
    app::registry::importers::set_status(&w.app, &w.staff, gone.id, domain::ImporterStatus::Inactive).await.unwrap();

    let designate =
        |number: &'static str| app::ach::notify_parties::designate(&w.app, &c.tao, c.sub, c.ids[0], number, "");
    for (number, says) in [
        ("33-333333300", "No Form 5106 record"),
        ("99-999999900", "inactive"),
        (NUMBER, "its own notify party"),
        ("not a number", "importer number"),
    ] {
        match designate(number).await {
            Err(AppError::Invalid(fe)) => assert!(fe.get("party_number").unwrap().contains(says), "{number}: {fe:?}"),
            other => panic!("{number}: expected a field error, got {other:?}"),
        }
    }
    let past = app::ach::notify_parties::designate(&w.app, &c.tao, c.sub, c.ids[0], "88-888888800", "2020-01-01").await;
    assert!(matches!(past, Err(AppError::Invalid(_))));

    // The importer enrolls (Active), designates the party; the party is not enrolled yet.
    app::ach::change::save(&w.app, &c.tao, c.sub, &form(vec![(c.ids[0], 0)])).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    app::ach::prenotes::export(&w.app, &dir.path().join("1.ach"), "t").await.unwrap();
    let due = domain::calendar::add_banking_days(domain::calendar::next_banking_day(app::today()), 3);
    app::ach::prenotes::promote(&w.app, due).await.unwrap();
    designate("88-888888800").await.unwrap();
    let row = |t: &app::ach::tab::AchTab| t.data.rows.iter().find(|r| r.importer_id == c.ids[0]).unwrap().clone();
    let t = app::ach::tab::tab(&w.app, &c.tao, c.sub).await.unwrap();
    assert_eq!(row(&t).payee.kind, "importer", "the party has no Active account yet");
    assert!(row(&t).notify_party.is_some());

    // The party sees the notify party and enrolls its own account; then it is the payee.
    let seen = app::ach::tab::tab(&w.app, &party, party_sub).await.unwrap();
    assert_eq!(seen.data.naming_us.len(), 1);
    assert!(seen.data.naming_us[0].active);
    let pf = BankForm {
        account: "44443333".into(),
        account_confirm: "44443333".into(),
        holder_name: "Company 88-888888800".into(),
        ..form(vec![(party_id, 0)])
    };
    app::ach::change::save(&w.app, &party, party_sub, &pf).await.unwrap();
    app::ach::prenotes::export(&w.app, &dir.path().join("2.ach"), "t").await.unwrap();
    app::ach::prenotes::promote(&w.app, due).await.unwrap();
    let t = app::ach::tab::tab(&w.app, &c.tao, c.sub).await.unwrap();
    assert_eq!(row(&t).payee.kind, "notify-party", "{:?}", row(&t).payee);

    // Revoked: back to the importer; history keeps it.
    let d = app::ach::notify_parties::list(&w.app, &c.tao, c.sub).await.unwrap();
    app::ach::notify_parties::revoke(&w.app, &c.tao, c.sub, d[0].id).await.unwrap();
    let t = app::ach::tab::tab(&w.app, &c.tao, c.sub).await.unwrap();
    assert_eq!(row(&t).payee.kind, "importer");
    assert_eq!(app::ach::notify_parties::list(&w.app, &c.tao, c.sub).await.unwrap().len(), 1);
    // The party cannot revoke the importer's notify party.
    assert!(matches!(
        app::ach::notify_parties::revoke(&w.app, &party, party_sub, d[0].id).await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn the_same_account_at_an_unrelated_importer_is_flagged_for_review() {
    let w = world().await;
    let c = company(&w).await;
    let other = importer_account(&w, "77-777777700", "x@other.example", "owner@other.example", "10.9.0.2").await;
    let other_sub = app::portal::accounts::overview(&w.app, &other).await.unwrap().sub_accounts[0].id;
    let other_id = app::portal::accounts::sub_account(&w.app, &other, other_sub).await.unwrap().numbers[0].importer_id;
    app::ach::change::save(&w.app, &c.tao, c.sub, &form(vec![(c.ids[0], 0)])).await.unwrap();
    let f = BankForm { holder_name: "Company 77-777777700".into(), ..form(vec![(other_id, 0)]) };
    let saved = app::ach::change::save(&w.app, &other, other_sub, &f).await.unwrap();
    assert!(saved.flagged_for_review);
    let flagged = store::enrollments::flagged(&w.app.db.conn, 10).await.unwrap();
    assert_eq!(flagged.iter().map(|v| v.importer_id).collect::<Vec<_>>(), vec![other_id]);

    // CBP staff review it; trade users cannot see the queue.
    assert!(matches!(app::ach::review::queue(&w.app, &other.actor).await, Err(AppError::Forbidden(_))));
    let q = app::ach::review::queue(&w.app, &w.staff).await.unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].bank.account, "••••1012");
    assert!(q[0].same_account_at[0].contains(NUMBER), "{:?}", q[0].same_account_at);
    app::ach::review::clear(&w.app, &w.staff, q[0].bank.version_id).await.unwrap();
    assert!(app::ach::review::queue(&w.app, &w.staff).await.unwrap().is_empty());
    assert!(matches!(
        app::ach::review::clear(&w.app, &w.staff, q[0].bank.version_id).await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn keys_rotate_and_numbers_are_never_stored_in_the_clear() {
    let w = world().await;
    let c = company(&w).await;
    app::ach::change::save(&w.app, &c.tao, c.sub, &form(vec![(c.ids[0], 0), (c.ids[1], 0)])).await.unwrap();
    let rows = store::enrollments::all(&w.app.db.conn).await.unwrap();
    for v in &rows {
        assert!(!v.account_sealed.contains(ACCOUNT) && !v.account_blind.contains(ACCOUNT));
        assert_eq!(v.account_last4, "1012");
    }
    // The audit trail and the events hold nothing of it either.
    let events = store::enrollments::events_of(&w.app.db.conn, c.ids[0]).await.unwrap();
    assert!(events.iter().all(|e| !e.reason.contains(ACCOUNT)));
    for m in common::sent(&w.app).await {
        assert!(!m.rendered.text.contains(ACCOUNT) && !m.rendered.html.contains(ACCOUNT), "{}", m.rendered.subject);
    }

    // Rotation: a new key seals everything again; the old key alone no longer opens it.
    let old = w.app.keys.clone();
    let mut app2 = w.app.clone();
    app2.keys = old.with_new_key();
    let r = app::ach::keys::rotate(&app2).await.unwrap();
    assert_eq!(r.account_numbers, 2);
    assert_eq!(app::ach::keys::rotate(&app2).await.unwrap().account_numbers, 0, "idempotent");
    let after = store::enrollments::all(&w.app.db.conn).await.unwrap();
    for v in &after {
        assert_eq!(app::vault::Keyring::version_of(&v.account_sealed), Some(2));
        assert!(v.account_blind.starts_with("b2:"));
        assert!(old.open(&v.account_sealed, &format!("bank_enrollments.account:{}", v.id)).is_err());
    }
    // Prenotes still carry the right number after rotation.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p.ach");
    app::ach::prenotes::export(&app2, &out, "t").await.unwrap();
    assert!(std::fs::read_to_string(&out).unwrap().contains(ACCOUNT));
}

/// Collects every log line (all targets, TRACE) of the test's thread.
#[derive(Clone, Default)]
struct Logs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_account_number_is_nowhere_but_in_the_ach_file() {
    const CORRECTED: &str = "5550009876";
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let w = world().await;
    let c = company(&w).await;
    // From here on, mail goes to a real outbox folder, as with the default configuration.
    let outbox = tempfile::tempdir().unwrap();
    let mailer =
        mail::Mailer::new(mail::Transport::Outbox(outbox.path().to_owned()), "ace <no-reply@ace.test>").unwrap();
    let app = app::App::new(w.app.db.clone(), app::Settings::default(), mailer).with_keys(w.app.keys.clone());
    let w = World { app, ..w };
    app::ach::directory::load(&w.app, &directory(), "test", "test").await.unwrap();
    app::ach::change::save(&w.app, &c.tao, c.sub, &form(vec![(c.ids[0], 0), (c.ids[1], 0)])).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("prenotes.ach");
    app::ach::prenotes::export(&w.app, &file, "test").await.unwrap();
    let bytes = std::fs::read(&file).unwrap();
    let sent = store::prenotes::with_versions(&w.app.db.conn, store::prenotes::SENT).await.unwrap();
    let trace = sent[0].0.trace_number.unwrap() as u64;
    let reply = nacha::respond(
        &bytes,
        &[(trace, nacha::Answer::Change { code: "C01".into(), corrected_data: CORRECTED.into() })],
        &nacha::RespondOptions::on("261125", "1200"),
    )
    .unwrap();
    app::ach::replies::ingest(&w.app, &reply).await.unwrap();
    app::ach::tab::tab(&w.app, &c.tao, c.sub).await.unwrap();
    app::ach::history::history(&w.app, &c.tao, c.sub, c.ids[0]).await.unwrap();
    // The queued notices go to the outbox (a server's sender does this within seconds).
    app::mail_queue::deliver_due(&w.app).await.unwrap();

    // Positive control: the ACH file has it, so the search would find it.
    assert!(String::from_utf8_lossy(&bytes).contains(ACCOUNT));
    let mut places: Vec<(String, Vec<u8>)> = vec![("logs".into(), logs.0.lock().unwrap().clone())];
    assert!(places[0].1.len() > 1000, "logging was captured");
    for f in std::fs::read_dir(outbox.path()).unwrap() {
        let p = f.unwrap().path();
        places.push((p.display().to_string(), std::fs::read(&p).unwrap()));
    }
    assert!(places.len() > 5, "notices were written to the outbox");
    if let Some(files) = w.sqlite_files() {
        for p in files.into_iter().filter(|p| p.exists()) {
            places.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
    for (what, content) in &places {
        for secret in [ACCOUNT, CORRECTED] {
            let found = content.windows(secret.len()).any(|win| win == secret.as_bytes());
            assert!(!found, "{secret} found in {what}");
        }
    }
}

/// The tab is cached per sub-account and re-read when its ACH generation moves. The triggers that
/// move it see every writer: this server, another server instance on the same database, and
/// plain SQL.
#[tokio::test]
async fn the_cached_tab_follows_every_writer_including_another_instance() {
    use sea_orm::ConnectionTrait;
    let w = world().await;
    let c = company(&w).await;
    let id = c.ids[0];
    let conn = &w.app.db.conn;
    let generation = || store::change_counters::ach_tab_generation(conn, c.sub);
    let row = |t: &app::ach::tab::AchTab| t.data.rows.iter().find(|r| r.importer_id == id).unwrap().clone();

    let first = app::ach::tab::tab(&w.app, &c.tao, c.sub).await.unwrap();
    assert!(row(&first).current.is_none());
    let again = app::ach::tab::tab(&w.app, &c.tao, c.sub).await.unwrap();
    assert!(std::sync::Arc::ptr_eq(&first.data, &again.data), "unchanged data is served from the cache");

    // Another instance: its own cache, the same database and data key.
    let mailer = mail::Mailer::new(mail::Transport::Memory, "ace-refunds <no-reply@ace.test>").unwrap();
    let other = app::App::new(w.app.db.clone(), app::Settings::default(), mailer).with_keys(w.app.keys.clone());
    app::ach::change::save(&other, &c.tao, c.sub, &form(vec![(id, 0)])).await.unwrap();
    let t = app::ach::tab::tab(&w.app, &c.tao, c.sub).await.unwrap();
    assert_eq!(row(&t).current.unwrap().status, EnrollmentStatus::Pending);

    // Plain SQL, as an operator's repair would be.
    conn.execute_unprepared(&format!("UPDATE bank_enrollments SET status = 'active' WHERE importer_id = {id}"))
        .await
        .unwrap();
    let t = app::ach::tab::tab(&w.app, &c.tao, c.sub).await.unwrap();
    assert_eq!(row(&t).current.unwrap().status, EnrollmentStatus::Active);

    // A 5106 name change moves it; a change the tab does not show (the email) does not.
    let before = generation().await.unwrap();
    conn.execute_unprepared(&format!("UPDATE importers SET email = 'other@acme.example' WHERE id = {id}"))
        .await
        .unwrap();
    assert_eq!(generation().await.unwrap(), before, "the email is not on the tab");
    conn.execute_unprepared(&format!("UPDATE importers SET name = 'Renamed Imports' WHERE id = {id}")).await.unwrap();
    assert!(generation().await.unwrap().sub_account > before.sub_account);
    let t = app::ach::tab::tab(&w.app, &c.tao, c.sub).await.unwrap();
    assert_eq!(row(&t).name, "Renamed Imports");

    // A number leaving the sub-account.
    conn.execute_unprepared(&format!("DELETE FROM account_importers WHERE importer_id = {}", c.ids[1])).await.unwrap();
    let t = app::ach::tab::tab(&w.app, &c.tao, c.sub).await.unwrap();
    assert_eq!(t.data.rows.len(), 1);

    // Permissions are the user's own, never cached: a Read-Only user sees the same data, cannot change.
    let inv = Invite {
        email: "viewer@acme.example".into(),
        name: "Viewer".into(),
        role: AccountRole::User,
        grants: vec![(c.sub, Grants { ach: AchAccess::ReadOnly, reports: false, notify_parties: false })],
    };
    app::portal::members::invite(&w.app, &c.tao, &inv).await.unwrap();
    let viewer = accept_invitation(&w, "viewer@acme.example").await;
    let seen = app::ach::tab::tab(&w.app, &viewer, c.sub).await.unwrap();
    assert!(!seen.can_change);
    assert!(std::sync::Arc::ptr_eq(&seen.data, &t.data));
}

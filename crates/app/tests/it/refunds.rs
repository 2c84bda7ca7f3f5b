//! The refund ledger: recording from CSV (all or nothing, idempotent, every bad line named),
//! certification (payee to the importer or its notify party, held "ACH Rejected" with a notice,
//! offsets against bills, fully or partly), release by itself once the payee's bank details are
//! Active, who sees what, and bills never over-applied when certifications race. SQLite and,
//! with TEST_DATABASE_URL, PostgreSQL.

use crate::common;
use sea_orm::ConnectionTrait;

use app::AppError;
use app::ach::change::BankForm;
use app::portal::auth::SessionUser;
use app::refunds::Scope;
use common::*;
use domain::Actor;
use domain::refund::EntryNumber;

const ROUTING: &str = "021000021";

fn entry(filer: &str, n: u32) -> String {
    EntryNumber::from_parts(filer, &format!("{n:07}")).unwrap().to_string()
}

fn csv(rows: &[String]) -> String {
    let mut s = app::refunds::input::CSV_HEADER.join(",");
    s.push('\n');
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

async fn import(w: &World, text: &str, dry_run: bool) -> Result<app::refunds::import::RecordReport, AppError> {
    app::refunds::import::import_csv(&w.app, &w.staff, text.as_bytes(), "test.csv", dry_run, &mut |_| {}).await
}

/// Enrolls bank details for an importer number and makes them Active (prenote, three banking days).
async fn enroll(w: &World, user: &SessionUser, sub: i64, importer_id: i64, account: &str) {
    let f = BankForm {
        targets: vec![(importer_id, 0)],
        routing: ROUTING.into(),
        account: account.into(),
        account_confirm: account.into(),
        account_type: "checking".into(),
        holder_name: "Holder".into(),
        // The holder is not the 5106 name: confirmed, as a user would after the warning.
        holder_confirmed: true,
    };
    app::ach::change::save(&w.app, user, sub, &f).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    app::ach::prenotes::export(&w.app, &dir.path().join("p.ach"), "t").await.unwrap();
}

fn prenote_due() -> time::Date {
    domain::calendar::add_banking_days(domain::calendar::next_banking_day(app::today()), 3)
}

async fn status(w: &World, number: &str) -> app::refunds::RefundView {
    app::refunds::show(&w.app, &Scope::All, number).await.unwrap().refund
}

#[tokio::test]
async fn a_file_is_recorded_all_or_nothing_and_again_is_unchanged() {
    let w = world().await;
    app::registry::importers::create(&w.app, &w.staff, &draft("12-345678900", "a@acme.example")).await.unwrap();
    app::registry::importers::create(&w.app, &w.staff, &draft("98-765432100", "np@party.example")).await.unwrap();
    let e = entry("614", 275);
    let good = [
        format!("R-1,12-345678900,{e},liquidation,10000.00,2025-03-03,2025-12-01,"),
        format!("R-2,12-345678900,{e},drawback,500.5,2025-03-03,2025-12-01,98-765432100"),
        format!(",12-345678900,{e},protest,1.00,2025-01-02,2025-01-02,"),
    ];
    // A byte-order mark, as Excel writes it.
    let text = format!("\u{feff}{}", csv(&good));
    let dry = import(&w, &text, true).await.unwrap();
    assert_eq!((dry.rows, dry.created, dry.written), (3, 0, false));
    assert_eq!(app::refunds::summary(&w.app).await.unwrap()["recorded"].count, 0, "a dry run writes nothing");
    let r = import(&w, &text, false).await.unwrap();
    assert_eq!((r.created, r.unchanged, r.error_count, r.written), (3, 0, 0, true));
    let one = status(&w, "R-1").await;
    assert_eq!(one.interest_cents, Some(45_895), "corporate, 2025-03-03 to 2025-12-01");
    assert_eq!(status(&w, "r-2").await.interest_cents, Some(0), "drawback bears no interest");
    assert_eq!(one.status, "recorded");

    // The same file again: unchanged, nothing new (a generated number is derived from the facts).
    let again = import(&w, &text, false).await.unwrap();
    assert_eq!((again.created, again.unchanged, again.error_count), (0, 3, 0));

    // A different row under a recorded number, and a bad line: nothing of the file is written.
    let bad = csv(&[
        format!("R-9,12-345678900,{e},liquidation,1.00,2025-03-03,2025-12-01,"),
        format!("R-1,12-345678900,{e},liquidation,10000.01,2025-03-03,2025-12-01,"),
        format!("R-10,33-333333300,{e},liquidation,1.00,2025-03-03,2025-12-01,"),
        format!("R-11,12-345678900,{e},liquidation,1.00,2025-03-03,2025-12-01,44-444444400"),
        "R-12,12-345678900,614-0000275-5,liquidation,1.00,2025-03-03,2025-12-01,".to_string(),
        format!("R-13,12-345678900,{e},liquidation,1.00,2025-12-03,2025-12-01,"),
        format!("R-13,12-345678900,{e},liquidation,1.00,2025-03-03,2025-12-01,"),
        format!("R-14,12-345678900,{e},gift,0.00,2025-03-03,2999-12-01,"),
        "R-15,too,few".to_string(),
    ]);
    let r = import(&w, &bad, false).await.unwrap();
    assert!(!r.written);
    let named: Vec<(u64, &str)> = r.errors.iter().map(|e| (e.line, e.field.as_str())).collect();
    for want in [
        (3, "refund_number"),
        (4, "importer_number"),
        (5, "notify_party"),
        (6, "entry_number"),
        (7, "deposit_date"),
        (9, "source"),
        (9, "principal"),
        (9, "liquidation_date"),
        (10, "line"),
    ] {
        assert!(named.contains(&want), "{want:?} not in {named:?}");
    }
    assert!(store::refunds::by_number(&w.app.db.conn, "R-9").await.unwrap().is_none(), "all or nothing");

    // The header must be exact.
    let e = import(&w, "refund,importer\n", false).await.unwrap_err();
    assert!(e.to_string().contains("correct") || matches!(e, AppError::Invalid(_)), "{e:?}");
    // Only CBP staff record refunds.
    let r = app::refunds::import::import_csv(&w.app, &w.broker_a, text.as_bytes(), "x", false, &mut |_| {}).await;
    assert!(matches!(r, Err(AppError::Forbidden(_))));
}

#[tokio::test]
async fn certification_pays_holds_diverts_and_releases_by_itself() {
    let w = world().await;
    // The importer (corporation) with a portal account; a notify party with its own.
    let tao = importer_account(&w, "12-345678900", "treasury@acme.example", "owner@acme.example", "10.1.0.1").await;
    let sub = app::portal::accounts::overview(&w.app, &tao).await.unwrap().sub_accounts[0].id;
    let me = app::portal::accounts::sub_account(&w.app, &tao, sub).await.unwrap().numbers[0].importer_id;
    let party = importer_account(&w, "98-765432100", "np@party.example", "owner@party.example", "10.1.0.2").await;
    let psub = app::portal::accounts::overview(&w.app, &party).await.unwrap().sub_accounts[0].id;
    let pid = app::portal::accounts::sub_account(&w.app, &party, psub).await.unwrap().numbers[0].importer_id;
    // A third importer with no bank details and an open bill of $100.
    app::registry::importers::create(&w.app, &w.staff, &draft("55-555555500", "c@third.example")).await.unwrap();

    // The party enrolls and is designated by the importer; the importer does not enroll yet.
    enroll(&w, &party, psub, pid, "44443333").await;
    app::ach::prenotes::promote(&w.app, prenote_due()).await.unwrap();
    app::ach::notify_parties::designate(&w.app, &tao, sub, me, "98-765432100", "").await.unwrap();

    let bills = app::refunds::bills::read_csv(
        "bill_number,importer_number,amount,bill_date\nB-1,55-555555500,100.00,2025-01-01\nB-2,55-555555500,50.00,2025-02-01\n",
    )
    .unwrap();
    let b = app::refunds::bills::record(&w.app, &w.staff, bills, false).await.unwrap();
    assert_eq!((b.created, b.errors.len()), (2, 0));

    let e = entry("614", 275);
    let text = csv(&[
        // Names the party: paid to it.
        format!("TO-PARTY,12-345678900,{e},liquidation,1000.00,2025-03-03,2025-12-01,98-765432100"),
        // Names no party, importer not enrolled: held.
        format!("HELD,12-345678900,{e},drawback,250.00,2025-03-03,2025-12-01,"),
        // The third importer: $120 all to B-1 ($100) and B-2 ($20).
        format!("DIVERTED,55-555555500,{e},drawback,120.00,2025-03-03,2025-12-01,"),
        // Then $40: B-2's last $30, $10 left and nobody to pay it to.
        format!("PARTLY,55-555555500,{e},drawback,40.00,2025-03-03,2025-12-01,"),
    ]);
    import(&w, &text, false).await.unwrap();
    // Today: the notify party is on file from today.
    let day = app::today();
    let sent_before = common::sent(&w.app).await.len();
    let c = app::refunds::certify::certify(&w.app, "test", day).await.unwrap();
    assert_eq!((c.examined, c.payable, c.held_ach_rejected, c.funds_diverted), (4, 1, 2, 1), "{c:?}");

    let to_party = status(&w, "TO-PARTY").await;
    assert_eq!((to_party.status.as_str(), to_party.payee_kind.as_str()), ("payable", "notify_party"));
    assert_eq!(to_party.payee_number.as_deref(), Some("98-765432100"));
    assert_eq!(to_party.refund_date, Some(day.to_string()));
    let held = status(&w, "HELD").await;
    assert_eq!(held.status, "held_ach_rejected");
    assert!(held.held_reason.contains("no bank details are on file"), "{}", held.held_reason);
    let diverted = status(&w, "DIVERTED").await;
    assert_eq!(
        (diverted.status.as_str(), diverted.offset_cents, diverted.net_cents),
        ("funds_diverted", 12_000, Some(0))
    );
    let partly = status(&w, "PARTLY").await;
    assert_eq!((partly.offset_cents, partly.net_cents), (3_000, Some(1_000)));
    assert_eq!((partly.status.as_str(), partly.secondary_status.as_str()), ("held_ach_rejected", "partially_diverted"));
    let totals = store::bills::applied_totals(&w.app.db.conn).await.unwrap();
    assert!(totals.iter().all(|(_, amount, applied)| applied == amount), "both bills paid exactly: {totals:?}");

    // Notices: the held refund to the importer's contact and TAO, with what to do.
    let mails: Vec<_> = common::sent(&w.app).await.into_iter().skip(sent_before).collect();
    let held_mail = mails
        .iter()
        .find(|m| m.to == "treasury@acme.example" && m.rendered.text.contains("HELD"))
        .expect("a notice to the importer's contact");
    assert!(held_mail.rendered.text.contains("ACH Refund Authorization"));
    assert!(mails.iter().any(|m| m.to == "owner@acme.example" && m.rendered.subject.contains("held")));
    assert!(mails.iter().any(|m| m.to == "c@third.example" && m.rendered.subject.contains("bill")));

    // Idempotent: nothing new the same day.
    let again = app::refunds::certify::certify(&w.app, "test", day).await.unwrap();
    assert_eq!((again.payable, again.held_ach_rejected, again.funds_diverted, again.released), (0, 0, 0, 0));

    // The importer enrolls; once its details are Active the held refund is payable by itself.
    enroll(&w, &tao, sub, me, "55556666").await;
    let swept = app::ach::prenotes::promote(&w.app, prenote_due()).await.unwrap();
    assert_eq!(swept.importer_ids, vec![me]);
    let r = app::refunds::certify::release_for(&w.app, &swept.importer_ids, app::today()).await.unwrap();
    assert_eq!(r.released, 1);
    let held = app::refunds::show(&w.app, &Scope::All, "HELD").await.unwrap();
    assert_eq!((held.refund.status.as_str(), held.refund.payee_kind.as_str()), ("payable", "importer"));
    let steps: Vec<&str> = held.timeline.iter().map(|t| t.status.as_str()).collect();
    assert_eq!(steps, ["recorded", "held_ach_rejected", "payable"]);

    // Who sees what: the importer's TAO sees its refunds; the party sees the one paid to it; a
    // broker without the entries' filer code sees none of them.
    let mine = app::refunds::scope(&w.app, &tao).await.unwrap();
    let page = app::refunds::list(&w.app, &mine, &Default::default()).await.unwrap();
    let numbers: Vec<&str> = page.refunds.iter().map(|r| r.refund_number.as_str()).collect();
    assert_eq!(numbers.len(), 2, "{numbers:?}");
    let theirs = app::refunds::scope(&w.app, &party).await.unwrap();
    let page = app::refunds::list(&w.app, &theirs, &Default::default()).await.unwrap();
    assert_eq!(page.refunds.iter().map(|r| r.refund_number.as_str()).collect::<Vec<_>>(), ["TO-PARTY"]);
    assert!(matches!(app::refunds::show(&w.app, &theirs, "HELD").await, Err(AppError::NotFound(_))));

    let summary = app::refunds::summary(&w.app).await.unwrap();
    assert_eq!(summary["payable"].count, 2);
    assert_eq!(summary["held_ach_rejected"].count, 1);
    assert_eq!(summary["funds_diverted"].count, 1);
    assert_eq!(summary["recorded"].count, 0);
    assert!(summary.contains_key("reissued"));
}

#[tokio::test]
async fn racing_certifications_never_over_apply_a_bill() {
    let w = world().await;
    app::registry::importers::create(&w.app, &w.staff, &draft("55-555555500", "c@third.example")).await.unwrap();
    let bills = app::refunds::bills::read_csv(
        "bill_number,importer_number,amount,bill_date\nB-1,55-555555500,1000.00,2025-01-01\n",
    )
    .unwrap();
    app::refunds::bills::record(&w.app, &w.staff, bills, false).await.unwrap();
    let e = entry("614", 275);
    let rows: Vec<String> =
        (0..60).map(|i| format!("R{i},55-555555500,{e},drawback,30.00,2025-03-03,2025-12-01,")).collect();
    import(&w, &csv(&rows), false).await.unwrap();
    let day = time::macros::date!(2025 - 12 - 05);
    let (a, b, c) = tokio::join!(
        app::refunds::certify::certify(&w.app, "one", day),
        app::refunds::certify::certify(&w.app, "two", day),
        app::refunds::certify::certify(&w.app, "three", day),
    );
    let decided: u64 =
        [a, b, c].into_iter().map(|r| r.unwrap()).map(|r| r.payable + r.held_ach_rejected + r.funds_diverted).sum();
    assert_eq!(decided, 60, "each refund decided once");
    let totals = store::bills::applied_totals(&w.app.db.conn).await.unwrap();
    assert_eq!(totals, vec![(totals[0].0, 100_000, 100_000)], "the bill is paid exactly, never more");
    let s = app::refunds::summary(&w.app).await.unwrap();
    assert_eq!(s["funds_diverted"].count, 33, "$1,000 takes 33 refunds of $30 and $10 of the 34th");
    assert_eq!(s["held_ach_rejected"].count, 27);
}

/// A held notice outlives a killed run and a mail outage: it is a row written with the
/// decision, its mail is queued once by the next run, and the queued mail is tried again until
/// the server takes it.
#[tokio::test]
async fn notices_outlive_a_killed_run_and_a_mail_outage() {
    let w = world().await;
    app::registry::importers::create(&w.app, &w.staff, &draft("55-555555500", "c@third.example")).await.unwrap();
    let e = entry("614", 275);
    let rows: Vec<String> =
        (0..3).map(|i| format!("N{i},55-555555500,{e},drawback,30.00,2025-03-03,2025-12-01,")).collect();
    import(&w, &csv(&rows), false).await.unwrap();
    let day = time::macros::date!(2025 - 12 - 05);
    let conn = &w.app.db.conn;

    // Certification queues the mail and returns; it does not wait for the mail server.
    let first = app::refunds::certify::certify(&w.app, "test", day).await.unwrap();
    assert_eq!((first.held_ach_rejected, first.notices_failed), (3, 0));
    assert_eq!(store::refund_notices::unsent(conn).await.unwrap(), 0, "queued");
    assert_eq!(app::mail_queue::counts(&w.app).await.unwrap().waiting, 1, "one mail for the three");

    // Mail is down (nothing listens on port 9): the mail waits and is tried again later.
    let down =
        mail::Mailer::new(mail::Transport::Smtp("smtp://127.0.0.1:9?timeout=2".into()), "ace <n@ace.test>").unwrap();
    let outage = app::App::new(w.app.db.clone(), app::Settings::default(), down).with_keys(w.app.keys.clone());
    let d = app::mail_queue::deliver_due(&outage).await.unwrap();
    assert_eq!((d.sent, d.retrying, d.given_up), (0, 1, 0));
    assert_eq!(common::sent(&w.app).await.len(), 0, "not due again yet (backoff)");
    // Time passes: the retry is due, the server is back.
    conn.execute_unprepared("UPDATE mail_queue SET next_at = 0").await.unwrap();
    let sent = common::sent(&w.app).await;
    assert_eq!(sent.len(), 1, "one mail to the contact (no portal account, no TAO)");
    assert_eq!(sent[0].to, "c@third.example");
    assert!(sent[0].rendered.text.contains("3 refund(s), $90.00 in all"), "{}", sent[0].rendered.text);
    let counts = app::mail_queue::counts(&w.app).await.unwrap();
    assert_eq!((counts.waiting, counts.sent, counts.failed), (0, 1, 0));

    // A run killed after its batch's commit, before queuing, leaves the notices unsent.
    conn.execute_unprepared("UPDATE refund_notices SET sent_at = NULL, claim = NULL, claimed_at = NULL").await.unwrap();
    // Another run that claimed them a moment ago is still at work: this run leaves them alone.
    let now = store::now();
    let stale = now - time::Duration::minutes(10);
    let importer = store::refunds::importers_by_numbers(
        conn,
        &[domain::ImporterNumber::parse("55-555555500").unwrap().canonical()],
    )
    .await
    .unwrap();
    let id = importer.first().map(|i| i.id).expect("the importer");
    assert_eq!(store::refund_notices::claim_payees(conn, &[id], "busy", now, stale).await.unwrap(), 3);
    let again = app::refunds::certify::certify(&w.app, "test", day).await.unwrap();
    assert_eq!((again.examined, again.notices_failed), (3, 0), "held refunds looked at again, nothing new");
    assert_eq!(common::sent(&w.app).await.len(), 1, "nothing new queued");

    // That run died: once its claim is stale, the next run queues one mail for the three.
    store::refund_notices::unclaim(conn, id, "held", "busy").await.unwrap();
    assert_eq!(
        store::refund_notices::claim_payees(conn, &[id], "dead", now - time::Duration::hours(1), stale).await.unwrap(),
        3
    );
    app::refunds::certify::certify(&w.app, "test", day).await.unwrap();
    let sent = common::sent(&w.app).await;
    assert_eq!(sent.len(), 2);
    assert!(sent[1].rendered.text.contains("3 refund(s), $90.00 in all"));
    assert_eq!(store::refund_notices::unsent(conn).await.unwrap(), 0);

    // Queued once: later runs queue nothing more.
    app::refunds::certify::certify(&w.app, "test", day).await.unwrap();
    assert_eq!(common::sent(&w.app).await.len(), 2);
}

/// The daily run is one instance's, unless that instance dies: once its heartbeat is stale, the
/// next tick of any instance finishes the day; a finished day is never run again.
#[tokio::test]
async fn a_daily_run_left_by_a_dead_instance_is_taken_over() {
    let w = world().await;
    app::registry::importers::create(&w.app, &w.staff, &draft("55-555555500", "c@third.example")).await.unwrap();
    let e = entry("614", 275);
    import(&w, &csv(&[format!("D1,55-555555500,{e},drawback,30.00,2025-03-03,2025-12-01,")]), false).await.unwrap();
    let day = time::macros::date!(2025 - 12 - 05);
    let conn = &w.app.db.conn;
    let now = store::now();
    let stale = now - time::Duration::minutes(10);

    // Another instance holds the day and is alive: this one does nothing.
    assert!(store::job_runs::claim(conn, "certify", "2025-12-05", now, stale).await.unwrap());
    assert_eq!(app::refunds::certify::daily(&w.app, day).await.unwrap(), None);
    assert_eq!(status(&w, "D1").await.status, "recorded");

    // It died an hour ago (its last heartbeat): the day is taken over and finished.
    store::job_runs::beat(conn, "certify", "2025-12-05", now - time::Duration::hours(1)).await.unwrap();
    let done = app::refunds::certify::daily(&w.app, day).await.unwrap().expect("taken over");
    assert_eq!(done.held_ach_rejected, 1);
    assert_eq!(status(&w, "D1").await.status, "held_ach_rejected");

    // Finished: however stale it looks later, nobody runs the day again.
    store::job_runs::beat(conn, "certify", "2025-12-05", now - time::Duration::hours(2)).await.unwrap();
    assert_eq!(app::refunds::certify::daily(&w.app, day).await.unwrap(), None);
}

#[tokio::test]
async fn a_missing_rate_waits_instead_of_guessing() {
    let w = world().await;
    app::registry::importers::create(&w.app, &w.staff, &draft("12-345678900", "a@acme.example")).await.unwrap();
    // A period reaching past the shipped table: recorded with no interest yet.
    let last = domain::refund::RateTable::builtin().last_day().unwrap();
    let liq = last.next_day().unwrap();
    if liq > app::today() {
        // The shipped table still covers today: nothing to test on this date.
        return;
    }
    let e = entry("614", 275);
    import(&w, &csv(&[format!("R-1,12-345678900,{e},liquidation,100.00,2025-03-03,{liq},")]), false).await.unwrap();
    assert_eq!(status(&w, "R-1").await.interest_cents, None);
    let c = app::refunds::certify::certify(&w.app, "t", app::today()).await.unwrap();
    assert_eq!(c.waiting_for_rate, 1);
    let r = status(&w, "R-1").await;
    assert_eq!(r.status, "recorded");
    assert!(r.held_reason.contains("waiting for the interest rate"), "{}", r.held_reason);
    // An operator loads the quarter; the next certification decides it.
    let q = liq.to_string();
    let rates = format!("{}\n{q},7,6,8\n", domain::refund::RATES_CSV_HEADER);
    let actor = Actor::operator();
    app::refunds::rates::load(&w.app, &actor, &rates).await.unwrap();
    let c = app::refunds::certify::certify(&w.app, "t", app::today()).await.unwrap();
    assert_eq!((c.waiting_for_rate, c.held_ach_rejected), (0, 1));
    assert!(status(&w, "R-1").await.interest_cents.unwrap() > 0);
}

#[tokio::test]
async fn staff_correct_a_recorded_refund_and_nothing_after_certification() {
    let w = world().await;
    app::registry::importers::create(&w.app, &w.staff, &draft("12-345678900", "a@acme.example")).await.unwrap();
    let e = entry("614", 275);
    import(&w, &csv(&[format!("R-1,12-345678900,{e},liquidation,100.00,2025-03-03,2025-12-01,")]), false)
        .await
        .unwrap();
    let mut f = app::refunds::input::RefundFields {
        importer_number: "12-345678900".into(),
        entry_number: e.clone(),
        source: "liquidation".into(),
        principal: "10000.00".into(),
        deposit_date: "2025-03-03".into(),
        liquidation_date: "2025-12-01".into(),
        ..Default::default()
    };
    assert!(matches!(app::refunds::correct(&w.app, &w.broker_a, "R-1", &f).await, Err(AppError::Forbidden(_))));
    let v = app::refunds::correct(&w.app, &w.staff, "r-1", &f).await.unwrap();
    assert_eq!((v.principal_cents, v.interest_cents), (1_000_000, Some(45_895)), "interest computed again");
    f.principal = "-3".into();
    assert!(matches!(app::refunds::correct(&w.app, &w.staff, "R-1", &f).await, Err(AppError::Invalid(_))));
    app::refunds::certify::certify(&w.app, "t", app::today()).await.unwrap();
    f.principal = "1.00".into();
    assert!(matches!(app::refunds::correct(&w.app, &w.staff, "R-1", &f).await, Err(AppError::Conflict(_))));
}

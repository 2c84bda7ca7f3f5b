//! The ACH Refund Authorization pages over real HTTP: the tab, the add/update form with its
//! checks, CSRF, permissions (Read-Only, None, another company), stale forms, removal and the
//! notify-party form. SQLite, or PostgreSQL with TEST_DATABASE_URL.

use crate::common;

use app::portal::apply::Verified;
use app::portal::auth::SessionUser;
use app::portal::members::Invite;
use common::{PASSWORD, TestApp, client, code_in, company, csrf_of, record, spawn, staff};
use domain::portal::{AccountRole, AchAccess, Grants};

const NUMBER: &str = "12-345678900";
const SUFFIX: &str = "12-345678901";
const NAME: &str = "Acme Imports Inc";
const CONTACT: &str = "treasury@acme.example";
const OWNER: &str = "ana@acme.example";
/// A known test account number: pages never show it.
const ACCOUNT: &str = "987654321012";
/// JPMorgan Chase, New York.
const ROUTING: &str = "021000021";

async fn load_directory(t: &TestApp) {
    let text = [
        common::fedach_line(ROUTING, "JPMORGAN CHASE BANK, NA"),
        common::fedach_line("011000015", "FEDERAL RESERVE BANK"),
    ]
    .join("\r\n");
    app::ach::directory::load(&t.app, &text, "test", "test").await.unwrap();
}

/// Adds another importer number (same company, same contact) to the TAO's sub-account.
async fn add_number(t: &TestApp, tao: &SessionUser, number: &str, name: &str, contact: &str) {
    record(t, number, name, contact).await;
    let c = client("10.250.0.1");
    let sent = app::portal::apply::start_for_account(&t.app, tao, name, number, &c).await.unwrap();
    let code = t.last_code(contact).await;
    let Verified::Added { .. } = app::portal::apply::verify(&t.app, sent.application_id, &code, &c).await.unwrap()
    else {
        panic!("expected the number to be added")
    };
}

/// An Account User of the TAO's company with `grants` on the sub-account, who accepted the
/// invitation and enrolled email codes.
async fn member(t: &TestApp, tao: &SessionUser, sub: i64, email: &str, grants: Grants) {
    let inv =
        Invite { email: email.into(), name: "Carl Clerk".into(), role: AccountRole::User, grants: vec![(sub, grants)] };
    app::portal::members::invite(&t.app, tao, &inv).await.unwrap();
    let text = t.last_mail(email).await.rendered.text;
    let at = text.find("/invitation/").expect("invitation link") + "/invitation/".len();
    let link: String = text[at..].chars().take_while(char::is_ascii_alphanumeric).collect();
    let c = client("10.9.1.1");
    let pending = app::portal::login::redeem_link(&t.app, "invitation", &link, &c).await.unwrap();
    let next = app::portal::login::set_password(&t.app, &pending, PASSWORD, PASSWORD, &c).await.unwrap().unwrap();
    app::portal::login::enrol_email_begin(&t.app, &next, &c).await.unwrap();
    let code = code_in(&t.last_mail(email).await.rendered.text);
    app::portal::login::enrol_email_confirm(&t.app, &next, &code, &c).await.unwrap();
}

struct Acme {
    tao: SessionUser,
    sub: i64,
    /// Record ids of NUMBER and SUFFIX.
    ids: [i64; 2],
}

async fn acme(t: &TestApp) -> Acme {
    let tao = company(t, NUMBER, NAME, CONTACT, OWNER, "10.9.0.1").await;
    add_number(t, &tao, SUFFIX, NAME, CONTACT).await;
    let o = app::portal::accounts::overview(&t.app, &tao).await.unwrap();
    let s = &o.sub_accounts[0];
    let id_of = |n: &str| s.numbers.iter().find(|h| h.number == n).unwrap_or_else(|| panic!("{n} held")).importer_id;
    Acme { sub: s.id, ids: [id_of(NUMBER), id_of(SUFFIX)], tao }
}

async fn get(c: &reqwest::Client, t: &TestApp, path: &str) -> (u16, String) {
    let res = c.get(format!("{}{path}", t.base)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// Posts a form; returns the status, the Location header (if any) and the body.
async fn post(c: &reqwest::Client, t: &TestApp, path: &str, form: &[(&str, String)]) -> (u16, String, String) {
    let res = c.post(format!("{}{path}", t.base)).form(form).send().await.unwrap();
    let status = res.status().as_u16();
    let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (status, location, res.text().await.unwrap())
}

/// The fields of the bank details form, as a browser sends them, for `importers` (each with its
/// revision).
fn bank_form(csrf: &str, importers: &[(i64, i32)], routing: &str, account: &str) -> Vec<(&'static str, String)> {
    let mut f = vec![("csrf", csrf.to_string())];
    for (id, revision) in importers {
        f.push(("importer", id.to_string()));
        f.push(("revision", format!("{id}:{revision}")));
    }
    f.extend([
        ("routing", routing.to_string()),
        ("account", account.to_string()),
        ("account_confirm", account.to_string()),
        ("account_type", "checking".to_string()),
        ("holder_name", "Acme Imports Inc".to_string()),
    ]);
    f
}

/// The `<tr id="importer-{id}">` row of the tab.
fn row(html: &str, importer_id: i64) -> &str {
    let start = html.find(&format!("<tr id=\"importer-{importer_id}\"")).unwrap_or_else(|| panic!("row {importer_id}"));
    let end = html[start..].find("</tr>").unwrap() + start;
    &html[start..end]
}

async fn live(t: &TestApp, ids: &[i64]) -> usize {
    store::enrollments::live_of(&t.app.db.conn, ids).await.unwrap().len()
}

#[tokio::test]
async fn the_tao_enrols_two_numbers_with_one_account_and_sees_them_pending() {
    let t = spawn().await;
    load_directory(&t).await;
    let a = acme(&t).await;
    let c = t.browser_client(OWNER).await;

    // Before: a row per number, no bank details, refunds rejected.
    let (status, html) = get(&c, &t, &format!("/account/sub/{}/ach", a.sub)).await;
    assert_eq!(status, 200);
    for id in a.ids {
        assert!(row(&html, id).contains("No bank details"), "{}", row(&html, id));
    }
    assert!(html.contains(NUMBER) && html.contains(SUFFIX));

    // The "apply to several numbers" form has both numbers ticked, no account number field value.
    let edit = format!("/account/sub/{}/ach/edit?importer={}&importer={}", a.sub, a.ids[0], a.ids[1]);
    assert!(html.contains(&edit.replace('&', "&amp;")), "the tab links to the several-numbers form");
    let (status, form) = get(&c, &t, &edit).await;
    assert_eq!(status, 200);
    for id in a.ids {
        assert!(form.contains(&format!("value=\"{id}\" checked")), "number {id} ticked");
    }
    // The routing number is looked up first: the bank's name comes back before anything is saved.
    let (status, looked) = get(&c, &t, &format!("{edit}&routing={ROUTING}")).await;
    assert_eq!(status, 200);
    assert!(looked.contains("021000021 is JPMORGAN CHASE BANK, NA."), "{looked}");
    assert!(looked.contains(&format!("value=\"{ROUTING}\"")), "the routing number is kept for the form");
    let (_, bad) = get(&c, &t, &format!("{edit}&routing=021000022")).await;
    assert!(bad.contains("mistyped"), "a bad check digit is named at look-up");
    let csrf = csrf_of(&form);
    let (status, location, _) = post(
        &c,
        &t,
        &format!("/account/sub/{}/ach/edit", a.sub),
        &bank_form(&csrf, &[(a.ids[0], 0), (a.ids[1], 0)], ROUTING, ACCOUNT),
    )
    .await;
    assert_eq!((status, location.as_str()), (303, format!("/account/sub/{}/ach?done=saved", a.sub).as_str()));

    let (status, html) = get(&c, &t, &location).await;
    assert_eq!(status, 200);
    assert!(html.contains("The bank details were saved."), "{html}");
    for id in a.ids {
        let r = row(&html, id);
        assert!(r.contains("Pending verification"), "{r}");
        assert!(r.contains("••••1012"), "masked account: {r}");
        assert!(r.contains("JPMORGAN CHASE BANK, NA") && r.contains(ROUTING), "{r}");
        assert!(r.contains("Checking"), "{r}");
        assert!(r.contains("Ana Lopez"), "last changed by: {r}");
    }
    assert!(!html.contains(ACCOUNT), "the full account number is on no page");

    // The update form is prefilled with everything but the account number.
    let (status, form) = get(&c, &t, &format!("/account/sub/{}/ach/edit?importer={}", a.sub, a.ids[0])).await;
    assert_eq!(status, 200);
    assert!(form.contains(&format!("value=\"{ROUTING}\"")));
    assert!(form.contains("value=\"checking\" checked"));
    assert!(!form.contains(ACCOUNT) && !form.contains("••••1012\""), "no account number value in the form");

    // The history of one number.
    let (status, h) = get(&c, &t, &format!("/account/sub/{}/ach/{}/history", a.sub, a.ids[0])).await;
    assert_eq!(status, 200);
    assert!(h.contains("Bank details history of 12-345678900") && h.contains("bank details added"), "{h}");
    assert!(h.contains("••••1012") && !h.contains(ACCOUNT));

    // Both numbers' contact and the TAO were told, masked.
    let notices: Vec<_> =
        t.sent().await.into_iter().filter(|m| m.rendered.subject.contains("Bank details changed")).collect();
    assert!(notices.iter().filter(|m| m.to == CONTACT).count() >= 2, "the contact, once per number");
    assert!(notices.iter().any(|m| m.to == OWNER));
    assert!(notices.iter().all(|m| !m.rendered.text.contains(ACCOUNT) && !m.rendered.html.contains(ACCOUNT)));
}

#[tokio::test]
async fn bad_input_comes_back_with_messages_and_without_the_account_number() {
    let t = spawn().await;
    load_directory(&t).await;
    let a = acme(&t).await;
    let c = t.browser_client(OWNER).await;
    let path = format!("/account/sub/{}/ach/edit", a.sub);
    let (_, form) = get(&c, &t, &format!("{path}?importer={}", a.ids[0])).await;
    let csrf = csrf_of(&form);

    // A mistyped routing number (bad check digit).
    let (status, _, html) = post(&c, &t, &path, &bank_form(&csrf, &[(a.ids[0], 0)], "021000022", ACCOUNT)).await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"error-summary\"") && html.contains("href=\"#routing\""), "{html}");
    assert!(html.contains("id=\"routing-error\""), "the field error is next to the field");
    assert!(html.contains("value=\"021000022\""), "the routing number typed is kept");
    assert!(!html.contains(ACCOUNT), "the account number is not echoed back");
    assert!(html.contains(&format!("value=\"{}\" checked", a.ids[0])), "the chosen number stays ticked");

    // A routing number with a good check digit that is not in the directory.
    let (status, _, html) = post(&c, &t, &path, &bank_form(&csrf, &[(a.ids[0], 0)], "026009593", ACCOUNT)).await;
    assert_eq!(status, 422);
    assert!(html.contains("not in the FedACH directory"), "{html}");
    assert!(!html.contains(ACCOUNT));

    // Account numbers: too short, too long, letters, mismatched confirmation.
    for (account, confirm, field, says) in [
        ("123", "123", "account", "at least 4 digits"),
        ("123456789012345678", "123456789012345678", "account", "at most 17 digits"),
        ("12AB5678", "12AB5678", "account", "only digits"),
        (ACCOUNT, "987654321013", "account_confirm", "not the same"),
    ] {
        let mut f = bank_form(&csrf, &[(a.ids[0], 0)], ROUTING, account);
        f.iter_mut().find(|(k, _)| *k == "account_confirm").unwrap().1 = confirm.into();
        let (status, _, html) = post(&c, &t, &path, &f).await;
        assert_eq!(status, 422, "{account}/{confirm}");
        assert!(html.contains(&format!("id=\"{field}-error\"")), "{field} error for {account}: {html}");
        assert!(html.contains(says), "{says}: {html}");
        assert!(html.contains(&format!("aria-invalid=\"true\" aria-describedby=\"{field}-error")), "{html}");
        for typed in [account, confirm] {
            // (A 3-digit value could occur in a CSRF token by chance: only fields are checked then.)
            assert!(!html.contains(&format!("value=\"{typed}\"")), "{typed} is not echoed back");
            assert!(typed.len() < 8 || !html.contains(typed), "{typed} is nowhere on the page");
        }
    }

    // No importer number ticked.
    let mut f = bank_form(&csrf, &[], ROUTING, ACCOUNT);
    f.push(("revision", format!("{}:0", a.ids[0])));
    let (status, _, html) = post(&c, &t, &path, &f).await;
    assert_eq!(status, 422);
    assert!(html.contains("Choose at least one importer number."), "{html}");

    // A holder name unlike the importer's: a warning with a box to tick, then accepted.
    let mut f = bank_form(&csrf, &[(a.ids[0], 0)], ROUTING, ACCOUNT);
    f.iter_mut().find(|(k, _)| *k == "holder_name").unwrap().1 = "Mallory Holdings".into();
    let (status, _, html) = post(&c, &t, &path, &f).await;
    assert_eq!(status, 422);
    assert!(html.contains("does not look like the importer") && html.contains("id=\"holder_confirmed\""), "{html}");
    assert_eq!(live(&t, &a.ids).await, 0, "nothing saved by refused forms");
    f.push(("holder_confirmed", "yes".into()));
    let (status, _, _) = post(&c, &t, &path, &f).await;
    assert_eq!(status, 303);
    assert_eq!(live(&t, &a.ids).await, 1);
}

#[tokio::test]
async fn posts_without_or_with_a_foreign_csrf_token_are_refused() {
    let t = spawn().await;
    let a = acme(&t).await;
    let c = t.browser_client(OWNER).await;
    let other = t.browser_client(common::BROKER_A).await;
    let (_, foreign) = get(&other, &t, "/profile").await;
    let foreign = csrf_of(&foreign);
    let (_, form) = get(&c, &t, &format!("/account/sub/{}/ach/edit?importer={}", a.sub, a.ids[0])).await;
    let good = csrf_of(&form);
    let (status, _, _) = post(
        &c,
        &t,
        &format!("/account/sub/{}/ach/edit", a.sub),
        &bank_form(&good, &[(a.ids[0], 0)], ROUTING, ACCOUNT),
    )
    .await;
    assert_eq!(status, 303);
    let notify_party = [("importer_id", a.ids[0].to_string()), ("party_number", "12-345678901".to_string())];
    for csrf in [String::new(), foreign, "0".repeat(64)] {
        let edit = bank_form(&csrf, &[(a.ids[1], 0)], ROUTING, ACCOUNT);
        let (status, _, html) = post(&c, &t, &format!("/account/sub/{}/ach/edit", a.sub), &edit).await;
        assert_eq!(status, 403, "edit with csrf {csrf:?}");
        assert!(html.contains("Form expired"));
        let remove = [("csrf", csrf.clone()), ("revision", "1".to_string())];
        let (status, _, _) = post(&c, &t, &format!("/account/sub/{}/ach/{}/remove", a.sub, a.ids[0]), &remove).await;
        assert_eq!(status, 403, "remove with csrf {csrf:?}");
        let mut d = notify_party.to_vec();
        d.push(("csrf", csrf.clone()));
        let (status, _, _) = post(&c, &t, &format!("/account/sub/{}/notify", a.sub), &d).await;
        assert_eq!(status, 403, "designate with csrf {csrf:?}");
    }
    assert_eq!(live(&t, &a.ids).await, 1, "nothing changed");
    assert!(store::notify_parties::made_by(&t.app.db.conn, &a.ids).await.unwrap().is_empty());
}

#[tokio::test]
async fn read_only_and_no_access_users() {
    let t = spawn().await;
    let a = acme(&t).await;
    const RO: &str = "clerk@acme.example";
    const NONE: &str = "intern@acme.example";
    member(&t, &a.tao, a.sub, RO, Grants { ach: AchAccess::ReadOnly, reports: false, notify_parties: false }).await;
    member(&t, &a.tao, a.sub, NONE, Grants { ach: AchAccess::None, reports: true, notify_parties: false }).await;
    // The TAO enrols one number.
    let tao = t.browser_client(OWNER).await;
    let (_, form) = get(&tao, &t, &format!("/account/sub/{}/ach/edit?importer={}", a.sub, a.ids[0])).await;
    let (status, _, _) = post(
        &tao,
        &t,
        &format!("/account/sub/{}/ach/edit", a.sub),
        &bank_form(&csrf_of(&form), &[(a.ids[0], 0)], ROUTING, ACCOUNT),
    )
    .await;
    assert_eq!(status, 303);

    // Read-Only: the tab and the history, no way to change anything.
    let ro = t.browser_client(RO).await;
    let (status, html) = get(&ro, &t, &format!("/account/sub/{}", a.sub)).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("href=\"/account/sub/{}/ach\"", a.sub)), "tab link shown");
    let (status, html) = get(&ro, &t, &format!("/account/sub/{}/ach", a.sub)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Read-Only") && html.contains("••••1012"));
    assert!(!html.contains("/ach/edit") && !html.contains("/remove\""), "no change links: {html}");
    let (status, _) = get(&ro, &t, &format!("/account/sub/{}/ach/{}/history", a.sub, a.ids[0])).await;
    assert_eq!(status, 200);
    let (status, html) = get(&ro, &t, &format!("/account/sub/{}/ach/edit?importer={}", a.sub, a.ids[0])).await;
    assert_eq!(status, 403);
    assert!(html.contains("read-only"), "{html}");
    let (status, _) = get(&ro, &t, &format!("/account/sub/{}/ach/{}/remove", a.sub, a.ids[0])).await;
    assert_eq!(status, 403);
    // Posting anyway, with the user's own valid CSRF token.
    let csrf = csrf_of(&get(&ro, &t, "/profile").await.1);
    let before = store::enrollments::all_of(&t.app.db.conn, a.ids[0]).await.unwrap();
    let (status, _, html) = post(
        &ro,
        &t,
        &format!("/account/sub/{}/ach/edit", a.sub),
        &bank_form(&csrf, &[(a.ids[0], 1), (a.ids[1], 0)], ROUTING, "11112222"),
    )
    .await;
    assert_eq!(status, 403);
    assert!(html.contains("read-only"));
    let (status, _, _) = post(
        &ro,
        &t,
        &format!("/account/sub/{}/ach/{}/remove", a.sub, a.ids[0]),
        &[("csrf", csrf.clone()), ("revision", "1".into())],
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, _) = post(
        &ro,
        &t,
        &format!("/account/sub/{}/notify", a.sub),
        &[("csrf", csrf.clone()), ("importer_id", a.ids[0].to_string()), ("party_number", SUFFIX.into())],
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(store::enrollments::all_of(&t.app.db.conn, a.ids[0]).await.unwrap(), before, "nothing changed");
    assert_eq!(live(&t, &[a.ids[1]]).await, 0);
    assert!(store::notify_parties::made_by(&t.app.db.conn, &a.ids).await.unwrap().is_empty());

    // None: no tab link, and the tab itself is refused.
    let none = t.browser_client(NONE).await;
    let (status, html) = get(&none, &t, &format!("/account/sub/{}", a.sub)).await;
    assert_eq!(status, 200);
    assert!(!html.contains("/ach\""), "no ACH tab link: {html}");
    assert!(!html.contains("/notify\""), "no notify-party tab link");
    for path in [
        format!("/account/sub/{}/ach", a.sub),
        format!("/account/sub/{}/ach/edit", a.sub),
        format!("/account/sub/{}/ach/{}/history", a.sub, a.ids[0]),
        format!("/account/sub/{}/notify", a.sub),
    ] {
        let (status, html) = get(&none, &t, &path).await;
        assert_eq!(status, 403, "{path}");
        assert!(!html.contains("••••1012"), "{path} shows nothing");
    }
}

#[tokio::test]
async fn another_company_gets_not_found() {
    let t = spawn().await;
    let a = acme(&t).await;
    let tao = t.browser_client(OWNER).await;
    let (_, form) = get(&tao, &t, &format!("/account/sub/{}/ach/edit?importer={}", a.sub, a.ids[0])).await;
    let (status, _, _) = post(
        &tao,
        &t,
        &format!("/account/sub/{}/ach/edit", a.sub),
        &bank_form(&csrf_of(&form), &[(a.ids[0], 0)], ROUTING, ACCOUNT),
    )
    .await;
    assert_eq!(status, 303);

    let rival =
        company(&t, "77-777777700", "Rival Trading Co", "money@rival.example", "boss@rival.example", "10.9.0.2").await;
    let rival_sub = app::portal::accounts::overview(&t.app, &rival).await.unwrap().sub_accounts[0].id;
    let r = t.browser_client("boss@rival.example").await;
    // Acme's sub-account, and Acme's importer number through the rival's own sub-account.
    for path in [
        format!("/account/sub/{}/ach", a.sub),
        format!("/account/sub/{}/ach/edit?importer={}", a.sub, a.ids[0]),
        format!("/account/sub/{}/ach/{}/history", a.sub, a.ids[0]),
        format!("/account/sub/{rival_sub}/ach/{}/history", a.ids[0]),
        format!("/account/sub/{rival_sub}/ach/{}/remove", a.ids[0]),
        format!("/account/sub/{}/notify", a.sub),
    ] {
        let (status, html) = get(&r, &t, &path).await;
        assert_eq!(status, 404, "{path}");
        assert!(!html.contains(NUMBER) && !html.contains("••••1012"), "{path} leaks nothing");
    }
    let csrf = csrf_of(&get(&r, &t, &format!("/account/sub/{rival_sub}/ach")).await.1);
    let (status, _, _) = post(
        &r,
        &t,
        &format!("/account/sub/{rival_sub}/ach/edit"),
        &bank_form(&csrf, &[(a.ids[0], 1)], ROUTING, "11112222"),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _, _) = post(
        &r,
        &t,
        &format!("/account/sub/{rival_sub}/ach/{}/remove", a.ids[0]),
        &[("csrf", csrf.clone()), ("revision", "1".into())],
    )
    .await;
    assert_eq!(status, 404);
    let (status, _, _) = post(
        &r,
        &t,
        &format!("/account/sub/{}/ach/edit", a.sub),
        &bank_form(&csrf, &[(a.ids[0], 1)], ROUTING, "11112222"),
    )
    .await;
    assert_eq!(status, 404);
    let all = store::enrollments::all_of(&t.app.db.conn, a.ids[0]).await.unwrap();
    assert_eq!(all.len(), 1, "nothing changed");
    assert_eq!(all[0].account_last4, "1012");
}

#[tokio::test]
async fn a_stale_form_gets_409_naming_who_changed_the_details() {
    let t = spawn().await;
    let a = acme(&t).await;
    let c = t.browser_client(OWNER).await;
    let path = format!("/account/sub/{}/ach/edit", a.sub);
    // Two forms opened at the same time (both at revision 0).
    let (_, first) = get(&c, &t, &format!("{path}?importer={}", a.ids[0])).await;
    let (_, second) = get(&c, &t, &format!("{path}?importer={}", a.ids[0])).await;
    assert!(first.contains(&format!("value=\"{}:0\"", a.ids[0])), "the form carries the revision");
    let (status, _, _) = post(&c, &t, &path, &bank_form(&csrf_of(&first), &[(a.ids[0], 0)], ROUTING, ACCOUNT)).await;
    assert_eq!(status, 303);
    let (status, _, html) =
        post(&c, &t, &path, &bank_form(&csrf_of(&second), &[(a.ids[0], 0)], ROUTING, "11112222")).await;
    assert_eq!(status, 409);
    assert!(html.contains("Changed by someone else") && html.contains("changed by Ana Lopez at"), "{html}");
    assert!(html.contains("Review them and save again"));
    assert!(!html.contains("11112222"));
    // The 409 page is the form again, now at the current revision.
    assert!(html.contains(&format!("value=\"{}:1\"", a.ids[0])), "{html}");
    let all = store::enrollments::all_of(&t.app.db.conn, a.ids[0]).await.unwrap();
    assert_eq!(all.len(), 1, "the stale save wrote nothing");

    // A stale removal is refused the same way.
    let (_, remove) = get(&c, &t, &format!("/account/sub/{}/ach/{}/remove", a.sub, a.ids[0])).await;
    let (status, _, html) = post(
        &c,
        &t,
        &format!("/account/sub/{}/ach/{}/remove", a.sub, a.ids[0]),
        &[("csrf", csrf_of(&remove)), ("revision", "0".into())],
    )
    .await;
    assert_eq!(status, 409);
    assert!(html.contains("changed by Ana Lopez"), "{html}");
    assert_eq!(live(&t, &[a.ids[0]]).await, 1);
}

#[tokio::test]
async fn removing_warns_that_refunds_will_be_rejected() {
    let t = spawn().await;
    let a = acme(&t).await;
    let c = t.browser_client(OWNER).await;
    // No details: nothing to remove.
    let (status, _) = get(&c, &t, &format!("/account/sub/{}/ach/{}/remove", a.sub, a.ids[0])).await;
    assert_eq!(status, 404);
    let (_, form) = get(&c, &t, &format!("/account/sub/{}/ach/edit?importer={}", a.sub, a.ids[0])).await;
    let (status, _, _) = post(
        &c,
        &t,
        &format!("/account/sub/{}/ach/edit", a.sub),
        &bank_form(&csrf_of(&form), &[(a.ids[0], 0)], ROUTING, ACCOUNT),
    )
    .await;
    assert_eq!(status, 303);

    let (status, html) = get(&c, &t, &format!("/account/sub/{}/ach/{}/remove", a.sub, a.ids[0])).await;
    assert_eq!(status, 200);
    assert!(html.contains("Refunds will be rejected") && html.contains("••••1012"), "{html}");
    assert!(html.contains("name=\"revision\" value=\"1\""));
    let (status, location, _) = post(
        &c,
        &t,
        &format!("/account/sub/{}/ach/{}/remove", a.sub, a.ids[0]),
        &[("csrf", csrf_of(&html)), ("revision", "1".into())],
    )
    .await;
    assert_eq!((status, location.as_str()), (303, format!("/account/sub/{}/ach?done=removed", a.sub).as_str()));
    let (_, html) = get(&c, &t, &location).await;
    assert!(html.contains("will be rejected until new details are verified"));
    assert!(row(&html, a.ids[0]).contains("No bank details"));
    assert!(t.last_mail(CONTACT).await.rendered.text.contains("will be rejected"));
}

#[tokio::test]
async fn notify_party_form_errors_and_notify_party() {
    let t = spawn().await;
    let a = acme(&t).await;
    record(&t, "33-333333300", "Harbor Finance LLC", "ap@harbor.example").await;
    record(&t, "44-444444400", "Closed Shop Inc", "x@closed.example").await;
    let closed = store::importers::by_number(&t.app.db.conn, "44-444444400").await.unwrap().unwrap().id;
    app::registry::importers::set_status(&t.app, &staff(&t).await, closed, domain::ImporterStatus::Inactive)
        .await
        .unwrap();
    let c = t.browser_client(OWNER).await;
    let path = format!("/account/sub/{}/notify", a.sub);
    let (status, page) = get(&c, &t, &path).await;
    assert_eq!(status, 200);
    assert!(page.contains("No notify party was ever designated."));
    let csrf = csrf_of(&page);
    let designate = |number: &str, date: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("importer_id", a.ids[1].to_string()),
            ("party_number", number.to_string()),
            ("effective_on", date.to_string()),
        ]
    };
    for (number, date, field, says) in [
        ("12-34", "", "party_number", "as on its Form 5106"),
        ("55-555555500", "", "party_number", "No Form 5106 record has importer number 55-555555500"),
        ("44-444444400", "", "party_number", "inactive"),
        (SUFFIX, "", "party_number", "cannot be its own notify party"),
        ("33-333333300", "next week", "effective_on", "YYYY-MM-DD"),
        ("33-333333300", "2020-01-01", "effective_on", "cannot be in the past"),
    ] {
        let (status, _, html) = post(&c, &t, &path, &designate(number, date)).await;
        assert_eq!(status, 422, "{number} {date}: {html}");
        assert!(html.contains(&format!("id=\"{field}-error\"")) && html.contains(says), "{says}: {html}");
        assert!(html.contains(&format!("href=\"#{field}\"")), "summary links to the field");
        assert!(html.contains(&format!("value=\"{}\" selected", a.ids[1])), "the chosen number is kept");
    }
    assert!(store::notify_parties::made_by(&t.app.db.conn, &a.ids).await.unwrap().is_empty());

    let (status, location, _) = post(&c, &t, &path, &designate("33-333333300", "")).await;
    assert_eq!((status, location.as_str()), (303, format!("/account/sub/{}/ach?done=designated", a.sub).as_str()));
    let (_, html) = get(&c, &t, &location).await;
    assert!(html.contains("The notify party was designated."));
    let r = row(&html, a.ids[1]);
    assert!(r.contains("Notify party on file: Harbor Finance LLC (33-333333300)"), "{r}");
    let (_, page) = get(&c, &t, &path).await;
    assert!(page.contains("Harbor Finance LLC") && page.contains(">Yes<"), "{page}");
    assert!(page.contains("/revoke\""), "a revoke button");

    // Revoking: another company cannot; the TAO can, and the history keeps it.
    let notify_party = store::notify_parties::made_by(&t.app.db.conn, &a.ids).await.unwrap()[0].id;
    let revoke = format!("/account/sub/{}/notify/{notify_party}/revoke", a.sub);
    let rival =
        company(&t, "77-777777700", "Rival Trading Co", "money@rival.example", "boss@rival.example", "10.9.0.2").await;
    let rival_sub = app::portal::accounts::overview(&t.app, &rival).await.unwrap().sub_accounts[0].id;
    let r = t.browser_client("boss@rival.example").await;
    let rival_csrf = csrf_of(&get(&r, &t, &format!("/account/sub/{rival_sub}/notify")).await.1);
    for path in [revoke.clone(), format!("/account/sub/{rival_sub}/notify/{notify_party}/revoke")] {
        let (status, _, _) = post(&r, &t, &path, &[("csrf", rival_csrf.clone())]).await;
        assert_eq!(status, 404, "{path}");
    }
    let (status, location, _) = post(&c, &t, &revoke, &[("csrf", csrf_of(&page))]).await;
    assert_eq!((status, location.as_str()), (303, format!("/account/sub/{}/ach?done=revoked", a.sub).as_str()));
    let (_, html) = get(&c, &t, &location).await;
    assert!(html.contains("The notify party was revoked."));
    assert!(!row(&html, a.ids[1]).contains("Notify party designated"), "{}", row(&html, a.ids[1]));
    let (_, page) = get(&c, &t, &path).await;
    assert!(page.contains("Harbor Finance LLC") && page.contains(">No<") && !page.contains("/revoke\""), "{page}");
    let (status, _, html) = post(&c, &t, &revoke, &[("csrf", csrf_of(&page))]).await;
    assert_eq!(status, 409, "{html}");
}

/// "Notify parties: manage" without ACH access: the notify-party tab (linked from the
/// sub-account) works, the ACH tab stays closed.
#[tokio::test]
async fn a_notify_party_manager_without_ach_access() {
    let t = spawn().await;
    let a = acme(&t).await;
    record(&t, "33-333333300", "Harbor Finance LLC", "ap@harbor.example").await;
    const AGENT: &str = "agent@acme.example";
    member(&t, &a.tao, a.sub, AGENT, Grants { ach: AchAccess::None, reports: false, notify_parties: true }).await;
    let c = t.browser_client(AGENT).await;
    let (status, html) = get(&c, &t, &format!("/account/sub/{}", a.sub)).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("href=\"/account/sub/{}/notify\"", a.sub)), "notify-party tab link");
    assert!(!html.contains("/ach\""), "no ACH tab link");
    let path = format!("/account/sub/{}/notify", a.sub);
    let (status, page) = get(&c, &t, &path).await;
    assert_eq!(status, 200, "{page}");
    assert!(!page.contains(&format!("href=\"/account/sub/{}/ach\"", a.sub)), "no ACH tab link on the page: {page}");
    let form = [
        ("csrf", csrf_of(&page)),
        ("importer_id", a.ids[0].to_string()),
        ("party_number", "33-333333300".to_string()),
        ("effective_on", String::new()),
    ];
    let (status, location, _) = post(&c, &t, &path, &form).await;
    assert_eq!(status, 303);
    let (status, html) = get(&c, &t, &location).await;
    assert_eq!(status, 200, "{location} opens for this user: {html}");
    assert!(html.contains("The notify party was designated.") && html.contains("Harbor Finance LLC"), "{html}");
    let (status, _) = get(&c, &t, &format!("/account/sub/{}/ach", a.sub)).await;
    assert_eq!(status, 403);
}

/// The guide is open to everyone, keeps a signed-in user's header, and its screenshots are served.
#[tokio::test]
async fn the_enrolling_guide_and_its_screenshots() {
    let t = spawn().await;
    let _a = acme(&t).await;
    let anon = reqwest::Client::new();
    let (status, html) = get(&anon, &t, "/help/enrolling").await;
    assert_eq!(status, 200);
    assert!(html.contains("Enrolling for electronic refunds") && !html.contains("Signed in as"));
    let c = t.browser_client(OWNER).await;
    let (status, html) = get(&c, &t, "/help/enrolling").await;
    assert_eq!(status, 200);
    assert!(html.contains("Signed in as Ana Lopez"), "{html}");
    for name in ["ach-tab.png", "ach-edit.png"] {
        assert!(html.contains(&format!("src=\"/assets/help/{name}\"")));
        let res = anon.get(format!("{}/assets/help/{name}", t.base)).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "image/png");
        assert!(res.bytes().await.unwrap().starts_with(b"\x89PNG\r\n\x1a\n"), "{name} is a PNG");
    }
    let res = anon.get(format!("{}/assets/help/nothing.png", t.base)).send().await.unwrap();
    assert_eq!(res.status(), 404);
}

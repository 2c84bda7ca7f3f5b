//! Portal accounts over HTTP: sessions shared by two server instances, CSRF tokens bound to the
//! browser, and one company's pages closed to another.

use crate::common;

use common::{BROKER_A, BROKER_B, PASSWORD, csrf_of, spawn};

/// Two `serve` instances on one database (SQLite file or PostgreSQL): a login made through one is
/// honoured by the other, and logging out through the second ends it for both.
#[tokio::test]
async fn two_instances_share_a_login() {
    let t = spawn().await;
    // A second App over its own connection pool to the same database, as a second process has.
    let other_mailer = mail::Mailer::new(mail::Transport::Memory, "x <x@ace.test>").unwrap();
    let second_db = store::Db::connect(&t.db.url).await.unwrap();
    let second_app = app::App::new(second_db, app::Settings::default(), other_mailer);
    let second = common::serve(second_app, &mut web::WebConfig::default()).await;

    let c = t.browser_client(BROKER_A).await;
    let res = c.get(format!("{second}/importers")).send().await.unwrap();
    assert_eq!(res.status(), 200, "the second instance knows the session");
    assert_eq!(c.get(format!("{second}/account")).send().await.unwrap().status(), 200);
    let page = c.get(format!("{second}/importers")).send().await.unwrap().text().await.unwrap();
    let res = c.post(format!("{second}/logout")).form(&[("csrf", csrf_of(&page))]).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let res = c.get(format!("{}/importers", t.base)).send().await.unwrap();
    assert_eq!(res.status(), 303, "logged out on both");
}

/// The pages that check the session in their own statement (the overview, the ACH tab) follow
/// the same rules on every instance: live, they show; ended elsewhere, they send the browser to
/// log in again; without a cookie, to the login page.
#[tokio::test]
async fn pages_checking_their_own_session_honour_an_ending_made_elsewhere() {
    let t = spawn().await;
    let second_db = store::Db::connect(&t.db.url).await.unwrap();
    let mailer = mail::Mailer::new(mail::Transport::Memory, "x <x@ace.test>").unwrap();
    let second =
        common::serve(app::App::new(second_db, app::Settings::default(), mailer), &mut web::WebConfig::default()).await;
    let c = t.browser_client(BROKER_A).await;
    let own_sub =
        store::accounts::sub_accounts(&t.app.db.conn, broker_account(&t, BROKER_A).await).await.unwrap()[0].id;
    let paths = ["/account".to_string(), format!("/account/sub/{own_sub}/ach")];
    for base in [t.base.as_str(), second.as_str()] {
        assert_eq!(c.get(format!("{base}/account")).send().await.unwrap().status(), 200);
        // A broker's sub-account has no ACH tab; the session is fine, so "not found", not "log in".
        assert_eq!(c.get(format!("{base}{}", paths[1])).send().await.unwrap().status(), 404);
    }
    // "Log out everywhere" from another browser ends this browser's session in the database.
    let user = store::users::by_email(&t.app.db.conn, BROKER_A).await.unwrap().unwrap();
    store::sessions::delete_for_user(&t.app.db.conn, user.id).await.unwrap();
    for base in [t.base.as_str(), second.as_str()] {
        for path in &paths {
            let res = c.get(format!("{base}{path}")).send().await.unwrap();
            assert_eq!(res.status(), 303, "{path}");
            assert_eq!(res.headers()["location"], "/login?expired=1", "{path}");
        }
    }
    let anon = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = anon.get(format!("{}/account", t.base)).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/login");
}

async fn broker_account(t: &common::TestApp, email: &str) -> i64 {
    store::users::by_email(&t.app.db.conn, email).await.unwrap().unwrap().account_id.unwrap()
}

/// A CSRF token taken from another browser does not work: tokens are bound to the cookie.
#[tokio::test]
async fn csrf_token_from_another_session_is_refused() {
    let t = spawn().await;
    let a = t.browser_client(BROKER_A).await;
    let b = t.browser_client(BROKER_B).await;
    let b_page = b.get(format!("{}/profile", t.base)).send().await.unwrap().text().await.unwrap();
    let res = a
        .post(format!("{}/profile/logout-everywhere", t.base))
        .form(&[("csrf", csrf_of(&b_page))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(a.get(format!("{}/profile", t.base)).send().await.unwrap().status(), 200, "still logged in");
}

/// Broker firm A's owner cannot open broker firm B's users or sub-accounts.
#[tokio::test]
async fn another_companys_pages_are_not_found() {
    let t = spawn().await;
    let a = t.browser_client(BROKER_A).await;
    let b_user = store::users::by_email(&t.app.db.conn, BROKER_B).await.unwrap().unwrap();
    let b_sub = store::accounts::sub_accounts(&t.app.db.conn, b_user.account_id.unwrap()).await.unwrap()[0].id;
    for path in
        [format!("/account/sub/{b_sub}"), format!("/account/sub/{b_sub}/ach"), format!("/account/users/{}", b_user.id)]
    {
        let res = a.get(format!("{}{path}", t.base)).send().await.unwrap();
        assert_eq!(res.status(), 404, "{path}");
        let body = res.text().await.unwrap();
        assert!(!body.contains(BROKER_B), "{path} leaks nothing of company B");
    }
    // A form post against B's user is refused the same way.
    let page = a.get(format!("{}/account/users", t.base)).send().await.unwrap().text().await.unwrap();
    let res = a
        .post(format!("{}/account/users/{}/status", t.base, b_user.id))
        .form(&[("csrf", csrf_of(&page).as_str()), ("active", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(store::users::by_id(&t.app.db.conn, b_user.id).await.unwrap().unwrap().active);
}

/// Wrong codes at the second step: five tries, then the login starts over; the password alone
/// never opens a session.
#[tokio::test]
async fn the_second_step_cannot_be_skipped_or_guessed() {
    let t = spawn().await;
    let c = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = c.get(format!("{}/login", t.base)).send().await.unwrap().text().await.unwrap();
    let res = c
        .post(format!("{}/login", t.base))
        .form(&[("csrf", csrf_of(&page).as_str()), ("email", BROKER_A), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    // Skipping the code: the pending session opens nothing.
    let res = c.get(format!("{}/importers", t.base)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let right = t.last_code(BROKER_A).await;
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    let mut last = 0;
    for _ in 0..5 {
        let page = c.get(format!("{}/login/code", t.base)).send().await.unwrap().text().await.unwrap();
        let res = c
            .post(format!("{}/login/code", t.base))
            .form(&[("csrf", csrf_of(&page).as_str()), ("code", wrong.as_str())])
            .send()
            .await
            .unwrap();
        last = res.status().as_u16();
    }
    assert_eq!(last, 401, "after five wrong codes the login starts over");
    let res = c.get(format!("{}/login/code", t.base)).send().await.unwrap();
    assert_eq!(res.status(), 303);
}

/// The account API: owners see their account and users; another company's users are not found;
/// an Account User may not manage users; only CBP staff reach the console, which unlocks users.
#[tokio::test]
async fn account_and_console_api() {
    let t = spawn().await;
    let http = reqwest::Client::new();
    let a_tok = t.token(BROKER_A).await;
    let b_user = store::users::by_email(&t.app.db.conn, BROKER_B).await.unwrap().unwrap();
    let api = |p: &str| format!("{}/api/v1{p}", t.base);

    let me: serde_json::Value =
        http.get(api("/account")).bearer_auth(&a_tok).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["my_role"], "tao");
    assert_eq!(me["sub_accounts"][0]["kind"], "broker");
    let users: serde_json::Value =
        http.get(api("/account/users")).bearer_auth(&a_tok).send().await.unwrap().json().await.unwrap();
    assert_eq!(users.as_array().unwrap().len(), 1);
    assert!(!users.to_string().contains(BROKER_B));

    // Company B's user through company A's token: not found, nothing changed.
    let res = http
        .post(api(&format!("/account/users/{}/status", b_user.id)))
        .bearer_auth(&a_tok)
        .json(&serde_json::json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(store::users::by_id(&t.app.db.conn, b_user.id).await.unwrap().unwrap().active);

    // Invite an Account User through the API; that user may not invite.
    let sub = me["sub_accounts"][0]["id"].as_i64().unwrap();
    let res = http
        .post(api("/account/users"))
        .bearer_auth(&a_tok)
        .json(&serde_json::json!({"email": "clerk@brokera.example", "name": "Clerk", "role": "user",
            "grants": [{"sub_account_id": sub, "ach": "none", "reports": true, "notify_parties": false}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let clerk_tok = t.token("clerk@brokera.example").await;
    let res = http
        .post(api("/account/users"))
        .bearer_auth(&clerk_tok)
        .json(&serde_json::json!({"email": "x@brokera.example", "name": "X", "role": "user"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = http
        .post(api("/account/users"))
        .bearer_auth(&a_tok)
        .json(&serde_json::json!({"email": "y@brokera.example", "name": "Y", "role": "owner"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);

    // The console: staff only.
    let res = http.get(api("/console/search?q=broker")).bearer_auth(&a_tok).send().await.unwrap();
    assert_eq!(res.status(), 403);
    let staff_tok = t.token(common::STAFF).await;
    let found: serde_json::Value =
        http.get(api("/console/search?q=brokerb")).bearer_auth(&staff_tok).send().await.unwrap().json().await.unwrap();
    assert_eq!(found["users"][0]["email"], BROKER_B);
    // Lock broker B by failed logins, then unlock through the console.
    for _ in 0..5 {
        let failed =
            app::portal::login::password(&t.app, BROKER_B, "wrong password!!", &app::portal::auth::Client::default())
                .await;
        assert!(failed.is_err());
    }
    let detail: serde_json::Value = http
        .get(api(&format!("/console/users/{}", b_user.id)))
        .bearer_auth(&staff_tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(detail["user"]["locked_until"].is_string(), "{detail}");
    assert!(detail["recent_logins"].as_array().unwrap().iter().any(|l| l["outcome"] == "password-failed"));
    let res =
        http.post(api(&format!("/console/users/{}/unlock", b_user.id))).bearer_auth(&staff_tok).send().await.unwrap();
    assert_eq!(res.status(), 204);
    let ok = app::portal::login::password(&t.app, BROKER_B, PASSWORD, &app::portal::auth::Client::default()).await;
    assert!(ok.is_ok(), "unlocked: {ok:?}");
    let detail: serde_json::Value = http
        .get(api(&format!("/console/users/{}", b_user.id)))
        .bearer_auth(&staff_tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(detail["trail"].as_array().unwrap().iter().any(|e| e["action"] == "user.unlocked"));
}

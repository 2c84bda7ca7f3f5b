//! Pages over real HTTP: login, CSRF, permissions with reasons, security headers, operations.

use crate::common;

use common::{BROKER_A, BROKER_B, PASSWORD, csrf_of, spawn};

fn form(number: &str, email: &str, csrf: &str) -> Vec<(String, String)> {
    [
        ("csrf", csrf),
        ("importer_number", number),
        ("name", "Acme Imports Inc"),
        ("company_type", "corporation"),
        ("number_uses", "importer_of_record"),
        ("number_uses", "consignee"),
        ("physical_line1", "1 Main St"),
        ("physical_city", "Baltimore"),
        ("physical_state", "MD"),
        ("physical_postal_code", "21201"),
        ("email", email),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

#[tokio::test]
async fn login_create_error_fix_and_history() {
    let t = spawn().await;
    let c = t.browser_client(BROKER_A).await;
    let page = c.get(format!("{}/importers/new", t.base)).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&page);

    // The broker's own email: the form comes back with the field error and a summary link.
    let res =
        c.post(format!("{}/importers", t.base)).form(&form("12-345678900", BROKER_A, &csrf)).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"error-summary\""));
    assert!(html.contains("href=\"#email\""));
    assert!(html.contains("own email (an address at the company"), "{html}");
    // What was typed is kept, including both checkboxes.
    assert!(html.contains("value=\"12-345678900\""));
    assert!(html.contains("value=\"consignee\" checked"));

    let res = c
        .post(format!("{}/importers", t.base))
        .form(&form("12-345678900", "ops@acme.example", &csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    let html = c.get(format!("{}{loc}", t.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("The importer record was created."));
    assert!(html.contains("Importer of Record, Consignee"));
    assert!(html.contains("created"));
}

#[tokio::test]
async fn posts_without_csrf_token_are_refused() {
    let t = spawn().await;
    let c = t.browser_client(BROKER_A).await;
    let res = c
        .post(format!("{}/importers", t.base))
        .form(&form("12-345678900", "ops@acme.example", &"0".repeat(64)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(store::importers::count(&t.app.db.conn).await.unwrap(), 0);
    // Login form too.
    let anon = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let res = anon
        .post(format!("{}/login", t.base))
        .form(&[("csrf", ""), ("email", BROKER_A), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn wrong_password_and_anonymous_access() {
    let t = spawn().await;
    let anon =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = anon.get(format!("{}/importers", t.base)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
    let page = anon.get(format!("{}/login", t.base)).send().await.unwrap().text().await.unwrap();
    let res = anon
        .post(format!("{}/login", t.base))
        .form(&[("csrf", csrf_of(&page).as_str()), ("email", BROKER_A), ("password", "wrong password here")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("email or password is not right"));
}

#[tokio::test]
async fn broker_editing_anothers_record_gets_403_with_reason() {
    let t = spawn().await;
    let a = t.browser_client(BROKER_A).await;
    let page = a.get(format!("{}/importers/new", t.base)).send().await.unwrap().text().await.unwrap();
    let res = a
        .post(format!("{}/importers", t.base))
        .form(&form("12-345678900", "ops@acme.example", &csrf_of(&page)))
        .send()
        .await
        .unwrap();
    let loc = res.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_string();

    let b = t.browser_client(BROKER_B).await;
    let res = b.get(format!("{}{loc}/edit", t.base)).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("filed by another broker"));
    let view = b.get(format!("{}{loc}", t.base)).send().await.unwrap().text().await.unwrap();
    let res = b
        .post(format!("{}{loc}", t.base))
        .form(&form("12-345678900", "evil@x.example", &csrf_of(&view)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let t = spawn().await;
    let c = t.browser_client(BROKER_A).await;
    let page = c.get(format!("{}/importers", t.base)).send().await.unwrap().text().await.unwrap();
    let res = c.post(format!("{}/logout", t.base)).form(&[("csrf", csrf_of(&page))]).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let res = c.get(format!("{}/importers", t.base)).send().await.unwrap();
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn security_headers_health_and_metrics() {
    let t = spawn().await;
    let res = reqwest::get(format!("{}/login", t.base)).await.unwrap();
    let h = res.headers();
    assert!(h["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(h.get("x-request-id").is_some());
    assert!(h.get("strict-transport-security").is_none(), "no HSTS over plain http");
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));

    let res = reqwest::get(format!("{}/healthz", t.base)).await.unwrap();
    assert_eq!(res.status(), 200);
    let metrics = reqwest::get(format!("{}/metrics", t.base)).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("http_requests_total"));
    assert!(metrics.contains("route=\"/login\""));
    assert!(metrics.contains("db_pool_connections"));
    let css = reqwest::get(format!("{}/assets/uswds/css/uswds.min.css", t.base)).await.unwrap();
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["content-type"], "text/css");
}

#[tokio::test]
async fn https_public_url_turns_on_hsts_and_secure_cookies() {
    let t = spawn().await;
    // A second server on the same database, configured as reached over HTTPS (behind a TLS proxy).
    let state = web::AppState::new(
        t.app.clone(),
        web::WebConfig { public_url: "https://refunds.example".into(), ..Default::default() },
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { web::serve(state, listener).await.unwrap() });
    let res = reqwest::get(format!("{base}/login")).await.unwrap();
    assert!(res.headers()["strict-transport-security"].to_str().unwrap().contains("max-age"));
    assert!(res.headers()["set-cookie"].to_str().unwrap().contains("Secure"));
}

/// Fills a route template's `{name}` segments with a placeholder, so the request reaches the
/// route (the CSRF check runs before the handler ever looks at the id).
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|seg| if seg.starts_with('{') && seg.ends_with('}') { "1" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

/// Every state-changing page route, read from the router's own list (not a hand-written one),
/// refuses a form with no token, an empty one or a wrong one, as URL-encoded and as multipart,
/// from a logged-in CBP staff user (who may reach every route). The right token gets past the
/// check (the handler then answers whatever it answers).
#[tokio::test]
async fn every_state_changing_page_route_checks_the_csrf_token() {
    let t = spawn().await;
    let c = t.browser_client(common::STAFF).await;
    let page = c.get(format!("{}/profile", t.base)).send().await.unwrap().text().await.unwrap();
    let good = csrf_of(&page);
    let routes: Vec<_> = web::page_routes().into_iter().filter(|r| r.method != reqwest::Method::GET).collect();
    assert!(routes.len() >= 25, "the router lists {} state-changing page routes", routes.len());
    let wrong = "0".repeat(64);
    for r in &routes {
        let url = format!("{}{}", t.base, concrete(r.path));
        let attempts: Vec<(&str, reqwest::RequestBuilder)> = vec![
            ("no token", c.request(r.method.clone(), &url).form(&[("x", "1")])),
            ("empty token", c.request(r.method.clone(), &url).form(&[("csrf", "")])),
            ("wrong token", c.request(r.method.clone(), &url).form(&[("csrf", wrong.as_str())])),
            (
                "wrong token, multipart",
                c.request(r.method.clone(), &url)
                    .multipart(reqwest::multipart::Form::new().text("csrf", wrong.clone()).text("x", "1")),
            ),
            ("wrong header", c.request(r.method.clone(), &url).header("x-csrf-token", wrong.as_str())),
        ];
        for (what, req) in attempts {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), 403, "{} {} with {what}", r.method, r.path);
            let body = res.text().await.unwrap();
            assert!(body.contains("Form expired"), "{} {} with {what}: {body}", r.method, r.path);
        }
    }
    // Past the check with the right token: whatever the handler says, it is not the CSRF refusal.
    // Logout last, since it ends the session the other routes use.
    let (logout, others): (Vec<_>, Vec<_>) = routes.iter().partition(|r| r.path == "/logout");
    for r in others.into_iter().chain(logout) {
        let url = format!("{}{}", t.base, concrete(r.path));
        let res = c.request(r.method.clone(), &url).form(&[("csrf", good.as_str())]).send().await.unwrap();
        let body = res.text().await.unwrap();
        assert!(!body.contains("Form expired"), "{} {} refused a good token", r.method, r.path);
    }
}

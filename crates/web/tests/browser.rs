//! Browser tests: a real chromium (Debian `chromium` + `chromium-driver`) driven through fantoccini
//! against a real server, with axe-core checking every page visited.
//!
//! Gated by `ACE_BROWSER_TESTS=1` so that `cargo test` passes on a machine without chromium; when the
//! variable is set, a missing chromium, chromedriver or axe-core is a failure, not a skip.
//! `scripts/install-browser-deps.sh` installs the browser; `cd web-assets && npm ci` installs axe-core.

mod common;

use std::future::Future;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{BROKER_A, BROKER_B, PASSWORD, TestApp};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The longest any single wait (element, page load, driver start) may take.
const WAIT: Duration = Duration::from_secs(20);
/// How often the waits poll.
const POLL: Duration = Duration::from_millis(50);

fn enabled() -> bool {
    if std::env::var("ACE_BROWSER_TESTS").as_deref() == Ok("1") {
        return true;
    }
    eprintln!(
        "note: browser tests skipped; set ACE_BROWSER_TESTS=1 to run them \
         (needs {CHROMIUM} and {CHROMEDRIVER}: scripts/install-browser-deps.sh)"
    );
    false
}

// ---------------------------------------------------------------------------------------------
// chromedriver + chromium session
// ---------------------------------------------------------------------------------------------

/// A chromedriver process on a free port, killed when dropped (also when the test panics).
///
/// chromedriver runs in a process group of its own, which the chromium it launches joins; dropping
/// the guard kills that whole group, since chromium outlives a killed chromedriver otherwise.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group id is chromedriver's pid (process_group(0) below), never this test's own group.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("/usr/bin/kill")
            .args(["-s", "KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Driver {
    async fn start() -> Driver {
        for bin in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                Path::new(bin).exists(),
                "ACE_BROWSER_TESTS=1 but {bin} is missing; run scripts/install-browser-deps.sh"
            );
        }
        let port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
        let mut driver = Driver { child, url: format!("http://127.0.0.1:{port}") };
        // Wait until chromedriver answers its status endpoint with ready = true.
        let http = reqwest::Client::new();
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = driver.child.try_wait().unwrap() {
                panic!("{CHROMEDRIVER} exited early with {status}");
            }
            if let Ok(res) = http.get(format!("{}/status", driver.url)).send().await
                && let Ok(body) = res.json::<Value>().await
                && body["value"]["ready"] == json!(true)
            {
                return driver;
            }
            assert!(Instant::now() < deadline, "{CHROMEDRIVER} did not answer on port {port} within {WAIT:?}");
            tokio::time::sleep(POLL).await;
        }
    }

    async fn session(&self, profile: &Path) -> Client {
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.display()),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), json!({ "binary": CHROMIUM, "args": args }));
        // Both ring and aws-lc-rs are compiled in (sqlx, reqwest), so rustls needs to be told which
        // provider to use; an error only means another test already installed it.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let client = ClientBuilder::rustls()
            .expect("rustls client")
            .capabilities(caps)
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("cannot open a chromium session through {CHROMEDRIVER}: {e}"));
        // A desktop width, so the USWDS header shows its full navigation.
        client.set_window_size(1280, 1024).await.unwrap();
        client
    }
}

/// Runs `flow` with a fresh browser session; the session and chromedriver are shut down whether the
/// flow passes or panics, and the flow's panic is then re-raised.
async fn with_browser<F, Fut>(flow: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.session(profile.path()).await;
    let outcome = tokio::spawn(flow(client.clone())).await;
    // Closing can fail when the flow already broke the session; the driver's process group is
    // killed below either way, so the outcome of the flow is what the test reports.
    if let Err(e) = client.close().await {
        eprintln!("closing the browser session failed: {e}");
    }
    drop(driver);
    drop(profile);
    if let Err(e) = outcome {
        match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("browser flow did not finish: {e}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Page helpers
// ---------------------------------------------------------------------------------------------

async fn find(c: &Client, css: &str) -> Element {
    match c.wait().at_most(WAIT).every(POLL).for_element(Locator::Css(css)).await {
        Ok(el) => el,
        Err(e) => panic!("no element `{css}` on {}: {e}", url_of(c).await),
    }
}

async fn url_of(c: &Client) -> String {
    c.current_url().await.map(|u| u.to_string()).unwrap_or_else(|e| format!("<no url: {e}>"))
}

async fn text(c: &Client, css: &str) -> String {
    find(c, css).await.text().await.unwrap()
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
}

async fn goto(c: &Client, base: &str, path: &str) {
    c.goto(&format!("{base}{path}")).await.unwrap();
}

/// Clicks `el` (a submit button or link) and waits until a new document has replaced the current
/// one and finished loading.
async fn click_to_new_page(c: &Client, el: Element) {
    js(c, "window.__aceOldPage = true; return null;").await;
    el.click().await.unwrap();
    let deadline = Instant::now() + WAIT;
    loop {
        // While the navigation is in flight the script may fail; that just means "not yet".
        if let Ok(Value::Bool(true)) =
            c.execute("return window.__aceOldPage !== true && document.readyState === 'complete';", vec![]).await
        {
            return;
        }
        assert!(Instant::now() < deadline, "no new page loaded within {WAIT:?} (still at {})", url_of(c).await);
        tokio::time::sleep(POLL).await;
    }
}

/// Polls `script` until it returns `expected`; fails with the last value after [`WAIT`].
async fn wait_for_js(c: &Client, script: &str, expected: Value, what: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let got = js(c, script).await;
        if got == expected {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: expected {expected}, got {got} (at {})", url_of(c).await);
        tokio::time::sleep(POLL).await;
    }
}

/// Replaces the value of the input with id `id` by typing, as a user would.
async fn fill(c: &Client, id: &str, value: &str) {
    let el = find(c, &format!("#{id}")).await;
    el.clear().await.unwrap();
    el.send_keys(value).await.unwrap();
    assert_eq!(el.prop("value").await.unwrap().as_deref(), Some(value), "typing into #{id}");
}

async fn value_of(c: &Client, id: &str) -> String {
    find(c, &format!("#{id}")).await.prop("value").await.unwrap().unwrap_or_default()
}

fn axe_source() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web-assets/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {} ({e}); run `cd web-assets && npm ci`", path.display()))
}

/// Injects axe-core into the current page, runs it, and fails with a readable list of every violation.
async fn assert_accessible(c: &Client, axe: &str, page: &str) {
    if js(c, "return typeof window.axe === 'undefined';").await == json!(true) {
        c.execute(axe, vec![]).await.unwrap_or_else(|e| panic!("injecting axe-core into {page}: {e}"));
    }
    let result = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
                .then(r => done({ ok: true, violations: r.violations, rules: r.passes.length + r.violations.length }))
                .catch(e => done({ ok: false, error: String(e) }));",
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("running axe-core on {page}: {e}"));
    assert_eq!(result["ok"], json!(true), "axe-core failed on {page}: {}", result["error"]);
    assert!(result["rules"].as_u64().unwrap_or(0) > 0, "axe-core checked nothing on {page}");
    let violations = result["violations"].as_array().cloned().unwrap_or_default();
    if violations.is_empty() {
        return;
    }
    let mut report = format!("axe-core found {} violation(s) on {page} ({}):\n", violations.len(), url_of(c).await);
    for v in &violations {
        report.push_str(&format!(
            "- [{}] {}: {}\n  {}\n",
            v["impact"].as_str().unwrap_or("?"),
            v["id"].as_str().unwrap_or("?"),
            v["help"].as_str().unwrap_or(""),
            v["helpUrl"].as_str().unwrap_or("")
        ));
        for n in v["nodes"].as_array().into_iter().flatten() {
            report.push_str(&format!(
                "    at {}\n      {}\n      {}\n",
                n["target"],
                n["html"].as_str().unwrap_or(""),
                n["failureSummary"].as_str().unwrap_or("").replace('\n', "\n      ")
            ));
        }
    }
    panic!("{report}");
}

/// Describes an element for focus-order comparisons: its id, or its tag and text.
const DESCRIBE: &str = "window.__aceDescribe = e => !e || e === document.body ? '<body>' \
     : (e.id ? '#' + e.id : e.tagName.toLowerCase() + ':' + e.textContent.trim());";

/// Checks that keyboard focus moves through the form's controls in document (= visual) order,
/// starting at `first`, and that nothing on the page uses a positive tabindex.
async fn assert_focus_order(c: &Client, form_css: &str, first: &str, page: &str) {
    js(c, DESCRIBE).await;
    let positive =
        js(c, "return Array.from(document.querySelectorAll('[tabindex]')).filter(e => e.tabIndex > 0).length;").await;
    assert_eq!(positive, json!(0), "{page}: elements with a positive tabindex break the focus order");
    let expected = c
        .execute(
            "return Array.from(document.querySelector(arguments[0]).querySelectorAll(
                 'input:not([type=hidden]), select, textarea, button, a[href]'))
               .filter(e => !e.disabled)
               .map(window.__aceDescribe);",
            vec![json!(form_css)],
        )
        .await
        .unwrap_or_else(|e| panic!("{page}: listing the controls of `{form_css}`: {e}"));
    let expected: Vec<String> = serde_json::from_value(expected).unwrap();
    assert!(expected.len() > 3, "{page}: form has too few controls: {expected:?}");
    assert_eq!(expected[0], format!("#{first}"), "{page}: first control of the form");
    find(c, &format!("#{first}")).await.click().await.unwrap();
    let mut actual =
        vec![js(c, "return window.__aceDescribe(document.activeElement);").await.as_str().unwrap().to_string()];
    for _ in 1..expected.len() {
        c.active_element().await.unwrap().send_keys(&Key::Tab.to_string()).await.unwrap();
        actual.push(js(c, "return window.__aceDescribe(document.activeElement);").await.as_str().unwrap().to_string());
    }
    assert_eq!(actual, expected, "{page}: Tab order differs from the order of the form's controls");
}

async fn log_in(c: &Client, t: &TestApp, axe: &str, email: &str) {
    goto(c, &t.base, "/login").await;
    assert_eq!(text(c, "h1").await, "Log in");
    assert_accessible(c, axe, "the login page").await;
    fill(c, "email", email).await;
    fill(c, "password", PASSWORD).await;
    click_to_new_page(c, find(c, "form[action='/login'] button[type=submit]").await).await;
    // The second factor: the code mailed to the user.
    assert_eq!(c.current_url().await.unwrap().path(), "/login/code");
    assert_accessible(c, axe, "the security code page").await;
    fill(c, "code", &t.last_code(email)).await;
    click_to_new_page(c, find(c, "form[action='/login/code'] button[type=submit]").await).await;
    let url = c.current_url().await.unwrap();
    assert_eq!(url.path(), "/importers", "after logging in as {email}");
    assert!(text(c, "header").await.contains(email), "header names the signed-in user {email}");
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

/// A broker logs in, creates a 5106 record, is told it may not use its own email, fixes it, updates
/// the physical address and sees the change in the record's history; every page passes axe-core.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_creates_corrects_and_updates_a_record() {
    if !enabled() {
        return;
    }
    let axe = axe_source();
    let t = common::spawn().await;
    with_browser(move |c| async move {
        // Log in as a broker; the search page.
        log_in(&c, &t, &axe, BROKER_A).await;
        assert_accessible(&c, &axe, "the importer search page").await;

        // The new-record form, reached through the navigation.
        click_to_new_page(&c, find(&c, "nav a[href='/importers/new']").await).await;
        assert_eq!(text(&c, "h1").await, "New importer record");
        assert_accessible(&c, &axe, "the new record form").await;
        assert_focus_order(&c, "form[action='/importers']", "importer_number", "the new record form").await;

        // Fill it in with the broker's own email.
        fill(&c, "importer_number", "12-345678900").await;
        fill(&c, "name", "Acme Imports Inc").await;
        find(&c, "#company_type").await.select_by_value("corporation").await.unwrap();
        let use_box = find(&c, "#use-importer_of_record").await;
        if !use_box.is_selected().await.unwrap() {
            find(&c, "label[for='use-importer_of_record']").await.click().await.unwrap();
        }
        assert!(use_box.is_selected().await.unwrap(), "importer-of-record use is checked");
        fill(&c, "physical_line1", "1 Main St").await;
        fill(&c, "physical_city", "Baltimore").await;
        fill(&c, "physical_state", "MD").await;
        fill(&c, "physical_postal_code", "21201").await;
        fill(&c, "email", BROKER_A).await;
        click_to_new_page(&c, find(&c, "form[action='/importers'] button[type=submit]").await).await;

        // The form comes back with an error summary linking to the email field.
        assert_eq!(c.current_url().await.unwrap().path(), "/importers");
        let summary = find(&c, "#error-summary").await;
        assert_eq!(summary.attr("role").await.unwrap().as_deref(), Some("alert"));
        // Keyboard and screen-reader users start at the summary, not at the top of the page.
        wait_for_js(&c, "return document.activeElement.id;", json!("error-summary"), "focus on the error summary")
            .await;
        let summary_text = summary.text().await.unwrap();
        assert!(summary_text.contains("There is a problem to fix"), "summary: {summary_text}");
        let links = summary.find_all(Locator::Css("a")).await.unwrap();
        assert_eq!(links.len(), 1, "one error, one link: {summary_text}");
        assert_eq!(links[0].attr("href").await.unwrap().as_deref(), Some("#email"));
        let field_error = text(&c, "#email-error").await;
        assert!(field_error.contains("importer's own email"), "field error: {field_error}");
        assert_eq!(links[0].text().await.unwrap(), field_error, "summary link repeats the field's message");
        let email = find(&c, "#email").await;
        assert_eq!(email.attr("aria-invalid").await.unwrap().as_deref(), Some("true"));
        let described = email.attr("aria-describedby").await.unwrap().unwrap_or_default();
        assert!(
            described.split(' ').any(|id| id == "email-error"),
            "email input is described by its error: {described}"
        );
        // The entered values are kept.
        assert_eq!(value_of(&c, "email").await, BROKER_A);
        assert_eq!(value_of(&c, "name").await, "Acme Imports Inc");
        assert_eq!(value_of(&c, "physical_line1").await, "1 Main St");
        assert_eq!(value_of(&c, "company_type").await, "corporation");
        assert_accessible(&c, &axe, "the new record form with an error").await;

        // By keyboard: from the focused summary, Tab reaches its link and Enter moves focus to the input.
        c.active_element().await.unwrap().send_keys(&Key::Tab.to_string()).await.unwrap();
        wait_for_js(
            &c,
            "const a = document.activeElement;
             return a.closest('#error-summary') !== null ? a.getAttribute('href') : a.outerHTML;",
            json!("#email"),
            "Tab from the error summary",
        )
        .await;
        c.active_element().await.unwrap().send_keys(&Key::Enter.to_string()).await.unwrap();
        wait_for_js(
            &c,
            "const t = document.querySelector(':target');
             return [location.hash, t && t.id, document.activeElement.id];",
            json!(["#email", "email", "email"]),
            "[hash, :target id, focused id] after following the summary link",
        )
        .await;
        assert_focus_order(&c, "form[action='/importers']", "importer_number", "the form with an error").await;

        // Fix the email and submit again.
        fill(&c, "email", "ops@acme.example").await;
        click_to_new_page(&c, find(&c, "form[action='/importers'] button[type=submit]").await).await;
        let url = c.current_url().await.unwrap();
        let id: i64 = url
            .path()
            .strip_prefix("/importers/")
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("record page expected, got {url}"));
        assert_eq!(url.query(), Some("saved=created"));
        assert_eq!(text(&c, ".usa-alert--success").await, "The importer record was created.");
        assert_eq!(text(&c, "h1").await, "Acme Imports Inc");
        let record = text(&c, "main dl").await;
        assert!(record.contains("ops@acme.example"), "record: {record}");
        assert!(record.contains("1 Main St"), "record: {record}");
        assert!(text(&c, "main").await.contains("12-345678900"));
        assert_accessible(&c, &axe, "the new record's page").await;

        // Update the physical address.
        click_to_new_page(&c, find(&c, &format!("a[href='/importers/{id}/edit']")).await).await;
        assert_eq!(c.current_url().await.unwrap().path(), format!("/importers/{id}/edit"));
        assert_eq!(value_of(&c, "physical_line1").await, "1 Main St");
        assert_eq!(value_of(&c, "email").await, "ops@acme.example");
        assert_accessible(&c, &axe, "the update form").await;
        fill(&c, "physical_line1", "200 Harbor Way").await;
        click_to_new_page(&c, find(&c, &format!("form[action='/importers/{id}'] button[type=submit]")).await).await;
        let url = c.current_url().await.unwrap();
        assert_eq!((url.path(), url.query()), (format!("/importers/{id}").as_str(), Some("saved=updated")));
        assert_eq!(text(&c, ".usa-alert--success").await, "Your changes were saved.");
        let record = text(&c, "main dl").await;
        assert!(record.contains("200 Harbor Way"), "record shows the new address: {record}");
        assert!(!record.contains("1 Main St"), "record no longer shows the old address: {record}");

        // The history lists the update with the old and new values.
        let rows = c.find_all(Locator::Css("table.ace-history tbody tr")).await.unwrap();
        let mut cells = Vec::new();
        for r in &rows {
            let tds = r.find_all(Locator::Css("td")).await.unwrap();
            let mut row = Vec::new();
            for td in tds {
                row.push(td.text().await.unwrap());
            }
            cells.push(row);
        }
        assert!(cells.len() >= 2, "history has the creation and the update: {cells:?}");
        let updated = cells
            .iter()
            .find(|r| r.get(2).map(String::as_str) == Some("updated"))
            .unwrap_or_else(|| panic!("no 'updated' row in the history: {cells:?}"));
        assert!(!updated[1].is_empty(), "the update row names who made it: {updated:?}");
        assert!(
            updated[3].lines().any(|l| l.contains("physical_line1") && l.contains("1 Main St → 200 Harbor Way")),
            "the update row shows physical_line1 old → new: {updated:?}"
        );
        assert!(cells.iter().any(|r| r.get(2).map(String::as_str) == Some("created")), "creation row: {cells:?}");
        assert_accessible(&c, &axe, "the updated record's page").await;
    })
    .await;
}

/// A broker opening the update form of a record another broker filed gets a 403 page that says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_broker_is_refused_with_a_reason() {
    if !enabled() {
        return;
    }
    let axe = axe_source();
    let t = common::spawn().await;
    // Broker A files the record through the API.
    let tok = t.token(BROKER_A).await;
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/importers", t.base))
        .bearer_auth(&tok)
        .json(&common::importer_json("12-345678900", "ops@acme.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // The status code, seen by a plain HTTP client logged in as broker B.
    let b = t.browser_client(BROKER_B).await;
    let res = b.get(format!("{}/importers/{id}/edit", t.base)).send().await.unwrap();
    assert_eq!(res.status(), 403);

    with_browser(move |c| async move {
        let base = t.base.as_str();
        log_in(&c, &t, &axe, BROKER_B).await;

        // The record page offers no update, and says why.
        goto(&c, base, &format!("/importers/{id}")).await;
        assert_eq!(text(&c, "h1").await, "Acme Imports Inc");
        assert!(
            c.find_all(Locator::Css(&format!("a[href='/importers/{id}/edit']"))).await.unwrap().is_empty(),
            "no update link for another broker's record"
        );
        let hint = text(&c, ".ace-actions .usa-hint").await;
        assert!(hint.contains("filed by another broker"), "record page explains: {hint}");
        assert_accessible(&c, &axe, "another broker's record page").await;

        // Opening the update form directly is refused with the reason.
        goto(&c, base, &format!("/importers/{id}/edit")).await;
        assert_eq!(text(&c, "h1").await, "You may not do this");
        let alert = find(&c, "main .usa-alert--error").await;
        assert_eq!(alert.attr("role").await.unwrap().as_deref(), Some("alert"));
        let why = alert.text().await.unwrap();
        assert!(
            why.contains("filed by another broker") && why.contains("only its filing broker or CBP staff"),
            "403 page says why: {why}"
        );
        assert!(
            c.find_all(Locator::Css("form[action^='/importers']")).await.unwrap().is_empty(),
            "no form on the 403 page"
        );
        assert_accessible(&c, &axe, "the 403 page").await;
    })
    .await;
}

/// The whole road of a new importer: apply, read the code the 5106 contact received, verify,
/// set a password, enrol an authenticator app, log out, log in with it, invite an Account User
/// with read-only ACH access; that user accepts, logs in with an emailed code and sees only what
/// was granted. axe-core checks every page on the way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_importer_applies_enrols_and_invites_a_user() {
    if !enabled() {
        return;
    }
    const CONTACT: &str = "treasury@acme.example";
    const OWNER: &str = "ana@acme.example";
    const CLERK: &str = "clerk@acme.example";
    let axe = axe_source();
    let t = common::spawn().await;
    let tok = t.token(common::STAFF).await;
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/importers", t.base))
        .bearer_auth(&tok)
        .json(&common::importer_json("12-345678900", CONTACT))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    with_browser(move |c| async move {
        let base = t.base.as_str();
        // Apply.
        goto(&c, base, "/apply").await;
        assert_eq!(text(&c, "h1").await, "Apply for a portal account");
        assert_accessible(&c, &axe, "the application form").await;
        fill(&c, "company_name", "ACME IMPORTS INC.").await;
        fill(&c, "importer_number", "12-345678900").await;
        fill(&c, "requester_name", "Ana Lopez").await;
        fill(&c, "requester_email", OWNER).await;
        click_to_new_page(&c, find(&c, "form[action='/apply'] button[type=submit]").await).await;

        // The code went to the 5106 contact, and the page says where (masked).
        assert!(url_of(&c).await.ends_with("/verify"), "on the verify page");
        assert!(text(&c, "main").await.contains("t***@acme.example"));
        assert_accessible(&c, &axe, "the verify page").await;
        fill(&c, "code", &t.last_code(CONTACT)).await;
        click_to_new_page(&c, find(&c, "form[action$='/verify'] button[type=submit]").await).await;

        // Set a password.
        assert_eq!(c.current_url().await.unwrap().path(), "/set-password");
        assert_accessible(&c, &axe, "the set-password page").await;
        fill(&c, "password", PASSWORD).await;
        fill(&c, "confirm", PASSWORD).await;
        click_to_new_page(&c, find(&c, "form[action='/set-password'] button[type=submit]").await).await;

        // Choose an authenticator app.
        assert_eq!(c.current_url().await.unwrap().path(), "/second-factor/setup");
        assert_accessible(&c, &axe, "the second-factor choice").await;
        click_to_new_page(&c, find(&c, "form[action='/second-factor/setup/totp'] button").await).await;
        assert_accessible(&c, &axe, "the authenticator set-up page").await;
        assert!(find(&c, ".ace-qr svg").await.is_displayed().await.unwrap(), "the QR code is shown");
        let secret: String = text(&c, "#totp-secret").await.split_whitespace().collect();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        fill(&c, "code", &app::totp::code_at(&secret, now).unwrap()).await;
        click_to_new_page(&c, find(&c, "form[action='/second-factor/setup/totp/confirm'] button").await).await;

        // Recovery codes, then the account.
        assert_eq!(c.find_all(Locator::Css("#recovery-codes li")).await.unwrap().len(), 10);
        assert_accessible(&c, &axe, "the recovery codes page").await;
        click_to_new_page(&c, find(&c, "main a.usa-button").await).await;
        assert_eq!(c.current_url().await.unwrap().path(), "/account");
        assert_accessible(&c, &axe, "the account overview").await;
        click_to_new_page(&c, find(&c, "a[href^='/account/sub/']").await).await;
        assert!(text(&c, "main").await.contains("12-345678900"));
        assert_accessible(&c, &axe, "the Importer sub-account").await;

        // Log out, log in again with the app (the next 30-second code: the one used at enrolment
        // is refused as a replay).
        click_to_new_page(&c, find(&c, "form[action='/logout'] button").await).await;
        assert_eq!(c.current_url().await.unwrap().path(), "/login");
        fill(&c, "email", OWNER).await;
        fill(&c, "password", PASSWORD).await;
        click_to_new_page(&c, find(&c, "form[action='/login'] button[type=submit]").await).await;
        assert_eq!(c.current_url().await.unwrap().path(), "/login/code");
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        fill(&c, "code", &app::totp::code_at(&secret, now + 30).unwrap()).await;
        click_to_new_page(&c, find(&c, "form[action='/login/code'] button[type=submit]").await).await;
        assert_eq!(c.current_url().await.unwrap().path(), "/account");

        // Invite an Account User with read-only ACH access.
        click_to_new_page(&c, find(&c, "nav a[href='/account/users']").await).await;
        assert_accessible(&c, &axe, "the users page").await;
        fill(&c, "name", "Carl Clerk").await;
        fill(&c, "email", CLERK).await;
        let ach = find(&c, "select[id^='ach_']").await;
        ach.select_by_value("read-only").await.unwrap();
        click_to_new_page(&c, find(&c, "form[action='/account/users'] button[type=submit]").await).await;
        assert!(text(&c, "main").await.contains("Invitation sent"));
        assert!(text(&c, "main table").await.contains(CLERK));
        click_to_new_page(&c, find(&c, "form[action='/logout'] button").await).await;

        // The clerk accepts the invitation and enrols email codes.
        let link_text = t.last_mail(CLERK).rendered.text;
        let at = link_text.find("/invitation/").expect("invitation link");
        let link: String = link_text[at..].chars().take_while(|ch| !ch.is_whitespace()).collect();
        goto(&c, base, &link).await;
        assert_eq!(c.current_url().await.unwrap().path(), "/set-password");
        fill(&c, "password", "quiet river lantern").await;
        fill(&c, "confirm", "quiet river lantern").await;
        click_to_new_page(&c, find(&c, "form[action='/set-password'] button[type=submit]").await).await;
        click_to_new_page(&c, find(&c, "form[action='/second-factor/setup/email'] button").await).await;
        assert_accessible(&c, &axe, "the email code confirmation").await;
        fill(&c, "code", &t.last_code(CLERK)).await;
        click_to_new_page(&c, find(&c, "form[action='/second-factor/setup/email/confirm'] button").await).await;
        click_to_new_page(&c, find(&c, "main a.usa-button").await).await;
        assert_eq!(c.current_url().await.unwrap().path(), "/account");

        // Only what was granted: no users page, a read-only ACH tab.
        assert!(c.find_all(Locator::Css("nav a[href='/account/users']")).await.unwrap().is_empty());
        click_to_new_page(&c, find(&c, "a[href^='/account/sub/']").await).await;
        click_to_new_page(&c, find(&c, "a[href$='/ach']").await).await;
        assert!(text(&c, "main").await.contains("Read-Only"));
        assert_accessible(&c, &axe, "the ACH tab, read-only").await;
        goto(&c, base, "/account/users").await;
        assert_eq!(text(&c, "h1").await, "You may not do this");
        goto(&c, base, "/importers").await;
        assert_eq!(text(&c, "h1").await, "You may not do this");
    })
    .await;
}

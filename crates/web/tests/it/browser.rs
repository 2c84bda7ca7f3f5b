//! Browser tests: a real chromium (Debian `chromium` + `chromium-driver`) driven through fantoccini
//! against a real server, with axe-core checking every page visited.
//!
//! Gated by `ACE_BROWSER_TESTS=1` so that `cargo test` passes on a machine without chromium; when the
//! variable is set, a missing chromium, chromedriver or axe-core is a failure, not a skip.
//! `scripts/install-browser-deps.sh` installs the browser; `cd web-assets && npm ci` installs axe-core.

use crate::common;

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
    log_in_to(c, t, axe, email, "/importers", email).await;
}

/// Logs in with password and the mailed code; `home` is where the user lands, and the header
/// then shows `shown` (the user's name or email).
async fn log_in_to(c: &Client, t: &TestApp, axe: &str, email: &str, home: &str, shown: &str) {
    goto(c, &t.base, "/login").await;
    assert_eq!(text(c, "h1").await, "Log in");
    assert_accessible(c, axe, "the login page").await;
    fill(c, "email", email).await;
    fill(c, "password", PASSWORD).await;
    click_to_new_page(c, find(c, "form[action='/login'] button[type=submit]").await).await;
    // The second factor: the code mailed to the user.
    assert_eq!(c.current_url().await.unwrap().path(), "/login/code");
    assert_accessible(c, axe, "the security code page").await;
    fill(c, "code", &t.last_code(email).await).await;
    click_to_new_page(c, find(c, "form[action='/login/code'] button[type=submit]").await).await;
    let url = c.current_url().await.unwrap();
    assert_eq!(url.path(), home, "after logging in as {email}");
    assert!(text(c, "header").await.contains(shown), "header names the signed-in user {shown}");
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

/// On a narrow screen (a phone, or a window below USWDS's 1024-pixel desktop width) the header's
/// navigation folds behind a Menu button; the button opens it, its links work, Close folds it
/// again. axe-core checks the page with the menu open and closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_navigation_opens_from_a_menu_button_on_a_narrow_screen() {
    if !enabled() {
        return;
    }
    let axe = axe_source();
    let t = common::spawn().await;
    with_browser(move |c| async move {
        log_in(&c, &t, &axe, BROKER_A).await;
        c.set_window_size(480, 900).await.unwrap();
        let link = "nav a[href='/importers/new']";
        let menu = find(&c, "button.usa-menu-btn").await;
        assert!(menu.is_displayed().await.unwrap(), "the Menu button shows on a narrow screen");
        assert!(!find(&c, link).await.is_displayed().await.unwrap(), "the navigation starts folded");
        assert_accessible(&c, &axe, "the search page on a narrow screen").await;

        open_menu(&c, link).await;
        find(&c, "button.usa-nav__close").await.click().await.unwrap();
        wait_for_js(&c, MENU_OPEN, json!(false), "the navigation closing").await;
        open_menu(&c, link).await;
        assert_accessible(&c, &axe, "the search page with the menu open").await;
        // USWDS folds the menu when focus leaves it, which axe-core's run can do: open it again if
        // so, then follow a link.
        if js(&c, MENU_OPEN).await != json!(true) {
            open_menu(&c, link).await;
        }
        let new_record = find(&c, link).await;
        click_to_new_page(&c, new_record).await;
        assert_eq!(text(&c, "h1").await, "New importer record");
    })
    .await;
}

/// Whether the header's folded navigation is open (USWDS marks it `is-visible`).
const MENU_OPEN: &str = "return document.querySelector('nav.usa-nav').classList.contains('is-visible');";

/// Clicks the header's Menu button and waits until the menu has slid in; it shows `link`.
async fn open_menu(c: &Client, link: &str) {
    find(c, "button.usa-menu-btn").await.click().await.unwrap();
    wait_for_js(c, MENU_OPEN, json!(true), "the navigation opening").await;
    // The menu slides in from the right; until it has, its Close button is off the screen.
    wait_for_js(
        c,
        "const r = document.querySelector('nav.usa-nav').getBoundingClientRect();
         return r.left >= 0 && r.right <= window.innerWidth + 0.5;",
        json!(true),
        "the menu sliding in",
    )
    .await;
    assert!(find(c, link).await.is_displayed().await.unwrap(), "the open menu shows {link}");
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
        fill(&c, "code", &t.last_code(CONTACT).await).await;
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
        fill(&c, "code", &app::portal::totp::code_at(&secret, now).unwrap()).await;
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
        fill(&c, "code", &app::portal::totp::code_at(&secret, now + 30).unwrap()).await;
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
        let link_text = t.last_mail(CLERK).await.rendered.text;
        let at = link_text.find("/invitation/").expect("invitation link");
        let link: String = link_text[at..].chars().take_while(|ch| !ch.is_whitespace()).collect();
        goto(&c, base, &link).await;
        assert_eq!(c.current_url().await.unwrap().path(), "/set-password");
        fill(&c, "password", "quiet river lantern").await;
        fill(&c, "confirm", "quiet river lantern").await;
        click_to_new_page(&c, find(&c, "form[action='/set-password'] button[type=submit]").await).await;
        click_to_new_page(&c, find(&c, "form[action='/second-factor/setup/email'] button").await).await;
        assert_accessible(&c, &axe, "the email code confirmation").await;
        fill(&c, "code", &t.last_code(CLERK).await).await;
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

// ---------------------------------------------------------------------------------------------
// ACH Refund Authorization: enrolment, prenotes, bank replies, notify parties
// ---------------------------------------------------------------------------------------------

/// The `ace-refunds` binary, run as the operator runs it against the server's database, with the
/// server's data key and a scratch data folder (where its mail outbox lands).
///
/// It is found next to the test binary (`target/debug/ace-refunds`, built by `cargo test
/// --workspace` or `cargo build -p ace-refunds`), or at `ACE_BIN`.
struct Operator {
    bin: PathBuf,
    database_url: String,
    data_key: String,
    dir: tempfile::TempDir,
}

impl Operator {
    fn new(t: &TestApp) -> Operator {
        let bin = match std::env::var_os("ACE_BIN") {
            Some(b) => PathBuf::from(b),
            None => {
                let exe = std::env::current_exe().unwrap();
                // target/debug/deps/browser-<hash> -> target/debug/ace-refunds
                exe.parent().and_then(Path::parent).unwrap().join("ace-refunds")
            }
        };
        assert!(
            bin.exists(),
            "{} is missing: build it first (`cargo build -p ace-refunds`, or `cargo test --workspace`), or set ACE_BIN",
            bin.display()
        );
        Operator {
            bin,
            database_url: t.db.url.clone(),
            data_key: t.data_key.clone(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// Runs `ace-refunds ARGS`; returns the exit code and stdout + stderr.
    async fn run(&self, args: &[&str]) -> (Option<i32>, String) {
        let out = tokio::process::Command::new(&self.bin)
            .arg("--database-url")
            .arg(&self.database_url)
            .args(args)
            .env("ACE_DATA_KEY", &self.data_key)
            .env("ACE_DATA_DIR", self.dir.path().join("data"))
            .env("ACE_LOG_LEVEL", "warn")
            .env_remove("ACE_DATA_KEY_FILE")
            .env_remove("DATABASE_URL")
            .stdin(Stdio::null())
            .output()
            .await
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.bin.display()));
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.code(), text)
    }

    async fn ok(&self, args: &[&str]) -> String {
        let (code, text) = self.run(args).await;
        assert_eq!(code, Some(0), "ace-refunds {}:\n{text}", args.join(" "));
        text
    }
}

/// (to, subject, text and HTML) of every mail delivered so far. Mail queued by the binary's
/// commands and by the server alike is delivered by the server's sender (here, on demand), as
/// with `serve`, whose instances share one queue.
async fn delivered(t: &TestApp) -> Vec<(String, String, String)> {
    t.sent().await.into_iter().map(|m| (m.to, m.rendered.subject, m.rendered.text + &m.rendered.html)).collect()
}

/// A new importer applies as the existing test shows, with email codes as second factor, and
/// lands on its account.
async fn apply_as_new_importer(
    c: &Client,
    t: &TestApp,
    axe: &str,
    number: &str,
    company: &str,
    (name, email): (&str, &str),
    contact: &str,
) {
    goto(c, &t.base, "/apply").await;
    assert_accessible(c, axe, "the application form").await;
    fill(c, "company_name", company).await;
    fill(c, "importer_number", number).await;
    fill(c, "requester_name", name).await;
    fill(c, "requester_email", email).await;
    click_to_new_page(c, find(c, "form[action='/apply'] button[type=submit]").await).await;
    assert!(url_of(c).await.ends_with("/verify"), "on the verify page");
    fill(c, "code", &t.last_code(contact).await).await;
    click_to_new_page(c, find(c, "form[action$='/verify'] button[type=submit]").await).await;
    assert_eq!(c.current_url().await.unwrap().path(), "/set-password");
    fill(c, "password", PASSWORD).await;
    fill(c, "confirm", PASSWORD).await;
    click_to_new_page(c, find(c, "form[action='/set-password'] button[type=submit]").await).await;
    click_to_new_page(c, find(c, "form[action='/second-factor/setup/email'] button").await).await;
    fill(c, "code", &t.last_code(email).await).await;
    click_to_new_page(c, find(c, "form[action='/second-factor/setup/email/confirm'] button").await).await;
    click_to_new_page(c, find(c, "main a.usa-button").await).await;
    assert_eq!(c.current_url().await.unwrap().path(), "/account");
    assert_accessible(c, axe, "the new account").await;
}

async fn log_out(c: &Client) {
    click_to_new_page(c, find(c, "form[action='/logout'] button").await).await;
    assert_eq!(c.current_url().await.unwrap().path(), "/login");
}

/// The text of the ACH tab's row for `number`, whose `id` is `importer-<record id>`.
async fn ach_row(c: &Client, number: &str) -> (i64, String) {
    let rows =
        js(c, "return Array.from(document.querySelectorAll('table.ace-ach tbody tr')).map(r => [r.id, r.textContent.replace(/\\s+/g, ' ')]);")
            .await;
    let rows: Vec<(String, String)> = serde_json::from_value(rows).unwrap();
    let (id, text) = rows
        .iter()
        .find(|(_, text)| text.contains(number))
        .unwrap_or_else(|| panic!("no row for {number} on the ACH tab: {rows:?}"));
    (id.strip_prefix("importer-").and_then(|i| i.parse().ok()).unwrap_or_else(|| panic!("row id {id}")), text.clone())
}

/// With ACE_UPDATE_SCREENSHOTS=1, saves a picture of the page's `<main>` in a 1000-pixel-wide
/// window as a help-guide screenshot in crates/web/help/ (served at /assets/help/).
async fn screenshot_for_help(c: &Client, name: &str) {
    if std::env::var("ACE_UPDATE_SCREENSHOTS").as_deref() != Ok("1") {
        return;
    }
    // Tall enough for the whole page, so the picture of <main> is not cut by the viewport.
    c.set_window_size(1000, 1600).await.unwrap();
    js(c, "window.scrollTo(0, 0); document.activeElement.blur(); return null;").await;
    // Let the layout settle at the new size.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let png = find(c, "main").await.screenshot().await.unwrap();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("help").join(name);
    std::fs::write(&path, png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    c.set_window_size(1280, 1024).await.unwrap();
}

/// Issue 5 "Done when", as a new user would: an importer's TAO enrolls bank details for two
/// suffixes with one shared account and sees them Pending; the operator exports the prenote file
/// with the real binary, `nacha validate` accepts it, the bank answers with a correction (C01)
/// for one and a return (R03) for the other, and ingesting that reply makes the tab show Active
/// with the correction and Rejected; the 5106 contact got every notice. Then the TAO designates
/// a notify party with its own account, which sees the notify party, enrolls its own bank
/// details, is verified (export, promote), and the importer's tab names it as payee. axe-core
/// checks every page on the way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ach_enrolment_prenote_replies_and_notify_party() {
    if !enabled() {
        return;
    }
    const NUMBER: &str = "12-345678900";
    const SUFFIX: &str = "12-345678901";
    const COMPANY: &str = "Acme Imports Inc";
    const CONTACT: &str = "treasury@acme.example";
    const OWNER: &str = "ana@acme.example";
    const PARTY: &str = "33-333333300";
    const PARTY_NAME: &str = "Harbor Finance LLC";
    const PARTY_CONTACT: &str = "ap@harbor.example";
    const PARTY_OWNER: &str = "hank@harbor.example";
    /// JPMorgan Chase; the shared account, and the account the bank corrects it to.
    const ROUTING: &str = "021000021";
    const ACCOUNT: &str = "987654321012";
    const CORRECTED: &str = "987654321099";
    /// Wells Fargo (Minnesota), the notify party's bank.
    const PARTY_ROUTING: &str = "091000019";
    const PARTY_ACCOUNT: &str = "55501234567";
    let axe = axe_source();
    let t = common::spawn().await;
    let op = Operator::new(&t);

    // CBP staff keep the 5106 records; the operator loads the FedACH directory.
    let tok = t.token(common::STAFF).await;
    for (number, name, contact) in
        [(NUMBER, COMPANY, CONTACT), (SUFFIX, COMPANY, CONTACT), (PARTY, PARTY_NAME, PARTY_CONTACT)]
    {
        let mut record = common::importer_json(number, contact);
        record["name"] = json!(name);
        let res = reqwest::Client::new()
            .post(format!("{}/api/v1/importers", t.base))
            .bearer_auth(&tok)
            .json(&record)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{number}");
    }
    let directory = op.path("FedACHdir.txt");
    let lines = [
        common::fedach_line(ROUTING, "JPMORGAN CHASE BANK, NA"),
        common::fedach_line(PARTY_ROUTING, "WELLS FARGO BANK NA"),
    ];
    std::fs::write(&directory, lines.join("\r\n") + "\r\n").unwrap();
    let out = op.ok(&["routing", "load", &directory]).await;
    assert!(out.contains("loaded 2 routing numbers (2 receive ACH)"), "{out}");

    with_browser(move |c| async move {
        let base = t.base.as_str();
        let memory_to = async |to: &str, subject: &str| {
            t.sent().await.into_iter().filter(|m| m.to == to && m.rendered.subject.contains(subject)).count()
        };

        // The importer applies, then adds its second suffix with the code mailed to the contact.
        apply_as_new_importer(&c, &t, &axe, NUMBER, COMPANY, ("Ana Lopez", OWNER), CONTACT).await;
        click_to_new_page(&c, find(&c, "main a[href='/account/add-importer']").await).await;
        assert_accessible(&c, &axe, "the add-importer form").await;
        fill(&c, "company_name", COMPANY).await;
        fill(&c, "importer_number", SUFFIX).await;
        click_to_new_page(&c, find(&c, "form[action='/account/add-importer'] button[type=submit]").await).await;
        assert!(url_of(&c).await.ends_with("/verify"), "on the verify page");
        assert_accessible(&c, &axe, "the verify page of a second number").await;
        fill(&c, "code", &t.last_code(CONTACT).await).await;
        click_to_new_page(&c, find(&c, "form[action$='/verify'] button[type=submit]").await).await;
        let url = c.current_url().await.unwrap();
        let sub: i64 = url
            .path()
            .strip_prefix("/account/sub/")
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("sub-account page expected, got {url}"));
        let numbers = text(&c, "main table").await;
        assert!(numbers.contains(NUMBER) && numbers.contains(SUFFIX), "{numbers}");
        assert_accessible(&c, &axe, "the sub-account with two numbers").await;

        // The ACH tab: a row per number, nothing enrolled.
        click_to_new_page(&c, find(&c, &format!("main a[href='/account/sub/{sub}/ach']")).await).await;
        assert_eq!(text(&c, "main h2").await, "ACH Refund Authorization");
        let (number_id, row) = ach_row(&c, NUMBER).await;
        assert!(row.contains("No bank details"), "{row}");
        let (suffix_id, row) = ach_row(&c, SUFFIX).await;
        assert!(row.contains("No bank details"), "{row}");
        assert_accessible(&c, &axe, "the empty ACH tab").await;

        // One bank account for both numbers.
        click_to_new_page(&c, find(&c, "main a.usa-button[href*='/ach/edit']").await).await;
        assert_eq!(text(&c, "h1").await, "Bank details for refunds");
        for id in [number_id, suffix_id] {
            assert!(
                find(&c, &format!("#importer-{id}")).await.prop("checked").await.unwrap().as_deref() == Some("true"),
                "number {id} is ticked"
            );
        }
        assert_accessible(&c, &axe, "the bank details form").await;
        // The routing number is looked up first: the bank's name comes back before anything is saved.
        fill(&c, "lookup_routing", ROUTING).await;
        click_to_new_page(&c, find(&c, "form[method=get][action$='/ach/edit'] button[type=submit]").await).await;
        let looked_up = text(&c, "#lookup-result").await;
        assert!(looked_up.contains(&format!("{ROUTING} is ")), "{looked_up}");
        assert_eq!(value_of(&c, "routing").await, ROUTING, "the looked-up number is kept for the form");
        assert_accessible(&c, &axe, "the bank details form after a look-up").await;
        fill(&c, "routing", ROUTING).await;
        fill(&c, "account", ACCOUNT).await;
        fill(&c, "account_confirm", ACCOUNT).await;
        find(&c, "label[for='type-checking']").await.click().await.unwrap();
        fill(&c, "holder_name", COMPANY).await;
        screenshot_for_help(&c, "ach-edit.png").await;
        // A slip in the confirmation: the form comes back with the error, without the numbers.
        fill(&c, "account_confirm", "987654321021").await;
        click_to_new_page(&c, find(&c, "form[method=post][action$='/ach/edit'] button[type=submit]").await).await;
        assert!(text(&c, "#error-summary").await.contains("The two account numbers are not the same"));
        assert_eq!(js(&c, "return document.activeElement.id;").await, json!("error-summary"), "the summary has focus");
        assert_eq!(value_of(&c, "routing").await, ROUTING);
        assert_eq!(value_of(&c, "account").await, "", "the account number is typed again");
        for id in [number_id, suffix_id] {
            assert_eq!(
                find(&c, &format!("#importer-{id}")).await.prop("checked").await.unwrap().as_deref(),
                Some("true")
            );
        }
        assert_accessible(&c, &axe, "the bank details form with an error").await;
        fill(&c, "account", ACCOUNT).await;
        fill(&c, "account_confirm", ACCOUNT).await;
        assert_eq!(find(&c, "#type-checking").await.prop("checked").await.unwrap().as_deref(), Some("true"));
        assert_eq!(value_of(&c, "holder_name").await, COMPANY);
        click_to_new_page(&c, find(&c, "form[method=post][action$='/ach/edit'] button[type=submit]").await).await;
        let url = c.current_url().await.unwrap();
        assert_eq!((url.path(), url.query()), (format!("/account/sub/{sub}/ach").as_str(), Some("done=saved")));
        assert!(text(&c, "main .usa-alert--success").await.contains("Pending verification"));
        for number in [NUMBER, SUFFIX] {
            let (_, row) = ach_row(&c, number).await;
            assert!(row.contains("Pending verification"), "{row}");
            assert!(row.contains("••••1012") && row.contains("JPMORGAN CHASE BANK, NA"), "{row}");
        }
        assert!(!c.source().await.unwrap().contains(ACCOUNT), "the full account number is not on the page");
        assert_accessible(&c, &axe, "the ACH tab with pending details").await;
        assert_eq!(memory_to(CONTACT, "Bank details changed").await, 2, "the contact is told, once per number");
        assert!(memory_to(OWNER, "Bank details changed").await >= 1, "the TAO is told");

        // The operator sends the prenotes; the bank corrects one account and returns the other.
        let prenotes = op.path("prenotes-1.ach");
        let out = op.ok(&["prenotes", "export", "--out", &prenotes]).await;
        assert!(out.contains("wrote 2 prenotes"), "{out}");
        op.ok(&["nacha", "validate", &prenotes]).await;
        assert!(std::fs::read_to_string(&prenotes).unwrap().contains(ACCOUNT), "the ACH file carries the number");
        let sent = store::prenotes::with_versions(&t.app.db.conn, store::prenotes::SENT).await.unwrap();
        let trace_of = |id: i64| {
            sent.iter()
                .find(|(_, v)| v.importer_id == id)
                .and_then(|(p, _)| p.trace_number)
                .unwrap_or_else(|| panic!("no prenote sent for {id}: {sent:?}"))
        };
        let reply = op.path("reply-1.ach");
        let change = format!("{}:C01:{CORRECTED}", trace_of(number_id));
        let ret = format!("{}:R03", trace_of(suffix_id));
        op.ok(&["nacha", "respond", "--in", &prenotes, "--out", &reply, "--change", &change, "--return", &ret]).await;
        let out = op.ok(&["ach-replies", "ingest", &reply]).await;
        assert!(out.contains("1 returns and 1 corrections applied"), "{out}");

        goto(&c, base, &format!("/account/sub/{sub}/ach")).await;
        let (_, row) = ach_row(&c, NUMBER).await;
        assert!(row.contains("Active") && row.contains("Corrected by the bank (C01)"), "{row}");
        assert!(row.contains("••••1099") && !row.contains(CORRECTED), "{row}");
        let (_, row) = ach_row(&c, SUFFIX).await;
        assert!(row.contains("Rejected - update required") && row.contains("R03"), "{row}");
        assert!(row.contains("Nobody: refunds will be rejected"), "{row}");
        assert_accessible(&c, &axe, "the ACH tab after the bank's reply").await;
        let outbox = delivered(&t).await;
        for (to, subject) in [
            (CONTACT, format!("Bank details corrected by the bank for importer number {NUMBER}")),
            (CONTACT, format!("Bank details rejected by the bank for importer number {SUFFIX}")),
            (OWNER, format!("Bank details corrected by the bank for importer number {NUMBER}")),
        ] {
            assert!(
                outbox.iter().any(|(t, s, _)| t == to && s.contains(&subject)),
                "{to} got \"{subject}\": {:?}",
                outbox.iter().map(|(t, s, _)| (t, s)).collect::<Vec<_>>()
            );
        }

        // Removing the rejected details is offered with a warning (and not done here).
        click_to_new_page(&c, find(&c, &format!("a[href='/account/sub/{sub}/ach/{suffix_id}/remove']")).await).await;
        assert_eq!(text(&c, "main .usa-alert--warning h2").await, "Refunds will be rejected");
        assert_accessible(&c, &axe, "the remove confirmation").await;
        click_to_new_page(&c, find(&c, &format!("main a[href='/account/sub/{sub}/ach']")).await).await;

        // The history of the corrected number, and the guide.
        click_to_new_page(&c, find(&c, &format!("a[href='/account/sub/{sub}/ach/{number_id}/history']")).await).await;
        let history = text(&c, "main").await;
        assert!(history.contains("bank details added") && history.contains("Corrected by the bank (C01)"), "{history}");
        assert_accessible(&c, &axe, "the history of bank details").await;
        goto(&c, base, &format!("/account/sub/{sub}/ach")).await;
        click_to_new_page(&c, find(&c, "main a[href='/help/enrolling']").await).await;
        assert_eq!(text(&c, "h1").await, "Enrolling for electronic refunds");
        wait_for_js(
            &c,
            "return Array.from(document.images).filter(i => i.src.includes('/assets/help/'))
                 .map(i => i.complete && i.naturalWidth > 0);",
            json!([true, true]),
            "the guide's two screenshots load",
        )
        .await;
        assert_accessible(&c, &axe, "the enrolling guide").await;
        goto(&c, base, "/account").await;
        log_out(&c).await;

        // The notify party: another importer with its own account.
        apply_as_new_importer(&c, &t, &axe, PARTY, PARTY_NAME, ("Hank Hill", PARTY_OWNER), PARTY_CONTACT).await;
        log_out(&c).await;

        // The TAO designates it for the first number.
        log_in_to(&c, &t, &axe, OWNER, "/account", "Ana Lopez").await;
        click_to_new_page(&c, find(&c, &format!("main a[href='/account/sub/{sub}']")).await).await;
        click_to_new_page(&c, find(&c, &format!("main a[href='/account/sub/{sub}/notify']")).await).await;
        assert_accessible(&c, &axe, "the notify parties tab").await;
        find(&c, "#importer_id").await.select_by_value(&number_id.to_string()).await.unwrap();
        fill(&c, "party_number", PARTY).await;
        click_to_new_page(&c, find(&c, "form[action$='/notify'] button[type=submit]").await).await;
        assert_eq!(text(&c, "main .usa-alert--success").await, "The notify party was designated.");
        let (_, row) = ach_row(&c, NUMBER).await;
        assert!(row.contains(&format!("Notify party on file: {PARTY_NAME} ({PARTY})")), "{row}");
        assert!(row.contains("The importer"), "the party has no verified account yet: {row}");
        assert_accessible(&c, &axe, "the ACH tab with a notify party").await;
        assert_eq!(memory_to(CONTACT, "Notify party designated").await, 1);
        log_out(&c).await;

        // The party sees the notify party in its own tab and enrolls its own bank details.
        log_in_to(&c, &t, &axe, PARTY_OWNER, "/account", "Hank Hill").await;
        click_to_new_page(&c, find(&c, "main a[href^='/account/sub/']").await).await;
        click_to_new_page(&c, find(&c, "main a[href$='/ach']").await).await;
        let naming = text(&c, "main").await;
        assert!(naming.contains("Importers that named you as notify party"), "{naming}");
        assert!(naming.contains(&format!("{COMPANY} {NUMBER}")), "{naming}");
        assert_accessible(&c, &axe, "the notify party's ACH tab").await;
        click_to_new_page(&c, find(&c, "main a[href*='/ach/edit?importer=']").await).await;
        fill(&c, "routing", PARTY_ROUTING).await;
        fill(&c, "account", PARTY_ACCOUNT).await;
        fill(&c, "account_confirm", PARTY_ACCOUNT).await;
        find(&c, "label[for='type-checking']").await.click().await.unwrap();
        fill(&c, "holder_name", PARTY_NAME).await;
        click_to_new_page(&c, find(&c, "form[method=post][action$='/ach/edit'] button[type=submit]").await).await;
        let (_, row) = ach_row(&c, PARTY).await;
        assert!(row.contains("Pending verification") && row.contains("WELLS FARGO BANK NA"), "{row}");

        // Its prenote goes out and, with no return in three banking days, it is Active.
        let prenotes = op.path("prenotes-2.ach");
        let out = op.ok(&["prenotes", "export", "--out", &prenotes]).await;
        assert!(out.contains("wrote 1 prenotes"), "{out}");
        op.ok(&["nacha", "validate", &prenotes]).await;
        let sent = store::prenotes::with_versions(&t.app.db.conn, store::prenotes::SENT).await.unwrap();
        let sent_on = sent.iter().find_map(|(p, _)| p.sent_on.clone()).expect("the party's prenote was sent");
        let sent_on = app::ach::parse_iso_date(&sent_on).unwrap();
        let later = app::ach::iso_date(domain::calendar::add_banking_days(sent_on, 3));
        let out = op.ok(&["prenotes", "promote", "--today", &later]).await;
        assert!(out.contains("1 bank details became Active"), "{out}");
        c.refresh().await.unwrap();
        let (_, row) = ach_row(&c, PARTY).await;
        assert!(row.contains("Active"), "{row}");
        assert_accessible(&c, &axe, "the notify party's tab, verified").await;
        assert!(
            delivered(&t).await.iter().any(|(to, s, _)| to == PARTY_CONTACT && s.contains("Bank details verified")),
            "the party's contact is told"
        );
        log_out(&c).await;

        // The importer's tab now names the notify party as payee of the first number.
        log_in_to(&c, &t, &axe, OWNER, "/account", "Ana Lopez").await;
        goto(&c, base, &format!("/account/sub/{sub}/ach")).await;
        let (_, row) = ach_row(&c, NUMBER).await;
        assert!(row.contains(&format!("Notify party {PARTY}")), "{row}");
        let (_, row) = ach_row(&c, SUFFIX).await;
        assert!(row.contains("Rejected - update required"), "{row}");
        assert_accessible(&c, &axe, "the ACH tab with the notify party as payee").await;
        screenshot_for_help(&c, "ach-tab.png").await;

        // Every notice reached the 5106 contact, and none holds a full account number.
        assert_eq!(memory_to(CONTACT, "Bank details changed").await, 2);
        assert_eq!(memory_to(CONTACT, "Notify party designated").await, 1);
        let outbox = delivered(&t).await;
        let to_contact: Vec<&String> =
            outbox.iter().filter(|(to, s, _)| to == CONTACT && s.contains("by the bank")).map(|(_, s, _)| s).collect();
        assert_eq!(to_contact.len(), 2, "corrected and rejected: {to_contact:?}");
        for secret in [ACCOUNT, CORRECTED, PARTY_ACCOUNT] {
            assert!(outbox.iter().all(|(_, _, raw)| !raw.contains(secret)), "{secret} in the outbox");
            assert!(
                t.sent().await.iter().all(|m| !m.rendered.text.contains(secret) && !m.rendered.html.contains(secret)),
                "{secret} in a mail"
            );
        }
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// The refund ledger: upload, certification, holds, release, offsets
// ---------------------------------------------------------------------------------------------

/// The text of every row of the (refunds or problems) table on the page: its cells' text,
/// whitespace folded, joined by a space.
async fn refund_rows(c: &Client) -> Vec<String> {
    let rows = js(
        c,
        "return Array.from(document.querySelectorAll('main table tbody tr')).map(r => Array.from(r.cells)
             .map(c => c.textContent.replace(/\\s+/g, ' ').trim()).join(' '));",
    )
    .await;
    serde_json::from_value(rows).unwrap()
}

/// The row of refund `number` in the refunds table.
async fn refund_row(c: &Client, number: &str) -> String {
    let rows = refund_rows(c).await;
    rows.iter()
        .find(|r| r.starts_with(&format!("{number} ")))
        .unwrap_or_else(|| panic!("no row for refund {number}: {rows:?}"))
        .clone()
}

/// The heading of a refund's page as written (`text` gives the rendered text, and USWDS tags
/// are rendered in capitals).
async fn refund_heading(c: &Client) -> String {
    js(c, "return document.querySelector('main h2').textContent.replace(/\\s+/g, ' ').trim();")
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Chooses `path` in the upload form's file input, sets "Check only" as asked, and submits.
async fn upload_refunds(c: &Client, path: &str, check_only: bool) {
    find(c, "#file").await.send_keys(path).await.unwrap();
    let check = find(c, "#check_only").await;
    if check.is_selected().await.unwrap() != check_only {
        find(c, "label[for='check_only']").await.click().await.unwrap();
    }
    assert_eq!(check.is_selected().await.unwrap(), check_only, "Check only");
    click_to_new_page(c, find(c, "form[action='/refunds/upload'] button[type=submit]").await).await;
}

/// Issue 16 "Done when", as a new user would: CBP staff upload a refunds CSV on the staff page
/// (a bad file first: every problem in the preview, nothing recorded; then check only; then for
/// real) and run certification from the refunds page. The importer's TAO, on the Refunds tab of
/// its Importer sub-account, sees one refund payable to its notify party (designated on Form 4811
/// by the TAO, named in the refund's box 28, with Active bank details of its own) and one held
/// "ACH Rejected", whose notice is in the mail outbox; a third refund, of another importer, went
/// to a CBP bill the operator loaded with `bills import`. The TAO enrolls bank details and, once
/// the prenote's waiting period ends (`prenotes promote` as the hourly housekeeping does), the
/// held refund is payable without anyone asking. axe-core checks every page on the way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_recorded_certified_held_released_and_diverted() {
    if !enabled() {
        return;
    }
    const NUMBER: &str = "12-345678900";
    const COMPANY: &str = "Acme Imports Inc";
    const CONTACT: &str = "treasury@acme.example";
    const OWNER: &str = "ana@acme.example";
    const PARTY: &str = "33-333333300";
    const PARTY_NAME: &str = "Harbor Finance LLC";
    const PARTY_CONTACT: &str = "ap@harbor.example";
    const PARTY_OWNER: &str = "hank@harbor.example";
    const DEBTOR: &str = "44-444444400";
    const DEBTOR_NAME: &str = "Owing Traders Corp";
    const DEBTOR_CONTACT: &str = "books@owing.example";
    /// An entry summary number with a good check digit (filer 614).
    const ENTRY: &str = "614-0000275-6";
    const ROUTING: &str = "021000021";
    const ACCOUNT: &str = "987654321012";
    const PARTY_ROUTING: &str = "091000019";
    const PARTY_ACCOUNT: &str = "55501234567";
    const HEADER: &str =
        "refund_number,importer_number,entry_number,source,principal,deposit_date,liquidation_date,notify_party";
    let axe = axe_source();
    let t = common::spawn().await;
    let op = Operator::new(&t);
    let http = reqwest::Client::new();

    // CBP staff keep the 5106 records; the operator loads the FedACH directory.
    let staff = t.token(common::STAFF).await;
    for (number, name, contact) in [(NUMBER, COMPANY, CONTACT), (DEBTOR, DEBTOR_NAME, DEBTOR_CONTACT)] {
        let mut record = common::importer_json(number, contact);
        record["name"] = json!(name);
        let res =
            http.post(format!("{}/api/v1/importers", t.base)).bearer_auth(&staff).json(&record).send().await.unwrap();
        assert_eq!(res.status(), 201, "{number}");
    }
    let directory = op.path("FedACHdir.txt");
    let lines = [
        common::fedach_line(ROUTING, "JPMORGAN CHASE BANK, NA"),
        common::fedach_line(PARTY_ROUTING, "WELLS FARGO BANK NA"),
    ];
    std::fs::write(&directory, lines.join("\r\n") + "\r\n").unwrap();
    op.ok(&["routing", "load", &directory]).await;

    // The notify party has its own account and verified bank details (its own road through the
    // portal is the ACH test's; here it goes through the API).
    let party_tao = common::company(&t, PARTY, PARTY_NAME, PARTY_CONTACT, PARTY_OWNER, "10.16.0.1").await;
    let party_sub = &app::portal::accounts::overview(&t.app, &party_tao).await.unwrap().sub_accounts[0];
    let party_token = t.token(PARTY_OWNER).await;
    let res = http
        .put(format!("{}/api/v1/sub-accounts/{}/ach", t.base, party_sub.id))
        .bearer_auth(&party_token)
        .json(&json!({
            "targets": [{"importer_id": party_sub.numbers[0].importer_id, "revision": 0}],
            "routing": PARTY_ROUTING,
            "account": PARTY_ACCOUNT,
            "account_confirm": PARTY_ACCOUNT,
            "account_type": "checking",
            "holder_name": PARTY_NAME,
        }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let prenotes = op.path("prenotes-party.ach");
    let out = op.ok(&["prenotes", "export", "--out", &prenotes]).await;
    assert!(out.contains("wrote 1 prenotes"), "{out}");
    let promote_day = |t: &TestApp| {
        let conn = t.app.db.conn.clone();
        async move {
            let sent = store::prenotes::with_versions(&conn, store::prenotes::SENT).await.unwrap();
            let sent_on = sent.iter().find_map(|(p, _)| p.sent_on.clone()).expect("a prenote was sent");
            let sent_on = app::ach::parse_iso_date(&sent_on).unwrap();
            app::ach::iso_date(domain::calendar::add_banking_days(sent_on, 3))
        }
    };
    let later = promote_day(&t).await;
    let out = op.ok(&["prenotes", "promote", "--today", &later]).await;
    assert!(out.contains("1 bank details became Active"), "{out}");

    // The operator loads a CBP bill the other importer owes, larger than its refund.
    let bills = op.path("bills.csv");
    std::fs::write(&bills, format!("bill_number,importer_number,amount,bill_date\nB-1,{DEBTOR},20000.00,2025-06-30\n"))
        .unwrap();
    let out = op.ok(&["bills", "import", &bills]).await;
    assert!(out.contains("1 rows: 1 new"), "{out}");

    // The refunds files CBP staff will upload.
    let bad = op.path("refunds-bad.csv");
    std::fs::write(
        &bad,
        format!(
            "{HEADER}\nR-1,{NUMBER},614-0000275-5,liquidation,10000.00,2025-03-03,2025-12-01,{PARTY}\n\
             R-2,{NUMBER},{ENTRY},gift,2500.00,2025-03-03,2025-12-01,\n\
             R-3,{DEBTOR},{ENTRY},liquidation,5000.00,2025-03-03,2025-12-01,55-555555500\n"
        ),
    )
    .unwrap();
    let good = op.path("refunds.csv");
    std::fs::write(
        &good,
        format!(
            "{HEADER}\nR-1,{NUMBER},{ENTRY},liquidation,10000.00,2025-03-03,2025-12-01,{PARTY}\n\
             R-2,{NUMBER},{ENTRY},reliquidation,2500.00,2025-03-03,2025-12-01,\n\
             R-3,{DEBTOR},{ENTRY},liquidation,5000.00,2025-03-03,2025-12-01,\n"
        ),
    )
    .unwrap();

    with_browser(move |c| async move {
        let base = t.base.as_str();
        let mails = async |to: &str, subject: &str| {
            t.sent()
                .await
                .into_iter()
                .filter(|m| m.to == to && m.rendered.subject.contains(subject))
                .map(|m| m.rendered.text)
                .collect::<Vec<_>>()
        };

        // The importer applies for its account and designates its notify party (Form 4811).
        apply_as_new_importer(&c, &t, &axe, NUMBER, COMPANY, ("Ana Lopez", OWNER), CONTACT).await;
        click_to_new_page(&c, find(&c, "main a[href^='/account/sub/']").await).await;
        let url = c.current_url().await.unwrap();
        let sub: i64 = url
            .path()
            .strip_prefix("/account/sub/")
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("sub-account page expected, got {url}"));
        click_to_new_page(&c, find(&c, &format!("main a[href='/account/sub/{sub}/notify']")).await).await;
        fill(&c, "party_number", PARTY).await;
        click_to_new_page(&c, find(&c, "form[action$='/notify'] button[type=submit]").await).await;
        assert_eq!(text(&c, "main .usa-alert--success").await, "The notify party was designated.");
        assert_accessible(&c, &axe, "the notify parties tab with a designation").await;
        // The Refunds tab is there, empty.
        click_to_new_page(&c, find(&c, &format!("nav a[href='/account/sub/{sub}/refunds']")).await).await;
        assert_eq!(refund_rows(&c).await, vec!["No refunds match.".to_string()]);
        assert_accessible(&c, &axe, "the empty Refunds tab").await;
        log_out(&c).await;

        // CBP staff upload the refunds: a bad file first, every problem listed, nothing recorded.
        log_in(&c, &t, &axe, common::STAFF).await;
        click_to_new_page(&c, find(&c, "nav a[href='/refunds']").await).await;
        assert_eq!(text(&c, "h1").await, "Refunds");
        assert_accessible(&c, &axe, "the staff refunds list, empty").await;
        click_to_new_page(&c, find(&c, "main a[href='/refunds/upload']").await).await;
        assert_eq!(text(&c, "h1").await, "Upload refunds");
        assert_accessible(&c, &axe, "the upload form").await;
        upload_refunds(&c, &bad, true).await;
        assert!(text(&c, "main .usa-alert--error").await.contains("refunds-bad.csv: 3 problems, nothing recorded"));
        let problems = refund_rows(&c).await;
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("2 entry_number"), "{problems:?}");
        assert!(problems[1].starts_with("3 source"), "{problems:?}");
        assert!(problems[2].starts_with("4 notify_party") && problems[2].contains("no Form 5106 record"), "{problems:?}");
        assert_accessible(&c, &axe, "the upload preview with problems").await;
        // The good file, checked only, then recorded.
        upload_refunds(&c, &good, true).await;
        assert!(text(&c, "main .usa-alert--info").await.contains("refunds.csv: every line is good"));
        assert!(store::refunds::by_number(&t.app.db.conn, "R-1").await.unwrap().is_none(), "checked only");
        assert_accessible(&c, &axe, "the upload preview of a good file").await;
        upload_refunds(&c, &good, false).await;
        assert!(text(&c, "main .usa-alert--success").await.contains("refunds.csv: 3 refunds recorded"));
        assert_accessible(&c, &axe, "the upload result").await;
        click_to_new_page(&c, find(&c, "main a[href='/refunds?status=recorded']").await).await;
        for number in ["R-1", "R-2", "R-3"] {
            let row = refund_row(&c, number).await;
            assert!(row.contains("Recorded") && row.contains("not yet certified"), "{row}");
        }
        assert_accessible(&c, &axe, "the recorded refunds").await;

        // Certification, run now from the refunds page.
        click_to_new_page(&c, find(&c, "form[action='/refunds/certify'] button[type=submit]").await).await;
        let ran = text(&c, "main .usa-alert--success").await;
        assert!(ran.contains("Certification ran: 3 refunds examined"), "{ran}");
        assert!(ran.contains("1 payable, 1 put on hold (ACH Rejected), 1 diverted in full to bills"), "{ran}");
        let row = refund_row(&c, "R-1").await;
        assert!(row.contains("Payable") && row.contains(&format!("{PARTY} (notify party)")), "{row}");
        assert!(row.contains("$10,458.95"), "principal and interest: {row}");
        assert!(refund_row(&c, "R-2").await.contains("Held: ACH Rejected"));
        assert!(refund_row(&c, "R-3").await.contains("Funds Diverted"));
        assert_accessible(&c, &axe, "the refunds list after certification").await;
        // The diverted refund paid the bill.
        click_to_new_page(&c, find(&c, "main a[href='/refunds/R-3']").await).await;
        assert_eq!(refund_heading(&c).await, "Refund R-3 Funds Diverted");
        let facts = text(&c, "main dl").await.replace('\n', " ");
        assert!(facts.contains("Bill B-1: $5,229.48") && facts.contains("Amount to be paid $0.00"), "{facts}");
        assert_accessible(&c, &axe, "a diverted refund").await;
        let bill = store::bills::by_numbers(&t.app.db.conn, &["B-1".into()]).await.unwrap();
        assert_eq!(bill[0].open_cents, 2_000_000 - 522_948, "the rest of the bill stays open");
        assert_eq!(mails(DEBTOR_CONTACT, "Refund applied to CBP bills").await.len(), 1, "the debtor is told");
        log_out(&c).await;

        // The held notice is in the outbox, for the 5106 contact and the TAO, with what to do.
        for to in [CONTACT, OWNER] {
            let held = mails(to, &format!("Refund held: no bank account to pay into for importer number {NUMBER}")).await;
            assert_eq!(held.len(), 1, "{to}");
            assert!(held[0].contains("R-2") && held[0].contains("enroll bank details"), "{}", held[0]);
        }
        assert!(mails(PARTY_CONTACT, "held").await.is_empty(), "the notify party is paid; nothing held for it");

        // The TAO's Refunds tab: one payable to the notify party, one held.
        log_in_to(&c, &t, &axe, OWNER, "/account", "Ana Lopez").await;
        click_to_new_page(&c, find(&c, &format!("main a[href='/account/sub/{sub}']")).await).await;
        click_to_new_page(&c, find(&c, &format!("nav a[href='/account/sub/{sub}/refunds']")).await).await;
        let rows = refund_rows(&c).await;
        assert_eq!(rows.len(), 2, "only the importer's refunds: {rows:?}");
        let row = refund_row(&c, "R-1").await;
        assert!(row.contains("Payable") && row.contains(&format!("{PARTY} (notify party)")), "{row}");
        let row = refund_row(&c, "R-2").await;
        assert!(row.contains("Held: ACH Rejected"), "{row}");
        assert_accessible(&c, &axe, "the Refunds tab").await;
        click_to_new_page(&c, find(&c, &format!("main a[href='/account/sub/{sub}/refunds/R-1']")).await).await;
        let facts = text(&c, "main dl").await.replace('\n', " ");
        assert!(facts.contains("Amount to be paid $10,458.95"), "{facts}");
        assert!(facts.contains(&format!("{PARTY} {PARTY_NAME} (notify party, Form 4811)")), "{facts}");
        assert!(facts.contains(&format!("Entry's notify party (box 28) {PARTY}")), "{facts}");
        assert_accessible(&c, &axe, "a refund paid to the notify party").await;
        click_to_new_page(&c, find(&c, &format!("main a[href='/account/sub/{sub}/refunds']")).await).await;
        click_to_new_page(&c, find(&c, &format!("main a[href='/account/sub/{sub}/refunds/R-2']")).await).await;
        assert_eq!(refund_heading(&c).await, "Refund R-2 Held: ACH Rejected");
        let why = text(&c, "main .usa-alert--warning").await;
        assert!(why.contains("Why it is waiting") && why.contains("no bank details are on file"), "{why}");
        assert_accessible(&c, &axe, "a held refund").await;

        // What to do leads to the ACH tab, where the TAO enrolls.
        click_to_new_page(&c, find(&c, &format!("main .usa-summary-box a[href='/account/sub/{sub}/ach']")).await)
            .await;
        assert_eq!(text(&c, "main h2").await, "ACH Refund Authorization");
        let (_, row) = ach_row(&c, NUMBER).await;
        assert!(row.contains("No bank details"), "{row}");
        click_to_new_page(&c, find(&c, "main a.usa-button[href*='/ach/edit']").await).await;
        assert_eq!(text(&c, "h1").await, "Bank details for refunds");
        fill(&c, "routing", ROUTING).await;
        fill(&c, "account", ACCOUNT).await;
        fill(&c, "account_confirm", ACCOUNT).await;
        find(&c, "label[for='type-checking']").await.click().await.unwrap();
        fill(&c, "holder_name", COMPANY).await;
        assert_accessible(&c, &axe, "the bank details form").await;
        click_to_new_page(&c, find(&c, "form[method=post][action$='/ach/edit'] button[type=submit]").await).await;
        let (_, row) = ach_row(&c, NUMBER).await;
        assert!(row.contains("Pending verification"), "{row}");
        assert_accessible(&c, &axe, "the ACH tab with pending details").await;
        // Still held while the prenote waits.
        goto(&c, base, &format!("/account/sub/{sub}/refunds")).await;
        assert!(refund_row(&c, "R-2").await.contains("Held: ACH Rejected"));

        // The prenote goes out; with no return in three banking days the details are Active, and
        // the held refund is payable by itself.
        let prenotes = op.path("prenotes-acme.ach");
        let out = op.ok(&["prenotes", "export", "--out", &prenotes]).await;
        assert!(out.contains("wrote 1 prenotes"), "{out}");
        let later = promote_day(&t).await;
        let out = op.ok(&["prenotes", "promote", "--today", &later]).await;
        assert!(out.contains("1 bank details became Active"), "{out}");
        assert!(out.contains("1 held refunds looked at again; 1 released"), "{out}");
        c.refresh().await.unwrap();
        let row = refund_row(&c, "R-2").await;
        assert!(row.contains("Payable") && row.contains(NUMBER) && !row.contains("notify party"), "{row}");
        assert!(refund_row(&c, "R-1").await.contains("Payable"), "the notify party's refund is unchanged");
        assert_accessible(&c, &axe, "the Refunds tab after enrolment").await;
        click_to_new_page(&c, find(&c, &format!("main a[href='/account/sub/{sub}/refunds/R-2']")).await).await;
        assert_eq!(refund_heading(&c).await, "Refund R-2 Payable");
        let timeline: Vec<String> = serde_json::from_value(
            js(&c, "return Array.from(document.querySelectorAll('main .usa-process-list__heading')).map(h => h.textContent.trim());")
                .await,
        )
        .unwrap();
        assert_eq!(timeline, ["Recorded", "Held: ACH Rejected", "Payable"], "the timeline");
        assert!(c.find_all(Locator::Css("main .usa-alert--warning")).await.unwrap().is_empty(), "no longer waiting");
        assert_accessible(&c, &axe, "the released refund").await;
        assert!(
            delivered(&t).await.iter().any(|(to, s, _)| to == CONTACT && s.contains("Bank details verified")),
            "the contact is told the details are verified"
        );
        // No second held notice, and no account number in any mail.
        assert_eq!(mails(CONTACT, "Refund held").await.len(), 1);
        for secret in [ACCOUNT, PARTY_ACCOUNT] {
            assert!(delivered(&t).await.iter().all(|(_, _, raw)| !raw.contains(secret)), "{secret} in the outbox");
            assert!(
                t.sent().await.iter().all(|m| !m.rendered.text.contains(secret)),
                "{secret} in a mail"
            );
        }
    })
    .await;
}

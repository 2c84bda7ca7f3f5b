//! The account application with mail going over SMTP to a real server (scripts/smtp-sink.py,
//! aiosmtpd) instead of the memory mailer: the code is read from what the server received.
//! Skipped with a message when the sink's Python is missing, unless ACE_REQUIRE_SMTP=1 (CI).

use crate::common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use app::portal::apply::{ApplyForm, Verified};
use common::{PASSWORD, client, code_in, draft};

struct Sink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sink() -> Option<Sink> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = std::env::var_os("ACE_SMTP_SINK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(".venv-test/bin/python"));
    let ok = Command::new(&python).args(["-c", "import aiosmtpd"]).status().is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("ACE_REQUIRE_SMTP").as_deref() != Ok("1"),
            "ACE_REQUIRE_SMTP=1 but no Python with aiosmtpd at {}",
            python.display()
        );
        eprintln!("SKIPPED: no Python with aiosmtpd (scripts/install-smtp-sink.sh)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(python)
        .arg(root.join("scripts/smtp-sink.py"))
        .arg("--outdir")
        .arg(dir.path())
        .arg("--exit-on-eof")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let port = line.trim().parse().expect("the sink prints its port");
    Some(Sink { child, port, dir })
}

/// The newest message the sink received for `to`, as raw text.
fn received_for(sink: &Sink, to: &str) -> String {
    for _ in 0..100 {
        let mut emls: Vec<PathBuf> = std::fs::read_dir(sink.dir.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        emls.sort();
        if let Some(text) = emls.iter().rev().map(|p| std::fs::read_to_string(p).unwrap()).find(|t| t.contains(to)) {
            return text;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the SMTP server received nothing for {to}")
}

#[tokio::test]
async fn the_application_code_arrives_over_smtp() {
    let Some(sink) = start_sink() else { return };
    let w = common::world().await;
    let mailer =
        mail::Mailer::new(mail::Transport::Smtp(format!("smtp://127.0.0.1:{}", sink.port)), "ace <no-reply@ace.test>")
            .unwrap();
    let app = app::App::new(w.app.db.clone(), app::Settings::default(), mailer);
    app::registry::importers::create(&app, &w.staff, &draft("12-345678900", "treasury@acme.example")).await.unwrap();
    let c = client("10.9.0.1");
    let form = ApplyForm {
        company_name: "Acme Imports Inc".into(),
        importer_number: "12-345678900".into(),
        requester_name: "Ana".into(),
        requester_email: "ana@acme.example".into(),
        honeypot: String::new(),
    };
    let sent = app::portal::apply::start(&app, &form, &c).await.unwrap();
    // Queued by the request; the sender (a server's, here called directly) delivers it.
    let d = app::mail_queue::deliver_due(&app).await.unwrap();
    assert_eq!((d.sent, d.retrying), (1, 0), "{d:?}");
    let raw = received_for(&sink, "treasury@acme.example");
    assert!(raw.contains("multipart/alternative"), "text and HTML parts");
    // The code is in the body (headers hold hex ids that could contain digit runs).
    let body = raw.split_once("\r\n\r\n").or_else(|| raw.split_once("\n\n")).map_or(raw.as_str(), |(_, b)| b);
    let Verified::NewAccount { token, .. } =
        app::portal::apply::verify(&app, sent.application_id, &code_in(body), &c).await.unwrap()
    else {
        panic!("expected a new account")
    };
    assert!(app::portal::login::set_password(&app, &token, PASSWORD, PASSWORD, &c).await.unwrap().is_some());
}

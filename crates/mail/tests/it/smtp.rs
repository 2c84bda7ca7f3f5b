//! Delivery over SMTP to a real server: scripts/smtp-sink.py (aiosmtpd), started here on a free
//! port on 127.0.0.1 for each test and killed when the test ends. It writes what it receives as
//! `.eml` files (and the envelope as `.json`) into a temporary folder, which the tests read.
//!
//! The Python with aiosmtpd is `$ACE_SMTP_SINK_PYTHON`, else `<repo>/.venv-test/bin/python`
//! (scripts/install-smtp-sink.sh makes it; `make test` runs that). Without it the tests that
//! need the server are skipped with a message, unless `ACE_REQUIRE_SMTP=1` (CI), where they fail.

use crate::common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{Parsed, parse, samples};
use mail::{Mail, MailError, Mailer, Transport};

const FROM: &str = "ACE Refunds <no-reply@refunds.example.gov>";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Python that can run the sink, or `None` (after saying why) when the test must be skipped.
fn sink_python() -> Option<PathBuf> {
    let python = std::env::var_os("ACE_SMTP_SINK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv-test/bin/python"));
    let works = Command::new(&python)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if works {
        return Some(python);
    }
    let why = format!(
        "no Python with aiosmtpd at {} (set ACE_SMTP_SINK_PYTHON, or run scripts/install-smtp-sink.sh)",
        python.display()
    );
    if std::env::var("ACE_REQUIRE_SMTP").is_ok_and(|v| v == "1") {
        panic!("ACE_REQUIRE_SMTP=1 but {why}");
    }
    eprintln!("SKIPPED: real SMTP server test: {why}");
    None
}

/// A running smtp-sink.py; killed on drop.
struct Sink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Sink {
    /// Starts the sink with extra arguments (`--auth`, `--starttls`, …); `None` when skipped.
    fn start(extra: &[&str]) -> Option<Sink> {
        let python = sink_python()?;
        let dir = tempfile::tempdir().expect("temp dir");
        let log = std::fs::File::create(dir.path().join("sink.log")).expect("log file");
        let mut child = Command::new(python)
            .arg(repo_root().join("scripts/smtp-sink.py"))
            .arg("--outdir")
            .arg(dir.path().join("received"))
            .arg("--exit-on-eof")
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start smtp-sink.py");
        let stdout = child.stdout.take().expect("sink stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut sink = Sink { child, port: 0, dir };
        match rx.recv_timeout(Duration::from_secs(30)).ok().and_then(|l| l.trim().parse().ok()) {
            Some(port) => sink.port = port,
            None => panic!("smtp-sink.py printed no port; its log:\n{}", sink.log()),
        }
        Some(sink)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sink.log")).unwrap_or_default()
    }

    /// The received messages, oldest first, with their envelopes.
    fn received(&self) -> Vec<(Parsed, serde_json::Value)> {
        let dir = self.dir.path().join("received");
        let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        names.retain(|p| p.extension().is_some_and(|e| e == "eml"));
        names.sort();
        names
            .iter()
            .map(|eml| {
                let message = parse(&std::fs::read(eml).expect("read .eml"));
                let meta = std::fs::read(eml.with_extension("json")).expect("read .json");
                (message, serde_json::from_slice(&meta).expect("envelope json"))
            })
            .collect()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The self-signed CA and the server certificate it signed, for 127.0.0.1 and localhost,
/// written as PEM files into `dir`: (ca.pem, cert.pem, key.pem).
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "ACE Refunds test CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("CA key")).expect("CA");

    let key = KeyPair::generate().expect("server key");
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).expect("params");
    params.distinguished_name.push(DnType::CommonName, "smtp-sink.test");
    let cert = params.signed_by(&key, &ca).expect("server certificate");

    let paths = (dir.join("ca.pem"), dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&paths.0, ca.pem()).expect("write ca.pem");
    std::fs::write(&paths.1, cert.pem()).expect("write cert.pem");
    std::fs::write(&paths.2, key.serialize_pem()).expect("write key.pem");
    paths
}

/// Percent-encodes a path for a URL query.
fn query_value(path: &Path) -> String {
    let mut out = String::new();
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/._-".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn login_code() -> Mail {
    Mail::LoginCode { code: "482913".into(), valid_minutes: 10 }
}

fn str_list(v: &serde_json::Value) -> Vec<&str> {
    v.as_array().map(|a| a.iter().filter_map(|s| s.as_str()).collect()).unwrap_or_default()
}

#[tokio::test]
async fn plain_smtp_delivers_both_parts_to_the_right_recipient() {
    let Some(sink) = Sink::start(&[]) else { return };
    let mailer = Mailer::new(Transport::Smtp(format!("smtp://127.0.0.1:{}", sink.port)), FROM).expect("mailer");
    assert_eq!(mailer.describe(), format!("SMTP smtp://127.0.0.1:{} (no TLS)", sink.port));

    let id1 = mailer.send("user@example.com", &login_code()).await.expect("send login code");
    let (_, application) = samples().remove(0);
    let id2 = mailer.send("Form 5106 Contact <contact@acme.example>", &application).await.expect("send application");

    let received = sink.received();
    assert_eq!(received.len(), 2, "sink log:\n{}", sink.log());
    let (m, envelope) = &received[0];
    assert_eq!(m.to, "user@example.com");
    assert_eq!(m.from, "no-reply@refunds.example.gov");
    assert_eq!(m.subject, "Your ACE Refunds login code");
    assert_eq!(format!("<{}>", m.message_id), id1);
    assert!(m.text.contains("482913") && m.html.contains("482913"), "{m:?}");
    assert_eq!(envelope["mail_from"], "no-reply@refunds.example.gov");
    assert_eq!(str_list(&envelope["rcpt_tos"]), ["user@example.com"]);
    assert_eq!(envelope["tls"], false);

    let (m, envelope) = &received[1];
    assert_eq!(m.to, "contact@acme.example");
    assert_eq!(m.subject, "ACE Refunds account request for Acme Imports LLC");
    assert_eq!(format!("<{}>", m.message_id), id2);
    assert!(m.text.contains("K7P-4QX-29M") && m.html.contains("K7P-4QX-29M"));
    assert!(m.text.contains("Dana Broker (dana@brokers.example.com)"), "{}", m.text);
    assert_eq!(str_list(&envelope["rcpt_tos"]), ["contact@acme.example"]);
}

#[tokio::test]
async fn auth_with_percent_encoded_credentials() {
    let Some(sink) = Sink::start(&["--auth", "mailer@agency:p@ss w:rd%"]) else { return };
    let url = format!("smtp://mailer%40agency:p%40ss%20w%3Ard%25@127.0.0.1:{}", sink.port);
    let mailer = Mailer::new(Transport::Smtp(url), FROM).expect("mailer");
    mailer.send("user@example.com", &login_code()).await.expect("send with AUTH");
    let received = sink.received();
    assert_eq!(received.len(), 1, "sink log:\n{}", sink.log());
    assert_eq!(received[0].1["auth_login"], "mailer@agency");

    let wrong = format!("smtp://mailer%40agency:WrongSecret99@127.0.0.1:{}", sink.port);
    let err = Mailer::new(Transport::Smtp(wrong), FROM).expect("mailer").send("user@example.com", &login_code()).await;
    match err {
        Err(e @ MailError::Delivery(_)) => {
            let msg = e.to_string();
            assert!(!msg.contains("WrongSecret99"), "{msg}");
            assert!(msg.contains("535"), "says the server refused the login: {msg}");
            assert!(msg.contains(&format!("127.0.0.1:{}", sink.port)), "{msg}");
        }
        other => panic!("wrong password: {other:?}"),
    }

    let anonymous = Mailer::new(Transport::Smtp(format!("smtp://127.0.0.1:{}", sink.port)), FROM).expect("mailer");
    let err = anonymous.send("user@example.com", &login_code()).await;
    assert!(matches!(err, Err(MailError::Delivery(_))), "no AUTH: {err:?}");
    assert_eq!(sink.received().len(), 1, "only the authenticated message arrived");
}

#[tokio::test]
async fn starttls_with_an_extra_trusted_ca() {
    let certs = tempfile::tempdir().expect("temp dir");
    let (ca, cert, key) = certificates(certs.path());
    let (cert_s, key_s) = (cert.to_string_lossy(), key.to_string_lossy());
    let Some(sink) = Sink::start(&["--starttls", &cert_s, &key_s, "--auth", "mailer:tls-secret"]) else { return };

    let url = format!("smtp://mailer:tls-secret@127.0.0.1:{}?tls=starttls&ca={}", sink.port, query_value(&ca));
    let mailer = Mailer::new(Transport::Smtp(url), FROM).expect("mailer");
    assert!(mailer.describe().contains("(STARTTLS), extra CA"), "{}", mailer.describe());
    mailer.send("user@example.com", &login_code()).await.expect("send over STARTTLS");
    let received = sink.received();
    assert_eq!(received.len(), 1, "sink log:\n{}", sink.log());
    assert_eq!(received[0].1["tls"], true);
    assert_eq!(received[0].1["auth_login"], "mailer");
    assert!(received[0].0.text.contains("482913"));

    // Without the CA the server's certificate is not trusted, and nothing is sent.
    let untrusted = format!("smtp://mailer:tls-secret@127.0.0.1:{}?tls=starttls", sink.port);
    let err =
        Mailer::new(Transport::Smtp(untrusted), FROM).expect("mailer").send("user@example.com", &login_code()).await;
    match err {
        Err(MailError::Delivery(msg)) => {
            assert!(!msg.contains("tls-secret"), "{msg}");
            assert!(msg.contains("UnknownIssuer"), "says why the certificate is refused: {msg}");
        }
        other => panic!("untrusted certificate: {other:?}"),
    }

    // A plain connection to a server that requires STARTTLS is refused, not silently downgraded.
    let plain = format!("smtp://127.0.0.1:{}", sink.port);
    let err = Mailer::new(Transport::Smtp(plain), FROM).expect("mailer").send("user@example.com", &login_code()).await;
    assert!(matches!(err, Err(MailError::Delivery(_))), "{err:?}");
    assert_eq!(sink.received().len(), 1);
}

#[tokio::test]
async fn smtps_implicit_tls() {
    let certs = tempfile::tempdir().expect("temp dir");
    let (ca, cert, key) = certificates(certs.path());
    let (cert_s, key_s) = (cert.to_string_lossy(), key.to_string_lossy());
    let Some(sink) = Sink::start(&["--implicit-tls", &cert_s, &key_s]) else { return };

    let url = format!("smtps://127.0.0.1:{}?ca={}", sink.port, query_value(&ca));
    let mailer = Mailer::new(Transport::Smtp(url), FROM).expect("mailer");
    mailer.send("user@example.com", &Mail::Lockout { until: "2026-11-25 13:15 UTC".into() }).await.expect("send");
    let received = sink.received();
    assert_eq!(received.len(), 1, "sink log:\n{}", sink.log());
    assert_eq!(received[0].0.subject, "Your ACE Refunds account is locked until 2026-11-25 13:15 UTC");
}

/// Needs no sink: nothing listens on the port.
#[tokio::test]
async fn server_down_is_a_delivery_error_without_the_password() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    for url in [
        format!("smtp://mailer:TopSecret42@127.0.0.1:{port}"),
        format!("smtp://mailer:TopSecret42@127.0.0.1:{port}?tls=starttls"),
        format!("smtps://mailer:TopSecret42@127.0.0.1:{port}"),
    ] {
        let mailer = Mailer::new(Transport::Smtp(url.clone()), FROM).expect("mailer");
        match mailer.send("user@example.com", &login_code()).await {
            Err(e @ MailError::Delivery(_)) => {
                let msg = e.to_string();
                assert!(msg.starts_with("could not deliver mail: SMTP smtp"), "{msg}");
                assert!(msg.contains(&format!("mailer:***@127.0.0.1:{port}")), "{msg}");
                assert!(msg.to_lowercase().contains("connect"), "says what failed: {msg}");
                assert!(!msg.contains("TopSecret42"), "{msg}");
            }
            other => panic!("{url}: {other:?}"),
        }
    }
}

/// Needs no sink: a socket that accepts connections but never greets.
#[tokio::test]
async fn silent_server_times_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let mailer = Mailer::new(Transport::Smtp(format!("smtp://127.0.0.1:{port}?timeout=1")), FROM).expect("mailer");
    let start = Instant::now();
    let err = mailer.send("user@example.com", &login_code()).await;
    assert!(matches!(err, Err(MailError::Delivery(_))), "{err:?}");
    assert!(start.elapsed() < Duration::from_secs(10), "took {:?}", start.elapsed());
    drop(listener);
}

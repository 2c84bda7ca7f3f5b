//! The outbox and memory transports, and the errors of `Mailer::new` / `Mailer::send`.

use crate::common;

use std::path::Path;

use common::{parse, samples};
use mail::{Mail, MailError, Mailer, Transport, render};

const FROM: &str = "ACE Refunds <no-reply@refunds.example.gov>";

fn eml_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("outbox readable")
        .map(|e| e.expect("dir entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn outbox_writes_one_readable_eml_per_message_in_time_order() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let outbox = tmp.path().join("data/outbox");
    let mailer = Mailer::new(Transport::Outbox(outbox.clone()), FROM).expect("mailer");
    assert!(outbox.is_dir(), "Mailer::new creates the outbox folder");
    assert_eq!(mailer.describe(), format!("outbox {}", outbox.display()));

    let login = Mail::LoginCode { code: "482913".into(), valid_minutes: 10 };
    let (_, application) = samples().remove(0);
    let id1 = mailer.send("user@example.com", &login).await.expect("first send");
    let id2 = mailer.send("Contact Person <contact@acme.example>", &application).await.expect("second send");
    assert_ne!(id1, id2);
    for id in [&id1, &id2] {
        assert!(id.starts_with('<') && id.ends_with("@refunds.example.gov>"), "{id}");
    }

    let names = eml_files(&outbox);
    assert_eq!(names.len(), 2, "exactly two files, no temporary ones left: {names:?}");
    for (name, id) in names.iter().zip([&id1, &id2]) {
        // 20261125T123456.123456Z-<id>.eml
        let (stamp, rest) = name.split_once('-').expect("stamp-id");
        assert_eq!(stamp.len(), 23, "{name}");
        assert!(stamp.as_bytes()[8] == b'T' && stamp.ends_with('Z'), "{name}");
        assert_eq!(rest, format!("{}.eml", id.trim_matches(['<', '>'])), "{name}");
    }

    let first = parse(&std::fs::read(outbox.join(&names[0])).expect("read first"));
    assert_eq!(first.from, "no-reply@refunds.example.gov");
    assert_eq!(first.to, "user@example.com");
    assert_eq!(first.subject, "Your ACE Refunds login code");
    assert_eq!(format!("<{}>", first.message_id), id1);
    assert_eq!(first.auto_submitted.as_deref(), Some("auto-generated"));
    assert!(first.text.contains("    482913\n") || first.text.contains("    482913\r\n"), "{}", first.text);
    assert!(first.html.contains(">482913</p>"), "{}", first.html);
    assert!(first.raw.contains("\r\nDate: "), "has a Date header");

    let second = parse(&std::fs::read(outbox.join(&names[1])).expect("read second"));
    assert_eq!(second.to, "contact@acme.example");
    assert_eq!(second.subject, "ACE Refunds account request for Acme Imports LLC");
    assert!(second.text.contains("Dana Broker (dana@brokers.example.com) asked"), "{}", second.text);
    assert!(second.html.contains("K7P-4QX-29M"));
    assert_eq!(format!("<{}>", second.message_id), id2);
}

#[tokio::test]
async fn outbox_folder_is_created_again_if_removed() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let outbox = tmp.path().join("outbox");
    let mailer = Mailer::new(Transport::Outbox(outbox.clone()), FROM).expect("mailer");
    std::fs::remove_dir(&outbox).expect("remove outbox");
    mailer.send("user@example.com", &Mail::Lockout { until: "13:00 UTC".into() }).await.expect("send");
    assert_eq!(eml_files(&outbox).len(), 1);
}

#[tokio::test]
async fn unwritable_outbox_is_a_delivery_error() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let outbox = tmp.path().join("outbox");
    let mailer = Mailer::new(Transport::Outbox(outbox.clone()), FROM).expect("mailer");
    std::fs::remove_dir(&outbox).expect("remove outbox");
    std::fs::write(&outbox, b"a file where the folder was").expect("write file");
    let err = mailer.send("user@example.com", &Mail::Lockout { until: "13:00 UTC".into() }).await;
    assert!(matches!(err, Err(MailError::Delivery(ref m)) if m.contains("outbox folder")), "{err:?}");

    let blocked = Mailer::new(Transport::Outbox(outbox.join("sub")), FROM);
    assert!(matches!(blocked, Err(MailError::Config(ref m)) if m.contains("outbox folder")), "{blocked:?}");
}

#[tokio::test]
async fn memory_keeps_sent_messages_in_order_and_clones_share_them() {
    let mailer = Mailer::new(Transport::Memory, FROM).expect("mailer");
    let clone = mailer.clone();
    for (i, (_, mail)) in samples().into_iter().enumerate() {
        clone.send(&format!("user{i}@example.com"), &mail).await.expect("send");
    }
    let sent = mailer.memory_sent();
    assert_eq!(sent.len(), samples().len());
    for (i, (s, (_, mail))) in sent.iter().zip(samples()).enumerate() {
        assert_eq!(s.to, format!("user{i}@example.com"));
        assert_eq!(s.rendered, render(&mail));
    }
    assert_eq!(mailer.describe(), "memory");

    let outbox = Mailer::new(Transport::Outbox(tempfile::tempdir().expect("tmp").path().join("o")), FROM);
    assert!(outbox.expect("outbox mailer").memory_sent().is_empty());
}

#[tokio::test]
async fn invalid_addresses_are_config_errors_and_nothing_is_sent() {
    let mailer = Mailer::new(Transport::Memory, FROM).expect("mailer");
    let mail = Mail::LoginCode { code: "482913".into(), valid_minutes: 10 };
    for to in [
        "",
        "not an address",
        "user@example.com\r\nBcc: everyone@example.com",
        "user@example.com\nSubject: hi",
        "a@example.com, b@example.com",
        "<user@example.com",
        "user@",
    ] {
        match mailer.send(to, &mail).await {
            Err(MailError::Config(msg)) => {
                assert!(msg.contains("recipient address"), "{to:?}: {msg}");
                assert!(!msg.contains(['\r', '\n']), "{to:?}: {msg}");
            }
            other => panic!("{to:?}: {other:?}"),
        }
    }
    assert!(mailer.memory_sent().is_empty());

    for from in ["", "no-reply", "a@b.gov\r\nBcc: x@y.gov"] {
        let err = Mailer::new(Transport::Memory, from);
        assert!(matches!(err, Err(MailError::Config(ref m)) if m.contains("sender address")), "{from:?}: {err:?}");
    }
}

#[tokio::test]
async fn line_breaks_in_values_do_not_make_headers() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mailer = Mailer::new(Transport::Outbox(tmp.path().to_owned()), FROM).expect("mailer");
    let mail = Mail::Lockout { until: "13:00 UTC\r\nBcc: everyone@example.com\r\nX-Evil: 1".into() };
    mailer.send("user@example.com", &mail).await.expect("send");
    let name = eml_files(tmp.path()).remove(0);
    let parsed = parse(&std::fs::read(tmp.path().join(name)).expect("read"));
    let headers = parsed.raw.split("\r\n\r\n").next().unwrap_or_default();
    for line in headers.split("\r\n") {
        assert!(!line.starts_with("Bcc:") && !line.starts_with("X-Evil:"), "{headers}");
    }
    assert_eq!(
        parsed.subject,
        "Your ACE Refunds account is locked until 13:00 UTC Bcc: everyone@example.com X-Evil: 1"
    );
}

#[test]
fn transport_debug_and_display_hide_the_password() {
    let t = Transport::Smtp("smtp://mailer:s3cr%40t@relay.example.gov:587?tls=starttls".into());
    for shown in [format!("{t:?}"), t.to_string()] {
        assert!(!shown.contains("s3cr"), "{shown}");
        assert!(shown.contains("mailer:***@relay.example.gov:587"), "{shown}");
    }
    let garbage = Transport::Smtp("smtp://u:s3cret@[bad".into());
    assert!(!format!("{garbage:?} {garbage}").contains("s3cret"));

    let err = Mailer::new(Transport::Smtp("smtp://u:s3cret@relay.example.gov?tls=bogus".into()), FROM);
    let msg = match err {
        Err(e @ MailError::Config(_)) => e.to_string(),
        other => panic!("{other:?}"),
    };
    assert!(!msg.contains("s3cret") && msg.contains("tls="), "{msg}");

    let mailer = Mailer::new(Transport::Smtp("smtps://u:s3cret@relay.example.gov".into()), FROM).expect("mailer");
    assert_eq!(mailer.describe(), "SMTP smtps://u:***@relay.example.gov:465 (implicit TLS)");
    assert!(!format!("{mailer:?}").contains("s3cret"));
}

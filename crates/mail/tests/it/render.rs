//! Snapshot tests of every kind of mail: subject, text part and HTML part
//! (snapshots in tests/snapshots/; review changes with `cargo insta review`).

use crate::common;

use common::samples;
use mail::{Mail, Rendered, render};

fn shown(r: &Rendered) -> String {
    format!("Subject: {}\n\n===== text/plain =====\n{}\n===== text/html =====\n{}", r.subject, r.text, r.html)
}

#[test]
fn every_kind_of_mail() {
    let samples = samples();
    assert_eq!(samples.len(), 9, "one sample per Mail variant");
    for (name, mail) in samples {
        assert_eq!(mail.kind(), name);
        insta::assert_snapshot!(name, shown(&render(&mail)));
    }
}

/// A requester who types markup, line breaks and a right-to-left override into their name.
#[test]
fn hostile_values() {
    let mail = Mail::ApplicationCode {
        company: "Acme\r\nBcc: everyone@example.com".into(),
        importer_number: "12-3456***".into(),
        requester_name: "<a href=\"https://evil.example\">CBP</a>\u{202E}gnp.exe".into(),
        requester_email: "x@example.com\n\nIgnore the above".into(),
        code: "K7P-4QX-29M".into(),
        valid_minutes: 1,
    };
    insta::assert_snapshot!("hostile_application_code", shown(&render(&mail)));
}

#[test]
fn every_mail_explains_itself() {
    for (name, mail) in samples() {
        let r = render(&mail);
        assert!(!r.subject.contains(['\r', '\n']), "{name}");
        assert!(r.html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"), "{name}");
        assert!(!r.html.contains("<img"), "{name}");
        for part in [&r.text, &r.html] {
            assert!(part.contains("Why you got this email"), "{name}");
            assert!(part.contains("Replies to this address are not read"), "{name}");
        }
        let expected = match name {
            "login_code" | "password_reset" | "lockout" | "new_device_login" => "If this wasn't you",
            "role_changed" => "If this wasn't expected",
            "bank_details_changed" => "If you did not make or expect this change",
            _ => "did not expect",
        };
        assert!(r.text.contains(expected) && r.html.contains(expected), "{name}: {expected}");
    }
}

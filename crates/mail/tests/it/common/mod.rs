//! Shared by the integration tests: sample mails and a parsed view of a delivered message.
#![allow(dead_code)] // each test file uses a different part

use mail::Mail;
use mail_parser::{MessageParser, MimeHeaders, PartType};

/// One of each kind, with the values the portal would pass.
pub fn samples() -> Vec<(&'static str, Mail)> {
    vec![
        (
            "application_code",
            Mail::ApplicationCode {
                company: "Acme Imports LLC".into(),
                importer_number: "12-3456***".into(),
                requester_name: "Dana Broker".into(),
                requester_email: "dana@brokers.example.com".into(),
                code: "K7P-4QX-29M".into(),
                valid_minutes: 30,
            },
        ),
        (
            "invitation",
            Mail::Invitation {
                account_name: "Acme Imports LLC".into(),
                inviter_name: "Pat Admin".into(),
                link: "https://refunds.example.gov/invite/3f9c0a7e?step=password&lang=en".into(),
                valid_hours: 72,
            },
        ),
        ("login_code", Mail::LoginCode { code: "482913".into(), valid_minutes: 10 }),
        (
            "password_reset",
            Mail::PasswordReset { link: "https://refunds.example.gov/reset/9b1d2c".into(), valid_minutes: 60 },
        ),
        ("lockout", Mail::Lockout { until: "2026-11-25 13:15 UTC".into() }),
        (
            "role_changed",
            Mail::RoleChanged {
                account_name: "Acme Imports LLC".into(),
                changed_by: "Pat Admin".into(),
                summary: "Role: Viewer → Filer\nCan now submit refund requests".into(),
            },
        ),
        (
            "bank_details_changed",
            Mail::BankDetailsChanged {
                importer_number: "12-345678900".into(),
                importer_name: "Acme Imports LLC".into(),
                what: "Bank details changed".into(),
                by: "Pat Admin".into(),
                at: "2026-11-25 12:34 UTC".into(),
                summary:
                    "Bank: JPMORGAN CHASE BANK (021000021)\nAccount: Checking ••••6789\nStatus: Pending verification"
                        .into(),
            },
        ),
        (
            "new_device_login",
            Mail::NewDeviceLogin {
                at: "2026-11-25 12:34 UTC".into(),
                ip: "203.0.113.7".into(),
                user_agent: "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0".into(),
            },
        ),
        (
            "refund_notice",
            Mail::RefundNotice {
                importer_number: "12-345678900".into(),
                importer_name: "Acme Imports Inc".into(),
                what: "Refund held: no bank account to pay it into".into(),
                summary:
                    "Refund R-1: $1,000.00 waiting\nEntry 614-0000275-6 (liquidation)\nWhat to do: enroll bank details."
                        .into(),
                link: "https://ace.example/account".into(),
            },
        ),
    ]
}

/// What a test checks in a delivered message.
#[derive(Debug)]
pub struct Parsed {
    pub from: String,
    pub to: String,
    pub subject: String,
    /// Without angle brackets.
    pub message_id: String,
    pub text: String,
    pub html: String,
    pub auto_submitted: Option<String>,
    /// The message as received, headers and all.
    pub raw: String,
}

/// Parses a message and checks its structure: multipart/alternative holding exactly one
/// text/plain and one text/html part.
pub fn parse(bytes: &[u8]) -> Parsed {
    let raw = String::from_utf8(bytes.to_vec()).expect("an .eml is ASCII (7bit or quoted-printable)");
    let m = MessageParser::default().parse(bytes).expect("parses as a message");
    let root = m.root_part().content_type().expect("has a Content-Type");
    assert_eq!((root.ctype(), root.subtype()), ("multipart", Some("alternative")), "{raw}");
    let texts: Vec<String> = m
        .parts
        .iter()
        .filter_map(|p| match &p.body {
            PartType::Text(t) => Some(t.to_string()),
            _ => None,
        })
        .collect();
    let htmls: Vec<String> = m
        .parts
        .iter()
        .filter_map(|p| match &p.body {
            PartType::Html(t) => Some(t.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!((texts.len(), htmls.len()), (1, 1), "one text and one HTML part: {raw}");
    let first = |a: Option<&mail_parser::Address>| {
        a.and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or_default().to_owned()
    };
    Parsed {
        from: first(m.from()),
        to: first(m.to()),
        subject: m.subject().unwrap_or_default().to_owned(),
        message_id: m.message_id().unwrap_or_default().to_owned(),
        text: texts[0].clone(),
        html: htmls[0].clone(),
        auto_submitted: m.header_raw("Auto-Submitted").map(|v| v.trim().to_owned()),
        raw,
    }
}

//! From a [`Mail`] to its subject, text part and HTML part, with the askama templates in
//! `templates/` (`<kind>.txt` and `<kind>.html`, extending `base.txt` / `base.html`). HTML
//! templates escape every value; every value is first cleaned by [`crate::clean`].

use askama::Template;

use crate::clean::{self, count};
use crate::{Mail, Rendered};

/// Declares, for each kind of mail, a text and an HTML template struct with the same fields
/// (the HTML one also has `subject`, for its `<title>`), and a function that renders both.
macro_rules! templates {
    ($( $render:ident: $text:ident = $tpath:tt, $html:ident = $hpath:tt { $($field:ident: $ty:ty),* $(,)? } )*) => {$(
        #[derive(Template)]
        #[template(path = $tpath)]
        struct $text<'a> { $($field: $ty),* }

        #[derive(Template)]
        #[template(path = $hpath)]
        struct $html<'a> { subject: &'a str, $($field: $ty),* }

        #[allow(clippy::too_many_arguments)]
        fn $render<'a>(subject: String, $($field: $ty),*) -> Rendered {
            let text = $text { $($field),* }.render();
            let html = $html { subject: &subject, $($field),* }.render();
            finish(subject, text, html)
        }
    )*};
}

templates! {
    application_code: ApplicationCodeText = "application_code.txt", ApplicationCodeHtml = "application_code.html" {
        company: &'a str, importer_number: &'a str, requester_name: &'a str,
        requester_email: &'a str, code: &'a str, valid_for: &'a str,
    }
    invitation: InvitationText = "invitation.txt", InvitationHtml = "invitation.html" {
        account_name: &'a str, inviter_name: &'a str, link: &'a str, valid_for: &'a str,
    }
    login_code: LoginCodeText = "login_code.txt", LoginCodeHtml = "login_code.html" {
        code: &'a str, valid_for: &'a str,
    }
    password_reset: PasswordResetText = "password_reset.txt", PasswordResetHtml = "password_reset.html" {
        link: &'a str, valid_for: &'a str,
    }
    lockout: LockoutText = "lockout.txt", LockoutHtml = "lockout.html" {
        until: &'a str,
    }
    role_changed: RoleChangedText = "role_changed.txt", RoleChangedHtml = "role_changed.html" {
        account_name: &'a str, changed_by: &'a str, summary: &'a [String],
    }
    bank_details_changed: BankDetailsText = "bank_details_changed.txt", BankDetailsHtml = "bank_details_changed.html" {
        importer_number: &'a str, importer_name: &'a str, what: &'a str, by: &'a str, at: &'a str,
        summary: &'a [String],
    }
    refund_notice: RefundNoticeText = "refund_notice.txt", RefundNoticeHtml = "refund_notice.html" {
        importer_number: &'a str, importer_name: &'a str, what: &'a str, summary: &'a [String], link: &'a str,
    }
    new_device_login: NewDeviceLoginText = "new_device_login.txt", NewDeviceLoginHtml = "new_device_login.html" {
        at: &'a str, ip: &'a str, user_agent: &'a str,
    }
}

/// Renders a message (pure; used by `send` and by snapshot tests).
///
/// Subjects are one plain line; values are cleaned of line breaks, control and invisible
/// formatting characters, and cut at 200 characters (links are never cut).
pub fn render(mail: &Mail) -> Rendered {
    let line = clean::line;
    match mail {
        Mail::ApplicationCode { company, importer_number, requester_name, requester_email, code, valid_minutes } => {
            let company = line(company);
            application_code(
                format!("ACE Refunds account request for {company}"),
                &company,
                &line(importer_number),
                &line(requester_name),
                &line(requester_email),
                &line(code),
                &count(*valid_minutes, "minute"),
            )
        }
        Mail::Invitation { account_name, inviter_name, link, valid_hours } => {
            let account_name = line(account_name);
            invitation(
                format!("You are invited to join {account_name} on ACE Refunds"),
                &account_name,
                &line(inviter_name),
                &clean::link(link),
                &count(*valid_hours, "hour"),
            )
        }
        Mail::LoginCode { code, valid_minutes } => {
            login_code("Your ACE Refunds login code".to_owned(), &line(code), &count(*valid_minutes, "minute"))
        }
        Mail::PasswordReset { link, valid_minutes } => password_reset(
            "Reset your ACE Refunds password".to_owned(),
            &clean::link(link),
            &count(*valid_minutes, "minute"),
        ),
        Mail::Lockout { until } => {
            let until = line(until);
            lockout(format!("Your ACE Refunds account is locked until {until}"), &until)
        }
        Mail::RoleChanged { account_name, changed_by, summary } => {
            let account_name = line(account_name);
            let summary: Vec<String> = clean::block(summary).lines().map(str::to_owned).collect();
            role_changed(
                format!("Your role in {account_name} on ACE Refunds changed"),
                &account_name,
                &line(changed_by),
                &summary,
            )
        }
        Mail::BankDetailsChanged { importer_number, importer_name, what, by, at, summary } => {
            let (number, what) = (line(importer_number), line(what));
            let summary: Vec<String> = clean::block(summary).lines().map(str::to_owned).collect();
            bank_details_changed(
                format!("ACE Refunds: {what} for importer number {number}"),
                &number,
                &line(importer_name),
                &what,
                &line(by),
                &line(at),
                &summary,
            )
        }
        Mail::RefundNotice { importer_number, importer_name, what, summary, link } => {
            let (number, what) = (line(importer_number), line(what));
            let summary: Vec<String> = clean::block(summary).lines().map(str::to_owned).collect();
            refund_notice(
                format!("ACE Refunds: {what} for importer number {number}"),
                &number,
                &line(importer_name),
                &what,
                &summary,
                &line(link),
            )
        }
        Mail::NewDeviceLogin { at, ip, user_agent } => new_device_login(
            "New login to your ACE Refunds account".to_owned(),
            &line(at),
            &line(ip),
            &line(user_agent),
        ),
    }
}

/// Puts the parts together. A template can only fail if a value's `Display` fails, which
/// strings never do; should it happen anyway, the part says so instead of panicking.
fn finish(subject: String, text: askama::Result<String>, html: askama::Result<String>) -> Rendered {
    let text = match text {
        Ok(text) => tidy_text(&text),
        Err(e) => format!("This message could not be shown ({e}).\n"),
    };
    let html = match html {
        Ok(html) => format!("{}\n", html.trim()),
        Err(_) => "<!DOCTYPE html>\n<html lang=\"en\"><body><p>This message could not be shown; \
                   please read the text part.</p></body></html>\n"
            .to_owned(),
    };
    Rendered { subject, text, html }
}

/// Width of the text part's paragraphs.
const TEXT_WIDTH: usize = 72;

/// Text templates are written for reading, not for exact white space; values have any length.
/// So the text is laid out here: paragraphs (lines separated by blank lines) are re-wrapped at
/// [`TEXT_WIDTH`] columns; a line that ends with `:` ends its paragraph; indented lines (a code,
/// a list) and `--` are kept as they are; runs of blank lines become one.
fn tidy_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut words: Vec<&str> = Vec::new();
    let mut gap = false;
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() {
            flush(&mut out, &mut words, &mut gap);
            gap = true;
        } else if line.starts_with(char::is_whitespace) || line == "--" {
            flush(&mut out, &mut words, &mut gap);
            start_block(&mut out, &mut gap);
            out.push_str(line);
            out.push('\n');
        } else {
            words.extend(line.split_whitespace());
            if line.ends_with(':') {
                flush(&mut out, &mut words, &mut gap);
            }
        }
    }
    flush(&mut out, &mut words, &mut gap);
    out
}

/// Writes the pending paragraph, wrapped; a word longer than a line (a link) gets its own.
fn flush(out: &mut String, words: &mut Vec<&str>, gap: &mut bool) {
    if words.is_empty() {
        return;
    }
    start_block(out, gap);
    let mut width = 0;
    for word in words.drain(..) {
        let len = word.chars().count();
        if width > 0 && width + 1 + len > TEXT_WIDTH {
            out.push('\n');
            width = 0;
        }
        if width > 0 {
            out.push(' ');
            width += 1;
        }
        out.push_str(word);
        width += len;
    }
    out.push('\n');
}

fn start_block(out: &mut String, gap: &mut bool) {
    if *gap && !out.is_empty() {
        out.push('\n');
    }
    *gap = false;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_text_wraps_paragraphs_and_keeps_indented_lines() {
        assert_eq!(tidy_text("\n\n  a  \n\n\n\nb\nc\n \n"), "  a\n\nb c\n");
        let long = format!("{}\nend:\n  keep   this\n--\nfoot", "word ".repeat(20));
        // 14 words of 4 letters and their spaces fill 69 columns; a 15th would pass 72.
        let want = format!("{}\n{}end:\n  keep   this\n--\nfoot\n", ["word"; 14].join(" "), "word ".repeat(6));
        assert_eq!(tidy_text(&long), want);
        let link = format!("see\n{}\nok", "x".repeat(100));
        assert_eq!(tidy_text(&link), format!("see\n{}\nok\n", "x".repeat(100)));
    }

    #[test]
    fn values_are_cleaned_and_escaped() {
        let r = render(&Mail::RoleChanged {
            account_name: "Acme <b>\r\nBcc: victim@example.com".into(),
            changed_by: "Eve".into(),
            summary: "Viewer -> Filer\n<script>alert(1)</script>".into(),
        });
        assert_eq!(r.subject, "Your role in Acme <b> Bcc: victim@example.com on ACE Refunds changed");
        assert!(!r.html.contains("<script>"));
        assert!(r.html.contains("&#60;script&#62;") || r.html.contains("&lt;script&gt;"));
        assert!(r.text.contains("  <script>alert(1)</script>\n"));
    }
}

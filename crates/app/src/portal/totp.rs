//! Authenticator-app codes: TOTP (RFC 6238) with HMAC-SHA1, 6 digits, 30-second steps, which
//! every common authenticator app understands. A code is accepted for the current step and one
//! step either side (clock drift); the caller records the step so a code is never accepted twice.

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

pub const STEP_SECS: i64 = 30;
const DIGITS: u32 = 6;
const ISSUER: &str = "ace-refunds";

/// A new random 160-bit secret, base32 (what the user's app is given).
pub fn new_secret() -> String {
    let mut b = [0u8; 20];
    rand::rng().fill_bytes(&mut b);
    BASE32_NOPAD.encode(&b)
}

/// The code for one time step (RFC 4226 dynamic truncation).
fn code_at_step(key: &[u8], step: i64) -> Option<u32> {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).ok()?;
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[h.len() - 1] & 0x0f);
    let bin = u32::from_be_bytes([h[offset] & 0x7f, h[offset + 1], h[offset + 2], h[offset + 3]]);
    Some(bin % 10u32.pow(DIGITS))
}

/// The code at a Unix time, zero-padded.
pub fn code_at(secret_b32: &str, unix: i64) -> Option<String> {
    let key = BASE32_NOPAD.decode(secret_b32.as_bytes()).ok()?;
    code_at_step(&key, unix.div_euclid(STEP_SECS)).map(|c| format!("{c:06}"))
}

/// The time step the code belongs to (current, previous or next), if it matches. Spaces in
/// the typed code are ignored.
pub fn matching_step(secret_b32: &str, typed: &str, unix: i64) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS as usize || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let want: u32 = typed.parse().ok()?;
    let key = BASE32_NOPAD.decode(secret_b32.as_bytes()).ok()?;
    let now = unix.div_euclid(STEP_SECS);
    let mut found = None;
    // Check all three steps so the time taken does not depend on which one matched.
    for step in [now - 1, now, now + 1] {
        if code_at_step(&key, step) == Some(want) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// The `otpauth://` URI an authenticator app reads from the QR code.
pub fn uri(secret_b32: &str, account_email: &str) -> String {
    let label = format!("{ISSUER}:{account_email}");
    format!(
        "otpauth://totp/{}?secret={secret_b32}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        percent(&label)
    )
}

/// The QR code of `uri` as an inline SVG (no script, no external image: fits the page's CSP).
pub fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .dark_color(qrcode::render::svg::Color("#000000"))
            .light_color(qrcode::render::svg::Color("#ffffff"))
            .build(),
    )
}

/// The secret grouped in fours for typing by hand.
pub fn grouped(secret_b32: &str) -> String {
    secret_b32.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

fn percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@' | b':') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows (the 8-digit values' last 6 digits).
    #[test]
    fn rfc6238_vectors() {
        let secret = BASE32_NOPAD.encode(b"12345678901234567890");
        for (t, want) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
            (20_000_000_000, "353130"),
        ] {
            assert_eq!(code_at(&secret, t).as_deref(), Some(want), "t={t}");
        }
    }

    #[test]
    fn window_and_input() {
        let s = new_secret();
        let t = 1_700_000_000;
        let c = code_at(&s, t).unwrap();
        assert_eq!(matching_step(&s, &c, t), Some(t / STEP_SECS));
        assert_eq!(matching_step(&s, &c, t + STEP_SECS), Some(t / STEP_SECS));
        assert_eq!(matching_step(&s, &c, t - STEP_SECS), Some(t / STEP_SECS));
        assert_eq!(matching_step(&s, &c, t + 3 * STEP_SECS), None);
        let spaced = format!("{} {}", &c[..3], &c[3..]);
        assert!(matching_step(&s, &spaced, t).is_some());
        assert_eq!(matching_step(&s, "12345", t), None);
        assert_eq!(matching_step(&s, "abcdef", t), None);
        assert_eq!(matching_step("not base32!", "123456", t), None);
    }

    #[test]
    fn uri_and_qr() {
        let u = uri("JBSWY3DPEHPK3PXP", "ana+x@acme.example");
        assert!(u.starts_with("otpauth://totp/ace-refunds:ana%2Bx@acme.example?secret=JBSWY3DPEHPK3PXP"));
        let svg = qr_svg(&u).unwrap();
        assert!(svg.contains("<svg") && !svg.contains("<script"));
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }
}

//! The file outbox: one `.eml` file per message, named so that `ls` lists them in the order
//! they were sent: `20261125T123456.123456Z-<message id>.eml` (UTC, microseconds).
//!
//! A file appears whole or not at all: it is written as a hidden temporary file in the same
//! folder, flushed to disk, then renamed.

use std::path::Path;

use time::OffsetDateTime;
use tokio::io::AsyncWriteExt;

use crate::MailError;

/// Creates the folder (and its parents) if missing.
pub(crate) fn ensure_dir(dir: &Path) -> Result<(), MailError> {
    std::fs::create_dir_all(dir).map_err(|e| MailError::Config(format!("outbox folder {}: {e}", dir.display())))
}

/// Writes one message; returns the file's name.
pub(crate) async fn write(
    dir: &Path,
    at: OffsetDateTime,
    message_id: &str,
    formatted: &[u8],
) -> Result<String, MailError> {
    let fail =
        |what: &str, e: std::io::Error| MailError::Delivery(format!("outbox folder {}: {what}: {e}", dir.display()));
    tokio::fs::create_dir_all(dir).await.map_err(|e| fail("cannot create it", e))?;
    let name = file_name(at, message_id);
    let tmp = dir.join(format!(".{name}.tmp"));
    let written = async {
        let mut file = tokio::fs::OpenOptions::new().write(true).create_new(true).open(&tmp).await?;
        file.write_all(formatted).await?;
        file.sync_all().await?;
        drop(file);
        tokio::fs::rename(&tmp, dir.join(&name)).await
    }
    .await;
    if let Err(e) = written {
        // Best effort: the temporary file is hidden and useless if the write failed.
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(fail(&format!("cannot write {name}"), e));
    }
    Ok(name)
}

/// `20261125T123456.123456Z-<id>.eml`, where `<id>` is the Message-ID without its angle
/// brackets and with anything but letters, digits, `.`, `-`, `_` and `@` replaced by `_`.
pub(crate) fn file_name(at: OffsetDateTime, message_id: &str) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let id: String = message_id
        .trim_start_matches('<')
        .trim_end_matches('>')
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@') { c } else { '_' })
        .collect();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}.{:06}Z-{id}.eml",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.microsecond(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn names_sort_by_time_and_hold_the_message_id() {
        let a = file_name(datetime!(2026-11-25 12:34:56.000042 UTC), "<abc@example.gov>");
        assert_eq!(a, "20261125T123456.000042Z-abc@example.gov.eml");
        let b = file_name(datetime!(2026-11-25 07:34:56.5 -5), "<x/../y@z>");
        assert_eq!(b, "20261125T123456.500000Z-x_.._y@z.eml");
        assert!(a < b);
    }
}

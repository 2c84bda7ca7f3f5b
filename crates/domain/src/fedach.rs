//! The Federal Reserve's FedACH participant directory (plain-text format): which routing numbers
//! can receive ACH credits, and the banks' names to show next to a routing number.
//!
//! One record per line, 155 fixed-width ASCII characters, CRLF or LF line ends. Field positions are
//! listed in `testdata/fedach/README.md` of the shared test data. Parsing slices bytes at fixed
//! offsets (no regular expressions), allocates only the text fields it keeps, and reports a bad
//! line with its number instead of giving up on the file, so one damaged record does not hide
//! eighteen thousand good ones.

#![warn(missing_docs)]

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::bank::{RoutingNumber, RoutingNumberError};

/// The width of a directory record, without its line end.
pub const LINE_LEN: usize = 155;

string_enum!(
    /// Whether a routing number belongs to an institution's main office or a branch.
    Office {
        /// Office code `O`.
        Main = "main" / "Main office",
        /// Office code `B`.
        Branch = "branch" / "Branch",
    }
);

/// One institution (routing number) of the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    /// The routing number; it passed the check digit (a line whose number does not is an error).
    pub routing: RoutingNumber,
    /// Main office or branch.
    pub office: Office,
    /// The routing number of the Federal Reserve Bank that serves the institution (9 digits).
    pub servicing_frb: String,
    /// 0: the institution is a Federal Reserve Bank; 1: send items to this routing number;
    /// 2: send items to [`Participant::new_routing`] instead.
    pub record_type: u8,
    /// When the record last changed; `None` when the field is all zeros.
    pub change_date: Option<Date>,
    /// The routing number that replaces this one (record type 2); `None` when the field is all
    /// zeros. Kept as the directory's nine digits: it is a pointer to look up, not a number we pay.
    pub new_routing: Option<String>,
    /// Institution name, trimmed.
    pub name: String,
    /// Street address, trimmed.
    pub address: String,
    /// City, trimmed.
    pub city: String,
    /// Two-letter state code.
    pub state: String,
    /// ZIP code: `NNNNN-NNNN`, or `NNNNN` when the directory's extension is `0000` (none).
    pub zip: String,
    /// Telephone number, the directory's ten digits.
    pub phone: String,
    /// Institution status code; `1` means it receives government and commercial items.
    pub status_code: char,
    /// Data view code, kept as the directory gives it.
    pub data_view: char,
}

impl Participant {
    /// Whether ACH credits can be sent to this routing number: record type 0 or 1 (items go to this
    /// number) and status code `1` (receives government and commercial items). A type 2 record has
    /// moved: items go to [`Participant::new_routing`], so enrolling the old number is refused and
    /// the new one suggested.
    pub fn receives_ach(&self) -> bool {
        matches!(self.record_type, 0 | 1) && self.status_code == '1'
    }
}

/// Why a directory line could not be read. Messages name the field and its positions (1-based,
/// as the Federal Reserve's layout gives them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FedAchLineError {
    /// The line contains a character outside ASCII, so fixed positions cannot be trusted.
    #[error("a FedACH directory line has only plain ASCII characters; this one has others")]
    NotAscii,
    /// The line is not 155 characters long (line end excluded). Holds its length.
    #[error("a FedACH directory line has 155 characters; this one has {0}")]
    Length(usize),
    /// The routing number is not valid.
    #[error("routing number (positions 1-9): {0}")]
    Routing(RoutingNumberError),
    /// The office code is neither `O` nor `B`.
    #[error("office code (position 10) must be O (main office) or B (branch)")]
    Office,
    /// The servicing Federal Reserve routing number is not nine digits.
    #[error("servicing Federal Reserve routing number (positions 11-19) must be 9 digits")]
    ServicingFrb,
    /// The record type is not 0, 1 or 2.
    #[error("record type (position 20) must be 0, 1 or 2")]
    RecordType,
    /// The change date is not a real date written MMDDYY (or all zeros).
    #[error("change date (positions 21-26) must be a date written MMDDYY")]
    ChangeDate,
    /// The new routing number is not nine digits.
    #[error("new routing number (positions 27-35) must be 9 digits")]
    NewRouting,
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

fn two_digits(s: &[u8]) -> u8 {
    (s[0] - b'0') * 10 + (s[1] - b'0')
}

/// MMDDYY with a two-digit year: 70-99 are 1970-1999 and 00-69 are 2000-2069. FedACH began in the
/// 1970s, so no record can predate 1970, and the pivot holds until 2069.
fn change_date(s: &str) -> Result<Option<Date>, FedAchLineError> {
    if !all_digits(s) {
        return Err(FedAchLineError::ChangeDate);
    }
    if s == "000000" {
        return Ok(None);
    }
    let b = s.as_bytes();
    let (mm, dd, yy) = (two_digits(&b[0..2]), two_digits(&b[2..4]), two_digits(&b[4..6]));
    let year = if yy >= 70 { 1900 + i32::from(yy) } else { 2000 + i32::from(yy) };
    let month = Month::try_from(mm).map_err(|_| FedAchLineError::ChangeDate)?;
    Date::from_calendar_date(year, month, dd).map(Some).map_err(|_| FedAchLineError::ChangeDate)
}

/// Reads one directory record. A trailing line end (`\n`, `\r\n`) is ignored.
pub fn parse_line(line: &str) -> Result<Participant, FedAchLineError> {
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    if !line.is_ascii() {
        return Err(FedAchLineError::NotAscii);
    }
    if line.len() != LINE_LEN {
        return Err(FedAchLineError::Length(line.len()));
    }
    // 1-based inclusive positions, as in the published layout; every byte is ASCII, so any slice is
    // on a character boundary.
    let field = |from: usize, to: usize| &line[from - 1..to];
    let byte = |at: usize| line.as_bytes()[at - 1];

    let routing = RoutingNumber::parse(field(1, 9)).map_err(FedAchLineError::Routing)?;
    let office = match byte(10) {
        b'O' => Office::Main,
        b'B' => Office::Branch,
        _ => return Err(FedAchLineError::Office),
    };
    let servicing_frb = field(11, 19);
    if !all_digits(servicing_frb) {
        return Err(FedAchLineError::ServicingFrb);
    }
    let record_type = match byte(20) {
        c @ b'0'..=b'2' => c - b'0',
        _ => return Err(FedAchLineError::RecordType),
    };
    let change_date = change_date(field(21, 26))?;
    let new_routing = field(27, 35);
    if !all_digits(new_routing) {
        return Err(FedAchLineError::NewRouting);
    }
    let new_routing = (new_routing != "000000000").then(|| new_routing.to_string());
    let zip5 = field(130, 134).trim();
    let zip4 = field(135, 138).trim();
    let zip = if zip4.is_empty() || zip4 == "0000" { zip5.to_string() } else { format!("{zip5}-{zip4}") };

    Ok(Participant {
        routing,
        office,
        servicing_frb: servicing_frb.to_string(),
        record_type,
        change_date,
        new_routing,
        name: field(36, 71).trim().to_string(),
        address: field(72, 107).trim().to_string(),
        city: field(108, 127).trim().to_string(),
        state: field(128, 129).trim().to_string(),
        zip,
        phone: field(139, 148).trim().to_string(),
        status_code: char::from(byte(149)),
        data_view: char::from(byte(150)),
    })
}

/// Reads a whole directory file. Returns the records that parsed and, for each line that did not,
/// its 1-based line number and the error. Blank lines (such as the empty line after the final
/// line end) are skipped, as is a byte order mark at the start.
pub fn parse_directory(text: &str) -> (Vec<Participant>, Vec<(usize, FedAchLineError)>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // 157 bytes per CRLF record: reserve once instead of growing through 15 reallocations.
    let mut participants = Vec::with_capacity(text.len() / (LINE_LEN + 2) + 1);
    let mut errors = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_line(line) {
            Ok(p) => participants.push(p),
            Err(e) => errors.push((i + 1, e)),
        }
    }
    (participants, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// Builds a record from its fields, padded to their widths, so the tests read as data.
    #[allow(clippy::too_many_arguments)]
    fn record(
        routing: &str,
        office: &str,
        record_type: &str,
        change: &str,
        new_routing: &str,
        name: &str,
        city: &str,
        zip4: &str,
    ) -> String {
        let line = format!(
            "{routing:9}{office}{frb:9}{record_type}{change:6}{new_routing:9}{name:<36}{address:<36}{city:<20}{state:2}{zip5:5}{zip4:4}{phone:10}{status}{view}{filler:5}",
            frb = "011000015",
            address = "1000 PEACHTREE ST N.E.",
            state = "GA",
            zip5 = "30309",
            phone = "8773722457",
            status = "1",
            view = "1",
            filler = "",
        );
        assert_eq!(line.len(), LINE_LEN, "test record is mis-built");
        line
    }

    fn good() -> String {
        record("011000015", "O", "0", "012215", "000000000", "FEDERAL RESERVE BANK", "ATLANTA", "4470")
    }

    #[test]
    fn reads_every_field() {
        let p = parse_line(&good()).unwrap();
        assert_eq!(p.routing.as_str(), "011000015");
        assert_eq!(p.office, Office::Main);
        assert_eq!(p.servicing_frb, "011000015");
        assert_eq!(p.record_type, 0);
        assert_eq!(p.change_date, Some(date!(2015 - 01 - 22)));
        assert_eq!(p.new_routing, None);
        assert_eq!(p.name, "FEDERAL RESERVE BANK");
        assert_eq!(p.address, "1000 PEACHTREE ST N.E.");
        assert_eq!(p.city, "ATLANTA");
        assert_eq!(p.state, "GA");
        assert_eq!(p.zip, "30309-4470");
        assert_eq!(p.phone, "8773722457");
        assert_eq!((p.status_code, p.data_view), ('1', '1'));
        assert!(p.receives_ach());
    }

    #[test]
    fn a_real_line_from_the_sample() {
        let line = "021000021O0210012081082416000000000JPMORGAN CHASE                      3RD FLOOR                           TAMPA               FL336100000813432370011     \r\n";
        let p = parse_line(line).unwrap();
        assert_eq!((p.name.as_str(), p.city.as_str(), p.state.as_str()), ("JPMORGAN CHASE", "TAMPA", "FL"));
        assert_eq!((p.zip.as_str(), p.record_type), ("33610", 1));
        assert_eq!(p.change_date, Some(date!(2016 - 08 - 24)));
        assert!(p.receives_ach());
    }

    #[test]
    fn moved_and_inactive_numbers_do_not_receive() {
        let moved = record("011001962", "O", "2", "080312", "122203950", "CATHAY BANK", "ROSEMEAD", "0000");
        let p = parse_line(&moved).unwrap();
        assert_eq!(p.new_routing.as_deref(), Some("122203950"));
        assert_eq!(p.zip, "30309");
        assert!(!p.receives_ach());

        let mut other_status = good().into_bytes();
        other_status[148] = b'2';
        let p = parse_line(std::str::from_utf8(&other_status).unwrap()).unwrap();
        assert_eq!(p.status_code, '2');
        assert!(!p.receives_ach());

        let branch = record("011000015", "B", "1", "000000", "000000000", "X", "Y", "0000");
        let p = parse_line(&branch).unwrap();
        assert_eq!((p.office, p.change_date), (Office::Branch, None));
        assert!(p.receives_ach());
    }

    #[test]
    fn two_digit_years() {
        assert_eq!(change_date("123199").unwrap(), Some(date!(1999 - 12 - 31)));
        assert_eq!(change_date("010170").unwrap(), Some(date!(1970 - 01 - 01)));
        assert_eq!(change_date("022869").unwrap(), Some(date!(2069 - 02 - 28)));
        assert_eq!(change_date("022900").unwrap(), Some(date!(2000 - 02 - 29)));
        assert_eq!(change_date("022901"), Err(FedAchLineError::ChangeDate));
        assert_eq!(change_date("000000").unwrap(), None);
    }

    #[test]
    fn every_line_error() {
        let ok = good();
        let with = |at: usize, text: &str| {
            let mut s = ok.clone();
            s.replace_range(at - 1..at - 1 + text.len(), text);
            s
        };
        let cases: Vec<(String, FedAchLineError, &str)> = vec![
            (
                ok.replacen("ATLANTA", "ATLANTÉ", 1),
                FedAchLineError::NotAscii,
                "a FedACH directory line has only plain ASCII characters; this one has others",
            ),
            (
                ok[..154].to_string(),
                FedAchLineError::Length(154),
                "a FedACH directory line has 155 characters; this one has 154",
            ),
            (
                format!("{ok} "),
                FedAchLineError::Length(156),
                "a FedACH directory line has 155 characters; this one has 156",
            ),
            (
                with(1, "011000016"),
                FedAchLineError::Routing(RoutingNumberError::CheckDigit),
                "routing number (positions 1-9): this routing number is mistyped (its check digit does not match); copy it again from a check or your bank",
            ),
            (
                with(1, "01100001 "),
                FedAchLineError::Routing(RoutingNumberError::Length(8)),
                "routing number (positions 1-9): a routing number has 9 digits; you typed 8",
            ),
            (with(10, "X"), FedAchLineError::Office, "office code (position 10) must be O (main office) or B (branch)"),
            (
                with(11, "01100001A"),
                FedAchLineError::ServicingFrb,
                "servicing Federal Reserve routing number (positions 11-19) must be 9 digits",
            ),
            (with(20, "3"), FedAchLineError::RecordType, "record type (position 20) must be 0, 1 or 2"),
            (
                with(21, "133115"),
                FedAchLineError::ChangeDate,
                "change date (positions 21-26) must be a date written MMDDYY",
            ),
            (
                with(21, "023015"),
                FedAchLineError::ChangeDate,
                "change date (positions 21-26) must be a date written MMDDYY",
            ),
            (
                with(21, "01 215"),
                FedAchLineError::ChangeDate,
                "change date (positions 21-26) must be a date written MMDDYY",
            ),
            (
                with(27, "12220395 "),
                FedAchLineError::NewRouting,
                "new routing number (positions 27-35) must be 9 digits",
            ),
        ];
        for (line, err, msg) in cases {
            assert_eq!(parse_line(&line), Err(err), "{line:?}");
            assert_eq!(err.to_string(), msg);
        }
    }

    #[test]
    fn directory_with_mixed_line_ends_and_bad_lines() {
        let good = good();
        let moved = record("011001962", "O", "2", "080312", "122203950", "CATHAY BANK", "ROSEMEAD", "0000");
        let text = format!("\u{feff}{good}\r\n{moved}\nnot a record\r\n\r\n{good}\r\n\r\n\n");
        let (participants, errors) = parse_directory(&text);
        assert_eq!(participants.len(), 3);
        assert_eq!(participants[1].name, "CATHAY BANK");
        assert_eq!(errors, vec![(3, FedAchLineError::Length(12))]);
        assert_eq!(parse_directory(""), (vec![], vec![]));
    }

    /// The whole public sample (18,198 records). Its path comes from `ACE_FEDACH_SAMPLE` so the
    /// crate's tests pass where the shared test data is absent; the tests above always run.
    #[test]
    fn whole_sample_file() {
        let Ok(path) = std::env::var("ACE_FEDACH_SAMPLE") else {
            eprintln!("skipped: set ACE_FEDACH_SAMPLE to the FedACH sample directory file to parse it whole");
            return;
        };
        if !std::path::Path::new(&path).exists() && std::env::var("ACE_REQUIRE_CORPUS").as_deref() != Ok("1") {
            eprintln!("skipped: ACE_FEDACH_SAMPLE={path} does not exist (CI sets ACE_REQUIRE_CORPUS=1 to insist)");
            return;
        }
        let text = std::fs::read_to_string(&path).expect("read ACE_FEDACH_SAMPLE");
        let started = std::time::Instant::now();
        let (participants, errors) = parse_directory(&text);
        eprintln!("parsed {} records in {:?}", participants.len(), started.elapsed());
        assert_eq!(errors, vec![]);
        assert_eq!(participants.len(), 18_198);

        let atlanta = participants.iter().find(|p| p.routing.as_str() == "011000015").unwrap();
        assert_eq!(atlanta.name, "FEDERAL RESERVE BANK");
        assert_eq!((atlanta.city.as_str(), atlanta.state.as_str()), ("ATLANTA", "GA"));
        assert_eq!(atlanta.record_type, 0);
        let wells = participants.iter().find(|p| p.routing.as_str() == "121000248").unwrap();
        assert_eq!(wells.name, "WELLS FARGO BANK, NA");
        assert!(wells.receives_ach());
        let moved = participants.iter().filter(|p| p.record_type == 2).count();
        assert_eq!(moved, 1_606);
        assert!(participants.iter().filter(|p| p.record_type == 2).all(|p| p.new_routing.is_some()));
        assert_eq!(participants.iter().filter(|p| p.receives_ach()).count(), 18_198 - 1_606);
    }
}

//! Change codes (C01-C14, refused C61-C69) and typed parsing of NOC corrected data.

use crate::field::trim_end;
use crate::types::{RoutingNumber, TransactionCode, mask_account};
use serde::Serialize;
use std::fmt;

/// One change code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ChangeCode {
    /// "C01".
    pub code: &'static str,
    /// NACHA title.
    pub reason: &'static str,
    /// True for refused NOC codes (C61-C69).
    pub refused: bool,
}

const fn c(code: &'static str, reason: &'static str) -> ChangeCode {
    ChangeCode { code, reason, refused: false }
}
const fn rf(code: &'static str, reason: &'static str) -> ChangeCode {
    ChangeCode { code, reason, refused: true }
}

/// Every change code NACHA defines, sorted.
pub const CHANGE_CODES: &[ChangeCode] = &[
    c("C01", "Incorrect DFI account number"),
    c("C02", "Incorrect routing number"),
    c("C03", "Incorrect routing number and incorrect DFI account number"),
    c("C04", "Incorrect individual name / receiving company name"),
    c("C05", "Incorrect transaction code"),
    c("C06", "Incorrect DFI account number and incorrect transaction code"),
    c("C07", "Incorrect routing number, incorrect DFI account number, and incorrect transaction code"),
    c("C08", "Incorrect receiving DFI identification (IAT only)"),
    c("C09", "Incorrect individual identification number"),
    c("C10", "Incorrect company name"),
    c("C11", "Incorrect company identification"),
    c("C12", "Incorrect company name and company identification"),
    c("C13", "Addenda format error"),
    c("C14", "Incorrect SEC code for outbound international payment"),
    rf("C61", "Misrouted notification of change"),
    rf("C62", "Incorrect trace number"),
    rf("C63", "Incorrect company identification number"),
    rf("C64", "Incorrect individual identification number / identification number"),
    rf("C65", "Incorrectly formatted corrected data"),
    rf("C66", "Incorrect discretionary data"),
    rf("C67", "Routing number not from original entry detail record"),
    rf("C68", "DFI account number not from original entry detail record"),
    rf("C69", "Incorrect transaction code"),
];

/// Looks a change code up ("C01").
pub fn lookup(code: &[u8]) -> Option<&'static ChangeCode> {
    CHANGE_CODES.binary_search_by(|cc| cc.code.as_bytes().cmp(code)).ok().map(|i| &CHANGE_CODES[i])
}

/// True for C61-C69 (refused NOC layout).
pub fn is_refused_code(code: &[u8]) -> bool {
    matches!(code, [b'C', b'6', b'1'..=b'9'])
}

/// True for a code shaped like a change code (C + two digits), used for the custom-codes option.
pub fn is_code_shaped(code: &[u8]) -> bool {
    matches!(code, [b'C', a, b] if a.is_ascii_digit() && b.is_ascii_digit())
}

/// What a NOC asks the originator to change before the next entry.
///
/// `Debug` shows account numbers masked to their last four characters; the values themselves (and
/// their `Serialize` form) are complete, since the originator must apply them.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Correction {
    /// C01.
    AccountNumber {
        /// New account number.
        account_number: String,
    },
    /// C02.
    RoutingNumber {
        /// New routing number.
        routing_number: RoutingNumber,
    },
    /// C03.
    RoutingAndAccount {
        /// New routing number.
        routing_number: RoutingNumber,
        /// New account number.
        account_number: String,
    },
    /// C04.
    Name {
        /// New individual or company name.
        name: String,
    },
    /// C05.
    TransactionCode {
        /// New transaction code.
        transaction_code: TransactionCode,
    },
    /// C06.
    AccountAndTransactionCode {
        /// New account number.
        account_number: String,
        /// New transaction code.
        transaction_code: TransactionCode,
    },
    /// C07.
    RoutingAccountAndTransactionCode {
        /// New routing number.
        routing_number: RoutingNumber,
        /// New account number.
        account_number: String,
        /// New transaction code.
        transaction_code: TransactionCode,
    },
    /// C09.
    IndividualId {
        /// New identification number.
        identification_number: String,
    },
    /// C10.
    CompanyName {
        /// New company name.
        company_name: String,
    },
    /// C11.
    CompanyId {
        /// New company identification.
        company_identification: String,
    },
    /// C12.
    CompanyNameAndId {
        /// New company name.
        company_name: String,
        /// New company identification.
        company_identification: String,
    },
    /// Codes without a typed form (C08, C13, C14): the corrected data as sent.
    Other {
        /// Change code.
        code: String,
        /// Corrected data, trailing spaces trimmed.
        corrected_data: String,
    },
}

impl fmt::Debug for Correction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let acct = |a: &String| mask_account(a);
        match self {
            Self::AccountNumber { account_number } => {
                f.debug_struct("AccountNumber").field("account_number", &acct(account_number)).finish()
            }
            Self::RoutingNumber { routing_number } => {
                f.debug_struct("RoutingNumber").field("routing_number", routing_number).finish()
            }
            Self::RoutingAndAccount { routing_number, account_number } => f
                .debug_struct("RoutingAndAccount")
                .field("routing_number", routing_number)
                .field("account_number", &acct(account_number))
                .finish(),
            Self::Name { name } => f.debug_struct("Name").field("name", name).finish(),
            Self::TransactionCode { transaction_code } => {
                f.debug_struct("TransactionCode").field("transaction_code", transaction_code).finish()
            }
            Self::AccountAndTransactionCode { account_number, transaction_code } => f
                .debug_struct("AccountAndTransactionCode")
                .field("account_number", &acct(account_number))
                .field("transaction_code", transaction_code)
                .finish(),
            Self::RoutingAccountAndTransactionCode { routing_number, account_number, transaction_code } => f
                .debug_struct("RoutingAccountAndTransactionCode")
                .field("routing_number", routing_number)
                .field("account_number", &acct(account_number))
                .field("transaction_code", transaction_code)
                .finish(),
            Self::IndividualId { identification_number } => {
                f.debug_struct("IndividualId").field("identification_number", identification_number).finish()
            }
            Self::CompanyName { company_name } => {
                f.debug_struct("CompanyName").field("company_name", company_name).finish()
            }
            Self::CompanyId { company_identification } => {
                f.debug_struct("CompanyId").field("company_identification", company_identification).finish()
            }
            Self::CompanyNameAndId { company_name, company_identification } => f
                .debug_struct("CompanyNameAndId")
                .field("company_name", company_name)
                .field("company_identification", company_identification)
                .finish(),
            Self::Other { code, corrected_data } => {
                f.debug_struct("Other").field("code", code).field("corrected_data", corrected_data).finish()
            }
        }
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(trim_end(b)).trim().to_string()
}

fn sub(b: &[u8], s: usize, e: usize) -> &[u8] {
    let e = e.min(b.len());
    b.get(s.min(e)..e).unwrap_or(&[])
}

fn routing(b: &[u8]) -> Result<RoutingNumber, String> {
    let s = std::str::from_utf8(b).map_err(|_| "routing number is not text".to_string())?;
    RoutingNumber::parse(s)
}

fn tcode(b: &[u8]) -> Result<TransactionCode, String> {
    let t = crate::field::parse_digits(b).ok_or_else(|| format!("transaction code {:?} is not 2 digits", text(b)))?;
    u8::try_from(t).ok().and_then(TransactionCode::new).ok_or_else(|| format!("invalid transaction code {t}"))
}

fn nonempty(s: String, what: &str) -> Result<String, String> {
    if s.is_empty() { Err(format!("corrected {what} is blank")) } else { Ok(s) }
}

/// Parses the 29-character corrected data of an addenda 98 for its change code.
///
/// Layouts (NACHA Appendix Five): C01 account 1-17; C02 routing 1-9; C03 routing 1-9, blank 10-12,
/// account 13-29; C04 name 1-22; C05 code 1-2; C06 account 1-17, blank 18-20, code 21-22; C07
/// routing 1-9, account 10-26, code 27-28; C09 id 1-22; C10 name 1-16; C11 id 1-10; C12 name 1-16,
/// id 17-26. Where files separate the parts with blanks instead of fixed columns (C03, C06) the
/// parser also accepts two blank-separated words.
pub fn parse_corrected_data(code: &[u8], data: &[u8]) -> Result<Correction, String> {
    let words: Vec<&[u8]> = data.split(|&b| b == b' ').filter(|w| !w.is_empty()).collect();
    Ok(match code {
        b"C01" => Correction::AccountNumber { account_number: nonempty(text(sub(data, 0, 17)), "account number")? },
        b"C02" => Correction::RoutingNumber { routing_number: routing(sub(data, 0, 9))? },
        b"C03" => {
            let account = text(sub(data, 9, 29));
            Correction::RoutingAndAccount {
                routing_number: routing(sub(data, 0, 9))?,
                account_number: nonempty(account, "account number")?,
            }
        }
        b"C04" => Correction::Name { name: nonempty(text(sub(data, 0, 22)), "name")? },
        b"C05" => Correction::TransactionCode { transaction_code: tcode(sub(data, 0, 2))? },
        b"C06" => match tcode(sub(data, 20, 22)) {
            Ok(t) => Correction::AccountAndTransactionCode {
                account_number: nonempty(text(sub(data, 0, 17)), "account number")?,
                transaction_code: t,
            },
            Err(e) => match words.as_slice() {
                [a, t] => {
                    Correction::AccountAndTransactionCode { account_number: text(a), transaction_code: tcode(t)? }
                }
                _ => return Err(e),
            },
        },
        b"C07" => Correction::RoutingAccountAndTransactionCode {
            routing_number: routing(sub(data, 0, 9))?,
            account_number: nonempty(text(sub(data, 9, 26)), "account number")?,
            transaction_code: tcode(sub(data, 26, 28))?,
        },
        b"C09" => Correction::IndividualId { identification_number: nonempty(text(sub(data, 0, 22)), "id")? },
        b"C10" => Correction::CompanyName { company_name: nonempty(text(sub(data, 0, 16)), "company name")? },
        b"C11" => Correction::CompanyId { company_identification: nonempty(text(sub(data, 0, 10)), "company id")? },
        b"C12" => Correction::CompanyNameAndId {
            company_name: nonempty(text(sub(data, 0, 16)), "company name")?,
            company_identification: nonempty(text(sub(data, 16, 26)), "company id")?,
        },
        other => Correction::Other { code: text(other), corrected_data: text(data) },
    })
}

/// Where the values of each change code go in the 29 columns of corrected data: (name, first
/// column, width), in NACHA order. `None` for refused and unknown codes.
fn corrected_data_columns(code: &str) -> Option<&'static [(&'static str, usize, usize)]> {
    const ACCOUNT: (&str, usize, usize) = ("account number", 0, 17);
    const ROUTING: (&str, usize, usize) = ("routing number", 0, 9);
    Some(match code {
        "C01" => &[ACCOUNT],
        "C02" => &[ROUTING],
        "C03" => &[ROUTING, ("account number", 12, 17)],
        "C04" => &[("name", 0, 22)],
        "C05" => &[("transaction code", 0, 2)],
        "C06" => &[ACCOUNT, ("transaction code", 20, 2)],
        "C07" => &[ROUTING, ("account number", 9, 17), ("transaction code", 26, 2)],
        "C09" => &[("identification number", 0, 22)],
        "C10" => &[("company name", 0, 16)],
        "C11" => &[("company identification", 0, 10)],
        "C12" => &[("company name", 0, 16), ("company identification", 16, 10)],
        "C08" | "C13" | "C14" => &[("corrected data", 0, 29)],
        _ => return None,
    })
}

/// Lays the corrected values of a NOC out in the 29 columns of an addenda 98's corrected data, in
/// the order NACHA lists them: C01 account; C02 routing; C03 routing, account; C04 name; C05
/// transaction code; C06 account, transaction code; C07 routing, account, transaction code; C09 id;
/// C10 company name; C11 company id; C12 company name, company id; C08, C13, C14 the data as is.
///
/// The result is checked with [`parse_corrected_data`], so it always reads back. Errors name the
/// value that is wrong (values are the caller's own input and are shown as given).
pub fn layout_corrected_data(code: &str, parts: &[&str]) -> Result<String, String> {
    let cc = lookup(code.as_bytes()).ok_or_else(|| format!("{code} is not a change code"))?;
    let columns = corrected_data_columns(cc.code)
        .ok_or_else(|| format!("{code} is a refused-NOC code; it cannot be sent as a notification of change"))?;
    if parts.len() != columns.len() {
        let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
        return Err(format!("{code} takes {} value(s) ({}), got {}", columns.len(), names.join(", "), parts.len()));
    }
    let mut out = [b' '; 29];
    for (part, &(name, start, width)) in parts.iter().zip(columns) {
        let v = part.trim();
        if v.is_empty() {
            return Err(format!("{code}: the {name} is blank"));
        }
        if !v.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
            return Err(format!("{code}: the {name} must be printable ASCII"));
        }
        if v.len() > width {
            return Err(format!("{code}: the {name} {v:?} has {} characters; at most {width} fit", v.len()));
        }
        out[start..start + v.len()].copy_from_slice(v.as_bytes());
    }
    parse_corrected_data(cc.code.as_bytes(), &out).map_err(|e| format!("{code}: {e}"))?;
    Ok(String::from_utf8_lossy(trim_end(&out)).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_sorted() {
        assert!(CHANGE_CODES.windows(2).all(|w| w[0].code < w[1].code));
        assert!(lookup(b"C78").is_none());
        assert!(lookup(b"C65").is_some_and(|c| c.refused));
    }

    #[test]
    fn corrected_data_layouts() {
        let c01 = parse_corrected_data(b"C01", b"1918171614                   ");
        assert_eq!(c01, Ok(Correction::AccountNumber { account_number: "1918171614".into() }));
        let c03 = parse_corrected_data(b"C03", b"231380104   123456789        ");
        assert!(
            matches!(c03, Ok(Correction::RoutingAndAccount { ref account_number, .. }) if account_number == "123456789")
        );
        let c06 = parse_corrected_data(b"C06", b"12345678901234567   32       ");
        assert!(
            matches!(c06, Ok(Correction::AccountAndTransactionCode { transaction_code, .. }) if transaction_code.code() == 32)
        );
        let c06w = parse_corrected_data(b"C06", b"987654 27                    ");
        assert!(matches!(c06w, Ok(Correction::AccountAndTransactionCode { .. })));
        let c07 = parse_corrected_data(b"C07", b"2313801041234567890123456722 ");
        assert!(matches!(c07, Ok(Correction::RoutingAccountAndTransactionCode { .. })));
        assert!(parse_corrected_data(b"C02", b"231380105                    ").is_err());
        let c12 = parse_corrected_data(b"C12", b"NEW NAME        1234567890   ");
        assert_eq!(
            c12,
            Ok(Correction::CompanyNameAndId {
                company_name: "NEW NAME".into(),
                company_identification: "1234567890".into()
            })
        );
    }

    #[test]
    fn layout_reads_back() {
        let rn = |s: &str| RoutingNumber::parse(s).expect("rn");
        let tc = |c: u8| TransactionCode::new(c).expect("tc");
        let cases: Vec<(&str, Vec<&str>, Correction)> = vec![
            (
                "C01",
                vec!["12345678901234567"],
                Correction::AccountNumber { account_number: "12345678901234567".into() },
            ),
            ("C02", vec!["231380104"], Correction::RoutingNumber { routing_number: rn("231380104") }),
            (
                "C03",
                vec!["231380104", "98765"],
                Correction::RoutingAndAccount { routing_number: rn("231380104"), account_number: "98765".into() },
            ),
            ("C05", vec!["32"], Correction::TransactionCode { transaction_code: tc(32) }),
            (
                "C06",
                vec!["ABC-123", "27"],
                Correction::AccountAndTransactionCode { account_number: "ABC-123".into(), transaction_code: tc(27) },
            ),
            (
                "C07",
                vec!["011000015", "55555", "33"],
                Correction::RoutingAccountAndTransactionCode {
                    routing_number: rn("011000015"),
                    account_number: "55555".into(),
                    transaction_code: tc(33),
                },
            ),
            (
                "C12",
                vec!["NEW NAME", "1234567890"],
                Correction::CompanyNameAndId {
                    company_name: "NEW NAME".into(),
                    company_identification: "1234567890".into(),
                },
            ),
        ];
        for (code, parts, want) in cases {
            let data = layout_corrected_data(code, &parts).expect(code);
            assert!(data.len() <= 29);
            assert_eq!(parse_corrected_data(code.as_bytes(), data.as_bytes()), Ok(want), "{code} {data:?}");
        }
        assert!(layout_corrected_data("C03", &["231380104"]).is_err_and(|e| e.contains("2 value")));
        assert!(layout_corrected_data("C01", &["123456789012345678"]).is_err_and(|e| e.contains("at most 17")));
        assert!(layout_corrected_data("C02", &["231380105"]).is_err_and(|e| e.contains("check digit")));
        assert!(layout_corrected_data("C65", &["X"]).is_err_and(|e| e.contains("refused")));
        assert!(layout_corrected_data("C99", &["X"]).is_err());
        assert!(layout_corrected_data("C05", &["2"]).is_err());
    }

    #[test]
    fn debug_masks_account_numbers() {
        let c = Correction::RoutingAccountAndTransactionCode {
            routing_number: RoutingNumber::parse("231380104").expect("rn"),
            account_number: "123456789".into(),
            transaction_code: TransactionCode::CHECKING_CREDIT,
        };
        let d = format!("{c:?}");
        assert!(d.contains("*****6789") && !d.contains("123456789\""), "{d}");
        let d = format!("{:?}", Correction::AccountNumber { account_number: "987654321".into() });
        assert!(!d.contains("987654321"), "{d}");
    }
}

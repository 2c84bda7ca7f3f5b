//! Return reason codes R01-R85 with their NACHA titles.

use serde::Serialize;

/// Which addenda 99 layout a return code uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnLayout {
    /// Standard return (RDFI returning the entry).
    Standard,
    /// Dishonored return (ODFI refusing a return): R61-R70.
    Dishonored,
    /// Contested dishonored return (RDFI contesting a dishonor): R71-R77.
    Contested,
}

/// One return reason code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ReturnCode {
    /// "R01".
    pub code: &'static str,
    /// NACHA title.
    pub reason: &'static str,
    /// Layout family.
    pub layout: ReturnLayout,
}

const fn r(code: &'static str, reason: &'static str) -> ReturnCode {
    ReturnCode { code, reason, layout: ReturnLayout::Standard }
}
const fn d(code: &'static str, reason: &'static str) -> ReturnCode {
    ReturnCode { code, reason, layout: ReturnLayout::Dishonored }
}
const fn c(code: &'static str, reason: &'static str) -> ReturnCode {
    ReturnCode { code, reason, layout: ReturnLayout::Contested }
}

/// Every return reason code NACHA defines (R01-R53, R61-R62, R67-R77, R80-R85), sorted.
pub const RETURN_CODES: &[ReturnCode] = &[
    r("R01", "Insufficient funds"),
    r("R02", "Account closed"),
    r("R03", "No account / unable to locate account"),
    r("R04", "Invalid account number structure"),
    r("R05", "Unauthorized debit to consumer account using corporate SEC code"),
    r("R06", "Returned per ODFI's request"),
    r("R07", "Authorization revoked by customer"),
    r("R08", "Payment stopped"),
    r("R09", "Uncollected funds"),
    r("R10", "Customer advises originator is not known to receiver and/or is not authorized to debit"),
    r("R11", "Customer advises entry not in accordance with the terms of the authorization"),
    r("R12", "Account sold to another DFI"),
    r("R13", "Invalid ACH routing number"),
    r("R14", "Representative payee deceased or unable to continue in that capacity"),
    r("R15", "Beneficiary or account holder (other than a representative payee) deceased"),
    r("R16", "Account frozen / entry returned per OFAC instruction"),
    r(
        "R17",
        "File record edit criteria / entry with invalid account number initiated under questionable circumstances",
    ),
    r("R18", "Improper effective entry date"),
    r("R19", "Amount field error"),
    r("R20", "Non-transaction account"),
    r("R21", "Invalid company identification"),
    r("R22", "Invalid individual ID number"),
    r("R23", "Credit entry refused by receiver"),
    r("R24", "Duplicate entry"),
    r("R25", "Addenda error"),
    r("R26", "Mandatory field error"),
    r("R27", "Trace number error"),
    r("R28", "Routing number check digit error"),
    r("R29", "Corporate customer advises not authorized"),
    r("R30", "RDFI not participant in check truncation program"),
    r("R31", "Permissible return entry (CCD and CTX only)"),
    r("R32", "RDFI non-settlement"),
    r("R33", "Return of XCK entry"),
    r("R34", "Limited participation DFI"),
    r("R35", "Return of improper debit entry"),
    r("R36", "Return of improper credit entry"),
    r("R37", "Source document presented for payment"),
    r("R38", "Stop payment on source document"),
    r("R39", "Improper source document / source document presented for payment"),
    r("R40", "Return of ENR entry by federal government agency"),
    r("R41", "Invalid transaction code (ENR)"),
    r("R42", "Routing number / check digit error (ENR)"),
    r("R43", "Invalid DFI account number (ENR)"),
    r("R44", "Invalid individual ID number / identification number (ENR)"),
    r("R45", "Invalid individual name / company name (ENR)"),
    r("R46", "Invalid representative payee indicator (ENR)"),
    r("R47", "Duplicate enrollment (ENR)"),
    r("R50", "State law affecting RCK acceptance"),
    r("R51", "Item related to RCK entry is ineligible or RCK entry is improper"),
    r("R52", "Stop payment on item related to RCK entry"),
    r("R53", "Item and RCK entry presented for payment"),
    d("R61", "Misrouted return"),
    d("R62", "Return of erroneous or reversing debit"),
    d("R67", "Duplicate return"),
    d("R68", "Untimely return"),
    d("R69", "Field error(s)"),
    d("R70", "Permissible return entry not accepted / return not requested by ODFI"),
    c("R71", "Misrouted dishonored return"),
    c("R72", "Untimely dishonored return"),
    c("R73", "Timely original return"),
    c("R74", "Corrected return"),
    c("R75", "Return not a duplicate"),
    c("R76", "No errors found"),
    c("R77", "Non-acceptance of R62 dishonored return"),
    r("R80", "IAT entry coding error"),
    r("R81", "Non-participant in IAT program"),
    r("R82", "Invalid foreign receiving DFI identification"),
    r("R83", "Foreign receiving DFI unable to settle"),
    r("R84", "Entry not processed by gateway"),
    r("R85", "Incorrectly coded outbound international payment"),
];

/// Looks a return code up ("R01").
pub fn lookup(code: &[u8]) -> Option<&'static ReturnCode> {
    RETURN_CODES.binary_search_by(|rc| rc.code.as_bytes().cmp(code)).ok().map(|i| &RETURN_CODES[i])
}

/// Layout implied by a code: R61-R70 dishonored, R71-R77 contested, anything else standard
/// (including custom codes accepted under `custom_return_codes`).
pub fn layout_of(code: &[u8]) -> ReturnLayout {
    match code {
        [b'R', b'6', b'1'..=b'9'] | [b'R', b'7', b'0'] => ReturnLayout::Dishonored,
        [b'R', b'7', b'1'..=b'7'] => ReturnLayout::Contested,
        _ => ReturnLayout::Standard,
    }
}

/// True for a code shaped like a return code (R + two digits), used for the custom-codes option.
pub fn is_code_shaped(code: &[u8]) -> bool {
    matches!(code, [b'R', a, b] if a.is_ascii_digit() && b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_complete() {
        assert!(RETURN_CODES.windows(2).all(|w| w[0].code < w[1].code));
        assert_eq!(lookup(b"R01").map(|c| c.reason), Some("Insufficient funds"));
        assert_eq!(lookup(b"R68").map(|c| c.layout), Some(ReturnLayout::Dishonored));
        assert_eq!(lookup(b"R73").map(|c| c.layout), Some(ReturnLayout::Contested));
        assert!(lookup(b"R96").is_none());
        assert!(lookup(b"R97").is_none());
        assert_eq!(RETURN_CODES.len(), 51 + 6 + 7 + 6);
    }
}

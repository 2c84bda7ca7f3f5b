//! Typed values: transaction codes, SEC codes, service class codes, routing numbers, amounts.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Largest amount an entry can carry: 10 digits of cents.
pub const MAX_ENTRY_AMOUNT: u64 = 9_999_999_999;
/// Largest batch or file total: 12 digits of cents.
pub const MAX_TOTAL_AMOUNT: u64 = 999_999_999_999;

/// Entry detail transaction code (positions 2-3 of the entry record).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct TransactionCode(u8);

/// What a transaction code moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Money to the receiver.
    Credit,
    /// Money from the receiver.
    Debit,
}

/// Account kind a transaction code addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountKind {
    /// Demand deposit (2x).
    Checking,
    /// Savings (3x).
    Savings,
    /// Financial institution general ledger (4x).
    GeneralLedger,
    /// Loan account (5x).
    Loan,
}

impl TransactionCode {
    /// Checking credit (22).
    pub const CHECKING_CREDIT: Self = Self(22);
    /// Checking credit prenote (23).
    pub const CHECKING_CREDIT_PRENOTE: Self = Self(23);
    /// Checking debit (27).
    pub const CHECKING_DEBIT: Self = Self(27);
    /// Savings credit (32).
    pub const SAVINGS_CREDIT: Self = Self(32);
    /// Savings credit prenote (33).
    pub const SAVINGS_CREDIT_PRENOTE: Self = Self(33);
    /// Savings debit (37).
    pub const SAVINGS_DEBIT: Self = Self(37);

    /// A code NACHA defines for non-ADV entries (21-24, 26-29, 31-34, 36-39, 41-44, 46-49, 51-56).
    pub fn new(code: u8) -> Option<Self> {
        if is_valid_transaction_code(code) { Some(Self(code)) } else { None }
    }

    /// Numeric code.
    #[inline]
    pub fn code(self) -> u8 {
        self.0
    }

    /// Credit or debit.
    #[inline]
    pub fn direction(self) -> Direction {
        if is_credit_code(self.0) { Direction::Credit } else { Direction::Debit }
    }

    /// Account addressed.
    pub fn account_kind(self) -> AccountKind {
        match self.0 / 10 {
            2 => AccountKind::Checking,
            3 => AccountKind::Savings,
            4 => AccountKind::GeneralLedger,
            _ => AccountKind::Loan,
        }
    }

    /// Prenotification (zero-dollar account test): x3 or x8.
    #[inline]
    pub fn is_prenote(self) -> bool {
        matches!(self.0 % 10, 3 | 8)
    }

    /// Zero-dollar entry carrying remittance data: x4 or x9.
    #[inline]
    pub fn is_zero_dollar_remittance(self) -> bool {
        matches!(self.0 % 10, 4 | 9) && self.0 != 54
    }

    /// Automated return or NOC code: x1 or x6.
    pub fn is_return_or_noc(self) -> bool {
        matches!(self.0 % 10, 1 | 6)
    }
}

impl TryFrom<u8> for TransactionCode {
    type Error = String;
    fn try_from(v: u8) -> Result<Self, String> {
        Self::new(v).ok_or_else(|| format!("invalid transaction code {v}"))
    }
}

impl From<TransactionCode> for u8 {
    fn from(t: TransactionCode) -> u8 {
        t.0
    }
}

impl fmt::Display for TransactionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

/// True for every transaction code NACHA defines outside ADV files.
#[inline]
pub fn is_valid_transaction_code(code: u8) -> bool {
    matches!(code, 21..=24 | 26..=29 | 31..=34 | 36..=39 | 41..=44 | 46..=49 | 51..=56)
}

/// True when the code credits the receiver (x1-x4, except loan reversal 55).
#[inline]
pub fn is_credit_code(code: u8) -> bool {
    if is_adv_code(code) {
        return code % 2 == 1;
    }
    matches!(code % 10, 1..=4) && code != 55
}

/// True for ADV transaction codes (81-88).
#[inline]
pub fn is_adv_code(code: u8) -> bool {
    (81..=88).contains(&code)
}

/// Standard Entry Class code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum SecCode {
    ACK,
    ADV,
    ARC,
    ATX,
    BOC,
    CCD,
    CIE,
    COR,
    CTX,
    DNE,
    ENR,
    IAT,
    MTE,
    POP,
    POS,
    PPD,
    RCK,
    SHR,
    TEL,
    TRC,
    TRX,
    WEB,
    XCK,
}

impl SecCode {
    /// Parses the three-letter code.
    pub fn parse(b: &[u8]) -> Option<Self> {
        use SecCode::*;
        Some(match b {
            b"ACK" => ACK,
            b"ADV" => ADV,
            b"ARC" => ARC,
            b"ATX" => ATX,
            b"BOC" => BOC,
            b"CCD" => CCD,
            b"CIE" => CIE,
            b"COR" => COR,
            b"CTX" => CTX,
            b"DNE" => DNE,
            b"ENR" => ENR,
            b"IAT" => IAT,
            b"MTE" => MTE,
            b"POP" => POP,
            b"POS" => POS,
            b"PPD" => PPD,
            b"RCK" => RCK,
            b"SHR" => SHR,
            b"TEL" => TEL,
            b"TRC" => TRC,
            b"TRX" => TRX,
            b"WEB" => WEB,
            b"XCK" => XCK,
            _ => return None,
        })
    }

    /// The three-letter code.
    pub fn as_str(self) -> &'static str {
        use SecCode::*;
        match self {
            ACK => "ACK",
            ADV => "ADV",
            ARC => "ARC",
            ATX => "ATX",
            BOC => "BOC",
            CCD => "CCD",
            CIE => "CIE",
            COR => "COR",
            CTX => "CTX",
            DNE => "DNE",
            ENR => "ENR",
            IAT => "IAT",
            MTE => "MTE",
            POP => "POP",
            POS => "POS",
            PPD => "PPD",
            RCK => "RCK",
            SHR => "SHR",
            TEL => "TEL",
            TRC => "TRC",
            TRX => "TRX",
            WEB => "WEB",
            XCK => "XCK",
        }
    }

    /// SEC codes whose entries may only debit the receiver.
    #[inline]
    pub fn debits_only(self) -> bool {
        use SecCode::*;
        matches!(self, ARC | BOC | POP | RCK | TEL | XCK | TRC | TRX)
    }

    /// SEC codes whose entries must name the receiver (moov-io/ach `isFieldInclusion`): the
    /// individual name must not be only spaces and zeros. CIE and MTE keep it in columns 40-54.
    #[inline]
    pub fn requires_receiver_name(self) -> bool {
        use SecCode::*;
        matches!(self, ARC | BOC | CIE | DNE | ENR | MTE | POP | POS | PPD | RCK | SHR | TEL | WEB)
    }

    /// SEC codes whose entries may only credit the receiver.
    #[inline]
    pub fn credits_only(self) -> bool {
        matches!(self, SecCode::CIE)
    }
}

impl fmt::Display for SecCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Batch service class code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ServiceClass {
    /// 200: credits and debits.
    Mixed,
    /// 220: credits only.
    CreditsOnly,
    /// 225: debits only.
    DebitsOnly,
    /// 280: automated accounting advices (ADV).
    Advice,
}

impl ServiceClass {
    /// From the numeric code.
    pub fn from_code(c: u64) -> Option<Self> {
        Some(match c {
            200 => Self::Mixed,
            220 => Self::CreditsOnly,
            225 => Self::DebitsOnly,
            280 => Self::Advice,
            _ => return None,
        })
    }

    /// Numeric code.
    #[inline]
    pub fn code(self) -> u16 {
        match self {
            Self::Mixed => 200,
            Self::CreditsOnly => 220,
            Self::DebitsOnly => 225,
            Self::Advice => 280,
        }
    }
}

/// A nine-digit ABA routing number whose check digit is valid (weights 3-7-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoutingNumber([u8; 9]);

impl RoutingNumber {
    /// Parses nine digits and checks the check digit.
    pub fn parse(s: &str) -> Result<Self, String> {
        let b = s.as_bytes();
        if b.len() != 9 || !b.iter().all(u8::is_ascii_digit) {
            return Err(format!("routing number {s:?} must be 9 digits"));
        }
        let mut a = [0u8; 9];
        a.copy_from_slice(b);
        let expected = check_digit(&a[..8]).unwrap_or(255);
        if a[8] - b'0' != expected {
            return Err(format!("routing number {s} has check digit {} but {expected} is expected", a[8] - b'0'));
        }
        Ok(Self(a))
    }

    /// The eight-digit DFI identification (without check digit).
    #[inline]
    pub fn prefix(&self) -> &[u8] {
        &self.0[..8]
    }

    /// The eight-digit prefix as a number (for entry hashes).
    #[inline]
    pub fn prefix_value(&self) -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&self.0[..8]);
        crate::swar::parse8(u64::from_le_bytes(w))
    }

    /// The check digit.
    pub fn check_digit(&self) -> u8 {
        self.0[8] - b'0'
    }

    /// The nine digits as bytes.
    pub fn as_bytes(&self) -> &[u8; 9] {
        &self.0
    }

    /// The nine digits.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl TryFrom<String> for RoutingNumber {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<RoutingNumber> for String {
    fn from(r: RoutingNumber) -> String {
        r.as_str().to_string()
    }
}

impl fmt::Display for RoutingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Check digit of an eight-digit DFI prefix (weights 3 7 1 3 7 1 3 7), or `None` if not 8 digits.
#[inline]
pub fn check_digit(prefix: &[u8]) -> Option<u8> {
    if prefix.len() != 8 {
        return None;
    }
    const W: [u32; 8] = [3, 7, 1, 3, 7, 1, 3, 7];
    let mut sum = 0u32;
    for (i, &b) in prefix.iter().enumerate() {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        sum += d as u32 * W[i];
    }
    Some(((10 - sum % 10) % 10) as u8)
}

/// Formats cents as dollars with two decimals ("1234.56").
pub fn format_cents(c: u64) -> String {
    format!("{}.{:02}", c / 100, c % 100)
}

/// Masks all but the last four characters of an account number (`"*****6789"`); a value of four
/// characters or fewer is masked entirely, since its last four would be the whole number.
pub fn mask_account(account: &str) -> String {
    let n = account.chars().count();
    match account_last4(account) {
        Some(tail) => format!("{}{tail}", "*".repeat(n - 4)),
        None => "*".repeat(n),
    }
}

/// The last four characters of an account number, or `None` when it has four or fewer (they would
/// be the whole number).
pub fn account_last4(account: &str) -> Option<String> {
    let n = account.chars().count();
    (n > 4).then(|| account.chars().skip(n - 4).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_check_digit() {
        assert!(RoutingNumber::parse("231380104").is_ok());
        assert!(RoutingNumber::parse("121042882").is_ok());
        assert!(RoutingNumber::parse("121042883").is_err());
        assert!(RoutingNumber::parse("12104288").is_err());
        assert_eq!(RoutingNumber::parse("011000015").map(|r| r.prefix_value()), Ok(1100001));
    }

    #[test]
    fn transaction_codes() {
        assert_eq!(TransactionCode::new(22).map(|t| t.direction()), Some(Direction::Credit));
        assert_eq!(TransactionCode::new(27).map(|t| t.direction()), Some(Direction::Debit));
        assert_eq!(TransactionCode::new(55).map(|t| t.direction()), Some(Direction::Debit));
        assert!(TransactionCode::new(25).is_none());
        assert!(TransactionCode::CHECKING_CREDIT_PRENOTE.is_prenote());
        assert_eq!(format_cents(123456), "1234.56");
    }

    #[test]
    fn account_masking() {
        assert_eq!(mask_account("123456789"), "*****6789");
        assert_eq!(mask_account("1234"), "****");
        assert_eq!(mask_account(""), "");
        assert_eq!(account_last4("744-5678-99").as_deref(), Some("8-99"));
        assert_eq!(account_last4("1234"), None);
    }
}

//! The refund ledger's pure foundation: amounts of money, entry summary numbers, where a refund
//! comes from, the statuses of its life, the quarterly interest rates and the interest of
//! 19 U.S.C. 1505(c). docs/refunds.md explains the rules and cites their sources.
//!
//! - [`Cents`]: money as whole cents, read strictly from dollar strings, shown as `$1,234.56`.
//! - [`EntryNumber`]: `FFF-NNNNNNN-C` with CBP's check digit.
//! - [`RefundSource`]: liquidation, protest, drawback, ... and whether it bears interest.
//! - [`RefundStatus`]: Recorded to Treasury Issued, with the allowed moves.
//! - [`RateTable`], [`RateRow`], [`Percent`], [`InterestBasis`]: the quarterly rates, shipped and
//!   mergeable from CSV; no rate is ever guessed for a day the table lacks.
//! - [`accrued_interest`]: daily-compounded interest rounded once to the cent, with its segments.

#![warn(missing_docs)]

pub mod dates;
pub mod entry_number;
pub mod interest;
pub mod money;
pub mod percent;
pub mod rate_csv;
pub mod rates;
pub mod source;
pub mod status;

pub use entry_number::{EntryNumber, EntryNumberError};
pub use interest::{Interest, InterestError, InterestSegment, accrued_interest};
pub use money::{Cents, MoneyError};
pub use percent::{Percent, PercentError};
pub use rate_csv::{RATES_CSV_HEADER, RateChange, RateCsvError, RateCsvErrors, RateMerge};
pub use rates::{BUILTIN_RATES_CSV, InterestBasis, RateRow, RateTable, RateTableError};
pub use source::RefundSource;
pub use status::{RefundStatus, StatusMoveError};

//! Reading and validation options.

use serde::{Deserialize, Serialize};

/// What the reader and validator accept. `Default` follows moov-io/ach's reader: short lines are
/// right-padded, trailing spaces beyond column 94 trimmed, CRLF and one-line files accepted, every
/// NACHA rule checked. [`ReadOptions::lenient`] additionally accepts what real bank files sometimes
/// lack; [`ReadOptions::strict`] accepts only exact 94-character lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadOptions {
    /// Pad lines shorter than 94 characters with spaces (reported as warnings).
    pub pad_short_lines: bool,
    /// Drop trailing spaces beyond column 94 (reported as warnings).
    pub trim_long_lines: bool,
    /// Accept a file whose records are concatenated on one line.
    pub allow_single_line: bool,
    /// Do not report a missing file header.
    pub allow_missing_file_header: bool,
    /// Do not report a missing file control.
    pub allow_missing_file_control: bool,
    /// Do not report entries outside a batch (missing batch header) or batches without control.
    pub allow_missing_batch_header_control: bool,
    /// Do not report wrong routing check digits on entries.
    pub allow_invalid_check_digit: bool,
    /// Accept return reason codes not in the NACHA table if shaped like `R` + two digits.
    pub custom_return_codes: bool,
    /// Accept change codes not in the NACHA table if shaped like `C` + two digits.
    pub custom_change_codes: bool,
    /// Report file control mismatches (batch count, block count, entry/addenda count, entry hash,
    /// totals), addenda sequence numbers and malformed effective entry dates as warnings instead of
    /// errors. moov-io/ach does not check these when reading; real bank files sometimes get them wrong.
    pub relaxed_controls: bool,
    /// Trace numbers need not start with the batch's ODFI identification (moov-io/ach's
    /// `CustomTraceNumbers`/`BypassOriginValidation` for this check; ascending order still holds).
    #[serde(default)]
    pub custom_trace_numbers: bool,
    /// Stop recording errors after this many (they are still counted).
    pub max_errors: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            pad_short_lines: true,
            trim_long_lines: true,
            allow_single_line: true,
            allow_missing_file_header: false,
            allow_missing_file_control: false,
            allow_missing_batch_header_control: false,
            allow_invalid_check_digit: false,
            custom_return_codes: false,
            custom_change_codes: false,
            relaxed_controls: false,
            custom_trace_numbers: false,
            max_errors: 10_000,
        }
    }
}

impl ReadOptions {
    /// Only exact 94-character records, one per line; every rule.
    pub fn strict() -> Self {
        Self { pad_short_lines: false, trim_long_lines: false, allow_single_line: false, ..Self::default() }
    }

    /// Everything the default accepts plus missing header/control records, wrong check digits,
    /// custom return/change codes, relaxed controls (warnings) and custom trace numbers.
    pub fn lenient() -> Self {
        Self {
            allow_missing_file_header: true,
            allow_missing_file_control: true,
            allow_missing_batch_header_control: true,
            allow_invalid_check_digit: true,
            custom_return_codes: true,
            custom_change_codes: true,
            relaxed_controls: true,
            custom_trace_numbers: true,
            ..Self::default()
        }
    }
}

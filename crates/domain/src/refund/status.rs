//! The life of one refund, from the day we record it to the day Treasury's payment settles, with
//! the moves allowed between statuses (docs/refunds.md has the diagram).
//!
//! ```text
//! Recorded           -> Payable | Held: ACH Rejected | Funds Diverted
//! Held: ACH Rejected -> Payable (the payee enrolled) | Funds Diverted
//! Payable            -> Transmitted | Sent to Treasury | Held: ACH Rejected (enrollment lost) | Funds Diverted
//! Transmitted        -> Sent to Treasury | Treasury Issued
//! Sent to Treasury   -> Treasury Issued
//! Treasury Issued    -> ACH Returned
//! ACH Returned       -> ACH Reissued | Held: ACH Rejected (no usable account)
//! ACH Reissued       -> Treasury Issued | ACH Returned
//! Funds Diverted     (final)
//! ```
//!
//! - **Recorded**: known to us (from a CBP report or a liquidation), not yet checked for a payee.
//! - **Held: ACH Rejected**: no usable bank enrollment for the payee (CBP's REV-613 "ACH Rejected"):
//!   held until the payee enrolls, then released to Payable without anyone asking.
//! - **Funds Diverted**: set off in full against a debt owed to CBP. Final. A partial offset is an
//!   amount recorded on the refund, not a status: the rest goes on to be paid.
//! - **Payable**: a payee with an active enrollment; waiting for the next payment run. An
//!   enrollment lost before payment sends it back to Held.
//! - **Transmitted**, **Sent to Treasury**, **Treasury Issued**: CBP's REV-603 statuses on the way
//!   to payment. Reports may skip a step, so Payable may go straight to Sent to Treasury and
//!   Transmitted straight to Treasury Issued.
//! - **ACH Returned**: the bank returned the credit. It is reissued when a usable enrollment exists,
//!   and otherwise held like any rejected refund.
//! - **ACH Reissued**: paid again; Treasury reports the new payment (Treasury Issued) or the bank
//!   returns it again.

use std::fmt;

string_enum!(@codes
    /// Where a refund stands.
    RefundStatus {
        /// Recorded, not yet checked for a payee.
        Recorded = "recorded" / "Recorded",
        /// Held because the payee has no usable ACH enrollment (CBP: "ACH Rejected").
        HeldAchRejected = "held_ach_rejected" / "Held: ACH Rejected",
        /// Set off in full against a debt owed to CBP.
        FundsDiverted = "funds_diverted" / "Funds Diverted",
        /// Ready to pay to an enrolled payee.
        Payable = "payable" / "Payable",
        /// In the refund file from CBP's collections system to its financial system.
        Transmitted = "transmitted" / "Transmitted",
        /// Certified to the Treasury for payment.
        SentToTreasury = "sent_to_treasury" / "Sent to Treasury",
        /// Paid by the Treasury (the ACH trace number is known).
        TreasuryIssued = "treasury_issued" / "Treasury Issued",
        /// The payee's bank returned the payment.
        AchReturned = "ach_returned" / "ACH Returned",
        /// Paid again after a return.
        Reissued = "reissued" / "ACH Reissued",
    }
);

/// A move the status model does not allow. Its message names the statuses that are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusMoveError {
    /// The refund's status.
    pub from: RefundStatus,
    /// The status asked for.
    pub to: RefundStatus,
}

impl fmt::Display for StatusMoveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let next = self.from.allowed_next();
        if next.is_empty() {
            write!(f, "a refund that is {} is final and cannot become {}", self.from.label(), self.to.label())
        } else {
            let names: Vec<&str> = next.iter().map(|s| s.label()).collect();
            write!(
                f,
                "a refund that is {} cannot become {}; it can become: {}",
                self.from.label(),
                self.to.label(),
                names.join(", ")
            )
        }
    }
}

impl std::error::Error for StatusMoveError {}

impl RefundStatus {
    /// The statuses a refund in this status may move to, in the order a page should offer them.
    pub fn allowed_next(self) -> &'static [RefundStatus] {
        use RefundStatus::*;
        match self {
            Recorded => &[Payable, HeldAchRejected, FundsDiverted],
            HeldAchRejected => &[Payable, FundsDiverted],
            Payable => &[Transmitted, SentToTreasury, HeldAchRejected, FundsDiverted],
            Transmitted => &[SentToTreasury, TreasuryIssued],
            SentToTreasury => &[TreasuryIssued],
            TreasuryIssued => &[AchReturned],
            AchReturned => &[Reissued, HeldAchRejected],
            Reissued => &[TreasuryIssued, AchReturned],
            FundsDiverted => &[],
        }
    }

    /// Whether a refund in this status may move to `next`. Staying in the same status is not a move.
    pub fn can_move_to(self, next: RefundStatus) -> bool {
        self.allowed_next().contains(&next)
    }

    /// [`RefundStatus::can_move_to`] with an error that explains the refusal.
    pub fn check_move(self, next: RefundStatus) -> Result<(), StatusMoveError> {
        if self.can_move_to(next) { Ok(()) } else { Err(StatusMoveError { from: self, to: next }) }
    }

    /// Whether the money has left the Treasury in this status (and not come back).
    pub fn is_paid(self) -> bool {
        matches!(self, RefundStatus::TreasuryIssued)
    }

    /// Whether the refund waits for the payee to enroll (it earns no interest meanwhile).
    pub fn is_held(self) -> bool {
        matches!(self, RefundStatus::HeldAchRejected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RefundStatus::*;
    use std::collections::{BTreeSet, VecDeque};

    #[test]
    fn codes_and_labels() {
        let codes: Vec<&str> = RefundStatus::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(
            codes,
            [
                "recorded",
                "held_ach_rejected",
                "funds_diverted",
                "payable",
                "transmitted",
                "sent_to_treasury",
                "treasury_issued",
                "ach_returned",
                "reissued"
            ]
        );
        assert_eq!(HeldAchRejected.label(), "Held: ACH Rejected");
        assert_eq!(FundsDiverted.label(), "Funds Diverted");
        assert_eq!(RefundStatus::from_code("held: ach rejected"), Some(HeldAchRejected));
        assert_eq!(serde_json::to_string(&SentToTreasury).unwrap(), "\"sent_to_treasury\"");
        assert_eq!(serde_json::from_str::<RefundStatus>("\"ach_returned\"").unwrap(), AchReturned);
    }

    /// Every (from, to) pair, written out: the table is the specification.
    #[test]
    fn every_move() {
        #[rustfmt::skip]
        let allowed: BTreeSet<(&str, &str)> = [
            ("recorded", "payable"), ("recorded", "held_ach_rejected"), ("recorded", "funds_diverted"),
            ("held_ach_rejected", "payable"), ("held_ach_rejected", "funds_diverted"),
            ("payable", "transmitted"), ("payable", "sent_to_treasury"), ("payable", "held_ach_rejected"),
            ("payable", "funds_diverted"),
            ("transmitted", "sent_to_treasury"), ("transmitted", "treasury_issued"),
            ("sent_to_treasury", "treasury_issued"),
            ("treasury_issued", "ach_returned"),
            ("ach_returned", "reissued"), ("ach_returned", "held_ach_rejected"),
            ("reissued", "treasury_issued"), ("reissued", "ach_returned"),
        ]
        .into_iter()
        .collect();
        for from in RefundStatus::ALL {
            for to in RefundStatus::ALL {
                let expected = allowed.contains(&(from.code(), to.code()));
                assert_eq!(from.can_move_to(*to), expected, "{} -> {}", from.code(), to.code());
                assert_eq!(from.check_move(*to).is_ok(), expected);
            }
        }
    }

    /// Every status can be reached from Recorded, and from every status but Funds Diverted a refund
    /// can still end paid or diverted: no status is a dead end by accident.
    #[test]
    fn no_dead_ends() {
        let reach = |start: RefundStatus| {
            let mut seen = BTreeSet::from([start.code()]);
            let mut queue = VecDeque::from([start]);
            while let Some(s) = queue.pop_front() {
                for n in s.allowed_next() {
                    if seen.insert(n.code()) {
                        queue.push_back(*n);
                    }
                }
            }
            seen
        };
        assert_eq!(reach(Recorded).len(), RefundStatus::ALL.len());
        for s in RefundStatus::ALL.iter().filter(|s| **s != FundsDiverted) {
            let r = reach(*s);
            assert!(r.contains("treasury_issued") || r.contains("funds_diverted"), "{}", s.code());
        }
    }

    #[test]
    fn refusals_explain() {
        assert_eq!(
            Recorded.check_move(TreasuryIssued).unwrap_err().to_string(),
            "a refund that is Recorded cannot become Treasury Issued; it can become: Payable, Held: ACH Rejected, Funds Diverted"
        );
        assert_eq!(
            FundsDiverted.check_move(Payable).unwrap_err().to_string(),
            "a refund that is Funds Diverted is final and cannot become Payable"
        );
        assert!(!Payable.can_move_to(Payable));
        assert!(TreasuryIssued.is_paid() && !Reissued.is_paid());
        assert!(HeldAchRejected.is_held());
    }
}

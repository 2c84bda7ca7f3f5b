//! The life of one version of an importer number's bank details (docs/enrollment.md).
//!
//! ```text
//!            new details                 N banking days, no return      newer version Active
//!  (none) ───────────────> Pending ──────────────────────────> Active ───────────────────────> Superseded
//!                            │  │  NOC on the prenote (corrected) ↗ │
//!                            │  └──── return on the prenote ──> Rejected (update required) <── late return ── Active
//!                            └─ newer details saved first ──> Withdrawn
//!  Pending / Active / Rejected ── removed by the company ──> Removed
//! ```
//!
//! Refunds go to the Active version. A new version does not stop the Active one from being paid
//! until it is Active itself, so a change never leaves refunds without an account.

use serde::{Deserialize, Serialize};

string_enum!(
    /// Where one version of an importer number's bank details stands.
    EnrollmentStatus {
        Pending = "pending" / "Pending verification",
        Active = "active" / "Active",
        Rejected = "rejected" / "Rejected - update required",
        Superseded = "superseded" / "Replaced",
        Withdrawn = "withdrawn" / "Withdrawn before verification",
        Removed = "removed" / "Removed",
    }
);

/// What moved a version from one status to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// The prenote's waiting period passed without a return.
    Verified,
    /// The bank answered the prenote with a notification of change: the account exists, with
    /// corrected details, which are applied.
    Corrected,
    /// The bank returned the prenote.
    Returned,
    /// Newer details became Active.
    Replaced,
    /// Newer details were saved while these were still pending.
    Withdrawn,
    /// The company removed its bank details.
    Removed,
}

impl EnrollmentStatus {
    /// The status after `t`, or None when `t` does not apply in this status (the caller leaves
    /// the version as it is: e.g. a return arriving for a version already removed).
    pub fn after(self, t: Transition) -> Option<EnrollmentStatus> {
        use EnrollmentStatus::*;
        use Transition as T;
        match (self, t) {
            (Pending, T::Verified | T::Corrected) => Some(Active),
            // A correction to an Active version (a NOC on a later refund) keeps it Active.
            (Active, T::Corrected) => Some(Active),
            // A late return (after the waiting period made the version Active) still means the
            // account cannot take refunds.
            (Pending | Active, T::Returned) => Some(Rejected),
            (Active, T::Replaced) => Some(Superseded),
            (Pending, T::Withdrawn) => Some(Withdrawn),
            (Rejected, T::Withdrawn) => Some(Superseded),
            (Pending | Active | Rejected, T::Removed) => Some(Removed),
            _ => None,
        }
    }

    /// Still part of the importer number's current picture (shown on the tab).
    pub fn is_live(self) -> bool {
        matches!(self, EnrollmentStatus::Pending | EnrollmentStatus::Active | EnrollmentStatus::Rejected)
    }

    /// Receives refunds.
    pub fn pays(self) -> bool {
        self == EnrollmentStatus::Active
    }
}

#[cfg(test)]
mod tests {
    use super::EnrollmentStatus::*;
    use super::*;

    #[test]
    fn every_transition_from_every_status() {
        use Transition as T;
        let all_t = [T::Verified, T::Corrected, T::Returned, T::Replaced, T::Withdrawn, T::Removed];
        let expect = |s: EnrollmentStatus, t: Transition| -> Option<EnrollmentStatus> {
            match (s, t) {
                (Pending, T::Verified) => Some(Active),
                (Pending, T::Corrected) => Some(Active),
                (Active, T::Corrected) => Some(Active),
                (Pending, T::Returned) | (Active, T::Returned) => Some(Rejected),
                (Active, T::Replaced) => Some(Superseded),
                (Pending, T::Withdrawn) => Some(Withdrawn),
                (Rejected, T::Withdrawn) => Some(Superseded),
                (Pending, T::Removed) | (Active, T::Removed) | (Rejected, T::Removed) => Some(Removed),
                _ => None,
            }
        };
        let mut applied = 0;
        for &s in EnrollmentStatus::ALL {
            for t in all_t {
                assert_eq!(s.after(t), expect(s, t), "{s:?} after {t:?}");
                applied += usize::from(s.after(t).is_some());
            }
        }
        assert_eq!(applied, 11);
        // Ended versions never come back.
        for s in [Superseded, Withdrawn, Removed] {
            assert!(all_t.iter().all(|&t| s.after(t).is_none()), "{s:?}");
            assert!(!s.is_live());
        }
        assert!(Active.pays() && !Pending.pays() && !Rejected.pays());
    }

    #[test]
    fn codes_and_labels() {
        assert_eq!(EnrollmentStatus::from_code("pending"), Some(Pending));
        assert_eq!(Rejected.label(), "Rejected - update required");
        assert_eq!(EnrollmentStatus::from_code("nonsense"), None);
    }
}

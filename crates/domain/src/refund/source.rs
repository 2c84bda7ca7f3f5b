//! Where a refund comes from, and whether it bears interest under 19 U.S.C. 1505(c).
//!
//! 1505(b) has CBP refund "excess moneys deposited, together with interest thereon, as determined
//! on a liquidation or reliquidation", and 1505(c) has that interest accrue from the deposit to
//! "the date of liquidation or reliquidation of the applicable entry or reconciliation" (19 CFR
//! 24.36 applies it). So interest follows a (re)liquidation that finds excess deposits, whatever
//! set it off:
//!
//! | source | interest | why |
//! | --- | --- | --- |
//! | liquidation | yes | the case 1505(b)-(c) describe |
//! | reliquidation | yes | same, to the reliquidation date |
//! | protest | yes | a granted protest is carried out by reliquidating the entry |
//! | post-summary correction | yes | the lower duty is refunded when the entry liquidates |
//! | CAPE | yes | CBP liquidates or reliquidates the accepted entries and refunds with interest |
//! | drawback | no | drawback is not an excess deposit; *Hartog Foods Int'l v. United States*, 291 F.3d 789 (Fed. Cir. 2002): 1505 does not waive sovereign immunity for interest on drawback |
//! | refund before liquidation | no | 1520(a)(4) refunds are paid before there is a liquidation date for 1505(c) interest to run to; interest, if any, is settled when the entry liquidates (a refund of its own, source `liquidation`) |
//! | other | no | no known basis; interest is never guessed |
//!
//! docs/refunds.md gives the sources and the decisions behind them.

use super::InterestBasis;

string_enum!(@codes
    /// The event or procedure a refund comes from.
    RefundSource {
        /// Excess deposits found when the entry liquidated (19 U.S.C. 1505(b)).
        Liquidation = "liquidation" / "Liquidation",
        /// Excess deposits found when CBP reliquidated the entry.
        Reliquidation = "reliquidation" / "Reliquidation",
        /// A protest granted under 19 U.S.C. 1514-1515 (carried out by reliquidation).
        Protest = "protest" / "Protest",
        /// Drawback of duties on exported or destroyed merchandise (19 U.S.C. 1313).
        Drawback = "drawback" / "Drawback",
        /// A refund before liquidation (19 U.S.C. 1520(a)(4)), e.g. of AD/CVD cash deposits.
        PreLiquidation = "pre_liquidation" / "Refund before liquidation",
        /// A post-summary correction that lowered the duty, refunded at liquidation.
        Psc = "psc" / "Post-summary correction",
        /// An IEEPA duty refund claimed through CAPE (2026).
        Cape = "cape" / "CAPE (IEEPA refund)",
        /// Anything else (erroneous fees, fines remitted, ...), without interest.
        Other = "other" / "Other",
    }
);

impl RefundSource {
    /// Whether refunds from this source carry 19 U.S.C. 1505(c) interest (see the module
    /// documentation for the reasons).
    pub fn bears_interest(self) -> bool {
        match self {
            RefundSource::Liquidation
            | RefundSource::Reliquidation
            | RefundSource::Protest
            | RefundSource::Psc
            | RefundSource::Cape => true,
            RefundSource::Drawback | RefundSource::PreLiquidation | RefundSource::Other => false,
        }
    }

    /// The interest basis a refund from this source is computed on for a corporate or other
    /// importer, or `None` when the source bears no interest.
    pub fn interest_basis(self, corporation: bool) -> Option<InterestBasis> {
        self.bears_interest().then_some(if corporation {
            InterestBasis::Corporate
        } else {
            InterestBasis::NonCorporate
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_labels() {
        let codes: Vec<&str> = RefundSource::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(
            codes,
            ["liquidation", "reliquidation", "protest", "drawback", "pre_liquidation", "psc", "cape", "other"]
        );
        assert_eq!(RefundSource::from_code(" PSC "), Some(RefundSource::Psc));
        assert_eq!(RefundSource::from_code("Post-summary correction"), Some(RefundSource::Psc));
        assert_eq!(RefundSource::from_code("refund"), None);
    }

    #[test]
    fn which_bear_interest() {
        let bearing: Vec<RefundSource> = RefundSource::ALL.iter().copied().filter(|s| s.bears_interest()).collect();
        use RefundSource::*;
        assert_eq!(bearing, [Liquidation, Reliquidation, Protest, Psc, Cape]);
        assert_eq!(Drawback.interest_basis(true), None);
        assert_eq!(Cape.interest_basis(true), Some(InterestBasis::Corporate));
        assert_eq!(Protest.interest_basis(false), Some(InterestBasis::NonCorporate));
    }

    #[test]
    fn serde_uses_codes() {
        assert_eq!(serde_json::to_string(&RefundSource::PreLiquidation).unwrap(), "\"pre_liquidation\"");
        assert_eq!(serde_json::from_str::<RefundSource>("\"cape\"").unwrap(), RefundSource::Cape);
        let err = serde_json::from_str::<RefundSource>("\"Cape\"").unwrap_err().to_string();
        assert!(err.contains("expected one of: liquidation, reliquidation"), "{err}");
    }
}

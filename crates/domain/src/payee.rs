//! Who receives a refund issued under an importer number: the importer, its Form 4811 notify
//! party, or nobody (the refund is rejected, because ACH needs an account).
//!
//! A notify party receives the refund only when all three hold:
//! 1. the importer's profile names that party as its notify party, in force on the refund's date;
//! 2. the refund's entry names that party's importer number in its 4811 reference (box 28 of the
//!    entry summary);
//! 3. the party's own ACH enrollment is active.
//!
//! Otherwise the refund goes to the importer when the importer's enrollment is active (the
//! published rule: a notify party that is not enrolled means the refund "defaults to the importer's
//! ACH account"), and otherwise to nobody. The rule is a pure function of these facts, so callers
//! gather them (which notify party was active on which date, which enrollments are active) and this
//! module decides and explains.

#![warn(missing_docs)]

use crate::ImporterNumber;

/// A Form 4811 notify party on an importer's profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyPartyOnFile {
    /// The notify party's importer number (it has its own 5106 record and its own enrollment).
    pub party: ImporterNumber,
    /// Whether the notify party is in force on the date in question (the refund's date); the caller
    /// works this out from the notify party's history.
    pub active: bool,
}

/// Everything the payee rule looks at for one refund.
#[derive(Debug, Clone, Copy)]
pub struct PayeeFacts<'a> {
    /// The importer number the refund is issued under.
    pub importer: &'a ImporterNumber,
    /// Whether the importer's own bank enrollment is active.
    pub importer_enrollment_active: bool,
    /// The notify party on the importer's profile, if there is one.
    pub notify_party: Option<&'a NotifyPartyOnFile>,
    /// The 4811 reference the refund's entry carries, if any.
    pub entry_reference: Option<&'a ImporterNumber>,
    /// Whether the designated party's bank enrollment is active (ignored without a notify party).
    pub party_enrollment_active: bool,
}

/// Why a refund did not go to a notify party. When several reasons hold, the first in this order
/// is given, the one a person would check first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartyNotUsed {
    /// The importer has no notify party on file. Holds the number the entry names, if it names one.
    NoNotifyParty {
        /// The 4811 reference on the entry, if any.
        named: Option<ImporterNumber>,
    },
    /// A notify party is on file but the entry names none.
    NoEntryReference,
    /// The entry names a number other than the party on file.
    EntryNamesAnother {
        /// The 4811 reference on the entry.
        named: ImporterNumber,
        /// The party on file.
        party: ImporterNumber,
    },
    /// The entry names the party on file, but the notify party is not active.
    NotifyPartyInactive {
        /// The party on file.
        party: ImporterNumber,
    },
    /// The notify party is in force and named by the entry, but the party has no active enrollment.
    PartyNotEnrolled {
        /// The party on file.
        party: ImporterNumber,
    },
}

impl PartyNotUsed {
    /// The reason in words, to follow "Importer ...:" on a page.
    pub fn explain(&self) -> String {
        match self {
            PartyNotUsed::NoNotifyParty { named: None } => "no notify party is on file".to_string(),
            PartyNotUsed::NoNotifyParty { named: Some(n) } => {
                format!("the entry names notify party {n}, but no notify party is on file")
            }
            PartyNotUsed::NoEntryReference => "the entry names no notify party".to_string(),
            PartyNotUsed::EntryNamesAnother { named, party } => {
                format!("the entry names {named}, not the notify party on file ({party})")
            }
            PartyNotUsed::NotifyPartyInactive { party } => {
                format!("notify party {party} is not in force on the importer's profile")
            }
            PartyNotUsed::PartyNotEnrolled { party } => {
                format!("notify party {party} has no active bank enrollment")
            }
        }
    }
}

/// Why nobody can receive a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoPayee {
    /// The importer, which has no active enrollment.
    pub importer: ImporterNumber,
    /// Why the notify party was not used either.
    pub party_not_used: PartyNotUsed,
}

/// Who receives a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payee {
    /// The designated notify party, paid into its own enrolled account.
    NotifyParty(ImporterNumber),
    /// The importer itself, with the reason the notify party was not used.
    Importer(ImporterNumber, PartyNotUsed),
    /// Nobody: the refund will be rejected until someone enrolls (ACH requires an account).
    Nobody(NoPayee),
}

impl Payee {
    /// The importer number whose enrolled account receives the money, `None` when the refund
    /// will be rejected.
    pub fn receiver(&self) -> Option<&ImporterNumber> {
        match self {
            Payee::NotifyParty(n) | Payee::Importer(n, _) => Some(n),
            Payee::Nobody(_) => None,
        }
    }

    /// One sentence a page can show: who receives the refund and why. Importer numbers appear
    /// masked (SSN-based numbers keep their last four digits only).
    pub fn reason(&self) -> String {
        match self {
            Payee::NotifyParty(p) => {
                format!("Notify party {p}: on file and in force, entry names it, enrollment active")
            }
            Payee::Importer(i, why) => format!("Importer {i}: {}", why.explain()),
            Payee::Nobody(NoPayee { importer, party_not_used }) => format!(
                "Nobody: no active bank enrollment; refunds will be rejected. Importer {importer} is not enrolled and {}",
                party_not_used.explain()
            ),
        }
    }
}

/// Decides who receives one refund (see the module documentation for the rule).
pub fn payee_for_refund(facts: &PayeeFacts<'_>) -> Payee {
    let why = match (facts.notify_party, facts.entry_reference) {
        (None, named) => PartyNotUsed::NoNotifyParty { named: named.cloned() },
        (Some(_), None) => PartyNotUsed::NoEntryReference,
        (Some(d), Some(named)) if *named != d.party => {
            PartyNotUsed::EntryNamesAnother { named: named.clone(), party: d.party.clone() }
        }
        (Some(d), Some(_)) if !d.active => PartyNotUsed::NotifyPartyInactive { party: d.party.clone() },
        (Some(d), Some(_)) if !facts.party_enrollment_active => {
            PartyNotUsed::PartyNotEnrolled { party: d.party.clone() }
        }
        (Some(d), Some(_)) => return Payee::NotifyParty(d.party.clone()),
    };
    if facts.importer_enrollment_active {
        Payee::Importer(facts.importer.clone(), why)
    } else {
        Payee::Nobody(NoPayee { importer: facts.importer.clone(), party_not_used: why })
    }
}

/// What the ACH tab shows for one importer number: who would receive a refund whose entry names
/// the designated notify party (the case the notify party exists for). Without a notify party that
/// is the importer (or nobody), with the reason "no notify party is on file". Refunds whose entries
/// name no party always follow the importer's own enrollment, which the tab shows anyway.
pub fn payee_for_profile(
    importer: &ImporterNumber,
    importer_enrollment_active: bool,
    notify_party: Option<&NotifyPartyOnFile>,
    party_enrollment_active: bool,
) -> Payee {
    payee_for_refund(&PayeeFacts {
        importer,
        importer_enrollment_active,
        notify_party,
        entry_reference: notify_party.map(|d| &d.party),
        party_enrollment_active,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn num(s: &str) -> ImporterNumber {
        ImporterNumber::parse(s).unwrap()
    }

    const IMPORTER: &str = "12-345678900";
    const PARTY: &str = "98-7654321AB";
    const OTHER: &str = "55-5555555CC";

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    enum D {
        NoNotifyParty,
        Active,
        Inactive,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    enum R {
        NoRef,
        Party,
        Other,
    }

    /// Who gets the money: notify party, importer or nobody.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum To {
        Party,
        Importer,
        Nobody,
    }

    /// The reason, without its numbers.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum W {
        /// Paid to the party, no reason needed.
        Paid,
        NoDes,
        NoRef,
        Another,
        Inactive,
        NotEnrolled,
    }

    fn shape(p: &Payee) -> (To, W) {
        let w = |why: &PartyNotUsed| match why {
            PartyNotUsed::NoNotifyParty { .. } => W::NoDes,
            PartyNotUsed::NoEntryReference => W::NoRef,
            PartyNotUsed::EntryNamesAnother { .. } => W::Another,
            PartyNotUsed::NotifyPartyInactive { .. } => W::Inactive,
            PartyNotUsed::PartyNotEnrolled { .. } => W::NotEnrolled,
        };
        match p {
            Payee::NotifyParty(_) => (To::Party, W::Paid),
            Payee::Importer(_, why) => (To::Importer, w(why)),
            Payee::Nobody(n) => (To::Nobody, w(&n.party_not_used)),
        }
    }

    /// Every combination of the inputs: notify party x entry reference x party enrolled x importer
    /// enrolled, with who is paid and why.
    #[rustfmt::skip]
    const TABLE: [(D, R, bool, bool, To, W); 36] = [
        // notify party       entry ref  party  importer  payee        reason
        (D::NoNotifyParty, R::NoRef, true,  true,  To::Importer, W::NoDes),
        (D::NoNotifyParty, R::NoRef, true,  false, To::Nobody,   W::NoDes),
        (D::NoNotifyParty, R::NoRef, false, true,  To::Importer, W::NoDes),
        (D::NoNotifyParty, R::NoRef, false, false, To::Nobody,   W::NoDes),
        (D::NoNotifyParty, R::Party, true,  true,  To::Importer, W::NoDes),
        (D::NoNotifyParty, R::Party, true,  false, To::Nobody,   W::NoDes),
        (D::NoNotifyParty, R::Party, false, true,  To::Importer, W::NoDes),
        (D::NoNotifyParty, R::Party, false, false, To::Nobody,   W::NoDes),
        (D::NoNotifyParty, R::Other, true,  true,  To::Importer, W::NoDes),
        (D::NoNotifyParty, R::Other, true,  false, To::Nobody,   W::NoDes),
        (D::NoNotifyParty, R::Other, false, true,  To::Importer, W::NoDes),
        (D::NoNotifyParty, R::Other, false, false, To::Nobody,   W::NoDes),
        (D::Active,        R::NoRef, true,  true,  To::Importer, W::NoRef),
        (D::Active,        R::NoRef, true,  false, To::Nobody,   W::NoRef),
        (D::Active,        R::NoRef, false, true,  To::Importer, W::NoRef),
        (D::Active,        R::NoRef, false, false, To::Nobody,   W::NoRef),
        (D::Active,        R::Party, true,  true,  To::Party,    W::Paid),
        (D::Active,        R::Party, true,  false, To::Party,    W::Paid),
        (D::Active,        R::Party, false, true,  To::Importer, W::NotEnrolled),
        (D::Active,        R::Party, false, false, To::Nobody,   W::NotEnrolled),
        (D::Active,        R::Other, true,  true,  To::Importer, W::Another),
        (D::Active,        R::Other, true,  false, To::Nobody,   W::Another),
        (D::Active,        R::Other, false, true,  To::Importer, W::Another),
        (D::Active,        R::Other, false, false, To::Nobody,   W::Another),
        (D::Inactive,      R::NoRef, true,  true,  To::Importer, W::NoRef),
        (D::Inactive,      R::NoRef, true,  false, To::Nobody,   W::NoRef),
        (D::Inactive,      R::NoRef, false, true,  To::Importer, W::NoRef),
        (D::Inactive,      R::NoRef, false, false, To::Nobody,   W::NoRef),
        (D::Inactive,      R::Party, true,  true,  To::Importer, W::Inactive),
        (D::Inactive,      R::Party, true,  false, To::Nobody,   W::Inactive),
        (D::Inactive,      R::Party, false, true,  To::Importer, W::Inactive),
        (D::Inactive,      R::Party, false, false, To::Nobody,   W::Inactive),
        (D::Inactive,      R::Other, true,  true,  To::Importer, W::Another),
        (D::Inactive,      R::Other, true,  false, To::Nobody,   W::Another),
        (D::Inactive,      R::Other, false, true,  To::Importer, W::Another),
        (D::Inactive,      R::Other, false, false, To::Nobody,   W::Another),
    ];

    #[test]
    fn every_combination() {
        let (importer, party, other) = (num(IMPORTER), num(PARTY), num(OTHER));
        let seen: HashSet<_> = TABLE.iter().map(|(d, r, p, i, _, _)| (*d, *r, *p, *i)).collect();
        assert_eq!(seen.len(), 3 * 3 * 2 * 2, "the table must hold every combination once");

        for (d, r, party_active, importer_active, to, why) in TABLE {
            let notify_party = match d {
                D::NoNotifyParty => None,
                D::Active => Some(NotifyPartyOnFile { party: party.clone(), active: true }),
                D::Inactive => Some(NotifyPartyOnFile { party: party.clone(), active: false }),
            };
            let entry_reference = match r {
                R::NoRef => None,
                R::Party => Some(&party),
                R::Other => Some(&other),
            };
            let facts = PayeeFacts {
                importer: &importer,
                importer_enrollment_active: importer_active,
                notify_party: notify_party.as_ref(),
                entry_reference,
                party_enrollment_active: party_active,
            };
            let payee = payee_for_refund(&facts);
            let row = format!("{d:?} {r:?} party={party_active} importer={importer_active}");
            assert_eq!(shape(&payee), (to, why), "{row}: {}", payee.reason());
            let expected_receiver = match to {
                To::Party => Some(&party),
                To::Importer => Some(&importer),
                To::Nobody => None,
            };
            assert_eq!(payee.receiver(), expected_receiver, "{row}");
        }
    }

    #[test]
    fn reasons_read_well() {
        let (i, p, o) = (num(IMPORTER), num(PARTY), num(OTHER));
        let cases = [
            (
                Payee::NotifyParty(p.clone()),
                "Notify party 98-7654321AB: on file and in force, entry names it, enrollment active",
            ),
            (
                Payee::Importer(i.clone(), PartyNotUsed::NoEntryReference),
                "Importer 12-345678900: the entry names no notify party",
            ),
            (
                Payee::Importer(i.clone(), PartyNotUsed::NoNotifyParty { named: None }),
                "Importer 12-345678900: no notify party is on file",
            ),
            (
                Payee::Importer(i.clone(), PartyNotUsed::NoNotifyParty { named: Some(o.clone()) }),
                "Importer 12-345678900: the entry names notify party 55-5555555CC, but no notify party is on file",
            ),
            (
                Payee::Importer(i.clone(), PartyNotUsed::EntryNamesAnother { named: o.clone(), party: p.clone() }),
                "Importer 12-345678900: the entry names 55-5555555CC, not the notify party on file (98-7654321AB)",
            ),
            (
                Payee::Importer(i.clone(), PartyNotUsed::NotifyPartyInactive { party: p.clone() }),
                "Importer 12-345678900: notify party 98-7654321AB is not in force on the importer's profile",
            ),
            (
                Payee::Importer(i.clone(), PartyNotUsed::PartyNotEnrolled { party: p.clone() }),
                "Importer 12-345678900: notify party 98-7654321AB has no active bank enrollment",
            ),
            (
                Payee::Nobody(NoPayee { importer: i.clone(), party_not_used: PartyNotUsed::NoEntryReference }),
                "Nobody: no active bank enrollment; refunds will be rejected. Importer 12-345678900 is not enrolled and the entry names no notify party",
            ),
            (
                Payee::Nobody(NoPayee {
                    importer: i.clone(),
                    party_not_used: PartyNotUsed::PartyNotEnrolled { party: p },
                }),
                "Nobody: no active bank enrollment; refunds will be rejected. Importer 12-345678900 is not enrolled and notify party 98-7654321AB has no active bank enrollment",
            ),
        ];
        for (payee, text) in cases {
            assert_eq!(payee.reason(), text);
        }
    }

    #[test]
    fn reasons_mask_ssns() {
        let person = num("123-45-6789");
        let payee =
            Payee::Nobody(NoPayee { importer: person, party_not_used: PartyNotUsed::NoNotifyParty { named: None } });
        assert!(payee.reason().contains("***-**-6789") && !payee.reason().contains("123-45"));
    }

    #[test]
    fn profile_view() {
        let (i, p) = (num(IMPORTER), num(PARTY));
        let active = NotifyPartyOnFile { party: p.clone(), active: true };
        let inactive = NotifyPartyOnFile { party: p.clone(), active: false };
        assert_eq!(payee_for_profile(&i, true, Some(&active), true), Payee::NotifyParty(p.clone()));
        assert_eq!(payee_for_profile(&i, false, Some(&active), true), Payee::NotifyParty(p.clone()));
        assert_eq!(
            payee_for_profile(&i, true, Some(&active), false),
            Payee::Importer(i.clone(), PartyNotUsed::PartyNotEnrolled { party: p.clone() })
        );
        assert_eq!(
            payee_for_profile(&i, true, Some(&inactive), true),
            Payee::Importer(i.clone(), PartyNotUsed::NotifyPartyInactive { party: p.clone() })
        );
        assert_eq!(
            payee_for_profile(&i, true, None, true),
            Payee::Importer(i.clone(), PartyNotUsed::NoNotifyParty { named: None })
        );
        assert_eq!(
            payee_for_profile(&i, false, None, false),
            Payee::Nobody(NoPayee { importer: i.clone(), party_not_used: PartyNotUsed::NoNotifyParty { named: None } })
        );
        assert_eq!(
            payee_for_profile(&i, false, Some(&active), false).reason(),
            "Nobody: no active bank enrollment; refunds will be rejected. Importer 12-345678900 is not enrolled and notify party 98-7654321AB has no active bank enrollment"
        );
    }
}

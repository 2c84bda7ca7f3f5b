//! The synthetic data set behind `demo seed` and the refund benchmark's CSV files
//! (`examples/refund_data.rs`): importers of every number shape, what each has (a portal
//! account, bank details, a Form 4811 notify party, an open bill) and a stream of refunds.
//! Pure and deterministic: the same seed, counts and day give the same data.
//!
//! An importer's facts are a function of (seed, index) alone, so they can be read in any order
//! and none has to be kept; refunds come from one sequential stream, so memory does not grow
//! with their number. Importer 0 is the "focus" importer: a corporation with an account and
//! Active bank details that gets a fixed share of the refunds (the benchmark of one importer's
//! Refunds tab among millions).

use domain::refund::{EntryNumber, RefundSource};
use domain::{Address, ImporterDraft};
use time::{Date, Duration};

/// The importer numbers of the small `serve --demo` set, which a seeded database also gets:
/// never generated.
const DEMO_NUMBERS: [&str; 8] = [
    "52-123456700",
    "27-418820300",
    "27-4188203A1",
    "81-220934500",
    "46-771203900",
    "123-45-6789",
    "260412-00017",
    "93-100200300",
];

/// Days of refund dates: deposits and liquidations fall within this many days up to today.
pub const SPAN_DAYS: i64 = 730;

/// splitmix64's finaliser: a good 64-bit mix, so hashes of neighbouring indexes look unrelated.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// What an importer has besides its 5106 record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bank {
    /// Never enrolled.
    None,
    /// Bank details saved, prenote queued: waiting for verification.
    Pending,
    Active,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Ein,
    Ssn,
    Cbp,
}

/// The cheap facts of importer `i` (no strings), read for every refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Traits {
    shape: Shape,
    pub company_type: &'static str,
    /// A portal account (Trade Account Owner, Importer sub-account holding the number).
    pub portal: bool,
    /// Bank details; always `None` without a portal account (they are entered in the portal).
    pub bank: Bank,
    /// The importer this one names as notify party (Form 4811), in force.
    pub party: Option<u64>,
    /// An open CBP bill.
    pub bill: bool,
}

impl Traits {
    pub fn corporation(&self) -> bool {
        self.company_type == "corporation"
    }
}

/// A refund of the stream, importers by index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthRefund {
    pub number: String,
    pub importer: u64,
    pub entry: EntryNumber,
    pub source: RefundSource,
    pub principal_cents: i64,
    pub deposit: Date,
    pub liquidation: Date,
    pub notify_party: Option<u64>,
}

/// An open CBP bill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthBill {
    pub number: String,
    pub amount_cents: i64,
    pub date: Date,
}

/// Bank details as a person would type them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthBank {
    pub routing: &'static str,
    pub bank_name: &'static str,
    pub account: String,
    pub account_type: &'static str,
}

#[derive(Debug, Clone)]
pub struct Synthetic {
    seed: u64,
    importers: u64,
    today: Date,
}

/// Real routing numbers (valid check digits) with their FedACH names, so the ACH tab shows a bank.
const BANKS: [(&str, &str); 10] = [
    ("021000021", "JPMORGAN CHASE BANK, NA"),
    ("026009593", "BANK OF AMERICA, N.A."),
    ("121000248", "WELLS FARGO BANK, NA"),
    ("011000138", "BANK OF AMERICA, N.A."),
    ("071000013", "JPMORGAN CHASE BANK, NA"),
    ("091000019", "WELLS FARGO BANK, NA"),
    ("111000025", "BANK OF AMERICA, N.A."),
    ("044000037", "JPMORGAN CHASE BANK, NA"),
    ("122000661", "BANK OF AMERICA, N.A."),
    ("031000503", "WELLS FARGO BANK, NA"),
];

/// Filer codes of the entries: numeric ones and some with letters (CATAIR's AAN and ANA
/// shapes); `HB7` is the demo broker's, so the demo broker sees refunds.
const LETTER_FILERS: [&str; 6] = ["HB7", "A2K", "BX9", "MZ4", "C3P", "TQ8"];

const FIRST: [&str; 16] = [
    "Atlantic",
    "Harbor",
    "Summit",
    "Prairie",
    "Coastal",
    "Lumen",
    "Granite",
    "Cascade",
    "Pioneer",
    "Meridian",
    "Keystone",
    "Redwood",
    "Bayview",
    "Northstar",
    "Silverline",
    "Ironbridge",
];
const SECOND: [&str; 16] = [
    "Outdoor Goods",
    "Lighting Supply",
    "Apparel",
    "Machinery",
    "Foods",
    "Electronics",
    "Textiles",
    "Auto Parts",
    "Furniture",
    "Toys",
    "Steel Products",
    "Medical Supply",
    "Footwear",
    "Coffee Traders",
    "Tile & Stone",
    "Solar Components",
];
const GIVEN: [&str; 12] =
    ["Maria", "James", "Aisha", "Wei", "Carlos", "Emily", "Tunde", "Priya", "Luca", "Sofia", "Daniel", "Hana"];
const FAMILY: [&str; 12] =
    ["Alvarez", "Okafor", "Chen", "Smith", "Novak", "Haddad", "Kim", "Rossi", "Patel", "Johnson", "Nguyen", "Brennan"];
const CITIES: [(&str, &str, &str); 8] = [
    ("Baltimore", "MD", "21230"),
    ("Long Beach", "CA", "90802"),
    ("Savannah", "GA", "31401"),
    ("Laredo", "TX", "78040"),
    ("Newark", "NJ", "07114"),
    ("Seattle", "WA", "98134"),
    ("Miami", "FL", "33132"),
    ("Chicago", "IL", "60607"),
];

impl Synthetic {
    /// `importers` importers (at least one: the focus importer), refund dates up to `today`.
    pub fn new(seed: u64, importers: u64, today: Date) -> Synthetic {
        Synthetic { seed, importers: importers.max(1), today }
    }

    pub fn importers(&self) -> u64 {
        self.importers
    }

    pub fn today(&self) -> Date {
        self.today
    }

    /// A hash of (seed, stream, i): each kind of fact draws from its own stream, so adding one
    /// does not move the others.
    fn h(&self, stream: u64, i: u64) -> u64 {
        mix(self.seed ^ mix(stream.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ mix(i)))
    }

    pub fn traits(&self, i: u64) -> Traits {
        if i == 0 {
            return Traits {
                shape: Shape::Ein,
                company_type: "corporation",
                portal: true,
                bank: Bank::Active,
                party: None,
                bill: true,
            };
        }
        let h = self.h(1, i);
        let shape = match h % 100 {
            0..82 => Shape::Ein,
            82..91 => Shape::Cbp,
            _ => Shape::Ssn,
        };
        let t = (h >> 8) % 100;
        let company_type = match shape {
            Shape::Ein => match t {
                0..62 => "corporation",
                62..80 => "llc",
                80..91 => "partnership",
                91..95 => "sole_proprietorship",
                95..98 => "state_local_government",
                _ => "us_government",
            },
            Shape::Cbp => match t {
                0..85 => "corporation",
                85..97 => "partnership",
                _ => "foreign_government",
            },
            Shape::Ssn => match t {
                0..70 => "individual",
                _ => "sole_proprietorship",
            },
        };
        let portal = (h >> 16) % 100 < 90;
        let bank = match ((h >> 24) % 100, portal) {
            (_, false) => Bank::None,
            (0..82, true) => Bank::Active,
            (82..91, true) => Bank::Pending,
            _ => Bank::None,
        };
        let party = if self.importers >= 3 && (h >> 32) % 100 < 4 {
            // Any importer but itself and the focus importer.
            let mut p = 1 + self.h(2, i) % (self.importers - 2);
            if p >= i {
                p += 1;
            }
            Some(p)
        } else {
            None
        };
        let bill = (h >> 40) % 100 < 5;
        Traits { shape, company_type, portal, bank, party, bill }
    }

    /// The canonical importer number of importer `i`: distinct for distinct `i` within each
    /// shape (an affine map with a multiplier prime to the range is a bijection), the shapes'
    /// forms never equal, and never one of the demo set's numbers.
    pub fn number(&self, i: u64) -> String {
        let t = self.traits(i);
        let h = self.h(3, i);
        let n = match t.shape {
            Shape::Ein => {
                // 01-0000000 .. 99-9999999: never the prefix 00.
                let ein = 10_000_000 + (i.wrapping_mul(7_919) + 12_345 + self.seed % 1_000) % 990_000_000;
                let suffix = match h % 100 {
                    0..90 => "00".to_string(),
                    90..97 => format!("0{}", 1 + h / 100 % 9),
                    _ => "A1".to_string(),
                };
                format!("{:02}-{:07}{suffix}", ein / 10_000_000, ein % 10_000_000)
            }
            Shape::Ssn => {
                // Areas 001-665, groups 01-99, serials 0001-9999: never 000, 666, 9xx, 00, 0000.
                let x = (i.wrapping_mul(104_729) + self.seed % 1_000) % (665 * 99 * 9_999);
                let (area, rest) = (1 + x / (99 * 9_999), x % (99 * 9_999));
                format!("{area:03}-{:02}-{:04}", 1 + rest / 9_999, 1 + rest % 9_999)
            }
            Shape::Cbp => {
                let x = (i.wrapping_mul(1_299_709) + self.seed % 1_000) % 100_000_000_000;
                format!("{:06}-{:05}", x / 100_000, x % 100_000)
            }
        };
        if DEMO_NUMBERS.contains(&n.as_str()) {
            // The demo set's EINs end in 00 or A1; another suffix keeps the number unique.
            return format!("{}98", &n[..n.len() - 2]);
        }
        n
    }

    pub fn name(&self, i: u64) -> String {
        if i == 0 {
            return "Atlas Continental Trading Corp".into();
        }
        let t = self.traits(i);
        let h = self.h(4, i);
        let person = || format!("{} {}", GIVEN[(h % 12) as usize], FAMILY[(h / 12 % 12) as usize]);
        let company = || format!("{} {}", FIRST[(h % 16) as usize], SECOND[(h / 16 % 16) as usize]);
        match t.company_type {
            "individual" => person(),
            "sole_proprietorship" => format!("{} dba {}", person(), company()),
            "corporation" => format!("{} Inc", company()),
            "llc" => format!("{} LLC", company()),
            "partnership" => format!("{} LP", company()),
            "state_local_government" => format!("{} Port Authority", CITIES[(h % 8) as usize].0),
            "us_government" => "U.S. General Services Administration".into(),
            _ => format!("Trade Mission of {}", FIRST[(h % 16) as usize]),
        }
    }

    /// The importer's own 5106 contact address (unique per importer).
    pub fn email(&self, i: u64) -> String {
        if i == 0 { "treasury@atlas-continental.example".into() } else { format!("ap@imp{i:07}.example") }
    }

    /// The Form 5106 record of importer `i`.
    pub fn draft(&self, i: u64) -> ImporterDraft {
        let t = self.traits(i);
        let h = self.h(5, i);
        let (city, state, zip) = CITIES[(h % 8) as usize];
        let uses: &[&str] = match h / 8 % 4 {
            0 => &["importer_of_record", "refunds_bills"],
            1 => &["importer_of_record", "consignee"],
            2 => &["importer_of_record", "drawback_claimant"],
            _ => &["importer_of_record"],
        };
        ImporterDraft {
            importer_number: self.number(i),
            name: self.name(i),
            company_type: t.company_type.into(),
            number_uses: uses.iter().map(|s| s.to_string()).collect(),
            cbp_reasons: if t.shape == Shape::Cbp {
                "Foreign company without an IRS number".into()
            } else {
                String::new()
            },
            physical_address: Some(Address {
                line1: format!("{} Harbor Way", 1 + h / 32 % 9_999),
                line2: String::new(),
                city: city.into(),
                state: state.into(),
                postal_code: zip.into(),
                country: "US".into(),
            }),
            phone: format!("(410) 555-{:04}", h / 320_000 % 10_000),
            email: self.email(i),
            ..Default::default()
        }
    }

    /// The Trade Account Owner of importer `i`'s portal account: email and name.
    pub fn tao(&self, i: u64) -> (String, String) {
        let h = self.h(6, i);
        let name = format!("{} {}", GIVEN[(h % 12) as usize], FAMILY[(h / 12 % 12) as usize]);
        let email = if i == 0 { "owner@atlas-continental.example".into() } else { format!("owner@imp{i:07}.example") };
        (email, name)
    }

    /// The bank details importer `i` enrolled (when it did): account numbers distinct per importer.
    pub fn bank(&self, i: u64) -> SynthBank {
        let h = self.h(7, i);
        let (routing, bank_name) = BANKS[(h % BANKS.len() as u64) as usize];
        let account = 1_000_000_000 + (i.wrapping_mul(7_727) + 4_242) % 9_000_000_000;
        SynthBank {
            routing,
            bank_name,
            account: account.to_string(),
            account_type: if (h / 16).is_multiple_of(5) { "savings" } else { "checking" },
        }
    }

    /// Importer `i`'s open CBP bill, when it has one.
    pub fn bill(&self, i: u64) -> Option<SynthBill> {
        if !self.traits(i).bill {
            return None;
        }
        let h = self.h(8, i);
        Some(SynthBill {
            number: format!("B{i:08}"),
            amount_cents: 50_000 + (h % 2_450_000) as i64,
            date: self.today - Duration::days((h / 2_450_000 % 600) as i64),
        })
    }

    /// The day every seeded notify-party designation takes effect: before any refund's dates.
    pub fn designations_effective(&self) -> Date {
        self.today - Duration::days(SPAN_DAYS + 30)
    }

    /// `total` refunds, `focus` of them (at most `total`) for importer 0, spread evenly through
    /// the stream; the others over importers 1.. (all of them to importer 0 when it is alone).
    pub fn refunds(&self, total: u64, focus: u64) -> RefundStream<'_> {
        RefundStream { s: self, n: 0, total, focus: focus.min(total), rng: mix(self.seed ^ 0x0005_eed0_f4ef_02d5) | 1 }
    }
}

/// The refunds of [`Synthetic::refunds`], in order.
pub struct RefundStream<'a> {
    s: &'a Synthetic,
    n: u64,
    total: u64,
    focus: u64,
    rng: u64,
}

impl RefundStream<'_> {
    fn next_u64(&mut self) -> u64 {
        // xorshift64*: fast and plenty for spreading test data.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// How many refunds are left.
    pub fn remaining(&self) -> u64 {
        self.total - self.n
    }
}

impl Iterator for RefundStream<'_> {
    type Item = SynthRefund;

    fn next(&mut self) -> Option<SynthRefund> {
        if self.n >= self.total {
            return None;
        }
        let n = self.n;
        self.n += 1;
        // Exactly `focus` of `total`, evenly spread: refund n is the focus importer's when
        // floor((n + 1) * focus / total) steps up.
        let (f, t) = (u128::from(self.focus), u128::from(self.total));
        let is_focus = (u128::from(n) + 1) * f / t > u128::from(n) * f / t;
        let importer = if is_focus || self.s.importers == 1 { 0 } else { 1 + self.below(self.s.importers - 1) };
        let filer = match self.below(100) {
            0..12 => LETTER_FILERS[self.below(LETTER_FILERS.len() as u64) as usize].to_string(),
            _ => format!("{:03}", 100 + self.below(60) * 13),
        };
        let entry = EntryNumber::from_parts(&filer, &format!("{:07}", self.below(10_000_000)))
            .expect("generated filer codes and transaction numbers are valid");
        let source = match self.below(100) {
            0..40 => RefundSource::Liquidation,
            40..50 => RefundSource::Reliquidation,
            50..60 => RefundSource::Protest,
            60..70 => RefundSource::Drawback,
            70..75 => RefundSource::PreLiquidation,
            75..88 => RefundSource::Psc,
            88..95 => RefundSource::Cape,
            _ => RefundSource::Other,
        };
        let liq_ago = self.below(SPAN_DAYS as u64) as i64;
        let liquidation = self.s.today - Duration::days(liq_ago);
        let deposit = liquidation - Duration::days(self.below((SPAN_DAYS - liq_ago).min(400) as u64 + 1) as i64);
        let principal_cents = match self.below(100) {
            0..10 => 1_000 + self.below(9_000),
            10..45 => 10_000 + self.below(90_000),
            45..85 => 100_000 + self.below(900_000),
            85..98 => 1_000_000 + self.below(9_000_000),
            _ => 10_000_000 + self.below(90_000_000),
        } as i64;
        let notify_party = match self.s.traits(importer).party {
            Some(p) if self.below(10) < 6 => Some(p),
            _ => None,
        };
        Some(SynthRefund {
            number: format!("SR{n:010}"),
            importer,
            entry,
            source,
            principal_cents,
            deposit,
            liquidation,
            notify_party,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn today() -> Date {
        time::macros::date!(2026 - 12 - 03)
    }

    #[test]
    fn records_are_valid_distinct_and_of_every_shape() {
        let s = Synthetic::new(7, 20_000, today());
        let mut numbers = HashSet::new();
        let mut kinds = HashSet::new();
        for i in 0..20_000 {
            let v = s.draft(i).validate().unwrap_or_else(|e| panic!("importer {i}: {e:?}"));
            kinds.insert(v.number.kind());
            assert!(numbers.insert(v.number.canonical()), "importer {i}: number repeated");
            assert!(!DEMO_NUMBERS.contains(&v.number.canonical().as_str()));
        }
        assert_eq!(kinds.len(), 3);
        for (routing, _) in BANKS {
            domain::bank::RoutingNumber::parse(routing).unwrap();
        }
        domain::bank::AccountNumber::parse(&s.bank(3).account).unwrap();
    }

    #[test]
    fn refunds_are_deterministic_in_range_and_the_focus_count_exact() {
        let s = Synthetic::new(7, 50, today());
        let a: Vec<SynthRefund> = s.refunds(2_000, 137).collect();
        assert_eq!(a, s.refunds(2_000, 137).collect::<Vec<_>>());
        assert_ne!(a, Synthetic::new(8, 50, today()).refunds(2_000, 137).collect::<Vec<_>>());
        assert_eq!(a.iter().filter(|r| r.importer == 0).count(), 137);
        let earliest = today() - Duration::days(SPAN_DAYS);
        for r in &a {
            assert!(r.deposit <= r.liquidation && r.liquidation <= today() && r.deposit >= earliest, "{r:?}");
            assert!(r.importer < 50 && r.principal_cents > 0);
            assert!(r.notify_party.is_none_or(|p| Some(p) == s.traits(r.importer).party), "{r:?}");
        }
        let sources: HashSet<_> = a.iter().map(|r| r.source).collect();
        assert_eq!(sources.len(), 8, "every source");
    }
}

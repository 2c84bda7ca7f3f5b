//! The Form 5106 importer record ("Create/Update Importer Identity") and its validation.

use serde::{Deserialize, Serialize};

use crate::{Email, FieldErrors, ImporterNumber};

string_enum!(
    /// Type of company, the eight kinds Form 5106 lists.
    CompanyType {
        Corporation = "corporation" / "Corporation",
        Partnership = "partnership" / "Partnership",
        Llc = "llc" / "Limited Liability Company",
        SoleProprietorship = "sole_proprietorship" / "Sole Proprietorship",
        Individual = "individual" / "Individual",
        UsGovernment = "us_government" / "U.S. Government",
        StateLocalGovernment = "state_local_government" / "State/Local Government",
        ForeignGovernment = "foreign_government" / "Foreign Government",
    }
);

string_enum!(
    /// How the importer number is used (several may apply).
    NumberUse {
        ImporterOfRecord = "importer_of_record" / "Importer of Record",
        Consignee = "consignee" / "Consignee",
        DrawbackClaimant = "drawback_claimant" / "Drawback Claimant",
        RefundsBills = "refunds_bills" / "Refunds/Bills",
        Other = "other" / "Other",
    }
);

string_enum!(
    ImporterStatus {
        Active = "active" / "Active",
        Inactive = "inactive" / "Inactive",
    }
);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub line1: String,
    #[serde(default)]
    pub line2: String,
    pub city: String,
    /// Two-letter state or territory code for U.S. addresses; region for foreign ones.
    pub state: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, `US` when left blank.
    #[serde(default)]
    pub country: String,
}

impl Address {
    pub fn is_blank(&self) -> bool {
        [&self.line1, &self.line2, &self.city, &self.state, &self.postal_code].iter().all(|s| s.trim().is_empty())
    }

    pub fn one_line(&self) -> String {
        let parts = [&self.line1, &self.line2, &self.city, &self.state, &self.postal_code, &self.country];
        parts.iter().filter(|s| !s.trim().is_empty()).map(|s| s.trim()).collect::<Vec<_>>().join(", ")
    }

    fn normalise(&mut self) {
        for s in [
            &mut self.line1,
            &mut self.line2,
            &mut self.city,
            &mut self.state,
            &mut self.postal_code,
            &mut self.country,
        ] {
            *s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        }
        self.state = self.state.to_ascii_uppercase();
        self.country = self.country.to_ascii_uppercase();
        if self.country.is_empty() {
            self.country = "US".into();
        }
    }

    fn validate(&self, prefix: &str, errors: &mut FieldErrors) {
        let f = |name: &str| format!("{prefix}_{name}");
        if self.line1.is_empty() {
            errors.add(&f("line1"), "enter the street address");
        }
        if self.city.is_empty() {
            errors.add(&f("city"), "enter the city");
        }
        if self.country.len() != 2 || !self.country.chars().all(|c| c.is_ascii_uppercase()) {
            errors.add(&f("country"), "enter a two-letter country code, such as US");
        }
        if self.country == "US" {
            if self.state.len() != 2 || !self.state.chars().all(|c| c.is_ascii_uppercase()) {
                errors.add(&f("state"), "enter the two-letter state code, such as NY");
            }
            let zip_ok = match self.postal_code.len() {
                5 => self.postal_code.chars().all(|c| c.is_ascii_digit()),
                10 => {
                    let b = self.postal_code.as_bytes();
                    b[5] == b'-' && b.iter().enumerate().all(|(i, c)| i == 5 || c.is_ascii_digit())
                }
                _ => false,
            };
            if !zip_ok {
                errors.add(&f("postal_code"), "enter a ZIP code like 20229 or 20229-0001");
            }
        }
        for (name, value) in [("line1", &self.line1), ("line2", &self.line2), ("city", &self.city)] {
            if value.chars().count() > 100 {
                errors.add(&f(name), "use at most 100 characters");
            }
        }
    }
}

/// What a person submits for a 5106 record, as raw text. `validate` turns it into a
/// `ValidImporter` or lists every field that needs fixing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImporterDraft {
    pub importer_number: String,
    pub name: String,
    #[serde(default)]
    pub dba: String,
    pub company_type: String,
    #[serde(default)]
    pub number_uses: Vec<String>,
    #[serde(default)]
    pub cbp_reasons: String,
    #[serde(default)]
    pub mailing_address: Option<Address>,
    pub physical_address: Option<Address>,
    #[serde(default)]
    pub phone: String,
    pub email: String,
}

/// A validated 5106 record, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidImporter {
    pub number: ImporterNumber,
    pub name: String,
    pub dba: String,
    pub company_type: CompanyType,
    pub number_uses: Vec<NumberUse>,
    pub cbp_reasons: String,
    pub mailing_address: Option<Address>,
    pub physical_address: Address,
    pub phone: String,
    pub email: Email,
}

fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl ImporterDraft {
    pub fn validate(&self) -> Result<ValidImporter, FieldErrors> {
        let mut errors = FieldErrors::default();
        let number = match ImporterNumber::parse(&self.importer_number) {
            Ok(n) => Some(n),
            Err(e) => {
                errors.add("importer_number", e.message());
                None
            }
        };
        let name = clean(&self.name);
        if name.is_empty() {
            errors.add("name", "enter the company or person's legal name");
        } else if name.chars().count() > 120 {
            errors.add("name", "use at most 120 characters");
        }
        let dba = clean(&self.dba);
        if dba.chars().count() > 120 {
            errors.add("dba", "use at most 120 characters");
        }
        let company_type = CompanyType::from_code(&self.company_type);
        if company_type.is_none() {
            errors.add("company_type", format!("choose the type of company ({})", CompanyType::codes()));
        }
        let mut number_uses = Vec::new();
        for u in self.number_uses.iter().filter(|u| !u.trim().is_empty()) {
            match NumberUse::from_code(u) {
                Some(v) if !number_uses.contains(&v) => number_uses.push(v),
                Some(_) => {}
                None => errors.add("number_uses", format!("unknown use; choose from {}", NumberUse::codes())),
            }
        }
        if number_uses.is_empty() && !errors.0.iter().any(|e| e.field == "number_uses") {
            errors.add("number_uses", "choose at least one way the number is used");
        }
        let cbp_reasons = clean(&self.cbp_reasons);
        if matches!(number, Some(ImporterNumber::CbpAssigned(_))) && cbp_reasons.is_empty() {
            errors.add("cbp_reasons", "give the reason a CBP-assigned number is needed (no IRS or SSN number)");
        }
        if cbp_reasons.chars().count() > 500 {
            errors.add("cbp_reasons", "use at most 500 characters");
        }
        let physical = match &self.physical_address {
            Some(a) if !a.is_blank() => {
                let mut a = a.clone();
                a.normalise();
                a.validate("physical", &mut errors);
                Some(a)
            }
            _ => {
                errors.add("physical_line1", "enter the physical location address (a P.O. box is not enough)");
                None
            }
        };
        let mailing = match &self.mailing_address {
            Some(a) if !a.is_blank() => {
                let mut a = a.clone();
                a.normalise();
                a.validate("mailing", &mut errors);
                Some(a)
            }
            _ => None,
        };
        let phone = clean(&self.phone);
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        if !phone.is_empty()
            && (!(7..=15).contains(&digits) || !phone.chars().all(|c| c.is_ascii_digit() || " ()+-.x".contains(c)))
        {
            errors.add("phone", "enter a phone number like (202) 555-0147");
        }
        let email = match Email::parse(&self.email) {
            Ok(e) => Some(e),
            Err(m) => {
                errors.add("email", m);
                None
            }
        };
        match (number, company_type, physical, email, errors.is_empty()) {
            (Some(number), Some(company_type), Some(physical_address), Some(email), true) => Ok(ValidImporter {
                number,
                name,
                dba,
                company_type,
                number_uses,
                cbp_reasons,
                mailing_address: mailing,
                physical_address,
                phone,
                email,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn sample() -> ImporterDraft {
        ImporterDraft {
            importer_number: "12-345678900".into(),
            name: "Acme  Imports Inc".into(),
            dba: String::new(),
            company_type: "corporation".into(),
            number_uses: vec!["importer_of_record".into()],
            cbp_reasons: String::new(),
            mailing_address: None,
            physical_address: Some(Address {
                line1: "1 Main St".into(),
                line2: String::new(),
                city: "Baltimore".into(),
                state: "md".into(),
                postal_code: "21201".into(),
                country: String::new(),
            }),
            phone: "(410) 555-0100".into(),
            email: "Ops@Acme.example".into(),
        }
    }

    #[test]
    fn valid_draft_is_normalised() {
        let v = sample().validate().unwrap();
        assert_eq!(v.name, "Acme Imports Inc");
        assert_eq!(v.physical_address.state, "MD");
        assert_eq!(v.physical_address.country, "US");
        assert_eq!(v.email.as_str(), "ops@acme.example");
    }

    #[test]
    fn every_problem_is_listed() {
        let mut d = sample();
        d.importer_number = "nope".into();
        d.physical_address = None;
        d.email = "x".into();
        d.company_type = "pirate".into();
        let e = d.validate().unwrap_err();
        for f in ["importer_number", "physical_line1", "email", "company_type"] {
            assert!(e.get(f).is_some(), "{f} missing in {e:?}");
        }
    }

    #[test]
    fn cbp_number_needs_reason() {
        let mut d = sample();
        d.importer_number = "250412-00017".into();
        assert!(d.validate().unwrap_err().get("cbp_reasons").is_some());
        d.cbp_reasons = "Foreign company without IRS number".into();
        assert!(d.validate().is_ok());
    }
}

//! The header line of an importer CSV and reading a record's fields by column name.

use std::collections::HashMap;

use domain::{Address, ImporterDraft};

use super::{OPTIONAL, REQUIRED};

pub(super) struct Columns {
    index: HashMap<String, usize>,
}

impl Columns {
    pub(super) fn from_header(header: &csv::StringRecord) -> Result<Columns, String> {
        let mut index = HashMap::new();
        let mut unknown = Vec::new();
        for (i, h) in header.iter().enumerate() {
            let h = h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
            if !REQUIRED.contains(&h.as_str()) && !OPTIONAL.contains(&h.as_str()) {
                unknown.push(h);
            } else if index.insert(h.clone(), i).is_some() {
                return Err(format!("column {h} appears twice in the header"));
            }
        }
        let missing: Vec<&str> = REQUIRED.iter().copied().filter(|c| !index.contains_key(*c)).collect();
        if !missing.is_empty() || !unknown.is_empty() {
            let mut msg = String::from("the header line does not match the importer CSV format:");
            if !missing.is_empty() {
                msg.push_str(&format!(" missing column(s) {};", missing.join(", ")));
            }
            if !unknown.is_empty() {
                msg.push_str(&format!(" unknown column(s) {};", unknown.join(", ")));
            }
            msg.push_str(" see docs/importer-csv.md");
            return Err(msg);
        }
        Ok(Columns { index })
    }

    pub(super) fn get<'r>(&self, rec: &'r csv::StringRecord, name: &str) -> &'r str {
        self.index.get(name).and_then(|i| rec.get(*i)).unwrap_or("")
    }

    fn address(&self, rec: &csv::StringRecord, prefix: &str) -> Address {
        let g = |f: &str| self.get(rec, &format!("{prefix}_{f}")).to_string();
        Address {
            line1: g("line1"),
            line2: g("line2"),
            city: g("city"),
            state: g("state"),
            postal_code: g("postal_code"),
            country: g("country"),
        }
    }

    pub(super) fn draft(&self, rec: &csv::StringRecord) -> ImporterDraft {
        let mailing = self.address(rec, "mailing");
        ImporterDraft {
            importer_number: self.get(rec, "importer_number").into(),
            name: self.get(rec, "name").into(),
            dba: self.get(rec, "dba").into(),
            company_type: self.get(rec, "company_type").into(),
            number_uses: self.get(rec, "number_uses").split([';', '|']).map(|s| s.trim().to_string()).collect(),
            cbp_reasons: self.get(rec, "cbp_reasons").into(),
            mailing_address: if mailing.is_blank() { None } else { Some(mailing) },
            physical_address: Some(self.address(rec, "physical")),
            phone: self.get(rec, "phone").into(),
            email: self.get(rec, "email").into(),
        }
    }
}

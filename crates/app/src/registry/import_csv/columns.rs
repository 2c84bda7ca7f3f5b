//! The header line of an importer CSV and reading a record's fields by column.

use std::collections::HashMap;

use domain::{Address, ImporterDraft};

use super::{OPTIONAL, REQUIRED};

/// Where each known column is in the file (None: not in this file). Resolved once from the
/// header, so reading a line costs no name lookups or allocations beyond the values.
pub(super) struct Columns {
    number: Option<usize>,
    name: Option<usize>,
    dba: Option<usize>,
    company_type: Option<usize>,
    number_uses: Option<usize>,
    cbp_reasons: Option<usize>,
    /// line1, line2, city, state, postal_code, country.
    physical: [Option<usize>; 6],
    mailing: [Option<usize>; 6],
    phone: Option<usize>,
    email: Option<usize>,
    status: Option<usize>,
}

const ADDRESS_FIELDS: [&str; 6] = ["line1", "line2", "city", "state", "postal_code", "country"];

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
        let at = |name: &str| index.get(name).copied();
        let address = |prefix: &str| ADDRESS_FIELDS.map(|f| at(&format!("{prefix}_{f}")));
        Ok(Columns {
            number: at("importer_number"),
            name: at("name"),
            dba: at("dba"),
            company_type: at("company_type"),
            number_uses: at("number_uses"),
            cbp_reasons: at("cbp_reasons"),
            physical: address("physical"),
            mailing: address("mailing"),
            phone: at("phone"),
            email: at("email"),
            status: at("status"),
        })
    }

    fn get(rec: &csv::StringRecord, column: Option<usize>) -> &str {
        column.and_then(|i| rec.get(i)).unwrap_or("")
    }

    pub(super) fn status<'r>(&self, rec: &'r csv::StringRecord) -> &'r str {
        Self::get(rec, self.status)
    }

    fn address(rec: &csv::StringRecord, columns: &[Option<usize>; 6]) -> Address {
        let [line1, line2, city, state, postal_code, country] = columns.map(|c| Self::get(rec, c).to_string());
        Address { line1, line2, city, state, postal_code, country }
    }

    pub(super) fn draft(&self, rec: &csv::StringRecord) -> ImporterDraft {
        let mailing = Self::address(rec, &self.mailing);
        ImporterDraft {
            importer_number: Self::get(rec, self.number).into(),
            name: Self::get(rec, self.name).into(),
            dba: Self::get(rec, self.dba).into(),
            company_type: Self::get(rec, self.company_type).into(),
            number_uses: Self::get(rec, self.number_uses).split([';', '|']).map(|s| s.trim().to_string()).collect(),
            cbp_reasons: Self::get(rec, self.cbp_reasons).into(),
            mailing_address: if mailing.is_blank() { None } else { Some(mailing) },
            physical_address: Some(Self::address(rec, &self.physical)),
            phone: Self::get(rec, self.phone).into(),
            email: Self::get(rec, self.email).into(),
        }
    }
}

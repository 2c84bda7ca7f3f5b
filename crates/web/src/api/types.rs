//! Request and response bodies of the API, with their OpenAPI schemas. Kept apart from the
//! domain types so the domain stays free of web concerns.

use app::registry::importers::{HistoryEntry, Importer, SearchPage};
use domain::{Address, ImporterDraft};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressBody {
    #[schema(example = "1450 Key Hwy")]
    pub line1: String,
    #[serde(default)]
    pub line2: String,
    #[schema(example = "Baltimore")]
    pub city: String,
    /// Two-letter state code for U.S. addresses.
    #[schema(example = "MD")]
    pub state: String,
    #[schema(example = "21230")]
    pub postal_code: String,
    /// ISO 3166-1 alpha-2; `US` when omitted.
    #[serde(default)]
    pub country: String,
}

impl From<AddressBody> for Address {
    fn from(a: AddressBody) -> Address {
        Address {
            line1: a.line1,
            line2: a.line2,
            city: a.city,
            state: a.state,
            postal_code: a.postal_code,
            country: a.country,
        }
    }
}

impl From<Address> for AddressBody {
    fn from(a: Address) -> AddressBody {
        AddressBody {
            line1: a.line1,
            line2: a.line2,
            city: a.city,
            state: a.state,
            postal_code: a.postal_code,
            country: a.country,
        }
    }
}

/// A Form 5106 record to create or update.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImporterInput {
    /// EIN with suffix (`12-345678900`), SSN (`123-45-6789`) or CBP-assigned (`260412-00017`). On update it may be
    /// omitted; it cannot change.
    #[serde(default)]
    #[schema(example = "27-418820300")]
    pub importer_number: String,
    #[schema(example = "Chesapeake Outdoor Goods Inc")]
    pub name: String,
    #[serde(default)]
    pub dba: String,
    /// corporation, partnership, llc, sole_proprietorship, individual, us_government, state_local_government,
    /// foreign_government
    #[schema(example = "corporation")]
    pub company_type: String,
    /// importer_of_record, consignee, drawback_claimant, refunds_bills, other
    #[schema(example = json!(["importer_of_record"]))]
    pub number_uses: Vec<String>,
    #[serde(default)]
    pub cbp_reasons: String,
    #[serde(default)]
    pub mailing_address: Option<AddressBody>,
    pub physical_address: Option<AddressBody>,
    #[serde(default)]
    pub phone: String,
    /// The importer's own email; a broker's email is refused.
    #[schema(example = "treasury@chesapeakeoutdoor.example")]
    pub email: String,
    /// On update: the version you read. A different stored version gives 409 instead of overwriting.
    #[serde(default)]
    pub version: Option<i64>,
}

impl ImporterInput {
    pub fn draft(&self) -> ImporterDraft {
        ImporterDraft {
            importer_number: self.importer_number.clone(),
            name: self.name.clone(),
            dba: self.dba.clone(),
            company_type: self.company_type.clone(),
            number_uses: self.number_uses.clone(),
            cbp_reasons: self.cbp_reasons.clone(),
            mailing_address: self.mailing_address.clone().map(Into::into),
            physical_address: self.physical_address.clone().map(Into::into),
            phone: self.phone.clone(),
            email: self.email.clone(),
        }
    }
}

/// A stored Form 5106 record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImporterOut {
    pub id: i64,
    /// Masked for SSN-based numbers (`***-**-6789`).
    pub importer_number: String,
    /// ein, ssn or cbp
    pub number_kind: String,
    pub name: String,
    pub dba: String,
    pub company_type: String,
    pub number_uses: Vec<String>,
    pub cbp_reasons: String,
    pub mailing_address: Option<AddressBody>,
    pub physical_address: AddressBody,
    pub phone: String,
    pub email: String,
    /// active or inactive
    pub status: String,
    pub created_by: String,
    /// RFC 3339
    pub created_at: String,
    pub updated_by: String,
    pub updated_at: String,
    pub version: i64,
}

pub(crate) fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

impl From<Importer> for ImporterOut {
    fn from(i: Importer) -> ImporterOut {
        ImporterOut {
            id: i.id,
            importer_number: i.importer_number,
            number_kind: i.number_kind,
            name: i.name,
            dba: i.dba,
            company_type: i.company_type.code().into(),
            number_uses: i.number_uses.iter().map(|u| u.code().to_string()).collect(),
            cbp_reasons: i.cbp_reasons,
            mailing_address: i.mailing_address.map(Into::into),
            physical_address: i.physical_address.into(),
            phone: i.phone,
            email: i.email,
            status: i.status.code().into(),
            created_by: i.created_by,
            created_at: rfc3339(i.created_at),
            updated_by: i.updated_by,
            updated_at: rfc3339(i.updated_at),
            version: i.version,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchOut {
    pub items: Vec<ImporterOut>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub pages: u64,
}

impl From<SearchPage> for SearchOut {
    fn from(p: SearchPage) -> SearchOut {
        SearchOut {
            items: p.items.into_iter().map(Into::into).collect(),
            total: p.total,
            page: p.page,
            per_page: p.per_page,
            pages: p.pages,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SearchParams {
    /// Free text: a number (or its start), an email, or words of the name.
    pub q: String,
    /// Importer number or its beginning. SSN-based numbers are refused here (they would sit in URLs and logs):
    /// use `POST /api/v1/importers/search`.
    pub number: String,
    pub name: String,
    pub email: String,
    /// active or inactive
    pub status: String,
    /// From 1.
    pub page: Option<u64>,
    /// 1 to 100, default 25.
    pub per_page: Option<u64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeOut {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryOut {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub changes: Vec<ChangeOut>,
}

impl From<HistoryEntry> for HistoryOut {
    fn from(h: HistoryEntry) -> HistoryOut {
        HistoryOut {
            at: rfc3339(h.at),
            actor: h.actor,
            action: h.action,
            changes: h.changes.into_iter().map(|c| ChangeOut { field: c.field, old: c.old, new: c.new }).collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    /// active or inactive
    pub status: String,
}

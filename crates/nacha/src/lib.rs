//! NACHA ACH files: model, streaming writer, streaming reader, validator, return and change codes;
//! prenote files ([`write_prenotes`]), the bank's replies to them ([`read_replies`]: returns and
//! notifications of change) and a stand-in receiving bank for tests and demonstrations ([`respond`]).
//!
//! ```
//! use nacha::*;
//! let header = FileHeaderFields {
//!     immediate_destination: RoutingNumber::parse("231380104").unwrap(),
//!     immediate_origin: "121042882".into(),
//!     creation_date: "260102".into(),
//!     creation_time: "0304".into(),
//!     file_id_modifier: 'A',
//!     destination_name: "FEDERAL RESERVE BANK".into(),
//!     origin_name: "MY BANK NAME".into(),
//!     reference_code: String::new(),
//! };
//! let mut w = Writer::new(Vec::new(), &header).unwrap();
//! w.begin_batch(&BatchHeaderFields {
//!     service_class: ServiceClass::CreditsOnly,
//!     company_name: "MY COMPANY".into(),
//!     company_discretionary_data: String::new(),
//!     company_identification: "1234567890".into(),
//!     sec_code: SecCode::CCD,
//!     entry_description: "REFUND".into(),
//!     descriptive_date: String::new(),
//!     effective_entry_date: "260105".into(),
//!     originator_status_code: '2',
//!     odfi: RoutingNumber::parse("121042882").unwrap(),
//! }).unwrap();
//! w.add_entry(&EntryFields {
//!     transaction_code: TransactionCode::CHECKING_CREDIT,
//!     rdfi: RoutingNumber::parse("011000015").unwrap(),
//!     account_number: "ACCT0000001".into(),
//!     amount_cents: 12_345,
//!     identification_number: "".into(),
//!     individual_name: "VENDOR 000001".into(),
//!     discretionary_data: "".into(),
//!     addenda: vec![NewAddenda::Remittance { payment_related_information: "ENTRY 123-4567890-1".into() }],
//! }).unwrap();
//! let bytes = w.finish().unwrap();
//! let report = validate_bytes(&bytes, &ReadOptions::default());
//! assert!(report.valid, "{:?}", report.errors);
//! assert_eq!((report.entries, report.addenda, report.total_credit_cents), (1, 1, 12_345));
//! ```
//!
//! Prenotes, the bank's reply (here from the stand-in [`respond`]) and the replies read back:
//!
//! ```
//! use nacha::*;
//! # let header = FileHeaderFields {
//! #     immediate_destination: RoutingNumber::parse("231380104").unwrap(),
//! #     immediate_origin: "121042882".into(),
//! #     creation_date: "260102".into(),
//! #     creation_time: "0304".into(),
//! #     file_id_modifier: 'A',
//! #     destination_name: "FEDERAL RESERVE BANK".into(),
//! #     origin_name: "US CUSTOMS".into(),
//! #     reference_code: String::new(),
//! # };
//! # let batch = BatchHeaderFields {
//! #     service_class: ServiceClass::CreditsOnly,
//! #     company_name: "US CUSTOMS".into(),
//! #     company_discretionary_data: String::new(),
//! #     company_identification: "2123456789".into(),
//! #     sec_code: SecCode::CCD,
//! #     entry_description: "PRENOTE".into(),
//! #     descriptive_date: String::new(),
//! #     effective_entry_date: "260105".into(),
//! #     originator_status_code: '2',
//! #     odfi: RoutingNumber::parse("121042882").unwrap(),
//! # };
//! let entries = [PrenoteEntry {
//!     id: "ENR0000001".into(),
//!     rdfi: RoutingNumber::parse("011000015").unwrap(),
//!     account_number: "000123456789".into(),
//!     account_type_savings: false,
//!     holder_name: "Acme Imports LLC".into(),
//! }];
//! let (file, traces) = write_prenotes(&header, &batch, &entries).unwrap();
//! let corrected = codes::changes::layout_corrected_data("C01", &["000987654321"]).unwrap();
//! let answers = [(traces[0], Answer::Change { code: "C01".into(), corrected_data: corrected })];
//! let reply = respond(&file, &answers, &RespondOptions::on("260107", "0915")).unwrap();
//! let replies = read_replies(&reply).unwrap();
//! assert!(replies.problems.is_empty());
//! let r = &replies.replies[0];
//! assert_eq!((r.original_trace, r.individual_id.as_str()), (traces[0], "ENR0000001"));
//! assert_eq!(
//!     r.kind,
//!     ReplyKind::Change {
//!         code: "C01".into(),
//!         correction: Correction::AccountNumber { account_number: "000987654321".into() },
//!     }
//! );
//! ```
#![deny(missing_docs)]

pub mod addenda;
pub mod batch_header;
pub mod codes;
pub mod controls;
pub mod entry;
pub mod field;
pub mod file;
pub mod file_header;
pub mod generate;
pub mod json;
pub mod layout;
pub mod options;
pub mod prenote;
pub mod reader;
pub mod record;
pub mod replies;
pub mod respond;
mod swar;
pub mod types;
pub mod validate;
pub mod writer;

pub use addenda::AddendaRecord;
pub use batch_header::{BatchHeader, BatchHeaderFields};
pub use codes::changes::{ChangeCode, Correction};
pub use codes::returns::ReturnCode;
pub use controls::{BatchControl, FileControl, Totals};
pub use entry::{EntryDetail, EntryFields, NewAddenda};
pub use file::{AchFile, Batch, Entry, read_file};
pub use file_header::{FileHeader, FileHeaderFields};
pub use layout::Layout;
pub use options::ReadOptions;
pub use prenote::{PrenoteEntry, write_prenotes, write_prenotes_from};
pub use reader::{FrameError, Line, Reader};
pub use record::Record;
pub use replies::{Replies, Reply, ReplyFileError, ReplyKind, ReplyProblem, read_replies, read_replies_with};
pub use respond::{Answer, RespondError, RespondOptions, respond};
pub use types::{AccountKind, Direction, RoutingNumber, SecCode, ServiceClass, TransactionCode};
pub use validate::{Report, ValidationError, Validator, validate_bytes, validate_reader};
pub use writer::{WriteError, Writer};

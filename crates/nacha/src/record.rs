//! A classified record: its layout plus its bytes, with typed views.

use crate::addenda::AddendaRecord;
use crate::batch_header::BatchHeader;
use crate::controls::{BatchControl, FileControl};
use crate::entry::EntryDetail;
use crate::field::Rec;
use crate::file_header::FileHeader;
use crate::layout::Layout;

/// One record of a file, classified by layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// Layout chosen from the record type and its context (batch SEC code, addenda type, reason code).
    pub layout: Layout,
    /// The record's bytes.
    pub rec: Rec<'a>,
}

impl<'a> Record<'a> {
    /// Copy that does not borrow the input.
    pub fn into_owned(self) -> Record<'static> {
        Record { layout: self.layout, rec: self.rec.into_owned() }
    }

    /// Record name used in reports ("EntryDetail", ...).
    pub fn name(&self) -> &'static str {
        self.layout.record_name()
    }

    /// File header view.
    pub fn file_header(&self) -> Option<FileHeader<'_>> {
        (self.layout == Layout::FileHeader).then(|| FileHeader::new(&self.rec))
    }

    /// Batch header view (domestic or IAT).
    pub fn batch_header(&self) -> Option<BatchHeader<'_>> {
        matches!(self.layout, Layout::BatchHeader | Layout::IatBatchHeader)
            .then(|| BatchHeader::new(&self.rec, self.layout))
    }

    /// Entry view (domestic, ADV or IAT).
    pub fn entry(&self) -> Option<EntryDetail<'_>> {
        matches!(self.layout, Layout::Entry | Layout::AdvEntry | Layout::IatEntry)
            .then(|| EntryDetail::new(&self.rec, self.layout))
    }

    /// Addenda view.
    pub fn addenda(&self) -> Option<AddendaRecord<'_>> {
        AddendaRecord::new(&self.rec, self.layout)
    }

    /// Batch control view.
    pub fn batch_control(&self) -> Option<BatchControl<'_>> {
        matches!(self.layout, Layout::BatchControl | Layout::AdvBatchControl)
            .then(|| BatchControl::new(&self.rec, self.layout == Layout::AdvBatchControl))
    }

    /// File control view.
    pub fn file_control(&self) -> Option<FileControl<'_>> {
        matches!(self.layout, Layout::FileControl | Layout::AdvFileControl)
            .then(|| FileControl::new(&self.rec, self.layout == Layout::AdvFileControl))
    }
}

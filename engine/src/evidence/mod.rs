//! Evidence: `evidence.toml` (centre, period, where each table and
//! document is, the centre's names for document headings and columns), path
//! confinement, typed tables (CSV, Excel, Parquet) to Arrow, documents, and
//! the inventory with sha256 of every file.

mod csv_table;
mod document_words;
pub mod init;
mod manifest;
mod paths;
mod references;
pub mod rules;
mod store;

pub use csv_table::{
    CellProbe, ParsedTable, TableReadOptions, TableSample, WantedColumn, read_csv_header,
    read_table, read_table_header, sample_table,
};
pub use cxaudit_model::InventoryEntry;
pub use document_words::{DocumentNames, check_document_names, request_vocabulary};
pub use manifest::{Centre, EvidenceManifest, OnError, TableFormat, TableSource, load_manifest};
pub use paths::confine;
pub use store::{DocumentFile, EvidenceStore, TableHashes, TableLoad, first_days};

use crate::source::Location;

/// A problem with the evidence, with where it is and what was expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct EvidenceError {
    /// File, line, column and key (or column name).
    pub location: Location,
    /// What is wrong and what was expected.
    pub message: String,
}

impl EvidenceError {
    /// An error at a location.
    pub fn new(location: Location, message: impl Into<String>) -> Self {
        EvidenceError {
            location,
            message: message.into(),
        }
    }
}

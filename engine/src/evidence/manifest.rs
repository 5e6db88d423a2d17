//! `evidence.toml`: the centre, the period, and where each table and
//! document is.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
pub use cxaudit_model::Centre;
use serde::{Deserialize, Serialize};

use super::EvidenceError;
use crate::source::{Location, parse_toml};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPeriod {
    #[serde(with = "crate::dates")]
    start: NaiveDate,
    #[serde(with = "crate::dates")]
    end: NaiveDate,
}

/// What to do with a row that does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    /// The table is unusable; criteria needing it get `insufficient_evidence`.
    #[default]
    Fail,
    /// The row is skipped, counted and reported.
    Skip,
}

/// Formats and options for reading a table.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Formats {
    /// IANA time zone of timestamps without an offset (default UTC).
    pub time_zone: Option<String>,
    /// chrono format of timestamps (default: ISO 8601 / RFC 3339).
    pub timestamp_format: Option<String>,
    /// chrono format of dates (default `%Y-%m-%d`).
    pub date_format: Option<String>,
    /// Field delimiter (default `,`).
    pub delimiter: Option<char>,
}

/// Where a table is and how to read it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSource {
    /// Path relative to the evidence folder.
    pub path: String,
    /// Canonical column name -> the export's header.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Per-table formats, over the defaults.
    #[serde(flatten)]
    pub formats: Formats,
    /// What to do with a row that does not parse.
    #[serde(default)]
    pub on_error: OnError,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    centre: Centre,
    period: RawPeriod,
    #[serde(default)]
    defaults: Formats,
    #[serde(default)]
    tables: BTreeMap<String, TableSource>,
    #[serde(default)]
    documents: BTreeMap<String, String>,
}

/// A loaded `evidence.toml`.
#[derive(Debug, Clone)]
pub struct EvidenceManifest {
    /// The evidence folder.
    pub dir: PathBuf,
    /// The centre.
    pub centre: Centre,
    /// First day of the period.
    pub start: NaiveDate,
    /// Last day of the period (inclusive).
    pub end: NaiveDate,
    /// Default formats.
    pub defaults: Formats,
    /// Tables by canonical name.
    pub tables: BTreeMap<String, TableSource>,
    /// Documents by kind: a file, or a folder of Markdown files.
    pub documents: BTreeMap<String, String>,
}

impl EvidenceManifest {
    /// The effective formats of a table (its own over the defaults).
    pub fn formats(&self, table: &str) -> Formats {
        let own = self
            .tables
            .get(table)
            .map(|t| t.formats.clone())
            .unwrap_or_default();
        Formats {
            time_zone: own.time_zone.or_else(|| self.defaults.time_zone.clone()),
            timestamp_format: own
                .timestamp_format
                .or_else(|| self.defaults.timestamp_format.clone()),
            date_format: own
                .date_format
                .or_else(|| self.defaults.date_format.clone()),
            delimiter: own.delimiter.or(self.defaults.delimiter),
        }
    }
}

/// Reads `evidence.toml` from an evidence folder.
pub fn load_manifest(dir: &Path) -> Result<EvidenceManifest, EvidenceError> {
    let path = dir.join("evidence.toml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| EvidenceError::new(Location::file(&path), format!("cannot read: {e}")))?;
    let raw: RawManifest = parse_toml(&path, &text)
        .map_err(|(location, message)| EvidenceError::new(location, message))?;
    if raw.period.end < raw.period.start {
        return Err(EvidenceError::new(
            Location::file(&path).key("period"),
            format!(
                "the period ends ({}) before it starts ({})",
                raw.period.end, raw.period.start
            ),
        ));
    }
    Ok(EvidenceManifest {
        dir: dir.to_path_buf(),
        centre: raw.centre,
        start: raw.period.start,
        end: raw.period.end,
        defaults: raw.defaults,
        tables: raw.tables,
        documents: raw.documents,
    })
}

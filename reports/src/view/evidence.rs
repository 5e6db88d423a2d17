//! The record's appendices: attestations, evidence and plugin inventories, the method.

use cxaudit_model::Assessment;
use serde::Serialize;

use crate::view::NameValue;

/// The row accounting of one table: every record of the file is loaded or
/// skipped for a named reason; loaded rows outside the period are counted.
#[derive(Debug, Clone, Serialize)]
pub struct DataQualityView {
    /// Canonical table.
    pub name: String,
    /// Path.
    pub path: String,
    /// `loaded` or `failed`.
    pub status: String,
    /// Data records in the file.
    pub records: String,
    /// Rows loaded.
    pub loaded: String,
    /// Rows skipped, with their reasons.
    pub skipped: String,
    /// Loaded rows outside the period.
    pub outside_period: String,
    /// Key columns checked for duplicates.
    pub key: String,
    /// Days of the period without rows.
    pub days_missing: String,
}

/// The data-quality rows of every table that was read.
pub(crate) fn data_quality(a: &Assessment) -> Vec<DataQualityView> {
    let count = |x: Option<u64>| x.map_or_else(|| "–".to_owned(), |n| n.to_string());
    a.evidence
        .iter()
        .filter(|e| e.kind == "table" && (e.records.is_some() || e.status == "failed"))
        .map(|e| {
            let reasons: Vec<String> = e
                .skipped_by_reason
                .iter()
                .map(|(r, n)| format!("{n} {r}"))
                .collect();
            let skipped = match e.skipped_rows {
                Some(0) | None => count(e.skipped_rows),
                Some(n) => format!("{n} ({})", reasons.join(", ")),
            };
            let days = &e.days_missing;
            DataQualityView {
                name: e.name.clone(),
                path: e.path.clone(),
                status: e.status.replace('_', " "),
                records: count(e.records),
                loaded: count(e.rows),
                skipped,
                outside_period: count(e.outside_period),
                key: if e.key.is_empty() {
                    "–".to_owned()
                } else {
                    e.key.join(", ")
                },
                days_missing: match days.len() {
                    0 => "none".to_owned(),
                    n if n <= 5 => days.join(", "),
                    n => format!("{} and {} more", days[..5].join(", "), n - 5),
                },
            }
        })
        .collect()
}

/// An attestation or waiver read.
#[derive(Debug, Clone, Serialize)]
pub struct OverrideView {
    /// Attestation or waiver.
    pub kind: String,
    /// Criterion.
    pub criterion: String,
    /// Status set.
    pub status: String,
    /// Score set.
    pub score: String,
    /// Justification.
    pub justification: String,
    /// Approver.
    pub approver: String,
    /// Date.
    pub date: String,
    /// Expiry.
    pub expires: String,
    /// Applied.
    pub applied: bool,
    /// In force, or why not.
    pub state: String,
}

/// An evidence file.
#[derive(Debug, Clone, Serialize)]
pub struct InventoryView {
    /// Table or document.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Path.
    pub path: String,
    /// sha256.
    pub sha256: String,
    /// Rows.
    pub rows: String,
    /// Status.
    pub status: String,
    /// Messages.
    pub messages: Vec<String>,
}

/// A plugin.
#[derive(Debug, Clone, Serialize)]
pub struct PluginView {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// ABI.
    pub abi_version: String,
    /// SDK.
    pub sdk_version: String,
    /// File.
    pub file: String,
    /// sha256.
    pub sha256: String,
}

/// The method.
#[derive(Debug, Clone, Serialize)]
pub struct MethodView {
    /// In words.
    pub description: String,
    /// Formula.
    pub formula: String,
    /// The formula's parts, one a line.
    pub formula_lines: Vec<String>,
    /// Thresholds.
    pub met_from: String,
    /// Partially met from.
    pub partially_met_from: String,
    /// Overall minimum.
    pub overall_min: String,
    /// Section minimum.
    pub section_min: String,
    /// Mandatory rule.
    pub mandatory_rule: String,
    /// Plan rules.
    pub plan_rules: Vec<NameValue>,
}

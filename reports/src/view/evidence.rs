//! The record's appendices: attestations, evidence and plugin inventories, the method.

use serde::Serialize;

use crate::view::NameValue;

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

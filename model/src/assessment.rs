//! `assessment.json`: the record of an assessment. Everything a report, a
//! comparison or an auditor's question needs, with no absolute path and no
//! wall-clock time, so the same inputs give the same bytes. The engine
//! builds it; reports, `compare` and `trend` read only it.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::evaluation::{
    Action, Chart, Check, Definition, Drilldown, Effort, EvidenceRef, Measurement, OwnerRole,
    Period, Status,
};
use crate::plan::Plan;
use crate::run::RunInfo;
use crate::scoring::{Outcome, RuleResult, Scores, ScoringRules};

/// Version of the `assessment.json` format. 2.0: the improvement plan is
/// the one ranked plan (gaps with importance, urgency, horizons, and the
/// shortest path to certification); the pack names its headline KPIs.
/// 2.1: a partial run (`assess --only`) is marked: `decision.partial` names
/// the criteria run and those omitted, `scores.omitted` the latter (absent
/// for a whole run).
pub const SCHEMA_VERSION: &str = "2.1";

/// The engine that made an assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EngineInfo {
    /// `cxaudit`.
    pub name: String,
    /// Engine version.
    pub version: String,
}

/// The pack an assessment was made against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PackInfo {
    /// Pack id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Version.
    pub version: String,
    /// sha256 over its files.
    pub sha256: String,
    /// Packs it extends, nearest first.
    pub extends: Vec<String>,
    /// The KPIs the pack names as headline results, for comparisons.
    #[serde(default)]
    pub headline_kpis: Vec<HeadlineKpi>,
}

/// A KPI a pack names as a headline result: read from the measurement of
/// that name in any finding, compared between assessments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeadlineKpi {
    /// The measurement's name, e.g. `service_level`.
    pub measurement: String,
    /// Label shown in comparisons.
    pub label: String,
    /// Whether a higher value is better.
    pub higher_is_better: bool,
}

/// A plugin used by the assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PluginInfo {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// ABI version `major.minor`.
    pub abi_version: String,
    /// SDK version.
    pub sdk_version: String,
    /// sha256 of the library (of the executable, for a plugin built into
    /// it).
    pub sha256: String,
    /// The library's file name (the executable's, for a plugin built into
    /// it).
    pub file: String,
}

/// The scoring method, in words and as a formula.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScoringMethod {
    /// In words.
    pub description: String,
    /// As a formula.
    pub formula: String,
    /// The pack's thresholds.
    pub rules: ScoringRules,
}

/// One criterion's finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// Criterion id.
    pub criterion: String,
    /// Section id.
    pub section: String,
    /// Title.
    pub title: String,
    /// The requirement text (Markdown).
    pub requirement: String,
    /// Points.
    pub points: f64,
    /// Mandatory.
    pub mandatory: bool,
    /// `plugin/evaluator` or `manual`.
    pub method: String,
    /// The result in force (after any attestation or waiver).
    pub outcome: Outcome,
    /// The result from the evidence alone.
    pub evaluated: Outcome,
    /// The attestation or waiver applied, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<Override>,
    /// Error, insufficient evidence or unattested manual: the reader must look.
    pub flagged: bool,
    /// One-sentence summary.
    pub summary: String,
    /// Checks behind the score.
    pub checks: Vec<Check>,
    /// Measurements.
    pub measurements: Vec<Measurement>,
    /// Definitions used.
    pub definitions: Vec<Definition>,
    /// Parameters used.
    pub parameters: serde_json::Value,
    /// Evidence read.
    pub evidence: Vec<EvidenceRef>,
    /// Observations.
    pub observations: Vec<String>,
    /// Drill-downs.
    pub drilldowns: Vec<Drilldown>,
    /// Charts.
    pub charts: Vec<Chart>,
    /// Actions recommended from the data.
    pub actions: Vec<Action>,
    /// The pack's guidance.
    pub guidance: Guidance,
    /// References.
    pub references: Vec<String>,
    /// What the plugin printed on its standard output and error while
    /// evaluating, bounded (process isolation; absent when nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin_output: Option<String>,
}

/// The decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Decision {
    /// Certified, with attestations and waivers in force.
    pub certified: bool,
    /// Certified on the evidence alone.
    pub certified_without_attestations: bool,
    /// Every rule that failed (with attestations).
    pub failed_rules: Vec<RuleResult>,
    /// Present when only some criteria were run (`assess --only`): then
    /// this is not a certification decision (`certified` is false and the
    /// whole-pack rule fails). Absent for a whole run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial: Option<PartialRun>,
}

/// Which criteria a partial run judged and which it left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartialRun {
    /// The criteria run, in pack order (each has a finding).
    pub criteria: Vec<String>,
    /// The pack's other criteria, in pack order: no finding, no score,
    /// not counted in any total.
    pub omitted: Vec<String>,
}

/// The centre being assessed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Centre {
    /// Name.
    pub name: String,
    /// Site.
    #[serde(default)]
    pub site: String,
}

/// One line of the evidence inventory.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct InventoryEntry {
    /// `table` or `document`.
    pub kind: String,
    /// Canonical table name or document kind.
    pub name: String,
    /// Path relative to the evidence folder.
    pub path: String,
    /// The worksheet read, for a table in an Excel workbook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// sha256 of the file (absent when it could not be read).
    pub sha256: Option<String>,
    /// Data rows read (tables that were parsed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// Data records in the file (header excluded): rows loaded plus rows
    /// skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records: Option<u64>,
    /// Rows skipped (`on_error = "skip"`), all reasons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped_rows: Option<u64>,
    /// Rows skipped, by reason (malformed record, unparseable cell, value
    /// out of range, timestamps out of order, implausible timestamp,
    /// duplicate key).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub skipped_by_reason: std::collections::BTreeMap<String, u64>,
    /// Loaded rows whose day falls outside the period (left out of every KPI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside_period: Option<u64>,
    /// The key columns checked for duplicates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key: Vec<String>,
    /// Days of the period without rows on days the centre operates
    /// (tables the pack wants covered daily), `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days_missing: Vec<String>,
    /// `loaded`, `not_read` (no selected criterion needs it) or `failed`.
    pub status: String,
    /// Why it failed, or the first skipped rows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<String>,
    /// Columns the selected criteria want that the file lacks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_columns: Vec<String>,
}

/// An improvement action suggested by the pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuidanceAction {
    /// What to do.
    pub text: String,
    /// Effort.
    pub effort: Effort,
    /// Owner role.
    pub owner_role: OwnerRole,
}

/// What "met" looks like, and how to get there.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Guidance {
    /// What "met" looks like.
    #[serde(default)]
    pub met: String,
    /// Improvement actions.
    #[serde(default)]
    pub actions: Vec<GuidanceAction>,
}

/// Whether a person's result or a waiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OverrideKind {
    /// A person's judgement of the criterion.
    Attestation,
    /// The criterion is waived (by default: treated as not applicable).
    Waiver,
}

/// One attestation or waiver, and whether it was applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Override {
    /// Attestation or waiver.
    pub kind: OverrideKind,
    /// The criterion.
    pub criterion: String,
    /// The status it sets.
    pub status: Status,
    /// The score it sets (for scored statuses).
    pub score: Option<f64>,
    /// Why.
    pub justification: String,
    /// Who approved it.
    pub approver: String,
    /// When.
    pub date: NaiveDate,
    /// Until when it holds.
    pub expires: Option<NaiveDate>,
    /// Whether it was applied (false when expired).
    pub applied: bool,
    /// Why it was not applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored_because: Option<String>,
}

/// The whole record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Assessment {
    /// Format version.
    pub schema_version: String,
    /// Engine.
    pub engine: EngineInfo,
    /// Pack.
    pub pack: PackInfo,
    /// Centre.
    pub centre: Centre,
    /// Assessment period.
    pub period: Period,
    /// Date the assessment is made as of (attestation expiry is judged on it).
    pub as_of: String,
    /// The run digest and the evidence folder's settings files (absent in
    /// records made before digests: `cxaudit report` computes it then).
    #[serde(default)]
    pub run: RunInfo,
    /// How scores are computed.
    pub scoring_method: ScoringMethod,
    /// Every evidence file.
    pub evidence: Vec<InventoryEntry>,
    /// Plugins used.
    pub plugins: Vec<PluginInfo>,
    /// One finding per criterion, in pack order.
    pub findings: Vec<Finding>,
    /// Scores with attestations and waivers in force.
    pub scores: Scores,
    /// Scores on the evidence alone.
    pub scores_without_attestations: Scores,
    /// The decision.
    pub decision: Decision,
    /// Attestations and waivers read, applied or not.
    pub attestations: Vec<Override>,
    /// Gaps, ranked.
    pub improvement_plan: Plan,
    /// Warnings about the inputs.
    pub warnings: Vec<String>,
    /// How the plugins were run (absent in records written before it was
    /// recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<Execution>,
}

/// How the plugins of a run were run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Execution {
    /// Where plugin code ran.
    pub isolation: IsolationMode,
    /// The deadline of one evaluation, in seconds (process isolation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluator_timeout_seconds: Option<f64>,
    /// The memory a plugin process could use beyond the host's, in MiB
    /// (process isolation; absent when uncapped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin_memory_mib: Option<u64>,
}

/// Where plugin code ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IsolationMode {
    /// In a child process per evaluation: a crash costs one criterion.
    Process,
    /// In the assessing process (trusted plugins).
    None,
}

impl Assessment {
    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let mut s = serde_json::to_string_pretty(self)?;
        s.push('\n');
        Ok(s)
    }

    /// Parses the text of an `assessment.json` of this format version.
    pub fn from_json(text: &str) -> Result<Self, RecordError> {
        #[derive(Deserialize)]
        struct Version {
            schema_version: String,
        }
        if let Ok(v) = serde_json::from_str::<Version>(text)
            && v.schema_version != SCHEMA_VERSION
        {
            return Err(RecordError::Version {
                found: v.schema_version,
            });
        }
        serde_json::from_str(text).map_err(RecordError::Json)
    }

    /// Records the run digest recomputed from the record's fields
    /// ([`crate::run::digest`]).
    pub fn seal_run_digest(&mut self) {
        self.run.digest = crate::run::digest(self);
    }

    /// The criteria run and omitted, when the record is of a partial run.
    pub fn partial(&self) -> Option<&PartialRun> {
        self.decision.partial.as_ref()
    }

    /// A finding by criterion id.
    pub fn finding(&self, criterion: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.criterion == criterion)
    }
}

/// The scoring method of a pack, in words and formula.
pub fn scoring_method(rules: &ScoringRules) -> ScoringMethod {
    let pct = |x: f64| format!("{}%", (x * 1000.0).round() / 10.0);
    ScoringMethod {
        description: format!(
            "Each criterion's evaluator returns a score between 0 and 1. A score of at least {} is met, at least {} \
             partially met, below that not met. Points earned are the score times the criterion's points. \
             Not-applicable criteria leave the denominator; errors, insufficient evidence and manual criteria \
             without an attestation earn nothing and are flagged. Section and overall scores are points earned \
             over points available. The centre is certified when the overall score is at least {}, every section \
             reaches its minimum ({} unless the section sets its own){}. Attestations and waivers in force replace \
             the evaluated result; scores are reported with and without them.",
            pct(rules.met_from),
            pct(rules.partially_met_from),
            pct(rules.certify_overall_min),
            pct(rules.certify_section_min),
            if rules.certify_mandatory_met {
                ", and every mandatory criterion is met"
            } else {
                ""
            },
        ),
        formula: "earned_i = score_i x points_i (0 for error, insufficient_evidence, manual); \
                  available_i = points_i (0 for not_applicable); \
                  score(S) = sum_{i in S} earned_i / sum_{i in S} available_i"
            .to_owned(),
        rules: rules.clone(),
    }
}

/// Why a text is not an `assessment.json` this version can read. Displayed
/// as a suffix of the file name (`:LINE:COLUMN: ...` or `: ...`).
#[derive(Debug)]
pub enum RecordError {
    /// Not JSON, or not of the record's shape.
    Json(serde_json::Error),
    /// A record of another format version.
    Version {
        /// The version it declares.
        found: String,
    },
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordError::Json(e) if e.line() > 0 => write!(
                f,
                ":{}:{}: not an assessment.json: {e}",
                e.line(),
                e.column()
            ),
            RecordError::Json(e) => write!(f, ": not an assessment.json: {e}"),
            RecordError::Version { found } => write!(
                f,
                ": an assessment.json of format {found}; this cxaudit reads format {SCHEMA_VERSION}: assess the evidence again"
            ),
        }
    }
}

impl std::error::Error for RecordError {}

//! The data that crosses the plugin boundary as JSON: manifests, requests
//! and evaluations. The engine uses the same types, so there is one
//! definition of each.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Type of an evidence column, as the pack's evidence schema declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// UTF-8 text (Arrow `Utf8`).
    String,
    /// 64-bit signed integer (Arrow `Int64`).
    Integer,
    /// 64-bit float (Arrow `Float64`).
    Float,
    /// `true`/`false` (Arrow `Boolean`).
    Bool,
    /// Calendar date (Arrow `Date32`, days since 1970-01-01).
    Date,
    /// A month `YYYY-MM`, stored as its first day (Arrow `Date32`).
    Month,
    /// Instant in time (Arrow `Timestamp(Second, "UTC")`).
    Timestamp,
}

impl ColumnType {
    /// The name used in packs and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::String => "string",
            ColumnType::Integer => "integer",
            ColumnType::Float => "float",
            ColumnType::Bool => "bool",
            ColumnType::Date => "date",
            ColumnType::Month => "month",
            ColumnType::Timestamp => "timestamp",
        }
    }
}

impl std::fmt::Display for ColumnType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A column an evaluator reads. A name ending in `*` is a prefix pattern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnNeed {
    /// Canonical column name (or prefix pattern such as `attr_*`).
    pub name: String,
    /// The type the evaluator reads it as.
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    /// Without it the evaluator cannot judge (`insufficient_evidence`).
    pub required: bool,
}

/// A table an evaluator reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableNeed {
    /// Canonical table name.
    pub name: String,
    /// Without it the evaluator cannot judge.
    pub required: bool,
    /// Columns it reads.
    pub columns: Vec<ColumnNeed>,
}

impl TableNeed {
    /// A table the evaluator cannot do without.
    pub fn required(name: &str) -> Self {
        TableNeed {
            name: name.to_owned(),
            required: true,
            columns: Vec::new(),
        }
    }
    /// A table the evaluator uses when present.
    pub fn optional(name: &str) -> Self {
        TableNeed {
            name: name.to_owned(),
            required: false,
            columns: Vec::new(),
        }
    }
    /// Adds a required column.
    pub fn column(mut self, name: &str, column_type: ColumnType) -> Self {
        self.columns.push(ColumnNeed {
            name: name.to_owned(),
            column_type,
            required: true,
        });
        self
    }
    /// Adds an optional column.
    pub fn optional_column(mut self, name: &str, column_type: ColumnType) -> Self {
        self.columns.push(ColumnNeed {
            name: name.to_owned(),
            column_type,
            required: false,
        });
        self
    }
}

/// A document kind an evaluator reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentNeed {
    /// Document kind, e.g. `direction`, `review_minutes`.
    pub kind: String,
    /// Without it the evaluator cannot judge.
    pub required: bool,
}

/// Kind of a parameter value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    /// A real number.
    Number,
    /// A whole number.
    Integer,
    /// `true` or `false`.
    Bool,
    /// Text.
    String,
    /// A list of values.
    List,
    /// A table of values.
    Table,
}

/// A parameter an evaluator accepts, with its default and range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamSpec {
    /// Parameter name as written in the pack.
    pub name: String,
    /// Kind of value.
    pub kind: ParamKind,
    /// Value used when the pack sets none.
    pub default: Value,
    /// Smallest allowed value (numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest allowed value (numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// What it means, with its unit.
    #[serde(default)]
    pub description: String,
}

impl ParamSpec {
    fn new(name: &str, kind: ParamKind, default: Value) -> Self {
        ParamSpec {
            name: name.to_owned(),
            kind,
            default,
            min: None,
            max: None,
            description: String::new(),
        }
    }
    /// A real-number parameter.
    pub fn number(name: &str, default: f64) -> Self {
        Self::new(name, ParamKind::Number, Value::from(default))
    }
    /// A whole-number parameter.
    pub fn integer(name: &str, default: i64) -> Self {
        Self::new(name, ParamKind::Integer, Value::from(default))
    }
    /// A boolean parameter.
    pub fn bool(name: &str, default: bool) -> Self {
        Self::new(name, ParamKind::Bool, Value::from(default))
    }
    /// A text parameter.
    pub fn string(name: &str, default: &str) -> Self {
        Self::new(name, ParamKind::String, Value::from(default))
    }
    /// A list parameter.
    pub fn list(name: &str, default: Value) -> Self {
        Self::new(name, ParamKind::List, default)
    }
    /// A table parameter (a map of values).
    pub fn table(name: &str, default: Value) -> Self {
        Self::new(name, ParamKind::Table, default)
    }
    /// Sets the smallest allowed value.
    pub fn min(mut self, min: f64) -> Self {
        self.min = Some(min);
        self
    }
    /// Sets the largest allowed value.
    pub fn max(mut self, max: f64) -> Self {
        self.max = Some(max);
        self
    }
    /// Sets the description.
    pub fn describe(mut self, text: &str) -> Self {
        self.description = text.to_owned();
        self
    }
}

/// A measurement an evaluator produces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasurementSpec {
    /// Measurement name.
    pub name: String,
    /// Unit, e.g. `ratio`, `seconds`, `agents`.
    pub unit: String,
    /// Definition in words.
    pub definition: String,
}

/// What an evaluator needs and produces; crosses the boundary as JSON.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Manifest {
    /// What the evaluator judges, in one or two sentences.
    pub description: String,
    /// Tables it reads.
    pub tables: Vec<TableNeed>,
    /// Documents it reads.
    pub documents: Vec<DocumentNeed>,
    /// Parameters it accepts.
    pub parameters: Vec<ParamSpec>,
    /// Measurements it produces.
    pub measurements: Vec<MeasurementSpec>,
}

impl Manifest {
    /// A manifest with a description and no needs yet.
    pub fn new(description: &str) -> Self {
        Manifest {
            description: description.to_owned(),
            ..Manifest::default()
        }
    }
    /// Adds a table need.
    pub fn table(mut self, need: TableNeed) -> Self {
        self.tables.push(need);
        self
    }
    /// Adds a required document kind.
    pub fn document(mut self, kind: &str) -> Self {
        self.documents.push(DocumentNeed {
            kind: kind.to_owned(),
            required: true,
        });
        self
    }
    /// Adds an optional document kind.
    pub fn optional_document(mut self, kind: &str) -> Self {
        self.documents.push(DocumentNeed {
            kind: kind.to_owned(),
            required: false,
        });
        self
    }
    /// Adds a parameter.
    pub fn parameter(mut self, spec: ParamSpec) -> Self {
        self.parameters.push(spec);
        self
    }
    /// Adds a measurement it produces.
    pub fn measurement(mut self, name: &str, unit: &str, definition: &str) -> Self {
        self.measurements.push(MeasurementSpec {
            name: name.to_owned(),
            unit: unit.to_owned(),
            definition: definition.to_owned(),
        });
        self
    }
}

/// The assessment period, inclusive dates `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// First day.
    pub start: String,
    /// Last day.
    pub end: String,
}

/// What the host asks of an evaluator; crosses the boundary as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// The criterion being judged, e.g. `WF1`.
    pub criterion: String,
    /// The evaluator's name within its plugin.
    pub evaluator: String,
    /// Parameters: the pack's values merged over the manifest's defaults.
    pub params: Value,
    /// The assessment period.
    pub period: Period,
    /// The date the assessment is made as of (`YYYY-MM-DD`): the period end
    /// unless the auditor sets another.
    pub as_of: String,
    /// IANA time zone of the centre (for local days, weekdays and hours).
    #[serde(default = "utc")]
    pub time_zone: String,
}

fn utc() -> String {
    "UTC".to_owned()
}

/// Outcome of an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The requirement is met.
    Met,
    /// Partly met: some credit.
    PartiallyMet,
    /// Not met.
    NotMet,
    /// Does not apply to this centre; leaves the denominator.
    NotApplicable,
    /// The evidence is missing or unusable; earns nothing and is flagged.
    InsufficientEvidence,
    /// The evaluator failed; earns nothing and is flagged.
    Error,
    /// Judged by a person (an attestation), not by data.
    Manual,
}

impl Status {
    /// The name used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::PartiallyMet => "partially_met",
            Status::NotMet => "not_met",
            Status::NotApplicable => "not_applicable",
            Status::InsufficientEvidence => "insufficient_evidence",
            Status::Error => "error",
            Status::Manual => "manual",
        }
    }

    /// Whether the status comes from a score (met, partially met, not met).
    pub fn is_scored(self) -> bool {
        matches!(self, Status::Met | Status::PartiallyMet | Status::NotMet)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One check behind a score: what was measured, what was expected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// Stable identifier within the criterion, e.g. `wape_daily`.
    pub id: String,
    /// What is checked, in words.
    pub description: String,
    /// The measured value.
    pub measured: Value,
    /// The expected value or rule, e.g. `<= 0.15`.
    pub expected: String,
    /// Whether the check passed.
    pub passed: bool,
    /// Relative weight in the score (default 1).
    #[serde(default = "one")]
    pub weight: f64,
}

fn one() -> f64 {
    1.0
}

impl Check {
    /// A check of weight 1.
    pub fn new(
        id: &str,
        description: &str,
        measured: impl Into<Value>,
        expected: impl Into<String>,
        passed: bool,
    ) -> Self {
        Check {
            id: id.to_owned(),
            description: description.to_owned(),
            measured: measured.into(),
            expected: expected.into(),
            passed,
            weight: 1.0,
        }
    }
    /// Sets the weight.
    pub fn weight(mut self, weight: f64) -> Self {
        self.weight = weight;
        self
    }
}

/// A named, computed quantity with its unit and definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// Name, e.g. `forecast_wape`.
    pub name: String,
    /// Value; `None` when it cannot be computed (e.g. no data).
    pub value: Option<f64>,
    /// Unit, e.g. `ratio`, `seconds`.
    pub unit: String,
    /// The definition used, in words or as a formula.
    pub definition: String,
}

impl Measurement {
    /// A measurement.
    pub fn new(name: &str, value: Option<f64>, unit: &str, definition: &str) -> Self {
        Measurement {
            name: name.to_owned(),
            value,
            unit: unit.to_owned(),
            definition: definition.to_owned(),
        }
    }
}

/// Evidence an evaluation used: filled in by the host from what the
/// evaluator opened.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EvidenceRef {
    /// Path relative to the evidence folder.
    pub path: String,
    /// sha256 of the file, hex.
    pub sha256: String,
    /// Data rows read (tables only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
}

/// A drill-down table (per agent, per queue, per interval...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drilldown {
    /// Identifier within the finding.
    pub id: String,
    /// Title shown in reports.
    pub title: String,
    /// Column headings.
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Value>>,
}

/// Kind of chart a report draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// Bars per category.
    Bar,
    /// Lines over an ordered x axis.
    Line,
    /// A grid of values (x by y).
    Heatmap,
}

/// One series of a chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// One value per x label; `None` for a gap.
    pub values: Vec<Option<f64>>,
}

/// Data for a chart; reports draw it as inline SVG.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// Identifier within the finding.
    pub id: String,
    /// Title.
    pub title: String,
    /// Kind of chart.
    pub kind: ChartKind,
    /// Labels of the x axis (categories or ordered points).
    pub x: Vec<String>,
    /// Labels of the y axis (heatmaps only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub y: Vec<String>,
    /// Unit of the values.
    pub unit: String,
    /// Series (for heatmaps: one per y label).
    pub series: Vec<Series>,
}

/// Effort needed for an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effort {
    /// Days.
    Low,
    /// Weeks.
    Medium,
    /// Months.
    High,
}

/// Who owns an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerRole {
    /// People: hiring, training, coaching.
    People,
    /// Process: planning, procedures, reviews.
    Process,
    /// Technology: tools, data, systems.
    Technology,
}

/// A recommended action, as concrete as the data allows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// What to do, naming who, what and how much.
    pub text: String,
    /// Effort, when the evaluator can tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort: Option<Effort>,
    /// Owner role, when the evaluator can tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_role: Option<OwnerRole>,
}

impl Action {
    /// An action with its effort and owner role.
    pub fn new(text: impl Into<String>, effort: Effort, owner_role: OwnerRole) -> Self {
        Action {
            text: text.into(),
            effort: Some(effort),
            owner_role: Some(owner_role),
        }
    }
}

/// A definition used in an evaluation (a formula, a variant, a rule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    /// Term.
    pub term: String,
    /// Definition.
    pub text: String,
}

impl Definition {
    /// A definition of `term`.
    pub fn new(term: &str, text: &str) -> Self {
        Definition {
            term: term.to_owned(),
            text: text.to_owned(),
        }
    }
}

/// The result of one evaluation; crosses the boundary as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The evaluator's verdict. For met / partially met / not met the engine
    /// re-derives the status from `score` with the pack's thresholds.
    pub status: Status,
    /// Score in [0, 1]; `None` for statuses that carry no score.
    pub score: Option<f64>,
    /// One-sentence summary, with the numbers that decide it.
    pub summary: String,
    /// The checks behind the score.
    pub checks: Vec<Check>,
    /// Named measurements.
    pub measurements: Vec<Measurement>,
    /// Definitions used.
    pub definitions: Vec<Definition>,
    /// Observations worth an auditor's attention.
    pub observations: Vec<String>,
    /// Drill-down tables.
    pub drilldowns: Vec<Drilldown>,
    /// Chart data.
    pub charts: Vec<Chart>,
    /// Recommended actions.
    pub actions: Vec<Action>,
}

impl Evaluation {
    /// An evaluation with a status and summary and nothing else.
    pub fn with_status(status: Status, summary: impl Into<String>) -> Self {
        Evaluation {
            status,
            score: None,
            summary: summary.into(),
            checks: Vec::new(),
            measurements: Vec::new(),
            definitions: Vec::new(),
            observations: Vec::new(),
            drilldowns: Vec::new(),
            charts: Vec::new(),
            actions: Vec::new(),
        }
    }

    /// An `error` result with a message.
    pub fn error(message: impl Into<String>) -> Self {
        Self::with_status(Status::Error, message)
    }

    /// A scored evaluation whose score is the weighted share of passed
    /// checks; status met when all pass, not met when none, else partially.
    /// With no checks the result is `not_applicable`.
    pub fn from_checks(checks: Vec<Check>) -> Self {
        let total: f64 = checks.iter().map(|c| c.weight).sum();
        if checks.is_empty() || total <= 0.0 {
            let mut e = Self::with_status(Status::NotApplicable, "No checks apply.");
            e.checks = checks;
            return e;
        }
        let passed: f64 = checks.iter().filter(|c| c.passed).map(|c| c.weight).sum();
        let score = passed / total;
        let n_passed = checks.iter().filter(|c| c.passed).count();
        let summary = format!("{n_passed} of {} checks passed.", checks.len());
        let mut e = Self::with_status(status_for_score(score), summary);
        e.score = Some(score);
        e.checks = checks;
        e
    }

    /// The measurement of a name, if the evaluation has it.
    pub fn measurement(&self, name: &str) -> Option<&Measurement> {
        self.measurements.iter().find(|m| m.name == name)
    }

    /// The check of an id, if the evaluation has it.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// Sets the summary.
    pub fn summary(mut self, summary: impl Into<String>) -> Self {
        self.summary = summary.into();
        self
    }
}

/// The status an SDK-side score suggests (all credit: met; none: not met).
/// The engine applies the pack's own thresholds.
pub fn status_for_score(score: f64) -> Status {
    if score >= 1.0 {
        Status::Met
    } else if score <= 0.0 {
        Status::NotMet
    } else {
        Status::PartiallyMet
    }
}

/// Graded credit for a measured value between a floor (no credit) and a
/// target (full credit), linear in between. `higher_is_better` says which
/// way the scale runs. Returns a value in [0, 1].
pub fn graded(value: f64, floor: f64, target: f64, higher_is_better: bool) -> f64 {
    let (v, f, t) = if higher_is_better {
        (value, floor, target)
    } else {
        (-value, -floor, -target)
    };
    if v >= t {
        1.0
    } else if v <= f || t <= f {
        0.0
    } else {
        (v - f) / (t - f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_checks_weights_passed_checks() {
        let e = Evaluation::from_checks(vec![
            Check::new("a", "a", 1.0, "1", true).weight(3.0),
            Check::new("b", "b", 0.0, "1", false),
        ]);
        assert_eq!(e.score, Some(0.75));
        assert_eq!(e.status, Status::PartiallyMet);
        assert_eq!(
            Evaluation::from_checks(vec![]).status,
            Status::NotApplicable
        );
    }

    #[test]
    fn graded_is_linear_between_floor_and_target() {
        assert_eq!(graded(0.8, 0.6, 0.8, true), 1.0);
        assert!((graded(0.7, 0.6, 0.8, true) - 0.5).abs() < 1e-12);
        assert_eq!(graded(0.5, 0.6, 0.8, true), 0.0);
        // lower is better: WAPE floor 0.3, target 0.1
        assert!((graded(0.2, 0.3, 0.1, false) - 0.5).abs() < 1e-12);
        assert_eq!(graded(0.05, 0.3, 0.1, false), 1.0);
    }

    #[test]
    fn status_serializes_snake_case() {
        let s = serde_json::to_string(&Status::InsufficientEvidence).unwrap();
        assert_eq!(s, "\"insufficient_evidence\"");
    }
}

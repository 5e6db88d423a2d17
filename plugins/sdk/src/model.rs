//! The data that crosses the plugin boundary as JSON: manifests, requests
//! and evaluations. The engine uses the same types, so there is one
//! definition of each.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::vocabulary::DocumentVocabulary;

pub use cxaudit_model::evaluation::{
    Action, Chart, ChartKind, Check, Definition, Drilldown, Effort, EvidenceRef, Measurement,
    OwnerRole, Period, Series, Status,
};

/// Type of an evidence column, as the pack's evidence schema declares it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
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
    /// Instant in time (Arrow `Timestamp(Millisecond, "UTC")`: UTC
    /// milliseconds, digits beyond the millisecond truncated). Read it with
    /// `Table::timestamps_ms` for durations and `Table::timestamps` (whole
    /// seconds, rounded down) for calendar days, hours and months.
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DocumentNeed {
    /// Document kind, e.g. `direction`, `review_minutes`.
    pub kind: String,
    /// Without it the evaluator cannot judge.
    pub required: bool,
    /// Canonical headings it looks for (the pack's evidence schema must
    /// list them for the kind).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headings: Vec<String>,
    /// Canonical table columns it looks for (idem).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
}

impl DocumentNeed {
    /// A document kind the evaluator cannot do without.
    pub fn required(kind: &str) -> Self {
        DocumentNeed {
            kind: kind.to_owned(),
            required: true,
            headings: Vec::new(),
            columns: Vec::new(),
        }
    }
    /// A document kind the evaluator uses when present.
    pub fn optional(kind: &str) -> Self {
        DocumentNeed {
            required: false,
            ..Self::required(kind)
        }
    }
    /// Adds canonical headings it looks for.
    pub fn headings(mut self, names: &[&str]) -> Self {
        self.headings.extend(names.iter().map(|n| (*n).to_owned()));
        self
    }
    /// Adds canonical table columns it looks for.
    pub fn columns(mut self, names: &[&str]) -> Self {
        self.columns.extend(names.iter().map(|n| (*n).to_owned()));
        self
    }
}

/// Kind of a parameter value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    /// The only values it may take (empty: any value of its kind).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
    /// The KPI whose target in the pack this parameter is (see
    /// [`crate::targets`]): the host can tell which parameters a target
    /// policy governs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_of: Option<String>,
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
            values: Vec::new(),
            target_of: None,
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
    /// Restricts a text parameter to `values`.
    pub fn one_of(mut self, values: &[&str]) -> Self {
        self.values = values.iter().map(|v| Value::from(*v)).collect();
        self
    }
    /// Marks the parameter as the pack's target for `kpi`.
    pub fn target_of(mut self, kpi: &str) -> Self {
        self.target_of = Some(kpi.to_owned());
        self
    }
}

/// A measurement an evaluator produces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MeasurementSpec {
    /// Measurement name.
    pub name: String,
    /// Unit, e.g. `ratio`, `seconds`, `agents`.
    pub unit: String,
    /// Definition in words.
    pub definition: String,
}

/// What an evaluator needs and produces; crosses the boundary as JSON.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Manifest {
    /// What the evaluator judges, in one or two sentences.
    pub description: String,
    /// Tables it reads.
    #[serde(default)]
    pub tables: Vec<TableNeed>,
    /// Documents it reads.
    #[serde(default)]
    pub documents: Vec<DocumentNeed>,
    /// Parameters it accepts.
    #[serde(default)]
    pub parameters: Vec<ParamSpec>,
    /// Measurements it produces.
    #[serde(default)]
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
    pub fn document(self, kind: &str) -> Self {
        self.document_need(DocumentNeed::required(kind))
    }
    /// Adds an optional document kind.
    pub fn optional_document(self, kind: &str) -> Self {
        self.document_need(DocumentNeed::optional(kind))
    }
    /// Adds a document need with the headings and columns it reads.
    pub fn document_need(mut self, need: DocumentNeed) -> Self {
        self.documents.push(need);
        self
    }
    /// Adds a parameter.
    pub fn parameter(mut self, spec: ParamSpec) -> Self {
        self.parameters.push(spec);
        self
    }
    /// Adds every parameter of a `#[derive(Params)]` struct, in field order.
    pub fn params<P: crate::params::Params>(mut self) -> Self {
        self.parameters.extend(P::specs());
        self
    }
    /// Adds a measurement it produces: the one place its unit and
    /// definition are written (see [`Evaluation::measure`]).
    pub fn measurement(mut self, name: &str, unit: &str, definition: &str) -> Self {
        self.measurements.push(MeasurementSpec {
            name: name.to_owned(),
            unit: unit.to_owned(),
            definition: definition.to_owned(),
        });
        self
    }

    /// Gives each measurement of `evaluation` that carries neither unit nor
    /// definition (one added with [`Evaluation::measure`]) those this
    /// manifest declares for its name. Measurements that state their own
    /// unit or definition are kept as they are. Err: the name of a
    /// measurement that states neither and is not declared here.
    pub fn complete_measurements(&self, evaluation: &mut Evaluation) -> Result<(), String> {
        for m in evaluation
            .measurements
            .iter_mut()
            .filter(|m| m.unit.is_empty() && m.definition.is_empty())
        {
            let Some(spec) = self.measurements.iter().find(|s| s.name == m.name) else {
                return Err(format!(
                    "measurement `{}` has no unit or definition and the manifest declares no \
                     measurement of that name",
                    m.name
                ));
            };
            m.unit.clone_from(&spec.unit);
            m.definition.clone_from(&spec.definition);
        }
        Ok(())
    }
}

/// What the host asks of an evaluator; crosses the boundary as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
    /// The words of each document kind the evaluator reads: canonical
    /// headings and columns with the pack's English names and the centre's
    /// own. Optional: a host that sends none leaves canonical names only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub vocabulary: BTreeMap<String, DocumentVocabulary>,
}

fn utc() -> String {
    "UTC".to_owned()
}

/// The result of one evaluation; crosses the boundary as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Evaluation {
    /// The evaluator's verdict. For met / partially met / not met the engine
    /// re-derives the status from `score` with the pack's thresholds.
    pub status: Status,
    /// Score in [0, 1]; `None` for statuses that carry no score.
    #[serde(default)]
    pub score: Option<f64>,
    /// One-sentence summary, with the numbers that decide it.
    pub summary: String,
    /// The checks behind the score.
    #[serde(default)]
    pub checks: Vec<Check>,
    /// Named measurements.
    #[serde(default)]
    pub measurements: Vec<Measurement>,
    /// Definitions used.
    #[serde(default)]
    pub definitions: Vec<Definition>,
    /// Observations worth an auditor's attention.
    #[serde(default)]
    pub observations: Vec<String>,
    /// Drill-down tables.
    #[serde(default)]
    pub drilldowns: Vec<Drilldown>,
    /// Chart data.
    #[serde(default)]
    pub charts: Vec<Chart>,
    /// Recommended actions.
    #[serde(default)]
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

    /// Adds the value of a measurement the manifest declares
    /// ([`Manifest::measurement`]): its unit and definition are taken from
    /// the manifest when the evaluation leaves the evaluator, so they are
    /// written once. A name the manifest does not declare makes the result
    /// an `error`.
    pub fn measure(&mut self, name: &str, value: Option<f64>) -> &mut Self {
        self.measurements
            .push(Measurement::new(name, value, "", ""));
        self
    }

    /// The measurement of a name, if the evaluation has it.
    pub fn measurement(&self, name: &str) -> Option<&Measurement> {
        self.measurements.iter().find(|m| m.name == name)
    }

    /// The check of an id, if the evaluation has it.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The drill-down of an id, if the evaluation has it.
    pub fn drilldown(&self, id: &str) -> Option<&Drilldown> {
        self.drilldowns.iter().find(|d| d.id == id)
    }

    /// Sets the summary.
    pub fn summary(mut self, summary: impl Into<String>) -> Self {
        self.summary = summary.into();
        self
    }

    /// Judges a returned evaluation as the host does with a pack's
    /// `rules`: a scored status gets the status its score earns under the
    /// pack's thresholds; a scored status without a score in [0, 1] becomes
    /// an `error` naming the breach; an unscored status carries no score.
    pub fn judge_with(&mut self, rules: &cxaudit_model::ScoringRules) {
        if !self.status.is_scored() {
            self.score = None;
            return;
        }
        match self.score {
            Some(s) if (0.0..=1.0).contains(&s) => {
                // `+ 0.0` turns a negative zero into zero ("-0.0%" helps nobody).
                self.score = Some(s + 0.0);
                self.status = cxaudit_model::scoring::status_for_score(s, rules);
            }
            other => {
                let summary = format!(
                    "the evaluator returned `{}` with score {:?}; a scored result needs a score in [0, 1]",
                    self.status, other
                );
                *self = Evaluation::error(summary);
            }
        }
    }
}

/// The status a score earns under the default scoring rules (met from
/// 1.0, partially met from 0.5): the one rule of [`cxaudit_model::scoring`],
/// which the engine applies again with the pack's own thresholds.
pub fn status_for_score(score: f64) -> Status {
    cxaudit_model::scoring::status_for_score(score, &cxaudit_model::ScoringRules::default())
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
    fn measurements_given_by_name_take_the_manifests_unit_and_definition() {
        let manifest = Manifest::new("m")
            .measurement("wape", "ratio", "sum |A - F| / sum A")
            .measurement("intervals", "intervals", "intervals with a forecast");
        let mut e = Evaluation::with_status(Status::Met, "ok");
        e.measure("wape", Some(0.12)).measure("intervals", None);
        // One that states its own unit is kept as it is, declared or not.
        e.measurements.push(Measurement::new(
            "bias",
            Some(-0.01),
            "ratio",
            "sum (F - A) / sum A",
        ));
        manifest.complete_measurements(&mut e).unwrap();
        assert_eq!(
            e.measurements,
            [
                Measurement::new("wape", Some(0.12), "ratio", "sum |A - F| / sum A"),
                Measurement::new("intervals", None, "intervals", "intervals with a forecast"),
                Measurement::new("bias", Some(-0.01), "ratio", "sum (F - A) / sum A"),
            ]
        );
        // A name the manifest does not declare cannot be completed.
        let mut e = Evaluation::with_status(Status::Met, "ok");
        e.measure("wap", Some(0.1));
        let why = manifest.complete_measurements(&mut e).unwrap_err();
        assert!(why.contains("`wap`"), "{why}");
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
    fn a_request_without_vocabulary_reads_and_an_empty_one_is_not_sent() {
        // A host before the vocabulary sends none: the request still reads.
        let old = serde_json::json!({
            "criterion": "GV1", "evaluator": "escalation", "params": {},
            "period": {"start": "2026-01-01", "end": "2026-06-30"}, "as_of": "2026-06-30",
        });
        let request: Request = serde_json::from_value(old.clone()).unwrap();
        assert!(request.vocabulary.is_empty());
        assert_eq!(request.time_zone, "UTC");
        // An empty vocabulary is left out, so an older plugin sees the JSON
        // it always did.
        let back = serde_json::to_value(&request).unwrap();
        assert!(back.get("vocabulary").is_none(), "{back}");
        // A document need without words serialises as before.
        let need = serde_json::to_value(DocumentNeed::required("direction")).unwrap();
        assert_eq!(
            need,
            serde_json::json!({"kind": "direction", "required": true})
        );
    }

    #[test]
    fn status_serializes_snake_case() {
        let s = serde_json::to_string(&Status::InsufficientEvidence).unwrap();
        assert_eq!(s, "\"insufficient_evidence\"");
    }
}

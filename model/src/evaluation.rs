//! What an evaluation says about a criterion: status, checks, measurements,
//! definitions, evidence read, drill-downs, charts and actions. Plugins
//! produce these (the SDK re-exports them); findings of `assessment.json`
//! carry them unchanged.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The assessment period, inclusive dates `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Period {
    /// First day.
    pub start: String,
    /// Last day.
    pub end: String,
}

/// Outcome of an evaluation.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Measurement {
    /// Name, e.g. `forecast_wape`.
    pub name: String,
    /// Value; `None` when it cannot be computed (e.g. no data).
    pub value: Option<f64>,
    /// Unit, e.g. `ratio`, `seconds`. An evaluation may leave it and the
    /// definition empty (or out): the host fills both in from the manifest.
    #[serde(default)]
    pub unit: String,
    /// The definition used, in words or as a formula.
    #[serde(default)]
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
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Drilldown {
    /// Identifier within the finding.
    pub id: String,
    /// Title shown in reports.
    pub title: String,
    /// Column headings.
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Value>>,
    /// The unit of each column's numbers, as a measurement's unit (`ratio`
    /// shows as a percentage, `seconds` with `s`); `""` for a column shown
    /// as it is. Empty when no column states one (older records).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub units: Vec<String>,
}

impl Drilldown {
    /// An empty drill-down; add columns with [`Drilldown::column`] and
    /// rows with [`Drilldown::row`].
    pub fn new(id: &str, title: &str) -> Self {
        Drilldown {
            id: id.to_owned(),
            title: title.to_owned(),
            columns: Vec::new(),
            rows: Vec::new(),
            units: Vec::new(),
        }
    }

    /// Adds a column and the unit of its numbers (`""`: shown as it is).
    pub fn column(mut self, name: &str, unit: &str) -> Self {
        self.units.resize(self.columns.len(), String::new());
        self.columns.push(name.to_owned());
        self.units.push(unit.to_owned());
        self
    }

    /// Adds a row, one value per column.
    pub fn row(mut self, values: Vec<Value>) -> Self {
        self.rows.push(values);
        self
    }

    /// Adds rows, each one value per column.
    pub fn rows(mut self, rows: impl IntoIterator<Item = Vec<Value>>) -> Self {
        self.rows.extend(rows);
        self
    }

    /// Sets the units of the columns, in column order (for a drill-down
    /// built with its columns at once).
    pub fn with_units(mut self, units: &[&str]) -> Self {
        self.units = units.iter().map(|u| (*u).to_owned()).collect();
        self
    }

    /// Sets the unit of the named columns (a drill-down built with its
    /// columns at once); a name that is not a column is a bug of the
    /// evaluator and panics in debug builds.
    pub fn unit_of(mut self, columns: &[&str], unit: &str) -> Self {
        self.units.resize(self.columns.len(), String::new());
        for name in columns {
            let i = self.columns.iter().position(|c| c == name);
            debug_assert!(i.is_some(), "`{name}` is not a column of `{}`", self.id);
            if let Some(i) = i {
                self.units[i] = unit.to_owned();
            }
        }
        self
    }

    /// The unit of column `i` (`""` when none is stated).
    pub fn unit(&self, i: usize) -> &str {
        self.units.get(i).map_or("", String::as_str)
    }
}

/// Kind of chart a report draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// One value per x label; `None` for a gap.
    pub values: Vec<Option<f64>>,
}

impl Series {
    /// A series named `name` with one value per x label.
    pub fn new(name: &str, values: impl IntoIterator<Item = Option<f64>>) -> Self {
        Series {
            name: name.to_owned(),
            values: values.into_iter().collect(),
        }
    }
}

/// Data for a chart; reports draw it as inline SVG.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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

impl Chart {
    /// A chart of `kind` whose values are in `unit`, with no axis labels
    /// or series yet.
    pub fn new(id: &str, title: &str, kind: ChartKind, unit: &str) -> Self {
        Chart {
            id: id.to_owned(),
            title: title.to_owned(),
            kind,
            x: Vec::new(),
            y: Vec::new(),
            unit: unit.to_owned(),
            series: Vec::new(),
        }
    }

    /// Sets the labels of the x axis.
    pub fn x(mut self, labels: impl IntoIterator<Item = String>) -> Self {
        self.x = labels.into_iter().collect();
        self
    }

    /// Sets the labels of the y axis (heatmaps).
    pub fn y(mut self, labels: impl IntoIterator<Item = String>) -> Self {
        self.y = labels.into_iter().collect();
        self
    }

    /// Adds a series (for a heatmap: the row of one y label).
    pub fn series(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }
}

/// Effort needed for an action.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
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
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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

//! The loaded pack: what the rest of the engine reads.

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use cxaudit_model::{HeadlineKpi, ScoringRules};
use cxaudit_plugin_sdk::{ColumnType, Effort, OwnerRole};
use serde::{Deserialize, Serialize};

use crate::source::Location;

/// A standards pack, with any base pack it extends already applied.
#[derive(Debug, Clone)]
pub struct Pack {
    /// The folder it was loaded from (a built-in pack: its name).
    pub dir: PathBuf,
    /// Identifier, e.g. `cx-ops`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Version (semver).
    pub version: String,
    /// What the pack certifies.
    pub description: String,
    /// Ids of the packs this one extends, nearest first.
    pub extends: Vec<String>,
    /// sha256 over every file the pack was built from, base packs included.
    pub sha256: String,
    /// How scores map to statuses, and the certification rules.
    pub scoring: ScoringRules,
    /// How long one evaluation may take (`[scoring] evaluator_timeout_seconds`),
    /// when the pack says.
    pub evaluator_timeout: Option<std::time::Duration>,
    /// The KPIs comparisons show as headline results (`[report] kpis`).
    pub headline_kpis: Vec<HeadlineKpi>,
    /// Where that list is written (the `pack.toml` that last stated it).
    pub headline_kpis_origin: Option<Location>,
    /// Sections, in order.
    pub sections: Vec<Section>,
    /// Criteria, in order.
    pub criteria: Vec<Criterion>,
    /// The evidence the criteria may read.
    pub schema: EvidenceSchema,
}

impl Pack {
    /// A criterion by id.
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.id == id)
    }

    /// Total points of the criteria.
    pub fn total_points(&self) -> f64 {
        self.criteria.iter().map(|c| c.points).sum()
    }

    /// The pack restricted to the criteria `ids` (any order; repeats count
    /// once), with the sections that keep a criterion, and the ids of the
    /// criteria left out, in pack order. `Err` with every id that is not a
    /// criterion of the pack, or with none when `ids` is empty.
    pub fn only(&self, ids: &[String]) -> Result<(Pack, Vec<String>), UnknownCriteria> {
        let unknown: Vec<String> = ids
            .iter()
            .filter(|id| self.criterion(id).is_none())
            .cloned()
            .collect();
        if !unknown.is_empty() || ids.is_empty() {
            return Err(UnknownCriteria {
                unknown,
                pack: self.id.clone(),
                known: self.criteria.iter().map(|c| c.id.clone()).collect(),
            });
        }
        let mut selected = self.clone();
        let (kept, omitted): (Vec<Criterion>, Vec<Criterion>) = selected
            .criteria
            .drain(..)
            .partition(|c| ids.contains(&c.id));
        selected.criteria = kept;
        let criteria = &selected.criteria;
        selected
            .sections
            .retain(|s| criteria.iter().any(|c| c.section == s.id));
        Ok((selected, omitted.into_iter().map(|c| c.id).collect()))
    }
}

/// Criteria asked for that the pack does not have (`assess --only`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct UnknownCriteria {
    /// The ids asked for that are not criteria of the pack.
    pub unknown: Vec<String>,
    /// The pack's id.
    pub pack: String,
    /// The pack's criteria, in order.
    pub known: Vec<String>,
}

impl UnknownCriteria {
    fn message(&self) -> String {
        let known = self.known.join(", ");
        if self.unknown.is_empty() {
            return format!(
                "--only names no criterion (criteria of `{}`: {known})",
                self.pack
            );
        }
        let shown: Vec<String> = self.unknown.iter().map(|u| format!("`{u}`")).collect();
        format!(
            "--only: no criterion {} in pack `{}` (its criteria: {known})",
            shown.join(", "),
            self.pack
        )
    }
}

/// A section of the pack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// Identifier, e.g. `WF`.
    pub id: String,
    /// Title.
    pub title: String,
    /// What it covers.
    pub description: String,
    /// The section's own certification minimum, if it differs from the pack's.
    pub minimum: Option<f64>,
    /// Where it is declared (its `id` in the `pack.toml` that last declared it).
    #[serde(skip)]
    pub origin: Location,
}

/// How a criterion is judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// By an evaluator of a plugin.
    Evaluator {
        /// Plugin name.
        plugin: String,
        /// Evaluator name within the plugin.
        name: String,
    },
    /// By a person, through an attestation.
    Manual {
        /// Why the evidence cannot be read from data or documents.
        reason: String,
    },
}

impl Method {
    /// `plugin/name`, or `manual`.
    pub fn label(&self) -> String {
        match self {
            Method::Evaluator { plugin, name } => format!("{plugin}/{name}"),
            Method::Manual { .. } => "manual".to_owned(),
        }
    }
}

/// An improvement action suggested by the pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guidance {
    /// What "met" looks like.
    #[serde(default)]
    pub met: String,
    /// Improvement actions.
    #[serde(default)]
    pub actions: Vec<GuidanceAction>,
}

/// A criterion.
#[derive(Debug, Clone)]
pub struct Criterion {
    /// Identifier, e.g. `WF1`.
    pub id: String,
    /// Section id.
    pub section: String,
    /// Title.
    pub title: String,
    /// The requirement, written for auditors (Markdown), rendered over the
    /// parameters (see `pack::guidance`).
    pub requirement: String,
    /// Where the requirement is written (the criteria file, or the
    /// override that replaced it).
    pub requirement_origin: Location,
    /// Points.
    pub points: f64,
    /// Must be met to certify.
    pub mandatory: bool,
    /// Evaluator or manual.
    pub method: Method,
    /// Parameters for the evaluator (a JSON object).
    pub params: serde_json::Value,
    /// Where the criteria file writes each parameter's key, and where its
    /// `params` key is (under the name `""`).
    pub param_origins: BTreeMap<String, Location>,
    /// Tables and documents the criterion uses (for readers; the
    /// evaluator's manifest is what the engine loads by, and validation
    /// checks the two agree).
    pub evidence: Vec<String>,
    /// Where each entry of `evidence` is written, in the same order.
    pub evidence_origins: Vec<Location>,
    /// Where the `evidence` list is (the criterion's `id` when it has none).
    pub evidence_origin: Location,
    /// Guidance, rendered over the parameters (see `pack::guidance`).
    pub guidance: Guidance,
    /// Where the guidance is written.
    pub guidance_origin: Location,
    /// References.
    pub references: Vec<String>,
    /// Where it is defined.
    pub origin: Location,
    /// Where its evaluator is named (for messages).
    pub evaluator_origin: Location,
    /// The parameters a tailored pack's `[overrides.ID]` set, with where.
    pub param_overrides: BTreeMap<String, Location>,
}

/// The evidence a pack's criteria may read.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EvidenceSchema {
    /// Tables by canonical name.
    pub tables: BTreeMap<String, TableSchema>,
    /// Document kinds by name.
    pub documents: BTreeMap<String, DocumentSchema>,
}

impl EvidenceSchema {
    /// The column schema of `table.column` (patterns such as `attr_*`
    /// match by prefix).
    pub fn column(&self, table: &str, column: &str) -> Option<&ColumnSchema> {
        let t = self.tables.get(table)?;
        t.columns.iter().find(|c| c.matches(column))
    }
}

/// A canonical table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSchema {
    /// What one row is.
    #[serde(default)]
    pub description: String,
    /// Columns.
    #[serde(with = "columns_as_map")]
    pub columns: Vec<ColumnSchema>,
    /// The columns whose values identify a row: a second row with the same
    /// values is a duplicate (fails the table, or is skipped and counted).
    #[serde(default)]
    pub key: Vec<String>,
    /// The date or timestamp column that places a row on a local day of
    /// the period (rows outside it are counted and left out of every KPI).
    #[serde(default)]
    pub period_column: Option<String>,
    /// Timestamp pairs `[earlier, later]`: where both are present, the later
    /// may not be before the earlier.
    #[serde(default)]
    pub ordered: Vec<[String; 2]>,
    /// Whether every day of the period must have rows (`"daily"`): a day
    /// without rows, on a weekday the table otherwise covers and not
    /// declared closed in `evidence.toml`, is missing evidence.
    #[serde(default)]
    pub coverage: Option<Coverage>,
}

/// How completely a table must cover the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// Rows on every day the centre operates.
    Daily,
}

/// A canonical column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSchema {
    /// Name, or a prefix pattern ending in `*`.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    /// Whether cells may be empty.
    pub nullable: bool,
    /// The closed set of allowed values, for string columns.
    pub values: Option<Vec<String>>,
    /// Smallest valid value, for number columns.
    pub min: Option<f64>,
    /// Largest valid value, for number columns.
    pub max: Option<f64>,
    /// A string column of few distinct values repeated over many rows
    /// (channel, queue, agent, reason codes): held as a dictionary (each
    /// value once per batch, an index per row) instead of a text per row.
    pub low_cardinality: bool,
    /// The table whose rows this string column's cells name by that table's
    /// one-column key (a survey's `contact_id` names a contact): the host
    /// resolves each cell to the row once, at load.
    pub references: Option<String>,
}

impl ColumnSchema {
    /// Whether a column name matches (exactly, or by prefix for `x*`).
    pub fn matches(&self, column: &str) -> bool {
        match self.name.strip_suffix('*') {
            Some(prefix) => column.starts_with(prefix),
            None => self.name == column,
        }
    }

    /// Whether this is a prefix pattern.
    pub fn is_pattern(&self) -> bool {
        self.name.ends_with('*')
    }
}

/// A column as `evidence-schema.toml` writes it (its name is the key).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ColumnSpec {
    #[serde(rename = "type")]
    column_type: ColumnType,
    #[serde(default)]
    nullable: bool,
    #[serde(default)]
    values: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<f64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    low_cardinality: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    references: Option<String>,
}

impl ColumnSpec {
    /// The column of that name.
    pub(crate) fn into_column(self, name: String) -> ColumnSchema {
        ColumnSchema {
            name,
            column_type: self.column_type,
            nullable: self.nullable,
            values: self.values,
            min: self.min,
            max: self.max,
            low_cardinality: self.low_cardinality,
            references: self.references,
        }
    }
}

mod columns_as_map {
    use super::{ColumnSchema, ColumnSpec};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ColumnSchema>, D::Error> {
        let map = BTreeMap::<String, ColumnSpec>::deserialize(d)?;
        Ok(map
            .into_iter()
            .map(|(name, s)| s.into_column(name))
            .collect())
    }

    pub fn serialize<S: Serializer>(cols: &[ColumnSchema], s: S) -> Result<S::Ok, S::Error> {
        let map: BTreeMap<&str, ColumnSpec> = cols
            .iter()
            .map(|c| {
                let spec = ColumnSpec {
                    column_type: c.column_type,
                    nullable: c.nullable,
                    values: c.values.clone(),
                    min: c.min,
                    max: c.max,
                    low_cardinality: c.low_cardinality,
                    references: c.references.clone(),
                };
                (c.name.as_str(), spec)
            })
            .collect();
        map.serialize(s)
    }
}

/// A document kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentSchema {
    /// What it is.
    #[serde(default)]
    pub description: String,
    /// A folder of documents (one per review, say) rather than one file.
    #[serde(default)]
    pub folder: bool,
    /// Headings the criteria read: canonical name -> English names (the
    /// first is the one shown).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headings: BTreeMap<String, Vec<String>>,
    /// Table columns the criteria read: canonical name -> English names.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub columns: BTreeMap<String, Vec<String>>,
}

impl DocumentSchema {
    /// The canonical names of a group: `headings` or `columns`.
    pub fn group(&self, group: WordGroup) -> &BTreeMap<String, Vec<String>> {
        match group {
            WordGroup::Headings => &self.headings,
            WordGroup::Columns => &self.columns,
        }
    }
}

/// The two kinds of words of a document: headings and table columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WordGroup {
    /// Headings of sections.
    Headings,
    /// Table columns.
    Columns,
}

impl WordGroup {
    /// Both groups.
    pub const ALL: [WordGroup; 2] = [WordGroup::Headings, WordGroup::Columns];

    /// The key in `evidence-schema.toml` and `evidence.toml`.
    pub fn key(self) -> &'static str {
        match self {
            WordGroup::Headings => "headings",
            WordGroup::Columns => "columns",
        }
    }

    /// The singular, for messages (`heading`, `column`).
    pub fn singular(self) -> &'static str {
        match self {
            WordGroup::Headings => "heading",
            WordGroup::Columns => "column",
        }
    }
}

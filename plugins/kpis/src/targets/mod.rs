//! The one reader of `kpi_targets`: every row as the centre wrote it, its
//! target converted to the unit its KPI is computed in ([`units`]), and the
//! target a criterion judges under the pack's target policy and the laxest
//! target the standard accepts ([`judge`]).
//!
//! Every plugin reads targets here, so a unit means the same everywhere: an
//! absence target of `5` `percent` is 0.05 in PE3, PF4, LP3 and LP4 alike.

pub mod judge;
pub mod units;

use chrono::NaiveDate;
use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::table::date_from_days;

use crate::Kpi;
use crate::evaluator::optional_column;
pub use judge::{JudgedTarget, TargetRule, TargetSource};
pub use units::{KNOWN_UNITS, TargetUnit, units_for};

/// Why a row's target cannot be read in its KPI's unit.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TargetError {
    /// The row states no target value.
    #[error("{at}: no target value")]
    NoTarget {
        /// The row, e.g. ``kpi_targets row 4 (`fcr_rate`)``.
        at: String,
    },
    /// The row states no unit.
    #[error("{at}: no unit (write one of: {KNOWN_UNITS})")]
    NoUnit {
        /// The row.
        at: String,
    },
    /// The unit is not one cxaudit reads.
    #[error("{at}: unit `{unit}` is not a unit cxaudit reads (known: {KNOWN_UNITS})")]
    UnknownUnit {
        /// The row.
        at: String,
        /// The unit as written.
        unit: String,
    },
    /// The unit is known but does not fit the KPI (a time for a ratio).
    #[error(
        "{at}: unit `{unit}` does not fit {kpi}, which is computed in {kpi_unit} (write {expected})"
    )]
    UnitMismatch {
        /// The row.
        at: String,
        /// The unit as written.
        unit: String,
        /// The KPI key.
        kpi: &'static str,
        /// The unit the KPI is computed in.
        kpi_unit: &'static str,
        /// The units that fit.
        expected: &'static str,
    },
}

impl From<TargetError> for EvalError {
    fn from(e: TargetError) -> Self {
        EvalError::MissingEvidence(e.to_string())
    }
}

/// One row of `kpi_targets`, as the centre wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetRow {
    /// 1-based row of the table as loaded (header excluded).
    pub row: usize,
    /// KPI name as written.
    pub kpi_name: String,
    /// The KPI, when the name is a known key.
    pub kpi: Option<Kpi>,
    /// Scope (channel, queue...); `None` for the whole centre (empty or `all`).
    pub scope: Option<String>,
    /// Target as written.
    pub target: Option<f64>,
    /// `min` or `max` as written.
    pub direction: Option<String>,
    /// Unit as written.
    pub unit: Option<String>,
    /// Baseline as written.
    pub baseline: Option<f64>,
    /// Period the baseline was measured in.
    pub baseline_period: Option<String>,
    /// Owner.
    pub owner: Option<String>,
    /// Date the target was set.
    pub set_on: Option<NaiveDate>,
    /// Deadline.
    pub due: Option<NaiveDate>,
    /// Review cadence.
    pub review_cadence: Option<String>,
    /// Rationale.
    pub rationale: Option<String>,
}

impl TargetRow {
    /// `kpi` or `kpi [scope]`, for ids and tables.
    pub fn label(&self) -> String {
        match &self.scope {
            Some(s) => format!("{} [{s}]", self.kpi_name),
            None => self.kpi_name.clone(),
        }
    }

    /// Where the row is, for messages: ``kpi_targets row 4 (`fcr_rate`)``.
    pub fn at(&self) -> String {
        format!("kpi_targets row {} (`{}`)", self.row, self.label())
    }

    /// Whether higher is better as the row states it: `min` targets are floors.
    pub fn higher_is_better(&self) -> Option<bool> {
        match self.direction.as_deref().map(str::trim) {
            Some(d) if d.eq_ignore_ascii_case("min") => Some(true),
            Some(d) if d.eq_ignore_ascii_case("max") => Some(false),
            _ => None,
        }
    }

    /// The unit as written, read (not yet checked against the KPI).
    fn written_unit(&self) -> Result<TargetUnit, TargetError> {
        let written = self.unit.as_deref().map(str::trim).unwrap_or("");
        if written.is_empty() {
            return Err(TargetError::NoUnit { at: self.at() });
        }
        TargetUnit::parse(written).ok_or_else(|| TargetError::UnknownUnit {
            at: self.at(),
            unit: written.to_owned(),
        })
    }

    /// A number written in the row's unit, in the KPI's own unit. A KPI
    /// that cxaudit does not define is taken in the unit the centre wrote.
    pub fn in_kpi_unit(&self, value: f64) -> Result<f64, TargetError> {
        let Some(kpi) = self.kpi else {
            return Ok(value);
        };
        let unit = self.written_unit()?;
        unit.convert(value, kpi)
            .ok_or_else(|| TargetError::UnitMismatch {
                at: self.at(),
                unit: self.unit.as_deref().unwrap_or("").trim().to_owned(),
                kpi: kpi.key(),
                kpi_unit: kpi.unit(),
                expected: units_for(kpi),
            })
    }

    /// The target in the KPI's own unit (80 `percent` -> 0.8; 2 `minutes` -> 120).
    pub fn target_in_kpi_unit(&self) -> Result<f64, TargetError> {
        let target = self
            .target
            .filter(|t| t.is_finite())
            .ok_or_else(|| TargetError::NoTarget { at: self.at() })?;
        self.in_kpi_unit(target)
    }

    /// Whether the row states a unit that fits its KPI (any unit for a KPI
    /// cxaudit does not define).
    pub fn unit_fits(&self) -> bool {
        match self.kpi {
            Some(_) => self.in_kpi_unit(1.0).is_ok(),
            None => self.unit.is_some(),
        }
    }

    /// The target in the KPI's unit, when it has one in a unit that fits.
    pub fn target_value(&self) -> Option<f64> {
        self.target_in_kpi_unit().ok()
    }

    /// The baseline in the KPI's unit, when it has one in a unit that fits.
    pub fn baseline_value(&self) -> Option<f64> {
        self.in_kpi_unit(self.baseline?).ok()
    }

    /// Whether `value` (KPI unit) misses the target.
    pub fn is_off_target(&self, value: f64) -> Option<bool> {
        let target = self.target_value()?;
        Some(if self.higher_is_better()? {
            value < target
        } else {
            value > target
        })
    }
}

/// Every row of `kpi_targets`, in table order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KpiTargets {
    /// The rows with a KPI name.
    pub rows: Vec<TargetRow>,
    /// Rows without a KPI name (not judged, counted).
    pub skipped: usize,
}

impl KpiTargets {
    /// Reads every row of the table; the columns beyond `kpi` are read when
    /// the table has them.
    pub fn read(table: &Table) -> Result<Self, EvalError> {
        let kpi = strings(table, "kpi")?;
        let scope = strings(table, "scope")?;
        let target = floats(table, "target")?;
        let direction = strings(table, "direction")?;
        let unit = strings(table, "unit")?;
        let baseline = floats(table, "baseline")?;
        let baseline_period = strings(table, "baseline_period")?;
        let owner = strings(table, "owner")?;
        let set_on = dates(table, "set_on")?;
        let due = dates(table, "due")?;
        let cadence = strings(table, "review_cadence")?;
        let rationale = strings(table, "rationale")?;
        let mut out = KpiTargets::default();
        for i in 0..table.num_rows() {
            let Some(name) = kpi[i].clone() else {
                out.skipped += 1;
                continue;
            };
            out.rows.push(TargetRow {
                row: i + 1,
                kpi: Kpi::from_key(&name.to_ascii_lowercase()),
                kpi_name: name,
                scope: scope[i].clone().filter(|s| !s.eq_ignore_ascii_case("all")),
                target: target[i],
                direction: direction[i].clone(),
                unit: unit[i].clone(),
                baseline: baseline[i],
                baseline_period: baseline_period[i].clone(),
                owner: owner[i].clone(),
                set_on: set_on[i],
                due: due[i],
                review_cadence: cadence[i].clone(),
                rationale: rationale[i].clone(),
            });
        }
        Ok(out)
    }

    /// The rows of an optional `kpi_targets` table (none when it is absent).
    pub fn from_context(ctx: &Context<'_>) -> Result<Self, EvalError> {
        match ctx.optional_table("kpi_targets") {
            Some(t) => Self::read(&t),
            None => Ok(Self::default()),
        }
    }

    /// The row a criterion judges `kpi` by: the centre-wide row (no scope),
    /// else the first scoped row.
    pub fn for_kpi(&self, kpi: Kpi) -> Option<&TargetRow> {
        let mut rows = self.rows.iter().filter(|r| r.kpi == Some(kpi));
        let first = rows.clone().next();
        rows.find(|r| r.scope.is_none()).or(first)
    }
}

/// The `kpi_targets` need: the columns a judged target needs, and with
/// `smart` the columns of a SMART target row too.
pub fn targets_need(required: bool, smart: bool) -> TableNeed {
    let need = if required {
        TableNeed::required("kpi_targets")
    } else {
        TableNeed::optional("kpi_targets")
    };
    let need = need
        .column("kpi", ColumnType::String)
        .column("target", ColumnType::Float)
        .column("direction", ColumnType::String)
        .column("unit", ColumnType::String)
        .optional_column("scope", ColumnType::String);
    if !smart {
        return need;
    }
    need.optional_column("baseline", ColumnType::Float)
        .optional_column("baseline_period", ColumnType::String)
        .optional_column("owner", ColumnType::String)
        .optional_column("set_on", ColumnType::Date)
        .optional_column("due", ColumnType::Date)
        .optional_column("review_cadence", ColumnType::String)
        .optional_column("rationale", ColumnType::String)
}

/// A text column the table may lack: trimmed, empty cells as `None`.
fn strings(table: &Table, column: &str) -> Result<Vec<Option<String>>, EvalError> {
    optional_column(table, column, |c| {
        table.strs(c).map(|it| {
            it.map(|v| {
                v.map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            })
        })
    })
}

/// A number column the table may lack: non-finite values as `None`.
fn floats(table: &Table, column: &str) -> Result<Vec<Option<f64>>, EvalError> {
    optional_column(table, column, |c| {
        table
            .f64s(c)
            .map(|it| it.map(|v| v.filter(|x| x.is_finite())))
    })
}

/// A date column the table may lack.
fn dates(table: &Table, column: &str) -> Result<Vec<Option<NaiveDate>>, EvalError> {
    optional_column(table, column, |c| {
        table
            .dates(c)
            .map(|it| it.map(|v| v.and_then(date_from_days)))
    })
}

#[cfg(test)]
mod tests;

//! KPI targets as the centre set them, and KPI values computed from the
//! data by `cxaudit-kpis` (the same code path as `cxaudit kpis`), per month
//! and per target scope.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use cxaudit_kpis::evaluator::{kpi_options, optional_column};
use cxaudit_kpis::{Evidence, GroupBy, Kpi, KpiOptions, KpiReport};
use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::table::date_from_days;

use crate::common::{self, UnitFit};

/// One row of `kpi_targets`.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetRow {
    /// 1-based data row number (header excluded).
    pub row: usize,
    /// KPI name as written.
    pub kpi_name: String,
    /// The KPI, when the name is a known key.
    pub kpi: Option<Kpi>,
    /// Scope (channel, queue...), if any.
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

    /// An identifier for check ids: `service_level_voice`.
    pub fn id(&self) -> String {
        match &self.scope {
            Some(s) => format!("{}_{}", common::slug(&self.kpi_name), common::slug(s)),
            None => common::slug(&self.kpi_name),
        }
    }

    /// The factor from the written unit to the KPI's own unit, when both fit.
    pub fn unit_factor(&self) -> Option<f64> {
        let kpi = self.kpi?;
        match common::unit_fit(kpi, self.unit.as_deref().unwrap_or("")) {
            UnitFit::Factor(f) => Some(f),
            UnitFit::Mismatch => None,
        }
    }

    /// Whether higher is better: `min` targets are floors.
    pub fn higher_is_better(&self) -> Option<bool> {
        match self.direction.as_deref().map(str::trim) {
            Some(d) if d.eq_ignore_ascii_case("min") => Some(true),
            Some(d) if d.eq_ignore_ascii_case("max") => Some(false),
            _ => None,
        }
    }

    /// Target in the KPI's own unit (e.g. 80 percent -> 0.8).
    pub fn target_value(&self) -> Option<f64> {
        Some(self.target? * self.unit_factor()?)
    }

    /// Baseline in the KPI's own unit.
    pub fn baseline_value(&self) -> Option<f64> {
        Some(self.baseline? * self.unit_factor()?)
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

fn floats(table: &Table, column: &str) -> Result<Vec<Option<f64>>, EvalError> {
    optional_column(table, column, |c| {
        table
            .f64s(c)
            .map(|it| it.map(|v| v.filter(|x| x.is_finite())))
    })
}

fn dates(table: &Table, column: &str) -> Result<Vec<Option<NaiveDate>>, EvalError> {
    optional_column(table, column, |c| {
        table
            .dates(c)
            .map(|it| it.map(|v| v.and_then(date_from_days)))
    })
}

/// Reads every row of `kpi_targets` (rows without a KPI name are skipped
/// and counted).
pub fn read_targets(table: &Table) -> Result<(Vec<TargetRow>, usize), EvalError> {
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
    let mut out = Vec::new();
    let mut skipped = 0;
    for i in 0..table.num_rows() {
        let Some(name) = kpi[i].clone() else {
            skipped += 1;
            continue;
        };
        out.push(TargetRow {
            row: i + 1,
            kpi: Kpi::from_key(&name.to_ascii_lowercase()),
            kpi_name: name,
            scope: scope[i].clone(),
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
    Ok((out, skipped))
}

/// The `kpi_targets` need: the columns of a target row.
pub fn targets_need(required: bool) -> TableNeed {
    let need = if required {
        TableNeed::required("kpi_targets")
    } else {
        TableNeed::optional("kpi_targets")
    };
    need.column("kpi", ColumnType::String)
        .column("target", ColumnType::Float)
        .column("direction", ColumnType::String)
        .column("unit", ColumnType::String)
        .optional_column("scope", ColumnType::String)
        .optional_column("baseline", ColumnType::Float)
        .optional_column("baseline_period", ColumnType::String)
        .optional_column("owner", ColumnType::String)
        .optional_column("set_on", ColumnType::Date)
        .optional_column("due", ColumnType::Date)
        .optional_column("review_cadence", ColumnType::String)
        .optional_column("rationale", ColumnType::String)
}

/// The tables `cxaudit-kpis` reads, with `extra` columns merged into them
/// (one need per table).
pub fn kpi_table_needs(extra: &[(&str, &str, ColumnType)]) -> Vec<TableNeed> {
    let mut needs = cxaudit_kpis::table_needs();
    for (table, column, column_type) in extra {
        if let Some(need) = needs.iter_mut().find(|n| n.name == *table)
            && !need.columns.iter().any(|c| c.name == *column)
        {
            *need = need.clone().column(column, *column_type);
        }
    }
    needs
}

/// Channels on which service level, ASA and abandon rate are computed.
const SERVICE_KPIS: [Kpi; 3] = [Kpi::ServiceLevel, Kpi::AsaSeconds, Kpi::AbandonRate];

/// Monthly KPI values from the data, with per-channel reports for scoped
/// service targets.
pub struct MonthlyKpis {
    options: KpiOptions,
    all: KpiReport,
    by_scope: BTreeMap<String, KpiReport>,
    channels: Vec<String>,
}

impl MonthlyKpis {
    /// Computes the monthly KPIs of the evidence; `scopes` are the target
    /// scopes that may name a channel.
    pub fn compute(
        ctx: &Context<'_>,
        sl_threshold_seconds: f64,
        scopes: &[String],
    ) -> Result<Self, EvalError> {
        let evidence = Evidence::from_context(ctx);
        let mut options = kpi_options(ctx)?;
        options.sl_threshold_seconds = sl_threshold_seconds;
        let all = cxaudit_kpis::compute(&evidence, GroupBy::Month, &options);
        let channels = ["voice", "chat", "email", "messaging", "self_service"];
        let mut by_scope = BTreeMap::new();
        for scope in scopes {
            let s = scope.to_ascii_lowercase();
            if channels.contains(&s.as_str()) && !by_scope.contains_key(&s) {
                let mut o = options.clone();
                o.service_channels = vec![s.clone()];
                by_scope.insert(s, cxaudit_kpis::compute(&evidence, GroupBy::Month, &o));
            }
        }
        Ok(MonthlyKpis {
            options,
            all,
            by_scope,
            channels: channels.iter().map(|c| (*c).to_owned()).collect(),
        })
    }

    /// Whether a scope is applied to a KPI (service KPIs on a channel scope).
    pub fn scope_applies(&self, kpi: Kpi, scope: Option<&str>) -> bool {
        scope.is_some_and(|s| {
            let s = s.to_ascii_lowercase();
            SERVICE_KPIS.contains(&kpi)
                && self.channels.contains(&s)
                && self.by_scope.contains_key(&s)
        })
    }

    /// The KPI's value in a month (`YYYY-MM`), scoped when the scope applies.
    pub fn value(&self, kpi: Kpi, scope: Option<&str>, month: &str) -> Option<f64> {
        let report = match scope {
            Some(s) if self.scope_applies(kpi, Some(s)) => {
                self.by_scope.get(&s.to_ascii_lowercase())?
            }
            _ => &self.all,
        };
        report.group(month)?.value(kpi)
    }

    /// The definition of a KPI as used.
    pub fn definition(&self, kpi: Kpi) -> Definition {
        let d = kpi.definition(&self.options);
        Definition::new(
            kpi.key(),
            &format!(
                "{} ({}; source: {}; parameters: {})",
                d.definition, d.unit, d.source, d.parameters
            ),
        )
    }
}

//! KPI targets as the centre set them, and KPI values computed from the
//! data by `cxaudit-kpis` (the same code path as `cxaudit kpis`), per month
//! and per target scope.

use std::collections::BTreeMap;

use cxaudit_kpis::evaluator::kpi_options;
use cxaudit_kpis::{Evidence, GroupBy, Kpi, KpiOptions, KpiReport};
use cxaudit_plugin_sdk::prelude::*;

use crate::common;

pub use cxaudit_kpis::targets::TargetRow;

/// An identifier of a target row for check ids: `service_level_voice`.
pub fn row_id(t: &TargetRow) -> String {
    match &t.scope {
        Some(s) => format!("{}_{}", common::slug(&t.kpi_name), common::slug(s)),
        None => common::slug(&t.kpi_name),
    }
}

/// Reads every row of `kpi_targets` (rows without a KPI name are skipped
/// and counted) with the one reader every plugin uses.
pub fn read_targets(table: &Table) -> Result<(Vec<TargetRow>, usize), EvalError> {
    let targets = cxaudit_kpis::targets::KpiTargets::read(table)?;
    Ok((targets.rows, targets.skipped))
}

/// The `kpi_targets` need: the columns of a SMART target row.
pub fn targets_need(required: bool) -> TableNeed {
    cxaudit_kpis::targets::targets_need(required, true)
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
    /// Computes the monthly KPIs the targets name (service KPIs also per
    /// channel, for the targets whose scope names one).
    pub fn compute(
        ctx: &Context<'_>,
        sl_threshold_seconds: f64,
        targets: &[TargetRow],
    ) -> Result<Self, EvalError> {
        let evidence = Evidence::from_context(ctx);
        let mut options = kpi_options(ctx)?;
        options.sl_threshold_seconds = sl_threshold_seconds;
        let named: Vec<Kpi> = targets.iter().filter_map(|t| t.kpi).collect();
        let channels = ["voice", "chat", "email", "messaging", "self_service"];
        let mut scoped: BTreeMap<String, KpiOptions> = BTreeMap::new();
        for scope in targets.iter().filter_map(|t| t.scope.as_deref()) {
            let s = scope.to_ascii_lowercase();
            if channels.contains(&s.as_str()) && !scoped.contains_key(&s) {
                let mut o = options.clone().only(&SERVICE_KPIS);
                o.service_channels = vec![s.clone()];
                scoped.insert(s, o);
            }
        }
        // The named KPIs and each channel's service KPIs, from one reading
        // of the contacts.
        let named_options = options.clone().only(&named);
        let requests: Vec<(GroupBy, &KpiOptions)> = std::iter::once(&named_options)
            .chain(scoped.values())
            .map(|o| (GroupBy::Month, o))
            .collect();
        let mut reports = cxaudit_kpis::compute_many(&evidence, &requests).into_iter();
        let all = reports.next().ok_or_else(|| {
            EvalError::Failed("internal: no monthly KPI report was computed".into())
        })?;
        let by_scope: BTreeMap<String, KpiReport> = scoped.into_keys().zip(reports).collect();
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

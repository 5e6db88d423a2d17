//! LP3 `target_setting`: targets for every required KPI family, each SMART,
//! the service-level target feasible with the scheduled staff (Erlang C), and
//! OKR key results graded from the data.
//!
//! - `smart`: a target row per required KPI family, and the SMART points of
//!   each target row.
//! - `feasibility`: the service-level target against the scheduled staff,
//!   Erlang C per (pooled) interval.
//! - `okr`: each target graded as a key result from the KPIs computed from
//!   the data.
//!
//! This module holds the evaluator (parameters, manifest) and ties the three
//! judgements together into one evaluation.

mod feasibility;
mod okr;
mod smart;

use chrono_tz::Tz;
use cxaudit_metrics::stats::count_ratio;
use cxaudit_plugin_sdk::prelude::*;
use serde::Deserialize;

use crate::common;
use crate::kpi_data::{self, MonthlyKpis, TargetRow};
use feasibility::Feasibility;
use okr::Okr;
use smart::TargetSmartChecks;

pub use smart::{SMART_POINTS, smart_checks};

/// Evaluator `target_setting`.
pub struct TargetSetting;

/// Parameters of [`TargetSetting`]: each doc comment is the manifest's
/// description.
#[derive(Debug, Deserialize, Params)]
pub struct TargetParams {
    /// KPI families that must have a target
    #[param(default = &["service_level", "asa_seconds", "abandon_rate", "fcr_rate", "csat_top2", "attrition_annualized", "absence_rate", "schedule_adherence", "forecast_wape", "cost_per_order" ])]
    pub required_kpis: Vec<String>,
    /// CX KPIs whose rationale must be customer-based
    #[param(default = &["csat_top2", "nps", "fcr_rate"])]
    pub customer_kpis: Vec<String>,
    /// a customer-based rationale contains one of these words (case-insensitive)
    #[param(default = &["customer", "survey", "complaint"])]
    pub customer_keywords: Vec<String>,
    /// service-level answer threshold T, seconds (Erlang C and measured SL)
    #[param(default = 20.0, min = 0)]
    pub sl_threshold_seconds: f64,
    /// smallest mean grade (0-1) of the key results graded from the data
    #[param(default = 0.7, min = 0, max = 1)]
    pub min_okr_grade: f64,
    /// weight of a required family's `target exists` check (9 = the SMART points a missing target cannot pass)
    #[param(default = 9.0, min = 0)]
    pub weight_target_exists: f64,
    /// weight of each SMART point check
    #[param(default = 1.0, min = 0)]
    pub weight_smart_point: f64,
    /// weight of the Erlang C feasibility check
    #[param(default = 3.0, min = 0)]
    pub weight_feasibility: f64,
    /// weight of the OKR grade check
    #[param(default = 3.0, min = 0)]
    pub weight_okr: f64,
}

impl Evaluator for TargetSetting {
    type Params = TargetParams;

    fn name(&self) -> &'static str {
        "target_setting"
    }

    fn manifest(&self) -> Manifest {
        let mut m = Manifest::new(
            "Every required KPI family has a target; every target is SMART (numeric with unit and \
             direction, in range, computable, baseline with date, deadline, owner, review cadence, \
             differs from baseline, rationale, customer-based for CX KPIs); the service-level \
             target is reachable with the scheduled staff by Erlang C; key results are graded \
             from the data.",
        )
        .table(kpi_data::targets_need(true));
        for need in kpi_data::kpi_table_needs(&[
            ("intervals", "interval_minutes", ColumnType::Integer),
            ("intervals", "forecast_aht_seconds", ColumnType::Float),
            ("intervals", "scheduled_agents", ColumnType::Float),
        ]) {
            m = m.table(need);
        }
        m.params::<TargetParams>()
        .measurement("required_kpis_with_target", "kpis", "required KPI families with at least one target row")
        .measurement("smart_points_passed_share", "ratio", "SMART point checks passed / SMART point checks")
        .measurement(
            "sl_feasible_volume_share",
            "ratio",
            "forecast contacts in intervals where Erlang C SL(T) with the scheduled agents >= the SL target / forecast contacts",
        )
        .measurement("okr_mean_grade", "ratio", "mean over key results of clamp((current - baseline) / (target - baseline), 0, 1)")
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &TargetParams) -> Result<Evaluation, EvalError> {
        let period = ctx.period_dates()?;
        let tz = ctx.time_zone()?;
        let table = ctx.table("kpi_targets")?;
        let (targets, skipped) = kpi_data::read_targets(&table)?;
        let kpis = MonthlyKpis::compute(ctx, p.sl_threshold_seconds, &targets)?;
        let last_month = common::month_label(common::month_start(period.1));
        let judged = Judgements {
            targets: &targets,
            families: smart::family_checks(&targets, p),
            smart: targets
                .iter()
                .map(|t| (t.label(), smart_checks(t, p)))
                .collect(),
            feasibility: Feasibility::judge(ctx, &targets, period, tz, p)?,
            okrs: targets
                .iter()
                .map(|t| Okr::grade(t, &kpis, &last_month))
                .collect(),
        };

        let mut e = Evaluation::from_checks(judged.checks(p));
        e.summary = judged.summary();
        judged.measurements(&mut e);
        e.definitions = judged.definitions(p, &kpis, &last_month);
        e.observations.extend(judged.observations(skipped, &kpis));
        e.drilldowns.extend(judged.drilldowns(tz));
        e.charts.push(okr::chart(&judged.okrs));
        e.actions = judged.actions(p);
        Ok(e)
    }
}

/// What [`TargetSetting`] judged of the targets, before it becomes one evaluation.
struct Judgements<'a> {
    /// The target rows, in table order.
    targets: &'a [TargetRow],
    /// One `target exists` check per required KPI family.
    families: Vec<Check>,
    /// The SMART checks of each target row.
    smart: Vec<TargetSmartChecks>,
    /// The Erlang C feasibility of the service-level target.
    feasibility: Feasibility,
    /// Each target graded as a key result.
    okrs: Vec<Okr<'a>>,
}

impl Judgements<'_> {
    /// Every check: families, SMART points, feasibility, OKR grade.
    fn checks(&self, p: &TargetParams) -> Vec<Check> {
        let mut checks: Vec<Check> = self.families.clone();
        checks.extend(self.smart.iter().flat_map(|(_, c)| c.iter().cloned()));
        checks.push(self.feasibility.check(p));
        checks.push(okr::check(&self.okrs, p));
        checks
    }

    /// Required KPI families with at least one target row.
    fn families_with_target(&self) -> usize {
        self.families.iter().filter(|c| c.passed).count()
    }

    /// SMART point checks passed, and judged, over every target.
    fn smart_points(&self) -> (usize, usize) {
        let all = self.smart.iter().flat_map(|(_, c)| c.iter());
        let passed = all.clone().filter(|c| c.passed).count();
        (passed, all.count())
    }

    /// The evaluation summary: one clause per judgement.
    fn summary(&self) -> String {
        let (smart_passed, smart_judged) = self.smart_points();
        let grades = okr::grades(&self.okrs);
        format!(
            "{} of {} required KPI families have a target; {smart_passed} of {smart_judged} SMART points met over {} target(s); {}; mean OKR grade {} over {} gradable key result(s).",
            self.families_with_target(),
            self.families.len(),
            self.targets.len(),
            self.feasibility.describe(),
            okr::mean(&grades).map_or_else(|| "n/a".to_owned(), |m| format!("{m:.2}")),
            grades.len()
        )
    }

    /// Records the evaluation's measurements in `e`.
    fn measurements(&self, e: &mut Evaluation) {
        let (smart_passed, smart_judged) = self.smart_points();
        e.measure(
            "required_kpis_with_target",
            Some(self.families_with_target() as f64),
        );
        e.measure(
            "smart_points_passed_share",
            count_ratio(smart_passed as u64, smart_judged as u64),
        );
        e.measurements.push(Measurement::new(
                "sl_expected_with_scheduled_staff",
                self.feasibility.expected_sl(),
                "ratio",
                "sum over intervals of forecast contacts x Erlang C SL(T) with the scheduled agents / forecast contacts",
            ));
        e.measure("sl_feasible_volume_share", self.feasibility.share());
        e.measure("okr_mean_grade", okr::mean(&okr::grades(&self.okrs)));
    }

    /// The terms the evaluation uses, then the KPIs the key results were graded on.
    fn definitions(
        &self,
        p: &TargetParams,
        kpis: &MonthlyKpis,
        last_month: &str,
    ) -> Vec<Definition> {
        let mut definitions = smart::definitions(p);
        definitions.push(feasibility::definition(p));
        definitions.push(okr::definition(last_month));
        okr::push_kpi_definitions(&self.okrs, kpis, &mut definitions);
        definitions
    }

    /// Rows not judged, scopes the data cannot apply, how feasibility was judged.
    fn observations(&self, skipped: usize, kpis: &MonthlyKpis) -> Vec<String> {
        let mut out = Vec::new();
        if skipped > 0 {
            out.push(format!(
                "{skipped} kpi_targets row(s) have no KPI name and were not judged."
            ));
        }
        out.extend(okr::scope_observations(&self.okrs, kpis));
        out.extend(self.feasibility.observations.iter().cloned());
        out
    }

    /// SMART points, OKR grades, and the intervals short of the SL target.
    fn drilldowns(&self, tz: Tz) -> Vec<Drilldown> {
        let mut out = vec![
            smart::drilldown(self.targets, &self.smart),
            okr::drilldown(&self.okrs),
        ];
        out.extend(self.feasibility.drilldown(tz));
        out
    }

    /// Actions in order: missing targets, unknown KPIs, SMART gaps,
    /// feasibility, lagging key results.
    fn actions(&self, p: &TargetParams) -> Vec<Action> {
        [
            smart::missing_targets_action(&self.families, p),
            smart::unknown_kpis_action(self.targets),
            smart::smart_gaps_action(&self.smart),
            self.feasibility.action(),
            okr::lagging_action(&self.okrs, p),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

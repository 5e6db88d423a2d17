//! WF2: capacity and staffing fit. Scheduled staff per interval against the
//! Erlang C (or Erlang A) requirement from actual volume and AHT, pooled
//! across the queues of an interval or per queue; the WFM tool's own
//! requirement checked against Erlang.
//!
//! [`StaffingFit`] runs the jobs in order:
//!
//! 1. `requirement`: staffing units from the interval rows, and the agents
//!    each needs (net, with shrinkage, and for its forecast);
//! 2. `fit`: under- and over-staffing, and the fit of the weekly pattern;
//! 3. `wfm_check`: the WFM tool's requirement against the model's;
//! 4. `checks`: the four checks, the summary and the measurements;
//! 5. `explain`: definitions and observations;
//! 6. `drilldowns` and `gaps`: the worst intervals and the fit per
//!    group; heatmaps of the gap and the agents to add or move.

mod checks;
mod drilldowns;
mod explain;
mod fit;
mod gaps;
mod requirement;
mod wfm_check;

#[cfg(test)]
mod fixtures;

use cxaudit_plugin_sdk::prelude::*;
use serde::Deserialize;

use cxaudit_kpis::Kpi;

use crate::common::{
    JudgedTarget, KpiTargets, TargetRule, evaluation_from_credits, kpi_targets_need, laxest_param,
    read_intervals, time_zone,
};

pub use requirement::{Unit, build_units, erlang_a_required};

use drilldowns::{group_drilldown, worst_drilldown};
use explain::{definitions, observations};
use fit::Fit;
use gaps::{gap_actions, gap_heatmaps, group_cells};
use requirement::{Model, judge};
use wfm_check::wfm_difference;

/// Parameters of [`StaffingFit`].
#[derive(Debug, Clone, Deserialize)]
pub struct Params {
    /// The pack's service-level target (fraction).
    pub target_service_level: f64,
    /// Whose service-level target sizes the requirement.
    pub target_policy: TargetPolicy,
    /// The laxest service-level target the standard accepts (fraction).
    pub laxest_service_level: f64,
    /// Service-level threshold T, seconds.
    pub threshold_seconds: f64,
    /// Shrinkage in [0, 1): scheduled = ceil(required / (1 - shrinkage)).
    pub shrinkage: f64,
    /// `erlang_c` or `erlang_a`.
    pub model: String,
    /// Mean patience for Erlang A, seconds.
    pub patience_seconds: f64,
    /// `per_interval` (queues of one interval share a pool) or `per_queue`.
    pub pooling: String,
    /// Largest acceptable difference sum |W - N_f| / sum N_f between the WFM
    /// requirement W and the model's requirement N_f of the forecast.
    pub tolerance: f64,
    /// Largest acceptable under-staffing sum max(R - S, 0) / sum R.
    pub max_under_staffing: f64,
    /// Largest acceptable over-staffing sum max(S - R, 0) / sum R.
    pub max_over_staffing: f64,
    /// Smallest acceptable Pearson r between the weekly patterns of R and S.
    pub min_pattern_r: f64,
    /// Rows in the worst-interval drill-down.
    pub worst_rows: u64,
}

/// WF2 evaluator: staffing fit.
pub struct StaffingFit;

impl Evaluator for StaffingFit {
    type Params = Params;

    fn name(&self) -> &'static str {
        "staffing_fit"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new(
            "Scheduled agents per interval against the Erlang C (or Erlang A) requirement from actual \
             volume and AHT with shrinkage, pooled across the queues of an interval or per queue: \
             under- and over-staffing per interval, Pearson r and R2 fit of the weekly pattern; the \
             WFM tool's required_agents checked against Erlang on the forecast; weekday x hour gaps \
             and the agents to add or move.",
        )
        .table(
            TableNeed::required("intervals")
                .column("queue", ColumnType::String)
                .column("interval_start", ColumnType::Timestamp)
                .column("interval_minutes", ColumnType::Integer)
                .column("forecast_contacts", ColumnType::Float)
                .column("actual_contacts", ColumnType::Float)
                .column("actual_aht_seconds", ColumnType::Float)
                .column("scheduled_agents", ColumnType::Float)
                .optional_column("forecast_aht_seconds", ColumnType::Float)
                .optional_column("required_agents", ColumnType::Float),
        )
        .table(kpi_targets_need())
        .parameter(ParamSpec::number("target_service_level", 0.80).min(0.0).max(1.0).target_of(Kpi::ServiceLevel.key()).describe("the pack's service-level target (ratio) the requirement is sized for, judged as target_policy says"))
        .parameter(TargetPolicy::param(TargetPolicy::Centre))
        .parameter(laxest_param("laxest_service_level", Kpi::ServiceLevel, 0.80))
        .parameter(ParamSpec::number("threshold_seconds", 20.0).min(0.0).describe("service-level threshold T (seconds)"))
        .parameter(ParamSpec::number("shrinkage", 0.30).min(0.0).max(0.95).describe("share of paid time not available for contacts (ratio)"))
        .parameter(ParamSpec::string("model", "erlang_c").describe("staffing model: erlang_c or erlang_a"))
        .parameter(ParamSpec::number("patience_seconds", 120.0).min(1.0).describe("mean customer patience for Erlang A (seconds)"))
        .parameter(ParamSpec::string("pooling", "per_interval").describe("per_interval: queues of one interval share one multi-skilled pool; per_queue: each queue staffed alone"))
        .parameter(ParamSpec::number("tolerance", 0.15).min(0.0).describe("largest sum |required_agents - N_f| / sum N_f, N_f = the model's requirement of the forecast contacts and AHT (ratio)"))
        .parameter(ParamSpec::number("max_under_staffing", 0.05).min(0.0).describe("largest under-staffing sum max(R - S, 0) / sum R (ratio)"))
        .parameter(ParamSpec::number("max_over_staffing", 0.15).min(0.0).describe("largest over-staffing sum max(S - R, 0) / sum R (ratio)"))
        .parameter(ParamSpec::number("min_pattern_r", 0.80).min(-1.0).max(1.0).describe("smallest Pearson r between the weekly patterns (weekday x interval means) of R and S"))
        .parameter(ParamSpec::integer("worst_rows", 15).min(1.0).max(200.0).describe("rows in the worst-interval drill-down"))
        .measurement("under_staffing", "ratio", "sum max(R - S, 0) / sum R, R = Erlang requirement with shrinkage, S = scheduled")
        .measurement("over_staffing", "ratio", "sum max(S - R, 0) / sum R")
        .measurement("pearson_r", "correlation", "Pearson correlation of R and S, means per weekday x interval (x queue when per_queue)")
        .measurement("r2_fit", "coefficient", "1 - sum (R - S)^2 / sum (R - mean R)^2 over means per weekday x interval (x queue when per_queue)")
        .measurement("share_intervals_understaffed", "ratio", "intervals with S < R / intervals")
        .measurement("wfm_requirement_difference", "ratio", "sum |WFM required - Erlang net of the forecast| / sum Erlang net of the forecast")
        .measurement("service_level_target", "ratio", "SL target used for the requirement")
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &Params) -> Result<Evaluation, EvalError> {
        let model = Model::from_params(p)?;
        let pooled = pooling(p)?;
        check_shrinkage(p)?;
        let table = ctx.table("intervals")?;
        let data = read_intervals(&table)?;
        let sl = service_level_target(ctx, p)?;
        let sl_target = sl.value;
        let tz = time_zone(ctx)?;
        let (units, excluded) = build_units(&data.rows, pooled);
        let judged = judge(units, &model, sl_target, p)?;
        if judged.is_empty() {
            return Err(EvalError::MissingEvidence(format!(
                "no usable interval ({} rows skipped, {} without an AHT)",
                data.skipped, excluded.no_handle_time
            )));
        }
        let basis = Basis {
            model,
            pooled,
            sl_target,
            sl_cite: sl.cite(),
        };
        let fit = Fit::of(&judged, tz);
        let wfm = wfm_difference(&judged);
        let summary = checks::summary(judged.len(), &basis, &fit, &wfm, p);
        let mut e = evaluation_from_credits(checks::checks(&fit, &wfm, p), summary);
        e.measurements = checks::measurements(&fit, &wfm, sl_target);
        e.definitions = definitions(&basis, p);
        e.observations = observations(&sl, &data, excluded, &wfm, pooled);
        sl.record(&mut e);
        let groups = group_cells(&judged, tz);
        e.drilldowns = vec![
            worst_drilldown(&judged, tz, p.worst_rows as usize),
            group_drilldown(&judged),
        ];
        e.charts = gap_heatmaps(&judged, tz);
        e.actions = gap_actions(&groups, pooled);
        Ok(e)
    }
}

/// How the requirement is sized: the model, the pooling and the
/// service-level target.
struct Basis {
    /// The queueing model.
    model: Model,
    /// Whether the queues of one interval share one pool.
    pooled: bool,
    /// The service-level target (fraction).
    sl_target: f64,
    /// Where the service-level target came from and why.
    sl_cite: String,
}

/// Whether the queues of one interval are pooled (`per_interval`) or
/// staffed alone (`per_queue`).
fn pooling(p: &Params) -> Result<bool, EvalError> {
    match p.pooling.as_str() {
        "per_interval" => Ok(true),
        "per_queue" => Ok(false),
        other => Err(EvalError::Failed(format!(
            "pooling `{other}` is not per_interval or per_queue"
        ))),
    }
}

/// Shrinkage must be in [0, 1).
fn check_shrinkage(p: &Params) -> Result<(), EvalError> {
    if !(0.0..1.0).contains(&p.shrinkage) {
        return Err(EvalError::Failed(format!(
            "shrinkage {} must be in [0, 1)",
            p.shrinkage
        )));
    }
    Ok(())
}

/// The service-level target the requirement is sized for, as the target
/// policy picks it; a ratio in [0, 1].
fn service_level_target(ctx: &Context<'_>, p: &Params) -> Result<JudgedTarget, EvalError> {
    let judged = TargetRule::new(Kpi::ServiceLevel, p.target_policy)
        .pack_target("target_service_level", p.target_service_level)
        .laxest("laxest_service_level", p.laxest_service_level)
        .required_in(&KpiTargets::from_context(ctx)?)?;
    if !(0.0..=1.0).contains(&judged.value) {
        return Err(EvalError::MissingEvidence(format!(
            "service_level target {} ({}) is not a ratio in [0, 1]",
            judged.value,
            judged.source.label()
        )));
    }
    Ok(judged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staffing_fit::fixtures::pooled_host;
    use cxaudit_plugin_sdk::testing::{TableBuilder, TestHost};
    use serde_json::json;

    #[test]
    fn pooled_requirement_zero_volume_and_unstaffed_queue() {
        let e = pooled_host().run(&StaffingFit, json!({}));
        // R = [20, 0, 20], S = [10, 2, 20]: under 10/40 = 0.25 (fail, > 0.05); over 2/40 = 0.05 (pass);
        // Weekly pattern = the 3 intervals (one Monday): R2 = 1 - (100 + 4 + 0) / 266.667 = 0.61;
        // Pearson r = 173.33 / sqrt(266.67 x 162.67) = 0.8322 (pass, >= 0.8);
        // WFM pooled [14, 0, 14] vs Erlang net [14, 0, 14]: difference 0 (pass). Score 3/4.
        let m = |n: &str| e.measurement(n).and_then(|m| m.value).unwrap();
        assert!((m("under_staffing") - 0.25).abs() < 1e-12);
        assert!((m("over_staffing") - 0.05).abs() < 1e-12);
        assert!((m("r2_fit") - (1.0 - 104.0 / (800.0 / 3.0))).abs() < 1e-9);
        assert!(
            (m("pearson_r") - 173.333_333 / (266.666_667f64 * 162.666_667).sqrt()).abs() < 1e-6
        );
        assert_eq!(m("wfm_requirement_difference"), 0.0);
        assert!((m("share_intervals_understaffed") - 1.0 / 3.0).abs() < 1e-12);
        let passed: Vec<bool> = e.checks.iter().map(|c| c.passed).collect();
        assert_eq!(passed, vec![false, true, true, true]);
        assert_eq!(e.score, Some(0.75));
        // Worst interval first: 09:00, net 14, R 20, S 10, gap -10.
        let row = &e.drilldowns[0].rows[0];
        assert_eq!(row[1], json!("2026-01-05 09:00"));
        assert_eq!(
            (row[6].clone(), row[7].clone(), row[9].clone()),
            (json!(14.0), json!(20.0), json!(-10.0))
        );
        // Zero-volume interval requires nobody.
        let zero = e.drilldowns[0]
            .rows
            .iter()
            .find(|r| r[1] == json!("2026-01-05 09:30"))
            .unwrap();
        assert_eq!((zero[6].clone(), zero[7].clone()), (json!(0.0), json!(0.0)));
        assert!(
            e.actions.iter().any(|a| a
                .text
                .starts_with("Add 10 agents Mon 09:00-09:30 on pooled queues")),
            "{:?}",
            e.actions
        );
        assert!(
            e.actions
                .iter()
                .any(|a| a.text.starts_with("Move 2 agents out of Mon 09:30-10:00"))
        );
        assert_eq!(e.charts[0].kind, ChartKind::Heatmap);
        assert_eq!(e.charts[0].series[0].values, vec![Some(-4.0), Some(0.0)]); // Mon 09h: mean(-10, +2); 10h: 0
    }

    #[test]
    fn kpi_target_overrides_the_pack_service_level() {
        // SL 90 %: N = 14 gives 0.888 < 0.9, N = 15 gives 0.941 -> net 15, R = ceil(15 / 0.7) = 22.
        let targets = TableBuilder::new()
            .strings("kpi", [Some("service_level")])
            .floats("target", [Some(90.0)])
            .strings("direction", [Some("min")])
            .strings("unit", [Some("percent")])
            .build();
        let e = pooled_host()
            .table("kpi_targets", targets)
            .run(&StaffingFit, json!({}));
        let target = e.measurement("service_level_target").and_then(|m| m.value);
        assert_eq!(target, Some(0.9));
        assert_eq!(e.drilldowns[0].rows[0][6], json!(15.0));
        assert_eq!(e.drilldowns[0].rows[0][7], json!(22.0));
        assert!(e.observations[0].contains("kpi_targets"));
    }

    #[test]
    fn per_queue_with_unstaffed_queue_and_empty_wfm_requirement() {
        // Queue b gets 100 contacts at 180 s with nobody scheduled; a second interval has no volume.
        // Per queue R = [20, 20, 0, 0], S = [20, 0, 0, 0]: under 20/40 = 0.5 (fail), over 0 (pass),
        // R2 = 1 - 400/400 = 0; Pearson r = 200 / sqrt(400 x 300) = 0.577 (fail, < 0.8);
        // required_agents empty (fail): score 1/4.
        let batch = TableBuilder::new()
            .strings("queue", ["a", "b", "a", "b"].map(Some))
            .timestamps(
                "interval_start",
                [
                    "2026-01-05T09:00:00",
                    "2026-01-05T09:00:00",
                    "2026-01-05T09:30:00",
                    "2026-01-05T09:30:00",
                ]
                .map(Some),
            )
            .integers("interval_minutes", [Some(30); 4])
            .floats("forecast_contacts", [100.0, 100.0, 0.0, 0.0].map(Some))
            .floats("actual_contacts", [100.0, 100.0, 0.0, 0.0].map(Some))
            .floats("forecast_aht_seconds", [Some(180.0); 4])
            .floats("actual_aht_seconds", [Some(180.0); 4])
            .floats("required_agents", [None; 4])
            .floats("scheduled_agents", [20.0, 0.0, 0.0, 0.0].map(Some))
            .build();
        let e = TestHost::new()
            .table("intervals", batch)
            .run(&StaffingFit, json!({"pooling": "per_queue"}));
        let m = |n: &str| e.measurement(n).and_then(|m| m.value);
        assert_eq!(m("under_staffing"), Some(0.5));
        assert_eq!(m("over_staffing"), Some(0.0));
        assert_eq!(m("r2_fit"), Some(0.0));
        assert!((m("pearson_r").unwrap() - 200.0 / 120_000f64.sqrt()).abs() < 1e-12);
        assert_eq!(m("wfm_requirement_difference"), None);
        assert_eq!(e.score, Some(0.25));
        assert!(
            e.observations
                .iter()
                .any(|o| o.contains("required_agents is empty"))
        );
        assert!(
            e.actions.iter().any(|a| a
                .text
                .starts_with("Add 20 agents Mon 09:00-09:30 on queue b")),
            "{:?}",
            e.actions
        );
        assert_eq!(e.charts.len(), 2); // one heatmap per queue
    }
}

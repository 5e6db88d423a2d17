//! WF2: capacity and staffing fit. Scheduled staff per interval against the
//! requirement per channel (Erlang C or Erlang A for voice, the same on the
//! shared workload for chat, work content for e-mail and messaging), pooled
//! across the queues of an interval or per queue: the plan against the
//! requirement of the forecast, the actuals against the requirement of the
//! actual volume beyond its arrival noise; the WFM tool's own requirement
//! checked against the model.
//!
//! [`StaffingFit`] runs the jobs in order:
//!
//! 1. `requirement`: staffing units from the interval rows, and the agents
//!    each needs (net, with shrinkage, for its actual volume and the noise
//!    band around it, and for its forecast);
//! 2. `fit`: under- and over-staffing of the plan and of the actuals, and
//!    the fit of the weekly pattern;
//! 3. `wfm_check`: the WFM tool's requirement against the model's;
//! 4. `checks`: the six checks, the summary and the measurements;
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
    read_intervals,
};

pub use requirement::{Unit, build_units, erlang_a_required};

use drilldowns::{group_drilldown, worst_drilldown};
use explain::{definitions, observations};
use fit::Fit;
use gaps::{gap_actions, gap_heatmaps, group_cells};
use requirement::{Model, judge};
use wfm_check::wfm_difference;

/// Parameters of [`StaffingFit`]: each doc comment is the manifest's
/// description, unless the type (`TargetPolicy`) or helper (`laxest_param`) gives its own.
#[derive(Debug, Clone, Deserialize, Params)]
pub struct Params {
    /// the pack's service-level target (ratio) the requirement is sized for, judged as target_policy says
    #[param(default = 0.80, min = 0, max = 1, target_of = Kpi::ServiceLevel.key())]
    pub target_service_level: f64,
    /// Whose service-level target sizes the requirement.
    #[param(default = TargetPolicy::Centre)]
    pub target_policy: TargetPolicy,
    /// The laxest service-level target the standard accepts (fraction).
    #[param(spec = |name| laxest_param(name, Kpi::ServiceLevel, 0.80))]
    pub laxest_service_level: f64,
    /// service-level threshold T (seconds)
    #[param(default = 20.0, min = 0)]
    pub threshold_seconds: f64,
    /// share of paid time not available for contacts (ratio)
    #[param(default = 0.30, min = 0, max = 0.95)]
    pub shrinkage: f64,
    /// chat sessions an agent handles at once: the chat requirement is the queueing model on workload / concurrency
    #[param(default = 2.0, min = 1, max = 10)]
    pub chat_concurrency: f64,
    /// arrival-noise allowance of the actuals comparison: the requirement band of actual volume A +- noise_z x sqrt(A) (1.645 = 90% Poisson band; 0 = none)
    #[param(default = 1.645, min = 0, max = 5)]
    pub noise_z: f64,
    /// staffing model: erlang_c or erlang_a
    #[param(default = "erlang_c")]
    pub model: String,
    /// mean customer patience for Erlang A (seconds)
    #[param(default = 120.0, min = 1)]
    pub patience_seconds: f64,
    /// per_interval: queues of one interval share one multi-skilled pool; per_queue: each queue staffed alone
    #[param(default = "per_interval")]
    pub pooling: String,
    /// largest sum |required_agents - N_f| / sum N_f, N_f = the model's requirement of the forecast contacts and AHT (ratio)
    #[param(default = 0.15, min = 0)]
    pub tolerance: f64,
    /// largest under-staffing sum max(R - S, 0) / sum R (ratio)
    #[param(default = 0.05, min = 0)]
    pub max_under_staffing: f64,
    /// largest over-staffing sum max(S - R, 0) / sum R (ratio)
    #[param(default = 0.15, min = 0)]
    pub max_over_staffing: f64,
    /// smallest Pearson r between the weekly patterns (weekday x interval means) of R and S
    #[param(default = 0.80, min = -1, max = 1)]
    pub min_pattern_r: f64,
    /// rows in the worst-interval drill-down
    #[param(default = 15, min = 1, max = 200)]
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
                .optional_column("required_agents", ColumnType::Float)
                .optional_column("channel", ColumnType::String),
        )
        .table(kpi_targets_need())
        .params::<Params>()
        .measurement("plan_under_staffing", "ratio", "sum max(R_f - S, 0) / sum R_f, R_f = requirement of the forecast with shrinkage, S = scheduled")
        .measurement("plan_over_staffing", "ratio", "sum max(S - R_f, 0) / sum R_f")
        .measurement("under_staffing", "ratio", "sum max(R_low - S, 0) / sum R, R = requirement of the actual volume with shrinkage, R_low at the low edge of its arrival-noise band")
        .measurement("over_staffing", "ratio", "sum max(S - R_high, 0) / sum R, R_high at the high edge of the arrival-noise band")
        .measurement("pearson_r", "correlation", "Pearson correlation of R and S, means per weekday x interval (x queue when per_queue)")
        .measurement("r2_fit", "coefficient", "1 - sum (R - S)^2 / sum (R - mean R)^2 over means per weekday x interval (x queue when per_queue)")
        .measurement("share_intervals_understaffed", "ratio", "intervals with S < R_low / intervals")
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
        let tz = ctx.time_zone()?;
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
        let channels = channel_rows(&data.rows);
        let summary = checks::summary(judged.len(), &basis, &channels, &fit, &wfm, p);
        let mut e = evaluation_from_credits(checks::checks(&fit, &wfm, p), summary);
        checks::measurements(&mut e, &fit, &wfm, sl_target);
        e.definitions = definitions(&basis, p);
        e.observations = observations(&sl, &data, excluded, &wfm, pooled, &channels);
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

/// Rows per workload class: queue (with and without a stated channel),
/// chat, backlog, unstaffed.
pub(super) struct ChannelRows {
    /// Rows modelled as queues, channel stated (voice).
    pub(super) voice: usize,
    /// Rows that state no channel, modelled as queues.
    pub(super) unstated: usize,
    /// Chat rows.
    pub(super) chat: usize,
    /// E-mail and messaging rows.
    pub(super) backlog: usize,
    /// Self-service rows.
    pub(super) unstaffed: usize,
}

impl ChannelRows {
    /// How the rows' workload was sized, as the summary states it: only
    /// the models the rows' channels called for.
    pub(super) fn models_applied(&self, p: &Params) -> String {
        if self.voice + self.chat + self.backlog == 0 {
            return "no row states its channel: every row sized as a live voice queue".into();
        }
        let mut live = Vec::new();
        if self.voice > 0 {
            live.push("voice".to_owned());
        }
        if self.unstated > 0 {
            live.push("rows stating no channel".to_owned());
        }
        if self.chat > 0 {
            live.push(format!("chat at {} sessions per agent", p.chat_concurrency));
        }
        let mut parts = Vec::new();
        match live.len() {
            0 => {}
            1 => parts.push(format!("{} as a live queue", live[0])),
            _ => parts.push(format!("{} in one live pool", live.join(" and "))),
        }
        if self.backlog > 0 {
            parts.push("e-mail and messaging as work content".to_owned());
        }
        parts.join("; ")
    }
}

fn channel_rows(rows: &[crate::common::IntervalRow]) -> ChannelRows {
    let mut c = ChannelRows {
        voice: 0,
        unstated: 0,
        chat: 0,
        backlog: 0,
        unstaffed: 0,
    };
    for r in rows {
        match (requirement::Workload::of(r.channel.as_deref()), &r.channel) {
            (requirement::Workload::Queue, None) => c.unstated += 1,
            (requirement::Workload::Queue, Some(_)) => c.voice += 1,
            (requirement::Workload::Chat, _) => c.chat += 1,
            (requirement::Workload::Backlog, _) => c.backlog += 1,
            (requirement::Workload::Unstaffed, _) => c.unstaffed += 1,
        }
    }
    c
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

    /// The figures of an evaluation by measurement name.
    fn m(e: &Evaluation, n: &str) -> Option<f64> {
        e.measurement(n).and_then(|m| m.value)
    }

    #[test]
    fn pooled_requirement_zero_volume_and_unstaffed_queue() {
        // No noise allowance here (noise_z 0), so R_low = R = R_high.
        let e = pooled_host().run(&StaffingFit, json!({"noise_z": 0.0}));
        // Net [14, 0, 14] (DOMAIN: A = 10, 80 % in 20 s), shrinkage 30 %: R = 14 / 0.7 = 20,
        // not rounded: R = [20, 0, 20], S = [10, 2, 20]. The forecast equals the actuals, so
        // R_f = R. Under 10/40 = 0.25 (fail, > 0.05) for the plan and the actuals; over
        // 2/40 = 0.05 (pass, <= 0.15).
        // Weekly pattern = the 3 intervals (one Monday): R2 = 1 - (100 + 4 + 0) / 266.667 = 0.61;
        // Pearson r = 173.33 / sqrt(266.67 x 162.67) = 0.8322 (pass, >= 0.8);
        // WFM pooled [14, 0, 14] vs the model's net [14, 0, 14]: difference 0 (pass). Score 4/6.
        for name in ["under_staffing", "plan_under_staffing"] {
            assert!((m(&e, name).unwrap() - 0.25).abs() < 1e-12, "{name}");
        }
        for name in ["over_staffing", "plan_over_staffing"] {
            assert!((m(&e, name).unwrap() - 0.05).abs() < 1e-12, "{name}");
        }
        assert!((m(&e, "r2_fit").unwrap() - (1.0 - 104.0 / (800.0 / 3.0))).abs() < 1e-9);
        assert!(
            (m(&e, "pearson_r").unwrap() - 173.333_333 / (266.666_667f64 * 162.666_667).sqrt())
                .abs()
                < 1e-6
        );
        assert_eq!(m(&e, "wfm_requirement_difference"), Some(0.0));
        assert!((m(&e, "share_intervals_understaffed").unwrap() - 1.0 / 3.0).abs() < 1e-12);
        let passed: Vec<(&str, bool)> =
            e.checks.iter().map(|c| (c.id.as_str(), c.passed)).collect();
        assert_eq!(
            passed,
            vec![
                ("plan_under_staffing", false),
                ("plan_over_staffing", true),
                ("under_staffing", false),
                ("over_staffing", true),
                ("pattern_fit", true),
                ("wfm_requirement", true)
            ]
        );
        assert!((e.score.unwrap() - 4.0 / 6.0).abs() < 1e-12);
        // The rows state no channel: the summary says how they were sized, and claims no
        // chat or e-mail model it did not apply.
        assert!(
            e.summary
                .contains("(no row states its channel: every row sized as a live voice queue)"),
            "{}",
            e.summary
        );
        assert!(!e.summary.contains("sessions per agent"), "{}", e.summary);
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
        // Erlang A with an endless patience is Erlang C: the same verdict.
        assert_eq!(erlang_a_required(10.0, 180.0, 1e9, 20.0, 0.8).unwrap(), 14);
        let a = pooled_host().run(
            &StaffingFit,
            json!({"noise_z": 0.0, "model": "erlang_a", "patience_seconds": 1e9}),
        );
        assert_eq!(a.score, e.score);
        let bad = pooled_host().run(&StaffingFit, json!({"pooling": "by_site"}));
        assert_eq!(bad.status, Status::Error);
    }

    #[test]
    fn kpi_target_overrides_the_pack_service_level() {
        // SL 90 %: N = 14 gives 0.888 < 0.9, N = 15 gives 0.941 -> net 15,
        // R = 15 / 0.7 = 21.4286 (fractional, compared with fractional schedules; not 22).
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
        assert_eq!(e.drilldowns[0].rows[0][7], json!(21.4286));
        assert!(e.observations[0].contains("kpi_targets"));
    }

    #[test]
    fn per_queue_with_unstaffed_queue_and_empty_wfm_requirement() {
        // Queue b gets 100 contacts at 180 s with nobody scheduled; a second interval has no volume.
        // Per queue R = [20, 20, 0, 0], S = [20, 0, 0, 0] (forecast = actual, no noise allowance):
        // under 20/40 = 0.5 (fail, plan and actuals), over 0 (pass, both),
        // R2 = 1 - 400/400 = 0; Pearson r = 200 / sqrt(400 x 300) = 0.577 (fail, < 0.8);
        // required_agents empty (fail): score 2/6.
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
        let e = TestHost::new().table("intervals", batch).run(
            &StaffingFit,
            json!({"pooling": "per_queue", "noise_z": 0.0}),
        );
        let m = |n: &str| m(&e, n);
        assert!((m("under_staffing").unwrap() - 0.5).abs() < 1e-12);
        assert!((m("plan_under_staffing").unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(m("over_staffing"), Some(0.0));
        assert_eq!(m("plan_over_staffing"), Some(0.0));
        assert!(m("r2_fit").unwrap().abs() < 1e-12);
        assert!((m("pearson_r").unwrap() - 200.0 / 120_000f64.sqrt()).abs() < 1e-12);
        assert_eq!(m("wfm_requirement_difference"), None);
        assert!((e.score.unwrap() - 2.0 / 6.0).abs() < 1e-12);
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

    /// A row of [`channel_host`]: queue, channel, forecast, actual, AHT, scheduled.
    type ChannelRow<'a> = (&'a str, Option<&'a str>, f64, f64, f64, f64);

    /// One 30-minute interval, Monday 2026-01-05 09:00, one row per (queue, channel,
    /// forecast, actual, AHT, scheduled); no WFM requirement.
    fn channel_host(rows: &[ChannelRow<'_>]) -> TestHost {
        let n = rows.len();
        let batch = TableBuilder::new()
            .strings("queue", rows.iter().map(|r| Some(r.0)))
            .strings("channel", rows.iter().map(|r| r.1))
            .timestamps(
                "interval_start",
                (0..n).map(|_| Some("2026-01-05T09:00:00")),
            )
            .integers("interval_minutes", (0..n).map(|_| Some(30)))
            .floats("forecast_contacts", rows.iter().map(|r| Some(r.2)))
            .floats("actual_contacts", rows.iter().map(|r| Some(r.3)))
            .floats("forecast_aht_seconds", rows.iter().map(|r| Some(r.4)))
            .floats("actual_aht_seconds", rows.iter().map(|r| Some(r.4)))
            .floats("scheduled_agents", rows.iter().map(|r| Some(r.5)))
            .build();
        TestHost::new().table("intervals", batch)
    }

    #[test]
    fn live_channels_share_one_pool_and_backlog_adds_its_work_content() {
        // Voice: 100 calls at 180 s. Chat: 100 chats at 360 s with two sessions per agent:
        // the shared workload is 100 x 360 / 2 = 18,000 s, an effective 180 s. Voice and chat
        // are one live pool: 200 contacts, 36,000 s in 1,800 s, A = 20. Erlang C, 80 % in
        // 20 s at AHT 180 s: N = 23 gives SL 1 - 0.4157 e^(-3 x 20/180) = 70.2 %, N = 24 gives
        // 1 - 0.2981 e^(-4 x 20/180) = 80.9 %: 24 agents (each alone would need 14, 28 in all).
        // E-mail: 60 e-mails at 600 s = 36,000 s of work in 1,800 s: 20 agents, no queueing.
        // Self-service: nobody. Net 24 + 20 = 44; shrinkage 20 %: R = 44 / 0.8 = 55.
        // Scheduled 15 + 15 + 25 + 0 = 55: neither short nor over.
        let host = || {
            channel_host(&[
                ("v", Some("voice"), 100.0, 100.0, 180.0, 15.0),
                ("c", Some("chat"), 100.0, 100.0, 360.0, 15.0),
                ("e", Some("email"), 60.0, 60.0, 600.0, 25.0),
                ("s", Some("self_service"), 500.0, 500.0, 60.0, 0.0),
            ])
        };
        let e = host().run(
            &StaffingFit,
            json!({"shrinkage": 0.2, "chat_concurrency": 2.0, "noise_z": 0.0}),
        );
        let row = &e.drilldowns[0].rows[0];
        assert_eq!((row[6].clone(), row[7].clone()), (json!(44.0), json!(55.0)));
        assert_eq!(m(&e, "under_staffing"), Some(0.0));
        assert_eq!(m(&e, "over_staffing"), Some(0.0));
        assert_eq!(m(&e, "plan_under_staffing"), Some(0.0));
        // The summary names the models the channels called for.
        assert!(
            e.summary.contains(
                "(voice and chat at 2 sessions per agent in one live pool; e-mail and messaging as work content)"
            ),
            "{}",
            e.summary
        );
        assert!(
            e.observations.iter().any(|o| o.contains(
                "1 voice, 1 chat, 1 e-mail or messaging, 1 self-service, 0 with no channel"
            )),
            "{:?}",
            e.observations
        );
        // Messaging is backlog work like e-mail: 60 messages at 600 s are 20 agents too.
        let msg = channel_host(&[("m", Some("messaging"), 60.0, 60.0, 600.0, 20.0)])
            .run(&StaffingFit, json!({"shrinkage": 0.0, "noise_z": 0.0}));
        assert_eq!(msg.drilldowns[0].rows[0][6], json!(20.0));
        // One session at a time, chat is A = 20 at 360 s: more agents than with two sessions.
        let single = channel_host(&[("c", Some("chat"), 100.0, 100.0, 360.0, 20.0)]).run(
            &StaffingFit,
            json!({"shrinkage": 0.0, "chat_concurrency": 1.0, "noise_z": 0.0}),
        );
        let net = single.drilldowns[0].rows[0][6].as_f64().unwrap();
        assert!(net > 20.0, "{net}");
        let double = channel_host(&[("c", Some("chat"), 100.0, 100.0, 360.0, 20.0)]).run(
            &StaffingFit,
            json!({"shrinkage": 0.0, "chat_concurrency": 2.0, "noise_z": 0.0}),
        );
        assert_eq!(double.drilldowns[0].rows[0][6], json!(14.0));
        // The definition states every rule.
        let def = e
            .definitions
            .iter()
            .find(|d| d.term == "Requirement by channel")
            .unwrap();
        for rule in [
            "one live pool by Erlang C",
            "2 sessions",
            "work content",
            "self-service needs no agent",
        ] {
            assert!(def.text.contains(rule), "{rule}: {}", def.text);
        }
    }

    #[test]
    fn actuals_are_judged_beyond_arrival_noise_and_the_plan_against_the_forecast() {
        // E-mail (linear, so the band is worked by hand): 100 e-mails at 180 s in 1,800 s,
        // no shrinkage: R = 100 x 180 / 1800 = 10. The noise band at z = 1.645:
        // 100 -+ 1.645 x sqrt(100) = 83.55 .. 116.45 e-mails: R_low 8.355, R_high 11.645.
        // The forecast was 110: R_f = 11.
        let run = |scheduled: f64| {
            channel_host(&[("e", Some("email"), 110.0, 100.0, 180.0, scheduled)])
                .run(&StaffingFit, json!({"shrinkage": 0.0}))
        };
        // S = 9: one agent under R, but inside the noise band: actual under-staffing 0;
        // the plan had 9 for a forecast needing 11: (11 - 9) / 11 = 0.1818.
        let e = run(9.0);
        assert_eq!(m(&e, "under_staffing"), Some(0.0));
        assert!((m(&e, "plan_under_staffing").unwrap() - 2.0 / 11.0).abs() < 1e-12);
        let row = &e.drilldowns[0].rows[0];
        assert_eq!(
            (row[12].clone(), row[13].clone(), row[14].clone()),
            (json!(8.355), json!(11.645), json!(11.0))
        );
        // S = 8: short beyond the noise, (8.355 - 8) / 10 = 0.0355.
        let e = run(8.0);
        assert!((m(&e, "under_staffing").unwrap() - 0.0355).abs() < 1e-12);
        assert_eq!(m(&e, "share_intervals_understaffed"), Some(1.0));
        // S = 12: over beyond the noise, (12 - 11.645) / 10 = 0.0355; plan over (12 - 11) / 11.
        let e = run(12.0);
        assert!((m(&e, "over_staffing").unwrap() - 0.0355).abs() < 1e-12);
        assert!((m(&e, "plan_over_staffing").unwrap() - 1.0 / 11.0).abs() < 1e-12);
        let def = e
            .definitions
            .iter()
            .find(|d| d.term == "Plan and actuals")
            .unwrap();
        assert!(def.text.contains("A - 1.645 x sqrt(A)"), "{}", def.text);
    }

    #[test]
    fn a_zero_actual_handle_time_takes_the_forecast_aht() {
        // Row 1: 100 calls, actual AHT 0, forecast AHT 180: the forecast AHT stands in,
        // A = 10, net 14 (DOMAIN). Row 2 (another queue, same interval): 30 calls with no AHT at
        // all: left out with its 5 scheduled agents, and counted.
        let batch = TableBuilder::new()
            .strings("queue", ["a", "b"].map(Some))
            .timestamps("interval_start", [Some("2026-01-05T09:00:00"); 2])
            .integers("interval_minutes", [Some(30); 2])
            .floats("forecast_contacts", [100.0, 30.0].map(Some))
            .floats("actual_contacts", [100.0, 30.0].map(Some))
            .floats("forecast_aht_seconds", [180.0, 0.0].map(Some))
            .floats("actual_aht_seconds", [0.0, 0.0].map(Some))
            .floats("scheduled_agents", [14.0, 5.0].map(Some))
            .build();
        let e = TestHost::new()
            .table("intervals", batch)
            .run(&StaffingFit, json!({"shrinkage": 0.0, "noise_z": 0.0}));
        let row = &e.drilldowns[0].rows[0];
        assert_eq!(
            (row[4].clone(), row[6].clone(), row[8].clone()),
            (json!(180.0), json!(14.0), json!(14.0))
        );
        assert_eq!(m(&e, "under_staffing"), Some(0.0));
        assert!(
            e.observations
                .iter()
                .any(|o| o == "1 interval rows with volume but no AHT left out of the requirement."),
            "{:?}",
            e.observations
        );
        let def = e
            .definitions
            .iter()
            .find(|d| d.term == "Handle time")
            .unwrap();
        assert!(def.text.contains("zero or missing"));
    }
}

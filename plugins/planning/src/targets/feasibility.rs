//! Whether the service-level target is reachable with the scheduled staff:
//! Erlang C service level per interval of the period (queues pooled per
//! interval unless the target is scoped to one queue), weighted by forecast
//! contacts.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use cxaudit_kpis::Kpi;
use cxaudit_metrics::erlang;
use cxaudit_metrics::pooled::{Excluded, Policy, Pool, Pooled};
use cxaudit_plugin_sdk::prelude::*;

use super::TargetParams;
use crate::common;
use crate::kpi_data::TargetRow;

/// An interval judged for feasibility.
struct IntervalFit {
    queue: String,
    start: i64,
    forecast: f64,
    aht: f64,
    scheduled: f64,
    sl: f64,
    required: Option<u32>,
}

/// An interval row as read; forecast and AHT go through the pooled bad-row rule.
struct IntervalRow {
    queue: String,
    start: i64,
    minutes: i64,
    forecast: Option<f64>,
    aht: Option<f64>,
    scheduled: f64,
}

/// Pooled intervals keyed by (start, minutes), scheduled agents summed.
type Intervals = BTreeMap<(i64, i64), Pooled<f64>>;

/// The Erlang C feasibility of the service-level target(s).
pub(super) struct Feasibility {
    target: Option<(String, f64)>,
    intervals: Vec<IntervalFit>,
    reachable_volume: f64,
    /// Sum over intervals of forecast contacts x Erlang C SL with the scheduled staff.
    weighted_sl: f64,
    total_volume: f64,
    reason: Option<String>,
    /// Notes on how the intervals were read and judged.
    pub(super) observations: Vec<String>,
}

impl Feasibility {
    /// Nothing judged yet against `target` (label, service level).
    fn new(target: Option<(String, f64)>) -> Self {
        Feasibility {
            target,
            intervals: Vec::new(),
            reachable_volume: 0.0,
            weighted_sl: 0.0,
            total_volume: 0.0,
            reason: None,
            observations: Vec::new(),
        }
    }

    /// Feasibility that cannot be judged, and why.
    fn unjudged(reason: &str) -> Self {
        Feasibility {
            reason: Some(reason.to_owned()),
            ..Self::new(None)
        }
    }

    /// Judges the first usable service-level target against the period's
    /// intervals of the `intervals` table.
    pub(super) fn judge(
        ctx: &Context<'_>,
        targets: &[TargetRow],
        period: (NaiveDate, NaiveDate),
        tz: Tz,
        p: &TargetParams,
    ) -> Result<Self, EvalError> {
        let Some((target, sl)) = service_level_target(targets) else {
            return Ok(Self::unjudged("no usable service_level target"));
        };
        let Some(table) = ctx.optional_table("intervals") else {
            return Ok(Self::unjudged("no intervals table"));
        };
        let rows = read_intervals(&table, period, tz)?;
        let mut f = Feasibility::new(Some((target.label(), sl)));
        let (rows, group) = f.scope_rows(rows, target.scope.clone());
        let (intervals, excluded) = pool(rows);
        f.add_intervals(intervals, &group, sl, p);
        f.note_excluded(excluded);
        if f.total_volume <= 0.0 {
            f.reason = Some("no interval with forecast volume in the period".into());
        }
        Ok(f)
    }

    /// The rows of the target's queue when its scope names one; otherwise
    /// every queue, pooled per interval. Returns the rows and their group label.
    fn scope_rows(
        &mut self,
        mut rows: Vec<IntervalRow>,
        scope: Option<String>,
    ) -> (Vec<IntervalRow>, String) {
        let queues_have_scope = scope
            .as_ref()
            .is_some_and(|s| rows.iter().any(|r| r.queue == *s));
        if queues_have_scope {
            let s = scope.unwrap_or_default();
            rows.retain(|r| r.queue == s);
            return (rows, s);
        }
        if let Some(s) = scope {
            self.observations.push(format!(
                "The service-level target's scope `{s}` is not a queue of the intervals table; feasibility is judged over every queue."
            ));
        }
        self.observations.push(
            "Queues are pooled per interval (volume and workload summed, scheduled agents summed): agents are multi-skilled across queues.".to_owned(),
        );
        (rows, "pooled".to_owned())
    }

    /// Erlang C service level of each pooled interval with forecast volume,
    /// against the target `sl`; the totals over the period.
    fn add_intervals(&mut self, intervals: Intervals, group: &str, sl: f64, p: &TargetParams) {
        let policy = Policy::new(p.sl_threshold_seconds, sl);
        let mut bad = 0;
        for ((start, minutes), pooled) in intervals {
            let (demand, seconds) = (pooled.demand, minutes as f64 * 60.0);
            let Some(traffic) = demand.traffic(seconds) else {
                bad += 1;
                continue;
            };
            // No forecast contacts: nothing to judge.
            let Some(aht) = demand.aht_seconds() else {
                continue;
            };
            // Scheduled agents may be fractional shares of a pool; a whole agent
            // counts from half an agent up.
            let agents = pooled.extra.max(0.0).round() as u32;
            let fit = IntervalFit {
                queue: group.to_owned(),
                start,
                forecast: demand.contacts,
                aht,
                scheduled: pooled.extra,
                sl: erlang::service_level(agents, traffic, aht, p.sl_threshold_seconds)
                    .unwrap_or(0.0),
                required: policy.requirement(demand, seconds).ok().map(|r| r.net),
            };
            self.add_fit(fit, sl);
        }
        if bad > 0 {
            self.observations.push(format!(
                "{bad} interval(s) with an unusable length were not judged."
            ));
        }
    }

    /// Adds one judged interval to the period's totals.
    fn add_fit(&mut self, fit: IntervalFit, sl: f64) {
        self.total_volume += fit.forecast;
        self.weighted_sl += fit.forecast * fit.sl;
        if fit.sl + erlang::TARGET_TOLERANCE >= sl {
            self.reachable_volume += fit.forecast;
        }
        self.intervals.push(fit);
    }

    /// Reports the interval rows the pooled bad-row rule left out.
    fn note_excluded(&mut self, excluded: Excluded) {
        if excluded.total() > 0 {
            self.observations.push(format!(
                "{} interval row(s) left out of the pools (with their scheduled agents): {} without a usable forecast_contacts, {} with forecast contacts but no forecast_aht_seconds > 0.",
                excluded.total(),
                excluded.bad_contacts,
                excluded.no_handle_time
            ));
        }
    }

    /// The service level the scheduled staff give the period's forecast
    /// (Erlang C per interval, weighted by forecast contacts): what a period
    /// target is judged on.
    pub(super) fn expected_sl(&self) -> Option<f64> {
        (self.reason.is_none() && self.total_volume > 0.0)
            .then(|| self.weighted_sl / self.total_volume)
    }

    /// Share of forecast volume in intervals whose service level reaches the target.
    pub(super) fn share(&self) -> Option<f64> {
        (self.reason.is_none() && self.total_volume > 0.0)
            .then(|| self.reachable_volume / self.total_volume)
    }

    /// One clause for the evaluation summary.
    pub(super) fn describe(&self) -> String {
        match (self.share(), &self.target, &self.reason) {
            (Some(s), Some((label, sl)), _) => format!(
                "scheduled staff give an expected {} against {label} {} ({} of forecast volume in intervals reaching it)",
                common::pct(self.expected_sl().unwrap_or(0.0)),
                common::pct(*sl),
                common::pct(s)
            ),
            (_, _, Some(r)) => format!("SL feasibility not shown ({r})"),
            _ => "SL feasibility not shown".to_owned(),
        }
    }

    /// Whether the expected period service level reaches the target.
    fn feasible(&self) -> bool {
        match (self.expected_sl(), &self.target) {
            (Some(e), Some((_, sl))) => e + erlang::TARGET_TOLERANCE >= *sl,
            _ => false,
        }
    }

    /// The `sl_target_feasible` check.
    pub(super) fn check(&self, p: &TargetParams) -> Check {
        let target = self
            .target
            .as_ref()
            .map_or("the SL target".to_owned(), |(_, sl)| format!(">= {sl}"));
        Check::new(
            "sl_target_feasible",
            "Service-level target reachable with the scheduled staff (Erlang C service level of the period's forecast, volume-weighted over intervals)",
            self.expected_sl()
                .map_or_else(|| serde_json::Value::from(self.describe()), |s| common::round(s, 4).into()),
            target,
            self.feasible(),
        )
        .weight(p.weight_feasibility)
    }

    /// Intervals below the target, largest forecast volume first.
    fn short(&self) -> Vec<&IntervalFit> {
        let sl = self.target.as_ref().map_or(1.0, |t| t.1);
        let mut v: Vec<&IntervalFit> = self
            .intervals
            .iter()
            .filter(|i| i.sl + erlang::TARGET_TOLERANCE < sl)
            .collect();
        v.sort_by(|a, b| {
            b.forecast
                .total_cmp(&a.forecast)
                .then(a.start.cmp(&b.start))
        });
        v
    }

    /// Drill-down of the intervals below the target, when any interval was judged.
    pub(super) fn drilldown(&self, tz: Tz) -> Option<Drilldown> {
        if self.intervals.is_empty() {
            return None;
        }
        Some(Drilldown {
            id: "sl_infeasible_intervals".into(),
            title: "Intervals whose scheduled staff cannot reach the SL target (largest volume first, up to 50)".into(),
            columns: vec![
                "queue".into(),
                "interval (local)".into(),
                "forecast contacts".into(),
                "forecast AHT s".into(),
                "scheduled".into(),
                "Erlang C SL".into(),
                "agents needed".into(),
            ],
            rows: self
                .short()
                .into_iter()
                .take(50)
                .map(|i| {
                    vec![
                        i.queue.clone().into(),
                        common::local_time_label(i.start, tz).into(),
                        common::round(i.forecast, 1).into(),
                        common::round(i.aht, 1).into(),
                        i.scheduled.into(),
                        common::round(i.sl, 4).into(),
                        i.required.into(),
                    ]
                })
                .collect(),
            units: Vec::new(),
        }.unit_of(&["Erlang C SL"], "ratio"))
    }

    /// Action: re-plan staffing when the target is out of reach, or provide
    /// the interval data when it cannot be judged.
    pub(super) fn action(&self) -> Option<Action> {
        if self.expected_sl().is_some() && !self.feasible() {
            let short = self.short();
            let agents: u64 = short
                .iter()
                .filter_map(|i| {
                    i.required
                        .map(|r| (f64::from(r) - i.scheduled.floor()).max(0.0) as u64)
                })
                .sum();
            Some(Action::new(
                format!(
                    "Re-plan staffing or revise the service-level target: {} interval(s) cannot reach it with the scheduled agents ({agents} agent-intervals short by Erlang C; largest volume first in the drill-down).",
                    short.len()
                ),
                Effort::Medium,
                OwnerRole::Process,
            ))
        } else if self.share().is_none() {
            Some(Action::new(
                "Show the service-level target is feasible: provide interval forecasts with AHT and scheduled agents so Erlang C can test it.",
                Effort::Medium,
                OwnerRole::Technology,
            ))
        } else {
            None
        }
    }
}

/// The definition of a feasible service level.
pub(super) fn definition(p: &TargetParams) -> Definition {
    Definition::new(
        "Feasible service level",
        &format!(
            "Per interval of the period: A = forecast_contacts / (interval_minutes x 60) x forecast_aht_seconds; queues pooled per interval (a row with a missing or negative forecast, or with forecast contacts but no forecast AHT > 0, is left out and counted; an interval without forecast contacts is not judged); Erlang C SL({} s) with the scheduled agents rounded to whole agents; the target is feasible when the period's expected service level (interval SLs weighted by forecast contacts) reaches it; the share of volume in intervals reaching it is reported too.",
            p.sl_threshold_seconds
        ),
    )
}

/// The first service_level target with a comparable value between 0 and 1.
fn service_level_target(targets: &[TargetRow]) -> Option<(&TargetRow, f64)> {
    targets
        .iter()
        .filter(|t| t.kpi == Some(Kpi::ServiceLevel))
        .find_map(|t| {
            t.target_value()
                .filter(|v| (0.0..=1.0).contains(v))
                .map(|v| (t, v))
        })
}

/// One pooled interval per (start, length) under the pooled bad-row rule:
/// forecast and workload summed, scheduled agents summed over the rows admitted.
fn pool(rows: Vec<IntervalRow>) -> (Intervals, Excluded) {
    let mut pool: Pool<(i64, i64), f64> = Pool::new();
    for r in rows {
        if let Some(scheduled) = pool.add((r.start, r.minutes), r.forecast, r.aht) {
            *scheduled += r.scheduled;
        }
    }
    pool.into_parts()
}

/// The interval rows with a start, length and scheduled agents whose local
/// date lies in the period (forecast and AHT are judged when pooled).
fn read_intervals(
    table: &Table,
    period: (NaiveDate, NaiveDate),
    tz: Tz,
) -> Result<Vec<IntervalRow>, EvalError> {
    let rows = table
        .strs("queue")?
        .zip(table.timestamps("interval_start")?)
        .zip(table.i64s("interval_minutes")?)
        .zip(table.f64s("forecast_contacts")?)
        .zip(table.f64s("forecast_aht_seconds")?)
        .zip(table.f64s("scheduled_agents")?);
    let mut out = Vec::new();
    for (((((queue, start), minutes), forecast), aht), scheduled) in rows {
        let (Some(start), Some(minutes), Some(scheduled)) = (start, minutes, scheduled) else {
            continue;
        };
        if !common::local_date(start, tz).is_some_and(|d| d >= period.0 && d <= period.1) {
            continue;
        }
        let queue = queue.unwrap_or("").to_owned();
        out.push(IntervalRow {
            queue,
            start,
            minutes,
            forecast,
            aht,
            scheduled,
        });
    }
    Ok(out)
}

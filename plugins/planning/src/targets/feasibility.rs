//! Whether the service-level target is reachable with the scheduled staff:
//! Erlang C service level per interval of the period (queues pooled per
//! interval unless the target is scoped to one queue), weighted by forecast
//! contacts.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use cxaudit_kpis::Kpi;
use cxaudit_metrics::erlang;
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

/// An interval row as read.
struct IntervalRow {
    minutes: f64,
    fit: IntervalFit,
}

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
        let rows = f.scope_rows(rows, target.scope.clone());
        f.add_intervals(rows, sl, p);
        if f.total_volume <= 0.0 {
            f.reason = Some("no interval with forecast volume in the period".into());
        }
        Ok(f)
    }

    /// The rows of the target's queue when its scope names one; otherwise
    /// every queue, pooled per interval.
    fn scope_rows(
        &mut self,
        mut rows: Vec<IntervalRow>,
        scope: Option<String>,
    ) -> Vec<IntervalRow> {
        let queues_have_scope = scope
            .as_ref()
            .is_some_and(|s| rows.iter().any(|r| r.fit.queue == *s));
        if queues_have_scope {
            let s = scope.unwrap_or_default();
            rows.retain(|r| r.fit.queue == s);
            return rows;
        }
        if let Some(s) = scope {
            self.observations.push(format!(
                "The service-level target's scope `{s}` is not a queue of the intervals table; feasibility is judged over every queue."
            ));
        }
        self.observations.push(
            "Queues are pooled per interval (volume and workload summed, scheduled agents summed): agents are multi-skilled across queues.".to_owned(),
        );
        pool_by_interval(rows)
    }

    /// Erlang C service level of each interval with forecast volume, against
    /// the target `sl`; the totals over the period.
    fn add_intervals(&mut self, rows: Vec<IntervalRow>, sl: f64, p: &TargetParams) {
        let mut bad = 0;
        for mut r in rows {
            let (forecast, aht) = (r.fit.forecast, r.fit.aht);
            let Some(traffic) = erlang::traffic_intensity(forecast, r.minutes * 60.0, aht) else {
                bad += 1;
                continue;
            };
            if forecast <= 0.0 || aht <= 0.0 {
                continue;
            }
            // Scheduled agents may be fractional shares of a pool; a whole agent
            // counts from half an agent up.
            let agents = r.fit.scheduled.max(0.0).round() as u32;
            r.fit.sl =
                erlang::service_level(agents, traffic, aht, p.sl_threshold_seconds).unwrap_or(0.0);
            r.fit.required = erlang::required_agents(&erlang::StaffingTarget::new(
                traffic,
                aht,
                p.sl_threshold_seconds,
                sl,
            ))
            .ok();
            self.total_volume += forecast;
            self.weighted_sl += forecast * r.fit.sl;
            if r.fit.sl + erlang::TARGET_TOLERANCE >= sl {
                self.reachable_volume += forecast;
            }
            self.intervals.push(r.fit);
        }
        if bad > 0 {
            self.observations.push(format!(
                "{bad} interval row(s) with unusable forecast, AHT or length were not judged."
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
        })
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
            "Per interval of the period: A = forecast_contacts / (interval_minutes x 60) x forecast_aht_seconds; queues pooled per interval; Erlang C SL({} s) with the scheduled agents rounded to whole agents; the target is feasible when the period's expected service level (interval SLs weighted by forecast contacts) reaches it; the share of volume in intervals reaching it is reported too.",
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

/// One row per interval start: forecast and scheduled agents summed over
/// queues, AHT weighted by forecast volume.
fn pool_by_interval(rows: Vec<IntervalRow>) -> Vec<IntervalRow> {
    let mut pooled: BTreeMap<(i64, u64), IntervalRow> = BTreeMap::new();
    for r in rows {
        let key = (r.fit.start, r.minutes.to_bits());
        let e = pooled.entry(key).or_insert_with(|| IntervalRow {
            minutes: r.minutes,
            fit: IntervalFit {
                queue: "pooled".to_owned(),
                start: r.fit.start,
                forecast: 0.0,
                aht: 0.0,
                scheduled: 0.0,
                sl: 0.0,
                required: None,
            },
        });
        // `aht` accumulates workload here and is divided back below.
        e.fit.aht += r.fit.forecast * r.fit.aht;
        e.fit.forecast += r.fit.forecast;
        e.fit.scheduled += r.fit.scheduled;
    }
    pooled
        .into_values()
        .map(|mut r| {
            r.fit.aht = if r.fit.forecast > 0.0 {
                r.fit.aht / r.fit.forecast
            } else {
                0.0
            };
            r
        })
        .collect()
}

/// The complete interval rows whose local date lies in the period.
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
        let (Some(start), Some(minutes), Some(forecast), Some(aht), Some(scheduled)) =
            (start, minutes, forecast, aht, scheduled)
        else {
            continue;
        };
        if !common::local_date(start, tz).is_some_and(|d| d >= period.0 && d <= period.1) {
            continue;
        }
        let queue = queue.unwrap_or("").to_owned();
        out.push(IntervalRow {
            minutes: minutes as f64,
            fit: IntervalFit {
                queue,
                start,
                forecast,
                aht,
                scheduled,
                sl: 0.0,
                required: None,
            },
        });
    }
    Ok(out)
}

//! The requirement: staffing units built from interval rows, and the agents
//! each needs under the queueing model (Erlang C or Erlang A), net and with
//! shrinkage, for its actual demand and for its forecast.

use cxaudit_metrics::erlang;
use cxaudit_metrics::pooled::{Demand, Excluded, Policy, Pool};
use cxaudit_plugin_sdk::prelude::*;

use super::Params;
use crate::common::IntervalRow;

/// The queueing model of the requirement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Model {
    /// Erlang C: callers wait for ever.
    ErlangC,
    /// Erlang A: callers abandon after an exponential patience (mean, seconds).
    ErlangA { patience: f64 },
}

impl Model {
    /// The model the parameters name.
    pub(super) fn from_params(p: &Params) -> Result<Self, EvalError> {
        match p.model.as_str() {
            "erlang_c" => Ok(Model::ErlangC),
            "erlang_a" => Ok(Model::ErlangA {
                patience: p.patience_seconds,
            }),
            other => Err(EvalError::Failed(format!(
                "model `{other}` is not erlang_c or erlang_a"
            ))),
        }
    }

    /// The model's name, for the summary and definitions.
    pub(super) fn name(&self) -> String {
        match self {
            Model::ErlangC => "Erlang C".into(),
            Model::ErlangA { patience } => format!("Erlang A (patience {patience} s)"),
        }
    }

    /// Net agents (before shrinkage) `demand` needs in unit `u`'s interval;
    /// 0 without contacts.
    pub(super) fn required_for(
        &self,
        u: &Unit,
        demand: Demand,
        policy: &Policy,
    ) -> Result<u32, EvalError> {
        let seconds = u.minutes as f64 * 60.0;
        let fail = |e: cxaudit_metrics::MetricError| {
            EvalError::Failed(format!(
                "{} requirement for {} at {}: {e}",
                self.name(),
                u.group,
                u.start
            ))
        };
        match self {
            Model::ErlangC => policy
                .requirement(demand, seconds)
                .map(|r| r.net)
                .map_err(fail),
            Model::ErlangA { patience } => {
                let (Some(traffic), Some(aht)) = (demand.traffic(seconds), demand.aht_seconds())
                else {
                    return Ok(0);
                };
                let (t, sl) = (policy.threshold_seconds, policy.service_level);
                erlang_a_required(traffic, aht, *patience, t, sl).map_err(fail)
            }
        }
    }
}

/// Smallest N whose Erlang A service level reaches `sl` (service level
/// rises with N: doubling search, then bisection).
pub fn erlang_a_required(
    traffic: f64,
    aht: f64,
    patience: f64,
    t: f64,
    sl: f64,
) -> Result<u32, cxaudit_metrics::MetricError> {
    let meets = |n: u32| -> Result<bool, cxaudit_metrics::MetricError> {
        Ok(
            erlang::erlang_a(n, traffic, aht, patience, t)?.service_level
                >= sl - erlang::TARGET_TOLERANCE,
        )
    };
    let limit =
        (traffic.ceil() + 50.0 * traffic.sqrt() + 1000.0).min(f64::from(u32::MAX / 2)) as u32;
    let mut hi = (traffic.ceil() as u32).max(1);
    while !meets(hi)? {
        if hi >= limit {
            return Err(cxaudit_metrics::MetricError::NoSolution);
        }
        hi = (hi * 2).min(limit);
    }
    let mut lo = 0u32; // lo never meets (0 agents serve nobody), hi meets
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if meets(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(hi)
}

/// A staffing unit: one queue-interval, or every queue of one interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Queue, or `pooled`.
    pub group: String,
    /// Start, UTC seconds.
    pub start: i64,
    /// Length, minutes.
    pub minutes: i64,
    /// Actual demand (actual AHT, else forecast AHT), pooled under the bad-row rule.
    pub demand: Demand,
    /// Forecast demand (forecast AHT, else actual AHT); `None` when a row's
    /// forecast has contacts but no AHT, so the forecast cannot be sized.
    pub forecast: Option<Demand>,
    /// Scheduled agents.
    pub scheduled: f64,
    /// WFM required agents (None when any row of the unit has none).
    pub wfm_required: Option<f64>,
}

/// A unit with its Erlang requirement.
#[derive(Debug, Clone)]
pub(super) struct Judged {
    /// The unit.
    pub(super) unit: Unit,
    /// Net agents before shrinkage.
    pub(super) net: f64,
    /// Net agents the forecast (the WFM tool's own input) needs; None when the
    /// model cannot size it.
    pub(super) net_forecast: Option<f64>,
    /// Scheduled agents required (with shrinkage): R.
    pub(super) required: f64,
}

impl Judged {
    /// Scheduled minus required agents: negative when short.
    pub(super) fn gap(&self) -> f64 {
        self.unit.scheduled - self.required
    }
}

/// Sizes every unit: the net requirement of its actual demand, the
/// scheduled requirement R with shrinkage and, for the WFM check, the net
/// requirement of its forecast.
pub(super) fn judge(
    units: Vec<Unit>,
    model: &Model,
    sl_target: f64,
    p: &Params,
) -> Result<Vec<Judged>, EvalError> {
    let policy = Policy::new(p.threshold_seconds, sl_target).with_shrinkage(p.shrinkage);
    let mut judged = Vec::with_capacity(units.len());
    for u in units {
        let net = model.required_for(&u, u.demand, &policy)?;
        let sched_req = policy
            .scheduled(net)
            .map_err(|e| EvalError::Failed(format!("scheduled requirement: {e}")))?;
        // The forecast only feeds the WFM check: a unit it cannot size is left out of it.
        let net_forecast = u
            .forecast
            .and_then(|f| model.required_for(&u, f, &policy).ok())
            .map(f64::from);
        judged.push(Judged {
            unit: u,
            net: f64::from(net),
            net_forecast,
            required: f64::from(sched_req),
        });
    }
    Ok(judged)
}

/// AHT of a row: actual, else forecast; `None` when neither is > 0.
fn row_aht(r: &IntervalRow) -> Option<f64> {
    r.actual_aht
        .filter(|a| *a > 0.0)
        .or(r.forecast_aht.filter(|a| *a > 0.0))
}

/// What a unit pools beside its actual demand.
#[derive(Debug, Clone, Default)]
struct UnitSums {
    minutes: i64,
    forecast: Demand,
    forecast_unsizable: bool,
    scheduled: f64,
    wfm_required: f64,
    wfm_missing: bool,
}

impl UnitSums {
    /// Adds an admitted row's forecast, staff and WFM requirement.
    fn add(&mut self, r: &IntervalRow) {
        if self.minutes == 0 {
            self.minutes = r.minutes;
        }
        let forecast_aht = r.forecast_aht.filter(|a| *a > 0.0).or(row_aht(r));
        match Demand::admit(Some(r.forecast), forecast_aht) {
            Ok(d) => self.forecast.add(d),
            Err(_) => self.forecast_unsizable = true,
        }
        self.scheduled += r.scheduled;
        match r.required {
            Some(w) => self.wfm_required += w,
            None => self.wfm_missing = true,
        }
    }
}

/// Builds staffing units from the rows under the pooled bad-row rule
/// (`cxaudit_metrics::pooled`); returns them and the rows left out (with
/// volume but no AHT).
pub fn build_units(rows: &[IntervalRow], pooled: bool) -> (Vec<Unit>, Excluded) {
    let mut pool: Pool<(i64, String), UnitSums> = Pool::new();
    for r in rows {
        let group = if pooled {
            "pooled".to_owned()
        } else {
            r.queue.clone()
        };
        if let Some(sums) = pool.add((r.start, group), Some(r.actual), row_aht(r)) {
            sums.add(r);
        }
    }
    let (intervals, excluded) = pool.into_parts();
    let units = intervals
        .into_iter()
        .map(|((start, group), p)| Unit {
            group,
            start,
            minutes: p.extra.minutes,
            demand: p.demand,
            forecast: (!p.extra.forecast_unsizable).then_some(p.extra.forecast),
            scheduled: p.extra.scheduled,
            wfm_required: (!p.extra.wfm_missing).then_some(p.extra.wfm_required),
        })
        .collect();
    (units, excluded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staffing_fit::StaffingFit;
    use crate::staffing_fit::fixtures::pooled_host;
    use serde_json::json;

    #[test]
    fn erlang_a_with_huge_patience_matches_erlang_c() {
        assert_eq!(erlang_a_required(10.0, 180.0, 1e9, 20.0, 0.8).unwrap(), 14);
        let e = pooled_host().run(
            &StaffingFit,
            json!({"model": "erlang_a", "patience_seconds": 1e9}),
        );
        assert_eq!(e.score, Some(0.75));
        let bad = pooled_host().run(&StaffingFit, json!({"pooling": "by_site"}));
        assert_eq!(bad.status, Status::Error);
    }
}

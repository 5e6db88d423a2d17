//! The requirement: staffing units built from interval rows, and the agents
//! each needs, net and with shrinkage, for its actual demand (with the band
//! of arrival noise around it) and for its forecast. Each channel's workload
//! is modelled as a WFM analyst would: the queueing model (Erlang C or
//! Erlang A) for the live channels, voice and chat (chat's workload shared
//! by the sessions an agent runs at once) in one pool, the work content for
//! e-mail and messaging (see [`Workload`]).

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

/// How a channel's workload becomes agents, as a WFM analyst models it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Live contacts that queue (voice, and rows that state no channel):
    /// the queueing model at the service-level target.
    Queue,
    /// Chat: the queueing model on the workload shared by the sessions an
    /// agent runs at once (traffic / concurrency).
    Chat,
    /// Asynchronous work answered against a response time of hours (e-mail,
    /// messaging): its work content per interval, no queueing.
    Backlog,
    /// Self-service: no agent.
    Unstaffed,
}

impl Workload {
    /// The workload class of a row's channel; no channel is `Queue` (the
    /// model of an export that does not say).
    pub fn of(channel: Option<&str>) -> Self {
        match channel {
            Some("chat") => Workload::Chat,
            Some("email") | Some("messaging") => Workload::Backlog,
            Some("self_service") => Workload::Unstaffed,
            _ => Workload::Queue,
        }
    }

    /// Index in a unit's per-class demand; `None` for unstaffed work.
    fn index(self) -> Option<usize> {
        match self {
            Workload::Queue => Some(0),
            Workload::Chat => Some(1),
            Workload::Backlog => Some(2),
            Workload::Unstaffed => None,
        }
    }
}

/// Demand of a unit by workload class: queue, chat, backlog.
pub type ClassDemand = [Demand; 3];

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
    /// The actual demand by workload class (queue, chat, backlog).
    pub classes: ClassDemand,
    /// Forecast demand by class (forecast AHT, else actual AHT); `None` when
    /// a row's forecast has contacts but no AHT, so the forecast cannot be sized.
    pub forecast: Option<ClassDemand>,
    /// Scheduled agents.
    pub scheduled: f64,
    /// WFM required agents (None when any row of the unit has none).
    pub wfm_required: Option<f64>,
}

/// A unit with its requirement.
#[derive(Debug, Clone)]
pub(super) struct Judged {
    /// The unit.
    pub(super) unit: Unit,
    /// Net agents before shrinkage, actual demand (summed over the classes).
    pub(super) net: f64,
    /// Net agents the forecast needs; None when the model cannot size it.
    pub(super) net_forecast: Option<f64>,
    /// Agents the actual demand required with shrinkage: R = net / (1 - shrinkage).
    pub(super) required: f64,
    /// Agents the forecast required with shrinkage: the plan's requirement.
    pub(super) required_forecast: Option<f64>,
    /// R at the low edge of the arrival-noise band of the actual volume.
    pub(super) required_low: f64,
    /// R at the high edge of the arrival-noise band of the actual volume.
    pub(super) required_high: f64,
}

impl Judged {
    /// Scheduled minus required agents: negative when short.
    pub(super) fn gap(&self) -> f64 {
        self.unit.scheduled - self.required
    }
}

/// How demand becomes net agents: the model, the policy and the chat
/// concurrency.
pub(super) struct Sizing<'a> {
    /// The queueing model.
    pub(super) model: &'a Model,
    /// Service level, threshold and shrinkage.
    pub(super) policy: Policy,
    /// Chat sessions an agent handles at once.
    pub(super) concurrency: f64,
}

impl Sizing<'_> {
    /// Net agents (fractional: backlog work is) unit `u` needs for `demand`
    /// by class. Voice and chat are answered live by the same agents, so
    /// they form one queueing pool: the queueing model on their summed
    /// contacts and workload, chat's workload shared by `concurrency`
    /// sessions (sizing each channel alone and summing would give up the
    /// pooling gain a multi-skilled team has). Backlog work adds its work
    /// content / interval, with no queueing.
    pub(super) fn net(&self, u: &Unit, demand: &ClassDemand) -> Result<f64, EvalError> {
        let seconds = u.minutes as f64 * 60.0;
        let mut live = demand[0];
        live.add(Demand {
            contacts: demand[1].contacts,
            workload_seconds: demand[1].workload_seconds / self.concurrency,
        });
        let queue = self.model.required_for(u, live, &self.policy)?;
        let backlog = demand[2].workload_seconds / seconds;
        Ok(f64::from(queue) + backlog)
    }

    /// Agents with shrinkage for `net`: `net / (1 - shrinkage)`, not rounded
    /// (scheduled agents are fractional averages over the interval).
    pub(super) fn with_shrinkage(&self, net: f64) -> f64 {
        net / (1.0 - self.policy.shrinkage)
    }
}

/// `demand` with every class's contacts moved `z` Poisson standard
/// deviations (`c + z sqrt(c)`, at least 0) at the same AHT.
fn shifted(demand: &ClassDemand, z: f64) -> ClassDemand {
    demand.map(|d| match d.aht_seconds() {
        Some(aht) => {
            let contacts = (d.contacts + z * d.contacts.sqrt()).max(0.0);
            Demand {
                contacts,
                workload_seconds: contacts * aht,
            }
        }
        None => d,
    })
}

/// Sizes every unit: the requirement of its actual demand with its
/// arrival-noise band, and the requirement of its forecast (the plan's).
pub(super) fn judge(
    units: Vec<Unit>,
    model: &Model,
    sl_target: f64,
    p: &Params,
) -> Result<Vec<Judged>, EvalError> {
    let sizing = Sizing {
        model,
        policy: Policy::new(p.threshold_seconds, sl_target).with_shrinkage(p.shrinkage),
        concurrency: p.chat_concurrency,
    };
    let mut judged = Vec::with_capacity(units.len());
    for u in units {
        let net = sizing.net(&u, &u.classes)?;
        let low = sizing.net(&u, &shifted(&u.classes, -p.noise_z))?;
        let high = sizing.net(&u, &shifted(&u.classes, p.noise_z))?;
        // A forecast the model cannot size is left out of the plan and WFM checks.
        let net_forecast = u.forecast.and_then(|f| sizing.net(&u, &f).ok());
        judged.push(Judged {
            required: sizing.with_shrinkage(net),
            required_forecast: net_forecast.map(|n| sizing.with_shrinkage(n)),
            required_low: sizing.with_shrinkage(low),
            required_high: sizing.with_shrinkage(high),
            unit: u,
            net,
            net_forecast,
        });
    }
    Ok(judged)
}

/// AHT of a row for the requirement: the actual when it is > 0, else the
/// forecast. A zero actual AHT with contacts means the export recorded no
/// handle time for them (contacts still in progress at the interval's end,
/// or a gap in the export), not work that took no time: the forecast AHT
/// stands in. `None` when neither is > 0 (the row is left out and counted).
fn row_aht(r: &IntervalRow) -> Option<f64> {
    r.actual_aht
        .filter(|a| *a > 0.0)
        .or(r.forecast_aht.filter(|a| *a > 0.0))
}

/// What a unit pools beside its actual demand.
#[derive(Debug, Clone, Default)]
struct UnitSums {
    minutes: i64,
    classes: ClassDemand,
    forecast: ClassDemand,
    forecast_unsizable: bool,
    scheduled: f64,
    wfm_required: f64,
    wfm_missing: bool,
}

impl UnitSums {
    /// Adds an admitted row's class demand, forecast, staff and WFM requirement.
    fn add(&mut self, r: &IntervalRow, actual: Demand) {
        if self.minutes == 0 {
            self.minutes = r.minutes;
        }
        let class = Workload::of(r.channel.as_deref()).index();
        if let Some(k) = class {
            self.classes[k].add(actual);
        }
        let forecast_aht = r.forecast_aht.filter(|a| *a > 0.0).or(row_aht(r));
        match Demand::admit(Some(r.forecast), forecast_aht) {
            Ok(d) => {
                if let Some(k) = class {
                    self.forecast[k].add(d);
                }
            }
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
        let aht = row_aht(r);
        if let Some(sums) = pool.add((r.start, group), Some(r.actual), aht) {
            // Admitted: the same rule gives the row's own demand.
            let actual = Demand::admit(Some(r.actual), aht).unwrap_or_default();
            sums.add(r, actual);
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
            classes: p.extra.classes,
            forecast: (!p.extra.forecast_unsizable).then_some(p.extra.forecast),
            scheduled: p.extra.scheduled,
            wfm_required: (!p.extra.wfm_missing).then_some(p.extra.wfm_required),
        })
        .collect();
    (units, excluded)
}

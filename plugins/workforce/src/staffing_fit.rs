//! WF2: capacity and staffing fit. Scheduled staff per interval against the
//! Erlang C (or Erlang A) requirement from actual volume and AHT, pooled
//! across the queues of an interval or per queue; the WFM tool's own
//! requirement checked against Erlang.

use std::collections::BTreeMap;

use cxaudit_metrics::erlang::{self, StaffingTarget};
use cxaudit_metrics::staffing;
use cxaudit_plugin_sdk::prelude::*;
use serde::Deserialize;

use crate::common::{
    IntervalRow, KpiTarget, LocalSlot, WEEKDAYS, WeekGrid, at_least, at_most, clock,
    evaluation_from_credits, kpi_targets_need, measured, pct, read_intervals, read_targets, round2,
    round4, slot_cells, time_zone,
};

/// Parameters of [`StaffingFit`].
#[derive(Debug, Clone, Deserialize)]
pub struct Params {
    /// Service-level target (fraction), unless `kpi_targets` sets one.
    pub target_service_level: f64,
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
        .parameter(ParamSpec::number("target_service_level", 0.80).min(0.0).max(1.0).describe("service-level target (ratio) when kpi_targets has no service_level row"))
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
        let pooled = match p.pooling.as_str() {
            "per_interval" => true,
            "per_queue" => false,
            other => {
                return Err(EvalError::Failed(format!(
                    "pooling `{other}` is not per_interval or per_queue"
                )));
            }
        };
        if !(0.0..1.0).contains(&p.shrinkage) {
            return Err(EvalError::Failed(format!(
                "shrinkage {} must be in [0, 1)",
                p.shrinkage
            )));
        }
        let table = ctx.table("intervals")?;
        let data = read_intervals(&table)?;
        let targets = read_targets(
            ctx.optional_table("kpi_targets").as_ref(),
            &["service_level"],
        )?;
        let sl_target = targets
            .get("service_level")
            .map_or(p.target_service_level, |t| t.target);
        if !(0.0..=1.0).contains(&sl_target) {
            return Err(EvalError::MissingEvidence(format!(
                "service_level target {sl_target} is not a ratio in [0, 1]"
            )));
        }
        let tz = time_zone(ctx)?;
        let (units, bad_aht) = build_units(&data.rows, pooled);
        let mut judged = Vec::with_capacity(units.len());
        for u in units {
            let net = model.required(&u, sl_target, p.threshold_seconds)?;
            let sched_req = erlang::scheduled_agents(net, p.shrinkage)
                .map_err(|e| EvalError::Failed(format!("scheduled requirement: {e}")))?;
            // The forecast only feeds the WFM check: a unit it cannot size is left out of it.
            let net_forecast = model
                .required_for(
                    &u,
                    u.forecast_volume,
                    u.forecast_workload,
                    sl_target,
                    p.threshold_seconds,
                )
                .ok()
                .map(f64::from);
            judged.push(Judged {
                unit: u,
                net: f64::from(net),
                net_forecast,
                required: f64::from(sched_req),
            });
        }
        if judged.is_empty() {
            return Err(EvalError::MissingEvidence(format!(
                "no usable interval ({} rows skipped, {bad_aht} without an AHT)",
                data.skipped
            )));
        }
        let r: Vec<f64> = judged.iter().map(|j| j.required).collect();
        let s: Vec<f64> = judged.iter().map(|j| j.unit.scheduled).collect();
        let under = staffing::under_staffing(&r, &s).ok();
        let over = staffing::over_staffing(&r, &s).ok();
        let (cell_r, cell_s) = weekly_pattern(&judged, tz);
        let pearson = staffing::pearson_fit(&cell_r, &cell_s).ok();
        let r2 = staffing::r2_fit(&cell_r, &cell_s).ok();
        let share_under = judged
            .iter()
            .filter(|j| j.unit.scheduled < j.required - 1e-9)
            .count() as f64
            / judged.len() as f64;
        let wfm = wfm_difference(&judged);

        let scored = vec![
            at_most(
                "under_staffing",
                "Under-staffing sum max(R - S, 0) / sum R",
                under,
                p.max_under_staffing,
            ),
            at_most(
                "over_staffing",
                "Over-staffing sum max(S - R, 0) / sum R",
                over,
                p.max_over_staffing,
            ),
            at_least(
                "pattern_fit",
                "The weekly staffing pattern follows the requirement's (Pearson r over weekday x interval means; the level is judged by under- and over-staffing)",
                pearson,
                p.min_pattern_r,
            ),
            at_most(
                "wfm_requirement",
                "WFM tool's required_agents against the Erlang net requirement of the forecast (sum |W - N_f| / sum N_f)",
                wfm.difference,
                p.tolerance,
            ),
        ];
        let pool_word = if pooled {
            "pooled per interval"
        } else {
            "per queue"
        };
        let summary = format!(
            "{} intervals ({pool_word}) against {} for SL {} in {} s with {} shrinkage: under-staffing {}, over-staffing {}, weekly pattern r {} (R2 fit {}), {} of intervals short; WFM requirement differs by {} (tolerance {}).",
            judged.len(),
            model.name(),
            pct(sl_target),
            p.threshold_seconds,
            pct(p.shrinkage),
            under.map_or("n/a".into(), pct),
            over.map_or("n/a".into(), pct),
            pearson.map_or("n/a".into(), |x| format!("{x:.2}")),
            r2.map_or("n/a".into(), |x| format!("{x:.2}")),
            pct(share_under),
            wfm.difference
                .map_or_else(|| format!("n/a ({})", wfm.why_not_compared()), pct),
            pct(p.tolerance),
        );
        let mut e = evaluation_from_credits(scored, summary);
        e.measurements = vec![
            Measurement::new(
                "under_staffing",
                under,
                "ratio",
                "sum max(R - S, 0) / sum R",
            ),
            Measurement::new("over_staffing", over, "ratio", "sum max(S - R, 0) / sum R"),
            Measurement::new(
                "pearson_r",
                pearson,
                "correlation",
                "Pearson correlation of R and S, means per weekday x interval (x queue when per_queue)",
            ),
            Measurement::new(
                "r2_fit",
                r2,
                "coefficient",
                "1 - sum (R - S)^2 / sum (R - mean R)^2 over means per weekday x interval (x queue when per_queue)",
            ),
            Measurement::new(
                "share_intervals_understaffed",
                Some(share_under),
                "ratio",
                "intervals with S < R / intervals",
            ),
            Measurement::new(
                "wfm_requirement_difference",
                wfm.difference,
                "ratio",
                "sum |WFM required - Erlang net of the forecast| / sum Erlang net of the forecast",
            ),
            Measurement::new(
                "service_level_target",
                Some(sl_target),
                "ratio",
                "SL target used",
            ),
        ];
        e.definitions = definitions(&model, pooled, sl_target, p);
        e.observations = observations(&targets, &data, bad_aht, &wfm, pooled, p);
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

/// The queueing model of the requirement.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Model {
    ErlangC,
    ErlangA { patience: f64 },
}

impl Model {
    fn from_params(p: &Params) -> Result<Self, EvalError> {
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

    fn name(&self) -> String {
        match self {
            Model::ErlangC => "Erlang C".into(),
            Model::ErlangA { patience } => format!("Erlang A (patience {patience} s)"),
        }
    }

    /// Net agents (before shrinkage) a unit's actual demand needs; 0 without volume.
    fn required(&self, u: &Unit, sl: f64, t: f64) -> Result<u32, EvalError> {
        self.required_for(u, u.volume, u.workload, sl, t)
    }

    /// Net agents for `volume` contacts of `workload` contact-seconds in the unit's interval.
    fn required_for(
        &self,
        u: &Unit,
        volume: f64,
        workload: f64,
        sl: f64,
        t: f64,
    ) -> Result<u32, EvalError> {
        if volume <= 0.0 || workload <= 0.0 {
            return Ok(0);
        }
        let aht = workload / volume;
        let traffic = workload / (u.minutes as f64 * 60.0);
        let fail = |e: cxaudit_metrics::MetricError| {
            EvalError::Failed(format!(
                "{} requirement for {} at {}: {e}",
                self.name(),
                u.group,
                u.start
            ))
        };
        match self {
            Model::ErlangC => {
                erlang::required_agents(&StaffingTarget::new(traffic, aht, t, sl)).map_err(fail)
            }
            Model::ErlangA { patience } => {
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
    /// Actual contacts.
    pub volume: f64,
    /// Actual workload, contact-seconds.
    pub workload: f64,
    /// Forecast contacts.
    pub forecast_volume: f64,
    /// Forecast workload, contact-seconds (forecast AHT, else actual AHT).
    pub forecast_workload: f64,
    /// Scheduled agents.
    pub scheduled: f64,
    /// WFM required agents (None when any row of the unit has none).
    pub wfm_required: Option<f64>,
}

/// A unit with its Erlang requirement.
#[derive(Debug, Clone)]
struct Judged {
    unit: Unit,
    /// Net agents before shrinkage.
    net: f64,
    /// Net agents the forecast (the WFM tool's own input) needs; None when the
    /// model cannot size it.
    net_forecast: Option<f64>,
    /// Scheduled agents required (with shrinkage): R.
    required: f64,
}

impl Judged {
    fn gap(&self) -> f64 {
        self.unit.scheduled - self.required
    }
}

/// AHT of a row: actual, else forecast; `None` when neither is > 0.
fn row_aht(r: &IntervalRow) -> Option<f64> {
    r.actual_aht
        .filter(|a| *a > 0.0)
        .or(r.forecast_aht.filter(|a| *a > 0.0))
}

/// Builds staffing units; returns them and the rows left out because they
/// have volume but no AHT.
pub fn build_units(rows: &[IntervalRow], pooled: bool) -> (Vec<Unit>, usize) {
    let mut units: BTreeMap<(i64, String), Unit> = BTreeMap::new();
    let mut bad_aht = 0;
    for r in rows {
        let aht = row_aht(r);
        if r.actual > 0.0 && aht.is_none() {
            bad_aht += 1;
            continue;
        }
        let group = if pooled {
            "pooled".to_owned()
        } else {
            r.queue.clone()
        };
        let u = units
            .entry((r.start, group.clone()))
            .or_insert_with(|| Unit {
                group,
                start: r.start,
                minutes: r.minutes,
                volume: 0.0,
                workload: 0.0,
                forecast_volume: 0.0,
                forecast_workload: 0.0,
                scheduled: 0.0,
                wfm_required: Some(0.0),
            });
        u.volume += r.actual;
        u.workload += r.actual * aht.unwrap_or(0.0);
        u.forecast_volume += r.forecast;
        u.forecast_workload +=
            r.forecast * r.forecast_aht.filter(|a| *a > 0.0).or(aht).unwrap_or(0.0);
        u.scheduled += r.scheduled;
        u.wfm_required = match (u.wfm_required, r.required) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
    }
    (units.into_values().collect(), bad_aht)
}

/// The WFM requirement compared with Erlang.
#[derive(Debug, Clone, Default)]
struct WfmComparison {
    /// sum |W - N_f| / sum N_f; None when nothing is comparable.
    difference: Option<f64>,
    /// Units with both figures.
    compared: usize,
    /// Units without required_agents.
    missing: usize,
    /// Units whose forecast the model cannot size.
    unsizable: usize,
}

impl WfmComparison {
    /// Why no difference could be computed.
    fn why_not_compared(&self) -> &'static str {
        if self.compared == 0 && self.unsizable == 0 {
            "required_agents is empty"
        } else if self.compared == 0 {
            "no interval has both required_agents and a forecast the model can size"
        } else {
            "the forecast needs no agent in any compared interval"
        }
    }
}

fn wfm_difference(judged: &[Judged]) -> WfmComparison {
    let mut c = WfmComparison::default();
    let mut abs_diff = 0.0;
    let mut total = 0.0;
    for j in judged {
        match (j.unit.wfm_required, j.net_forecast) {
            (None, _) => c.missing += 1,
            (Some(_), None) => c.unsizable += 1,
            (Some(w), Some(n)) => {
                abs_diff += (w - n).abs();
                total += n;
                c.compared += 1;
            }
        }
    }
    c.difference = (total > 0.0).then(|| abs_diff / total);
    c
}

/// Mean requirement R and mean scheduled S per (group, weekday, local start
/// minute): the weekly staffing pattern, in key order.
fn weekly_pattern(judged: &[Judged], tz: chrono_tz::Tz) -> (Vec<f64>, Vec<f64>) {
    let mut cells: BTreeMap<(&str, usize, u32), (f64, f64, f64)> = BTreeMap::new();
    for j in judged {
        let Some(slot) = LocalSlot::of(j.unit.start, tz) else {
            continue;
        };
        let c = cells
            .entry((j.unit.group.as_str(), slot.weekday, slot.minute))
            .or_default();
        c.0 += j.required;
        c.1 += j.unit.scheduled;
        c.2 += 1.0;
    }
    cells.values().map(|(r, s, n)| (r / n, s / n)).unzip()
}

/// Mean gap (scheduled - required) per group, weekday and local start minute.
type Cells = BTreeMap<String, BTreeMap<(usize, u32), (f64, usize, i64)>>;

fn group_cells(judged: &[Judged], tz: chrono_tz::Tz) -> Cells {
    let mut cells: Cells = BTreeMap::new();
    for j in judged {
        let Some(s) = LocalSlot::of(j.unit.start, tz) else {
            continue;
        };
        let c = cells
            .entry(j.unit.group.clone())
            .or_default()
            .entry((s.weekday, s.minute))
            .or_insert((0.0, 0, j.unit.minutes));
        c.0 += j.gap();
        c.1 += 1;
    }
    cells
}

/// A run of consecutive slots of one weekday with the same shortfall (or
/// surplus) in whole agents.
#[derive(Debug, Clone, PartialEq)]
struct Run {
    group: String,
    weekday: usize,
    from: u32,
    to: u32,
    agents: u32,
    weight: f64,
}

fn runs(cells: &Cells, shortfall: bool) -> Vec<Run> {
    let mut out = Vec::new();
    for (group, slots) in cells {
        let mut current: Option<Run> = None;
        for (&(weekday, minute), &(sum, n, len)) in slots {
            let mean = sum / n as f64;
            let amount = if shortfall { -mean } else { mean };
            let qualifies = amount >= if shortfall { 0.5 } else { 1.0 };
            let agents = if shortfall {
                (amount - 1e-9).ceil()
            } else {
                (amount + 1e-9).floor()
            }
            .max(0.0) as u32;
            let contiguous = current
                .as_ref()
                .is_some_and(|r| r.weekday == weekday && r.to == minute && r.agents == agents);
            if qualifies && contiguous {
                if let Some(r) = current.as_mut() {
                    r.to = minute + len as u32;
                    r.agents = r.agents.max(agents);
                    r.weight += amount;
                }
            } else {
                out.extend(current.take());
                if qualifies {
                    current = Some(Run {
                        group: group.clone(),
                        weekday,
                        from: minute,
                        to: minute + len as u32,
                        agents,
                        weight: amount,
                    });
                }
            }
        }
        out.extend(current);
    }
    out.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then_with(|| (a.weekday, a.from).cmp(&(b.weekday, b.from)))
    });
    out
}

fn gap_actions(cells: &Cells, pooled: bool) -> Vec<Action> {
    let scope = |g: &str| {
        if pooled {
            "pooled queues".to_owned()
        } else {
            format!("queue {g}")
        }
    };
    // `3 agents` and `Mon 09:00-10:30 on queue b` of a run.
    let agents = |r: &Run| format!("{} agent{}", r.agents, if r.agents == 1 { "" } else { "s" });
    let when = |r: &Run| {
        format!(
            "{} {}-{} on {}",
            WEEKDAYS[r.weekday],
            clock(r.from),
            clock(r.to),
            scope(&r.group)
        )
    };
    let mut out: Vec<Action> = runs(cells, true)
        .into_iter()
        .take(5)
        .map(|r| {
            Action::new(
                format!(
                    "Add {} {} (scheduled below the Erlang requirement on average).",
                    agents(&r),
                    when(&r)
                ),
                Effort::Medium,
                OwnerRole::Process,
            )
        })
        .collect();
    out.extend(runs(cells, false).into_iter().take(3).map(|r| {
        Action::new(
            format!(
                "Move {} out of {} (scheduled above the requirement) to the short intervals.",
                agents(&r),
                when(&r)
            ),
            Effort::Low,
            OwnerRole::Process,
        )
    }));
    out
}

fn gap_heatmaps(judged: &[Judged], tz: chrono_tz::Tz) -> Vec<Chart> {
    let mut grids: BTreeMap<&str, WeekGrid> = BTreeMap::new();
    for j in judged {
        let Some(s) = LocalSlot::of(j.unit.start, tz) else {
            continue;
        };
        grids
            .entry(j.unit.group.as_str())
            .or_default()
            .add(s.weekday, s.hour(), j.gap());
    }
    grids
        .into_iter()
        .map(|(g, grid)| {
            grid.chart(
                &format!("gap_heatmap_{g}"),
                &format!("Mean staffing gap (scheduled - required) by weekday x hour, {g}"),
                "agents",
            )
        })
        .collect()
}

fn worst_drilldown(judged: &[Judged], tz: chrono_tz::Tz, n: usize) -> Drilldown {
    let mut sorted: Vec<&Judged> = judged.iter().collect();
    sorted.sort_by(|a, b| {
        a.gap()
            .total_cmp(&b.gap())
            .then_with(|| a.unit.start.cmp(&b.unit.start))
    });
    Drilldown {
        id: "worst_intervals".into(),
        title: "Most under-staffed intervals".into(),
        columns: [
            "group",
            "interval_local",
            "weekday_hour",
            "actual_contacts",
            "aht_seconds",
            "traffic_erlangs",
            "required_net",
            "required_scheduled",
            "scheduled",
            "gap",
            "wfm_required",
            "required_net_forecast",
        ]
        .map(String::from)
        .to_vec(),
        rows: sorted
            .into_iter()
            .take(n)
            .map(|j| {
                let u = &j.unit;
                let [interval_local, weekday_hour] = slot_cells(u.start, tz);
                let aht = if u.volume > 0.0 {
                    round2(u.workload / u.volume).into()
                } else {
                    serde_json::Value::Null
                };
                vec![
                    u.group.clone().into(),
                    interval_local,
                    weekday_hour,
                    round2(u.volume).into(),
                    aht,
                    round4(u.workload / (u.minutes as f64 * 60.0)).into(),
                    j.net.into(),
                    j.required.into(),
                    round2(u.scheduled).into(),
                    round2(j.gap()).into(),
                    u.wfm_required
                        .map_or(serde_json::Value::Null, |w| round2(w).into()),
                    j.net_forecast.map_or(serde_json::Value::Null, Into::into),
                ]
            })
            .collect(),
    }
}

fn group_drilldown(judged: &[Judged]) -> Drilldown {
    let mut groups: BTreeMap<&str, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for j in judged {
        let g = groups.entry(j.unit.group.as_str()).or_default();
        g.0.push(j.required);
        g.1.push(j.unit.scheduled);
    }
    Drilldown {
        id: "per_group".into(),
        title: "Staffing fit per queue (or pool)".into(),
        columns: [
            "group",
            "intervals",
            "required_agent_intervals",
            "scheduled_agent_intervals",
            "under_staffing",
            "over_staffing",
            "r2_fit_per_interval",
        ]
        .map(String::from)
        .to_vec(),
        rows: groups
            .into_iter()
            .map(|(g, (r, s))| {
                vec![
                    g.into(),
                    r.len().into(),
                    round2(r.iter().sum()).into(),
                    round2(s.iter().sum()).into(),
                    measured(staffing::under_staffing(&r, &s).ok()),
                    measured(staffing::over_staffing(&r, &s).ok()),
                    measured(staffing::r2_fit(&r, &s).ok()),
                ]
            })
            .collect(),
    }
}

fn definitions(model: &Model, pooled: bool, sl: f64, p: &Params) -> Vec<Definition> {
    vec![
        Definition::new(
            "Requirement",
            &format!(
                "{}: smallest N with SL({} s) >= {} from actual contacts and actual AHT (forecast AHT when the actual is missing); A = contacts x AHT / interval seconds; zero volume requires 0 agents.",
                model.name(),
                p.threshold_seconds,
                sl
            ),
        ),
        Definition::new(
            "Scheduled requirement R",
            &format!(
                "ceil(N / (1 - {})) (float-safe), compared with scheduled_agents S.",
                p.shrinkage
            ),
        ),
        Definition::new(
            "Pooling",
            if pooled {
                "per_interval: the queues of one interval share one multi-skilled pool; volume and workload are summed across queues and compared with the summed scheduled_agents."
            } else {
                "per_queue: each queue-interval is staffed on its own."
            },
        ),
        Definition::new(
            "Staffing fit",
            "Per interval: under = sum max(R - S, 0) / sum R; over = sum max(S - R, 0) / sum R. Fit of the weekly pattern: R and S averaged per weekday x local interval start (and queue when per_queue), then R2_fit = 1 - sum (R - S)^2 / sum (R - mean R)^2 and Pearson r; averaging over weeks keeps the random arrival noise of single intervals out of the fit.",
        ),
        Definition::new(
            "WFM requirement check",
            "The tool's own inputs, forecast contacts and forecast AHT, through the same model give N_f; difference = sum |required_agents - N_f| / sum N_f over intervals with required_agents (summed over the pool). Forecast error is judged by WF1, not here.",
        ),
    ]
}

fn observations(
    targets: &BTreeMap<String, KpiTarget>,
    data: &crate::common::IntervalRows,
    bad_aht: usize,
    wfm: &WfmComparison,
    pooled: bool,
    p: &Params,
) -> Vec<String> {
    let mut out = vec![match targets.get("service_level") {
        Some(t) => format!(
            "Service-level target {} taken from {} instead of the pack parameter {}.",
            pct(t.target),
            t.describe(),
            pct(p.target_service_level)
        ),
        None => format!(
            "No service_level row in kpi_targets: the pack parameter {} is used.",
            pct(p.target_service_level)
        ),
    }];
    if pooled {
        out.push("Queues of the same interval are treated as one multi-skilled pool (pooling = per_interval).".into());
    }
    if wfm.difference.is_none() {
        out.push(format!(
            "The WFM tool's requirement cannot be checked against the model: {}.",
            wfm.why_not_compared()
        ));
    } else if wfm.missing > 0 {
        out.push(format!("{} intervals have no required_agents and are left out of the WFM comparison ({} compared).", wfm.missing, wfm.compared));
    }
    if wfm.unsizable > 0 {
        out.push(format!(
            "{} intervals have a forecast the model cannot size and are left out of the WFM comparison.",
            wfm.unsizable
        ));
    }
    if data.skipped > 0 {
        out.push(format!(
            "{} interval rows skipped: empty or invalid queue, start, length or volume.",
            data.skipped
        ));
    }
    if bad_aht > 0 {
        out.push(format!(
            "{bad_aht} interval rows with volume but no AHT left out of the requirement."
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cxaudit_plugin_sdk::testing::{TableBuilder, TestHost};
    use serde_json::json;

    /// DOMAIN vector: 100 contacts in 30 min at AHT 180 s is A = 10 Erlangs;
    /// SL 80 % in 20 s needs 14 agents, with 30 % shrinkage ceil(14 / 0.7) = 20.
    ///
    /// Pooled fixture, Monday 2026-01-05 (UTC), queues a and b:
    /// - 09:00: a 60 + b 40 contacts at 180 s -> pool A = 10, R = 20; scheduled a 10, b 0
    ///   (queue b has no staff) -> S = 10, gap -10.
    /// - 09:30: no actual volume anywhere -> R = 0; scheduled a 2 -> S = 2, gap +2.
    /// - 10:00: a 100, b 0 -> R = 20; scheduled a 20 -> gap 0.
    fn pooled_host() -> TestHost {
        let batch = TableBuilder::new()
            .strings("queue", ["a", "b", "a", "b", "a", "b"].map(Some))
            .timestamps(
                "interval_start",
                [
                    "2026-01-05T09:00:00",
                    "2026-01-05T09:00:00",
                    "2026-01-05T09:30:00",
                    "2026-01-05T09:30:00",
                    "2026-01-05T10:00:00",
                    "2026-01-05T10:00:00",
                ]
                .map(Some),
            )
            .integers("interval_minutes", [Some(30); 6])
            .floats(
                "forecast_contacts",
                [60.0, 40.0, 0.0, 0.0, 100.0, 0.0].map(Some),
            )
            .floats(
                "actual_contacts",
                [60.0, 40.0, 0.0, 0.0, 100.0, 0.0].map(Some),
            )
            .floats("forecast_aht_seconds", [Some(180.0); 6])
            .floats(
                "actual_aht_seconds",
                [Some(180.0), Some(180.0), None, None, Some(180.0), None],
            )
            .floats(
                "required_agents",
                [10.0, 4.0, 0.0, 0.0, 14.0, 0.0].map(Some),
            )
            .floats(
                "scheduled_agents",
                [10.0, 0.0, 2.0, 0.0, 20.0, 0.0].map(Some),
            )
            .build();
        TestHost::new().table("intervals", batch)
    }

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

    /// One queue at 09:00 and 09:30 on two Mondays (2026-01-05, 2026-01-12), AHT 180 s,
    /// 30 % shrinkage (`cxaudit erlang` gives the same N):
    /// - 09:00 week 1: 120 contacts, N 16, R 23, S 8;   week 2: 80 contacts, N 11, R 16, S 31.
    /// - 09:30 week 1: 40 contacts,  N 7,  R 10, S 14;  week 2: 60 contacts, N 9,  R 13, S 9.
    ///
    /// Forecast: 100 contacts at 09:00 (N_f 14), 50 at 09:30 (N_f 8); the tool says 14, 8, 15, 8.
    fn two_mondays() -> TestHost {
        let batch = TableBuilder::new()
            .strings("queue", [Some("a"); 4])
            .timestamps(
                "interval_start",
                [
                    "2026-01-05T09:00:00",
                    "2026-01-05T09:30:00",
                    "2026-01-12T09:00:00",
                    "2026-01-12T09:30:00",
                ]
                .map(Some),
            )
            .integers("interval_minutes", [Some(30); 4])
            .floats("forecast_contacts", [100.0, 50.0, 100.0, 50.0].map(Some))
            .floats("actual_contacts", [120.0, 40.0, 80.0, 60.0].map(Some))
            .floats("forecast_aht_seconds", [Some(180.0); 4])
            .floats("actual_aht_seconds", [Some(180.0); 4])
            .floats("required_agents", [14.0, 8.0, 15.0, 8.0].map(Some))
            .floats("scheduled_agents", [8.0, 14.0, 31.0, 9.0].map(Some))
            .build();
        TestHost::new().table("intervals", batch)
    }

    #[test]
    fn fit_uses_the_weekly_pattern_and_wfm_check_uses_the_forecast() {
        let e = two_mondays().run(&StaffingFit, json!({}));
        let m = |n: &str| e.measurement(n).and_then(|m| m.value);
        let net_r: Vec<(serde_json::Value, serde_json::Value)> = e.drilldowns[0]
            .rows
            .iter()
            .map(|r| (r[6].clone(), r[7].clone()))
            .collect();
        for pair in [(16.0, 23.0), (11.0, 16.0), (7.0, 10.0), (9.0, 13.0)] {
            assert!(net_r.contains(&(json!(pair.0), json!(pair.1))), "{net_r:?}");
        }
        // Per interval: under = (15 + 4) / 62, over = (4 + 15) / 62.
        assert!((m("under_staffing").unwrap() - 19.0 / 62.0).abs() < 1e-12);
        assert!((m("over_staffing").unwrap() - 19.0 / 62.0).abs() < 1e-12);
        // Weekly pattern: Mon 09:00 mean R 19.5 = mean S 19.5; Mon 09:30 11.5 = 11.5 -> R2 1
        // (with two cells r is +-1 by construction; R2 = 1 is what shows the means agree)
        // (per interval it would be 1 - 482 / 93 = -4.18: arrival noise, not the pattern).
        assert!((m("r2_fit").unwrap() - 1.0).abs() < 1e-12);
        assert!((m("pearson_r").unwrap() - 1.0).abs() < 1e-12);
        // WFM: |14 - 14| + |8 - 8| + |15 - 14| + |8 - 8| over 44 = 1/44, within 15 %, though the
        // actuals needed 16, 7, 11 and 9 (that gap is forecast error, judged by WF1).
        assert!((m("wfm_requirement_difference").unwrap() - 1.0 / 44.0).abs() < 1e-12);
        let passed: Vec<bool> = e.checks.iter().map(|c| c.passed).collect();
        assert_eq!(passed, vec![false, false, true, true]);
    }

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

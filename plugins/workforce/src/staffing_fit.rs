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
    IntervalRow, KpiTarget, LocalSlot, Scored, WEEKDAYS, WeekGrid, clock, evaluation_from,
    measured, pct, read_intervals, read_targets, round2, round4, time_zone, weekday_hour_label,
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
    /// Largest acceptable mean absolute relative difference of the WFM requirement.
    pub tolerance: f64,
    /// Largest acceptable under-staffing sum max(R - S, 0) / sum R.
    pub max_under_staffing: f64,
    /// Largest acceptable over-staffing sum max(S - R, 0) / sum R.
    pub max_over_staffing: f64,
    /// Smallest acceptable R2 fit.
    pub min_r2_fit: f64,
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
             under- and over-staffing, Pearson r, R2 fit; the WFM tool's required_agents checked \
             against Erlang; weekday x hour gaps and the agents to add or move.",
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
        .table(
            TableNeed::optional("kpi_targets")
                .column("kpi", ColumnType::String)
                .column("target", ColumnType::Float)
                .column("direction", ColumnType::String)
                .optional_column("scope", ColumnType::String)
                .optional_column("unit", ColumnType::String),
        )
        .parameter(ParamSpec::number("target_service_level", 0.80).min(0.0).max(1.0).describe("service-level target (ratio) when kpi_targets has no service_level row"))
        .parameter(ParamSpec::number("threshold_seconds", 20.0).min(0.0).describe("service-level threshold T (seconds)"))
        .parameter(ParamSpec::number("shrinkage", 0.30).min(0.0).max(0.95).describe("share of paid time not available for contacts (ratio)"))
        .parameter(ParamSpec::string("model", "erlang_c").describe("staffing model: erlang_c or erlang_a"))
        .parameter(ParamSpec::number("patience_seconds", 120.0).min(1.0).describe("mean customer patience for Erlang A (seconds)"))
        .parameter(ParamSpec::string("pooling", "per_interval").describe("per_interval: queues of one interval share one multi-skilled pool; per_queue: each queue staffed alone"))
        .parameter(ParamSpec::number("tolerance", 0.15).min(0.0).describe("largest mean absolute relative difference between the WFM required_agents and the Erlang requirement (ratio)"))
        .parameter(ParamSpec::number("max_under_staffing", 0.05).min(0.0).describe("largest under-staffing sum max(R - S, 0) / sum R (ratio)"))
        .parameter(ParamSpec::number("max_over_staffing", 0.15).min(0.0).describe("largest over-staffing sum max(S - R, 0) / sum R (ratio)"))
        .parameter(ParamSpec::number("min_r2_fit", 0.50).max(1.0).describe("smallest R2 fit 1 - sum (R - S)^2 / sum (R - mean R)^2"))
        .parameter(ParamSpec::integer("worst_rows", 15).min(1.0).max(200.0).describe("rows in the worst-interval drill-down"))
        .measurement("under_staffing", "ratio", "sum max(R - S, 0) / sum R, R = Erlang requirement with shrinkage, S = scheduled")
        .measurement("over_staffing", "ratio", "sum max(S - R, 0) / sum R")
        .measurement("pearson_r", "ratio", "Pearson correlation of R and S over intervals")
        .measurement("r2_fit", "ratio", "1 - sum (R - S)^2 / sum (R - mean R)^2")
        .measurement("share_intervals_understaffed", "ratio", "intervals with S < R / intervals")
        .measurement("wfm_requirement_difference", "ratio", "mean |WFM required - Erlang net requirement| / Erlang net requirement over intervals with both")
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
            judged.push(Judged {
                unit: u,
                net: f64::from(net),
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
        let pearson = staffing::pearson_fit(&r, &s).ok();
        let r2 = staffing::r2_fit(&r, &s).ok();
        let share_under = judged
            .iter()
            .filter(|j| j.unit.scheduled < j.required - 1e-9)
            .count() as f64
            / judged.len() as f64;
        let wfm = wfm_difference(&judged);

        let mut scored = vec![
            Scored::binary(Check::new(
                "under_staffing",
                "Under-staffing sum max(R - S, 0) / sum R",
                measured(under),
                format!("<= {}", p.max_under_staffing),
                under.is_some_and(|u| u <= p.max_under_staffing + 1e-12),
            )),
            Scored::binary(Check::new(
                "over_staffing",
                "Over-staffing sum max(S - R, 0) / sum R",
                measured(over),
                format!("<= {}", p.max_over_staffing),
                over.is_some_and(|o| o <= p.max_over_staffing + 1e-12),
            )),
            Scored::binary(Check::new(
                "r2_fit",
                "Fit of schedule to requirement (R2_fit)",
                measured(r2),
                format!(">= {}", p.min_r2_fit),
                r2.is_some_and(|x| x >= p.min_r2_fit - 1e-12),
            )),
        ];
        scored.push(Scored::binary(Check::new(
            "wfm_requirement",
            "WFM tool's required_agents against the Erlang net requirement (mean absolute relative difference)",
            measured(wfm.mean),
            format!("<= {}", p.tolerance),
            wfm.mean.is_some_and(|d| d <= p.tolerance + 1e-12),
        )));
        let pool_word = if pooled {
            "pooled per interval"
        } else {
            "per queue"
        };
        let summary = format!(
            "{} intervals ({pool_word}) against {} for SL {} in {} s with {} shrinkage: under-staffing {}, over-staffing {}, R2 fit {}, {} of intervals short; WFM requirement differs by {} (tolerance {}).",
            judged.len(),
            model.name(),
            pct(sl_target),
            p.threshold_seconds,
            pct(p.shrinkage),
            under.map_or("n/a".into(), pct),
            over.map_or("n/a".into(), pct),
            r2.map_or("n/a".into(), |x| format!("{x:.2}")),
            pct(share_under),
            wfm.mean.map_or("n/a (required_agents empty)".into(), pct),
            pct(p.tolerance),
        );
        let mut e = evaluation_from(scored, summary);
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
                "ratio",
                "Pearson correlation of R and S",
            ),
            Measurement::new(
                "r2_fit",
                r2,
                "ratio",
                "1 - sum (R - S)^2 / sum (R - mean R)^2",
            ),
            Measurement::new(
                "share_intervals_understaffed",
                Some(share_under),
                "ratio",
                "intervals with S < R / intervals",
            ),
            Measurement::new(
                "wfm_requirement_difference",
                wfm.mean,
                "ratio",
                "mean |WFM - Erlang net| / Erlang net",
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

    /// Net agents (before shrinkage) a unit needs; 0 without volume.
    fn required(&self, u: &Unit, sl: f64, t: f64) -> Result<u32, EvalError> {
        if u.volume <= 0.0 || u.workload <= 0.0 {
            return Ok(0);
        }
        let aht = u.workload / u.volume;
        let traffic = u.workload / (u.minutes as f64 * 60.0);
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
                scheduled: 0.0,
                wfm_required: Some(0.0),
            });
        u.volume += r.actual;
        u.workload += r.actual * aht.unwrap_or(0.0);
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
    mean: Option<f64>,
    compared: usize,
    missing: usize,
}

fn wfm_difference(judged: &[Judged]) -> WfmComparison {
    let mut diffs = Vec::new();
    let mut missing = 0;
    for j in judged {
        match j.unit.wfm_required {
            None => missing += 1,
            Some(w) if j.net > 0.0 => diffs.push((w - j.net).abs() / j.net),
            Some(_) => {}
        }
    }
    WfmComparison {
        mean: cxaudit_metrics::stats::mean(&diffs),
        compared: diffs.len(),
        missing,
    }
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
    let mut out: Vec<Action> = runs(cells, true)
        .into_iter()
        .take(5)
        .map(|r| {
            Action::new(
                format!("Add {} agent{} {} {}-{} on {} (scheduled below the Erlang requirement on average).", r.agents, if r.agents == 1 { "" } else { "s" }, WEEKDAYS[r.weekday], clock(r.from), clock(r.to), scope(&r.group)),
                Effort::Medium,
                OwnerRole::Process,
            )
        })
        .collect();
    out.extend(runs(cells, false).into_iter().take(3).map(|r| {
        Action::new(
            format!("Move {} agent{} out of {} {}-{} on {} (scheduled above the requirement) to the short intervals.", r.agents, if r.agents == 1 { "" } else { "s" }, WEEKDAYS[r.weekday], clock(r.from), clock(r.to), scope(&r.group)),
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
        ]
        .map(String::from)
        .to_vec(),
        rows: sorted
            .into_iter()
            .take(n)
            .map(|j| {
                let u = &j.unit;
                let slot = LocalSlot::of(u.start, tz);
                let aht = if u.volume > 0.0 {
                    round2(u.workload / u.volume).into()
                } else {
                    serde_json::Value::Null
                };
                vec![
                    u.group.clone().into(),
                    slot.map_or_else(|| u.start.to_string(), |s| s.label())
                        .into(),
                    slot.map_or_else(String::new, |s| weekday_hour_label(s.weekday, s.hour()))
                        .into(),
                    round2(u.volume).into(),
                    aht,
                    round4(u.workload / (u.minutes as f64 * 60.0)).into(),
                    j.net.into(),
                    j.required.into(),
                    round2(u.scheduled).into(),
                    round2(j.gap()).into(),
                    u.wfm_required
                        .map_or(serde_json::Value::Null, |w| round2(w).into()),
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
    let to_json = |v: Option<f64>| v.map_or(serde_json::Value::Null, |x| round4(x).into());
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
            "r2_fit",
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
                    to_json(staffing::under_staffing(&r, &s).ok()),
                    to_json(staffing::over_staffing(&r, &s).ok()),
                    to_json(staffing::r2_fit(&r, &s).ok()),
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
            "under = sum max(R - S, 0) / sum R; over = sum max(S - R, 0) / sum R; R2_fit = 1 - sum (R - S)^2 / sum (R - mean R)^2; Pearson r of R and S.",
        ),
        Definition::new(
            "WFM requirement check",
            "mean over intervals with an Erlang net requirement > 0 of |required_agents - N| / N (required_agents summed over the pool).",
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
    let mut out = Vec::new();
    match targets.get("service_level") {
        Some(t) => out.push(format!(
            "Service-level target {} taken from {} instead of the pack parameter {}.",
            pct(t.target),
            t.describe(),
            pct(p.target_service_level)
        )),
        None => out.push(format!(
            "No service_level row in kpi_targets: the pack parameter {} is used.",
            pct(p.target_service_level)
        )),
    }
    if pooled {
        out.push("Queues of the same interval are treated as one multi-skilled pool (pooling = per_interval).".into());
    }
    if wfm.compared == 0 {
        out.push("The WFM tool's required_agents is empty: its requirement cannot be checked against Erlang.".into());
    } else if wfm.missing > 0 {
        out.push(format!("{} intervals have no required_agents and are left out of the WFM comparison ({} compared).", wfm.missing, wfm.compared));
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
        // R2 = 1 - (100 + 4 + 0) / 266.667 = 0.61 (pass, >= 0.5);
        // WFM pooled [14, 0, 14] vs Erlang net [14, 0, 14]: difference 0 (pass). Score 3/4.
        let m = |n: &str| e.measurement(n).and_then(|m| m.value).unwrap();
        assert!((m("under_staffing") - 0.25).abs() < 1e-12);
        assert!((m("over_staffing") - 0.05).abs() < 1e-12);
        assert!((m("r2_fit") - (1.0 - 104.0 / (800.0 / 3.0))).abs() < 1e-9);
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
        // R2 = 1 - 400/400 = 0 (fail), required_agents empty (fail): score 1/4.
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

//! LP3: targets for every required KPI family, each SMART, the service-level
//! target feasible with the scheduled staff (Erlang C), and OKR key results
//! graded from the data.

use chrono::NaiveDate;
use chrono_tz::Tz;
use cxaudit_kpis::Kpi;
use cxaudit_metrics::erlang;
use cxaudit_plugin_sdk::prelude::*;
use serde::Deserialize;

use crate::common;
use crate::kpi_data::{self, MonthlyKpis, TargetRow};

/// Evaluator `target_setting`.
pub struct TargetSetting;

/// Parameters of [`TargetSetting`].
#[derive(Debug, Deserialize)]
pub struct TargetParams {
    /// KPI families that must have a target.
    pub required_kpis: Vec<String>,
    /// KPIs whose rationale must be customer-based.
    pub customer_kpis: Vec<String>,
    /// Words (any, case-insensitive) that make a rationale customer-based.
    pub customer_keywords: Vec<String>,
    /// Service-level answer threshold T, seconds.
    pub sl_threshold_seconds: f64,
    /// Smallest mean OKR grade of the graded key results.
    pub min_okr_grade: f64,
    /// Weight of a "target exists" check of a required family.
    pub weight_target_exists: f64,
    /// Weight of each SMART point check.
    pub weight_smart_point: f64,
    /// Weight of the feasibility check.
    pub weight_feasibility: f64,
    /// Weight of the OKR grade check.
    pub weight_okr: f64,
}

/// The SMART points judged for each target, in order.
pub const SMART_POINTS: [&str; 9] = [
    "numeric",
    "in_range",
    "computable",
    "baseline",
    "deadline",
    "owner",
    "review_cadence",
    "differs_from_baseline",
    "rationale",
];

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
        m.parameter(
            ParamSpec::list(
                "required_kpis",
                serde_json::json!([
                    "service_level", "asa_seconds", "abandon_rate", "fcr_rate", "csat_top2",
                    "attrition_annualized", "absence_rate", "schedule_adherence", "forecast_wape",
                    "cost_per_order"
                ]),
            )
            .describe("KPI families that must have a target"),
        )
        .parameter(
            ParamSpec::list("customer_kpis", serde_json::json!(["csat_top2", "nps", "fcr_rate"]))
                .describe("CX KPIs whose rationale must be customer-based"),
        )
        .parameter(
            ParamSpec::list("customer_keywords", serde_json::json!(["customer", "survey", "complaint"]))
                .describe("a customer-based rationale contains one of these words (case-insensitive)"),
        )
        .parameter(
            ParamSpec::number("sl_threshold_seconds", 20.0)
                .min(0.0)
                .describe("service-level answer threshold T, seconds (Erlang C and measured SL)"),
        )
        .parameter(
            ParamSpec::number("min_okr_grade", 0.7)
                .min(0.0)
                .max(1.0)
                .describe("smallest mean grade (0-1) of the key results graded from the data"),
        )
        .parameter(
            ParamSpec::number("weight_target_exists", 9.0)
                .min(0.0)
                .describe("weight of a required family's `target exists` check (9 = the SMART points a missing target cannot pass)"),
        )
        .parameter(ParamSpec::number("weight_smart_point", 1.0).min(0.0).describe("weight of each SMART point check"))
        .parameter(ParamSpec::number("weight_feasibility", 3.0).min(0.0).describe("weight of the Erlang C feasibility check"))
        .parameter(ParamSpec::number("weight_okr", 3.0).min(0.0).describe("weight of the OKR grade check"))
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
        let period = common::period_dates(ctx)?;
        let tz = common::time_zone(ctx)?;
        let table = ctx.table("kpi_targets")?;
        let (targets, skipped) = kpi_data::read_targets(&table)?;
        let scopes: Vec<String> = targets.iter().filter_map(|t| t.scope.clone()).collect();
        let kpis = MonthlyKpis::compute(ctx, p.sl_threshold_seconds, &scopes)?;

        let families = family_checks(&targets, p);
        let smart: Vec<(String, Vec<Check>)> = targets
            .iter()
            .map(|t| (t.label(), smart_checks(t, p)))
            .collect();
        let feasibility = Feasibility::judge(ctx, &targets, period, tz, p)?;
        let last_month = common::month_label(common::month_start(period.1));
        let okrs: Vec<Okr> = targets
            .iter()
            .map(|t| Okr::grade(t, &kpis, &last_month))
            .collect();
        let okr_check = okr_check(&okrs, p);

        let mut checks: Vec<Check> = families.clone();
        checks.extend(smart.iter().flat_map(|(_, c)| c.iter().cloned()));
        checks.push(feasibility.check(p));
        checks.push(okr_check);
        let mut e = Evaluation::from_checks(checks);

        let with_target = families.iter().filter(|c| c.passed).count();
        let smart_all: Vec<&Check> = smart.iter().flat_map(|(_, c)| c.iter()).collect();
        let smart_passed = smart_all.iter().filter(|c| c.passed).count();
        let smart_share =
            (!smart_all.is_empty()).then(|| smart_passed as f64 / smart_all.len() as f64);
        let graded_okrs: Vec<f64> = okrs.iter().filter_map(|o| o.grade).collect();
        let okr_mean = mean(&graded_okrs);
        e.summary = format!(
            "{with_target} of {} required KPI families have a target; {smart_passed} of {} SMART points met over {} target(s); {}; mean OKR grade {} over {} gradable key result(s).",
            families.len(),
            smart_all.len(),
            targets.len(),
            feasibility.describe(),
            okr_mean.map_or_else(|| "n/a".to_owned(), |m| format!("{m:.2}")),
            graded_okrs.len()
        );
        e.measurements = vec![
            Measurement::new(
                "required_kpis_with_target",
                Some(with_target as f64),
                "kpis",
                "required KPI families with at least one target row",
            ),
            Measurement::new(
                "smart_points_passed_share",
                smart_share,
                "ratio",
                "SMART point checks passed / SMART point checks",
            ),
            Measurement::new(
                "sl_expected_with_scheduled_staff",
                feasibility.expected_sl(),
                "ratio",
                "sum over intervals of forecast contacts x Erlang C SL(T) with the scheduled agents / forecast contacts",
            ),
            Measurement::new(
                "sl_feasible_volume_share",
                feasibility.share(),
                "ratio",
                "forecast contacts in intervals where Erlang C SL(T) with the scheduled agents >= the SL target / forecast contacts",
            ),
            Measurement::new(
                "okr_mean_grade",
                okr_mean,
                "ratio",
                "mean over key results of clamp((current - baseline) / (target - baseline), 0, 1)",
            ),
        ];
        e.definitions = definitions(p, &last_month);
        for kpi in okrs
            .iter()
            .filter(|o| o.current.is_some())
            .filter_map(|o| o.target.kpi)
        {
            let d = kpis.definition(kpi);
            if !e.definitions.iter().any(|x| x.term == d.term) {
                e.definitions.push(d);
            }
        }
        if skipped > 0 {
            e.observations.push(format!(
                "{skipped} kpi_targets row(s) have no KPI name and were not judged."
            ));
        }
        for o in &okrs {
            if let (Some(kpi), Some(scope)) = (o.target.kpi, o.target.scope.as_deref())
                && o.current.is_some()
                && !kpis.scope_applies(kpi, Some(scope))
            {
                e.observations.push(format!(
                    "Target {}: scope `{scope}` cannot be applied to {} from the data; the centre-wide value is used.",
                    o.target.label(),
                    kpi.key()
                ));
            }
        }
        e.observations
            .extend(feasibility.observations.iter().cloned());
        e.drilldowns.push(smart_drilldown(&targets, &smart));
        e.drilldowns.push(okr_drilldown(&okrs));
        if let Some(d) = feasibility.drilldown(tz) {
            e.drilldowns.push(d);
        }
        e.charts.push(okr_chart(&okrs));
        e.actions = actions(&families, &targets, &smart, &feasibility, &okrs, p);
        Ok(e)
    }
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn definitions(p: &TargetParams, last_month: &str) -> Vec<Definition> {
    vec![
        Definition::new(
            "SMART target",
            "Numeric with a unit that fits the KPI and a direction (min/max); in the KPI's range (ratios 0-1 after converting percent, times >= 0); a known KPI key; baseline with its period; due date; named owner; review cadence; target differs from baseline; rationale (customer-based for CX KPIs).",
        ),
        Definition::new(
            "Customer-based rationale",
            &format!(
                "For {}: the rationale contains one of {}.",
                p.customer_kpis.join(", "),
                p.customer_keywords.join(", ")
            ),
        ),
        Definition::new(
            "Feasible service level",
            &format!(
                "Per interval of the period: A = forecast_contacts / (interval_minutes x 60) x forecast_aht_seconds; queues pooled per interval; Erlang C SL({} s) with the scheduled agents rounded to whole agents; the target is feasible when the period's expected service level (interval SLs weighted by forecast contacts) reaches it; the share of volume in intervals reaching it is reported too.",
                p.sl_threshold_seconds
            ),
        ),
        Definition::new(
            "OKR grade",
            &format!(
                "For a target with baseline and due date: clamp((current - baseline) / (target - baseline), 0, 1), current = the KPI computed from the data (cxaudit-kpis) in the last month of the period ({last_month})."
            ),
        ),
    ]
}

/// One check per required family: at least one target row names it.
fn family_checks(targets: &[TargetRow], p: &TargetParams) -> Vec<Check> {
    p.required_kpis
        .iter()
        .map(|k| {
            let rows: Vec<String> = targets
                .iter()
                .filter(|t| t.kpi_name.eq_ignore_ascii_case(k))
                .map(TargetRow::label)
                .collect();
            Check::new(
                &format!("target_exists_{}", common::slug(k)),
                &format!("A target is set for {k}"),
                if rows.is_empty() {
                    "no target".to_owned()
                } else {
                    rows.join(", ")
                },
                "at least one target row",
                !rows.is_empty(),
            )
            .weight(p.weight_target_exists)
        })
        .collect()
}

/// The SMART checks of one target, one per point of [`SMART_POINTS`].
pub fn smart_checks(t: &TargetRow, p: &TargetParams) -> Vec<Check> {
    let label = t.label();
    let id = t.id();
    let check = |point: &str, text: &str, measured: String, expected: &str, passed: bool| {
        Check::new(
            &format!("{id}_{point}"),
            &format!("{label}: {text}"),
            measured,
            expected,
            passed,
        )
        .weight(p.weight_smart_point)
    };
    vec![
        check(
            "numeric",
            "numeric with unit and direction",
            numeric_measured(t),
            "number, unit fitting the KPI, min or max",
            numeric_ok(t),
        ),
        range_check(t, &check),
        check(
            "computable",
            "maps to a computable KPI definition",
            if t.kpi.is_some() {
                "known KPI".to_owned()
            } else {
                format!("unknown KPI `{}`", t.kpi_name)
            },
            "a KPI key cxaudit computes",
            t.kpi.is_some(),
        ),
        check(
            "baseline",
            "baseline with the period it was measured in",
            match (t.baseline, &t.baseline_period) {
                (Some(b), Some(bp)) => format!("{b} ({bp})"),
                (Some(b), None) => format!("{b}, no baseline period"),
                (None, Some(bp)) => format!("no baseline value ({bp})"),
                (None, None) => "no baseline".to_owned(),
            },
            "baseline and baseline_period",
            t.baseline.is_some() && t.baseline_period.is_some(),
        ),
        check(
            "deadline",
            "deadline",
            t.due
                .map_or_else(|| "no due date".to_owned(), |d| d.to_string()),
            "a due date",
            t.due.is_some(),
        ),
        check(
            "owner",
            "named owner",
            t.owner.clone().unwrap_or_else(|| "no owner".into()),
            "a named owner",
            common::is_named(t.owner.as_deref()),
        ),
        check(
            "review_cadence",
            "review cadence",
            t.review_cadence.clone().unwrap_or_else(|| "none".into()),
            "e.g. monthly",
            t.review_cadence.is_some(),
        ),
        check(
            "differs_from_baseline",
            "target differs from the baseline",
            match (t.target, t.baseline) {
                (Some(x), Some(b)) => format!("target {x}, baseline {b}"),
                _ => "no target or no baseline".to_owned(),
            },
            "target != baseline",
            matches!((t.target, t.baseline), (Some(x), Some(b)) if (x - b).abs() > 1e-9),
        ),
        rationale_check(t, p, &check),
    ]
}

fn numeric_ok(t: &TargetRow) -> bool {
    let unit_ok = match t.kpi {
        Some(_) => t.unit_factor().is_some(),
        None => t.unit.is_some(),
    };
    t.target.is_some() && unit_ok && t.higher_is_better().is_some()
}

fn numeric_measured(t: &TargetRow) -> String {
    let mut gaps = Vec::new();
    if t.target.is_none() {
        gaps.push("no numeric target".to_owned());
    }
    match (&t.unit, t.kpi) {
        (None, _) => gaps.push("no unit".to_owned()),
        (Some(u), Some(k)) if t.unit_factor().is_none() => gaps.push(format!(
            "unit `{u}` does not fit {} ({})",
            k.key(),
            k.unit()
        )),
        _ => {}
    }
    if t.higher_is_better().is_none() {
        gaps.push(format!(
            "direction `{}` is not min or max",
            t.direction.as_deref().unwrap_or("")
        ));
    }
    if gaps.is_empty() {
        format!(
            "{} {} {}",
            if t.higher_is_better() == Some(true) {
                ">="
            } else {
                "<="
            },
            t.target.unwrap_or_default(),
            t.unit.as_deref().unwrap_or("")
        )
    } else {
        gaps.join("; ")
    }
}

fn range_check(t: &TargetRow, check: &dyn Fn(&str, &str, String, &str, bool) -> Check) -> Check {
    let (measured, expected, passed) = match (t.kpi, t.target_value()) {
        (None, _) => (
            format!("unknown KPI `{}`: no range", t.kpi_name),
            "a known KPI".to_owned(),
            false,
        ),
        (Some(k), None) => (
            "target not comparable (no number or unit)".to_owned(),
            range_text(k),
            false,
        ),
        (Some(k), Some(v)) => {
            let (lo, hi) = k.range();
            (
                format!("{}", common::round(v, 6)),
                range_text(k),
                v >= lo && v <= hi,
            )
        }
    };
    check(
        "in_range",
        "within the metric's range",
        measured,
        &expected,
        passed,
    )
}

fn range_text(k: Kpi) -> String {
    let (lo, hi) = k.range();
    if hi.is_infinite() {
        format!(">= {lo} {}", k.unit())
    } else {
        format!("{lo} to {hi} {}", k.unit())
    }
}

fn rationale_check(
    t: &TargetRow,
    p: &TargetParams,
    check: &dyn Fn(&str, &str, String, &str, bool) -> Check,
) -> Check {
    let customer = p
        .customer_kpis
        .iter()
        .any(|k| k.eq_ignore_ascii_case(&t.kpi_name));
    let text = t.rationale.as_deref().unwrap_or("");
    let lower = text.to_lowercase();
    let keyword = p
        .customer_keywords
        .iter()
        .find(|w| lower.contains(&w.to_lowercase()));
    let (measured, expected, passed) = match (text.is_empty(), customer, keyword) {
        (true, _, _) => ("no rationale".to_owned(), "a rationale", false),
        (false, true, None) => (
            format!("`{text}` (not customer-based)"),
            "a customer-based rationale",
            false,
        ),
        (false, true, Some(w)) => (
            format!("`{text}` (mentions `{w}`)"),
            "a customer-based rationale",
            true,
        ),
        (false, false, _) => (format!("`{text}`"), "a rationale", true),
    };
    check(
        "rationale",
        if customer {
            "customer-based rationale"
        } else {
            "rationale"
        },
        measured,
        expected,
        passed,
    )
}

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

/// The Erlang C feasibility of the service-level target(s).
struct Feasibility {
    target: Option<(String, f64)>,
    intervals: Vec<IntervalFit>,
    reachable_volume: f64,
    /// Sum over intervals of forecast contacts x Erlang C SL with the scheduled staff.
    weighted_sl: f64,
    total_volume: f64,
    reason: Option<String>,
    observations: Vec<String>,
}

impl Feasibility {
    fn unjudged(reason: &str) -> Self {
        Feasibility {
            target: None,
            intervals: Vec::new(),
            reachable_volume: 0.0,
            weighted_sl: 0.0,
            total_volume: 0.0,
            reason: Some(reason.to_owned()),
            observations: Vec::new(),
        }
    }

    fn judge(
        ctx: &Context<'_>,
        targets: &[TargetRow],
        period: (NaiveDate, NaiveDate),
        tz: Tz,
        p: &TargetParams,
    ) -> Result<Self, EvalError> {
        let sl_target = targets
            .iter()
            .filter(|t| t.kpi == Some(Kpi::ServiceLevel))
            .find_map(|t| {
                t.target_value()
                    .filter(|v| (0.0..=1.0).contains(v))
                    .map(|v| (t.clone(), v))
            });
        let Some((target, sl)) = sl_target else {
            return Ok(Self::unjudged("no usable service_level target"));
        };
        let Some(table) = ctx.optional_table("intervals") else {
            return Ok(Self::unjudged("no intervals table"));
        };
        let queue_scope = target.scope.clone();
        let mut rows = read_intervals(&table, period, tz)?;
        let queues_have_scope = queue_scope
            .as_ref()
            .is_some_and(|s| rows.iter().any(|r| r.fit.queue == *s));
        let mut f = Feasibility {
            target: Some((target.label(), sl)),
            intervals: Vec::new(),
            reachable_volume: 0.0,
            weighted_sl: 0.0,
            total_volume: 0.0,
            reason: None,
            observations: Vec::new(),
        };
        if queues_have_scope {
            let s = queue_scope.unwrap_or_default();
            rows.retain(|r| r.fit.queue == s);
        } else {
            if let Some(s) = queue_scope {
                f.observations.push(format!(
                    "The service-level target's scope `{s}` is not a queue of the intervals table; feasibility is judged over every queue."
                ));
            }
            rows = pool_by_interval(rows);
            f.observations.push(
                "Queues are pooled per interval (volume and workload summed, scheduled agents summed): agents are multi-skilled across queues.".to_owned(),
            );
        }
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
            f.total_volume += forecast;
            f.weighted_sl += forecast * r.fit.sl;
            if r.fit.sl + erlang::TARGET_TOLERANCE >= sl {
                f.reachable_volume += forecast;
            }
            f.intervals.push(r.fit);
        }
        if bad > 0 {
            f.observations.push(format!(
                "{bad} interval row(s) with unusable forecast, AHT or length were not judged."
            ));
        }
        if f.total_volume <= 0.0 {
            f.reason = Some("no interval with forecast volume in the period".into());
        }
        Ok(f)
    }

    /// The service level the scheduled staff give the period's forecast
    /// (Erlang C per interval, weighted by forecast contacts): what a period
    /// target is judged on.
    fn expected_sl(&self) -> Option<f64> {
        (self.reason.is_none() && self.total_volume > 0.0)
            .then(|| self.weighted_sl / self.total_volume)
    }

    fn share(&self) -> Option<f64> {
        (self.reason.is_none() && self.total_volume > 0.0)
            .then(|| self.reachable_volume / self.total_volume)
    }

    fn describe(&self) -> String {
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

    fn check(&self, p: &TargetParams) -> Check {
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

    fn drilldown(&self, tz: Tz) -> Option<Drilldown> {
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
}

/// An interval row as read.
struct IntervalRow {
    minutes: f64,
    fit: IntervalFit,
}

/// One row per interval start: forecast and scheduled agents summed over
/// queues, AHT weighted by forecast volume.
fn pool_by_interval(rows: Vec<IntervalRow>) -> Vec<IntervalRow> {
    let mut pooled: std::collections::BTreeMap<(i64, u64), IntervalRow> =
        std::collections::BTreeMap::new();
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

/// A key result graded from the data.
struct Okr<'a> {
    target: &'a TargetRow,
    current: Option<f64>,
    grade: Option<f64>,
    note: String,
}

impl<'a> Okr<'a> {
    fn grade(t: &'a TargetRow, kpis: &MonthlyKpis, month: &str) -> Self {
        let current = t.kpi.and_then(|k| kpis.value(k, t.scope.as_deref(), month));
        let (grade, note) = match (t.kpi, t.baseline_value(), t.target_value(), t.due, current) {
            (None, ..) => (None, "unknown KPI".to_owned()),
            (_, None, ..) => (None, "no baseline (or unit does not fit)".to_owned()),
            (_, _, None, ..) => (None, "no comparable target".to_owned()),
            (_, _, _, None, _) => (None, "no due date".to_owned()),
            (_, _, _, _, None) => (None, format!("no value computed for {month}")),
            (_, Some(b), Some(x), Some(_), Some(_)) if (x - b).abs() < 1e-12 => {
                (None, "target equals baseline".to_owned())
            }
            (_, Some(b), Some(x), Some(_), Some(c)) => {
                (Some(((c - b) / (x - b)).clamp(0.0, 1.0)), String::new())
            }
        };
        Okr {
            target: t,
            current,
            grade,
            note,
        }
    }
}

fn okr_check(okrs: &[Okr<'_>], p: &TargetParams) -> Check {
    let grades: Vec<f64> = okrs.iter().filter_map(|o| o.grade).collect();
    let m = mean(&grades);
    Check::new(
        "okr_grade",
        "Key results graded from the data: mean grade",
        m.map_or_else(
            || "no key result can be graded".to_owned(),
            |m| format!("{:.2} over {} key result(s)", m, grades.len()),
        ),
        format!(">= {}", p.min_okr_grade),
        m.is_some_and(|m| m >= p.min_okr_grade),
    )
    .weight(p.weight_okr)
}

/// The SMART points a target's checks (in [`SMART_POINTS`] order) fail.
fn missing_points(checks: &[Check]) -> Vec<&'static str> {
    SMART_POINTS
        .iter()
        .zip(checks)
        .filter(|(_, c)| !c.passed)
        .map(|(s, _)| *s)
        .collect()
}

fn smart_drilldown(targets: &[TargetRow], smart: &[(String, Vec<Check>)]) -> Drilldown {
    let mut columns = vec!["target".to_owned(), "row".to_owned()];
    columns.extend(SMART_POINTS.iter().map(|s| (*s).to_owned()));
    columns.push("missing".into());
    Drilldown {
        id: "smart_points".into(),
        title: "SMART points per target".into(),
        columns,
        rows: targets
            .iter()
            .zip(smart)
            .map(|(t, (label, checks))| {
                let mut row: Vec<serde_json::Value> = vec![label.clone().into(), t.row.into()];
                row.extend(checks.iter().map(|c| c.passed.into()));
                row.push(missing_points(checks).join(", ").into());
                row
            })
            .collect(),
    }
}

fn okr_drilldown(okrs: &[Okr<'_>]) -> Drilldown {
    Drilldown {
        id: "okr_grades".into(),
        title: "Key results graded from the data (last month of the period)".into(),
        columns: vec![
            "kpi".into(),
            "baseline".into(),
            "target".into(),
            "due".into(),
            "current".into(),
            "grade".into(),
            "note".into(),
        ],
        rows: okrs
            .iter()
            .map(|o| {
                let t = o.target;
                let show = |v: Option<f64>| v.map(|v| common::kpi_value_label(t.kpi, v));
                vec![
                    t.label().into(),
                    show(t.baseline_value()).into(),
                    show(t.target_value()).into(),
                    t.due.map(|d| d.to_string()).into(),
                    show(o.current).into(),
                    o.grade.map(|g| common::round(g, 3)).into(),
                    o.note.clone().into(),
                ]
            })
            .collect(),
    }
}

fn okr_chart(okrs: &[Okr<'_>]) -> Chart {
    Chart {
        id: "okr_grades".into(),
        title: "OKR grade per key result".into(),
        kind: ChartKind::Bar,
        x: okrs.iter().map(|o| o.target.label()).collect(),
        y: Vec::new(),
        unit: "grade (0-1)".into(),
        series: vec![Series {
            name: "grade".into(),
            values: okrs
                .iter()
                .map(|o| o.grade.map(|g| common::round(g, 3)))
                .collect(),
        }],
    }
}

fn actions(
    families: &[Check],
    targets: &[TargetRow],
    smart: &[(String, Vec<Check>)],
    feasibility: &Feasibility,
    okrs: &[Okr<'_>],
    p: &TargetParams,
) -> Vec<Action> {
    let mut out = Vec::new();
    let missing: Vec<&str> = p
        .required_kpis
        .iter()
        .zip(families)
        .filter(|(_, c)| !c.passed)
        .map(|(k, _)| k.as_str())
        .collect();
    if !missing.is_empty() {
        out.push(Action::new(
            format!(
                "Set targets (with baseline, owner, due date, cadence and rationale) for {}.",
                missing.join(", ")
            ),
            Effort::Medium,
            OwnerRole::Process,
        ));
    }
    let unknown: Vec<String> = targets
        .iter()
        .filter(|t| t.kpi.is_none())
        .map(|t| format!("`{}` (row {})", t.kpi_name, t.row))
        .collect();
    if !unknown.is_empty() {
        out.push(Action::new(format!(
                "Rename the target KPI(s) {} to a KPI key cxaudit computes (e.g. service_level, fcr_rate, csat_top2) so they can be measured.",
                unknown.join(", ")
            ), Effort::Low, OwnerRole::Technology));
    }
    let gaps: Vec<String> = smart
        .iter()
        .filter_map(|(label, checks)| {
            let missing = missing_points(checks);
            (!missing.is_empty()).then(|| format!("{label}: {}", missing.join(", ")))
        })
        .collect();
    if !gaps.is_empty() {
        out.push(Action::new(
            format!(
                "Complete the SMART points of {} target(s): {}.",
                gaps.len(),
                gaps.join("; ")
            ),
            Effort::Low,
            OwnerRole::Process,
        ));
    }
    if feasibility.expected_sl().is_some() && !feasibility.feasible() {
        let short = feasibility.short();
        let agents: u64 = short
            .iter()
            .filter_map(|i| {
                i.required
                    .map(|r| (f64::from(r) - i.scheduled.floor()).max(0.0) as u64)
            })
            .sum();
        out.push(Action::new(format!(
                "Re-plan staffing or revise the service-level target: {} interval(s) cannot reach it with the scheduled agents ({agents} agent-intervals short by Erlang C; largest volume first in the drill-down).",
                short.len()
            ), Effort::Medium, OwnerRole::Process));
    } else if feasibility.share().is_none() {
        out.push(Action::new("Show the service-level target is feasible: provide interval forecasts with AHT and scheduled agents so Erlang C can test it.", Effort::Medium, OwnerRole::Technology));
    }
    let lagging: Vec<String> = okrs
        .iter()
        .filter(|o| o.grade.is_some_and(|g| g < p.min_okr_grade))
        .map(|o| format!("{} ({:.2})", o.target.label(), o.grade.unwrap_or_default()))
        .collect();
    if !lagging.is_empty() {
        out.push(Action::new(
            format!(
                "Put recovery plans on the key results below {:.2}: {}.",
                p.min_okr_grade,
                lagging.join(", ")
            ),
            Effort::Medium,
            OwnerRole::Process,
        ));
    }
    out
}

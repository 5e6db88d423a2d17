//! PF4: attainment of every other KPI target, month by month.

use std::collections::BTreeMap;

use cxaudit_kpis::{GroupBy, Kpi};
use cxaudit_plugin_sdk::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::common::*;

/// PF4 evaluator `kpi_attainment`.
pub struct KpiAttainment;

/// Parameters of [`KpiAttainment`].
#[derive(Debug, Deserialize)]
pub struct AttainmentParams {
    /// Share of (KPI, month) pairs meeting target for full credit.
    pub target_share: f64,
    /// Share earning no credit.
    pub floor_share: f64,
    /// KPIs judged by other criteria, skipped here.
    pub exclude: Vec<String>,
    /// Attrition annualisation (`sum`, `times_twelve`, `compounding`).
    pub attrition_method: String,
    /// Service-level threshold T, seconds.
    pub sl_threshold_seconds: f64,
}

/// One target row.
struct TargetRow {
    kpi: String,
    scope: Option<String>,
    target: f64,
    direction: String,
}

/// The `scope` column: trimmed, `None` when absent, empty or `all`.
fn read_scopes(t: &Table) -> Result<Vec<Option<String>>, EvalError> {
    let raw = optional_column(t, "scope", |c| t.strs(c))?;
    Ok(raw
        .into_iter()
        .map(|s| {
            s.map(str::trim)
                .filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("all"))
                .map(str::to_owned)
        })
        .collect())
}

fn load_targets(t: &Table) -> Result<Vec<TargetRow>, EvalError> {
    let kpis: Vec<Option<&str>> = t.strs("kpi")?.collect();
    let targets: Vec<Option<f64>> = t.f64s("target")?.collect();
    let dirs: Vec<Option<&str>> = t.strs("direction")?.collect();
    let scopes = read_scopes(t)?;
    Ok((0..kpis.len())
        .filter_map(|i| {
            Some(TargetRow {
                kpi: kpis[i]?.trim().to_owned(),
                scope: scopes[i].clone(),
                target: targets[i]?,
                direction: dirs[i].unwrap_or("").trim().to_owned(),
            })
        })
        .collect())
}

/// `kpi_results` values by (kpi, scope, month).
type Reported = BTreeMap<(String, Option<String>, String), f64>;

fn load_results(t: &Table) -> Result<Reported, EvalError> {
    let kpis: Vec<Option<&str>> = t.strs("kpi")?.collect();
    let months: Vec<Option<i32>> = t.dates("month")?.collect();
    let values: Vec<Option<f64>> = t.f64s("value")?.collect();
    let scopes = read_scopes(t)?;
    let mut out = BTreeMap::new();
    for i in 0..kpis.len() {
        if let (Some(k), Some(m), Some(v)) = (kpis[i], to_date(months[i]), values[i]) {
            out.insert((k.trim().to_owned(), scopes[i].clone(), month_label(m)), v);
        }
    }
    Ok(out)
}

/// One judged month of one target.
#[derive(Clone)]
struct Cell {
    value: Option<f64>,
    source: &'static str,
    met: Option<bool>,
}

impl Evaluator for KpiAttainment {
    type Params = AttainmentParams;

    fn name(&self) -> &'static str {
        "kpi_attainment"
    }

    fn manifest(&self) -> Manifest {
        let m = Manifest::new(
            "Attainment of every KPI target not judged elsewhere, month by month: each KPI is computed per month \
             from the data (or taken from kpi_results when the data cannot give it) and compared with its target.",
        )
        .table(
            TableNeed::required("kpi_targets")
                .column("kpi", ColumnType::String)
                .column("target", ColumnType::Float)
                .column("direction", ColumnType::String)
                .optional_column("scope", ColumnType::String),
        )
        .table(
            TableNeed::optional("kpi_results")
                .column("kpi", ColumnType::String)
                .column("month", ColumnType::Month)
                .column("value", ColumnType::Float)
                .optional_column("scope", ColumnType::String),
        )
        .parameter(ParamSpec::number("target_share", 0.9).min(0.0).max(1.0).describe("share of (KPI, month) pairs on target for full credit"))
        .parameter(ParamSpec::number("floor_share", 0.5).min(0.0).max(1.0).describe("share of (KPI, month) pairs on target earning no credit"))
        .parameter(ParamSpec::list("exclude", json!(["csat_top2", "nps", "fcr_rate", "contacts_per_order", "cost_per_order"])).describe("KPIs judged by other criteria (PF1-PF3)"))
        .parameter(ParamSpec::string("attrition_method", "sum").describe("attrition annualisation for attrition_annualized: sum, times_twelve, compounding"))
        .parameter(ParamSpec::number("sl_threshold_seconds", 20.0).min(0.0).describe("service-level answer threshold T, seconds"))
        .measurement("kpi_target_attainment", "ratio", "(KPI, month) pairs meeting the target / pairs with a value")
        .measurement("targets_judged", "targets", "targets judged month by month")
        .measurement("targets_not_gradeable", "targets", "targets whose KPI is unknown or has no value in any month");
        with_kpi_needs(
            m,
            &[
                "contacts",
                "intervals",
                "agents",
                "adherence",
                "surveys",
                "business_daily",
            ],
        )
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &AttainmentParams) -> Result<Evaluation, EvalError> {
        let targets = load_targets(&ctx.table("kpi_targets")?)?;
        let results = match ctx.optional_table("kpi_results") {
            Some(t) => load_results(&t)?,
            None => BTreeMap::new(),
        };
        let (start, end) = period_dates(ctx)?;
        let months: Vec<String> = months_of(start, end).into_iter().map(month_label).collect();
        let evidence = cxaudit_kpis::Evidence::from_context(ctx);
        let mut opts = kpi_options(ctx)?;
        opts.attrition_method = attrition_method(&p.attrition_method)?;
        opts.sl_threshold_seconds = p.sl_threshold_seconds;
        let report = cxaudit_kpis::compute(&evidence, GroupBy::Month, &opts);

        let mut excluded = Vec::new();
        let mut not_gradeable: Vec<(String, String)> = Vec::new();
        let mut judged: Vec<(&TargetRow, Option<Kpi>, Vec<Cell>)> = Vec::new();
        let mut obs = Vec::new();
        for t in &targets {
            if p.exclude.iter().any(|x| x == &t.kpi) {
                excluded.push(t.kpi.clone());
                continue;
            }
            let kpi = Kpi::from_key(&t.kpi);
            if kpi.is_none() && !results.keys().any(|(k, _, _)| k == &t.kpi) {
                not_gradeable.push((
                    t.kpi.clone(),
                    "unknown KPI name: no definition to compute it and no kpi_results".into(),
                ));
                continue;
            }
            let higher = match t.direction.as_str() {
                "min" => true,
                "max" => false,
                _ => {
                    let h = kpi.is_none_or(Kpi::higher_is_better);
                    obs.push(format!(
                        "Target `{}` has direction `{}`; judged as {}.",
                        t.kpi,
                        t.direction,
                        if h { "min" } else { "max" }
                    ));
                    h
                }
            };
            let cells: Vec<Cell> = months
                .iter()
                .map(|m| {
                    let from_data = if t.scope.is_none() {
                        kpi.and_then(|k| report.group(m).and_then(|g| g.value(k)))
                    } else {
                        None
                    };
                    let (value, source) = match from_data {
                        Some(v) => (Some(v), "data"),
                        None => match results.get(&(t.kpi.clone(), t.scope.clone(), m.clone())) {
                            Some(v) => (Some(*v), "kpi_results"),
                            None => (None, "none"),
                        },
                    };
                    let met = value.map(|v| if higher { v >= t.target } else { v <= t.target });
                    Cell { value, source, met }
                })
                .collect();
            if cells.iter().all(|c| c.value.is_none()) {
                not_gradeable.push((
                    label(t),
                    "no value in any month from the data or kpi_results".into(),
                ));
                continue;
            }
            if cells.iter().any(|c| c.source == "kpi_results") {
                obs.push(format!(
                    "{}: {} month(s) taken from kpi_results because the data cannot give them{}.",
                    label(t),
                    cells.iter().filter(|c| c.source == "kpi_results").count(),
                    if t.scope.is_some() {
                        " (scoped target: the data are judged centre-wide only)"
                    } else {
                        ""
                    }
                ));
            }
            judged.push((t, kpi, cells));
        }
        if judged.is_empty() && not_gradeable.is_empty() {
            return Err(EvalError::NotApplicable(format!(
                "every KPI target ({}) is judged by PF1-PF3",
                excluded.join(", ")
            )));
        }
        let pairs: usize = judged
            .iter()
            .map(|(_, _, c)| c.iter().filter(|c| c.met.is_some()).count())
            .sum();
        let met: usize = judged
            .iter()
            .map(|(_, _, c)| c.iter().filter(|c| c.met == Some(true)).count())
            .sum();
        if pairs == 0 {
            return Err(EvalError::MissingEvidence(
                "no KPI target can be graded from the data or kpi_results".into(),
            ));
        }
        let share = met as f64 / pairs as f64;
        let mut items = vec![Credited::graded(
            Check::new(
                "kpi_target_attainment",
                "Share of (KPI, month) pairs meeting their target",
                round(share, 6),
                format!(">= {} (no credit at <= {})", p.target_share, p.floor_share),
                false,
            ),
            graded(share, p.floor_share, p.target_share, true),
        )];
        let mut per_kpi: Vec<Check> = Vec::new();
        for (t, _, cells) in &judged {
            let valued = cells.iter().filter(|c| c.met.is_some()).count();
            let ok = cells.iter().filter(|c| c.met == Some(true)).count();
            per_kpi.push(
                Check::new(
                    &format!("target_{}", label(t)),
                    &format!(
                        "{} {} {} in every month with a value",
                        label(t),
                        if t.direction == "max" { "<=" } else { ">=" },
                        t.target
                    ),
                    format!("{ok} of {valued} months"),
                    format!("{valued} of {valued} months"),
                    ok == valued,
                )
                .weight(0.0),
            );
        }
        let summary = format!(
            "{met} of {pairs} (KPI, month) pairs met their targets ({}) over {} targets; {} not gradeable; {} judged by PF1-PF3.",
            pct(share),
            judged.len(),
            not_gradeable.len(),
            excluded.len()
        );
        items.extend(per_kpi.into_iter().map(Credited::pass_fail));
        let mut e = evaluation_from_credits(items, summary);
        e.measurements = vec![
            Measurement::new(
                "kpi_target_attainment",
                Some(share),
                "ratio",
                "(KPI, month) pairs meeting the target by direction / pairs with a value",
            ),
            Measurement::new(
                "targets_judged",
                Some(judged.len() as f64),
                "targets",
                "targets judged month by month",
            ),
            Measurement::new(
                "targets_not_gradeable",
                Some(not_gradeable.len() as f64),
                "targets",
                "targets whose KPI is unknown or has no value in any month",
            ),
        ];
        e.definitions = judged
            .iter()
            .filter_map(|(_, k, _)| *k)
            .map(|k| Definition::new(k.key(), &k.definition(&opts).definition))
            .collect();
        e.definitions.push(Definition::new("attainment", "a (KPI, month) pair meets its target when value >= target (direction min) or value <= target (direction max); values from the data (cxaudit-kpis, by local month) are preferred over kpi_results"));
        if !not_gradeable.is_empty() {
            obs.push(format!(
                "Not gradeable: {}.",
                not_gradeable
                    .iter()
                    .map(|(k, why)| format!("{k} ({why})"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
        if !excluded.is_empty() {
            obs.push(format!(
                "Judged by PF1-PF3, skipped here: {}.",
                excluded.join(", ")
            ));
        }
        e.observations = obs;
        let mut columns = vec!["kpi".to_owned(), "target".into(), "direction".into()];
        columns.extend(months.iter().cloned());
        columns.extend(["months_met".to_owned(), "months_with_value".into()]);
        let mut rows: Vec<Vec<Value>> = judged
            .iter()
            .map(|(t, _, cells)| {
                let mut r = vec![json!(label(t)), json!(t.target), json!(t.direction)];
                r.extend(cells.iter().map(|c| match (c.value, c.met) {
                    (Some(v), Some(m)) => json!(format!(
                        "{}{} {}",
                        round(v, 4),
                        if c.source == "kpi_results" {
                            " (reported)"
                        } else {
                            ""
                        },
                        if m { "met" } else { "missed" }
                    )),
                    _ => Value::Null,
                }));
                r.push(json!(cells.iter().filter(|c| c.met == Some(true)).count()));
                r.push(json!(cells.iter().filter(|c| c.met.is_some()).count()));
                r
            })
            .collect();
        for (k, why) in &not_gradeable {
            let mut r = vec![json!(k), Value::Null, Value::Null];
            r.extend(months.iter().map(|_| Value::Null));
            r.extend([json!(why), json!(0)]);
            rows.push(r);
        }
        e.drilldowns = vec![Drilldown {
            id: "attainment_matrix".into(),
            title: "KPI targets by month".into(),
            columns,
            rows,
        }];
        e.charts = vec![Chart {
            id: "attainment_heatmap".into(),
            title: "Target met (1) or missed (0) by KPI and month".into(),
            kind: ChartKind::Heatmap,
            x: months.clone(),
            y: judged.iter().map(|(t, _, _)| label(t)).collect(),
            unit: "met".into(),
            series: judged
                .iter()
                .map(|(t, _, cells)| Series {
                    name: label(t),
                    values: cells
                        .iter()
                        .map(|c| c.met.map(|m| if m { 1.0 } else { 0.0 }))
                        .collect(),
                })
                .collect(),
        }];
        for (t, _, cells) in &judged {
            let missed: Vec<String> = months
                .iter()
                .zip(cells)
                .filter(|(_, c)| c.met == Some(false))
                .map(|(m, c)| {
                    format!(
                        "{m} ({})",
                        c.value.map_or("n/a".into(), |v| round(v, 4).to_string())
                    )
                })
                .collect();
            if !missed.is_empty() {
                e.actions.push(Action::new(
                    format!(
                        "Bring {} to {} {}: missed in {}; name the corrective action and owner in the monthly review.",
                        label(t),
                        if t.direction == "max" { "at most" } else { "at least" },
                        t.target,
                        missed.join(", ")
                    ),
                    Effort::Medium,
                    OwnerRole::Process,
                ));
            }
        }
        for (k, _) in &not_gradeable {
            e.actions.push(Action::new(
                format!(
                    "Map target `{k}` to a computable KPI definition or report it in kpi_results."
                ),
                Effort::Low,
                OwnerRole::Technology,
            ));
        }
        Ok(e)
    }
}

fn label(t: &TargetRow) -> String {
    match &t.scope {
        Some(s) => format!("{} [{s}]", t.kpi),
        None => t.kpi.clone(),
    }
}

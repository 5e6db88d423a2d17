//! PF4: attainment of every other KPI target, month by month.

use std::collections::BTreeMap;

use cxaudit_kpis::targets::{TargetError, TargetRow, TargetSource, targets_need};
use cxaudit_kpis::{GroupBy, Kpi};
use cxaudit_plugin_sdk::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::common::*;

/// PF4 evaluator `kpi_attainment`.
pub struct KpiAttainment;

/// Parameters of [`KpiAttainment`]: each doc comment is the manifest's
/// description.
#[derive(Debug, Deserialize, Params)]
pub struct AttainmentParams {
    /// share of (KPI, month) pairs on target for full credit
    #[param(default = 0.9, min = 0, max = 1)]
    pub target_share: f64,
    /// share of (KPI, month) pairs on target earning no credit
    #[param(default = 0.5, min = 0, max = 1)]
    pub floor_share: f64,
    /// KPIs judged by other criteria (PF1-PF3)
    #[param(default = &["csat_top2", "nps", "fcr_rate", "contacts_per_order", "cost_per_order"])]
    pub exclude: Vec<String>,
    /// attrition annualisation for attrition_annualized: sum, times_twelve, compounding
    #[param(default = "sum")]
    pub attrition_method: String,
    /// service-level answer threshold T, seconds
    #[param(default = 20.0, min = 0)]
    pub sl_threshold_seconds: f64,
    /// the laxest target the standard accepts, by KPI key (a laxer centre target is reported and the bound judged; 0 = no bound where lower is better)
    #[param(spec = |name| ParamSpec::table(name, default_laxest_targets()))]
    pub laxest_targets: BTreeMap<String, f64>,
}

/// One centre target as judged: the row, its KPI, the value in the KPI's
/// unit, the direction, and where it came from.
struct Judged<'a> {
    row: &'a TargetRow,
    kpi: Option<Kpi>,
    target: f64,
    higher: bool,
    cite: String,
    /// Whether the centre's target was laxer than the standard accepts (the bound is judged).
    bounded: bool,
}

impl Judged<'_> {
    fn op(&self) -> &'static str {
        if self.higher { ">=" } else { "<=" }
    }

    fn meets(&self, v: f64) -> bool {
        if self.higher {
            v >= self.target
        } else {
            v <= self.target
        }
    }
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

/// The laxest targets of the pack, checked: every key a KPI.
fn laxest_targets(p: &AttainmentParams) -> Result<BTreeMap<Kpi, f64>, EvalError> {
    p.laxest_targets
        .iter()
        .map(|(k, v)| match Kpi::from_key(k) {
            Some(kpi) => Ok((kpi, *v)),
            None => Err(EvalError::Failed(format!(
                "parameter laxest_targets: `{k}` is not a KPI key"
            ))),
        })
        .collect()
}

/// Judges one centre row: its target in the KPI's unit, its direction (the
/// row's, else the KPI's, said in `obs`), and the standard's bound. `None`
/// when the row has no target value (listed as not gradeable by the caller).
fn judge_centre_row<'a>(
    t: &'a TargetRow,
    bounds: &BTreeMap<Kpi, f64>,
    obs: &mut Vec<String>,
) -> Result<Option<Judged<'a>>, EvalError> {
    let value = match t.target_in_kpi_unit() {
        Ok(v) => v,
        Err(TargetError::NoTarget { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let higher = match t.higher_is_better() {
        Some(h) => h,
        None => {
            let h = t.kpi.is_none_or(Kpi::higher_is_better);
            obs.push(format!(
                "{} has direction `{}`; judged as {}.",
                t.at(),
                t.direction.as_deref().unwrap_or(""),
                if h { "min" } else { "max" }
            ));
            h
        }
    };
    let Some(kpi) = t.kpi else {
        let cite = format!(
            "the centre's kpi_targets row {}: the centre's documented target",
            t.row
        );
        return Ok(Some(Judged {
            row: t,
            kpi: None,
            target: value,
            higher,
            cite,
            bounded: false,
        }));
    };
    let mut rule = TargetRule::new(kpi, TargetPolicy::Centre).direction(higher);
    if let Some(b) = bounds.get(&kpi) {
        rule = rule.laxest(&format!("laxest_targets.{}", kpi.key()), *b);
    }
    let judged = rule.judge_row(t)?;
    obs.extend(judged.observations.iter().cloned());
    Ok(Some(Judged {
        row: t,
        kpi: Some(kpi),
        target: judged.value,
        higher,
        cite: judged.cite(),
        bounded: matches!(judged.source, TargetSource::Bound { .. }),
    }))
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
        .table(targets_need(true, false))
        .table(
            TableNeed::optional("kpi_results")
                .column("kpi", ColumnType::String)
                .column("month", ColumnType::Month)
                .column("value", ColumnType::Float)
                .optional_column("scope", ColumnType::String),
        )
        .params::<AttainmentParams>()
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
        let targets = KpiTargets::read(&ctx.table("kpi_targets")?)?;
        let bounds = laxest_targets(p)?;
        let results = match ctx.optional_table("kpi_results") {
            Some(t) => load_results(&t)?,
            None => BTreeMap::new(),
        };
        let (start, end) = ctx.period_dates()?;
        let months: Vec<String> = months_of(start, end).into_iter().map(month_label).collect();
        let evidence = cxaudit_kpis::Evidence::from_context(ctx);
        // Only the KPIs of the targets judged here are computed: those judged
        // by other criteria (FCR's classification of every contact, the
        // survey and demand KPIs) would be computed and left unread.
        let named: Vec<Kpi> = targets
            .rows
            .iter()
            .filter(|t| !p.exclude.iter().any(|x| x == &t.kpi_name))
            .filter_map(|t| t.kpi)
            .collect();
        let mut opts = kpi_options(ctx)?.only(&named);
        opts.attrition_method = attrition_method(&p.attrition_method)?;
        opts.sl_threshold_seconds = p.sl_threshold_seconds;
        // The months, with the period as a whole beside them (not read
        // here: one group more per contact in the contacts pass, and the
        // other families' KPIs of the targets over the period, small
        // tables): the demand criterion asks the same of the contacts, read
        // alike, and takes this pass when it runs after this one in the
        // plugin's process, or leaves its own for this one.
        let [_, report] =
            cxaudit_kpis::compute_each(&evidence, [GroupBy::All, GroupBy::Month], &opts);

        let mut excluded = Vec::new();
        let mut not_gradeable: Vec<(String, String)> = Vec::new();
        let mut judged: Vec<(Judged<'_>, Vec<Cell>)> = Vec::new();
        let mut obs = Vec::new();
        for t in &targets.rows {
            if p.exclude.iter().any(|x| x == &t.kpi_name) {
                excluded.push(t.kpi_name.clone());
                continue;
            }
            if t.kpi.is_none() && !results.keys().any(|(k, _, _)| k == &t.kpi_name) {
                not_gradeable.push((
                    t.label(),
                    "unknown KPI name: no definition to compute it and no kpi_results".into(),
                ));
                continue;
            }
            let Some(j) = judge_centre_row(t, &bounds, &mut obs)? else {
                not_gradeable.push((t.label(), format!("{}: no target value", t.at())));
                continue;
            };
            let kpi = j.kpi;
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
                        None => {
                            match results.get(&(t.kpi_name.clone(), t.scope.clone(), m.clone())) {
                                Some(v) => (Some(*v), "kpi_results"),
                                None => (None, "none"),
                            }
                        }
                    };
                    let met = value.map(|v| j.meets(v));
                    Cell { value, source, met }
                })
                .collect();
            if cells.iter().all(|c| c.value.is_none()) {
                not_gradeable.push((
                    t.label(),
                    "no value in any month from the data or kpi_results".into(),
                ));
                continue;
            }
            if cells.iter().any(|c| c.source == "kpi_results") {
                obs.push(format!(
                    "{}: {} month(s) taken from kpi_results because the data cannot give them{}.",
                    t.label(),
                    cells.iter().filter(|c| c.source == "kpi_results").count(),
                    if t.scope.is_some() {
                        " (scoped target: the data are judged centre-wide only)"
                    } else {
                        ""
                    }
                ));
            }
            judged.push((j, cells));
        }
        if judged.is_empty() && not_gradeable.is_empty() {
            return Err(EvalError::NotApplicable(format!(
                "every KPI target ({}) is judged by PF1-PF3",
                excluded.join(", ")
            )));
        }
        let pairs: usize = judged
            .iter()
            .map(|(_, c)| c.iter().filter(|c| c.met.is_some()).count())
            .sum();
        let met: usize = judged
            .iter()
            .map(|(_, c)| c.iter().filter(|c| c.met == Some(true)).count())
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
        items.extend(
            judged
                .iter()
                .map(|(j, cells)| Credited::pass_fail(target_check(j, cells))),
        );
        let bounded = judged.iter().filter(|(j, _)| j.bounded).count();
        let summary = format!(
            "{met} of {pairs} (KPI, month) pairs met their targets ({}) over {} targets (the centre's kpi_targets rows, policy centre; {bounded} laxer than the standard accepts, judged at its bound); {} not gradeable; {} judged by PF1-PF3.",
            pct(share),
            judged.len(),
            not_gradeable.len(),
            excluded.len()
        );
        let mut e = evaluation_from_credits(items, summary);
        e.measurements = vec![Measurement::new(
            "kpi_target_attainment",
            Some(share),
            "ratio",
            "(KPI, month) pairs meeting the target by direction / pairs with a value",
        )];
        e.measure("targets_judged", Some(judged.len() as f64));
        e.measure("targets_not_gradeable", Some(not_gradeable.len() as f64));
        e.definitions = judged
            .iter()
            .filter_map(|(j, _)| j.kpi)
            .map(|k| Definition::new(k.key(), &k.definition(&opts).definition))
            .collect();
        e.definitions.push(Definition::new("attainment", "a (KPI, month) pair meets its target when value >= target (direction min) or value <= target (direction max); values from the data (cxaudit-kpis, by local month) are preferred over kpi_results"));
        e.definitions.push(Definition::new("targets", "the centre's own targets, each row of kpi_targets in the KPI's unit (PF4 has no pack target: policy centre); a target laxer than the standard accepts (laxest_targets) is reported and the bound judged"));
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
        e.drilldowns = vec![matrix(&judged, &not_gradeable, &months)];
        e.charts = vec![heatmap(&judged, &months)];
        for (j, cells) in &judged {
            e.actions.extend(missed_action(j, cells, &months));
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

/// The defaults of `laxest_targets`: the bounds cx-ops sets (see its criteria).
fn default_laxest_targets() -> Value {
    json!({
        "service_level": 0.80,
        "asa_seconds": 30.0,
        "abandon_rate": 0.08,
        "attrition_annualized": 0.45,
        "absence_rate": 0.10,
        "schedule_adherence": 0.85,
    })
}

/// The per-target check (weight 0: the share above scores): met in every
/// month with a value, against the target judged and where it came from.
fn target_check(j: &Judged<'_>, cells: &[Cell]) -> Check {
    let valued = cells.iter().filter(|c| c.met.is_some()).count();
    let ok = cells.iter().filter(|c| c.met == Some(true)).count();
    Check::new(
        &format!("target_{}", j.row.label()),
        &format!(
            "{} {} {} ({}) in every month with a value",
            j.row.label(),
            j.op(),
            j.target,
            j.cite
        ),
        format!("{ok} of {valued} months"),
        format!("{valued} of {valued} months"),
        ok == valued,
    )
    .weight(0.0)
}

/// The KPI-by-month drill-down, not-gradeable targets last.
fn matrix(
    judged: &[(Judged<'_>, Vec<Cell>)],
    not_gradeable: &[(String, String)],
    months: &[String],
) -> Drilldown {
    let mut columns = vec![
        "kpi".to_owned(),
        "target".into(),
        "direction".into(),
        "target_source".into(),
    ];
    columns.extend(months.iter().cloned());
    columns.extend(["months_met".to_owned(), "months_with_value".into()]);
    let mut rows: Vec<Vec<Value>> = judged
        .iter()
        .map(|(j, cells)| {
            let direction = if j.higher { "min" } else { "max" };
            let mut r = vec![
                json!(j.row.label()),
                json!(j.target),
                json!(direction),
                json!(j.cite),
            ];
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
    for (k, why) in not_gradeable {
        let mut r = vec![json!(k), Value::Null, Value::Null, Value::Null];
        r.extend(months.iter().map(|_| Value::Null));
        r.extend([json!(why), json!(0)]);
        rows.push(r);
    }
    Drilldown {
        id: "attainment_matrix".into(),
        title: "KPI targets by month".into(),
        columns,
        rows,
        units: Vec::new(),
    }
}

/// Met (1) or missed (0) by target and month.
fn heatmap(judged: &[(Judged<'_>, Vec<Cell>)], months: &[String]) -> Chart {
    Chart {
        id: "attainment_heatmap".into(),
        title: "Target met (1) or missed (0) by KPI and month".into(),
        kind: ChartKind::Heatmap,
        x: months.to_vec(),
        y: judged.iter().map(|(j, _)| j.row.label()).collect(),
        unit: "met".into(),
        series: judged
            .iter()
            .map(|(j, cells)| Series {
                name: j.row.label(),
                values: cells
                    .iter()
                    .map(|c| c.met.map(|m| if m { 1.0 } else { 0.0 }))
                    .collect(),
            })
            .collect(),
    }
}

/// The action for a target missed in some months, naming them.
fn missed_action(j: &Judged<'_>, cells: &[Cell], months: &[String]) -> Option<Action> {
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
    (!missed.is_empty()).then(|| {
        Action::new(
            format!(
                "Bring {} to {} {}: missed in {}; name the corrective action and owner in the monthly review.",
                j.row.label(),
                if j.higher { "at least" } else { "at most" },
                j.target,
                missed.join(", ")
            ),
            Effort::Medium,
            OwnerRole::Process,
        )
    })
}

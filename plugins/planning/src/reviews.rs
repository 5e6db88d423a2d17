//! LP4: a performance review in every month of the period, and a corrective
//! action with an owner for every KPI that was off target in the data.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use cxaudit_plugin_sdk::DocumentNeed;
use cxaudit_plugin_sdk::markdown::{self, MarkdownDoc};
use cxaudit_plugin_sdk::prelude::*;
use serde::Deserialize;

use crate::common;
use crate::kpi_data::{self, MonthlyKpis, TargetRow};

/// Evaluator `performance_reviews`.
pub struct PerformanceReviews;

/// Parameters of [`PerformanceReviews`]: each doc comment is the manifest's
/// description.
#[derive(Debug, Deserialize, Params)]
pub struct ReviewParams {
    /// service-level answer threshold T, seconds, for the measured SL
    #[param(default = 20.0, min = 0)]
    pub sl_threshold_seconds: f64,
    /// an action minuted in the next review also covers an off-target month
    #[param(default = true)]
    pub accept_next_review: bool,
}

/// The actions table's columns (canonical names): KPI, action, owner.
const ACTION_COLUMNS: [&str; 3] = ["kpi", "action", "owner"];

const MINUTES: &str = "review_minutes";

impl Evaluator for PerformanceReviews {
    type Params = ReviewParams;

    fn name(&self) -> &'static str {
        "performance_reviews"
    }

    fn manifest(&self) -> Manifest {
        let mut m = Manifest::new(
            "A performance review is minuted in every month of the period, and every KPI that \
             the data shows off target in a month has an action with an owner in that month's \
             or the next review's minutes (Actions table: KPI, Action, Owner).",
        )
        .document_need(DocumentNeed::optional(MINUTES).columns(&ACTION_COLUMNS))
        .table(kpi_data::targets_need(true));
        for need in kpi_data::kpi_table_needs(&[]) {
            m = m.table(need);
        }
        m.params::<ReviewParams>()
            .measurement(
                "months_with_minutes",
                "months",
                "months of the period with review minutes",
            )
            .measurement(
                "off_target_kpi_months",
                "kpi-months",
                "KPI targets missed in a month, computed from the data",
            )
            .measurement(
                "off_target_actioned_share",
                "ratio",
                "off-target KPI-months with an action and owner / off-target KPI-months",
            )
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &ReviewParams) -> Result<Evaluation, EvalError> {
        let period = ctx.period_dates()?;
        let (targets, _) = kpi_data::read_targets(&ctx.table("kpi_targets")?)?;
        let docs = ctx.documents(MINUTES).unwrap_or_default();
        let reviews = read_reviews(&docs)?;
        let kpis = MonthlyKpis::compute(ctx, p.sl_threshold_seconds, &targets)?;
        let months = common::months_of(period.0, period.1);
        let judged: Vec<Month> = months
            .iter()
            .map(|m| judge_month(*m, &targets, &kpis, &reviews, p))
            .collect();
        Ok(evaluation(&judged, &reviews, &targets, &kpis))
    }
}

/// One review's minutes.
struct Review {
    path: String,
    month: NaiveDate,
    actions: Vec<(String, String, String)>,
}

/// Reads every minutes file: its month and its Actions rows (KPI, Action, Owner).
fn read_reviews(docs: &[Document]) -> Result<Vec<Review>, EvalError> {
    let mut out = Vec::new();
    for doc in docs {
        let doc = doc.parse()?;
        let Some(month) = review_month(&doc.markdown, &doc.path) else {
            continue;
        };
        out.push(Review {
            actions: action_rows(&doc),
            path: doc.path,
            month,
        });
    }
    out.sort_by(|a, b| a.month.cmp(&b.month).then(a.path.cmp(&b.path)));
    Ok(out)
}

/// The month a review covers: front matter `period` (`YYYY-MM`), else
/// `date`, else a `YYYY-MM` in the file name.
fn review_month(md: &MarkdownDoc, path: &str) -> Option<NaiveDate> {
    md.front_str("period")
        .and_then(parse_month)
        .or_else(|| md.front_date("date").map(common::month_start))
        .or_else(|| month_in_name(path))
}

fn parse_month(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", text.get(..7)?), "%Y-%m-%d").ok()
}

fn month_in_name(path: &str) -> Option<NaiveDate> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if let Some(d) = markdown::find_dates(name).first() {
        return Some(common::month_start(*d));
    }
    let b = name.as_bytes();
    (0..b.len().saturating_sub(6)).find_map(|i| {
        let w = &b[i..i + 7];
        let shape = w.iter().enumerate().all(|(k, c)| {
            if k == 4 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
        let bounded = (i == 0 || !b[i - 1].is_ascii_digit())
            && b.get(i + 7).is_none_or(|c| !c.is_ascii_digit());
        (shape && bounded)
            .then(|| parse_month(std::str::from_utf8(w).ok()?))
            .flatten()
    })
}

/// Rows of every table with the kpi, action and owner columns (found by
/// the minutes' words): (KPI, action, owner).
fn action_rows(doc: &ParsedDocument) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for t in doc.tables_with(&ACTION_COLUMNS) {
        for row in &t.rows {
            let cell = |c: &str| doc.cell(t, row, c).unwrap_or("").to_owned();
            let [kpi, action, owner] = ACTION_COLUMNS.map(cell);
            out.push((kpi, action, owner));
        }
    }
    out
}

/// A KPI target judged in one month.
struct KpiMonth {
    target: usize,
    actual: Option<f64>,
    off_target: Option<bool>,
    action: Option<(String, String, String)>,
}

/// One month of the period.
struct Month {
    month: NaiveDate,
    minutes: Option<String>,
    kpis: Vec<KpiMonth>,
}

impl Month {
    fn off(&self) -> impl Iterator<Item = &KpiMonth> {
        self.kpis.iter().filter(|k| k.off_target == Some(true))
    }

    /// Targets whose KPI the data cannot give for the month: the review
    /// cannot be checked against them, which earns nothing.
    fn unjudged(&self) -> impl Iterator<Item = &KpiMonth> {
        self.kpis.iter().filter(|k| k.actual.is_none())
    }
}

fn judge_month(
    month: NaiveDate,
    targets: &[TargetRow],
    kpis: &MonthlyKpis,
    reviews: &[Review],
    p: &ReviewParams,
) -> Month {
    let label = common::month_label(month);
    let same = reviews.iter().filter(|r| r.month == month);
    let next_month = reviews.iter().map(|r| r.month).find(|m| *m > month);
    let next = reviews
        .iter()
        .filter(|r| p.accept_next_review && Some(r.month) == next_month);
    let candidates: Vec<&Review> = same.chain(next).collect();
    let judged = targets
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let kpi = t.kpi?;
            let actual = kpis.value(kpi, t.scope.as_deref(), &label);
            let off_target = actual.and_then(|v| t.is_off_target(v));
            let action = if off_target == Some(true) {
                find_action(&candidates, &t.kpi_name)
            } else {
                None
            };
            Some(KpiMonth {
                target: i,
                actual,
                off_target,
                action,
            })
        })
        .collect();
    Month {
        month,
        minutes: reviews
            .iter()
            .find(|r| r.month == month)
            .map(|r| r.path.clone()),
        kpis: judged,
    }
}

/// The first action with an owner naming the KPI: (path, action, owner).
fn find_action(reviews: &[&Review], kpi: &str) -> Option<(String, String, String)> {
    reviews.iter().find_map(|r| {
        r.actions
            .iter()
            .find(|(k, a, o)| {
                (k.trim().eq_ignore_ascii_case(kpi) || common::mentions_kpi(k, kpi))
                    && !a.trim().is_empty()
                    && common::is_named(Some(o))
            })
            .map(|(_, a, o)| (r.path.clone(), a.clone(), o.clone()))
    })
}

fn evaluation(
    months: &[Month],
    reviews: &[Review],
    targets: &[TargetRow],
    kpis: &MonthlyKpis,
) -> Evaluation {
    let mut checks = Vec::new();
    for m in months {
        let label = common::month_label(m.month);
        checks.push(Check::new(
            &format!("minutes_{label}"),
            &format!("Review minutes for {label}"),
            m.minutes.clone().unwrap_or_else(|| "no minutes".into()),
            "a minutes file for the month",
            m.minutes.is_some(),
        ));
        let off: Vec<&KpiMonth> = m.off().collect();
        let unjudged: Vec<String> = m.unjudged().map(|k| targets[k.target].label()).collect();
        if off.is_empty() && unjudged.is_empty() {
            continue;
        }
        let missing: Vec<String> = off
            .iter()
            .filter(|k| k.action.is_none())
            .map(|k| targets[k.target].label())
            .collect();
        let mut measured = format!("{} of {} actioned", off.len() - missing.len(), off.len());
        if !missing.is_empty() {
            measured.push_str(&format!("; no action for {}", missing.join(", ")));
        }
        if !unjudged.is_empty() {
            measured.push_str(&format!(
                "; no data to judge {} against its target",
                unjudged.join(", ")
            ));
        }
        checks.push(Check::new(
            &format!("actions_{label}"),
            &format!(
                "Every KPI target of {label} can be judged from the data, and every KPI off target has an action with an owner"
            ),
            measured,
            "an Actions row (KPI, Action, Owner) in the month's or the next review's minutes",
            missing.is_empty() && unjudged.is_empty(),
        ));
    }
    let mut e = Evaluation::from_checks(checks);
    let with_minutes = months.iter().filter(|m| m.minutes.is_some()).count();
    let off_total: usize = months.iter().map(|m| m.off().count()).sum();
    let actioned: usize = months
        .iter()
        .map(|m| m.off().filter(|k| k.action.is_some()).count())
        .sum();
    let share = (off_total > 0).then(|| actioned as f64 / off_total as f64);
    e.summary = format!(
        "Review minutes in {with_minutes} of {} months; {off_total} KPI-month(s) off target in the data, {actioned} with an action and owner.",
        months.len()
    );
    e.measure("months_with_minutes", Some(with_minutes as f64));
    e.measure("off_target_kpi_months", Some(off_total as f64));
    e.measure("off_target_actioned_share", share);
    e.definitions.push(Definition::new("Off target", "The KPI computed from the data (cxaudit-kpis, local calendar month) is below a `min` target or above a `max` target (targets in percent are read as ratios)."));
    e.definitions.push(Definition::new("Review month", "Front matter `period` (YYYY-MM), else the month of front matter `date`, else a YYYY-MM in the file name."));
    let mut seen = Vec::new();
    for t in targets {
        if let Some(k) = t.kpi.filter(|k| !seen.contains(k)) {
            seen.push(k);
            e.definitions.push(kpis.definition(k));
        }
    }
    let unknown: Vec<String> = targets
        .iter()
        .filter(|t| t.kpi.is_none())
        .map(TargetRow::label)
        .collect();
    if !unknown.is_empty() {
        e.observations.push(format!(
            "Targets for unknown KPIs cannot be computed from the data: {}.",
            unknown.join(", ")
        ));
    }
    let outside = reviews
        .iter()
        .filter(|r| !months.iter().any(|m| m.month == r.month))
        .count();
    if outside > 0 {
        e.observations.push(format!(
            "{outside} minutes file(s) fall outside the period."
        ));
    }
    e.drilldowns.push(drilldown(months, targets));
    e.charts.push(chart(months));
    e.actions = actions(months, targets);
    e
}

fn drilldown(months: &[Month], targets: &[TargetRow]) -> Drilldown {
    let mut rows = Vec::new();
    for m in months {
        for k in &m.kpis {
            let t = &targets[k.target];
            rows.push(vec![
                common::month_label(m.month).into(),
                t.label().into(),
                k.actual.map(|v| common::kpi_value_label(t.kpi, v)).into(),
                t.target_value()
                    .map(|v| {
                        format!(
                            "{} {}",
                            if t.higher_is_better() == Some(false) {
                                "<="
                            } else {
                                ">="
                            },
                            common::kpi_value_label(t.kpi, v)
                        )
                    })
                    .into(),
                match k.off_target {
                    Some(b) => b.into(),
                    None => "no data".into(),
                },
                match (&k.action, k.off_target) {
                    (Some((path, action, owner)), _) => {
                        format!("{action} ({owner}; {path})").into()
                    }
                    (None, Some(true)) => "none".into(),
                    _ => serde_json::Value::Null,
                },
            ]);
        }
    }
    Drilldown {
        id: "month_kpi".into(),
        title: "KPI targets by month: actual from the data, off target, action found".into(),
        columns: vec![
            "month".into(),
            "kpi".into(),
            "actual".into(),
            "target".into(),
            "off target".into(),
            "action".into(),
        ],
        rows,
        units: Vec::new(),
    }
}

fn chart(months: &[Month]) -> Chart {
    Chart {
        id: "off_target_by_month".into(),
        title: "Off-target KPIs per month and those with an action".into(),
        kind: ChartKind::Bar,
        x: months
            .iter()
            .map(|m| common::month_label(m.month))
            .collect(),
        y: Vec::new(),
        unit: "kpis".into(),
        series: vec![
            Series {
                name: "off target".into(),
                values: months
                    .iter()
                    .map(|m| Some(m.off().count() as f64))
                    .collect(),
            },
            Series {
                name: "with action and owner".into(),
                values: months
                    .iter()
                    .map(|m| Some(m.off().filter(|k| k.action.is_some()).count() as f64))
                    .collect(),
            },
        ],
    }
}

fn actions(months: &[Month], targets: &[TargetRow]) -> Vec<Action> {
    let mut out = Vec::new();
    let no_minutes: Vec<String> = months
        .iter()
        .filter(|m| m.minutes.is_none())
        .map(|m| common::month_label(m.month))
        .collect();
    if !no_minutes.is_empty() {
        out.push(Action::new(format!(
                "Hold and minute a monthly performance review (KPI table against targets, Actions table with KPI, Action, Owner) for {}.",
                no_minutes.join(", ")
            ), Effort::Low, OwnerRole::Process));
    }
    let mut unactioned: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in months {
        for k in m.off().filter(|k| k.action.is_none()) {
            let t = &targets[k.target];
            let actual = k
                .actual
                .map(|v| common::kpi_value_label(t.kpi, v))
                .unwrap_or_default();
            unactioned
                .entry(t.label())
                .or_default()
                .push(format!("{} {actual}", common::month_label(m.month)));
        }
    }
    if !unactioned.is_empty() {
        let listed: Vec<String> = unactioned
            .iter()
            .map(|(k, ms)| format!("{k} ({})", ms.join(", ")))
            .collect();
        out.push(Action::new(
            format!(
                "Minute a corrective action with a named owner for each off-target KPI: {}.",
                listed.join("; ")
            ),
            Effort::Low,
            OwnerRole::Process,
        ));
    }
    out
}

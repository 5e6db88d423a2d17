//! PF1: CSAT top-2-box and NPS month by month against target, met in N of
//! the last M months or significantly improving.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use cxaudit_kpis::{GroupBy, Kpi};
use cxaudit_metrics::sample::{SampleTally, SelectionCells};
use cxaudit_metrics::stats::normal_two_sided_p;
use cxaudit_metrics::survey::{Nps, TopTwoBox, nps_from_counts, two_proportion_z_test};
use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::time::LocalDates;
use serde::Deserialize;
use serde_json::json;

use crate::common::*;

/// PF1 evaluator `customer_satisfaction`.
pub struct CustomerSatisfaction;

/// Parameters of [`CustomerSatisfaction`]: each doc comment is the manifest's
/// description, unless the type (`TargetPolicy`) or helper (`laxest_param`) gives its own.
#[derive(Debug, Deserialize, Params)]
pub struct SatisfactionParams {
    /// the pack's CSAT top-2-box target (fraction), judged as target_policy says
    #[param(default = 0.85, min = 0, max = 1, target_of = Kpi::CsatTop2.key())]
    pub csat_target: f64,
    /// the pack's NPS target (points), judged as target_policy says
    #[param(default = 30.0, min = -100, max = 100, target_of = Kpi::Nps.key())]
    pub nps_target: f64,
    /// Whose targets are judged.
    #[param(default = TargetPolicy::Centre)]
    pub target_policy: TargetPolicy,
    /// The laxest CSAT top-2-box target the standard accepts (fraction).
    #[param(spec = |name| laxest_param(name, Kpi::CsatTop2, 0.0))]
    pub csat_laxest_target: f64,
    /// The laxest NPS target the standard accepts (points).
    #[param(spec = |name| laxest_param(name, Kpi::Nps, -100.0))]
    pub nps_laxest_target: f64,
    /// the last months of the period judged
    #[param(default = 4, min = 1, max = 24)]
    pub months_window: usize,
    /// months of the window that must meet the target
    #[param(default = 3, min = 1, max = 24)]
    pub months_required: usize,
    /// a significant improvement from the first to the last month also meets
    #[param(default = true)]
    pub allow_trend: bool,
    /// significance level of the improvement z-test
    #[param(default = 0.05, min = 0, max = 0.5)]
    pub significance: f64,
}

/// Survey answers per local invitation month (the KPI crate's grouping),
/// tallied by selection method: each month's figures are those of its
/// survey sample (`cxaudit_metrics::sample`), never customer-initiated feedback.
fn answers_by_month(
    t: &Table,
    tz: chrono_tz::Tz,
) -> Result<BTreeMap<String, SampleTally>, EvalError> {
    let mut responded = t.timestamps("responded_at")?;
    let mut csat = t.i64s("csat")?;
    let mut nps = t.i64s("nps")?;
    let mut selection = optional_cells(t, "selection", |c| t.strs(c))?;
    let mut dates = LocalDates::new(tz);
    // Each selection text parsed once per batch (found by address).
    let mut methods = SelectionCells::default();
    // Tallied by the first day of the local month, in the order months
    // come (invitations in time order find theirs last in the list); put in
    // order and labelled once at the end.
    let mut by_month: Vec<(NaiveDate, SampleTally)> = Vec::new();
    for invited in t.timestamps("invited_at")? {
        let (responded, csat, nps) = (responded.next(), csat.next(), nps.next());
        let selection = selection.next().flatten();
        let Some(day) = invited.and_then(|ts| dates.date(ts)) else {
            continue;
        };
        let answered = responded.flatten().is_some();
        let month = day.with_day(1).unwrap_or(day);
        let at = match by_month.iter().rposition(|(m, _)| *m == month) {
            Some(at) => at,
            None => {
                by_month.push((month, SampleTally::default()));
                by_month.len() - 1
            }
        };
        by_month[at].1.add(
            methods.parse(selection),
            answered,
            csat.flatten().filter(|_| answered),
            nps.flatten().filter(|_| answered),
        );
    }
    // Each month is in the list once (found wherever it is), so a month's
    // tally is whole whatever the order of the rows.
    by_month.sort_unstable_by_key(|(month, _)| *month);
    Ok(by_month
        .into_iter()
        .map(|(month, tally)| (month_label(month), tally))
        .collect())
}

/// One metric judged over the window.
struct Judgement {
    met_months: usize,
    window_months: usize,
    improving: Option<(String, String, f64, f64)>,
    passed: bool,
    credit: f64,
}

fn judge(
    met: &[Option<bool>],
    improving: Option<(String, String, f64, f64)>,
    p: &SatisfactionParams,
) -> Judgement {
    let met_months = met.iter().filter(|m| **m == Some(true)).count();
    let required = p.months_required.max(1);
    let trend_ok = p.allow_trend && improving.as_ref().is_some_and(|t| t.3 < p.significance);
    let passed = met_months >= required || trend_ok;
    let credit = if passed {
        1.0
    } else {
        (met_months as f64 / required as f64).min(1.0)
    };
    Judgement {
        met_months,
        window_months: met.len(),
        improving,
        passed,
        credit,
    }
}

/// First and last month with data: (first, last, z, p) when the last is higher.
fn csat_trend(months: &[(String, TopTwoBox)]) -> Option<(String, String, f64, f64)> {
    let (first, last) = (months.first()?, months.last()?);
    if first.0 == last.0 {
        return None;
    }
    let t = two_proportion_z_test(last.1.top_two, last.1.valid, first.1.top_two, first.1.valid)?;
    (t.z > 0.0).then(|| (first.0.clone(), last.0.clone(), t.z, t.p_value))
}

fn nps_trend(months: &[(String, Nps)]) -> Option<(String, String, f64, f64)> {
    let (first, last) = (months.first()?, months.last()?);
    if first.0 == last.0 {
        return None;
    }
    let se = (first.1.variance + last.1.variance).sqrt() * 100.0;
    let z = cxaudit_metrics::stats::ratio(last.1.nps - first.1.nps, se)?;
    (z > 0.0).then(|| (first.0.clone(), last.0.clone(), z, normal_two_sided_p(z)))
}

impl Evaluator for CustomerSatisfaction {
    type Params = SatisfactionParams;

    fn name(&self) -> &'static str {
        "customer_satisfaction"
    }

    fn manifest(&self) -> Manifest {
        let m = Manifest::new(
            "CSAT top-2-box and NPS by month against their targets: met in at least N of the last M months of the \
             period, or significantly improving from the first to the last month.",
        )
        .table(
            TableNeed::required("surveys")
                .column("invited_at", ColumnType::Timestamp)
                .column("responded_at", ColumnType::Timestamp)
                .column("csat", ColumnType::Integer)
                .column("nps", ColumnType::Integer)
                .optional_column("selection", ColumnType::String),
        )
        .table(kpi_targets_need())
        .params::<SatisfactionParams>()
        .measurement("csat_top2", "ratio", "CSAT top-2-box of the survey sample over the period (cxaudit-kpis): random and census invitations, or all invitations flagged biased when there is none; never customer-initiated feedback")
        .measurement("nps", "points", "NPS of the survey sample over the period (cxaudit-kpis)")
        .measurement("csat_months_met", "months", "months of the window with CSAT at or above target")
        .measurement("nps_months_met", "months", "months of the window with NPS at or above target");
        with_kpi_needs(m, &["surveys"])
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &SatisfactionParams) -> Result<Evaluation, EvalError> {
        let tz = ctx.time_zone()?;
        let surveys = ctx.table("surveys")?;
        let answers = answers_by_month(&surveys, tz)?;
        let evidence = cxaudit_kpis::Evidence::from_context(ctx);
        let opts = kpi_options(ctx)?.only(&[Kpi::CsatTop2, Kpi::Nps]);
        // The period's values and each month's, from one reading of the surveys.
        let [overall, report] =
            cxaudit_kpis::compute_each(&evidence, [GroupBy::All, GroupBy::Month], &opts);
        let overall = cxaudit_kpis::overall_of(overall, &opts);
        let (start, end) = ctx.period_dates()?;
        let months: Vec<String> = months_of(start, end).into_iter().map(month_label).collect();
        let window: Vec<String> = months
            .iter()
            .rev()
            .take(p.months_window)
            .rev()
            .cloned()
            .collect();
        let value = |m: &str, k: Kpi| report.group(m).and_then(|g| g.value(k));

        let targets = KpiTargets::from_context(ctx)?;
        let csat_judged = TargetRule::new(Kpi::CsatTop2, p.target_policy)
            .pack_target("csat_target", p.csat_target)
            .laxest("csat_laxest_target", p.csat_laxest_target)
            .required_in(&targets)?;
        let nps_judged = TargetRule::new(Kpi::Nps, p.target_policy)
            .pack_target("nps_target", p.nps_target)
            .laxest("nps_laxest_target", p.nps_laxest_target)
            .required_in(&targets)?;
        let (csat_target, nps_target) = (csat_judged.value, nps_judged.value);
        let has_csat = overall.value(Kpi::CsatTop2).is_some();
        let has_nps = overall.value(Kpi::Nps).is_some();
        if !has_csat && !has_nps {
            return Err(EvalError::MissingEvidence(
                "no survey response with a csat or nps score".into(),
            ));
        }

        let csat_counts: Vec<(String, TopTwoBox)> = months
            .iter()
            .filter_map(|m| answers.get(m).map(|a| (m.clone(), a.sample().csat)))
            .filter(|(_, t)| t.valid > 0)
            .collect();
        let nps_stats: Vec<(String, Nps)> = months
            .iter()
            .filter_map(|m| {
                let s = answers.get(m)?.sample();
                nps_from_counts(s.promoters, s.detractors, s.nps_n).map(|n| (m.clone(), n))
            })
            .collect();

        let mut items = Vec::new();
        let mut obs = Vec::new();
        if let Some(flag) = overall.note(Kpi::CsatTop2) {
            obs.push(format!(
                "CSAT and NPS rest on a {flag}; that figure overstates satisfaction and is not judged as if it were a survey of customers."
            ));
        }
        let biased_months: Vec<&String> = months
            .iter()
            .filter(|m| {
                report
                    .group(m)
                    .is_some_and(|g| g.note(Kpi::CsatTop2).is_some())
            })
            .collect();
        if !biased_months.is_empty() && overall.note(Kpi::CsatTop2).is_none() {
            obs.push(format!(
                "No random or census invitation in {}: those months are measured on agent-selected invitations (a biased sample).",
                biased_months.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
        let mut summary_parts = Vec::new();
        let mut actions = Vec::new();
        for (key, has, judged, unit_pct) in [
            ("csat_top2", has_csat, &csat_judged, true),
            ("nps", has_nps, &nps_judged, false),
        ] {
            let target = judged.value;
            let kpi = if key == "nps" {
                Kpi::Nps
            } else {
                Kpi::CsatTop2
            };
            if !has {
                obs.push(format!("No response carries {key}: it is not judged."));
                continue;
            }
            let met: Vec<Option<bool>> = window
                .iter()
                .map(|m| value(m, kpi).map(|v| v >= target))
                .collect();
            let empty: Vec<&String> = window
                .iter()
                .zip(&met)
                .filter(|(_, m)| m.is_none())
                .map(|(w, _)| w)
                .collect();
            if !empty.is_empty() {
                obs.push(format!(
                    "{key}: no responses in {}; such a month counts as not meeting the target.",
                    empty
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            let trend = if key == "nps" {
                nps_trend(&nps_stats)
            } else {
                csat_trend(&csat_counts)
            };
            let j = judge(&met, trend, p);
            let fmt = |v: f64| if unit_pct { pct(v) } else { format!("{v:.1}") };
            let trend_text = match &j.improving {
                Some((f, l, z, pv)) => format!("; {f} to {l} improvement z = {z:.2}, p = {pv:.3}"),
                None => String::new(),
            };
            summary_parts.push(format!(
                "{key} met target {} ({}) in {} of the last {} months{trend_text}",
                fmt(target),
                judged.cite(),
                j.met_months,
                j.window_months
            ));
            items.push(Credited::graded(
                Check::new(
                    &format!("{key}_months_met"),
                    &format!("{key} at or above target in enough of the last months, or significantly improving"),
                    j.met_months as f64,
                    format!(
                        ">= {} of the last {} months at {}{}",
                        p.months_required,
                        p.months_window,
                        judged.expected(),
                        if p.allow_trend { format!(", or first-to-last-month improvement with p < {}", p.significance) } else { String::new() }
                    ),
                    false,
                ),
                j.credit,
            ));
            if !j.passed {
                let missed: Vec<String> = window
                    .iter()
                    .filter(|m| value(m, kpi).is_none_or(|v| v < target))
                    .map(|m| format!("{m} ({})", value(m, kpi).map_or("no responses".into(), fmt)))
                    .collect();
                let text = format!(
                    "Lift {key} to the target {}: missed in {}; act on the top dissatisfaction drivers and reasons (see CX5) and track monthly.",
                    fmt(target),
                    missed.join(", ")
                );
                actions.push(Action::new(text, Effort::Medium, OwnerRole::Process));
            }
        }
        let summary = format!("{}.", summary_parts.join("; "));
        let mut e = evaluation_from_credits(items, summary);
        e.observations = obs;
        e.measurements = vec![
            Measurement::new(
                "csat_top2",
                overall.value(Kpi::CsatTop2),
                "ratio",
                &Kpi::CsatTop2.definition(&opts).definition,
            ),
            Measurement::new(
                "nps",
                overall.value(Kpi::Nps),
                "points",
                &Kpi::Nps.definition(&opts).definition,
            ),
        ];
        for c in &e.checks {
            if let Some(v) = c.measured.as_f64() {
                e.measurements.push(Measurement::new(
                    &c.id.replace("_top2", ""),
                    Some(v),
                    "months",
                    &c.description,
                ));
            }
        }
        e.definitions = vec![
            Definition::new("csat_top2", &Kpi::CsatTop2.definition(&opts).definition),
            Definition::new("nps", &Kpi::Nps.definition(&opts).definition),
            Definition::new(
                "improvement test",
                "CSAT: two-proportion z-test with pooled p, last vs first month with responses; NPS: z = (NPS_last - NPS_first) / sqrt(SE_first^2 + SE_last^2) with Var = (p + d - (p - d)^2) / n; improving when the last month is higher and p < significance",
            ),
            Definition::new(
                "month",
                "local calendar month of the invitation; each month is measured on its own survey sample",
            ),
        ];
        for (judged, has) in [(&csat_judged, has_csat), (&nps_judged, has_nps)] {
            if has {
                judged.record(&mut e);
            }
        }
        e.drilldowns = vec![
            Drilldown {
                id: "satisfaction_by_month".into(),
                title: "CSAT and NPS by month".into(),
                columns: [
                    "month",
                    "csat_responses",
                    "csat_top2",
                    "csat_met",
                    "nps_responses",
                    "nps",
                    "nps_met",
                    "in_window",
                ]
                .map(String::from)
                .to_vec(),
                rows: months
                    .iter()
                    .map(|m| {
                        let a = answers.get(m);
                        let c = value(m, Kpi::CsatTop2);
                        let n = value(m, Kpi::Nps);
                        vec![
                            json!(m),
                            json!(a.map_or(0, |a| a.sample().csat.valid)),
                            num(c),
                            json!(c.map(|v| v >= csat_target)),
                            json!(a.map_or(0, |a| a.sample().nps_n)),
                            num(n),
                            json!(n.map(|v| v >= nps_target)),
                            json!(window.contains(m)),
                        ]
                    })
                    .collect(),
                units: Vec::new(),
            }
            .unit_of(&["csat_top2"], "ratio"),
        ];
        e.charts = vec![
            line_chart(
                "csat_monthly",
                "CSAT top-2-box by month against target",
                "ratio",
                &months,
                "CSAT top-2-box",
                months.iter().map(|m| value(m, Kpi::CsatTop2)).collect(),
                csat_target,
            ),
            line_chart(
                "nps_monthly",
                "NPS by month against target",
                "points",
                &months,
                "NPS",
                months.iter().map(|m| value(m, Kpi::Nps)).collect(),
                nps_target,
            ),
        ];
        e.actions = actions;
        Ok(e)
    }
}

/// A line chart of a monthly value against a flat target.
pub fn line_chart(
    id: &str,
    title: &str,
    unit: &str,
    months: &[String],
    name: &str,
    values: Vec<Option<f64>>,
    target: f64,
) -> Chart {
    Chart {
        id: id.into(),
        title: title.into(),
        kind: ChartKind::Line,
        x: months.to_vec(),
        y: vec![],
        unit: unit.into(),
        series: vec![
            Series {
                name: name.into(),
                values,
            },
            Series {
                name: "Target".into(),
                values: months.iter().map(|_| Some(target)).collect(),
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use cxaudit_metrics::sample::Selection;
    use cxaudit_plugin_sdk::Table;
    use cxaudit_plugin_sdk::testing::TableBuilder;

    use super::answers_by_month;

    #[test]
    fn a_month_met_again_after_another_adds_to_its_own_tally() {
        // January, February, January again, then March; the selections
        // repeat (one text parsed once), one is feedback.
        let invited = [
            "2026-01-05T10:00:00",
            "2026-02-03T10:00:00",
            "2026-01-20T10:00:00",
            "2026-03-01T10:00:00",
        ];
        let selection = ["random", "random", "customer_initiated", "census"];
        let batch = TableBuilder::new()
            .timestamps("invited_at", invited.iter().map(|d| Some(*d)))
            .timestamps("responded_at", invited.iter().map(|d| Some(*d)))
            .integers("csat", [Some(5), Some(2), Some(4), Some(5)])
            .integers("nps", [Some(10), Some(0), Some(9), Some(9)])
            .strings("selection", selection.iter().map(|s| Some(*s)))
            .build();
        let t = Table::new("surveys", batch.schema(), vec![batch]);
        let months = answers_by_month(&t, chrono_tz::UTC).unwrap();
        let labels: Vec<&str> = months.keys().map(String::as_str).collect();
        assert_eq!(labels, ["2026-01", "2026-02", "2026-03"]);
        let january = &months["2026-01"];
        assert_eq!(january.method(Selection::Random).invitations, 1);
        assert_eq!(january.method(Selection::CustomerInitiated).invitations, 1);
        assert_eq!(months["2026-02"].method(Selection::Random).completes, 1);
        assert_eq!(months["2026-03"].method(Selection::Census).invitations, 1);
    }
}

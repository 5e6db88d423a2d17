//! OKR grading: each target read as a key result and graded from the data,
//! clamp((current - baseline) / (target - baseline), 0, 1), with current the
//! KPI computed in the last month of the period.

use cxaudit_plugin_sdk::prelude::*;

use super::TargetParams;
use crate::common;
use crate::kpi_data::{MonthlyKpis, TargetRow};

/// A key result graded from the data.
pub(super) struct Okr<'a> {
    target: &'a TargetRow,
    current: Option<f64>,
    grade: Option<f64>,
    note: String,
}

impl<'a> Okr<'a> {
    /// Grades target `t` with its KPI's value in `month`, or notes why it cannot be graded.
    pub(super) fn grade(t: &'a TargetRow, kpis: &MonthlyKpis, month: &str) -> Self {
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

/// The grades of the key results that could be graded, in order.
pub(super) fn grades(okrs: &[Okr<'_>]) -> Vec<f64> {
    okrs.iter().filter_map(|o| o.grade).collect()
}

/// The arithmetic mean, `None` for no values.
pub(super) fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The `okr_grade` check: the mean grade reaches the parameter's minimum.
pub(super) fn check(okrs: &[Okr<'_>], p: &TargetParams) -> Check {
    let grades = grades(okrs);
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

/// The definition of an OKR grade, with the month graded.
pub(super) fn definition(last_month: &str) -> Definition {
    Definition::new(
        "OKR grade",
        &format!(
            "For a target with baseline and due date: clamp((current - baseline) / (target - baseline), 0, 1), current = the KPI computed from the data (cxaudit-kpis) in the last month of the period ({last_month})."
        ),
    )
}

/// Adds the definition of each KPI a current value was computed for, once per term.
pub(super) fn push_kpi_definitions(
    okrs: &[Okr<'_>],
    kpis: &MonthlyKpis,
    definitions: &mut Vec<Definition>,
) {
    for kpi in okrs
        .iter()
        .filter(|o| o.current.is_some())
        .filter_map(|o| o.target.kpi)
    {
        let d = kpis.definition(kpi);
        if !definitions.iter().any(|x| x.term == d.term) {
            definitions.push(d);
        }
    }
}

/// One observation per scoped target whose scope the data cannot apply.
pub(super) fn scope_observations(okrs: &[Okr<'_>], kpis: &MonthlyKpis) -> Vec<String> {
    let mut out = Vec::new();
    for o in okrs {
        if let (Some(kpi), Some(scope)) = (o.target.kpi, o.target.scope.as_deref())
            && o.current.is_some()
            && !kpis.scope_applies(kpi, Some(scope))
        {
            out.push(format!(
                "Target {}: scope `{scope}` cannot be applied to {} from the data; the centre-wide value is used.",
                o.target.label(),
                kpi.key()
            ));
        }
    }
    out
}

/// Drill-down: baseline, target, current value and grade of each key result.
pub(super) fn drilldown(okrs: &[Okr<'_>]) -> Drilldown {
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
        units: Vec::new(),
    }
}

/// Bar chart of the grade of each key result.
pub(super) fn chart(okrs: &[Okr<'_>]) -> Chart {
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

/// Action: recovery plans for the key results graded below the minimum.
pub(super) fn lagging_action(okrs: &[Okr<'_>], p: &TargetParams) -> Option<Action> {
    let lagging: Vec<String> = okrs
        .iter()
        .filter(|o| o.grade.is_some_and(|g| g < p.min_okr_grade))
        .map(|o| format!("{} ({:.2})", o.target.label(), o.grade.unwrap_or_default()))
        .collect();
    (!lagging.is_empty()).then(|| {
        Action::new(
            format!(
                "Put recovery plans on the key results below {:.2}: {}.",
                p.min_okr_grade,
                lagging.join(", ")
            ),
            Effort::Medium,
            OwnerRole::Process,
        )
    })
}

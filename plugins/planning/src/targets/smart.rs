//! Whether the targets are set and well formed: a target row for every
//! required KPI family, and the SMART points of each target row (numeric
//! with unit and direction, in range, computable, baseline, deadline, owner,
//! review cadence, differs from baseline, rationale).

use cxaudit_kpis::Kpi;
use cxaudit_plugin_sdk::prelude::*;

use super::TargetParams;
use crate::common;
use crate::kpi_data::TargetRow;

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

/// The SMART checks of one target row, labelled with the row's label.
pub(super) type TargetSmartChecks = (String, Vec<Check>);

/// Builds one SMART point check of a target: point, text, measured, expected, passed.
type PointCheck<'a> = &'a dyn Fn(&str, &str, String, &str, bool) -> Check;

/// One check per required family: at least one target row names it.
pub(super) fn family_checks(targets: &[TargetRow], p: &TargetParams) -> Vec<Check> {
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
    let id = crate::kpi_data::row_id(t);
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

/// Whether a target is a number with a unit (fitting its KPI, when known)
/// and a direction.
fn numeric_ok(t: &TargetRow) -> bool {
    t.target.is_some() && t.unit_fits() && t.higher_is_better().is_some()
}

/// The target as `>= 80 %`, or what keeps it from being numeric.
fn numeric_measured(t: &TargetRow) -> String {
    let mut gaps = Vec::new();
    if t.target.is_none() {
        gaps.push("no numeric target".to_owned());
    }
    match (&t.unit, t.kpi) {
        (None, _) => gaps.push("no unit".to_owned()),
        (Some(u), Some(k)) if !t.unit_fits() => gaps.push(format!(
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

/// The `in_range` point: the target, in the KPI's unit, lies in its range.
fn range_check(t: &TargetRow, check: PointCheck<'_>) -> Check {
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

/// A KPI's range with its unit: `0 to 1 ratio` or `>= 0 seconds`.
fn range_text(k: Kpi) -> String {
    let (lo, hi) = k.range();
    if hi.is_infinite() {
        format!(">= {lo} {}", k.unit())
    } else {
        format!("{lo} to {hi} {}", k.unit())
    }
}

/// The `rationale` point: a rationale, customer-based for the CX KPIs.
fn rationale_check(t: &TargetRow, p: &TargetParams, check: PointCheck<'_>) -> Check {
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

/// The SMART points a target's checks (in [`SMART_POINTS`] order) fail.
fn missing_points(checks: &[Check]) -> Vec<&'static str> {
    SMART_POINTS
        .iter()
        .zip(checks)
        .filter(|(_, c)| !c.passed)
        .map(|(s, _)| *s)
        .collect()
}

/// The definitions of a SMART target and of a customer-based rationale.
pub(super) fn definitions(p: &TargetParams) -> Vec<Definition> {
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
    ]
}

/// Drill-down: the SMART points each target passes, and those it misses.
pub(super) fn drilldown(targets: &[TargetRow], smart: &[TargetSmartChecks]) -> Drilldown {
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
        units: Vec::new(),
    }
}

/// Action: set targets for the required families that have none.
pub(super) fn missing_targets_action(families: &[Check], p: &TargetParams) -> Option<Action> {
    let missing: Vec<&str> = p
        .required_kpis
        .iter()
        .zip(families)
        .filter(|(_, c)| !c.passed)
        .map(|(k, _)| k.as_str())
        .collect();
    (!missing.is_empty()).then(|| {
        Action::new(
            format!(
                "Set targets (with baseline, owner, due date, cadence and rationale) for {}.",
                missing.join(", ")
            ),
            Effort::Medium,
            OwnerRole::Process,
        )
    })
}

/// Action: rename the target KPIs cxaudit does not compute.
pub(super) fn unknown_kpis_action(targets: &[TargetRow]) -> Option<Action> {
    let unknown: Vec<String> = targets
        .iter()
        .filter(|t| t.kpi.is_none())
        .map(|t| format!("`{}` (row {})", t.kpi_name, t.row))
        .collect();
    (!unknown.is_empty()).then(|| {
        Action::new(format!(
                "Rename the target KPI(s) {} to a KPI key cxaudit computes (e.g. service_level, fcr_rate, csat_top2) so they can be measured.",
                unknown.join(", ")
            ), Effort::Low, OwnerRole::Technology)
    })
}

/// Action: complete the SMART points the targets miss.
pub(super) fn smart_gaps_action(smart: &[TargetSmartChecks]) -> Option<Action> {
    let gaps: Vec<String> = smart
        .iter()
        .filter_map(|(label, checks)| {
            let missing = missing_points(checks);
            (!missing.is_empty()).then(|| format!("{label}: {}", missing.join(", ")))
        })
        .collect();
    (!gaps.is_empty()).then(|| {
        Action::new(
            format!(
                "Complete the SMART points of {} target(s): {}.",
                gaps.len(),
                gaps.join("; ")
            ),
            Effort::Low,
            OwnerRole::Process,
        )
    })
}

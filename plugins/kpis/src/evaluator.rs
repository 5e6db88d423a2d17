//! Helpers for evaluators that read KPI data (shared by the people and
//! performance plugins): period and months, KPI options, the `kpi_targets`
//! need (the reader is [`crate::targets`]), credit-weighted scoring and
//! formatting.

use crate::KpiOptions;
use chrono::NaiveDate;
use cxaudit_metrics::people::AnnualisationMethod;
use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::table::date_from_days;
use serde_json::Value;

pub use crate::targets::{JudgedTarget, KpiTargets, TargetRule};
pub use cxaudit_plugin_sdk::time::{
    local_date, local_time_label, month_end, month_label, months_of, next_month,
};

/// KPI options with the assessment period and the centre's time zone.
pub fn kpi_options(ctx: &Context<'_>) -> Result<KpiOptions, EvalError> {
    let (start, end) = ctx.period_dates()?;
    KpiOptions::default()
        .with_period(start, end)
        .with_time_zone(ctx.time_zone_name())
        .map_err(EvalError::Failed)
}

/// A date column value as a date.
pub fn to_date(days: Option<i32>) -> Option<NaiveDate> {
    days.and_then(date_from_days)
}

/// The cells of a column the table may lack, row by row, read by `read`
/// (e.g. `|name| t.strs(name)`): `None` for every row when the table has no
/// such column. The streaming form of [`optional_column`], for a reader that
/// advances every column together instead of collecting each.
pub fn optional_cells<T, I: Iterator<Item = Option<T>>>(
    t: &Table,
    name: &'static str,
    read: impl FnOnce(&'static str) -> Result<I, EvalError>,
) -> Result<OptionalCells<I>, EvalError> {
    Ok(if t.has_column(name) {
        OptionalCells::Present(read(name)?)
    } else {
        OptionalCells::Absent
    })
}

/// The cells of a column the table may lack ([`optional_cells`]), row by
/// row: the column's, or `None` for every row, without end. A plain enum
/// rather than a boxed iterator, so that a pass advancing a dozen columns
/// together makes no indirect call per cell.
#[derive(Debug, Clone)]
pub enum OptionalCells<I> {
    /// The table has the column.
    Present(I),
    /// It does not: every row is empty.
    Absent,
}

impl<T, I: Iterator<Item = Option<T>>> Iterator for OptionalCells<I> {
    type Item = Option<T>;

    #[inline]
    fn next(&mut self) -> Option<Option<T>> {
        match self {
            OptionalCells::Present(cells) => cells.next(),
            OptionalCells::Absent => Some(None),
        }
    }
}

/// The values of a column the table may lack, read by `read` (e.g.
/// `|name| t.strs(name)`); all empty when the table has no such column.
pub fn optional_column<'a, T: Clone, I: Iterator<Item = Option<T>>>(
    t: &Table,
    name: &'a str,
    read: impl FnOnce(&'a str) -> Result<I, EvalError>,
) -> Result<Vec<Option<T>>, EvalError> {
    if t.has_column(name) {
        Ok(read(name)?.collect())
    } else {
        Ok(vec![None; t.num_rows()])
    }
}

/// A check with the credit it earns (graded checks earn a share).
pub struct Credited {
    /// The check.
    pub check: Check,
    /// Credit in [0, 1].
    pub credit: f64,
}

impl Credited {
    /// A pass/fail check: credit 1 when passed.
    pub fn pass_fail(check: Check) -> Self {
        let credit = if check.passed { 1.0 } else { 0.0 };
        Credited { check, credit }
    }
    /// A graded check: passed only at full credit.
    pub fn graded(mut check: Check, credit: f64) -> Self {
        let credit = credit.clamp(0.0, 1.0);
        check.passed = credit >= 1.0;
        Credited { check, credit }
    }
}

/// An evaluation scored as the weight-averaged credit of its checks.
pub fn evaluation_from_credits(items: Vec<Credited>, summary: String) -> Evaluation {
    let total: f64 = items.iter().map(|c| c.check.weight).sum();
    let earned: f64 = items.iter().map(|c| c.check.weight * c.credit).sum();
    let checks: Vec<Check> = items.into_iter().map(|c| c.check).collect();
    let mut e = Evaluation::from_checks(checks);
    if total > 0.0 {
        let score = earned / total;
        e.score = Some(score);
        e.status = status_for_score(score);
    }
    e.summary = summary;
    e
}

/// The attrition annualisation a pack parameter names.
pub fn attrition_method(name: &str) -> Result<AnnualisationMethod, EvalError> {
    match name {
        "sum" => Ok(AnnualisationMethod::SumOfMonths),
        "times_twelve" => Ok(AnnualisationMethod::TimesTwelve),
        "compounding" => Ok(AnnualisationMethod::Compounding),
        other => Err(EvalError::Failed(format!(
            "parameter attrition_method = `{other}`: expected sum, times_twelve or compounding"
        ))),
    }
}

/// The first `max` items, labelled and joined with `, `, then ` and N more`
/// when there are more.
pub fn first_of<T>(items: &[T], max: usize, label: impl FnMut(&T) -> String) -> String {
    let listed: Vec<String> = items.iter().take(max).map(label).collect();
    let mut text = listed.join(", ");
    if items.len() > max {
        text.push_str(&format!(" and {} more", items.len() - max));
    }
    text
}

/// A ratio as a percentage with one decimal.
pub fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A value rounded to `decimals` for drill-down cells.
pub fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// An optional number as JSON (null when absent).
pub fn num(x: Option<f64>) -> Value {
    x.filter(|v| v.is_finite())
        .map_or(Value::Null, |v| Value::from(round(v, 6)))
}

/// Adds the cxaudit-kpis table needs of `tables` to a manifest: columns are
/// merged into a table the manifest already declares, other tables are added
/// as the KPI crate declares them (optional).
pub fn with_kpi_needs(mut manifest: Manifest, tables: &[&str]) -> Manifest {
    for need in crate::table_needs() {
        if !tables.contains(&need.name.as_str()) {
            continue;
        }
        match manifest.tables.iter_mut().find(|t| t.name == need.name) {
            Some(mine) => {
                for col in need.columns {
                    if !mine.columns.iter().any(|c| c.name == col.name) {
                        mine.columns.push(col);
                    }
                }
            }
            None => manifest.tables.push(need),
        }
    }
    manifest
}

/// The `kpi_targets` columns a criterion that judges targets reads
/// (optional table).
pub fn kpi_targets_need() -> TableNeed {
    crate::targets::targets_need(false, false)
}

/// The `laxest_*` parameter of a criterion: the laxest target of `kpi`
/// the standard accepts (a laxer one is reported and the bound judged).
pub fn laxest_param(name: &str, kpi: crate::Kpi, default: f64) -> ParamSpec {
    let (lo, hi) = kpi.range();
    let spec = ParamSpec::number(name, default).min(lo);
    let spec = if hi.is_finite() { spec.max(hi) } else { spec };
    let text = if kpi.higher_is_better() {
        format!(
            "laxest {} target the standard accepts ({}): a lower target is reported and this bound judged",
            kpi.key(),
            kpi.unit()
        )
    } else {
        format!(
            "laxest {} target the standard accepts ({}): a higher target is reported and this bound judged; 0 = no bound",
            kpi.key(),
            kpi.unit()
        )
    };
    spec.describe(&text)
}

/// A KPI value in its own unit for people: `80.0%`, `30.0 s`, `0.1100`.
pub fn kpi_value_label(kpi: Option<crate::Kpi>, value: f64) -> String {
    match kpi.map(crate::Kpi::unit) {
        Some("ratio") => pct(value),
        Some("seconds") => format!("{value:.1} s"),
        Some("contacts per order") => format!("{value:.4}"),
        Some("currency") => format!("{value:.3}"),
        _ => format!("{value:.2}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_of_lists_a_few_and_counts_the_rest() {
        let items = [1, 2, 3];
        assert_eq!(first_of(&items, 5, |i| i.to_string()), "1, 2, 3");
        assert_eq!(first_of(&items, 2, |i| i.to_string()), "1, 2 and 1 more");
    }

    #[test]
    fn optional_cells_read_the_column_or_empty_rows_without_end() {
        use cxaudit_plugin_sdk::testing::TableBuilder;
        let batch = TableBuilder::new()
            .strings("agent_id", [Some("a1"), None, Some("a2")])
            .build();
        let t = Table::new("contacts", batch.schema(), vec![batch]);
        let present: Vec<Option<&str>> = optional_cells(&t, "agent_id", |c| t.strs(c))
            .unwrap()
            .collect();
        assert_eq!(present, [Some("a1"), None, Some("a2")]);
        let mut absent = optional_cells(&t, "queue", |c| t.strs(c)).unwrap();
        assert!((0..5).all(|_| absent.next() == Some(None)));
        assert!(
            optional_cells(
                &t,
                "queue",
                |_| -> Result<std::vec::IntoIter<Option<&str>>, _> {
                    Err(EvalError::Failed("never read".into()))
                }
            )
            .is_ok()
        );
    }

    #[test]
    fn graded_credit_scores_between_checks() {
        let e = evaluation_from_credits(
            vec![
                Credited::pass_fail(Check::new("a", "a", 1.0, "x", true)),
                Credited::graded(Check::new("b", "b", 0.2, "x", false), 0.5),
            ],
            "s".into(),
        );
        assert_eq!(e.score, Some(0.75));
        assert!(!e.checks[1].passed);
    }
}

//! WF1: forecast accuracy at interval level (share within tolerance, daily
//! WAPE, bias) and of the AHT forecast, with the worst weekday x hour cells.

use std::collections::BTreeMap;

use cxaudit_kpis::Kpi;
use cxaudit_metrics::forecast::{self, ToleranceRule};
use cxaudit_plugin_sdk::prelude::*;
use serde::Deserialize;

use crate::common::{
    Credited, IntervalRow, LocalSlot, WeekGrid, at_least, at_most, evaluation_from_credits,
    kpi_evidence, kpi_options, kpi_table_needs, measured, pct, read_intervals, round2, round4,
    signed_pct, slot_cells, weekday_hour_label,
};

/// Parameters of [`ForecastAccuracy`]: each doc comment is the manifest's
/// description.
#[derive(Debug, Clone, Deserialize, Params)]
pub struct Params {
    /// relative tolerance |F - A| / A per interval (ratio)
    #[param(default = 0.10, min = 0, max = 1)]
    pub tolerance: f64,
    /// intervals with fewer forecast contacts are judged by the absolute tolerance (contacts); the band is chosen on the forecast, never on the actual count
    #[param(default = 10.0, min = 0)]
    pub min_volume: f64,
    /// absolute tolerance |F - A| for low-volume intervals (contacts)
    #[param(default = 3.0, min = 0)]
    pub absolute_tolerance: f64,
    /// arrival-noise allowance: an interval is also within tolerance when |F - A| <= noise_z x sqrt(F) (1.645 = the 90% Poisson band; 0 = off)
    #[param(default = 0.0, min = 0)]
    pub noise_z: f64,
    /// share of intervals within tolerance needed (ratio)
    #[param(default = 0.80, min = 0, max = 1)]
    pub target_share_within: f64,
    /// daily WAPE for full credit (ratio)
    #[param(default = 0.10, min = 0)]
    pub wape_target: f64,
    /// daily WAPE at which credit reaches zero (ratio)
    #[param(default = 0.30, min = 0)]
    pub wape_floor: f64,
    /// largest acceptable |bias| (ratio)
    #[param(default = 0.05, min = 0)]
    pub max_abs_bias: f64,
    /// largest acceptable contact-weighted AHT forecast WAPE (ratio)
    #[param(default = 0.10, min = 0)]
    pub aht_wape_target: f64,
    /// rows in the worst-interval drill-downs
    #[param(default = 15, min = 1, max = 200)]
    pub worst_rows: u64,
}

/// WF1 evaluator: forecast accuracy.
pub struct ForecastAccuracy;

impl Evaluator for ForecastAccuracy {
    type Params = Params;

    fn name(&self) -> &'static str {
        "forecast_accuracy"
    }

    fn manifest(&self) -> Manifest {
        let mut m = Manifest::new(
            "Forecast accuracy per queue and interval: share of intervals within tolerance \
             (low-volume intervals judged by an absolute tolerance, reported apart), daily WAPE, \
             bias and contact-weighted AHT forecast error, with the worst weekday x hour cells.",
        )
        .table(
            TableNeed::required("intervals")
                .column("queue", ColumnType::String)
                .column("interval_start", ColumnType::Timestamp)
                .column("interval_minutes", ColumnType::Integer)
                .column("forecast_contacts", ColumnType::Float)
                .column("actual_contacts", ColumnType::Float)
                .column("forecast_aht_seconds", ColumnType::Float)
                .column("actual_aht_seconds", ColumnType::Float),
        );
        for need in kpi_table_needs(&["intervals"]) {
            m = m.table(need);
        }
        m.params::<Params>()
        .measurement(
            "share_within_tolerance",
            "ratio",
            "intervals within tolerance / all intervals: |F - A| <= max(tolerance x A, noise_z x sqrt(F)) when F >= min_volume, |F - A| <= max(absolute_tolerance, noise_z x sqrt(F)) below",
        )
        .measurement(
            "high_volume_share_within",
            "ratio",
            "intervals with forecast F >= min_volume and |F - A| <= max(tolerance x A, noise_z x sqrt(F)) / such intervals",
        )
        .measurement(
            "low_volume_share_within",
            "ratio",
            "intervals with forecast F < min_volume and |F - A| <= max(absolute_tolerance, noise_z x sqrt(F)) / such intervals",
        )
        .measurement(
            "high_volume_bias",
            "ratio",
            "sum (F - A) / sum A over the intervals with forecast F >= min_volume",
        )
        .measurement(
            "low_volume_bias",
            "ratio",
            "sum (F - A) / sum A over the intervals with forecast F < min_volume",
        )
        .measurement(
            "daily_wape",
            "ratio",
            "sum |F - A| / sum A over local days x queues (volumes summed per day and queue)",
        )
        .measurement(
            "forecast_wape",
            "ratio",
            "interval WAPE sum |F - A| / sum A (cxaudit kpis)",
        )
        .measurement(
            "forecast_bias",
            "ratio",
            "sum (F - A) / sum A (cxaudit kpis; positive = over-forecast)",
        )
        .measurement(
            "forecast_mape",
            "ratio",
            "mean |F - A| / A over intervals with A > 0",
        )
        .measurement(
            "aht_wape",
            "ratio",
            "sum A_i |AHT_F - AHT_A| / sum A_i AHT_A (weighted by actual contacts)",
        )
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &Params) -> Result<Evaluation, EvalError> {
        let table = ctx.table("intervals")?;
        let data = read_intervals(&table)?;
        if data.rows.is_empty() {
            return Err(EvalError::MissingEvidence(format!(
                "the intervals table has no usable row ({} skipped)",
                data.skipped
            )));
        }
        let tz = ctx.time_zone()?;
        let rows = &data.rows;
        let f: Vec<f64> = rows.iter().map(|r| r.forecast).collect();
        let a: Vec<f64> = rows.iter().map(|r| r.actual).collect();
        let rule = ToleranceRule {
            relative: p.tolerance,
            min_volume: p.min_volume,
            absolute: p.absolute_tolerance,
            noise_z: p.noise_z,
        };
        let tol = forecast::within_tolerance(&f, &a, rule)
            .map_err(|e| EvalError::Failed(format!("tolerance: {e}")))?;
        let mape = forecast::mape(&f, &a).ok();
        let daily_wape = daily_wape(rows, tz);
        let kpis = cxaudit_kpis::overall(&kpi_evidence(ctx, &["intervals"]), &kpi_options(ctx)?);
        let interval_wape = kpis.value(Kpi::ForecastWape);
        let bias = kpis.value(Kpi::ForecastBias);
        let aht = aht_wape(rows, tz);
        let (high_bias, low_bias) = band_biases(&f, &a, p.min_volume);

        let wape_credit = daily_wape.map_or(0.0, |w| graded(w, p.wape_floor, p.wape_target, false));
        let scored = vec![
            share_check(&tol, p),
            Credited::graded(
                Check::new(
                    "daily_wape",
                    "Daily WAPE (volumes summed per local day and queue)",
                    measured(daily_wape),
                    format!("<= {} (no credit at >= {})", p.wape_target, p.wape_floor),
                    false,
                ),
                wape_credit,
            ),
            Credited::pass_fail(Check::new(
                "bias",
                "Forecast bias sum(F - A) / sum A",
                measured(bias),
                format!("|bias| <= {}", p.max_abs_bias),
                bias.is_some_and(|b| b.abs() <= p.max_abs_bias + 1e-12),
            )),
            at_most(
                "aht_wape",
                "AHT forecast error (daily workload WAPE per queue)",
                aht,
                p.aht_wape_target,
            ),
        ];

        let summary = format!(
            "{} of intervals within tolerance (±{} or ±{} contacts under {}{}; target {}), daily WAPE {} (target <= {}), bias {} (limit ±{}), AHT WAPE {} (target <= {}).",
            combined_share(&tol).map_or("n/a".into(), pct),
            pct(p.tolerance),
            p.absolute_tolerance,
            p.min_volume,
            if p.noise_z > 0.0 {
                format!(
                    ", or within {} x sqrt(forecast) of arrival noise",
                    p.noise_z
                )
            } else {
                String::new()
            },
            pct(p.target_share_within),
            daily_wape.map_or("n/a".into(), pct),
            pct(p.wape_target),
            bias.map_or("n/a".into(), signed_pct),
            pct(p.max_abs_bias),
            aht.map_or("n/a".into(), pct),
            pct(p.aht_wape_target),
        );
        let mut e = evaluation_from_credits(scored, summary);
        e.measurements = vec![
            Measurement::new(
                "share_within_tolerance",
                combined_share(&tol),
                "ratio",
                &format!(
                    "intervals within tolerance / all intervals: |F - A| <= max({} x A, {}) when forecast F >= {}, |F - A| <= max({}, {}) below",
                    p.tolerance,
                    noise_band(p.noise_z),
                    p.min_volume,
                    p.absolute_tolerance,
                    noise_band(p.noise_z)
                ),
            ),
            Measurement::new(
                "high_volume_share_within",
                tol.share(),
                "ratio",
                &format!(
                    "|F - A| <= max({} x A, {}) over {} intervals with forecast F >= {}",
                    p.tolerance,
                    noise_band(p.noise_z),
                    tol.judged,
                    p.min_volume
                ),
            ),
            Measurement::new(
                "low_volume_share_within",
                tol.low_volume_share(),
                "ratio",
                &format!(
                    "|F - A| <= max({}, {}) contacts over {} intervals with forecast F < {}",
                    p.absolute_tolerance,
                    noise_band(p.noise_z),
                    tol.low_volume_judged,
                    p.min_volume
                ),
            ),
            Measurement::new(
                "high_volume_bias",
                high_bias,
                "ratio",
                &format!(
                    "sum (F - A) / sum A over the intervals with forecast F >= {}",
                    p.min_volume
                ),
            ),
            Measurement::new(
                "low_volume_bias",
                low_bias,
                "ratio",
                &format!(
                    "sum (F - A) / sum A over the intervals with forecast F < {}",
                    p.min_volume
                ),
            ),
            Measurement::new(
                "daily_wape",
                daily_wape,
                "ratio",
                "sum |F - A| / sum A over local days x queues",
            ),
        ];
        e.measure("forecast_wape", interval_wape);
        e.measure("forecast_bias", bias);
        e.measure("forecast_mape", mape);
        e.measurements.push(Measurement::new(
            "aht_wape",
            aht,
            "ratio",
            "sum over local days x queues of |sum A x AHT_F - sum A x AHT_A| / sum A x AHT_A",
        ));
        e.definitions = vec![
            Definition::new(
                "Forecast error",
                "e = F - A per interval (F forecast contacts, A actual contacts).",
            ),
            Definition::new(
                "WAPE",
                "sum |e| / sum A; daily WAPE sums F and A per local day and queue first.",
            ),
            Definition::new("Bias", "sum e / sum A; positive means over-forecast."),
            Definition::new(
                "Within tolerance",
                &format!(
                    "|e| <= max({} x A, {}) for intervals whose forecast F is at least {} contacts; below that forecast |e| <= max({}, {}) contacts. {} The volume band is chosen on the forecast, known before the interval, never on the actual count (which would put every surge in the high band and every shortfall in the low one). The share is over all intervals; each band is also reported with its own share and bias.",
                    p.tolerance,
                    noise_band(p.noise_z),
                    p.min_volume,
                    p.absolute_tolerance,
                    noise_band(p.noise_z),
                    if p.noise_z > 0.0 {
                        format!(
                            "{} x sqrt(F) is the arrival-noise allowance: Poisson arrivals around a forecast of F have standard deviation sqrt(F), so no forecast can be judged more finely ({} standard deviations).",
                            p.noise_z, p.noise_z
                        )
                    } else {
                        "No arrival-noise allowance (noise_z = 0).".to_owned()
                    }
                ),
            ),
            Definition::new(
                "AHT WAPE",
                "per local day and queue, workload forecast (actual contacts x forecast AHT) vs actual workload (actual contacts x actual AHT); sum |difference| / sum actual workload.",
            ),
            Definition::new(
                "MAPE",
                "mean |e| / A over intervals with A > 0 (heatmap cells).",
            ),
        ];
        e.observations = observations(&tol, data.skipped, rows.len(), p);
        let cells = cell_errors(rows, tz, p.min_volume);
        e.drilldowns = vec![
            worst_cells_drilldown(&cells, p.worst_rows as usize),
            worst_intervals_drilldown(rows, tz, p.worst_rows as usize),
            queue_drilldown(rows, rule),
        ];
        e.charts = vec![mape_heatmap(rows, tz)];
        e.actions = actions(&cells, bias, aht, &e.checks, p);
        Ok(e)
    }
}

fn share_check(tol: &forecast::ToleranceShare, p: &Params) -> Credited {
    let noise = if p.noise_z > 0.0 {
        format!(
            " (or within the arrival noise {} x sqrt(forecast))",
            p.noise_z
        )
    } else {
        String::new()
    };
    let what = format!(
        "Intervals within tolerance: ±{} of actual for intervals forecast at {} contacts or more, ±{} contacts below that{noise}",
        pct(p.tolerance),
        p.min_volume,
        p.absolute_tolerance
    );
    at_least(
        "share_within_tolerance",
        &what,
        combined_share(tol),
        p.target_share_within,
    )
}

/// The arrival-noise term of the tolerance band as written in the
/// definitions: `1.645 x sqrt(F)`, or `0` without allowance.
fn noise_band(noise_z: f64) -> String {
    if noise_z > 0.0 {
        format!("{noise_z} x sqrt(F)")
    } else {
        "0".to_owned()
    }
}

/// Bias of the high- and the low-volume band, the bands chosen on the
/// forecast as the tolerance rule chooses them
/// (`cxaudit_metrics::forecast::is_low_volume`); `None` for a band without
/// actual contacts.
pub fn band_biases(f: &[f64], a: &[f64], min_volume: f64) -> (Option<f64>, Option<f64>) {
    let band = |low: bool| {
        let (fb, ab): (Vec<f64>, Vec<f64>) = f
            .iter()
            .zip(a)
            .filter(|(f, _)| forecast::is_low_volume(**f, min_volume) == low)
            .map(|(f, a)| (*f, *a))
            .unzip();
        forecast::bias(&fb, &ab).ok()
    };
    (band(false), band(true))
}

/// Share of all judged intervals within tolerance: high-volume intervals by
/// the relative tolerance, low-volume ones by the absolute tolerance.
pub fn combined_share(tol: &forecast::ToleranceShare) -> Option<f64> {
    let judged = tol.judged + tol.low_volume_judged;
    (judged > 0).then(|| (tol.within + tol.low_volume_within) as f64 / judged as f64)
}

/// Daily WAPE: forecast and actual summed per local day and queue.
pub fn daily_wape(rows: &[IntervalRow], tz: chrono_tz::Tz) -> Option<f64> {
    day_queue_wape(rows.iter().map(|r| (r, r.forecast, r.actual)), tz)
}

/// AHT forecast error at the daily level: per local day and queue, the
/// forecast workload (actual contacts x forecast AHT) against the actual
/// workload (actual contacts x actual AHT), WAPE over those days. Daily, like
/// the volume WAPE, so that the handle-time noise of a few contacts in a
/// half hour does not pass for forecast error.
pub fn aht_wape(rows: &[IntervalRow], tz: chrono_tz::Tz) -> Option<f64> {
    let workloads = rows
        .iter()
        .filter(|r| r.actual > 0.0)
        .filter_map(|r| Some((r, r.actual * r.forecast_aht?, r.actual * r.actual_aht?)));
    day_queue_wape(workloads, tz)
}

/// WAPE of (row, forecast, actual) figures summed per local day and queue of
/// their rows.
fn day_queue_wape<'a>(
    figures: impl Iterator<Item = (&'a IntervalRow, f64, f64)>,
    tz: chrono_tz::Tz,
) -> Option<f64> {
    let mut days: BTreeMap<(chrono::NaiveDate, &str), (f64, f64)> = BTreeMap::new();
    for (r, f, a) in figures {
        let Some(slot) = LocalSlot::of(r.start, tz) else {
            continue;
        };
        let d = days.entry((slot.date, r.queue.as_str())).or_default();
        d.0 += f;
        d.1 += a;
    }
    let (f, a): (Vec<f64>, Vec<f64>) = days.into_values().unzip();
    forecast::wape(&f, &a).ok()
}

/// Errors of one weekday x hour x queue cell.
#[derive(Debug, Clone, Default)]
struct CellError {
    forecast: Vec<f64>,
    actual: Vec<f64>,
}

type CellKey = (String, usize, usize);

fn cell_errors(
    rows: &[IntervalRow],
    tz: chrono_tz::Tz,
    min_volume: f64,
) -> Vec<(CellKey, f64, f64, f64, usize)> {
    let mut cells: BTreeMap<CellKey, CellError> = BTreeMap::new();
    for r in rows {
        let Some(s) = LocalSlot::of(r.start, tz) else {
            continue;
        };
        let c = cells
            .entry((r.queue.clone(), s.weekday, s.hour()))
            .or_default();
        c.forecast.push(r.forecast);
        c.actual.push(r.actual);
    }
    let mut out: Vec<(CellKey, f64, f64, f64, usize)> = cells
        .into_iter()
        .filter_map(|(k, c)| {
            let volume: f64 = c.actual.iter().sum();
            if volume < min_volume {
                return None;
            }
            let w = forecast::wape(&c.forecast, &c.actual).ok()?;
            let b = forecast::bias(&c.forecast, &c.actual).ok()?;
            Some((k, w, b, volume, c.actual.len()))
        })
        .collect();
    out.sort_by(|x, y| y.1.total_cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
    out
}

fn worst_cells_drilldown(cells: &[(CellKey, f64, f64, f64, usize)], n: usize) -> Drilldown {
    Drilldown {
        id: "worst_cells".into(),
        title:
            "Worst weekday x hour cells per queue by WAPE (cells with at least min_volume contacts)"
                .into(),
        columns: [
            "queue",
            "weekday_hour",
            "intervals",
            "actual_contacts",
            "wape",
            "bias",
        ]
        .map(String::from)
        .to_vec(),
        rows: cells
            .iter()
            .take(n)
            .map(|((q, d, h), w, b, v, count)| {
                vec![
                    q.clone().into(),
                    weekday_hour_label(*d, *h).into(),
                    (*count).into(),
                    round2(*v).into(),
                    round4(*w).into(),
                    round4(*b).into(),
                ]
            })
            .collect(),
        units: Vec::new(),
    }
    .unit_of(&["bias"], "ratio")
}

fn worst_intervals_drilldown(rows: &[IntervalRow], tz: chrono_tz::Tz, n: usize) -> Drilldown {
    let mut sorted: Vec<&IntervalRow> = rows.iter().collect();
    sorted.sort_by(|x, y| {
        let ex = (x.forecast - x.actual).abs();
        let ey = (y.forecast - y.actual).abs();
        ey.total_cmp(&ex)
            .then_with(|| x.start.cmp(&y.start))
            .then_with(|| x.queue.cmp(&y.queue))
    });
    Drilldown {
        id: "worst_intervals".into(),
        title: "Intervals with the largest absolute forecast error".into(),
        columns: [
            "queue",
            "interval_local",
            "weekday_hour",
            "forecast",
            "actual",
            "error",
            "abs_pct_error",
        ]
        .map(String::from)
        .to_vec(),
        rows: sorted
            .into_iter()
            .take(n)
            .map(|r| {
                let [interval_local, weekday_hour] = slot_cells(r.start, tz);
                let e = r.forecast - r.actual;
                let ape = if r.actual > 0.0 {
                    serde_json::json!(round4(e.abs() / r.actual))
                } else {
                    serde_json::Value::Null
                };
                vec![
                    r.queue.clone().into(),
                    interval_local,
                    weekday_hour,
                    round2(r.forecast).into(),
                    round2(r.actual).into(),
                    round2(e).into(),
                    ape,
                ]
            })
            .collect(),
        units: Vec::new(),
    }
    .unit_of(&["abs_pct_error"], "ratio")
}

fn queue_drilldown(rows: &[IntervalRow], rule: ToleranceRule) -> Drilldown {
    let mut queues: BTreeMap<&str, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for r in rows {
        let q = queues.entry(r.queue.as_str()).or_default();
        q.0.push(r.forecast);
        q.1.push(r.actual);
    }
    Drilldown {
        id: "per_queue".into(),
        title: "Forecast accuracy per queue".into(),
        columns: [
            "queue",
            "intervals",
            "actual_contacts",
            "wape",
            "bias",
            "share_within",
            "low_volume_share_within",
        ]
        .map(String::from)
        .to_vec(),
        rows: queues
            .into_iter()
            .map(|(q, (f, a))| {
                let tol = forecast::within_tolerance(&f, &a, rule).ok();
                vec![
                    q.into(),
                    f.len().into(),
                    round2(a.iter().sum()).into(),
                    measured(forecast::wape(&f, &a).ok()),
                    measured(forecast::bias(&f, &a).ok()),
                    measured(tol.and_then(|t| t.share())),
                    measured(tol.and_then(|t| t.low_volume_share())),
                ]
            })
            .collect(),
        units: Vec::new(),
    }
    .unit_of(&["low_volume_share_within"], "ratio")
}

fn mape_heatmap(rows: &[IntervalRow], tz: chrono_tz::Tz) -> Chart {
    let mut cells: BTreeMap<(usize, usize), (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for r in rows {
        let Some(s) = LocalSlot::of(r.start, tz) else {
            continue;
        };
        let c = cells.entry((s.weekday, s.hour())).or_default();
        c.0.push(r.forecast);
        c.1.push(r.actual);
    }
    let mut grid = WeekGrid::default();
    for ((d, h), (f, a)) in cells {
        if let Ok(m) = forecast::mape(&f, &a) {
            grid.add(d, h, m);
        }
    }
    grid.chart(
        "mape_heatmap",
        "Mean absolute percentage error by weekday x hour (all queues)",
        "ratio",
    )
}

fn observations(
    tol: &forecast::ToleranceShare,
    skipped: usize,
    used: usize,
    p: &Params,
) -> Vec<String> {
    let mut out = vec![format!(
        "{used} intervals used: {} forecast at {} contacts or more judged by ±{}, {} forecast below that judged by ±{} contacts ({} within).",
        tol.judged,
        p.min_volume,
        pct(p.tolerance),
        tol.low_volume_judged,
        p.absolute_tolerance,
        tol.low_volume_share().map_or("n/a".into(), pct),
    )];
    if skipped > 0 {
        out.push(format!("{skipped} interval rows skipped: empty or invalid queue, start, length, forecast or actual."));
    }
    out
}

fn actions(
    cells: &[(CellKey, f64, f64, f64, usize)],
    bias: Option<f64>,
    aht: Option<f64>,
    checks: &[Check],
    p: &Params,
) -> Vec<Action> {
    let failed = |id: &str| checks.iter().any(|c| c.id == id && !c.passed);
    let mut out = Vec::new();
    if failed("share_within_tolerance") || failed("daily_wape") {
        let worst: Vec<String> = cells
            .iter()
            .filter(|c| c.1 > p.tolerance)
            .take(3)
            .map(|((q, d, h), w, b, _, _)| {
                format!(
                    "{q} {}-{:02}:00 (WAPE {}, bias {})",
                    weekday_hour_label(*d, *h),
                    (h + 1) % 24,
                    pct(*w),
                    signed_pct(*b)
                )
            })
            .collect();
        if !worst.is_empty() {
            out.push(Action::new(
                format!("Re-model the interval forecast where it misses most: {}; review the intraday profile of those cells.", worst.join("; ")),
                Effort::Medium,
                OwnerRole::Process,
            ));
        }
    }
    if let Some(b) = bias.filter(|b| b.abs() > p.max_abs_bias) {
        let dir = if b > 0.0 { "high" } else { "low" };
        out.push(Action::new(
            format!("The forecast runs {} {dir} over the period: recalibrate the volume baseline (limit ±{}).", signed_pct(b), pct(p.max_abs_bias)),
            Effort::Low,
            OwnerRole::Process,
        ));
    }
    if let Some(w) = aht.filter(|w| *w > p.aht_wape_target) {
        out.push(Action::new(
            format!(
                "Forecast AHT per queue and interval from recent actuals: AHT WAPE {} against {}.",
                pct(w),
                pct(p.aht_wape_target)
            ),
            Effort::Low,
            OwnerRole::Process,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cxaudit_plugin_sdk::testing::{TableBuilder, TestHost};
    use serde_json::json;

    /// Four intervals of queue `q` on Monday 2026-01-05 (UTC), DOMAIN test
    /// vector F = [100, 120, 80, 50], A = [110, 100, 80, 40], plus a fifth
    /// interval with zero actual volume and forecast 2 (low volume: |e| = 2
    /// <= 3 contacts, within). AHT forecast 300 s everywhere, actual 300 s
    /// except interval 2 (330 s).
    fn host() -> TestHost {
        let batch = TableBuilder::new()
            .strings("queue", [Some("q"); 5])
            .timestamps(
                "interval_start",
                [
                    "2026-01-05T09:00:00",
                    "2026-01-05T09:30:00",
                    "2026-01-05T10:00:00",
                    "2026-01-05T10:30:00",
                    "2026-01-05T11:00:00",
                ]
                .map(Some),
            )
            .integers("interval_minutes", [Some(30); 5])
            .floats(
                "forecast_contacts",
                [100.0, 120.0, 80.0, 50.0, 2.0].map(Some),
            )
            .floats("actual_contacts", [110.0, 100.0, 80.0, 40.0, 0.0].map(Some))
            .floats("forecast_aht_seconds", [Some(300.0); 5])
            .floats(
                "actual_aht_seconds",
                [300.0, 330.0, 300.0, 300.0, 0.0].map(Some),
            )
            .build();
        TestHost::new().table("intervals", batch)
    }

    #[test]
    fn domain_vector_gives_share_wape_bias_and_aht_error() {
        let e = host().run(&ForecastAccuracy, json!({}));
        // Judged (A >= 10): |e|/A = 0.0909, 0.2, 0, 0.25 -> 2 of 4 within 10 %: 0.5.
        // Low volume: 1 interval (A = 0, F = 2), |e| = 2 <= 3 -> share 1.0.
        // All intervals: (2 + 1) / 5 = 0.6 < 0.8, fail.
        // One day, one queue: F = 352, A = 330 -> daily WAPE 22/330 = 0.0667 <= 0.10, full credit.
        // Interval WAPE (kpis) = (10+20+0+10+2)/330 = 42/330 = 0.12727; bias = 22/330 = 0.0667 > 0.05, fail.
        // AHT, one day and queue: forecast workload 330 x 300 = 99000, actual 110x300 + 100x330 + 80x300 + 40x300
        // = 102000 -> 3000 / 102000 = 0.0294 <= 0.10, pass.
        // Score = (0 + 1 + 0 + 1) / 4 = 0.5.
        let m = |n: &str| e.measurement(n).and_then(|m| m.value).unwrap();
        assert!((m("share_within_tolerance") - 0.6).abs() < 1e-12);
        assert!((m("high_volume_share_within") - 0.5).abs() < 1e-12);
        assert_eq!(m("low_volume_share_within"), 1.0);
        assert!((m("daily_wape") - 22.0 / 330.0).abs() < 1e-12);
        assert!((m("forecast_wape") - 42.0 / 330.0).abs() < 1e-12);
        assert!((m("forecast_bias") - 22.0 / 330.0).abs() < 1e-12);
        assert!((m("aht_wape") - 3000.0 / 102_000.0).abs() < 1e-12);
        let passed: Vec<(&str, bool)> =
            e.checks.iter().map(|c| (c.id.as_str(), c.passed)).collect();
        assert_eq!(
            passed,
            vec![
                ("share_within_tolerance", false),
                ("daily_wape", true),
                ("bias", false),
                ("aht_wape", true)
            ]
        );
        assert_eq!(e.score, Some(0.5));
        assert_eq!(e.status, Status::PartiallyMet);
        // Heatmap: Monday 09:00 cell MAPE = mean(0.0909, 0.2) = 0.1455.
        let chart = &e.charts[0];
        assert_eq!(chart.kind, ChartKind::Heatmap);
        assert_eq!(chart.series[0].name, "Mon");
        assert_eq!(
            chart.series[0].values[0],
            Some(round4((10.0 / 110.0 + 0.2) / 2.0))
        );
        // Worst interval by |e| is 09:30 (|e| = 20).
        assert_eq!(e.drilldowns[1].rows[0][1], json!("2026-01-05 09:30"));
        assert!(e.actions.iter().any(|a| a.text.contains("runs +6.7% high")));
    }

    #[test]
    fn loose_parameters_meet_and_daily_wape_is_graded() {
        // tolerance 0.25: all 4 judged within -> pass; bias limit 0.1 -> pass.
        let e = host().run(
            &ForecastAccuracy,
            json!({"tolerance": 0.25, "max_abs_bias": 0.1}),
        );
        assert_eq!(e.score, Some(1.0));
        assert_eq!(e.status, Status::Met);
        // WAPE target 0.05, floor 0.10: 0.0667 -> credit (0.10 - 0.0667) / 0.05 = 0.6667.
        let e = host().run(&ForecastAccuracy, json!({"tolerance": 0.25, "max_abs_bias": 0.1, "wape_target": 0.05, "wape_floor": 0.10}));
        let expected = (3.0 + (0.10 - 22.0 / 330.0) / 0.05) / 4.0;
        assert!((e.score.unwrap() - expected).abs() < 1e-9);
        assert!(!e.checks[1].passed);
    }

    #[test]
    fn volume_bands_follow_the_forecast_so_surges_do_not_pick_their_band() {
        // An unbiased forecast, F = [8, 8, 12, 12], A = [12, 5, 8, 15] (sum 40 each),
        // minimum volume 10, absolute tolerance 3, relative 10 %, no noise allowance.
        // Bands on the forecast: high = intervals 3, 4 (F = 12): |e|/A = 4/8, 3/15, none
        // within; bias (24 - 23) / 23 = +4.3 %. Low = intervals 1, 2 (F = 8): |e| = 4 (out),
        // 3 (in): 1 of 2; bias (16 - 17) / 17 = -5.9 %.
        // On the actual count the high band would hold the surges (A = 12, 15), bias
        // (20 - 27) / 27 = -25.9 %, and the low band the shortfalls, +7/13 = +53.8 %.
        let batch = TableBuilder::new()
            .strings("queue", [Some("q"); 4])
            .timestamps(
                "interval_start",
                [
                    "2026-01-05T09:00:00",
                    "2026-01-05T09:30:00",
                    "2026-01-05T10:00:00",
                    "2026-01-05T10:30:00",
                ]
                .map(Some),
            )
            .integers("interval_minutes", [Some(30); 4])
            .floats("forecast_contacts", [8.0, 8.0, 12.0, 12.0].map(Some))
            .floats("actual_contacts", [12.0, 5.0, 8.0, 15.0].map(Some))
            .floats("forecast_aht_seconds", [Some(300.0); 4])
            .floats("actual_aht_seconds", [Some(300.0); 4])
            .build();
        let e = TestHost::new()
            .table("intervals", batch)
            .run(&ForecastAccuracy, json!({}));
        let m = |n: &str| e.measurement(n).and_then(|m| m.value).unwrap();
        assert_eq!(m("high_volume_share_within"), 0.0);
        assert_eq!(m("low_volume_share_within"), 0.5);
        assert!((m("share_within_tolerance") - 0.25).abs() < 1e-12);
        assert!((m("high_volume_bias") - 1.0 / 23.0).abs() < 1e-12);
        assert!((m("low_volume_bias") + 1.0 / 17.0).abs() < 1e-12);
        assert_eq!(m("forecast_bias"), 0.0);
        // The definition names the band rule and the forecast-based choice.
        let within = e
            .definitions
            .iter()
            .find(|d| d.term == "Within tolerance")
            .unwrap();
        assert!(
            within.text.contains("chosen on the forecast"),
            "{}",
            within.text
        );
    }

    #[test]
    fn definitions_state_the_poisson_band() {
        // With noise_z = 1.645 every text of the share names the band 1.645 x sqrt(F).
        let e = host().run(&ForecastAccuracy, json!({"noise_z": 1.645}));
        let share = e.measurement("share_within_tolerance").unwrap();
        assert!(
            share
                .definition
                .contains("max(0.1 x A, 1.645 x sqrt(F)) when forecast F >= 10"),
            "{}",
            share.definition
        );
        let within = e
            .definitions
            .iter()
            .find(|d| d.term == "Within tolerance")
            .unwrap();
        assert!(
            within
                .text
                .contains("1.645 x sqrt(F) is the arrival-noise allowance")
        );
        assert!(
            e.checks[0].description.contains("1.645 x sqrt(forecast)"),
            "{}",
            e.checks[0].description
        );
    }

    #[test]
    fn missing_intervals_table_is_insufficient_evidence() {
        let e = TestHost::new().run(&ForecastAccuracy, json!({}));
        assert_eq!(e.status, Status::InsufficientEvidence);
    }

    #[test]
    fn noise_allowance_counts_intervals_within_the_poisson_band() {
        // noise_z 1.645: bands max(0.1 A, 1.645 sqrt F) = 16.45, 18.02, 14.71, 11.63 for
        // |e| = 10, 20, 0, 10 -> 3 of 4 within (20 > 18.02); the low-volume interval
        // (F = 2, A = 0) is within max(3, 2.33). All intervals: 4 of 5 = 0.8, passes 0.8.
        let e = host().run(&ForecastAccuracy, json!({"noise_z": 1.645}));
        let m = |n: &str| e.measurement(n).and_then(|m| m.value).unwrap();
        assert!((m("share_within_tolerance") - 0.8).abs() < 1e-12);
        assert!((m("high_volume_share_within") - 0.75).abs() < 1e-12);
        assert!(
            e.checks
                .iter()
                .any(|c| c.id == "share_within_tolerance" && c.passed)
        );
    }
}

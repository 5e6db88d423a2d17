//! The verdict: the six checks (under- and over-staffing of the plan and of
//! the actuals, weekly pattern, WFM requirement), the summary line and the
//! measurements.

use cxaudit_plugin_sdk::prelude::*;

use super::fit::Fit;
use super::wfm_check::WfmComparison;
use super::{Basis, ChannelRows, Params};
use crate::common::{Credited, at_least, at_most, pct};

/// The six credited checks against the pack's limits.
pub(super) fn checks(fit: &Fit, wfm: &WfmComparison, p: &Params) -> Vec<Credited> {
    let Fit {
        plan_under,
        plan_over,
        under,
        over,
        pearson,
        ..
    } = *fit;
    vec![
        at_most(
            "plan_under_staffing",
            "The plan: under-staffing against the requirement of the forecast, sum max(R_f - S, 0) / sum R_f",
            plan_under,
            p.max_under_staffing,
        ),
        at_most(
            "plan_over_staffing",
            "The plan: over-staffing against the requirement of the forecast, sum max(S - R_f, 0) / sum R_f",
            plan_over,
            p.max_over_staffing,
        ),
        at_most(
            "under_staffing",
            "The actuals: under-staffing beyond arrival noise, sum max(R_low - S, 0) / sum R",
            under,
            p.max_under_staffing,
        ),
        at_most(
            "over_staffing",
            "The actuals: over-staffing beyond arrival noise, sum max(S - R_high, 0) / sum R",
            over,
            p.max_over_staffing,
        ),
        at_least(
            "pattern_fit",
            "The weekly staffing pattern follows the requirement's (Pearson r over weekday x interval means; the level is judged by under- and over-staffing)",
            pearson,
            p.min_pattern_r,
        ),
        at_most(
            "wfm_requirement",
            "WFM tool's required_agents against the Erlang net requirement of the forecast (sum |W - N_f| / sum N_f)",
            wfm.difference,
            p.tolerance,
        ),
    ]
}

/// The one-line summary: the units, the basis of the requirement, every
/// figure and the WFM difference.
pub(super) fn summary(
    units: usize,
    basis: &Basis,
    channels: &ChannelRows,
    fit: &Fit,
    wfm: &WfmComparison,
    p: &Params,
) -> String {
    let Fit {
        plan_under,
        plan_over,
        under,
        over,
        pearson,
        r2,
        share_under,
    } = *fit;
    let pool_word = if basis.pooled {
        "pooled per interval"
    } else {
        "per queue"
    };
    format!(
        "{} intervals ({pool_word}) against {} for SL {} ({}) in {} s ({}) with {} shrinkage: the plan against the forecast's requirement under-staffed {}, over-staffed {}; the actuals beyond arrival noise under-staffed {}, over-staffed {}; weekly pattern r {} (R2 fit {}), {} of intervals short; WFM requirement differs by {} (tolerance {}).",
        units,
        basis.model.name(),
        pct(basis.sl_target),
        basis.sl_cite,
        p.threshold_seconds,
        channels.models_applied(p),
        pct(p.shrinkage),
        plan_under.map_or("n/a".into(), pct),
        plan_over.map_or("n/a".into(), pct),
        under.map_or("n/a".into(), pct),
        over.map_or("n/a".into(), pct),
        pearson.map_or("n/a".into(), |x| format!("{x:.2}")),
        r2.map_or("n/a".into(), |x| format!("{x:.2}")),
        pct(share_under),
        wfm.difference
            .map_or_else(|| format!("n/a ({})", wfm.why_not_compared()), pct),
        pct(p.tolerance),
    )
}

/// Records the measurements: the fit figures, the WFM difference and the
/// target used.
pub(super) fn measurements(e: &mut Evaluation, fit: &Fit, wfm: &WfmComparison, sl_target: f64) {
    let Fit {
        plan_under,
        plan_over,
        under,
        over,
        pearson,
        r2,
        share_under,
    } = *fit;
    e.measurements = vec![Measurement::new(
        "plan_under_staffing",
        plan_under,
        "ratio",
        "sum max(R_f - S, 0) / sum R_f, R_f = requirement of the forecast contacts and AHT with shrinkage (intervals whose forecast can be sized)",
    )];
    e.measure("plan_over_staffing", plan_over);
    e.measurements.extend([
        Measurement::new(
            "under_staffing",
            under,
            "ratio",
            "sum max(R_low - S, 0) / sum R: R from the actual volume A, R_low from A - z sqrt(A) (arrival noise)",
        ),
        Measurement::new(
            "over_staffing",
            over,
            "ratio",
            "sum max(S - R_high, 0) / sum R: R_high from A + z sqrt(A)",
        ),
    ]);
    e.measure("pearson_r", pearson);
    e.measure("r2_fit", r2);
    e.measure("share_intervals_understaffed", Some(share_under));
    e.measure("wfm_requirement_difference", wfm.difference);
    e.measurements.push(Measurement::new(
        "service_level_target",
        Some(sl_target),
        "ratio",
        "SL target used",
    ));
}

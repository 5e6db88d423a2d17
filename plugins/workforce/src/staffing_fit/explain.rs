//! What the evaluation says about how it judged: the definitions of the
//! requirement, pooling, fit and WFM check as used, and the observations on
//! the targets and the rows left out.

use cxaudit_metrics::pooled::Excluded;
use cxaudit_plugin_sdk::prelude::*;

use super::wfm_check::WfmComparison;
use super::{Basis, Params};
use crate::common::{IntervalRows, JudgedTarget, pct};

/// The definitions, with the model, pooling, target and parameters used.
pub(super) fn definitions(basis: &Basis, p: &Params) -> Vec<Definition> {
    let (model, pooled, sl) = (&basis.model, basis.pooled, basis.sl_target);
    vec![
        Definition::new(
            "Requirement",
            &format!(
                "{}: smallest N with SL({} s) >= {} from actual contacts and actual AHT (forecast AHT when the actual is missing); A = contacts x AHT / interval seconds; zero volume requires 0 agents; a row with volume but no AHT > 0 is left out (with its scheduled agents) and counted; an interval whose forecast has contacts without any AHT is left out of the WFM check.",
                model.name(),
                p.threshold_seconds,
                sl
            ),
        ),
        Definition::new(
            "Scheduled requirement R",
            &format!(
                "ceil(N / (1 - {})) (float-safe), compared with scheduled_agents S.",
                p.shrinkage
            ),
        ),
        Definition::new(
            "Pooling",
            if pooled {
                "per_interval: the queues of one interval share one multi-skilled pool; volume and workload are summed across queues and compared with the summed scheduled_agents."
            } else {
                "per_queue: each queue-interval is staffed on its own."
            },
        ),
        Definition::new(
            "Staffing fit",
            "Per interval: under = sum max(R - S, 0) / sum R; over = sum max(S - R, 0) / sum R. Fit of the weekly pattern: R and S averaged per weekday x local interval start (and queue when per_queue), then R2_fit = 1 - sum (R - S)^2 / sum (R - mean R)^2 and Pearson r; averaging over weeks keeps the random arrival noise of single intervals out of the fit.",
        ),
        Definition::new(
            "WFM requirement check",
            "The tool's own inputs, forecast contacts and forecast AHT, through the same model give N_f; difference = sum |required_agents - N_f| / sum N_f over intervals with required_agents (summed over the pool). Forecast error is judged by WF1, not here.",
        ),
    ]
}

/// Observations: where the target came from, pooling, what the WFM check
/// and the requirement left out.
pub(super) fn observations(
    sl: &JudgedTarget,
    data: &IntervalRows,
    excluded: Excluded,
    wfm: &WfmComparison,
    pooled: bool,
) -> Vec<String> {
    let mut out = vec![format!(
        "Service-level target {}: {}.",
        pct(sl.value),
        sl.cite()
    )];
    if pooled {
        out.push("Queues of the same interval are treated as one multi-skilled pool (pooling = per_interval).".into());
    }
    if wfm.difference.is_none() {
        out.push(format!(
            "The WFM tool's requirement cannot be checked against the model: {}.",
            wfm.why_not_compared()
        ));
    } else if wfm.missing > 0 {
        out.push(format!("{} intervals have no required_agents and are left out of the WFM comparison ({} compared).", wfm.missing, wfm.compared));
    }
    if wfm.unsizable > 0 {
        out.push(format!(
            "{} intervals have a forecast the model cannot size and are left out of the WFM comparison.",
            wfm.unsizable
        ));
    }
    if data.skipped > 0 {
        out.push(format!(
            "{} interval rows skipped: empty or invalid queue, start, length or volume.",
            data.skipped
        ));
    }
    if excluded.no_handle_time > 0 {
        out.push(format!(
            "{} interval rows with volume but no AHT left out of the requirement.",
            excluded.no_handle_time
        ));
    }
    if excluded.bad_contacts > 0 {
        out.push(format!(
            "{} interval rows with unusable actual contacts left out of the requirement.",
            excluded.bad_contacts
        ));
    }
    out
}

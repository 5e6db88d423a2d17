//! What the evaluation says about how it judged: the definitions of the
//! requirement, pooling, fit and WFM check as used, and the observations on
//! the targets and the rows left out.

use cxaudit_metrics::pooled::Excluded;
use cxaudit_plugin_sdk::prelude::*;

use super::wfm_check::WfmComparison;
use super::{Basis, ChannelRows, Params};
use crate::common::{IntervalRows, JudgedTarget, pct};

/// The definitions, with the model, pooling, target and parameters used.
pub(super) fn definitions(basis: &Basis, p: &Params) -> Vec<Definition> {
    let (model, pooled, sl) = (&basis.model, basis.pooled, basis.sl_target);
    vec![
        Definition::new(
            "Requirement by channel",
            &format!(
                "Net agents N per interval, by the workload of each channel (the intervals table's channel column). The live channels, voice (and rows that state no channel) and chat, are answered by the same agents, so they are sized as one live pool by {m}: the smallest N with SL({t} s) >= {sl}, A = (voice contacts x AHT + chat contacts x AHT / {c}) / interval seconds, chat's workload shared between the {c} sessions an agent runs at once; sizing each channel alone and summing would give up the pooling gain. E-mail and messaging are backlog work answered against a response time of hours, so no queueing: their work content, contacts x AHT / interval seconds (fractional), is added to N; self-service needs no agent. Zero volume requires 0 agents.",
                m = model.name(),
                t = p.threshold_seconds,
                sl = sl,
                c = p.chat_concurrency,
            ),
        ),
        Definition::new(
            "Handle time",
            "The actual AHT of a row; when it is zero or missing while the row has contacts, the forecast AHT stands in: a zero actual AHT with contacts means the export recorded no handle time for them (contacts still in progress at the interval's end, or a gap), not work that took no time. A row with contacts and neither AHT > 0 is left out (with its scheduled agents) and counted; an interval whose forecast has contacts without any AHT is left out of the plan and WFM checks.",
        ),
        Definition::new(
            "Requirement with shrinkage",
            &format!(
                "N / (1 - {}), not rounded: scheduled_agents S are averages over the interval (fractional), so a fractional requirement is compared with them; rounding the requirement up would add up to an agent per interval that S is not given.",
                p.shrinkage
            ),
        ),
        Definition::new(
            "Plan and actuals",
            &format!(
                "The plan is judged against R_f, the requirement of the forecast contacts and forecast AHT (what the planners knew): plan under-staffing = sum max(R_f - S, 0) / sum R_f, over-staffing = sum max(S - R_f, 0) / sum R_f. The actuals are judged against R, the requirement of the actual volume A and AHT, allowing for arrival noise: even a perfect forecast misses A by about sqrt(A) contacts, so an interval is short only below R_low (the requirement of A - {z} x sqrt(A)) and over only above R_high (that of A + {z} x sqrt(A)): under-staffing = sum max(R_low - S, 0) / sum R, over-staffing = sum max(S - R_high, 0) / sum R.",
                z = p.noise_z
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
            "Fit of the weekly pattern: R and S averaged per weekday x local interval start (and queue when per_queue), then R2_fit = 1 - sum (R - S)^2 / sum (R - mean R)^2 and Pearson r; averaging over weeks keeps the random arrival noise of single intervals out of the fit.",
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
    channels: &ChannelRows,
) -> Vec<String> {
    let mut out = vec![format!(
        "Service-level target {}: {}.",
        pct(sl.value),
        sl.cite()
    )];
    if pooled {
        out.push("Queues of the same interval are treated as one multi-skilled pool (pooling = per_interval); within it voice and chat form one live pool and e-mail and messaging add their work content.".into());
    }
    out.push(format!(
        "Interval rows by channel: {} voice, {} chat, {} e-mail or messaging, {} self-service, {} with no channel stated (sized as voice).",
        channels.voice, channels.chat, channels.backlog, channels.unstaffed, channels.unstated
    ));
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

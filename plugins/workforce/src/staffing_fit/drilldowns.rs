//! The drill-downs: the most under-staffed intervals, and the fit per
//! queue (or pool).

use std::collections::BTreeMap;

use cxaudit_metrics::staffing;
use cxaudit_plugin_sdk::prelude::*;

use super::requirement::Judged;
use crate::common::{measured, round2, round4, slot_cells};

/// The `n` most under-staffed units, largest shortfall first.
pub(super) fn worst_drilldown(judged: &[Judged], tz: chrono_tz::Tz, n: usize) -> Drilldown {
    let mut sorted: Vec<&Judged> = judged.iter().collect();
    sorted.sort_by(|a, b| {
        a.gap()
            .total_cmp(&b.gap())
            .then_with(|| a.unit.start.cmp(&b.unit.start))
    });
    Drilldown {
        id: "worst_intervals".into(),
        title: "Most under-staffed intervals".into(),
        columns: [
            "group",
            "interval_local",
            "weekday_hour",
            "actual_contacts",
            "aht_seconds",
            "traffic_erlangs",
            "required_net",
            "required_scheduled",
            "scheduled",
            "gap",
            "wfm_required",
            "required_net_forecast",
            "required_low",
            "required_high",
            "required_forecast",
        ]
        .map(String::from)
        .to_vec(),
        rows: sorted
            .into_iter()
            .take(n)
            .map(|j| worst_row(j, tz))
            .collect(),
        units: Vec::new(),
    }
}

/// One row of the worst-interval drill-down.
fn worst_row(j: &Judged, tz: chrono_tz::Tz) -> Vec<serde_json::Value> {
    let u = &j.unit;
    let [interval_local, weekday_hour] = slot_cells(u.start, tz);
    let aht = u
        .demand
        .aht_seconds()
        .map_or(serde_json::Value::Null, |a| round2(a).into());
    vec![
        u.group.clone().into(),
        interval_local,
        weekday_hour,
        round2(u.demand.contacts).into(),
        aht,
        round4(u.demand.workload_seconds / (u.minutes as f64 * 60.0)).into(),
        round4(j.net).into(),
        round4(j.required).into(),
        round2(u.scheduled).into(),
        round2(j.gap()).into(),
        u.wfm_required
            .map_or(serde_json::Value::Null, |w| round2(w).into()),
        j.net_forecast
            .map_or(serde_json::Value::Null, |n| round4(n).into()),
        round4(j.required_low).into(),
        round4(j.required_high).into(),
        j.required_forecast
            .map_or(serde_json::Value::Null, |r| round4(r).into()),
    ]
}

/// Totals and fit per group (queue, or the pool).
pub(super) fn group_drilldown(judged: &[Judged]) -> Drilldown {
    let mut groups: BTreeMap<&str, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for j in judged {
        let g = groups.entry(j.unit.group.as_str()).or_default();
        g.0.push(j.required);
        g.1.push(j.unit.scheduled);
    }
    Drilldown {
        id: "per_group".into(),
        title: "Staffing fit per queue (or pool)".into(),
        columns: [
            "group",
            "intervals",
            "required_agent_intervals",
            "scheduled_agent_intervals",
            "under_staffing",
            "over_staffing",
            "r2_fit_per_interval",
        ]
        .map(String::from)
        .to_vec(),
        rows: groups
            .into_iter()
            .map(|(g, (r, s))| {
                vec![
                    g.into(),
                    r.len().into(),
                    round2(r.iter().sum()).into(),
                    round2(s.iter().sum()).into(),
                    measured(staffing::under_staffing(&r, &s).ok()),
                    measured(staffing::over_staffing(&r, &s).ok()),
                    measured(staffing::r2_fit(&r, &s).ok()),
                ]
            })
            .collect(),
        units: Vec::new(),
    }
    .unit_of(&["over_staffing", "under_staffing"], "ratio")
}

//! The `adherence` pass: schedule adherence, absence rate, utilisation and
//! occupancy per group, from agent-day minutes (occupancy with the handle
//! time of the contacts pass).

use std::collections::BTreeMap;

use cxaudit_metrics::service;
use cxaudit_plugin_sdk::table::date_from_days;
use cxaudit_plugin_sdk::{EvalError, Table};

use super::grouping::DateKeys;
use super::{Groups, set};
use crate::kpi::{Kpi, KpiValue};
use crate::options::{GroupBy, KpiOptions};

/// The minutes of one group.
#[derive(Default)]
struct AdherenceAcc {
    scheduled: f64,
    adherent: f64,
    worked: f64,
    absence: f64,
    /// Paid minutes, and the worked minutes of the rows that state them.
    paid: f64,
    worked_paid: f64,
}

/// Runs the pass: minutes per group, then the ratios; `handle` is the
/// handle seconds per group of the contacts pass, when it ran.
pub(super) fn adherence(
    t: &Table,
    by: GroupBy,
    o: &KpiOptions,
    handle: Option<&BTreeMap<String, f64>>,
    groups: &mut Groups,
) -> Result<(), EvalError> {
    let mut agent = t.strs("agent_id")?;
    let date = t.dates("date")?;
    let mut sched = t.f64s("scheduled_minutes")?;
    let mut adh = t.f64s("adherent_minutes")?;
    let mut worked = t.f64s("worked_minutes")?;
    let mut absence = t.f64s("unplanned_absence_minutes")?;
    let mut paid = t
        .has_column("paid_minutes")
        .then(|| t.f64s("paid_minutes"))
        .transpose()?;
    let mut keys = DateKeys::new(by);
    let mut accs: BTreeMap<String, AdherenceAcc> = BTreeMap::new();
    for d in date {
        let ag = agent.next().flatten();
        let (s, a, w, u) = (
            sched.next().flatten(),
            adh.next().flatten(),
            worked.next().flatten(),
            absence.next().flatten(),
        );
        let p = paid.as_mut().and_then(|p| p.next().flatten());
        let day = d.and_then(date_from_days);
        if !o.in_period(day) {
            continue;
        }
        let key = match by {
            GroupBy::Agent => match ag {
                Some(a) => a.to_owned(),
                None => continue,
            },
            GroupBy::All => "all".to_owned(),
            _ => match day {
                Some(d) => keys.key(d),
                None => continue,
            },
        };
        let acc = accs.entry(key).or_default();
        acc.scheduled += s.unwrap_or(0.0);
        acc.adherent += a.unwrap_or(0.0);
        acc.worked += w.unwrap_or(0.0);
        acc.absence += u.unwrap_or(0.0);
        // Utilisation pairs worked and paid minutes of the same agent-days.
        if let (Some(p), Some(w)) = (p, w) {
            acc.paid += p;
            acc.worked_paid += w;
        }
    }
    let has_paid = paid.is_some();
    for (key, a) in accs {
        set_values(groups, &key, &a, has_paid, handle);
    }
    Ok(())
}

/// Sets the adherence KPIs of one group from its minutes; `has_paid` says
/// whether the table states paid minutes.
fn set_values(
    groups: &mut Groups,
    key: &str,
    a: &AdherenceAcc,
    has_paid: bool,
    handle: Option<&BTreeMap<String, f64>>,
) {
    set(
        groups,
        key,
        Kpi::ScheduleAdherence,
        KpiValue::from_option(
            cxaudit_metrics::people::adherence(a.adherent, a.scheduled),
            "no scheduled minutes",
        ),
    );
    set(
        groups,
        key,
        Kpi::AbsenceRate,
        KpiValue::from_option(
            cxaudit_metrics::people::absence_rate(a.absence, a.scheduled),
            "no scheduled minutes",
        ),
    );
    set(
        groups,
        key,
        Kpi::Utilisation,
        if has_paid {
            KpiValue::from_option(
                service::utilisation(a.worked_paid * 60.0, a.paid * 60.0),
                "no paid minutes",
            )
        } else {
            KpiValue::Unavailable(
                "utilisation needs `paid_minutes` in the `adherence` table".into(),
            )
        },
    );
    set(
        groups,
        key,
        Kpi::Occupancy,
        match handle.map(|h| h.get(key).copied().unwrap_or(0.0)) {
            Some(hs) => KpiValue::from_option(
                service::occupancy(hs, a.worked * 60.0 - hs),
                "no worked minutes, or more handle time than worked time",
            ),
            None => KpiValue::Unavailable("handle time needs the `contacts` table".into()),
        },
    );
}

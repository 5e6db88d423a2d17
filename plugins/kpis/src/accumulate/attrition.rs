//! The `agents` pass: monthly attrition from hire and exit dates, annualised
//! over the period or per month.

use chrono::NaiveDate;
use cxaudit_metrics::people::{annualised_attrition, average_headcount, monthly_attrition};
use cxaudit_plugin_sdk::table::date_from_days;
use cxaudit_plugin_sdk::{EvalError, Table};

use super::grouping::{date_key, local_date};
use super::{Groups, set};
use crate::evidence::Evidence;
use crate::kpi::{Kpi, KpiValue};
use crate::options::{GroupBy, KpiOptions};

/// Runs the pass: headcount and leavers per month of the period (the data's
/// own span without one), then annualised attrition.
pub(super) fn attrition(
    t: &Table,
    ev: &Evidence,
    by: GroupBy,
    o: &KpiOptions,
    groups: &mut Groups,
) -> Result<(), EvalError> {
    let hired: Vec<Option<NaiveDate>> = t
        .dates("hired_on")?
        .map(|d| d.and_then(date_from_days))
        .collect();
    let exited: Vec<Option<NaiveDate>> = t
        .dates("exited_on")?
        .map(|d| d.and_then(date_from_days))
        .collect();
    let Some((start, end)) = o.period.or_else(|| data_period(ev, o)) else {
        return Err(EvalError::MissingEvidence(
            "no period to compute monthly attrition over".into(),
        ));
    };
    let headcount = |day: NaiveDate, end_of_day: bool| -> f64 {
        hired
            .iter()
            .zip(&exited)
            .filter(|(h, x)| {
                h.is_some_and(|h| h <= day)
                    && x.is_none_or(|x| if end_of_day { x > day } else { x >= day })
            })
            .count() as f64
    };
    let mut rates = Vec::new();
    for first in crate::evaluator::months_of(start, end) {
        let last = crate::evaluator::month_end(first);
        let leavers = exited
            .iter()
            .filter(|x| x.is_some_and(|x| x >= first && x <= last))
            .count() as f64;
        let avg = average_headcount(headcount(first, false), headcount(last, true));
        let Some(m) = monthly_attrition(leavers, avg) else {
            continue;
        };
        rates.push(m);
        if by == GroupBy::Month {
            let key = date_key(first, GroupBy::Month);
            let v = annualised_attrition(&[m.min(1.0)], o.attrition_method).ok();
            set(
                groups,
                &key,
                Kpi::AttritionAnnualized,
                KpiValue::from_option(v, "no headcount"),
            );
        }
    }
    if by == GroupBy::All {
        let capped: Vec<f64> = rates.iter().map(|m| m.min(1.0)).collect();
        let v = annualised_attrition(&capped, o.attrition_method).ok();
        set(
            groups,
            "all",
            Kpi::AttritionAnnualized,
            KpiValue::from_option(v, "no headcount in the period"),
        );
    }
    Ok(())
}

/// The local dates the contacts span, when no period is given.
fn data_period(ev: &Evidence, o: &KpiOptions) -> Option<(NaiveDate, NaiveDate)> {
    let t = ev.contacts.as_ref()?;
    let mut it = t.timestamps("arrived_at").ok()?.flatten();
    let first = it.next()?;
    let (lo, hi) = it.fold((first, first), |(lo, hi), x| (lo.min(x), hi.max(x)));
    Some((local_date(lo, o.time_zone)?, local_date(hi, o.time_zone)?))
}

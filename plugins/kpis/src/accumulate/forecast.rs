//! The `intervals` pass: forecast WAPE and bias per group, from the
//! forecast and actual contacts of the intervals.

use std::collections::BTreeMap;

use cxaudit_metrics::forecast;
use cxaudit_plugin_sdk::{EvalError, Table};

use cxaudit_plugin_sdk::time::LocalDates;

use super::grouping::DateKeys;
use super::{Groups, set};
use crate::kpi::{Kpi, KpiValue};
use crate::options::{GroupBy, KpiOptions};

/// Runs the pass: forecast and actual series per group, then their accuracy.
pub(super) fn intervals(
    t: &Table,
    by: GroupBy,
    o: &KpiOptions,
    groups: &mut Groups,
) -> Result<(), EvalError> {
    let mut queue = t.strs("queue")?;
    let start = t.timestamps("interval_start")?;
    let mut fc = t.f64s("forecast_contacts")?;
    let mut ac = t.f64s("actual_contacts")?;
    let mut keys = DateKeys::new(by);
    let mut dates = LocalDates::new(o.time_zone);
    let mut series: BTreeMap<String, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for s in start {
        let (q, f, a) = (
            queue.next().flatten(),
            fc.next().flatten(),
            ac.next().flatten(),
        );
        let (Some(s), Some(f), Some(a)) = (s, f, a) else {
            continue;
        };
        let day = dates.date(s);
        if !o.in_period(day) {
            continue;
        }
        let key = match by {
            GroupBy::Queue => q.unwrap_or("").to_owned(),
            GroupBy::All => "all".to_owned(),
            _ => match day {
                Some(d) => keys.key(d),
                None => continue,
            },
        };
        let e = series.entry(key).or_default();
        e.0.push(f);
        e.1.push(a);
    }
    for (key, (f, a)) in series {
        set(
            groups,
            &key,
            Kpi::ForecastWape,
            KpiValue::from_option(forecast::wape(&f, &a).ok(), "no actual volume"),
        );
        set(
            groups,
            &key,
            Kpi::ForecastBias,
            KpiValue::from_option(forecast::bias(&f, &a).ok(), "no actual volume"),
        );
    }
    Ok(())
}

//! The `business_daily` pass: contacts per order, cost per order and cost
//! per contact per group, with the contact counts of the contacts pass.

use std::collections::BTreeMap;

use cxaudit_metrics::demand;
use cxaudit_plugin_sdk::table::date_from_days;
use cxaudit_plugin_sdk::{EvalError, Table};

use super::contacts::ContactSide;
use super::grouping::{DateKeys, in_period};
use super::{Groups, set};
use crate::kpi::{Kpi, KpiValue};
use crate::options::{GroupBy, KpiOptions};

/// Runs the pass: orders and cost per group, then the ratios; `side` holds
/// the contact counts of the contacts pass, when it ran.
pub(super) fn demand_kpis(
    t: &Table,
    by: GroupBy,
    o: &KpiOptions,
    side: Option<&ContactSide>,
    groups: &mut Groups,
) -> Result<(), EvalError> {
    let date = t.dates("date")?;
    let mut orders = t.i64s("orders")?;
    let mut cost = t.f64s("operating_cost")?;
    let mut keys = DateKeys::new(by);
    // Orders, and the operating cost when any day records one.
    let mut accs: BTreeMap<String, (u64, Option<f64>)> = BTreeMap::new();
    for d in date {
        let (n, c) = (orders.next().flatten(), cost.next().flatten());
        let day = d.and_then(date_from_days);
        if !in_period(o, day) {
            continue;
        }
        let key = match by {
            GroupBy::All => "all".to_owned(),
            _ => match day {
                Some(d) => keys.key(d),
                None => continue,
            },
        };
        let acc = accs.entry(key).or_default();
        acc.0 += n.unwrap_or(0).max(0) as u64;
        if let Some(c) = c {
            *acc.1.get_or_insert(0.0) += c;
        }
    }
    for (key, (orders, cost)) in accs {
        // A cost ratio needs a recorded cost, then a count to divide by.
        let by_cost = |ratio: fn(f64, u64) -> Option<f64>, count: u64, no_count: &str| match cost {
            Some(c) => KpiValue::from_option(ratio(c, count), no_count),
            None => KpiValue::NoData("no operating cost recorded".into()),
        };
        set(
            groups,
            &key,
            Kpi::CostPerOrder,
            by_cost(demand::cost_per_order, orders, "no orders"),
        );
        match side {
            Some(s) => {
                let contacts = s.contacts.get(&key).copied().unwrap_or(0);
                let handled = s.handled.get(&key).copied().unwrap_or(0);
                set(
                    groups,
                    &key,
                    Kpi::ContactsPerOrder,
                    KpiValue::from_option(
                        demand::contacts_per_order(contacts, orders),
                        "no orders",
                    ),
                );
                set(
                    groups,
                    &key,
                    Kpi::CostPerContact,
                    by_cost(demand::cost_per_contact, handled, "no handled contact"),
                );
            }
            None => {
                for k in [Kpi::ContactsPerOrder, Kpi::CostPerContact] {
                    set(
                        groups,
                        &key,
                        k,
                        KpiValue::Unavailable("needs the `contacts` table".into()),
                    );
                }
            }
        }
    }
    Ok(())
}

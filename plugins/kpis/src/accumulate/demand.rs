//! The `business_daily` pass: contacts per order, cost per order and cost
//! per contact per group, each summed over the same local days on both
//! sides, with the contacts per day of the contacts pass.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use cxaudit_metrics::demand;
use cxaudit_plugin_sdk::table::date_from_days;
use cxaudit_plugin_sdk::{EvalError, Table};

use super::contacts::ContactSide;
use super::grouping::DateKeys;
use super::{Coverages, Groups, Values, set};
use crate::DayCoverage;
use crate::kpi::{Kpi, KpiValue};
use crate::options::{GroupBy, KpiOptions};

/// What `business_daily` states on one day (the rows of a day are summed;
/// a quantity is stated when some row of the day has it).
#[derive(Debug, Clone, Copy, Default)]
struct BusinessDay {
    orders: Option<u64>,
    cost: Option<f64>,
}

/// The days of the period that `business_daily` has a row for. Without an
/// `operating_cost` column, no day states a cost.
fn business_days(t: &Table, o: &KpiOptions) -> Result<BTreeMap<NaiveDate, BusinessDay>, EvalError> {
    let date = t.dates("date")?;
    let mut orders = t.i64s("orders")?;
    let mut cost = t
        .has_column("operating_cost")
        .then(|| t.f64s("operating_cost"))
        .transpose()?;
    let mut days: BTreeMap<NaiveDate, BusinessDay> = BTreeMap::new();
    for d in date {
        let n = orders.next().flatten();
        let c = cost.as_mut().and_then(|c| c.next().flatten());
        let Some(day) = d.and_then(date_from_days) else {
            continue;
        };
        if !o.in_period(Some(day)) {
            continue;
        }
        let b = days.entry(day).or_default();
        if let Some(n) = n {
            *b.orders.get_or_insert(0) += n.max(0) as u64;
        }
        if let Some(c) = c {
            *b.cost.get_or_insert(0.0) += c;
        }
    }
    Ok(days)
}

impl DayCoverage {
    /// Adds one day: both sides stated, it is summed; one side only, it is
    /// left out; neither, it does not count.
    fn add(&mut self, day: NaiveDate, numerator: Option<f64>, denominator: Option<f64>) {
        match (numerator, denominator) {
            (Some(n), Some(d)) => {
                self.numerator += n;
                self.denominator += d;
                self.days_used += 1;
            }
            (None, None) => {}
            _ => self.left_out.push(day),
        }
    }

    /// The ratio over the days used, or why there is none: `no_days` when no
    /// day states both sides, `zero` when their denominator sums to zero.
    fn value(&self, ratio: Option<f64>, no_days: &str, zero: &str) -> KpiValue {
        if self.days_used == 0 {
            return KpiValue::NoData(format!(
                "{no_days} ({} day(s) state only one of them)",
                self.left_out.len()
            ));
        }
        KpiValue::from_option(ratio, zero)
    }
}

/// The three demand ratios of one group, each over its own same days.
#[derive(Default)]
struct DemandAcc {
    contacts_per_order: DayCoverage,
    cost_per_order: DayCoverage,
    cost_per_contact: DayCoverage,
}

/// Runs the pass: contacts per order, cost per order and cost per contact.
/// Each ratio sums its numerator and denominator over the same local days:
/// those on which both are stated. The contacts table states a day's
/// contacts (and handled contacts) when it has a row on that local day;
/// `business_daily` states orders or a cost on a day when a row of that day
/// has them. Nothing is inferred from a missing row: days on which only one
/// side is stated are left out of both sides and recorded in the group's
/// coverage. `side` holds the contacts per day of the contacts pass, when it
/// ran.
pub(super) fn demand_kpis(
    t: &Table,
    by: GroupBy,
    o: &KpiOptions,
    side: Option<&ContactSide>,
    groups: &mut Groups,
    coverages: &mut Coverages,
) -> Result<(), EvalError> {
    let business = business_days(t, o)?;
    let has_cost = t.has_column("operating_cost");
    for (key, acc) in demand_by_group(&business, side, by) {
        for (kpi, value) in demand_values(&acc, side, has_cost) {
            set(groups, &key, kpi, value);
        }
        let mut coverage = BTreeMap::new();
        if side.is_some() {
            coverage.insert(Kpi::ContactsPerOrder, acc.contacts_per_order);
        }
        if has_cost {
            coverage.insert(Kpi::CostPerOrder, acc.cost_per_order);
            if side.is_some() {
                coverage.insert(Kpi::CostPerContact, acc.cost_per_contact);
            }
        }
        coverages.insert(key, coverage);
    }
    Ok(())
}

/// Every day that either table states, added to the ratios of its group.
fn demand_by_group(
    business: &BTreeMap<NaiveDate, BusinessDay>,
    side: Option<&ContactSide>,
    by: GroupBy,
) -> BTreeMap<String, DemandAcc> {
    let mut days: Vec<NaiveDate> = business.keys().copied().collect();
    if let Some(s) = side {
        days.extend(s.by_day.keys().copied());
        days.sort_unstable();
        days.dedup();
    }
    let mut keys = DateKeys::new(by);
    let mut accs: BTreeMap<String, DemandAcc> = BTreeMap::new();
    for day in days {
        let key = match by {
            GroupBy::All => "all".to_owned(),
            _ => keys.key(day),
        };
        let b = business.get(&day).copied().unwrap_or_default();
        let orders = b.orders.map(|n| n as f64);
        let acc = accs.entry(key).or_default();
        acc.cost_per_order.add(day, b.cost, orders);
        if let Some(s) = side {
            let c = s.by_day.get(&day);
            acc.contacts_per_order
                .add(day, c.map(|c| c.contacts as f64), orders);
            acc.cost_per_contact
                .add(day, b.cost, c.map(|c| c.handled as f64));
        }
    }
    accs
}

/// The demand KPIs of one group from its same-days sums.
fn demand_values(acc: &DemandAcc, side: Option<&ContactSide>, has_cost: bool) -> Values {
    let cost = |v: KpiValue| {
        if has_cost {
            v
        } else {
            KpiValue::Unavailable(
                "cost needs `operating_cost` in the `business_daily` table".into(),
            )
        }
    };
    let c = &acc.cost_per_order;
    let mut values = Values::from([(
        Kpi::CostPerOrder,
        cost(c.value(
            demand::cost_per_order(c.numerator, c.denominator as u64),
            "no day states both an operating cost and orders",
            "no orders on the days that state a cost",
        )),
    )]);
    let Some(side) = side else {
        for k in [Kpi::ContactsPerOrder, Kpi::CostPerContact] {
            values.insert(
                k,
                KpiValue::Unavailable("needs the `contacts` table".into()),
            );
        }
        return values;
    };
    let c = &acc.contacts_per_order;
    let cpo = if side.by_day.is_empty() {
        KpiValue::NoData(
            "no contact in the period: an empty contacts table is no evidence of demand".into(),
        )
    } else {
        c.value(
            demand::contacts_per_order(c.numerator as u64, c.denominator as u64),
            "no day states both contacts and orders",
            "no orders",
        )
    };
    values.insert(Kpi::ContactsPerOrder, cpo);
    let c = &acc.cost_per_contact;
    values.insert(
        Kpi::CostPerContact,
        cost(c.value(
            demand::cost_per_contact(c.numerator, c.denominator as u64),
            "no day states both an operating cost and contacts",
            "no handled contact on the days that state a cost",
        )),
    );
    values
}

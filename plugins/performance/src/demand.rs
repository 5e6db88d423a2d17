//! PF3: contact demand and cost: contacts per order, cost per contact and
//! per order against targets and trend; contacts growing slower than orders.

use std::collections::BTreeSet;

use cxaudit_kpis::{DayCoverage, GroupBy, GroupKpis, Kpi, KpiValue};
use cxaudit_metrics::stats::{least_squares_slope, mean, ratio};
use cxaudit_plugin_sdk::prelude::*;
use serde::Deserialize;
use serde_json::json;

use crate::common::*;

/// PF3 evaluator `demand_cost`.
pub struct DemandCost;

/// Parameters of [`DemandCost`]: each doc comment is the manifest's
/// description, unless the type (`TargetPolicy`) or helper (`laxest_param`) gives its own.
#[derive(Debug, Deserialize, Params)]
pub struct DemandParams {
    /// the pack's contacts-per-order target, judged as target_policy says (0 = no target)
    #[param(default = 0.10, min = 0, target_of = Kpi::ContactsPerOrder.key())]
    pub target_contacts_per_order: f64,
    /// the pack's cost-per-order target in the centre's currency, judged as target_policy says (0 = no target)
    #[param(default = 0.0, min = 0, target_of = Kpi::CostPerOrder.key())]
    pub target_cost_per_order: f64,
    /// Whose targets are judged.
    #[param(default = TargetPolicy::Centre)]
    pub target_policy: TargetPolicy,
    /// The laxest contacts-per-order target the standard accepts (0 = no bound).
    #[param(spec = |name| laxest_param(name, Kpi::ContactsPerOrder, 0.0))]
    pub laxest_contacts_per_order: f64,
    /// The laxest cost-per-order target the standard accepts (0 = no bound).
    #[param(spec = |name| laxest_param(name, Kpi::CostPerOrder, 0.0))]
    pub laxest_cost_per_order: f64,
    /// no credit at target x floor_ratio (both are lower-is-better)
    #[param(default = 1.25, min = 1, max = 10)]
    pub floor_ratio: f64,
}

/// One month of demand: contacts and orders summed over the days of the
/// month that state both (the days of its contacts per order).
struct MonthDemand {
    month: String,
    contacts: f64,
    orders: f64,
    cpo: Option<f64>,
    cost_per_order: Option<f64>,
    cost_per_contact: Option<f64>,
    /// Days of the month left out of at least one of the three ratios.
    days_left_out: usize,
}

/// The demand ratios, each summed over its own same days.
const RATIOS: [(Kpi, &str); 3] = [
    (Kpi::ContactsPerOrder, "Contacts per order"),
    (Kpi::CostPerOrder, "Cost per order"),
    (Kpi::CostPerContact, "Cost per contact"),
];

/// The months with orders on the days of their contacts per order, from the
/// monthly KPI report.
fn months_of_demand(report: &cxaudit_kpis::KpiReport) -> Vec<MonthDemand> {
    report
        .groups
        .iter()
        .filter_map(|g| {
            let c = g.coverage(Kpi::ContactsPerOrder)?;
            (c.denominator > 0.0).then(|| MonthDemand {
                month: g.group.clone(),
                contacts: c.numerator,
                orders: c.denominator,
                cpo: g.value(Kpi::ContactsPerOrder),
                cost_per_order: g.value(Kpi::CostPerOrder),
                cost_per_contact: g.value(Kpi::CostPerContact),
                days_left_out: RATIOS
                    .iter()
                    .filter_map(|(k, _)| g.coverage(*k))
                    .flat_map(|c| c.left_out.iter())
                    .collect::<BTreeSet<_>>()
                    .len(),
            })
        })
        .collect()
}

/// The value of a KPI, or why it has none.
fn value_or_reason(g: &GroupKpis, kpi: Kpi) -> Result<f64, String> {
    match g.values.get(&kpi) {
        Some(KpiValue::Value(v)) => Ok(*v),
        Some(KpiValue::NoData(why) | KpiValue::Unavailable(why)) => Err(why.clone()),
        None => Err("not computed".into()),
    }
}

/// The days a ratio left out, as a measurement (none when it was not computed from its tables).
fn days_left_out(c: Option<&DayCoverage>) -> Option<f64> {
    c.map(|c| c.days_left_out() as f64)
}

/// An observation per ratio that left days out: how many, which, and over how many days it runs.
fn left_out_observations(overall: &GroupKpis) -> Vec<String> {
    RATIOS
        .iter()
        .filter_map(|(kpi, label)| {
            let c = overall.coverage(*kpi).filter(|c| c.days_left_out() > 0)?;
            Some(format!(
                "{label} is summed over the {} day(s) that state both of its quantities; {} day(s) stating only one are left out: {}.",
                c.days_used,
                c.days_left_out(),
                first_of(&c.left_out, 5, |d| d.to_string())
            ))
        })
        .collect()
}

/// Mean month-over-month growth `x_i / x_(i-1) - 1` over consecutive months.
fn mean_growth(xs: &[f64]) -> Option<f64> {
    let g: Vec<f64> = xs
        .windows(2)
        .filter_map(|w| ratio(w[1], w[0]).map(|r| r - 1.0))
        .collect();
    mean(&g)
}

impl Evaluator for DemandCost {
    type Params = DemandParams;

    fn name(&self) -> &'static str {
        "demand_cost"
    }

    fn manifest(&self) -> Manifest {
        let m = Manifest::new(
            "Contact demand and cost: contacts per order and cost per order against targets, their monthly trend, \
             cost per contact, and whether contacts grow slower than orders (flat contact curve).",
        )
        .table(TableNeed::required("contacts").column("arrived_at", ColumnType::Timestamp))
        .table(
            TableNeed::required("business_daily")
                .column("date", ColumnType::Date)
                .column("orders", ColumnType::Integer)
                .optional_column("operating_cost", ColumnType::Float),
        )
        .table(kpi_targets_need())
        .params::<DemandParams>()
        .measurement("contacts_per_order", "contacts per order", "contacts / orders over the same days (cxaudit-kpis)")
        .measurement("cost_per_order", "currency", "operating cost / orders over the same days (cxaudit-kpis)")
        .measurement("cost_per_contact", "currency", "operating cost / handled contacts over the same days (cxaudit-kpis)")
        .measurement("contacts_per_order_days_left_out", "days", "days with contacts but no stated orders, left out of contacts per order")
        .measurement("cost_per_order_days_left_out", "days", "days stating only one of operating cost and orders, left out of cost per order")
        .measurement("cost_per_contact_days_left_out", "days", "days with contacts but no stated operating cost, left out of cost per contact")
        .measurement("contacts_per_order_slope", "contacts per order per month", "least-squares slope of monthly contacts per order")
        .measurement("contact_growth", "ratio per month", "mean month-over-month growth of contacts")
        .measurement("order_growth", "ratio per month", "mean month-over-month growth of orders");
        with_kpi_needs(m, &["contacts", "business_daily"])
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &DemandParams) -> Result<Evaluation, EvalError> {
        ctx.table("contacts")?;
        ctx.table("business_daily")?;
        let evidence = cxaudit_kpis::Evidence::from_context(ctx);
        let opts = kpi_options(ctx)?.only(&[
            Kpi::ContactsPerOrder,
            Kpi::CostPerOrder,
            Kpi::CostPerContact,
        ]);
        // The period's values and each month's, from one reading of the contacts.
        let [overall, report] =
            cxaudit_kpis::compute_each(&evidence, [GroupBy::All, GroupBy::Month], &opts);
        let overall = cxaudit_kpis::overall_of(overall, &opts);
        let cpo = value_or_reason(&overall, Kpi::ContactsPerOrder).map_err(|why| {
            EvalError::MissingEvidence(format!("contacts per order cannot be computed: {why}"))
        })?;
        let cost_per_order = overall.value(Kpi::CostPerOrder);
        let cost_per_contact = overall.value(Kpi::CostPerContact);
        let months = months_of_demand(&report);
        let cpo_series: Vec<f64> = months.iter().filter_map(|m| m.cpo).collect();
        let cost_series: Vec<f64> = months.iter().filter_map(|m| m.cost_per_order).collect();
        let cpo_slope = least_squares_slope(&cpo_series);
        let cost_slope = least_squares_slope(&cost_series);
        let contact_growth = mean_growth(&months.iter().map(|m| m.contacts).collect::<Vec<_>>());
        let order_growth = mean_growth(&months.iter().map(|m| m.orders).collect::<Vec<_>>());

        let targets = KpiTargets::from_context(ctx)?;
        let rule = |kpi: Kpi, param: &str, value: f64, laxest: (&str, f64)| {
            let rule = TargetRule::new(kpi, p.target_policy).laxest(laxest.0, laxest.1);
            if value > 0.0 {
                rule.pack_target(param, value)
            } else {
                rule
            }
        };
        let cpo_judged = rule(
            Kpi::ContactsPerOrder,
            "target_contacts_per_order",
            p.target_contacts_per_order,
            ("laxest_contacts_per_order", p.laxest_contacts_per_order),
        )
        .judge_in(&targets)?;
        let cost_judged = rule(
            Kpi::CostPerOrder,
            "target_cost_per_order",
            p.target_cost_per_order,
            ("laxest_cost_per_order", p.laxest_cost_per_order),
        )
        .judge_in(&targets)?;
        let cpo_target = cpo_judged.as_ref().map(|t| t.value);
        let cost_target = cost_judged.as_ref().map(|t| t.value);
        let expected = |t: &JudgedTarget| {
            format!(
                "{}; no credit at >= {}",
                t.expected(),
                round(t.value * p.floor_ratio, 6)
            )
        };

        let mut items = Vec::new();
        let mut obs = Vec::new();
        let mut actions = Vec::new();
        match &cpo_judged {
            Some(t) => items.push(Credited::graded(
                Check::new(
                    "contacts_per_order_vs_target",
                    "Contacts per order at or under the target",
                    round(cpo, 6),
                    expected(t),
                    false,
                ),
                graded(cpo, t.value * p.floor_ratio, t.value, false),
            )),
            None => obs.push("No contacts-per-order target is set (kpi_targets or pack).".into()),
        }
        match (cost_per_order, &cost_judged) {
            (Some(v), Some(t)) => items.push(Credited::graded(
                Check::new(
                    "cost_per_order_vs_target",
                    "Cost per order at or under the target",
                    round(v, 6),
                    expected(t),
                    false,
                ),
                graded(v, t.value * p.floor_ratio, t.value, false),
            )),
            (None, _) => obs.push(format!(
                "Cost per order is not judged: {}.",
                value_or_reason(&overall, Kpi::CostPerOrder)
                    .err()
                    .unwrap_or_default()
            )),
            (Some(_), None) => {
                obs.push("No cost-per-order target is set (kpi_targets or pack).".into());
                actions.push(Action::new(
                    "Set a cost-per-order target with a baseline and owner.",
                    Effort::Low,
                    OwnerRole::Process,
                ));
            }
        }
        match cpo_slope {
            Some(s) => items.push(Credited::pass_fail(Check::new(
                "contacts_per_order_trend",
                "Monthly contacts per order falling or flat (least-squares slope)",
                round(s, 6),
                "<= 0 per month",
                s <= 0.0,
            ))),
            None => {
                obs.push("Fewer than two months with orders: no contacts-per-order trend.".into())
            }
        }
        if let Some(s) = cost_slope {
            items.push(Credited::pass_fail(Check::new(
                "cost_per_order_trend",
                "Monthly cost per order falling or flat (least-squares slope)",
                round(s, 6),
                "<= 0 per month",
                s <= 0.0,
            )));
        }
        if let (Some(c), Some(o)) = (contact_growth, order_growth) {
            items.push(Credited::pass_fail(Check::new(
                "contacts_grow_slower_than_orders",
                "Contact volume grows slower than orders (flat contact curve)",
                round(c, 6),
                format!("<= order growth {} per month", round(o, 6)),
                c <= o,
            )));
        }
        let summary = format!(
            "Contacts per order {} (target {}), cost per order {} (target {}), cost per contact {}; monthly CPO slope {}; contacts grow {} a month vs orders {}.",
            fmt4(Some(cpo)),
            target_text(cpo_judged.as_ref()),
            fmt4(cost_per_order),
            target_text(cost_judged.as_ref()),
            fmt4(cost_per_contact),
            fmt4(cpo_slope),
            contact_growth.map_or("n/a".into(), pct),
            order_growth.map_or("n/a".into(), pct)
        );
        obs.extend(left_out_observations(&overall));
        let mut e = evaluation_from_credits(items, summary);
        if e.checks.is_empty() {
            return Err(EvalError::MissingEvidence(
                "no target and fewer than two months: nothing to judge".into(),
            ));
        }
        let def = |k: Kpi| k.definition(&opts).definition;
        e.measurements = vec![
            Measurement::new(
                "contacts_per_order",
                Some(cpo),
                "contacts per order",
                &def(Kpi::ContactsPerOrder),
            ),
            Measurement::new(
                "cost_per_order",
                cost_per_order,
                "currency",
                &def(Kpi::CostPerOrder),
            ),
            Measurement::new(
                "cost_per_contact",
                cost_per_contact,
                "currency",
                &def(Kpi::CostPerContact),
            ),
        ];
        e.measure("contacts_per_order_slope", cpo_slope);
        e.measurements.extend([
            Measurement::new(
                "contact_growth",
                contact_growth,
                "ratio per month",
                "mean of contacts_m / contacts_(m-1) - 1 over consecutive months; a month's contacts and orders are summed over its days that state both (those of its contacts per order)",
            ),
            Measurement::new(
                "order_growth",
                order_growth,
                "ratio per month",
                "mean of orders_m / orders_(m-1) - 1 over consecutive months; a month's contacts and orders are summed over its days that state both (those of its contacts per order)",
            ),
            Measurement::new(
                "contacts_per_order_days_left_out",
                days_left_out(overall.coverage(Kpi::ContactsPerOrder)),
                "days",
                "local days of the period with contacts but no business_daily row stating orders, left out of contacts per order",
            ),
            Measurement::new(
                "cost_per_order_days_left_out",
                days_left_out(overall.coverage(Kpi::CostPerOrder)),
                "days",
                "days whose business_daily rows state only one of operating cost and orders, left out of cost per order",
            ),
            Measurement::new(
                "cost_per_contact_days_left_out",
                days_left_out(overall.coverage(Kpi::CostPerContact)),
                "days",
                "local days of the period with contacts but no stated operating cost, left out of cost per contact",
            ),
        ]);
        e.definitions = vec![
            Definition::new("contacts_per_order", &def(Kpi::ContactsPerOrder)),
            Definition::new("cost_per_order", &def(Kpi::CostPerOrder)),
            Definition::new(
                "cost_per_contact",
                &format!(
                    "{} (denominator: handled contacts)",
                    def(Kpi::CostPerContact)
                ),
            ),
            Definition::new(
                "flat contact curve",
                "DOMAIN §3: when orders grow, contacts should not grow as fast; judged on mean month-over-month growth",
            ),
        ];
        e.observations = obs;
        for judged in [&cpo_judged, &cost_judged].into_iter().flatten() {
            judged.record(&mut e);
        }
        e.drilldowns = vec![Drilldown {
            id: "demand_by_month".into(),
            title: "Demand and cost by month (contacts and orders of the days that state both)"
                .into(),
            columns: [
                "month",
                "contacts",
                "orders",
                "contacts_per_order",
                "cost_per_order",
                "cost_per_contact",
                "days_left_out",
            ]
            .map(String::from)
            .to_vec(),
            rows: months
                .iter()
                .map(|m| {
                    vec![
                        json!(m.month),
                        json!(m.contacts.round() as u64),
                        json!(m.orders.round() as u64),
                        num(m.cpo),
                        num(m.cost_per_order),
                        num(m.cost_per_contact),
                        json!(m.days_left_out),
                    ]
                })
                .collect(),
            units: Vec::new(),
        }];
        let x: Vec<String> = months.iter().map(|m| m.month.clone()).collect();
        let index = |v: Vec<Option<f64>>| -> Vec<Option<f64>> {
            let base = v.first().copied().flatten();
            v.into_iter()
                .map(|x| Some(ratio(x?, base?)? * 100.0))
                .collect()
        };
        e.charts = vec![
            Chart {
                id: "contacts_per_order_monthly".into(),
                title: "Contacts per order by month".into(),
                kind: ChartKind::Line,
                x: x.clone(),
                y: vec![],
                unit: "contacts per order".into(),
                series: std::iter::once(Series {
                    name: "Contacts per order".into(),
                    values: months.iter().map(|m| m.cpo).collect(),
                })
                .chain(cpo_target.map(|t| Series {
                    name: "Target".into(),
                    values: x.iter().map(|_| Some(t)).collect(),
                }))
                .collect(),
            },
            Chart {
                id: "contact_vs_order_growth".into(),
                title: "Contacts and orders, index (first month = 100)".into(),
                kind: ChartKind::Line,
                x,
                y: vec![],
                unit: "index".into(),
                series: vec![
                    Series {
                        name: "Orders".into(),
                        values: index(months.iter().map(|m| Some(m.orders)).collect()),
                    },
                    Series {
                        name: "Contacts".into(),
                        values: index(months.iter().map(|m| Some(m.contacts)).collect()),
                    },
                ],
            },
        ];
        if let Some(t) = cpo_target.filter(|t| cpo > *t) {
            let orders_total = overall
                .coverage(Kpi::ContactsPerOrder)
                .map_or(0.0, |c| c.denominator);
            let avoidable = ((cpo - t) * orders_total).round();
            actions.push(Action::new(
                format!("Cut contacts per order from {} to {}: about {avoidable} fewer contacts over the period; remove the top contact reasons upstream (bug hunt, self-service).", fmt4(Some(cpo)), fmt4(Some(t))),
                Effort::High,
                OwnerRole::Process,
            ));
        }
        if let (Some(v), Some(t)) = (cost_per_order, cost_target)
            && v > t
        {
            actions.push(Action::new(
                format!(
                    "Bring cost per order from {} to {} ({} over).",
                    fmt4(Some(v)),
                    fmt4(Some(t)),
                    pct(v / t - 1.0)
                ),
                Effort::High,
                OwnerRole::Process,
            ));
        }
        if let (Some(c), Some(o)) = (contact_growth, order_growth)
            && c > o
        {
            actions.push(Action::new(format!("Contacts grow faster than orders ({} vs {} a month): find the reasons that grow with volume and fix them before the next growth step.", pct(c), pct(o)), Effort::Medium, OwnerRole::Process));
        }
        e.actions = actions;
        Ok(e)
    }
}

/// A target with where it came from, for the summary: `0.11, the centre's kpi_targets row 12: ...`.
fn target_text(t: Option<&JudgedTarget>) -> String {
    t.map_or("n/a".into(), |t| {
        format!("{}, {}", fmt4(Some(t.value)), t.cite())
    })
}

fn fmt4(x: Option<f64>) -> String {
    x.map_or("n/a".into(), |v| {
        format!("{:.4}", v)
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    })
}

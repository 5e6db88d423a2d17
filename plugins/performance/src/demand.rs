//! PF3: contact demand and cost: contacts per order, cost per contact and
//! per order against targets and trend; contacts growing slower than orders.

use std::collections::BTreeMap;

use cxaudit_kpis::{GroupBy, Kpi};
use cxaudit_metrics::stats::{least_squares_slope, mean, ratio};
use cxaudit_plugin_sdk::prelude::*;
use serde::Deserialize;
use serde_json::json;

use crate::common::*;

/// PF3 evaluator `demand_cost`.
pub struct DemandCost;

/// Parameters of [`DemandCost`].
#[derive(Debug, Deserialize)]
pub struct DemandParams {
    /// Contacts-per-order target when `kpi_targets` has none (0 = none).
    pub target_contacts_per_order: f64,
    /// Cost-per-order target when `kpi_targets` has none (0 = none).
    pub target_cost_per_order: f64,
    /// No credit at target x this ratio (lower is better).
    pub floor_ratio: f64,
}

/// One month of demand.
struct MonthDemand {
    month: String,
    contacts: Option<f64>,
    orders: u64,
    cpo: Option<f64>,
    cost_per_order: Option<f64>,
    cost_per_contact: Option<f64>,
}

fn orders_by_month(t: &Table) -> Result<BTreeMap<String, u64>, EvalError> {
    let dates: Vec<Option<i32>> = t.dates("date")?.collect();
    let orders: Vec<Option<i64>> = t.i64s("orders")?.collect();
    let mut out = BTreeMap::new();
    for (d, o) in dates.iter().zip(&orders) {
        if let Some(d) = to_date(*d) {
            *out.entry(month_label(d)).or_insert(0) += o.unwrap_or(0).max(0) as u64;
        }
    }
    Ok(out)
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
        .parameter(ParamSpec::number("target_contacts_per_order", 0.10).min(0.0).describe("contacts-per-order target when kpi_targets has none (0 = no target)"))
        .parameter(ParamSpec::number("target_cost_per_order", 0.0).min(0.0).describe("cost-per-order target in the centre's currency when kpi_targets has none (0 = no target)"))
        .parameter(ParamSpec::number("floor_ratio", 1.25).min(1.0).max(10.0).describe("no credit at target x floor_ratio (both are lower-is-better)"))
        .measurement("contacts_per_order", "contacts per order", "contacts / orders (cxaudit-kpis)")
        .measurement("cost_per_order", "currency", "operating cost / orders (cxaudit-kpis)")
        .measurement("cost_per_contact", "currency", "operating cost / handled contacts (cxaudit-kpis)")
        .measurement("contacts_per_order_slope", "contacts per order per month", "least-squares slope of monthly contacts per order")
        .measurement("contact_growth", "ratio per month", "mean month-over-month growth of contacts")
        .measurement("order_growth", "ratio per month", "mean month-over-month growth of orders");
        let mut m = with_kpi_needs(m, &["contacts", "business_daily"]);
        // The KPI crate reads operating_cost as a required column of its optional table; cost is optional here.
        if let Some(b) = m.tables.iter_mut().find(|t| t.name == "business_daily") {
            for c in b.columns.iter_mut().filter(|c| c.name == "operating_cost") {
                c.required = false;
            }
        }
        m
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &DemandParams) -> Result<Evaluation, EvalError> {
        ctx.table("contacts")?;
        let daily = ctx.table("business_daily")?;
        let evidence = cxaudit_kpis::Evidence::from_context(ctx);
        let opts = kpi_options(ctx)?;
        let overall = cxaudit_kpis::overall(&evidence, &opts);
        let cpo = overall.value(Kpi::ContactsPerOrder).ok_or_else(|| {
            EvalError::MissingEvidence("contacts per order cannot be computed (no orders, or the contacts or business_daily table is unusable)".into())
        })?;
        let cost_per_order = overall.value(Kpi::CostPerOrder);
        let cost_per_contact = overall.value(Kpi::CostPerContact);
        let report = cxaudit_kpis::compute(&evidence, GroupBy::Month, &opts);
        let orders = orders_by_month(&daily)?;
        let months: Vec<MonthDemand> = orders
            .iter()
            .filter(|(_, o)| **o > 0)
            .map(|(m, o)| {
                let g = report.group(m);
                let v = |k: Kpi| g.and_then(|g| g.value(k));
                MonthDemand {
                    month: m.clone(),
                    contacts: v(Kpi::Contacts),
                    orders: *o,
                    cpo: v(Kpi::ContactsPerOrder),
                    cost_per_order: v(Kpi::CostPerOrder),
                    cost_per_contact: v(Kpi::CostPerContact),
                }
            })
            .collect();
        let cpo_series: Vec<f64> = months.iter().filter_map(|m| m.cpo).collect();
        let cost_series: Vec<f64> = months.iter().filter_map(|m| m.cost_per_order).collect();
        let cpo_slope = least_squares_slope(&cpo_series);
        let cost_slope = least_squares_slope(&cost_series);
        let paired: Vec<(f64, f64)> = months
            .iter()
            .filter_map(|m| Some((m.contacts?, m.orders as f64)))
            .collect();
        let contact_growth = mean_growth(&paired.iter().map(|x| x.0).collect::<Vec<_>>());
        let order_growth = mean_growth(&paired.iter().map(|x| x.1).collect::<Vec<_>>());

        let target_of =
            |key: &str, fallback: f64| -> Result<(Option<f64>, &'static str), EvalError> {
                Ok(match centre_target(ctx, key)? {
                    Some(t) => (Some(t.target), "kpi_targets"),
                    None if fallback > 0.0 => (Some(fallback), "pack parameter"),
                    None => (None, "none"),
                })
            };
        let (cpo_target, cpo_src) = target_of("contacts_per_order", p.target_contacts_per_order)?;
        let (cost_target, cost_src) = target_of("cost_per_order", p.target_cost_per_order)?;

        let mut items = Vec::new();
        let mut obs = Vec::new();
        let mut actions = Vec::new();
        match cpo_target {
            Some(t) => items.push(Credited::graded(
                Check::new(
                    "contacts_per_order_vs_target",
                    "Contacts per order at or under the target",
                    round(cpo, 6),
                    format!(
                        "<= {t} ({cpo_src}); no credit at >= {}",
                        round(t * p.floor_ratio, 6)
                    ),
                    false,
                ),
                graded(cpo, t * p.floor_ratio, t, false),
            )),
            None => obs.push("No contacts-per-order target is set (kpi_targets or pack).".into()),
        }
        match (cost_per_order, cost_target) {
            (Some(v), Some(t)) => items.push(Credited::graded(
                Check::new("cost_per_order_vs_target", "Cost per order at or under the target", round(v, 6), format!("<= {t} ({cost_src}); no credit at >= {}", round(t * p.floor_ratio, 6)), false),
                graded(v, t * p.floor_ratio, t, false),
            )),
            (None, _) => obs.push("business_daily has no operating cost: cost per order and per contact are not judged.".into()),
            (Some(_), None) => {
                obs.push("No cost-per-order target is set (kpi_targets or pack).".into());
                actions.push(Action::new("Set a cost-per-order target with a baseline and owner.", Effort::Low, OwnerRole::Process));
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
            fmt4(cpo_target),
            fmt4(cost_per_order),
            fmt4(cost_target),
            fmt4(cost_per_contact),
            fmt4(cpo_slope),
            contact_growth.map_or("n/a".into(), pct),
            order_growth.map_or("n/a".into(), pct)
        );
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
            Measurement::new(
                "contacts_per_order_slope",
                cpo_slope,
                "contacts per order per month",
                "least-squares slope of monthly contacts per order",
            ),
            Measurement::new(
                "contact_growth",
                contact_growth,
                "ratio per month",
                "mean of contacts_m / contacts_(m-1) - 1 over consecutive months",
            ),
            Measurement::new(
                "order_growth",
                order_growth,
                "ratio per month",
                "mean of orders_m / orders_(m-1) - 1 over consecutive months",
            ),
        ];
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
        e.drilldowns = vec![Drilldown {
            id: "demand_by_month".into(),
            title: "Demand and cost by month".into(),
            columns: [
                "month",
                "contacts",
                "orders",
                "contacts_per_order",
                "cost_per_order",
                "cost_per_contact",
            ]
            .map(String::from)
            .to_vec(),
            rows: months
                .iter()
                .map(|m| {
                    vec![
                        json!(m.month),
                        num(m.contacts),
                        json!(m.orders),
                        num(m.cpo),
                        num(m.cost_per_order),
                        num(m.cost_per_contact),
                    ]
                })
                .collect(),
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
                        values: index(months.iter().map(|m| Some(m.orders as f64)).collect()),
                    },
                    Series {
                        name: "Contacts".into(),
                        values: index(months.iter().map(|m| m.contacts).collect()),
                    },
                ],
            },
        ];
        if let Some(t) = cpo_target.filter(|t| cpo > *t) {
            let orders_total: u64 = months.iter().map(|m| m.orders).sum();
            let avoidable = ((cpo - t) * orders_total as f64).round();
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

fn fmt4(x: Option<f64>) -> String {
    x.map_or("n/a".into(), |v| {
        format!("{:.4}", v)
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    })
}

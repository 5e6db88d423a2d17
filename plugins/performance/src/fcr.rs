//! PF2: first contact resolution from repeat contacts, per agent and per
//! queue, coaching list and repeat drivers.

use cxaudit_kpis::{Kpi, KpiOptions};
use cxaudit_metrics::fcr::{
    CustomerCodes, FcrClass, FcrCounts, FcrParams, FcrRow, FcrVisit, classify_coded_without,
    report_from_groups,
};
use cxaudit_metrics::hash::StrMap;
use cxaudit_metrics::significance::{binomial_below_p, holm_adjusted};
use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::table::MS_PER_SECOND;
use serde::Deserialize;
use serde_json::json;

use crate::common::*;

/// PF2 evaluator `first_contact_resolution`.
pub struct FirstContactResolution;

/// Parameters of [`FirstContactResolution`]: each doc comment is the manifest's
/// description, unless the type (`TargetPolicy`) or helper (`laxest_param`) gives its own.
#[derive(Debug, Deserialize, Params)]
pub struct FcrEvalParams {
    /// the pack's FCR target (fraction), judged as target_policy says
    #[param(default = 0.75, min = 0, max = 1, target_of = Kpi::FcrRate.key())]
    pub target: f64,
    /// Whose target is judged.
    #[param(default = TargetPolicy::Centre)]
    pub target_policy: TargetPolicy,
    /// The laxest FCR target the standard accepts (fraction).
    #[param(spec = |name| laxest_param(name, Kpi::FcrRate, 0.70))]
    pub laxest_target: f64,
    /// FCR at or below which no credit is given
    #[param(default = 0.60, min = 0, max = 1)]
    pub floor: f64,
    /// repeat window, days after the contact ended
    #[param(default = 7, min = 1, max = 90)]
    pub fcr_window_days: u32,
    /// the FCR each agent is tested against: an agent significantly below it goes on the coaching list
    #[param(default = 0.70, min = 0, max = 1)]
    pub coaching_threshold: f64,
    /// family-wise significance level of the coaching list (one-sided exact binomial test per agent, Holm correction over the agents tested)
    #[param(default = 0.05, min = 0, max = 1)]
    pub coaching_alpha: f64,
    /// minimum eligible contacts for an agent to be judged
    #[param(default = 30, min = 1)]
    pub min_volume: u64,
    /// contact reasons listed as repeat drivers
    #[param(default = 5, min = 1, max = 100)]
    pub top_reasons: usize,
}

/// The contacts FCR is computed over: those whose arrival falls in the
/// period, as in every KPI (`KpiOptions::in_period`), built exactly as
/// cxaudit-kpis builds them (UTC milliseconds), in one pass over the table's
/// columns (borrowed, not copied). Only what classification reads is held
/// (32 bytes a contact); the drill-downs read agent, queue and reason from
/// their columns again ([`of_period`]).
struct PeriodRows<'a> {
    /// The FCR rows, in table order.
    rows: Vec<FcrVisit<'a>>,
    /// Whether each row of the table is one of `rows`.
    in_period: Vec<bool>,
    /// Contacts left out because they arrived outside the period.
    outside: usize,
}

fn period_rows<'a>(t: &'a Table, opts: &KpiOptions) -> Result<PeriodRows<'a>, EvalError> {
    let mut customer = t.strs("customer_id")?;
    let mut ended = t.timestamps_ms("ended_at")?;
    let mut abandoned = t.bools("abandoned")?;
    let mut out = PeriodRows {
        rows: Vec::with_capacity(t.num_rows()),
        in_period: Vec::with_capacity(t.num_rows()),
        outside: 0,
    };
    let mut days = opts.local_days();
    for (i, arrived) in t.timestamps_ms("arrived_at")?.enumerate() {
        let (customer_id, ended_at, abandoned) = (customer.next(), ended.next(), abandoned.next());
        let arrived = arrived.ok_or_else(|| {
            EvalError::MissingEvidence(format!("contacts row {}: arrived_at is empty", i + 1))
        })?;
        let in_period = opts.in_period(days.of(arrived));
        out.in_period.push(in_period);
        if !in_period {
            out.outside += 1;
            continue;
        }
        out.rows.push(FcrVisit::new(
            customer_id.flatten(),
            arrived,
            ended_at.flatten(),
            abandoned.flatten().unwrap_or(false),
        ));
    }
    Ok(out)
}

/// The cells of a column of the contacts table at the rows of the period
/// (those `in_period` marks), in order: one per FCR row.
fn of_period<'c, T>(
    cells: impl Iterator<Item = T> + 'c,
    in_period: &'c [bool],
) -> impl Iterator<Item = T> + 'c {
    cells
        .zip(in_period)
        .filter_map(|(cell, &keep)| keep.then_some(cell))
}

/// An FCR computation that could not be made (too many rows, codes of
/// other rows).
fn fcr_failed(e: cxaudit_metrics::MetricError) -> EvalError {
    EvalError::Failed(format!("FCR: {e}"))
}

fn repeat_rate(c: &FcrCounts) -> Option<f64> {
    cxaudit_metrics::stats::count_ratio(c.repeat_generators, c.eligible)
}

impl Evaluator for FirstContactResolution {
    type Params = FcrEvalParams;

    fn name(&self) -> &'static str {
        "first_contact_resolution"
    }

    fn manifest(&self) -> Manifest {
        let m = Manifest::new(
            "First contact resolution from repeat contacts (same customer again within the window) against the \
             target, drilled down by agent and queue, with a coaching list and the repeat drivers by contact reason.",
        )
        .table(
            TableNeed::required("contacts")
                .column("customer_id", ColumnType::String)
                .column("agent_id", ColumnType::String)
                .column("queue", ColumnType::String)
                .column("arrived_at", ColumnType::Timestamp)
                .column("ended_at", ColumnType::Timestamp)
                .column("abandoned", ColumnType::Bool)
                .optional_column("contact_reason", ColumnType::String),
        )
        .table(kpi_targets_need())
        .params::<FcrEvalParams>()
        .measurement("fcr_rate", "ratio", "1 - repeat generators / eligible contacts (cxaudit-kpis)")
        .measurement("agents_to_coach", "agents", "agents with enough eligible contacts whose FCR is significantly below the coaching threshold (one-sided exact binomial test, Holm-adjusted p < coaching_alpha)")
        .measurement("agents_under_threshold", "agents", "agents with enough eligible contacts whose FCR point estimate is under the coaching threshold (significant or not)")
        .measurement("fcr_rate_abandoned_recontacts_not_repeats", "ratio", "FCR if an abandoned re-contact did not count as a repeat (sensitivity of the repeat rule)")
        .measurement("queues_under_target", "queues", "queues with FCR under the target");
        with_kpi_needs(m, &["contacts"])
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &FcrEvalParams) -> Result<Evaluation, EvalError> {
        let table = ctx.table("contacts")?;
        let mut opts = kpi_options(ctx)?.only(&[Kpi::FcrRate]);
        opts.fcr_window_days = p.fcr_window_days;
        // The headline and every drill-down are over the same contacts (those of the period)
        // and one classification: the headline is the `fcr_rate` cxaudit-kpis gives (test
        // `fcr_leaves_contacts_outside_the_period_out_of_every_figure`).
        // The classes of the period's rows, as cxaudit-kpis classifies them
        // (kept for the KPI attainment criterion, or kept from it); first, so
        // that what classifying holds is freed before the rows below are.
        let fcr = cxaudit_kpis::period_fcr(&table, &opts)?;
        let classes = &fcr.classes;
        let period = period_rows(&table, &opts)?;
        let rows = &period.rows;
        let params = FcrParams {
            window_days: p.fcr_window_days,
            data_end: None,
            ticks_per_second: MS_PER_SECOND,
        };
        if classes.len() != rows.len() {
            return Err(EvalError::Failed(format!(
                "internal: {} FCR classes for {} contacts of the period",
                classes.len(),
                rows.len()
            )));
        }
        let agents = of_period(table.strs("agent_id")?, &period.in_period);
        let queues = of_period(table.strs("queue")?, &period.in_period);
        let report = report_from_groups(
            classes,
            agents.zip(queues).map(|(a, q)| (a, q.unwrap_or(""))),
            rows.iter().map(FcrRow::arrived_at).max(),
            &params,
        );
        let overall = report.overall.fcr().ok_or_else(|| {
            EvalError::MissingEvidence("no contact is eligible for FCR (customer id, end time and a full window are needed)".into())
        })?;
        let judged = TargetRule::new(Kpi::FcrRate, p.target_policy)
            .pack_target("target", p.target)
            .laxest("laxest_target", p.laxest_target)
            .required_in(&KpiTargets::from_context(ctx)?)?;
        let target = judged.value;

        let agents: Vec<(&str, FcrCounts, f64)> = report
            .by_agent
            .iter()
            .filter_map(|(a, c)| Some(((*a)?, *c, c.fcr()?)))
            .collect();
        let tested = coaching_tests(&agents, p);
        let under_threshold = tested
            .iter()
            .filter(|t| t.fcr < p.coaching_threshold)
            .count();
        let mut coaching: Vec<&CoachingTest> = tested
            .iter()
            .filter(|t| t.holm_p < p.coaching_alpha)
            .collect();
        coaching.sort_by(|a, b| {
            a.holm_p
                .total_cmp(&b.holm_p)
                .then(a.fcr.total_cmp(&b.fcr))
                .then(a.agent.cmp(b.agent))
        });
        let without_abandoned = fcr_without_abandoned_recontacts(
            rows,
            fcr.codes.as_ref(),
            classes,
            &params,
            report.data_end,
        )?;
        let queues: Vec<(&str, FcrCounts, Option<f64>)> = report
            .by_queue
            .iter()
            .map(|(q, c)| (*q, *c, c.fcr()))
            .collect();
        let queues_under: Vec<&(&str, FcrCounts, Option<f64>)> = queues
            .iter()
            .filter(|(_, _, f)| f.is_some_and(|f| f < target))
            .collect();
        let reasons = if table.has_column("contact_reason") {
            let cells = of_period(table.strs("contact_reason")?, &period.in_period);
            Some(repeat_drivers(cells, classes))
        } else {
            None
        };

        let check = Check::new(
            "fcr_vs_target",
            "First contact resolution (from repeats) at or above the target",
            round(overall, 6),
            format!("{}; no credit at <= {}", judged.expected(), p.floor),
            false,
        );
        let o = report.overall;
        let summary = format!(
            "FCR {} against target {} ({}): {} repeat generators in {} eligible contacts ({}-day window); {} of {} agents with >= {} eligible contacts significantly below {} (binomial test, Holm, alpha {}; {} under it on the point estimate); {} of {} queues under target.",
            pct(overall),
            pct(target),
            judged.cite(),
            o.repeat_generators,
            o.eligible,
            p.fcr_window_days,
            coaching.len(),
            tested.len(),
            p.min_volume,
            pct(p.coaching_threshold),
            p.coaching_alpha,
            under_threshold,
            queues_under.len(),
            queues.len()
        );
        let mut e = evaluation_from_credits(
            vec![Credited::graded(
                check,
                graded(overall, p.floor, target, true),
            )],
            summary,
        );
        let def = Kpi::FcrRate.definition(&opts).definition;
        e.measurements = vec![
            Measurement::new("fcr_rate", Some(overall), "ratio", &def),
            Measurement::new(
                "agents_to_coach",
                Some(coaching.len() as f64),
                "agents",
                &format!(
                    "agents with >= {} eligible contacts whose FCR is significantly below {}: one-sided exact binomial test of their resolved contacts, Holm-adjusted p < {} over the {} agents tested",
                    p.min_volume,
                    p.coaching_threshold,
                    p.coaching_alpha,
                    tested.len()
                ),
            ),
            Measurement::new(
                "agents_under_threshold",
                Some(under_threshold as f64),
                "agents",
                &format!(
                    "agents with >= {} eligible contacts and an FCR point estimate < {} (significant or not)",
                    p.min_volume, p.coaching_threshold
                ),
            ),
            Measurement::new(
                "fcr_rate_abandoned_recontacts_not_repeats",
                without_abandoned,
                "ratio",
                "FCR with abandoned contacts left out of the data altogether, so an abandoned re-contact is not a repeat (same window and data end)",
            ),
        ];
        e.measure("queues_under_target", Some(queues_under.len() as f64));
        e.definitions = vec![
            Definition::new("fcr_rate", &def),
            Definition::new(
                "repeat rate",
                "repeat generators / eligible contacts (= 1 - FCR) of a group",
            ),
            Definition::new(
                "repeat",
                &format!(
                    "a later contact of the same customer, on any channel, arriving within {} days after the first contact ended. An abandoned re-contact counts as a repeat: the customer came back unresolved, whether or not the second attempt was answered. An abandoned contact is itself never eligible (it resolved nothing and cannot be judged). The FCR with abandoned re-contacts not counted is reported beside it (fcr_rate_abandoned_recontacts_not_repeats).",
                    p.fcr_window_days
                ),
            ),
            Definition::new(
                "coaching list",
                &format!(
                    "agents with at least {} eligible contacts are tested: p = P(X <= resolved) for X ~ Binomial(eligible, {}), the chance of resolving so few if the agent's true FCR were {}. The p-values are Holm-adjusted over the agents tested (sorted ascending, the i-th smallest multiplied by m - i + 1, running maximum, at most 1); an agent is listed when the adjusted p is under {}. A low point estimate on few contacts is not a coaching need.",
                    p.min_volume, p.coaching_threshold, p.coaching_threshold, p.coaching_alpha
                ),
            ),
        ];
        e.observations = vec![format!(
            "Excluded from FCR: {} contacts without customer id, {} abandoned, {} without an end time, {} right-censored (window past the end of the data).",
            o.excluded_no_customer, o.excluded_abandoned, o.excluded_no_end, o.censored
        )];
        if period.outside > 0 {
            e.observations.push(format!(
                "{} contacts arrived outside the period and are left out of FCR and its drill-downs, as out of every KPI (the end of the data is the last arrival in the period).",
                period.outside
            ));
        }
        if reasons.is_none() {
            e.observations
                .push("The contacts table has no contact_reason: no repeat-driver view.".into());
        }
        judged.record(&mut e);
        e.drilldowns = vec![
            counts_drilldown(
                "fcr_by_queue",
                "FCR by queue",
                "queue",
                queues.iter().map(|(q, c, _)| (q.to_string(), *c)),
            ),
            counts_drilldown(
                "fcr_by_agent",
                "FCR by agent",
                "agent_id",
                agents.iter().map(|(a, c, _)| (a.to_string(), *c)),
            ),
            coaching_drilldown(&coaching, p),
        ];
        if let Some(r) = &reasons {
            e.drilldowns.push(counts_drilldown(
                "repeat_drivers",
                &format!(
                    "Repeat drivers: contact reasons by repeat generators (top {})",
                    p.top_reasons
                ),
                "contact_reason",
                r.iter().take(p.top_reasons).map(|(k, c)| (k.clone(), *c)),
            ));
        }
        e.charts = vec![Chart {
            id: "fcr_by_queue".into(),
            title: "FCR by queue against target".into(),
            kind: ChartKind::Bar,
            x: queues.iter().map(|(q, _, _)| q.to_string()).collect(),
            y: vec![],
            unit: "ratio".into(),
            series: vec![
                Series {
                    name: "FCR".into(),
                    values: queues.iter().map(|(_, _, f)| *f).collect(),
                },
                Series {
                    name: "Target".into(),
                    values: queues.iter().map(|_| Some(target)).collect(),
                },
            ],
        }];
        if !coaching.is_empty() {
            let named: Vec<String> = coaching
                .iter()
                .take(15)
                .map(|t| {
                    format!(
                        "{} ({}, {} eligible)",
                        t.agent,
                        pct(t.fcr),
                        t.counts.eligible
                    )
                })
                .collect();
            e.actions.push(Action::new(
                format!(
                    "Coach agents {} (FCR significantly below {}): call listening on their repeat contacts.",
                    named.join(", "),
                    pct(p.coaching_threshold)
                ),
                Effort::Low,
                OwnerRole::People,
            ));
        }
        if let Some(r) = &reasons {
            let top: Vec<String> = r
                .iter()
                .filter(|(_, c)| c.repeat_generators > 0)
                .take(3)
                .map(|(k, c)| {
                    format!(
                        "{k} ({} repeats, {})",
                        c.repeat_generators,
                        repeat_rate(c).map_or("n/a".into(), pct)
                    )
                })
                .collect();
            if !top.is_empty() && overall < target {
                e.actions.push(Action::new(
                    format!("Root-cause the top repeat drivers {} and fix them upstream (process, product, self-service).", top.join(", ")),
                    Effort::Medium,
                    OwnerRole::Process,
                ));
            }
        }
        if !queues_under.is_empty() && overall < target {
            let named: Vec<String> = queues_under
                .iter()
                .map(|(q, _, f)| format!("{q} ({})", f.map_or("n/a".into(), pct)))
                .collect();
            e.actions.push(Action::new(
                format!(
                    "Review routing and knowledge on queues {} (FCR under {}).",
                    named.join(", "),
                    pct(target)
                ),
                Effort::Medium,
                OwnerRole::Process,
            ));
        }
        Ok(e)
    }
}

/// One agent tested for the coaching list.
#[derive(Debug, Clone)]
struct CoachingTest<'a> {
    agent: &'a str,
    counts: FcrCounts,
    fcr: f64,
    /// One-sided exact binomial p-value of "FCR below the threshold".
    p: f64,
    /// Holm-adjusted over the agents tested.
    holm_p: f64,
}

/// Tests every agent with at least `min_volume` eligible contacts: the
/// chance of resolving as few contacts as they did if their FCR were the
/// coaching threshold, Holm-adjusted over the agents tested.
fn coaching_tests<'a>(
    agents: &[(&'a str, FcrCounts, f64)],
    p: &FcrEvalParams,
) -> Vec<CoachingTest<'a>> {
    let mut tested: Vec<CoachingTest<'a>> = agents
        .iter()
        .filter(|(_, c, _)| c.eligible >= p.min_volume)
        .filter_map(|(a, c, f)| {
            let resolved = c.eligible - c.repeat_generators;
            Some(CoachingTest {
                agent: a,
                counts: *c,
                fcr: *f,
                p: binomial_below_p(resolved, c.eligible, p.coaching_threshold)?,
                holm_p: 1.0,
            })
        })
        .collect();
    let adjusted = holm_adjusted(&tested.iter().map(|t| t.p).collect::<Vec<_>>());
    for (t, h) in tested.iter_mut().zip(adjusted) {
        t.holm_p = h;
    }
    tested
}

/// FCR when abandoned contacts are left out of the data altogether, so that
/// an abandoned re-contact does not make its predecessor a repeat generator
/// (the same window, and the data end of the full data for censoring):
/// `classes` are those of every row (the same window and data end), and only
/// the customers with an abandoned contact are classified again.
fn fcr_without_abandoned_recontacts(
    rows: &[FcrVisit<'_>],
    codes: Option<&CustomerCodes>,
    classes: &[FcrClass],
    params: &FcrParams,
    data_end: Option<i64>,
) -> Result<Option<f64>, EvalError> {
    // Abandoned contacts left without a customer: out of the figure, and no repeat of
    // anyone (the same classes as over the answered contacts alone, without copying them).
    // The customers' codes are those the classification kept, else coded here.
    let coded_here;
    let codes = match codes {
        Some(codes) => codes,
        None => {
            coded_here = CustomerCodes::of(rows).map_err(fcr_failed)?;
            &coded_here
        }
    };
    let params = FcrParams {
        data_end,
        ..*params
    };
    let classes = classify_coded_without(rows, codes, classes, &params, |i| rows[i].abandoned())
        .map_err(fcr_failed)?;
    let mut counts = FcrCounts::default();
    for c in classes {
        counts.add(c);
    }
    Ok(counts.fcr())
}

fn coaching_drilldown(coaching: &[&CoachingTest<'_>], p: &FcrEvalParams) -> Drilldown {
    Drilldown {
        id: "coaching_list".into(),
        title: format!(
            "Coaching list: FCR significantly below {} (>= {} eligible contacts, binomial test, Holm-adjusted p < {})",
            pct(p.coaching_threshold),
            p.min_volume,
            p.coaching_alpha
        ),
        columns: [
            "agent_id",
            "contacts",
            "eligible",
            "repeat_generators",
            "repeat_rate",
            "fcr",
            "p_value",
            "holm_p_value",
        ]
        .map(String::from)
        .to_vec(),
        rows: coaching
            .iter()
            .map(|t| {
                vec![
                    json!(t.agent),
                    json!(t.counts.contacts),
                    json!(t.counts.eligible),
                    json!(t.counts.repeat_generators),
                    num(repeat_rate(&t.counts)),
                    num(t.counts.fcr()),
                    json!(t.p),
                    json!(t.holm_p),
                ]
            })
            .collect(),
        units: Vec::new(),
    }.unit_of(&["fcr", "repeat_rate"], "ratio")
}

/// Repeat drivers: the classes of the FCR rows counted by the rows' contact
/// reasons (one per row, in order), most repeat generators first.
fn repeat_drivers<'r>(
    reasons: impl Iterator<Item = Option<&'r str>>,
    classes: &[FcrClass],
) -> Vec<(String, FcrCounts)> {
    let mut by: StrMap<'r, FcrCounts> = StrMap::default();
    for (class, reason) in classes.iter().zip(reasons) {
        let key = reason.filter(|r| !r.is_empty()).unwrap_or("(no reason)");
        by.entry(key).add(*class);
    }
    // Sorted below by repeat generators, then reason: the map's order does not show.
    let mut out: Vec<(String, FcrCounts)> = by
        .into_entries()
        .into_iter()
        .map(|(k, c)| (k.to_owned(), c))
        .collect();
    out.sort_by(|a, b| {
        b.1.repeat_generators
            .cmp(&a.1.repeat_generators)
            .then(a.0.cmp(&b.0))
    });
    out
}

fn counts_drilldown(
    id: &str,
    title: &str,
    key: &str,
    rows: impl Iterator<Item = (String, FcrCounts)>,
) -> Drilldown {
    Drilldown {
        id: id.into(),
        title: title.into(),
        columns: [
            key,
            "contacts",
            "eligible",
            "repeat_generators",
            "repeat_rate",
            "fcr",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .map(|(k, c)| {
                vec![
                    json!(k),
                    json!(c.contacts),
                    json!(c.eligible),
                    json!(c.repeat_generators),
                    num(repeat_rate(&c)),
                    num(c.fcr()),
                ]
            })
            .collect(),
        units: Vec::new(),
    }
    .unit_of(&["repeat_rate", "fcr"], "ratio")
}

//! WF4: schedule adherence (overall and per agent), conformance, occupancy
//! within a healthy band and utilisation.

use std::collections::{BTreeMap, BTreeSet};

use cxaudit_kpis::{GroupBy, Kpi, KpiValue};
use cxaudit_metrics::people;
use cxaudit_plugin_sdk::prelude::*;
use serde::Deserialize;

use crate::common::{
    Credited, at_least, evaluation_from_credits, finite_non_negative, first_of, kpi_evidence,
    kpi_options, kpi_table_needs, measured, pct, round2, round4,
};

/// Parameters of [`AdherenceOccupancy`]: each doc comment is the manifest's
/// description.
#[derive(Debug, Clone, Deserialize, Params)]
pub struct Params {
    /// adherence threshold, overall and per agent (ratio)
    #[param(default = 0.90, min = 0, max = 1)]
    pub adherence_threshold: f64,
    /// share of agents at or above the threshold needed (ratio)
    #[param(default = 0.80, min = 0, max = 1)]
    pub min_share_agents: f64,
    /// lowest acceptable conformance (ratio)
    #[param(default = 0.95, min = 0)]
    pub conformance_min: f64,
    /// highest acceptable conformance (ratio)
    #[param(default = 1.05, min = 0)]
    pub conformance_max: f64,
    /// lower end of the healthy occupancy band (ratio)
    #[param(default = 0.75, min = 0, max = 1)]
    pub occupancy_min: f64,
    /// upper end of the healthy occupancy band (ratio)
    #[param(default = 0.90, min = 0, max = 1)]
    pub occupancy_max: f64,
    /// lowest acceptable utilisation (ratio)
    #[param(default = 0.85, min = 0)]
    pub utilisation_target: f64,
    /// rows in the agent drill-down
    #[param(default = 20, min = 1, max = 500)]
    pub worst_rows: u64,
}

/// WF4 evaluator: adherence, conformance, occupancy and utilisation.
pub struct AdherenceOccupancy;

impl Evaluator for AdherenceOccupancy {
    type Params = Params;

    fn name(&self) -> &'static str {
        "adherence_occupancy"
    }

    fn manifest(&self) -> Manifest {
        let mut m = Manifest::new(
            "Schedule adherence overall and per agent against a threshold, conformance (worked / \
             scheduled) within a band, occupancy (handle / worked) within a healthy band and \
             utilisation (worked / paid) against its target (both from cxaudit kpis).",
        )
        .table(
            TableNeed::required("adherence")
                .column("agent_id", ColumnType::String)
                .column("date", ColumnType::Date)
                .column("scheduled_minutes", ColumnType::Float)
                .column("adherent_minutes", ColumnType::Float)
                .column("worked_minutes", ColumnType::Float),
        );
        for need in kpi_table_needs(&["contacts", "adherence"]) {
            m = m.table(need);
        }
        m.params::<Params>()
            .measurement(
                "schedule_adherence",
                "ratio",
                "adherent minutes / scheduled minutes (cxaudit kpis)",
            )
            .measurement(
                "share_agents_adherent",
                "ratio",
                "agents with adherence >= threshold / agents with scheduled minutes",
            )
            .measurement(
                "conformance",
                "ratio",
                "worked minutes / scheduled minutes (can exceed 1)",
            )
            .measurement(
                "occupancy",
                "ratio",
                "handle time / worked (logged-in) time (cxaudit kpis)",
            )
            .measurement(
                "utilisation",
                "ratio",
                "worked (logged-in: handling or available) minutes / paid minutes (cxaudit kpis)",
            )
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &Params) -> Result<Evaluation, EvalError> {
        let table = ctx.table("adherence")?;
        let agents = read_agents(&table)?;
        if agents.totals.is_empty() {
            return Err(EvalError::MissingEvidence(format!(
                "the adherence table has no usable row ({} skipped)",
                agents.skipped
            )));
        }
        let options =
            kpi_options(ctx)?.only(&[Kpi::ScheduleAdherence, Kpi::Occupancy, Kpi::Utilisation]);
        let evidence = kpi_evidence(ctx, &["contacts", "adherence"]);
        // The period's values and each day's (for the chart), from one
        // reading of the contacts.
        let [overall, daily] =
            cxaudit_kpis::compute_each(&evidence, [GroupBy::All, GroupBy::Day], &options);
        let overall = cxaudit_kpis::overall_of(overall, &options);
        let adherence = overall.value(Kpi::ScheduleAdherence);
        let occupancy = overall.value(Kpi::Occupancy);
        let utilisation = overall.value(Kpi::Utilisation);
        let sum = agents
            .totals
            .values()
            .fold(Minutes::default(), |acc, m| acc.plus(m));
        let conformance = people::conformance(sum.worked, sum.scheduled);
        let judged: Vec<(&String, &Minutes, f64)> = agents
            .totals
            .iter()
            .filter_map(|(a, m)| people::adherence(m.adherent, m.scheduled).map(|x| (a, m, x)))
            .collect();
        let mut under: Vec<&(&String, &Minutes, f64)> = judged
            .iter()
            .filter(|j| j.2 < p.adherence_threshold - 1e-12)
            .collect();
        under.sort_by(|a, b| a.2.total_cmp(&b.2).then_with(|| a.0.cmp(b.0)));
        let share_ok = cxaudit_metrics::stats::count_ratio(
            (judged.len() - under.len()) as u64,
            judged.len() as u64,
        );
        let unscheduled: Vec<(&String, &Minutes)> = agents
            .totals
            .iter()
            .filter(|(_, m)| m.scheduled <= 0.0)
            .collect();

        let in_band = |id: &str, what: &str, v: Option<f64>, lo: f64, hi: f64| {
            Credited::pass_fail(Check::new(
                id,
                what,
                measured(v),
                format!("in [{lo}, {hi}]"),
                v.is_some_and(|x| x >= lo - 1e-12 && x <= hi + 1e-12),
            ))
        };
        let scored = vec![
            at_least(
                "adherence_overall",
                "Schedule adherence, all agents",
                adherence,
                p.adherence_threshold,
            ),
            at_least(
                "agents_adherent",
                &format!(
                    "Share of agents with adherence >= {}",
                    p.adherence_threshold
                ),
                share_ok,
                p.min_share_agents,
            ),
            in_band(
                "conformance",
                "Conformance worked / scheduled",
                conformance,
                p.conformance_min,
                p.conformance_max,
            ),
            in_band(
                "occupancy_band",
                "Occupancy within the healthy band",
                occupancy,
                p.occupancy_min,
                p.occupancy_max,
            ),
            at_least(
                "utilisation",
                "Utilisation (worked / paid)",
                utilisation,
                p.utilisation_target,
            ),
        ];
        let f = |v: Option<f64>| v.map_or("n/a".into(), pct);
        let summary = format!(
            "Adherence {} (threshold {}), {} of {} agents below it; conformance {}; occupancy {} (band {}-{}); utilisation {} (target {}).",
            f(adherence),
            pct(p.adherence_threshold),
            under.len(),
            judged.len(),
            f(conformance),
            f(occupancy),
            pct(p.occupancy_min),
            pct(p.occupancy_max),
            f(utilisation),
            pct(p.utilisation_target),
        );
        let mut e = evaluation_from_credits(scored, summary);
        e.measure("schedule_adherence", adherence);
        e.measure("share_agents_adherent", share_ok);
        e.measurements.extend([
            Measurement::new(
                "conformance",
                conformance,
                "ratio",
                "worked minutes / scheduled minutes",
            ),
            Measurement::new(
                "occupancy",
                occupancy,
                "ratio",
                &Kpi::Occupancy.definition(&options).definition,
            ),
            Measurement::new(
                "utilisation",
                utilisation,
                "ratio",
                &Kpi::Utilisation.definition(&options).definition,
            ),
        ]);
        e.definitions = vec![
            Definition::new(
                "Adherence",
                "minutes in adherence / scheduled minutes, summed over days (per agent and overall).",
            ),
            Definition::new(
                "Conformance",
                "worked minutes / scheduled minutes; can exceed 100%.",
            ),
            Definition::new("Occupancy", &Kpi::Occupancy.definition(&options).definition),
            Definition::new(
                "Utilisation",
                &Kpi::Utilisation.definition(&options).definition,
            ),
        ];
        e.observations = observations(&overall, occupancy, &unscheduled, agents.skipped, p);
        e.drilldowns = vec![
            under_drilldown(&under, p),
            unscheduled_drilldown(&unscheduled),
        ];
        e.charts = vec![daily_chart(&daily)];
        e.actions = actions(
            &under,
            occupancy,
            utilisation,
            sum.worked,
            agents.days.len(),
            p,
        );
        Ok(e)
    }
}

/// Minutes of one agent (or of everyone).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Minutes {
    /// Scheduled.
    pub scheduled: f64,
    /// In adherence.
    pub adherent: f64,
    /// Worked.
    pub worked: f64,
}

impl Minutes {
    fn plus(self, o: &Minutes) -> Minutes {
        Minutes {
            scheduled: self.scheduled + o.scheduled,
            adherent: self.adherent + o.adherent,
            worked: self.worked + o.worked,
        }
    }
}

/// Per-agent totals of the adherence table.
#[derive(Debug, Clone, Default)]
pub struct AgentMinutes {
    /// Minutes per agent.
    pub totals: BTreeMap<String, Minutes>,
    /// Days covered.
    pub days: BTreeSet<i32>,
    /// Rows skipped (no agent id).
    pub skipped: usize,
}

/// Sums the adherence table per agent (empty minutes count as 0).
pub fn read_agents(t: &Table) -> Result<AgentMinutes, EvalError> {
    let mut out = AgentMinutes::default();
    let agent = t.strs("agent_id")?;
    let date = t.dates("date")?;
    let sched = t.f64s("scheduled_minutes")?;
    let adh = t.f64s("adherent_minutes")?;
    let worked = t.f64s("worked_minutes")?;
    let clean = |v: Option<f64>| finite_non_negative(v).unwrap_or(0.0);
    for ((((a, d), s), h), w) in agent.zip(date).zip(sched).zip(adh).zip(worked) {
        let Some(a) = a else {
            out.skipped += 1;
            continue;
        };
        if let Some(d) = d {
            out.days.insert(d);
        }
        let m = out.totals.entry(a.to_owned()).or_default();
        m.scheduled += clean(s);
        m.adherent += clean(h);
        m.worked += clean(w);
    }
    Ok(out)
}

fn observations(
    overall: &cxaudit_kpis::GroupKpis,
    occupancy: Option<f64>,
    unscheduled: &[(&String, &Minutes)],
    skipped: usize,
    p: &Params,
) -> Vec<String> {
    let mut out = Vec::new();
    match (occupancy, overall.values.get(&Kpi::Occupancy)) {
        (Some(o), _) if o > p.occupancy_max => out.push(format!(
            "Occupancy is {}, above the healthy band's {}: agents have little recovery time between contacts, a risk for quality, absence and attrition.",
            pct(o),
            pct(p.occupancy_max)
        )),
        (Some(o), _) if o < p.occupancy_min => out.push(format!("Occupancy is {}, below the band's {}: more staff than workload.", pct(o), pct(p.occupancy_min))),
        (None, Some(KpiValue::Unavailable(why) | KpiValue::NoData(why))) => out.push(format!("Occupancy cannot be measured: {why}.")),
        _ => {}
    }
    if !unscheduled.is_empty() {
        let names: Vec<&str> = unscheduled.iter().map(|(a, _)| a.as_str()).collect();
        out.push(format!("{} agents have no scheduled minutes (adherence undefined, left out of the per-agent check): {}.", names.len(), names.join(", ")));
    }
    if skipped > 0 {
        out.push(format!(
            "{skipped} adherence rows without an agent id skipped."
        ));
    }
    if let Some(KpiValue::Unavailable(why) | KpiValue::NoData(why)) =
        overall.values.get(&Kpi::Utilisation)
    {
        out.push(format!(
            "Utilisation cannot be measured, so its check is not passed: {why}."
        ));
    }
    out
}

fn under_drilldown(under: &[&(&String, &Minutes, f64)], p: &Params) -> Drilldown {
    Drilldown {
        id: "agents_below_threshold".into(),
        title: format!(
            "Agents below the adherence threshold of {}",
            pct(p.adherence_threshold)
        ),
        columns: [
            "agent_id",
            "scheduled_minutes",
            "adherent_minutes",
            "worked_minutes",
            "adherence",
            "conformance",
            "minutes_short_of_threshold",
        ]
        .map(String::from)
        .to_vec(),
        rows: under
            .iter()
            .take(p.worst_rows as usize)
            .map(|(a, m, x)| {
                vec![
                    (*a).clone().into(),
                    round2(m.scheduled).into(),
                    round2(m.adherent).into(),
                    round2(m.worked).into(),
                    round4(*x).into(),
                    measured(people::conformance(m.worked, m.scheduled)),
                    round2(p.adherence_threshold * m.scheduled - m.adherent).into(),
                ]
            })
            .collect(),
        units: Vec::new(),
    }
    .unit_of(&["adherence", "conformance"], "ratio")
}

fn unscheduled_drilldown(unscheduled: &[(&String, &Minutes)]) -> Drilldown {
    Drilldown {
        id: "agents_without_schedule".into(),
        title: "Agents with no scheduled minutes (adherence undefined)".into(),
        columns: ["agent_id", "worked_minutes", "adherent_minutes"]
            .map(String::from)
            .to_vec(),
        rows: unscheduled
            .iter()
            .map(|(a, m)| {
                vec![
                    (*a).clone().into(),
                    round2(m.worked).into(),
                    round2(m.adherent).into(),
                ]
            })
            .collect(),
        units: Vec::new(),
    }
}

/// Adherence and occupancy per day, from the KPIs grouped by day.
fn daily_chart(report: &cxaudit_kpis::KpiReport) -> Chart {
    let days: Vec<&cxaudit_kpis::GroupKpis> = report
        .groups
        .iter()
        .filter(|g| g.value(Kpi::ScheduleAdherence).is_some())
        .collect();
    let series = |name: &str, k: Kpi| Series {
        name: name.into(),
        values: days.iter().map(|g| g.value(k).map(round4)).collect(),
    };
    Chart {
        id: "daily_adherence_occupancy".into(),
        title: "Daily adherence and occupancy".into(),
        kind: ChartKind::Line,
        x: days.iter().map(|g| g.group.clone()).collect(),
        y: Vec::new(),
        unit: "ratio".into(),
        series: vec![
            series("adherence", Kpi::ScheduleAdherence),
            series("occupancy", Kpi::Occupancy),
            series("utilisation", Kpi::Utilisation),
        ],
    }
}

fn actions(
    under: &[&(&String, &Minutes, f64)],
    occupancy: Option<f64>,
    utilisation: Option<f64>,
    worked_minutes: f64,
    days: usize,
    p: &Params,
) -> Vec<Action> {
    let mut out = Vec::new();
    if !under.is_empty() {
        let named = first_of(under, 10, |(a, _, x)| format!("{a} ({})", pct(*x)));
        out.push(Action::new(
            format!(
                "Coach agents on schedule adherence: {named}, below {}.",
                pct(p.adherence_threshold)
            ),
            Effort::Low,
            OwnerRole::People,
        ));
    }
    if let Some(o) = occupancy.filter(|o| *o > p.occupancy_max) {
        // Worked time W with handle time H = o W: reaching the band's top needs H / max.
        let extra_hours = worked_minutes * (o / p.occupancy_max - 1.0) / 60.0;
        let per_day = if days > 0 {
            extra_hours / days as f64
        } else {
            extra_hours
        };
        out.push(Action::new(
            format!("Bring occupancy from {} to {} or less: add about {:.0} logged-in agent hours per day (or cut handle time).", pct(o), pct(p.occupancy_max), per_day),
            Effort::Medium,
            OwnerRole::Process,
        ));
    }
    if let Some(u) = utilisation.filter(|u| *u < p.utilisation_target) {
        out.push(Action::new(
            format!(
                "Raise utilisation from {} to {}: cut the paid time agents spend logged out (late starts, long breaks, unplanned absence, unscheduled meetings).",
                pct(u),
                pct(p.utilisation_target)
            ),
            Effort::Medium,
            OwnerRole::Process,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::fixtures::{Row, contacts, measurement};
    use cxaudit_plugin_sdk::testing::{TableBuilder, TestHost};
    use serde_json::json;

    /// A1: 2 days x 480 scheduled, 930 adherent, 960 worked -> 0.96875.
    /// A2: 480 scheduled, 384 adherent, 480 worked -> 0.80 (below 0.90).
    /// A3: 0 scheduled, 60 worked (edge case: adherence undefined).
    fn adherence() -> arrow_array::RecordBatch {
        TableBuilder::new()
            .strings("agent_id", ["A1", "A1", "A2", "A3"].map(Some))
            .dates(
                "date",
                ["2026-01-05", "2026-01-06", "2026-01-05", "2026-01-06"].map(Some),
            )
            .floats("scheduled_minutes", [480.0, 480.0, 480.0, 0.0].map(Some))
            .floats("adherent_minutes", [460.0, 470.0, 384.0, 0.0].map(Some))
            .floats("worked_minutes", [480.0, 480.0, 480.0, 60.0].map(Some))
            .floats("unplanned_absence_minutes", [Some(0.0); 4])
            .floats("paid_minutes", [540.0, 540.0, 540.0, 60.0].map(Some))
            .build()
    }

    /// Three handled voice contacts of 28,500 s talk each: 85,500 s of handle time.
    fn handled() -> Vec<Row<'static>> {
        (0..3)
            .map(|_| {
                (
                    "voice",
                    "2026-01-05T09:00:00",
                    Some("2026-01-05T09:00:05"),
                    "2026-01-05T17:00:00",
                    false,
                    28_500.0,
                )
            })
            .collect()
    }

    #[test]
    fn adherence_conformance_occupancy_and_zero_schedule_agent() {
        let e = TestHost::new()
            .table("adherence", adherence())
            .table("contacts", contacts(&handled()))
            .run(&AdherenceOccupancy, json!({}));
        // Adherence 1314 / 1440 = 0.9125 >= 0.90 pass; agents: A1 ok, A2 under, A3 left out -> 1/2 = 0.5 < 0.8 fail;
        // conformance 1500 / 1440 = 1.0417 in [0.95, 1.05] pass;
        // occupancy 85,500 / (1500 x 60 = 90,000) = 0.95 > 0.90 fail;
        // utilisation worked / paid = 1500 / 1680 = 0.8929 >= 0.85 pass.
        assert!((measurement(&e, "schedule_adherence").unwrap() - 1314.0 / 1440.0).abs() < 1e-12);
        assert_eq!(measurement(&e, "share_agents_adherent"), Some(0.5));
        assert!((measurement(&e, "conformance").unwrap() - 1500.0 / 1440.0).abs() < 1e-12);
        assert!((measurement(&e, "occupancy").unwrap() - 0.95).abs() < 1e-12);
        assert!((measurement(&e, "utilisation").unwrap() - 1500.0 / 1680.0).abs() < 1e-12);
        let passed: Vec<bool> = e.checks.iter().map(|c| c.passed).collect();
        assert_eq!(passed, vec![true, false, true, false, true]);
        assert_eq!(e.score, Some(0.6));
        // A2 listed with 0.9 x 480 - 384 = 48 minutes short; A3 listed as unscheduled.
        assert_eq!(
            e.drilldowns[0].rows,
            vec![vec![
                json!("A2"),
                json!(480.0),
                json!(384.0),
                json!(480.0),
                json!(0.8),
                json!(1.0),
                json!(48.0)
            ]]
        );
        assert_eq!(e.drilldowns[1].rows[0][0], json!("A3"));
        assert!(
            e.observations
                .iter()
                .any(|o| o.contains("Occupancy is 95.0%"))
        );
        assert!(e.actions.iter().any(|a| {
            a.text
                .starts_with("Coach agents on schedule adherence: A2 (80.0%)")
        }));
    }

    #[test]
    fn without_contacts_occupancy_fails_and_utilisation_still_counts() {
        let e = TestHost::new()
            .table("adherence", adherence())
            .run(&AdherenceOccupancy, json!({}));
        // adherence pass, agents fail, conformance pass, occupancy not measurable (no handle
        // time), utilisation 0.8929 pass (adherence alone): 3/5.
        assert_eq!(measurement(&e, "occupancy"), None);
        assert!((measurement(&e, "utilisation").unwrap() - 1500.0 / 1680.0).abs() < 1e-12);
        assert_eq!(e.score, Some(0.6));
        assert!(
            e.observations
                .iter()
                .any(|o| o.starts_with("Occupancy cannot be measured"))
        );
    }

    #[test]
    fn without_paid_minutes_utilisation_is_not_passed_and_says_why() {
        let mut batch = adherence();
        let keep: Vec<usize> = (0..batch.num_columns())
            .filter(|&i| batch.schema().field(i).name() != "paid_minutes")
            .collect();
        batch = batch.project(&keep).unwrap();
        let e = TestHost::new()
            .table("adherence", batch)
            .table("contacts", contacts(&handled()))
            .run(&AdherenceOccupancy, json!({}));
        // As the first test, but the utilisation check cannot pass: 2/5.
        assert_eq!(measurement(&e, "utilisation"), None);
        assert_eq!(e.score, Some(0.4));
        assert!(e.observations.iter().any(|o| o.starts_with(
            "Utilisation cannot be measured, so its check is not passed: utilisation needs `paid_minutes`"
        )));
    }
}

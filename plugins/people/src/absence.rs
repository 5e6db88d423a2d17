//! PE3: unplanned absence rate against target, overall and by month.

use cxaudit_kpis::{GroupBy, Kpi};
use cxaudit_plugin_sdk::prelude::*;
use serde::Deserialize;
use serde_json::json;

use crate::common::*;

/// PE3 evaluator `absence`.
pub struct Absence;

/// Parameters of [`Absence`]: each doc comment is the manifest's
/// description, unless the type (`TargetPolicy`) or helper
/// (`laxest_param`) gives its own.
#[derive(Debug, Deserialize, Params)]
pub struct AbsenceParams {
    /// the pack's absence-rate target (fraction), judged as target_policy says
    #[param(default = 0.05, min = 0, max = 1, target_of = Kpi::AbsenceRate.key())]
    pub target: f64,
    /// Whose target is judged.
    #[param(default = TargetPolicy::Centre)]
    pub target_policy: TargetPolicy,
    /// The laxest absence-rate target the standard accepts (0 = no bound).
    #[param(spec = |name| laxest_param(name, Kpi::AbsenceRate, 0.10))]
    pub laxest_target: f64,
    /// absence rate at or above which no credit is given (fraction)
    #[param(default = 0.10, min = 0, max = 1)]
    pub floor: f64,
    /// agents listed with the highest absence rates
    #[param(default = 10, min = 0, max = 1000)]
    pub worst_agents: usize,
}

impl Evaluator for Absence {
    type Params = AbsenceParams;

    fn name(&self) -> &'static str {
        "absence"
    }

    fn manifest(&self) -> Manifest {
        let m = Manifest::new(
            "Unplanned absence rate (unplanned absence minutes / scheduled minutes) overall and by month \
             against the target; agents with the highest rates listed.",
        )
        .table(
            TableNeed::required("adherence")
                .column("agent_id", ColumnType::String)
                .column("date", ColumnType::Date)
                .column("scheduled_minutes", ColumnType::Float)
                .column("unplanned_absence_minutes", ColumnType::Float),
        )
        .table(kpi_targets_need())
        .params::<AbsenceParams>()
        .measurement("absence_rate", "ratio", "unplanned absence minutes / scheduled minutes (cxaudit-kpis)")
        .measurement("months_within_target_share", "ratio", "months at or under the target / months with scheduled minutes")
        .measurement("agents_over_target", "agents", "agents whose absence rate exceeds the target");
        with_kpi_needs(m, &["adherence"])
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &AbsenceParams) -> Result<Evaluation, EvalError> {
        ctx.table("adherence")?;
        let evidence = cxaudit_kpis::Evidence::from_context(ctx);
        let opts = kpi_options(ctx)?.only(&[Kpi::AbsenceRate]);
        let overall = cxaudit_kpis::overall(&evidence, &opts)
            .value(Kpi::AbsenceRate)
            .ok_or_else(|| {
                EvalError::MissingEvidence("the adherence table has no scheduled minutes".into())
            })?;
        let judged = TargetRule::new(Kpi::AbsenceRate, p.target_policy)
            .pack_target("target", p.target)
            .laxest("laxest_target", p.laxest_target)
            .required_in(&KpiTargets::from_context(ctx)?)?;
        let target = judged.value;

        let monthly: Vec<(String, f64)> = cxaudit_kpis::compute(&evidence, GroupBy::Month, &opts)
            .groups
            .iter()
            .filter_map(|g| g.value(Kpi::AbsenceRate).map(|v| (g.group.clone(), v)))
            .collect();
        let months_within = monthly.iter().filter(|(_, v)| *v <= target).count();
        let month_share = months_within as f64 / monthly.len().max(1) as f64;

        let mut agents: Vec<(String, f64)> =
            cxaudit_kpis::compute(&evidence, GroupBy::Agent, &opts)
                .groups
                .iter()
                .filter_map(|g| g.value(Kpi::AbsenceRate).map(|v| (g.group.clone(), v)))
                .collect();
        agents.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let over: Vec<&(String, f64)> = agents.iter().filter(|(_, v)| *v > target).collect();

        let items = vec![
            Credited::graded(
                Check::new(
                    "absence_rate_vs_target",
                    "Unplanned absence rate over the data at or under the target",
                    round(overall, 6),
                    format!("{}; no credit at >= {}", judged.expected(), p.floor),
                    false,
                )
                .weight(2.0),
                graded(overall, p.floor, target, false),
            ),
            Credited::graded(
                Check::new(
                    "absence_months_within_target",
                    "Share of months with the absence rate at or under the target",
                    round(month_share, 6),
                    "1.0 (every month)",
                    false,
                ),
                month_share,
            ),
        ];
        let summary = format!(
            "Unplanned absence {} against target {} ({}); {} of {} months within target; {} agents above target.",
            pct(overall),
            pct(target),
            judged.cite(),
            months_within,
            monthly.len(),
            over.len()
        );
        let mut e = evaluation_from_credits(items, summary);
        let def = Kpi::AbsenceRate.definition(&opts).definition;
        e.measurements = vec![Measurement::new(
            "absence_rate",
            Some(overall),
            "ratio",
            &def,
        )];
        e.measure("months_within_target_share", Some(month_share));
        e.measurements.push(Measurement::new(
            "agents_over_target",
            Some(over.len() as f64),
            "agents",
            "agents whose absence rate over the data exceeds the target",
        ));
        e.definitions = vec![Definition::new(
            "absence_rate",
            &format!("{def} (DOMAIN §5: unplanned absence hours / scheduled hours)"),
        )];
        judged.record(&mut e);
        e.drilldowns = vec![
            Drilldown {
                id: "absence_by_month".into(),
                title: "Unplanned absence rate by month".into(),
                columns: ["month", "absence_rate", "target", "within_target"]
                    .map(String::from)
                    .to_vec(),
                rows: monthly
                    .iter()
                    .map(|(m, v)| vec![json!(m), num(Some(*v)), json!(target), json!(*v <= target)])
                    .collect(),
                units: Vec::new(),
            }
            .unit_of(&["absence_rate", "target"], "ratio"),
            Drilldown {
                id: "worst_agents".into(),
                title: format!(
                    "Agents with the highest unplanned absence (top {})",
                    p.worst_agents
                ),
                columns: ["agent_id", "absence_rate", "above_target"]
                    .map(String::from)
                    .to_vec(),
                rows: agents
                    .iter()
                    .take(p.worst_agents)
                    .map(|(a, v)| vec![json!(a), num(Some(*v)), json!(*v > target)])
                    .collect(),
                units: Vec::new(),
            }
            .unit_of(&["absence_rate"], "ratio"),
        ];
        e.charts = vec![Chart {
            id: "absence_monthly".into(),
            title: "Unplanned absence rate by month against target".into(),
            kind: ChartKind::Line,
            x: monthly.iter().map(|(m, _)| m.clone()).collect(),
            y: vec![],
            unit: "ratio".into(),
            series: vec![
                Series {
                    name: "Absence rate".into(),
                    values: monthly.iter().map(|(_, v)| Some(*v)).collect(),
                },
                Series {
                    name: "Target".into(),
                    values: monthly.iter().map(|_| Some(target)).collect(),
                },
            ],
        }];
        if !over.is_empty() {
            let named: Vec<String> = over
                .iter()
                .take(p.worst_agents.max(1))
                .map(|(a, v)| format!("{a} ({})", pct(*v)))
                .collect();
            e.actions.push(Action::new(
                format!("Hold return-to-work and attendance conversations with {} (above the {} target).", named.join(", "), pct(target)),
                Effort::Low,
                OwnerRole::People,
            ));
        }
        let bad_months: Vec<String> = monthly
            .iter()
            .filter(|(_, v)| *v > target)
            .map(|(m, v)| format!("{m} ({})", pct(*v)))
            .collect();
        if !bad_months.is_empty() {
            e.actions.push(Action::new(
                format!("Find the causes of absence peaks in {} (schedules, wellbeing, policy) and plan shrinkage for them.", bad_months.join(", ")),
                Effort::Medium,
                OwnerRole::Process,
            ));
        }
        Ok(e)
    }
}

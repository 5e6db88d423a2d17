//! PE1: staff attrition, monthly and annualised, early-tenure, against
//! target and trend.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use cxaudit_kpis::{GroupBy, Kpi};
use cxaudit_metrics::people::{
    AnnualisationMethod, Hire, annualised_attrition, average_headcount, early_tenure_attrition,
    monthly_attrition,
};
use cxaudit_metrics::significance::{SlopeTest, slope_test};
use cxaudit_metrics::stats::least_squares_slope;
use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::table::days_from_date;
use serde::Deserialize;
use serde_json::json;

use crate::common::*;

/// PE1 evaluator `attrition`.
pub struct Attrition;

/// Parameters of [`Attrition`]: each doc comment is the manifest's
/// description, unless the type (`TargetPolicy`) or helper
/// (`laxest_param`) gives its own.
#[derive(Debug, Deserialize, Params)]
pub struct AttritionParams {
    /// annualisation: sum (sum of monthly rates scaled to 12 months), times_twelve, compounding
    #[param(default = "sum")]
    pub attrition_method: String,
    /// early-tenure window, days
    #[param(default = 90, min = 1, max = 730)]
    pub early_tenure_days: u32,
    /// the pack's annualised attrition target (fraction), judged as target_policy says
    #[param(default = 0.45, min = 0, max = 5, target_of = Kpi::AttritionAnnualized.key())]
    pub target: f64,
    /// Whose target is judged.
    #[param(default = TargetPolicy::Centre)]
    pub target_policy: TargetPolicy,
    /// The laxest annualised attrition target the standard accepts (0 = no bound).
    #[param(spec = |name| laxest_param(name, Kpi::AttritionAnnualized, 0.45))]
    pub laxest_target: f64,
    /// annualised attrition at or above which no credit is given (fraction)
    #[param(default = 1.0, min = 0, max = 10)]
    pub floor: f64,
    /// significance level of the t-test of the monthly slope
    #[param(default = 0.05, min = 0, max = 1)]
    pub trend_alpha: f64,
    /// monthly rates needed before the trend can count as an improvement
    #[param(default = 6, min = 3, max = 120)]
    pub min_trend_months: u32,
    /// hires in the early-tenure cohort needed before its rate is reported
    #[param(default = 10, min = 1)]
    pub min_early_cohort: u64,
}

/// What the monthly series says about the trend (see [`judge_trend`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trend {
    /// Fewer monthly rates than the minimum: no trend can be shown.
    TooFewMonths(usize),
    /// The slope test: slope, p-value and whether the fall is significant.
    Tested {
        /// The slope test of the monthly rates.
        test: SlopeTest,
        /// Slope < 0 with p < alpha.
        improving: bool,
        /// Slope > 0 with p < alpha.
        worsening: bool,
    },
}

/// Judges the monthly rates' trend: with at least `min_months` rates, the
/// least-squares slope's two-sided t-test at `alpha`; a trend counts as
/// improving (or worsening) only when the slope is negative (positive) and
/// significant. Fewer rates (or fewer than 3, the least a slope test needs)
/// cannot show a trend.
pub fn judge_trend(series: &[f64], min_months: u32, alpha: f64) -> Trend {
    let needed = (min_months as usize).max(3);
    match slope_test(series).filter(|_| series.len() >= needed) {
        None => Trend::TooFewMonths(series.len()),
        Some(test) => Trend::Tested {
            test,
            improving: test.slope < 0.0 && test.p_value < alpha,
            worsening: test.slope > 0.0 && test.p_value < alpha,
        },
    }
}

impl Trend {
    /// Whether the trend shows a significant fall.
    pub fn improving(&self) -> bool {
        matches!(
            self,
            Trend::Tested {
                improving: true,
                ..
            }
        )
    }

    /// The trend in words, with the test behind it.
    pub fn words(&self) -> String {
        match self {
            Trend::TooFewMonths(n) => format!("not judged: {n} monthly rates"),
            Trend::Tested {
                test,
                improving,
                worsening,
            } => format!(
                "{} ({:+.2} points/month, p = {:.3})",
                if *improving {
                    "significantly improving"
                } else if *worsening {
                    "significantly worsening"
                } else {
                    "no significant trend"
                },
                test.slope * 100.0,
                test.p_value
            ),
        }
    }
}

/// One employment spell (one roster row).
#[derive(Debug, Clone)]
pub struct Spell {
    /// Agent id.
    pub agent_id: String,
    /// Team.
    pub team: String,
    /// First day employed.
    pub hired: NaiveDate,
    /// Last day employed, if the spell ended.
    pub exited: Option<NaiveDate>,
    /// `voluntary` / `involuntary` / empty.
    pub exit_type: Option<String>,
}

impl Spell {
    /// Whether the agent is employed at the start (`end_of_day` false) or
    /// the end of `day`.
    pub(crate) fn covers(&self, day: NaiveDate, end_of_day: bool) -> bool {
        self.hired <= day
            && self
                .exited
                .is_none_or(|x| if end_of_day { x > day } else { x >= day })
    }
}

/// Roster rows as spells, and the count of rows skipped (no id or hire date).
pub fn load_spells(t: &Table) -> Result<(Vec<Spell>, usize), EvalError> {
    let ids: Vec<Option<&str>> = t.strs("agent_id")?.collect();
    let hired: Vec<Option<i32>> = t.dates("hired_on")?.collect();
    let exited: Vec<Option<i32>> = t.dates("exited_on")?.collect();
    let teams: Vec<Option<&str>> = optional_column(t, "team", |c| t.strs(c))?;
    let types: Vec<Option<&str>> = optional_column(t, "exit_type", |c| t.strs(c))?;
    let mut spells = Vec::new();
    let mut skipped = 0;
    for i in 0..ids.len() {
        match (ids[i].filter(|s| !s.is_empty()), to_date(hired[i])) {
            (Some(id), Some(h)) => spells.push(Spell {
                agent_id: id.to_owned(),
                team: teams[i].unwrap_or("").to_owned(),
                hired: h,
                exited: to_date(exited[i]),
                exit_type: types[i].filter(|s| !s.is_empty()).map(str::to_owned),
            }),
            _ => skipped += 1,
        }
    }
    Ok((spells, skipped))
}

/// Distinct agents employed at the start or end of `day` (an agent with two
/// spells covering the day counts once).
fn headcount(spells: &[Spell], day: NaiveDate, end_of_day: bool) -> usize {
    spells
        .iter()
        .filter(|s| s.covers(day, end_of_day))
        .map(|s| s.agent_id.as_str())
        .collect::<BTreeSet<_>>()
        .len()
}

/// The monthly rate equivalent to an annualised target under a method.
fn monthly_equivalent(annual: f64, method: AnnualisationMethod) -> f64 {
    match method {
        AnnualisationMethod::Compounding => 1.0 - (1.0 - annual.min(1.0)).powf(1.0 / 12.0),
        _ => annual / 12.0,
    }
}

/// One month of the series.
struct MonthRow {
    month: NaiveDate,
    start: usize,
    end: usize,
    hires: usize,
    leavers: usize,
    voluntary: usize,
    involuntary: usize,
    /// Monthly rate from cxaudit-kpis (capped at 1 as it caps).
    rate: Option<f64>,
    /// Monthly rate from distinct-agent headcount.
    own_rate: Option<f64>,
}

fn in_month(d: Option<NaiveDate>, month: NaiveDate) -> bool {
    d.is_some_and(|d| d >= month && d <= month_end(month))
}

fn month_rows(
    spells: &[Spell],
    months: &[NaiveDate],
    kpi_monthly: &BTreeMap<String, f64>,
) -> Vec<MonthRow> {
    months
        .iter()
        .map(|&m| {
            let leavers: Vec<&Spell> = spells.iter().filter(|s| in_month(s.exited, m)).collect();
            let kind = |k: &str| {
                leavers
                    .iter()
                    .filter(|s| s.exit_type.as_deref() == Some(k))
                    .count()
            };
            let (start, end) = (
                headcount(spells, m, false),
                headcount(spells, month_end(m), true),
            );
            let avg = average_headcount(start as f64, end as f64);
            MonthRow {
                month: m,
                start,
                end,
                hires: spells.iter().filter(|s| in_month(Some(s.hired), m)).count(),
                leavers: leavers.len(),
                voluntary: kind("voluntary"),
                involuntary: kind("involuntary"),
                rate: kpi_monthly.get(&month_label(m)).copied(),
                own_rate: monthly_attrition(leavers.len() as f64, avg).map(|r| r.min(1.0)),
            }
        })
        .collect()
}

impl Evaluator for Attrition {
    type Params = AttritionParams;

    fn name(&self) -> &'static str {
        "attrition"
    }

    fn manifest(&self) -> Manifest {
        let m = Manifest::new(
            "Staff attrition: monthly (leavers / average headcount), annualised by the pack's method, \
             early-tenure attrition and the voluntary/involuntary split, against the target and the trend.",
        )
        .table(
            TableNeed::required("agents")
                .column("agent_id", ColumnType::String)
                .column("hired_on", ColumnType::Date)
                .column("exited_on", ColumnType::Date)
                .optional_column("exit_type", ColumnType::String)
                .optional_column("team", ColumnType::String),
        )
        .table(kpi_targets_need())
        .params::<AttritionParams>()
        .measurement("attrition_annualized", "ratio", "annualised attrition over the period (cxaudit-kpis)")
        .measurement("attrition_monthly_mean", "ratio", "mean of the monthly rates leavers / average headcount")
        .measurement("attrition_trend_slope", "ratio per month", "least-squares slope of the monthly rates")
        .measurement("attrition_trend_p_value", "probability", "two-sided p-value of the t-test of the monthly slope (n - 2 degrees of freedom)")
        .measurement("early_tenure_attrition", "ratio", "leavers within D days of hire / hires in the period who have had D days by the as-of date; none below the minimum cohort")
        .measurement("early_tenure_cohort", "agents", "hires in the period who have had D days by the as-of date")
        .measurement("early_leavers_outside_cohort", "agents", "hires too recent for the cohort who already left within D days")
        .measurement("voluntary_leaver_share", "ratio", "voluntary leavers / leavers with an exit type")
        .measurement("leavers", "agents", "spells ended in the period")
        .measurement("hires", "agents", "spells started in the period");
        with_kpi_needs(m, &["agents"])
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &AttritionParams) -> Result<Evaluation, EvalError> {
        let method = attrition_method(&p.attrition_method)?;
        let agents = ctx.table("agents")?;
        let (spells, skipped) = load_spells(&agents)?;
        if spells.is_empty() {
            return Err(EvalError::MissingEvidence(
                "the agents table has no usable row".into(),
            ));
        }
        let (start, end) = ctx.period_dates()?;
        let months = months_of(start, end);
        let evidence = cxaudit_kpis::Evidence::from_context(ctx);
        let mut opts = kpi_options(ctx)?.only(&[Kpi::AttritionAnnualized]);
        opts.attrition_method = method;
        let annualised = cxaudit_kpis::overall(&evidence, &opts)
            .value(Kpi::AttritionAnnualized)
            .ok_or_else(|| {
                EvalError::MissingEvidence(
                    "no headcount in any month of the period: attrition cannot be computed".into(),
                )
            })?;
        // Month by month with 12 x m, so each month's value divides back to m exactly.
        let mut monthly_opts = opts.clone();
        monthly_opts.attrition_method = AnnualisationMethod::TimesTwelve;
        let kpi_monthly: BTreeMap<String, f64> =
            cxaudit_kpis::compute(&evidence, GroupBy::Month, &monthly_opts)
                .groups
                .iter()
                .filter_map(|g| {
                    g.value(Kpi::AttritionAnnualized)
                        .map(|v| (g.group.clone(), v / 12.0))
                })
                .collect();
        let rows = month_rows(&spells, &months, &kpi_monthly);
        let series: Vec<f64> = rows.iter().filter_map(|r| r.rate).collect();
        let slope = least_squares_slope(&series);
        let trend = judge_trend(&series, p.min_trend_months, p.trend_alpha);

        let judged = TargetRule::new(Kpi::AttritionAnnualized, p.target_policy)
            .pack_target("target", p.target)
            .laxest("laxest_target", p.laxest_target)
            .required_in(&KpiTargets::from_context(ctx)?)?;
        let target = judged.value;

        let as_of = ctx.as_of_date()?;
        let hires_in_period: Vec<&Spell> = spells
            .iter()
            .filter(|s| s.hired >= start && s.hired <= end)
            .collect();
        let hires: Vec<Hire> = hires_in_period
            .iter()
            .map(|s| Hire {
                hired_at: i64::from(days_from_date(s.hired)) * 86_400,
                left_at: s.exited.map(|x| i64::from(days_from_date(x)) * 86_400),
            })
            .collect();
        let early = early_tenure_attrition(
            &hires,
            p.early_tenure_days,
            i64::from(days_from_date(as_of)) * 86_400,
        );
        let early_leavers: Vec<&Spell> = hires_in_period
            .iter()
            .copied()
            .filter(|s| {
                s.exited
                    .is_some_and(|x| (x - s.hired).num_days() <= i64::from(p.early_tenure_days))
                    && (s.hired + chrono::Duration::days(i64::from(p.early_tenure_days))) <= as_of
            })
            .collect();
        // Hires too recent for the cohort who already left within the window: their outcome
        // is known, their peers' is not, so they stay out of the rate and are named.
        let recent_early_leavers: Vec<&Spell> = hires_in_period
            .iter()
            .copied()
            .filter(|s| {
                s.exited
                    .is_some_and(|x| (x - s.hired).num_days() <= i64::from(p.early_tenure_days))
                    && (s.hired + chrono::Duration::days(i64::from(p.early_tenure_days))) > as_of
            })
            .collect();
        let early_rate = early.rate().filter(|_| early.cohort >= p.min_early_cohort);

        let leavers: Vec<&Spell> = spells
            .iter()
            .filter(|s| s.exited.is_some_and(|x| x >= start && x <= end))
            .collect();
        let voluntary = leavers
            .iter()
            .filter(|s| s.exit_type.as_deref() == Some("voluntary"))
            .count();
        let involuntary = leavers
            .iter()
            .filter(|s| s.exit_type.as_deref() == Some("involuntary"))
            .count();
        let voluntary_share =
            cxaudit_metrics::stats::count_ratio(voluntary as u64, (voluntary + involuntary) as u64);

        // Checks.
        let mut items = vec![Credited::graded(
            Check::new(
                "attrition_vs_target",
                "Annualised attrition at or under the target",
                round(annualised, 6),
                format!("{}; no credit at >= {}", judged.expected(), p.floor),
                false,
            )
            .weight(2.0),
            graded(annualised, p.floor, target, false),
        )];
        let mut observations = Vec::new();
        match slope {
            Some(s) => items.push(Credited::pass_fail(Check::new(
                "attrition_trend",
                "Annualised attrition within target, or a significantly falling monthly trend (t-test of the least-squares slope)",
                round(s, 6),
                format!(
                    "annualised <= {target}, or slope < 0 with p < {} over at least {} months",
                    p.trend_alpha, p.min_trend_months
                ),
                annualised <= target || trend.improving(),
            ))),
            None => observations.push(
                "Fewer than two months with headcount: no attrition trend can be judged.".to_owned(),
            ),
        }
        if let Trend::TooFewMonths(n) = trend
            && n >= 2
        {
            observations.push(format!(
                "{n} monthly rates: a trend needs at least {} months to be tested, so it cannot count as an improvement.",
                p.min_trend_months.max(3)
            ));
        }
        if early.cohort > 0 && early.cohort < p.min_early_cohort {
            observations.push(format!(
                "Early-tenure attrition not rated: {} of {} hires left within {} days, a cohort under the minimum of {} hires.",
                early.leavers, early.cohort, p.early_tenure_days, p.min_early_cohort
            ));
        }
        if !recent_early_leavers.is_empty() {
            observations.push(format!(
                "{} hire(s) too recent for the {}-day cohort already left within {} days ({}): outside the rate (their still-employed peers cannot be judged yet), listed among the early leavers.",
                recent_early_leavers.len(),
                p.early_tenure_days,
                p.early_tenure_days,
                recent_early_leavers
                    .iter()
                    .map(|s| s.agent_id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if skipped > 0 {
            observations.push(format!(
                "{skipped} roster rows without agent_id or hired_on were skipped."
            ));
        }
        let rehired: BTreeSet<&str> = {
            let mut seen = BTreeSet::new();
            spells
                .iter()
                .map(|s| s.agent_id.as_str())
                .filter(|id| !seen.insert(*id))
                .collect()
        };
        if !rehired.is_empty() {
            observations.push(format!(
                "{} agent(s) have more than one employment spell (rehires: {}); each exit counts as one leaver, each spell start as one hire, and an agent counts once in any day's headcount.",
                rehired.len(),
                rehired.iter().copied().collect::<Vec<_>>().join(", ")
            ));
        }
        for r in &rows {
            if let (Some(a), Some(b)) = (r.rate, r.own_rate)
                && (a - b).abs() > 1e-9
            {
                observations.push(format!(
                    "{}: an agent has overlapping employment spells; cxaudit-kpis counts spells ({} monthly), distinct agents give {}.",
                    month_label(r.month),
                    pct(a),
                    pct(b)
                ));
            }
        }
        let summary = format!(
            "Annualised attrition {} ({}) against target {} ({}); monthly trend: {}; {} leavers ({voluntary} voluntary, {involuntary} involuntary); early-tenure attrition {}.",
            pct(annualised),
            p.attrition_method,
            pct(target),
            judged.cite(),
            trend.words(),
            leavers.len(),
            match early_rate {
                Some(r) => format!(
                    "{} ({} of {} hires left within {} days)",
                    pct(r),
                    early.leavers,
                    early.cohort,
                    p.early_tenure_days
                ),
                None if early.cohort == 0 => "n/a (no hire has had the window yet)".to_owned(),
                None => format!(
                    "not rated ({} of {} hires left within {} days; fewer than {} hires)",
                    early.leavers, early.cohort, p.early_tenure_days, p.min_early_cohort
                ),
            },
        );
        let mut e = evaluation_from_credits(items, summary);
        e.observations = observations;
        let monthly_mean = cxaudit_metrics::stats::mean(&series);
        e.measurements = vec![
            Measurement::new(
                "attrition_annualized",
                Some(annualised),
                "ratio",
                &Kpi::AttritionAnnualized.definition(&opts).definition,
            ),
            Measurement::new(
                "attrition_monthly_mean",
                monthly_mean,
                "ratio",
                "mean of monthly leavers / average headcount over months with headcount",
            ),
            Measurement::new(
                "attrition_trend_slope",
                slope,
                "ratio per month",
                "least-squares slope of the monthly attrition rates (negative = improving)",
            ),
            Measurement::new(
                "attrition_trend_p_value",
                match trend {
                    Trend::Tested { test, .. } => Some(test.p_value),
                    Trend::TooFewMonths(_) => None,
                },
                "probability",
                &format!(
                    "two-sided p-value of the t-test of the least-squares slope of the monthly rates (n - 2 degrees of freedom); tested from {} months",
                    p.min_trend_months.max(3)
                ),
            ),
            Measurement::new(
                "early_tenure_attrition",
                early_rate,
                "ratio",
                &format!(
                    "leavers within {} days of hire / hires in the period who have had {} days by the as-of date; not rated under {} such hires",
                    p.early_tenure_days, p.early_tenure_days, p.min_early_cohort
                ),
            ),
            Measurement::new(
                "early_tenure_cohort",
                Some(early.cohort as f64),
                "agents",
                &format!(
                    "hires in the period who have had {} days by the as-of date",
                    p.early_tenure_days
                ),
            ),
            Measurement::new(
                "early_leavers_outside_cohort",
                Some(recent_early_leavers.len() as f64),
                "agents",
                &format!(
                    "hires too recent for the cohort (fewer than {} days by the as-of date) who already left within {} days",
                    p.early_tenure_days, p.early_tenure_days
                ),
            ),
            Measurement::new(
                "voluntary_leaver_share",
                voluntary_share,
                "ratio",
                "voluntary leavers / leavers with an exit type, in the period",
            ),
            Measurement::new(
                "leavers",
                Some(leavers.len() as f64),
                "agents",
                "employment spells ended in the period (a rehired agent who left once counts once)",
            ),
            Measurement::new(
                "hires",
                Some(hires_in_period.len() as f64),
                "agents",
                "employment spells started in the period (a rehire counts as a hire)",
            ),
        ];
        e.definitions = vec![
            Definition::new(
                "attrition_annualized",
                &Kpi::AttritionAnnualized.definition(&opts).definition,
            ),
            Definition::new(
                "headcount",
                "agents with an employment spell covering the day; start of month counts those exiting that day, end of month does not; an agent counts once per day",
            ),
            Definition::new(
                "early-tenure attrition",
                &format!(
                    "DOMAIN §5: leavers within {d} days / hires who have had {d} days. The cohort is the hires of the period whose {d} days have passed by the as-of date; a hire too recent for it who already left within {d} days is named apart and kept out of the rate (adding them without their still-employed peers would overstate it). The rate is reported only for a cohort of at least {} hires.",
                    p.min_early_cohort,
                    d = p.early_tenure_days,
                ),
            ),
            Definition::new(
                "trend",
                &format!(
                    "ordinary least-squares slope of the monthly rates against month number, with its t-test (n - 2 degrees of freedom). The trend improves only when the slope is negative with a two-sided p-value under {} over at least {} monthly rates; the sign of a slope alone is not a trend. The trend check passes when annualised attrition is within target or the trend improves.",
                    p.trend_alpha,
                    p.min_trend_months.max(3)
                ),
            ),
        ];
        judged.record(&mut e);
        e.drilldowns = vec![
            monthly_drilldown(&rows, method),
            team_drilldown(&leavers, &early_leavers),
            early_drilldown(&early_leavers, &recent_early_leavers),
        ];
        e.charts = vec![Chart {
            id: "attrition_monthly".into(),
            title: "Monthly attrition against the target's monthly equivalent".into(),
            kind: ChartKind::Line,
            x: rows.iter().map(|r| month_label(r.month)).collect(),
            y: vec![],
            unit: "ratio".into(),
            series: vec![
                Series {
                    name: "Monthly attrition".into(),
                    values: rows.iter().map(|r| r.rate).collect(),
                },
                Series {
                    name: "Target (monthly equivalent)".into(),
                    values: rows
                        .iter()
                        .map(|_| Some(monthly_equivalent(target, method)))
                        .collect(),
                },
            ],
        }];
        e.actions = actions(
            annualised,
            target,
            slope,
            &leavers,
            &early,
            &early_leavers,
            p,
        );
        Ok(e)
    }
}

fn monthly_drilldown(rows: &[MonthRow], method: AnnualisationMethod) -> Drilldown {
    Drilldown {
        id: "attrition_by_month".into(),
        title: "Attrition by month".into(),
        columns: [
            "month",
            "headcount_start",
            "headcount_end",
            "average_headcount",
            "hires",
            "leavers",
            "voluntary",
            "involuntary",
            "monthly_attrition",
            "annualised_equivalent",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                let annual = r.rate.and_then(|m| annualised_attrition(&[m], method).ok());
                vec![
                    json!(month_label(r.month)),
                    json!(r.start),
                    json!(r.end),
                    json!(average_headcount(r.start as f64, r.end as f64)),
                    json!(r.hires),
                    json!(r.leavers),
                    json!(r.voluntary),
                    json!(r.involuntary),
                    num(r.rate),
                    num(annual),
                ]
            })
            .collect(),
        units: Vec::new(),
    }
    .unit_of(&["annualised_equivalent", "monthly_attrition"], "ratio")
}

fn team_drilldown(leavers: &[&Spell], early: &[&Spell]) -> Drilldown {
    let mut teams: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for s in leavers {
        let t = teams.entry(s.team.as_str()).or_default();
        t[0] += 1;
        t[1] += usize::from(s.exit_type.as_deref() == Some("voluntary"));
        t[2] += usize::from(s.exit_type.as_deref() == Some("involuntary"));
    }
    for s in early {
        teams.entry(s.team.as_str()).or_default()[3] += 1;
    }
    let mut rows: Vec<(&str, [usize; 4])> = teams.into_iter().collect();
    rows.sort_by(|a, b| b.1[0].cmp(&a.1[0]).then(a.0.cmp(b.0)));
    Drilldown {
        id: "leavers_by_team".into(),
        title: "Leavers in the period by team".into(),
        columns: [
            "team",
            "leavers",
            "voluntary",
            "involuntary",
            "early_tenure_leavers",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .into_iter()
            .map(|(t, c)| vec![json!(t), json!(c[0]), json!(c[1]), json!(c[2]), json!(c[3])])
            .collect(),
        units: Vec::new(),
    }
}

fn early_drilldown(early: &[&Spell], recent: &[&Spell]) -> Drilldown {
    Drilldown {
        id: "early_tenure_leavers".into(),
        title: "Hires who left within the early-tenure window (in_cohort false: too recent for the cohort, outside the rate)".into(),
        columns: [
            "agent_id",
            "team",
            "hired_on",
            "exited_on",
            "days_employed",
            "exit_type",
            "in_cohort",
        ]
        .map(String::from)
        .to_vec(),
        rows: early
            .iter()
            .map(|s| (s, true))
            .chain(recent.iter().map(|s| (s, false)))
            .map(|(s, in_cohort)| {
                let exited = s.exited.unwrap_or(s.hired);
                vec![
                    json!(s.agent_id),
                    json!(s.team),
                    json!(s.hired.to_string()),
                    json!(exited.to_string()),
                    json!((exited - s.hired).num_days()),
                    json!(s.exit_type.clone().unwrap_or_default()),
                    json!(in_cohort),
                ]
            })
            .collect(),
        units: Vec::new(),
    }
}

fn actions(
    annualised: f64,
    target: f64,
    slope: Option<f64>,
    leavers: &[&Spell],
    early: &cxaudit_metrics::people::EarlyTenure,
    early_leavers: &[&Spell],
    p: &AttritionParams,
) -> Vec<Action> {
    let mut out = Vec::new();
    if annualised > target {
        let mut by_team: BTreeMap<&str, usize> = BTreeMap::new();
        for s in leavers {
            *by_team.entry(s.team.as_str()).or_default() += 1;
        }
        let mut teams: Vec<(&str, usize)> = by_team.into_iter().collect();
        teams.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let top: Vec<String> = teams
            .iter()
            .take(3)
            .map(|(t, n)| format!("{} ({n})", if t.is_empty() { "no team" } else { t }))
            .collect();
        let voluntary = leavers
            .iter()
            .filter(|s| s.exit_type.as_deref() == Some("voluntary"))
            .count();
        out.push(Action::new(
            format!(
                "Cut annualised attrition from {} to {}: {} leavers in the period ({voluntary} voluntary); start with teams {}: exit-reason review and stay interviews.",
                pct(annualised), pct(target), leavers.len(), top.join(", ")
            ),
            Effort::Medium,
            OwnerRole::People,
        ));
    }
    if let Some(s) = slope.filter(|s| *s > 0.0 && annualised > target) {
        out.push(Action::new(
            format!("Reverse the rising attrition trend (+{:.2} points a month): review it monthly with team leaders.", s * 100.0),
            Effort::Medium,
            OwnerRole::Process,
        ));
    }
    if early.leavers > 0 && early.cohort >= p.min_early_cohort {
        let ids: Vec<&str> = early_leavers
            .iter()
            .take(10)
            .map(|s| s.agent_id.as_str())
            .collect();
        out.push(Action::new(
            format!(
                "Review hiring profile and onboarding: {} of {} hires left within {} days ({}).",
                early.leavers,
                early.cohort,
                p.early_tenure_days,
                ids.join(", ")
            ),
            Effort::Medium,
            OwnerRole::People,
        ));
    }
    out
}

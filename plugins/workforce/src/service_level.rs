//! WF3: service level, ASA and abandonment per day and per weekday x hour
//! against targets, and first-response time of e-mail.

use std::collections::BTreeMap;

use cxaudit_kpis::{GroupBy, Kpi, KpiOptions, KpiValue, contact_timing};
use cxaudit_metrics::hash::RecentStrs;
use cxaudit_metrics::service::{self, ServiceCounts};
use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::table::{floor_seconds, seconds_between};
use cxaudit_plugin_sdk::time::LocalDates;
use serde::Deserialize;

use crate::common::{
    Credited, JudgedTarget, KpiTargets, LocalSlot, TargetRule, WeekGrid, at_least,
    evaluation_from_credits, kpi_evidence, kpi_options, kpi_table_needs, kpi_targets_need,
    laxest_param, measured, pct, round2, round4, weekday_hour_label,
};

/// Parameters of [`ServiceLevel`]: each doc comment is the manifest's
/// description, unless the type (`TargetPolicy`) or helper (`laxest_param`) gives its own.
#[derive(Debug, Clone, Deserialize, Params)]
pub struct Params {
    /// the pack's service-level target (ratio), judged as target_policy says
    #[param(default = 0.80, min = 0, max = 1, target_of = Kpi::ServiceLevel.key())]
    pub target_service_level: f64,
    /// the pack's ASA target (seconds, at most), judged as target_policy says
    #[param(default = 30.0, min = 0, target_of = Kpi::AsaSeconds.key())]
    pub target_asa_seconds: f64,
    /// the pack's abandon-rate target (ratio, at most), judged as target_policy says
    #[param(default = 0.06, min = 0, max = 1, target_of = Kpi::AbandonRate.key())]
    pub target_abandon_rate: f64,
    /// Whose targets are judged.
    #[param(default = TargetPolicy::Centre)]
    pub target_policy: TargetPolicy,
    /// The laxest service-level target the standard accepts (fraction).
    #[param(spec = |name| laxest_param(name, Kpi::ServiceLevel, 0.80))]
    pub laxest_service_level: f64,
    /// The laxest ASA target the standard accepts, seconds (0 = no bound).
    #[param(spec = |name| laxest_param(name, Kpi::AsaSeconds, 30.0))]
    pub laxest_asa_seconds: f64,
    /// The laxest abandon-rate target the standard accepts (0 = no bound).
    #[param(spec = |name| laxest_param(name, Kpi::AbandonRate, 0.08))]
    pub laxest_abandon_rate: f64,
    /// service-level threshold T (seconds)
    #[param(default = 20.0, min = 0)]
    pub threshold_seconds: f64,
    /// share of days meeting a target for full credit (ratio)
    #[param(default = 0.90, min = 0, max = 1)]
    pub min_share_of_days: f64,
    /// share of days meeting a target at which credit reaches zero (ratio)
    #[param(default = 0.50, min = 0, max = 1)]
    pub floor_share_of_days: f64,
    /// e-mail first-response limit (hours)
    #[param(default = 24.0, min = 0)]
    pub email_response_hours: f64,
    /// share of e-mails answered within the limit (ratio)
    #[param(default = 0.90, min = 0, max = 1)]
    pub email_target_share: f64,
    /// offered contacts a weekday x hour cell needs to be ranked
    #[param(default = 30, min = 1)]
    pub min_cell_contacts: u64,
}

/// WF3 evaluator: service level, ASA, abandonment and e-mail response.
pub struct ServiceLevel;

impl Evaluator for ServiceLevel {
    type Params = Params;

    fn name(&self) -> &'static str {
        "service_level"
    }

    fn manifest(&self) -> Manifest {
        let mut m = Manifest::new(
            "Service level, ASA and abandon rate of the synchronous channels per day (cxaudit kpis) \
             and per weekday x hour against the centre's targets (kpi_targets) or the pack's; share \
             of days meeting each target; first-response time of e-mail against its limit.",
        )
        .table(
            TableNeed::required("contacts")
                .column("channel", ColumnType::String)
                .column("arrived_at", ColumnType::Timestamp)
                .column("answered_at", ColumnType::Timestamp)
                .column("ended_at", ColumnType::Timestamp)
                .column("abandoned", ColumnType::Bool),
        )
        .table(kpi_targets_need());
        for need in kpi_table_needs(&["contacts"]) {
            m = m.table(need);
        }
        m.params::<Params>()
            .measurement(
                "service_level",
                "ratio",
                "period service level (cxaudit kpis definition)",
            )
            .measurement("asa_seconds", "seconds", "period ASA (cxaudit kpis)")
            .measurement(
                "abandon_rate",
                "ratio",
                "period abandon rate (cxaudit kpis)",
            )
            .measurement(
                "share_days_sl_met",
                "ratio",
                "days with service level >= target / days with offered contacts",
            )
            .measurement(
                "share_days_asa_met",
                "ratio",
                "days with ASA <= target / days with answered contacts",
            )
            .measurement(
                "share_days_abandon_met",
                "ratio",
                "days with abandon rate <= target / days with offered contacts",
            )
            .measurement(
                "email_share_within_limit",
                "ratio",
                "e-mails first answered within the limit / e-mails (unanswered count as late)",
            )
            .measurement(
                "email_median_response_hours",
                "hours",
                "median first response of answered e-mails",
            )
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &Params) -> Result<Evaluation, EvalError> {
        let contacts = ctx.table("contacts")?;
        let tz = ctx.time_zone()?;
        let mut options =
            kpi_options(ctx)?.only(&[Kpi::ServiceLevel, Kpi::AsaSeconds, Kpi::AbandonRate]);
        options.sl_threshold_seconds = p.threshold_seconds;
        let evidence = kpi_evidence(ctx, &["contacts"]);
        // The period's values and each day's, from one reading of the contacts.
        let [overall, daily] =
            cxaudit_kpis::compute_each(&evidence, [GroupBy::All, GroupBy::Day], &options);
        let overall = cxaudit_kpis::overall_of(overall, &options);
        if let Some(KpiValue::Unavailable(why)) = overall.values.get(&Kpi::ServiceLevel) {
            return Err(EvalError::MissingEvidence(why.clone()));
        }
        let targets = Targets::resolve(ctx, p)?;
        let days: Vec<Day> = daily
            .groups
            .iter()
            .map(|g| Day {
                date: g.group.clone(),
                sl: g.value(Kpi::ServiceLevel),
                asa: g.value(Kpi::AsaSeconds),
                abandon: g.value(Kpi::AbandonRate),
            })
            .filter(|d| d.sl.is_some() || d.asa.is_some() || d.abandon.is_some())
            .collect();
        let email = email_response(&contacts, p)?;
        let (sl, asa, ab) = (
            overall.value(Kpi::ServiceLevel),
            overall.value(Kpi::AsaSeconds),
            overall.value(Kpi::AbandonRate),
        );
        let sync = sl.is_some();
        if !sync && email.is_none() {
            return Err(EvalError::NotApplicable(
                "no contact offered on a service channel and no e-mail".into(),
            ));
        }
        let share_sl = share_days(&days, |d| d.sl.map(|v| targets.sl_met(v)));
        let share_asa = share_days(&days, |d| d.asa.map(|v| targets.asa_met(v)));
        let share_ab = share_days(&days, |d| d.abandon.map(|v| targets.abandon_met(v)));

        let mut scored = Vec::new();
        if sync {
            let days_check = |id: &str, what: &str, share: Option<f64>| {
                let credit = share.map_or(0.0, |s| {
                    graded(s, p.floor_share_of_days, p.min_share_of_days, true)
                });
                Credited::graded(
                    Check::new(
                        id,
                        what,
                        measured(share),
                        format!(
                            ">= {} of days (no credit at <= {})",
                            p.min_share_of_days, p.floor_share_of_days
                        ),
                        false,
                    ),
                    credit,
                )
            };
            scored.push(days_check(
                "sl_days",
                &format!("Share of days with service level >= {}", targets.sl.value),
                share_sl,
            ));
            scored.push(days_check(
                "asa_days",
                &format!("Share of days with ASA <= {} s", targets.asa.value),
                share_asa,
            ));
            scored.push(days_check(
                "abandon_days",
                &format!(
                    "Share of days with abandon rate <= {}",
                    targets.abandon.value
                ),
                share_ab,
            ));
            let period_check = |id: &str, what: &str, v: Option<f64>, t: &JudgedTarget| {
                Credited::pass_fail(Check::new(
                    id,
                    what,
                    measured(v),
                    t.expected(),
                    v.is_some_and(|v| t.is_met(v)),
                ))
            };
            scored.push(period_check(
                "sl_period",
                "Service level over the period",
                sl,
                &targets.sl,
            ));
            scored.push(period_check(
                "asa_period",
                "ASA over the period (seconds)",
                asa,
                &targets.asa,
            ));
            scored.push(period_check(
                "abandon_period",
                "Abandon rate over the period",
                ab,
                &targets.abandon,
            ));
        }
        if let Some(em) = &email {
            scored.push(at_least(
                "email_response",
                &format!(
                    "E-mails first answered within {} h (unanswered count as late)",
                    p.email_response_hours
                ),
                Some(em.share_within),
                p.email_target_share,
            ));
        }
        let summary = summary_text(
            sl,
            asa,
            ab,
            &targets,
            [share_sl, share_asa, share_ab],
            email.as_ref(),
            p,
        );
        let mut e = evaluation_from_credits(scored, summary);
        e.measurements = vec![
            Measurement::new(
                "service_level",
                sl,
                "ratio",
                &kpi_definition(Kpi::ServiceLevel, &options),
            ),
            Measurement::new(
                "asa_seconds",
                asa,
                "seconds",
                &kpi_definition(Kpi::AsaSeconds, &options),
            ),
            Measurement::new(
                "abandon_rate",
                ab,
                "ratio",
                &kpi_definition(Kpi::AbandonRate, &options),
            ),
            Measurement::new(
                "share_days_sl_met",
                share_sl,
                "ratio",
                "days with SL >= target / days with a service level",
            ),
            Measurement::new(
                "share_days_asa_met",
                share_asa,
                "ratio",
                "days with ASA <= target / days with an ASA",
            ),
            Measurement::new(
                "share_days_abandon_met",
                share_ab,
                "ratio",
                "days with abandon rate <= target / days with an abandon rate",
            ),
            Measurement::new(
                "email_share_within_limit",
                email.as_ref().map(|m| m.share_within),
                "ratio",
                "e-mails answered within the limit / e-mails",
            ),
        ];
        e.measure(
            "email_median_response_hours",
            email.as_ref().and_then(|m| m.median_hours),
        );
        e.definitions = vec![
            Definition::new(
                "Service level",
                &kpi_definition(Kpi::ServiceLevel, &options),
            ),
            Definition::new("ASA", &kpi_definition(Kpi::AsaSeconds, &options)),
            Definition::new("Abandon rate", &kpi_definition(Kpi::AbandonRate, &options)),
            Definition::new(
                "Day",
                "local calendar day of arrival in the centre's time zone (cxaudit kpis --by day).",
            ),
            Definition::new(
                "E-mail response",
                "first response = answered_at - arrived_at of e-mail contacts; unanswered e-mails count as outside the limit.",
            ),
        ];
        targets.record(&mut e);
        if let Some(em) = &email {
            e.observations.push(format!(
                "{} e-mails, {} answered; median first response {}, 90th percentile {}.",
                em.total,
                em.answered,
                em.median_hours
                    .map_or("n/a".into(), |h| format!("{h:.1} h")),
                em.p90_hours.map_or("n/a".into(), |h| format!("{h:.1} h"))
            ));
        } else {
            e.observations.push(
                "No e-mail contacts: the asynchronous response-time part does not apply.".into(),
            );
        }
        let cells = if sync {
            weekday_hour_cells(&contacts, tz, &options)?
        } else {
            BTreeMap::new()
        };
        e.drilldowns = vec![
            days_drilldown(&days, &targets),
            cells_drilldown(&cells, p, &options),
        ];
        if sync {
            e.charts = vec![
                daily_chart(&days, targets.sl.value),
                cells_heatmap(&cells, &options),
            ];
        }
        e.actions = actions(&cells, &e.checks, &targets, email.as_ref(), p, &options);
        Ok(e)
    }
}

fn kpi_definition(kpi: Kpi, o: &KpiOptions) -> String {
    kpi.definition(o).definition
}

/// Targets judged, with where they came from and why.
struct Targets {
    sl: JudgedTarget,
    asa: JudgedTarget,
    abandon: JudgedTarget,
}

impl Targets {
    fn resolve(ctx: &Context<'_>, p: &Params) -> Result<Self, EvalError> {
        let rows = KpiTargets::from_context(ctx)?;
        let judge = |kpi: Kpi, target: (&str, f64), laxest: (&str, f64)| {
            TargetRule::new(kpi, p.target_policy)
                .pack_target(target.0, target.1)
                .laxest(laxest.0, laxest.1)
                .required_in(&rows)
        };
        Ok(Targets {
            sl: judge(
                Kpi::ServiceLevel,
                ("target_service_level", p.target_service_level),
                ("laxest_service_level", p.laxest_service_level),
            )?,
            asa: judge(
                Kpi::AsaSeconds,
                ("target_asa_seconds", p.target_asa_seconds),
                ("laxest_asa_seconds", p.laxest_asa_seconds),
            )?,
            abandon: judge(
                Kpi::AbandonRate,
                ("target_abandon_rate", p.target_abandon_rate),
                ("laxest_abandon_rate", p.laxest_abandon_rate),
            )?,
        })
    }

    fn all(&self) -> [&JudgedTarget; 3] {
        [&self.sl, &self.asa, &self.abandon]
    }

    /// Whether a service level meets its target.
    fn sl_met(&self, v: f64) -> bool {
        self.sl.is_met(v)
    }

    /// Whether an ASA (seconds) meets its target.
    fn asa_met(&self, v: f64) -> bool {
        self.asa.is_met(v)
    }

    /// Whether an abandon rate meets its target.
    fn abandon_met(&self, v: f64) -> bool {
        self.abandon.is_met(v)
    }

    /// Records each target's definition and observations in the finding.
    fn record(&self, e: &mut Evaluation) {
        for t in self.all() {
            t.record(e);
        }
    }
}

/// One day's values.
#[derive(Debug, Clone)]
struct Day {
    date: String,
    sl: Option<f64>,
    asa: Option<f64>,
    abandon: Option<f64>,
}

/// Share of days meeting a rule, over the days where the value exists.
fn share_days(days: &[Day], meets: impl Fn(&Day) -> Option<bool>) -> Option<f64> {
    let judged: Vec<bool> = days.iter().filter_map(meets).collect();
    cxaudit_metrics::stats::count_ratio(
        judged.iter().filter(|b| **b).count() as u64,
        judged.len() as u64,
    )
}

/// E-mail first-response results.
#[derive(Debug, Clone)]
struct EmailResponse {
    total: usize,
    answered: usize,
    share_within: f64,
    median_hours: Option<f64>,
    p90_hours: Option<f64>,
}

fn email_response(t: &Table, p: &Params) -> Result<Option<EmailResponse>, EvalError> {
    let mut times = Vec::new();
    let mut total = 0;
    let channel = t.strs("channel")?;
    let arrived = t.timestamps_ms("arrived_at")?;
    let answered = t.timestamps_ms("answered_at")?;
    for ((c, a), r) in channel.zip(arrived).zip(answered) {
        if c != Some("email") {
            continue;
        }
        total += 1;
        if let (Some(a), Some(r)) = (a, r) {
            times.push(seconds_between(a, r));
        }
    }
    if total == 0 {
        return Ok(None);
    }
    let limit = p.email_response_hours * 3600.0;
    let summary = service::response_time_summary(&times, 0.9, limit);
    let within = summary.map_or(0.0, |s| s.share_within_limit * s.count as f64);
    Ok(Some(EmailResponse {
        total,
        answered: summary.map_or(0, |s| s.count),
        share_within: within / total as f64,
        median_hours: summary.map(|s| s.median_seconds / 3600.0),
        p90_hours: summary.map(|s| s.percentile_seconds / 3600.0),
    }))
}

type Cells = BTreeMap<(usize, usize), ServiceCounts>;

/// Service counts per weekday x hour of arrival, same rows and waits as the KPIs.
fn weekday_hour_cells(t: &Table, tz: chrono_tz::Tz, o: &KpiOptions) -> Result<Cells, EvalError> {
    // Per weekday x hour (7 x 24), the counts of the contacts arriving then.
    let mut counts = [ServiceCounts::default(); 7 * 24];
    let mut dates = LocalDates::new(tz);
    // Whether each channel met is a service channel (1) or not, by its address.
    let mut serves = RecentStrs::default();
    let channel = t.strs("channel")?;
    let arrived = t.timestamps_ms("arrived_at")?;
    let answered = t.timestamps_ms("answered_at")?;
    let ended = t.timestamps_ms("ended_at")?;
    let abandoned = t.bools("abandoned")?;
    for ((((c, arr), ans), end), ab) in channel.zip(arrived).zip(answered).zip(ended).zip(abandoned)
    {
        let (Some(c), Some(arr)) = (c, arr) else {
            continue;
        };
        let service = serves.get(c).unwrap_or_else(|| {
            let service = u32::from(o.service_channels.iter().any(|s| s == c));
            serves.put(c, service);
            service
        });
        if service == 0 {
            continue;
        }
        let Some(slot) = LocalSlot::at(floor_seconds(arr), &mut dates) else {
            continue;
        };
        counts[slot.weekday * 24 + slot.hour()].add(
            &contact_timing(arr, ans, end, ab.unwrap_or(false)),
            o.sl_threshold_seconds,
            o.short_abandon_seconds,
        );
    }
    Ok(counts
        .into_iter()
        .enumerate()
        .filter(|(_, c)| c.offered > 0)
        .map(|(cell, c)| ((cell / 24, cell % 24), c))
        .collect())
}

fn cells_heatmap(cells: &Cells, o: &KpiOptions) -> Chart {
    let mut grid = WeekGrid::default();
    for ((d, h), c) in cells {
        if let Some(sl) = c.service_level(o.sl_variant) {
            grid.add(*d, *h, sl);
        }
    }
    grid.chart(
        "sl_heatmap",
        "Service level by weekday x hour of arrival",
        "ratio",
    )
}

fn worst_cells<'a>(
    cells: &'a Cells,
    p: &Params,
    o: &KpiOptions,
) -> Vec<(&'a (usize, usize), f64, &'a ServiceCounts)> {
    let mut v: Vec<_> = cells
        .iter()
        .filter(|(_, c)| c.offered >= p.min_cell_contacts)
        .filter_map(|(k, c)| c.service_level(o.sl_variant).map(|sl| (k, sl, c)))
        .collect();
    v.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(b.0)));
    v
}

fn cells_drilldown(cells: &Cells, p: &Params, o: &KpiOptions) -> Drilldown {
    Drilldown {
        id: "weekday_hour".into(),
        title: "Weekday x hour cells with the lowest service level".into(),
        columns: [
            "weekday_hour",
            "offered",
            "answered",
            "answered_within_t",
            "abandoned",
            "service_level",
            "abandon_rate",
        ]
        .map(String::from)
        .to_vec(),
        rows: worst_cells(cells, p, o)
            .into_iter()
            .take(15)
            .map(|((d, h), sl, c)| {
                vec![
                    weekday_hour_label(*d, *h).into(),
                    c.offered.into(),
                    c.answered.into(),
                    c.answered_within.into(),
                    c.abandoned.into(),
                    round4(sl).into(),
                    measured(c.abandon_rate(false)),
                ]
            })
            .collect(),
        units: Vec::new(),
    }
    .unit_of(&["abandon_rate", "service_level"], "ratio")
}

fn days_drilldown(days: &[Day], t: &Targets) -> Drilldown {
    let j = |v: Option<f64>, r: fn(f64) -> f64| v.map_or(serde_json::Value::Null, |x| r(x).into());
    Drilldown {
        id: "days_off_target".into(),
        title: "Days missing at least one target".into(),
        columns: [
            "date",
            "service_level",
            "asa_seconds",
            "abandon_rate",
            "missed",
        ]
        .map(String::from)
        .to_vec(),
        rows: days
            .iter()
            .filter_map(|d| {
                let mut missed = Vec::new();
                if d.sl.is_some_and(|v| !t.sl_met(v)) {
                    missed.push("service_level");
                }
                if d.asa.is_some_and(|v| !t.asa_met(v)) {
                    missed.push("asa_seconds");
                }
                if d.abandon.is_some_and(|v| !t.abandon_met(v)) {
                    missed.push("abandon_rate");
                }
                (!missed.is_empty()).then(|| {
                    vec![
                        d.date.clone().into(),
                        j(d.sl, round4),
                        j(d.asa, round2),
                        j(d.abandon, round4),
                        missed.join(", ").into(),
                    ]
                })
            })
            .collect(),
        units: Vec::new(),
    }
    .unit_of(&["abandon_rate", "service_level"], "ratio")
}

fn daily_chart(days: &[Day], target: f64) -> Chart {
    Chart {
        id: "daily_sl".into(),
        title: "Daily service level against target".into(),
        kind: ChartKind::Line,
        x: days.iter().map(|d| d.date.clone()).collect(),
        y: Vec::new(),
        unit: "ratio".into(),
        series: vec![
            Series {
                name: "service level".into(),
                values: days.iter().map(|d| d.sl.map(round4)).collect(),
            },
            Series {
                name: "target".into(),
                values: days.iter().map(|_| Some(target)).collect(),
            },
        ],
    }
}

fn summary_text(
    sl: Option<f64>,
    asa: Option<f64>,
    ab: Option<f64>,
    t: &Targets,
    shares: [Option<f64>; 3],
    email: Option<&EmailResponse>,
    p: &Params,
) -> String {
    let f = |v: Option<f64>| v.map_or("n/a".into(), pct);
    let mut s = format!(
        "Service level {} (target {}, {}; met on {} of days), ASA {} (target {} s, {}; {} of days), abandonment {} (target {}, {}; {} of days)",
        f(sl),
        pct(t.sl.value),
        t.sl.cite(),
        f(shares[0]),
        asa.map_or("n/a".into(), |a| format!("{a:.1} s")),
        t.asa.value,
        t.asa.cite(),
        f(shares[1]),
        f(ab),
        pct(t.abandon.value),
        t.abandon.cite(),
        f(shares[2]),
    );
    match email {
        Some(e) => s.push_str(&format!(
            "; e-mail answered within {} h: {} (target {}).",
            p.email_response_hours,
            pct(e.share_within),
            pct(p.email_target_share)
        )),
        None => s.push_str("; no e-mail contacts."),
    }
    s
}

fn actions(
    cells: &Cells,
    checks: &[Check],
    t: &Targets,
    email: Option<&EmailResponse>,
    p: &Params,
    o: &KpiOptions,
) -> Vec<Action> {
    let failed = |id: &str| checks.iter().any(|c| c.id == id && !c.passed);
    let mut out = Vec::new();
    if failed("sl_days") || failed("sl_period") || failed("asa_days") || failed("abandon_days") {
        let worst: Vec<String> = worst_cells(cells, p, o)
            .into_iter()
            .filter(|(_, sl, _)| *sl < t.sl.value)
            .take(4)
            .map(|((d, h), sl, c)| {
                format!(
                    "{} (SL {}, {} offered)",
                    weekday_hour_label(*d, *h),
                    pct(sl),
                    c.offered
                )
            })
            .collect();
        if !worst.is_empty() {
            out.push(Action::new(
                format!(
                    "Re-plan staffing and breaks in the weakest hours: {}; target {} in {} s.",
                    worst.join(", "),
                    pct(t.sl.value),
                    p.threshold_seconds
                ),
                Effort::Medium,
                OwnerRole::Process,
            ));
        }
    }
    if failed("abandon_period") {
        out.push(Action::new(format!("Cut abandonment to {} or less: callback offers and queue messaging in the weakest hours.", pct(t.abandon.value)), Effort::Medium, OwnerRole::Technology));
    }
    if let Some(e) = email.filter(|e| e.share_within < p.email_target_share) {
        out.push(Action::new(
            format!("Answer e-mail within {} h: {} on time against {}; {} of {} e-mails unanswered; schedule e-mail work in low-volume hours.", p.email_response_hours, pct(e.share_within), pct(p.email_target_share), e.total - e.answered, e.total),
            Effort::Low,
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

    /// Day 1 (Mon 2026-01-05): voice waits 10, 15, 30 s answered, one abandon after 40 s.
    /// Day 2: voice waits 5 and 10 s answered. E-mail: one answered after 2 h, one never.
    fn rows(with_email: bool) -> Vec<Row<'static>> {
        let mut v: Vec<Row<'static>> = vec![
            (
                "voice",
                "2026-01-05T09:00:00",
                Some("2026-01-05T09:00:10"),
                "2026-01-05T09:05:00",
                false,
                200.0,
            ),
            (
                "voice",
                "2026-01-05T09:10:00",
                Some("2026-01-05T09:10:15"),
                "2026-01-05T09:15:00",
                false,
                200.0,
            ),
            (
                "voice",
                "2026-01-05T09:20:00",
                Some("2026-01-05T09:20:30"),
                "2026-01-05T09:25:00",
                false,
                200.0,
            ),
            (
                "voice",
                "2026-01-05T09:30:00",
                None,
                "2026-01-05T09:30:40",
                true,
                0.0,
            ),
            (
                "voice",
                "2026-01-06T10:00:00",
                Some("2026-01-06T10:00:05"),
                "2026-01-06T10:05:00",
                false,
                200.0,
            ),
            (
                "voice",
                "2026-01-06T10:10:00",
                Some("2026-01-06T10:10:10"),
                "2026-01-06T10:15:00",
                false,
                200.0,
            ),
        ];
        if with_email {
            v.push((
                "email",
                "2026-01-05T08:00:00",
                Some("2026-01-05T10:00:00"),
                "2026-01-05T10:10:00",
                false,
                300.0,
            ));
            v.push((
                "email",
                "2026-01-06T08:00:00",
                None,
                "2026-01-06T08:00:00",
                false,
                0.0,
            ));
        }
        v
    }

    #[test]
    fn daily_and_period_values_against_pack_targets() {
        let e = TestHost::new()
            .table("contacts", contacts(&rows(true)))
            .run(&ServiceLevel, json!({}));
        // Period: 4 of 6 offered answered within 20 s (no abandon within 5 s) -> 0.6667 < 0.8 fail;
        // ASA (10+15+30+5+10)/5 = 14 s <= 30 pass; abandon 1/6 = 0.1667 > 0.06 fail.
        // Days: SL 0.5 and 1.0 -> 1 of 2 met = 0.5 -> graded(0.5, floor 0.5, 0.9) = 0;
        // ASA 18.3 and 7.5 -> 2 of 2 -> 1; abandon 0.25 and 0 -> 0.5 -> 0.
        // E-mail: 1 of 2 within 24 h = 0.5 < 0.9 fail. Score = 2/7.
        assert!((measurement(&e, "service_level").unwrap() - 4.0 / 6.0).abs() < 1e-12);
        assert!((measurement(&e, "asa_seconds").unwrap() - 14.0).abs() < 1e-12);
        assert!((measurement(&e, "abandon_rate").unwrap() - 1.0 / 6.0).abs() < 1e-12);
        assert_eq!(measurement(&e, "share_days_sl_met"), Some(0.5));
        assert_eq!(measurement(&e, "share_days_asa_met"), Some(1.0));
        assert_eq!(measurement(&e, "email_share_within_limit"), Some(0.5));
        assert_eq!(measurement(&e, "email_median_response_hours"), Some(2.0));
        let ids: Vec<(&str, bool)> = e.checks.iter().map(|c| (c.id.as_str(), c.passed)).collect();
        assert_eq!(
            ids,
            vec![
                ("sl_days", false),
                ("asa_days", true),
                ("abandon_days", false),
                ("sl_period", false),
                ("asa_period", true),
                ("abandon_period", false),
                ("email_response", false)
            ]
        );
        assert!((e.score.unwrap() - 2.0 / 7.0).abs() < 1e-12);
        // The daily chart has both days and the target line.
        assert_eq!(e.charts[0].x, vec!["2026-01-05", "2026-01-06"]);
        assert_eq!(e.charts[0].series[0].values, vec![Some(0.5), Some(1.0)]);
        assert_eq!(e.charts[0].series[1].values, vec![Some(0.8), Some(0.8)]);
        // Day 1 misses SL and abandonment.
        assert_eq!(e.drilldowns[0].rows.len(), 1);
        assert_eq!(
            e.drilldowns[0].rows[0][4],
            json!("service_level, abandon_rate")
        );
    }

    #[test]
    fn kpi_targets_replace_pack_targets_and_no_email_drops_that_part() {
        let targets = TableBuilder::new()
            .strings("kpi", [Some("service_level"), Some("abandon_rate")])
            .floats("target", [Some(0.5), Some(30.0)])
            .strings("direction", [Some("min"), Some("max")])
            .strings("unit", [Some("ratio"), Some("percent")])
            .build();
        let host = TestHost::new()
            .table("contacts", contacts(&rows(false)))
            .table("kpi_targets", targets);
        let no_bounds = json!({"laxest_service_level": 0.0, "laxest_abandon_rate": 0.0});
        let e = host.run(&ServiceLevel, no_bounds);
        // SL target 0.5: days 0.5 and 1.0 both meet, period 0.667 meets; abandon target
        // 30 percent = 0.30: days 0.25 and 0 meet, period 0.1667 meets; ASA as before.
        // 6 checks, all pass.
        assert_eq!(e.checks.len(), 6);
        assert_eq!(e.score, Some(1.0));
        assert_eq!(e.status, Status::Met);
        assert!(
            e.observations
                .iter()
                .any(|o| o.contains("No e-mail contacts"))
        );
        let abandon = e
            .definitions
            .iter()
            .find(|d| d.term == "abandon_rate target")
            .unwrap();
        assert_eq!(
            abandon.text,
            "abandon_rate <= 0.3 from the centre's kpi_targets row 2; the centre's documented target (policy centre) (target_policy = centre)"
        );
        // With the default bounds (SL at least 0.80, abandonment at most 0.08) both centre
        // targets are laxer: the bounds are judged. SL days 0.5 miss, 1.0 meet: share 0.5 = floor,
        // credit 0; period 0.667 < 0.80 fails. Abandon days 0.25 miss, 0 meet: credit 0; period
        // 0.1667 > 0.08 fails. ASA checks pass. Score 2 / 6.
        let e = host.run(&ServiceLevel, json!({}));
        assert!((e.score.unwrap() - 2.0 / 6.0).abs() < 1e-12, "{e:?}");
        let laxer: Vec<&String> = e
            .observations
            .iter()
            .filter(|o| o.starts_with("Centre target laxer than the standard accepts"))
            .collect();
        assert_eq!(laxer.len(), 2, "{:?}", e.observations);
        assert_eq!(
            e.checks
                .iter()
                .find(|c| c.id == "sl_period")
                .unwrap()
                .expected,
            ">= 0.8 (the standard's bound `laxest_service_level`: the centre's kpi_targets row 1 sets 50.0%, laxer than the standard accepts)"
        );
    }

    #[test]
    fn only_self_service_is_not_applicable() {
        let only: Vec<Row<'static>> = vec![(
            "self_service",
            "2026-01-05T09:00:00",
            None,
            "2026-01-05T09:02:00",
            false,
            0.0,
        )];
        let e = TestHost::new()
            .table("contacts", contacts(&only))
            .run(&ServiceLevel, json!({}));
        assert_eq!(e.status, Status::NotApplicable);
    }

    #[test]
    fn sub_second_waits_and_responses_are_exact() {
        // Mon 2026-01-05. Voice: k1 waits 10:00:20.950 - 10:00:00.900 = 20.050 s (over T = 20 s);
        // k2 abandons after 11:00:05.900 - 11:00:00.001 = 5.899 s (not short, over 5 s).
        // E-mail: answered 24 h 0.5 s after arrival, over the 24 h limit.
        let rows: Vec<Row<'static>> = vec![
            (
                "voice",
                "2026-01-05T10:00:00.900",
                Some("2026-01-05T10:00:20.950"),
                "2026-01-05T10:05:00",
                false,
                200.0,
            ),
            (
                "voice",
                "2026-01-05T11:00:00.001",
                None,
                "2026-01-05T11:00:05.900",
                true,
                0.0,
            ),
            (
                "email",
                "2026-01-05T08:00:00",
                Some("2026-01-06T08:00:00.500"),
                "2026-01-06T08:10:00",
                false,
                300.0,
            ),
        ];
        let e = TestHost::new()
            .table("contacts", contacts(&rows))
            .run(&ServiceLevel, json!({}));
        // SL = answered within T / (offered - short abandons) = 0 / (2 - 0) = 0; ASA = 20.05 / 1.
        // (Whole seconds: 1 / (2 - 1) = 1, ASA 20, e-mail within 24 h.)
        assert_eq!(measurement(&e, "service_level"), Some(0.0));
        assert!((measurement(&e, "asa_seconds").unwrap() - 20.05).abs() < 1e-12);
        assert_eq!(measurement(&e, "email_share_within_limit"), Some(0.0));
        // The weekday x hour heatmap: Monday 10:00 (k1) 0 of 1; Monday 11:00 (k2) 0 of 1.
        let heatmap = e.charts.iter().find(|c| c.id == "sl_heatmap").unwrap();
        assert_eq!(heatmap.x, vec!["10:00", "11:00"]);
        assert_eq!(heatmap.series[0].values, vec![Some(0.0), Some(0.0)]);
    }
}

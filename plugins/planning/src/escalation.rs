//! GV1: critical incidents escalated to leadership within the time limit of
//! the escalation policy.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use cxaudit_plugin_sdk::DocumentNeed;
use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::table::{floor_seconds, seconds_between};
use serde::Deserialize;

use crate::common;

/// Evaluator `escalation`.
pub struct Escalation;

/// Parameters of [`Escalation`]: each doc comment is the manifest's
/// description.
#[derive(Debug, Deserialize, Params)]
pub struct EscalationParams {
    /// severities whose escalation is judged
    #[param(default = &["critical"])]
    pub severities: Vec<String>,
    /// share escalated within the limit for full credit
    #[param(default = 1.0, min = 0, max = 1)]
    pub target_share: f64,
    /// share at or below which no credit is given (linear in between)
    #[param(default = 0.8, min = 0, max = 1)]
    pub floor_share: f64,
}

const POLICY: &str = "escalation_policy";
/// The policy table's columns (canonical names).
const SEVERITY: &str = "severity";
const TIME_LIMIT: &str = "time_limit";

impl Evaluator for Escalation {
    type Params = EscalationParams;

    fn name(&self) -> &'static str {
        "escalation"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new(
            "Incidents of the judged severities detected in the period are escalated to \
             leadership within the time limit the escalation policy sets for their severity \
             (policy table with the columns severity and time_limit of the evidence schema).",
        )
        .table(
            TableNeed::required("incidents")
                .column("incident_id", ColumnType::String)
                .column("severity", ColumnType::String)
                .column("detected_at", ColumnType::Timestamp)
                .column("escalated_at", ColumnType::Timestamp),
        )
        .document_need(DocumentNeed::required(POLICY).columns(&[SEVERITY, TIME_LIMIT]))
        .params::<EscalationParams>()
        .measurement(
            "escalated_within_limit_share",
            "ratio",
            "incidents escalated within the policy limit / incidents of the judged severities detected in the period",
        )
        .measurement("incidents_judged", "incidents", "incidents of the judged severities detected in the period")
        .measurement("never_escalated", "incidents", "judged incidents without escalated_at")
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &EscalationParams) -> Result<Evaluation, EvalError> {
        let doc = ctx.document(POLICY)?.parse()?;
        let limits = policy_limits(&doc);
        let columns = format!(
            "{} / {}",
            doc.column_names(SEVERITY).label(),
            doc.column_names(TIME_LIMIT).label()
        );
        let tz = ctx.time_zone()?;
        let period = ctx.period_dates()?;
        let table = ctx.table("incidents")?;
        let read = read_incidents(&table, &p.severities, period, tz)?;
        if read.incidents.is_empty() {
            return Err(EvalError::NotApplicable(format!(
                "no incident of severity {} detected in the period {} to {}",
                p.severities.join(", "),
                period.0,
                period.1
            )));
        }
        let judged = judge(&read.incidents, &limits);
        Ok(evaluation(
            &judged,
            &limits,
            &read,
            p,
            (&doc.path, &columns),
            tz,
        ))
    }
}

/// Time limit in seconds per severity (as [`severity_key`]), from every
/// table of the policy with a severity and a time-limit column (found by
/// the document's words); the first row of a severity counts.
pub fn policy_limits(doc: &ParsedDocument) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for table in doc.tables_with(&[SEVERITY, TIME_LIMIT]) {
        for row in &table.rows {
            let severity = doc.cell(table, row, SEVERITY).map(severity_key);
            let limit = doc
                .cell(table, row, TIME_LIMIT)
                .and_then(common::parse_duration_seconds);
            if let (Some(s), Some(l)) = (severity, limit) {
                out.entry(s).or_insert(l);
            }
        }
    }
    out
}

/// A severity as compared: trimmed, lower-case (Unicode).
fn severity_key(severity: &str) -> String {
    severity.trim().to_lowercase()
}

/// One incident of a judged severity.
struct Incident {
    id: String,
    severity: String,
    /// UTC milliseconds.
    detected_at_ms: i64,
    /// UTC milliseconds.
    escalated_at_ms: Option<i64>,
}

/// The judged incidents and what was skipped.
struct ReadIncidents {
    incidents: Vec<Incident>,
    no_detection_time: usize,
}

fn read_incidents(
    table: &Table,
    severities: &[String],
    period: (NaiveDate, NaiveDate),
    tz: Tz,
) -> Result<ReadIncidents, EvalError> {
    let wanted: Vec<String> = severities.iter().map(|s| severity_key(s)).collect();
    let mut out = ReadIncidents {
        incidents: Vec::new(),
        no_detection_time: 0,
    };
    let rows = table
        .strs("incident_id")?
        .zip(table.strs("severity")?)
        .zip(table.timestamps_ms("detected_at")?)
        .zip(table.timestamps_ms("escalated_at")?);
    for (i, (((id, severity), detected), escalated)) in rows.enumerate() {
        let severity = severity_key(severity.unwrap_or(""));
        if !wanted.contains(&severity) {
            continue;
        }
        let Some(detected_at_ms) = detected else {
            out.no_detection_time += 1;
            continue;
        };
        let in_period = common::local_date(floor_seconds(detected_at_ms), tz)
            .is_some_and(|d| d >= period.0 && d <= period.1);
        if !in_period {
            continue;
        }
        out.incidents.push(Incident {
            id: id.map_or_else(|| format!("row {}", i + 2), str::to_owned),
            severity,
            detected_at_ms,
            escalated_at_ms: escalated,
        });
    }
    Ok(out)
}

/// An incident judged against its limit.
struct Judged<'a> {
    incident: &'a Incident,
    limit: Option<f64>,
    delay: Option<f64>,
    on_time: bool,
}

fn judge<'a>(incidents: &'a [Incident], limits: &BTreeMap<String, f64>) -> Vec<Judged<'a>> {
    incidents
        .iter()
        .map(|i| {
            let limit = limits.get(&i.severity).copied();
            let delay = i
                .escalated_at_ms
                .map(|e| seconds_between(i.detected_at_ms, e).max(0.0));
            let on_time = matches!((limit, delay), (Some(l), Some(d)) if d <= l);
            Judged {
                incident: i,
                limit,
                delay,
                on_time,
            }
        })
        .collect()
}

fn evaluation(
    judged: &[Judged<'_>],
    limits: &BTreeMap<String, f64>,
    read: &ReadIncidents,
    p: &EscalationParams,
    (policy_path, columns): (&str, &str),
    tz: Tz,
) -> Evaluation {
    let total = judged.len();
    let on_time = judged.iter().filter(|j| j.on_time).count();
    let never = judged.iter().filter(|j| j.delay.is_none()).count();
    let share = on_time as f64 / total as f64;
    let missing_limits: Vec<String> = p
        .severities
        .iter()
        .map(|s| severity_key(s))
        .filter(|s| !limits.contains_key(s))
        .collect();

    let limits_check = Check::new(
        "policy_time_limits",
        "The escalation policy sets a time limit for every judged severity",
        if missing_limits.is_empty() {
            "all set".to_owned()
        } else {
            format!("no limit for {}", missing_limits.join(", "))
        },
        format!("a {columns} row for each"),
        missing_limits.is_empty(),
    );
    let share_check = Check::new(
        "escalated_within_limit",
        "Share of judged incidents escalated within the policy limit",
        common::round(share, 4),
        format!(">= {}", p.target_share),
        share >= p.target_share,
    );
    let mut e = Evaluation::from_checks(vec![limits_check, share_check]);
    let score = if missing_limits.is_empty() {
        graded(share, p.floor_share, p.target_share, true)
    } else {
        0.0
    };
    e.score = Some(score);
    e.status = status_for_score(score);
    e.summary = format!(
        "{on_time} of {total} {} incidents ({}) escalated within the policy limit{}; {never} never escalated (target {}, floor {}).",
        p.severities.join("/"),
        common::pct(share),
        limits_label(limits, &p.severities),
        common::pct(p.target_share),
        common::pct(p.floor_share)
    );
    e.measure("escalated_within_limit_share", Some(share));
    e.measure("incidents_judged", Some(total as f64));
    e.measure("never_escalated", Some(never as f64));
    e.definitions = vec![
        Definition::new(
            "Escalated within the limit",
            &format!(
                "escalated_at - detected_at <= the time limit of the incident's severity in {policy_path}; an incident never escalated (no escalated_at) is late. Incidents are those detected in the period (local date)."
            ),
        ),
        Definition::new(
            "Score",
            &format!(
                "Linear from 0 at a share of {} to 1 at {}; 0 when the policy sets no limit for a judged severity.",
                p.floor_share, p.target_share
            ),
        ),
    ];
    if read.no_detection_time > 0 {
        e.observations.push(format!(
            "{} incident(s) of a judged severity have no detected_at and were not judged.",
            read.no_detection_time
        ));
    }
    let early = judged
        .iter()
        .filter(|j| {
            j.incident
                .escalated_at_ms
                .is_some_and(|x| x < j.incident.detected_at_ms)
        })
        .count();
    if early > 0 {
        e.observations.push(format!(
            "{early} incident(s) were escalated before their detection time (clock or data error); counted with a delay of 0."
        ));
    }
    let late: Vec<&Judged<'_>> = judged.iter().filter(|j| !j.on_time).collect();
    e.drilldowns.push(late_drilldown(&late, tz));
    e.charts.push(delay_chart(judged));
    if !late.is_empty() || !missing_limits.is_empty() {
        e.actions = actions(&late, &missing_limits, columns);
    }
    e
}

fn limits_label(limits: &BTreeMap<String, f64>, severities: &[String]) -> String {
    let parts: Vec<String> = severities
        .iter()
        .filter_map(|s| {
            let key = severity_key(s);
            limits
                .get(&key)
                .map(|l| format!("{key} {}", common::duration_label(*l)))
        })
        .collect();
    if parts.is_empty() {
        " (no limit in the policy)".to_owned()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

fn late_drilldown(late: &[&Judged<'_>], tz: Tz) -> Drilldown {
    Drilldown {
        id: "late_escalations".into(),
        title: "Incidents escalated late or never".into(),
        columns: vec![
            "incident".into(),
            "severity".into(),
            "detected (local)".into(),
            "escalated (local)".into(),
            "delay (minutes)".into(),
            "limit (minutes)".into(),
            "over by (minutes)".into(),
        ],
        rows: late
            .iter()
            .map(|j| {
                let i = j.incident;
                let minutes = |s: Option<f64>| s.map(|s| common::round(s / 60.0, 1));
                let over = match (j.delay, j.limit) {
                    (Some(d), Some(l)) => Some(d - l),
                    _ => None,
                };
                vec![
                    i.id.clone().into(),
                    i.severity.clone().into(),
                    common::local_time_label(floor_seconds(i.detected_at_ms), tz).into(),
                    i.escalated_at_ms
                        .map_or_else(
                            || "never".to_owned(),
                            |x| common::local_time_label(floor_seconds(x), tz),
                        )
                        .into(),
                    minutes(j.delay).into(),
                    minutes(j.limit).into(),
                    minutes(over).into(),
                ]
            })
            .collect(),
        units: Vec::new(),
    }
}

fn delay_chart(judged: &[Judged<'_>]) -> Chart {
    Chart {
        id: "escalation_delay".into(),
        title: "Escalation delay per incident against the limit".into(),
        kind: ChartKind::Bar,
        x: judged.iter().map(|j| j.incident.id.clone()).collect(),
        y: Vec::new(),
        unit: "minutes".into(),
        series: vec![
            Series {
                name: "delay".into(),
                values: judged
                    .iter()
                    .map(|j| j.delay.map(|d| common::round(d / 60.0, 1)))
                    .collect(),
            },
            Series {
                name: "limit".into(),
                values: judged
                    .iter()
                    .map(|j| j.limit.map(|l| common::round(l / 60.0, 1)))
                    .collect(),
            },
        ],
    }
}

fn actions(late: &[&Judged<'_>], missing_limits: &[String], columns: &str) -> Vec<Action> {
    let mut out = Vec::new();
    if !missing_limits.is_empty() {
        out.push(Action::new(format!(
                "Set an escalation time limit for severity {} in the escalation policy ({columns} table).",
                missing_limits.join(", ")
            ), Effort::Low, OwnerRole::Process));
    }
    if !late.is_empty() {
        let listed = common::first_of(late, 10, |j| match j.delay {
            Some(d) => format!("{} after {}", j.incident.id, common::duration_label(d)),
            None => format!("{} never", j.incident.id),
        });
        out.push(Action::new(format!(
                "Escalate every judged incident within the policy limit: {} were late or never escalated ({listed}). Page the leadership on-call automatically at detection and review each miss.",
                late.len()
            ), Effort::Low, OwnerRole::Process));
    }
    out
}

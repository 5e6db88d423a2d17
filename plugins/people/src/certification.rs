//! PE2: every agent certified before handling a first live contact.

use std::collections::BTreeMap;

use cxaudit_metrics::hash::{FxMap, StrMap};

use chrono::NaiveDate;
use chrono_tz::Tz;
use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::time::LocalDates;
use serde::Deserialize;
use serde_json::json;

use crate::attrition::{Spell, load_spells};
use crate::common::*;

/// PE2 evaluator `certification`.
pub struct Certification;

/// Parameters of [`Certification`]: each doc comment is the manifest's
/// description.
#[derive(Debug, Deserialize, Params)]
pub struct CertificationParams {
    /// share of agents certified before their first live contact for full credit
    #[param(default = 1.0, min = 0, max = 1)]
    pub target_share: f64,
    /// share of compliant agents earning no credit
    #[param(default = 0.8, min = 0, max = 1)]
    pub floor_share: f64,
    /// breach contacts listed in the drill-down
    #[param(default = 50, min = 0, max = 10_000)]
    pub max_listed_contacts: usize,
}

/// A live (handled) contact of an agent.
struct LiveContact<'a> {
    /// Its row in the contacts table.
    row: u32,
    contact_id: &'a str,
    agent_id: &'a str,
    queue: &'a str,
    arrived_at: i64,
    local_day: NaiveDate,
}

/// What the join of contacts to spells found for one agent.
#[derive(Default)]
struct AgentRecord<'a> {
    contacts: usize,
    before_certification: usize,
    first_contact: Option<i64>,
    certified_on: Option<NaiveDate>,
    team: &'a str,
}

/// Reads handled contacts with an agent, arriving in the period.
fn live_contacts(
    t: &Table,
    tz: Tz,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<Vec<LiveContact<'_>>, EvalError> {
    // One row at a time, every column advanced together.
    let mut ids = t.strs("contact_id")?;
    let mut agents = t.strs("agent_id")?;
    let mut arrived = t.timestamps("arrived_at")?;
    let mut abandoned = t.bools("abandoned")?;
    let mut channels = t.strs("channel")?;
    let mut queues = optional_cells(t, "queue", |c| t.strs(c))?;
    let mut dates = LocalDates::new(tz);
    let mut out = Vec::new();
    for (row, answered) in t.timestamps("answered_at")?.enumerate() {
        let (id, agent) = (ids.next().flatten(), agents.next().flatten());
        let arrived_at = arrived.next().flatten();
        let (abandoned, channel) = (abandoned.next().flatten(), channels.next().flatten());
        let queue = queues.next().flatten();
        let handled =
            abandoned != Some(true) && answered.is_some() && channel != Some("self_service");
        // The agent handles the contact when it is answered (an e-mail may
        // arrive days before): that moment is what certification is judged on.
        let (true, Some(agent), Some(arr)) = (
            handled,
            agent.filter(|a| !a.is_empty()),
            answered.or(arrived_at),
        ) else {
            continue;
        };
        let Some(day) = dates.date(arr).filter(|d| *d >= start && *d <= end) else {
            continue;
        };
        let row = u32::try_from(row)
            .map_err(|_| EvalError::Failed(format!("contacts: more than {} rows", u32::MAX)))?;
        out.push(LiveContact {
            row,
            contact_id: id.unwrap_or(""),
            agent_id: agent,
            queue: queue.unwrap_or(""),
            arrived_at: arr,
            local_day: day,
        });
    }
    Ok(out)
}

/// The positions of `contacts` (in table order) in order of arrival, then
/// contact id, then row. What is sorted is a position and its arrival (16
/// bytes), not the contacts themselves (72 bytes each, a million of them):
/// an unstable sort of unique keys, so it needs no scratch copy.
fn arrival_order(contacts: &[LiveContact<'_>]) -> impl Iterator<Item = u32> + use<> {
    let mut order: Vec<(i64, u32)> = (0..)
        .zip(contacts)
        .map(|(i, c)| (c.arrived_at, i))
        .collect();
    order.sort_unstable_by(|a, b| {
        let (x, y) = (&contacts[a.1 as usize], &contacts[b.1 as usize]);
        a.0.cmp(&b.0)
            .then_with(|| x.contact_id.cmp(y.contact_id))
            .then_with(|| x.row.cmp(&y.row))
    });
    order.into_iter().map(|(_, i)| i)
}

/// The employment spells (with their certification dates) of each agent,
/// in the agents table's order.
fn spells_by_agent(
    spells: &[(Spell, Option<NaiveDate>)],
) -> FxMap<&str, Vec<&(Spell, Option<NaiveDate>)>> {
    let mut by_agent: FxMap<&str, Vec<_>> = FxMap::default();
    for s in spells {
        by_agent.entry(s.0.agent_id.as_str()).or_default().push(s);
    }
    by_agent
}

/// The first spell of `agent` covering `day`, with its certification date.
fn covering<'a>(
    by_agent: &FxMap<&str, Vec<&'a (Spell, Option<NaiveDate>)>>,
    agent: &str,
    day: NaiveDate,
) -> Option<&'a (Spell, Option<NaiveDate>)> {
    by_agent
        .get(agent)?
        .iter()
        .find(|(s, _)| s.covers(day, false))
        .copied()
}

impl Evaluator for Certification {
    type Params = CertificationParams;

    fn name(&self) -> &'static str {
        "certification"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new(
            "Every agent is certified before handling a first live contact: handled contacts are joined to the \
             employment spell covering their arrival and compared with that spell's certification date.",
        )
        .table(
            TableNeed::required("agents")
                .column("agent_id", ColumnType::String)
                .column("hired_on", ColumnType::Date)
                .column("certified_on", ColumnType::Date)
                .column("exited_on", ColumnType::Date)
                .optional_column("team", ColumnType::String),
        )
        .table(
            TableNeed::required("contacts")
                .column("contact_id", ColumnType::String)
                .column("agent_id", ColumnType::String)
                .column("channel", ColumnType::String)
                .column("arrived_at", ColumnType::Timestamp)
                .column("answered_at", ColumnType::Timestamp)
                .column("abandoned", ColumnType::Bool)
                .optional_column("queue", ColumnType::String),
        )
        .params::<CertificationParams>()
        .measurement("certified_before_live_share", "ratio", "agents with no handled contact before certification / agents who handled contacts in the period")
        .measurement("agents_in_breach", "agents", "agents who handled a contact before certified_on (or without one)")
        .measurement("contacts_before_certification", "contacts", "handled contacts arriving before the agent's certification date")
        .measurement("contacts_outside_employment", "contacts", "handled contacts whose agent has no employment spell covering the arrival day")
    }

    fn evaluate(
        &self,
        ctx: &Context<'_>,
        p: &CertificationParams,
    ) -> Result<Evaluation, EvalError> {
        let tz = ctx.time_zone()?;
        let (start, end) = ctx.period_dates()?;
        let agents = ctx.table("agents")?;
        let (spells, skipped) = load_spells(&agents)?;
        let certified = certification_dates(&agents)?;
        let spells: Vec<(Spell, Option<NaiveDate>)> = spells.into_iter().zip(certified).collect();
        let contacts_table = ctx.table("contacts")?;
        let contacts = live_contacts(&contacts_table, tz, start, end)?;
        let by_agent = spells_by_agent(&spells);
        if contacts.is_empty() {
            return Err(EvalError::MissingEvidence(
                "no handled contact with an agent in the period".into(),
            ));
        }
        // Looked up per contact (by address, then by hash); sorted by agent once, below.
        let mut records: StrMap<'_, AgentRecord> = StrMap::default();
        let mut breaches: Vec<(&LiveContact, Option<NaiveDate>)> = Vec::new();
        let mut anomalies: Vec<&LiveContact> = Vec::new();
        for c in arrival_order(&contacts).map(|i| &contacts[i as usize]) {
            let Some((spell, cert)) = covering(&by_agent, c.agent_id, c.local_day) else {
                anomalies.push(c);
                continue;
            };
            let r = records.entry(c.agent_id);
            r.contacts += 1;
            r.team = &spell.team;
            if r.first_contact.is_none() {
                r.first_contact = Some(c.arrived_at);
                r.certified_on = *cert;
            }
            if cert.is_none_or(|d| c.local_day < d) {
                r.before_certification += 1;
                if r.before_certification == 1 {
                    r.certified_on = *cert;
                }
                breaches.push((c, *cert));
            }
        }
        if records.is_empty() {
            return Err(EvalError::MissingEvidence(format!(
                "none of the {} handled contacts falls in an employment spell of its agent",
                contacts.len()
            )));
        }
        let records: BTreeMap<&str, AgentRecord> = records.into_entries().into_iter().collect();
        let in_breach: Vec<(&str, &AgentRecord)> = records
            .iter()
            .filter(|(_, r)| r.before_certification > 0)
            .map(|(a, r)| (*a, r))
            .collect();
        let agents_total = records.len();
        let compliant = agents_total - in_breach.len();
        let share = compliant as f64 / agents_total as f64;
        let credit = graded(share, p.floor_share, p.target_share, true);
        let check = Check::new(
            "certified_before_first_live_contact",
            "Share of agents certified before their first live contact",
            round(share, 6),
            format!(">= {} (no credit at <= {})", p.target_share, p.floor_share),
            false,
        );
        let summary = format!(
            "{compliant} of {agents_total} agents who handled contacts were certified before their first live contact ({}); {} agents in breach with {} contacts handled before certification; {} contacts outside any employment spell.",
            pct(share),
            in_breach.len(),
            breaches.len(),
            anomalies.len()
        );
        let mut e = evaluation_from_credits(vec![Credited::graded(check, credit)], summary);
        e.measure("certified_before_live_share", Some(share));
        e.measurements.extend([
            Measurement::new(
                "agents_in_breach",
                Some(in_breach.len() as f64),
                "agents",
                "agents who handled a contact before certified_on, or with certified_on empty",
            ),
            Measurement::new(
                "contacts_before_certification",
                Some(breaches.len() as f64),
                "contacts",
                "handled contacts arriving (local day) before the certification date of the covering spell",
            ),
        ]);
        e.measure("contacts_outside_employment", Some(anomalies.len() as f64));
        e.definitions = vec![
            Definition::new(
                "live contact",
                "a handled contact: not abandoned, answered_at present, channel other than self_service, with an agent_id, answered in the period; judged at the moment it was answered",
            ),
            Definition::new(
                "breach",
                "a live contact whose local arrival day is before certified_on of the employment spell covering it (a contact on the certification day is compliant), or whose spell has no certified_on",
            ),
            Definition::new(
                "employment spell",
                "one roster row: hired_on to exited_on inclusive; a rehire is a new spell with its own certification",
            ),
        ];
        let mut obs = Vec::new();
        if skipped > 0 {
            obs.push(format!(
                "{skipped} roster rows without agent_id or hired_on were skipped."
            ));
        }
        if !anomalies.is_empty() {
            let mut ids: Vec<&str> = anomalies.iter().map(|c| c.agent_id).collect();
            ids.dedup();
            ids.sort();
            ids.dedup();
            obs.push(format!(
                "Data anomaly: {} handled contacts by agents outside any employment spell ({}); they are listed, not judged.",
                anomalies.len(),
                ids.join(", ")
            ));
        }
        e.observations = obs;
        e.drilldowns = vec![
            Drilldown {
                id: "agents_in_breach".into(),
                title: "Agents who handled live contacts before certification".into(),
                columns: [
                    "agent_id",
                    "team",
                    "first_live_contact",
                    "certified_on",
                    "contacts_before_certification",
                    "contacts_in_period",
                ]
                .map(String::from)
                .to_vec(),
                rows: in_breach
                    .iter()
                    .map(|(a, r)| {
                        vec![
                            json!(a),
                            json!(r.team),
                            json!(r.first_contact.map(|t| local_time_label(t, tz))),
                            json!(
                                r.certified_on
                                    .map(|d| d.to_string())
                                    .unwrap_or_else(|| "not certified".into())
                            ),
                            json!(r.before_certification),
                            json!(r.contacts),
                        ]
                    })
                    .collect(),
                units: Vec::new(),
            },
            Drilldown {
                id: "contacts_before_certification".into(),
                title: format!(
                    "Contacts handled before certification (first {})",
                    p.max_listed_contacts
                ),
                columns: [
                    "contact_id",
                    "agent_id",
                    "queue",
                    "handled_at",
                    "certified_on",
                ]
                .map(String::from)
                .to_vec(),
                rows: breaches
                    .iter()
                    .take(p.max_listed_contacts)
                    .map(|(c, cert)| {
                        vec![
                            json!(c.contact_id),
                            json!(c.agent_id),
                            json!(c.queue),
                            json!(local_time_label(c.arrived_at, tz)),
                            json!(
                                cert.map(|d| d.to_string())
                                    .unwrap_or_else(|| "not certified".into())
                            ),
                        ]
                    })
                    .collect(),
                units: Vec::new(),
            },
            Drilldown {
                id: "contacts_outside_employment".into(),
                title: format!(
                    "Data anomalies: contacts by agents outside any employment spell (first {})",
                    p.max_listed_contacts
                ),
                columns: ["contact_id", "agent_id", "queue", "handled_at", "reason"]
                    .map(String::from)
                    .to_vec(),
                rows: anomalies
                    .iter()
                    .take(p.max_listed_contacts)
                    .map(|c| {
                        let on_roster = spells.iter().any(|(s, _)| s.agent_id == c.agent_id);
                        vec![
                            json!(c.contact_id),
                            json!(c.agent_id),
                            json!(c.queue),
                            json!(local_time_label(c.arrived_at, tz)),
                            json!(if on_roster {
                                "no employment spell covers the arrival day"
                            } else {
                                "agent not on the roster"
                            }),
                        ]
                    })
                    .collect(),
                units: Vec::new(),
            },
        ];
        e.actions = certification_actions(&in_breach, breaches.len(), &anomalies);
        Ok(e)
    }
}

fn certification_dates(t: &Table) -> Result<Vec<Option<NaiveDate>>, EvalError> {
    let ids: Vec<Option<&str>> = t.strs("agent_id")?.collect();
    let hired: Vec<Option<i32>> = t.dates("hired_on")?.collect();
    let cert: Vec<Option<i32>> = t.dates("certified_on")?.collect();
    // Same row filter as `load_spells`, so the vectors stay aligned.
    Ok((0..ids.len())
        .filter(|&i| ids[i].is_some_and(|s| !s.is_empty()) && to_date(hired[i]).is_some())
        .map(|i| to_date(cert[i]))
        .collect())
}

fn certification_actions(
    in_breach: &[(&str, &AgentRecord)],
    breach_contacts: usize,
    anomalies: &[&LiveContact],
) -> Vec<Action> {
    let mut out = Vec::new();
    if !in_breach.is_empty() {
        let named = first_of(in_breach, 10, |(a, r)| {
            format!("{a} ({} contacts)", r.before_certification)
        });
        out.push(Action::new(
            format!(
                "Certify or withdraw from live queues agents {named}: {breach_contacts} contacts were handled before certification."
            ),
            Effort::Low,
            OwnerRole::People,
        ));
        out.push(Action::new(
            "Make certification a routing prerequisite: the ACD assigns live queues only to agents with a certification date."
                .to_owned(),
            Effort::Medium,
            OwnerRole::Technology,
        ));
    }
    if !anomalies.is_empty() {
        out.push(Action::new(
            format!("Reconcile the roster with the ACD: {} handled contacts belong to agents outside any employment spell.", anomalies.len()),
            Effort::Low,
            OwnerRole::Process,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_are_taken_by_arrival_then_contact_id_then_row() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let contact = |row: u32, contact_id: &'static str, arrived_at: i64| LiveContact {
            row,
            contact_id,
            agent_id: "a1",
            queue: "billing",
            arrived_at,
            local_day: day,
        };
        // Rows 0..5 in table order: arrivals 30, 10, 10, 10, 20; at 10 the ids
        // are `b`, `a`, `a` (two rows of one id: by row).
        let contacts = [
            contact(0, "z", 30),
            contact(1, "b", 10),
            contact(2, "a", 10),
            contact(3, "a", 10),
            contact(4, "c", 20),
        ];
        assert_eq!(
            arrival_order(&contacts).collect::<Vec<_>>(),
            [2, 3, 1, 4, 0]
        );
    }
}

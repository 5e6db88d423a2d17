//! PE2: every agent certified before handling a first live contact.

use std::collections::{BTreeMap, BTreeSet};

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
#[derive(Clone, Copy)]
struct LiveContact<'a> {
    /// Its row in the contacts table.
    row: u32,
    contact_id: &'a str,
    agent_id: &'a str,
    queue: &'a str,
    arrived_at: i64,
    local_day: NaiveDate,
}

/// A live contact's place in the order contacts are taken: the moment it
/// was handled, then its contact id, then its row (so no two are equal).
type Order<'a> = (i64, &'a str, u32);

impl<'a> LiveContact<'a> {
    /// Its place in the order contacts are taken.
    fn order(&self) -> Order<'a> {
        (self.arrived_at, self.contact_id, self.row)
    }
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

/// A spell of an agent with its certification date.
type CertifiedSpell = (Spell, Option<NaiveDate>);

/// One agent's live contacts as the pass over them in table order finds
/// them: its record, and the contacts that decide the record's dates and
/// team whatever order they come in.
#[derive(Default)]
struct AgentWork<'a> {
    /// The agent's spells, once looked up.
    spells: Option<&'a [&'a CertifiedSpell]>,
    /// The join's outcome (no contacts: no spell covers any, the agent is
    /// not judged).
    record: AgentRecord<'a>,
    /// The first contact in a spell, with that spell's certification date.
    first: Option<(Order<'a>, Option<NaiveDate>)>,
    /// The first contact before certification, with its certification date.
    first_breach: Option<(Order<'a>, Option<NaiveDate>)>,
    /// The last contact in a spell, with that spell's team.
    last: Option<(Order<'a>, &'a str)>,
}

impl<'a> AgentWork<'a> {
    /// Counts a contact of the agent in `spell` (certified on `cert`).
    fn add(&mut self, c: &LiveContact<'a>, spell: &'a Spell, cert: Option<NaiveDate>) {
        let at = c.order();
        self.record.contacts += 1;
        if self.first.is_none_or(|(first, _)| at < first) {
            self.first = Some((at, cert));
        }
        if self.last.is_none_or(|(last, _)| at > last) {
            self.last = Some((at, &spell.team));
        }
        if cert.is_none_or(|d| c.local_day < d) {
            self.record.before_certification += 1;
            if self.first_breach.is_none_or(|(first, _)| at < first) {
                self.first_breach = Some((at, cert));
            }
        }
    }

    /// The record, with the dates and team of the contacts taken in order:
    /// the first contact's arrival; the certification date of the first
    /// breach, else of the first contact; the team of the last contact's
    /// spell.
    fn into_record(self) -> AgentRecord<'a> {
        let mut record = self.record;
        record.first_contact = self.first.map(|((at, _, _), _)| at);
        record.certified_on = self.first_breach.or(self.first).and_then(|(_, cert)| cert);
        record.team = self.last.map_or("", |(_, team)| team);
        record
    }
}

/// The first `limit` of the items offered, in the order of their keys,
/// held in bounded memory: the candidates are cut back to `limit` each time
/// they reach twice as many (a drill-down lists the first 50 of a million
/// contacts without sorting them all).
struct Earliest<K, T> {
    limit: usize,
    kept: Vec<(K, T)>,
}

impl<K: Ord + Copy, T> Earliest<K, T> {
    /// None kept yet.
    fn new(limit: usize) -> Self {
        Earliest {
            limit,
            kept: Vec::new(),
        }
    }

    /// Offers `item` at `key` (keys are distinct).
    fn offer(&mut self, key: K, item: T) {
        if self.limit == 0 {
            return;
        }
        self.kept.push((key, item));
        if self.kept.len() >= 2 * self.limit {
            self.kept
                .select_nth_unstable_by(self.limit - 1, |a, b| a.0.cmp(&b.0));
            self.kept.truncate(self.limit);
        }
    }

    /// The first `limit` items offered, in key order.
    fn into_sorted(mut self) -> Vec<T> {
        self.kept.sort_unstable_by_key(|a| a.0);
        self.kept.truncate(self.limit);
        self.kept.into_iter().map(|(_, item)| item).collect()
    }
}

/// Calls `take` with each handled contact with an agent answered in the
/// period, in table order; returns how many there were.
fn each_live_contact<'t>(
    t: &'t Table,
    tz: Tz,
    start: NaiveDate,
    end: NaiveDate,
    mut take: impl FnMut(LiveContact<'t>),
) -> Result<usize, EvalError> {
    // One row at a time, every column advanced together.
    let mut ids = t.strs("contact_id")?;
    let mut agents = t.strs("agent_id")?;
    let mut arrived = t.timestamps("arrived_at")?;
    let mut abandoned = t.bools("abandoned")?;
    let mut channels = t.strs("channel")?;
    let mut queues = optional_cells(t, "queue", |c| t.strs(c))?;
    let mut dates = LocalDates::new(tz);
    let mut live = 0;
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
        live += 1;
        take(LiveContact {
            row,
            contact_id: id.unwrap_or(""),
            agent_id: agent,
            queue: queue.unwrap_or(""),
            arrived_at: arr,
            local_day: day,
        });
    }
    Ok(live)
}

/// The employment spells (with their certification dates) of each agent,
/// in the agents table's order.
fn spells_by_agent(spells: &[CertifiedSpell]) -> FxMap<&str, Vec<&CertifiedSpell>> {
    let mut by_agent: FxMap<&str, Vec<_>> = FxMap::default();
    for s in spells {
        by_agent.entry(s.0.agent_id.as_str()).or_default().push(s);
    }
    by_agent
}

/// The first of an agent's `spells` covering `day`, with its certification date.
fn covering<'a>(spells: &[&'a CertifiedSpell], day: NaiveDate) -> Option<&'a CertifiedSpell> {
    spells.iter().find(|(s, _)| s.covers(day, false)).copied()
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
        let spells: Vec<CertifiedSpell> = spells.into_iter().zip(certified).collect();
        let contacts_table = ctx.table("contacts")?;
        let by_agent = spells_by_agent(&spells);
        // One pass in table order: each agent's record is what taking its
        // contacts in order (of the moment each was handled) gives, and only
        // the contacts the drill-downs list are kept and sorted.
        let mut agents: StrMap<'_, AgentWork> = StrMap::default();
        let mut breaches = Earliest::new(p.max_listed_contacts);
        let mut breach_count = 0usize;
        let mut anomalies = Earliest::new(p.max_listed_contacts);
        let mut anomaly_agents: BTreeSet<&str> = BTreeSet::new();
        let mut anomaly_count = 0usize;
        let live = each_live_contact(&contacts_table, tz, start, end, |c| {
            let work = agents.entry(c.agent_id);
            let spells = *work
                .spells
                .get_or_insert_with(|| by_agent.get(c.agent_id).map_or(&[], Vec::as_slice));
            let Some((spell, cert)) = covering(spells, c.local_day) else {
                anomaly_count += 1;
                anomaly_agents.insert(c.agent_id);
                anomalies.offer(c.order(), c);
                return;
            };
            let breached = work.record.before_certification;
            work.add(&c, spell, *cert);
            if work.record.before_certification > breached {
                breach_count += 1;
                breaches.offer(c.order(), (c, *cert));
            }
        })?;
        if live == 0 {
            return Err(EvalError::MissingEvidence(
                "no handled contact with an agent in the period".into(),
            ));
        }
        let records: Vec<(&str, AgentRecord)> = agents
            .into_entries()
            .into_iter()
            .filter(|(_, work)| work.record.contacts > 0)
            .map(|(agent, work)| (agent, work.into_record()))
            .collect();
        if records.is_empty() {
            return Err(EvalError::MissingEvidence(format!(
                "none of the {live} handled contacts falls in an employment spell of its agent"
            )));
        }
        let (breaches, anomalies) = (breaches.into_sorted(), anomalies.into_sorted());
        let records: BTreeMap<&str, AgentRecord> = records.into_iter().collect();
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
            breach_count,
            anomaly_count
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
                Some(breach_count as f64),
                "contacts",
                "handled contacts arriving (local day) before the certification date of the covering spell",
            ),
        ]);
        e.measure("contacts_outside_employment", Some(anomaly_count as f64));
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
        if anomaly_count > 0 {
            let ids: Vec<&str> = anomaly_agents.into_iter().collect();
            obs.push(format!(
                "Data anomaly: {anomaly_count} handled contacts by agents outside any employment spell ({}); they are listed, not judged.",
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
        e.actions = certification_actions(&in_breach, breach_count, anomaly_count);
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
    anomalies: usize,
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
    if anomalies > 0 {
        out.push(Action::new(
            format!("Reconcile the roster with the ACD: {anomalies} handled contacts belong to agents outside any employment spell."),
            Effort::Low,
            OwnerRole::Process,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, d).unwrap()
    }

    fn contact(row: u32, contact_id: &'static str, arrived_at: i64) -> LiveContact<'static> {
        LiveContact {
            row,
            contact_id,
            agent_id: "a1",
            queue: "billing",
            arrived_at,
            local_day: day(5),
        }
    }

    #[test]
    fn contacts_are_taken_by_arrival_then_contact_id_then_row() {
        // Rows 0..5 in table order: arrivals 30, 10, 10, 10, 20; at 10 the ids
        // are `b`, `a`, `a` (two rows of one id: by row).
        let contacts = [
            contact(0, "z", 30),
            contact(1, "b", 10),
            contact(2, "a", 10),
            contact(3, "a", 10),
            contact(4, "c", 20),
        ];
        // A limit of 2: the candidates are cut back at the fourth offer.
        let mut first = Earliest::new(2);
        for c in contacts {
            first.offer(c.order(), c.row);
        }
        assert_eq!(first.into_sorted(), [2, 3]);
    }

    #[test]
    fn an_agents_dates_and_team_are_those_of_its_contacts_in_order() {
        let spell = |team: &str| Spell {
            agent_id: "a1".into(),
            team: team.into(),
            hired: day(1),
            exited: None,
            exit_type: None,
        };
        let (early, late) = (spell("day shift"), spell("night shift"));
        // Offered out of order: rows 0, 1, 2 handled at 30, 10, 20. The
        // contact at 10 is in a spell certified on the 1st (fine); those at 20
        // and 30 in one certified on the 9th, after their day (the 5th).
        let mut work = AgentWork::default();
        work.add(&contact(0, "c0", 30), &late, Some(day(9)));
        work.add(&contact(1, "c1", 10), &early, Some(day(1)));
        work.add(&contact(2, "c2", 20), &early, Some(day(9)));
        let record = work.into_record();
        assert_eq!(record.contacts, 3);
        assert_eq!(record.before_certification, 2);
        assert_eq!(record.first_contact, Some(10));
        // The first breach's date (the contact at 20), not the first contact's.
        assert_eq!(record.certified_on, Some(day(9)));
        // The last contact's (at 30) spell.
        assert_eq!(record.team, "night shift");
        // Without a breach: the first contact's date.
        let mut work = AgentWork::default();
        work.add(&contact(0, "c0", 30), &late, Some(day(2)));
        work.add(&contact(1, "c1", 10), &early, Some(day(1)));
        assert_eq!(work.into_record().certified_on, Some(day(1)));
    }

    proptest! {
        /// The items kept are the first `limit` of a full sort, whatever the
        /// order they are offered in and however often the candidates are cut.
        #[test]
        fn the_earliest_are_the_first_of_a_full_sort(
            keys in proptest::collection::hash_set(0u32..5_000, 0..400),
            limit in 0usize..60,
        ) {
            let keys: Vec<u32> = keys.into_iter().collect();
            let mut earliest = Earliest::new(limit);
            for &k in &keys {
                earliest.offer(k, k);
            }
            let mut sorted = keys.clone();
            sorted.sort_unstable();
            sorted.truncate(limit);
            prop_assert_eq!(earliest.into_sorted(), sorted);
        }
    }
}

//! Invitation rates per agent and channel, and the test of their
//! consistency: who invites more or fewer of their contacts than the
//! channel, beyond chance.

use cxaudit_metrics::hash::StrMap;

use crate::common::ContactColumns;

use super::*;

/// Invitation rates per agent and channel.
pub(super) struct AgentRates {
    rows: Vec<AgentRate>,
    chi_square: BTreeMap<String, Option<ChannelTest>>,
    unlinked: usize,
}

struct AgentRate {
    channel: String,
    agent: String,
    handled: u64,
    invited: u64,
    rate: f64,
    /// The invitation rate of the rest of the channel (the agent left out).
    rest_rate: Option<f64>,
    /// (rate - rest rate) / the binomial error of the agent's rate at the rest rate.
    z: Option<f64>,
    judged: bool,
    outlier: bool,
}

/// The chi-square test of one channel's invitation rates by agent.
#[derive(Clone, Copy)]
pub(super) struct ChannelTest {
    statistic: f64,
    df: u64,
    p_value: f64,
}

/// What CX1 needs of the contacts, counted in one pass over the table: no
/// row is kept.
pub(super) struct ContactTally<'t> {
    /// Handled contacts of the window with an agent, per channel and agent.
    handled: StrMap<'t, StrMap<'t, u64>>,
    /// Handled contacts of the window per channel, with an agent or not.
    pub handled_by_channel: BTreeMap<&'t str, u64>,
    /// For each invitation of `sample` then `late`, in that order: the
    /// number of the contact id it names (an index into `linked`), or
    /// [`ContactRows::NONE`] when it names none.
    id_of_invitation: Vec<u32>,
    /// For each contact id the invitations name, by number: the agent of
    /// the first row with that id, and whether a row of the id was handled
    /// in the window by an agent (`None`: no row has the id).
    linked: Vec<Option<(Option<&'t str>, bool)>>,
    /// Rows lacking contact_id, channel, arrived_at or abandoned.
    pub incomplete: usize,
}

impl<'t> ContactTally<'t> {
    /// Counts the contacts of `t` for the invitations of `sample` and `late`:
    /// their contact ids are numbered once, every id is found in the same
    /// pass (one lookup per contact row), and each invitation keeps its
    /// id's number, so nothing is looked up by id again.
    pub(super) fn of<'i>(
        t: &'t Table,
        sample: &[&Sampled<'i>],
        late: &[&Sampled<'i>],
        window: &Window,
    ) -> Result<Self, EvalError> {
        let rows = ContactRows::of(
            sample.iter().chain(late).map(|i| i.contact_row),
            t.num_rows(),
        );
        let mut linked: Vec<Option<(Option<&'t str>, bool)>> = vec![None; rows.len()];
        let mut handled: StrMap<'t, StrMap<'t, u64>> = StrMap::default();
        let mut by_channel: StrMap<'t, u64> = StrMap::default();
        let columns = ContactColumns {
            agent: true,
            answered: true,
            ..ContactColumns::default()
        };
        let incomplete = common::each_contact(t, columns, |c| {
            let in_window = c.handled() && window.contains(c.arrived_second());
            if in_window {
                *by_channel.entry(c.channel) += 1;
            }
            let agent = c.agent_id.filter(|_| in_window);
            if let Some(a) = agent {
                *handled.entry(c.channel).entry(a) += 1;
            }
            if let Some(n) = rows.number(c.row) {
                linked[n].get_or_insert((c.agent_id, false)).1 |= agent.is_some();
            }
        })?;
        Ok(ContactTally {
            handled,
            handled_by_channel: by_channel.into_ordered(),
            id_of_invitation: rows.of_invitation,
            linked,
            incomplete,
        })
    }

    /// The number of the contact id the `k`-th invitation (of `sample`
    /// then `late`) names, and what its contact rows say (`None`: it names
    /// no id, or no row has it).
    fn linked(&self, k: usize) -> Option<(usize, &(Option<&'t str>, bool))> {
        let n = *self.id_of_invitation.get(k)?;
        if n == ContactRows::NONE {
            return None;
        }
        Some((n as usize, self.linked[n as usize].as_ref()?))
    }
}

impl AgentRates {
    /// Invitation rates per agent and channel: contacts handled in the window,
    /// and the invitations of those contacts (sent in the window, or in `late`
    /// after it); an invitation without a known contact counts by its own date.
    pub(super) fn of(
        sample: &[&Sampled],
        late: &[&Sampled],
        contacts: &ContactTally<'_>,
        p: &SamplingParams,
    ) -> Self {
        let mut invited: StrMap<'_, StrMap<'_, u64>> = StrMap::default();
        // Which contacts (by number) an invitation already counted.
        let mut counted = vec![false; contacts.linked.len()];
        let mut unlinked = 0;
        for (k, (i, sent_in_window)) in sample
            .iter()
            .map(|i| (i, true))
            .chain(late.iter().map(|i| (i, false)))
            .enumerate()
        {
            let found = contacts.linked(k);
            // A contact counts once however many invitations (reminders) it got.
            let counts = match found {
                Some((n, (_, handled))) => *handled && !std::mem::replace(&mut counted[n], true),
                None => sent_in_window,
            };
            if !counts {
                continue;
            }
            let agent = i
                .agent_id
                .or_else(|| found.and_then(|(_, (agent, _))| *agent));
            match agent {
                Some(a) => *invited.entry(i.channel).entry(a) += 1,
                None => unlinked += 1,
            }
        }
        // Hash maps while counting; the rows in (channel, agent) order.
        let mut handled: Vec<((&str, &str), u64)> = contacts
            .handled
            .iter()
            .flat_map(|(channel, agents)| agents.iter().map(move |(a, n)| ((channel, a), *n)))
            .collect();
        handled.sort_unstable();
        let mut rows: Vec<AgentRate> = handled
            .iter()
            .map(|&((channel, agent), h)| {
                let inv = invited
                    .get(channel)
                    .and_then(|agents| agents.get(agent))
                    .copied()
                    .unwrap_or(0);
                AgentRate {
                    channel: channel.to_owned(),
                    agent: agent.to_owned(),
                    handled: h,
                    invited: inv,
                    // Unlinked invitations can outnumber the agent's contacts: a share caps at 1.
                    rate: inv.min(h) as f64 / h as f64,
                    rest_rate: None,
                    z: None,
                    judged: h >= p.min_agent_contacts.max(1) as u64,
                    outlier: false,
                }
            })
            .collect();
        let channels: BTreeSet<String> = rows.iter().map(|r| r.channel.clone()).collect();
        let mut chi_square = BTreeMap::new();
        for ch in channels {
            let judged: Vec<&AgentRate> = rows
                .iter()
                .filter(|r| r.channel == ch && r.judged)
                .collect();
            let table: Vec<[u64; 2]> = judged
                .iter()
                .map(|r| {
                    [
                        r.invited.min(r.handled),
                        r.handled - r.invited.min(r.handled),
                    ]
                })
                .collect();
            chi_square.insert(
                ch.clone(),
                chi_square_independence(&table).ok().map(|t| ChannelTest {
                    statistic: t.statistic,
                    df: t.df,
                    p_value: t.p_value,
                }),
            );
            if judged.len() < 2 {
                continue;
            }
            let (all_inv, all_handled) = judged.iter().fold((0u64, 0u64), |(i, h), r| {
                (i + r.invited.min(r.handled), h + r.handled)
            });
            let per_agent_alpha = p.alpha / judged.len() as f64;
            for r in rows.iter_mut().filter(|r| r.channel == ch && r.judged) {
                // Leave-one-out: the agent is compared with the rest of the channel,
                // so an outlier cannot widen its own band; the band is the binomial
                // error of the agent's rate if it invited at the rest's rate.
                let rest_h = all_handled - r.handled;
                if rest_h == 0 {
                    continue;
                }
                let m = (all_inv - r.invited.min(r.handled)) as f64 / rest_h as f64;
                let gap = (r.rate - m).abs();
                let error = (m * (1.0 - m) / r.handled as f64).max(0.0).sqrt();
                r.rest_rate = Some(m);
                r.z = (error > 0.0).then(|| (r.rate - m) / error);
                let significant = error == 0.0
                    || (gap > p.outlier_k * error + 1e-12
                        && normal_two_sided_p(gap / error) < per_agent_alpha);
                let material = gap + 1e-12 >= p.min_rate_gap
                    || (m > 0.0 && gap / m + 1e-12 >= p.min_relative_gap);
                r.outlier = gap > 0.0 && significant && material;
            }
        }
        rows.sort_by(|a, b| a.channel.cmp(&b.channel).then(a.agent.cmp(&b.agent)));
        AgentRates {
            rows,
            chi_square,
            unlinked,
        }
    }

    /// Adds the consistency check; returns a clause for the summary.
    pub(super) fn report(&self, p: &SamplingParams, e: &mut Evaluation) -> String {
        let outliers: Vec<&AgentRate> = self.rows.iter().filter(|r| r.outlier).collect();
        let min_p = self
            .chi_square
            .values()
            .flatten()
            .map(|t| t.p_value)
            .min_by(f64::total_cmp);
        let failing: Vec<(&String, ChannelTest)> = self
            .chi_square
            .iter()
            .filter_map(|(ch, t)| t.filter(|t| t.p_value < p.alpha).map(|t| (ch, t)))
            .collect();
        let passed = failing.is_empty();
        let named = |(ch, t): &(&String, ChannelTest)| {
            format!(
                "{ch} (chi-square {:.1}, df {}, p = {:.2e})",
                t.statistic, t.df, t.p_value
            )
        };
        e.checks.push(Check::new(
            "agent_rate_consistency",
            "Invitation rates homogeneous across the agents of each channel (chi-square test)",
            if passed {
                json!(format!(
                    "smallest p = {}",
                    min_p.map_or("n/a".into(), |v| format!("{v:.4}"))
                ))
            } else {
                json!(format!(
                    "not homogeneous: {}",
                    failing.iter().map(named).collect::<Vec<_>>().join(", ")
                ))
            },
            format!(
                "chi-square test of invited vs not invited by agent: p >= {} in every channel",
                p.alpha
            ),
            passed,
        ));
        e.measure("agent_rate_outliers", Some(outliers.len() as f64));
        e.measure("min_chi_square_p", min_p);
        for (ch, t) in &self.chi_square {
            e.observations.push(match t {
                Some(t) => format!(
                    "Chi-square test of invited vs not invited by agent on {ch}: statistic {:.2}, df {}, p = {:.4}{}.",
                    t.statistic,
                    t.df,
                    t.p_value,
                    if t.p_value < p.alpha { " (not homogeneous)" } else { "" }
                ),
                None => format!(
                    "Chi-square test on {ch}: not computable (fewer than 2 judged agents, or every contact invited or none)."
                ),
            });
        }
        let not_judged = self.rows.iter().filter(|r| !r.judged).count();
        if not_judged > 0 {
            e.observations.push(format!(
                "{not_judged} agent-channel pairs handled fewer than {} contacts and were listed but not judged.",
                p.min_agent_contacts
            ));
        }
        if self.unlinked > 0 {
            e.observations.push(format!(
                "{} sample invitations name no agent (directly or through their contact) and are not in the per-agent rates.",
                self.unlinked
            ));
        }
        e.drilldowns.push(
            Drilldown {
                id: "agent_invitation_rates".into(),
                title: "Invitation rate per agent and channel".into(),
                columns: [
                    "channel",
                    "agent",
                    "handled",
                    "invited",
                    "rate",
                    "rest_of_channel_rate",
                    "z",
                    "judged",
                    "outlier",
                ]
                .map(String::from)
                .to_vec(),
                rows: self
                    .rows
                    .iter()
                    .map(|r| {
                        vec![
                            json!(r.channel),
                            json!(r.agent),
                            json!(r.handled),
                            json!(r.invited),
                            num(Some(r.rate)),
                            num(r.rest_rate),
                            num(r.z),
                            json!(r.judged),
                            json!(r.outlier),
                        ]
                    })
                    .collect(),
                units: Vec::new(),
            }
            .unit_of(&["rate", "rest_of_channel_rate"], "ratio"),
        );
        self.chart(e);
        if passed && outliers.is_empty() {
            return String::new();
        }
        let listed: Vec<String> = outliers
            .iter()
            .take(10)
            .map(|r| {
                format!(
                    "{} on {} ({} vs the rest of the channel {})",
                    r.agent,
                    r.channel,
                    pct(r.rate),
                    r.rest_rate.map_or("n/a".into(), pct)
                )
            })
            .collect();
        let channels: Vec<String> = failing.iter().map(named).collect();
        let mut what = Vec::new();
        if !channels.is_empty() {
            what.push(format!("rates differ by agent on {}", channels.join(", ")));
        }
        if !listed.is_empty() {
            what.push(format!("outliers {}", listed.join(", ")));
        }
        e.actions.push(Action::new(
            format!(
                "Find out why invitation rates differ by agent and make invitation automatic: {}.",
                what.join("; ")
            ),
            Effort::Low,
            OwnerRole::Process,
        ));
        let mut clause = String::new();
        if !failing.is_empty() {
            clause.push_str(&format!(
                ", invitation rates not homogeneous by agent on {} (chi-square)",
                failing
                    .iter()
                    .map(|(ch, _)| ch.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !outliers.is_empty() {
            clause.push_str(&format!(", {} agent outliers", outliers.len()));
        }
        clause
    }

    fn chart(&self, e: &mut Evaluation) {
        let agents: BTreeSet<&str> = self.rows.iter().map(|r| r.agent.as_str()).collect();
        let channels: BTreeSet<&str> = self.rows.iter().map(|r| r.channel.as_str()).collect();
        let series = channels
            .iter()
            .map(|ch| Series {
                name: (*ch).to_owned(),
                values: agents
                    .iter()
                    .map(|a| {
                        self.rows
                            .iter()
                            .find(|r| r.channel == *ch && r.agent == *a)
                            .map(|r| r.rate)
                    })
                    .collect(),
            })
            .collect();
        e.charts.push(Chart {
            id: "agent_invitation_rates".into(),
            title: "Invitation rate per agent, by channel".into(),
            kind: ChartKind::Bar,
            x: agents.iter().map(|a| (*a).to_owned()).collect(),
            y: Vec::new(),
            unit: "ratio".into(),
            series,
        });
    }
}

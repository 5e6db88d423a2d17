//! Invitation rates per agent and channel, and the test of their
//! consistency: who invites more or fewer of their contacts than the
//! channel, beyond chance.

use super::*;

/// Invitation rates per agent and channel.
pub(super) struct AgentRates {
    rows: Vec<AgentRate>,
    chi_square: BTreeMap<String, Option<f64>>,
    unlinked: usize,
}

struct AgentRate {
    channel: String,
    agent: String,
    handled: u64,
    invited: u64,
    rate: f64,
    channel_mean: Option<f64>,
    deviation_sd: Option<f64>,
    judged: bool,
    outlier: bool,
}

impl AgentRates {
    /// Invitation rates per agent and channel: contacts handled in the window,
    /// and the invitations of those contacts (sent in the window, or in `late`
    /// after it); an invitation without a known contact counts by its own date.
    pub(super) fn of(
        sample: &[&Invitation],
        late: &[&Invitation],
        contacts: &Contacts,
        window: &Window,
        p: &SamplingParams,
    ) -> Self {
        let mut handled: BTreeMap<(String, String), u64> = BTreeMap::new();
        let mut handled_ids: BTreeSet<&str> = BTreeSet::new();
        for c in contacts
            .rows
            .iter()
            .filter(|c| c.handled() && window.contains(c.arrived_second()))
        {
            if let Some(a) = &c.agent_id {
                *handled.entry((c.channel.clone(), a.clone())).or_default() += 1;
                handled_ids.insert(c.contact_id.as_str());
            }
        }
        let by_id = contacts.by_id();
        let mut invited: BTreeMap<(String, String), u64> = BTreeMap::new();
        let mut invited_contacts: BTreeSet<&str> = BTreeSet::new();
        let mut unlinked = 0;
        for (i, sent_in_window) in sample
            .iter()
            .map(|i| (i, true))
            .chain(late.iter().map(|i| (i, false)))
        {
            let contact = i.contact_id.as_deref().and_then(|id| by_id.get(id));
            // A contact counts once however many invitations (reminders) it got.
            let counts = match contact {
                Some(c) => {
                    handled_ids.contains(c.contact_id.as_str())
                        && invited_contacts.insert(c.contact_id.as_str())
                }
                None => sent_in_window,
            };
            if !counts {
                continue;
            }
            let agent = i
                .agent_id
                .clone()
                .or_else(|| contact.and_then(|c| c.agent_id.clone()));
            match agent {
                Some(a) => *invited.entry((i.channel.clone(), a)).or_default() += 1,
                None => unlinked += 1,
            }
        }
        let mut rows: Vec<AgentRate> = handled
            .iter()
            .map(|((channel, agent), &h)| {
                let inv = invited
                    .get(&(channel.clone(), agent.clone()))
                    .copied()
                    .unwrap_or(0);
                AgentRate {
                    channel: channel.clone(),
                    agent: agent.clone(),
                    handled: h,
                    invited: inv,
                    // Unlinked invitations can outnumber the agent's contacts: a share caps at 1.
                    rate: inv.min(h) as f64 / h as f64,
                    channel_mean: None,
                    deviation_sd: None,
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
                chi_square_independence(&table).ok().map(|t| t.p_value),
            );
            let rates: Vec<f64> = judged.iter().map(|r| r.rate).collect();
            let (Some(m), true) = (mean(&rates), rates.len() >= 2) else {
                continue;
            };
            let sd =
                (rates.iter().map(|r| (r - m).powi(2)).sum::<f64>() / rates.len() as f64).sqrt();
            let per_agent_alpha = p.alpha / rates.len() as f64;
            for r in rows.iter_mut().filter(|r| r.channel == ch && r.judged) {
                r.channel_mean = Some(m);
                r.deviation_sd = (sd > 0.0).then(|| (r.rate - m) / sd);
                let gap = (r.rate - m).abs();
                // An agent's own rate is a binomial estimate: with few contacts its
                // sampling error alone can exceed the spread between agents.
                // With many agents some deviate by chance: the gap must also be
                // significant for its binomial error at alpha / agents (Bonferroni).
                let sampling_error = (m * (1.0 - m) / r.handled as f64).max(0.0).sqrt();
                let band = p.outlier_k * sd.max(sampling_error);
                let significant = sampling_error == 0.0
                    || normal_two_sided_p(gap / sampling_error) < per_agent_alpha;
                r.outlier =
                    sd > 0.0 && gap > band + 1e-12 && gap + 1e-12 >= p.min_rate_gap && significant;
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
            .copied()
            .min_by(f64::total_cmp);
        let significant: Vec<(&String, f64)> = self
            .chi_square
            .iter()
            .filter_map(|(ch, pv)| pv.filter(|v| *v < p.alpha).map(|v| (ch, v)))
            .collect();
        let (passed, measured, expected) = if p.agent_rate_method == "chi_square" {
            (
                significant.is_empty(),
                num(min_p),
                format!("p >= {} in every channel", p.alpha),
            )
        } else {
            (
                outliers.is_empty(),
                json!(outliers.len()),
                format!(
                    "0 agents outside mean ± {}·max(sd, binomial error), {} or more from it and significant at {} / agents",
                    p.outlier_k, p.min_rate_gap, p.alpha
                ),
            )
        };
        e.checks.push(Check::new(
            "agent_rate_consistency",
            "Invitation rate per agent consistent within each channel",
            measured,
            expected,
            passed,
        ));
        e.measurements.push(Measurement::new(
            "agent_rate_outliers",
            Some(outliers.len() as f64),
            "agent-channels",
            OUTLIER_RULE,
        ));
        e.measurements.push(Measurement::new(
            "min_chi_square_p",
            min_p,
            "p-value",
            "smallest p-value of the per-channel chi-square tests of invited vs not invited by agent",
        ));
        for (ch, pv) in &self.chi_square {
            e.observations.push(match pv {
                Some(v) => format!(
                    "Chi-square test of invited vs not invited by agent on {ch}: p = {v:.4}."
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
        e.drilldowns.push(Drilldown {
            id: "agent_invitation_rates".into(),
            title: "Invitation rate per agent and channel".into(),
            columns: [
                "channel",
                "agent",
                "handled",
                "invited",
                "rate",
                "channel_mean",
                "deviation_sd",
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
                        num(r.channel_mean),
                        num(r.deviation_sd),
                        json!(r.judged),
                        json!(r.outlier),
                    ]
                })
                .collect(),
        });
        self.chart(e);
        if !passed {
            let listed: Vec<String> = if outliers.is_empty() {
                significant
                    .iter()
                    .map(|(ch, v)| format!("{ch} (p = {v:.4})"))
                    .collect()
            } else {
                outliers
                    .iter()
                    .take(10)
                    .map(|r| {
                        format!(
                            "{} on {} ({} vs channel mean {})",
                            r.agent,
                            r.channel,
                            pct(r.rate),
                            r.channel_mean.map_or("n/a".into(), pct)
                        )
                    })
                    .collect()
            };
            e.actions.push(Action::new(
                format!(
                    "Find out why invitation rates differ by agent and make invitation automatic: {}.",
                    listed.join(", ")
                ),
                Effort::Low,
                OwnerRole::Process,
            ));
            format!(
                ", {} agents with an inconsistent invitation rate",
                outliers.len()
            )
        } else {
            String::new()
        }
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

//! CX1: survey sampling free of selection bias.

use std::collections::{BTreeMap, BTreeSet};

use cxaudit_metrics::hash::StrMap;
use cxaudit_metrics::stats::normal_two_sided_p;
use cxaudit_metrics::survey::chi_square_independence;
use cxaudit_plugin_sdk::prelude::*;
use serde::Deserialize;
use serde_json::json;

mod rates;

use crate::common::{self, ContactRows, Invitation, Selected, Window, num, pct, score_from_checks};
use rates::{AgentRates, ContactTally};

/// Evaluator `sampling_bias`.
pub struct SamplingBias;

/// What CX1 reads of an invitation: 56 bytes (on a 64-bit machine) where an
/// [`Invitation`] takes 120, and a million are held through the evaluation.
#[derive(Debug, Clone, Copy)]
struct Sampled<'a> {
    /// The row of the contact surveyed, as [`Invitation::contact_row`].
    contact_row: Option<u32>,
    /// Channel of the surveyed contact.
    channel: &'a str,
    /// Agent of the surveyed contact.
    agent_id: Option<&'a str>,
    /// How the invitation was selected.
    selection: Option<&'a str>,
}

impl Selected for Sampled<'_> {
    fn is_feedback(&self) -> bool {
        common::is_feedback(self.selection)
    }
}

impl<'a> Sampled<'a> {
    fn of(i: Invitation<'a>) -> Self {
        Sampled {
            contact_row: i.contact_row,
            channel: i.channel,
            agent_id: i.agent_id,
            selection: i.selection,
        }
    }
}

/// Parameters of [`SamplingBias`]: each doc comment is the manifest's
/// description.
#[derive(Debug, Deserialize, Params)]
pub struct SamplingParams {
    /// largest share of the sample chosen by agents (ratio)
    #[param(default = 0.0, min = 0, max = 1)]
    pub max_agent_selected_share: f64,
    /// true: customer-initiated feedback counts as biased sample; false: it is left out of the sample and reported
    #[param(default = false)]
    pub customer_initiated_biased: bool,
    /// smallest share of the sample invited at random or by census (ratio)
    #[param(default = 0.95, min = 0, max = 1)]
    pub min_random_share: f64,
    /// an outlier lies more than k binomial errors from the rate of the rest of its channel
    #[param(default = 2.0, min = 0)]
    pub outlier_k: f64,
    /// an outlier's gap from the rest of its channel is at least this (ratio; 0.05 = 5 points), or min_relative_gap of that rate
    #[param(default = 0.05, min = 0, max = 1)]
    pub min_rate_gap: f64,
    /// an outlier's gap is at least this share of the rest of its channel's rate, or min_rate_gap
    #[param(default = 0.25, min = 0)]
    pub min_relative_gap: f64,
    /// significance level of the chi-square test per channel, and family-wise of the per-agent outlier tests (Bonferroni)
    #[param(default = 0.05, min = 0, max = 1)]
    pub alpha: f64,
    /// handled contacts an agent needs on a channel to be judged
    #[param(default = 20, min = 1)]
    pub min_agent_contacts: i64,
}

/// The outlier rule, as the measurement defines it.
pub const OUTLIER_RULE: &str = "agents whose invitation rate on a channel (distinct invited contacts / handled contacts, at most 1) lies more than k binomial errors sqrt(m (1 - m) / handled) from m, the rate of the rest of the channel (the agent left out, so an outlier cannot widen its own band), significantly (p < alpha / agents of the channel), and by at least min_rate_gap points or min_relative_gap of m";

impl Evaluator for SamplingBias {
    type Params = SamplingParams;

    fn name(&self) -> &'static str {
        "sampling_bias"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new(
            "Survey invitations are chosen at random or by census, never by agents; invitation \
             rates per agent are consistent within a channel; every channel with handled \
             contacts receives invitations.",
        )
        .table(
            TableNeed::required("surveys")
                .column("survey_id", ColumnType::String)
                .column("channel", ColumnType::String)
                .column("selection", ColumnType::String)
                .column("invited_at", ColumnType::Timestamp)
                .optional_column("agent_id", ColumnType::String)
                .optional_column("contact_id", ColumnType::String),
        )
        .table(
            common::contacts_need(false)
                .optional_column("agent_id", ColumnType::String)
                .optional_column("answered_at", ColumnType::Timestamp),
        )
        .params::<SamplingParams>()
        .measurement("invitations", "invitations", "survey invitations sent in the period")
        .measurement(
            "random_census_share",
            "ratio",
            "(random + census invitations) / sample invitations",
        )
        .measurement(
            "agent_selected_share",
            "ratio",
            "biased invitations (agent-selected, plus customer-initiated if counted) / sample invitations",
        )
        .measurement(
            "customer_initiated_invitations",
            "invitations",
            "customer-initiated feedback rows in the period",
        )
        .measurement(
            "agent_rate_outliers",
            "agent-channels",
            OUTLIER_RULE,
        )
        .measurement(
            "min_chi_square_p",
            "p-value",
            "smallest p-value of the per-channel chi-square tests of invited vs not invited by agent (a channel with p < alpha fails)",
        )
        .measurement(
            "channels_without_invitations",
            "channels",
            "channels with handled contacts but no sample invitation",
        )
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &SamplingParams) -> Result<Evaluation, EvalError> {
        let window = Window::from_context(ctx)?;
        let surveys = ctx.table("surveys")?;
        let contacts_table = ctx.optional_table("contacts").filter(|t| t.num_rows() > 0);
        let invitations =
            common::load_invitations_as(&surveys, contacts_table.as_ref(), &window, Sampled::of)?;
        if invitations.rows.is_empty() {
            return Err(EvalError::MissingEvidence(
                "no survey invitation in the assessment period".into(),
            ));
        }
        let mut e = common::evaluation_noting_skipped(&invitations, None);
        let mix = SelectionMix::of(&invitations.rows, p.customer_initiated_biased);
        mix.report(p, &mut e);
        let counted = |i: &&Sampled| p.customer_initiated_biased || !i.is_feedback();
        let in_sample: Vec<&Sampled> = invitations.rows.iter().filter(counted).collect();
        let late: Vec<&Sampled> = invitations.after_window.iter().filter(counted).collect();
        let mut tail = String::new();
        match &contacts_table {
            Some(t) => {
                let contacts = ContactTally::of(t, &in_sample, &late, &window)?;
                common::note_skipped_contacts(contacts.incomplete, &mut e.observations);
                let rates = AgentRates::of(&in_sample, &late, &contacts, p);
                tail.push_str(&rates.report(p, &mut e));
                tail.push_str(&report_coverage(
                    &in_sample,
                    &contacts.handled_by_channel,
                    &mut e,
                ));
            }
            None => {
                // Missing data earns nothing: the checks that need contacts
                // fail, saying why, rather than leave the score.
                for (id, what) in [
                    (
                        "agent_rate_consistency",
                        "Invitation rates are consistent across agents of a channel",
                    ),
                    (
                        "channel_coverage",
                        "Every channel with handled contacts receives sample invitations",
                    ),
                ] {
                    e.checks.push(Check::new(
                        id,
                        what,
                        "not checkable: no contact in the evidence",
                        "a contacts table with the period's contacts",
                        false,
                    ));
                }
                e.observations.push(
                    "No contacts in the evidence: invitation rates per agent and channel coverage could not be checked, and count as not met."
                        .into(),
                );
            }
        }
        score_from_checks(&mut e);
        e.summary = format!(
            "{} invitations: {} random or census (minimum {}), {} agent-selected (maximum {}){tail}.",
            invitations.rows.len(),
            mix.random_share.map_or("n/a".into(), pct),
            pct(p.min_random_share),
            mix.biased_share.map_or("n/a".into(), pct),
            pct(p.max_agent_selected_share),
        );
        e.definitions.push(Definition::new(
            "sample",
            if p.customer_initiated_biased {
                "Every invitation in the period; customer-initiated feedback counts as biased."
            } else {
                "Every invitation in the period except customer-initiated feedback, which is not a sample and is reported apart."
            },
        ));
        e.definitions.push(Definition::new(
            "invitation rate",
            "Sample invitations attributed to the agent (survey agent_id, else the linked contact's agent) on a channel / contacts the agent handled on that channel in the period (handled = not abandoned, answered, not self-service).",
        ));
        Ok(e)
    }
}

/// Invitations by selection method.
struct SelectionMix {
    counts: BTreeMap<String, u64>,
    total: u64,
    sample: u64,
    biased: u64,
    random: u64,
    random_share: Option<f64>,
    biased_share: Option<f64>,
    customer_initiated: u64,
    biased_agents: BTreeMap<String, u64>,
}

impl SelectionMix {
    fn of(rows: &[Sampled], customer_initiated_biased: bool) -> Self {
        // Counted under the rows' own texts, found by address: a key is
        // copied once, not per row.
        let mut borrowed: StrMap<'_, u64> = StrMap::default();
        let mut biased_by: BTreeMap<&str, u64> = BTreeMap::new();
        for r in rows {
            let s = r.selection.unwrap_or("unknown");
            if s == "agent_selected" {
                *biased_by
                    .entry(r.agent_id.unwrap_or("unknown agent"))
                    .or_default() += 1;
            }
            *borrowed.entry(s) += 1;
        }
        let borrowed = borrowed.into_ordered();
        let owned = |m: BTreeMap<&str, u64>| -> BTreeMap<String, u64> {
            m.into_iter().map(|(k, n)| (k.to_owned(), n)).collect()
        };
        let (counts, biased_agents) = (owned(borrowed), owned(biased_by));
        let count = |k: &str| counts.get(k).copied().unwrap_or(0);
        let total = rows.len() as u64;
        let customer_initiated = count("customer_initiated");
        let sample = if customer_initiated_biased {
            total
        } else {
            total - customer_initiated
        };
        let biased = count("agent_selected")
            + if customer_initiated_biased {
                customer_initiated
            } else {
                0
            };
        let random = count("random") + count("census");
        let share = |x: u64| (sample > 0).then(|| x as f64 / sample as f64);
        SelectionMix {
            random_share: share(random),
            biased_share: share(biased),
            counts,
            total,
            sample,
            biased,
            random,
            customer_initiated,
            biased_agents,
        }
    }

    fn report(&self, p: &SamplingParams, e: &mut Evaluation) {
        let biased_ok = self
            .biased_share
            .is_some_and(|s| s <= p.max_agent_selected_share + 1e-12);
        e.checks.push(Check::new(
            "agent_selected_share",
            "Share of the sample chosen by agents (or otherwise self-selected)",
            num(self.biased_share),
            format!("<= {}", p.max_agent_selected_share),
            biased_ok,
        ));
        let random_ok = self
            .random_share
            .is_some_and(|s| s + 1e-12 >= p.min_random_share);
        e.checks.push(Check::new(
            "random_census_share",
            "Share of the sample invited at random or by census",
            num(self.random_share),
            format!(">= {}", p.min_random_share),
            random_ok,
        ));
        e.measure("invitations", Some(self.total as f64));
        e.measure("random_census_share", self.random_share);
        e.measurements.push(Measurement::new(
            "agent_selected_share",
            self.biased_share,
            "ratio",
            "biased invitations / sample invitations",
        ));
        e.measure(
            "customer_initiated_invitations",
            Some(self.customer_initiated as f64),
        );
        if self.customer_initiated > 0 && !p.customer_initiated_biased {
            e.observations.push(format!(
                "{} customer-initiated feedback rows are not a sample: left out of the sample of {} invitations.",
                self.customer_initiated, self.sample
            ));
        }
        let rows = self
            .counts
            .iter()
            .map(|(k, n)| vec![json!(k), json!(n), num(Some(*n as f64 / self.total as f64))])
            .collect();
        e.drilldowns.push(
            Drilldown {
                id: "selection_methods".into(),
                title: "Invitations by selection method".into(),
                columns: vec!["selection".into(), "invitations".into(), "share".into()],
                rows,
                units: Vec::new(),
            }
            .unit_of(&["share"], "ratio"),
        );
        e.charts.push(Chart {
            id: "selection_methods".into(),
            title: "Share of invitations by selection method".into(),
            kind: ChartKind::Bar,
            x: self.counts.keys().cloned().collect(),
            y: Vec::new(),
            unit: "ratio".into(),
            series: vec![Series {
                name: "share".into(),
                values: self
                    .counts
                    .values()
                    .map(|n| Some(*n as f64 / self.total as f64))
                    .collect(),
            }],
        });
        if !biased_ok && self.biased > 0 {
            let mut agents: Vec<(&String, &u64)> = self.biased_agents.iter().collect();
            agents.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let named: Vec<String> = agents
                .iter()
                .take(5)
                .map(|(a, n)| format!("{a} ({n})"))
                .collect();
            let who = if named.is_empty() {
                String::new()
            } else {
                format!(" (most by {})", named.join(", "))
            };
            e.actions.push(Action::new(
                format!(
                    "Stop agent-chosen surveys: {} of {} sample invitations ({}) were selected by agents{who}; let the survey platform invite contacts at random.",
                    self.biased,
                    self.sample,
                    self.biased_share.map_or("n/a".into(), pct)
                ),
                Effort::Medium,
                OwnerRole::Process,
            ));
        }
        if !random_ok {
            let needed = (p.min_random_share * self.sample as f64).ceil() as u64;
            e.actions.push(Action::new(
                format!(
                    "Invite at random or by census: {} of {} sample invitations are random or census, {} are needed for {}.",
                    self.random,
                    self.sample,
                    needed,
                    pct(p.min_random_share)
                ),
                Effort::Medium,
                OwnerRole::Technology,
            ));
        }
    }
}

/// Adds the channel-coverage check; returns a clause for the summary.
/// (`handled`: the window's handled contacts per channel.)
fn report_coverage(
    sample: &[&Sampled],
    handled: &BTreeMap<&str, u64>,
    e: &mut Evaluation,
) -> String {
    let mut by_address: StrMap<'_, u64> = StrMap::default();
    for i in sample {
        *by_address.entry(i.channel) += 1;
    }
    let invited = by_address.into_ordered();
    let missing: Vec<(&str, u64)> = handled
        .iter()
        .filter(|(ch, _)| !invited.contains_key(*ch))
        .map(|(ch, n)| (*ch, *n))
        .collect();
    e.checks.push(Check::new(
        "channel_coverage",
        "Every channel with handled contacts receives sample invitations",
        json!(missing.iter().map(|(c, _)| *c).collect::<Vec<_>>()),
        "no channel without invitations",
        missing.is_empty(),
    ));
    e.measure("channels_without_invitations", Some(missing.len() as f64));
    let channels: BTreeSet<&str> = handled.keys().chain(invited.keys()).copied().collect();
    e.drilldowns.push(
        Drilldown {
            id: "channel_coverage".into(),
            title: "Handled contacts and sample invitations by channel".into(),
            columns: [
                "channel",
                "handled",
                "invitations",
                "invitations_per_handled",
            ]
            .map(String::from)
            .to_vec(),
            rows: channels
                .iter()
                .map(|ch| {
                    let h = handled.get(ch).copied().unwrap_or(0);
                    let i = invited.get(ch).copied().unwrap_or(0);
                    vec![
                        json!(ch),
                        json!(h),
                        json!(i),
                        num((h > 0).then(|| i as f64 / h as f64)),
                    ]
                })
                .collect(),
            units: Vec::new(),
        }
        .unit_of(&["invitations_per_handled"], "ratio"),
    );
    if missing.is_empty() {
        return String::new();
    }
    let list: Vec<String> = missing
        .iter()
        .map(|(ch, n)| format!("{ch} ({n} handled contacts)"))
        .collect();
    e.actions.push(Action::new(
        format!(
            "Extend random survey invitations to {}, which received none.",
            list.join(", ")
        ),
        Effort::Medium,
        OwnerRole::Technology,
    ));
    format!(
        ", channels without invitations: {}",
        missing
            .iter()
            .map(|(c, _)| *c)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::fixtures::{
        assert_incomplete_contacts_named, handled, invite, january, with_contacts_and_surveys,
        with_surveys,
    };
    use cxaudit_plugin_sdk::testing::TestHost;

    const T0: &str = "2026-01-10T10:00:00";
    const T1: &str = "2026-01-10T10:00:30";
    const T2: &str = "2026-01-10T10:05:00";

    #[test]
    fn agent_selected_and_uncovered_channel_fail() {
        // Voice: A1 and A2 handle 4 contacts each; chat: A3 handles 2; email: A4 handles 2.
        let mut contacts = Vec::new();
        for (id, ch, ag) in [
            ("v1", "voice", "A1"),
            ("v2", "voice", "A1"),
            ("v3", "voice", "A1"),
            ("v4", "voice", "A1"),
            ("v5", "voice", "A2"),
            ("v6", "voice", "A2"),
            ("v7", "voice", "A2"),
            ("v8", "voice", "A2"),
            ("c1", "chat", "A3"),
            ("c2", "chat", "A3"),
            ("e1", "email", "A4"),
            ("e2", "email", "A4"),
        ] {
            contacts.push(handled(id, ch, ag, T0, T1, T2));
        }
        // 6 invitations: 4 random, 1 agent-selected (A2), 1 customer-initiated.
        // Sample = 6 - 1 customer-initiated = 5; agent-selected 1/5 = 0.2 > 0 -> fail;
        // random 4/5 = 0.8 < 0.95 -> fail. Voice rates A1 2/4, A2 2/4: sd 0 -> consistent.
        // Email has 2 handled contacts and no invitation -> coverage fails.
        // Score 1 of 4 checks = 0.25.
        let surveys = [
            invite("s1", "v1", "voice", "A1", T2),
            invite("s2", "v2", "voice", "A1", T2),
            invite("s3", "v5", "voice", "A2", T2).selected("agent_selected"),
            invite("s4", "v6", "voice", "A2", T2),
            invite("s5", "c1", "chat", "A3", T2),
            invite("s6", "v3", "voice", "A1", T2).selected("customer_initiated"),
        ];
        let h = with_contacts_and_surveys(january(), &contacts, &surveys);
        let e = h.run(&SamplingBias, json!({"min_agent_contacts": 1}));
        let check = |id: &str| e.checks.iter().find(|c| c.id == id).unwrap().clone();
        assert_eq!(check("agent_selected_share").measured, json!(0.2));
        assert!(!check("agent_selected_share").passed);
        assert_eq!(check("random_census_share").measured, json!(0.8));
        assert!(!check("random_census_share").passed);
        assert!(check("agent_rate_consistency").passed);
        assert_eq!(check("channel_coverage").measured, json!(["email"]));
        assert!(!check("channel_coverage").passed);
        assert_eq!(e.score, Some(0.25));
        // 0.25 is below partially_met_from = 0.5 (the default rules, and cx-ops's).
        assert_eq!(e.status, Status::NotMet);
        assert!(e.summary.contains("email"), "{}", e.summary);
        assert!(
            e.actions.iter().any(|a| a.text.contains("A2 (1)")),
            "{:?}",
            e.actions
        );
        assert!(
            e.observations
                .iter()
                .any(|o| o.contains("1 customer-initiated"))
        );
        // Counting customer-initiated feedback as biased: 2/6 biased, 4/6 random.
        let e = h.run(
            &SamplingBias,
            json!({"min_agent_contacts": 1, "customer_initiated_biased": true}),
        );
        let m = e.measurement("agent_selected_share").unwrap();
        assert!((m.value.unwrap() - 2.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn contacts_are_counted_in_one_pass_and_incomplete_rows_named() {
        // Voice: A1 handles v1, v2 (both invited), A2 handles v3 (not invited); a fourth row
        // has no channel: it is skipped, counted in the observation, and in no rate. Chat: c1
        // handled with no agent (coverage counts it), invited at random. v1 is invited twice
        // (a reminder): it counts once.
        let mut broken = handled("v4", "", "A2", T0, T1, T2);
        broken.channel = "";
        let mut no_agent = handled("c1", "chat", "A3", T0, T1, T2);
        no_agent.agent = None;
        let contacts = [
            handled("v1", "voice", "A1", T0, T1, T2),
            handled("v2", "voice", "A1", T0, T1, T2),
            handled("v3", "voice", "A2", T0, T1, T2),
            broken,
            no_agent,
        ];
        let surveys = [
            invite("s1", "v1", "voice", "A1", T2),
            invite("s2", "v1", "voice", "A1", T2),
            invite("s3", "v2", "voice", "A1", T2),
            invite("s4", "c1", "chat", "A3", T2),
            invite("s5", "v4", "voice", "A2", T2),
        ];
        let e = with_contacts_and_surveys(january(), &contacts, &surveys)
            .run(&SamplingBias, json!({"min_agent_contacts": 1}));
        assert_incomplete_contacts_named(&e, 1);
        let rates = e
            .drilldown("agent_invitation_rates")
            .expect("the rates table");
        // (channel, agent, handled, invited) of each row. A1: 2 handled, 2 distinct invited
        // contacts (v1 once). A2: v3 handled; s5's contact is the skipped row, so s5 counts by
        // its own agent: 1 of 1. Chat's c1 has no agent: no row, and its invitation is not an
        // agent's.
        let counts: Vec<_> = rates.rows.iter().map(|r| r[..4].to_vec()).collect();
        assert_eq!(
            counts,
            [
                vec![json!("voice"), json!("A1"), json!(2), json!(2)],
                vec![json!("voice"), json!("A2"), json!(1), json!(1)],
            ]
        );
        // Chat has a handled contact (without an agent) and an invitation: covered.
        let coverage = e
            .checks
            .iter()
            .find(|c| c.id == "channel_coverage")
            .unwrap();
        assert!(coverage.passed, "{:?}", coverage.measured);
    }

    /// Voice agents: (agent, handled contacts, invited contacts); invitations random.
    fn voice_agents(agents: &[(&'static str, usize, usize)]) -> TestHost {
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        let mut contacts = Vec::new();
        let mut surveys = Vec::new();
        for (agent, handled_n, invited) in agents {
            for i in 0..*handled_n {
                let id = leak(format!("{agent}-{i}"));
                contacts.push(handled(id, "voice", agent, T0, T1, T2));
                if i < *invited {
                    surveys.push(invite(leak(format!("s-{id}")), id, "voice", agent, T2));
                }
            }
        }
        with_contacts_and_surveys(january(), &contacts, &surveys)
    }

    /// A1-A4 invite 10 of their 40 voice contacts (0.25), A5 20 of 40 (0.5).
    fn five_agents() -> TestHost {
        voice_agents(&[
            ("A1", 40, 10),
            ("A2", 40, 10),
            ("A3", 40, 10),
            ("A4", 40, 10),
            ("A5", 40, 20),
        ])
    }

    #[test]
    fn chi_square_fails_the_channel_and_leave_one_out_lists_the_outlier() {
        // Chi-square, 60 invited / 140 not of 200; each agent's expected 12 / 28:
        // A1-A4: (10-12)²/12 + (30-28)²/28 = 0.333333 + 0.142857 = 0.476190 each;
        // A5: (20-12)²/12 + (20-28)²/28 = 5.333333 + 2.285714 = 7.619048; total 9.523810,
        // df 4: p = e^(-4.761905) (1 + 4.761905) = 0.0085499 x 5.761905 = 0.049264 < 0.05 -> the channel fails.
        let e = five_agents().run(&SamplingBias, json!({}));
        let c = e
            .checks
            .iter()
            .find(|c| c.id == "agent_rate_consistency")
            .unwrap();
        assert!(!c.passed);
        let text = c.measured.as_str().unwrap();
        assert!(
            text.contains("voice (chi-square 9.5, df 4, p = 4.93e-2)"),
            "{text}"
        );
        let p = (-4.761_904_8f64).exp() * (1.0 + 4.761_904_8);
        let m = e.measurement("min_chi_square_p").unwrap().value.unwrap();
        assert!((m - p).abs() < 1e-6, "{m} vs {p}");
        assert!(
            e.summary
                .contains("not homogeneous by agent on voice (chi-square)"),
            "{}",
            e.summary
        );
        // Leave-one-out: A5 against the rest, 40/160 = 0.25: error sqrt(0.25 x 0.75 / 40)
        // = 0.068465, z = 0.25 / 0.068465 = 3.651, p = 2.6e-4 < 0.05 / 5 -> outlier.
        // A1 against (30 + 20) / 160 = 0.3125: z = -0.0625 / 0.073288 = -0.853, p = 0.39: not.
        // (The spread of all five rates, sd 0.1 around mean 0.3, would put A5's 0.2 gap
        // just inside a 2-sd band: the outlier widening its own band.)
        let rows = &e.drilldown("agent_invitation_rates").unwrap().rows;
        assert_eq!(rows[4][1], json!("A5"));
        assert_eq!(rows[4][5], json!(0.25));
        assert_eq!(rows[4][6], num(Some(0.25 / (0.25f64 * 0.75 / 40.0).sqrt())));
        assert_eq!(rows[4][8], json!(true));
        assert_eq!(rows[0][5], json!(0.3125));
        assert_eq!(rows[0][8], json!(false));
        assert!(e.actions.iter().any(|a| {
            a.text
                .contains("A5 on voice (50.0% vs the rest of the channel 25.0%)")
        }));
        // An absolute floor above the 25-point gap: the relative gap 0.25 / 0.25 = 100% still
        // lists A5; above both, nobody is listed (the chi-square still fails the channel).
        let outliers = |params| {
            five_agents()
                .run(&SamplingBias, params)
                .measurement("agent_rate_outliers")
                .unwrap()
                .value
        };
        assert_eq!(outliers(json!({"min_rate_gap": 0.3})), Some(1.0));
        assert_eq!(
            outliers(json!({"min_rate_gap": 0.3, "min_relative_gap": 1.5})),
            Some(0.0)
        );
        // At alpha 0.04 the channel is homogeneous (p 0.0493), and A5 (2.6e-4 < 0.008) is
        // still listed, without failing the check.
        let e = five_agents().run(&SamplingBias, json!({"alpha": 0.04}));
        assert!(
            e.checks
                .iter()
                .find(|c| c.id == "agent_rate_consistency")
                .unwrap()
                .passed
        );
        assert_eq!(
            e.measurement("agent_rate_outliers").unwrap().value,
            Some(1.0)
        );
    }

    #[test]
    fn a_small_agent_within_its_sampling_error_and_a_homogeneous_channel_pass() {
        // A1 1 of 2, A2 1 of 2, A3 2 of 2: chi-square on [[1,1],[1,1],[2,0]]: statistic 1.5,
        // df 2, p = exp(-0.75) = 0.4724 >= 0.05. A3 against the rest 2/4 = 0.5: error
        // sqrt(0.25 / 2) = 0.354, the 0.5 gap is within k = 2 errors: not an outlier.
        let h = voice_agents(&[("A1", 2, 1), ("A2", 2, 1), ("A3", 2, 2)]);
        let e = h.run(&SamplingBias, json!({"min_agent_contacts": 1}));
        let m = e.measurement("min_chi_square_p").unwrap();
        assert!(
            (m.value.unwrap() - (-0.75f64).exp()).abs() < 1e-9,
            "{:?}",
            m.value
        );
        assert_eq!(
            e.measurement("agent_rate_outliers").unwrap().value,
            Some(0.0)
        );
        assert_eq!(e.status, Status::Met);
        // Agents under min_agent_contacts (20 by default) are not judged: nothing to test.
        let e = h.run(&SamplingBias, json!({}));
        assert_eq!(e.status, Status::Met);
    }

    #[test]
    fn a_contact_of_the_last_evening_invited_after_the_period_counts() {
        // A1: 2 contacts on 10 January, invited the same day. A2: 2 contacts at 23:00 on
        // 31 January (the period's last day), invited at 00:30 on 1 February. Both agents
        // have 2 of 2 contacts invited: rates 1.0 and 1.0, nothing to flag. Counting A2's
        // invitations by their own date would give 0 of 2.
        let contacts = [
            handled("a", "voice", "A1", T0, T1, T2),
            handled("b", "voice", "A1", T0, T1, T2),
            handled(
                "c",
                "voice",
                "A2",
                "2026-01-31T23:00:00",
                "2026-01-31T23:00:20",
                "2026-01-31T23:05:00",
            ),
            handled(
                "d",
                "voice",
                "A2",
                "2026-01-31T23:01:00",
                "2026-01-31T23:01:20",
                "2026-01-31T23:06:00",
            ),
        ];
        let surveys = [
            invite("s1", "a", "voice", "A1", T2),
            invite("s2", "b", "voice", "A1", T2),
            invite("s3", "c", "voice", "A2", "2026-02-01T00:30:00"),
            invite("s4", "d", "voice", "A2", "2026-02-01T00:30:00"),
        ];
        let e = with_contacts_and_surveys(january(), &contacts, &surveys).run(
            &SamplingBias,
            json!({"min_agent_contacts": 1, "outlier_k": 0.1, "min_rate_gap": 0.0}),
        );
        let rows = &e.drilldown("agent_invitation_rates").unwrap().rows;
        assert_eq!(
            (&rows[1][1], &rows[1][2], &rows[1][3]),
            (&json!("A2"), &json!(2), &json!(2))
        );
        assert!(
            e.checks
                .iter()
                .find(|c| c.id == "agent_rate_consistency")
                .unwrap()
                .passed
        );
    }

    #[test]
    fn without_contacts_the_contact_checks_fail_and_no_invitation_is_insufficient() {
        // One random invitation: the two selection checks pass; the two
        // checks that need contacts cannot be made and count as not met
        // (missing data earns nothing): 2 of 4 checks, score 0.5.
        let surveys = [invite("s1", "a", "voice", "A1", T2)];
        let e = with_surveys(january(), &surveys, &[]).run(&SamplingBias, json!({}));
        assert_eq!(e.checks.len(), 4);
        assert_eq!(e.score, Some(0.5));
        for id in ["agent_rate_consistency", "channel_coverage"] {
            let c = e.checks.iter().find(|c| c.id == id).unwrap();
            assert!(!c.passed);
            assert_eq!(
                c.measured,
                json!("not checkable: no contact in the evidence")
            );
        }
        assert!(
            e.observations
                .iter()
                .any(|o| o.contains("No contacts in the evidence"))
        );
        // Invited outside the period: nothing to judge.
        let late = [invite("s1", "a", "voice", "A1", "2026-02-01T00:00:00")];
        let e = with_surveys(january(), &late, &[]).run(&SamplingBias, json!({}));
        assert_eq!(e.status, Status::InsufficientEvidence);
    }
}

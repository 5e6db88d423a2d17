//! The `{{plugin_name}}` cxaudit plugin: one evaluator, `answered_within`,
//! judging the share of offered contacts answered within a wait limit.

use std::collections::BTreeMap;

use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::serde;
use cxaudit_plugin_sdk::serde_json::Value;
use cxaudit_plugin_sdk::table::seconds_between;

/// What the share measures, as the finding states it.
const DEFINITION: &str = "contacts answered with a wait at most the limit / contacts offered \
     (answered or abandoned), over the judged channels";

/// Share of offered contacts answered within a wait limit, by channel,
/// graded against a target share.
pub struct AnsweredWithin;

/// Parameters of [`AnsweredWithin`], as the pack sets them. Each field is
/// one parameter of the manifest: `#[param]` gives its default and range, the
/// doc comment its description.
#[derive(Params, serde::Deserialize)]
#[serde(crate = "cxaudit_plugin_sdk::serde")]
pub struct WaitParams {
    /// the longest wait that counts as answered in time, seconds
    #[param(default = 20.0, min = 0)]
    pub wait_limit_seconds: f64,
    /// share of offered contacts to answer within the limit
    #[param(default = 0.8, min = 0, max = 1)]
    pub target_share: f64,
    /// the channels judged (a limit in seconds suits live channels)
    #[param(default = &["voice", "chat", "messaging"])]
    pub channels: Vec<String>,
}

/// Contacts offered and answered in time, on one channel or all.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    offered: u64,
    within: u64,
}

impl Tally {
    /// Answered within the limit / offered; `None` when none was offered.
    fn share(self) -> Option<f64> {
        (self.offered > 0).then(|| self.within as f64 / self.offered as f64)
    }
}

impl Evaluator for AnsweredWithin {
    type Params = WaitParams;

    fn name(&self) -> &'static str {
        "answered_within"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new(
            "Share of offered contacts answered within a wait limit, by channel, \
             against a target share.",
        )
        .table(
            TableNeed::required("contacts")
                .column("channel", ColumnType::String)
                .column("arrived_at", ColumnType::Timestamp)
                .column("answered_at", ColumnType::Timestamp)
                .column("abandoned", ColumnType::Bool),
        )
        .params::<WaitParams>()
        .measurement("answered_within_share", "ratio", DEFINITION)
        .measurement(
            "offered_contacts",
            "contacts",
            "contacts of the judged channels answered or abandoned",
        )
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &WaitParams) -> Result<Evaluation, EvalError> {
        let contacts = ctx.table("contacts")?;
        let mut by_channel: BTreeMap<&str, Tally> = BTreeMap::new();
        let rows = contacts
            .strs("channel")?
            .zip(contacts.timestamps_ms("arrived_at")?)
            .zip(contacts.timestamps_ms("answered_at")?)
            .zip(contacts.bools("abandoned")?);
        for (((channel, arrived), answered), abandoned) in rows {
            let Some(channel) = channel.filter(|c| p.channels.iter().any(|j| j == c)) else {
                continue;
            };
            // Offered: answered, or abandoned by the customer; a contact
            // still open at the end of the export is neither.
            let within = match (arrived, answered) {
                (Some(arrived), Some(answered)) => {
                    seconds_between(arrived, answered) <= p.wait_limit_seconds
                }
                _ if abandoned == Some(true) => false,
                _ => continue,
            };
            let tally = by_channel.entry(channel).or_default();
            tally.offered += 1;
            tally.within += u64::from(within);
        }
        let total = by_channel.values().fold(Tally::default(), |sum, t| Tally {
            offered: sum.offered + t.offered,
            within: sum.within + t.within,
        });
        let Some(share) = total.share() else {
            return Err(EvalError::MissingEvidence(format!(
                "no contact of the channels {} was answered or abandoned",
                p.channels.join(", ")
            )));
        };
        let passed = share >= p.target_share;
        let mut e = Evaluation::from_checks(vec![Check::new(
            "answered_within",
            "Share of offered contacts answered within the wait limit",
            share,
            format!(">= {}", p.target_share),
            passed,
        )]);
        // Partial credit in proportion to the target.
        let score = graded(share, 0.0, p.target_share, true);
        e.score = Some(score);
        e.status = status_for_score(score);
        e.summary = format!(
            "{} of {} offered contacts answered within {} s ({:.1}%, target {:.1}%).",
            total.within,
            total.offered,
            p.wait_limit_seconds,
            share * 100.0,
            p.target_share * 100.0
        );
        // Units and definitions come from the manifest's declarations.
        e.measure("answered_within_share", Some(share))
            .measure("offered_contacts", Some(total.offered as f64));
        e.definitions
            .push(Definition::new("answered within the limit", DEFINITION));
        e.drilldowns.push(
            Drilldown::new("by_channel", "Answered within the wait limit, by channel")
                .column("channel", "")
                .column("offered", "contacts")
                .column("answered within the limit", "contacts")
                .column("share", "ratio")
                .rows(by_channel.iter().map(|(channel, t)| {
                    vec![
                        Value::from(*channel),
                        Value::from(t.offered),
                        Value::from(t.within),
                        t.share().map_or(Value::Null, Value::from),
                    ]
                })),
        );
        for channel in &p.channels {
            if !by_channel.contains_key(channel.as_str()) {
                e.observations
                    .push(format!("No `{channel}` contact was answered or abandoned."));
            }
        }
        if !passed {
            let short = (p.target_share * total.offered as f64 - total.within as f64).ceil();
            e.actions.push(Action::new(
                format!(
                    "Answer {short} more of the {} offered contacts within {} s: staff the \
                     intervals and channels with the longest waits.",
                    total.offered, p.wait_limit_seconds
                ),
                Effort::Medium,
                OwnerRole::Process,
            ));
        }
        Ok(e)
    }
}

export_plugin!(
    name: "{{plugin_name}}",
    version: env!("CARGO_PKG_VERSION"),
    evaluators: [AnsweredWithin],
);

#[cfg(test)]
mod tests {
    use super::*;
    use cxaudit_plugin_sdk::serde_json::json;
    use cxaudit_plugin_sdk::testing::{TableBuilder, TestHost};

    /// Seven contacts. Voice: answered after 10 s and 30 s, one abandoned,
    /// one still open (not offered). Chat: answered after 5 s and exactly
    /// 20 s. E-mail is not a judged channel.
    fn host() -> TestHost {
        let contacts = TableBuilder::new()
            .strings(
                "channel",
                ["voice", "voice", "voice", "voice", "chat", "chat", "email"].map(Some),
            )
            .timestamps(
                "arrived_at",
                [
                    "2026-01-05T08:00:00",
                    "2026-01-05T08:01:00",
                    "2026-01-05T08:02:00",
                    "2026-01-05T08:03:00",
                    "2026-01-05T09:00:00",
                    "2026-01-05T09:00:00",
                    "2026-01-05T10:00:00",
                ]
                .map(Some),
            )
            .timestamps(
                "answered_at",
                [
                    Some("2026-01-05T08:00:10"),
                    Some("2026-01-05T08:01:30"),
                    None,
                    None,
                    Some("2026-01-05T09:00:05"),
                    Some("2026-01-05T09:00:20"),
                    Some("2026-01-05T12:00:00"),
                ],
            )
            .bools(
                "abandoned",
                [false, false, true, false, false, false, false].map(Some),
            )
            .build();
        TestHost::new().table("contacts", contacts)
    }

    #[test]
    fn the_share_is_answered_in_time_over_offered_by_channel() {
        let e = host().run(&AnsweredWithin, json!({}));
        // Offered: voice 3 (the open contact is not), chat 2 = 5. Within
        // 20 s: voice 1 (10 s), chat 2 (5 s, 20 s) = 3. 3 / 5 = 0.6
        // against 0.8: score 0.6 / 0.8 = 0.75, partially met.
        let share = e.measurement("answered_within_share").unwrap();
        assert_eq!((share.value, share.unit.as_str()), (Some(0.6), "ratio"));
        assert_eq!(e.measurement("offered_contacts").unwrap().value, Some(5.0));
        let score = e.score.unwrap();
        assert!((score - 0.75).abs() < 1e-12, "{score}");
        assert_eq!(e.status, Status::PartiallyMet);
        assert!(!e.check("answered_within").unwrap().passed);
        assert_eq!(
            e.summary,
            "3 of 5 offered contacts answered within 20 s (60.0%, target 80.0%)."
        );
        // ceil(0.8 x 5 - 3) = 1 more contact in time.
        assert!(
            e.actions[0].text.starts_with("Answer 1 more"),
            "{}",
            e.actions[0].text
        );
        let by_channel = &e.drilldowns[0];
        assert_eq!(by_channel.units, ["", "contacts", "contacts", "ratio"]);
        assert_eq!(
            by_channel.rows,
            vec![
                vec![json!("chat"), json!(2), json!(2), json!(1.0)],
                vec![json!("voice"), json!(3), json!(1), json!(1.0 / 3.0)],
            ]
        );
        assert_eq!(
            e.observations,
            ["No `messaging` contact was answered or abandoned."]
        );
    }

    #[test]
    fn the_pack_parameters_change_the_bar() {
        // A 30 s limit takes voice's 30 s answer in: 4 of 5 = 0.8, met.
        let e = host().run(&AnsweredWithin, json!({"wait_limit_seconds": 30.0}));
        assert_eq!(e.score, Some(1.0));
        assert_eq!(e.status, Status::Met);
        assert!(e.actions.is_empty());
        // E-mail alone: its one contact waited two hours. 0 of 1: not met.
        let e = host().run(&AnsweredWithin, json!({"channels": ["email"]}));
        assert_eq!(e.score, Some(0.0));
        assert_eq!(e.status, Status::NotMet);
    }

    #[test]
    fn without_an_offered_contact_the_evidence_is_insufficient() {
        let e = host().run(&AnsweredWithin, json!({"channels": ["self_service"]}));
        assert_eq!(e.status, Status::InsufficientEvidence);
        assert_eq!(
            e.summary,
            "no contact of the channels self_service was answered or abandoned"
        );
        // A value outside the declared range is refused, naming it.
        let e = host().run(&AnsweredWithin, json!({"target_share": 1.5}));
        assert_eq!(e.status, Status::Error);
        assert!(e.summary.contains("target_share"), "{}", e.summary);
    }
}

//! CX4: invitation timing and survey design.

use cxaudit_metrics::hash::StrMap;
use cxaudit_metrics::stats::{median_in_place, percentile_nearest_rank_in_place};
use cxaudit_plugin_sdk::DocumentNeed;
use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::table::seconds_between;
use serde::Deserialize;
use serde_json::json;

use crate::common::{self, ContactColumns, Window, num, pct, score_from_checks};
use crate::design::{self, ScaleFinding};

/// Evaluator `timing_design`.
pub struct TimingDesign;

/// Parameters of [`TimingDesign`]: each doc comment is the manifest's
/// description.
#[derive(Debug, Deserialize, Params)]
pub struct TimingParams {
    /// longest delay from contact end to invitation, hours
    #[param(default = 24.0, min = 0)]
    pub max_delay_hours: f64,
    /// share of invitations within the delay (ratio)
    #[param(default = 0.95, min = 0, max = 1)]
    pub target_share: f64,
    /// labelled points the answer scale needs
    #[param(default = 5, min = 2)]
    pub scale_points: i64,
    /// a question line with one of these words is the overall-satisfaction question
    #[param(default = &["overall"])]
    pub overall_keywords: Vec<String>,
    /// a question line with one of these words is the resolution question
    #[param(default = &["resolved", "resolve", "resolution"])]
    pub resolution_keywords: Vec<String>,
}

/// What CX4 reads of an invitation: 40 bytes (on a 64-bit machine) where an
/// [`common::Invitation`] takes 120.
struct Sent<'a> {
    /// The row of the contact surveyed.
    contact_row: Option<u32>,
    /// Channel of the surveyed contact.
    channel: &'a str,
    /// When the invitation was sent, UTC milliseconds.
    invited_at_ms: i64,
    /// Whether it is customer-initiated feedback (left out).
    feedback: bool,
}

impl<'a> Sent<'a> {
    fn of(i: common::Invitation<'a>) -> Self {
        Sent {
            contact_row: i.contact_row,
            channel: i.channel,
            invited_at_ms: i.invited_at_ms,
            feedback: i.feedback,
        }
    }
}

impl common::Selected for Sent<'_> {
    fn is_feedback(&self) -> bool {
        self.feedback
    }
}

/// Delay statistics of a group of invitations.
#[derive(Debug, Clone, PartialEq)]
pub struct DelayStats {
    /// Invitations with a delay.
    pub n: usize,
    /// Median delay, hours.
    pub median_hours: Option<f64>,
    /// 90th percentile (nearest rank), hours.
    pub p90_hours: Option<f64>,
    /// Share within the limit.
    pub share_within: Option<f64>,
}

/// Delay statistics of delays in hours.
pub fn delay_stats(delays: &[f64], max_hours: f64) -> DelayStats {
    // Order statistics by selection: a million delays need no sort.
    let mut v = delays.to_vec();
    let within = v.iter().filter(|d| **d <= max_hours + 1e-9).count();
    let p90_hours = percentile_nearest_rank_in_place(&mut v, 0.9);
    DelayStats {
        n: v.len(),
        median_hours: median_in_place(&mut v),
        p90_hours,
        share_within: (!v.is_empty()).then(|| within as f64 / v.len() as f64),
    }
}

impl Evaluator for TimingDesign {
    type Params = TimingParams;

    fn name(&self) -> &'static str {
        "timing_design"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new(
            "Invitations go out soon after the contact ends, and the survey design has a \
             balanced scale, an overall-satisfaction question and a resolution question.",
        )
        .table(
            TableNeed::required("surveys")
                .column("survey_id", ColumnType::String)
                .column("contact_id", ColumnType::String)
                .column("channel", ColumnType::String)
                .column("invited_at", ColumnType::Timestamp)
                .optional_column("selection", ColumnType::String),
        )
        .table(common::contacts_need(true).column("ended_at", ColumnType::Timestamp))
        .document_need(
            DocumentNeed::optional("survey_design").headings(&[design::SCALE, design::QUESTIONS]),
        )
        .params::<TimingParams>()
        .measurement(
            "invitation_delay_median_hours",
            "hours",
            "median of invited_at - contact ended_at",
        )
        .measurement(
            "invitation_delay_p90_hours",
            "hours",
            "90th percentile (nearest rank) of invited_at - contact ended_at",
        )
        .measurement(
            "invitations_within_limit_share",
            "ratio",
            "invitations with delay <= max_delay_hours / invitations with a delay",
        )
        .measurement(
            "invitations_with_delay",
            "invitations",
            "invitations in the period linked to a contact with an end time",
        )
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &TimingParams) -> Result<Evaluation, EvalError> {
        let window = Window::from_context(ctx)?;
        let surveys = ctx.table("surveys")?;
        let contacts_table = ctx.table("contacts")?;
        let mut invitations =
            common::load_invitations_as(&surveys, Some(&contacts_table), &window, Sent::of)?;
        let feedback = common::drop_customer_initiated(&mut invitations);
        if invitations.rows.is_empty() {
            return Err(EvalError::MissingEvidence(
                "no survey invitation in the assessment period".into(),
            ));
        }
        let mut e = Evaluation::with_status(Status::NotMet, "");
        common::note_skipped_invitations(&invitations, &mut e.observations);
        // Of each invitation (a million at 2M contacts) only what is read here is held
        // ([`Sent`]), and of each linked contact only its end.
        let sent = invitations.rows;
        let ends = ContactColumns {
            ended: true,
            ..ContactColumns::default()
        };
        let linked = common::load_linked(
            &contacts_table,
            sent.iter().map(|s| s.contact_row),
            ends,
            |c| c.ended_at_ms,
        )?;
        let mut delays: Vec<(&str, f64)> = Vec::new();
        for (k, s) in sent.iter().enumerate() {
            let ended = linked.of(k).copied().flatten();
            if let Some(end) = ended {
                let hours = seconds_between(end, s.invited_at_ms) / 3600.0;
                delays.push((s.channel, hours));
            }
        }
        common::note_skipped_contacts(linked.incomplete, &mut e.observations);
        e.observations
            .extend(common::feedback_left_out(feedback, "the invitation timing"));
        let unlinked = sent.len() - delays.len();
        if unlinked > 0 {
            e.observations.push(format!(
                "{unlinked} of {} invitations could not be linked to a contact with an end time; their delay is unknown.",
                sent.len()
            ));
        }
        let timing = report_delays(&delays, p, &mut e);
        let design = report_design(ctx, p, &mut e)?;
        score_from_checks(&mut e);
        e.summary = format!("{timing}; {design}.");
        Ok(e)
    }
}

fn report_delays(delays: &[(&str, f64)], p: &TimingParams, e: &mut Evaluation) -> String {
    let all: Vec<f64> = delays.iter().map(|(_, d)| *d).collect();
    let stats = delay_stats(&all, p.max_delay_hours);
    let passed = stats
        .share_within
        .is_some_and(|s| s + 1e-12 >= p.target_share);
    e.checks.push(Check::new(
        "invitation_delay",
        &format!(
            "Share of invitations sent within {} h of the contact end",
            p.max_delay_hours
        ),
        num(stats.share_within),
        format!(">= {}", p.target_share),
        passed,
    ));
    e.measure("invitation_delay_median_hours", stats.median_hours);
    e.measure("invitation_delay_p90_hours", stats.p90_hours);
    e.measure("invitations_within_limit_share", stats.share_within);
    e.measure("invitations_with_delay", Some(stats.n as f64));
    let negative = all.iter().filter(|d| **d < 0.0).count();
    if negative > 0 {
        e.observations.push(format!(
            "{negative} invitations were sent before their contact ended (negative delay); they count as within the limit."
        ));
    }
    e.definitions.push(Definition::new(
        "invitation delay",
        "invited_at - ended_at of the surveyed contact (joined on contact_id), in hours; median, nearest-rank p90, share at or under the limit.",
    ));
    // Each delay's channel found by address, then the channels in order.
    let mut by_channel: StrMap<'_, Vec<f64>> = StrMap::default();
    for (ch, d) in delays {
        by_channel.entry(ch).push(*d);
    }
    let by_channel = by_channel.into_ordered();
    let channel_stats: Vec<(&str, DelayStats)> = by_channel
        .iter()
        .map(|(ch, ds)| (*ch, delay_stats(ds, p.max_delay_hours)))
        .collect();
    e.drilldowns.push(
        Drilldown {
            id: "delay_by_channel".into(),
            title: "Invitation delay by channel".into(),
            columns: [
                "channel",
                "invitations",
                "median_hours",
                "p90_hours",
                "share_within_limit",
            ]
            .map(String::from)
            .to_vec(),
            rows: channel_stats
                .iter()
                .map(|(ch, s)| {
                    vec![
                        json!(ch),
                        json!(s.n),
                        num(s.median_hours),
                        num(s.p90_hours),
                        num(s.share_within),
                    ]
                })
                .collect(),
            units: Vec::new(),
        }
        .unit_of(&["share_within_limit"], "ratio"),
    );
    delay_chart(&all, e);
    if !passed && stats.n > 0 {
        let late: Vec<String> = channel_stats
            .iter()
            .filter(|(_, s)| s.share_within.is_some_and(|x| x + 1e-12 < p.target_share))
            .map(|(ch, s)| {
                format!(
                    "{ch} ({} within, p90 {:.1} h)",
                    s.share_within.map_or("n/a".into(), pct),
                    s.p90_hours.unwrap_or(0.0)
                )
            })
            .collect();
        e.actions.push(Action::new(
            format!(
                "Trigger invitations automatically at contact end so {} go out within {} h (now {}): {}.",
                pct(p.target_share),
                p.max_delay_hours,
                stats.share_within.map_or("n/a".into(), pct),
                late.join(", ")
            ),
            Effort::Medium,
            OwnerRole::Technology,
        ));
    }
    format!(
        "{} of {} invitations within {} h (target {}), median {} h, p90 {} h",
        stats.share_within.map_or("n/a".into(), pct),
        stats.n,
        p.max_delay_hours,
        pct(p.target_share),
        stats
            .median_hours
            .map_or("n/a".into(), |v| format!("{v:.1}")),
        stats.p90_hours.map_or("n/a".into(), |v| format!("{v:.1}")),
    )
}

fn delay_chart(delays: &[f64], e: &mut Evaluation) {
    const EDGES: [(f64, &str); 7] = [
        (1.0, "<= 1 h"),
        (4.0, "1-4 h"),
        (12.0, "4-12 h"),
        (24.0, "12-24 h"),
        (48.0, "24-48 h"),
        (168.0, "2-7 days"),
        (f64::INFINITY, "> 7 days"),
    ];
    let mut counts = [0u64; 7];
    for d in delays {
        let i = EDGES.iter().position(|(edge, _)| *d <= *edge).unwrap_or(6);
        counts[i] += 1;
    }
    e.charts.push(Chart {
        id: "delay_distribution".into(),
        title: "Invitations by delay after the contact".into(),
        kind: ChartKind::Bar,
        x: EDGES.iter().map(|(_, l)| (*l).to_owned()).collect(),
        y: Vec::new(),
        unit: "invitations".into(),
        series: vec![Series {
            name: "invitations".into(),
            values: counts.iter().map(|c| Some(*c as f64)).collect(),
        }],
    });
}

fn report_design(
    ctx: &Context<'_>,
    p: &TimingParams,
    e: &mut Evaluation,
) -> Result<String, EvalError> {
    e.definitions.push(Definition::new(
        "balanced scale",
        &format!(
            "The section headed `scale` (the pack's English names such as Scale or Rating scale, or the centre's own heading) lists at least {} labelled points (`N = label` or a table of point and label); every label is classed neutral (neither, neutral, nor, average, undecided), negative (dissatisfied, unsatisfied, poor, bad, unhappy, terrible, disagree, negative) or positive (satisfied, good, excellent, happy, great, agree, positive); as many negative as positive labels, at most one neutral, running from one pole to the other.",
            p.scale_points
        ),
    ));
    e.definitions.push(Definition::new(
        "question present",
        "A line or table row of the section headed `questions` (the pack's English names or the centre's own heading; without one: any line with `?`) containing one of the keywords.",
    ));
    let Ok(doc) = ctx.document("survey_design") else {
        for (id, what) in [
            ("balanced_scale", "Balanced answer scale"),
            ("overall_question", "Overall-satisfaction question"),
            ("resolution_question", "Resolution question"),
        ] {
            e.checks.push(Check::new(
                id,
                what,
                json!(null),
                "present in survey_design",
                false,
            ));
        }
        e.actions.push(Action::new(
            "Write a survey design document: balanced 5-point scale, an overall-satisfaction question and a resolution question.",
            Effort::Low,
            OwnerRole::Process,
        ));
        return Ok("no survey_design document".into());
    };
    let parsed = doc.parse()?;
    let scale = design::judge_scale(&parsed, p.scale_points.max(2) as usize);
    scale_check(&scale, &doc.path, e);
    let lines = design::question_lines(&parsed);
    let overall = design::find_question(&lines, &p.overall_keywords);
    let resolution = design::find_question(&lines, &p.resolution_keywords);
    let mut missing = Vec::new();
    for (id, what, found, keywords) in [
        (
            "overall_question",
            "Overall-satisfaction question",
            &overall,
            &p.overall_keywords,
        ),
        (
            "resolution_question",
            "Resolution question",
            &resolution,
            &p.resolution_keywords,
        ),
    ] {
        e.checks.push(Check::new(
            id,
            &format!("{what} in {}", doc.path),
            json!(found),
            format!("a question with one of: {}", keywords.join(", ")),
            found.is_some(),
        ));
        if found.is_none() {
            missing.push(what.to_lowercase());
        }
    }
    if !missing.is_empty() {
        e.actions.push(Action::new(
            format!(
                "Add to the survey ({}): {}.",
                doc.path,
                missing.join(" and ")
            ),
            Effort::Low,
            OwnerRole::Process,
        ));
    }
    let scale_text = if scale.balanced {
        "balanced scale".to_owned()
    } else {
        format!("unbalanced scale ({})", scale.reason)
    };
    Ok(if missing.is_empty() {
        format!("{scale_text}; overall and resolution questions present")
    } else {
        format!("{scale_text}; missing {}", missing.join(" and "))
    })
}

fn scale_check(scale: &ScaleFinding, path: &str, e: &mut Evaluation) {
    e.checks.push(Check::new(
        "balanced_scale",
        &format!("Balanced answer scale in {path}"),
        json!(scale.reason),
        "balanced",
        scale.balanced,
    ));
    e.drilldowns.push(Drilldown {
        id: "scale".into(),
        title: format!(
            "Answer scale ({})",
            scale.heading.as_deref().unwrap_or("no scale section")
        ),
        columns: ["point", "label", "polarity"].map(String::from).to_vec(),
        rows: scale
            .points
            .iter()
            .map(|s| vec![json!(s.point), json!(s.label), json!(s.polarity.as_str())])
            .collect(),
        units: Vec::new(),
    });
    if !scale.balanced {
        e.actions.push(Action::new(
            format!(
                "Rebalance the answer scale in {path} ({}), e.g. 1 Very dissatisfied, 2 Dissatisfied, 3 Neither, 4 Satisfied, 5 Very satisfied.",
                scale.reason
            ),
            Effort::Low,
            OwnerRole::Process,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::fixtures::{handled, invite, january, with_contacts_and_surveys};
    use cxaudit_plugin_sdk::testing::TestHost;

    const GOOD: &str = "+++\ntitle = \"Survey design\"\n+++\n# Customer survey design\n\n## Scale\n\nBalanced 5-point scale: 1 = Very dissatisfied, 2 = Dissatisfied, 3 = Neither satisfied nor dissatisfied, 4 = Satisfied, 5 = Very satisfied.\n\n## Questions\n\n1. Overall, how satisfied are you with the service you received? (1-5)\n2. Was your issue resolved? (yes/no)\n";
    const NO_RESOLUTION: &str = "# Customer survey\n\n## Scale\n\n1 = Very dissatisfied, 2 = Dissatisfied, 3 = Neutral, 4 = Satisfied, 5 = Very satisfied.\n\n## Questions\n\n1. Overall, how satisfied are you? (1-5)\n2. How likely are you to recommend us? (0-10)\n";

    /// Four contacts ending 2026-01-10 10:00; invitations 1 h, 2 h, 30 h and 3 h later.
    fn host(delays_hours: [u32; 4]) -> TestHost {
        host_with(delays_hours, &[])
    }

    /// [`host`] with more survey rows after the four invitations.
    fn host_with(delays_hours: [u32; 4], extra: &[crate::common::fixtures::S]) -> TestHost {
        let ids = ["c1", "c2", "c3", "c4"];
        let contacts: Vec<_> = ids
            .iter()
            .map(|id| {
                handled(
                    id,
                    "voice",
                    "A1",
                    "2026-01-10T09:50:00",
                    "2026-01-10T09:50:20",
                    "2026-01-10T10:00:00",
                )
            })
            .collect();
        let surveys: Vec<_> = ids
            .iter()
            .zip(delays_hours)
            .enumerate()
            .map(|(k, (id, h))| {
                let t: &'static str = Box::leak(
                    format!(
                        "2026-01-{:02}T{:02}:00:00",
                        10 + (10 + h) / 24,
                        (10 + h) % 24
                    )
                    .into_boxed_str(),
                );
                invite(["s1", "s2", "s3", "s4"][k], id, "voice", "A1", t)
            })
            .chain(extra.iter().copied())
            .collect();
        with_contacts_and_surveys(january(), &contacts, &surveys)
    }

    /// Customer-initiated feedback was never an invitation: a complaint
    /// form sent 40 h after its contact is no late invitation. With it the
    /// delays stay 1, 2, 30 and 3 h: 3 of 4 within 24 h, median 2.5 h (mixed
    /// in, it would be 3 of 5 and a median of 3 h).
    #[test]
    fn customer_initiated_feedback_is_no_invitation_to_time() {
        let e = host_with(
            [1, 2, 30, 3],
            &[invite("s5", "c1", "voice", "A1", "2026-01-12T02:00:00")
                .selected("customer_initiated")],
        )
        .document("survey_design", "docs/survey.md", GOOD)
        .run(&TimingDesign, json!({}));
        let m = |name: &str| e.measurement(name).unwrap().value;
        assert_eq!(m("invitations_within_limit_share"), Some(0.75));
        assert_eq!(m("invitation_delay_median_hours"), Some(2.5));
        assert!(
            e.observations
                .iter()
                .any(|o| o.starts_with("1 customer-initiated feedback row(s)")),
            "{:?}",
            e.observations
        );
    }

    #[test]
    fn late_invitations_and_missing_resolution_question() {
        // Delays 1, 2, 30, 3 h: 3 of 4 within 24 h = 0.75 < 0.95 -> fail; median 2.5 h,
        // p90 nearest rank ceil(3.6) = 4th = 30 h. Design: balanced scale (2 negative, 1
        // neutral, 2 positive), overall question present, resolution question missing.
        // Checks: delay fail, scale pass, overall pass, resolution fail -> 0.5.
        let e = host([1, 2, 30, 3])
            .document("survey_design", "docs/survey.md", NO_RESOLUTION)
            .run(&TimingDesign, json!({}));
        let m = |name: &str| e.measurement(name).unwrap().value;
        assert_eq!(m("invitations_within_limit_share"), Some(0.75));
        assert_eq!(m("invitation_delay_median_hours"), Some(2.5));
        assert_eq!(m("invitation_delay_p90_hours"), Some(30.0));
        let passed: Vec<(&str, bool)> =
            e.checks.iter().map(|c| (c.id.as_str(), c.passed)).collect();
        assert_eq!(
            passed,
            [
                ("invitation_delay", false),
                ("balanced_scale", true),
                ("overall_question", true),
                ("resolution_question", false)
            ]
        );
        assert_eq!(e.score, Some(0.5));
        assert_eq!(e.status, Status::PartiallyMet);
        assert!(
            e.summary.contains("missing resolution question"),
            "{}",
            e.summary
        );
        assert!(
            e.actions
                .iter()
                .any(|a| a.text.contains("resolution question"))
        );
        // A 48-hour limit passes the delay check.
        let e = host([1, 2, 30, 3])
            .document("survey_design", "docs/survey.md", GOOD)
            .run(&TimingDesign, json!({"max_delay_hours": 48.0}));
        assert_eq!(e.status, Status::Met, "{:?}", e.checks);
    }

    #[test]
    fn without_design_document_design_checks_fail() {
        let e = host([1, 1, 1, 1]).run(&TimingDesign, json!({}));
        assert_eq!(e.score, Some(0.25));
        assert!(e.summary.contains("no survey_design document"));
    }

    #[test]
    fn delays_are_exact_to_the_millisecond() {
        // c1 ends 10:00:00.600 and is invited 24 h 0.3 s later: over the 24 h limit
        // (whole seconds would make it exactly 24 h, within). c2 is invited 1 h after its end.
        let contacts = [
            handled(
                "c1",
                "voice",
                "A1",
                "2026-01-10T09:50:00",
                "2026-01-10T09:50:20",
                "2026-01-10T10:00:00.600",
            ),
            handled(
                "c2",
                "voice",
                "A1",
                "2026-01-10T09:50:00",
                "2026-01-10T09:50:20",
                "2026-01-10T10:00:00",
            ),
        ];
        let surveys = [
            invite("s1", "c1", "voice", "A1", "2026-01-11T10:00:00.900"),
            invite("s2", "c2", "voice", "A1", "2026-01-10T11:00:00"),
        ];
        let e = with_contacts_and_surveys(january(), &contacts, &surveys)
            .document("survey_design", "docs/survey.md", GOOD)
            .run(&TimingDesign, json!({}));
        let m = |name: &str| e.measurement(name).unwrap().value;
        // 1 of 2 within 24 h; the late one waited 86 400.3 s = 24.0000833 h.
        assert_eq!(m("invitations_within_limit_share"), Some(0.5));
        assert_eq!(m("invitations_with_delay"), Some(2.0));
        let p90 = m("invitation_delay_p90_hours").unwrap();
        assert!((p90 - 86_400.3 / 3600.0).abs() < 1e-9, "{p90}");
    }
}

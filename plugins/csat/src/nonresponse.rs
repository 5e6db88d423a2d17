//! CX3: non-response bias — respondents vs non-respondents on what the
//! contact records say (resolution, transfers, wait, handle time).

use std::collections::BTreeMap;

use cxaudit_metrics::hash::StrMap;
use cxaudit_metrics::significance::holm_adjusted;
use cxaudit_metrics::strata::{
    StratifiedTest, Stratum2x2, cochran_mantel_haenszel, stratified_log_times,
};
use cxaudit_plugin_sdk::prelude::*;
use serde::Deserialize;
use serde_json::json;

use crate::common::{
    self, Contact, ContactColumns, Invitation, Selected, Window, num, score_from_checks,
};

/// What CX3 reads of an invitation: its contact, whether it was answered,
/// and whether it is feedback (left out): 12 bytes where an [`Invitation`]
/// takes 120.
struct Answered {
    /// The row of the contact surveyed.
    contact_row: Option<u32>,
    /// Whether the customer responded ([`Invitation::responded`]).
    responded: bool,
    /// Whether it is customer-initiated feedback ([`Invitation::feedback`]).
    feedback: bool,
}

impl Answered {
    fn of(i: Invitation<'_>) -> Self {
        Answered {
            contact_row: i.contact_row,
            responded: i.responded(),
            feedback: i.feedback,
        }
    }
}

impl Selected for Answered {
    fn is_feedback(&self) -> bool {
        self.feedback
    }
}

/// What CX3 compares of a linked contact (kept for each, instead of the
/// whole row).
#[derive(Debug, Clone, Copy)]
pub struct Profile<'a> {
    channel: &'a str,
    resolved: Option<bool>,
    transferred: Option<bool>,
    wait_seconds: Option<f64>,
    handle_seconds: Option<f64>,
}

impl<'a> Profile<'a> {
    /// The contact columns [`Profile::of`] reads (all but the agent).
    const COLUMNS: ContactColumns = ContactColumns {
        agent: false,
        ..ContactColumns::ALL
    };

    /// What CX3 compares of this contact row.
    fn of(c: &Contact<'a>) -> Self {
        Profile {
            channel: c.channel,
            resolved: c.resolved,
            transferred: c.transferred,
            wait_seconds: c.wait_seconds(),
            handle_seconds: c.handle_seconds,
        }
    }
}

/// Evaluator `nonresponse_bias`.
pub struct NonresponseBias;

/// Parameters of [`NonresponseBias`]: each doc comment is the manifest's
/// description.
#[derive(Debug, Deserialize, Params)]
pub struct NonresponseParams {
    /// significance level of the tests
    #[param(default = 0.05, min = 0, max = 1)]
    pub alpha: f64,
    /// a proportion gap is practically large from this many percentage points
    #[param(default = 5.0, min = 0, max = 100)]
    pub max_gap_points: f64,
    /// a mean gap is practically large from this Cohen's d
    #[param(default = 0.2, min = 0)]
    pub max_effect_size: f64,
}

/// One comparison of respondents with non-respondents.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Identifier (`resolution`, `transfer`, `wait`, `handle_time`).
    pub id: &'static str,
    /// Unit of the group values (`ratio` or `seconds`).
    pub unit: &'static str,
    /// Respondents with a value.
    pub n_respondents: u64,
    /// Non-respondents with a value.
    pub n_nonrespondents: u64,
    /// Respondents' value (share or mean).
    pub respondents: Option<f64>,
    /// Non-respondents' value.
    pub nonrespondents: Option<f64>,
    /// Gap respondents - non-respondents within channels, combined over the
    /// channels (weights n1 n2 / N), in points (proportions) or seconds (means).
    pub gap: Option<f64>,
    /// Standardized effect size (Cohen's h of the pooled shares for
    /// proportions, Cohen's d on the pooled within-channel SD for times).
    pub effect_size: Option<f64>,
    /// z statistic of the stratified test.
    pub z: Option<f64>,
    /// Two-sided p-value of the stratified test.
    pub p_value: Option<f64>,
    /// The p-value after Holm's correction over the comparisons made.
    pub p_adjusted: Option<f64>,
    /// Test used.
    pub test: &'static str,
    /// Significant and practically large (a bias).
    pub biased: bool,
    /// Whether both groups had data.
    pub computable: bool,
}

impl Evaluator for NonresponseBias {
    type Params = NonresponseParams;

    fn name(&self) -> &'static str {
        "nonresponse_bias"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new(
            "Invited respondents are compared with invited non-respondents on resolution, \
             transfer rate, wait and handle time of their contacts, within each channel; no \
             gap may be both statistically significant (after Holm's correction) and \
             practically large. Customer-initiated feedback is not an invitation and is left out.",
        )
        .table(
            TableNeed::required("surveys")
                .column("survey_id", ColumnType::String)
                .column("contact_id", ColumnType::String)
                .column("channel", ColumnType::String)
                .column("invited_at", ColumnType::Timestamp)
                .optional_column("responded_at", ColumnType::Timestamp)
                .optional_column("csat", ColumnType::Integer)
                .optional_column("selection", ColumnType::String),
        )
        .table(
            common::contacts_need(true)
                .column("answered_at", ColumnType::Timestamp)
                .column("ended_at", ColumnType::Timestamp)
                .column("talk_seconds", ColumnType::Float)
                .column("hold_seconds", ColumnType::Float)
                .column("wrap_seconds", ColumnType::Float)
                .column("transferred", ColumnType::Bool)
                .optional_column("resolved", ColumnType::Bool),
        )
        .params::<NonresponseParams>()
        .measurement(
            "linked_invitations",
            "invitations",
            LINKED,
        )
        .measurement("resolution_gap_points", "points", RESOLUTION_GAP)
        .measurement("transfer_gap_points", "points", TRANSFER_GAP)
        .measurement("wait_gap_seconds", "seconds", WAIT_GAP)
        .measurement("handle_time_gap_seconds", "seconds", HANDLE_GAP)
        .measurement(
            "biased_comparisons",
            "comparisons",
            "comparisons with a gap both significant (Holm-adjusted p < alpha) and practically large",
        )
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &NonresponseParams) -> Result<Evaluation, EvalError> {
        let window = Window::from_context(ctx)?;
        let surveys = ctx.table("surveys")?;
        let contacts_table = ctx.table("contacts")?;
        let mut invitations =
            common::load_invitations_as(&surveys, Some(&contacts_table), &window, Answered::of)?;
        let mut e = Evaluation::with_status(Status::NotMet, "");
        common::note_skipped_invitations(&invitations, &mut e.observations);
        let feedback = common::drop_customer_initiated(&mut invitations);
        // Of each invitation (a million at 2M contacts) only its contact and whether it was
        // answered are compared ([`Answered`]), and of each linked contact its profile.
        let answered = invitations.rows;
        let linked = common::load_linked(
            &contacts_table,
            answered.iter().map(|a| a.contact_row),
            Profile::COLUMNS,
            Profile::of,
        )?;
        common::note_skipped_contacts(linked.incomplete, &mut e.observations);
        let (mut respondents, mut others) = (Vec::new(), Vec::new());
        let mut unlinked = 0usize;
        for (k, a) in answered.iter().enumerate() {
            match linked.of(k) {
                Some(c) if a.responded => respondents.push(c),
                Some(c) => others.push(c),
                None => unlinked += 1,
            }
        }
        if respondents.is_empty() {
            return Err(EvalError::MissingEvidence(
                "no response to a survey invitation in the period is linked to a contact".into(),
            ));
        }
        if others.is_empty() {
            return Err(EvalError::NotApplicable(
                "every linked invitation was answered: there are no non-respondents to compare"
                    .into(),
            ));
        }
        let comparisons = compare_all(&respondents, &others, p);
        if unlinked > 0 {
            e.observations.push(format!(
                "{unlinked} invitations have no contact_id or one not found in contacts; they are not compared."
            ));
        }
        if feedback > 0 {
            e.observations.push(format!(
                "{feedback} customer-initiated feedback rows are not invitations: left out of the comparison."
            ));
        }
        report(&comparisons, respondents.len(), others.len(), p, &mut e);
        Ok(e)
    }
}

/// The measurement texts of the four gaps (and of the linked invitations).
const LINKED: &str =
    "survey invitations in the period (customer-initiated feedback excluded) linked to a contact";
const RESOLUTION_GAP: &str = "resolved share of invited respondents - of invited non-respondents within each channel, combined over channels (Mantel-Haenszel weights), x100";
const TRANSFER_GAP: &str = "transfer rate of invited respondents - of invited non-respondents within each channel, combined over channels (Mantel-Haenszel weights), x100";
const WAIT_GAP: &str = "mean wait of invited respondents - of invited non-respondents within each channel, combined over channels (weights n1 n2 / N); tested on log(1 + seconds)";
const HANDLE_GAP: &str = "mean handle time of invited respondents - of invited non-respondents within each channel, combined over channels (weights n1 n2 / N); tested on log(1 + seconds)";

/// The four comparisons of respondents' and non-respondents' contacts, each
/// within channels and combined, with Holm's correction over the four tests.
pub fn compare_all<'a>(
    respondents: &[&'a Profile<'a>],
    others: &[&'a Profile<'a>],
    p: &NonresponseParams,
) -> Vec<Comparison> {
    let (mut r, mut o) = (
        ChannelSide::by_channel(respondents),
        ChannelSide::by_channel(others),
    );
    let channels: Vec<&str> = r.keys().copied().filter(|ch| o.contains_key(ch)).collect();
    let table = |f: fn(&ChannelSide) -> (u64, u64)| -> Vec<Stratum2x2> {
        channels
            .iter()
            .map(|ch| {
                let ((x1, n1), (x2, n2)) = (f(&r[ch]), f(&o[ch]));
                Stratum2x2 { x1, n1, x2, n2 }
            })
            .collect()
    };
    let (resolution, transfer) = (table(|c| c.resolved), table(|c| c.transferred));
    // The times are taken out of the sides, each used once.
    let mut times = |f: fn(&mut ChannelSide) -> &mut Vec<f64>| -> Vec<(Vec<f64>, Vec<f64>)> {
        let take = |sides: &mut BTreeMap<&str, ChannelSide>, ch: &str| {
            sides
                .get_mut(ch)
                .map(|side| std::mem::take(f(side)))
                .unwrap_or_default()
        };
        channels
            .iter()
            .map(|ch| (take(&mut r, ch), take(&mut o, ch)))
            .collect()
    };
    let (wait, handle) = (
        times(|c| &mut c.wait_seconds),
        times(|c| &mut c.handle_seconds),
    );
    let mut out = vec![
        proportion("resolution", &resolution, p),
        proportion("transfer", &transfer, p),
        means("wait", &wait, p),
        means("handle_time", &handle, p),
    ];
    let tested: Vec<usize> = (0..out.len())
        .filter(|i| out[*i].p_value.is_some())
        .collect();
    let raw: Vec<f64> = tested.iter().filter_map(|i| out[*i].p_value).collect();
    for (i, adj) in tested.iter().zip(holm_adjusted(&raw)) {
        let c = &mut out[*i];
        c.p_adjusted = Some(adj);
        c.biased = c.biased && adj < p.alpha;
    }
    for c in out.iter_mut().filter(|c| c.p_adjusted.is_none()) {
        c.biased = false;
    }
    out
}

/// What [`compare_all`] compares of one channel's contacts (respondents or
/// the others), gathered in one pass over them: of resolution and transfer,
/// the contacts flagged and those with a flag; the finite wait and handle
/// times, in the contacts' order.
#[derive(Default)]
struct ChannelSide {
    resolved: (u64, u64),
    transferred: (u64, u64),
    wait_seconds: Vec<f64>,
    handle_seconds: Vec<f64>,
}

impl ChannelSide {
    /// The sides of `group`'s channels, each contact read once (its channel
    /// found by address, [`StrMap`]), in channel order.
    fn by_channel<'a>(group: &[&'a Profile<'a>]) -> BTreeMap<&'a str, ChannelSide> {
        let mut sides: StrMap<'a, ChannelSide> = StrMap::default();
        for c in group {
            sides.entry(c.channel).add(c);
        }
        sides.into_ordered()
    }

    fn add(&mut self, c: &Profile<'_>) {
        let count = |(flagged, known): &mut (u64, u64), flag: Option<bool>| {
            if let Some(flag) = flag {
                *flagged += u64::from(flag);
                *known += 1;
            }
        };
        count(&mut self.resolved, c.resolved);
        count(&mut self.transferred, c.transferred);
        let keep = |values: &mut Vec<f64>, value: Option<f64>| {
            values.extend(value.filter(|v| v.is_finite()));
        };
        keep(&mut self.wait_seconds, c.wait_seconds);
        keep(&mut self.handle_seconds, c.handle_seconds);
    }
}

fn proportion(id: &'static str, strata: &[Stratum2x2], p: &NonresponseParams) -> Comparison {
    let sum = |f: fn(&Stratum2x2) -> u64| strata.iter().map(f).sum::<u64>();
    let (x1, n1, x2, n2) = (sum(|s| s.x1), sum(|s| s.n1), sum(|s| s.x2), sum(|s| s.n2));
    let computable = n1 > 0 && n2 > 0;
    let share = |x: u64, n: u64| (n > 0).then(|| x as f64 / n as f64);
    let (p1, p2) = (share(x1, n1), share(x2, n2));
    let test: Option<StratifiedTest> = cochran_mantel_haenszel(strata);
    let gap = test.map(|t| t.difference * 100.0);
    let h = p1
        .zip(p2)
        .map(|(a, b)| 2.0 * a.sqrt().asin() - 2.0 * b.sqrt().asin());
    // Identical all-or-nothing groups have no standard error: no difference, p = 1.
    let p_value = test.map(|t| t.p_value).or(computable.then_some(1.0));
    let large = gap.is_some_and(|g| g.abs() >= p.max_gap_points);
    Comparison {
        id,
        unit: "ratio",
        n_respondents: n1,
        n_nonrespondents: n2,
        respondents: p1,
        nonrespondents: p2,
        gap: gap.or(computable.then_some(0.0)),
        effect_size: h,
        z: test.map(|t| t.z),
        p_value,
        p_adjusted: None,
        test: "Cochran-Mantel-Haenszel across channels",
        biased: large,
        computable,
    }
}

fn means(id: &'static str, strata: &[(Vec<f64>, Vec<f64>)], p: &NonresponseParams) -> Comparison {
    let r: Vec<f64> = strata.iter().flat_map(|s| s.0.iter().copied()).collect();
    let o: Vec<f64> = strata.iter().flat_map(|s| s.1.iter().copied()).collect();
    let computable = r.len() >= 2 && o.len() >= 2;
    let test = stratified_log_times(strata);
    let p_value = test.map(|t| t.p_value).or(computable.then_some(1.0));
    let d = test.and_then(|t| t.effect_size);
    let large = d.is_some_and(|d| d.abs() >= p.max_effect_size);
    Comparison {
        id,
        unit: "seconds",
        n_respondents: r.len() as u64,
        n_nonrespondents: o.len() as u64,
        respondents: cxaudit_metrics::stats::mean(&r),
        nonrespondents: cxaudit_metrics::stats::mean(&o),
        gap: test.map(|t| t.difference),
        effect_size: d,
        z: test.map(|t| t.z),
        p_value,
        p_adjusted: None,
        test: "stratified test on log(1 + seconds) across channels",
        biased: large,
        computable,
    }
}

fn label(id: &str) -> &'static str {
    match id {
        "resolution" => "Resolution rate",
        "transfer" => "Transfer rate",
        "wait" => "Wait time",
        _ => "Handle time",
    }
}

fn gap_text(c: &Comparison) -> String {
    match (c.gap, c.unit) {
        (Some(g), "ratio") => format!("{g:+.1} points"),
        (Some(g), _) => format!("{g:+.0} s"),
        (None, _) => "n/a".into(),
    }
}

fn report(
    comparisons: &[Comparison],
    n_resp: usize,
    n_other: usize,
    p: &NonresponseParams,
    e: &mut Evaluation,
) {
    for c in comparisons {
        let threshold = if c.unit == "ratio" {
            format!("{} points", p.max_gap_points)
        } else {
            format!("d = {}", p.max_effect_size)
        };
        e.checks.push(Check::new(
            &format!("{}_gap", c.id),
            &format!(
                "{} of invited respondents vs non-respondents within channels (gap in {}; effect size {}, Holm-adjusted p {})",
                label(c.id),
                if c.unit == "ratio" { "points" } else { "seconds" },
                c.effect_size.map_or("n/a".into(), |d| format!("{d:.3}")),
                c.p_adjusted.map_or("n/a".into(), |v| format!("{v:.4}"))
            ),
            num(c.gap),
            format!("not both Holm-adjusted p < {} and |gap| >= {threshold}", p.alpha),
            c.computable && !c.biased,
        ));
    }
    score_from_checks(e);
    let find = |id: &str| comparisons.iter().find(|c| c.id == id).and_then(|c| c.gap);
    e.measure("linked_invitations", Some((n_resp + n_other) as f64));
    e.measure("resolution_gap_points", find("resolution"));
    e.measure("transfer_gap_points", find("transfer"));
    e.measure("wait_gap_seconds", find("wait"));
    e.measure("handle_time_gap_seconds", find("handle_time"));
    e.measure(
        "biased_comparisons",
        Some(comparisons.iter().filter(|c| c.biased).count() as f64),
    );
    let parts: Vec<String> = comparisons
        .iter()
        .map(|c| {
            format!(
                "{} {} (Holm p = {})",
                label(c.id).to_lowercase(),
                gap_text(c),
                c.p_adjusted.map_or("n/a".into(), |v| format!("{v:.3}"))
            )
        })
        .collect();
    let biased: Vec<&Comparison> = comparisons.iter().filter(|c| c.biased).collect();
    e.summary = format!(
        "{n_resp} invited respondents vs {n_other} invited non-respondents, within channels: {}; {} of 4 gaps both significant and practically large.",
        parts.join(", "),
        biased.len()
    );
    for c in comparisons.iter().filter(|c| !c.computable) {
        e.observations.push(format!(
            "{}: not computable ({} respondents and {} non-respondents with a value).",
            label(c.id),
            c.n_respondents,
            c.n_nonrespondents
        ));
    }
    e.definitions.extend([
        Definition::new(
            "respondent",
            "A survey invitation in the period (random, census, agent-selected or unstated; never customer-initiated feedback, which is not an invitation) with a response time or a CSAT answer, linked to its contact by contact_id; non-respondents are the other linked invitations. Groups are compared within the channel of the contact.",
        ),
        Definition::new(
            "proportion test",
            "Cochran-Mantel-Haenszel test across channels (no continuity correction): z = sum (x1 - n1 m1 / N) / sqrt(sum n1 n2 m1 m0 / (N^2 (N - 1))); gap = Mantel-Haenszel risk difference sum (x1 n2 - x2 n1) / N / sum n1 n2 / N, in percentage points; effect size Cohen's h of the pooled shares.",
        ),
        Definition::new(
            "time test",
            "Waits and handle times are right-skewed: the test compares mean log(1 + seconds) within each channel, combined with inverse-variance weights, z = sum (D / v) / sqrt(sum 1 / v) with v = s1^2/n1 + s2^2/n2; the gap is the difference of mean seconds within channels, weighted n1 n2 / N; effect size Cohen's d on the pooled within-channel SD.",
        ),
        Definition::new(
            "multiple comparisons",
            "The four p-values are adjusted by Holm's step-down method (family-wise error at alpha).",
        ),
        Definition::new(
            "wait and handle time",
            "Wait = answered_at - arrived_at (abandoned: ended_at - arrived_at); handle time = talk + hold + wrap seconds.",
        ),
        Definition::new(
            "bias",
            &format!(
                "A gap is a bias when its Holm-adjusted p < {} and it is practically large: |gap| >= {} points for proportions, |d| >= {} for times.",
                p.alpha, p.max_gap_points, p.max_effect_size
            ),
        ),
    ]);
    e.drilldowns.push(Drilldown {
        id: "comparisons".into(),
        title: "Respondents vs non-respondents".into(),
        columns: [
            "comparison",
            "unit",
            "respondents_n",
            "respondents",
            "non_respondents_n",
            "non_respondents",
            "gap",
            "effect_size",
            "z",
            "p_value",
            "p_holm",
            "test",
            "biased",
        ]
        .map(String::from)
        .to_vec(),
        rows: comparisons
            .iter()
            .map(|c| {
                vec![
                    json!(c.id),
                    json!(c.unit),
                    json!(c.n_respondents),
                    num(c.respondents),
                    json!(c.n_nonrespondents),
                    num(c.nonrespondents),
                    num(c.gap),
                    num(c.effect_size),
                    num(c.z),
                    num(c.p_value),
                    num(c.p_adjusted),
                    json!(c.test),
                    json!(c.biased),
                ]
            })
            .collect(),
        units: Vec::new(),
    });
    e.charts.push(Chart {
        id: "effect_sizes".into(),
        title: "Standardized gap, respondents vs non-respondents".into(),
        kind: ChartKind::Bar,
        x: comparisons.iter().map(|c| c.id.to_owned()).collect(),
        y: Vec::new(),
        unit: "effect size".into(),
        series: vec![Series {
            name: "effect size".into(),
            values: comparisons.iter().map(|c| c.effect_size).collect(),
        }],
    });
    if !biased.is_empty() {
        let list: Vec<String> = biased
            .iter()
            .map(|c| format!("{} ({})", label(c.id).to_lowercase(), gap_text(c)))
            .collect();
        e.actions.push(Action::new(
            format!(
                "Correct for non-response: respondents differ on {}; weight results by these contact profiles and raise responses among under-represented customers (reminders, shorter survey).",
                list.join(", ")
            ),
            Effort::Medium,
            OwnerRole::Process,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::fixtures::{C, handled, invite, january, with_contacts_and_surveys};
    use cxaudit_metrics::stats::normal_two_sided_p;

    fn leak(s: String) -> &'static str {
        Box::leak(s.into_boxed_str())
    }

    /// A handled contact on `channel` arriving at 10:00, answered `wait` seconds later.
    fn contact(id: &'static str, channel: &'static str, wait: u32, resolved: bool) -> C {
        let answered = leak(format!("2026-01-10T10:{:02}:{:02}", wait / 60, wait % 60));
        let mut c = handled(
            id,
            channel,
            "A1",
            "2026-01-10T10:00:00",
            answered,
            "2026-01-10T10:30:00",
        );
        c.resolved = Some(resolved);
        c
    }

    const T: &str = "2026-01-10T11:00:00";

    #[test]
    fn customer_initiated_feedback_is_left_out_and_the_gaps_flip_sign_within_channels() {
        // Invited, voice: respondents r1 r2 (resolved, waits 10, 30 s), non-respondents
        // n1-n4 (resolved T T F F, waits 20, 40, 20, 40). Chat: respondents r3 r4 (T F,
        // waits 10, 30), non-respondents n5 n6 (T F, waits 30, 50). Customer-initiated
        // feedback on voice: f1-f4, answered, unresolved, waits 300 s.
        let mut contacts = vec![
            contact("r1", "voice", 10, true),
            contact("r2", "voice", 30, true),
            contact("n1", "voice", 20, true),
            contact("n2", "voice", 40, true),
            contact("n3", "voice", 20, false),
            contact("n4", "voice", 40, false),
            contact("r3", "chat", 10, true),
            contact("r4", "chat", 30, false),
            contact("n5", "chat", 30, true),
            contact("n6", "chat", 50, false),
        ];
        let mut surveys = Vec::new();
        for c in &contacts {
            let s = invite(leak(format!("s-{}", c.id)), c.id, c.channel, "A1", T);
            surveys.push(if c.id.starts_with('r') {
                s.answered(4)
            } else {
                s
            });
        }
        for k in 1..=4 {
            let id = leak(format!("f{k}"));
            contacts.push(contact(id, "voice", 300, false));
            surveys.push(
                invite(leak(format!("s-{id}")), id, "voice", "A1", T)
                    .selected("customer_initiated")
                    .answered(1),
            );
        }
        let e = with_contacts_and_surveys(january(), &contacts, &surveys)
            .run(&NonresponseBias, json!({}));
        let gap = |name: &str| e.measurement(name).and_then(|m| m.value).unwrap();
        // Counting the feedback as respondents (the old reading) pooled over channels:
        // resolution 3/8 vs 3/6 = -12.5 points; wait (80 + 1200)/8 = 160 s vs 200/6 = 33.3 s
        // = +126.7 s. Invited only, within channels (weights voice 2x4/6 = 4/3, chat 2x2/4 = 1):
        // resolution voice 1 - 0.5 = +0.5, chat 0.5 - 0.5 = 0 -> (4/3 x 0.5) / (7/3) = +28.57
        // points; wait voice 20 - 30 = -10 s, chat 20 - 40 = -20 s -> (4/3 x -10 - 20) / (7/3)
        // = -14.29 s. Both signs flip.
        assert!((gap("resolution_gap_points") - 200.0 / 7.0).abs() < 1e-4);
        assert!((gap("wait_gap_seconds") + 100.0 / 7.0).abs() < 1e-4);
        assert_eq!(gap("linked_invitations"), 10.0);
        // CMH (strata voice and chat): z = (2/3) / sqrt(64/180 + 1/3) = 0.80322.
        let rows = &e.drilldowns[0].rows;
        assert_eq!(rows[0][0], json!("resolution"));
        let z = (2.0f64 / 3.0) / (64.0f64 / 180.0 + 1.0 / 3.0).sqrt();
        assert_eq!(rows[0][8], num(Some(z)));
        assert_eq!(rows[0][9], num(Some(normal_two_sided_p(z))));
        assert!(
            e.observations
                .iter()
                .any(|o| o.starts_with("4 customer-initiated feedback rows")),
            "{:?}",
            e.observations
        );
    }

    /// Voice only: 40 respondents (36 resolved) and 40 non-respondents (20 resolved),
    /// every wait 30 s, handle 300 s, no transfer.
    fn resolution_host() -> cxaudit_plugin_sdk::testing::TestHost {
        let (mut contacts, mut surveys) = (Vec::new(), Vec::new());
        for k in 0..80 {
            let id = leak(format!("c{k}"));
            let respondent = k < 40;
            let resolved = if respondent { k < 36 } else { k < 60 };
            contacts.push(contact(id, "voice", 30, resolved));
            let s = invite(leak(format!("s{k}")), id, "voice", "A1", T);
            surveys.push(if respondent { s.answered(5) } else { s });
        }
        with_contacts_and_surveys(january(), &contacts, &surveys)
    }

    #[test]
    fn a_significant_large_gap_fails_and_holm_guards_the_family() {
        // CMH, one stratum: N 80, m1 56, m0 24: E = 40 x 56 / 80 = 28, V = 40 x 40 x 56 x 24 /
        // (6400 x 79) = 4.25316; z = (36 - 28) / 2.06232 = 3.87912, p = 1.05e-4. The other three
        // tests have no spread (p = 1), so Holm multiplies the smallest by 4: 4.19e-4 < 0.05.
        // Gap 90% - 50% = 40 points >= 5 -> bias; 3 of 4 checks pass.
        let e = resolution_host().run(&NonresponseBias, json!({}));
        let rows = &e.drilldowns[0].rows;
        let z = 8.0 / (40.0f64 * 40.0 * 56.0 * 24.0 / (6400.0 * 79.0)).sqrt();
        assert!((z - 3.87912).abs() < 1e-5);
        assert_eq!(rows[0][6], json!(40.0));
        assert_eq!(rows[0][8], num(Some(z)));
        let p = normal_two_sided_p(z);
        assert_eq!(rows[0][10], num(Some(4.0 * p)));
        assert_eq!(rows[0][12], json!(true));
        assert_eq!(e.score, Some(0.75));
        let check = e.checks.iter().find(|c| c.id == "resolution_gap").unwrap();
        assert_eq!((check.measured.clone(), check.passed), (json!(40.0), false));
        assert!(e.actions[0].text.contains("resolution rate (+40.0 points)"));
        // At alpha 3e-4 the raw p (1.05e-4) would count, the Holm-adjusted 4.19e-4 does not.
        let e = resolution_host().run(&NonresponseBias, json!({"alpha": 3e-4}));
        assert_eq!(e.status, Status::Met);
        // A practical threshold above 40 points clears it too.
        let e = resolution_host().run(&NonresponseBias, json!({"max_gap_points": 45.0}));
        assert_eq!(e.status, Status::Met);
    }

    #[test]
    fn no_non_respondents_is_not_applicable() {
        let contacts = [contact("r1", "voice", 10, true)];
        let surveys = [invite("s1", "r1", "voice", "A1", T).answered(5)];
        let h = with_contacts_and_surveys(january(), &contacts, &surveys);
        assert_eq!(
            h.run(&NonresponseBias, json!({})).status,
            Status::NotApplicable
        );
    }
}

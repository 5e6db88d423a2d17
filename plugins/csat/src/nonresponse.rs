//! CX3: non-response bias — respondents vs non-respondents on what the
//! contact records say (resolution, transfers, wait, handle time).

use cxaudit_metrics::survey::{MeanZTest, ZTest, two_mean_z_test, two_proportion_z_test};
use cxaudit_plugin_sdk::prelude::*;
use serde::Deserialize;
use serde_json::json;

use crate::common::{self, Contact, Window, num, score_from_checks};

/// Evaluator `nonresponse_bias`.
pub struct NonresponseBias;

/// Parameters of [`NonresponseBias`].
#[derive(Debug, Deserialize)]
pub struct NonresponseParams {
    /// Significance level of the tests.
    pub alpha: f64,
    /// A proportion gap is practically large from this many points (5 = 5 points).
    pub max_gap_points: f64,
    /// A mean gap is practically large from this standardized effect size (Cohen's d).
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
    /// Gap respondents - non-respondents, in points (proportions) or seconds (means).
    pub gap: Option<f64>,
    /// Standardized effect size (Cohen's h for proportions, Cohen's d for means).
    pub effect_size: Option<f64>,
    /// z statistic.
    pub z: Option<f64>,
    /// Two-sided p-value.
    pub p_value: Option<f64>,
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
            "Respondents are compared with invited non-respondents on resolution, transfer rate, \
             wait and handle time of their contacts; no gap may be both statistically \
             significant and practically large.",
        )
        .table(
            TableNeed::required("surveys")
                .column("survey_id", ColumnType::String)
                .column("contact_id", ColumnType::String)
                .column("channel", ColumnType::String)
                .column("invited_at", ColumnType::Timestamp)
                .optional_column("responded_at", ColumnType::Timestamp)
                .optional_column("csat", ColumnType::Integer),
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
        .parameter(
            ParamSpec::number("alpha", 0.05)
                .min(0.0)
                .max(1.0)
                .describe("significance level of the tests"),
        )
        .parameter(
            ParamSpec::number("max_gap_points", 5.0)
                .min(0.0)
                .max(100.0)
                .describe("a proportion gap is practically large from this many percentage points"),
        )
        .parameter(
            ParamSpec::number("max_effect_size", 0.2)
                .min(0.0)
                .describe("a mean gap is practically large from this Cohen's d"),
        )
        .measurement(
            "linked_invitations",
            "invitations",
            "invitations in the period linked to a contact",
        )
        .measurement(
            "resolution_gap_points",
            "points",
            "resolved share of respondents - of non-respondents, x100",
        )
        .measurement(
            "transfer_gap_points",
            "points",
            "transfer rate of respondents - of non-respondents, x100",
        )
        .measurement(
            "wait_gap_seconds",
            "seconds",
            "mean wait of respondents - of non-respondents",
        )
        .measurement(
            "handle_time_gap_seconds",
            "seconds",
            "mean handle time of respondents - of non-respondents",
        )
        .measurement(
            "biased_comparisons",
            "comparisons",
            "comparisons with a gap both significant and practically large",
        )
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &NonresponseParams) -> Result<Evaluation, EvalError> {
        let window = Window::from_context(ctx)?;
        let invitations = common::load_invitations(&ctx.table("surveys")?, &window)?;
        let contacts = common::load_contacts(&ctx.table("contacts")?)?;
        let by_id = contacts.by_id();
        let (mut respondents, mut others) = (Vec::new(), Vec::new());
        let mut unlinked = 0usize;
        for i in &invitations.rows {
            match i.contact_id.as_deref().and_then(|id| by_id.get(id)) {
                Some(c) if i.responded() => respondents.push(*c),
                Some(c) => others.push(*c),
                None => unlinked += 1,
            }
        }
        if respondents.is_empty() {
            return Err(EvalError::MissingEvidence(
                "no survey response in the period is linked to a contact".into(),
            ));
        }
        if others.is_empty() {
            return Err(EvalError::NotApplicable(
                "every linked invitation was answered: there are no non-respondents to compare"
                    .into(),
            ));
        }
        let comparisons = compare_all(&respondents, &others, p);
        let mut e = common::evaluation_noting_skipped(&invitations, Some(&contacts));
        if unlinked > 0 {
            e.observations.push(format!(
                "{unlinked} invitations have no contact_id or one not found in contacts; they are not compared."
            ));
        }
        report(&comparisons, respondents.len(), others.len(), p, &mut e);
        Ok(e)
    }
}

/// The four comparisons of respondents' and non-respondents' contacts.
pub fn compare_all(
    respondents: &[&Contact],
    others: &[&Contact],
    p: &NonresponseParams,
) -> Vec<Comparison> {
    let flag = |f: fn(&Contact) -> Option<bool>, group: &[&Contact]| -> (u64, u64) {
        let values: Vec<bool> = group.iter().filter_map(|c| f(c)).collect();
        (
            values.iter().filter(|v| **v).count() as u64,
            values.len() as u64,
        )
    };
    let values = |f: fn(&Contact) -> Option<f64>, group: &[&Contact]| -> Vec<f64> {
        group
            .iter()
            .filter_map(|c| f(c))
            .filter(|v| v.is_finite())
            .collect()
    };
    vec![
        proportion(
            "resolution",
            flag(|c| c.resolved, respondents),
            flag(|c| c.resolved, others),
            p,
        ),
        proportion(
            "transfer",
            flag(|c| c.transferred, respondents),
            flag(|c| c.transferred, others),
            p,
        ),
        means(
            "wait",
            &values(Contact::wait_seconds, respondents),
            &values(Contact::wait_seconds, others),
            p,
        ),
        means(
            "handle_time",
            &values(|c| c.handle_seconds, respondents),
            &values(|c| c.handle_seconds, others),
            p,
        ),
    ]
}

fn proportion(id: &'static str, r: (u64, u64), o: (u64, u64), p: &NonresponseParams) -> Comparison {
    let computable = r.1 > 0 && o.1 > 0;
    let share = |(x, n): (u64, u64)| (n > 0).then(|| x as f64 / n as f64);
    let (p1, p2) = (share(r), share(o));
    let test: Option<ZTest> = two_proportion_z_test(r.0, r.1, o.0, o.1);
    let gap = p1.zip(p2).map(|(a, b)| (a - b) * 100.0);
    let h = p1
        .zip(p2)
        .map(|(a, b)| 2.0 * a.sqrt().asin() - 2.0 * b.sqrt().asin());
    // Identical all-or-nothing groups have no standard error: no difference, p = 1.
    let p_value = test.map(|t| t.p_value).or(computable.then_some(1.0));
    let significant = p_value.is_some_and(|v| v < p.alpha);
    let large = gap.is_some_and(|g| g.abs() >= p.max_gap_points);
    Comparison {
        id,
        unit: "ratio",
        n_respondents: r.1,
        n_nonrespondents: o.1,
        respondents: p1,
        nonrespondents: p2,
        gap,
        effect_size: h,
        z: test.map(|t| t.z),
        p_value,
        test: "two-proportion z-test (pooled)",
        biased: significant && large,
        computable,
    }
}

fn means(id: &'static str, r: &[f64], o: &[f64], p: &NonresponseParams) -> Comparison {
    let computable = r.len() >= 2 && o.len() >= 2;
    let test: Option<MeanZTest> = two_mean_z_test(r, o);
    let m1 = cxaudit_metrics::stats::mean(r);
    let m2 = cxaudit_metrics::stats::mean(o);
    let gap = m1.zip(m2).map(|(a, b)| a - b);
    let p_value = test.map(|t| t.p_value).or(computable.then_some(1.0));
    let d = test.and_then(|t| t.cohens_d);
    let significant = p_value.is_some_and(|v| v < p.alpha);
    let large = d.is_some_and(|d| d.abs() >= p.max_effect_size);
    Comparison {
        id,
        unit: "seconds",
        n_respondents: r.len() as u64,
        n_nonrespondents: o.len() as u64,
        respondents: m1,
        nonrespondents: m2,
        gap,
        effect_size: d,
        z: test.map(|t| t.z),
        p_value,
        test: "Welch z-test (normal approximation of Welch's t)",
        biased: significant && large,
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
            &format!("{} of respondents vs non-respondents", label(c.id)),
            json!({"gap": num(c.gap), "effect_size": num(c.effect_size), "p_value": num(c.p_value)}),
            format!("not both p < {} and |gap| >= {threshold}", p.alpha),
            c.computable && !c.biased,
        ));
    }
    score_from_checks(e);
    let find = |id: &str| comparisons.iter().find(|c| c.id == id).and_then(|c| c.gap);
    e.measurements.extend([
        Measurement::new(
            "linked_invitations",
            Some((n_resp + n_other) as f64),
            "invitations",
            "invitations in the period linked to a contact",
        ),
        Measurement::new(
            "resolution_gap_points",
            find("resolution"),
            "points",
            "resolved share of respondents - of non-respondents, x100",
        ),
        Measurement::new(
            "transfer_gap_points",
            find("transfer"),
            "points",
            "transfer rate of respondents - of non-respondents, x100",
        ),
        Measurement::new(
            "wait_gap_seconds",
            find("wait"),
            "seconds",
            "mean wait of respondents - of non-respondents",
        ),
        Measurement::new(
            "handle_time_gap_seconds",
            find("handle_time"),
            "seconds",
            "mean handle time of respondents - of non-respondents",
        ),
        Measurement::new(
            "biased_comparisons",
            Some(comparisons.iter().filter(|c| c.biased).count() as f64),
            "comparisons",
            "comparisons with a gap both significant and practically large",
        ),
    ]);
    let parts: Vec<String> = comparisons
        .iter()
        .map(|c| {
            format!(
                "{} {} (p = {})",
                label(c.id).to_lowercase(),
                gap_text(c),
                c.p_value.map_or("n/a".into(), |v| format!("{v:.3}"))
            )
        })
        .collect();
    let biased: Vec<&Comparison> = comparisons.iter().filter(|c| c.biased).collect();
    e.summary = format!(
        "{n_resp} respondents vs {n_other} non-respondents: {}; {} of 4 gaps both significant and practically large.",
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
            "An invitation in the period with a response time or a CSAT answer, linked to its contact by contact_id; non-respondents are the other linked invitations.",
        ),
        Definition::new(
            "proportion test",
            "Two-proportion z-test with pooled p; gap in percentage points; effect size Cohen's h = 2 asin sqrt p1 - 2 asin sqrt p2.",
        ),
        Definition::new(
            "mean test",
            "Welch statistic z = (m1 - m2) / sqrt(s1²/n1 + s2²/n2) with a normal p-value (large-sample approximation of Welch's t); effect size Cohen's d with the pooled SD.",
        ),
        Definition::new(
            "wait and handle time",
            "Wait = answered_at - arrived_at (abandoned: ended_at - arrived_at); handle time = talk + hold + wrap seconds.",
        ),
        Definition::new(
            "bias",
            &format!(
                "A gap is a bias when p < {} and it is practically large: |gap| >= {} points for proportions, |d| >= {} for means.",
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
                    json!(c.test),
                    json!(c.biased),
                ]
            })
            .collect(),
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
    use cxaudit_plugin_sdk::testing::TestHost;

    const DAY: &str = "2026-01-10T";

    fn contact(id: &'static str, wait: u32, resolved: bool) -> C {
        let answered: &'static str = Box::leak(format!("{DAY}10:00:{wait:02}").into_boxed_str());
        let mut c = handled(
            id,
            "voice",
            "A1",
            "2026-01-10T10:00:00",
            answered,
            "2026-01-10T10:10:00",
        );
        c.resolved = Some(resolved);
        c
    }

    /// Respondents r1-r4: resolved 4/4, waits 10, 20, 30, 40 s.
    /// Non-respondents n1-n4: resolved 1/4, waits 20, 30, 40, 50 s.
    /// Transfers none, handle time 300 s everywhere.
    fn host() -> TestHost {
        let contacts = [
            contact("r1", 10, true),
            contact("r2", 20, true),
            contact("r3", 30, true),
            contact("r4", 40, true),
            contact("n1", 20, true),
            contact("n2", 30, false),
            contact("n3", 40, false),
            contact("n4", 50, false),
        ];
        let t = "2026-01-10T11:00:00";
        let surveys = [
            invite("s1", "r1", "voice", "A1", t).answered(5),
            invite("s2", "r2", "voice", "A1", t).answered(4),
            invite("s3", "r3", "voice", "A1", t).answered(4),
            invite("s4", "r4", "voice", "A1", t).answered(3),
            invite("s5", "n1", "voice", "A1", t),
            invite("s6", "n2", "voice", "A1", t),
            invite("s7", "n3", "voice", "A1", t),
            invite("s8", "n4", "voice", "A1", t),
            invite("s9", "missing", "voice", "A1", t),
        ];
        with_contacts_and_surveys(january(), &contacts, &surveys)
    }

    #[test]
    fn significant_and_large_resolution_gap_fails_only_that_check() {
        // Resolution 4/4 vs 1/4: pooled 5/8, se = sqrt(0.625*0.375*0.5) = 0.342327,
        // z = 0.75/0.342327 = 2.19089, p = 0.02846 < 0.05 and gap 75 points >= 5 -> bias.
        // Wait: means 25 vs 35 s, variances 166.67 each, z = -10/sqrt(83.33) = -1.0954,
        // p = 0.273, d = -10/12.91 = -0.775: large but not significant -> passes.
        // Transfers 0/4 vs 0/4 and handle 300 s vs 300 s: no difference, p = 1 -> pass.
        // Score 3 of 4 = 0.75.
        let e = host().run(&NonresponseBias, json!({}));
        let rows = &e.drilldowns[0].rows;
        assert_eq!(rows[0][0], json!("resolution"));
        assert_eq!(rows[0][6], json!(75.0));
        assert_eq!(rows[0][8], json!(2.19089));
        assert_eq!(rows[0][11], json!(true));
        assert_eq!(rows[2][0], json!("wait"));
        assert_eq!(rows[2][6], json!(-10.0));
        let z = -10.0 / (500.0f64 / 3.0 / 2.0).sqrt();
        assert_eq!(rows[2][8], num(Some(z)));
        assert_eq!(rows[2][9], num(Some(normal_two_sided_p(z))));
        assert_eq!(rows[2][7], num(Some(-10.0 / (500.0f64 / 3.0).sqrt())));
        assert_eq!(rows[2][11], json!(false));
        assert_eq!(rows[1][9], json!(1.0));
        let failed: Vec<&str> = e
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(failed, ["resolution_gap"]);
        assert_eq!(e.score, Some(0.75));
        assert!(
            e.observations
                .iter()
                .any(|o| o.starts_with("1 invitations have no contact_id"))
        );
        assert!(e.actions[0].text.contains("resolution rate (+75.0 points)"));
        // A looser significance level makes the wait gap a bias too (p 0.273 < 0.3).
        let e = host().run(&NonresponseBias, json!({"alpha": 0.3}));
        assert_eq!(e.score, Some(0.5));
        // A practical threshold above 75 points clears resolution.
        let e = host().run(&NonresponseBias, json!({"max_gap_points": 80.0}));
        assert_eq!(e.status, Status::Met);
    }

    #[test]
    fn no_non_respondents_is_not_applicable() {
        let contacts = [contact("r1", 10, true)];
        let surveys = [invite("s1", "r1", "voice", "A1", "2026-01-10T11:00:00").answered(5)];
        let h = with_contacts_and_surveys(january(), &contacts, &surveys);
        assert_eq!(
            h.run(&NonresponseBias, json!({})).status,
            Status::NotApplicable
        );
    }
}

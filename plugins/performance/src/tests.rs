//! Hand-worked fixtures for PF1-PF4.

use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::testing::{TableBuilder, TestHost};
use serde_json::json;

use crate::{CustomerSatisfaction, DemandCost, FirstContactResolution, KpiAttainment};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

fn measurement(e: &Evaluation, name: &str) -> Option<f64> {
    e.measurement(name).and_then(|m| m.value)
}

/// Survey rows: (invited_at, csat, nps, responded).
fn surveys(rows: &[(&str, Option<i64>, Option<i64>, bool)]) -> TestHost {
    let n = rows.len();
    let t = TableBuilder::new()
        .strings("channel", vec![Some("voice"); n])
        .strings("agent_id", vec![Some("A1"); n])
        .timestamps("invited_at", rows.iter().map(|r| Some(r.0)))
        .timestamps("responded_at", rows.iter().map(|r| r.3.then_some(r.0)))
        .integers("csat", rows.iter().map(|r| r.1))
        .integers("nps", rows.iter().map(|r| r.2))
        .build();
    TestHost::new()
        .period("2026-01-01", "2026-04-30")
        .table("surveys", t)
}

/// `n` responses in a month, `top` of them CSAT 5 and the rest 2, NPS as given.
fn month(
    rows: &mut Vec<(&'static str, Option<i64>, Option<i64>, bool)>,
    day: &'static str,
    n: usize,
    top: usize,
    nps: Option<i64>,
) {
    for i in 0..n {
        rows.push((day, Some(if i < top { 5 } else { 2 }), nps, true));
    }
}

#[test]
fn csat_met_in_three_of_four_months_with_an_empty_month() {
    // Jan, Mar, Apr: 9 of 10 top-2 = 0.90 >= 0.85; NPS 100 >= 30. Feb: invitations, no response
    // (counts as not met). 3 of the last 4 months -> both checks pass, score 1.
    let mut rows = Vec::new();
    month(&mut rows, "2026-01-10T10:00:00", 10, 9, Some(10));
    rows.push(("2026-02-10T10:00:00", None, None, false));
    month(&mut rows, "2026-03-10T10:00:00", 10, 9, Some(10));
    month(&mut rows, "2026-04-10T10:00:00", 10, 9, Some(10));
    let e = surveys(&rows).run(&CustomerSatisfaction, json!({}));
    assert_eq!(e.checks.len(), 2, "{e:?}");
    assert_eq!(e.checks[0].measured, json!(3.0));
    assert_eq!(e.score, Some(1.0));
    assert!(
        e.observations
            .iter()
            .any(|o| o.contains("no responses in 2026-02"))
    );
    assert_eq!(e.charts[0].series[0].values[1], None);
    assert!(close(measurement(&e, "csat_top2").unwrap(), 27.0 / 30.0));
}

#[test]
fn csat_significant_improvement_meets_by_trend() {
    // Jan 10/20 = 0.50, Apr 19/20 = 0.95, Feb and Mar empty: 1 of 4 months met.
    // z-test Apr vs Jan: pooled 29/40 = 0.725, SE = sqrt(0.725 x 0.275 x 0.1) = 0.14120,
    // z = 0.45 / 0.14120 = 3.187, p = 0.0014 < 0.05 -> met by trend. No NPS: not judged.
    let mut rows = Vec::new();
    month(&mut rows, "2026-01-10T10:00:00", 20, 10, None);
    month(&mut rows, "2026-04-10T10:00:00", 20, 19, None);
    let e = surveys(&rows).run(&CustomerSatisfaction, json!({}));
    assert_eq!(e.checks.len(), 1, "{e:?}");
    assert_eq!(e.score, Some(1.0));
    assert!(e.summary.contains("z = 3.19"), "{}", e.summary);
    // Without the trend rule: credit 1 of 3 required months.
    let e = surveys(&rows).run(&CustomerSatisfaction, json!({"allow_trend": false}));
    assert!(close(e.score.unwrap(), 1.0 / 3.0));
    assert!(e.actions[0].text.contains("2026-02 (no responses)"));
}

/// Survey rows with their selection method: (invited_at, selection, csat).
fn selected_surveys(rows: &[(&str, &str, i64)]) -> TestHost {
    let n = rows.len();
    let t = TableBuilder::new()
        .strings("channel", vec![Some("voice"); n])
        .strings("agent_id", vec![Some("A1"); n])
        .strings("selection", rows.iter().map(|r| Some(r.1)))
        .timestamps("invited_at", rows.iter().map(|r| Some(r.0)))
        .timestamps("responded_at", rows.iter().map(|r| Some(r.0)))
        .integers("csat", rows.iter().map(|r| Some(r.2)))
        .integers("nps", rows.iter().map(|_| None))
        .build();
    TestHost::new()
        .period("2026-01-01", "2026-04-30")
        .table("surveys", t)
}

#[test]
fn a_falling_share_of_customer_initiated_feedback_is_no_improvement() {
    // The baseline mechanism: agent-selected responses are flat at 19 of 20 top-2
    // (0.95) in January and April; customer-initiated feedback (csat 1) falls from 20
    // rows to 2. Mixed in, CSAT would rise from 19/40 = 0.475 to 19/22 = 0.864:
    // pooled 38/62 = 0.6129, SE = sqrt(0.6129 x 0.3871 x (1/40 + 1/22)) = 0.12944,
    // z = 0.3889 / 0.12944 = 3.00, p = 0.0027: "met" by a trend that is only the mix.
    // On the sample (no random invitation: the agent-selected ones, flagged as biased)
    // both months are 0.95: z = 0, no improvement; 2 of 4 months with responses meet
    // 0.85 (Feb, Mar empty) -> credit 2/3, partially met.
    let mut rows = Vec::new();
    for (day, feedback) in [("2026-01-10T10:00:00", 20), ("2026-04-10T10:00:00", 2)] {
        for i in 0..20 {
            rows.push((day, "agent_selected", if i < 19 { 5 } else { 2 }));
        }
        for _ in 0..feedback {
            rows.push((day, "customer_initiated", 1));
        }
    }
    let e = selected_surveys(&rows).run(&CustomerSatisfaction, json!({}));
    assert!(close(measurement(&e, "csat_top2").unwrap(), 38.0 / 40.0));
    assert!(close(e.score.unwrap(), 2.0 / 3.0), "{e:?}");
    assert_eq!(e.status, Status::PartiallyMet);
    assert!(!e.summary.contains("improvement"), "{}", e.summary);
    assert!(
        e.observations.iter().any(|o| o.contains("biased sample")),
        "{:?}",
        e.observations
    );
    // Once random invitations exist they are the sample: 3 random responses in April,
    // 1 top-2 -> April 1/3; January has no random invitation, so it keeps its flagged
    // agent-selected figure 0.95; overall over the 3 random responses = 1/3.
    let mut with_random = rows.clone();
    with_random.extend([
        ("2026-04-11T10:00:00", "random", 5),
        ("2026-04-11T10:00:00", "random", 3),
        ("2026-04-11T10:00:00", "random", 2),
    ]);
    let e = selected_surveys(&with_random).run(&CustomerSatisfaction, json!({}));
    assert!(close(measurement(&e, "csat_top2").unwrap(), 1.0 / 3.0));
    let april = &e.drilldowns[0].rows[3];
    assert_eq!(april[1], json!(3));
    assert!(
        e.observations
            .iter()
            .any(|o| o.contains("No random or census invitation in 2026-01:")),
        "{:?}",
        e.observations
    );
}

/// A contact row: (customer, agent, queue, arrived, abandoned, talk, reason).
type ContactRow<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
    &'a str,
    bool,
    f64,
    &'a str,
);

/// Contacts: (customer, agent, queue, arrived, abandoned, talk seconds, reason); ended = arrived + talk.
fn contacts(rows: &[ContactRow<'_>]) -> arrow_array::RecordBatch {
    let parse = |s: &str| {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
            .map(|t| t.and_utc().timestamp())
            .unwrap_or(0)
    };
    let fmt = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string())
            .unwrap_or_default()
    };
    let ended: Vec<String> = rows.iter().map(|r| fmt(parse(r.3) + r.5 as i64)).collect();
    let ids: Vec<String> = (0..rows.len()).map(|i| format!("c{i}")).collect();
    TableBuilder::new()
        .strings("contact_id", ids.iter().map(|s| Some(s.as_str())))
        .strings("customer_id", rows.iter().map(|r| r.0))
        .strings("channel", rows.iter().map(|_| Some("voice")))
        .strings("queue", rows.iter().map(|r| Some(r.2)))
        .strings(
            "agent_id",
            rows.iter().map(|r| if r.4 { None } else { r.1 }),
        )
        .timestamps("arrived_at", rows.iter().map(|r| Some(r.3)))
        .timestamps("answered_at", rows.iter().map(|r| (!r.4).then_some(r.3)))
        .timestamps("ended_at", ended.iter().map(|s| Some(s.as_str())))
        .floats("talk_seconds", rows.iter().map(|r| Some(r.5)))
        .floats("hold_seconds", rows.iter().map(|_| Some(0.0)))
        .floats("wrap_seconds", rows.iter().map(|_| Some(0.0)))
        .bools("abandoned", rows.iter().map(|r| Some(r.4)))
        .bools("transferred", rows.iter().map(|_| Some(false)))
        .strings("contact_reason", rows.iter().map(|r| Some(r.6)))
        .build()
}

/// The seven contacts of the FCR fixture (FCR 3 / 5 = 0.60).
fn fcr_contacts() -> arrow_array::RecordBatch {
    contacts(&[
        (
            Some("k1"),
            Some("X1"),
            "q1",
            "2026-01-01T10:00:00",
            false,
            300.0,
            "billing",
        ),
        (
            Some("k1"),
            Some("X2"),
            "q1",
            "2026-01-03T10:00:00",
            false,
            300.0,
            "delivery",
        ),
        (
            Some("k2"),
            Some("X1"),
            "q1",
            "2026-01-02T10:00:00",
            false,
            300.0,
            "delivery",
        ),
        (
            Some("k3"),
            Some("X1"),
            "q2",
            "2026-01-02T11:00:00",
            false,
            300.0,
            "billing",
        ),
        (
            Some("k3"),
            Some("X2"),
            "q2",
            "2026-01-05T10:00:00",
            false,
            300.0,
            "delivery",
        ),
        (
            Some("k4"),
            Some("X2"),
            "q2",
            "2026-01-20T10:00:00",
            false,
            300.0,
            "delivery",
        ),
        (
            None,
            Some("X2"),
            "q1",
            "2026-01-04T10:00:00",
            false,
            300.0,
            "delivery",
        ),
    ])
}

#[test]
fn fcr_drills_down_to_agents_queues_and_reasons() {
    // Data end = latest arrival 01-20 10:00; window 7 days.
    // 0 k1 X1 q1 01-01 billing -> k1 again 01-03: repeat generator
    // 1 k1 X2 q1 01-03 delivery -> resolved
    // 2 k2 X1 q1 01-02 delivery -> resolved
    // 3 k3 X1 q2 01-02 billing -> k3 again 01-05: repeat generator
    // 4 k3 X2 q2 01-05 delivery -> resolved (window ends 01-12 < 01-20)
    // 5 k4 X2 q2 01-20 delivery -> censored
    // 6 no customer X2 q1 01-04 -> excluded
    // Eligible 5, repeats 2 -> FCR 0.60 = floor -> credit 0, not met.
    // X1: 2 repeats of 3 eligible -> 1/3 < 0.70 on the point estimate, but resolving 1 of 3 at a
    // true FCR of 0.70 happens with P(X <= 1) = 0.3^3 + 3 x 0.7 x 0.3^2 = 0.216: not significant,
    // so X1 is not on the coaching list (one agent tested, Holm = raw p). X2: 1.0.
    // q1 2/3, q2 1/2. Reasons: billing 2 repeats of 2; delivery 0 of 3.
    let t = fcr_contacts();
    let e = TestHost::new()
        .table("contacts", t)
        .run(&FirstContactResolution, json!({"min_volume": 2}));
    assert!(close(measurement(&e, "fcr_rate").unwrap(), 0.6), "{e:?}");
    assert_eq!(e.score, Some(0.0));
    assert_eq!(e.status, Status::NotMet);
    assert_eq!(measurement(&e, "agents_to_coach"), Some(0.0));
    assert_eq!(measurement(&e, "agents_under_threshold"), Some(1.0));
    let coaching = e.drilldown("coaching_list").unwrap();
    assert!(coaching.rows.is_empty());
    let queues = e.drilldown("fcr_by_queue").unwrap();
    assert_eq!(queues.rows[1][5], json!(0.5));
    let reasons = e.drilldown("repeat_drivers").unwrap();
    assert_eq!(reasons.rows[0][0], json!("billing"));
    assert_eq!(reasons.rows[0][3], json!(2));
    assert!(e.actions.iter().all(|a| !a.text.contains("Coach agents")));
    // With the default minimum volume of 30, nobody is on the coaching list.
    let t = contacts(&[
        (
            Some("k1"),
            Some("X1"),
            "q1",
            "2026-01-01T10:00:00",
            false,
            300.0,
            "billing",
        ),
        (
            Some("k1"),
            Some("X2"),
            "q1",
            "2026-01-20T10:00:00",
            false,
            300.0,
            "billing",
        ),
    ]);
    let e = TestHost::new()
        .table("contacts", t)
        .run(&FirstContactResolution, json!({}));
    assert_eq!(measurement(&e, "agents_to_coach"), Some(0.0));
}

/// Agents Y1, Y2, Y3 each answer ten customers on 2026-01-02 (10:00 to 19:00); the first
/// `repeats[k]` of them come back abandoned the next day. A customerless contact on 02-01 sets
/// the data end, so every window closes inside the data.
fn coaching_contacts(repeats: [usize; 3]) -> arrow_array::RecordBatch {
    let mut owned: Vec<(String, &str, String, bool)> = Vec::new();
    for (k, agent) in ["Y1", "Y2", "Y3"].into_iter().enumerate() {
        for i in 0..10 {
            let customer = format!("c{k}{i}");
            owned.push((
                customer.clone(),
                agent,
                format!("2026-01-02T{:02}:00:00", 10 + i),
                false,
            ));
            if i < repeats[k] {
                owned.push((
                    customer,
                    agent,
                    format!("2026-01-03T{:02}:00:00", 10 + i),
                    true,
                ));
            }
        }
    }
    let mut rows: Vec<ContactRow<'_>> = owned
        .iter()
        .map(|(c, a, t, abandoned)| {
            (
                Some(c.as_str()),
                Some(*a),
                "q1",
                t.as_str(),
                *abandoned,
                if *abandoned { 0.0 } else { 300.0 },
                "billing",
            )
        })
        .collect();
    rows.push((
        None,
        Some("Y9"),
        "q1",
        "2026-02-01T10:00:00",
        false,
        300.0,
        "billing",
    ));
    contacts(&rows)
}

#[test]
fn coaching_list_by_binomial_test_with_holm_and_abandoned_recontacts_as_repeats() {
    // Y1 resolves 4 of 10, Y2 2 of 10, Y3 6 of 10: all three under 70% on the point estimate.
    // One-sided exact binomial p = P(X <= resolved), X ~ Binomial(10, 0.7):
    //   Y2: P(X <= 2) = 0.0000059 + 0.0001378 + 0.0014467 = 0.0015904
    //   Y1: P(X <= 4) = 0.0015904 + 0.0090017 + 0.0367569 = 0.0473490
    //   Y3: P(X <= 6) = 0.0473490 + 252 x 0.7^5 x 0.3^5 + 210 x 0.7^6 x 0.3^4
    //                 = 0.0473490 + 0.1029193 + 0.2001209 = 0.3503893
    // Holm over m = 3: Y2 0.0015904 x 3 = 0.0047712; Y1 0.0473490 x 2 = 0.0946980;
    // Y3 0.3503893 x 1, running max 0.3503893. Under 0.05: Y2 only. Y1's raw p is under
    // 0.05, but not once three agents are tested.
    // The re-contacts are abandoned: they count as repeats (18 of 30 eligible, FCR 0.40) and
    // are never eligible themselves; without them as repeats FCR would be 30 / 30 = 1.0.
    let e = TestHost::new()
        .table("contacts", coaching_contacts([6, 8, 4]))
        .run(&FirstContactResolution, json!({"min_volume": 10}));
    assert!(close(measurement(&e, "fcr_rate").unwrap(), 0.4), "{e:?}");
    assert_eq!(
        measurement(&e, "fcr_rate_abandoned_recontacts_not_repeats"),
        Some(1.0)
    );
    assert_eq!(measurement(&e, "agents_under_threshold"), Some(3.0));
    assert_eq!(measurement(&e, "agents_to_coach"), Some(1.0));
    let coaching = e.drilldown("coaching_list").unwrap();
    assert_eq!(coaching.rows.len(), 1);
    assert_eq!(coaching.rows[0][0], json!("Y2"));
    let p = coaching.rows[0][6].as_f64().unwrap();
    let holm = coaching.rows[0][7].as_f64().unwrap();
    assert!((p - 0.001_590_386_4).abs() < 1e-9, "{p}");
    assert!((holm - 3.0 * 0.001_590_386_4).abs() < 1e-9, "{holm}");
    assert!(
        e.actions
            .iter()
            .any(|a| a.text.starts_with("Coach agents Y2 (20.0%, 10 eligible)"))
    );
    // At alpha 0.10 Y1 joins (0.0947 < 0.10), Y3 does not.
    let e = TestHost::new()
        .table("contacts", coaching_contacts([6, 8, 4]))
        .run(
            &FirstContactResolution,
            json!({"min_volume": 10, "coaching_alpha": 0.10}),
        );
    assert_eq!(measurement(&e, "agents_to_coach"), Some(2.0));
    // The definitions state both rules.
    let def = |term: &str| {
        e.definitions
            .iter()
            .find(|d| d.term == term)
            .map(|d| d.text.clone())
            .unwrap_or_default()
    };
    assert!(def("repeat").contains("An abandoned re-contact counts as a repeat"));
    assert!(def("coaching list").contains("Holm-adjusted"));
}

#[test]
fn fcr_target_follows_the_target_policy() {
    // FCR 0.60 (the fixture above), floor 0.40, no bound. The centre documents at least 55%
    // (kpi_targets row 1, percent); the pack's target is 0.80.
    let targets = || {
        TableBuilder::new()
            .strings("kpi", [Some("fcr_rate")])
            .floats("target", [Some(55.0)])
            .strings("direction", [Some("min")])
            .strings("unit", [Some("percent")])
            .build()
    };
    let run = |policy: &str| {
        TestHost::new()
            .table("contacts", fcr_contacts())
            .table("kpi_targets", targets())
            .run(
                &FirstContactResolution,
                json!({"target": 0.80, "floor": 0.40, "laxest_target": 0.0, "target_policy": policy}),
            )
    };
    // centre: 0.60 >= 0.55, met.
    let centre = run("centre");
    assert_eq!(centre.score, Some(1.0), "{centre:?}");
    assert!(
        centre
            .summary
            .contains("against target 55.0% (the centre's kpi_targets row 1"),
        "{}",
        centre.summary
    );
    // stricter_of: max(0.55, 0.80) = 0.80, the pack's; credit (0.60 - 0.40) / (0.80 - 0.40) = 0.5.
    let strict = run("stricter_of");
    assert!(close(strict.score.unwrap(), 0.5), "{strict:?}");
    assert_eq!(strict.status, Status::PartiallyMet);
    assert_eq!(
        strict.checks[0].expected,
        ">= 0.8 (pack parameter `target`: stricter than the centre's 55.0% (kpi_targets row 1) (policy stricter_of)); no credit at <= 0.4"
    );
    assert!(
        strict
            .summary
            .contains("against target 80.0% (pack parameter `target`"),
        "{}",
        strict.summary
    );
    assert!(
        strict
            .definitions
            .iter()
            .any(|d| d.term == "fcr_rate target" && d.text.contains("target_policy = stricter_of")),
        "{:?}",
        strict.definitions
    );
    // pack: the pack's 0.80 whatever the centre says.
    assert!(close(run("pack").score.unwrap(), 0.5));
    // An unknown policy is refused as a parameter error.
    assert_eq!(run("lenient").status, Status::Error);
}

fn demand_host() -> TestHost {
    // Contacts: Jan 10, Feb 15, Mar 20 (answered, handled), on the 10th of each month; orders
    // 100, 200, 400 and cost 1000, 1800, 3200 on the same days.
    let mut rows = Vec::new();
    for (day, n) in [
        ("2026-01-10T10:00:00", 10),
        ("2026-02-10T10:00:00", 15),
        ("2026-03-10T10:00:00", 20),
    ] {
        for _ in 0..n {
            rows.push((None, Some("X1"), "q1", day, false, 200.0, "billing"));
        }
    }
    let daily = TableBuilder::new()
        .dates("date", ["2026-01-10", "2026-02-10", "2026-03-10"].map(Some))
        .integers("orders", [Some(100), Some(200), Some(400)])
        .floats("operating_cost", [Some(1000.0), Some(1800.0), Some(3200.0)])
        .build();
    TestHost::new()
        .period("2026-01-01", "2026-03-31")
        .table("contacts", contacts(&rows))
        .table("business_daily", daily)
}

#[test]
fn demand_and_cost_against_targets_trend_and_growth() {
    // CPO 45/700 = 0.0642857 <= 0.10: credit 1. Cost per order 6000/700 = 8.5714 vs 8.0
    // (floor 10.0): credit (10 - 8.5714)/2 = 0.714286. Monthly CPO 0.1, 0.075, 0.05: slope -0.025
    // passes; cost per order 10, 9, 8: slope -1 passes. Contact growth mean(0.5, 0.3333) = 0.416667
    // <= order growth mean(1, 1) = 1: passes. Score (1 + 0.714286 + 3) / 5 = 0.942857.
    let e = demand_host().run(&DemandCost, json!({"target_cost_per_order": 8.0}));
    assert!(
        close(measurement(&e, "contacts_per_order").unwrap(), 45.0 / 700.0),
        "{e:?}"
    );
    assert!(close(
        measurement(&e, "cost_per_order").unwrap(),
        6000.0 / 700.0
    ));
    assert!(close(
        measurement(&e, "cost_per_contact").unwrap(),
        6000.0 / 45.0
    ));
    assert!(close(
        measurement(&e, "contacts_per_order_slope").unwrap(),
        -0.025
    ));
    assert!(close(
        measurement(&e, "contact_growth").unwrap(),
        0.416_666_666_7
    ));
    assert_eq!(e.checks.len(), 5);
    assert!(close(e.score.unwrap(), (1.0 + 5.0 / 7.0 + 3.0) / 5.0));
    assert!(e.actions.iter().any(|a| a.text.contains("cost per order")));
}

#[test]
fn demand_without_cost_target_skips_the_cost_check() {
    // Default parameters: no cost-per-order target -> 4 checks, all pass -> met, and an action to set one.
    let e = demand_host().run(&DemandCost, json!({}));
    assert_eq!(e.checks.len(), 4, "{e:?}");
    assert_eq!(e.score, Some(1.0));
    assert!(
        e.actions
            .iter()
            .any(|a| a.text.contains("Set a cost-per-order target"))
    );
}

#[test]
fn attainment_matrix_with_reported_results_and_unknown_kpi() {
    // Jan: 2 answered contacts, talk 200 s: abandon 0 <= 0.05 met, AHT 200 <= 300 met.
    // Feb: 1 answered (talk 400) + 1 abandoned: abandon 0.5 missed, AHT 400 missed.
    // schedule_adherence: no adherence table -> kpi_results Jan 0.92 met, Feb 0.88 missed (min 0.90).
    // csat_top2 is skipped (PF1); made_up_kpi is not gradeable.
    // 3 of 6 pairs -> 0.5; graded(0.5, floor 0.3, target 0.9) = 1/3.
    let t = contacts(&[
        (
            Some("k1"),
            Some("X1"),
            "q1",
            "2026-01-10T10:00:00",
            false,
            200.0,
            "billing",
        ),
        (
            Some("k2"),
            Some("X1"),
            "q1",
            "2026-01-11T10:00:00",
            false,
            200.0,
            "billing",
        ),
        (
            Some("k3"),
            Some("X1"),
            "q1",
            "2026-02-10T10:00:00",
            false,
            400.0,
            "billing",
        ),
        (
            Some("k4"),
            None,
            "q1",
            "2026-02-11T10:00:00",
            true,
            0.0,
            "billing",
        ),
    ]);
    let targets = TableBuilder::new()
        .strings(
            "kpi",
            [
                "abandon_rate",
                "aht_seconds",
                "csat_top2",
                "made_up_kpi",
                "schedule_adherence",
            ]
            .map(Some),
        )
        .floats("target", [5.0, 300.0, 0.85, 1.0, 0.90].map(Some))
        .strings("direction", ["max", "max", "min", "min", "min"].map(Some))
        .strings(
            "unit",
            ["%", "seconds", "ratio", "widgets", "ratio"].map(Some),
        )
        .build();
    let results = TableBuilder::new()
        .strings(
            "kpi",
            ["schedule_adherence", "schedule_adherence"].map(Some),
        )
        .dates("month", ["2026-01", "2026-02"].map(Some))
        .floats("value", [Some(0.92), Some(0.88)])
        .build();
    let e = TestHost::new()
        .period("2026-01-01", "2026-02-28")
        .table("contacts", t)
        .table("kpi_targets", targets)
        .table("kpi_results", results)
        .run(&KpiAttainment, json!({"floor_share": 0.3}));
    assert!(
        close(measurement(&e, "kpi_target_attainment").unwrap(), 0.5),
        "{e:?}"
    );
    assert_eq!(measurement(&e, "targets_judged"), Some(3.0));
    assert_eq!(measurement(&e, "targets_not_gradeable"), Some(1.0));
    assert!(close(e.score.unwrap(), 1.0 / 3.0));
    let matrix = &e.drilldowns[0];
    assert_eq!(matrix.rows.len(), 4);
    // abandon_rate 5 `%` is judged as 5 / 100 = 0.05.
    assert_eq!(matrix.rows[0][1], json!(0.05));
    assert_eq!(
        matrix.rows[0][3],
        json!("the centre's kpi_targets row 1: the centre's documented target (policy centre)")
    );
    assert_eq!(matrix.rows[2][0], json!("schedule_adherence"));
    assert_eq!(matrix.rows[2][4], json!("0.92 (reported) met"));
    assert_eq!(matrix.rows[3][0], json!("made_up_kpi"));
    assert!(
        e.observations
            .iter()
            .any(|o| o.contains("taken from kpi_results"))
    );
    assert!(e.observations.iter().any(|o| o.contains("csat_top2")));
    assert!(
        e.actions
            .iter()
            .any(|a| a.text.contains("abandon_rate") && a.text.contains("2026-02 (0.5)"))
    );
}

#[test]
fn attainment_judges_a_lax_centre_target_at_the_standards_bound() {
    // Abandon rate: Jan 0 of 2 offered = 0, Feb 1 of 2 = 0.5. The centre documents at most
    // 60 percent = 0.60; the standard accepts at most 0.08 (laxest_targets.abandon_rate), so
    // 0.08 is judged: Jan met, Feb missed -> 1 of 2 pairs = 0.5. Against the centre's 0.60 both
    // months meet -> 2 of 2.
    let host = || {
        let t = contacts(&[
            (
                Some("k1"),
                Some("X1"),
                "q1",
                "2026-01-10T10:00:00",
                false,
                200.0,
                "billing",
            ),
            (
                Some("k2"),
                Some("X1"),
                "q1",
                "2026-01-11T10:00:00",
                false,
                200.0,
                "billing",
            ),
            (
                Some("k3"),
                Some("X1"),
                "q1",
                "2026-02-10T10:00:00",
                false,
                400.0,
                "billing",
            ),
            (
                Some("k4"),
                None,
                "q1",
                "2026-02-11T10:00:00",
                true,
                0.0,
                "billing",
            ),
        ]);
        let targets = TableBuilder::new()
            .strings("kpi", [Some("abandon_rate")])
            .floats("target", [Some(60.0)])
            .strings("direction", [Some("max")])
            .strings("unit", [Some("percent")])
            .build();
        TestHost::new()
            .period("2026-01-01", "2026-02-28")
            .table("contacts", t)
            .table("kpi_targets", targets)
    };
    let e = host().run(&KpiAttainment, json!({}));
    assert!(
        close(measurement(&e, "kpi_target_attainment").unwrap(), 0.5),
        "{e:?}"
    );
    assert_eq!(
        e.observations[0],
        "Centre target laxer than the standard accepts: the centre's kpi_targets row 1 sets abandon_rate <= 60.0%; the laxest target the standard accepts is <= 8.0% (`laxest_targets.abandon_rate`), so 8.0% is judged."
    );
    let row = &e.drilldowns[0].rows[0];
    assert_eq!(row[1], json!(0.08));
    assert!(
        row[3]
            .as_str()
            .unwrap()
            .starts_with("the standard's bound `laxest_targets.abandon_rate`")
    );
    assert!(
        e.summary.contains("1 laxer than the standard accepts"),
        "{}",
        e.summary
    );
    let lax = host().run(&KpiAttainment, json!({"laxest_targets": {}}));
    assert_eq!(measurement(&lax, "kpi_target_attainment"), Some(1.0));
    // A key that is not a KPI is refused.
    let bad = host().run(&KpiAttainment, json!({"laxest_targets": {"abandons": 0.1}}));
    assert_eq!(bad.status, Status::Error);
}

#[test]
fn attainment_not_applicable_when_every_target_is_judged_elsewhere() {
    let targets = TableBuilder::new()
        .strings("kpi", [Some("nps")])
        .floats("target", [Some(30.0)])
        .strings("direction", [Some("min")])
        .build();
    let e = TestHost::new()
        .table("kpi_targets", targets)
        .run(&KpiAttainment, json!({}));
    assert_eq!(e.status, Status::NotApplicable);
}

/// PF3 on K1 (03-02) and K2 (03-03), both answered, with `business_daily`
/// rows (date, orders, operating cost), March 2026.
fn same_days_host(rows: &[(&str, Option<i64>, Option<f64>)]) -> TestHost {
    let contacts = contacts(&[
        (
            Some("K1"),
            Some("X1"),
            "q1",
            "2026-03-02T10:00:00",
            false,
            200.0,
            "billing",
        ),
        (
            Some("K2"),
            Some("X1"),
            "q1",
            "2026-03-03T10:00:00",
            false,
            200.0,
            "billing",
        ),
    ]);
    let daily = TableBuilder::new()
        .dates("date", rows.iter().map(|r| Some(r.0)))
        .integers("orders", rows.iter().map(|r| r.1))
        .floats("operating_cost", rows.iter().map(|r| r.2))
        .build();
    TestHost::new()
        .period("2026-03-01", "2026-03-31")
        .table("contacts", contacts)
        .table("business_daily", daily)
}

#[test]
fn demand_cost_ratios_over_the_days_that_state_a_cost() {
    // 03-02: 10 orders, cost 100, 1 contact; 03-03: 10 orders, no cost, 1 contact.
    // Cost per order 100 / 10 = 10 and cost per contact 100 / 1 = 100 (03-03 left out of
    // both); contacts per order 2 / 20 = 0.1 (no day left out).
    let e = same_days_host(&[
        ("2026-03-02", Some(10), Some(100.0)),
        ("2026-03-03", Some(10), None),
    ])
    .run(&DemandCost, json!({}));
    assert!(
        close(measurement(&e, "cost_per_order").unwrap(), 10.0),
        "{e:?}"
    );
    assert!(close(measurement(&e, "cost_per_contact").unwrap(), 100.0));
    assert!(close(measurement(&e, "contacts_per_order").unwrap(), 0.1));
}

#[test]
fn demand_contacts_per_order_over_the_days_with_a_business_row() {
    // Only 03-02 has a business row: 1 contact / 10 orders = 0.1 (K2 on 03-03 left out):
    // at the 0.10 target, full credit.
    let e = same_days_host(&[("2026-03-02", Some(10), Some(100.0))]).run(&DemandCost, json!({}));
    assert!(
        close(measurement(&e, "contacts_per_order").unwrap(), 0.1),
        "{e:?}"
    );
    assert_eq!(e.checks[0].id, "contacts_per_order_vs_target");
    assert!(e.checks[0].passed);
}

#[test]
fn demand_without_contacts_in_the_period_is_insufficient_evidence() {
    // The contacts table has rows, none in March; 03-02 states 10 orders. "0 contacts per
    // order" would pass the 0.10 target on no evidence: insufficient evidence, saying why.
    let contacts = contacts(&[(
        Some("K1"),
        Some("X1"),
        "q1",
        "2026-02-20T10:00:00",
        false,
        200.0,
        "billing",
    )]);
    let daily = TableBuilder::new()
        .dates("date", [Some("2026-03-02")])
        .integers("orders", [Some(10)])
        .floats("operating_cost", [Some(100.0)])
        .build();
    let e = TestHost::new()
        .period("2026-03-01", "2026-03-31")
        .table("contacts", contacts)
        .table("business_daily", daily)
        .run(&DemandCost, json!({}));
    assert_eq!(e.status, Status::InsufficientEvidence, "{e:?}");
    assert!(e.summary.contains("no contact"), "{}", e.summary);
}

#[test]
fn demand_on_days_that_never_meet_is_insufficient_evidence() {
    // Orders as monthly totals on the 1st (100, 200, 400), contacts on the 10th: no day states
    // both contacts and orders, so contacts per order is not computed (it used to be 45 / 700
    // over mismatched days); the 6 days that state only one side are named.
    let mut rows = Vec::new();
    for day in [
        "2026-01-10T10:00:00",
        "2026-02-10T10:00:00",
        "2026-03-10T10:00:00",
    ] {
        rows.push((None, Some("X1"), "q1", day, false, 200.0, "billing"));
    }
    let daily = TableBuilder::new()
        .dates("date", ["2026-01-01", "2026-02-01", "2026-03-01"].map(Some))
        .integers("orders", [Some(100), Some(200), Some(400)])
        .floats("operating_cost", [Some(1000.0), Some(1800.0), Some(3200.0)])
        .build();
    let e = TestHost::new()
        .period("2026-01-01", "2026-03-31")
        .table("contacts", contacts(&rows))
        .table("business_daily", daily)
        .run(&DemandCost, json!({}));
    assert_eq!(e.status, Status::InsufficientEvidence, "{e:?}");
    assert!(
        e.summary
            .contains("no day states both contacts and orders (6 day(s)"),
        "{}",
        e.summary
    );
}

#[test]
fn demand_shows_the_days_left_out() {
    // Example 1 again: 03-03 states orders but no cost, so it is left out of cost per order and
    // cost per contact (1 day each), not of contacts per order (0); the observation names it,
    // and the month's drill-down row counts it.
    let e = same_days_host(&[
        ("2026-03-02", Some(10), Some(100.0)),
        ("2026-03-03", Some(10), None),
    ])
    .run(&DemandCost, json!({}));
    assert_eq!(
        measurement(&e, "contacts_per_order_days_left_out"),
        Some(0.0)
    );
    assert_eq!(measurement(&e, "cost_per_order_days_left_out"), Some(1.0));
    assert_eq!(measurement(&e, "cost_per_contact_days_left_out"), Some(1.0));
    assert!(
        e.observations
            .iter()
            .any(|o| o.starts_with("Cost per order")
                && o.contains("1 day(s) stating only one are left out: 2026-03-03")),
        "{:?}",
        e.observations
    );
    let row = &e.drilldowns[0].rows[0];
    assert_eq!(row[0], json!("2026-03"));
    assert_eq!(row[1..3], [json!(2), json!(20)]);
    assert_eq!(row[6], json!(1));
    assert!(
        e.definitions[0].text.contains("summed over the same"),
        "{}",
        e.definitions[0].text
    );
}

#[test]
fn fcr_leaves_contacts_outside_the_period_out_of_every_figure() {
    // Period January 2026; window 7 days; every contact lasts 300 s.
    // Rows of the period (the end of the data is their last arrival, 01-31 10:00):
    //   a k1 X1 q1 01-02 -> k1 again 01-04 (within 7 days of a's end): repeat generator
    //   b k1 X2 q1 01-04 -> window ends 01-11 10:05, no later k1: resolved
    //   c k2 X1 q1 01-10 -> window ends 01-17 10:05: resolved
    //   d k3 X2 q2 01-25 -> window ends 02-01 10:05, past the data end: censored
    //   f k4 X1 q2 01-31 -> censored
    // Eligible a, b, c; one repeat generator: FCR 2/3. X1 1 of 2 eligible resolved (0.5),
    // X2 1 of 1; q1 2 of 3, q2 none eligible.
    // Outside the period: e k5 X3 q3 02-20. Counted over every row, it would add agent X3 and
    // queue q3 and move the data end to 02-20, making d and f eligible (and resolved): the
    // drill-downs would show 1 repeat in 5 eligible (0.8) under a headline of 2/3.
    let t = contacts(&[
        (
            Some("k1"),
            Some("X1"),
            "q1",
            "2026-01-02T10:00:00",
            false,
            300.0,
            "billing",
        ),
        (
            Some("k1"),
            Some("X2"),
            "q1",
            "2026-01-04T10:00:00",
            false,
            300.0,
            "billing",
        ),
        (
            Some("k2"),
            Some("X1"),
            "q1",
            "2026-01-10T10:00:00",
            false,
            300.0,
            "delivery",
        ),
        (
            Some("k3"),
            Some("X2"),
            "q2",
            "2026-01-25T10:00:00",
            false,
            300.0,
            "delivery",
        ),
        (
            Some("k5"),
            Some("X3"),
            "q3",
            "2026-02-20T10:00:00",
            false,
            300.0,
            "refund",
        ),
        (
            Some("k4"),
            Some("X1"),
            "q2",
            "2026-01-31T10:00:00",
            false,
            300.0,
            "delivery",
        ),
    ]);
    let host = TestHost::new()
        .period("2026-01-01", "2026-01-31")
        .table("contacts", t);
    let e = host.run(&FirstContactResolution, json!({"min_volume": 1}));
    let fcr = measurement(&e, "fcr_rate").unwrap();
    assert!(close(fcr, 2.0 / 3.0), "{e:?}");
    // The headline is the fcr_rate of cxaudit-kpis over the same contacts.
    let kpis = host.with_context(|ctx| {
        let opts = cxaudit_kpis::evaluator::kpi_options(ctx)
            .unwrap()
            .only(&[cxaudit_kpis::Kpi::FcrRate]);
        cxaudit_kpis::overall(&cxaudit_kpis::Evidence::from_context(ctx), &opts)
            .value(cxaudit_kpis::Kpi::FcrRate)
    });
    assert_eq!(kpis, Some(fcr));
    assert!(
        e.summary
            .contains("1 repeat generators in 3 eligible contacts"),
        "{}",
        e.summary
    );
    let rows = |id: &str| -> Vec<Vec<serde_json::Value>> { e.drilldown(id).unwrap().rows.clone() };
    // columns: key, contacts, eligible, repeat_generators, repeat_rate, fcr
    let agents: Vec<_> = rows("fcr_by_agent")
        .iter()
        .map(|r| (r[0].clone(), r[2].clone(), r[3].clone()))
        .collect();
    assert_eq!(
        agents,
        vec![
            (json!("X1"), json!(2), json!(1)),
            (json!("X2"), json!(1), json!(0))
        ]
    );
    let queues: Vec<_> = rows("fcr_by_queue")
        .iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect();
    assert_eq!(
        queues,
        vec![
            (json!("q1"), json!(3), json!(3)),
            (json!("q2"), json!(2), json!(0))
        ]
    );
    let reasons: Vec<_> = rows("repeat_drivers")
        .iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(reasons, vec![json!("billing"), json!("delivery")]);
    assert!(
        e.observations
            .iter()
            .any(|o| o.starts_with("1 contacts arrived outside the period")),
        "{:?}",
        e.observations
    );
}

//! Hand-worked fixtures for PE1-PE3.

use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::testing::{TableBuilder, TestHost};
use serde_json::json;

use crate::{Absence, Attrition, Certification};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

fn measurement(e: &Evaluation, name: &str) -> Option<f64> {
    e.measurement(name).and_then(|m| m.value)
}

fn check<'a>(e: &'a Evaluation, id: &str) -> &'a Check {
    e.checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id}: {:?}", e.checks))
}

/// Roster, period 2026-01..03, as of 2026-06-30:
/// A1, A4 stay; A2 leaves 01-15 (voluntary); A3 leaves 02-10 (involuntary)
/// and is REHIRED 03-01 (second row, same id); A5 hired 01-02, leaves 02-20
/// after 49 days (voluntary).
fn roster() -> TestHost {
    let agents = TableBuilder::new()
        .strings("agent_id", ["A1", "A2", "A3", "A3", "A4", "A5"].map(Some))
        .strings("team", ["T1", "T1", "T2", "T2", "T1", "T2"].map(Some))
        .dates(
            "hired_on",
            [
                "2025-01-01",
                "2025-01-01",
                "2025-06-01",
                "2026-03-01",
                "2025-01-01",
                "2026-01-02",
            ]
            .map(Some),
        )
        .dates(
            "exited_on",
            [
                None,
                Some("2026-01-15"),
                Some("2026-02-10"),
                None,
                None,
                Some("2026-02-20"),
            ],
        )
        .strings(
            "exit_type",
            [
                None,
                Some("voluntary"),
                Some("involuntary"),
                None,
                None,
                Some("voluntary"),
            ],
        )
        .build();
    TestHost::new()
        .period("2026-01-01", "2026-03-31")
        .as_of("2026-06-30")
        .table("agents", agents)
}

#[test]
fn attrition_with_rehire_counts_one_leaver_and_one_hire() {
    // Jan: start {A1,A2,A3,A4}=4, end {A1,A3,A4,A5}=4, avg 4, 1 leaver -> 0.25
    // Feb: start {A1,A3,A4,A5}=4, end {A1,A4}=2, avg 3, 2 leavers -> 2/3
    // Mar: start {A1,A3(rehired),A4}=3, end 3, 0 leavers -> 0
    // sum method: (0.25 + 0.666667 + 0) * 12 / 3 = 3.666667; slope of [0.25, 0.6667, 0] = -0.125.
    // Target 0.45 (param), floor 1.0: graded credit 0 (weight 2). The slope is negative, but three
    // months are fewer than the six a trend needs (min_trend_months), and its t-test is far from
    // significant anyway (below): the trend check fails (weight 1) -> score 0, not met.
    let e = roster().run(&Attrition, json!({}));
    assert!(
        close(measurement(&e, "attrition_annualized").unwrap(), 11.0 / 3.0),
        "{e:?}"
    );
    assert!(close(
        measurement(&e, "attrition_trend_slope").unwrap(),
        -0.125
    ));
    assert_eq!(measurement(&e, "leavers"), Some(3.0));
    // Hires in the period: A5 and the A3 rehire.
    assert_eq!(measurement(&e, "hires"), Some(2.0));
    // Early tenure (90 days, as of 06-30): cohort {A5, A3 rehire}; A5 left after 49 days: 1 of 2,
    // a cohort under the minimum of 10 hires, so no rate is reported (one leaver would move it 50
    // points); with a minimum of 2 it is 1/2.
    assert_eq!(measurement(&e, "early_tenure_attrition"), None);
    assert_eq!(measurement(&e, "early_tenure_cohort"), Some(2.0));
    assert!(
        e.summary
            .contains("not rated (1 of 2 hires left within 90 days; fewer than 10 hires)"),
        "{}",
        e.summary
    );
    let small = roster().run(&Attrition, json!({"min_early_cohort": 2}));
    assert!(close(
        measurement(&small, "early_tenure_attrition").unwrap(),
        0.5
    ));
    // Voluntary share: 2 of 3 leavers.
    assert!(close(
        measurement(&e, "voluntary_leaver_share").unwrap(),
        2.0 / 3.0
    ));
    assert!(!check(&e, "attrition_vs_target").passed);
    assert!(!check(&e, "attrition_trend").passed);
    assert_eq!(measurement(&e, "attrition_trend_p_value"), None);
    assert!(
        e.observations
            .iter()
            .any(|o| o.contains("3 monthly rates: a trend needs at least 6 months"))
    );
    assert_eq!(e.score, Some(0.0));
    assert_eq!(e.status, Status::NotMet);
    // Tested from three months: fitted 0.430556, 0.305556, 0.180556 (mean 0.305556, slope
    // -0.125); residuals -0.180556, +0.361111, -0.180556: SSE = 0.195602, df 1,
    // se = sqrt(0.195602 / 2) = 0.312731, t = -0.399705; df 1: p = 1 - (2 / pi) atan(0.399705)
    // = 0.758 -> not significant at 0.05: the trend still fails, on the test, not the sign.
    let tested = roster().run(&Attrition, json!({"min_trend_months": 3}));
    let p_value = measurement(&tested, "attrition_trend_p_value").unwrap();
    let t: f64 = 0.125 / (0.195_601_852f64 / 2.0).sqrt();
    assert!(
        close(p_value, 1.0 - 2.0 / std::f64::consts::PI * t.atan()),
        "{p_value}"
    );
    assert!((p_value - 0.758).abs() < 0.001);
    assert!(!check(&tested, "attrition_trend").passed);
    assert!(
        tested
            .summary
            .contains("no significant trend (-12.50 points/month, p = 0.758)"),
        "{}",
        tested.summary
    );
    let months = &e.drilldowns[0];
    // March row: headcount 3 at start (A3 counted once), 1 hire (the rehire), 0 leavers.
    assert_eq!(months.rows[2][1], json!(3));
    assert_eq!(months.rows[2][4], json!(1));
    assert_eq!(months.rows[2][5], json!(0));
    assert!(e.observations.iter().any(|o| o.contains("rehires: A3")));
    assert_eq!(e.charts[0].series[0].values.len(), 3);
    assert!(!e.actions.is_empty());
}

#[test]
fn early_leavers_too_recent_for_the_cohort_are_named_outside_the_rate() {
    // As of the period end 2026-03-31: A5 (hired 01-02) has had 88 days, the A3 rehire (03-01)
    // 30: neither has had 90 days, so the cohort is empty. A5 already left after 49 days: an
    // early leaver outside the cohort, named and listed, not in a rate.
    let e = roster()
        .as_of("2026-03-31")
        .run(&Attrition, json!({"min_early_cohort": 1}));
    assert_eq!(measurement(&e, "early_tenure_cohort"), Some(0.0));
    assert_eq!(measurement(&e, "early_tenure_attrition"), None);
    assert_eq!(measurement(&e, "early_leavers_outside_cohort"), Some(1.0));
    assert!(
        e.observations.iter().any(|o| o.starts_with(
            "1 hire(s) too recent for the 90-day cohort already left within 90 days (A5)"
        )),
        "{:?}",
        e.observations
    );
    let early = e.drilldown("early_tenure_leavers").unwrap();
    assert_eq!(early.rows.len(), 1);
    assert_eq!(early.rows[0][0], json!("A5"));
    assert_eq!(early.rows[0][4], json!(49));
    assert_eq!(early.rows[0][6], json!(false));
}

#[test]
fn a_trend_counts_only_when_its_slope_is_significant() {
    use crate::attrition::{Trend, judge_trend};
    // Rates 0.04, 0.03, 0.03, 0.01 = 0.05 - 0.01 x (1, 2, 2, 4): slope -0.009 per month,
    // se = 0.01 x sqrt(0.07) (SSE 0.70 x 1e-4 over 2 df, Sxx 5), t = -3.401680, df 2:
    // p = 1 - 3.401680 / sqrt(2 + 3.401680^2) = 0.076619.
    let rates = [0.04, 0.03, 0.03, 0.01];
    let t = judge_trend(&rates, 4, 0.05);
    let Trend::Tested {
        test,
        improving,
        worsening,
    } = t
    else {
        panic!("{t:?}")
    };
    assert!((test.slope + 0.009).abs() < 1e-12);
    assert!((test.p_value - 0.076_619).abs() < 1e-6);
    assert!(!improving && !worsening, "p 0.077 is not under 0.05");
    // At alpha 0.10 the same fall is significant.
    assert!(judge_trend(&rates, 4, 0.10).improving());
    // Four rates under a minimum of six months: no trend, whatever the slope.
    assert_eq!(judge_trend(&rates, 6, 0.10), Trend::TooFewMonths(4));
    // A rise as clear as this fall is worsening, never improving.
    let rising = [0.01, 0.03, 0.03, 0.04];
    assert!(matches!(
        judge_trend(&rising, 4, 0.10),
        Trend::Tested {
            worsening: true,
            improving: false,
            ..
        }
    ));
}

#[test]
fn attrition_uses_kpi_target_and_compounding_method() {
    // Same roster, compounding: mean m = 0.305556; 1 - (1 - 0.305556)^12 = 0.98742
    // (ln 0.694444 = -0.364643; x12 = -4.37572; exp = 0.012579).
    // kpi_targets attrition_annualized 99 percent = 0.99, no bound -> within target: graded 1;
    // score 1, met.
    let targets = TableBuilder::new()
        .strings("kpi", [Some("attrition_annualized")])
        .floats("target", [Some(99.0)])
        .strings("direction", [Some("max")])
        .strings("unit", [Some("percent")])
        .build();
    let e = roster().table("kpi_targets", targets).run(
        &Attrition,
        json!({"attrition_method": "compounding", "laxest_target": 0.0}),
    );
    let m: f64 = (0.25 + 2.0 / 3.0) / 3.0;
    let expected = 1.0 - (1.0 - m).powi(12);
    assert!(
        close(measurement(&e, "attrition_annualized").unwrap(), expected),
        "{e:?}"
    );
    assert!((expected - 0.987_42).abs() < 1e-5, "{expected}");
    assert_eq!(e.score, Some(1.0));
    assert_eq!(e.status, Status::Met);
    assert!(
        check(&e, "attrition_vs_target")
            .expected
            .starts_with("<= 0.99 (the centre's kpi_targets row 1: the centre's documented target (policy centre))"),
        "{:?}",
        check(&e, "attrition_vs_target")
    );
}

/// Eight agents all period (2026-01..03); A8 leaves on 2026-03-20.
fn one_march_leaver() -> TestHost {
    let ids = ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8"];
    let agents = TableBuilder::new()
        .strings("agent_id", ids.map(Some))
        .dates("hired_on", [Some("2025-01-01"); 8])
        .dates(
            "exited_on",
            [None, None, None, None, None, None, None, Some("2026-03-20")],
        )
        .build();
    TestHost::new()
        .period("2026-01-01", "2026-03-31")
        .table("agents", agents)
}

fn attrition_target(target: f64) -> TableBuilder {
    TableBuilder::new()
        .strings("kpi", [Some("attrition_annualized")])
        .floats("target", [Some(target)])
        .strings("direction", [Some("max")])
        .strings("unit", [Some("ratio")])
}

#[test]
fn a_centre_attrition_target_laxer_than_the_bound_is_reported_and_the_bound_judged() {
    // Jan and Feb: 8 agents, no leaver -> 0. Mar: start 8, end 7, average 7.5, 1 leaver
    // -> 1 / 7.5 = 0.133333. Sum method: (0 + 0 + 0.133333) x 12 / 3 = 0.533333.
    // The centre documents at most 0.60; the standard accepts at most 0.45 (laxest_target):
    // 0.60 > 0.45 is laxer, so 0.45 is judged. 0.533333 > 0.45: graded between floor 1.0 and
    // 0.45: (1.0 - 0.533333) / (1.0 - 0.45) = 0.848485 (weight 2). Trend [0, 0, 0.1333] rises
    // and 0.5333 > 0.45: fails (weight 1). Score 2 x 0.848485 / 3 = 0.565657, partially met.
    let e = one_march_leaver()
        .table("kpi_targets", attrition_target(0.60).build())
        .run(&Attrition, json!({"target": 0.45, "laxest_target": 0.45}));
    assert!(
        close(measurement(&e, "attrition_annualized").unwrap(), 0.533_333),
        "{e:?}"
    );
    let vs_target = check(&e, "attrition_vs_target");
    assert!(!vs_target.passed);
    assert_eq!(
        vs_target.expected,
        "<= 0.45 (the standard's bound `laxest_target`: the centre's kpi_targets row 1 sets 60.0%, laxer than the standard accepts); no credit at >= 1"
    );
    assert!(!check(&e, "attrition_trend").passed);
    assert!(close(e.score.unwrap(), 2.0 * (0.466_667 / 0.55) / 3.0));
    assert_eq!(e.status, Status::PartiallyMet);
    assert!(
        e.observations.iter().any(|o| o
            == "Centre target laxer than the standard accepts: the centre's kpi_targets row 1 sets attrition_annualized <= 60.0%; the laxest target the standard accepts is <= 45.0% (`laxest_target`), so 45.0% is judged."),
        "{:?}",
        e.observations
    );
    assert!(
        e.summary
            .contains("against target 45.0% (the standard's bound `laxest_target`"),
        "{}",
        e.summary
    );
    assert!(
        e.definitions
            .iter()
            .any(|d| d.term == "attrition_annualized target")
    );
    // Without the bound the centre's 0.60 is judged and met: 0.533333 <= 0.60, score 1.
    let lax = one_march_leaver()
        .table("kpi_targets", attrition_target(0.60).build())
        .run(&Attrition, json!({"laxest_target": 0.0}));
    assert_eq!(lax.score, Some(1.0));
    // A centre target within the bound is judged as documented: 0.50 <= 0.533333 misses it,
    // (1.0 - 0.533333) / (1.0 - 0.50) = 0.933333 (weight 2), trend fails: score 0.622222.
    let strict = one_march_leaver()
        .table("kpi_targets", attrition_target(0.50).build())
        .run(&Attrition, json!({"laxest_target": 0.55}));
    assert!(
        close(strict.score.unwrap(), 2.0 * 0.933_333 / 3.0),
        "{strict:?}"
    );
    assert!(strict.observations.iter().all(|o| !o.contains("laxer")));
}

#[test]
fn overlapping_rehire_spells_never_double_count_a_day() {
    // B1 leaves 2026-02-01 and is rehired the same day: on 02-01 both spells cover the day,
    // the agent counts once: Feb start headcount = {B1, B2} = 2, not 3.
    let agents = TableBuilder::new()
        .strings("agent_id", ["B1", "B1", "B2"].map(Some))
        .dates(
            "hired_on",
            ["2025-01-01", "2026-02-01", "2025-01-01"].map(Some),
        )
        .dates("exited_on", [Some("2026-02-01"), None, None])
        .build();
    let e = TestHost::new()
        .period("2026-01-01", "2026-02-28")
        .table("agents", agents)
        .run(&Attrition, json!({}));
    let feb = &e.drilldowns[0].rows[1];
    assert_eq!(feb[0], json!("2026-02"));
    assert_eq!(feb[1], json!(2));
    assert_eq!(feb[4], json!(1), "one hire");
    assert_eq!(feb[5], json!(1), "one leaver");
}

#[test]
fn attrition_bad_method_is_an_error() {
    let e = roster().run(&Attrition, json!({"attrition_method": "monthly"}));
    assert_eq!(e.status, Status::Error);
}

/// Roster: G1 certified 01-05, G2 certified 01-10, G3 never certified; G4 has two
/// spells: 2025-01-01..2026-01-31 (certified 2025-01-10) and rehired 2026-03-01
/// (certified 2026-03-05).
fn cert_host(contacts: Vec<(&str, Option<&str>, &str, bool)>) -> TestHost {
    let agents = TableBuilder::new()
        .strings("agent_id", ["G1", "G2", "G3", "G4", "G4"].map(Some))
        .dates(
            "hired_on",
            [
                "2026-01-01",
                "2026-01-01",
                "2026-01-01",
                "2025-01-01",
                "2026-03-01",
            ]
            .map(Some),
        )
        .dates(
            "certified_on",
            [
                Some("2026-01-05"),
                Some("2026-01-10"),
                None,
                Some("2025-01-10"),
                Some("2026-03-05"),
            ],
        )
        .dates("exited_on", [None, None, None, Some("2026-01-31"), None])
        .build();
    let n = contacts.len();
    let table = TableBuilder::new()
        .strings("contact_id", contacts.iter().map(|c| Some(c.0)))
        .strings("agent_id", contacts.iter().map(|c| c.1))
        .strings("channel", vec![Some("voice"); n])
        .strings("queue", vec![Some("billing"); n])
        .timestamps("arrived_at", contacts.iter().map(|c| Some(c.2)))
        .timestamps(
            "answered_at",
            contacts.iter().map(|c| if c.3 { None } else { Some(c.2) }),
        )
        .bools("abandoned", contacts.iter().map(|c| Some(c.3)))
        .build();
    TestHost::new()
        .table("agents", agents)
        .table("contacts", table)
}

#[test]
fn certification_lists_breaches_and_anomalies() {
    // c1 G1 on its certification day: compliant. c2, c3 G2 before 01-10: breach; c4 after: fine.
    // c5 G3 never certified: breach. c6 G4 in spell 1 (certified): fine. c7 G4 03-02 in the
    // rehire spell, certified 03-05: breach. c8 G4 02-15 between spells, c9 X9 not on the roster:
    // anomalies, not judged. c10 abandoned without agent: not live.
    // Agents judged {G1..G4} = 4, in breach {G2, G3, G4} = 3 -> share 0.25;
    // graded(0.25, floor 0.8, target 1.0) = 0 -> not met.
    let e = cert_host(vec![
        ("c1", Some("G1"), "2026-01-05T10:00:00", false),
        ("c2", Some("G2"), "2026-01-08T09:00:00", false),
        ("c3", Some("G2"), "2026-01-09T09:00:00", false),
        ("c4", Some("G2"), "2026-01-12T09:00:00", false),
        ("c5", Some("G3"), "2026-01-20T09:00:00", false),
        ("c6", Some("G4"), "2026-01-15T09:00:00", false),
        ("c7", Some("G4"), "2026-03-02T09:00:00", false),
        ("c8", Some("G4"), "2026-02-15T09:00:00", false),
        ("c9", Some("X9"), "2026-01-15T09:00:00", false),
        ("c10", None, "2026-01-15T09:00:00", true),
    ])
    .run(&Certification, json!({}));
    assert!(
        close(
            measurement(&e, "certified_before_live_share").unwrap(),
            0.25
        ),
        "{e:?}"
    );
    assert_eq!(measurement(&e, "agents_in_breach"), Some(3.0));
    assert_eq!(measurement(&e, "contacts_before_certification"), Some(4.0));
    assert_eq!(measurement(&e, "contacts_outside_employment"), Some(2.0));
    assert_eq!(e.score, Some(0.0));
    assert_eq!(e.status, Status::NotMet);
    let breach = &e.drilldowns[0];
    assert_eq!(breach.rows.len(), 3);
    // G2: first live contact 01-08 09:00, certified 01-10, 2 contacts before it.
    assert_eq!(breach.rows[0][0], json!("G2"));
    assert_eq!(breach.rows[0][2], json!("2026-01-08 09:00"));
    assert_eq!(breach.rows[0][3], json!("2026-01-10"));
    assert_eq!(breach.rows[0][4], json!(2));
    assert_eq!(breach.rows[1][3], json!("not certified"));
    // G4's breach is in the rehire spell: its certification date is the second one.
    assert_eq!(breach.rows[2][3], json!("2026-03-05"));
    assert_eq!(e.drilldowns[1].rows.len(), 4);
    let anomalies = &e.drilldowns[2];
    assert_eq!(anomalies.rows.len(), 2);
    // Listed by arrival: c9 (01-15, X9) before c8 (02-15, G4 between spells).
    assert_eq!(anomalies.rows[0][4], json!("agent not on the roster"));
    assert_eq!(
        anomalies.rows[1][4],
        json!("no employment spell covers the arrival day")
    );
    assert!(e.actions.iter().any(|a| a.text.contains("G2 (2 contacts)")));
}

#[test]
fn certification_met_when_every_agent_certified_first() {
    // One agent, contact on the certification day: 1 of 1 compliant -> met.
    let e = cert_host(vec![("c1", Some("G1"), "2026-01-05T10:00:00", false)])
        .run(&Certification, json!({}));
    assert_eq!(e.score, Some(1.0));
    assert_eq!(e.status, Status::Met);
    assert!(e.actions.is_empty());
}

#[test]
fn certification_without_live_contacts_is_insufficient() {
    let e =
        cert_host(vec![("c10", None, "2026-01-15T09:00:00", true)]).run(&Certification, json!({}));
    assert_eq!(e.status, Status::InsufficientEvidence);
}

fn adherence_host() -> TestHost {
    // P1: Jan 480 scheduled / 0 absent, Feb 480 / 48. P2: Jan 480 / 24, Feb 480 / 96.
    let t = TableBuilder::new()
        .strings("agent_id", ["P1", "P1", "P2", "P2"].map(Some))
        .dates(
            "date",
            ["2026-01-05", "2026-02-02", "2026-01-05", "2026-02-02"].map(Some),
        )
        .floats("scheduled_minutes", [Some(480.0); 4])
        .floats("adherent_minutes", [Some(400.0); 4])
        .floats("worked_minutes", [Some(450.0); 4])
        .floats(
            "unplanned_absence_minutes",
            [Some(0.0), Some(48.0), Some(24.0), Some(96.0)],
        )
        .build();
    TestHost::new().table("adherence", t)
}

#[test]
fn absence_graded_overall_and_by_month() {
    // Overall 168 / 1920 = 0.0875; graded between floor 0.10 and target 0.05 = 0.25 (weight 2).
    // Jan 24/960 = 0.025 within, Feb 144/960 = 0.15 over -> month share 0.5 (weight 1).
    // Score (2 x 0.25 + 0.5) / 3 = 1/3. Worst agent P2 120/960 = 0.125; P1 = 0.05 is not above.
    let e = adherence_host().run(&Absence, json!({}));
    assert!(
        close(measurement(&e, "absence_rate").unwrap(), 0.0875),
        "{e:?}"
    );
    assert!(close(
        measurement(&e, "months_within_target_share").unwrap(),
        0.5
    ));
    assert_eq!(measurement(&e, "agents_over_target"), Some(1.0));
    assert!(close(e.score.unwrap(), 1.0 / 3.0));
    // 1/3 is below partially_met_from = 0.5 (the default rules, and cx-ops's).
    assert_eq!(e.status, Status::NotMet);
    assert_eq!(e.drilldowns[1].rows[0][0], json!("P2"));
    assert!(e.actions[0].text.contains("P2 (12.5%)"));
}

#[test]
fn an_absence_target_in_percent_is_judged_as_a_ratio() {
    // kpi_targets absence_rate 9 `percent` = 9 / 100 = 0.09 (never a limit of 9.0).
    // Overall 168 / 1920 = 0.0875 <= 0.09: full credit (weight 2). Jan 0.025 within,
    // Feb 144 / 960 = 0.15 over: month share 0.5 (weight 1). Score (2 + 0.5) / 3 = 0.833333.
    // Agents above 0.09: P2 (120 / 960 = 0.125); P1 (48 / 960 = 0.05) is not.
    for unit in ["percent", "%", "pct"] {
        let targets = TableBuilder::new()
            .strings("kpi", [Some("absence_rate")])
            .floats("target", [Some(9.0)])
            .strings("direction", [Some("max")])
            .strings("unit", [Some(unit)])
            .build();
        let e = adherence_host()
            .table("kpi_targets", targets)
            .run(&Absence, json!({}));
        assert!(close(e.score.unwrap(), 2.5 / 3.0), "{unit}: {e:?}");
        assert!(check(&e, "absence_rate_vs_target").passed);
        assert!(close(
            measurement(&e, "months_within_target_share").unwrap(),
            0.5
        ));
        assert_eq!(measurement(&e, "agents_over_target"), Some(1.0));
        assert!(
            e.summary
                .contains("against target 9.0% (the centre's kpi_targets row 1"),
            "{}",
            e.summary
        );
    }
}

#[test]
fn an_absence_target_in_an_unknown_unit_is_insufficient_evidence_naming_the_row() {
    let targets = TableBuilder::new()
        .strings("kpi", [Some("absence_rate")])
        .floats("target", [Some(5.0)])
        .strings("direction", [Some("max")])
        .strings("unit", [Some("days")])
        .build();
    let e = adherence_host()
        .table("kpi_targets", targets)
        .run(&Absence, json!({}));
    assert_eq!(e.status, Status::InsufficientEvidence);
    assert!(
        e.summary.contains(
            "kpi_targets row 1 (`absence_rate`): unit `days` is not a unit cxaudit reads"
        ),
        "{}",
        e.summary
    );
}

#[test]
fn absence_target_from_kpi_targets() {
    // kpi_targets absence_rate 0.20, no bound: overall 0.0875 and both months within -> met.
    let targets = || {
        TableBuilder::new()
            .strings("kpi", [Some("absence_rate")])
            .floats("target", [Some(0.20)])
            .strings("direction", [Some("max")])
            .strings("unit", [Some("ratio")])
            .build()
    };
    let e = adherence_host()
        .table("kpi_targets", targets())
        .run(&Absence, json!({"floor": 0.3, "laxest_target": 0.0}));
    assert_eq!(e.score, Some(1.0));
    assert_eq!(e.status, Status::Met);
    // With the default bound 0.10, 0.20 is laxer: 0.10 is judged. Overall 0.0875 <= 0.10
    // (weight 2); Feb 0.15 > 0.10: month share 0.5 (weight 1). Score 2.5 / 3 = 0.833333.
    let e = adherence_host()
        .table("kpi_targets", targets())
        .run(&Absence, json!({"floor": 0.3}));
    assert!(close(e.score.unwrap(), 2.5 / 3.0), "{e:?}");
    assert!(e.observations[0].starts_with("Centre target laxer than the standard accepts"));
}

#[test]
fn absence_params_derive_the_specs_the_manifest_wrote_by_hand() {
    use crate::absence::AbsenceParams;
    use crate::common::laxest_param;
    use cxaudit_kpis::Kpi;
    // The specs PE3's manifest declared by hand before `#[derive(Params)]`.
    let by_hand = [
        ParamSpec::number("target", 0.05)
            .min(0.0)
            .max(1.0)
            .target_of(Kpi::AbsenceRate.key())
            .describe("the pack's absence-rate target (fraction), judged as target_policy says"),
        TargetPolicy::param(TargetPolicy::Centre),
        laxest_param("laxest_target", Kpi::AbsenceRate, 0.10),
        ParamSpec::number("floor", 0.10)
            .min(0.0)
            .max(1.0)
            .describe("absence rate at or above which no credit is given (fraction)"),
        ParamSpec::integer("worst_agents", 10)
            .min(0.0)
            .max(1000.0)
            .describe("agents listed with the highest absence rates"),
    ];
    let derived = AbsenceParams::specs();
    assert_eq!(derived.len(), by_hand.len());
    for (derived, by_hand) in derived.iter().zip(&by_hand) {
        assert_eq!(derived, by_hand, "parameter `{}`", by_hand.name);
    }
    // The manifest carries them as they were, byte for byte.
    assert_eq!(
        serde_json::to_string(&Absence.manifest().parameters).unwrap(),
        serde_json::to_string(&by_hand).unwrap()
    );
}

//! Evaluator tests on small hand-built fixtures. Expected checks, scores and
//! statuses are worked out by hand in the comments. The default test period
//! is 2026-01-01 to 2026-06-30 (as-of = period end) unless a test sets one.

use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::testing::{TableBuilder, TestHost};
use serde_json::json;

use crate::*;

fn check<'a>(e: &'a Evaluation, id: &str) -> &'a Check {
    e.checks.iter().find(|c| c.id == id).unwrap_or_else(|| {
        panic!(
            "no check `{id}` in {:?}",
            e.checks.iter().map(|c| &c.id).collect::<Vec<_>>()
        )
    })
}

fn close(a: Option<f64>, b: f64) {
    let a = a.expect("a score");
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

mod direction {
    use super::*;

    const GOOD: &str = "+++\napproved_on = 2026-01-10\napproved_by = \"COO\"\n+++\n# Direction\n## Mission\nResolve issues first time.\n## Customer promise\nAnswer in 20 seconds.\n## Values\n- Own the outcome\n## Staff briefing\n| Date | Audience |\n|---|---|\n| 2026-02-07 | All teams |\n";

    #[test]
    fn complete_recent_and_briefed_statement_is_met() {
        // 4 sections with content + approver + approval 2026-01-10 (within
        // 12 months of 2026-06-30) + a briefing on 2026-02-07 in the period:
        // 7 of 7 checks.
        let e = TestHost::new()
            .document("direction", "docs/direction.md", GOOD)
            .run(&DirectionStatement, json!({}));
        assert_eq!(e.status, Status::Met, "{}", e.summary);
        assert_eq!(e.checks.len(), 7);
        close(e.score, 1.0);
    }

    #[test]
    fn empty_heading_and_stale_approval_fail_their_checks() {
        // `Values` has a heading but no text under it (edge case); approved
        // 2025-04-01, 15 months before 2026-06-30 > 12; approver named;
        // briefing 2026-03-02 in the period. Checks: mission, promise,
        // briefing section, approver, briefing pass; values, approval fail:
        // 5/7.
        let doc = "+++\napproved_on = 2025-04-01\napproved_by = \"COO\"\n+++\n# Direction\n## Mission\nResolve issues.\n## Customer promise\nAnswer fast.\n## Values\n## Staff briefing\nAll teams briefed on 2026-03-02.\n";
        let e = TestHost::new()
            .document("direction", "d.md", doc)
            .run(&DirectionStatement, json!({}));
        assert!(!check(&e, "section_values").passed);
        assert!(
            check(&e, "section_values")
                .measured
                .as_str()
                .unwrap()
                .contains("heading only")
        );
        assert!(!check(&e, "approval_in_window").passed);
        assert!(check(&e, "staff_briefing").passed);
        close(e.score, 5.0 / 7.0);
        assert_eq!(e.status, Status::PartiallyMet);
        // With an 18-month window the approval is inside: 6/7.
        let e = TestHost::new()
            .document("direction", "d.md", doc)
            .run(&DirectionStatement, json!({"approval_max_age_months": 18}));
        close(e.score, 6.0 / 7.0);
    }

    #[test]
    fn briefing_before_the_window_and_no_approver_fail() {
        // Approved 2026-01-10 without approved_by; the only briefing date
        // 2025-06-01 is before the period and before the approval: both the
        // approver and briefing checks fail -> 5/7.
        let doc = GOOD
            .replace("approved_by = \"COO\"\n", "")
            .replace("2026-02-07", "2025-06-01");
        let e = TestHost::new()
            .document("direction", "d.md", &doc)
            .run(&DirectionStatement, json!({}));
        assert!(!check(&e, "approved_by").passed);
        assert!(!check(&e, "staff_briefing").passed);
        close(e.score, 5.0 / 7.0);
        assert!(e.actions.iter().any(|a| a.text.contains("Brief all staff")));
    }

    #[test]
    fn missing_document_is_insufficient_evidence() {
        let e = TestHost::new().run(&DirectionStatement, json!({}));
        assert_eq!(e.status, Status::InsufficientEvidence);
    }
}

mod business_plan {
    use super::*;

    fn targets() -> TableBuilder {
        TableBuilder::new().strings(
            "kpi",
            [
                Some("service_level"),
                Some("csat_top2"),
                Some("cost_per_order"),
            ],
        )
    }

    const GOOD: &str = "+++\nperiod_start = 2026-01-01\nperiod_end = 2026-12-31\n+++\n# Plan\n## Objectives\n- Service level 80% in 20 s.\n- CSAT of 86% or more.\n## Demand forecast\n1,200 contacts a day.\n## Capacity plan\n60 agents.\n## Budget\n| Item | EUR |\n|---|---|\n| Staff | 1000 |\n## Risks\nAttrition.\n## Initiatives\n| Initiative | Owner | Due |\n|---|---|---|\n| Erlang C staffing | WFM | 2026-03-01 |\n";

    #[test]
    fn complete_plan_is_met() {
        // covers (front matter spans the period) + 5 sections + initiatives
        // complete + objectives 2 of 2 linked (>= 50%): 8 of 8.
        let e = TestHost::new()
            .document("business_plan", "plan.md", GOOD)
            .table("kpi_targets", targets().build())
            .run(&BusinessPlan, json!({}));
        assert_eq!(e.checks.len(), 8);
        assert_eq!(e.status, Status::Met, "{:?}", e.checks);
    }

    #[test]
    fn gaps_are_listed_per_check() {
        // Period from the text only: 2026-01-01 to 2026-03-31 does not reach
        // 2026-06-30 -> coverage fails. `Budget` heading without content
        // fails. Initiatives: row 2 has no owner (TBD), row 3 no due date ->
        // fails and names both. Objectives: 1 of 3 names a KPI with a target
        // (33% < 50%) -> fails. Passed: objectives, demand, capacity, risks
        // sections = 4 of 8 -> 0.5.
        let doc = "# Plan\nPeriod: 2026-01-01 to 2026-03-31.\n## Objectives\n- Service level 80%.\n- Grow the business.\n- Happy staff.\n## Demand forecast\nUp.\n## Capacity plan\n60 agents.\n## Budget\n## Risks\nAttrition.\n## Initiatives\n| Initiative | Owner | Due |\n|---|---|---|\n| A | WFM | 2026-03-01 |\n| B | TBD | 2026-04-01 |\n| C | HR | soon |\n";
        let e = TestHost::new()
            .document("business_plan", "plan.md", doc)
            .table("kpi_targets", targets().build())
            .run(&BusinessPlan, json!({}));
        assert!(!check(&e, "covers_period").passed);
        assert!(!check(&e, "section_budget").passed);
        let init = check(&e, "initiatives_owner_due");
        assert!(!init.passed);
        let m = init.measured.as_str().unwrap();
        assert!(
            m.contains("B (no owner)") && m.contains("C (no due date)"),
            "{m}"
        );
        assert!(!check(&e, "objectives_linked_to_targets").passed);
        close(e.score, 0.5);
        assert_eq!(e.status, Status::PartiallyMet);
        // A lower linkage threshold (30%) passes the objectives check: 5/8.
        let e = TestHost::new()
            .document("business_plan", "plan.md", doc)
            .table("kpi_targets", targets().build())
            .run(&BusinessPlan, json!({"min_objectives_linked_share": 0.3}));
        close(e.score, 5.0 / 8.0);
    }

    #[test]
    fn without_targets_objectives_cannot_be_linked() {
        // Same good plan, no kpi_targets table: 7 of 8.
        let e = TestHost::new()
            .document("business_plan", "plan.md", GOOD)
            .run(&BusinessPlan, json!({}));
        assert!(!check(&e, "objectives_linked_to_targets").passed);
        close(e.score, 7.0 / 8.0);
    }
}

mod escalation {
    use super::*;

    const POLICY: &str = "# Escalation policy\n| Severity | Time limit |\n|---|---|\n| Critical | 30 minutes |\n| high | 2 hours |\n";

    fn incidents() -> TableBuilder {
        TableBuilder::new()
            .strings(
                "incident_id",
                [
                    Some("I1"),
                    Some("I2"),
                    Some("I3"),
                    Some("I4"),
                    Some("I5"),
                    Some("I6"),
                ],
            )
            .strings(
                "severity",
                [
                    Some("critical"),
                    Some("critical"),
                    Some("critical"),
                    Some("Critical"),
                    Some("high"),
                    Some("critical"),
                ],
            )
            .timestamps(
                "detected_at",
                [
                    Some("2026-02-01T10:00:00"),
                    Some("2026-03-01T10:00:00"),
                    Some("2026-04-01T10:00:00"),
                    Some("2026-05-01T10:00:00"),
                    Some("2026-05-02T10:00:00"),
                    Some("2025-12-01T10:00:00"),
                ],
            )
            .timestamps(
                "escalated_at",
                [
                    Some("2026-02-01T10:10:00"),
                    Some("2026-03-01T10:45:00"),
                    None,
                    Some("2026-05-01T10:29:00"),
                    Some("2026-05-02T13:00:00"),
                    None,
                ],
            )
    }

    #[test]
    fn late_and_never_escalated_incidents_are_graded_and_listed() {
        // Judged: critical incidents detected in the period: I1 (10 min, on
        // time), I2 (45 min > 30, late), I3 (never escalated, late), I4
        // (29 min, on time). I5 is high, I6 before the period. Share 2/4 =
        // 0.5 <= floor 0.8 -> score 0, not met.
        let host = TestHost::new()
            .document("escalation_policy", "p.md", POLICY)
            .table("incidents", incidents().build());
        let e = host.run(&Escalation, json!({}));
        assert_eq!(e.status, Status::NotMet);
        close(e.score, 0.0);
        assert!(check(&e, "policy_time_limits").passed);
        assert_eq!(check(&e, "escalated_within_limit").measured, json!(0.5));
        let late = &e.drilldowns[0];
        let ids: Vec<&str> = late.rows.iter().map(|r| r[0].as_str().unwrap()).collect();
        assert_eq!(ids, ["I2", "I3"]);
        assert_eq!(late.rows[0][4], json!(45.0));
        assert_eq!(late.rows[1][3], json!("never"));
        // Floor 0.25: (0.5 - 0.25) / (1 - 0.25) = 1/3, below partially_met_from
        // = 0.5 (the default rules, and cx-ops's): not met.
        let e = host.run(&Escalation, json!({"floor_share": 0.25}));
        close(e.score, 1.0 / 3.0);
        assert_eq!(e.status, Status::NotMet);
        // Judging high too: 5 incidents; I5 took 3 h > 2 h: 2/5 on time.
        let e = host.run(
            &Escalation,
            json!({"severities": ["critical", "high"], "floor_share": 0.0}),
        );
        close(e.score, 0.4);
    }

    #[test]
    fn policy_without_a_limit_for_critical_scores_zero() {
        let policy = "# Escalation\n| Severity | Time limit |\n|---|---|\n| high | 2 hours |\n";
        let e = TestHost::new()
            .document("escalation_policy", "p.md", policy)
            .table("incidents", incidents().build())
            .run(&Escalation, json!({"floor_share": 0.0}));
        assert!(!check(&e, "policy_time_limits").passed);
        close(e.score, 0.0);
        assert!(
            e.actions
                .iter()
                .any(|a| a.text.contains("time limit for severity critical"))
        );
    }

    #[test]
    fn no_critical_incident_in_the_period_is_not_applicable() {
        let e = TestHost::new()
            .period("2026-07-01", "2026-12-31")
            .document("escalation_policy", "p.md", POLICY)
            .table("incidents", incidents().build())
            .run(&Escalation, json!({}));
        assert_eq!(e.status, Status::NotApplicable);
    }

    #[test]
    fn delays_are_exact_to_the_millisecond() {
        // J1 detected 10:00:00.500, escalated 10:30:00.600: 30 min 0.1 s > 30 min, late
        // (whole seconds would make it exactly 30 min, on time). J2: 10 min, on time. 1/2.
        let incidents = TableBuilder::new()
            .strings("incident_id", [Some("J1"), Some("J2")])
            .strings("severity", [Some("critical"), Some("critical")])
            .timestamps(
                "detected_at",
                [Some("2026-02-01T10:00:00.500"), Some("2026-03-01T10:00:00")],
            )
            .timestamps(
                "escalated_at",
                [Some("2026-02-01T10:30:00.600"), Some("2026-03-01T10:10:00")],
            );
        let e = TestHost::new()
            .document("escalation_policy", "p.md", POLICY)
            .table("incidents", incidents.build())
            .run(&Escalation, json!({}));
        assert_eq!(check(&e, "escalated_within_limit").measured, json!(0.5));
        let late = &e.drilldowns[0];
        assert_eq!(late.rows.len(), 1);
        assert_eq!(late.rows[0][0], json!("J1"));
    }
}

mod change_notice {
    use super::*;

    fn changes() -> TableBuilder {
        TableBuilder::new()
            .strings(
                "change_id",
                [Some("C1"), Some("C2"), Some("C3"), Some("C4"), Some("C5")],
            )
            .strings(
                "impact",
                [
                    Some("high"),
                    Some("high"),
                    Some("high"),
                    Some("low"),
                    Some("High"),
                ],
            )
            .timestamps(
                "go_live_at",
                [
                    Some("2026-03-11T09:00:00"),
                    Some("2026-04-10T09:00:00"),
                    Some("2026-05-10T09:00:00"),
                    Some("2026-05-10T09:00:00"),
                    Some("2026-06-08T09:00:00"),
                ],
            )
            .timestamps(
                "notified_at",
                [
                    Some("2026-03-01T09:00:00"),
                    Some("2026-04-07T09:00:00"),
                    None,
                    None,
                    Some("2026-06-01T09:00:00"),
                ],
            )
    }

    #[test]
    fn notice_share_is_graded_between_floor_and_target() {
        // High-impact changes: C1 10 days (ok), C2 3 days (late), C3 never
        // (late), C5 exactly 7 days (ok); C4 is low impact. 2/4 = 0.5.
        // Defaults (floor 0.8): score 0, not met. Floor 0.4, target 0.9:
        // (0.5 - 0.4) / 0.5 = 0.2.
        let host = TestHost::new().table("changes", changes().build());
        let e = host.run(&ChangeNotice, json!({}));
        assert_eq!(e.status, Status::NotMet);
        assert_eq!(check(&e, "notified_in_time").measured, json!(0.5));
        let rows = &e.drilldowns[0].rows;
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][0], json!("C2"));
        assert_eq!(rows[0][5], json!(4.0));
        assert_eq!(rows[1][3], json!("never"));
        let e = host.run(
            &ChangeNotice,
            json!({"floor_share": 0.4, "target_share": 0.9}),
        );
        close(e.score, 0.2);
        // A 3-day minimum makes C2 on time: 3/4 = 0.75 -> (0.75-0.4)/0.5 = 0.7.
        let e = host.run(
            &ChangeNotice,
            json!({"floor_share": 0.4, "target_share": 0.9, "min_notice_days": 3.0}),
        );
        close(e.score, 0.7);
    }

    #[test]
    fn notice_is_exact_to_the_millisecond() {
        // D1 notified 0.5 s less than 7 days before go-live: late (whole seconds would
        // give exactly 7 days, in time). D2: 10 days, in time. 1/2.
        let changes = TableBuilder::new()
            .strings("change_id", [Some("D1"), Some("D2")])
            .strings("impact", [Some("high"), Some("high")])
            .timestamps(
                "go_live_at",
                [Some("2026-03-08T09:00:00"), Some("2026-04-11T09:00:00")],
            )
            .timestamps(
                "notified_at",
                [Some("2026-03-01T09:00:00.500"), Some("2026-04-01T09:00:00")],
            );
        let e = TestHost::new()
            .table("changes", changes.build())
            .run(&ChangeNotice, json!({}));
        assert_eq!(check(&e, "notified_in_time").measured, json!(0.5));
        let rows = &e.drilldowns[0].rows;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0][0], json!("D1"));
    }
}

/// Voice contacts: (arrived, wait seconds, answered). Abandoned contacts end
/// after their wait.
fn voice_contacts(rows: &[(&str, i64, bool)]) -> TableBuilder {
    let parse = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap();
    let fmt = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let answered: Vec<Option<String>> = rows
        .iter()
        .map(|(a, w, ok)| ok.then(|| fmt(parse(a) + chrono::Duration::seconds(*w))))
        .collect();
    let ended: Vec<String> = rows
        .iter()
        .map(|(a, w, _)| fmt(parse(a) + chrono::Duration::seconds(*w + 300)))
        .collect();
    let ids: Vec<String> = (0..rows.len()).map(|i| format!("c{i}")).collect();
    let n = rows.len();
    TableBuilder::new()
        .strings("contact_id", ids.iter().map(|s| Some(s.as_str())))
        .strings("customer_id", ids.iter().map(|s| Some(s.as_str())))
        .strings("channel", vec![Some("voice"); n])
        .strings("queue", vec![Some("billing"); n])
        .strings("agent_id", rows.iter().map(|r| r.2.then_some("A1")))
        .timestamps("arrived_at", rows.iter().map(|r| Some(r.0)))
        .timestamps("answered_at", answered.iter().map(|s| s.as_deref()))
        .timestamps("ended_at", ended.iter().map(|s| Some(s.as_str())))
        .floats("talk_seconds", vec![Some(240.0); n])
        .floats("hold_seconds", vec![Some(0.0); n])
        .floats("wrap_seconds", vec![Some(30.0); n])
        .bools("abandoned", rows.iter().map(|r| Some(!r.2)))
        .bools("transferred", vec![Some(false); n])
}

mod targets {
    use super::*;

    /// Two targets: service_level (voice) fully SMART; csat_top2 with a
    /// rationale that is not customer-based.
    fn targets(extra_unknown: bool) -> TableBuilder {
        let mut kpi = vec![Some("service_level"), Some("csat_top2")];
        if extra_unknown {
            kpi.push(Some("handle_speed"));
        }
        let n = kpi.len();
        let pick = |v: Vec<Option<&'static str>>| v.into_iter().take(n).collect::<Vec<_>>();
        TableBuilder::new()
            .strings("kpi", kpi)
            .strings("scope", pick(vec![Some("voice"), None, None]))
            .floats(
                "target",
                [Some(80.0), Some(86.0), Some(30.0)].into_iter().take(n),
            )
            .strings(
                "direction",
                pick(vec![Some("min"), Some("min"), Some("max")]),
            )
            .strings(
                "unit",
                pick(vec![Some("percent"), Some("percent"), Some("seconds")]),
            )
            .floats(
                "baseline",
                [Some(58.0), Some(85.0), Some(45.0)].into_iter().take(n),
            )
            .strings(
                "baseline_period",
                pick(vec![Some("2025-12"), Some("2025-12"), Some("2025-12")]),
            )
            .strings(
                "owner",
                pick(vec![
                    Some("Workforce Manager"),
                    Some("Head of CX"),
                    Some("Ops"),
                ]),
            )
            .dates(
                "set_on",
                pick(vec![
                    Some("2025-12-10"),
                    Some("2025-12-10"),
                    Some("2025-12-10"),
                ]),
            )
            .dates(
                "due",
                pick(vec![
                    Some("2026-06-30"),
                    Some("2026-06-30"),
                    Some("2026-06-30"),
                ]),
            )
            .strings(
                "review_cadence",
                pick(vec![Some("monthly"), Some("monthly"), Some("monthly")]),
            )
            .strings(
                "rationale",
                pick(vec![
                    Some("Customers hang up after two minutes"),
                    Some("The budget holder asked for it"),
                    Some("Faster is better"),
                ]),
            )
    }

    /// Two 30-minute intervals of 100 forecast contacts at AHT 180 s (A =
    /// 10 Erlangs): 14 scheduled reach SL(20 s) 0.888 >= 0.8; 12 reach only
    /// 0.640 (DOMAIN §5 test vectors).
    fn intervals() -> TableBuilder {
        TableBuilder::new()
            .strings("queue", [Some("billing"), Some("billing")])
            .timestamps(
                "interval_start",
                [Some("2026-06-01T09:00:00"), Some("2026-06-01T09:30:00")],
            )
            .integers("interval_minutes", [Some(30), Some(30)])
            .floats("forecast_contacts", [Some(100.0), Some(100.0)])
            .floats("actual_contacts", [Some(100.0), Some(100.0)])
            .floats("forecast_aht_seconds", [Some(180.0), Some(180.0)])
            .floats("actual_aht_seconds", [Some(180.0), Some(180.0)])
            .floats("scheduled_agents", [Some(14.0), Some(12.0)])
    }

    /// June surveys: csat 5, 4, 3, 5 -> top-2-box 0.75.
    fn surveys() -> TableBuilder {
        TableBuilder::new()
            .strings(
                "survey_id",
                [Some("s1"), Some("s2"), Some("s3"), Some("s4")],
            )
            .strings("channel", vec![Some("voice"); 4])
            .strings("agent_id", vec![Some("A1"); 4])
            .timestamps("invited_at", vec![Some("2026-06-10T10:00:00"); 4])
            .timestamps("responded_at", vec![Some("2026-06-10T12:00:00"); 4])
            .integers("csat", [Some(5), Some(4), Some(3), Some(5)])
            .integers("nps", [Some(9), Some(9), Some(5), Some(10)])
    }

    /// June voice contacts: 3 answered within 20 s, 1 after 60 s -> SL 0.75.
    fn contacts() -> TableBuilder {
        voice_contacts(&[
            ("2026-06-02T10:00:00", 5, true),
            ("2026-06-02T11:00:00", 10, true),
            ("2026-06-02T12:00:00", 15, true),
            ("2026-06-02T13:00:00", 60, true),
        ])
    }

    fn params() -> serde_json::Value {
        json!({"required_kpis": ["service_level", "csat_top2"]})
    }

    #[test]
    fn smart_points_feasibility_and_okr_grades_are_weighted() {
        // Checks and weights: 2 family checks (weight 9, both pass = 18);
        // 18 SMART points (weight 1): service_level 9/9, csat_top2 8/9
        // (rationale not customer-based) = 17; feasibility (weight 3): 100 of
        // 200 forecast contacts in intervals reaching 80% = 0.5 < 0.8, fails;
        // OKR (weight 3): service_level grade (0.75 - 0.58) / (0.80 - 0.58)
        // = 0.7727, csat_top2 (0.75 - 0.85) / (0.86 - 0.85) < 0 -> 0; mean
        // 0.386 < 0.7, fails. Score = 35 / 42.
        let e = TestHost::new()
            .table("kpi_targets", targets(false).build())
            .table("intervals", intervals().build())
            .table("surveys", surveys().build())
            .table("contacts", contacts().build())
            .run(&TargetSetting, params());
        assert_eq!(e.checks.len(), 2 + 18 + 2);
        close(e.score, 35.0 / 42.0);
        assert_eq!(e.status, Status::PartiallyMet);
        let rationale = check(&e, "csat_top2_rationale");
        assert!(!rationale.passed);
        assert!(check(&e, "service_level_voice_rationale").passed);
        // Expected period SL: (0.88835 x 100 + 0.640158 x 100) / 200 = 0.764254 < 0.8.
        assert_eq!(check(&e, "sl_target_feasible").measured, json!(0.7643));
        let okr = e.drilldown("okr_grades").unwrap();
        let sl_grade = okr.rows[0][5].as_f64().unwrap();
        assert!((sl_grade - 0.773).abs() < 1e-9, "{sl_grade}");
        assert_eq!(okr.rows[1][5], json!(0.0));
        let feasibility = e.drilldown("sl_infeasible_intervals").unwrap();
        assert_eq!(feasibility.rows.len(), 1);
        assert_eq!(
            feasibility.rows[0][6],
            json!(14),
            "Erlang C needs 14 agents"
        );
    }

    #[test]
    fn feasibility_leaves_out_rows_without_forecast_or_aht() {
        // The two DOMAIN intervals of `intervals()` plus, at 09:00, a chat row with 50
        // forecast contacts and no AHT and one with no forecast (each with 5 scheduled
        // agents). Both are left out with their agents: the pooled 09:00 interval stays
        // 100 contacts at 180 s with 14 agents, so the expected SL is still 0.7643.
        let t = TableBuilder::new()
            .strings("queue", ["billing", "billing", "chat", "chat"].map(Some))
            .timestamps(
                "interval_start",
                [
                    "2026-06-01T09:00:00",
                    "2026-06-01T09:30:00",
                    "2026-06-01T09:00:00",
                    "2026-06-01T09:00:00",
                ]
                .map(Some),
            )
            .integers("interval_minutes", [Some(30); 4])
            .floats(
                "forecast_contacts",
                [Some(100.0), Some(100.0), Some(50.0), None],
            )
            .floats("actual_contacts", [Some(100.0); 4])
            .floats(
                "forecast_aht_seconds",
                [Some(180.0), Some(180.0), None, Some(180.0)],
            )
            .floats("actual_aht_seconds", [Some(180.0); 4])
            .floats("scheduled_agents", [14.0, 12.0, 5.0, 5.0].map(Some));
        let e = TestHost::new()
            .table("kpi_targets", targets(false).build())
            .table("intervals", t.build())
            .table("surveys", surveys().build())
            .table("contacts", contacts().build())
            .run(&TargetSetting, params());
        assert_eq!(check(&e, "sl_target_feasible").measured, json!(0.7643));
        assert!(
            e.observations.iter().any(|o| o.starts_with(
                "2 interval row(s) left out of the pools (with their scheduled agents): 1 without a usable forecast_contacts, 1 with"
            )),
            "{:?}",
            e.observations
        );
    }

    #[test]
    fn unknown_kpi_name_fails_computable_and_range_and_is_listed() {
        // A third target `handle_speed` (not a KPI cxaudit computes): its
        // `computable` and `in_range` points fail, the other 7 pass; the
        // action names it. Checks: 18 (families) + 27 SMART (weight 1: 9 +
        // 8 + 7 = 24 passed) + feasibility 3 (fails) + OKR 3 (fails):
        // (18 + 24) / 51.
        let e = TestHost::new()
            .table("kpi_targets", targets(true).build())
            .table("intervals", intervals().build())
            .table("surveys", surveys().build())
            .table("contacts", contacts().build())
            .run(&TargetSetting, params());
        let computable = check(&e, "handle_speed_computable");
        assert!(!computable.passed);
        assert_eq!(computable.measured, json!("unknown KPI `handle_speed`"));
        assert!(!check(&e, "handle_speed_in_range").passed);
        assert!(check(&e, "handle_speed_owner").passed);
        close(e.score, 42.0 / 51.0);
        assert!(
            e.actions
                .iter()
                .any(|a| a.text.contains("`handle_speed` (row 3)"))
        );
    }

    #[test]
    fn missing_family_and_bare_target_fail_point_by_point() {
        // Required: service_level and fcr_rate. Only a bare service_level
        // row (target 0.8 ratio, min; nothing else): numeric, in_range,
        // computable pass; baseline, deadline, owner, cadence, differs,
        // rationale fail. fcr_rate has no target (weight 9). No intervals:
        // feasibility fails; no gradable key result: OKR fails.
        // Score = (9 + 3) / (18 + 9 + 3 + 3) = 12 / 33.
        let t = TableBuilder::new()
            .strings("kpi", [Some("service_level")])
            .floats("target", [Some(0.8)])
            .strings("direction", [Some("min")])
            .strings("unit", [Some("ratio")]);
        let e = TestHost::new().table("kpi_targets", t.build()).run(
            &TargetSetting,
            json!({"required_kpis": ["service_level", "fcr_rate"]}),
        );
        assert!(!check(&e, "target_exists_fcr_rate").passed);
        assert!(check(&e, "service_level_in_range").passed);
        assert!(!check(&e, "service_level_baseline").passed);
        close(e.score, 12.0 / 33.0);
    }

    #[test]
    fn out_of_range_and_unit_mismatch_are_caught() {
        // service_level 120 percent (1.2 > 1): in_range fails. asa_seconds
        // in `percent`: numeric fails (unit does not fit seconds).
        let t = TableBuilder::new()
            .strings("kpi", [Some("service_level"), Some("asa_seconds")])
            .floats("target", [Some(120.0), Some(30.0)])
            .strings("direction", [Some("min"), Some("max")])
            .strings("unit", [Some("percent"), Some("percent")]);
        let e = TestHost::new()
            .table("kpi_targets", t.build())
            .run(&TargetSetting, json!({}));
        assert!(!check(&e, "service_level_in_range").passed);
        assert!(check(&e, "service_level_numeric").passed);
        assert!(!check(&e, "asa_seconds_numeric").passed);
    }
}

mod reviews {
    use super::*;

    fn targets() -> TableBuilder {
        TableBuilder::new()
            .strings("kpi", [Some("service_level")])
            .strings("scope", [Some("voice")])
            .floats("target", [Some(80.0)])
            .strings("direction", [Some("min")])
            .strings("unit", [Some("percent")])
    }

    /// SL per month: January 1/2 = 0.5 (off), February 2/2 = 1.0 (on),
    /// March 1/2 = 0.5 (off).
    fn contacts() -> TableBuilder {
        voice_contacts(&[
            ("2026-01-05T10:00:00", 5, true),
            ("2026-01-05T11:00:00", 90, true),
            ("2026-02-05T10:00:00", 5, true),
            ("2026-02-05T11:00:00", 8, true),
            ("2026-03-05T10:00:00", 5, true),
            ("2026-03-05T11:00:00", 90, true),
        ])
    }

    fn minutes(date: &str, owner: &str) -> String {
        format!(
            "+++\ndate = {date}\n+++\n# Review\n## Actions\n| KPI | Action | Owner |\n|---|---|---|\n| service_level | Add peak shifts | {owner} |\n"
        )
    }

    #[test]
    fn month_without_minutes_and_unowned_action_fail() {
        // January: minutes (pass) and an owned action for the off-target SL
        // (pass). February: no minutes (fail); SL on target, no action
        // check. March: minutes (pass); SL off target, action without an
        // owner and no later review (fail). 3 of 5 -> 0.6.
        let e = TestHost::new()
            .period("2026-01-01", "2026-03-31")
            .table("kpi_targets", targets().build())
            .table("contacts", contacts().build())
            .document(
                "review_minutes",
                "reviews/a.md",
                &minutes("2026-01-29", "Workforce Manager"),
            )
            .document(
                "review_minutes",
                "reviews/2026-03.md",
                &minutes_no_date("2026-03", ""),
            )
            .run(&PerformanceReviews, json!({}));
        assert_eq!(e.checks.len(), 5, "{:?}", e.checks);
        assert!(check(&e, "minutes_2026-01").passed);
        assert!(check(&e, "actions_2026-01").passed);
        assert!(!check(&e, "minutes_2026-02").passed);
        assert!(e.checks.iter().all(|c| c.id != "actions_2026-02"));
        assert!(
            check(&e, "minutes_2026-03").passed,
            "month from the file name"
        );
        assert!(!check(&e, "actions_2026-03").passed);
        close(e.score, 0.6);
        assert_eq!(e.status, Status::PartiallyMet);
        let d = &e.drilldowns[0];
        assert_eq!(d.rows.len(), 3);
        assert_eq!(d.rows[0][2], json!("50.0%"));
        assert_eq!(d.rows[1][4], json!(false));
        assert_eq!(d.rows[2][5], json!("none"));
    }

    fn minutes_no_date(_month: &str, owner: &str) -> String {
        format!(
            "# Review\n## Actions\n| KPI | Action | Owner |\n|---|---|---|\n| service_level | Add peak shifts | {owner} |\n"
        )
    }

    #[test]
    fn next_review_action_covers_a_month_unless_disabled() {
        // January minutes exist without actions; the March minutes (the next
        // review) hold an owned SL action: January and March are actioned.
        // Checks: Jan minutes, Jan actions, Feb minutes (fail), Mar minutes,
        // Mar actions = 4/5. With accept_next_review = false January's
        // action check fails: 3/5.
        let jan = "+++\ndate = 2026-01-30\n+++\n# Review\nNo actions.\n";
        let host = TestHost::new()
            .period("2026-01-01", "2026-03-31")
            .table("kpi_targets", targets().build())
            .table("contacts", contacts().build())
            .document("review_minutes", "r/jan.md", jan)
            .document("review_minutes", "r/mar.md", &minutes("2026-03-27", "WFM"));
        close(host.run(&PerformanceReviews, json!({})).score, 0.8);
        close(
            host.run(&PerformanceReviews, json!({"accept_next_review": false}))
                .score,
            0.6,
        );
    }

    #[test]
    fn no_minutes_at_all_is_not_met() {
        // Three months without minutes; Jan and Mar off target without
        // actions: 0 of 5.
        let e = TestHost::new()
            .period("2026-01-01", "2026-03-31")
            .table("kpi_targets", targets().build())
            .table("contacts", contacts().build())
            .run(&PerformanceReviews, json!({}));
        assert_eq!(e.checks.len(), 5);
        assert_eq!(e.status, Status::NotMet);
    }
}

//! Documents read through their words: headings and columns found by
//! canonical name with the shipped pack's English names and a centre's own,
//! as the host sends them in the request. A document in another language,
//! mapped, must give the verdict of its English original.

use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::testing::{TableBuilder, TestHost};
use serde_json::json;

use crate::*;

const CX_OPS_SCHEMA: &str = include_str!("../../../standards/cx-ops/evidence-schema.toml");

/// A host with the shipped pack's words for every document kind.
fn shipped() -> TestHost {
    TestHost::new().schema_vocabulary(CX_OPS_SCHEMA)
}

/// The host with a centre's names added to the words of `kind`.
fn mapped(
    host: TestHost,
    kind: &str,
    map: impl FnOnce(DocumentVocabulary) -> DocumentVocabulary,
) -> TestHost {
    let words = map(host.vocabulary_of(kind));
    host.vocabulary(kind, words)
}

/// What must not depend on the document's language.
fn verdict(e: &Evaluation) -> (Status, Option<f64>, Vec<Measurement>) {
    (e.status, e.score, e.measurements.clone())
}

fn check<'a>(e: &'a Evaluation, id: &str) -> &'a Check {
    e.check(id)
        .unwrap_or_else(|| panic!("no check `{id}`: {}", e.summary))
}

mod escalation {
    use super::*;

    const ENGLISH: &str = "# Escalation policy\n\nIssues are escalated to the leadership on-call.\n\n\
        | Severity | Time limit |\n|---|---|\n| critical | 30 minutes |\n| high | 2 hours |\n";

    const GERMAN: &str = "# Eskalationsrichtlinie\n\nStörungen werden per Telefon und im \
        Störungskanal an die diensthabende Leitung eskaliert.\n\n\
        | Schweregrad | Frist |\n|---|---|\n| critical | 30 min |\n| high | 2 h |\n";

    /// Two critical incidents: I1 escalated after 20 minutes (on time),
    /// I2 after 60 minutes (late against 30 minutes).
    fn incidents() -> TableBuilder {
        TableBuilder::new()
            .strings("incident_id", [Some("I1"), Some("I2")])
            .strings("severity", [Some("critical"), Some("critical")])
            .timestamps(
                "detected_at",
                [Some("2026-02-01T10:00:00"), Some("2026-03-01T10:00:00")],
            )
            .timestamps(
                "escalated_at",
                [Some("2026-02-01T10:20:00"), Some("2026-03-01T11:00:00")],
            )
    }

    fn run(host: TestHost, policy: &str) -> Evaluation {
        host.document("escalation_policy", "docs/policy.md", policy)
            .table("incidents", incidents().build())
            .run(&Escalation, json!({"floor_share": 0.0}))
    }

    #[test]
    fn escalate_to_leadership_within_is_a_time_limit_column_of_the_pack() {
        // With the pack's words the column is the time limit: 1 of 2 on time,
        // score (0.5 - 0) / (1 - 0) = 0.5. Without them (canonical names
        // only) the policy has no time-limit column: no limit, score 0. The
        // alias is the pack's, not the plugin's.
        let policy = ENGLISH.replace("Time limit", "Escalate to leadership within");
        let e = run(shipped(), &policy);
        assert!(check(&e, "policy_time_limits").passed, "{}", e.summary);
        assert_eq!(check(&e, "escalated_within_limit").measured, json!(0.5));
        assert_eq!(e.score, Some(0.5));
        let bare = run(TestHost::new(), &policy);
        assert!(!check(&bare, "policy_time_limits").passed);
        assert_eq!(bare.score, Some(0.0));
    }

    #[test]
    fn a_german_policy_mapped_by_the_centre_scores_as_the_english_one() {
        let english = run(shipped(), ENGLISH);
        assert_eq!(english.score, Some(0.5), "{}", english.summary);
        let host = mapped(shipped(), "escalation_policy", |w| {
            w.map_column("severity", "Schweregrad")
                .map_column("time_limit", "Frist")
        });
        let german = run(host, GERMAN);
        assert_eq!(verdict(&german), verdict(&english), "{}", german.summary);
        // Unmapped, the German table is not read: no limit, score 0.
        let unmapped = run(shipped(), GERMAN);
        assert_eq!(unmapped.score, Some(0.0));
        assert_eq!(
            check(&unmapped, "policy_time_limits").expected,
            "a Severity / Time limit row for each"
        );
    }
}

mod direction {
    use super::*;

    const ENGLISH: &str = "+++\napproved_on = 2026-01-10\napproved_by = \"COO\"\n+++\n\
        # Direction\n## Mission\nResolve issues first time.\n## Customer promise\nAnswer in 20 \
        seconds.\n## Values\n- Own the outcome\n## Staff briefing\n| Date | Audience |\n|---|---|\n\
        | 2026-02-07 | All teams |\n";

    const THAI: &str = "+++\napproved_on = 2026-01-10\napproved_by = \"ประธานเจ้าหน้าที่ฝ่ายปฏิบัติการ\"\n+++\n\
        # แนวทางของศูนย์\n## พันธกิจ\nแก้ปัญหาให้ลูกค้าได้ตั้งแต่การติดต่อครั้งแรก\n\
        ## คำมั่นสัญญาต่อลูกค้า\nรับสายภายใน 20 วินาที\n## ค่านิยม\n- รับผิดชอบต่อผลลัพธ์\n\
        ## การชี้แจงพนักงาน\n| วันที่ | ผู้เข้าร่วม |\n|---|---|\n| 2026-02-07 | ทุกทีม |\n";

    fn thai_words(host: TestHost) -> TestHost {
        mapped(host, "direction", |w| {
            w.map_heading("mission", "พันธกิจ")
                .map_heading("customer_promise", "คำมั่นสัญญาต่อลูกค้า")
                .map_heading("values", "ค่านิยม")
                .map_heading("staff_briefing", "การชี้แจงพนักงาน")
        })
    }

    #[test]
    fn a_thai_statement_mapped_by_the_centre_scores_as_the_english_one() {
        // 4 sections + approver + approval + briefing: 7 of 7 in both.
        let english = shipped()
            .document("direction", "docs/direction.md", ENGLISH)
            .run(&DirectionStatement, json!({}));
        assert_eq!(english.score, Some(1.0), "{}", english.summary);
        let thai = thai_words(shipped())
            .document("direction", "docs/direction.md", THAI)
            .run(&DirectionStatement, json!({}));
        assert_eq!(verdict(&thai), verdict(&english), "{}", thai.summary);
        // Check ids stay canonical; labels show the centre's heading.
        assert_eq!(
            check(&thai, "section_customer_promise").description,
            "Section `คำมั่นสัญญาต่อลูกค้า` present with content"
        );
        // Unmapped: no section and no briefing found, approval only: 2 of 7.
        let unmapped = shipped()
            .document("direction", "docs/direction.md", THAI)
            .run(&DirectionStatement, json!({}));
        assert_eq!(unmapped.score, Some(2.0 / 7.0));
    }

    #[test]
    fn a_pack_that_names_sections_in_english_still_finds_the_centres_headings() {
        // A tailored pack written before canonical names: the English names
        // find their terms, and the terms the centre's Thai headings.
        let params = json!({
            "required_sections": ["Mission", "Customer promise", "Values", "Staff briefing"],
            "briefing_section": "Staff briefing",
        });
        let thai = thai_words(shipped())
            .document("direction", "docs/direction.md", THAI)
            .run(&DirectionStatement, params);
        assert_eq!(thai.score, Some(1.0), "{}", thai.summary);
        assert!(thai.check("section_customer_promise").is_some());
    }
}

mod business_plan {
    use super::*;

    #[test]
    fn the_due_column_goes_by_the_packs_english_names() {
        // `Deadline` is an English name of `due` in the pack: the one
        // initiative is complete with the pack's words, and has no due date
        // without them.
        let plan = "# Plan\n## Initiatives\n| Initiative | Owner | Deadline |\n|---|---|---|\n\
                    | Erlang C staffing | WFM | 2026-03-01 |\n";
        let run = |host: TestHost| {
            host.document("business_plan", "plan.md", plan)
                .run(&BusinessPlan, json!({}))
        };
        assert!(check(&run(shipped()), "initiatives_owner_due").passed);
        let bare = run(TestHost::new());
        let init = check(&bare, "initiatives_owner_due");
        assert!(!init.passed);
        assert!(
            init.measured
                .as_str()
                .is_some_and(|m| m.contains("no due date"))
        );
    }
}

//! The consultant plugin (`tests/plugins/consultant`, written from `cxaudit
//! plugin new`): its tailored pack adds the `qa_evaluations` table and two
//! criteria; `assess --only` runs just those through the built library, with
//! the statuses its own `PackHost` tests work out, and the report shows its
//! drill-downs with their units.

use cxaudit_tests::*;

#[test]
fn the_consultants_criteria_run_through_assess_and_appear_in_the_report() {
    let dir = root().join("tests/plugins/consultant");
    let plugins = plugin_dir(&["cxaudit_testplugin_consultant"]);
    let out = tempfile::tempdir().unwrap();
    let o = cxaudit(&[
        "assess",
        "--quiet",
        "--pack",
        dir.join("pack").to_str().unwrap(),
        "--evidence",
        dir.join("evidence").to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--plugins",
        plugins.path().to_str().unwrap(),
        "--only",
        "XC1,XC2",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("assessment.json")).unwrap())
            .unwrap();
    assert_eq!(status(&record, "XC1"), "not_met");
    assert_eq!(status(&record, "XC2"), "partially_met");
    let xc1 = finding(&record, "XC1");
    assert_eq!(xc1["measurements"][0]["unit"], "ratio");
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    for shown in [
        "Repeat contacts by reason of the first contact",
        "Agent-months under the minimum of QA evaluations",
        // The ratio column of the drill-down, shown as a percentage.
        "33.3%",
    ] {
        assert!(html.contains(shown), "report.html lacks {shown}");
    }
}

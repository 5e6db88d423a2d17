//! `assess --only`: a partial run judges only the chosen criteria; the
//! others are omitted (not zero, not failures), the decision is marked
//! partial and is never a certification decision, and what reads a record
//! afterwards (reports, `--require-certified`, `compare`, `trend`,
//! `verify`) stays coherent with that.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use cxaudit_tests::*;

/// A small synthetic centre's evidence, written once for the file.
fn evidence() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let path = shared_dir("evidence").join("followup");
        synth(&path, "followup", &["--contacts", "5000", "--months", "2"]);
        path
    })
}

/// `assess -q --pack cx-ops` of the small centre into `out`, with `extra`.
fn assess_into(out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "assess",
        "-q",
        "--pack",
        "cx-ops",
        "--evidence",
        evidence().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    cxaudit(&args)
}

fn record(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("assessment.json")).unwrap()).unwrap()
}

fn ids(list: &serde_json::Value) -> Vec<&str> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().expect("an id"))
        .collect()
}

#[test]
fn only_the_chosen_criteria_are_run_and_scored_and_the_decision_is_partial() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("partial");
    // Given out of pack order and with a repeat: run once each, in pack order.
    let o = assess_into(&out, &["--only", "WF1,LP1", "--only", "WF1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o)
            .contains("PARTIAL RUN of 2 of 22 criteria (LP1, WF1), not a certification decision"),
        "{}",
        stdout(&o)
    );
    let a = record(&out);
    assert_eq!(a["schema_version"], "2.1");
    let findings: Vec<&str> = a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["criterion"].as_str().unwrap())
        .collect();
    assert_eq!(findings, ["LP1", "WF1"]);
    let partial = &a["decision"]["partial"];
    assert_eq!(ids(&partial["criteria"]), ["LP1", "WF1"]);
    let omitted = ids(&partial["omitted"]);
    assert_eq!(omitted.len(), 20);
    assert_eq!(omitted[..3], ["LP2", "LP3", "LP4"]);
    assert_eq!(ids(&a["scores"]["omitted"]), omitted);
    assert_eq!(a["decision"]["certified"], false);
    assert_eq!(a["decision"]["certified_without_attestations"], false);
    assert_eq!(
        a["decision"]["failed_rules"][0]["rule"],
        "Every criterion of the pack assessed (a partial run is not a certification decision)"
    );
    // The omitted criteria are not counted: the points are those of the two
    // run (100 each in cx-ops), and only their sections are scored.
    assert_eq!(a["scores"]["overall"]["points"], 200.0);
    let earned: f64 = ["LP1", "WF1"]
        .iter()
        .map(|id| finding(&a, id)["outcome"]["earned"].as_f64().unwrap())
        .sum();
    assert!((a["scores"]["overall"]["earned"].as_f64().unwrap() - earned).abs() < 1e-9);
    let sections: Vec<&str> = a["scores"]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(sections, ["LP", "WF"]);
    // Only what they read is loaded: surveys (CX, PF1) are not.
    let surveys = a["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "surveys")
        .expect("surveys in the inventory");
    assert_eq!(surveys["status"], "not_read");
    // No path to certification from a partial run: the plan says why.
    let path = &a["improvement_plan"]["shortest_path"];
    assert_eq!(path["outcome"], "no_path", "{path}");
    assert!(
        path["failing"][0]
            .as_str()
            .unwrap()
            .starts_with("Every criterion of the pack assessed"),
        "{path}"
    );
    // Every gap of the plan is a criterion that was run.
    for gap in a["improvement_plan"]["gaps"].as_array().unwrap() {
        assert!(
            ["LP1", "WF1"].contains(&gap["criterion"].as_str().unwrap()),
            "{gap}"
        );
    }
    // The reports say which criteria were run and that it is no decision.
    let statement =
        "Partial run: 2 of 22 criteria were assessed (LP1, WF1); the other 20 (LP2, LP3,";
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("**Partial run: not a certification decision**"),
        "{md}"
    );
    assert!(md.contains(statement), "{md}");
    assert!(md.contains("This is not a certification decision"), "{md}");
    assert!(!md.contains("**Not certified**"), "{md}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("Partial run: not a certification decision</div>"),
        "{html}"
    );
    assert!(html.contains(statement), "the statement in report.html");

    // The set verifies: the selection is part of the run digest.
    let o = cxaudit(&[
        "verify",
        out.to_str().unwrap(),
        "--evidence",
        evidence().to_str().unwrap(),
        "--pack",
        "cx-ops",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    // Another selection of the same inputs is another run.
    let other = dir.path().join("other");
    let o = assess_into(&other, &["--only", "LP1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_ne!(record(&other)["run"]["digest"], a["run"]["digest"]);
    // The same selection, however spelled, gives the same bytes.
    let again = dir.path().join("again");
    let o = assess_into(&again, &["--only", "LP1", "--only", "WF1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(again.join("assessment.json")).unwrap(),
        std::fs::read(out.join("assessment.json")).unwrap()
    );
}

#[test]
fn a_partial_run_fails_require_certified() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = assess_into(&out, &["--only", "LP1", "--require-certified"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--require-certified: a partial run (--only) is never certified"),
        "{}",
        stderr(&o)
    );
    // The record is written all the same, and LP1 itself is met: only the
    // partial run fails the gate.
    let a = record(&out);
    assert_eq!(status(&a, "LP1"), "met");
    let failed: Vec<&str> = a["decision"]["failed_rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        failed,
        ["Every criterion of the pack assessed (a partial run is not a certification decision)"]
    );
}

#[test]
fn an_unknown_criterion_is_refused_naming_it_and_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = assess_into(&out, &["--only", "WF1,XX9,wf2"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--only: no criterion `XX9`, `wf2` in pack `cx-ops` (its criteria: LP1, LP2, LP3, LP4, CX1,"),
        "{err}"
    );
    assert!(err.contains("GV1, GV2)"), "{err}");
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn every_criterion_named_is_a_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    let (full, named) = (dir.path().join("full"), dir.path().join("named"));
    let o = assess_into(&full, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let all: Vec<String> = record(&full)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["criterion"].as_str().unwrap().to_owned())
        .collect();
    let o = assess_into(&named, &["--only", &all.join(",")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(record(&named)["decision"].get("partial").is_none());
    assert_eq!(
        std::fs::read(full.join("assessment.json")).unwrap(),
        std::fs::read(named.join("assessment.json")).unwrap()
    );
}

#[test]
fn compare_and_trend_refuse_a_partial_record() {
    let dir = tempfile::tempdir().unwrap();
    let (full, partial) = (dir.path().join("full"), dir.path().join("partial"));
    let o = assess_into(&full, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = assess_into(&partial, &["--only", "WF1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (full_json, partial_json) = (
        full.join("assessment.json"),
        partial.join("assessment.json"),
    );
    let (full_json, partial_json) = (full_json.to_str().unwrap(), partial_json.to_str().unwrap());
    let out = dir.path().join("compare");
    for (base, new, which) in [
        (full_json, partial_json, "NEW"),
        (partial_json, full_json, "BASE"),
        (partial_json, partial_json, "BASE"),
    ] {
        let o = cxaudit(&["compare", base, new, "--out", out.to_str().unwrap()]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!(
                "cannot compare: {which} is a partial run (only WF1; omitted: LP1, LP2,"
            )),
            "{err}"
        );
        assert!(!out.exists(), "no comparison is written");
    }
    let trend = dir.path().join("trend");
    let o = cxaudit(&[
        "trend",
        full_json,
        partial_json,
        "--out",
        trend.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "cannot build a trend: {partial_json} is a partial run (only WF1;"
        )),
        "{err}"
    );
    // Two whole runs still compare.
    let o = cxaudit(&[
        "compare",
        full_json,
        full_json,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

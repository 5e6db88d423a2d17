//! Guidance rendered from the effective parameters, end to end: a tailored
//! pack that asks WF3's targets on 90% of days (cx-ops: 80%) has its report
//! say so under "What met looks like", and `pack validate` refuses a text
//! with an unknown placeholder, naming file, criterion and placeholder.

use std::path::{Path, PathBuf};

use cxaudit_tests::*;

/// A small centre: the report's texts, not the figures, are under test.
const CONTACTS: &str = "20000";

/// A tailored pack extending cx-ops with `overrides` (TOML).
fn tailored(dir: &Path, overrides: &str) -> PathBuf {
    tailored_cx_ops(dir, "client-pack", overrides)
}

#[test]
fn a_tailored_pack_reports_the_bar_it_judged() {
    let dir = tempfile::tempdir().unwrap();
    let evidence = dir.path().join("followup");
    synth(
        &evidence,
        "followup",
        &["--contacts", CONTACTS, "--seed", "1"],
    );
    let pack = tailored(
        dir.path(),
        "[overrides.WF3]\nparams = { min_share_of_days = 0.9 }\n",
    );
    let out = dir.path().join("out");
    let a = assess_record(&pack, &evidence, &out);
    let f = finding(&a, "WF3");
    // The check judged 0.9 of days, and the guidance says 90%: 0.9 x 100.
    let days = check(f, "sl_days");
    assert!(
        days["expected"]
            .as_str()
            .unwrap()
            .starts_with(">= 0.9 of days"),
        "{days}"
    );
    let met = f["guidance"]["met"].as_str().unwrap();
    assert!(met.contains("on at least 90% of days"), "{met}");
    assert!(!met.contains('{'), "{met}");

    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    let line = report
        .lines()
        .find(|l| l.starts_with("What met looks like: Service level (answered within 20 s)"))
        .unwrap_or_else(|| panic!("no WF3 guidance in report.md"));
    assert!(
        line.contains("on at least 90% of days and over the period")
            && line.contains("at least 90% of e-mails answered within 24 hours"),
        "{line}"
    );
    assert!(
        !report.contains("80% of days"),
        "the base pack's bar is not printed"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("on at least 90% of days"));
}

#[test]
fn pack_validate_names_an_unknown_placeholder() {
    let dir = tempfile::tempdir().unwrap();
    let pack = tailored(
        dir.path(),
        "[overrides.WF3]\nrequirement = \"Targets met on {min_share_of_dayz:%} of days.\"\n",
    );
    let o = cxaudit(&["pack", "validate", pack.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("pack.toml:7")
            && e.contains("`overrides.WF3.requirement`")
            && e.contains("WF3: unknown placeholder `{min_share_of_dayz:%}`")
            && e.contains("min_share_of_days"),
        "{e}"
    );
}

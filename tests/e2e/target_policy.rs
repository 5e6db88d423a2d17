//! Whose target the shipped pack judges, end to end: a tailored pack that
//! raises PF2's FCR target above the synthetic follow-up centre's FCR binds
//! it only with `target_policy = "stricter_of"`, and the finding names the
//! pack's target; `pack validate` warns about a target override that the
//! centre policy would ignore.

use std::path::{Path, PathBuf};

use cxaudit_tests::*;

/// A small follow-up centre: PF2 needs repeat contacts, not the calibrated size.
const CONTACTS: &str = "20000";

fn cx_ops() -> PathBuf {
    root().join("standards").join("cx-ops")
}

/// A tailored pack extending cx-ops with the given `[overrides.PF2]` parameters.
fn tailored(dir: &Path, name: &str, pf2_params: &str) -> PathBuf {
    tailored_cx_ops(
        dir,
        name,
        &format!("[overrides.PF2]\nparams = {{ {pf2_params} }}\n"),
    )
}

#[test]
fn a_tailored_stricter_fcr_target_binds_the_follow_up_centre() {
    let dir = tempfile::tempdir().unwrap();
    let evidence = dir.path().join("followup");
    synth(
        &evidence,
        "followup",
        &["--contacts", CONTACTS, "--seed", "1"],
    );
    // The centre documents FCR at least 0.78 (kpi_targets row 4) and reaches more.
    let kpis = cxaudit_ok(&[
        "kpis",
        "--format",
        "json",
        "--evidence",
        evidence.to_str().unwrap(),
    ]);
    let kpis: serde_json::Value = serde_json::from_str(&stdout(&kpis)).unwrap();
    let fcr = kpis["groups"][0]["fcr_rate"].as_f64().unwrap();
    assert!(fcr > 0.78 && fcr < 0.95, "follow-up FCR {fcr}");
    // The client's target: 3 points above the centre's FCR, rounded up to a whole point.
    let target = ((fcr + 0.03) * 100.0).ceil() / 100.0;

    // Under cx-ops (policy centre) PF2 judges the centre's 0.78 and is met.
    let base = assess_record(&cx_ops(), &evidence, &dir.path().join("base"));
    let f = finding(&base, "PF2");
    assert_eq!(status(&base, "PF2"), "met", "{}", f["summary"]);
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .contains("against target 78.0% (the centre's kpi_targets row 4"),
        "{}",
        f["summary"]
    );

    // Overriding only `target` keeps the centre policy: pack validate warns, PF2 is unchanged.
    let ignored = tailored(dir.path(), "ignored", &format!("target = {target}"));
    let o = cxaudit_ok(&["pack", "validate", ignored.to_str().unwrap()]);
    let warning = stderr(&o);
    assert!(
        warning.contains("`overrides.PF2.params.target`")
            && warning.contains("under target_policy = \"centre\" the pack's target applies only to centres without a fcr_rate target"),
        "{warning}"
    );
    let a = assess_record(&ignored, &evidence, &dir.path().join("ignored-out"));
    assert_eq!(status(&a, "PF2"), "met");

    // With stricter_of the client's target binds: max(0.78, target) = target > FCR.
    let strict = tailored(
        dir.path(),
        "strict",
        &format!("target = {target}, target_policy = \"stricter_of\""),
    );
    let o = cxaudit_ok(&["pack", "validate", strict.to_str().unwrap()]);
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    let a = assess_record(&strict, &evidence, &dir.path().join("strict-out"));
    let f = finding(&a, "PF2");
    assert_ne!(status(&a, "PF2"), "met", "{}", f["summary"]);
    let c = check(f, "fcr_vs_target");
    assert_eq!(c["passed"], false);
    let expected = c["expected"].as_str().unwrap();
    assert!(
        expected.starts_with(&format!(
            ">= {target} (pack parameter `target`: stricter than the centre's 78.0% (kpi_targets row 4) (policy stricter_of))"
        )),
        "{expected}"
    );
    let summary = f["summary"].as_str().unwrap();
    assert!(
        summary.contains(&format!(
            "against target {:.1}% (pack parameter `target`: stricter than the centre's 78.0%",
            target * 100.0
        )),
        "{summary}"
    );
    let definition = f["definitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["term"] == "fcr_rate target")
        .expect("the target is defined in the finding");
    assert!(
        definition["text"]
            .as_str()
            .unwrap()
            .contains("from pack parameter `target`"),
        "{definition}"
    );
}

//! `cxaudit report` and `cxaudit compare` on the checked-in report fixtures
//! (`tests/fixtures/report/{base,new}.json`): re-rendering, determinism
//! across processes, refusals with exit 2.

use std::path::PathBuf;

use cxaudit_model::Assessment;
use cxaudit_reports::{REPORT_FILES, Templates, render};
use cxaudit_tests::{cxaudit, fixture, stderr};

fn record(name: &str) -> (PathBuf, Assessment) {
    let path = fixture("report").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    (path, Assessment::from_json(&text).unwrap())
}

fn run_ok(args: &[&str]) {
    let out = cxaudit(args);
    assert!(out.status.success(), "{:?}: {}", args, stderr(&out));
}

#[test]
fn report_rerenders_what_the_library_renders() {
    let dir = tempfile::tempdir().unwrap();
    let (base_path, base) = record("base.json");
    let out = dir.path().join("r");
    run_ok(&[
        "report",
        base_path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    for f in REPORT_FILES {
        assert!(out.join(f).is_file(), "{f}");
    }
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let expected = render(&base, &Templates::embedded()).unwrap();
    assert_eq!(md, expected.markdown);
}

/// Two separate processes render the same bytes (no clock, no hash-map
/// order, no address leaks into the output).
#[test]
fn rendering_is_deterministic_across_processes() {
    let dir = tempfile::tempdir().unwrap();
    let (base_path, _) = record("base.json");
    let (new_path, _) = record("new.json");
    for run in ["one", "two"] {
        let out = dir.path().join(run);
        run_ok(&[
            "report",
            base_path.to_str().unwrap(),
            "--out",
            out.join("report").to_str().unwrap(),
        ]);
        run_ok(&[
            "compare",
            base_path.to_str().unwrap(),
            new_path.to_str().unwrap(),
            "--out",
            out.join("compare").to_str().unwrap(),
        ]);
    }
    for file in [
        "report/report.md",
        "report/report.html",
        "report/improvement-plan.csv",
        "compare/compare.md",
        "compare/compare.html",
    ] {
        let one = std::fs::read(dir.path().join("one").join(file)).unwrap();
        let two = std::fs::read(dir.path().join("two").join(file)).unwrap();
        assert!(!one.is_empty(), "{file} is empty");
        assert!(one == two, "{file} differs between two runs");
    }
}

#[test]
fn compare_refuses_other_packs_and_bad_templates_are_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let (base_path, base) = record("base.json");
    let (new_path, new) = record("new.json");

    // Same pack id and version, different content: refused with both hashes, exit 2.
    let mut other = new.clone();
    other.pack.sha256 = "0".repeat(64);
    let other_path = dir.path().join("other.json");
    std::fs::write(&other_path, other.to_json().unwrap()).unwrap();
    let c = dir.path().join("c");
    let out = cxaudit(&[
        "compare",
        base_path.to_str().unwrap(),
        other_path.to_str().unwrap(),
        "--out",
        c.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains(&base.pack.sha256), "{err}");
    assert!(err.contains(&"0".repeat(64)), "{err}");
    assert!(err.contains("cx-ops-mini 1.0.0"), "{err}");
    assert!(!c.join("compare.md").exists());

    // Same pack: compare writes both files.
    run_ok(&[
        "compare",
        base_path.to_str().unwrap(),
        new_path.to_str().unwrap(),
        "--out",
        c.to_str().unwrap(),
    ]);
    assert!(c.join("compare.html").is_file());

    // A broken custom template is bad input (exit 2) naming the file.
    let tpl = dir.path().join("tpl");
    std::fs::create_dir_all(&tpl).unwrap();
    std::fs::write(tpl.join("report.md.hbs"), "{{#each}}").unwrap();
    let out = cxaudit(&[
        "report",
        base_path.to_str().unwrap(),
        "--out",
        dir.path().join("r2").to_str().unwrap(),
        "--templates",
        tpl.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("report.md.hbs"));
}

/// A record of another format version is refused with a message that says
/// what to do, exit 2.
#[test]
fn an_old_record_is_refused_by_version() {
    let dir = tempfile::tempdir().unwrap();
    let (_, base) = record("base.json");
    let mut json: serde_json::Value = serde_json::from_str(&base.to_json().unwrap()).unwrap();
    json["schema_version"] = "1.0".into();
    let old = dir.path().join("old.json");
    std::fs::write(&old, serde_json::to_string(&json).unwrap()).unwrap();
    let out = cxaudit(&[
        "report",
        old.to_str().unwrap(),
        "--out",
        dir.path().join("r").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("old.json: an assessment.json of format 1.0; this cxaudit reads format 2.1"),
        "{err}"
    );
}

/// `synth` refuses a centre too small to simulate as bad usage (exit 2).
#[test]
fn synth_with_too_few_contacts_is_bad_usage() {
    let dir = tempfile::tempdir().unwrap();
    let out = cxaudit(&[
        "synth",
        "--scenario",
        "baseline",
        "--contacts",
        "50",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("invalid configuration"),
        "{}",
        stderr(&out)
    );
}

//! `cxaudit verify` on a real set: exit 0 untouched, exit 1 naming the
//! file when one evidence byte changes or a report file comes from another
//! run, exit 2 without an evidence folder.

use std::path::{Path, PathBuf};

use cxaudit_tests::{cxaudit, fixture, root, stderr, stdout, synth};

/// A synthetic centre's evidence and its assessed set.
struct Assessed {
    _dir: tempfile::TempDir,
    evidence: PathBuf,
    out: PathBuf,
}

fn arg(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn pack() -> PathBuf {
    root().join("standards/cx-ops")
}

fn assessed() -> Assessed {
    let dir = tempfile::tempdir().unwrap();
    let evidence = dir.path().join("evidence");
    synth(&evidence, "baseline", &["--contacts", "2000"]);
    let out = dir.path().join("out");
    let o = cxaudit(&[
        "assess",
        "-q",
        "--pack",
        arg(&pack()),
        "--evidence",
        arg(&evidence),
        "--out",
        arg(&out),
    ]);
    assert!(o.status.success(), "assess: {}", stderr(&o));
    Assessed {
        _dir: dir,
        evidence,
        out,
    }
}

/// `cxaudit verify OUT --evidence EV --pack cx-ops [extra]`: exit code and stdout.
fn verify(a: &Assessed, extra: &[&str]) -> (Option<i32>, String) {
    let pack = pack();
    let args = [
        &["verify", arg(&a.out), "--evidence", arg(&a.evidence)][..],
        &["--pack", arg(&pack)],
        extra,
    ]
    .concat();
    let o = cxaudit(&args);
    (o.status.code(), stdout(&o))
}

/// The lines reporting a difference.
fn differences(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.starts_with("DIFFERENT "))
        .collect()
}

#[test]
fn an_untouched_set_verifies_and_one_changed_evidence_byte_does_not() {
    let a = assessed();
    let (code, text) = verify(&a, &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("verified: the set is whole"), "{text}");
    assert!(differences(&text).is_empty());

    let file = a.evidence.join("data/agents.csv");
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.len() / 2;
    bytes[at] = if bytes[at] == b'7' { b'8' } else { b'7' };
    std::fs::write(&file, &bytes).unwrap();
    let (code, text) = verify(&a, &[]);
    assert_eq!(code, Some(1), "{text}");
    let lines = differences(&text);
    assert_eq!(lines.len(), 1, "{text}");
    assert!(
        lines[0].starts_with("DIFFERENT data/agents.csv: expected "),
        "{text}"
    );

    let (code, json) = verify(&a, &["--format", "json"]);
    assert_eq!(code, Some(1));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let d = &v["differences"][0];
    assert_eq!(d["file"], "data/agents.csv");
    assert_ne!(d["expected"], d["found"]);
    assert_eq!(d["found"].as_str().unwrap().len(), 64);
}

#[test]
fn a_report_file_from_another_run_is_named() {
    let a = assessed();
    let other = a.out.parent().unwrap().join("other");
    let record = fixture("report").join("base.json");
    let o = cxaudit(&["report", arg(&record), "--out", arg(&other)]);
    assert!(o.status.success(), "{}", stderr(&o));
    for file in ["report.html", "improvement-plan.csv"] {
        let kept = std::fs::read(a.out.join(file)).unwrap();
        std::fs::copy(other.join(file), a.out.join(file)).unwrap();
        let (code, text) = verify(&a, &[]);
        assert_eq!(code, Some(1), "{file}: {text}");
        let lines = differences(&text);
        assert_eq!(lines.len(), 1, "{text}");
        assert!(
            lines[0].contains(&format!("{file}: expected run digest ")),
            "{text}"
        );
        std::fs::write(a.out.join(file), kept).unwrap();
    }
    // An assessment.json edited after it was written: its digest no longer
    // matches its fields, and the reports no longer match it.
    let path = a.out.join("assessment.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("\"as_of\": \"2026-06-30\"", "\"as_of\": \"2026-06-29\"", 1),
    )
    .unwrap();
    let (code, text) = verify(&a, &[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("DIFFERENT assessment.json (run digest recomputed from the record)"),
        "{text}"
    );
}

#[test]
fn without_an_evidence_folder_verify_is_bad_usage() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let record = fixture("report").join("base.json");
    let o = cxaudit(&["report", arg(&record), "--out", arg(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = cxaudit(&["verify", arg(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--evidence DIR is required"),
        "{}",
        stderr(&o)
    );
}

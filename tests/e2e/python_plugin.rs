//! An executable plugin in Python (`tests/plugins/python_example`, on the
//! helper module `plugins/python/cxaudit_plugin.py` and pyarrow): described
//! and run through the host protocol, validated against a pack, run through
//! `assess` in both isolation modes and shown in the report; a program that
//! fails is refused or errs with its cause.

use std::path::Path;
use std::process::{Command, Output};

use cxaudit_tests::python::python_path;
use cxaudit_tests::*;

/// `cxaudit ARGS` with the helper module and pyarrow on the Python path.
fn cxaudit_py(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env("PYTHONPATH", python_path())
        .env_remove("CXAUDIT_PLUGIN_PATH")
        .output()
        .expect("run cxaudit")
}

fn example() -> std::path::PathBuf {
    root().join("tests/plugins/python_example")
}

/// `assess` of the basic evidence against the Python pack with the plugins
/// of `plugins`: the output, the record, and the folder holding it.
fn assess_basic(plugins: &Path, isolation: &str) -> (Output, serde_json::Value, tempfile::TempDir) {
    let out = tempfile::tempdir().unwrap();
    let o = cxaudit_py(&[
        "assess",
        "--quiet",
        "--pack",
        fixture("pack-python").to_str().unwrap(),
        "--evidence",
        fixture("evidence-basic").to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--plugins",
        plugins.to_str().unwrap(),
        "--isolation",
        isolation,
    ]);
    let record = std::fs::read_to_string(out.path().join("assessment.json"))
        .map(|text| serde_json::from_str(&text).expect("assessment.json is JSON"))
        .unwrap_or_else(|e| panic!("no assessment.json ({e}): {}", stderr(&o)));
    (o, record, out)
}

fn plugins_list(dir: &Path) -> serde_json::Value {
    let o = cxaudit_py(&[
        "plugins",
        "list",
        "--format",
        "json",
        "--plugins",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

#[test]
fn the_python_plugin_is_listed_with_its_manifest() {
    let listing = plugins_list(&example());
    let plugin = listing["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "python_example")
        .unwrap_or_else(|| panic!("python_example not listed: {listing}"));
    assert_eq!(plugin["sdk_version"], "python-helper-1.0");
    assert_eq!(
        plugin["program"]["command"],
        serde_json::json!(["python3", "plugin.py"])
    );
    let evaluator = &plugin["evaluators"][0];
    assert_eq!(evaluator["name"], "wait_share");
    let params = evaluator["parameters"].as_array().unwrap();
    assert_eq!(params[0]["default"], 20.0);
}

/// The basic evidence has waits 5, 12.5, 19, 45 and 20 seconds: 3 of 5 are
/// at most the pack's 19 s, a share of 0.6 against 0.8: score 0.75,
/// partially met. Calls 1-3 and 5 were answered (3 of 4 within the limit),
/// call 4 was not (45 s).
#[test]
fn the_python_plugin_runs_through_assess_and_appears_in_the_report() {
    let pack = fixture("pack-python");
    let example = example();
    let o = cxaudit_py(&[
        "pack",
        "validate",
        pack.to_str().unwrap(),
        "--plugins",
        example.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "pack validate: {}", stderr(&o));
    for isolation in ["process", "none"] {
        let (o, record, out) = assess_basic(&example, isolation);
        assert!(o.status.success(), "assess ({isolation}): {}", stderr(&o));
        let f = finding(&record, "PY1");
        assert_eq!(status(&record, "PY1"), "partially_met", "{f}");
        let score = f["evaluated"]["score"].as_f64().unwrap();
        assert!((score - 0.75).abs() < 1e-9, "score {score}");
        assert_eq!(
            f["summary"],
            "3 of 5 calls waited at most 19 s (60.0%, target 80.0%)."
        );
        // The program named the measurement; the host added the manifest's
        // unit and definition.
        assert_eq!(
            f["measurements"][0],
            serde_json::json!({"name": "share_within", "value": 0.6, "unit": "ratio",
                "definition": "calls with a wait at most the limit / calls with a wait"})
        );
        assert_eq!(
            f["drilldowns"][0]["rows"],
            serde_json::json!([["answered", 4, 3, 0.75], ["not answered", 1, 0, 0.0]])
        );
        // The declared document crossed the protocol too.
        assert_eq!(
            f["observations"],
            serde_json::json!(["Policy read: docs/policy.md."])
        );
        let evidence = f["evidence"].to_string();
        assert!(evidence.contains("data/calls.csv"), "{evidence}");
        assert!(evidence.contains("docs/policy.md"), "{evidence}");

        let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
        assert!(
            html.contains("python_example/wait_share"),
            "report names the evaluator"
        );
        assert!(
            html.contains("3 of 5 calls waited at most 19 s"),
            "report shows the summary"
        );
    }
}

#[test]
fn a_program_that_fails_is_refused_with_its_cause() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cxaudit-plugin.toml"),
        "[plugin]\ncommand = [\"python3\", \"plugin.py\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("plugin.py"),
        "import sys\nsys.stdin.read()\nraise SystemExit('no licence for this plugin')\n",
    )
    .unwrap();
    let listing = plugins_list(dir.path());
    let refused = listing["refused"].to_string();
    assert!(refused.contains("cxaudit-plugin.toml"), "{refused}");
    assert!(refused.contains("exit status: 1"), "{refused}");
    assert!(refused.contains("no licence for this plugin"), "{refused}");
}

/// An evaluation whose program dies costs only its criterion: `error`,
/// with the exit status and the last line it printed, and `assess` exits 3.
#[test]
fn a_program_that_dies_while_evaluating_errs_with_its_last_output() {
    let dir = tempfile::tempdir().unwrap();
    let example = example();
    std::fs::copy(
        example.join("cxaudit-plugin.toml"),
        dir.path().join("cxaudit-plugin.toml"),
    )
    .unwrap();
    let source = std::fs::read_to_string(example.join("plugin.py")).unwrap();
    let dying = source.replace(
        "    calls = ctx.table(\"calls\").to_pylist()\n",
        "    import os, sys\n    print(\"database unreachable\", file=sys.stderr, flush=True)\n    os._exit(4)\n",
    );
    assert_ne!(
        dying, source,
        "the example's evaluator changed: update this test"
    );
    std::fs::write(dir.path().join("plugin.py"), dying).unwrap();
    for isolation in ["process", "none"] {
        let (o, record, _out) = assess_basic(dir.path(), isolation);
        assert_eq!(o.status.code(), Some(3), "{isolation}: {}", stderr(&o));
        assert_eq!(status(&record, "PY1"), "error");
        let summary = finding(&record, "PY1")["summary"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            summary.starts_with("Evaluator `python_example/wait_share` did not answer: the program exited with exit status: 4"),
            "{isolation}: {summary}"
        );
        if isolation == "process" {
            // Its output was captured in the child: the cause is named.
            assert!(
                summary.contains("its last output: database unreachable"),
                "{summary}"
            );
        }
    }
}

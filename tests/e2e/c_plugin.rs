//! A plugin written in C against `include/cxaudit_plugin.h` only
//! (`tests/plugins/c_example`): compiled here with the system C compiler,
//! validated against a pack, run through `assess` and shown in the report.

use std::path::{Path, PathBuf};
use std::process::Command;

use cxaudit_tests::*;

/// Compiles the example into `dir` as a plugin library, with every warning
/// an error: the header must stay clean C11.
fn build_c_plugin(dir: &Path) -> PathBuf {
    let lib = dir.join(format!(
        "{}cxaudit_c_example{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let o = Command::new(&compiler)
        .args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-shared",
            "-fPIC",
        ])
        .arg("-I")
        .arg(root().join("include"))
        .arg("-o")
        .arg(&lib)
        .arg(root().join("tests/plugins/c_example/plugin.c"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run the C compiler `{compiler}`: {e}"));
    assert!(
        o.status.success(),
        "compiling the C plugin failed:\n{}",
        stderr(&o)
    );
    lib
}

#[test]
fn the_c_plugin_is_listed_with_its_manifest() {
    let dir = tempfile::tempdir().unwrap();
    build_c_plugin(dir.path());
    let o = cxaudit(&[
        "plugins",
        "list",
        "--format",
        "json",
        "--plugins",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let listing: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let plugin = &listing["plugins"][0];
    assert_eq!(plugin["name"], "c_example");
    assert_eq!(plugin["sdk_version"], "c-header-1.0");
    let evaluator = &plugin["evaluators"][0];
    assert_eq!(evaluator["name"], "wait_share");
    // The manifest's defaults came through the JSON the C code wrote.
    let params = evaluator["parameters"].as_array().unwrap();
    assert_eq!(params.len(), 2);
    assert_eq!(params[0]["default"], 20.0);
}

/// The basic evidence has waits 5, 12.5, 19, 45 and 20 seconds: 3 of 5 are
/// at most 19 s, a share of 0.6 against a target of 0.8, so the C
/// evaluator scores 0.6 / 0.8 = 0.75: partially met (the pack gives partial
/// credit from 0.5).
#[test]
fn the_c_plugin_runs_through_assess_and_appears_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    build_c_plugin(dir.path());
    let pack = fixture("pack-c");
    let o = validate_pack(&pack, dir.path());
    assert!(o.status.success(), "pack validate: {}", stderr(&o));

    for isolation in ["process", "none"] {
        let out = tempfile::tempdir().unwrap();
        let o = cxaudit(&[
            "assess",
            "--quiet",
            "--pack",
            pack.to_str().unwrap(),
            "--evidence",
            fixture("evidence-basic").to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
            "--plugins",
            dir.path().to_str().unwrap(),
            "--isolation",
            isolation,
        ]);
        assert!(o.status.success(), "assess ({isolation}): {}", stderr(&o));
        let record: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(out.path().join("assessment.json")).unwrap(),
        )
        .unwrap();
        let f = finding(&record, "CW1");
        assert_eq!(status(&record, "CW1"), "partially_met", "{f}");
        let score = f["evaluated"]["score"].as_f64().unwrap();
        assert!((score - 0.75).abs() < 1e-9, "score {score}");
        let summary = "3 of 5 calls waited at most 19 s (60.0%, target 80.0%).";
        assert_eq!(f["summary"], summary);
        // Lists the C code did not write are empty, not an error.
        assert_eq!(f["drilldowns"], serde_json::json!([]));
        // The C code wrote the measurement's value only: its unit and
        // definition are the manifest's, filled in by the host.
        assert_eq!(
            f["measurements"][0],
            serde_json::json!({"name": "share_within", "value": 0.6, "unit": "ratio",
                "definition": "calls with a wait at most the limit / calls with a wait"})
        );
        // The host recorded the table the plugin read through the stream.
        let evidence = f["evidence"].to_string();
        assert!(evidence.contains("data/calls.csv"), "{evidence}");

        let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
        assert!(
            html.contains("c_example/wait_share"),
            "report names the evaluator"
        );
        assert!(
            html.contains("3 of 5 calls waited at most 19 s"),
            "report shows the summary"
        );
    }
}

/// The header's version and status codes are the ABI crate's.
#[test]
fn the_header_states_the_abi_crates_constants() {
    use cxaudit_plugin_sdk::abi;
    let header = std::fs::read_to_string(root().join("include/cxaudit_plugin.h")).unwrap();
    let define = |name: &str| -> i64 {
        let prefix = format!("#define {name} ");
        let line = header
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("{name} not defined in the header"));
        line[prefix.len()..].trim().parse().unwrap()
    };
    assert_eq!(
        define("CXAUDIT_ABI_VERSION_MAJOR"),
        i64::from(abi::ABI_VERSION_MAJOR)
    );
    assert_eq!(
        define("CXAUDIT_ABI_VERSION_MINOR"),
        i64::from(abi::ABI_VERSION_MINOR)
    );
    assert_eq!(define("CXAUDIT_OK"), i64::from(abi::status::OK));
    assert_eq!(
        define("CXAUDIT_NOT_FOUND"),
        i64::from(abi::status::NOT_FOUND)
    );
    assert_eq!(
        define("CXAUDIT_EVALUATOR_FAILED"),
        i64::from(abi::status::EVALUATOR_FAILED)
    );
    assert_eq!(define("CXAUDIT_PANICKED"), i64::from(abi::status::PANICKED));
    assert_eq!(
        define("CXAUDIT_BAD_ARGUMENT"),
        i64::from(abi::status::BAD_ARGUMENT)
    );
    let symbols = [abi::PROBE_SYMBOL, abi::INIT_SYMBOL]
        .map(|s| std::str::from_utf8(&s[..s.len() - 1]).unwrap().to_owned());
    for symbol in symbols {
        assert!(
            header.contains(&format!("{symbol}(void)")),
            "{symbol} not declared"
        );
    }
}

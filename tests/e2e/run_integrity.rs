//! Run integrity: plugins are untrusted code. A plugin that crashes, aborts,
//! exits, hangs, prints or allocates without bound costs only its own
//! criterion; every other criterion is judged, the assessment is whole, and
//! the exit status says the run is incomplete.

use std::path::{Path, PathBuf};
use std::time::Instant;

use cxaudit_tests::*;

/// Each hostile evaluator, its criterion, and what its finding must say.
const HOSTILE: &[(&str, &str, &str)] = &[
    (
        "HX1",
        "segfault",
        "its process was killed by SIGSEGV (segmentation fault)",
    ),
    (
        "HX2",
        "abort",
        "its process was killed by SIGABRT (aborted)",
    ),
    ("HX3", "spin", "its process timed out after 4 s"),
    (
        "HX4",
        "exit_zero",
        "its process exited with status 0 before answering",
    ),
    (
        "HX5",
        "late_abort",
        "its process was killed by SIGABRT (aborted)",
    ),
    (
        "HX6",
        "hog",
        "It ran out of memory: a plugin process may use 256 MiB",
    ),
];

/// The shipped pack with one extra criterion per hostile evaluator.
fn hostile_pack(dir: &Path) -> PathBuf {
    let all: Vec<(&str, &str)> = HOSTILE
        .iter()
        .map(|(id, name, _)| (*id, *name))
        .chain([("HX7", "chatty")])
        .collect();
    pack_with(dir, &all)
}

/// The shipped pack with one extra criterion per (id, hostile evaluator).
fn pack_with(dir: &Path, extra: &[(&str, &str)]) -> PathBuf {
    let pack = dir.join("pack");
    std::fs::create_dir_all(pack.join("criteria")).unwrap();
    let base = root().join("standards").join("cx-ops");
    std::fs::write(
        pack.join("pack.toml"),
        format!(
            "[pack]\nid = \"cx-ops-hostile\"\ntitle = \"cx-ops and misbehaving plugins\"\n\
             version = \"1.0.0\"\nextends = {:?}\n\n[[sections]]\nid = \"HX\"\n\
             title = \"Misbehaving plugins\"\n",
            base.to_str().unwrap()
        ),
    )
    .unwrap();
    let mut criteria = String::new();
    for (id, name) in extra {
        criteria.push_str(&format!(
            "[[criterion]]\nid = \"{id}\"\nsection = \"HX\"\ntitle = \"A plugin that does `{name}`\"\n\
             requirement = \"The plugin answers.\"\npoints = 10\nevaluator = \"hostile/{name}\"\n\n"
        ));
    }
    std::fs::write(pack.join("criteria").join("hostile.toml"), criteria).unwrap();
    pack
}

fn synth(dir: &Path) -> PathBuf {
    let evidence = dir.join("evidence");
    cxaudit_tests::synth(&evidence, "baseline", &["--contacts", "4000"]);
    evidence
}

fn read(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("assessment.json")).expect("assessment.json");
    serde_json::from_str(&text).expect("assessment.json is whole JSON")
}

#[test]
fn each_misbehaving_plugin_costs_exactly_its_own_criterion() {
    let tmp = tempfile::tempdir().unwrap();
    let evidence = synth(tmp.path());
    let pack = hostile_pack(tmp.path());
    let plugins = plugin_dir(&["cxaudit_testplugin_hostile"]);
    let out = tmp.path().join("out");
    let started = Instant::now();
    let o = assess_into(
        &pack,
        &evidence,
        &out,
        plugins.path(),
        &["--timeout", "4", "--plugin-memory", "256"],
    );
    let elapsed = started.elapsed();
    let ids: Vec<&str> = HOSTILE.iter().map(|(id, _, _)| *id).collect();
    assert_errored(&o, &ids);
    // Nothing a plugin printed reaches cxaudit's own output (a failed
    // criterion's summary quotes its last line, attributed).
    let (out_text, err_text) = (stdout(&o), stderr(&o));
    assert!(!out_text.contains("hostile plugin"), "{out_text}");
    assert!(!out_text.contains("chatty"), "{out_text}");
    assert!(!err_text.contains("chatty: a line"), "{err_text}");
    assert!(
        err_text.contains("Its last output: memory allocation of 2147483648 bytes failed"),
        "{err_text}"
    );
    // The hang ended at its deadline, not later (the rest of the run takes
    // seconds; a missed deadline would take minutes).
    assert!(elapsed.as_secs() < 120, "took {elapsed:?}");

    let a = read(&out);
    assert_eq!(a["execution"]["isolation"], "process");
    assert_eq!(a["execution"]["evaluator_timeout_seconds"], 4.0);
    assert_eq!(a["execution"]["plugin_memory_mib"], 256);
    for (id, _, cause) in HOSTILE {
        let f = finding(&a, id);
        assert_eq!(f["outcome"]["status"], "error", "{id}: {f}");
        let summary = f["summary"].as_str().unwrap();
        assert!(summary.contains(cause), "{id}: {summary}");
    }
    // The chatty plugin is judged, and what it printed is kept with it.
    let chatty = finding(&a, "HX7");
    assert_eq!(chatty["outcome"]["status"], "met", "{chatty}");
    let printed = chatty["plugin_output"].as_str().unwrap();
    assert!(printed.contains("chatty: a line on stdout"), "{printed}");
    assert!(printed.contains("chatty: a line on stderr"), "{printed}");

    // The 22 criteria of the shipped pack are judged exactly as in a run of
    // the shipped pack alone, in-process.
    let plain_out = tmp.path().join("plain");
    let o = cxaudit(&[
        "assess",
        "-q",
        "--isolation",
        "none",
        "--pack",
        root().join("standards").join("cx-ops").to_str().unwrap(),
        "--evidence",
        evidence.to_str().unwrap(),
        "--out",
        plain_out.to_str().unwrap(),
    ]);
    assert!(o.status.code() != Some(3), "{}", stderr(&o));
    let plain = read(&plain_out);
    assert_eq!(plain["execution"]["isolation"], "none");
    let plain_findings = plain["findings"].as_array().unwrap();
    assert_eq!(plain_findings.len(), 22);
    for p in plain_findings {
        let id = p["criterion"].as_str().unwrap();
        let f = finding(&a, id);
        for key in [
            "outcome",
            "summary",
            "checks",
            "measurements",
            "drilldowns",
            "evidence",
        ] {
            assert_eq!(f[key], p[key], "{id} {key}");
        }
    }
}

/// What the `process` evaluator said of the process it ran in: its id and
/// how many evaluations that process had made.
fn process_of(a: &serde_json::Value, id: &str) -> (u64, u64) {
    let f = finding(a, id);
    assert_eq!(f["outcome"]["status"], "met", "{id}: {f}");
    let summary = f["summary"].as_str().unwrap();
    let rest = summary.strip_prefix("process ").expect(summary);
    let (pid, rest) = rest.split_once(", evaluation ").expect(summary);
    let n = rest.strip_suffix(" in it").expect(summary);
    (pid.parse().unwrap(), n.parse().unwrap())
}

#[test]
fn a_library_keeps_its_process_between_its_criteria_until_one_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let evidence = synth(tmp.path());
    let pack = pack_with(
        tmp.path(),
        &[
            ("HP1", "process"),
            ("HP2", "process"),
            ("HP3", "segfault"),
            ("HP4", "process"),
        ],
    );
    let plugins = plugin_dir(&["cxaudit_testplugin_hostile"]);
    let out = tmp.path().join("out");
    // One at a time: the criteria are evaluated in pack order.
    let o = assess_into(&pack, &evidence, &out, plugins.path(), &["--jobs", "1"]);
    assert_errored(&o, &["HP3"]);
    let a = read(&out);
    let (first, n1) = process_of(&a, "HP1");
    let (second, n2) = process_of(&a, "HP2");
    // The second criterion of the library ran in the first one's process.
    assert_eq!((second, n1, n2), (first, 1, 2));
    // The crash, in a process that had served others, was judged again in
    // a fresh process: its finding is its own.
    let crashed = finding(&a, "HP3");
    assert!(
        crashed["summary"]
            .as_str()
            .unwrap()
            .contains("its process was killed by SIGSEGV (segmentation fault)"),
        "{crashed}"
    );
    // The criterion after it starts a fresh process.
    let (after, n4) = process_of(&a, "HP4");
    assert_ne!(after, first);
    assert_eq!(n4, 1);
}

#[test]
fn plugin_output_at_load_time_does_not_break_json_listings() {
    let plugins = plugin_dir(&["cxaudit_testplugin_hostile"]);
    let o = cxaudit(&[
        "plugins",
        "list",
        "--format",
        "json",
        "--plugins",
        plugins.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("stdout is JSON only");
    let hostile = v["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "hostile")
        .expect("the hostile plugin is listed");
    assert_eq!(hostile["evaluators"].as_array().unwrap().len(), 8);
}

#[test]
fn no_plugin_found_exits_3_and_an_unknown_evaluator_exits_2_before_assessing() {
    let tmp = tempfile::tempdir().unwrap();
    let (_e, evidence) = fixture_copy("evidence-basic");
    let out = tmp.path().join("out");
    // Without plugins: the binary is copied where no plugin lies beside it.
    let lonely = tmp.path().join("bin");
    std::fs::create_dir_all(&lonely).unwrap();
    let exe = lonely.join("cxaudit");
    std::fs::copy(bin(), &exe).unwrap();
    let o = std::process::Command::new(&exe)
        .args(["assess", "-q", "--pack"])
        .arg(fixture("pack-basic"))
        .arg("--evidence")
        .arg(&evidence)
        .arg("--out")
        .arg(&out)
        .env_remove("CXAUDIT_PLUGIN_PATH")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("no plugin found"), "{}", stderr(&o));
    assert!(!out.join("assessment.json").exists());

    // An evaluator the plugins do not have: the same error as `pack validate`.
    let pack = tmp.path().join("pack");
    std::fs::create_dir_all(pack.join("criteria")).unwrap();
    std::fs::write(
        pack.join("pack.toml"),
        format!(
            "[pack]\nid = \"typo\"\ntitle = \"A pack with a typo\"\nversion = \"1.0.0\"\n\
             extends = {:?}\n",
            fixture("pack-basic").to_str().unwrap()
        ),
    )
    .unwrap();
    std::fs::write(
        pack.join("criteria").join("typo.toml"),
        "[[criterion]]\nid = \"SV3\"\nsection = \"SV\"\ntitle = \"Rows, misspelt\"\n\
         requirement = \"Some rows.\"\npoints = 10\nevaluator = \"threshold/row_cuont\"\n",
    )
    .unwrap();
    let plugins = plugin_dir(&["cxaudit_testplugin_threshold", "cxaudit_testplugin_panicky"]);
    let validate = validate_pack(&pack, plugins.path());
    assert_eq!(validate.status.code(), Some(2), "{}", stderr(&validate));
    let (o, a, _out) = assess(&pack, &evidence, plugins.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(a.is_none());
    assert!(stderr(&o).contains("row_cuont"), "{}", stderr(&o));
}

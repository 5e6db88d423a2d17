//! End-to-end tests of the engine spine: plugin listing and handshake,
//! assessment record and determinism, failure isolation, evidence errors,
//! pack validation, parse-once, attestations and waivers, exit codes.

use std::collections::BTreeMap;

use cxaudit_tests::*;

const PLUGINS: &[&str] = &["cxaudit_testplugin_threshold", "cxaudit_testplugin_panicky"];

#[test]
fn plugins_list_json_shows_identity_hash_and_needs() {
    let dir = plugin_dir(PLUGINS);
    let o = cxaudit(&[
        "plugins",
        "list",
        "--format",
        "json",
        "--plugins",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let plugins = v["plugins"].as_array().unwrap();
    let threshold = plugins
        .iter()
        .find(|p| p["name"] == "threshold")
        .expect("threshold listed");
    assert_eq!(threshold["version"], "0.1.0");
    assert_eq!(threshold["abi_version"], "1.2");
    let lib = dir.path().join(
        plugin_library("cxaudit_testplugin_threshold")
            .file_name()
            .unwrap(),
    );
    assert_eq!(
        threshold["path"],
        lib.to_str().unwrap(),
        "found in the --plugins folder first"
    );
    let expected_sha = cxaudit::hashing::sha256_file(&lib).unwrap();
    assert_eq!(threshold["sha256"], expected_sha.as_str());
    let wait = threshold["evaluators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "wait_threshold")
        .unwrap();
    let table = &wait["tables"][0];
    assert_eq!(table["name"], "calls");
    assert_eq!(table["required"], true);
    let cols: Vec<(String, bool)> = table["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["required"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        cols,
        [
            ("call_id".into(), true),
            ("wait_seconds".into(), true),
            ("answered".into(), false)
        ]
    );
    assert_eq!(wait["parameters"][0]["name"], "max_wait_seconds");
    assert_eq!(wait["parameters"][0]["default"], 20.0);
    assert!(plugins.iter().any(|p| p["name"] == "panicky"));
}

#[test]
fn plugin_of_another_abi_major_is_refused_naming_both_versions() {
    let lib = plugin_library("cxaudit_testplugin_abi_mismatch");
    let err = cxaudit::plugins::load_library(&lib, "x".into()).expect_err("must be refused");
    assert_eq!(
        err.to_string(),
        "plugin built for ABI 2.0, this host speaks ABI 1.2"
    );

    let dir = plugin_dir(&["cxaudit_testplugin_abi_mismatch"]);
    let o = cxaudit(&[
        "plugins",
        "list",
        "--format",
        "json",
        "--plugins",
        dir.path().to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let refused = v["refused"].as_array().unwrap();
    assert!(
        refused.iter().any(|r| r["reason"]
            .as_str()
            .unwrap()
            .contains("ABI 2.0, this host speaks ABI 1.2")),
        "{refused:?}"
    );
    assert!(
        !v["plugins"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "abi-mismatch")
    );
}

#[test]
fn assessment_has_every_field_and_is_byte_identical_across_runs() {
    let plugins = plugin_dir(PLUGINS);
    let (o1, a, out1) = assess(
        &fixture("pack-basic"),
        &fixture("evidence-basic"),
        plugins.path(),
    );
    assert_errored(&o1, &["RB1"]);
    let (_, _, out2) = assess(
        &fixture("pack-basic"),
        &fixture("evidence-basic"),
        plugins.path(),
    );
    let b1 = std::fs::read(out1.path().join("assessment.json")).unwrap();
    let b2 = std::fs::read(out2.path().join("assessment.json")).unwrap();
    assert_eq!(b1, b2, "two runs must write identical bytes");

    let a = a.unwrap();
    for key in [
        "schema_version",
        "engine",
        "pack",
        "centre",
        "period",
        "as_of",
        "scoring_method",
        "evidence",
        "plugins",
        "findings",
        "scores",
        "scores_without_attestations",
        "decision",
        "attestations",
        "improvement_plan",
    ] {
        assert!(a.get(key).is_some(), "assessment.json lacks `{key}`");
    }
    assert_eq!(a["pack"]["id"], "basic");
    assert_eq!(a["pack"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(a["centre"]["name"], "Test Centre");
    assert_eq!(a["period"]["start"], "2026-01-01");
    let calls = &a["evidence"][0];
    assert_eq!(
        (calls["path"].as_str(), calls["rows"].as_u64()),
        (Some("data/calls.csv"), Some(5))
    );
    let plugin_names: Vec<&str> = a["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(plugin_names, ["panicky", "threshold"]);
    assert!(a["plugins"][1]["sha256"].as_str().unwrap().len() == 64);
    // No absolute path anywhere in the record.
    let text = String::from_utf8(b1).unwrap();
    assert!(!text.contains(plugins.path().to_str().unwrap()));
    assert!(!text.contains(&*root().to_string_lossy()));

    // SV1: 4 of 5 calls within 20 s = 0.8 >= target 0.8: met, 100 points.
    let sv1 = finding(&a, "SV1");
    assert_eq!(sv1["outcome"]["status"], "met");
    assert_eq!(sv1["outcome"]["earned"], 100.0);
    assert_eq!(sv1["checks"][0]["measured"], 0.8);
    assert_eq!(sv1["parameters"]["max_wait_seconds"], 20.0);
    assert_eq!(sv1["evidence"][0]["path"], "data/calls.csv");
    assert_eq!(sv1["evidence"][0]["rows"], 5);
    // Totals: 100 + 50 + 50 earned of 250 (RB1 error and RB2 manual earn 0).
    assert_eq!(a["scores"]["overall"]["earned"], 200.0);
    assert_eq!(a["scores"]["overall"]["available"], 250.0);
    assert_eq!(a["decision"]["certified"], false);
    let failed: Vec<&str> = a["decision"]["failed_rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        failed,
        [
            "Overall score at least 90.0%",
            "Section RB (Robustness) at least 75.0%"
        ]
    );
    assert_eq!(
        a["improvement_plan"]["gaps"][0]["criterion"], "RB2",
        "the urgent, important gap with most points per effort first"
    );
    assert_eq!(a["improvement_plan"]["gaps"][0]["rank"], 1);
}

#[test]
fn panicking_evaluator_is_an_error_and_the_others_complete() {
    let plugins = plugin_dir(PLUGINS);
    let (o, a, _out) = assess(
        &fixture("pack-basic"),
        &fixture("evidence-basic"),
        plugins.path(),
    );
    assert_errored(&o, &["RB1"]);
    let a = a.unwrap();
    let rb1 = finding(&a, "RB1");
    assert_eq!(rb1["outcome"]["status"], "error");
    assert_eq!(rb1["flagged"], true);
    assert!(
        rb1["summary"]
            .as_str()
            .unwrap()
            .contains("boom: deliberate test panic"),
        "{}",
        rb1["summary"]
    );
    for id in ["SV1", "SV2", "DC1"] {
        assert_eq!(status(&a, id), "met", "{id}");
    }
    assert_eq!(status(&a, "RB2"), "manual");
}

#[test]
fn malformed_csv_value_names_file_line_column_and_type() {
    let (_tmp, evidence) = fixture_copy("evidence-basic");
    let csv = evidence.join("data/calls.csv");
    let text = std::fs::read_to_string(&csv)
        .unwrap()
        .replace("c3,19,", "c3,nineteen,");
    std::fs::write(&csv, text).unwrap();
    let plugins = plugin_dir(PLUGINS);
    let (o, a, _out) = assess(&fixture("pack-basic"), &evidence, plugins.path());
    assert!(
        o.status.success(),
        "one bad table must not stop the run: {}",
        stderr(&o)
    );
    let a = a.unwrap();
    let expected =
        "data/calls.csv:4:2: `wait_seconds`: expected float (a finite number), found `nineteen`";
    let sv1 = finding(&a, "SV1");
    assert_eq!(sv1["outcome"]["status"], "insufficient_evidence");
    assert!(
        sv1["summary"].as_str().unwrap().contains(expected),
        "{}",
        sv1["summary"]
    );
    assert_eq!(a["evidence"][0]["status"], "failed");
    assert_eq!(a["evidence"][0]["messages"][0], expected);
    // The document criterion does not depend on the table.
    assert_eq!(status(&a, "DC1"), "met");
}

#[test]
fn evidence_paths_leaving_the_folder_are_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("evidence-basic").join("data/calls.csv"),
        outside.path().join("calls.csv"),
    )
    .unwrap();
    let abs = outside.path().join("calls.csv");
    let mut cases = vec![
        ("../outside.csv".to_owned(), "`..` is not allowed"),
        (abs.to_str().unwrap().to_owned(), "is absolute"),
    ];
    if cfg!(unix) {
        cases.push(("link/calls.csv".to_owned(), "outside the evidence folder"));
    }
    for (path, why) in cases {
        let (_tmp, evidence) = fixture_copy("evidence-basic");
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path(), evidence.join("link")).unwrap();
        let manifest = evidence.join("evidence.toml");
        let text = std::fs::read_to_string(&manifest)
            .unwrap()
            .replace("\"data/calls.csv\"", &format!("{path:?}"));
        std::fs::write(&manifest, text).unwrap();
        let plugins = plugin_dir(PLUGINS);
        let (o, a, _out) = assess(&fixture("pack-basic"), &evidence, plugins.path());
        assert!(o.status.success(), "{}", stderr(&o));
        let a = a.unwrap();
        let sv1 = finding(&a, "SV1");
        assert_eq!(sv1["outcome"]["status"], "insufficient_evidence", "{path}");
        assert!(
            sv1["summary"].as_str().unwrap().contains(why),
            "{path}: {}",
            sv1["summary"]
        );
        assert_eq!(a["evidence"][0]["status"], "failed");
    }
}

#[test]
fn unknown_evaluator_fails_validation_naming_file_line_and_key() {
    let (_tmp, pack) = fixture_copy("pack-basic");
    let file = pack.join("criteria/basic.toml");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("threshold/row_count", "threshold/no_such_thing");
    std::fs::write(&file, &text).unwrap();
    let plugins = plugin_dir(PLUGINS);
    let o = validate_pack(&pack, plugins.path());
    assert_eq!(o.status.code(), Some(2));
    let line = text
        .lines()
        .position(|l| l.contains("no_such_thing"))
        .unwrap()
        + 1;
    let err = stderr(&o);
    let expected = format!(
        "criteria/basic.toml:{line}:13: `criterion.SV2.evaluator`: unknown evaluator `threshold/no_such_thing`"
    );
    assert!(err.contains(&expected), "expected `{expected}` in:\n{err}");
    assert!(
        err.contains("plugin `threshold` has no evaluator `no_such_thing`"),
        "{err}"
    );
}

/// A headline KPI that no evaluator of the pack measures would read "not
/// measured" in every comparison: `pack validate` refuses it, naming the key.
#[test]
fn an_unmeasured_headline_kpi_fails_validation() {
    let (_tmp, pack) = fixture_copy("pack-tailored");
    let file = pack.join("pack.toml");
    let text = std::fs::read_to_string(&file).unwrap()
        + "\n[report]\nkpis = [{ measurement = \"no_such_kpi\", label = \"Nothing\", higher_is_better = true }]\n";
    std::fs::write(&file, &text).unwrap();
    let plugins = plugin_dir(PLUGINS);
    let o = validate_pack(&pack, plugins.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // At the list: the last line of the file, after `kpis = ` (7 characters).
    let expected = format!(
        "{}:{}:8: `report.kpis`: headline KPI `no_such_kpi` is not a measurement of any evaluator of the pack",
        file.display(),
        text.lines().count()
    );
    assert!(
        stderr(&o).contains(&expected),
        "expected `{expected}` in {}",
        stderr(&o)
    );
}

#[test]
fn pack_syntax_and_structure_errors_name_file_line_and_key() {
    let (_tmp, pack) = fixture_copy("pack-basic");
    let file = pack.join("criteria/basic.toml");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("section = \"DC\"", "section = \"XX\"");
    std::fs::write(&file, &text).unwrap();
    let o = cxaudit(&["pack", "validate", pack.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let line = text.lines().position(|l| l.contains("\"XX\"")).unwrap() + 1;
    assert!(
        stderr(&o).contains(&format!(
            "criteria/basic.toml:{line}:11: `criterion.DC1.section`: unknown section `XX`"
        )),
        "{}",
        stderr(&o)
    );
}

#[test]
fn missing_required_column_costs_only_the_criteria_that_need_it() {
    let (_tmp, evidence) = fixture_copy("evidence-basic");
    let csv = evidence.join("data/calls.csv");
    let text: String = std::fs::read_to_string(&csv)
        .unwrap()
        .lines()
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            cells.remove(1);
            cells.join(",") + "\n"
        })
        .collect();
    std::fs::write(&csv, text).unwrap();
    let plugins = plugin_dir(PLUGINS);
    let (o, a, _out) = assess(&fixture("pack-basic"), &evidence, plugins.path());
    assert_errored(&o, &["RB1"]);
    let a = a.unwrap();
    let sv1 = finding(&a, "SV1");
    assert_eq!(sv1["outcome"]["status"], "insufficient_evidence");
    assert!(
        sv1["summary"]
            .as_str()
            .unwrap()
            .contains("table `calls` has no column `wait_seconds`")
    );
    assert_eq!(status(&a, "SV2"), "met", "row_count needs only call_id");
    assert_eq!(status(&a, "DC1"), "met");
    assert_eq!(
        status(&a, "RB1"),
        "error",
        "the panicking evaluator still runs"
    );
    assert_eq!(a["evidence"][0]["missing_columns"][0], "wait_seconds");
}

#[test]
fn each_table_is_parsed_once_however_many_evaluators_read_it() {
    let plugins = plugin_dir(PLUGINS);
    let registry = cxaudit::plugins::Registry::load(
        &cxaudit::plugins::PluginSources::only(vec![plugins.path().to_path_buf()]),
        Default::default(),
    );
    let pack = cxaudit::pack::load(&fixture("pack-basic")).unwrap();
    let mut lines = Vec::new();
    let (record, report) = cxaudit::pipeline::assess(
        &pack,
        &registry,
        &fixture("evidence-basic"),
        &Default::default(),
        &mut |p: cxaudit::progress::Progress<'_>| lines.extend(p.line()),
    )
    .unwrap();
    // SV1, SV2 and RB1 all read `calls`.
    let readers: Vec<&str> = record
        .findings
        .iter()
        .filter(|f| f.evidence.iter().any(|e| e.path == "data/calls.csv") || f.criterion == "RB1")
        .map(|f| f.criterion.as_str())
        .collect();
    assert_eq!(readers, ["SV1", "SV2", "RB1"]);
    assert_eq!(
        report.store.parse_counts(),
        &BTreeMap::from([("calls".to_owned(), 1)])
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("reading calls"))
            .count(),
        1
    );
    // Only the columns some criterion needs were loaded (not `queue`).
    let cxaudit::evidence::TableLoad::Loaded(t) = report.store.table_load("calls").unwrap() else {
        panic!("calls not loaded")
    };
    let cols: Vec<&str> = t
        .schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    assert_eq!(cols, ["call_id", "wait_seconds", "answered"]);
}

#[test]
fn expired_waiver_is_ignored_with_a_warning_and_a_valid_one_applies() {
    let (_tmp, evidence) = fixture_copy("evidence-basic");
    std::fs::write(
        evidence.join("attestations.toml"),
        r#"
[[waiver]]
criterion = "RB1"
justification = "The robustness probe does not apply to this site."
approver = "Lead auditor"
date = 2026-01-10
expires = 2026-12-31

[[waiver]]
criterion = "DC1"
justification = "Policy under rewrite."
approver = "Lead auditor"
date = 2025-01-10
expires = 2025-12-31

[[attestation]]
criterion = "RB2"
status = "met"
justification = "Walk-throughs observed on 12 and 19 January."
approver = "Lead auditor"
date = 2026-01-20
"#,
    )
    .unwrap();
    let plugins = plugin_dir(PLUGINS);
    let (o, a, _out) = assess(&fixture("pack-basic"), &evidence, plugins.path());
    assert_errored(&o, &["RB1"]);
    let a = a.unwrap();
    let warning = "attestations.toml: the waiver for DC1 is ignored: expired on 2025-12-31, before the assessment date 2026-01-31";
    assert!(stderr(&o).contains(warning), "{}", stderr(&o));
    assert!(
        a["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w == warning)
    );
    assert_eq!(
        status(&a, "DC1"),
        "met",
        "the expired waiver changes nothing"
    );
    assert!(finding(&a, "DC1").get("attestation").is_none());

    let rb1 = finding(&a, "RB1");
    assert_eq!(rb1["outcome"]["status"], "not_applicable");
    assert_eq!(rb1["evaluated"]["status"], "error");
    assert_eq!(rb1["attestation"]["kind"], "waiver");
    assert_eq!(status(&a, "RB2"), "met");
    // With: 100 + 50 + 50 + 30 (RB2 attested) of 230 (RB1 waived).
    assert_eq!(a["scores"]["overall"]["earned"], 230.0);
    assert_eq!(a["scores"]["overall"]["available"], 230.0);
    assert_eq!(a["decision"]["certified"], true);
    // Without: the evidence alone, 200 of 250.
    assert_eq!(a["scores_without_attestations"]["overall"]["earned"], 200.0);
    assert_eq!(
        a["scores_without_attestations"]["overall"]["available"],
        250.0
    );
    assert_eq!(a["decision"]["certified_without_attestations"], false);
    let applied: Vec<bool> = a["attestations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["applied"].as_bool().unwrap())
        .collect();
    assert_eq!(
        applied,
        [true, true, false],
        "attestations first, then waivers, in file order"
    );
}

#[test]
fn tailored_pack_extends_overrides_and_drops() {
    let o = cxaudit(&[
        "pack",
        "show",
        fixture("pack-tailored").to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["id"], "basic-tailored");
    assert_eq!(v["extends"][0], "basic");
    let ids: Vec<&str> = v["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["SV1", "SV2", "DC1", "RB2"]);
    assert_eq!(v["criteria"][0]["points"], 120.0);
    assert_eq!(v["criteria"][0]["params"]["target_share"], 0.75);
    assert_eq!(
        v["criteria"][0]["params"]["max_wait_seconds"], 20.0,
        "base parameters kept"
    );
    assert_eq!(v["scoring"]["certify_overall_min"], 0.8);
    assert_eq!(v["total_points"], 250.0);
}

#[test]
fn exit_codes_follow_the_design() {
    let plugins = plugin_dir(PLUGINS);
    let p = plugins.path().to_str().unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = cxaudit(&[
        "assess",
        "-q",
        "--pack",
        "/no/such/pack",
        "--evidence",
        "x",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "bad input: {}", stderr(&o));
    let o = cxaudit(&[
        "assess",
        "-q",
        "--require-certified",
        "--pack",
        fixture("pack-basic").to_str().unwrap(),
        "--evidence",
        fixture("evidence-basic").to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--plugins",
        p,
    ]);
    // A criterion in `error` outranks the gate: the run is incomplete.
    assert_errored(&o, &["RB1"]);
    let strict = tempfile::tempdir().unwrap();
    std::fs::write(
        strict.path().join("pack.toml"),
        format!(
            "[pack]\nid = \"basic-strict\"\ntitle = \"Basic, no panicking criterion, full marks needed\"\n\
             version = \"1.0.0\"\nextends = {:?}\n\n[scoring]\ncertify_overall_min = 1.0\n\n\
             [drop]\ncriteria = [\"RB1\"]\n",
            fixture("pack-basic").to_str().unwrap()
        ),
    )
    .unwrap();
    let o = cxaudit(&[
        "assess",
        "-q",
        "--require-certified",
        "--pack",
        strict.path().to_str().unwrap(),
        "--evidence",
        fixture("evidence-basic").to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--plugins",
        p,
    ]);
    assert_eq!(o.status.code(), Some(1), "gate failed: {}", stderr(&o));
    let o = cxaudit(&["assess", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2), "bad usage");
}

#[test]
fn check_lists_missing_evidence_per_criterion_before_running() {
    let (_tmp, evidence) = fixture_copy("evidence-basic");
    let manifest = evidence.join("evidence.toml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("policy = \"docs/policy.md\"", "");
    std::fs::write(&manifest, text).unwrap();
    let plugins = plugin_dir(PLUGINS);
    let v = check_json(&fixture("pack-basic"), &evidence, plugins.path());
    let by_id = |id: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|c| c["criterion"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(by_id("SV1")["ready"], true);
    assert_eq!(by_id("DC1")["ready"], false);
    assert_eq!(
        by_id("DC1")["missing"][0],
        "document `policy` (not in evidence.toml)"
    );
    assert_eq!(
        by_id("SV1")["missing_optional"].as_array().unwrap().len(),
        0
    );
}

/// `cxaudit pack show ... | head -c 4096`: the reader takes the first bytes and goes away
/// while the command is still writing. The command ends quietly: killed by SIGPIPE (the
/// default action the binary restores) or exiting 0, with nothing on stderr (neither a
/// panic on the failed print nor an error message).
#[cfg(unix)]
#[test]
fn a_closed_output_pipe_ends_the_command_quietly() {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    /// SIGPIPE's number on Linux, macOS and the BSDs.
    const SIGPIPE: i32 = 13;
    /// Linux's largest pipe buffer (`/proc/sys/fs/pipe-max-size` by default); other
    /// systems' are smaller.
    const LARGEST_PIPE_BUFFER: usize = 1 << 20;
    const HEAD: usize = 4096;

    // A pack whose listing is larger than any pipe buffer plus what the reader takes,
    // so the command cannot have written it all before the reader goes away.
    let (_dir, pack) = fixture_copy("pack-basic");
    let title = "A criterion with a long title, so that the listing outgrows a pipe. ".repeat(40);
    let criteria: String = (0..500)
        .map(|i| {
            format!(
                "[[criterion]]\nid = \"RB{}\"\nsection = \"RB\"\ntitle = \"{title}{i}\"\n\
                 requirement = \"Seen on site.\"\npoints = 1\nmanual = \"Observed on site.\"\n\n",
                100 + i
            )
        })
        .collect();
    std::fs::write(pack.join("criteria").join("many.toml"), criteria).unwrap();
    let pack = pack.to_str().unwrap();
    let full = cxaudit(&["pack", "show", pack]);
    assert!(full.status.success(), "{}", stderr(&full));
    assert!(
        full.stdout.len() > LARGEST_PIPE_BUFFER + HEAD,
        "the listing ({} bytes) must outgrow the pipe for this test to mean anything",
        full.stdout.len()
    );

    let mut child = std::process::Command::new(bin())
        .args(["pack", "show", pack])
        .env_remove("CXAUDIT_PLUGIN_PATH")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = child.stdout.take().unwrap();
    let mut head = vec![0; HEAD];
    reader.read_exact(&mut head).unwrap();
    drop(reader);
    let out = child.wait_with_output().unwrap();

    assert_eq!(
        head,
        full.stdout[..HEAD],
        "the reader got the listing's first bytes"
    );
    assert!(
        out.stderr.is_empty(),
        "nothing on stderr, got: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.signal() == Some(SIGPIPE) || out.status.code() == Some(0),
        "killed by SIGPIPE or exit 0, got {:?}",
        out.status
    );
}

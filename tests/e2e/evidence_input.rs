//! End-to-end tests of evidence input: `evidence.toml` validated whole
//! before anything runs, special files refused without opening them, the
//! delimiter suggested by `check`, and a European export (`;`, decimal
//! comma, windows-1252) assessed like its plain original.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cxaudit_tests::*;

const PLUGINS: &[&str] = &["cxaudit_testplugin_threshold"];

/// Replaces `from` by `to` in the fixture copy's `evidence.toml`.
fn edit_manifest(evidence: &Path, from: &str, to: &str) -> String {
    let file = evidence.join("evidence.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "`{from}` in {text}");
    let text = text.replacen(from, to, 1);
    std::fs::write(&file, &text).unwrap();
    text
}

/// Runs the binary with a time limit: a command that hangs is killed and
/// the test fails instead of hanging too.
fn cxaudit_within(args: &[&str], limit: Duration) -> (Option<i32>, String) {
    let mut child = Command::new(bin())
        .args(args)
        .env_remove("CXAUDIT_PLUGIN_PATH")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            let o = child.wait_with_output().unwrap();
            return (o.status.code(), stderr(&o));
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("`cxaudit {}` still running after {limit:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `assess`, `check` and `kpis` on an evidence folder, each with its exit
/// code and stderr.
fn every_command(evidence: &Path) -> Vec<(&'static str, Option<i32>, String)> {
    let plugins = plugin_dir(PLUGINS);
    let out = tempfile::tempdir().unwrap();
    let (pack, evidence, plugins, out) = (
        fixture("pack-basic"),
        evidence.to_str().unwrap().to_owned(),
        plugins.path().to_str().unwrap().to_owned(),
        out.path().to_str().unwrap().to_owned(),
    );
    let pack = pack.to_str().unwrap();
    let limit = Duration::from_secs(60);
    let assess = [
        "assess",
        "--quiet",
        "--pack",
        pack,
        "--evidence",
        &evidence,
        "--out",
        &out,
        "--plugins",
        &plugins,
    ];
    let check = [
        "check",
        "--pack",
        pack,
        "--evidence",
        &evidence,
        "--plugins",
        &plugins,
    ];
    let kpis = ["kpis", "--evidence", &evidence, "--format", "json"];
    let mut results = Vec::new();
    for (name, args) in [
        ("assess", &assess[..]),
        ("check", &check[..]),
        ("kpis", &kpis[..]),
    ] {
        let (code, err) = cxaudit_within(args, limit);
        results.push((name, code, err));
    }
    results
}

#[test]
fn a_bad_evidence_toml_exits_2_from_assess_check_and_kpis_naming_line_column_and_key() {
    let (_tmp, evidence) = fixture_copy("evidence-basic");
    let text = edit_manifest(
        &evidence,
        "time_zone = \"UTC\"",
        "time_zone = \"Mars/Olympus\"",
    );
    // Worked out from the fixture: the value starts on line 10, column 13.
    let line = text.lines().position(|l| l.contains("Mars")).unwrap() + 1;
    assert_eq!(line, 10);
    let expected = "evidence.toml:10:13: `defaults.time_zone`: unknown time zone `Mars/Olympus`";
    for (command, code, err) in every_command(&evidence) {
        assert_eq!(code, Some(2), "{command}: {err}");
        assert!(
            err.contains(expected),
            "{command}: expected `{expected}` in {err}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_given_as_a_table_is_refused_at_load_instead_of_hanging() {
    let (_tmp, evidence) = fixture_copy("evidence-basic");
    let table = evidence.join("data/calls.csv");
    std::fs::remove_file(&table).unwrap();
    let made = Command::new("mkfifo").arg(&table).status().unwrap();
    assert!(made.success());
    for (command, code, err) in every_command(&evidence) {
        assert_eq!(code, Some(2), "{command}: {err}");
        assert!(
            err.contains("`tables.calls.path`: `data/calls.csv` is a FIFO"),
            "{command}: {err}"
        );
    }
}

#[test]
fn check_suggests_the_delimiter_of_a_semicolon_export() {
    let (_tmp, evidence) = fixture_copy("evidence-basic");
    let table = evidence.join("data/calls.csv");
    let text = std::fs::read_to_string(&table).unwrap().replace(',', ";");
    std::fs::write(&table, text).unwrap();
    let plugins = plugin_dir(PLUGINS);
    let v = check_json(&fixture("pack-basic"), &evidence, plugins.path());
    let sv1 = v
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["criterion"] == "SV1")
        .unwrap();
    assert_eq!(sv1["ready"], false);
    assert_eq!(
        sv1["missing"][0],
        "table `calls`: data/calls.csv:1: `header`: the header is one field containing `;`: \
         set delimiter = \";\" for this table"
    );
}

#[test]
fn a_european_export_is_assessed_like_its_plain_original() {
    let plugins = plugin_dir(PLUGINS);
    let (_tmp, plain) = fixture_copy("evidence-basic");
    let (o, a, _out) = assess(&fixture("pack-basic"), &plain, plugins.path());
    assert_errored(&o, &["RB1"]);
    let expected = a.unwrap();

    // The same calls as a European spreadsheet writes them: `;` between
    // fields, a decimal comma, a thousands dot, an accented header in
    // windows-1252 (0xE9 is `é`).
    let (_tmp2, euro) = fixture_copy("evidence-basic");
    let bytes: &[u8] = b"Num\xe9ro d'appel;wait_seconds;answered;queue\n\
        c1;5;true;billing\nc2;12,5;true;billing\nc3;19,0;true;rides\n\
        c4;45;false;rides\nc5;20;true;rides\n";
    std::fs::write(euro.join("data/calls.csv"), bytes).unwrap();
    edit_manifest(
        &euro,
        "columns = { call_id = \"Call ID\" } }",
        "columns = { call_id = \"Num\u{e9}ro d'appel\" }, delimiter = \";\", decimal = \",\", \
         encoding = \"windows-1252\" }",
    );
    let (o, a, _out) = assess(&fixture("pack-basic"), &euro, plugins.path());
    assert_errored(&o, &["RB1"]);
    let got = a.unwrap();
    for id in ["SV1", "SV2"] {
        let (e, g) = (finding(&expected, id), finding(&got, id));
        assert_eq!(g["outcome"], e["outcome"], "{id}");
        assert_eq!(g["measurements"], e["measurements"], "{id}");
    }
    assert_eq!(status(&got, "SV1"), "met");
    assert_eq!(got["evidence"][0]["rows"], 5);
}

//! One validation path for a pack, end to end: `pack validate`, `check` and
//! `assess` refuse the same bad tailored packs with exit code 2, naming the
//! tailored pack's file, line and key (never the base pack's), and find the
//! plugins the same way (beside the binary when `--plugins` is absent).

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use cxaudit_tests::*;

fn cx_ops() -> PathBuf {
    root().join("standards").join("cx-ops")
}

/// A pack in `dir/name` extending cx-ops, whose `pack.toml` has `body` from
/// line 7 on.
fn tailored(dir: &Path, name: &str, body: &str) -> PathBuf {
    tailored_cx_ops(dir, name, body)
}

/// A small synthetic centre's evidence, written once for the file.
fn evidence() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("followup");
        synth(&path, "followup", &["--contacts", "5000", "--months", "2"]);
        (dir, path)
    });
    path
}

/// `pack validate`, `check` and `assess` of `pack` on the small centre,
/// none with `--plugins`: (command, output, whether assessment.json exists).
fn every_command(pack: &Path) -> Vec<(&'static str, Output, bool)> {
    let out = tempfile::tempdir().unwrap();
    let (pack, evidence) = (pack.to_str().unwrap(), evidence().to_str().unwrap());
    let validate = cxaudit(&["pack", "validate", pack]);
    let check = cxaudit(&["check", "--pack", pack, "--evidence", evidence]);
    let out_dir = out.path().join("out");
    let assess = cxaudit(&[
        "assess",
        "-q",
        "--pack",
        pack,
        "--evidence",
        evidence,
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    let written = out_dir.join("assessment.json").exists();
    vec![
        ("pack validate", validate, false),
        ("check", check, false),
        ("assess", assess, written),
    ]
}

#[test]
fn bad_overrides_are_refused_by_validate_check_and_assess_at_the_tailored_key() {
    // (body from line 7, line, column, key, message); the values start after
    // `points = ` (9 characters), `minimum = ` (10), `met_from = ` (11).
    let points = "points must be a number above 0 and at most 10000, found";
    let cases = [
        (
            "[overrides.LP1]\npoints = -300\n",
            8,
            10,
            "overrides.LP1.points",
            format!("{points} -300"),
        ),
        (
            "[overrides.LP1]\npoints = 0\n",
            8,
            10,
            "overrides.LP1.points",
            format!("{points} 0"),
        ),
        (
            "[overrides.LP1]\npoints = nan\n",
            8,
            10,
            "overrides.LP1.points",
            format!("{points} NaN"),
        ),
        (
            "[overrides.LP1]\npoints = 1.7e308\n",
            8,
            10,
            "overrides.LP1.points",
            format!("{points} 1.7e308"),
        ),
        (
            "[[sections]]\nid = \"WF\"\ntitle = \"Workforce management\"\nminimum = 7.5\n",
            10,
            11,
            "sections.WF.minimum",
            "must be a share between 0 and 1, found 7.5".to_owned(),
        ),
        (
            // cx-ops says partially met from 0.5: met from 0.4 is below it.
            "[scoring]\nmet_from = 0.4\n",
            8,
            12,
            "scoring.met_from",
            "must not be below partially_met_from (0.4 < 0.5)".to_owned(),
        ),
        (
            // `params = { ` is 11 characters: the key at column 12.
            "[overrides.WF3]\nparams = { min_share_of_days = nan }\n",
            8,
            12,
            "overrides.WF3.params.min_share_of_days",
            "a parameter must be a finite number, found NaN".to_owned(),
        ),
        (
            // A share of days above 1: outside WF3's declared range [0, 1],
            // which only the plugin knows; still named at the override.
            "[overrides.WF3]\nparams = { min_share_of_days = 7.5 }\n",
            8,
            12,
            "overrides.WF3.params.min_share_of_days",
            "parameter `min_share_of_days` = 7.5 is outside [0, 1]".to_owned(),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, (body, line, column, key, message)) in cases.iter().enumerate() {
        let pack = tailored(dir.path(), &format!("bad{i}"), body);
        let expected = format!(
            "{}:{line}:{column}: `{key}`: {message}",
            pack.join("pack.toml").display()
        );
        for (command, o, written) in every_command(&pack) {
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{command} on {body}: {err}");
            assert!(
                err.contains(&expected),
                "{command}: expected `{expected}` in:\n{err}"
            );
            assert!(
                !err.contains(&cx_ops().display().to_string()),
                "{command} names the base pack: {err}"
            );
            // NaN never reaches a record: nothing is written.
            assert!(!written, "{command} wrote assessment.json for {body}");
        }
    }
}

#[test]
fn check_finds_the_plugins_of_a_tailored_pack_as_assess_does() {
    let pack = fixture("pack-cx-ops-tailored");
    let o = cxaudit(&[
        "check",
        "--pack",
        pack.to_str().unwrap(),
        "--evidence",
        evidence().to_str().unwrap(),
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    // cx-ops has 22 criteria; the tailored pack drops none.
    assert!(
        out.starts_with("22 of 22 criteria have the evidence they need."),
        "{out}"
    );
    assert!(!out.contains("MISSING"), "{out}");
    let validate = cxaudit(&["pack", "validate", pack.to_str().unwrap()]);
    assert_eq!(validate.status.code(), Some(0), "{}", stderr(&validate));
    assert!(
        stdout(&validate).starts_with("cx-ops-client 1.0.0 is valid: 22 criteria, 2000 points"),
        "{}",
        stdout(&validate)
    );
}

#[test]
fn an_evaluator_no_plugin_provides_exits_2_from_check_as_from_assess() {
    let dir = tempfile::tempdir().unwrap();
    let pack = tailored(dir.path(), "typo", "");
    std::fs::create_dir_all(pack.join("criteria")).unwrap();
    // The evaluator is named on line 7 after `evaluator = ` (12 characters).
    std::fs::write(
        pack.join("criteria").join("extra.toml"),
        "[[criterion]]\nid = \"GV9\"\nsection = \"GV\"\ntitle = \"Escalations, misspelt\"\n\
         requirement = \"Escalations are timely.\"\npoints = 10\nevaluator = \"planning/escalaton\"\n",
    )
    .unwrap();
    let expected = format!(
        "{}:7:13: `criterion.GV9.evaluator`: unknown evaluator `planning/escalaton`",
        pack.join("criteria").join("extra.toml").display()
    );
    for (command, o, written) in every_command(&pack) {
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{command}: {err}");
        assert!(
            err.contains(&expected),
            "{command}: expected `{expected}` in:\n{err}"
        );
        assert!(!written, "{command} wrote assessment.json");
    }
}

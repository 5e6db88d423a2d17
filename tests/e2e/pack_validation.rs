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
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let path = shared_dir("evidence").join("followup");
        synth(&path, "followup", &["--contacts", "5000", "--months", "2"]);
        path
    })
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

/// Runs `pack validate`, `check` and `assess` on `pack` and asserts that each
/// refuses it with exit 2, `expected` on stderr and no assessment written;
/// returns each command's stderr for further checks.
fn refused_everywhere(pack: &Path, expected: &str) -> Vec<(&'static str, String)> {
    every_command(pack)
        .into_iter()
        .map(|(command, o, written)| {
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{command}: {err}");
            assert!(
                err.contains(expected),
                "{command}: expected `{expected}` in:\n{err}"
            );
            assert!(!written, "{command} wrote assessment.json");
            (command, err)
        })
        .collect()
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
    refused_everywhere(&pack, &expected);
}

/// A copy of the small centre's evidence whose `contacts.csv` has one more
/// column, `customer_tier`: every fourth contact (1st, 5th, ...) `gold`,
/// the others `standard`.
fn evidence_with_tiers(dir: &Path) -> PathBuf {
    let copy = dir.join("evidence");
    copy_dir(evidence(), &copy);
    let file = copy.join("data").join("contacts.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let tier = match i {
            0 => "customer_tier",
            i if (i - 1) % 4 == 0 => "gold",
            _ => "standard",
        };
        out.push_str(&format!("{line},{tier}\n"));
    }
    std::fs::write(&file, out).unwrap();
    copy
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A criterion `GV9` of section GV in `pack/criteria/extra.toml`, judged by
/// `evaluator`, with `rest` from line 8 on.
fn extra_criterion(pack: &Path, evaluator: &str, rest: &str) -> PathBuf {
    std::fs::create_dir_all(pack.join("criteria")).unwrap();
    let file = pack.join("criteria").join("extra.toml");
    std::fs::write(
        &file,
        format!(
            "[[criterion]]\nid = \"GV9\"\nsection = \"GV\"\ntitle = \"An extra criterion\"\n\
             requirement = \"Judged by {evaluator}.\"\npoints = 50\nevaluator = \"{evaluator}\"\n{rest}"
        ),
    )
    .unwrap();
    file
}

#[test]
fn a_tailored_pack_adds_a_column_to_contacts_that_a_criterion_reads() {
    let dir = tempfile::tempdir().unwrap();
    let evidence = evidence_with_tiers(dir.path());
    let pack = tailored(dir.path(), "tiers", "");
    let criteria = extra_criterion(
        &pack,
        "threshold/tier_share",
        "evidence = [\"contacts\"]\nparams = { tier = \"gold\", min_share = 0.2 }\n",
    );
    // Without the column in the schema, the evaluator's read is refused at
    // its `evaluator` key (line 7, the value at column 13).
    let o = cxaudit(&["pack", "validate", pack.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "{}:7:13: `criterion.GV9.evaluator`: evaluator `threshold/tier_share` reads column `contacts.customer_tier`, which the evidence schema does not declare",
            criteria.display()
        )),
        "{err}"
    );
    assert!(err.contains("the pack has 1 error"), "{err}");

    // One column added to the base table, nothing else redeclared.
    std::fs::write(
        pack.join("evidence-schema.toml"),
        "# contacts as cx-ops declares it, plus the customer's tier.\n\
         [tables.contacts.columns.customer_tier]\ntype = \"string\"\nnullable = true\n\
         values = [\"gold\", \"standard\"]\n",
    )
    .unwrap();
    let o = cxaudit(&["pack", "validate", pack.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("cx-ops-client 1.0.0 is valid: 23 criteria, 2050 points"),
        "{}",
        stdout(&o)
    );
    let check = cxaudit(&[
        "check",
        "--pack",
        pack.to_str().unwrap(),
        "--evidence",
        evidence.to_str().unwrap(),
    ]);
    assert!(
        stdout(&check).starts_with("23 of 23 criteria have the evidence they need."),
        "{}{}",
        stdout(&check),
        stderr(&check)
    );
    // The criterion reads it: a quarter of the contacts are gold.
    let out = dir.path().join("out");
    let o = cxaudit(&[
        "assess",
        "-q",
        "--pack",
        pack.to_str().unwrap(),
        "--evidence",
        evidence.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--only",
        "GV9,WF3",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("assessment.json")).unwrap())
            .unwrap();
    assert_eq!(status(&a, "GV9"), "met");
    let share = check_value(finding(&a, "GV9"), "tier_share");
    assert!((share - 0.25).abs() < 0.01, "{share}");
    // The base's own rules of `contacts` still apply (WF3 reads it).
    assert_ne!(status(&a, "WF3"), "insufficient_evidence");
}

/// The measured value of a check of a finding, as a number.
fn check_value(finding: &serde_json::Value, id: &str) -> f64 {
    check(finding, id)["measured"]
        .as_f64()
        .unwrap_or_else(|| panic!("{id}: {}", check(finding, id)))
}

#[test]
fn a_section_is_dropped_with_its_criteria_and_naming_it_is_refused_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let pack = tailored(dir.path(), "nogv", "[drop]\nsections = [\"GV\"]\n");
    let o = cxaudit(&["pack", "validate", pack.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // cx-ops: 22 criteria, 2000 points; GV has GV1 and GV2.
    let shown = stdout(&o);
    assert!(shown.contains("is valid: 20 criteria"), "{shown}");
    assert!(shown.contains("5 sections"), "{shown}");
    let check = check_json(&pack, evidence(), &build_dir());
    let ids: Vec<&str> = check
        .as_array()
        .expect("criteria")
        .iter()
        .map(|c| c["criterion"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 20, "{ids:?}");
    assert!(!ids.iter().any(|id| id.starts_with("GV")), "{ids:?}");

    // Overriding a criterion that went with the section: line 10, the id
    // after `[overrides.` (11 characters).
    let pack = tailored(
        dir.path(),
        "nogv-override",
        "[drop]\nsections = [\"GV\"]\n\n[overrides.GV1]\npoints = 5\n",
    );
    let expected = format!(
        "{}:10:12: `overrides.GV1`: cannot override `GV1`: it is dropped with its section `GV`",
        pack.join("pack.toml").display()
    );
    refused_everywhere(&pack, &expected);
    // A criterion of the tailored pack in the dropped section: at its
    // `section` (line 3, the value at column 11).
    let pack = tailored(
        dir.path(),
        "nogv-criterion",
        "[drop]\nsections = [\"GV\"]\n",
    );
    let file = extra_criterion(
        &pack,
        "workforce/forecast_accuracy",
        "evidence = [\"intervals\"]\n",
    );
    let expected = format!(
        "{}:3:11: `criterion.GV9.section`: section `GV` is dropped at {}:8:13",
        file.display(),
        pack.join("pack.toml").display()
    );
    refused_everywhere(&pack, &expected);
}

#[test]
fn an_evidence_list_is_checked_against_what_its_evaluator_reads() {
    let dir = tempfile::tempdir().unwrap();
    // forecast_accuracy reads `intervals`; the list names `agents` instead.
    let pack = tailored(dir.path(), "unlisted", "");
    let file = extra_criterion(
        &pack,
        "workforce/forecast_accuracy",
        "evidence = [\"agents\"]\n",
    );
    let expected = format!(
        "{}:8:12: `criterion.GV9.evidence`: GV9: evaluator `workforce/forecast_accuracy` reads table `intervals` (required), which the criterion's `evidence` does not list",
        file.display()
    );
    refused_everywhere(&pack, &expected);
    // Listing a table it never reads is valid, with a warning at the entry
    // (`evidence = ["intervals", ` is 25 characters).
    let pack = tailored(dir.path(), "overlisted", "");
    let file = extra_criterion(
        &pack,
        "workforce/forecast_accuracy",
        "evidence = [\"intervals\", \"agents\"]\n",
    );
    let o = cxaudit(&["pack", "validate", pack.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!(
            "warning: {}:8:26: `criterion.GV9.evidence`: GV9: `evidence` lists `agents`, which evaluator `workforce/forecast_accuracy` never reads",
            file.display()
        )),
        "{err}"
    );
}

#[test]
fn an_unknown_parameter_is_refused_at_its_own_key() {
    let dir = tempfile::tempdir().unwrap();
    let pack = tailored(dir.path(), "param", "");
    // `[criterion.params]` on line 9, `tolerance` on 10, `tolerence` on 11.
    let file = extra_criterion(
        &pack,
        "workforce/forecast_accuracy",
        "evidence = [\"intervals\"]\n[criterion.params]\ntolerance = 0.1\ntolerence = 0.2\n",
    );
    let expected = format!(
        "{}:11:1: `criterion.GV9.params.tolerence`: ",
        file.display()
    );
    for (_, err) in refused_everywhere(&pack, &expected) {
        assert!(err.contains("tolerence"), "{err}");
    }
}

#[test]
fn the_tailoring_guide_shows_the_example_pack_that_loads() {
    let example = root().join("docs").join("examples").join("tailored-pack");
    let guide = std::fs::read_to_string(root().join("docs").join("packs.md")).unwrap();
    // Every file of the example is in the guide, whole, as a TOML block.
    for file in ["pack.toml", "evidence-schema.toml", "criteria/client.toml"] {
        let text = std::fs::read_to_string(example.join(file)).unwrap();
        assert!(
            guide.contains(&format!("```toml\n{}```", text)),
            "docs/packs.md does not show {file} as it is"
        );
    }
    // cx-ops less GV (100 points) and CX5 (100), plus HR1 (50).
    let o = cxaudit(&["pack", "validate", example.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim(),
        "cx-ops-harbour 1.0.0 is valid: 20 criteria, 1850 points, 6 sections."
    );
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    // It runs: the added criterion states its own bar, the override is judged.
    let out = tempfile::tempdir().unwrap();
    let o = cxaudit(&[
        "assess",
        "-q",
        "--pack",
        example.to_str().unwrap(),
        "--evidence",
        evidence().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--only",
        "HR1,WF3",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("assessment.json")).unwrap())
            .unwrap();
    let hr1 = finding(&a, "HR1");
    assert_eq!(
        hr1["requirement"],
        "The interval forecast is within 5% of the actual volume on most intervals."
    );
    assert_eq!(hr1["parameters"]["tolerance"], 0.05);
    assert_eq!(finding(&a, "WF3")["parameters"]["min_share_of_days"], 0.9);
}

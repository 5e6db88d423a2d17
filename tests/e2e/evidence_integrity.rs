//! Evidence integrity on the shipped pack: every row accounted for, nothing
//! lost or invented silently. Defective copies of a small synthetic centre
//! (header-only tables, every contact twice, impossible values) and the law
//! "emptying a table never raises a score".

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cxaudit::pipeline::{AssessOptions, assess};
use cxaudit::plugins::{PluginSources, Registry};
use cxaudit_model::{Assessment, Status};
use cxaudit_tests::*;

const PLUGINS: [&str; 5] = [
    "cxaudit_plugin_planning",
    "cxaudit_plugin_csat",
    "cxaudit_plugin_workforce",
    "cxaudit_plugin_people",
    "cxaudit_plugin_performance",
];

fn pack() -> &'static cxaudit::pack::Pack {
    static PACK: OnceLock<cxaudit::pack::Pack> = OnceLock::new();
    PACK.get_or_init(|| cxaudit::pack::load(&root().join("standards/cx-ops")).unwrap())
}

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let dir = shared_dir("plugins");
        copy_plugins(&dir, &PLUGINS);
        Registry::load(&PluginSources::only(vec![dir]), Default::default())
    })
}

/// A small synthetic centre of one scenario, generated once per process.
fn centre(scenario: &str) -> &'static Path {
    static CENTRES: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    let (baseline, followup) = CENTRES.get_or_init(|| {
        let dir = shared_dir("centres");
        let mut paths = Vec::new();
        for s in ["baseline", "followup"] {
            let out = dir.join(s);
            synth(&out, s, &["--contacts", "6000", "--seed", "3"]);
            paths.push(out);
        }
        let followup = paths.pop().unwrap();
        let baseline = paths.pop().unwrap();
        (baseline, followup)
    });
    if scenario == "baseline" {
        baseline
    } else {
        followup
    }
}

fn run(evidence: &Path) -> Assessment {
    assess(
        pack(),
        registry(),
        evidence,
        &AssessOptions::default(),
        &mut |_| {},
    )
    .unwrap()
    .0
}

/// A writable copy of an evidence folder.
fn copy(from: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("evidence");
    copy_dir(from, &to);
    (dir, to)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// The path of every table of an evidence folder, by canonical name.
fn tables(evidence: &Path) -> BTreeMap<String, PathBuf> {
    let manifest = cxaudit::evidence::load_manifest(evidence).unwrap();
    manifest
        .tables
        .iter()
        .map(|(name, source)| (name.clone(), evidence.join(&source.path)))
        .collect()
}

/// Keeps only the header row of a CSV file.
fn header_only(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let header = text.lines().next().unwrap();
    std::fs::write(path, format!("{header}\n")).unwrap();
}

fn finding<'a>(a: &'a Assessment, id: &str) -> &'a cxaudit_model::Finding {
    a.finding(id).unwrap()
}

fn inventory<'a>(a: &'a Assessment, name: &str) -> &'a cxaudit_model::InventoryEntry {
    a.evidence.iter().find(|e| e.name == name).unwrap()
}

/// Emptying any one table (header only) never raises the overall score nor
/// any criterion's points: missing data earns nothing.
#[test]
fn emptying_a_table_never_raises_a_score() {
    for scenario in ["baseline", "followup"] {
        let original = run(centre(scenario));
        let before = original.scores.overall.score.unwrap();
        for (name, _) in tables(centre(scenario)) {
            let (_dir, evidence) = copy(centre(scenario));
            header_only(&tables(&evidence)[&name]);
            let a = run(&evidence);
            let after = a.scores.overall.score.unwrap_or(0.0);
            assert!(
                after <= before + 1e-12,
                "{scenario}: emptying {name} raised the overall score {before} -> {after}"
            );
            for (f, g) in original.findings.iter().zip(&a.findings) {
                assert!(
                    g.outcome.earned <= f.outcome.earned + 1e-9,
                    "{scenario}: emptying {name} raised {} from {} to {} ({})",
                    f.criterion,
                    f.outcome.earned,
                    g.outcome.earned,
                    g.summary
                );
                assert!(
                    g.outcome.available >= f.outcome.available - 1e-9,
                    "{scenario}: emptying {name} took {} out of the denominator ({})",
                    f.criterion,
                    g.summary
                );
            }
        }
    }
}

/// Finding 2: a header-only `contacts.csv` is insufficient evidence for the
/// criteria that need contacts, not "not applicable" and not a pass on
/// "0 contacts per order".
#[test]
fn header_only_contacts_is_insufficient_evidence() {
    let original = run(centre("baseline"));
    let (_dir, evidence) = copy(centre("baseline"));
    header_only(&tables(&evidence)["contacts"]);
    let a = run(&evidence);
    for id in ["WF3", "PF3", "PF2", "PE2"] {
        let f = finding(&a, id);
        assert_eq!(
            f.outcome.status,
            Status::InsufficientEvidence,
            "{id}: {}",
            f.summary
        );
        assert!(
            f.summary
                .contains("table `contacts` has no row in the period"),
            "{id}: {}",
            f.summary
        );
        assert_eq!(f.outcome.earned, 0.0);
        assert_eq!(f.outcome.available, f.points);
    }
    assert!(a.scores.overall.score.unwrap() < original.scores.overall.score.unwrap());
    let c = inventory(&a, "contacts");
    assert_eq!(
        (c.records, c.rows, c.skipped_rows),
        (Some(0), Some(0), Some(0))
    );
}

/// Finding 3: every contact id twice. Fails the table naming the first
/// duplicate and where it was first seen; under `on_error = "skip"` the
/// second copies are skipped and counted, and every measurement equals the
/// original's.
#[test]
fn duplicated_contacts_are_refused_or_skipped_and_counted() {
    let original = run(centre("baseline"));
    let (_dir, evidence) = copy(centre("baseline"));
    let path = tables(&evidence)["contacts"].clone();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let n = rows.len() as u64;
    let mut doubled = format!("{header}\n");
    for r in rows.iter().chain(rows.iter()) {
        doubled.push_str(r);
        doubled.push('\n');
    }
    std::fs::write(&path, doubled).unwrap();

    let a = run(&evidence);
    let c = inventory(&a, "contacts");
    assert_eq!(c.status, "failed");
    let first_id = rows[0].split(',').next().unwrap();
    // The first copy of row 1 is on line 2; its duplicate on line n + 2.
    let expected = format!(
        "data/contacts.csv:{}:1: `contact_id`: duplicate key contact_id `{first_id}` (first at line 2)",
        n + 2
    );
    assert!(
        c.messages.iter().any(|m| m.contains(&expected)),
        "{:?} lacks {expected}",
        c.messages
    );
    assert_eq!(
        finding(&a, "WF3").outcome.status,
        Status::InsufficientEvidence
    );

    // Skip: n records skipped as duplicates, n loaded, the same numbers.
    let toml_path = evidence.join("evidence.toml");
    let toml = std::fs::read_to_string(&toml_path).unwrap();
    let toml = toml.replace(
        "contacts = { path = \"data/contacts.csv\" }",
        "contacts = { path = \"data/contacts.csv\", on_error = \"skip\" }",
    );
    assert!(toml.contains("on_error = \"skip\""), "{toml}");
    std::fs::write(&toml_path, toml).unwrap();
    let a = run(&evidence);
    let c = inventory(&a, "contacts");
    assert_eq!(c.records, Some(2 * n));
    assert_eq!(c.rows, Some(n));
    assert_eq!(c.skipped_by_reason.get("duplicate key"), Some(&n));
    assert_eq!(c.key, ["contact_id"]);
    for (f, g) in original.findings.iter().zip(&a.findings) {
        assert_eq!(f.measurements, g.measurements, "{}", f.criterion);
    }
    assert!(
        a.warnings
            .iter()
            .any(|w| w.contains(&format!("{n} duplicate key")))
    );
}

/// Finding 8: impossible values (negative durations, an end before the
/// arrival, a zero-minute interval, year 9999) fail their table naming the
/// line and column, or are skipped and counted by reason.
#[test]
fn impossible_values_fail_or_are_counted() {
    let (_dir, evidence) = copy(centre("followup"));
    let t = tables(&evidence);
    // contacts: talk_seconds is column 9; ended_at column 8; arrived_at column 6.
    let mut contacts: Vec<Vec<String>> = std::fs::read_to_string(&t["contacts"])
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    assert_eq!(contacts[0][8], "talk_seconds");
    assert_eq!(contacts[0][7], "ended_at");
    contacts[1][8] = "-12".into();
    // Row 2 (line 3): ended a day before it arrived.
    let answered = contacts[2][6].clone();
    contacts[2][7] = answered.replacen("2026-", "2025-", 1);
    // Row 3 (line 4): arrived in year 9999.
    contacts[3][5] = contacts[3][5].replacen("2026-", "9999-", 1);
    let csv: String = contacts.iter().map(|r| r.join(",") + "\n").collect();
    std::fs::write(&t["contacts"], csv).unwrap();
    let mut intervals: Vec<Vec<String>> = std::fs::read_to_string(&t["intervals"])
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    assert_eq!(intervals[0][2], "interval_minutes");
    intervals[5][2] = "0".into();
    let csv: String = intervals.iter().map(|r| r.join(",") + "\n").collect();
    std::fs::write(&t["intervals"], csv).unwrap();

    let a = run(&evidence);
    let c = inventory(&a, "contacts");
    assert_eq!(c.status, "failed");
    assert!(
        c.messages[0]
            .contains("data/contacts.csv:2:9: `talk_seconds`: must be at least 0, found -12"),
        "{:?}",
        c.messages
    );
    let i = inventory(&a, "intervals");
    assert!(
        i.messages[0].contains(":6:3: `interval_minutes`: must be between 1 and 1440, found 0"),
        "{:?}",
        i.messages
    );

    let toml_path = evidence.join("evidence.toml");
    let toml = std::fs::read_to_string(&toml_path).unwrap().replace(
        "contacts = { path = \"data/contacts.csv\" }",
        "contacts = { path = \"data/contacts.csv\", on_error = \"skip\" }",
    );
    std::fs::write(&toml_path, toml).unwrap();
    let a = run(&evidence);
    let c = inventory(&a, "contacts");
    let reasons: Vec<(&str, u64)> = c
        .skipped_by_reason
        .iter()
        .map(|(r, n)| (r.as_str(), *n))
        .collect();
    assert_eq!(
        reasons,
        [
            ("implausible timestamp", 1),
            ("timestamps out of order", 1),
            ("value out of range", 1)
        ]
    );
    assert_eq!(c.records, Some(c.rows.unwrap() + 3));
}

/// The inventory reconciles for every table of a clean centre: records =
/// rows + skipped, nothing outside the period but late survey invitations.
#[test]
fn row_accounting_reconciles() {
    let a = run(centre("followup"));
    for e in a.evidence.iter().filter(|e| e.kind == "table") {
        let skipped: u64 = e.skipped_by_reason.values().sum();
        assert_eq!(e.skipped_rows, Some(skipped), "{}", e.name);
        assert_eq!(e.records, Some(e.rows.unwrap() + skipped), "{}", e.name);
        assert!(
            e.days_missing.is_empty(),
            "{}: {:?}",
            e.name,
            e.days_missing
        );
        // Data rows by hand: the file's lines minus the header.
        let path = centre("followup").join(&e.path);
        let lines = std::fs::read_to_string(path).unwrap().lines().count() as u64;
        assert_eq!(e.records, Some(lines - 1), "{}", e.name);
    }
}

/// A missing day of a table the pack wants covered daily is insufficient
/// evidence for the criteria that need the table, naming the day.
#[test]
fn a_missing_day_is_named() {
    let (_dir, evidence) = copy(centre("followup"));
    let path = tables(&evidence)["business_daily"].clone();
    let text = std::fs::read_to_string(&path).unwrap();
    let kept: String = text
        .lines()
        .filter(|l| !l.starts_with("2026-03-03"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(kept.len(), text.len());
    std::fs::write(&path, kept).unwrap();
    let a = run(&evidence);
    assert_eq!(inventory(&a, "business_daily").days_missing, ["2026-03-03"]);
    let f = finding(&a, "PF3");
    assert_eq!(f.outcome.status, Status::InsufficientEvidence);
    assert!(
        f.summary
            .contains("no row on 1 day(s) of the period on which the centre operates: 2026-03-03"),
        "{}",
        f.summary
    );
    assert!(
        a.warnings
            .iter()
            .any(|w| w.contains("no rows on 1 day(s) of the period: 2026-03-03"))
    );
}

/// `assess --strict` turns a warning about the inputs (here one skipped
/// row) into exit 1 for CI gates; without it the run exits 0 and the
/// warning is printed and recorded.
#[test]
fn strict_turns_warnings_into_exit_1() {
    let (dir, evidence) = copy(centre("followup"));
    let path = tables(&evidence)["business_daily"].clone();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    // Line 3: orders `many` does not parse as an integer.
    let mut cells: Vec<String> = lines[2].split(',').map(str::to_owned).collect();
    cells[1] = "many".into();
    lines[2] = cells.join(",");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let toml_path = evidence.join("evidence.toml");
    let toml = std::fs::read_to_string(&toml_path).unwrap().replace(
        "business_daily = { path = \"data/business_daily.csv\" }",
        "business_daily = { path = \"data/business_daily.csv\", on_error = \"skip\" }",
    );
    assert!(toml.contains("on_error"));
    std::fs::write(&toml_path, toml).unwrap();
    let pack = root().join("standards/cx-ops");
    let plugins = plugin_dir(&PLUGINS);
    let args = |out: &str, strict: bool| {
        let mut a = vec![
            "assess".to_owned(),
            "-q".into(),
            "--pack".into(),
            pack.to_str().unwrap().into(),
            "--evidence".into(),
            evidence.to_str().unwrap().into(),
            "--plugins".into(),
            plugins.path().to_str().unwrap().into(),
            "--out".into(),
            dir.path().join(out).to_str().unwrap().into(),
        ];
        if strict {
            a.push("--strict".into());
        }
        a
    };
    let run = |a: Vec<String>| cxaudit(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let o = run(args("plain", false));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let warning = "data/business_daily.csv: 1 row(s) skipped (1 unparseable cell;";
    assert!(stderr(&o).contains(warning), "{}", stderr(&o));
    let o = run(args("strict", true));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // At least two warnings: the skipped row, and the day it leaves without
    // a row (a plugin library refused in the build folder counts too).
    assert!(
        stderr(&o).contains("warning(s) about the inputs; exit 1"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("data/business_daily.csv: no rows on 1 day(s) of the period"),
        "{}",
        stderr(&o)
    );
    let a: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("strict/assessment.json")).unwrap(),
    )
    .unwrap();
    assert!(a["warnings"][0].as_str().unwrap().contains(warning));
}

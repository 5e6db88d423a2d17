//! `cxaudit evidence init` on platform-shaped export folders
//! (`tests/fixtures/exports-*`): the manifest it writes, its comments, what
//! it lists as unmapped, and what `cxaudit check` then says.

use std::path::{Path, PathBuf};

use cxaudit_tests::*;

/// A copy of `tests/fixtures/exports-NAME` in a temporary folder.
fn exports(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let to = dir.path().join(name);
    std::fs::create_dir_all(&to).expect("mkdir");
    let from = fixture(&format!("exports-{name}"));
    for entry in std::fs::read_dir(&from).expect("fixture folder") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
    (dir, to)
}

fn arg(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Runs `evidence init --from DIR`; returns stdout and the manifest.
fn init(dir: &Path) -> (String, String) {
    let o = cxaudit_ok(&["evidence", "init", "--from", arg(dir)]);
    let manifest = std::fs::read_to_string(dir.join("evidence.toml")).expect("evidence.toml");
    (stdout(&o), manifest)
}

/// `check --format json` against the built-in cx-ops pack.
fn check(dir: &Path) -> Vec<serde_json::Value> {
    check_json(Path::new("cx-ops"), dir, &build_dir())
        .as_array()
        .expect("a list")
        .clone()
}

/// The missing entries of every criterion, as text.
fn missing(results: &[serde_json::Value]) -> Vec<String> {
    results
        .iter()
        .flat_map(|r| {
            let id = r["criterion"].as_str().unwrap_or_default().to_owned();
            r["missing"]
                .as_array()
                .into_iter()
                .flatten()
                .map(move |m| format!("{id}: {}", m.as_str().unwrap_or_default()))
        })
        .collect()
}

/// Asserts every criterion lacks only whole tables the exports do not have,
/// or documents: nothing of a table `evidence init` mapped.
fn ready_where_tables_are(dir: &Path, mapped: &[&str]) {
    let results = check(dir);
    for m in missing(&results) {
        let whole_table = m.contains("(not in evidence.toml)")
            && !mapped.iter().any(|t| m.contains(&format!("table `{t}`")));
        assert!(whole_table, "{}: {m}", dir.display());
    }
    let ready = results.iter().filter(|r| r["ready"] == true).count();
    assert!(ready >= 3, "{}: only {ready} criteria ready", dir.display());
}

#[test]
fn genesys_exports_are_ready_where_their_tables_are() {
    let (_tmp, dir) = exports("genesys");
    let (out, manifest) = init(&dir);
    assert!(out.contains("  contacts <- interactions_2026-03.csv (14 columns mapped, preset genesys-cloud-interactions)"), "{out}");
    assert!(
        out.contains("  agents <- roster.csv (8 columns mapped)"),
        "{out}"
    );
    assert!(
        out.contains("  surveys <- csat_survey.csv (9 columns mapped)"),
        "{out}"
    );
    ready_where_tables_are(&dir, &["contacts", "agents", "surveys"]);
    // Every kind of comment.
    for expected in [
        "# high confidence, from preset Genesys Cloud (genesys-cloud-interactions)\ncolumns.agent_id = \"Users\"",
        "# high confidence, from name\ncolumns.survey_id = \"Survey ID\"",
        "# high confidence, from synonym\ncolumns.answered_at = \"Answer Time\"",
        "# medium confidence, from content: values `chat`, `email`, `voice` (allowed by the schema) in 100% of 36 sampled rows with a value\ncolumns.channel = \"Media Type\"",
        "# timestamps: ISO 8601 (the engine's default) in 100% of",
        "start = 2026-03-01\nend = 2026-03-28\n",
        "# TO FILL: the centre's IANA time zone",
        "# time_zone = \"\"",
        "# headers not mapped: \"Direction\"",
    ] {
        assert!(
            manifest.contains(expected),
            "missing {expected:?} in\n{manifest}"
        );
    }
    assert!(
        !manifest.lines().any(|l| l.starts_with("time_zone")),
        "no time zone is guessed"
    );
    assert!(
        out.contains("to fill in evidence.toml:\n  [centre] name and site\n  [defaults] time_zone"),
        "{out}"
    );
    assert!(out.contains("canonical tables with no source: adherence, business_daily, changes, incidents, intervals, kpi_results, kpi_targets"), "{out}");
}

#[test]
fn five9_exports_need_their_formats_and_are_ready_where_their_tables_are() {
    let (_tmp, dir) = exports("five9");
    let (out, manifest) = init(&dir);
    for expected in [
        "[tables.contacts]\n# call_log.csv: 10 of the 11 headers of preset `five9-call-log`.",
        "delimiter = \";\"\nencoding = \"windows-1252\"\ntimestamp_format = \"%d/%m/%Y %H:%M:%S\"",
        "[tables.adherence]",
        "decimal = \",\"\ndate_format = \"%d.%m.%Y\"",
        "columns.unplanned_absence_minutes = \"Unplanned Absence Mins\"",
        "# high confidence, from preset Five9 (five9-call-log)\ncolumns.arrived_at = \"TIMESTAMP\"",
    ] {
        assert!(
            manifest.contains(expected),
            "missing {expected:?} in\n{manifest}"
        );
    }
    assert!(
        out.contains("  call_log.csv: CAMPAIGN, CALL TYPE, AGENT NAME, DNIS"),
        "{out}"
    );
    assert!(out.contains("CHECK encoding windows-1252"), "{out}");
    ready_where_tables_are(&dir, &["contacts", "adherence", "agents"]);
}

#[test]
fn connect_exports_name_their_gaps_and_check_names_them_too() {
    let (_tmp, dir) = exports("connect");
    let (out, manifest) = init(&dir);
    assert!(
        out.contains("unmapped files:\n  README.md: a document, not a table"),
        "{out}"
    );
    for gap in [
        "  contacts.abandoned (required)",
        "  contacts.transferred (required)",
    ] {
        assert!(out.contains(gap), "{gap} not listed in\n{out}");
    }
    assert!(out.contains("  contacts.channel (`Channel`): 40 of 40 sampled values are not one of voice, chat, email, messaging, self_service (e.g. `VOICE`)"), "{out}");
    assert!(
        manifest.contains("# no source for `abandoned` (required): columns.abandoned = \"...\""),
        "{manifest}"
    );
    let all = missing(&check(&dir)).join("\n");
    assert!(all.contains("column `contacts.abandoned`"), "{all}");
    assert!(all.contains("column `contacts.transferred`"), "{all}");
}

#[test]
fn refuses_to_overwrite_and_writes_the_same_bytes_again() {
    let (_tmp, dir) = exports("genesys");
    let (first_out, first) = init(&dir);
    let again = cxaudit(&["evidence", "init", "--from", arg(&dir)]);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("evidence.toml")).expect("kept"),
        first
    );
    let forced = cxaudit_ok(&["evidence", "init", "--from", arg(&dir), "--force"]);
    assert_eq!(stdout(&forced), first_out);
    assert_eq!(
        std::fs::read_to_string(dir.join("evidence.toml")).expect("rewritten"),
        first
    );
}

#[test]
fn an_out_folder_that_does_not_hold_the_exports_is_refused() {
    let (_tmp, dir) = exports("connect");
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let o = cxaudit(&[
        "evidence",
        "init",
        "--from",
        arg(&dir),
        "--out",
        arg(elsewhere.path()),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is not inside"), "{}", stderr(&o));
    assert!(!elsewhere.path().join("evidence.toml").exists());
    // A folder that holds the exports works, with paths through the subfolder.
    let parent = dir.parent().expect("parent");
    cxaudit_ok(&[
        "evidence",
        "init",
        "--from",
        arg(&dir),
        "--out",
        arg(parent),
    ]);
    let manifest = std::fs::read_to_string(parent.join("evidence.toml")).expect("written");
    assert!(
        manifest.contains("path = \"connect/ctr_2026-03.csv\""),
        "{manifest}"
    );
}

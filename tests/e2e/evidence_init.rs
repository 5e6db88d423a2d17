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

/// Asserts `check` reports every criterion of the pack ready, with nothing
/// required missing.
fn every_criterion_ready(dir: &Path) -> usize {
    let results = check(dir);
    let required: Vec<String> = missing(&results)
        .into_iter()
        .filter(|m| !m.contains(": optional, "))
        .collect();
    assert!(required.is_empty(), "{}: {required:#?}", dir.display());
    let not_ready: Vec<&serde_json::Value> =
        results.iter().filter(|r| r["ready"] != true).collect();
    assert!(not_ready.is_empty(), "{}: {not_ready:#?}", dir.display());
    results.len()
}

/// Runs `assess` on the folder and asserts a completed run: exit 0, no
/// criterion in error, every table and document loaded with no row skipped
/// or outside the period, and no warning about the inputs in the record.
fn assess_completes(dir: &Path) {
    let (o, record, _out) = assess(Path::new("cx-ops"), dir, &build_dir());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let record = record.expect("assessment.json");
    for f in record["findings"].as_array().expect("findings") {
        assert_ne!(f["outcome"], "error", "{f:#}");
    }
    for e in record["evidence"].as_array().expect("inventory") {
        assert_eq!(e["status"], "loaded", "{e:#}");
        if e["kind"] == "table" {
            assert_eq!(e["skipped_rows"], 0, "{e:#}");
            assert_eq!(e["outside_period"], 0, "{e:#}");
        }
    }
    assert_eq!(
        record["warnings"],
        serde_json::json!([]),
        "{:#}",
        record["warnings"]
    );
}

#[test]
fn genesys_centre_folder_is_ready_for_every_criterion_and_assesses() {
    let (_tmp, dir) = exports("genesys");
    let (out, manifest) = init(&dir);
    for expected in [
        "  contacts <- interactions_2026-03.csv (14 columns mapped, preset genesys-cloud-interactions)",
        "  agents <- roster.csv (8 columns mapped)",
        "  surveys <- csat_survey.csv (9 columns mapped)",
        "  intervals <- wem_forecast_vs_actual_2026-03.csv (10 columns mapped, preset genesys-cloud-wem-intervals)",
        "  adherence <- wem_historical_adherence_2026-03.csv (7 columns mapped, preset genesys-cloud-wem-adherence)",
        "  incidents <- servicenow_incident.csv (5 columns mapped, preset servicenow-incident)",
        "  changes <- servicenow_change_request.csv (4 columns mapped, preset servicenow-change-request)",
        "  business_daily <- finance_daily_2026-03.csv (3 columns mapped)",
        "  kpi_targets <- kpi_targets_2026.csv (12 columns mapped)",
        "  kpi_results <- kpi_results_2026-03.csv (4 columns mapped)",
        "canonical tables with no source: none",
        "  business_plan <- business-plan-2026.md (high confidence)",
        "  direction <- direction-statement.md (high confidence)",
        "  escalation_policy <- escalation-policy.md (high confidence)",
        "  review_minutes <- performance-review-2026-03.md (high confidence)",
        "  survey_design <- survey-design.md (high confidence)",
        "document kinds with no source: none",
        "time zone: Europe/Lisbon (stated by wem_historical_adherence_2026-03.csv column Management Unit Time Zone)",
        "to fill in evidence.toml:\n  [centre] name and site\nto check:",
        "  README.md: a document whose file name and first heading",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
    // Every kind of comment.
    for expected in [
        "# high confidence, from preset Genesys Cloud (genesys-cloud-interactions)\ncolumns.agent_id = \"Users\"",
        "# high confidence, from name\ncolumns.survey_id = \"Survey ID\"",
        "# high confidence, from synonym\ncolumns.answered_at = \"Answer Time\"",
        "# medium confidence, from content: values `chat`, `email`, `voice` (allowed by the schema) in 100% of 36 sampled rows with a value\ncolumns.channel = \"Media Type\"",
        "# high confidence, from preset ServiceNow (servicenow-change-request)\ncolumns.go_live_at = \"start_date\"",
        "# high confidence, from name\ncolumns.escalated_at = \"u_escalated_at\"",
        "# timestamps: ISO 8601 (the engine's default) in 100% of",
        "start = 2026-03-01\nend = 2026-03-28\n",
        "[defaults]\n# From the exports: `wem_historical_adherence_2026-03.csv` column `Management Unit Time Zone` (the same IANA name in every one of 50 sampled rows). CHECK it is the centre's own time zone.\ntime_zone = \"Europe/Lisbon\"\n",
        "# headers not mapped: \"Direction\"",
        "[documents]\n# high confidence, from file name `business-plan-2026` and first heading `Business plan 2026`\nbusiness_plan = \"business-plan-2026.md\"\n",
        "# high confidence, from file name `performance-review-2026-03` and first heading `Minutes of the monthly performance review, March 2026`\nreview_minutes = \"performance-review-2026-03.md\"\n",
    ] {
        assert!(
            manifest.contains(expected),
            "missing {expected:?} in\n{manifest}"
        );
    }
    assert_eq!(every_criterion_ready(&dir), 22);
    assess_completes(&dir);
}

#[test]
fn five9_centre_folder_needs_its_formats_and_is_ready_for_every_criterion() {
    let (_tmp, dir) = exports("five9");
    let (out, manifest) = init(&dir);
    for expected in [
        "[tables.contacts]\n# call_log.csv: 10 of the 11 headers of preset `five9-call-log`.",
        "delimiter = \";\"\nencoding = \"windows-1252\"\ntimestamp_format = \"%d/%m/%Y %H:%M:%S\"",
        "[tables.adherence]",
        "decimal = \",\"\ndate_format = \"%d.%m.%Y\"",
        "columns.unplanned_absence_minutes = \"Unplanned Absence Mins\"",
        "# high confidence, from preset Five9 (five9-call-log)\ncolumns.arrived_at = \"TIMESTAMP\"",
        "[tables.incidents]\n# jsm_incidents.csv: 4 of the 4 headers of preset `jira-service-management-incidents`.",
        "timestamp_format = \"%d/%b/%y %I:%M %p\"",
        "# high confidence, from name\ncolumns.severity = \"Custom field (Severity)\"",
        "# high confidence, from synonym\ncolumns.go_live_at = \"Custom field (Change start date)\"",
        "time_zone = \"Europe/Lisbon\"",
        "# high confidence, from file name `operating-plan-2026` and first heading `Customer care operating plan 2026`\nbusiness_plan = \"operating-plan-2026.md\"",
        "# high confidence, from file name `csat-questionnaire` and first heading `Customer satisfaction questionnaire`\nsurvey_design = \"csat-questionnaire.md\"",
    ] {
        assert!(
            manifest.contains(expected),
            "missing {expected:?} in\n{manifest}"
        );
    }
    for expected in [
        "  call_log.csv: CAMPAIGN, CALL TYPE, AGENT NAME, DNIS",
        "CHECK encoding windows-1252",
        "canonical tables with no source: none",
        "document kinds with no source: none",
        "time zone: Europe/Lisbon (stated by adherence.csv column Time Zone, wfm_forecast_vs_actual_2026-03.csv column Time Zone)",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
    assert_eq!(every_criterion_ready(&dir), 22);
    assess_completes(&dir);
}

#[test]
fn connect_exports_name_their_gaps_and_check_names_them_too() {
    let (_tmp, dir) = exports("connect");
    let (out, manifest) = init(&dir);
    assert!(
        out.contains("unmapped files:\n  README.md: a document whose file name and first heading"),
        "{out}"
    );
    for gap in [
        "  contacts.abandoned (required)",
        "  contacts.transferred (required)",
        "canonical tables with no source: adherence, agents, business_daily, changes, incidents, intervals, kpi_results, kpi_targets, surveys",
        "document kinds with no source: business_plan, direction, escalation_policy, review_minutes, survey_design",
        "  [defaults] time_zone (the centre's IANA time zone; never guessed)",
        "  [documents] escalation_policy",
    ] {
        assert!(out.contains(gap), "{gap} not listed in\n{out}");
    }
    assert!(out.contains("  contacts.channel (`Channel`): 40 of 40 sampled values are not one of voice, chat, email, messaging, self_service (e.g. `VOICE`)"), "{out}");
    for expected in [
        "# no source for `abandoned` (required): columns.abandoned = \"...\"",
        "# TO FILL: the centre's IANA time zone (e.g. Europe/Lisbon). The exports do not state it",
        "# time_zone = \"\"",
        "# TO FILL: no document found for `business_plan`",
    ] {
        assert!(
            manifest.contains(expected),
            "{expected:?} not in\n{manifest}"
        );
    }
    assert!(
        !manifest.lines().any(|l| l.starts_with("time_zone")),
        "no time zone is guessed"
    );
    let results = check(&dir);
    let ready = results.iter().filter(|r| r["ready"] == true).count();
    let all = missing(&results).join("\n");
    assert!(all.contains("column `contacts.abandoned`"), "{all}");
    assert!(all.contains("column `contacts.transferred`"), "{all}");
    assert!(
        all.contains("document `business_plan` (not in evidence.toml)"),
        "{all}"
    );
    assert!(
        all.contains("table `agents` (not in evidence.toml)"),
        "{all}"
    );
    assert_eq!(ready, 0, "{all}");
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

//! `cxaudit trend` over four monthly assessments of the synthetic follow-up
//! centre: one evidence folder of four months (January to April 2026),
//! assessed once per month by setting `[period]` in `evidence.toml`. The
//! trend orders them by period end whatever order they are given in, reads
//! a folder of sets like the files themselves, carries every run digest,
//! refuses a record of another pack naming both files, and `trend.html`
//! renders in headless Chromium without console messages (screenshot in
//! `target/test-artifacts/trend.png`).

use std::path::{Path, PathBuf};

use cxaudit_tests::chromium::{self, console_messages, screenshot, svg_sizes};
use cxaudit_tests::{cxaudit, plugin_dir, root, stderr, synth};

const PLUGINS: [&str; 5] = [
    "cxaudit_plugin_planning",
    "cxaudit_plugin_csat",
    "cxaudit_plugin_workforce",
    "cxaudit_plugin_people",
    "cxaudit_plugin_performance",
];

/// The months assessed, with their last day.
const MONTHS: [(&str, &str); 4] = [
    ("2026-01", "31"),
    ("2026-02", "28"),
    ("2026-03", "31"),
    ("2026-04", "30"),
];

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Sets the `[period]` of the evidence folder to one month.
fn set_month(evidence: &Path, month: &str, last_day: &str) {
    let file = evidence.join("evidence.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let text: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with("start = ") {
                format!("start = {month}-01")
            } else if l.starts_with("end = ") {
                format!("end = {month}-{last_day}")
            } else {
                l.to_owned()
            }
        })
        .collect();
    std::fs::write(&file, text.join("\n") + "\n").unwrap();
}

fn digest(record: &Path) -> String {
    let a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(record).unwrap()).unwrap();
    a["run"]["digest"].as_str().unwrap().to_owned()
}

/// The section of `trend.md` about one KPI, up to the next heading.
fn kpi_section<'a>(md: &'a str, label: &str) -> &'a str {
    let start = md
        .find(&format!("### {label}"))
        .unwrap_or_else(|| panic!("no section {label} in\n{md}"));
    let rest = &md[start + 4..];
    &md[start..start + 4 + rest.find("\n### ").unwrap_or(rest.len())]
}

#[test]
fn four_monthly_assessments_make_a_trend_that_renders_in_chromium() {
    let plugins = plugin_dir(&PLUGINS);
    let work = tempfile::tempdir().unwrap();
    let evidence = work.path().join("evidence");
    synth(
        &evidence,
        "followup",
        &["--contacts", "20000", "--months", "4", "--seed", "3"],
    );
    let pack = root().join("standards/cx-ops");
    let runs = work.path().join("runs");
    let mut records: Vec<PathBuf> = Vec::new();
    for (month, last) in MONTHS {
        set_month(&evidence, month, last);
        let out = runs.join(month);
        let o = cxaudit(&[
            "assess",
            "--quiet",
            "--pack",
            s(&pack),
            "--evidence",
            s(&evidence),
            "--out",
            s(&out),
            "--plugins",
            s(plugins.path()),
        ]);
        assert!(
            o.status.code() == Some(0) || o.status.code() == Some(1),
            "assess {month}: {}",
            stderr(&o)
        );
        records.push(out.join("assessment.json"));
    }
    let digests: Vec<String> = records.iter().map(|r| digest(r)).collect();

    // Files out of time order.
    let by_files = work.path().join("trend-files");
    let o = cxaudit(&[
        "trend",
        s(&records[2]),
        s(&records[0]),
        s(&records[3]),
        s(&records[1]),
        "--out",
        s(&by_files),
    ]);
    assert!(o.status.success(), "trend: {}", stderr(&o));
    // The folder of sets, one level down.
    let by_folder = work.path().join("trend-folder");
    let o = cxaudit(&["trend", s(&runs), "--out", s(&by_folder)]);
    assert!(o.status.success(), "trend DIR: {}", stderr(&o));
    for file in ["trend.md", "trend.html"] {
        assert_eq!(
            std::fs::read(by_files.join(file)).unwrap(),
            std::fs::read(by_folder.join(file)).unwrap(),
            "{file}: the same records give the same bytes, in any order"
        );
    }

    let md = std::fs::read_to_string(by_files.join("trend.md")).unwrap();
    let html = std::fs::read_to_string(by_files.join("trend.html")).unwrap();
    assert!(md.contains("4 assessments from 2026-01 to 2026-04"), "{md}");
    assert!(
        md.contains(
            "| Criterion | Section | 2026-01 | 2026-02 | 2026-03 | 2026-04 | Since the previous |"
        ),
        "{md}"
    );
    // Every record's digest, in time order.
    assert_eq!(cxaudit_reports::run_digest::in_trend_html(&html), digests);
    for d in &digests {
        assert!(md.contains(&format!("`{d}`")), "{d} in trend.md");
    }
    // Targets as the synthetic centre's kpi_targets state them: service
    // level voice >= 0.80 (WF2 and WF3 judge the centre's target), FCR >= 0.78;
    // the forecast WAPE measured by WF1 (interval WAPE) has no target
    // judged against it (WF1 judges the daily WAPE).
    let sl = kpi_section(&md, "Service level");
    assert!(
        sl.contains("| Target | ≥ 80.0% | ≥ 80.0% | ≥ 80.0% | ≥ 80.0% |"),
        "{sl}"
    );
    let fcr = kpi_section(&md, "First contact resolution");
    assert!(
        fcr.contains("| Target | ≥ 78.0% | ≥ 78.0% | ≥ 78.0% | ≥ 78.0% |"),
        "{fcr}"
    );
    let wape = kpi_section(&md, "Forecast error (WAPE)");
    assert!(
        wape.contains("| Target | none recorded | none recorded | none recorded | none recorded |"),
        "{wape}"
    );
    assert!(
        wape.contains("No target is recorded for it: the line is drawn without one."),
        "{wape}"
    );
    // Three steps, the latest first.
    let steps: Vec<&str> = md.lines().filter(|l| l.contains(" → 2026-0")).collect();
    assert_eq!(
        steps,
        [
            "### 2026-03 → 2026-04",
            "### 2026-02 → 2026-03",
            "### 2026-01 → 2026-02"
        ]
    );

    // A record of another pack is refused, naming both files.
    let other = work.path().join("other.json");
    let mut a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&records[1]).unwrap()).unwrap();
    a["pack"]["id"] = "another-pack".into();
    std::fs::write(&other, serde_json::to_string(&a).unwrap()).unwrap();
    let refused = work.path().join("refused");
    let o = cxaudit(&["trend", s(&records[0]), s(&other), "--out", s(&refused)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(s(&records[0])) && err.contains(s(&other)),
        "{err}"
    );
    assert!(err.contains("another-pack"), "{err}");
    assert!(!refused.exists(), "nothing written on a refusal");
    // One record is not a trend; a folder without records names itself.
    let o = cxaudit(&["trend", s(&records[0]), "--out", s(&refused)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("at least two assessments"),
        "{}",
        stderr(&o)
    );
    let o = cxaudit(&["trend", s(&evidence.join("data")), "--out", s(&refused)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no assessment.json"), "{}", stderr(&o));

    // The page in a browser.
    let Some(exe) = chromium::require() else {
        return;
    };
    let artifacts = chromium::artifacts();
    let page = artifacts.join("trend.html");
    std::fs::copy(by_files.join("trend.html"), &page).unwrap();
    let (messages, dom) = console_messages(&exe, &page);
    assert!(
        messages.is_empty(),
        "console messages:\n{}",
        messages.join("\n")
    );
    assert!(!dom.contains("<script"), "a script element");
    // The score chart and one small chart per headline KPI of cx-ops (7).
    let sizes = svg_sizes(&exe, &page);
    assert_eq!(sizes.len(), 1 + 7, "charts");
    for (i, (w, h)) in sizes.iter().enumerate() {
        assert!(*w > 0.0 && *h > 0.0, "chart {i} is {w}x{h}");
    }
    screenshot(&exe, &page, &artifacts.join("trend.png"));
}

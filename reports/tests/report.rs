//! Reports, improvement plan and comparison on a small fixed pair of
//! assessments (see `common`).

mod common;

use std::collections::BTreeSet;

use common::{Which, XSS, fixture};
use cxaudit_model::plan::{self, ShortestPath};
use cxaudit_model::{Assessment, Finding};
use cxaudit_reports::compare::{self, CompareError};
use cxaudit_reports::{Rendered, Templates, render};

fn rendered(which: Which) -> Rendered {
    render(&fixture(which), &Templates::embedded()).expect("renders")
}

fn shortest_path(a: &Assessment) -> ShortestPath {
    plan::shortest_path(&a.findings, &a.scores, &a.scoring_method.rules)
}

/// The fixture files are written from the builder in `common` only on
/// request (`CXAUDIT_UPDATE_FIXTURES=1`); the tests read the checked-in
/// files, which a person has read, and never compare them with the builder.
#[test]
fn fixtures_are_regenerated_only_on_request() {
    if std::env::var_os("CXAUDIT_UPDATE_FIXTURES").is_some() {
        for which in [Which::Base, Which::New] {
            let json = common::assessment(which).to_json().unwrap();
            std::fs::write(common::fixture_path(which), json).unwrap();
        }
    }
    for which in [Which::Base, Which::New] {
        let a = fixture(which);
        assert_eq!(a.schema_version, cxaudit_model::SCHEMA_VERSION);
    }
}

/// The recorded numbers of the baseline fixture, worked out by hand from
/// its findings (points x score, summed; not applicable leaves the
/// denominator).
#[test]
fn baseline_fixture_numbers_by_hand() {
    let a = fixture(Which::Base);
    let earned: f64 = a.findings.iter().map(|f| f.outcome.earned).sum();
    let available: f64 = a.findings.iter().map(|f| f.outcome.available).sum();
    assert!((a.scores.overall.earned - earned).abs() < 1e-9);
    assert!((a.scores.overall.available - available).abs() < 1e-9);
    for f in &a.findings {
        let by_hand = match f.outcome.status {
            cxaudit_model::Status::NotApplicable => (0.0, 0.0),
            s if s.is_scored() => (f.points, f.points * f.outcome.score.unwrap()),
            _ => (f.points, 0.0),
        };
        assert_eq!(
            (f.outcome.available, f.outcome.earned),
            by_hand,
            "{}",
            f.criterion
        );
    }
}

/// Scoring and planning the recorded findings again with the model gives
/// the recorded scores, decision and plan: a change of the scoring rule or
/// of the plan ranking shows here.
#[test]
fn the_record_reproduces_its_scores_and_plan() {
    for which in [Which::Base, Which::New] {
        let a = fixture(which);
        let card = plan::rescore(&a, &BTreeSet::<String>::new());
        assert_eq!(card.overall, a.scores.overall);
        assert_eq!(card.sections, a.scores.sections);
        assert_eq!(card.rules, a.scores.rules);
        assert_eq!(card.certified, a.decision.certified);
        let p = plan::build(&a.findings, &a.scores, &a.scoring_method.rules);
        assert_eq!(p, a.improvement_plan);
    }
}

#[test]
fn report_md_snapshot() {
    insta::assert_snapshot!("report_md_base", rendered(Which::Base).markdown);
}

#[test]
fn report_md_snapshot_followup() {
    insta::assert_snapshot!("report_md_new", rendered(Which::New).markdown);
}

#[test]
fn compare_md_snapshot() {
    let r = compare::render(
        &fixture(Which::Base),
        &fixture(Which::New),
        &Templates::embedded(),
    )
    .expect("compares");
    insta::assert_snapshot!("compare_md", r.markdown);
}

#[test]
fn no_template_residue_or_placeholder() {
    for which in [Which::Base, Which::New] {
        let r = rendered(which);
        for text in [&r.markdown, &r.html] {
            for bad in [
                "{{",
                "}}",
                "TODO",
                "TBD",
                "lorem",
                "undefined",
                "NaN",
                "null",
            ] {
                assert!(!text.contains(bad), "`{bad}` in a report");
            }
        }
    }
}

/// Every occurrence of the injected string in the HTML is escaped, and the
/// escaped form appears where the evidence put it.
#[test]
fn evidence_strings_are_escaped_in_html() {
    let html = rendered(Which::Base).html;
    assert!(!html.contains(XSS), "raw script tag in report.html");
    assert!(!html.contains("<script"), "a script element in report.html");
    assert!(
        !html.contains("<b>Raw HTML</b>"),
        "pack raw HTML passed through"
    );
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;";
    // Drill-down cell (agent name).
    assert!(
        html.contains(&format!("<td>{escaped}</td>")),
        "agent name cell"
    );
    // Check description.
    assert!(
        html.contains(&format!("Targets SMART (owner {escaped})")),
        "check description"
    );
    // Document-derived observation.
    assert!(
        html.contains(&format!(
            "docs/direction.md has a heading &#x60;{escaped}&#x60;"
        )),
        "observation"
    );
    // Chart labels and tooltips inside SVG.
    assert!(html.contains(&format!(">{escaped}</text>")), "chart label");
    assert!(
        html.contains(&format!("<title>FCR: {escaped} 55%</title>")),
        "chart tooltip"
    );
}

#[test]
fn evidence_strings_are_escaped_in_markdown() {
    let md = rendered(Which::Base).markdown;
    assert!(!md.contains(XSS));
    assert!(md.contains("\\<script>alert(1)\\</script>"));
    // A pipe inside a drill-down cell does not split the row; the ratio column shows as a
    // percentage, the count column (no unit) as it is.
    assert!(md.contains("| Dana \\| Ortiz | 187 | 58.0% |"), "{md}");
}

#[test]
fn drilldowns_are_capped_with_a_count() {
    let r = rendered(Which::Base);
    assert!(
        r.html
            .contains("7 more rows (32 in all) in assessment.json.")
    );
    assert!(
        r.markdown
            .contains("7 more rows (32 in all) in assessment.json.")
    );
}

#[test]
fn every_chart_is_drawn() {
    let a = fixture(Which::Base);
    let html = rendered(Which::Base).html;
    let charts: usize = a.findings.iter().map(|f| f.charts.len()).sum();
    // One per chart, plus the section chart.
    assert_eq!(html.matches("<svg ").count(), charts + 1);
    assert!(html.contains("stroke-dasharray"), "target line drawn");
}

#[test]
fn attested_and_waived_results_show_both_scores() {
    let r = rendered(Which::Base);
    assert!(r.html.contains("Attested"));
    assert!(r.html.contains("Waived"));
    assert!(
        r.html
            .contains("Score from the evidence alone: Partially met, 50.0%")
    );
    assert!(
        r.markdown
            .contains("From the evidence alone: Partially met, 50.0%")
    );
}

#[test]
fn improvement_plan_csv_parses_with_the_right_columns() {
    let a = fixture(Which::Base);
    let csv_text = rendered(Which::Base).plan_csv;
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(headers, cxaudit_reports::plan_csv::CSV_COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let p = a.improvement_plan.clone();
    let actions: usize = p.gaps.iter().map(|g| g.actions.len()).sum();
    assert_eq!(rows.len(), actions, "one row per action");
    assert!(rows.len() >= p.gaps.len());
    for row in &rows {
        assert_eq!(row.len(), 17);
        assert_eq!(&row[16], a.run.digest, "the run digest on every row");
        assert!(["data", "pack", "status"].contains(&&row[13]));
        assert!(!row[14].is_empty(), "every action names its trigger");
        assert!(row[0].parse::<usize>().is_ok());
        assert!(["low", "medium", "high"].contains(&&row[6]));
        assert!(["people", "process", "technology"].contains(&&row[7]));
        assert!(["30", "60", "90"].contains(&&row[8]));
        assert!(["urgent", "not_urgent"].contains(&&row[10]));
        assert!(["yes", "no"].contains(&&row[11]));
        assert!(!row[12].is_empty());
        assert!(row[5].parse::<f64>().is_ok());
    }
    // Ranks are non-decreasing and every gap appears.
    let ranks: Vec<usize> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]));
    let criteria: BTreeSet<&str> = rows.iter().map(|r| r.get(1).unwrap()).collect();
    assert_eq!(criteria.len(), p.gaps.len());
}

/// Every report file carries its record's run digest (the CSV on every
/// row), and none passes for another record.
#[test]
fn every_report_file_carries_the_run_digest() {
    use cxaudit_reports::run_digest;
    let (base, new) = (fixture(Which::Base), fixture(Which::New));
    assert_ne!(base.run.digest, new.run.digest);
    for (record, which) in [(&base, Which::Base), (&new, Which::New)] {
        assert_eq!(record.run.digest, cxaudit_model::run::digest(record));
        let r = rendered(which);
        for (name, text) in r.files() {
            assert_eq!(run_digest::check(name, text, record), Ok(()), "{name}");
        }
        let meta = format!(
            "<meta name=\"cxaudit-run-digest\" content=\"{}\">",
            record.run.digest
        );
        assert!(r.html.contains(&meta));
    }
    for (name, text) in rendered(Which::Base).files() {
        assert!(run_digest::check(name, text, &new).is_err(), "{name}");
    }
    let c = compare::render(&base, &new, &Templates::embedded()).expect("compares");
    for text in [&c.markdown, &c.html] {
        assert!(text.contains(&base.run.digest) && text.contains(&new.run.digest));
    }
}

fn gaps(a: &Assessment) -> Vec<String> {
    a.findings
        .iter()
        .filter(|f: &&Finding| plan::is_gap(f))
        .map(|f| f.criterion.clone())
        .collect()
}

/// The smallest certifying set by exhaustive search (`None`: no set certifies).
fn exhaustive_minimum(a: &Assessment) -> Option<usize> {
    let g = gaps(a);
    assert!(g.len() <= 16, "exhaustive search is for small cases");
    let mut best: Option<usize> = None;
    for mask in 0u32..(1 << g.len()) {
        let size = mask.count_ones() as usize;
        if best.is_some_and(|b| size >= b) {
            continue;
        }
        let closed: BTreeSet<&str> = (0..g.len())
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| g[i].as_str())
            .collect();
        if plan::rescore(a, &closed).certified {
            best = Some(size);
        }
    }
    best
}

#[test]
fn shortest_path_applied_certifies_and_no_smaller_set_does() {
    let a = fixture(Which::Base);
    let ShortestPath::Path { steps, result } = shortest_path(&a) else {
        panic!("the baseline has a path");
    };
    // Applied: those criteria set to met and re-scored, certifies.
    let closed: BTreeSet<&str> = steps.iter().map(|s| s.criterion.as_str()).collect();
    let card = plan::rescore(&a, &closed);
    assert!(card.certified);
    assert_eq!(card.overall, result.overall);
    // No smaller set does: every subset of the gaps of a smaller size fails.
    let g = gaps(&a);
    for mask in 0u32..(1 << g.len()) {
        if (mask.count_ones() as usize) < steps.len() {
            let subset: BTreeSet<&str> = (0..g.len())
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| g[i].as_str())
                .collect();
            assert!(
                !plan::rescore(&a, &subset).certified,
                "{subset:?} certifies"
            );
        }
    }
    assert_eq!(exhaustive_minimum(&a), Some(steps.len()));
}

/// A small deterministic generator for random cases.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn greedy_path_is_minimal_on_random_small_cases() {
    use cxaudit_model::{Outcome, ScoringRules, Status};
    let mut rng = Lcg(42);
    let (mut with_path, mut without_path, mut certified) = (0, 0, 0);
    for case in 0..300 {
        let n_sections = 1 + rng.below(3) as usize;
        let sections: Vec<(String, String, f64)> = (0..n_sections)
            .map(|i| {
                (
                    format!("S{i}"),
                    format!("Section {i}"),
                    [0.5, 0.75, 0.8, 0.95][rng.below(4) as usize],
                )
            })
            .collect();
        let n = 3 + rng.below(8) as usize;
        let rules = ScoringRules {
            certify_overall_min: [0.7, 0.8, 0.9, 0.95][rng.below(4) as usize],
            certify_mandatory_met: rng.below(4) != 0,
            ..ScoringRules::default()
        };
        let mut findings = Vec::new();
        let base = fixture(Which::Base);
        for i in 0..n {
            let mut f = base.findings[i % base.findings.len()].clone();
            f.criterion = format!("C{i}");
            f.section = sections[rng.below(n_sections as u64) as usize].0.clone();
            f.points = [20.0, 50.0, 60.0, 100.0, 120.0][rng.below(5) as usize];
            f.mandatory = rng.below(4) == 0;
            f.attestation = None;
            let (status, score) = match rng.below(7) {
                0 => (Status::NotApplicable, None),
                1 => (Status::Error, None),
                2 => (Status::NotMet, Some(0.2)),
                3 => (Status::PartiallyMet, Some(0.6)),
                4 => (Status::PartiallyMet, Some(0.8)),
                _ => (Status::Met, Some(1.0)),
            };
            f.outcome = Outcome::new(status, score, f.points);
            f.evaluated = f.outcome;
            findings.push(f);
        }
        let secs: Vec<(&str, &str, f64)> = sections
            .iter()
            .map(|(a, b, c)| (a.as_str(), b.as_str(), *c))
            .collect();
        let a = common::finish(common::skeleton(findings, &secs, rules));
        let minimum = exhaustive_minimum(&a);
        match shortest_path(&a) {
            ShortestPath::AlreadyCertified => {
                certified += 1;
                assert_eq!(minimum, Some(0), "case {case}");
            }
            ShortestPath::NoPath { failing } => {
                without_path += 1;
                assert_eq!(minimum, None, "case {case}");
                assert!(!failing.is_empty());
            }
            ShortestPath::Path { steps, .. } => {
                with_path += 1;
                assert_eq!(minimum, Some(steps.len()), "case {case}");
                let closed: BTreeSet<&str> = steps.iter().map(|s| s.criterion.as_str()).collect();
                assert!(plan::rescore(&a, &closed).certified, "case {case}");
            }
        }
    }
    assert!(
        with_path > 50 && certified > 0,
        "{with_path} {without_path} {certified}"
    );
}

#[test]
fn no_path_when_closing_every_gap_still_fails() {
    // Everything not applicable: no overall score, so the overall rule fails
    // whatever is closed.
    let mut a = fixture(Which::Base);
    for f in &mut a.findings {
        f.outcome =
            cxaudit_model::Outcome::new(cxaudit_model::Status::NotApplicable, None, f.points);
        f.attestation = None;
    }
    let a = common::finish(a);
    assert!(matches!(shortest_path(&a), ShortestPath::NoPath { .. }));
    let md = render(&a, &Templates::embedded()).unwrap().markdown;
    assert!(md.contains("No path: even with every gap closed"));
}

#[test]
fn followup_path_and_plan_ranking() {
    let a = fixture(Which::New);
    let p = a.improvement_plan.clone();
    // Urgent gaps rank before the others.
    let urgency: Vec<bool> = p
        .gaps
        .iter()
        .map(|g| g.urgency == plan::Urgency::Urgent)
        .collect();
    assert!(urgency.windows(2).all(|w| w[0] >= w[1]));
    for g in &p.gaps {
        assert_eq!(
            g.on_shortest_path,
            p.shortest_path.criteria().contains(g.criterion.as_str())
        );
    }
}

#[test]
fn horizon_rule() {
    use cxaudit_model::evaluation::Effort;
    use plan::{Horizon, Importance, Urgency, horizon};
    let cases = [
        (
            Effort::Low,
            Urgency::Urgent,
            Importance::Low,
            Horizon::Days30,
        ),
        (
            Effort::Low,
            Urgency::NotUrgent,
            Importance::High,
            Horizon::Days30,
        ),
        (
            Effort::Low,
            Urgency::NotUrgent,
            Importance::Medium,
            Horizon::Days60,
        ),
        (
            Effort::Medium,
            Urgency::Urgent,
            Importance::High,
            Horizon::Days60,
        ),
        (
            Effort::Medium,
            Urgency::NotUrgent,
            Importance::High,
            Horizon::Days90,
        ),
        (
            Effort::High,
            Urgency::Urgent,
            Importance::High,
            Horizon::Days90,
        ),
    ];
    for (effort, urgency, importance, expected) in cases {
        assert_eq!(
            horizon(effort, urgency, importance),
            expected,
            "{effort:?} {urgency:?} {importance:?}"
        );
    }
}

#[test]
fn compare_refuses_different_packs() {
    let base = fixture(Which::Base);
    let mut other = fixture(Which::New);
    other.pack.version = "1.1.0".into();
    let err = compare::view(&base, &other).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, CompareError::DifferentPacks { .. }));
    assert!(
        msg.contains("cx-ops-mini 1.0.0") && msg.contains("cx-ops-mini 1.1.0"),
        "{msg}"
    );
    assert!(
        msg.contains(&base.pack.sha256) && msg.contains(&other.pack.sha256),
        "{msg}"
    );

    let mut edited = fixture(Which::New);
    edited.pack.sha256 = "f".repeat(64);
    let err = compare::view(&base, &edited).unwrap_err();
    assert!(matches!(err, CompareError::DifferentPackContent { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains(&base.pack.sha256) && msg.contains(&"f".repeat(64)),
        "{msg}"
    );
}

#[test]
fn compare_finds_closed_opened_regressed_and_kpis() {
    let v = compare::view(&fixture(Which::Base), &fixture(Which::New)).unwrap();
    let ids =
        |xs: &[compare::CriterionDelta]| xs.iter().map(|c| c.criterion.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&v.gaps_closed), ["LP3", "WF1", "WF2", "PE1", "GV2"]);
    assert_eq!(ids(&v.gaps_opened), ["WF3", "WF4"]);
    assert_eq!(ids(&v.regressions), ["WF3", "WF4"]);
    let utilisation = v.kpis.iter().find(|k| k.name == "utilisation").unwrap();
    assert_eq!(utilisation.base, "not measured");
    assert_eq!(utilisation.new, "91.0%");
    let cpo = v.kpis.iter().find(|k| k.name == "cost_per_order").unwrap();
    assert_eq!(cpo.relative, "-40.8%");
    assert_eq!(cpo.verdict, "better");
}

#[test]
fn compare_html_escapes_and_draws() {
    let r = compare::render(
        &fixture(Which::Base),
        &fixture(Which::New),
        &Templates::embedded(),
    )
    .unwrap();
    assert!(!r.html.contains("<script"));
    assert_eq!(r.html.matches("<svg ").count(), 1);
}

#[test]
fn templates_folder_overrides_by_file_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("report.md.hbs"),
        "Custom report for {{md_text centre_name}}: {{decision.label}} {{> brand}}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("_brand.hbs"), "by Acme Audit").unwrap();
    let t = Templates::load(Some(dir.path())).unwrap();
    let r = render(&fixture(Which::Base), &t).unwrap();
    assert_eq!(
        r.markdown,
        "Custom report for Northwind Care: Not certified by Acme Audit\n"
    );
    // The others stay embedded.
    assert!(r.html.starts_with("<!DOCTYPE html>"));

    std::fs::write(dir.path().join("report.html.hbs"), "{{#if}}").unwrap();
    let err = Templates::load(Some(dir.path())).unwrap_err();
    assert!(err.to_string().contains("report.html.hbs"), "{err}");
}

/// The data-quality table states every table's accounting, and its
/// numbers reconcile: records = loaded + skipped.
#[test]
fn data_quality_section_reconciles() {
    let md = rendered(Which::Base).markdown;
    // contacts: 48,211 loaded + 3 skipped = 48,214 records; 12 outside the period.
    assert!(
        md.contains("| contacts | data/contacts.csv | loaded | 48214 | 48211 | 3 (3 unparseable cell) | 12 | contact_id | none |"),
        "{md}"
    );
    let html = rendered(Which::Base).html;
    assert!(html.contains("<h3>Data quality</h3>"));
    for e in fixture(Which::Base)
        .evidence
        .iter()
        .filter(|e| e.kind == "table")
    {
        assert_eq!(
            e.records,
            Some(e.rows.unwrap() + e.skipped_rows.unwrap()),
            "{}",
            e.name
        );
    }
}

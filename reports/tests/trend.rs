//! `trend` on three small hand-built records of one centre (January,
//! February, March 2026), with every expected number worked out here:
//!
//! | | Jan | Feb | Mar |
//! |---|---|---|---|
//! | X (100 points) | not met, 0.2 | partially met, 0.6 | met, 1.0 |
//! | Y (100 points) | met, 1.0 | met, 1.0 | partially met, 0.8 |
//! | overall | 120/200 = 60% | 160/200 = 80% | 180/200 = 90% (certified) |
//! | service level (target >= 0.78) | 0.70 | 0.75 | 0.80 |
//! | FCR (a target check only in March, >= 0.75) | 0.72 | 0.74 | 0.76 |
//! | cost per order (no target) | 1.2 | 1.1 | 1.0 |

mod common;

use common::{Which, XSS, finish, skeleton};
use cxaudit_model::evaluation::{Check, Definition, Measurement, Period, Status};
use cxaudit_model::{Assessment, Finding, HeadlineKpi, Outcome, ScoringRules};
use cxaudit_reports::Templates;
use cxaudit_reports::compare::Movement;
use cxaudit_reports::trend::{self, Named, TrendError};

/// A finding of 100 points with `status` and `score`, nothing else.
fn finding(id: &str, status: Status, score: f64) -> Finding {
    let mut f = common::fixture(Which::Base).findings[0].clone();
    f.criterion = id.into();
    f.title = format!("Criterion {id}");
    f.section = "PF".into();
    f.points = 100.0;
    f.mandatory = false;
    f.outcome = Outcome::new(status, Some(score), 100.0);
    f.evaluated = f.outcome;
    f.attestation = None;
    f.flagged = false;
    f.checks.clear();
    f.measurements.clear();
    f.definitions.clear();
    f.drilldowns.clear();
    f.charts.clear();
    f.actions.clear();
    f
}

/// The record of `month` (1 to 3).
fn record(month: u32) -> Assessment {
    let i = (month - 1) as usize;
    let x = [
        (Status::NotMet, 0.2),
        (Status::PartiallyMet, 0.6),
        (Status::Met, 1.0),
    ][i];
    let y = [
        (Status::Met, 1.0),
        (Status::Met, 1.0),
        (Status::PartiallyMet, 0.8),
    ][i];
    let mut fx = finding("X", x.0, x.1);
    fx.measurements = vec![
        Measurement::new("service_level", Some([0.70, 0.75, 0.80][i]), "ratio", "sl"),
        Measurement::new("fcr_rate", Some([0.72, 0.74, 0.76][i]), "ratio", "fcr"),
    ];
    // The target as every criterion judging a KPI records it.
    fx.definitions = vec![Definition::new(
        "service_level target",
        "service_level >= 0.78 from the centre's kpi_targets row 1; the centre's documented target (policy centre) (target_policy = centre)",
    )];
    if month == 3 {
        fx.checks = vec![Check::new(
            "fcr_rate",
            "FCR against its target",
            0.76,
            ">= 0.75",
            true,
        )];
    }
    let mut fy = finding("Y", y.0, y.1);
    fy.measurements = vec![Measurement::new(
        "cost_per_order",
        Some([1.2, 1.1, 1.0][i]),
        "EUR",
        "cost / orders",
    )];
    let mut a = skeleton(
        vec![fx, fy],
        &[("PF", "Performance", 0.75)],
        ScoringRules::default(),
    );
    a.pack.headline_kpis = [
        ("service_level", "Service level", true),
        ("fcr_rate", "First contact resolution", true),
        ("cost_per_order", "Cost per order", false),
    ]
    .iter()
    .map(|(m, l, h)| HeadlineKpi {
        measurement: (*m).into(),
        label: (*l).into(),
        higher_is_better: *h,
    })
    .collect();
    let end = ["2026-01-31", "2026-02-28", "2026-03-31"][i];
    a.period = Period {
        start: format!("2026-0{month}-01"),
        end: end.into(),
    };
    a.as_of = end.into();
    finish(a)
}

fn named<'a>(name: &'a str, a: &'a Assessment) -> Named<'a> {
    Named {
        name,
        assessment: a,
    }
}

#[test]
fn three_months_in_time_order_with_rows_steps_and_kpi_lines() {
    let (jan, feb, mar) = (record(1), record(2), record(3));
    // Given out of order: the trend puts them in time order.
    let v = trend::view(&[
        named("mar.json", &mar),
        named("jan.json", &jan),
        named("feb.json", &feb),
    ])
    .unwrap();

    let labels: Vec<&str> = v.assessments.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, ["2026-01", "2026-02", "2026-03"]);
    let scores: Vec<&str> = v.assessments.iter().map(|p| p.score.as_str()).collect();
    assert_eq!(scores, ["60.0%", "80.0%", "90.0%"]);
    let decisions: Vec<&str> = v.assessments.iter().map(|p| p.decision.as_str()).collect();
    assert_eq!(decisions, ["Not certified", "Not certified", "Certified"]);
    assert_eq!(v.assessments[0].earned, "120.0");
    assert_eq!(v.assessments[2].run_digest, mar.run.digest);
    assert_eq!(v.centres_note, "", "one centre");
    assert_eq!(
        v.headline,
        "3 assessments from 2026-01 to 2026-03: overall score 60.0% → 90.0%, certified now. Since 2026-02: overall score 80.0% → 90.0% (+10.0 pp); 1 gap closed, 1 opened, 1 regression, 1 improvement; 3 KPIs better, 0 worse."
    );

    // Each criterion's status over time.
    assert_eq!(v.criteria.len(), 2);
    let x = &v.criteria[0];
    assert_eq!(x.criterion, "X");
    let cells: Vec<(&str, &str)> = x
        .cells
        .iter()
        .map(|c| (c.status.as_str(), c.score.as_str()))
        .collect();
    assert_eq!(
        cells,
        [
            ("Not met", "20.0%"),
            ("Partially met", "60.0%"),
            ("Met", "100.0%")
        ]
    );
    assert_eq!(x.latest, Movement::Improved);
    let y = &v.criteria[1];
    let statuses: Vec<&str> = y.cells.iter().map(|c| c.status.as_str()).collect();
    assert_eq!(statuses, ["Met", "Met", "Partially met"]);
    assert_eq!(y.latest, Movement::Regressed);

    // Steps, the latest first. February -> March: X closes its gap, Y opens
    // one and regresses; both KPIs with a direction got better (service
    // level 0.75 -> 0.80, cost 1.1 -> 1.0, FCR 0.74 -> 0.76).
    assert_eq!(v.steps.len(), 2);
    let last = &v.steps[0];
    assert_eq!(
        (last.from.as_str(), last.to.as_str()),
        ("2026-02", "2026-03")
    );
    assert_eq!(last.decision_change, "Not certified → Certified");
    let ids = |d: &[cxaudit_reports::compare::CriterionDelta]| -> Vec<String> {
        d.iter().map(|c| c.criterion.clone()).collect()
    };
    assert_eq!(ids(&last.gaps_closed), ["X"]);
    assert_eq!(ids(&last.gaps_opened), ["Y"]);
    assert_eq!(ids(&last.improvements), ["X"]);
    assert_eq!(ids(&last.regressions), ["Y"]);
    assert_eq!(last.kpis_better.len(), 3);
    assert!(last.kpis_worse.is_empty());
    assert_eq!(
        last.headline,
        "Overall score 80.0% → 90.0% (+10.0 pp); 1 gap closed, 1 opened, 1 regression, 1 improvement; 3 KPIs better, 0 worse."
    );
    // January -> February: X improves but its gap stays open; Y unchanged.
    let first = &v.steps[1];
    assert_eq!(
        (first.from.as_str(), first.to.as_str()),
        ("2026-01", "2026-02")
    );
    assert!(first.gaps_closed.is_empty() && first.gaps_opened.is_empty());
    assert_eq!(ids(&first.improvements), ["X"]);
    assert!(first.regressions.is_empty());

    // Service level against its target 0.78: missed, missed, met.
    let sl = &v.kpis[0];
    assert_eq!(sl.name, "service_level");
    let shown: Vec<&str> = sl.points.iter().map(|p| p.shown.as_str()).collect();
    assert_eq!(shown, ["70.0%", "75.0%", "80.0%"]);
    assert!(sl.points.iter().all(|p| p.target_shown == "≥ 78.0%"));
    let verdicts: Vec<&str> = sl.points.iter().map(|p| p.verdict).collect();
    assert_eq!(verdicts, ["missed", "missed", "met"]);
    assert_eq!(sl.note, "");
    assert_eq!(sl.source, "X; target judged in X");
    // The small chart, with the report's scale rules: shares whose maximum
    // is above 50% run from 0 to 100%. Plot area: left 58, width 300 - 74 =
    // 226, top 34, height 120. x = 58 + 10 + 206 * i / 2 = 68, 171, 274;
    // y = 34 + 120 - 120 v: 0.70 -> 70.0, 0.75 -> 64.0, 0.80 -> 58.0, and
    // the target 0.78 -> 60.4.
    assert!(
        sl.chart_svg
            .contains("points=\"68.0,70.0 171.0,64.0 274.0,58.0\""),
        "{}",
        sl.chart_svg
    );
    assert!(
        sl.chart_svg.contains(
            "points=\"68.0,60.4 171.0,60.4 274.0,60.4\" fill=\"none\" stroke=\"#c0392b\""
        ),
        "{}",
        sl.chart_svg
    );
    assert!(
        sl.chart_svg.contains("viewBox=\"0 0 300 "),
        "{}",
        sl.chart_svg
    );

    // FCR: a target only in March (from a check named like the KPI).
    let fcr = &v.kpis[1];
    let verdicts: Vec<&str> = fcr.points.iter().map(|p| p.verdict).collect();
    assert_eq!(verdicts, ["no target", "no target", "met"]);
    assert_eq!(
        fcr.note,
        "No target recorded in 2026-01, 2026-02: the target line skips them."
    );
    // The target line has one point (March), drawn as a one-point polyline.
    assert!(
        fcr.chart_svg
            .contains("points=\"274.0,64.0\" fill=\"none\" stroke=\"#c0392b\""),
        "{}",
        fcr.chart_svg
    );

    // Cost per order: no target anywhere, the line alone.
    let cost = &v.kpis[2];
    assert_eq!(
        cost.note,
        "No target is recorded for it: the line is drawn without one."
    );
    let shown: Vec<&str> = cost
        .points
        .iter()
        .map(|p| p.target_shown.as_str())
        .collect();
    assert_eq!(shown, ["none recorded"; 3]);
    assert!(
        !cost.chart_svg.contains("stroke-dasharray"),
        "{}",
        cost.chart_svg
    );
    // Not a share: 0 to 1.2, raw step 1.2 / 5 = 0.24, so the nice step is
    // 0.25 and the axis 0 to 1.25; y = 154 - 120 v / 1.25 = 154 - 96 v:
    // 1.2 -> 38.8, 1.1 -> 48.4, 1.0 -> 58.0.
    assert!(
        cost.chart_svg
            .contains("points=\"68.0,38.8 171.0,48.4 274.0,58.0\""),
        "{}",
        cost.chart_svg
    );
}

#[test]
fn refusals_name_the_files() {
    let (jan, feb) = (record(1), record(2));
    assert_eq!(
        trend::view(&[named("jan.json", &jan)]).unwrap_err(),
        TrendError::TooFew(1)
    );
    let err = trend::view(&[named("a.json", &jan), named("b.json", &jan)]).unwrap_err();
    assert!(matches!(err, TrendError::Duplicate { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("a.json and b.json are the same assessment"),
        "{err}"
    );

    let mut other = feb.clone();
    other.pack.sha256 = "0".repeat(64);
    let err = trend::view(&[
        named("jan.json", &jan),
        named("feb.json", &feb),
        named("other.json", &other),
    ])
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("jan.json used pack cx-ops-mini 1.0.0"),
        "{text}"
    );
    assert!(
        text.contains("other.json used pack cx-ops-mini 1.0.0 (sha256 0000"),
        "{text}"
    );
    assert!(text.contains("changed without a new version"), "{text}");
    other.pack.id = "other-pack".into();
    let text = trend::view(&[named("jan.json", &jan), named("other.json", &other)])
        .unwrap_err()
        .to_string();
    assert!(text.contains("other.json used pack other-pack"), "{text}");
    assert!(!text.contains("changed without"), "{text}");
}

#[test]
fn same_period_end_is_ordered_by_as_of_and_labelled_with_it() {
    let mut early = record(1);
    early.as_of = "2026-02-05".into();
    early.seal_run_digest();
    let mut late = record(2);
    late.period = record(1).period;
    late.as_of = "2026-02-20".into();
    late.seal_run_digest();
    let v = trend::view(&[named("late", &late), named("early", &early)]).unwrap();
    let labels: Vec<&str> = v.assessments.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "2026-01-31, as of 2026-02-05",
            "2026-01-31, as of 2026-02-20"
        ]
    );
    assert_eq!(v.assessments[0].score, "60.0%");

    // Same period end and as-of date (another evidence folder): numbered.
    let mut twin = late.clone();
    twin.as_of = early.as_of.clone();
    twin.run.settings[0].sha256 = "1".repeat(64);
    twin.seal_run_digest();
    let v = trend::view(&[named("early", &early), named("twin", &twin)]).unwrap();
    let labels: Vec<&str> = v.assessments.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "2026-01-31, as of 2026-02-05 (1)",
            "2026-01-31, as of 2026-02-05 (2)"
        ]
    );
}

#[test]
fn rendered_files_carry_every_digest_in_time_order_and_keep_strings_as_text() {
    let (mut jan, feb) = (record(1), record(2));
    jan.findings[0].title = XSS.into();
    jan.centre.name = XSS.into();
    jan.seal_run_digest();
    let mut mar = record(3);
    mar.centre.name = format!("Northwind {XSS}");
    mar.findings[0].title = format!("X {XSS} | *bold*");
    mar.seal_run_digest();
    let r = trend::render(
        &[named("c", &mar), named("a", &jan), named("b", &feb)],
        &Templates::embedded(),
    )
    .unwrap();
    // Three centre names (two hostile): each named, as text.
    assert!(
        r.markdown.contains("These assessments name 3 centres: \\<script>alert(1)\\</script>, Lisbon; Northwind Care, Lisbon; Northwind \\<script>"),
        "{}",
        r.markdown
    );
    let digests = cxaudit_reports::run_digest::in_trend_html(&r.html);
    assert_eq!(
        digests,
        [
            jan.run.digest.clone(),
            feb.run.digest.clone(),
            mar.run.digest.clone()
        ]
    );
    for d in [&jan.run.digest, &feb.run.digest, &mar.run.digest] {
        assert!(r.markdown.contains(&format!("`{d}`")), "{d} in trend.md");
    }
    // Same inputs, same bytes.
    let again = trend::render(
        &[named("a", &jan), named("b", &feb), named("c", &mar)],
        &Templates::embedded(),
    )
    .unwrap();
    assert_eq!(r, again);

    assert!(!r.html.contains("<script"), "no script element");
    assert!(r.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // One small chart per KPI, and the score chart.
    assert_eq!(r.html.matches("<svg").count(), 1 + 3);
    // Markdown: the title stays text, the table keeps its columns.
    assert!(
        r.markdown
            .contains("X \\<script>alert(1)\\</script> \\| \\*bold\\*"),
        "{}",
        r.markdown
    );
    assert!(
        r.markdown.contains("| Value | 70.0% | 75.0% | 80.0% |"),
        "{}",
        r.markdown
    );
    assert!(
        r.markdown
            .contains("| Against the target | missed | missed | met |"),
        "{}",
        r.markdown
    );
    assert!(r.markdown.contains("| 2026-03 | 2026-03-01 to 2026-03-31 | 2026-03-31 | Certified | 90.0% | 180.0 of 200.0 | 0 |"), "{}", r.markdown);
}

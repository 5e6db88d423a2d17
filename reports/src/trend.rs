//! Progress over several assessments of one centre against the same pack
//! (`cxaudit trend A B C ...`): decision and score per assessment, each
//! criterion's status over time, each headline KPI's line against its
//! target, and what improved and what regressed at each step; rendered as
//! `trend.md` and `trend.html` (one small SVG chart per KPI).
//!
//! The assessments are put in time order (period end, then as-of date).
//! Each step is judged with `compare`'s rules (gaps closed and opened,
//! regressions, improvements, KPI verdicts), and KPIs are read where
//! `compare` reads them ([`crate::kpi`]).

use cxaudit_model::evaluation::{Chart, ChartKind, Series};
use cxaudit_model::{Assessment, Status};
use serde::Serialize;

use crate::compare::{self, CompareError, CriterionDelta, DeltaView, KpiDelta, Movement, PackRef};
use crate::text::{pct_opt, points, with_unit};
use crate::view::PackView;
use crate::{ReportError, Templates, kpi, status_class, status_label, svg};

/// File names of a rendered trend, in the order of [`RenderedTrend::files`].
pub const TREND_FILES: [&str; 2] = ["trend.md", "trend.html"];

/// One assessment given to the trend, with the name to show in an error
/// (its file); the name never reaches the rendered files.
#[derive(Debug, Clone, Copy)]
pub struct Named<'a> {
    /// What to call it in an error, e.g. its path.
    pub name: &'a str,
    /// The record.
    pub assessment: &'a Assessment,
}

/// Why a trend cannot be drawn from the assessments given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrendError {
    /// Fewer than two assessments.
    #[error("a trend needs at least two assessments, {0} given")]
    TooFew(usize),
    /// Two assessments of different packs (or of different contents of one).
    #[error(
        "cannot build a trend: {first} used pack {first_pack}, {other} used pack {other_pack}{}; assess every one against the same pack",
        if .first_pack.id == .other_pack.id && .first_pack.version == .other_pack.version {
            " (the pack was changed without a new version)"
        } else {
            ""
        }
    )]
    DifferentPacks {
        /// The first assessment given.
        first: String,
        /// Its pack.
        first_pack: Box<PackRef>,
        /// The one whose pack differs.
        other: String,
        /// Its pack.
        other_pack: Box<PackRef>,
    },
    /// A record of a partial run (`assess --only`).
    #[error(
        "cannot build a trend: {name} is a partial run (only {}; omitted: {}): its omitted criteria have no result; use assessments of every criterion",
        .run.join(", "), .omitted.join(", ")
    )]
    Partial {
        /// The record.
        name: String,
        /// The criteria it ran.
        run: Vec<String>,
        /// The criteria it omitted.
        omitted: Vec<String>,
    },
    /// The same assessment (same run digest) given twice.
    #[error(
        "{first} and {other} are the same assessment (run digest {digest}); give each assessment once"
    )]
    Duplicate {
        /// The first.
        first: String,
        /// The second.
        other: String,
        /// Their run digest.
        digest: String,
    },
}

/// One assessment of the trend (a column of its tables).
#[derive(Debug, Clone, Serialize)]
pub struct PointView {
    /// Short label: the month of the period end when every assessment ends
    /// in another month, else the period end (and the as-of date when two
    /// end on the same day).
    pub label: String,
    /// Period start.
    pub period_start: String,
    /// Period end.
    pub period_end: String,
    /// As of.
    pub as_of: String,
    /// Centre.
    pub centre: String,
    /// Decision in words.
    pub decision: String,
    /// `pass` or `fail`.
    pub class: &'static str,
    /// Overall score.
    pub score: String,
    /// Points earned.
    pub earned: String,
    /// Points available.
    pub available: String,
    /// Rules that failed.
    pub failed_rules: Vec<String>,
    /// How many.
    pub failed_count: usize,
    /// When attestations and waivers decide it: the decision without them.
    pub note: String,
    /// The run digest of the assessment.
    pub run_digest: String,
}

/// A criterion's status in one assessment.
#[derive(Debug, Clone, Serialize)]
pub struct StatusCell {
    /// Status in words, or `not assessed` when the record lacks the criterion.
    pub status: String,
    /// Its class.
    pub class: &'static str,
    /// Score.
    pub score: String,
}

/// A criterion over time.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionTrend {
    /// Id.
    pub criterion: String,
    /// Title.
    pub title: String,
    /// Section.
    pub section: String,
    /// One cell per assessment, in time order.
    pub cells: Vec<StatusCell>,
    /// Since the previous assessment: `improved`, `regressed` or `unchanged`.
    pub latest: Movement,
}

/// A headline KPI in one assessment.
#[derive(Debug, Clone, Serialize)]
pub struct KpiPoint {
    /// The assessment's label.
    pub label: String,
    /// The value, when measured.
    pub value: Option<f64>,
    /// The target judged, when recorded.
    pub target: Option<f64>,
    /// The value with its unit, or `not measured`.
    pub shown: String,
    /// The target with its side (`≥ 78.0%`), or `none recorded`.
    pub target_shown: String,
    /// `met`, `missed`, `no target` or `not measured`.
    pub verdict: &'static str,
    /// `pass`, `fail` or `muted`.
    pub class: &'static str,
}

/// A headline KPI over time.
#[derive(Debug, Clone, Serialize)]
pub struct KpiTrend {
    /// Measurement name.
    pub name: String,
    /// Label.
    pub label: String,
    /// `higher is better` or `lower is better`.
    pub direction: String,
    /// The criteria it was read from.
    pub source: String,
    /// One point per assessment, in time order.
    pub points: Vec<KpiPoint>,
    /// What the chart leaves out: where no target is recorded.
    pub note: String,
    /// Its small chart: the values, and the targets as a dashed line.
    pub chart_svg: String,
}

/// What changed from one assessment to the next (`compare`'s rules).
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    /// Label of the earlier assessment.
    pub from: String,
    /// Label of the later one.
    pub to: String,
    /// Decision change in words.
    pub decision_change: String,
    /// `pass` or `fail`.
    pub decision_class: &'static str,
    /// Overall score.
    pub overall: DeltaView,
    /// One sentence.
    pub headline: String,
    /// Gaps closed.
    pub gaps_closed: Vec<CriterionDelta>,
    /// Gaps opened.
    pub gaps_opened: Vec<CriterionDelta>,
    /// Criteria that regressed.
    pub regressions: Vec<CriterionDelta>,
    /// Criteria that improved.
    pub improvements: Vec<CriterionDelta>,
    /// Headline KPIs that got better.
    pub kpis_better: Vec<KpiDelta>,
    /// Headline KPIs that got worse.
    pub kpis_worse: Vec<KpiDelta>,
}

/// Everything the trend templates receive.
#[derive(Debug, Clone, Serialize)]
pub struct TrendView {
    /// `cxaudit VERSION`.
    pub generated_by: String,
    /// Title.
    pub title: String,
    /// Centre (of the latest assessment).
    pub centre: String,
    /// Pack.
    pub pack: PackView,
    /// One sentence.
    pub headline: String,
    /// When the records name more than one centre, which (else empty).
    pub centres_note: String,
    /// How many assessments.
    pub count: usize,
    /// The assessments, in time order.
    pub assessments: Vec<PointView>,
    /// Overall score over time against the certification threshold.
    pub score_svg: String,
    /// Every criterion over time, in the latest record's order.
    pub criteria: Vec<CriterionTrend>,
    /// Every headline KPI over time.
    pub kpis: Vec<KpiTrend>,
    /// The steps, the latest first.
    pub steps: Vec<StepView>,
}

/// The assessments in time order: by period end, then as-of date (ISO
/// dates compare as text), the order given for ties.
pub fn ordered<'a>(records: &[Named<'a>]) -> Vec<Named<'a>> {
    let mut out = records.to_vec();
    out.sort_by(|a, b| {
        let key = |n: &Named| (n.assessment.period.end.clone(), n.assessment.as_of.clone());
        key(a).cmp(&key(b))
    });
    out
}

/// Refuses fewer than two records, records of another pack than the first
/// one's, and a record given twice.
fn check(records: &[Named]) -> Result<(), TrendError> {
    let Some(first) = records.first().filter(|_| records.len() >= 2) else {
        return Err(TrendError::TooFew(records.len()));
    };
    for r in records {
        if let Some(p) = r.assessment.partial() {
            return Err(TrendError::Partial {
                name: r.name.to_owned(),
                run: p.criteria.clone(),
                omitted: p.omitted.clone(),
            });
        }
    }
    for other in &records[1..] {
        compare::check_same_pack(first.assessment, other.assessment)
            .map_err(|e| refusal(first, other, e))?;
    }
    for (i, a) in records.iter().enumerate() {
        let digest = &a.assessment.run.digest;
        if let Some(b) = records[i + 1..]
            .iter()
            .find(|b| !digest.is_empty() && b.assessment.run.digest == *digest)
        {
            return Err(TrendError::Duplicate {
                first: a.name.to_owned(),
                other: b.name.to_owned(),
                digest: digest.clone(),
            });
        }
    }
    Ok(())
}

/// `compare`'s refusal of two records, naming them.
fn refusal(first: &Named, other: &Named, e: CompareError) -> TrendError {
    let (base, new) = match e {
        CompareError::DifferentPacks { base, new }
        | CompareError::DifferentPackContent { base, new } => (base, new),
        CompareError::Partial {
            which,
            run,
            omitted,
            ..
        } => {
            let name = if which == "BASE" {
                first.name
            } else {
                other.name
            };
            return TrendError::Partial {
                name: name.to_owned(),
                run,
                omitted,
            };
        }
    };
    TrendError::DifferentPacks {
        first: first.name.to_owned(),
        first_pack: base,
        other: other.name.to_owned(),
        other_pack: new,
    }
}

/// Labels of the assessments in time order (see [`PointView::label`]); a
/// label that would still repeat gets its position, `(2)`.
fn labels(records: &[&Assessment]) -> Vec<String> {
    let distinct = |f: &dyn Fn(&Assessment) -> String| {
        let mut all: Vec<String> = records.iter().map(|a| f(a)).collect();
        all.sort();
        all.dedup();
        all.len() == records.len()
    };
    let month = |a: &Assessment| a.period.end.chars().take(7).collect::<String>();
    let pick: &dyn Fn(&Assessment) -> String = if distinct(&month) {
        &month
    } else if distinct(&|a| a.period.end.clone()) {
        &|a| a.period.end.clone()
    } else {
        &|a| format!("{}, as of {}", a.period.end, a.as_of)
    };
    let plain: Vec<String> = records.iter().map(|a| pick(a)).collect();
    plain
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if plain.iter().filter(|x| *x == l).count() > 1 {
                format!("{l} ({})", i + 1)
            } else {
                l.clone()
            }
        })
        .collect()
}

fn point(a: &Assessment, label: String) -> PointView {
    let certified = a.decision.certified;
    PointView {
        label,
        period_start: a.period.start.clone(),
        period_end: a.period.end.clone(),
        as_of: a.as_of.clone(),
        centre: a.centre.name.clone(),
        decision: decision_word(certified).into(),
        class: if certified { "pass" } else { "fail" },
        score: pct_opt(a.scores.overall.score),
        earned: points(a.scores.overall.earned),
        available: points(a.scores.overall.available),
        failed_rules: a
            .decision
            .failed_rules
            .iter()
            .map(|r| format!("{}: {}", r.rule, r.detail))
            .collect(),
        failed_count: a.decision.failed_rules.len(),
        note: if certified == a.decision.certified_without_attestations {
            String::new()
        } else {
            format!(
                "with attestations and waivers; on the evidence alone {}",
                decision_word(a.decision.certified_without_attestations).to_lowercase()
            )
        },
        run_digest: a.run.digest.clone(),
    }
}

/// `s` with its first letter in lower case, to continue a sentence.
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect())
}

/// A centre's name, with its site when it has one.
fn centre_name(a: &Assessment) -> String {
    if a.centre.site.is_empty() {
        a.centre.name.clone()
    } else {
        format!("{}, {}", a.centre.name, a.centre.site)
    }
}

fn decision_word(certified: bool) -> &'static str {
    if certified {
        "Certified"
    } else {
        "Not certified"
    }
}

fn criterion_trend(records: &[&Assessment], id: &str) -> Option<CriterionTrend> {
    let latest = records.last()?.finding(id)?;
    let cells = records
        .iter()
        .map(|a| match a.finding(id) {
            Some(f) => StatusCell {
                status: status_label(f.outcome.status),
                class: status_class(f.outcome.status),
                score: pct_opt(f.outcome.score),
            },
            None => StatusCell {
                status: "not assessed".into(),
                class: status_class(Status::NotApplicable),
                score: "n/a".into(),
            },
        })
        .collect();
    let previous = records
        .len()
        .checked_sub(2)
        .and_then(|i| records[i].finding(id));
    Some(CriterionTrend {
        criterion: id.to_owned(),
        title: latest.title.clone(),
        section: latest.section.clone(),
        cells,
        latest: previous.map_or(Movement::Unchanged, |p| compare::movement(p, latest)),
    })
}

fn kpi_trend(
    records: &[&Assessment],
    labels: &[String],
    k: &cxaudit_model::HeadlineKpi,
) -> KpiTrend {
    let readings: Vec<Option<kpi::Reading>> = records
        .iter()
        .map(|a| kpi::read(a, &k.measurement))
        .collect();
    let unit = readings
        .iter()
        .rev()
        .flatten()
        .map(|r| r.unit.clone())
        .next()
        .unwrap_or_else(|| "ratio".into());
    let points: Vec<KpiPoint> = readings
        .iter()
        .zip(labels)
        .map(|(r, label)| match r {
            None => KpiPoint {
                label: label.clone(),
                value: None,
                target: None,
                shown: "not measured".into(),
                target_shown: "none recorded".into(),
                verdict: "not measured",
                class: "muted",
            },
            Some(r) => {
                let (verdict, class) = match &r.target {
                    Some(t) if t.is_met(r.value) => ("met", "pass"),
                    Some(_) => ("missed", "fail"),
                    None => ("no target", "muted"),
                };
                KpiPoint {
                    label: label.clone(),
                    value: Some(r.value),
                    target: r.target.as_ref().map(|t| t.value),
                    shown: with_unit(r.value, &r.unit),
                    target_shown: r.target.as_ref().map_or_else(
                        || "none recorded".into(),
                        |t| {
                            let side = if t.at_least { "≥" } else { "≤" };
                            format!("{side} {}", with_unit(t.value, &r.unit))
                        },
                    ),
                    verdict,
                    class,
                }
            }
        })
        .collect();
    let without: Vec<&str> = points
        .iter()
        .filter(|p| p.value.is_some() && p.target.is_none())
        .map(|p| p.label.as_str())
        .collect();
    let measured = points.iter().filter(|p| p.value.is_some()).count();
    let note = if measured == 0 {
        "No assessment measured it.".to_owned()
    } else if without.len() == measured {
        "No target is recorded for it: the line is drawn without one.".to_owned()
    } else if without.is_empty() {
        String::new()
    } else {
        format!(
            "No target recorded in {}: the target line skips {}.",
            without.join(", "),
            if without.len() == 1 { "it" } else { "them" }
        )
    };
    let (mut measured_by, mut targets_by): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    for r in readings.iter().flatten() {
        if !measured_by.contains(&r.criterion.as_str()) {
            measured_by.push(&r.criterion);
        }
        if let Some(t) = &r.target
            && !targets_by.contains(&t.criterion.as_str())
        {
            targets_by.push(&t.criterion);
        }
    }
    let mut series = vec![Series {
        name: "Value".into(),
        values: points.iter().map(|p| p.value).collect(),
    }];
    if points.iter().any(|p| p.target.is_some()) {
        series.push(Series {
            name: "Target".into(),
            values: points.iter().map(|p| p.target).collect(),
        });
    }
    let chart = Chart {
        id: k.measurement.clone(),
        title: k.label.clone(),
        kind: ChartKind::Line,
        x: labels.to_vec(),
        y: Vec::new(),
        unit,
        series,
    };
    KpiTrend {
        name: k.measurement.clone(),
        label: k.label.clone(),
        direction: if k.higher_is_better {
            "higher is better"
        } else {
            "lower is better"
        }
        .into(),
        source: match (measured_by.is_empty(), targets_by.is_empty()) {
            (true, _) => "no criterion measures it".into(),
            (false, true) => measured_by.join(", "),
            (false, false) => format!(
                "{}; target judged in {}",
                measured_by.join(", "),
                targets_by.join(", ")
            ),
        },
        points,
        note,
        chart_svg: svg::small_line(&chart),
    }
}

fn step(prev: &Named, next: &Named, from: &str, to: &str) -> Result<StepView, TrendError> {
    let c = compare::view(prev.assessment, next.assessment).map_err(|e| refusal(prev, next, e))?;
    let verdict =
        |v: &str| -> Vec<KpiDelta> { c.kpis.iter().filter(|k| k.verdict == v).cloned().collect() };
    let (kpis_better, kpis_worse) = (verdict("better"), verdict("worse"));
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let headline = format!(
        "Overall score {} → {} ({}); {} closed, {} opened, {}, {}; {} better, {} worse.",
        c.overall.base,
        c.overall.new,
        c.overall.delta,
        plural(c.gaps_closed.len(), "gap"),
        c.gaps_opened.len(),
        plural(c.regressions.len(), "regression"),
        plural(c.improvements.len(), "improvement"),
        plural(kpis_better.len(), "KPI"),
        kpis_worse.len(),
    );
    Ok(StepView {
        from: from.to_owned(),
        to: to.to_owned(),
        decision_change: c.decision_change,
        decision_class: c.decision_class,
        overall: c.overall,
        headline,
        gaps_closed: c.gaps_closed,
        gaps_opened: c.gaps_opened,
        regressions: c.regressions,
        improvements: c.improvements,
        kpis_better,
        kpis_worse,
    })
}

/// The overall score over time, with the certification threshold of each
/// assessment as the target line.
fn score_chart(records: &[&Assessment], labels: &[String]) -> String {
    svg::small_line(&Chart {
        id: "overall".into(),
        title: "Overall score".into(),
        kind: ChartKind::Line,
        x: labels.to_vec(),
        y: Vec::new(),
        unit: "ratio".into(),
        series: vec![
            Series {
                name: "Score".into(),
                values: records.iter().map(|a| a.scores.overall.score).collect(),
            },
            Series {
                name: "Certification threshold".into(),
                values: records
                    .iter()
                    .map(|a| Some(a.scoring_method.rules.certify_overall_min))
                    .collect(),
            },
        ],
    })
}

/// The trend view of `records` (any order), or why there is none.
pub fn view(records: &[Named]) -> Result<TrendView, TrendError> {
    check(records)?;
    let named = ordered(records);
    let recs: Vec<&Assessment> = named.iter().map(|n| n.assessment).collect();
    let labels = labels(&recs);
    let (first, latest) = (recs[0], recs[recs.len() - 1]);
    let mut steps = Vec::with_capacity(recs.len() - 1);
    for i in 1..recs.len() {
        steps.push(step(&named[i - 1], &named[i], &labels[i - 1], &labels[i])?);
    }
    steps.reverse();
    let last_step = &steps[0];
    let headline = format!(
        "{} assessments from {} to {}: overall score {} → {}, {} now. Since {}: {}",
        recs.len(),
        labels[0],
        labels[labels.len() - 1],
        pct_opt(first.scores.overall.score),
        pct_opt(latest.scores.overall.score),
        decision_word(latest.decision.certified).to_lowercase(),
        last_step.from,
        lower_first(&last_step.headline),
    );
    let mut centres: Vec<String> = Vec::new();
    for a in &recs {
        let c = centre_name(a);
        if !centres.contains(&c) {
            centres.push(c);
        }
    }
    let centres_note = if centres.len() > 1 {
        format!(
            "These assessments name {} centres: {}.",
            centres.len(),
            centres.join("; ")
        )
    } else {
        String::new()
    };
    Ok(TrendView {
        generated_by: format!("{} {}", latest.engine.name, latest.engine.version),
        title: format!("Assessment trend: {}", latest.centre.name),
        centre: latest.centre.name.clone(),
        pack: PackView::new(latest),
        headline,
        centres_note,
        count: recs.len(),
        assessments: recs
            .iter()
            .zip(&labels)
            .map(|(a, l)| point(a, l.clone()))
            .collect(),
        score_svg: score_chart(&recs, &labels),
        criteria: latest
            .findings
            .iter()
            .filter_map(|f| criterion_trend(&recs, &f.criterion))
            .collect(),
        kpis: latest
            .pack
            .headline_kpis
            .iter()
            .map(|k| kpi_trend(&recs, &labels, k))
            .collect(),
        steps,
    })
}

/// The rendered trend.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedTrend {
    /// `trend.md`.
    pub markdown: String,
    /// `trend.html`.
    pub html: String,
}

impl RenderedTrend {
    /// File names with their contents, as [`TREND_FILES`] names them.
    pub fn files(&self) -> [(&'static str, &str); 2] {
        [
            (TREND_FILES[0], &self.markdown),
            (TREND_FILES[1], &self.html),
        ]
    }
}

/// Why a trend could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum TrendFailure {
    /// The assessments cannot make a trend.
    #[error(transparent)]
    Refused(#[from] TrendError),
    /// Rendering failed.
    #[error(transparent)]
    Report(#[from] ReportError),
}

/// Renders `trend.md` and `trend.html`.
pub fn render(records: &[Named], templates: &Templates) -> Result<RenderedTrend, TrendFailure> {
    let v = view(records)?;
    Ok(RenderedTrend {
        markdown: templates.render("trend.md", &v)?,
        html: templates.render("trend.html", &v)?,
    })
}

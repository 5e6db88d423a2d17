//! Comparison of two assessments of one centre against the same pack
//! (`cxaudit compare BASE NEW`): decision change, score deltas overall, by
//! section and by criterion, gaps closed and opened, regressions, KPI
//! deltas; rendered as `compare.md` and `compare.html`.

use cxaudit_model::evaluation::{Chart, ChartKind, Series};
use cxaudit_model::plan::ShortestPath;
use cxaudit_model::{Assessment, Finding, HeadlineKpi, Status};
use serde::Serialize;

use crate::text::{delta_with_unit, num, pct_opt, points, pp, with_unit};
use crate::view::PackView;
use crate::{ReportError, Templates, status_class, status_label, svg};

/// Tolerance for score comparisons.
const EPSILON: f64 = 1e-9;

/// A pack as an assessment names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackRef {
    /// Id.
    pub id: String,
    /// Version.
    pub version: String,
    /// sha256 over its files.
    pub sha256: String,
}

impl PackRef {
    fn of(a: &Assessment) -> Box<Self> {
        Box::new(PackRef {
            id: a.pack.id.clone(),
            version: a.pack.version.clone(),
            sha256: a.pack.sha256.clone(),
        })
    }
}

/// `cx-ops 1.0.0 (sha256 HEX)`.
impl std::fmt::Display for PackRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} (sha256 {})", self.id, self.version, self.sha256)
    }
}

/// Why two assessments cannot be compared.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CompareError {
    /// Different pack id or version.
    #[error(
        "cannot compare: the assessments used different packs: BASE used {} {} (sha256 {}), NEW used {} {} (sha256 {}); assess both against the same pack",
        .base.id, .base.version, .base.sha256, .new.id, .new.version, .new.sha256
    )]
    DifferentPacks {
        /// The base's pack.
        base: Box<PackRef>,
        /// The new one's pack.
        new: Box<PackRef>,
    },
    /// Same id and version, different content.
    #[error(
        "cannot compare: both assessments name pack {} {}, but its content differs: BASE sha256 {}, NEW sha256 {} (the pack was changed without a new version); assess both against the same pack",
        .base.id, .base.version, .base.sha256, .new.sha256
    )]
    DifferentPackContent {
        /// The base's pack.
        base: Box<PackRef>,
        /// The new one's pack.
        new: Box<PackRef>,
    },
    /// A record of a partial run (`assess --only`): its omitted criteria
    /// have no result, so they would show as changes that did not happen.
    #[error(
        "cannot compare: {which} is a partial run (only {}; omitted: {}): it is no certification decision and its omitted criteria have no result; compare assessments of every criterion",
        .run.join(", "), .omitted.join(", ")
    )]
    Partial {
        /// `BASE` or `NEW`.
        which: &'static str,
        /// The criteria it ran.
        run: Vec<String>,
        /// The criteria it omitted.
        omitted: Vec<String>,
    },
}

/// Refuses a record of a partial run; `which` names it in the message.
pub fn check_whole(a: &Assessment, which: &'static str) -> Result<(), CompareError> {
    match a.partial() {
        Some(p) => Err(CompareError::Partial {
            which,
            run: p.criteria.clone(),
            omitted: p.omitted.clone(),
        }),
        None => Ok(()),
    }
}

/// Refuses two assessments made against different packs.
pub fn check_same_pack(base: &Assessment, new: &Assessment) -> Result<(), CompareError> {
    let (b, n) = (&base.pack, &new.pack);
    if b.id != n.id || b.version != n.version {
        return Err(CompareError::DifferentPacks {
            base: PackRef::of(base),
            new: PackRef::of(new),
        });
    }
    if b.sha256 != n.sha256 {
        return Err(CompareError::DifferentPackContent {
            base: PackRef::of(base),
            new: PackRef::of(new),
        });
    }
    Ok(())
}

/// Whether a status leaves something to close.
pub fn is_open(status: Status) -> bool {
    !matches!(status, Status::Met | Status::NotApplicable)
}

/// Order of statuses from worst to best; `None` for not applicable.
fn rank(status: Status) -> Option<u8> {
    match status {
        Status::NotApplicable => None,
        Status::InsufficientEvidence | Status::Error | Status::Manual => Some(0),
        Status::NotMet => Some(1),
        Status::PartiallyMet => Some(2),
        Status::Met => Some(3),
    }
}

/// How a criterion moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    /// Better status, or the same status with a higher score.
    Improved,
    /// Worse status, or the same status with a lower score.
    Regressed,
    /// Neither.
    Unchanged,
}

/// How a criterion moved from `b` to `n`.
pub fn movement(b: &Finding, n: &Finding) -> Movement {
    match (rank(b.outcome.status), rank(n.outcome.status)) {
        (Some(x), Some(y)) if y > x => Movement::Improved,
        (Some(x), Some(y)) if y < x => Movement::Regressed,
        _ => {
            let (sb, sn) = (
                b.outcome.score.unwrap_or(0.0),
                n.outcome.score.unwrap_or(0.0),
            );
            if b.outcome.status == n.outcome.status && sn > sb + EPSILON {
                Movement::Improved
            } else if b.outcome.status == n.outcome.status && sn + EPSILON < sb {
                Movement::Regressed
            } else {
                Movement::Unchanged
            }
        }
    }
}

/// One side of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct SideView {
    /// Centre.
    pub centre: String,
    /// Site.
    pub site: String,
    /// Period start.
    pub period_start: String,
    /// Period end.
    pub period_end: String,
    /// As of.
    pub as_of: String,
    /// Decision in words.
    pub decision: String,
    /// `pass` or `fail`.
    pub class: &'static str,
    /// Overall score.
    pub score: String,
    /// Earned.
    pub earned: String,
    /// Available.
    pub available: String,
    /// Rules that failed.
    pub failed_rules: Vec<String>,
    /// When attestations and waivers decide it: the decision without them.
    pub note: String,
    /// The run digest of the assessment.
    pub run_digest: String,
}

/// A score change.
#[derive(Debug, Clone, Serialize)]
pub struct DeltaView {
    /// Base.
    pub base: String,
    /// New.
    pub new: String,
    /// Delta.
    pub delta: String,
    /// `delta-up`, `delta-down` or `muted`.
    pub class: &'static str,
}

/// A section row.
#[derive(Debug, Clone, Serialize)]
pub struct SectionDelta {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Scores.
    pub score: DeltaView,
    /// Minimum.
    pub minimum: String,
    /// Passed before.
    pub base_passed: bool,
    /// Passed now.
    pub new_passed: bool,
}

/// A criterion row.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionDelta {
    /// Id.
    pub criterion: String,
    /// Title.
    pub title: String,
    /// Section.
    pub section: String,
    /// Status before.
    pub base_status: String,
    /// Its class.
    pub base_class: &'static str,
    /// Status now.
    pub new_status: String,
    /// Its class.
    pub new_class: &'static str,
    /// Scores.
    pub score: DeltaView,
    /// Points earned, before and now.
    pub points: DeltaView,
    /// `improved`, `regressed` or `unchanged`.
    pub movement: Movement,
}

/// A KPI row.
#[derive(Debug, Clone, Serialize)]
pub struct KpiDelta {
    /// Measurement name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Before, or `not measured`.
    pub base: String,
    /// Now, or `not measured`.
    pub new: String,
    /// Change, or `not comparable`.
    pub delta: String,
    /// Relative change.
    pub relative: String,
    /// `better`, `worse`, `unchanged` or `not comparable`.
    pub verdict: String,
    /// Class.
    pub class: &'static str,
    /// Higher is better.
    pub direction: String,
    /// The criteria it was read from.
    pub source: String,
}

/// Everything the comparison templates receive.
#[derive(Debug, Clone, Serialize)]
pub struct CompareView {
    /// `cxaudit VERSION`.
    pub generated_by: String,
    /// Title.
    pub title: String,
    /// Pack.
    pub pack: PackView,
    /// Before.
    pub base: SideView,
    /// After.
    pub new: SideView,
    /// Decision change in words.
    pub decision_change: String,
    /// `pass`, `fail` or `muted`.
    pub decision_class: &'static str,
    /// One sentence.
    pub headline: String,
    /// Overall score.
    pub overall: DeltaView,
    /// Points earned.
    pub overall_points: DeltaView,
    /// Sections.
    pub sections: Vec<SectionDelta>,
    /// Before/after chart.
    pub chart_svg: String,
    /// Every criterion.
    pub criteria: Vec<CriterionDelta>,
    /// Gaps closed.
    pub gaps_closed: Vec<CriterionDelta>,
    /// Gaps opened.
    pub gaps_opened: Vec<CriterionDelta>,
    /// Regressions.
    pub regressions: Vec<CriterionDelta>,
    /// Improvements.
    pub improvements: Vec<CriterionDelta>,
    /// KPIs.
    pub kpis: Vec<KpiDelta>,
    /// What the new assessment still needs, in a sentence.
    pub remaining: String,
    /// Criteria on the new shortest path.
    pub remaining_steps: Vec<String>,
}

fn delta(base: Option<f64>, new: Option<f64>, percent: bool) -> DeltaView {
    let fmt = |x: f64| {
        if percent {
            pct_fmt(x)
        } else {
            format!("{x:.1}")
        }
    };
    let d = match (base, new) {
        (Some(b), Some(n)) => Some(n - b),
        _ => None,
    };
    DeltaView {
        base: base.map_or_else(|| "n/a".to_owned(), fmt),
        new: new.map_or_else(|| "n/a".to_owned(), fmt),
        delta: d.map_or_else(
            || "n/a".to_owned(),
            |d| {
                if percent {
                    pp(d)
                } else if d.abs() < 0.05 {
                    "±0.0".to_owned()
                } else {
                    format!("{d:+.1}")
                }
            },
        ),
        class: match d {
            Some(d) if d > EPSILON => "delta-up",
            Some(d) if d < -EPSILON => "delta-down",
            _ => "muted",
        },
    }
}

fn pct_fmt(x: f64) -> String {
    crate::text::pct(x)
}

fn side(a: &Assessment) -> SideView {
    SideView {
        centre: a.centre.name.clone(),
        site: a.centre.site.clone(),
        period_start: a.period.start.clone(),
        period_end: a.period.end.clone(),
        as_of: a.as_of.clone(),
        decision: if a.decision.certified {
            "Certified"
        } else {
            "Not certified"
        }
        .into(),
        class: if a.decision.certified { "pass" } else { "fail" },
        score: pct_opt(a.scores.overall.score),
        earned: points(a.scores.overall.earned),
        available: points(a.scores.overall.available),
        failed_rules: a
            .decision
            .failed_rules
            .iter()
            .map(|r| format!("{}: {}", r.rule, r.detail))
            .collect(),
        note: if a.decision.certified == a.decision.certified_without_attestations {
            String::new()
        } else {
            format!(
                "with attestations and waivers; on the evidence alone {} ({})",
                if a.decision.certified_without_attestations {
                    "certified"
                } else {
                    "not certified"
                },
                pct_opt(a.scores_without_attestations.overall.score)
            )
        },
        run_digest: a.run.digest.clone(),
    }
}

fn measurement(a: &Assessment, name: &str) -> Option<(f64, String, String)> {
    crate::kpi::read(a, name).map(|r| (r.value, r.unit, r.criterion))
}

fn kpi(base: &Assessment, new: &Assessment, k: &HeadlineKpi) -> KpiDelta {
    let (name, label, higher) = (k.measurement.as_str(), k.label.as_str(), k.higher_is_better);
    let (b, n) = (measurement(base, name), measurement(new, name));
    let shown = |x: &Option<(f64, String, String)>| {
        x.as_ref()
            .map_or_else(|| "not measured".to_owned(), |(v, u, _)| with_unit(*v, u))
    };
    let mut sources: Vec<String> = [&b, &n]
        .iter()
        .filter_map(|x| x.as_ref().map(|(_, _, c)| c.clone()))
        .collect();
    sources.dedup();
    let (delta, relative, verdict, class) = match (&b, &n) {
        (Some((bv, unit, _)), Some((nv, _, _))) => {
            let d = nv - bv;
            let relative = if bv.abs() > EPSILON {
                format!("{:+.1}%", d / bv.abs() * 100.0)
            } else {
                "n/a".to_owned()
            };
            let scale = bv.abs().max(nv.abs()).max(1e-12);
            let (verdict, class) = if d.abs() <= scale * 1e-9 {
                ("unchanged", "muted")
            } else if (d > 0.0) == higher {
                ("better", "delta-up")
            } else {
                ("worse", "delta-down")
            };
            (delta_with_unit(d, unit), relative, verdict, class)
        }
        _ => (
            "not comparable".to_owned(),
            "n/a".to_owned(),
            "not comparable",
            "muted",
        ),
    };
    KpiDelta {
        name: name.to_owned(),
        label: label.to_owned(),
        base: shown(&b),
        new: shown(&n),
        delta,
        relative,
        verdict: verdict.to_owned(),
        class,
        direction: if higher {
            "higher is better"
        } else {
            "lower is better"
        }
        .to_owned(),
        source: if sources.is_empty() {
            "no criterion measures it".to_owned()
        } else {
            sources.join(", ")
        },
    }
}

/// The comparison view, or a refusal when the packs differ or either
/// record is of a partial run.
pub fn view(base: &Assessment, new: &Assessment) -> Result<CompareView, CompareError> {
    check_whole(base, "BASE")?;
    check_whole(new, "NEW")?;
    check_same_pack(base, new)?;
    let sections: Vec<SectionDelta> = new
        .scores
        .sections
        .iter()
        .map(|s| {
            let b = base.scores.sections.iter().find(|x| x.id == s.id);
            SectionDelta {
                id: s.id.clone(),
                title: s.title.clone(),
                score: delta(b.and_then(|b| b.totals.score), s.totals.score, true),
                minimum: pct_fmt(s.minimum),
                base_passed: b.is_some_and(|b| b.passed),
                new_passed: s.passed,
            }
        })
        .collect();
    let criteria: Vec<CriterionDelta> = new
        .findings
        .iter()
        .filter_map(|n| {
            let b = base.finding(&n.criterion)?;
            Some(CriterionDelta {
                criterion: n.criterion.clone(),
                title: n.title.clone(),
                section: n.section.clone(),
                base_status: status_label(b.outcome.status),
                base_class: status_class(b.outcome.status),
                new_status: status_label(n.outcome.status),
                new_class: status_class(n.outcome.status),
                score: delta(b.outcome.score, n.outcome.score, true),
                points: delta(Some(b.outcome.earned), Some(n.outcome.earned), false),
                movement: movement(b, n),
            })
        })
        .collect();
    let pick = |keep: &dyn Fn(&Finding, &Finding) -> bool| -> Vec<CriterionDelta> {
        criteria
            .iter()
            .filter(|c| {
                let (Some(b), Some(n)) = (base.finding(&c.criterion), new.finding(&c.criterion))
                else {
                    return false;
                };
                keep(b, n)
            })
            .cloned()
            .collect()
    };
    let gaps_closed = pick(&|b, n| is_open(b.outcome.status) && !is_open(n.outcome.status));
    let gaps_opened = pick(&|b, n| !is_open(b.outcome.status) && is_open(n.outcome.status));
    let regressions = pick(&|b, n| movement(b, n) == Movement::Regressed);
    let improvements = pick(&|b, n| movement(b, n) == Movement::Improved);

    let chart = Chart {
        id: "sections".into(),
        title: "Section scores, base and new, against the section minimum".into(),
        kind: ChartKind::Bar,
        x: new.scores.sections.iter().map(|s| s.id.clone()).collect(),
        y: Vec::new(),
        unit: "ratio".into(),
        series: vec![
            Series {
                name: format!("Base ({} to {})", base.period.start, base.period.end),
                values: new
                    .scores
                    .sections
                    .iter()
                    .map(|s| {
                        base.scores
                            .sections
                            .iter()
                            .find(|b| b.id == s.id)
                            .and_then(|b| b.totals.score)
                    })
                    .collect(),
            },
            Series {
                name: format!("New ({} to {})", new.period.start, new.period.end),
                values: new.scores.sections.iter().map(|s| s.totals.score).collect(),
            },
            Series {
                name: "Section minimum".into(),
                values: new
                    .scores
                    .sections
                    .iter()
                    .map(|s| Some(s.minimum))
                    .collect(),
            },
        ],
    };
    let (bc, nc) = (base.decision.certified, new.decision.certified);
    let (decision_change, decision_class) = match (bc, nc) {
        (false, true) => ("Not certified → Certified".to_owned(), "pass"),
        (true, false) => ("Certified → Not certified".to_owned(), "fail"),
        (true, true) => ("Certified, unchanged".to_owned(), "pass"),
        (false, false) => ("Not certified, unchanged".to_owned(), "fail"),
    };
    let overall = delta(base.scores.overall.score, new.scores.overall.score, true);
    let headline = format!(
        "Overall score {} → {} ({}); {} gap{} closed, {} opened, {} regression{}.",
        overall.base,
        overall.new,
        overall.delta,
        gaps_closed.len(),
        if gaps_closed.len() == 1 { "" } else { "s" },
        gaps_opened.len(),
        regressions.len(),
        if regressions.len() == 1 { "" } else { "s" },
    );
    let path = &new.improvement_plan.shortest_path;
    let (remaining, remaining_steps) = match &path {
        ShortestPath::AlreadyCertified => (
            "The new assessment certifies: no gap has to close.".to_owned(),
            Vec::new(),
        ),
        ShortestPath::NoPath { .. } => (
            "No path: even with every gap closed the new assessment would not certify.".to_owned(),
            Vec::new(),
        ),
        ShortestPath::Path { steps, result } => (
            format!(
                "To certify, the new assessment needs {} more gap{} closed, reaching {}.",
                steps.len(),
                if steps.len() == 1 { "" } else { "s" },
                pct_opt(result.overall.score)
            ),
            steps
                .iter()
                .map(|s| {
                    format!(
                        "{} {} ({} points, {})",
                        s.criterion,
                        s.title,
                        num(s.gap_points, 1),
                        s.reason
                    )
                })
                .collect(),
        ),
    };
    Ok(CompareView {
        generated_by: format!("{} {}", new.engine.name, new.engine.version),
        title: format!("Assessment comparison: {}", new.centre.name),
        pack: PackView::new(new),
        base: side(base),
        new: side(new),
        decision_change,
        decision_class,
        headline,
        overall,
        overall_points: delta(
            Some(base.scores.overall.earned),
            Some(new.scores.overall.earned),
            false,
        ),
        sections,
        chart_svg: svg::chart(&chart),
        criteria,
        gaps_closed,
        gaps_opened,
        regressions,
        improvements,
        kpis: new
            .pack
            .headline_kpis
            .iter()
            .map(|k| kpi(base, new, k))
            .collect(),
        remaining,
        remaining_steps,
    })
}

/// The rendered comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedComparison {
    /// `compare.md`.
    pub markdown: String,
    /// `compare.html`.
    pub html: String,
}

/// Why a comparison could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CompareFailure {
    /// The two cannot be compared.
    #[error(transparent)]
    Refused(#[from] CompareError),
    /// Rendering failed.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// Writing the files failed.
    #[error("{0}")]
    Output(String),
}

/// Renders `compare.md` and `compare.html`.
pub fn render(
    base: &Assessment,
    new: &Assessment,
    templates: &Templates,
) -> Result<RenderedComparison, CompareFailure> {
    let v = view(base, new)?;
    Ok(RenderedComparison {
        markdown: templates.render("compare.md", &v)?,
        html: templates.render("compare.html", &v)?,
    })
}

//! The improvement plan: ranked gaps, worklists, the shortest path and horizons.

use cxaudit_model::Assessment;
use cxaudit_model::plan::ActionSource;
use cxaudit_model::plan::{self, Horizon, Plan, ShortestPath};
use serde::Serialize;

use crate::text::{pct, pct_opt, points};
use crate::view::*;

/// A worklist (drill-down) that makes a plan item concrete.
#[derive(Debug, Clone, Serialize)]
pub struct WorklistView {
    /// Title.
    pub title: String,
    /// Anchor.
    pub anchor: String,
    /// Rows.
    pub rows: usize,
}

/// A ranked gap.
#[derive(Debug, Clone, Serialize)]
pub struct GapView {
    /// Rank.
    pub rank: usize,
    /// Criterion.
    pub criterion: String,
    /// Anchor.
    pub anchor: String,
    /// Title.
    pub title: String,
    /// Section.
    pub section: String,
    /// Status in words.
    pub status: String,
    /// CSS class.
    pub status_class: &'static str,
    /// Points to gain.
    pub gap_points: String,
    /// Effort.
    pub effort: String,
    /// Owner role.
    pub owner_role: String,
    /// Importance.
    pub importance: String,
    /// Urgency.
    pub urgency: String,
    /// Importance x urgency.
    pub priority: String,
    /// Horizon in words.
    pub horizon: String,
    /// On the shortest path.
    pub on_path: bool,
    /// Mandatory.
    pub mandatory: bool,
    /// Actions.
    pub actions: Vec<ActionView>,
    /// Worklists.
    pub worklists: Vec<WorklistView>,
}

/// A step of the shortest path.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    /// Criterion.
    pub criterion: String,
    /// Anchor.
    pub anchor: String,
    /// Title.
    pub title: String,
    /// Section.
    pub section: String,
    /// Points to gain.
    pub gap_points: String,
    /// Why.
    pub reason: String,
}

/// The shortest path.
#[derive(Debug, Clone, Serialize)]
pub struct PathView {
    /// A path exists and is not empty.
    pub exists: bool,
    /// Already certified.
    pub already: bool,
    /// No path.
    pub none: bool,
    /// Steps.
    pub steps: Vec<StepView>,
    /// Resulting overall score.
    pub result_score: String,
    /// Resulting points earned.
    pub result_earned: String,
    /// Points available.
    pub result_available: String,
    /// Points gained.
    pub gain: String,
    /// One sentence.
    pub sentence: String,
    /// Rules that fail even with every gap closed.
    pub failing: Vec<String>,
}

/// Actions due within a horizon.
#[derive(Debug, Clone, Serialize)]
pub struct HorizonView {
    /// `Within 30 days`.
    pub label: String,
    /// Actions.
    pub actions: Vec<ActionView>,
    /// Whether there are any.
    pub any: bool,
}

/// The improvement plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    /// Gaps, ranked.
    pub gaps: Vec<GapView>,
    /// Whether there are gaps.
    pub has_gaps: bool,
    /// Number of gaps.
    pub gap_count: usize,
    /// Number of actions.
    pub action_count: usize,
    /// Points to gain in all.
    pub total_gain: String,
    /// Shortest path.
    pub path: PathView,
    /// Actions by horizon.
    pub horizons: Vec<HorizonView>,
}

pub(crate) fn horizon_label(h: Horizon) -> String {
    format!("{} days", h.days())
}

pub(crate) fn plan_view(a: &Assessment, p: &Plan) -> PlanView {
    let gaps: Vec<GapView> = p
        .gaps
        .iter()
        .map(|g| {
            let worklists = a
                .finding(&g.criterion)
                .map(|f| {
                    f.drilldowns
                        .iter()
                        .filter(|d| !d.rows.is_empty())
                        .map(|d| WorklistView {
                            title: d.title.clone(),
                            anchor: format!(
                                "{}-{}",
                                anchor(&f.criterion),
                                anchor(&d.id).trim_start_matches("finding-")
                            ),
                            rows: d.rows.len(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            GapView {
                rank: g.rank,
                criterion: g.criterion.clone(),
                anchor: anchor(&g.criterion),
                title: g.title.clone(),
                section: g.section.clone(),
                status: status_label(g.status),
                status_class: status_class(g.status),
                gap_points: points(g.gap_points),
                effort: plan::effort_str(g.effort).to_owned(),
                owner_role: plan::owner_role_str(g.owner_role).to_owned(),
                importance: g.importance.as_str().to_owned(),
                urgency: g.urgency.label().to_owned(),
                priority: format!("{} × {}", g.importance.as_str(), g.urgency.label()),
                horizon: horizon_label(g.horizon),
                on_path: g.on_shortest_path,
                mandatory: g.mandatory,
                actions: g
                    .actions
                    .iter()
                    .map(|x| {
                        let mut v = action_view(
                            &x.text,
                            x.source == ActionSource::Pack,
                            plan::effort_str(x.effort),
                            plan::owner_role_str(x.owner_role),
                        );
                        v.horizon = horizon_label(x.horizon);
                        v.criterion = g.criterion.clone();
                        v.anchor = anchor(&g.criterion);
                        v
                    })
                    .collect(),
                worklists,
            }
        })
        .collect();
    let horizons = Horizon::ALL
        .iter()
        .map(|h| {
            let actions: Vec<ActionView> = gaps
                .iter()
                .zip(&p.gaps)
                .flat_map(|(gv, g)| {
                    gv.actions
                        .iter()
                        .zip(&g.actions)
                        .filter(|(_, x)| x.horizon == *h)
                        .map(|(v, _)| v.clone())
                })
                .collect();
            HorizonView {
                label: format!("Within {} days", h.days()),
                any: !actions.is_empty(),
                actions,
            }
        })
        .collect();
    let total: f64 = p.gaps.iter().map(|g| g.gap_points).sum();
    let current = &a.scores.overall;
    let path = match &p.shortest_path {
        ShortestPath::AlreadyCertified => PathView {
            exists: false,
            already: true,
            none: false,
            steps: Vec::new(),
            result_score: pct_opt(current.score),
            result_earned: points(current.earned),
            result_available: points(current.available),
            gain: points(0.0),
            sentence: "The centre is certified: no gap has to close for certification. The plan below raises the score further.".into(),
            failing: Vec::new(),
        },
        ShortestPath::NoPath { failing } => PathView {
            exists: false,
            already: false,
            none: true,
            steps: Vec::new(),
            result_score: pct_opt(current.score),
            result_earned: points(current.earned),
            result_available: points(current.available),
            gain: points(0.0),
            sentence: "No path: even with every gap closed the centre would not certify, because these rules would still fail.".into(),
            failing: failing.clone(),
        },
        ShortestPath::Path { steps, result } => {
            let n = steps.len();
            PathView {
                exists: true,
                already: false,
                none: false,
                steps: steps
                    .iter()
                    .map(|s| StepView {
                        criterion: s.criterion.clone(),
                        anchor: anchor(&s.criterion),
                        title: s.title.clone(),
                        section: s.section.clone(),
                        gap_points: points(s.gap_points),
                        reason: s.reason.clone(),
                    })
                    .collect(),
                result_score: pct_opt(result.overall.score),
                result_earned: points(result.overall.earned),
                result_available: points(result.overall.available),
                gain: points(result.overall.earned - current.earned),
                sentence: format!(
                    "Closing {n} gap{} (each criterion met in full) certifies the centre with an overall score of {} ({} of {} points); no smaller set of gaps does.",
                    if n == 1 { "" } else { "s" },
                    pct_opt(result.overall.score),
                    points(result.overall.earned),
                    points(result.overall.available)
                ),
                failing: Vec::new(),
            }
        }
    };
    PlanView {
        has_gaps: !gaps.is_empty(),
        gap_count: gaps.len(),
        action_count: p.gaps.iter().map(|g| g.actions.len()).sum(),
        total_gain: points(total),
        gaps,
        path,
        horizons,
    }
}

pub(crate) fn plan_rules() -> Vec<NameValue> {
    let nv = |n: &str, v: String| NameValue {
        name: n.to_owned(),
        value: v,
    };
    vec![
        nv(
            "Importance",
            format!(
                "high when the criterion is mandatory or its gap is at least {} of the overall available points; medium from {}; low below.",
                pct(plan::HIGH_IMPORTANCE_SHARE),
                pct(plan::MEDIUM_IMPORTANCE_SHARE)
            ),
        ),
        nv(
            "Urgency",
            "urgent when the gap blocks certification (a mandatory criterion not met, or a criterion in a section under its minimum) or lies on the shortest path to certification; otherwise not urgent.".into(),
        ),
        nv(
            "Rank",
            "urgent gaps first, then by importance, then by points to gain per unit of effort (low 1, medium 2, high 4), then by points to gain.".into(),
        ),
        nv(
            "Horizon",
            "30 days for low-effort actions on urgent or high-importance gaps; 60 days for medium-effort actions on urgent gaps and for other low-effort actions; 90 days for all high-effort actions and for medium-effort actions on gaps that are not urgent.".into(),
        ),
        nv(
            "Shortest path",
            "every mandatory gap; then, for each section under its minimum, its largest gaps until it passes; then the largest remaining gaps until the overall score passes. Closing a gap means the criterion met in full; the result is re-scored with the pack's rules. This choice is minimal: no smaller set of gaps certifies.".into(),
        ),
    ]
}

//! The improvement plan: the one ranking of the gaps, by importance x
//! urgency, points to gain and effort, each action given an owner role and
//! a 30/60/90-day horizon, and the shortest path to certification computed
//! exactly with [`crate::scoring`].
//!
//! The engine builds it into `assessment.json` from the record's own
//! findings and scores ([`build`]); reports and the CSV print that plan,
//! never a ranking of their own.
//!
//! # Rules
//!
//! - **Importance** of a gap: `high` when the criterion is mandatory or its
//!   gap is at least 4% of the overall available points; `medium` from 2%;
//!   `low` below.
//! - **Urgency**: `urgent` when the gap blocks certification (a mandatory
//!   criterion not met, or a criterion in a section under its minimum) or
//!   lies on the shortest path to certification; `not urgent` otherwise.
//! - **Rank**: urgent first, then importance, then points to gain per unit
//!   of effort (low 1, medium 2, high 4), then points to gain, then id.
//! - **Horizon** of an action (when it should be done): 30 days for a
//!   low-effort action on an urgent or high-importance gap; 60 days for a
//!   medium-effort action on an urgent gap and for any other low-effort
//!   action; 90 days for everything else (every high-effort action, and
//!   medium-effort actions on gaps that are not urgent). A gap's horizon is
//!   that of its earliest action.
//! - **One row per action**: a pack guidance action that a data action of
//!   the same criterion covers (at least half of the guidance's content
//!   words, simple plurals folded, appear in the data action) is merged into
//!   the data action that covers most of it: the specific action stays, the
//!   generic one is kept in its `guidance` list, and an effort or owner the
//!   data action does not state comes from the guidance. Guidance that no
//!   data action covers is its own row; of identical guidance texts the
//!   first stays.
//! - **Trigger** of an action: what made the criterion a gap, in numbers:
//!   its failed checks (measured against expected, at most three named),
//!   else its summary.
//! - **Shortest path**: the smallest set of gaps whose closing (the
//!   criterion met with full score) certifies. Every mandatory gap is in it;
//!   then, section by section, the largest gaps of a section under its
//!   minimum until it passes; then the largest remaining gaps until the
//!   overall score passes (ties: lower effort, then pack order). An
//!   exchange argument shows this is minimal: any certifying set contains
//!   the mandatory gaps and at least as many gaps of each section as the
//!   largest-first choice needs, and swapping its other members for the
//!   largest remaining gaps keeps it certifying with the same size. When
//!   closing every gap still fails a rule, there is no path.

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::assessment::{Assessment, Finding, GuidanceAction};
use crate::evaluation::{Action, Check, Effort, OwnerRole, Status};
use crate::scoring::{CriterionRule, Outcome, Scheme, Scores, ScoringRules, SectionRule};

use crate::scoring::EPSILON;

/// Share of the overall available points from which a gap is of high importance.
pub const HIGH_IMPORTANCE_SHARE: f64 = 0.04;
/// Share of the overall available points from which a gap is of medium importance.
pub const MEDIUM_IMPORTANCE_SHARE: f64 = 0.02;

/// How much a gap matters to the score and the decision.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Importance {
    /// Mandatory, or a large share of the points.
    High,
    /// A noticeable share of the points.
    Medium,
    /// A small share of the points.
    Low,
}

impl Importance {
    /// The name used in reports and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Importance::High => "high",
            Importance::Medium => "medium",
            Importance::Low => "low",
        }
    }
}

/// Whether a gap stands between the centre and certification.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Blocks certification or lies on the shortest path.
    Urgent,
    /// Points to gain, but certification does not wait on it.
    NotUrgent,
}

impl Urgency {
    /// The name used in CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Urgent => "urgent",
            Urgency::NotUrgent => "not_urgent",
        }
    }
    /// The name used in reports.
    pub fn label(self) -> &'static str {
        match self {
            Urgency::Urgent => "urgent",
            Urgency::NotUrgent => "not urgent",
        }
    }
}

/// When an action should be completed, in days from the report.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum Horizon {
    /// Within 30 days.
    #[serde(rename = "30")]
    Days30,
    /// Within 60 days.
    #[serde(rename = "60")]
    Days60,
    /// Within 90 days.
    #[serde(rename = "90")]
    Days90,
}

impl Horizon {
    /// Days.
    pub fn days(self) -> u32 {
        match self {
            Horizon::Days30 => 30,
            Horizon::Days60 => 60,
            Horizon::Days90 => 90,
        }
    }
    /// All horizons, nearest first.
    pub const ALL: [Horizon; 3] = [Horizon::Days30, Horizon::Days60, Horizon::Days90];
}

/// The horizon rule of the module documentation.
pub fn horizon(effort: Effort, urgency: Urgency, importance: Importance) -> Horizon {
    let pressing = urgency == Urgency::Urgent || importance == Importance::High;
    match effort {
        Effort::Low if pressing => Horizon::Days30,
        Effort::Low => Horizon::Days60,
        Effort::Medium if urgency == Urgency::Urgent => Horizon::Days60,
        Effort::Medium | Effort::High => Horizon::Days90,
    }
}

/// The importance rule of the module documentation.
pub fn importance(gap_points: f64, mandatory: bool, overall_available: f64) -> Importance {
    let share = if overall_available > 0.0 {
        gap_points / overall_available
    } else {
        0.0
    };
    if mandatory || share + EPSILON >= HIGH_IMPORTANCE_SHARE {
        Importance::High
    } else if share + EPSILON >= MEDIUM_IMPORTANCE_SHARE {
        Importance::Medium
    } else {
        Importance::Low
    }
}

fn effort_weight(effort: Effort) -> f64 {
    match effort {
        Effort::Low => 1.0,
        Effort::Medium => 2.0,
        Effort::High => 4.0,
    }
}

/// The name of an effort in reports and CSV.
pub fn effort_str(effort: Effort) -> &'static str {
    match effort {
        Effort::Low => "low",
        Effort::Medium => "medium",
        Effort::High => "high",
    }
}

/// The name of an owner role in reports and CSV.
pub fn owner_role_str(role: OwnerRole) -> &'static str {
    match role {
        OwnerRole::People => "people",
        OwnerRole::Process => "process",
        OwnerRole::Technology => "technology",
    }
}

/// Where an action's text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionSource {
    /// The evaluator, from the data.
    Data,
    /// The pack's guidance.
    Pack,
    /// Derived from the status when neither gives one.
    Status,
}

/// One action of a gap, with its horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlannedAction {
    /// What to do.
    pub text: String,
    /// Effort (the action's own, else the gap's).
    pub effort: Effort,
    /// Owner role (the action's own, else the gap's).
    pub owner_role: OwnerRole,
    /// When it should be done.
    pub horizon: Horizon,
    /// Where the text comes from.
    pub source: ActionSource,
    /// The pack's generic guidance this action stands for (merged into it,
    /// see the module documentation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guidance: Vec<String>,
    /// What made the criterion a gap: its failed checks, else its summary.
    #[serde(default)]
    pub trigger: String,
}

/// One gap, ranked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RankedGap {
    /// 1 = do first.
    pub rank: usize,
    /// Criterion id.
    pub criterion: String,
    /// Title.
    pub title: String,
    /// Section id.
    pub section: String,
    /// Current status.
    pub status: Status,
    /// Mandatory criterion.
    pub mandatory: bool,
    /// Blocks certification (as the record says).
    pub blocking: bool,
    /// Points to gain.
    pub gap_points: f64,
    /// Least effort among its actions.
    pub effort: Effort,
    /// Owner role of its first action.
    pub owner_role: OwnerRole,
    /// Importance.
    pub importance: Importance,
    /// Urgency.
    pub urgency: Urgency,
    /// Horizon of its earliest action.
    pub horizon: Horizon,
    /// On the shortest path to certification.
    pub on_shortest_path: bool,
    /// Actions, at least one.
    pub actions: Vec<PlannedAction>,
}

/// Why a gap is on the shortest path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PathStep {
    /// Criterion id.
    pub criterion: String,
    /// Title.
    pub title: String,
    /// Section id.
    pub section: String,
    /// Points to gain.
    pub gap_points: f64,
    /// The rule it is needed for.
    pub reason: String,
}

/// The shortest path to certification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ShortestPath {
    /// Nothing to close: the centre is certified.
    AlreadyCertified,
    /// Close these gaps and the centre certifies.
    Path {
        /// The gaps, in the order the rules need them.
        steps: Vec<PathStep>,
        /// Scores after closing them.
        result: Box<Scores>,
    },
    /// Even closing every gap fails these rules.
    NoPath {
        /// Rules that still fail with every gap closed, with their numbers.
        failing: Vec<String>,
    },
}

impl ShortestPath {
    /// The criteria on the path (empty unless a path exists).
    pub fn criteria(&self) -> BTreeSet<&str> {
        match self {
            ShortestPath::Path { steps, .. } => {
                steps.iter().map(|s| s.criterion.as_str()).collect()
            }
            _ => BTreeSet::new(),
        }
    }
}

/// The plan as reports show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    /// Gaps, ranked.
    pub gaps: Vec<RankedGap>,
    /// The shortest path to certification.
    pub shortest_path: ShortestPath,
}

/// Whether a finding is a gap: points to gain, or a mandatory criterion not met.
pub fn is_gap(f: &Finding) -> bool {
    let points_to_gain =
        f.outcome.available > 0.0 && f.outcome.earned + EPSILON < f.outcome.available;
    let mandatory_unmet =
        f.mandatory && !matches!(f.outcome.status, Status::Met | Status::NotApplicable);
    points_to_gain || mandatory_unmet
}

/// Re-scores a record from its own findings and scores (no pack needed):
/// the scheme is the record's rules, sections (with their minimums) and
/// criteria.
pub struct Rescorer<'a> {
    findings: &'a [Finding],
    scheme: Scheme,
}

impl<'a> Rescorer<'a> {
    /// The scheme of a record's findings, section scores and rules.
    pub fn new(findings: &'a [Finding], scores: &Scores, rules: &ScoringRules) -> Self {
        let scheme = Scheme {
            rules: rules.clone(),
            sections: scores
                .sections
                .iter()
                .map(|s| SectionRule {
                    id: s.id.clone(),
                    title: s.title.clone(),
                    minimum: Some(s.minimum),
                })
                .collect(),
            criteria: findings
                .iter()
                .map(|f| CriterionRule {
                    id: f.criterion.clone(),
                    title: f.title.clone(),
                    section: f.section.clone(),
                    points: f.points,
                    mandatory: f.mandatory,
                })
                .collect(),
            omitted: scores.omitted.clone(),
        };
        Rescorer { findings, scheme }
    }

    /// The rescorer of a whole record.
    pub fn of(assessment: &'a Assessment) -> Self {
        Self::new(
            &assessment.findings,
            &assessment.scores,
            &assessment.scoring_method.rules,
        )
    }

    /// Scores the given outcomes, one per finding, in finding order.
    pub fn score(&self, outcomes: &[Outcome]) -> Scores {
        self.scheme.score(outcomes)
    }

    /// Scores with the outcomes in force, except the `closed` criteria,
    /// which are met with full score.
    pub fn score_closed<S: std::borrow::Borrow<str> + Ord>(&self, closed: &BTreeSet<S>) -> Scores {
        let outcomes: Vec<Outcome> = self
            .findings
            .iter()
            .map(|f| {
                if closed.contains(f.criterion.as_str()) {
                    Outcome::new(Status::Met, Some(1.0), f.points)
                } else {
                    f.outcome
                }
            })
            .collect();
        self.scheme.score(&outcomes)
    }
}

/// Scores a record with the `closed` criteria met with full score.
pub fn rescore<S: std::borrow::Borrow<str> + Ord>(
    assessment: &Assessment,
    closed: &BTreeSet<S>,
) -> Scores {
    Rescorer::of(assessment).score_closed(closed)
}

/// Least effort of a finding's actions (evaluator's and pack's), medium if none say.
fn finding_effort(f: &Finding) -> Effort {
    f.actions
        .iter()
        .filter_map(|a| a.effort)
        .chain(f.guidance.actions.iter().map(|a| a.effort))
        .min()
        .unwrap_or(Effort::Medium)
}

/// The shortest path to certification (see the module documentation).
pub fn shortest_path(findings: &[Finding], scores: &Scores, rules: &ScoringRules) -> ShortestPath {
    let rescorer = Rescorer::new(findings, scores, rules);
    let none: BTreeSet<String> = BTreeSet::new();
    if rescorer.score_closed(&none).certified {
        return ShortestPath::AlreadyCertified;
    }
    let gaps: Vec<&Finding> = findings.iter().filter(|f| is_gap(f)).collect();
    let all: BTreeSet<&str> = gaps.iter().map(|f| f.criterion.as_str()).collect();
    let everything = rescorer.score_closed(&all);
    if !everything.certified {
        return ShortestPath::NoPath {
            failing: everything
                .failed_rules()
                .iter()
                .map(|r| format!("{}: {}", r.rule, r.detail))
                .collect(),
        };
    }

    let mut closed: BTreeSet<String> = BTreeSet::new();
    let mut steps = Vec::new();
    let mut close = |f: &Finding, reason: String, closed: &mut BTreeSet<String>| {
        closed.insert(f.criterion.clone());
        steps.push(PathStep {
            criterion: f.criterion.clone(),
            title: f.title.clone(),
            section: f.section.clone(),
            gap_points: f.outcome.available - f.outcome.earned,
            reason,
        });
    };
    // Largest gap first; ties: lower effort, then pack order.
    let pick = |closed: &BTreeSet<String>, section: Option<&str>| -> Option<&Finding> {
        let mut best: Option<&Finding> = None;
        for f in gaps.iter().copied() {
            if closed.contains(f.criterion.as_str()) || section.is_some_and(|s| s != f.section) {
                continue;
            }
            let better = match best {
                None => true,
                Some(b) => {
                    let (gf, gb) = (gap(f), gap(b));
                    gf > gb + EPSILON
                        || ((gf - gb).abs() <= EPSILON && finding_effort(f) < finding_effort(b))
                }
            };
            if better {
                best = Some(f);
            }
        }
        best
    };

    if rules.certify_mandatory_met {
        for f in &gaps {
            if f.mandatory && !matches!(f.outcome.status, Status::Met | Status::NotApplicable) {
                close(f, "mandatory criterion not met".to_owned(), &mut closed);
            }
        }
    }
    for section in &scores.sections {
        loop {
            let card = rescorer.score_closed(&closed);
            let passed = card
                .sections
                .iter()
                .find(|s| s.id == section.id)
                .is_none_or(|s| s.passed);
            if passed {
                break;
            }
            let Some(f) = pick(&closed, Some(&section.id)) else {
                break;
            };
            let reason = format!(
                "section {} below its minimum of {}",
                section.id,
                pct(section.minimum)
            );
            close(f, reason, &mut closed);
        }
    }
    loop {
        let card = rescorer.score_closed(&closed);
        if rescorer.scheme.overall_passes(&card.overall) {
            break;
        }
        let Some(f) = pick(&closed, None) else {
            break;
        };
        let reason = format!("overall score below {}", pct(rules.certify_overall_min));
        close(f, reason, &mut closed);
    }
    let result = rescorer.score_closed(&closed);
    debug_assert!(
        result.certified,
        "closing every gap certifies, so the path does"
    );
    ShortestPath::Path {
        steps,
        result: Box::new(result),
    }
}

fn gap(f: &Finding) -> f64 {
    (f.outcome.available - f.outcome.earned).max(0.0)
}

fn pct(x: f64) -> String {
    format!("{}%", (x * 1000.0).round() / 10.0)
}

/// An action of a gap before ranking, with the guidance merged into it.
struct GapAction {
    action: Action,
    source: ActionSource,
    guidance: Vec<String>,
}

/// The content words of an action's text: lower case, three letters or
/// more, not a function word, a final `s` folded (`agents` = `agent`).
fn content_words(text: &str) -> BTreeSet<String> {
    const FUNCTION_WORDS: [&str; 24] = [
        "the", "and", "for", "with", "from", "into", "onto", "that", "this", "their", "them",
        "they", "its", "each", "every", "all", "any", "are", "was", "were", "per", "than", "not",
        "who",
    ];
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 3 && !FUNCTION_WORDS.contains(&w.as_str()))
        .map(|w| match w.strip_suffix('s') {
            Some(stem) if stem.chars().count() >= 3 && !w.ends_with("ss") => stem.to_owned(),
            _ => w,
        })
        .collect()
}

/// Share of the guidance's content words found in the data action's text.
fn coverage(data: &BTreeSet<String>, guidance: &BTreeSet<String>) -> f64 {
    if guidance.is_empty() {
        return 0.0;
    }
    guidance.iter().filter(|w| data.contains(*w)).count() as f64 / guidance.len() as f64
}

/// The coverage from which a data action stands for a guidance action.
pub const MERGE_COVERAGE: f64 = 0.5;

/// The actions of a finding, one per thing to do: the evaluator's, each
/// with the pack guidance it covers merged in, then the guidance no data
/// action covers (rules in the module documentation).
fn merged_actions(data: &[Action], guidance: &[GuidanceAction]) -> Vec<GapAction> {
    let mut actions: Vec<GapAction> = data
        .iter()
        .map(|a| GapAction {
            action: a.clone(),
            source: ActionSource::Data,
            guidance: Vec::new(),
        })
        .collect();
    let data_words: Vec<BTreeSet<String>> = data.iter().map(|a| content_words(&a.text)).collect();
    for g in guidance {
        let words = content_words(&g.text);
        let best = data_words
            .iter()
            .enumerate()
            .map(|(i, d)| (i, coverage(d, &words)))
            .filter(|(_, c)| *c + EPSILON >= MERGE_COVERAGE)
            // Highest coverage; the first data action on a tie.
            .fold(None::<(usize, f64)>, |best, (i, c)| match best {
                Some((_, b)) if b + EPSILON >= c => best,
                _ => Some((i, c)),
            });
        if let Some((i, _)) = best {
            let target = &mut actions[i];
            target.action.effort = target.action.effort.or(Some(g.effort));
            target.action.owner_role = target.action.owner_role.or(Some(g.owner_role));
            target.guidance.push(g.text.clone());
            continue;
        }
        let duplicate = actions
            .iter()
            .any(|a| a.source == ActionSource::Pack && a.action.text == g.text);
        if !duplicate {
            actions.push(GapAction {
                action: Action {
                    text: g.text.clone(),
                    effort: Some(g.effort),
                    owner_role: Some(g.owner_role),
                },
                source: ActionSource::Pack,
                guidance: Vec::new(),
            });
        }
    }
    actions
}

/// What made a finding a gap: its failed checks in numbers (at most three
/// named), else its summary.
fn trigger(checks: &[Check], summary: &str) -> String {
    const NAMED: usize = 3;
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| {
            format!(
                "{}: {} (expected {})",
                c.description,
                measured_text(&c.measured),
                c.expected
            )
        })
        .collect();
    match failed.len() {
        0 => summary.to_owned(),
        n if n <= NAMED => failed.join("; "),
        n => format!(
            "{}; and {} more failed checks",
            failed[..NAMED].join("; "),
            n - NAMED
        ),
    }
}

/// A measured value as text: numbers to four decimals at most.
fn measured_text(v: &serde_json::Value) -> String {
    match v.as_f64() {
        Some(x) if v.is_f64() => {
            let s = format!("{x:.4}");
            s.trim_end_matches('0').trim_end_matches('.').to_owned()
        }
        _ => match v.as_str() {
            Some(s) => s.to_owned(),
            None => v.to_string(),
        },
    }
}

/// A gap before ranking: the finding's points to gain and its actions
/// (the evaluator's with the pack's guidance merged in, then the rest of
/// the guidance).
struct Gap<'a> {
    finding: &'a Finding,
    blocking: bool,
    actions: Vec<GapAction>,
    /// Least effort among its actions (medium when none says).
    effort: Effort,
    /// Owner role of the first action that names one (process when none does).
    owner_role: OwnerRole,
}

impl<'a> Gap<'a> {
    /// The gap of a finding with points to gain, `None` otherwise.
    fn of(f: &'a Finding, scores: &Scores) -> Option<Self> {
        let o = &f.outcome;
        if !(o.available > 0.0 && o.earned + EPSILON < o.available) {
            return None;
        }
        let section_fails = scores
            .sections
            .iter()
            .any(|s| s.id == f.section && !s.passed);
        let mandatory_gap = f.mandatory && o.status != Status::Met;
        let actions = merged_actions(&f.actions, &f.guidance.actions);
        let effort = actions
            .iter()
            .filter_map(|a| a.action.effort)
            .min()
            .unwrap_or(Effort::Medium);
        let owner_role = actions
            .iter()
            .find_map(|a| a.action.owner_role)
            .unwrap_or(OwnerRole::Process);
        Some(Gap {
            finding: f,
            blocking: mandatory_gap || section_fails,
            actions,
            effort,
            owner_role,
        })
    }

    /// An action derived from the status when neither the evaluator nor the pack gives one.
    fn status_action(&self) -> (String, Effort, OwnerRole) {
        let f = self.finding;
        let id = &f.criterion;
        match f.outcome.status {
            Status::Error => (
                format!(
                    "Correct the evaluation error of {id} (the finding names it) and re-run the assessment."
                ),
                Effort::Low,
                OwnerRole::Technology,
            ),
            Status::InsufficientEvidence => (
                format!(
                    "Supply the evidence {id} needs (the finding names what is missing) and re-run the assessment."
                ),
                Effort::Low,
                OwnerRole::Technology,
            ),
            Status::Manual => (
                format!(
                    "Have an approver judge {id} on site and record the result in attestations.toml."
                ),
                Effort::Low,
                OwnerRole::Process,
            ),
            _ => (
                format!("Meet the requirement of {id} ({}) and re-assess.", f.title),
                self.effort,
                self.owner_role,
            ),
        }
    }

    /// The gap ranked later, with urgency, importance and horizons.
    fn plan(&self, on_path: &BTreeSet<&str>, overall_available: f64) -> RankedGap {
        let f = self.finding;
        let gap_points = f.outcome.available - f.outcome.earned;
        let importance = importance(gap_points, f.mandatory, overall_available);
        let on_shortest_path = on_path.contains(f.criterion.as_str());
        let urgency = if self.blocking || on_shortest_path {
            Urgency::Urgent
        } else {
            Urgency::NotUrgent
        };
        let trigger = trigger(&f.checks, &f.summary);
        let mut actions: Vec<PlannedAction> = self
            .actions
            .iter()
            .map(|a| {
                let effort = a.action.effort.unwrap_or(self.effort);
                PlannedAction {
                    text: a.action.text.clone(),
                    effort,
                    owner_role: a.action.owner_role.unwrap_or(self.owner_role),
                    horizon: horizon(effort, urgency, importance),
                    source: a.source,
                    guidance: a.guidance.clone(),
                    trigger: trigger.clone(),
                }
            })
            .collect();
        if actions.is_empty() {
            let (text, effort, owner_role) = self.status_action();
            actions.push(PlannedAction {
                text,
                effort,
                owner_role,
                horizon: horizon(effort, urgency, importance),
                source: ActionSource::Status,
                guidance: Vec::new(),
                trigger,
            });
        }
        let effort = actions
            .iter()
            .map(|a| a.effort)
            .min()
            .unwrap_or(self.effort);
        let horizon = actions
            .iter()
            .map(|a| a.horizon)
            .min()
            .unwrap_or(Horizon::Days90);
        RankedGap {
            rank: 0,
            criterion: f.criterion.clone(),
            title: f.title.clone(),
            section: f.section.clone(),
            status: f.outcome.status,
            mandatory: f.mandatory,
            blocking: self.blocking,
            gap_points,
            effort,
            owner_role: actions.first().map_or(self.owner_role, |a| a.owner_role),
            importance,
            urgency,
            horizon,
            on_shortest_path,
            actions,
        }
    }
}

/// Builds the plan of a record's findings, scores (with attestations in
/// force) and rules.
pub fn build(findings: &[Finding], scores: &Scores, rules: &ScoringRules) -> Plan {
    let shortest = shortest_path(findings, scores, rules);
    let on_path = shortest.criteria();
    let overall_available = scores.overall.available;
    let mut gaps: Vec<RankedGap> = findings
        .iter()
        .filter_map(|f| Gap::of(f, scores))
        .map(|g| g.plan(&on_path, overall_available))
        .collect();
    gaps.sort_by(|a, b| {
        a.urgency
            .cmp(&b.urgency)
            .then(a.importance.cmp(&b.importance))
            .then(
                (b.gap_points / effort_weight(b.effort))
                    .total_cmp(&(a.gap_points / effort_weight(a.effort))),
            )
            .then(b.gap_points.total_cmp(&a.gap_points))
            .then(a.criterion.cmp(&b.criterion))
    });
    for (i, g) in gaps.iter_mut().enumerate() {
        g.rank = i + 1;
    }
    Plan {
        gaps,
        shortest_path: shortest,
    }
}

/// Totals after closing the path, or `None` when there is none.
pub fn path_result(path: &ShortestPath) -> Option<&crate::scoring::Totals> {
    match path {
        ShortestPath::Path { result, .. } => Some(&result.overall),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(text: &str) -> Action {
        Action {
            text: text.to_owned(),
            effort: None,
            owner_role: None,
        }
    }

    fn guidance(text: &str, effort: Effort) -> GuidanceAction {
        GuidanceAction {
            text: text.to_owned(),
            effort,
            owner_role: OwnerRole::Technology,
        }
    }

    fn texts(actions: &[GapAction]) -> Vec<(&str, ActionSource, usize)> {
        actions
            .iter()
            .map(|a| (a.action.text.as_str(), a.source, a.guidance.len()))
            .collect()
    }

    /// The baseline plan's duplicates: PE2's data action and the pack's
    /// "Make certification a routing prerequisite in the ACD." share every
    /// content word of the guidance (make, certification, routing,
    /// prerequisite, acd: 5 of 5), so they are one row; "Reconcile the
    /// roster with the ACD agent list." shares only `acd` and `agent` of
    /// reconcile, roster, acd, agent, list (2 of 5 < 0.5) and stays.
    #[test]
    fn guidance_a_data_action_covers_is_merged_into_it() {
        let merged = merged_actions(
            &[data(
                "Make certification a routing prerequisite: the ACD assigns live queues only to agents with a certification date.",
            )],
            &[
                guidance(
                    "Make certification a routing prerequisite in the ACD.",
                    Effort::Medium,
                ),
                guidance("Reconcile the roster with the ACD agent list.", Effort::Low),
            ],
        );
        assert_eq!(
            texts(&merged),
            [
                (
                    "Make certification a routing prerequisite: the ACD assigns live queues only to agents with a certification date.",
                    ActionSource::Data,
                    1
                ),
                (
                    "Reconcile the roster with the ACD agent list.",
                    ActionSource::Pack,
                    0
                ),
            ]
        );
        // What the data action did not say comes from the guidance.
        assert_eq!(merged[0].action.effort, Some(Effort::Medium));
        assert_eq!(merged[0].action.owner_role, Some(OwnerRole::Technology));
        assert_eq!(
            merged[0].guidance,
            ["Make certification a routing prerequisite in the ACD."]
        );
    }

    /// "Set a cost-per-order target with a baseline and owner" came twice
    /// (the evaluator's and the pack's, one `a` apart): one row.
    #[test]
    fn a_restated_action_is_one_row() {
        let merged = merged_actions(
            &[data(
                "Set a cost-per-order target with a baseline and owner.",
            )],
            &[guidance(
                "Set a cost-per-order target with baseline and owner.",
                Effort::Low,
            )],
        );
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].source, ActionSource::Data);
    }

    /// A data action's own effort wins over the guidance's; a guidance
    /// merges into the data action covering most of it; identical guidance
    /// texts not covered make one row.
    #[test]
    fn the_best_cover_takes_the_guidance_and_duplicates_collapse() {
        let mut specific = data("Coach agents on schedule adherence: A00047 (74.9%).");
        specific.effort = Some(Effort::High);
        let merged = merged_actions(
            &[data("Review schedules of agents on late shifts."), specific],
            &[
                // coach, agent, listed, below, adherence, threshold, review,
                // schedule, exception: the first covers agent, review,
                // schedule (3 of 9); the second coach, agent, adherence,
                // schedule (4 of 9): neither reaches half, so it stays.
                guidance(
                    "Coach the agents listed below the adherence threshold; review their schedules and exceptions.",
                    Effort::Low,
                ),
                // coach, agent, schedule, adherence: 1/4 and 4/4.
                guidance("Coach agents on schedule adherence.", Effort::Low),
                guidance("Publish schedules two weeks ahead.", Effort::Low),
                guidance("Publish schedules two weeks ahead.", Effort::Low),
            ],
        );
        assert_eq!(
            texts(&merged),
            [
                (
                    "Review schedules of agents on late shifts.",
                    ActionSource::Data,
                    0
                ),
                (
                    "Coach agents on schedule adherence: A00047 (74.9%).",
                    ActionSource::Data,
                    1
                ),
                (
                    "Coach the agents listed below the adherence threshold; review their schedules and exceptions.",
                    ActionSource::Pack,
                    0
                ),
                ("Publish schedules two weeks ahead.", ActionSource::Pack, 0),
            ]
        );
        assert_eq!(merged[1].action.effort, Some(Effort::High));
    }

    #[test]
    fn content_words_fold_plurals_and_drop_function_words() {
        let words: Vec<String> = content_words("The agents' queues, and every class")
            .into_iter()
            .collect();
        assert_eq!(words, ["agent", "class", "queue"]);
    }

    /// The trigger names the failed checks in numbers, three at most.
    #[test]
    fn the_trigger_is_the_failed_checks_else_the_summary() {
        let check = |id: &str, measured: f64, passed: bool| {
            Check::new(id, &format!("{id} share"), measured, ">= 0.8", passed)
        };
        assert_eq!(
            trigger(&[check("a", 0.62345678, false), check("b", 0.9, true)], "s"),
            "a share: 0.6235 (expected >= 0.8)"
        );
        let four: Vec<Check> = ["a", "b", "c", "d"]
            .iter()
            .map(|id| check(id, 0.5, false))
            .collect();
        assert_eq!(
            trigger(&four, "s"),
            "a share: 0.5 (expected >= 0.8); b share: 0.5 (expected >= 0.8); c share: 0.5 (expected >= 0.8); and 1 more failed checks"
        );
        assert_eq!(
            trigger(&[check("a", 1.0, true)], "No evidence of X."),
            "No evidence of X."
        );
    }
}

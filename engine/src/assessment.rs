//! `assessment.json`: the record of an assessment. Everything a report,
//! a comparison or an auditor's question needs, with no absolute path and
//! no wall-clock time, so the same inputs give the same bytes.

use cxaudit_plugin_sdk::{
    Action, Chart, Check, Definition, Drilldown, Effort, EvidenceRef, Measurement, OwnerRole,
    Period, Status,
};
use serde::{Deserialize, Serialize};

use crate::attestations::Override;
use crate::evidence::{Centre, InventoryEntry};
use crate::pack::{Guidance, ScoringRules};
use crate::scoring::{Outcome, RuleResult, SectionScore, Totals};

/// Version of the `assessment.json` format.
pub const SCHEMA_VERSION: &str = "1.0";

/// The engine that made an assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineInfo {
    /// `cxaudit`.
    pub name: String,
    /// Engine version.
    pub version: String,
}

/// The pack an assessment was made against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackInfo {
    /// Pack id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Version.
    pub version: String,
    /// sha256 over its files.
    pub sha256: String,
    /// Packs it extends, nearest first.
    pub extends: Vec<String>,
}

/// A plugin used by the assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginInfo {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// ABI version `major.minor`.
    pub abi_version: String,
    /// SDK version.
    pub sdk_version: String,
    /// sha256 of the library.
    pub sha256: String,
    /// The library's file name.
    pub file: String,
}

/// The scoring method, in words and as a formula.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoringMethod {
    /// In words.
    pub description: String,
    /// As a formula.
    pub formula: String,
    /// The pack's thresholds.
    pub rules: ScoringRules,
}

/// One criterion's finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Criterion id.
    pub criterion: String,
    /// Section id.
    pub section: String,
    /// Title.
    pub title: String,
    /// The requirement text (Markdown).
    pub requirement: String,
    /// Points.
    pub points: f64,
    /// Mandatory.
    pub mandatory: bool,
    /// `plugin/evaluator` or `manual`.
    pub method: String,
    /// The result in force (after any attestation or waiver).
    pub outcome: Outcome,
    /// The result from the evidence alone.
    pub evaluated: Outcome,
    /// The attestation or waiver applied, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<Override>,
    /// Error, insufficient evidence or unattested manual: the reader must look.
    pub flagged: bool,
    /// One-sentence summary.
    pub summary: String,
    /// Checks behind the score.
    pub checks: Vec<Check>,
    /// Measurements.
    pub measurements: Vec<Measurement>,
    /// Definitions used.
    pub definitions: Vec<Definition>,
    /// Parameters used.
    pub parameters: serde_json::Value,
    /// Evidence read.
    pub evidence: Vec<EvidenceRef>,
    /// Observations.
    pub observations: Vec<String>,
    /// Drill-downs.
    pub drilldowns: Vec<Drilldown>,
    /// Charts.
    pub charts: Vec<Chart>,
    /// Actions recommended from the data.
    pub actions: Vec<Action>,
    /// The pack's guidance.
    pub guidance: Guidance,
    /// References.
    pub references: Vec<String>,
}

/// Scores with or without attestations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// Overall.
    pub overall: Totals,
    /// Per section.
    pub sections: Vec<SectionScore>,
    /// Whether these scores certify.
    pub certified: bool,
    /// Every certification rule.
    pub rules: Vec<RuleResult>,
}

/// The decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Certified, with attestations and waivers in force.
    pub certified: bool,
    /// Certified on the evidence alone.
    pub certified_without_attestations: bool,
    /// Every rule that failed (with attestations).
    pub failed_rules: Vec<RuleResult>,
}

/// One gap and what closes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanItem {
    /// 1 = do first.
    pub rank: usize,
    /// Criterion id.
    pub criterion: String,
    /// Title.
    pub title: String,
    /// Section.
    pub section: String,
    /// Current status.
    pub status: Status,
    /// Mandatory criterion.
    pub mandatory: bool,
    /// Blocks certification (a mandatory criterion not met, or a criterion
    /// in a section under its minimum).
    pub blocking: bool,
    /// Points to gain by meeting it.
    pub gap_points: f64,
    /// Least effort among its actions.
    pub effort: Effort,
    /// Owner role of its first action.
    pub owner_role: OwnerRole,
    /// Actions: those computed from the data, then the pack's guidance.
    pub actions: Vec<Action>,
}

/// The whole record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// Format version.
    pub schema_version: String,
    /// Engine.
    pub engine: EngineInfo,
    /// Pack.
    pub pack: PackInfo,
    /// Centre.
    pub centre: Centre,
    /// Assessment period.
    pub period: Period,
    /// Date the assessment is made as of (attestation expiry is judged on it).
    pub as_of: String,
    /// How scores are computed.
    pub scoring_method: ScoringMethod,
    /// Every evidence file.
    pub evidence: Vec<InventoryEntry>,
    /// Plugins used.
    pub plugins: Vec<PluginInfo>,
    /// One finding per criterion, in pack order.
    pub findings: Vec<Finding>,
    /// Scores with attestations and waivers in force.
    pub scores: Scores,
    /// Scores on the evidence alone.
    pub scores_without_attestations: Scores,
    /// The decision.
    pub decision: Decision,
    /// Attestations and waivers read, applied or not.
    pub attestations: Vec<Override>,
    /// Gaps, ranked.
    pub improvement_plan: Vec<PlanItem>,
    /// Warnings about the inputs.
    pub warnings: Vec<String>,
}

impl Assessment {
    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let mut s = serde_json::to_string_pretty(self)?;
        s.push('\n');
        Ok(s)
    }

    /// A finding by criterion id.
    pub fn finding(&self, criterion: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.criterion == criterion)
    }
}

/// The scoring method of a pack, in words and formula.
pub fn scoring_method(rules: &ScoringRules) -> ScoringMethod {
    let pct = |x: f64| format!("{}%", (x * 1000.0).round() / 10.0);
    ScoringMethod {
        description: format!(
            "Each criterion's evaluator returns a score between 0 and 1. A score of at least {} is met, at least {} \
             partially met, below that not met. Points earned are the score times the criterion's points. \
             Not-applicable criteria leave the denominator; errors, insufficient evidence and manual criteria \
             without an attestation earn nothing and are flagged. Section and overall scores are points earned \
             over points available. The centre is certified when the overall score is at least {}, every section \
             reaches its minimum ({} unless the section sets its own){}. Attestations and waivers in force replace \
             the evaluated result; scores are reported with and without them.",
            pct(rules.met_from),
            pct(rules.partially_met_from),
            pct(rules.certify_overall_min),
            pct(rules.certify_section_min),
            if rules.certify_mandatory_met {
                ", and every mandatory criterion is met"
            } else {
                ""
            },
        ),
        formula: "earned_i = score_i x points_i (0 for error, insufficient_evidence, manual); \
                  available_i = points_i (0 for not_applicable); \
                  score(S) = sum_{i in S} earned_i / sum_{i in S} available_i"
            .to_owned(),
        rules: rules.clone(),
    }
}

/// Ranks the gaps of the findings into an improvement plan.
pub fn improvement_plan(findings: &[Finding], scores: &Scores) -> Vec<PlanItem> {
    let mut items: Vec<PlanItem> = findings
        .iter()
        .filter(|f| f.outcome.available > 0.0 && f.outcome.earned + 1e-9 < f.outcome.available)
        .map(|f| {
            let section_fails = scores
                .sections
                .iter()
                .any(|s| s.id == f.section && !s.passed);
            let mandatory_gap = f.mandatory && f.outcome.status != Status::Met;
            let mut actions = f.actions.clone();
            actions.extend(f.guidance.actions.iter().map(|a| Action {
                text: a.text.clone(),
                effort: Some(a.effort),
                owner_role: Some(a.owner_role),
            }));
            let effort = actions
                .iter()
                .filter_map(|a| a.effort)
                .min()
                .unwrap_or(Effort::Medium);
            let owner_role = actions
                .iter()
                .find_map(|a| a.owner_role)
                .unwrap_or(OwnerRole::Process);
            PlanItem {
                rank: 0,
                criterion: f.criterion.clone(),
                title: f.title.clone(),
                section: f.section.clone(),
                status: f.outcome.status,
                mandatory: f.mandatory,
                blocking: mandatory_gap || section_fails,
                gap_points: f.outcome.available - f.outcome.earned,
                effort,
                owner_role,
                actions,
            }
        })
        .collect();
    items.sort_by(|a, b| {
        b.blocking
            .cmp(&a.blocking)
            .then(b.gap_points.total_cmp(&a.gap_points))
            .then(a.effort.cmp(&b.effort))
            .then(a.criterion.cmp(&b.criterion))
    });
    for (i, item) in items.iter_mut().enumerate() {
        item.rank = i + 1;
    }
    items
}

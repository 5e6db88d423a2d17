//! The top of a report: pack, decision, overall score, counts, rules and sections.

use cxaudit_model::Assessment;
use serde::Serialize;

/// Pack facts shown in reports.
#[derive(Debug, Clone, Serialize)]
pub struct PackView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Version.
    pub version: String,
    /// sha256.
    pub sha256: String,
    /// Packs it extends, joined.
    pub extends: String,
    /// Whether it extends any.
    pub has_extends: bool,
}

impl PackView {
    /// The pack of an assessment.
    pub fn new(a: &Assessment) -> Self {
        PackView {
            id: a.pack.id.clone(),
            title: a.pack.title.clone(),
            version: a.pack.version.clone(),
            sha256: a.pack.sha256.clone(),
            extends: a.pack.extends.join(", "),
            has_extends: !a.pack.extends.is_empty(),
        }
    }
}

/// The decision.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionView {
    /// Certified.
    pub certified: bool,
    /// `Certified` or `Not certified`.
    pub label: String,
    /// `pass` or `fail`.
    pub class: &'static str,
    /// The decision on the evidence alone, in words.
    pub without_label: String,
    /// Whether attestations and waivers change the decision.
    pub differs: bool,
    /// One sentence (for a partial run: which criteria were run and
    /// omitted, and that it is no certification decision).
    pub statement: String,
    /// Whether the record is of a partial run (`assess --only`).
    pub partial: bool,
}

/// Overall score.
#[derive(Debug, Clone, Serialize)]
pub struct OverallView {
    /// Score.
    pub score: String,
    /// Points earned.
    pub earned: String,
    /// Points available.
    pub available: String,
    /// Points of all criteria.
    pub points: String,
    /// Threshold.
    pub threshold: String,
    /// Score on the evidence alone.
    pub without_score: String,
    /// Points earned on the evidence alone.
    pub without_earned: String,
    /// Points available on the evidence alone.
    pub without_available: String,
    /// Whether attestations and waivers change the score.
    pub differs: bool,
}

/// Count of findings of one status.
#[derive(Debug, Clone, Serialize)]
pub struct CountView {
    /// Status in words.
    pub label: String,
    /// CSS class.
    pub class: &'static str,
    /// Count.
    pub count: usize,
}

/// A certification rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    /// The rule.
    pub rule: String,
    /// Holds.
    pub passed: bool,
    /// Numbers.
    pub detail: String,
    /// Holds on the evidence alone.
    pub passed_without: bool,
}

/// A section row.
#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Score.
    pub score: String,
    /// Earned.
    pub earned: String,
    /// Available.
    pub available: String,
    /// Minimum.
    pub minimum: String,
    /// Passed.
    pub passed: bool,
    /// Score on the evidence alone.
    pub without_score: String,
    /// Criteria in it.
    pub criteria: usize,
}

//! The one scoring rule: statuses from scores, points earned, section and
//! overall scores, and the certification decision with every rule that
//! failed. The engine scores a run with it, the plan re-scores "what if"
//! with it, and plugins' test harnesses judge with it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::evaluation::Status;

/// Small tolerance for comparing shares with thresholds.
pub const EPSILON: f64 = 1e-9;

/// Scoring rules of a pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScoringRules {
    /// A score at or above this is `met`.
    pub met_from: f64,
    /// A score at or above this (and below `met_from`) is `partially_met`.
    pub partially_met_from: f64,
    /// Certification needs an overall score at or above this.
    pub certify_overall_min: f64,
    /// Certification needs every section at or above this (unless the
    /// section sets its own minimum).
    pub certify_section_min: f64,
    /// Certification needs every mandatory criterion met.
    pub certify_mandatory_met: bool,
}

impl Default for ScoringRules {
    fn default() -> Self {
        ScoringRules {
            met_from: 1.0,
            partially_met_from: 0.5,
            certify_overall_min: 0.9,
            certify_section_min: 0.75,
            certify_mandatory_met: true,
        }
    }
}

/// The status a score earns under `rules`: met from `met_from`, partially
/// met from `partially_met_from`, else not met.
pub fn status_for_score(score: f64, rules: &ScoringRules) -> Status {
    if score + EPSILON >= rules.met_from {
        Status::Met
    } else if score + EPSILON >= rules.partially_met_from {
        Status::PartiallyMet
    } else {
        Status::NotMet
    }
}

/// One criterion's outcome, as scoring sees it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Outcome {
    /// Status.
    pub status: Status,
    /// Score in [0, 1] for scored statuses.
    pub score: Option<f64>,
    /// Points in the denominator (0 when not applicable).
    pub available: f64,
    /// Points earned.
    pub earned: f64,
}

impl Outcome {
    /// The points of a criterion with `points`, given status and score.
    /// `not_applicable` leaves the denominator; `error`,
    /// `insufficient_evidence` and unattested `manual` earn 0.
    pub fn new(status: Status, score: Option<f64>, points: f64) -> Self {
        let (available, earned) = match status {
            Status::NotApplicable => (0.0, 0.0),
            Status::Met | Status::PartiallyMet | Status::NotMet => {
                (points, score.unwrap_or(0.0) * points)
            }
            Status::InsufficientEvidence | Status::Error | Status::Manual => (points, 0.0),
        };
        Outcome {
            status,
            score,
            available,
            earned,
        }
    }

    /// Whether the outcome must be flagged to the reader.
    pub fn flagged(&self) -> bool {
        matches!(
            self.status,
            Status::Error | Status::InsufficientEvidence | Status::Manual
        )
    }

    /// Points still to gain (0 when nothing is available).
    pub fn gap(&self) -> f64 {
        (self.available - self.earned).max(0.0)
    }
}

/// Points and score over a set of criteria.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Totals {
    /// Points of all criteria.
    pub points: f64,
    /// Points in the denominator.
    pub available: f64,
    /// Points earned.
    pub earned: f64,
    /// earned / available; `None` when nothing is available.
    pub score: Option<f64>,
}

impl Totals {
    fn of<'a>(items: impl Iterator<Item = (f64, &'a Outcome)>) -> Self {
        let (mut points, mut available, mut earned) = (0.0, 0.0, 0.0);
        for (p, o) in items {
            points += p;
            available += o.available;
            earned += o.earned;
        }
        let score = (available > 0.0).then(|| earned / available);
        Totals {
            points,
            available,
            earned,
            score,
        }
    }
}

/// A section's score and whether it clears its minimum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SectionScore {
    /// Section id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Totals.
    #[serde(flatten)]
    pub totals: Totals,
    /// The minimum it must reach.
    pub minimum: f64,
    /// Whether it does (a section with nothing available passes).
    pub passed: bool,
}

/// One certification rule and its result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RuleResult {
    /// The rule, in words.
    pub rule: String,
    /// Whether it holds.
    pub passed: bool,
    /// The numbers behind it.
    pub detail: String,
}

/// Scores of a whole assessment, with attestations in force or without them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Scores {
    /// Over all criteria.
    pub overall: Totals,
    /// Per section, in pack order.
    pub sections: Vec<SectionScore>,
    /// Whether these scores certify.
    pub certified: bool,
    /// Every certification rule, passed or failed.
    pub rules: Vec<RuleResult>,
    /// Criteria of the pack left out of a partial run (`assess --only`), in
    /// pack order: not scored, not counted, and the reason these scores
    /// never certify. Absent for a whole run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub omitted: Vec<String>,
}

impl Scores {
    /// The rules that failed.
    pub fn failed_rules(&self) -> Vec<&RuleResult> {
        self.rules.iter().filter(|r| !r.passed).collect()
    }
}

/// A section as scoring needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionRule {
    /// Section id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Its own minimum, when it differs from the pack's.
    pub minimum: Option<f64>,
}

/// A criterion as scoring needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionRule {
    /// Criterion id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Section id.
    pub section: String,
    /// Points.
    pub points: f64,
    /// Mandatory.
    pub mandatory: bool,
}

/// What scoring needs of a pack: its rules, sections and criteria, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Scheme {
    /// The thresholds.
    pub rules: ScoringRules,
    /// Sections, in pack order.
    pub sections: Vec<SectionRule>,
    /// Criteria, in pack order.
    pub criteria: Vec<CriterionRule>,
    /// Criteria of the pack left out of the run (`assess --only`), in pack
    /// order; none for a whole run. A run that omits any is never certified.
    pub omitted: Vec<String>,
}

/// The rule a partial run fails: only an assessment of every criterion of
/// the pack is a certification decision.
pub const WHOLE_PACK_RULE: &str =
    "Every criterion of the pack assessed (a partial run is not a certification decision)";

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_owned(), |v| format!("{:.1}%", v * 100.0))
}

impl Scheme {
    /// Whether an overall score clears the pack's overall minimum.
    pub fn overall_passes(&self, overall: &Totals) -> bool {
        overall
            .score
            .is_some_and(|v| v + EPSILON >= self.rules.certify_overall_min)
    }

    /// Scores the outcomes (one per criterion, in pack order).
    pub fn score(&self, outcomes: &[Outcome]) -> Scores {
        let rules = &self.rules;
        let pairs: Vec<(&CriterionRule, &Outcome)> = self.criteria.iter().zip(outcomes).collect();
        let sections: Vec<SectionScore> = self
            .sections
            .iter()
            .map(|s| {
                let totals = Totals::of(
                    pairs
                        .iter()
                        .filter(|(c, _)| c.section == s.id)
                        .map(|(c, o)| (c.points, *o)),
                );
                let minimum = s.minimum.unwrap_or(rules.certify_section_min);
                let passed = totals.score.is_none_or(|v| v + EPSILON >= minimum);
                SectionScore {
                    id: s.id.clone(),
                    title: s.title.clone(),
                    totals,
                    minimum,
                    passed,
                }
            })
            .collect();
        let overall = Totals::of(pairs.iter().map(|(c, o)| (c.points, *o)));

        let mut results = Vec::new();
        if !self.omitted.is_empty() {
            let run: Vec<&str> = self.criteria.iter().map(|c| c.id.as_str()).collect();
            results.push(RuleResult {
                rule: WHOLE_PACK_RULE.to_owned(),
                passed: false,
                detail: format!(
                    "partial run: {} of {} criteria run ({}); omitted, not scored: {}",
                    run.len(),
                    run.len() + self.omitted.len(),
                    run.join(", "),
                    self.omitted.join(", ")
                ),
            });
        }
        results.push(RuleResult {
            rule: format!(
                "Overall score at least {}",
                pct(Some(rules.certify_overall_min))
            ),
            passed: self.overall_passes(&overall),
            detail: format!(
                "{} ({:.1} of {:.1} available points)",
                pct(overall.score),
                overall.earned,
                overall.available
            ),
        });
        for s in &sections {
            results.push(RuleResult {
                rule: format!(
                    "Section {} ({}) at least {}",
                    s.id,
                    s.title,
                    pct(Some(s.minimum))
                ),
                passed: s.passed,
                detail: format!(
                    "{} ({:.1} of {:.1} available points)",
                    pct(s.totals.score),
                    s.totals.earned,
                    s.totals.available
                ),
            });
        }
        if rules.certify_mandatory_met {
            for (c, o) in pairs.iter().filter(|(c, _)| c.mandatory) {
                let passed = matches!(o.status, Status::Met | Status::NotApplicable);
                results.push(RuleResult {
                    rule: format!("Mandatory criterion {} ({}) met", c.id, c.title),
                    passed,
                    detail: format!("{} (score {})", o.status, pct(o.score)),
                });
            }
        }
        let certified = results.iter().all(|r| r.passed);
        Scores {
            overall,
            sections,
            certified,
            rules: results,
            omitted: self.omitted.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scheme() -> Scheme {
        Scheme {
            rules: ScoringRules::default(),
            sections: vec![
                SectionRule {
                    id: "A".into(),
                    title: "A".into(),
                    minimum: None,
                },
                SectionRule {
                    id: "B".into(),
                    title: "B".into(),
                    minimum: Some(0.5),
                },
            ],
            criteria: vec![
                CriterionRule {
                    id: "A1".into(),
                    title: "a1".into(),
                    section: "A".into(),
                    points: 100.0,
                    mandatory: true,
                },
                CriterionRule {
                    id: "B1".into(),
                    title: "b1".into(),
                    section: "B".into(),
                    points: 300.0,
                    mandatory: false,
                },
            ],
            omitted: Vec::new(),
        }
    }

    #[test]
    fn statuses_follow_pack_thresholds() {
        let rules = ScoringRules {
            met_from: 0.95,
            partially_met_from: 0.5,
            ..ScoringRules::default()
        };
        assert_eq!(status_for_score(0.95, &rules), Status::Met);
        assert_eq!(status_for_score(0.94, &rules), Status::PartiallyMet);
        assert_eq!(status_for_score(0.49, &rules), Status::NotMet);
        // Default rules: 0.33 is below partially_met_from = 0.5.
        assert_eq!(
            status_for_score(0.33, &ScoringRules::default()),
            Status::NotMet
        );
    }

    #[test]
    fn not_applicable_leaves_the_denominator_and_errors_earn_nothing() {
        assert_eq!(
            Outcome::new(Status::NotApplicable, None, 100.0).available,
            0.0
        );
        let e = Outcome::new(Status::Error, None, 100.0);
        assert_eq!((e.available, e.earned), (100.0, 0.0));
        assert!(e.flagged());
        let p = Outcome::new(Status::PartiallyMet, Some(0.6), 80.0);
        assert!((p.earned - 48.0).abs() < 1e-12);
    }

    #[test]
    fn a_partial_run_never_certifies_and_names_what_it_omitted() {
        // Every criterion run is met with full score: a whole run certifies.
        let met = [
            Outcome::new(Status::Met, Some(1.0), 100.0),
            Outcome::new(Status::Met, Some(1.0), 300.0),
        ];
        assert!(scheme().score(&met).certified);
        // The same results with a criterion of the pack left out do not.
        let partial = Scheme {
            omitted: vec!["C9".into()],
            ..scheme()
        };
        let card = partial.score(&met);
        assert!(!card.certified);
        assert_eq!(card.omitted, ["C9"]);
        let failed = card.failed_rules();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].rule, WHOLE_PACK_RULE);
        assert_eq!(
            failed[0].detail,
            "partial run: 2 of 3 criteria run (A1, B1); omitted, not scored: C9"
        );
        // The omitted criterion adds nothing to any total.
        assert_eq!(card.overall, scheme().score(&met).overall);
        // Re-scoring from the record keeps the rule: no path to certify.
        let findings: Vec<crate::Finding> = Vec::new();
        let path = crate::plan::shortest_path(&findings, &card, &partial.rules);
        assert!(
            matches!(&path, crate::plan::ShortestPath::NoPath { failing } if failing[0].starts_with(WHOLE_PACK_RULE)),
            "{path:?}"
        );
    }

    #[test]
    fn sections_overall_and_mandatory_rules() {
        // A1 met (100/100); B1 partially met at 0.6 (180/300).
        // Overall 280/400 = 70% < 90%: not certified. Section B 60% >= its
        // own 50%; section A 100% >= 75%.
        let s = scheme();
        let card = s.score(&[
            Outcome::new(Status::Met, Some(1.0), 100.0),
            Outcome::new(Status::PartiallyMet, Some(0.6), 300.0),
        ]);
        assert!((card.overall.score.unwrap() - 0.7).abs() < 1e-12);
        assert!(card.sections.iter().all(|x| x.passed));
        assert!(!card.certified);
        assert_eq!(card.failed_rules().len(), 1);
        assert_eq!(card.failed_rules()[0].rule, "Overall score at least 90.0%");
        // The mandatory A1 in error fails its rule and section A.
        let card = s.score(&[
            Outcome::new(Status::Error, None, 100.0),
            Outcome::new(Status::Met, Some(1.0), 300.0),
        ]);
        let failed: Vec<&str> = card
            .failed_rules()
            .iter()
            .map(|r| r.rule.as_str())
            .collect();
        assert_eq!(
            failed,
            [
                "Overall score at least 90.0%",
                "Section A (A) at least 75.0%",
                "Mandatory criterion A1 (a1) met"
            ]
        );
    }
}

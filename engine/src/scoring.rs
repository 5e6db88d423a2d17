//! Scoring: statuses from scores, points earned, section and overall
//! scores, and the certification decision with every rule that failed.

use cxaudit_plugin_sdk::Status;
use serde::{Deserialize, Serialize};

use crate::pack::{Pack, ScoringRules};

/// Small tolerance for comparing shares with thresholds.
const EPSILON: f64 = 1e-9;

/// The status a score earns under the pack's rules.
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
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
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
}

/// Points and score over a set of criteria.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleResult {
    /// The rule, in words.
    pub rule: String,
    /// Whether it holds.
    pub passed: bool,
    /// The numbers behind it.
    pub detail: String,
}

/// Scores of a whole assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    /// Per section, in pack order.
    pub sections: Vec<SectionScore>,
    /// Over all criteria.
    pub overall: Totals,
    /// Certified or not.
    pub certified: bool,
    /// Every rule, passed or failed.
    pub rules: Vec<RuleResult>,
}

impl Scorecard {
    /// The rules that failed.
    pub fn failed_rules(&self) -> Vec<&RuleResult> {
        self.rules.iter().filter(|r| !r.passed).collect()
    }
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_owned(), |v| format!("{:.1}%", v * 100.0))
}

/// Scores the outcomes (one per criterion of the pack, in pack order).
pub fn score(pack: &Pack, outcomes: &[Outcome]) -> Scorecard {
    let rules = &pack.scoring;
    let pairs: Vec<(&crate::pack::Criterion, &Outcome)> =
        pack.criteria.iter().zip(outcomes).collect();
    let sections: Vec<SectionScore> = pack
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
    let overall_ok = overall
        .score
        .is_some_and(|v| v + EPSILON >= rules.certify_overall_min);
    results.push(RuleResult {
        rule: format!(
            "Overall score at least {}",
            pct(Some(rules.certify_overall_min))
        ),
        passed: overall_ok,
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
    Scorecard {
        sections,
        overall,
        certified,
        rules: results,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

//! Scoring a run: the pack seen as the model's scoring [`Scheme`]. The
//! rules themselves (status from score, points, sections, the decision)
//! live in [`cxaudit_model::scoring`], the one place they are written.

use cxaudit_model::Scores;
use cxaudit_model::scoring::{CriterionRule, Outcome, Scheme, SectionRule};

use crate::pack::Pack;

pub use cxaudit_model::scoring::status_for_score;

/// The scoring scheme of a pack: its rules, sections and criteria, and the
/// criteria of the whole pack a partial run left out (`omitted`, pack order).
pub fn scheme(pack: &Pack, omitted: &[String]) -> Scheme {
    Scheme {
        rules: pack.scoring.clone(),
        sections: pack
            .sections
            .iter()
            .map(|s| SectionRule {
                id: s.id.clone(),
                title: s.title.clone(),
                minimum: s.minimum,
            })
            .collect(),
        criteria: pack
            .criteria
            .iter()
            .map(|c| CriterionRule {
                id: c.id.clone(),
                title: c.title.clone(),
                section: c.section.clone(),
                points: c.points,
                mandatory: c.mandatory,
            })
            .collect(),
        omitted: omitted.to_vec(),
    }
}

/// Scores the outcomes (one per criterion of the pack, in pack order); a
/// partial run names the criteria it `omitted` (never certified).
pub fn score(pack: &Pack, omitted: &[String], outcomes: &[Outcome]) -> Scores {
    scheme(pack, omitted).score(outcomes)
}

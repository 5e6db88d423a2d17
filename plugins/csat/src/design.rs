//! Reading the survey_design document: the answer scale and the questions.
//!
//! Rule for a balanced scale (documented in CX4's definitions):
//! 1. the scale is the section under the heading `scale` of the document's
//!    words (the pack's English names, such as "Scale" or "Rating scale", or
//!    the centre's own), with its subsections; its labelled points are
//!    `N = label` items in its text
//!    (separated by commas, semicolons, full stops or lines) and table rows
//!    whose first cell is a whole number and second cell the label;
//! 2. each label is classed neutral (neither, neutral, nor, average,
//!    undecided), else negative (dissatisfied, unsatisfied, poor, bad,
//!    unhappy, terrible, disagree, negative), else positive (satisfied, good,
//!    excellent, happy, great, agree, positive), else unclassified;
//! 3. balanced = at least `scale_points` labels, none unclassified, as many
//!    negative as positive labels (at least one each), at most one neutral,
//!    and, by point number, negatives, neutral and positives in one order
//!    (the scale runs from one pole to the other).

use cxaudit_plugin_sdk::markdown::Section;
use cxaudit_plugin_sdk::vocabulary::ParsedDocument;

/// The headings of a survey design (canonical names).
pub const SCALE: &str = "scale";
/// The heading of the questions (canonical name).
pub const QUESTIONS: &str = "questions";

const NEUTRAL: [&str; 5] = ["neither", "neutral", "nor ", "average", "undecided"];
const NEGATIVE: [&str; 8] = [
    "dissatisfied",
    "unsatisfied",
    "poor",
    "bad",
    "unhappy",
    "terrible",
    "disagree",
    "negative",
];
const POSITIVE: [&str; 7] = [
    "satisfied",
    "good",
    "excellent",
    "happy",
    "great",
    "agree",
    "positive",
];

/// Polarity of a scale label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polarity {
    /// Below the midpoint.
    Negative,
    /// The midpoint.
    Neutral,
    /// Above the midpoint.
    Positive,
    /// No keyword matched.
    Unclassified,
}

impl Polarity {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Polarity::Negative => "negative",
            Polarity::Neutral => "neutral",
            Polarity::Positive => "positive",
            Polarity::Unclassified => "unclassified",
        }
    }
}

/// Classes a label by keyword (neutral first, then negative, then positive).
pub fn polarity(label: &str) -> Polarity {
    let l = format!("{} ", label.to_lowercase());
    if NEUTRAL.iter().any(|w| l.contains(w)) {
        Polarity::Neutral
    } else if NEGATIVE.iter().any(|w| l.contains(w)) {
        Polarity::Negative
    } else if POSITIVE.iter().any(|w| l.contains(w)) {
        Polarity::Positive
    } else {
        Polarity::Unclassified
    }
}

/// A labelled point of the scale.
#[derive(Debug, Clone, PartialEq)]
pub struct ScalePoint {
    /// Point number.
    pub point: i64,
    /// Label.
    pub label: String,
    /// Its polarity.
    pub polarity: Polarity,
}

/// The scale as found, and the verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleFinding {
    /// Heading of the scale section, when found.
    pub heading: Option<String>,
    /// Labelled points, by point number.
    pub points: Vec<ScalePoint>,
    /// Whether the scale is balanced by the rule.
    pub balanced: bool,
    /// Why (one sentence).
    pub reason: String,
}

fn parse_point(chunk: &str) -> Option<(i64, String)> {
    let (left, right) = chunk.rsplit_once('=')?;
    let number = left.split_whitespace().last()?;
    let point: i64 = number
        .trim_matches(|c: char| !c.is_ascii_digit() && c != '-')
        .parse()
        .ok()?;
    let label = right.trim().trim_end_matches('.').trim();
    (!label.is_empty()).then(|| (point, label.to_owned()))
}

fn scale_points(section: &Section) -> Vec<ScalePoint> {
    let mut found: Vec<(i64, String)> = section
        .text
        .split([',', ';', '\n', '.'])
        .filter_map(parse_point)
        .collect();
    for t in &section.tables {
        for row in &t.rows {
            let (Some(n), Some(label)) = (row.first(), row.get(1)) else {
                continue;
            };
            if let Ok(point) = n.trim().parse::<i64>() {
                found.push((point, label.trim().to_owned()));
            }
        }
    }
    found.sort_by_key(|(p, _)| *p);
    found.dedup_by_key(|(p, _)| *p);
    found
        .into_iter()
        .map(|(point, label)| ScalePoint {
            point,
            polarity: polarity(&label),
            label,
        })
        .collect()
}

/// Finds and judges the answer scale.
pub fn judge_scale(doc: &ParsedDocument, min_points: usize) -> ScaleFinding {
    let Some(section) = doc.section(SCALE) else {
        return ScaleFinding {
            heading: None,
            points: Vec::new(),
            balanced: false,
            reason: format!("no `{}` section", doc.heading_names(SCALE).label()),
        };
    };
    let heading = section.heading.clone();
    let points = scale_points(&section);
    let count = |p: Polarity| points.iter().filter(|x| x.polarity == p).count();
    let (neg, neu, pos, unc) = (
        count(Polarity::Negative),
        count(Polarity::Neutral),
        count(Polarity::Positive),
        count(Polarity::Unclassified),
    );
    let rank = |p: Polarity| match p {
        Polarity::Negative => -1,
        Polarity::Neutral => 0,
        _ => 1,
    };
    let ranks: Vec<i32> = points.iter().map(|p| rank(p.polarity)).collect();
    let ordered = ranks.windows(2).all(|w| w[0] <= w[1]) || ranks.windows(2).all(|w| w[0] >= w[1]);
    let reason = if points.len() < min_points {
        format!(
            "{} labelled points, at least {min_points} needed",
            points.len()
        )
    } else if unc > 0 {
        let labels: Vec<&str> = points
            .iter()
            .filter(|p| p.polarity == Polarity::Unclassified)
            .map(|p| p.label.as_str())
            .collect();
        format!(
            "labels not classifiable as negative, neutral or positive: {}",
            labels.join(", ")
        )
    } else if neg != pos || neg == 0 {
        format!("{neg} negative vs {pos} positive labels")
    } else if neu > 1 {
        format!("{neu} neutral labels")
    } else if !ordered {
        "labels do not run from one pole to the other".into()
    } else {
        String::new()
    };
    let balanced = reason.is_empty();
    ScaleFinding {
        heading: Some(heading),
        points,
        balanced,
        reason: if balanced {
            format!("{neg} negative, {neu} neutral, {pos} positive labels")
        } else {
            reason
        },
    }
}

/// The lines that hold questions: every line and table row of the section
/// under the heading `questions` of the document's words, or, without such
/// a section, every line with a `?`.
pub fn question_lines(doc: &ParsedDocument) -> Vec<String> {
    let Some(full) = doc.section(QUESTIONS) else {
        let doc = &doc.markdown;
        let mut lines: Vec<String> = std::iter::once(doc.preamble.as_str())
            .chain(doc.sections.iter().map(|s| s.text.as_str()))
            .flat_map(str::lines)
            .map(str::to_owned)
            .collect();
        lines.extend(
            doc.tables()
                .flat_map(|t| t.rows.iter())
                .map(|r| r.join(" | ")),
        );
        lines.retain(|l| l.contains('?'));
        return lines;
    };
    let mut out: Vec<String> = full.text.lines().map(str::to_owned).collect();
    for t in &full.tables {
        out.extend(t.rows.iter().map(|r| r.join(" | ")));
    }
    out
}

/// The first question line containing any keyword (case-insensitive).
pub fn find_question(lines: &[String], keywords: &[String]) -> Option<String> {
    lines
        .iter()
        .find(|l| {
            let l = l.to_lowercase();
            keywords
                .iter()
                .any(|k| !k.trim().is_empty() && l.contains(&k.to_lowercase()))
        })
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cxaudit_plugin_sdk::vocabulary::{DocumentVocabulary, EMPTY};

    /// A survey design read with canonical names only.
    fn parse(text: &str) -> Result<ParsedDocument, String> {
        ParsedDocument::parse("survey.md", text, EMPTY.clone())
    }

    #[test]
    fn balanced_five_point_scale() {
        let d = parse("# Design\n## Scale\nBalanced 5-point scale: 1 = Very dissatisfied, 2 = Dissatisfied, 3 = Neither satisfied nor dissatisfied, 4 = Satisfied, 5 = Very satisfied. NPS on 0-10.\n").unwrap();
        let s = judge_scale(&d, 5);
        assert_eq!(s.points.len(), 5);
        let pol: Vec<Polarity> = s.points.iter().map(|p| p.polarity).collect();
        use Polarity::*;
        assert_eq!(pol, [Negative, Negative, Neutral, Positive, Positive]);
        assert!(s.balanced, "{}", s.reason);
    }

    #[test]
    fn poor_to_excellent_is_not_balanced() {
        // Poor (negative), Fair (unclassified), Good/Very good/Excellent (positive).
        let d = parse("## Scale\n\n1 = Poor, 2 = Fair, 3 = Good, 4 = Very good, 5 = Excellent.\n")
            .unwrap();
        let s = judge_scale(&d, 5);
        assert_eq!(s.points.len(), 5);
        assert!(!s.balanced);
        assert!(s.reason.contains("Fair"), "{}", s.reason);
        // Without the unclassified label: 1 negative vs 3 positive.
        let d = parse("## Scale\n\n| Point | Label |\n|---|---|\n| 1 | Poor |\n| 2 | Average |\n| 3 | Good |\n| 4 | Very good |\n| 5 | Excellent |\n").unwrap();
        let s = judge_scale(&d, 5);
        assert!(!s.balanced);
        assert_eq!(s.reason, "1 negative vs 3 positive labels");
    }

    #[test]
    fn questions_from_headed_section_or_question_marks() {
        let d = parse(
            "# S\n## Questions\n1. Overall, how satisfied are you?\n2. Was your issue resolved?\n",
        )
        .unwrap();
        let lines = question_lines(&d);
        assert_eq!(lines.len(), 2);
        assert!(find_question(&lines, &["resolved".into()]).is_some());
        let d = parse("# S\nHow would you rate the agent? Anything else?\n\nWe send it daily.\n")
            .unwrap();
        let lines = question_lines(&d);
        assert_eq!(lines.len(), 1);
        assert!(find_question(&lines, &["overall".into()]).is_none());
    }

    #[test]
    fn the_scale_and_questions_go_by_the_documents_words() {
        // The pack's English name "Rating scale" and a centre's German
        // headings find the sections; without words, neither is found.
        let words = DocumentVocabulary::default()
            .with_heading(SCALE, ["Scale", "Rating scale"])
            .with_heading(QUESTIONS, ["Questions"])
            .map_heading(QUESTIONS, "Fragen");
        let text = "# Umfrage\n## Rating scale\n1 = Very dissatisfied, 2 = Dissatisfied, 3 = Neutral, 4 = Satisfied, 5 = Very satisfied.\n## Fragen\n1. Overall, how satisfied are you\n2. Was it resolved\n";
        let d = ParsedDocument::parse("s.md", text, words).unwrap();
        assert!(judge_scale(&d, 5).balanced);
        assert_eq!(question_lines(&d).len(), 2);
        let bare = parse(text).unwrap();
        assert_eq!(judge_scale(&bare, 5).reason, "no `Scale` section");
        assert!(question_lines(&bare).is_empty(), "no line has a `?`");
    }
}

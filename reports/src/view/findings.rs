//! One view per finding: checks, measurements, evidence, drill-downs, charts, actions.

use cxaudit_model::plan;
use cxaudit_model::{Assessment, Finding, Status};
use serde::Serialize;

use crate::DRILLDOWN_ROWS;
use crate::svg;
use crate::text::{
    self, markdown_html, markdown_inline_html, markdown_md, markdown_md_line, pct_opt, points,
};
use crate::view::*;

/// A check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckView {
    /// Id.
    pub id: String,
    /// Description.
    pub description: String,
    /// Measured.
    pub measured: String,
    /// Expected.
    pub expected: String,
    /// Passed.
    pub passed: bool,
    /// Weight.
    pub weight: String,
}

/// A measurement.
#[derive(Debug, Clone, Serialize)]
pub struct MeasurementView {
    /// Name.
    pub name: String,
    /// Value with unit.
    pub value: String,
    /// Unit.
    pub unit: String,
    /// Definition.
    pub definition: String,
}

/// An evidence reference.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRefView {
    /// Path.
    pub path: String,
    /// sha256.
    pub sha256: String,
    /// First 12 hex digits.
    pub short: String,
    /// Rows read, in words.
    pub rows: String,
}

/// A drill-down table, capped.
#[derive(Debug, Clone, Serialize)]
pub struct DrilldownView {
    /// Id.
    pub id: String,
    /// Anchor in the HTML report.
    pub anchor: String,
    /// Title.
    pub title: String,
    /// Columns (`num`: the column holds numbers).
    pub columns: Vec<CellView>,
    /// The rows shown.
    pub rows: Vec<Vec<CellView>>,
    /// Rows in the record.
    pub total_rows: usize,
    /// Rows not shown.
    pub more_rows: usize,
    /// Whether some rows are not shown.
    pub has_more: bool,
}

/// A drill-down cell.
#[derive(Debug, Clone, Serialize)]
pub struct CellView {
    /// Text.
    pub text: String,
    /// Whether it is a number (right-aligned).
    pub num: bool,
}

/// A chart.
#[derive(Debug, Clone, Serialize)]
pub struct ChartView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The SVG.
    pub svg: String,
}

/// An action.
#[derive(Debug, Clone, Serialize)]
pub struct ActionView {
    /// Plain text (evidence-derived or the pack's Markdown source).
    pub text: String,
    /// For HTML.
    pub text_html: String,
    /// For Markdown (a list item): one line.
    pub text_md: String,
    /// For a Markdown table cell (the same line).
    pub text_md_cell: String,
    /// Effort.
    pub effort: String,
    /// Owner role.
    pub owner_role: String,
    /// Horizon in words (plan actions).
    pub horizon: String,
    /// Criterion (horizon lists).
    pub criterion: String,
    /// Anchor of the criterion's finding.
    pub anchor: String,
}

/// An attestation or waiver in force on a finding.
#[derive(Debug, Clone, Serialize)]
pub struct OverrideNote {
    /// `Attested` or `Waived`.
    pub kind: String,
    /// Justification.
    pub justification: String,
    /// Approver.
    pub approver: String,
    /// Date.
    pub date: String,
    /// Expiry in words.
    pub expires: String,
    /// The evaluated status in words.
    pub evaluated_status: String,
    /// The evaluated score.
    pub evaluated_score: String,
    /// Points from the evidence alone.
    pub evaluated_points: String,
    /// What it does to the score, in a sentence.
    pub effect: String,
}

/// One finding.
#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    /// Anchor.
    pub anchor: String,
    /// Criterion id.
    pub criterion: String,
    /// Title.
    pub title: String,
    /// Section id.
    pub section: String,
    /// Section title.
    pub section_title: String,
    /// Points.
    pub points: String,
    /// Mandatory.
    pub mandatory: bool,
    /// Method.
    pub method: String,
    /// Status in words.
    pub status: String,
    /// CSS class.
    pub status_class: &'static str,
    /// Score.
    pub score: String,
    /// Earned.
    pub earned: String,
    /// Available.
    pub available: String,
    /// Flagged.
    pub flagged: bool,
    /// Why flagged.
    pub flag_reason: String,
    /// Summary.
    pub summary: String,
    /// Requirement, HTML.
    pub requirement_html: String,
    /// Requirement, Markdown (a block on lines of its own).
    pub requirement_md: String,
    /// What met looks like, HTML.
    pub guidance_met_html: String,
    /// What met looks like, Markdown on one line (it follows text).
    pub guidance_met_md: String,
    /// Whether the pack says what met looks like.
    pub has_guidance_met: bool,
    /// Attestation or waiver in force.
    pub has_override: bool,
    /// Its details (empty texts when none).
    pub override_note: OverrideNote,
    /// Checks.
    pub checks: Vec<CheckView>,
    /// Measurements.
    pub measurements: Vec<MeasurementView>,
    /// Definitions.
    pub definitions: Vec<NameValue>,
    /// Parameters.
    pub parameters: Vec<NameValue>,
    /// Evidence read.
    pub evidence: Vec<EvidenceRefView>,
    /// Observations.
    pub observations: Vec<String>,
    /// Drill-downs.
    pub drilldowns: Vec<DrilldownView>,
    /// Charts.
    pub charts: Vec<ChartView>,
    /// Actions from the data.
    pub actions: Vec<ActionView>,
    /// Actions from the pack.
    pub guidance_actions: Vec<ActionView>,
    /// References.
    pub references: Vec<String>,
}

pub(crate) fn flag_reason(status: Status) -> &'static str {
    match status {
        Status::Error => "The evaluation failed; no points are earned until it runs.",
        Status::InsufficientEvidence => {
            "The evidence needed is missing or unusable; no points are earned until it is supplied."
        }
        Status::Manual => {
            "Judged by a person, not from data; no points are earned until an attestation records the result."
        }
        _ => "",
    }
}

pub(crate) fn action_view(text: &str, from_pack: bool, effort: &str, role: &str) -> ActionView {
    // List items and table cells: the pack's Markdown on one line.
    let (text_html, text_md, text_md_cell) = if from_pack {
        let line = markdown_md_line(text);
        (markdown_inline_html(text), line.clone(), line)
    } else {
        (
            handlebars::html_escape(text),
            text::md_text(text),
            text::md_cell(text),
        )
    };
    ActionView {
        text: text.to_owned(),
        text_html,
        text_md,
        text_md_cell,
        effort: effort.to_owned(),
        owner_role: role.to_owned(),
        horizon: String::new(),
        criterion: String::new(),
        anchor: String::new(),
    }
}

pub(crate) fn finding_view(a: &Assessment, f: &Finding) -> FindingView {
    let section_title = a
        .scores
        .sections
        .iter()
        .find(|s| s.id == f.section)
        .map_or_else(String::new, |s| s.title.clone());
    let override_note = match &f.attestation {
        Some(o) => OverrideNote {
            kind: match o.kind {
                OverrideKind::Attestation => "Attested".into(),
                OverrideKind::Waiver => "Waived".into(),
            },
            justification: o.justification.clone(),
            approver: o.approver.clone(),
            date: o.date.to_string(),
            expires: o
                .expires
                .map_or_else(|| "no expiry".to_owned(), |d| format!("expires {d}")),
            evaluated_status: status_label(f.evaluated.status),
            evaluated_score: pct_opt(f.evaluated.score),
            evaluated_points: format!(
                "{} of {}",
                points(f.evaluated.earned),
                points(f.evaluated.available)
            ),
            effect: if f.outcome.status == Status::NotApplicable {
                "With it the criterion is not applicable and leaves the denominator.".to_owned()
            } else {
                format!(
                    "Score with it: {} ({} of {} points).",
                    pct_opt(f.outcome.score),
                    points(f.outcome.earned),
                    points(f.outcome.available)
                )
            },
        },
        None => OverrideNote {
            kind: String::new(),
            justification: String::new(),
            approver: String::new(),
            date: String::new(),
            expires: String::new(),
            evaluated_status: String::new(),
            evaluated_score: String::new(),
            evaluated_points: String::new(),
            effect: String::new(),
        },
    };
    let parameters = match &f.parameters {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| NameValue {
                name: k.clone(),
                value: text::value(v),
            })
            .collect(),
        serde_json::Value::Null => Vec::new(),
        other => vec![NameValue {
            name: "parameters".into(),
            value: other.to_string(),
        }],
    };
    let fanchor = anchor(&f.criterion);
    FindingView {
        anchor: fanchor.clone(),
        criterion: f.criterion.clone(),
        title: f.title.clone(),
        section: f.section.clone(),
        section_title,
        points: points(f.points),
        mandatory: f.mandatory,
        method: f.method.clone(),
        status: status_label(f.outcome.status),
        status_class: status_class(f.outcome.status),
        score: pct_opt(f.outcome.score),
        earned: points(f.outcome.earned),
        available: points(f.outcome.available),
        flagged: f.flagged,
        flag_reason: flag_reason(f.outcome.status).to_owned(),
        summary: f.summary.clone(),
        requirement_html: markdown_html(&f.requirement),
        requirement_md: markdown_md(&f.requirement),
        guidance_met_html: markdown_html(&f.guidance.met),
        guidance_met_md: markdown_md_line(&f.guidance.met),
        has_guidance_met: !f.guidance.met.trim().is_empty(),
        has_override: f.attestation.is_some(),
        override_note,
        checks: f
            .checks
            .iter()
            .map(|c| CheckView {
                id: c.id.clone(),
                description: c.description.clone(),
                measured: text::value(&c.measured),
                expected: c.expected.clone(),
                passed: c.passed,
                weight: text::num(c.weight, 2),
            })
            .collect(),
        measurements: f
            .measurements
            .iter()
            .map(|m| MeasurementView {
                name: m.name.clone(),
                value: m.value.map_or_else(
                    || "not computed".to_owned(),
                    |v| text::with_unit(v, &m.unit),
                ),
                unit: m.unit.clone(),
                definition: m.definition.clone(),
            })
            .collect(),
        definitions: f
            .definitions
            .iter()
            .map(|d| NameValue {
                name: d.term.clone(),
                value: d.text.clone(),
            })
            .collect(),
        parameters,
        evidence: f
            .evidence
            .iter()
            .map(|e| EvidenceRefView {
                path: e.path.clone(),
                sha256: e.sha256.clone(),
                short: short_hash(&e.sha256),
                rows: e
                    .rows
                    .map_or_else(|| "document".to_owned(), |r| format!("{r} rows")),
            })
            .collect(),
        observations: f.observations.clone(),
        drilldowns: f
            .drilldowns
            .iter()
            .map(|d| DrilldownView {
                id: d.id.clone(),
                anchor: format!("{fanchor}-{}", anchor(&d.id).trim_start_matches("finding-")),
                title: d.title.clone(),
                columns: d
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| CellView {
                        text: c.clone(),
                        num: !d.rows.is_empty()
                            && d.rows
                                .iter()
                                .all(|r| r.get(i).is_none_or(|v| v.is_number() || v.is_null())),
                    })
                    .collect(),
                rows: d
                    .rows
                    .iter()
                    .take(DRILLDOWN_ROWS)
                    .map(|r| {
                        let mut cells: Vec<CellView> = r
                            .iter()
                            .enumerate()
                            .map(|(i, v)| CellView {
                                text: text::value_in(v, d.unit(i)),
                                num: v.is_number(),
                            })
                            .collect();
                        let width = d.columns.len().max(cells.len());
                        cells.resize(
                            width,
                            CellView {
                                text: String::new(),
                                num: false,
                            },
                        );
                        cells
                    })
                    .collect(),
                total_rows: d.rows.len(),
                more_rows: d.rows.len().saturating_sub(DRILLDOWN_ROWS),
                has_more: d.rows.len() > DRILLDOWN_ROWS,
            })
            .collect(),
        charts: f
            .charts
            .iter()
            .map(|c| ChartView {
                id: c.id.clone(),
                title: c.title.clone(),
                svg: svg::chart(c),
            })
            .collect(),
        actions: f
            .actions
            .iter()
            .map(|x| {
                action_view(
                    &x.text,
                    false,
                    x.effort.map_or("", plan::effort_str),
                    x.owner_role.map_or("", plan::owner_role_str),
                )
            })
            .collect(),
        guidance_actions: f
            .guidance
            .actions
            .iter()
            .map(|x| {
                action_view(
                    &x.text,
                    true,
                    plan::effort_str(x.effort),
                    plan::owner_role_str(x.owner_role),
                )
            })
            .collect(),
        references: f.references.clone(),
    }
}

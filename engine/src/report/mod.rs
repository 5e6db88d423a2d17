//! Reports: `report.md`, a self-contained `report.html` and
//! `improvement-plan.csv` from an [`Assessment`], through the handlebars
//! templates of `reports/templates/` (embedded, overridable).
//!
//! The templates receive a view ([`ReportView`]) of preformatted strings.
//! Evidence-derived strings stay plain: HTML templates escape them
//! (`{{x}}`), Markdown templates escape them with `md_text` / `md_cell`.
//! Only fields named `*_html` or `svg` are inserted raw (`{{{x}}}`): SVG
//! drawn here with every text escaped, and the pack's Markdown rendered by
//! `pulldown-cmark` with raw HTML turned into text.

pub mod svg;
pub mod templates;
pub mod text;

use std::path::{Path, PathBuf};

use cxaudit_plugin_sdk::Status;
use serde::Serialize;

use crate::assessment::{Assessment, Finding};
use crate::attestations::OverrideKind;
use crate::plan::{self, Horizon, Plan, ShortestPath};

pub use templates::Templates;
use text::{markdown_html, markdown_inline_html, markdown_md, pct, pct_opt, points};

/// Drill-down tables longer than this show their first rows and say how
/// many more the record holds.
pub const DRILLDOWN_ROWS: usize = 25;

/// File names written by [`write_reports`].
pub const REPORT_FILES: [&str; 3] = ["report.md", "report.html", "improvement-plan.csv"];

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A template does not compile.
    #[error("{}: template error: {message}", file.display())]
    Template {
        /// The template file (or folder).
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A template failed while rendering.
    #[error("{template}: {message}")]
    Render {
        /// The template file name.
        template: String,
        /// What failed.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The CSV could not be written.
    #[error("improvement-plan.csv: {0}")]
    Csv(#[from] csv::Error),
}

/// The rendered files.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// `report.md`.
    pub markdown: String,
    /// `report.html`.
    pub html: String,
    /// `improvement-plan.csv`.
    pub plan_csv: String,
}

/// Renders the report files of an assessment.
pub fn render(assessment: &Assessment, templates: &Templates) -> Result<Rendered, ReportError> {
    let plan = plan::build(assessment);
    let view = ReportView::new(assessment, &plan);
    Ok(Rendered {
        markdown: templates.render("report.md", &view)?,
        html: templates.render("report.html", &view)?,
        plan_csv: plan::to_csv(&plan)?,
    })
}

/// Writes `report.md`, `report.html` and `improvement-plan.csv` into `out`
/// (created when missing), with the templates of `templates_dir` over the
/// embedded ones. Returns the paths written.
pub fn write_reports(
    assessment: &Assessment,
    out: &Path,
    templates_dir: Option<&Path>,
) -> Result<Vec<PathBuf>, ReportError> {
    let templates = Templates::load(templates_dir)?;
    let r = render(assessment, &templates)?;
    write_files(
        out,
        &[
            ("report.md", &r.markdown),
            ("report.html", &r.html),
            ("improvement-plan.csv", &r.plan_csv),
        ],
    )
}

/// Writes named files into `out`.
pub fn write_files(out: &Path, files: &[(&str, &str)]) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(out).map_err(|source| ReportError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let mut paths = Vec::new();
    for (name, content) in files {
        let path = out.join(name);
        std::fs::write(&path, content).map_err(|source| ReportError::Io {
            path: path.clone(),
            source,
        })?;
        paths.push(path);
    }
    Ok(paths)
}

/// Parses the text of an `assessment.json` (errors keep line and column).
pub fn parse_assessment(text: &str) -> Result<Assessment, serde_json::Error> {
    serde_json::from_str(text)
}

/// Reads an `assessment.json`.
pub fn read_assessment(path: &Path) -> Result<Assessment, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_assessment(&text).map_err(|e| {
        if e.line() > 0 {
            format!(
                "{}:{}:{}: not an assessment.json: {e}",
                path.display(),
                e.line(),
                e.column()
            )
        } else {
            format!("{}: not an assessment.json: {e}", path.display())
        }
    })
}

/// CSS class of a status.
pub fn status_class(status: Status) -> &'static str {
    match status {
        Status::Met => "met",
        Status::PartiallyMet => "partial",
        Status::NotMet => "notmet",
        Status::NotApplicable => "na",
        Status::InsufficientEvidence | Status::Error | Status::Manual => "flag",
    }
}

/// A status in words.
pub fn status_label(status: Status) -> String {
    text::status_label(status.as_str())
}

fn short_hash(h: &str) -> String {
    h.chars().take(12).collect()
}

fn anchor(criterion: &str) -> String {
    let safe: String = criterion
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("finding-{safe}")
}

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
    /// One sentence.
    pub statement: String,
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

/// A name and a value.
#[derive(Debug, Clone, Serialize)]
pub struct NameValue {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
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
    /// For Markdown.
    pub text_md: String,
    /// For a Markdown table cell.
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
    /// Requirement, Markdown.
    pub requirement_md: String,
    /// What met looks like, HTML.
    pub guidance_met_html: String,
    /// What met looks like, Markdown.
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

/// An attestation or waiver read.
#[derive(Debug, Clone, Serialize)]
pub struct OverrideView {
    /// Attestation or waiver.
    pub kind: String,
    /// Criterion.
    pub criterion: String,
    /// Status set.
    pub status: String,
    /// Score set.
    pub score: String,
    /// Justification.
    pub justification: String,
    /// Approver.
    pub approver: String,
    /// Date.
    pub date: String,
    /// Expiry.
    pub expires: String,
    /// Applied.
    pub applied: bool,
    /// In force, or why not.
    pub state: String,
}

/// An evidence file.
#[derive(Debug, Clone, Serialize)]
pub struct InventoryView {
    /// Table or document.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Path.
    pub path: String,
    /// sha256.
    pub sha256: String,
    /// Rows.
    pub rows: String,
    /// Status.
    pub status: String,
    /// Messages.
    pub messages: Vec<String>,
}

/// A plugin.
#[derive(Debug, Clone, Serialize)]
pub struct PluginView {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// ABI.
    pub abi_version: String,
    /// SDK.
    pub sdk_version: String,
    /// File.
    pub file: String,
    /// sha256.
    pub sha256: String,
}

/// The method.
#[derive(Debug, Clone, Serialize)]
pub struct MethodView {
    /// In words.
    pub description: String,
    /// Formula.
    pub formula: String,
    /// The formula's parts, one a line.
    pub formula_lines: Vec<String>,
    /// Thresholds.
    pub met_from: String,
    /// Partially met from.
    pub partially_met_from: String,
    /// Overall minimum.
    pub overall_min: String,
    /// Section minimum.
    pub section_min: String,
    /// Mandatory rule.
    pub mandatory_rule: String,
    /// Plan rules.
    pub plan_rules: Vec<NameValue>,
}

/// Everything the report templates receive.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    /// `cxaudit VERSION`.
    pub generated_by: String,
    /// Document title.
    pub title: String,
    /// Centre name.
    pub centre_name: String,
    /// Site.
    pub centre_site: String,
    /// Period start.
    pub period_start: String,
    /// Period end.
    pub period_end: String,
    /// As of.
    pub as_of: String,
    /// Record format.
    pub schema_version: String,
    /// Pack.
    pub pack: PackView,
    /// Decision.
    pub decision: DecisionView,
    /// Overall.
    pub overall: OverallView,
    /// Counts by status.
    pub counts: Vec<CountView>,
    /// Number of criteria.
    pub criteria_count: usize,
    /// Flagged findings.
    pub flagged_count: usize,
    /// Rules, failed first.
    pub rules: Vec<RuleView>,
    /// Section chart.
    pub section_chart_svg: String,
    /// Sections.
    pub sections: Vec<SectionView>,
    /// Findings.
    pub findings: Vec<FindingView>,
    /// Plan.
    pub plan: PlanView,
    /// Attestations and waivers read.
    pub overrides: Vec<OverrideView>,
    /// Whether any were read.
    pub has_overrides: bool,
    /// Evidence.
    pub evidence: Vec<InventoryView>,
    /// Plugins.
    pub plugins: Vec<PluginView>,
    /// Whether any plugin was used.
    pub has_plugins: bool,
    /// Method.
    pub method: MethodView,
    /// Warnings.
    pub warnings: Vec<String>,
    /// Whether there are warnings.
    pub has_warnings: bool,
    /// Drill-down cap.
    pub drilldown_rows: usize,
}

fn flag_reason(status: Status) -> &'static str {
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

fn action_view(text: &str, from_pack: bool, effort: &str, role: &str) -> ActionView {
    let (text_html, text_md) = if from_pack {
        (markdown_inline_html(text), markdown_md(text))
    } else {
        (handlebars::html_escape(text), text::md_text(text))
    };
    // In a table cell: one line, and the pack's pipes escaped.
    let text_md_cell = if from_pack {
        let mut cell = String::new();
        let mut prev = ' ';
        for c in text_md.chars() {
            match c {
                '\n' | '\r' => cell.push(' '),
                '|' if prev != '\\' => cell.push_str("\\|"),
                c => cell.push(c),
            }
            prev = c;
        }
        cell
    } else {
        text_md.clone()
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

fn horizon_label(h: Horizon) -> String {
    format!("{} days", h.days())
}

fn finding_view(a: &Assessment, f: &Finding) -> FindingView {
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
        guidance_met_md: markdown_md(&f.guidance.met),
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
                            .map(|v| CellView {
                                text: text::value(v),
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

fn plan_view(a: &Assessment, p: &Plan) -> PlanView {
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
                            x.source == "pack",
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

fn plan_rules() -> Vec<NameValue> {
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

impl ReportView {
    /// The view of an assessment and its plan.
    pub fn new(a: &Assessment, p: &Plan) -> Self {
        let rules_pct = &a.scoring_method.rules;
        let certified = a.decision.certified;
        let label = |c: bool| if c { "Certified" } else { "Not certified" }.to_owned();
        let failed = a.scores.rules.iter().filter(|r| !r.passed).count();
        let total_rules = a.scores.rules.len();
        let statement = if certified {
            format!("Certified: all {total_rules} certification rules hold.")
        } else {
            format!(
                "Not certified: {failed} of {total_rules} certification rule{} failed.",
                if total_rules == 1 { "" } else { "s" }
            )
        };
        let mut rules: Vec<RuleView> = a
            .scores
            .rules
            .iter()
            .map(|r| RuleView {
                rule: r.rule.clone(),
                passed: r.passed,
                detail: r.detail.clone(),
                passed_without: a
                    .scores_without_attestations
                    .rules
                    .iter()
                    .find(|w| w.rule == r.rule)
                    .is_none_or(|w| w.passed),
            })
            .collect();
        rules.sort_by_key(|r| r.passed);
        let without = &a.scores_without_attestations;
        let overall = &a.scores.overall;
        let statuses = [
            Status::Met,
            Status::PartiallyMet,
            Status::NotMet,
            Status::NotApplicable,
            Status::InsufficientEvidence,
            Status::Error,
            Status::Manual,
        ];
        let counts = statuses
            .iter()
            .map(|s| CountView {
                label: status_label(*s),
                class: status_class(*s),
                count: a.findings.iter().filter(|f| f.outcome.status == *s).count(),
            })
            .filter(|c| c.count > 0)
            .collect();
        let sections: Vec<SectionView> = a
            .scores
            .sections
            .iter()
            .map(|s| SectionView {
                id: s.id.clone(),
                title: s.title.clone(),
                score: pct_opt(s.totals.score),
                earned: points(s.totals.earned),
                available: points(s.totals.available),
                minimum: pct(s.minimum),
                passed: s.passed,
                without_score: without
                    .sections
                    .iter()
                    .find(|w| w.id == s.id)
                    .map_or_else(|| "n/a".to_owned(), |w| pct_opt(w.totals.score)),
                criteria: a.findings.iter().filter(|f| f.section == s.id).count(),
            })
            .collect();
        let bars: Vec<svg::SectionBar> = a
            .scores
            .sections
            .iter()
            .map(|s| svg::SectionBar {
                label: format!("{} {}", s.id, s.title),
                score: s.totals.score,
                minimum: s.minimum,
                passed: s.passed,
            })
            .collect();
        let overall_bar = svg::SectionBar {
            label: "Overall".into(),
            score: overall.score,
            minimum: rules_pct.certify_overall_min,
            passed: overall
                .score
                .is_some_and(|v| v + 1e-9 >= rules_pct.certify_overall_min),
        };
        let section_chart_svg = svg::sections(
            &bars,
            &overall_bar,
            "Scores by section against their minimums",
        );
        let overrides = a
            .attestations
            .iter()
            .map(|o| OverrideView {
                kind: match o.kind {
                    OverrideKind::Attestation => "Attestation".into(),
                    OverrideKind::Waiver => "Waiver".into(),
                },
                criterion: o.criterion.clone(),
                status: status_label(o.status),
                score: o.score.map_or_else(String::new, pct),
                justification: o.justification.clone(),
                approver: o.approver.clone(),
                date: o.date.to_string(),
                expires: o
                    .expires
                    .map_or_else(|| "no expiry".to_owned(), |d| d.to_string()),
                applied: o.applied,
                state: if o.applied {
                    "in force".to_owned()
                } else {
                    format!(
                        "not applied: {}",
                        o.ignored_because
                            .clone()
                            .unwrap_or_else(|| "not in force".into())
                    )
                },
            })
            .collect::<Vec<_>>();
        ReportView {
            generated_by: format!("{} {}", a.engine.name, a.engine.version),
            title: format!("Certification assessment: {}", a.centre.name),
            centre_name: a.centre.name.clone(),
            centre_site: a.centre.site.clone(),
            period_start: a.period.start.clone(),
            period_end: a.period.end.clone(),
            as_of: a.as_of.clone(),
            schema_version: a.schema_version.clone(),
            pack: PackView::new(a),
            decision: DecisionView {
                certified,
                label: label(certified),
                class: if certified { "pass" } else { "fail" },
                without_label: label(a.decision.certified_without_attestations),
                differs: a.decision.certified != a.decision.certified_without_attestations,
                statement,
            },
            overall: OverallView {
                score: pct_opt(overall.score),
                earned: points(overall.earned),
                available: points(overall.available),
                points: points(overall.points),
                threshold: pct(rules_pct.certify_overall_min),
                without_score: pct_opt(without.overall.score),
                without_earned: points(without.overall.earned),
                without_available: points(without.overall.available),
                differs: without.overall != *overall,
            },
            counts,
            criteria_count: a.findings.len(),
            flagged_count: a.findings.iter().filter(|f| f.flagged).count(),
            rules,
            section_chart_svg,
            sections,
            findings: a.findings.iter().map(|f| finding_view(a, f)).collect(),
            plan: plan_view(a, p),
            has_overrides: !overrides.is_empty(),
            overrides,
            evidence: a
                .evidence
                .iter()
                .map(|e| InventoryView {
                    kind: e.kind.clone(),
                    name: e.name.clone(),
                    path: e.path.clone(),
                    sha256: e.sha256.clone().unwrap_or_else(|| "unreadable".into()),
                    rows: match (e.rows, e.skipped_rows) {
                        (Some(r), Some(s)) if s > 0 => format!("{r} ({s} skipped)"),
                        (Some(r), _) => r.to_string(),
                        (None, _) => "–".into(),
                    },
                    status: e.status.replace('_', " "),
                    messages: e.messages.clone(),
                })
                .collect(),
            has_plugins: !a.plugins.is_empty(),
            plugins: a
                .plugins
                .iter()
                .map(|p| PluginView {
                    name: p.name.clone(),
                    version: p.version.clone(),
                    abi_version: p.abi_version.clone(),
                    sdk_version: p.sdk_version.clone(),
                    file: p.file.clone(),
                    sha256: p.sha256.clone(),
                })
                .collect(),
            method: MethodView {
                description: a.scoring_method.description.clone(),
                formula: a.scoring_method.formula.clone(),
                formula_lines: a
                    .scoring_method
                    .formula
                    .split("; ")
                    .map(|l| l.trim().to_owned())
                    .filter(|l| !l.is_empty())
                    .collect(),
                met_from: pct(rules_pct.met_from),
                partially_met_from: pct(rules_pct.partially_met_from),
                overall_min: pct(rules_pct.certify_overall_min),
                section_min: pct(rules_pct.certify_section_min),
                mandatory_rule: if rules_pct.certify_mandatory_met {
                    "every mandatory criterion met (or not applicable)".into()
                } else {
                    "mandatory criteria are not a separate rule in this pack".into()
                },
                plan_rules: plan_rules(),
            },
            has_warnings: !a.warnings.is_empty(),
            warnings: a.warnings.clone(),
            drilldown_rows: DRILLDOWN_ROWS,
        }
    }
}

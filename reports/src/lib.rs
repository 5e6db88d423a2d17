//! The reports of cxaudit, from the assessment model alone: `report.md`, a
//! self-contained `report.html` and `improvement-plan.csv` of one
//! assessment, `compare.md` / `compare.html` between two, and `trend.md` /
//! `trend.html` over several.
//!
//! Templates (`reports/templates/`, embedded, overridable per file name)
//! receive views ([`view::ReportView`], [`compare::CompareView`],
//! [`trend::TrendView`]) of
//! preformatted strings. Every string from the record (evidence, plugins,
//! the pack) stays plain text in the views: HTML templates escape `{{x}}`
//! as HTML, Markdown templates escape `{{x}}` as Markdown text
//! ([`text::md_text`]; the `md_text`, `md_cell` and `md_code` helpers say
//! how). Raw output (`{{{x}}}`) is only for fields the reports build safely:
//! `*_html` and `svg` (SVG drawn here with every text escaped, the pack's
//! Markdown rendered by `pulldown-cmark` with raw HTML turned into text and
//! unsafe links dropped) and `*_md` / `*_md_cell` (the pack's Markdown with
//! raw HTML, images and unsafe links escaped). CSV text cells are
//! neutralised against spreadsheet formulas ([`text::csv_text`]).
//!
//! Every file of an assessment carries its run digest ([`run_digest`]), so
//! a reader can tell which `assessment.json` it belongs to.
//!
//! Nothing here writes files: callers get the rendered text and decide
//! where it goes.

pub mod compare;
pub mod kpi;
pub mod plan_csv;
pub mod run_digest;
pub mod svg;
pub mod templates;
pub mod text;
pub mod trend;
pub mod view;

use std::path::PathBuf;

use cxaudit_model::Assessment;

pub use templates::Templates;
pub use view::{ReportView, status_class, status_label};

/// Drill-down tables longer than this show their first rows and say how
/// many more the record holds.
pub const DRILLDOWN_ROWS: usize = 25;

/// File names of a rendered report, in the order of [`Rendered::files`].
pub const REPORT_FILES: [&str; 3] = ["report.md", "report.html", "improvement-plan.csv"];

/// Why a report could not be rendered.
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
    /// A template override could not be read.
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

/// The rendered files of one assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// `report.md`.
    pub markdown: String,
    /// `report.html`.
    pub html: String,
    /// `improvement-plan.csv`.
    pub plan_csv: String,
}

impl Rendered {
    /// File names with their contents, as [`REPORT_FILES`] names them.
    pub fn files(&self) -> [(&'static str, &str); 3] {
        [
            (REPORT_FILES[0], &self.markdown),
            (REPORT_FILES[1], &self.html),
            (REPORT_FILES[2], &self.plan_csv),
        ]
    }
}

/// Renders the report files of an assessment, with the plan it records.
/// The Markdown and the HTML report are rendered side by side (each
/// template walks the whole view) when a thread can be started; the first
/// error, in file order, is returned.
pub fn render(assessment: &Assessment, templates: &Templates) -> Result<Rendered, ReportError> {
    let view = ReportView::new(assessment, &assessment.improvement_plan);
    let markdown = || templates.render("report.md", &view);
    let (markdown, html) = std::thread::scope(|scope| {
        let beside = std::thread::Builder::new().spawn_scoped(scope, markdown);
        let html = templates.render("report.html", &view);
        match beside.map(std::thread::ScopedJoinHandle::join) {
            Ok(Ok(markdown)) => (markdown, html),
            // A panic while rendering is a bug: it goes on here.
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            // No thread could be started: rendered here, after the HTML.
            Err(_) => (markdown(), html),
        }
    });
    Ok(Rendered {
        markdown: markdown?,
        html: html?,
        plan_csv: plan_csv::to_csv(&assessment.improvement_plan, &assessment.run.digest)?,
    })
}

//! `cxaudit compare`: what improved, what regressed, and KPI deltas
//! between two assessments against the same pack.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use cxaudit::output::read_assessment;
use cxaudit_model::Assessment;
use cxaudit_reports::Templates;
use cxaudit_reports::compare::{self, CompareFailure};

use super::InputError;
use super::report::report_error;

/// Arguments of `cxaudit compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The earlier assessment.json (baseline).
    #[arg(value_name = "BASE.json")]
    pub base: PathBuf,
    /// The later assessment.json.
    #[arg(value_name = "NEW.json")]
    pub new: PathBuf,
    /// Where to write compare.md and compare.html.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// A folder of templates overriding the embedded ones (same file names).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

/// Renders `compare.md` and `compare.html` of two assessments and writes
/// them into `out` as one set; `shown` names the two records in a refusal.
pub fn write_comparison(
    base: &Assessment,
    new: &Assessment,
    out: &Path,
    templates_dir: Option<&Path>,
    shown: (&Path, &Path),
) -> anyhow::Result<Vec<PathBuf>> {
    let r = render(base, new, templates_dir).map_err(|e| match e {
        CompareFailure::Refused(r) => InputError(format!(
            "{r} (BASE: {}, NEW: {})",
            shown.0.display(),
            shown.1.display()
        ))
        .into(),
        CompareFailure::Report(r) => report_error(r, templates_dir.is_some()),
        other => anyhow::Error::new(other),
    })?;
    let files = [
        ("compare.md", r.markdown.as_bytes()),
        ("compare.html", r.html.as_bytes()),
    ];
    Ok(super::write_set(out, &files)?)
}

/// Renders the comparison with the templates of `templates_dir` over the
/// embedded ones.
fn render(
    base: &Assessment,
    new: &Assessment,
    templates_dir: Option<&Path>,
) -> Result<compare::RenderedComparison, CompareFailure> {
    let templates = Templates::load(templates_dir)?;
    compare::render(base, new, &templates)
}

/// Runs `cxaudit compare`.
pub fn run(args: &CompareArgs) -> anyhow::Result<ExitCode> {
    let base = read_assessment(&args.base).map_err(InputError)?;
    let new = read_assessment(&args.new).map_err(InputError)?;
    let paths = write_comparison(
        &base,
        &new,
        &args.out,
        args.templates.as_deref(),
        (&args.base, &args.new),
    )?;
    for p in paths {
        println!("wrote {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

//! `cxaudit report`: re-renders the reports of an `assessment.json`
//! without re-assessing.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use cxaudit::output::{read_assessment, write_files};
use cxaudit_model::Assessment;
use cxaudit_reports::{ReportError, Templates};

use super::InputError;

/// Arguments of `cxaudit report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The assessment.json to render.
    #[arg(value_name = "ASSESSMENT.json")]
    pub assessment: PathBuf,
    /// Where to write report.md, report.html and improvement-plan.csv.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// A folder of templates overriding the embedded ones (same file names).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

/// A report error as an exit code: template problems are bad input.
pub fn report_error(error: ReportError, custom_templates: bool) -> anyhow::Error {
    match error {
        ReportError::Template { .. } => InputError(error.to_string()).into(),
        ReportError::Render { .. } if custom_templates => InputError(error.to_string()).into(),
        other => anyhow::Error::new(other),
    }
}

/// Renders the reports of `record` with the templates of `templates_dir`
/// over the embedded ones, and writes them into `out`.
pub fn write_reports(
    record: &Assessment,
    out: &Path,
    templates_dir: Option<&Path>,
) -> anyhow::Result<Vec<PathBuf>> {
    let custom = templates_dir.is_some();
    let templates = Templates::load(templates_dir).map_err(|e| report_error(e, custom))?;
    let rendered =
        cxaudit_reports::render(record, &templates).map_err(|e| report_error(e, custom))?;
    Ok(write_files(out, &rendered.files())?)
}

/// Runs `cxaudit report`.
pub fn run(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let record = read_assessment(&args.assessment).map_err(InputError)?;
    let paths = write_reports(&record, &args.out, args.templates.as_deref())?;
    for p in paths {
        println!("wrote {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

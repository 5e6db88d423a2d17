//! `cxaudit report`: re-renders the reports of an `assessment.json`
//! without re-assessing.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use cxaudit::report::{self, ReportError};

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

/// Runs `cxaudit report`.
pub fn run(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let record = report::read_assessment(&args.assessment).map_err(InputError)?;
    let paths = report::write_reports(&record, &args.out, args.templates.as_deref())
        .map_err(|e| report_error(e, args.templates.is_some()))?;
    for p in paths {
        println!("wrote {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

//! `cxaudit compare`: what improved, what regressed, and KPI deltas
//! between two assessments against the same pack.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use cxaudit::compare::{self, CompareFailure};
use cxaudit::report;

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

/// Runs `cxaudit compare`.
pub fn run(args: &CompareArgs) -> anyhow::Result<ExitCode> {
    let base = report::read_assessment(&args.base).map_err(InputError)?;
    let new = report::read_assessment(&args.new).map_err(InputError)?;
    let paths = compare::write_comparison(&base, &new, &args.out, args.templates.as_deref())
        .map_err(|e| match e {
            CompareFailure::Refused(r) => InputError(format!(
                "{r} (BASE: {}, NEW: {})",
                args.base.display(),
                args.new.display()
            ))
            .into(),
            CompareFailure::Report(r) => report_error(r, args.templates.is_some()),
        })?;
    for p in paths {
        println!("wrote {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

//! `cxaudit trend`: decision, score, criteria and headline KPIs over several
//! assessments against the same pack, and what changed at each step.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use cxaudit::output::{assessments_in, read_assessment};
use cxaudit_model::Assessment;
use cxaudit_reports::Templates;
use cxaudit_reports::trend::{self, Named, TrendFailure};

use super::InputError;
use super::report::report_error;

/// Arguments of `cxaudit trend`.
#[derive(Debug, Args)]
pub struct TrendArgs {
    /// The assessment.json files, in any order; a folder stands for every
    /// assessment.json directly in it or one level down.
    #[arg(value_name = "ASSESSMENT.json|DIR", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Where to write trend.md and trend.html.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// A folder of templates overriding the embedded ones (same file names).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

/// The record files the inputs name: files as given, folders expanded.
fn record_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            files.extend(assessments_in(input).map_err(InputError)?);
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

/// Renders the trend with the templates of `templates_dir` over the
/// embedded ones.
fn render(
    records: &[Named],
    templates_dir: Option<&Path>,
) -> Result<trend::RenderedTrend, TrendFailure> {
    let templates = Templates::load(templates_dir)?;
    trend::render(records, &templates)
}

/// Runs `cxaudit trend`.
pub fn run(args: &TrendArgs) -> anyhow::Result<ExitCode> {
    let files = record_files(&args.inputs)?;
    let records: Vec<(String, Assessment)> = files
        .iter()
        .map(|f| {
            Ok((
                f.display().to_string(),
                read_assessment(f).map_err(InputError)?,
            ))
        })
        .collect::<Result<_, InputError>>()?;
    let named: Vec<Named> = records
        .iter()
        .map(|(name, assessment)| Named { name, assessment })
        .collect();
    let rendered = render(&named, args.templates.as_deref()).map_err(|e| match e {
        TrendFailure::Refused(r) => InputError(r.to_string()).into(),
        TrendFailure::Report(r) => report_error(r, args.templates.is_some()),
    })?;
    let files = rendered.files().map(|(name, text)| (name, text.as_bytes()));
    for p in super::write_set(&args.out, &files)? {
        println!("wrote {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

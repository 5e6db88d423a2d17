//! `cxaudit report`: re-renders the reports of an `assessment.json`
//! without re-assessing, and writes them with the record as one set.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use cxaudit::output::read_assessment;
use cxaudit_model::Assessment;
use cxaudit_reports::{ReportError, Templates};

use super::InputError;

/// Arguments of `cxaudit report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The assessment.json to render.
    #[arg(value_name = "ASSESSMENT.json")]
    pub assessment: PathBuf,
    /// Where to write assessment.json, report.md, report.html and improvement-plan.csv.
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

/// The report templates (those of a folder over the embedded ones) being
/// compiled on a thread of their own: a command that renders its reports
/// last (`cxaudit assess`) starts them first, and finds them compiled when
/// the reports are due.
pub struct PendingTemplates {
    custom: bool,
    loading: std::thread::JoinHandle<Result<Templates, ReportError>>,
}

impl PendingTemplates {
    /// Starts compiling the templates of `templates_dir` over the embedded
    /// ones.
    pub fn start(templates_dir: Option<&Path>) -> Self {
        let dir = templates_dir.map(Path::to_path_buf);
        PendingTemplates {
            custom: dir.is_some(),
            loading: std::thread::spawn(move || Templates::load(dir.as_deref())),
        }
    }

    /// Renders the reports of `record` and writes them with
    /// `assessment.json` into `out`, as one set; returns their paths.
    pub fn write_record_set(self, record: &Assessment, out: &Path) -> anyhow::Result<Vec<PathBuf>> {
        let custom = self.custom;
        let templates = match self.loading.join() {
            Ok(loaded) => loaded.map_err(|e| report_error(e, custom))?,
            // A panic while compiling is a bug: it goes on here.
            Err(panic) => std::panic::resume_unwind(panic),
        };
        let rendered =
            cxaudit_reports::render(record, &templates).map_err(|e| report_error(e, custom))?;
        let json = record.to_json()?;
        let files: Vec<(&str, &[u8])> = std::iter::once(("assessment.json", json.as_bytes()))
            .chain(rendered.files().map(|(name, text)| (name, text.as_bytes())))
            .collect();
        Ok(super::write_set(out, &files)?)
    }
}

/// Renders the reports of `record` with the templates of `templates_dir`
/// over the embedded ones, and writes them with `assessment.json` into
/// `out`, as one set; returns their paths.
pub fn write_record_set(
    record: &Assessment,
    out: &Path,
    templates_dir: Option<&Path>,
) -> anyhow::Result<Vec<PathBuf>> {
    PendingTemplates::start(templates_dir).write_record_set(record, out)
}

/// Runs `cxaudit report`.
pub fn run(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let mut record = read_assessment(&args.assessment).map_err(InputError)?;
    if record.run.digest.is_empty() {
        // A record made before run digests: its set carries the digest of its fields.
        record.seal_run_digest();
    }
    let paths = write_record_set(&record, &args.out, args.templates.as_deref())?;
    for p in paths {
        println!("wrote {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

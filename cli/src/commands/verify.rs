//! `cxaudit verify`: whether an output set is whole (every report file
//! carries the run digest of its `assessment.json`, which matches the
//! record's own fields) and whether the evidence, pack and plugins it
//! names are still the ones it was made from.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use cxaudit::output::read_assessment;
use cxaudit::verify::{self, Difference};
use cxaudit_model::Assessment;
use cxaudit_reports::REPORT_FILES;
use serde::Serialize;

use super::{Format, InputError, PluginArgs, print_json};

/// Arguments of `cxaudit verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The folder of the set (with assessment.json).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The evidence folder the assessment was made from (default:
    /// DIR/evidence when it holds an evidence.toml, as the demo writes it).
    #[arg(long, value_name = "DIR")]
    pub evidence: Option<PathBuf>,
    /// The pack (a folder or a built-in pack's name) to check against the recorded pack sha256 (not
    /// checked without it).
    #[arg(long, value_name = "DIR")]
    pub pack: Option<PathBuf>,
    #[command(flatten)]
    pub plugins: PluginArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// What was checked, and every difference found.
#[derive(Debug, Serialize)]
struct Verification {
    /// The record read.
    assessment: PathBuf,
    /// Its recorded run digest.
    run_digest: String,
    /// What was checked, in words.
    checked: Vec<String>,
    /// Every difference, in the order checked.
    differences: Vec<Difference>,
}

/// Runs `cxaudit verify`.
pub fn run(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let path = args.dir.join("assessment.json");
    let record = read_assessment(&path).map_err(InputError)?;
    let evidence = evidence_dir(args)?;
    let mut v = Verification {
        assessment: path,
        run_digest: record.run.digest.clone(),
        checked: Vec::new(),
        differences: verify::check_digest(&record).into_iter().collect(),
    };
    check_reports(&mut v, &args.dir, &record);
    check_inputs(&mut v, args, &record, &evidence);
    match args.format {
        Format::Json => print_json(&v)?,
        Format::Text => print_text(&v),
    }
    Ok(if v.differences.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `--evidence`, or `DIR/evidence` when it is an evidence folder.
fn evidence_dir(args: &VerifyArgs) -> Result<PathBuf, InputError> {
    if let Some(dir) = &args.evidence {
        return Ok(dir.clone());
    }
    let beside = args.dir.join("evidence");
    if beside.join("evidence.toml").is_file() {
        Ok(beside)
    } else {
        Err(InputError(format!(
            "--evidence DIR is required: {} holds no evidence.toml",
            beside.display()
        )))
    }
}

/// Each report file present carries the record's run digest.
fn check_reports(v: &mut Verification, dir: &Path, record: &Assessment) {
    let mut present = Vec::new();
    for name in REPORT_FILES {
        let path = dir.join(name);
        if !path.exists() {
            continue;
        }
        let found = match std::fs::read_to_string(&path) {
            Ok(text) => cxaudit_reports::run_digest::check(name, &text, record)
                .err()
                .map(|found| match cxaudit_model::run::is_digest(&found) {
                    true => format!("run digest {found}"),
                    false => found,
                }),
            Err(e) => Some(format!("unreadable ({e})")),
        };
        if let Some(found) = found {
            v.differences.push(Difference {
                file: path.display().to_string(),
                expected: format!("run digest {}", shown_digest(record)),
                found,
            });
        }
        present.push(name);
    }
    v.checked.push(format!(
        "run digest of {} and of {}",
        v.assessment.display(),
        if present.is_empty() {
            "no report file (none present)".to_owned()
        } else {
            present.join(", ")
        }
    ));
}

/// The evidence, the pack (when given) and the plugins the record names.
fn check_inputs(v: &mut Verification, args: &VerifyArgs, record: &Assessment, evidence: &Path) {
    v.differences
        .extend(verify::check_evidence(record, evidence));
    v.checked.push(format!(
        "{} evidence files and {} settings file(s) in {}",
        record.evidence.len(),
        record.run.settings.len(),
        evidence.display()
    ));
    match &args.pack {
        Some(pack) => {
            v.differences.extend(verify::check_pack(record, pack));
            v.checked
                .push(format!("pack {} in {}", record.pack.id, pack.display()));
        }
        None => v
            .checked
            .push("pack: not checked (no --pack given)".to_owned()),
    }
    let registry = args.plugins.registry();
    v.differences
        .extend(verify::check_plugins(record, &registry));
    v.checked.push(format!(
        "{} plugins, found as assess finds them",
        record.plugins.len()
    ));
}

fn shown_digest(record: &Assessment) -> &str {
    if record.run.digest.is_empty() {
        "(none recorded)"
    } else {
        &record.run.digest
    }
}

/// One line per difference, then what was checked and the verdict.
fn print_text(v: &Verification) {
    for d in &v.differences {
        println!("DIFFERENT {d}");
    }
    for c in &v.checked {
        println!("checked: {c}");
    }
    if v.differences.is_empty() {
        println!("verified: the set is whole and its inputs are unchanged");
    } else {
        println!("{} difference(s)", v.differences.len());
    }
}

//! `cxaudit assess`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use cxaudit::pipeline::{AssessOptions, assess};

use super::{InputError, PluginArgs, load_pack};

/// Arguments of `cxaudit assess`.
#[derive(Debug, Args)]
pub struct AssessArgs {
    /// The standards pack folder.
    #[arg(long, value_name = "DIR")]
    pub pack: PathBuf,
    /// The evidence folder (with evidence.toml).
    #[arg(long, value_name = "DIR")]
    pub evidence: PathBuf,
    /// Where to write assessment.json and the reports (replaced as one set).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub plugins: PluginArgs,
    /// Judge attestation expiry as of this date (default: the period end).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// Exit with code 1 when any warning about the inputs was raised (rows
    /// skipped, days missing, refused plugins...), for CI gates.
    #[arg(long)]
    pub strict: bool,
    /// Exit with code 1 when the centre is not certified.
    #[arg(long)]
    pub require_certified: bool,
    /// A folder of report templates overriding the embedded ones (same file names).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// No progress on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `cxaudit assess`.
pub fn run(args: &AssessArgs) -> anyhow::Result<ExitCode> {
    let as_of =
        match &args.as_of {
            Some(text) => Some(chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(
                |e| InputError(format!("--as-of: expected YYYY-MM-DD, found `{text}`: {e}")),
            )?),
            None => None,
        };
    let pack = load_pack(&args.pack)?;
    let registry = args.plugins.registry();
    let quiet = args.quiet;
    let mut progress = |msg: &str| {
        if !quiet {
            eprintln!("{msg}");
        }
    };
    let (record, _) = assess(
        &pack,
        &registry,
        &args.evidence,
        &AssessOptions { as_of },
        &mut progress,
    )?;
    let written = super::report::write_record_set(&record, &args.out, args.templates.as_deref())?;

    for r in &registry.refused {
        eprintln!(
            "warning: plugin library refused: {}: {}",
            r.path.display(),
            r.reason
        );
    }
    for w in &record.warnings {
        eprintln!("warning: {w}");
    }
    let overall = record
        .scores
        .overall
        .score
        .map_or("n/a".to_owned(), |s| format!("{:.1}%", s * 100.0));
    println!(
        "{} ({}), {} to {}: {} ({overall}, {:.1} of {:.1} available points)",
        record.centre.name,
        record.pack.id,
        record.period.start,
        record.period.end,
        if record.decision.certified {
            "CERTIFIED"
        } else {
            "NOT CERTIFIED"
        },
        record.scores.overall.earned,
        record.scores.overall.available,
    );
    for rule in &record.decision.failed_rules {
        println!("  failed: {} — {}", rule.rule, rule.detail);
    }
    let flagged: Vec<&str> = record
        .findings
        .iter()
        .filter(|f| f.flagged)
        .map(|f| f.criterion.as_str())
        .collect();
    if !flagged.is_empty() {
        println!("  flagged for review: {}", flagged.join(", "));
    }
    for p in written {
        println!("wrote {}", p.display());
    }
    if args.require_certified && !record.decision.certified {
        return Ok(ExitCode::from(1));
    }
    let warnings = record.warnings.len() + registry.refused.len();
    if args.strict && warnings > 0 {
        eprintln!("--strict: {warnings} warning(s) about the inputs; exit 1");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

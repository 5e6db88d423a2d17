//! `cxaudit assess`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use cxaudit::pipeline::{AssessOptions, RunReport, Timings, assess};
use cxaudit::plugins::{ChildLimits, Registry};

use super::{InputError, PluginArgs, Ready, load_ready};
use crate::progress::ProgressDisplay;

/// Arguments of `cxaudit assess`.
#[derive(Debug, Args)]
pub struct AssessArgs {
    /// The standards pack: a folder, or a built-in pack's name (`cx-ops`).
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
    /// Exit with code 1 when the centre is not certified (a partial run,
    /// `--only`, never is).
    #[arg(long)]
    pub require_certified: bool,
    /// Run only these criteria (comma-separated or repeated, e.g.
    /// `--only WF1,WF2`): the others are omitted from the record, not
    /// scored, and the decision is marked partial (never a certification
    /// decision). An id the pack does not have is refused (exit 2).
    #[arg(long, value_name = "ID[,ID...]", value_delimiter = ',')]
    pub only: Vec<String>,
    /// A folder of report templates overriding the embedded ones (same file names).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// The deadline of one evaluation, in seconds (default: the pack's
    /// `[scoring] evaluator_timeout_seconds`, else 300).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Memory a plugin process may use beyond cxaudit's own, in MiB; 0: no cap.
    #[arg(long, value_name = "MIB", default_value_t = cxaudit::plugins::DEFAULT_MEMORY / (1024 * 1024))]
    pub plugin_memory: u64,
    /// How many criteria are evaluated at a time, each in its own plugin
    /// process (default: one per available core). The results are the same
    /// bytes whatever the number; with `--isolation none`, one at a time.
    #[arg(long, value_name = "N")]
    pub jobs: Option<std::num::NonZeroUsize>,
    /// Print where the time went on stderr (reading each table, each
    /// evaluation, the reports); the outputs are unchanged.
    #[arg(long)]
    pub timings: bool,
}

/// The limits of a plugin process: `--timeout` over the pack's deadline over
/// the default, and `--plugin-memory`.
fn limits(args: &AssessArgs, pack: &cxaudit::pack::Pack) -> anyhow::Result<ChildLimits> {
    let timeout = match args.timeout {
        Some(s) if s > 0.0 && s <= 86_400.0 => Duration::from_secs_f64(s),
        Some(s) => {
            return Err(InputError(format!(
                "--timeout: expected seconds above 0 and at most 86400, found {s}"
            ))
            .into());
        }
        None => pack
            .evaluator_timeout
            .unwrap_or(cxaudit::plugins::DEFAULT_TIMEOUT),
    };
    let memory = (args.plugin_memory > 0).then(|| args.plugin_memory.saturating_mul(1024 * 1024));
    Ok(ChildLimits { timeout, memory })
}

/// Prints where the time of a run went, one `timing` line each, on stderr:
/// `setup` is the pack's loading and the plugins' discovery, hashing and
/// handshakes, of which `registry` tells the outcome.
fn print_timings(setup: Duration, registry: &Registry, t: &Timings, reports: Duration) {
    let s = |d: Duration| d.as_secs_f64();
    eprintln!(
        "timing pack and plugins {:.3} s ({} plugins loaded, {} libraries refused)",
        s(setup),
        registry.plugins.len(),
        registry.refused.len()
    );
    eprintln!(
        "timing evidence {:.3} s (hashing, tables, documents)",
        s(t.evidence)
    );
    for (table, d) in &t.tables {
        eprintln!("timing   table {table} {:.3} s", s(*d));
    }
    for (reference, d) in &t.references {
        eprintln!("timing   reference {reference} {:.3} s", s(*d));
    }
    eprintln!(
        "timing evaluations {:.3} s ({} criteria, {} at a time)",
        s(t.evaluations),
        t.criteria.len(),
        t.jobs
    );
    for (criterion, d) in &t.criteria {
        eprintln!("timing   criterion {criterion} {:.3} s", s(*d));
    }
    eprintln!(
        "timing assembly {:.3} s (scores, plan, record)",
        s(t.assembly)
    );
    eprintln!("timing reports {:.3} s (rendered and written)", s(reports));
}

/// Runs `cxaudit assess`; `quiet`: no progress on stderr.
pub fn run(args: &AssessArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let as_of =
        match &args.as_of {
            Some(text) => Some(chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(
                |e| InputError(format!("--as-of: expected YYYY-MM-DD, found `{text}`: {e}")),
            )?),
            None => None,
        };
    let started = Instant::now();
    let Ready { pack, registry } =
        load_ready(&args.pack, &args.plugins, |pack| limits(args, pack))?;
    let setup = started.elapsed();
    // Compiled while the evidence is read. Started once the plugins are
    // loaded: a library process forked later while the thread still runs
    // (a small evidence folder) copies only the forking thread, and runs
    // none of the compiling code.
    let templates = super::report::PendingTemplates::start(args.templates.as_deref());
    let mut display = ProgressDisplay::new(quiet);
    let options = AssessOptions {
        as_of,
        jobs: args.jobs,
        only: (!args.only.is_empty()).then(|| args.only.clone()),
    };
    let assessed = assess(&pack, &registry, &args.evidence, &options, &mut |step| {
        display.show(step)
    });
    display.finish();
    let (record, run) = assessed?;
    let started = Instant::now();
    // The evidence (hundreds of MB for a year of contacts) is freed on a
    // thread of its own while the reports are rendered: nothing after the
    // evaluations reads it.
    let RunReport { store, timings } = run;
    // (Where no thread can be started, the store is freed here, as the
    // refused closure is dropped.)
    let freeing = std::thread::Builder::new()
        .name("cxaudit-free".into())
        .spawn(move || drop(store))
        .ok();
    let written = templates.write_record_set(&record, &args.out);
    // A panic while freeing is a bug: it goes on here.
    if let Some(Err(panic)) = freeing.map(std::thread::JoinHandle::join) {
        std::panic::resume_unwind(panic);
    }
    // The library processes killed at the end are reaped before the exit,
    // so that what they used counts as this command's.
    cxaudit::plugins::wait_for_reaping();
    let written = written?;
    if args.timings {
        print_timings(setup, &registry, &timings, started.elapsed());
    }

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
    let decision = match record.partial() {
        Some(p) => format!(
            "PARTIAL RUN of {} of {} criteria ({}), not a certification decision",
            p.criteria.len(),
            p.criteria.len() + p.omitted.len(),
            p.criteria.join(", ")
        ),
        None if record.decision.certified => "CERTIFIED".to_owned(),
        None => "NOT CERTIFIED".to_owned(),
    };
    println!(
        "{} ({}), {} to {}: {decision} ({overall}, {:.1} of {:.1} available points)",
        record.centre.name,
        record.pack.id,
        record.period.start,
        record.period.end,
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
    let failed: Vec<&cxaudit_model::Finding> = record
        .findings
        .iter()
        .filter(|f| f.evaluated.status == cxaudit_model::Status::Error)
        .collect();
    if !failed.is_empty() {
        eprintln!(
            "error: {} criterion/criteria ended in `error` (the assessment is written, but incomplete):",
            failed.len()
        );
        for f in failed {
            eprintln!("  {}: {}", f.criterion, f.summary);
        }
        return Ok(ExitCode::from(3));
    }
    if args.require_certified && !record.decision.certified {
        if record.partial().is_some() {
            eprintln!(
                "--require-certified: a partial run (--only) is never certified; assess every criterion"
            );
        }
        return Ok(ExitCode::from(1));
    }
    let warnings = record.warnings.len() + registry.refused.len();
    if args.strict && warnings > 0 {
        eprintln!("--strict: {warnings} warning(s) about the inputs; exit 1");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

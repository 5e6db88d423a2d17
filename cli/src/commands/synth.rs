//! `cxaudit synth`: writes a synthetic evidence folder (baseline or follow-up
//! state of a simulated contact centre) whose KPIs emerge from a simulation.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use cxaudit_synth::{Progress, Scenario, SynthConfig, generate};

/// Which state of the simulated centre to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScenarioArg {
    /// Before the improvement programme.
    Baseline,
    /// After certification work.
    Followup,
}

/// Arguments of `cxaudit synth`.
#[derive(Debug, clap::Args)]
pub struct SynthArgs {
    /// Scenario to simulate.
    #[arg(long, value_enum)]
    pub scenario: ScenarioArg,
    /// Target total number of contacts over the period.
    #[arg(long, default_value_t = 200_000)]
    pub contacts: u64,
    /// Length of the period in months (from 2026-01-01).
    #[arg(long, default_value_t = 6)]
    pub months: u32,
    /// Random seed; the same arguments give byte-identical output.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output folder (created; existing files are overwritten).
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs the command: progress on stderr (none when `quiet`), summary on
/// stdout.
pub fn run(args: &SynthArgs, quiet: bool) -> anyhow::Result<()> {
    let scenario = match args.scenario {
        ScenarioArg::Baseline => Scenario::Baseline,
        ScenarioArg::Followup => Scenario::Followup,
    };
    let mut config = SynthConfig::new(scenario, args.contacts, args.seed);
    config.months = args.months;
    let mut stderr = std::io::stderr();
    let mut last_decile = u32::MAX;
    let summary = generate(&config, &args.out, &mut |p| match p {
        Progress::Day {
            done,
            total,
            contacts,
        } => {
            let pct = done * 100 / total.max(1);
            if !quiet && pct / 10 != last_decile {
                last_decile = pct / 10;
                let _ = writeln!(
                    stderr,
                    "synth: day {done}/{total} ({pct}%), {contacts} contacts"
                );
            }
        }
        Progress::Finishing if quiet => {}
        Progress::Finishing => {
            let _ = writeln!(stderr, "synth: writing documents");
        }
    })
    .with_context(|| format!("generating evidence into {}", args.out.display()))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "wrote {} scenario (seed {}) to {}",
        scenario.name(),
        args.seed,
        args.out.display()
    )?;
    for (table, rows) in &summary.rows {
        writeln!(stdout, "  {table:<15} {rows:>10} rows")?;
    }
    writeln!(stdout, "  {} files", summary.files.len())?;
    Ok(())
}

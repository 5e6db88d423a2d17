//! Subcommands. Each returns the exit code: 0 done, 1 a requested gate
//! failed (or `verify` found a difference), 2 bad usage or input, 3
//! internal or plugin failure.

mod assess;
mod check;
mod compare;
mod demo;
mod erlang;
mod kpis;
mod pack;
mod plugins;
mod report;
mod synth;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use cxaudit::plugins::{PluginSources, Registry};

/// Plugin-based certification audit engine for customer contact centres.
#[derive(Debug, Parser)]
#[command(name = "cxaudit", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Assess an evidence folder against a pack and write assessment.json.
    Assess(assess::AssessArgs),
    /// Show what evidence each criterion lacks, before running anything.
    Check(check::CheckArgs),
    /// Validate or show a standards pack.
    #[command(subcommand)]
    Pack(pack::PackCommand),
    /// List the plugins found, with their evaluators and needs.
    #[command(subcommand)]
    Plugins(plugins::PluginsCommand),
    /// The KPIs of an evidence folder, grouped, with their definitions (no pack needed).
    Kpis(kpis::KpisArgs),
    /// The whole product in one command: two synthetic centres, assessed, reported and compared.
    Demo(demo::DemoArgs),
    /// Staffing calculator: Erlang C, or Erlang A with customer patience.
    Erlang(erlang::ErlangArgs),
    /// Write a synthetic contact centre's evidence folder (baseline or follow-up).
    Synth(synth::SynthArgs),
    /// Re-render the reports of an assessment.json and write them with it as one set.
    Report(report::ReportArgs),
    /// Compare two assessments (same pack): decision, scores, gaps, regressions, KPI deltas.
    Compare(compare::CompareArgs),
    /// Check an output set against itself and against the evidence, pack and plugins it names.
    Verify(verify::VerifyArgs),
}

/// Where to look for plugins, shared by the commands that load them.
#[derive(Debug, Clone, Args)]
pub struct PluginArgs {
    /// A folder to search for plugins (repeatable); also searched:
    /// CXAUDIT_PLUGIN_PATH and the executable's folder.
    #[arg(long = "plugins", value_name = "DIR")]
    pub plugins: Vec<PathBuf>,
}

impl PluginArgs {
    /// Discovers and loads the plugins.
    pub fn registry(&self) -> Registry {
        Registry::load(&PluginSources::standard(self.plugins.clone()))
    }
}

/// Output format of listing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// For people.
    #[default]
    Text,
    /// For programs.
    Json,
}

/// Bad usage or input: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

/// Runs a command.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Assess(args) => assess::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Pack(cmd) => pack::run(&cmd),
        Command::Plugins(cmd) => plugins::run(&cmd),
        Command::Kpis(args) => kpis::run(&args),
        Command::Erlang(args) => erlang::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Synth(args) => synth::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Report(args) => report::run(&args),
        Command::Compare(args) => compare::run(&args),
        Command::Verify(args) => verify::run(&args),
    }
}

/// The exit code for an error: 2 for bad input, 3 otherwise.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    let bad_input = error.chain().any(|cause| {
        cause.is::<InputError>()
            || cause.is::<cxaudit::pack::PackErrors>()
            || cause.is::<cxaudit::evidence::EvidenceError>()
            || cause.is::<cxaudit::attestations::AttestationError>()
            || cause.is::<cxaudit::pipeline::AssessError>()
            || cause
                .downcast_ref::<cxaudit::output::OutputError>()
                .is_some_and(cxaudit::output::OutputError::is_usage)
            || matches!(
                cause.downcast_ref::<cxaudit_synth::SynthError>(),
                Some(cxaudit_synth::SynthError::Config(_))
            )
    });
    if bad_input { 2 } else { 3 }
}

/// Loads a pack, as bad input when it fails.
pub fn load_pack(dir: &std::path::Path) -> anyhow::Result<cxaudit::pack::Pack> {
    Ok(cxaudit::pack::load(dir)?)
}

/// Writes `files` as one set into the folder `out` (see
/// `cxaudit::output::write_set`), saying once on stderr when it waits for
/// another run writing there.
pub fn write_set(
    out: &std::path::Path,
    files: &[(&str, &[u8])],
) -> Result<Vec<PathBuf>, cxaudit::output::OutputError> {
    cxaudit::output::write_set(out, files, &mut say_waiting)
}

/// The notice of a run waiting for the lock of an output folder.
pub fn say_waiting(out: &std::path::Path) {
    eprintln!(
        "waiting for another cxaudit run writing to {} to finish...",
        out.display()
    );
}

/// Prints JSON to stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

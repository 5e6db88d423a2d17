//! Subcommands. Each returns the exit code: 0 done, 1 a requested gate
//! failed (or `verify` found a difference), 2 bad usage or input, 3
//! internal or plugin failure.

mod assess;
mod check;
mod compare;
mod demo;
mod erlang;
mod evidence;
mod kpis;
mod pack;
mod plugins;
mod report;
mod synth;
mod trend;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use cxaudit::plugins::{ChildLimits, Isolation, PluginSources, Registry};

/// Plugin-based certification audit engine for customer contact centres.
#[derive(Debug, Parser)]
#[command(name = "cxaudit", version, about, long_about = None)]
pub struct Cli {
    /// No progress and no informational lines on stderr (warnings and
    /// errors are still printed); results on stdout are unchanged.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Assess an evidence folder against a pack and write assessment.json.
    Assess(assess::AssessArgs),
    /// Show what evidence each criterion lacks, before running anything.
    Check(check::CheckArgs),
    /// Write a first evidence.toml from a folder of exports.
    #[command(subcommand)]
    Evidence(evidence::EvidenceCommand),
    /// Validate or show a standards pack.
    #[command(subcommand)]
    Pack(pack::PackCommand),
    /// List the plugins found, with their evaluators and needs; write a new plugin project.
    #[command(subcommand, visible_alias = "plugin")]
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
    /// Several assessments over time (same pack): decisions, scores, criteria, KPIs against targets, steps.
    Trend(trend::TrendArgs),
    /// Check an output set against itself and against the evidence, pack and plugins it names.
    Verify(verify::VerifyArgs),
}

/// Where to look for plugins and where to run them, shared by the commands
/// that load them.
#[derive(Debug, Clone, Args)]
pub struct PluginArgs {
    /// A folder to search for plugins (repeatable); also searched:
    /// CXAUDIT_PLUGIN_PATH and the executable's folder. The first-party
    /// plugins built into cxaudit are used when none of these has a plugin
    /// of the same name.
    #[arg(long = "plugins", value_name = "DIR")]
    pub plugins: Vec<PathBuf>,
    /// Where plugin code runs: `process`, a child process for each
    /// evaluation (a crash, hang or exit costs one criterion), or `none`,
    /// inside cxaudit (trusted plugins and benchmarks only).
    #[arg(long, value_enum, default_value_t = IsolationArg::Process)]
    pub isolation: IsolationArg,
}

/// `--isolation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IsolationArg {
    /// A child process for each plugin handshake and each evaluation.
    Process,
    /// Inside cxaudit's own process.
    None,
}

impl PluginArgs {
    /// Discovers the plugins and makes the handshake with each, with the
    /// default limits.
    pub fn registry(&self) -> Registry {
        self.registry_within(default_limits())
    }

    /// Discovers the plugins; each child process runs within `limits`.
    pub fn registry_within(&self, limits: ChildLimits) -> Registry {
        let isolation = match self.isolation {
            IsolationArg::Process => Isolation::Process(limits),
            IsolationArg::None => Isolation::None,
        };
        let sources = PluginSources::standard(self.plugins.clone())
            .with_builtins(crate::builtins::builtins());
        Registry::load(&sources, isolation)
    }
}

/// No plugin could be loaded for a pack that needs some: the installation,
/// not the input, is at fault (exit 3).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NoPlugins(pub String);

/// A pack that `assess`, `check` and `pack validate` may use: loaded, its
/// numbers in bounds, and every evaluator found among the plugins, with
/// parameters they accept.
pub struct Ready {
    /// The pack, with any base pack it extends applied.
    pub pack: cxaudit::pack::Pack,
    /// The plugins found the one way every command finds them.
    pub registry: Registry,
}

/// The default limits of a plugin process: the default deadline and memory cap.
fn default_limits() -> ChildLimits {
    ChildLimits {
        timeout: cxaudit::plugins::DEFAULT_TIMEOUT,
        memory: Some(cxaudit::plugins::DEFAULT_MEMORY),
    }
}

/// The limits of plugin processes for commands that only make the
/// handshake with each plugin (`check`, `pack validate`): the defaults.
pub fn handshake_limits(_: &cxaudit::pack::Pack) -> anyhow::Result<ChildLimits> {
    Ok(default_limits())
}

/// The one validation path of a pack, shared by `assess`, `check`,
/// `pack validate` and `demo`: loads the pack in `dir` (syntax, structure,
/// bounds of points, shares and parameters, tailored overrides included;
/// [`cxaudit::pack::PackErrors`], exit 2), discovers the plugins of
/// `plugins` (`--plugins`, `CXAUDIT_PLUGIN_PATH`, the executable's folder)
/// with the process limits `limits` gives for the pack, and checks them
/// with [`ready_to_assess`].
pub fn load_ready(
    dir: &std::path::Path,
    plugins: &PluginArgs,
    limits: impl FnOnce(&cxaudit::pack::Pack) -> anyhow::Result<ChildLimits>,
) -> anyhow::Result<Ready> {
    let pack = load_pack(dir)?;
    let registry = plugins.registry_within(limits(&pack)?);
    ready_to_assess(&pack, &registry)?;
    Ok(Ready { pack, registry })
}

/// Checks that `registry` can run `pack` before anything is assessed: none
/// of the plugins the pack's evaluators name is [`NoPlugins`] (exit 3; the
/// built-in plugins alone do not make an installation for another pack's
/// plugins); an evaluator the plugins do not have, or parameters they
/// refuse, are [`cxaudit::pack::PackErrors`] (exit 2).
fn ready_to_assess(pack: &cxaudit::pack::Pack, registry: &Registry) -> anyhow::Result<()> {
    let named: Vec<&str> = pack
        .criteria
        .iter()
        .filter_map(|c| match &c.method {
            cxaudit::pack::Method::Evaluator { plugin, .. } => Some(plugin.as_str()),
            cxaudit::pack::Method::Manual { .. } => None,
        })
        .collect();
    if !named.is_empty() && !named.iter().any(|name| registry.plugin(name).is_some()) {
        let searched: Vec<String> = registry
            .searched
            .iter()
            .map(|d| d.display().to_string())
            .collect();
        let mut message = format!(
            "no plugin found (searched: {}); pass --plugins DIR or set CXAUDIT_PLUGIN_PATH",
            searched.join(", ")
        );
        for r in &registry.refused {
            message.push_str(&format!("\n  refused {}: {}", r.path.display(), r.reason));
        }
        return Err(NoPlugins(message).into());
    }
    let errors = cxaudit::pack::validate_against_plugins(pack, registry);
    if !errors.is_empty() {
        return Err(cxaudit::pack::PackErrors(errors).into());
    }
    Ok(())
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
    let quiet = cli.quiet;
    match cli.command {
        Command::Assess(args) => assess::run(&args, quiet),
        Command::Check(args) => check::run(&args),
        Command::Evidence(cmd) => evidence::run(&cmd),
        Command::Pack(cmd) => pack::run(&cmd),
        Command::Plugins(cmd) => plugins::run(&cmd),
        Command::Kpis(args) => kpis::run(&args, quiet),
        Command::Erlang(args) => erlang::run(&args),
        Command::Demo(args) => demo::run(&args, quiet),
        Command::Synth(args) => synth::run(&args, quiet).map(|()| ExitCode::SUCCESS),
        Command::Report(args) => report::run(&args),
        Command::Compare(args) => compare::run(&args),
        Command::Trend(args) => trend::run(&args),
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
                .downcast_ref::<cxaudit::evidence::init::InitError>()
                .is_some_and(cxaudit::evidence::init::InitError::is_usage)
            || cause
                .downcast_ref::<crate::scaffold::ScaffoldError>()
                .is_some_and(crate::scaffold::ScaffoldError::is_usage)
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
    Ok(cxaudit::pack::load_named(dir)?)
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

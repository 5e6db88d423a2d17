//! `cxaudit evidence init`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use cxaudit::evidence::init;

use super::InputError;

/// `cxaudit evidence ...`.
#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Write a first evidence.toml from a folder of exports, saying how each mapping was found.
    Init(InitArgs),
}

/// Arguments of `cxaudit evidence init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder of exports (CSV, .xlsx, .xlsm, .parquet) and management
    /// documents (Markdown).
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    /// Where evidence.toml goes: the exports' folder (the default) or a
    /// folder that holds it.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The standards pack whose canonical tables and columns are matched: a
    /// folder, or a built-in pack's name.
    #[arg(long, value_name = "DIR", default_value = "cx-ops")]
    pub pack: PathBuf,
    /// Replace an existing evidence.toml.
    #[arg(long)]
    pub force: bool,
}

/// Runs `cxaudit evidence ...`.
pub fn run(command: &EvidenceCommand) -> anyhow::Result<ExitCode> {
    match command {
        EvidenceCommand::Init(args) => run_init(args),
    }
}

fn run_init(args: &InitArgs) -> anyhow::Result<ExitCode> {
    if !args.from.is_dir() {
        return Err(InputError(format!("--from {}: not a folder", args.from.display())).into());
    }
    let out = args.out.clone().unwrap_or_else(|| args.from.clone());
    if !out.is_dir() {
        return Err(InputError(format!("--out {}: not a folder", out.display())).into());
    }
    if !args.force && init::manifest_exists(&out) {
        return Err(init::InitError::Exists(out.join("evidence.toml")).into());
    }
    let pack = super::load_pack(&args.pack)?;
    let knowledge = init::Knowledge::embedded()?;
    let plan = init::plan(&pack.schema, &knowledge, &args.from, &out)?;
    let text = init::manifest_text(&plan);
    let written = init::write_manifest(&out, &text, args.force)?;
    print!(
        "{}",
        init::summary_text(&plan, &written.display().to_string())
    );
    Ok(ExitCode::SUCCESS)
}

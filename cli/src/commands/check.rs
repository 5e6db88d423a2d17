//! `cxaudit check`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{Format, PluginArgs, handshake_limits, load_ready, print_json};

/// Arguments of `cxaudit check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The standards pack: a folder, or a built-in pack's name (`cx-ops`).
    #[arg(long, value_name = "DIR")]
    pub pack: PathBuf,
    /// The evidence folder (with evidence.toml).
    #[arg(long, value_name = "DIR")]
    pub evidence: PathBuf,
    #[command(flatten)]
    pub plugins: PluginArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Runs `cxaudit check`.
pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    // The pack is refused exactly as `assess` refuses it, with the plugins
    // found exactly as `assess` finds them.
    let super::Ready { pack, registry } = load_ready(&args.pack, &args.plugins, handshake_limits)?;
    let manifest = cxaudit::evidence::load_manifest(&args.evidence)?;
    cxaudit::evidence::check_document_names(&manifest, &pack.schema)?;
    let results = cxaudit::check::check(&pack, &registry, &manifest);
    if args.format == Format::Json {
        print_json(&results)?;
        return Ok(ExitCode::SUCCESS);
    }
    let ready = results.iter().filter(|r| r.ready).count();
    println!(
        "{ready} of {} criteria have the evidence they need.",
        results.len()
    );
    for r in &results {
        let mark = if r.ready { "ok " } else { "MISSING" };
        println!("{mark:7} {:6} {} [{}]", r.criterion, r.title, r.method);
        for m in &r.missing {
            println!("          missing: {m}");
        }
        for m in &r.missing_optional {
            println!("          optional, missing: {m}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

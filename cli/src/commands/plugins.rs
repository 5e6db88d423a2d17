//! `cxaudit plugins list`.

use std::process::ExitCode;

use clap::Subcommand;
use serde::Serialize;

use super::{Format, PluginArgs, print_json};

/// `cxaudit plugins ...`.
#[derive(Debug, Subcommand)]
pub enum PluginsCommand {
    /// List every plugin found: name, version, ABI, sha256, path, and each
    /// evaluator's declared needs; and the libraries refused, with why.
    List {
        #[command(flatten)]
        plugins: PluginArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Serialize)]
struct Listing<'a> {
    plugins: &'a [cxaudit::plugins::LoadedPlugin],
    refused: &'a [cxaudit::plugins::RefusedPlugin],
}

/// Runs a plugins command.
pub fn run(cmd: &PluginsCommand) -> anyhow::Result<ExitCode> {
    let PluginsCommand::List { plugins, format } = cmd;
    let registry = plugins.registry();
    if *format == Format::Json {
        print_json(&Listing {
            plugins: &registry.plugins,
            refused: &registry.refused,
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    if registry.plugins.is_empty() {
        println!(
            "No plugins found (searched --plugins folders, CXAUDIT_PLUGIN_PATH and the executable's folder)."
        );
    }
    for p in &registry.plugins {
        println!(
            "{} {} (ABI {}, SDK {})",
            p.name, p.version, p.abi_version, p.sdk_version
        );
        println!("  path:   {}", p.path.display());
        println!("  sha256: {}", p.sha256);
        for e in &p.evaluators {
            println!("  {}/{} — {}", p.name, e.name, e.manifest.description);
            for t in &e.manifest.tables {
                let cols: Vec<String> = t
                    .columns
                    .iter()
                    .map(|c| {
                        if c.required {
                            c.name.clone()
                        } else {
                            format!("{}?", c.name)
                        }
                    })
                    .collect();
                let req = if t.required { "" } else { " (optional)" };
                println!("      table {}{req}: {}", t.name, cols.join(", "));
            }
            for d in &e.manifest.documents {
                let req = if d.required { "" } else { " (optional)" };
                let mut words = Vec::new();
                if !d.headings.is_empty() {
                    words.push(format!("headings {}", d.headings.join(", ")));
                }
                if !d.columns.is_empty() {
                    words.push(format!("columns {}", d.columns.join(", ")));
                }
                let words = if words.is_empty() {
                    String::new()
                } else {
                    format!(": {}", words.join("; "))
                };
                println!("      document {}{req}{words}", d.kind);
            }
            for p in &e.manifest.parameters {
                println!("      param {} = {}", p.name, p.default);
            }
        }
    }
    for r in &registry.refused {
        println!("refused: {}: {}", r.path.display(), r.reason);
    }
    Ok(ExitCode::SUCCESS)
}

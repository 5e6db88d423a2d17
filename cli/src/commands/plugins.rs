//! `cxaudit plugins list` and `cxaudit plugin new`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use serde::Serialize;

use super::{Format, PluginArgs, print_json};
use crate::scaffold::{Lang, Scaffold};

/// `cxaudit plugins ...`.
#[derive(Debug, Subcommand)]
pub enum PluginsCommand {
    /// List every plugin found: name, version, ABI, sha256, path (the
    /// executable's for a built-in plugin), and each evaluator's declared
    /// needs; the libraries refused, with why; the built-in plugins a
    /// library of the same name replaces.
    List {
        #[command(flatten)]
        plugins: PluginArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Write a new plugin project: one evaluator with its unit test, a
    /// tailored pack that runs it, and a README.
    New(NewArgs),
}

/// Arguments of `cxaudit plugin new`.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The plugin's name: lower-case letters, digits and `_`, starting with a letter.
    pub name: String,
    /// The project's language.
    #[arg(long, value_enum, default_value_t = LangArg::Rust)]
    pub lang: LangArg,
    /// The folder to write (absent or empty); default `./NAME`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The plugin SDK's folder, written into a Rust project's Cargo.toml;
    /// default: `plugins/sdk` of the checkout cxaudit was built from.
    #[arg(long, value_name = "DIR")]
    pub sdk_path: Option<PathBuf>,
}

/// `--lang`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    /// A Rust crate on the plugin SDK.
    Rust,
    /// A C file on the C header.
    C,
    /// A Python program on the helper module and pyarrow.
    Python,
}

#[derive(Serialize)]
struct Listing<'a> {
    plugins: &'a [cxaudit::plugins::LoadedPlugin],
    refused: &'a [cxaudit::plugins::RefusedPlugin],
    shadowed: &'a [String],
}

/// Runs a plugins command.
pub fn run(cmd: &PluginsCommand) -> anyhow::Result<ExitCode> {
    let (plugins, format) = match cmd {
        PluginsCommand::List { plugins, format } => (plugins, format),
        PluginsCommand::New(args) => return new(args),
    };
    let registry = plugins.registry();
    if *format == Format::Json {
        print_json(&Listing {
            plugins: &registry.plugins,
            refused: &registry.refused,
            shadowed: &registry.shadowed,
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    if registry.plugins.is_empty() {
        println!(
            "No plugins found (searched --plugins folders, CXAUDIT_PLUGIN_PATH and the executable's folder)."
        );
    }
    for p in &registry.plugins {
        // A program speaks the host protocol (its `abi_version` says which).
        let interface = match &p.program {
            Some(_) => p.abi_version.clone(),
            None => format!("ABI {}", p.abi_version),
        };
        println!(
            "{} {} ({interface}, SDK {})",
            p.name, p.version, p.sdk_version
        );
        let origin = match (&p.program, p.built_in) {
            (Some(program), _) => format!(" (runs `{}`)", program.command.join(" ")),
            (None, Some(_)) => " (built into this executable)".to_owned(),
            (None, None) => String::new(),
        };
        println!("  path:   {}{origin}", p.path.display());
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
    for name in &registry.shadowed {
        println!("built in, not used: {name} (a library of that name was found)");
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes a plugin project and says what to do next.
fn new(args: &NewArgs) -> anyhow::Result<ExitCode> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(&args.name));
    let lang = match args.lang {
        LangArg::Rust => Lang::Rust,
        LangArg::C => Lang::C,
        LangArg::Python => Lang::Python,
    };
    let sdk = args
        .sdk_path
        .clone()
        .unwrap_or_else(crate::scaffold::default_sdk_path);
    // An absolute path, so the project builds wherever it is moved.
    let sdk_path = std::path::absolute(&sdk).unwrap_or(sdk);
    let sdk_path = sdk_path.canonicalize().unwrap_or(sdk_path);
    let scaffold = Scaffold {
        name: args.name.clone(),
        lang,
        sdk_path,
    };
    let files = scaffold.write(&out)?;
    println!(
        "wrote plugin `{}` ({}) to {}:",
        args.name,
        match lang {
            Lang::Rust => "Rust",
            Lang::C => "C",
            Lang::Python => "Python",
        },
        out.display()
    );
    for file in files {
        println!("  {file}");
    }
    let (build, dir) = match lang {
        Lang::Rust => ("cargo test && cargo build", "./target/debug"),
        Lang::C => ("make", "./build"),
        Lang::Python => ("python3 -m unittest", "."),
    };
    println!("next: cd {} && {build}", out.display());
    println!("then: cxaudit assess --pack ./pack --plugins {dir} --evidence EVIDENCE --out out");
    Ok(ExitCode::SUCCESS)
}

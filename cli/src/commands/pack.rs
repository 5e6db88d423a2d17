//! `cxaudit pack validate|show|export`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use cxaudit::pack::{Pack, warnings_against_plugins};
use serde::Serialize;

use super::{Format, PluginArgs, Ready, handshake_limits, load_pack, load_ready, print_json};

/// `cxaudit pack ...`.
#[derive(Debug, Subcommand)]
pub enum PackCommand {
    /// Check a pack: syntax, structure, and every evaluator against the plugins.
    Validate {
        /// The pack folder, or a built-in pack's name (`cx-ops`).
        dir: PathBuf,
        #[command(flatten)]
        plugins: PluginArgs,
    },
    /// Show a pack's sections, criteria and rules.
    Show {
        /// The pack folder, or a built-in pack's name (`cx-ops`).
        dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Write a built-in pack's files into a folder, to tailor it or read it.
    Export {
        /// The built-in pack (`cx-ops`).
        name: String,
        /// The folder to write into (created; existing files are never overwritten).
        dir: PathBuf,
    },
}

/// Runs a pack command.
pub fn run(cmd: &PackCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PackCommand::Validate { dir, plugins } => {
            let Ready { pack, registry } = load_ready(dir, plugins, handshake_limits)?;
            for w in warnings_against_plugins(&pack, &registry) {
                eprintln!("warning: {w}");
            }
            println!(
                "{} {} is valid: {} criteria, {} points, {} sections.",
                pack.id,
                pack.version,
                pack.criteria.len(),
                pack.total_points(),
                pack.sections.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        PackCommand::Export { name, dir } => {
            let builtin = cxaudit::pack::builtin::find(name).ok_or_else(|| {
                super::InputError(format!(
                    "no built-in pack `{name}` (built in: {})",
                    cxaudit::pack::builtin::names().join(", ")
                ))
            })?;
            let written = builtin.export(dir).map_err(|e| match e {
                cxaudit::pack::builtin::ExportError::Exists(_) => {
                    anyhow::Error::new(super::InputError(e.to_string()))
                }
                cxaudit::pack::builtin::ExportError::Io { .. } => anyhow::Error::new(e),
            })?;
            for path in &written {
                println!("{}", path.display());
            }
            println!(
                "wrote the {name} pack ({} files) to {}; a tailored pack extends it with `extends = \"{name}\"` (built in) or a path to this folder.",
                written.len(),
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        PackCommand::Show { dir, format } => {
            let pack = load_pack(dir)?;
            let view = PackView::of(&pack);
            match format {
                Format::Json => print_json(&view)?,
                Format::Text => print_text(&view),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[derive(Serialize)]
struct PackView<'a> {
    id: &'a str,
    title: &'a str,
    version: &'a str,
    description: &'a str,
    extends: &'a [String],
    sha256: &'a str,
    total_points: f64,
    criteria_count: usize,
    scoring: &'a cxaudit::pack::ScoringRules,
    sections: Vec<SectionView<'a>>,
    criteria: Vec<CriterionView<'a>>,
}

#[derive(Serialize)]
struct SectionView<'a> {
    id: &'a str,
    title: &'a str,
    points: f64,
    criteria: usize,
    minimum: f64,
}

#[derive(Serialize)]
struct CriterionView<'a> {
    id: &'a str,
    section: &'a str,
    title: &'a str,
    points: f64,
    mandatory: bool,
    method: String,
    params: &'a serde_json::Value,
    evidence: &'a [String],
    requirement: &'a str,
    /// What met looks like and the actions, rendered over the parameters.
    guidance: &'a cxaudit::pack::Guidance,
}

impl<'a> PackView<'a> {
    fn of(pack: &'a Pack) -> Self {
        PackView {
            id: &pack.id,
            title: &pack.title,
            version: &pack.version,
            description: &pack.description,
            extends: &pack.extends,
            sha256: &pack.sha256,
            total_points: pack.total_points(),
            criteria_count: pack.criteria.len(),
            scoring: &pack.scoring,
            sections: pack
                .sections
                .iter()
                .map(|s| {
                    let criteria = pack.criteria.iter().filter(|c| c.section == s.id);
                    SectionView {
                        id: &s.id,
                        title: &s.title,
                        points: criteria.clone().map(|c| c.points).sum(),
                        criteria: criteria.count(),
                        minimum: s.minimum.unwrap_or(pack.scoring.certify_section_min),
                    }
                })
                .collect(),
            criteria: pack
                .criteria
                .iter()
                .map(|c| CriterionView {
                    id: &c.id,
                    section: &c.section,
                    title: &c.title,
                    points: c.points,
                    mandatory: c.mandatory,
                    method: c.method.label(),
                    params: &c.params,
                    evidence: &c.evidence,
                    requirement: &c.requirement,
                    guidance: &c.guidance,
                })
                .collect(),
        }
    }
}

fn print_text(v: &PackView<'_>) {
    println!("{} {} — {}", v.id, v.version, v.title);
    if !v.extends.is_empty() {
        println!("extends: {}", v.extends.join(" <- "));
    }
    println!(
        "{} criteria, {} points, {} sections; certified at overall >= {}%, sections >= {}%{}",
        v.criteria_count,
        v.total_points,
        v.sections.len(),
        v.scoring.certify_overall_min * 100.0,
        v.scoring.certify_section_min * 100.0,
        if v.scoring.certify_mandatory_met {
            ", mandatory criteria met"
        } else {
            ""
        }
    );
    for s in &v.sections {
        println!(
            "\n{} {} ({} points, {} criteria)",
            s.id, s.title, s.points, s.criteria
        );
        for c in v.criteria.iter().filter(|c| c.section == s.id) {
            let m = if c.mandatory { "M" } else { " " };
            println!(
                "  {:5} {:>5} {m} {:32} {}",
                c.id, c.points, c.method, c.title
            );
        }
    }
}

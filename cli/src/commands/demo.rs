//! `cxaudit demo`: the whole product in one command. Generates a baseline
//! and a follow-up centre, assesses both against the shipped pack with the
//! first-party plugins, compares them, and prints a short summary.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use cxaudit::pipeline::{AssessOptions, assess};
use cxaudit_model::Assessment;
use cxaudit_synth::{Scenario, SynthConfig, generate};

use super::{PluginArgs, Ready, load_ready};
use crate::progress::ProgressDisplay;

/// Arguments of `cxaudit demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to write the centres, assessments and reports.
    #[arg(long, value_name = "DIR", default_value = "demo-out")]
    pub out: PathBuf,
    /// Contacts per synthetic centre.
    #[arg(long, default_value_t = 200_000)]
    pub contacts: u64,
    /// Random seed of the synthetic centres.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The pack: a folder or a built-in pack's name (default: the built-in
    /// cx-ops, byte for byte `standards/cx-ops`).
    #[arg(long, value_name = "DIR")]
    pub pack: Option<PathBuf>,
    #[command(flatten)]
    pub plugins: PluginArgs,
}

/// Runs `cxaudit demo`.
pub fn run(args: &DemoArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let pack_dir = match &args.pack {
        Some(p) => p.clone(),
        None => PathBuf::from(cxaudit::pack::builtin::CX_OPS.name),
    };
    let Ready { pack, registry } = load_ready(&pack_dir, &args.plugins, |pack| {
        Ok(cxaudit::plugins::ChildLimits {
            timeout: pack
                .evaluator_timeout
                .unwrap_or(cxaudit::plugins::DEFAULT_TIMEOUT),
            memory: Some(cxaudit::plugins::DEFAULT_MEMORY),
        })
    })?;
    // One demo at a time in a folder: the centres' evidence is written in place.
    let _lock = cxaudit::output::lock_folder(&args.out, &mut super::say_waiting)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;

    let mut records = Vec::new();
    for scenario in [Scenario::Baseline, Scenario::Followup] {
        let name = scenario.name();
        let evidence = args.out.join(name).join("evidence");
        let mut display = ProgressDisplay::new(quiet);
        display.say(&format!(
            "generating the {name} centre ({} contacts)...",
            args.contacts
        ));
        let config = SynthConfig::new(scenario, args.contacts, args.seed);
        generate(&config, &evidence, &mut |_| {})
            .with_context(|| format!("generating {}", evidence.display()))?;
        display.say(&format!(
            "assessing the {name} centre against {} {}...",
            pack.id, pack.version
        ));
        let assessed = assess(
            &pack,
            &registry,
            &evidence,
            &AssessOptions::default(),
            &mut |step| display.show(step),
        );
        display.finish();
        let (record, _) = assessed?;
        let out = args.out.join(name);
        let written = super::report::write_record_set(&record, &out, None)?;
        records.push((record, written));
    }
    let compare_dir = args.out.join("compare");
    let compared = super::compare::write_comparison(
        &records[0].0,
        &records[1].0,
        &compare_dir,
        None,
        (&args.out.join("baseline"), &args.out.join("followup")),
    )
    .context("comparing the two assessments")?;
    // The library processes killed at the end of each run are reaped before
    // the exit.
    cxaudit::plugins::wait_for_reaping();

    print_summary(&records[0].0, &records[1].0)?;
    println!("\nreports:");
    for (_, written) in &records {
        for path in written {
            println!("  {}", path.display());
        }
    }
    for path in &compared {
        println!("  {}", path.display());
    }
    println!("\ndone in {:.1} s", started.elapsed().as_secs_f64());
    let errors: Vec<String> = records
        .iter()
        .flat_map(|(r, _)| r.findings.iter().map(move |f| (r, f)))
        .filter(|(_, f)| f.evaluated.status == cxaudit_model::Status::Error)
        .map(|(r, f)| format!("{} {}: {}", r.centre.name, f.criterion, f.summary))
        .collect();
    if !errors.is_empty() {
        eprintln!(
            "error: {} criterion/criteria ended in `error`:",
            errors.len()
        );
        for e in errors {
            eprintln!("  {e}");
        }
        return Ok(ExitCode::from(3));
    }
    Ok(ExitCode::SUCCESS)
}

fn score(a: &Assessment) -> String {
    a.scores
        .overall
        .score
        .map_or("n/a".into(), |s| format!("{:.1}%", s * 100.0))
}

fn print_summary(base: &Assessment, new: &Assessment) -> anyhow::Result<()> {
    println!(
        "cxaudit demo: {} — baseline vs follow-up, pack {} {}",
        base.centre.name, base.pack.id, base.pack.version
    );
    for (label, a) in [("baseline ", base), ("follow-up", new)] {
        println!(
            "  {label}  {}  {}  ({:.0} of {:.0} points)",
            if a.decision.certified {
                "CERTIFIED    "
            } else {
                "NOT CERTIFIED"
            },
            score(a),
            a.scores.overall.earned,
            a.scores.overall.available
        );
    }
    println!("\nwhy the baseline is not certified:");
    for rule in base.decision.failed_rules.iter().take(8) {
        println!("  - {}: {}", rule.rule, rule.detail);
    }
    println!("\ntop five actions for the baseline (the improvement plan's ranking):");
    for item in base.improvement_plan.gaps.iter().take(5) {
        let action = item
            .actions
            .first()
            .map_or(String::new(), |a| a.text.clone());
        println!(
            "  {}. {} {} (+{:.0} points): {action}",
            item.rank, item.criterion, item.title, item.gap_points
        );
    }
    // The KPIs are already measured in the two assessments: the comparison
    // reads them from there instead of parsing the evidence again.
    println!("\nKPI deltas (baseline -> follow-up, as measured in the assessments):");
    let view = cxaudit_reports::compare::view(base, new)
        .map_err(|e| anyhow::anyhow!("comparing: {e:?}"))?;
    for k in &view.kpis {
        println!(
            "  {:28} {:>12} -> {:>12}  {} ({})",
            k.label, k.base, k.new, k.delta, k.verdict
        );
    }
    Ok(())
}

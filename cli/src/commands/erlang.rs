//! `cxaudit erlang`: the staffing calculator a workforce planner reaches
//! for — Erlang C, or Erlang A when customer patience is given.

use std::process::ExitCode;

use clap::Args;
use cxaudit_metrics::erlang::{self, StaffingTarget};
use serde_json::{Value, json};

use super::{Format, InputError};

/// Arguments of `cxaudit erlang`.
#[derive(Debug, Args)]
pub struct ErlangArgs {
    /// Contacts offered in the interval.
    #[arg(long)]
    pub contacts: f64,
    /// Interval length, minutes.
    #[arg(long)]
    pub interval_minutes: f64,
    /// Average handle time, seconds.
    #[arg(long)]
    pub aht_seconds: f64,
    /// Evaluate this number of agents (instead of finding the requirement).
    #[arg(long, conflicts_with = "target_sl")]
    pub agents: Option<u32>,
    /// Service-level target to staff for, a share (e.g. 0.8).
    #[arg(long, requires = "threshold_seconds")]
    pub target_sl: Option<f64>,
    /// Service-level threshold T, seconds.
    #[arg(long)]
    pub threshold_seconds: Option<f64>,
    /// Maximum occupancy allowed when finding the requirement.
    #[arg(long)]
    pub max_occupancy: Option<f64>,
    /// Maximum ASA, seconds, allowed when finding the requirement (Erlang C).
    #[arg(long)]
    pub max_asa_seconds: Option<f64>,
    /// Shrinkage (share of paid time not available for contacts), for scheduled agents.
    #[arg(long)]
    pub shrinkage: Option<f64>,
    /// Mean customer patience, seconds: use Erlang A (abandonment) instead of Erlang C.
    #[arg(long)]
    pub patience_seconds: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

fn bad(message: impl Into<String>) -> anyhow::Error {
    InputError(message.into()).into()
}

/// Runs `cxaudit erlang`.
pub fn run(args: &ErlangArgs) -> anyhow::Result<ExitCode> {
    if !(args.contacts >= 0.0 && args.interval_minutes > 0.0 && args.aht_seconds > 0.0) {
        return Err(bad(
            "--contacts must be >= 0, --interval-minutes and --aht-seconds > 0",
        ));
    }
    let traffic = erlang::traffic_intensity(
        args.contacts,
        args.interval_minutes * 60.0,
        args.aht_seconds,
    )
    .ok_or_else(|| bad("cannot compute the traffic intensity from these inputs"))?;
    let threshold = args.threshold_seconds.unwrap_or(20.0);
    if args.agents.is_none() && args.target_sl.is_none() {
        return Err(bad(
            "give --agents K to evaluate a staffing level, or --target-sl P --threshold-seconds T to find one",
        ));
    }
    let mut out = json!({
        "model": if args.patience_seconds.is_some() { "erlang_a" } else { "erlang_c" },
        "inputs": {
            "contacts": args.contacts,
            "interval_minutes": args.interval_minutes,
            "aht_seconds": args.aht_seconds,
            "threshold_seconds": threshold,
            "target_service_level": args.target_sl,
            "max_occupancy": args.max_occupancy,
            "max_asa_seconds": args.max_asa_seconds,
            "shrinkage": args.shrinkage,
            "patience_seconds": args.patience_seconds,
        },
        "traffic_erlangs": traffic,
    });
    let agents = match (args.agents, args.target_sl) {
        (Some(n), _) => n,
        (None, Some(sl)) => required(args, traffic, threshold, sl)?,
        (None, None) => unreachable!("checked above"),
    };
    if args.target_sl.is_some() {
        out["required_agents"] = json!(agents);
    } else {
        out["agents"] = json!(agents);
    }
    if let Some(shrinkage) = args.shrinkage {
        let scheduled = erlang::scheduled_agents(agents, shrinkage)
            .map_err(|e| bad(format!("--shrinkage: {e}")))?;
        out["scheduled_agents"] = json!(scheduled);
    }
    let figures = figures(args, agents, traffic, threshold)?;
    if let (Value::Object(o), Value::Object(f)) = (&mut out, figures) {
        o.extend(f);
    }
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&out)?),
        Format::Text => print_text(&out),
    }
    Ok(ExitCode::SUCCESS)
}

fn required(args: &ErlangArgs, traffic: f64, threshold: f64, sl: f64) -> anyhow::Result<u32> {
    if let Some(patience) = args.patience_seconds {
        let r = erlang::required_agents_erlang_a(
            traffic,
            args.aht_seconds,
            patience,
            threshold,
            sl,
            args.max_occupancy,
        )
        .map_err(|e| bad(format!("no staffing level meets the target: {e}")))?;
        return Ok(r.agents);
    }
    let mut target = StaffingTarget::new(traffic, args.aht_seconds, threshold, sl);
    if let Some(m) = args.max_occupancy {
        target = target.with_max_occupancy(m);
    }
    if let Some(a) = args.max_asa_seconds {
        target = target.with_max_asa(a);
    }
    erlang::required_agents(&target)
        .map_err(|e| bad(format!("no staffing level meets the target: {e}")))
}

fn figures(args: &ErlangArgs, agents: u32, traffic: f64, threshold: f64) -> anyhow::Result<Value> {
    Ok(match args.patience_seconds {
        Some(patience) => {
            let r = erlang::erlang_a(agents, traffic, args.aht_seconds, patience, threshold)
                .map_err(|e| bad(format!("Erlang A: {e}")))?;
            json!({
                "service_level": r.service_level,
                "wait_probability": r.wait_probability,
                "abandon_probability": r.abandon_probability,
                "asa_seconds": r.asa_answered_seconds,
                "occupancy": r.occupancy,
            })
        }
        None => {
            let r = erlang::erlang_c_metrics(agents, traffic, args.aht_seconds, threshold)
                .map_err(|e| bad(format!("Erlang C: {e}")))?;
            json!({
                "service_level": r.service_level,
                "wait_probability": r.wait_probability,
                "asa_seconds": r.asa_seconds,
                "occupancy": r.occupancy,
                "stable": r.stable,
            })
        }
    })
}

fn print_text(out: &Value) {
    let model = if out["model"] == "erlang_a" {
        "Erlang A"
    } else {
        "Erlang C"
    };
    println!(
        "{model}: traffic {:.4} Erlangs",
        out["traffic_erlangs"].as_f64().unwrap_or(0.0)
    );
    if let Some(n) = out["required_agents"].as_u64() {
        println!("  required agents:   {n}");
    }
    if let Some(n) = out["agents"].as_u64() {
        println!("  agents:            {n}");
    }
    if let Some(n) = out["scheduled_agents"].as_u64() {
        println!("  scheduled agents:  {n} (with shrinkage)");
    }
    let pct = |k: &str| out[k].as_f64().map(|v| format!("{:.2}%", v * 100.0));
    if let Some(v) = pct("service_level") {
        println!(
            "  service level:     {v} within {} s",
            out["inputs"]["threshold_seconds"]
        );
    }
    if let Some(v) = pct("wait_probability") {
        println!("  P(wait):           {v}");
    }
    if let Some(v) = pct("abandon_probability") {
        println!("  P(abandon):        {v}");
    }
    if let Some(v) = out["asa_seconds"].as_f64() {
        println!("  ASA:               {v:.2} s");
    }
    if let Some(v) = pct("occupancy") {
        println!("  occupancy:         {v}");
    }
}

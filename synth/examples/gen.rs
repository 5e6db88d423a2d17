//! Generates one evidence folder: `gen <baseline|followup> <contacts> <seed> <out>`.
//! Used for benchmarks and calibration.

use std::path::PathBuf;
use std::time::Instant;

use cxaudit_synth::{Progress, Scenario, SynthConfig, generate};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: gen <baseline|followup> <contacts> <seed> <out>");
        std::process::exit(2);
    }
    let scenario = match args[1].as_str() {
        "baseline" => Scenario::Baseline,
        "followup" => Scenario::Followup,
        other => {
            eprintln!("unknown scenario {other}");
            std::process::exit(2);
        }
    };
    let (Ok(contacts), Ok(seed)) = (args[2].parse(), args[3].parse()) else {
        eprintln!("contacts and seed must be integers");
        std::process::exit(2);
    };
    let cfg = SynthConfig::new(scenario, contacts, seed);
    let start = Instant::now();
    let mut last = 0;
    let result = generate(&cfg, &PathBuf::from(&args[4]), &mut |p| {
        if let Progress::Day { done, total, .. } = p
            && done * 10 / total != last
        {
            last = done * 10 / total;
            eprint!("{}% ", last * 10);
        }
    });
    eprintln!();
    match result {
        Ok(s) => {
            for (t, n) in &s.rows {
                println!("{t}: {n}");
            }
            println!("seconds: {:.2}", start.elapsed().as_secs_f64());
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

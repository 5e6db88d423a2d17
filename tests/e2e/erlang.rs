//! `cxaudit erlang` against the DOMAIN §5 vectors.

use cxaudit_tests::*;

/// The DOMAIN vector's interval: 100 contacts in 30 minutes at AHT 180 s (A = 10),
/// staffed for 80% in 20 s.
const DOMAIN_VECTOR: &str = "--contacts 100 --interval-minutes 30 --aht-seconds 180 \
                             --target-sl 0.8 --threshold-seconds 20";

/// Runs `cxaudit erlang --format json` with whitespace-separated arguments.
fn erlang(args: &str) -> serde_json::Value {
    let o = run(args);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn run(args: &str) -> std::process::Output {
    let mut all = vec!["erlang", "--format", "json"];
    all.extend(args.split_whitespace());
    cxaudit(&all)
}

fn close(v: &serde_json::Value, expected: f64, rel: f64) {
    let a = v.as_f64().unwrap();
    assert!(
        ((a - expected) / expected).abs() < rel,
        "expected {expected}, got {a}"
    );
}

#[test]
fn staffing_for_80_percent_in_20_seconds_with_shrinkage() {
    let v = erlang(&format!("{DOMAIN_VECTOR} --shrinkage 0.3"));
    assert_eq!(v["traffic_erlangs"], 10.0);
    assert_eq!(v["required_agents"], 14);
    assert_eq!(v["scheduled_agents"], 20);
    close(&v["service_level"], 0.88835002, 1e-6);
    close(&v["occupancy"], 0.7142857, 1e-6);
}

#[test]
fn max_occupancy_raises_the_requirement() {
    let v = erlang(&format!(
        "{DOMAIN_VECTOR} --max-occupancy 0.7 --shrinkage 0.3"
    ));
    assert_eq!(v["required_agents"], 15);
    assert_eq!(v["scheduled_agents"], 22);
}

#[test]
fn large_traffic_wait_probability() {
    let v = erlang(
        "--contacts 1000 --interval-minutes 30 --aht-seconds 1800 --agents 1100 \
         --threshold-seconds 20",
    );
    assert_eq!(v["traffic_erlangs"], 1000.0);
    close(&v["wait_probability"], 0.00104479792840751, 1e-9);
}

#[test]
fn patience_switches_to_erlang_a_and_needs_no_more_agents() {
    let v = erlang(&format!("{DOMAIN_VECTOR} --patience-seconds 120"));
    assert_eq!(v["model"], "erlang_a");
    let n = v["required_agents"].as_u64().unwrap();
    assert!(
        n <= 14,
        "abandonment can only lower the requirement, got {n}"
    );
    assert!(v["service_level"].as_f64().unwrap() >= 0.8);
    assert!(v["abandon_probability"].as_f64().unwrap() > 0.0);
}

#[test]
fn bad_input_exits_2() {
    let o = run("--contacts 10 --interval-minutes 0 --aht-seconds 180 --agents 3");
    assert_eq!(o.status.code(), Some(2));
    let o = run("--contacts 10 --interval-minutes 30 --aht-seconds 180");
    assert_eq!(o.status.code(), Some(2));
}

//! Benchmark for cxaudit-metrics (no criterion): std::time::Instant, several
//! repetitions, median reported. Run with
//! `cargo bench -p cxaudit-metrics` (release profile).
//!
//! Synthetic rows come from a fixed-seed 64-bit LCG (Knuth MMIX constants), so every
//! run measures the same data.

use std::hint::black_box;
use std::time::{Duration, Instant};

use cxaudit_metrics::erlang::{self, StaffingTarget};
use cxaudit_metrics::fcr::{self, FcrContact, FcrParams};
use cxaudit_metrics::service::{
    self, ContactTiming, HandleTime, ServiceCounts, ServiceLevelVariant,
};

const ROWS: usize = 10_000_000;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 11
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        self.next() as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn measure<T>(name: &str, reps: usize, mut f: impl FnMut() -> T) {
    let mut times: Vec<Duration> = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        black_box(f());
        times.push(t.elapsed());
    }
    times.sort();
    let median = times[reps / 2];
    println!(
        "{name:<48} reps {reps:>3}  median {:>12.3?}  min {:>12.3?}  max {:>12.3?}",
        median,
        times[0],
        times[reps - 1]
    );
}

fn main() {
    println!("cxaudit-metrics bench: {ROWS} synthetic rows, median of repetitions");

    // --- Erlang -------------------------------------------------------------------
    for a in [20_000.0, 50_000.0] {
        let q = StaffingTarget::new(a, 180.0, 20.0, 0.8);
        let n = erlang::required_agents(&q).unwrap();
        println!("required_agents(A={a}, SL 80%/20 s, AHT 180 s) = {n}");
        measure(&format!("erlang::required_agents A={a}"), 51, || {
            erlang::required_agents(black_box(&q)).unwrap()
        });
        let q = q.with_max_occupancy(0.9).with_max_asa(10.0);
        measure(
            &format!("erlang::required_agents A={a} +occ+ASA"),
            51,
            || erlang::required_agents(black_box(&q)).unwrap(),
        );
    }
    measure("erlang::erlang_c_metrics N=20000 A=19800", 51, || {
        erlang::erlang_c_metrics(black_box(20_000), 19_800.0, 180.0, 20.0).unwrap()
    });
    measure("erlang::erlang_a N=110 A=100 patience 120 s", 51, || {
        erlang::erlang_a(black_box(110), 100.0, 180.0, 120.0, 20.0).unwrap()
    });
    measure("erlang::erlang_a N=1050 A=1000 patience 300 s", 21, || {
        erlang::erlang_a(black_box(1050), 1000.0, 180.0, 300.0, 20.0).unwrap()
    });

    // --- Service level / ASA / abandon / AHT over 10M rows -------------------------
    let mut rng = Lcg(0x5eed_1234_abcd_0001);
    let t = Instant::now();
    let timings: Vec<ContactTiming> = (0..ROWS)
        .map(|_| {
            let wait = -30.0 * (1.0 - rng.unit()).ln();
            let abandoned = rng.below(100) < 6;
            ContactTiming {
                wait_seconds: wait,
                answered: !abandoned,
                abandoned,
            }
        })
        .collect();
    let handle: Vec<HandleTime> = (0..ROWS)
        .map(|_| HandleTime {
            talk_seconds: 60.0 + rng.below(600) as f64,
            hold_seconds: rng.below(60) as f64,
            wrap_seconds: rng.below(90) as f64,
        })
        .collect();
    println!("generated timing + handle rows in {:.3?}", t.elapsed());
    println!(
        "  service level (default variant) = {:.6}",
        service::service_level(&timings, 20.0, ServiceLevelVariant::default()).unwrap()
    );
    measure("service::service_level 10M (default variant)", 11, || {
        service::service_level(black_box(&timings), 20.0, ServiceLevelVariant::default())
    });
    measure("service::ServiceCounts::from_contacts 10M", 11, || {
        ServiceCounts::from_contacts(black_box(&timings), 20.0, 5.0)
    });
    measure("service::asa 10M", 11, || service::asa(black_box(&timings)));
    measure("service::abandon_rate 10M (excl. short)", 11, || {
        service::abandon_rate(black_box(&timings), Some(5.0))
    });
    measure("service::aht_records 10M", 11, || {
        service::aht_records(black_box(&handle))
    });
    drop(timings);
    drop(handle);

    // --- FCR over 10M rows ---------------------------------------------------------
    let customers: Vec<String> = (0..2_000_000).map(|i| format!("C{i:08}")).collect();
    let agents: Vec<String> = (0..800).map(|i| format!("agent-{i:04}")).collect();
    let queues: Vec<String> = (0..24).map(|i| format!("queue-{i:02}")).collect();
    let t = Instant::now();
    let rows: Vec<FcrContact<'_>> = (0..ROWS)
        .map(|_| {
            let arrived = rng.below(60 * 86_400) as i64;
            let abandoned = rng.below(100) < 6;
            let no_customer = rng.below(100) < 3;
            FcrContact {
                customer_id: (!no_customer)
                    .then(|| customers[rng.below(customers.len() as u64) as usize].as_str()),
                arrived_at: arrived,
                ended_at: (!abandoned).then(|| arrived + 60 + rng.below(1200) as i64),
                agent_id: (!abandoned)
                    .then(|| agents[rng.below(agents.len() as u64) as usize].as_str()),
                queue: queues[rng.below(queues.len() as u64) as usize].as_str(),
                abandoned,
            }
        })
        .collect();
    println!("generated {ROWS} FCR rows in {:.3?}", t.elapsed());
    let params = FcrParams::default();
    let report = fcr::fcr_from_repeats(&rows, &params).unwrap();
    let o = report.overall;
    println!(
        "  FCR = {:.4} (eligible {}, repeat generators {}, censored {}, no customer {}, abandoned {}); {} agents, {} queues",
        o.fcr().unwrap(),
        o.eligible,
        o.repeat_generators,
        o.censored,
        o.excluded_no_customer,
        o.excluded_abandoned,
        report.by_agent.len(),
        report.by_queue.len()
    );
    measure("fcr::CustomerCodes::of 10M", 5, || {
        fcr::CustomerCodes::of(black_box(&rows)).unwrap()
    });
    measure("fcr::classify 10M", 5, || {
        fcr::classify(black_box(&rows), &params).unwrap().len()
    });
    measure("fcr::fcr_from_repeats 10M (+ by agent, queue)", 5, || {
        fcr::fcr_from_repeats(black_box(&rows), &params)
            .unwrap()
            .overall
    });
}

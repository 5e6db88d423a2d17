//! Property tests for cxaudit-metrics (proptest).

use cxaudit_metrics::erlang::{self, StaffingTarget};
use cxaudit_metrics::fcr::{self, FcrContact, FcrParams, FcrVisit};
use cxaudit_metrics::forecast::{self, ToleranceRule};
use cxaudit_metrics::service::{self, ContactTiming, ServiceCounts, ServiceLevelVariant};
use cxaudit_metrics::{staffing, survey};
use proptest::prelude::*;

fn in_unit(x: f64) -> bool {
    (0.0..=1.0).contains(&x)
}

fn contact_timing() -> impl Strategy<Value = ContactTiming> {
    (0.0f64..600.0, 0u8..3).prop_map(|(wait_seconds, kind)| ContactTiming {
        wait_seconds,
        answered: kind == 0,
        abandoned: kind == 1,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn erlang_c_service_level_rises_with_agents(
        a in 0.1f64..300.0, aht in 10.0f64..900.0, t in 0.0f64..120.0,
    ) {
        let start = a.floor() as u32;
        let mut prev = 0.0;
        for n in start.max(1)..start + 60 {
            let sl = erlang::service_level(n, a, aht, t).unwrap();
            prop_assert!(in_unit(sl));
            prop_assert!(sl >= prev - 1e-12, "n={} sl={} prev={}", n, sl, prev);
            prev = sl;
            let pw = erlang::erlang_c(n, a).unwrap();
            prop_assert!(in_unit(pw));
            prop_assert!(in_unit(erlang::occupancy(n, a).unwrap()));
        }
    }

    #[test]
    fn required_agents_is_minimal(
        a in 0.0f64..3000.0, aht in 10.0f64..900.0, t in 0.0f64..120.0,
        sl in 0.0f64..0.999, occ in proptest::option::of(0.5f64..1.0),
        max_asa in proptest::option::of(1.0f64..120.0),
    ) {
        let mut q = StaffingTarget::new(a, aht, t, sl);
        q.max_occupancy = occ;
        q.max_asa_seconds = max_asa;
        let n = erlang::required_agents(&q).unwrap();
        prop_assert!(f64::from(n) > a);
        prop_assert!(q.is_met_by(n).unwrap());
        prop_assert!(f64::from(n - 1) <= a || !q.is_met_by(n - 1).unwrap());
        let scheduled = erlang::scheduled_agents(n, 0.3).unwrap();
        prop_assert!(f64::from(scheduled) * 0.7 >= f64::from(n) - 1e-9);
    }

    #[test]
    fn erlang_a_probabilities_are_rates(
        n in 1u32..60, a in 0.0f64..80.0, aht in 30.0f64..600.0,
        patience in 5.0f64..2000.0, t in 0.0f64..60.0,
    ) {
        let r = erlang::erlang_a(n, a, aht, patience, t).unwrap();
        prop_assert!(in_unit(r.wait_probability));
        prop_assert!(in_unit(r.abandon_probability));
        prop_assert!(r.abandon_probability <= r.wait_probability + 1e-15);
        prop_assert!(in_unit(r.service_level));
        prop_assert!(in_unit(r.occupancy));
        prop_assert!(r.asa_answered_seconds.unwrap() >= 0.0);
        let more = erlang::erlang_a(n + 1, a, aht, patience, t).unwrap();
        prop_assert!(more.abandon_probability <= r.abandon_probability + 1e-12);
    }

    #[test]
    fn measured_service_rates_in_unit_interval(
        rows in proptest::collection::vec(contact_timing(), 0..300),
        t in 0.0f64..60.0, short in 0.0f64..10.0,
    ) {
        let variants = [
            ServiceLevelVariant::AnsweredOverOffered,
            ServiceLevelVariant::AnsweredOverAnswered,
            ServiceLevelVariant::AnsweredAndAbandonedWithinOverOffered,
            ServiceLevelVariant::AnsweredOverOfferedExcludingShortAbandons { short_abandon_seconds: short },
        ];
        for v in variants {
            if let Some(sl) = service::service_level(&rows, t, v) {
                prop_assert!(in_unit(sl), "{:?} {}", v, sl);
            }
        }
        let counts = ServiceCounts::from_contacts(&rows, t, short);
        for ex in [false, true] {
            if let Some(r) = counts.abandon_rate(ex) {
                prop_assert!(in_unit(r));
            }
        }
        if let Some(asa) = service::asa(&rows) {
            prop_assert!(asa >= 0.0);
        }
    }

    #[test]
    fn other_rates_in_unit_interval(
        handling in 0.0f64..1e6, available in 0.0f64..1e6,
        scores in proptest::collection::vec(0u8..12, 0..200),
        r in proptest::collection::vec(0.0f64..100.0, 1..50),
        x1 in 0u64..500, extra1 in 0u64..500, x2 in 0u64..500, extra2 in 0u64..500,
    ) {
        if let Some(o) = service::occupancy(handling, available) {
            prop_assert!(in_unit(o));
        }
        if let Some(c) = survey::csat_top_two_box(&scores).rate() {
            prop_assert!(in_unit(c));
        }
        if let Some(n) = survey::nps(&scores) {
            prop_assert!((-100.0..=100.0).contains(&n.nps) && n.standard_error >= 0.0);
        }
        let s: Vec<f64> = r.iter().map(|v| v * 0.9).collect();
        if let Ok(u) = staffing::under_staffing(&r, &s) {
            prop_assert!(in_unit(u));
        }
        if let Some(z) = survey::two_proportion_z_test(x1, x1 + extra1, x2, x2 + extra2) {
            prop_assert!(in_unit(z.p_value));
        }
        let tol = forecast::within_tolerance(&s, &r, ToleranceRule::relative(0.05)).unwrap();
        if let Some(w) = tol.share() {
            prop_assert!(in_unit(w));
        }
    }

    #[test]
    fn wape_invariant_to_scaling(
        pairs in proptest::collection::vec((0.0f64..1000.0, 0.0f64..1000.0), 1..100),
        k in 1e-3f64..1e3,
    ) {
        let f: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        let a: Vec<f64> = pairs.iter().map(|p| p.1).collect();
        let fk: Vec<f64> = f.iter().map(|v| v * k).collect();
        let ak: Vec<f64> = a.iter().map(|v| v * k).collect();
        match (forecast::wape(&f, &a), forecast::wape(&fk, &ak)) {
            (Ok(w), Ok(wk)) => prop_assert!((w - wk).abs() <= 1e-12 * w.max(1.0), "{} {}", w, wk),
            (Err(_), Err(_)) => {}
            (x, y) => prop_assert!(false, "{:?} vs {:?}", x, y),
        }
    }

    #[test]
    fn fcr_independent_of_row_order(
        spec in proptest::collection::vec(
            (0usize..8, 0i64..40 * 86_400, 0i64..3_600, 0usize..4, 0usize..3, 0u8..10),
            0..120,
        ).prop_flat_map(|v| {
            let n = v.len();
            (Just(v), Just((0..n).collect::<Vec<usize>>()).prop_shuffle())
        }),
        window in 0u32..10,
    ) {
        let (rows_spec, perm) = spec;
        const CUSTOMERS: [&str; 8] = ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"];
        const AGENTS: [&str; 4] = ["a0", "a1", "a2", "a3"];
        const QUEUES: [&str; 3] = ["q0", "q1", "q2"];
        let rows: Vec<FcrContact<'static>> = rows_spec
            .iter()
            .map(|&(c, arrived, dur, ag, q, flags)| FcrContact {
                customer_id: (flags != 0).then_some(CUSTOMERS[c]),
                arrived_at: arrived,
                ended_at: (flags != 1).then_some(arrived + dur),
                agent_id: (flags != 2).then_some(AGENTS[ag]),
                queue: QUEUES[q],
                abandoned: flags == 3,
            })
            .collect();
        let shuffled: Vec<FcrContact<'static>> = perm.iter().map(|&i| rows[i]).collect();
        let params = FcrParams { window_days: window, data_end: None, ..FcrParams::default() };
        let a = fcr::fcr_from_repeats(&rows, &params).unwrap();
        let b = fcr::fcr_from_repeats(&shuffled, &params).unwrap();
        prop_assert_eq!(&a, &b);
        let ca = fcr::classify(&rows, &params).unwrap();
        let cb = fcr::classify(&shuffled, &params).unwrap();
        for (k, &i) in perm.iter().enumerate() {
            prop_assert_eq!(cb[k], ca[i]);
        }
        // The packed visits classify as the contacts they come from.
        let visits: Vec<FcrVisit<'static>> = rows
            .iter()
            .map(|r| FcrVisit::new(r.customer_id, r.arrived_at, r.ended_at, r.abandoned))
            .collect();
        prop_assert_eq!(&fcr::classify(&visits, &params).unwrap(), &ca);
        // brute-force O(n^2) reference classification
        let data_end = rows.iter().map(|r| r.arrived_at).max();
        let w = i64::from(window) * fcr::SECONDS_PER_DAY;
        for (i, r) in rows.iter().enumerate() {
            use fcr::FcrClass::*;
            let expect = match (r.customer_id, r.abandoned, r.ended_at) {
                (None, _, _) => NoCustomer,
                (_, true, _) => Abandoned,
                (_, false, None) => NoEnd,
                (Some(cust), false, Some(end)) => {
                    if end + w > data_end.unwrap() {
                        Censored
                    } else if rows.iter().enumerate().any(|(j, o)| {
                        j != i && o.customer_id == Some(cust) && o.arrived_at > end && o.arrived_at <= end + w
                    }) {
                        RepeatGenerator
                    } else {
                        Resolved
                    }
                }
            };
            prop_assert_eq!(ca[i], expect, "row {}", i);
        }
        let o = a.overall;
        prop_assert_eq!(
            o.contacts,
            o.eligible + o.excluded_no_customer + o.excluded_abandoned + o.excluded_no_end + o.censored
        );
        if let Some(f) = o.fcr() {
            prop_assert!(in_unit(f));
        }
    }
}

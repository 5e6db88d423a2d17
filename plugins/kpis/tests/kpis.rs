//! KPIs on a hand-built centre; every expected value is worked out in the
//! comments from the rows.

use chrono::NaiveDate;
use cxaudit_kpis::{Evidence, GroupBy, GroupKpis, Kpi, KpiOptions, KpiValue, compute, overall};
use cxaudit_plugin_sdk::Table;
use cxaudit_plugin_sdk::testing::TableBuilder;

fn table(name: &str, b: TableBuilder) -> Option<Table> {
    let batch = b.build();
    Some(Table::new(name, batch.schema(), vec![batch]))
}

/// Seven contacts: four voice in January, chat, e-mail and self-service in February.
fn contacts() -> Option<Table> {
    table(
        "contacts",
        TableBuilder::new()
            .strings(
                "customer_id",
                [
                    Some("u1"),
                    Some("u2"),
                    Some("u3"),
                    Some("u1"),
                    Some("u4"),
                    Some("u5"),
                    Some("u6"),
                ],
            )
            .strings(
                "channel",
                [
                    Some("voice"),
                    Some("voice"),
                    Some("voice"),
                    Some("voice"),
                    Some("chat"),
                    Some("email"),
                    Some("self_service"),
                ],
            )
            .strings(
                "queue",
                [
                    Some("q1"),
                    Some("q1"),
                    Some("q1"),
                    Some("q1"),
                    Some("q2"),
                    Some("q2"),
                    Some("q2"),
                ],
            )
            .strings(
                "agent_id",
                [
                    Some("a1"),
                    Some("a2"),
                    None,
                    None,
                    Some("a1"),
                    Some("a2"),
                    None,
                ],
            )
            .timestamps(
                "arrived_at",
                [
                    Some("2026-01-05T09:00:00"),
                    Some("2026-01-05T09:01:00"),
                    Some("2026-01-05T09:02:00"),
                    Some("2026-01-05T09:30:00"),
                    Some("2026-02-10T10:00:00"),
                    Some("2026-02-10T11:00:00"),
                    Some("2026-02-11T12:00:00"),
                ],
            )
            .timestamps(
                "answered_at",
                [
                    Some("2026-01-05T09:00:10"), // wait 10 s
                    Some("2026-01-05T09:01:30"), // wait 30 s
                    None,
                    None,
                    Some("2026-02-10T10:00:05"), // wait 5 s
                    Some("2026-02-10T12:00:00"), // e-mail, 1 h
                    None,
                ],
            )
            .timestamps(
                "ended_at",
                [
                    Some("2026-01-05T09:05:10"),
                    Some("2026-01-05T09:03:30"),
                    Some("2026-01-05T09:02:03"), // abandoned after 3 s (short)
                    Some("2026-01-05T09:30:40"), // abandoned after 40 s
                    Some("2026-02-10T10:03:25"),
                    Some("2026-02-10T12:01:40"),
                    Some("2026-02-11T12:01:00"),
                ],
            )
            .floats(
                "talk_seconds",
                [
                    Some(240.0),
                    Some(100.0),
                    Some(0.0),
                    Some(0.0),
                    Some(200.0),
                    Some(100.0),
                    Some(0.0),
                ],
            )
            .floats(
                "hold_seconds",
                [
                    Some(30.0),
                    Some(0.0),
                    Some(0.0),
                    Some(0.0),
                    Some(0.0),
                    Some(0.0),
                    Some(0.0),
                ],
            )
            .floats(
                "wrap_seconds",
                [
                    Some(30.0),
                    Some(20.0),
                    Some(0.0),
                    Some(0.0),
                    Some(0.0),
                    Some(0.0),
                    Some(0.0),
                ],
            )
            .bools(
                "abandoned",
                [
                    Some(false),
                    Some(false),
                    Some(true),
                    Some(true),
                    Some(false),
                    Some(false),
                    Some(false),
                ],
            )
            .bools(
                "transferred",
                [
                    Some(false),
                    Some(true),
                    Some(false),
                    Some(false),
                    Some(false),
                    Some(false),
                    Some(false),
                ],
            ),
    )
}

fn evidence() -> Evidence {
    Evidence {
        contacts: contacts(),
        intervals: table(
            "intervals",
            TableBuilder::new()
                .strings("queue", [Some("q1"); 4])
                .timestamps(
                    "interval_start",
                    [
                        Some("2026-01-05T09:00:00"),
                        Some("2026-01-05T09:30:00"),
                        Some("2026-02-10T09:00:00"),
                        Some("2026-02-10T09:30:00"),
                    ],
                )
                .floats(
                    "forecast_contacts",
                    [Some(100.0), Some(120.0), Some(80.0), Some(50.0)],
                )
                .floats(
                    "actual_contacts",
                    [Some(110.0), Some(100.0), Some(80.0), Some(40.0)],
                ),
        ),
        agents: table(
            "agents",
            TableBuilder::new()
                .dates(
                    "hired_on",
                    [
                        Some("2025-06-01"),
                        Some("2025-06-01"),
                        Some("2026-01-10"),
                        Some("2025-01-01"),
                    ],
                )
                .dates(
                    "exited_on",
                    [None, Some("2026-01-20"), None, Some("2026-02-28")],
                ),
        ),
        adherence: table(
            "adherence",
            TableBuilder::new()
                .strings("agent_id", [Some("a1"), Some("a2")])
                .dates("date", [Some("2026-01-05"), Some("2026-01-05")])
                .floats("scheduled_minutes", [Some(480.0), Some(480.0)])
                .floats("adherent_minutes", [Some(432.0), Some(410.0)])
                .floats("worked_minutes", [Some(470.0), Some(420.0)])
                .floats("unplanned_absence_minutes", [Some(0.0), Some(60.0)])
                .floats("paid_minutes", [Some(540.0), Some(540.0)]),
        ),
        surveys: table(
            "surveys",
            TableBuilder::new()
                .strings(
                    "channel",
                    [Some("voice"), Some("voice"), Some("chat"), Some("chat")],
                )
                .strings("agent_id", [Some("a1"), Some("a2"), Some("a1"), Some("a1")])
                .timestamps(
                    "invited_at",
                    [
                        Some("2026-01-05T10:00:00"),
                        Some("2026-01-06T10:00:00"),
                        Some("2026-02-10T11:00:00"),
                        Some("2026-02-10T11:00:00"),
                    ],
                )
                .timestamps(
                    "responded_at",
                    [
                        Some("2026-01-05T11:00:00"),
                        Some("2026-01-06T11:00:00"),
                        None,
                        Some("2026-02-10T12:00:00"),
                    ],
                )
                .integers("csat", [Some(5), Some(3), None, Some(4)])
                .integers("nps", [Some(10), Some(6), None, Some(8)]),
        ),
        business_daily: table(
            "business_daily",
            TableBuilder::new()
                .dates("date", [Some("2026-01-05"), Some("2026-02-10")])
                .integers("orders", [Some(100), Some(50)])
                .floats("operating_cost", [Some(500.0), None]),
        ),
    }
}

fn options() -> KpiOptions {
    KpiOptions::default().with_period(
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 2, 28).unwrap(),
    )
}

fn close(actual: Option<f64>, expected: f64) {
    let a = actual.unwrap_or_else(|| panic!("expected {expected}, got no value"));
    assert!((a - expected).abs() < 1e-9, "expected {expected}, got {a}");
}

#[test]
fn overall_values_match_hand_computation() {
    let k = overall(&evidence(), &options());
    // Service channels: c1 (10 s), c2 (30 s), c3 (abandoned 3 s), c4 (abandoned 40 s), c5 chat (5 s).
    // Answered within 20 s: c1, c5 = 2; offered 5; short abandons (<= 5 s): c3 = 1. SL = 2 / (5 - 1).
    close(k.value(Kpi::ServiceLevel), 0.5);
    close(k.value(Kpi::AsaSeconds), (10.0 + 30.0 + 5.0) / 3.0);
    close(k.value(Kpi::AbandonRate), 2.0 / 5.0);
    // Handled: c1 (300 s), c2 (120 s), c5 (200 s), c6 e-mail (100 s); self-service and abandons are not.
    close(k.value(Kpi::AhtSeconds), 720.0 / 4.0);
    close(k.value(Kpi::TransferRate), 1.0 / 4.0);
    close(k.value(Kpi::Contacts), 7.0);
    // FCR: data end = 2026-02-11 12:00. Eligible: c1 (u1 comes back with c4 at 09:30, after c1
    // ended at 09:05:10: a repeat) and c2 (resolved). c5, c6, c7 censored; c3, c4 abandoned.
    close(k.value(Kpi::FcrRate), 0.5);
    // DOMAIN vector: F=[100,120,80,50], A=[110,100,80,40] -> WAPE 40/330, bias 20/330.
    close(k.value(Kpi::ForecastWape), 40.0 / 330.0);
    close(k.value(Kpi::ForecastBias), 20.0 / 330.0);
    close(k.value(Kpi::ScheduleAdherence), (432.0 + 410.0) / 960.0);
    close(k.value(Kpi::AbsenceRate), 60.0 / 960.0);
    // Utilisation: worked (logged in, handling or available) / paid = (470 + 420) / (540 + 540).
    close(k.value(Kpi::Utilisation), 890.0 / 1080.0);
    // Occupancy: handle / worked = 720 s / (890 min).
    close(k.value(Kpi::Occupancy), 720.0 / (890.0 * 60.0));
    // Attrition: January 1 leaver / avg(3, 3); February 1 leaver / avg(3, 2).
    // Sum method over 2 months: (1/3 + 1/2.5) * 12 / 2.
    close(k.value(Kpi::AttritionAnnualized), (1.0 / 3.0 + 0.4) * 6.0);
    // Responses: csat 5, 3, 4 -> top-2 2/3; nps 10, 6, 8 -> 1/3 - 1/3 = 0; 3 of 4 responded.
    close(k.value(Kpi::CsatTop2), 2.0 / 3.0);
    close(k.value(Kpi::Nps), 0.0);
    close(k.value(Kpi::SurveyResponseRate), 0.75);
    // The table states no selection method: no invitation is known to be random, so
    // these are the figures of a biased sample, and say so.
    assert!(k.note(Kpi::CsatTop2).unwrap().starts_with("biased sample"));
    // Demand, each ratio over the days that state both sides: business rows 01-05 (100 orders,
    // cost 500) and 02-10 (50 orders, no cost). Contacts per order: 01-05 (c1-c4) and 02-10
    // (c5, c6): 6 / 150; 02-11 (c7) has no business row and is left out.
    close(k.value(Kpi::ContactsPerOrder), 6.0 / 150.0);
    // Cost is stated on 01-05 only: 500 / 100 orders, 500 / 2 handled contacts (c1, c2).
    close(k.value(Kpi::CostPerOrder), 500.0 / 100.0);
    close(k.value(Kpi::CostPerContact), 250.0);
}

#[test]
fn monthly_groups_split_by_local_month() {
    let r = compute(&evidence(), GroupBy::Month, &options());
    let keys: Vec<&str> = r.groups.iter().map(|g| g.group.as_str()).collect();
    assert_eq!(keys, ["2026-01", "2026-02"]);
    let jan = r.group("2026-01").unwrap();
    // January: offered 4, within 20 s 1 (c1), short abandons 1 -> 1/3.
    close(jan.value(Kpi::ServiceLevel), 1.0 / 3.0);
    close(jan.value(Kpi::AttritionAnnualized), 4.0);
    let feb = r.group("2026-02").unwrap();
    close(feb.value(Kpi::ServiceLevel), 1.0);
    close(feb.value(Kpi::AttritionAnnualized), 0.4 * 12.0);
    // February has no operating cost: no data, not zero; 02-10 (50 orders, c5 and c6 handled)
    // is left out of both cost ratios, and 02-11 (c7, self-service) of cost per contact.
    // Contacts per order: 02-10, 2 contacts / 50 orders; 02-11 has no business row: left out.
    assert!(matches!(
        feb.values[&Kpi::CostPerOrder],
        KpiValue::NoData(_)
    ));
    coverage(feb, Kpi::CostPerOrder, (0.0, 0.0), 0, &["2026-02-10"]);
    coverage(
        feb,
        Kpi::CostPerContact,
        (0.0, 0.0),
        0,
        &["2026-02-10", "2026-02-11"],
    );
    close(feb.value(Kpi::ContactsPerOrder), 2.0 / 50.0);
    coverage(feb, Kpi::ContactsPerOrder, (2.0, 50.0), 1, &["2026-02-11"]);
    close(jan.value(Kpi::ContactsPerOrder), 4.0 / 100.0);
    coverage(jan, Kpi::CostPerContact, (500.0, 2.0), 1, &[]);
}

#[test]
fn time_zone_moves_contacts_across_local_months() {
    let late = table(
        "contacts",
        TableBuilder::new()
            .strings("customer_id", [Some("u")])
            .strings("channel", [Some("voice")])
            .strings("queue", [Some("q")])
            .strings("agent_id", [Some("a")])
            .timestamps("arrived_at", [Some("2026-01-31T20:00:00")])
            .timestamps("answered_at", [Some("2026-01-31T20:00:05")])
            .timestamps("ended_at", [Some("2026-01-31T20:05:00")])
            .floats("talk_seconds", [Some(1.0)])
            .floats("hold_seconds", [Some(0.0)])
            .floats("wrap_seconds", [Some(0.0)])
            .bools("abandoned", [Some(false)])
            .bools("transferred", [Some(false)]),
    );
    let ev = Evidence {
        contacts: late,
        ..Evidence::default()
    };
    let utc = compute(&ev, GroupBy::Month, &KpiOptions::default());
    assert_eq!(utc.groups[0].group, "2026-01");
    let tokyo = compute(
        &ev,
        GroupBy::Month,
        &KpiOptions::default().with_time_zone("Asia/Tokyo").unwrap(),
    );
    assert_eq!(
        tokyo.groups[0].group, "2026-02",
        "20:00 UTC on 31 January is 05:00 on 1 February in Tokyo"
    );
}

#[test]
fn absent_tables_are_unavailable_not_zero() {
    let k = overall(
        &Evidence {
            contacts: contacts(),
            ..Evidence::default()
        },
        &options(),
    );
    for kpi in [
        Kpi::ForecastWape,
        Kpi::CsatTop2,
        Kpi::CostPerOrder,
        Kpi::AttritionAnnualized,
        Kpi::ScheduleAdherence,
    ] {
        match &k.values[&kpi] {
            KpiValue::Unavailable(why) => assert!(why.contains("no `"), "{kpi:?}: {why}"),
            other => panic!("{kpi:?} should be unavailable, got {other:?}"),
        }
    }
    close(k.value(Kpi::ServiceLevel), 0.5);
}

#[test]
fn utilisation_needs_paid_minutes_and_counts_idle_time() {
    // Per agent: a1 worked 470 of 540 paid minutes; its 500 s of handling do not enter.
    let r = compute(&evidence(), GroupBy::Agent, &options());
    close(
        r.group("a1").unwrap().value(Kpi::Utilisation),
        470.0 / 540.0,
    );
    // Without paid minutes, utilisation is unavailable (never worked / scheduled in disguise);
    // occupancy and adherence still come out.
    let mut ev = evidence();
    ev.adherence = table(
        "adherence",
        TableBuilder::new()
            .strings("agent_id", [Some("a1")])
            .dates("date", [Some("2026-01-05")])
            .floats("scheduled_minutes", [Some(480.0)])
            .floats("adherent_minutes", [Some(432.0)])
            .floats("worked_minutes", [Some(470.0)])
            .floats("unplanned_absence_minutes", [Some(0.0)]),
    );
    let k = overall(&ev, &options());
    match &k.values[&Kpi::Utilisation] {
        KpiValue::Unavailable(why) => assert!(why.contains("paid_minutes"), "{why}"),
        other => panic!("utilisation should be unavailable, got {other:?}"),
    }
    close(k.value(Kpi::ScheduleAdherence), 432.0 / 480.0);
    close(k.value(Kpi::Occupancy), 720.0 / (470.0 * 60.0));
}

#[test]
fn groupings_that_do_not_apply_say_why() {
    let r = compute(&evidence(), GroupBy::Agent, &options());
    let a1 = r.group("a1").unwrap();
    assert!(matches!(
        a1.values[&Kpi::ServiceLevel],
        KpiValue::Unavailable(_)
    ));
    // a1 handled c1 (300 s) and c5 (200 s).
    close(a1.value(Kpi::AhtSeconds), 250.0);
    close(a1.value(Kpi::ScheduleAdherence), 432.0 / 480.0);
    assert!(matches!(
        a1.values[&Kpi::ForecastWape],
        KpiValue::Unavailable(_)
    ));
    let q = compute(&evidence(), GroupBy::Queue, &options());
    close(q.group("q1").unwrap().value(Kpi::Contacts), 4.0);
}

#[test]
fn every_kpi_has_a_definition_and_unit() {
    let r = compute(&evidence(), GroupBy::All, &options());
    assert_eq!(r.definitions.len(), Kpi::ALL.len());
    let sl = r
        .definitions
        .iter()
        .find(|d| d.kpi == Kpi::ServiceLevel)
        .unwrap();
    assert!(sl.definition.contains("T = 20 s"), "{}", sl.definition);
    assert_eq!(sl.parameters["short_abandon_seconds"], 5.0);
}

/// Two voice contacts stamped to the millisecond, as an ACD exports them.
fn sub_second_contacts() -> Evidence {
    let contacts = table(
        "contacts",
        TableBuilder::new()
            .strings("customer_id", [Some("u1"), Some("u2")])
            .strings("channel", [Some("voice"), Some("voice")])
            .strings("queue", [Some("q1"), Some("q1")])
            .strings("agent_id", [Some("a1"), None])
            .timestamps(
                "arrived_at",
                [
                    Some("2026-01-05T10:00:00.900"),
                    Some("2026-01-05T11:00:00.001"),
                ],
            )
            .timestamps("answered_at", [Some("2026-01-05T10:00:20.950"), None])
            .timestamps(
                "ended_at",
                [
                    Some("2026-01-05T10:05:20.950"),
                    Some("2026-01-05T11:00:05.900"),
                ],
            )
            .floats("talk_seconds", [Some(300.0), Some(0.0)])
            .floats("hold_seconds", [Some(0.0), Some(0.0)])
            .floats("wrap_seconds", [Some(0.0), Some(0.0)])
            .bools("abandoned", [Some(false), Some(true)])
            .bools("transferred", [Some(false), Some(false)]),
    );
    Evidence {
        contacts,
        ..Evidence::default()
    }
}

#[test]
fn sub_second_waits_are_judged_exactly() {
    let k = overall(&sub_second_contacts(), &options());
    // k1 waits 10:00:20.950 - 10:00:00.900 = 20.050 s: over T = 20 s (within is <= T).
    // k2 abandons after 11:00:05.900 - 11:00:00.001 = 5.899 s: not a short abandon (<= 5 s).
    // Default variant: answered within T / (offered - short abandons) = 0 / (2 - 0) = 0.
    // (Truncated to whole seconds: 20 s within T, 5 s short, 1 / (2 - 1) = 1.)
    close(k.value(Kpi::ServiceLevel), 0.0);
    // ASA: queue time of answered / answered = 20.050 / 1.
    close(k.value(Kpi::AsaSeconds), 20.05);
    // Abandon rate: abandoned / offered = 1 / 2 (the short-abandon exclusion is off by default).
    close(k.value(Kpi::AbandonRate), 0.5);
    // Excluding short abandons changes nothing: k2's 5.899 s is not short, 1 / 2.
    let exclude = KpiOptions {
        abandon_excludes_short: true,
        ..options()
    };
    close(
        overall(&sub_second_contacts(), &exclude).value(Kpi::AbandonRate),
        0.5,
    );
}

/// Answered voice contacts arriving at `arrivals` (UTC), five minutes each.
fn contacts_at(arrivals: &[&str]) -> Option<Table> {
    let n = arrivals.len();
    let at = |secs: i64| -> Vec<String> {
        arrivals
            .iter()
            .map(|a| {
                let t = chrono::NaiveDateTime::parse_from_str(a, "%Y-%m-%dT%H:%M:%S").unwrap();
                (t + chrono::Duration::seconds(secs))
                    .format("%Y-%m-%dT%H:%M:%S")
                    .to_string()
            })
            .collect()
    };
    let (answered, ended) = (at(5), at(300));
    table(
        "contacts",
        TableBuilder::new()
            .strings("customer_id", (0..n).map(|_| Some("K")))
            .strings("channel", vec![Some("voice"); n])
            .strings("queue", vec![Some("q"); n])
            .strings("agent_id", vec![Some("a"); n])
            .timestamps("arrived_at", arrivals.iter().map(|a| Some(*a)))
            .timestamps("answered_at", answered.iter().map(|a| Some(a.as_str())))
            .timestamps("ended_at", ended.iter().map(|a| Some(a.as_str())))
            .floats("talk_seconds", vec![Some(295.0); n])
            .floats("hold_seconds", vec![Some(0.0); n])
            .floats("wrap_seconds", vec![Some(0.0); n])
            .bools("abandoned", vec![Some(false); n])
            .bools("transferred", vec![Some(false); n]),
    )
}

/// Two answered voice contacts: K1 on 2026-03-02 and K2 on 2026-03-03 (UTC).
fn two_contacts() -> Option<Table> {
    contacts_at(&["2026-03-02T10:00:00", "2026-03-03T10:00:00"])
}

fn day(d: &str) -> NaiveDate {
    NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()
}

/// Asserts the days a ratio was summed over: numerator, denominator, days used, days left out.
fn coverage(k: &GroupKpis, kpi: Kpi, sums: (f64, f64), used: u32, left_out: &[&str]) {
    let c = k
        .coverage(kpi)
        .unwrap_or_else(|| panic!("{kpi:?} has no coverage"));
    assert_eq!((c.numerator, c.denominator), sums, "{kpi:?}");
    assert_eq!(c.days_used, used, "{kpi:?}");
    let expected: Vec<NaiveDate> = left_out.iter().map(|d| day(d)).collect();
    assert_eq!(c.left_out, expected, "{kpi:?}");
    assert_eq!(c.days_left_out(), left_out.len());
}

/// `business_daily` rows: (date, orders, operating cost).
fn business(rows: &[(&str, Option<i64>, Option<f64>)]) -> Option<Table> {
    table(
        "business_daily",
        TableBuilder::new()
            .dates("date", rows.iter().map(|r| Some(r.0)))
            .integers("orders", rows.iter().map(|r| r.1))
            .floats("operating_cost", rows.iter().map(|r| r.2)),
    )
}

fn march() -> KpiOptions {
    KpiOptions::default().with_period(
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
    )
}

#[test]
fn fcr_is_classified_over_the_contacts_of_the_period_only() {
    // One customer: 02-27 (before the period), 03-02 and 03-20. Over March
    // alone, 03-02 has no repeat within 7 days (03-20 is 18 days on) and
    // 03-20 is censored by the data's end: FCR 1 of 1. Were 02-27 classified
    // too (a repeat: 03-02 follows within 7 days), the classes and the
    // period's rows would be out of step and give 1 of 2.
    let evidence = Evidence {
        contacts: contacts_at(&[
            "2026-02-27T10:00:00",
            "2026-03-02T10:00:00",
            "2026-03-20T10:00:00",
        ]),
        ..Evidence::default()
    };
    let only = [Kpi::FcrRate, Kpi::Contacts];
    for by in [GroupBy::All, GroupBy::Channel, GroupBy::Month] {
        let report = compute(&evidence, by, &march().only(&only));
        assert_eq!(report.groups.len(), 1, "{by:?}");
        let k = &report.groups[0];
        close(k.value(Kpi::Contacts), 2.0);
        close(k.value(Kpi::FcrRate), 1.0);
    }
}

/// Two contacts in March (03-02, 03-03) and 10 orders on each day, a cost of
/// 100 stated on 03-02 only.
fn orders_with_one_cost() -> Evidence {
    Evidence {
        contacts: two_contacts(),
        business_daily: business(&[
            ("2026-03-02", Some(10), Some(100.0)),
            ("2026-03-03", Some(10), None),
        ]),
        ..Evidence::default()
    }
}

#[test]
fn cost_ratios_sum_both_sides_over_the_days_that_state_a_cost() {
    // 03-02: 1 contact, 10 orders, cost 100. 03-03: 1 contact, 10 orders, no cost.
    // Cost per order: only 03-02 states cost and orders: 100 / 10 = 10 (03-03 left out).
    // Cost per contact: only 03-02 states a cost; 1 handled contact that day: 100 / 1 = 100
    // (03-03 left out). Contacts per order: both days state orders: 2 / 20 = 0.1.
    let ev = orders_with_one_cost();
    let k = overall(&ev, &march());
    close(k.value(Kpi::CostPerOrder), 10.0);
    close(k.value(Kpi::CostPerContact), 100.0);
    close(k.value(Kpi::ContactsPerOrder), 0.1);
    coverage(&k, Kpi::CostPerOrder, (100.0, 10.0), 1, &["2026-03-03"]);
    coverage(&k, Kpi::CostPerContact, (100.0, 1.0), 1, &["2026-03-03"]);
    coverage(&k, Kpi::ContactsPerOrder, (2.0, 20.0), 2, &[]);
    let r = compute(&ev, GroupBy::All, &march());
    for kpi in [
        Kpi::ContactsPerOrder,
        Kpi::CostPerOrder,
        Kpi::CostPerContact,
    ] {
        let d = &r
            .definitions
            .iter()
            .find(|d| d.kpi == kpi)
            .unwrap()
            .definition;
        assert!(
            d.contains("summed over the same") && d.contains("left out"),
            "{kpi:?}: {d}"
        );
    }
}

#[test]
fn contacts_per_order_counts_only_days_with_a_business_row() {
    // Only 03-02 has a business row (10 orders, cost 100); K2 on 03-03 has none.
    // Contacts per order: 1 contact on 03-02 / 10 orders = 0.1 (03-03 left out).
    // Cost per order 100 / 10 = 10; cost per contact 100 / 1 = 100.
    let ev = Evidence {
        contacts: two_contacts(),
        business_daily: business(&[("2026-03-02", Some(10), Some(100.0))]),
        ..Evidence::default()
    };
    let k = overall(&ev, &march());
    close(k.value(Kpi::ContactsPerOrder), 0.1);
    close(k.value(Kpi::CostPerOrder), 10.0);
    close(k.value(Kpi::CostPerContact), 100.0);
    coverage(&k, Kpi::ContactsPerOrder, (1.0, 10.0), 1, &["2026-03-03"]);
    coverage(&k, Kpi::CostPerContact, (100.0, 1.0), 1, &["2026-03-03"]);
    coverage(&k, Kpi::CostPerOrder, (100.0, 10.0), 1, &[]);
}

#[test]
fn days_are_counted_whole_when_rows_are_not_in_time_order() {
    // Five contacts alternating between 03-02 (three) and 03-03 (two); orders only on 03-02
    // (10). Contacts per order: 3 / 10 = 0.3 with 03-03 left out; by day, 3 and 2 contacts.
    let ev = Evidence {
        contacts: contacts_at(&[
            "2026-03-02T10:00:00",
            "2026-03-03T10:00:00",
            "2026-03-02T11:00:00",
            "2026-03-03T11:00:00",
            "2026-03-02T12:00:00",
        ]),
        business_daily: business(&[("2026-03-02", Some(10), None)]),
        ..Evidence::default()
    };
    let k = overall(&ev, &march());
    close(k.value(Kpi::ContactsPerOrder), 0.3);
    coverage(&k, Kpi::ContactsPerOrder, (3.0, 10.0), 1, &["2026-03-03"]);
    let by_day = compute(&ev, GroupBy::Day, &march());
    let contacts = |d: &str| by_day.group(d).and_then(|g| g.value(Kpi::Contacts));
    assert_eq!(contacts("2026-03-02"), Some(3.0));
    assert_eq!(contacts("2026-03-03"), Some(2.0));
}

#[test]
fn same_days_are_local_days_of_the_evidence_time_zone() {
    // One contact at 2026-03-02 20:00 UTC, which is 03-03 05:00 in Tokyo; one business row,
    // 03-03, 10 orders. In UTC the contact falls on 03-02, a day without orders, and 03-03 has
    // orders but no contact: no day states both, both are left out, no data (never 0 / 10).
    // In Tokyo the contact falls on 03-03: 1 / 10 = 0.1.
    let ev = Evidence {
        contacts: contacts_at(&["2026-03-02T20:00:00"]),
        business_daily: business(&[("2026-03-03", Some(10), Some(50.0))]),
        ..Evidence::default()
    };
    let utc = overall(&ev, &march());
    assert!(
        matches!(utc.values[&Kpi::ContactsPerOrder], KpiValue::NoData(_)),
        "{:?}",
        utc.values[&Kpi::ContactsPerOrder]
    );
    coverage(
        &utc,
        Kpi::ContactsPerOrder,
        (0.0, 0.0),
        0,
        &["2026-03-02", "2026-03-03"],
    );
    let tokyo = overall(&ev, &march().with_time_zone("Asia/Tokyo").unwrap());
    close(tokyo.value(Kpi::ContactsPerOrder), 0.1);
    close(tokyo.value(Kpi::CostPerContact), 50.0);
    coverage(&tokyo, Kpi::ContactsPerOrder, (1.0, 10.0), 1, &[]);
}

#[test]
fn demand_without_a_cost_column_still_counts_contacts_per_order() {
    // business_daily without operating_cost: contacts per order 2 / 20 = 0.1; the cost ratios
    // are unavailable (the column is absent), not zero.
    let ev = Evidence {
        contacts: two_contacts(),
        business_daily: table(
            "business_daily",
            TableBuilder::new()
                .dates("date", [Some("2026-03-02"), Some("2026-03-03")])
                .integers("orders", [Some(10), Some(10)]),
        ),
        ..Evidence::default()
    };
    let k = overall(&ev, &march());
    close(k.value(Kpi::ContactsPerOrder), 0.1);
    for kpi in [Kpi::CostPerOrder, Kpi::CostPerContact] {
        match &k.values[&kpi] {
            KpiValue::Unavailable(why) => assert!(why.contains("operating_cost"), "{why}"),
            other => panic!("{kpi:?} should be unavailable, got {other:?}"),
        }
        assert!(k.coverage(kpi).is_none());
    }
}

#[test]
fn contacts_per_order_is_not_computed_without_contacts_in_the_period() {
    // The contacts table has no row in March; 03-02 states 10 orders. 0 / 10 would read as
    // "no contact needed": it is no data, with the reason, not 0.
    let ev = Evidence {
        contacts: table(
            "contacts",
            TableBuilder::new()
                .strings("customer_id", [Some("K1")])
                .strings("channel", [Some("voice")])
                .strings("queue", [Some("q")])
                .strings("agent_id", [Some("a")])
                .timestamps("arrived_at", [Some("2026-02-20T10:00:00")])
                .timestamps("answered_at", [Some("2026-02-20T10:00:05")])
                .timestamps("ended_at", [Some("2026-02-20T10:05:00")])
                .floats("talk_seconds", [Some(295.0)])
                .floats("hold_seconds", [Some(0.0)])
                .floats("wrap_seconds", [Some(0.0)])
                .bools("abandoned", [Some(false)])
                .bools("transferred", [Some(false)]),
        ),
        business_daily: business(&[("2026-03-02", Some(10), Some(100.0))]),
        ..Evidence::default()
    };
    let k = overall(&ev, &march());
    match &k.values[&Kpi::ContactsPerOrder] {
        KpiValue::NoData(why) => assert!(why.contains("no contact"), "{why}"),
        other => panic!("contacts per order should be no data, got {other:?}"),
    }
}

/// Surveys in January with their selection method:
/// random:             csat 5 (answered), 2 (answered), none (not answered);
/// agent_selected:     csat 5, 5 (both answered);
/// customer_initiated: csat 1, 1, 2 (answered) — feedback, not invitations.
fn selected_surveys(methods: &[&'static str]) -> Evidence {
    let rows: Vec<(&str, Option<i64>)> = vec![
        ("random", Some(5)),
        ("random", Some(2)),
        ("random", None),
        ("agent_selected", Some(5)),
        ("agent_selected", Some(5)),
        ("customer_initiated", Some(1)),
        ("customer_initiated", Some(1)),
        ("customer_initiated", Some(2)),
    ]
    .into_iter()
    .filter(|(m, _)| methods.contains(m))
    .collect();
    let n = rows.len();
    Evidence {
        surveys: table(
            "surveys",
            TableBuilder::new()
                .strings("channel", vec![Some("voice"); n])
                .strings("agent_id", vec![Some("a1"); n])
                .strings("selection", rows.iter().map(|r| Some(r.0)))
                .timestamps("invited_at", vec![Some("2026-01-05T10:00:00"); n])
                .timestamps(
                    "responded_at",
                    rows.iter().map(|r| r.1.map(|_| "2026-01-05T11:00:00")),
                )
                .integers("csat", rows.iter().map(|r| r.1))
                .integers("nps", rows.iter().map(|r| r.1.map(|c| 2 * c))),
        ),
        ..Evidence::default()
    }
}

#[test]
fn survey_figures_are_over_the_random_sample_and_csat_is_reported_by_method() {
    let all = ["random", "agent_selected", "customer_initiated"];
    let k = overall(&selected_surveys(&all), &options());
    // The sample is the 3 random invitations: top-2 1 of 2 answers = 0.5, response rate
    // 2 / 3 (mixing every row in would give 3 / 7 and 7 / 8). NPS from 2 x csat: 10, 4 ->
    // 1 promoter, 1 detractor of 2 = 0.
    close(k.value(Kpi::CsatTop2), 0.5);
    close(k.value(Kpi::SurveyResponseRate), 2.0 / 3.0);
    close(k.value(Kpi::Nps), 0.0);
    assert_eq!(k.note(Kpi::CsatTop2), None);
    // By method: random 0.5, agent-selected 2 / 2 = 1.0, customer-initiated 0 / 3.
    close(k.value(Kpi::CsatTop2Random), 0.5);
    close(k.value(Kpi::CsatTop2AgentSelected), 1.0);
    close(k.value(Kpi::CsatTop2CustomerInitiated), 0.0);
    // Without random invitations: the agent-selected ones, flagged as biased (1.0, response
    // rate 2 / 2); the feedback stays out (with it 2 / 5 = 0.4).
    let k = overall(
        &selected_surveys(&["agent_selected", "customer_initiated"]),
        &options(),
    );
    close(k.value(Kpi::CsatTop2), 1.0);
    close(k.value(Kpi::SurveyResponseRate), 1.0);
    assert!(k.note(Kpi::CsatTop2).unwrap().starts_with("biased sample"));
    // Feedback alone is no sample: no CSAT, and nothing to flag.
    let k = overall(&selected_surveys(&["customer_initiated"]), &options());
    assert!(matches!(k.values[&Kpi::CsatTop2], KpiValue::NoData(_)));
    assert_eq!(k.note(Kpi::CsatTop2), None);
    close(k.value(Kpi::CsatTop2CustomerInitiated), 0.0);
}

#[test]
fn a_selection_computes_the_same_values_and_only_them() {
    let all = compute(&evidence(), GroupBy::Month, &options());
    for only in [
        vec![Kpi::ServiceLevel, Kpi::AbandonRate],
        vec![Kpi::FcrRate],
        vec![Kpi::Occupancy],
        vec![Kpi::ContactsPerOrder, Kpi::CostPerOrder],
        vec![Kpi::CsatTop2, Kpi::Nps],
    ] {
        let some = compute(&evidence(), GroupBy::Month, &options().only(&only));
        let defined: Vec<Kpi> = some.definitions.iter().map(|d| d.kpi).collect();
        assert_eq!(defined, only);
        for g in &some.groups {
            let full = all.group(&g.group).unwrap();
            assert_eq!(g.values.keys().copied().collect::<Vec<_>>(), only);
            for k in &only {
                assert_eq!(g.values[k], full.values[k], "{} {}", g.group, k.key());
                assert_eq!(g.coverage(*k), full.coverage(*k));
                assert_eq!(g.note(*k), full.note(*k));
            }
        }
    }
    // Occupancy needs the contacts' handle time: 720 s over 890 worked minutes.
    let occupancy = overall(&evidence(), &options().only(&[Kpi::Occupancy]));
    close(occupancy.value(Kpi::Occupancy), 720.0 / (890.0 * 60.0));
    // Survey KPIs alone: the contacts pass does not run, so FCR is not even a gap.
    let csat = overall(&evidence(), &options().only(&[Kpi::CsatTop2]));
    assert_eq!(csat.values.len(), 1);
    assert!(!csat.values.contains_key(&Kpi::FcrRate));
}

#[test]
fn groupings_computed_together_equal_each_computed_alone() {
    // One reading of the contacts (one FCR classification) serves every
    // grouping: each report must be exactly the one `compute` gives alone,
    // with every KPI, with the contacts' KPIs alone, without FCR, and without
    // contacts at all.
    let all = [
        GroupBy::All,
        GroupBy::Month,
        GroupBy::Week,
        GroupBy::Day,
        GroupBy::Queue,
        GroupBy::Channel,
        GroupBy::Agent,
    ];
    let demand = orders_with_one_cost();
    let without_contacts = Evidence {
        contacts: None,
        ..evidence()
    };
    let cases = [
        (evidence(), options()),
        (evidence(), options().only(&[Kpi::FcrRate, Kpi::Contacts])),
        (
            evidence(),
            options().only(&[Kpi::ServiceLevel, Kpi::Occupancy]),
        ),
        (evidence(), options().only(&[Kpi::CsatTop2])),
        (sub_second_contacts(), options()),
        (demand, march()),
        (without_contacts, options()),
        (Evidence::default(), options()),
    ];
    for (i, (ev, o)) in cases.iter().enumerate() {
        let together = cxaudit_kpis::compute_each(ev, all, o);
        for (report, by) in together.iter().zip(all) {
            assert_eq!(*report, compute(ev, by, o), "case {i}, {by:?}");
        }
        let [overall_and, daily] = cxaudit_kpis::compute_each(ev, [GroupBy::All, GroupBy::Day], o);
        assert_eq!(
            cxaudit_kpis::overall_of(overall_and, o),
            overall(ev, o),
            "case {i}"
        );
        assert_eq!(daily, compute(ev, GroupBy::Day, o), "case {i}");
    }
}

#[test]
fn requests_with_their_own_options_equal_each_computed_alone() {
    // Requests that read the contacts alike share one pass even when their
    // thresholds, service channels and KPI selections differ; a different
    // FCR window, period or time zone reads them apart. Each report must be
    // the one `compute` gives alone.
    let base = options();
    let mut voice = base
        .clone()
        .only(&[Kpi::ServiceLevel, Kpi::AsaSeconds, Kpi::AbandonRate]);
    voice.service_channels = vec!["voice".into()];
    let mut strict = base.clone();
    strict.sl_threshold_seconds = 5.0;
    strict.abandon_excludes_short = true;
    let mut wide_window = base.clone();
    wide_window.fcr_window_days = 30;
    let january = base.clone().with_period(
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
    );
    let lisbon = base.clone().with_time_zone("Europe/Lisbon").unwrap();
    let surveys_only = base.clone().only(&[Kpi::CsatTop2, Kpi::Nps]);
    let requests = [
        (GroupBy::Month, &base),
        (GroupBy::Month, &voice),
        (GroupBy::Channel, &strict),
        (GroupBy::All, &wide_window),
        (GroupBy::Day, &january),
        (GroupBy::Month, &lisbon),
        (GroupBy::Month, &surveys_only),
        (GroupBy::Agent, &base),
    ];
    for ev in [evidence(), sub_second_contacts(), Evidence::default()] {
        let together = cxaudit_kpis::compute_many(&ev, &requests);
        assert_eq!(together.len(), requests.len());
        for (i, (report, (by, o))) in together.iter().zip(requests).enumerate() {
            assert_eq!(*report, compute(&ev, by, o), "request {i}");
        }
    }
}

#[test]
fn reports_kept_for_the_next_call_are_those_of_the_same_tables_only() {
    // The same options on three evidences: two contacts, then three (other
    // memory, the first two rows alike), then the first again. Each call
    // gives its own evidence's volume, never the report kept from the call
    // before (`compute_many` keeps its last reports for the next call).
    let o = march().only(&[Kpi::Contacts]);
    let two = Evidence {
        contacts: two_contacts(),
        ..Evidence::default()
    };
    let three = Evidence {
        contacts: contacts_at(&[
            "2026-03-02T10:00:00",
            "2026-03-03T10:00:00",
            "2026-03-04T10:00:00",
        ]),
        ..Evidence::default()
    };
    let volume = |e: &Evidence| overall(e, &o).value(Kpi::Contacts);
    assert_eq!(volume(&two), Some(2.0));
    assert_eq!(volume(&two), Some(2.0));
    assert_eq!(volume(&three), Some(3.0));
    // Equal values in other memory are other tables, too.
    let two_again = Evidence {
        contacts: two_contacts(),
        ..Evidence::default()
    };
    assert_eq!(volume(&two_again), Some(2.0));
    // Other options on the same tables are computed for themselves.
    let april = KpiOptions::default()
        .with_period(day("2026-04-01"), day("2026-04-30"))
        .only(&[Kpi::Contacts]);
    assert_ne!(overall(&three, &april).value(Kpi::Contacts), Some(3.0));
}

#[test]
fn period_fcr_kept_for_the_next_call_is_that_of_the_same_contacts_only() {
    use cxaudit_metrics::fcr::FcrClass::{Censored, RepeatGenerator, Resolved};
    // One customer, 7-day window, five-minute contacts; the data end is the
    // last arrival, 03-20, whose own window runs past it (censored). Back
    // after a day: the first is a repeat generator, the second resolved
    // (nothing in the week after it). Back after 18 days: the first resolved.
    let soon = contacts_at(&[
        "2026-03-02T10:00:00",
        "2026-03-03T10:00:00",
        "2026-03-20T10:00:00",
    ])
    .unwrap();
    let late = contacts_at(&["2026-03-02T10:00:00", "2026-03-20T10:00:00"]).unwrap();
    let classes =
        |t: &Table, o: &KpiOptions| cxaudit_kpis::period_fcr(t, o).unwrap().classes.clone();
    assert_eq!(
        classes(&soon, &march()),
        [RepeatGenerator, Resolved, Censored]
    );
    assert_eq!(classes(&late, &march()), [Resolved, Censored]);
    assert_eq!(
        classes(&soon, &march()),
        [RepeatGenerator, Resolved, Censored]
    );
    // Another window on the same contacts is classified for itself (30
    // days from 03-02 runs past the data end).
    let mut window_30 = march();
    window_30.fcr_window_days = 30;
    assert_eq!(classes(&late, &window_30), [Censored, Censored]);
    // The customers' codes are kept beside the classes: one customer, its
    // three contacts.
    let k = cxaudit_metrics::fcr::FcrVisit::new(Some("K"), 0, None, false);
    assert_eq!(
        cxaudit_kpis::period_fcr(&soon, &march()).unwrap().codes,
        Some(cxaudit_metrics::fcr::CustomerCodes::of(&[k, k, k]).unwrap())
    );
}

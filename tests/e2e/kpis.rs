//! `cxaudit kpis` on a hand-built evidence folder: every key per group,
//! with definitions, equal to the values worked out by hand from the CSVs.

use cxaudit_tests::*;
use serde_json::json;

/// `cxaudit kpis --format json` on the hand-built fixture.
fn kpis(args: &[&str]) -> serde_json::Value {
    kpis_of(&fixture("evidence-kpis"), args)
}

/// `cxaudit kpis --format json` on an evidence folder.
fn kpis_of(evidence: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec![
        "kpis",
        "--format",
        "json",
        "--evidence",
        evidence.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let o = cxaudit(&all);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn close(v: &serde_json::Value, expected: f64) {
    let a = v
        .as_f64()
        .unwrap_or_else(|| panic!("expected {expected}, got {v}"));
    assert!((a - expected).abs() < 1e-9, "expected {expected}, got {a}");
}

const KEYS: [&str; 19] = [
    "service_level",
    "asa_seconds",
    "abandon_rate",
    "aht_seconds",
    "transfer_rate",
    "fcr_rate",
    "contacts",
    "contacts_per_order",
    "cost_per_order",
    "forecast_wape",
    "forecast_bias",
    "occupancy",
    "utilisation",
    "schedule_adherence",
    "attrition_annualized",
    "absence_rate",
    "csat_top2",
    "nps",
    "survey_response_rate",
];

#[test]
fn overall_json_has_every_key_with_definitions_and_hand_computed_values() {
    let v = kpis(&[]);
    let g = &v["groups"][0];
    assert_eq!(g["group"], "all");
    for key in KEYS {
        assert!(g.get(key).is_some(), "missing key {key}");
        let d = &v["definitions"][key];
        assert!(
            d["definition"].as_str().is_some_and(|s| !s.is_empty()),
            "no definition for {key}"
        );
        assert!(
            d["unit"].is_string() && d["parameters"].is_object(),
            "{key}"
        );
    }
    // Service channels (voice, chat, messaging): answered within 20 s = c1 (10 s), c5 (5 s);
    // offered 5; abandoned within 5 s = c3 -> 2 / (5 - 1).
    close(&g["service_level"], 0.5);
    close(&g["asa_seconds"], 15.0); // (10 + 30 + 5) / 3
    close(&g["abandon_rate"], 0.4); // c3, c4 of 5
    close(&g["aht_seconds"], 180.0); // (300 + 120 + 200 + 100) / 4 handled
    close(&g["transfer_rate"], 0.25);
    close(&g["fcr_rate"], 0.5); // c1 repeat (u1 again at 09:30), c2 resolved; the rest censored or abandoned
    close(&g["contacts"], 7.0);
    // Demand over the same days: 01-05 (c1-c4, 100 orders, cost 500) and 02-10 (c5, c6, 50
    // orders, no cost); c7 on 02-11 has no business row. Contacts per order 6 / 150 (02-11 left
    // out); cost per order 500 / 100 (02-10 left out); cost per contact 500 / 2 handled on 01-05.
    close(&g["contacts_per_order"], 6.0 / 150.0);
    close(&g["cost_per_order"], 500.0 / 100.0);
    close(&g["cost_per_contact"], 250.0);
    let cov = &g["coverage"];
    assert_eq!(cov["contacts_per_order"]["days_used"], 2);
    assert_eq!(
        cov["contacts_per_order"]["left_out_days"],
        json!(["2026-02-11"])
    );
    assert_eq!(cov["cost_per_order"]["days_left_out"], 1);
    assert_eq!(
        cov["cost_per_contact"]["left_out_days"],
        json!(["2026-02-10", "2026-02-11"])
    );
    assert!(
        v["definitions"]["contacts_per_order"]["definition"]
            .as_str()
            .is_some_and(|d| d.contains("summed over the same")),
        "{}",
        v["definitions"]["contacts_per_order"]
    );
    close(&g["forecast_wape"], 40.0 / 330.0); // DOMAIN vector: 12.12%
    close(&g["forecast_bias"], 20.0 / 330.0); // +6.06%
    close(&g["occupancy"], 720.0 / (890.0 * 60.0)); // handle / worked (470 + 420 min)
    close(&g["utilisation"], 890.0 / 1080.0); // worked / paid (540 + 540 min)
    close(&g["schedule_adherence"], 842.0 / 960.0);
    close(&g["attrition_annualized"], (1.0 / 3.0 + 1.0 / 2.5) * 6.0); // sum method, 2 months
    close(&g["absence_rate"], 60.0 / 960.0);
    close(&g["csat_top2"], 2.0 / 3.0);
    close(&g["nps"], 0.0);
    close(&g["survey_response_rate"], 0.75);
    assert_eq!(
        v["definitions"]["service_level"]["parameters"]["threshold_seconds"],
        20.0
    );
}

#[test]
fn flags_change_the_definitions_used() {
    let v = kpis(&[
        "--sl-threshold",
        "30",
        "--sl-variant",
        "offered",
        "--attrition-method",
        "compounding",
    ]);
    let g = &v["groups"][0];
    // Within 30 s: c1, c2, c5 = 3 of 5 offered.
    close(&g["service_level"], 0.6);
    let mean: f64 = (1.0 / 3.0 + 0.4) / 2.0;
    close(&g["attrition_annualized"], 1.0 - (1.0 - mean).powi(12));
    assert_eq!(
        v["definitions"]["service_level"]["parameters"]["threshold_seconds"],
        30.0
    );
}

#[test]
fn monthly_groups_and_absent_tables() {
    let v = kpis(&["--by", "month"]);
    let groups = v["groups"].as_array().unwrap();
    let keys: Vec<&str> = groups
        .iter()
        .map(|g| g["group"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["2026-01", "2026-02"]);
    close(&groups[0]["service_level"], 1.0 / 3.0);
    assert!(
        groups[1]["cost_per_order"].is_null(),
        "no cost recorded in February: null, not zero"
    );

    // Without the surveys table, survey KPIs are unavailable, not zero.
    let (_tmp, evidence) = fixture_copy("evidence-kpis");
    let manifest = evidence.join("evidence.toml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("surveys = { path = \"data/surveys.csv\" }\n", "");
    std::fs::write(&manifest, text).unwrap();
    let v = kpis_of(&evidence, &[]);
    assert!(v["groups"][0]["csat_top2"].is_null());
    assert_eq!(
        v["groups"][0]["notes"]["csat_top2"],
        "unavailable: no `surveys` table in the evidence"
    );
}

#[test]
fn sub_second_timestamps_decide_service_level_and_asa() {
    let v = kpis_of(&fixture("evidence-subsecond"), &[]);
    let g = &v["groups"][0];
    // k1 waits 10:00:20.950 - 10:00:00.900 = 20.050 s: over T = 20 s (within is <= T).
    // k2 abandons after 11:00:05.900 - 11:00:00.001 = 5.899 s: not a short abandon (<= 5 s).
    // answered within T / (offered - short abandons) = 0 / (2 - 0) = 0; truncated to whole
    // seconds it would be 1 / (2 - 1) = 1.
    close(&g["service_level"], 0.0);
    close(&g["asa_seconds"], 20.05); // 20.050 / 1 answered
    close(&g["abandon_rate"], 0.5); // k2 of 2
    close(&g["contacts"], 2.0);
}

#[test]
fn table_and_csv_show_the_days_left_out_of_the_demand_ratios() {
    let fixture = fixture("evidence-kpis");
    let text = cxaudit(&["kpis", "--evidence", fixture.to_str().unwrap()]);
    assert!(text.status.success(), "{}", stderr(&text));
    let out = stdout(&text);
    assert!(
        out.contains("contacts_per_order (all): 1 day(s) left out, 2 used: 2026-02-11"),
        "{out}"
    );
    assert!(
        out.contains("cost_per_order (all): 1 day(s) left out, 1 used: 2026-02-10"),
        "{out}"
    );
    let csv = cxaudit(&[
        "kpis",
        "--format",
        "csv",
        "--evidence",
        fixture.to_str().unwrap(),
    ]);
    let out = stdout(&csv);
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(at("contacts_per_order_days_left_out"), "1");
    assert_eq!(at("cost_per_order_days_left_out"), "1");
    assert_eq!(at("cost_per_contact_days_left_out"), "2");
}

/// An evidence folder whose agent ids start spreadsheet formulas: three
/// answered voice contacts each, and one survey scoring 0 for `-2+3`.
fn formula_agents_evidence() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        dir.path().join("evidence.toml"),
        "[centre]\nname = \"Formula Centre\"\nsite = \"Bench\"\n\n\
         [period]\nstart = 2026-01-05\nend = 2026-01-05\n\n\
         [tables]\ncontacts = { path = \"data/contacts.csv\" }\n\
         surveys = { path = \"data/surveys.csv\" }\n",
    )
    .unwrap();
    // CSV-quoted agent ids: the HYPERLINK call (quotes doubled) and a tab-led id.
    let agents = [
        "\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
        "@SUM(1)",
        "+1",
        "-2+3",
        "\"\tTAB\"",
    ];
    let mut contacts = String::from(
        "contact_id,customer_id,channel,queue,agent_id,arrived_at,answered_at,ended_at,\
         talk_seconds,hold_seconds,wrap_seconds,abandoned,transferred,resolved,contact_reason\n",
    );
    for (i, agent) in agents.iter().enumerate() {
        contacts.push_str(&format!(
            "c{i},u{i},voice,q1,{agent},2026-01-05T09:0{i}:00,2026-01-05T09:0{i}:05,\
             2026-01-05T09:0{i}:55,40,0,10,false,false,true,billing\n"
        ));
    }
    std::fs::write(data.join("contacts.csv"), contacts).unwrap();
    std::fs::write(
        data.join("surveys.csv"),
        "survey_id,contact_id,channel,agent_id,selection,invited_at,responded_at,csat,nps,\
         resolved_reported\n\
         s1,c3,voice,-2+3,random,2026-01-05T10:00:00,2026-01-05T11:00:00,1,0,false\n",
    )
    .unwrap();
    dir
}

#[test]
fn csv_group_cells_never_start_a_spreadsheet_formula() {
    let dir = formula_agents_evidence();
    let o = cxaudit(&[
        "kpis",
        "--by",
        "agent",
        "--format",
        "csv",
        "--evidence",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let groups: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(groups.len(), 5, "{out}");
    for row in &rows {
        // The group is the one text cell; every other cell is a number or empty.
        assert!(
            !row[0].starts_with(['=', '+', '-', '@', '\t', '\r']),
            "{:?}",
            &row[0]
        );
        for (h, cell) in headers.iter().zip(row.iter()).skip(1) {
            assert!(
                cell.is_empty() || cell.parse::<f64>().is_ok(),
                "{h}: {cell:?}"
            );
        }
    }
    for expected in [
        "'=HYPERLINK(\"http://x\",\"y\")",
        "'@SUM(1)",
        "'+1",
        "'-2+3",
    ] {
        assert!(groups.contains(&expected), "{expected} in {groups:?}");
    }
    // The tab-led id arrives trimmed by the evidence reader.
    assert!(groups.contains(&"TAB"), "{groups:?}");
    // NPS of `-2+3`: one detractor of one response = -100, still a number.
    let nps = headers.iter().position(|h| h == "nps").unwrap();
    let row = rows.iter().find(|r| &r[0] == "'-2+3").unwrap();
    assert_eq!(&row[nps], "-100");
}

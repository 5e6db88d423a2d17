//! The shipped pack end to end on synthetic centres: the pack validates,
//! the evidence is complete, the baseline is not certified for reasons in
//! numbers, the follow-up is certified, and plugin measurements equal
//! `cxaudit kpis` on the same evidence.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cxaudit_tests::*;

/// Contacts per synthetic centre (the issues' acceptance size).
const CONTACTS: &str = "200000";

struct Centre {
    evidence: PathBuf,
    assessment: serde_json::Value,
    kpis: serde_json::Value,
}

fn pack() -> PathBuf {
    root().join("standards").join("cx-ops")
}

/// Writes a synthetic centre of `CONTACTS` contacts into `dir/<scenario>`.
fn synth(dir: &Path, scenario: &str, seed: &str) -> PathBuf {
    let evidence = dir.join(scenario);
    cxaudit_tests::synth(
        &evidence,
        scenario,
        &["--contacts", CONTACTS, "--seed", seed],
    );
    evidence
}

/// `cxaudit kpis --format json` of an evidence folder.
fn kpis_json(evidence: &Path) -> serde_json::Value {
    let o = cxaudit(&[
        "kpis",
        "--format",
        "json",
        "--evidence",
        evidence.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "kpis: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn centre(scenario: &str) -> Centre {
    let dir = shared_dir(scenario);
    let evidence = synth(&dir, scenario, "1");
    let out = dir.join("out");
    let o = cxaudit(&[
        "assess",
        "-q",
        "--pack",
        pack().to_str().unwrap(),
        "--evidence",
        evidence.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "assess: {}", stderr(&o));
    let assessment =
        serde_json::from_str(&std::fs::read_to_string(out.join("assessment.json")).unwrap())
            .unwrap();
    let kpis = kpis_json(&evidence);
    Centre {
        evidence,
        assessment,
        kpis,
    }
}

fn baseline() -> &'static Centre {
    static C: OnceLock<Centre> = OnceLock::new();
    C.get_or_init(|| centre("baseline"))
}

fn followup() -> &'static Centre {
    static C: OnceLock<Centre> = OnceLock::new();
    C.get_or_init(|| centre("followup"))
}

fn measurement(a: &serde_json::Value, criterion: &str, name: &str) -> Option<f64> {
    finding(a, criterion)["measurements"]
        .as_array()?
        .iter()
        .find(|m| m["name"] == name)?["value"]
        .as_f64()
}

#[test]
fn the_pack_validates_and_has_22_criteria_2000_points_6_sections() {
    let o = cxaudit(&["pack", "validate", pack().to_str().unwrap()]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let o = cxaudit(&["pack", "show", pack().to_str().unwrap(), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["criteria_count"], 22);
    assert_eq!(v["total_points"], 2000.0);
    let sections: Vec<(&str, f64)> = v["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), s["points"].as_f64().unwrap()))
        .collect();
    assert_eq!(
        sections,
        [
            ("LP", 400.0),
            ("CX", 400.0),
            ("WF", 400.0),
            ("PE", 300.0),
            ("PF", 400.0),
            ("GV", 100.0)
        ]
    );
    let mandatory: Vec<&str> = v["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["mandatory"] == true)
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(mandatory, ["LP3", "CX1", "WF1", "PE2"]);
    assert!(
        v["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["method"] != "manual"),
        "no criterion is left manual"
    );
}

#[test]
fn synthetic_evidence_is_complete_for_every_criterion() {
    for c in [baseline(), followup()] {
        let o = cxaudit(&[
            "check",
            "--format",
            "json",
            "--pack",
            pack().to_str().unwrap(),
            "--evidence",
            c.evidence.to_str().unwrap(),
        ]);
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        for r in v.as_array().unwrap() {
            assert_eq!(r["ready"], true, "{}: {:?}", r["criterion"], r["missing"]);
            assert_eq!(
                r["missing_optional"].as_array().unwrap().len(),
                0,
                "{}: {:?}",
                r["criterion"],
                r["missing_optional"]
            );
        }
    }
}

#[test]
fn every_criterion_produces_a_finding_without_errors() {
    for c in [baseline(), followup()] {
        let findings = c.assessment["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 22);
        for f in findings {
            let status = f["outcome"]["status"].as_str().unwrap();
            assert!(
                !matches!(status, "error" | "insufficient_evidence" | "manual"),
                "{} is {status}: {}",
                f["criterion"],
                f["summary"]
            );
            assert!(
                !f["checks"].as_array().unwrap().is_empty(),
                "{} has no checks",
                f["criterion"]
            );
        }
    }
}

#[test]
fn baseline_is_not_certified_for_reasons_in_numbers() {
    let a = &baseline().assessment;
    assert_eq!(a["decision"]["certified"], false);
    let failed = a["decision"]["failed_rules"].as_array().unwrap();
    assert!(
        failed
            .iter()
            .any(|r| r["rule"].as_str().unwrap().starts_with("Overall score")),
        "{failed:?}"
    );
    assert!(failed.iter().all(|r| {
        r["detail"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| c.is_ascii_digit())
    }));
    let not_met = |ids: &[&str]| ids.iter().filter(|id| status(a, id) != "met").count();
    assert!(
        not_met(&["WF1", "WF2", "WF3", "WF4"]) >= 3,
        "WF mostly not met in the baseline"
    );
    assert!(
        not_met(&["CX1", "CX2", "CX3", "CX4", "CX5"]) >= 3,
        "CX mostly not met in the baseline"
    );
    // Each WF / CX criterion not met says why in numbers: a failed check with a measured number.
    for id in [
        "WF1", "WF2", "WF3", "WF4", "CX1", "CX2", "CX3", "CX4", "CX5",
    ] {
        if status(a, id) == "met" {
            continue;
        }
        let f = finding(a, id);
        let numeric_failure = f["checks"].as_array().unwrap().iter().any(|c| {
            c["passed"] == false && (c["measured"].is_number() || c["measured"].is_array())
        });
        assert!(numeric_failure, "{id}: {}", f["summary"]);
        assert!(
            f["summary"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| c.is_ascii_digit()),
            "{id}: {}",
            f["summary"]
        );
    }
    assert_ne!(
        status(a, "PE2"),
        "met",
        "agents handle contacts before certification in the baseline"
    );
}

#[test]
fn followup_is_certified() {
    let a = &followup().assessment;
    let failed = a["decision"]["failed_rules"].as_array().unwrap();
    assert_eq!(a["decision"]["certified"], true, "failed: {failed:#?}");
    for id in ["LP3", "CX1", "WF1", "PE2"] {
        assert_eq!(
            status(a, id),
            "met",
            "mandatory {id}: {}",
            finding(a, id)["summary"]
        );
    }
    // Every workforce and survey criterion is met after the programme.
    for id in [
        "WF1", "WF2", "WF3", "WF4", "CX1", "CX2", "CX3", "CX4", "CX5",
    ] {
        assert_eq!(status(a, id), "met", "{id}: {}", finding(a, id)["summary"]);
    }
}

#[test]
fn survey_figures_rest_on_the_survey_sample() {
    for c in [baseline(), followup()] {
        let k = &c.kpis["groups"][0];
        // Both centres run a random survey: it is the sample, and customer-initiated
        // feedback is in none of the survey figures.
        assert_eq!(k["csat_top2"], k["csat_top2_random"]);
        assert!(k["notes"].get("csat_top2").is_none(), "{}", k["notes"]);
    }
    let a = &baseline().assessment;
    // CX3 compares invitations only.
    assert!(
        observations(a, "CX3")
            .iter()
            .any(|o| o.contains("customer-initiated feedback rows are not invitations")),
        "{:?}",
        observations(a, "CX3")
    );
    // PF1 is not met by a shift in the share of customer-initiated feedback.
    assert_ne!(status(a, "PF1"), "met", "{}", finding(a, "PF1")["summary"]);
    // CX1 fails the agent-chosen channels on the chi-square test, named.
    let check = finding(a, "CX1")["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "agent_rate_consistency")
        .unwrap()
        .clone();
    assert_eq!(check["passed"], false);
    let measured = check["measured"].as_str().unwrap();
    assert!(
        measured.contains("voice (chi-square") && measured.contains("chat (chi-square"),
        "{measured}"
    );
}

#[test]
fn plugin_measurements_equal_cxaudit_kpis() {
    for c in [baseline(), followup()] {
        let k = &c.kpis["groups"][0];
        for (criterion, name) in [
            ("WF3", "service_level"),
            ("WF1", "forecast_wape"),
            ("WF4", "schedule_adherence"),
            ("PE1", "attrition_annualized"),
            ("PE3", "absence_rate"),
            ("PF1", "csat_top2"),
            ("PF2", "fcr_rate"),
            ("PF3", "cost_per_order"),
            ("PF3", "contacts_per_order"),
            ("PF3", "cost_per_contact"),
        ] {
            let from_plugin = measurement(&c.assessment, criterion, name)
                .unwrap_or_else(|| panic!("{criterion} has no measurement `{name}`"));
            let from_kpis = k[name]
                .as_f64()
                .unwrap_or_else(|| panic!("kpis has no {name}"));
            assert!(
                (from_plugin - from_kpis).abs() < 1e-12,
                "{criterion}.{name}: plugin {from_plugin} vs kpis {from_kpis}"
            );
        }
    }
}

/// The overall KPIs of a synthetic centre, from `cxaudit kpis`.
fn figures(scenario: &str, seed: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let evidence = synth(dir.path(), scenario, seed);
    kpis_json(&evidence)["groups"][0].clone()
}

#[test]
fn synthetic_centres_show_the_case_figures_for_two_seeds() {
    let within = |v: &serde_json::Value, key: &str, expected: f64| {
        let x = v[key].as_f64().unwrap();
        assert!(
            (x - expected).abs() <= 0.03,
            "{key}: {x} not within 3 points of {expected}"
        );
    };
    for (seed, base, new) in [
        (
            "1",
            baseline().kpis["groups"][0].clone(),
            followup().kpis["groups"][0].clone(),
        ),
        ("2", figures("baseline", "2"), figures("followup", "2")),
    ] {
        // DOMAIN §3: CSAT 85% -> 87%, utilisation 74% -> 91%, attrition 132% -> 55%, cost per order -41%.
        // CSAT is measured on random samples in both centres. The follow-up shows the case's
        // 87%; the baseline's own random survey shows what its service (a third of calls
        // answered in 20 s, 70% resolved) earns, below the follow-up, while its agent-chosen
        // survey reads near 100%: the biased figure the case warns of.
        within(&new, "csat_top2", 0.87);
        let (b, n) = (
            base["csat_top2"].as_f64().unwrap(),
            new["csat_top2"].as_f64().unwrap(),
        );
        assert!(
            b < n,
            "seed {seed}: baseline random CSAT {b} not below follow-up {n}"
        );
        let biased = base["csat_top2_agent_selected"].as_f64().unwrap();
        assert!(
            biased >= 0.95 && biased > b + 0.1,
            "seed {seed}: agent-selected {biased}"
        );
        within(&base, "utilisation", 0.74);
        within(&new, "utilisation", 0.91);
        within(&base, "attrition_annualized", 1.30);
        within(&new, "attrition_annualized", 0.55);
        let cut = 1.0
            - new["cost_per_order"].as_f64().unwrap() / base["cost_per_order"].as_f64().unwrap();
        assert!(
            (cut - 0.40).abs() <= 0.03,
            "seed {seed}: cost per order cut {cut}"
        );
        for better_higher in ["service_level", "fcr_rate"] {
            assert!(
                new[better_higher].as_f64() > base[better_higher].as_f64(),
                "seed {seed}: {better_higher}"
            );
        }
        assert!(
            new["forecast_wape"].as_f64() < base["forecast_wape"].as_f64(),
            "seed {seed}: forecast_wape"
        );
    }
}

/// The observations of a finding.
fn observations<'a>(a: &'a serde_json::Value, id: &str) -> Vec<&'a str> {
    finding(a, id)["observations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o.as_str())
        .collect()
}

#[test]
fn every_target_judged_is_named_with_its_source_and_bounded_by_the_standard() {
    // Each criterion that judges a KPI against a target records which target, from where and why.
    for c in [baseline(), followup()] {
        for (id, kpi) in [
            ("WF2", "service_level"),
            ("WF3", "service_level"),
            ("WF3", "abandon_rate"),
            ("PE1", "attrition_annualized"),
            ("PE3", "absence_rate"),
            ("PF1", "csat_top2"),
            ("PF2", "fcr_rate"),
            ("PF3", "contacts_per_order"),
        ] {
            let term = format!("{kpi} target");
            let defined = finding(&c.assessment, id)["definitions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| {
                    d["term"] == term.as_str() && d["text"].as_str().unwrap().contains(" from ")
                });
            assert!(defined, "{id} does not define the {kpi} target it judged");
        }
    }
    // The baseline documents attrition at most 100% (kpi_targets row 4): laxer than the 45% the
    // standard accepts (DOMAIN §6: 30-45% typical), so it is reported and 45% judged; its
    // 128% is far over either.
    let a = &baseline().assessment;
    let lax = "Centre target laxer than the standard accepts: the centre's kpi_targets row 4 sets attrition_annualized <= 100.0%; the laxest target the standard accepts is <= 45.0%";
    for id in ["PE1", "PF4"] {
        assert!(
            observations(a, id).iter().any(|o| o.starts_with(lax)),
            "{id}: {:?}",
            observations(a, id)
        );
    }
    let summary = finding(a, "PE1")["summary"].as_str().unwrap();
    assert!(
        summary.contains("against target 45.0% (the standard's bound `laxest_target`"),
        "{summary}"
    );
    // The follow-up documents credible targets: none is laxer than the standard accepts. Its
    // attrition (the case's 55%) misses its documented 45%: PE1 is partially met, and the
    // centre is certified all the same (followup_is_certified).
    let a = &followup().assessment;
    for f in a["findings"].as_array().unwrap() {
        let id = f["criterion"].as_str().unwrap();
        assert!(
            observations(a, id)
                .iter()
                .all(|o| !o.contains("laxer than the standard accepts")),
            "{id}: {:?}",
            observations(a, id)
        );
    }
    let attrition = measurement(a, "PE1", "attrition_annualized").unwrap();
    assert!(attrition > 0.45 && attrition < 0.60, "{attrition}");
    assert_eq!(status(a, "PE1"), "partially_met");
    let summary = finding(a, "PE1")["summary"].as_str().unwrap();
    assert!(
        summary.contains("against target 45.0% (the centre's kpi_targets row 7: the centre's documented target (policy centre))"),
        "{summary}"
    );
}

/// The files `assess` writes into `out`, by name, with their bytes.
fn written_files(out: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn criteria_evaluated_one_or_several_at_a_time_give_the_same_bytes() {
    // 22 criteria of very different cost: with 3 at a time they finish in
    // another order than the pack's, so a record assembled in finishing
    // order, or a result handed to the wrong criterion, would differ.
    let c = followup();
    let dir = tempfile::tempdir().unwrap();
    let run = |jobs: &str| {
        let out = dir.path().join(format!("jobs-{jobs}"));
        let o = cxaudit(&[
            "assess",
            "-q",
            "--jobs",
            jobs,
            "--pack",
            pack().to_str().unwrap(),
            "--evidence",
            c.evidence.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "assess --jobs {jobs}: {}", stderr(&o));
        written_files(&out)
    };
    let one = run("1");
    let three = run("3");
    assert!(
        [
            "assessment.json",
            "report.md",
            "report.html",
            "improvement-plan.csv"
        ]
        .iter()
        .all(|f| one.contains_key(*f)),
        "{:?}",
        one.keys()
    );
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        three.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &one {
        assert!(
            bytes == &three[name],
            "{name} differs between --jobs 1 and --jobs 3"
        );
    }
    // And the same findings as the run with the default number of jobs.
    let record: serde_json::Value = serde_json::from_slice(&one["assessment.json"]).unwrap();
    assert_eq!(record["findings"], c.assessment["findings"]);
}

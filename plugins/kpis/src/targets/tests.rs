//! The reader and the judged target on hand-built `kpi_targets` rows.

use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::testing::TableBuilder;

use super::*;

/// `kpi_targets` from (kpi, scope, target, direction, unit) rows.
fn table(rows: &[(&str, Option<&str>, f64, &str, &str)]) -> Table {
    let batch = TableBuilder::new()
        .strings("kpi", rows.iter().map(|r| Some(r.0)))
        .strings("scope", rows.iter().map(|r| r.1))
        .floats("target", rows.iter().map(|r| Some(r.2)))
        .strings("direction", rows.iter().map(|r| Some(r.3)))
        .strings("unit", rows.iter().map(|r| Some(r.4)))
        .build();
    Table::new("kpi_targets", batch.schema(), vec![batch])
}

fn read(rows: &[(&str, Option<&str>, f64, &str, &str)]) -> KpiTargets {
    KpiTargets::read(&table(rows)).unwrap()
}

#[test]
fn targets_are_converted_to_the_kpi_unit() {
    let t = read(&[
        ("absence_rate", None, 5.0, "max", "percent"),
        ("asa_seconds", None, 2.0, "max", "minutes"),
        ("service_level", None, 0.8, "min", "ratio"),
        ("abandon_rate", None, 6.0, "max", "%"),
        ("cost_per_order", None, 0.31, "max", "EUR"),
    ]);
    let value = |k| t.for_kpi(k).unwrap().target_in_kpi_unit().unwrap();
    // 5 percent = 5 x 0.01 = 0.05, never a limit of 5.0.
    assert_eq!(value(Kpi::AbsenceRate), 0.05);
    // 2 minutes = 2 x 60 = 120 s.
    assert_eq!(value(Kpi::AsaSeconds), 120.0);
    assert_eq!(value(Kpi::ServiceLevel), 0.8);
    assert_eq!(value(Kpi::AbandonRate), 0.06);
    assert_eq!(value(Kpi::CostPerOrder), 0.31);
}

#[test]
fn an_unknown_or_unfitting_unit_is_an_error_naming_the_row() {
    let t = read(&[
        ("fcr_rate", None, 0.8, "min", "ratio"),
        ("absence_rate", None, 5.0, "max", "furlongs"),
        ("asa_seconds", None, 30.0, "max", "percent"),
    ]);
    let err = t.rows[1].target_in_kpi_unit().unwrap_err();
    assert_eq!(
        err,
        TargetError::UnknownUnit {
            at: "kpi_targets row 2 (`absence_rate`)".into(),
            unit: "furlongs".into()
        }
    );
    let err = t.rows[2].target_in_kpi_unit().unwrap_err().to_string();
    assert!(
        err.starts_with(
            "kpi_targets row 3 (`asa_seconds`): unit `percent` does not fit asa_seconds"
        ),
        "{err}"
    );
    // A criterion that needs the row cannot judge: insufficient evidence naming it.
    let rule = TargetRule::new(Kpi::AbsenceRate, TargetPolicy::Centre).pack_target("target", 0.05);
    match rule.judge_in(&t) {
        Err(EvalError::MissingEvidence(m)) => assert!(m.contains("kpi_targets row 2"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_centre_wide_row_wins_and_all_means_the_whole_centre() {
    let t = read(&[
        ("service_level", Some("voice"), 0.9, "min", "ratio"),
        ("service_level", Some("all"), 0.8, "min", "ratio"),
        ("abandon_rate", Some("voice"), 0.05, "max", "ratio"),
    ]);
    assert_eq!(t.for_kpi(Kpi::ServiceLevel).map(|r| r.row), Some(2));
    assert_eq!(t.rows[1].scope, None);
    // Only scoped rows: the first of them.
    assert_eq!(t.for_kpi(Kpi::AbandonRate).map(|r| r.row), Some(3));
    assert_eq!(t.for_kpi(Kpi::FcrRate), None);
}

#[test]
fn policies_pick_the_centre_the_pack_or_the_stricter() {
    // FCR (higher is better): centre 0.78 in row 1, pack 0.80.
    let t = read(&[("fcr_rate", None, 0.78, "min", "ratio")]);
    let rule = |policy| TargetRule::new(Kpi::FcrRate, policy).pack_target("target", 0.80);
    let centre = rule(TargetPolicy::Centre).judge_in(&t).unwrap().unwrap();
    assert_eq!(centre.value, 0.78);
    assert_eq!(
        centre.source,
        TargetSource::Centre {
            row: 1,
            scope: None
        }
    );
    let pack = rule(TargetPolicy::Pack).judge_in(&t).unwrap().unwrap();
    assert_eq!(pack.value, 0.80);
    // stricter_of: max(0.78, 0.80) = 0.80, the pack's, and the finding says why.
    let strict = rule(TargetPolicy::StricterOf)
        .judge_in(&t)
        .unwrap()
        .unwrap();
    assert_eq!(strict.value, 0.80);
    assert_eq!(
        strict.cite(),
        "pack parameter `target`: stricter than the centre's 78.0% (kpi_targets row 1) (policy stricter_of)"
    );
    assert_eq!(
        strict.expected(),
        ">= 0.8 (pack parameter `target`: stricter than the centre's 78.0% (kpi_targets row 1) (policy stricter_of))"
    );
    // Attrition (lower is better): centre 0.40, pack 0.45: the stricter is the centre's 0.40.
    let t = read(&[("attrition_annualized", None, 40.0, "max", "percent")]);
    let strict = TargetRule::new(Kpi::AttritionAnnualized, TargetPolicy::StricterOf)
        .pack_target("target", 0.45)
        .judge_in(&t)
        .unwrap()
        .unwrap();
    assert_eq!(strict.value, 0.40);
    assert!(strict.is_met(0.40) && !strict.is_met(0.41));
    // No centre row: the pack's target, whatever the policy.
    let none = rule(TargetPolicy::Centre)
        .judge_in(&KpiTargets::default())
        .unwrap()
        .unwrap();
    assert_eq!(
        none.cite(),
        "pack parameter `target`: kpi_targets has no fcr_rate target (policy centre)"
    );
    // Neither: nothing to judge.
    let bare = TargetRule::new(Kpi::FcrRate, TargetPolicy::Centre);
    assert_eq!(bare.judge_in(&KpiTargets::default()).unwrap(), None);
}

#[test]
fn a_target_laxer_than_the_standard_accepts_is_reported_and_the_bound_judged() {
    // Attrition: the centre documents at most 60%; the standard accepts at most 45%.
    // 0.60 > 0.45 is laxer (lower is better), so 0.45 is judged: a centre at 0.54 misses it.
    let t = read(&[("attrition_annualized", None, 0.60, "max", "ratio")]);
    let judged = TargetRule::new(Kpi::AttritionAnnualized, TargetPolicy::Centre)
        .pack_target("target", 0.45)
        .laxest("laxest_target", 0.45)
        .judge_in(&t)
        .unwrap()
        .unwrap();
    assert_eq!(judged.value, 0.45);
    assert_eq!(
        judged.source,
        TargetSource::Bound {
            param: "laxest_target".into()
        }
    );
    assert!(!judged.is_met(0.54));
    assert_eq!(
        judged.observations,
        [
            "Centre target laxer than the standard accepts: the centre's kpi_targets row 1 sets attrition_annualized <= 60.0%; the laxest target the standard accepts is <= 45.0% (`laxest_target`), so 45.0% is judged."
        ]
    );
    assert_eq!(
        judged.cite(),
        "the standard's bound `laxest_target`: the centre's kpi_targets row 1 sets 60.0%, laxer than the standard accepts"
    );
    // FCR (higher is better): 65% is laxer than a bound of 70%; 72% is not.
    let fcr = |target: f64| {
        let t = read(&[("fcr_rate", None, target, "min", "ratio")]);
        TargetRule::new(Kpi::FcrRate, TargetPolicy::Centre)
            .laxest("laxest_target", 0.70)
            .judge_in(&t)
            .unwrap()
            .unwrap()
    };
    assert_eq!(fcr(0.65).value, 0.70);
    assert_eq!(fcr(0.72).value, 0.72);
    assert!(fcr(0.72).observations.is_empty());
    // Lower is better and a bound of 0: no bound.
    let judged = TargetRule::new(Kpi::CostPerOrder, TargetPolicy::Centre)
        .laxest("laxest_cost_per_order", 0.0)
        .judge_in(&read(&[("cost_per_order", None, 9.0, "max", "EUR")]))
        .unwrap()
        .unwrap();
    assert_eq!(judged.value, 9.0);
}

#[test]
fn a_row_whose_direction_contradicts_the_kpi_is_noted() {
    let t = read(&[("attrition_annualized", None, 0.40, "min", "ratio")]);
    let judged = TargetRule::new(Kpi::AttritionAnnualized, TargetPolicy::Centre)
        .judge_in(&t)
        .unwrap()
        .unwrap();
    assert!(!judged.higher_is_better);
    assert_eq!(
        judged.observations,
        [
            "kpi_targets row 1 (`attrition_annualized`) states direction `min`; attrition_annualized is judged as at most (lower is better)."
        ]
    );
}

//! Measurements are declared once, in the manifest: an evaluator reports a
//! value by name and the result carries the manifest's unit and definition;
//! a name the manifest does not declare makes the result an `error`.

use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::serde_json::json;
use cxaudit_plugin_sdk::testing::TestHost;

/// Reports the measurement named by its parameter, always 0.5.
struct Reports;

#[derive(Params, cxaudit_plugin_sdk::serde::Deserialize)]
#[serde(crate = "cxaudit_plugin_sdk::serde")]
struct ReportsParams {
    /// the measurement to report
    #[param(default = "share")]
    name: String,
}

impl Evaluator for Reports {
    type Params = ReportsParams;

    fn name(&self) -> &'static str {
        "reports"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new("Reports one measurement.")
            .params::<ReportsParams>()
            .measurement("share", "ratio", "answered / offered")
    }

    fn evaluate(&self, _: &Context<'_>, p: &ReportsParams) -> Result<Evaluation, EvalError> {
        let mut e = Evaluation::from_checks(vec![Check::new("c", "c", 0.5, ">= 0.5", true)]);
        e.measure(&p.name, Some(0.5));
        Ok(e)
    }
}

#[test]
fn a_measurement_reported_by_name_carries_the_manifests_unit_and_definition() {
    let e = TestHost::new().run(&Reports, json!({}));
    assert_eq!(e.status, Status::Met);
    assert_eq!(
        e.measurement("share"),
        Some(&Measurement::new(
            "share",
            Some(0.5),
            "ratio",
            "answered / offered"
        ))
    );
}

#[test]
fn a_measurement_the_manifest_does_not_declare_is_an_error() {
    let e = TestHost::new().run(&Reports, json!({"name": "shares"}));
    assert_eq!(e.status, Status::Error);
    assert!(e.summary.contains("`shares`"), "{}", e.summary);
}

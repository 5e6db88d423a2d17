//! The checked-in JSON Schemas of the plugin boundary are the ones generated
//! from the SDK's types; regenerate them with `CXAUDIT_UPDATE_SCHEMA=1`.

use std::path::Path;

use cxaudit_plugin_sdk::model::{Evaluation, Manifest, Status};

#[test]
fn checked_in_schemas_match_the_types() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    for (name, generated) in cxaudit_plugin_sdk::schema::json_schemas() {
        let path = dir.join(name);
        if std::env::var_os("CXAUDIT_UPDATE_SCHEMA").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &generated).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == generated,
            "{} is stale: run `CXAUDIT_UPDATE_SCHEMA=1 cargo test -p cxaudit-plugin-sdk --test schemas`",
            path.display()
        );
    }
}

/// A plugin in another language writes only what it has: an evaluation
/// needs a status and a summary, a manifest a description; every list
/// defaults to empty.
#[test]
fn optional_lists_default_to_empty() {
    let e: Evaluation =
        serde_json::from_str(r#"{"status":"met","score":1.0,"summary":"all good"}"#).unwrap();
    assert_eq!(e.status, Status::Met);
    assert_eq!(e.score, Some(1.0));
    assert!(e.checks.is_empty() && e.measurements.is_empty() && e.actions.is_empty());
    let e: Evaluation =
        serde_json::from_str(r#"{"status":"not_applicable","summary":"no chat"}"#).unwrap();
    assert_eq!(e.score, None);

    let m: Manifest = serde_json::from_str(r#"{"description":"counts rows"}"#).unwrap();
    assert!(m.tables.is_empty() && m.parameters.is_empty() && m.measurements.is_empty());

    // A status and a summary stay required.
    assert!(serde_json::from_str::<Evaluation>(r#"{"status":"met"}"#).is_err());
}

/// The evaluation schema requires exactly what the type requires.
#[test]
fn the_evaluation_schema_requires_status_and_summary_only() {
    let schemas = cxaudit_plugin_sdk::schema::json_schemas();
    let (_, text) = schemas
        .iter()
        .find(|(n, _)| *n == "evaluation.schema.json")
        .unwrap();
    let schema: serde_json::Value = serde_json::from_str(text).unwrap();
    let mut required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    required.sort();
    assert_eq!(required, ["status", "summary"]);
}

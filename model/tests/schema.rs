//! The checked-in JSON Schema of `assessment.json` is the one generated
//! from the model's types; regenerate it with `CXAUDIT_UPDATE_SCHEMA=1`.

use std::path::Path;

#[test]
fn checked_in_schema_matches_the_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assessment.schema.json");
    let generated = cxaudit_model::json_schema();
    if std::env::var_os("CXAUDIT_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "{} is stale: run `CXAUDIT_UPDATE_SCHEMA=1 cargo test -p cxaudit-model`",
        path.display()
    );
}

/// The schema names the version it describes and the record's top-level
/// fields, so a reader can check a file against it.
#[test]
fn schema_describes_the_record() {
    let schema: serde_json::Value = serde_json::from_str(&cxaudit_model::json_schema()).unwrap();
    assert_eq!(schema["title"], "Assessment");
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for field in [
        "schema_version",
        "findings",
        "scores",
        "decision",
        "improvement_plan",
        "evidence",
        "plugins",
    ] {
        assert!(required.contains(&field), "{field} not required");
    }
}

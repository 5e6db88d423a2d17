//! JSON Schemas of what crosses the plugin boundary, generated from the
//! types: the manifest an evaluator declares, the request the host sends and
//! the evaluation the evaluator returns. A plugin written in another language
//! validates its JSON against them; the copies checked in at
//! `plugins/sdk/schemas/` must equal these (tested).

use schemars::JsonSchema;

use crate::model::{Evaluation, Manifest, Request};

/// Each schema: its file name and its pretty-printed JSON (with a final
/// newline).
pub fn json_schemas() -> Vec<(&'static str, String)> {
    vec![
        ("manifest.schema.json", pretty::<Manifest>()),
        ("request.schema.json", pretty::<Request>()),
        ("evaluation.schema.json", pretty::<Evaluation>()),
    ]
}

fn pretty<T: JsonSchema>() -> String {
    let schema = schemars::schema_for!(T);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises to JSON");
    text.push('\n');
    text
}

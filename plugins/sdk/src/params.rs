//! Parameters: the pack's values merged over the manifest's defaults, and
//! checked against the declared kinds and ranges.

use crate::model::{Manifest, ParamKind, ParamSpec};
use serde_json::{Map, Value};

/// A parameter the pack set wrongly.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamError {
    /// The evaluator declares no parameter of that name.
    #[error("unknown parameter `{name}` (known: {known})")]
    Unknown {
        /// The name given.
        name: String,
        /// The declared names.
        known: String,
    },
    /// The value is of the wrong kind.
    #[error("parameter `{name}` must be {expected:?}, found {found}")]
    WrongKind {
        /// The parameter.
        name: String,
        /// The kind declared.
        expected: ParamKind,
        /// The value given.
        found: String,
    },
    /// The value is not one of the declared values.
    #[error("parameter `{name}` = {value} is not one of {allowed}")]
    NotAllowed {
        /// The parameter.
        name: String,
        /// The value given.
        value: String,
        /// The declared values.
        allowed: String,
    },
    /// The value is outside the declared range.
    #[error("parameter `{name}` = {value} is outside [{min}, {max}]")]
    OutOfRange {
        /// The parameter.
        name: String,
        /// The value given.
        value: f64,
        /// Smallest allowed.
        min: f64,
        /// Largest allowed.
        max: f64,
    },
}

impl ParamError {
    /// The parameter the error is about.
    pub fn name(&self) -> &str {
        match self {
            ParamError::Unknown { name, .. }
            | ParamError::WrongKind { name, .. }
            | ParamError::NotAllowed { name, .. }
            | ParamError::OutOfRange { name, .. } => name,
        }
    }
}

/// Merges `given` (a JSON object, or null) over the defaults of `manifest`
/// and checks every value. Returns the full parameter object.
pub fn resolve(manifest: &Manifest, given: &Value) -> Result<Value, ParamError> {
    let mut out = Map::new();
    for spec in &manifest.parameters {
        out.insert(spec.name.clone(), spec.default.clone());
    }
    if let Value::Object(given) = given {
        for (name, value) in given {
            let Some(spec) = manifest.parameters.iter().find(|p| &p.name == name) else {
                let known: Vec<&str> = manifest
                    .parameters
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect();
                return Err(ParamError::Unknown {
                    name: name.clone(),
                    known: known.join(", "),
                });
            };
            check(spec, value)?;
            out.insert(name.clone(), value.clone());
        }
    }
    Ok(Value::Object(out))
}

fn check(spec: &ParamSpec, value: &Value) -> Result<(), ParamError> {
    let kind_ok = match spec.kind {
        ParamKind::Number => value.is_number(),
        ParamKind::Integer => value.is_i64() || value.is_u64(),
        ParamKind::Bool => value.is_boolean(),
        ParamKind::String => value.is_string(),
        ParamKind::List => value.is_array(),
        ParamKind::Table => value.is_object(),
    };
    if !kind_ok {
        return Err(ParamError::WrongKind {
            name: spec.name.clone(),
            expected: spec.kind,
            found: value.to_string(),
        });
    }
    if !spec.values.is_empty() && !spec.values.contains(value) {
        let allowed: Vec<String> = spec.values.iter().map(Value::to_string).collect();
        return Err(ParamError::NotAllowed {
            name: spec.name.clone(),
            value: value.to_string(),
            allowed: allowed.join(", "),
        });
    }
    if let Some(v) = value.as_f64() {
        let min = spec.min.unwrap_or(f64::NEG_INFINITY);
        let max = spec.max.unwrap_or(f64::INFINITY);
        if v < min || v > max {
            return Err(ParamError::OutOfRange {
                name: spec.name.clone(),
                value: v,
                min,
                max,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn manifest() -> Manifest {
        Manifest::new("t")
            .parameter(ParamSpec::number("target", 0.8).min(0.0).max(1.0))
            .parameter(ParamSpec::integer("days", 7).min(1.0))
            .parameter(ParamSpec::string("policy", "a").one_of(&["a", "b"]))
    }

    #[test]
    fn defaults_fill_what_the_pack_leaves_out() {
        let p = resolve(&manifest(), &json!({"days": 14})).unwrap();
        assert_eq!(p, json!({"target": 0.8, "days": 14, "policy": "a"}));
    }

    #[test]
    fn unknown_wrong_kind_and_out_of_range_are_refused() {
        assert!(matches!(
            resolve(&manifest(), &json!({"x": 1})),
            Err(ParamError::Unknown { .. })
        ));
        assert!(matches!(
            resolve(&manifest(), &json!({"days": 1.5})),
            Err(ParamError::WrongKind { .. })
        ));
        assert!(matches!(
            resolve(&manifest(), &json!({"target": 1.5})),
            Err(ParamError::OutOfRange { .. })
        ));
        assert_eq!(
            resolve(&manifest(), &json!({"policy": "c"})),
            Err(ParamError::NotAllowed {
                name: "policy".into(),
                value: "\"c\"".into(),
                allowed: "\"a\", \"b\"".into(),
            })
        );
        assert!(resolve(&manifest(), &json!({"policy": "b"})).is_ok());
        // Each error names its parameter (the pack says where it was set).
        for (given, name) in [
            (json!({"x": 1}), "x"),
            (json!({"days": 1.5}), "days"),
            (json!({"target": 1.5}), "target"),
            (json!({"policy": "c"}), "policy"),
        ] {
            assert_eq!(resolve(&manifest(), &given).unwrap_err().name(), name);
        }
    }
}

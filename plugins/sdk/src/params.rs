//! Parameters: the pack's values merged over the manifest's defaults, and
//! checked against the declared kinds and ranges.

use std::collections::BTreeMap;

use crate::model::{Manifest, ParamKind, ParamSpec};
use serde_json::{Map, Value};

/// A parameter struct whose fields declare the evaluator's parameters:
/// derive it with `#[derive(Params)]` and declare them with
/// [`Manifest::params`] instead of one [`Manifest::parameter`] per field.
///
/// The derive gives one [`ParamSpec`] per named field, in field order, named
/// as the field. Its kind comes from the field's type ([`ParamType`]: `f64`
/// and `f32` a number, the integer types an integer, `bool`, `String` a text,
/// `Vec<String>` and `Vec<f64>` a list, `BTreeMap<String, f64>` a table,
/// [`TargetPolicy`](crate::targets::TargetPolicy) the policy's text); another
/// type is a compile error at the field's type unless it implements
/// [`ParamType`]. `#[param(...)]` takes:
///
/// - `default = EXPR` (required): the value when the pack sets none, of the
///   type's [`ParamType::Default`] (`0.8`, `7`, `"gold"`, `&["voice"]`,
///   `TargetPolicy::Centre`); a field without one is a compile error;
/// - `min = EXPR`, `max = EXPR`: the range (`f64`; `0` reads as `0.0`);
/// - `values = ["a", "b"]`: the only texts allowed;
/// - `target_of = EXPR`: the KPI key whose pack target this is;
/// - `spec = |name| EXPR`: a helper that builds the whole spec from the
///   parameter's name, instead of `default`;
/// - `description = EXPR`: the description, instead of the doc comment.
///
/// The description is `description` when given, else the one the type or
/// `spec` gives (`TargetPolicy`'s), else the field's doc comment (each line
/// trimmed, the lines joined with one space), else empty. The derive does not
/// make the struct deserialize: derive `Deserialize` beside it (in a plugin
/// without its own serde, with `#[serde(crate = "cxaudit_plugin_sdk::serde")]`);
/// serde attributes that rename or skip fields are refused, so the pack's
/// names are the declared ones.
///
/// ```
/// use cxaudit_plugin_sdk::prelude::*;
/// use cxaudit_plugin_sdk::serde;
///
/// #[derive(Params, serde::Deserialize)]
/// #[serde(crate = "cxaudit_plugin_sdk::serde")]
/// struct Waits {
///     /// the longest wait, seconds
///     #[param(default = 20.0, min = 0)]
///     limit: f64,
///     /// the channels judged
///     #[param(default = &["voice", "chat"])]
///     channels: Vec<String>,
/// }
///
/// let manifest = Manifest::new("t").params::<Waits>();
/// assert_eq!(
///     manifest.parameters,
///     [
///         ParamSpec::number("limit", 20.0).min(0.0).describe("the longest wait, seconds"),
///         ParamSpec::list("channels", serde_json::json!(["voice", "chat"]))
///             .describe("the channels judged"),
///     ]
/// );
/// ```
///
/// A field without a default, or of a type that is no parameter, does not
/// compile:
///
/// ```compile_fail
/// # use cxaudit_plugin_sdk::prelude::*;
/// # use cxaudit_plugin_sdk::serde;
/// #[derive(Params, serde::Deserialize)]
/// #[serde(crate = "cxaudit_plugin_sdk::serde")]
/// struct Waits {
///     #[param(min = 0.0)]
///     limit: f64,
/// }
/// ```
///
/// ```compile_fail
/// # use cxaudit_plugin_sdk::prelude::*;
/// # use cxaudit_plugin_sdk::serde;
/// #[derive(Params, serde::Deserialize)]
/// #[serde(crate = "cxaudit_plugin_sdk::serde")]
/// struct Waits {
///     #[param(default = (1.0, 2.0))]
///     limits: (f64, f64),
/// }
/// ```
pub trait Params: serde::de::DeserializeOwned {
    /// One spec per parameter, in field order.
    fn specs() -> Vec<ParamSpec>;
}

/// A type a parameter field may have: it builds the field's [`ParamSpec`]
/// (kind and default) from the parameter's name and default.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a parameter type",
    label = "a parameter of `#[derive(Params)]` cannot have this type",
    note = "parameters are f64, f32, integers, bool, String, Vec<String>, Vec<f64>, \
            BTreeMap<String, f64>, TargetPolicy, or a type implementing `ParamType`"
)]
pub trait ParamType {
    /// What `#[param(default = ...)]` is written as.
    type Default;
    /// The spec of a parameter of this type named `name`.
    fn spec(name: &str, default: Self::Default) -> ParamSpec;
}

impl ParamType for f64 {
    type Default = f64;
    fn spec(name: &str, default: f64) -> ParamSpec {
        ParamSpec::number(name, default)
    }
}

impl ParamType for f32 {
    type Default = f32;
    fn spec(name: &str, default: f32) -> ParamSpec {
        ParamSpec::number(name, f64::from(default))
    }
}

/// Integer types: an integer spec with the default as it is (also above
/// `i64::MAX` for unsigned types).
macro_rules! integer_param {
    ($($t:ty),*) => {$(
        impl ParamType for $t {
            type Default = $t;
            fn spec(name: &str, default: $t) -> ParamSpec {
                let mut spec = ParamSpec::integer(name, 0);
                spec.default = Value::from(default);
                spec
            }
        }
    )*};
}
integer_param!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl ParamType for bool {
    type Default = bool;
    fn spec(name: &str, default: bool) -> ParamSpec {
        ParamSpec::bool(name, default)
    }
}

impl ParamType for String {
    type Default = &'static str;
    fn spec(name: &str, default: &str) -> ParamSpec {
        ParamSpec::string(name, default)
    }
}

impl ParamType for Vec<String> {
    type Default = &'static [&'static str];
    fn spec(name: &str, default: &[&str]) -> ParamSpec {
        ParamSpec::list(name, Value::from(default.to_vec()))
    }
}

impl ParamType for Vec<f64> {
    type Default = &'static [f64];
    fn spec(name: &str, default: &[f64]) -> ParamSpec {
        ParamSpec::list(name, Value::from(default.to_vec()))
    }
}

impl ParamType for BTreeMap<String, f64> {
    type Default = &'static [(&'static str, f64)];
    fn spec(name: &str, default: &[(&str, f64)]) -> ParamSpec {
        let map: Map<String, Value> = default
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
            .collect();
        ParamSpec::table(name, Value::Object(map))
    }
}

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

    /// Every kind the derive supports, with the attributes that narrow and
    /// describe a spec.
    #[derive(crate::Params, serde::Deserialize)]
    #[allow(dead_code)]
    struct AllKinds {
        /// a share,
        ///   of contacts
        #[param(default = 0.5, min = 0, max = 1, target_of = "service_level")]
        share: f32,
        #[param(default = u64::MAX)]
        big: u64,
        /// ignored: `description` wins
        #[param(default = true, description = "whether to judge")]
        judge: bool,
        /// the mode
        #[param(default = "a", values = ["a", "b"])]
        mode: String,
        #[param(default = &[0.5, 1.0])]
        bounds: Vec<f64>,
        #[param(default = &[("aht", 300.0)])]
        limits: BTreeMap<String, f64>,
        /// ignored: the type describes the policy
        #[param(default = crate::targets::TargetPolicy::Pack)]
        policy: crate::targets::TargetPolicy,
        /// ignored: the helper describes it
        #[param(spec = |name| ParamSpec::integer(name, 3).describe("from the helper"))]
        helper: i64,
        /// used: the helper gives no description
        #[param(spec = |name| ParamSpec::integer(name, 4))]
        bare: i64,
    }

    #[test]
    fn the_derive_builds_each_kind_as_a_hand_written_spec() {
        use crate::params::Params as _;
        use crate::targets::TargetPolicy;
        let by_hand = vec![
            ParamSpec::number("share", 0.5)
                .min(0.0)
                .max(1.0)
                .target_of("service_level")
                .describe("a share, of contacts"),
            ParamSpec {
                default: json!(u64::MAX),
                ..ParamSpec::integer("big", 0)
            },
            ParamSpec::bool("judge", true).describe("whether to judge"),
            ParamSpec::string("mode", "a")
                .one_of(&["a", "b"])
                .describe("the mode"),
            ParamSpec::list("bounds", json!([0.5, 1.0])),
            ParamSpec::table("limits", json!({"aht": 300.0})),
            ParamSpec {
                name: "policy".into(),
                ..TargetPolicy::param(TargetPolicy::Pack)
            },
            ParamSpec::integer("helper", 3).describe("from the helper"),
            ParamSpec::integer("bare", 4).describe("used: the helper gives no description"),
        ];
        let derived = AllKinds::specs();
        assert_eq!(derived.len(), by_hand.len());
        for (derived, by_hand) in derived.iter().zip(&by_hand) {
            assert_eq!(derived, by_hand, "parameter `{}`", by_hand.name);
        }
        // The specs check the pack's values as hand-written ones do, and the
        // resolved parameters deserialize into the struct.
        let manifest = Manifest::new("t").params::<AllKinds>();
        assert_eq!(manifest.parameters, by_hand);
        let given = json!({"mode": "b", "policy": "stricter_of", "big": 7});
        let resolved = resolve(&manifest, &given).unwrap();
        let p: AllKinds = serde_json::from_value(resolved).unwrap();
        assert_eq!((p.mode.as_str(), p.big), ("b", 7));
        assert_eq!(p.policy, TargetPolicy::StricterOf);
        assert_eq!(p.limits["aht"], 300.0);
        assert!(matches!(
            resolve(&manifest, &json!({"mode": "c"})),
            Err(ParamError::NotAllowed { .. })
        ));
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

//! Criterion texts rendered from the criterion's effective parameters.
//!
//! A criterion's `requirement`, `guidance.met` and guidance action texts are
//! templates: `{name}` is replaced by the value of the criterion's parameter
//! `name`, after `extends` and `[overrides.ID]` are applied, so a tailored
//! pack states its own bars and a report never prints a bar other than the
//! one judged. The syntax is small on purpose:
//!
//! | placeholder | value | renders |
//! |---|---|---|
//! | `{tolerance}` | number | as written, no needless decimals: `0.1`, `20`, `1.645` |
//! | `{tolerance:%}` | ratio | a percent: `0.85` -> `85%`, `0.125` -> `12.5%` |
//! | `{target_margin:pp}` | ratio | percentage points, no sign: `0.05` -> `5` |
//! | `{severities}` | string or list | as written; a list joined with `, ` |
//! | `{required_kpis:count}` | list | the number of items: `10` |
//! | `{target_policy:policy}` | target policy | whose target is judged, in words |
//! | `{laxest_targets.absence_rate:%}` | key of a table parameter | as above |
//!
//! A part of a text that holds only when a switch is on is written
//! `{?allow_trend}, or significantly better{/allow_trend}` (and
//! `{!allow_trend}...{/allow_trend}` for when it is off): the parameter must
//! be `true` or `false`, and the part may hold placeholders of its own.
//!
//! `{{` and `}}` write a literal brace. Anything else between braces, a
//! parameter the criterion does not state in the pack, or a format that does
//! not fit the value is a pack error naming the file, the criterion, the
//! text and the placeholder.

use cxaudit_plugin_sdk::targets::TargetPolicy;
use serde_json::Value;

use super::PackError;
use super::model::Pack;

/// Why a template cannot be rendered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TemplateError {
    /// `{name}` names no parameter of the criterion.
    #[error(
        "unknown placeholder `{placeholder}`: the criterion has no parameter `{name}` (its parameters: {known})"
    )]
    UnknownParameter {
        /// The placeholder as written, braces included.
        placeholder: String,
        /// The parameter it names.
        name: String,
        /// The parameters the criterion has, comma-separated.
        known: String,
    },
    /// `{name:x}` with a format other than `%`, `pp`, `count`, `policy`.
    #[error(
        "unknown format `{format}` in placeholder `{placeholder}` (formats: `%` for a ratio as a percent, `pp` for a ratio as percentage points, `count` for the items of a list, `policy` for a target policy; none to write the value as it is)"
    )]
    UnknownFormat {
        /// The placeholder as written.
        placeholder: String,
        /// The format after the colon.
        format: String,
    },
    /// The format does not fit the parameter's value.
    #[error("placeholder `{placeholder}`: {why}")]
    WrongValue {
        /// The placeholder as written.
        placeholder: String,
        /// What the value is and what the format needs.
        why: String,
    },
    /// Braces that are neither a placeholder nor an escaped brace.
    #[error("{0}")]
    Syntax(String),
}

/// Renders every criterion text of `pack` over the criterion's parameters,
/// in place; returns an error per text that cannot be rendered (the text is
/// left as written).
pub(super) fn render_criteria(pack: &mut Pack) -> Vec<PackError> {
    let mut errors = Vec::new();
    for c in &mut pack.criteria {
        let id = c.id.clone();
        let params = &c.params;
        let mut one = |text: &mut String, at: &crate::source::Location, key: String| {
            match render(text, params) {
                Ok(rendered) => *text = rendered,
                Err(e) => errors.push(PackError {
                    // An override names its own key; a criteria file, the criterion's.
                    location: match at.key {
                        Some(_) => at.clone(),
                        None => at.clone().key(format!("criterion.{id}.{key}")),
                    },
                    message: format!("{id}: {e}"),
                }),
            }
        };
        one(
            &mut c.requirement,
            &c.requirement_origin,
            "requirement".into(),
        );
        one(
            &mut c.guidance.met,
            &c.guidance_origin,
            "guidance.met".into(),
        );
        for (i, action) in c.guidance.actions.iter_mut().enumerate() {
            one(
                &mut action.text,
                &c.guidance_origin,
                format!("guidance.actions[{i}].text"),
            );
        }
    }
    errors
}

/// Renders one template over a criterion's parameters (a JSON object).
pub fn render(template: &str, params: &Value) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{{") {
            out.push('{');
            rest = after;
        } else if let Some(after) = tail.strip_prefix("}}") {
            out.push('}');
            rest = after;
        } else if tail.starts_with('}') {
            return Err(TemplateError::Syntax(format!(
                "a `}}` that closes no placeholder in `{}` (write `}}}}` for a brace)",
                excerpt(tail)
            )));
        } else {
            let Some(end) = tail.find('}') else {
                return Err(TemplateError::Syntax(format!(
                    "a `{{` never closed in `{}` (write `{{{{` for a brace)",
                    excerpt(tail)
                )));
            };
            let opening = &tail[..=end];
            match opening[1..end].chars().next() {
                Some(when @ ('?' | '!')) => {
                    let (part, after) = conditional(opening, &tail[end + 1..], when, params)?;
                    out.push_str(&part);
                    rest = after;
                }
                _ => {
                    out.push_str(&placeholder(opening, params)?);
                    rest = &tail[end + 1..];
                }
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// A conditional part `{?name}...{/name}` (`when` = `?`) or
/// `{!name}...{/name}` (`when` = `!`): the rendered part when the switch
/// `name` is on (off), else nothing; and the text after the closing tag.
fn conditional<'t>(
    opening: &str,
    after: &'t str,
    when: char,
    params: &Value,
) -> Result<(String, &'t str), TemplateError> {
    let name = opening[2..opening.len() - 1].trim();
    let closing = format!("{{/{name}}}");
    let Some(end) = after.find(&closing) else {
        return Err(TemplateError::Syntax(format!(
            "`{opening}` is never closed by `{closing}`"
        )));
    };
    let value = lookup(params, name).ok_or_else(|| TemplateError::UnknownParameter {
        placeholder: opening.to_owned(),
        name: name.to_owned(),
        known: known_names(params),
    })?;
    let Some(on) = value.as_bool() else {
        return Err(TemplateError::WrongValue {
            placeholder: opening.to_owned(),
            why: format!(
                "a conditional part needs `true` or `false`, `{name}` is {}",
                kind(value)
            ),
        });
    };
    let part = if on == (when == '?') {
        render(&after[..end], params)?
    } else {
        String::new()
    };
    Ok((part, &after[end + closing.len()..]))
}

/// The first characters of `text`, for a message.
fn excerpt(text: &str) -> String {
    let cut: String = text.chars().take(30).collect();
    if cut.len() < text.len() {
        format!("{cut}...")
    } else {
        cut
    }
}

/// The value of one placeholder `{name}` or `{name:format}`.
fn placeholder(written: &str, params: &Value) -> Result<String, TemplateError> {
    let inner = &written[1..written.len() - 1];
    let (name, format) = match inner.split_once(':') {
        Some((n, f)) => (n.trim(), Some(f.trim())),
        None => (inner.trim(), None),
    };
    let valid_name = !name.is_empty()
        && name.split('.').all(|part| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    if !valid_name {
        return Err(TemplateError::Syntax(format!(
            "`{written}` is not a placeholder: expected `{{parameter}}` or `{{parameter:format}}` (write `{{{{` for a brace)"
        )));
    }
    let value = lookup(params, name).ok_or_else(|| TemplateError::UnknownParameter {
        placeholder: written.to_owned(),
        name: name.to_owned(),
        known: known_names(params),
    })?;
    let wrong = |why: String| TemplateError::WrongValue {
        placeholder: written.to_owned(),
        why,
    };
    match format {
        None => plain(value).ok_or_else(|| {
            wrong(format!(
                "`{name}` is {}, which has no single written form (name one of its keys, e.g. `{{{name}.KEY}}`)",
                kind(value)
            ))
        }),
        Some("%") => value
            .as_f64()
            .map(|v| format!("{}%", number(v * 100.0)))
            .ok_or_else(|| wrong(format!("`%` needs a number, `{name}` is {}", kind(value)))),
        Some("pp") => value
            .as_f64()
            .map(|v| number(v * 100.0))
            .ok_or_else(|| wrong(format!("`pp` needs a number, `{name}` is {}", kind(value)))),
        Some("count") => match value {
            Value::Array(items) => Ok(items.len().to_string()),
            _ => Err(wrong(format!("`count` needs a list, `{name}` is {}", kind(value)))),
        },
        Some("policy") => value
            .as_str()
            .and_then(TargetPolicy::from_name)
            .map(|p| p.phrase().to_owned())
            .ok_or_else(|| {
                wrong(format!(
                    "`policy` needs one of {}, `{name}` is {value}",
                    TargetPolicy::NAMES.join(", ")
                ))
            }),
        Some(other) => Err(TemplateError::UnknownFormat {
            placeholder: written.to_owned(),
            format: other.to_owned(),
        }),
    }
}

/// A parameter by name, or a key of a table parameter by `name.key`.
fn lookup<'a>(params: &'a Value, name: &str) -> Option<&'a Value> {
    name.split('.').try_fold(params, |v, part| v.get(part))
}

/// The parameters' names, for a message.
fn known_names(params: &Value) -> String {
    match params.as_object() {
        Some(map) if !map.is_empty() => map
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        _ => "none".into(),
    }
}

/// What kind of value a parameter holds, for a message.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

/// A scalar or a list of scalars, as written.
fn plain(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(match n.as_i64() {
            Some(i) => i.to_string(),
            None => number(n.as_f64()?),
        }),
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::Array(_) | Value::Object(_) => None,
                v => plain(v),
            })
            .collect::<Option<Vec<_>>>()
            .map(|v| v.join(", ")),
        Value::Null | Value::Object(_) => None,
    }
}

/// A number with no needless decimals: at most nine, trailing zeros
/// dropped, so that `0.85 x 100` (85.00000000000001 in binary floating
/// point) is written `85` and `1.645` stays `1.645`.
fn number(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let text = format!("{v:.9}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params() -> Value {
        json!({
            "tolerance": 0.10,
            "target_share_within": 0.85,
            "half_step": 0.125,
            "threshold_seconds": 20.0,
            "months": 12,
            "noise_z": 1.645,
            "target_margin": 0.05,
            "required_kpis": ["service_level", "asa_seconds", "fcr_rate"],
            "severities": ["critical", "major"],
            "method": "spearman",
            "allow_trend": true,
            "target_policy": "stricter_of",
            "laxest_targets": { "absence_rate": 0.07 },
        })
    }

    #[test]
    fn placeholders_render_numbers_percents_points_counts_lists_and_policies() {
        let text = "{target_share_within:%} within ±{tolerance:%}; {half_step:%}; {threshold_seconds} s; \
                    {months} months; z = {noise_z}; {target_margin:pp} points; {required_kpis:count} KPIs \
                    ({required_kpis}); severity {severities}; {method}; {allow_trend}; \
                    judged against {target_policy:policy}; absence {laxest_targets.absence_rate:%}";
        // 0.85 x 100 = 85.00000000000001 in binary floating point: written 85; 0.125 -> 12.5;
        // 20.0 -> 20 (no needless decimals); 0.05 x 100 = 5 points; three KPIs; 0.07 -> 7.
        assert_eq!(
            render(text, &params()).unwrap(),
            "85% within ±10%; 12.5%; 20 s; 12 months; z = 1.645; 5 points; 3 KPIs \
             (service_level, asa_seconds, fcr_rate); severity critical, major; spearman; true; \
             judged against the stricter of the centre's documented target and the pack's; absence 7%"
        );
    }

    /// A part that holds only when a switch is on (or off) is written only
    /// then, with its own placeholders rendered.
    #[test]
    fn conditional_parts_follow_their_switch() {
        let text = "{months} months{?allow_trend}, or a trend at {noise_z}{/allow_trend}\
                    {!allow_trend} only{/allow_trend}.";
        assert_eq!(
            render(text, &params()).unwrap(),
            "12 months, or a trend at 1.645."
        );
        let mut off = params();
        off["allow_trend"] = json!(false);
        assert_eq!(render(text, &off).unwrap(), "12 months only.");
        // Not a switch, never closed, or unknown: errors naming the part.
        let err = render("{?months}x{/months}", &params())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`{?months}`") && err.contains("`true` or `false`"),
            "{err}"
        );
        let err = render("{?allow_trend}x", &params())
            .unwrap_err()
            .to_string();
        assert!(err.contains("never closed by `{/allow_trend}`"), "{err}");
        let err = render("{?nope}x{/nope}", &params())
            .unwrap_err()
            .to_string();
        assert!(err.contains("no parameter `nope`"), "{err}");
    }

    #[test]
    fn doubled_braces_are_braces_and_text_without_placeholders_is_unchanged() {
        assert_eq!(
            render("a {{literal}} brace, {{{months}}}", &params()).unwrap(),
            "a {literal} brace, {12}"
        );
        let plain = "Every section has content (KPI, Action, Owner).";
        assert_eq!(render(plain, &params()).unwrap(), plain);
    }

    #[test]
    fn a_template_that_cannot_be_rendered_says_which_placeholder_and_why() {
        let cases = [
            (
                "at least {min_share_of_day:%} of days",
                "unknown placeholder `{min_share_of_day:%}`: the criterion has no parameter `min_share_of_day`",
            ),
            (
                "{laxest_targets.asa_seconds}",
                "no parameter `laxest_targets.asa_seconds`",
            ),
            (
                "{tolerance:percent}",
                "unknown format `percent` in placeholder `{tolerance:percent}`",
            ),
            (
                "{method:%}",
                "placeholder `{method:%}`: `%` needs a number, `method` is a string",
            ),
            (
                "{tolerance:count}",
                "`count` needs a list, `tolerance` is a number",
            ),
            (
                "{method:policy}",
                "`policy` needs one of centre, pack, stricter_of, `method` is \"spearman\"",
            ),
            (
                "{laxest_targets}",
                "`laxest_targets` is a table, which has no single written form",
            ),
            ("at {tolerance", "a `{` never closed in `{tolerance`"),
            ("a } alone", "a `}` that closes no placeholder"),
            ("{the tolerance}", "`{the tolerance}` is not a placeholder"),
            ("{}", "`{}` is not a placeholder"),
        ];
        for (template, why) in cases {
            let e = render(template, &params()).expect_err(template).to_string();
            assert!(e.contains(why), "{template}: {e}");
        }
        let e = render("{nothing}", &json!({})).unwrap_err().to_string();
        assert!(e.ends_with("(its parameters: none)"), "{e}");
    }

    /// Writes a one-criterion pack whose met text is `met`, and returns its folder.
    fn pack_with_met(dir: &std::path::Path, met: &str) -> std::path::PathBuf {
        let pack = dir.join("base");
        std::fs::create_dir_all(pack.join("criteria")).unwrap();
        std::fs::write(
            pack.join("pack.toml"),
            "[pack]\nid = \"p\"\ntitle = \"P\"\nversion = \"1.0.0\"\n\n[[sections]]\nid = \"S\"\ntitle = \"S\"\n",
        )
        .unwrap();
        std::fs::write(
            pack.join("criteria").join("s.toml"),
            format!(
                "[[criterion]]\nid = \"S1\"\nsection = \"S\"\ntitle = \"T\"\n\
                 requirement = \"Within {{limit_days}} days.\"\npoints = 10\nevaluator = \"p/e\"\n\
                 [criterion.params]\nlimit_days = 7\nshare = 0.9\n\
                 [criterion.guidance]\nmet = \"{met}\"\n\
                 actions = [{{ text = \"Reach {{share:%}}.\", effort = \"low\", owner_role = \"process\" }}]\n"
            ),
        )
        .unwrap();
        pack
    }

    #[test]
    fn a_pack_renders_its_texts_over_the_effective_parameters() {
        let dir = tempfile::tempdir().unwrap();
        let base = pack_with_met(dir.path(), "{share:%} within {limit_days} days");
        let pack = super::super::load(&base).unwrap();
        let c = &pack.criteria[0];
        assert_eq!(c.requirement, "Within 7 days.");
        assert_eq!(c.guidance.met, "90% within 7 days");
        assert_eq!(c.guidance.actions[0].text, "Reach 90%.");

        // A tailored pack's override is what the texts state.
        let tailored = dir.path().join("tailored");
        std::fs::create_dir_all(&tailored).unwrap();
        std::fs::write(
            tailored.join("pack.toml"),
            "[pack]\nid = \"t\"\ntitle = \"T\"\nversion = \"1.0.0\"\nextends = \"../base\"\n\n\
             [overrides.S1]\nparams = { share = 0.95, limit_days = 3 }\n",
        )
        .unwrap();
        let pack = super::super::load(&tailored).unwrap();
        let c = &pack.criteria[0];
        assert_eq!(c.requirement, "Within 3 days.");
        assert_eq!(c.guidance.met, "95% within 3 days");
        assert_eq!(c.guidance.actions[0].text, "Reach 95%.");
    }

    #[test]
    fn an_unknown_placeholder_is_a_pack_error_naming_file_line_criterion_and_placeholder() {
        let dir = tempfile::tempdir().unwrap();
        let base = pack_with_met(dir.path(), "{share:%} within {limit_day} days");
        let errors = super::super::load(&base).unwrap_err().0;
        assert_eq!(errors.len(), 1, "{errors:?}");
        let e = &errors[0];
        assert!(e.location.file.ends_with("criteria/s.toml"), "{e}");
        // `[criterion.guidance]` is on line 11 of the file written above.
        assert_eq!(e.location.line, Some(11), "{e}");
        assert_eq!(e.location.key.as_deref(), Some("criterion.S1.guidance.met"));
        assert!(
            e.message
                .starts_with("S1: unknown placeholder `{limit_day}`")
                && e.message.contains("(its parameters: limit_days, share)"),
            "{e}"
        );

        // A requirement replaced by a tailored pack is checked where it is written.
        let base = pack_with_met(dir.path(), "ok");
        std::fs::write(
            dir.path().join("pack.toml"),
            "[pack]\nid = \"t\"\ntitle = \"T\"\nversion = \"1.0.0\"\nextends = \"base\"\n\n\
             [overrides.S1]\nrequirement = \"Within {days} days.\"\n",
        )
        .unwrap();
        assert!(super::super::load(&base).is_ok());
        let errors = super::super::load(dir.path()).unwrap_err().0;
        assert_eq!(errors.len(), 1, "{errors:?}");
        let e = &errors[0];
        assert_eq!(e.location.file, dir.path().join("pack.toml"));
        assert_eq!(e.location.line, Some(7), "{e}");
        assert_eq!(
            e.location.key.as_deref(),
            Some("overrides.S1.requirement"),
            "{e}"
        );
        assert!(e.message.contains("unknown placeholder `{days}`"), "{e}");
    }
}

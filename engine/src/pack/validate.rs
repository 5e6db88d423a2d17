//! Checks of a pack against the loaded plugins: every evaluator exists,
//! its parameters are valid, and what it reads is in the evidence schema.

use cxaudit_plugin_sdk::params;
use cxaudit_plugin_sdk::targets::{TARGET_POLICY, TargetPolicy};

use cxaudit_plugin_sdk::Manifest;

use super::model::{Criterion, Method, Pack, WordGroup};
use super::{PackError, PackWarning};
use crate::plugins::Registry;

/// Every problem between the pack and the plugins, with file, line and key.
pub fn validate_against_plugins(pack: &Pack, registry: &Registry) -> Vec<PackError> {
    let mut errors = Vec::new();
    for c in &pack.criteria {
        let Method::Evaluator { plugin, name } = &c.method else {
            continue;
        };
        let evaluator = match registry.evaluator(plugin, name) {
            Ok(e) => e,
            Err(why) => {
                errors.push(PackError {
                    location: c.evaluator_origin.clone(),
                    message: format!("unknown evaluator `{plugin}/{name}`: {why}"),
                });
                continue;
            }
        };
        if let Err(e) = params::resolve(&evaluator.manifest, &c.params) {
            // At the tailored pack's `[overrides.ID] params` key when it set
            // the value, else at the parameter's key in the criteria file (a
            // parameter that is missing: at `params`, else the criterion).
            let location = match c
                .param_overrides
                .get(e.name())
                .or_else(|| c.param_origins.get(e.name()))
            {
                Some(at) => at.clone(),
                None => c
                    .param_origins
                    .get("")
                    .unwrap_or(&c.origin)
                    .clone()
                    .key(format!("criterion.{}.params.{}", c.id, e.name())),
            };
            errors.push(PackError {
                location,
                message: e.to_string(),
            });
        }
        errors.extend(unlisted_needs(
            c,
            &evaluator.manifest,
            &format!("{plugin}/{name}"),
        ));
        for table in &evaluator.manifest.tables {
            if !pack.schema.tables.contains_key(&table.name) {
                errors.push(PackError {
                    location: c.evaluator_origin.clone(),
                    message: format!(
                        "evaluator `{plugin}/{name}` reads table `{}`, which the pack's evidence schema does not declare",
                        table.name
                    ),
                });
                continue;
            }
            for col in &table.columns {
                match pack.schema.column(&table.name, col.name.trim_end_matches('*')) {
                    None => errors.push(PackError {
                        location: c.evaluator_origin.clone(),
                        message: format!(
                            "evaluator `{plugin}/{name}` reads column `{}.{}`, which the evidence schema does not declare",
                            table.name, col.name
                        ),
                    }),
                    Some(schema) if schema.column_type != col.column_type => errors.push(PackError {
                        location: c.evaluator_origin.clone(),
                        message: format!(
                            "evaluator `{plugin}/{name}` reads `{}.{}` as {}, the evidence schema declares {}",
                            table.name, col.name, col.column_type, schema.column_type
                        ),
                    }),
                    Some(_) => {}
                }
            }
        }
        for doc in &evaluator.manifest.documents {
            let Some(schema) = pack.schema.documents.get(&doc.kind) else {
                errors.push(PackError {
                    location: c.evaluator_origin.clone(),
                    message: format!(
                        "evaluator `{plugin}/{name}` reads document `{}`, which the evidence schema does not declare",
                        doc.kind
                    ),
                });
                continue;
            };
            for (group, wanted) in [
                (WordGroup::Headings, &doc.headings),
                (WordGroup::Columns, &doc.columns),
            ] {
                for word in wanted
                    .iter()
                    .filter(|w| !schema.group(group).contains_key(*w))
                {
                    errors.push(PackError {
                        location: c.evaluator_origin.clone(),
                        message: format!(
                            "evaluator `{plugin}/{name}` reads {} `{word}` of document `{}`, which the evidence schema does not list under `documents.{}.{}`",
                            group.singular(),
                            doc.kind,
                            doc.kind,
                            group.key()
                        ),
                    });
                }
            }
        }
    }
    errors.extend(unknown_headline_kpis(pack, registry));
    errors
}

/// The tables and documents an evaluator declares it reads (required or
/// optional) that the criterion's `evidence` list does not name: the list
/// tells readers what a finding rests on, so a read it omits is an error,
/// reported at the list.
fn unlisted_needs(c: &Criterion, manifest: &Manifest, evaluator: &str) -> Vec<PackError> {
    needs_of(manifest)
        .filter(|(_, name, _)| !c.evidence.iter().any(|e| e == name))
        .map(|(kind, name, required)| PackError {
            location: c.evidence_origin.clone(),
            message: format!(
                "{}: evaluator `{evaluator}` reads {kind} `{name}` ({}), which the criterion's `evidence` does not list; add it",
                c.id,
                if required { "required" } else { "optional" }
            ),
        })
        .collect()
}

/// Every table and document a manifest reads: (`table` or `document`,
/// name, required).
fn needs_of(manifest: &Manifest) -> impl Iterator<Item = (&'static str, &str, bool)> {
    let tables = manifest
        .tables
        .iter()
        .map(|t| ("table", t.name.as_str(), t.required));
    let documents = manifest
        .documents
        .iter()
        .map(|d| ("document", d.kind.as_str(), d.required));
    tables.chain(documents)
}

/// Entries of a criterion's `evidence` list its evaluator never reads: the
/// list claims evidence the finding does not rest on. A warning (the
/// result is not affected), at the entry.
fn listed_but_unread(c: &Criterion, manifest: &Manifest, evaluator: &str) -> Vec<PackWarning> {
    c.evidence
        .iter()
        .zip(&c.evidence_origins)
        .filter(|(e, _)| !needs_of(manifest).any(|(_, name, _)| name == e.as_str()))
        .map(|(e, at)| PackWarning {
            location: at.clone(),
            message: format!(
                "{}: `evidence` lists `{e}`, which evaluator `{evaluator}` never reads; remove it or use an evaluator that reads it",
                c.id
            ),
        })
        .collect()
}

/// Headline KPIs (`[report] kpis`) that no evaluator of the pack measures:
/// a comparison would show them as "not measured" for ever.
fn unknown_headline_kpis(pack: &Pack, registry: &Registry) -> Vec<PackError> {
    let measured: std::collections::BTreeSet<&str> = pack
        .criteria
        .iter()
        .filter_map(|c| match &c.method {
            Method::Evaluator { plugin, name } => registry.evaluator(plugin, name).ok(),
            Method::Manual { .. } => None,
        })
        .flat_map(|e| e.manifest.measurements.iter().map(|m| m.name.as_str()))
        .collect();
    pack.headline_kpis
        .iter()
        .filter(|k| !measured.contains(k.measurement.as_str()))
        .map(|k| PackError {
            location: pack.headline_kpis_origin.clone().unwrap_or_else(|| {
                crate::source::Location::file(&pack.dir.join("pack.toml")).key("report.kpis")
            }),
            message: format!(
                "headline KPI `{}` is not a measurement of any evaluator of the pack (a tailored pack that drops its criteria states its own `[report] kpis`)",
                k.measurement
            ),
        })
        .collect()
}

/// What is valid in a pack but probably not what its author meant: a
/// criterion's `evidence` entry its evaluator never reads, and a tailored
/// pack's `[overrides.ID]` that sets a criterion's own target
/// (a parameter its evaluator marks with `target_of`) while the criterion
/// judges the centre's documented target (`target_policy = "centre"`), so
/// the override reaches only centres without a target of their own.
pub fn warnings_against_plugins(pack: &Pack, registry: &Registry) -> Vec<PackWarning> {
    let mut warnings = Vec::new();
    for c in &pack.criteria {
        let Method::Evaluator { plugin, name } = &c.method else {
            continue;
        };
        let Ok(evaluator) = registry.evaluator(plugin, name) else {
            continue;
        };
        warnings.extend(listed_but_unread(
            c,
            &evaluator.manifest,
            &format!("{plugin}/{name}"),
        ));
        let Ok(resolved) = params::resolve(&evaluator.manifest, &c.params) else {
            continue;
        };
        if resolved.get(TARGET_POLICY).and_then(|v| v.as_str()) != Some(TargetPolicy::Centre.name())
        {
            continue;
        }
        for (param, at) in &c.param_overrides {
            let Some(kpi) = evaluator
                .manifest
                .parameters
                .iter()
                .find(|s| &s.name == param)
                .and_then(|s| s.target_of.as_deref())
            else {
                continue;
            };
            warnings.push(PackWarning {
                location: at.clone(),
                message: format!(
                    "{}: `{param}` is overridden, but under target_policy = \"centre\" the pack's target applies only to centres without a {kpi} target in kpi_targets; set target_policy = \"stricter_of\" (or \"pack\") in [overrides.{}] for it to bind every centre",
                    c.id, c.id
                ),
            });
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugins::{LoadedEvaluator, LoadedPlugin};
    use cxaudit_plugin_sdk::{ColumnType, DocumentNeed, ParamSpec, TableNeed};
    use std::path::Path;

    /// A registry with one plugin `p` whose evaluator `e` reads the table
    /// `contacts` (column `tier`, required), optionally the document
    /// `policy`, and takes the parameter `share`.
    fn registry() -> Registry {
        let manifest = Manifest::new("test")
            .table(TableNeed::required("contacts").column("tier", ColumnType::String))
            .document_need(DocumentNeed {
                kind: "policy".into(),
                required: false,
                headings: Vec::new(),
                columns: Vec::new(),
            })
            .parameter(ParamSpec::number("share", 0.5));
        Registry {
            plugins: vec![LoadedPlugin {
                name: "p".into(),
                version: "1".into(),
                abi_version: "1.0".into(),
                sdk_version: "1".into(),
                sha256: String::new(),
                path: "libp.so".into(),
                built_in: None,
                program: None,
                evaluators: vec![LoadedEvaluator {
                    name: "e".into(),
                    manifest,
                    entry: None,
                }],
            }],
            ..Registry::default()
        }
    }

    /// A pack in `dir` with tables `contacts` (columns `contact_id`,
    /// `tier`) and `agents`, document `policy`, and the criterion `A1`
    /// judged by `p/e` with `criterion` from line 7 of `criteria/a.toml`.
    fn pack(dir: &Path, criterion: &str) -> Pack {
        std::fs::create_dir_all(dir.join("criteria")).unwrap();
        std::fs::write(
            dir.join("pack.toml"),
            "[pack]\nid = \"p\"\ntitle = \"P\"\nversion = \"1.0.0\"\n\n\
             [[sections]]\nid = \"S\"\ntitle = \"S\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("evidence-schema.toml"),
            "[tables.contacts]\ncolumns.contact_id = { type = \"string\" }\n\
             columns.tier = { type = \"string\" }\n\
             [tables.agents]\ncolumns.agent_id = { type = \"string\" }\n\
             [documents.policy]\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("criteria/a.toml"),
            format!(
                "[[criterion]]\nid = \"A1\"\nsection = \"S\"\ntitle = \"A\"\n\
                 requirement = \"R\"\npoints = 10\n{criterion}"
            ),
        )
        .unwrap();
        super::super::load(dir).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn evidence_lists_agree_with_what_the_evaluator_reads() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("criteria/a.toml");
        // Listing everything it reads: no error, no warning.
        let p = pack(
            dir.path(),
            "evaluator = \"p/e\"\nevidence = [\"contacts\", \"policy\"]\n",
        );
        assert_eq!(validate_against_plugins(&p, &registry()), []);
        assert_eq!(warnings_against_plugins(&p, &registry()), []);

        // The optional document left out: an error at the `evidence` list
        // (line 8; the list starts at column 12).
        let p = pack(
            dir.path(),
            "evaluator = \"p/e\"\nevidence = [\"contacts\"]\n",
        );
        let errors = validate_against_plugins(&p, &registry());
        assert_eq!(errors.len(), 1, "{errors:?}");
        let e = &errors[0];
        assert_eq!(
            (&e.location.file, e.location.line, e.location.column),
            (&file, Some(8), Some(12))
        );
        assert_eq!(e.location.key.as_deref(), Some("criterion.A1.evidence"));
        assert!(
            e.message
                .contains("evaluator `p/e` reads document `policy` (optional), which the criterion's `evidence` does not list"),
            "{e}"
        );

        // No list at all: both reads are errors, at the criterion's id.
        let p = pack(dir.path(), "evaluator = \"p/e\"\n");
        let errors = validate_against_plugins(&p, &registry());
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].message.contains("table `contacts` (required)"),
            "{errors:?}"
        );
        assert_eq!(errors[0].location.line, Some(2));

        // A table it never reads: valid, with a warning at that entry
        // (line 8, `evidence = ["contacts", "policy", ` is 34 characters).
        let p = pack(
            dir.path(),
            "evaluator = \"p/e\"\nevidence = [\"contacts\", \"policy\", \"agents\"]\n",
        );
        assert_eq!(validate_against_plugins(&p, &registry()), []);
        let warnings = warnings_against_plugins(&p, &registry());
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let w = &warnings[0];
        assert_eq!(
            (w.location.line, w.location.column),
            (Some(8), Some(35)),
            "{w}"
        );
        assert_eq!(w.location.key.as_deref(), Some("criterion.A1.evidence"));
        assert!(
            w.message
                .contains("`evidence` lists `agents`, which evaluator `p/e` never reads"),
            "{w}"
        );
    }

    #[test]
    fn a_parameter_error_points_at_the_parameter_key() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("criteria/a.toml");
        // `[criterion.params]` on line 9, the unknown `shares` on line 11.
        let p = pack(
            dir.path(),
            "evaluator = \"p/e\"\nevidence = [\"contacts\", \"policy\"]\n\
             [criterion.params]\nshare = 0.7\nshares = 0.8\n",
        );
        let errors = validate_against_plugins(&p, &registry());
        assert_eq!(errors.len(), 1, "{errors:?}");
        let e = &errors[0];
        assert_eq!(e.location.file, file);
        assert_eq!(
            (e.location.line, e.location.column),
            (Some(11), Some(1)),
            "{e}"
        );
        assert_eq!(
            e.location.key.as_deref(),
            Some("criterion.A1.params.shares")
        );

        // Inline: `params = { share = "high" }` on line 9, the key at column 12.
        let p = pack(
            dir.path(),
            "evaluator = \"p/e\"\nevidence = [\"contacts\", \"policy\"]\n\
             params = { share = \"high\" }\n",
        );
        let errors = validate_against_plugins(&p, &registry());
        assert_eq!(errors.len(), 1, "{errors:?}");
        let e = &errors[0];
        assert_eq!(
            (e.location.line, e.location.column),
            (Some(9), Some(12)),
            "{e}"
        );
        assert_eq!(e.location.key.as_deref(), Some("criterion.A1.params.share"));
    }
}

//! One assessment run: which evidence the selected criteria need, loading
//! it once, and evaluating every criterion.

use std::collections::{BTreeMap, BTreeSet};

use cxaudit_plugin_sdk::{Evaluation, EvidenceRef, Manifest, Period, Request, Status, params};

use crate::evidence::{EvidenceStore, ParsedTable, TableLoad, first_days, request_vocabulary};
use crate::pack::{Criterion, Method, Pack};
use crate::plugins::{Caller, Registry};

/// What the selected criteria read: table -> canonical columns, and
/// document kinds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Needs {
    /// Columns per table (union over criteria; patterns kept as written).
    pub tables: BTreeMap<String, BTreeSet<String>>,
    /// Document kinds.
    pub documents: BTreeSet<String>,
}

/// The union of what the evaluators of `criteria` declare.
pub fn needs_of<'a>(criteria: impl Iterator<Item = &'a Criterion>, registry: &Registry) -> Needs {
    let mut needs = Needs::default();
    for c in criteria {
        let Method::Evaluator { plugin, name } = &c.method else {
            continue;
        };
        let Ok(ev) = registry.evaluator(plugin, name) else {
            continue;
        };
        for t in &ev.manifest.tables {
            let cols = needs.tables.entry(t.name.clone()).or_default();
            cols.extend(t.columns.iter().map(|c| c.name.clone()));
        }
        needs
            .documents
            .extend(ev.manifest.documents.iter().map(|d| d.kind.clone()));
    }
    needs
}

/// The evaluation of one criterion, with what it used.
#[derive(Debug, Clone)]
pub struct Evaluated {
    /// The criterion id.
    pub criterion: String,
    /// The evaluation (status already mapped through the pack's thresholds).
    pub evaluation: Evaluation,
    /// Parameters used (pack values over the evaluator's defaults).
    pub parameters: serde_json::Value,
    /// Evidence it read.
    pub evidence: Vec<EvidenceRef>,
    /// What the plugin printed while evaluating, bounded (process isolation).
    pub output: Option<String>,
}

/// Why the evidence cannot support an evaluator, before calling it.
///
/// A required table must be declared, usable, cover the period and have
/// the required columns. An optional table may be left out of
/// `evidence.toml`; but one that is declared and unusable, empty for the
/// period or missing days is insufficient evidence too: otherwise a broken
/// or empty export would quietly take its checks out of the score.
pub fn missing_evidence(manifest: &Manifest, store: &EvidenceStore) -> Vec<String> {
    let mut missing = Vec::new();
    for need in manifest.tables.iter().filter(|t| !t.required) {
        match store.table_load(&need.name) {
            Some(TableLoad::Failed(why)) => missing.push(format!(
                "table `{}` is declared but unusable: {why}",
                need.name
            )),
            Some(TableLoad::Loaded(t)) => missing.extend(coverage_gap(&need.name, t).map(|gap| {
                format!("{gap} (it is declared in evidence.toml: leave it out if the centre has no such data)")
            })),
            None | Some(TableLoad::NotRead) => {}
        }
    }
    for need in manifest.tables.iter().filter(|t| t.required) {
        match store.table_load(&need.name) {
            None => missing.push(format!("table `{}` is not in evidence.toml", need.name)),
            Some(TableLoad::Failed(why)) => {
                missing.push(format!("table `{}` is unusable: {why}", need.name))
            }
            Some(TableLoad::NotRead) => {
                missing.push(format!("table `{}` was not loaded", need.name))
            }
            Some(TableLoad::Loaded(t)) => {
                missing.extend(coverage_gap(&need.name, t));
                for col in need.columns.iter().filter(|c| c.required) {
                    let present = match col.name.strip_suffix('*') {
                        Some(prefix) => t
                            .schema
                            .fields()
                            .iter()
                            .any(|f| f.name().starts_with(prefix)),
                        None => t.schema.index_of(&col.name).is_ok(),
                    };
                    if !present {
                        missing.push(format!(
                            "table `{}` has no column `{}`",
                            need.name, col.name
                        ));
                    }
                }
            }
        }
    }
    for doc in manifest.documents.iter().filter(|d| d.required) {
        if let Some(why) = store.document_failure(&doc.kind) {
            missing.push(format!("document `{}` is unusable: {why}", doc.kind));
        } else if !store.manifest.documents.contains_key(&doc.kind) {
            missing.push(format!("document `{}` is not in evidence.toml", doc.kind));
        }
    }
    missing
}

/// The `insufficient_evidence` result of an evaluator the evidence cannot
/// support ([`missing_evidence`]), before it is called; `None` when it can.
pub fn insufficient_evidence(manifest: &Manifest, store: &EvidenceStore) -> Option<Evaluation> {
    let missing = missing_evidence(manifest, store);
    (!missing.is_empty()).then(|| {
        Evaluation::with_status(
            Status::InsufficientEvidence,
            format!("Missing evidence: {}.", missing.join("; ")),
        )
    })
}

/// Why a loaded required table cannot stand as evidence of the period: no
/// row in it, or whole days of it without rows.
fn coverage_gap(name: &str, t: &ParsedTable) -> Option<String> {
    let in_period = t.rows - t.placement.outside_period;
    if in_period == 0 {
        let outside = t.placement.outside_period;
        return Some(if outside > 0 {
            format!("table `{name}` has no row in the period ({outside} row(s) outside it)")
        } else {
            format!("table `{name}` has no row in the period")
        });
    }
    let days = &t.placement.days_missing;
    (!days.is_empty()).then(|| {
        format!(
            "table `{name}` has no row on {} day(s) of the period on which the centre operates: {}",
            days.len(),
            first_days(days)
        )
    })
}

/// Evaluates one criterion, its evaluator called by `caller` (on the
/// evidence of `store`).
pub fn evaluate(
    criterion: &Criterion,
    pack: &Pack,
    caller: &mut Caller<'_>,
    store: &EvidenceStore,
    period: &Period,
    as_of: &str,
) -> Evaluated {
    let empty = serde_json::Value::Object(Default::default());
    let done = |evaluation: Evaluation,
                parameters: serde_json::Value,
                evidence: Vec<EvidenceRef>| Evaluated {
        criterion: criterion.id.clone(),
        evaluation,
        parameters,
        evidence,
        output: None,
    };
    let (plugin, name) = match &criterion.method {
        Method::Manual { reason } => {
            let e = Evaluation::with_status(
                Status::Manual,
                format!("Judged by a person, not from data: {reason}"),
            );
            return done(e, empty, Vec::new());
        }
        Method::Evaluator { plugin, name } => (plugin, name),
    };
    let registry = caller.registry();
    let ev = match registry.evaluator(plugin, name) {
        Ok(ev) => ev,
        Err(why) => {
            return done(
                Evaluation::error(format!("evaluator `{plugin}/{name}` unavailable: {why}")),
                empty,
                Vec::new(),
            );
        }
    };
    let parameters = match params::resolve(&ev.manifest, &criterion.params) {
        Ok(p) => p,
        Err(e) => {
            return done(
                Evaluation::error(format!("bad parameters in the pack: {e}")),
                empty,
                Vec::new(),
            );
        }
    };
    if let Some(e) = insufficient_evidence(&ev.manifest, store) {
        return done(e, parameters, Vec::new());
    }
    let request = Request {
        criterion: criterion.id.clone(),
        evaluator: name.clone(),
        params: parameters.clone(),
        period: period.clone(),
        as_of: as_of.to_owned(),
        time_zone: store
            .manifest
            .defaults
            .time_zone
            .clone()
            .unwrap_or_else(|| "UTC".to_owned()),
        vocabulary: request_vocabulary(
            ev.manifest.documents.iter().map(|d| d.kind.as_str()),
            &pack.schema,
            &store.manifest,
        ),
    };
    let Some(loaded) = registry.plugin(plugin) else {
        let e = Evaluation::error(format!("plugin `{plugin}` is not loaded"));
        return done(e, parameters, Vec::new());
    };
    let called = caller.call(loaded, name, &request);
    let (mut evaluation, opened) = (called.evaluation, called.opened);
    normalise(&mut evaluation, &ev.manifest, pack);
    let mut evidence = Vec::new();
    for table in &opened.tables {
        let source = store.manifest.tables.get(table);
        if let Some(entry) = source.and_then(|s| store.inventory_entry(&s.path)) {
            evidence.push(EvidenceRef {
                path: entry.path.clone(),
                sha256: entry.sha256.clone().unwrap_or_default(),
                rows: entry.rows,
            });
        }
    }
    for kind in &opened.documents {
        for entry in store
            .inventory
            .iter()
            .filter(|e| e.kind == "document" && &e.name == kind)
        {
            evidence.push(EvidenceRef {
                path: entry.path.clone(),
                sha256: entry.sha256.clone().unwrap_or_default(),
                rows: None,
            });
        }
    }
    evidence.sort();
    Evaluated {
        output: called.output,
        ..done(evaluation, parameters, evidence)
    }
}

/// Gives measurements reported by name only the unit and definition the
/// manifest declares (plugins in any language may report them so), applies
/// the pack's thresholds to a scored result, and refuses results that break
/// the contract (an undeclared measurement without a unit or definition, a
/// scored status without a score in [0, 1]).
fn normalise(evaluation: &mut Evaluation, manifest: &Manifest, pack: &Pack) {
    if let Err(why) = manifest.complete_measurements(evaluation) {
        *evaluation = Evaluation::error(format!("the evaluator broke its manifest: {why}"));
    }
    evaluation.judge_with(&pack.scoring);
}

//! `cxaudit check`: what evidence each criterion lacks, before anything
//! runs. Reads `evidence.toml` and the header row of each table only,
//! checked as a run reads it (encoding, delimiter, a quote left open, a
//! column found twice).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::evidence::{EvidenceManifest, confine, read_table_header};
use crate::pack::{Method, Pack};
use crate::plugins::Registry;

/// What one criterion lacks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionCheck {
    /// Criterion id.
    pub criterion: String,
    /// Title.
    pub title: String,
    /// `plugin/evaluator` or `manual`.
    pub method: String,
    /// Nothing required is missing.
    pub ready: bool,
    /// Required evidence that is missing, in words.
    pub missing: Vec<String>,
    /// Optional evidence that is missing (the criterion runs, with less).
    pub missing_optional: Vec<String>,
}

/// Header of a table, or why it cannot be read.
type Header = Result<Vec<String>, String>;

/// Checks every criterion of `pack` against the evidence of `manifest`.
pub fn check(pack: &Pack, registry: &Registry, manifest: &EvidenceManifest) -> Vec<CriterionCheck> {
    let mut headers: BTreeMap<String, Header> = BTreeMap::new();
    let mut header_of = |table: &str| -> Option<Header> {
        let source = manifest.tables.get(table)?;
        let h = headers.entry(table.to_owned()).or_insert_with(|| {
            let path = confine(&manifest.dir, &source.path)
                .map_err(|e| format!("tables.{table}.path: {e}"))?;
            read_table_header(
                &path,
                &source.path,
                &source.format,
                &manifest.formats(table),
            )
            .map_err(|e| e.to_string())
        });
        Some(h.clone())
    };
    let mut out = Vec::new();
    for c in &pack.criteria {
        let mut missing = Vec::new();
        let mut missing_optional = Vec::new();
        if let Method::Evaluator { plugin, name } = &c.method {
            match registry.evaluator(plugin, name) {
                Err(why) => missing.push(format!("evaluator `{plugin}/{name}`: {why}")),
                Ok(ev) => {
                    for t in &ev.manifest.tables {
                        let list = if t.required {
                            &mut missing
                        } else {
                            &mut missing_optional
                        };
                        match header_of(&t.name) {
                            None => list.push(format!("table `{}` (not in evidence.toml)", t.name)),
                            Some(Err(why)) => list.push(format!("table `{}`: {why}", t.name)),
                            Some(Ok(header)) => {
                                let source = &manifest.tables[&t.name];
                                for col in &t.columns {
                                    let text = format!("column `{}.{}`", t.name, col.name);
                                    let (required, text) = match source.locate(&header, &col.name) {
                                        Ok(true) => continue,
                                        // Two columns give it: a run fails the whole table.
                                        Err(why) => {
                                            (t.required, format!("{text}: {}: {why}", source.path))
                                        }
                                        Ok(false) => (t.required && col.required, text),
                                    };
                                    if required {
                                        missing.push(text);
                                    } else {
                                        missing_optional.push(text);
                                    }
                                }
                            }
                        }
                    }
                    for d in &ev.manifest.documents {
                        let list = if d.required {
                            &mut missing
                        } else {
                            &mut missing_optional
                        };
                        match manifest.documents.get(&d.kind) {
                            None => {
                                list.push(format!("document `{}` (not in evidence.toml)", d.kind))
                            }
                            Some(rel) => {
                                if let Err(why) = confine(&manifest.dir, rel) {
                                    list.push(format!("document `{}`: {why}", d.kind));
                                }
                            }
                        }
                    }
                }
            }
        }
        out.push(CriterionCheck {
            criterion: c.id.clone(),
            title: c.title.clone(),
            method: c.method.label(),
            ready: missing.is_empty(),
            missing,
            missing_optional,
        });
    }
    out
}

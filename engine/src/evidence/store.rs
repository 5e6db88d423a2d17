//! The evidence of one run: each needed table parsed once, documents read,
//! and an inventory of every file with its sha256.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use super::csv_table::{ParsedTable, TableReadOptions, WantedColumn, read_table};
use super::manifest::EvidenceManifest;
use super::paths::confine;
use crate::hashing::sha256_file;
use crate::pack::{EvidenceSchema, TableSchema};
use cxaudit_model::InventoryEntry;

/// The state of one table.
#[derive(Debug, Clone)]
pub enum TableLoad {
    /// Parsed.
    Loaded(ParsedTable),
    /// Declared but unusable (bad path, bad cell...): the message says why.
    Failed(String),
    /// Not needed by any selected criterion, so not parsed.
    NotRead,
}

/// A document file, read.
#[derive(Debug, Clone)]
pub struct DocumentFile {
    /// Path relative to the evidence folder, `/`-separated.
    pub path: String,
    /// Its text.
    pub text: String,
}

/// The columns a table's validity rules read.
fn rule_columns(table: &TableSchema) -> BTreeSet<&str> {
    table
        .key
        .iter()
        .chain(table.period_column.iter())
        .chain(table.ordered.iter().flatten())
        .map(String::as_str)
        .collect()
}

/// The row accounting of a parsed table, into its inventory line.
fn record_accounting(entry: &mut InventoryEntry, parsed: &ParsedTable) {
    entry.records = Some(parsed.rows + parsed.skipped_rows);
    entry.rows = Some(parsed.rows);
    entry.skipped_rows = Some(parsed.skipped_rows);
    entry.skipped_by_reason = parsed.skipped_by_reason.clone();
    entry.outside_period = Some(parsed.placement.outside_period);
    entry.key = parsed.key_columns.clone();
    entry.days_missing = parsed
        .placement
        .days_missing
        .iter()
        .map(ToString::to_string)
        .collect();
    entry.messages = parsed.skipped_examples.clone();
    entry.missing_columns = parsed.missing_columns.clone();
}

/// Warnings about a parsed table: rows skipped (by reason) and days of the
/// period without rows.
fn accounting_warnings(path: &str, parsed: &ParsedTable) -> Vec<String> {
    let mut warnings = Vec::new();
    if parsed.skipped_rows > 0 {
        let reasons: Vec<String> = parsed
            .skipped_by_reason
            .iter()
            .map(|(r, n)| format!("{n} {r}"))
            .collect();
        warnings.push(format!(
            "{path}: {} row(s) skipped ({}; first: {})",
            parsed.skipped_rows,
            reasons.join(", "),
            parsed.skipped_examples.first().map_or("", String::as_str)
        ));
    }
    let missing = &parsed.placement.days_missing;
    if !missing.is_empty() {
        warnings.push(format!(
            "{path}: no rows on {} day(s) of the period: {}",
            missing.len(),
            first_days(missing)
        ));
    }
    warnings
}

/// The first days of a list, and how many more.
pub fn first_days(days: &[chrono::NaiveDate]) -> String {
    const SHOWN: usize = 10;
    let shown: Vec<String> = days.iter().take(SHOWN).map(ToString::to_string).collect();
    if days.len() > SHOWN {
        format!("{} and {} more", shown.join(", "), days.len() - SHOWN)
    } else {
        shown.join(", ")
    }
}

/// The evidence of a run.
#[derive(Debug)]
pub struct EvidenceStore {
    /// The manifest it was loaded from.
    pub manifest: EvidenceManifest,
    tables: BTreeMap<String, TableLoad>,
    documents: BTreeMap<String, Result<Vec<DocumentFile>, String>>,
    /// Every evidence file, with hash and state.
    pub inventory: Vec<InventoryEntry>,
    /// Warnings about the evidence (unknown tables, ...).
    pub warnings: Vec<String>,
    parses: BTreeMap<String, usize>,
}

impl EvidenceStore {
    /// Loads the evidence: hashes every declared file, parses each table in
    /// `wanted` (table -> canonical columns) once, reads every document.
    pub fn load(
        manifest: EvidenceManifest,
        schema: &EvidenceSchema,
        wanted: &BTreeMap<String, BTreeSet<String>>,
        progress: &mut dyn FnMut(&str),
    ) -> Self {
        let mut store = EvidenceStore {
            manifest,
            tables: BTreeMap::new(),
            documents: BTreeMap::new(),
            inventory: Vec::new(),
            warnings: Vec::new(),
            parses: BTreeMap::new(),
        };
        let sources: Vec<(String, super::TableSource)> = store
            .manifest
            .tables
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (name, source) in sources {
            let mut entry = InventoryEntry {
                kind: "table".into(),
                name: name.clone(),
                path: source.path.clone(),
                sha256: None,
                rows: None,
                skipped_rows: None,
                status: "not_read".into(),
                messages: Vec::new(),
                missing_columns: Vec::new(),
                ..Default::default()
            };
            let Some(table_schema) = schema.tables.get(&name) else {
                store.warnings.push(format!(
                    "evidence.toml: `tables.{name}` is not a table of the pack's evidence schema; it is ignored"
                ));
                entry.status = "unknown".into();
                entry.sha256 = confine(&store.manifest.dir, &source.path)
                    .ok()
                    .and_then(|p| sha256_file(&p).ok());
                store.inventory.push(entry);
                continue;
            };
            for canonical in source.columns.keys() {
                if !table_schema.columns.iter().any(|c| c.matches(canonical)) {
                    store.warnings.push(format!(
                        "evidence.toml: `tables.{name}.columns.{canonical}` maps a column the schema does not declare"
                    ));
                }
            }
            let path = match confine(&store.manifest.dir, &source.path) {
                Ok(p) => p,
                Err(why) => {
                    let message = format!("evidence.toml: `tables.{name}.path`: {why}");
                    entry.status = "failed".into();
                    entry.messages.push(message.clone());
                    store.tables.insert(name, TableLoad::Failed(message));
                    store.inventory.push(entry);
                    continue;
                }
            };
            entry.sha256 = sha256_file(&path).ok();
            let Some(columns) = wanted.get(&name) else {
                store.tables.insert(name, TableLoad::NotRead);
                store.inventory.push(entry);
                continue;
            };
            // The columns the criteria read, and those the table's validity
            // rules need (key, period column, ordered timestamps).
            let rule_columns = rule_columns(table_schema);
            let wanted_columns: Vec<WantedColumn> = table_schema
                .columns
                .iter()
                .filter(|c| columns.contains(&c.name) || rule_columns.contains(c.name.as_str()))
                .map(|c| WantedColumn {
                    schema: c.clone(),
                    mapped_from: source.columns.get(&c.name).cloned(),
                })
                .collect();
            let options = TableReadOptions {
                shown_path: source.path.clone(),
                formats: store.manifest.formats(&name),
                on_error: source.on_error,
                rules: Some((
                    table_schema.clone(),
                    store.manifest.start,
                    store.manifest.end,
                )),
            };
            progress(&format!("reading {} ({})", name, source.path));
            *store.parses.entry(name.clone()).or_default() += 1;
            match read_table(&path, &wanted_columns, &options) {
                Ok(parsed) => {
                    entry.status = "loaded".into();
                    record_accounting(&mut entry, &parsed);
                    store
                        .warnings
                        .extend(accounting_warnings(&source.path, &parsed));
                    store.tables.insert(name, TableLoad::Loaded(parsed));
                }
                Err(e) => {
                    entry.status = "failed".into();
                    entry.messages.push(e.to_string());
                    store.tables.insert(name, TableLoad::Failed(e.to_string()));
                }
            }
            store.inventory.push(entry);
        }
        let kinds: Vec<(String, String)> = store
            .manifest
            .documents
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (kind, rel) in kinds {
            if !schema.documents.contains_key(&kind) {
                store.warnings.push(format!(
                    "evidence.toml: `documents.{kind}` is not a document kind of the pack's evidence schema; it is ignored"
                ));
            }
            let docs = store.read_documents(&kind, &rel);
            store.documents.insert(kind, docs);
        }
        store
    }

    fn read_documents(&mut self, kind: &str, rel: &str) -> Result<Vec<DocumentFile>, String> {
        let failed = |store: &mut Self, path: &str, message: String| {
            store.inventory.push(InventoryEntry {
                kind: "document".into(),
                name: kind.to_owned(),
                path: path.to_owned(),
                sha256: None,
                rows: None,
                skipped_rows: None,
                status: "failed".into(),
                messages: vec![message.clone()],
                missing_columns: Vec::new(),
                ..Default::default()
            });
            Err(message)
        };
        let root = match confine(&self.manifest.dir, rel) {
            Ok(p) => p,
            Err(why) => {
                return failed(
                    self,
                    rel,
                    format!("evidence.toml: `documents.{kind}`: {why}"),
                );
            }
        };
        let mut files: Vec<String> = Vec::new();
        if root.is_dir() {
            let mut entries: Vec<String> = match std::fs::read_dir(&root) {
                Ok(rd) => rd
                    .filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
                    .filter_map(|e| {
                        e.file_name()
                            .to_str()
                            .map(|n| format!("{}/{n}", rel.trim_end_matches('/')))
                    })
                    .collect(),
                Err(e) => return failed(self, rel, format!("{rel}: cannot list the folder: {e}")),
            };
            entries.sort();
            files.extend(entries);
        } else {
            files.push(rel.to_owned());
        }
        let mut docs = Vec::with_capacity(files.len());
        for file in files {
            let path = match confine(&self.manifest.dir, &file) {
                Ok(p) => p,
                Err(why) => return failed(self, &file, format!("{file}: {why}")),
            };
            let text = match std::fs::read(&path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(t) => t,
                    Err(e) => return failed(self, &file, format!("{file}: not UTF-8 text ({e})")),
                },
                Err(e) => return failed(self, &file, format!("{file}: cannot read: {e}")),
            };
            self.inventory.push(InventoryEntry {
                kind: "document".into(),
                name: kind.to_owned(),
                path: file.clone(),
                sha256: Some(crate::hashing::sha256_bytes(text.as_bytes())),
                rows: None,
                skipped_rows: None,
                status: "loaded".into(),
                messages: Vec::new(),
                missing_columns: Vec::new(),
                ..Default::default()
            });
            docs.push(DocumentFile { path: file, text });
        }
        Ok(docs)
    }

    /// The state of a table, if `evidence.toml` declares it.
    pub fn table_load(&self, name: &str) -> Option<&TableLoad> {
        self.tables.get(name)
    }

    /// Why a document kind is unusable, if it is.
    pub fn document_failure(&self, kind: &str) -> Option<&str> {
        match self.documents.get(kind) {
            Some(Err(why)) => Some(why),
            _ => None,
        }
    }

    /// How many times each table was parsed in this run (always at most once).
    pub fn parse_counts(&self) -> &BTreeMap<String, usize> {
        &self.parses
    }

    /// The inventory entry of a path.
    pub fn inventory_entry(&self, path: &str) -> Option<&InventoryEntry> {
        self.inventory.iter().find(|e| e.path == path)
    }

    /// The evidence folder.
    pub fn dir(&self) -> &Path {
        &self.manifest.dir
    }
}

impl EvidenceStore {
    /// A parsed table (schema and batches, shared, not copied), or why not.
    pub fn table_batches(&self, name: &str) -> Result<(SchemaRef, Vec<RecordBatch>), String> {
        match self.tables.get(name) {
            Some(TableLoad::Loaded(t)) => Ok((t.schema.clone(), t.batches.clone())),
            Some(TableLoad::Failed(why)) => Err(why.clone()),
            Some(TableLoad::NotRead) => Err(format!(
                "table `{name}` was not loaded (no criterion of this run declared it)"
            )),
            None => Err(format!("no `{name}` table in evidence.toml")),
        }
    }

    /// The documents of a kind as (relative path, text), sorted by path;
    /// `None` when the evidence has none of that kind.
    pub fn document_texts(&self, kind: &str) -> Option<Vec<(&str, &str)>> {
        match self.documents.get(kind) {
            Some(Ok(docs)) => Some(
                docs.iter()
                    .map(|d| (d.path.as_str(), d.text.as_str()))
                    .collect(),
            ),
            _ => None,
        }
    }
}

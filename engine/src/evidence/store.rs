//! The evidence of one run: each needed table parsed once, documents read,
//! and an inventory of every file with its sha256.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use super::csv_table::{ParsedTable, TableReadOptions, WantedColumn, read_table};
use super::manifest::EvidenceManifest;
use super::paths::confine;
use super::rules::PeriodRules;
use crate::hashing::sha256_file;
use crate::pack::{EvidenceSchema, TableSchema};
use crate::progress::Progress;
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

/// How one table is to be read: its file, the columns wanted and the options.
struct ReadPlan {
    columns: Vec<WantedColumn>,
    options: TableReadOptions,
}

/// The plan of a table the run reads: the columns the criteria read
/// (`columns`), and those the table's validity rules need (key, period
/// column, ordered timestamps).
fn read_plan(
    manifest: &EvidenceManifest,
    table_schema: &TableSchema,
    name: &str,
    source: &super::TableSource,
    columns: &BTreeSet<String>,
    hashes: TableHashes,
) -> ReadPlan {
    let rule_columns = rule_columns(table_schema);
    let columns = table_schema
        .columns
        .iter()
        .filter(|c| columns.contains(&c.name) || rule_columns.contains(c.name.as_str()))
        .map(|c| WantedColumn {
            schema: c.clone(),
            mapped_from: source.columns.get(&c.name).cloned(),
        })
        .collect();
    let options = TableReadOptions {
        hash_file: hashes == TableHashes::Taken,
        shown_path: source.path.clone(),
        format: source.format.clone(),
        formats: manifest.formats(name),
        on_error: source.on_error,
        rules: Some(PeriodRules {
            table: table_schema.clone(),
            start: manifest.start,
            end: manifest.end,
            closed: manifest.closed.clone(),
        }),
    };
    ReadPlan { columns, options }
}

/// A table read: the file's sha256, the parse and how long it took.
struct ReadDone {
    sha256: Option<String>,
    parsed: Result<ParsedTable, super::EvidenceError>,
    took: Duration,
}

impl ReadDone {
    /// Hashes and parses the file at `path` as `plan` says.
    fn of(path: &Path, plan: &ReadPlan) -> Self {
        let started = Instant::now();
        let parsed = read_table(path, &plan.columns, &plan.options);
        let took = started.elapsed();
        ReadDone {
            // The hash of the bytes parsed, when the reading kept it.
            sha256: (parsed.as_ref().ok())
                .and_then(|table| table.sha256.clone())
                .or_else(|| {
                    plan.options
                        .hash_file
                        .then(|| sha256_file(path).ok())
                        .flatten()
                }),
            parsed,
            took,
        }
    }
}

/// Hashes and parses every table the run reads (known to the schema, inside
/// the folder, wanted), as many at a time as there are cores, each on its
/// own; by table name. The caller records them in the manifest's order, so
/// nothing depends on which finishes first; progress is reported on the
/// calling thread.
fn read_in_parallel(
    manifest: &EvidenceManifest,
    schema: &EvidenceSchema,
    wanted: &BTreeMap<String, BTreeSet<String>>,
    sources: &[(String, super::TableSource)],
    hashes: TableHashes,
    progress: &mut dyn FnMut(Progress<'_>),
) -> BTreeMap<String, ReadDone> {
    let plans: Vec<(&str, std::path::PathBuf, ReadPlan)> = sources
        .iter()
        .filter_map(|(name, source)| {
            let table_schema = schema.tables.get(name)?;
            let columns = wanted.get(name)?;
            let path = confine(&manifest.dir, &source.path).ok()?;
            let plan = read_plan(manifest, table_schema, name, source, columns, hashes);
            Some((name.as_str(), path, plan))
        })
        .collect();
    if plans.is_empty() {
        return BTreeMap::new();
    }
    progress(Progress::ReadingTables { total: plans.len() });
    for (name, _, plan) in &plans {
        progress(Progress::ReadingTable {
            name,
            path: &plan.options.shown_path,
        });
    }
    let done = crate::parallel::map_in_order(
        &plans,
        crate::parallel::cores(),
        |(_, path, plan)| ReadDone::of(path, plan),
        |i| progress(Progress::TableRead { name: plans[i].0 }),
    );
    plans
        .iter()
        .zip(done)
        .map(|((name, _, _), read)| ((*name).to_owned(), read))
        .collect()
}

/// Whether the table files are hashed as they are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableHashes {
    /// Each table file's sha256 is in the inventory: what an assessment
    /// records.
    Taken,
    /// No table file is hashed (its inventory entry has no sha256): for a
    /// command that shows no inventory (`cxaudit kpis`), which would
    /// otherwise spend an eighth of its reading on hashes no one sees.
    Skipped,
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
    parse_times: BTreeMap<String, Duration>,
    reference_times: Vec<(String, Duration)>,
}

impl EvidenceStore {
    /// Loads the evidence: hashes every declared file, parses each table in
    /// `wanted` (table -> canonical columns) once, reads every document.
    pub fn load(
        manifest: EvidenceManifest,
        schema: &EvidenceSchema,
        wanted: &BTreeMap<String, BTreeSet<String>>,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Self {
        Self::load_hashing(manifest, schema, wanted, TableHashes::Taken, progress)
    }

    /// [`Self::load`], with the table files hashed or not (`hashes`; the
    /// documents are hashed either way).
    pub fn load_hashing(
        manifest: EvidenceManifest,
        schema: &EvidenceSchema,
        wanted: &BTreeMap<String, BTreeSet<String>>,
        hashes: TableHashes,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Self {
        let hash_file = |path: &Path| {
            (hashes == TableHashes::Taken)
                .then(|| sha256_file(path).ok())
                .flatten()
        };
        let mut store = EvidenceStore {
            manifest,
            tables: BTreeMap::new(),
            documents: BTreeMap::new(),
            inventory: Vec::new(),
            warnings: Vec::new(),
            parses: BTreeMap::new(),
            parse_times: BTreeMap::new(),
            reference_times: Vec::new(),
        };
        let sources: Vec<(String, super::TableSource)> = store
            .manifest
            .tables
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut read =
            read_in_parallel(&store.manifest, schema, wanted, &sources, hashes, progress);
        for (name, source) in sources {
            let mut entry = InventoryEntry {
                kind: "table".into(),
                name: name.clone(),
                path: source.path.clone(),
                sheet: source.format.sheet().map(str::to_owned),
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
                    .and_then(|p| hash_file(&p));
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
            let done = read.remove(&name);
            entry.sha256 = match &done {
                Some(done) => done.sha256.clone(),
                None => hash_file(&path),
            };
            let Some(columns) = wanted.get(&name) else {
                store.tables.insert(name, TableLoad::NotRead);
                store.inventory.push(entry);
                continue;
            };
            *store.parses.entry(name.clone()).or_default() += 1;
            // Read above, several tables at a time; read here only if the
            // file changed its confinement since (it is judged again).
            let done = done.unwrap_or_else(|| {
                let plan = read_plan(
                    &store.manifest,
                    table_schema,
                    &name,
                    &source,
                    columns,
                    hashes,
                );
                progress(Progress::ReadingTable {
                    name: &name,
                    path: &source.path,
                });
                let done = ReadDone::of(&path, &plan);
                progress(Progress::TableRead { name: &name });
                done
            });
            store.parse_times.insert(name.clone(), done.took);
            match done.parsed {
                Ok(parsed) => {
                    entry.status = "loaded".into();
                    if parsed.sheet.is_some() {
                        entry.sheet = parsed.sheet.clone();
                    }
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
        store.reference_times = super::references::resolve(&mut store.tables, schema);
        release_freed_memory();
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

    /// Reads the documents of `kind` at `rel`: one file, or every Markdown
    /// file of a folder. In a folder, a file that cannot be read (not UTF-8,
    /// outside the evidence folder through a symbolic link, an I/O error)
    /// costs that file only, with a warning naming it and why; other files are
    /// listed in a warning as skipped. The kind is unusable when `rel` is, or
    /// when not one of its files could be read.
    fn read_documents(&mut self, kind: &str, rel: &str) -> Result<Vec<DocumentFile>, String> {
        let root = match confine(&self.manifest.dir, rel) {
            Ok(p) => p,
            Err(why) => {
                let message = format!("evidence.toml: `documents.{kind}`: {why}");
                self.push_document_entry(kind, rel, Err(&message));
                return Err(message);
            }
        };
        if !root.is_dir() {
            return self.read_document(kind, rel).map(|doc| vec![doc]);
        }
        let listing = match list_folder(&root, rel) {
            Ok(l) => l,
            Err(message) => {
                self.push_document_entry(kind, rel, Err(&message));
                return Err(message);
            }
        };
        let mut docs = Vec::with_capacity(listing.markdown.len());
        let mut failures = Vec::new();
        for file in listing.markdown {
            match self.read_document(kind, &file) {
                Ok(doc) => docs.push(doc),
                Err(why) => {
                    self.warnings.push(format!(
                        "{why}; this document is not read, the other documents of `documents.{kind}` are"
                    ));
                    failures.push(why);
                }
            }
        }
        if !listing.skipped.is_empty() {
            self.warnings.push(format!(
                "{rel}: skipped, not Markdown (only .md and .markdown files are read): {}",
                listing.skipped.join(", ")
            ));
        }
        if docs.is_empty() && !failures.is_empty() {
            return Err(format!(
                "no document of `documents.{kind}` could be read: {}",
                failures.join("; ")
            ));
        }
        Ok(docs)
    }

    /// Reads one document file (confined, UTF-8) and records it in the
    /// inventory, loaded or failed; the error names the file and why.
    fn read_document(&mut self, kind: &str, file: &str) -> Result<DocumentFile, String> {
        let text = confine(&self.manifest.dir, file)
            .and_then(|path| std::fs::read(&path).map_err(|e| format!("cannot read: {e}")))
            .and_then(|bytes| String::from_utf8(bytes).map_err(|e| format!("not UTF-8 text ({e})")))
            .map_err(|why| format!("{file}: {why}"));
        match text {
            Ok(text) => {
                self.push_document_entry(kind, file, Ok(&text));
                Ok(DocumentFile {
                    path: file.to_owned(),
                    text,
                })
            }
            Err(message) => {
                self.push_document_entry(kind, file, Err(&message));
                Err(message)
            }
        }
    }

    /// The inventory entry of a document file: its text (loaded) or why not (failed).
    fn push_document_entry(&mut self, kind: &str, path: &str, read: Result<&str, &str>) {
        let (status, sha256, messages) = match read {
            Ok(text) => (
                "loaded",
                Some(crate::hashing::sha256_bytes(text.as_bytes())),
                Vec::new(),
            ),
            Err(why) => ("failed", None, vec![why.to_owned()]),
        };
        self.inventory.push(InventoryEntry {
            kind: "document".into(),
            name: kind.to_owned(),
            path: path.to_owned(),
            sha256,
            rows: None,
            skipped_rows: None,
            status: status.into(),
            messages,
            missing_columns: Vec::new(),
            ..Default::default()
        });
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

    /// How long parsing each table took (wall time; for `--timings`, never
    /// in the record).
    pub fn parse_times(&self) -> &BTreeMap<String, Duration> {
        &self.parse_times
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

/// Extensions of the files read from a document folder (any case).
const MARKDOWN_EXTENSIONS: [&str; 2] = ["md", "markdown"];

/// Whether a file name has a Markdown extension (`.md`, `.markdown`, any case).
fn is_markdown(name: &str) -> bool {
    Path::new(name)
        .extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| {
            MARKDOWN_EXTENSIONS
                .iter()
                .any(|m| x.eq_ignore_ascii_case(m))
        })
}

/// The entries of a document folder, as paths relative to the evidence
/// folder, sorted.
struct FolderListing {
    /// Markdown files (and links to them), to read.
    markdown: Vec<String>,
    /// Everything else (other files, subfolders), not read.
    skipped: Vec<String>,
}

/// Lists a document folder (`root`, shown as `rel`); only listing the folder
/// itself can fail.
fn list_folder(root: &Path, rel: &str) -> Result<FolderListing, String> {
    let entries =
        std::fs::read_dir(root).map_err(|e| format!("{rel}: cannot list the folder: {e}"))?;
    let prefix = rel.trim_end_matches('/');
    let mut listing = FolderListing {
        markdown: Vec::new(),
        skipped: Vec::new(),
    };
    for entry in entries {
        let entry = entry.map_err(|e| format!("{rel}: cannot list the folder: {e}"))?;
        let name = entry.file_name();
        let shown = format!("{prefix}/{}", name.to_string_lossy());
        let is_folder = entry.file_type().is_ok_and(|t| t.is_dir());
        match name.to_str() {
            Some(n) if is_markdown(n) && !is_folder => listing.markdown.push(shown),
            _ => listing.skipped.push(shown),
        }
    }
    listing.markdown.sort();
    listing.skipped.sort();
    Ok(listing)
}

impl EvidenceStore {
    /// How long resolving each reference took (`table.column`), in the
    /// schema's order (part of loading the evidence).
    pub fn reference_times(&self) -> &[(String, Duration)] {
        &self.reference_times
    }

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

/// Gives the memory the readers freed (the bytes of the pieces they typed,
/// held by the allocator's per-thread arenas), and the maps that resolved
/// references, back to the system: otherwise
/// it stays resident in the parent for the whole run and in the resident set
/// of every child forked from it.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only returns free memory to the system; no
    // allocation is touched.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::load_manifest;
    use crate::pack::parse_schema;

    /// An evidence folder whose `review_minutes` kind is `docs/reviews`,
    /// holding `files` (name, bytes).
    fn folder_with_reviews(files: &[(&str, &[u8])]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("evidence.toml"),
            "[centre]\nname = \"C\"\n\n[period]\nstart = 2026-01-01\nend = 2026-06-30\n\n\
             [documents]\nreview_minutes = \"docs/reviews\"\n",
        )
        .unwrap();
        let reviews = dir.path().join("docs/reviews");
        std::fs::create_dir_all(&reviews).unwrap();
        for (name, bytes) in files {
            std::fs::write(reviews.join(name), bytes).unwrap();
        }
        dir
    }

    fn load(dir: &Path) -> EvidenceStore {
        let schema = parse_schema(
            Path::new("evidence-schema.toml"),
            "[documents]\nreview_minutes = { description = \"minutes\", folder = true }\n",
        )
        .unwrap();
        let manifest = load_manifest(dir).unwrap();
        EvidenceStore::load(manifest, &schema, &BTreeMap::new(), &mut |_| {})
    }

    fn paths(store: &EvidenceStore) -> Vec<String> {
        store
            .document_texts("review_minutes")
            .unwrap_or_default()
            .iter()
            .map(|(p, _)| p.to_string())
            .collect()
    }

    #[test]
    fn tables_read_at_the_same_time_land_in_their_own_places() {
        // Four tables, each with its own row count (1 to 4 rows), one with a
        // bad cell, and one declared but not wanted: read several at a time,
        // each must keep its own rows, the inventory the manifest's order,
        // and each table must be parsed exactly once.
        let dir = tempfile::tempdir().unwrap();
        let mut toml = String::from(
            "[centre]\nname = \"C\"\n\n[period]\nstart = 2026-01-01\nend = 2026-06-30\n\n[tables]\n",
        );
        let mut schema = String::new();
        for (i, name) in ["a", "b", "c", "d", "e"].iter().enumerate() {
            let mut csv = String::from("id,n\n");
            for r in 0..=i {
                let n = if *name == "c" {
                    "x".to_owned()
                } else {
                    r.to_string()
                };
                csv.push_str(&format!("{name}{r},{n}\n"));
            }
            std::fs::write(dir.path().join(format!("{name}.csv")), csv).unwrap();
            toml.push_str(&format!("{name} = {{ path = \"{name}.csv\" }}\n"));
            schema.push_str(&format!(
                "[tables.{name}]\ncolumns.id = {{ type = \"string\" }}\ncolumns.n = {{ type = \"integer\" }}\n"
            ));
        }
        std::fs::write(dir.path().join("evidence.toml"), toml).unwrap();
        let schema = parse_schema(Path::new("evidence-schema.toml"), &schema).unwrap();
        let wanted: BTreeMap<String, BTreeSet<String>> = ["a", "b", "c", "d"]
            .iter()
            .map(|t| (t.to_string(), ["id".to_owned(), "n".to_owned()].into()))
            .collect();
        let store = EvidenceStore::load(
            load_manifest(dir.path()).unwrap(),
            &schema,
            &wanted,
            &mut |_| {},
        );
        let states: Vec<(&str, &str, Option<u64>)> = store
            .inventory
            .iter()
            .map(|e| (e.name.as_str(), e.status.as_str(), e.rows))
            .collect();
        assert_eq!(
            states,
            [
                ("a", "loaded", Some(1)),
                ("b", "loaded", Some(2)),
                ("c", "failed", None),
                ("d", "loaded", Some(4)),
                ("e", "not_read", None),
            ]
        );
        let (_, batches) = store.table_batches("d").unwrap();
        let ids = batches[0]
            .column(0)
            .as_any()
            .downcast_ref::<arrow_array::StringArray>()
            .unwrap();
        assert_eq!(ids.value(3), "d3");
        assert!(store.inventory.iter().all(|e| e.sha256.is_some()));
        assert_eq!(
            store.parse_counts().values().copied().collect::<Vec<_>>(),
            [1, 1, 1, 1]
        );
        // Without hashes: the same tables, the same states, no table hashed.
        let unhashed = EvidenceStore::load_hashing(
            load_manifest(dir.path()).unwrap(),
            &schema,
            &wanted,
            TableHashes::Skipped,
            &mut |_| {},
        );
        let unhashed_states: Vec<(&str, &str, Option<u64>)> = unhashed
            .inventory
            .iter()
            .map(|e| (e.name.as_str(), e.status.as_str(), e.rows))
            .collect();
        assert_eq!(unhashed_states, states);
        assert_eq!(unhashed.table_batches("d"), store.table_batches("d"));
        assert!(unhashed.inventory.iter().all(|e| e.sha256.is_none()));
    }

    #[test]
    fn one_unreadable_review_costs_that_file_only() {
        // 3 good `.md`, one Latin-1 `.md` ("Reunião" with 0xE3), one `.MD`, one
        // `.markdown`, one `notes.txt`: the 3 good ones, the `.MD` and the
        // `.markdown` are read (5); the Latin-1 file fails and notes.txt is
        // skipped, each named in a warning (2).
        let dir = folder_with_reviews(&[
            ("2026-01.md", b"# Review January\n"),
            ("2026-02.md", b"# Review February\n"),
            ("2026-03.md", b"# Review March\n"),
            ("2026-04.md", b"# Reuni\xe3o April\n"),
            ("2026-05.MD", b"# Review May\n"),
            ("2026-06.markdown", b"# Review June\n"),
            ("notes.txt", b"not minutes\n"),
        ]);
        let store = load(dir.path());
        assert_eq!(store.document_failure("review_minutes"), None);
        assert_eq!(
            paths(&store),
            [
                "docs/reviews/2026-01.md",
                "docs/reviews/2026-02.md",
                "docs/reviews/2026-03.md",
                "docs/reviews/2026-05.MD",
                "docs/reviews/2026-06.markdown",
            ]
        );
        assert_eq!(store.warnings.len(), 2, "{:?}", store.warnings);
        assert!(
            store.warnings[0].contains("docs/reviews/2026-04.md")
                && store.warnings[0].contains("not UTF-8"),
            "{}",
            store.warnings[0]
        );
        assert!(
            store.warnings[1].contains("docs/reviews/notes.txt")
                && store.warnings[1].contains("skipped, not Markdown"),
            "{}",
            store.warnings[1]
        );
        let latin1 = store.inventory_entry("docs/reviews/2026-04.md").unwrap();
        assert_eq!(latin1.status, "failed");
        assert_eq!(
            store
                .inventory_entry("docs/reviews/2026-05.MD")
                .unwrap()
                .status,
            "loaded"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_out_of_the_folder_costs_that_link_only() {
        // 2 good files and a link to a file outside the evidence folder: the
        // link is refused (the confinement rule) with a warning; 2 are read.
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.md"), "# Secret\n").unwrap();
        let dir = folder_with_reviews(&[
            ("2026-01.md", b"# Review January\n"),
            ("2026-02.md", b"# Review February\n"),
        ]);
        std::os::unix::fs::symlink(
            outside.path().join("secret.md"),
            dir.path().join("docs/reviews/2026-03.md"),
        )
        .unwrap();
        let store = load(dir.path());
        assert_eq!(
            paths(&store),
            ["docs/reviews/2026-01.md", "docs/reviews/2026-02.md"]
        );
        assert_eq!(store.warnings.len(), 1, "{:?}", store.warnings);
        assert!(
            store.warnings[0].contains("docs/reviews/2026-03.md")
                && store.warnings[0].contains("outside the evidence folder"),
            "{}",
            store.warnings[0]
        );
    }

    #[test]
    fn a_folder_where_nothing_can_be_read_is_unusable() {
        // Only a Latin-1 file: no document could be read, so the kind fails
        // (insufficient evidence), naming the file; an empty folder is just empty.
        let dir = folder_with_reviews(&[("2026-01.md", b"Reuni\xe3o\n")]);
        let store = load(dir.path());
        let why = store.document_failure("review_minutes").unwrap();
        assert!(why.contains("docs/reviews/2026-01.md"), "{why}");
        let empty = folder_with_reviews(&[]);
        let store = load(empty.path());
        assert_eq!(store.document_failure("review_minutes"), None);
        assert_eq!(paths(&store), Vec::<String>::new());
    }
}

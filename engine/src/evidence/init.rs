//! `cxaudit evidence init`: a first `evidence.toml` from a folder of exports.
//!
//! Each file is read by the engine's own readers (CSV with the delimiter and
//! encoding found here, Excel workbooks, Parquet files), matched to one
//! canonical table, and each of its headers to a canonical column, in this
//! order: (1) the column's name, compared normalised; (2) a known synonym;
//! (3) the header of a platform preset the file matches; (4) the content of
//! sampled rows, typed by the run's own cell parser ([`CellProbe`]) and taken
//! only when exactly one header fits exactly one column. Markdown documents
//! are matched to the pack's document kinds by file name and first heading.
//! Presets and synonyms are data (`init/presets.toml`, embedded). Nothing the
//! exports cannot say is guessed: the centre's name is left to fill, its time
//! zone too unless an export states one IANA name, an ambiguous day/month
//! order is left to check.

mod documents;
mod matcher;
mod render;
mod time_zone;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

pub use documents::{DocumentMatch, first_heading};
pub use matcher::{ColumnMatch, Source, normalise};
pub use time_zone::{TimeZoneFinding, ZoneSource};

use super::EvidenceError;
use super::csv_table::{CellProbe, TableSample, sample_table};
use super::manifest::{DecimalMark, Formats, TableFormat, TextEncoding};
use crate::pack::EvidenceSchema;

/// Rows sampled per file for content matching and format detection.
pub const SAMPLE_ROWS: usize = 50;

/// The embedded presets and synonyms.
const PRESETS: &str = include_str!("init/presets.toml");

/// Why `evidence init` could not write a manifest.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// A folder or file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// `evidence.toml` exists and `--force` was not given.
    #[error(
        "{0} already exists: it is not overwritten (pass --force to replace it, or --out another folder)"
    )]
    Exists(PathBuf),
    /// The exports are not inside the output folder, so the manifest could
    /// not name them.
    #[error(
        "{from} is not inside {out}: evidence paths must stay inside the evidence folder (write into the exports' folder or a folder holding it)"
    )]
    Outside {
        /// The exports' folder.
        from: PathBuf,
        /// The output folder.
        out: PathBuf,
    },
    /// The embedded presets do not parse (a build defect).
    #[error("the embedded presets do not parse: {0}")]
    Presets(String),
    /// An evidence error (an unknown time zone in a probe).
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
}

impl InitError {
    /// Whether the error is the user's input (exit 2) rather than a defect.
    pub fn is_usage(&self) -> bool {
        !matches!(self, InitError::Presets(_))
    }
}

/// The synonyms, file-name hints and platform presets.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Knowledge {
    /// Words of file names, by canonical table.
    pub files: BTreeMap<String, Vec<String>>,
    /// Other names of canonical columns, by table and column.
    pub synonyms: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// Platform presets by name.
    pub presets: BTreeMap<String, Preset>,
    /// Other names of document kinds, looked for in a document's file name
    /// and first heading.
    #[serde(default)]
    pub documents: BTreeMap<String, Vec<String>>,
    /// Headers of columns that state the centre's time zone.
    #[serde(default)]
    pub time_zone: TimeZoneHeaders,
}

/// Headers of export columns that state a time zone.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeZoneHeaders {
    /// The headers, compared normalised.
    pub headers: Vec<String>,
}

/// The headers of one platform's standard export.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    /// The platform's name, shown in comments.
    pub platform: String,
    /// The canonical table the export fills.
    pub table: String,
    /// How many of the preset's headers a file needs to be this export.
    pub min_headers: usize,
    /// Export header by canonical column.
    pub columns: BTreeMap<String, String>,
}

impl Knowledge {
    /// The embedded presets and synonyms.
    pub fn embedded() -> Result<Self, InitError> {
        toml::from_str(PRESETS).map_err(|e| InitError::Presets(e.to_string()))
    }
}

/// How a file is read.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRead {
    /// Path relative to the output folder, with `/`.
    pub path: String,
    /// The file's format.
    pub format: TableFormat,
    /// Delimiter and encoding found (CSV), decimal mark, timestamp and date
    /// formats.
    pub formats: Formats,
    /// How each format was found, for the comments.
    pub notes: Vec<String>,
    /// The header and sampled rows.
    pub sample: TableSample,
}

/// One table of the manifest: the file and its column mappings.
#[derive(Debug, Clone, PartialEq)]
pub struct TablePlan {
    /// The file.
    pub file: FileRead,
    /// The preset the file matched, with how many of its headers were found.
    pub preset: Option<(String, usize, usize)>,
    /// Mappings in the schema's column order.
    pub columns: Vec<ColumnMatch>,
    /// Headers mapped to no canonical column.
    pub unmapped_headers: Vec<String>,
    /// Canonical columns with no source: (name, nullable).
    pub missing_columns: Vec<(String, bool)>,
}

/// Everything `evidence init` found.
#[derive(Debug, Clone, PartialEq)]
pub struct InitPlan {
    /// Tables by canonical name.
    pub tables: BTreeMap<String, TablePlan>,
    /// Files not used, with why.
    pub unmapped_files: Vec<(String, String)>,
    /// Canonical tables with no file.
    pub missing_tables: Vec<String>,
    /// Documents found, by the pack's document kind.
    pub documents: BTreeMap<String, DocumentMatch>,
    /// Document kinds of the pack with no document found.
    pub missing_documents: Vec<String>,
    /// The centre's time zone, when the exports state it.
    pub time_zone: TimeZoneFinding,
    /// The period: first and last day, and where they come from.
    pub period: Option<(NaiveDate, NaiveDate, Vec<String>)>,
    /// Values to check before assessing, in words.
    pub to_check: Vec<String>,
}

/// File names skipped without mention.
fn ignored(name: &str) -> bool {
    name.starts_with('.') || name == "evidence.toml" || name == "attestations.toml"
}

/// Every regular file under `dir`, sorted, and the symbolic links found
/// (not followed: listed as unmapped).
fn list_files(dir: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>), InitError> {
    let mut out = Vec::new();
    let mut links = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| InitError::Io {
            path: dir.to_path_buf(),
            message: format!("cannot list: {e}"),
        })?;
        let name = entry.file_name().to_string_lossy();
        if entry.depth() > 0 && ignored(&name) {
            continue;
        }
        if entry.file_type().is_file() {
            out.push(entry.path().to_path_buf());
        } else if entry.path_is_symlink() {
            links.push(entry.path().to_path_buf());
        }
    }
    Ok((out, links))
}

/// A path relative to `base` with `/`, or `None` when it is not under it.
fn relative(path: &Path, base: &Path) -> Option<String> {
    let rel = path.strip_prefix(base).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// Scans the exports in `from` for a manifest written into `out` (which
/// must be `from` or hold it) against `schema`.
pub fn plan(
    schema: &EvidenceSchema,
    knowledge: &Knowledge,
    from: &Path,
    out: &Path,
) -> Result<InitPlan, InitError> {
    let canon = |p: &Path| {
        p.canonicalize().map_err(|e| InitError::Io {
            path: p.to_path_buf(),
            message: format!("cannot open the folder: {e}"),
        })
    };
    let from_abs = canon(from)?;
    let out_abs = canon(out)?;
    if !from_abs.starts_with(&out_abs) {
        return Err(InitError::Outside {
            from: from.to_path_buf(),
            out: out.to_path_buf(),
        });
    }
    let mut unmapped_files = Vec::new();
    let mut candidates: Vec<(String, TablePlan, i64)> = Vec::new();
    let mut docs = Vec::new();
    let mut reads = Vec::new();
    let (files, links) = list_files(&from_abs)?;
    for link in links {
        let rel = relative(&link, &out_abs).unwrap_or_else(|| link.display().to_string());
        unmapped_files.push((
            rel,
            "a symbolic link: not followed (copy the file it points to into the folder)".to_owned(),
        ));
    }
    for path in files {
        let rel = relative(&path, &out_abs).unwrap_or_else(|| path.display().to_string());
        if documents::is_document(&path) {
            docs.push((rel, read_text(&path)));
            continue;
        }
        let read = match read_file(&path, &rel)? {
            Ok(read) => read,
            Err(why) => {
                unmapped_files.push((rel, why));
                continue;
            }
        };
        reads.push(read.clone());
        match matcher::best_table(schema, knowledge, read)? {
            Ok((table, plan, score)) => candidates.push((table, plan, score)),
            Err((rel, why)) => unmapped_files.push((rel, why)),
        }
    }
    // One file per table: the best score, then the first path.
    candidates.sort_by(|a, b| {
        (a.0.as_str(), -a.2, a.1.file.path.as_str()).cmp(&(
            b.0.as_str(),
            -b.2,
            b.1.file.path.as_str(),
        ))
    });
    let mut tables: BTreeMap<String, TablePlan> = BTreeMap::new();
    for (table, plan, _) in candidates {
        if let Some(kept) = tables.get(&table) {
            unmapped_files.push((
                plan.file.path.clone(),
                format!(
                    "also looks like table `{table}`, which `{}` matches better",
                    kept.file.path
                ),
            ));
        } else {
            tables.insert(table, plan);
        }
    }
    let (documents, unmapped_docs) = documents::match_documents(schema, knowledge, &docs);
    unmapped_files.extend(unmapped_docs);
    unmapped_files.sort();
    let missing_documents = schema
        .documents
        .keys()
        .filter(|k| !documents.contains_key(*k))
        .cloned()
        .collect();
    let time_zone = time_zone::find(knowledge, &reads.iter().collect::<Vec<_>>());
    let missing_tables = schema
        .tables
        .keys()
        .filter(|t| !tables.contains_key(*t))
        .cloned()
        .collect();
    let mut to_check = Vec::new();
    for (name, t) in &tables {
        for c in &t.columns {
            if let Some(w) = &c.warning {
                to_check.push(format!("{name}.{} (`{}`): {w}", c.canonical, c.header));
            }
        }
        for n in &t.file.notes {
            if n.starts_with("CHECK") {
                to_check.push(format!("{name} ({}): {n}", t.file.path));
            }
        }
    }
    let period = period(schema, &tables, &out_abs)?;
    Ok(InitPlan {
        tables,
        unmapped_files,
        missing_tables,
        documents,
        missing_documents,
        time_zone,
        period,
        to_check,
    })
}

/// Reads a file's header and sample as the engine will read it: `Ok(Err)`
/// when the engine cannot read it (with why).
fn read_file(path: &Path, rel: &str) -> Result<Result<FileRead, String>, InitError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let format = match extension.as_str() {
        "csv" | "tsv" | "txt" => TableFormat::Csv,
        "xlsx" | "xlsm" => TableFormat::Excel { sheet: None },
        "parquet" => TableFormat::Parquet,
        "xls" => {
            return Ok(Err(
                "an Excel 97-2003 workbook (.xls): the engine reads .xlsx, .xlsm, CSV and Parquet; save it as .xlsx or CSV"
                    .to_owned(),
            ));
        }
        other => {
            return Ok(Err(format!(
                "the engine reads no `.{other}` file (tables: CSV, .xlsx, .xlsm, .parquet)"
            )));
        }
    };
    if format != TableFormat::Csv {
        let sample = match sample_table(path, rel, &format, &Formats::default(), SAMPLE_ROWS) {
            Ok(s) => s,
            Err(e) => return Ok(Err(e.to_string())),
        };
        let mut notes = Vec::new();
        if format == TableFormat::Parquet {
            notes.push(
                "Parquet: matched by column names only (cells are typed by the file)".to_owned(),
            );
        }
        return Ok(Ok(FileRead {
            path: rel.to_owned(),
            format,
            formats: Formats::default(),
            notes,
            sample,
        }));
    }
    let bytes = std::fs::read(path).map_err(|e| InitError::Io {
        path: path.to_path_buf(),
        message: format!("cannot read: {e}"),
    })?;
    let (encoding, encoding_note) = detect_encoding(&bytes);
    let mut best: Option<(usize, char, TableSample)> = None;
    let mut last_error = None;
    for delimiter in [',', ';', '\t', '|'] {
        let formats = Formats {
            delimiter: Some(delimiter),
            encoding: Some(encoding),
            ..Formats::default()
        };
        match sample_table(path, rel, &TableFormat::Csv, &formats, SAMPLE_ROWS) {
            Ok(sample) => {
                let width = sample.headers.len();
                if width > best.as_ref().map_or(1, |b| b.0) {
                    best = Some((width, delimiter, sample));
                }
            }
            Err(e) => last_error = Some(e.to_string()),
        }
    }
    let Some((_, delimiter, sample)) = best else {
        return Ok(Err(last_error.unwrap_or_else(|| {
            "one column only with every usual delimiter (, ; tab |): not a table".to_owned()
        })));
    };
    let mut notes = vec![format!(
        "delimiter `{}`: the one that splits the header into the most columns ({})",
        if delimiter == '\t' {
            "\\t".to_owned()
        } else {
            delimiter.to_string()
        },
        sample.headers.len()
    )];
    notes.extend(encoding_note);
    Ok(Ok(FileRead {
        path: rel.to_owned(),
        format: TableFormat::Csv,
        formats: Formats {
            delimiter: (delimiter != ',').then_some(delimiter),
            encoding: (encoding != TextEncoding::Utf8).then_some(encoding),
            ..Formats::default()
        },
        notes,
        sample,
    }))
}

/// A document's text, or why the engine could not read it (it reads
/// documents as UTF-8).
fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    String::from_utf8(bytes).map_err(|_| {
        "a document that is not UTF-8 text: the engine reads documents as UTF-8; save it as UTF-8"
            .to_owned()
    })
}

/// The encoding of a text file's bytes: a UTF-16 byte-order mark, valid
/// UTF-8, else Windows-1252 (every byte is a character there), with a note.
fn detect_encoding(bytes: &[u8]) -> (TextEncoding, Option<String>) {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return (
            TextEncoding::Utf16,
            Some("encoding utf-16: the file starts with a UTF-16 byte-order mark".to_owned()),
        );
    }
    if std::str::from_utf8(bytes).is_ok() {
        return (TextEncoding::Utf8, None);
    }
    (
        TextEncoding::Windows1252,
        Some(
            "CHECK encoding windows-1252: the file is not UTF-8; windows-1252 reads every byte, check accented names"
                .to_owned(),
        ),
    )
}

/// The period from the period columns of the mapped tables (every row
/// read, not a sample), with the sources.
fn period(
    schema: &EvidenceSchema,
    tables: &BTreeMap<String, TablePlan>,
    out: &Path,
) -> Result<Option<(NaiveDate, NaiveDate, Vec<String>)>, InitError> {
    let mut range: Option<(NaiveDate, NaiveDate)> = None;
    let mut sources = BTreeSet::new();
    for (name, t) in tables {
        let Some(column) = schema.tables[name].period_column.as_deref() else {
            continue;
        };
        let Some(schema_col) = schema.column(name, column) else {
            continue;
        };
        if schema_col.column_type == cxaudit_plugin_sdk::ColumnType::Month {
            continue;
        }
        let Some(m) = t.columns.iter().find(|c| c.canonical == column) else {
            continue;
        };
        let full = sample_table(
            &out.join(&t.file.path),
            &t.file.path,
            &t.file.format,
            &t.file.formats,
            usize::MAX,
        )?;
        let Some(index) = full.headers.iter().position(|h| *h == m.header) else {
            continue;
        };
        let probe = CellProbe::new(&t.file.formats)?;
        let mut found = false;
        for row in &full.rows {
            if let Some(day) = probe.day(schema_col, &row[index]) {
                found = true;
                range = Some(match range {
                    None => (day, day),
                    Some((a, b)) => (a.min(day), b.max(day)),
                });
            }
        }
        if found {
            sources.insert(format!("{name}.{column} ({})", t.file.path));
        }
    }
    Ok(range.map(|(a, b)| (a, b, sources.into_iter().collect())))
}

/// Writes `text` as `out/evidence.toml`: never over an existing file unless
/// `force`.
pub fn write_manifest(out: &Path, text: &str, force: bool) -> Result<PathBuf, InitError> {
    let path = out.join("evidence.toml");
    let io = |e: std::io::Error| InitError::Io {
        path: path.clone(),
        message: format!("cannot write: {e}"),
    };
    if force {
        std::fs::write(&path, text).map_err(io)?;
    } else {
        use std::io::Write;
        let mut file = std::fs::File::options()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    InitError::Exists(path.clone())
                } else {
                    io(e)
                }
            })?;
        file.write_all(text.as_bytes()).map_err(io)?;
    }
    Ok(path)
}

/// Whether `out/evidence.toml` exists (checked before scanning).
pub fn manifest_exists(out: &Path) -> bool {
    out.join("evidence.toml").exists()
}

pub use render::{manifest_text, summary_text};

/// The decimal mark's name in `evidence.toml`.
fn decimal_label(d: DecimalMark) -> &'static str {
    match d {
        DecimalMark::Point => ".",
        DecimalMark::Comma => ",",
    }
}

#[cfg(test)]
mod tests;

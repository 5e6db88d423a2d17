//! `evidence.toml`: the centre, the period, and where each table and
//! document is.
//!
//! The file is validated whole when it is loaded, before anything runs:
//! time zones, delimiters, decimal marks, encodings, timestamp and date
//! formats and paths are checked here, each error naming the file, line,
//! column and key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Timelike};
use chrono_tz::Tz;
pub use cxaudit_model::Centre;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::EvidenceError;
use super::document_words::{self, DocumentNames, RawDocument};
use super::paths::special_file;
use crate::source::{Location, parse_toml};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPeriod {
    #[serde(with = "crate::dates")]
    start: NaiveDate,
    #[serde(with = "crate::dates")]
    end: NaiveDate,
    #[serde(default, deserialize_with = "crate::dates::deserialize_list")]
    closed: Vec<NaiveDate>,
}

/// What to do with a row that does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    /// The table is unusable; criteria needing it get `insufficient_evidence`.
    #[default]
    Fail,
    /// The row is skipped, counted and reported.
    Skip,
}

/// The decimal mark of a table's numbers (`decimal` in `evidence.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecimalMark {
    /// `12.5` (the default).
    #[default]
    Point,
    /// `12,5` and `1.234,5`: `,` is the decimal mark and `.` groups thousands.
    Comma,
}

/// The character encoding of a table's file (`encoding` in `evidence.toml`).
/// A UTF-8 byte-order mark is accepted whatever the encoding says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextEncoding {
    /// UTF-8 (the default).
    #[default]
    Utf8,
    /// UTF-16, little- or big-endian as the file's byte-order mark says (it
    /// must have one).
    Utf16,
    /// Windows-1252; also what `latin-1` / `iso-8859-1` mean (the two differ
    /// only in 0x80-0x9F, control characters in ISO 8859-1).
    Windows1252,
}

/// Formats and options for reading a table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Formats {
    /// IANA time zone of timestamps without an offset (default UTC).
    pub time_zone: Option<String>,
    /// chrono format of timestamps (default: ISO 8601 / RFC 3339).
    pub timestamp_format: Option<String>,
    /// chrono format of dates (default `%Y-%m-%d`).
    pub date_format: Option<String>,
    /// Field delimiter, one ASCII character (default `,`).
    pub delimiter: Option<char>,
    /// Decimal mark of numbers (default `.`).
    pub decimal: Option<DecimalMark>,
    /// Character encoding of the file (default UTF-8).
    pub encoding: Option<TextEncoding>,
}

/// The file format of a table, from its path's extension.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TableFormat {
    /// Delimited text (any extension other than those below).
    #[default]
    Csv,
    /// An Excel workbook (`.xlsx`, `.xlsm`); `sheet` names the worksheet
    /// (`None`: the workbook's only sheet).
    Excel {
        /// The worksheet to read.
        sheet: Option<String>,
    },
    /// An Apache Parquet file (`.parquet`).
    Parquet,
}

impl TableFormat {
    /// The format of a file at `path` (relative), by its extension (any
    /// case), with the sheet `evidence.toml` names.
    pub fn of_path(path: &str, sheet: Option<String>) -> Self {
        let extension = Path::new(path)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("xlsx" | "xlsm") => TableFormat::Excel { sheet },
            Some("parquet") => TableFormat::Parquet,
            _ => TableFormat::Csv,
        }
    }

    /// The worksheet named in `evidence.toml`, for a workbook.
    pub fn sheet(&self) -> Option<&str> {
        match self {
            TableFormat::Excel { sheet } => sheet.as_deref(),
            _ => None,
        }
    }

    /// The format's name in messages.
    pub fn label(&self) -> &'static str {
        match self {
            TableFormat::Csv => "CSV",
            TableFormat::Excel { .. } => "an Excel workbook",
            TableFormat::Parquet => "Parquet",
        }
    }
}

/// Where a table is and how to read it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSource {
    /// Path relative to the evidence folder.
    pub path: String,
    /// The file's format (from its extension) and, for a workbook, the sheet.
    pub format: TableFormat,
    /// Canonical column name -> the export's header.
    pub columns: BTreeMap<String, String>,
    /// Per-table formats, over the defaults.
    pub formats: Formats,
    /// What to do with a row that does not parse.
    pub on_error: OnError,
}

impl TableSource {
    /// Whether a header row holds the canonical column `name` (a pattern
    /// such as `attr_*` by prefix), after this table's mapping; an error
    /// when two columns give it (see `read_table`).
    pub fn locate(&self, headers: &[String], name: &str) -> Result<bool, String> {
        let mapped_from = self.columns.get(name).map(String::as_str);
        super::csv_table::locate_column(headers, name, mapped_from)
            .map(|positions| !positions.is_empty())
            .map_err(|clash| clash.message)
    }
}

/// The formats of `evidence.toml` as written, with where each value is.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFormats {
    time_zone: Option<Spanned<String>>,
    timestamp_format: Option<Spanned<String>>,
    date_format: Option<Spanned<String>>,
    delimiter: Option<Spanned<String>>,
    decimal: Option<Spanned<String>>,
    encoding: Option<Spanned<String>>,
}

/// A table of `evidence.toml` as written. The format keys are repeated from
/// [`RawFormats`]: spans do not survive `#[serde(flatten)]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    path: Spanned<String>,
    sheet: Option<Spanned<String>>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    on_error: OnError,
    time_zone: Option<Spanned<String>>,
    timestamp_format: Option<Spanned<String>>,
    date_format: Option<Spanned<String>>,
    delimiter: Option<Spanned<String>>,
    decimal: Option<Spanned<String>>,
    encoding: Option<Spanned<String>>,
}

impl RawTable {
    fn formats(&self) -> RawFormats {
        RawFormats {
            time_zone: self.time_zone.clone(),
            timestamp_format: self.timestamp_format.clone(),
            date_format: self.date_format.clone(),
            delimiter: self.delimiter.clone(),
            decimal: self.decimal.clone(),
            encoding: self.encoding.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    centre: Centre,
    period: RawPeriod,
    #[serde(default)]
    defaults: RawFormats,
    #[serde(default)]
    tables: BTreeMap<String, RawTable>,
    #[serde(default)]
    documents: BTreeMap<String, Spanned<RawDocument>>,
}

/// A loaded `evidence.toml`.
#[derive(Debug, Clone)]
pub struct EvidenceManifest {
    /// The evidence folder.
    pub dir: PathBuf,
    /// The centre.
    pub centre: Centre,
    /// First day of the period.
    pub start: NaiveDate,
    /// Last day of the period (inclusive).
    pub end: NaiveDate,
    /// Days of the period the centre was closed (`[period] closed`): not
    /// missing days for tables covered daily.
    pub closed: std::collections::BTreeSet<NaiveDate>,
    /// Default formats.
    pub defaults: Formats,
    /// Tables by canonical name.
    pub tables: BTreeMap<String, TableSource>,
    /// Documents by kind: a file, or a folder of Markdown files.
    pub documents: BTreeMap<String, String>,
    /// The centre's own names for the headings and columns of a document
    /// kind, by kind (only kinds that map some).
    pub document_names: BTreeMap<String, DocumentNames>,
    /// sha256 of `evidence.toml` as read.
    pub sha256: String,
}

impl EvidenceManifest {
    /// The effective formats of a table (its own over the defaults).
    pub fn formats(&self, table: &str) -> Formats {
        let own = self
            .tables
            .get(table)
            .map(|t| t.formats.clone())
            .unwrap_or_default();
        Formats {
            time_zone: own.time_zone.or_else(|| self.defaults.time_zone.clone()),
            timestamp_format: own
                .timestamp_format
                .or_else(|| self.defaults.timestamp_format.clone()),
            date_format: own
                .date_format
                .or_else(|| self.defaults.date_format.clone()),
            delimiter: own.delimiter.or(self.defaults.delimiter),
            decimal: own.decimal.or(self.defaults.decimal),
            encoding: own.encoding.or(self.defaults.encoding),
        }
    }
}

/// Reads `evidence.toml` from an evidence folder and validates it whole.
pub fn load_manifest(dir: &Path) -> Result<EvidenceManifest, EvidenceError> {
    let path = dir.join("evidence.toml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| EvidenceError::new(Location::file(&path), format!("cannot read: {e}")))?;
    let raw: RawManifest = parse_toml(&path, &text)
        .map_err(|(location, message)| EvidenceError::new(location, message))?;
    if raw.period.end < raw.period.start {
        return Err(EvidenceError::new(
            Location::file(&path).key("period"),
            format!(
                "the period ends ({}) before it starts ({})",
                raw.period.end, raw.period.start
            ),
        ));
    }
    if let Some(day) = raw
        .period
        .closed
        .iter()
        .find(|d| **d < raw.period.start || **d > raw.period.end)
    {
        return Err(EvidenceError::new(
            Location::file(&path).key("period.closed"),
            format!(
                "closed day {day} is outside the period {} to {}",
                raw.period.start, raw.period.end
            ),
        ));
    }
    let check = Checker {
        file: &path,
        text: &text,
        dir,
    };
    let defaults = check.formats(&raw.defaults, "defaults")?;
    let mut tables = BTreeMap::new();
    for (name, table) in raw.tables {
        let prefix = format!("tables.{name}");
        let rel = check.path(&table.path, &format!("{prefix}.path"))?;
        let source = TableSource {
            format: check.format(&table, &rel, &prefix)?,
            path: rel,
            formats: check.formats(&table.formats(), &prefix)?,
            columns: table.columns,
            on_error: table.on_error,
        };
        tables.insert(name, source);
    }
    let mut documents = BTreeMap::new();
    let mut document_names = BTreeMap::new();
    for (kind, entry) in raw.documents {
        let span = entry.span();
        let (rel, key) = match entry.into_inner() {
            RawDocument::Path(rel) => (Spanned::new(span, rel), format!("documents.{kind}")),
            RawDocument::Table(table) => {
                let names =
                    document_words::read_names(&table, &format!("documents.{kind}"), &path, &text)?;
                if !names.is_empty() {
                    document_names.insert(kind.clone(), names);
                }
                (table.path, format!("documents.{kind}.path"))
            }
        };
        documents.insert(kind, check.path(&rel, &key)?);
    }
    Ok(EvidenceManifest {
        dir: dir.to_path_buf(),
        centre: raw.centre,
        start: raw.period.start,
        end: raw.period.end,
        closed: raw.period.closed.iter().copied().collect(),
        defaults,
        tables,
        documents,
        document_names,
        sha256: crate::hashing::sha256_bytes(text.as_bytes()),
    })
}

/// Validates the values of one `evidence.toml`, locating each error.
struct Checker<'a> {
    file: &'a Path,
    text: &'a str,
    dir: &'a Path,
}

impl Checker<'_> {
    /// A value checked by `rule`, or an error at the value naming `key`.
    fn value<T>(
        &self,
        value: &Spanned<String>,
        key: &str,
        rule: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, EvidenceError> {
        rule(value.get_ref()).map_err(|message| {
            EvidenceError::new(
                Location::at_offset(self.file, self.text, value.span().start).key(key),
                message,
            )
        })
    }

    /// An optional value checked by `rule`.
    fn optional<T>(
        &self,
        value: &Option<Spanned<String>>,
        key: String,
        rule: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, EvidenceError> {
        value
            .as_ref()
            .map(|v| self.value(v, &key, rule))
            .transpose()
    }

    /// The formats of `[defaults]` or of a table (`prefix` is its key).
    fn formats(&self, raw: &RawFormats, prefix: &str) -> Result<Formats, EvidenceError> {
        let key = |name: &str| format!("{prefix}.{name}");
        Ok(Formats {
            time_zone: self.optional(&raw.time_zone, key("time_zone"), time_zone)?,
            timestamp_format: self.optional(
                &raw.timestamp_format,
                key("timestamp_format"),
                timestamp_format,
            )?,
            date_format: self.optional(&raw.date_format, key("date_format"), date_format)?,
            delimiter: self.optional(&raw.delimiter, key("delimiter"), delimiter)?,
            decimal: self.optional(&raw.decimal, key("decimal"), decimal)?,
            encoding: self.optional(&raw.encoding, key("encoding"), encoding)?,
        })
    }

    /// The format of a table at `rel`: a `sheet` only for a workbook, and
    /// the CSV-only keys (`delimiter`, `encoding`) only for CSV.
    fn format(
        &self,
        table: &RawTable,
        rel: &str,
        prefix: &str,
    ) -> Result<TableFormat, EvidenceError> {
        let sheet = table
            .sheet
            .as_ref()
            .map(|s| {
                self.value(s, &format!("{prefix}.sheet"), |name| {
                    if name.trim().is_empty() {
                        Err("the sheet name is empty (expected a worksheet's name)".to_owned())
                    } else {
                        Ok(name.to_owned())
                    }
                })
            })
            .transpose()?;
        let format = TableFormat::of_path(rel, sheet);
        if let (Some(s), false) = (&table.sheet, matches!(format, TableFormat::Excel { .. })) {
            self.value(s, &format!("{prefix}.sheet"), |_| {
                Err::<(), _>(format!(
                    "`sheet` applies to Excel workbooks (.xlsx, .xlsm) only; `{rel}` is read as {}",
                    format.label()
                ))
            })?;
        }
        if format != TableFormat::Csv {
            for (key, value) in [
                ("delimiter", &table.delimiter),
                ("encoding", &table.encoding),
            ] {
                if let Some(v) = value {
                    self.value(v, &format!("{prefix}.{key}"), |_| {
                        Err::<(), _>(format!(
                            "`{key}` applies to CSV files only; `{rel}` is read as {}",
                            format.label()
                        ))
                    })?;
                }
            }
        }
        Ok(format)
    }

    /// A table or document path: not empty, and not a special file. Leaving
    /// the folder is judged when the file is read, and costs only what
    /// needs it.
    fn path(&self, value: &Spanned<String>, key: &str) -> Result<String, EvidenceError> {
        self.value(value, key, |rel| {
            if rel.trim().is_empty() {
                return Err(
                    "the path is empty (expected a file relative to the evidence folder)".into(),
                );
            }
            match special_file(&self.dir.join(rel)) {
                Some(kind) => Err(format!(
                    "`{rel}` is a {kind}, not a regular file: evidence must be files \
                     (a special file would block or never end when read)"
                )),
                None => Ok(rel.to_owned()),
            }
        })
    }
}

/// An IANA time zone name.
fn time_zone(value: &str) -> Result<String, String> {
    value.parse::<Tz>().map(|_| value.to_owned()).map_err(|_| {
        format!("unknown time zone `{value}` (expected an IANA name such as Europe/Lisbon)")
    })
}

/// One ASCII character that can separate fields.
fn delimiter(value: &str) -> Result<char, String> {
    let mut chars = value.chars();
    match (chars.next(), chars.next()) {
        (Some('"'), None) => Err("the quote `\"` cannot be the delimiter".into()),
        (Some('\n' | '\r'), None) => Err("a line break cannot be the delimiter".into()),
        (Some(c), None) if c.is_ascii() => Ok(c),
        _ => Err(format!(
            "expected one ASCII character such as \",\", \";\", \"|\" or \"\\t\", found `{value}`"
        )),
    }
}

/// `.` or `,`.
fn decimal(value: &str) -> Result<DecimalMark, String> {
    match value {
        "." => Ok(DecimalMark::Point),
        "," => Ok(DecimalMark::Comma),
        _ => Err(format!("expected \".\" or \",\", found `{value}`")),
    }
}

/// A supported encoding label (case-insensitive).
fn encoding(value: &str) -> Result<TextEncoding, String> {
    match value.to_ascii_lowercase().as_str() {
        "utf-8" | "utf8" => Ok(TextEncoding::Utf8),
        "utf-16" | "utf16" => Ok(TextEncoding::Utf16),
        "windows-1252" | "cp1252" | "latin-1" | "latin1" | "iso-8859-1" => {
            Ok(TextEncoding::Windows1252)
        }
        _ => Err(format!(
            "unknown encoding `{value}` (expected one of utf-8, utf-16, windows-1252, latin-1, \
             iso-8859-1)"
        )),
    }
}

/// The first `%` specifier of `format` that chrono does not know, if any.
fn bad_specifier(format: &str) -> Option<String> {
    let has_error = |f: &str| StrftimeItems::new(f).any(|item| matches!(item, Item::Error));
    if !has_error(format) {
        return None;
    }
    let mut chars = format.char_indices();
    while let Some((start, c)) = chars.next() {
        if c != '%' {
            continue;
        }
        // Modifiers (`-`, `.3`, `:`, `#`...) then one letter, `%` or `+`.
        let end = chars
            .by_ref()
            .find(|(_, d)| d.is_ascii_alphabetic() || matches!(d, '%' | '+'))
            .map_or(format.len(), |(i, d)| i + d.len_utf8());
        let spec = &format[start..end];
        if has_error(spec) {
            return Some(spec.to_owned());
        }
    }
    Some(format.to_owned())
}

/// `format` written as a chrono format string, or why not.
fn known_specifiers(format: &str) -> Result<(), String> {
    match bad_specifier(format) {
        Some(spec) => Err(format!(
            "`{spec}` in `{format}` is not a chrono format specifier (see chrono's strftime \
             documentation)"
        )),
        None => Ok(()),
    }
}

/// The date-time formats are probed with: every field differs from the
/// others (day 14, month 3, hour 15, minute 9, second 26, offset +01:00),
/// so a field read back into the wrong place shows.
fn probe() -> DateTime<FixedOffset> {
    FixedOffset::east_opt(3600)
        .and_then(|offset| offset.with_ymd_and_hms(2026, 3, 14, 15, 9, 26).single())
        .expect("a valid probe date-time")
}

/// A timestamp format that writes a known date-time and reads it back to
/// the same minute (as an instant with an offset, or as a local time).
fn timestamp_format(format: &str) -> Result<String, String> {
    known_specifiers(format)?;
    let probe = probe();
    let mut written = String::new();
    std::fmt::write(&mut written, format_args!("{}", probe.format(format)))
        .map_err(|_| format!("`{format}` cannot write a timestamp"))?;
    let as_instant = DateTime::parse_from_str(&written, format)
        .is_ok_and(|t| t.timestamp().div_euclid(60) == probe.timestamp().div_euclid(60));
    let local = probe.naive_local();
    let as_local = NaiveDateTime::parse_from_str(&written, format).is_ok_and(|t| {
        t.date() == local.date() && t.hour() == local.hour() && t.minute() == local.minute()
    });
    if as_instant || as_local {
        Ok(format.to_owned())
    } else {
        Err(format!(
            "`{format}` does not read back what it writes ({local} is written `{written}`): a \
             timestamp format needs the date, the hour and the minute"
        ))
    }
}

/// A date format that writes a known date and reads it back.
fn date_format(format: &str) -> Result<String, String> {
    known_specifiers(format)?;
    let probe = probe().date_naive();
    let mut written = String::new();
    std::fmt::write(&mut written, format_args!("{}", probe.format(format)))
        .map_err(|_| format!("`{format}` cannot write a date (it asks for more than a date)"))?;
    match NaiveDate::parse_from_str(&written, format) {
        Ok(d) if d == probe => Ok(format.to_owned()),
        _ => Err(format!(
            "`{format}` does not read back what it writes ({probe} is written `{written}`): a \
             date format needs the year, the month and the day"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::line_column;

    /// An evidence folder whose `evidence.toml` has `defaults` under
    /// `[defaults]`, `table` inside table `t`'s inline table and `documents`
    /// under `[documents]`; `t.csv` exists.
    fn folder(defaults: &str, table: &str, documents: &str) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "[centre]\nname = \"C\"\n\n[period]\nstart = 2026-01-01\nend = 2026-01-31\n\n\
             [defaults]\n{defaults}\n\n[tables]\nt = {{ path = \"t.csv\"{table} }}\n\n\
             [documents]\n{documents}\n"
        );
        std::fs::write(dir.path().join("evidence.toml"), &text).unwrap();
        std::fs::write(dir.path().join("t.csv"), "id\nx\n").unwrap();
        (dir, text)
    }

    /// Loading fails at the first occurrence of `value` in the text, naming
    /// `key`, with a message containing `why`.
    fn assert_refused(dir: &Path, text: &str, value: &str, key: &str, why: &str) {
        let e = load_manifest(dir).expect_err(value);
        let offset = text
            .find(value)
            .unwrap_or_else(|| panic!("`{value}` in {text}"));
        let (line, column) = line_column(text, offset);
        assert_eq!(e.location.file, dir.join("evidence.toml"), "{e}");
        assert_eq!(
            (e.location.line, e.location.column),
            (Some(line), Some(column)),
            "{value}: {e}"
        );
        assert_eq!(e.location.key.as_deref(), Some(key), "{e}");
        assert!(e.message.contains(why), "{value}: {e}");
    }

    #[test]
    fn bad_formats_in_defaults_are_refused_at_load_with_line_column_and_key() {
        let cases = [
            (
                "time_zone = \"Europe/Lisbn\"",
                "\"Europe/Lisbn\"",
                "time_zone",
                "unknown time zone",
            ),
            (
                "delimiter = \";;\"",
                "\";;\"",
                "delimiter",
                "one ASCII character",
            ),
            (
                "delimiter = \"\u{a7}\"",
                "\"\u{a7}\"",
                "delimiter",
                "one ASCII character",
            ),
            ("delimiter = \"\\\"\"", "\"\\\"\"", "delimiter", "the quote"),
            ("decimal = \";\"", "\";\"", "decimal", "\".\" or \",\""),
            (
                "encoding = \"ebcdic\"",
                "\"ebcdic\"",
                "encoding",
                "utf-8, utf-16, windows-1252",
            ),
            (
                "timestamp_format = \"%Y-%m-%d %H:%Q\"",
                "\"%Y-%m-%d %H:%Q\"",
                "timestamp_format",
                "`%Q`",
            ),
            (
                "timestamp_format = \"%Y-%m-%d\"",
                "\"%Y-%m-%d\"",
                "timestamp_format",
                "does not read back",
            ),
            (
                "date_format = \"%Y-%m\"",
                "\"%Y-%m\"",
                "date_format",
                "does not read back",
            ),
            (
                "date_format = \"%d.%m.%Y %\"",
                "\"%d.%m.%Y %\"",
                "date_format",
                "`%`",
            ),
        ];
        for (line, value, key, why) in cases {
            let (dir, text) = folder(line, "", "");
            assert_refused(dir.path(), &text, value, &format!("defaults.{key}"), why);
        }
    }

    #[test]
    fn bad_formats_and_paths_of_a_table_are_refused_at_load() {
        let cases = [
            (
                ", time_zone = \"Mars/Olympus\"",
                "\"Mars/Olympus\"",
                "time_zone",
            ),
            (", delimiter = \"\"", "\"\"", "delimiter"),
            (", decimal = \"\u{b7}\"", "\"\u{b7}\"", "decimal"),
            (", encoding = \"utf-32\"", "\"utf-32\"", "encoding"),
        ];
        for (keys, value, key) in cases {
            let (dir, text) = folder("", keys, "");
            assert_refused(dir.path(), &text, value, &format!("tables.t.{key}"), "");
        }
        let dir = tempfile::tempdir().unwrap();
        let text = "[centre]\nname = \"C\"\n[period]\nstart = 2026-01-01\nend = 2026-01-31\n\
                    [tables.t]\npath = \"\"\n";
        std::fs::write(dir.path().join("evidence.toml"), text).unwrap();
        assert_refused(dir.path(), text, "\"\"", "tables.t.path", "empty");
        let (dir, text) = folder("", "", "direction = \"\"");
        assert_refused(dir.path(), &text, "\"\"", "documents.direction", "empty");
    }

    #[test]
    fn good_formats_load_and_a_table_overrides_the_defaults() {
        let (dir, _) = folder(
            "time_zone = \"Europe/Lisbon\"\ndelimiter = \";\"\ndecimal = \",\"\n\
             encoding = \"windows-1252\"\ntimestamp_format = \"%d/%m/%Y %H:%M\"\n\
             date_format = \"%d.%m.%Y\"",
            ", delimiter = \"\\t\", encoding = \"UTF-16\"",
            "",
        );
        let m = load_manifest(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let f = m.formats("t");
        assert_eq!(f.delimiter, Some('\t'));
        assert_eq!(f.decimal, Some(DecimalMark::Comma));
        assert_eq!(f.encoding, Some(TextEncoding::Utf16));
        assert_eq!(f.time_zone.as_deref(), Some("Europe/Lisbon"));
        assert_eq!(f.date_format.as_deref(), Some("%d.%m.%Y"));
        assert_eq!(m.defaults.encoding, Some(TextEncoding::Windows1252));
    }

    #[test]
    fn the_format_probe_accepts_real_formats_and_names_what_is_wrong() {
        for ok in [
            "%Y-%m-%dT%H:%M:%S",
            "%d/%m/%Y %H:%M",
            "%d/%m/%Y %I:%M %p",
            "%Y-%m-%d %H:%M:%S%.3f",
            "%Y-%m-%dT%H:%M:%S%z",
            "%Y-%m-%dT%H:%M:%S%:z",
            "%+",
            "%s",
            "%d.%m.%y %H.%M Uhr",
        ] {
            assert_eq!(timestamp_format(ok), Ok(ok.to_owned()), "{ok}");
        }
        for ok in ["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y", "%e %B %Y", "%Y%m%d"] {
            assert_eq!(date_format(ok), Ok(ok.to_owned()), "{ok}");
        }
        for (bad, why) in [
            ("%H:%M", "does not read back"),
            ("%Y-%m-%d %H", "does not read back"),
            ("%Y-%m-%d %H:%M %J", "`%J`"),
            ("%Y-%m-%d %H:%M:%S%.9", "`%.9`"),
        ] {
            let e = timestamp_format(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
        for (bad, why) in [
            ("%d/%m", "does not read back"),
            ("%Y-%m-%d %H:%M", "cannot write a date"),
        ] {
            let e = date_format(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn the_readme_european_example_loads() {
        let readme =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
                .unwrap();
        let start = readme
            .find("```toml\n[defaults]\ntime_zone = \"Europe/Berlin\"")
            .expect("the README's European example");
        let block = &readme[start + "```toml\n".len()..];
        let block = &block[..block.find("```").unwrap()];
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("evidence.toml"),
            format!(
                "[centre]\nname = \"C\"\n[period]\nstart = 2026-01-01\nend = 2026-01-31\n{block}"
            ),
        )
        .unwrap();
        let m = load_manifest(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let f = m.formats("contacts");
        assert_eq!(f.delimiter, Some(';'));
        assert_eq!(f.decimal, Some(DecimalMark::Comma));
        assert_eq!(f.encoding, Some(TextEncoding::Windows1252));
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_refused_at_load_before_anything_opens_them() {
        // A FIFO would block the reader forever; a socket or a device is no
        // export either.
        let (dir, text) = folder("", "", "");
        let table = dir.path().join("t.csv");
        std::fs::remove_file(&table).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(&table)
            .status()
            .unwrap();
        assert!(made.success());
        assert_refused(dir.path(), &text, "\"t.csv\"", "tables.t.path", "FIFO");

        std::fs::remove_file(&table).unwrap();
        let _listener = std::os::unix::net::UnixListener::bind(&table).unwrap();
        assert_refused(dir.path(), &text, "\"t.csv\"", "tables.t.path", "socket");

        std::fs::remove_file(&table).unwrap();
        std::os::unix::fs::symlink("/dev/null", &table).unwrap();
        assert_refused(dir.path(), &text, "\"t.csv\"", "tables.t.path", "device");

        let (dir, text) = folder("", "", "direction = \"d.md\"");
        let made = std::process::Command::new("mkfifo")
            .arg(dir.path().join("d.md"))
            .status()
            .unwrap();
        assert!(made.success());
        assert_refused(dir.path(), &text, "\"d.md\"", "documents.direction", "FIFO");
    }

    /// A folder whose table `t` is at `path` with `keys` in its inline table.
    fn table_folder(path: &str, keys: &str) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "[centre]\nname = \"C\"\n\n[period]\nstart = 2026-01-01\nend = 2026-01-31\n\n\
             [tables]\nt = {{ path = \"{path}\"{keys} }}\n"
        );
        std::fs::write(dir.path().join("evidence.toml"), &text).unwrap();
        (dir, text)
    }

    #[test]
    fn the_format_follows_the_extension_and_a_sheet_names_a_workbook_s_sheet() {
        let (dir, _) = table_folder("exports/calls.XLSX", ", sheet = \"Calls\"");
        let m = load_manifest(dir.path()).unwrap();
        assert_eq!(
            m.tables["t"].format,
            TableFormat::Excel {
                sheet: Some("Calls".into())
            }
        );
        let (dir, _) = table_folder("exports/calls.parquet", "");
        assert_eq!(
            load_manifest(dir.path()).unwrap().tables["t"].format,
            TableFormat::Parquet
        );
        let (dir, _) = table_folder("exports/calls.txt", "");
        assert_eq!(
            load_manifest(dir.path()).unwrap().tables["t"].format,
            TableFormat::Csv
        );
    }

    #[test]
    fn keys_of_another_format_are_refused_at_load_with_line_column_and_key() {
        let (dir, text) = table_folder("t.csv", ", sheet = \"Calls\"");
        assert_refused(
            dir.path(),
            &text,
            "\"Calls\"",
            "tables.t.sheet",
            "`sheet` applies to Excel workbooks (.xlsx, .xlsm) only; `t.csv` is read as CSV",
        );
        let (dir, text) = table_folder("t.xlsx", ", sheet = \" \"");
        assert_refused(
            dir.path(),
            &text,
            "\" \"",
            "tables.t.sheet",
            "the sheet name is empty",
        );
        let (dir, text) = table_folder("t.parquet", ", delimiter = \";\"");
        assert_refused(
            dir.path(),
            &text,
            "\";\"",
            "tables.t.delimiter",
            "`delimiter` applies to CSV files only; `t.parquet` is read as Parquet",
        );
        let (dir, text) = table_folder("t.xlsx", ", encoding = \"latin-1\"");
        assert_refused(
            dir.path(),
            &text,
            "\"latin-1\"",
            "tables.t.encoding",
            "`encoding` applies to CSV files only",
        );
    }
}

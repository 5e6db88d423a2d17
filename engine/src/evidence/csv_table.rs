//! Typed CSV to Arrow: one pass over the file, only the wanted columns,
//! every bad cell reported with file, line, column and the expected type.

use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
    TimestampSecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use cxaudit_plugin_sdk::ColumnType;
use cxaudit_plugin_sdk::table::days_from_date;

use super::EvidenceError;
use super::manifest::{Formats, OnError};
use super::rules::{self, PeriodContext, Placement, RowRules, Skips, Value};
use crate::pack::{ColumnSchema, TableSchema};
use crate::source::Location;

/// Rows per Arrow batch.
const BATCH_ROWS: usize = 64 * 1024;
/// Timestamp units per second (the Arrow timestamp unit).
pub const TIMESTAMP_UNITS_PER_SECOND: i64 = 1;

/// A column to read: its canonical name (or pattern), its schema, and the
/// export header it comes from when mapped.
#[derive(Debug, Clone)]
pub struct WantedColumn {
    /// Canonical schema of the column (name may be a pattern like `attr_*`).
    pub schema: ColumnSchema,
    /// The export's header for it, when `evidence.toml` maps it.
    pub mapped_from: Option<String>,
}

/// How to read one table.
#[derive(Debug, Clone)]
pub struct TableReadOptions {
    /// The path shown in messages (relative to the evidence folder).
    pub shown_path: String,
    /// Formats.
    pub formats: Formats,
    /// What to do with a bad row.
    pub on_error: OnError,
    /// The table's validity rules and the period, when they apply.
    pub rules: Option<(TableSchema, NaiveDate, NaiveDate)>,
}

/// A parsed table.
#[derive(Debug, Clone)]
pub struct ParsedTable {
    /// Schema of the columns read (canonical names).
    pub schema: SchemaRef,
    /// Batches, in file order.
    pub batches: Vec<RecordBatch>,
    /// Data rows read.
    pub rows: u64,
    /// Rows skipped (`on_error = "skip"`).
    pub skipped_rows: u64,
    /// Rows skipped, by reason (see [`rules::reason`]).
    pub skipped_by_reason: std::collections::BTreeMap<String, u64>,
    /// The first skipped rows' messages.
    pub skipped_examples: Vec<String>,
    /// Where the accepted rows fall (outside the period, days missing).
    pub placement: Placement,
    /// The key columns checked for duplicates (empty when none).
    pub key_columns: Vec<String>,
    /// Wanted columns the file does not have.
    pub missing_columns: Vec<String>,
}

/// The header row of a CSV file.
pub fn read_csv_header(path: &Path, delimiter: u8) -> Result<Vec<String>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_path(path)
        .map_err(|e| e.to_string())?;
    let headers = reader.headers().map_err(|e| e.to_string())?;
    Ok(headers.iter().map(|h| h.trim().to_owned()).collect())
}

/// One resolved column: where it is in the file and how to parse it.
struct Slot {
    name: String,
    header: String,
    index: usize,
    schema: ColumnSchema,
}

enum ColumnBuilder {
    Str(StringBuilder),
    Int(Int64Builder),
    Float(Float64Builder),
    Bool(BooleanBuilder),
    Date(Date32Builder),
    Ts(TimestampSecondBuilder),
}

impl ColumnBuilder {
    fn new(t: ColumnType) -> Self {
        match t {
            ColumnType::String => Self::Str(StringBuilder::new()),
            ColumnType::Integer => Self::Int(Int64Builder::new()),
            ColumnType::Float => Self::Float(Float64Builder::new()),
            ColumnType::Bool => Self::Bool(BooleanBuilder::new()),
            ColumnType::Date | ColumnType::Month => Self::Date(Date32Builder::new()),
            ColumnType::Timestamp => Self::Ts(TimestampSecondBuilder::new().with_timezone("UTC")),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Self::Str(b) => Arc::new(b.finish()),
            Self::Int(b) => Arc::new(b.finish()),
            Self::Float(b) => Arc::new(b.finish()),
            Self::Bool(b) => Arc::new(b.finish()),
            Self::Date(b) => Arc::new(b.finish()),
            Self::Ts(b) => Arc::new(b.finish()),
        }
    }
}

/// The Arrow type the host uses for a column type.
pub fn arrow_type(t: ColumnType) -> DataType {
    match t {
        ColumnType::String => DataType::Utf8,
        ColumnType::Integer => DataType::Int64,
        ColumnType::Float => DataType::Float64,
        ColumnType::Bool => DataType::Boolean,
        ColumnType::Date | ColumnType::Month => DataType::Date32,
        ColumnType::Timestamp => DataType::Timestamp(TimeUnit::Second, Some("UTC".into())),
    }
}

/// A parsed cell, before it is appended (so a skipped row leaves no trace).
#[derive(Clone, Copy)]
enum Cell {
    Null,
    Str,
    Int(i64),
    Float(f64),
    Bool(bool),
    Date(i32),
    Ts(i64),
}

impl Cell {
    /// The value the validity rules see.
    fn value(self, column_type: ColumnType) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Int(i) => Value::Number(i as f64),
            Cell::Float(x) => Value::Number(x),
            Cell::Date(days) => match cxaudit_plugin_sdk::table::date_from_days(days) {
                Some(d) if column_type == ColumnType::Month => Value::Month(d),
                Some(d) => Value::Date(d),
                None => Value::Other,
            },
            Cell::Ts(t) => Value::Instant(t),
            Cell::Str | Cell::Bool(_) => Value::Other,
        }
    }
}

/// Parsers configured for one table.
struct CellParser {
    tz: Tz,
    timestamp_format: Option<String>,
    date_format: String,
}

impl CellParser {
    fn parse(&self, schema: &ColumnSchema, raw: &str) -> Result<Cell, String> {
        let value = raw.trim();
        if value.is_empty() {
            return if schema.nullable {
                Ok(Cell::Null)
            } else {
                Err(format!(
                    "expected {}, found an empty cell (this column may not be empty)",
                    schema.column_type
                ))
            };
        }
        let bad = |hint: &str| format!("expected {}{hint}, found `{value}`", schema.column_type);
        match schema.column_type {
            ColumnType::String => match &schema.values {
                Some(allowed) if !allowed.iter().any(|a| a == value) => Err(format!(
                    "expected one of {}, found `{value}`",
                    allowed.join(", ")
                )),
                _ => Ok(Cell::Str),
            },
            ColumnType::Integer => value.parse::<i64>().map(Cell::Int).map_err(|_| bad("")),
            ColumnType::Float => match value.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Cell::Float(v)),
                _ => Err(bad(" (a finite number)")),
            },
            ColumnType::Bool => match value.to_ascii_lowercase().as_str() {
                "true" | "t" | "yes" | "y" | "1" => Ok(Cell::Bool(true)),
                "false" | "f" | "no" | "n" | "0" => Ok(Cell::Bool(false)),
                _ => Err(bad(" (true/false, yes/no or 1/0)")),
            },
            ColumnType::Date => NaiveDate::parse_from_str(value, &self.date_format)
                .map(|d| Cell::Date(days_from_date(d)))
                .map_err(|_| bad(&format!(" in format `{}`", self.date_format))),
            ColumnType::Month => parse_month(value)
                .map(|d| Cell::Date(days_from_date(d)))
                .ok_or_else(|| bad(" (YYYY-MM)")),
            ColumnType::Timestamp => self.parse_timestamp(value).map(Cell::Ts),
        }
    }

    fn parse_timestamp(&self, value: &str) -> Result<i64, String> {
        let naive = match &self.timestamp_format {
            Some(format) => {
                if let Ok(dt) = DateTime::parse_from_str(value, format) {
                    return Ok(dt.timestamp());
                }
                NaiveDateTime::parse_from_str(value, format).map_err(|_| {
                    format!("expected timestamp in format `{format}`, found `{value}`")
                })?
            }
            None => {
                if let Ok(dt) = DateTime::parse_from_rfc3339(value) {
                    return Ok(dt.timestamp());
                }
                [
                    "%Y-%m-%dT%H:%M:%S%.f",
                    "%Y-%m-%d %H:%M:%S%.f",
                    "%Y-%m-%dT%H:%M",
                    "%Y-%m-%d %H:%M",
                ]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(value, f).ok())
                .ok_or_else(|| {
                    format!(
                        "expected timestamp (ISO 8601, e.g. 2026-01-31T08:30:00), found `{value}`"
                    )
                })?
            }
        };
        match self.tz.from_local_datetime(&naive) {
            chrono::LocalResult::Single(t) => Ok(t.timestamp()),
            // A repeated hour when clocks go back: the first occurrence.
            chrono::LocalResult::Ambiguous(first, _) => Ok(first.timestamp()),
            chrono::LocalResult::None => Err(format!(
                "timestamp `{value}` does not exist in time zone {} (clocks went forward)",
                self.tz
            )),
        }
    }
}

fn parse_month(value: &str) -> Option<NaiveDate> {
    let date = NaiveDate::parse_from_str(&format!("{value}-01"), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%Y-%m-%d"))
        .ok()?;
    date.with_day(1)
}

/// Reads the wanted columns of a CSV file into Arrow batches.
///
/// A column the file lacks is listed in `missing_columns` (the criteria
/// that need it decide); a bad cell fails the table or, with
/// `on_error = "skip"`, skips the row and counts it.
pub fn read_table(
    path: &Path,
    wanted: &[WantedColumn],
    options: &TableReadOptions,
) -> Result<ParsedTable, EvidenceError> {
    let shown = Path::new(&options.shown_path);
    let delimiter = options.formats.delimiter.unwrap_or(',');
    if !delimiter.is_ascii() {
        return Err(EvidenceError::new(
            Location::file(shown).key("delimiter"),
            "the delimiter must be one ASCII character",
        ));
    }
    let tz_name = options
        .formats
        .time_zone
        .clone()
        .unwrap_or_else(|| "UTC".to_owned());
    let tz: Tz = tz_name.parse().map_err(|_| {
        EvidenceError::new(
            Location::file(shown).key("time_zone"),
            format!("unknown time zone `{tz_name}` (expected an IANA name such as Europe/London)"),
        )
    })?;
    let parser = CellParser {
        tz,
        timestamp_format: options.formats.timestamp_format.clone(),
        date_format: options
            .formats
            .date_format
            .clone()
            .unwrap_or_else(|| "%Y-%m-%d".to_owned()),
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter as u8)
        .from_path(path)
        .map_err(|e| EvidenceError::new(Location::file(shown), format!("cannot read: {e}")))?;
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| {
            EvidenceError::new(
                Location::file(shown).key("header"),
                format!("cannot read the header row: {e}"),
            )
        })?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();

    let (slots, missing_columns) = resolve_slots(&headers, wanted);
    let fields: Vec<Field> = slots
        .iter()
        .map(|s| Field::new(&s.name, arrow_type(s.schema.column_type), s.schema.nullable))
        .collect();
    let schema: SchemaRef = Arc::new(Schema::new(fields));
    let mut builders: Vec<ColumnBuilder> = slots
        .iter()
        .map(|s| ColumnBuilder::new(s.schema.column_type))
        .collect();

    let mut batches = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut cells: Vec<Cell> = Vec::with_capacity(slots.len());
    let (mut rows, mut in_batch) = (0u64, 0usize);
    let mut skips = Skips::default();
    let mut row_rules = options.rules.as_ref().map(|(table, start, end)| {
        let read: Vec<(String, ColumnType)> = slots
            .iter()
            .map(|s| (s.name.clone(), s.schema.column_type))
            .collect();
        let period = PeriodContext {
            start: *start,
            end: *end,
            tz,
            units_per_second: TIMESTAMP_UNITS_PER_SECOND,
        };
        RowRules::new(table, &read, period)
    });
    let mut values: Vec<Value> = Vec::with_capacity(slots.len());
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize);
                let message = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => {
                        format!("expected {expected_len} fields like the header, found {len}")
                    }
                    csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8".to_owned(),
                    _ => e.to_string(),
                };
                let location = Location {
                    file: shown.to_path_buf(),
                    line,
                    column: None,
                    key: None,
                };
                if options.on_error == OnError::Skip {
                    skips.add(rules::reason::MALFORMED, || {
                        format!("{location}: {message}")
                    });
                    continue;
                }
                return Err(EvidenceError::new(location, message));
            }
        }
        let line = record.position().map_or(0, |p| p.line() as usize);
        cells.clear();
        let mut failure = None;
        for slot in &slots {
            match parser.parse(&slot.schema, record.get(slot.index).unwrap_or("")) {
                Ok(cell) => cells.push(cell),
                Err(message) => {
                    let key = if slot.header == slot.name {
                        slot.name.clone()
                    } else {
                        format!("{} (header `{}`)", slot.name, slot.header)
                    };
                    let location = Location {
                        file: shown.to_path_buf(),
                        line: Some(line),
                        column: Some(slot.index + 1),
                        key: Some(key),
                    };
                    failure = Some(EvidenceError::new(location, message));
                    break;
                }
            }
        }
        if let Some(error) = failure {
            if options.on_error == OnError::Skip {
                skips.add(rules::reason::UNPARSEABLE, || error.to_string());
                continue;
            }
            return Err(error);
        }
        if let Some(checker) = row_rules.as_mut() {
            values.clear();
            values.extend(
                cells
                    .iter()
                    .zip(&slots)
                    .map(|(c, s)| c.value(s.schema.column_type)),
            );
            let text: Vec<&str> = slots
                .iter()
                .map(|s| record.get(s.index).unwrap_or("").trim())
                .collect();
            if let Err(v) = checker.check(&values, &text, line as u64) {
                let slot = v.column.map(|i| &slots[i]);
                let location = Location {
                    file: shown.to_path_buf(),
                    line: Some(line),
                    column: slot.map(|s| s.index + 1),
                    key: slot.map(|s| s.name.clone()),
                };
                let error = EvidenceError::new(location, v.message);
                if options.on_error == OnError::Skip {
                    skips.add(v.reason, || error.to_string());
                    continue;
                }
                return Err(error);
            }
        }
        for ((builder, cell), slot) in builders.iter_mut().zip(&cells).zip(&slots) {
            append(builder, *cell, record.get(slot.index).unwrap_or("").trim());
        }
        rows += 1;
        in_batch += 1;
        if in_batch == BATCH_ROWS {
            batches.push(finish_batch(&schema, &mut builders, shown)?);
            in_batch = 0;
        }
    }
    if in_batch > 0 || batches.is_empty() {
        batches.push(finish_batch(&schema, &mut builders, shown)?);
    }
    let key_columns = row_rules
        .as_ref()
        .map(|r| r.key_columns().into_iter().map(str::to_owned).collect())
        .unwrap_or_default();
    let placement = row_rules.map(RowRules::finish).unwrap_or_default();
    Ok(ParsedTable {
        schema,
        batches,
        rows,
        skipped_rows: skips.total(),
        skipped_by_reason: skips.by_reason,
        skipped_examples: skips.examples,
        placement,
        key_columns,
        missing_columns,
    })
}

fn resolve_slots(headers: &[String], wanted: &[WantedColumn]) -> (Vec<Slot>, Vec<String>) {
    let mut slots = Vec::new();
    let mut missing = Vec::new();
    for w in wanted {
        if w.schema.is_pattern() {
            for (index, header) in headers.iter().enumerate() {
                if w.schema.matches(header) {
                    let mut schema = w.schema.clone();
                    schema.name = header.clone();
                    slots.push(Slot {
                        name: header.clone(),
                        header: header.clone(),
                        index,
                        schema,
                    });
                }
            }
            continue;
        }
        let header = w
            .mapped_from
            .clone()
            .unwrap_or_else(|| w.schema.name.clone());
        match headers.iter().position(|h| *h == header) {
            Some(index) => slots.push(Slot {
                name: w.schema.name.clone(),
                header,
                index,
                schema: w.schema.clone(),
            }),
            None => missing.push(w.schema.name.clone()),
        }
    }
    slots.sort_by_key(|s| s.index);
    (slots, missing)
}

fn append(builder: &mut ColumnBuilder, cell: Cell, raw: &str) {
    match (builder, cell) {
        (ColumnBuilder::Str(b), Cell::Null) => b.append_null(),
        (ColumnBuilder::Str(b), _) => b.append_value(raw),
        (ColumnBuilder::Int(b), Cell::Int(v)) => b.append_value(v),
        (ColumnBuilder::Float(b), Cell::Float(v)) => b.append_value(v),
        (ColumnBuilder::Bool(b), Cell::Bool(v)) => b.append_value(v),
        (ColumnBuilder::Date(b), Cell::Date(v)) => b.append_value(v),
        (ColumnBuilder::Ts(b), Cell::Ts(v)) => b.append_value(v),
        (ColumnBuilder::Int(b), _) => b.append_null(),
        (ColumnBuilder::Float(b), _) => b.append_null(),
        (ColumnBuilder::Bool(b), _) => b.append_null(),
        (ColumnBuilder::Date(b), _) => b.append_null(),
        (ColumnBuilder::Ts(b), _) => b.append_null(),
    }
}

fn finish_batch(
    schema: &SchemaRef,
    builders: &mut [ColumnBuilder],
    shown: &Path,
) -> Result<RecordBatch, EvidenceError> {
    let columns: Vec<ArrayRef> = builders.iter_mut().map(ColumnBuilder::finish).collect();
    let options = arrow_array::RecordBatchOptions::new()
        .with_row_count(Some(columns.first().map_or(0, |c| c.len())));
    RecordBatch::try_new_with_options(schema.clone(), columns, &options).map_err(|e| {
        EvidenceError::new(
            Location::file(shown),
            format!("internal: cannot assemble a batch: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, TimestampSecondType};

    fn col(name: &str, t: ColumnType, nullable: bool) -> WantedColumn {
        WantedColumn {
            schema: ColumnSchema {
                name: name.into(),
                column_type: t,
                nullable,
                values: None,
                min: None,
                max: None,
            },
            mapped_from: None,
        }
    }

    fn options(formats: Formats, on_error: OnError) -> TableReadOptions {
        TableReadOptions {
            shown_path: "data/t.csv".into(),
            formats,
            on_error,
            rules: None,
        }
    }

    fn write(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn reads_only_wanted_columns_with_types() {
        let f =
            write("id,talk,extra,at\na,1.5,zzz,2026-01-01T08:00:00\nb,,zzz,2026-01-01T09:00:00\n");
        let wanted = [
            col("id", ColumnType::String, false),
            col("talk", ColumnType::Float, true),
            col("at", ColumnType::Timestamp, false),
        ];
        let t = read_table(
            f.path(),
            &wanted,
            &options(Formats::default(), OnError::Fail),
        )
        .unwrap();
        assert_eq!(t.rows, 2);
        assert_eq!(t.schema.fields().len(), 3);
        let talk = t.batches[0].column(1).as_primitive::<Float64Type>();
        assert_eq!(talk.value(0), 1.5);
        assert!(talk.is_null(1));
        let at = t.batches[0].column(2).as_primitive::<TimestampSecondType>();
        assert_eq!(at.value(0), 1_767_254_400); // 2026-01-01T08:00:00Z
    }

    #[test]
    fn bad_cell_names_file_line_column_and_type() {
        let f = write("id,talk\na,1\nb,abc\n");
        let wanted = [
            col("id", ColumnType::String, false),
            col("talk", ColumnType::Float, false),
        ];
        let e = read_table(
            f.path(),
            &wanted,
            &options(Formats::default(), OnError::Fail),
        )
        .unwrap_err();
        assert_eq!(e.location.line, Some(3));
        assert_eq!(e.location.column, Some(2));
        assert_eq!(e.location.key.as_deref(), Some("talk"));
        assert_eq!(
            e.to_string(),
            "data/t.csv:3:2: `talk`: expected float (a finite number), found `abc`"
        );
    }

    #[test]
    fn skip_mode_counts_bad_rows() {
        let f = write("id,talk\na,1\nb,abc\nc,2\n");
        let wanted = [
            col("id", ColumnType::String, false),
            col("talk", ColumnType::Float, false),
        ];
        let t = read_table(
            f.path(),
            &wanted,
            &options(Formats::default(), OnError::Skip),
        )
        .unwrap();
        assert_eq!((t.rows, t.skipped_rows), (2, 1));
        assert!(t.skipped_examples[0].contains(":3:2"));
    }

    #[test]
    fn time_zone_and_format_apply() {
        let f = write("at\n31/07/2026 09:00\n");
        let formats = Formats {
            time_zone: Some("Europe/London".into()),
            timestamp_format: Some("%d/%m/%Y %H:%M".into()),
            ..Formats::default()
        };
        let t = read_table(
            f.path(),
            &[col("at", ColumnType::Timestamp, false)],
            &options(formats, OnError::Fail),
        )
        .unwrap();
        let at = t.batches[0].column(0).as_primitive::<TimestampSecondType>();
        // 09:00 BST is 08:00 UTC.
        assert_eq!(
            at.value(0),
            chrono::NaiveDate::from_ymd_opt(2026, 7, 31)
                .unwrap()
                .and_hms_opt(8, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp()
        );
    }

    #[test]
    fn missing_columns_are_listed_not_fatal() {
        let f = write("id\na\n");
        let wanted = [
            col("id", ColumnType::String, false),
            col("talk", ColumnType::Float, false),
        ];
        let t = read_table(
            f.path(),
            &wanted,
            &options(Formats::default(), OnError::Fail),
        )
        .unwrap();
        assert_eq!(t.missing_columns, vec!["talk".to_owned()]);
    }

    #[test]
    fn mapped_headers_and_patterns_resolve() {
        let f = write("Call ID,attr_wait,attr_ease\nx,4,5\n");
        let mut id = col("contact_id", ColumnType::String, false);
        id.mapped_from = Some("Call ID".into());
        let wanted = [id, col("attr_*", ColumnType::Integer, true)];
        let t = read_table(
            f.path(),
            &wanted,
            &options(Formats::default(), OnError::Fail),
        )
        .unwrap();
        let names: Vec<&str> = t
            .schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        assert_eq!(names, ["contact_id", "attr_wait", "attr_ease"]);
    }

    #[test]
    fn enum_values_and_bools_are_checked() {
        let f = write("channel,flag\nfax,true\n");
        let mut channel = col("channel", ColumnType::String, false);
        channel.schema.values = Some(vec!["voice".into(), "chat".into()]);
        let e = read_table(
            f.path(),
            &[channel, col("flag", ColumnType::Bool, false)],
            &options(Formats::default(), OnError::Fail),
        )
        .unwrap_err();
        assert!(e.message.contains("expected one of voice, chat"), "{e}");
    }
}

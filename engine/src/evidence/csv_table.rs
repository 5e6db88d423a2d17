//! Typed tables to Arrow: one pass over the file, only the wanted columns,
//! every bad cell reported with file, line (or sheet and row), column and
//! the expected type. CSV is read here; Excel workbooks ([`excel`]) and
//! Parquet files ([`parquet_file`]) find their header and cells and hand
//! them to the same typing, rules and row accounting ([`rows`]), so a value
//! means the same in every format ([`read_table`] picks the reader).
//!
//! Before any cell is read, the file is decoded to UTF-8 ([`input`]) and
//! each record's structure is checked ([`structure`]): a quote left open to
//! the end of the file, or closed so late that it swallows rows, fails the
//! table whatever `on_error` says; a row with another field count than the
//! header is a bad row (skipped and counted with `on_error = "skip"`).

mod body;
mod cells;
mod codes;
mod excel;
mod input;
mod numbers;
mod parquet_file;
mod rows;
mod sample;
mod structure;

pub use sample::{CellProbe, TableSample, sample_table};

use cells::{Cell, CellParser};
use codes::CodesBuilder;
use rows::{Place, RawCell, TypedRows};

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{
    ArrayBuilder, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
    TimestampMillisecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef, TimeUnit};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use cxaudit_plugin_sdk::ColumnType;
use cxaudit_plugin_sdk::table::{days_from_date, dictionary_strings, trim_cell};

use super::EvidenceError;
use super::manifest::{DecimalMark, Formats, OnError, TableFormat, TextEncoding};
use super::rules::{self, PeriodContext, PeriodRules, Placement, RowRules, Value};
use crate::pack::ColumnSchema;
use crate::source::Location;

/// Rows per Arrow batch.
const BATCH_ROWS: usize = 64 * 1024;
/// Timestamp units per second (the Arrow timestamp unit: milliseconds).
pub const TIMESTAMP_UNITS_PER_SECOND: i64 = cxaudit_plugin_sdk::table::MS_PER_SECOND;

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
    /// The file's format (and, for a workbook, the sheet).
    pub format: TableFormat,
    /// Formats.
    pub formats: Formats,
    /// What to do with a bad row.
    pub on_error: OnError,
    /// The table's validity rules and the period, when they apply.
    pub rules: Option<PeriodRules>,
    /// Whether a file read a piece at a time is hashed as it is read
    /// ([`ParsedTable::sha256`]): an assessment's inventory records the
    /// hash; `cxaudit kpis` shows no inventory and reads without it.
    pub hash_file: bool,
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
    pub skipped_by_reason: BTreeMap<String, u64>,
    /// The first skipped rows' messages.
    pub skipped_examples: Vec<String>,
    /// Where the accepted rows fall (outside the period, days missing).
    pub placement: Placement,
    /// The key columns checked for duplicates (empty when none).
    pub key_columns: Vec<String>,
    /// Wanted columns the file does not have.
    pub missing_columns: Vec<String>,
    /// The worksheet read, for a workbook.
    pub sheet: Option<String>,
    /// The sha256 of the file's bytes as this reading read them, when it
    /// read the whole file in one pass of its own (a CSV file larger than a
    /// piece); `None`: the caller hashes the file.
    pub sha256: Option<String>,
}

/// The header row of a CSV file (`shown` is its path in messages), read
/// with the table's formats and checked as [`read_table`] checks it: its
/// structure, its encoding, and a single field that holds another
/// delimiter.
pub fn read_csv_header(
    path: &Path,
    shown: &str,
    formats: &Formats,
) -> Result<Vec<String>, EvidenceError> {
    let shown = Path::new(shown);
    let delimiter = delimiter_byte(formats, shown)?;
    let input = input::read_input(path, shown, formats.encoding.unwrap_or_default())?;
    let mut reader = csv_reader(delimiter, &input);
    read_header(&mut reader, &input, shown, delimiter).map(|(headers, _)| headers)
}

/// The field delimiter of a table as a byte.
fn delimiter_byte(formats: &Formats, shown: &Path) -> Result<u8, EvidenceError> {
    let delimiter = formats.delimiter.unwrap_or(',');
    u8::try_from(delimiter)
        .ok()
        .filter(|d| d.is_ascii() && !matches!(d, b'"' | b'\n' | b'\r'))
        .ok_or_else(|| {
            EvidenceError::new(
                Location::file(shown).key("delimiter"),
                "the delimiter must be one ASCII character other than a quote or a line break",
            )
        })
}

/// A CSV reader over decoded input. Records of any length are returned:
/// their field count is checked here, with the line they start on.
fn csv_reader(delimiter: u8, input: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(input)
}

/// Reads and checks the header row, with the line it is on; an empty file
/// has an empty header.
fn read_header(
    reader: &mut csv::Reader<&[u8]>,
    input: &[u8],
    shown: &Path,
    delimiter: u8,
) -> Result<(Vec<String>, usize), EvidenceError> {
    let mut record = csv::ByteRecord::new();
    let found = reader.read_byte_record(&mut record).map_err(|e| {
        EvidenceError::new(
            Location::file(shown).key("header"),
            format!("cannot read the header row: {e}"),
        )
    })?;
    if !found {
        return Ok((Vec::new(), 1));
    }
    let start = structure::record_start(input, record.position());
    check_structure(&record, input, 0, reader, start, delimiter, 0, shown)?;
    let at_header = || Location {
        file: shown.to_path_buf(),
        line: Some(start.line),
        column: None,
        key: Some("header".to_owned()),
        grid: None,
    };
    let text = csv::StringRecord::from_byte_record(record).map_err(|e| {
        EvidenceError::new(
            at_header(),
            format!(
                "column {} of the header is not valid UTF-8: {NOT_UTF8_HINT}",
                e.utf8_error().field() + 1
            ),
        )
    })?;
    let headers: Vec<String> = text.iter().map(|h| h.trim().to_owned()).collect();
    match suggested_delimiter(&headers, delimiter) {
        Some(message) => Err(EvidenceError::new(at_header(), message)),
        None => Ok((headers, start.line)),
    }
}

/// What to say when a file is not UTF-8.
const NOT_UTF8_HINT: &str = "if the export is not UTF-8, set its encoding in evidence.toml \
     (encoding = \"windows-1252\", \"latin-1\" or \"utf-16\")";

/// When the header reads as one field holding another usual delimiter, the
/// setting to use.
fn suggested_delimiter(headers: &[String], delimiter: u8) -> Option<String> {
    let [only] = headers else {
        return None;
    };
    [b';', b'\t', b',', b'|']
        .into_iter()
        .filter(|&d| d != delimiter)
        .find(|&d| only.as_bytes().contains(&d))
        .map(|d| {
            let (what, setting) = match d {
                b'\t' => ("a tab".to_owned(), "\\t".to_owned()),
                d => (format!("`{}`", d as char), (d as char).to_string()),
            };
            format!(
                "the header is one field containing {what}: set delimiter = \"{setting}\" for \
                 this table"
            )
        })
}

/// Fails on a record whose quote cannot be trusted: one still open at the
/// end of the input, or one that swallowed a whole row (`width` fields).
/// These cannot be skipped: the rows they took are lost. `input` is what
/// `reader` reads (`start.byte` is in it) and `lines_before` the lines of
/// the file before it (`start.line` counts from it).
#[allow(clippy::too_many_arguments)]
fn check_structure<R: std::io::Read>(
    record: &csv::ByteRecord,
    input: &[u8],
    lines_before: usize,
    reader: &csv::Reader<R>,
    start: structure::RecordStart,
    delimiter: u8,
    width: usize,
    shown: &Path,
) -> Result<(), EvidenceError> {
    let line = lines_before + start.line;
    let at = |field: usize| Location {
        file: shown.to_path_buf(),
        line: Some(line),
        column: Some(field),
        key: None,
        grid: None,
    };
    let cannot_skip = "fix the export: the table cannot be read reliably (not even with \
                       on_error = \"skip\")";
    let reached_end = usize::try_from(reader.position().byte()).is_ok_and(|b| b >= input.len());
    if reached_end {
        let tail = input.get(start.byte..).unwrap_or_default();
        if let Some(field) = structure::open_quote_at_end(tail, delimiter) {
            let last = lines_before + structure::last_line(input);
            let lines = if last > line {
                format!("lines {line} to {last}")
            } else {
                format!("line {last}")
            };
            return Err(EvidenceError::new(
                at(field),
                format!(
                    "the quote opening field {field} of this row is never closed: {lines} \
                     would be read as one cell, swallowing every row after it; {cannot_skip}"
                ),
            ));
        }
    }
    if let Some(s) = structure::swallowed_row(record, delimiter, width) {
        return Err(EvidenceError::new(
            at(s.field + 1),
            format!(
                "the quoted field {} of this row runs over line breaks and holds line {}, \
                 which reads as a whole row ({width} fields like the header): a quote is not \
                 closed where it should be; {cannot_skip}",
                s.field + 1,
                line + s.lines_after_start
            ),
        ));
    }
    Ok(())
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
    /// A low-cardinality string column: each value once per batch.
    Codes(CodesBuilder),
    Int(Int64Builder),
    Float(Float64Builder),
    Bool(BooleanBuilder),
    Date(Date32Builder),
    /// UTC milliseconds.
    Ts(TimestampMillisecondBuilder),
}

/// How much a column's batch held: the room to start another batch with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct ColumnRoom {
    /// Rows.
    rows: usize,
    /// Bytes of a plain string column's values (0 for other columns).
    bytes: usize,
}

/// The room of a table's first full batch ([`BATCH_ROWS`] rows), shared by
/// the pieces of a table read side by side: the first piece to fill a
/// batch records it, and a piece started after that begins its first batch
/// with that room instead of growing into it (an Arrow builder grows by
/// doubling, each time copying its buffers into new memory).
#[derive(Debug, Clone, Default)]
struct BatchRoom(Arc<std::sync::OnceLock<Vec<ColumnRoom>>>);

impl BatchRoom {
    /// The room recorded, if a batch was filled.
    fn get(&self) -> Option<&[ColumnRoom]> {
        self.0.get().map(Vec::as_slice)
    }

    /// Records the room of `builders`, a full batch, unless one was.
    fn record(&self, builders: &[ColumnBuilder]) {
        self.0
            .get_or_init(|| builders.iter().map(ColumnBuilder::room).collect());
    }
}

impl ColumnBuilder {
    /// An empty builder for column `c`, with `room` when known.
    fn new(c: &ColumnSchema, room: Option<ColumnRoom>) -> Self {
        let rows = room.map_or(1024, |r| r.rows);
        let bytes = room.map_or(1024, |r| r.bytes);
        match c.column_type {
            ColumnType::String if c.low_cardinality => {
                Self::Codes(CodesBuilder::with_capacity(rows))
            }
            ColumnType::String => Self::Str(StringBuilder::with_capacity(rows, bytes)),
            ColumnType::Integer => Self::Int(Int64Builder::with_capacity(rows)),
            ColumnType::Float => Self::Float(Float64Builder::with_capacity(rows)),
            ColumnType::Bool => Self::Bool(BooleanBuilder::with_capacity(rows)),
            ColumnType::Date | ColumnType::Month => Self::Date(Date32Builder::with_capacity(rows)),
            ColumnType::Timestamp => {
                Self::Ts(TimestampMillisecondBuilder::with_capacity(rows).with_timezone("UTC"))
            }
        }
    }

    /// What the batch being built holds.
    fn room(&self) -> ColumnRoom {
        let (rows, bytes) = match self {
            Self::Str(b) => (b.len(), b.values_slice().len()),
            Self::Codes(b) => (b.len(), 0),
            Self::Int(b) => (b.len(), 0),
            Self::Float(b) => (b.len(), 0),
            Self::Bool(b) => (b.len(), 0),
            Self::Date(b) => (b.len(), 0),
            Self::Ts(b) => (b.len(), 0),
        };
        ColumnRoom { rows, bytes }
    }

    /// The batch's column. The builder starts the next batch with room for
    /// as many rows (and a string column's bytes): an Arrow builder left
    /// empty by `finish` grows again by doubling, copying its buffers each
    /// time, in every batch.
    fn finish(&mut self) -> Result<ArrayRef, ArrowError> {
        fn renewed<B>(builder: &mut B, with_room: B) -> B {
            std::mem::replace(builder, with_room)
        }
        Ok(match self {
            Self::Str(b) => {
                let room = StringBuilder::with_capacity(b.len(), b.values_slice().len());
                Arc::new(renewed(b, room).finish())
            }
            Self::Codes(b) => Arc::new(b.finish()?),
            Self::Int(b) => Arc::new(renewed(b, Int64Builder::with_capacity(b.len())).finish()),
            Self::Float(b) => Arc::new(renewed(b, Float64Builder::with_capacity(b.len())).finish()),
            Self::Bool(b) => Arc::new(renewed(b, BooleanBuilder::with_capacity(b.len())).finish()),
            Self::Date(b) => Arc::new(renewed(b, Date32Builder::with_capacity(b.len())).finish()),
            Self::Ts(b) => {
                let room = TimestampMillisecondBuilder::with_capacity(b.len()).with_timezone("UTC");
                Arc::new(renewed(b, room).finish())
            }
        })
    }
}

/// The Arrow type the host uses for a column. Timestamps are UTC
/// milliseconds: sub-second parts of the export survive (digits beyond the
/// millisecond are truncated); a low-cardinality string column is a
/// dictionary of `Int32` indexes into its values.
pub fn arrow_type(c: &ColumnSchema) -> DataType {
    match c.column_type {
        ColumnType::String if c.low_cardinality => dictionary_strings(),
        ColumnType::String => DataType::Utf8,
        ColumnType::Integer => DataType::Int64,
        ColumnType::Float => DataType::Float64,
        ColumnType::Bool => DataType::Boolean,
        ColumnType::Date | ColumnType::Month => DataType::Date32,
        ColumnType::Timestamp => DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
    }
}

/// Reads the wanted columns of a table file (CSV, Excel worksheet or
/// Parquet, as `options.format` says) into Arrow batches.
///
/// A column the file lacks is listed in `missing_columns` (the criteria
/// that need it decide); a bad cell or a row with another field count than
/// the header fails the table or, with `on_error = "skip"`, skips the row
/// and counts it. A broken CSV quote, a wanted column found in two
/// columns, a header that reads as one field holding another delimiter, a
/// missing sheet or a Parquet column of the wrong type always fails the
/// table.
pub fn read_table(
    path: &Path,
    wanted: &[WantedColumn],
    options: &TableReadOptions,
) -> Result<ParsedTable, EvidenceError> {
    match &options.format {
        TableFormat::Csv => read_csv(path, wanted, options),
        TableFormat::Excel { sheet } => excel::read(path, sheet.as_deref(), wanted, options),
        TableFormat::Parquet => parquet_file::read(path, wanted, options),
    }
}

/// The header row of a table file of any format (`shown` is its path in
/// messages), checked as [`read_table`] checks it.
pub fn read_table_header(
    path: &Path,
    shown: &str,
    format: &TableFormat,
    formats: &Formats,
) -> Result<Vec<String>, EvidenceError> {
    match format {
        TableFormat::Csv => read_csv_header(path, shown, formats),
        TableFormat::Excel { sheet } => {
            excel::header(path, Path::new(shown), sheet.as_deref()).map(|(_, h)| h)
        }
        TableFormat::Parquet => parquet_file::header(path, Path::new(shown)),
    }
}

/// Reads the wanted columns of a CSV file (see [`read_table`]).
fn read_csv(
    path: &Path,
    wanted: &[WantedColumn],
    options: &TableReadOptions,
) -> Result<ParsedTable, EvidenceError> {
    read_csv_split(path, wanted, options, body::Split::default())
}

/// [`read_csv`] with the body split into pieces of about `split.piece_bytes`
/// read by up to `split.workers` threads: the same table whatever the
/// number of workers.
fn read_csv_split(
    path: &Path,
    wanted: &[WantedColumn],
    options: &TableReadOptions,
    split: body::Split,
) -> Result<ParsedTable, EvidenceError> {
    let shown = Path::new(&options.shown_path);
    let delimiter = delimiter_byte(&options.formats, shown)?;
    // The time zone is checked before the file is read.
    rows::cell_parser(&options.formats, shown)?;
    let encoding = options.formats.encoding.unwrap_or_default();
    let mut in_memory_pieces = true;
    if encoding == TextEncoding::Utf8 {
        match read_csv_from_file_pieces(path, wanted, options, split, delimiter) {
            FilePiecesRead::Read(read) => return *read,
            // The pieces depend on one another: only a reading in file order will do.
            FilePiecesRead::Dependent => in_memory_pieces = false,
            FilePiecesRead::NotTried => {}
        }
    }
    let input = input::read_input(path, shown, encoding)?;
    let mut reader = csv_reader(delimiter, &input);
    let (headers, header_line) = read_header(&mut reader, &input, shown, delimiter)?;
    let new_rows = rows_after_header(&headers, header_line, wanted, options);
    let mut typed = new_rows()?;
    let records = body::Records::new(delimiter, headers.len(), shown, &split);
    let body = body::Body::after(&input, reader.position().byte());
    let pieces = body.pieces(split.piece_bytes);
    let cuts: Vec<usize> = pieces.iter().skip(1).map(|p| p.offset_in(&body)).collect();
    if in_memory_pieces
        && pieces.len() > 1
        && let Some(read) = body::read_side_by_side(
            &body::Pieces::in_memory(pieces),
            &new_rows,
            &records,
            split.workers,
        )
    {
        return read.finish();
    }
    // One piece, or pieces that depend on one another (a key repeated in a
    // later piece, an error whose place in the file decides which is
    // reported): read in file order, batches cut where the pieces start.
    records.read(&mut typed, body, &cuts)?;
    typed.finish()
}

/// New rows for the records after a CSV header (one for the whole body, or
/// one per piece).
fn rows_after_header<'a>(
    headers: &'a [String],
    header_line: usize,
    wanted: &'a [WantedColumn],
    options: &'a TableReadOptions,
) -> impl Fn() -> Result<TypedRows, EvidenceError> + Sync + 'a {
    let room = BatchRoom::default();
    move || {
        TypedRows::new(
            Place::text(Path::new(&options.shown_path)),
            headers,
            Some(header_line),
            wanted,
            options,
            &room,
        )
    }
}

/// What reading a file's pieces from the file gave.
enum FilePiecesRead {
    /// The table (or the error that ends it).
    Read(Box<Result<ParsedTable, EvidenceError>>),
    /// The pieces depend on one another (a piece failed, a key repeats in a
    /// later piece): the reading in file order decides, and reports what is
    /// wrong with the file.
    Dependent,
    /// Not tried: the whole file is read as it always was (a file of one
    /// piece, a byte-order mark, a header that does not read plainly, a file
    /// that cannot be opened).
    NotTried,
}

/// [`read_csv_split`] of a UTF-8 file larger than one piece, its pieces read
/// from the file one at a time, so that only those being typed are in
/// memory, not the whole file.
fn read_csv_from_file_pieces(
    path: &Path,
    wanted: &[WantedColumn],
    options: &TableReadOptions,
    split: body::Split,
    delimiter: u8,
) -> FilePiecesRead {
    let shown = Path::new(&options.shown_path);
    let larger_than_a_piece =
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() > split.piece_bytes as u64);
    if !larger_than_a_piece || input::special_file(path).is_some() {
        return FilePiecesRead::NotTried;
    }
    let Ok(mut file) = body::FilePieces::open(path, split.piece_bytes, options.hash_file) else {
        return FilePiecesRead::NotTried;
    };
    let (head, all_read) = file.head();
    if all_read || input::has_byte_order_mark(head) {
        return FilePiecesRead::NotTried;
    }
    let mut reader = csv_reader(delimiter, head);
    let Ok((headers, header_line)) = read_header(&mut reader, head, shown, delimiter) else {
        return FilePiecesRead::NotTried;
    };
    // A header record that runs to the end of what was read may go on.
    let body_start = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX);
    if body_start >= head.len() {
        return FilePiecesRead::NotTried;
    }
    file.skip(body_start);
    let new_rows = rows_after_header(&headers, header_line, wanted, options);
    let records = body::Records::new(delimiter, headers.len(), shown, &split);
    let pieces = body::Pieces::FromFile(std::sync::Mutex::new(file));
    let Some(read) = body::read_side_by_side(&pieces, &new_rows, &records, split.workers) else {
        return FilePiecesRead::Dependent;
    };
    // The table comes with the hash of the very bytes it was typed from.
    let sha256 = pieces.sha256_of_whole_file();
    let read = read.finish().map(|table| ParsedTable { sha256, ..table });
    FilePiecesRead::Read(Box::new(read))
}

/// The rows skipped under `on_error = "skip"`: counts by reason (one of
/// [`rules::reason`]) and the first messages.
struct Skipped {
    on_error: OnError,
    by_reason: BTreeMap<String, u64>,
    examples: Vec<String>,
}

impl Skipped {
    /// Messages kept as examples.
    const MAX_EXAMPLES: usize = 5;

    fn new(on_error: OnError) -> Self {
        Skipped {
            on_error,
            by_reason: BTreeMap::new(),
            examples: Vec::new(),
        }
    }

    /// A bad row: counted under `reason` when rows are skipped, else the
    /// table's error.
    fn row(&mut self, reason: &'static str, error: EvidenceError) -> Result<(), EvidenceError> {
        if self.on_error != OnError::Skip {
            return Err(error);
        }
        *self.by_reason.entry(reason.to_owned()).or_default() += 1;
        if self.examples.len() < Self::MAX_EXAMPLES {
            self.examples.push(error.to_string());
        }
        Ok(())
    }

    /// Adds the rows skipped after these: counts by reason, and examples
    /// while fewer than [`Self::MAX_EXAMPLES`] are kept (the first ones in
    /// file order, as one reading would keep).
    fn absorb(&mut self, later: Skipped) {
        for (reason, count) in later.by_reason {
            *self.by_reason.entry(reason).or_default() += count;
        }
        self.examples.extend(later.examples);
        self.examples.truncate(Self::MAX_EXAMPLES);
    }
}

/// Two columns of a header that give the same canonical column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ColumnClash {
    /// The first column (0-based).
    pub first: usize,
    /// The second column (0-based).
    pub second: usize,
    /// Both columns, for people.
    pub message: String,
}

/// Where the canonical column `name` is in `headers` (0-based positions),
/// after mapping: one position, none when absent, one per matching header
/// for a pattern such as `attr_*`. Two columns giving the same canonical
/// name are an error, never "the first one": the same header twice, or the
/// mapped export header and a header literally named `name`.
pub(super) fn locate_column(
    headers: &[String],
    name: &str,
    mapped_from: Option<&str>,
) -> Result<Vec<usize>, ColumnClash> {
    let clash = |first: usize, second: usize, message: String| ColumnClash {
        first,
        second,
        message: format!(
            "columns {} and {} {message}: rename or remove one in the export",
            first + 1,
            second + 1
        ),
    };
    if let Some(prefix) = name.strip_suffix('*') {
        let matching: Vec<usize> = (0..headers.len())
            .filter(|&i| headers[i].starts_with(prefix))
            .collect();
        for (n, &i) in matching.iter().enumerate() {
            if let Some(&j) = matching[n + 1..]
                .iter()
                .find(|&&j| headers[j] == headers[i])
            {
                return Err(clash(i, j, format!("are both named `{}`", headers[i])));
            }
        }
        return Ok(matching);
    }
    let source = mapped_from.unwrap_or(name);
    let found: Vec<usize> = (0..headers.len())
        .filter(|&i| headers[i] == source || headers[i] == name)
        .collect();
    match found[..] {
        [i] if headers[i] == source => Ok(vec![i]),
        [] | [_] => Ok(Vec::new()),
        [i, j, ..] if headers[i] == headers[j] => {
            Err(clash(i, j, format!("are both named `{}`", headers[i])))
        }
        [i, j, ..] => {
            let (first, second) = (&headers[i], &headers[j]);
            let role = |h: &str| {
                if h == source {
                    format!("`{h}` is mapped to it in evidence.toml")
                } else {
                    format!("`{h}` is its own name")
                }
            };
            Err(clash(
                i,
                j,
                format!("both give `{name}` ({}, {})", role(first), role(second)),
            ))
        }
    }
}

fn resolve_slots(
    headers: &[String],
    wanted: &[WantedColumn],
) -> Result<(Vec<Slot>, Vec<String>), (String, ColumnClash)> {
    let mut slots = Vec::new();
    let mut missing = Vec::new();
    for w in wanted {
        let positions = locate_column(headers, &w.schema.name, w.mapped_from.as_deref())
            .map_err(|clash| (w.schema.name.clone(), clash))?;
        if positions.is_empty() && !w.schema.is_pattern() {
            missing.push(w.schema.name.clone());
        }
        for index in positions {
            let header = headers[index].clone();
            let mut schema = w.schema.clone();
            let name = if w.schema.is_pattern() {
                schema.name = header.clone();
                header.clone()
            } else {
                w.schema.name.clone()
            };
            slots.push(Slot {
                name,
                header,
                index,
                schema,
            });
        }
    }
    slots.sort_by_key(|s| s.index);
    Ok((slots, missing))
}

/// Appends a typed cell; a string column takes the cell's trimmed text,
/// asked for only then.
fn append<'a>(builder: &mut ColumnBuilder, cell: Cell, text: impl FnOnce() -> &'a str) {
    match (builder, cell) {
        (ColumnBuilder::Str(b), Cell::Null) => b.append_null(),
        (ColumnBuilder::Str(b), _) => b.append_value(text()),
        (ColumnBuilder::Codes(b), Cell::Null) => b.append_null(),
        // A batch (BATCH_ROWS rows) never has more distinct values than an Int32 index counts.
        (ColumnBuilder::Codes(b), _) => b.append_value(text()),
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
    let internal = |e: ArrowError| {
        EvidenceError::new(
            Location::file(shown),
            format!("internal: cannot assemble a batch: {e}"),
        )
    };
    let columns: Vec<ArrayRef> = builders
        .iter_mut()
        .map(ColumnBuilder::finish)
        .collect::<Result<_, _>>()
        .map_err(internal)?;
    let options = arrow_array::RecordBatchOptions::new()
        .with_row_count(Some(columns.first().map_or(0, |c| c.len())));
    RecordBatch::try_new_with_options(schema.clone(), columns, &options).map_err(internal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int32Type;
    use arrow_array::types::{Float64Type, Int64Type, TimestampMillisecondType};

    pub(super) fn col(name: &str, t: ColumnType, nullable: bool) -> WantedColumn {
        WantedColumn {
            schema: ColumnSchema {
                name: name.into(),
                column_type: t,
                nullable,
                values: None,
                min: None,
                max: None,
                low_cardinality: false,
                references: None,
            },
            mapped_from: None,
        }
    }

    pub(super) fn options(formats: Formats, on_error: OnError) -> TableReadOptions {
        TableReadOptions {
            shown_path: "data/t.csv".into(),
            format: TableFormat::Csv,
            formats,
            on_error,
            rules: None,
            hash_file: true,
        }
    }

    pub(super) fn write(text: impl AsRef<[u8]>) -> tempfile::NamedTempFile {
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
        let at = t.batches[0]
            .column(2)
            .as_primitive::<TimestampMillisecondType>();
        assert_eq!(at.value(0), 1_767_254_400_000); // 2026-01-01T08:00:00Z
    }

    #[test]
    fn low_cardinality_columns_hold_each_value_once_per_batch() {
        // 70,000 rows: two batches. Every third channel is empty.
        let names = ["voice", "chat", ""];
        let mut text = String::from("id,channel\n");
        for i in 0..70_000 {
            text.push_str(&format!("c{i},{}\n", names[i % 3]));
        }
        let f = write(&text);
        let mut channel = col("channel", ColumnType::String, true);
        channel.schema.low_cardinality = true;
        let wanted = [col("id", ColumnType::String, false), channel];
        let t = read_table(
            f.path(),
            &wanted,
            &options(Formats::default(), OnError::Fail),
        )
        .unwrap();
        assert_eq!(t.batches.len(), 2);
        assert!(matches!(t.schema.field(0).data_type(), DataType::Utf8));
        for b in &t.batches {
            let codes = b.column(1).as_dictionary::<Int32Type>();
            assert_eq!(codes.values().len(), 2, "each value once per batch");
        }
        let table = cxaudit_plugin_sdk::Table::new("t", t.schema.clone(), t.batches.clone());
        let read: Vec<Option<&str>> = table.strs("channel").unwrap().collect();
        let expected: Vec<Option<&str>> = (0..70_000)
            .map(|i| Some(names[i % 3]).filter(|n| !n.is_empty()))
            .collect();
        assert_eq!(read, expected);
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
        let at = t.batches[0]
            .column(0)
            .as_primitive::<TimestampMillisecondType>();
        // 09:00 BST is 08:00 UTC.
        assert_eq!(
            at.value(0),
            chrono::NaiveDate::from_ymd_opt(2026, 7, 31)
                .unwrap()
                .and_hms_opt(8, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp_millis()
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

    #[test]
    fn fractional_seconds_keep_milliseconds() {
        let f = write(
            "at\n2026-01-01T08:00:00\n2026-01-01T08:00:00.9\n2026-01-01T08:00:00.900\n\
             2026-01-01 08:00:00.123456\n2026-01-01T08:00:00.999999Z\n2026-01-01T09:00:00.25+01:00\n",
        );
        let t = read_table(
            f.path(),
            &[col("at", ColumnType::Timestamp, false)],
            &options(Formats::default(), OnError::Fail),
        )
        .unwrap();
        assert_eq!(
            t.schema.field(0).data_type(),
            &DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
        );
        let at = t.batches[0]
            .column(0)
            .as_primitive::<TimestampMillisecondType>();
        let base = 1_767_254_400_000; // 2026-01-01T08:00:00Z in milliseconds
        // Digits beyond the millisecond are truncated (toward the earlier instant).
        assert_eq!(
            at.values().to_vec(),
            [
                base,
                base + 900,
                base + 900,
                base + 123,
                base + 999,
                base + 250
            ]
        );
    }

    #[test]
    fn a_custom_format_takes_a_fraction_after_its_seconds() {
        let f = write("at\n31/07/2026 09:00:00\n31/07/2026 09:00:00.250\n31/07/2026 09:00:00.5\n");
        let formats = Formats {
            time_zone: Some("Europe/London".into()),
            timestamp_format: Some("%d/%m/%Y %H:%M:%S".into()),
            ..Formats::default()
        };
        let t = read_table(
            f.path(),
            &[col("at", ColumnType::Timestamp, false)],
            &options(formats, OnError::Fail),
        )
        .unwrap();
        let at = t.batches[0]
            .column(0)
            .as_primitive::<TimestampMillisecondType>();
        // 09:00 BST is 08:00 UTC.
        let base = chrono::NaiveDate::from_ymd_opt(2026, 7, 31)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        assert_eq!(at.values().to_vec(), [base, base + 250, base + 500]);
    }

    /// Reads one timestamp column in Lisbon time with the declared format
    /// `%Y-%m-%dT%H:%M:%S` (the shape read without chrono).
    fn lisbon(text: &str) -> Result<Vec<i64>, EvidenceError> {
        lisbon_as(text, Some("%Y-%m-%dT%H:%M:%S"))
    }

    /// Timestamps read in Lisbon time with a declared format, or none.
    fn lisbon_as(text: &str, format: Option<&str>) -> Result<Vec<i64>, EvidenceError> {
        let f = write(text);
        let formats = Formats {
            time_zone: Some("Europe/Lisbon".into()),
            timestamp_format: format.map(str::to_owned),
            ..Formats::default()
        };
        let t = read_table(
            f.path(),
            &[col("at", ColumnType::Timestamp, false)],
            &options(formats, OnError::Fail),
        )?;
        Ok(t.batches[0]
            .column(0)
            .as_primitive::<TimestampMillisecondType>()
            .values()
            .to_vec())
    }

    #[test]
    fn declared_iso_timestamps_are_local_times_across_clock_changes() {
        // Lisbon: UTC+0 in winter, UTC+1 from 2026-03-29 01:00 UTC (local
        // 01:00 -> 02:00) to 2026-10-25 01:00 UTC (local 02:00 -> 01:00).
        let at = lisbon(
            "at\n2026-03-29T00:59:59\n2026-03-29T02:00:00\n2026-10-25T01:30:00\n\
             2026-10-25T02:30:00\n2026-07-31T09:00:00\n2026-07-31T09:59:59\n",
        )
        .unwrap();
        assert_eq!(
            at,
            [
                1_774_745_999_000, // 00:59:59 UTC, the last second before the change
                1_774_746_000_000, // 02:00 local is 01:00 UTC, one second later
                1_792_888_200_000, // repeated hour: the first 01:30 (UTC+1), 00:30 UTC
                1_792_895_400_000, // 02:30 after the change: UTC+0
                1_785_484_800_000, // 09:00 summer time is 08:00 UTC
                1_785_488_399_000, // the same hour (offset remembered): 08:59:59 UTC
            ]
        );
    }

    #[test]
    fn undeclared_iso_timestamps_read_as_declared_ones() {
        // The same instants, the same hours back and forth (the hour last
        // looked up is remembered apart from the others), with and without a
        // declared format, with `T` or a space; an offset or a fraction is
        // still read by chrono.
        let text = "at\n2026-03-29T00:59:59\n2026-03-29 02:00:00\n2026-10-25T01:30:00\n\
                    2026-03-29T00:59:59\n2026-10-25T02:30:00\n2026-10-25 01:30:00\n";
        let declared = lisbon(&text.replace(' ', "T")).unwrap();
        assert_eq!(lisbon_as(text, None).unwrap(), declared);
        assert_eq!(
            declared,
            [
                1_774_745_999_000,
                1_774_746_000_000,
                1_792_888_200_000,
                1_774_745_999_000,
                1_792_895_400_000,
                1_792_888_200_000,
            ]
        );
        assert_eq!(
            lisbon_as(
                "at\n2026-07-01T08:00:00+02:00\n2026-07-01T08:00:00.5\n",
                None
            )
            .unwrap(),
            [1_782_885_600_000, 1_782_889_200_500]
        );
        let gap = lisbon_as("at\n2026-03-29T01:30:00\n", None).unwrap_err();
        assert!(gap.to_string().contains("does not exist"), "{gap}");
        let month = lisbon_as("at\n2026-13-01T00:00:00\n", None).unwrap_err();
        assert!(
            month.to_string().contains("expected timestamp (ISO 8601"),
            "{month}"
        );
    }

    #[test]
    fn declared_iso_timestamps_keep_their_errors() {
        // A local time in the skipped hour, and a month 13: the same
        // messages as chrono's reading gives.
        let gap = lisbon("at\n2026-03-29T01:30:00\n").unwrap_err();
        assert_eq!(
            gap.to_string(),
            "data/t.csv:2:1: `at`: timestamp `2026-03-29T01:30:00` does not exist in time zone \
             Europe/Lisbon (clocks went forward)"
        );
        let month = lisbon("at\n2026-13-01T00:00:00\n").unwrap_err();
        assert_eq!(
            month.to_string(),
            "data/t.csv:2:1: `at`: expected timestamp in format `%Y-%m-%dT%H:%M:%S`, found \
             `2026-13-01T00:00:00`"
        );
        // The declared separator is the one read: a space where the format
        // says `T` is chrono's error, not a value (and the other way round).
        let spaced = lisbon("at\n2026-01-01 08:00:00\n").unwrap_err();
        assert_eq!(
            spaced.to_string(),
            "data/t.csv:2:1: `at`: expected timestamp in format `%Y-%m-%dT%H:%M:%S`, found \
             `2026-01-01 08:00:00`"
        );
        let with_t = lisbon_as("at\n2026-01-01T08:00:00\n", Some("%Y-%m-%d %H:%M:%S")).unwrap_err();
        assert!(
            with_t.to_string().contains("expected timestamp in format"),
            "{with_t}"
        );
        assert_eq!(
            lisbon_as("at\n2026-01-01 08:00:00\n", Some("%Y-%m-%d %H:%M:%S")).unwrap(),
            [1_767_254_400_000]
        );
        // A fraction after the seconds is still read (by chrono).
        assert_eq!(
            lisbon("at\n2026-01-01T08:00:00.250\n").unwrap(),
            [1_767_254_400_250]
        );
    }

    // ---- Structure of the file: quotes, ragged rows, blank lines. ----

    fn ids(t: &ParsedTable) -> Vec<String> {
        t.batches
            .iter()
            .flat_map(|b| {
                let c = b.column(0).as_string::<i32>().clone();
                (0..c.len()).map(move |i| c.value(i).to_owned())
            })
            .collect()
    }

    fn id_talk() -> [WantedColumn; 2] {
        [
            col("id", ColumnType::String, false),
            col("talk", ColumnType::Float, false),
        ]
    }

    #[test]
    fn unterminated_quote_fails_the_table_at_the_line_where_its_record_starts() {
        // Row `b` opens a quote in its third column and never closes it: the
        // rows after it would be swallowed into that one cell (on the
        // unchanged reader the table "loaded" with 2 rows instead of 4).
        let f = write("id,talk,note\na,1,ok\nb,2,\"broken\nc,3,x\nd,4,y\n");
        for on_error in [OnError::Fail, OnError::Skip] {
            let e = read_table(f.path(), &id_talk(), &options(Formats::default(), on_error))
                .unwrap_err();
            assert_eq!(e.location.file, Path::new("data/t.csv"));
            assert_eq!(e.location.line, Some(3), "{e}");
            assert_eq!(e.location.column, Some(3), "{e}");
            assert!(e.message.contains("never closed"), "{e}");
            assert!(e.message.contains("lines 3 to 5"), "{e}");
        }
    }

    #[test]
    fn unterminated_quote_in_the_last_row_without_a_line_break_fails_too() {
        let f = write("id,talk\na,1\nb,\"2");
        let e = read_table(
            f.path(),
            &id_talk(),
            &options(Formats::default(), OnError::Skip),
        )
        .unwrap_err();
        assert_eq!((e.location.line, e.location.column), (Some(3), Some(2)));
        assert!(e.message.contains("never closed"), "{e}");
    }

    #[test]
    fn a_quote_closed_rows_later_swallowing_a_row_is_an_error() {
        // The quote opened in row `a` is closed by the quote that opens the
        // note of row `c`: row `b` (line 3) would vanish into a's note.
        let f = write("id,talk,note\na,1,\"x\nb,2,y\nc,3,\"z\"\nd,4,w\n");
        for on_error in [OnError::Fail, OnError::Skip] {
            let e = read_table(f.path(), &id_talk(), &options(Formats::default(), on_error))
                .unwrap_err();
            assert_eq!((e.location.line, e.location.column), (Some(2), Some(3)));
            assert!(e.message.contains("line 3"), "{e}");
            assert!(e.message.contains("3 fields like the header"), "{e}");
        }
    }

    #[test]
    fn a_quoted_field_over_several_lines_is_read() {
        let f = write("id,talk,note\na,1,\"first line\nsecond, line\"\nb,2,plain\n");
        let wanted = [
            col("id", ColumnType::String, false),
            col("note", ColumnType::String, false),
        ];
        let t = read_table(
            f.path(),
            &wanted,
            &options(Formats::default(), OnError::Fail),
        )
        .unwrap();
        assert_eq!(ids(&t), ["a", "b"]);
        let note = t.batches[0].column(1).as_string::<i32>();
        assert_eq!(note.value(0), "first line\nsecond, line");
    }

    #[test]
    fn a_ragged_row_names_its_line_and_skip_counts_it() {
        let f = write("id,talk\na,1\nb,2,extra\nc,3\n");
        let e = read_table(
            f.path(),
            &id_talk(),
            &options(Formats::default(), OnError::Fail),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "data/t.csv:3: expected 2 fields like the header, found 3"
        );
        let t = read_table(
            f.path(),
            &id_talk(),
            &options(Formats::default(), OnError::Skip),
        )
        .unwrap();
        assert_eq!((t.rows, t.skipped_rows), (2, 1));
        assert_eq!(ids(&t), ["a", "c"]);
        assert!(t.skipped_examples[0].starts_with("data/t.csv:3:"), "{t:?}");
    }

    #[test]
    fn a_bad_cell_after_a_blank_line_names_its_own_line() {
        // Line 3 is blank; the bad row is line 4.
        let f = write("id,talk\na,1\n\nb,abc\n");
        let e = read_table(
            f.path(),
            &id_talk(),
            &options(Formats::default(), OnError::Fail),
        )
        .unwrap_err();
        assert_eq!((e.location.line, e.location.column), (Some(4), Some(2)));
    }

    // ---- Headers: duplicates and a wrong delimiter. ----

    #[test]
    fn a_duplicated_header_is_an_error_naming_both_positions() {
        let f = write("id,talk,id\na,1,b\n");
        let e = read_table(
            f.path(),
            &id_talk(),
            &options(Formats::default(), OnError::Fail),
        )
        .unwrap_err();
        assert_eq!(e.location.line, Some(1));
        assert_eq!(e.location.column, Some(3));
        assert!(e.message.contains("columns 1 and 3"), "{e}");
        assert!(e.message.contains("`id`"), "{e}");
    }

    #[test]
    fn a_header_duplicated_by_the_mapping_is_an_error() {
        // `contact_id` is mapped from `Call ID` (column 1), and column 2 is
        // literally `contact_id`: two columns give the same canonical name.
        let f = write("Call ID,contact_id\nx,y\n");
        let mut id = col("contact_id", ColumnType::String, false);
        id.mapped_from = Some("Call ID".into());
        let e =
            read_table(f.path(), &[id], &options(Formats::default(), OnError::Fail)).unwrap_err();
        assert!(e.message.contains("columns 1 and 2"), "{e}");
        assert!(e.message.contains("`Call ID`"), "{e}");
    }

    #[test]
    fn a_one_field_header_holding_a_semicolon_or_tab_suggests_the_delimiter() {
        let f = write("id;talk\na;1\n");
        let e = read_table(
            f.path(),
            &id_talk(),
            &options(Formats::default(), OnError::Fail),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "data/t.csv:1: `header`: the header is one field containing `;`: \
             set delimiter = \";\" for this table"
        );
        let f = write("id\ttalk\na\t1\n");
        let e = read_table(
            f.path(),
            &id_talk(),
            &options(Formats::default(), OnError::Fail),
        )
        .unwrap_err();
        assert!(
            e.message
                .contains("one field containing a tab: set delimiter = \"\\t\""),
            "{e}"
        );
    }

    // ---- Real exports: delimiter, decimal comma, encodings. ----

    /// The effective formats of `[defaults]` holding `keys`, through
    /// `evidence.toml` as a user writes it.
    fn formats_of(keys: &str) -> Formats {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("evidence.toml"),
            format!(
                "[centre]\nname = \"C\"\n\n[period]\nstart = 2026-01-01\nend = 2026-01-31\n\n\
                 [defaults]\n{keys}\n"
            ),
        )
        .unwrap();
        crate::evidence::load_manifest(dir.path())
            .unwrap_or_else(|e| panic!("{e}"))
            .formats("t")
    }

    fn floats(t: &ParsedTable, column: usize) -> Vec<f64> {
        let c = t.batches[0].column(column).as_primitive::<Float64Type>();
        (0..c.len()).map(|i| c.value(i)).collect()
    }

    #[test]
    fn decimal_comma_reads_european_numbers() {
        // `.` groups thousands and is removed; `,` is the decimal mark.
        let formats = formats_of("delimiter = \";\"\ndecimal = \",\"");
        let f = write("id;talk;n\na;1.234,5;1.234\nb;12,5;7\nc;-0,25;-1.000.000\n");
        let wanted = [
            col("id", ColumnType::String, false),
            col("talk", ColumnType::Float, false),
            col("n", ColumnType::Integer, false),
        ];
        let t = read_table(f.path(), &wanted, &options(formats, OnError::Fail)).unwrap();
        assert_eq!(floats(&t, 1), [1234.5, 12.5, -0.25]);
        let n = t.batches[0].column(2).as_primitive::<Int64Type>();
        assert_eq!(n.values().to_vec(), [1234, 7, -1_000_000]);
    }

    #[test]
    fn decimal_comma_refuses_a_dot_that_is_not_a_thousands_separator() {
        let formats = formats_of("delimiter = \";\"\ndecimal = \",\"");
        for bad in ["1.5", "1.23,4", "1,2,3", "1.2345"] {
            let f = write(format!("id;talk\na;{bad}\n"));
            let e = read_table(
                f.path(),
                &id_talk(),
                &options(formats.clone(), OnError::Fail),
            )
            .unwrap_err();
            assert_eq!((e.location.line, e.location.column), (Some(2), Some(2)));
            assert!(e.message.contains("decimal comma"), "{bad}: {e}");
        }
    }

    #[test]
    fn windows_1252_is_decoded_before_parsing() {
        // `Jos\xe9 \x80` is "José €" in windows-1252 (0x80 is the euro sign,
        // a control character in ISO 8859-1 proper).
        for label in ["windows-1252", "latin-1", "ISO-8859-1"] {
            let formats = formats_of(&format!("encoding = \"{label}\""));
            let f = write(b"nom,dur\xe9e\nJos\xe9 \x80,12\n");
            let mut name = col("name", ColumnType::String, false);
            name.mapped_from = Some("nom".into());
            let mut talk = col("talk", ColumnType::Float, false);
            talk.mapped_from = Some("dur\u{e9}e".into());
            let t = read_table(f.path(), &[name, talk], &options(formats, OnError::Fail))
                .unwrap_or_else(|e| panic!("{label}: {e}"));
            assert_eq!(ids(&t), ["Jos\u{e9} \u{20ac}"], "{label}");
            assert_eq!(floats(&t, 1), [12.0], "{label}");
        }
    }

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut out = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in text.encode_utf16() {
            let bytes = if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            out.extend_from_slice(&bytes);
        }
        out
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_decoded() {
        let formats = formats_of("encoding = \"utf-16\"");
        for big_endian in [false, true] {
            let f = write(utf16("id,talk\nJos\u{e9},1.5\n", big_endian));
            let t = read_table(
                f.path(),
                &id_talk(),
                &options(formats.clone(), OnError::Fail),
            )
            .unwrap_or_else(|e| panic!("big endian {big_endian}: {e}"));
            assert_eq!(ids(&t), ["Jos\u{e9}"]);
            assert_eq!(floats(&t, 1), [1.5]);
        }
    }

    #[test]
    fn utf16_needs_its_byte_order_mark_and_is_not_read_as_utf8() {
        let no_bom = utf16("id,talk\na,1\n", false)[2..].to_vec();
        let f = write(&no_bom);
        let e = read_table(
            f.path(),
            &id_talk(),
            &options(formats_of("encoding = \"utf-16\""), OnError::Fail),
        )
        .unwrap_err();
        assert!(e.message.contains("byte-order mark"), "{e}");

        // A UTF-16 file read with the default encoding: told what to set.
        let f = write(utf16("id,talk\na,1\n", false));
        let e = read_table(
            f.path(),
            &id_talk(),
            &options(Formats::default(), OnError::Fail),
        )
        .unwrap_err();
        assert!(e.message.contains("set encoding = \"utf-16\""), "{e}");
    }

    #[test]
    fn a_utf8_byte_order_mark_is_always_accepted() {
        let bytes = "\u{feff}id,talk\nJos\u{e9},1\n".as_bytes().to_vec();
        for keys in ["", "encoding = \"utf-8\"", "encoding = \"windows-1252\""] {
            let f = write(&bytes);
            let t = read_table(
                f.path(),
                &id_talk(),
                &options(formats_of(keys), OnError::Fail),
            )
            .unwrap_or_else(|e| panic!("{keys}: {e}"));
            assert_eq!(ids(&t), ["Jos\u{e9}"], "{keys}");
        }
    }

    #[test]
    fn a_row_that_is_not_utf8_suggests_the_encoding() {
        let f = write(b"id,talk\na,1\nJos\xe9,2\n");
        let e = read_table(
            f.path(),
            &id_talk(),
            &options(Formats::default(), OnError::Fail),
        )
        .unwrap_err();
        assert_eq!((e.location.line, e.location.column), (Some(3), Some(1)));
        assert!(e.message.contains("encoding = \"windows-1252\""), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_special_file_is_not_opened() {
        // A socket stands for FIFOs and devices: reading it would fail or
        // block; it is refused from its metadata.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let e = read_table(
            &path,
            &id_talk(),
            &options(Formats::default(), OnError::Fail),
        )
        .unwrap_err();
        assert!(e.message.contains("socket"), "{e}");
    }
}

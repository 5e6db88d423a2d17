//! One typing path for every table format. A reader (CSV, Excel, Parquet)
//! finds the header, resolves the wanted columns ([`resolve_slots`]) and
//! hands each row's raw cells ([`RawCell`]) to [`TypedRows`], which types
//! them with the table's formats ([`CellParser::parse_raw`]), applies the
//! validity rules, counts and skips bad rows, and builds the Arrow batches.
//! Messages name the place as the reader counts it ([`Place`]).

use std::fmt::Write as _;
use std::path::PathBuf;

use super::*;
use crate::source::Grid;

/// One cell as a reader found it, before it is typed.
#[derive(Debug, Clone, Copy)]
pub(super) enum RawCell<'a> {
    /// No value.
    Empty,
    /// Text, typed as a CSV cell is.
    Text(&'a str),
    /// A whole number.
    Int(i64),
    /// A number.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A local date and time without a zone (a workbook's date cell, a
    /// Parquet timestamp without time zone): in the table's time zone.
    Local(NaiveDateTime),
    /// An instant, UTC milliseconds (a Parquet timestamp with a time zone).
    Instant(i64),
    /// A calendar date.
    Date(NaiveDate),
    /// A value that is no value of any column type (a spreadsheet error
    /// such as `#DIV/0!`, a duration), described for the message.
    Invalid(&'a str),
}

impl RawCell<'_> {
    /// Writes the cell as the CSV text of the same value into `out` (for
    /// string columns, keys and messages): integral numbers without a
    /// fraction, dates as `YYYY-MM-DD`, date-times in ISO 8601.
    pub(super) fn render(&self, out: &mut String) {
        out.clear();
        let _ = match *self {
            RawCell::Empty => Ok(()),
            RawCell::Text(s) | RawCell::Invalid(s) => out.write_str(s),
            RawCell::Int(i) => write!(out, "{i}"),
            RawCell::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => write!(out, "{}", x as i64),
            RawCell::Float(x) => write!(out, "{x}"),
            RawCell::Bool(b) => write!(out, "{b}"),
            RawCell::Local(t) => write!(out, "{}", iso_local(t)),
            RawCell::Instant(ms) => match DateTime::from_timestamp_millis(ms) {
                Some(t) => write!(out, "{}Z", iso_local(t.naive_utc())),
                None => write!(out, "{ms}"),
            },
            RawCell::Date(d) => write!(out, "{}", d.format("%Y-%m-%d")),
        };
    }
}

/// A local date-time as ISO 8601 text: the date alone at midnight, the
/// milliseconds only when there are some.
fn iso_local(t: NaiveDateTime) -> String {
    if t.time() == chrono::NaiveTime::MIN {
        t.format("%Y-%m-%d").to_string()
    } else if t.and_utc().timestamp_subsec_millis() == 0 {
        t.format("%Y-%m-%dT%H:%M:%S").to_string()
    } else {
        t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string()
    }
}

impl CellParser {
    /// Types a raw cell for `schema`: a native value of the column's type
    /// maps to it (an integral number into an integer column, a date-time
    /// into a timestamp in the table's time zone, a date-time at midnight
    /// into a date or month); text, and any other value as its CSV text
    /// (`text`, from [`RawCell::render`], trimmed), is parsed as a CSV cell
    /// is, so a mismatch gives the CSV message.
    pub(super) fn parse_raw(
        &self,
        schema: &ColumnSchema,
        raw: RawCell<'_>,
        text: &str,
    ) -> Result<Cell, String> {
        let midnight = |t: NaiveDateTime| t.time() == chrono::NaiveTime::MIN;
        match (raw, schema.column_type) {
            (RawCell::Text(_), _) => self.parse_trimmed(schema, text),
            (RawCell::Invalid(what), t) => Err(format!("expected {t}, found {what}")),
            (RawCell::Int(i), ColumnType::Integer) => Ok(Cell::Int(i)),
            (RawCell::Int(i), ColumnType::Float) => Ok(Cell::Float(i as f64)),
            (RawCell::Float(x), ColumnType::Float) if x.is_finite() => Ok(Cell::Float(x)),
            (RawCell::Float(x), ColumnType::Integer)
                if x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 =>
            {
                Ok(Cell::Int(x as i64))
            }
            (RawCell::Float(_), ColumnType::Integer) => {
                Err(format!("expected integer, found `{text}`"))
            }
            (RawCell::Bool(b), ColumnType::Bool) => Ok(Cell::Bool(b)),
            (RawCell::Local(t), ColumnType::Timestamp) => self.to_utc(t, text).map(Cell::Ts),
            (RawCell::Instant(ms), ColumnType::Timestamp) => Ok(Cell::Ts(ms)),
            (RawCell::Local(t), ColumnType::Date) if midnight(t) => {
                Ok(Cell::Date(days_from_date(t.date())))
            }
            (RawCell::Date(d), ColumnType::Date) => Ok(Cell::Date(days_from_date(d))),
            (RawCell::Local(t), ColumnType::Month) if midnight(t) => first_of_month(t.date()),
            (RawCell::Date(d), ColumnType::Month) => first_of_month(d),
            // Empty, string columns, and values of another type: as text.
            _ => self.parse_trimmed(schema, text),
        }
    }
}

/// A month cell from a date: its first day, as CSV's `YYYY-MM-DD` reads.
fn first_of_month(d: NaiveDate) -> Result<Cell, String> {
    d.with_day(1)
        .map(|d| Cell::Date(days_from_date(d)))
        .ok_or_else(|| format!("expected month, found `{d}`"))
}

/// How a reader names places in messages: the file as shown, what rows and
/// columns count ([`Grid`]; `None` for a text file's lines), and the
/// position of the reader's first column in the file (a sheet's used range
/// may start right of column A).
#[derive(Debug, Clone)]
pub(super) struct Place {
    /// The file, relative to the evidence folder.
    pub shown: PathBuf,
    /// What `line` and `column` count.
    pub grid: Option<Box<Grid>>,
    /// Columns before the reader's first column.
    pub column_offset: usize,
}

impl Place {
    /// A text file's place (line and column of the file).
    pub(super) fn text(shown: &Path) -> Self {
        Place {
            shown: shown.to_path_buf(),
            grid: None,
            column_offset: 0,
        }
    }

    /// The location of `row` and of the reader's 0-based column `index`.
    pub(super) fn at(&self, row: usize, index: Option<usize>, key: Option<String>) -> Location {
        Location {
            file: self.shown.clone(),
            line: Some(row),
            column: index.map(|i| self.column_offset + i + 1),
            key,
            grid: self.grid.clone(),
        }
    }

    /// The location of the whole file.
    pub(super) fn file(&self) -> Location {
        Location {
            grid: self.grid.clone(),
            ..Location::file(&self.shown)
        }
    }
}

/// The rows of one table being typed: every row counted, bad ones skipped
/// (and counted by reason) or failing the table, accepted ones appended.
pub(super) struct TypedRows {
    place: Place,
    slots: Vec<Slot>,
    parser: CellParser,
    schema: SchemaRef,
    builders: Vec<ColumnBuilder>,
    /// The room of a full batch, shared with the table's other pieces.
    room: BatchRoom,
    batches: Vec<RecordBatch>,
    rows: u64,
    in_batch: usize,
    skipped: Skipped,
    row_rules: Option<RowRules>,
    values: Vec<Value>,
    cells: Vec<Cell>,
    /// The CSV text of each slot's cell when it is not text.
    rendered: Vec<String>,
    missing_columns: Vec<String>,
}

/// The parser of a table's cells, for its formats.
pub(super) fn cell_parser(
    formats: &Formats,
    shown: &Path,
) -> Result<(CellParser, Tz), EvidenceError> {
    let tz_name = formats
        .time_zone
        .clone()
        .unwrap_or_else(|| "UTC".to_owned());
    let tz: Tz = tz_name.parse().map_err(|_| {
        EvidenceError::new(
            Location::file(shown).key("time_zone"),
            format!("unknown time zone `{tz_name}` (expected an IANA name such as Europe/London)"),
        )
    })?;
    let parser = CellParser::new(
        formats.decimal.unwrap_or_default(),
        tz,
        formats.timestamp_format.clone(),
        formats
            .date_format
            .clone()
            .unwrap_or_else(|| "%Y-%m-%d".to_owned()),
    );
    Ok((parser, tz))
}

impl TypedRows {
    /// Starts a table whose header is `headers` (0-based positions are the
    /// reader's columns); a wanted column found twice is an error at
    /// `header_row` (the row of the header, when the format has one). The
    /// first batch starts with the room `room` recorded, if any.
    pub(super) fn new(
        place: Place,
        headers: &[String],
        header_row: Option<usize>,
        wanted: &[WantedColumn],
        options: &TableReadOptions,
        room: &BatchRoom,
    ) -> Result<Self, EvidenceError> {
        let (parser, tz) = cell_parser(&options.formats, &place.shown)?;
        let (slots, missing_columns) =
            resolve_slots(headers, wanted).map_err(|(name, clash)| {
                let mut at = place.at(0, Some(clash.second), Some(name));
                at.line = header_row;
                EvidenceError::new(at, clash.message)
            })?;
        let fields: Vec<Field> = slots
            .iter()
            .map(|s| Field::new(&s.name, arrow_type(&s.schema), s.schema.nullable))
            .collect();
        let schema: SchemaRef = Arc::new(Schema::new(fields));
        let recorded = room.get().filter(|r| r.len() == slots.len());
        let builders = (slots.iter().enumerate())
            .map(|(i, s)| ColumnBuilder::new(&s.schema, recorded.map(|r| r[i])))
            .collect();
        let row_rules = options.rules.as_ref().map(|r| {
            let read: Vec<(String, ColumnType)> = slots
                .iter()
                .map(|s| (s.name.clone(), s.schema.column_type))
                .collect();
            let period = PeriodContext {
                start: r.start,
                end: r.end,
                tz,
                units_per_second: TIMESTAMP_UNITS_PER_SECOND,
            };
            RowRules::new(&r.table, &read, period).with_closed_days(r.closed.clone())
        });
        Ok(TypedRows {
            place,
            cells: Vec::with_capacity(slots.len()),
            values: Vec::with_capacity(slots.len()),
            rendered: vec![String::new(); slots.len()],
            slots,
            parser,
            schema,
            builders,
            room: room.clone(),
            batches: Vec::new(),
            rows: 0,
            in_batch: 0,
            skipped: Skipped::new(options.on_error),
            row_rules,
            missing_columns,
        })
    }

    /// The resolved columns, in the reader's column order: each slot's
    /// `index` is its position among the reader's columns.
    pub(super) fn slots(&self) -> &[Slot] {
        &self.slots
    }

    /// How places are named.
    pub(super) fn place(&self) -> &Place {
        &self.place
    }

    /// A row that cannot be typed at all (another field count than the
    /// header, bytes that are not text): counted under `malformed`, or the
    /// table's error.
    pub(super) fn malformed(
        &mut self,
        row: usize,
        index: Option<usize>,
        message: String,
    ) -> Result<(), EvidenceError> {
        let error = EvidenceError::new(self.place.at(row, index, None), message);
        self.skipped.row(rules::reason::MALFORMED, error)
    }

    /// Types one row: `raw(i)` is the cell of slot `i`, `row` its number
    /// as the reader counts rows. A bad cell or a broken rule skips the row
    /// (counted by reason) or fails the table, as `on_error` says.
    pub(super) fn push<'r>(
        &mut self,
        row: usize,
        raw: impl Fn(usize) -> RawCell<'r>,
    ) -> Result<(), EvidenceError> {
        let mut rendered = std::mem::take(&mut self.rendered);
        for (i, out) in rendered.iter_mut().enumerate() {
            let cell = raw(i);
            if !matches!(cell, RawCell::Text(_)) {
                cell.render(out);
            }
        }
        // A cell's text without surrounding white space (not part of any value).
        let text = |i: usize| -> &str {
            match raw(i) {
                RawCell::Text(s) => trim_cell(s),
                _ => trim_cell(&rendered[i]),
            }
        };
        let pushed = self.accept(
            row,
            |parser, i, schema, out| {
                *out = parser.parse_raw(schema, raw(i), text(i))?;
                Ok(())
            },
            text,
        );
        self.rendered = rendered;
        pushed
    }

    /// [`Self::push`] of a row of text cells (a CSV record's), `trimmed(i)`
    /// the cell of slot `i` without surrounding white space: each cell is
    /// parsed as text, with no other kind of value to tell apart.
    pub(super) fn push_text<'r>(
        &mut self,
        row: usize,
        trimmed: impl Fn(usize) -> &'r str,
    ) -> Result<(), EvidenceError> {
        self.accept(
            row,
            |parser, i, schema, out| parser.parse_trimmed_into(schema, trimmed(i), out),
            &trimmed,
        )
    }

    /// Types the row's cells with `parse(parser, i, schema, cell)` (slot `i`, into its cell),
    /// checks the validity rules and appends the row; `text(i)` is the
    /// trimmed text of slot `i`'s cell.
    fn accept<'t>(
        &mut self,
        row: usize,
        parse: impl Fn(&CellParser, usize, &ColumnSchema, &mut Cell) -> Result<(), String>,
        text: impl Fn(usize) -> &'t str,
    ) -> Result<(), EvidenceError> {
        // Each cell is typed into its place (see `parse_trimmed_into`).
        self.cells.resize(self.slots.len(), Cell::Null);
        for (i, (slot, place)) in self.slots.iter().zip(&mut self.cells).enumerate() {
            match parse(&self.parser, i, &slot.schema, place) {
                Ok(()) => {}
                Err(message) => {
                    let key = if slot.header == slot.name {
                        slot.name.clone()
                    } else {
                        format!("{} (header `{}`)", slot.name, slot.header)
                    };
                    let error = EvidenceError::new(
                        self.place.at(row, Some(slot.index), Some(key)),
                        message,
                    );
                    return self.skipped.row(rules::reason::UNPARSEABLE, error);
                }
            }
        }
        if let Some(checker) = self.row_rules.as_mut() {
            self.values.clear();
            self.values.extend(
                self.cells
                    .iter()
                    .zip(&self.slots)
                    .map(|(c, s)| c.value(s.schema.column_type)),
            );
            if let Err(v) = checker.check(&self.values, &text, row as u64) {
                let slot = v.column.map(|i| &self.slots[i]);
                let location =
                    self.place
                        .at(row, slot.map(|s| s.index), slot.map(|s| s.name.clone()));
                return self
                    .skipped
                    .row(v.reason, EvidenceError::new(location, v.message));
            }
        }
        for (i, (builder, cell)) in self.builders.iter_mut().zip(&self.cells).enumerate() {
            append(builder, *cell, || text(i));
        }
        self.rows += 1;
        self.in_batch += 1;
        if self.in_batch == BATCH_ROWS {
            self.cut_batch()?;
        }
        Ok(())
    }

    /// Ends the batch being built, if it has rows: the next row starts a
    /// new one.
    pub(super) fn cut_batch(&mut self) -> Result<(), EvidenceError> {
        if self.in_batch == BATCH_ROWS {
            self.room.record(&self.builders);
        }
        if self.in_batch > 0 {
            self.batches.push(finish_batch(
                &self.schema,
                &mut self.builders,
                &self.place.shown,
            )?);
            self.in_batch = 0;
        }
        Ok(())
    }

    /// Appends `later`, the rows of the records right after these (both
    /// with their batches cut), as if one had read on. Whether a row of
    /// `later` repeats a key of these is told by
    /// [`Self::joined_keys_unique`] once every piece is in.
    pub(super) fn absorb(&mut self, later: TypedRows) {
        debug_assert!(self.in_batch == 0 && later.in_batch == 0);
        if let (Some(these), Some(those)) = (self.row_rules.as_mut(), later.row_rules) {
            these.absorb(those);
        }
        self.batches.extend(later.batches);
        self.rows += later.rows;
        self.skipped.absorb(later.skipped);
    }

    /// Leaves every key check to [`Self::joined_keys_unique`]
    /// ([`RowRules::check_keys_when_joined`]): for the rows of one piece of a
    /// body read side by side, about `rows` of them.
    pub(super) fn check_keys_when_joined(&mut self, rows: usize) {
        if let Some(rules) = self.row_rules.as_mut() {
            rules.check_keys_when_joined(rows);
        }
    }

    /// Sorts this piece's keys for [`Self::joined_keys_unique`]
    /// ([`RowRules::sort_joined_keys`]), on the thread that read the piece.
    pub(super) fn sort_joined_keys(&mut self) {
        if let Some(rules) = self.row_rules.as_mut() {
            rules.sort_joined_keys();
        }
    }

    /// False when a row of a piece joined by [`Self::absorb`] repeats a key
    /// of another piece (which row is the duplicate is decided by reading in
    /// file order).
    pub(super) fn joined_keys_unique(&mut self) -> bool {
        self.row_rules
            .as_mut()
            .is_none_or(RowRules::joined_keys_unique)
    }

    /// The parsed table.
    pub(super) fn finish(mut self) -> Result<ParsedTable, EvidenceError> {
        if self.in_batch > 0 || self.batches.is_empty() {
            self.batches.push(finish_batch(
                &self.schema,
                &mut self.builders,
                &self.place.shown,
            )?);
        }
        let key_columns = self
            .row_rules
            .as_ref()
            .map(|r| r.key_columns().into_iter().map(str::to_owned).collect())
            .unwrap_or_default();
        let placement = self.row_rules.map(RowRules::finish).unwrap_or_default();
        Ok(ParsedTable {
            schema: self.schema,
            batches: self.batches,
            rows: self.rows,
            skipped_rows: self.skipped.by_reason.values().sum(),
            skipped_by_reason: self.skipped.by_reason,
            skipped_examples: self.skipped.examples,
            placement,
            key_columns,
            missing_columns: self.missing_columns,
            sheet: None,
            sha256: None,
        })
    }
}

//! Parsing one cell of a typed column: numbers (with the table's decimal
//! mark), booleans, dates, months and timestamps in the evidence's time zone.

use super::*;

/// A parsed cell, before it is appended (so a skipped row leaves no trace).
#[derive(Clone, Copy)]
pub(super) enum Cell {
    Null,
    Str,
    Int(i64),
    Float(f64),
    Bool(bool),
    Date(i32),
    /// UTC milliseconds.
    Ts(i64),
}

impl Cell {
    /// The value the validity rules see.
    pub(super) fn value(self, column_type: ColumnType) -> Value {
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
pub(super) struct CellParser {
    decimal: DecimalMark,
    tz: Tz,
    /// The declared timestamp format, as written (for messages).
    timestamp_format: Option<String>,
    /// The declared format with an optional fraction after its seconds
    /// (built once, not per cell).
    timestamp_pattern: Option<String>,
    /// When the pattern reads `YYYY-MM-DDTHH:MM:SS` (or with a space) plus
    /// an optional fraction, which [`iso_seconds`] reads directly: the
    /// separator it declares between date and time (`T` or a space).
    iso_separator: Option<u8>,
    date_format: String,
    /// The UTC offset of local hours without a clock change, by local hour
    /// since the epoch (see [`CellParser::to_utc`]).
    offsets: std::cell::RefCell<std::collections::HashMap<i64, i64>>,
    /// The hour last found in `offsets` and its offset: a row's instants,
    /// and rows in time order, mostly share their hour.
    last_hour: std::cell::Cell<(i64, i64)>,
    /// The ISO date last read; 1970-01-01 and 0 before the first, a true
    /// pair like any other.
    last_date: DateMemory,
}

/// The date part (`YYYY-MM-DD`) of the ISO timestamp last read and its
/// first local millisecond (see [`iso_seconds`]).
type DateMemory = std::cell::Cell<([u8; 10], i64)>;

/// The patterns [`iso_seconds`] reads, each with the separator it places
/// between date and time: exactly what chrono reads with them for a value of
/// the shape `YYYY-MM-DDTHH:MM:SS` (or with a space).
const ISO_PATTERNS: [(&str, u8); 2] = [
    ("%Y-%m-%dT%H:%M:%S%.f", b'T'),
    ("%Y-%m-%d %H:%M:%S%.f", b' '),
];

impl CellParser {
    /// Parsers for a table's formats: `timestamp_format` as declared (none:
    /// ISO 8601 and its usual variants), `date_format` as chrono reads it.
    pub(super) fn new(
        decimal: DecimalMark,
        tz: Tz,
        timestamp_format: Option<String>,
        date_format: String,
    ) -> Self {
        let timestamp_pattern = timestamp_format
            .as_deref()
            .map(|f| with_optional_fraction(f).into_owned());
        let iso_separator = ISO_PATTERNS
            .iter()
            .find(|(pattern, _)| timestamp_pattern.as_deref() == Some(*pattern))
            .map(|&(_, separator)| separator);
        CellParser {
            decimal,
            tz,
            timestamp_format,
            timestamp_pattern,
            iso_separator,
            date_format,
            offsets: Default::default(),
            last_hour: std::cell::Cell::new((i64::MIN, 0)),
            last_date: std::cell::Cell::new((*b"1970-01-01", 0)),
        }
    }

    /// Types a CSV cell for `schema` (surrounding white space is not part of
    /// the value).
    pub(super) fn parse(&self, schema: &ColumnSchema, raw: &str) -> Result<Cell, String> {
        self.parse_trimmed(schema, trim_cell(raw))
    }

    /// [`Self::parse`] of a cell already trimmed.
    pub(super) fn parse_trimmed(&self, schema: &ColumnSchema, value: &str) -> Result<Cell, String> {
        let mut cell = Cell::Null;
        self.parse_trimmed_into(schema, value, &mut cell)?;
        Ok(cell)
    }

    /// [`Self::parse_trimmed`] into `out` (left as it was on an error).
    ///
    /// Each kind of cell is written into `out` where it is typed: a cell
    /// returned, then moved into place, goes through the stack as its tag
    /// and its payload, two stores read back as one 16-byte load, which
    /// the processor cannot forward from them (a stall of a dozen cycles on
    /// every cell of every table).
    #[inline(always)]
    pub(super) fn parse_trimmed_into(
        &self,
        schema: &ColumnSchema,
        value: &str,
        out: &mut Cell,
    ) -> Result<(), String> {
        let mut put = |cell: Cell| {
            *out = cell;
            Ok(())
        };
        if value.is_empty() {
            return if schema.nullable {
                put(Cell::Null)
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
                _ => put(Cell::Str),
            },
            ColumnType::Integer => match self.number(value).map(|v| v.parse::<i64>()) {
                Some(Ok(v)) => put(Cell::Int(v)),
                _ => Err(bad(self.number_hint(ColumnType::Integer))),
            },
            ColumnType::Float
                if self.decimal == DecimalMark::Point
                    && let Some(v) = numbers::short_decimal(value) =>
            {
                put(Cell::Float(v))
            }
            ColumnType::Float => match self.number(value).map(|v| v.parse::<f64>()) {
                Some(Ok(v)) if v.is_finite() => put(Cell::Float(v)),
                _ => Err(bad(self.number_hint(ColumnType::Float))),
            },
            // The spellings exports mostly write, before every other.
            ColumnType::Bool if value == "false" => put(Cell::Bool(false)),
            ColumnType::Bool if value == "true" => put(Cell::Bool(true)),
            ColumnType::Bool => {
                let is = |words: [&str; 5]| words.iter().any(|w| value.eq_ignore_ascii_case(w));
                if is(["true", "t", "yes", "y", "1"]) {
                    put(Cell::Bool(true))
                } else if is(["false", "f", "no", "n", "0"]) {
                    put(Cell::Bool(false))
                } else {
                    Err(bad(" (true/false, yes/no or 1/0)"))
                }
            }
            ColumnType::Date => match NaiveDate::parse_from_str(value, &self.date_format) {
                Ok(d) => put(Cell::Date(days_from_date(d))),
                Err(_) => Err(bad(&format!(" in format `{}`", self.date_format))),
            },
            ColumnType::Month => match parse_month(value) {
                Some(d) => put(Cell::Date(days_from_date(d))),
                None => Err(bad(" (YYYY-MM)")),
            },
            ColumnType::Timestamp => put(Cell::Ts(self.parse_timestamp(value)?)),
        }
    }

    /// A number cell in Rust's notation, `None` when it breaks the table's
    /// decimal-comma rule.
    fn number<'a>(&self, value: &'a str) -> Option<Cow<'a, str>> {
        match self.decimal {
            DecimalMark::Point => Some(Cow::Borrowed(value)),
            DecimalMark::Comma => numbers::from_decimal_comma(value).map(Cow::Owned),
        }
    }

    /// What an expected integer or float looks like, after its type.
    fn number_hint(&self, column_type: ColumnType) -> &'static str {
        match (self.decimal, column_type) {
            (DecimalMark::Point, ColumnType::Float) => " (a finite number)",
            (DecimalMark::Point, _) => "",
            (DecimalMark::Comma, ColumnType::Float) => {
                " (a finite number with decimal comma, e.g. 1.234,5 or 12,5)"
            }
            (DecimalMark::Comma, _) => " (decimal comma: `.` only between groups of three digits)",
        }
    }

    /// A timestamp as UTC milliseconds: fractional seconds are kept to the
    /// millisecond, further digits truncated (toward the earlier instant).
    fn parse_timestamp(&self, value: &str) -> Result<i64, String> {
        // The common shape is read directly, as chrono would read it with a
        // declared ISO format or with the ISO patterns below (RFC 3339
        // needs an offset, which that shape has no room for).
        let iso = match (&self.timestamp_format, self.iso_separator) {
            (Some(_), Some(separator)) => iso_seconds(value, &[separator], &self.last_date),
            (Some(_), None) => None,
            (None, _) => iso_seconds(value, b"T ", &self.last_date),
        };
        if let Some(local_ms) = iso {
            return self.local_ms_to_utc(local_ms, None, value);
        }
        let naive = match (&self.timestamp_format, &self.timestamp_pattern) {
            // Without an offset in the pattern, chrono reads the value as
            // local time, as below.
            (Some(declared), Some(format)) => {
                if let Ok(dt) = DateTime::parse_from_str(value, format) {
                    return Ok(dt.timestamp_millis());
                }
                NaiveDateTime::parse_from_str(value, format).map_err(|_| {
                    format!("expected timestamp in format `{declared}`, found `{value}`")
                })?
            }
            _ => {
                if let Ok(dt) = DateTime::parse_from_rfc3339(value) {
                    return Ok(dt.timestamp_millis());
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
        self.to_utc(naive, value)
    }

    /// A local time in the table's time zone as UTC milliseconds. The
    /// offset of a local hour in which the clocks do not change (the same
    /// single offset at its first and its last millisecond) is remembered,
    /// so the zone's rules are looked up once per hour, not per cell.
    pub(super) fn to_utc(&self, naive: NaiveDateTime, value: &str) -> Result<i64, String> {
        self.local_ms_to_utc(naive.and_utc().timestamp_millis(), Some(naive), value)
    }

    /// [`Self::to_utc`] of a local time given as milliseconds since
    /// 1970-01-01T00:00:00 local time (to the millisecond), with the
    /// date-time it was read as when there is one: in an hour with a clock
    /// change the zone is asked about that date-time itself (a leap second,
    /// `01:59:60`, is not the `02:00:00` its milliseconds give).
    fn local_ms_to_utc(
        &self,
        local_ms: i64,
        naive: Option<NaiveDateTime>,
        value: &str,
    ) -> Result<i64, String> {
        let hour = local_ms.div_euclid(3_600_000);
        let (last_hour, last_offset) = self.last_hour.get();
        if last_hour == hour {
            return Ok(local_ms - last_offset);
        }
        if let Some(&offset) = self.offsets.borrow().get(&hour) {
            self.last_hour.set((hour, offset));
            return Ok(local_ms - offset);
        }
        let single_offset = |ms: i64| match DateTime::from_timestamp_millis(ms)
            .map(|t| self.tz.from_local_datetime(&t.naive_utc()))
        {
            Some(chrono::LocalResult::Single(t)) => Some(ms - t.timestamp_millis()),
            _ => None,
        };
        let first = hour * 3_600_000;
        if let Some(offset) = single_offset(first)
            && single_offset(first + 3_599_999) == Some(offset)
        {
            self.offsets.borrow_mut().insert(hour, offset);
            self.last_hour.set((hour, offset));
            return Ok(local_ms - offset);
        }
        let naive = match naive {
            Some(naive) => naive,
            None => DateTime::from_timestamp_millis(local_ms)
                .ok_or_else(|| format!("timestamp `{value}` is out of range"))?
                .naive_utc(),
        };
        match self.tz.from_local_datetime(&naive) {
            chrono::LocalResult::Single(t) => Ok(t.timestamp_millis()),
            // A repeated hour when clocks go back: the first occurrence.
            chrono::LocalResult::Ambiguous(first, _) => Ok(first.timestamp_millis()),
            chrono::LocalResult::None => Err(format!(
                "timestamp `{value}` does not exist in time zone {} (clocks went forward)",
                self.tz
            )),
        }
    }
}

/// A value of the exact shape `YYYY-MM-DDTHH:MM:SS`, with one of
/// `separators` (`T`, a space) between date and time, as local milliseconds
/// since 1970-01-01T00:00:00 (the local date-time read as if it were UTC);
/// `None` for any other shape or an invalid date or time (the caller then
/// asks chrono, for the same result or the message). `last_date` is the
/// date part last read and its first millisecond: the cells of a table, in
/// time order and several to a row, mostly share their date, which is then
/// compared, not parsed again.
fn iso_seconds(value: &str, separators: &[u8], last_date: &DateMemory) -> Option<i64> {
    let b = value.as_bytes();
    if b.len() != 19 || !separators.contains(&b[10]) || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (date, time) = b.split_at(10);
    let (last, last_ms) = last_date.get();
    let day_ms = if date == last {
        last_ms
    } else {
        let day_ms = iso_date_ms(date)?;
        last_date.set((date.try_into().ok()?, day_ms));
        day_ms
    };
    let (hour, minute, second) = (
        two_digits(time, 1)?,
        two_digits(time, 4)?,
        two_digits(time, 7)?,
    );
    (hour < 24 && minute < 60 && second < 60)
        .then(|| day_ms + i64::from(hour * 3600 + minute * 60 + second) * 1000)
}

/// The first local millisecond of a `YYYY-MM-DD` date (ten bytes), `None`
/// for another shape or a date that does not exist.
fn iso_date_ms(b: &[u8]) -> Option<i64> {
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = two_digits(b, 0)? * 100 + two_digits(b, 2)?;
    let date = NaiveDate::from_ymd_opt(year as i32, two_digits(b, 5)?, two_digits(b, 8)?)?;
    Some(i64::from(days_from_date(date)) * 86_400_000)
}

/// The number written by the two ASCII digits at `at`, `None` when either
/// is not a digit.
#[inline]
fn two_digits(b: &[u8], at: usize) -> Option<u32> {
    let (tens, ones) = (b[at].wrapping_sub(b'0'), b[at + 1].wrapping_sub(b'0'));
    (tens < 10 && ones < 10).then(|| u32::from(tens) * 10 + u32::from(ones))
}

/// A `timestamp_format` whose seconds (`%S`, `%T`) also take an optional
/// fraction (`.9`, `.250`, `.123456`), unless the format places fractions
/// itself: exports add milliseconds to a declared `%H:%M:%S`.
fn with_optional_fraction(format: &str) -> Cow<'_, str> {
    const FRACTIONS: [&str; 8] = ["%f", "%.f", "%3f", "%6f", "%9f", "%.3f", "%.6f", "%.9f"];
    if FRACTIONS.iter().any(|f| format.contains(f)) {
        return Cow::Borrowed(format);
    }
    Cow::Owned(format.replace("%S", "%S%.f").replace("%T", "%T%.f"))
}

fn parse_month(value: &str) -> Option<NaiveDate> {
    let date = NaiveDate::parse_from_str(&format!("{value}-01"), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%Y-%m-%d"))
        .ok()?;
    date.with_day(1)
}

#[cfg(test)]
mod tests {
    use super::{Cell, CellParser, ColumnType, DecimalMark, iso_seconds};
    use proptest::prelude::*;

    fn parser(timestamp_format: &str) -> CellParser {
        let format = Some(timestamp_format.to_string());
        CellParser::new(
            DecimalMark::Point,
            chrono_tz::UTC,
            format,
            "%Y-%m-%d".into(),
        )
    }

    /// A cell typed into its place is the cell `parse` returns; a value
    /// that is not of the column's type leaves the place as it was.
    #[test]
    fn a_cell_typed_into_its_place_is_the_parsed_cell_and_an_error_leaves_it() {
        let p = parser("%Y-%m-%dT%H:%M:%S");
        let column = |t, nullable| crate::evidence::csv_table::tests::col("c", t, nullable).schema;
        let typed = |t, nullable, value| {
            let mut out = Cell::Int(7);
            let result = p.parse_trimmed_into(&column(t, nullable), value, &mut out);
            (result, out)
        };
        assert!(matches!(
            typed(ColumnType::Integer, false, "42"),
            (Ok(()), Cell::Int(42))
        ));
        assert!(
            matches!(typed(ColumnType::Float, false, "2.5"), (Ok(()), Cell::Float(x)) if x == 2.5)
        );
        assert!(matches!(
            typed(ColumnType::Bool, false, "yes"),
            (Ok(()), Cell::Bool(true))
        ));
        assert!(matches!(
            typed(ColumnType::String, false, "a"),
            (Ok(()), Cell::Str)
        ));
        assert!(matches!(
            typed(ColumnType::Integer, true, ""),
            (Ok(()), Cell::Null)
        ));
        assert!(matches!(
            typed(ColumnType::Timestamp, false, "2026-01-02T03:04:05"),
            (Ok(()), Cell::Ts(1_767_323_045_000))
        ));
        assert!(matches!(
            typed(ColumnType::Date, false, "1970-01-11"),
            (Ok(()), Cell::Date(10))
        ));
        for (t, value) in [
            (ColumnType::Integer, "4.5"),
            (ColumnType::Float, "x"),
            (ColumnType::Bool, "maybe"),
            (ColumnType::Timestamp, "noon"),
            (ColumnType::Date, "11/01/1970"),
            (ColumnType::Integer, ""),
        ] {
            let (result, out) = typed(t, false, value);
            assert!(result.is_err(), "{value}");
            assert!(matches!(out, Cell::Int(7)), "{value}");
        }
    }

    /// Every spelling of a yes or no, in any case, and nothing else.
    #[test]
    fn booleans_read_every_spelling_of_yes_and_no() {
        let flag = crate::evidence::csv_table::tests::col("flag", ColumnType::Bool, false).schema;
        let p = parser("%Y-%m-%dT%H:%M:%S");
        for (raw, expected) in [
            ("true", true),
            ("false", false),
            (" TRUE ", true),
            ("False", false),
            ("t", true),
            ("F", false),
            ("Yes", true),
            ("no", false),
            ("y", true),
            ("N", false),
            ("1", true),
            ("0", false),
        ] {
            assert!(
                matches!(p.parse(&flag, raw), Ok(Cell::Bool(v)) if v == expected),
                "{raw:?}"
            );
        }
        for raw in ["maybe", "truee", "2", "-"] {
            let e = p.parse(&flag, raw).err().unwrap_or_default();
            assert!(e.contains("true/false, yes/no or 1/0"), "{raw:?}: {e}");
        }
    }

    /// A declared ISO format is read digit by digit with its own separator
    /// (it was once taken from the wrong byte of the pattern, so every cell
    /// went through chrono's format parser); any other format is not.
    #[test]
    fn declared_iso_formats_are_read_digit_by_digit_with_their_separator() {
        assert_eq!(parser("%Y-%m-%dT%H:%M:%S").iso_separator, Some(b'T'));
        assert_eq!(parser("%Y-%m-%d %H:%M:%S").iso_separator, Some(b' '));
        assert_eq!(parser("%Y-%m-%dT%H:%M:%S%.f").iso_separator, Some(b'T'));
        assert_eq!(parser("%d/%m/%Y %H:%M:%S").iso_separator, None);
        assert_eq!(parser("%Y-%m-%dT%H:%M").iso_separator, None);
    }

    /// What chrono reads from a value with the two ISO patterns.
    fn chrono_iso(value: &str) -> Option<chrono::NaiveDateTime> {
        ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
            .iter()
            .find_map(|f| chrono::NaiveDateTime::parse_from_str(value, f).ok())
    }

    /// A fresh memory of the last date read, as a parser starts with.
    fn fresh_date_memory() -> super::DateMemory {
        parser("%Y-%m-%dT%H:%M:%S").last_date
    }

    /// A remembered date is taken only for the same ten bytes: the time
    /// after it is still checked, and another date is read afresh.
    #[test]
    fn a_remembered_date_still_checks_the_time_and_is_replaced_by_the_next() {
        let last = fresh_date_memory();
        let ms = |v: &str| iso_seconds(v, b"T ", &last);
        assert_eq!(ms("2026-03-01T00:00:01"), Some(1_772_323_201_000));
        assert_eq!(ms("2026-03-01T1x:00:00"), None);
        assert_eq!(ms("2026-03-01T24:00:00"), None);
        assert_eq!(ms("2026-03-0xT00:00:00"), None);
        assert_eq!(ms("2026-03-01 00:00:02"), Some(1_772_323_202_000));
        assert_eq!(ms("2026-02-29T00:00:00"), None);
        assert_eq!(ms("2024-02-29T12:00:00"), Some(1_709_208_000_000));
        assert_eq!(ms("\0\0\0\0\0\0\0\0\0\0T00:00:00"), None);
        assert_eq!(ms("1970-01-01T00:00:00"), Some(0));
    }

    /// A leap second just before the clocks go forward is the instant it
    /// names, not an error about the skipped hour its milliseconds fall in.
    #[test]
    fn a_leap_second_before_a_skipped_hour_is_read() {
        let ts = crate::evidence::csv_table::tests::col("t", ColumnType::Timestamp, false).schema;
        let p = CellParser::new(
            DecimalMark::Point,
            chrono_tz::Europe::Berlin,
            None,
            "%Y-%m-%d".into(),
        );
        let expected = chrono::DateTime::parse_from_rfc3339("2026-03-29T01:00:00Z")
            .map(|t| t.timestamp_millis())
            .ok();
        let got = p.parse(&ts, "2026-03-29 01:59:60");
        assert!(
            matches!(got, Ok(Cell::Ts(ms)) if Some(ms) == expected),
            "{:?}",
            got.err()
        );
        // The second before it, read directly, is one second earlier.
        let before = p.parse(&ts, "2026-03-29 01:59:59");
        assert!(matches!(before, Ok(Cell::Ts(ms)) if Some(ms + 1000) == expected));
    }

    /// The milliseconds chrono reads from a value with the two ISO patterns.
    fn chrono_iso_ms(value: &str) -> Option<i64> {
        chrono_iso(value).map(|t| t.and_utc().timestamp_millis())
    }

    proptest! {
        /// Where `iso_seconds` reads a value, chrono reads the same date-time
        /// (and it leaves the rest, leap seconds among them, to chrono):
        /// digits anywhere, out-of-range months, days, hours and seconds;
        /// values read in turn, two dates among them, as a table's cells are
        /// (so the remembered date is both taken and replaced).
        #[test]
        fn iso_seconds_reads_what_chrono_reads(
            dates in [(0u32..10_000, 0u32..14, 0u32..33), (0u32..10_000, 0u32..14, 0u32..33)],
            times in proptest::collection::vec(
                (0usize..2, 0u32..26, 0u32..62, 0u32..62, any::<bool>()), 1..8),
        ) {
            let last = fresh_date_memory();
            for (which, h, mi, s, space) in times {
                let (y, mo, d) = dates[which];
                let sep = if space { ' ' } else { 'T' };
                let value = format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}");
                if let Some(t) = iso_seconds(&value, b"T ", &last) {
                    prop_assert_eq!(Some(t), chrono_iso_ms(&value), "{}", value);
                } else {
                    prop_assert!(s >= 60 || chrono_iso(&value).is_none(), "{}", value);
                }
            }
        }

    }
}

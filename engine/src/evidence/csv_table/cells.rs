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
    pub(super) decimal: DecimalMark,
    pub(super) tz: Tz,
    pub(super) timestamp_format: Option<String>,
    pub(super) date_format: String,
}

impl CellParser {
    pub(super) fn parse(&self, schema: &ColumnSchema, raw: &str) -> Result<Cell, String> {
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
            ColumnType::Integer => match self.number(value).map(|v| v.parse::<i64>()) {
                Some(Ok(v)) => Ok(Cell::Int(v)),
                _ => Err(bad(self.number_hint(ColumnType::Integer))),
            },
            ColumnType::Float => match self.number(value).map(|v| v.parse::<f64>()) {
                Some(Ok(v)) if v.is_finite() => Ok(Cell::Float(v)),
                _ => Err(bad(self.number_hint(ColumnType::Float))),
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
        let naive = match &self.timestamp_format {
            Some(declared) => {
                let format = with_optional_fraction(declared);
                if let Ok(dt) = DateTime::parse_from_str(value, &format) {
                    return Ok(dt.timestamp_millis());
                }
                NaiveDateTime::parse_from_str(value, &format).map_err(|_| {
                    format!("expected timestamp in format `{declared}`, found `{value}`")
                })?
            }
            None => {
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

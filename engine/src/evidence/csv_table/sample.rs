//! Samples of a table file for `cxaudit evidence init`: the header and the
//! first rows as text (read by the same readers as a run), and a probe that
//! types one cell exactly as a run would ([`CellProbe`]).

use super::*;

/// The header and first rows of a table file, each cell as text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableSample {
    /// The header row.
    pub headers: Vec<String>,
    /// Up to the requested number of data rows, each as long as the header
    /// (short rows padded with empty cells).
    pub rows: Vec<Vec<String>>,
}

/// Reads the header and up to `limit` data rows of a table file (CSV with
/// `formats`, an Excel worksheet, or a Parquet file: header only, its
/// cells are typed by the file itself), checked as [`read_table`] checks
/// the header.
pub fn sample_table(
    path: &Path,
    shown: &str,
    format: &TableFormat,
    formats: &Formats,
    limit: usize,
) -> Result<TableSample, EvidenceError> {
    let shown_path = Path::new(shown);
    let (headers, rows) = match format {
        TableFormat::Csv => {
            let delimiter = delimiter_byte(formats, shown_path)?;
            let input = input::read_input(path, shown_path, formats.encoding.unwrap_or_default())?;
            let mut reader = csv_reader(delimiter, &input);
            let (headers, _) = read_header(&mut reader, &input, shown_path, delimiter)?;
            let mut rows = Vec::new();
            for record in reader.records().take(limit) {
                let record = record.map_err(|e| {
                    EvidenceError::new(Location::file(shown_path), format!("cannot read: {e}"))
                })?;
                rows.push(record.iter().map(str::to_owned).collect::<Vec<_>>());
            }
            (headers, rows)
        }
        TableFormat::Excel { sheet } => excel::sample(path, shown_path, sheet.as_deref(), limit)?,
        TableFormat::Parquet => (parquet_file::header(path, shown_path)?, Vec::new()),
    };
    let width = headers.len();
    let rows = rows
        .into_iter()
        .map(|mut r| {
            r.resize(width, String::new());
            r
        })
        .collect();
    Ok(TableSample { headers, rows })
}

/// Types single cells as a run types them, with a table's formats (decimal
/// mark, time zone, timestamp and date formats).
pub struct CellProbe {
    parser: CellParser,
}

impl CellProbe {
    /// A probe for `formats`; an unknown time zone is an error.
    pub fn new(formats: &Formats) -> Result<Self, EvidenceError> {
        let (parser, _) = rows::cell_parser(formats, Path::new("evidence.toml"))?;
        Ok(CellProbe { parser })
    }

    /// Whether `raw` is a valid non-empty value of `column` (its type and,
    /// for a closed set, its allowed values); an empty cell is `false`.
    pub fn accepts(&self, column: &ColumnSchema, raw: &str) -> bool {
        !raw.trim().is_empty() && self.parser.parse(column, raw).is_ok()
    }

    /// The day of a date, month or timestamp cell (a timestamp's UTC day;
    /// the table's time zone when the cell has no offset reads it as
    /// written), `None` when it does not parse.
    pub fn day(&self, column: &ColumnSchema, raw: &str) -> Option<NaiveDate> {
        match self.parser.parse(column, raw).ok()? {
            Cell::Date(days) => cxaudit_plugin_sdk::table::date_from_days(days),
            Cell::Ts(ms) => DateTime::from_timestamp_millis(ms).map(|t| t.date_naive()),
            _ => None,
        }
    }
}

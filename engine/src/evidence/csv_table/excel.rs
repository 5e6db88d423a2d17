//! Excel workbooks (`.xlsx`, `.xlsm`), read with calamine: one worksheet,
//! its first non-empty row the header, every later row a record typed by
//! [`TypedRows`] as a CSV row is. Places are named as the spreadsheet shows
//! them: sheet, row (1-based, the header row included) and column letter.

use calamine::{Data, Range, Reader, Xlsx};

use super::*;
use crate::evidence::paths::special_file;
use crate::source::Grid;

/// Opens the workbook at `path` and reads the worksheet `sheet` (`None`:
/// the workbook's only sheet); the sheet's name and cells.
fn open_sheet(
    path: &Path,
    shown: &Path,
    sheet: Option<&str>,
) -> Result<(String, Range<Data>), EvidenceError> {
    let at_file = || Location::file(shown);
    if let Some(kind) = special_file(path) {
        return Err(EvidenceError::new(
            at_file(),
            format!("the file is a {kind}, not a regular file: it is not read"),
        ));
    }
    let mut workbook: Xlsx<_> = calamine::open_workbook(path).map_err(|e| {
        EvidenceError::new(
            at_file(),
            format!("cannot read it as an Excel workbook (.xlsx): {e}"),
        )
    })?;
    let names = workbook.sheet_names();
    let listed = || {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let name = match sheet {
        Some(wanted) if names.iter().any(|n| n == wanted) => wanted.to_owned(),
        Some(wanted) => {
            return Err(EvidenceError::new(
                at_file().key("sheet"),
                format!(
                    "the workbook has no sheet `{wanted}`; its sheets are {} (set `sheet` in \
                     evidence.toml to one of them)",
                    listed()
                ),
            ));
        }
        None => match &names[..] {
            [only] => only.clone(),
            _ => {
                return Err(EvidenceError::new(
                    at_file().key("sheet"),
                    format!(
                        "the workbook has {} sheets ({}): name the one to read with `sheet` in \
                         evidence.toml",
                        names.len(),
                        listed()
                    ),
                ));
            }
        },
    };
    let range = workbook.worksheet_range(&name).map_err(|e| {
        EvidenceError::new(
            at_file().key("sheet"),
            format!("cannot read sheet `{name}`: {e}"),
        )
    })?;
    Ok((name, range))
}

/// One cell of a sheet as a raw cell.
fn raw(cell: &Data) -> RawCell<'_> {
    match cell {
        Data::Empty => RawCell::Empty,
        Data::String(s) | Data::DateTimeIso(s) => RawCell::Text(s),
        Data::Int(i) => RawCell::Int(*i),
        Data::Float(x) => RawCell::Float(*x),
        Data::Bool(b) => RawCell::Bool(*b),
        Data::DateTime(dt) if dt.is_duration() => {
            RawCell::Invalid("a duration (a time span, not a date or number)")
        }
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d))
                .and_then(|date| {
                    date.and_hms_milli_opt(u32::from(h), u32::from(mi), u32::from(s), u32::from(ms))
                })
                .map_or(
                    RawCell::Invalid("a date that does not exist (1900-02-29)"),
                    RawCell::Local,
                )
        }
        Data::DurationIso(_) => RawCell::Invalid("a duration (a time span, not a date or number)"),
        Data::Error(e) => RawCell::Invalid(error_text(e)),
    }
}

/// A spreadsheet error value, as the spreadsheet shows it.
fn error_text(e: &calamine::CellErrorType) -> &'static str {
    use calamine::CellErrorType as E;
    match e {
        E::Div0 => "the spreadsheet error #DIV/0!",
        E::NA => "the spreadsheet error #N/A",
        E::Name => "the spreadsheet error #NAME?",
        E::Null => "the spreadsheet error #NULL!",
        E::Num => "the spreadsheet error #NUM!",
        E::Ref => "the spreadsheet error #REF!",
        E::Value => "the spreadsheet error #VALUE!",
        E::GettingData => "the spreadsheet error #DATA!",
    }
}

/// Whether every cell of a row is empty (a blank row, skipped as a blank
/// line of a CSV file is).
fn blank(row: &[Data]) -> bool {
    row.iter().all(|c| match c {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    })
}

/// The header of a sheet: the text of each cell of its first non-empty
/// row, and that row's index in the range.
fn header_row(range: &Range<Data>) -> (Vec<String>, usize) {
    let mut text = String::new();
    for (i, row) in range.rows().enumerate() {
        if blank(row) {
            continue;
        }
        let headers = row
            .iter()
            .map(|c| {
                raw(c).render(&mut text);
                text.trim().to_owned()
            })
            .collect();
        return (headers, i);
    }
    (Vec::new(), 0)
}

/// The place of a sheet whose used range starts at `start` (0-based row
/// and column).
fn place(shown: &Path, sheet: &str, start: (u32, u32)) -> Place {
    Place {
        shown: shown.to_path_buf(),
        grid: Some(Box::new(Grid::Sheet(sheet.to_owned()))),
        column_offset: start.1 as usize,
    }
}

/// The header row of a worksheet (see [`read_table_header`]), with the
/// sheet's name.
pub(super) fn header(
    path: &Path,
    shown: &Path,
    sheet: Option<&str>,
) -> Result<(String, Vec<String>), EvidenceError> {
    let (name, range) = open_sheet(path, shown, sheet)?;
    Ok((name, header_row(&range).0))
}

/// Reads the wanted columns of a worksheet (see [`read_table`]).
pub(super) fn read(
    path: &Path,
    sheet: Option<&str>,
    wanted: &[WantedColumn],
    options: &TableReadOptions,
) -> Result<ParsedTable, EvidenceError> {
    let shown = Path::new(&options.shown_path);
    rows::cell_parser(&options.formats, shown)?;
    let (name, range) = open_sheet(path, shown, sheet)?;
    let start = range.start().unwrap_or((0, 0));
    let (headers, header_index) = header_row(&range);
    // Rows as the spreadsheet numbers them: 1-based, from the sheet's top.
    let row_number = |i: usize| start.0 as usize + i + 1;
    let mut typed = TypedRows::new(
        place(shown, &name, start),
        &headers,
        Some(row_number(header_index)),
        wanted,
        options,
        &BatchRoom::default(),
    )?;
    let indices: Vec<usize> = typed.slots().iter().map(|s| s.index).collect();
    let mut cells: Vec<RawCell<'_>> = Vec::with_capacity(indices.len());
    for (i, row) in range.rows().enumerate().skip(header_index + 1) {
        if blank(row) {
            continue;
        }
        cells.clear();
        cells.extend(
            indices
                .iter()
                .map(|&c| row.get(c).map_or(RawCell::Empty, raw)),
        );
        typed.push(row_number(i), |c| cells[c])?;
    }
    let mut parsed = typed.finish()?;
    parsed.sheet = Some(name);
    Ok(parsed)
}

/// The header and up to `limit` non-blank rows of a worksheet as text (see
/// [`super::sample_table`]).
pub(super) fn sample(
    path: &Path,
    shown: &Path,
    sheet: Option<&str>,
    limit: usize,
) -> Result<(Vec<String>, Vec<Vec<String>>), EvidenceError> {
    let (_, range) = open_sheet(path, shown, sheet)?;
    let (headers, header_index) = header_row(&range);
    let mut text = String::new();
    let rows = range
        .rows()
        .skip(header_index + 1)
        .filter(|row| !blank(row))
        .take(limit)
        .map(|row| {
            row.iter()
                .map(|c| {
                    raw(c).render(&mut text);
                    text.clone()
                })
                .collect()
        })
        .collect();
    Ok((headers, rows))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{col, options, write};
    use super::*;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

    /// A workbook at a temporary path with the sheets `fill` writes.
    fn workbook(fill: impl FnOnce(&mut Workbook)) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.xlsx");
        let mut book = Workbook::new();
        fill(&mut book);
        book.save(&path).unwrap();
        (dir, path)
    }

    fn sheet<'a>(book: &'a mut Workbook, name: &str) -> &'a mut Worksheet {
        let s = book.add_worksheet();
        s.set_name(name).unwrap();
        s
    }

    fn excel_options(sheet: Option<&str>, on_error: OnError) -> TableReadOptions {
        let mut o = options(Formats::default(), on_error);
        o.shown_path = "data/t.xlsx".into();
        o.format = TableFormat::Excel {
            sheet: sheet.map(str::to_owned),
        };
        o
    }

    fn wanted() -> [WantedColumn; 6] {
        [
            col("id", ColumnType::String, false),
            col("talk", ColumnType::Float, true),
            col("n", ColumnType::Integer, false),
            col("at", ColumnType::Timestamp, false),
            col("day", ColumnType::Date, false),
            col("flag", ColumnType::Bool, false),
        ]
    }

    #[test]
    fn native_cells_give_the_values_of_the_same_csv_text() {
        let csv = write(
            "id,talk,n,at,day,flag\n\
             1001,1.5,7,2026-03-29T02:30:00,2026-01-05,true\n\
             b,,12,2026-07-31T09:00:00.250,2026-02-28,false\n",
        );
        let formats = Formats {
            time_zone: Some("Europe/Lisbon".into()),
            ..Formats::default()
        };
        let mut csv_options = options(formats.clone(), OnError::Fail);
        csv_options.shown_path = "data/t.csv".into();

        let (_dir, path) = workbook(|book| {
            let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss.000");
            let date = Format::new().set_num_format("yyyy-mm-dd");
            let s = sheet(book, "Calls");
            for (c, h) in ["id", "talk", "n", "at", "day", "flag"].iter().enumerate() {
                s.write_string(0, c as u16, *h).unwrap();
            }
            // Row 2: a number into a string column, an integral number
            // into an integer column, a text timestamp (in the skipped
            // hour: the same error or value as CSV), a date cell.
            s.write_number(1, 0, 1001.0).unwrap();
            s.write_number(1, 1, 1.5).unwrap();
            s.write_number(1, 2, 7.0).unwrap();
            s.write_string(1, 3, "2026-03-29T02:30:00").unwrap();
            let d = ExcelDateTime::from_ymd(2026, 1, 5).unwrap();
            s.write_datetime_with_format(1, 4, &d, &date).unwrap();
            s.write_boolean(1, 5, true).unwrap();
            // Row 3: an empty cell, a date-time cell with milliseconds.
            s.write_string(2, 0, "b").unwrap();
            s.write_number(2, 2, 12.0).unwrap();
            let t = ExcelDateTime::from_ymd(2026, 7, 31)
                .unwrap()
                .and_hms_milli(9, 0, 0, 250)
                .unwrap();
            s.write_datetime_with_format(2, 3, &t, &datetime).unwrap();
            s.write_string(2, 4, "2026-02-28").unwrap();
            s.write_boolean(2, 5, false).unwrap();
        });
        let mut xlsx_options = excel_options(Some("Calls"), OnError::Fail);
        xlsx_options.formats = formats;
        let from_csv = read_table(csv.path(), &wanted(), &csv_options).unwrap();
        let from_xlsx = read_table(&path, &wanted(), &xlsx_options).unwrap();
        assert_eq!(from_xlsx.rows, 2);
        assert_eq!(from_xlsx.schema, from_csv.schema);
        assert_eq!(from_xlsx.batches, from_csv.batches);
        assert_eq!(from_xlsx.sheet.as_deref(), Some("Calls"));
    }

    #[test]
    fn a_bad_cell_names_the_sheet_row_and_column_letter() {
        let (_dir, path) = workbook(|book| {
            sheet(book, "Notes").write_string(0, 0, "x").unwrap();
            let s = sheet(book, "Calls");
            // The header starts at B2: the used range is offset.
            for (c, h) in ["id", "talk", "n", "at", "day", "flag"].iter().enumerate() {
                s.write_string(1, 1 + c as u16, *h).unwrap();
            }
            for (r, n) in [(2u32, "5"), (3, "abc")] {
                s.write_string(r, 1, "a").unwrap();
                s.write_string(r, 3, n).unwrap();
                s.write_string(r, 4, "2026-01-05T08:00:00").unwrap();
                s.write_string(r, 5, "2026-01-05").unwrap();
                s.write_string(r, 6, "yes").unwrap();
            }
        });
        let e = read_table(
            &path,
            &wanted(),
            &excel_options(Some("Calls"), OnError::Fail),
        )
        .unwrap_err();
        assert_eq!(e.location.grid, Some(Box::new(Grid::Sheet("Calls".into()))));
        assert_eq!((e.location.line, e.location.column), (Some(4), Some(4)));
        assert_eq!(
            e.to_string(),
            "data/t.xlsx, sheet `Calls`, row 4, column D: `n`: expected integer, found `abc`"
        );
        // Skipped and counted, named the same way.
        let t = read_table(
            &path,
            &wanted(),
            &excel_options(Some("Calls"), OnError::Skip),
        )
        .unwrap();
        assert_eq!((t.rows, t.skipped_rows), (1, 1));
        assert_eq!(
            t.skipped_examples,
            ["data/t.xlsx, sheet `Calls`, row 4, column D: `n`: expected integer, found `abc`"]
        );
    }

    #[test]
    fn a_fraction_in_an_integer_column_is_a_bad_cell() {
        let (_dir, path) = workbook(|book| {
            let s = sheet(book, "Calls");
            s.write_string(0, 0, "n").unwrap();
            s.write_number(1, 0, 2.5).unwrap();
            s.write_number(2, 0, 3.0).unwrap();
        });
        let n = [col("n", ColumnType::Integer, false)];
        let t = read_table(&path, &n, &excel_options(None, OnError::Skip)).unwrap();
        assert_eq!((t.rows, t.skipped_rows), (1, 1), "{:?}", t.skipped_examples);
        assert_eq!(
            t.skipped_examples[0],
            "data/t.xlsx, sheet `Calls`, row 2, column A: `n`: expected integer, found `2.5`"
        );
    }

    #[test]
    fn a_missing_sheet_names_the_sheets_present() {
        let (_dir, path) = workbook(|book| {
            sheet(book, "Contacts").write_string(0, 0, "id").unwrap();
            sheet(book, "Agents").write_string(0, 0, "id").unwrap();
        });
        let id = [col("id", ColumnType::String, false)];
        let e = read_table(&path, &id, &excel_options(Some("Calls"), OnError::Fail)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "data/t.xlsx: `sheet`: the workbook has no sheet `Calls`; its sheets are `Contacts`, \
             `Agents` (set `sheet` in evidence.toml to one of them)"
        );
        // Without `sheet`, two sheets are ambiguous.
        let e = read_table(&path, &id, &excel_options(None, OnError::Fail)).unwrap_err();
        assert!(
            e.message.contains("has 2 sheets (`Contacts`, `Agents`)"),
            "{e}"
        );
        // The header is read the same way.
        let h = read_table_header(
            &path,
            "data/t.xlsx",
            &TableFormat::Excel {
                sheet: Some("Agents".into()),
            },
            &Formats::default(),
        )
        .unwrap();
        assert_eq!(h, ["id"]);
    }

    #[test]
    fn a_file_that_is_not_a_workbook_is_an_error_naming_it() {
        let f = write("id\n1\n");
        let e = read_table(
            f.path(),
            &[col("id", ColumnType::String, false)],
            &excel_options(None, OnError::Fail),
        )
        .unwrap_err();
        assert_eq!(e.location.file, Path::new("data/t.xlsx"));
        assert!(
            e.message.contains("cannot read it as an Excel workbook"),
            "{e}"
        );
    }
}

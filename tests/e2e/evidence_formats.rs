//! End-to-end tests of Excel and Parquet evidence: a synthetic centre's CSV
//! tables converted into workbooks (named sheets) and Parquet files with
//! native types give the same assessment as the CSV, apart from the
//! evidence inventory; bad cells, wrong column types and missing sheets are
//! named with file, sheet, row and column.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
    TimestampMillisecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use cxaudit::pack::EvidenceSchema;
use cxaudit_plugin_sdk::ColumnType;
use cxaudit_tests::*;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;

/// The shipped pack's evidence schema: the type of each table's columns.
fn cx_ops_schema() -> EvidenceSchema {
    let file = root().join("standards/cx-ops/evidence-schema.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    cxaudit::pack::parse_schema(&file, &text).unwrap()
}

/// A CSV table: its header and rows of text.
struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn read_csv(path: &Path) -> Csv {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    Csv { header, rows }
}

/// The canonical type of a column of `table` (`None` for a column the
/// schema does not declare, written as text).
fn column_type(schema: &EvidenceSchema, table: &str, column: &str) -> Option<ColumnType> {
    schema.tables[table]
        .columns
        .iter()
        .find(|c| c.matches(column))
        .map(|c| c.column_type)
}

/// A timestamp cell of the synthetic exports (`%Y-%m-%dT%H:%M:%S`, local).
fn timestamp(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .unwrap_or_else(|e| panic!("timestamp `{text}`: {e}"))
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_else(|e| panic!("date `{text}`: {e}"))
}

fn boolean(text: &str) -> bool {
    match text {
        "true" => true,
        "false" => false,
        other => panic!("boolean `{other}`"),
    }
}

/// The Excel date-time of a chrono date-time.
fn excel_datetime(t: NaiveDateTime) -> ExcelDateTime {
    ExcelDateTime::from_ymd(t.year() as u16, t.month() as u8, t.day() as u8)
        .and_then(|d| {
            d.and_hms_milli(
                t.hour() as u16,
                t.minute() as u8,
                t.second() as u8,
                (t.nanosecond() / 1_000_000) as u16,
            )
        })
        .unwrap()
}

/// Writes a CSV table as the workbook `path` with its rows on the sheet
/// `sheet` (a second sheet, `Notes`, comes first). Numbers, booleans, dates
/// and timestamps are native cells (timestamps and dates with a date
/// format, as a spreadsheet stores them), except in `as_text` tables, whose
/// cells stay text; empty cells are not written.
fn write_xlsx(
    schema: &EvidenceSchema,
    table: &str,
    csv: &Csv,
    path: &Path,
    sheet: &str,
    as_text: bool,
) {
    let mut book = Workbook::new();
    book.add_worksheet()
        .set_name("Notes")
        .unwrap()
        .write_string(0, 0, "exported for the audit")
        .unwrap();
    let s = book.add_worksheet();
    s.set_name(sheet).unwrap();
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let day = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in csv.header.iter().enumerate() {
        s.write_string(0, c as u16, h).unwrap();
    }
    for (r, row) in csv.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let c16 = c as u16;
            let kind = column_type(schema, table, &csv.header[c]).filter(|_| !as_text);
            match kind {
                Some(ColumnType::Integer | ColumnType::Float) => {
                    s.write_number(r, c16, cell.parse::<f64>().unwrap())
                }
                Some(ColumnType::Bool) => s.write_boolean(r, c16, boolean(cell)),
                Some(ColumnType::Timestamp) => {
                    s.write_datetime_with_format(r, c16, excel_datetime(timestamp(cell)), &datetime)
                }
                Some(ColumnType::Date) => {
                    let d = date(cell);
                    let d =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                            .unwrap();
                    s.write_datetime_with_format(r, c16, d, &day)
                }
                // Months (`2026-01`), strings, undeclared columns: text.
                _ => s.write_string(r, c16, cell),
            }
            .unwrap();
        }
    }
    book.save(path).unwrap();
}

/// Writes a CSV table as a Parquet file with native types: int64, float64,
/// boolean, date32 (months as their first day), timestamps in
/// milliseconds without time zone (local times, as in the CSV), UTF-8;
/// snappy-compressed, in row groups of 4,000 rows.
fn write_parquet(schema: &EvidenceSchema, table: &str, csv: &Csv, path: &Path) {
    let days = |d: NaiveDate| (d - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32;
    let mut columns: Vec<(String, ArrayRef)> = Vec::new();
    for (c, name) in csv.header.iter().enumerate() {
        let cells = csv
            .rows
            .iter()
            .map(|r| Some(&r[c]).filter(|v| !v.is_empty()));
        let array: ArrayRef = match column_type(schema, table, name) {
            Some(ColumnType::Integer) => {
                let mut b = Int64Builder::new();
                cells.for_each(|v| b.append_option(v.map(|v| v.parse::<i64>().unwrap())));
                Arc::new(b.finish())
            }
            Some(ColumnType::Float) => {
                let mut b = Float64Builder::new();
                cells.for_each(|v| b.append_option(v.map(|v| v.parse::<f64>().unwrap())));
                Arc::new(b.finish())
            }
            Some(ColumnType::Bool) => {
                let mut b = BooleanBuilder::new();
                cells.for_each(|v| b.append_option(v.map(|v| boolean(v))));
                Arc::new(b.finish())
            }
            Some(ColumnType::Date) => {
                let mut b = Date32Builder::new();
                cells.for_each(|v| b.append_option(v.map(|v| days(date(v)))));
                Arc::new(b.finish())
            }
            Some(ColumnType::Month) => {
                let mut b = Date32Builder::new();
                cells.for_each(|v| b.append_option(v.map(|v| days(date(&format!("{v}-01"))))));
                Arc::new(b.finish())
            }
            Some(ColumnType::Timestamp) => {
                let mut b = TimestampMillisecondBuilder::new();
                cells.for_each(|v| {
                    b.append_option(v.map(|v| timestamp(v).and_utc().timestamp_millis()))
                });
                Arc::new(b.finish())
            }
            _ => {
                let mut b = StringBuilder::new();
                cells.for_each(|v| b.append_option(v));
                Arc::new(b.finish())
            }
        };
        columns.push((name.clone(), array));
    }
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(4_000))
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(properties)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

/// A copy of the evidence folder `from` whose `evidence.toml` lists each
/// table at the path (and sheet) `entry(table)` gives, after `write(table,
/// csv, folder)` wrote the files.
fn converted(
    from: &Path,
    to: &Path,
    tables: &[String],
    mut write: impl FnMut(&str, &Csv, &Path),
    entry: impl Fn(&str) -> String,
) {
    copy_dir(from, to);
    std::fs::create_dir_all(to.join("exports")).unwrap();
    let manifest = to.join("evidence.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    for table in tables {
        let csv_path = to.join("data").join(format!("{table}.csv"));
        write(table, &read_csv(&csv_path), to);
        std::fs::remove_file(&csv_path).unwrap();
        let line = format!("{table} = {{ path = \"data/{table}.csv\" }}");
        assert!(text.contains(&line), "`{line}` in {text}");
        text = text.replace(&line, &format!("{table} = {{ {} }}", entry(table)));
    }
    std::fs::write(&manifest, text).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The record with what depends on the files' names and bytes taken out:
/// the evidence inventory (`evidence`) and the run (`run`: its digest and
/// the sha256 of `evidence.toml`) removed; each table file's path and
/// sha256, where findings and warnings cite them, replaced by the table's
/// name, and a finding's evidence references (listed by path) sorted again.
fn without_inventory(record: &Value) -> String {
    let mut rest = record.clone();
    let inventory = rest["evidence"].as_array().unwrap().clone();
    let object = rest.as_object_mut().unwrap();
    object.remove("evidence").expect("an evidence inventory");
    object.remove("run").expect("a run digest");
    let replace = |mut text: String| {
        for entry in inventory.iter().filter(|e| e["kind"] == "table") {
            let name = entry["name"].as_str().unwrap();
            text = text.replace(
                entry["path"].as_str().unwrap(),
                &format!("<file of {name}>"),
            );
            if let Some(sha) = entry["sha256"].as_str() {
                text = text.replace(sha, &format!("<sha256 of {name}>"));
            }
        }
        text
    };
    for finding in rest["findings"].as_array_mut().unwrap() {
        let references = finding["evidence"].as_array_mut().unwrap();
        let mut texts: Vec<String> = references.iter().map(|r| replace(r.to_string())).collect();
        texts.sort();
        *references = texts
            .iter()
            .map(|t| serde_json::from_str(t).unwrap())
            .collect();
    }
    replace(serde_json::to_string_pretty(&rest).unwrap())
}

/// The inventory's table lines without path, sha256 and sheet (rows,
/// records, skipped rows by reason, days missing, status...).
fn table_accounting(record: &Value) -> Vec<Value> {
    record["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "table")
        .map(|e| {
            let mut e = e.clone();
            for key in ["path", "sha256", "sheet", "messages"] {
                e.as_object_mut().unwrap().remove(key);
            }
            e
        })
        .collect()
}

#[test]
fn a_centre_assessed_from_csv_xlsx_and_parquet_gives_the_same_assessment() {
    let dir = tempfile::tempdir().unwrap();
    let csv_dir = dir.path().join("csv");
    synth(&csv_dir, "baseline", &["--contacts", "3000", "--seed", "7"]);
    let schema = cx_ops_schema();
    let mut tables: Vec<String> = std::fs::read_dir(csv_dir.join("data"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".csv").map(str::to_owned)
        })
        .collect();
    tables.sort();
    assert!(tables.len() >= 10, "{tables:?}");

    // (a) One workbook per table, the rows on a named sheet; `changes`
    // keeps its cells as text (timestamps parsed as CSV text is).
    let xlsx_dir = dir.path().join("xlsx");
    converted(
        &csv_dir,
        &xlsx_dir,
        &tables,
        |table, csv, folder| {
            let path = folder.join("exports").join(format!("{table}.xlsx"));
            let sheet = format!("Export {table}");
            write_xlsx(&schema, table, csv, &path, &sheet, table == "changes");
        },
        |table| format!("path = \"exports/{table}.xlsx\", sheet = \"Export {table}\""),
    );
    // (b) One Parquet file per table.
    let parquet_dir = dir.path().join("parquet");
    converted(
        &csv_dir,
        &parquet_dir,
        &tables,
        |table, csv, folder| {
            write_parquet(
                &schema,
                table,
                csv,
                &folder.join("exports").join(format!("{table}.parquet")),
            );
        },
        |table| format!("path = \"exports/{table}.parquet\""),
    );

    let pack = Path::new("cx-ops");
    let from_csv = assess_record(pack, &csv_dir, &dir.path().join("out-csv"));
    let from_xlsx = assess_record(pack, &xlsx_dir, &dir.path().join("out-xlsx"));
    let from_parquet = assess_record(pack, &parquet_dir, &dir.path().join("out-parquet"));

    // Every table was read from its file, none failed.
    for (record, extension) in [
        (&from_csv, "csv"),
        (&from_xlsx, "xlsx"),
        (&from_parquet, "parquet"),
    ] {
        let inventory = record["evidence"].as_array().unwrap();
        for table in &tables {
            let entry = inventory
                .iter()
                .find(|e| e["kind"] == "table" && e["name"] == table.as_str())
                .unwrap_or_else(|| panic!("{table} in the {extension} inventory"));
            assert_eq!(entry["status"], "loaded", "{extension}: {entry}");
            assert!(
                entry["path"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!(".{extension}")),
                "{entry}"
            );
            assert_eq!(entry["sha256"].as_str().map(str::len), Some(64), "{entry}");
            let sheet = (extension == "xlsx").then(|| format!("Export {table}"));
            assert_eq!(entry["sheet"].as_str(), sheet.as_deref(), "{entry}");
        }
    }
    let contacts = from_csv["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "contacts")
        .unwrap();
    assert!(contacts["rows"].as_u64().unwrap() >= 3000, "{contacts}");

    // The same rows counted the same way, and the same assessment.
    assert_eq!(table_accounting(&from_xlsx), table_accounting(&from_csv));
    assert_eq!(table_accounting(&from_parquet), table_accounting(&from_csv));
    let expected = without_inventory(&from_csv);
    for (record, format) in [(&from_xlsx, "xlsx"), (&from_parquet, "parquet")] {
        let found = without_inventory(record);
        assert!(
            found == expected,
            "the {format} assessment differs from the csv one: {}",
            first_difference(&expected, &found)
        );
    }
}

/// The first lines where two texts differ, with the lines before them.
fn first_difference(expected: &str, found: &str) -> String {
    let (e, f): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), found.lines().collect());
    let at = e
        .iter()
        .zip(&f)
        .position(|(a, b)| a != b)
        .unwrap_or(e.len().min(f.len()));
    let from = at.saturating_sub(12);
    format!(
        "line {}:\n--- csv\n{}\n--- other\n{}",
        at + 1,
        e[from..(at + 3).min(e.len())].join("\n"),
        f[from..(at + 3).min(f.len())].join("\n")
    )
}

const PLUGINS: &[&str] = &["cxaudit_testplugin_threshold"];

/// A copy of the `evidence-basic` fixture whose `calls` table is the file
/// `file` that `write` makes from `calls.csv`, listed with `keys`.
fn basic_with_calls(
    dir: &Path,
    file: &str,
    keys: &str,
    write: impl FnOnce(&Csv, &Path),
) -> PathBuf {
    let evidence = dir.join("evidence");
    copy_dir(&fixture("evidence-basic"), &evidence);
    let csv = read_csv(&evidence.join("data/calls.csv"));
    write(&csv, &evidence.join(file));
    let manifest = evidence.join("evidence.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let from = "calls = { path = \"data/calls.csv\", columns = { call_id = \"Call ID\" } }";
    assert!(text.contains(from), "{text}");
    let to =
        format!("calls = {{ path = \"{file}\", columns = {{ call_id = \"Call ID\" }}{keys} }}");
    std::fs::write(&manifest, text.replace(from, &to)).unwrap();
    evidence
}

/// `calls.csv` as a workbook with the rows on sheet `Calls`, every cell
/// text except `wait_seconds` (numbers), whose third data row holds `abc`.
fn calls_xlsx_with_a_bad_cell(csv: &Csv, path: &Path) {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.set_name("Calls").unwrap();
    for (c, h) in csv.header.iter().enumerate() {
        s.write_string(0, c as u16, h).unwrap();
    }
    for (r, row) in csv.rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c16) = (r as u32 + 1, c as u16);
            if csv.header[c] == "wait_seconds" && r == 3 {
                s.write_string(r, c16, "abc").unwrap();
            } else if csv.header[c] == "wait_seconds" && !cell.is_empty() {
                s.write_number(r, c16, cell.parse::<f64>().unwrap())
                    .unwrap();
            } else {
                s.write_string(r, c16, cell).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

/// The inventory line of table `calls`.
fn calls_entry(record: &Value) -> &Value {
    record["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "calls")
        .unwrap()
}

#[test]
fn a_bad_xlsx_cell_names_the_sheet_row_and_column() {
    let plugins = plugin_dir(PLUGINS);
    let pack = fixture("pack-tailored");
    let expected = "data/calls.xlsx, sheet `Calls`, row 4, column B: `wait_seconds`: expected \
                    float (a finite number), found `abc`";

    let dir = tempfile::tempdir().unwrap();
    let evidence = basic_with_calls(
        dir.path(),
        "data/calls.xlsx",
        ", sheet = \"Calls\"",
        calls_xlsx_with_a_bad_cell,
    );
    let (o, a, _out) = assess(&pack, &evidence, plugins.path());
    let a = a.unwrap_or_else(|| panic!("{}", stderr(&o)));
    let calls = calls_entry(&a);
    assert_eq!(calls["status"], "failed", "{calls}");
    assert_eq!(calls["sheet"], "Calls", "{calls}");
    assert_eq!(calls["messages"][0], expected, "{calls}");
    assert_eq!(status(&a, "SV1"), "insufficient_evidence");

    // With on_error = "skip": the row is skipped, counted and named.
    let dir = tempfile::tempdir().unwrap();
    let evidence = basic_with_calls(
        dir.path(),
        "data/calls.xlsx",
        ", sheet = \"Calls\", on_error = \"skip\"",
        calls_xlsx_with_a_bad_cell,
    );
    let (o, a, _out) = assess(&pack, &evidence, plugins.path());
    let a = a.unwrap_or_else(|| panic!("{}", stderr(&o)));
    let calls = calls_entry(&a);
    let csv_rows = read_csv(&fixture("evidence-basic/data/calls.csv"))
        .rows
        .len() as u64;
    assert_eq!(calls["records"], csv_rows, "{calls}");
    assert_eq!(calls["rows"], csv_rows - 1, "{calls}");
    assert_eq!(calls["skipped_by_reason"]["unparseable cell"], 1, "{calls}");
    assert_eq!(calls["messages"][0], expected, "{calls}");
}

#[test]
fn a_parquet_column_of_the_wrong_type_names_the_file_and_the_column() {
    let plugins = plugin_dir(PLUGINS);
    let dir = tempfile::tempdir().unwrap();
    // `answered` written as float64 (1.0 / 0.0), not boolean.
    let evidence = basic_with_calls(dir.path(), "data/calls.parquet", "", |csv, path| {
        let mut columns: Vec<(String, ArrayRef)> = Vec::new();
        for (c, name) in csv.header.iter().enumerate() {
            let cells = csv
                .rows
                .iter()
                .map(|r| Some(&r[c]).filter(|v| !v.is_empty()));
            let array: ArrayRef = match name.as_str() {
                "answered" => {
                    let mut b = Float64Builder::new();
                    cells.for_each(|v| b.append_option(v.map(|v| f64::from(u8::from(boolean(v))))));
                    Arc::new(b.finish())
                }
                _ => {
                    let mut b = StringBuilder::new();
                    cells.for_each(|v| b.append_option(v));
                    Arc::new(b.finish())
                }
            };
            columns.push((name.clone(), array));
        }
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let mut w =
            ArrowWriter::try_new(std::fs::File::create(path).unwrap(), batch.schema(), None)
                .unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
    });
    let (o, a, _out) = assess(&fixture("pack-tailored"), &evidence, plugins.path());
    let a = a.unwrap_or_else(|| panic!("{}", stderr(&o)));
    let calls = calls_entry(&a);
    assert_eq!(calls["status"], "failed", "{calls}");
    let column = 1 + read_csv(&fixture("evidence-basic/data/calls.csv"))
        .header
        .iter()
        .position(|h| h == "answered")
        .unwrap();
    assert_eq!(
        calls["messages"][0],
        format!(
            "data/calls.parquet, column {column}: `answered`: expected bool (Parquet type: \
             boolean or string), found Parquet type Float64"
        ),
        "{calls}"
    );
}

#[test]
fn a_missing_sheet_names_the_sheets_present() {
    let plugins = plugin_dir(PLUGINS);
    let dir = tempfile::tempdir().unwrap();
    let evidence = basic_with_calls(
        dir.path(),
        "data/calls.xlsx",
        ", sheet = \"Anrufe\"",
        calls_xlsx_with_a_bad_cell,
    );
    let expected = "data/calls.xlsx: `sheet`: the workbook has no sheet `Anrufe`; its sheets are \
                    `Calls` (set `sheet` in evidence.toml to one of them)";
    // `check` reads the header only, and says the same.
    let checked = check_json(&fixture("pack-tailored"), &evidence, plugins.path());
    let sv1 = checked
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["criterion"] == "SV1")
        .unwrap();
    assert_eq!(
        sv1["missing"][0],
        format!("table `calls`: {expected}"),
        "{sv1}"
    );
    let (o, a, _out) = assess(&fixture("pack-tailored"), &evidence, plugins.path());
    let a = a.unwrap_or_else(|| panic!("{}", stderr(&o)));
    let calls = calls_entry(&a);
    assert_eq!(calls["status"], "failed", "{calls}");
    assert_eq!(calls["sheet"], "Anrufe", "{calls}");
    assert_eq!(calls["messages"][0], expected, "{calls}");
}

#[test]
fn a_sheet_on_a_csv_table_is_refused_before_anything_runs() {
    let plugins = plugin_dir(PLUGINS);
    let dir = tempfile::tempdir().unwrap();
    let evidence = basic_with_calls(
        dir.path(),
        "data/calls2.csv",
        ", sheet = \"Calls\"",
        |_, p| {
            std::fs::copy(fixture("evidence-basic/data/calls.csv"), p).unwrap();
        },
    );
    let (o, _, _out) = assess(&fixture("pack-tailored"), &evidence, plugins.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "`tables.calls.sheet`: `sheet` applies to Excel workbooks (.xlsx, .xlsm) only; \
             `data/calls2.csv` is read as CSV"
        ),
        "{}",
        stderr(&o)
    );
}

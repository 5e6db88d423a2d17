//! Apache Parquet files, read with the `parquet` crate's Arrow reader: only
//! the wanted columns are decoded, each column's Parquet (Arrow) type is
//! checked against the canonical type before any row is read, and every
//! record is typed by [`TypedRows`] as a CSV row is. Places are named by
//! record (1-based) and column.

use ::parquet::arrow::ProjectionMask;
use ::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef};

use super::*;
use crate::evidence::paths::special_file;
use crate::source::Grid;

/// The reader of a Parquet file.
type Builder = ParquetRecordBatchReaderBuilder<std::fs::File>;

/// Opens the file at `path` as Parquet.
fn open(path: &Path, shown: &Path) -> Result<Builder, EvidenceError> {
    let at_file = || Location::file(shown);
    if let Some(kind) = special_file(path) {
        return Err(EvidenceError::new(
            at_file(),
            format!("the file is a {kind}, not a regular file: it is not read"),
        ));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| EvidenceError::new(at_file(), format!("cannot read: {e}")))?;
    ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| {
        EvidenceError::new(at_file(), format!("cannot read it as a Parquet file: {e}"))
    })
}

/// The column names of a Parquet file's schema, in order.
fn names(builder: &Builder) -> Vec<String> {
    builder
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().trim().to_owned())
        .collect()
}

/// The header of a Parquet file: its column names (see
/// [`read_table_header`]).
pub(super) fn header(path: &Path, shown: &Path) -> Result<Vec<String>, EvidenceError> {
    open(path, shown).map(|b| names(&b))
}

/// Whether a Parquet column of Arrow type `found` can fill a column of
/// canonical type `wanted`. Text is accepted for every type and parsed as a
/// CSV cell is; a column with no value at all (`null` type) too.
fn accepts(wanted: ColumnType, found: &DataType) -> bool {
    use DataType as D;
    let integer = matches!(
        found,
        D::Int8 | D::Int16 | D::Int32 | D::Int64 | D::UInt8 | D::UInt16 | D::UInt32 | D::UInt64
    );
    if matches!(found, D::Utf8 | D::LargeUtf8 | D::Null) {
        return true;
    }
    match wanted {
        ColumnType::String => integer,
        ColumnType::Integer | ColumnType::Float => {
            integer || matches!(found, D::Float32 | D::Float64)
        }
        ColumnType::Bool => matches!(found, D::Boolean),
        ColumnType::Date | ColumnType::Month => {
            matches!(found, D::Date32 | D::Date64 | D::Timestamp(_, None))
        }
        ColumnType::Timestamp => matches!(found, D::Timestamp(_, _)),
    }
}

/// The Parquet types a column of canonical type `wanted` takes, for
/// messages.
fn accepted(wanted: ColumnType) -> &'static str {
    match wanted {
        ColumnType::String => "string (UTF-8) or integer",
        ColumnType::Integer => "an integer type, a float holding whole numbers, or string",
        ColumnType::Float => "float, integer or string",
        ColumnType::Bool => "boolean or string",
        ColumnType::Date | ColumnType::Month => {
            "date, timestamp without time zone (at midnight) or string"
        }
        ColumnType::Timestamp => "timestamp (with or without time zone) or string",
    }
}

/// One column of a batch, downcast once: a raw cell per row.
enum Column<'a> {
    Null,
    Utf8(&'a arrow_array::StringArray),
    LargeUtf8(&'a arrow_array::LargeStringArray),
    I8(&'a arrow_array::PrimitiveArray<Int8Type>),
    I16(&'a arrow_array::PrimitiveArray<Int16Type>),
    I32(&'a arrow_array::PrimitiveArray<Int32Type>),
    I64(&'a arrow_array::PrimitiveArray<Int64Type>),
    U8(&'a arrow_array::PrimitiveArray<UInt8Type>),
    U16(&'a arrow_array::PrimitiveArray<UInt16Type>),
    U32(&'a arrow_array::PrimitiveArray<UInt32Type>),
    U64(&'a arrow_array::PrimitiveArray<UInt64Type>),
    F32(&'a arrow_array::PrimitiveArray<Float32Type>),
    F64(&'a arrow_array::PrimitiveArray<Float64Type>),
    Bool(&'a arrow_array::BooleanArray),
    Date32(&'a arrow_array::PrimitiveArray<Date32Type>),
    Date64(&'a arrow_array::PrimitiveArray<Date64Type>),
    /// Timestamp values, milliseconds from their unit (`to_ms`), and
    /// whether they are instants (a time zone) or local times.
    Ts {
        values: Timestamps<'a>,
        instant: bool,
    },
}

/// A timestamp column in its unit.
enum Timestamps<'a> {
    S(&'a arrow_array::PrimitiveArray<TimestampSecondType>),
    Ms(&'a arrow_array::PrimitiveArray<TimestampMillisecondType>),
    Us(&'a arrow_array::PrimitiveArray<TimestampMicrosecondType>),
    Ns(&'a arrow_array::PrimitiveArray<TimestampNanosecondType>),
}

impl Timestamps<'_> {
    /// Milliseconds since the epoch; finer units truncated toward the
    /// earlier instant, as CSV text's extra digits are.
    fn ms(&self, row: usize) -> Option<i64> {
        match self {
            Timestamps::S(a) => a.value(row).checked_mul(1000),
            Timestamps::Ms(a) => Some(a.value(row)),
            Timestamps::Us(a) => Some(a.value(row).div_euclid(1000)),
            Timestamps::Ns(a) => Some(a.value(row).div_euclid(1_000_000)),
        }
    }
}

const NOT_A_DATE: &str = "a date or time outside the supported range";

impl<'a> Column<'a> {
    /// The column of `array` (whose type [`accepts`] took).
    fn of(array: &'a ArrayRef) -> Option<Self> {
        use DataType as D;
        Some(match array.data_type() {
            D::Null => Column::Null,
            D::Utf8 => Column::Utf8(array.as_string::<i32>()),
            D::LargeUtf8 => Column::LargeUtf8(array.as_string::<i64>()),
            D::Int8 => Column::I8(array.as_primitive()),
            D::Int16 => Column::I16(array.as_primitive()),
            D::Int32 => Column::I32(array.as_primitive()),
            D::Int64 => Column::I64(array.as_primitive()),
            D::UInt8 => Column::U8(array.as_primitive()),
            D::UInt16 => Column::U16(array.as_primitive()),
            D::UInt32 => Column::U32(array.as_primitive()),
            D::UInt64 => Column::U64(array.as_primitive()),
            D::Float32 => Column::F32(array.as_primitive()),
            D::Float64 => Column::F64(array.as_primitive()),
            D::Boolean => Column::Bool(array.as_boolean()),
            D::Date32 => Column::Date32(array.as_primitive()),
            D::Date64 => Column::Date64(array.as_primitive()),
            D::Timestamp(unit, tz) => Column::Ts {
                values: match unit {
                    TimeUnit::Second => Timestamps::S(array.as_primitive()),
                    TimeUnit::Millisecond => Timestamps::Ms(array.as_primitive()),
                    TimeUnit::Microsecond => Timestamps::Us(array.as_primitive()),
                    TimeUnit::Nanosecond => Timestamps::Ns(array.as_primitive()),
                },
                instant: tz.is_some(),
            },
            _ => return None,
        })
    }

    /// The raw cell of `row`.
    fn cell(&self, array: &dyn Array, row: usize) -> RawCell<'a> {
        if array.is_null(row) {
            return RawCell::Empty;
        }
        match self {
            Column::Null => RawCell::Empty,
            Column::Utf8(a) => RawCell::Text(a.value(row)),
            Column::LargeUtf8(a) => RawCell::Text(a.value(row)),
            Column::I8(a) => RawCell::Int(a.value(row).into()),
            Column::I16(a) => RawCell::Int(a.value(row).into()),
            Column::I32(a) => RawCell::Int(a.value(row).into()),
            Column::I64(a) => RawCell::Int(a.value(row)),
            Column::U8(a) => RawCell::Int(a.value(row).into()),
            Column::U16(a) => RawCell::Int(a.value(row).into()),
            Column::U32(a) => RawCell::Int(a.value(row).into()),
            Column::U64(a) => i64::try_from(a.value(row)).map_or(
                RawCell::Invalid("an integer above the largest 64-bit signed integer"),
                RawCell::Int,
            ),
            // A float32 is read as its shortest decimal text reads, as the
            // same number written in a CSV file would be.
            Column::F32(a) => {
                let v = a.value(row);
                RawCell::Float(v.to_string().parse::<f64>().unwrap_or(f64::from(v)))
            }
            Column::F64(a) => RawCell::Float(a.value(row)),
            Column::Bool(a) => RawCell::Bool(a.value(row)),
            Column::Date32(a) => cxaudit_plugin_sdk::table::date_from_days(a.value(row))
                .map_or(RawCell::Invalid(NOT_A_DATE), RawCell::Date),
            Column::Date64(a) => DateTime::from_timestamp_millis(a.value(row))
                .map_or(RawCell::Invalid(NOT_A_DATE), |t| {
                    RawCell::Local(t.naive_utc())
                }),
            Column::Ts { values, instant } => match values.ms(row) {
                Some(ms) if *instant => RawCell::Instant(ms),
                Some(ms) => DateTime::from_timestamp_millis(ms)
                    .map_or(RawCell::Invalid(NOT_A_DATE), |t| {
                        RawCell::Local(t.naive_utc())
                    }),
                None => RawCell::Invalid(NOT_A_DATE),
            },
        }
    }
}

/// Reads the wanted columns of a Parquet file (see [`read_table`]).
pub(super) fn read(
    path: &Path,
    wanted: &[WantedColumn],
    options: &TableReadOptions,
) -> Result<ParsedTable, EvidenceError> {
    let shown = Path::new(&options.shown_path);
    rows::cell_parser(&options.formats, shown)?;
    let builder = open(path, shown)?;
    let headers = names(&builder);
    let place = Place {
        shown: shown.to_path_buf(),
        grid: Some(Box::new(Grid::Records)),
        column_offset: 0,
    };
    let mut typed = TypedRows::new(
        place,
        &headers,
        None,
        wanted,
        options,
        &BatchRoom::default(),
    )?;
    let fields = builder.schema().fields().clone();
    for slot in typed.slots() {
        let found = fields[slot.index].data_type();
        if !accepts(slot.schema.column_type, found) {
            let mut at = typed.place().file().key(slot.name.clone());
            at.column = Some(slot.index + 1);
            return Err(EvidenceError::new(
                at,
                format!(
                    "expected {} (Parquet type: {}), found Parquet type {found}",
                    slot.schema.column_type,
                    accepted(slot.schema.column_type)
                ),
            ));
        }
    }
    let indices: Vec<usize> = typed.slots().iter().map(|s| s.index).collect();
    let mut projected = indices.clone();
    projected.dedup();
    let mask = ProjectionMask::roots(builder.parquet_schema(), projected.iter().copied());
    let reader = builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| {
            EvidenceError::new(
                Location::file(shown),
                format!("cannot read it as a Parquet file: {e}"),
            )
        })?;
    let mut record = 0usize;
    for batch in reader {
        let batch = batch.map_err(|e| {
            EvidenceError::new(
                Location::file(shown),
                format!("cannot read the records after record {record}: {e}"),
            )
        })?;
        // The projected batch holds the wanted columns in file order.
        let arrays: Vec<&ArrayRef> = indices
            .iter()
            .map(|i| {
                let position = projected.binary_search(i).unwrap_or_default();
                batch.column(position)
            })
            .collect();
        let columns = arrays
            .iter()
            .map(|a| Column::of(a))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                EvidenceError::new(
                    Location::file(shown),
                    "internal: a column's type changed between the schema and the records",
                )
            })?;
        for row in 0..batch.num_rows() {
            record += 1;
            typed.push(record, |i| columns[i].cell(arrays[i].as_ref(), row))?;
        }
    }
    typed.finish()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{col, options, write};
    use super::*;
    use ::parquet::arrow::ArrowWriter;
    use arrow_array::{
        BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
        TimestampMillisecondArray,
    };

    /// A Parquet file at a temporary path holding `columns`.
    fn parquet(columns: Vec<(&str, ArrayRef)>) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let file = std::fs::File::create(&path).unwrap();
        let mut writer = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        (dir, path)
    }

    fn parquet_options(formats: Formats, on_error: OnError) -> TableReadOptions {
        let mut o = options(formats, on_error);
        o.shown_path = "data/t.parquet".into();
        o.format = TableFormat::Parquet;
        o
    }

    fn lisbon() -> Formats {
        Formats {
            time_zone: Some("Europe/Lisbon".into()),
            ..Formats::default()
        }
    }

    #[test]
    fn native_columns_give_the_values_of_the_same_csv_text() {
        let csv = write(
            "id,talk,n,at,utc,day,flag\n\
             1001,1.5,7,2026-07-31T09:00:00.250,2026-07-31T08:00:00+00:00,2026-01-05,true\n\
             b,,12,2026-01-05T08:00:00,2026-01-05T08:00:00Z,2026-02-28,false\n",
        );
        let wanted = [
            col("id", ColumnType::String, false),
            col("talk", ColumnType::Float, true),
            col("n", ColumnType::Integer, false),
            col("at", ColumnType::Timestamp, false),
            col("utc", ColumnType::Timestamp, false),
            col("day", ColumnType::Date, false),
            col("flag", ColumnType::Bool, false),
        ];
        let mut csv_options = options(lisbon(), OnError::Fail);
        csv_options.shown_path = "data/t.csv".into();
        let from_csv = read_table(csv.path(), &wanted, &csv_options).unwrap();

        // Local wall-clock milliseconds (no zone) and UTC instants.
        let local = [1_785_488_400_250, 1_767_600_000_000]; // 09:00:00.250, 08:00 wall clock
        let utc = [1_785_484_800_000, 1_767_600_000_000]; // 08:00Z, 08:00Z
        let (_dir, path) = parquet(vec![
            (
                "id",
                Arc::new(Int64Array::from(vec![Some(1001), None])) as ArrayRef,
            ),
            ("talk", Arc::new(Float64Array::from(vec![Some(1.5), None]))),
            // Integral floats fill an integer column (as pandas writes them).
            ("n", Arc::new(Float64Array::from(vec![7.0, 12.0]))),
            (
                "at",
                Arc::new(TimestampMillisecondArray::from(local.to_vec())),
            ),
            (
                "utc",
                Arc::new(TimestampMillisecondArray::from(utc.to_vec()).with_timezone("UTC")),
            ),
            ("day", Arc::new(Date32Array::from(vec![20_458, 20_512]))),
            ("flag", Arc::new(BooleanArray::from(vec![true, false]))),
        ]);
        // Row 2's id is null in Parquet but `b` in the CSV: fix the CSV view.
        let e = read_table(&path, &wanted, &parquet_options(lisbon(), OnError::Fail)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "data/t.parquet, row 2, column 1: `id`: expected string, found an empty cell (this \
             column may not be empty)"
        );
        let (_dir, path) = parquet(vec![
            (
                "id",
                Arc::new(StringArray::from(vec!["1001", "b"])) as ArrayRef,
            ),
            ("talk", Arc::new(Float64Array::from(vec![Some(1.5), None]))),
            ("n", Arc::new(Float64Array::from(vec![7.0, 12.0]))),
            (
                "at",
                Arc::new(TimestampMillisecondArray::from(local.to_vec())),
            ),
            (
                "utc",
                Arc::new(TimestampMillisecondArray::from(utc.to_vec()).with_timezone("UTC")),
            ),
            ("day", Arc::new(Date32Array::from(vec![20_458, 20_512]))),
            ("flag", Arc::new(BooleanArray::from(vec![true, false]))),
        ]);
        let from_parquet =
            read_table(&path, &wanted, &parquet_options(lisbon(), OnError::Fail)).unwrap();
        assert_eq!(from_parquet.rows, 2);
        assert_eq!(from_parquet.schema, from_csv.schema);
        assert_eq!(from_parquet.batches, from_csv.batches);
    }

    #[test]
    fn a_column_of_the_wrong_type_names_the_file_and_the_column() {
        let (_dir, path) = parquet(vec![
            ("id", Arc::new(StringArray::from(vec!["a"])) as ArrayRef),
            ("at", Arc::new(Float64Array::from(vec![45_000.5]))),
        ]);
        let wanted = [
            col("id", ColumnType::String, false),
            col("at", ColumnType::Timestamp, false),
        ];
        let e = read_table(&path, &wanted, &parquet_options(lisbon(), OnError::Skip)).unwrap_err();
        assert_eq!(e.location.file, Path::new("data/t.parquet"));
        assert_eq!(e.location.column, Some(2));
        assert_eq!(e.location.key.as_deref(), Some("at"));
        assert_eq!(
            e.to_string(),
            "data/t.parquet, column 2: `at`: expected timestamp (Parquet type: timestamp (with or \
             without time zone) or string), found Parquet type Float64"
        );
    }

    #[test]
    fn text_columns_are_typed_as_csv_text_with_rows_counted_and_named() {
        let (_dir, path) = parquet(vec![
            (
                "n",
                Arc::new(StringArray::from(vec!["1", "x", "3"])) as ArrayRef,
            ),
            ("other", Arc::new(Int64Array::from(vec![1, 2, 3]))),
        ]);
        let wanted = [
            col("n", ColumnType::Integer, false),
            col("missing", ColumnType::Float, true),
        ];
        let t = read_table(&path, &wanted, &parquet_options(lisbon(), OnError::Skip)).unwrap();
        assert_eq!((t.rows, t.skipped_rows), (2, 1));
        assert_eq!(t.missing_columns, ["missing"]);
        assert_eq!(
            t.skipped_examples,
            ["data/t.parquet, row 2, column 1: `n`: expected integer, found `x`"]
        );
        assert_eq!(
            read_table_header(&path, "data/t.parquet", &TableFormat::Parquet, &lisbon()).unwrap(),
            ["n", "other"]
        );
    }

    #[test]
    fn a_file_that_is_not_parquet_is_an_error_naming_it() {
        let f = write("id\n1\n");
        let e = read_table(
            f.path(),
            &[col("id", ColumnType::String, false)],
            &parquet_options(lisbon(), OnError::Fail),
        )
        .unwrap_err();
        assert_eq!(e.location.file, Path::new("data/t.parquet"));
        assert!(
            e.message.contains("cannot read it as a Parquet file"),
            "{e}"
        );
    }
}

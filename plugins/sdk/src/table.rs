//! An evidence table as Arrow record batches, with typed, borrowing column
//! access. Columns are read in place; nothing is copied.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Float64Type, Int64Type, TimestampMillisecondType, TimestampSecondType,
};
use arrow_array::{Array, ArrowPrimitiveType, RecordBatch};
use arrow_schema::{DataType, SchemaRef, TimeUnit};

use crate::cells::{Cells, StrColumn};

use crate::context::EvalError;

/// Milliseconds in a second.
pub const MS_PER_SECOND: i64 = 1_000;

/// A table: a schema and the batches the host parsed once.
#[derive(Debug, Clone)]
pub struct Table {
    /// The table's name.
    pub name: String,
    /// Its schema (only the columns some selected criterion needs).
    pub schema: SchemaRef,
    /// Its rows, in file order.
    pub batches: Vec<RecordBatch>,
}

impl Table {
    /// A table from batches sharing `schema`.
    pub fn new(name: &str, schema: SchemaRef, batches: Vec<RecordBatch>) -> Self {
        Table {
            name: name.to_owned(),
            schema,
            batches,
        }
    }

    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(|b| b.num_rows()).sum()
    }

    /// Whether the table has a column.
    pub fn has_column(&self, name: &str) -> bool {
        self.schema.index_of(name).is_ok()
    }

    /// Names of the columns starting with `prefix` (e.g. `attr_`), sorted.
    pub fn columns_with_prefix(&self, prefix: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .filter(|n| n.starts_with(prefix))
            .collect();
        names.sort();
        names
    }

    fn column_index(&self, name: &str) -> Result<usize, EvalError> {
        self.schema.index_of(name).map_err(|_| {
            EvalError::MissingEvidence(format!("table `{}` has no column `{name}`", self.name))
        })
    }

    fn arrays(&self, name: &str, expected: &DataType) -> Result<Vec<&dyn Array>, EvalError> {
        let index = self.column_index(name)?;
        let actual = self.schema.field(index).data_type();
        if actual != expected {
            return Err(EvalError::Failed(format!(
                "column `{}.{name}` is {actual}, the evaluator reads it as {expected}",
                self.name
            )));
        }
        Ok(self
            .batches
            .iter()
            .map(|b| b.column(index).as_ref())
            .collect())
    }

    /// A string column, row by row (`None` for empty cells): plain text, or
    /// a low-cardinality column held as a dictionary of `Int32` indexes.
    pub fn strs(&self, name: &str) -> Result<impl Iterator<Item = Option<&str>> + '_, EvalError> {
        let coded = dictionary_strings();
        let index = self.column_index(name)?;
        let is_coded = self.schema.field(index).data_type() == &coded;
        let arrays = if is_coded {
            self.arrays(name, &coded)?
        } else {
            self.arrays(name, &DataType::Utf8)?
        };
        Ok(StrColumn::of(arrays, is_coded))
    }

    /// A float column, row by row.
    pub fn f64s(&self, name: &str) -> Result<impl Iterator<Item = Option<f64>> + '_, EvalError> {
        let arrays = self.arrays(name, &DataType::Float64)?;
        Ok(primitive_cells::<Float64Type>(arrays))
    }

    /// An integer column, row by row.
    pub fn i64s(&self, name: &str) -> Result<impl Iterator<Item = Option<i64>> + '_, EvalError> {
        let arrays = self.arrays(name, &DataType::Int64)?;
        Ok(primitive_cells::<Int64Type>(arrays))
    }

    /// A boolean column, row by row.
    pub fn bools(&self, name: &str) -> Result<impl Iterator<Item = Option<bool>> + '_, EvalError> {
        let arrays = self.arrays(name, &DataType::Boolean)?;
        Ok(Cells::new(
            arrays
                .into_iter()
                .map(|a| (a.as_boolean().values(), a.nulls()))
                .collect(),
        ))
    }

    /// A date or month column as days since 1970-01-01, row by row.
    pub fn dates(&self, name: &str) -> Result<impl Iterator<Item = Option<i32>> + '_, EvalError> {
        let arrays = self.arrays(name, &DataType::Date32)?;
        Ok(primitive_cells::<Date32Type>(arrays))
    }

    /// A timestamp column as whole seconds since the Unix epoch (UTC), row
    /// by row: each instant rounded down to its second. Enough for calendar
    /// days, hours and months; compute durations (waits, delays, notice)
    /// with [`timestamps_ms`](Self::timestamps_ms), which keeps the
    /// fraction.
    ///
    /// Reads `Timestamp(Millisecond)` columns (what the host sends) and
    /// `Timestamp(Second)` columns.
    pub fn timestamps(
        &self,
        name: &str,
    ) -> Result<impl Iterator<Item = Option<i64>> + '_, EvalError> {
        Ok(self.timestamps_ms(name)?.map(|v| v.map(floor_seconds)))
    }

    /// A timestamp column as milliseconds since the Unix epoch (UTC), row
    /// by row: the exact instants, for durations (see [`seconds_between`]).
    ///
    /// Reads `Timestamp(Millisecond)` columns (what the host sends) and
    /// `Timestamp(Second)` columns.
    pub fn timestamps_ms(
        &self,
        name: &str,
    ) -> Result<impl Iterator<Item = Option<i64>> + '_, EvalError> {
        let index = self.column_index(name)?;
        let declared = self.schema.field(index).data_type();
        if !matches!(
            declared,
            DataType::Timestamp(TimeUnit::Second | TimeUnit::Millisecond, _)
        ) {
            return Err(self.not_a_timestamp(name, declared));
        }
        let ms_per_unit = match declared {
            DataType::Timestamp(TimeUnit::Second, _) => MS_PER_SECOND,
            _ => 1,
        };
        let chunks = self
            .batches
            .iter()
            .map(|b| {
                let array = b.column(index).as_ref();
                timestamp_values(array)
                    .map(|values| (values, array.nulls()))
                    .ok_or_else(|| self.not_a_timestamp(name, array.data_type()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Cells::new(chunks).map(move |v| v.map(|v: i64| v.saturating_mul(ms_per_unit))))
    }

    fn not_a_timestamp(&self, name: &str, actual: &DataType) -> EvalError {
        EvalError::Failed(format!(
            "column `{}.{name}` is {actual}, the evaluator reads it as a timestamp \
             (seconds or milliseconds)",
            self.name
        ))
    }
}

/// The raw values of one batch of a timestamp column in its unit (seconds or
/// milliseconds); `None` for any other type.
fn timestamp_values(array: &dyn Array) -> Option<&[i64]> {
    match array.data_type() {
        DataType::Timestamp(TimeUnit::Millisecond, _) => Some(
            array
                .as_primitive_opt::<TimestampMillisecondType>()?
                .values(),
        ),
        DataType::Timestamp(TimeUnit::Second, _) => {
            Some(array.as_primitive_opt::<TimestampSecondType>()?.values())
        }
        _ => None,
    }
}

/// A primitive column's cells over its batches (the caller checked the type).
pub(crate) fn primitive_cells<'a, T: ArrowPrimitiveType>(
    arrays: Vec<&'a dyn Array>,
) -> Cells<'a, &'a [T::Native]> {
    Cells::new(
        arrays
            .into_iter()
            .map(|a| {
                let p = a.as_primitive::<T>();
                (p.values().as_ref(), p.nulls())
            })
            .collect(),
    )
}

/// The Arrow type of a low-cardinality string column as the host holds it:
/// `Int32` indexes into a dictionary of `Utf8` values.
pub fn dictionary_strings() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

/// The cells of one string array, plain `Utf8` or
/// [`dictionary_strings`]-encoded, row by row (`None` for empty cells);
/// `None` for an array of another type.
pub fn str_cells(a: &dyn Array) -> Option<impl Iterator<Item = Option<&str>> + '_> {
    let t = a.data_type();
    let coded = t == &dictionary_strings();
    (coded || t == &DataType::Utf8).then(|| StrColumn::of(vec![a], coded))
}

/// `cell.trim()`, without the scan when the first and last bytes are ASCII and
/// not white space, as they are in almost every cell (nothing is trimmed
/// then): the host trims each cell it reads with it (a scan per cell was 3 %
/// of an assessment's CPU), and a plugin may for cells it compares.
#[inline]
pub fn trim_cell(cell: &str) -> &str {
    /// An ASCII byte that is not white space by `char::is_whitespace`
    /// (which, unlike `u8::is_ascii_whitespace`, counts U+000B).
    #[inline]
    fn kept(b: u8) -> bool {
        b.is_ascii() && b != b' ' && !(b'\t'..=b'\r').contains(&b)
    }
    match cell.as_bytes() {
        [] => cell,
        [first, .., last] if kept(*first) && kept(*last) => cell,
        [only] if kept(*only) => cell,
        _ => cell.trim(),
    }
}

/// The second (rounded down) of a UTC millisecond timestamp: the instant to
/// take calendar days, hours and months of.
#[inline]
pub fn floor_seconds(ms: i64) -> i64 {
    ms.div_euclid(MS_PER_SECOND)
}

/// Seconds from `from_ms` to `to_ms` (UTC milliseconds), exact to the
/// millisecond; negative when `to_ms` is the earlier instant.
#[inline]
pub fn seconds_between(from_ms: i64, to_ms: i64) -> f64 {
    to_ms.saturating_sub(from_ms) as f64 / MS_PER_SECOND as f64
}

/// Converts days since 1970-01-01 to a calendar date.
pub fn date_from_days(days: i32) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?
        .checked_add_signed(chrono::Duration::days(i64::from(days)))
}

/// Converts a calendar date to days since 1970-01-01.
pub fn days_from_date(date: chrono::NaiveDate) -> i32 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    (date - epoch).num_days() as i32
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::types::Int32Type;
    use arrow_array::{
        Int64Array, TimestampMillisecondArray, TimestampNanosecondArray, TimestampSecondArray,
    };
    use arrow_schema::{Field, Schema};

    use super::*;

    fn table_of(array: arrow_array::ArrayRef) -> Table {
        let schema = Arc::new(Schema::new(vec![Field::new(
            "at",
            array.data_type().clone(),
            true,
        )]));
        let batch = RecordBatch::try_new(schema.clone(), vec![array]).unwrap();
        Table::new("t", schema, vec![batch])
    }

    #[test]
    fn dictionary_string_columns_read_as_their_values_batch_by_batch() {
        use arrow_array::{DictionaryArray, Int16Array, Int32Array, StringArray};
        // Each batch has its own dictionary; an empty key is an empty cell.
        let batch = |keys: Vec<Option<i32>>, values: Vec<&str>| -> arrow_array::ArrayRef {
            let d = DictionaryArray::<Int32Type>::try_new(
                Int32Array::from(keys),
                Arc::new(StringArray::from(values)),
            )
            .unwrap();
            Arc::new(d)
        };
        let first = batch(vec![Some(0), None, Some(1), Some(0)], vec!["voice", "chat"]);
        let second = batch(vec![Some(1), Some(0)], vec!["email", "voice"]);
        // An empty batch is passed over; an empty value reads as an empty cell.
        let empty = batch(vec![], vec![]);
        let with_empty_value = Arc::new(
            DictionaryArray::<Int32Type>::try_new(
                Int32Array::from(vec![1, 0]),
                Arc::new(StringArray::from(vec![Some("chat"), None])),
            )
            .unwrap(),
        );
        let schema = Arc::new(Schema::new(vec![Field::new(
            "channel",
            first.data_type().clone(),
            true,
        )]));
        // A sliced batch reads from its offset: keys [None, 1, 0] of [0, None, 1, 0].
        let sliced = batch(vec![Some(0), None, Some(1), Some(0)], vec!["sms", "post"]).slice(1, 3);
        let batches = [first, empty, second, with_empty_value, sliced]
            .into_iter()
            .map(|a| RecordBatch::try_new(schema.clone(), vec![a]).unwrap())
            .collect();
        let t = Table::new("contacts", schema, batches);
        let mut cells = t.strs("channel").unwrap();
        assert_eq!(cells.size_hint(), (11, Some(11)));
        let head: Vec<_> = cells.by_ref().take(5).collect();
        assert_eq!(cells.size_hint(), (6, Some(6)), "exact after reading on");
        assert_eq!(
            head.into_iter().chain(cells).collect::<Vec<_>>(),
            [
                Some("voice"),
                None,
                Some("chat"),
                Some("voice"),
                Some("voice"),
                Some("email"),
                None,
                Some("chat"),
                None,
                Some("post"),
                Some("sms")
            ]
        );
        // Other index widths are not what the host writes: named, not misread.
        let narrow = DictionaryArray::<arrow_array::types::Int16Type>::try_new(
            Int16Array::from(vec![0]),
            Arc::new(StringArray::from(vec!["voice"])),
        )
        .unwrap();
        let Err(e) = table_of(Arc::new(narrow)).strs("at").map(|_| ()) else {
            panic!("an Int16 dictionary read as strings");
        };
        assert!(e.to_string().contains("Dictionary(Int16, Utf8)"), "{e}");
    }

    #[test]
    fn columns_read_cell_by_cell_across_batches_sliced_and_with_empty_cells() {
        use arrow_array::{ArrayRef, BooleanArray, Float64Array, StringArray};
        let schema = Arc::new(Schema::new(vec![
            Field::new("x", DataType::Float64, true),
            Field::new("b", DataType::Boolean, true),
            Field::new("s", DataType::Utf8, true),
        ]));
        let batch = |x: Vec<Option<f64>>, b: Vec<Option<bool>>, s: Vec<Option<&str>>| {
            let columns: Vec<ArrayRef> = vec![
                Arc::new(Float64Array::from(x)),
                Arc::new(BooleanArray::from(b)),
                Arc::new(StringArray::from(s)),
            ];
            RecordBatch::try_new(schema.clone(), columns).unwrap()
        };
        // A batch sliced past its first row (values and validity bits then start
        // at an offset), an empty batch, and a batch without empty cells.
        let first = batch(
            vec![Some(9.0), Some(1.0), None, Some(3.0)],
            vec![Some(true), None, Some(false), Some(true)],
            vec![Some("skip"), Some("a"), Some("b"), None],
        )
        .slice(1, 3);
        let empty = batch(vec![], vec![], vec![]);
        let last = batch(vec![Some(4.0)], vec![Some(false)], vec![Some("c")]);
        let t = Table::new("t", schema.clone(), vec![first, empty, last]);
        let x = t.f64s("x").unwrap();
        assert_eq!(x.size_hint(), (4, Some(4)));
        assert_eq!(
            x.collect::<Vec<_>>(),
            [Some(1.0), None, Some(3.0), Some(4.0)]
        );
        let b: Vec<_> = t.bools("b").unwrap().collect();
        assert_eq!(b, [None, Some(false), Some(true), Some(false)]);
        let s: Vec<_> = t.strs("s").unwrap().collect();
        assert_eq!(s, [Some("a"), Some("b"), None, Some("c")]);
    }

    #[test]
    fn millisecond_columns_read_exactly_and_as_floored_seconds() {
        // 1.900 s, 1.000 s, empty, and 0.5 s before the epoch.
        let ms = TimestampMillisecondArray::from(vec![Some(1_900), Some(1_000), None, Some(-500)])
            .with_timezone("UTC");
        let t = table_of(Arc::new(ms));
        let exact: Vec<_> = t.timestamps_ms("at").unwrap().collect();
        assert_eq!(exact, [Some(1_900), Some(1_000), None, Some(-500)]);
        let seconds: Vec<_> = t.timestamps("at").unwrap().collect();
        assert_eq!(seconds, [Some(1), Some(1), None, Some(-1)]);
    }

    #[test]
    fn second_columns_still_read() {
        let s = TimestampSecondArray::from(vec![Some(7), None]).with_timezone("UTC");
        let t = table_of(Arc::new(s));
        let seconds: Vec<_> = t.timestamps("at").unwrap().collect();
        assert_eq!(seconds, [Some(7), None]);
        let exact: Vec<_> = t.timestamps_ms("at").unwrap().collect();
        assert_eq!(exact, [Some(7_000), None]);
    }

    #[test]
    fn other_columns_are_refused_with_their_type() {
        for array in [
            Arc::new(Int64Array::from(vec![1])) as arrow_array::ArrayRef,
            Arc::new(TimestampNanosecondArray::from(vec![1])),
        ] {
            let t = table_of(array);
            match t.timestamps("at").map(|_| ()) {
                Err(EvalError::Failed(m)) => assert!(m.contains("reads it as a timestamp"), "{m}"),
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
    }

    #[test]
    fn durations_are_exact_to_the_millisecond() {
        assert_eq!(seconds_between(900, 20_950), 20.05);
        assert_eq!(seconds_between(1, 5_900), 5.899);
        assert_eq!(seconds_between(20_000, 0), -20.0);
        assert_eq!(floor_seconds(-1), -1);
        assert_eq!(floor_seconds(999), 0);
    }

    #[test]
    fn white_space_at_either_end_is_trimmed_as_str_trim_does() {
        for cell in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{b}a",
            "a\u{b}",
            "\u{a0}a",
            "a\u{3000}",
            "\ta\r\n",
        ] {
            assert_eq!(trim_cell(cell), cell.trim(), "{cell:?}");
        }
    }

    proptest::proptest! {
        /// The fast path never changes what is trimmed: cells made of
        /// letters, ASCII white space (U+000B among it) and Unicode spaces.
        #[test]
        fn trim_cell_is_str_trim(cell in "[ a\\t\\n\\u{b}\\u{c}\\r\\u{a0}\\u{85}\\u{2003}é]{0,6}") {
            proptest::prop_assert_eq!(trim_cell(&cell), cell.trim());
        }
    }
}

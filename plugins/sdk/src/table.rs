//! An evidence table as Arrow record batches, with typed, borrowing column
//! access. Columns are read in place; nothing is copied.

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampSecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, SchemaRef};

use crate::context::EvalError;

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

    fn arrays(&self, name: &str, expected: &DataType) -> Result<Vec<&dyn Array>, EvalError> {
        let index = self.schema.index_of(name).map_err(|_| {
            EvalError::MissingEvidence(format!("table `{}` has no column `{name}`", self.name))
        })?;
        let actual = self.schema.field(index).data_type();
        let same = match (actual, expected) {
            (DataType::Timestamp(u1, _), DataType::Timestamp(u2, _)) => u1 == u2,
            (a, b) => a == b,
        };
        if !same {
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

    /// A string column, row by row (`None` for empty cells).
    pub fn strs(&self, name: &str) -> Result<impl Iterator<Item = Option<&str>> + '_, EvalError> {
        let arrays = self.arrays(name, &DataType::Utf8)?;
        Ok(arrays.into_iter().flat_map(|a| a.as_string::<i32>().iter()))
    }

    /// A float column, row by row.
    pub fn f64s(&self, name: &str) -> Result<impl Iterator<Item = Option<f64>> + '_, EvalError> {
        let arrays = self.arrays(name, &DataType::Float64)?;
        Ok(arrays
            .into_iter()
            .flat_map(|a| a.as_primitive::<Float64Type>().iter()))
    }

    /// An integer column, row by row.
    pub fn i64s(&self, name: &str) -> Result<impl Iterator<Item = Option<i64>> + '_, EvalError> {
        let arrays = self.arrays(name, &DataType::Int64)?;
        Ok(arrays
            .into_iter()
            .flat_map(|a| a.as_primitive::<Int64Type>().iter()))
    }

    /// A boolean column, row by row.
    pub fn bools(&self, name: &str) -> Result<impl Iterator<Item = Option<bool>> + '_, EvalError> {
        let arrays = self.arrays(name, &DataType::Boolean)?;
        Ok(arrays.into_iter().flat_map(|a| a.as_boolean().iter()))
    }

    /// A date or month column as days since 1970-01-01, row by row.
    pub fn dates(&self, name: &str) -> Result<impl Iterator<Item = Option<i32>> + '_, EvalError> {
        let arrays = self.arrays(name, &DataType::Date32)?;
        Ok(arrays
            .into_iter()
            .flat_map(|a| a.as_primitive::<Date32Type>().iter()))
    }

    /// A timestamp column as seconds since the Unix epoch (UTC), row by row.
    pub fn timestamps(
        &self,
        name: &str,
    ) -> Result<impl Iterator<Item = Option<i64>> + '_, EvalError> {
        let ts = DataType::Timestamp(arrow_schema::TimeUnit::Second, None);
        let arrays = self.arrays(name, &ts)?;
        Ok(arrays
            .into_iter()
            .flat_map(|a| a.as_primitive::<TimestampSecondType>().iter()))
    }
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

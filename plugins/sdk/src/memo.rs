//! A result kept for the next evaluation in the same plugin process.
//!
//! The host evaluates the criteria of one plugin library one after another
//! in the same process when it can (and always, with isolation off). An
//! evaluator whose costly work repeats another's (a pass over every contact
//! that two criteria read alike) can keep its result in a [`Memo`], keyed by
//! the tables it read, as [`SameTable`]s, and the parameters that shape it.
//!
//! A table is known by identity, not by content: the same schema and the
//! very buffers the host shares (a table the host hands again to the next
//! evaluation of the process is the same memory). The key holds those
//! buffers, so they cannot be freed and their memory reused for other data
//! while the memo keeps it. A memo therefore gives exactly what computing
//! again would give, or computes: never a result of other data or other
//! parameters. It keeps one result, the last.
//!
//! ```
//! use cxaudit_plugin_sdk::Table;
//! use cxaudit_plugin_sdk::memo::{Memo, SameTable};
//! use cxaudit_plugin_sdk::testing::TableBuilder;
//!
//! /// Rows of a table, with a threshold (the parameter of the example).
//! static ROWS: Memo<(SameTable, u32), usize> = Memo::new();
//!
//! let batch = TableBuilder::new().strings("id", [Some("a"), Some("b")]).build();
//! let table = Table::new("contacts", batch.schema(), vec![batch]);
//! let mut computed = 0;
//! for _ in 0..2 {
//!     let rows = ROWS.get_or((SameTable::of(&table), 7), || {
//!         computed += 1;
//!         table.num_rows()
//!     });
//!     assert_eq!(*rows, 2);
//! }
//! assert_eq!(computed, 1);
//! ```

use std::sync::{Arc, Mutex};

use arrow_array::{Array, ArrayRef};
use arrow_schema::SchemaRef;

use crate::table::Table;

/// A table by identity: its schema and the buffers of its columns, held.
/// Equal to another when both are the same memory (the same batches the
/// host shares), never merely because their values are alike.
#[derive(Debug, Clone)]
pub struct SameTable {
    schema: SchemaRef,
    columns: Vec<ArrayRef>,
}

impl SameTable {
    /// The identity of `table` (every column of every batch).
    pub fn of(table: &Table) -> Self {
        SameTable {
            schema: table.schema.clone(),
            columns: table
                .batches
                .iter()
                .flat_map(|b| b.columns().iter().cloned())
                .collect(),
        }
    }
}

impl PartialEq for SameTable {
    fn eq(&self, other: &Self) -> bool {
        self.schema == other.schema
            && self.columns.len() == other.columns.len()
            && self
                .columns
                .iter()
                .zip(&other.columns)
                .all(|(a, b)| a.to_data().ptr_eq(&b.to_data()))
    }
}

/// The last result computed for a key `K` (tables by identity and the
/// parameters that shape the result), kept for the next evaluation in this
/// process. Declare it as a `static`.
#[derive(Debug)]
pub struct Memo<K, V> {
    last: Mutex<Option<(K, Arc<V>)>>,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo::new()
    }
}

impl<K, V> Memo<K, V> {
    /// An empty memo.
    pub const fn new() -> Self {
        Memo {
            last: Mutex::new(None),
        }
    }
}

impl<K: PartialEq, V> Memo<K, V> {
    /// The result kept for `key`, or `compute`'s, then kept (in place of
    /// the one kept before). An error is passed on and not kept. `compute`
    /// runs without the memo locked.
    pub fn get_or_try<E>(
        &self,
        key: K,
        compute: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        if let Some(kept) = self.kept(&key) {
            return Ok(kept);
        }
        let value = Arc::new(compute()?);
        if let Ok(mut last) = self.last.lock() {
            *last = Some((key, Arc::clone(&value)));
        }
        Ok(value)
    }

    /// [`Memo::get_or_try`] of a computation that cannot fail.
    pub fn get_or(&self, key: K, compute: impl FnOnce() -> V) -> Arc<V> {
        match self.get_or_try(key, || Ok::<V, std::convert::Infallible>(compute())) {
            Ok(value) => value,
            Err(never) => match never {},
        }
    }

    /// The result kept for `key`, if it is the one kept.
    fn kept(&self, key: &K) -> Option<Arc<V>> {
        let last = self.last.lock().ok()?;
        match &*last {
            Some((k, v)) if k == key => Some(Arc::clone(v)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TableBuilder;

    fn table(ids: &[&str]) -> Table {
        let batch = TableBuilder::new()
            .strings("id", ids.iter().map(|s| Some(*s)))
            .build();
        Table::new("t", batch.schema(), vec![batch])
    }

    #[test]
    fn a_table_is_the_same_only_as_itself_and_its_clones() {
        let a = table(&["x", "y"]);
        let alike = table(&["x", "y"]);
        assert_eq!(SameTable::of(&a), SameTable::of(&a));
        assert_eq!(SameTable::of(&a), SameTable::of(&a.clone()));
        // Equal values in other memory are another table.
        assert_ne!(SameTable::of(&a), SameTable::of(&alike));
        // So is a part of it.
        let mut part = a.clone();
        part.batches[0] = part.batches[0].slice(0, 1);
        assert_ne!(SameTable::of(&a), SameTable::of(&part));
    }

    #[test]
    fn a_result_is_kept_for_the_same_key_and_computed_again_for_another() {
        let memo: Memo<(SameTable, u32), String> = Memo::new();
        let (a, b) = (table(&["x"]), table(&["x"]));
        let runs = std::cell::Cell::new(0);
        let get = |t: &Table, p: u32| {
            memo.get_or((SameTable::of(t), p), || {
                runs.set(runs.get() + 1);
                format!("{} rows, {p}", t.num_rows())
            })
        };
        let first = get(&a, 1);
        let again = get(&a, 1);
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(runs.get(), 1);
        get(&a, 2); // other parameters
        get(&b, 2); // other memory
        assert_eq!(runs.get(), 3);
        // One result is kept: the last.
        get(&a, 2);
        assert_eq!(runs.get(), 4);
    }

    #[test]
    fn an_error_is_passed_on_and_not_kept() {
        let memo: Memo<u32, u32> = Memo::new();
        assert_eq!(memo.get_or_try(1, || Err("no")), Err("no"));
        assert_eq!(*memo.get_or_try(1, || Ok::<_, &str>(5)).unwrap(), 5);
        assert_eq!(*memo.get_or_try(1, || Err("not called")).unwrap(), 5);
    }

    #[test]
    fn the_kept_table_cannot_be_freed_while_it_is_kept() {
        let memo: Memo<SameTable, ()> = Memo::new();
        let t = table(&["x"]);
        let column = t.batches[0].column(0).clone();
        memo.get_or(SameTable::of(&t), || ());
        drop(t);
        // The memo and this test hold the column: its memory stays.
        assert!(Arc::strong_count(&column) >= 2);
    }
}

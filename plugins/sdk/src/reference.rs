//! References between tables: a column whose cells name rows of another
//! table by that table's one-column key (a survey's `contact_id` names a
//! contact). When the pack's evidence schema declares the reference, the host
//! resolves it once, at load, into a column of row numbers beside the
//! referring column ([`row_column`]); [`Table::rows_named`] reads that
//! column, or finds the rows itself when the host did not add it (a pack
//! without the declaration, a test table), with the same [`KeyRows`].

use std::sync::Arc;

use arrow_array::types::UInt32Type;
use arrow_array::{Array, ArrayRef, UInt32Array};
use arrow_schema::DataType;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

use crate::context::EvalError;
use crate::table::{Table, primitive_cells, str_cells, trim_cell};
use crate::thread::side_by_side;

/// What the host appends to a referring column's name for its column of
/// row numbers: `contact_id#row`.
pub const ROW_SUFFIX: &str = "#row";

/// The field metadata key of a column of row numbers: its value names the
/// referenced table and key column, `contacts.contact_id`.
pub const REFERENCES: &str = "cxaudit.references";

/// The name of the column of row numbers the host adds beside `column`.
pub fn row_column(column: &str) -> String {
    format!("{column}{ROW_SUFFIX}")
}

/// Whether a column is one the host added for a reference.
pub fn is_row_column(name: &str) -> bool {
    name.ends_with(ROW_SUFFIX)
}

/// What a column of row numbers' [`REFERENCES`] metadata says: `table.key`.
pub fn target(table: &str, key: &str) -> String {
    format!("{table}.{key}")
}

/// The rows of a key column by the text of their cells (trimmed; an empty
/// cell names no row): the first row holding each text. Keys are unique in
/// a table the host loaded (a duplicate key is refused or skipped there).
///
/// Built for millions of keys: the texts are borrowed from the column, and
/// the tables that find them by hash hold row numbers only (4 bytes an
/// entry, where a map of texts to rows takes 24). The texts are split by
/// hash into parts ([`KeyRows::of_side_by_side`] builds each part on its own
/// thread); a text is only ever in the part its hash names, so the rows
/// found are the same however many parts there are.
#[derive(Debug, Default)]
pub struct KeyRows<'k> {
    /// Each row's trimmed key text (empty for a row without one).
    keys: Vec<&'k str>,
    /// The first row holding each text of the part, found by the text's hash.
    parts: Vec<HashTable<u32>>,
    hasher: ahash::RandomState,
    /// Whether no two rows hold the same text: then the row holding a text
    /// is its only row, wherever it is found ([`Self::rows_of`]).
    unique: bool,
}

/// How many rows after the row found last [`KeyRows::rows_of`] compares
/// before it hashes: a referring table in the order of the rows it names
/// (surveys in the order of their contacts, about one contact in two
/// surveyed) finds nearly every row there, in memory it has just read.
const NEAR_ROWS: usize = 8;

impl<'k> KeyRows<'k> {
    /// Numbers the rows of a key column, given cell by cell in table order
    /// (room is made for as many rows as the iterator's lower size bound).
    /// A table of more rows than a `u32` counts cannot be referenced.
    pub fn of(cells: impl Iterator<Item = Option<&'k str>>) -> Result<Self, String> {
        Self::of_side_by_side(cells, 1)
    }

    /// [`Self::of`] with the texts split into `threads` parts by hash, each
    /// part filled on its own thread (each goes over every row in order and
    /// keeps the texts of its part, so each still holds the first row of a
    /// text).
    pub fn of_side_by_side(
        cells: impl Iterator<Item = Option<&'k str>>,
        threads: usize,
    ) -> Result<Self, String> {
        let mut keys = Vec::with_capacity(cells.size_hint().0);
        for cell in cells {
            if keys.len() > u32::MAX as usize {
                return Err(format!(
                    "a referenced table holds at most {} rows",
                    u32::MAX
                ));
            }
            keys.push(trimmed(cell).unwrap_or(""));
        }
        let hasher = ahash::RandomState::new();
        let threads = threads.max(1);
        let fill = |part: usize| {
            let mut rows = HashTable::with_capacity(keys.len() / threads);
            let mut unique = true;
            for (row, &text) in keys.iter().enumerate() {
                if text.is_empty() {
                    continue;
                }
                let hash = hasher.hash_one(text);
                if part_of(hash, threads) == part {
                    unique &= insert_first(&mut rows, &keys, &hasher, hash, row as u32);
                }
            }
            (rows, unique)
        };
        let filled = if threads == 1 {
            vec![fill(0)]
        } else {
            let fill = &fill;
            side_by_side((0..threads).map(|part| move || fill(part)))
        };
        let unique = filled.iter().all(|(_, unique)| *unique);
        Ok(KeyRows {
            keys,
            parts: filled.into_iter().map(|(rows, _)| rows).collect(),
            hasher,
            unique,
        })
    }

    /// The row whose key is `cell`'s text; `None` for an empty cell or a
    /// text no row holds.
    pub fn row_of(&self, cell: Option<&str>) -> Option<u32> {
        self.hashed_row(trimmed(cell)?)
    }

    /// The first row holding a (trimmed, non-empty) text, by its hash.
    fn hashed_row(&self, text: &str) -> Option<u32> {
        let hash = self.hasher.hash_one(text);
        // `KeyRows::default()` has no part and finds nothing.
        self.parts
            .get(part_of(hash, self.parts.len().max(1)))?
            .find(hash, |r| self.keys[*r as usize] == text)
            .copied()
    }

    /// The row each cell of a string array names, in order; `None` when
    /// the array is not a string array. When no two rows hold the same text,
    /// the few rows after the row found last are compared before hashing
    /// ([`NEAR_ROWS`]); the rows found are those of [`Self::row_of`].
    pub fn rows_of(&self, array: &dyn Array) -> Option<UInt32Array> {
        let mut last = None;
        Some(
            str_cells(array)?
                .map(|c| {
                    let row = self.row_after(trimmed(c)?, last);
                    last = row.or(last);
                    row
                })
                .collect(),
        )
    }

    /// The row holding `text`, looked for first among the rows right after
    /// `last` when keys are unique.
    fn row_after(&self, text: &str, last: Option<u32>) -> Option<u32> {
        if self.unique
            && let Some(last) = last
        {
            let from = (last as usize + 1).min(self.keys.len());
            let to = (from + NEAR_ROWS).min(self.keys.len());
            if let Some(i) = self.keys[from..to].iter().position(|k| *k == text) {
                return Some((from + i) as u32);
            }
        }
        self.hashed_row(text)
    }

    /// [`Self::rows_of`] each of `arrays`, in order, the arrays shared out
    /// in runs among `threads` threads; `None` when one is not a string
    /// array.
    pub fn rows_of_side_by_side(
        &self,
        arrays: &[&dyn Array],
        threads: usize,
    ) -> Option<Vec<UInt32Array>> {
        let run = arrays.len().div_ceil(threads.max(1)).max(1);
        let runs = side_by_side(arrays.chunks(run).map(|run| {
            move || {
                run.iter()
                    .map(|a| self.rows_of(*a))
                    .collect::<Option<Vec<_>>>()
            }
        }));
        Some(runs.into_iter().collect::<Option<Vec<_>>>()?.concat())
    }
}

/// The part of a text of this hash among `parts`: bits the hash table uses
/// neither for the slot (the low bits) nor for its tag (the top seven).
fn part_of(hash: u64, parts: usize) -> usize {
    ((hash >> 32) as u32 as usize) % parts
}

/// Records `row` as the row of its text (hashed to `hash`) in `rows`, unless
/// an earlier row holds the text; false when one does.
fn insert_first(
    rows: &mut HashTable<u32>,
    keys: &[&str],
    hasher: &ahash::RandomState,
    hash: u64,
    row: u32,
) -> bool {
    let text = keys[row as usize];
    let text_of = |r: &u32| keys[*r as usize];
    let entry = rows.entry(
        hash,
        |r| text_of(r) == text,
        |r| hasher.hash_one(text_of(r)),
    );
    match entry {
        Entry::Vacant(vacant) => {
            vacant.insert(row);
            true
        }
        Entry::Occupied(_) => false,
    }
}

fn trimmed(cell: Option<&str>) -> Option<&str> {
    cell.map(trim_cell).filter(|s| !s.is_empty())
}

/// For each row of a referring table, in order, the row of the referenced
/// table its cell names (`None`: an empty cell, or a key no row holds).
#[derive(Debug, Clone)]
pub struct RowNumbers {
    arrays: Vec<ArrayRef>,
}

impl RowNumbers {
    /// The row numbers, row by row.
    pub fn iter(&self) -> impl Iterator<Item = Option<u32>> + '_ {
        primitive_cells::<UInt32Type>(self.arrays.iter().map(|a| a.as_ref()).collect())
    }
}

impl Table {
    /// For each row, the row of `other` whose `key` cell holds this row's
    /// `column` text: from the column the host added when the pack declares
    /// `column` a reference to `other` (shared, not copied), else found here.
    pub fn rows_named(
        &self,
        column: &str,
        other: &Table,
        key: &str,
    ) -> Result<RowNumbers, EvalError> {
        if let Some(held) = self.held_rows(column, &target(&other.name, key)) {
            return Ok(held);
        }
        let keys = KeyRows::of(other.strs(key)?).map_err(EvalError::Failed)?;
        let cells = self.strs(column)?;
        let found: UInt32Array = cells.map(|c| keys.row_of(c)).collect();
        Ok(RowNumbers {
            arrays: vec![Arc::new(found)],
        })
    }

    /// The host's column of row numbers for `column`, when it has one that
    /// resolves to `target` (`table.key`).
    fn held_rows(&self, column: &str, target: &str) -> Option<RowNumbers> {
        let index = self.schema.index_of(&row_column(column)).ok()?;
        let field = self.schema.field(index);
        let resolves = field.metadata().get(REFERENCES).map(String::as_str) == Some(target);
        (resolves && field.data_type() == &DataType::UInt32).then(|| RowNumbers {
            arrays: self
                .batches
                .iter()
                .map(|b| b.column(index).clone())
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{RecordBatch, StringArray};
    use arrow_schema::{Field, Schema};
    use std::collections::HashMap;

    fn strings(name: &str, column: &str, cells: &[Option<&str>]) -> Table {
        let schema = Arc::new(Schema::new(vec![Field::new(column, DataType::Utf8, true)]));
        let array: ArrayRef = Arc::new(StringArray::from(cells.to_vec()));
        let batch = RecordBatch::try_new(schema.clone(), vec![array]).unwrap();
        Table::new(name, schema, vec![batch])
    }

    #[test]
    fn each_cell_names_the_first_row_holding_its_trimmed_text() {
        let contacts = strings(
            "contacts",
            "contact_id",
            &[Some("C1"), None, Some(" C2 "), Some("C1"), Some("C3")],
        );
        let surveys = strings(
            "surveys",
            "contact_id",
            &[
                Some("C2"),
                Some("C9"),
                None,
                Some(" "),
                Some("C1 "),
                Some("C3"),
            ],
        );
        let rows = surveys
            .rows_named("contact_id", &contacts, "contact_id")
            .unwrap();
        // C2 is row 2 (trimmed); C9 names no row; empty cells none; C1 its first row.
        assert_eq!(
            rows.iter().collect::<Vec<_>>(),
            vec![Some(2), None, None, None, Some(0), Some(4)]
        );
    }

    #[test]
    fn batches_looked_up_side_by_side_keep_their_order_and_rows() {
        let ids = ["K0", "K1", "K2", "K3", "K4", "K5", "K6"];
        let keys = KeyRows::of_side_by_side(ids.iter().map(|k| Some(*k)), 2).unwrap();
        // Five batches of cells naming rows 6 down to 0, with gaps.
        let cells: Vec<Vec<Option<&str>>> = vec![
            vec![Some("K6"), Some("K5")],
            vec![None],
            vec![Some("K4"), Some("K9"), Some("K3")],
            vec![Some("K2")],
            vec![Some("K1"), Some("K0")],
        ];
        let arrays: Vec<StringArray> = cells.into_iter().map(StringArray::from).collect();
        let arrays: Vec<&dyn Array> = arrays.iter().map(|a| a as &dyn Array).collect();
        let expected = [
            vec![Some(6), Some(5)],
            vec![None],
            vec![Some(4), None, Some(3)],
            vec![Some(2)],
            vec![Some(1), Some(0)],
        ];
        for threads in 1..=6 {
            let rows = keys.rows_of_side_by_side(&arrays, threads).unwrap();
            let rows: Vec<Vec<Option<u32>>> = rows.iter().map(|a| a.iter().collect()).collect();
            assert_eq!(rows, expected, "{threads} threads");
        }
    }

    #[test]
    fn empty_key_rows_find_nothing() {
        assert_eq!(KeyRows::default().row_of(Some("C1")), None);
        let none = KeyRows::of_side_by_side(std::iter::empty(), 4).unwrap();
        assert_eq!(none.row_of(Some("C1")), None);
    }

    #[test]
    fn the_host_column_is_read_when_it_resolves_to_the_table_asked_for() {
        let contacts = strings("contacts", "contact_id", &[Some("C1"), Some("C2")]);
        let held = |target: &str| {
            let metadata = HashMap::from([(REFERENCES.to_owned(), target.to_owned())]);
            let schema = Arc::new(Schema::new(vec![
                Field::new("contact_id", DataType::Utf8, true),
                Field::new(row_column("contact_id"), DataType::UInt32, true)
                    .with_metadata(metadata),
            ]));
            let ids: ArrayRef = Arc::new(StringArray::from(vec![Some("C2")]));
            // Row 7: not what the ids say, so the test sees which was read.
            let rows: ArrayRef = Arc::new(UInt32Array::from(vec![Some(7)]));
            let batch = RecordBatch::try_new(schema.clone(), vec![ids, rows]).unwrap();
            Table::new("surveys", schema, vec![batch])
        };
        let read = |t: Table| -> Vec<Option<u32>> {
            t.rows_named("contact_id", &contacts, "contact_id")
                .unwrap()
                .iter()
                .collect()
        };
        assert_eq!(read(held("contacts.contact_id")), vec![Some(7)]);
        // A column resolving to another table is not taken for this one.
        assert_eq!(read(held("agents.agent_id")), vec![Some(1)]);
    }

    proptest::proptest! {
        /// Whatever the keys (repeated, padded, empty, few distinct texts so
        /// that probes meet one another), each cell finds the first row
        /// holding its trimmed text, as a scan of the rows would, in one
        /// part or in three built side by side.
        #[test]
        fn rows_are_the_first_holding_each_text_as_a_scan_finds(
            keys in proptest::collection::vec(proptest::option::of("[ ]?[a-c]{0,2}[ ]?"), 0..60),
            cells in proptest::collection::vec(proptest::option::of("[ ]?[a-c]{0,2}[ ]?"), 0..30),
        ) {
            let one = KeyRows::of(keys.iter().map(|k| k.as_deref())).unwrap();
            let three = KeyRows::of_side_by_side(keys.iter().map(|k| k.as_deref()), 3).unwrap();
            for cell in &cells {
                let text = cell.as_deref().map(str::trim).filter(|t| !t.is_empty());
                let scanned = text.and_then(|t| {
                    keys.iter()
                        .position(|k| k.as_deref().map(str::trim) == Some(t))
                        .map(|r| r as u32)
                });
                proptest::prop_assert_eq!(one.row_of(cell.as_deref()), scanned);
                proptest::prop_assert_eq!(three.row_of(cell.as_deref()), scanned);
            }
            // Looked up as a column, where the rows after the last found are
            // tried first: the same rows, repeated keys or not.
            let scanned: Vec<Option<u32>> = cells.iter().map(|c| one.row_of(c.as_deref())).collect();
            let column = StringArray::from(cells.clone());
            for keys in [&one, &three] {
                let found: Vec<Option<u32>> = keys.rows_of(&column).unwrap().iter().collect();
                proptest::prop_assert_eq!(&found, &scanned);
            }
        }

        /// Unique keys looked up mostly in their own order (as surveys name
        /// their contacts), with jumps back and forth: the rows a scan finds.
        #[test]
        fn unique_keys_in_order_are_found_where_a_scan_finds_them(
            n in 1usize..80,
            steps in proptest::collection::vec(-3i64..12, 0..60),
        ) {
            let keys: Vec<String> = (0..n).map(|i| format!("K{i}")).collect();
            let rows = KeyRows::of(keys.iter().map(|k| Some(k.as_str()))).unwrap();
            let mut at = 0i64;
            let cells: Vec<Option<String>> = steps
                .iter()
                .map(|s| {
                    at += s;
                    // Past either end: a key no row holds.
                    Some(format!("K{at}"))
                })
                .collect();
            let expected: Vec<Option<u32>> = cells
                .iter()
                .map(|c| keys.iter().position(|k| Some(k) == c.as_ref()).map(|r| r as u32))
                .collect();
            let found: Vec<Option<u32>> =
                rows.rows_of(&StringArray::from(cells)).unwrap().iter().collect();
            proptest::prop_assert_eq!(found, expected);
        }
    }
}

//! References the evidence schema declares (`references = "contacts"` on a
//! survey's `contact_id`), resolved once after the tables are read: beside
//! the referring column the table gains a `UInt32` column of the referenced
//! table's row numbers (`contact_id#row`, see
//! [`cxaudit_plugin_sdk::reference`]), so no evaluator builds its own map of
//! millions of ids to join the two tables.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow_array::{Array, ArrayRef, RecordBatch, UInt32Array};
use arrow_schema::{DataType, Field, Schema};
use cxaudit_plugin_sdk::reference::{KeyRows, REFERENCES, row_column, target};
use cxaudit_plugin_sdk::table::{str_cells, trim_cell};

use super::TableLoad;
use crate::pack::EvidenceSchema;

/// Adds to every loaded table the row numbers of each reference the schema
/// declares on a column it read, when the referenced table is loaded with
/// its key checked for duplicates; returns how long each took, by
/// `table.column`. A reference that cannot be resolved here (its table not
/// loaded, loaded without its key column, or the referring column not read)
/// adds nothing: an evaluator then finds the rows itself and reports what is
/// missing. The referring cells are looked for in the rows after the row
/// found last, then by hash (see [`rows_in_order`]).
pub(super) fn resolve(
    tables: &mut BTreeMap<String, TableLoad>,
    schema: &EvidenceSchema,
) -> Vec<(String, Duration)> {
    let mut took = Vec::new();
    for (name, table_schema) in &schema.tables {
        for column in &table_schema.columns {
            let Some(referenced) = &column.references else {
                continue;
            };
            let started = Instant::now();
            let Some(resolved) = rows_named(tables, name, &column.name, referenced, schema) else {
                continue;
            };
            if let Some(TableLoad::Loaded(parsed)) = tables.get_mut(name) {
                parsed.schema = resolved.0;
                parsed.batches = resolved.1;
                took.push((format!("{name}.{}", column.name), started.elapsed()));
            }
        }
    }
    took
}

/// The schema and batches of `table` with the rows its `column` names in
/// `referenced` added as a last column; `None` when either is not at hand.
fn rows_named(
    tables: &BTreeMap<String, TableLoad>,
    table: &str,
    column: &str,
    referenced: &str,
    schema: &EvidenceSchema,
) -> Option<(Arc<Schema>, Vec<RecordBatch>)> {
    let (Some(TableLoad::Loaded(referring)), Some(TableLoad::Loaded(target_table))) =
        (tables.get(table), tables.get(referenced))
    else {
        return None;
    };
    let [key] = schema.tables.get(referenced)?.key.as_slice() else {
        return None;
    };
    if target_table.key_columns.as_slice() != std::slice::from_ref(key) {
        return None;
    }
    // Checked before any key is numbered: a run that did not read the
    // referring column (`cxaudit kpis` reads no survey's contact id) pays
    // nothing for it.
    let index = referring.schema.index_of(column).ok()?;
    let threads = crate::parallel::cores();
    let key_index = target_table.schema.index_of(key).ok()?;
    let key_arrays: Vec<&dyn Array> = target_table
        .batches
        .iter()
        .map(|b| b.column(key_index).as_ref())
        .collect();
    let keys = key_texts(&key_arrays, threads)?;
    if keys.len() > u32::MAX as usize {
        return None;
    }
    let metadata = HashMap::from([(REFERENCES.to_owned(), target(referenced, key))]);
    let field = Field::new(row_column(column), DataType::UInt32, true).with_metadata(metadata);
    let mut fields: Vec<Field> = referring
        .schema
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .collect();
    fields.push(field);
    let with_rows = Arc::new(Schema::new(fields));
    let cells: Vec<&dyn Array> = referring
        .batches
        .iter()
        .map(|b| b.column(index).as_ref())
        .collect();
    let rows = rows_in_order(
        &keys,
        &cells,
        threads,
        MISSES_BEFORE_HASHING,
        CELLS_FOR_HALVES,
    )?;
    let batches = referring
        .batches
        .iter()
        .zip(rows)
        .map(|(b, rows)| {
            let mut columns = b.columns().to_vec();
            columns.push(Arc::new(rows) as ArrayRef);
            RecordBatch::try_new(with_rows.clone(), columns).ok()
        })
        .collect::<Option<Vec<_>>>()?;
    Some((with_rows, batches))
}

/// The key texts (trimmed) of the referenced table's key column, by row:
/// the two halves of its batches side by side with two threads or more (a
/// list of two million texts took 18 ms on one core, the other idle).
/// `None` when an array is not of strings.
fn key_texts<'a>(arrays: &[&'a dyn Array], threads: usize) -> Option<Vec<&'a str>> {
    let texts = |arrays: &[&'a dyn Array], room: usize| -> Option<Vec<&'a str>> {
        let mut texts = Vec::with_capacity(room);
        for a in arrays {
            texts.extend(str_cells(*a)?.map(|cell| cell.map_or("", trim_cell)));
        }
        Some(texts)
    };
    let rows: usize = arrays.iter().map(|a| a.len()).sum();
    if threads < 2 || rows < CELLS_FOR_HALVES {
        return texts(arrays, rows);
    }
    let (first, second) = arrays.split_at(arrays.len() / 2);
    let (first, second) = crate::parallel::both(|| texts(first, rows), || texts(second, 0));
    let mut keys = first?;
    keys.extend(second?);
    Some(keys)
}

/// How many rows after the row found last a referring cell's key is looked
/// for before it is left to be found by hash.
const AHEAD: usize = 64;

/// How many referring cells may miss the rows ahead before every cell is
/// found by hash: the referring table is then not in the order of the rows
/// it names.
const MISSES_BEFORE_HASHING: usize = 1024;

/// Referring cells below which [`rows_in_order`] scans on one thread.
const CELLS_FOR_HALVES: usize = 1 << 17;

/// How far from where its share of the cells puts it the second half's
/// first key is looked for (rows either way) before the halves are given up.
const HALF_START_REACH: usize = 1 << 16;

/// For each of `arrays` (a referring column's batches), the row of `keys`
/// (the referenced table's key texts, trimmed; unique, its key having been
/// checked for duplicates at load) that each cell names, `None` for an empty
/// cell or a text no row holds; `None` when an array is not of strings.
///
/// The row holding a text being its only row, each cell is looked for first
/// in the [`AHEAD`] rows after the row found last: a referring table in the
/// order of the rows it names (surveys in the order of their contacts, gaps
/// of a few rows) finds every cell there, reading keys it has just read,
/// and no key is hashed. The cells that miss there are found by hash, the
/// keys hashed on `threads` threads ([`KeyRows`]) only then; after more than
/// `misses_allowed` misses every cell is (the rows ahead cost a referring
/// table in another order at most that many short scans).
///
/// With two threads or more and at least `cells_for_halves` cells, the two
/// halves of the batches are scanned side by side, the second from the row
/// of its first text, found near where its share of the cells puts it (see
/// [`second_half_start`]). Where a scan starts changes only which cells
/// miss the rows ahead, never a cell's row: each text is in one row, found
/// ahead or by hash.
fn rows_in_order(
    keys: &[&str],
    arrays: &[&dyn Array],
    threads: usize,
    misses_allowed: usize,
    cells_for_halves: usize,
) -> Option<Vec<UInt32Array>> {
    let by_hash = || KeyRows::of_side_by_side(keys.iter().map(|k| Some(*k)), threads).ok();
    let cells: usize = arrays.iter().map(|a| a.len()).sum();
    let halves = (threads >= 2 && cells >= cells_for_halves)
        .then(|| second_half_start(keys, arrays, cells))
        .flatten();
    let scanned = match halves {
        Some((mid, start)) => {
            let (first, second) = crate::parallel::both(
                || scan_ahead(keys, &arrays[..mid], 0, misses_allowed),
                || scan_ahead(keys, &arrays[mid..], start, misses_allowed),
            );
            first?.joined(second?, mid)
        }
        None => scan_ahead(keys, arrays, 0, misses_allowed)?,
    };
    let Scanned {
        mut found,
        misses,
        overflowed,
    } = scanned;
    if overflowed || misses.len() > misses_allowed {
        return by_hash()?.rows_of_side_by_side(arrays, threads);
    }
    if !misses.is_empty() {
        let by_hash = by_hash()?;
        for (a, i, text) in misses {
            found[a][i] = by_hash.row_of(Some(text));
        }
    }
    Some(found.into_iter().map(UInt32Array::from).collect())
}

/// What a scan of referring cells in the rows ahead found.
struct Scanned<'a> {
    /// Per array, each cell's row (`None`: empty, or a miss).
    found: Vec<Vec<Option<u32>>>,
    /// (array, cell, text) of each cell not found ahead.
    misses: Vec<(usize, usize, &'a str)>,
    /// More cells missed than allowed: the scan stopped.
    overflowed: bool,
}

impl<'a> Scanned<'a> {
    /// These cells' rows followed by `later`'s, whose arrays come after the
    /// first `arrays` of these.
    fn joined(mut self, later: Scanned<'a>, arrays: usize) -> Self {
        self.found.extend(later.found);
        self.misses
            .extend(later.misses.into_iter().map(|(a, i, t)| (a + arrays, i, t)));
        self.overflowed |= later.overflowed;
        self
    }
}

/// Looks for each cell of `arrays` in the [`AHEAD`] rows of `keys` after
/// the row found last, the first from row `next`; stops after more than
/// `misses_allowed` misses. `None` when an array is not of strings.
fn scan_ahead<'a>(
    keys: &[&str],
    arrays: &[&'a dyn Array],
    mut next: usize,
    misses_allowed: usize,
) -> Option<Scanned<'a>> {
    let mut scanned = Scanned {
        found: Vec::with_capacity(arrays.len()),
        misses: Vec::new(),
        overflowed: false,
    };
    for (a, array) in arrays.iter().enumerate() {
        let mut rows = Vec::with_capacity(array.len());
        for cell in str_cells(*array)? {
            let text = cell.map_or("", trim_cell);
            if text.is_empty() {
                rows.push(None);
                continue;
            }
            let ahead = &keys[next.min(keys.len())..(next + AHEAD).min(keys.len())];
            match ahead.iter().position(|k| *k == text) {
                Some(i) => {
                    let row = next + i;
                    rows.push(Some(row as u32));
                    next = row + 1;
                }
                None if scanned.misses.len() < misses_allowed => {
                    scanned.misses.push((a, rows.len(), text));
                    rows.push(None);
                }
                None => {
                    scanned.overflowed = true;
                    return Some(scanned);
                }
            }
        }
        scanned.found.push(rows);
    }
    Some(scanned)
}

/// Where the second half of `arrays` (`cells` cells in all) starts, as the
/// index of its first array, and the row of `keys` its first text is in:
/// looked for within [`HALF_START_REACH`] rows of the row the share of
/// cells before it points to (a referring table in the order of the rows
/// it names has it near there). `None` without a second half, a text in it,
/// or that row nearby.
fn second_half_start(keys: &[&str], arrays: &[&dyn Array], cells: usize) -> Option<(usize, usize)> {
    let mid = arrays.len() / 2;
    if mid == 0 || keys.is_empty() {
        return None;
    }
    let before: usize = arrays[..mid].iter().map(|a| a.len()).sum();
    let text = arrays[mid..].iter().find_map(|a| {
        str_cells(*a)?
            .map(|cell| cell.map_or("", trim_cell))
            .find(|t| !t.is_empty())
    })?;
    let guess = (keys.len() as u128 * before as u128 / cells.max(1) as u128) as usize;
    let guess = guess.min(keys.len() - 1);
    (0..=HALF_START_REACH).find_map(|d| {
        [guess.checked_add(d), guess.checked_sub(d)]
            .into_iter()
            .flatten()
            .find(|&row| keys.get(row) == Some(&text))
            .map(|row| (mid, row))
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use arrow_array::cast::AsArray;
    use arrow_array::types::UInt32Type;
    use arrow_array::{Array, StringArray};
    use cxaudit_plugin_sdk::reference::KeyRows;

    use crate::evidence::{EvidenceStore, load_manifest};
    use crate::pack::parse_schema;

    /// Loads `calls.csv` and `surveys.csv` (surveys' `call` references
    /// calls by `id`), wanting `tables`; returns the store.
    fn load(calls: &str, surveys: &str, tables: &[&str]) -> (tempfile::TempDir, EvidenceStore) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("calls.csv"), calls).unwrap();
        std::fs::write(dir.path().join("surveys.csv"), surveys).unwrap();
        std::fs::write(
            dir.path().join("evidence.toml"),
            "[centre]\nname = \"C\"\n\n[period]\nstart = 2026-01-01\nend = 2026-06-30\n\n\
             [tables]\ncalls = { path = \"calls.csv\", on_error = \"skip\" }\n\
             surveys = { path = \"surveys.csv\" }\n",
        )
        .unwrap();
        let schema = parse_schema(
            Path::new("evidence-schema.toml"),
            "[tables.calls]\nkey = [\"id\"]\ncolumns.id = { type = \"string\" }\n\
             columns.n = { type = \"integer\" }\n\
             [tables.surveys]\nkey = [\"survey\"]\ncolumns.survey = { type = \"string\" }\n\
             columns.call = { type = \"string\", nullable = true, references = \"calls\" }\n",
        )
        .unwrap();
        let all = |t: &str| -> BTreeSet<String> {
            match t {
                "calls" => ["id".to_owned(), "n".to_owned()].into(),
                _ => ["survey".to_owned(), "call".to_owned()].into(),
            }
        };
        let wanted = tables.iter().map(|t| (t.to_string(), all(t))).collect();
        let store = EvidenceStore::load(
            load_manifest(dir.path()).unwrap(),
            &schema,
            &wanted,
            &mut |_| {},
        );
        (dir, store)
    }

    proptest::proptest! {
        /// The rows found ahead, then by hash, are the rows the keys'
        /// hash table finds for every cell, whatever the order of the
        /// referring cells (in the keys' order with gaps, shuffled, with
        /// unknown texts, empty cells and white space), however they are
        /// split in batches, however many misses are allowed before every
        /// cell is found by hash, and whether the halves are scanned side
        /// by side.
        #[test]
        fn rows_found_in_order_are_the_rows_the_hash_table_finds(
            key_count in 0usize..300,
            picks in proptest::collection::vec((0usize..400, 0u8..10), 0..400),
            in_order in proptest::bool::ANY,
            batch in 1usize..50,
            misses_allowed in proptest::prop_oneof![0usize..4, proptest::strategy::Just(1024usize)],
            cells_for_halves in proptest::prop_oneof![0usize..8, proptest::strategy::Just(usize::MAX)],
        ) {
            let keys: Vec<String> = (0..key_count).map(|k| format!("K{k}")).collect();
            let mut picks = picks;
            if in_order {
                picks.sort();
            }
            let cells: Vec<Option<String>> = picks
                .iter()
                .map(|&(k, kind)| match kind {
                    0 => None,
                    1 => Some(String::new()),
                    2 => Some(format!(" K{k} ")),
                    3 => Some(format!("unknown{k}")),
                    _ => Some(format!("K{k}")),
                })
                .collect();
            let arrays: Vec<StringArray> = cells
                .chunks(batch)
                .map(|c| StringArray::from(c.to_vec()))
                .collect();
            let arrays: Vec<&dyn Array> = arrays.iter().map(|a| a as &dyn Array).collect();
            let key_texts: Vec<&str> = keys.iter().map(String::as_str).collect();
            let got = super::rows_in_order(&key_texts, &arrays, 2, misses_allowed, cells_for_halves)
                .unwrap();
            let by_hash = KeyRows::of(key_texts.iter().map(|k| Some(*k))).unwrap();
            let expected: Vec<Option<u32>> =
                cells.iter().map(|c| by_hash.row_of(c.as_deref())).collect();
            let got: Vec<Option<u32>> = got.iter().flat_map(|a| a.iter()).collect();
            proptest::prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn key_texts_read_in_halves_are_the_texts_in_order() {
        // Enough rows for the halves, in batches of uneven sizes, some
        // cells padded, one empty.
        let cells: Vec<Option<String>> = (0..super::CELLS_FOR_HALVES + 1000)
            .map(|k| match k % 7 {
                0 => Some(format!(" K{k}")),
                3 if k == 3 => None,
                _ => Some(format!("K{k}")),
            })
            .collect();
        let arrays: Vec<StringArray> = [0, 50_000, 51_000, 90_000, cells.len()]
            .windows(2)
            .map(|w| StringArray::from(cells[w[0]..w[1]].to_vec()))
            .collect();
        let arrays: Vec<&dyn Array> = arrays.iter().map(|a| a as &dyn Array).collect();
        let expected: Vec<&str> = cells
            .iter()
            .map(|c| c.as_deref().map_or("", str::trim))
            .collect();
        assert_eq!(super::key_texts(&arrays, 2).unwrap(), expected);
        assert_eq!(super::key_texts(&arrays, 1).unwrap(), expected);
    }

    #[test]
    fn a_declared_reference_gains_the_rows_it_names_once_at_load() {
        // K2's second row is a duplicate key, skipped: the reference names the
        // row that stayed. Row numbers count the rows kept (K3 is row 2).
        let calls = "id,n\nK1,1\nK2,2\nK2,9\nK3,3\n";
        let surveys = "survey,call\nS1,K3\nS2,\nS3,K7\nS4,K1\nS5, K2 \n";
        let (_dir, store) = load(calls, surveys, &["calls", "surveys"]);
        let (schema, batches) = store.table_batches("surveys").unwrap();
        let field = schema.field_with_name("call#row").unwrap();
        assert_eq!(
            field
                .metadata()
                .get("cxaudit.references")
                .map(String::as_str),
            Some("calls.id")
        );
        let index = schema.index_of("call#row").unwrap();
        let rows: Vec<Option<u32>> = batches
            .iter()
            .flat_map(|b| b.column(index).as_primitive::<UInt32Type>().iter())
            .collect();
        assert_eq!(rows, [Some(2), None, None, Some(0), Some(1)]);
        assert_eq!(store.reference_times().len(), 1);
        assert_eq!(store.reference_times()[0].0, "surveys.call");
        // The referenced table is as read.
        let (calls_schema, _) = store.table_batches("calls").unwrap();
        assert_eq!(calls_schema.fields().len(), 2);
    }

    #[test]
    fn a_reference_to_a_table_not_read_adds_nothing() {
        let (_dir, store) = load("id,n\nK1,1\n", "survey,call\nS1,K1\n", &["surveys"]);
        let (schema, _) = store.table_batches("surveys").unwrap();
        assert!(schema.field_with_name("call#row").is_err());
        assert!(store.reference_times().is_empty());
    }
}

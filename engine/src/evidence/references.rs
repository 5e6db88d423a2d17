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
use cxaudit_plugin_sdk::Table;
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
    // Read through the plugins' view of the table (its batches shared): its
    // cells come with their count, so the keys are numbered without regrowing.
    let target_view = Table::new(
        referenced,
        target_table.schema.clone(),
        target_table.batches.clone(),
    );
    let threads = crate::parallel::cores();
    let keys: Vec<&str> = target_view
        .strs(key)
        .ok()?
        .map(|cell| cell.map_or("", trim_cell))
        .collect();
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
    let rows = rows_in_order(&keys, &cells, threads, MISSES_BEFORE_HASHING)?;
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

/// How many rows after the row found last a referring cell's key is looked
/// for before it is left to be found by hash.
const AHEAD: usize = 64;

/// How many referring cells may miss the rows ahead before every cell is
/// found by hash: the referring table is then not in the order of the rows
/// it names.
const MISSES_BEFORE_HASHING: usize = 1024;

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
fn rows_in_order(
    keys: &[&str],
    arrays: &[&dyn Array],
    threads: usize,
    misses_allowed: usize,
) -> Option<Vec<UInt32Array>> {
    let by_hash = || KeyRows::of_side_by_side(keys.iter().map(|k| Some(*k)), threads).ok();
    let mut found: Vec<Vec<Option<u32>>> = Vec::with_capacity(arrays.len());
    // (array, cell, text) of each cell not found ahead.
    let mut misses: Vec<(usize, usize, &str)> = Vec::new();
    let mut next = 0;
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
                None if misses.len() < misses_allowed => {
                    misses.push((a, rows.len(), text));
                    rows.push(None);
                }
                None => return by_hash()?.rows_of_side_by_side(arrays, threads),
            }
        }
        found.push(rows);
    }
    if !misses.is_empty() {
        let by_hash = by_hash()?;
        for (a, i, text) in misses {
            found[a][i] = by_hash.row_of(Some(text));
        }
    }
    Some(found.into_iter().map(UInt32Array::from).collect())
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
        /// split in batches, and however many misses are allowed before
        /// every cell is found by hash.
        #[test]
        fn rows_found_in_order_are_the_rows_the_hash_table_finds(
            key_count in 0usize..300,
            picks in proptest::collection::vec((0usize..400, 0u8..10), 0..400),
            in_order in proptest::bool::ANY,
            batch in 1usize..50,
            misses_allowed in proptest::prop_oneof![0usize..4, proptest::strategy::Just(1024usize)],
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
            let got = super::rows_in_order(&key_texts, &arrays, 2, misses_allowed).unwrap();
            let by_hash = KeyRows::of(key_texts.iter().map(|k| Some(*k))).unwrap();
            let expected: Vec<Option<u32>> =
                cells.iter().map(|c| by_hash.row_of(c.as_deref())).collect();
            let got: Vec<Option<u32>> = got.iter().flat_map(|a| a.iter()).collect();
            proptest::prop_assert_eq!(got, expected);
        }
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

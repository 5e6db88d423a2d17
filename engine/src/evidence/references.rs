//! References the evidence schema declares (`references = "contacts"` on a
//! survey's `contact_id`), resolved once after the tables are read: beside
//! the referring column the table gains a `UInt32` column of the referenced
//! table's row numbers (`contact_id#row`, see
//! [`cxaudit_plugin_sdk::reference`]), so no evaluator builds its own map of
//! millions of ids to join the two tables.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use cxaudit_plugin_sdk::Table;
use cxaudit_plugin_sdk::reference::{KeyRows, REFERENCES, row_column, target};

use super::TableLoad;
use crate::pack::EvidenceSchema;

/// Adds to every loaded table the row numbers of each reference the schema
/// declares on a column it read, when the referenced table is loaded with
/// its key checked for duplicates; returns how long each took, by
/// `table.column`. A reference that cannot be resolved here (its table not
/// loaded, loaded without its key column, or the referring column not read)
/// adds nothing: an evaluator then finds the rows itself and reports what is
/// missing. The keys are numbered on every core, and the referring cells
/// looked up on every core, a run of batches each.
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
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let keys = KeyRows::of_side_by_side(target_view.strs(key).ok()?, threads).ok()?;
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
    let rows = keys.rows_of_side_by_side(&cells, threads)?;
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use arrow_array::cast::AsArray;
    use arrow_array::types::UInt32Type;

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

//! The host side of an evaluation: the `HostApi` a plugin calls back into
//! for tables (Arrow C streams over the batches parsed once) and documents,
//! and the call itself.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchIterator, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use cxaudit_plugin_abi as abi;
use cxaudit_plugin_sdk::export::{read_str_ref, str_ref, take_buffer};
use cxaudit_plugin_sdk::reference::is_row_column;
use cxaudit_plugin_sdk::table::{dictionary_strings, str_cells};
use cxaudit_plugin_sdk::{Evaluation, Request};

use super::library::EntryPoint;

/// What the host can hand an evaluator.
pub trait EvidenceAccess {
    /// A parsed table (schema and batches, shared, not copied), or why not.
    fn table(&self, name: &str) -> Result<(SchemaRef, Vec<RecordBatch>), String>;
    /// The documents of a kind as (relative path, text), sorted by path;
    /// `None` when the evidence has none of that kind.
    fn documents(&self, kind: &str) -> Option<Vec<(&str, &str)>>;
}

/// The evidence of a run, as the host hands it to evaluators.
impl EvidenceAccess for crate::evidence::EvidenceStore {
    fn table(&self, name: &str) -> Result<(SchemaRef, Vec<RecordBatch>), String> {
        self.table_batches(name)
    }

    fn documents(&self, kind: &str) -> Option<Vec<(&str, &str)>> {
        self.document_texts(kind)
    }
}

/// The evidence one evaluator declared in its manifest, and nothing else:
/// a table or document kind it did not declare is refused (a table with a
/// message naming the missing declaration; a document kind as absent).
/// What an evaluator reads is then what `check` and the finding's evidence
/// list say it needs, and no evaluator spends time on tables its judgement
/// does not rest on.
pub struct Declared<'a> {
    evidence: &'a dyn EvidenceAccess,
    tables: BTreeSet<&'a str>,
    documents: BTreeSet<&'a str>,
    form: TableForm,
}

/// What a plugin takes of the tables as the host holds them, by the ABI
/// version it was built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableForm {
    /// A `low_cardinality` string column dictionary-encoded (1.1 and
    /// later); else every string column as plain `Utf8`, converted for the
    /// evaluation, which then holds that copy.
    pub dictionaries: bool,
    /// The columns of row numbers the host adds beside a declared reference
    /// (`contact_id#row`; 1.2 and later); else the table without them.
    pub row_references: bool,
}

impl TableForm {
    /// The tables as the host holds them (plugins of the host's ABI).
    pub const AS_HELD: TableForm = TableForm {
        dictionaries: true,
        row_references: true,
    };

    /// What a plugin of ABI version `major.minor` takes (an executable
    /// plugin's `protocol N`, or any other text, takes the 1.0 form).
    pub fn for_abi(abi_version: &str) -> Self {
        let version = abi_version.split_once('.').and_then(|(major, minor)| {
            Some((major.parse::<u16>().ok()?, minor.parse::<u16>().ok()?))
        });
        let minor = match version {
            Some((1, minor)) => minor,
            _ => 0,
        };
        TableForm {
            dictionaries: minor >= 1,
            row_references: minor >= 2,
        }
    }
}

impl<'a> Declared<'a> {
    /// The part of `evidence` that `manifest` declares, its tables in the
    /// `form` the plugin takes.
    pub fn new(
        evidence: &'a dyn EvidenceAccess,
        manifest: &'a cxaudit_plugin_sdk::Manifest,
        form: TableForm,
    ) -> Self {
        Declared {
            evidence,
            tables: manifest.tables.iter().map(|t| t.name.as_str()).collect(),
            documents: manifest.documents.iter().map(|d| d.kind.as_str()).collect(),
            form,
        }
    }
}

/// The batches without the columns of row numbers the host added for
/// references (a projection: nothing is copied).
fn without_row_references(
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
) -> Result<(SchemaRef, Vec<RecordBatch>), String> {
    let kept: Vec<usize> = (0..schema.fields().len())
        .filter(|&i| !is_row_column(schema.field(i).name()))
        .collect();
    if kept.len() == schema.fields().len() {
        return Ok((schema, batches));
    }
    let projected = Arc::new(schema.project(&kept).map_err(|e| e.to_string())?);
    let batches = batches
        .iter()
        .map(|b| b.project(&kept).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    Ok((projected, batches))
}

/// The batches with every dictionary-encoded string column as plain `Utf8`.
fn plain_strings(
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
) -> Result<(SchemaRef, Vec<RecordBatch>), String> {
    let coded = |t: &DataType| t == &dictionary_strings();
    if !schema.fields().iter().any(|f| coded(f.data_type())) {
        return Ok((schema, batches));
    }
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| {
            let field = f.as_ref().clone();
            if coded(f.data_type()) {
                field.with_data_type(DataType::Utf8)
            } else {
                field
            }
        })
        .collect();
    let plain = Arc::new(Schema::new(fields));
    let batches = batches
        .iter()
        .map(|b| {
            let columns = b.columns().iter().map(plain_column).collect();
            RecordBatch::try_new(plain.clone(), columns).map_err(|e| e.to_string())
        })
        .collect::<Result<_, _>>()?;
    Ok((plain, batches))
}

/// A `Dictionary(Int32, Utf8)` column as `Utf8`; any other as it is.
fn plain_column(column: &ArrayRef) -> ArrayRef {
    match str_cells(column.as_ref()) {
        Some(cells) if column.data_type() == &dictionary_strings() => {
            Arc::new(cells.collect::<StringArray>())
        }
        _ => column.clone(),
    }
}

impl EvidenceAccess for Declared<'_> {
    fn table(&self, name: &str) -> Result<(SchemaRef, Vec<RecordBatch>), String> {
        if !self.tables.contains(name) {
            return Err(format!(
                "table `{name}` is not among the tables the evaluator's manifest declares"
            ));
        }
        let (mut schema, mut batches) = self.evidence.table(name)?;
        if !self.form.row_references {
            (schema, batches) = without_row_references(schema, batches)?;
        }
        if !self.form.dictionaries {
            (schema, batches) = plain_strings(schema, batches)?;
        }
        Ok((schema, batches))
    }

    fn documents(&self, kind: &str) -> Option<Vec<(&str, &str)>> {
        if !self.documents.contains(kind) {
            return None;
        }
        self.evidence.documents(kind)
    }
}

/// Which evidence an evaluation opened.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Opened {
    /// Tables, by canonical name.
    pub tables: BTreeSet<String>,
    /// Document kinds.
    pub documents: BTreeSet<String>,
}

struct HostState<'a> {
    access: &'a dyn EvidenceAccess,
    last_error: RefCell<String>,
    opened: RefCell<Opened>,
}

impl HostState<'_> {
    fn fail(&self, status: i32, message: String) -> i32 {
        *self.last_error.borrow_mut() = message;
        status
    }
}

/// Runs an evaluator loaded into this process through the C ABI. Whatever
/// the plugin does short of crashing the process, the result is an
/// `Evaluation` (failures become `error` results).
pub(crate) fn call_evaluator(
    entry: EntryPoint,
    request: &Request,
    access: &dyn EvidenceAccess,
) -> (Evaluation, Opened) {
    let state = HostState {
        access,
        last_error: RefCell::new(String::new()),
        opened: RefCell::default(),
    };
    let api = abi::HostApi {
        struct_size: size_of::<abi::HostApi>(),
        abi_version: abi::ABI_VERSION,
        context: &state as *const HostState as *mut c_void,
        open_table,
        document_count,
        document,
        last_error,
    };
    let request_json = match serde_json::to_string(request) {
        Ok(j) => j,
        Err(e) => {
            return (
                Evaluation::error(format!("cannot encode the request: {e}")),
                Opened::default(),
            );
        }
    };
    let mut out = abi::OwnedBuffer {
        ptr: std::ptr::null_mut(),
        len: 0,
        capacity: 0,
        release: None,
    };
    // SAFETY: the evaluator came from a plugin that passed the handshake;
    // every pointer passed lives until the call returns.
    let status = unsafe { (entry.evaluate)(entry.context, str_ref(&request_json), &api, &mut out) };
    // SAFETY: the plugin filled `out` per the ABI; we release it once.
    let bytes = unsafe { take_buffer(&mut out) };
    let evaluation = match status {
        abi::status::OK => serde_json::from_slice::<Evaluation>(&bytes).unwrap_or_else(|e| {
            Evaluation::error(format!(
                "the plugin returned a result that is not valid JSON for the result schema: {e}"
            ))
        }),
        abi::status::PANICKED => Evaluation::error(format!(
            "evaluator panicked: {}",
            String::from_utf8_lossy(&bytes)
        )),
        code => Evaluation::error(format!(
            "evaluator failed (status {code}): {}",
            String::from_utf8_lossy(&bytes)
        )),
    };
    (evaluation, state.opened.into_inner())
}

/// Recovers the host state from the context pointer.
///
/// # Safety
/// `context` must be the `HostState` of a call in progress.
unsafe fn state<'a>(context: *mut c_void) -> &'a HostState<'a> {
    // SAFETY: guaranteed by the caller.
    unsafe { &*(context as *const HostState) }
}

unsafe extern "C" fn open_table(
    context: *mut c_void,
    table: abi::StrRef,
    out: *mut abi::ArrowArrayStream,
) -> i32 {
    let result = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the plugin passes back our context during the call.
        let state = unsafe { state(context) };
        // SAFETY: borrowed from the plugin for the call.
        let Ok(name) = (unsafe { read_str_ref(table) }) else {
            return state.fail(abi::status::BAD_ARGUMENT, "table name is not UTF-8".into());
        };
        if out.is_null() {
            return state.fail(abi::status::BAD_ARGUMENT, "null output stream".into());
        }
        match state.access.table(name) {
            Ok((schema, batches)) => {
                state.opened.borrow_mut().tables.insert(name.to_owned());
                let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), schema);
                let stream = FFI_ArrowArrayStream::new(Box::new(reader));
                // SAFETY: `out` is the plugin's slot for an ArrowArrayStream;
                // both types are the Arrow C stream struct.
                unsafe { (out as *mut FFI_ArrowArrayStream).write(stream) };
                abi::status::OK
            }
            Err(why) => state.fail(abi::status::NOT_FOUND, why),
        }
    }));
    result.unwrap_or(abi::status::BAD_ARGUMENT)
}

unsafe extern "C" fn document_count(context: *mut c_void, kind: abi::StrRef) -> i64 {
    let result = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: our context, during the call.
        let state = unsafe { state(context) };
        // SAFETY: borrowed for the call.
        let Ok(kind) = (unsafe { read_str_ref(kind) }) else {
            return -1;
        };
        match state.access.documents(kind) {
            Some(docs) => {
                state.opened.borrow_mut().documents.insert(kind.to_owned());
                docs.len() as i64
            }
            None => -1,
        }
    }));
    result.unwrap_or(-1)
}

unsafe extern "C" fn document(
    context: *mut c_void,
    kind: abi::StrRef,
    index: u64,
    out: *mut abi::DocumentRef,
) -> i32 {
    let result = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: our context, during the call.
        let state = unsafe { state(context) };
        // SAFETY: borrowed for the call.
        let Ok(kind) = (unsafe { read_str_ref(kind) }) else {
            return state.fail(
                abi::status::BAD_ARGUMENT,
                "document kind is not UTF-8".into(),
            );
        };
        let docs = state.access.documents(kind).unwrap_or_default();
        let Some((path, text)) = docs.get(index as usize) else {
            return state.fail(
                abi::status::BAD_ARGUMENT,
                format!("no document {index} of kind `{kind}`"),
            );
        };
        if out.is_null() {
            return state.fail(abi::status::BAD_ARGUMENT, "null output document".into());
        }
        // SAFETY: `out` is the plugin's slot; the strings live in the
        // evidence store for the whole run.
        unsafe {
            out.write(abi::DocumentRef {
                path: str_ref(path),
                text: str_ref(text),
            })
        };
        abi::status::OK
    }));
    result.unwrap_or(abi::status::BAD_ARGUMENT)
}

unsafe extern "C" fn last_error(context: *mut c_void) -> abi::StrRef {
    // SAFETY: our context, during the call.
    let state = unsafe { state(context) };
    let message = state.last_error.borrow();
    // The string stays in `state` until the next failing call or the end of
    // the evaluation, which is what the ABI promises.
    abi::StrRef {
        ptr: message.as_ptr(),
        len: message.len(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::Int64Array;
    use arrow_schema::{DataType, Field, Schema};
    use cxaudit_plugin_sdk::{ColumnType, Manifest, TableNeed};

    use super::*;

    /// Evidence with a `calls` and a `staff` table and a `policy` document.
    struct Everything;

    impl EvidenceAccess for Everything {
        fn table(&self, name: &str) -> Result<(SchemaRef, Vec<RecordBatch>), String> {
            let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::Int64, false)]));
            let batch =
                RecordBatch::try_new(schema.clone(), vec![Arc::new(Int64Array::from(vec![1]))])
                    .map_err(|e| e.to_string())?;
            match name {
                "calls" | "staff" => Ok((schema, vec![batch])),
                _ => Err(format!("no `{name}` table")),
            }
        }

        fn documents(&self, kind: &str) -> Option<Vec<(&str, &str)>> {
            (kind == "policy").then(|| vec![("docs/policy.md", "# Policy")])
        }
    }

    #[test]
    fn an_evaluator_sees_only_what_its_manifest_declares() {
        let manifest = Manifest::new("reads calls")
            .table(TableNeed::required("calls").column("n", ColumnType::Integer));
        let declared = Declared::new(&Everything, &manifest, TableForm::AS_HELD);
        assert!(declared.table("calls").is_ok());
        let refused = declared.table("staff").unwrap_err();
        assert_eq!(
            refused,
            "table `staff` is not among the tables the evaluator's manifest declares"
        );
        // An undeclared document kind is absent to it; a declared one is served.
        assert!(declared.documents("policy").is_none());
        let with_policy = manifest.clone().document("policy");
        assert!(
            Declared::new(&Everything, &with_policy, TableForm::AS_HELD)
                .documents("policy")
                .is_some()
        );
        // What the evidence lacks stays the evidence's answer.
        let with_missing = Manifest::new("x").table(TableNeed::optional("agents"));
        let err = Declared::new(&Everything, &with_missing, TableForm::AS_HELD)
            .table("agents")
            .unwrap_err();
        assert_eq!(err, "no `agents` table");
    }

    #[test]
    fn plugins_built_before_abi_1_2_get_tables_without_row_references() {
        use arrow_array::{Int64Array, UInt32Array};
        // `contact_id#row` between two columns a projection must keep in order.
        struct Referring;
        impl EvidenceAccess for Referring {
            fn table(&self, _: &str) -> Result<(SchemaRef, Vec<RecordBatch>), String> {
                let schema = Arc::new(Schema::new(vec![
                    Field::new("contact_id", DataType::Utf8, true),
                    Field::new("contact_id#row", DataType::UInt32, true),
                    Field::new("n", DataType::Int64, false),
                ]));
                let columns: Vec<ArrayRef> = vec![
                    Arc::new(StringArray::from(vec!["C2"])),
                    Arc::new(UInt32Array::from(vec![1])),
                    Arc::new(Int64Array::from(vec![5])),
                ];
                Ok((
                    schema.clone(),
                    vec![RecordBatch::try_new(schema, columns).unwrap()],
                ))
            }
            fn documents(&self, _: &str) -> Option<Vec<(&str, &str)>> {
                None
            }
        }
        let manifest = Manifest::new("reads surveys").table(TableNeed::required("surveys"));
        let names = |abi: &str| -> Vec<String> {
            let (schema, batches) = Declared::new(&Referring, &manifest, TableForm::for_abi(abi))
                .table("surveys")
                .unwrap();
            assert_eq!(batches[0].schema(), schema);
            schema.fields().iter().map(|f| f.name().clone()).collect()
        };
        assert_eq!(names("1.2"), ["contact_id", "contact_id#row", "n"]);
        assert_eq!(names("1.1"), ["contact_id", "n"]);
        assert_eq!(names("protocol 1"), ["contact_id", "n"]);
    }

    #[test]
    fn plugins_built_for_abi_1_0_get_dictionary_columns_as_plain_text() {
        use arrow_array::cast::AsArray;
        use arrow_array::types::Int32Type;
        use arrow_array::{DictionaryArray, Int32Array, Int64Array};
        // `channel` held as a dictionary (an empty cell and an unused value
        // included), beside a number column that no conversion touches.
        struct Coded;
        impl EvidenceAccess for Coded {
            fn table(&self, _: &str) -> Result<(SchemaRef, Vec<RecordBatch>), String> {
                let channel = DictionaryArray::<Int32Type>::try_new(
                    Int32Array::from(vec![Some(1), None, Some(0), Some(1)]),
                    Arc::new(StringArray::from(vec!["chat", "voice", "email"])),
                )
                .unwrap();
                let schema = Arc::new(Schema::new(vec![
                    Field::new("channel", channel.data_type().clone(), true),
                    Field::new("n", DataType::Int64, false),
                ]));
                let n = Int64Array::from(vec![1, 2, 3, 4]);
                let batch =
                    RecordBatch::try_new(schema.clone(), vec![Arc::new(channel), Arc::new(n)])
                        .unwrap();
                Ok((schema, vec![batch]))
            }
            fn documents(&self, _: &str) -> Option<Vec<(&str, &str)>> {
                None
            }
        }
        let manifest = Manifest::new("reads calls").table(TableNeed::required("calls"));
        let (schema, batches) = Declared::new(&Coded, &manifest, TableForm::for_abi("1.0"))
            .table("calls")
            .unwrap();
        assert_eq!(schema.field(0).data_type(), &DataType::Utf8);
        assert!(schema.field(0).is_nullable());
        let text: Vec<Option<&str>> = batches[0].column(0).as_string::<i32>().iter().collect();
        assert_eq!(text, [Some("voice"), None, Some("chat"), Some("voice")]);
        assert_eq!(
            batches[0].column(1).as_ref(),
            &Int64Array::from(vec![1, 2, 3, 4])
        );
        // As held, for plugins built for 1.1.
        let (schema, _) = Declared::new(&Coded, &manifest, TableForm::AS_HELD)
            .table("calls")
            .unwrap();
        assert!(matches!(
            schema.field(0).data_type(),
            DataType::Dictionary(..)
        ));
        // Which plugins take which.
        let form = |dictionaries, row_references| TableForm {
            dictionaries,
            row_references,
        };
        assert_eq!(TableForm::for_abi("1.2"), TableForm::AS_HELD);
        assert_eq!(TableForm::for_abi("1.7"), TableForm::AS_HELD);
        assert_eq!(TableForm::for_abi("1.1"), form(true, false));
        assert_eq!(TableForm::for_abi("1.0"), form(false, false));
        assert_eq!(TableForm::for_abi("protocol 1"), form(false, false));
    }
}

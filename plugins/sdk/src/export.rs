//! The C side of a plugin, written once for every plugin by
//! [`export_plugin!`](crate::export_plugin): descriptors, the evaluate entry
//! point, the host adapter and buffer ownership.

use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};

use arrow_array::RecordBatchReader;
use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use cxaudit_plugin_abi as abi;

use crate::context::{Context, Document, EvalError, Host};
use crate::model::{Evaluation, Manifest, Request, Status};
use crate::table::Table;
use crate::{Evaluator, params};

/// An evaluator behind a pointer: what the export macro stores.
pub trait DynEvaluator: Send + Sync {
    /// Name within the plugin.
    fn name(&self) -> &'static str;
    /// Its manifest.
    fn manifest(&self) -> Manifest;
    /// Runs it on a request; never panics (panics become `error`).
    fn run(&self, request: &Request, host: &dyn Host) -> Evaluation;
}

impl<E: Evaluator> DynEvaluator for E {
    fn name(&self) -> &'static str {
        Evaluator::name(self)
    }
    fn manifest(&self) -> Manifest {
        Evaluator::manifest(self)
    }
    fn run(&self, request: &Request, host: &dyn Host) -> Evaluation {
        run_evaluator(self, request, host)
    }
}

/// Runs an evaluator the way the host does: parameters merged over the
/// manifest's defaults and checked, typed, then `evaluate` under
/// `catch_unwind`. Errors and panics become results, never unwinding.
pub fn run_evaluator<E: Evaluator>(
    evaluator: &E,
    request: &Request,
    host: &dyn Host,
) -> Evaluation {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let manifest = evaluator.manifest();
        let resolved = params::resolve(&manifest, &request.params)
            .map_err(|e| EvalError::Failed(format!("bad parameters: {e}")))?;
        let typed: E::Params = serde_json::from_value(resolved)
            .map_err(|e| EvalError::Failed(format!("bad parameters: {e}")))?;
        let ctx = Context::new(host, request);
        let mut evaluation = evaluator.evaluate(&ctx, &typed)?;
        manifest
            .complete_measurements(&mut evaluation)
            .map_err(EvalError::Failed)?;
        Ok(evaluation)
    }));
    match outcome {
        Ok(Ok(evaluation)) => evaluation,
        Ok(Err(EvalError::MissingEvidence(why))) => {
            Evaluation::with_status(Status::InsufficientEvidence, why)
        }
        Ok(Err(EvalError::NotApplicable(why))) => {
            Evaluation::with_status(Status::NotApplicable, why)
        }
        Ok(Err(EvalError::Failed(why))) => Evaluation::error(why),
        Err(panic) => {
            let at = take_panic_location()
                .map(|l| format!(" at {l}"))
                .unwrap_or_default();
            Evaluation::error(format!(
                "evaluator panicked{at}: {}",
                panic_message(&*panic)
            ))
        }
    }
}

thread_local! {
    static PANIC_LOCATION: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Where the last panic on this thread happened (`file:line`), as the quiet
/// panic hook recorded it; taking it clears it.
pub(crate) fn take_panic_location() -> Option<String> {
    PANIC_LOCATION.with(|p| p.borrow_mut().take())
}

/// Records where a panic resumed on this thread happened (it happened on
/// another thread, whose hook recorded it there).
pub(crate) fn set_panic_location(location: Option<String>) {
    PANIC_LOCATION.with(|p| *p.borrow_mut() = location);
}

/// Replaces the plugin's panic hook (its own copy of `std`, so the host's
/// is untouched) with one that prints nothing and remembers where the
/// panic happened, for the `error` result. Called by the export macro.
pub fn install_quiet_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let location = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()));
            set_panic_location(location);
        }));
    });
}

/// The text of a panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}

/// A plugin's exported state: evaluators and the descriptors pointing at
/// them. Lives in a `static` for the life of the process.
pub struct ExportedPlugin {
    _evaluators: Vec<Box<dyn DynEvaluator>>,
    _strings: Vec<String>,
    _descriptors: Vec<abi::EvaluatorDescriptor>,
    plugin: abi::PluginDescriptor,
}

// SAFETY: the raw pointers point into heap data owned by this value, which
// is immutable after construction.
unsafe impl Send for ExportedPlugin {}
// SAFETY: as above; nothing is mutated after construction.
unsafe impl Sync for ExportedPlugin {}

/// A borrowed string for the ABI.
pub fn str_ref(s: &str) -> abi::StrRef {
    abi::StrRef {
        ptr: s.as_ptr(),
        len: s.len(),
    }
}

/// Reads a borrowed ABI string.
///
/// # Safety
/// `s` must point to `len` readable bytes for the returned lifetime.
pub unsafe fn read_str_ref<'a>(s: abi::StrRef) -> Result<&'a str, std::str::Utf8Error> {
    if s.len == 0 {
        return Ok("");
    }
    // SAFETY: the caller guarantees `len` readable bytes at `ptr`.
    let bytes = unsafe { std::slice::from_raw_parts(s.ptr, s.len) };
    std::str::from_utf8(bytes)
}

impl ExportedPlugin {
    /// Builds the descriptors for `evaluators`.
    pub fn new(name: &str, version: &str, evaluators: Vec<Box<dyn DynEvaluator>>) -> Self {
        let mut strings = vec![
            name.to_owned(),
            version.to_owned(),
            crate::SDK_VERSION.to_owned(),
        ];
        for ev in &evaluators {
            let manifest = serde_json::to_string(&ev.manifest())
                .unwrap_or_else(|e| format!("{{\"error\":\"manifest: {e}\"}}"));
            strings.push(ev.name().to_owned());
            strings.push(manifest);
        }
        let descriptors: Vec<abi::EvaluatorDescriptor> = evaluators
            .iter()
            .enumerate()
            .map(|(i, ev)| abi::EvaluatorDescriptor {
                struct_size: size_of::<abi::EvaluatorDescriptor>(),
                name: str_ref(&strings[3 + 2 * i]),
                manifest_json: str_ref(&strings[4 + 2 * i]),
                context: ev as *const Box<dyn DynEvaluator> as *const c_void,
                evaluate: ffi_evaluate,
            })
            .collect();
        let plugin = abi::PluginDescriptor {
            struct_size: size_of::<abi::PluginDescriptor>(),
            abi_version: abi::ABI_VERSION,
            name: str_ref(&strings[0]),
            version: str_ref(&strings[1]),
            sdk_version: str_ref(&strings[2]),
            evaluator_count: descriptors.len(),
            evaluators: descriptors.as_ptr(),
        };
        ExportedPlugin {
            _evaluators: evaluators,
            _strings: strings,
            _descriptors: descriptors,
            plugin,
        }
    }

    /// The descriptor handed to the host.
    pub fn descriptor(&self) -> *const abi::PluginDescriptor {
        &self.plugin
    }
}

/// A buffer the receiver frees with its `release`.
pub fn buffer_from_vec(bytes: Vec<u8>) -> abi::OwnedBuffer {
    let mut bytes = std::mem::ManuallyDrop::new(bytes);
    abi::OwnedBuffer {
        ptr: bytes.as_mut_ptr(),
        len: bytes.len(),
        capacity: bytes.capacity(),
        release: Some(release_vec),
    }
}

unsafe extern "C" fn release_vec(buffer: *mut abi::OwnedBuffer) {
    if buffer.is_null() {
        return;
    }
    // SAFETY: `buffer` was filled by `buffer_from_vec`; release is called once.
    unsafe {
        let b = &mut *buffer;
        if !b.ptr.is_null() {
            drop(Vec::from_raw_parts(b.ptr, b.len, b.capacity));
        }
        b.ptr = std::ptr::null_mut();
        b.len = 0;
        b.capacity = 0;
        b.release = None;
    }
}

/// Copies a received buffer and releases it.
///
/// # Safety
/// `buffer` must have been filled by the other side per the ABI.
pub unsafe fn take_buffer(buffer: &mut abi::OwnedBuffer) -> Vec<u8> {
    let bytes = if buffer.ptr.is_null() || buffer.len == 0 {
        Vec::new()
    } else {
        // SAFETY: the producer guarantees `len` readable bytes.
        unsafe { std::slice::from_raw_parts(buffer.ptr, buffer.len).to_vec() }
    };
    if let Some(release) = buffer.release {
        // SAFETY: released once, by the receiver, as the ABI says.
        unsafe { release(buffer) };
    }
    bytes
}

/// The evaluate entry point of every exported evaluator.
unsafe extern "C" fn ffi_evaluate(
    context: *const c_void,
    request_json: abi::StrRef,
    host: *const abi::HostApi,
    out: *mut abi::OwnedBuffer,
) -> i32 {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        if context.is_null() || host.is_null() || out.is_null() {
            return Err((abi::status::BAD_ARGUMENT, "null argument".to_owned()));
        }
        // SAFETY: `context` is the `&Box<dyn DynEvaluator>` set in `new`.
        let evaluator = unsafe { &*(context as *const Box<dyn DynEvaluator>) };
        // SAFETY: the host guarantees the request bytes for the call.
        let text = unsafe { read_str_ref(request_json) }.map_err(|e| {
            (
                abi::status::BAD_ARGUMENT,
                format!("request is not UTF-8: {e}"),
            )
        })?;
        let request: Request = serde_json::from_str(text)
            .map_err(|e| (abi::status::BAD_ARGUMENT, format!("bad request JSON: {e}")))?;
        // SAFETY: the host guarantees `host` for the call.
        let host = FfiHost {
            api: unsafe { &*host },
        };
        let evaluation = evaluator.run(&request, &host);
        serde_json::to_vec(&evaluation)
            .map_err(|e| (abi::status::EVALUATOR_FAILED, format!("result JSON: {e}")))
    }));
    let (code, bytes) = match outcome {
        Ok(Ok(json)) => (abi::status::OK, json),
        Ok(Err((code, message))) => (code, message.into_bytes()),
        Err(panic) => (abi::status::PANICKED, panic_message(&*panic).into_bytes()),
    };
    if !out.is_null() {
        // SAFETY: checked non-null; the host owns the slot and releases it.
        unsafe { out.write(buffer_from_vec(bytes)) };
    }
    code
}

/// The host as seen through the C ABI.
struct FfiHost<'a> {
    api: &'a abi::HostApi,
}

impl FfiHost<'_> {
    fn last_error(&self) -> String {
        // SAFETY: the host's function, valid for the call.
        let s = unsafe { (self.api.last_error)(self.api.context) };
        // SAFETY: valid until the next host call.
        unsafe { read_str_ref(s) }
            .unwrap_or("(error message not UTF-8)")
            .to_owned()
    }
}

impl Host for FfiHost<'_> {
    fn table(&self, name: &str) -> Result<Table, String> {
        let mut stream = FFI_ArrowArrayStream::empty();
        // SAFETY: `abi::ArrowArrayStream` and `FFI_ArrowArrayStream` are both
        // the Arrow C Stream Interface struct, with the same layout.
        let status = unsafe {
            (self.api.open_table)(
                self.api.context,
                str_ref(name),
                &mut stream as *mut FFI_ArrowArrayStream as *mut abi::ArrowArrayStream,
            )
        };
        if status != abi::status::OK {
            return Err(self.last_error());
        }
        let reader = RecordBatchStreamReader::try_new(stream).map_err(|e| e.to_string())?;
        let schema = reader.schema();
        let batches = reader
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        Ok(Table::new(name, schema, batches))
    }

    fn documents(&self, kind: &str) -> Result<Option<Vec<Document>>, String> {
        // SAFETY: the host's function, valid for the call.
        let count = unsafe { (self.api.document_count)(self.api.context, str_ref(kind)) };
        if count < 0 {
            return Ok(None);
        }
        let mut docs = Vec::with_capacity(count as usize);
        for index in 0..count as u64 {
            let mut doc = abi::DocumentRef {
                path: str_ref(""),
                text: str_ref(""),
            };
            // SAFETY: the host's function, valid for the call.
            let status =
                unsafe { (self.api.document)(self.api.context, str_ref(kind), index, &mut doc) };
            if status != abi::status::OK {
                return Err(self.last_error());
            }
            // SAFETY: borrowed from the host for the duration of the call.
            let (path, text) = unsafe { (read_str_ref(doc.path), read_str_ref(doc.text)) };
            let path = path.map_err(|e| format!("document path is not UTF-8: {e}"))?;
            let text = text.map_err(|e| format!("document `{path}` is not UTF-8: {e}"))?;
            docs.push(Document::new(path, text));
        }
        Ok(Some(docs))
    }
}

/// Builds a plugin's descriptor once, under `catch_unwind`: the body of
/// every init entry point the macros write (null if building it panicked).
pub fn init_once(
    cell: &'static std::sync::OnceLock<ExportedPlugin>,
    build: impl FnOnce() -> ExportedPlugin,
) -> *const abi::PluginDescriptor {
    catch_unwind(AssertUnwindSafe(|| cell.get_or_init(build).descriptor()))
        .unwrap_or(std::ptr::null())
}

/// A plugin's entry points as ordinary Rust functions of its crate,
/// `abi_version()` and `init()`, and its name as `NAME`, with the plugin's
/// name, version and evaluators; no symbol is exported, so several such crates link into one
/// executable (the first-party plugins built into `cxaudit`). A separate
/// `cdylib` crate exports them with `export_plugin!(entry: crate_name)`.
///
/// ```ignore
/// cxaudit_plugin_sdk::plugin_entry!(
///     name: "workforce",
///     version: env!("CARGO_PKG_VERSION"),
///     evaluators: [ForecastAccuracy, StaffingFit],
/// );
/// ```
#[macro_export]
macro_rules! plugin_entry {
    (name: $name:expr, version: $version:expr, evaluators: [$($evaluator:expr),* $(,)?] $(,)?) => {
        /// The plugin's name, as packs write it (`name/evaluator`).
        pub const NAME: &str = $name;

        /// Probe: the ABI version this plugin was built against.
        pub extern "C" fn abi_version() -> u32 {
            $crate::abi::ABI_VERSION
        }

        /// Init: the plugin's descriptor (null if building it panicked).
        pub extern "C" fn init() -> *const $crate::abi::PluginDescriptor {
            static PLUGIN: ::std::sync::OnceLock<$crate::export::ExportedPlugin> =
                ::std::sync::OnceLock::new();
            $crate::export::init_once(&PLUGIN, || {
                $crate::export::ExportedPlugin::new(
                    NAME,
                    $version,
                    vec![$(::std::boxed::Box::new($evaluator)
                        as ::std::boxed::Box<dyn $crate::export::DynEvaluator>),*],
                )
            })
        }
    };
}

/// Exports a plugin: the probe and init symbols of the C ABI, with the
/// plugin's name, version and evaluators.
///
/// ```ignore
/// cxaudit_plugin_sdk::export_plugin!(
///     name: "workforce",
///     version: env!("CARGO_PKG_VERSION"),
///     evaluators: [ForecastAccuracy, StaffingFit],
/// );
/// ```
///
/// Or the entry points a crate wrote with
/// [`plugin_entry!`](crate::plugin_entry), from a thin `cdylib` crate:
///
/// ```ignore
/// cxaudit_plugin_sdk::export_plugin!(entry: cxaudit_workforce);
/// ```
#[macro_export]
macro_rules! export_plugin {
    (entry: $entry:ident $(,)?) => {
        /// Probe: the ABI version this plugin was built against.
        #[unsafe(no_mangle)]
        pub extern "C" fn cxaudit_plugin_abi_version() -> u32 {
            $entry::abi_version()
        }

        /// Init: the plugin's descriptor (null if building it panicked).
        #[unsafe(no_mangle)]
        pub extern "C" fn cxaudit_plugin_init() -> *const $crate::abi::PluginDescriptor {
            $crate::export::install_quiet_panic_hook();
            $entry::init()
        }
    };
    (name: $name:expr, version: $version:expr, evaluators: [$($evaluator:expr),* $(,)?] $(,)?) => {
        // The entry points written once, by `plugin_entry!`, in a block that
        // sees the caller's items, and exported from it.
        const _: () = {
            $crate::plugin_entry!(name: $name, version: $version, evaluators: [$($evaluator),*]);

            /// Probe: the ABI version this plugin was built against.
            #[unsafe(no_mangle)]
            pub extern "C" fn cxaudit_plugin_abi_version() -> u32 {
                abi_version()
            }

            /// Init: the plugin's descriptor (null if building it panicked).
            #[unsafe(no_mangle)]
            pub extern "C" fn cxaudit_plugin_init() -> *const $crate::abi::PluginDescriptor {
                $crate::export::install_quiet_panic_hook();
                init()
            }
        };
    };
}

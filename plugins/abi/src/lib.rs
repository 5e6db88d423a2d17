//! The C ABI between the cxaudit host and its plugins, version 1.1.
//!
//! This crate holds `#[repr(C)]` types, function-pointer types and symbol
//! names only; it has no dependencies and no behaviour. Plugin authors do not
//! use it directly: the `cxaudit-plugin-sdk` crate wraps it in safe Rust.
//!
//! # Handshake
//!
//! A plugin is a shared library exporting two symbols:
//!
//! 1. [`PROBE_SYMBOL`] (`cxaudit_plugin_abi_version`), a [`ProbeFn`] whose
//!    shape never changes: it returns the ABI version the plugin was built
//!    against, `major << 16 | minor`. The host refuses a plugin whose major
//!    version differs from [`ABI_VERSION_MAJOR`] (naming both versions), or
//!    whose minor version is newer than the host's.
//! 2. [`INIT_SYMBOL`] (`cxaudit_plugin_init`), an [`InitFn`] returning a
//!    pointer to a static [`PluginDescriptor`]: struct size, plugin name,
//!    version, SDK version and the evaluators.
//!
//! # Evaluation
//!
//! Each [`EvaluatorDescriptor`] carries a JSON manifest (what the evaluator
//! needs and produces) and an [`EvaluateFn`]. The host calls it with a JSON
//! request (criterion, parameters, period) and a [`HostApi`] through which
//! the evaluator pulls tables as Arrow C streams ([`ArrowArrayStream`], the
//! Arrow C Stream Interface, zero-copy) and documents as UTF-8 bytes with
//! their relative path. The evaluator writes its result JSON into an
//! [`OwnedBuffer`] that carries its own `release` function: the side that
//! allocated a buffer is the side that frees it.
//!
//! # Evolution
//!
//! Structs only grow at the end and carry their size in `struct_size`; a
//! reader checks the size before touching a field added after 1.0. Adding a
//! field bumps the minor version; changing or removing one bumps the major.
//! Versions: 1.1 lets a string column arrive dictionary-encoded (an
//! evidence-schema column marked `low_cardinality`: Arrow format `i`, Int32
//! indexes, with a `u` dictionary of values); a plugin built for 1.0 gets
//! every string column as plain `u` text, converted by the host. 1.2 lets
//! a table carry, beside a column the evidence schema declares a reference
//! (`references = "contacts"`), a column of the referenced table's row
//! numbers: `<column>#row`, Arrow format `I` (UInt32; empty when the cell
//! names no row), its field metadata `cxaudit.references` naming
//! `table.key`; a plugin built for 1.0 or 1.1 gets the table without it.
//! Nothing here is a Rust trait object, so plugins and host may be built by
//! different compilers, and a child-process host can later serve the same
//! [`HostApi`] over a pipe without any change to plugins.

#![no_std]

use core::ffi::{c_char, c_int, c_void};

/// Major version of this ABI: a plugin built against another major is refused.
pub const ABI_VERSION_MAJOR: u16 = 1;
/// Minor version of this ABI: additions at the end of structs, (1.1)
/// dictionary-encoded string columns and (1.2) columns of row numbers for
/// references between tables.
pub const ABI_VERSION_MINOR: u16 = 2;
/// The packed version returned by the probe: `major << 16 | minor`.
pub const ABI_VERSION: u32 = pack_version(ABI_VERSION_MAJOR, ABI_VERSION_MINOR);

/// Packs a version as the probe returns it: `major << 16 | minor`.
pub const fn pack_version(major: u16, minor: u16) -> u32 {
    ((major as u32) << 16) | minor as u32
}

/// Splits a packed version into `(major, minor)`.
pub const fn unpack_version(packed: u32) -> (u16, u16) {
    ((packed >> 16) as u16, (packed & 0xffff) as u16)
}

/// Name of the probe symbol, NUL-terminated for symbol lookup.
pub const PROBE_SYMBOL: &[u8] = b"cxaudit_plugin_abi_version\0";
/// Name of the init symbol, NUL-terminated for symbol lookup.
pub const INIT_SYMBOL: &[u8] = b"cxaudit_plugin_init\0";

/// The probe: returns the packed ABI version. Its shape never changes.
pub type ProbeFn = unsafe extern "C" fn() -> u32;
/// The init function: returns the plugin's static descriptor (never null).
pub type InitFn = unsafe extern "C" fn() -> *const PluginDescriptor;

/// Status codes returned across the boundary.
pub mod status {
    /// The call succeeded.
    pub const OK: i32 = 0;
    /// The requested table or document is not in the evidence (or failed to load).
    pub const NOT_FOUND: i32 = 1;
    /// The evaluator failed; the output buffer holds a UTF-8 message.
    pub const EVALUATOR_FAILED: i32 = 2;
    /// The evaluator panicked; the output buffer holds the panic message.
    pub const PANICKED: i32 = 3;
    /// A bad argument (e.g. invalid UTF-8, an index out of range).
    pub const BAD_ARGUMENT: i32 = 4;
}

/// A borrowed UTF-8 string: pointer and length, not NUL-terminated.
/// Valid for as long as its owner says (static for descriptors, the duration
/// of the call for arguments).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct StrRef {
    /// First byte (may dangle when `len` is 0).
    pub ptr: *const u8,
    /// Length in bytes.
    pub len: usize,
}

/// A byte buffer handed from one side to the other; the receiver calls
/// `release` (when not null) exactly once when done with it.
#[repr(C)]
#[derive(Debug)]
pub struct OwnedBuffer {
    /// First byte.
    pub ptr: *mut u8,
    /// Length in bytes.
    pub len: usize,
    /// Allocation capacity, for the allocator's use.
    pub capacity: usize,
    /// Frees the buffer; set by the allocating side.
    pub release: Option<unsafe extern "C" fn(buffer: *mut OwnedBuffer)>,
}

/// The plugin's static descriptor, returned by [`InitFn`].
#[repr(C)]
pub struct PluginDescriptor {
    /// `size_of::<PluginDescriptor>()` as the plugin was compiled.
    pub struct_size: usize,
    /// The packed ABI version (same as the probe).
    pub abi_version: u32,
    /// The plugin's name, e.g. `workforce` (lower case, no `/`).
    pub name: StrRef,
    /// The plugin's version (semver).
    pub version: StrRef,
    /// The version of the SDK it was built with.
    pub sdk_version: StrRef,
    /// Number of entries in `evaluators`.
    pub evaluator_count: usize,
    /// The evaluators, `evaluator_count` of them.
    pub evaluators: *const EvaluatorDescriptor,
}

/// One evaluator of a plugin.
#[repr(C)]
pub struct EvaluatorDescriptor {
    /// `size_of::<EvaluatorDescriptor>()` as the plugin was compiled.
    pub struct_size: usize,
    /// The evaluator's name within its plugin, e.g. `forecast_accuracy`.
    pub name: StrRef,
    /// JSON manifest: description, needs (tables, columns, documents),
    /// parameters with defaults and ranges, measurements produced.
    pub manifest_json: StrRef,
    /// Evaluator state, passed back as the first argument of `evaluate`.
    pub context: *const c_void,
    /// Runs the evaluator.
    pub evaluate: EvaluateFn,
}

/// Runs one evaluation. `context` is the descriptor's `context`;
/// `request_json` is borrowed for the call; `host` is valid for the call; on
/// return `out` holds the result JSON (status `OK`) or a UTF-8 error
/// message (other statuses), released by the host.
pub type EvaluateFn = unsafe extern "C" fn(
    context: *const c_void,
    request_json: StrRef,
    host: *const HostApi,
    out: *mut OwnedBuffer,
) -> i32;

/// A document handed to a plugin: relative path and UTF-8 text, both
/// borrowed from the host for the duration of the evaluation.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct DocumentRef {
    /// Path relative to the evidence folder, `/`-separated.
    pub path: StrRef,
    /// The document's bytes (UTF-8).
    pub text: StrRef,
}

/// The Arrow C Stream Interface (`struct ArrowArrayStream` of the Arrow
/// specification). Schemas and arrays are passed as opaque pointers to
/// `struct ArrowSchema` / `struct ArrowArray`; both sides use an Arrow
/// implementation to produce and consume them.
#[repr(C)]
#[derive(Debug)]
pub struct ArrowArrayStream {
    /// Writes the stream's schema into `out` (an `ArrowSchema`).
    pub get_schema:
        Option<unsafe extern "C" fn(stream: *mut ArrowArrayStream, out: *mut c_void) -> c_int>,
    /// Writes the next batch into `out` (an `ArrowArray`); released array at end.
    pub get_next:
        Option<unsafe extern "C" fn(stream: *mut ArrowArrayStream, out: *mut c_void) -> c_int>,
    /// The last error message, valid until the next call.
    pub get_last_error:
        Option<unsafe extern "C" fn(stream: *mut ArrowArrayStream) -> *const c_char>,
    /// Releases the stream; null once released.
    pub release: Option<unsafe extern "C" fn(stream: *mut ArrowArrayStream)>,
    /// Producer-owned state.
    pub private_data: *mut c_void,
}

/// What the host offers an evaluator during one call. Every pointer it
/// hands out stays valid until the evaluate function returns.
#[repr(C)]
pub struct HostApi {
    /// `size_of::<HostApi>()` as the host was compiled.
    pub struct_size: usize,
    /// The host's packed ABI version.
    pub abi_version: u32,
    /// Host state, passed back to every function below.
    pub context: *mut c_void,
    /// Opens a table by canonical name as an Arrow stream over the batches
    /// the host already parsed. Returns `OK` and fills `out` (the plugin
    /// releases it), or `NOT_FOUND` with a reason from `last_error`.
    pub open_table: unsafe extern "C" fn(
        context: *mut c_void,
        table: StrRef,
        out: *mut ArrowArrayStream,
    ) -> i32,
    /// Number of documents of a kind (a folder kind may hold many);
    /// -1 when the kind is absent from the evidence.
    pub document_count: unsafe extern "C" fn(context: *mut c_void, kind: StrRef) -> i64,
    /// Fills `out` with document `index` of `kind` (sorted by path).
    pub document: unsafe extern "C" fn(
        context: *mut c_void,
        kind: StrRef,
        index: u64,
        out: *mut DocumentRef,
    ) -> i32,
    /// The reason for the last non-`OK` status on this host, valid until the
    /// next call.
    pub last_error: unsafe extern "C" fn(context: *mut c_void) -> StrRef,
}

// The layout is the contract: these sizes must not change within a major
// version (they may only grow, with a minor bump).
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(core::mem::size_of::<StrRef>() == 16);
    assert!(core::mem::size_of::<OwnedBuffer>() == 32);
    assert!(core::mem::size_of::<PluginDescriptor>() == 80);
    assert!(core::mem::size_of::<EvaluatorDescriptor>() == 56);
    assert!(core::mem::size_of::<DocumentRef>() == 32);
    assert!(core::mem::size_of::<ArrowArrayStream>() == 40);
    assert!(core::mem::size_of::<HostApi>() == 56);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_packs_and_unpacks() {
        assert_eq!(ABI_VERSION, 0x0001_0002);
        assert_eq!(unpack_version(pack_version(3, 7)), (3, 7));
    }

    #[test]
    fn symbols_are_nul_terminated() {
        assert_eq!(PROBE_SYMBOL.last(), Some(&0));
        assert_eq!(INIT_SYMBOL.last(), Some(&0));
    }
}

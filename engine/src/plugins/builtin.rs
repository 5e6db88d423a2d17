//! Plugins compiled into the running executable: the binary hands their
//! entry points to discovery (the engine links no plugin crate). A library
//! on disk of the same plugin name is used instead; a built-in's record
//! names the executable and its sha256.

use cxaudit_plugin_abi as abi;

/// A plugin compiled into the executable: its probe and init entry points,
/// the same two functions a plugin library exports.
#[derive(Debug, Clone, Copy)]
pub struct BuiltIn {
    /// The plugin's name (`NAME` of its crate): a library of that name
    /// found on disk shadows it without a handshake.
    pub name: &'static str,
    /// The ABI version it was built against.
    pub probe: abi::ProbeFn,
    /// Its descriptor.
    pub init: abi::InitFn,
}

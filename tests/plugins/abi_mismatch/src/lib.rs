//! A plugin as a future host's SDK would build it: ABI 2.0. The host must
//! refuse it with a message naming both versions, without calling init.

use cxaudit_plugin_abi::{PluginDescriptor, pack_version};

/// The ABI version this plugin claims: 2.0.
pub const CLAIMED_ABI: u32 = pack_version(2, 0);

/// Probe: reports ABI 2.0.
#[unsafe(no_mangle)]
pub extern "C" fn cxaudit_plugin_abi_version() -> u32 {
    CLAIMED_ABI
}

/// Init: must never be called by a 1.x host.
#[unsafe(no_mangle)]
pub extern "C" fn cxaudit_plugin_init() -> *const PluginDescriptor {
    std::process::abort()
}

//! Plugins: finding shared libraries, the version handshake, and calling
//! evaluators through the C ABI.

mod discovery;
mod host;
mod library;

pub use discovery::{PluginSources, discover};
pub use host::{EvidenceAccess, call_evaluator};
pub use library::{LoadedEvaluator, LoadedPlugin, RefusedPlugin, Registry, load_library};

/// A plugin that could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PluginError {
    /// Built against another ABI major version (or a newer minor).
    #[error(
        "plugin built for ABI {plugin_major}.{plugin_minor}, this host speaks ABI {host_major}.{host_minor}"
    )]
    AbiMismatch {
        /// The library.
        path: String,
        /// The plugin's ABI major.
        plugin_major: u16,
        /// The plugin's ABI minor.
        plugin_minor: u16,
        /// The host's ABI major.
        host_major: u16,
        /// The host's ABI minor.
        host_minor: u16,
    },
    /// Not a cxaudit plugin, or broken.
    #[error("{reason}")]
    Invalid {
        /// The library.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

//! Plugins: finding shared libraries, the version handshake, and calling
//! evaluators through the C ABI, in a child process (the default: plugins
//! are untrusted code) or in the host process.

mod builtin;
mod child;
mod discovery;
mod dispatch;
mod host;
mod library;
mod program;
mod resident;

use std::time::Duration;

pub use builtin::BuiltIn;
pub use child::{
    CapturedOutput, ChildFailure, ChildLimits, ChildRun, run_in_child, wait_for_reaping,
};
pub use discovery::{PluginSources, discover};
pub use dispatch::{Called, Caller};
pub use host::{Declared, EvidenceAccess, Opened, TableForm};
pub use library::{LoadedEvaluator, LoadedPlugin, RefusedPlugin, Registry, load_library};
pub use program::{Described, DescribedEvaluator, PLUGIN_FILE, PROTOCOL, Program};

/// How long one evaluation may take when neither the pack nor the command
/// line says: a healthy evaluator takes seconds on a year of a large centre,
/// so five minutes means it is stuck.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Address space a plugin child may add to what it inherits when the
/// command line does not say: 8 GiB, the most a year of a 10-million-contact
/// centre needs (see BENCHMARKS.md).
pub const DEFAULT_MEMORY: u64 = 8 * 1024 * 1024 * 1024;

/// Where plugin code runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Isolation {
    /// In a child process for each handshake, and a process per plugin
    /// library for its evaluations, within limits: a crash, hang or exit
    /// costs one criterion (the default).
    Process(ChildLimits),
    /// In the host process, for trusted plugins and benchmarks: a crashing
    /// plugin ends the run.
    None,
}

impl Default for Isolation {
    fn default() -> Self {
        Isolation::Process(ChildLimits {
            timeout: DEFAULT_TIMEOUT,
            memory: Some(DEFAULT_MEMORY),
        })
    }
}

/// A plugin that could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize, serde::Deserialize)]
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

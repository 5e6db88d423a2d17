//! Where plugins are looked for: `--plugins DIR` (repeatable),
//! `CXAUDIT_PLUGIN_PATH`, and the folder of the executable; then the
//! plugins built into the executable. A plugin on disk is a shared library,
//! or a program declared by a `cxaudit-plugin.toml` in its folder.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::builtin::BuiltIn;

/// The places to look for plugins, in order of precedence.
#[derive(Debug, Clone, Default)]
pub struct PluginSources {
    /// Folders given on the command line, walked recursively.
    pub dirs: Vec<PathBuf>,
    /// Also read `CXAUDIT_PLUGIN_PATH` (folders separated like `PATH`).
    pub use_env: bool,
    /// Also look next to the executable (that folder itself, and its
    /// `plugins/` subfolder recursively).
    pub use_exe_dir: bool,
    /// Plugins built into the executable, used when no library of the same
    /// plugin name is found.
    pub builtins: Vec<BuiltIn>,
}

impl PluginSources {
    /// The usual sources: the given folders, the environment, the executable's folder.
    pub fn standard(dirs: Vec<PathBuf>) -> Self {
        PluginSources {
            dirs,
            use_env: true,
            use_exe_dir: true,
            builtins: Vec::new(),
        }
    }

    /// Only the given folders.
    pub fn only(dirs: Vec<PathBuf>) -> Self {
        PluginSources {
            dirs,
            use_env: false,
            use_exe_dir: false,
            builtins: Vec::new(),
        }
    }

    /// These sources, then the given built-in plugins.
    pub fn with_builtins(self, builtins: Vec<BuiltIn>) -> Self {
        PluginSources { builtins, ..self }
    }
}

/// Whether a file is a plugin: a shared library of this platform by its
/// name, or an executable plugin's `cxaudit-plugin.toml`.
fn is_plugin_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if name == super::program::PLUGIN_FILE {
        true
    } else if cfg!(target_os = "windows") {
        name.ends_with(".dll")
    } else if cfg!(target_os = "macos") {
        name.ends_with(".dylib")
    } else {
        name.starts_with("lib") && name.ends_with(".so")
    }
}

impl PluginSources {
    /// The folders searched, in order, each with how deep it is walked.
    fn roots(&self) -> Vec<(PathBuf, usize)> {
        let mut roots: Vec<(PathBuf, usize)> =
            self.dirs.iter().map(|d| (d.clone(), usize::MAX)).collect();
        if self.use_env
            && let Some(value) = std::env::var_os("CXAUDIT_PLUGIN_PATH")
        {
            let dirs = std::env::split_paths(&value).filter(|p| !p.as_os_str().is_empty());
            roots.extend(dirs.map(|p| (p, usize::MAX)));
        }
        if self.use_exe_dir
            && let Some(dir) = std::env::current_exe()
                .ok()
                .and_then(|e| e.parent().map(Path::to_path_buf))
        {
            roots.push((dir.clone(), 1));
            roots.push((dir.join("plugins"), usize::MAX));
        }
        roots
    }

    /// The folders searched, in order (for messages).
    pub fn folders(&self) -> Vec<PathBuf> {
        self.roots().into_iter().map(|(dir, _)| dir).collect()
    }
}

/// Every candidate library or plugin file, in a stable order (by source,
/// then by path).
pub fn discover(sources: &PluginSources) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for (root, depth) in sources.roots() {
        let mut here: Vec<PathBuf> = WalkDir::new(&root)
            .max_depth(depth)
            .follow_links(true)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file() && is_plugin_file(e.path()))
            .map(|e| e.into_path())
            .collect();
        here.sort();
        found.extend(here);
    }
    found
}

//! Python with pyarrow, for the tests of executable plugins: the system's
//! `python3` when it imports pyarrow, else pyarrow installed once by pip
//! into `target/python-deps` (a pinned version), so the README's test
//! command needs nothing installed by hand. The helper module
//! (`plugins/python/cxaudit_plugin.py`) is put on the path beside it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The pyarrow the tests install when the system has none.
pub const PYARROW: &str = "pyarrow==26.0.1";

/// `PYTHONPATH` for the plugin programs of the tests: the helper module's
/// folder, and pyarrow's when it is not the system's.
pub fn python_path() -> OsString {
    static PATH: OnceLock<OsString> = OnceLock::new();
    PATH.get_or_init(|| {
        let mut parts = vec![crate::root().join("plugins/python")];
        if !imports_pyarrow(None) {
            let deps = crate::root().join("target/python-deps");
            if !imports_pyarrow(Some(&deps)) {
                install(&deps);
            }
            parts.push(deps);
        }
        std::env::join_paths(parts).expect("a PYTHONPATH")
    })
    .clone()
}

/// Whether `python3` imports pyarrow, from `extra` too when given.
fn imports_pyarrow(extra: Option<&Path>) -> bool {
    let mut command = Command::new("python3");
    command.args(["-c", "import pyarrow"]);
    if let Some(dir) = extra {
        command.env("PYTHONPATH", dir);
    }
    match command.output() {
        Ok(o) => o.status.success(),
        Err(e) => panic!("python3 is needed by the executable-plugin tests: {e}"),
    }
}

/// Installs pyarrow into `deps` (into a fresh folder first, then moved into
/// place, so an interrupted install leaves nothing half-written).
fn install(deps: &Path) {
    let partial = PathBuf::from(format!("{}.partial", deps.display()));
    let _ = std::fs::remove_dir_all(&partial);
    let o = Command::new("python3")
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .arg("--target")
        .arg(&partial)
        .arg(PYARROW)
        .output()
        .expect("run pip");
    assert!(
        o.status.success(),
        "installing {PYARROW} with pip failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let _ = std::fs::remove_dir_all(deps);
    std::fs::rename(&partial, deps).expect("move the installed pyarrow into place");
}

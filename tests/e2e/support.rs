//! Helpers for the end-to-end tests: where the built binary and plugins
//! are, fixture copies, and running the binary.
//!
//! The tests need `cargo build --workspace` first (the README's test
//! command does it): plugins are separate libraries, not dependencies.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The folder holding the built binary and plugins (`target/debug`).
pub fn build_dir() -> PathBuf {
    // The test executable is target/<profile>/deps/<name>-<hash>.
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>")
        .to_path_buf()
}

/// The `cxaudit` binary.
pub fn bin() -> PathBuf {
    let path = build_dir().join(format!("cxaudit{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --workspace` before the tests",
        path.display()
    );
    path
}

/// The built library of a plugin crate, e.g. `cxaudit_testplugin_threshold`.
pub fn plugin_library(crate_name: &str) -> PathBuf {
    let file = format!(
        "{}{crate_name}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let path = build_dir().join(file);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --workspace` before the tests",
        path.display()
    );
    path
}

/// A fresh folder with copies of the given plugin libraries.
pub fn plugin_dir(crates: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for c in crates {
        let lib = plugin_library(c);
        std::fs::copy(&lib, dir.path().join(lib.file_name().expect("file name")))
            .expect("copy plugin");
    }
    dir
}

/// A fixture folder under `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    root().join("tests").join("fixtures").join(name)
}

/// A writable copy of a fixture folder (and of its siblings, so relative
/// `extends` paths keep working).
pub fn fixture_copy(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_tree(&root().join("tests").join("fixtures"), dir.path());
    let path = dir.path().join(name);
    (dir, path)
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Runs the binary with arguments, without the environment's plugin path.
pub fn cxaudit(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env_remove("CXAUDIT_PLUGIN_PATH")
        .output()
        .expect("run cxaudit")
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `assess` and returns the output and the parsed assessment.
pub fn assess(
    pack: &Path,
    evidence: &Path,
    plugins: &Path,
) -> (Output, Option<serde_json::Value>, tempfile::TempDir) {
    let out = tempfile::tempdir().expect("temp dir");
    let o = cxaudit(&[
        "assess",
        "--quiet",
        "--pack",
        pack.to_str().expect("utf-8"),
        "--evidence",
        evidence.to_str().expect("utf-8"),
        "--out",
        out.path().to_str().expect("utf-8"),
        "--plugins",
        plugins.to_str().expect("utf-8"),
    ]);
    let json = std::fs::read_to_string(out.path().join("assessment.json"))
        .ok()
        .map(|t| serde_json::from_str(&t).expect("assessment.json is JSON"));
    (o, json, out)
}

/// The finding of a criterion.
pub fn finding<'a>(a: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    a["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["criterion"] == id)
        .expect("finding")
}

/// The effective status of a criterion.
pub fn status(a: &serde_json::Value, id: &str) -> String {
    finding(a, id)["outcome"]["status"]
        .as_str()
        .expect("status")
        .to_owned()
}

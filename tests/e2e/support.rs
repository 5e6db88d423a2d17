//! Helpers for the end-to-end tests: where the built binary and plugins
//! are, fixture copies, and running the binary.
//!
//! The tests need `cargo build --workspace` first (the README's test
//! command does it): plugins are separate libraries, not dependencies, and
//! `cargo test` does not rebuild them. A binary or plugin library older than
//! the sources it was built from is refused (see [`check_fresh`]), so the
//! tests never pass on what an earlier build left in `target/<profile>`.

pub mod chromium;
pub mod python;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Instant, SystemTime};

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

/// The `cxaudit` binary, once it and every plugin library beside it (which
/// it loads from its own folder) are checked against their sources.
pub fn bin() -> PathBuf {
    let path = build_dir().join(format!("cxaudit{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --workspace` before the tests",
        path.display()
    );
    static FRESH: OnceLock<Result<(), String>> = OnceLock::new();
    if let Err(e) = FRESH.get_or_init(|| check_build_dir(&path)) {
        panic!("{e}");
    }
    path
}

/// The binary and every plugin library in its folder are fresh.
fn check_build_dir(binary: &Path) -> Result<(), String> {
    check_fresh(binary, "binary")?;
    let dir = binary.parent().expect("build dir");
    let mut libraries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| is_library(p))
        .collect();
    libraries.sort();
    libraries
        .iter()
        .try_for_each(|lib| check_fresh(lib, "plugin library"))
}

/// A shared library's file name on this platform (`lib*.so`, `*.dll`, ...).
fn is_library(path: &Path) -> bool {
    path.is_file()
        && path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
            n.starts_with(std::env::consts::DLL_PREFIX) && n.ends_with(std::env::consts::DLL_SUFFIX)
        })
}

/// Checks that a built artifact matches its sources: `Err` with the reason
/// and the remedy when it does not. `what` names it in the message
/// (`"plugin library"`, `"binary"`).
///
/// Cargo writes next to each artifact a dep-info file (`<stem>.d`, Makefile
/// syntax: `target: source source ...`) listing every source file it was
/// built from, those of the workspace crates it depends on included. These
/// are the files whose change makes cargo rebuild it, so the check never
/// asks for a rebuild that `cargo build` would not do (unlike a walk over
/// the crates' folders, which would count tests, benches and manifests).
/// The artifact is stale when one of them is newer than it or no longer
/// exists; without its dep-info file it cannot be checked and is refused.
pub fn check_fresh(artifact: &Path, what: &str) -> Result<(), String> {
    let shown = artifact.display();
    let built = modified(artifact)
        .map_err(|e| format!("cannot read the modification time of {what} {shown}: {e}"))?;
    let dep_info = artifact.with_extension("d");
    let text = std::fs::read_to_string(&dep_info).map_err(|e| {
        format!(
            "cannot check {what} {shown} against its sources ({}: {e}): \
             run `cargo build --workspace`",
            dep_info.display()
        )
    })?;
    let sources = dep_info_sources(&text);
    if sources.is_empty() {
        return Err(format!(
            "cannot check {what} {shown}: {} lists no source file",
            dep_info.display()
        ));
    }
    let mut newest: Option<(SystemTime, PathBuf)> = None;
    for source in sources {
        let source = if source.is_relative() {
            root().join(source) // `build.dep-info-basedir`, taken as the workspace root
        } else {
            source
        };
        match modified(&source) {
            Ok(t) if newest.as_ref().is_none_or(|(n, _)| t > *n) => newest = Some((t, source)),
            Ok(_) => {}
            Err(_) => {
                return Err(format!(
                    "stale {what} {shown}: run `cargo build --workspace` (it was built from \
                     {}, which no longer exists; delete the file if its crate is gone)",
                    source.display()
                ));
            }
        }
    }
    match newest {
        Some((t, source)) if t > built => Err(format!(
            "stale {what} {shown}: run `cargo build --workspace` ({} changed after it was built)",
            source.display()
        )),
        _ => Ok(()),
    }
}

fn modified(path: &Path) -> std::io::Result<SystemTime> {
    std::fs::metadata(path)?.modified()
}

/// The prerequisites of every rule of a Makefile-style dep-info file; a
/// space inside a path is written `\ `.
fn dep_info_sources(text: &str) -> Vec<PathBuf> {
    let mut sources = Vec::new();
    for line in text.lines() {
        // `: ` ends the target (a Windows drive's `C:` has no space after it).
        let Some((_, prerequisites)) = line.split_once(": ") else {
            continue;
        };
        let mut current = String::new();
        let mut chars = prerequisites.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\\' && chars.peek() == Some(&' ') {
                current.push(' ');
                chars.next();
            } else if c.is_whitespace() {
                if !current.is_empty() {
                    sources.push(PathBuf::from(std::mem::take(&mut current)));
                }
            } else {
                current.push(c);
            }
        }
        if !current.is_empty() {
            sources.push(PathBuf::from(current));
        }
    }
    sources
}

/// The built library of a plugin crate, e.g. `cxaudit_testplugin_threshold`,
/// checked against its sources.
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
    if let Err(e) = check_fresh(&path, "plugin library") {
        panic!("{e}");
    }
    path
}

/// A fresh folder with copies of the given plugin libraries.
pub fn plugin_dir(crates: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_plugins(dir.path(), crates);
    dir
}

/// Copies the given plugin libraries into `dir`.
pub fn copy_plugins(dir: &Path, crates: &[&str]) {
    for c in crates {
        let lib = plugin_library(c);
        std::fs::copy(&lib, dir.join(lib.file_name().expect("file name"))).expect("copy plugin");
    }
}

/// An empty folder for what a test process shares between its tests behind
/// a `OnceLock` (a synthetic centre, copied plugins): `test-artifacts/` of
/// the build folder, per test executable and `name`, emptied when the
/// process first asks for it. Rust never drops a static, so a `TempDir` kept
/// in one would be left in the system's temporary folder after every run.
pub fn shared_dir(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let stem = exe
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("test executable name");
    // `<test>-<hash>`: the folder is named after the test file, so a rebuild reuses it.
    let test = stem.rsplit_once('-').map_or(stem, |(test, _)| test);
    let dir = build_dir().join("test-artifacts").join(test).join(name);
    match std::fs::remove_dir_all(&dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            panic!("cannot empty {}: {e}", dir.display())
        }
        _ => {}
    }
    std::fs::create_dir_all(&dir).expect("create a shared test folder");
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

/// Runs a command in `dir`, timing it; it must succeed.
pub fn run_in(dir: &Path, program: &str, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let started = Instant::now();
    let mut command = Command::new(program);
    command.current_dir(dir).args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    let o = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{program}`: {e}"));
    eprintln!(
        "{program} {} took {:.1} s",
        args.join(" "),
        started.elapsed().as_secs_f64()
    );
    assert!(
        o.status.success(),
        "{program} {args:?} failed:\n{}{}",
        stdout(&o),
        stderr(&o)
    );
    o
}

/// Writes a synthetic centre of `scenario` (`baseline`, `followup`) into
/// `out` with `cxaudit synth`, plus `args` (`--contacts`, `--seed`,
/// `--months`); the command must succeed.
pub fn synth(out: &Path, scenario: &str, args: &[&str]) {
    let mut all = vec![
        "synth",
        "--scenario",
        scenario,
        "--out",
        out.to_str().expect("UTF-8 path"),
    ];
    all.extend_from_slice(args);
    let o = cxaudit(&all);
    assert!(o.status.success(), "synth {scenario}: {}", stderr(&o));
}

/// Runs the binary with arguments; the command must succeed.
pub fn cxaudit_ok(args: &[&str]) -> Output {
    let o = cxaudit(args);
    assert!(o.status.success(), "{args:?}: {}{}", stdout(&o), stderr(&o));
    o
}

/// A tailored pack in `dir/name` extending the shipped `standards/cx-ops`,
/// whose `pack.toml` has `body` from line 7 on (lines 1-5 are `[pack]`,
/// line 6 is empty).
pub fn tailored_cx_ops(dir: &Path, name: &str, body: &str) -> PathBuf {
    let pack = dir.join(name);
    std::fs::create_dir_all(&pack).expect("create the tailored pack");
    let base = root().join("standards").join("cx-ops");
    let base = base.to_str().expect("UTF-8 path").replace('\\', "/");
    std::fs::write(
        pack.join("pack.toml"),
        format!(
            "[pack]\nid = \"cx-ops-client\"\ntitle = \"cx-ops for a client\"\nversion = \"1.0.0\"\n\
             extends = \"{base}\"\n\n{body}"
        ),
    )
    .expect("write the tailored pack");
    pack
}

/// `assess -q` of `evidence` against `pack` into `out`, which must succeed;
/// the record, parsed.
pub fn assess_record(pack: &Path, evidence: &Path, out: &Path) -> serde_json::Value {
    let utf8 = |p: &Path| p.to_str().expect("UTF-8 path").to_owned();
    let (pack, evidence, out_arg) = (utf8(pack), utf8(evidence), utf8(out));
    cxaudit_ok(&[
        "assess",
        "-q",
        "--pack",
        &pack,
        "--evidence",
        &evidence,
        "--out",
        &out_arg,
    ]);
    let text = std::fs::read_to_string(out.join("assessment.json")).expect("assessment.json");
    serde_json::from_str(&text).expect("assessment.json is JSON")
}

/// The check `id` of a finding.
pub fn check<'a>(finding: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    finding["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `assess -q` of `evidence` against `pack` into `out` with the
/// plugins of `plugins`, then `extra` arguments.
pub fn assess_into(
    pack: &Path,
    evidence: &Path,
    out: &Path,
    plugins: &Path,
    extra: &[&str],
) -> Output {
    let utf8 = |p: &Path| p.to_str().expect("utf-8").to_owned();
    let (pack, evidence, out, plugins) = (utf8(pack), utf8(evidence), utf8(out), utf8(plugins));
    let mut args = vec![
        "assess",
        "-q",
        "--pack",
        &pack,
        "--evidence",
        &evidence,
        "--out",
        &out,
        "--plugins",
        &plugins,
    ];
    args.extend_from_slice(extra);
    cxaudit(&args)
}

/// Runs `assess` and returns the output and the parsed assessment.
pub fn assess(
    pack: &Path,
    evidence: &Path,
    plugins: &Path,
) -> (Output, Option<serde_json::Value>, tempfile::TempDir) {
    let out = tempfile::tempdir().expect("temp dir");
    let o = assess_into(pack, evidence, out.path(), plugins, &[]);
    let json = std::fs::read_to_string(out.path().join("assessment.json"))
        .ok()
        .map(|t| serde_json::from_str(&t).expect("assessment.json is JSON"));
    (o, json, out)
}

/// Asserts a run wrote its whole assessment but exited 3 because exactly
/// `criteria` ended in `error`, each named on stderr.
pub fn assert_errored(o: &Output, criteria: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&format!(
            "{} criterion/criteria ended in `error`",
            criteria.len()
        )),
        "{err}"
    );
    for c in criteria {
        assert!(err.contains(&format!("  {c}: ")), "{c} not named: {err}");
    }
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

/// `cxaudit pack validate PACK --plugins DIR`.
pub fn validate_pack(pack: &Path, plugins: &Path) -> Output {
    cxaudit(&[
        "pack",
        "validate",
        pack.to_str().expect("UTF-8 path"),
        "--plugins",
        plugins.to_str().expect("UTF-8 path"),
    ])
}

/// `cxaudit check --format json` of an evidence folder against a pack, parsed;
/// the command must succeed.
pub fn check_json(pack: &Path, evidence: &Path, plugins: &Path) -> serde_json::Value {
    let o = cxaudit(&[
        "check",
        "--format",
        "json",
        "--pack",
        pack.to_str().expect("UTF-8 path"),
        "--evidence",
        evidence.to_str().expect("UTF-8 path"),
        "--plugins",
        plugins.to_str().expect("UTF-8 path"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).expect("check prints JSON")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn set_modified(path: &Path, t: SystemTime) {
        std::fs::File::options()
            .write(true)
            .open(path)
            .expect("open")
            .set_modified(t)
            .expect("set modification time");
    }

    /// A fake crate and library in `dir`: `src/lib.rs` and `lib.rs` in a
    /// folder with a space, both listed in the library's dep-info file.
    fn fake_build(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
        let (src, other) = (dir.join("src/lib.rs"), dir.join("dep crate/lib.rs"));
        for f in [&src, &other] {
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, "//").unwrap();
        }
        let lib = dir.join("libfake.so");
        std::fs::write(&lib, "not really a library").unwrap();
        let escaped = |p: &Path| p.display().to_string().replace(' ', "\\ ");
        std::fs::write(
            dir.join("libfake.d"),
            format!(
                "{}: {} {}\n",
                escaped(&dir.join("libfake.rlib")),
                escaped(&src),
                escaped(&other)
            ),
        )
        .unwrap();
        (lib, src, other)
    }

    #[test]
    fn a_source_newer_than_the_library_makes_it_stale() {
        let dir = tempfile::tempdir().unwrap();
        let (lib, src, other) = fake_build(dir.path());
        let t0 = SystemTime::now() - Duration::from_secs(3600);
        set_modified(&src, t0);
        set_modified(&other, t0);
        set_modified(&lib, t0 + Duration::from_secs(60));
        assert_eq!(check_fresh(&lib, "plugin library"), Ok(()));

        // Touch the dependency's source (the one with a space in its path).
        set_modified(&other, t0 + Duration::from_secs(120));
        let err = check_fresh(&lib, "plugin library").unwrap_err();
        assert_eq!(
            err,
            format!(
                "stale plugin library {}: run `cargo build --workspace` ({} changed after it \
                 was built)",
                lib.display(),
                other.display()
            )
        );
        // Rebuilt: fresh again.
        set_modified(&lib, t0 + Duration::from_secs(180));
        assert_eq!(check_fresh(&lib, "plugin library"), Ok(()));
    }

    #[test]
    fn a_vanished_source_or_a_missing_dep_info_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (lib, src, _) = fake_build(dir.path());
        std::fs::remove_file(&src).unwrap();
        let err = check_fresh(&lib, "plugin library").unwrap_err();
        assert!(err.starts_with("stale plugin library"), "{err}");
        assert!(err.contains("which no longer exists"), "{err}");

        std::fs::remove_file(dir.path().join("libfake.d")).unwrap();
        let err = check_fresh(&lib, "plugin library").unwrap_err();
        assert!(err.contains("cannot check plugin library"), "{err}");
        assert!(err.contains("libfake.d"), "{err}");
    }

    #[test]
    fn dep_info_prerequisites_are_split_on_unescaped_spaces() {
        assert_eq!(
            dep_info_sources("/t/lib.rlib: /a/x.rs /b\\ c/y.rs\n\n/t/other: /d.rs\n"),
            [
                PathBuf::from("/a/x.rs"),
                PathBuf::from("/b c/y.rs"),
                PathBuf::from("/d.rs")
            ]
        );
    }
}

//! The first-party plugins are built into the binary: a `cxaudit` alone
//! (no library beside it, none on `CXAUDIT_PLUGIN_PATH`) lists the five as
//! built in and recorded as the executable itself; a library of the same
//! plugin name on disk is used instead, without a refusal; and after
//! `cargo install`, `cxaudit demo` runs in an empty folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use cxaudit_tests::*;

/// The built-in plugins, in the order they are listed.
const BUILT_IN: [&str; 5] = ["planning", "csat", "workforce", "people", "performance"];

/// Runs `exe` in `cwd`, without the environment's plugin path.
fn run(exe: &Path, cwd: &Path, args: &[&str]) -> Output {
    Command::new(exe)
        .args(args)
        .current_dir(cwd)
        .env_remove("CXAUDIT_PLUGIN_PATH")
        .output()
        .expect("run cxaudit")
}

/// `plugins list --format json` of `exe`, with `args` after it.
fn listing(exe: &Path, cwd: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["plugins", "list", "--format", "json"];
    all.extend_from_slice(args);
    let o = run(exe, cwd, &all);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).expect("JSON listing")
}

/// A listed plugin by name.
fn listed<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["plugins"]
        .as_array()
        .expect("plugins")
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not listed: {v:#}"))
}

/// The built binary, copied into a folder of its own (so no library lies
/// beside it).
fn lonely_binary(dir: &Path) -> PathBuf {
    let exe = dir.join(format!("cxaudit{}", std::env::consts::EXE_SUFFIX));
    std::fs::copy(bin(), &exe).expect("copy the binary");
    exe
}

#[test]
fn alone_the_binary_has_the_five_built_ins_and_a_library_shadows_one() {
    let tmp = tempfile::tempdir().unwrap();
    let exe = lonely_binary(tmp.path());
    let sha = cxaudit::hashing::sha256_file(&exe).unwrap();

    let alone = listing(&exe, tmp.path(), &[]);
    let names: Vec<&str> = alone["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, BUILT_IN);
    for name in BUILT_IN {
        let p = listed(&alone, name);
        assert_eq!(p["built_in"], true, "{name}");
        assert_eq!(p["path"], exe.to_str().unwrap(), "{name}");
        assert_eq!(p["sha256"], sha.as_str(), "{name}");
    }
    assert_eq!(alone["refused"], serde_json::json!([]));
    assert_eq!(alone["shadowed"], serde_json::json!([]));
    let text = run(&exe, tmp.path(), &["plugins", "list"]);
    assert!(
        stdout(&text).contains("(built into this executable)"),
        "{}",
        stdout(&text)
    );

    // The csat library on disk is used instead of the built-in csat, which
    // is not refused; the others stay built in.
    let plugins = plugin_dir(&["cxaudit_plugin_csat"]);
    let dir = plugins.path().to_str().unwrap();
    let shadowed = listing(&exe, tmp.path(), &["--plugins", dir]);
    let csat = listed(&shadowed, "csat");
    assert_eq!(csat["built_in"], false);
    assert!(
        csat["path"].as_str().unwrap().starts_with(dir),
        "{}",
        csat["path"]
    );
    assert_eq!(listed(&shadowed, "workforce")["built_in"], true);
    assert_eq!(shadowed["plugins"].as_array().unwrap().len(), 5);
    assert_eq!(shadowed["refused"], serde_json::json!([]));
    assert_eq!(shadowed["shadowed"], serde_json::json!(["csat"]));
}

/// `cargo install --path cli`, then `cxaudit demo --out out` in an empty
/// folder with no plugin path: both centres assessed with the built-in
/// plugins, the baseline not certified and the follow-up certified, and the
/// record's plugins are the installed executable (its file name and
/// sha256).
///
/// The install reuses the workspace's compiled dependencies (cargo's build
/// folder is the workspace's `target`, `CARGO_BUILD_BUILD_DIR`) and writes
/// the binary to a target folder of its own, so nothing lands beside the
/// workspace's plugins. Measured on 2 shared cores, the workspace built
/// (`cargo build --workspace`, which the end-to-end tests need anyway):
/// cold, the first install after a build or after a plugin's source changed
/// (the changed crate compiled, the binary linked into the fresh target
/// folder), 6-7 s; warm, nothing to compile, 0.3-2 s. The demo itself
/// (200,000 contacts per centre, debug build) takes 32-47 s, so the test
/// takes 35-55 s. `--offline` works: every crate is in cargo's cache once
/// the workspace is built. (From nothing, the README's release
/// `cargo install --path cli` took 4 min 55 s on the same machine, and its
/// demo 6 s.)
#[test]
fn after_cargo_install_the_demo_runs_in_an_empty_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let install = tmp.path().join("install");
    let target = tmp.path().join("target");
    let build_dir = build_dir().parent().unwrap().to_path_buf();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let cli = root().join("cli");
    run_in(
        tmp.path(),
        &cargo,
        &[
            "install",
            "--path",
            cli.to_str().unwrap(),
            "--root",
            install.to_str().unwrap(),
            "--debug",
            "--locked",
            "--offline",
        ],
        &[
            ("CARGO_BUILD_BUILD_DIR", build_dir.as_path()),
            ("CARGO_TARGET_DIR", target.as_path()),
        ],
    );
    let exe = install
        .join("bin")
        .join(format!("cxaudit{}", std::env::consts::EXE_SUFFIX));
    assert!(exe.is_file(), "{} was not installed", exe.display());

    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let started = Instant::now();
    let o = run(&exe, &empty, &["demo", "--out", "out"]);
    eprintln!("the demo took {:.1} s", started.elapsed().as_secs_f64());
    assert!(o.status.success(), "demo: {}\n{}", stdout(&o), stderr(&o));

    let sha = cxaudit::hashing::sha256_file(&exe).unwrap();
    let file = exe.file_name().unwrap().to_str().unwrap();
    for (centre, certified) in [("baseline", false), ("followup", true)] {
        let record = empty.join("out").join(centre).join("assessment.json");
        assert!(record.is_file(), "{} is missing", record.display());
        let a: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
        assert_eq!(a["decision"]["certified"], certified, "{centre}");
        let plugins = a["plugins"].as_array().unwrap();
        assert_eq!(plugins.len(), BUILT_IN.len(), "{centre}: {plugins:#?}");
        for p in plugins {
            assert_eq!(p["file"], file, "{centre}: {p}");
            assert_eq!(p["sha256"], sha.as_str(), "{centre}: {p}");
        }
    }
    let listed = listing(&exe, &empty, &[]);
    assert_eq!(listed["plugins"].as_array().unwrap().len(), BUILT_IN.len());
    for name in BUILT_IN {
        assert_eq!(self::listed(&listed, name)["path"], exe.to_str().unwrap());
    }
}

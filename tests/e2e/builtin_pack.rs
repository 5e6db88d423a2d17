//! The standard travels with the binary: `--pack cx-ops` names the built-in
//! pack from any folder, `pack export` writes it out for tailoring, and
//! `demo` runs in an empty folder.

use std::path::Path;
use std::process::{Command, Output};

use cxaudit_tests::*;

/// Runs the binary in `cwd`, without the environment's plugin path.
fn cxaudit_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(cwd)
        .env_remove("CXAUDIT_PLUGIN_PATH")
        .output()
        .expect("run cxaudit")
}

fn pack_sha(cwd: &Path, pack: &str) -> String {
    let o = cxaudit_in(cwd, &["pack", "show", "--format", "json", pack]);
    assert!(o.status.success(), "pack show {pack}: {}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    v["sha256"].as_str().expect("sha256").to_owned()
}

#[test]
fn the_built_in_pack_is_the_shipped_folder_from_any_folder() {
    let empty = tempfile::tempdir().unwrap();
    let folder = root().join("standards/cx-ops");
    let built_in = pack_sha(empty.path(), "cx-ops");
    assert_eq!(built_in, pack_sha(empty.path(), folder.to_str().unwrap()));
    // The same folder by a relative path hashes the same.
    assert_eq!(built_in, pack_sha(&root(), "standards/cx-ops"));
}

#[test]
fn an_unknown_pack_name_says_what_was_expected() {
    let empty = tempfile::tempdir().unwrap();
    let o = cxaudit_in(empty.path(), &["pack", "show", "cx-opps"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("a folder with pack.toml, or the name of a built-in pack: cx-ops"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn export_writes_a_pack_to_tailor_and_overwrites_nothing() {
    let empty = tempfile::tempdir().unwrap();
    let o = cxaudit_in(empty.path(), &["pack", "export", "cx-ops", "mine"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mine = empty.path().join("mine");
    assert!(mine.join("criteria/workforce.toml").is_file());
    assert_eq!(
        pack_sha(empty.path(), "mine"),
        pack_sha(empty.path(), "cx-ops")
    );
    let o = validate_pack(&mine, &build_dir());
    assert!(o.status.success(), "{}", stderr(&o));

    // Tailored: a local edit is kept; a second export refuses to overwrite it.
    let pack_toml = mine.join("pack.toml");
    let edited = std::fs::read_to_string(&pack_toml).unwrap() + "\n# ours\n";
    std::fs::write(&pack_toml, &edited).unwrap();
    let o = cxaudit_in(empty.path(), &["pack", "export", "cx-ops", "mine"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&pack_toml).unwrap(), edited);

    let o = cxaudit_in(empty.path(), &["pack", "export", "no-such-pack", "x"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("built in: cx-ops"), "{}", stderr(&o));
}

/// `demo` in an empty folder: the built-in pack, the plugins beside the
/// binary, both centres assessed and reported.
#[test]
fn demo_runs_in_an_empty_folder() {
    let empty = tempfile::tempdir().unwrap();
    let o = cxaudit_in(
        empty.path(),
        &["demo", "--contacts", "20000", "--out", "out"],
    );
    assert!(o.status.success(), "demo: {}\n{}", stdout(&o), stderr(&o));
    for centre in ["baseline", "followup"] {
        let record = empty
            .path()
            .join("out")
            .join(centre)
            .join("assessment.json");
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
        assert_eq!(v["pack"]["id"], "cx-ops");
        assert!(
            empty
                .path()
                .join("out")
                .join(centre)
                .join("report.html")
                .is_file()
        );
    }
}

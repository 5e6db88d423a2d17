//! The set writer on real folders: creation, exchange, foreign entries,
//! links, the lock, and the states a killed run leaves behind.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::recover::{self, write_journal};
use super::target::Target;
use super::*;

fn no_wait() -> impl FnMut(&Path) {
    |out: &Path| panic!("nobody else writes to {}", out.display())
}

fn write(out: &Path, files: &[(&str, &str)]) -> Vec<PathBuf> {
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    write_set(out, &files, &mut no_wait()).expect("writes")
}

/// Every entry under `dir` (links as `-> target`, folders as `/`), by
/// relative path.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    walk(dir, dir, &mut found);
    found
}

fn walk(root: &Path, dir: &Path, found: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let rel = path.strip_prefix(root).unwrap().display().to_string();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.file_type().is_symlink() {
            let to = std::fs::read_link(&path).unwrap();
            found.insert(rel, format!("-> {}", to.display()));
        } else if meta.is_dir() {
            found.insert(rel, "/".into());
            walk(root, &path, found);
        } else {
            found.insert(rel, std::fs::read_to_string(&path).unwrap());
        }
    }
}

fn entries(map: &[(&str, &str)]) -> BTreeMap<String, String> {
    map.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The names in the parent folder other than the output folder's.
fn beside(parent: &Path, out: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != out)
        .collect();
    names.sort();
    names
}

#[test]
fn a_missing_folder_is_created_holding_the_set() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deep/out");
    let paths = write(&out, &[("a.json", "{}"), ("b.md", "# b")]);
    assert_eq!(paths, [out.join("a.json"), out.join("b.md")]);
    assert_eq!(tree(&out), entries(&[("a.json", "{}"), ("b.md", "# b")]));
    assert_eq!(
        beside(&dir.path().join("deep"), "out"),
        [".out.cxaudit.lock"]
    );
}

#[cfg(unix)]
#[test]
fn an_existing_folder_is_exchanged_whole() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    write(&out, &[("a.json", "old a"), ("b.md", "old b")]);
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o750)).unwrap();
    let before = std::fs::metadata(&out).unwrap().ino();
    write(&out, &[("a.json", "new a"), ("b.md", "new b")]);
    let after = std::fs::metadata(&out).unwrap();
    assert_ne!(after.ino(), before, "a new folder took the old one's place");
    assert_eq!(
        after.permissions().mode() & 0o777,
        0o750,
        "the mode is kept"
    );
    assert_eq!(
        tree(&out),
        entries(&[("a.json", "new a"), ("b.md", "new b")])
    );
    assert_eq!(beside(dir.path(), "out"), [".out.cxaudit.lock"]);
}

#[cfg(unix)]
#[test]
fn foreign_entries_are_carried_over_and_set_files_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("evidence/data")).unwrap();
    std::fs::write(out.join("evidence/data/contacts.csv"), "id\n1\n").unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    std::fs::write(out.join("a.json"), "older run").unwrap();
    std::os::unix::fs::symlink("nowhere", out.join("dangling")).unwrap();
    std::fs::create_dir(out.join("b.md")).unwrap(); // a folder named like a set file
    write(&out, &[("a.json", "new a"), ("b.md", "new b")]);
    assert_eq!(
        tree(&out),
        entries(&[
            ("a.json", "new a"),
            ("b.md", "new b"),
            ("dangling", "-> nowhere"),
            ("evidence", "/"),
            ("evidence/data", "/"),
            ("evidence/data/contacts.csv", "id\n1\n"),
            ("notes.txt", "mine"),
        ])
    );
}

#[cfg(unix)]
#[test]
fn a_set_file_that_is_a_link_is_replaced_and_its_target_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let precious = dir.path().join("precious.md");
    std::fs::write(&precious, "keep me").unwrap();
    std::os::unix::fs::symlink(&precious, out.join("b.md")).unwrap();
    write(&out, &[("b.md", "report")]);
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep me");
    assert!(
        std::fs::symlink_metadata(out.join("b.md"))
            .unwrap()
            .is_file()
    );
    assert_eq!(tree(&out), entries(&[("b.md", "report")]));
}

#[cfg(unix)]
#[test]
fn an_output_link_is_resolved_once_and_stays_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    std::fs::write(real.join("a.json"), "old").unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let paths = write(&link, &[("a.json", "new")]);
    assert_eq!(paths, [link.join("a.json")]);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(tree(&real), entries(&[("a.json", "new")]));
    assert!(dir.path().join(".real.cxaudit.lock").exists());
}

#[test]
fn bad_outputs_and_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let e = write_set(&file, &[("a", b"")], &mut no_wait()).unwrap_err();
    assert!(
        matches!(e, OutputError::NotAFolder { .. }) && e.is_usage(),
        "{e}"
    );
    let out = dir.path().join("out");
    for files in [
        vec![("../a", &b""[..])],
        vec![("a/b", b"")],
        vec![("", b"")],
        vec![("..", b"")],
        vec![("a", b""), ("a", b"")],
    ] {
        let e = write_set(&out, &files, &mut no_wait()).unwrap_err();
        assert!(matches!(e, OutputError::BadFileName { .. }) && !e.is_usage());
    }
    assert!(!out.exists(), "nothing is written for a refused set");
}

#[test]
fn a_second_writer_waits_for_the_lock_then_writes_its_set() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let held = lock_folder(&out, &mut no_wait()).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let writer = {
        let out = out.clone();
        std::thread::spawn(move || {
            let mut told = 0;
            let mut on_wait = |_: &Path| {
                told += 1;
                tx.send(()).unwrap();
            };
            write_set(&out, &[("a.json", b"second")], &mut on_wait).unwrap();
            told
        })
    };
    rx.recv().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert!(!out.exists(), "nothing is written while the lock is held");
    drop(held);
    assert_eq!(writer.join().unwrap(), 1, "told once");
    assert_eq!(tree(&out), entries(&[("a.json", "second")]));
}

/// Recovery on a state a killed run left: the lock is free, so the writer is gone.
fn recover(out: &Path) {
    recover::leftovers(&Target::resolve(out).unwrap()).unwrap();
}

/// An output folder holding the old set and a foreign file.
fn old_state(dir: &Path) -> PathBuf {
    let out = dir.join("out");
    write(&out, &[("a.json", "old a"), ("b.md", "old b")]);
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    out
}

#[test]
fn killed_while_writing_the_new_set_its_files_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let out = old_state(dir.path());
    let temp = dir.path().join(".out.cxaudit-tmp-99999-0");
    std::fs::create_dir(&temp).unwrap();
    std::fs::write(temp.join("a.json"), "new a, trunc").unwrap();
    recover(&out);
    assert!(!temp.exists());
    assert_eq!(
        tree(&out),
        entries(&[
            ("a.json", "old a"),
            ("b.md", "old b"),
            ("notes.txt", "mine")
        ])
    );
    assert_eq!(beside(dir.path(), "out"), [".out.cxaudit.lock"]);
}

#[test]
fn killed_while_carrying_over_the_foreign_entries_go_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = old_state(dir.path());
    std::fs::create_dir(out.join("sub")).unwrap();
    let temp = dir.path().join(".out.cxaudit-tmp-99999-1");
    std::fs::create_dir(&temp).unwrap();
    std::fs::write(temp.join("a.json"), "new a").unwrap();
    std::fs::write(temp.join("b.md"), "new b").unwrap();
    write_journal(&temp, &["a.json", "b.md"]).unwrap();
    std::fs::rename(out.join("notes.txt"), temp.join("notes.txt")).unwrap();
    recover(&out);
    assert_eq!(
        tree(&out),
        entries(&[
            ("a.json", "old a"),
            ("b.md", "old b"),
            ("notes.txt", "mine"),
            ("sub", "/")
        ])
    );
    assert_eq!(beside(dir.path(), "out"), [".out.cxaudit.lock"]);
}

#[test]
fn killed_after_the_exchange_the_old_folder_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let out = old_state(dir.path());
    // The exchange happened: the temporary name holds the old set.
    let temp = dir.path().join(".out.cxaudit-tmp-99999-2");
    std::fs::create_dir(&temp).unwrap();
    std::fs::write(temp.join("a.json"), "older a").unwrap();
    write_journal(&temp, &["a.json", "b.md"]).unwrap();
    // A journal whose folder is gone, and another folder's leftover.
    write_journal(&dir.path().join(".out.cxaudit-tmp-99999-3"), &["a.json"]).unwrap();
    let other = dir.path().join(".other.cxaudit-tmp-99999-0");
    std::fs::create_dir(&other).unwrap();
    recover(&out);
    assert_eq!(
        tree(&out),
        entries(&[
            ("a.json", "old a"),
            ("b.md", "old b"),
            ("notes.txt", "mine")
        ])
    );
    assert_eq!(
        beside(dir.path(), "out"),
        [".other.cxaudit-tmp-99999-0", ".out.cxaudit.lock"]
    );
}

#[test]
fn killed_between_two_renames_the_old_folder_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = old_state(dir.path());
    let old = dir.path().join(".out.cxaudit-old-99999-4");
    std::fs::rename(&out, &old).unwrap();
    recover(&out);
    assert!(!old.exists());
    assert_eq!(
        tree(&out),
        entries(&[
            ("a.json", "old a"),
            ("b.md", "old b"),
            ("notes.txt", "mine")
        ])
    );
}

#[test]
fn the_next_write_cleans_leftovers_and_keeps_what_was_carried() {
    let dir = tempfile::tempdir().unwrap();
    let out = old_state(dir.path());
    let temp = dir.path().join(".out.cxaudit-tmp-99999-5");
    std::fs::create_dir(&temp).unwrap();
    write_journal(&temp, &["a.json", "b.md"]).unwrap();
    std::fs::rename(out.join("notes.txt"), temp.join("notes.txt")).unwrap();
    write(&out, &[("a.json", "new a"), ("b.md", "new b")]);
    assert_eq!(
        tree(&out),
        entries(&[
            ("a.json", "new a"),
            ("b.md", "new b"),
            ("notes.txt", "mine")
        ])
    );
    assert_eq!(beside(dir.path(), "out"), [".out.cxaudit.lock"]);
}

#[test]
fn a_leftover_whose_entry_is_taken_again_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = old_state(dir.path());
    let temp = dir.path().join(".out.cxaudit-tmp-99999-6");
    std::fs::create_dir(&temp).unwrap();
    write_journal(&temp, &["a.json", "b.md"]).unwrap();
    std::fs::write(temp.join("notes.txt"), "carried copy").unwrap();
    recover(&out);
    assert_eq!(
        std::fs::read_to_string(temp.join("notes.txt")).unwrap(),
        "carried copy"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn assessments_are_found_in_the_folder_and_one_level_down_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for sub in ["b", "a", "a/deeper", "empty"] {
        std::fs::create_dir_all(d.join(sub)).unwrap();
    }
    for file in [
        "assessment.json",
        "b/assessment.json",
        "a/assessment.json",
        "a/deeper/assessment.json",
        "b/other.json",
    ] {
        std::fs::write(d.join(file), "{}").unwrap();
    }
    // A folder named like the file is not a record.
    std::fs::create_dir_all(d.join("empty/assessment.json")).unwrap();
    let found = assessments_in(d).unwrap();
    let names: Vec<PathBuf> = found
        .iter()
        .map(|p| p.strip_prefix(d).unwrap().to_path_buf())
        .collect();
    assert_eq!(
        names,
        [
            PathBuf::from("a/assessment.json"),
            PathBuf::from("assessment.json"),
            PathBuf::from("b/assessment.json")
        ]
    );
    let err = assessments_in(&d.join("empty")).unwrap_err();
    assert!(
        err.ends_with("empty: no assessment.json in the folder or in its subfolders"),
        "{err}"
    );
    assert!(assessments_in(&d.join("missing")).is_err());
}

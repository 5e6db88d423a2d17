//! Output sets are written whole: a run killed at any moment leaves the old
//! set or the new one (never a mix, never a truncated file), two runs into
//! one folder leave one run's set, a second run waits for the first, and
//! no file is written through a symbolic link.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cxaudit_model::Assessment;
use cxaudit_reports::run_digest;
use cxaudit_tests::{bin, cxaudit, fixture, root, stderr};

/// The files of an assessment's set.
const SET: [&str; 4] = [
    "assessment.json",
    "report.md",
    "report.html",
    "improvement-plan.csv",
];

/// A set: file name -> bytes.
type Set = BTreeMap<String, Vec<u8>>;

/// The two records the runs alternate between (different run digests).
fn records() -> [PathBuf; 2] {
    ["base.json", "new.json"].map(|f| fixture("report").join(f))
}

fn path_arg(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Starts `cxaudit report RECORD --out OUT`.
fn start_report(record: &Path, out: &Path) -> Child {
    Command::new(bin())
        .args(["report", path_arg(record), "--out", path_arg(out)])
        .env_remove("CXAUDIT_PLUGIN_PATH")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start cxaudit")
}

/// `cxaudit report RECORD --out OUT`, to completion.
fn report(record: &Path, out: &Path) {
    let o = cxaudit(&["report", path_arg(record), "--out", path_arg(out)]);
    assert!(o.status.success(), "report: {}", stderr(&o));
}

/// The files of the set in `dir` (other entries are not read).
fn read_set(dir: &Path) -> Set {
    SET.iter()
        .filter_map(|f| Some(((*f).to_owned(), std::fs::read(dir.join(f)).ok()?)))
        .collect()
}

/// The set each record renders to, written to completion elsewhere.
fn reference_sets(dir: &Path) -> Vec<Set> {
    records()
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let out = dir.join(format!("reference-{i}"));
            report(r, &out);
            let set = read_set(&out);
            assert_eq!(set.len(), SET.len());
            set
        })
        .collect()
}

/// `out` holds one of the reference sets exactly, and every report file
/// carries the digest of the `assessment.json` beside it.
fn assert_whole(out: &Path, sets: &[Set], when: &str) -> usize {
    let found = read_set(out);
    let which = sets.iter().position(|s| *s == found);
    let Some(which) = which else {
        let sizes: Vec<(String, usize)> = found.iter().map(|(k, v)| (k.clone(), v.len())).collect();
        panic!("{when}: {} holds no whole set: {sizes:?}", out.display());
    };
    let text = String::from_utf8(found["assessment.json"].clone()).expect("UTF-8");
    let record = Assessment::from_json(&text).expect("assessment.json parses");
    for f in &SET[1..] {
        let report = std::str::from_utf8(&found[*f]).expect("UTF-8");
        assert_eq!(run_digest::check(f, report, &record), Ok(()), "{when}: {f}");
    }
    which
}

/// Entries beside `out` that a run left (other than the lock file).
fn leftovers(out: &Path) -> Vec<String> {
    let name = out.file_name().unwrap().to_string_lossy().into_owned();
    let mut found: Vec<String> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!(".{name}.cxaudit-")))
        .collect();
    found.sort();
    found
}

/// Where the foreign file `notes.txt` is: in `out`, or (a run killed while
/// carrying it over) in a temporary folder beside it.
fn notes_kept(out: &Path) -> bool {
    let parent = out.parent().unwrap();
    std::fs::read_to_string(out.join("notes.txt")).is_ok_and(|t| t == "mine")
        || leftovers(out)
            .iter()
            .any(|l| std::fs::read_to_string(parent.join(l).join("notes.txt")).is_ok())
}

/// Waits until the run has created an entry beside `out` whose name holds
/// `-tmp-` and ends with `suffix` (its temporary folder: `""`, its
/// journal: `".set"`), or has ended.
fn wait_for(child: &mut Child, out: &Path, suffix: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if child.try_wait().expect("poll").is_some() {
            return;
        }
        let seen = leftovers(out)
            .iter()
            .any(|l| l.contains("-tmp-") && l.ends_with(suffix));
        if seen {
            return;
        }
        std::thread::sleep(Duration::from_micros(100));
    }
}

/// How long a complete run into `out` takes, and how much of it is the
/// write (from its temporary folder appearing to its end).
fn time_run(record: &Path, out: &Path) -> (Duration, Duration) {
    let started = Instant::now();
    let mut child = start_report(record, out);
    wait_for(&mut child, out, "");
    let writing = Instant::now();
    assert!(child.wait().unwrap().success());
    (started.elapsed(), writing.elapsed())
}

/// SIGKILL at varied moments, each run writing the other record than the
/// folder holds: anywhere in the run (delays over 0 to 1.1 times its
/// length), while the files are written (delays after the temporary folder
/// appears, over 0 to 1.1 times the write's length), and around the
/// exchange (0 to 4 ms after the journal appears, in 0.1 ms steps). After
/// each kill the folder holds the old set or the new one, whole; the
/// foreign file survives; the next complete run cleans every leftover.
#[test]
fn a_run_killed_at_any_moment_leaves_the_old_set_or_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let sets = reference_sets(dir.path());
    let records = records();
    let out = dir.path().join("out");
    report(&records[0], &out);
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let (full_run, writing) = time_run(&records[1], &out);
    let mut current = assert_whole(&out, &sets, "timed run");
    assert_eq!(current, 1);
    let mut outcomes = [0usize; 2];
    for i in 0..40u32 {
        let next = 1 - current;
        let mut child = start_report(&records[next], &out);
        let step = (i * 17) % 41;
        let fraction = f64::from(step) / 40.0 * 1.1;
        match i % 3 {
            0 => std::thread::sleep(full_run.mul_f64(fraction)),
            1 => {
                wait_for(&mut child, &out, "");
                std::thread::sleep(writing.mul_f64(fraction));
            }
            _ => {
                wait_for(&mut child, &out, ".set");
                std::thread::sleep(Duration::from_micros(u64::from(step) * 100));
            }
        }
        let _ = child.kill();
        child.wait().expect("wait");
        let when = format!("kill {i} (step {step})");
        current = assert_whole(&out, &sets, &when);
        outcomes[usize::from(current == next)] += 1;
        assert!(notes_kept(&out), "{when}: notes.txt lost");
    }
    eprintln!(
        "run {full_run:?}, write {writing:?}; after the kills (old set kept, new set in place): \
         {outcomes:?}"
    );
    report(&records[1 - current], &out);
    assert_eq!(assert_whole(&out, &sets, "last run"), 1 - current);
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(leftovers(&out), Vec::<String>::new());
}

/// Two runs of different assessments into one folder at once, again and
/// again: each ends well and the folder holds one of the two sets whole.
#[test]
fn concurrent_runs_into_one_folder_leave_one_whole_set() {
    let dir = tempfile::tempdir().unwrap();
    let sets = reference_sets(dir.path());
    let records = records();
    let out = dir.path().join("out");
    for i in 0..10 {
        let mut a = start_report(&records[i % 2], &out);
        let mut b = start_report(&records[(i + 1) % 2], &out);
        for child in [&mut a, &mut b] {
            assert!(child.wait().unwrap().success(), "round {i}");
        }
        assert_whole(&out, &sets, &format!("round {i}"));
        assert_eq!(leftovers(&out), Vec::<String>::new());
    }
}

/// Two `assess` runs of two different synthetic centres into one folder
/// at once: one centre's complete set, and `verify` passes on it.
#[test]
fn concurrent_assessments_of_two_centres_leave_one_centres_set() {
    let dir = tempfile::tempdir().unwrap();
    let evidence: Vec<PathBuf> = ["baseline", "followup"]
        .iter()
        .map(|scenario| {
            let ev = dir.path().join(scenario);
            let args = ["synth", "--scenario", scenario, "--contacts", "2000"];
            let o = cxaudit(&[&args[..], &["--out", path_arg(&ev)]].concat());
            assert!(o.status.success(), "synth: {}", stderr(&o));
            ev
        })
        .collect();
    let out = dir.path().join("out");
    let pack = root().join("standards/cx-ops");
    let runs: Vec<Child> = evidence
        .iter()
        .map(|ev| {
            Command::new(bin())
                .args(["assess", "-q", "--pack", path_arg(&pack)])
                .args(["--evidence", path_arg(ev), "--out", path_arg(&out)])
                .env_remove("CXAUDIT_PLUGIN_PATH")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut run in runs {
        assert!(run.wait().unwrap().success());
    }
    let text = std::fs::read_to_string(out.join("assessment.json")).unwrap();
    let record = Assessment::from_json(&text).unwrap();
    for f in &SET[1..] {
        let report = std::fs::read_to_string(out.join(f)).unwrap();
        assert_eq!(run_digest::check(f, &report, &record), Ok(()), "{f}");
    }
    let verdicts: Vec<Option<i32>> = evidence
        .iter()
        .map(|ev| {
            let args = ["verify", path_arg(&out), "--evidence", path_arg(ev)];
            cxaudit(&args).status.code()
        })
        .collect();
    assert!(
        verdicts == [Some(0), Some(1)] || verdicts == [Some(1), Some(0)],
        "the set verifies against exactly one centre: {verdicts:?}"
    );
}

/// A run that finds the folder locked says once that it waits, writes
/// nothing while the lock is held, then writes its set.
#[test]
fn a_second_run_waits_for_the_lock_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let lock = std::fs::File::create(dir.path().join(".out.cxaudit.lock")).unwrap();
    lock.lock().unwrap();
    let mut child = start_report(&records()[0], &out);
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().expect("a line on stderr").unwrap();
    assert_eq!(
        first,
        format!(
            "waiting for another cxaudit run writing to {} to finish...",
            out.display()
        )
    );
    std::thread::sleep(Duration::from_millis(100));
    assert!(child.try_wait().unwrap().is_none(), "it waits");
    assert!(!out.exists(), "nothing is written while the lock is held");
    lock.unlock().unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(lines.count(), 0, "said once");
    assert_eq!(read_set(&out).len(), SET.len());
}

/// A report file that is a symbolic link is replaced, its target left
/// untouched; an output folder that is a link is written through once and
/// stays a link.
#[cfg(unix)]
#[test]
fn no_file_is_written_through_a_symbolic_link() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let precious = dir.path().join("precious.md");
    std::fs::write(&precious, "not a report").unwrap();
    std::os::unix::fs::symlink(&precious, out.join("report.md")).unwrap();
    report(&records()[0], &out);
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "not a report");
    let meta = std::fs::symlink_metadata(out.join("report.md")).unwrap();
    assert!(meta.is_file(), "report.md is a file of its own now");

    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    report(&records()[1], &link);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(read_set(&real).len(), SET.len());
}

/// An output path that is a file is bad usage (exit 2), named.
#[test]
fn an_output_path_that_is_a_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out");
    std::fs::write(&file, "x").unwrap();
    let record = &records()[0];
    let o = cxaudit(&["report", path_arg(record), "--out", path_arg(&file)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is not a folder"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}

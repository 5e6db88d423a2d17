//! `cxaudit plugin new`: each language's project is generated, built and
//! run through `assess` with its tailored pack on a synthetic centre, and
//! its numbers are worked out here from the evidence's `contacts.csv`; the
//! refusals exit 2 with a message; `docs/plugins.md` quotes the generated
//! files as they are.
//!
//! The Rust project is built with the workspace's target folder as cargo's
//! build folder (`CARGO_BUILD_BUILD_DIR`), so the SDK's dependencies the
//! workspace compiled are reused, and with its own target folder for the
//! library (`CARGO_TARGET_DIR`), so no library of the test lands beside the
//! workspace's plugins.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use cxaudit_tests::*;

/// The plugin name of the generated projects.
const NAME: &str = "wait_times";

/// A small synthetic centre: one month (January: no daylight-saving change
/// inside a wait), a few thousand contacts.
fn evidence() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let path = shared_dir("evidence").join("baseline");
        synth(
            &path,
            "baseline",
            &["--contacts", "3000", "--months", "1", "--seed", "11"],
        );
        path
    })
}

/// `cxaudit plugin new NAME` with `args`, in a fresh folder; the project's path.
fn generate(dir: &Path, args: &[&str]) -> PathBuf {
    let project = dir.join(NAME);
    let mut all = vec!["plugin", "new", NAME, "--out", project.to_str().unwrap()];
    all.extend_from_slice(args);
    let o = cxaudit_ok(&all);
    assert!(
        stdout(&o).contains(&format!("wrote plugin `{NAME}`")),
        "{}",
        stdout(&o)
    );
    project
}

/// Milliseconds since the epoch of `YYYY-MM-DDTHH:MM:SS[.fff]` (any offset
/// ignored: both ends of a wait are in the same zone).
fn millis(ts: &str) -> i64 {
    let n = |s: &str| -> i64 { s.parse().unwrap_or_else(|_| panic!("timestamp `{ts}`")) };
    let (y, m, d) = (n(&ts[0..4]), n(&ts[5..7]), n(&ts[8..10]));
    let (hh, mm) = (n(&ts[11..13]), n(&ts[14..16]));
    let rest = &ts[17..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let seconds: f64 = rest[..end]
        .parse()
        .unwrap_or_else(|_| panic!("timestamp `{ts}`"));
    // Days from 1970-01-01 of a proleptic Gregorian date.
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    (days * 86_400 + hh * 3600 + mm * 60) * 1000 + (seconds * 1000.0).round() as i64
}

/// Offered and answered-within-20-s contacts of voice, chat and messaging,
/// by channel, counted from the evidence's contacts.csv.
fn expected_by_channel(evidence: &Path) -> BTreeMap<String, (u64, u64)> {
    let mut reader = csv::Reader::from_path(evidence.join("data/contacts.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (channel, arrived, answered, abandoned) = (
        col("channel"),
        col("arrived_at"),
        col("answered_at"),
        col("abandoned"),
    );
    let mut by_channel: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for row in reader.records() {
        let row = row.unwrap();
        if !["voice", "chat", "messaging"].contains(&&row[channel]) {
            continue;
        }
        let within = if !row[answered].is_empty() {
            millis(&row[answered]) - millis(&row[arrived]) <= 20_000
        } else if row[abandoned] == *"true" {
            false
        } else {
            continue;
        };
        let t = by_channel.entry(row[channel].to_owned()).or_default();
        t.0 += 1;
        t.1 += u64::from(within);
    }
    by_channel
}

/// Validates the project's pack with its plugin, runs `assess --only XA1`
/// and checks the finding against the evidence; returns the SDK version
/// the record states for the plugin.
fn assess_and_check(project: &Path, plugins: &Path, env: &[(&str, &Path)]) -> String {
    let pack = project.join("pack");
    let cxaudit = bin();
    let cxaudit = cxaudit.to_str().unwrap();
    let o = run_in(
        project,
        cxaudit,
        &[
            "pack",
            "validate",
            pack.to_str().unwrap(),
            "--plugins",
            plugins.to_str().unwrap(),
        ],
        env,
    );
    assert!(
        stdout(&o).starts_with(&format!("cx-ops-{NAME} 0.1.0 is valid")),
        "{}",
        stdout(&o)
    );
    let out = tempfile::tempdir().unwrap();
    let assess = [
        "assess",
        "-q",
        "--pack",
        pack.to_str().unwrap(),
        "--evidence",
        evidence().to_str().unwrap(),
        "--plugins",
        plugins.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--only",
        "XA1",
    ];
    run_in(project, cxaudit, &assess, env);
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("assessment.json")).unwrap())
            .unwrap();
    let f = finding(&record, "XA1").clone();
    assert_eq!(f["method"], format!("{NAME}/answered_within"), "{f}");

    let by_channel = expected_by_channel(evidence());
    let (offered, within) = by_channel
        .values()
        .fold((0, 0), |(o, w), (co, cw)| (o + co, w + cw));
    assert!(
        offered > 1000,
        "a synthetic month offers thousands: {offered}"
    );
    let share = within as f64 / offered as f64;
    let score = (share / 0.8).min(1.0);
    let got = f["evaluated"]["score"].as_f64().unwrap();
    assert!((got - score).abs() < 1e-12, "score {got}, expected {score}");
    let expected_status = if score >= 1.0 {
        "met"
    } else if score >= 0.5 {
        "partially_met"
    } else {
        "not_met"
    };
    assert_eq!(status(&record, "XA1"), expected_status, "{f}");
    assert_eq!(
        f["summary"],
        format!(
            "{within} of {offered} offered contacts answered within 20 s ({:.1}%, target 80.0%).",
            share * 100.0
        )
    );
    let measured = f["measurements"][0]["value"].as_f64().unwrap();
    assert!((measured - share).abs() < 1e-12, "{measured} vs {share}");
    assert_eq!(f["measurements"][1]["value"].as_f64(), Some(offered as f64));
    let drilldown = &f["drilldowns"][0];
    assert_eq!(
        drilldown["units"],
        serde_json::json!(["", "contacts", "contacts", "ratio"])
    );
    let rows: Vec<(String, u64, u64)> = drilldown["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap().to_owned(),
                r[1].as_u64().unwrap(),
                r[2].as_u64().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, u64, u64)> = by_channel
        .iter()
        .map(|(c, (o, w))| (c.clone(), *o, *w))
        .collect();
    assert_eq!(rows, expected);
    let plugin = record["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == NAME)
        .unwrap_or_else(|| panic!("{NAME} is not in the plugin inventory"));
    plugin["sdk_version"].as_str().unwrap().to_owned()
}

#[test]
fn the_rust_project_tests_builds_and_runs_through_assess() {
    let dir = tempfile::tempdir().unwrap();
    let project = generate(dir.path(), &[]);
    let cargo_toml = std::fs::read_to_string(project.join("Cargo.toml")).unwrap();
    let sdk = root().join("plugins").join("sdk").canonicalize().unwrap();
    assert!(
        cargo_toml.contains(&format!("path = \"{}\"", sdk.display())),
        "{cargo_toml}"
    );
    // The workspace's lock file: the same versions as the workspace, so the
    // compiled dependencies are reused (cargo drops the entries it does not
    // need).
    std::fs::copy(root().join("Cargo.lock"), project.join("Cargo.lock")).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let build_dir = build_dir().parent().unwrap().to_path_buf();
    let target = dir.path().join("target");
    let env = [
        ("CARGO_BUILD_BUILD_DIR", build_dir.as_path()),
        ("CARGO_TARGET_DIR", target.as_path()),
    ];
    let started = Instant::now();
    let o = run_in(&project, &cargo, &["test", "--offline"], &env);
    let tests = stdout(&o);
    assert!(tests.contains("test result: ok. 3 passed"), "{tests}");
    run_in(&project, &cargo, &["build", "--offline"], &env);
    eprintln!(
        "the Rust project tested and built in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let library = target.join("debug").join(format!(
        "{}{NAME}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    assert!(library.is_file(), "{} was not built", library.display());
    let plugins = tempfile::tempdir().unwrap();
    std::fs::copy(&library, plugins.path().join(library.file_name().unwrap())).unwrap();
    assert_eq!(
        assess_and_check(&project, plugins.path(), &[]),
        env!("CARGO_PKG_VERSION")
    );
}

#[test]
fn the_c_project_compiles_and_runs_through_assess() {
    let dir = tempfile::tempdir().unwrap();
    let project = generate(dir.path(), &["--lang", "c"]);
    // Self-contained: the header is cxaudit's, as it is.
    assert_eq!(
        std::fs::read_to_string(project.join("cxaudit_plugin.h")).unwrap(),
        std::fs::read_to_string(root().join("include/cxaudit_plugin.h")).unwrap()
    );
    assert!(!project.join("Cargo.toml").exists());
    // The Makefile's command, with every warning an error.
    let makefile = std::fs::read_to_string(project.join("Makefile")).unwrap();
    assert!(makefile.contains("-shared -fPIC"), "{makefile}");
    let plugins = tempfile::tempdir().unwrap();
    let library = plugins.path().join(format!(
        "{}{NAME}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    // Every warning an error, the header found in the project.
    let strict = [
        "-std=c11",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-pedantic",
        "-I",
        ".",
    ];
    let library_args = [
        "-O2",
        "-shared",
        "-fPIC",
        "-o",
        library.to_str().unwrap(),
        "plugin.c",
    ];
    run_in(
        &project,
        &compiler,
        &[&strict[..], &library_args].concat(),
        &[],
    );
    // Its unit test, as `make test` builds and runs it.
    let test = dir.path().join("test_plugin");
    let test_args = ["-o", test.to_str().unwrap(), "test_plugin.c", "plugin.c"];
    run_in(
        &project,
        &compiler,
        &[&strict[..], &test_args].concat(),
        &[],
    );
    let o = run_in(&project, test.to_str().unwrap(), &[], &[]);
    assert!(
        stdout(&o).ends_with(" passed, 0 failed\n"),
        "{}",
        stdout(&o)
    );
    assert!(makefile.contains("test_plugin.c plugin.c"), "{makefile}");
    assert_eq!(
        assess_and_check(&project, plugins.path(), &[]),
        "c-header-1.0"
    );
}

#[test]
fn the_python_project_tests_and_runs_through_assess() {
    let dir = tempfile::tempdir().unwrap();
    let project = generate(dir.path(), &["--lang", "python"]);
    // Self-contained: the helper module is cxaudit's, as it is.
    assert_eq!(
        std::fs::read_to_string(project.join("cxaudit_plugin.py")).unwrap(),
        std::fs::read_to_string(root().join("plugins/python/cxaudit_plugin.py")).unwrap()
    );
    // pyarrow (and the repository's helper module, which the project's own
    // copy comes before: the project's folder is first on the path).
    let python_path = cxaudit_tests::python::python_path();
    let env = [("PYTHONPATH", Path::new(&python_path))];
    let o = run_in(&project, "python3", &["-m", "unittest", "-v"], &env);
    let tests = stderr(&o);
    assert!(
        tests.contains("Ran 3 tests") && tests.contains("\nOK"),
        "{tests}"
    );
    // The project's folder is the plugin: its cxaudit-plugin.toml.
    assert_eq!(
        assess_and_check(&project, &project, &env),
        "python-helper-1.0"
    );
}

#[test]
fn a_bad_name_is_refused_with_exit_2_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    for (name, why) in [
        ("Wait", "must start with a lower-case letter"),
        (
            "wait-times",
            "use only lower-case letters a-z, digits and `_`",
        ),
        ("fn", "Rust keyword"),
    ] {
        let out = dir.path().join("p");
        let o = cxaudit(&["plugin", "new", name, "--out", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("error: `{name}` is not a plugin name: ")),
            "{}",
            stderr(&o)
        );
        assert!(stderr(&o).contains(why), "{}", stderr(&o));
        assert!(!out.exists(), "{name}: a folder was written");
    }
}

#[test]
fn a_folder_with_files_is_refused_with_exit_2_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mine");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "my notes").unwrap();
    for lang in ["rust", "c", "python"] {
        let o = cxaudit(&[
            "plugin",
            "new",
            NAME,
            "--lang",
            lang,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!(
                "{} already exists and is not empty",
                out.display()
            )),
            "{}",
            stderr(&o)
        );
        let entries: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
        assert_eq!(entries.len(), 1, "the folder was written into");
    }
    // An empty folder is fine; a file is not a folder.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    cxaudit_ok(&[
        "plugin",
        "new",
        NAME,
        "--lang",
        "c",
        "--out",
        empty.to_str().unwrap(),
    ]);
    assert!(empty.join("plugin.c").is_file());
    let o = cxaudit(&[
        "plugin",
        "new",
        NAME,
        "--out",
        out.join("notes.txt").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is not a folder"), "{}", stderr(&o));
    // A Rust project needs the SDK where --sdk-path says.
    let o = cxaudit(&[
        "plugin",
        "new",
        NAME,
        "--out",
        dir.path().join("x").to_str().unwrap(),
        "--sdk-path",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is not the cxaudit plugin SDK"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("x").exists());
}

#[test]
fn the_plugin_guide_quotes_the_generated_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut generated = String::new();
    for lang in ["rust", "c", "python"] {
        let project = generate(&dir.path().join(lang), &["--lang", lang]);
        for file in walk(&project) {
            generated.push_str(&std::fs::read_to_string(file).unwrap());
            generated.push('\n');
        }
    }
    // The guide writes the checkout's SDK path as `/path/to/cxaudit`; the generated files hold
    // this checkout's own.
    let sdk = root().join("plugins").join("sdk");
    let generated = generated.replace(
        &format!("path = {:?}", sdk.to_str().unwrap()),
        "path = \"/path/to/cxaudit/plugins/sdk\"",
    );
    let guide = std::fs::read_to_string(root().join("docs").join("plugins.md")).unwrap();
    let mut quoted = 0;
    for lang in ["rust", "c", "python", "toml"] {
        let fence = format!("```{lang}\n");
        for block in guide.split(&fence).skip(1) {
            let code = &block[..block.find("```").expect("a closed block")];
            assert!(
                generated.contains(code),
                "docs/plugins.md shows a {lang} block that is not in the generated files:\n{code}"
            );
            quoted += 1;
        }
    }
    assert!(quoted >= 5, "the guide quotes {quoted} blocks");
}

/// Every file under `dir`, sorted.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

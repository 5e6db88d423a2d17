//! End-to-end tests of progress on stderr: without a terminal, one plain
//! line per table read and per criterion evaluated (no bar, no timing);
//! with the global `-q`/`--quiet`, nothing at all for a successful run;
//! stdout the same either way.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cxaudit_tests::*;

/// A folder holding the `cxaudit` binary and the threshold plugin only
/// (hard links, or copies across file systems), so the binary's own folder
/// holds no library it would refuse with a warning. It is made in `target/`,
/// beside the build folder (whose plugin search would find it inside).
fn isolated_binary() -> (tempfile::TempDir, PathBuf) {
    let target = build_dir().parent().expect("target folder").to_path_buf();
    let dir = tempfile::tempdir_in(target).expect("temp dir beside the build");
    let link = |from: &Path| {
        let to = dir.path().join(from.file_name().expect("file name"));
        if std::fs::hard_link(from, &to).is_err() {
            std::fs::copy(from, &to).expect("copy");
        }
        to
    };
    let binary = link(&bin());
    link(&plugin_library("cxaudit_testplugin_threshold"));
    (dir, binary)
}

/// Runs `binary` with `args` and without the environment's plugin path.
fn run(binary: &Path, args: &[&str]) -> Output {
    Command::new(binary)
        .args(args)
        .env_remove("CXAUDIT_PLUGIN_PATH")
        .output()
        .expect("run cxaudit")
}

/// `assess` of the basic evidence against the tailored basic pack (no
/// criterion fails, no warning) into `out`.
fn assess_args<'a>(out: &'a str, pack: &'a str, evidence: &'a str) -> Vec<&'a str> {
    vec![
        "assess",
        "--pack",
        pack,
        "--evidence",
        evidence,
        "--out",
        out,
    ]
}

#[test]
fn without_a_terminal_progress_is_one_plain_line_per_table_and_criterion() {
    let (_bin_dir, binary) = isolated_binary();
    let out = tempfile::tempdir().unwrap();
    let (pack, evidence) = (fixture("pack-tailored"), fixture("evidence-basic"));
    let (out, pack, evidence) = (
        out.path().to_str().unwrap(),
        pack.to_str().unwrap(),
        evidence.to_str().unwrap(),
    );
    let o = run(&binary, &assess_args(out, pack, evidence));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The reading first; then a line as each criterion starts, in the order
    // the workers take them (with several at a time, a worker takes the
    // next criterion of the plugin whose process it holds first).
    let printed = stderr(&o);
    let mut lines: Vec<&str> = printed.lines().collect();
    lines[1..].sort_unstable();
    assert_eq!(
        lines,
        [
            "reading calls (data/calls.csv)",
            "evaluating DC1 (3/4) with threshold/policy_heading",
            "evaluating RB2 (4/4) with manual",
            "evaluating SV1 (1/4) with threshold/wait_threshold",
            "evaluating SV2 (2/4) with threshold/row_count",
        ],
        "{}",
        stderr(&o)
    );
    // No bar: no carriage return, no escape sequence.
    assert!(!stderr(&o).contains(['\r', '\u{1b}']), "{:?}", stderr(&o));
}

#[test]
fn quiet_prints_nothing_on_stderr_and_the_same_stdout() {
    let (_bin_dir, binary) = isolated_binary();
    let out = tempfile::tempdir().unwrap();
    let (pack, evidence) = (fixture("pack-tailored"), fixture("evidence-basic"));
    let (out, pack, evidence) = (
        out.path().to_str().unwrap(),
        pack.to_str().unwrap(),
        evidence.to_str().unwrap(),
    );
    let plain = run(&binary, &assess_args(out, pack, evidence));
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    assert!(!stderr(&plain).is_empty());
    // The flag is global: before the command, or after it, long or short.
    for (before, after) in [
        (Some("-q"), None),
        (None, Some("--quiet")),
        (None, Some("-q")),
    ] {
        let mut args: Vec<&str> = before.into_iter().collect();
        args.extend(assess_args(out, pack, evidence));
        args.extend(after);
        let quiet = run(&binary, &args);
        assert_eq!(quiet.status.code(), Some(0), "{args:?}: {}", stderr(&quiet));
        assert_eq!(stderr(&quiet), "", "{args:?}");
        assert_eq!(stdout(&quiet), stdout(&plain), "{args:?}");
    }
    // `kpis` reads tables with progress too, and is as quiet.
    let kpis_evidence = fixture("evidence-kpis");
    let kpis = ["kpis", "-q", "--evidence", kpis_evidence.to_str().unwrap()];
    let o = run(&binary, &kpis);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        !stderr(&o).lines().any(|l| l.starts_with("reading ")),
        "{}",
        stderr(&o)
    );
}

/// Quotes an argument for `sh -c`.
fn sh_quote(arg: &str) -> String {
    format!("'{}'", arg.replace('\'', "'\\''"))
}

#[test]
fn on_a_terminal_progress_is_a_bar_cleared_before_the_results() {
    // `script` (util-linux) runs the command on a pseudo-terminal.
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: `script` is not installed, no pseudo-terminal to test the bar on");
        return;
    }
    let (_bin_dir, binary) = isolated_binary();
    let out = tempfile::tempdir().unwrap();
    let (pack, evidence) = (fixture("pack-tailored"), fixture("evidence-basic"));
    let mut command = vec![binary.to_str().unwrap().to_owned()];
    command.extend(
        assess_args(
            out.path().to_str().unwrap(),
            pack.to_str().unwrap(),
            evidence.to_str().unwrap(),
        )
        .iter()
        .map(|a| (*a).to_owned()),
    );
    let line: Vec<String> = command.iter().map(|a| sh_quote(a)).collect();
    let o = Command::new("script")
        .args(["-qfec", &line.join(" "), "/dev/null"])
        .env_remove("CXAUDIT_PLUGIN_PATH")
        .output()
        .expect("run script");
    let screen = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{screen}");
    assert!(screen.contains("evaluating criteria ["), "{screen:?}");
    assert!(screen.contains("reading tables ["), "{screen:?}");
    // No plain lines, and the bar is cleared before the summary.
    assert!(
        !screen.contains("reading calls (data/calls.csv)"),
        "{screen:?}"
    );
    let summary = screen
        .find("Test Centre (basic-tailored)")
        .expect("summary");
    let cleared = screen.rfind("\u{1b}[2K").expect("the bar is cleared");
    assert!(cleared < summary, "{screen:?}");
}

#[test]
fn timings_name_every_phase_and_criterion_and_leave_the_outputs_alone() {
    let (_bin_dir, binary) = isolated_binary();
    let plain_out = tempfile::tempdir().unwrap();
    let timed_out = tempfile::tempdir().unwrap();
    let (pack, evidence) = (fixture("pack-tailored"), fixture("evidence-basic"));
    let (pack, evidence) = (pack.to_str().unwrap(), evidence.to_str().unwrap());
    let mut args = vec!["-q"];
    args.extend(assess_args(
        plain_out.path().to_str().unwrap(),
        pack,
        evidence,
    ));
    let plain = run(&binary, &args);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    let mut args = vec!["-q"];
    args.extend(assess_args(
        timed_out.path().to_str().unwrap(),
        pack,
        evidence,
    ));
    args.push("--timings");
    let timed = run(&binary, &args);
    assert_eq!(timed.status.code(), Some(0), "{}", stderr(&timed));
    // Each line: `timing`, the phase (indented for its parts), seconds.
    let phases: Vec<String> = stderr(&timed)
        .lines()
        .map(|line| {
            let (head, _) = line.split_once(" s").unwrap_or((line, ""));
            let (name, seconds) = head.rsplit_once(' ').expect("a phase and its seconds");
            assert!(seconds.parse::<f64>().is_ok(), "{line}");
            name.to_owned()
        })
        .collect();
    assert_eq!(
        phases,
        [
            "timing pack and plugins",
            "timing evidence",
            "timing   table calls",
            "timing evaluations",
            "timing   criterion SV1",
            "timing   criterion SV2",
            "timing   criterion DC1",
            "timing   criterion RB2",
            "timing assembly",
            "timing reports",
        ],
        "{}",
        stderr(&timed)
    );
    // The folder holds the binary and one plugin library: one plugin from
    // it (and the built-in ones), nothing refused.
    let setup = stderr(&timed).lines().next().unwrap_or_default().to_owned();
    assert!(setup.ends_with("libraries refused)"), "{setup}");
    assert!(setup.contains(" plugins loaded, 0 libraries"), "{setup}");
    assert_eq!(
        stdout(&timed).replace(timed_out.path().to_str().unwrap(), "OUT"),
        stdout(&plain).replace(plain_out.path().to_str().unwrap(), "OUT")
    );
}

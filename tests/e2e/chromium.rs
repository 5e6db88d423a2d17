//! Headless Chromium for the tests of the HTML reports: find it (or skip
//! with a notice outside CI), load a page and collect its console messages
//! and DOM, measure its charts, take a screenshot. The pages have no
//! script, so any console message is a problem.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Chromium, or `None` with a notice when it is missing; with `CI` set a
/// missing Chromium fails the test (`.ci/run` installs Debian's `chromium`).
pub fn require() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but Chromium is missing: install it (apt-get install -y chromium)"
        );
        eprintln!(
            "SKIPPED: Chromium not found (/usr/bin/chromium); install it to run the browser test"
        );
    }
    found
}

/// Where the screenshots and pages of the browser tests are kept:
/// `target/test-artifacts/`.
pub fn artifacts() -> PathBuf {
    let dir = crate::root().join("target/test-artifacts");
    std::fs::create_dir_all(&dir).expect("create target/test-artifacts");
    dir
}

/// The Chromium executable: `CXAUDIT_CHROMIUM`, Debian's paths, or `PATH`.
pub fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CXAUDIT_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
    if let Some(p) = candidates.iter().map(Path::new).find(|p| p.exists()) {
        return Some(p.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
            .find(|p| p.is_file())
    })
}

/// What Chromium printed.
pub struct Run {
    /// Its standard output (the DOM with `--dump-dom`).
    pub stdout: String,
    /// Its standard error (console messages with `--enable-logging=stderr`).
    pub stderr: String,
}

/// Runs Chromium headless on `page` with extra arguments, with a deadline.
pub fn run_chromium(exe: &Path, page: &Path, extra: &[String]) -> Run {
    let profile = tempfile::tempdir().expect("profile dir");
    let out_dir = tempfile::tempdir().expect("output dir");
    let (out_path, err_path) = (out_dir.path().join("out"), out_dir.path().join("err"));
    let mut child = Command::new(exe)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            let run = Run {
                stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
                stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
            };
            assert!(
                status.success(),
                "chromium failed ({status}): {}",
                run.stderr
            );
            return run;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Console messages of a page load (the pages have no script, so any
/// console message is a problem: an error, a blocked resource...).
pub fn console_messages(exe: &Path, page: &Path) -> (Vec<String>, String) {
    let run = run_chromium(
        exe,
        page,
        &[
            "--enable-logging=stderr".into(),
            "--v=0".into(),
            "--dump-dom".into(),
        ],
    );
    let messages = run
        .stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_owned)
        .collect();
    (messages, run.stdout)
}

/// The rendered size of every `<svg>`, measured in a copy of the page with
/// a measuring script appended (the shipped page has no script).
pub fn svg_sizes(exe: &Path, page: &Path) -> Vec<(f64, f64)> {
    let html = std::fs::read_to_string(page).unwrap();
    let probe = r#"<script>
(function () {
  var out = [];
  document.querySelectorAll('svg').forEach(function (s) {
    var b = s.getBoundingClientRect();
    out.push(b.width + 'x' + b.height);
  });
  var p = document.createElement('pre');
  p.id = 'svg-sizes';
  // The marker is split so the script's own text does not contain it.
  p.textContent = 'SIZ' + 'ES[' + out.join(',') + ']SIZ' + 'ES';
  document.body.appendChild(p);
})();
</script></body>"#;
    let measured = page.with_extension("measure.html");
    std::fs::write(&measured, html.replace("</body>", probe)).unwrap();
    let run = run_chromium(exe, &measured, &["--dump-dom".into()]);
    let _ = std::fs::remove_file(&measured);
    let start = run.stdout.find("SIZES[").expect("the probe ran") + "SIZES[".len();
    let end = run.stdout[start..].find("]SIZES").expect("probe output") + start;
    run.stdout[start..end]
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (w, h) = s.split_once('x').expect("WxH");
            (w.parse().unwrap(), h.parse().unwrap())
        })
        .collect()
}

/// Writes a PNG screenshot of `page` to `png` and checks it is not blank.
pub fn screenshot(exe: &Path, page: &Path, png: &Path) {
    let _ = std::fs::remove_file(png);
    run_chromium(
        exe,
        page,
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,4000".into(),
        ],
    );
    let bytes = std::fs::read(png).expect("screenshot written");
    assert!(bytes.starts_with(b"\x89PNG"), "{} is a PNG", png.display());
    assert!(bytes.len() > 10_000, "{} is not blank", png.display());
}

//! `report.html` and `compare.html` in a real browser (headless Chromium):
//! the page loads without console messages, every chart has a size, and
//! the `<script>alert(1)</script>` planted in the evidence (an agent name,
//! a check description, a document heading) is text, never markup; so are
//! an image with an event handler and a script link put into the pack's
//! strings of a hand-edited record.
//! Screenshots go to `target/test-artifacts/`.
//!
//! Without Chromium the test is skipped with a notice, unless `CI` is set:
//! then it fails (`.ci/run` installs Debian's `chromium`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cxaudit::output::read_assessment;
use cxaudit_model::Assessment;
use cxaudit_reports::{Templates, render};
use cxaudit_tests::root;

const XSS_ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;";

fn chromium() -> Option<PathBuf> {
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

struct Run {
    stdout: String,
    stderr: String,
}

/// Runs Chromium headless on `page` with extra arguments, with a deadline.
fn run_chromium(exe: &Path, page: &Path, extra: &[String]) -> Run {
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
fn console_messages(exe: &Path, page: &Path) -> (Vec<String>, String) {
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
fn svg_sizes(exe: &Path, page: &Path) -> Vec<(f64, f64)> {
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

fn screenshot(exe: &Path, page: &Path, png: &Path) {
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

fn fixture(name: &str) -> Assessment {
    let path = root().join("tests/fixtures/report").join(name);
    read_assessment(&path).expect("fixture assessment")
}

fn check_page(exe: &Path, page: &Path, expected_svgs: usize) {
    let (messages, dom) = console_messages(exe, page);
    assert!(
        messages.is_empty(),
        "{}: console messages:\n{}",
        page.display(),
        messages.join("\n")
    );
    // The loaded DOM has no script element and shows the injected strings as text.
    assert!(
        !dom.contains("<script"),
        "{}: a script element",
        page.display()
    );
    assert!(
        dom.contains(XSS_ESCAPED),
        "{}: the injected string is not shown as text",
        page.display()
    );
    let sizes = svg_sizes(exe, page);
    assert_eq!(sizes.len(), expected_svgs, "{}: charts", page.display());
    for (i, (w, h)) in sizes.iter().enumerate() {
        assert!(
            *w > 0.0 && *h > 0.0,
            "{}: chart {i} is {w}x{h}",
            page.display()
        );
    }
}

#[test]
fn reports_render_in_headless_chromium() {
    let Some(exe) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but Chromium is missing: install it (apt-get install -y chromium)"
        );
        eprintln!(
            "SKIPPED: Chromium not found (/usr/bin/chromium); install it to run the browser test"
        );
        return;
    };
    let artifacts = root().join("target/test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();

    // The harness sees console errors (a control page with a failing script).
    let control = artifacts.join("console-control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><html><body><script>console.error('control-error')</script></body></html>",
    )
    .unwrap();
    let (messages, _) = console_messages(&exe, &control);
    assert!(
        messages.iter().any(|m| m.contains("control-error")),
        "the console capture does not work: {messages:?}"
    );
    let _ = std::fs::remove_file(&control);

    let base = fixture("base.json");
    let new = fixture("new.json");
    // The comparison shows no drill-down: plant the string in the site
    // name (from evidence.toml) of both.
    let (mut cbase, mut cnew) = (base.clone(), new.clone());
    cbase.centre.site = "<script>alert(1)</script>".into();
    cnew.centre.site = "<script>alert(1)</script>".into();
    let templates = Templates::embedded();
    let r = render(&base, &templates).unwrap();
    let report_html = artifacts.join("report.html");
    std::fs::write(&report_html, &r.html).unwrap();
    let c = cxaudit_reports::compare::render(&cbase, &cnew, &templates).unwrap();
    let compare_html = artifacts.join("compare.html");
    std::fs::write(&compare_html, &c.html).unwrap();

    let charts: usize = base.findings.iter().map(|f| f.charts.len()).sum();
    check_page(&exe, &report_html, charts + 1);
    check_page(&exe, &compare_html, 1);

    // Hand-edited pack and finding strings: the browser builds no image, no
    // event handler and no script link from them.
    let mut hostile = base.clone();
    let bad = "<img src=x onerror=alert(1)> [click](javascript:alert(1)) <script>alert(1)</script>";
    hostile.pack.title = bad.into();
    hostile.pack.version = bad.into();
    for f in &mut hostile.findings {
        f.title = bad.into();
        f.summary = bad.into();
        f.requirement = bad.into();
        f.guidance.met = bad.into();
    }
    let hostile_html = artifacts.join("report-hostile.html");
    std::fs::write(&hostile_html, render(&hostile, &templates).unwrap().html).unwrap();
    check_page(&exe, &hostile_html, charts + 1);
    let (_, dom) = console_messages(&exe, &hostile_html);
    for markup in ["<img", "onerror=\"", "href=\"javascript"] {
        assert!(
            !dom.contains(markup),
            "report-hostile.html: `{markup}` in the DOM"
        );
    }
    screenshot(&exe, &report_html, &artifacts.join("report.png"));
    screenshot(&exe, &compare_html, &artifacts.join("compare.png"));
}

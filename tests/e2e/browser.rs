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

use std::path::Path;

use cxaudit::output::read_assessment;
use cxaudit_model::Assessment;
use cxaudit_reports::{Templates, render};
use cxaudit_tests::chromium::{self, console_messages, screenshot, svg_sizes};
use cxaudit_tests::root;

const XSS_ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;";

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
    let Some(exe) = chromium::require() else {
        return;
    };
    let artifacts = chromium::artifacts();

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

//! Hostile strings in a hand-edited `assessment.json`, re-rendered by
//! `cxaudit report` and `cxaudit compare`: the Markdown shows them as text,
//! the HTML carries no script, no event-handler attribute and no script
//! link (checked on the raw bytes) yet shows the text, and
//! `improvement-plan.csv` starts no text cell with a formula character.

use std::path::Path;

use cxaudit_model::Assessment;
use cxaudit_tests::{cxaudit, fixture, stderr};
use pulldown_cmark::{Event, Options, Parser, Tag};
use serde_json::Value;

/// Raw HTML, an event handler, a script link, table pipes and emphasis.
fn hostile(tag: &str) -> String {
    format!(
        "{tag} <script>alert(1)</script> <img src=x onerror=alert(1)> \
         [click](javascript:alert(1)) | a | b | **bold**"
    )
}

/// [`hostile`] as Markdown text, escaped by hand.
fn hostile_md(tag: &str) -> String {
    format!(
        "{tag} \\<script>alert(1)\\</script> \\<img src=x onerror=alert(1)> \
         \\[click\\](javascript:alert(1)) \\| a \\| b \\| \\*\\*bold\\*\\*"
    )
}

/// [`hostile`] as the HTML templates escape it, by hand.
fn hostile_html(tag: &str) -> String {
    format!(
        "{tag} &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; \
         [click](javascript:alert(1)) | a | b | **bold**"
    )
}

/// A checked-in report fixture as JSON.
fn record(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture("report").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Writes `json` to `dir/name` after checking that it is a valid record.
fn write_record(dir: &Path, name: &str, json: &Value) -> String {
    let text = serde_json::to_string_pretty(json).unwrap();
    Assessment::from_json(&text).expect("the edited record is valid");
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

/// Runs `cxaudit` and reads the named output files.
fn run(args: &[&str], out: &Path, files: &[&str]) -> Vec<String> {
    let o = cxaudit(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    files
        .iter()
        .map(|f| std::fs::read_to_string(out.join(f)).unwrap())
        .collect()
}

/// Whether a link destination is one a report may carry.
fn safe_destination(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.split_once(':') {
        None => true,
        Some((scheme, _)) => {
            scheme.contains(['/', '?', '#']) || ["http", "https", "mailto"].contains(&scheme)
        }
    }
}

/// report.md / compare.md parsed as a viewer would: no raw HTML, no image,
/// no link to anything but http(s), mailto or a relative destination.
fn assert_markdown_inert(name: &str, md: &str) {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(md, options) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => panic!("{name}: raw HTML {h:?}"),
            Event::Start(Tag::Image { dest_url, .. }) => panic!("{name}: image {dest_url}"),
            Event::Start(Tag::Link { dest_url, .. }) => {
                assert!(safe_destination(&dest_url), "{name}: link to {dest_url}")
            }
            _ => {}
        }
    }
}

/// The elements the report templates, the pack's Markdown and the charts
/// produce; anything else in a report is an injection.
const ELEMENTS: [&str; 50] = [
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "nav",
    "main",
    "section",
    "article",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "div",
    "span",
    "strong",
    "em",
    "a",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "br",
    "hr",
    "figure",
    "figcaption",
    "blockquote",
    "del",
    "svg",
    "text",
    "rect",
    "line",
    "polyline",
    "circle",
    "g",
    "small",
    "sup",
];

/// Every start tag of an HTML page: its name and attributes (name, value).
fn start_tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut tags = Vec::new();
    for (i, _) in html.match_indices('<') {
        let rest = &html[i + 1..];
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let end = rest.find('>').expect("a closed tag");
        let body = rest[..end].trim_end_matches('/');
        let name_end = body
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(body.len());
        tags.push((
            body[..name_end].to_ascii_lowercase(),
            attributes(&body[name_end..]),
        ));
    }
    tags
}

/// The attributes of a start tag's body after its name.
fn attributes(mut s: &str) -> Vec<(String, String)> {
    let mut attrs = Vec::new();
    loop {
        s = s.trim_start();
        if s.is_empty() {
            return attrs;
        }
        let name_end = s.find(['=', ' ', '\t', '\n']).unwrap_or(s.len());
        let name = s[..name_end].to_ascii_lowercase();
        s = &s[name_end..];
        let value = match s.strip_prefix('=') {
            Some(v) => {
                let (value, rest) = match v.chars().next() {
                    Some(q @ ('"' | '\'')) => {
                        let close = v[1..].find(q).expect("a closing quote") + 1;
                        (&v[1..close], &v[close + 1..])
                    }
                    _ => v.split_at(v.find(char::is_whitespace).unwrap_or(v.len())),
                };
                s = rest;
                value.to_owned()
            }
            None => String::new(),
        };
        attrs.push((name, value));
    }
}

/// No script element, no image, no event handler, no script URL in a link,
/// and only the elements the reports draw.
fn assert_html_inert(name: &str, html: &str) {
    let lower = html.to_ascii_lowercase();
    for bad in [
        "<script",
        "<img",
        "<iframe",
        "href=\"javascript:",
        "href='javascript:",
    ] {
        assert!(!lower.contains(bad), "{name}: `{bad}`");
    }
    for (tag, attrs) in start_tags(html) {
        assert!(ELEMENTS.contains(&tag.as_str()), "{name}: <{tag}>");
        for (attr, value) in attrs {
            assert!(!attr.starts_with("on"), "{name}: <{tag} {attr}={value}>");
            if ["href", "xlink:href", "src", "action", "formaction"].contains(&attr.as_str()) {
                let compact: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                assert!(
                    ["javascript:", "vbscript:", "data:"]
                        .iter()
                        .all(|s| !compact.starts_with(s)),
                    "{name}: <{tag} {attr}=\"{value}\">"
                );
            }
        }
    }
}

/// No text cell of improvement-plan.csv starts a spreadsheet formula.
fn assert_csv_neutral(csv_text: &str) -> Vec<csv::StringRecord> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    for row in &rows {
        // criterion, title, section, action, trigger, merged guidance: the text cells.
        for i in [1, 2, 3, 12, 14, 15] {
            assert!(
                !row[i].starts_with(['=', '+', '-', '@', '\t', '\r']),
                "cell {i}: {:?}",
                &row[i]
            );
        }
    }
    rows
}

/// The base fixture with hostile pack, criterion, finding, drill-down,
/// chart and plan strings put in by hand.
fn hostile_base() -> Value {
    let mut a = record("base.json");
    a["pack"]["title"] = hostile("PACK-TITLE").into();
    a["pack"]["version"] = hostile("PACK-VERSION").into();
    a["centre"]["name"] = hostile("CENTRE").into();
    let pf2 = a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .position(|f| f["criterion"] == "PF2")
        .unwrap();
    let f = &mut a["findings"][pf2];
    f["title"] = hostile("CRITERION-TITLE").into();
    f["summary"] = hostile("SUMMARY").into();
    // The coaching drill-down gets a team column; its first agent is hostile.
    let dd = &mut f["drilldowns"][0];
    dd["columns"] = serde_json::json!(["agent", "team", "contacts", "fcr"]);
    for row in dd["rows"].as_array_mut().unwrap() {
        let row = row.as_array_mut().unwrap();
        row.insert(1, hostile("TEAM").into());
    }
    dd["rows"][0][0] = hostile("AGENT").into();
    f["charts"][0]["x"][0] = hostile("AGENT").into();
    // The pack's Markdown keeps its formatting but no HTML, image or script link.
    f["requirement"] = "Coach **every** agent. <script>alert(1)</script> \
        <img src=x onerror=alert(1)> [click](javascript:alert(1)) ![i](http://e.x/a.png)"
        .into();
    f["guidance"]["met"] = "=1+1 [click](javascript:alert(1)) <b onclick=alert(1)>x</b>".into();
    let gap = &mut a["improvement_plan"]["gaps"][0];
    gap["title"] = "=HYPERLINK(\"http://x\",\"y\")".into();
    gap["section"] = "@SUM(1)".into();
    gap["actions"][0]["text"] = "=cmd|' /C calc'!A0".into();
    gap["actions"][0]["source"] = "pack".into();
    a
}

#[test]
fn report_of_a_hand_edited_record_shows_hostile_strings_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_record(dir.path(), "hostile.json", &hostile_base());
    let out = dir.path().join("r");
    let files = ["report.md", "report.html", "improvement-plan.csv"];
    let [md, html, csv_text] = run(
        &["report", &path, "--out", out.to_str().unwrap()],
        &out,
        &files,
    )
    .try_into()
    .unwrap();

    assert_markdown_inert("report.md", &md);
    for tag in [
        "PACK-TITLE",
        "PACK-VERSION",
        "CENTRE",
        "CRITERION-TITLE",
        "SUMMARY",
        "AGENT",
        "TEAM",
    ] {
        assert!(md.contains(&hostile_md(tag)), "report.md: {tag}\n{md}");
    }
    assert!(md.contains("Coach **every** agent. \\<script>"), "{md}");
    assert!(md.contains("\\[click\\](javascript:alert(1))"), "{md}");

    assert_html_inert("report.html", &html);
    for tag in [
        "PACK-TITLE",
        "PACK-VERSION",
        "CRITERION-TITLE",
        "SUMMARY",
        "TEAM",
    ] {
        assert!(html.contains(&hostile_html(tag)), "report.html: {tag}");
    }
    // The agent id in a drill-down cell and, XML-escaped, as a chart label.
    assert!(html.contains(&format!("<td>{}</td>", hostile_html("AGENT"))));
    assert!(html.contains("AGENT &lt;script&gt;"), "chart label");
    // The pack's Markdown: formatting kept, the script link's text shown.
    assert!(
        html.contains("Coach <strong>every</strong> agent."),
        "{html}"
    );
    assert!(
        html.contains("&lt;b onclick=alert(1)&gt;x&lt;/b&gt;"),
        "{html}"
    );

    let rows = assert_csv_neutral(&csv_text);
    assert_eq!(&rows[0][2], "'=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(&rows[0][3], "'@SUM(1)");
    assert_eq!(&rows[0][12], "'=cmd|' /C calc'!A0");
    assert!(
        rows[0][5].parse::<f64>().is_ok(),
        "gap points stay a number"
    );
}

/// Every string of the record made hostile, one at a time, keeping those
/// the record format accepts (ids, names, texts, labels, units, paths;
/// not statuses, dates or the format version).
fn every_string_hostile(mut a: Value) -> Value {
    let mut paths = Vec::new();
    string_paths(&a, &mut Vec::new(), &mut paths);
    for (i, path) in paths.iter().enumerate() {
        let new = format!("={}", hostile(&format!("S{i}"))).into();
        let old = std::mem::replace(at(&mut a, path), new);
        if Assessment::from_json(&a.to_string()).is_err() {
            *at(&mut a, path) = old;
        }
    }
    a
}

/// The value at `path`.
fn at<'a>(v: &'a mut Value, path: &[Key]) -> &'a mut Value {
    path.iter().fold(v, |v, k| match k {
        Key::Field(f) => &mut v[f.as_str()],
        Key::Index(i) => &mut v[*i],
    })
}

/// A step of a path into a JSON value.
#[derive(Clone)]
enum Key {
    Field(String),
    Index(usize),
}

/// The paths of every string leaf of `v`.
fn string_paths(v: &Value, at: &mut Vec<Key>, out: &mut Vec<Vec<Key>>) {
    match v {
        Value::String(_) => out.push(at.clone()),
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                at.push(Key::Index(i));
                string_paths(x, at, out);
                at.pop();
            }
        }
        Value::Object(map) => {
            for (k, x) in map {
                at.push(Key::Field(k.clone()));
                string_paths(x, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

#[test]
fn every_string_of_a_record_made_hostile_renders_inert() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = every_string_hostile(record("base.json"));
    let path = write_record(dir.path(), "hostile.json", &hostile);
    let out = dir.path().join("r");
    let files = ["report.md", "report.html", "improvement-plan.csv"];
    let [md, html, csv_text] = run(
        &["report", &path, "--out", out.to_str().unwrap()],
        &out,
        &files,
    )
    .try_into()
    .unwrap();
    assert_markdown_inert("report.md", &md);
    assert_html_inert("report.html", &html);
    let rows = assert_csv_neutral(&csv_text);
    assert!(
        rows.iter().any(|r| r[2].starts_with("'=S")),
        "titles were made hostile"
    );
    // The strings did reach the reports: the record's title and a summary.
    assert!(md.contains("\\=S"), "{md}");
    assert!(html.contains("=S"), "{html}");
}

#[test]
fn compare_of_hand_edited_records_shows_hostile_strings_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for name in ["base.json", "new.json"] {
        let mut a = record(name);
        a["pack"]["title"] = hostile("PACK-TITLE").into();
        a["centre"]["name"] = hostile("CENTRE").into();
        a["pack"]["headline_kpis"][0]["label"] = hostile("KPI").into();
        for f in a["findings"].as_array_mut().unwrap() {
            f["title"] = hostile("CRITERION-TITLE").into();
        }
        for s in a["scores"]["sections"].as_array_mut().unwrap() {
            s["title"] = hostile("SECTION").into();
        }
        paths.push(write_record(dir.path(), name, &a));
    }
    let out = dir.path().join("c");
    let [md, html] = run(
        &[
            "compare",
            &paths[0],
            &paths[1],
            "--out",
            out.to_str().unwrap(),
        ],
        &out,
        &["compare.md", "compare.html"],
    )
    .try_into()
    .unwrap();
    assert_markdown_inert("compare.md", &md);
    for tag in ["PACK-TITLE", "CENTRE", "KPI", "CRITERION-TITLE", "SECTION"] {
        assert!(md.contains(&hostile_md(tag)), "compare.md: {tag}\n{md}");
    }
    assert_html_inert("compare.html", &html);
    for tag in ["PACK-TITLE", "KPI", "CRITERION-TITLE", "SECTION"] {
        assert!(html.contains(&hostile_html(tag)), "compare.html: {tag}");
    }
}

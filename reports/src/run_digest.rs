//! The run digest in the report files, and reading it back: every file of
//! an assessment's set carries the digest of its `assessment.json`
//! (`cxaudit_model::run`), so a reader can tell that the files belong
//! together.
//!
//! - `report.md`: a line `Run digest: `HEX`` at the end;
//! - `report.html`: `<meta name="cxaudit-run-digest" content="HEX">` in the
//!   head, and the digest in words above the footer;
//! - `improvement-plan.csv`: a last column `run_digest` on every row (a
//!   plan without actions has no row, and no digest to carry);
//! - `compare.md` / `compare.html`: both assessments' digests;
//! - `trend.md` / `trend.html`: every assessment's digest, in time order
//!   (`<meta name="cxaudit-trend-run-digest" content="HEX">`, one each).

use std::collections::BTreeSet;

use cxaudit_model::Assessment;
use cxaudit_model::run::is_digest;

/// The column of `improvement-plan.csv` holding the digest.
pub const CSV_COLUMN: &str = "run_digest";
/// The `name` of the HTML `meta` element holding the digest.
pub const HTML_META: &str = "cxaudit-run-digest";
/// The `name` of the HTML `meta` elements of `trend.html`, one per
/// assessment of the trend.
pub const TREND_HTML_META: &str = "cxaudit-trend-run-digest";
/// What starts the Markdown line holding the digest.
pub const MARKDOWN_LABEL: &str = "Run digest: `";

/// Checks that a report file of the set (one of [`crate::REPORT_FILES`])
/// carries the record's run digest, and for the CSV one row per action of
/// the record's plan. `Err` says what the file holds instead.
pub fn check(file: &str, text: &str, record: &Assessment) -> Result<(), String> {
    let expected = &record.run.digest;
    let found = match file {
        "report.md" => in_markdown(text),
        "report.html" => in_html(text),
        "improvement-plan.csv" => return check_csv(text, record),
        other => return Err(format!("`{other}` is not a report file")),
    };
    one_digest(found, expected)
}

/// The digests on the Markdown lines that start with [`MARKDOWN_LABEL`].
pub fn in_markdown(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|line| line.trim_start().strip_prefix(MARKDOWN_LABEL))
        .filter_map(|rest| rest.split_once('`').map(|(d, _)| d.to_owned()))
        .collect()
}

/// The digests of the HTML `meta` elements named [`HTML_META`].
pub fn in_html(text: &str) -> BTreeSet<String> {
    metas(text, HTML_META).into_iter().collect()
}

/// The digests of `trend.html`'s `meta` elements named [`TREND_HTML_META`],
/// in the order of the page (time order).
pub fn in_trend_html(text: &str) -> Vec<String> {
    metas(text, TREND_HTML_META)
}

/// The `content` of every `meta` element named `name`, in order.
fn metas(text: &str, name: &str) -> Vec<String> {
    let start = format!("<meta name=\"{name}\" content=\"");
    text.match_indices(&start)
        .filter_map(|(at, _)| text[at + start.len()..].split_once('"'))
        .map(|(d, _)| d.to_owned())
        .collect()
}

/// The CSV carries the digest on every row, and one row per action.
fn check_csv(text: &str, record: &Assessment) -> Result<(), String> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let column = reader
        .headers()
        .map_err(|e| format!("not CSV: {e}"))?
        .iter()
        .position(|h| h == CSV_COLUMN)
        .ok_or_else(|| format!("no `{CSV_COLUMN}` column"))?;
    let mut found = BTreeSet::new();
    let mut rows = 0usize;
    for record in reader.records() {
        let row = record.map_err(|e| format!("not CSV: {e}"))?;
        found.insert(row.get(column).unwrap_or_default().to_owned());
        rows += 1;
    }
    let actions: usize = record
        .improvement_plan
        .gaps
        .iter()
        .map(|g| g.actions.len())
        .sum();
    if rows != actions {
        return Err(format!("{rows} rows; the record plans {actions} actions"));
    }
    if rows == 0 {
        return Ok(());
    }
    one_digest(found, &record.run.digest)
}

/// Exactly one well-formed digest, the expected one.
fn one_digest(found: BTreeSet<String>, expected: &str) -> Result<(), String> {
    let listed = || found.iter().cloned().collect::<Vec<_>>().join(", ");
    match found.len() {
        0 => Err("no run digest".into()),
        1 if found.contains(expected) && is_digest(expected) => Ok(()),
        1 => Err(listed()),
        _ => Err(format!("several run digests: {}", listed())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_read_where_the_templates_put_them() {
        let d = "ab".repeat(32);
        let md = format!("# x\n\n---\nGenerated.\n\n{MARKDOWN_LABEL}{d}` (every file)\n");
        assert_eq!(in_markdown(&md), BTreeSet::from([d.clone()]));
        assert!(in_markdown("Run digests: base `x`, new `y`.\n").is_empty());
        let html = format!("<head><meta name=\"{HTML_META}\" content=\"{d}\">\n</head>");
        assert_eq!(in_html(&html), BTreeSet::from([d.clone()]));
        assert!(in_html("<meta name=\"cxaudit-base-run-digest\" content=\"x\">").is_empty());
    }

    #[test]
    fn none_or_several_or_another_digest_is_a_difference() {
        let d = "ab".repeat(32);
        let other = "cd".repeat(32);
        assert_eq!(one_digest(BTreeSet::from([d.clone()]), &d), Ok(()));
        assert_eq!(
            one_digest(BTreeSet::from([other.clone()]), &d),
            Err(other.clone())
        );
        assert_eq!(one_digest(BTreeSet::new(), &d), Err("no run digest".into()));
        assert!(
            one_digest(BTreeSet::from([d.clone(), other]), &d)
                .unwrap_err()
                .starts_with("several run digests: ")
        );
        // A record without a digest matches nothing, not even an empty one.
        assert!(one_digest(BTreeSet::from([String::new()]), "").is_err());
    }
}

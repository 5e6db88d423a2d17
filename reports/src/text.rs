//! Text for reports: number formats, Markdown escaping of evidence strings,
//! the pack's Markdown rendered safely (raw HTML shown as text, unsafe link
//! schemes and images dropped), and spreadsheet-safe CSV text cells.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};
use serde_json::Value;

/// A share as a percentage with one decimal, e.g. `80.0%`.
pub fn pct(x: f64) -> String {
    format!("{:.1}%", no_negative_zero((x * 1000.0).round() / 10.0))
}

/// `-0.0` (or a tiny negative that rounds to it) as `0.0`.
fn no_negative_zero(x: f64) -> f64 {
    if x == 0.0 { 0.0 } else { x }
}

/// An optional share, `n/a` when absent.
pub fn pct_opt(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_owned(), pct)
}

/// A difference of shares in percentage points, signed, e.g. `+4.2 pp`.
pub fn pp(delta: f64) -> String {
    let v = (delta * 1000.0).round() / 10.0;
    if v == 0.0 {
        "±0.0 pp".to_owned()
    } else {
        format!("{v:+.1} pp")
    }
}

/// A number with at most `decimals` decimals, trailing zeros removed.
pub fn num(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    };
    if s == "-0" { "0".to_owned() } else { s }
}

/// Points with one decimal, e.g. `200.0`.
pub fn points(x: f64) -> String {
    format!("{:.1}", no_negative_zero((x * 10.0).round() / 10.0))
}

/// A value with its unit: ratios as percentages, seconds as `s`, others
/// with the unit written after the number.
pub fn with_unit(value: f64, unit: &str) -> String {
    match unit {
        "ratio" | "share" | "proportion" => pct(value),
        "percent" | "%" => format!("{}%", num(value, 2)),
        "seconds" | "s" => format!("{} s", num(value, 1)),
        "" => num(value, 4),
        u => format!("{} {u}", num(value, decimals_for(value, 3))),
    }
}

/// Decimals that show at least `significant` digits of `x` (never fewer than 2),
/// so 0.3046 reads 0.305 and 4.5492 reads 4.55.
fn decimals_for(x: f64, significant: i32) -> usize {
    if x == 0.0 || !x.is_finite() {
        return 2;
    }
    let magnitude = x.abs().log10().floor() as i32;
    (significant - 1 - magnitude).clamp(2, 10) as usize
}

/// A signed difference with its unit (percentage points for ratios).
pub fn delta_with_unit(delta: f64, unit: &str) -> String {
    match unit {
        "ratio" | "share" | "proportion" => pp(delta),
        _ => {
            let s = with_unit(delta, unit);
            if delta > 0.0 { format!("+{s}") } else { s }
        }
    }
}

/// A JSON value as report text.
pub fn value(v: &Value) -> String {
    match v {
        Value::Null => "none".to_owned(),
        Value::Bool(true) => "yes".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        Value::Number(n) => n
            .as_i64()
            .map(|i| i.to_string())
            .or_else(|| n.as_f64().map(|f| num(f, 4)))
            .unwrap_or_else(|| n.to_string()),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(value).collect::<Vec<_>>().join(", "),
        Value::Object(map) => map
            .iter()
            .map(|(k, x)| format!("{k}: {}", value(x)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// A status in words: `partially_met` -> `Partially met`.
pub fn status_label(status: &str) -> String {
    let mut s = status.replace('_', " ");
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s
}

/// Escapes an evidence-derived string for Markdown running text: the
/// characters that start markup are backslash-escaped, line breaks become
/// spaces, so the string reads as itself and never as markup or HTML.
pub fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut prev: Option<char> = None;
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\r' => {}
            '\n' => out.push(' '),
            '\\' | '`' | '*' | '[' | ']' | '<' | '|' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '_' => {
                // Intraword underscores are not emphasis in CommonMark.
                let next = chars.get(i + 1).copied();
                let inner = prev.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric);
                if !inner {
                    out.push('\\');
                }
                out.push('_');
            }
            '-' | '+' | '=' | '#' | '>' if out.trim().is_empty() => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
        prev = Some(c);
    }
    if out.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        // `1. text` would start an ordered list at the start of a line.
        if let Some(pos) = out.find(|c: char| !c.is_ascii_digit()) {
            let mut rest = out[pos..].chars();
            let marker = matches!(rest.next(), Some('.') | Some(')'));
            if marker && rest.next().is_none_or(char::is_whitespace) {
                out.insert(pos, '\\');
            }
        }
    }
    out
}

/// Escapes an evidence-derived string for a Markdown table cell.
pub fn md_cell(s: &str) -> String {
    let t = md_text(s.trim());
    if t.is_empty() { " ".to_owned() } else { t }
}

/// A text cell of a CSV file that cxaudit writes (ids, names, labels,
/// texts), neutralised for spreadsheets (the OWASP rule against formula
/// injection): a cell that begins with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading `'`, so a spreadsheet shows it as text
/// instead of evaluating it. Numbers cxaudit formats itself are written
/// as they are, not through this function, so `-0.5` stays a number.
pub fn csv_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// Escapes text for XML (SVG) content and attributes.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.find(':') {
        None => true,
        Some(colon) => {
            // A colon after a path or fragment start is not a scheme.
            if lower[..colon].contains(['/', '?', '#']) {
                return true;
            }
            matches!(&lower[..colon], "http" | "https" | "mailto")
        }
    }
}

/// Renders the pack's Markdown to HTML: raw HTML appears as text, images
/// become their text, and links other than http(s), mailto and relative
/// ones become plain text.
pub fn markdown_html(md: &str) -> String {
    let mut events = Vec::new();
    // For each open link or image: whether its Start was kept.
    let mut open: Vec<bool> = Vec::new();
    for event in Parser::new_ext(md, options()) {
        match event {
            Event::Html(s) | Event::InlineHtml(s) => events.push(Event::Text(s)),
            Event::Start(Tag::HtmlBlock) => events.push(Event::Start(Tag::Paragraph)),
            Event::End(TagEnd::HtmlBlock) => events.push(Event::End(TagEnd::Paragraph)),
            Event::Start(Tag::Image { .. }) => open.push(false),
            Event::Start(Tag::Link { ref dest_url, .. }) => {
                let keep = safe_url(dest_url);
                open.push(keep);
                if keep {
                    events.push(event);
                }
            }
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
                if open.pop().unwrap_or(false) {
                    events.push(event);
                }
            }
            other => events.push(other),
        }
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    out.trim_end().to_owned()
}

/// Renders the pack's Markdown to inline HTML (no surrounding paragraph),
/// for short texts such as action lines.
pub fn markdown_inline_html(md: &str) -> String {
    let h = markdown_html(md);
    match h.strip_prefix("<p>").and_then(|s| s.strip_suffix("</p>")) {
        Some(inner) if !inner.contains("<p>") => inner.to_owned(),
        _ => h,
    }
}

/// The pack's Markdown for a Markdown report: kept as written, except that
/// raw HTML is neutralised (`<` escaped) so a viewer shows it as text.
pub fn markdown_md(md: &str) -> String {
    let mut ranges: Vec<std::ops::Range<usize>> = Parser::new_ext(md, options())
        .into_offset_iter()
        .filter(|(e, _)| matches!(e, Event::Html(_) | Event::InlineHtml(_)))
        .map(|(_, r)| r)
        .collect();
    ranges.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(md.len());
    let mut last = 0;
    for r in ranges {
        if r.start < last {
            continue;
        }
        out.push_str(&md[last..r.start]);
        for c in md[r.clone()].chars() {
            match c {
                '<' => out.push_str("\\<"),
                c => out.push(c),
            }
        }
        last = r.end;
    }
    out.push_str(&md[last..]);
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_in_pack_markdown_is_text() {
        let h = markdown_html("Hello <script>alert(1)</script> **bold**\n\n<div>x</div>");
        assert!(!h.contains("<script>"), "{h}");
        assert!(h.contains("&lt;script&gt;"), "{h}");
        assert!(h.contains("<strong>bold</strong>"), "{h}");
        assert!(!h.contains("<div>"), "{h}");
    }

    #[test]
    fn unsafe_links_and_images_are_dropped() {
        let h =
            markdown_html("[x](javascript:alert(1)) ![img](http://e.x/a.png) [ok](https://e.x)");
        assert!(!h.contains("javascript"), "{h}");
        assert!(!h.contains("<img"), "{h}");
        assert!(h.contains("href=\"https://e.x\""), "{h}");
    }

    #[test]
    fn markdown_cells_escape_pipes_and_newlines() {
        assert_eq!(md_cell("a|b\nc"), "a\\|b c");
        assert_eq!(md_cell("<script>"), "\\<script>");
        assert_eq!(md_text("80.0% >= 1"), "80.0% >= 1");
        assert_eq!(md_text("1. item"), "1\\. item");
        assert_eq!(md_text("csat_top2"), "csat_top2");
        assert_eq!(md_text("_x_"), "\\_x\\_");
    }

    #[test]
    fn markdown_for_markdown_neutralises_html() {
        let m = markdown_md("A <b>b</b> and `<code>` kept");
        assert_eq!(m, "A \\<b>b\\</b> and `<code>` kept");
    }

    #[test]
    fn csv_text_cells_that_start_a_formula_get_a_quote() {
        for lead in ['=', '+', '-', '@', '\t', '\r'] {
            let cell = format!("{lead}SUM(1)");
            assert_eq!(csv_text(&cell), format!("'{cell}"), "{lead:?}");
        }
        assert_eq!(
            csv_text("=HYPERLINK(\"http://x\",\"y\")"),
            "'=HYPERLINK(\"http://x\",\"y\")"
        );
        for plain in [
            "a1",
            "LP3",
            "",
            " =1",
            "'quoted",
            "1.5",
            "x=1",
            "Coach agents",
        ] {
            assert_eq!(csv_text(plain), plain);
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(num(2.50, 2), "2.5");
        assert_eq!(num(3.0, 2), "3");
        assert_eq!(pp(0.042), "+4.2 pp");
        assert_eq!(pct(-0.0), "0.0%");
        assert_eq!(points(-0.00001), "0.0");
        assert_eq!(with_unit(0.8512, "ratio"), "85.1%");
        assert_eq!(with_unit(12.26, "seconds"), "12.3 s");
        // Small money amounts keep three significant digits; large ones two decimals.
        assert_eq!(with_unit(0.3046, "EUR"), "0.305 EUR");
        assert_eq!(with_unit(4.5492, "EUR"), "4.55 EUR");
        assert_eq!(with_unit(1234.567, "EUR"), "1234.57 EUR");
        assert_eq!(delta_with_unit(-0.1956, "currency"), "-0.196 currency");
    }
}

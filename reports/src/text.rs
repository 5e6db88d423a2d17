//! Text for reports: number formats, Markdown escaping of plain-text
//! strings, the pack's Markdown rendered safely (raw HTML shown as text,
//! unsafe link schemes and images dropped or escaped), XML escaping for SVG,
//! and spreadsheet-safe CSV text cells.

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

/// A JSON value in a column of `unit`: a number with its unit as
/// [`with_unit`] shows it (a ratio as a percentage); anything else, or a
/// column with no unit, as [`value`] shows it.
pub fn value_in(v: &Value, unit: &str) -> String {
    match v.as_f64() {
        Some(x) if !unit.is_empty() => with_unit(x, unit),
        _ => value(v),
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

/// Escapes a plain-text string (evidence, plugin or pack text that is not
/// the pack's Markdown) for Markdown running text or a table cell: it is
/// trimmed, line breaks become spaces, the characters that start inline
/// markup, raw HTML or entities are backslash-escaped, and so is a leading
/// block marker (`#`, `>`, a list bullet, `1.`), so the string renders as
/// itself wherever a template puts it. A leading `-`, `+` or `=` before a
/// digit (`-0.5`, `+4.2 pp`) is left alone: it starts no block.
pub fn md_text(s: &str) -> String {
    let flat = s.replace("\r\n", "\n").replace(['\r', '\n'], " ");
    let chars: Vec<char> = flat.trim().chars().collect();
    let mut out = String::with_capacity(chars.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        if needs_md_escape(c, prev, next) {
            out.push('\\');
        }
        out.push(c);
    }
    escape_ordered_list_marker(&mut out);
    out
}

/// Whether `c`, between `prev` and `next` (`prev` is `None` at the start of
/// the string), must be backslash-escaped in Markdown text.
fn needs_md_escape(c: char, prev: Option<char>, next: Option<char>) -> bool {
    match c {
        '\\' | '`' | '*' | '[' | ']' | '<' | '|' | '~' | '&' | '#' => true,
        // Intraword underscores are not emphasis in CommonMark.
        '_' => {
            !(prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric))
        }
        '>' => prev.is_none(),
        // A bullet, a thematic break or a setext underline; not a signed number.
        '-' | '+' | '=' => prev.is_none() && !next.is_some_and(|n| n.is_ascii_digit()),
        _ => false,
    }
}

/// `1. text` or `1) text` at the start would open an ordered list: escapes
/// the `.` or `)` after the leading digits.
fn escape_ordered_list_marker(out: &mut String) {
    if !out.starts_with(|c: char| c.is_ascii_digit()) {
        return;
    }
    if let Some(pos) = out.find(|c: char| !c.is_ascii_digit()) {
        let mut rest = out[pos..].chars();
        let marker = matches!(rest.next(), Some('.') | Some(')'));
        if marker && rest.next().is_none_or(char::is_whitespace) {
            out.insert(pos, '\\');
        }
    }
}

/// Escapes a plain-text string for a Markdown table cell: [`md_text`], and a
/// single space when it is empty.
pub fn md_cell(s: &str) -> String {
    let t = md_text(s);
    if t.is_empty() { " ".to_owned() } else { t }
}

/// A plain-text string (a hash, an id, a formula) as a Markdown code span.
/// A string that a code span cannot hold safely (a backtick, a table pipe,
/// a line break) is written as escaped text ([`md_text`]) instead.
pub fn md_code(s: &str) -> String {
    let s = s.trim();
    if s.is_empty() || s.contains(['`', '|', '\n', '\r']) {
        md_text(s)
    } else {
        format!("`{s}`")
    }
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

/// The pack's Markdown for a Markdown report, as a block on lines of its
/// own: kept as written, except that every `<` is escaped (no raw HTML in
/// any context, code included) and so are the brackets of images, of links
/// to other than http(s), mailto and relative destinations, and of their
/// reference definitions, so a viewer shows their source as text. Should
/// the result still render any of them, the text is escaped line by line
/// as plain text.
pub fn markdown_md(md: &str) -> String {
    let kept = neutralise_md(md);
    let out = if is_inert(&kept) {
        kept
    } else {
        md.lines().map(md_text).collect::<Vec<_>>().join("\n")
    };
    out.trim_end().to_owned()
}

/// The pack's Markdown on one line, for a list item, running text or a
/// table cell: [`markdown_md`] with line breaks as spaces and table pipes
/// escaped; escaped as plain text ([`md_cell`]) unless it stays inert both
/// at the start of a line and after text, and stays one table cell.
pub fn markdown_md_line(md: &str) -> String {
    let flat = md.replace("\r\n", " ").replace(['\r', '\n'], " ");
    let kept = neutralise_md(&escape_pipes(flat.trim()));
    let safe = is_inert(&kept) && is_inert(&format!("x {kept}")) && stays_one_cell(&kept);
    if safe { kept } else { md_cell(md) }
}

/// Whether the character at byte `at` is backslash-escaped (an odd number
/// of backslashes before it).
fn is_escaped(s: &str, at: usize) -> bool {
    s[..at].bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

/// Escapes every table pipe that is not escaped yet.
fn escape_pipes(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for (i, c) in s.char_indices() {
        if c == '|' && !is_escaped(s, i) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Backslash-escapes every `<` (raw HTML, autolinks) and the brackets of
/// images, of links to unsafe destinations and of their reference
/// definitions; characters already escaped are left as they are.
fn neutralise_md(md: &str) -> String {
    let mut at: std::collections::BTreeSet<usize> = md
        .char_indices()
        .filter(|&(i, c)| c == '<' && !is_escaped(md, i))
        .map(|(i, _)| i)
        .collect();
    let mut brackets = |range: std::ops::Range<usize>| {
        for (i, c) in md[range.clone()].char_indices() {
            let pos = range.start + i;
            if matches!(c, '[' | ']') && !is_escaped(md, pos) {
                at.insert(pos);
            }
        }
    };
    let mut events = Parser::new_ext(md, options()).into_offset_iter();
    let unsafe_defs: Vec<_> = events
        .reference_definitions()
        .iter()
        .filter(|(_, def)| !safe_url(&def.dest))
        .map(|(_, def)| def.span.clone())
        .collect();
    unsafe_defs.into_iter().for_each(&mut brackets);
    for (event, range) in events.by_ref() {
        match event {
            Event::Start(Tag::Image { .. }) => brackets(range),
            Event::Start(Tag::Link { dest_url, .. }) if !safe_url(&dest_url) => brackets(range),
            _ => {}
        }
    }
    let mut out = String::with_capacity(md.len() + at.len());
    let mut last = 0;
    for pos in at {
        out.push_str(&md[last..pos]);
        out.push('\\');
        last = pos;
    }
    out.push_str(&md[last..]);
    out
}

/// Whether Markdown renders without raw HTML, images or unsafe links.
fn is_inert(md: &str) -> bool {
    Parser::new_ext(md, options()).all(|event| match event {
        Event::Html(_) | Event::InlineHtml(_) | Event::Start(Tag::Image { .. }) => false,
        Event::Start(Tag::Link { dest_url, .. }) => safe_url(&dest_url),
        _ => true,
    })
}

/// Whether `cell` stays one cell of a Markdown table row.
fn stays_one_cell(cell: &str) -> bool {
    let table = format!("| a | b |\n|---|---|\n| {cell} | end |\n");
    let mut body = false;
    let mut cells: Vec<String> = Vec::new();
    for event in Parser::new_ext(&table, options()) {
        match event {
            Event::End(TagEnd::TableHead) => body = true,
            Event::Start(Tag::TableCell) if body => cells.push(String::new()),
            Event::Text(t) if body => cells.last_mut().into_iter().for_each(|c| c.push_str(&t)),
            _ => {}
        }
    }
    cells.len() == 2 && cells[1] == "end"
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
        // In code too: a code span on its own could become text in another context.
        let m = markdown_md("A <b>b</b>, p < 0.05 and `<code>`");
        assert_eq!(m, "A \\<b>b\\</b>, p \\< 0.05 and `\\<code>`");
    }

    /// Strings that would change a Markdown document's structure or carry
    /// HTML or a script link if written as they are.
    const HOSTILE: [&str; 41] = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[x]: javascript:alert(1)",
        "![img](http://e.x/a.png)",
        "<javascript:alert(1)>",
        "<http://e.x>",
        "<!-- comment -->",
        "<?php echo 1; ?>",
        "| a | b |",
        "a\\|b",
        "**bold**",
        "__bold__",
        "_x_",
        "*x*",
        "~~struck~~",
        "`code`",
        "# heading",
        "###### six",
        "title #",
        "> quote",
        "- item",
        "+ item",
        "* item",
        "1. item",
        "12) item",
        "---",
        "===",
        "***",
        "___",
        "    indented code",
        "&lt;script&gt; &amp; &#60;",
        "ends with a backslash\\",
        "two trailing spaces  ",
        "line one\nline two\r\n# line three",
        "carriage\r- return",
        "=HYPERLINK(\"http://x\",\"y\")",
        "-2+3",
        "\\<script>alert(1)\\</script>",
        "Dana | Ortiz",
        "@SUM(1)",
    ];

    /// The text of `md` rendered, by container: every event must be a
    /// container from `allowed` or text; anything else (HTML, a link, an
    /// emphasis, code, a list...) fails the test.
    fn rendered_text(md: &str, allowed: &[&str]) -> Vec<String> {
        let mut texts = vec![String::new()];
        for event in Parser::new_ext(md, options()) {
            match &event {
                Event::Text(t) => texts.last_mut().unwrap().push_str(t),
                Event::Start(tag) => {
                    let name = format!("{tag:?}");
                    assert!(
                        allowed.iter().any(|a| name.starts_with(a)),
                        "{md:?}: unexpected {event:?}"
                    );
                    texts.push(String::new());
                }
                Event::End(_) => {}
                other => panic!("{md:?}: unexpected {other:?}"),
            }
        }
        texts.retain(|t| !t.is_empty());
        texts
    }

    /// The string as it must read: one line, trimmed.
    fn flat(s: &str) -> String {
        s.replace("\r\n", " ")
            .replace(['\r', '\n'], " ")
            .trim()
            .to_owned()
    }

    #[test]
    fn escaped_text_reads_as_itself_in_every_context() {
        for s in HOSTILE {
            let (e, want) = (md_text(s), flat(s));
            assert_eq!(rendered_text(&e, &["Paragraph"]), [want.as_str()], "{s:?}");
            let mid = format!("Site: {e}");
            assert_eq!(
                rendered_text(&mid, &["Paragraph"]),
                [format!("Site: {want}")]
            );
            let item = format!("- {e}\n");
            assert_eq!(rendered_text(&item, &["List", "Item"]), [want.as_str()]);
            let heading = format!("### {e} {}\n", md_text("LP1"));
            assert_eq!(
                rendered_text(&heading, &["Heading"]),
                [format!("{want} LP1")]
            );
            let table = format!("| a | b |\n|---|---|\n| {} | end |\n", md_cell(s));
            let cells = rendered_text(&table, &["Table", "TableHead", "TableRow", "TableCell"]);
            assert_eq!(cells, ["a", "b", want.as_str(), "end"], "{s:?}");
        }
    }

    #[test]
    fn signed_numbers_and_plain_words_are_not_escaped() {
        for s in [
            "-0.5",
            "+4.2 pp",
            "=1",
            "2026-01-31",
            "80.0% >= 1",
            "csat_top2",
        ] {
            assert_eq!(md_text(s), s);
        }
        assert_eq!(md_text("-x"), "\\-x");
        assert_eq!(md_text("1. item"), "1\\. item");
    }

    #[test]
    fn code_spans_hold_plain_hashes_and_fall_back_to_text() {
        assert_eq!(md_code("ab12"), "`ab12`");
        assert_eq!(md_code("sum_{i in S} x_i"), "`sum_{i in S} x_i`");
        assert_eq!(md_code("a`b"), "a\\`b");
        assert_eq!(md_code("a|b"), "a\\|b");
        for s in HOSTILE {
            let table = format!("| a | b |\n|---|---|\n| {} | end |\n", md_code(s));
            let mut cells = Vec::new();
            for event in Parser::new_ext(&table, options()) {
                match event {
                    Event::Start(Tag::TableCell) => cells.push(String::new()),
                    Event::Text(t) | Event::Code(t) => cells.last_mut().unwrap().push_str(&t),
                    Event::Html(_) | Event::InlineHtml(_) => panic!("{s:?}: HTML"),
                    Event::Start(Tag::Link { .. } | Tag::Image { .. }) => panic!("{s:?}: link"),
                    _ => {}
                }
            }
            assert_eq!(cells, ["a", "b", flat(s).as_str(), "end"], "{s:?}");
        }
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
    fn pack_markdown_keeps_formatting_and_escapes_html_images_and_script_links() {
        let md = "Set **targets**: [guide](https://e.x/g) and [rel](docs/a.md).\n\n\
            <script>alert(1)</script>\n\n\
            Pic ![img](http://e.x/a.png) <img src=x onerror=alert(1)> \
            [click](javascript:alert(1)) [up](JAVASCRIPT:alert(1)) \
            [ent](javascript&#58;alert(1)) <javascript:alert(1)> [ref] [data](data:text/html,x)\n\n\
            [ref]: vbscript:alert(1)";
        let m = markdown_md(md);
        assert!(is_inert(&m), "{m}");
        assert!(m.contains("Set **targets**: [guide](https://e.x/g) and [rel](docs/a.md)."));
        assert!(m.contains("\\<script>alert(1)\\</script>"), "{m}");
        assert!(m.contains("\\[click\\](javascript:alert(1))"), "{m}");
        let cell = markdown_md_line(md);
        assert!(is_inert(&cell) && stays_one_cell(&cell), "{cell}");
        assert!(cell.contains("Set **targets**"), "{cell}");
    }

    #[test]
    fn a_script_reference_defined_in_one_pack_text_is_not_a_link_in_another() {
        let doc = format!(
            "{}\n\n{}\n\n- {}",
            markdown_md("See [r]."),
            markdown_md("[r]: javascript:alert(1)"),
            markdown_md_line("Also [r]")
        );
        assert!(is_inert(&doc), "{doc}");
        let ok = format!(
            "{}\n\n{}",
            markdown_md("[r]"),
            markdown_md("[r]: https://e.x")
        );
        assert!(markdown_html(&ok).contains("href=\"https://e.x\""), "{ok}");
    }

    #[test]
    fn pack_markdown_on_one_line_is_checked_after_text() {
        // At the start of a line a fence (its info string is not rendered);
        // after text, a link.
        let md = "```x [a](javascript:alert(1))";
        assert!(is_inert(&neutralise_md(md)));
        assert!(!is_inert(&format!("x {}", neutralise_md(md))));
        let line = markdown_md_line(md);
        assert!(is_inert(&format!("What met looks like: {line}")), "{line}");
    }

    #[test]
    fn pack_markdown_for_a_cell_is_checked_on_one_line() {
        // Inert on three lines, raw HTML once the lines are joined.
        let md = "<span\n\nonclick=alert(1)>x</span> a | b";
        assert!(is_inert(&neutralise_md(md)));
        let cell = markdown_md_line(md);
        assert!(is_inert(&cell) && stays_one_cell(&cell), "{cell}");
        for s in HOSTILE {
            let cell = markdown_md_line(s);
            assert!(is_inert(&cell) && stays_one_cell(&cell), "{s:?}: {cell}");
            let block = markdown_md(s);
            assert!(is_inert(&block), "{s:?}: {block}");
        }
    }

    #[test]
    fn script_links_never_reach_html() {
        for md in [
            "[a](javascript:alert(1))",
            "[a](JavaScript:alert(1))",
            "[a]( javascript:alert(1))",
            "[a](<java\tscript:alert(1)>)",
            "[a](javascript&#58;alert(1))",
            "[a](&#x6A;avascript:alert(1))",
            "<javascript:alert(1)>",
            "[a][r]\n\n[r]: javascript:alert(1)",
            "[a](vbscript:x) [b](data:text/html;base64,x) [c](file:///etc/passwd)",
        ] {
            let h = markdown_html(md).to_ascii_lowercase();
            assert!(!h.contains("href"), "{md:?}: {h}");
        }
        let h = markdown_html("[a](https://e.x) [b](#top) [c](mailto:a@e.x) [d](x/y:z)");
        assert_eq!(h.matches("href=").count(), 4, "{h}");
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

//! Management documents as evaluators read them: TOML front matter (date,
//! owner, approval), headings with the text and tables under them, and
//! dates. Parsed with `pulldown-cmark`.
//!
//! ```
//! let doc = cxaudit_plugin_sdk::markdown::parse(
//!     "+++\napproved_on = 2026-01-10\n+++\n# Plan\n## Risks\nSupplier outage.\n\n| Risk | Owner |\n|---|---|\n| Outage | Ops |\n",
//! ).unwrap();
//! assert_eq!(doc.front_date("approved_on").unwrap().to_string(), "2026-01-10");
//! let risks = doc.section("risks").unwrap();
//! assert_eq!(risks.text, "Supplier outage.");
//! assert_eq!(risks.tables[0].rows[0], ["Outage", "Ops"]);
//! ```

use chrono::NaiveDate;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::vocabulary::same_name;

/// A table in a document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MdTable {
    /// Header cells.
    pub header: Vec<String>,
    /// Body rows.
    pub rows: Vec<Vec<String>>,
}

impl MdTable {
    /// Index of a column by header, compared as
    /// [`vocabulary::same_name`](crate::vocabulary::same_name) does (Unicode
    /// case-insensitive, trimmed). To find a column by canonical name with
    /// its kind's words, use [`ParsedDocument`](crate::vocabulary::ParsedDocument).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| same_name(h, name))
    }

    /// The cell of `row` under header `name`, trimmed; `None` when absent or empty.
    pub fn cell<'a>(&'a self, row: &'a [String], name: &str) -> Option<&'a str> {
        let i = self.column(name)?;
        row.get(i).map(|s| s.trim()).filter(|s| !s.is_empty())
    }
}

/// A heading and what stands directly under it (up to the next heading).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Heading level, 1 to 6.
    pub level: u8,
    /// Heading text.
    pub heading: String,
    /// Plain text of paragraphs and list items under it, blocks separated by
    /// newlines, trimmed.
    pub text: String,
    /// Tables under it.
    pub tables: Vec<MdTable>,
    /// 1-based line of the heading.
    pub line: usize,
}

impl Section {
    /// Whether it has real content: text or a table with rows.
    pub fn has_content(&self) -> bool {
        !self.text.trim().is_empty() || self.tables.iter().any(|t| !t.rows.is_empty())
    }
}

/// A parsed document.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkdownDoc {
    /// Front matter (TOML between `+++` lines at the top), empty if none.
    pub front_matter: toml::Table,
    /// Text before the first heading.
    pub preamble: String,
    /// Sections in document order.
    pub sections: Vec<Section>,
}

impl MarkdownDoc {
    /// The first section whose heading matches (compared as
    /// [`vocabulary::same_name`](crate::vocabulary::same_name) does).
    pub fn section(&self, heading: &str) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| same_name(&s.heading, heading))
    }

    /// A section with its subsections' text and tables folded in.
    pub fn section_with_subsections(&self, heading: &str) -> Option<Section> {
        let start = self
            .sections
            .iter()
            .position(|s| same_name(&s.heading, heading))?;
        self.section_at_with_subsections(start)
    }

    /// The section at `index` of [`MarkdownDoc::sections`], with its
    /// subsections' text and tables folded in.
    pub fn section_at_with_subsections(&self, index: usize) -> Option<Section> {
        let start = index;
        let mut out = self.sections.get(start)?.clone();
        for s in self.sections[start + 1..]
            .iter()
            .take_while(|s| s.level > out.level)
        {
            if !s.text.is_empty() {
                if !out.text.is_empty() {
                    out.text.push('\n');
                }
                out.text.push_str(&s.text);
            }
            out.tables.extend(s.tables.iter().cloned());
        }
        Some(out)
    }

    /// A front-matter string.
    pub fn front_str(&self, key: &str) -> Option<&str> {
        self.front_matter
            .get(key)?
            .as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// A front-matter date (a TOML date or a `YYYY-MM-DD` string).
    pub fn front_date(&self, key: &str) -> Option<NaiveDate> {
        let text = match self.front_matter.get(key)? {
            toml::Value::Datetime(d) => d.to_string(),
            toml::Value::String(s) => s.clone(),
            _ => return None,
        };
        NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
    }

    /// Every table of the document, in order.
    pub fn tables(&self) -> impl Iterator<Item = &MdTable> {
        self.sections.iter().flat_map(|s| s.tables.iter())
    }
}

/// Splits off TOML front matter delimited by `+++` lines.
fn split_front_matter(text: &str) -> Result<(toml::Table, &str, usize), String> {
    let trimmed = text.trim_start_matches('\u{feff}');
    let Some(rest) = trimmed.strip_prefix("+++") else {
        return Ok((toml::Table::new(), trimmed, 0));
    };
    let rest = rest
        .strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))
        .ok_or("front matter: `+++` must stand alone on the first line")?;
    let end = rest
        .find("\n+++")
        .ok_or("front matter: no closing `+++` line")?;
    let front = &rest[..end];
    let after = &rest[end + 4..];
    let body = after.split_once('\n').map_or("", |(_, b)| b);
    let table: toml::Table = front
        .parse()
        .map_err(|e: toml::de::Error| format!("front matter: {}", e.message()))?;
    let lines = front.lines().count() + 2;
    Ok((table, body, lines))
}

/// Parses a document. Fails only on malformed front matter.
pub fn parse(text: &str) -> Result<MarkdownDoc, String> {
    let (front_matter, body, offset_lines) = split_front_matter(text)?;
    let line_of =
        |offset: usize| body[..offset.min(body.len())].matches('\n').count() + 1 + offset_lines;
    let mut doc = MarkdownDoc {
        front_matter,
        preamble: String::new(),
        sections: Vec::new(),
    };
    let mut heading: Option<(u8, String, usize)> = None;
    let mut block = String::new();
    let mut table: Option<MdTable> = None;
    let mut row: Vec<String> = Vec::new();
    let mut cell = String::new();
    let mut in_cell = false;

    let push_text = |doc: &mut MarkdownDoc, text: &str| {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let target = match doc.sections.last_mut() {
            Some(s) => &mut s.text,
            None => &mut doc.preamble,
        };
        if !target.is_empty() {
            target.push('\n');
        }
        target.push_str(text);
    };

    for (event, range) in Parser::new_ext(body, Options::ENABLE_TABLES).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level as u8, String::new(), line_of(range.start)));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text, line)) = heading.take() {
                    doc.sections.push(Section {
                        level,
                        heading: text.trim().to_owned(),
                        text: String::new(),
                        tables: Vec::new(),
                        line,
                    });
                }
            }
            Event::Start(Tag::Table(_)) => table = Some(MdTable::default()),
            Event::End(TagEnd::Table) => {
                if let (Some(t), Some(s)) = (table.take(), doc.sections.last_mut()) {
                    s.tables.push(t);
                }
            }
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => row.clear(),
            Event::End(TagEnd::TableHead) => {
                if let Some(t) = table.as_mut() {
                    t.header = std::mem::take(&mut row);
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let Some(t) = table.as_mut() {
                    t.rows.push(std::mem::take(&mut row));
                }
            }
            Event::Start(Tag::TableCell) => {
                in_cell = true;
                cell.clear();
            }
            Event::End(TagEnd::TableCell) => {
                in_cell = false;
                row.push(cell.trim().to_owned());
            }
            Event::End(TagEnd::Paragraph)
            | Event::End(TagEnd::Item)
            | Event::End(TagEnd::CodeBlock) => {
                let text = std::mem::take(&mut block);
                push_text(&mut doc, &text);
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, h, _)) = heading.as_mut() {
                    h.push_str(&t);
                } else if in_cell {
                    cell.push_str(&t);
                } else {
                    block.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if in_cell {
                    cell.push(' ');
                } else if heading.is_none() {
                    block.push(' ');
                }
            }
            _ => {}
        }
    }
    let rest = std::mem::take(&mut block);
    push_text(&mut doc, &rest);
    Ok(doc)
}

/// Every `YYYY-MM-DD` date in a text, in order.
pub fn find_dates(text: &str) -> Vec<NaiveDate> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 10 <= bytes.len() {
        let w = &bytes[i..i + 10];
        let shape = w.iter().enumerate().all(|(k, b)| {
            if k == 4 || k == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
        let bounded = (i == 0 || !bytes[i - 1].is_ascii_digit())
            && (i + 10 == bytes.len() || !bytes[i + 10].is_ascii_digit());
        let date = (shape && bounded)
            .then(|| std::str::from_utf8(w).ok())
            .flatten()
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
        if let Some(d) = date {
            out.push(d);
            i += 10;
            continue;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "+++\ntitle = \"Direction\"\napproved_on = 2026-01-10\nowner = \"COO\"\n+++\n\nIntro text.\n\n# Direction\n\n## Mission\n\nWe resolve every customer issue\nat the first contact.\n\n## Values\n\n## Staff briefing\n\n- Briefed all teams on 2026-01-15.\n- Follow-up on 2026-02-01.\n\n| Team | Date |\n|------|------|\n| A | 2026-01-15 |\n";

    #[test]
    fn front_matter_sections_text_and_tables() {
        let d = parse(DOC).unwrap();
        assert_eq!(d.front_str("owner"), Some("COO"));
        assert_eq!(
            d.front_date("approved_on"),
            NaiveDate::from_ymd_opt(2026, 1, 10)
        );
        assert_eq!(d.preamble, "Intro text.");
        let mission = d.section("mission").unwrap();
        assert_eq!(
            mission.text,
            "We resolve every customer issue at the first contact."
        );
        assert_eq!(mission.line, 11);
        assert!(
            !d.section("Values").unwrap().has_content(),
            "a heading with no text under it"
        );
        let briefing = d.section("Staff briefing").unwrap();
        assert_eq!(briefing.tables[0].header, ["Team", "Date"]);
        assert_eq!(find_dates(&briefing.text).len(), 2);
        let t = &briefing.tables[0];
        assert_eq!(t.cell(&t.rows[0], "date"), Some("2026-01-15"));
    }

    #[test]
    fn subsections_fold_into_their_parent() {
        let d = parse("# Plan\n## Budget\nSee below.\n### Detail\n1.2 M\n# Next\nx\n").unwrap();
        let plan = d.section_with_subsections("Plan").unwrap();
        assert_eq!(plan.text, "See below.\n1.2 M");
    }

    #[test]
    fn bad_front_matter_is_an_error() {
        assert!(
            parse("+++\nnot toml\n+++\n# x\n")
                .unwrap_err()
                .starts_with("front matter")
        );
        assert!(parse("+++\na = 1\n# never closed\n").is_err());
    }

    #[test]
    fn dates_are_found_but_not_inside_longer_numbers() {
        let ds = find_dates("on 2026-03-01 and 12026-03-011, then 2026-13-01 and 2026-04-30.");
        assert_eq!(
            ds,
            [
                NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                NaiveDate::from_ymd_opt(2026, 4, 30).unwrap()
            ]
        );
    }
}

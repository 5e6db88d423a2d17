//! The words of a document kind: the headings and table columns evaluators
//! read, each under a canonical name, with the pack's English names and the
//! centre's own (mapped in `evidence.toml`).
//!
//! An evaluator asks for a heading or a column by its canonical name
//! (`time_limit`). A heading or a table header matches when, compared as
//! [`normalise`] does, it is one of the centre's names, one of the pack's
//! English names, or the canonical name read with spaces (`time limit`) or
//! as written.
//! They are tried in that order: the centre's names first, then the English
//! ones in the pack's order, each against the whole document before the next.
//!
//! ```
//! use cxaudit_plugin_sdk::vocabulary::{DocumentVocabulary, ParsedDocument};
//!
//! let words = DocumentVocabulary::default()
//!     .with_column("time_limit", ["Time limit", "Escalate to leadership within"])
//!     .map_column("time_limit", "Frist");
//! let doc = ParsedDocument::parse(
//!     "docs/policy.md",
//!     "# Eskalation\n\n| Schweregrad | Frist |\n|---|---|\n| critical | 30 min |\n",
//!     words,
//! )
//! .unwrap();
//! let table = doc.markdown.tables().next().unwrap();
//! assert_eq!(doc.cell(table, &table.rows[0], "time_limit"), Some("30 min"));
//! assert_eq!(doc.column_names("time_limit").label(), "Frist");
//! ```

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::markdown::{self, MarkdownDoc, MdTable, Section};

/// The names one heading or column may have.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Term {
    /// The pack's English names (its evidence schema); the first is shown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// The centre's own names (`evidence.toml`), tried before the English ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub centre: Vec<String>,
}

/// The words of one document kind: headings and table columns by canonical
/// name. Crosses the plugin boundary in the request as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct DocumentVocabulary {
    /// Headings (of sections) by canonical name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headings: BTreeMap<String, Term>,
    /// Table columns by canonical name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub columns: BTreeMap<String, Term>,
}

/// The empty vocabulary: canonical names only.
pub static EMPTY: DocumentVocabulary = DocumentVocabulary {
    headings: BTreeMap::new(),
    columns: BTreeMap::new(),
};

impl DocumentVocabulary {
    /// Adds the English names of a heading.
    pub fn with_heading<S: Into<String>>(
        mut self,
        canonical: &str,
        names: impl IntoIterator<Item = S>,
    ) -> Self {
        let term = self.headings.entry(canonical.to_owned()).or_default();
        term.names.extend(names.into_iter().map(Into::into));
        self
    }

    /// Adds the English names of a column.
    pub fn with_column<S: Into<String>>(
        mut self,
        canonical: &str,
        names: impl IntoIterator<Item = S>,
    ) -> Self {
        let term = self.columns.entry(canonical.to_owned()).or_default();
        term.names.extend(names.into_iter().map(Into::into));
        self
    }

    /// Adds a centre's own name for a heading.
    pub fn map_heading(mut self, canonical: &str, name: &str) -> Self {
        let term = self.headings.entry(canonical.to_owned()).or_default();
        term.centre.push(name.to_owned());
        self
    }

    /// Adds a centre's own name for a column.
    pub fn map_column(mut self, canonical: &str, name: &str) -> Self {
        let term = self.columns.entry(canonical.to_owned()).or_default();
        term.centre.push(name.to_owned());
        self
    }

    /// The names the heading `name` may have (see [`Names::resolve`]).
    pub fn heading_names(&self, name: &str) -> Names {
        Names::resolve(&self.headings, name)
    }

    /// The names the column `name` may have (see [`Names::resolve`]).
    pub fn column_names(&self, name: &str) -> Names {
        Names::resolve(&self.columns, name)
    }
}

/// Every name one heading or column may have, in the order they are tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    canonical: String,
    label: String,
    keys: Vec<String>,
}

impl Names {
    /// The names of `name` among `terms`: the term of that canonical name;
    /// else the term one of whose names `name` is (a pack parameter may
    /// still give a heading in English); else `name` on its own.
    pub fn resolve(terms: &BTreeMap<String, Term>, name: &str) -> Names {
        let key = normalise(name);
        let named = |(canonical, term): &(&String, &Term)| {
            normalise(&spaced(canonical)) == key
                || term
                    .centre
                    .iter()
                    .chain(&term.names)
                    .any(|n| normalise(n) == key)
        };
        match terms
            .get_key_value(name)
            .or_else(|| terms.iter().find(named))
        {
            Some((canonical, term)) => Names::of(canonical, term),
            None => Names::of(name, &Term::default()),
        }
    }

    fn of(canonical: &str, term: &Term) -> Names {
        let mut keys: Vec<String> = Vec::new();
        let spaced = spaced(canonical);
        let own = canonical.to_owned();
        for name in term.centre.iter().chain(&term.names).chain([&spaced, &own]) {
            let key = normalise(name);
            if !key.is_empty() && !keys.contains(&key) {
                keys.push(key);
            }
        }
        let label = term
            .centre
            .first()
            .or(term.names.first())
            .cloned()
            .unwrap_or_else(|| capitalised(&spaced));
        Names {
            canonical: canonical.to_owned(),
            label,
            keys,
        }
    }

    /// The canonical name (or the name asked for, when the vocabulary has
    /// no such term).
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// The name shown to people: the centre's first name, else the first
    /// English name, else the canonical name with spaces.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Whether `text` is one of the names.
    pub fn matches(&self, text: &str) -> bool {
        let key = normalise(text);
        self.keys.contains(&key)
    }

    /// The position of the best match among `texts`: the first text equal
    /// to the first name that any text equals.
    pub fn find<'t>(&self, texts: impl IntoIterator<Item = &'t str>) -> Option<usize> {
        let texts: Vec<String> = texts.into_iter().map(normalise).collect();
        self.keys
            .iter()
            .find_map(|k| texts.iter().position(|t| t == k))
    }
}

/// A name as it is compared: Unicode compatibility-normalised (NFKC, so
/// full-width `：` and `Ａ` are `:` and `A`), lower-cased (Unicode; `ß` and
/// `ẞ` as `ss`), without a trailing colon, spaces collapsed. Thai and Chinese
/// have no case and compare as written.
pub fn normalise(text: &str) -> String {
    let folded: String = text
        .nfkc()
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .replace('ß', "ss");
    let trimmed = folded.trim().trim_end_matches(':').trim_end();
    trimmed.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether two names are the same, compared as [`normalise`] does.
pub fn same_name(a: &str, b: &str) -> bool {
    normalise(a) == normalise(b)
}

/// `customer_promise` -> `customer promise`.
fn spaced(canonical: &str) -> String {
    canonical.replace('_', " ")
}

/// `customer promise` -> `Customer promise`.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A document parsed as Markdown, with the words of its kind: sections and
/// table columns found by canonical name.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedDocument {
    /// Path relative to the evidence folder.
    pub path: String,
    /// The parsed Markdown.
    pub markdown: MarkdownDoc,
    /// The words of the document's kind.
    pub vocabulary: DocumentVocabulary,
}

impl ParsedDocument {
    /// Parses `text`; fails only on malformed front matter, naming `path`.
    pub fn parse(path: &str, text: &str, vocabulary: DocumentVocabulary) -> Result<Self, String> {
        let markdown = markdown::parse(text).map_err(|e| format!("{path}: {e}"))?;
        Ok(ParsedDocument {
            path: path.to_owned(),
            markdown,
            vocabulary,
        })
    }

    /// The names the heading `name` may have in this document.
    pub fn heading_names(&self, name: &str) -> Names {
        self.vocabulary.heading_names(name)
    }

    /// The names the column `name` may have in this document.
    pub fn column_names(&self, name: &str) -> Names {
        self.vocabulary.column_names(name)
    }

    /// The section under the heading `name`, its subsections folded in.
    pub fn section(&self, name: &str) -> Option<Section> {
        let headings = self.markdown.sections.iter().map(|s| s.heading.as_str());
        let index = self.heading_names(name).find(headings)?;
        self.markdown.section_at_with_subsections(index)
    }

    /// The index of the column `name` in a table of this document.
    pub fn column(&self, table: &MdTable, name: &str) -> Option<usize> {
        self.column_names(name)
            .find(table.header.iter().map(String::as_str))
    }

    /// The cell of `row` in the column `name`, trimmed; `None` when the
    /// table has no such column or the cell is empty.
    pub fn cell<'t>(&self, table: &MdTable, row: &'t [String], name: &str) -> Option<&'t str> {
        let i = self.column(table, name)?;
        row.get(i).map(|s| s.trim()).filter(|s| !s.is_empty())
    }

    /// The tables that have every column of `columns`, in document order.
    pub fn tables_with<'s>(&'s self, columns: &[&str]) -> Vec<&'s MdTable> {
        let names: Vec<Names> = columns.iter().map(|c| self.column_names(c)).collect();
        self.markdown
            .tables()
            .filter(|t| {
                names
                    .iter()
                    .all(|n| n.find(t.header.iter().map(String::as_str)).is_some())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy_words() -> DocumentVocabulary {
        DocumentVocabulary::default()
            .with_column("severity", ["Severity"])
            .with_column("time_limit", ["Time limit", "Limit", "Escalate within"])
    }

    #[test]
    fn names_compare_case_insensitively_across_scripts() {
        // German: umlauts in either case, sharp s as ss, composed or not.
        assert!(same_name("Maßnahmen", "MASSNAHMEN"));
        assert!(same_name("Übersicht", "ÜBERSICHT"));
        assert!(same_name("Ma\u{df}nahme", "Ma\u{1e9e}NAHME"));
        assert!(same_name("U\u{308}bersicht", "\u{dc}bersicht"));
        // Thai and Chinese have no case: equal as written, with spaces and a
        // (full-width) trailing colon ignored.
        assert!(same_name(" ภารกิจ ", "ภารกิจ"));
        assert!(same_name("升级时限：", "升级时限"));
        assert!(!same_name("ภารกิจ", "ค่านิยม"));
        assert!(same_name("Staff   briefing:", "staff briefing"));
        assert!(!same_name("Time limit", "Time limits"));
    }

    #[test]
    fn the_centres_names_come_first_then_english_then_the_canonical_name() {
        let words = policy_words().map_column("time_limit", "Frist");
        let names = words.column_names("time_limit");
        assert_eq!(names.canonical(), "time_limit");
        assert_eq!(names.label(), "Frist");
        // A table with both an English and the centre's column: the centre's wins.
        assert_eq!(names.find(["Limit", "Frist"]), Some(1));
        assert_eq!(names.find(["Limit", "Notes"]), Some(0));
        assert_eq!(names.find(["time limit"]), Some(0));
        assert_eq!(names.find(["Deadline"]), None);
    }

    #[test]
    fn a_name_outside_the_vocabulary_matches_itself_and_its_spaced_form() {
        let names = EMPTY.heading_names("customer_promise");
        assert_eq!(names.label(), "Customer promise");
        assert!(names.matches("Customer Promise"));
        assert!(names.matches("customer_promise"));
        let literal = EMPTY.heading_names("Staff briefing");
        assert_eq!(literal.label(), "Staff briefing");
        assert!(literal.matches("STAFF BRIEFING"));
    }

    #[test]
    fn an_english_name_in_a_parameter_finds_its_term() {
        let words = DocumentVocabulary::default()
            .with_heading("customer_promise", ["Customer promise", "Our promise"])
            .map_heading("customer_promise", "คำมั่นสัญญาต่อลูกค้า");
        let names = words.heading_names("Customer promise");
        assert_eq!(names.canonical(), "customer_promise");
        assert!(names.matches("คำมั่นสัญญาต่อลูกค้า"));
        assert!(names.matches("our promise"));
    }

    #[test]
    fn a_parsed_document_finds_sections_and_cells_by_canonical_name() {
        let words = policy_words()
            .map_column("severity", "Schweregrad")
            .map_column("time_limit", "Frist")
            .with_heading("matrix", ["Escalation matrix"])
            .map_heading("matrix", "Eskalationsmatrix");
        let text = "# Richtlinie\n\n## Eskalationsmatrix\n\n### Details\n\nGilt immer.\n\n\
                    | Schweregrad | Frist |\n|---|---|\n| critical | 30 min |\n";
        let doc = ParsedDocument::parse("p.md", text, words).unwrap();
        let matrix = doc.section("matrix").unwrap();
        assert_eq!(matrix.heading, "Eskalationsmatrix");
        assert_eq!(matrix.text, "Gilt immer.", "subsections fold in");
        let tables = doc.tables_with(&["severity", "time_limit"]);
        assert_eq!(tables.len(), 1);
        let t = tables[0];
        assert_eq!(doc.cell(t, &t.rows[0], "severity"), Some("critical"));
        assert_eq!(doc.cell(t, &t.rows[0], "time_limit"), Some("30 min"));
        assert_eq!(doc.cell(t, &t.rows[0], "owner"), None);
        assert!(doc.section("missing").is_none());
    }

    #[test]
    fn bad_front_matter_names_the_file() {
        let e = ParsedDocument::parse("docs/x.md", "+++\nnot toml\n+++\n", EMPTY.clone());
        assert!(e.unwrap_err().starts_with("docs/x.md: front matter"));
    }

    #[test]
    fn the_vocabulary_crosses_as_json_and_is_left_out_when_empty() {
        let words = policy_words().map_column("time_limit", "Frist");
        let json = serde_json::to_value(&words).unwrap();
        assert_eq!(
            json["columns"]["time_limit"],
            serde_json::json!({"names": ["Time limit", "Limit", "Escalate within"], "centre": ["Frist"]})
        );
        assert!(json.get("headings").is_none());
        let back: DocumentVocabulary = serde_json::from_value(json).unwrap();
        assert_eq!(back, words);
    }
}

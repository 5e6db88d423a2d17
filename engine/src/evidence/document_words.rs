//! The centre's own names for the headings and table columns of its
//! documents (`evidence.toml`), checked against the pack's evidence schema,
//! and the vocabulary an evaluator's request carries for each document kind
//! it reads.
//!
//! ```toml
//! [documents.escalation_policy]
//! path = "docs/Eskalationsrichtlinie.md"
//! columns = { severity = "Schweregrad", time_limit = "Frist" }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use cxaudit_plugin_sdk::vocabulary::{DocumentVocabulary, Term, normalise};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, de::value::MapAccessDeserializer};
use toml::Spanned;

use super::EvidenceError;
use super::manifest::EvidenceManifest;
use crate::pack::{DocumentSchema, EvidenceSchema, WordGroup};
use crate::source::Location;

/// A document entry of `evidence.toml` as written: a path, or a table with
/// the path and the centre's names.
#[derive(Debug)]
pub(super) enum RawDocument {
    /// `kind = "docs/file.md"`.
    Path(String),
    /// `kind = { path = "...", headings = {...}, columns = {...} }`.
    Table(RawDocumentTable),
}

/// The table form of a document entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDocumentTable {
    pub(super) path: Spanned<String>,
    #[serde(default)]
    headings: BTreeMap<Spanned<String>, NameList>,
    #[serde(default)]
    columns: BTreeMap<Spanned<String>, NameList>,
}

impl<'de> Deserialize<'de> for RawDocument {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntryVisitor;
        impl<'de> Visitor<'de> for EntryVisitor {
            type Value = RawDocument;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a path, or a table with `path` and optional `headings` and `columns`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDocument, E> {
                Ok(RawDocument::Path(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawDocument, A::Error> {
                RawDocumentTable::deserialize(MapAccessDeserializer::new(map))
                    .map(RawDocument::Table)
            }
        }
        deserializer.deserialize_any(EntryVisitor)
    }
}

/// One name or a list of names (`"Frist"` or `["Frist", "Zeitlimit"]`).
#[derive(Debug)]
struct NameList(Vec<String>);

impl<'de> Deserialize<'de> for NameList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NamesVisitor;
        impl<'de> Visitor<'de> for NamesVisitor {
            type Value = NameList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a name or a list of names")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NameList, E> {
                Ok(NameList(vec![v.to_owned()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NameList, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(NameList(names))
            }
        }
        deserializer.deserialize_any(NamesVisitor)
    }
}

/// A centre's own names for the headings and columns of one document kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentNames {
    /// Canonical heading -> the centre's headings for it.
    pub headings: BTreeMap<String, Vec<String>>,
    /// Canonical column -> the centre's column names for it.
    pub columns: BTreeMap<String, Vec<String>>,
    /// Where each canonical name is written, for errors.
    locations: BTreeMap<(WordGroup, String), Location>,
}

impl DocumentNames {
    /// The names of a group.
    pub fn group(&self, group: WordGroup) -> &BTreeMap<String, Vec<String>> {
        match group {
            WordGroup::Headings => &self.headings,
            WordGroup::Columns => &self.columns,
        }
    }

    /// Whether the centre maps nothing.
    pub fn is_empty(&self) -> bool {
        self.headings.is_empty() && self.columns.is_empty()
    }
}

/// Reads the centre's names of one document entry, refusing an empty name
/// or one centre name given to two canonical names of a group. `prefix` is
/// the entry's key (`documents.escalation_policy`).
pub(super) fn read_names(
    table: &RawDocumentTable,
    prefix: &str,
    file: &Path,
    text: &str,
) -> Result<DocumentNames, EvidenceError> {
    let mut out = DocumentNames::default();
    for (group, raw) in [
        (WordGroup::Headings, &table.headings),
        (WordGroup::Columns, &table.columns),
    ] {
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for (canonical, names) in raw {
            let name = canonical.get_ref();
            let location = Location::at_offset(file, text, canonical.span().start)
                .key(format!("{prefix}.{}.{name}", group.key()));
            let refuse = |message: String| Err(EvidenceError::new(location.clone(), message));
            if names.0.is_empty() || names.0.iter().any(|n| normalise(n).is_empty()) {
                return refuse("expected the centre's name, or a list of names, none empty".into());
            }
            for centre in &names.0 {
                match seen.insert(normalise(centre), name) {
                    Some(other) if other != name => {
                        return refuse(format!(
                            "`{centre}` is also given for {} `{other}`: a {} named so would match both",
                            group.singular(),
                            group.singular()
                        ));
                    }
                    _ => {}
                }
            }
            let map = match group {
                WordGroup::Headings => &mut out.headings,
                WordGroup::Columns => &mut out.columns,
            };
            map.insert(name.clone(), names.0.clone());
            out.locations.insert((group, name.clone()), location);
        }
    }
    Ok(out)
}

/// Refuses a centre's name for a heading or column that the pack's evidence
/// schema does not list for the document kind, naming the key in
/// `evidence.toml`. Kinds the schema does not know are left to the store,
/// which ignores them with a warning.
pub fn check_document_names(
    manifest: &EvidenceManifest,
    schema: &EvidenceSchema,
) -> Result<(), EvidenceError> {
    for (kind, names) in &manifest.document_names {
        let Some(doc) = schema.documents.get(kind) else {
            continue;
        };
        for group in WordGroup::ALL {
            let known = doc.group(group);
            for canonical in names.group(group).keys() {
                if known.contains_key(canonical) {
                    continue;
                }
                let location = names
                    .locations
                    .get(&(group, canonical.clone()))
                    .cloned()
                    .unwrap_or_else(|| Location::file(&manifest.dir.join("evidence.toml")));
                return Err(EvidenceError::new(
                    location,
                    unknown_word_message(kind, group, canonical, known),
                ));
            }
        }
    }
    Ok(())
}

/// "`x` is not a heading the pack reads in `kind` documents (it reads: ...)".
fn unknown_word_message(
    kind: &str,
    group: WordGroup,
    canonical: &str,
    known: &BTreeMap<String, Vec<String>>,
) -> String {
    let listed = if known.is_empty() {
        format!("it reads no {}", group.key())
    } else {
        let names: Vec<String> = known
            .iter()
            .map(|(c, english)| match english.first() {
                Some(e) => format!("`{c}` ({e})"),
                None => format!("`{c}`"),
            })
            .collect();
        format!("it reads {}", names.join(", "))
    };
    format!(
        "`{canonical}` is not a {} of `{kind}` documents in the pack's evidence schema ({listed}); \
         map the canonical name the pack reads to the centre's own",
        group.singular()
    )
}

/// The words of each of `kinds` the schema declares: its canonical headings
/// and columns with the pack's English names and the centre's own. Kinds
/// without any word are left out (an evaluator then matches canonical names
/// only).
pub fn request_vocabulary<'a>(
    kinds: impl IntoIterator<Item = &'a str>,
    schema: &EvidenceSchema,
    manifest: &EvidenceManifest,
) -> BTreeMap<String, DocumentVocabulary> {
    kinds
        .into_iter()
        .filter_map(|kind| {
            let doc = schema.documents.get(kind)?;
            let words = vocabulary(doc, manifest.document_names.get(kind));
            let empty = words.headings.is_empty() && words.columns.is_empty();
            (!empty).then(|| (kind.to_owned(), words))
        })
        .collect()
}

/// One kind's vocabulary: the schema's words, each with the centre's names.
fn vocabulary(doc: &DocumentSchema, centre: Option<&DocumentNames>) -> DocumentVocabulary {
    let terms = |group: WordGroup| -> BTreeMap<String, Term> {
        doc.group(group)
            .iter()
            .map(|(canonical, english)| {
                let own = centre.and_then(|c| c.group(group).get(canonical));
                let term = Term {
                    names: english.clone(),
                    centre: own.cloned().unwrap_or_default(),
                };
                (canonical.clone(), term)
            })
            .collect()
    };
    DocumentVocabulary {
        headings: terms(WordGroup::Headings),
        columns: terms(WordGroup::Columns),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::load_manifest;
    use crate::pack::parse_schema;
    use crate::source::line_column;

    const SCHEMA: &str = "[documents.escalation_policy]\n\
        columns.severity = [\"Severity\"]\n\
        columns.time_limit = [\"Time limit\", \"Escalate to leadership within\"]\n\
        [documents.direction]\n\
        headings.mission = [\"Mission\"]\n";

    fn schema() -> EvidenceSchema {
        parse_schema(Path::new("evidence-schema.toml"), SCHEMA).unwrap()
    }

    /// An evidence folder whose `[documents]` table holds `documents`.
    fn folder(documents: &str) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "[centre]\nname = \"C\"\n\n[period]\nstart = 2026-01-01\nend = 2026-01-31\n\n\
             [documents]\n{documents}\n"
        );
        std::fs::write(dir.path().join("evidence.toml"), &text).unwrap();
        (dir, text)
    }

    /// `(line, column)` of the first `needle` in `text`.
    fn at(text: &str, needle: &str) -> (Option<usize>, Option<usize>) {
        let (line, column) = line_column(text, text.find(needle).expect(needle));
        (Some(line), Some(column))
    }

    #[test]
    fn a_document_is_a_path_or_a_table_with_the_centres_names() {
        let (dir, _) = folder(
            "direction = \"docs/richtung.md\"\n\
             escalation_policy = { path = \"docs/eskalation.md\", columns = { severity = \"Schweregrad\", \
             time_limit = [\"Frist\", \"Zeitlimit\"] } }",
        );
        let m = load_manifest(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.documents["direction"], "docs/richtung.md");
        assert_eq!(m.documents["escalation_policy"], "docs/eskalation.md");
        assert!(!m.document_names.contains_key("direction"));
        let names = &m.document_names["escalation_policy"];
        assert_eq!(names.columns["time_limit"], ["Frist", "Zeitlimit"]);
        assert_eq!(names.columns["severity"], ["Schweregrad"]);
        check_document_names(&m, &schema()).unwrap();
    }

    #[test]
    fn an_unknown_canonical_name_is_refused_naming_its_key() {
        let (dir, text) = folder(
            "escalation_policy = { path = \"p.md\", headings = { escalation_matrix = \"Eskalationsmatrix\" } }",
        );
        let m = load_manifest(dir.path()).unwrap();
        let e = check_document_names(&m, &schema()).unwrap_err();
        assert_eq!(
            e.location.key.as_deref(),
            Some("documents.escalation_policy.headings.escalation_matrix")
        );
        assert_eq!(
            (e.location.line, e.location.column),
            at(&text, "escalation_matrix")
        );
        assert!(
            e.message
                .contains("`escalation_matrix` is not a heading of `escalation_policy` documents"),
            "{e}"
        );
        assert!(e.message.contains("it reads no headings"), "{e}");
        // A column that the kind does not read names what it does read.
        let (dir, _) =
            folder("direction = { path = \"d.md\", columns = { owner = \"Verantwortlich\" } }");
        let m = load_manifest(dir.path()).unwrap();
        let e = check_document_names(&m, &schema()).unwrap_err();
        assert_eq!(
            e.location.key.as_deref(),
            Some("documents.direction.columns.owner")
        );
        assert!(e.message.contains("it reads no columns"), "{e}");
        let (dir, _) =
            folder("direction = { path = \"d.md\", headings = { mision = \"Leitbild\" } }");
        let e = check_document_names(&load_manifest(dir.path()).unwrap(), &schema()).unwrap_err();
        assert!(e.message.contains("it reads `mission` (Mission)"), "{e}");
    }

    #[test]
    fn empty_and_shared_names_and_unknown_keys_are_refused_at_load() {
        let cases = [
            (
                "columns = { time_limit = \"\" }",
                "columns.time_limit",
                "none empty",
            ),
            (
                "columns = { time_limit = [] }",
                "columns.time_limit",
                "none empty",
            ),
            (
                "columns = { severity = \"Frist\", time_limit = \"FRIST\" }",
                "columns.time_limit",
                "also given for column `severity`",
            ),
        ];
        for (names, key, why) in cases {
            let (dir, text) = folder(&format!(
                "escalation_policy = {{ path = \"p.md\", {names} }}"
            ));
            let e = load_manifest(dir.path()).unwrap_err();
            let canonical = key.rsplit('.').next().unwrap();
            let offset = text.rfind(&format!("{canonical} =")).unwrap();
            assert_eq!(
                e.location.key.as_deref(),
                Some(format!("documents.escalation_policy.{key}").as_str()),
                "{e}"
            );
            let (line, column) = line_column(&text, offset);
            assert_eq!(
                (e.location.line, e.location.column),
                (Some(line), Some(column))
            );
            assert!(e.message.contains(why), "{names}: {e}");
        }
        let (dir, _) = folder("escalation_policy = { path = \"p.md\", heading = { a = \"b\" } }");
        let e = load_manifest(dir.path()).unwrap_err();
        assert!(e.message.contains("heading"), "{e}");
        let (dir, _) = folder("escalation_policy = { columns = { time_limit = \"Frist\" } }");
        let e = load_manifest(dir.path()).unwrap_err();
        assert!(e.message.contains("path"), "{e}");
        let (dir, _) = folder("escalation_policy = { path = \"\" }");
        let e = load_manifest(dir.path()).unwrap_err();
        assert_eq!(
            e.location.key.as_deref(),
            Some("documents.escalation_policy.path")
        );
    }

    #[test]
    fn the_request_carries_the_packs_words_with_the_centres_names() {
        let (dir, _) = folder(
            "escalation_policy = { path = \"p.md\", columns = { time_limit = \"Frist\" } }\n\
             direction = \"d.md\"",
        );
        let m = load_manifest(dir.path()).unwrap();
        let words = request_vocabulary(
            ["escalation_policy", "direction", "survey_design"],
            &schema(),
            &m,
        );
        // survey_design is not in this schema: left out.
        assert_eq!(
            words.keys().collect::<Vec<_>>(),
            ["direction", "escalation_policy"]
        );
        let limit = &words["escalation_policy"].columns["time_limit"];
        assert_eq!(limit.names, ["Time limit", "Escalate to leadership within"]);
        assert_eq!(limit.centre, ["Frist"]);
        let severity = &words["escalation_policy"].columns["severity"];
        assert!(severity.centre.is_empty());
        assert_eq!(words["direction"].headings["mission"].names, ["Mission"]);
    }

    #[test]
    fn the_readme_example_maps_words_the_shipped_pack_reads() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
        let start = readme
            .find("```toml\n[documents.direction]")
            .expect("the README's documents example");
        let block = &readme[start + "```toml\n".len()..];
        let block = &block[..block.find("```").unwrap()];
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("evidence.toml"),
            format!(
                "[centre]\nname = \"C\"\n[period]\nstart = 2026-01-01\nend = 2026-01-31\n{block}"
            ),
        )
        .unwrap();
        let m = load_manifest(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let pack = crate::pack::load(&root.join("standards/cx-ops")).unwrap();
        check_document_names(&m, &pack.schema).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            m.document_names["review_minutes"].columns["action"].len(),
            2
        );
        assert_eq!(m.document_names["direction"].headings.len(), 4);
    }
}

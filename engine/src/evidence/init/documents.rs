//! Matching Markdown documents to the pack's document kinds: by the file's
//! name and its first heading, against each kind's names (`[documents]` in
//! `presets.toml`, and the kind's own name read with spaces).

use std::collections::{BTreeMap, BTreeSet};

use super::*;

/// Extensions of the files the engine reads as documents (any case).
const DOCUMENT_EXTENSIONS: [&str; 2] = ["md", "markdown"];

/// One document kind and the file or folder it is read from.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentMatch {
    /// The pack's document kind.
    pub kind: String,
    /// A file, or for a kind read from a folder, the folder, relative to the
    /// output folder with `/`.
    pub path: String,
    /// `high` (file name and first heading agree) or `medium` (one of them).
    pub confidence: &'static str,
    /// What the kind was found from, in words.
    pub from: String,
}

impl DocumentMatch {
    /// The comment written beside the mapping.
    pub fn comment(&self) -> String {
        format!("{} confidence, from {}", self.confidence, self.from)
    }
}

/// Whether `path` has an extension the engine reads as a document.
pub(super) fn is_document(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        DOCUMENT_EXTENSIONS
            .iter()
            .any(|d| e.eq_ignore_ascii_case(d))
    })
}

/// The text of the first ATX heading (`# ...`) of a Markdown text, after
/// any front matter (`+++` or `---` fenced).
pub fn first_heading(text: &str) -> Option<String> {
    let mut lines = text.lines().peekable();
    if let Some(fence) = lines
        .peek()
        .map(|l| l.trim())
        .filter(|l| *l == "+++" || *l == "---")
        .map(str::to_owned)
    {
        lines.next();
        for line in lines.by_ref() {
            if line.trim() == fence {
                break;
            }
        }
    }
    lines
        .map(str::trim_start)
        .find(|l| l.starts_with('#'))
        .map(|l| {
            l.trim_start_matches('#')
                .trim()
                .trim_end_matches('#')
                .trim()
        })
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
}

/// The document kinds whose names occur in `text` (normalised) as whole
/// words.
fn kinds_in(text: &str, names: &BTreeMap<String, Vec<String>>) -> BTreeSet<String> {
    let padded = format!("_{}_", normalise(text));
    names
        .iter()
        .filter(|(_, words)| {
            words
                .iter()
                .map(|w| normalise(w))
                .any(|w| !w.is_empty() && padded.contains(&format!("_{w}_")))
        })
        .map(|(kind, _)| kind.clone())
        .collect()
}

/// Every kind's names: the presets' and the kind's own, read with spaces.
fn kind_names(schema: &EvidenceSchema, knowledge: &Knowledge) -> BTreeMap<String, Vec<String>> {
    schema
        .documents
        .keys()
        .map(|kind| {
            let mut words = knowledge.documents.get(kind).cloned().unwrap_or_default();
            words.push(kind.replace('_', " "));
            (kind.clone(), words)
        })
        .collect()
}

/// Kinds as a list.
fn joined(set: &BTreeSet<String>) -> String {
    set.iter().cloned().collect::<Vec<_>>().join(", ")
}

/// Why a document with the kinds its file name and first heading (`shown`)
/// name is matched to none: no kind, several, or the two disagreeing.
fn unmatched(
    by_name: &BTreeSet<String>,
    by_heading: &BTreeSet<String>,
    shown: &str,
    names: &BTreeMap<String, Vec<String>>,
) -> Option<String> {
    let why = match (by_name.len(), by_heading.len()) {
        (_, 2..) => format!(
            "a document whose first heading (`{shown}`) names several document kinds ({}); add it under [documents]",
            joined(by_heading)
        ),
        (2.., 0) => format!(
            "a document whose file name names several document kinds ({}); add it under [documents]",
            joined(by_name)
        ),
        (0, 0) => format!(
            "a document whose file name and first heading (`{shown}`) name no document kind of the pack ({}); add it under [documents] if it is one",
            names.keys().cloned().collect::<Vec<_>>().join(", ")
        ),
        (1, 1) if by_name != by_heading => format!(
            "a document whose file name says `{}` and first heading (`{shown}`) says `{}`; add it under [documents]",
            joined(by_name),
            joined(by_heading)
        ),
        _ => return None,
    };
    Some(why)
}

/// The kind one document is, from its file name and first heading; `Err`
/// with why when it is none or several.
fn classify(
    rel: &str,
    text: &str,
    names: &BTreeMap<String, Vec<String>>,
) -> Result<DocumentMatch, String> {
    let stem = Path::new(rel)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let heading = first_heading(text);
    let by_name = kinds_in(&stem, names);
    let by_heading = heading
        .as_deref()
        .map(|h| kinds_in(h, names))
        .unwrap_or_default();
    let shown = heading.as_deref().unwrap_or("none");
    if let Some(why) = unmatched(&by_name, &by_heading, shown, names) {
        return Err(why);
    }
    let (kind, confidence, from) = if by_name == by_heading {
        (
            joined(&by_heading),
            "high",
            format!("file name `{stem}` and first heading `{shown}`"),
        )
    } else if !by_heading.is_empty() {
        (
            joined(&by_heading),
            "medium",
            format!("first heading `{shown}` (the file name says nothing)"),
        )
    } else {
        (
            joined(&by_name),
            "medium",
            format!("file name `{stem}` (the first heading, `{shown}`, says nothing)"),
        )
    };
    Ok(DocumentMatch {
        kind,
        path: rel.to_owned(),
        confidence,
        from,
    })
}

/// The folder of `rel` (`""` for the top).
fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Matches the documents (`(relative path, text or why not readable)`, in
/// path order) to the pack's kinds: one file per kind (the surer, then the
/// first path); a kind read from a folder takes the folder when every
/// document of a subfolder is of that kind. Returns the matches by kind and
/// the documents left, with why.
#[allow(clippy::type_complexity)]
pub(super) fn match_documents(
    schema: &EvidenceSchema,
    knowledge: &Knowledge,
    docs: &[(String, Result<String, String>)],
) -> (BTreeMap<String, DocumentMatch>, Vec<(String, String)>) {
    let names = kind_names(schema, knowledge);
    let mut unmapped = Vec::new();
    let mut by_kind: BTreeMap<String, Vec<DocumentMatch>> = BTreeMap::new();
    for (rel, text) in docs {
        let classified = text
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|t| classify(rel, t, &names));
        match classified {
            Ok(m) => by_kind.entry(m.kind.clone()).or_default().push(m),
            Err(why) => unmapped.push((rel.clone(), why)),
        }
    }
    let mut out = BTreeMap::new();
    for (kind, mut found) in by_kind {
        let folder = schema.documents.get(&kind).is_some_and(|d| d.folder);
        if let Some(m) = as_folder(folder, &found, docs) {
            out.insert(kind, m);
            continue;
        }
        found.sort_by(|a, b| {
            (a.confidence != "high", &a.path).cmp(&(b.confidence != "high", &b.path))
        });
        let mut rest = found.into_iter();
        let Some(kept) = rest.next() else { continue };
        for other in rest {
            unmapped.push((
                other.path,
                format!(
                    "also looks like document `{kind}`, which `{}` matches as surely or more",
                    kept.path
                ),
            ));
        }
        out.insert(kind, kept);
    }
    unmapped.sort();
    (out, unmapped)
}

/// For a kind read from a folder: the folder, when the matches are two or
/// more and are every document of one subfolder.
fn as_folder(
    folder: bool,
    found: &[DocumentMatch],
    docs: &[(String, Result<String, String>)],
) -> Option<DocumentMatch> {
    let first = found.first()?;
    let dir = parent(&first.path);
    let all_there = found.iter().all(|m| parent(&m.path) == dir);
    let whole = docs.iter().filter(|(rel, _)| parent(rel) == dir).count() == found.len();
    (folder && found.len() >= 2 && !dir.is_empty() && all_there && whole).then(|| DocumentMatch {
        kind: first.kind.clone(),
        path: dir.to_owned(),
        confidence: if found.iter().all(|m| m.confidence == "high") {
            "high"
        } else {
            "medium"
        },
        from: format!(
            "{} documents of one folder, each matched by its file name or first heading",
            found.len()
        ),
    })
}

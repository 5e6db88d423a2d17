//! What an evaluator sees during one call: the request, tables, documents.

use crate::model::{Period, Request};
use crate::table::Table;
use crate::vocabulary::{self, DocumentVocabulary, ParsedDocument};

/// A document: its path relative to the evidence folder, its text, and the
/// words of its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Path relative to the evidence folder, `/`-separated.
    pub path: String,
    /// UTF-8 text.
    pub text: String,
    /// The headings and columns of its kind, with the centre's names (set
    /// by [`Context::documents`] from the request; hosts leave it empty).
    pub vocabulary: DocumentVocabulary,
}

impl Document {
    /// A document with no vocabulary of its own yet.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        Document {
            path: path.into(),
            text: text.into(),
            vocabulary: DocumentVocabulary::default(),
        }
    }

    /// The document parsed as Markdown, its sections and columns found by
    /// canonical name; malformed front matter is unusable evidence naming
    /// the file.
    pub fn parse(&self) -> Result<ParsedDocument, EvalError> {
        ParsedDocument::parse(&self.path, &self.text, self.vocabulary.clone())
            .map_err(EvalError::MissingEvidence)
    }
}

/// Why an evaluation could not produce a judgement.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvalError {
    /// The evidence is missing or unusable: `insufficient_evidence`.
    #[error("insufficient evidence: {0}")]
    MissingEvidence(String),
    /// The criterion does not apply: `not_applicable`.
    #[error("not applicable: {0}")]
    NotApplicable(String),
    /// The evaluator failed: `error`.
    #[error("{0}")]
    Failed(String),
}

impl From<arrow_schema::ArrowError> for EvalError {
    fn from(e: arrow_schema::ArrowError) -> Self {
        EvalError::Failed(format!("arrow: {e}"))
    }
}

/// Where tables and documents come from: the plugin host across the C ABI,
/// or the in-memory [`crate::testing::TestHost`].
pub trait Host {
    /// The table, or why it is not available.
    fn table(&self, name: &str) -> Result<Table, String>;
    /// Every document of a kind, sorted by path; `None` when the kind is
    /// absent from the evidence.
    fn documents(&self, kind: &str) -> Result<Option<Vec<Document>>, String>;
}

/// The evaluator's view of one call.
pub struct Context<'a> {
    host: &'a dyn Host,
    request: &'a Request,
}

impl<'a> Context<'a> {
    /// A context over a host and a request.
    pub fn new(host: &'a dyn Host, request: &'a Request) -> Self {
        Context { host, request }
    }

    /// The criterion being judged.
    pub fn criterion(&self) -> &str {
        &self.request.criterion
    }

    /// The assessment period.
    pub fn period(&self) -> &Period {
        &self.request.period
    }

    /// The name of the centre's IANA time zone, as the request gives it
    /// ([`Context::time_zone`] parses it).
    pub fn time_zone_name(&self) -> &str {
        &self.request.time_zone
    }

    /// The date the assessment is made as of.
    pub fn as_of(&self) -> &str {
        &self.request.as_of
    }

    /// A table; `MissingEvidence` when it is absent or failed to load.
    pub fn table(&self, name: &str) -> Result<Table, EvalError> {
        self.host.table(name).map_err(EvalError::MissingEvidence)
    }

    /// A table when the evidence has it.
    pub fn optional_table(&self, name: &str) -> Option<Table> {
        self.host.table(name).ok()
    }

    /// The words of a document kind: its headings and columns with the
    /// pack's English names and the centre's own (empty when the host sends
    /// none: then canonical names only match).
    pub fn vocabulary(&self, kind: &str) -> &DocumentVocabulary {
        self.request
            .vocabulary
            .get(kind)
            .unwrap_or(&vocabulary::EMPTY)
    }

    /// The documents of a kind, each with the kind's words;
    /// `MissingEvidence` when the kind is absent.
    pub fn documents(&self, kind: &str) -> Result<Vec<Document>, EvalError> {
        match self
            .host
            .documents(kind)
            .map_err(EvalError::MissingEvidence)?
        {
            Some(mut docs) => {
                for doc in &mut docs {
                    doc.vocabulary = self.vocabulary(kind).clone();
                }
                Ok(docs)
            }
            None => Err(EvalError::MissingEvidence(format!(
                "no `{kind}` document in the evidence"
            ))),
        }
    }

    /// The single document of a kind (the first by path), with its kind's
    /// words: `ctx.document("direction")?.parse()?.section("mission")`.
    pub fn document(&self, kind: &str) -> Result<Document, EvalError> {
        self.documents(kind)?.into_iter().next().ok_or_else(|| {
            EvalError::MissingEvidence(format!("the `{kind}` folder holds no document"))
        })
    }
}

//! Run an evaluator on in-memory tables and documents, without building a
//! library: the same parameter handling and panic capture as the host.
//!
//! [`TableBuilder`] is for tests: it panics on a malformed literal, which
//! is a bug in the test, not bad evidence.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampMillisecondArray,
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use serde_json::Value;

use crate::Evaluator;
use crate::context::{Context, Document, Host};
use crate::export::run_evaluator;
use crate::model::{Evaluation, Period, Request};
use crate::table::{Table, days_from_date};
use crate::vocabulary::DocumentVocabulary;

/// An in-memory host: tables and documents for one test.
#[derive(Debug, Clone)]
pub struct TestHost {
    tables: BTreeMap<String, Table>,
    documents: BTreeMap<String, Vec<Document>>,
    vocabulary: BTreeMap<String, DocumentVocabulary>,
    period: Period,
    as_of: Option<String>,
    time_zone: String,
    criterion: String,
    scoring: cxaudit_model::ScoringRules,
}

impl Default for TestHost {
    fn default() -> Self {
        Self::new()
    }
}

impl TestHost {
    /// An empty host; period 2026-01-01 to 2026-06-30, criterion `TEST`.
    pub fn new() -> Self {
        TestHost {
            tables: BTreeMap::new(),
            documents: BTreeMap::new(),
            vocabulary: BTreeMap::new(),
            period: Period {
                start: "2026-01-01".into(),
                end: "2026-06-30".into(),
            },
            as_of: None,
            time_zone: "UTC".into(),
            criterion: "TEST".into(),
            scoring: cxaudit_model::ScoringRules::default(),
        }
    }

    /// Adds a table.
    pub fn table(mut self, name: &str, batch: RecordBatch) -> Self {
        let table = Table::new(name, batch.schema(), vec![batch]);
        self.tables.insert(name.to_owned(), table);
        self
    }

    /// Adds a document of a kind (a folder kind may receive several).
    pub fn document(mut self, kind: &str, path: &str, text: &str) -> Self {
        let docs = self.documents.entry(kind.to_owned()).or_default();
        docs.push(Document::new(path, text));
        docs.sort_by(|a, b| a.path.cmp(&b.path));
        self
    }

    /// Sets the words of a document kind, as the host sends them.
    pub fn vocabulary(mut self, kind: &str, words: DocumentVocabulary) -> Self {
        self.vocabulary.insert(kind.to_owned(), words);
        self
    }

    /// Sets the words of every document kind of a pack's evidence schema
    /// (the text of an `evidence-schema.toml`).
    ///
    /// # Panics
    /// When the text is not such a schema: a bug in the test.
    pub fn schema_vocabulary(mut self, schema_toml: &str) -> Self {
        let words = vocabulary_from_schema(schema_toml)
            .unwrap_or_else(|e| panic!("evidence schema for the test: {e}"));
        self.vocabulary.extend(words);
        self
    }

    /// The words set for a document kind, to add a centre's names to.
    pub fn vocabulary_of(&self, kind: &str) -> DocumentVocabulary {
        self.vocabulary.get(kind).cloned().unwrap_or_default()
    }

    /// Sets the assessment period (inclusive `YYYY-MM-DD` dates).
    pub fn period(mut self, start: &str, end: &str) -> Self {
        self.period = Period {
            start: start.to_owned(),
            end: end.to_owned(),
        };
        self
    }

    /// Sets the as-of date (default: the period end).
    pub fn as_of(mut self, date: &str) -> Self {
        self.as_of = Some(date.to_owned());
        self
    }

    /// Sets the centre's time zone (default UTC).
    pub fn time_zone(mut self, tz: &str) -> Self {
        self.time_zone = tz.to_owned();
        self
    }

    /// Sets the scoring rules the result is judged with, as a pack's
    /// `[scoring]` sets them (default: cx-ops's, met from 1.0 and partially
    /// met from 0.5). To run against a real pack and evidence folder, use
    /// the engine's `cxaudit::testing::PackHost`.
    pub fn scoring(mut self, rules: cxaudit_model::ScoringRules) -> Self {
        self.scoring = rules;
        self
    }

    /// Runs `evaluator` with the pack parameters `params` (a JSON object;
    /// omitted ones take the manifest's defaults) and judges the result
    /// with the scoring rules, as the host does.
    pub fn run<E: Evaluator>(&self, evaluator: &E, params: Value) -> Evaluation {
        let request = self.request(evaluator.name(), params);
        let mut evaluation = run_evaluator(evaluator, &request, self);
        evaluation.judge_with(&self.scoring);
        evaluation
    }

    /// Calls `f` with the context an evaluator would see (no parameters):
    /// to test helpers that read the request, tables or documents.
    pub fn with_context<R>(&self, f: impl FnOnce(&Context<'_>) -> R) -> R {
        let request = self.request("test", Value::Object(Default::default()));
        f(&Context::new(self, &request))
    }

    /// The request the host sends for `evaluator` with `params`.
    fn request(&self, evaluator: &str, params: Value) -> Request {
        Request {
            criterion: self.criterion.clone(),
            evaluator: evaluator.to_owned(),
            params,
            period: self.period.clone(),
            as_of: self
                .as_of
                .clone()
                .unwrap_or_else(|| self.period.end.clone()),
            time_zone: self.time_zone.clone(),
            vocabulary: self.vocabulary.clone(),
        }
    }
}

impl Host for TestHost {
    fn table(&self, name: &str) -> Result<Table, String> {
        self.tables
            .get(name)
            .cloned()
            .ok_or_else(|| format!("no `{name}` table in the evidence"))
    }
    fn documents(&self, kind: &str) -> Result<Option<Vec<Document>>, String> {
        Ok(self.documents.get(kind).cloned())
    }
}

/// The words of every document kind of a pack's evidence schema: each
/// `[documents.KIND]` table's `headings` and `columns` (canonical name ->
/// English names), as the host turns them into a request's vocabulary.
pub fn vocabulary_from_schema(
    schema_toml: &str,
) -> Result<BTreeMap<String, DocumentVocabulary>, String> {
    #[derive(serde::Deserialize)]
    struct Kind {
        #[serde(default)]
        headings: BTreeMap<String, Vec<String>>,
        #[serde(default)]
        columns: BTreeMap<String, Vec<String>>,
    }
    #[derive(serde::Deserialize)]
    struct Schema {
        #[serde(default)]
        documents: BTreeMap<String, Kind>,
    }
    let schema: Schema = toml::from_str(schema_toml).map_err(|e| e.to_string())?;
    Ok(schema
        .documents
        .into_iter()
        .map(|(kind, k)| {
            let mut words = DocumentVocabulary::default();
            for (canonical, names) in k.headings {
                words = words.with_heading(&canonical, names);
            }
            for (canonical, names) in k.columns {
                words = words.with_column(&canonical, names);
            }
            (kind, words)
        })
        .collect())
}

/// Builds a record batch column by column, with the host's Arrow types.
#[derive(Debug, Default)]
pub struct TableBuilder {
    fields: Vec<Field>,
    columns: Vec<ArrayRef>,
}

impl TableBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    fn push(mut self, name: &str, data_type: DataType, array: ArrayRef) -> Self {
        self.fields.push(Field::new(name, data_type, true));
        self.columns.push(array);
        self
    }

    /// A string column.
    pub fn strings<'a>(
        self,
        name: &str,
        values: impl IntoIterator<Item = Option<&'a str>>,
    ) -> Self {
        let array: StringArray = values.into_iter().collect();
        self.push(name, DataType::Utf8, Arc::new(array))
    }

    /// A float column.
    pub fn floats(self, name: &str, values: impl IntoIterator<Item = Option<f64>>) -> Self {
        let array: Float64Array = values.into_iter().collect();
        self.push(name, DataType::Float64, Arc::new(array))
    }

    /// An integer column.
    pub fn integers(self, name: &str, values: impl IntoIterator<Item = Option<i64>>) -> Self {
        let array: Int64Array = values.into_iter().collect();
        self.push(name, DataType::Int64, Arc::new(array))
    }

    /// A boolean column.
    pub fn bools(self, name: &str, values: impl IntoIterator<Item = Option<bool>>) -> Self {
        let array: BooleanArray = values.into_iter().collect();
        self.push(name, DataType::Boolean, Arc::new(array))
    }

    /// A date column from `YYYY-MM-DD` literals (a month column from
    /// `YYYY-MM` literals is stored as the first day).
    pub fn dates<'a>(self, name: &str, values: impl IntoIterator<Item = Option<&'a str>>) -> Self {
        let array: Date32Array = values.into_iter().map(|v| v.map(parse_test_date)).collect();
        self.push(name, DataType::Date32, Arc::new(array))
    }

    /// A timestamp column from `YYYY-MM-DDTHH:MM:SS` literals, with an
    /// optional fraction (`.250`), read as UTC: UTC milliseconds, as the host
    /// sends them (digits beyond the millisecond are truncated).
    pub fn timestamps<'a>(
        self,
        name: &str,
        values: impl IntoIterator<Item = Option<&'a str>>,
    ) -> Self {
        let array: TimestampMillisecondArray = values
            .into_iter()
            .map(|v| v.map(parse_test_timestamp))
            .collect::<TimestampMillisecondArray>()
            .with_timezone("UTC");
        self.push(
            name,
            DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
            Arc::new(array),
        )
    }

    /// The record batch.
    pub fn build(self) -> RecordBatch {
        RecordBatch::try_new(Arc::new(Schema::new(self.fields)), self.columns)
            .expect("test table columns must have equal lengths")
    }
}

fn parse_test_date(s: &str) -> i32 {
    let full = if s.len() == 7 {
        format!("{s}-01")
    } else {
        s.to_owned()
    };
    let date = chrono::NaiveDate::parse_from_str(&full, "%Y-%m-%d")
        .unwrap_or_else(|e| panic!("test date `{s}`: {e}"));
    days_from_date(date)
}

fn parse_test_timestamp(s: &str) -> i64 {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .unwrap_or_else(|e| panic!("test timestamp `{s}`: {e}"))
        .and_utc()
        .timestamp_millis()
}

//! A test host for plugin authors over a real pack and evidence folder: the
//! criterion's parameters as the pack sets them, the tables typed by the
//! pack's evidence schema, the documents with their words, and the result
//! judged with the pack's scoring rules, as `cxaudit assess` judges it.
//!
//! ```no_run
//! # use cxaudit_plugin_sdk::prelude::*;
//! # fn demo<E: Evaluator>(my_evaluator: &E) -> Result<(), cxaudit::testing::PackHostError> {
//! let host = cxaudit::testing::PackHost::load("my-pack".as_ref(), "evidence".as_ref())?;
//! let evaluation = host.run(my_evaluator, "MY1")?;
//! assert_eq!(evaluation.status, Status::Met);
//! # Ok(()) }
//! ```
//!
//! As in `assess`, an evaluator the evidence cannot support (a required
//! table missing, unusable, or without rows on days the centre operates) is
//! not called: the result is `insufficient_evidence`, naming what is
//! missing. Unlike `assess`, every table of the schema is read with all its
//! columns (a test's evidence is small), and no plugin library is loaded:
//! the evaluator runs in the test's own process through the SDK's code path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use cxaudit_plugin_sdk::context::{Document, Host};
use cxaudit_plugin_sdk::export::run_evaluator;
use cxaudit_plugin_sdk::{Evaluation, Evaluator, Period, Request, Table};

use crate::evidence::{self, EvidenceError, EvidenceStore, request_vocabulary};
use crate::pack::{self, Method, Pack, PackErrors};

/// Why a [`PackHost`] could not be built or a criterion not run.
#[derive(Debug, thiserror::Error)]
pub enum PackHostError {
    /// The pack is invalid.
    #[error("{0}")]
    Pack(#[from] PackErrors),
    /// `evidence.toml` is unusable.
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    /// The pack has no such criterion.
    #[error("the pack has no criterion `{id}` (it has {known})")]
    UnknownCriterion {
        /// The id asked for.
        id: String,
        /// The pack's criterion ids.
        known: String,
    },
    /// The criterion is judged by another evaluator, or by a person.
    #[error("criterion `{id}` is judged by {judged_by}, not by an evaluator named `{evaluator}`")]
    OtherEvaluator {
        /// The criterion.
        id: String,
        /// What judges it in the pack.
        judged_by: String,
        /// The evaluator's name.
        evaluator: String,
    },
}

/// A pack and its evidence, loaded once, to run evaluators against.
#[derive(Debug)]
pub struct PackHost {
    pack: Pack,
    store: EvidenceStore,
}

impl PackHost {
    /// Loads the pack (a folder, or a built-in name such as `cx-ops`) and
    /// the evidence folder, reading every table the schema declares.
    pub fn load(pack: &Path, evidence_dir: &Path) -> Result<Self, PackHostError> {
        let pack = pack::load_named(pack)?;
        let manifest = evidence::load_manifest(evidence_dir)?;
        evidence::check_document_names(&manifest, &pack.schema)?;
        let wanted: BTreeMap<String, BTreeSet<String>> = pack
            .schema
            .tables
            .iter()
            .map(|(name, t)| {
                let columns = t.columns.iter().map(|c| c.name.clone()).collect();
                (name.clone(), columns)
            })
            .collect();
        let store = EvidenceStore::load(manifest, &pack.schema, &wanted, &mut |_| {});
        Ok(PackHost { pack, store })
    }

    /// The loaded pack.
    pub fn pack(&self) -> &Pack {
        &self.pack
    }

    /// The loaded evidence (row counts, inventory, warnings).
    pub fn store(&self) -> &EvidenceStore {
        &self.store
    }

    /// Runs `evaluator` for criterion `id` with the pack's parameters for
    /// it, and judges the result with the pack's scoring rules.
    pub fn run<E: Evaluator>(&self, evaluator: &E, id: &str) -> Result<Evaluation, PackHostError> {
        let criterion = self
            .pack
            .criteria
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| PackHostError::UnknownCriterion {
                id: id.to_owned(),
                known: self
                    .pack
                    .criteria
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let judged_by = match &criterion.method {
            Method::Evaluator { name, .. } if name == evaluator.name() => None,
            Method::Evaluator { plugin, name } => Some(format!("`{plugin}/{name}`")),
            Method::Manual { .. } => Some("a person (manual)".to_owned()),
        };
        if let Some(judged_by) = judged_by {
            return Err(PackHostError::OtherEvaluator {
                id: id.to_owned(),
                judged_by,
                evaluator: evaluator.name().to_owned(),
            });
        }
        let manifest = evaluator.manifest();
        if let Some(e) = crate::run::insufficient_evidence(&manifest, &self.store) {
            return Ok(e);
        }
        let request = Request {
            criterion: criterion.id.clone(),
            evaluator: evaluator.name().to_owned(),
            params: criterion.params.clone(),
            period: Period {
                start: self.store.manifest.start.to_string(),
                end: self.store.manifest.end.to_string(),
            },
            as_of: self.store.manifest.end.to_string(),
            time_zone: self
                .store
                .manifest
                .defaults
                .time_zone
                .clone()
                .unwrap_or_else(|| "UTC".to_owned()),
            vocabulary: request_vocabulary(
                manifest.documents.iter().map(|d| d.kind.as_str()),
                &self.pack.schema,
                &self.store.manifest,
            ),
        };
        let mut evaluation = run_evaluator(evaluator, &request, self);
        evaluation.judge_with(&self.pack.scoring);
        Ok(evaluation)
    }
}

impl Host for PackHost {
    fn table(&self, name: &str) -> Result<Table, String> {
        let (schema, batches) = self.store.table_batches(name)?;
        Ok(Table::new(name, schema, batches))
    }

    fn documents(&self, kind: &str) -> Result<Option<Vec<Document>>, String> {
        Ok(self.store.document_texts(kind).map(|docs| {
            docs.into_iter()
                .map(|(path, text)| Document::new(path, text))
                .collect()
        }))
    }
}

//! Write cxaudit evaluators in safe Rust.
//!
//! An evaluator judges evidence against one criterion of a standards pack.
//! Implement [`Evaluator`] (typed parameters, a [`Manifest`] of what it needs
//! and produces, and `evaluate`), list your evaluators in one
//! [`export_plugin!`] call, and build the crate as a `cdylib`. The macro
//! writes the C ABI of `cxaudit-plugin-abi` for you; every call is wrapped in
//! `catch_unwind`, so a panic becomes an `error` result for that criterion.
//!
//! Test an evaluator without building a library with [`testing::TestHost`]:
//! it runs the evaluator on in-memory tables and documents through the same
//! code path the host uses.
//!
//! Dates and zones of the request and local days of UTC timestamps are in
//! [`time`] (`ctx.period_dates()`, `ctx.time_zone()`, [`time::local_date`],
//! [`time::months_of`]); `serde` and `serde_json` are re-exported. Start
//! threads with [`thread::spawn`] or [`thread::side_by_side`], so that a
//! panic on one names its file and line in the `error` result.
//!
//! ```
//! use cxaudit_plugin_sdk::prelude::*;
//! use cxaudit_plugin_sdk::{serde, serde_json};
//!
//! #[derive(serde::Deserialize)]
//! #[serde(crate = "cxaudit_plugin_sdk::serde")]
//! struct Params { min_rows: u64 }
//!
//! struct RowCount;
//! impl Evaluator for RowCount {
//!     type Params = Params;
//!     fn name(&self) -> &'static str { "row_count" }
//!     fn manifest(&self) -> Manifest {
//!         Manifest::new("Counts contacts.")
//!             .table(TableNeed::required("contacts").column("contact_id", ColumnType::String))
//!             .parameter(ParamSpec::integer("min_rows", 1).min(0.0))
//!     }
//!     fn evaluate(&self, ctx: &Context<'_>, p: &Params) -> Result<Evaluation, EvalError> {
//!         let rows = ctx.table("contacts")?.num_rows() as u64;
//!         let check = Check::new("rows", "Enough contacts", rows as f64, format!(">= {}", p.min_rows), rows >= p.min_rows);
//!         Ok(Evaluation::from_checks(vec![check]))
//!     }
//! }
//! export_plugin!(name: "example", version: "0.1.0", evaluators: [RowCount]);
//!
//! let host = testing::TestHost::new().table("contacts",
//!     testing::TableBuilder::new().strings("contact_id", [Some("c1"), Some("c2")]).build());
//! let result = host.run(&RowCount, serde_json::json!({}));
//! assert_eq!(result.score, Some(1.0));
//! ```

// The derive names the SDK as `::cxaudit_plugin_sdk`, also in its own tests.
extern crate self as cxaudit_plugin_sdk;

mod cells;
pub mod context;
pub mod export;
pub mod markdown;
pub mod memo;
pub mod model;
pub mod params;
pub mod reference;
pub mod schema;
pub mod table;
pub mod targets;
pub mod testing;
pub mod thread;
pub mod time;
pub mod vocabulary;

pub use context::{Context, Document, EvalError, Host};
pub use cxaudit_plugin_abi as abi;
/// `#[derive(Params)]`: a parameter struct's fields become the evaluator's
/// parameter specs (see [`params::Params`]).
pub use cxaudit_plugin_sdk_derive::Params;
pub use model::*;
pub use params::{ParamType, Params};
pub use table::Table;
pub use vocabulary::{DocumentVocabulary, ParsedDocument};

/// The serde the SDK's types derive with: parameters derive
/// `cxaudit_plugin_sdk::serde::Deserialize` with
/// `#[serde(crate = "cxaudit_plugin_sdk::serde")]`, and a plugin needs no
/// serde dependency of its own.
pub use serde;
/// The JSON values of requests and drill-down rows.
pub use serde_json;

/// The SDK's version, recorded in every plugin descriptor.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// An evaluator: judges the evidence against one kind of criterion.
pub trait Evaluator: Send + Sync + 'static {
    /// Parameters, deserialized from the criterion's parameters merged over
    /// the manifest's defaults.
    type Params: serde::de::DeserializeOwned;

    /// The evaluator's name within its plugin (`plugin/name` in a pack).
    fn name(&self) -> &'static str;

    /// What the evaluator needs (tables, columns, documents, parameters) and
    /// the measurements it produces.
    fn manifest(&self) -> Manifest;

    /// Judges the evidence. Return `Err(EvalError::MissingEvidence)` when the
    /// evidence cannot support a judgement.
    fn evaluate(&self, ctx: &Context<'_>, params: &Self::Params) -> Result<Evaluation, EvalError>;
}

/// What an evaluator author imports.
pub mod prelude {
    pub use crate::context::{Context, Document, EvalError};
    pub use crate::model::*;
    pub use crate::params::{ParamType, Params};
    pub use crate::table::Table;
    pub use crate::targets::TargetPolicy;
    pub use crate::time::Tz;
    pub use crate::vocabulary::{DocumentVocabulary, ParsedDocument};
    pub use crate::{Evaluator, export_plugin, testing};
    pub use cxaudit_plugin_sdk_derive::Params;
}

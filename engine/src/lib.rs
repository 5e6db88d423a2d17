//! cxaudit: a plugin-based certification audit engine.
//!
//! Data flows one way, one module a step:
//! [`pack`] (criteria and rules) -> [`evidence`] (tables and documents) ->
//! [`plugins`] (discovery, loading, the host side of the C ABI) ->
//! [`run`] (which criteria, which evidence, evaluations) -> [`scoring`]
//! (the pack as the model's scoring scheme) and [`attestations`] ->
//! [`pipeline`] (the `assessment.json` record, a `cxaudit_model::Assessment`)
//! -> [`output`] (the files of a run, written as one set). [`check`] answers
//! "what evidence is missing" before anything runs; [`verify`] whether a
//! record still describes the files it names. Reports are rendered by `cxaudit-reports`
//! from the record alone. Long steps report [`progress::Progress`] to the caller.

pub mod attestations;
pub mod check;
pub mod dates;
pub mod evidence;
pub mod hashing;
pub mod output;
pub mod pack;
pub mod parallel;
pub mod pipeline;
pub mod plugins;
pub mod progress;
pub mod run;
pub mod scoring;
pub mod source;
pub mod testing;
pub mod verify;

/// The engine's version, recorded in every assessment.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

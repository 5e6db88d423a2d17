//! cxaudit: a plugin-based certification audit engine.
//!
//! Data flows one way, one module a step:
//! [`pack`] (criteria and rules) -> [`evidence`] (tables and documents) ->
//! [`plugins`] (discovery, loading, the host side of the C ABI) ->
//! [`run`] (which criteria, which evidence, evaluations) -> [`scoring`]
//! (points, sections, decision, attestations) -> [`assessment`] (the
//! `assessment.json` record). [`check`] answers "what evidence is missing"
//! before anything runs.

pub mod assessment;
pub mod attestations;
pub mod check;
pub mod compare;
pub mod dates;
pub mod evidence;
pub mod hashing;
pub mod pack;
pub mod pipeline;
pub mod plan;
pub mod plugins;
pub mod report;
pub mod run;
pub mod scoring;
pub mod source;

/// The engine's version, recorded in every assessment.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

//! The assessment model of cxaudit: the types of `assessment.json`, the one
//! rule that turns a score into a status and points into a decision
//! ([`scoring`]), the one ranking of the improvement plan ([`plan`]), and
//! the run digest that names a record's inputs ([`run`]).
//!
//! The engine builds an [`Assessment`]; the reports, `compare` and `trend`
//! read only this crate. Plugins see the evaluation types through the SDK,
//! which re-exports [`evaluation`].

pub mod assessment;
pub mod evaluation;
pub mod plan;
pub mod run;
pub mod scoring;

pub use assessment::{
    Assessment, Centre, Decision, EngineInfo, Execution, Finding, Guidance, GuidanceAction,
    HeadlineKpi, InventoryEntry, IsolationMode, Override, OverrideKind, PackInfo, PartialRun,
    PluginInfo, SCHEMA_VERSION, ScoringMethod,
};
pub use evaluation::Status;
pub use plan::Plan;
pub use run::{RunInfo, SettingsFile};
pub use scoring::{Outcome, RuleResult, Scores, ScoringRules, SectionScore, Totals};

/// The JSON Schema of `assessment.json`, generated from these types; the
/// copy checked in at `model/assessment.schema.json` must equal it (tested).
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Assessment);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises to JSON");
    text.push('\n');
    text
}

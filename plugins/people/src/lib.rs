//! The people plugin: staff attrition (PE1), certification before the first
//! live contact (PE2) and unplanned absence (PE3) of the cx-ops pack.

pub mod absence;
pub mod attrition;
pub mod certification;
/// Helpers shared with the other KPI-reading plugins.
pub use cxaudit_kpis::evaluator as common;

#[cfg(test)]
mod tests;

pub use absence::Absence;
pub use attrition::Attrition;
pub use certification::Certification;

cxaudit_plugin_sdk::plugin_entry!(
    name: "people",
    version: env!("CARGO_PKG_VERSION"),
    evaluators: [Attrition, Certification, Absence]
);

//! The planning plugin: leadership and planning (LP1-LP4) and governance
//! (GV1-GV2) criteria of the cx-ops pack.
//!
//! - `direction_statement` (LP1): direction statement sections, approval, staff briefing.
//! - `business_plan` (LP2): plan coverage, sections, initiatives, objectives linked to targets.
//! - `target_setting` (LP3): targets per KPI family, SMART points, Erlang C feasibility, OKR grades.
//! - `performance_reviews` (LP4): monthly review minutes, actions for off-target KPIs.
//! - `escalation` (GV1): critical incidents escalated within the policy's time limit.
//! - `change_notice` (GV2): high-impact changes notified in advance.

pub mod business_plan;
pub mod change_notice;
pub mod common;
pub mod direction;
pub mod escalation;
pub mod kpi_data;
pub mod reviews;
pub mod targets;

pub use business_plan::BusinessPlan;
pub use change_notice::ChangeNotice;
pub use direction::DirectionStatement;
pub use escalation::Escalation;
pub use reviews::PerformanceReviews;
pub use targets::TargetSetting;

cxaudit_plugin_sdk::plugin_entry!(
    name: "planning",
    version: env!("CARGO_PKG_VERSION"),
    evaluators: [
        DirectionStatement,
        BusinessPlan,
        TargetSetting,
        PerformanceReviews,
        Escalation,
        ChangeNotice
    ],
);

#[cfg(test)]
mod tests;

#[cfg(test)]
mod vocabulary_tests;

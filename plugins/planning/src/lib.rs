//! The planning plugin: leadership and planning (LP1-LP4) and governance
//! (GV1-GV2) criteria of the cx-ops pack.
//!
//! - `direction_statement` (LP1): direction statement sections, approval, staff briefing.
//! - `business_plan` (LP2): plan coverage, sections, initiatives, objectives linked to targets.
//! - `escalation` (GV1): critical incidents escalated within the policy's time limit.
//! - `change_notice` (GV2): high-impact changes notified in advance.

pub mod business_plan;
pub mod change_notice;
pub mod common;
pub mod direction;
pub mod escalation;

pub use business_plan::BusinessPlan;
pub use change_notice::ChangeNotice;
pub use direction::DirectionStatement;
pub use escalation::Escalation;

use cxaudit_plugin_sdk::export_plugin;

export_plugin!(
    name: "planning",
    version: env!("CARGO_PKG_VERSION"),
    evaluators: [DirectionStatement, BusinessPlan, Escalation, ChangeNotice],
);

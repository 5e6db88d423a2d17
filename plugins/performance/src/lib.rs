//! The performance plugin: customer satisfaction (PF1), first contact
//! resolution (PF2), contact demand and cost (PF3) and attainment of every
//! other KPI target (PF4) of the cx-ops pack.

pub mod attainment;
/// Helpers shared with the other KPI-reading plugins.
pub use cxaudit_kpis::evaluator as common;
pub mod demand;
pub mod fcr;
pub mod satisfaction;

#[cfg(test)]
mod tests;

pub use attainment::KpiAttainment;
pub use demand::DemandCost;
pub use fcr::FirstContactResolution;
pub use satisfaction::CustomerSatisfaction;

cxaudit_plugin_sdk::plugin_entry!(
    name: "performance",
    version: env!("CARGO_PKG_VERSION"),
    evaluators: [CustomerSatisfaction, FirstContactResolution, DemandCost, KpiAttainment]
);

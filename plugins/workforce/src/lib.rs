//! The workforce plugin: the WF criteria of the cx-ops pack.
//!
//! - `forecast_accuracy` (WF1): interval forecast accuracy, daily WAPE, bias, AHT forecast.
//! - `staffing_fit` (WF2): scheduled staff against the Erlang requirement per interval.
//! - `service_level` (WF3): service level, ASA and abandonment per day against targets;
//!   e-mail response time.
//! - `adherence_occupancy` (WF4): adherence, conformance, occupancy and utilisation.

pub mod adherence_occupancy;
pub mod common;
pub mod forecast_accuracy;
pub mod service_level;
pub mod staffing_fit;

pub use adherence_occupancy::AdherenceOccupancy;
pub use forecast_accuracy::ForecastAccuracy;
pub use service_level::ServiceLevel;
pub use staffing_fit::StaffingFit;

cxaudit_plugin_sdk::plugin_entry!(
    name: "workforce",
    version: env!("CARGO_PKG_VERSION"),
    evaluators: [ForecastAccuracy, StaffingFit, ServiceLevel, AdherenceOccupancy],
);

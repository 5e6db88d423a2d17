//! The csat plugin: whether a centre's customer-satisfaction survey can be
//! trusted and is used (section CX of the cx-ops pack).
//!
//! - `sampling_bias` (CX1): invitations are random or census, never chosen
//!   by agents; invitation rates per agent are consistent; every channel is covered.
//! - `precision` (CX2): margin of error per month and channel with finite
//!   population correction; required sample sizes; response rates.
//! - `nonresponse_bias` (CX3): respondents vs non-respondents on resolution,
//!   transfers, wait and handle time.
//! - `timing_design` (CX4): invitation delay after the contact; balanced
//!   scale, overall-satisfaction and resolution questions in the design.
//! - `drivers` (CX5): key-driver ranking, coded dissatisfaction reasons, and
//!   actions on the top reasons.

pub mod common;
pub mod design;
pub mod drivers;
pub mod nonresponse;
pub mod precision;
pub mod sampling;
pub mod timing;

pub use drivers::Drivers;
pub use nonresponse::NonresponseBias;
pub use precision::Precision;
pub use sampling::SamplingBias;
pub use timing::TimingDesign;

cxaudit_plugin_sdk::plugin_entry!(
    name: "csat",
    version: env!("CARGO_PKG_VERSION"),
    evaluators: [SamplingBias, Precision, NonresponseBias, TimingDesign, Drivers],
);

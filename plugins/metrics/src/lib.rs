//! Contact-centre formulas for cxaudit: the one home of every metric definition.
//!
//! Every function is pure (no I/O, no global state) and works over slices or plain
//! structs. Where a denominator can be zero the function returns `Option<f64>` (`None`
//! = undefined) or `Result<_, MetricError>`; no function returns NaN silently or panics
//! on input. Definitions follow `DOMAIN.md` section 5; each public item documents the
//! exact formula so findings can record which definition and parameters were used.
//!
//! Modules:
//! - [`erlang`]: Erlang B/C/A queueing models, required and scheduled agents.
//! - [`service`]: measured service level (variants), ASA, abandon rate, AHT, occupancy…
//! - [`fcr`]: first contact resolution from repeat contacts.
//! - [`demand`]: contacts per order, cost per contact / order.
//! - [`forecast`]: WAPE, MAPE, bias, share within tolerance.
//! - [`staffing`]: under/over-staffing, Pearson r, R² fit of schedule to requirement.
//! - [`pooled`]: Erlang C requirement per pooled interval, with the one bad-row rule.
//! - [`people`]: adherence, conformance, attrition, absence.
//! - [`sample`]: the one definition of the survey sample (random/census, biased, feedback).
//! - [`survey`]: CSAT, NPS, margins, sample sizes, z-test, chi-square, correlations.
//! - [`significance`]: slope t-test, exact binomial test, Holm correction.
//! - [`strata`]: two groups compared within strata (CMH, log times).
//! - [`stats`]: shared numerical helpers (mean, normal CDF, incomplete gamma…).

#![forbid(unsafe_code)]

pub mod demand;
pub mod erlang;
pub mod fcr;
pub mod forecast;
pub mod hash;
pub mod people;
pub mod pooled;
pub mod sample;
pub mod service;
pub mod significance;
pub mod staffing;
pub mod stats;
pub mod strata;
pub mod survey;

use std::fmt;

/// Error returned by metric functions that can fail for more than one reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MetricError {
    /// An input slice was empty (or had no usable element).
    Empty,
    /// Two paired slices have different lengths.
    LengthMismatch {
        /// Length of the first slice.
        left: usize,
        /// Length of the second slice.
        right: usize,
    },
    /// A denominator is zero, so the metric is undefined.
    ZeroDenominator(&'static str),
    /// A parameter is out of its domain (negative, NaN, infinite, > 1 …); names it.
    InvalidInput(&'static str),
    /// The queue is unstable (agents <= traffic): the quantity is infinite.
    Unstable,
    /// No staffing level up to the search limit meets the targets.
    NoSolution,
    /// More rows than the algorithm supports (u32 indices).
    TooManyRows,
    /// A numerical series or integral did not converge within its budget.
    NoConvergence,
}

impl fmt::Display for MetricError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "empty input"),
            Self::LengthMismatch { left, right } => {
                write!(f, "paired inputs differ in length ({left} vs {right})")
            }
            Self::ZeroDenominator(what) => write!(f, "zero denominator: {what}"),
            Self::InvalidInput(what) => write!(f, "invalid input: {what}"),
            Self::Unstable => write!(f, "unstable queue (agents <= traffic)"),
            Self::NoSolution => write!(f, "no staffing level meets the targets"),
            Self::TooManyRows => write!(f, "too many rows (limit u32::MAX)"),
            Self::NoConvergence => write!(f, "numerical method did not converge"),
        }
    }
}

impl std::error::Error for MetricError {}

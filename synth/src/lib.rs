//! Synthetic contact-centre evidence.
//!
//! [`generate`] simulates a contact centre day by day (demand from orders,
//! Poisson arrivals, a discrete-event queue served by the agents actually on
//! shift, customer patience, repeats, attrition, surveys) and writes a
//! complete `cx-ops` evidence folder. Every KPI of the folder emerges from the
//! simulation; no KPI value is written directly. Output is byte-identical for
//! the same configuration.

#![warn(missing_docs)]

mod docs;
mod params;
mod sim;
mod util;
mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

/// Which state of the centre to simulate (DOMAIN §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// Before the improvement programme: rule-of-thumb forecasts, crude
    /// staffing, biased surveys, high attrition, weak governance.
    Baseline,
    /// After certification work: Erlang C staffing, unbiased surveys,
    /// lower attrition, SMART targets and monthly reviews.
    Followup,
}

impl Scenario {
    /// Lower-case name (`baseline`, `followup`).
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Baseline => "baseline",
            Scenario::Followup => "followup",
        }
    }
}

/// What to simulate.
#[derive(Debug, Clone)]
pub struct SynthConfig {
    /// Baseline or follow-up state of the centre.
    pub scenario: Scenario,
    /// Target total number of contacts over the period (the realised count
    /// emerges from the simulation and is close to it).
    pub contacts: u64,
    /// Length of the period in calendar months.
    pub months: u32,
    /// Random seed; the same configuration gives byte-identical output.
    pub seed: u64,
    /// First day of the period.
    pub start: NaiveDate,
}

impl SynthConfig {
    /// A configuration with the default period (6 months from 2026-01-01).
    pub fn new(scenario: Scenario, contacts: u64, seed: u64) -> Self {
        SynthConfig {
            scenario,
            contacts,
            months: 6,
            seed,
            start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
        }
    }

    /// Last day of the period (inclusive).
    pub fn end(&self) -> NaiveDate {
        self.start
            .checked_add_months(chrono::Months::new(self.months))
            .and_then(|d| d.pred_opt())
            .unwrap_or(self.start)
    }
}

/// Progress reported while generating.
#[derive(Debug, Clone)]
pub enum Progress {
    /// A simulated day is finished.
    Day {
        /// Days finished so far.
        done: u32,
        /// Days in the period.
        total: u32,
        /// Contacts written so far.
        contacts: u64,
    },
    /// Writing the summary tables and documents.
    Finishing,
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Data rows (header excluded) per table name.
    pub rows: BTreeMap<String, u64>,
    /// Every file written, relative to the output folder, in write order.
    pub files: Vec<PathBuf>,
}

/// Errors of [`generate`].
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// The configuration cannot be simulated.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A file or folder could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Simulates the centre described by `config` and writes the evidence folder
/// into `out_dir` (created if needed; existing files are overwritten).
pub fn generate(
    config: &SynthConfig,
    out_dir: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, SynthError> {
    if config.contacts < 100 {
        return Err(SynthError::Config(
            "contacts must be at least 100".to_string(),
        ));
    }
    if config.months == 0 || config.months > 36 {
        return Err(SynthError::Config(
            "months must be between 1 and 36".to_string(),
        ));
    }
    let mut out = write::Out::create(out_dir)?;
    let stats = sim::run(config, &mut out, progress)?;
    progress(Progress::Finishing);
    docs::write_all(config, &stats, &mut out)?;
    Ok(out.finish())
}

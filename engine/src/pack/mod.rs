//! Standards packs: criteria, points, parameters and certification rules,
//! read from a folder of TOML (`pack.toml`, `evidence-schema.toml`,
//! `criteria/*.toml`), with `extends` for tailored packs.

#[cfg(test)]
mod cx_ops_texts;
pub mod guidance;
mod load;
mod model;
mod validate;

pub use load::{load, parse_schema};
pub use model::*;
pub use validate::{validate_against_plugins, warnings_against_plugins};

use crate::source::Location;

/// A problem in a pack, with where it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct PackError {
    /// File, line and key.
    pub location: Location,
    /// What is wrong and what was expected.
    pub message: String,
}

/// Something valid in a pack that is probably not what its author meant
/// (reported, never refused).
pub type PackWarning = PackError;

/// Every problem found in a pack (validation reports them all at once).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct PackErrors(pub Vec<PackError>);

impl std::fmt::Display for PackErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0.len();
        writeln!(
            f,
            "the pack has {n} error{}:",
            if n == 1 { "" } else { "s" }
        )?;
        for e in &self.0 {
            writeln!(f, "  {e}")?;
        }
        Ok(())
    }
}

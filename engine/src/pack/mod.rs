//! Standards packs: criteria, points, parameters and certification rules,
//! read from a folder of TOML (`pack.toml`, `evidence-schema.toml`,
//! `criteria/*.toml`), with `extends` for tailored packs.

pub mod builtin;
#[cfg(test)]
mod cx_ops_texts;
pub mod guidance;
mod load;
mod model;
mod validate;
mod values;

pub use load::{load, parse_schema};
pub use model::*;
pub use validate::{validate_against_plugins, warnings_against_plugins};
pub use values::MAX_POINTS;

use crate::source::Location;

/// Loads the pack a command line names: a folder holding `pack.toml`, else
/// the name of a pack built into cxaudit (`cx-ops`). A folder wins over a
/// built-in pack of the same name.
pub fn load_named(arg: &std::path::Path) -> Result<Pack, PackErrors> {
    if arg.join("pack.toml").is_file() {
        return load(arg);
    }
    let builtin = arg.to_str().and_then(builtin::find);
    let Some(builtin) = builtin.filter(|_| !arg.exists()) else {
        return Err(PackErrors(vec![PackError {
            location: Location::file(arg),
            message: format!(
                "no pack here (expected a folder with pack.toml, or the name of a built-in pack: {})",
                builtin::names().join(", ")
            ),
        }]));
    };
    let temp = builtin.write_temp().map_err(|e| {
        PackErrors(vec![PackError {
            location: Location::file(arg),
            message: format!("cannot write out the built-in pack: {e}"),
        }])
    })?;
    let mut pack = load(temp.path())?;
    pack.dir = arg.to_path_buf();
    Ok(pack)
}

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

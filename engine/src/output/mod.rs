//! The files of a run: an output set written whole into an output folder,
//! and an `assessment.json` read back with the position of any error.
//!
//! [`write_set`] never writes into the output folder `OUT` itself. Under an
//! exclusive lock (`PARENT/.NAME.cxaudit.lock`, see [`lock_folder`]) it
//! cleans what killed runs left beside `OUT`, writes every file of the set
//! into a fresh folder `PARENT/.NAME.cxaudit-tmp-PID-N` (each file created
//! new and fsynced, then the folder fsynced), moves the entries of `OUT`
//! that are not files of the set into it (after recording the set's names
//! in a journal, `.NAME.cxaudit-tmp-PID-N.set`), and swaps it with `OUT`
//! in one step (Linux `renameat2(RENAME_EXCHANGE)`; a plain `rename` when
//! `OUT` does not exist). The old folder is then removed. After a crash at
//! any moment `OUT` holds the old complete set or the new complete set;
//! the next run puts back any entry a killed run was carrying over and
//! removes the rest.

mod fsys;
mod lock;
mod recover;
mod set;
mod target;

use std::path::{Path, PathBuf};

use cxaudit_model::Assessment;

pub use lock::{OutputLock, lock_folder};
pub use set::write_set;

/// Why an output set could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file or folder could not be read, written or moved.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The output path exists and is not a folder.
    #[error("{}: exists and is not a folder (the output is a folder of files)", path.display())]
    NotAFolder {
        /// The output path.
        path: PathBuf,
    },
    /// The output path is a symbolic link that leads nowhere.
    #[error("{}: a symbolic link to a folder that does not exist", path.display())]
    DanglingLink {
        /// The output path.
        path: PathBuf,
    },
    /// The output path names no folder that can be replaced (`/`).
    #[error("{}: cannot be replaced as a whole; name a folder inside it", path.display())]
    NoName {
        /// The output path.
        path: PathBuf,
    },
    /// A file of the set has a name that is not a plain file name, or two
    /// files share one (a program error, not the user's).
    #[error("`{name}`: not a plain, unique file name for an output set")]
    BadFileName {
        /// The name.
        name: String,
    },
}

impl OutputError {
    /// Whether the output path given by the user is at fault (bad usage).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            OutputError::NotAFolder { .. }
                | OutputError::DanglingLink { .. }
                | OutputError::NoName { .. }
        )
    }

    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
        move |source| OutputError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Reads an `assessment.json`: a message naming the file, and the line and
/// column of a syntax or type error, when it cannot.
pub fn read_assessment(path: &Path) -> Result<Assessment, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Assessment::from_json(&text).map_err(|e| format!("{}{e}", path.display()))
}

/// The `assessment.json` files of a folder of assessments: `dir`'s own and
/// those of its subfolders one level down (an output set each, as `assess`,
/// `report` and `demo` write them), sorted by path. A message naming the
/// folder when it cannot be read or holds none.
pub fn assessments_in(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let unreadable = |e: std::io::Error| format!("{}: {e}", dir.display());
    let mut found = Vec::new();
    let own = dir.join("assessment.json");
    if own.is_file() {
        found.push(own);
    }
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let path = entry.map_err(unreadable)?.path().join("assessment.json");
        if path.is_file() {
            found.push(path);
        }
    }
    found.sort();
    if found.is_empty() {
        return Err(format!(
            "{}: no assessment.json in the folder or in its subfolders",
            dir.display()
        ));
    }
    Ok(found)
}

#[cfg(test)]
mod tests;

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

#[cfg(test)]
mod tests;

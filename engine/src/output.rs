//! The files of a run: writing a set of named files into an output folder,
//! and reading an `assessment.json` back with the position of any error.

use std::path::{Path, PathBuf};

use cxaudit_model::Assessment;

/// A file could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct OutputError {
    /// The file or folder.
    pub path: PathBuf,
    /// The cause.
    pub source: std::io::Error,
}

/// Writes named files into `out` (created when missing); returns the paths.
pub fn write_files(out: &Path, files: &[(&str, &str)]) -> Result<Vec<PathBuf>, OutputError> {
    std::fs::create_dir_all(out).map_err(|source| OutputError {
        path: out.to_path_buf(),
        source,
    })?;
    let mut paths = Vec::new();
    for (name, content) in files {
        let path = out.join(name);
        std::fs::write(&path, content).map_err(|source| OutputError {
            path: path.clone(),
            source,
        })?;
        paths.push(path);
    }
    Ok(paths)
}

/// Reads an `assessment.json`: a message naming the file, and the line and
/// column of a syntax or type error, when it cannot.
pub fn read_assessment(path: &Path) -> Result<Assessment, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Assessment::from_json(&text).map_err(|e| format!("{}{e}", path.display()))
}

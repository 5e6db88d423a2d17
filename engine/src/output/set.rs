//! Writing a set of files into an output folder as one step (see the
//! module documentation of [`super`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::target::{Target, journal_path};
use super::{OutputError, fsys, lock, recover};

/// Writes `files` (name, content) as one set into the folder `out` and
/// returns their paths. `out` is created when missing; its entries that
/// are not files of the set are kept; files of the set come only from
/// this call. Another run writing to `out` is waited for (`on_wait(out)`
/// is called once first).
pub fn write_set(
    out: &Path,
    files: &[(&str, &[u8])],
    on_wait: &mut dyn FnMut(&Path),
) -> Result<Vec<PathBuf>, OutputError> {
    let names = check_names(files)?;
    let target = Target::resolve(out)?;
    lock::create_parent(&target)?;
    let _lock = lock::acquire(&target, out, on_wait)?;
    recover::leftovers(&target)?;
    let temp = create_temp(&target)?;
    if let Err(e) = fill(&temp, files).and_then(|()| install(&target, &temp, &names)) {
        // Best effort: the next run cleans what this one could not.
        let _ = recover::restore(&target, &temp);
        return Err(e);
    }
    Ok(files.iter().map(|(name, _)| out.join(name)).collect())
}

/// The names of the set: plain file names, each once.
fn check_names<'a>(files: &[(&'a str, &[u8])]) -> Result<Vec<&'a str>, OutputError> {
    let mut seen = BTreeSet::new();
    for (name, _) in files {
        let plain =
            !name.is_empty() && *name != "." && *name != ".." && !name.contains(['/', '\\', '\0']);
        if !plain || !seen.insert(*name) {
            return Err(OutputError::BadFileName {
                name: (*name).to_owned(),
            });
        }
    }
    Ok(files.iter().map(|(name, _)| *name).collect())
}

/// Creates a fresh temporary folder beside the output folder.
fn create_temp(target: &Target) -> Result<PathBuf, OutputError> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    loop {
        let id = format!(
            "{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let path = target.temp_path(&id);
        match std::fs::create_dir(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(OutputError::io(&path)(e)),
        }
    }
}

/// Writes every file into the temporary folder, then fsyncs it.
fn fill(temp: &Path, files: &[(&str, &[u8])]) -> Result<(), OutputError> {
    for (name, bytes) in files {
        let path = temp.join(name);
        fsys::create_file(&path, bytes).map_err(OutputError::io(&path))?;
    }
    fsys::sync_dir(temp).map_err(OutputError::io(temp))
}

/// Moves the complete set in the temporary folder into place.
fn install(target: &Target, temp: &Path, names: &[&str]) -> Result<(), OutputError> {
    if fsys::exists(&target.dir) {
        replace(target, temp, names)
    } else {
        std::fs::rename(temp, &target.dir).map_err(OutputError::io(temp))?;
        sync(&target.parent)
    }
}

/// Replaces the existing output folder by the temporary one: carries the
/// foreign entries over, exchanges the folders, removes the old one.
fn replace(target: &Target, temp: &Path, names: &[&str]) -> Result<(), OutputError> {
    recover::write_journal(temp, names)?;
    sync(&target.parent)?;
    fsys::copy_permissions(&target.dir, temp).map_err(OutputError::io(temp))?;
    carry_over(&target.dir, temp, names)?;
    sync(temp)?;
    sync(&target.dir)?;
    if fsys::exchange(temp, &target.dir).map_err(OutputError::io(&target.dir))? {
        sync(&target.parent)?;
        // `temp` now holds the old set: a failure to remove it is left to
        // the next run, the new set is in place.
        let _ = fsys::remove_tree(temp);
    } else {
        swap_by_renames(target, temp)?;
    }
    let _ = fsys::remove_file(&journal_path(temp));
    sync(&target.parent)
}

/// Without a one-step exchange: the old folder is moved aside, then the new
/// one into place (a run killed between the two is undone by the next).
fn swap_by_renames(target: &Target, temp: &Path) -> Result<(), OutputError> {
    let id = temp
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.rsplit_once("-tmp-"))
        .map_or("0-0", |(_, id)| id);
    let old = target.old_path(id);
    std::fs::rename(&target.dir, &old).map_err(OutputError::io(&target.dir))?;
    sync(&target.parent)?;
    if let Err(e) = std::fs::rename(temp, &target.dir) {
        let _ = std::fs::rename(&old, &target.dir);
        return Err(OutputError::io(temp)(e));
    }
    sync(&target.parent)?;
    let _ = fsys::remove_tree(&old);
    Ok(())
}

/// Moves every entry of `out` that is not a file of the set into `temp`.
fn carry_over(out: &Path, temp: &Path, names: &[&str]) -> Result<(), OutputError> {
    let entries = std::fs::read_dir(out).map_err(OutputError::io(out))?;
    for entry in entries {
        let entry = entry.map_err(OutputError::io(out))?;
        let name = entry.file_name();
        if names.iter().any(|n| name == *n) {
            continue;
        }
        std::fs::rename(entry.path(), temp.join(&name)).map_err(OutputError::io(&entry.path()))?;
    }
    Ok(())
}

fn sync(dir: &Path) -> Result<(), OutputError> {
    fsys::sync_dir(dir).map_err(OutputError::io(dir))
}

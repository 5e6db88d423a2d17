//! What a run killed before it finished leaves beside the output folder,
//! and how the next run (holding the lock, so the writer is gone) cleans
//! it up: entries that were being carried over go back into the folder,
//! everything else is removed.
//!
//! The journal of a temporary folder lists the names of the set written
//! into it; it is complete (ending with [`END`]) and fsynced before any
//! entry is carried over. So a temporary folder without a complete journal
//! holds only files of its set, and in one with a journal every entry not
//! named there was carried over from the output folder.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::OutputError;
use super::fsys;
use super::target::{Leftover, Target, journal_path};

/// First line of a journal.
const HEADER: &str = "cxaudit output set";
/// Last line of a complete journal.
const END: &str = "end";

/// Writes the journal of `temp`: the names of its set, fsynced.
pub(crate) fn write_journal(temp: &Path, names: &[&str]) -> Result<(), OutputError> {
    let path = journal_path(temp);
    let text: String = std::iter::once(HEADER)
        .chain(names.iter().copied())
        .chain(std::iter::once(END))
        .map(|line| format!("{line}\n"))
        .collect();
    fsys::create_file(&path, text.as_bytes()).map_err(OutputError::io(&path))
}

/// The set's names in a complete journal; `None` when it is missing or was
/// cut short.
fn read_journal(path: &Path) -> Option<BTreeSet<OsString>> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines: Vec<&str> = text.strip_suffix('\n')?.split('\n').collect();
    if lines.first() != Some(&HEADER) || lines.last() != Some(&END) || lines.len() < 2 {
        return None;
    }
    lines.pop();
    Some(lines.into_iter().skip(1).map(OsString::from).collect())
}

/// Cleans every leftover of earlier runs into `target`; call with the lock held.
pub(crate) fn leftovers(target: &Target) -> Result<(), OutputError> {
    let found = list(target)?;
    for leftover in &found {
        if let Leftover::Old(old) = leftover {
            restore_old(target, old)?;
        }
    }
    for leftover in &found {
        if let Leftover::Temp(temp) = leftover {
            restore(target, temp)?;
        }
    }
    for leftover in &found {
        if let Leftover::Journal(journal) = leftover
            && !fsys::exists(&strip_set(journal))
        {
            fsys::remove_file(journal).map_err(OutputError::io(journal))?;
        }
    }
    Ok(())
}

/// The leftovers beside the folder, sorted.
fn list(target: &Target) -> Result<Vec<Leftover>, OutputError> {
    let entries = std::fs::read_dir(&target.parent).map_err(OutputError::io(&target.parent))?;
    let mut found: Vec<Leftover> = entries
        .filter_map(Result::ok)
        .filter_map(|e| target.leftover(&e.file_name()))
        .collect();
    found.sort();
    Ok(found)
}

/// An old folder moved aside (no one-step exchange): it becomes the output
/// folder again when that is missing (the run died between its two
/// renames), else it is removed.
fn restore_old(target: &Target, old: &Path) -> Result<(), OutputError> {
    if fsys::exists(&target.dir) {
        fsys::remove_tree(old).map_err(OutputError::io(old))
    } else {
        std::fs::rename(old, &target.dir).map_err(OutputError::io(old))?;
        fsys::sync_dir(&target.parent).map_err(OutputError::io(&target.parent))
    }
}

/// Puts the entries a temporary folder was carrying over back into the
/// output folder, then removes the temporary folder and its journal. A
/// folder holding an entry whose name is taken again in the output folder
/// is left in place, so nothing is lost.
pub(crate) fn restore(target: &Target, temp: &Path) -> Result<(), OutputError> {
    let journal = journal_path(temp);
    if let Some(names) = read_journal(&journal)
        && !move_back(temp, &target.dir, &names)?
    {
        return Ok(());
    }
    fsys::remove_tree(temp).map_err(OutputError::io(temp))?;
    fsys::remove_file(&journal).map_err(OutputError::io(&journal))
}

/// Moves every entry of `temp` not named in `names` into `out`; `false`
/// when one could not go back because `out` has an entry of that name.
fn move_back(temp: &Path, out: &Path, names: &BTreeSet<OsString>) -> Result<bool, OutputError> {
    let carried: Vec<PathBuf> = std::fs::read_dir(temp)
        .map_err(OutputError::io(temp))?
        .filter_map(Result::ok)
        .filter(|e| !names.contains(&e.file_name()))
        .map(|e| e.path())
        .collect();
    if carried.is_empty() {
        return Ok(true);
    }
    if !fsys::exists(out) {
        std::fs::create_dir(out).map_err(OutputError::io(out))?;
    }
    let mut all = true;
    for from in carried {
        let to = out.join(from.file_name().unwrap_or_default());
        if fsys::exists(&to) {
            all = false;
            continue;
        }
        std::fs::rename(&from, &to).map_err(OutputError::io(&from))?;
    }
    fsys::sync_dir(out).map_err(OutputError::io(out))?;
    Ok(all)
}

/// The temporary folder of a journal (its path without `.set`).
fn strip_set(journal: &Path) -> PathBuf {
    journal.with_extension("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_counts_only_when_complete() {
        let dir = tempfile::tempdir().unwrap();
        let temp = dir.path().join(".out.cxaudit-tmp-1-0");
        write_journal(&temp, &["a.json", "b.md"]).unwrap();
        let journal = journal_path(&temp);
        let names = read_journal(&journal).unwrap();
        assert_eq!(
            names,
            BTreeSet::from([OsString::from("a.json"), OsString::from("b.md")])
        );
        assert_eq!(strip_set(&journal), temp);
        let text = std::fs::read_to_string(&journal).unwrap();
        for cut in 0..text.len() {
            std::fs::write(&journal, &text[..cut]).unwrap();
            assert_eq!(read_journal(&journal), None, "cut at {cut}");
        }
    }
}

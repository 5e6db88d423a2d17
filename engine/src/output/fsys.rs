//! File-system steps of a set write: files created fresh and fsynced,
//! folders fsynced, and two folders exchanged in one step.

use std::io::Write;
use std::path::Path;

/// Creates `path` (never an existing file, never through a symbolic link),
/// writes `bytes` and fsyncs it.
pub(crate) fn create_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// fsyncs a folder, so the entries created, renamed or removed in it last.
#[cfg(unix)]
pub(crate) fn sync_dir(path: &Path) -> std::io::Result<()> {
    std::fs::File::open(path)?.sync_all()
}

/// Folders cannot be fsynced here; the renames are still atomic.
#[cfg(not(unix))]
pub(crate) fn sync_dir(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Exchanges two existing paths in one step (`renameat2` with
/// `RENAME_EXCHANGE`). `Ok(false)` when the system or the file system
/// cannot, so the caller falls back to two renames.
#[cfg(target_os = "linux")]
pub(crate) fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both paths are valid NUL-terminated strings that outlive the
    // call; renameat2 only reads them.
    let done = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if done == 0 {
        return Ok(true);
    }
    let error = std::io::Error::last_os_error();
    match error.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => Ok(false),
        _ => Err(error),
    }
}

/// No one-step exchange on this system: the caller falls back to two renames.
#[cfg(not(target_os = "linux"))]
pub(crate) fn exchange(_a: &Path, _b: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Gives `to` the permissions of `from` (a replaced folder keeps its mode).
pub(crate) fn copy_permissions(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::set_permissions(to, std::fs::metadata(from)?.permissions())
}

/// Removes a folder and everything in it; a missing folder is fine.
/// Symbolic links inside are removed, never followed.
pub(crate) fn remove_tree(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Removes a file; a missing file is fine.
pub(crate) fn remove_file(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Whether anything (a file, a folder, a link, even dangling) is at `path`.
pub(crate) fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn two_folders_are_exchanged_in_one_step() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        for (folder, text) in [(&a, "in a"), (&b, "in b")] {
            std::fs::create_dir(folder).unwrap();
            create_file(&folder.join("f"), text.as_bytes()).unwrap();
        }
        assert!(exchange(&a, &b).unwrap(), "this file system exchanges");
        assert_eq!(std::fs::read_to_string(a.join("f")).unwrap(), "in b");
        assert_eq!(std::fs::read_to_string(b.join("f")).unwrap(), "in a");
        assert!(exchange(&a, &dir.path().join("missing")).is_err());
    }

    #[test]
    fn a_file_is_created_new_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        create_file(&path, b"one").unwrap();
        assert!(create_file(&path, b"two").is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
    }
}

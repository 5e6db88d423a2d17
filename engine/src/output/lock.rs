//! The exclusive lock of an output folder: `PARENT/.NAME.cxaudit.lock`,
//! beside the folder (which is itself replaced), held with an advisory
//! lock for the whole write. The file stays; only the lock on it matters.

use std::fs::{File, TryLockError};
use std::path::Path;

use super::OutputError;
use super::target::Target;

/// An exclusive lock on an output folder, released when dropped (or when
/// the process ends, however it ends).
#[derive(Debug)]
pub struct OutputLock {
    _file: File,
}

/// Locks the output folder `out` (its parent folder is created when
/// missing). When another run holds the lock, `on_wait(out)` is called
/// once and the call blocks until that run is done.
pub fn lock_folder(out: &Path, on_wait: &mut dyn FnMut(&Path)) -> Result<OutputLock, OutputError> {
    let target = Target::resolve(out)?;
    create_parent(&target)?;
    acquire(&target, out, on_wait)
}

/// Creates the parent folder of the target when missing.
pub(crate) fn create_parent(target: &Target) -> Result<(), OutputError> {
    std::fs::create_dir_all(&target.parent).map_err(OutputError::io(&target.parent))
}

/// Locks a resolved target; `shown` is the path the user gave.
pub(crate) fn acquire(
    target: &Target,
    shown: &Path,
    on_wait: &mut dyn FnMut(&Path),
) -> Result<OutputLock, OutputError> {
    let path = target.lock_path();
    let file = open_lock_file(&path).map_err(OutputError::io(&path))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            on_wait(shown);
            file.lock().map_err(OutputError::io(&path))?;
        }
        Err(TryLockError::Error(e)) => return Err(OutputError::io(&path)(e)),
    }
    Ok(OutputLock { _file: file })
}

/// Opens (creating) the lock file, never through a symbolic link.
fn open_lock_file(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

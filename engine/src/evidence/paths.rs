//! Keeping evidence paths inside the evidence folder, and refusing special
//! files (FIFOs, devices, sockets) that would block or never end when read.

use std::path::{Component, Path, PathBuf};

/// What kind of special file `path` is (following symbolic links), or
/// `None` for a regular file, a folder, or a path that cannot be examined.
/// Only the metadata is read: a FIFO is never opened.
pub(super) fn special_file(path: &Path) -> Option<&'static str> {
    let file_type = std::fs::metadata(path).ok()?.file_type();
    special_kind(file_type)
}

#[cfg(unix)]
fn special_kind(file_type: std::fs::FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_fifo() {
        Some("FIFO (named pipe)")
    } else if file_type.is_char_device() {
        Some("character device")
    } else if file_type.is_block_device() {
        Some("block device")
    } else if file_type.is_socket() {
        Some("socket")
    } else {
        None
    }
}

#[cfg(not(unix))]
fn special_kind(file_type: std::fs::FileType) -> Option<&'static str> {
    (!file_type.is_file() && !file_type.is_dir()).then_some("special file")
}

/// Resolves `relative` inside `root`, refusing absolute paths, `..`
/// components, anything that leaves `root` through a symbolic link, and
/// special files. The target must exist.
pub fn confine(root: &Path, relative: &str) -> Result<PathBuf, String> {
    let rel = Path::new(relative);
    if relative.is_empty() {
        return Err("the path is empty".into());
    }
    if rel.is_absolute() || rel.has_root() {
        return Err(format!(
            "`{relative}` is absolute; evidence paths are relative to the evidence folder"
        ));
    }
    for c in rel.components() {
        match c {
            Component::ParentDir => {
                return Err(format!(
                    "`{relative}` leaves the evidence folder (`..` is not allowed)"
                ));
            }
            Component::Prefix(_) | Component::RootDir => {
                return Err(format!(
                    "`{relative}` is absolute; evidence paths are relative to the evidence folder"
                ));
            }
            Component::CurDir | Component::Normal(_) => {}
        }
    }
    let root_real = root.canonicalize().map_err(|e| {
        format!(
            "the evidence folder `{}` cannot be opened: {e}",
            root.display()
        )
    })?;
    let joined = root.join(rel);
    let real = joined
        .canonicalize()
        .map_err(|e| format!("`{relative}` cannot be opened: {e}"))?;
    if !real.starts_with(&root_real) {
        return Err(format!(
            "`{relative}` resolves to `{}`, outside the evidence folder (through a symbolic link)",
            real.display()
        ));
    }
    if let Some(kind) = special_file(&real) {
        return Err(format!(
            "`{relative}` is a {kind}, not a regular file or folder: it is not read"
        ));
    }
    Ok(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_parent_absolute_and_symlink_escapes() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.csv"), "x\n").unwrap();
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("ok.csv"), "x\n").unwrap();

        assert!(confine(root.path(), "ok.csv").is_ok());
        assert!(
            confine(root.path(), "../secret.csv")
                .unwrap_err()
                .contains("..")
        );
        let abs = outside.path().join("secret.csv");
        assert!(
            confine(root.path(), abs.to_str().unwrap())
                .unwrap_err()
                .contains("absolute")
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path(), root.path().join("link")).unwrap();
            let err = confine(root.path(), "link/secret.csv").unwrap_err();
            assert!(err.contains("outside the evidence folder"), "{err}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn refuses_special_files_without_opening_them() {
        let root = tempfile::tempdir().unwrap();
        let fifo = root.path().join("fifo.csv");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let err = confine(root.path(), "fifo.csv").unwrap_err();
        assert!(err.contains("`fifo.csv` is a FIFO"), "{err}");

        let _listener = std::os::unix::net::UnixListener::bind(root.path().join("s.md")).unwrap();
        let err = confine(root.path(), "s.md").unwrap_err();
        assert!(err.contains("`s.md` is a socket"), "{err}");
    }
}

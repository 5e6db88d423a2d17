//! Where a set goes: the output folder resolved once, and the names of the
//! lock, temporary folders and journals beside it.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use super::OutputError;

/// The output folder and its place in its parent folder.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// The folder replaced by each set (a symbolic link resolved).
    pub dir: PathBuf,
    /// Its parent folder, where the lock and temporary folders live.
    pub parent: PathBuf,
    /// Its name in the parent.
    pub name: OsString,
}

/// Something a run leaves beside the output folder while it writes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Leftover {
    /// `.NAME.cxaudit-old-ID`: the old folder, moved aside where the
    /// folders cannot be exchanged in one step.
    Old(PathBuf),
    /// `.NAME.cxaudit-tmp-ID`: a set being written, or the old folder
    /// after the exchange.
    Temp(PathBuf),
    /// `.NAME.cxaudit-tmp-ID.set`: the journal of a temporary folder.
    Journal(PathBuf),
}

impl Target {
    /// Resolves the output path given by the user: a symbolic link is
    /// followed once (the link stays, its target is replaced); an existing
    /// path must be a folder.
    pub fn resolve(out: &Path) -> Result<Self, OutputError> {
        let dir = match std::fs::symlink_metadata(out) {
            Ok(m) if m.file_type().is_symlink() => resolve_link(out)?,
            Ok(m) if m.is_dir() => out.to_path_buf(),
            Ok(_) => return Err(not_a_folder(out)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => out.to_path_buf(),
            Err(e) => return Err(OutputError::io(out)(e)),
        };
        // `.`, `..` and `x/..` have no name of their own.
        let dir = match dir.file_name() {
            Some(_) => dir,
            None => std::fs::canonicalize(&dir).map_err(OutputError::io(out))?,
        };
        let name = dir
            .file_name()
            .ok_or_else(|| OutputError::NoName {
                path: out.to_path_buf(),
            })?
            .to_os_string();
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        Ok(Target { dir, parent, name })
    }

    /// `PARENT/.NAME.cxaudit.lock`.
    pub fn lock_path(&self) -> PathBuf {
        self.beside(".cxaudit.lock")
    }

    /// `PARENT/.NAME.cxaudit-tmp-ID`.
    pub fn temp_path(&self, id: &str) -> PathBuf {
        self.beside(&format!(".cxaudit-tmp-{id}"))
    }

    /// `PARENT/.NAME.cxaudit-old-ID`.
    pub fn old_path(&self, id: &str) -> PathBuf {
        self.beside(&format!(".cxaudit-old-{id}"))
    }

    /// `PARENT/.NAME` followed by `suffix`.
    fn beside(&self, suffix: &str) -> PathBuf {
        let mut file = OsString::from(".");
        file.push(&self.name);
        file.push(suffix);
        self.parent.join(file)
    }

    /// What an entry of the parent folder is, if a run writing to this
    /// folder left it.
    pub fn leftover(&self, entry: &OsStr) -> Option<Leftover> {
        let mut prefix = OsString::from(".");
        prefix.push(&self.name);
        prefix.push(".cxaudit-");
        let rest = entry
            .as_encoded_bytes()
            .strip_prefix(prefix.as_encoded_bytes())?;
        let rest = std::str::from_utf8(rest).ok()?;
        let path = self.parent.join(entry);
        if let Some(id) = rest.strip_prefix("old-") {
            return is_id(id).then_some(Leftover::Old(path));
        }
        let id = rest.strip_prefix("tmp-")?;
        match id.strip_suffix(".set") {
            Some(id) => is_id(id).then_some(Leftover::Journal(path)),
            None => is_id(id).then_some(Leftover::Temp(path)),
        }
    }
}

/// The journal of a temporary folder: its path followed by `.set`.
pub(crate) fn journal_path(temp: &Path) -> PathBuf {
    let mut name = temp.as_os_str().to_os_string();
    name.push(".set");
    PathBuf::from(name)
}

/// `PID-N`, both decimal.
fn is_id(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    text.split_once('-')
        .is_some_and(|(pid, n)| digits(pid) && digits(n))
}

fn resolve_link(out: &Path) -> Result<PathBuf, OutputError> {
    let real = std::fs::canonicalize(out).map_err(|_| OutputError::DanglingLink {
        path: out.to_path_buf(),
    })?;
    if real.is_dir() {
        Ok(real)
    } else {
        Err(not_a_folder(out))
    }
}

fn not_a_folder(out: &Path) -> OutputError {
    OutputError::NotAFolder {
        path: out.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(name: &str) -> Target {
        Target {
            dir: PathBuf::from("/p").join(name),
            parent: PathBuf::from("/p"),
            name: name.into(),
        }
    }

    #[test]
    fn names_beside_the_folder() {
        let t = target("out");
        assert_eq!(t.lock_path(), Path::new("/p/.out.cxaudit.lock"));
        assert_eq!(t.temp_path("7-0"), Path::new("/p/.out.cxaudit-tmp-7-0"));
        assert_eq!(
            journal_path(&t.temp_path("7-0")),
            Path::new("/p/.out.cxaudit-tmp-7-0.set")
        );
    }

    #[test]
    fn only_this_folders_leftovers_are_recognised() {
        let t = target("out");
        let p = |s: &str| PathBuf::from("/p").join(s);
        let kind = |s: &str| t.leftover(OsStr::new(s));
        assert_eq!(
            kind(".out.cxaudit-tmp-12-3"),
            Some(Leftover::Temp(p(".out.cxaudit-tmp-12-3")))
        );
        assert_eq!(
            kind(".out.cxaudit-tmp-12-3.set"),
            Some(Leftover::Journal(p(".out.cxaudit-tmp-12-3.set")))
        );
        assert_eq!(
            kind(".out.cxaudit-old-1-0"),
            Some(Leftover::Old(p(".out.cxaudit-old-1-0")))
        );
        for other in [
            ".out.cxaudit.lock",
            ".out.cxaudit-tmp-12",
            ".out.cxaudit-tmp-x-1",
            // The leftover of a folder named `out.cxaudit-tmp-5`.
            ".out.cxaudit-tmp-5.cxaudit-tmp-7-0",
            ".other.cxaudit-tmp-1-0",
            "out",
        ] {
            assert_eq!(kind(other), None, "{other}");
        }
    }

    #[test]
    fn resolving_names_the_folder_and_refuses_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let t = Target::resolve(&out).unwrap();
        assert_eq!(
            (t.dir.as_path(), t.name.as_os_str()),
            (out.as_path(), OsStr::new("out"))
        );
        assert_eq!(t.parent, dir.path());

        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        assert!(matches!(
            Target::resolve(&file),
            Err(OutputError::NotAFolder { .. })
        ));
        std::fs::create_dir(dir.path().join("x")).unwrap();
        let t = Target::resolve(&dir.path().join("x/..")).unwrap();
        assert_eq!(t.dir, dir.path().canonicalize().unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_resolved_once_and_a_dangling_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::create_dir(&real).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let t = Target::resolve(&link).unwrap();
        assert_eq!(t.dir, real.canonicalize().unwrap());
        assert_eq!(t.name, OsString::from("real"));

        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(matches!(
            Target::resolve(&dangling),
            Err(OutputError::DanglingLink { .. })
        ));
    }
}

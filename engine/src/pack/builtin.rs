//! Packs built into cxaudit: the shipped standard travels with the binary,
//! so an installed `cxaudit` can assess (`--pack cx-ops`), a tailored pack
//! can `extends = "cx-ops"` without a copy beside it, and
//! `cxaudit pack export cx-ops DIR` writes the files out for tailoring.
//!
//! A built-in pack is loaded exactly as its folder is (written to a
//! temporary folder, then read by the one pack loader), so it has the same
//! checks and the same sha256 as `standards/cx-ops`.

use std::path::{Path, PathBuf};

/// A pack whose files are compiled into the binary.
#[derive(Debug)]
pub struct BuiltinPack {
    /// The name it is asked for by (`--pack cx-ops`), its folder's name.
    pub name: &'static str,
    /// Its files: path inside the pack folder, content.
    pub files: &'static [(&'static str, &'static str)],
}

/// The shipped standard, `standards/cx-ops`.
pub const CX_OPS: BuiltinPack = BuiltinPack {
    name: "cx-ops",
    files: &[
        (
            "pack.toml",
            include_str!("../../../standards/cx-ops/pack.toml"),
        ),
        (
            "evidence-schema.toml",
            include_str!("../../../standards/cx-ops/evidence-schema.toml"),
        ),
        (
            "criteria/csat.toml",
            include_str!("../../../standards/cx-ops/criteria/csat.toml"),
        ),
        (
            "criteria/people.toml",
            include_str!("../../../standards/cx-ops/criteria/people.toml"),
        ),
        (
            "criteria/performance.toml",
            include_str!("../../../standards/cx-ops/criteria/performance.toml"),
        ),
        (
            "criteria/planning.toml",
            include_str!("../../../standards/cx-ops/criteria/planning.toml"),
        ),
        (
            "criteria/workforce.toml",
            include_str!("../../../standards/cx-ops/criteria/workforce.toml"),
        ),
    ],
};

/// Every built-in pack.
pub const ALL: &[&BuiltinPack] = &[&CX_OPS];

/// The built-in pack of that name.
pub fn find(name: &str) -> Option<&'static BuiltinPack> {
    ALL.iter().copied().find(|p| p.name == name)
}

/// The names of the built-in packs, for messages.
pub fn names() -> Vec<&'static str> {
    ALL.iter().map(|p| p.name).collect()
}

/// Why a pack could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A file of the pack already exists there; nothing is overwritten.
    #[error("{0} already exists (export writes into a new or empty folder and overwrites nothing)")]
    Exists(PathBuf),
    /// Writing failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl BuiltinPack {
    /// The text of one of its files, by path inside the pack.
    pub fn file(&self, path: &str) -> Option<&'static str> {
        self.files.iter().find(|(p, _)| *p == path).map(|(_, t)| *t)
    }

    /// Writes the pack's files into `dir` (created if needed). Refuses,
    /// before writing anything, when any of its files is already there.
    pub fn export(&self, dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
        let paths: Vec<PathBuf> = self.files.iter().map(|(rel, _)| dir.join(rel)).collect();
        if let Some(existing) = paths.iter().find(|p| p.symlink_metadata().is_ok()) {
            return Err(ExportError::Exists(existing.clone()));
        }
        for (path, (_, text)) in paths.iter().zip(self.files) {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|source| ExportError::Io {
                    path: parent.to_path_buf(),
                    source,
                })?;
            }
            std::fs::write(path, text).map_err(|source| ExportError::Io {
                path: path.clone(),
                source,
            })?;
        }
        Ok(paths)
    }

    /// Writes the pack into a new temporary folder, removed when dropped.
    pub fn write_temp(&self) -> std::io::Result<tempfile::TempDir> {
        let temp = tempfile::Builder::new()
            .prefix(&format!("cxaudit-pack-{}-", self.name))
            .tempdir()?;
        self.export(temp.path()).map_err(|e| match e {
            ExportError::Io { source, .. } => source,
            ExportError::Exists(p) => std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("{} already exists", p.display()),
            ),
        })?;
        Ok(temp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../standards/cx-ops")
    }

    /// Every file of `standards/cx-ops` is built in, byte for byte: a file
    /// added to the folder and not to [`CX_OPS`] fails here.
    #[test]
    fn cx_ops_embeds_every_file_of_its_folder() {
        let dir = shipped_dir();
        let mut on_disk: Vec<String> = walkdir::WalkDir::new(&dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = CX_OPS.files.iter().map(|(p, _)| p.to_string()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk);
        for (rel, text) in CX_OPS.files {
            assert_eq!(
                std::fs::read_to_string(dir.join(rel)).unwrap(),
                *text,
                "{rel}"
            );
        }
    }

    #[test]
    fn export_writes_a_pack_that_loads_with_the_folders_hash() {
        let out = tempfile::tempdir().unwrap();
        let written = CX_OPS.export(out.path()).unwrap();
        assert_eq!(written.len(), CX_OPS.files.len());
        let exported = crate::pack::load(out.path()).unwrap();
        let shipped = crate::pack::load(&shipped_dir()).unwrap();
        assert_eq!(exported.sha256, shipped.sha256);
        assert_eq!(exported.criteria.len(), shipped.criteria.len());
    }

    #[test]
    fn export_overwrites_nothing() {
        let out = tempfile::tempdir().unwrap();
        std::fs::create_dir(out.path().join("criteria")).unwrap();
        std::fs::write(out.path().join("criteria/csat.toml"), "mine").unwrap();
        let err = CX_OPS.export(out.path()).unwrap_err();
        assert!(
            err.to_string().contains("csat.toml already exists"),
            "{err}"
        );
        // Refused before writing anything.
        assert!(!out.path().join("pack.toml").exists());
        assert_eq!(
            std::fs::read_to_string(out.path().join("criteria/csat.toml")).unwrap(),
            "mine"
        );
    }
}

#[cfg(test)]
mod loading_tests {
    use super::*;
    use crate::pack::{load, load_named};

    fn shipped_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../standards/cx-ops")
    }

    /// The pack hash names files by their place inside the pack, so the same
    /// pack has the same hash however its path is spelled (it used to hash
    /// `../standards/cx-ops/pack.toml` for a relative path and `pack.toml`
    /// for an absolute one).
    #[test]
    fn the_pack_hash_does_not_depend_on_how_the_path_is_spelled() {
        // Tests run in the crate's folder: this is a relative path.
        let relative = load(Path::new("../standards/cx-ops")).unwrap();
        let absolute = load(&shipped_dir().canonicalize().unwrap()).unwrap();
        let dotted = load(&shipped_dir().join("criteria/..")).unwrap();
        assert_eq!(relative.sha256, absolute.sha256);
        assert_eq!(dotted.sha256, absolute.sha256);
    }

    #[test]
    fn a_built_in_name_loads_the_built_in_pack() {
        let empty = tempfile::tempdir().unwrap();
        // A name that is not a folder here.
        let missing = empty.path().join("nothing");
        assert!(load_named(&missing).is_err());
        let named = load_named(Path::new("cx-ops")).unwrap();
        let folder = load(&shipped_dir()).unwrap();
        assert_eq!(named.sha256, folder.sha256);
        assert_eq!(named.id, "cx-ops");
        assert_eq!(named.dir, Path::new("cx-ops"));
    }

    #[test]
    fn an_unknown_name_says_what_was_expected() {
        let err = load_named(Path::new("cx-opps")).unwrap_err().to_string();
        assert!(err.contains("cx-opps"), "{err}");
        assert!(
            err.contains("a folder with pack.toml, or the name of a built-in pack: cx-ops"),
            "{err}"
        );
    }

    /// A tailored pack may extend the built-in pack by name; it then hashes
    /// as the same tailored pack extending an exported copy does (a folder
    /// of that name beside its `pack.toml` wins over the built-in pack).
    #[test]
    fn a_tailored_pack_extends_the_built_in_pack_by_name() {
        let root = tempfile::tempdir().unwrap();
        let tailored = |dir: &Path, extends: &str| {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(
                dir.join("pack.toml"),
                format!(
                    "[pack]\nid = \"acme\"\ntitle = \"Acme\"\nversion = \"1.0.0\"\ndescription = \"Acme's tailoring\"\nextends = \"{extends}\"\n"
                ),
            )
            .unwrap();
        };
        let by_name = root.path().join("by-name");
        tailored(&by_name, "cx-ops");
        let by_folder = root.path().join("by-folder");
        tailored(&by_folder, "cx-ops");
        CX_OPS.export(&by_folder.join("cx-ops")).unwrap();

        let a = load(&by_name).unwrap();
        let b = load(&by_folder).unwrap();
        assert_eq!(a.id, "acme");
        assert_eq!(a.extends, vec!["cx-ops".to_string()]);
        assert_eq!(
            a.criteria.len(),
            load(&shipped_dir()).unwrap().criteria.len()
        );
        assert_eq!(a.sha256, b.sha256);
        // The copy is what was read: changing it changes the hash.
        let copy = by_folder.join("cx-ops/criteria/csat.toml");
        let text = std::fs::read_to_string(&copy).unwrap();
        std::fs::write(&copy, format!("{text}\n# tailored\n")).unwrap();
        assert_ne!(load(&by_folder).unwrap().sha256, a.sha256);
    }
}

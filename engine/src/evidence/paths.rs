//! Keeping evidence paths inside the evidence folder.

use std::path::{Component, Path, PathBuf};

/// Resolves `relative` inside `root`, refusing absolute paths, `..`
/// components, and anything that leaves `root` through a symbolic link.
/// The target must exist.
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
}

//! `cxaudit plugin new`: a plugin project written from the templates in
//! `cli/templates/plugin` (embedded in the binary), with two placeholders:
//! `{{plugin_name}}` and `{{sdk_path}}` (the SDK's folder, for a Rust
//! project's `Cargo.toml`).

use std::path::{Path, PathBuf};

/// Language of a plugin project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// A Rust crate on the plugin SDK.
    Rust,
    /// A C source file on `cxaudit_plugin.h`.
    C,
    /// A Python program (an executable plugin) on the helper module
    /// `cxaudit_plugin.py` and `pyarrow`.
    Python,
}

/// Why no project was written.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// The name is not a plugin identifier.
    #[error("`{name}` is not a plugin name: {why}")]
    BadName {
        /// The name given.
        name: String,
        /// What is wrong with it.
        why: String,
    },
    /// The target folder exists and holds files.
    #[error("{} already exists and is not empty: name a new or empty folder with --out", .0.display())]
    NotEmpty(PathBuf),
    /// The target exists and is not a folder.
    #[error("{} exists and is not a folder: name a new or empty folder with --out", .0.display())]
    NotAFolder(PathBuf),
    /// The SDK folder does not hold the plugin SDK.
    #[error(
        "{} is not the cxaudit plugin SDK (no Cargo.toml of `cxaudit-plugin-sdk`): pass --sdk-path \
         with the `plugins/sdk` folder of a cxaudit checkout",
        .0.display()
    )]
    NoSdk(PathBuf),
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl ScaffoldError {
    /// Whether the user's input is at fault (exit 2), not the system.
    pub fn is_usage(&self) -> bool {
        !matches!(self, ScaffoldError::Io { .. })
    }
}

/// What to write.
#[derive(Debug, Clone)]
pub struct Scaffold {
    /// The plugin's name (`[a-z][a-z0-9_]*`), also the crate's or library's.
    pub name: String,
    /// Its language.
    pub lang: Lang,
    /// The plugin SDK's folder (Rust only).
    pub sdk_path: PathBuf,
}

/// The tailored pack, shared by both languages: `pack.toml` and the
/// criterion file (written as `criteria/NAME.toml`).
const PACK_TOML: &str = include_str!("../templates/plugin/pack/pack.toml");
const PACK_CRITERION: &str = include_str!("../templates/plugin/pack/criteria/plugin.toml");

const RUST_FILES: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        include_str!("../templates/plugin/rust/Cargo.toml"),
    ),
    (
        "src/lib.rs",
        include_str!("../templates/plugin/rust/src/lib.rs"),
    ),
    (
        "README.md",
        include_str!("../templates/plugin/rust/README.md"),
    ),
    (
        ".gitignore",
        include_str!("../templates/plugin/rust/gitignore"),
    ),
];

const C_FILES: &[(&str, &str)] = &[
    ("plugin.c", include_str!("../templates/plugin/c/plugin.c")),
    (
        "test_plugin.c",
        include_str!("../templates/plugin/c/test_plugin.c"),
    ),
    ("Makefile", include_str!("../templates/plugin/c/Makefile")),
    ("README.md", include_str!("../templates/plugin/c/README.md")),
    (
        ".gitignore",
        include_str!("../templates/plugin/c/gitignore"),
    ),
    // The header as it is, so the project builds on its own.
    (
        "cxaudit_plugin.h",
        include_str!("../../include/cxaudit_plugin.h"),
    ),
];

const PYTHON_FILES: &[(&str, &str)] = &[
    (
        "plugin.py",
        include_str!("../templates/plugin/python/plugin.py"),
    ),
    (
        "test_plugin.py",
        include_str!("../templates/plugin/python/test_plugin.py"),
    ),
    (
        "cxaudit-plugin.toml",
        include_str!("../templates/plugin/python/cxaudit-plugin.toml"),
    ),
    (
        "README.md",
        include_str!("../templates/plugin/python/README.md"),
    ),
    (
        ".gitignore",
        include_str!("../templates/plugin/python/gitignore"),
    ),
    // The helper module as it is, so the project runs on its own.
    (
        "cxaudit_plugin.py",
        include_str!("../../plugins/python/cxaudit_plugin.py"),
    ),
];

/// Names a plugin cannot take: Rust keywords and names cargo reserves (a
/// Rust plugin's crate is named after it; one rule for both languages).
const RESERVED: &[&str] = &[
    "abstract",
    "alloc",
    "as",
    "async",
    "await",
    "become",
    "box",
    "break",
    "build",
    "const",
    "continue",
    "core",
    "crate",
    "deps",
    "do",
    "dyn",
    "else",
    "enum",
    "examples",
    "extern",
    "false",
    "final",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "incremental",
    "let",
    "loop",
    "macro",
    "match",
    "mod",
    "move",
    "mut",
    "override",
    "priv",
    "proc_macro",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "std",
    "struct",
    "super",
    "test",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "unsafe",
    "unsized",
    "use",
    "virtual",
    "where",
    "while",
    "yield",
];

/// The longest plugin name accepted.
pub const MAX_NAME_LEN: usize = 64;

/// Checks a plugin name: a lower-case identifier (`[a-z][a-z0-9_]*`, as the
/// pack's canonical names), at most [`MAX_NAME_LEN`] characters, not a
/// Rust keyword or a name cargo reserves.
pub fn check_name(name: &str) -> Result<(), ScaffoldError> {
    let bad = |why: &str| {
        Err(ScaffoldError::BadName {
            name: name.to_owned(),
            why: why.to_owned(),
        })
    };
    let mut chars = name.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_lowercase()) {
        return bad("it must start with a lower-case letter a-z");
    }
    if !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        return bad("use only lower-case letters a-z, digits and `_`");
    }
    if name.len() > MAX_NAME_LEN {
        return bad(&format!("it is longer than {MAX_NAME_LEN} characters"));
    }
    if RESERVED.contains(&name) {
        return bad("it is a Rust keyword or a name cargo reserves");
    }
    Ok(())
}

/// The SDK folder of the checkout this binary was built from.
pub fn default_sdk_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("plugins")
        .join("sdk")
}

impl Scaffold {
    /// The project's files: relative path and text, placeholders filled.
    pub fn files(&self) -> Vec<(String, String)> {
        let templates = match self.lang {
            Lang::Rust => RUST_FILES,
            Lang::C => C_FILES,
            Lang::Python => PYTHON_FILES,
        };
        let criterion = format!("pack/criteria/{}.toml", self.name);
        templates
            .iter()
            .map(|(path, text)| ((*path).to_owned(), *text))
            .chain([
                ("pack/pack.toml".to_owned(), PACK_TOML),
                (criterion, PACK_CRITERION),
            ])
            .map(|(path, text)| (path, self.render(text)))
            .collect()
    }

    /// A template with its placeholders filled.
    fn render(&self, template: &str) -> String {
        let sdk = self.sdk_path.to_string_lossy();
        // The SDK path is written inside a TOML basic string.
        let sdk = sdk.replace('\\', "\\\\").replace('"', "\\\"");
        template
            .replace("{{plugin_name}}", &self.name)
            .replace("{{sdk_path}}", &sdk)
    }

    /// Writes the project into `out`, which must be absent or an empty
    /// folder; returns the files written, relative to `out`.
    pub fn write(&self, out: &Path) -> Result<Vec<String>, ScaffoldError> {
        check_name(&self.name)?;
        if self.lang == Lang::Rust && !is_sdk(&self.sdk_path) {
            return Err(ScaffoldError::NoSdk(self.sdk_path.clone()));
        }
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ScaffoldError::Io { path, source }
        };
        match std::fs::symlink_metadata(out) {
            Ok(m) if !m.is_dir() => return Err(ScaffoldError::NotAFolder(out.to_path_buf())),
            Ok(_) => {
                if std::fs::read_dir(out).map_err(io(out))?.next().is_some() {
                    return Err(ScaffoldError::NotEmpty(out.to_path_buf()));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(out)(e)),
        }
        let files = self.files();
        for (relative, text) in &files {
            let path = out.join(relative);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            std::fs::write(&path, text).map_err(io(&path))?;
        }
        Ok(files.into_iter().map(|(path, _)| path).collect())
    }
}

/// Whether `dir` holds the plugin SDK's manifest.
fn is_sdk(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("Cargo.toml"))
        .is_ok_and(|text| text.contains("name = \"cxaudit-plugin-sdk\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scaffold(lang: Lang) -> Scaffold {
        Scaffold {
            name: "wait_times".into(),
            lang,
            sdk_path: PathBuf::from("C:\\sdk \"x\""),
        }
    }

    #[test]
    fn names_are_lower_case_identifiers_and_not_keywords() {
        for good in ["a", "wait_times", "sla2"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for (bad, why) in [
            ("", "start with a lower-case letter"),
            ("2fast", "start with a lower-case letter"),
            ("_x", "start with a lower-case letter"),
            ("Wait", "start with a lower-case letter"),
            ("wait-times", "only lower-case letters"),
            ("wait/times", "only lower-case letters"),
            ("fn", "Rust keyword"),
            ("test", "cargo reserves"),
        ] {
            let e = check_name(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
            assert!(
                e.starts_with(&format!("`{bad}` is not a plugin name")),
                "{e}"
            );
        }
        assert!(check_name(&"a".repeat(MAX_NAME_LEN)).is_ok());
        assert!(check_name(&"a".repeat(MAX_NAME_LEN + 1)).is_err());
    }

    #[test]
    fn every_placeholder_is_filled_and_the_sdk_path_is_a_toml_string() {
        for lang in [Lang::Rust, Lang::C, Lang::Python] {
            for (path, text) in scaffold(lang).files() {
                assert!(!text.contains("{{plugin_name}}"), "{path}");
                assert!(!text.contains("{{sdk_path}}"), "{path}");
            }
        }
        let files = scaffold(Lang::Rust).files();
        let cargo = &files.iter().find(|(p, _)| p == "Cargo.toml").unwrap().1;
        let parsed: toml::Table = toml::from_str(cargo).unwrap();
        assert_eq!(
            parsed["dependencies"]["cxaudit-plugin-sdk"]["path"].as_str(),
            Some("C:\\sdk \"x\"")
        );
        assert_eq!(parsed["package"]["name"].as_str(), Some("wait_times"));
        let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert!(
            names.contains(&"pack/criteria/wait_times.toml"),
            "{names:?}"
        );
    }
}

//! Checking an `assessment.json` against what it names: its recorded run
//! digest against the one recomputed from its fields, and the evidence
//! files, the evidence folder's settings files, the pack and the plugins
//! against the sha256 it records. Every difference is one
//! [`Difference`]; none means the record still describes these inputs.

use std::collections::BTreeSet;
use std::path::Path;

use cxaudit_model::Assessment;
use serde::Serialize;

use crate::evidence::confine;
use crate::hashing::sha256_file;
use crate::plugins::Registry;

/// One thing found other than the record says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The file (or pack, or plugin) concerned.
    pub file: String,
    /// What the record says (a sha256, usually).
    pub expected: String,
    /// What was found (a sha256, `missing`, or why it cannot be read).
    pub found: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: expected {}, found {}",
            self.file, self.expected, self.found
        )
    }
}

/// The recorded run digest against the one recomputed from the record.
pub fn check_digest(record: &Assessment) -> Option<Difference> {
    let recomputed = cxaudit_model::run::digest(record);
    (record.run.digest != recomputed).then(|| Difference {
        file: "assessment.json (run digest recomputed from the record)".into(),
        expected: or_none(&record.run.digest),
        found: recomputed,
    })
}

/// Every evidence file of the inventory and every settings file, hashed
/// again in `evidence_dir`; also an `attestations.toml` that appeared.
pub fn check_evidence(record: &Assessment, evidence_dir: &Path) -> Vec<Difference> {
    let mut differences = Vec::new();
    for s in &record.run.settings {
        let found = hash_of(evidence_dir, &s.path);
        if found != s.sha256 {
            differences.push(difference(&s.path, &s.sha256, found));
        }
    }
    differences.extend(new_attestations(record, evidence_dir));
    let mut seen = BTreeSet::new();
    for e in &record.evidence {
        let expected = e
            .sha256
            .as_deref()
            .unwrap_or("a file unreadable when assessed");
        if !seen.insert((e.path.as_str(), expected)) {
            continue;
        }
        let found = hash_of(evidence_dir, &e.path);
        if found != expected {
            differences.push(difference(&e.path, expected, found));
        }
    }
    differences
}

/// An `attestations.toml` present now that the record (one that lists its
/// settings files) did not read.
fn new_attestations(record: &Assessment, evidence_dir: &Path) -> Option<Difference> {
    let name = crate::attestations::FILE_NAME;
    let recorded = record.run.settings.iter().any(|s| s.path == name);
    if record.run.settings.is_empty() || recorded {
        return None;
    }
    let path = evidence_dir.join(name);
    path.exists()
        .then(|| difference(name, "no such file", hash_of(evidence_dir, name)))
}

/// The pack in `pack_dir`, loaded as `assess` loads it: its id and sha256.
pub fn check_pack(record: &Assessment, pack_dir: &Path) -> Option<Difference> {
    let expected = format!("pack {} sha256 {}", record.pack.id, record.pack.sha256);
    let found = match crate::pack::load_named(pack_dir) {
        Ok(pack) => format!("pack {} sha256 {}", pack.id, pack.sha256),
        Err(errors) => format!("a pack that does not load ({})", first_error(&errors)),
    };
    (found != expected).then(|| Difference {
        file: pack_dir.display().to_string(),
        expected,
        found,
    })
}

/// The first error of a pack, on one line, with how many more there are.
fn first_error(errors: &crate::pack::PackErrors) -> String {
    let first = errors
        .0
        .first()
        .map_or("no error named".into(), |e| e.to_string());
    let first = first.lines().next().unwrap_or_default().to_owned();
    match errors.0.len() {
        0 | 1 => first,
        n => format!("{first}; and {} more", n - 1),
    }
}

/// Every plugin the record used, found the way `assess` finds plugins.
pub fn check_plugins(record: &Assessment, registry: &Registry) -> Vec<Difference> {
    record
        .plugins
        .iter()
        .filter_map(|p| {
            let (file, found) = match registry.plugin(&p.name) {
                Some(loaded) => (loaded.path.display().to_string(), loaded.sha256.clone()),
                None => (p.file.clone(), plugin_absence(registry, &p.file)),
            };
            (found != p.sha256).then(|| Difference {
                file: format!("plugin {} ({file})", p.name),
                expected: p.sha256.clone(),
                found,
            })
        })
        .collect()
}

/// Why no plugin of that name was loaded: its library refused, or not found.
fn plugin_absence(registry: &Registry, file: &str) -> String {
    registry
        .refused
        .iter()
        .find(|r| r.path.file_name().is_some_and(|n| n == file))
        .map_or("no such plugin found".into(), |r| {
            format!("a refused library ({})", r.reason)
        })
}

/// The sha256 of a file of the evidence folder, `missing`, or why it
/// cannot be read.
fn hash_of(evidence_dir: &Path, relative: &str) -> String {
    if !evidence_dir.join(relative).exists() {
        return "missing".into();
    }
    match confine(evidence_dir, relative) {
        Ok(path) => sha256_file(&path).unwrap_or_else(|e| format!("unreadable ({e})")),
        Err(why) => format!("unusable ({why})"),
    }
}

fn difference(file: &str, expected: &str, found: String) -> Difference {
    Difference {
        file: file.to_owned(),
        expected: expected.to_owned(),
        found,
    }
}

fn or_none(text: &str) -> String {
    if text.is_empty() {
        "no digest".into()
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cxaudit_model::{InventoryEntry, SettingsFile};

    fn record(dir: &Path) -> Assessment {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/report/base.json"
        ))
        .unwrap();
        let mut r = Assessment::from_json(&text).unwrap();
        std::fs::create_dir_all(dir.join("data")).unwrap();
        let file = |name: &str, text: &str| {
            std::fs::write(dir.join(name), text).unwrap();
            sha256_file(&dir.join(name)).unwrap()
        };
        r.run.settings = vec![SettingsFile {
            path: "evidence.toml".into(),
            sha256: file("evidence.toml", "[centre]\n"),
        }];
        r.evidence = vec![
            InventoryEntry {
                path: "data/a.csv".into(),
                sha256: Some(file("data/a.csv", "id\n1\n")),
                ..Default::default()
            },
            InventoryEntry {
                path: "data/b.csv".into(),
                sha256: Some(file("data/b.csv", "id\n2\n")),
                ..Default::default()
            },
        ];
        r.seal_run_digest();
        r
    }

    #[test]
    fn an_untouched_folder_has_no_difference() {
        let dir = tempfile::tempdir().unwrap();
        let r = record(dir.path());
        assert_eq!(check_digest(&r), None);
        assert_eq!(check_evidence(&r, dir.path()), []);
    }

    #[test]
    fn a_changed_missing_or_new_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let r = record(dir.path());
        std::fs::write(dir.path().join("data/a.csv"), "id\n3\n").unwrap();
        std::fs::remove_file(dir.path().join("data/b.csv")).unwrap();
        std::fs::write(dir.path().join("attestations.toml"), "").unwrap();
        let found = check_evidence(&r, dir.path());
        let files: Vec<&str> = found.iter().map(|d| d.file.as_str()).collect();
        assert_eq!(files, ["attestations.toml", "data/a.csv", "data/b.csv"]);
        assert_eq!(found[1].expected, r.evidence[0].sha256.clone().unwrap());
        assert_eq!(
            found[1].found,
            sha256_file(&dir.path().join("data/a.csv")).unwrap()
        );
        assert_eq!(found[2].found, "missing");
    }

    #[test]
    fn a_record_edited_after_sealing_no_longer_matches_its_digest() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = record(dir.path());
        r.evidence[0].sha256 = Some("0".repeat(64));
        let d = check_digest(&r).unwrap();
        assert_eq!(d.expected, r.run.digest);
        assert_eq!(d.found, cxaudit_model::run::digest(&r));
    }

    #[test]
    fn the_pack_is_hashed_as_assess_hashes_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = record(dir.path());
        let pack_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../standards/cx-ops");
        let d = check_pack(&r, &pack_dir).unwrap();
        assert!(d.found.starts_with("pack cx-ops sha256 "), "{d}");
        let pack = crate::pack::load(&pack_dir).unwrap();
        (r.pack.id, r.pack.sha256) = (pack.id, pack.sha256);
        assert_eq!(check_pack(&r, &pack_dir), None);
        let d = check_pack(&r, dir.path()).unwrap();
        assert!(d.found.starts_with("a pack that does not load"), "{d}");
    }

    #[test]
    fn a_missing_plugin_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let r = record(dir.path());
        let found = check_plugins(&r, &Registry::default());
        assert_eq!(found.len(), r.plugins.len());
        assert_eq!(found[0].found, "no such plugin found");
        assert!(found[0].file.starts_with("plugin people ("), "{}", found[0]);
    }
}

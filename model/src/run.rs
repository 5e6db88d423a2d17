//! The run digest: one sha256 that names the inputs of an assessment, so
//! that every file of an output set can carry it and a reader can tell
//! that the files belong together.
//!
//! The digest is the sha256 (lowercase hex) of the compact JSON of
//! [`DigestInput`], built from the record's own fields: the digest format
//! ([`DIGEST_FORMAT`]), the record's format version, the engine (name and
//! version), the pack (id and sha256), the period, the as-of date, the
//! evidence folder's settings files (`evidence.toml`, `attestations.toml`)
//! with their sha256, every evidence inventory entry (kind, name, path,
//! sha256, in inventory order) and every plugin used (name and sha256, in
//! record order), and for a partial run the criteria run. The results are left out on purpose: they follow from
//! the inputs, so the same inputs give the same digest (and the same
//! bytes), whoever recomputes it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Assessment;

/// Names the canonical description the digest is taken over; it changes
/// whenever [`DigestInput`] does.
pub const DIGEST_FORMAT: &str = "cxaudit-run-digest/2";

/// What identifies the run that made a record.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunInfo {
    /// sha256 (hex) over the run's inputs (see [`digest`]); every report
    /// file of the output set carries the same value.
    pub digest: String,
    /// The evidence folder's own settings files read besides the
    /// inventory: `evidence.toml`, and `attestations.toml` when present.
    #[serde(default)]
    pub settings: Vec<SettingsFile>,
}

/// A settings file of the evidence folder, with its sha256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsFile {
    /// Path relative to the evidence folder (`evidence.toml`).
    pub path: String,
    /// sha256 of the file, hex.
    pub sha256: String,
}

/// The canonical description the digest is taken over (serialised as
/// compact JSON, fields in this order).
#[derive(Debug, Serialize)]
pub struct DigestInput<'a> {
    /// [`DIGEST_FORMAT`].
    pub format: &'static str,
    /// The record's format version.
    pub schema_version: &'a str,
    /// Engine name.
    pub engine: &'a str,
    /// Engine version.
    pub engine_version: &'a str,
    /// Pack id.
    pub pack: &'a str,
    /// Pack sha256.
    pub pack_sha256: &'a str,
    /// Period start.
    pub period_start: &'a str,
    /// Period end.
    pub period_end: &'a str,
    /// As-of date.
    pub as_of: &'a str,
    /// Settings files.
    pub settings: &'a [SettingsFile],
    /// Evidence files.
    pub evidence: Vec<EvidenceInput<'a>>,
    /// Plugins used.
    pub plugins: Vec<PluginInput<'a>>,
    /// The criteria run, for a partial run (`assess --only`) only: the
    /// selection is an input (absent for a whole run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only: Option<&'a [String]>,
}

/// One evidence file in the digest.
#[derive(Debug, Serialize)]
pub struct EvidenceInput<'a> {
    /// `table` or `document`.
    pub kind: &'a str,
    /// Table name or document kind.
    pub name: &'a str,
    /// Path relative to the evidence folder.
    pub path: &'a str,
    /// sha256, `null` when the file could not be read.
    pub sha256: Option<&'a str>,
}

/// One plugin in the digest.
#[derive(Debug, Serialize)]
pub struct PluginInput<'a> {
    /// Plugin name.
    pub name: &'a str,
    /// sha256 of the library.
    pub sha256: &'a str,
}

impl<'a> DigestInput<'a> {
    /// The description of a record's inputs.
    pub fn of(record: &'a Assessment) -> Self {
        DigestInput {
            format: DIGEST_FORMAT,
            schema_version: &record.schema_version,
            engine: &record.engine.name,
            engine_version: &record.engine.version,
            pack: &record.pack.id,
            pack_sha256: &record.pack.sha256,
            period_start: &record.period.start,
            period_end: &record.period.end,
            as_of: &record.as_of,
            settings: &record.run.settings,
            evidence: record
                .evidence
                .iter()
                .map(|e| EvidenceInput {
                    kind: &e.kind,
                    name: &e.name,
                    path: &e.path,
                    sha256: e.sha256.as_deref(),
                })
                .collect(),
            plugins: record
                .plugins
                .iter()
                .map(|p| PluginInput {
                    name: &p.name,
                    sha256: &p.sha256,
                })
                .collect(),
            only: record.partial().map(|p| p.criteria.as_slice()),
        }
    }
}

/// The run digest of a record, recomputed from its fields.
pub fn digest(record: &Assessment) -> String {
    let canonical =
        serde_json::to_vec(&DigestInput::of(record)).expect("strings and lists serialise to JSON");
    hex(&Sha256::digest(&canonical))
}

/// Whether a text is a digest as [`digest`] writes it (64 lowercase hex digits).
pub fn is_digest(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Assessment {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/report/base.json"
        ))
        .expect("fixture");
        Assessment::from_json(&text).expect("record")
    }

    #[test]
    fn the_digest_is_sha256_of_the_canonical_json() {
        let r = record();
        let json = serde_json::to_string(&DigestInput::of(&r)).unwrap();
        assert!(json.starts_with(r#"{"format":"cxaudit-run-digest/2","schema_version":"2.1","#));
        assert_eq!(digest(&r), hex(&Sha256::digest(json.as_bytes())));
        assert!(is_digest(&digest(&r)));
    }

    #[test]
    fn every_input_changes_the_digest_and_results_do_not() {
        let base = record();
        let d = digest(&base);
        let changes: [&dyn Fn(&mut Assessment); 8] = [
            &|r| r.engine.version.push('1'),
            &|r| r.pack.sha256.replace_range(0..1, "x"),
            &|r| r.period.end = "2026-01-01".into(),
            &|r| r.as_of = "2026-01-02".into(),
            &|r| r.evidence[0].sha256 = None,
            &|r| r.evidence[1].path.push('x'),
            &|r| r.plugins[0].sha256.replace_range(0..1, "x"),
            &|r| {
                r.run.settings.push(SettingsFile {
                    path: "attestations.toml".into(),
                    sha256: "0".repeat(64),
                })
            },
        ];
        for (i, change) in changes.iter().enumerate() {
            let mut r = base.clone();
            change(&mut r);
            assert_ne!(digest(&r), d, "change {i}");
        }
        let mut r = base.clone();
        r.warnings.push("a result, not an input".into());
        r.run.digest = "recorded digests are not inputs".into();
        assert_eq!(digest(&r), d);
    }

    #[test]
    fn only_64_lowercase_hex_digits_are_digests() {
        assert!(is_digest(&"a1".repeat(32)));
        assert!(!is_digest(&"A1".repeat(32)));
        assert!(!is_digest(&"a1".repeat(31)));
        assert!(!is_digest(&"g1".repeat(32)));
    }
}

//! `attestations.toml`: results given by a person (for manual criteria, or
//! to stand in for an evaluation) and waivers, each with justification,
//! approver, date and optional expiry. Expired ones are ignored with a
//! warning; the assessment shows scores with and without the rest.

use std::path::Path;

use chrono::NaiveDate;
use cxaudit_model::{Override, OverrideKind};
use cxaudit_plugin_sdk::Status;
use serde::Deserialize;

use crate::pack::Pack;
use crate::source::{Location, parse_toml};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    criterion: toml::Spanned<String>,
    status: Option<Status>,
    score: Option<f64>,
    justification: String,
    approver: String,
    #[serde(with = "crate::dates")]
    date: NaiveDate,
    #[serde(default, deserialize_with = "crate::dates::deserialize_option")]
    expires: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    attestation: Vec<RawEntry>,
    #[serde(default)]
    waiver: Vec<RawEntry>,
}

/// A problem in `attestations.toml`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct AttestationError {
    /// Where.
    pub location: Location,
    /// What.
    pub message: String,
}

/// The file name of attestations in the evidence folder.
pub const FILE_NAME: &str = "attestations.toml";

/// Reads `attestations.toml` from the evidence folder (none is fine).
/// Entries that expired before `as_of` are kept but not applied, with a
/// warning each.
pub fn load(
    evidence_dir: &Path,
    pack: &Pack,
    as_of: NaiveDate,
) -> Result<(Vec<Override>, Vec<String>), AttestationError> {
    let path = evidence_dir.join(FILE_NAME);
    let shown = Path::new(FILE_NAME);
    if !path.exists() {
        return Ok((Vec::new(), Vec::new()));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| AttestationError {
        location: Location::file(shown),
        message: format!("cannot read: {e}"),
    })?;
    let raw: RawFile = parse_toml(shown, &text)
        .map_err(|(location, message)| AttestationError { location, message })?;
    let mut out: Vec<Override> = Vec::new();
    let mut warnings = Vec::new();
    let entries = raw
        .attestation
        .into_iter()
        .map(|e| (OverrideKind::Attestation, e))
        .chain(raw.waiver.into_iter().map(|e| (OverrideKind::Waiver, e)));
    for (kind, e) in entries {
        let at = Location::at_offset(shown, &text, e.criterion.span().start).key("criterion");
        let criterion = e.criterion.into_inner();
        let fail = |message: String| AttestationError {
            location: at.clone(),
            message,
        };
        if pack.criterion(&criterion).is_none() {
            return Err(fail(format!(
                "unknown criterion `{criterion}` in pack `{}`",
                pack.id
            )));
        }
        let status = match (kind, e.status) {
            (_, Some(s)) => s,
            (OverrideKind::Waiver, None) => Status::NotApplicable,
            (OverrideKind::Attestation, None) => {
                return Err(fail(format!(
                    "the attestation for `{criterion}` needs a `status`"
                )));
            }
        };
        if matches!(
            status,
            Status::Error | Status::InsufficientEvidence | Status::Manual
        ) {
            return Err(fail(format!(
                "`{status}` cannot be attested; use met, partially_met, not_met or not_applicable"
            )));
        }
        let score = match (status, e.score) {
            (Status::Met, s) => Some(s.unwrap_or(1.0)),
            (Status::NotMet, s) => Some(s.unwrap_or(0.0)),
            (Status::PartiallyMet, Some(s)) => Some(s),
            (Status::PartiallyMet, None) => {
                return Err(fail(format!(
                    "`partially_met` for `{criterion}` needs a `score` between 0 and 1"
                )));
            }
            _ => None,
        };
        if let Some(s) = score
            && !(0.0..=1.0).contains(&s)
        {
            return Err(fail(format!("score must be between 0 and 1, found {s}")));
        }
        if kind == OverrideKind::Waiver && e.expires.is_none() {
            return Err(fail(format!(
                "the waiver for `{criterion}` needs an `expires` date"
            )));
        }
        let expired = e.expires.filter(|x| *x < as_of);
        let ignored_because =
            expired.map(|x| format!("expired on {x}, before the assessment date {as_of}"));
        if let Some(why) = &ignored_because {
            let what = match kind {
                OverrideKind::Attestation => "attestation",
                OverrideKind::Waiver => "waiver",
            };
            warnings.push(format!(
                "attestations.toml: the {what} for {criterion} is ignored: {why}"
            ));
        }
        if ignored_because.is_none() && out.iter().any(|o| o.criterion == criterion && o.applied) {
            return Err(fail(format!(
                "`{criterion}` has more than one attestation or waiver in force"
            )));
        }
        out.push(Override {
            kind,
            criterion,
            status,
            score,
            justification: e.justification,
            approver: e.approver,
            date: e.date,
            expires: e.expires,
            applied: ignored_because.is_none(),
            ignored_because,
        });
    }
    Ok((out, warnings))
}

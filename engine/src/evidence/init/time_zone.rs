//! The centre's time zone, when an export states it: a column named as a
//! time zone (`[time_zone] headers` in `presets.toml`) holding one IANA name
//! in every sampled row. Never guessed from offsets.

use std::collections::BTreeSet;

use chrono_tz::Tz;

use super::*;

/// One column that states a time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneSource {
    /// The IANA name.
    pub zone: String,
    /// The file, relative to the output folder.
    pub path: String,
    /// The column's header.
    pub header: String,
    /// How many sampled rows hold it.
    pub rows: usize,
}

/// What the exports say of the centre's time zone.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TimeZoneFinding {
    /// No export states one.
    #[default]
    None,
    /// Every column that states one states the same zone (the sources in
    /// path order).
    Found(Vec<ZoneSource>),
    /// Exports state several zones, or a column holds several: left to fill.
    Several(Vec<String>),
}

impl TimeZoneFinding {
    /// The zone found, if one.
    pub fn zone(&self) -> Option<&str> {
        match self {
            TimeZoneFinding::Found(sources) => sources.first().map(|s| s.zone.as_str()),
            _ => None,
        }
    }
}

/// Whether `name` is an IANA zone of a place (`Area/Location`, or `UTC`):
/// fixed offsets (`Etc/GMT+1`) and abbreviations (`CET`, `EST`) are not.
fn is_iana_place(name: &str) -> bool {
    (name == "UTC" || (name.contains('/') && !name.starts_with("Etc/")))
        && name.parse::<Tz>().is_ok()
}

/// The zone a time-zone column of `read` states, if it holds one IANA name
/// in every sampled row; `Err` with the distinct names when it holds
/// several.
fn column_zone(read: &FileRead, index: usize) -> Option<Result<ZoneSource, Vec<String>>> {
    let cells: Vec<&str> = read.sample.rows.iter().map(|r| r[index].trim()).collect();
    if cells.is_empty() || cells.iter().any(|c| !is_iana_place(c)) {
        return None;
    }
    let distinct: BTreeSet<&str> = cells.iter().copied().collect();
    match distinct.iter().next() {
        Some(zone) if distinct.len() == 1 => Some(Ok(ZoneSource {
            zone: (*zone).to_owned(),
            path: read.path.clone(),
            header: read.sample.headers[index].clone(),
            rows: cells.len(),
        })),
        _ => Some(Err(distinct.iter().map(|z| (*z).to_owned()).collect())),
    }
}

/// The time zones the files state, in path order of `reads`.
pub(super) fn find(knowledge: &Knowledge, reads: &[&FileRead]) -> TimeZoneFinding {
    let headers: Vec<String> = knowledge
        .time_zone
        .headers
        .iter()
        .map(|h| normalise(h))
        .collect();
    let mut sources = Vec::new();
    let mut zones = BTreeSet::new();
    for read in reads {
        for (i, h) in read.sample.headers.iter().enumerate() {
            if !headers.contains(&normalise(h)) {
                continue;
            }
            match column_zone(read, i) {
                Some(Ok(source)) => {
                    zones.insert(source.zone.clone());
                    sources.push(source);
                }
                Some(Err(several)) => zones.extend(several),
                None => {}
            }
        }
    }
    match zones.len() {
        0 => TimeZoneFinding::None,
        1 if !sources.is_empty() => TimeZoneFinding::Found(sources),
        _ => TimeZoneFinding::Several(zones.into_iter().collect()),
    }
}

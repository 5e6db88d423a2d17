//! Matching a file to a canonical table and its headers to canonical
//! columns: name, synonym, preset, then content.

use std::collections::BTreeSet;

use cxaudit_plugin_sdk::ColumnType;

use super::*;
use crate::pack::{ColumnSchema, TableSchema};

/// Where a mapping comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The header is the column's name, compared normalised.
    Name,
    /// The header is a known synonym of the column.
    Synonym,
    /// The header is the column's header in a platform preset.
    Preset {
        /// The platform's name.
        platform: String,
        /// The preset's name.
        preset: String,
    },
    /// The sampled cells fit this column and no other, and no other header
    /// fits it.
    Content(String),
}

/// One canonical column and the export header it is read from.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnMatch {
    /// Canonical column.
    pub canonical: String,
    /// The export's header.
    pub header: String,
    /// How it was found.
    pub source: Source,
    /// `high` (name, synonym, preset) or `medium` / `low` (content).
    pub confidence: &'static str,
    /// Sampled values the run would refuse, in words.
    pub warning: Option<String>,
}

impl ColumnMatch {
    /// The comment written beside the mapping.
    pub fn comment(&self) -> String {
        let from = match &self.source {
            Source::Name => "name".to_owned(),
            Source::Synonym => "synonym".to_owned(),
            Source::Preset { platform, preset } => format!("preset {platform} ({preset})"),
            Source::Content(what) => format!("content: {what}"),
        };
        match &self.warning {
            Some(w) => format!("{} confidence, from {from}; CHECK: {w}", self.confidence),
            None => format!("{} confidence, from {from}", self.confidence),
        }
    }
}

/// A header compared with names: lower case, every run of other characters
/// than letters and digits one `_`, none at either end.
pub fn normalise(header: &str) -> String {
    let mut out = String::new();
    for c in header.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_owned()
}

/// A header as names are compared: normalised, and a custom field read by
/// its own name: Jira's `Custom field (Change start date)`, ServiceNow's
/// `u_escalated_at`.
pub(super) fn header_key(header: &str) -> String {
    let n = normalise(header);
    let inner = if header.trim_start().starts_with("u_") {
        n.strip_prefix("u_")
    } else {
        n.strip_prefix("custom_field_")
    };
    match inner {
        Some(inner) if !inner.is_empty() => inner.to_owned(),
        _ => n,
    }
}

/// Timestamp formats tried on sampled cells (`None`: ISO 8601, the
/// engine's default).
const TIMESTAMP_FORMATS: [Option<&str>; 9] = [
    None,
    Some("%d/%m/%Y %H:%M:%S"),
    Some("%m/%d/%Y %H:%M:%S"),
    Some("%d/%m/%Y %H:%M"),
    Some("%m/%d/%Y %H:%M"),
    Some("%m/%d/%Y %I:%M:%S %p"),
    Some("%d.%m.%Y %H:%M:%S"),
    Some("%Y/%m/%d %H:%M:%S"),
    // Jira's default CSV export (`04/Mar/26 9:14 AM`).
    Some("%d/%b/%y %I:%M %p"),
];

/// Date formats tried on sampled cells (`None`: `%Y-%m-%d`).
const DATE_FORMATS: [Option<&str>; 5] = [
    None,
    Some("%d/%m/%Y"),
    Some("%m/%d/%Y"),
    Some("%d.%m.%Y"),
    Some("%Y/%m/%d"),
];

/// A file's provisional match with one table.
struct Attempt {
    table: String,
    score: i64,
    preset: Option<(String, usize, usize)>,
    columns: Vec<ColumnMatch>,
    used: BTreeSet<usize>,
}

/// The table `read` fills best, with its mappings and score; `Ok(Err)`
/// with the file and why when it fills none.
#[allow(clippy::type_complexity)]
pub(super) fn best_table(
    schema: &EvidenceSchema,
    knowledge: &Knowledge,
    read: FileRead,
) -> Result<Result<(String, TablePlan, i64), (String, String)>, InitError> {
    let stem = Path::new(&read.path)
        .file_stem()
        .map(|s| normalise(&s.to_string_lossy()))
        .unwrap_or_default();
    let mut best: Option<Attempt> = None;
    for (name, table) in &schema.tables {
        let attempt = by_names(name, table, knowledge, &read.sample.headers, &stem);
        let enough =
            attempt.columns.len() >= 2 || (attempt.score >= 4 && !attempt.columns.is_empty());
        if enough && best.as_ref().is_none_or(|b| attempt.score > b.score) {
            best = Some(attempt);
        }
    }
    let Some(mut attempt) = best else {
        return Ok(Err((
            read.path.clone(),
            format!(
                "no canonical table: fewer than two of its headers ({}) match a canonical column",
                read.sample.headers.join(", ")
            ),
        )));
    };
    let table = &schema.tables[&attempt.table];
    let mut read = read;
    detect_formats(table, &mut read, &attempt.columns);
    by_content(table, &read, &mut attempt);
    let probe = CellProbe::new(&read.formats)?;
    let mut columns = Vec::new();
    for col in &table.columns {
        if let Some(m) = attempt.columns.iter().find(|m| m.canonical == col.name) {
            let mut m = m.clone();
            if !matches!(m.source, Source::Content(_)) {
                m.warning = refused(&probe, col, &read.sample, &m.header);
            }
            columns.push(m);
        }
    }
    let pattern_headers: Vec<String> = table
        .columns
        .iter()
        .filter_map(|c| c.name.strip_suffix('*'))
        .flat_map(|prefix| {
            read.sample
                .headers
                .iter()
                .filter(move |h| h.starts_with(prefix))
                .cloned()
        })
        .collect();
    if !pattern_headers.is_empty() {
        read.notes.push(format!(
            "read by pattern, no mapping needed: {}",
            pattern_headers.join(", ")
        ));
    }
    let unmapped_headers = read
        .sample
        .headers
        .iter()
        .enumerate()
        .filter(|(i, h)| !attempt.used.contains(i) && !pattern_headers.contains(h))
        .map(|(_, h)| h.clone())
        .collect();
    let missing_columns = table
        .columns
        .iter()
        .filter(|c| !c.name.ends_with('*') && !columns.iter().any(|m| m.canonical == c.name))
        .map(|c| (c.name.clone(), c.nullable))
        .collect();
    Ok(Ok((
        attempt.table.clone(),
        TablePlan {
            file: read,
            preset: attempt.preset,
            columns,
            unmapped_headers,
            missing_columns,
        },
        attempt.score,
    )))
}

/// Passes 1-3 for one table: name, synonym, preset; with the table's score.
fn by_names(
    name: &str,
    table: &TableSchema,
    knowledge: &Knowledge,
    headers: &[String],
    stem: &str,
) -> Attempt {
    let normalised: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    let mut attempt = Attempt {
        table: name.to_owned(),
        score: 0,
        preset: None,
        columns: Vec::new(),
        used: BTreeSet::new(),
    };
    let wanted: Vec<&ColumnSchema> = table
        .columns
        .iter()
        .filter(|c| !c.name.ends_with('*'))
        .collect();
    let take = |attempt: &mut Attempt, col: &ColumnSchema, index: usize, source: Source| {
        attempt.used.insert(index);
        attempt.columns.push(ColumnMatch {
            canonical: col.name.clone(),
            header: headers[index].clone(),
            source,
            confidence: "high",
            warning: None,
        });
    };
    let free = |attempt: &Attempt, col: &ColumnSchema| {
        !attempt.columns.iter().any(|m| m.canonical == col.name)
    };
    // 1. The name: the literal header first (the engine finds it unmapped,
    // and another header mapped to it would clash), then normalised.
    for col in &wanted {
        let found = headers.iter().position(|h| *h == col.name).or_else(|| {
            (0..headers.len()).find(|&i| !attempt.used.contains(&i) && normalised[i] == col.name)
        });
        if let Some(i) = found.filter(|i| !attempt.used.contains(i)) {
            take(&mut attempt, col, i, Source::Name);
        }
    }
    // A header literally named as a canonical column is that column's:
    // never mapped to another (the run would see two sources).
    let literal = |i: usize| wanted.iter().any(|c| headers[i] == c.name);
    // 2. Synonyms.
    let synonyms = knowledge.synonyms.get(name);
    for col in &wanted {
        if !free(&attempt, col) {
            continue;
        }
        let words: Vec<String> = synonyms
            .and_then(|s| s.get(&col.name))
            .map(|w| w.iter().map(|w| header_key(w)).collect())
            .unwrap_or_default();
        let found = (0..headers.len())
            .find(|&i| !attempt.used.contains(&i) && !literal(i) && words.contains(&normalised[i]));
        if let Some(i) = found {
            take(&mut attempt, col, i, Source::Synonym);
        }
    }
    // 3. Presets of this table whose headers the file has.
    let mut presets: Vec<(&String, &Preset, usize)> = knowledge
        .presets
        .iter()
        .filter(|(_, p)| p.table == name)
        .map(|(key, p)| {
            let found = p
                .columns
                .values()
                .filter(|h| normalised.contains(&header_key(h)))
                .count();
            (key, p, found)
        })
        .filter(|(_, p, found)| *found >= p.min_headers)
        .collect();
    presets.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    if let Some((key, preset, found)) = presets.first() {
        attempt.preset = Some(((*key).clone(), *found, preset.columns.len()));
        attempt.score += 6;
        for col in &wanted {
            let Some(header) = preset.columns.get(&col.name) else {
                continue;
            };
            if !free(&attempt, col) {
                continue;
            }
            let found = (0..headers.len()).find(|&i| {
                !attempt.used.contains(&i) && !literal(i) && normalised[i] == header_key(header)
            });
            if let Some(i) = found {
                let source = Source::Preset {
                    platform: preset.platform.clone(),
                    preset: (*key).clone(),
                };
                take(&mut attempt, col, i, source);
            }
        }
    }
    for m in &attempt.columns {
        let nullable = wanted.iter().any(|c| c.name == m.canonical && c.nullable);
        attempt.score += if nullable { 1 } else { 3 };
    }
    let hints = knowledge.files.get(name).map(Vec::as_slice).unwrap_or(&[]);
    if hints.iter().any(|h| {
        let h = normalise(h);
        stem == h || stem.split('_').any(|w| w == h) || stem.contains(&h) && h.contains('_')
    }) {
        attempt.score += 4;
    }
    attempt
}

/// The non-empty sampled cells of `header`.
fn cells<'a>(sample: &'a TableSample, header: &str) -> Vec<&'a str> {
    match sample.headers.iter().position(|h| h == header) {
        Some(i) => sample
            .rows
            .iter()
            .map(|r| r[i].trim())
            .filter(|c| !c.is_empty())
            .collect(),
        None => Vec::new(),
    }
}

/// The formats that read every cell of `cells` as `column_type`, among
/// `candidates` (each a [`Formats`] change), in order.
fn fitting<'c>(
    base: &Formats,
    column: &ColumnSchema,
    cells: &[&str],
    candidates: &'c [Option<&'c str>],
    set: fn(&mut Formats, Option<String>),
) -> Vec<Option<&'c str>> {
    candidates
        .iter()
        .copied()
        .filter(|candidate| {
            let mut formats = base.clone();
            set(&mut formats, candidate.map(str::to_owned));
            CellProbe::new(&formats)
                .is_ok_and(|probe| cells.iter().all(|c| probe.accepts(column, c)))
        })
        .collect()
}

/// One format for the cells, or a note: ISO first; day/month against
/// month/day when both read everything is left to check.
fn choose(fits: &[Option<&str>], what: &str, n: usize) -> (Option<String>, Option<String>) {
    match fits {
        [] => (None, None),
        [None, ..] => (
            None,
            Some(format!(
                "{what}: ISO 8601 (the engine's default) in 100% of {n} sampled cells"
            )),
        ),
        [Some(f), rest @ ..] => {
            let swapped = f
                .replace("%d", "%X")
                .replace("%m", "%d")
                .replace("%X", "%m");
            if rest.contains(&Some(swapped.as_str())) {
                (
                    None,
                    Some(format!(
                        "CHECK {what}: every sampled cell reads both as `{f}` and as `{swapped}` (day and month cannot be told apart); set `{}` in this table",
                        if what == "timestamps" {
                            "timestamp_format"
                        } else {
                            "date_format"
                        }
                    )),
                )
            } else {
                (
                    Some((*f).to_owned()),
                    Some(format!("{what}: format `{f}` in 100% of {n} sampled cells")),
                )
            }
        }
    }
}

/// The decimal mark, timestamp and date formats of a CSV table, from the
/// sampled cells of its mapped columns.
fn detect_formats(table: &TableSchema, read: &mut FileRead, columns: &[ColumnMatch]) {
    if read.format != TableFormat::Csv {
        return;
    }
    let of_type = |t: ColumnType| -> Vec<(&ColumnSchema, Vec<&str>)> {
        columns
            .iter()
            .filter_map(|m| {
                let col = table.columns.iter().find(|c| c.name == m.canonical)?;
                (col.column_type == t).then(|| (col, cells(&read.sample, &m.header)))
            })
            .collect()
    };
    // Decimal mark: the one that reads more number cells.
    let numbers = of_type(ColumnType::Float);
    let read_with = |mark: DecimalMark| -> usize {
        let formats = Formats {
            decimal: Some(mark),
            ..read.formats.clone()
        };
        CellProbe::new(&formats).map_or(0, |probe| {
            numbers
                .iter()
                .map(|(col, cells)| cells.iter().filter(|c| probe.accepts(col, c)).count())
                .sum()
        })
    };
    let (point, comma) = (read_with(DecimalMark::Point), read_with(DecimalMark::Comma));
    if comma > point {
        read.formats.decimal = Some(DecimalMark::Comma);
        read.notes.push(format!(
            "decimal `{}`: reads {comma} sampled number cells, `.` reads {point}",
            decimal_label(DecimalMark::Comma)
        ));
    }
    for (t, what, candidates) in [
        (ColumnType::Timestamp, "timestamps", &TIMESTAMP_FORMATS[..]),
        (ColumnType::Date, "dates", &DATE_FORMATS[..]),
    ] {
        let mapped = of_type(t);
        let Some((col, _)) = mapped.first() else {
            continue;
        };
        let all: Vec<&str> = mapped.iter().flat_map(|(_, c)| c.iter().copied()).collect();
        if all.is_empty() {
            continue;
        }
        let set: fn(&mut Formats, Option<String>) = if t == ColumnType::Timestamp {
            |f, v| f.timestamp_format = v
        } else {
            |f, v| f.date_format = v
        };
        // Nullable or not, the type alone decides which cells read.
        let probe_col = ColumnSchema {
            nullable: true,
            values: None,
            ..(*col).clone()
        };
        let fits = fitting(&read.formats, &probe_col, &all, candidates, set);
        let (format, note) = choose(&fits, what, all.len());
        set(&mut read.formats, format);
        read.notes.extend(note);
    }
}

/// What the cells of a typed column look like, for a content comment.
fn describe(col: &ColumnSchema, formats: &Formats, values: &BTreeSet<&str>) -> String {
    match (col.column_type, &col.values) {
        (_, Some(_)) => format!(
            "values {} (allowed by the schema)",
            values
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (ColumnType::Timestamp, _) => match &formats.timestamp_format {
            None => "ISO timestamps".to_owned(),
            Some(f) => format!("timestamps in format `{f}`"),
        },
        (ColumnType::Date, _) => "dates".to_owned(),
        (ColumnType::Month, _) => "months (YYYY-MM)".to_owned(),
        (ColumnType::Bool, _) => "true/false values".to_owned(),
        (ColumnType::Integer, _) => "whole numbers".to_owned(),
        (ColumnType::Float, _) => "numbers".to_owned(),
        (ColumnType::String, _) => "text".to_owned(),
    }
}

/// Pass 4: a canonical column still without a source takes the one unused
/// header whose every sampled cell it reads, when that header fits no other
/// column left. Free text and ids are never matched by content.
fn by_content(table: &TableSchema, read: &FileRead, attempt: &mut Attempt) {
    if read.sample.rows.is_empty() {
        return;
    }
    let Ok(probe) = CellProbe::new(&read.formats) else {
        return;
    };
    let open: Vec<&ColumnSchema> = table
        .columns
        .iter()
        .filter(|c| !c.name.ends_with('*'))
        .filter(|c| c.column_type != ColumnType::String || c.values.is_some())
        .filter(|c| !attempt.columns.iter().any(|m| m.canonical == c.name))
        .collect();
    let literal = |h: &str| table.columns.iter().any(|c| c.name == h);
    let headers: Vec<usize> = (0..read.sample.headers.len())
        .filter(|i| !attempt.used.contains(i) && !literal(&read.sample.headers[*i]))
        .collect();
    let fits = |col: &ColumnSchema, i: usize| -> bool {
        let all: Vec<&str> = read.sample.rows.iter().map(|r| r[i].trim()).collect();
        let filled: Vec<&str> = all.iter().copied().filter(|c| !c.is_empty()).collect();
        !filled.is_empty()
            && (col.nullable || filled.len() == all.len())
            && filled.iter().all(|c| probe.accepts(col, c))
    };
    let mut taken = Vec::new();
    for col in &open {
        let candidates: Vec<usize> = headers.iter().copied().filter(|&i| fits(col, i)).collect();
        let [i] = candidates[..] else {
            continue;
        };
        if open.iter().filter(|c| fits(c, i)).count() != 1 {
            continue;
        }
        let filled: Vec<&str> = read
            .sample
            .rows
            .iter()
            .map(|r| r[i].trim())
            .filter(|c| !c.is_empty())
            .collect();
        let values: BTreeSet<&str> = filled.iter().copied().collect();
        let confidence = if col.values.is_some() || col.column_type == ColumnType::Timestamp {
            "medium"
        } else {
            "low"
        };
        let what = format!(
            "{} in 100% of {} sampled rows with a value",
            describe(col, &read.formats, &values),
            filled.len()
        );
        taken.push((col.name.clone(), i, confidence, what));
    }
    for (name, i, confidence, what) in taken {
        attempt.used.insert(i);
        attempt.columns.push(ColumnMatch {
            canonical: name,
            header: read.sample.headers[i].clone(),
            source: Source::Content(what),
            confidence,
            warning: None,
        });
    }
}

/// The sampled cells of `header` a run would refuse for `col`, in words.
fn refused(
    probe: &CellProbe,
    col: &ColumnSchema,
    sample: &TableSample,
    header: &str,
) -> Option<String> {
    let i = sample.headers.iter().position(|h| h == header)?;
    let mut bad = Vec::new();
    let mut total = 0;
    for row in &sample.rows {
        let cell = row[i].trim();
        if cell.is_empty() {
            if !col.nullable {
                total += 1;
                bad.push(cell);
            }
            continue;
        }
        total += 1;
        if !probe.accepts(col, cell) {
            bad.push(cell);
        }
    }
    let first = bad.first()?;
    let expected = match &col.values {
        Some(values) => format!("one of {}", values.join(", ")),
        None => format!("{}", col.column_type),
    };
    let shown = if first.is_empty() {
        "an empty cell".to_owned()
    } else {
        format!("`{first}`")
    };
    Some(format!(
        "{} of {total} sampled values are not {expected} (e.g. {shown}); convert them before `assess`",
        bad.len()
    ))
}

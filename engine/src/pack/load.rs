//! Reading a pack folder, applying `extends`, and the structural checks
//! that need no plugin.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::model::*;
use super::{PackError, PackErrors};
use crate::hashing::sha256_bytes;
use crate::source::{Location, parse_toml};
use cxaudit_plugin_sdk::ColumnType;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPackFile {
    pack: RawPackMeta,
    #[serde(default)]
    scoring: RawScoring,
    #[serde(default)]
    sections: Vec<RawSection>,
    #[serde(default)]
    drop: RawDrop,
    #[serde(default)]
    overrides: BTreeMap<Spanned<String>, RawOverride>,
    report: Option<RawReport>,
}

/// `[report]`: what comparisons show as headline results.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReport {
    #[serde(default)]
    kpis: Vec<HeadlineKpi>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPackMeta {
    id: String,
    title: String,
    version: String,
    #[serde(default)]
    description: String,
    extends: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawScoring {
    met_from: Option<Spanned<f64>>,
    partially_met_from: Option<Spanned<f64>>,
    certify_overall_min: Option<Spanned<f64>>,
    certify_section_min: Option<Spanned<f64>>,
    certify_mandatory_met: Option<bool>,
    evaluator_timeout_seconds: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    id: String,
    title: String,
    #[serde(default)]
    description: String,
    minimum: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDrop {
    #[serde(default)]
    criteria: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    points: Option<Spanned<f64>>,
    mandatory: Option<bool>,
    params: Option<BTreeMap<Spanned<String>, toml::Value>>,
    title: Option<String>,
    requirement: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriteriaFile {
    #[serde(default)]
    criterion: Vec<RawCriterion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriterion {
    id: Spanned<String>,
    section: Spanned<String>,
    title: String,
    requirement: Spanned<String>,
    points: Spanned<f64>,
    #[serde(default)]
    mandatory: bool,
    evaluator: Option<Spanned<String>>,
    manual: Option<Spanned<String>>,
    #[serde(default)]
    params: toml::Table,
    #[serde(default)]
    evidence: Vec<Spanned<String>>,
    guidance: Option<Spanned<Guidance>>,
    #[serde(default)]
    references: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchemaFile {
    #[serde(default)]
    tables: BTreeMap<String, TableSchema>,
    #[serde(default)]
    documents: BTreeMap<String, DocumentSchema>,
}

/// Parses an evidence schema file (`evidence-schema.toml`) on its own.
pub fn parse_schema(file: &Path, text: &str) -> Result<EvidenceSchema, PackError> {
    let raw: RawSchemaFile =
        parse_toml(file, text).map_err(|(location, message)| PackError { location, message })?;
    Ok(EvidenceSchema {
        tables: raw.tables,
        documents: raw.documents,
    })
}

/// Collects errors while loading, so that one run reports them all.
struct Loader {
    errors: Vec<PackError>,
    /// (relative path, sha256) of every file read, for the pack hash.
    files: Vec<(String, String)>,
    /// Packs being loaded, to refuse `extends` cycles.
    stack: Vec<PathBuf>,
}

impl Loader {
    fn error(&mut self, location: Location, message: impl Into<String>) {
        self.errors.push(PackError {
            location,
            message: message.into(),
        });
    }

    fn read(&mut self, path: &Path, root: &Path) -> Option<String> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(path)
                    .to_string_lossy()
                    .replace('\\', "/");
                self.files.push((rel, sha256_bytes(text.as_bytes())));
                Some(text)
            }
            Err(e) => {
                self.error(Location::file(path), format!("cannot read: {e}"));
                None
            }
        }
    }

    fn parse<T: serde::de::DeserializeOwned>(&mut self, path: &Path, text: &str) -> Option<T> {
        match parse_toml(path, text) {
            Ok(v) => Some(v),
            Err((location, message)) => {
                self.error(location, message);
                None
            }
        }
    }
}

/// Loads and checks the pack in `dir` (and any pack it extends). Every
/// problem is reported with file, line and key.
pub fn load(dir: &Path) -> Result<Pack, PackErrors> {
    let mut loader = Loader {
        errors: Vec::new(),
        files: Vec::new(),
        stack: Vec::new(),
    };
    let mut pack = load_into(&mut loader, dir);
    if let Some(pack) = &mut pack {
        order_by_section(pack);
        check_structure(&mut loader, pack);
        // Texts are rendered once, over the parameters after every `extends`
        // and override.
        loader.errors.extend(super::guidance::render_criteria(pack));
    }
    match pack {
        Some(mut pack) if loader.errors.is_empty() => {
            loader.files.sort();
            let listing: String = loader
                .files
                .iter()
                .map(|(p, h)| format!("{h}  {p}\n"))
                .collect();
            pack.sha256 = sha256_bytes(listing.as_bytes());
            Ok(pack)
        }
        _ => {
            if loader.errors.is_empty() {
                loader.error(Location::file(dir), "the pack could not be loaded");
            }
            Err(PackErrors(loader.errors))
        }
    }
}

fn load_into(loader: &mut Loader, dir: &Path) -> Option<Pack> {
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    if loader.stack.contains(&canonical) {
        loader.error(
            Location::file(&dir.join("pack.toml")).key("pack.extends"),
            "`extends` forms a cycle",
        );
        return None;
    }
    loader.stack.push(canonical);
    let result = load_one(loader, dir);
    loader.stack.pop();
    result
}

fn load_one(loader: &mut Loader, dir: &Path) -> Option<Pack> {
    let root = loader
        .stack
        .first()
        .cloned()
        .unwrap_or_else(|| dir.to_path_buf());
    let pack_path = dir.join("pack.toml");
    let text = loader.read(&pack_path, &root)?;
    let raw: RawPackFile = loader.parse(&pack_path, &text)?;
    let at = |offset: usize| Location::at_offset(&pack_path, &text, offset);

    let mut pack = match &raw.pack.extends {
        Some(base) => {
            let base_dir = dir.join(base.get_ref());
            if !base_dir.join("pack.toml").is_file() {
                loader.error(
                    at(base.span().start).key("pack.extends"),
                    format!(
                        "no pack at `{}` (expected a folder with pack.toml)",
                        base_dir.display()
                    ),
                );
                return None;
            }
            let mut base_pack = load_into(loader, &base_dir)?;
            base_pack.extends.insert(0, base_pack.id.clone());
            base_pack
        }
        None => Pack {
            dir: dir.to_path_buf(),
            id: String::new(),
            title: String::new(),
            version: String::new(),
            description: String::new(),
            extends: Vec::new(),
            sha256: String::new(),
            scoring: ScoringRules::default(),
            evaluator_timeout: None,
            headline_kpis: Vec::new(),
            sections: Vec::new(),
            criteria: Vec::new(),
            schema: EvidenceSchema::default(),
        },
    };
    pack.dir = dir.to_path_buf();
    pack.id = raw.pack.id;
    pack.title = raw.pack.title;
    pack.version = raw.pack.version;
    if !raw.pack.description.is_empty() || pack.description.is_empty() {
        pack.description = raw.pack.description;
    }

    apply_scoring(loader, &mut pack.scoring, &raw.scoring, &pack_path, &text);
    if let Some(timeout) = evaluator_timeout(loader, &raw.scoring, &pack_path, &text) {
        pack.evaluator_timeout = Some(timeout);
    }
    if let Some(report) = raw.report {
        // A tailored pack that states its own list replaces the base's.
        pack.headline_kpis = report.kpis;
    }
    for s in raw.sections {
        let section = Section {
            id: s.id,
            title: s.title,
            description: s.description,
            minimum: s.minimum,
        };
        match pack.sections.iter_mut().find(|x| x.id == section.id) {
            Some(existing) => *existing = section,
            None => pack.sections.push(section),
        }
    }

    let schema_path = dir.join("evidence-schema.toml");
    if schema_path.is_file()
        && let Some(schema_text) = loader.read(&schema_path, &root)
        && let Some(schema) = loader.parse::<RawSchemaFile>(&schema_path, &schema_text)
    {
        for (name, table) in &schema.tables {
            check_table_rules(loader, &schema_path, name, table);
        }
        for (kind, document) in &schema.documents {
            check_document_words(loader, &schema_path, kind, document);
        }
        pack.schema.tables.extend(schema.tables);
        pack.schema.documents.extend(schema.documents);
    }

    load_criteria_files(loader, &mut pack, dir, &root);

    for id in &raw.drop.criteria {
        let before = pack.criteria.len();
        pack.criteria.retain(|c| &c.id != id.get_ref());
        if pack.criteria.len() == before {
            loader.error(
                at(id.span().start).key("drop.criteria"),
                format!("cannot drop `{}`: no such criterion", id.get_ref()),
            );
        }
    }
    for (id, over) in raw.overrides {
        let location = at(id.span().start).key(format!("overrides.{}", id.get_ref()));
        let Some(criterion) = pack.criteria.iter_mut().find(|c| &c.id == id.get_ref()) else {
            loader.error(
                location,
                format!("cannot override `{}`: no such criterion", id.get_ref()),
            );
            continue;
        };
        if let Some(points) = over.points {
            criterion.points = *points.get_ref();
        }
        if let Some(mandatory) = over.mandatory {
            criterion.mandatory = mandatory;
        }
        if let Some(title) = over.title {
            criterion.title = title;
        }
        if let Some(requirement) = over.requirement {
            criterion.requirement = requirement;
            criterion.requirement_origin = location
                .clone()
                .key(format!("overrides.{}.requirement", id.get_ref()));
        }
        if let Some(params) = over.params {
            let serde_json::Value::Object(base) = &mut criterion.params else {
                continue;
            };
            for (k, v) in params {
                let key_at = at(k.span().start).key(format!(
                    "overrides.{}.params.{}",
                    id.get_ref(),
                    k.get_ref()
                ));
                let k = k.into_inner();
                match serde_json::to_value(v) {
                    Ok(v) => {
                        base.insert(k.clone(), v);
                        criterion.param_overrides.insert(k, key_at);
                    }
                    Err(e) => loader.error(location.clone(), format!("parameter `{k}`: {e}")),
                }
            }
        }
        criterion.origin = location;
    }
    Some(pack)
}

fn apply_scoring(
    loader: &mut Loader,
    rules: &mut ScoringRules,
    raw: &RawScoring,
    path: &Path,
    text: &str,
) {
    let mut set = |field: &Option<Spanned<f64>>, name: &str, target: &mut f64| {
        if let Some(v) = field {
            let value = *v.get_ref();
            if !(0.0..=1.0).contains(&value) {
                loader.error(
                    Location::at_offset(path, text, v.span().start).key(format!("scoring.{name}")),
                    format!("must be a share between 0 and 1, found {value}"),
                );
            }
            *target = value;
        }
    };
    set(&raw.met_from, "met_from", &mut rules.met_from);
    set(
        &raw.partially_met_from,
        "partially_met_from",
        &mut rules.partially_met_from,
    );
    set(
        &raw.certify_overall_min,
        "certify_overall_min",
        &mut rules.certify_overall_min,
    );
    set(
        &raw.certify_section_min,
        "certify_section_min",
        &mut rules.certify_section_min,
    );
    if let Some(m) = raw.certify_mandatory_met {
        rules.certify_mandatory_met = m;
    }
    if rules.partially_met_from > rules.met_from {
        let offset = raw
            .partially_met_from
            .as_ref()
            .map_or(0, |v| v.span().start);
        loader.error(
            Location::at_offset(path, text, offset).key("scoring.partially_met_from"),
            format!(
                "must not exceed met_from ({} > {})",
                rules.partially_met_from, rules.met_from
            ),
        );
    }
}

/// The pack's deadline for one evaluation: a number of seconds, more than
/// zero and at most a day.
fn evaluator_timeout(
    loader: &mut Loader,
    raw: &RawScoring,
    path: &Path,
    text: &str,
) -> Option<std::time::Duration> {
    let v = raw.evaluator_timeout_seconds.as_ref()?;
    let seconds = *v.get_ref();
    if !(seconds > 0.0 && seconds <= 86_400.0) {
        loader.error(
            Location::at_offset(path, text, v.span().start)
                .key("scoring.evaluator_timeout_seconds"),
            format!(
                "must be a number of seconds above 0 and at most 86400 (a day), found {seconds}"
            ),
        );
        return None;
    }
    Some(std::time::Duration::from_secs_f64(seconds))
}

fn load_criteria_files(loader: &mut Loader, pack: &mut Pack, dir: &Path, root: &Path) {
    let criteria_dir = dir.join("criteria");
    let Ok(entries) = std::fs::read_dir(&criteria_dir) else {
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for path in files {
        let Some(text) = loader.read(&path, root) else {
            continue;
        };
        let Some(raw) = loader.parse::<RawCriteriaFile>(&path, &text) else {
            continue;
        };
        for c in raw.criterion {
            let built = build_criterion(loader, &Known::of(pack), c, &path, &text);
            if let Some(criterion) = built {
                if let Some(existing) = pack.criteria.iter().find(|x| x.id == criterion.id) {
                    loader.error(
                        criterion.origin.clone(),
                        format!(
                            "criterion `{}` is already defined at {} (a tailored pack changes a base criterion with [overrides.{}])",
                            criterion.id, existing.origin, criterion.id
                        ),
                    );
                    continue;
                }
                pack.criteria.push(criterion);
            }
        }
    }
}

fn build_criterion(
    loader: &mut Loader,
    known: &Known<'_>,
    c: RawCriterion,
    path: &Path,
    text: &str,
) -> Option<Criterion> {
    let at = |offset: usize, key: &str| Location::at_offset(path, text, offset).key(key);
    let id = c.id.get_ref().clone();
    let origin = at(c.id.span().start, &format!("criterion.{id}"));
    let (method, evaluator_origin) = match (&c.evaluator, &c.manual) {
        (Some(e), None) => {
            let location = at(e.span().start, &format!("criterion.{id}.evaluator"));
            match e.get_ref().split_once('/') {
                Some((plugin, name))
                    if !plugin.is_empty() && !name.is_empty() && !name.contains('/') =>
                {
                    (
                        Method::Evaluator {
                            plugin: plugin.to_owned(),
                            name: name.to_owned(),
                        },
                        location,
                    )
                }
                _ => {
                    loader.error(
                        location,
                        format!("expected `plugin/evaluator`, found `{}`", e.get_ref()),
                    );
                    return None;
                }
            }
        }
        (None, Some(reason)) => (
            Method::Manual {
                reason: reason.get_ref().clone(),
            },
            at(reason.span().start, &format!("criterion.{id}.manual")),
        ),
        _ => {
            loader.error(
                origin,
                "a criterion names exactly one of `evaluator = \"plugin/name\"` or `manual = \"why it needs a person\"`",
            );
            return None;
        }
    };
    let points = *c.points.get_ref();
    if !(points > 0.0 && points.is_finite()) {
        loader.error(
            at(c.points.span().start, &format!("criterion.{id}.points")),
            format!("points must be positive, found {points}"),
        );
    }
    let params = match serde_json::to_value(&c.params) {
        Ok(v) => v,
        Err(e) => {
            loader.error(
                origin.clone().key(format!("criterion.{id}.params")),
                e.to_string(),
            );
            serde_json::Value::Object(Default::default())
        }
    };
    if !known.sections.contains(c.section.get_ref().as_str()) {
        let names: Vec<&str> = known.sections.iter().copied().collect();
        loader.error(
            at(c.section.span().start, &format!("criterion.{id}.section")),
            format!(
                "unknown section `{}` (sections: {})",
                c.section.get_ref(),
                names.join(", ")
            ),
        );
    }
    for e in &c.evidence {
        if !known.evidence.contains(e.get_ref().as_str()) {
            loader.error(
                at(e.span().start, &format!("criterion.{id}.evidence")),
                format!(
                    "unknown evidence `{}`: not a table or document of the evidence schema",
                    e.get_ref()
                ),
            );
        }
    }
    let requirement_origin = Location::at_offset(path, text, c.requirement.span().start);
    let guidance_origin = c.guidance.as_ref().map_or_else(
        || origin.clone(),
        |g| Location::at_offset(path, text, g.span().start),
    );
    Some(Criterion {
        id,
        section: c.section.get_ref().clone(),
        title: c.title,
        requirement: c.requirement.into_inner(),
        requirement_origin,
        points,
        mandatory: c.mandatory,
        method,
        params,
        evidence: c.evidence.into_iter().map(Spanned::into_inner).collect(),
        guidance: c.guidance.map(Spanned::into_inner).unwrap_or_default(),
        guidance_origin,
        references: c.references,
        origin,
        evaluator_origin,
        param_overrides: BTreeMap::new(),
    })
}

/// Section ids and evidence names a criterion may refer to.
struct Known<'a> {
    sections: BTreeSet<&'a str>,
    evidence: BTreeSet<&'a str>,
}

impl<'a> Known<'a> {
    fn of(pack: &'a Pack) -> Self {
        Known {
            sections: pack.sections.iter().map(|s| s.id.as_str()).collect(),
            evidence: pack
                .schema
                .tables
                .keys()
                .chain(pack.schema.documents.keys())
                .map(String::as_str)
                .collect(),
        }
    }
}

/// Criteria in the order of their sections in `pack.toml`, file order within
/// a section (a criterion of an unknown section goes last; it is an error).
fn order_by_section(pack: &mut Pack) {
    let rank = |c: &Criterion| {
        pack.sections
            .iter()
            .position(|s| s.id == c.section)
            .unwrap_or(usize::MAX)
    };
    let mut ranked: Vec<(usize, Criterion)> =
        pack.criteria.drain(..).map(|c| (rank(&c), c)).collect();
    ranked.sort_by_key(|(r, _)| *r);
    pack.criteria = ranked.into_iter().map(|(_, c)| c).collect();
}

fn check_structure(loader: &mut Loader, pack: &Pack) {
    let pack_file = pack.dir.join("pack.toml");
    if pack.sections.is_empty() {
        loader.error(
            Location::file(&pack_file).key("sections"),
            "the pack declares no section",
        );
    }
    let mut seen = BTreeSet::new();
    for s in &pack.sections {
        if !seen.insert(&s.id) {
            loader.error(
                Location::file(&pack_file).key(format!("sections.{}", s.id)),
                "duplicate section id",
            );
        }
        if !pack.criteria.iter().any(|c| c.section == s.id) {
            loader.error(
                Location::file(&pack_file).key(format!("sections.{}", s.id)),
                "section has no criterion",
            );
        }
    }
}

/// The validity rules of a table name its own columns, of fitting types.
/// The headings and columns of a document kind: canonical names that are
/// identifiers, each with English names, no name under two canonical names.
fn check_document_words(loader: &mut Loader, path: &Path, kind: &str, doc: &DocumentSchema) {
    for group in WordGroup::ALL {
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for (canonical, names) in doc.group(group) {
            let key = format!("documents.{kind}.{}.{canonical}", group.key());
            let mut error = |message: String| {
                loader.error(Location::file(path).key(key.clone()), message);
            };
            if !is_identifier(canonical) {
                error(format!(
                    "`{canonical}` is not a canonical name: lower-case letters, digits and `_`, starting with a letter"
                ));
            }
            if names.is_empty() || names.iter().any(|n| n.trim().is_empty()) {
                error("expected a list of English names, none of them empty".into());
            }
            for name in names {
                let normal = cxaudit_plugin_sdk::vocabulary::normalise(name);
                match seen.get(&normal) {
                    Some(other) if other != canonical => error(format!(
                        "`{name}` is also a name of {} `{other}`: a {} would match both",
                        group.singular(),
                        group.singular()
                    )),
                    _ => {
                        seen.insert(normal, canonical);
                    }
                }
            }
        }
    }
}

/// A canonical name: `[a-z][a-z0-9_]*`.
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn check_table_rules(loader: &mut Loader, path: &Path, name: &str, table: &TableSchema) {
    let column = |c: &str| {
        table
            .columns
            .iter()
            .find(|x| !x.is_pattern() && x.name == c)
    };
    let mut error = |key: String, message: String| {
        loader.error(
            Location::file(path).key(format!("tables.{name}.{key}")),
            message,
        );
    };
    for k in &table.key {
        if column(k).is_none() {
            error("key".into(), format!("`{k}` is not a column of `{name}`"));
        }
    }
    if let Some(p) = &table.period_column {
        match column(p).map(|c| c.column_type) {
            Some(ColumnType::Date | ColumnType::Timestamp | ColumnType::Month) => {}
            Some(t) => error(
                "period_column".into(),
                format!("`{p}` is a {t} column; expected a date, month or timestamp column"),
            ),
            None => error(
                "period_column".into(),
                format!("`{p}` is not a column of `{name}`"),
            ),
        }
    }
    for [a, b] in &table.ordered {
        for c in [a, b] {
            match column(c).map(|x| x.column_type) {
                Some(ColumnType::Timestamp | ColumnType::Date) => {}
                _ => error(
                    "ordered".into(),
                    format!("`{c}` is not a timestamp or date column of `{name}`"),
                ),
            }
        }
    }
    if table.coverage.is_some() && table.period_column.is_none() {
        error(
            "coverage".into(),
            "coverage needs a `period_column` that places rows on days".into(),
        );
    }
    for c in &table.columns {
        let numeric = matches!(c.column_type, ColumnType::Integer | ColumnType::Float);
        for (key, bound) in [("min", c.min), ("max", c.max)] {
            match bound {
                Some(_) if !numeric => error(
                    format!("columns.{}.{key}", c.name),
                    format!(
                        "`{key}` applies to integer and float columns; `{}` is {}",
                        c.name, c.column_type
                    ),
                ),
                Some(v) if !v.is_finite() => error(
                    format!("columns.{}.{key}", c.name),
                    format!("`{key}` must be a finite number, found {v}"),
                ),
                _ => {}
            }
        }
        if let (Some(lo), Some(hi)) = (c.min, c.max)
            && lo > hi
        {
            error(
                format!("columns.{}", c.name),
                format!("`min` {lo} is above `max` {hi}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The errors about documents of a pack whose evidence schema holds
    /// `documents`.
    fn schema_errors(documents: &str) -> Vec<PackError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pack.toml"),
            "[pack]\nid = \"p\"\ntitle = \"P\"\nversion = \"1.0.0\"\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("evidence-schema.toml"), documents).unwrap();
        match load(dir.path()) {
            Ok(_) => Vec::new(),
            Err(PackErrors(errors)) => errors
                .into_iter()
                .filter(|e| {
                    e.location
                        .key
                        .as_ref()
                        .is_some_and(|k| k.starts_with("documents."))
                })
                .collect(),
        }
    }

    #[test]
    fn document_words_are_identifiers_with_english_names_never_shared() {
        assert!(
            schema_errors(
                "[documents.policy]\ncolumns.time_limit = [\"Time limit\", \"Limit\"]\n\
             headings.matrix = [\"Limit\"]\n"
            )
            .is_empty()
        );
        let cases = [
            (
                "headings.Mission = [\"Mission\"]",
                "headings.Mission",
                "not a canonical name",
            ),
            (
                "headings.mission = []",
                "headings.mission",
                "a list of English names",
            ),
            (
                "headings.mission = [\" \"]",
                "headings.mission",
                "a list of English names",
            ),
            (
                "columns.due = [\"Due\"]\ncolumns.deadline = [\"DUE\"]",
                "columns.due",
                "also a name of column `deadline`",
            ),
        ];
        for (words, key, why) in cases {
            let errors = schema_errors(&format!("[documents.policy]\n{words}\n"));
            assert_eq!(errors.len(), 1, "{words}: {errors:?}");
            let e = &errors[0];
            assert_eq!(
                e.location.key.as_deref(),
                Some(format!("documents.policy.{key}").as_str())
            );
            assert!(e.message.contains(why), "{words}: {e}");
        }
    }

    #[test]
    fn the_shipped_pack_lists_the_words_its_criteria_read() {
        let pack = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../standards/cx-ops"))
            .unwrap_or_else(|e| panic!("{e}"));
        let policy = &pack.schema.documents["escalation_policy"];
        assert!(
            policy.columns["time_limit"].contains(&"Escalate to leadership within".to_owned()),
            "{policy:?}"
        );
        assert_eq!(pack.schema.documents["direction"].headings.len(), 4);
    }
}

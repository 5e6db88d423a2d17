//! Reading a pack folder, applying `extends`, and the structural checks
//! that need no plugin.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::model::*;
use super::values::{non_finite, non_finite_message, points_problem, share_problem};
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
    kpis: Option<Spanned<Vec<HeadlineKpi>>>,
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
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    description: String,
    minimum: Option<Spanned<f64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDrop {
    #[serde(default)]
    criteria: Vec<Spanned<String>>,
    /// Whole sections, with their criteria.
    #[serde(default)]
    sections: Vec<Spanned<String>>,
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
    params: Option<Spanned<BTreeMap<Spanned<String>, toml::Value>>>,
    evidence: Option<Spanned<Vec<Spanned<String>>>>,
    guidance: Option<Spanned<Guidance>>,
    #[serde(default)]
    references: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchemaFile {
    #[serde(default)]
    tables: BTreeMap<Spanned<String>, RawTable>,
    #[serde(default)]
    documents: BTreeMap<String, RawDocument>,
}

/// A document kind as written, with where each canonical word is.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocument {
    #[serde(default)]
    description: String,
    #[serde(default)]
    folder: bool,
    #[serde(default)]
    headings: BTreeMap<Spanned<String>, Vec<String>>,
    #[serde(default)]
    columns: BTreeMap<Spanned<String>, Vec<String>>,
}

/// A table of `evidence-schema.toml` as written: a new table states its
/// columns; a table the base pack already declares may be given only
/// the columns it adds (`[tables.contacts.columns.tier]`), and any of
/// `description`, `key`, `period_column`, `ordered`, `coverage` it replaces.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    description: Option<String>,
    #[serde(default)]
    columns: BTreeMap<Spanned<String>, Spanned<ColumnSpec>>,
    key: Option<Spanned<Vec<String>>>,
    period_column: Option<Spanned<String>>,
    ordered: Option<Spanned<Vec<[String; 2]>>>,
    coverage: Option<Coverage>,
}

/// Where the parts of a table are written, for its rules' messages.
#[derive(Default)]
struct TableSpans {
    table: Option<Location>,
    key: Option<Location>,
    period_column: Option<Location>,
    ordered: Option<Location>,
    columns: BTreeMap<String, Location>,
}

impl TableSpans {
    /// Where to point at `part` (`key`, `period_column`, `ordered`, or a
    /// column's name): where this file writes it, else the table's header.
    fn of(&self, part: &str, column: Option<&str>, path: &Path) -> Location {
        let found = match (part, column) {
            (_, Some(c)) => self.columns.get(c),
            ("key", None) => self.key.as_ref(),
            ("period_column", None) => self.period_column.as_ref(),
            ("ordered", None) => self.ordered.as_ref(),
            _ => None,
        };
        found
            .or(self.table.as_ref())
            .cloned()
            .unwrap_or_else(|| Location::file(path))
    }
}

/// Parses an evidence schema file (`evidence-schema.toml`) on its own:
/// every table must state its columns.
pub fn parse_schema(file: &Path, text: &str) -> Result<EvidenceSchema, PackError> {
    let raw: RawSchemaFile =
        parse_toml(file, text).map_err(|(location, message)| PackError { location, message })?;
    let mut loader = Loader {
        errors: Vec::new(),
        files: Vec::new(),
        stack: Vec::new(),
        builtins: Vec::new(),
    };
    let mut schema = EvidenceSchema::default();
    merge_schema(&mut loader, &mut schema, raw, file, text);
    match loader.errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(schema),
    }
}

/// Adds the tables and documents of one `evidence-schema.toml` to
/// `schema` (the base pack's, when the pack extends one), checking each
/// table it touches.
fn merge_schema(
    loader: &mut Loader,
    schema: &mut EvidenceSchema,
    raw: RawSchemaFile,
    path: &Path,
    text: &str,
) {
    let at = |offset: usize| Location::at_offset(path, text, offset);
    // References are checked once every table of the file is merged: a
    // column may name a table declared further down.
    let mut references: Vec<(Location, String, String)> = Vec::new();
    for (name, table) in raw.tables {
        let header = at(name.span().start).key(format!("tables.{}", name.get_ref()));
        let name = name.into_inner();
        let mut spans = TableSpans {
            table: Some(header.clone()),
            key: table
                .key
                .as_ref()
                .map(|k| at(k.span().start).key(format!("tables.{name}.key"))),
            period_column: table
                .period_column
                .as_ref()
                .map(|p| at(p.span().start).key(format!("tables.{name}.period_column"))),
            ordered: table
                .ordered
                .as_ref()
                .map(|o| at(o.span().start).key(format!("tables.{name}.ordered"))),
            columns: BTreeMap::new(),
        };
        let existing = schema.tables.get(&name).cloned();
        if existing.is_none() && table.columns.is_empty() {
            loader.error(
                header,
                format!(
                    "table `{name}` declares no column (a new table lists its columns; \
                     a table of the base pack is extended with `[tables.{name}.columns.NAME]`)"
                ),
            );
            continue;
        }
        let mut merged = existing.unwrap_or(TableSchema {
            description: String::new(),
            columns: Vec::new(),
            key: Vec::new(),
            period_column: None,
            ordered: Vec::new(),
            coverage: None,
        });
        for (column, spec) in table.columns {
            let location =
                at(column.span().start).key(format!("tables.{name}.columns.{}", column.get_ref()));
            let column = column.into_inner();
            if merged.columns.iter().any(|c| c.name == column) {
                loader.error(
                    location,
                    format!(
                        "column `{column}` of `{name}` is already declared by the base pack; \
                         a tailored pack adds columns to a base table, it does not redeclare them"
                    ),
                );
                continue;
            }
            let column = spec.into_inner().into_column(column);
            if column.references.is_some() {
                let key = format!("tables.{name}.columns.{}.references", column.name);
                references.push((location.clone().key(key), name.clone(), column.name.clone()));
            }
            spans.columns.insert(column.name.clone(), location);
            merged.columns.push(column);
        }
        if let Some(d) = table.description {
            merged.description = d;
        }
        if let Some(k) = table.key {
            merged.key = k.into_inner();
        }
        if let Some(p) = table.period_column {
            merged.period_column = Some(p.into_inner());
        }
        if let Some(o) = table.ordered {
            merged.ordered = o.into_inner();
        }
        if table.coverage.is_some() {
            merged.coverage = table.coverage;
        }
        check_table_rules(loader, path, &name, &merged, &spans);
        schema.tables.insert(name, merged);
    }
    for (location, table, column) in references {
        if let Err(message) = check_reference(schema, &table, &column) {
            loader.error(location, message);
        }
    }
    for (kind, raw_document) in raw.documents {
        let mut words: BTreeMap<(WordGroup, String), Location> = BTreeMap::new();
        let mut plain = |group: WordGroup, map: BTreeMap<Spanned<String>, Vec<String>>| {
            map.into_iter()
                .map(|(canonical, names)| {
                    let key = format!("documents.{kind}.{}.{}", group.key(), canonical.get_ref());
                    words.insert(
                        (group, canonical.get_ref().clone()),
                        at(canonical.span().start).key(key),
                    );
                    (canonical.into_inner(), names)
                })
                .collect::<BTreeMap<String, Vec<String>>>()
        };
        let document = DocumentSchema {
            description: raw_document.description,
            folder: raw_document.folder,
            headings: plain(WordGroup::Headings, raw_document.headings),
            columns: plain(WordGroup::Columns, raw_document.columns),
        };
        check_document_words(loader, path, &kind, &document, &words);
        schema.documents.insert(kind, document);
    }
}

/// Collects errors while loading, so that one run reports them all.
struct Loader {
    errors: Vec<PackError>,
    /// (name, sha256) of every file read, for the pack hash.
    files: Vec<(String, String)>,
    /// Packs being loaded, to refuse `extends` cycles.
    stack: Vec<PathBuf>,
    /// Built-in packs written out for loading, kept until the load ends.
    builtins: Vec<tempfile::TempDir>,
}

impl Loader {
    fn error(&mut self, location: Location, message: impl Into<String>) {
        self.errors.push(PackError {
            location,
            message: message.into(),
        });
    }

    /// Reads a file of the pack in `dir`, recording it for the pack hash
    /// under a name that does not depend on where the pack lies or how its
    /// path was spelled: the path inside its pack, prefixed with `base/` once
    /// per `extends` step (`criteria/csat.toml`, `base/pack.toml`).
    fn read(&mut self, path: &Path, dir: &Path) -> Option<String> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let inside = path
                    .strip_prefix(dir)
                    .unwrap_or(path)
                    .to_string_lossy()
                    .replace('\\', "/");
                let depth = self.stack.len().saturating_sub(1);
                let name = format!("{}{inside}", "base/".repeat(depth));
                self.files.push((name, sha256_bytes(text.as_bytes())));
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
        builtins: Vec::new(),
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
    let pack_path = dir.join("pack.toml");
    let text = loader.read(&pack_path, dir)?;
    let raw: RawPackFile = loader.parse(&pack_path, &text)?;
    let at = |offset: usize| Location::at_offset(&pack_path, &text, offset);

    let mut pack = match &raw.pack.extends {
        Some(base) => {
            let mut base_dir = dir.join(base.get_ref());
            if !base_dir.join("pack.toml").is_file() {
                // Not a folder: the name of a pack built into cxaudit?
                match super::builtin::find(base.get_ref()).map(|b| b.write_temp()) {
                    Some(Ok(temp)) => {
                        base_dir = temp.path().to_path_buf();
                        loader.builtins.push(temp);
                    }
                    Some(Err(e)) => {
                        loader.error(
                            at(base.span().start).key("pack.extends"),
                            format!(
                                "cannot write out the built-in pack `{}`: {e}",
                                base.get_ref()
                            ),
                        );
                        return None;
                    }
                    None => {
                        loader.error(
                            at(base.span().start).key("pack.extends"),
                            format!(
                                "no pack at `{}` (expected a folder with pack.toml, or the name of a built-in pack: {})",
                                base_dir.display(),
                                super::builtin::names().join(", ")
                            ),
                        );
                        return None;
                    }
                }
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
            headline_kpis_origin: None,
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
        match report.kpis {
            Some(kpis) => {
                pack.headline_kpis_origin = Some(at(kpis.span().start).key("report.kpis"));
                pack.headline_kpis = kpis.into_inner();
            }
            None => {
                pack.headline_kpis_origin = None;
                pack.headline_kpis = Vec::new();
            }
        }
    }
    // `[drop] sections`: the base's section and its criteria go, before
    // anything of this pack may name them.
    let mut dropped_sections: BTreeMap<String, Location> = BTreeMap::new();
    let mut dropped_criteria: BTreeMap<String, String> = BTreeMap::new();
    for id in &raw.drop.sections {
        let location = at(id.span().start).key("drop.sections");
        let Some(i) = pack.sections.iter().position(|s| &s.id == id.get_ref()) else {
            let names: Vec<&str> = pack.sections.iter().map(|s| s.id.as_str()).collect();
            let message = if dropped_sections.contains_key(id.get_ref()) {
                format!("section `{}` is listed twice", id.get_ref())
            } else {
                format!(
                    "cannot drop section `{}`: no such section (sections: {})",
                    id.get_ref(),
                    names.join(", ")
                )
            };
            loader.error(location, message);
            continue;
        };
        pack.sections.remove(i);
        pack.criteria.retain(|c| {
            let keep = &c.section != id.get_ref();
            if !keep {
                dropped_criteria.insert(c.id.clone(), c.section.clone());
            }
            keep
        });
        dropped_sections.insert(id.get_ref().clone(), location);
    }
    let mut declared_here: BTreeSet<String> = BTreeSet::new();
    for s in raw.sections {
        let origin = at(s.id.span().start).key(format!("sections.{}", s.id.get_ref()));
        let id = s.id.into_inner();
        if !declared_here.insert(id.clone()) {
            loader.error(
                origin,
                "duplicate section id (declared earlier in this file)",
            );
            continue;
        }
        if let Some(dropped_at) = dropped_sections.get(&id) {
            loader.error(
                origin,
                format!("section `{id}` is dropped at {dropped_at}; a pack cannot both drop and declare it"),
            );
            continue;
        }
        if let Some(minimum) = &s.minimum
            && let Some(problem) = share_problem(*minimum.get_ref())
        {
            loader.error(
                at(minimum.span().start).key(format!("sections.{id}.minimum")),
                problem,
            );
        }
        let section = Section {
            id,
            title: s.title,
            description: s.description,
            minimum: s.minimum.map(Spanned::into_inner),
            origin,
        };
        match pack.sections.iter_mut().find(|x| x.id == section.id) {
            Some(existing) => *existing = section,
            None => pack.sections.push(section),
        }
    }

    let schema_path = dir.join("evidence-schema.toml");
    if schema_path.is_file()
        && let Some(schema_text) = loader.read(&schema_path, dir)
        && let Some(schema) = loader.parse::<RawSchemaFile>(&schema_path, &schema_text)
    {
        merge_schema(loader, &mut pack.schema, schema, &schema_path, &schema_text);
    }

    let dropped = Dropped {
        sections: dropped_sections,
        criteria: dropped_criteria,
    };
    load_criteria_files(loader, &mut pack, dir, &dropped);

    for id in &raw.drop.criteria {
        let before = pack.criteria.len();
        pack.criteria.retain(|c| &c.id != id.get_ref());
        if pack.criteria.len() == before {
            let message = match dropped.criterion(id.get_ref()) {
                Some(why) => format!("cannot drop `{}`: {why}", id.get_ref()),
                None => format!("cannot drop `{}`: no such criterion", id.get_ref()),
            };
            loader.error(at(id.span().start).key("drop.criteria"), message);
        }
    }
    for (id, over) in raw.overrides {
        let location = at(id.span().start).key(format!("overrides.{}", id.get_ref()));
        let Some(criterion) = pack.criteria.iter_mut().find(|c| &c.id == id.get_ref()) else {
            let message = match dropped.criterion(id.get_ref()) {
                Some(why) => format!("cannot override `{}`: {why}", id.get_ref()),
                None => format!("cannot override `{}`: no such criterion", id.get_ref()),
            };
            loader.error(location, message);
            continue;
        };
        if let Some(points) = over.points {
            if let Some(problem) = points_problem(*points.get_ref()) {
                loader.error(
                    at(points.span().start).key(format!("overrides.{}.points", id.get_ref())),
                    problem,
                );
            }
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
                let bad = non_finite(&v);
                for (below, value) in &bad {
                    let mut key_at = key_at.clone();
                    key_at.key = key_at.key.map(|key| format!("{key}{below}"));
                    loader.error(key_at, non_finite_message(*value));
                }
                if !bad.is_empty() {
                    continue;
                }
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
    let at = |v: &Spanned<f64>, name: &str| {
        Location::at_offset(path, text, v.span().start).key(format!("scoring.{name}"))
    };
    let mut set = |field: &Option<Spanned<f64>>, name: &str, target: &mut f64| {
        if let Some(v) = field {
            let value = *v.get_ref();
            if let Some(problem) = share_problem(value) {
                loader.error(at(v, name), problem);
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
    // Judged where a threshold is set: a tailored pack that lowers only
    // `met_from` below its base's `partially_met_from` is told so at its own
    // `met_from`; a base pack's mistake is reported once, in the base.
    let (met, partially) = (rules.met_from, rules.partially_met_from);
    if partially > met {
        match (&raw.partially_met_from, &raw.met_from) {
            (Some(p), _) => loader.error(
                at(p, "partially_met_from"),
                format!("must not exceed met_from ({partially} > {met})"),
            ),
            (None, Some(m)) => loader.error(
                at(m, "met_from"),
                format!("must not be below partially_met_from ({met} < {partially})"),
            ),
            (None, None) => {}
        }
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

/// What a pack's `[drop] sections` removed, for clear messages when
/// something names it afterwards.
struct Dropped {
    /// Section id -> where it is dropped.
    sections: BTreeMap<String, Location>,
    /// Criterion id -> the dropped section it went with.
    criteria: BTreeMap<String, String>,
}

impl Dropped {
    /// Why a criterion is gone, when it went with a dropped section.
    fn criterion(&self, id: &str) -> Option<String> {
        let section = self.criteria.get(id)?;
        let at = self.sections.get(section)?;
        Some(format!(
            "it is dropped with its section `{section}` (at {at})"
        ))
    }
}

fn load_criteria_files(loader: &mut Loader, pack: &mut Pack, dir: &Path, dropped: &Dropped) {
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
        let Some(text) = loader.read(&path, dir) else {
            continue;
        };
        let Some(raw) = loader.parse::<RawCriteriaFile>(&path, &text) else {
            continue;
        };
        for c in raw.criterion {
            let built = build_criterion(loader, &Known::of(pack, dropped), c, &path, &text);
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
    if let Some(problem) = points_problem(points) {
        loader.error(
            at(c.points.span().start, &format!("criterion.{id}.points")),
            problem,
        );
    }
    // Each parameter is named where its key is written.
    let mut param_origins = BTreeMap::new();
    let mut table = toml::Table::new();
    if let Some(params) = c.params {
        param_origins.insert(
            String::new(),
            at(params.span().start, &format!("criterion.{id}.params")),
        );
        for (name, value) in params.into_inner() {
            let key = format!("criterion.{id}.params.{}", name.get_ref());
            let name_at = at(name.span().start, &key);
            for (below, number) in non_finite(&value) {
                loader.error(
                    name_at.clone().key(format!("{key}{below}")),
                    non_finite_message(number),
                );
            }
            param_origins.insert(name.get_ref().clone(), name_at);
            table.insert(name.into_inner(), value);
        }
    }
    let params = match serde_json::to_value(&table) {
        Ok(v) => v,
        Err(e) => {
            loader.error(
                param_origins
                    .get("")
                    .cloned()
                    .unwrap_or_else(|| origin.clone())
                    .key(format!("criterion.{id}.params")),
                e.to_string(),
            );
            serde_json::Value::Object(Default::default())
        }
    };
    if !known.sections.contains(c.section.get_ref().as_str()) {
        let names: Vec<&str> = known.sections.iter().copied().collect();
        let message = match known.dropped.sections.get(c.section.get_ref()) {
            Some(dropped_at) => format!(
                "section `{}` is dropped at {dropped_at}; a criterion cannot belong to it",
                c.section.get_ref()
            ),
            None => format!(
                "unknown section `{}` (sections: {})",
                c.section.get_ref(),
                names.join(", ")
            ),
        };
        loader.error(
            at(c.section.span().start, &format!("criterion.{id}.section")),
            message,
        );
    }
    let evidence_origin = c.evidence.as_ref().map_or_else(
        || origin.clone().key(format!("criterion.{id}.evidence")),
        |e| at(e.span().start, &format!("criterion.{id}.evidence")),
    );
    let evidence_list = c.evidence.map(Spanned::into_inner).unwrap_or_default();
    let mut evidence = Vec::with_capacity(evidence_list.len());
    let mut evidence_origins = Vec::with_capacity(evidence_list.len());
    for e in evidence_list {
        let e_at = at(e.span().start, &format!("criterion.{id}.evidence"));
        if !known.evidence.contains(e.get_ref().as_str()) {
            loader.error(
                e_at.clone(),
                format!(
                    "unknown evidence `{}`: not a table or document of the evidence schema",
                    e.get_ref()
                ),
            );
        }
        evidence.push(e.into_inner());
        evidence_origins.push(e_at);
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
        param_origins,
        evidence,
        evidence_origins,
        evidence_origin,
        guidance: c.guidance.map(Spanned::into_inner).unwrap_or_default(),
        guidance_origin,
        references: c.references,
        origin,
        evaluator_origin,
        param_overrides: BTreeMap::new(),
    })
}

/// Section ids and evidence names a criterion may refer to, and the
/// sections the pack dropped.
struct Known<'a> {
    sections: BTreeSet<&'a str>,
    evidence: BTreeSet<&'a str>,
    dropped: &'a Dropped,
}

impl<'a> Known<'a> {
    fn of(pack: &'a Pack, dropped: &'a Dropped) -> Self {
        Known {
            dropped,
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
    for s in &pack.sections {
        if !pack.criteria.iter().any(|c| c.section == s.id) {
            loader.error(
                s.origin.clone(),
                "section has no criterion (a tailored pack removes a whole section with `[drop] sections`)",
            );
        }
    }
}

/// The validity rules of a table name its own columns, of fitting types.
/// The headings and columns of a document kind: canonical names that are
/// identifiers, each with English names, no name under two canonical names.
fn check_document_words(
    loader: &mut Loader,
    path: &Path,
    kind: &str,
    doc: &DocumentSchema,
    words: &BTreeMap<(WordGroup, String), Location>,
) {
    for group in WordGroup::ALL {
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for (canonical, names) in doc.group(group) {
            let key = format!("documents.{kind}.{}.{canonical}", group.key());
            let location = words
                .get(&(group, canonical.clone()))
                .cloned()
                .unwrap_or_else(|| Location::file(path).key(key.clone()));
            let mut error = |message: String| {
                loader.error(location.clone(), message);
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

/// Whether column `column` of `table` may reference the table it names: a
/// string column naming a table whose key is one string column.
fn check_reference(schema: &EvidenceSchema, table: &str, column: &str) -> Result<(), String> {
    let columns = |t: &str| schema.tables.get(t).map(|t| t.columns.as_slice());
    let Some(referring) = columns(table)
        .unwrap_or_default()
        .iter()
        .find(|c| c.name == column)
    else {
        return Ok(());
    };
    let Some(target) = &referring.references else {
        return Ok(());
    };
    if referring.is_pattern() || referring.column_type != ColumnType::String {
        return Err(format!(
            "`references` applies to a named string column; `{column}` is {}",
            if referring.is_pattern() {
                "a pattern".to_owned()
            } else {
                referring.column_type.to_string()
            }
        ));
    }
    let Some(referenced) = schema.tables.get(target) else {
        return Err(format!("`{target}` is not a table of the evidence schema"));
    };
    let key_column = match referenced.key.as_slice() {
        [key] => referenced.columns.iter().find(|c| &c.name == key),
        _ => None,
    };
    match key_column {
        Some(k) if k.column_type == ColumnType::String => Ok(()),
        _ => Err(format!(
            "`{target}` has no one-column string key (its key: [{}]); a reference names a row by such a key",
            referenced.key.join(", ")
        )),
    }
}

/// A canonical name: `[a-z][a-z0-9_]*`.
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn check_table_rules(
    loader: &mut Loader,
    path: &Path,
    name: &str,
    table: &TableSchema,
    spans: &TableSpans,
) {
    let column = |c: &str| {
        table
            .columns
            .iter()
            .find(|x| !x.is_pattern() && x.name == c)
    };
    let mut error = |key: String, message: String| {
        let (part, col) = match key.strip_prefix("columns.") {
            Some(rest) => ("columns", Some(rest.split('.').next().unwrap_or(rest))),
            None => (key.as_str(), None),
        };
        loader.error(
            spans
                .of(part, col, path)
                .key(format!("tables.{name}.{key}")),
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
        if c.low_cardinality && c.column_type != ColumnType::String {
            error(
                format!("columns.{}.low_cardinality", c.name),
                format!(
                    "`low_cardinality` applies to string columns; `{}` is {}",
                    c.name, c.column_type
                ),
            );
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
            // At the canonical name's own line (2), after `headings.` or `columns.`.
            let column = key.find('.').map(|dot| dot + 2);
            assert_eq!(
                (e.location.line, e.location.column),
                (Some(2), column),
                "{e}"
            );
            assert!(e.message.contains(why), "{words}: {e}");
        }
    }

    /// A base pack `base` (scoring 0.8 / 0.5, section `S`, manual criterion
    /// `A1` of 100 points with parameters `share = 0.5` and then
    /// `more_params`) and a tailored pack `client` extending it, whose
    /// `pack.toml` has `client_extra` from line 7 on. Returns the folder and
    /// what loading `client` gave.
    fn tailored(
        more_params: &str,
        client_extra: &str,
    ) -> (tempfile::TempDir, Result<Pack, PackErrors>) {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("base");
        std::fs::create_dir_all(base.join("criteria")).unwrap();
        std::fs::write(
            base.join("pack.toml"),
            "[pack]\nid = \"base\"\ntitle = \"Base\"\nversion = \"1.0.0\"\n\n\
             [scoring]\nmet_from = 0.8\npartially_met_from = 0.5\n\n\
             [[sections]]\nid = \"S\"\ntitle = \"Section\"\n",
        )
        .unwrap();
        std::fs::write(
            base.join("criteria/a.toml"),
            format!(
                "[[criterion]]\nid = \"A1\"\nsection = \"S\"\ntitle = \"A\"\nrequirement = \"R\"\n\
                 points = 100\nmanual = \"a person judges it\"\n\
                 params = {{ share = 0.5{more_params} }}\n"
            ),
        )
        .unwrap();
        let client = dir.path().join("client");
        std::fs::create_dir_all(&client).unwrap();
        std::fs::write(
            client.join("pack.toml"),
            format!(
                "[pack]\nid = \"client\"\ntitle = \"Client\"\nversion = \"1.0.0\"\n\
                 extends = \"../base\"\n\n{client_extra}"
            ),
        )
        .unwrap();
        let loaded = load(&client);
        (dir, loaded)
    }

    /// The one error of a load that must fail.
    fn only_error(loaded: Result<Pack, PackErrors>) -> PackError {
        match loaded {
            Ok(_) => panic!("the pack loaded"),
            Err(PackErrors(mut errors)) => {
                assert_eq!(errors.len(), 1, "{errors:?}");
                errors.remove(0)
            }
        }
    }

    /// Asserts `e` is at `file`:`line`:`column`, names `key`, and says `why`.
    fn assert_at(e: &PackError, file: &Path, line: usize, column: usize, key: &str, why: &str) {
        assert_eq!(e.location.file, file, "{e}");
        assert_eq!(
            (e.location.line, e.location.column),
            (Some(line), Some(column)),
            "{e}"
        );
        assert_eq!(e.location.key.as_deref(), Some(key), "{e}");
        assert!(e.message.contains(why), "expected `{why}` in: {e}");
    }

    #[test]
    fn override_points_must_be_above_zero_finite_and_at_most_10000() {
        // `[overrides.A1]` is line 7 of the client's pack.toml, `points = `
        // line 8; the value starts after 9 characters: column 10.
        for (points, shown) in [
            ("-300", "-300"),
            ("0", "0"),
            ("nan", "NaN"),
            ("1.7e308", "1.7e308"),
            ("inf", "inf"),
            ("10000.5", "10000.5"),
        ] {
            let (dir, loaded) = tailored("", &format!("[overrides.A1]\npoints = {points}\n"));
            let e = only_error(loaded);
            assert_at(
                &e,
                &dir.path().join("client/pack.toml"),
                8,
                10,
                "overrides.A1.points",
                &format!("points must be a number above 0 and at most 10000, found {shown}"),
            );
        }
        // The bound itself is accepted, and the override replaces the base's 100.
        let (_dir, loaded) = tailored("", "[overrides.A1]\npoints = 10000\n");
        let pack = loaded.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pack.criterion("A1").unwrap().points, 10_000.0);
    }

    #[test]
    fn criterion_points_above_the_bound_are_refused_in_the_base_pack() {
        let (dir, loaded) = tailored("", "");
        assert!(loaded.is_ok());
        let text = std::fs::read_to_string(dir.path().join("base/criteria/a.toml")).unwrap();
        std::fs::write(
            dir.path().join("base/criteria/a.toml"),
            text.replace("points = 100", "points = 1.7e308"),
        )
        .unwrap();
        // `points = ` is line 6 of the criterion file: the value at column 10.
        let e = only_error(load(&dir.path().join("client")));
        assert_at(
            &e,
            // The base pack's file, as `extends` names it.
            &dir.path().join("client/../base/criteria/a.toml"),
            6,
            10,
            "criterion.A1.points",
            "found 1.7e308",
        );
    }

    #[test]
    fn a_section_minimum_must_be_a_share() {
        // Lines 7-10 of the client's pack.toml; `minimum = ` is 10 characters.
        let (dir, loaded) = tailored(
            "",
            "[[sections]]\nid = \"S\"\ntitle = \"Section\"\nminimum = 7.5\n",
        );
        let e = only_error(loaded);
        assert_at(
            &e,
            &dir.path().join("client/pack.toml"),
            10,
            11,
            "sections.S.minimum",
            "must be a share between 0 and 1, found 7.5",
        );
        let (_dir, loaded) = tailored(
            "",
            "[[sections]]\nid = \"S\"\ntitle = \"Section\"\nminimum = 0.6\n",
        );
        let pack = loaded.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pack.sections[0].minimum, Some(0.6));
    }

    #[test]
    fn met_from_below_partially_met_from_is_refused_where_it_is_set() {
        // The base says partially met from 0.5; the client lowers met_from to
        // 0.4 < 0.5 on line 8 (`met_from = ` is 11 characters).
        let (dir, loaded) = tailored("", "[scoring]\nmet_from = 0.4\n");
        let e = only_error(loaded);
        assert_at(
            &e,
            &dir.path().join("client/pack.toml"),
            8,
            12,
            "scoring.met_from",
            "must not be below partially_met_from (0.4 < 0.5)",
        );
        // Raising partially_met_from above the base's met_from (0.9 > 0.8):
        // `partially_met_from = ` is 21 characters.
        let (dir, loaded) = tailored("", "[scoring]\npartially_met_from = 0.9\n");
        let e = only_error(loaded);
        assert_at(
            &e,
            &dir.path().join("client/pack.toml"),
            8,
            22,
            "scoring.partially_met_from",
            "must not exceed met_from (0.9 > 0.8)",
        );
        // A base pack's own mistake is reported once, in the base (line 8:
        // `partially_met_from = 0.9` above its `met_from = 0.8`), not again
        // in every pack that extends it.
        let (dir, _) = tailored("", "");
        let base = dir.path().join("base/pack.toml");
        let text = std::fs::read_to_string(&base).unwrap();
        std::fs::write(
            &base,
            text.replace("partially_met_from = 0.5", "partially_met_from = 0.9"),
        )
        .unwrap();
        let e = only_error(load(&dir.path().join("client")));
        assert_at(
            &e,
            &dir.path().join("client/../base/pack.toml"),
            8,
            22,
            "scoring.partially_met_from",
            "must not exceed met_from (0.9 > 0.8)",
        );
        // Equal thresholds are allowed (nothing is partially met).
        let (_dir, loaded) = tailored("", "[scoring]\nmet_from = 0.5\n");
        assert!(loaded.is_ok(), "{:?}", loaded.err());
    }

    #[test]
    fn non_finite_parameters_are_refused_in_overrides_and_in_criteria() {
        // Line 8 of the client's pack.toml: `params = { ` is 11 characters,
        // so `share` starts at column 12; `params = { share = nan, ` is 24,
        // so `bands` starts at column 25.
        let (dir, loaded) = tailored(
            "",
            "[overrides.A1]\nparams = { share = nan, bands = { voice = 0.8, chat = inf } }\n",
        );
        let Err(PackErrors(errors)) = loaded else {
            panic!("the pack loaded")
        };
        let client = dir.path().join("client/pack.toml");
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_at(
            &errors[0],
            &client,
            8,
            25,
            "overrides.A1.params.bands.chat",
            "a parameter must be a finite number, found inf",
        );
        assert_at(
            &errors[1],
            &client,
            8,
            12,
            "overrides.A1.params.share",
            "a parameter must be a finite number, found NaN",
        );

        // In the base criterion, named at the parameter's key: line 8
        // (`params = { share = 0.5, ` is 24 characters, so `extra` starts
        // at column 25), not at the criterion's id on line 2.
        let (dir, loaded) = tailored(", extra = [1.0, -inf]", "");
        let e = only_error(loaded);
        assert_at(
            &e,
            // The base pack's file, as `extends` names it.
            &dir.path().join("client/../base/criteria/a.toml"),
            8,
            25,
            "criterion.A1.params.extra[1]",
            "a parameter must be a finite number, found -inf",
        );
    }

    /// Writes the base pack's `evidence-schema.toml` (table `contacts`:
    /// `contact_id` as key, `arrived_at`) and the client's (`client_schema`),
    /// then loads the client.
    fn with_schemas(client_schema: &str) -> (tempfile::TempDir, Result<Pack, PackErrors>) {
        let (dir, _) = tailored("", "");
        std::fs::write(
            dir.path().join("base/evidence-schema.toml"),
            "[tables.contacts]
key = [\"contact_id\"]
period_column = \"arrived_at\"
\
             columns.contact_id = { type = \"string\" }\n\
             columns.arrived_at = { type = \"timestamp\" }\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("client/evidence-schema.toml"),
            client_schema,
        )
        .unwrap();
        let loaded = load(&dir.path().join("client"));
        (dir, loaded)
    }

    #[test]
    fn a_column_may_reference_a_table_by_its_one_column_string_key() {
        let (_dir, loaded) = with_schemas(
            "[tables.calls]\ncolumns.contact = { type = \"string\", nullable = true, references = \"contacts\" }\n",
        );
        let pack = loaded.unwrap_or_else(|e| panic!("{e}"));
        let contact = &pack.schema.tables["calls"].columns[0];
        assert_eq!(contact.references.as_deref(), Some("contacts"));
    }

    #[test]
    fn a_tailored_pack_adds_columns_to_a_base_table_without_redeclaring_it() {
        let (_dir, loaded) = with_schemas(
            "[tables.contacts.columns.tier]\ntype = \"string\"\nvalues = [\"gold\", \"standard\"]\n",
        );
        let pack = loaded.unwrap_or_else(|e| panic!("{e}"));
        let contacts = &pack.schema.tables["contacts"];
        let names: Vec<&str> = contacts.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["arrived_at", "contact_id", "tier"]);
        // The base's rules stay.
        assert_eq!(contacts.key, ["contact_id"]);
        assert_eq!(contacts.period_column.as_deref(), Some("arrived_at"));
        let tier = pack.schema.column("contacts", "tier").unwrap();
        assert_eq!(
            tier.values.as_deref(),
            Some(&["gold".to_owned(), "standard".to_owned()][..])
        );

        // The inline form adds too, and may replace a table rule.
        let (_dir, loaded) = with_schemas(
            "[tables.contacts]\nkey = [\"contact_id\", \"tier\"]\ncolumns.tier = { type = \"string\" }\n",
        );
        let pack = loaded.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pack.schema.tables["contacts"].columns.len(), 3);
        assert_eq!(pack.schema.tables["contacts"].key, ["contact_id", "tier"]);
    }

    #[test]
    fn schema_errors_point_at_the_tailored_key() {
        // Redeclaring a base column: at its name in the header (line 1; the
        // name starts after `[tables.contacts.columns.`, 25 characters).
        let (dir, loaded) =
            with_schemas("[tables.contacts.columns.contact_id]\ntype = \"integer\"\n");
        let file = dir.path().join("client/evidence-schema.toml");
        assert_at(
            &only_error(loaded),
            &file,
            1,
            26,
            "tables.contacts.columns.contact_id",
            "already declared by the base pack",
        );
        // A key naming no column: at `key` (line 2, the value at column 7).
        let (dir, loaded) = with_schemas("[tables.contacts]\nkey = [\"tier\"]\n");
        assert_at(
            &only_error(loaded),
            &dir.path().join("client/evidence-schema.toml"),
            2,
            7,
            "tables.contacts.key",
            "`tier` is not a column of `contacts`",
        );
        // min above max on an added column: at the column (line 2, column 9).
        let (dir, loaded) = with_schemas(
            "[tables.contacts]\ncolumns.score = { type = \"float\", min = 5, max = 1 }\n",
        );
        assert_at(
            &only_error(loaded),
            &dir.path().join("client/evidence-schema.toml"),
            2,
            9,
            "tables.contacts.columns.score",
            "`min` 5 is above `max` 1",
        );
        // A low-cardinality number: at the column (line 2, column 9).
        let (dir, loaded) = with_schemas(
            "[tables.contacts]\ncolumns.score = { type = \"float\", low_cardinality = true }\n",
        );
        assert_at(
            &only_error(loaded),
            &dir.path().join("client/evidence-schema.toml"),
            2,
            9,
            "tables.contacts.columns.score.low_cardinality",
            "`low_cardinality` applies to string columns; `score` is float",
        );
        // A reference to a table the schema does not have, from a table declared
        // before the one it could mean: at the column (line 2, column 9).
        let (dir, loaded) = with_schemas(
            "[tables.calls]\ncolumns.contact = { type = \"string\", references = \"callers\" }\n",
        );
        assert_at(
            &only_error(loaded),
            &dir.path().join("client/evidence-schema.toml"),
            2,
            9,
            "tables.calls.columns.contact.references",
            "`callers` is not a table of the evidence schema",
        );
        // A reference to a table keyed by two columns, and one from a number.
        let (_dir, loaded) = with_schemas(
            "[tables.calls]\ncolumns.shift = { type = \"string\", references = \"shifts\" }\n\
             columns.count = { type = \"integer\", references = \"contacts\" }\n\
             [tables.shifts]\nkey = [\"agent\", \"day\"]\n\
             columns.agent = { type = \"string\" }\ncolumns.day = { type = \"date\" }\n",
        );
        let Err(PackErrors(errors)) = loaded else {
            panic!("two bad references must fail the pack");
        };
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 2, "{shown:?}");
        assert!(
            shown[0].contains("tables.calls.columns.count.references")
                && shown[0]
                    .contains("`references` applies to a named string column; `count` is integer"),
            "{shown:?}"
        );
        assert!(
            shown[1].contains("tables.calls.columns.shift.references")
                && shown[1]
                    .contains("`shifts` has no one-column string key (its key: [agent, day])"),
            "{shown:?}"
        );
        // A new table without columns: at its header.
        let (dir, loaded) = with_schemas("[tables.tiers]\nkey = [\"tier\"]\n");
        assert_at(
            &only_error(loaded),
            &dir.path().join("client/evidence-schema.toml"),
            1,
            9,
            "tables.tiers",
            "declares no column",
        );
    }

    /// A base pack with sections `S` (criterion `A1`) and `T` (criteria
    /// `B1`, `B2`), and a client extending it whose `pack.toml` has
    /// `client_extra` from line 7 on and, when given, `criteria/c.toml`.
    fn two_sections(
        client_extra: &str,
        client_criteria: Option<&str>,
    ) -> (tempfile::TempDir, Result<Pack, PackErrors>) {
        let (dir, _) = tailored("", "");
        let base = dir.path().join("base");
        let text = std::fs::read_to_string(base.join("pack.toml")).unwrap();
        std::fs::write(
            base.join("pack.toml"),
            format!("{text}\n[[sections]]\nid = \"T\"\ntitle = \"Other\"\n"),
        )
        .unwrap();
        let criterion = |id: &str| {
            format!(
                "[[criterion]]\nid = \"{id}\"\nsection = \"T\"\ntitle = \"B\"\nrequirement = \"R\"\n\
                 points = 10\nmanual = \"a person judges it\"\n\n"
            )
        };
        std::fs::write(
            base.join("criteria/b.toml"),
            format!("{}{}", criterion("B1"), criterion("B2")),
        )
        .unwrap();
        let client = dir.path().join("client");
        std::fs::write(
            client.join("pack.toml"),
            format!(
                "[pack]\nid = \"client\"\ntitle = \"Client\"\nversion = \"1.0.0\"\n\
                 extends = \"../base\"\n\n{client_extra}"
            ),
        )
        .unwrap();
        if let Some(c) = client_criteria {
            std::fs::create_dir_all(client.join("criteria")).unwrap();
            std::fs::write(client.join("criteria/c.toml"), c).unwrap();
        }
        let loaded = load(&client);
        (dir, loaded)
    }

    #[test]
    fn dropping_a_section_drops_its_criteria() {
        let (_dir, loaded) = two_sections("", None);
        let pack = loaded.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pack.criteria.len(), 3);
        let (_dir, loaded) = two_sections("[drop]\nsections = [\"T\"]\n", None);
        let pack = loaded.unwrap_or_else(|e| panic!("{e}"));
        let sections: Vec<&str> = pack.sections.iter().map(|s| s.id.as_str()).collect();
        let criteria: Vec<&str> = pack.criteria.iter().map(|c| c.id.as_str()).collect();
        assert_eq!((sections, criteria), (vec!["S"], vec!["A1"]));
        assert_eq!(pack.total_points(), 100.0);
    }

    #[test]
    fn naming_a_dropped_section_or_its_criteria_is_a_clear_error() {
        // `sections = [` is 12 characters: the id at column 13 of line 8.
        let drop = "[drop]\nsections = [\"T\"]\n";
        let (dir, loaded) = two_sections("[drop]\nsections = [\"X\"]\n", None);
        let client = dir.path().join("client/pack.toml");
        assert_at(
            &only_error(loaded),
            &client,
            8,
            13,
            "drop.sections",
            "cannot drop section `X`: no such section (sections: S, T)",
        );
        // An override of a criterion that went with the section (line 10).
        let (dir, loaded) = two_sections(&format!("{drop}\n[overrides.B1]\npoints = 5\n"), None);
        assert_at(
            &only_error(loaded),
            &client_path(&dir),
            10,
            12,
            "overrides.B1",
            "cannot override `B1`: it is dropped with its section `T`",
        );
        // Dropping a criterion that already went with its section.
        let (dir, loaded) = two_sections("[drop]\nsections = [\"T\"]\ncriteria = [\"B2\"]\n", None);
        assert_at(
            &only_error(loaded),
            &client_path(&dir),
            9,
            13,
            "drop.criteria",
            "cannot drop `B2`: it is dropped with its section `T`",
        );
        // Declaring it again in the same pack (`id = ` on line 11).
        let (dir, loaded) = two_sections(
            &format!("{drop}\n[[sections]]\nid = \"T\"\ntitle = \"Again\"\n"),
            None,
        );
        assert_at(
            &only_error(loaded),
            &client_path(&dir),
            11,
            6,
            "sections.T",
            "section `T` is dropped at",
        );
        // A criterion of the tailored pack in the dropped section: at its
        // `section` (line 3 of criteria/c.toml, the value at column 11).
        let (dir, loaded) = two_sections(
            drop,
            Some(
                "[[criterion]]\nid = \"C1\"\nsection = \"T\"\ntitle = \"C\"\nrequirement = \"R\"\n\
                 points = 10\nmanual = \"a person judges it\"\n",
            ),
        );
        let e = only_error(loaded);
        assert_at(
            &e,
            &dir.path().join("client/criteria/c.toml"),
            3,
            11,
            "criterion.C1.section",
            "section `T` is dropped at",
        );
        assert!(e.message.contains("client/pack.toml:8:13"), "{e}");
    }

    #[test]
    fn only_keeps_the_chosen_criteria_in_pack_order_with_their_sections() {
        let (_dir, loaded) = two_sections("", None);
        let pack = loaded.unwrap_or_else(|e| panic!("{e}"));
        let ids = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let (only, omitted) = pack.only(&ids(&["B2", "A1", "B2"])).unwrap();
        let kept: Vec<&str> = only.criteria.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(kept, ["A1", "B2"]);
        assert_eq!(omitted, ["B1"]);
        assert_eq!(only.sections.len(), 2);
        // A section none of whose criteria is chosen is left out.
        let (only, omitted) = pack.only(&ids(&["B1"])).unwrap();
        let sections: Vec<&str> = only.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(sections, ["T"]);
        assert_eq!(omitted, ["A1", "B2"]);
        // Unknown ids are named, with the pack's criteria.
        let e = pack.only(&ids(&["A1", "Z9", "a1"])).unwrap_err();
        assert_eq!(e.unknown, ["Z9", "a1"]);
        assert_eq!(
            e.to_string(),
            "--only: no criterion `Z9`, `a1` in pack `client` (its criteria: A1, B1, B2)"
        );
        assert!(pack.only(&[]).is_err());
    }

    fn client_path(dir: &tempfile::TempDir) -> PathBuf {
        dir.path().join("client/pack.toml")
    }

    #[test]
    fn a_section_declared_twice_in_one_file_is_refused_at_the_second() {
        let (dir, loaded) = tailored(
            "",
            "[[sections]]\nid = \"S\"\ntitle = \"One\"\n\n[[sections]]\nid = \"S\"\ntitle = \"Two\"\n",
        );
        assert_at(
            &only_error(loaded),
            &dir.path().join("client/pack.toml"),
            12,
            6,
            "sections.S",
            "duplicate section id",
        );
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

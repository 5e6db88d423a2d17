//! Determinism, layout and internal consistency of generated evidence. Tables,
//! columns and column types are read from the shipped pack's evidence schema
//! (`standards/cx-ops/evidence-schema.toml`), not from the writer.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use cxaudit_synth::{Scenario, SynthConfig, generate};
use toml::de::{DeTable, DeValue};

/// The shipped pack's evidence schema: the canonical tables and columns the
/// engine reads.
const SCHEMA: &str = include_str!("../../standards/cx-ops/evidence-schema.toml");

/// A canonical column of the schema.
struct Column {
    /// Name; a `*` suffix makes it a prefix pattern (`attr_*`).
    name: String,
    /// Declared type (`string`, `timestamp`, ...).
    kind: String,
}

impl Column {
    fn matches(&self, column: &str) -> bool {
        match self.name.strip_suffix('*') {
            Some(prefix) => column.starts_with(prefix),
            None => self.name == column,
        }
    }
}

/// Every table of the schema with its columns, both in the file's order.
fn schema_tables() -> Vec<(String, Vec<Column>)> {
    let doc = DeTable::parse(SCHEMA).expect("evidence-schema.toml parses");
    let tables = as_table(entry(doc.get_ref(), "tables"), "tables");
    in_file_order(tables)
        .into_iter()
        .map(|(name, table)| {
            let columns = as_table(entry(as_table(table, name), "columns"), name);
            let columns = in_file_order(columns)
                .into_iter()
                .map(|(column, spec)| Column {
                    name: column.to_string(),
                    kind: entry(as_table(spec, column), "type")
                        .as_str()
                        .unwrap_or_else(|| panic!("{name}.{column}: type is not a string"))
                        .to_string(),
                })
                .collect();
            (name.to_string(), columns)
        })
        .collect()
}

/// The value of `key` in a table of the schema.
fn entry<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> &'a DeValue<'i> {
    table
        .get(key)
        .map(|v| v.get_ref())
        .unwrap_or_else(|| panic!("schema: no entry `{key}`"))
}

/// A schema value that must be a table (`what` names it).
fn as_table<'a, 'i>(value: &'a DeValue<'i>, what: &str) -> &'a DeTable<'i> {
    value
        .as_table()
        .unwrap_or_else(|| panic!("schema: `{what}` is not a table"))
}

/// The entries of a table in the order they appear in the file (the parsed
/// table itself is ordered by key).
fn in_file_order<'a, 'i>(table: &'a DeTable<'i>) -> Vec<(&'a str, &'a DeValue<'i>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
        .into_iter()
        .map(|(k, v)| (k.get_ref().as_ref(), v.get_ref()))
        .collect()
}

/// Asserts that a written header lists exactly the schema's columns, in
/// the schema's order; a pattern column stands for one or more consecutive
/// columns it matches.
fn assert_canonical_header(table: &str, header: &str, columns: &[Column]) {
    let written: Vec<&str> = header.split(',').collect();
    let mut at = 0;
    for column in columns {
        let n = if column.name.ends_with('*') {
            written[at..]
                .iter()
                .take_while(|w| column.matches(w))
                .count()
        } else {
            usize::from(written.get(at).is_some_and(|w| column.matches(w)))
        };
        assert!(
            n > 0,
            "{table}: expected `{}` as column {} of `{header}`",
            column.name,
            at + 1
        );
        at += n;
    }
    assert!(
        at == written.len(),
        "{table}: columns not in the schema: {:?}",
        &written[at..]
    );
}

/// The schema's columns of a written header: for each written column, the
/// schema column it matches.
fn typed_header<'a>(table: &str, header: &str, columns: &'a [Column]) -> Vec<&'a Column> {
    header
        .split(',')
        .map(|h| {
            columns
                .iter()
                .find(|c| c.matches(h))
                .unwrap_or_else(|| panic!("{table}: `{h}` is not in the schema"))
        })
        .collect()
}

fn gen_into(dir: &Path, scenario: Scenario, seed: u64) {
    let cfg = SynthConfig::new(scenario, 5_000, seed);
    let summary = generate(&cfg, dir, &mut |_| {}).expect("generate");
    assert!(summary.rows["contacts"] > 3_000);
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).expect(rel)
}

fn all_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).expect("prefix").display().to_string();
                out.insert(rel, std::fs::read(&p).expect("file"));
            }
        }
    }
    out
}

fn ts(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").expect(s)
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect(s)
}

fn rows(text: &str) -> Vec<Vec<&str>> {
    text.lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect()
}

#[test]
fn same_seed_gives_identical_bytes_and_different_seed_differs() {
    let a = tempfile::tempdir().expect("tmp");
    let b = tempfile::tempdir().expect("tmp");
    let c = tempfile::tempdir().expect("tmp");
    gen_into(a.path(), Scenario::Baseline, 7);
    gen_into(b.path(), Scenario::Baseline, 7);
    gen_into(c.path(), Scenario::Baseline, 8);
    let fa = all_files(a.path());
    let fb = all_files(b.path());
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(v == &fb[k], "{k} differs between identical runs");
    }
    assert_ne!(
        read(a.path(), "data/contacts.csv"),
        read(c.path(), "data/contacts.csv")
    );
}

/// The data files of a generated folder, by table name.
fn data_tables(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("data"))
        .expect("data")
        .map(|e| {
            let name = e.expect("entry").file_name().to_string_lossy().into_owned();
            name.strip_suffix(".csv")
                .unwrap_or_else(|| panic!("data/{name} is not a CSV table"))
                .to_string()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn layout_and_headers_are_exact() {
    let schema = schema_tables();
    let mut canonical: Vec<String> = schema.iter().map(|(name, _)| name.clone()).collect();
    canonical.sort();
    for scenario in [Scenario::Baseline, Scenario::Followup] {
        let dir = tempfile::tempdir().expect("tmp");
        gen_into(dir.path(), scenario, 3);
        // Exactly the schema's tables, each with exactly its columns.
        assert_eq!(data_tables(dir.path()), canonical);
        for (name, columns) in &schema {
            let text = read(dir.path(), &format!("data/{name}.csv"));
            let header = text.lines().next().unwrap_or_default();
            assert_canonical_header(name, header, columns);
        }
        for doc in [
            "evidence.toml",
            "docs/direction.md",
            "docs/business-plan.md",
            "docs/survey-design.md",
            "docs/escalation-policy.md",
        ] {
            assert!(dir.path().join(doc).is_file(), "{doc}");
        }
        let reviews = std::fs::read_dir(dir.path().join("docs/reviews"))
            .expect("reviews")
            .count();
        match scenario {
            Scenario::Followup => assert_eq!(reviews, 6),
            Scenario::Baseline => assert!((1..6).contains(&reviews)),
        }
        // Every row has as many fields as the header (quote-aware count).
        for name in &canonical {
            let text = read(dir.path(), &format!("data/{name}.csv"));
            let want = text.lines().next().unwrap_or_default().split(',').count();
            for (i, line) in text.lines().enumerate() {
                let mut quoted = false;
                let mut n = 1;
                for ch in line.chars() {
                    match ch {
                        '"' => quoted = !quoted,
                        ',' if !quoted => n += 1,
                        _ => {}
                    }
                }
                assert_eq!(n, want, "{name} line {}", i + 1);
            }
        }
        let toml = read(dir.path(), "evidence.toml");
        assert!(toml.contains("start = 2026-01-01\nend = 2026-06-30"));
        assert!(toml.contains("contacts = { path = \"data/contacts.csv\" }"));
        assert!(toml.contains("review_minutes = \"docs/reviews\""));
    }
}

#[test]
fn tables_are_internally_consistent() {
    for scenario in [Scenario::Baseline, Scenario::Followup] {
        let dir = tempfile::tempdir().expect("tmp");
        gen_into(dir.path(), scenario, 11);
        let contacts = read(dir.path(), "data/contacts.csv");
        let intervals = read(dir.path(), "data/intervals.csv");
        let agents = read(dir.path(), "data/agents.csv");

        // Arrivals per queue and 30-minute interval (synchronous channels).
        let mut arrivals: HashMap<(String, String), u32> = HashMap::new();
        let mut voice: HashMap<&str, Vec<(NaiveDateTime, NaiveDateTime)>> = HashMap::new();
        let mut handled: Vec<(&str, NaiveDate)> = Vec::new();
        for r in rows(&contacts) {
            assert_eq!(r.len(), 15);
            let arrived = ts(r[5]);
            let ch = r[2];
            if matches!(ch, "voice" | "chat" | "messaging") {
                let slot = arrived.format("%Y-%m-%dT%H").to_string()
                    + if arrived.format("%M").to_string().as_str() < "30" {
                        ":00:00"
                    } else {
                        ":30:00"
                    };
                *arrivals.entry((r[3].to_string(), slot)).or_default() += 1;
            }
            if !r[6].is_empty() {
                let answered = ts(r[6]);
                let ended = ts(r[7]);
                assert!(arrived <= answered && answered <= ended, "{}", r[0]);
                assert!(!r[4].is_empty(), "answered without agent: {}", r[0]);
                handled.push((r[4], answered.date()));
                if ch == "voice" {
                    voice.entry(r[4]).or_default().push((answered, ended));
                }
            }
            if r[11] == "true" {
                assert!(r[4].is_empty() && r[6].is_empty());
            }
            if ch == "self_service" {
                assert!(r[4].is_empty() && r[11] == "false");
            }
        }
        // intervals.actual_contacts equals arrivals, and every arrival is in a row.
        let mut total = 0;
        for r in rows(&intervals) {
            let actual: f64 = r[4].parse().expect("actual");
            let key = (r[0].to_string(), r[1].to_string());
            assert_eq!(
                actual as u32,
                arrivals.get(&key).copied().unwrap_or(0),
                "{key:?}"
            );
            total += actual as u32;
        }
        assert_eq!(total, arrivals.values().sum::<u32>());
        // No agent handles two voice contacts at once.
        for (agent, mut v) in voice {
            v.sort();
            for w in v.windows(2) {
                assert!(w[1].0 >= w[0].1, "{agent} overlaps at {}", w[1].0);
            }
        }
        // Every handled contact falls in an employment spell of its agent.
        let mut spells: HashMap<&str, Vec<(NaiveDate, Option<NaiveDate>)>> = HashMap::new();
        for r in rows(&agents) {
            let exit = (!r[6].is_empty()).then(|| date(r[6]));
            spells.entry(r[0]).or_default().push((date(r[4]), exit));
        }
        for (agent, day) in handled {
            let ok = spells[agent]
                .iter()
                .any(|&(h, e)| h <= day && e.is_none_or(|e| e > day));
            assert!(ok, "{agent} handled a contact on {day} outside employment");
        }
        // Follow-up: nobody handles live contacts before certification.
        if scenario == Scenario::Followup {
            let text = read(dir.path(), "data/contacts.csv");
            for r in rows(&text) {
                if r[6].is_empty() {
                    continue;
                }
                let day = ts(r[6]).date();
                let certified = spells[r[4]]
                    .iter()
                    .any(|&(h, e)| h <= day && e.is_none_or(|e| e > day))
                    && rows(&agents).iter().any(|a| {
                        a[0] == r[4] && !a[5].is_empty() && date(a[5]) <= day && date(a[4]) <= day
                    });
                assert!(certified, "{} handled before certification", r[4]);
            }
        }
    }
}

/// Positions of the written columns the schema types as timestamps.
fn timestamp_columns(table: &str, header: &str, columns: &[Column]) -> Vec<usize> {
    typed_header(table, header, columns)
        .iter()
        .enumerate()
        .filter(|(_, c)| c.kind == "timestamp")
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn no_timestamp_falls_in_a_dst_gap() {
    use chrono::TimeZone;
    let tz = chrono_tz::Europe::Lisbon;
    // The default period (January to June 2026) contains 2026-03-29, when
    // Lisbon clocks jump from 01:00 to 02:00.
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = SynthConfig::new(Scenario::Followup, 40_000, 5);
    generate(&cfg, dir.path(), &mut |_| {}).expect("generate");
    assert!(read(dir.path(), "evidence.toml").contains("time_zone = \"Europe/Lisbon\""));
    let mut checked = 0;
    let mut after_gap = 0;
    for (name, columns) in schema_tables() {
        let text = read(dir.path(), &format!("data/{name}.csv"));
        let header = text.lines().next().unwrap_or_default();
        let cols = timestamp_columns(&name, header, &columns);
        for r in rows(&text) {
            for &c in &cols {
                let Some(v) = r.get(c).filter(|v| !v.is_empty()) else {
                    continue;
                };
                let t = ts(v);
                assert!(
                    !matches!(tz.from_local_datetime(&t), chrono::LocalResult::None),
                    "{name}: `{v}` does not exist in Europe/Lisbon"
                );
                checked += 1;
                if v.starts_with("2026-03-29T02:") {
                    after_gap += 1;
                }
            }
        }
    }
    assert!(checked > 100_000, "{checked}");
    // The night of the change is simulated, not skipped.
    assert!(after_gap > 0);
    // Responses never precede invitations, answers never precede arrivals.
    let surveys = read(dir.path(), "data/surveys.csv");
    for r in rows(&surveys) {
        if !r[6].is_empty() {
            assert!(ts(r[5]) <= ts(r[6]), "{}", r[0]);
        }
    }
}

#[test]
fn kpi_tables_use_engine_keys_and_units() {
    const UNITS: [(&str, &str); 14] = [
        ("service_level", "ratio"),
        ("asa_seconds", "seconds"),
        ("abandon_rate", "ratio"),
        ("fcr_rate", "ratio"),
        ("csat_top2", "ratio"),
        ("nps", "points"),
        ("attrition_annualized", "ratio"),
        ("absence_rate", "ratio"),
        ("schedule_adherence", "ratio"),
        ("occupancy", "ratio"),
        ("utilisation", "ratio"),
        ("contacts_per_order", "contacts per order"),
        ("cost_per_order", "EUR"),
        ("forecast_wape", "ratio"),
    ];
    let unit_of = |k: &str| UNITS.iter().find(|u| u.0 == k).map(|u| u.1);
    for scenario in [Scenario::Baseline, Scenario::Followup] {
        let dir = tempfile::tempdir().expect("tmp");
        gen_into(dir.path(), scenario, 4);
        let targets = read(dir.path(), "data/kpi_targets.csv");
        let mut n = 0;
        for r in rows(&targets) {
            let unit = unit_of(r[0]).unwrap_or_else(|| panic!("unknown KPI {}", r[0]));
            assert_eq!(r[4], unit, "{}", r[0]);
            let target: f64 = r[2].parse().expect("target");
            if unit == "ratio" && !matches!(r[0], "attrition_annualized" | "forecast_wape") {
                assert!((0.0..=1.0).contains(&target), "{} {target}", r[0]);
            }
            if scenario == Scenario::Followup {
                let base: f64 = r[5].parse().expect("baseline");
                assert!((target - base).abs() > 1e-9, "{}", r[0]);
            }
            n += 1;
        }
        match scenario {
            Scenario::Baseline => assert!(n < 14),
            Scenario::Followup => assert_eq!(n, 14),
        }
        let results = read(dir.path(), "data/kpi_results.csv");
        for r in rows(&results) {
            let unit = unit_of(r[0]).unwrap_or_else(|| panic!("unknown KPI {}", r[0]));
            let v: f64 = r[3].parse().expect("value");
            if unit == "ratio" && !matches!(r[0], "attrition_annualized" | "forecast_wape") {
                assert!((0.0..=1.0).contains(&v), "{} {} {v}", r[0], r[2]);
            }
        }
    }
}

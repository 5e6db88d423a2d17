//! `cxaudit kpis`: the visibility view of an operation straight from its
//! canonical tables, no pack needed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use cxaudit::evidence::{EvidenceStore, TableHashes, load_manifest};
use cxaudit::pack::EvidenceSchema;
use cxaudit::plugins::EvidenceAccess;
use cxaudit_kpis::evaluator::first_of;
use cxaudit_kpis::{Evidence, GroupBy, GroupKpis, Kpi, KpiOptions, KpiReport, KpiValue};
use cxaudit_metrics::people::AnnualisationMethod;
use cxaudit_metrics::service::ServiceLevelVariant;
use cxaudit_plugin_sdk::Table;
use cxaudit_reports::text::csv_text;
use serde_json::{Map, Value, json};

use super::{InputError, load_pack};
use crate::progress::ProgressDisplay;

/// Grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum By {
    /// Local calendar month.
    Month,
    /// ISO week.
    Week,
    /// Local day.
    Day,
    /// Queue.
    Queue,
    /// Channel.
    Channel,
    /// Agent.
    Agent,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum KpiFormat {
    /// Aligned text.
    #[default]
    Table,
    /// JSON with definitions.
    Json,
    /// CSV, one row per group.
    Csv,
}

/// Service-level variant (DOMAIN §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum SlVariant {
    /// answered within T / (offered - abandons within the short-abandon threshold).
    #[default]
    ExcludeShortAbandons,
    /// answered within T / offered.
    Offered,
    /// answered within T / answered.
    Answered,
    /// (answered within T + abandoned within T) / offered.
    AnsweredAndAbandoned,
}

/// Attrition annualisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum AttritionMethod {
    /// Sum of monthly rates, scaled to 12 months.
    #[default]
    Sum,
    /// 12 x mean monthly rate.
    TimesTwelve,
    /// 1 - (1 - mean monthly rate)^12.
    Compounding,
}

/// Arguments of `cxaudit kpis`.
#[derive(Debug, Args)]
pub struct KpisArgs {
    /// The evidence folder (with evidence.toml).
    #[arg(long, value_name = "DIR")]
    pub evidence: PathBuf,
    /// Group by; without it, one group over the whole evidence.
    #[arg(long, value_enum)]
    pub by: Option<By>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: KpiFormat,
    /// A pack whose evidence schema to read the tables with (default: cx-ops).
    #[arg(long, value_name = "DIR")]
    pub pack: Option<PathBuf>,
    /// Service-level threshold T, seconds.
    #[arg(long, default_value_t = 20.0)]
    pub sl_threshold: f64,
    /// Service-level variant.
    #[arg(long, value_enum, default_value_t)]
    pub sl_variant: SlVariant,
    /// Short-abandon threshold, seconds.
    #[arg(long, default_value_t = 5.0)]
    pub short_abandon_seconds: f64,
    /// FCR repeat window, days.
    #[arg(long, default_value_t = 7)]
    pub fcr_window_days: u32,
    /// Attrition annualisation method.
    #[arg(long, value_enum, default_value_t)]
    pub attrition_method: AttritionMethod,
}

/// The built-in cx-ops pack's evidence schema, used when no `--pack` is given.
fn cx_ops_schema() -> anyhow::Result<EvidenceSchema> {
    let cx_ops = &cxaudit::pack::builtin::CX_OPS;
    let name = "evidence-schema.toml";
    let text = cx_ops
        .file(name)
        .ok_or_else(|| anyhow::anyhow!("the built-in {} pack has no {name}", cx_ops.name))?;
    let file = Path::new(cx_ops.name).join(name);
    Ok(cxaudit::pack::parse_schema(&file, text)?)
}

/// Loads the tables the KPIs read, reporting unusable ones on stderr.
fn load_store(dir: &Path, schema: &EvidenceSchema, quiet: bool) -> anyhow::Result<EvidenceStore> {
    let manifest = load_manifest(dir)?;
    let mut display = ProgressDisplay::new(quiet);
    // No inventory is shown: the files are not hashed.
    let wanted = wanted_columns(schema);
    let store = EvidenceStore::load_hashing(
        manifest,
        schema,
        &wanted,
        TableHashes::Skipped,
        &mut |step| display.show(step),
    );
    display.finish();
    for w in &store.warnings {
        eprintln!("warning: {w}");
    }
    for e in store.inventory.iter().filter(|e| e.status == "failed") {
        eprintln!("warning: {} unusable: {}", e.path, e.messages.join("; "));
    }
    Ok(store)
}

fn time_zone(store: &EvidenceStore) -> String {
    store
        .manifest
        .defaults
        .time_zone
        .clone()
        .unwrap_or_else(|| "UTC".to_owned())
}

/// Runs `cxaudit kpis`.
pub fn run(args: &KpisArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let schema = match &args.pack {
        Some(dir) => load_pack(dir)?.schema,
        None => cx_ops_schema()?,
    };
    let store = load_store(&args.evidence, &schema, quiet)?;
    let options = options(
        args,
        &time_zone(&store),
        store.manifest.start,
        store.manifest.end,
    )?;
    let evidence = evidence_of(&store);
    let group_by = match args.by {
        None => GroupBy::All,
        Some(By::Month) => GroupBy::Month,
        Some(By::Week) => GroupBy::Week,
        Some(By::Day) => GroupBy::Day,
        Some(By::Queue) => GroupBy::Queue,
        Some(By::Channel) => GroupBy::Channel,
        Some(By::Agent) => GroupBy::Agent,
    };
    let report = cxaudit_kpis::compute(&evidence, group_by, &options);
    match args.format {
        KpiFormat::Json => println!("{}", serde_json::to_string_pretty(&to_json(&report))?),
        KpiFormat::Csv => print!("{}", to_csv(&report)?),
        KpiFormat::Table => print!("{}", to_text(&report)),
    }
    Ok(ExitCode::SUCCESS)
}

fn options(
    args: &KpisArgs,
    tz: &str,
    start: chrono::NaiveDate,
    end: chrono::NaiveDate,
) -> anyhow::Result<KpiOptions> {
    let mut o = KpiOptions::default()
        .with_time_zone(tz)
        .map_err(InputError)?
        .with_period(start, end);
    if !(args.sl_threshold >= 0.0 && args.short_abandon_seconds >= 0.0) {
        return Err(
            InputError("--sl-threshold and --short-abandon-seconds must be >= 0".into()).into(),
        );
    }
    o.sl_threshold_seconds = args.sl_threshold;
    o.short_abandon_seconds = args.short_abandon_seconds;
    o.sl_variant = match args.sl_variant {
        SlVariant::ExcludeShortAbandons => {
            ServiceLevelVariant::AnsweredOverOfferedExcludingShortAbandons {
                short_abandon_seconds: args.short_abandon_seconds,
            }
        }
        SlVariant::Offered => ServiceLevelVariant::AnsweredOverOffered,
        SlVariant::Answered => ServiceLevelVariant::AnsweredOverAnswered,
        SlVariant::AnsweredAndAbandoned => {
            ServiceLevelVariant::AnsweredAndAbandonedWithinOverOffered
        }
    };
    o.fcr_window_days = args.fcr_window_days;
    // One computation on an otherwise idle machine: FCR on every core.
    o.fcr_threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    o.attrition_method = match args.attrition_method {
        AttritionMethod::Sum => AnnualisationMethod::SumOfMonths,
        AttritionMethod::TimesTwelve => AnnualisationMethod::TimesTwelve,
        AttritionMethod::Compounding => AnnualisationMethod::Compounding,
    };
    Ok(o)
}

/// The columns the KPIs read, per table, as the store wants them.
fn wanted_columns(schema: &EvidenceSchema) -> BTreeMap<String, BTreeSet<String>> {
    cxaudit_kpis::table_needs()
        .into_iter()
        .filter(|t| schema.tables.contains_key(&t.name))
        .map(|t| (t.name, t.columns.into_iter().map(|c| c.name).collect()))
        .collect()
}

/// The loaded tables as the KPI crate reads them (batches shared, not copied).
fn evidence_of(store: &EvidenceStore) -> Evidence {
    let get = |name: &str| {
        store
            .table(name)
            .ok()
            .map(|(schema, batches)| Table::new(name, schema, batches))
    };
    Evidence {
        contacts: get("contacts"),
        intervals: get("intervals"),
        agents: get("agents"),
        adherence: get("adherence"),
        surveys: get("surveys"),
        business_daily: get("business_daily"),
    }
}

fn to_json(report: &KpiReport) -> Value {
    let definitions: Map<String, Value> = report
        .definitions
        .iter()
        .map(|d| {
            let v = json!({ "unit": d.unit, "source": d.source, "definition": d.definition, "parameters": d.parameters });
            (d.kpi.key().to_owned(), v)
        })
        .collect();
    let groups: Vec<Value> = report
        .groups
        .iter()
        .map(|g| {
            let mut obj = Map::new();
            obj.insert("group".into(), json!(g.group));
            let mut notes = Map::new();
            for kpi in Kpi::ALL {
                let value = &g.values[&kpi];
                obj.insert(
                    kpi.key().into(),
                    value.value().map_or(Value::Null, |v| json!(v)),
                );
                match value {
                    KpiValue::Unavailable(why) => {
                        notes.insert(kpi.key().into(), json!(format!("unavailable: {why}")));
                    }
                    KpiValue::NoData(why) => {
                        notes.insert(kpi.key().into(), json!(format!("no data: {why}")));
                    }
                    KpiValue::Value(_) => {
                        if let Some(note) = g.note(kpi) {
                            notes.insert(kpi.key().into(), json!(note));
                        }
                    }
                }
            }
            obj.insert("notes".into(), Value::Object(notes));
            if !g.coverage.is_empty() {
                obj.insert("coverage".into(), coverage_json(g));
            }
            Value::Object(obj)
        })
        .collect();
    json!({ "group_by": report.group_by, "definitions": definitions, "groups": groups })
}

/// The days each same-days ratio of a group was summed over, by KPI key.
fn coverage_json(g: &GroupKpis) -> Value {
    let by_kpi: Map<String, Value> = g
        .coverage
        .iter()
        .map(|(kpi, c)| {
            let v = json!({
                "days_used": c.days_used,
                "days_left_out": c.days_left_out(),
                "left_out_days": c.left_out,
            });
            (kpi.key().to_owned(), v)
        })
        .collect();
    Value::Object(by_kpi)
}

/// CSV, one row per group. The group label is a text cell (an agent id,
/// a queue name), neutralised against spreadsheet formulas; the values are
/// numbers as cxaudit writes them.
fn to_csv(report: &KpiReport) -> Result<String, csv::Error> {
    let same_days: Vec<Kpi> = Kpi::ALL
        .into_iter()
        .filter(|k| k.sums_over_same_days())
        .collect();
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(csv_header(&same_days))?;
    for g in &report.groups {
        w.write_record(csv_row(g, &same_days))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 strings is UTF-8"))
}

/// `group`, every KPI key, then the days left out of each same-days ratio.
fn csv_header(same_days: &[Kpi]) -> Vec<String> {
    let mut header = vec!["group".to_owned()];
    header.extend(Kpi::ALL.iter().map(|k| k.key().to_owned()));
    header.extend(
        same_days
            .iter()
            .map(|k| format!("{}_days_left_out", k.key())),
    );
    header
}

/// One group's row: the label as a text cell, values and day counts as numbers.
fn csv_row(g: &GroupKpis, same_days: &[Kpi]) -> Vec<String> {
    let mut row = vec![csv_text(&g.group)];
    row.extend(
        Kpi::ALL
            .iter()
            .map(|k| g.value(*k).map_or_else(String::new, |v| format!("{v}"))),
    );
    row.extend(same_days.iter().map(|k| {
        g.coverage(*k)
            .map_or_else(String::new, |c| c.days_left_out().to_string())
    }));
    row
}

fn shown(kpi: Kpi, value: &KpiValue) -> String {
    match value {
        KpiValue::Value(v) => match kpi.unit() {
            "ratio" => format!("{:.1}%", v * 100.0),
            "seconds" => format!("{v:.1} s"),
            "contacts" => format!("{v:.0}"),
            "points (-100 to 100)" => format!("{v:.1}"),
            _ => format!("{v:.3}"),
        },
        KpiValue::NoData(_) => "no data".into(),
        KpiValue::Unavailable(_) => "n/a".into(),
    }
}

fn to_text(report: &KpiReport) -> String {
    let mut rows: Vec<Vec<String>> = vec![
        std::iter::once("kpi".to_owned())
            .chain(report.groups.iter().map(|g| g.group.clone()))
            .collect(),
    ];
    for kpi in Kpi::ALL {
        let mut row = vec![kpi.key().to_owned()];
        row.extend(report.groups.iter().map(|g| shown(kpi, &g.values[&kpi])));
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    let missing: Vec<String> = report
        .groups
        .first()
        .map(|g| {
            g.values
                .iter()
                .filter_map(|(k, v)| match v {
                    KpiValue::Unavailable(why) => Some(format!("  {}: {why}", k.key())),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    if !missing.is_empty() {
        out.push_str("\nnot available:\n");
        out.push_str(&missing.join("\n"));
        out.push('\n');
    }
    out.push_str(&noted_text(report));
    out.push_str(&left_out_text(report));
    out
}

/// The notes on values (e.g. a survey figure over a biased sample), per group.
fn noted_text(report: &KpiReport) -> String {
    let lines: Vec<String> = report
        .groups
        .iter()
        .flat_map(|g| {
            g.notes
                .iter()
                .map(move |(kpi, note)| format!("  {} ({}): {note}", kpi.key(), g.group))
        })
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    format!("\nnotes:\n{}\n", lines.join("\n"))
}

/// The days left out of each same-days ratio, per group (empty when none is).
fn left_out_text(report: &KpiReport) -> String {
    let lines: Vec<String> = report
        .groups
        .iter()
        .flat_map(|g| {
            g.coverage
                .iter()
                .filter(|(_, c)| c.days_left_out() > 0)
                .map(move |(kpi, c)| {
                    format!(
                        "  {} ({}): {} day(s) left out, {} used: {}",
                        kpi.key(),
                        g.group,
                        c.days_left_out(),
                        c.days_used,
                        first_of(&c.left_out, 5, |d| d.to_string())
                    )
                })
        })
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    format!(
        "\ndays left out (each ratio is summed over the days that state both of its quantities):\n{}\n",
        lines.join("\n")
    )
}

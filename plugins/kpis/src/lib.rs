//! Contact-centre KPIs computed from cxaudit's canonical evidence tables:
//! the visibility view of an operation, and the one code path that both
//! `cxaudit kpis` and the plugins use, so a plugin's measurement equals
//! the command's figure on the same evidence.
//!
//! The formulas live in `cxaudit-metrics`; this crate decides which rows
//! feed them (which contacts are offered, handled, eligible...), groups
//! them (by month, week, day, queue, channel or agent, in the centre's
//! local time) and states the definition and parameters of every value.

mod accumulate;
pub mod evaluator;
mod evidence;
mod kpi;
mod options;
pub mod targets;

pub use accumulate::{PeriodFcr, contact_timing, period_fcr};
pub use evidence::Evidence;
pub use kpi::{Kpi, KpiValue};
pub use options::{GroupBy, KpiOptions, LocalDays};

use std::collections::BTreeMap;

use cxaudit_plugin_sdk::memo::{Memo, SameTable};
use serde::Serialize;

/// KPI values of one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupKpis {
    /// The group: `all`, `2026-01`, `2026-W03`, `2026-01-15`, a queue, channel or agent.
    pub group: String,
    /// Every KPI, available or not.
    pub values: BTreeMap<Kpi, KpiValue>,
    /// For the ratios of two daily quantities (contacts per order, cost per
    /// order, cost per contact): the days they were summed over and the days
    /// left out.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub coverage: BTreeMap<Kpi, DayCoverage>,
    /// What a reader of a value must know, by KPI: e.g. that a survey figure
    /// rests on a biased sample (`cxaudit_metrics::sample::SampleBasis::flag`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub notes: BTreeMap<Kpi, String>,
}

impl GroupKpis {
    /// The value of a KPI, when it could be computed.
    pub fn value(&self, kpi: Kpi) -> Option<f64> {
        self.values.get(&kpi).and_then(KpiValue::value)
    }

    /// The days a same-days ratio was summed over, when the KPI is one and
    /// was computed from its tables.
    pub fn coverage(&self, kpi: Kpi) -> Option<&DayCoverage> {
        self.coverage.get(&kpi)
    }

    /// The note on a KPI's value, when it has one (e.g. a biased survey sample).
    pub fn note(&self, kpi: Kpi) -> Option<&str> {
        self.notes.get(&kpi).map(String::as_str)
    }
}

/// The days a ratio of two daily quantities is summed over: the local days
/// (evidence time zone) of the group on which both quantities are stated.
/// Days on which only one of them is stated are left out of both sides.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DayCoverage {
    /// The numerator summed over the days used.
    pub numerator: f64,
    /// The denominator summed over the days used.
    pub denominator: f64,
    /// Days on which both quantities are stated.
    pub days_used: u32,
    /// Days on which only one of them is stated, sorted: left out of the ratio.
    pub left_out: Vec<chrono::NaiveDate>,
}

impl DayCoverage {
    /// How many days were left out.
    pub fn days_left_out(&self) -> usize {
        self.left_out.len()
    }
}

/// A KPI's definition as used: unit, formula in words, parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiDefinition {
    /// The KPI.
    pub kpi: Kpi,
    /// Unit.
    pub unit: &'static str,
    /// Source table(s).
    pub source: &'static str,
    /// The definition in words.
    pub definition: String,
    /// Parameters used.
    pub parameters: serde_json::Value,
}

/// KPIs for every group, with their definitions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiReport {
    /// How rows were grouped.
    pub group_by: GroupBy,
    /// Definitions, one per KPI.
    pub definitions: Vec<KpiDefinition>,
    /// Groups, sorted by key.
    pub groups: Vec<GroupKpis>,
}

impl KpiReport {
    /// The values of one group.
    pub fn group(&self, key: &str) -> Option<&GroupKpis> {
        self.groups.iter().find(|g| g.group == key)
    }
}

/// The tables and columns the KPIs read, each table optional: add them to
/// an evaluator's manifest so the host hands it what [`compute`] needs.
pub fn table_needs() -> Vec<cxaudit_plugin_sdk::TableNeed> {
    use cxaudit_plugin_sdk::{ColumnType as T, TableNeed};
    vec![
        TableNeed::optional("contacts")
            .column("customer_id", T::String)
            .column("channel", T::String)
            .column("queue", T::String)
            .column("agent_id", T::String)
            .column("arrived_at", T::Timestamp)
            .column("answered_at", T::Timestamp)
            .column("ended_at", T::Timestamp)
            .column("talk_seconds", T::Float)
            .column("hold_seconds", T::Float)
            .column("wrap_seconds", T::Float)
            .column("abandoned", T::Bool)
            .column("transferred", T::Bool),
        TableNeed::optional("intervals")
            .column("queue", T::String)
            .column("interval_start", T::Timestamp)
            .column("forecast_contacts", T::Float)
            .column("actual_contacts", T::Float),
        TableNeed::optional("agents")
            .column("hired_on", T::Date)
            .column("exited_on", T::Date),
        TableNeed::optional("adherence")
            .column("agent_id", T::String)
            .column("date", T::Date)
            .column("scheduled_minutes", T::Float)
            .column("adherent_minutes", T::Float)
            .column("worked_minutes", T::Float)
            .column("unplanned_absence_minutes", T::Float)
            .optional_column("paid_minutes", T::Float),
        TableNeed::optional("surveys")
            .column("channel", T::String)
            .column("agent_id", T::String)
            .column("invited_at", T::Timestamp)
            .column("responded_at", T::Timestamp)
            .column("csat", T::Integer)
            .column("nps", T::Integer)
            .optional_column("selection", T::String),
        TableNeed::optional("business_daily")
            .column("date", T::Date)
            .column("orders", T::Integer)
            .optional_column("operating_cost", T::Float),
    ]
}

/// Computes the KPIs of [`Kpi::ALL`] the options want (every one by default)
/// from the evidence, grouped.
pub fn compute(evidence: &Evidence, group_by: GroupBy, options: &KpiOptions) -> KpiReport {
    let [report] = compute_each(evidence, [group_by], options);
    report
}

/// [`compute`] under several groupings at once, with one reading of the
/// contacts (and one FCR classification) for all of them: each report equals
/// what [`compute`] gives for its grouping. For an evaluator that wants, say,
/// the period's values and the values per day (`[GroupBy::All, GroupBy::Day]`;
/// [`overall_of`] takes the one group of the first).
pub fn compute_each<const N: usize>(
    evidence: &Evidence,
    groupings: [GroupBy; N],
    options: &KpiOptions,
) -> [KpiReport; N] {
    let mut each = compute_many(evidence, &groupings.map(|by| (by, options))).into_iter();
    groupings.map(|group_by| {
        each.next().unwrap_or_else(|| KpiReport {
            group_by,
            definitions: Vec::new(),
            groups: Vec::new(),
        })
    })
}

/// [`compute`] for several requests, each a grouping with its own options:
/// the requests whose options read the contacts alike (the same time zone,
/// period and FCR window) share one reading of the contacts and one FCR
/// classification. Each report equals what [`compute`] gives for its request
/// (e.g. the monthly KPIs the targets name, and service level on one channel).
///
/// The reports are kept for the next call in this process (a
/// [`Memo`]): another criterion of the same plugin that asks the same of
/// the same tables (the planning plugin's target setting and performance
/// reviews both want the monthly KPIs the targets name) gets them without
/// a second pass over every contact.
pub fn compute_many(evidence: &Evidence, requests: &[(GroupBy, &KpiOptions)]) -> Vec<KpiReport> {
    /// The tables read (each present or not) and the requests.
    type Key = (Vec<Option<SameTable>>, Vec<(GroupBy, KpiOptions)>);
    /// The last reports, by their key.
    static REPORTS: Memo<Key, Vec<KpiReport>> = Memo::new();
    let key = (
        evidence.tables().map(|t| t.map(SameTable::of)).collect(),
        requests.iter().map(|&(by, o)| (by, o.clone())).collect(),
    );
    let reports = REPORTS.get_or(key, || compute_many_afresh(evidence, requests));
    Vec::clone(&reports)
}

/// [`compute_many`] without the memo.
fn compute_many_afresh(evidence: &Evidence, requests: &[(GroupBy, &KpiOptions)]) -> Vec<KpiReport> {
    accumulate::compute_many(evidence, requests)
        .into_iter()
        .zip(requests)
        .map(|(mut groups, &(group_by, options))| {
            groups.sort_by(|a, b| a.group.cmp(&b.group));
            KpiReport {
                group_by,
                definitions: Kpi::ALL
                    .iter()
                    .filter(|k| options.wants(**k))
                    .map(|k| k.definition(options))
                    .collect(),
                groups,
            }
        })
        .collect()
}

/// The KPIs over the whole evidence (one group, `all`).
pub fn overall(evidence: &Evidence, options: &KpiOptions) -> GroupKpis {
    overall_of(compute(evidence, GroupBy::All, options), options)
}

/// The one group of a report computed with [`GroupBy::All`], or every wanted
/// KPI without data when there is none.
pub fn overall_of(report: KpiReport, options: &KpiOptions) -> GroupKpis {
    report
        .groups
        .into_iter()
        .next()
        .unwrap_or_else(|| GroupKpis {
            group: "all".into(),
            values: Kpi::ALL
                .iter()
                .filter(|k| options.wants(**k))
                .map(|k| (*k, KpiValue::NoData("no rows".into())))
                .collect(),
            coverage: BTreeMap::new(),
            notes: BTreeMap::new(),
        })
}

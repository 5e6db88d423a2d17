//! Helpers shared by the workforce evaluators: local time slots, interval
//! rows, limit checks, heatmaps and formatting (KPI targets are
//! `cxaudit_kpis::targets`, re-exported here).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use cxaudit_kpis::Evidence;
use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::time::{LocalDates, local_date_and_second};

/// Weekday labels, Monday first.
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

use cxaudit_kpis::evaluator::optional_column;
pub use cxaudit_kpis::evaluator::{
    Credited, JudgedTarget, KpiTargets, TargetRule, evaluation_from_credits, first_of, kpi_options,
    kpi_targets_need, laxest_param, pct,
};

/// The KPI evidence restricted to the tables an evaluator uses (the KPIs it
/// reads depend on those tables only).
pub fn kpi_evidence(ctx: &Context<'_>, tables: &[&str]) -> Evidence {
    let pick = |name: &str| {
        if tables.contains(&name) {
            ctx.optional_table(name)
        } else {
            None
        }
    };
    Evidence {
        contacts: pick("contacts"),
        intervals: pick("intervals"),
        agents: pick("agents"),
        adherence: pick("adherence"),
        surveys: pick("surveys"),
        business_daily: pick("business_daily"),
    }
}

/// The KPI crate's table needs for the named tables only.
pub fn kpi_table_needs(tables: &[&str]) -> Vec<TableNeed> {
    cxaudit_kpis::table_needs()
        .into_iter()
        .filter(|t| tables.contains(&t.name.as_str()))
        .collect()
}

/// Where a UTC instant falls in the centre's week: weekday (0 = Monday),
/// local minute of the day, local date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalSlot {
    /// Local date.
    pub date: NaiveDate,
    /// Weekday, 0 = Monday.
    pub weekday: usize,
    /// Minutes since local midnight.
    pub minute: u32,
}

impl LocalSlot {
    /// The slot of a UTC instant (seconds) in `tz`.
    pub fn of(seconds: i64, tz: Tz) -> Option<Self> {
        local_date_and_second(seconds, tz).map(Self::from_local)
    }

    /// [`Self::of`] with the zone's offsets looked up once per hour (`dates`
    /// in the zone): the hot loop of a pass over contacts.
    #[inline]
    pub fn at(seconds: i64, dates: &mut LocalDates) -> Option<Self> {
        dates.date_and_second(seconds).map(Self::from_local)
    }

    /// The slot of a local date and second of that day.
    #[inline]
    fn from_local((date, second): (NaiveDate, u32)) -> Self {
        LocalSlot {
            date,
            weekday: date.weekday().num_days_from_monday() as usize,
            minute: second / 60,
        }
    }

    /// Local hour of the day.
    pub fn hour(&self) -> usize {
        (self.minute / 60) as usize
    }

    /// `YYYY-MM-DD HH:MM`.
    pub fn label(&self) -> String {
        format!("{} {}", self.date.format("%Y-%m-%d"), clock(self.minute))
    }
}

/// `HH:MM` of a minute of the day.
pub fn clock(minute: u32) -> String {
    format!("{:02}:{:02}", minute / 60 % 24, minute % 60)
}

/// `Mon 09:00`.
pub fn weekday_hour_label(weekday: usize, hour: usize) -> String {
    format!("{} {:02}:00", WEEKDAYS[weekday % 7], hour)
}

/// The `interval_local` and `weekday_hour` cells of a drill-down row for a
/// UTC start: the local label (the seconds when the start has no local time)
/// and `Mon 09:00` (empty then).
pub fn slot_cells(start: i64, tz: Tz) -> [serde_json::Value; 2] {
    let slot = LocalSlot::of(start, tz);
    [
        slot.map_or_else(|| start.to_string(), |s| s.label()).into(),
        slot.map_or_else(String::new, |s| weekday_hour_label(s.weekday, s.hour()))
            .into(),
    ]
}

/// One row of the `intervals` table.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalRow {
    /// Queue.
    pub queue: String,
    /// Start, UTC seconds.
    pub start: i64,
    /// Length in minutes.
    pub minutes: i64,
    /// Forecast contacts.
    pub forecast: f64,
    /// Actual contacts.
    pub actual: f64,
    /// Forecast AHT, seconds.
    pub forecast_aht: Option<f64>,
    /// Actual AHT, seconds.
    pub actual_aht: Option<f64>,
    /// The WFM tool's required agents.
    pub required: Option<f64>,
    /// Scheduled agents.
    pub scheduled: f64,
    /// The channel the planning queue serves, when the export states it.
    pub channel: Option<String>,
}

/// Interval rows and the number of rows skipped for empty or invalid cells.
#[derive(Debug, Clone, Default)]
pub struct IntervalRows {
    /// Usable rows, in file order.
    pub rows: Vec<IntervalRow>,
    /// Rows skipped (empty key, negative or non-finite volume or staff).
    pub skipped: usize,
}

pub(crate) fn finite_non_negative(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite() && *x >= 0.0)
}

/// Reads the `intervals` table. AHT and required-agent columns are read
/// when present; the key, volume and staff columns are required.
pub fn read_intervals(t: &Table) -> Result<IntervalRows, EvalError> {
    let queue: Vec<Option<&str>> = t.strs("queue")?.collect();
    let start: Vec<Option<i64>> = t.timestamps("interval_start")?.collect();
    let minutes: Vec<Option<i64>> = t.i64s("interval_minutes")?.collect();
    let forecast: Vec<Option<f64>> = t.f64s("forecast_contacts")?.collect();
    let actual: Vec<Option<f64>> = t.f64s("actual_contacts")?.collect();
    let optional = |name: &str| optional_column(t, name, |n| t.f64s(n));
    let f_aht = optional("forecast_aht_seconds")?;
    let a_aht = optional("actual_aht_seconds")?;
    let required = optional("required_agents")?;
    let scheduled = optional("scheduled_agents")?;
    let channel = optional_column(t, "channel", |n| t.strs(n))?;
    let mut out = IntervalRows::default();
    for i in 0..t.num_rows() {
        let row = (
            queue[i],
            start[i],
            minutes[i].filter(|m| *m > 0),
            finite_non_negative(forecast[i]),
            finite_non_negative(actual[i]),
        );
        let (Some(q), Some(s), Some(m), Some(f), Some(a)) = row else {
            out.skipped += 1;
            continue;
        };
        out.rows.push(IntervalRow {
            queue: q.to_owned(),
            start: s,
            minutes: m,
            forecast: f,
            actual: a,
            forecast_aht: finite_non_negative(f_aht[i]),
            actual_aht: finite_non_negative(a_aht[i]),
            required: finite_non_negative(required[i]),
            scheduled: finite_non_negative(scheduled[i]).unwrap_or(0.0),
            channel: channel[i].filter(|c| !c.is_empty()).map(str::to_owned),
        });
    }
    Ok(out)
}

/// A pass/fail check that a measured value is at most `limit`.
pub fn at_most(id: &str, what: &str, value: Option<f64>, limit: f64) -> Credited {
    Credited::pass_fail(Check::new(
        id,
        what,
        measured(value),
        format!("<= {limit}"),
        value.is_some_and(|v| v <= limit + 1e-12),
    ))
}

/// A pass/fail check that a measured value is at least `limit`.
pub fn at_least(id: &str, what: &str, value: Option<f64>, limit: f64) -> Credited {
    Credited::pass_fail(Check::new(
        id,
        what,
        measured(value),
        format!(">= {limit}"),
        value.is_some_and(|v| v >= limit - 1e-12),
    ))
}

/// A weekday x hour grid of means.
#[derive(Debug, Clone, Default)]
pub struct WeekGrid {
    cells: BTreeMap<(usize, usize), (f64, usize)>,
}

impl WeekGrid {
    /// Adds a value to a cell.
    pub fn add(&mut self, weekday: usize, hour: usize, value: f64) {
        let c = self.cells.entry((weekday, hour)).or_insert((0.0, 0));
        c.0 += value;
        c.1 += 1;
    }

    /// The mean of a cell.
    pub fn mean(&self, weekday: usize, hour: usize) -> Option<f64> {
        self.cells
            .get(&(weekday, hour))
            .filter(|c| c.1 > 0)
            .map(|c| c.0 / c.1 as f64)
    }

    /// A heatmap: x = the hours that have data, y = Monday..Sunday.
    pub fn chart(&self, id: &str, title: &str, unit: &str) -> Chart {
        let hours: std::collections::BTreeSet<usize> = self.cells.keys().map(|k| k.1).collect();
        let x = hours.iter().map(|h| format!("{h:02}:00")).collect();
        let series = WEEKDAYS
            .iter()
            .enumerate()
            .map(|(d, name)| Series {
                name: (*name).to_owned(),
                values: hours.iter().map(|h| self.mean(d, *h).map(round4)).collect(),
            })
            .collect();
        Chart {
            id: id.to_owned(),
            title: title.to_owned(),
            kind: ChartKind::Heatmap,
            x,
            y: WEEKDAYS.iter().map(|d| (*d).to_owned()).collect(),
            unit: unit.to_owned(),
            series,
        }
    }
}

/// Rounds to 4 decimals (for JSON output).
pub fn round4(x: f64) -> f64 {
    cxaudit_kpis::evaluator::round(x, 4)
}

/// Rounds to 2 decimals.
pub fn round2(x: f64) -> f64 {
    cxaudit_kpis::evaluator::round(x, 2)
}

/// `+6.1%` / `-3.0%`.
pub fn signed_pct(x: f64) -> String {
    format!("{:+.1}%", x * 100.0)
}

/// A measured value for a check: the number, or `null`.
pub fn measured(v: Option<f64>) -> serde_json::Value {
    v.map(|x| serde_json::json!(round4(x)))
        .unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_follow_the_centre_time_zone() {
        // 2026-01-05T08:30:00Z is Monday; in New York (UTC-5) it is 03:30.
        let ts = NaiveDate::from_ymd_opt(2026, 1, 5)
            .and_then(|d| d.and_hms_opt(8, 30, 0))
            .map(|t| t.and_utc().timestamp())
            .unwrap();
        let tz: Tz = "America/New_York".parse().unwrap();
        let s = LocalSlot::of(ts, tz).unwrap();
        assert_eq!((s.weekday, s.minute), (0, 3 * 60 + 30));
        assert_eq!(s.label(), "2026-01-05 03:30");
        // The cached slot is the same, every half hour over the spring switch
        // (2026-03-08 02:00 local), in order and back again.
        let mut dates = LocalDates::new(tz);
        let start = ts + 61 * 86_400;
        let times: Vec<i64> = (0..96).map(|h| start + h * 1800 + 59).collect();
        for &t in times.iter().chain(times.iter().rev()) {
            assert_eq!(LocalSlot::at(t, &mut dates), LocalSlot::of(t, tz), "at {t}");
        }
    }
}

/// Test fixtures shared by the evaluators' tests.
#[cfg(test)]
pub mod fixtures {
    use cxaudit_plugin_sdk::prelude::Evaluation;
    use cxaudit_plugin_sdk::testing::TableBuilder;

    /// The value of a measurement, when the evaluation has one.
    pub fn measurement(e: &Evaluation, name: &str) -> Option<f64> {
        e.measurement(name).and_then(|m| m.value)
    }

    /// A contact for [`contacts`]: channel, arrived, answered, ended,
    /// abandoned, talk seconds.
    pub type Row<'a> = (&'a str, &'a str, Option<&'a str>, &'a str, bool, f64);

    /// A contacts table with every column the KPIs read.
    pub fn contacts(rows: &[Row<'_>]) -> arrow_array::RecordBatch {
        let n = rows.len();
        let ids: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
        TableBuilder::new()
            .strings("contact_id", ids.iter().map(|s| Some(s.as_str())))
            .strings("customer_id", ids.iter().map(|s| Some(s.as_str())))
            .strings("channel", rows.iter().map(|r| Some(r.0)))
            .strings("queue", rows.iter().map(|_| Some("q")))
            .strings(
                "agent_id",
                rows.iter().map(|r| {
                    if r.4 || r.2.is_none() {
                        None
                    } else {
                        Some("A1")
                    }
                }),
            )
            .timestamps("arrived_at", rows.iter().map(|r| Some(r.1)))
            .timestamps("answered_at", rows.iter().map(|r| r.2))
            .timestamps("ended_at", rows.iter().map(|r| Some(r.3)))
            .floats("talk_seconds", rows.iter().map(|r| Some(r.5)))
            .floats("hold_seconds", rows.iter().map(|_| Some(0.0)))
            .floats("wrap_seconds", rows.iter().map(|_| Some(0.0)))
            .bools("abandoned", rows.iter().map(|r| Some(r.4)))
            .bools("transferred", rows.iter().map(|_| Some(false)))
            .build()
    }
}

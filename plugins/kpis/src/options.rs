//! How KPIs are computed and grouped.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use chrono_tz::Tz;
use cxaudit_metrics::people::AnnualisationMethod;
use cxaudit_metrics::service::ServiceLevelVariant;
use cxaudit_plugin_sdk::time::LocalDates;
use serde::Serialize;

use crate::kpi::Kpi;

/// How rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// One group, `all`.
    All,
    /// Local calendar month, `YYYY-MM`.
    Month,
    /// ISO week, `YYYY-Www`.
    Week,
    /// Local calendar day, `YYYY-MM-DD`.
    Day,
    /// Queue.
    Queue,
    /// Channel.
    Channel,
    /// Agent.
    Agent,
}

/// Definitions' parameters. Defaults follow DOMAIN §5.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiOptions {
    /// Service-level answer threshold T, seconds (default 20).
    pub sl_threshold_seconds: f64,
    /// Service-level variant (default: answered within T / (offered - abandons within 5 s)).
    pub sl_variant: ServiceLevelVariant,
    /// Channels whose queues are judged on service level and ASA (default voice, chat, messaging).
    pub service_channels: Vec<String>,
    /// Exclude abandons within the short-abandon threshold from the abandon rate (default no).
    pub abandon_excludes_short: bool,
    /// Short-abandon threshold, seconds (default 5).
    pub short_abandon_seconds: f64,
    /// FCR repeat window, days (default 7).
    pub fcr_window_days: u32,
    /// Attrition annualisation (default: sum of monthly rates scaled to 12 months).
    pub attrition_method: AnnualisationMethod,
    /// The centre's time zone, for local days, weeks and months.
    pub time_zone: Tz,
    /// The assessment period (inclusive): rows whose local date falls
    /// outside it are left out, and monthly attrition runs over its months.
    /// Without one, every row counts and attrition runs over the months
    /// the contacts span.
    pub period: Option<(NaiveDate, NaiveDate)>,
    /// The KPIs to compute (`None`: every KPI). A pass whose KPIs are not
    /// wanted, and which no wanted KPI depends on, does not run, so its
    /// table's groups do not appear either; FCR is classified only when
    /// `fcr_rate` is wanted.
    pub only: Option<BTreeSet<Kpi>>,
    /// Threads the FCR classification may use (default 1; the classes are
    /// the same whatever the number, `cxaudit_metrics::fcr::classify_in_parts`):
    /// `cxaudit kpis` gives it the machine's cores, while evaluators, which
    /// the host already runs side by side, keep one.
    pub fcr_threads: usize,
}

impl Default for KpiOptions {
    fn default() -> Self {
        KpiOptions {
            sl_threshold_seconds: 20.0,
            sl_variant: ServiceLevelVariant::default(),
            service_channels: vec!["voice".into(), "chat".into(), "messaging".into()],
            abandon_excludes_short: false,
            short_abandon_seconds: cxaudit_metrics::service::DEFAULT_SHORT_ABANDON_SECONDS,
            fcr_window_days: cxaudit_metrics::fcr::DEFAULT_WINDOW_DAYS,
            attrition_method: AnnualisationMethod::SumOfMonths,
            time_zone: Tz::UTC,
            period: None,
            only: None,
            fcr_threads: 1,
        }
    }
}

impl KpiOptions {
    /// Parses a time zone name into the options.
    pub fn with_time_zone(mut self, name: &str) -> Result<Self, String> {
        self.time_zone = name
            .parse()
            .map_err(|_| format!("unknown time zone `{name}`"))?;
        Ok(self)
    }

    /// Computes only these KPIs (and the passes they depend on).
    pub fn only(mut self, kpis: &[Kpi]) -> Self {
        self.only = Some(kpis.iter().copied().collect());
        self
    }

    /// Whether a KPI is to be computed.
    pub fn wants(&self, kpi: Kpi) -> bool {
        self.only.as_ref().is_none_or(|only| only.contains(&kpi))
    }

    /// Whether any of these KPIs is to be computed.
    pub fn wants_any(&self, kpis: &[Kpi]) -> bool {
        kpis.iter().any(|k| self.wants(*k))
    }

    /// Sets the period.
    pub fn with_period(mut self, start: NaiveDate, end: NaiveDate) -> Self {
        self.period = Some((start, end));
        self
    }

    /// Whether a row of this local date counts in the KPIs: the date lies
    /// in the period (every row counts without a period; a row without a
    /// date does not count with one). Rows of other days are left out of
    /// every KPI.
    pub fn in_period(&self, date: Option<NaiveDate>) -> bool {
        match (self.period, date) {
            (None, _) => true,
            (Some((start, end)), Some(d)) => d >= start && d <= end,
            (Some(_), None) => false,
        }
    }

    /// The local dates, in the centre's time zone, of instants in UTC
    /// milliseconds: how a contact's arrival is placed on its day, by every
    /// pass over rows (the zone's offset is looked up once per hour).
    pub fn local_days(&self) -> LocalDays {
        LocalDays(LocalDates::new(self.time_zone))
    }
}

/// The local days of many instants ([`KpiOptions::local_days`]).
#[derive(Debug, Clone)]
pub struct LocalDays(LocalDates);

impl LocalDays {
    /// The local date of an instant in UTC milliseconds.
    pub fn of(&mut self, utc_ms: i64) -> Option<NaiveDate> {
        self.0
            .date(cxaudit_plugin_sdk::table::floor_seconds(utc_ms))
    }
}

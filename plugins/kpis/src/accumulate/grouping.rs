//! What every pass shares: local dates, the period filter and group keys.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use crate::options::GroupBy;

pub(crate) use cxaudit_plugin_sdk::time::local_date;

/// The group key of a local date under a time grouping.
pub(super) fn date_key(date: NaiveDate, by: GroupBy) -> String {
    match by {
        GroupBy::Month => format!("{:04}-{:02}", date.year(), date.month()),
        GroupBy::Week => {
            let w = date.iso_week();
            format!("{:04}-W{:02}", w.year(), w.week())
        }
        GroupBy::Day => date.format("%Y-%m-%d").to_string(),
        _ => "all".to_owned(),
    }
}

/// Whether a grouping is by time (month, week or day).
pub(super) fn is_time(by: GroupBy) -> bool {
    matches!(by, GroupBy::Month | GroupBy::Week | GroupBy::Day)
}

/// Caches date keys: many rows share a day.
pub(super) struct DateKeys {
    by: GroupBy,
    cache: HashMap<NaiveDate, String>,
}

impl DateKeys {
    /// An empty cache for a grouping.
    pub(super) fn new(by: GroupBy) -> Self {
        DateKeys {
            by,
            cache: HashMap::new(),
        }
    }

    /// The group key of a local date.
    pub(super) fn key(&mut self, date: NaiveDate) -> String {
        let by = self.by;
        self.cache
            .entry(date)
            .or_insert_with(|| date_key(date, by))
            .clone()
    }
}

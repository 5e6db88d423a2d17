//! What every pass shares: local dates, the period filter and group keys.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use cxaudit_metrics::hash::{FxMap, RecentStrs};

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

/// The group index of each key met so far (into the group counts, which
/// keep first-seen order), looked up by the table's own strings and, for
/// time groupings, by local date, so a row allocates nothing.
#[derive(Default)]
pub(super) struct GroupIds<'a> {
    by_key: FxMap<Cow<'a, str>, u32>,
    /// The groups of the names last met, by where they are.
    recent: RecentStrs<'a>,
    by_date: FxMap<NaiveDate, u32>,
    /// The date last looked up and its group: rows in time order share it.
    last_date: Option<(NaiveDate, u32)>,
}

impl<'a> GroupIds<'a> {
    /// The index of the group named `key`, adding the group when new.
    pub(super) fn of_name<A: Default>(&mut self, key: &'a str, accs: &mut Vec<(String, A)>) -> u32 {
        if let Some(id) = self.recent.get(key) {
            return id;
        }
        let id = match self.by_key.get(key) {
            Some(id) => *id,
            None => Self::add(&mut self.by_key, Cow::Borrowed(key), accs),
        };
        self.recent.put(key, id);
        id
    }

    /// The index of the group of a local date under a time grouping.
    pub(super) fn of_date<A: Default>(
        &mut self,
        date: NaiveDate,
        by: GroupBy,
        accs: &mut Vec<(String, A)>,
    ) -> u32 {
        if let Some((last, id)) = self.last_date
            && last == date
        {
            return id;
        }
        let id = match self.by_date.get(&date) {
            Some(id) => *id,
            None => {
                let key = date_key(date, by);
                let id = match self.by_key.get(key.as_str()) {
                    Some(id) => *id,
                    None => Self::add(&mut self.by_key, Cow::Owned(key), accs),
                };
                self.by_date.insert(date, id);
                id
            }
        };
        self.last_date = Some((date, id));
        id
    }

    /// Adds a group with empty counts.
    fn add<A: Default>(
        by_key: &mut FxMap<Cow<'a, str>, u32>,
        key: Cow<'a, str>,
        accs: &mut Vec<(String, A)>,
    ) -> u32 {
        let id = accs.len() as u32;
        accs.push((key.clone().into_owned(), A::default()));
        by_key.insert(key, id);
        id
    }
}

//! Dates and time zones for evaluators: the assessment period and as-of
//! date as dates, the centre's time zone, local dates and labels of UTC
//! timestamps, and calendar months. Timestamps in evidence tables are UTC
//! instants (seconds); a local day, weekday or hour needs the centre's zone.

use chrono::{Datelike, NaiveDate, TimeZone};
pub use chrono_tz::Tz;

use crate::context::{Context, EvalError};

impl Context<'_> {
    /// The assessment period as dates `(start, end)`, both inclusive.
    pub fn period_dates(&self) -> Result<(NaiveDate, NaiveDate), EvalError> {
        let p = self.period();
        let (start, end) = (
            parse_date("period", &p.start)?,
            parse_date("period", &p.end)?,
        );
        if end < start {
            return Err(EvalError::Failed(format!(
                "the period ends ({end}) before it starts ({start})"
            )));
        }
        Ok((start, end))
    }

    /// The date the assessment is made as of.
    pub fn as_of_date(&self) -> Result<NaiveDate, EvalError> {
        parse_date("as-of", self.as_of())
    }

    /// The centre's time zone.
    pub fn time_zone(&self) -> Result<Tz, EvalError> {
        self.time_zone_name().parse().map_err(|_| {
            EvalError::Failed(format!("unknown time zone `{}`", self.time_zone_name()))
        })
    }
}

/// A `YYYY-MM-DD` date of the request, named `what` in the error.
fn parse_date(what: &str, s: &str) -> Result<NaiveDate, EvalError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| EvalError::Failed(format!("{what} date `{s}`: {e}")))
}

/// The local date of a UTC timestamp (seconds); `None` out of range.
pub fn local_date(ts: i64, tz: Tz) -> Option<NaiveDate> {
    tz.timestamp_opt(ts, 0).single().map(|t| t.date_naive())
}

/// `YYYY-MM-DD HH:MM` in local time (the raw seconds when out of range).
pub fn local_time_label(ts: i64, tz: Tz) -> String {
    tz.timestamp_opt(ts, 0)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| ts.to_string())
}

/// First day of every month overlapping `[start, end]`.
pub fn months_of(start: NaiveDate, end: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut m = start.with_day(1).unwrap_or(start);
    while m <= end {
        out.push(m);
        m = next_month(m);
    }
    out
}

/// First day of the month after `month`.
pub fn next_month(month: NaiveDate) -> NaiveDate {
    let (y, m) = if month.month() == 12 {
        (month.year() + 1, 1)
    } else {
        (month.year(), month.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(NaiveDate::MAX)
}

/// Last day of the month starting `month`.
pub fn month_end(month: NaiveDate) -> NaiveDate {
    next_month(month).pred_opt().unwrap_or(month)
}

/// `YYYY-MM`, the key of a month in KPI series and month labels.
pub fn month_label(month: NaiveDate) -> String {
    format!("{:04}-{:02}", month.year(), month.month())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestHost;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn months_cover_the_period_and_cross_the_year() {
        assert_eq!(
            months_of(d("2025-11-15"), d("2026-01-01")),
            vec![d("2025-11-01"), d("2025-12-01"), d("2026-01-01")]
        );
        assert_eq!(month_end(d("2024-02-01")), d("2024-02-29"));
        assert_eq!(month_end(d("2025-12-01")), d("2025-12-31"));
        assert_eq!(month_label(d("2026-03-01")), "2026-03");
        assert!(months_of(d("2026-02-01"), d("2026-01-31")).is_empty());
    }

    #[test]
    fn local_dates_follow_the_zone_across_midnight_and_daylight_saving() {
        // 2026-03-29 00:30 UTC is 01:30 in Berlin (CET, +1) and 2026-03-28 20:30 in New York (EDT, -4).
        let ts = 1_774_744_200;
        assert_eq!(local_date(ts, Tz::Europe__Berlin), Some(d("2026-03-29")));
        assert_eq!(local_date(ts, Tz::America__New_York), Some(d("2026-03-28")));
        // One hour later Berlin has moved to CEST (+2): 03:30, not 02:30.
        assert_eq!(
            local_time_label(ts + 3600, Tz::Europe__Berlin),
            "2026-03-29 03:30"
        );
    }

    #[test]
    fn the_request_dates_and_zone_are_typed_or_named_errors() {
        let host = TestHost::new()
            .period("2026-01-01", "2026-03-31")
            .as_of("2026-04-02")
            .time_zone("Europe/Berlin");
        host.with_context(|ctx| {
            assert_eq!(
                ctx.period_dates().unwrap(),
                (d("2026-01-01"), d("2026-03-31"))
            );
            assert_eq!(ctx.as_of_date().unwrap(), d("2026-04-02"));
            assert_eq!(ctx.time_zone().unwrap(), Tz::Europe__Berlin);
        });
        TestHost::new()
            .time_zone("Mars/Olympus")
            .with_context(|ctx| {
                let e = ctx.time_zone().unwrap_err().to_string();
                assert!(e.contains("unknown time zone `Mars/Olympus`"), "{e}");
            });
        TestHost::new()
            .period("2026-03-01", "2026-01-01")
            .with_context(|ctx| {
                let e = ctx.period_dates().unwrap_err().to_string();
                assert!(
                    e.contains("ends (2026-01-01) before it starts (2026-03-01)"),
                    "{e}"
                );
            });
    }
}

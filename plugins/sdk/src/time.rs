//! Dates and time zones for evaluators: the assessment period and as-of
//! date as dates, the centre's time zone, local dates and labels of UTC
//! timestamps, and calendar months. Timestamps in evidence tables are UTC
//! instants (seconds); a local day, weekday or hour needs the centre's zone.

use std::collections::HashMap;

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

/// The local date of a UTC timestamp (seconds) and the second of that local
/// day (0 at local midnight); `None` out of range.
pub fn local_date_and_second(ts: i64, tz: Tz) -> Option<(NaiveDate, u32)> {
    use chrono::Timelike;
    let t = tz.timestamp_opt(ts, 0).single()?;
    Some((t.date_naive(), t.num_seconds_from_midnight()))
}

/// Local dates of many UTC timestamps (seconds) in one zone, as
/// [`local_date`] gives them, with the zone's offset looked up once per UTC
/// hour rather than once per timestamp: the hot loop of a pass over a
/// table's rows. Each hour's offset is remembered, not only the last one:
/// rows out of time order (invitations sent hours after their contact,
/// in contact order) come back to hours already looked up.
///
/// An hour whose first and last second have the same offset is taken to have
/// it throughout (no zone of the tz database changes its offset and back
/// within one hour); an hour with a change in it (a daylight-saving switch
/// at a half hour, as on Lord Howe Island) is looked up second by second.
#[derive(Debug, Clone)]
pub struct LocalDates {
    tz: Tz,
    /// Every UTC hour looked up so far and its offset in seconds (`None`:
    /// the offset changes within it, or it is out of range; emptied when it
    /// reaches [`REMEMBERED_HOURS`]).
    hours: HashMap<i64, Option<i64>, ahash::RandomState>,
    /// The span of the last date given: the next timestamp in it takes two
    /// comparisons.
    last: Span,
    /// Spans of recent hours, each at its UTC hour modulo [`RECENT_HOURS`]:
    /// rows a few hours apart and out of order (invitations in contact
    /// order) find their date with a division and two comparisons.
    recent: [Span; RECENT_HOURS],
}

/// UTC seconds `[start, end)` within one hour of one offset and one local
/// day, and that day's date.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: i64,
    end: i64,
    date: Option<NaiveDate>,
    /// The zone's offset over the span, seconds.
    offset: i64,
}

impl Span {
    /// A span covering no second.
    const NONE: Span = Span {
        start: 0,
        end: 0,
        date: None,
        offset: 0,
    };

    /// Whether `ts` lies in the span.
    #[inline]
    fn holds(&self, ts: i64) -> bool {
        self.start <= ts && ts < self.end
    }
}

/// How many hours' spans [`LocalDates`] keeps at hand.
const RECENT_HOURS: usize = 64;

/// How many hours [`LocalDates`] remembers at most: over a century of hours
/// that rows actually fall in (a few MB); a table spread wider starts again.
const REMEMBERED_HOURS: usize = 1 << 20;

impl LocalDates {
    /// Local dates in `tz`.
    pub fn new(tz: Tz) -> Self {
        LocalDates {
            tz,
            hours: HashMap::default(),
            last: Span::NONE,
            recent: [Span::NONE; RECENT_HOURS],
        }
    }

    /// The local date of a UTC timestamp (seconds); `None` out of range.
    #[inline]
    pub fn date(&mut self, ts: i64) -> Option<NaiveDate> {
        if self.last.holds(ts) {
            self.last.date
        } else {
            self.date_outside_last_span(ts)
        }
    }

    /// The local date and second of the day of a UTC timestamp (seconds),
    /// as [`local_date_and_second`] gives them, with the offset found as
    /// [`Self::date`] finds it; `None` out of range.
    #[inline]
    pub fn date_and_second(&mut self, ts: i64) -> Option<(NaiveDate, u32)> {
        let date = self.date(ts)?;
        if !self.last.holds(ts) {
            // An hour with a switch in it, looked up second by second.
            return local_date_and_second(ts, self.tz);
        }
        let second = (ts + self.last.offset).rem_euclid(86_400) as u32;
        Some((date, second))
    }

    /// [`Self::date`] of a timestamp outside the last span: from the span
    /// kept for its hour, else from its hour's offset and its local day.
    fn date_outside_last_span(&mut self, ts: i64) -> Option<NaiveDate> {
        let hour = ts.div_euclid(3600);
        let slot = hour.rem_euclid(RECENT_HOURS as i64) as usize;
        if self.recent[slot].holds(ts) {
            self.last = self.recent[slot];
            return self.last.date;
        }
        let Some(offset) = self.offset_of_hour(hour) else {
            return local_date(ts, self.tz);
        };
        let day = (ts + offset).div_euclid(86_400);
        // The hour and the local day overlap in at least `ts` itself.
        self.last = Span {
            start: (hour * 3600).max(day * 86_400 - offset),
            end: ((hour + 1) * 3600).min((day + 1) * 86_400 - offset),
            date: date_of_day_number(day),
            offset,
        };
        self.recent[slot] = self.last;
        self.last.date
    }

    /// [`Self::whole_hour_offset`], remembered.
    fn offset_of_hour(&mut self, hour: i64) -> Option<i64> {
        if let Some(offset) = self.hours.get(&hour) {
            return *offset;
        }
        if self.hours.len() >= REMEMBERED_HOURS {
            self.hours.clear();
        }
        let offset = self.whole_hour_offset(hour);
        self.hours.insert(hour, offset);
        offset
    }

    /// The offset in force over the whole of a UTC hour (`None` when it
    /// changes within the hour).
    fn whole_hour_offset(&self, hour: i64) -> Option<i64> {
        use chrono::Offset;
        let offset = |ts: i64| {
            chrono::DateTime::from_timestamp(ts, 0).map(|t| {
                i64::from(
                    self.tz
                        .offset_from_utc_datetime(&t.naive_utc())
                        .fix()
                        .local_minus_utc(),
                )
            })
        };
        let first = offset(hour.checked_mul(3600)?)?;
        (offset(hour * 3600 + 3599)? == first).then_some(first)
    }
}

/// The date `days` days after 1970-01-01 (`None` out of range).
fn date_of_day_number(days: i64) -> Option<NaiveDate> {
    const DAYS_FROM_CE_TO_1970: i64 = 719_163;
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(days + DAYS_FROM_CE_TO_1970).ok()?)
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
    fn cached_local_dates_match_across_switches_and_odd_offsets() {
        let zones = [
            Tz::Europe__Berlin,
            Tz::America__New_York,
            Tz::Asia__Kolkata,
            Tz::Asia__Kathmandu,
            Tz::America__St_Johns,
            Tz::Australia__Lord_Howe,
            Tz::Pacific__Apia,
            Tz::UTC,
        ];
        // Every minute of the days around each switch of 2026 (and Apia's skipped
        // day of 2011), in time order and back again.
        let days = [
            "2011-12-29",
            "2011-12-30",
            "2026-03-29",
            "2026-03-08",
            "2026-04-05",
            "2026-10-04",
            "2026-10-25",
            "2026-11-01",
        ];
        for tz in zones {
            let mut dates = LocalDates::new(tz);
            for day in days {
                let start = d(day).and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp() - 86_400;
                let minutes: Vec<i64> = (0..3 * 1440).map(|m| start + 60 * m - 1).collect();
                for &ts in minutes.iter().chain(minutes.iter().rev()) {
                    assert_eq!(dates.date(ts), local_date(ts, tz), "{tz} at {ts}");
                    assert_eq!(
                        dates.date_and_second(ts),
                        local_date_and_second(ts, tz),
                        "{tz} at {ts}"
                    );
                }
            }
        }
        // Lord Howe moves by half an hour at 02:00 local, 2026-10-03 15:30 UTC
        // (01:59:59 +10:30, then 02:30 +11:00): that hour is looked up second by
        // second, so both sides of the switch are right.
        let switch = 1_791_041_400;
        let mut dates = LocalDates::new(Tz::Australia__Lord_Howe);
        assert_eq!(dates.date(switch - 1), Some(d("2026-10-04")));
        assert_eq!(dates.date(switch), Some(d("2026-10-04")));
        assert_eq!(dates.whole_hour_offset(switch.div_euclid(3600)), None);
        assert_eq!(
            dates.date_and_second(switch - 1),
            Some((d("2026-10-04"), 2 * 3600 - 1))
        );
        assert_eq!(
            dates.date_and_second(switch),
            Some((d("2026-10-04"), 2 * 3600 + 1800))
        );
        // Out of range is None, as `local_date` says.
        assert_eq!(dates.date(i64::MAX), None);
        assert_eq!(dates.date(i64::MIN), None);
    }

    proptest::proptest! {
        /// Any instant from 1900 to 2100 in any zone, in any order: the cached
        /// date is `local_date`'s.
        #[test]
        fn cached_local_dates_are_local_dates(
            zone in 0..chrono_tz::TZ_VARIANTS.len(),
            instants in proptest::collection::vec(-2_208_988_800i64..4_102_444_800, 1..64),
        ) {
            let tz = chrono_tz::TZ_VARIANTS[zone];
            let mut dates = LocalDates::new(tz);
            for &ts in &instants {
                proptest::prop_assert_eq!(dates.date(ts), local_date(ts, tz));
                proptest::prop_assert_eq!(dates.date(ts + 1), local_date(ts + 1, tz));
                proptest::prop_assert_eq!(
                    dates.date_and_second(ts + 2),
                    local_date_and_second(ts + 2, tz)
                );
            }
            // Back over the same hours out of order: their offsets come from
            // what was remembered, and still give `local_date`'s dates.
            for &ts in instants.iter().rev() {
                proptest::prop_assert_eq!(dates.date(ts + 1800), local_date(ts + 1800, tz));
                proptest::prop_assert_eq!(dates.date(ts), local_date(ts, tz));
            }
        }
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

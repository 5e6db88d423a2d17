//! Measured service metrics: service level (definition variants), ASA, abandon rate,
//! AHT, transfer rate, occupancy, utilisation and asynchronous response time.
//!
//! "Within T" is inclusive everywhere: a wait of exactly T seconds counts as within T;
//! a short abandon is an abandon with `wait_seconds <= short_abandon_seconds`.

use crate::stats::{count_ratio, float_safe_ceil, median_of_sorted, ratio};

/// Default short-abandon threshold in seconds (DOMAIN.md default variant).
pub const DEFAULT_SHORT_ABANDON_SECONDS: f64 = 5.0;

/// One offered contact: time in queue, and whether it was answered or abandoned.
/// A record that is both answered and abandoned counts as answered; a record that is
/// neither (e.g. still queued, deflected) counts as offered only. A non-finite wait
/// never counts as "within" any threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContactTiming {
    /// Queue time before answer or abandon, in seconds.
    pub wait_seconds: f64,
    /// The contact was answered by an agent.
    pub answered: bool,
    /// The customer abandoned before being answered.
    pub abandoned: bool,
}

/// Which measured service-level definition to use (record it in findings).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ServiceLevelVariant {
    /// answered within T / offered.
    AnsweredOverOffered,
    /// answered within T / answered.
    AnsweredOverAnswered,
    /// (answered within T + abandoned within T) / offered.
    AnsweredAndAbandonedWithinOverOffered,
    /// answered within T / (offered - abandoned within `short_abandon_seconds`).
    AnsweredOverOfferedExcludingShortAbandons {
        /// Short-abandon threshold in seconds (inclusive).
        short_abandon_seconds: f64,
    },
}

impl Default for ServiceLevelVariant {
    /// `AnsweredOverOfferedExcludingShortAbandons { short_abandon_seconds: 5.0 }`.
    fn default() -> Self {
        Self::AnsweredOverOfferedExcludingShortAbandons {
            short_abandon_seconds: DEFAULT_SHORT_ABANDON_SECONDS,
        }
    }
}

/// Pre-aggregated contact counts for a service-level computation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ServiceCounts {
    /// Offered contacts (every record).
    pub offered: u64,
    /// Answered contacts.
    pub answered: u64,
    /// Answered with wait <= T.
    pub answered_within: u64,
    /// Abandoned contacts.
    pub abandoned: u64,
    /// Abandoned with wait <= T.
    pub abandoned_within: u64,
    /// Abandoned with wait <= the short-abandon threshold.
    pub short_abandoned: u64,
}

impl ServiceCounts {
    /// Tallies records against threshold `target_seconds` and short-abandon threshold
    /// `short_abandon_seconds` (both inclusive). O(n), one pass.
    pub fn from_contacts(
        contacts: &[ContactTiming],
        target_seconds: f64,
        short_abandon_seconds: f64,
    ) -> Self {
        let mut c = Self::default();
        for r in contacts {
            c.add(r, target_seconds, short_abandon_seconds);
        }
        c
    }

    /// Counts one more record, as [`Self::from_contacts`] counts each: a
    /// pass that groups records counts them where they fall instead of
    /// collecting them first.
    #[inline]
    pub fn add(&mut self, r: &ContactTiming, target_seconds: f64, short_abandon_seconds: f64) {
        let w = r.wait_seconds;
        self.offered += 1;
        if r.answered {
            self.answered += 1;
            self.answered_within += u64::from(w <= target_seconds);
        } else if r.abandoned {
            self.abandoned += 1;
            self.abandoned_within += u64::from(w <= target_seconds);
            self.short_abandoned += u64::from(w <= short_abandon_seconds);
        }
    }

    /// Service level under `variant` (the short-abandon threshold inside the variant
    /// is ignored here: `short_abandoned` was counted when the counts were built).
    /// `None` when the denominator is zero.
    pub fn service_level(&self, variant: ServiceLevelVariant) -> Option<f64> {
        use ServiceLevelVariant::*;
        match variant {
            AnsweredOverOffered => count_ratio(self.answered_within, self.offered),
            AnsweredOverAnswered => count_ratio(self.answered_within, self.answered),
            AnsweredAndAbandonedWithinOverOffered => {
                count_ratio(self.answered_within + self.abandoned_within, self.offered)
            }
            AnsweredOverOfferedExcludingShortAbandons { .. } => count_ratio(
                self.answered_within,
                self.offered.saturating_sub(self.short_abandoned),
            ),
        }
    }

    /// Abandon rate `abandoned / offered`, or with `exclude_short` `(abandoned - short)
    /// / (offered - short)`. `None` when the denominator is zero.
    pub fn abandon_rate(&self, exclude_short: bool) -> Option<f64> {
        if exclude_short {
            count_ratio(
                self.abandoned.saturating_sub(self.short_abandoned),
                self.offered.saturating_sub(self.short_abandoned),
            )
        } else {
            count_ratio(self.abandoned, self.offered)
        }
    }
}

/// Measured service level over records with threshold `target_seconds` under
/// `variant` (see [`ServiceLevelVariant`]); `None` for a zero denominator.
pub fn service_level(
    contacts: &[ContactTiming],
    target_seconds: f64,
    variant: ServiceLevelVariant,
) -> Option<f64> {
    let short = match variant {
        ServiceLevelVariant::AnsweredOverOfferedExcludingShortAbandons {
            short_abandon_seconds,
        } => short_abandon_seconds,
        _ => DEFAULT_SHORT_ABANDON_SECONDS,
    };
    ServiceCounts::from_contacts(contacts, target_seconds, short).service_level(variant)
}

/// Average speed of answer: `sum wait of answered / answered`; `None` if none answered
/// (or a non-finite wait among the answered).
pub fn asa(contacts: &[ContactTiming]) -> Option<f64> {
    let (mut sum, mut n) = (0.0, 0u64);
    for r in contacts.iter().filter(|r| r.answered) {
        sum += r.wait_seconds;
        n += 1;
    }
    ratio(sum, n as f64)
}

/// Average speed of answer from totals: `queue seconds of answered / answered`.
pub fn asa_from_totals(answered_wait_seconds: f64, answered: u64) -> Option<f64> {
    ratio(answered_wait_seconds, answered as f64)
}

/// Abandon rate over records: `abandoned / offered`; with `exclude_short_seconds =
/// Some(s)`, abandons with wait <= s are removed from numerator and denominator.
pub fn abandon_rate(contacts: &[ContactTiming], exclude_short_seconds: Option<f64>) -> Option<f64> {
    let short = exclude_short_seconds.unwrap_or(f64::NEG_INFINITY);
    ServiceCounts::from_contacts(contacts, 0.0, short).abandon_rate(exclude_short_seconds.is_some())
}

/// Handle-time components of one handled contact, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct HandleTime {
    /// Talk (or active handling) time.
    pub talk_seconds: f64,
    /// Hold time.
    pub hold_seconds: f64,
    /// After-contact work (wrap) time.
    pub wrap_seconds: f64,
}

/// Average handle time `AHT = (talk + hold + wrap) / handled` from totals.
pub fn aht(talk_seconds: f64, hold_seconds: f64, wrap_seconds: f64, handled: u64) -> Option<f64> {
    ratio(talk_seconds + hold_seconds + wrap_seconds, handled as f64)
}

/// Average handle time over handled contacts: `sum (talk + hold + wrap) / count`.
pub fn aht_records(handled: &[HandleTime]) -> Option<f64> {
    let total: f64 = handled
        .iter()
        .map(|h| h.talk_seconds + h.hold_seconds + h.wrap_seconds)
        .sum();
    ratio(total, handled.len() as f64)
}

/// Transfer rate `transferred / handled`.
pub fn transfer_rate(transferred: u64, handled: u64) -> Option<f64> {
    count_ratio(transferred, handled)
}

/// Occupancy `handling time / (handling time + available time)`.
pub fn occupancy(handling_seconds: f64, available_seconds: f64) -> Option<f64> {
    if handling_seconds < 0.0 || available_seconds < 0.0 {
        return None;
    }
    ratio(handling_seconds, handling_seconds + available_seconds)
}

/// Utilisation `productive time / paid time` (may exceed 1 if productive > paid).
///
/// Productive time is time logged in and handling or available for contacts;
/// paid time adds breaks, training, meetings and absence. Unlike occupancy,
/// idle time counts as productive, so utilisation can exceed occupancy.
pub fn utilisation(productive_seconds: f64, paid_seconds: f64) -> Option<f64> {
    ratio(productive_seconds, paid_seconds)
}

/// First-response-time summary for asynchronous channels (email, messaging).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResponseTimeSummary {
    /// Number of finite, non-negative response times used.
    pub count: usize,
    /// Number of values ignored (NaN, infinite or negative).
    pub ignored: usize,
    /// Mean response time.
    pub mean_seconds: f64,
    /// Median (mean of the two middle values for an even count).
    pub median_seconds: f64,
    /// Nearest-rank percentile at `quantile`: value at rank ceil(q*n).
    pub percentile_seconds: f64,
    /// The quantile used for `percentile_seconds` (0.9 = 90th percentile).
    pub quantile: f64,
    /// Share of responses with time <= `limit_seconds`.
    pub share_within_limit: f64,
    /// The limit used for `share_within_limit`.
    pub limit_seconds: f64,
}

/// Summarises first-response times: mean, median, nearest-rank percentile at
/// `quantile` (in [0, 1]) and share within `limit_seconds` (inclusive). Non-finite or
/// negative values are ignored and counted. `None` if no usable value or `quantile`
/// outside [0, 1].
pub fn response_time_summary(
    first_response_seconds: &[f64],
    quantile: f64,
    limit_seconds: f64,
) -> Option<ResponseTimeSummary> {
    if !(0.0..=1.0).contains(&quantile) {
        return None;
    }
    let mut v: Vec<f64> = first_response_seconds
        .iter()
        .copied()
        .filter(|x| x.is_finite() && *x >= 0.0)
        .collect();
    let ignored = first_response_seconds.len() - v.len();
    if v.is_empty() {
        return None;
    }
    v.sort_unstable_by(f64::total_cmp);
    let n = v.len();
    let rank = float_safe_ceil(quantile * n as f64).clamp(1.0, n as f64) as usize;
    let within = v.partition_point(|&x| x <= limit_seconds);
    Some(ResponseTimeSummary {
        count: n,
        ignored,
        mean_seconds: v.iter().sum::<f64>() / n as f64,
        median_seconds: median_of_sorted(&v)?,
        percentile_seconds: v[rank - 1],
        quantile,
        share_within_limit: within as f64 / n as f64,
        limit_seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::assert_rel;

    fn worked_example_counts() -> ServiceCounts {
        ServiceCounts {
            offered: 1060,
            answered: 1000,
            answered_within: 860,
            abandoned: 60,
            abandoned_within: 20,
            short_abandoned: 10,
        }
    }

    /// The DOMAIN.md worked example as records: 1000 answered (860 within 20 s), 60
    /// abandoned (10 within 5 s, 20 within 20 s).
    fn worked_example_records() -> Vec<ContactTiming> {
        let mut v = Vec::new();
        for i in 0..1000 {
            let wait = if i < 860 {
                (i % 21) as f64
            } else {
                21.0 + i as f64
            };
            v.push(ContactTiming {
                wait_seconds: wait,
                answered: true,
                abandoned: false,
            });
        }
        for i in 0..60 {
            let wait = match i {
                0..10 => 5.0,
                10..20 => 20.0,
                _ => 40.0,
            };
            v.push(ContactTiming {
                wait_seconds: wait,
                answered: false,
                abandoned: true,
            });
        }
        v
    }

    #[test]
    fn domain_worked_example_counts_and_records() {
        use ServiceLevelVariant::*;
        let expect = [
            (AnsweredOverOffered, 860.0 / 1060.0, 0.811),
            (AnsweredOverAnswered, 0.86, 0.860),
            (AnsweredAndAbandonedWithinOverOffered, 880.0 / 1060.0, 0.830),
            (ServiceLevelVariant::default(), 860.0 / 1050.0, 0.819),
        ];
        let counts = worked_example_counts();
        let records = worked_example_records();
        assert_eq!(ServiceCounts::from_contacts(&records, 20.0, 5.0), counts);
        for (variant, exact, rounded) in expect {
            let sl = counts.service_level(variant).unwrap();
            assert_rel(sl, exact, 1e-12);
            assert!((sl - rounded).abs() < 0.0005, "{variant:?} {sl}");
            assert_eq!(service_level(&records, 20.0, variant), Some(sl));
        }
    }

    #[test]
    fn service_level_zero_denominators() {
        assert_eq!(
            service_level(&[], 20.0, ServiceLevelVariant::default()),
            None
        );
        let only_short = [ContactTiming {
            wait_seconds: 1.0,
            answered: false,
            abandoned: true,
        }];
        assert_eq!(
            service_level(&only_short, 20.0, ServiceLevelVariant::default()),
            None
        );
        assert_eq!(
            service_level(&only_short, 20.0, ServiceLevelVariant::AnsweredOverAnswered),
            None
        );
    }

    #[test]
    fn asa_abandon_rate() {
        let r = worked_example_records();
        let answered_wait: f64 = r
            .iter()
            .filter(|c| c.answered)
            .map(|c| c.wait_seconds)
            .sum();
        assert_rel(asa(&r).unwrap(), answered_wait / 1000.0, 1e-15);
        assert_eq!(asa_from_totals(100.0, 4), Some(25.0));
        assert_eq!(asa_from_totals(100.0, 0), None);
        assert_rel(abandon_rate(&r, None).unwrap(), 60.0 / 1060.0, 1e-15);
        assert_rel(abandon_rate(&r, Some(5.0)).unwrap(), 50.0 / 1050.0, 1e-15);
        assert_eq!(abandon_rate(&[], None), None);
    }

    #[test]
    fn aht_transfer_occupancy_utilisation() {
        assert_eq!(aht(1000.0, 100.0, 200.0, 10), Some(130.0));
        assert_eq!(aht(1.0, 0.0, 0.0, 0), None);
        let h = [
            HandleTime {
                talk_seconds: 100.0,
                hold_seconds: 10.0,
                wrap_seconds: 30.0,
            },
            HandleTime {
                talk_seconds: 200.0,
                hold_seconds: 0.0,
                wrap_seconds: 20.0,
            },
        ];
        assert_eq!(aht_records(&h), Some(180.0));
        assert_eq!(aht_records(&[]), None);
        assert_eq!(transfer_rate(5, 100), Some(0.05));
        assert_eq!(transfer_rate(5, 0), None);
        assert_eq!(occupancy(850.0, 150.0), Some(0.85));
        assert_eq!(occupancy(0.0, 0.0), None);
        assert_eq!(occupancy(-1.0, 2.0), None);
        assert_eq!(utilisation(30.0, 40.0), Some(0.75));
        assert_eq!(utilisation(30.0, 0.0), None);
    }

    #[test]
    fn response_times() {
        let v = [60.0, 120.0, 30.0, 3600.0, f64::NAN, -1.0, 600.0];
        let s = response_time_summary(&v, 0.9, 600.0).unwrap();
        assert_eq!(s.count, 5);
        assert_eq!(s.ignored, 2);
        assert_rel(
            s.mean_seconds,
            (60.0 + 120.0 + 30.0 + 3600.0 + 600.0) / 5.0,
            1e-15,
        );
        assert_eq!(s.median_seconds, 120.0);
        assert_eq!(s.percentile_seconds, 3600.0);
        assert_eq!(s.share_within_limit, 0.8);
        assert!(response_time_summary(&[], 0.5, 1.0).is_none());
        assert!(response_time_summary(&[1.0], 1.5, 1.0).is_none());
    }
}

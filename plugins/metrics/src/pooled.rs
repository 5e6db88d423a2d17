//! Pooled staffing: the agents each interval needs under Erlang C, from the
//! demand of the rows pooled into it (the queues of one interval sharing one
//! multi-skilled pool, or one queue alone), with one rule for bad rows.
//!
//! **The bad-row rule** ([`Demand::admit`]). A row brings its contacts and
//! its average handle time (AHT, seconds):
//! - contacts missing, not finite or negative: the row is left out and
//!   counted ([`Excluded::bad_contacts`]);
//! - contacts > 0 with an AHT missing, not finite or <= 0: the row is left
//!   out and counted ([`Excluded::no_handle_time`]);
//! - zero contacts: admitted with zero workload, whatever its AHT says.
//!
//! A row left out adds nothing to its interval: callers drop its other cells
//! (scheduled agents, the WFM tool's requirement) with it. An interval exists
//! when at least one of its rows is admitted; an interval with zero contacts
//! needs zero agents. Pooled AHT = sum(contacts x AHT) / sum(contacts);
//! traffic A = workload / interval seconds (DOMAIN: A = contacts /
//! interval x AHT).

use std::collections::BTreeMap;

use crate::MetricError;
use crate::erlang::{self, StaffingTarget};

/// Demand of a row or of a pooled interval: contacts and their workload.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Demand {
    /// Contacts (>= 0).
    pub contacts: f64,
    /// Workload, contact-seconds: sum of contacts x AHT (>= 0).
    pub workload_seconds: f64,
}

/// Why a row was left out of the pool (see the module's bad-row rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exclusion {
    /// Contacts missing, not finite or negative.
    BadContacts,
    /// Contacts > 0 without a finite AHT > 0.
    NoHandleTime,
}

/// Rows left out of a pool, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Excluded {
    /// Rows whose contacts are missing, not finite or negative.
    pub bad_contacts: usize,
    /// Rows with contacts but no usable AHT (missing, not finite or <= 0).
    pub no_handle_time: usize,
}

impl Excluded {
    /// Counts one row left out for `why`.
    pub fn count(&mut self, why: Exclusion) {
        match why {
            Exclusion::BadContacts => self.bad_contacts += 1,
            Exclusion::NoHandleTime => self.no_handle_time += 1,
        }
    }

    /// Rows left out, all reasons.
    pub fn total(&self) -> usize {
        self.bad_contacts + self.no_handle_time
    }
}

impl Demand {
    /// The bad-row rule: the demand of one row, or why it is left out.
    pub fn admit(contacts: Option<f64>, aht_seconds: Option<f64>) -> Result<Demand, Exclusion> {
        let contacts = contacts
            .filter(|c| c.is_finite() && *c >= 0.0)
            .ok_or(Exclusion::BadContacts)?;
        if contacts == 0.0 {
            return Ok(Demand::default());
        }
        let aht = aht_seconds
            .filter(|a| a.is_finite() && *a > 0.0)
            .ok_or(Exclusion::NoHandleTime)?;
        let workload_seconds = contacts * aht;
        if !workload_seconds.is_finite() {
            return Err(Exclusion::BadContacts);
        }
        Ok(Demand {
            contacts,
            workload_seconds,
        })
    }

    /// Adds another row's demand (pooling).
    pub fn add(&mut self, other: Demand) {
        self.contacts += other.contacts;
        self.workload_seconds += other.workload_seconds;
    }

    /// Pooled AHT `workload / contacts`; `None` without contacts.
    pub fn aht_seconds(&self) -> Option<f64> {
        (self.contacts > 0.0).then(|| self.workload_seconds / self.contacts)
    }

    /// Traffic in Erlangs `A = workload / interval_seconds`; `None` unless the
    /// interval is finite and > 0.
    pub fn traffic(&self, interval_seconds: f64) -> Option<f64> {
        (interval_seconds.is_finite() && interval_seconds > 0.0)
            .then(|| self.workload_seconds / interval_seconds)
            .filter(|a| a.is_finite())
    }
}

/// One pooled interval: its demand and what the caller pools beside it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pooled<T> {
    /// Demand summed over the admitted rows.
    pub demand: Demand,
    /// The caller's own sums (scheduled agents...), over the same rows.
    pub extra: T,
}

/// Rows pooled per interval key `K` under the bad-row rule, with the counts
/// of the rows left out.
#[derive(Debug, Clone)]
pub struct Pool<K, T = ()> {
    intervals: BTreeMap<K, Pooled<T>>,
    excluded: Excluded,
}

impl<K: Ord, T: Default> Default for Pool<K, T> {
    fn default() -> Self {
        Pool {
            intervals: BTreeMap::new(),
            excluded: Excluded::default(),
        }
    }
}

impl<K: Ord, T: Default> Pool<K, T> {
    /// An empty pool.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one row to interval `key` under the bad-row rule: its pooled
    /// extras to add the row's other cells to, or `None` (counted) when the
    /// row is left out.
    pub fn add(
        &mut self,
        key: K,
        contacts: Option<f64>,
        aht_seconds: Option<f64>,
    ) -> Option<&mut T> {
        match Demand::admit(contacts, aht_seconds) {
            Ok(d) => {
                let p = self.intervals.entry(key).or_default();
                p.demand.add(d);
                Some(&mut p.extra)
            }
            Err(why) => {
                self.excluded.count(why);
                None
            }
        }
    }

    /// Rows left out so far, by reason.
    pub fn excluded(&self) -> Excluded {
        self.excluded
    }

    /// The pooled intervals in key order, and the rows left out.
    pub fn into_parts(self) -> (BTreeMap<K, Pooled<T>>, Excluded) {
        (self.intervals, self.excluded)
    }
}

/// How the requirement is sized: Erlang C service level `service_level`
/// within `threshold_seconds`, optionally a maximum occupancy, then
/// shrinkage on top (DOMAIN section 5).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// Service-level threshold T, seconds (>= 0).
    pub threshold_seconds: f64,
    /// Required service level, a fraction in [0, 1].
    pub service_level: f64,
    /// Optional maximum occupancy A/N in (0, 1].
    pub max_occupancy: Option<f64>,
    /// Shrinkage in [0, 1): scheduled = ceil(net / (1 - shrinkage)).
    pub shrinkage: f64,
}

/// The requirement of one pooled interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Requirement {
    /// Traffic A, Erlangs.
    pub traffic: f64,
    /// Pooled AHT, seconds; `None` without contacts.
    pub aht_seconds: Option<f64>,
    /// Net agents (on the phones): smallest N > A meeting the policy; 0 without contacts.
    pub net: u32,
    /// Scheduled agents: `ceil(net / (1 - shrinkage))`, float-safe.
    pub scheduled: u32,
}

impl Policy {
    /// Service level `service_level` within `threshold_seconds`; no occupancy
    /// cap, no shrinkage.
    pub fn new(threshold_seconds: f64, service_level: f64) -> Self {
        Policy {
            threshold_seconds,
            service_level,
            max_occupancy: None,
            shrinkage: 0.0,
        }
    }

    /// Adds a maximum occupancy `A/N <= max`.
    pub fn with_max_occupancy(mut self, max: f64) -> Self {
        self.max_occupancy = Some(max);
        self
    }

    /// Sets the shrinkage applied on top of the net requirement.
    pub fn with_shrinkage(mut self, shrinkage: f64) -> Self {
        self.shrinkage = shrinkage;
        self
    }

    /// Scheduled agents for `net` on-phone agents: `ceil(net / (1 - shrinkage))`.
    pub fn scheduled(&self, net: u32) -> Result<u32, MetricError> {
        erlang::scheduled_agents(net, self.shrinkage)
    }

    /// The Erlang C requirement of `demand` over an interval of
    /// `interval_seconds`: zero agents without contacts.
    pub fn requirement(
        &self,
        demand: Demand,
        interval_seconds: f64,
    ) -> Result<Requirement, MetricError> {
        let traffic = demand
            .traffic(interval_seconds)
            .ok_or(MetricError::InvalidInput(
                "interval length must be finite and > 0",
            ))?;
        self.validate()?;
        let aht_seconds = demand.aht_seconds();
        let net = match aht_seconds {
            Some(aht) if traffic > 0.0 => erlang::required_agents(&self.target(traffic, aht))?,
            _ => 0,
        };
        Ok(Requirement {
            traffic,
            aht_seconds,
            net,
            scheduled: self.scheduled(net)?,
        })
    }

    /// The Erlang C staffing target of this policy for `traffic` and `aht`.
    fn target(&self, traffic: f64, aht: f64) -> StaffingTarget {
        let t = StaffingTarget::new(traffic, aht, self.threshold_seconds, self.service_level);
        match self.max_occupancy {
            Some(m) => t.with_max_occupancy(m),
            None => t,
        }
    }

    /// Checks the policy even where no interval needs Erlang C (zero demand).
    fn validate(&self) -> Result<(), MetricError> {
        // A unit load exercises every check of the Erlang C target.
        self.target(1.0, 1.0).is_met_by(0)?;
        self.scheduled(0).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::erlang::traffic_intensity;
    use crate::stats::assert_rel;
    use proptest::prelude::*;

    /// DOMAIN: 100 contacts in 30 min at AHT 180 s (A = 10), T = 20 s.
    const DOMAIN_DEMAND: Demand = Demand {
        contacts: 100.0,
        workload_seconds: 18_000.0,
    };

    #[test]
    fn domain_vectors() {
        let p = Policy::new(20.0, 0.8);
        let r = p.requirement(DOMAIN_DEMAND, 1800.0).unwrap();
        assert_eq!(
            (r.traffic, r.aht_seconds, r.net, r.scheduled),
            (10.0, Some(180.0), 14, 14)
        );
        // Shrinkage 30 %: 14 -> 20; max occupancy 0.7: 15 raw, 22 scheduled.
        let shrunk = p.with_shrinkage(0.3);
        assert_eq!(
            shrunk.requirement(DOMAIN_DEMAND, 1800.0).unwrap().scheduled,
            20
        );
        let r = shrunk
            .with_max_occupancy(0.7)
            .requirement(DOMAIN_DEMAND, 1800.0)
            .unwrap();
        assert_eq!((r.net, r.scheduled), (15, 22));
        // 21 / 0.7 is 30.000000000000004 in floating point: 30, not 31.
        assert_eq!(shrunk.scheduled(21), Ok(30));
        // SL(13) = 0.7955948 < 0.8 <= SL(14) = 0.88835002; SL 90 % needs 15 (0.9414528).
        let r = Policy::new(20.0, 0.9)
            .requirement(DOMAIN_DEMAND, 1800.0)
            .unwrap();
        assert_eq!(r.net, 15);
        // 360 contacts / 30 min at 240 s: A = 48; SL(15 s) at N = 55 is 0.845883.
        let d = Demand::admit(Some(360.0), Some(240.0)).unwrap();
        let r = Policy::new(15.0, 0.845).requirement(d, 1800.0).unwrap();
        assert_eq!((r.traffic, r.net), (48.0, 55));
        let r = Policy::new(15.0, 0.846).requirement(d, 1800.0).unwrap();
        assert_eq!(r.net, 56);
        // The pooled traffic is DOMAIN's A = contacts / interval x AHT.
        assert_rel(
            r.traffic,
            traffic_intensity(360.0, 1800.0, 240.0).unwrap(),
            1e-15,
        );
    }

    #[test]
    fn pooling_weights_aht_by_contacts() {
        // 60 contacts at 150 s + 40 at 225 s = 18,000 s: AHT 180 s, A = 10 -> 14 agents.
        let mut pool: Pool<u32, f64> = Pool::new();
        *pool.add(9, Some(60.0), Some(150.0)).unwrap() += 6.0;
        *pool.add(9, Some(40.0), Some(225.0)).unwrap() += 8.0;
        let (intervals, excluded) = pool.into_parts();
        assert_eq!(excluded.total(), 0);
        let p = &intervals[&9];
        assert_eq!(p.extra, 14.0);
        assert_eq!(p.demand.aht_seconds(), Some(180.0));
        let r = Policy::new(20.0, 0.8)
            .requirement(p.demand, 1800.0)
            .unwrap();
        assert_eq!(r.net, 14);
    }

    #[test]
    fn bad_rows_are_left_out_and_counted() {
        // Interval 1: 100 contacts at 180 s, plus rows with no, zero, negative and NaN
        // AHT (left out), a negative and a missing volume (left out), and an idle queue
        // with zero contacts and no AHT (admitted). Interval 2: only zero-contact rows.
        // Interval 3: only bad rows, so it does not exist.
        let rows: [(u32, Option<f64>, Option<f64>, f64); 11] = [
            (1, Some(100.0), Some(180.0), 14.0),
            (1, Some(30.0), None, 5.0),
            (1, Some(30.0), Some(0.0), 5.0),
            (1, Some(30.0), Some(-180.0), 5.0),
            (1, Some(30.0), Some(f64::NAN), 5.0),
            (1, Some(-5.0), Some(180.0), 5.0),
            (1, None, Some(180.0), 5.0),
            (1, Some(0.0), None, 2.0),
            (2, Some(0.0), Some(180.0), 3.0),
            (2, Some(0.0), Some(-1.0), 1.0),
            (3, Some(f64::INFINITY), Some(180.0), 7.0),
        ];
        let mut pool: Pool<u32, f64> = Pool::new();
        for (key, contacts, aht, scheduled) in rows {
            if let Some(s) = pool.add(key, contacts, aht) {
                *s += scheduled;
            }
        }
        let (intervals, excluded) = pool.into_parts();
        assert_eq!(
            excluded,
            Excluded {
                bad_contacts: 3,
                no_handle_time: 4
            }
        );
        assert_eq!(excluded.total(), 7);
        assert_eq!(intervals.keys().copied().collect::<Vec<_>>(), vec![1, 2]);
        // Interval 1 is the DOMAIN vector alone: 14 agents, 16 scheduled with the idle queue's 2.
        let p = Policy::new(20.0, 0.8).with_shrinkage(0.3);
        assert_eq!(intervals[&1].demand, DOMAIN_DEMAND);
        assert_eq!(intervals[&1].extra, 16.0);
        let r = p.requirement(intervals[&1].demand, 1800.0).unwrap();
        assert_eq!((r.net, r.scheduled), (14, 20));
        // Interval 2 has no contacts: zero agents.
        let r = p.requirement(intervals[&2].demand, 1800.0).unwrap();
        assert_eq!(
            (r.traffic, r.aht_seconds, r.net, r.scheduled),
            (0.0, None, 0, 0)
        );
        assert_eq!(intervals[&2].extra, 4.0);
    }

    #[test]
    fn invalid_policy_or_interval_is_an_error() {
        let zero = Demand::default();
        assert!(Policy::new(20.0, 1.5).requirement(zero, 1800.0).is_err());
        assert!(Policy::new(-1.0, 0.8).requirement(zero, 1800.0).is_err());
        assert!(
            Policy::new(20.0, 0.8)
                .with_shrinkage(1.0)
                .requirement(zero, 1800.0)
                .is_err()
        );
        let capped = Policy::new(20.0, 0.8).with_max_occupancy(0.0);
        assert!(capped.requirement(DOMAIN_DEMAND, 1800.0).is_err());
        assert!(
            Policy::new(20.0, 0.8)
                .requirement(DOMAIN_DEMAND, 0.0)
                .is_err()
        );
        assert!(
            Policy::new(20.0, 0.8)
                .requirement(DOMAIN_DEMAND, f64::NAN)
                .is_err()
        );
    }

    fn net(contacts: f64, aht: f64, threshold: f64, sl: f64) -> u32 {
        let d = Demand::admit(Some(contacts), Some(aht)).unwrap();
        Policy::new(threshold, sl)
            .requirement(d, 1800.0)
            .unwrap()
            .net
    }

    proptest! {
        #[test]
        fn requirement_is_monotone(
            contacts in 0.0f64..2000.0,
            more in 0.0f64..500.0,
            aht in 1.0f64..900.0,
            longer in 0.0f64..300.0,
            threshold in 0.0f64..120.0,
            later in 0.0f64..120.0,
            sl in 0.0f64..0.99,
        ) {
            let n = net(contacts, aht, threshold, sl);
            prop_assert!(net(contacts + more, aht, threshold, sl) >= n);
            prop_assert!(net(contacts, aht + longer, threshold, sl) >= n);
            prop_assert!(net(contacts, aht, threshold + later, sl) <= n);
        }
    }
}

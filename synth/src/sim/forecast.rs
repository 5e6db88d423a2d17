//! Forecasting: the four weeks of demand history the planners keep, the
//! day's forecast by the scenario's method (a four-week average in the
//! baseline, known demand drivers times history ratios in the follow-up),
//! and the handle time the planners assume.

use std::collections::VecDeque;

use crate::params::NI;
use crate::util::{Draw, poisson_mad};

use super::{QueueGrid, Sim};

/// Days of history the planners keep.
const HISTORY_DAYS: usize = 28;

impl Sim<'_> {
    /// Draws 28 days of pre-period actuals for the rule-of-thumb forecast.
    pub(super) fn init_history(&mut self) {
        let m_sync = 1.0 + self.p.repeat_multiplier;
        for d in -28..0i64 {
            let mut a = [[0.0; NI]; 4];
            let mut l = [[0.0; NI]; 4];
            let mut email = 0.0;
            let mut email_l = 0.0;
            for (q, aq) in a.iter_mut().enumerate() {
                for (i, x) in aq.iter_mut().enumerate() {
                    let lam: f64 = self.known_sync_demand(d, q, i);
                    l[q][i] = lam;
                    *x = self.r_dem.poisson(lam * m_sync) as f64;
                }
                let le: f64 = self.email_demand(d, q);
                email_l += le;
                email += self.r_dem.poisson(le * m_sync) as f64;
            }
            self.hist_actual.push_back(a);
            self.hist_lambda.push_back(l);
            self.hist_email.push_back((email, email_l));
        }
    }

    /// Interval WAPE a perfect forecast would still show: the Poisson mean
    /// absolute deviation over the volume of the pre-period history.
    pub(super) fn perfect_forecast_wape(&self) -> f64 {
        let m_sync = 1.0 + self.p.repeat_multiplier;
        let (mut dev, mut vol) = (0.0, 0.0);
        for l in &self.hist_lambda {
            for x in l.iter().flatten() {
                dev += poisson_mad(x * m_sync);
                vol += x * m_sync;
            }
        }
        if vol > 0.0 { dev / vol } else { 0.0 }
    }

    /// Forecast of day `d`: synchronous contacts per queue and interval, and
    /// e-mails of the day.
    pub(super) fn forecast(&mut self, d: usize) -> (QueueGrid, f64) {
        if self.p.baseline() {
            self.rule_of_thumb_forecast(d)
        } else {
            self.driver_forecast(d)
        }
    }

    /// Rule of thumb: average of the last four weeks, same interval,
    /// refreshed in the spreadsheet on the first Monday of the month.
    fn rule_of_thumb_forecast(&mut self, d: usize) -> (QueueGrid, f64) {
        let mut fc = [[0.0; NI]; 4];
        let n = self.hist_actual.len() as f64;
        let first_monday =
            self.dow(d as i64) == 0 && (d < 7 || self.month_of[d - 7] != self.month_of[d]);
        if !first_monday && d > 0 {
            return self.last_fc;
        }
        for h in &self.hist_actual {
            for q in 0..4 {
                for i in 0..NI {
                    fc[q][i] += h[q][i] / n;
                }
            }
        }
        let email = self.hist_email.iter().map(|e| e.0).sum::<f64>() / n;
        self.last_fc = (fc, email);
        (fc, email)
    }

    /// History ratio (actual / first-contact demand) times known demand
    /// drivers. Per queue: actual / expected first contacts over 4 weeks
    /// (repeats, retries, drift). Per interval, pooled over queues and
    /// smoothed: how the repeats reshape the intra-day profile. The day's
    /// expected first contacts carry the trend, weekday and intra-day shapes.
    fn driver_forecast(&mut self, d: usize) -> (QueueGrid, f64) {
        let mut fc = [[0.0; NI]; 4];
        let noise = 1.0 + 0.02 * self.r_dem.normal();
        let corr = self.interval_correction();
        for q in 0..4 {
            let ratio = self.queue_ratio(q);
            for i in 0..NI {
                fc[q][i] = self.known_sync_demand(d as i64, q, i) * ratio * corr[i] * noise;
            }
        }
        let (ea, el) = self
            .hist_email
            .iter()
            .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        let el_today: f64 = (0..4).map(|q| self.email_demand(d as i64, q)).sum();
        let email = if el > 0.0 {
            el_today * ea / el
        } else {
            el_today
        };
        (fc, email)
    }

    /// Per interval, pooled over queues and smoothed over neighbours: the
    /// history's actual / expected ratio relative to the overall ratio.
    fn interval_correction(&self) -> [f64; NI] {
        let mut act_iv = [0.0; NI];
        let mut lam_iv = [0.0; NI];
        for (h, l) in self.hist_actual.iter().zip(&self.hist_lambda) {
            for q in 0..4 {
                for i in 0..NI {
                    act_iv[i] += h[q][i];
                    lam_iv[i] += l[q][i];
                }
            }
        }
        let overall = act_iv.iter().sum::<f64>() / lam_iv.iter().sum::<f64>().max(1e-9);
        let mut corr = [1.0; NI];
        for i in 0..NI {
            let (lo, hi) = (i.saturating_sub(1), (i + 1).min(NI - 1));
            let a: f64 = act_iv[lo..=hi].iter().sum();
            let l: f64 = lam_iv[lo..=hi].iter().sum();
            if l > 0.0 && overall > 0.0 {
                corr[i] = a / l / overall;
            }
        }
        corr
    }

    /// Actual over expected first contacts of queue `q` in the history.
    fn queue_ratio(&self, q: usize) -> f64 {
        let act: f64 = self
            .hist_actual
            .iter()
            .map(|h| h[q].iter().sum::<f64>())
            .sum();
        let lam: f64 = self
            .hist_lambda
            .iter()
            .map(|l| l[q].iter().sum::<f64>())
            .sum();
        if lam > 0.0 { act / lam } else { 1.0 }
    }

    /// Adds the finished day `d` to the history (actual and expected
    /// contacts, e-mails, handle time), keeping the last 28 days.
    pub(super) fn record_history(&mut self, d: usize, email_today: f64) {
        let mut lam = [[0.0; NI]; 4];
        for (q, l) in lam.iter_mut().enumerate() {
            for i in 0..NI {
                l[i] = self.known_sync_demand(d as i64, q, i);
            }
        }
        let el: f64 = (0..4).map(|q| self.email_demand(d as i64, q)).sum();
        self.hist_actual.push_back(self.actual);
        self.hist_lambda.push_back(lam);
        self.hist_email.push_back((email_today, el));
        let (hs, hn) = (
            self.aht_sum.iter().flatten().sum::<f64>(),
            self.aht_n.iter().flatten().sum::<f64>(),
        );
        self.hist_aht.push_back((hs, hn));
        if self.hist_actual.len() > HISTORY_DAYS {
            self.hist_actual.pop_front();
            self.hist_lambda.pop_front();
            self.hist_email.pop_front();
        }
        if self.hist_aht.len() > HISTORY_DAYS {
            self.hist_aht.pop_front();
        }
    }

    /// The AHT the WFM forecasts: the effective workload per contact (a
    /// concurrent session at 1 / concurrency), as the intervals table reports it.
    pub(super) fn aht_guess(&self) -> f64 {
        if self.p.baseline() {
            return 360.0;
        }
        aht_of(&self.hist_aht, 430.0 * self.p.aht_factor)
    }
}

/// Mean handle time over a history of (total seconds, contacts) days, or
/// `default` when the history holds no contact.
fn aht_of(hist: &VecDeque<(f64, f64)>, default: f64) -> f64 {
    if hist.is_empty() {
        return default;
    }
    let (s, n) = hist.iter().fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
    if n > 0.0 { s / n } else { default }
}

//! Demand: daily orders (trend, weekday shape, month-end peak, noise), the
//! contact rate per order, surges from incidents and launches, and the
//! expected first contacts per queue, channel and interval that arrivals,
//! forecasts and capacity plans are drawn from.

use crate::params::{ASYNC_OPEN, Ch, IV, NA, OPEN, QUEUE_SHARE, WEEK};
use crate::util::{DAY, Draw};

use super::Sim;

/// The synchronous channels (answered live, planned per interval).
const SYNC_CHANNELS: [Ch; 3] = [Ch::Voice, Ch::Chat, Ch::Messaging];

impl Sim<'_> {
    /// Weekday (0 = Monday) of day offset `d`.
    pub(super) fn dow(&self, d: i64) -> usize {
        (self.start_dow + d).rem_euclid(7) as usize
    }

    fn trend(&self, d: i64) -> f64 {
        (1.0 + self.p.order_growth).powf(d as f64 / 30.4)
    }

    fn rate(&self, d: i64) -> f64 {
        self.p.contact_rate * (1.0 + self.p.contact_rate_trend).powf(d as f64 / 30.4)
    }

    /// Expected orders of a day without noise (also before the period).
    fn orders_expected(&self, d: i64) -> f64 {
        let dom = (self.cfg.start + chrono::Duration::days(d))
            .format("%d")
            .to_string();
        let month_end = if dom.as_str() >= "26" { 1.04 } else { 1.0 };
        self.o0 * self.trend(d) * WEEK[self.dow(d)] * month_end
    }

    /// Sizes orders so the expected total of contacts matches the target,
    /// then draws the orders of every day.
    pub(super) fn init_demand(&mut self) {
        let mut unit = 0.0;
        self.o0 = 1.0;
        for d in 0..self.days as i64 {
            unit += self.orders_expected(d) * self.rate(d);
        }
        let first_share = 1.0 / (1.0 + self.p.repeat_multiplier);
        self.o0 = self.cfg.contacts as f64 * first_share / unit;
        for d in 0..self.days as i64 {
            let noise = (1.0 + 0.03 * self.r_dem.normal()).max(0.5);
            self.orders
                .push((self.orders_expected(d) * noise).round() as u64);
        }
    }

    /// Demand multiplier at time `t` for queue `q` from incidents and changes.
    /// `known_only`: only surges the planners knew about in advance.
    fn surge(&self, q: usize, t: f64, known_only: bool) -> f64 {
        let mut m = 1.0;
        if !known_only {
            for inc in &self.incidents {
                if inc.severity <= 1 && (q == 0 || q == 1) && t >= inc.detected {
                    let dt = t - inc.detected;
                    if dt < 6.0 * 3600.0 {
                        let amp = if inc.severity == 0 { 1.2 } else { 0.4 };
                        m += amp * (-dt / 5400.0).exp();
                    }
                }
            }
        }
        for ch in &self.changes {
            if ch.impact == 0 && (q == 0 || q == 3) && t >= ch.go_live && t < ch.go_live + 1.5 * DAY
            {
                let known = ch.notified.is_some_and(|n| n <= ch.go_live - 7.0 * DAY);
                if !known_only || known {
                    m += 0.3;
                }
            }
        }
        m
    }

    /// Expected first contacts of day `d`, queue `q`, sync interval `i`, channel `ch`.
    pub(super) fn lambda_sync(&self, d: i64, q: usize, ch: Ch, i: usize, known_only: bool) -> f64 {
        let base = self.orders_expected(d)
            * self.rate(d)
            * QUEUE_SHARE[q]
            * self.p.channel_mix[ch as usize];
        let t = d as f64 * DAY + OPEN + (i as f64 + 0.5) * IV;
        base * self.sshape[i] * self.surge(q, t, known_only)
    }

    /// Expected first contacts of day `d`, queue `q`, async interval `i`, channel `ch`.
    pub(super) fn lambda_async(&self, d: i64, q: usize, ch: Ch, i: usize) -> f64 {
        let base = self.orders_expected(d)
            * self.rate(d)
            * QUEUE_SHARE[q]
            * self.p.channel_mix[ch as usize];
        let t = d as f64 * DAY + ASYNC_OPEN + (i as f64 + 0.5) * IV;
        base * self.ashape[i] * self.surge(q, t, false)
    }

    /// Expected first contacts of day `d`, queue `q`, sync interval `i` over
    /// the synchronous channels, from the drivers the planners know of.
    pub(super) fn known_sync_demand(&self, d: i64, q: usize, i: usize) -> f64 {
        SYNC_CHANNELS
            .iter()
            .map(|&c| self.lambda_sync(d, q, c, i, true))
            .sum::<f64>()
    }

    /// Expected first e-mails of day `d` for queue `q`.
    pub(super) fn email_demand(&self, d: i64, q: usize) -> f64 {
        (0..NA)
            .map(|i| self.lambda_async(d, q, Ch::Email, i))
            .sum::<f64>()
    }
}

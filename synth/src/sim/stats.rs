//! Month statistics: the centre's own reporting, accumulated from the
//! simulated records (contacts, survey invitations, agent-days, business
//! days) before they are written, and the KPI values computed from them.

use crate::SynthConfig;
use crate::params::{Ch, NI};

use super::QueueGrid;
use super::contact::Contact;
use super::staffing::Shift;
use super::surveys::Survey;

/// Per-month aggregates (the centre's own reporting, computed from the data).
#[derive(Debug, Clone, Default)]
pub struct MonthStats {
    /// Month, `YYYY-MM`.
    pub label: String,
    /// Days of the month inside the period.
    pub days: u32,
    /// Contacts that arrived in the month.
    pub contacts: u64,
    /// Orders of the month.
    pub orders: u64,
    /// Operating cost of the month, EUR.
    pub cost: f64,
    /// Voice contacts offered.
    pub voice_offered: u64,
    /// Voice contacts abandoned within 5 seconds.
    pub voice_short_abandon: u64,
    /// Voice contacts abandoned.
    pub voice_abandoned: u64,
    /// Voice contacts answered.
    pub voice_answered: u64,
    /// Voice contacts answered within 20 seconds.
    pub voice_answered_in_t: u64,
    /// Total wait of the answered voice contacts, seconds.
    pub voice_wait: f64,
    /// Contacts whose 7-day repeat window ends inside the period.
    pub fcr_eligible: u64,
    /// Eligible contacts the same customer contacted again within 7 days.
    pub fcr_repeat: u64,
    /// Survey responses (each has a CSAT rating).
    pub csat_n: u64,
    /// Responses with CSAT 4 or 5.
    pub csat_top2: u64,
    /// Survey responses (each has an NPS rating).
    pub nps_n: u64,
    /// Responses with NPS 9 or 10.
    pub nps_promoters: u64,
    /// Responses with NPS 0 to 6.
    pub nps_detractors: u64,
    /// Survey invitations.
    pub invitations: u64,
    /// Minutes scheduled for contact work.
    pub scheduled_min: f64,
    /// Minutes logged in, handling or available.
    pub worked_min: f64,
    /// Scheduled minutes spent in adherence.
    pub adherent_min: f64,
    /// Scheduled minutes lost to unplanned absence.
    pub absence_min: f64,
    /// Paid minutes.
    pub paid_min: f64,
    /// Handle time credited, seconds.
    pub handle_secs: f64,
    /// Agents who left.
    pub leavers: u64,
    /// Agents hired (rehires included).
    pub hires: u64,
    /// Headcount on the first day of the month.
    pub hc_start: u64,
    /// Headcount on the last day of the month.
    pub hc_end: u64,
    /// Sum over queue intervals of |forecast - actual| contacts.
    pub fc_abs_err: f64,
    /// Sum over queue intervals of actual contacts.
    pub fc_actual: f64,
    /// Responses with CSAT 1 or 2, by weakest driver (index in `DISSAT`).
    pub dissat: [u64; 5],
    /// E-mails answered.
    pub email_answered: u64,
    /// Total time to answer those e-mails, seconds.
    pub email_response_secs: f64,
}

impl MonthStats {
    fn pct(n: f64, d: f64) -> Option<f64> {
        (d > 0.0).then(|| n / d)
    }
    /// KPI values of the month, by KPI name, in the engine's units (ratios
    /// as fractions, NPS in points); None when not computable.
    pub fn kpi(&self, name: &str) -> Option<f64> {
        match name {
            "service_level" => Self::pct(
                self.voice_answered_in_t as f64,
                (self.voice_offered - self.voice_short_abandon) as f64,
            ),
            "asa_seconds" => {
                (self.voice_answered > 0).then(|| self.voice_wait / self.voice_answered as f64)
            }
            "abandon_rate" => Self::pct(self.voice_abandoned as f64, self.voice_offered as f64),
            "fcr_rate" => Self::pct(
                (self.fcr_eligible - self.fcr_repeat) as f64,
                self.fcr_eligible as f64,
            ),
            "csat_top2" => Self::pct(self.csat_top2 as f64, self.csat_n as f64),
            "nps" => Self::pct(
                self.nps_promoters as f64 - self.nps_detractors as f64,
                self.nps_n as f64,
            )
            .map(|x| 100.0 * x),
            "attrition_annualized" => {
                let avg = (self.hc_start + self.hc_end) as f64 / 2.0;
                Self::pct(self.leavers as f64 * 12.0, avg)
            }
            "absence_rate" => Self::pct(self.absence_min, self.scheduled_min),
            "schedule_adherence" => Self::pct(self.adherent_min, self.scheduled_min),
            "occupancy" => Self::pct(self.handle_secs, self.worked_min * 60.0),
            "utilisation" => Self::pct(self.worked_min, self.paid_min),
            "contacts_per_order" => {
                (self.orders > 0).then(|| self.contacts as f64 / self.orders as f64)
            }
            "cost_per_order" => (self.orders > 0).then(|| self.cost / self.orders as f64),
            "forecast_wape" => Self::pct(self.fc_abs_err, self.fc_actual),
            "email_response_hours" => (self.email_answered > 0)
                .then(|| self.email_response_secs / self.email_answered as f64 / 3600.0),
            _ => None,
        }
    }

    /// Counts a finished contact of the month: volume, voice service
    /// (offered, abandoned, answered, wait) and e-mail response time.
    pub(super) fn add_contact(&mut self, c: &Contact) {
        self.contacts += 1;
        if c.ch == Ch::Voice {
            self.voice_offered += 1;
            if c.abandoned {
                self.voice_abandoned += 1;
                if c.ended - c.arrived <= 5.0 {
                    self.voice_short_abandon += 1;
                }
            } else if c.was_answered() {
                let w = c.answered.floor() - c.arrived.floor();
                self.voice_answered += 1;
                self.voice_wait += w;
                if w <= 20.0 {
                    self.voice_answered_in_t += 1;
                }
            }
        }
        if c.ch == Ch::Email && c.was_answered() {
            self.email_answered += 1;
            self.email_response_secs += c.answered - c.arrived;
        }
    }

    /// Counts a survey invitation and, when answered, its CSAT, NPS and
    /// dissatisfaction driver.
    pub(super) fn add_survey(&mut self, s: &Survey) {
        self.invitations += 1;
        let Some(r) = &s.response else {
            return;
        };
        self.csat_n += 1;
        self.nps_n += 1;
        if r.csat >= 4 {
            self.csat_top2 += 1;
        }
        if r.nps >= 9 {
            self.nps_promoters += 1;
        } else if r.nps <= 6 {
            self.nps_detractors += 1;
        }
        if let Some(k) = r.weakest_driver {
            self.dissat[k] += 1;
        }
    }

    /// Adds a day's interval forecast error, with the forecast rounded as
    /// the intervals table shows it.
    pub(super) fn add_forecast_accuracy(&mut self, fc: &QueueGrid, actual: &QueueGrid) {
        for q in 0..4 {
            for i in 0..NI {
                let f = (fc[q][i] * 10.0).round() / 10.0;
                let a = actual[q][i];
                self.fc_abs_err += (f - a).abs();
                self.fc_actual += a;
            }
        }
    }

    /// Adds one agent-day's schedule, presence and paid minutes.
    pub(super) fn add_shift(&mut self, s: &Shift) {
        self.scheduled_min += s.sched_min;
        self.worked_min += s.worked_min;
        self.adherent_min += s.adherent_min;
        self.absence_min += s.absent_min;
        self.paid_min += s.paid_min;
    }

    /// Adds one day's orders and operating cost.
    pub(super) fn add_business_day(&mut self, orders: u64, cost: f64) {
        self.orders += orders;
        self.cost += cost;
    }
}

/// What the documents need from the run.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Month statistics, in calendar order.
    pub months: Vec<MonthStats>,
    /// Days in the period.
    pub days: usize,
    /// Orders over the period.
    pub orders_total: u64,
    /// Contact rows written.
    pub contacts_total: u64,
    /// Mean of the months' average headcount.
    pub avg_headcount: f64,
    /// Headcount on the first day.
    pub start_headcount: u64,
    /// Headcount on the last day.
    pub end_headcount: u64,
    /// Agents' hourly cost, EUR.
    pub hourly_rate: f64,
    /// Fixed overhead per day over all pods, EUR.
    pub daily_overhead: f64,
    /// Average orders per day in the first month.
    pub first_month_orders_per_day: f64,
    /// Average orders per day in the last month.
    pub last_month_orders_per_day: f64,
    /// Interval WAPE a perfect forecast would still show (Poisson noise),
    /// from the 4 weeks of history before the period.
    pub wape_floor: f64,
}

/// Days of the period, the month index of each day, and an empty
/// [`MonthStats`] per calendar month touched.
pub(super) fn month_days(cfg: &SynthConfig) -> (usize, Vec<u16>, Vec<MonthStats>) {
    let days = (cfg.end() - cfg.start).num_days() as usize + 1;
    let mut month_of = Vec::with_capacity(days);
    let mut months: Vec<MonthStats> = Vec::new();
    let mut cur = String::new();
    for d in 0..days {
        let date = cfg.start + chrono::Duration::days(d as i64);
        let label = date.format("%Y-%m").to_string();
        if label != cur {
            months.push(MonthStats {
                label: label.clone(),
                ..MonthStats::default()
            });
            cur = label;
        }
        if let Some(m) = months.last_mut() {
            m.days += 1;
        }
        month_of.push((months.len() - 1) as u16);
    }
    (days, month_of, months)
}

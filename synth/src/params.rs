//! Parameters of the two scenarios. These are mechanisms (rates, shapes,
//! policies), never KPI values: the KPIs emerge from the simulation.

use crate::Scenario;

/// Channels, in output order.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ch {
    Voice = 0,
    Chat = 1,
    Messaging = 2,
    Email = 3,
    SelfService = 4,
}

impl Ch {
    pub const ALL: [Ch; 5] = [
        Ch::Voice,
        Ch::Chat,
        Ch::Messaging,
        Ch::Email,
        Ch::SelfService,
    ];
    pub fn name(self) -> &'static str {
        ["voice", "chat", "messaging", "email", "self_service"][self as usize]
    }
    pub fn sync(self) -> bool {
        matches!(self, Ch::Voice | Ch::Chat | Ch::Messaging)
    }
}

/// Queues (topics); every channel of a topic lands in its queue.
pub const QUEUES: [&str; 4] = ["rides", "billing", "account", "driver_support"];
/// Share of first contacts per queue.
pub const QUEUE_SHARE: [f64; 4] = [0.40, 0.25, 0.15, 0.20];
/// Contact reasons per queue.
pub const REASONS: [&[&str]; 4] = [
    &[
        "lost_item",
        "driver_behaviour",
        "fare_dispute",
        "ride_cancelled",
    ],
    &["refund", "double_charge", "payment_method", "invoice"],
    &["login", "profile_update", "account_deletion"],
    &["payout", "onboarding", "driver_app_issue"],
];
/// Base resolution probability per queue (an average agent, no transfer).
pub const QUEUE_RES: [f64; 4] = [0.0, -0.03, 0.05, -0.04];

/// Synchronous opening hours: 07:00 to 23:00 in 30-minute intervals.
pub const OPEN: f64 = 7.0 * 3600.0;
/// Number of 30-minute intervals of the synchronous day.
pub const NI: usize = 32;
/// Interval length, seconds.
pub const IV: f64 = 1800.0;
/// Asynchronous arrivals (email, self-service) run 06:00 to 24:00.
pub const ASYNC_OPEN: f64 = 6.0 * 3600.0;
/// Number of asynchronous 30-minute intervals.
pub const NA: usize = 36;

/// Everything that differs between the scenarios.
pub struct Params {
    pub scenario: Scenario,
    /// Channel mix of first contacts (voice, chat, messaging, email, self-service).
    pub channel_mix: [f64; 5],
    /// First contacts per order at the start, and monthly change.
    pub contact_rate: f64,
    pub contact_rate_trend: f64,
    /// Monthly order growth.
    pub order_growth: f64,
    /// Expected total/first contact multiplier (repeats, retries), used to size orders.
    pub repeat_multiplier: f64,
    /// Resolution: base probability and transfer probability.
    pub res_base: f64,
    pub transfer_p: f64,
    /// Self-service success probability.
    pub self_service_success: f64,
    /// Handle-time multiplier (knowledge base, tools).
    pub aht_factor: f64,
    /// Share of contacts without a customer id.
    pub missing_customer: f64,
    /// Agent coded a wrong "resolved" for unresolved contacts.
    pub optimistic_coding: f64,
    /// Share of contacts with no resolution code.
    pub missing_resolved: f64,
    /// Staffing: baseline contacts per agent-day ratio; follow-up SL target.
    pub contacts_per_agent_day: f64,
    pub sl_target: f64,
    pub shrinkage: f64,
    /// Probability of a full-day unplanned absence, partial lateness.
    pub absence_p: f64,
    pub late_p: f64,
    /// Mean schedule adherence of present time (the rest is logged out).
    pub adherence: f64,
    /// Paid time off the phones (breaks, coaching, training, meetings) per
    /// minute of contact-work schedule.
    pub off_phone: f64,
    /// Daily leaving hazard per agent, and multiplier in the first 90 days.
    pub hazard: f64,
    pub early_hazard: f64,
    /// Share of leavers who leave involuntarily.
    pub involuntary: f64,
    /// Days from hire to certification, to live work.
    pub certify_days: i32,
    pub nesting_days: i32,
    /// Share of new hires put on live contacts before certification.
    pub early_live_share: f64,
    /// Mean tenure of the starting roster, days.
    pub tenure_mean: f64,
    /// Pay per paid hour (the follow-up pays more to retain staff), and
    /// overhead per order and per day and pod.
    pub hourly_rate: f64,
    pub overhead_per_order: f64,
    pub overhead_fixed_per_day: f64,
    /// Satisfaction offset (service culture) on the latent scale.
    pub sat_offset: f64,
    /// Incidents per 30 days by severity (critical, high, medium, low).
    pub incidents_per_month: [f64; 4],
    /// Changes per 30 days.
    pub changes_per_month: f64,
    /// Chat / messaging sessions an agent may hold at once.
    pub concurrency: u8,
}

impl Params {
    pub fn for_scenario(s: Scenario) -> Self {
        match s {
            Scenario::Baseline => Params {
                scenario: s,
                channel_mix: [0.36, 0.22, 0.10, 0.17, 0.15],
                contact_rate: 0.10,
                contact_rate_trend: 0.0,
                order_growth: 0.02,
                repeat_multiplier: 0.52,
                res_base: 0.70,
                transfer_p: 0.13,
                self_service_success: 0.55,
                aht_factor: 1.0,
                missing_customer: 0.08,
                optimistic_coding: 0.3,
                missing_resolved: 0.08,
                contacts_per_agent_day: 51.0,
                sl_target: 0.8,
                shrinkage: 0.05,
                absence_p: 0.06,
                late_p: 0.12,
                adherence: 0.90,
                off_phone: 0.14,
                hazard: 0.00265,
                early_hazard: 2.0,
                involuntary: 0.25,
                certify_days: 28,
                nesting_days: 14,
                early_live_share: 0.4,
                tenure_mean: 160.0,
                hourly_rate: 17.5,
                overhead_per_order: 0.02,
                overhead_fixed_per_day: 260.0,
                sat_offset: 0.0,
                incidents_per_month: [0.8, 2.5, 5.0, 8.0],
                changes_per_month: 3.0,
                concurrency: 1,
            },
            Scenario::Followup => Params {
                scenario: s,
                channel_mix: [0.30, 0.20, 0.12, 0.18, 0.20],
                contact_rate: 0.085,
                contact_rate_trend: -0.015,
                order_growth: 0.03,
                repeat_multiplier: 0.30,
                res_base: 0.83,
                transfer_p: 0.06,
                self_service_success: 0.68,
                aht_factor: 0.90,
                missing_customer: 0.03,
                optimistic_coding: 0.1,
                missing_resolved: 0.01,
                contacts_per_agent_day: 60.0,
                sl_target: 0.8,
                shrinkage: 0.12,
                absence_p: 0.02,
                late_p: 0.03,
                adherence: 0.98,
                off_phone: 0.045,
                hazard: 0.00137,
                early_hazard: 1.6,
                involuntary: 0.3,
                certify_days: 21,
                nesting_days: 21,
                early_live_share: 0.0,
                tenure_mean: 420.0,
                hourly_rate: 19.1,
                overhead_per_order: 0.02,
                overhead_fixed_per_day: 260.0,
                sat_offset: 0.0,
                incidents_per_month: [0.5, 2.0, 4.0, 7.0],
                changes_per_month: 3.0,
                concurrency: 3,
            },
        }
    }

    pub fn baseline(&self) -> bool {
        self.scenario == Scenario::Baseline
    }

    /// Median talk, probability of hold, median hold, median wrap (seconds).
    pub fn handle(&self, ch: Ch) -> (f64, f64, f64, f64) {
        match ch {
            Ch::Voice => (290.0, 0.3, 45.0, 40.0),
            Ch::Chat => (400.0, 0.15, 30.0, 30.0),
            Ch::Messaging => (330.0, 0.1, 30.0, 25.0),
            Ch::Email => (380.0, 0.0, 0.0, 60.0),
            Ch::SelfService => (0.0, 0.0, 0.0, 0.0),
        }
    }

    /// Customer patience (mean seconds) on a synchronous channel.
    pub fn patience(&self, ch: Ch) -> f64 {
        match ch {
            Ch::Voice => 300.0,
            Ch::Chat => 420.0,
            _ => 900.0,
        }
    }
}

/// Relative order volume by weekday (Monday first).
pub const WEEK: [f64; 7] = [0.84, 0.82, 0.88, 0.97, 1.16, 1.32, 1.01];

/// Relative arrival weight of each synchronous interval (07:00-23:00).
pub fn sync_shape() -> [f64; NI] {
    let mut w = [0.0; NI];
    for (i, x) in w.iter_mut().enumerate() {
        let h = 7.0 + (i as f64 + 0.5) / 2.0;
        *x = 0.35
            + 1.0 * (-((h - 9.5) / 1.6).powi(2) / 2.0).exp()
            + 0.6 * (-((h - 13.5) / 1.5).powi(2) / 2.0).exp()
            + 0.95 * (-((h - 19.0) / 2.0).powi(2) / 2.0).exp();
    }
    let s: f64 = w.iter().sum();
    w.map(|x| x / s)
}

/// Relative arrival weight of each asynchronous interval (06:00-24:00).
pub fn async_shape() -> [f64; NA] {
    let mut w = [0.0; NA];
    for (i, x) in w.iter_mut().enumerate() {
        let h = 6.0 + (i as f64 + 0.5) / 2.0;
        *x = 0.3
            + 0.8 * (-((h - 10.0) / 2.0).powi(2) / 2.0).exp()
            + 1.0 * (-((h - 20.5) / 2.5).powi(2) / 2.0).exp();
    }
    let s: f64 = w.iter().sum();
    w.map(|x| x / s)
}

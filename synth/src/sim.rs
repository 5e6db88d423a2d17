//! The simulation: demand, workforce, a discrete-event queue per day, customers,
//! surveys, and the month statistics that documents and `kpi_results` report.

// Queue x interval matrices read better with explicit indices.
#![allow(clippy::needless_range_loop)]

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap, VecDeque};

use rand_chacha::ChaCha8Rng;

use crate::params::{
    ASYNC_OPEN, Ch, IV, NA, NI, OPEN, Params, QUEUE_RES, QUEUE_SHARE, QUEUES, REASONS, WEEK,
    async_shape, sync_shape,
};
use crate::util::{Calendar, DAY, Draw, Erlang, stream};
use crate::write::{Out, T};
use crate::{Progress, SynthConfig, SynthError};

const NONE: u32 = u32::MAX;
/// `Finish` marker of a slice of e-mail work.
const MAIL: u32 = u32::MAX - 1;
/// Seconds of e-mail work a follow-up agent does before checking for calls.
const MAIL_SLICE: f64 = 20.0;
/// Extra work an agent gets done per additional concurrent chat session.
pub const CONCURRENCY_GAIN: f64 = 0.3;
const WEEK_SECS: f64 = 7.0 * DAY;
/// Dissatisfaction reason codes, in the order of the driver attributes.
pub const DISSAT: [&str; 5] = [
    "long_wait",
    "agent_knowledge",
    "agent_attitude",
    "issue_not_resolved",
    "too_much_effort",
];

/// Per-month aggregates (the centre's own reporting, computed from the data).
#[derive(Debug, Clone, Default)]
pub struct MonthStats {
    pub label: String,
    pub days: u32,
    pub contacts: u64,
    pub orders: u64,
    pub cost: f64,
    pub voice_offered: u64,
    pub voice_short_abandon: u64,
    pub voice_abandoned: u64,
    pub voice_answered: u64,
    pub voice_answered_in_t: u64,
    pub voice_wait: f64,
    pub fcr_eligible: u64,
    pub fcr_repeat: u64,
    pub csat_n: u64,
    pub csat_top2: u64,
    pub nps_n: u64,
    pub nps_promoters: u64,
    pub nps_detractors: u64,
    pub invitations: u64,
    pub scheduled_min: f64,
    pub worked_min: f64,
    pub adherent_min: f64,
    pub absence_min: f64,
    pub paid_min: f64,
    pub handle_secs: f64,
    pub leavers: u64,
    pub hires: u64,
    pub hc_start: u64,
    pub hc_end: u64,
    pub fc_abs_err: f64,
    pub fc_actual: f64,
    pub dissat: [u64; 5],
    pub email_answered: u64,
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
}

/// An incident (operational issue).
#[derive(Debug, Clone)]
pub struct Incident {
    pub severity: usize,
    pub detected: f64,
    pub escalated: Option<f64>,
    pub resolved: Option<f64>,
}

/// A service launch or change.
#[derive(Debug, Clone)]
pub struct Change {
    pub impact: usize,
    pub go_live: f64,
    pub notified: Option<f64>,
}

/// What the documents need from the run.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub months: Vec<MonthStats>,
    pub days: usize,
    pub orders_total: u64,
    pub contacts_total: u64,
    pub avg_headcount: f64,
    pub start_headcount: u64,
    pub end_headcount: u64,
    pub hourly_rate: f64,
    pub daily_overhead: f64,
    pub first_month_orders_per_day: f64,
    pub last_month_orders_per_day: f64,
    /// Interval WAPE a perfect forecast would still show (Poisson noise),
    /// from the 4 weeks of history before the period.
    pub wape_floor: f64,
}

/// Escalation limits (seconds) by severity: critical, high, medium, low.
pub const ESCALATION_LIMIT: [f64; 4] = [1800.0, 7200.0, 28_800.0, 86_400.0];
/// Severity names.
pub const SEVERITY: [&str; 4] = ["critical", "high", "medium", "low"];
/// Impact names.
pub const IMPACT: [&str; 3] = ["high", "medium", "low"];

#[derive(Clone, Copy)]
struct Contact {
    id: u64,
    cust: u32,
    show_cust: bool,
    ch: Ch,
    q: u8,
    reason: u8,
    repeat: bool,
    arrived: f64,
    answered: f64,
    ended: f64,
    talk: f32,
    hold: f32,
    wrap: f32,
    agent: u32,
    abandoned: bool,
    transferred: bool,
    resolved: bool,
    coded: Option<bool>,
    state: u8,
    pod: u16,
    /// Agent attention accrued so far by a chat or messaging session.
    attn: f64,
}

const ST_PENDING: u8 = 0;
const ST_WAITING: u8 = 1;
const ST_DONE: u8 = 2;
const ST_MOVED: u8 = 3;

struct Agent {
    id: u32,
    team: u32,
    hired: i32,
    certified: Option<i32>,
    live_from: i32,
    exited: Option<i32>,
    involuntary: bool,
    skill: f64,
    courtesy: f64,
    rehired: bool,
}

impl Agent {
    fn employed(&self, d: i32) -> bool {
        self.hired <= d && self.exited.is_none_or(|e| e > d)
    }
}

struct Shift {
    agent: usize,
    start: f64,
    end: f64,
    gaps: [(f64, f64); 2],
    /// Handling a voice call or an e-mail (exclusive).
    excl: bool,
    /// In the idle queue with nothing to do.
    free: bool,
    /// Chat / messaging sessions in progress (contact indices in `sess`).
    load: u8,
    sess: [u32; 8],
    /// When the agent's attention was last shared out between sessions.
    last_share: f64,
    pod: usize,
    /// E-mail in progress (index in `done_emails`), its work left, and
    /// whether it was parked for a call.
    mail: u32,
    mail_left: f64,
    mail_parked: bool,
    token: u32,
    plan_iv: usize,
    plan_len: usize,
    sched_min: f64,
    worked_min: f64,
    adherent_min: f64,
    absent_min: f64,
    paid_min: f64,
}

impl Shift {
    fn on(&self, t: f64) -> bool {
        t >= self.start && t < self.end && !self.gaps.iter().any(|&(a, b)| t >= a && t < b)
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Arrive(u32),
    Abandon(u32),
    /// Shift, and the chat / messaging contact index (NONE: exclusive work).
    Finish(u32, u32),
    Boundary(u32),
}

struct Ev {
    t: f64,
    seq: u64,
    kind: Kind,
}
impl PartialEq for Ev {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Ev {}
impl PartialOrd for Ev {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Ev {
    fn cmp(&self, o: &Self) -> Ordering {
        // Reversed: the heap pops the earliest event.
        o.t.total_cmp(&self.t).then(o.seq.cmp(&self.seq))
    }
}

struct Pending {
    t: f64,
    c: Contact,
}
impl PartialEq for Pending {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Pending {
    fn cmp(&self, o: &Self) -> Ordering {
        o.t.total_cmp(&self.t).then(o.c.id.cmp(&self.c.id))
    }
}

/// A pod: a team with its own queues, agents and e-mail backlog. Larger
/// centres are organised in more pods of about the same size (customers are
/// routed to a pod by customer id), so a pod's statistics do not depend on
/// the size of the centre.
#[derive(Default)]
struct Pod {
    waiting: VecDeque<u32>,
    idle: VecDeque<(u32, u32)>,
    partial: VecDeque<(u32, u32)>,
    n_free: usize,
    /// Voice contacts waiting.
    voice_waiting: usize,
    backlog: VecDeque<Contact>,
    /// Shifts of the pod today.
    shifts: usize,
}

/// Contacts per 30 days one pod is sized for.
const POD_CONTACTS_PER_30_DAYS: f64 = 33_000.0;

/// Number of pods for a configuration.
fn pod_count(cfg: &SynthConfig) -> usize {
    let days = ((cfg.end() - cfg.start).num_days() + 1).max(1) as f64;
    let per_30 = cfg.contacts as f64 / days * 30.0;
    ((per_30 / POD_CONTACTS_PER_30_DAYS).round() as usize).clamp(1, 10_000)
}

/// One FCR registration: a contact that ended, waiting to see a repeat.
struct FcrRec {
    ended: f64,
    month: u16,
    eligible: bool,
    flagged: bool,
}

struct Sim<'a> {
    p: Params,
    cfg: &'a SynthConfig,
    cal: Calendar,
    days: usize,
    data_end: f64,
    month_of: Vec<u16>,
    months: Vec<MonthStats>,
    start_dow: i64,
    // random streams
    r_dem: ChaCha8Rng,
    r_sim: ChaCha8Rng,
    r_wf: ChaCha8Rng,
    r_srv: ChaCha8Rng,
    // demand
    orders: Vec<u64>,
    o0: f64,
    sshape: [f64; NI],
    ashape: [f64; NA],
    incidents: Vec<Incident>,
    changes: Vec<Change>,
    n_cust: u32,
    next_id: u64,
    next_survey: u64,
    // workforce
    agents: Vec<Agent>,
    /// Roster index of the latest spell of each agent id.
    by_id: Vec<usize>,
    next_agent: u32,
    n_teams: u32,
    hazard_acc: f64,
    hist_actual: VecDeque<[[f64; NI]; 4]>,
    /// Expected first contacts per queue and interval (known drivers only).
    hist_lambda: VecDeque<[[f64; NI]; 4]>,
    hist_email: VecDeque<(f64, f64)>,
    hist_aht: VecDeque<(f64, f64)>,
    recent_shifts: VecDeque<u32>,
    // day state
    contacts: Vec<Contact>,
    shifts: Vec<Shift>,
    heap: BinaryHeap<Ev>,
    seq: u64,
    pods: Vec<Pod>,
    done_emails: Vec<Contact>,
    pending: BinaryHeap<Pending>,
    fcr: HashMap<u32, Vec<FcrRec>>,
    day: usize,
    day_start: f64,
    actual: [[f64; NI]; 4],
    aht_sum: [[f64; NI]; 4],
    aht_n: [[f64; NI]; 4],
    line: String,
    last_fc: ([[f64; NI]; 4], f64),
    wape_floor: f64,
}

/// Runs the simulation, streaming the day-level tables into `out`.
pub fn run(
    cfg: &SynthConfig,
    out: &mut Out,
    progress: &mut dyn FnMut(Progress),
) -> Result<Stats, SynthError> {
    let mut sim = Sim::new(cfg);
    sim.init_roster();
    for d in 0..sim.days {
        sim.simulate_day(d, out)?;
        progress(Progress::Day {
            done: d as u32 + 1,
            total: sim.days as u32,
            contacts: out.rows(T::Contacts),
        });
    }
    sim.finish(out)
}

fn month_days(cfg: &SynthConfig) -> (usize, Vec<u16>, Vec<MonthStats>) {
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

impl<'a> Sim<'a> {
    fn new(cfg: &'a SynthConfig) -> Self {
        let p = Params::for_scenario(cfg.scenario);
        let (days, month_of, months) = month_days(cfg);
        let salt = match cfg.scenario {
            crate::Scenario::Baseline => 0,
            crate::Scenario::Followup => 1_000,
        };
        let seed = cfg.seed;
        let mut sim = Sim {
            cal: Calendar::new(cfg.start, days + 60),
            days,
            data_end: days as f64 * DAY,
            month_of,
            months,
            start_dow: {
                use chrono::Datelike;
                cfg.start.weekday().num_days_from_monday() as i64
            },
            r_dem: stream(seed, salt + 1),
            r_sim: stream(seed, salt + 2),
            r_wf: stream(seed, salt + 3),
            r_srv: stream(seed, salt + 4),
            orders: Vec::new(),
            o0: 0.0,
            sshape: sync_shape(),
            ashape: async_shape(),
            incidents: Vec::new(),
            changes: Vec::new(),
            n_cust: ((cfg.contacts as f64 * 1.3) as u32).max(1000),
            next_id: 1,
            next_survey: 1,
            agents: Vec::new(),
            by_id: Vec::new(),
            next_agent: 1,
            n_teams: 1,
            hazard_acc: 0.0,
            hist_actual: VecDeque::new(),
            hist_lambda: VecDeque::new(),
            hist_email: VecDeque::new(),
            hist_aht: VecDeque::new(),
            recent_shifts: VecDeque::new(),
            contacts: Vec::new(),
            shifts: Vec::new(),
            heap: BinaryHeap::new(),
            seq: 0,
            pods: (0..pod_count(cfg)).map(|_| Pod::default()).collect(),
            done_emails: Vec::new(),
            pending: BinaryHeap::new(),
            fcr: HashMap::new(),
            day: 0,
            day_start: 0.0,
            actual: [[0.0; NI]; 4],
            aht_sum: [[0.0; NI]; 4],
            aht_n: [[0.0; NI]; 4],
            line: String::with_capacity(512),
            last_fc: ([[0.0; NI]; 4], 0.0),
            wape_floor: 0.0,
            p,
            cfg,
        };
        sim.init_demand();
        sim.init_governance();
        sim.init_history();
        // The planners know their volumes: the interval WAPE of a perfect
        // forecast is the Poisson mean absolute deviation over the volume.
        let m_sync = 1.0 + sim.p.repeat_multiplier;
        let (mut dev, mut vol) = (0.0, 0.0);
        for l in &sim.hist_lambda {
            for x in l.iter().flatten() {
                dev += crate::util::poisson_mad(x * m_sync);
                vol += x * m_sync;
            }
        }
        sim.wape_floor = if vol > 0.0 { dev / vol } else { 0.0 };
        sim
    }

    // ---------------------------------------------------------------- demand

    fn dow(&self, d: i64) -> usize {
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

    fn init_demand(&mut self) {
        // Orders sized so the expected total of contacts matches the target.
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

    fn init_governance(&mut self) {
        let r = &mut self.r_dem;
        let months = self.days as f64 / 30.4;
        for (sev, rate) in self.p.incidents_per_month.iter().enumerate() {
            let n = r.poisson(rate * months).max(if sev == 0 { 1 } else { 0 });
            for _ in 0..n {
                let day = r.below(self.days) as f64;
                let detected = day * DAY + 3600.0 * (7.0 + 15.0 * r.unif());
                let limit = ESCALATION_LIMIT[sev];
                let escalated = if self.p.baseline() {
                    if r.chance(0.2) {
                        None
                    } else {
                        Some(detected + r.lognormal(limit * 1.4, 0.8))
                    }
                } else {
                    Some(detected + limit * (0.15 + 0.7 * r.unif()))
                };
                let resolved = Some(detected + r.lognormal(3.0 * 3600.0 * (sev + 1) as f64, 0.6));
                self.incidents.push(Incident {
                    severity: sev,
                    detected,
                    escalated,
                    resolved,
                });
            }
        }
        self.incidents
            .sort_by(|a, b| a.detected.total_cmp(&b.detected));
        let n = r.poisson(self.p.changes_per_month * months).max(2);
        for i in 0..n {
            let day = r.below(self.days) as f64;
            let go_live = day * DAY + 3600.0 * (9.0 + 4.0 * r.unif());
            let impact = if i == 0 {
                0
            } else {
                r.weighted(&[0.25, 0.4, 0.35])
            };
            let notified = if self.p.baseline() {
                let x = r.unif();
                if x < 0.3 {
                    None
                } else if x < 0.55 {
                    Some(go_live + 3600.0 * (1.0 + 48.0 * r.unif()))
                } else {
                    Some(go_live - DAY * (1.0 + 5.0 * r.unif()))
                }
            } else {
                Some(go_live - DAY * (7.5 + 14.0 * r.unif()))
            };
            self.changes.push(Change {
                impact,
                go_live,
                notified,
            });
        }
        self.changes.sort_by(|a, b| a.go_live.total_cmp(&b.go_live));
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
    fn lambda_sync(&self, d: i64, q: usize, ch: Ch, i: usize, known_only: bool) -> f64 {
        let base = self.orders_expected(d)
            * self.rate(d)
            * QUEUE_SHARE[q]
            * self.p.channel_mix[ch as usize];
        let t = d as f64 * DAY + OPEN + (i as f64 + 0.5) * IV;
        base * self.sshape[i] * self.surge(q, t, known_only)
    }

    fn lambda_async(&self, d: i64, q: usize, ch: Ch, i: usize) -> f64 {
        let base = self.orders_expected(d)
            * self.rate(d)
            * QUEUE_SHARE[q]
            * self.p.channel_mix[ch as usize];
        let t = d as f64 * DAY + ASYNC_OPEN + (i as f64 + 0.5) * IV;
        base * self.ashape[i] * self.surge(q, t, false)
    }

    fn init_history(&mut self) {
        // 28 days of pre-period actuals for the rule-of-thumb forecast.
        let m_sync = 1.0 + self.p.repeat_multiplier;
        for d in -28..0i64 {
            let mut a = [[0.0; NI]; 4];
            let mut l = [[0.0; NI]; 4];
            let mut email = 0.0;
            let mut email_l = 0.0;
            for (q, aq) in a.iter_mut().enumerate() {
                for (i, x) in aq.iter_mut().enumerate() {
                    let lam: f64 = [Ch::Voice, Ch::Chat, Ch::Messaging]
                        .iter()
                        .map(|&c| self.lambda_sync(d, q, c, i, true))
                        .sum();
                    l[q][i] = lam;
                    *x = self.r_dem.poisson(lam * m_sync) as f64;
                }
                let le: f64 = (0..NA).map(|i| self.lambda_async(d, q, Ch::Email, i)).sum();
                email_l += le;
                email += self.r_dem.poisson(le * m_sync) as f64;
            }
            self.hist_actual.push_back(a);
            self.hist_lambda.push_back(l);
            self.hist_email.push_back((email, email_l));
        }
    }

    // ------------------------------------------------------------- workforce

    fn new_agent(&mut self, hired: i32, pre_period: bool) -> Agent {
        let r = &mut self.r_wf;
        let early = !pre_period && r.chance(self.p.early_live_share);
        let certified = if self.p.baseline() && r.chance(0.06) {
            None
        } else {
            Some(hired + self.p.certify_days)
        };
        let live_from = if early {
            hired + self.p.nesting_days
        } else {
            hired + self.p.certify_days
        };
        let id = self.next_agent;
        self.next_agent += 1;
        Agent {
            id,
            team: (id - 1) % self.n_teams + 1,
            hired,
            certified,
            live_from,
            exited: None,
            involuntary: false,
            skill: 0.35 * r.normal(),
            courtesy: 0.35 * r.normal(),
            rehired: false,
        }
    }

    /// Shifts a day needs (start interval, length in intervals) and the pooled
    /// requirement per interval, from a synchronous forecast and email volume.
    fn plan(
        &self,
        fc: &[[f64; NI]; 4],
        aht: f64,
        email_fc: f64,
        email_aht: f64,
    ) -> (Vec<(usize, usize)>, [f64; NI]) {
        let mut req = [0.0; NI];
        if self.p.baseline() {
            // Rule of thumb: contacts per agent-day, half early, half late.
            let total: f64 = fc.iter().flatten().sum::<f64>() + email_fc;
            let k = (total / self.p.contacts_per_agent_day).ceil().max(2.0) as usize;
            let early = k.div_ceil(2);
            let mut shifts = vec![(0, 16); early];
            shifts.extend(std::iter::repeat_n((16, 16), k - early));
            for (i, r) in req.iter_mut().enumerate() {
                *r = if i < 16 {
                    early as f64
                } else {
                    (k - early) as f64
                };
            }
            return (shifts, req);
        }
        // Erlang C per interval on the pooled synchronous workload (voice, and
        // chat and messaging at 1 / concurrency, one multi-skilled pool), the
        // way the audit's WF2 judges it; e-mail as workload, first in the idle
        // time Erlang C leaves.
        let mut idle = 0.0;
        let mut n = [0.0; NI];
        for i in 0..NI {
            let f: f64 = (0..4).map(|q| fc[q][i]).sum();
            let a = f * aht / IV;
            let need = Erlang { a, aht }.required(20.0, self.p.sl_target).max(1) as f64;
            n[i] = need;
            idle += (need - a) * IV;
        }
        let work = email_fc * email_aht;
        let extra = (work - idle).max(0.0);
        let mut target = [0usize; NI];
        for i in 0..NI {
            req[i] = n[i] + extra / NI as f64 / IV;
            target[i] = (req[i] / (1.0 - self.p.shrinkage)).ceil() as usize;
        }
        // Greedy cover with 8-, 6- or 4-hour shifts: at the first interval
        // short of staff, the length that covers the most intervals still
        // short for the fewest surplus ones.
        let mut cover = [0usize; NI];
        let mut shifts = Vec::new();
        for i in 0..NI {
            while cover[i] < target[i] {
                let mut best = (i64::MIN, 16, i.min(NI - 16));
                for len in [16usize, 12, 8] {
                    let start = i.min(NI - len);
                    let useful = (start..start + len)
                        .filter(|&j| target[j] > cover[j])
                        .count() as i64;
                    let score = useful - 2 * (len as i64 - useful);
                    if score > best.0 {
                        best = (score, len, start);
                    }
                }
                let (_, len, start) = best;
                for c in cover.iter_mut().skip(start).take(len) {
                    *c += 1;
                }
                shifts.push((start, len));
            }
        }
        (shifts, req)
    }

    /// Planned shifts per day over a horizon from expected demand (capacity plan).
    fn planned_shifts(&self, from: i64, days: i64) -> (f64, f64) {
        let m = 1.0 + self.p.repeat_multiplier;
        let mut total = 0.0;
        let mut max: f64 = 0.0;
        for d in from..from + days {
            let mut fc = [[0.0; NI]; 4];
            let mut email = 0.0;
            for (q, fq) in fc.iter_mut().enumerate() {
                for (i, x) in fq.iter_mut().enumerate() {
                    *x = [Ch::Voice, Ch::Chat, Ch::Messaging]
                        .iter()
                        .map(|&c| self.lambda_sync(d, q, c, i, true))
                        .sum::<f64>()
                        * m;
                }
                email += (0..NA)
                    .map(|i| self.lambda_async(d, q, Ch::Email, i))
                    .sum::<f64>()
                    * m;
            }
            let np = self.pods.len() as f64;
            let fc = fc.map(|q| q.map(|x| x / np));
            let (s, _) = self.plan(&fc, self.aht_guess(), email / np, 440.0 * self.p.aht_factor);
            let n = s.len() as f64 * np;
            total += n;
            max = max.max(n);
        }
        (total / days as f64, max)
    }

    /// The AHT the WFM forecasts: the effective workload per contact (a
    /// concurrent session at 1 / concurrency), as the intervals table reports it.
    fn aht_guess(&self) -> f64 {
        if self.p.baseline() {
            return 360.0;
        }
        Self::aht_of(&self.hist_aht, 430.0 * self.p.aht_factor)
    }

    fn aht_of(hist: &VecDeque<(f64, f64)>, default: f64) -> f64 {
        if hist.is_empty() {
            return default;
        }
        let (s, n) = hist.iter().fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        if n > 0.0 { s / n } else { default }
    }

    fn headcount_target(&self, d: i64) -> usize {
        let fte = if self.p.baseline() {
            // Last week's actual shifts, no allowance for absence or growth.
            let per_day = if self.recent_shifts.is_empty() {
                self.planned_shifts(d, 7).0
            } else {
                self.recent_shifts.iter().sum::<u32>() as f64 / self.recent_shifts.len() as f64
            };
            per_day * 7.0 / 5.0 * 1.08
        } else {
            self.planned_shifts(d + 7, 28).1 * 7.0 / 5.0 / (1.0 - self.p.absence_p)
        };
        fte.ceil() as usize
    }

    fn init_roster(&mut self) {
        let target = self.headcount_target(0);
        self.n_teams = (target as u32).div_ceil(12).max(2);
        for _ in 0..target {
            let tenure = (self.r_wf.exp(self.p.tenure_mean) as i32).clamp(35, 2500);
            let a = self.new_agent(-tenure, true);
            self.add_agent(a);
        }
        // A few former agents (rehire candidates).
        for _ in 0..(target / 8).max(3) {
            let tenure = 60 + self.r_wf.below(400) as i32;
            let exited = -(30 + self.r_wf.below(300) as i32);
            let mut a = self.new_agent(exited - tenure, true);
            a.exited = Some(exited);
            a.involuntary = false;
            self.add_agent(a);
        }
    }

    fn add_agent(&mut self, a: Agent) {
        let id = a.id as usize;
        if self.by_id.len() <= id {
            self.by_id.resize(id + 1, usize::MAX);
        }
        self.by_id[id] = self.agents.len();
        self.agents.push(a);
    }

    fn employed_count(&self, d: i32) -> u64 {
        self.agents.iter().filter(|a| a.employed(d)).count() as u64
    }

    fn workforce_day(&mut self, d: usize) {
        let di = d as i32;
        let mi = self.month_of[d] as usize;
        if d == 0 || self.month_of[d - 1] as usize != mi {
            self.months[mi].hc_start = self.employed_count(di);
        }
        // Leavers: a hazard accumulator keeps the count close to the hazard.
        let hz: Vec<f64> = self
            .agents
            .iter()
            .map(|a| {
                if a.employed(di) && a.hired < di {
                    let early = if di - a.hired < 90 {
                        self.p.early_hazard
                    } else {
                        1.0
                    };
                    self.p.hazard * early
                } else {
                    0.0
                }
            })
            .collect();
        if d == 0 {
            self.hazard_acc = self.r_wf.unif();
        }
        self.hazard_acc += hz.iter().sum::<f64>();
        while self.hazard_acc >= 1.0 {
            self.hazard_acc -= 1.0;
            let k = self.r_wf.weighted(&hz);
            if hz[k] > 0.0 && self.agents[k].exited.is_none() {
                let inv = self.r_wf.chance(self.p.involuntary);
                let a = &mut self.agents[k];
                a.exited = Some(di);
                a.involuntary = inv;
                self.months[mi].leavers += 1;
            }
        }
        // Hiring on Mondays, to the capacity plan.
        if self.dow(d as i64) == 0 {
            let target = self.headcount_target(d as i64);
            let employed = self.employed_count(di) as usize;
            let rehired_any = self.agents.iter().any(|a| a.rehired);
            for h in 0..target.saturating_sub(employed) {
                let candidate = self.agents.iter().position(|a| {
                    !a.involuntary
                        && a.exited.is_some_and(|e| e + 30 <= di)
                        && !self
                            .agents
                            .iter()
                            .any(|b| b.id == a.id && b.hired > a.hired)
                });
                let rehire = candidate.is_some()
                    && ((!rehired_any && h == 0 && d > 20) || self.r_wf.chance(0.05));
                let mut a = self.new_agent(di, false);
                if let (true, Some(c)) = (rehire, candidate) {
                    self.next_agent -= 1;
                    a.id = self.agents[c].id;
                    a.team = self.agents[c].team;
                    a.skill = self.agents[c].skill;
                    a.courtesy = self.agents[c].courtesy;
                    a.certified = Some(di + 7);
                    a.live_from = di + 7;
                    a.rehired = true;
                }
                self.add_agent(a);
                self.months[mi].hires += 1;
            }
        }
    }

    // ----------------------------------------------------------------- day

    fn push(&mut self, t: f64, kind: Kind) {
        self.seq += 1;
        self.heap.push(Ev {
            t,
            seq: self.seq,
            kind,
        });
    }

    fn new_contact(&mut self, cust: u32, ch: Ch, q: usize, t: f64, repeat: bool) -> Contact {
        let r = &mut self.r_sim;
        let reason = r.below(REASONS[q].len()) as u8;
        let show = !r.chance(self.p.missing_customer);
        let id = self.next_id;
        self.next_id += 1;
        Contact {
            id,
            cust,
            show_cust: show,
            ch,
            q: q as u8,
            reason,
            repeat,
            arrived: t,
            answered: f64::NAN,
            ended: f64::NAN,
            talk: 0.0,
            hold: 0.0,
            wrap: 0.0,
            agent: NONE,
            abandoned: false,
            transferred: false,
            resolved: false,
            coded: None,
            state: ST_PENDING,
            pod: (cust as usize % self.pods.len()) as u16,
            attn: 0.0,
        }
    }

    /// Moves a follow-up arrival into the channel's opening hours.
    fn fit_hours(&mut self, ch: Ch, t: f64) -> f64 {
        let day = (t / DAY).floor();
        let tod = t - day * DAY;
        let (open, close) = if ch.sync() {
            (OPEN, OPEN + NI as f64 * IV - 120.0)
        } else {
            (ASYNC_OPEN, DAY - 60.0)
        };
        if tod >= open && tod <= close {
            return t;
        }
        // Outside opening hours the customer tries again during the next
        // opening day, at a time drawn from the normal intra-day profile.
        let next = if tod < open { day } else { day + 1.0 };
        let i = self.r_sim.weighted(&self.sshape);
        next * DAY + OPEN + (i as f64 + self.r_sim.unif()) * IV
    }

    /// Schedules a later contact by the same customer.
    fn schedule_followup(&mut self, c: &Contact, ch: Ch, t: f64, repeat: bool) {
        let t = self.fit_hours(ch, t);
        if t >= self.data_end {
            return;
        }
        let n = self.new_contact(c.cust, ch, c.q as usize, t, repeat);
        let n = Contact {
            reason: c.reason,
            ..n
        };
        if t < self.day_start + DAY {
            self.contacts.push(n);
            let ci = (self.contacts.len() - 1) as u32;
            self.push(t, Kind::Arrive(ci));
        } else {
            self.pending.push(Pending { t, c: n });
        }
    }

    fn fcr_arrival(&mut self, c: &Contact) {
        if !c.show_cust {
            return;
        }
        if let Some(v) = self.fcr.get_mut(&c.cust) {
            for rec in v.iter_mut() {
                if !rec.flagged && rec.ended < c.arrived && c.arrived <= rec.ended + WEEK_SECS {
                    rec.flagged = true;
                    if rec.eligible {
                        self.months[rec.month as usize].fcr_repeat += 1;
                    }
                }
            }
        }
    }

    fn fcr_register(&mut self, c: &Contact) {
        if !c.show_cust || c.ended.is_nan() {
            return;
        }
        let month = self.month_of[((c.arrived / DAY) as usize).min(self.days - 1)];
        let eligible = c.ended + WEEK_SECS <= self.data_end;
        if eligible {
            self.months[month as usize].fcr_eligible += 1;
        }
        self.fcr.entry(c.cust).or_default().push(FcrRec {
            ended: c.ended,
            month,
            eligible,
            flagged: false,
        });
    }

    /// Agent work on a contact: handle times, transfer, resolution, repeats.
    fn work(&mut self, si: usize, c: &mut Contact, t: f64, concurrent: bool) -> f64 {
        let ai = self.shifts[si].agent;
        let (tenure, skill) = {
            let a = &self.agents[ai];
            ((self.day as i32 - a.hired) as f64, a.skill)
        };
        let expf = 1.0 - (-tenure / 90.0).exp();
        let r = &mut self.r_sim;
        let (talk_m, hold_p, hold_m, wrap_m) = self.p.handle(c.ch);
        let mult = self.p.aht_factor * (1.3 - 0.3 * expf) * (-0.15 * skill).exp();
        let transferred = r.chance(self.p.transfer_p * (1.2 - 0.4 * expf) * (-skill).exp());
        let mut talk = r.lognormal(talk_m * mult, 0.55);
        if transferred {
            talk *= 1.6;
        }
        if concurrent {
            // Customers wait for replies while the agent serves another chat.
            talk *= 1.3;
        }
        let hold = if r.chance(hold_p) {
            r.lognormal(hold_m, 0.7)
        } else {
            0.0
        };
        let wrap = r.lognormal(wrap_m * mult, 0.5);
        let pres = (self.p.res_base + QUEUE_RES[c.q as usize] + 0.10 * skill + 0.08 * expf
            - 0.04
            - if transferred { 0.12 } else { 0.0 }
            - if c.repeat { 0.05 } else { 0.0 })
        .clamp(0.05, 0.98);
        let resolved = r.chance(pres);
        let coded = if r.chance(self.p.missing_resolved) {
            None
        } else if !resolved && r.chance(self.p.optimistic_coding) {
            Some(true)
        } else {
            Some(resolved)
        };
        c.answered = t;
        c.talk = talk as f32;
        c.hold = hold as f32;
        c.wrap = wrap as f32;
        // Stored times are what the export will show (f32 seconds).
        let talk = c.talk as f64;
        let hold = c.hold as f64;
        let wrap = c.wrap as f64;
        c.ended = t + talk + hold;
        c.agent = self.agents[ai].id;
        c.transferred = transferred;
        c.resolved = resolved;
        c.coded = coded;
        c.state = ST_DONE;
        self.fcr_register(c);
        let again = if resolved { 0.03 } else { 0.85 };
        if self.r_sim.chance(again) {
            let delay = self.r_sim.lognormal(20.0 * 3600.0, 1.0);
            let ch = match c.ch {
                Ch::Voice => {
                    if self.r_sim.chance(0.8) {
                        Ch::Voice
                    } else {
                        Ch::Chat
                    }
                }
                other => {
                    if self.r_sim.chance(0.45) {
                        Ch::Voice
                    } else {
                        other
                    }
                }
            };
            let cc = *c;
            self.schedule_followup(&cc, ch, c.ended + delay, true);
        }
        let handle = talk + hold + wrap;
        if !matches!(c.ch, Ch::Chat | Ch::Messaging) {
            // Chat and messaging are counted when the session ends, at the
            // agent attention they took (see `end_session`).
            let mi = self.month_of[self.day] as usize;
            self.months[mi].handle_secs += handle;
        }
        t + handle
    }

    fn leave_free(&mut self, si: usize) {
        if self.shifts[si].free {
            self.shifts[si].free = false;
            let pod = self.shifts[si].pod;
            self.pods[pod].n_free -= 1;
        }
    }

    /// Shares the agent's time since the last change equally between the
    /// chat / messaging sessions in progress. With `k` sessions open the
    /// agent does the work of `1 + CONCURRENCY_GAIN (k - 1)` agents (the
    /// multitasking gain the planners also assume), so the handle time
    /// credited is that many times the elapsed time, never `k` times.
    fn share_attention(&mut self, si: usize, t: f64) {
        let s = &mut self.shifts[si];
        let load = s.load as usize;
        if load > 0 {
            let gain = 1.0 + CONCURRENCY_GAIN * (load as f64 - 1.0);
            let dt = (t - s.last_share).max(0.0) * gain / load as f64;
            for &ci in &s.sess[..load] {
                self.contacts[ci as usize].attn += dt;
            }
        }
        s.last_share = t;
    }

    /// A chat / messaging session ends: its handle time is the agent
    /// attention it took (talk, hold and wrap scaled alike), so an agent's
    /// handle time never exceeds the time it spent with sessions open.
    fn end_session(&mut self, si: usize, ci: usize, t: f64) {
        self.share_attention(si, t);
        let s = &mut self.shifts[si];
        let load = s.load as usize;
        if let Some(k) = s.sess[..load].iter().position(|&x| x as usize == ci) {
            s.sess.copy_within(k + 1..load, k);
            s.load -= 1;
        }
        let c = &mut self.contacts[ci];
        let full = c.talk as f64 + c.hold as f64 + c.wrap as f64;
        if full > 0.0 {
            let f = (c.attn / full).clamp(0.0, 1.0);
            c.talk = (c.talk as f64 * f) as f32;
            c.hold = (c.hold as f64 * f) as f32;
            c.wrap = (c.wrap as f64 * f) as f32;
        }
        let c = *c;
        let handle = c.talk as f64 + c.hold as f64 + c.wrap as f64;
        let mi = self.month_of[self.day] as usize;
        self.months[mi].handle_secs += handle;
        // The interval AHT is the effective workload per contact: a
        // concurrent session counts at 1 / conc of its handle time, the
        // workload the planners staff it with (see `plan`).
        let i = self.iv_of(c.arrived);
        self.aht_sum[c.q as usize][i] += handle / self.conc();
        self.aht_n[c.q as usize][i] += 1.0;
    }

    /// The concurrency factor the planners assume for chat and messaging:
    /// an agent at the concurrency cap does the work of this many agents.
    fn conc(&self) -> f64 {
        1.0 + CONCURRENCY_GAIN * (self.p.concurrency as f64 - 1.0)
    }

    fn serve_sync(&mut self, si: usize, ci: usize, t: f64) {
        self.leave_free(si);
        let mut c = self.contacts[ci];
        let digital = matches!(c.ch, Ch::Chat | Ch::Messaging);
        let concurrent = digital && self.shifts[si].load > 0;
        let done = self.work(si, &mut c, t, concurrent);
        self.contacts[ci] = c;
        if digital {
            self.share_attention(si, t);
            let s = &mut self.shifts[si];
            s.sess[s.load as usize] = ci as u32;
            s.load += 1;
            self.push(done, Kind::Finish(si as u32, ci as u32));
        } else {
            let i = self.iv_of(c.arrived);
            let h = (c.talk + c.hold + c.wrap) as f64;
            self.aht_sum[c.q as usize][i] += h;
            self.aht_n[c.q as usize][i] += 1.0;
            self.shifts[si].excl = true;
            self.push(done, Kind::Finish(si as u32, NONE));
        }
    }

    fn serve_email(&mut self, si: usize, mut c: Contact, t: f64) {
        self.leave_free(si);
        let done = self.work(si, &mut c, t, false);
        self.done_emails.push(c);
        let s = &mut self.shifts[si];
        s.mail = (self.done_emails.len() - 1) as u32;
        s.mail_left = done - t;
        s.mail_parked = false;
        self.mail_slice(si, t);
    }

    /// Works on the agent's e-mail for one slice. Follow-up agents work in
    /// slices of `MAIL_SLICE` seconds and park the e-mail for a waiting call
    /// between slices (blended working); baseline agents finish it in one go.
    fn mail_slice(&mut self, si: usize, t: f64) {
        let slice = if self.p.baseline() {
            f64::INFINITY
        } else {
            MAIL_SLICE
        };
        let s = &mut self.shifts[si];
        let dt = s.mail_left.min(slice);
        s.mail_left -= dt;
        s.excl = true;
        self.push(t + dt, Kind::Finish(si as u32, MAIL));
    }

    /// A slice of e-mail work ends.
    fn mail_done(&mut self, si: usize, t: f64) {
        let s = &mut self.shifts[si];
        s.excl = false;
        if s.mail_left <= 0.0 && s.mail != NONE {
            let k = s.mail as usize;
            if s.mail_parked {
                // The reply went out when the agent got back to it.
                let c = &mut self.done_emails[k];
                c.ended = (t - c.wrap as f64).max(c.answered);
            }
            s.mail = NONE;
        }
    }

    fn iv_of(&self, t: f64) -> usize {
        (((t - self.day_start - OPEN) / IV).floor().max(0.0) as usize).min(NI - 1)
    }

    /// Gives an agent whatever work fits: the oldest waiting contact it can
    /// take (chat and messaging up to the concurrency cap), else e-mail.
    fn dispatch(&mut self, si: usize, t: f64) {
        self.leave_free(si);
        let pod = self.shifts[si].pod;
        loop {
            let s = &self.shifts[si];
            if s.excl {
                return;
            }
            if s.mail != NONE {
                if s.on(t) && self.pods[pod].voice_waiting > 0 {
                    let pos = self.pods[pod].waiting.iter().position(|&ci| {
                        let c = &self.contacts[ci as usize];
                        c.state == ST_WAITING && c.ch == Ch::Voice
                    });
                    if let Some(ci) = pos.and_then(|p| self.pods[pod].waiting.remove(p)) {
                        self.pods[pod].voice_waiting -= 1;
                        self.shifts[si].mail_parked = true;
                        self.serve_sync(si, ci as usize, t);
                        continue;
                    }
                }
                self.mail_slice(si, t);
                return;
            }
            if !s.on(t) {
                self.shifts[si].token += 1;
                return;
            }
            let load = s.load;
            if load >= self.p.concurrency {
                self.shifts[si].token += 1;
                return;
            }
            while self.pods[pod]
                .waiting
                .front()
                .is_some_and(|&ci| self.contacts[ci as usize].state != ST_WAITING)
            {
                self.pods[pod].waiting.pop_front();
            }
            let voice_first = !self.p.baseline() && load == 0;
            let mut pick = None;
            if voice_first {
                pick = self.pods[pod].waiting.iter().position(|&ci| {
                    let c = &self.contacts[ci as usize];
                    c.state == ST_WAITING && c.ch == Ch::Voice
                });
            }
            if pick.is_none() {
                pick = self.pods[pod].waiting.iter().position(|&ci| {
                    let c = &self.contacts[ci as usize];
                    c.state == ST_WAITING && (load == 0 || c.ch != Ch::Voice)
                });
            }
            if let Some(pos) = pick {
                if let Some(ci) = self.pods[pod].waiting.remove(pos) {
                    if self.contacts[ci as usize].ch == Ch::Voice {
                        self.pods[pod].voice_waiting -= 1;
                    }
                    self.serve_sync(si, ci as usize, t);
                }
                continue;
            }
            break;
        }
        let s = &self.shifts[si];
        // Real-time management keeps one agent per pod free for voice.
        let reserve = if self.p.baseline() { 0 } else { 1 };
        if s.load == 0
            && t + 600.0 < s.end
            && self.pods[pod].n_free >= reserve
            && let Some(c) = self.pods[pod].backlog.pop_front()
        {
            self.serve_email(si, c, t);
            return;
        }
        self.shifts[si].token += 1;
        let tok = self.shifts[si].token;
        if self.shifts[si].load == 0 {
            self.pods[pod].idle.push_back((si as u32, tok));
            self.shifts[si].free = true;
            self.pods[pod].n_free += 1;
        } else {
            self.pods[pod].partial.push_back((si as u32, tok));
        }
    }

    /// An agent on shift who can take a contact of channel `ch` now.
    fn pop_idle(&mut self, t: f64, ch: Ch, pod: usize) -> Option<usize> {
        let digital = matches!(ch, Ch::Chat | Ch::Messaging);
        if digital {
            while let Some((si, tok)) = self.pods[pod].partial.pop_front() {
                let s = &self.shifts[si as usize];
                if s.token == tok && !s.excl && s.load < self.p.concurrency && s.on(t) {
                    return Some(si as usize);
                }
            }
        }
        while let Some((si, tok)) = self.pods[pod].idle.pop_front() {
            let s = &self.shifts[si as usize];
            if s.token == tok && !s.excl && s.load == 0 && s.on(t) {
                return Some(si as usize);
            }
        }
        None
    }

    fn arrive(&mut self, ci: usize, t: f64) {
        let c = self.contacts[ci];
        self.fcr_arrival(&c);
        match c.ch {
            Ch::SelfService => {
                let r = &mut self.r_sim;
                let mut c = c;
                c.ended = c.arrived + r.lognormal(150.0, 0.6);
                c.resolved = r.chance(self.p.self_service_success);
                c.coded = Some(c.resolved);
                c.state = ST_DONE;
                self.contacts[ci] = c;
                self.fcr_register(&c);
                if !c.resolved && self.r_sim.chance(0.7) {
                    let ch = if self.r_sim.chance(0.6) {
                        Ch::Voice
                    } else {
                        Ch::Chat
                    };
                    let delay = self.r_sim.lognormal(300.0, 0.8);
                    self.schedule_followup(&c, ch, c.ended + delay, true);
                }
            }
            Ch::Email => {
                self.contacts[ci].state = ST_MOVED;
                self.pods[c.pod as usize].backlog.push_back(c);
                if let Some(si) = self.pop_idle(t, Ch::Email, c.pod as usize) {
                    self.dispatch(si, t);
                }
            }
            _ => {
                let i = self.iv_of(t);
                self.actual[c.q as usize][i] += 1.0;
                if let Some(si) = self.pop_idle(t, c.ch, c.pod as usize) {
                    self.serve_sync(si, ci, t);
                    self.dispatch(si, t);
                } else {
                    self.contacts[ci].state = ST_WAITING;
                    self.pods[c.pod as usize].waiting.push_back(ci as u32);
                    if c.ch == Ch::Voice {
                        self.pods[c.pod as usize].voice_waiting += 1;
                    }
                    let pat = self.r_sim.exp(self.p.patience(c.ch));
                    self.push(t + pat, Kind::Abandon(ci as u32));
                }
            }
        }
    }

    fn abandon(&mut self, ci: usize, t: f64) {
        if self.contacts[ci].state != ST_WAITING {
            return;
        }
        let c = &mut self.contacts[ci];
        c.state = ST_DONE;
        c.abandoned = true;
        c.ended = t;
        let c = *c;
        if c.ch == Ch::Voice {
            self.pods[c.pod as usize].voice_waiting -= 1;
        }
        self.fcr_register(&c);
        if self.r_sim.chance(0.55) {
            let delay = self.r_sim.lognormal(600.0, 0.8);
            self.schedule_followup(&c, c.ch, t + delay, false);
        }
    }

    fn forecast(&mut self, d: usize) -> ([[f64; NI]; 4], f64) {
        let mut fc = [[0.0; NI]; 4];
        let n = self.hist_actual.len() as f64;
        if self.p.baseline() {
            // Rule of thumb: average of the last four weeks, same interval,
            // refreshed in the spreadsheet on the first Monday of the month.
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
            return (fc, email);
        }
        // History ratio (actual / first-contact demand) times known demand drivers.
        // Per queue: actual / expected first contacts over 4 weeks (repeats,
        // retries, drift). Per interval, pooled over queues and smoothed: how
        // the repeats reshape the intra-day profile. The day's expected
        // first contacts carry the trend, weekday and intra-day shapes.
        let noise = 1.0 + 0.02 * self.r_dem.normal();
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
        for q in 0..4 {
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
            let ratio = if lam > 0.0 { act / lam } else { 1.0 };
            for i in 0..NI {
                fc[q][i] = [Ch::Voice, Ch::Chat, Ch::Messaging]
                    .iter()
                    .map(|&c| self.lambda_sync(d as i64, q, c, i, true))
                    .sum::<f64>()
                    * ratio
                    * corr[i]
                    * noise;
            }
        }
        let (ea, el) = self
            .hist_email
            .iter()
            .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        let el_today: f64 = (0..4)
            .map(|q| {
                (0..NA)
                    .map(|i| self.lambda_async(d as i64, q, Ch::Email, i))
                    .sum::<f64>()
            })
            .sum();
        let email = if el > 0.0 {
            el_today * ea / el
        } else {
            el_today
        };
        (fc, email)
    }

    fn simulate_day(&mut self, d: usize, out: &mut Out) -> Result<(), SynthError> {
        self.day = d;
        self.day_start = d as f64 * DAY;
        let mi = self.month_of[d] as usize;
        self.workforce_day(d);

        // Forecast and plan.
        let (fc, email_fc) = self.forecast(d);
        let aht = self.aht_guess();
        // Every pod gets the same plan for its share of the demand.
        let np = self.pods.len();
        let fc_pod = fc.map(|q| q.map(|x| x / np as f64));
        let (pod_plan, pod_req) = self.plan(
            &fc_pod,
            self.aht_guess(),
            email_fc / np as f64,
            440.0 * self.p.aht_factor,
        );
        let req = pod_req.map(|r| r * np as f64);
        let plan: Vec<(usize, usize, usize)> = (0..np)
            .flat_map(|pod| pod_plan.iter().map(move |&(a, b)| (a, b, pod)))
            .collect();
        self.build_shifts(d, &plan);

        // Arrivals: first contacts of the day plus earlier customers coming back.
        self.contacts.clear();
        self.heap.clear();
        for pod in &mut self.pods {
            pod.waiting.clear();
            pod.idle.clear();
            pod.partial.clear();
            pod.n_free = 0;
            pod.voice_waiting = 0;
        }
        self.done_emails.clear();
        self.actual = [[0.0; NI]; 4];
        self.aht_sum = [[0.0; NI]; 4];
        self.aht_n = [[0.0; NI]; 4];
        let mut fresh: Vec<(f64, Ch, usize)> = Vec::new();
        for q in 0..4 {
            for ch in Ch::ALL {
                if ch.sync() {
                    for i in 0..NI {
                        let lam = self.lambda_sync(d as i64, q, ch, i, false);
                        for _ in 0..self.r_sim.poisson(lam) {
                            let t = self.day_start + OPEN + (i as f64 + self.r_sim.unif()) * IV;
                            fresh.push((t, ch, q));
                        }
                    }
                } else {
                    for i in 0..NA {
                        let lam = self.lambda_async(d as i64, q, ch, i);
                        for _ in 0..self.r_sim.poisson(lam) {
                            let t =
                                self.day_start + ASYNC_OPEN + (i as f64 + self.r_sim.unif()) * IV;
                            fresh.push((t, ch, q));
                        }
                    }
                }
            }
        }
        fresh.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut email_today = 0.0;
        for (t, ch, q) in fresh {
            let cust = self.r_sim.below(self.n_cust as usize) as u32;
            let c = self.new_contact(cust, ch, q, t, false);
            self.contacts.push(c);
        }
        while self
            .pending
            .peek()
            .is_some_and(|p| p.t < self.day_start + DAY)
        {
            if let Some(p) = self.pending.pop() {
                self.contacts.push(p.c);
            }
        }
        for ci in 0..self.contacts.len() {
            let t = self.contacts[ci].arrived;
            if self.contacts[ci].ch == Ch::Email {
                email_today += 1.0;
            }
            self.push(t, Kind::Arrive(ci as u32));
        }
        for si in 0..self.shifts.len() {
            let s = &self.shifts[si];
            let mut bounds = vec![s.start];
            for &(a, b) in &s.gaps {
                if b > a {
                    bounds.push(a);
                    bounds.push(b);
                }
            }
            bounds.push(s.end);
            for b in bounds {
                self.push(b, Kind::Boundary(si as u32));
            }
        }

        // Discrete-event simulation of the day.
        while let Some(ev) = self.heap.pop() {
            match ev.kind {
                Kind::Arrive(ci) => self.arrive(ci as usize, ev.t),
                Kind::Abandon(ci) => self.abandon(ci as usize, ev.t),
                Kind::Finish(si, ci) => {
                    if ci == MAIL {
                        self.mail_done(si as usize, ev.t);
                    } else if ci == NONE {
                        self.shifts[si as usize].excl = false;
                    } else {
                        self.end_session(si as usize, ci as usize, ev.t);
                    }
                    self.dispatch(si as usize, ev.t);
                }
                Kind::Boundary(si) => self.dispatch(si as usize, ev.t),
            }
        }

        // Forecast history and accuracy.
        let mut lam = [[0.0; NI]; 4];
        for (q, l) in lam.iter_mut().enumerate() {
            for i in 0..NI {
                l[i] = [Ch::Voice, Ch::Chat, Ch::Messaging]
                    .iter()
                    .map(|&c| self.lambda_sync(d as i64, q, c, i, true))
                    .sum::<f64>();
            }
        }
        // Interval-level accuracy, as the intervals table will show it.
        for q in 0..4 {
            for i in 0..NI {
                let f = (fc[q][i] * 10.0).round() / 10.0;
                let a = self.actual[q][i];
                self.months[mi].fc_abs_err += (f - a).abs();
                self.months[mi].fc_actual += a;
            }
        }
        let el: f64 = (0..4)
            .map(|q| {
                (0..NA)
                    .map(|i| self.lambda_async(d as i64, q, Ch::Email, i))
                    .sum::<f64>()
            })
            .sum();
        self.hist_actual.push_back(self.actual);
        self.hist_lambda.push_back(lam);
        self.hist_email.push_back((email_today, el));
        let (hs, hn) = (
            self.aht_sum.iter().flatten().sum::<f64>(),
            self.aht_n.iter().flatten().sum::<f64>(),
        );
        self.hist_aht.push_back((hs, hn));
        if self.hist_actual.len() > 28 {
            self.hist_actual.pop_front();
            self.hist_lambda.pop_front();
            self.hist_email.pop_front();
        }
        if self.hist_aht.len() > 28 {
            self.hist_aht.pop_front();
        }
        self.recent_shifts.push_back(plan.len() as u32);
        if self.recent_shifts.len() > 7 {
            self.recent_shifts.pop_front();
        }

        self.write_day(d, &fc, aht, &req, out)?;

        // Forget FCR registrations whose window has passed.
        let now = self.day_start + DAY;
        self.fcr.retain(|_, v| {
            v.retain(|r| r.ended + WEEK_SECS >= now);
            !v.is_empty()
        });
        if d + 1 == self.days || self.month_of[d + 1] as usize != mi {
            self.months[mi].hc_end = self.employed_count(d as i32);
        }
        Ok(())
    }

    fn build_shifts(&mut self, d: usize, plan: &[(usize, usize, usize)]) {
        self.shifts.clear();
        for pod in &mut self.pods {
            pod.shifts = 0;
        }
        let di = d as i32;
        let n = self.agents.len();
        let mut avail: Vec<usize> = (0..n)
            .filter(|&k| {
                let a = &self.agents[k];
                let off = (d as u32 + a.id * 3) % 7;
                a.employed(di) && a.live_from <= di && off >= 2
            })
            .collect();
        avail.sort_by_key(|&k| (k * 7919 + d * 31) % n.max(1));
        // When short of agents, drop shifts spread over the day, not the evening.
        let mut order: Vec<usize> = (0..plan.len()).collect();
        order.sort_by(|&a, &b| {
            let fa = (a as f64 * 0.618_033_988_7).fract();
            let fb = (b as f64 * 0.618_033_988_7).fract();
            fa.total_cmp(&fb)
        });
        for (k, &(start_iv, len, pod)) in avail.iter().zip(order.iter().map(|&o| &plan[o])) {
            self.pods[pod].shifts += 1;
            let r = &mut self.r_wf;
            let start = self.day_start + OPEN + start_iv as f64 * IV;
            let sched = len as f64 * IV;
            let end = start + sched;
            // Presence: a full-day absence, or a late start that is made up at
            // the end (out of adherence, same hours) or lost (absence), or an
            // early leave; otherwise the scheduled hours.
            let (ws, we) = if r.chance(self.p.absence_p) {
                (end, end)
            } else if r.chance(self.p.late_p) {
                let late = 60.0 * (5.0 + 55.0 * r.unif());
                if r.chance(0.5) {
                    if r.chance(0.5) {
                        (start + late, end + late)
                    } else {
                        (start + late, end)
                    }
                } else {
                    (start, end - late)
                }
            } else {
                (start, end)
            };
            let present = (we - ws).max(0.0);
            let non_adh = (present * (1.0 - self.p.adherence) * (1.0 + 0.4 * r.normal()).max(0.0))
                .min(present);
            let mut gaps = [(0.0, 0.0); 2];
            if present > 0.0 && non_adh > 60.0 {
                let g1 = non_adh * (0.3 + 0.4 * r.unif());
                let g2 = non_adh - g1;
                let room = present - non_adh;
                let mut a1 = ws + room * r.unif() * 0.5;
                let a2 = a1 + g1 + (room * 0.5) * r.unif();
                a1 = a1.min(we - non_adh);
                gaps = [(a1, a1 + g1), (a2.min(we - g2), a2.min(we - g2) + g2)];
            }
            let gap_sum: f64 = gaps.iter().map(|(a, b)| b - a).sum();
            // Logged in (handling or available): presence less the logged-out gaps.
            let worked = (present - gap_sum).max(0.0);
            // In adherence: logged in inside the scheduled hours (a made-up late
            // start is worked after them).
            let (lo, hi) = (ws.max(start), we.min(end));
            let gaps_inside: f64 = gaps
                .iter()
                .map(|&(a, b)| (b.min(hi) - a.max(lo)).max(0.0))
                .sum();
            let adherent = ((hi - lo).max(0.0) - gaps_inside).max(0.0);
            // Paid: the contact-work schedule plus the paid time off the phones
            // (breaks, coaching, training, meetings) in a block next to it.
            let off_phone = sched * (self.p.off_phone * (1.0 + 0.25 * r.normal())).max(0.0);
            self.shifts.push(Shift {
                agent: *k,
                start: ws,
                end: we,
                gaps,
                excl: false,
                free: false,
                load: 0,
                sess: [NONE; 8],
                last_share: ws,
                pod,
                mail: NONE,
                mail_left: 0.0,
                mail_parked: false,
                token: 0,
                plan_iv: start_iv,
                plan_len: len,
                sched_min: sched / 60.0,
                worked_min: worked / 60.0,
                adherent_min: adherent / 60.0,
                absent_min: (sched - present).max(0.0) / 60.0,
                paid_min: (sched + off_phone) / 60.0,
            });
        }
    }

    // --------------------------------------------------------------- output

    fn write_day(
        &mut self,
        d: usize,
        fc: &[[f64; NI]; 4],
        aht_fc: f64,
        req: &[f64; NI],
        out: &mut Out,
    ) -> Result<(), SynthError> {
        use std::fmt::Write;
        let mi = self.month_of[d] as usize;
        let di = d as i32;
        // Contacts (and their surveys), in id order.
        let mut rows: Vec<Contact> = self
            .contacts
            .iter()
            .filter(|c| c.state != ST_MOVED)
            .copied()
            .collect();
        rows.append(&mut self.done_emails);
        rows.sort_by_key(|c| c.id);
        for c in &rows {
            self.write_contact(c, out)?;
            self.survey(c, out)?;
        }
        // Intervals.
        let baseline_blank = self.p.baseline() && self.r_wf.chance(0.4);
        let mut cover = [0.0; NI];
        for s in &self.shifts {
            for c in cover.iter_mut().skip(s.plan_iv).take(s.plan_len) {
                *c += 1.0;
            }
        }
        for q in 0..4 {
            for i in 0..NI {
                let tot: f64 = (0..4).map(|k| fc[k][i]).sum();
                let share = if tot > 0.0 { fc[q][i] / tot } else { 0.25 };
                let l = &mut self.line;
                l.clear();
                l.push_str(QUEUES[q]);
                l.push(',');
                self.cal.ts(l, self.day_start + OPEN + i as f64 * IV);
                let actual_aht = if self.aht_n[q][i] > 0.0 {
                    self.aht_sum[q][i] / self.aht_n[q][i]
                } else {
                    0.0
                };
                let _ = write!(
                    l,
                    ",30,{:.1},{:.1},{:.1},{:.1},",
                    fc[q][i], self.actual[q][i], aht_fc, actual_aht
                );
                if self.p.baseline() {
                    if !baseline_blank {
                        // The tool's own figure: one agent per five forecast contacts.
                        let _ = write!(l, "{:.1}", (fc[q][i] / 5.0).ceil());
                    }
                } else {
                    let _ = write!(l, "{:.1}", req[i] * share);
                }
                let _ = write!(l, ",{:.2}", cover[i] * share);
                out.row(T::Intervals, &self.line)?;
            }
        }
        // Adherence, in agent id order.
        let mut order: Vec<usize> = (0..self.shifts.len()).collect();
        order.sort_by_key(|&s| self.agents[self.shifts[s].agent].id);
        let m = &mut self.months[mi];
        let mut paid_total = 0.0;
        for &si in &order {
            let s = &self.shifts[si];
            let l = &mut self.line;
            l.clear();
            let _ = write!(
                l,
                "A{:05},{},{:.1},{:.1},{:.1},{:.1},{:.1}",
                self.agents[s.agent].id,
                self.cal.date(d),
                s.sched_min,
                s.adherent_min,
                s.worked_min,
                s.absent_min,
                s.paid_min
            );
            m.scheduled_min += s.sched_min;
            m.worked_min += s.worked_min;
            m.adherent_min += s.adherent_min;
            m.absence_min += s.absent_min;
            m.paid_min += s.paid_min;
            paid_total += s.paid_min;
            out.row(T::Adherence, &self.line)?;
        }
        // Trainees are paid too.
        let trainees = if self.dow(d as i64) < 5 {
            self.agents
                .iter()
                .filter(|a| a.employed(di) && a.live_from > di)
                .count() as f64
        } else {
            0.0
        };
        let orders = self.orders[d];
        let cost = (paid_total + trainees * 480.0) / 60.0 * self.p.hourly_rate
            + self.p.overhead_fixed_per_day * self.pods.len() as f64
            + self.p.overhead_per_order * orders as f64;
        let cost = (cost * 100.0).round() / 100.0;
        let m = &mut self.months[mi];
        m.orders += orders;
        m.cost += cost;
        self.line.clear();
        let _ = write!(self.line, "{},{},{:.2}", self.cal.date(d), orders, cost);
        out.row(T::BusinessDaily, &self.line)?;
        Ok(())
    }

    fn write_contact(&mut self, c: &Contact, out: &mut Out) -> Result<(), SynthError> {
        use std::fmt::Write;
        let mi = self.month_of[((c.arrived / DAY) as usize).min(self.days - 1)] as usize;
        let m = &mut self.months[mi];
        m.contacts += 1;
        if c.ch == Ch::Voice {
            m.voice_offered += 1;
            if c.abandoned {
                m.voice_abandoned += 1;
                if c.ended - c.arrived <= 5.0 {
                    m.voice_short_abandon += 1;
                }
            } else if !c.answered.is_nan() {
                let w = c.answered.floor() - c.arrived.floor();
                m.voice_answered += 1;
                m.voice_wait += w;
                if w <= 20.0 {
                    m.voice_answered_in_t += 1;
                }
            }
        }
        if c.ch == Ch::Email && !c.answered.is_nan() {
            m.email_answered += 1;
            m.email_response_secs += c.answered - c.arrived;
        }
        let l = &mut self.line;
        l.clear();
        let _ = write!(l, "C{:09},", c.id);
        if c.show_cust {
            let _ = write!(l, "U{:08}", c.cust);
        }
        let _ = write!(l, ",{},{},", c.ch.name(), QUEUES[c.q as usize]);
        if c.agent != NONE {
            let _ = write!(l, "A{:05}", c.agent);
        }
        l.push(',');
        self.cal.ts(l, c.arrived);
        l.push(',');
        if !c.answered.is_nan() {
            self.cal.ts(l, c.answered);
        }
        l.push(',');
        if !c.ended.is_nan() {
            self.cal.ts(l, c.ended);
        }
        let _ = write!(
            l,
            ",{:.1},{:.1},{:.1},{},{},",
            c.talk, c.hold, c.wrap, c.abandoned, c.transferred
        );
        if !c.abandoned
            && let Some(r) = c.coded
        {
            let _ = write!(l, "{r}");
        }
        l.push(',');
        if !c.abandoned {
            l.push_str(REASONS[c.q as usize][c.reason as usize]);
        }
        out.row(T::Contacts, &self.line)
    }

    /// Survey invitation (and answers) for a finished contact, by the
    /// scenario's selection method.
    fn survey(&mut self, c: &Contact, out: &mut Out) -> Result<(), SynthError> {
        use std::fmt::Write;
        if c.ended.is_nan() || (c.abandoned && self.p.scenario == crate::Scenario::Followup) {
            return Ok(());
        }
        let r = &mut self.r_srv;
        let wait = if c.answered.is_nan() {
            if c.abandoned {
                c.ended - c.arrived
            } else {
                0.0
            }
        } else {
            c.answered - c.arrived
        };
        let wait_scale = match c.ch {
            Ch::Email => 3600.0 * 3.0,
            Ch::Messaging => 300.0,
            _ => 40.0,
        };
        let (skill, courtesy, expf) = if c.agent != NONE {
            let a = self
                .by_id
                .get(c.agent as usize)
                .and_then(|&k| self.agents.get(k))
                .map(|a| {
                    (
                        a.skill,
                        a.courtesy,
                        1.0 - (-((self.day as i32 - a.hired) as f64) / 90.0).exp(),
                    )
                })
                .unwrap_or((0.0, 0.0, 0.5));
            (Some(a.0), Some(a.1), a.2)
        } else {
            (None, None, 0.0)
        };
        // Latent ratings of the drivers (1-5 scale before rounding).
        let attr_wait = 5.1 - 1.1 * (1.0 + wait / wait_scale).ln() + 0.6 * r.normal();
        let knowledge = skill.map(|s| {
            3.9 + 1.0 * s + 0.5 * expf + if c.resolved { 0.5 } else { -0.6 } + 0.6 * r.normal()
        });
        let court = courtesy.map(|s| 4.3 + 0.9 * s + 0.6 * r.normal());
        let resol = if c.abandoned {
            1.5 + 0.6 * r.normal()
        } else if c.resolved {
            4.6 + 0.5 * r.normal()
        } else {
            1.9 + 0.8 * r.normal()
        };
        let ease = 4.4 - if c.transferred { 1.0 } else { 0.0 } - if c.repeat { 0.5 } else { 0.0 }
            + 0.6 * r.normal();
        let mut latent = 0.18 * attr_wait
            + 0.17 * knowledge.unwrap_or(4.0)
            + 0.13 * court.unwrap_or(4.3)
            + 0.37 * resol
            + 0.15 * ease
            - 0.06
            + self.p.sat_offset
            + 0.45 * r.normal();
        if c.abandoned {
            latent -= 0.5;
        }
        let sat01 = ((latent - 1.0) / 4.0).clamp(0.0, 1.0);

        // Who gets invited.
        let ended = c.ended;
        let (selection, invited) = if self.p.baseline() {
            let handled = c.agent != NONE;
            // Agents offer the survey to customers who sounded pleased.
            let good = c.coded == Some(true) && !c.transferred;
            let p_offer = if good {
                0.003 + 0.3 * sat01.powi(6)
            } else {
                0.003
            };
            if handled && matches!(c.ch, Ch::Voice | Ch::Chat) && r.chance(p_offer) {
                let t = if r.chance(0.35) {
                    // Weekly batch: next Monday 10:00.
                    let day = (ended / DAY).floor() as i64;
                    let dow = (self.start_dow + day).rem_euclid(7);
                    (day + 7 - dow) as f64 * DAY + 36_000.0
                } else {
                    ended + 3600.0 * (1.0 + 20.0 * r.unif())
                };
                ("agent_selected", t)
            } else if r.chance(0.004 + 0.02 * (1.0 - sat01)) {
                ("customer_initiated", ended + 600.0 + 3.0 * DAY * r.unif())
            } else {
                return Ok(());
            }
        } else {
            let rate = match c.ch {
                Ch::Voice => 0.22,
                Ch::Chat => 0.3,
                _ => 1.0,
            };
            if rate < 1.0 {
                if !r.chance(rate) {
                    return Ok(());
                }
                ("random", ended + 900.0 + 4.0 * 3600.0 * r.unif())
            } else {
                ("census", ended + 900.0 + 4.0 * 3600.0 * r.unif())
            }
        };
        let p_resp = match selection {
            "agent_selected" => 0.1 + 0.6 * sat01.powi(3),
            "customer_initiated" => 0.85,
            _ => 0.17 + 0.1 * sat01,
        };
        let responded = r.chance(p_resp);
        let mi = self.month_of[((c.arrived / DAY) as usize).min(self.days - 1)] as usize;
        self.months[mi].invitations += 1;
        let id = self.next_survey;
        self.next_survey += 1;
        let l = &mut self.line;
        l.clear();
        let _ = write!(l, "S{id:09},C{:09},{},", c.id, c.ch.name());
        if c.agent != NONE {
            let _ = write!(l, "A{:05}", c.agent);
        }
        let _ = write!(l, ",{selection},");
        self.cal.ts(l, invited);
        l.push(',');
        if !responded {
            l.push_str(",,,,,,,,,");
            return out.row(T::Surveys, &self.line);
        }
        let resp_at = invited + r.lognormal(2.0 * 3600.0, 1.0).min(6.0 * DAY);
        self.cal.ts(l, resp_at);
        let rate = |x: f64| x.round().clamp(1.0, 5.0) as u8;
        let csat = rate(latent);
        let nps = (2.3 * latent - 1.6 + 1.0 * r.normal())
            .round()
            .clamp(0.0, 10.0) as u8;
        let reported = if r.chance(0.92) {
            c.resolved
        } else {
            !c.resolved
        };
        let _ = write!(l, ",{csat},{nps},{reported},{}", rate(attr_wait));
        let attrs = [Some(attr_wait), knowledge, court, Some(resol), Some(ease)];
        for a in &attrs[1..] {
            l.push(',');
            if let Some(x) = a {
                let _ = write!(l, "{}", rate(*x));
            }
        }
        l.push(',');
        let m = &mut self.months[mi];
        m.csat_n += 1;
        m.nps_n += 1;
        if csat >= 4 {
            m.csat_top2 += 1;
        }
        if nps >= 9 {
            m.nps_promoters += 1;
        } else if nps <= 6 {
            m.nps_detractors += 1;
        }
        if csat <= 2 {
            // The weakest driver names the reason; the baseline often leaves it blank.
            let mut worst = 0;
            let mut wv = f64::MAX;
            for (k, a) in attrs.iter().enumerate() {
                if let Some(x) = a
                    && *x < wv
                {
                    wv = *x;
                    worst = k;
                }
            }
            m.dissat[worst] += 1;
            if !(self.p.baseline() && r.chance(0.65)) {
                l.push_str(DISSAT[worst]);
            }
        }
        out.row(T::Surveys, &self.line)
    }

    fn finish(mut self, out: &mut Out) -> Result<Stats, SynthError> {
        use std::fmt::Write;
        // E-mails still unanswered at the end of the period.
        let left: Vec<Contact> = self
            .pods
            .iter_mut()
            .flat_map(|p| p.backlog.drain(..))
            .collect();
        let mut left = left;
        left.sort_by_key(|c| c.id);
        for c in &left {
            self.write_contact(c, out)?;
        }
        // Roster: one row per employment spell.
        let mut order: Vec<usize> = (0..self.agents.len()).collect();
        order.sort_by_key(|&k| (self.agents[k].id, self.agents[k].hired));
        let date = |d: i32| {
            (self.cfg.start + chrono::Duration::days(d as i64))
                .format("%Y-%m-%d")
                .to_string()
        };
        for k in order {
            let a = &self.agents[k];
            self.line.clear();
            let l = &mut self.line;
            let _ = write!(
                l,
                "A{:05},Team {},{},agent,{},",
                a.id,
                a.team,
                crate::docs::SITE,
                date(a.hired)
            );
            if let Some(c) = a.certified {
                l.push_str(&date(c));
            }
            l.push(',');
            if let Some(e) = a.exited {
                let _ = write!(
                    l,
                    "{},{}",
                    date(e),
                    if a.involuntary {
                        "involuntary"
                    } else {
                        "voluntary"
                    }
                );
            } else {
                l.push(',');
            }
            out.row(T::Agents, &self.line)?;
        }
        // Incidents and changes.
        for (i, inc) in self.incidents.iter().enumerate() {
            self.line.clear();
            let l = &mut self.line;
            let _ = write!(l, "INC{:04},{},", i + 1, SEVERITY[inc.severity]);
            self.cal.ts(l, inc.detected);
            l.push(',');
            if let Some(e) = inc.escalated {
                self.cal.ts(l, e);
            }
            l.push(',');
            if let Some(e) = inc.resolved {
                self.cal.ts(l, e);
            }
            out.row(T::Incidents, &self.line)?;
        }
        for (i, ch) in self.changes.iter().enumerate() {
            self.line.clear();
            let l = &mut self.line;
            let _ = write!(l, "CHG{:04},{},", i + 1, IMPACT[ch.impact]);
            self.cal.ts(l, ch.go_live);
            l.push(',');
            if let Some(n) = ch.notified {
                self.cal.ts(l, n);
            }
            out.row(T::Changes, &self.line)?;
        }
        let hc: Vec<f64> = self
            .months
            .iter()
            .map(|m| (m.hc_start + m.hc_end) as f64 / 2.0)
            .collect();
        let first = &self.months[0];
        let last = &self.months[self.months.len() - 1];
        Ok(Stats {
            days: self.days,
            orders_total: self.orders.iter().sum(),
            contacts_total: out.rows(T::Contacts),
            avg_headcount: hc.iter().sum::<f64>() / hc.len() as f64,
            start_headcount: first.hc_start,
            end_headcount: last.hc_end,
            hourly_rate: self.p.hourly_rate,
            daily_overhead: self.p.overhead_fixed_per_day * self.pods.len() as f64,
            first_month_orders_per_day: first.orders as f64 / first.days as f64,
            last_month_orders_per_day: last.orders as f64 / last.days as f64,
            wape_floor: self.wape_floor,
            months: self.months,
        })
    }
}

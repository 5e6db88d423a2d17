//! The simulation: demand, workforce, a discrete-event queue per day,
//! customers, surveys, and the month statistics that documents and
//! `kpi_results` report.
//!
//! [`Sim`] holds the state; its jobs live in one module each, in the order
//! a simulated day flows through them:
//!
//! 1. [`governance`]: the period's incidents and changes (drawn once);
//! 2. [`demand`]: orders and the expected first contacts;
//! 3. [`forecast`]: the planners' history, forecast and AHT;
//! 4. [`roster`]: leavers and hires;
//! 5. [`staffing`]: the day's plan and shifts;
//! 6. [`arrivals`]: the day's contacts;
//! 7. [`queue`] and [`handling`]: the discrete-event day and the agents' work
//!    on each [`contact`], with [`fcr`] watching for repeats;
//! 8. [`surveys`]: invitations and answers for the finished contacts;
//! 9. [`stats`]: the month aggregates, tallied from the finished records;
//! 10. [`rows`]: the CSV rows of the same records.

// Queue x interval matrices read better with explicit indices.
#![allow(clippy::needless_range_loop)]

mod arrivals;
mod contact;
mod demand;
mod fcr;
mod forecast;
mod governance;
mod handling;
mod queue;
mod roster;
mod rows;
mod staffing;
mod stats;
mod surveys;

use std::collections::{BinaryHeap, HashMap, VecDeque};

use rand_chacha::ChaCha8Rng;

use crate::params::{IV, NA, NI, OPEN, Params, async_shape, sync_shape};
use crate::util::{Calendar, DAY, Draw, stream};
use crate::write::{Out, T};
use crate::{Progress, SynthConfig, SynthError};

pub use stats::{MonthStats, Stats};
pub use surveys::DISSAT;

use arrivals::Pending;
use contact::{Contact, ST_MOVED};
use fcr::FcrRec;
use queue::{Ev, Pod};
use roster::Agent;
use rows::{IntervalRow, RowWriter};
use staffing::Shift;
use surveys::Survey;

/// No agent, no session, no e-mail in progress.
const NONE: u32 = u32::MAX;

/// Share of days the baseline's WFM tool leaves the required agents blank.
const BLANK_REQUIRED_SHARE: f64 = 0.4;

/// Contacts per queue (rows) and synchronous interval (columns).
type QueueGrid = [[f64; NI]; 4];

/// The simulated centre: configuration, random streams, and the state of
/// every job (demand, roster, the day's queue, month statistics).
struct Sim<'a> {
    p: Params,
    cfg: &'a SynthConfig,
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
    incidents: Vec<governance::Incident>,
    changes: Vec<governance::Change>,
    n_cust: u32,
    next_id: u64,
    next_survey: u64,
    // forecast history
    hist_actual: VecDeque<QueueGrid>,
    /// Expected first contacts per queue and interval (known drivers only).
    hist_lambda: VecDeque<QueueGrid>,
    hist_email: VecDeque<(f64, f64)>,
    hist_aht: VecDeque<(f64, f64)>,
    last_fc: (QueueGrid, f64),
    wape_floor: f64,
    // workforce
    agents: Vec<Agent>,
    /// Roster index of the latest spell of each agent id.
    by_id: Vec<usize>,
    next_agent: u32,
    n_teams: u32,
    hazard_acc: f64,
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
    actual: QueueGrid,
    aht_sum: QueueGrid,
    aht_n: QueueGrid,
    // output
    rows: RowWriter,
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

impl<'a> Sim<'a> {
    fn new(cfg: &'a SynthConfig) -> Self {
        let p = Params::for_scenario(cfg.scenario);
        let (days, month_of, months) = stats::month_days(cfg);
        let salt = match cfg.scenario {
            crate::Scenario::Baseline => 0,
            crate::Scenario::Followup => 1_000,
        };
        let seed = cfg.seed;
        let mut sim = Sim {
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
            hist_actual: VecDeque::new(),
            hist_lambda: VecDeque::new(),
            hist_email: VecDeque::new(),
            hist_aht: VecDeque::new(),
            last_fc: ([[0.0; NI]; 4], 0.0),
            wape_floor: 0.0,
            agents: Vec::new(),
            by_id: Vec::new(),
            next_agent: 1,
            n_teams: 1,
            hazard_acc: 0.0,
            recent_shifts: VecDeque::new(),
            contacts: Vec::new(),
            shifts: Vec::new(),
            heap: BinaryHeap::new(),
            seq: 0,
            pods: (0..queue::pod_count(cfg)).map(|_| Pod::default()).collect(),
            done_emails: Vec::new(),
            pending: BinaryHeap::new(),
            fcr: HashMap::new(),
            day: 0,
            day_start: 0.0,
            actual: [[0.0; NI]; 4],
            aht_sum: [[0.0; NI]; 4],
            aht_n: [[0.0; NI]; 4],
            rows: RowWriter::new(Calendar::new(cfg.start, days + 60)),
            p,
            cfg,
        };
        sim.init_demand();
        sim.init_governance();
        sim.init_history();
        // The planners know their volumes: the interval WAPE of a perfect
        // forecast is the Poisson mean absolute deviation over the volume.
        sim.wape_floor = sim.perfect_forecast_wape();
        sim
    }

    /// Day offset of a time, clamped to the period.
    fn day_of(&self, t: f64) -> usize {
        ((t / DAY) as usize).min(self.days - 1)
    }

    /// Month index of a time.
    fn month_at(&self, t: f64) -> usize {
        self.month_of[self.day_of(t)] as usize
    }

    /// Simulates day `d` and writes its rows.
    fn simulate_day(&mut self, d: usize, out: &mut Out) -> Result<(), SynthError> {
        self.day = d;
        self.day_start = d as f64 * DAY;
        let mi = self.month_of[d] as usize;
        self.workforce_day(d);

        // Forecast and plan.
        let (fc, email_fc) = self.forecast(d);
        let aht = self.aht_guess();
        let req = self.staff_day(d, &fc, email_fc);

        // Arrivals: first contacts of the day plus earlier customers coming
        // back; then the discrete-event simulation of the day.
        self.reset_day();
        let email_today = self.admit_arrivals(d);
        self.push_shift_boundaries();
        self.run_events();

        // Forecast accuracy, as the intervals table will show it, and history.
        self.months[mi].add_forecast_accuracy(&fc, &self.actual);
        self.record_history(d, email_today);

        self.close_day(d, &fc, aht, &req, out)?;

        self.fcr_forget_before(self.day_start + DAY);
        if d + 1 == self.days || self.month_of[d + 1] as usize != mi {
            self.months[mi].hc_end = self.employed_count(d as i32);
        }
        Ok(())
    }

    /// The finished day: draws the surveys of its contacts, tallies every
    /// record into the month statistics, then writes the rows.
    fn close_day(
        &mut self,
        d: usize,
        fc: &QueueGrid,
        aht_fc: f64,
        req: &[f64; NI],
        out: &mut Out,
    ) -> Result<(), SynthError> {
        let contacts = self.finished_contacts();
        let surveys: Vec<Survey> = contacts
            .iter()
            .filter_map(|c| self.draw_survey(c))
            .collect();
        let intervals = self.interval_rows(fc, aht_fc, req);
        let shift_order = self.shifts_by_agent_id();
        let orders = self.orders[d];
        let cost = self.day_cost(d, &shift_order);

        self.tally_day(d, &contacts, &surveys, &shift_order, orders, cost);

        for c in &contacts {
            self.rows.contact(c, out)?;
        }
        for s in &surveys {
            self.rows.survey(s, out)?;
        }
        for r in &intervals {
            self.rows.interval(r, out)?;
        }
        for &si in &shift_order {
            let s = &self.shifts[si];
            self.rows.adherence(self.agents[s.agent].id, d, s, out)?;
        }
        self.rows.business_day(d, orders, cost, out)
    }

    /// The day's finished contacts (e-mails answered today included, those
    /// still in the backlog not), in id order.
    fn finished_contacts(&mut self) -> Vec<Contact> {
        let mut done: Vec<Contact> = self
            .contacts
            .iter()
            .filter(|c| c.state != ST_MOVED)
            .copied()
            .collect();
        done.append(&mut self.done_emails);
        done.sort_by_key(|c| c.id);
        done
    }

    /// The intervals table of the day: forecast, actual, AHT, required and
    /// scheduled agents per queue and interval. The baseline's WFM tool
    /// leaves the required agents blank on some days.
    fn interval_rows(&mut self, fc: &QueueGrid, aht_fc: f64, req: &[f64; NI]) -> Vec<IntervalRow> {
        let baseline_blank = self.p.baseline() && self.r_wf.chance(BLANK_REQUIRED_SHARE);
        let cover = self.planned_cover();
        let mut rows = Vec::with_capacity(4 * NI);
        for q in 0..4 {
            for i in 0..NI {
                let tot: f64 = (0..4).map(|k| fc[k][i]).sum();
                let share = if tot > 0.0 { fc[q][i] / tot } else { 0.25 };
                let actual_aht = if self.aht_n[q][i] > 0.0 {
                    self.aht_sum[q][i] / self.aht_n[q][i]
                } else {
                    0.0
                };
                let required = if self.p.baseline() {
                    // The tool's own figure: one agent per five forecast contacts.
                    (!baseline_blank).then(|| (fc[q][i] / 5.0).ceil())
                } else {
                    Some(req[i] * share)
                };
                rows.push(IntervalRow {
                    queue: q,
                    start: self.day_start + OPEN + i as f64 * IV,
                    forecast: fc[q][i],
                    actual: self.actual[q][i],
                    forecast_aht: aht_fc,
                    actual_aht,
                    required,
                    scheduled: cover[i] * share,
                });
            }
        }
        rows
    }

    /// Operating cost of day `d`: paid hours (shifts summed in `shift_order`,
    /// and trainees on weekdays) and overhead per pod and per order, rounded
    /// to the cent.
    fn day_cost(&self, d: usize, shift_order: &[usize]) -> f64 {
        let di = d as i32;
        let mut paid_total = 0.0;
        for &si in shift_order {
            paid_total += self.shifts[si].paid_min;
        }
        let trainees = if self.dow(d as i64) < 5 {
            self.agents
                .iter()
                .filter(|a| a.employed(di) && a.live_from > di)
                .count() as f64
        } else {
            0.0
        };
        let cost = (paid_total + trainees * 480.0) / 60.0 * self.p.hourly_rate
            + self.p.overhead_fixed_per_day * self.pods.len() as f64
            + self.p.overhead_per_order * self.orders[d] as f64;
        (cost * 100.0).round() / 100.0
    }

    /// Adds the day's records to the month statistics.
    fn tally_day(
        &mut self,
        d: usize,
        contacts: &[Contact],
        surveys: &[Survey],
        shift_order: &[usize],
        orders: u64,
        cost: f64,
    ) {
        for c in contacts {
            self.tally_contact(c);
        }
        for s in surveys {
            let mi = self.month_at(s.contact.arrived);
            self.months[mi].add_survey(s);
        }
        let mi = self.month_of[d] as usize;
        for &si in shift_order {
            self.months[mi].add_shift(&self.shifts[si]);
        }
        self.months[mi].add_business_day(orders, cost);
    }

    /// Adds a contact to the statistics of the month it arrived in.
    fn tally_contact(&mut self, c: &Contact) {
        let mi = self.month_at(c.arrived);
        self.months[mi].add_contact(c);
    }

    /// After the last day: the e-mails still unanswered, the roster,
    /// incidents and changes; returns what the documents need.
    fn finish(mut self, out: &mut Out) -> Result<Stats, SynthError> {
        let mut left: Vec<Contact> = self
            .pods
            .iter_mut()
            .flat_map(|p| p.backlog.drain(..))
            .collect();
        left.sort_by_key(|c| c.id);
        for c in &left {
            self.tally_contact(c);
        }
        for c in &left {
            self.rows.contact(c, out)?;
        }
        // Roster: one row per employment spell.
        let mut order: Vec<usize> = (0..self.agents.len()).collect();
        order.sort_by_key(|&k| (self.agents[k].id, self.agents[k].hired));
        for k in order {
            self.rows.agent(&self.agents[k], self.cfg.start, out)?;
        }
        for (i, inc) in self.incidents.iter().enumerate() {
            self.rows.incident(i + 1, inc, out)?;
        }
        for (i, ch) in self.changes.iter().enumerate() {
            self.rows.change(i + 1, ch, out)?;
        }
        Ok(self.into_stats(out.rows(T::Contacts)))
    }

    /// What the documents need, with `contacts_total` contact rows written.
    fn into_stats(self, contacts_total: u64) -> Stats {
        let hc: Vec<f64> = self
            .months
            .iter()
            .map(|m| (m.hc_start + m.hc_end) as f64 / 2.0)
            .collect();
        let first = &self.months[0];
        let last = &self.months[self.months.len() - 1];
        Stats {
            days: self.days,
            orders_total: self.orders.iter().sum(),
            contacts_total,
            avg_headcount: hc.iter().sum::<f64>() / hc.len() as f64,
            start_headcount: first.hc_start,
            end_headcount: last.hc_end,
            hourly_rate: self.p.hourly_rate,
            daily_overhead: self.p.overhead_fixed_per_day * self.pods.len() as f64,
            first_month_orders_per_day: first.orders as f64 / first.days as f64,
            last_month_orders_per_day: last.orders as f64 / last.days as f64,
            wape_floor: self.wape_floor,
            months: self.months,
        }
    }
}

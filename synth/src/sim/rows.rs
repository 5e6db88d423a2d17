//! CSV rows of the simulated tables: formats finished records (contacts,
//! surveys, interval reports, agent-days, business days, roster spells,
//! incidents, changes) in the schema's column order and appends them to the
//! output folder. Nothing here draws, decides or counts.

use std::fmt::Write;

use chrono::NaiveDate;

use crate::SynthError;
use crate::params::{QUEUES, REASONS};
use crate::util::Calendar;
use crate::write::{Out, T};

use super::contact::Contact;
use super::governance::{Change, IMPACT, Incident, SEVERITY};
use super::roster::Agent;
use super::staffing::Shift;
use super::surveys::{DISSAT, Survey};

/// One row of the intervals table: a queue's forecast, actual and staffing
/// in one 30-minute interval.
pub(super) struct IntervalRow {
    /// Queue index.
    pub(super) queue: usize,
    /// Interval start, seconds since the period start.
    pub(super) start: f64,
    /// Forecast contacts.
    pub(super) forecast: f64,
    /// Contacts that arrived.
    pub(super) actual: f64,
    /// Forecast AHT, seconds.
    pub(super) forecast_aht: f64,
    /// Actual AHT, seconds (effective workload per contact).
    pub(super) actual_aht: f64,
    /// Agents required, when the WFM tool reports it.
    pub(super) required: Option<f64>,
    /// Agents scheduled.
    pub(super) scheduled: f64,
}

/// Formats rows into a reused line buffer and appends them to [`Out`].
pub(super) struct RowWriter {
    cal: Calendar,
    line: String,
}

impl RowWriter {
    /// A writer formatting local times and dates with `cal`.
    pub(super) fn new(cal: Calendar) -> Self {
        RowWriter {
            cal,
            line: String::with_capacity(512),
        }
    }

    /// Writes a `contacts` row.
    pub(super) fn contact(&mut self, c: &Contact, out: &mut Out) -> Result<(), SynthError> {
        let l = &mut self.line;
        l.clear();
        let _ = write!(l, "C{:09},", c.id);
        if c.show_cust {
            let _ = write!(l, "U{:08}", c.cust);
        }
        let _ = write!(l, ",{},{},", c.ch.name(), QUEUES[c.q as usize]);
        if c.has_agent() {
            let _ = write!(l, "A{:05}", c.agent);
        }
        l.push(',');
        self.cal.ts(l, c.arrived);
        l.push(',');
        if c.was_answered() {
            self.cal.ts(l, c.answered);
        }
        l.push(',');
        if c.has_ended() {
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

    /// Writes a `surveys` row.
    pub(super) fn survey(&mut self, s: &Survey, out: &mut Out) -> Result<(), SynthError> {
        let c = &s.contact;
        let l = &mut self.line;
        l.clear();
        let _ = write!(l, "S{:09},C{:09},{},", s.id, c.id, c.ch.name());
        if c.has_agent() {
            let _ = write!(l, "A{:05}", c.agent);
        }
        let _ = write!(l, ",{},", s.selection);
        self.cal.ts(l, s.invited);
        l.push(',');
        let Some(r) = &s.response else {
            l.push_str(",,,,,,,,,");
            return out.row(T::Surveys, &self.line);
        };
        self.cal.ts(l, r.at);
        let _ = write!(l, ",{},{},{}", r.csat, r.nps, r.resolved_reported);
        for rating in r.drivers {
            l.push(',');
            if let Some(x) = rating {
                let _ = write!(l, "{x}");
            }
        }
        l.push(',');
        if let Some(k) = r.weakest_driver
            && r.reason_recorded
        {
            l.push_str(DISSAT[k]);
        }
        out.row(T::Surveys, &self.line)
    }

    /// Writes an `intervals` row.
    pub(super) fn interval(&mut self, r: &IntervalRow, out: &mut Out) -> Result<(), SynthError> {
        let l = &mut self.line;
        l.clear();
        l.push_str(QUEUES[r.queue]);
        l.push(',');
        self.cal.ts(l, r.start);
        let _ = write!(
            l,
            ",30,{:.1},{:.1},{:.1},{:.1},",
            r.forecast, r.actual, r.forecast_aht, r.actual_aht
        );
        if let Some(required) = r.required {
            let _ = write!(l, "{required:.1}");
        }
        // The synthetic planning queues serve voice, chat and messaging together: no
        // single channel to state.
        let _ = write!(l, ",{:.2},", r.scheduled);
        out.row(T::Intervals, &self.line)
    }

    /// Writes an `adherence` row: agent `agent_id`'s shift on day `d`.
    pub(super) fn adherence(
        &mut self,
        agent_id: u32,
        d: usize,
        s: &Shift,
        out: &mut Out,
    ) -> Result<(), SynthError> {
        let l = &mut self.line;
        l.clear();
        let _ = write!(
            l,
            "A{:05},{},{:.1},{:.1},{:.1},{:.1},{:.1}",
            agent_id,
            self.cal.date(d),
            s.sched_min,
            s.adherent_min,
            s.worked_min,
            s.absent_min,
            s.paid_min
        );
        out.row(T::Adherence, &self.line)
    }

    /// Writes a `business_daily` row.
    pub(super) fn business_day(
        &mut self,
        d: usize,
        orders: u64,
        cost: f64,
        out: &mut Out,
    ) -> Result<(), SynthError> {
        self.line.clear();
        let _ = write!(self.line, "{},{},{:.2}", self.cal.date(d), orders, cost);
        out.row(T::BusinessDaily, &self.line)
    }

    /// Writes an `agents` row: one employment spell, dates from `start`.
    pub(super) fn agent(
        &mut self,
        a: &Agent,
        start: NaiveDate,
        out: &mut Out,
    ) -> Result<(), SynthError> {
        let date = |d: i32| {
            (start + chrono::Duration::days(d as i64))
                .format("%Y-%m-%d")
                .to_string()
        };
        let l = &mut self.line;
        l.clear();
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
        out.row(T::Agents, &self.line)
    }

    /// Writes an `incidents` row; `n` numbers the incident from 1.
    pub(super) fn incident(
        &mut self,
        n: usize,
        inc: &Incident,
        out: &mut Out,
    ) -> Result<(), SynthError> {
        let l = &mut self.line;
        l.clear();
        let _ = write!(l, "INC{:04},{},", n, SEVERITY[inc.severity]);
        self.cal.ts(l, inc.detected);
        l.push(',');
        if let Some(e) = inc.escalated {
            self.cal.ts(l, e);
        }
        l.push(',');
        if let Some(e) = inc.resolved {
            self.cal.ts(l, e);
        }
        out.row(T::Incidents, &self.line)
    }

    /// Writes a `changes` row; `n` numbers the change from 1.
    pub(super) fn change(
        &mut self,
        n: usize,
        ch: &Change,
        out: &mut Out,
    ) -> Result<(), SynthError> {
        let l = &mut self.line;
        l.clear();
        let _ = write!(l, "CHG{:04},{},", n, IMPACT[ch.impact]);
        self.cal.ts(l, ch.go_live);
        l.push(',');
        if let Some(t) = ch.notified {
            self.cal.ts(l, t);
        }
        out.row(T::Changes, &self.line)
    }
}

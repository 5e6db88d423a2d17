//! Arrivals: the day's first contacts (Poisson per queue, channel and
//! interval around the expected demand), customers coming back (repeats,
//! retries, failed self-service) on a later day, and the opening hours they
//! are moved into.

use std::cmp::Ordering;

use crate::params::{ASYNC_OPEN, Ch, IV, NA, NI, OPEN, REASONS};
use crate::util::{DAY, Draw};

use super::contact::{Contact, ST_PENDING};
use super::queue::Kind;
use super::{NONE, Sim};

/// A contact that arrives on a later day.
pub(super) struct Pending {
    /// Arrival, seconds since the period start.
    pub(super) t: f64,
    /// The contact.
    pub(super) c: Contact,
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
        // Reversed: the heap pops the earliest arrival.
        o.t.total_cmp(&self.t).then(o.c.id.cmp(&self.c.id))
    }
}

impl Sim<'_> {
    /// A new contact of customer `cust`, not yet handled.
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

    /// Loads the contacts of day `d` (first contacts, then customers coming
    /// back today) and schedules their arrival events. Returns the number
    /// of e-mails among them.
    pub(super) fn admit_arrivals(&mut self, d: usize) -> f64 {
        let fresh = self.draw_first_contacts(d);
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
        let mut email_today = 0.0;
        for ci in 0..self.contacts.len() {
            let t = self.contacts[ci].arrived;
            if self.contacts[ci].ch == Ch::Email {
                email_today += 1.0;
            }
            self.push(t, Kind::Arrive(ci as u32));
        }
        email_today
    }

    /// First contacts of day `d` (arrival, channel, queue), in time order.
    fn draw_first_contacts(&mut self, d: usize) -> Vec<(f64, Ch, usize)> {
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
        fresh
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
    pub(super) fn schedule_followup(&mut self, c: &Contact, ch: Ch, t: f64, repeat: bool) {
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
}

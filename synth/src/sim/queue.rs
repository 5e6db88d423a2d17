//! The queue: a discrete-event simulation of one day per pod. Agents on
//! shift take the oldest waiting contact they may take (chat and messaging
//! concurrently up to the scenario's cap), callers abandon after an
//! exponential patience, and e-mail is a backlog worked in idle time (in
//! slices the follow-up parks for a waiting call).

use std::cmp::Ordering;
use std::collections::VecDeque;

use crate::SynthConfig;
use crate::params::{Ch, IV, NI, OPEN};
use crate::util::Draw;

use super::contact::{Contact, ST_DONE, ST_MOVED, ST_WAITING};
use super::{NONE, Sim};

/// `Finish` marker of a slice of e-mail work.
const MAIL: u32 = u32::MAX - 1;
/// Seconds of e-mail work a follow-up agent does before checking for calls.
const MAIL_SLICE: f64 = 20.0;
/// Contacts per 30 days one pod is sized for.
const POD_CONTACTS_PER_30_DAYS: f64 = 33_000.0;

/// What happens at an event.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Kind {
    /// A contact (index in the day's contacts) arrives.
    Arrive(u32),
    /// A waiting contact's patience runs out.
    Abandon(u32),
    /// Shift, and the chat / messaging contact index (NONE: exclusive work).
    Finish(u32, u32),
    /// A shift starts or ends, or a logged-out gap starts or ends.
    Boundary(u32),
}

/// An event of the day, ordered by time, then by scheduling order.
pub(super) struct Ev {
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

/// A pod: a team with its own queues, agents and e-mail backlog. Larger
/// centres are organised in more pods of about the same size (customers are
/// routed to a pod by customer id), so a pod's statistics do not depend on
/// the size of the centre.
#[derive(Default)]
pub(super) struct Pod {
    /// Contacts waiting (indices; entries no longer waiting are skipped).
    waiting: VecDeque<u32>,
    /// Agents with nothing to do (shift index, token).
    idle: VecDeque<(u32, u32)>,
    /// Agents with sessions open and room for more (shift index, token).
    partial: VecDeque<(u32, u32)>,
    /// Agents in `idle` still free.
    n_free: usize,
    /// Voice contacts waiting.
    voice_waiting: usize,
    /// E-mails not yet taken.
    pub(super) backlog: VecDeque<Contact>,
    /// Shifts of the pod today.
    pub(super) shifts: usize,
}

/// Number of pods for a configuration.
pub(super) fn pod_count(cfg: &SynthConfig) -> usize {
    let days = ((cfg.end() - cfg.start).num_days() + 1).max(1) as f64;
    let per_30 = cfg.contacts as f64 / days * 30.0;
    ((per_30 / POD_CONTACTS_PER_30_DAYS).round() as usize).clamp(1, 10_000)
}

impl Sim<'_> {
    /// Clears the previous day's queue state.
    pub(super) fn reset_day(&mut self) {
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
    }

    /// Schedules an event.
    pub(super) fn push(&mut self, t: f64, kind: Kind) {
        self.seq += 1;
        self.heap.push(Ev {
            t,
            seq: self.seq,
            kind,
        });
    }

    /// Schedules the start, end and logged-out gaps of every shift.
    pub(super) fn push_shift_boundaries(&mut self) {
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
    }

    /// Runs the day's events in time order until none is left.
    pub(super) fn run_events(&mut self) {
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
    }

    fn leave_free(&mut self, si: usize) {
        if self.shifts[si].free {
            self.shifts[si].free = false;
            let pod = self.shifts[si].pod;
            self.pods[pod].n_free -= 1;
        }
    }

    /// Agent `si` answers contact `ci` of a synchronous channel at `t`.
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

    /// Agent `si` takes e-mail `c` from the backlog at `t`.
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

    /// The synchronous interval of the day a time falls in.
    pub(super) fn iv_of(&self, t: f64) -> usize {
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
                if self.park_mail_for_call(si, pod, t) {
                    continue;
                }
                self.mail_slice(si, t);
                return;
            }
            if !s.on(t) || s.load >= self.p.concurrency {
                self.shifts[si].token += 1;
                return;
            }
            let load = s.load;
            match self.take_waiting(pod, load) {
                Some(ci) => self.serve_sync(si, ci, t),
                None => break,
            }
        }
        self.email_or_idle(si, pod, t);
    }

    /// An agent in the middle of an e-mail answers a waiting call instead,
    /// if logged in and a call waits. Returns whether it did.
    fn park_mail_for_call(&mut self, si: usize, pod: usize, t: f64) -> bool {
        if !(self.shifts[si].on(t) && self.pods[pod].voice_waiting > 0) {
            return false;
        }
        let pos = self.pods[pod].waiting.iter().position(|&ci| {
            let c = &self.contacts[ci as usize];
            c.state == ST_WAITING && c.ch == Ch::Voice
        });
        let Some(ci) = pos.and_then(|p| self.pods[pod].waiting.remove(p)) else {
            return false;
        };
        self.pods[pod].voice_waiting -= 1;
        self.shifts[si].mail_parked = true;
        self.serve_sync(si, ci as usize, t);
        true
    }

    /// Takes the waiting contact an agent with `load` sessions open should
    /// answer next: the oldest it may take (voice only when free; the
    /// follow-up gives a free agent the oldest call first).
    fn take_waiting(&mut self, pod: usize, load: u8) -> Option<usize> {
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
        let ci = self.pods[pod].waiting.remove(pick?)?;
        if self.contacts[ci as usize].ch == Ch::Voice {
            self.pods[pod].voice_waiting -= 1;
        }
        Some(ci as usize)
    }

    /// Nothing waits for the agent: an e-mail from the backlog if there is
    /// time for it (the follow-up keeps one agent per pod free for voice),
    /// else the agent waits in the pod's idle or partial list.
    fn email_or_idle(&mut self, si: usize, pod: usize, t: f64) {
        let s = &self.shifts[si];
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

    /// Contact `ci` arrives at `t`.
    fn arrive(&mut self, ci: usize, t: f64) {
        let c = self.contacts[ci];
        self.fcr_arrival(&c);
        match c.ch {
            Ch::SelfService => self.self_service(ci, c),
            Ch::Email => {
                self.contacts[ci].state = ST_MOVED;
                self.pods[c.pod as usize].backlog.push_back(c);
                if let Some(si) = self.pop_idle(t, Ch::Email, c.pod as usize) {
                    self.dispatch(si, t);
                }
            }
            _ => self.arrive_sync(ci, c, t),
        }
    }

    /// A self-service session: resolved or not; a failed one often comes
    /// back by voice or chat.
    fn self_service(&mut self, ci: usize, mut c: Contact) {
        let r = &mut self.r_sim;
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

    /// A voice, chat or messaging contact arrives: answered by an agent
    /// free for it, else it waits with a patience drawn for the channel.
    fn arrive_sync(&mut self, ci: usize, c: Contact, t: f64) {
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

    /// A waiting contact's patience runs out; many try again later.
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
}

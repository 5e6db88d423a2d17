//! Staffing: from the day's forecast to the shifts worked. The baseline
//! plans by a contacts-per-agent-day rule of thumb; the follow-up by Erlang C
//! per interval with shrinkage and a greedy cover of 4- to 8-hour shifts.
//! Agents available that day are put on the planned shifts, with absence,
//! lateness, logged-out gaps and paid time off the phones drawn per shift.

use cxaudit_metrics::pooled::{Demand, Policy};

use crate::params::{IV, NI, OPEN};
use crate::util::Draw;

use super::{NONE, QueueGrid, Sim};

/// Days of actual shift counts the baseline hires from.
const RECENT_SHIFT_DAYS: usize = 7;

/// One agent's shift of the day: the plan, the presence drawn for it, and
/// the agent's state while the queue runs.
pub(super) struct Shift {
    /// Roster index of the agent.
    pub(super) agent: usize,
    /// Start of presence (a late start moves it).
    pub(super) start: f64,
    /// End of presence.
    pub(super) end: f64,
    /// Logged-out gaps.
    pub(super) gaps: [(f64, f64); 2],
    /// Handling a voice call or an e-mail (exclusive).
    pub(super) excl: bool,
    /// In the idle queue with nothing to do.
    pub(super) free: bool,
    /// Chat / messaging sessions in progress (contact indices in `sess`).
    pub(super) load: u8,
    /// Contact indices of the sessions in progress.
    pub(super) sess: [u32; 8],
    /// When the agent's attention was last shared out between sessions.
    pub(super) last_share: f64,
    /// Pod the agent works in.
    pub(super) pod: usize,
    /// E-mail in progress (index in `done_emails`), its work left, and
    /// whether it was parked for a call.
    pub(super) mail: u32,
    /// Seconds of work left on that e-mail.
    pub(super) mail_left: f64,
    /// Whether that e-mail was parked for a call.
    pub(super) mail_parked: bool,
    /// Invalidates stale entries of the pod's idle lists.
    pub(super) token: u32,
    /// Planned first interval.
    pub(super) plan_iv: usize,
    /// Planned length in intervals.
    pub(super) plan_len: usize,
    /// Minutes scheduled for contact work.
    pub(super) sched_min: f64,
    /// Minutes logged in.
    pub(super) worked_min: f64,
    /// Scheduled minutes in adherence.
    pub(super) adherent_min: f64,
    /// Scheduled minutes lost to absence.
    pub(super) absent_min: f64,
    /// Paid minutes.
    pub(super) paid_min: f64,
}

impl Shift {
    /// Whether the agent is logged in at `t`.
    pub(super) fn on(&self, t: f64) -> bool {
        t >= self.start && t < self.end && !self.gaps.iter().any(|&(a, b)| t >= a && t < b)
    }
}

/// Shifts a day needs (start interval, length in intervals) and the pooled
/// requirement per interval.
type DayPlan = (Vec<(usize, usize)>, [f64; NI]);

impl Sim<'_> {
    /// Plans day `d` from its forecast, puts the available agents on the
    /// shifts, and returns the requirement per interval (all pods).
    pub(super) fn staff_day(&mut self, d: usize, fc: &QueueGrid, email_fc: f64) -> [f64; NI] {
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
        self.recent_shifts.push_back(plan.len() as u32);
        if self.recent_shifts.len() > RECENT_SHIFT_DAYS {
            self.recent_shifts.pop_front();
        }
        req
    }

    /// Shifts a day needs (start interval, length in intervals) and the pooled
    /// requirement per interval, from a synchronous forecast and email volume.
    fn plan(&self, fc: &QueueGrid, aht: f64, email_fc: f64, email_aht: f64) -> DayPlan {
        if self.p.baseline() {
            self.rule_of_thumb_plan(fc, email_fc)
        } else {
            self.erlang_plan(fc, aht, email_fc, email_aht)
        }
    }

    /// Rule of thumb: contacts per agent-day, half early, half late.
    fn rule_of_thumb_plan(&self, fc: &QueueGrid, email_fc: f64) -> DayPlan {
        let mut req = [0.0; NI];
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
        (shifts, req)
    }

    /// Erlang C per interval on the pooled synchronous workload (voice, and
    /// chat and messaging at 1 / concurrency, one multi-skilled pool), the
    /// way the audit's WF2 judges it; e-mail as workload, first in the idle
    /// time Erlang C leaves; shrinkage on top; shifts by greedy cover.
    fn erlang_plan(&self, fc: &QueueGrid, aht: f64, email_fc: f64, email_aht: f64) -> DayPlan {
        let mut req = [0.0; NI];
        let mut idle = 0.0;
        let mut n = [0.0; NI];
        let policy = Policy::new(SL_THRESHOLD_SECONDS, self.p.sl_target);
        for i in 0..NI {
            let f: f64 = (0..4).map(|q| fc[q][i]).sum();
            let (net, a) = pooled_need(&policy, f, aht);
            // At least one agent keeps every open interval answered.
            let need = f64::from(net.max(1));
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
        (cover_greedy(&target), req)
    }

    /// Planned shifts per day over a horizon from expected demand (capacity
    /// plan): the average and the maximum.
    pub(super) fn planned_shifts(&self, from: i64, days: i64) -> (f64, f64) {
        let m = 1.0 + self.p.repeat_multiplier;
        let mut total = 0.0;
        let mut max: f64 = 0.0;
        for d in from..from + days {
            let mut fc = [[0.0; NI]; 4];
            let mut email = 0.0;
            for (q, fq) in fc.iter_mut().enumerate() {
                for (i, x) in fq.iter_mut().enumerate() {
                    *x = self.known_sync_demand(d, q, i) * m;
                }
                email += self.email_demand(d, q) * m;
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

    /// Puts the agents available on day `d` on the planned shifts
    /// (start interval, length, pod), drawing each shift's presence.
    fn build_shifts(&mut self, d: usize, plan: &[(usize, usize, usize)]) {
        self.shifts.clear();
        for pod in &mut self.pods {
            pod.shifts = 0;
        }
        let avail = self.available_agents(d);
        for (k, &(start_iv, len, pod)) in avail.iter().zip(fill_order(plan.len()).map(|o| &plan[o]))
        {
            self.pods[pod].shifts += 1;
            let shift = self.draw_shift(*k, start_iv, len, pod);
            self.shifts.push(shift);
        }
    }

    /// Roster indices of the agents live and not on a day off on day `d`,
    /// in a day-dependent order.
    fn available_agents(&self, d: usize) -> Vec<usize> {
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
        avail
    }

    /// Agent `agent`'s shift from interval `start_iv` for `len` intervals:
    /// presence (a full-day absence, or a late start that is made up at the
    /// end, out of adherence, or lost as absence, or an early leave;
    /// otherwise the scheduled hours), logged-out gaps and paid time.
    fn draw_shift(&mut self, agent: usize, start_iv: usize, len: usize, pod: usize) -> Shift {
        let r = &mut self.r_wf;
        let start = self.day_start + OPEN + start_iv as f64 * IV;
        let sched = len as f64 * IV;
        let end = start + sched;
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
        let non_adh =
            (present * (1.0 - self.p.adherence) * (1.0 + 0.4 * r.normal()).max(0.0)).min(present);
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
        Shift {
            agent,
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
        }
    }

    /// Agents planned on each interval (all pods).
    pub(super) fn planned_cover(&self) -> [f64; NI] {
        let mut cover = [0.0; NI];
        for s in &self.shifts {
            for c in cover.iter_mut().skip(s.plan_iv).take(s.plan_len) {
                *c += 1.0;
            }
        }
        cover
    }

    /// Indices of the day's shifts, in agent id order.
    pub(super) fn shifts_by_agent_id(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.shifts.len()).collect();
        order.sort_by_key(|&s| self.agents[self.shifts[s].agent].id);
        order
    }
}

/// The service-level threshold the follow-up plans for, seconds.
const SL_THRESHOLD_SECONDS: f64 = 20.0;

/// Erlang C net agents and traffic of one interval's pooled synchronous
/// forecast `contacts` at `aht` seconds (the audit's pooled requirement).
/// Should the model find no staffing (not for the scenarios' parameters),
/// the smallest stable one, floor(A) + 1.
fn pooled_need(policy: &Policy, contacts: f64, aht: f64) -> (u32, f64) {
    let Ok(demand) = Demand::admit(Some(contacts), Some(aht)) else {
        return (0, 0.0);
    };
    let a = demand.traffic(IV).unwrap_or(0.0);
    let net = policy
        .requirement(demand, IV)
        .map_or(a.floor() as u32 + 1, |r| r.net);
    (net, a)
}

/// Greedy cover with 8-, 6- or 4-hour shifts: at the first interval short
/// of staff, the length that covers the most intervals still short for the
/// fewest surplus ones.
fn cover_greedy(target: &[usize; NI]) -> Vec<(usize, usize)> {
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
    shifts
}

/// The order in which planned shifts are filled: when short of agents, the
/// shifts dropped are spread over the day, not all in the evening.
fn fill_order(n: usize) -> impl Iterator<Item = usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        let fa = (a as f64 * 0.618_033_988_7).fract();
        let fb = (b as f64 * 0.618_033_988_7).fract();
        fa.total_cmp(&fb)
    });
    order.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooled_need_matches_domain_vector() {
        // DOMAIN: 100 contacts in 30 min at AHT 180 s: A = 10, 14 agents for 80 % in 20 s.
        let policy = Policy::new(SL_THRESHOLD_SECONDS, 0.8);
        assert_eq!(pooled_need(&policy, 100.0, 180.0), (14, 10.0));
        assert_eq!(pooled_need(&policy, 0.0, 180.0), (0, 0.0));
    }
}
